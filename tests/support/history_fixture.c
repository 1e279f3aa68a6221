#include "history_fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl_test.h"

/*
 * libgit2 1.5.1's git_regexp_match() never frees its PCRE2 match data when
 * a pattern does not match (config lookups during push and fetch hit this);
 * that leak is libgit2's, not dateline's, so LeakSanitizer is told to
 * ignore allocations made inside PCRE2.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    /* Criterion 2.4 also leaks a small record when a test is skipped. */
    return "leak:libpcre2-8.so\nleak:libcriterion.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

char fx_root[512];
char fx_repo[600];
char fx_file[1024];
dl_history_store *fx_store;
dl_history *fx_history;

static char slots[8][1024];
static unsigned slot;

static char *next_slot(void)
{
    return slots[slot++ % 8];
}

const char *fx_path(const char *relative)
{
    char *p = next_slot();
    snprintf(p, 1024, "%s/%s", fx_root, relative);
    return p;
}

const char *fx_repo_path(const char *relative)
{
    char *p = next_slot();
    snprintf(p, 1024, "%s/%s", fx_repo, relative);
    return p;
}

const char *fx_sh(int *status, const char *format, ...)
{
    static char output[65536];
    char command[4096];
    va_list args;
    va_start(args, format);
    vsnprintf(command, sizeof(command), format, args);
    va_end(args);
    FILE *p = popen(command, "r");
    cr_assert(p != NULL);
    size_t n = fread(output, 1, sizeof(output) - 1, p);
    output[n] = '\0';
    if (n > 0 && output[n - 1] == '\n')
        output[n - 1] = '\0';
    int rc = pclose(p);
    if (status)
        *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return output;
}

static void make_parents(const char *path)
{
    char copy[1024];
    snprintf(copy, sizeof(copy), "%s", path);
    for (char *s = copy + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(copy, 0755);
            *s = '/';
        }
    }
}

void fx_write(const char *path, const char *content, size_t size)
{
    make_parents(path);
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL, "cannot write %s", path);
    cr_assert(eq(sz, fwrite(content, 1, size, f), size));
    fclose(f);
}

void fx_write_str(const char *path, const char *content)
{
    fx_write(path, content, strlen(content));
}

char *fx_read(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *data = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&data, &n);
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, got, mem);
    fclose(f);
    fclose(mem);
    if (size)
        *size = n;
    return data;
}

void fx_setup(void)
{
    snprintf(fx_root, sizeof(fx_root), "/tmp/dl-test-XXXXXX");
    cr_assert(mkdtemp(fx_root) != NULL);
    snprintf(fx_repo, sizeof(fx_repo), "%s/repo", fx_root);
    setenv("HOME", fx_path("home"), 1);
    setenv("XDG_DATA_HOME", fx_path("data"), 1);
    setenv("GIT_CONFIG_GLOBAL", fx_path("home/.gitconfig"), 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    unsetenv("DATELINE_STORE");
    unsetenv("GIT_AUTHOR_NAME");
    unsetenv("GIT_AUTHOR_EMAIL");
    mkdir(fx_path("home"), 0700);
    fx_write_str(fx_path("home/.gitconfig"),
                 "[user]\n\tname = Test Writer\n\temail = writer@example.com\n");
    int status;
    fx_sh(&status,
          "cd '%s' && git init -q -b master repo && cd repo && echo readme > README && "
          "git add README && git commit -qm init",
          fx_root);
    cr_assert(eq(int, status, 0), "git init failed");
}

void fx_add_remote_clone(void)
{
    int status;
    fx_sh(&status,
          "cd '%s' && git init -q --bare remote.git && git -C repo remote add origin '%s/remote.git' && "
          "git -C repo push -q origin master && git clone -q remote.git other 2>/dev/null",
          fx_root, fx_root);
    cr_assert(eq(int, status, 0), "cannot make the remote and its clone");
}

void fx_teardown(void)
{
    fx_story_close();
    if (fx_root[0] != '\0')
        fx_sh(NULL, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", fx_root, fx_root);
}

void fx_open(dl_history_store **store, dl_history **history, const char *file)
{
    dl_assert_ok(dl_history_store_open(store, file, NULL));
    dl_assert_ok(dl_history_open(history, *store, file));
}

void fx_story_open_file(const char *file)
{
    cr_assert(strlen(file) < sizeof(fx_file), "path too long for fx_file: %s", file);
    /* Reopening fx_file itself must not copy it onto itself. */
    if (file != fx_file)
        snprintf(fx_file, sizeof(fx_file), "%s", file);
    fx_open(&fx_store, &fx_history, fx_file);
}

void fx_story_open(void)
{
    fx_story_open_file(fx_repo_path("story.txt"));
}

void fx_story_close(void)
{
    dl_history_free(fx_history);
    dl_history_store_free(fx_store);
    fx_history = NULL;
    fx_store = NULL;
}

void fx_setup_story(void)
{
    fx_setup();
    fx_story_open();
}

static const char *snap(dl_history *history, const char *content, const char *note,
                        int defer_tidy)
{
    static dl_history_id ids[8];
    static unsigned next;
    dl_history_id *id = &ids[next++ % 8];
    dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
    options.content = content;
    options.content_size = strlen(content);
    options.note = note;
    options.defer_tidy = defer_tidy;
    dl_assert_ok(dl_history_snapshot(id, history, &options));
    return id->hex;
}

const char *fx_snap(dl_history *history, const char *content, const char *note)
{
    return snap(history, content, note, 0);
}

const char *fx_snap_deferred(dl_history *history, const char *content)
{
    return snap(history, content, NULL, 1);
}

size_t fx_count(dl_history *history)
{
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, history, NULL));
    size_t n = log->count;
    dl_history_log_free(log);
    return n;
}
