/*
 * The user's own git maintenance and dateline's history live in one object
 * database: `git gc`, `git gc --aggressive --prune=now` and `git repack -a
 * -d`, run by the real git between saves, while dateline holds the store
 * open as the language server does, lose no version and no note.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_gc, .init = fx_setup, .fini = fx_teardown, .timeout = 120);

/* Enough versions per round that dateline packs some of them itself. */
#define PER_ROUND 50
#define ROUNDS 4

typedef struct {
    char *texts[PER_ROUND * ROUNDS]; /* every version recorded, oldest first */
    size_t count;
} recorded;

/* Version `i`: a few hundred bytes that differ from the last by one edit,
 * with the bytes that betray a text-mode copy (CRLF, no final newline). */
static void record_round(recorded *r, dl_history *history)
{
    for (int i = 0; i < PER_ROUND; i++) {
        char text[512];
        size_t n = r->count;
        snprintf(text, sizeof(text),
                 "Council votes on budget\r\n\r\nOLYMPIA, WA \xe2\x80\x93 Draft %zu of the "
                 "story, \xe2\x80\x9cwe will review spending,\xe2\x80\x9d the mayor said.\r\n\r\n"
                 "Paragraph two stays the same in every draft of the story.",
                 n);
        r->texts[n] = strdup(text);
        fx_snap(history, text, n % 10 == 0 ? "checkpoint" : NULL);
        r->count++;
    }
}

/* Every version is there, in order, byte for byte, and git finds the
 * repository sound. */
static void assert_nothing_lost(const recorded *r, dl_history *history, const char *gitdir)
{
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, history, NULL));
    cr_assert(eq(sz, log->count, r->count));
    size_t notes = 0;
    for (size_t i = 0; i < log->count; i++) {
        const char *expected = r->texts[r->count - 1 - i];
        char *content = NULL;
        size_t size = 0;
        dl_assert_ok(dl_history_read(&content, &size, history, &log->versions[i].id));
        cr_assert(eq(sz, size, strlen(expected)), "version %zu", i);
        cr_assert(eq(int, memcmp(content, expected, size), 0), "version %zu differs", i);
        notes += log->versions[i].note != NULL;
        free(content);
    }
    cr_assert(eq(sz, notes, (r->count + 9) / 10));
    dl_history_log_free(log);

    int rc;
    const char *out = fx_sh(&rc, "git --git-dir='%s' fsck --strict --no-progress 2>&1", gitdir);
    cr_assert(eq(int, rc, 0), "git fsck --strict: %s", out);
}

static void free_recorded(recorded *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->texts[i]);
}

/* Runs the real git on the store; `what` is the maintenance command. */
static void git_maintain(const char *gitdir, const char *what)
{
    int rc;
    const char *out = fx_sh(&rc, "git --git-dir='%s' %s 2>&1", gitdir, what);
    cr_assert(eq(int, rc, 0), "git %s: %s", what, out);
}

static void saves_survive_maintenance(const char *file)
{
    dl_history_store *store = NULL;
    dl_history *history = NULL;
    recorded r = {0};
    fx_open(&store, &history, file);
    const char *gitdir = dl_history_store_path(store);
    static const char *const maintenance[ROUNDS - 1] = {
        "gc --quiet",
        "gc --quiet --aggressive --prune=now",
        "repack -a -d -q",
    };

    record_round(&r, history);
    for (int round = 0; round < ROUNDS - 1; round++) {
        git_maintain(gitdir, maintenance[round]);
        assert_nothing_lost(&r, history, gitdir);
        record_round(&r, history);
    }
    assert_nothing_lost(&r, history, gitdir);

    /* And a store opened afresh reads the same. */
    dl_history_free(history);
    dl_history_store_free(store);
    fx_open(&store, &history, file);
    assert_nothing_lost(&r, history, dl_history_store_path(store));
    dl_history_free(history);
    dl_history_store_free(store);
    free_recorded(&r);
}

Test(history_gc, git_gc_in_the_users_repository_loses_no_version)
{
    saves_survive_maintenance(fx_repo_path("story.txt"));
}

/* An article outside any repository: the store is dateline's own bare
 * repository in the data directory, which a user may repack too. */
Test(history_gc, git_gc_in_the_private_store_loses_no_version)
{
    mkdir(fx_path("outside"), 0755);
    saves_survive_maintenance(fx_path("outside/story.txt"));
}
