/*
 * A ref lock left by a killed writer is broken, and the user is told:
 * the CLI with one line on stderr, the server in its log.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../lsp/client.h"
#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/cli.h"

static char *file, *lock;

/* Record a first version, then leave the article's ref lock behind as a
 * writer killed a minute ago would. */
static void setup(void)
{
    fx_setup();
    file = strdup(fx_repo_path("story.txt"));
    fx_write_str(file, "Headline\n\nFirst.\n");
    fx_story_open_file(file);
    fx_snap(fx_history, "Headline\n\nFirst.\n", NULL);
    size_t size =
        strlen(dl_history_store_path(fx_store)) + strlen(dl_history_refname(fx_history)) + 8;
    lock = malloc(size);
    snprintf(lock, size, "%s/%s.lock", dl_history_store_path(fx_store),
             dl_history_refname(fx_history));
    fx_story_close();

    fx_write_str(lock, "0123456789012345678901234567890123456789\n");
    struct timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= 60;
    times[1] = times[0];
    cr_assert(eq(int, utimensat(AT_FDCWD, lock, times, 0), 0));
    fx_write_str(file, "Headline\n\nSecond.\n");
}

static void teardown(void)
{
    free(file);
    free(lock);
    fx_teardown();
}

TestSuite(hostile_locks, .init = setup, .fini = teardown);

Test(hostile_locks, the_cli_says_it_removed_a_stale_lock)
{
    char *out_text = NULL, *err_text = NULL;
    size_t out_size = 0, err_size = 0;
    FILE *out = open_memstream(&out_text, &out_size);
    FILE *err = open_memstream(&err_text, &err_size);
    int status = dl_cli_run(3, (char *[]){"dateline", "snapshot", file, NULL}, out, err);
    fclose(out);
    fclose(err);
    cr_assert(eq(int, status, DL_EXIT_OK), "%s", err_text);
    cr_assert(eq(sz, strlen(out_text), 41), "stdout is the new version's id: %s", out_text);
    /* One line: its age (a minute, give or take a slow machine) and the file. */
    cr_assert(strncmp(err_text, "dateline: removed a stale lock left 6", 37) == 0, "%s", err_text);
    char *tail = strstr(err_text, " s ago by a writer that is gone: ");
    cr_assert(tail != NULL, "%s", err_text);
    cr_assert(strstr(tail, "story.txt.lock\n") != NULL, "%s", err_text);
    cr_assert(eq(ptr, strchr(err_text, '\n'), err_text + strlen(err_text) - 1), "%s", err_text);
    struct stat st;
    cr_assert(eq(int, stat(lock, &st), -1), "the lock is gone");
    free(out_text);
    free(err_text);
}

Test(hostile_locks, the_server_logs_that_it_removed_a_stale_lock)
{
    char uri[4096];
    snprintf(uri, sizeof(uri), "file://%s", file);
    test_client c;
    test_client_start(&c, 0);
    test_client_initialize(&c, NULL);
    test_client_open(&c, uri, "Headline\n\nSecond.\n");
    /* The lock is met when the server records the new content (on open,
     * as changed outside the editor, or on this save), and told once. */
    test_client_notify(&c, "textDocument/didSave",
                       json_pack("{s:{s:s}}", "textDocument", "uri", uri));
    dl_lsp_server_drain(c.server);
    cr_assert(eq(int, test_client_logged(&c, "dateline: removed a stale lock left ", "story.txt.lock"),
                 1));
    /* The save's version is recorded (the server may record the file's new
     * content when it opens it: "changed outside the editor"). */
    fx_story_open_file(file);
    cr_assert(eq(sz, fx_count(fx_history), 2));
    fx_story_close();
    test_client_stop(&c);
}
