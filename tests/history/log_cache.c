/* The log cache is derived: whatever state it is in (fresh, stale, from
 * another history, corrupt, half-written by a writer that died), a log
 * gives the same answer as one read with the cache rebuilt from scratch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_log_cache, .init = fx_setup_story, .fini = fx_teardown, .timeout = 300);

static const char *store_dir(void)
{
    return fx_path("repo/.git/dateline");
}

static void forget_cache(void)
{
    fx_sh(NULL, "rm -rf '%s/log-cache'", store_dir());
}

static dl_history_log *read_log(const dl_history_log_options *options)
{
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, options));
    dl_history_log_sessions(log);
    return log;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static void assert_same_log(const dl_history_log *a, const dl_history_log *b)
{
    cr_assert(eq(sz, a->count, b->count));
    for (size_t i = 0; i < a->count; i++) {
        const dl_history_version *x = &a->versions[i], *y = &b->versions[i];
        cr_assert(eq(str, (char *)x->id.hex, (char *)y->id.hex), "version %zu", i);
        cr_assert(eq(str, (char *)x->tree.hex, (char *)y->tree.hex), "tree of version %zu", i);
        cr_assert(eq(str, (char *)x->parent.hex, (char *)y->parent.hex));
        cr_assert(eq(sz, x->parent_count, y->parent_count));
        cr_assert(eq(i64, x->time, y->time));
        cr_assert(eq(int, x->offset, y->offset));
        cr_assert(eq(str, (char *)or_empty(x->author_name), (char *)or_empty(y->author_name)));
        cr_assert(eq(str, (char *)or_empty(x->author_email), (char *)or_empty(y->author_email)));
        cr_assert(eq(int, x->note == NULL, y->note == NULL), "note of version %zu", i);
        cr_assert(eq(str, (char *)or_empty(x->note), (char *)or_empty(y->note)));
        cr_assert(eq(sz, x->change.words, y->change.words));
        cr_assert(eq(i64, x->change.words_delta, y->change.words_delta));
        cr_assert(eq(int, x->change.summary == NULL, y->change.summary == NULL));
        cr_assert(eq(str, (char *)or_empty(x->change.summary),
                     (char *)or_empty(y->change.summary)));
        cr_assert(eq(int, x->change.not_text, y->change.not_text));
        cr_assert(eq(int, x->change.trivial, y->change.trivial));
        cr_assert(eq(str, (char *)x->session.hex, (char *)y->session.hex));
    }
}

/* The log as read now (through whatever cache there is) equals the log
 * read with no cache at all. */
static void assert_log_as_from_scratch(void)
{
    dl_history_log *cached = read_log(NULL);
    forget_cache();
    dl_history_log *scratch = read_log(NULL);
    assert_same_log(cached, scratch);
    /* The cache that read made answers the same too. */
    dl_history_log *again = read_log(NULL);
    assert_same_log(again, scratch);
    dl_history_log_free(again);
    dl_history_log_free(cached);
    dl_history_log_free(scratch);
}

static void record(int from, int to)
{
    char text[256];
    for (int i = from; i < to; i++) {
        snprintf(text, sizeof(text),
                 "Council approves budget\n\nThe council met %d times.\n\n“We will review it,” "
                 "the mayor said %s.\n",
                 i, i % 3 ? "today" : "on Monday");
        fx_snap(fx_history, text, i % 4 == 0 ? "checked with the clerk" : NULL);
    }
}

Test(history_log_cache, a_cache_rebuilt_from_scratch_gives_the_same_log)
{
    record(0, 12);
    dl_history_log *first = read_log(NULL); /* builds the cache */
    dl_history_log *cached = read_log(NULL);
    forget_cache();
    dl_history_log *scratch = read_log(NULL);
    assert_same_log(first, scratch);
    assert_same_log(cached, scratch);
    cr_assert(eq(sz, scratch->count, 12));
    dl_history_log_free(first);
    dl_history_log_free(cached);
    dl_history_log_free(scratch);
}

/* A version a log lists, from the cache or from the commits, reads from
 * the tree the log recorded exactly what its id reads; one whose tree is
 * unknown or not in the store reads through its commit. */
Test(history_log_cache, a_listed_version_reads_as_its_id_does)
{
    record(0, 6);
    dl_history_log *scratch = read_log(NULL);
    dl_history_log *cached = read_log(NULL);
    const dl_history_log *logs[] = {scratch, cached};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < logs[l]->count; i++) {
            dl_history_version v = logs[l]->versions[i];
            char *by_id = NULL, *listed = NULL, *no_tree = NULL, *gone = NULL;
            size_t by_id_size = 0, listed_size = 0, no_tree_size = 0, gone_size = 0;
            dl_assert_ok(dl_history_read(&by_id, &by_id_size, fx_history, &v.id));
            cr_assert(eq(sz, strlen(v.tree.hex), 40), "version %zu has its tree", i);
            dl_assert_ok(dl_history_read_version(&listed, &listed_size, fx_history, &v));
            v.tree.hex[0] = '\0';
            dl_assert_ok(dl_history_read_version(&no_tree, &no_tree_size, fx_history, &v));
            memset(v.tree.hex, '7', 40);
            dl_assert_ok(dl_history_read_version(&gone, &gone_size, fx_history, &v));
            cr_assert(eq(sz, listed_size, by_id_size));
            cr_assert(eq(str, listed, by_id), "version %zu of log %zu", i, l);
            cr_assert(eq(str, no_tree, by_id));
            cr_assert(eq(str, gone, by_id));
            free(by_id);
            free(listed);
            free(no_tree);
            free(gone);
        }
    dl_history_log_free(scratch);
    dl_history_log_free(cached);
}

/* What the cache is for: a log reads the cache and the versions recorded
 * since, not the older commits (here, one of them is gone). */
Test(history_log_cache, a_cached_log_reads_only_the_versions_recorded_since)
{
    record(0, 5);
    dl_history_log *before = read_log(NULL);
    const char *oldest = before->versions[before->count - 1].id.hex;
    int status = -1;
    fx_sh(&status, "rm '%s/objects/%.2s/%s'", store_dir(), oldest, oldest + 2);
    cr_assert(eq(int, status, 0), "the oldest version is a loose object");
    record(5, 7);
    dl_history_log *after = read_log(NULL);
    cr_assert(eq(sz, after->count, 7));
    cr_assert(eq(str, after->versions[6].id.hex, (char *)oldest));
    dl_history_log_free(after);
    dl_history_log_free(before);
}

Test(history_log_cache, versions_and_notes_added_after_the_cache_are_listed)
{
    record(0, 6);
    dl_history_log_free(read_log(NULL));
    record(6, 9);
    dl_history_id noted;
    dl_assert_ok(dl_history_note(&noted, fx_history, "@~7", "a note added later"));
    dl_history_log *log = read_log(NULL);
    cr_assert(eq(sz, log->count, 9));
    cr_assert(eq(str, log->versions[7].note, "a note added later"));
    dl_history_log_free(log);
    assert_log_as_from_scratch();
}

Test(history_log_cache, filtered_and_shortened_logs_agree_with_the_cache)
{
    record(0, 10);
    dl_history_log_free(read_log(NULL));
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.annotated_only = 1;
    dl_history_log *annotated = read_log(&options);
    options.max_count = 2;
    dl_history_log *newest = read_log(&options);
    forget_cache();
    options.max_count = 0;
    dl_history_log *annotated_scratch = read_log(&options);
    cr_assert(eq(sz, annotated->count, 3));
    assert_same_log(annotated, annotated_scratch);
    cr_assert(eq(sz, newest->count, 2));
    cr_assert(eq(str, newest->versions[0].id.hex, annotated->versions[0].id.hex));
    dl_history_log_free(annotated);
    dl_history_log_free(newest);
    dl_history_log_free(annotated_scratch);
}

Test(history_log_cache, a_cache_of_a_history_the_ref_left_is_not_believed)
{
    record(0, 5);
    dl_history_log_free(read_log(NULL));
    /* The ref moved back to the second version, then on from there: the
     * cached tip is no longer in the history. */
    fx_sh(NULL, "git --git-dir='%s' update-ref refs/dateline/story.txt refs/dateline/story.txt~3",
          store_dir());
    dl_history_free(fx_history);
    dl_assert_ok(dl_history_open(&fx_history, fx_store, fx_repo_path("story.txt")));
    dl_history_log *moved = read_log(NULL);
    cr_assert(eq(sz, moved->count, 2));
    dl_history_log_free(moved);
    record(5, 7);
    dl_history_log *log = read_log(NULL);
    cr_assert(eq(sz, log->count, 4));
    dl_history_log_free(log);
    assert_log_as_from_scratch();
}

Test(history_log_cache, a_merge_after_the_cache_is_listed_in_log_order)
{
    record(0, 4);
    dl_history_log_free(read_log(NULL));
    /* A merge of the tip and an older version, as a pull makes them. */
    const char *dir = store_dir();
    fx_sh(NULL,
          "cd '%s' && export GIT_AUTHOR_NAME=Ed GIT_AUTHOR_EMAIL=ed@example.com "
          "GIT_COMMITTER_NAME=Ed GIT_COMMITTER_EMAIL=ed@example.com && "
          "m=$(git --git-dir=. commit-tree -p refs/dateline/story.txt "
          "-p refs/dateline/story.txt~2 -m merged refs/dateline/story.txt^{tree}) && "
          "git --git-dir=. update-ref refs/dateline/story.txt $m",
          dir);
    dl_history_log *log = read_log(NULL);
    cr_assert(eq(sz, log->count, 5));
    cr_assert(eq(sz, log->versions[0].parent_count, 2));
    dl_history_log_free(log);
    assert_log_as_from_scratch();
}

Test(history_log_cache, a_corrupt_or_half_written_cache_is_rebuilt)
{
    record(0, 6);
    dl_history_log *expected = read_log(NULL);
    const char *dir = store_dir();
    /* One byte changed, the file cut short, garbage, a directory in its
     * place, a dead writer's temporary file beside it. */
    const char *damage[] = {
        "sed -i 's/ 1 / 7 /' log-cache/*",
        "for f in log-cache/*; do head -c 300 \"$f\" > t && mv t \"$f\"; done",
        "for f in log-cache/*; do printf 'dateline log cache 1\\nzzzz\\n' > \"$f\"; done",
        "for f in log-cache/*; do rm \"$f\" && mkdir \"$f\"; done",
        "for f in log-cache/*; do head -c 100 \"$f\" > \"$f.tmp-dead00\"; done",
    };
    for (size_t i = 0; i < sizeof(damage) / sizeof(*damage); i++) {
        forget_cache();
        dl_history_log_free(read_log(NULL));
        fx_sh(NULL, "cd '%s' && %s", dir, damage[i]);
        dl_history_log *log = read_log(NULL);
        assert_same_log(log, expected);
        dl_history_log_free(log);
        fx_sh(NULL, "cd '%s' && find log-cache -type d -mindepth 1 -exec rm -rf {} +", dir);
        dl_history_log *again = read_log(NULL);
        assert_same_log(again, expected);
        dl_history_log_free(again);
    }
    dl_history_log_free(expected);
}

/* Processes that record and read logs at once: each log lists every
 * version up to its own tip, and the cache they leave agrees with the
 * commits. */
Test(history_log_cache, writers_and_readers_at_once_leave_a_true_cache)
{
    enum { PROCESSES = 3, ROUNDS = 15 };
    record(0, 3);
    dl_history_log_free(read_log(NULL));
    pid_t children[PROCESSES];
    for (int p = 0; p < PROCESSES; p++) {
        if ((children[p] = fork()) != 0)
            continue;
        dl_history_store *own_store = NULL;
        dl_history *own = NULL;
        if (dl_history_store_open(&own_store, fx_repo_path("story.txt"), NULL) < 0 ||
            dl_history_open(&own, own_store, fx_repo_path("story.txt")) < 0)
            _exit(2);
        for (int i = 0; i < ROUNDS; i++) {
            char text[64];
            snprintf(text, sizeof(text), "Writer %d, round %d.\n", p, i);
            dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
            options.content = text;
            options.content_size = strlen(text);
            dl_history_id id;
            dl_history_log *log = NULL;
            if (dl_history_snapshot(&id, own, &options) < 0 ||
                dl_history_log_read(&log, own, NULL) < 0)
                _exit(1);
            /* Its own version is in the log, and the log ends at the first. */
            int found = 0;
            for (size_t k = 0; k < log->count; k++)
                found |= strcmp(log->versions[k].id.hex, id.hex) == 0;
            int whole = log->count >= 4 && log->versions[log->count - 1].parent_count == 0;
            dl_history_log_free(log);
            if (!found || !whole)
                _exit(3);
        }
        dl_history_free(own);
        dl_history_store_free(own_store);
        _exit(0);
    }
    for (int p = 0; p < PROCESSES; p++) {
        int status;
        waitpid(children[p], &status, 0);
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        cr_assert(ok, "process %d failed: %d", p, status);
    }
    dl_history_log *log = read_log(NULL);
    cr_assert(eq(sz, log->count, 3 + PROCESSES * ROUNDS));
    dl_history_log_free(log);
    assert_log_as_from_scratch();
}
