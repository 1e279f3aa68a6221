/*
 * The store's refs at a newsroom's scale: push and pull keep them packed
 * (one packed-refs file instead of a file per article), and that changes
 * nothing a user sees: the same refs and versions travel, the user's own
 * git reads them, a lock a killed writer left on packed-refs blocks
 * nothing, and saves made while the refs are being packed are all kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

/* A writer's clone ("repo", from the fixture) and another ("other") that
 * share a bare remote ("remote.git"), their origin. */
static void setup(void)
{
    fx_setup();
    int rc;
    fx_sh(&rc,
          "cd '%s' && git init -q --bare remote.git && git -C repo remote add origin '%s/remote.git' && "
          "git -C repo push -q origin master && git clone -q remote.git other 2>/dev/null && "
          "mkdir repo/desk",
          fx_root, fx_root);
    cr_assert(eq(int, rc, 0));
}

TestSuite(history_refs, .init = setup, .fini = fx_teardown, .timeout = 300);

/* The three repositories that hold a desk's history. */
static const char *const STORES[] = {"repo/.git/dateline", "remote.git", "other/.git/dateline"};

/* Record `text` as the next version of desk/a<i>.txt in the writer's clone. */
static void save(int i, const char *text)
{
    char file[1024];
    dl_history_store *store = NULL;
    dl_history *history = NULL;
    snprintf(file, sizeof(file), "%s/desk/a%02d.txt", fx_repo, i);
    fx_open(&store, &history, file);
    fx_snap(history, text, NULL);
    dl_history_free(history);
    dl_history_store_free(store);
}

static dl_history_sync_result sync_clone(const char *clone, int push)
{
    char file[1024];
    dl_history_store *store = NULL;
    dl_history *history = NULL;
    dl_history_sync_result result;
    snprintf(file, sizeof(file), "%s/%s/story.txt", fx_root, clone);
    fx_open(&store, &history, file);
    dl_assert_ok(push ? dl_history_push(&result, store, NULL) : dl_history_pull(&result, store, NULL));
    dl_history_free(history);
    dl_history_store_free(store);
    return result;
}

/* Every article's ref, the notes ref, and every version each reaches, as
 * the user's git lists them in one of STORES. */
static char *history_seen_by_git(const char *store)
{
    return strdup(fx_sh(NULL,
                        "cd '%s/%s' && git for-each-ref --format='%%(objectname) %%(refname)' "
                        "refs/dateline refs/notes/dateline && "
                        "for r in $(git for-each-ref --format='%%(refname)' refs/dateline); do "
                        "git log --format='%%H %%s' \"$r\" --; done",
                        fx_root, store));
}

/* The writer's store, the remote and the other clone's store hold the
 * same history, and each passes git fsck --strict. */
static void assert_same_everywhere(void)
{
    char *expected = history_seen_by_git(STORES[0]);
    for (size_t s = 1; s < sizeof(STORES) / sizeof(*STORES); s++) {
        char *seen = history_seen_by_git(STORES[s]);
        cr_assert(eq(str, seen, expected), "%s differs", STORES[s]);
        free(seen);
    }
    for (size_t s = 0; s < sizeof(STORES) / sizeof(*STORES); s++) {
        int rc;
        const char *out = fx_sh(&rc, "git --git-dir='%s/%s' fsck --strict 2>&1", fx_root, STORES[s]);
        cr_assert(eq(int, rc, 0), "%s: %s", STORES[s], out);
    }
    free(expected);
}

/* `store`'s refs/dateline-remotes/<label>/articles/ stand where the
 * remote's articles do. */
static void assert_tracking(const char *store, const char *label)
{
    char *remote = strdup(fx_sh(NULL, "git --git-dir='%s/remote.git' for-each-ref "
                                      "--format='%%(objectname) %%(refname:lstrip=2)' refs/dateline",
                                fx_root));
    const char *tracked =
        fx_sh(NULL, "git --git-dir='%s/%s' for-each-ref --format='%%(objectname) %%(refname:lstrip=4)' "
                    "refs/dateline-remotes/%s/articles",
              fx_root, store, label);
    cr_assert(strlen(remote) > 0);
    cr_assert(eq(str, (char *)tracked, remote));
    free(remote);
}

/* Article refs still kept one file each in `store`. */
static const char *loose_article_refs(const char *store)
{
    return fx_sh(NULL, "find '%s/%s/refs/dateline' -type f | wc -l", fx_root, store);
}

Test(history_refs, many_articles_travel_whole_and_stay_readable_by_git)
{
    enum { ARTICLES = 40 };
    for (int i = 0; i < ARTICLES; i++) {
        char text[64];
        snprintf(text, sizeof(text), "Story %d\n\nFirst draft.\n", i);
        save(i, text);
        snprintf(text, sizeof(text), "Story %d\n\nSecond draft.\n", i);
        save(i, text);
    }
    dl_history_sync_result r = sync_clone("repo", 1);
    cr_assert(eq(sz, r.updated, ARTICLES));
    r = sync_clone("other", 0);
    cr_assert(eq(sz, r.updated, ARTICLES));
    assert_same_everywhere();
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/other/.git/dateline' rev-list --count "
                                          "$(git --git-dir='%s/other/.git/dateline' for-each-ref "
                                          "--format='%%(refname)' 'refs/dateline/*a17.txt')",
                                    fx_root, fx_root),
                 "2"));
    /* Kept packed, as git pack-refs leaves them: no file per article. */
    for (size_t s = 0; s < sizeof(STORES) / sizeof(*STORES); s++)
        cr_assert(eq(str, (char *)loose_article_refs(STORES[s]), "0"), "%s", STORES[s]);

    /* A day's work: five articles move on, and only they travel. */
    for (int i = 0; i < ARTICLES; i += ARTICLES / 5)
        save(i, "Updated today.\n");
    r = sync_clone("repo", 1);
    cr_assert(eq(sz, r.updated, 5));
    cr_assert(eq(sz, r.unchanged, ARTICLES - 5));
    r = sync_clone("other", 0);
    cr_assert(eq(sz, r.updated, 5));
    cr_assert(eq(sz, r.unchanged, ARTICLES - 5));
    assert_same_everywhere();
    for (size_t s = 0; s < sizeof(STORES) / sizeof(*STORES); s++)
        cr_assert(eq(str, (char *)loose_article_refs(STORES[s]), "0"), "%s", STORES[s]);

    /* The writer pulls what it pushed: nothing to join, and where the
     * remote stands is recorded all the same. */
    r = sync_clone("repo", 0);
    cr_assert(eq(sz, r.unchanged, ARTICLES));
    cr_assert(eq(sz, r.updated + r.merged, 0));
    assert_tracking("repo/.git/dateline", "origin");
}

/* Leave packed-refs.lock in every store, as a writer killed while it
 * rewrote packed-refs would, `age` seconds ago. */
static void leave_lock(int age)
{
    for (size_t s = 0; s < sizeof(STORES) / sizeof(*STORES); s++) {
        int rc;
        fx_sh(&rc, "cd '%s/%s' && cp packed-refs packed-refs.lock && touch -d @$(($(date +%%s) - %d)) "
                   "packed-refs.lock",
              fx_root, STORES[s], age);
        cr_assert(eq(int, rc, 0));
    }
}

static int lock_left(const char *store)
{
    return access(fx_path(store), F_OK) == 0 &&
           strcmp(fx_sh(NULL, "test -e '%s/%s/packed-refs.lock' && echo yes", fx_root, store),
                  "yes") == 0;
}

Test(history_refs, a_killed_writers_packed_refs_lock_blocks_no_save_push_or_pull)
{
    for (int i = 0; i < 10; i++)
        save(i, "First draft.\n");
    sync_clone("repo", 1);
    sync_clone("other", 0);
    leave_lock(60);
    dl_notice_take();

    save(3, "Second draft.\n");
    dl_history_sync_result r = sync_clone("repo", 1);
    cr_assert(eq(sz, r.updated, 1));
    /* The user is told, as for a ref's lock, once per store. */
    const char *told = dl_notice_take();
    cr_assert(strstr(told, "removed a stale lock") != NULL, "%s", told);
    cr_assert(strstr(told, "dateline/packed-refs.lock") != NULL, "%s", told);
    cr_assert(strstr(told, "remote.git/packed-refs.lock") != NULL, "%s", told);
    r = sync_clone("other", 0);
    cr_assert(eq(sz, r.updated, 1));
    told = dl_notice_take();
    cr_assert(strstr(told, "other/.git/dateline/packed-refs.lock") != NULL, "%s", told);

    for (size_t s = 0; s < sizeof(STORES) / sizeof(*STORES); s++) {
        cr_assert(eq(int, lock_left(STORES[s]), 0), "%s", STORES[s]);
        cr_assert(eq(str, (char *)loose_article_refs(STORES[s]), "0"), "%s", STORES[s]);
    }
    assert_same_everywhere();
}

Test(history_refs, a_live_writers_packed_refs_lock_is_left_alone)
{
    for (int i = 0; i < 10; i++)
        save(i, "First draft.\n");
    sync_clone("repo", 1);
    sync_clone("other", 0);
    leave_lock(0);
    dl_notice_take();

    save(3, "Second draft.\n");
    dl_history_sync_result r = sync_clone("repo", 1);
    cr_assert(eq(sz, r.updated, 1));
    r = sync_clone("other", 0);
    cr_assert(eq(sz, r.updated, 1));
    cr_assert(eq(str, (char *)dl_notice_take(), ""));
    /* Its refs stay unpacked for now, and nothing is lost meanwhile. */
    for (size_t s = 0; s < sizeof(STORES) / sizeof(*STORES); s++) {
        cr_assert(lock_left(STORES[s]), "%s", STORES[s]);
        fx_sh(NULL, "rm '%s/%s/packed-refs.lock'", fx_root, STORES[s]);
    }
    assert_same_everywhere();
}

/* Another process saves articles while push packs the refs of the store
 * it saves into, again and again: every version it recorded is kept. */
Test(history_refs, saves_while_refs_are_packed_lose_nothing)
{
    enum { ARTICLES = 8, ROUNDS = 25 };
    for (int i = 0; i < ARTICLES; i++)
        save(i, "Round -1.\n");
    sync_clone("repo", 1);

    pid_t child = fork();
    if (child == 0) {
        int rc = 0;
        for (int round = 0; round < ROUNDS && rc == 0; round++) {
            for (int i = 0; i < ARTICLES && rc == 0; i++) {
                char file[1024], text[64];
                dl_history_store *store = NULL;
                dl_history *history = NULL;
                dl_history_id id;
                snprintf(file, sizeof(file), "%s/desk/a%02d.txt", fx_repo, i);
                snprintf(text, sizeof(text), "Round %d.\n", round);
                dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
                options.content = text;
                options.content_size = strlen(text);
                rc = dl_history_store_open(&store, file, NULL) < 0 ||
                     dl_history_open(&history, store, file) < 0 ||
                     dl_history_snapshot(&id, history, &options) < 0;
                if (rc)
                    fprintf(stderr, "saver: %s\n", dl_error_last());
                dl_history_free(history);
                dl_history_store_free(store);
            }
        }
        _exit(rc);
    }
    int status = 0, pushes = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
        sync_clone("repo", 1);
        pushes++;
    }
    int saved = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    cr_assert(saved, "the saver failed");
    cr_assert(pushes > 0);

    for (int i = 0; i < ARTICLES; i++) {
        const char *out = fx_sh(NULL,
                                "cd '%s/.git/dateline' && r=$(git for-each-ref --format='%%(refname)' "
                                "'refs/dateline/*a%02d.txt') && git rev-list --count $r && "
                                "git show $r:desk/a%02d.txt",
                                fx_repo, i, i);
        char expected[64];
        snprintf(expected, sizeof(expected), "%d\nRound %d.", ROUNDS + 1, ROUNDS - 1);
        cr_assert(eq(str, (char *)out, expected), "article %d", i);
    }
    sync_clone("repo", 1);
    sync_clone("other", 0);
    assert_same_everywhere();
}

/* A git daemon on 127.0.0.1 serving the scratch directory: the smart
 * protocol, as a newsroom's server speaks it. (A test's .init runs
 * after the suite's, its .fini before.) */
static char daemon_url[128];

static void start_daemon(void)
{
    for (int attempt = 0; attempt < 20 && daemon_url[0] == '\0'; attempt++) {
        int port = 20000 + (int)((getpid() * 7919 + attempt * 104729) % 40000), rc;
        fx_sh(&rc, "git daemon --reuseaddr --listen=127.0.0.1 --port=%d --base-path='%s' --export-all "
                   "--pid-file='%s/daemon.pid' --detach '%s' && "
                   "for i in $(seq 50); do git ls-remote git://127.0.0.1:%d/remote.git >/dev/null 2>&1 "
                   "&& exit 0; sleep 0.1; done; exit 1",
              port, fx_root, fx_root, fx_root, port);
        if (rc == 0)
            snprintf(daemon_url, sizeof(daemon_url), "git://127.0.0.1:%d/remote.git", port);
        else
            fx_sh(NULL, "kill $(cat '%s/daemon.pid' 2>/dev/null) 2>/dev/null", fx_root);
    }
    cr_assert(daemon_url[0] != '\0', "no git daemon could listen");
}

static void stop_daemon(void)
{
    fx_sh(NULL, "kill $(cat '%s/daemon.pid' 2>/dev/null) 2>/dev/null", fx_root);
}

static dl_history_sync_result pull_from(const char *clone, const char *url)
{
    char file[1024];
    dl_history_store *store = NULL;
    dl_history *history = NULL;
    dl_history_sync_result result;
    dl_history_sync_options options = DL_HISTORY_SYNC_OPTIONS_INIT;
    options.remote = url;
    snprintf(file, sizeof(file), "%s/%s/story.txt", fx_root, clone);
    fx_open(&store, &history, file);
    dl_assert_ok(dl_history_pull(&result, store, &options));
    dl_history_free(history);
    dl_history_store_free(store);
    return result;
}

/* Through a server the fetch tells it only what this store holds of the
 * articles that changed; what arrives is the same as over a path, and
 * a diverged article is still joined. */
Test(history_refs, a_pull_through_a_server_brings_the_same_history, .init = start_daemon,
     .fini = stop_daemon)
{
    enum { ARTICLES = 12 };
    for (int i = 0; i < ARTICLES; i++)
        save(i, "First draft.\n");
    sync_clone("repo", 1);
    dl_history_sync_result r = pull_from("other", daemon_url);
    cr_assert(eq(sz, r.updated, ARTICLES));
    assert_same_everywhere();

    for (int i = 0; i < 3; i++)
        save(i, "Second draft.\n");
    sync_clone("repo", 1);
    r = pull_from("other", daemon_url);
    cr_assert(eq(sz, r.updated, 3));
    cr_assert(eq(sz, r.unchanged, ARTICLES - 3));
    assert_same_everywhere();
    /* Where the server stands, kept as refs/dateline-remotes/url/. */
    assert_tracking("other/.git/dateline", "url");

    /* The other clone records a version of its own; the writer another. */
    char file[1024];
    dl_history_store *store = NULL;
    dl_history *history = NULL;
    snprintf(file, sizeof(file), "%s/other/desk/a00.txt", fx_root);
    fx_sh(NULL, "mkdir -p '%s/other/desk'", fx_root);
    fx_open(&store, &history, file);
    fx_snap(history, "Third draft, by the other desk.\n", NULL);
    dl_history_free(history);
    dl_history_store_free(store);
    save(0, "Third draft, by the writer.\n");
    sync_clone("repo", 1);
    r = pull_from("other", daemon_url);
    cr_assert(eq(sz, r.merged, 1));
    cr_assert(eq(sz, r.unchanged, ARTICLES - 1));
    int rc;
    fx_sh(&rc, "cd '%s' && git --git-dir=other/.git/dateline fsck --strict 2>&1 && "
               "r=$(git --git-dir=other/.git/dateline for-each-ref --format='%%(refname)' "
               "'refs/dateline/*a00.txt') && "
               "git --git-dir=other/.git/dateline merge-base --is-ancestor "
               "$(git --git-dir=remote.git rev-parse \"$r\") \"$r\"",
          fx_root);
    cr_assert(eq(int, rc, 0));
}
