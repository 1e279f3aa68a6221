#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_restore, .init = fx_setup, .fini = fx_teardown);

static void record_file(const char *content)
{
    dl_history_id id;
    fx_write_str(fx_repo_path("story.txt"), content);
    int error = dl_history_snapshot(&id, fx_history, NULL);
    cr_assert(error == 0 || error == DL_EUNCHANGED, "%s", dl_error_last());
}

static void assert_file(const char *expected)
{
    char *content = fx_read(fx_repo_path("story.txt"), NULL);
    cr_assert(content != NULL);
    cr_assert(eq(str, content, (char *)expected));
    free(content);
}

Test(history_restore, an_old_version_is_written_back_and_recorded)
{
    fx_story_open();
    record_file("first\n");
    record_file("second\n");
    dl_history_id id;
    dl_assert_ok(dl_history_restore(&id, fx_history, "@~1", NULL));
    assert_file("first\n");
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 3));
    cr_assert(eq(str, log->versions[0].id.hex, id.hex), "the restored content is the latest");
    cr_assert(strncmp(log->versions[0].note, "restored ", 9) == 0, "%s", log->versions[0].note);
    dl_history_log_free(log);
    fx_story_close();
}

Test(history_restore, unrecorded_text_is_recorded_before_it_is_overwritten)
{
    fx_story_open();
    record_file("first\n");
    fx_write_str(fx_repo_path("story.txt"), "precious unsaved edit\n");
    dl_history_id id;
    dl_assert_ok(dl_history_restore(&id, fx_history, "@", NULL));
    assert_file("first\n");
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 3));
    char *content = NULL;
    size_t size;
    dl_assert_ok(dl_history_read(&content, &size, fx_history, &log->versions[1].id));
    cr_assert(eq(str, content, "precious unsaved edit\n"));
    cr_assert(strncmp(log->versions[1].note, "before restore of ", 18) == 0, "%s",
              log->versions[1].note);
    free(content);
    dl_history_log_free(log);
    fx_story_close();
}

Test(history_restore, the_file_mode_is_kept)
{
    fx_story_open();
    record_file("first\n");
    record_file("second\n");
    chmod(fx_repo_path("story.txt"), 0640);
    dl_history_id id;
    dl_assert_ok(dl_history_restore(&id, fx_history, "@~1", NULL));
    struct stat st;
    cr_assert(eq(int, stat(fx_repo_path("story.txt"), &st), 0));
    cr_assert(eq(int, st.st_mode & 0777, 0640));
    fx_story_close();
}

Test(history_restore, no_temporary_file_is_left_behind)
{
    fx_story_open();
    record_file("first\n");
    record_file("second\n");
    dl_history_id id;
    dl_assert_ok(dl_history_restore(&id, fx_history, "@~1", NULL));
    cr_assert(eq(str, (char *)fx_sh(NULL, "ls -A '%s' | grep -v -x -e .git -e README -e story.txt",
                                    fx_repo), ""));
    fx_story_close();
}

Test(history_restore, a_deleted_article_comes_back)
{
    fx_story_open();
    record_file("keep me\n");
    unlink(fx_repo_path("story.txt"));
    dl_history_id id;
    dl_assert_ok(dl_history_restore(&id, fx_history, "@", NULL));
    assert_file("keep me\n");
    cr_assert(eq(sz, fx_count(fx_history), 1), "same content, nothing new to record");
    fx_story_close();
}

Test(history_restore, a_binary_file_is_recorded_before_it_is_replaced)
{
    fx_story_open();
    record_file("text\n");
    fx_write(fx_repo_path("story.txt"), "\0\1\2", 3);
    dl_history_id id;
    dl_assert_ok(dl_history_restore(&id, fx_history, "@", NULL));
    assert_file("text\n");
    /* The bytes it replaced are a version of their own, so the restore can
     * be undone. */
    dl_history_id before;
    dl_assert_ok(dl_history_resolve(&before, fx_history, "@~1"));
    char *content = NULL;
    size_t size = 0;
    dl_assert_ok(dl_history_read(&content, &size, fx_history, &before));
    cr_assert(eq(sz, size, 3));
    cr_assert(memcmp(content, "\0\1\2", 3) == 0);
    free(content);
    fx_story_close();
}

Test(history_restore, an_unknown_revision_changes_nothing)
{
    fx_story_open();
    record_file("text\n");
    fx_write_str(fx_repo_path("story.txt"), "unsaved\n");
    dl_history_id id;
    cr_assert(eq(int, dl_history_restore(&id, fx_history, "beef", NULL), DL_ENOTFOUND));
    assert_file("unsaved\n");
    cr_assert(eq(sz, fx_count(fx_history), 1));
    fx_story_close();
}

Test(history_restore, a_symlinked_article_is_written_through_the_link)
{
    fx_write_str(fx_repo_path("real.txt"), "v1\n");
    cr_assert(eq(int, symlink("real.txt", fx_repo_path("story.txt")), 0));
    fx_story_open();
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    fx_write_str(fx_repo_path("real.txt"), "v2\n");
    dl_assert_ok(dl_history_restore(&id, fx_history, "@~0", NULL));
    struct stat st;
    cr_assert(eq(int, lstat(fx_repo_path("story.txt"), &st), 0));
    int is_link = S_ISLNK(st.st_mode);
    cr_assert(is_link, "the link stays a link");
    char *content = fx_read(fx_repo_path("real.txt"), NULL);
    cr_assert(eq(str, content, "v1\n"));
    free(content);
    fx_story_close();
}

Test(history_restore, a_read_only_file_is_refused_unless_forced)
{
    fx_story_open();
    record_file("first\n");
    record_file("second\n");
    chmod(fx_repo_path("story.txt"), 0444);
    dl_history_id id;
    dl_history_restore_options options = DL_HISTORY_RESTORE_OPTIONS_INIT;
    options.content = "unsaved in the editor\n";
    options.content_size = strlen(options.content);
    cr_assert(eq(int, dl_history_restore(&id, fx_history, "@~1", &options), DL_EINVALID));
    cr_assert(strstr(dl_error_last(), "is read-only; restore refused") != NULL, "%s",
              dl_error_last());
    assert_file("second\n");
    cr_assert(eq(sz, fx_count(fx_history), 2), "a refused restore records nothing, not even "
                                               "the editor's text");

    options.force = 1;
    dl_assert_ok(dl_history_restore(&id, fx_history, "@~1", &options));
    assert_file("first\n");
    /* The editor's text, the file's (no longer the latest), the restored one. */
    cr_assert(eq(sz, fx_count(fx_history), 5));
    struct stat st;
    cr_assert(eq(int, stat(fx_repo_path("story.txt"), &st), 0));
    cr_assert(eq(int, st.st_mode & 0777, 0444), "forced, the file stays read-only");
    fx_story_close();
}

/* The pid of a process that has exited. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0)
        _exit(0);
    cr_assert(eq(int, waitpid(pid, NULL, 0), pid));
    return pid;
}

Test(history_restore, temporary_files_of_dead_restores_are_cleaned_up)
{
    fx_story_open();
    record_file("first\n");
    record_file("second\n");
    char dead[64], other[64], alive[64];
    snprintf(dead, sizeof(dead), ".story.txt.dateline-%ld-0", (long)dead_pid());
    snprintf(other, sizeof(other), ".other.txt.dateline-%ld-3", (long)dead_pid());
    snprintf(alive, sizeof(alive), ".story.txt.dateline-%ld-0", (long)getppid());
    fx_write_str(fx_repo_path(dead), "half written");
    fx_write_str(fx_repo_path(other), "half written");
    fx_write_str(fx_repo_path(alive), "being written");
    dl_history_id id;
    dl_assert_ok(dl_history_restore(&id, fx_history, "@~1", NULL));
    cr_assert(eq(str, (char *)fx_sh(NULL, "ls -A '%s' | grep -F .dateline-", fx_repo), alive),
              "a living restore's file is kept; the dead ones' are gone");
    fx_story_close();
}

Test(history_restore, a_fifo_is_refused_at_once)
{
    fx_story_open();
    record_file("first\n");
    unlink(fx_repo_path("story.txt"));
    cr_assert(eq(int, mkfifo(fx_repo_path("story.txt"), 0644), 0));
    dl_history_id id;
    cr_assert(eq(int, dl_history_restore(&id, fx_history, "@", NULL), DL_EINVALID));
    cr_assert(strstr(dl_error_last(), "named pipe") != NULL, "%s", dl_error_last());
    cr_assert(eq(int, dl_history_snapshot(&id, fx_history, NULL), DL_EINVALID));
    fx_story_close();
}
