/*
 * dateline joins the packs of its own store (history_pack.c), deleting the
 * packs it joined: their number stays logarithmic in the number of
 * versions, and no object is ever lost on the way, whoever reads or
 * writes at the same time and wherever the join is killed.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_packjoin, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

/* dateline packs its loose objects every 40 versions. */
#define PACK_EVERY 40

/* Version `i` of an article: a few hundred bytes, one sentence changed,
 * with CRLF and no final newline so a text-mode copy would show. */
static char *version_text(const char *article, size_t i)
{
    char text[512];
    snprintf(text, sizeof(text),
             "%s: council votes on budget\r\n\r\nOLYMPIA, WA \xe2\x80\x93 Draft %zu, "
             "\xe2\x80\x9cwe will review spending,\xe2\x80\x9d the mayor said.\r\n\r\n"
             "Paragraph two stays the same in every draft.",
             article, i);
    return strdup(text);
}

static void record(dl_history *history, const char *article, size_t from, size_t to, int deferred)
{
    for (size_t i = from; i < to; i++) {
        char *text = version_text(article, i);
        if (deferred)
            fx_snap_deferred(history, text);
        else
            fx_snap(history, text, i % 25 == 0 ? "checkpoint" : NULL);
        free(text);
    }
}

/* Every version of the article, newest first, reads back byte for byte. */
static void assert_versions(dl_history *history, const char *article, size_t count)
{
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, history, NULL));
    cr_assert(eq(sz, log->count, count));
    for (size_t i = 0; i < log->count; i++) {
        char *expected = version_text(article, count - 1 - i);
        char *content = NULL;
        size_t size = 0;
        dl_assert_ok(dl_history_read(&content, &size, history, &log->versions[i].id));
        cr_assert(eq(sz, size, strlen(expected)), "%s version %zu", article, i);
        cr_assert(eq(int, memcmp(content, expected, size), 0), "%s version %zu differs", article,
                  i);
        free(content);
        free(expected);
    }
    dl_history_log_free(log);
}

static void assert_fsck(const char *gitdir)
{
    int rc;
    const char *out = fx_sh(&rc, "git --git-dir='%s' fsck --strict --no-progress 2>&1", gitdir);
    cr_assert(eq(int, rc, 0), "git fsck --strict: %s", out);
}

static size_t count_packs(const char *gitdir)
{
    return (size_t)atol(fx_sh(NULL, "ls '%s/objects/pack' | grep -c '^pack-.*\\.pack$'", gitdir));
}

static void git_ok(const char *gitdir, const char *command)
{
    int rc;
    const char *out = fx_sh(&rc, "cd '%s' && %s 2>&1", gitdir, command);
    cr_assert(eq(int, rc, 0), "%s: %s", command, out);
}

/* The number of packs a user sees stays about log2 of the number of
 * versions, where it was one pack per 40 versions, and every version and
 * note is still there. */
Test(history_packjoin, packs_stay_logarithmic_in_the_number_of_versions)
{
    const size_t versions = 1200;
    fx_story_open();
    const char *gitdir = dl_history_store_path(fx_store);
    record(fx_history, "story", 0, versions, 0);

    size_t packs = count_packs(gitdir);
    size_t bound = 2; /* log2(versions / PACK_EVERY) + 2 */
    for (size_t n = versions / PACK_EVERY; n > 1; n /= 2)
        bound++;
    cr_assert(packs <= bound, "%zu packs for %zu versions (at most %zu)", packs, versions, bound);
    assert_versions(fx_history, "story", versions);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s' notes --ref dateline list | wc -l",
                                    gitdir),
                 "48"));
    assert_fsck(gitdir);
    fx_story_close();
}

/* A pack no ref reaches, as a pull leaves one before it moves its refs,
 * and a dangling commit in it, are joined and kept, not dropped. */
Test(history_packjoin, objects_no_ref_reaches_survive_a_join)
{
    fx_story_open();
    const char *gitdir = dl_history_store_path(fx_store);
    record(fx_history, "story", 0, 2, 0);
    char pack[128], commit[64];
    git_ok(gitdir, "blob=$(echo 'fetched, no ref yet' | git hash-object -w --stdin) && "
                   "tree=$(printf '100644 blob %s\\tfetched.txt\\n' $blob | git mktree) && "
                   "git commit-tree -m dangling $tree > dangling && "
                   "printf '%s\\n%s\\n' $blob $tree | cat - dangling | "
                   "git pack-objects -q objects/pack/pack > fetched && git prune-packed");
    snprintf(commit, sizeof(commit), "%s", fx_sh(NULL, "cat '%s/dangling'", gitdir));
    snprintf(pack, sizeof(pack), "%s", fx_sh(NULL, "cat '%s/fetched'", gitdir));

    record(fx_history, "story", 2, 400, 0);
    cr_assert(eq(str, (char *)fx_sh(NULL, "ls '%s/objects/pack' | grep -c 'pack-%s'", gitdir, pack),
                 "0"), "the fetched pack was not joined");
    int rc;
    const char *out = fx_sh(&rc, "git --git-dir='%s' show %s:fetched.txt", gitdir, commit);
    cr_assert(eq(int, rc, 0));
    cr_assert(eq(str, (char *)out, "fetched, no ref yet"));
    assert_versions(fx_history, "story", 400);
    assert_fsck(gitdir);
    fx_story_close();
}

/* A pack with a .keep is somebody's to keep: never joined or removed. */
Test(history_packjoin, a_kept_pack_is_left_alone)
{
    fx_story_open();
    const char *gitdir = dl_history_store_path(fx_store);
    record(fx_history, "story", 0, 2, 0);
    char pack[128];
    git_ok(gitdir, "echo 'kept' | git hash-object -w --stdin | "
                   "git pack-objects -q objects/pack/pack > kept && git prune-packed && "
                   "touch objects/pack/pack-$(cat kept).keep");
    snprintf(pack, sizeof(pack), "%s", fx_sh(NULL, "cat '%s/kept'", gitdir));

    record(fx_history, "story", 2, 400, 0);
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s/objects/pack' && ls pack-%s.*", gitdir, pack),
                 (char *)fx_sh(NULL, "printf 'pack-%s.idx\\npack-%s.keep\\npack-%s.pack'", pack,
                               pack, pack)));
    assert_versions(fx_history, "story", 400);
    fx_story_close();
}

/* Packs past the join's limit (65,536 objects, some 20,000 versions) are
 * not rewritten again, two of one size included: a save never pays for
 * rewriting a newsroom's whole store. The lighter packs are still joined. */
Test(history_packjoin, a_pack_past_the_join_limit_is_not_rewritten)
{
    fx_story_open();
    const char *gitdir = dl_history_store_path(fx_store);
    record(fx_history, "story", 0, 2, 0);
    git_ok(gitdir, "for from in 1 70001; do seq $from $((from + 69999)) | "
                   "awk '{printf \"blob\\ndata %d\\n%s\\n\", length($0), $0}' | "
                   "git fast-import --quiet || exit 1; done && "
                   "ls objects/pack | grep '\\.pack$' > big");

    record(fx_history, "story", 2, 400, 0);
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s' && ls objects/pack | grep -c -f big", gitdir),
                 "2"), "a pack past the limit was joined");
    size_t packs = count_packs(gitdir);
    cr_assert(packs <= 4, "%zu packs beside the big one", packs);
    assert_versions(fx_history, "story", 400);
    fx_story_close();
}

/* A multi-pack-index is written by somebody's git, which then manages the
 * packs: dateline joins nothing and removes no pack. */
Test(history_packjoin, a_store_with_a_multi_pack_index_is_left_to_its_git)
{
    fx_story_open();
    const char *gitdir = dl_history_store_path(fx_store);
    record(fx_history, "story", 0, 100, 0);
    git_ok(gitdir, "git repack -d -q && git multi-pack-index write && ls objects/pack > before");

    record(fx_history, "story", 100, 400, 0);
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s' && ls objects/pack | comm -23 before -", gitdir),
                 ""), "a pack was removed under a multi-pack-index");
    assert_versions(fx_history, "story", 400);
    assert_fsck(gitdir);
    fx_story_close();
}

/* A language server holds its store open for hours while CLI saves join
 * the packs under it: it still reads every version, old and new, through
 * the handle it had (and one in another process). */
Test(history_packjoin, a_reader_holding_the_store_open_reads_across_joins)
{
    dl_history_store *reader_store = NULL, *writer_store = NULL;
    dl_history *reader = NULL, *writer = NULL;
    fx_open(&writer_store, &writer, fx_repo_path("story.txt"));
    record(writer, "story", 0, 200, 0);
    fx_open(&reader_store, &reader, fx_repo_path("story.txt"));
    assert_versions(reader, "story", 200); /* every pack of the time open */

    int go[2], done[2];
    cr_assert(eq(int, pipe(go), 0));
    cr_assert(eq(int, pipe(done), 0));
    pid_t child = fork();
    if (child == 0) {
        /* The other process: its fx_store open and read before the joins. */
        dl_history_store *fx_store = NULL;
        dl_history *fx_history = NULL;
        char byte;
        close(go[1]); /* so that a parent that fails is an end of file here */
        close(done[0]);
        if (dl_history_store_open(&fx_store, fx_repo_path("story.txt"), NULL) < 0 ||
            dl_history_open(&fx_history, fx_store, fx_repo_path("story.txt")) < 0 ||
            fx_count(fx_history) != 200)
            _exit(2);
        if (write(done[1], "r", 1) != 1 || read(go[0], &byte, 1) != 1)
            _exit(3);
        assert_versions(fx_history, "story", 600);
        dl_history_free(fx_history);
        dl_history_store_free(fx_store);
        _exit(0);
    }
    char byte;
    close(go[0]);
    close(done[1]);
    cr_assert(eq(int, (int)read(done[0], &byte, 1), 1));
    const char *gitdir = dl_history_store_path(writer_store);
    char before[8192];
    snprintf(before, sizeof(before), "%s",
             fx_sh(NULL, "ls '%s/objects/pack' | tr '\\n' ' '", gitdir));
    record(writer, "story", 200, 600, 0);
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s/objects/pack' && for f in %s; do "
                                          "test -e $f || echo gone; done | head -1",
                                    gitdir, before),
                 "gone"), "no pack the readers had open was joined");

    cr_assert(eq(int, (int)write(go[1], "g", 1), 1));
    assert_versions(reader, "story", 600);
    int status;
    waitpid(child, &status, 0);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    cr_assert(ok, "the other process lost a version");
    dl_history_free(reader);
    dl_history_store_free(reader_store);
    dl_history_free(writer);
    dl_history_store_free(writer_store);
}

/* In a forked child: the story's store and history, opened as another
 * process opens them; the child exits with status 2 when they do not. */
static void open_in_child(dl_history_store **store, dl_history **history)
{
    if (dl_history_store_open(store, fx_repo_path("story.txt"), NULL) < 0 ||
        dl_history_open(history, *store, fx_repo_path("story.txt")) < 0)
        _exit(2);
}

/* Files of packs deleted since they were opened that this process still
 * holds, open or mapped, as Linux lists them. */
static size_t deleted_packs_held(void)
{
    size_t held = 0;
    DIR *fds = opendir("/proc/self/fd");
    struct dirent *entry;
    while (fds != NULL && (entry = readdir(fds)) != NULL) {
        char link[300], target[4096];
        snprintf(link, sizeof(link), "/proc/self/fd/%s", entry->d_name);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = '\0';
            held += strstr(target, "/objects/pack/") != NULL && strstr(target, "(deleted)") != NULL;
        }
    }
    if (fds != NULL)
        closedir(fds);
    held += (size_t)atol(fx_sh(NULL, "grep '/objects/pack/.*(deleted)' /proc/%d/maps | wc -l",
                               (int)getpid()));
    return held;
}

/* A store held open for hours (a language server's) lets go of the packs
 * that joins remove, its own and another process's, by its next save:
 * it kept every one open and on disk until it closed, a file descriptor
 * each, until it could open no more. */
Test(history_packjoin, a_store_held_open_lets_go_of_the_packs_joined_away)
{
    if (access("/proc/self/fd", F_OK) != 0)
        cr_skip_test("no /proc/self/fd to list this process's open files");
    fx_story_open();
    record(fx_history, "story", 0, 400, 0);
    assert_versions(fx_history, "story", 400);
    cr_assert(eq(sz, deleted_packs_held(), 0), "packs its own joins removed are still held");

    pid_t child = fork();
    if (child == 0) {
        dl_history_store *store = NULL;
        dl_history *history = NULL;
        open_in_child(&store, &history);
        record(history, "story", 400, 800, 0);
        dl_history_free(history);
        dl_history_store_free(store);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    cr_assert(ok, "the other process failed");
    record(fx_history, "story", 800, 801, 0);
    assert_versions(fx_history, "story", 801);
    cr_assert(eq(sz, deleted_packs_held(), 0), "packs another process's joins removed are held");
    fx_story_close();
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The upkeep of one process, run to the end or killed after `delay`
 * seconds (a negative delay: never). Its time in seconds. */
static double upkeep_in_child(double delay)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child = fork();
    if (child == 0) {
        dl_history_store *store = NULL;
        dl_history *history = NULL;
        open_in_child(&store, &history);
        dl_history_tidy(history);
        dl_history_free(history);
        dl_history_store_free(store);
        _exit(0);
    }
    if (delay >= 0) {
        struct timespec pause = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
        nanosleep(&pause, NULL);
        kill(child, SIGKILL);
    }
    int status;
    waitpid(child, &status, 0);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    cr_assert(ok || delay >= 0, "the upkeep failed");
    return seconds_since(&start);
}

/* A save killed anywhere in the upkeep, while it writes the joined pack,
 * between that and removing the old ones, or between two files of one
 * pack: every version still reads, git finds the store sound, and the
 * next upkeep that packs (40 versions on) joins what was left. */
Test(history_packjoin, a_join_killed_at_any_moment_loses_nothing)
{
    fx_story_open();
    char gitdir[1024];
    snprintf(gitdir, sizeof(gitdir), "%s", dl_history_store_path(fx_store));
    /* Eight packs of one size, which a join takes together, and 40 loose
     * versions on top for the upkeep to start from. */
    for (int p = 0; p < 8; p++) {
        record(fx_history, "story", (size_t)p * 50, (size_t)p * 50 + 50, 1);
        git_ok(gitdir, "git repack -d -q");
    }
    record(fx_history, "story", 400, 440, 1);
    fx_story_close();
    git_ok(fx_repo_path(".git"), "cp -a dateline dateline.before");

    double whole = upkeep_in_child(-1);
    const int kills = 12;
    for (int k = 0; k <= kills; k++) {
        git_ok(fx_repo_path(".git"), "rm -rf dateline && cp -a dateline.before dateline");
        upkeep_in_child(whole * k / kills);
        fx_story_open();
        assert_versions(fx_history, "story", 440);
        assert_fsck(gitdir);
        dl_history_free(fx_history);
        dl_history_store_free(fx_store);
    }
    /* After the last kill, the next upkeep that packs joins what is left. */
    fx_story_open();
    record(fx_history, "story", 440, 480, 1);
    upkeep_in_child(-1);
    cr_assert(count_packs(gitdir) <= 2, "%zu packs after an upkeep", count_packs(gitdir));
    assert_versions(fx_history, "story", 480);
    assert_fsck(gitdir);
    fx_story_close();
}

/* Two processes each saving their own article and joining the packs as
 * they go: both write and remove packs under each other, and lose nothing. */
Test(history_packjoin, two_processes_saving_and_joining_at_once_lose_nothing)
{
    static const char *const articles[] = {"story.txt", "other.txt"};
    const size_t versions = 400;
    pid_t children[2];
    for (int w = 0; w < 2; w++) {
        if ((children[w] = fork()) == 0) {
            dl_history_store *fx_store = NULL;
            dl_history *fx_history = NULL;
            if (dl_history_store_open(&fx_store, fx_repo_path(articles[w]), NULL) < 0 ||
                dl_history_open(&fx_history, fx_store, fx_repo_path(articles[w])) < 0)
                _exit(2);
            for (size_t i = 0; i < versions; i++) {
                char *text = version_text(articles[w], i);
                dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
                dl_history_id id;
                options.content = text;
                options.content_size = strlen(text);
                int rc = dl_history_snapshot(&id, fx_history, &options);
                free(text);
                if (rc < 0) {
                    fprintf(stderr, "%s: %s\n", articles[w], dl_error_last());
                    _exit(1);
                }
            }
            dl_history_free(fx_history);
            dl_history_store_free(fx_store);
            _exit(0);
        }
    }
    for (int w = 0; w < 2; w++) {
        int status;
        waitpid(children[w], &status, 0);
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        cr_assert(ok, "writer of %s failed", articles[w]);
    }
    for (int w = 0; w < 2; w++) {
        dl_history_store *fx_store = NULL;
        dl_history *fx_history = NULL;
        fx_open(&fx_store, &fx_history, fx_repo_path(articles[w]));
        assert_versions(fx_history, articles[w], versions);
        if (w == 1)
            assert_fsck(dl_history_store_path(fx_store));
        dl_history_free(fx_history);
        dl_history_store_free(fx_store);
    }
}
