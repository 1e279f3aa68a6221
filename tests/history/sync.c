#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

/* Two writers' clones ("repo" from the fixture and "other") sharing a bare
 * remote ("remote.git"), configured as origin in both. */
static void setup(void)
{
    fx_setup();
    fx_add_remote_clone();
}

TestSuite(history_sync, .init = setup, .fini = fx_teardown);

typedef struct {
    dl_history_store *store;
    dl_history *history;
} side;

static side open_side(const char *clone)
{
    side s;
    char file[1024];
    snprintf(file, sizeof(file), "%s/%s/story.txt", fx_root, clone);
    fx_open(&s.store, &s.history, file);
    return s;
}

static void close_side(side *s)
{
    dl_history_free(s->history);
    dl_history_store_free(s->store);
}

static dl_history_sync_result push(side *s)
{
    dl_history_sync_result result;
    dl_assert_ok(dl_history_push(&result, s->store, NULL));
    return result;
}

static dl_history_sync_result pull(side *s)
{
    dl_history_sync_result result;
    dl_assert_ok(dl_history_pull(&result, s->store, NULL));
    return result;
}

Test(history_sync, pushed_history_and_notes_arrive_in_another_clone)
{
    side a = open_side("repo"), b = open_side("other");
    fx_snap(a.history, "one", "first draft");
    char *tip = strdup(fx_snap(a.history, "two", NULL));
    dl_history_sync_result r = push(&a);
    cr_assert(eq(sz, r.updated, 1));
    cr_assert(r.notes_updated);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/remote.git' rev-parse refs/dateline/story.txt",
                                    fx_root), tip));
    r = pull(&b);
    cr_assert(eq(sz, r.updated, 1));
    cr_assert(eq(sz, fx_count(b.history), 2));
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, b.history, NULL));
    cr_assert(eq(str, log->versions[1].note, "first draft"));
    dl_history_log_free(log);
    /* Pulling again changes nothing; pushing again neither. */
    r = pull(&b);
    cr_assert(eq(sz, r.updated + r.merged, 0));
    r = push(&a);
    cr_assert(eq(sz, r.updated, 0));
    cr_assert(eq(sz, r.unchanged, 2));
    free(tip);
    close_side(&a);
    close_side(&b);
}

Test(history_sync, push_refuses_to_drop_versions_the_remote_has)
{
    side a = open_side("repo"), b = open_side("other");
    fx_snap(a.history, "one", NULL);
    push(&a);
    pull(&b);
    fx_snap(b.history, "two from b", NULL);
    push(&b);
    fx_snap(a.history, "two from a", NULL);
    dl_history_sync_result r;
    cr_assert(eq(int, dl_history_push(&r, a.store, NULL), DL_EMODIFIED));
    cr_assert(strstr(dl_error_last(), "run 'dateline pull origin' first") != NULL, "%s",
              dl_error_last());
    cr_assert(eq(sz, r.rejected, 1));
    close_side(&a);
    close_side(&b);
}

Test(history_sync, diverged_histories_are_joined_keeping_every_version)
{
    side a = open_side("repo"), b = open_side("other");
    fx_snap(a.history, "common", NULL);
    push(&a);
    pull(&b);
    char *theirs = strdup(fx_snap(b.history, "edited by b", "b's change"));
    push(&b);
    char *ours = strdup(fx_snap(a.history, "edited by a", "a's change"));
    dl_history_sync_result r = pull(&a);
    cr_assert(eq(sz, r.merged, 1));

    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, a.history, NULL));
    cr_assert(eq(sz, log->count, 4), "merge + both edits + common");
    cr_assert(eq(sz, log->versions[0].parent_count, 2));
    cr_assert(strstr(log->versions[0].note, "merged 1 version from origin") != NULL, "%s",
              log->versions[0].note);
    /* The merge holds the local content: the file on disk is the latest. */
    char *content = NULL;
    size_t size;
    dl_assert_ok(dl_history_read(&content, &size, a.history, &log->versions[0].id));
    cr_assert(eq(str, content, "edited by a"));
    free(content);
    /* Both edits are ancestors of the new tip, with their notes. */
    int rc;
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' merge-base --is-ancestor %s refs/dateline/story.txt", fx_repo, theirs);
    cr_assert(eq(int, rc, 0));
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' merge-base --is-ancestor %s refs/dateline/story.txt", fx_repo, ours);
    cr_assert(eq(int, rc, 0));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline show %s", fx_repo, theirs),
                 "b's change"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline show %s", fx_repo, ours),
                 "a's change"));
    dl_history_log_free(log);

    /* Now a can push, and b pulls a fast-forward. */
    push(&a);
    r = pull(&b);
    cr_assert(eq(sz, r.updated, 1));
    cr_assert(eq(sz, fx_count(b.history), 4));
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict 2>&1 && git --git-dir='%s/other/.git/dateline' fsck --strict 2>&1", fx_repo,
          fx_root);
    cr_assert(eq(int, rc, 0));
    free(theirs);
    free(ours);
    close_side(&a);
    close_side(&b);
}

Test(history_sync, notes_on_the_same_version_are_merged_as_a_union)
{
    side a = open_side("repo"), b = open_side("other");
    char *v = strdup(fx_snap(a.history, "text", NULL));
    push(&a);
    pull(&b);
    dl_history_id id;
    dl_assert_ok(dl_history_note(&id, b.history, "@", "from b"));
    push(&b);
    dl_assert_ok(dl_history_note(&id, a.history, "@", "from a"));
    pull(&a);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline show %s", fx_repo, v),
                 "from a\n\nfrom b"));
    push(&a);
    pull(&b);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/other/.git/dateline' notes --ref dateline show %s", fx_root, v),
                 "from a\n\nfrom b"));
    free(v);
    close_side(&a);
    close_side(&b);
}

/* Nobody runs `git gc` in dateline's store: what a join of notes refs
 * made along the way and no ref reaches would stay there for good. */
Test(history_sync, joining_notes_keeps_every_note_and_leaves_nothing_unreachable)
{
    side a = open_side("repo"), b = open_side("other");
    char *first = strdup(fx_snap(a.history, "one", "shared note"));
    char *second = strdup(fx_snap(a.history, "two", "another shared note"));
    push(&a);
    pull(&b);
    dl_history_id id;
    dl_assert_ok(dl_history_note(&id, b.history, first, "b's word"));
    push(&b);
    char *third = strdup(fx_snap(a.history, "three", "a's own note"));
    pull(&a);
    const char *show = "git --git-dir='%s/.git/dateline' notes --ref dateline show %s";
    cr_assert(eq(str, (char *)fx_sh(NULL, show, fx_repo, first), "shared note\n\nb's word"));
    cr_assert(eq(str, (char *)fx_sh(NULL, show, fx_repo, second), "another shared note"));
    cr_assert(eq(str, (char *)fx_sh(NULL, show, fx_repo, third), "a's own note"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' fsck --unreachable --no-reflogs "
                                          "2>&1 | grep -c unreachable", fx_repo),
                 "0"));
    free(first);
    free(second);
    free(third);
    close_side(&a);
    close_side(&b);
}

/* A remote given as a path is often the newsroom's own repository: its
 * branches are not history for the store to hold. */
Test(history_sync, a_pull_from_a_path_brings_versions_and_no_branch)
{
    side a = open_side("repo"), b = open_side("other");
    fx_snap(a.history, "one", NULL);
    push(&a);
    fx_sh(NULL, "cd '%s/repo' && echo code > code.txt && git add code.txt && git commit -qm code && "
                "git push -q origin HEAD:refs/heads/desk", fx_root);
    pull(&b);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/other/.git/dateline' log --format=%%s refs/dateline/story.txt",
                                    fx_root),
                 "story.txt: first version"));
    char *branch = strdup(fx_sh(NULL, "git --git-dir='%s/remote.git' rev-parse refs/heads/desk", fx_root));
    int rc;
    fx_sh(&rc, "git --git-dir='%s/other/.git/dateline' cat-file -e %s", fx_root, branch);
    cr_assert(rc != 0, "the store holds the remote's branch %s", branch);
    free(branch);
    close_side(&a);
    close_side(&b);
}

Test(history_sync, a_path_works_as_remote_and_an_unknown_name_is_named)
{
    side a = open_side("repo");
    fx_snap(a.history, "text", NULL);
    dl_history_sync_options options = DL_HISTORY_SYNC_OPTIONS_INIT;
    dl_history_sync_result r;
    options.remote = fx_path("remote.git");
    dl_assert_ok(dl_history_push(&r, a.store, &options));
    cr_assert(eq(sz, r.updated, 1));
    options.remote = "upstream";
    cr_assert(eq(int, dl_history_push(&r, a.store, &options), DL_ENOTFOUND));
    cr_assert(strstr(dl_error_last(), "no remote 'upstream'") != NULL, "%s", dl_error_last());
    close_side(&a);
}

Test(history_sync, pull_leaves_head_index_and_branches_alone)
{
    side a = open_side("repo"), b = open_side("other");
    fx_snap(a.history, "text", NULL);
    push(&a);
    char *before = strdup(fx_sh(NULL, "cd '%s/other' && git rev-parse HEAD && git status --porcelain && "
                                      "git for-each-ref refs/heads refs/remotes refs/tags && ls .git",
                                fx_root));
    pull(&b);
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s/other' && git rev-parse HEAD && git status --porcelain && "
                                          "git for-each-ref refs/heads refs/remotes refs/tags && ls .git",
                                    fx_root),
                 before));
    free(before);
    close_side(&a);
    close_side(&b);
}

/* Across layouts: an older dateline kept history in the clone's own
 * repository and pushed its refs/dateline/... from there. The remote holds the
 * same refs either way, so the new layout pulls what the old one pushed,
 * and a plain clone of the old layout fetches what the new one pushed. */
Test(history_sync, what_an_old_layout_clone_pushed_is_pulled)
{
    int rc;
    const char *out = fx_sh(&rc,
          "cd '%s/other' && b=$(printf 'Old\\n\\nOne.\\n' | git hash-object -w --stdin) && "
          "t=$(printf '100644 blob %%s\\tstory.txt\\n' $b | git mktree) && "
          "c=$(git commit-tree $t -m 'story.txt: first version') && "
          "git update-ref refs/dateline/story.txt $c && "
          "git notes --ref dateline add -m 'filed the old way' $c && "
          "git push -q origin 'refs/dateline/*:refs/dateline/*' 'refs/notes/dateline:refs/notes/dateline' 2>&1 && "
          "echo $c",
          fx_root);
    cr_assert(eq(int, rc, 0), "%s", out);
    char old[41];
    snprintf(old, sizeof(old), "%s", out);

    side a = open_side("repo");
    dl_history_sync_result r = pull(&a);
    cr_assert(eq(sz, r.updated, 1));
    cr_assert(eq(sz, fx_count(a.history), 1));
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, a.history, NULL));
    cr_assert(eq(str, log->versions[0].id.hex, old));
    cr_assert(eq(str, log->versions[0].note ? log->versions[0].note : "", "filed the old way"));
    dl_history_log_free(log);
    dl_history_sync_result_dispose(&r);
    close_side(&a);
}

Test(history_sync, what_the_new_layout_pushed_an_old_layout_clone_fetches)
{
    side a = open_side("repo");
    fx_snap(a.history, "one", "first draft");
    char *tip = strdup(fx_snap(a.history, "two", NULL));
    dl_history_sync_result r = push(&a);
    dl_history_sync_result_dispose(&r);
    close_side(&a);
    int rc;
    const char *out = fx_sh(&rc,
          "cd '%s/other' && git fetch -q origin 'refs/dateline/*:refs/dateline/*' "
          "'refs/notes/dateline:refs/notes/dateline' 2>&1 && "
          "git rev-parse refs/dateline/story.txt && git rev-list --count refs/dateline/story.txt && "
          "git notes --ref dateline show refs/dateline/story.txt~1",
          fx_root);
    cr_assert(eq(int, rc, 0), "%s", out);
    char expected[128];
    snprintf(expected, sizeof(expected), "%s\n2\nfirst draft", tip);
    cr_assert(eq(str, (char *)out, expected));
    free(tip);
}

/* The store has no remotes: the name is the user's repository's, its URL
 * taken as the work tree's top takes it. */
Test(history_sync, a_remote_is_looked_up_in_the_users_repository)
{
    int rc;
    fx_sh(&rc, "git -C '%s' remote add desk ../remote.git && git --git-dir='%s/.git/dateline' remote 2>&1 | wc -l",
          fx_repo, fx_repo);
    cr_assert(eq(int, rc, 0));
    side a = open_side("repo");
    fx_snap(a.history, "one", NULL);
    dl_history_sync_options options = DL_HISTORY_SYNC_OPTIONS_INIT;
    options.remote = "desk";
    dl_history_sync_result r;
    dl_assert_ok(dl_history_push(&r, a.store, &options));
    cr_assert(eq(sz, r.updated, 1));
    dl_history_sync_result_dispose(&r);
    close_side(&a);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' remote | wc -l", fx_repo), "0"));
    fx_sh(&rc, "git --git-dir='%s/remote.git' rev-parse -q --verify refs/dateline/story.txt", fx_root);
    cr_assert(eq(int, rc, 0));
}

/* A desk's day: of many articles, push and pull move only those that
 * changed, and count the others as unchanged. */
Test(history_sync, of_many_articles_only_those_that_changed_travel)
{
    enum { ARTICLES = 30 };
    side a = open_side("repo");
    fx_sh(NULL, "mkdir -p '%s/repo/desk'", fx_root);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < ARTICLES; i++) {
            if (round == 1 && i % 10 != 3)
                continue; /* the second day changes three of them */
            char file[1024], text[64];
            dl_history_store *store = NULL;
            dl_history *history = NULL;
            snprintf(file, sizeof(file), "%s/repo/desk/a%02d.txt", fx_root, (i * 7) % ARTICLES);
            snprintf(text, sizeof(text), "Story %d\n\nDay %d.\n", i, round);
            fx_open(&store, &history, file);
            fx_snap(history, text, NULL);
            dl_history_free(history);
            dl_history_store_free(store);
        }
        dl_history_sync_result r = push(&a);
        cr_assert(eq(sz, r.updated, round == 0 ? ARTICLES : 3));
        cr_assert(eq(sz, r.unchanged, round == 0 ? 0 : ARTICLES - 3));
        side b = open_side("other");
        r = pull(&b);
        cr_assert(eq(sz, r.updated, round == 0 ? ARTICLES : 3));
        cr_assert(eq(sz, r.unchanged, round == 0 ? 0 : ARTICLES - 3));
        close_side(&b);
    }
    close_side(&a);
}
