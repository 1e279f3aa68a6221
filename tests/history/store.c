/*
 * Creating the private store: never half-made, and a half-made one (a
 * creation killed by an older dateline or an interrupted `git init`) does
 * not block history forever.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_store, .init = fx_setup, .fini = fx_teardown, .timeout = 60);

/* Record `text` as the one version of `file`, in a fresh handle. */
static int record(const char *file, const char *text)
{
    dl_history_store *store = NULL;
    dl_history *history = NULL;
    dl_history_id id;
    dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
    options.content = text;
    options.content_size = strlen(text);
    int error = dl_history_store_open(&store, file, NULL);
    if (error == 0)
        error = dl_history_open(&history, store, file);
    if (error == 0)
        error = dl_history_snapshot(&id, history, &options);
    dl_history_free(history);
    dl_history_store_free(store);
    return error;
}

Test(history_store, a_store_whose_creation_was_killed_is_finished_not_refused)
{
    /* What a killed `git init --bare` leaves: some directories, a lock,
     * no HEAD. */
    mkdir(fx_path("data"), 0700);
    mkdir(fx_path("data/dateline"), 0700);
    mkdir(fx_path("data/dateline/store.git"), 0700);
    mkdir(fx_path("data/dateline/store.git/objects"), 0755);
    mkdir(fx_path("data/dateline/store.git/refs"), 0755);
    fx_write_str(fx_path("data/dateline/store.git/config.lock"), "[core]\n");
    fx_write_str(fx_path("loose/story.txt"), "");

    dl_assert_ok(record(fx_path("loose/story.txt"), "Recorded after all.\n"));
    int rc;
    const char *out = fx_sh(&rc, "git --git-dir='%s' fsck --strict 2>&1",
                            fx_path("data/dateline/store.git"));
    cr_assert(eq(int, rc, 0), "%s", out);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s' rev-list --count --glob='refs/dateline/*'",
                                    fx_path("data/dateline/store.git")),
                 "1"));
}

Test(history_store, writers_creating_the_store_at_once_all_record_into_one)
{
    enum { WRITERS = 4 };
    pid_t children[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        char name[32];
        snprintf(name, sizeof(name), "loose/story%d.txt", w);
        fx_write_str(fx_path(name), "");
        if ((children[w] = fork()) == 0)
            _exit(record(fx_path(name), "One version.\n") == 0 ? 0 : 1);
    }
    for (int w = 0; w < WRITERS; w++) {
        int status;
        waitpid(children[w], &status, 0);
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        cr_assert(ok, "writer %d failed", w);
    }
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s' for-each-ref refs/dateline | wc -l",
                                    fx_path("data/dateline/store.git")),
                 "4"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "ls -a '%s'", fx_path("data/dateline")),
                 ".\n..\nstore.git"),
              "no half-made store is left beside it");
    struct stat st;
    cr_assert(eq(int, stat(fx_path("data/dateline/store.git"), &st), 0));
    cr_assert(eq(int, st.st_mode & 0777, 0700), "the store stays private");
}
