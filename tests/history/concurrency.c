#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_concurrency, .init = fx_setup, .fini = fx_teardown, .timeout = 300);

#define PER_WRITER 200

/* `as_server`: record as the language server does, leaving the upkeep
 * (packing) to dl_history_tidy after each version. */
static int write_versions(dl_history *history, int writer, int count, int as_server)
{
    for (int i = 0; i < count; i++) {
        char text[128];
        snprintf(text, sizeof(text), "Writer %d, version %d.\n", writer, i);
        dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
        options.content = text;
        options.content_size = strlen(text);
        options.note = i % 20 == 0 ? text : NULL;
        options.defer_tidy = as_server;
        dl_history_id id;
        if (dl_history_snapshot(&id, history, &options) < 0) {
            fprintf(stderr, "writer %d: %s\n", writer, dl_error_last());
            return -1;
        }
        if (as_server)
            dl_history_tidy(history);
    }
    return 0;
}

static void two_processes_lose_no_version(int as_server)
{
    pid_t children[2];
    for (int w = 0; w < 2; w++) {
        if ((children[w] = fork()) == 0) {
            dl_history_store *store = NULL;
            dl_history *history = NULL;
            if (dl_history_store_open(&store, fx_repo_path("story.txt"), NULL) < 0 ||
                dl_history_open(&history, store, fx_repo_path("story.txt")) < 0)
                _exit(2);
            int rc = write_versions(history, w, PER_WRITER, as_server);
            dl_history_free(history);
            dl_history_store_free(store);
            _exit(rc < 0 ? 1 : 0);
        }
    }
    for (int w = 0; w < 2; w++) {
        int status;
        waitpid(children[w], &status, 0);
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        cr_assert(ok, "writer %d failed", w);
    }
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' rev-list --count refs/dateline/story.txt",
                                    fx_repo), "400"));
    /* Every writer's every version is there, in its own order. */
    cr_assert(eq(str, (char *)fx_sh(NULL,
                                    "cd '%s/.git/dateline' && for c in $(git rev-list --reverse refs/dateline/story.txt); do "
                                    "git show $c:story.txt; done | sort | uniq | wc -l", fx_repo),
                 "400"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline list | wc -l", fx_repo),
                 "20"));
    int rc;
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0));
}

Test(history_concurrency, two_processes_snapshotting_at_once_lose_no_version)
{
    two_processes_lose_no_version(0);
}

/* One writer packs the store's loose objects while the other records:
 * an object whose loose copy is gone is found in the new pack. */
Test(history_concurrency, two_servers_packing_while_recording_lose_no_version)
{
    two_processes_lose_no_version(1);
}

typedef struct {
    dl_history *history;
    int writer;
    int result;
} thread_job;

/* Writer 1 tidies after each version, writer 0 does not: the packing of
 * one thread and the saves of the other share the store's handle. */
static void *run_writer(void *payload)
{
    thread_job *job = payload;
    job->result = write_versions(job->history, job->writer, 100, job->writer % 2);
    return NULL;
}

Test(history_concurrency, threads_sharing_one_store_lose_no_version)
{
    dl_history_store *store = NULL;
    dl_history *first = NULL, *second = NULL;
    dl_assert_ok(dl_history_store_open(&store, fx_repo_path("story.txt"), NULL));
    dl_assert_ok(dl_history_open(&first, store, fx_repo_path("story.txt")));
    dl_assert_ok(dl_history_open(&second, store, fx_repo_path("story.txt")));
    thread_job jobs[2] = {{first, 0, 0}, {second, 1, 0}};
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, run_writer, &jobs[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    cr_assert(eq(int, jobs[0].result, 0));
    cr_assert(eq(int, jobs[1].result, 0));
    cr_assert(eq(sz, fx_count(first), 200));
    dl_history_free(first);
    dl_history_free(second);
    dl_history_store_free(store);
}
