/*
 * A history an earlier dateline kept in the user's own repository
 * (refs/dateline/..., refs/notes/dateline) moves into the store on first
 * use: nothing lost, joined with what the store holds, finished after a
 * kill, safe with two processes at once. The old layout is written here
 * with plain git, as an old dateline left it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lsp/client.h"
#include "../support/dl_test.h"
#include "../support/history_fixture.h"

static void setup(void)
{
    fx_setup();
    fx_write_str(fx_repo_path("news/story.txt"), "Headline\n\nBody.\n");
}

TestSuite(history_migrate, .init = setup, .fini = fx_teardown, .timeout = 60);

/* A version of `path` holding `content` on `parent` (NULL: a first one),
 * written into the user's repository as an old dateline did. Its id, in a
 * buffer of the caller's. */
static void old_version(char out[41], const char *path, const char *content, const char *parent)
{
    int rc;
    const char *id = fx_sh(&rc,
                           "cd '%s' && b=$(printf '%s' | git hash-object -w --stdin) && "
                           "GIT_INDEX_FILE=.git/old-index git update-index --add --cacheinfo 100644,$b,'%s' && "
                           "t=$(GIT_INDEX_FILE=.git/old-index git write-tree) && rm .git/old-index && "
                           "git commit-tree $t %s%s -m '%s: old'",
                           fx_repo, content, path, parent ? "-p " : "", parent ? parent : "", path);
    cr_assert(eq(int, rc, 0), "%s", id);
    snprintf(out, 41, "%s", id);
}

static void old_ref(const char *refname, const char *id)
{
    int rc;
    fx_sh(&rc, "git -C '%s' update-ref '%s' %s", fx_repo, refname, id);
    cr_assert(eq(int, rc, 0));
}

static void old_note(const char *id, const char *note)
{
    int rc;
    fx_sh(&rc, "git -C '%s' notes --ref dateline add -m '%s' %s", fx_repo, note, id);
    cr_assert(eq(int, rc, 0));
}

/* What of dateline's is left in the user's repository. */
static const char *left_in_repository(void)
{
    return fx_sh(NULL, "git -C '%s' for-each-ref --format='%%(refname)' | grep dateline || true",
                 fx_repo);
}

static const char *store_git(const char *command)
{
    return fx_sh(NULL, "git --git-dir='%s/.git/dateline' %s", fx_repo, command);
}

/* An old history of news/story.txt: three versions, the first noted. */
static void old_story(char v[3][41])
{
    old_version(v[0], "news/story.txt", "Headline\\n\\nOne.\\n", NULL);
    old_version(v[1], "news/story.txt", "Headline\\n\\nTwo.\\n", v[0]);
    old_version(v[2], "news/story.txt", "Headline\\n\\nThree.\\n", v[1]);
    old_ref("refs/dateline/news%2Fstory.txt", v[2]);
    old_note(v[0], "first filing");
}

/* The repository's own work is not history for the store to hold: only
 * what its dateline refs reach moves. */
Test(history_migrate, the_move_brings_none_of_the_repositorys_branches)
{
    char v[3][41];
    old_story(v);
    int rc;
    const char *branch = fx_sh(&rc, "cd '%s' && echo code > code.txt && git add code.txt && "
                                    "git commit -qm code && git rev-parse HEAD", fx_repo);
    cr_assert(eq(int, rc, 0), "%s", branch);
    char commit[41];
    snprintf(commit, sizeof(commit), "%s", branch);

    fx_story_open_file(fx_repo_path("news/story.txt"));
    cr_assert(eq(sz, fx_count(fx_history), 3));
    fx_story_close();
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' cat-file -e %s", fx_repo, commit);
    cr_assert(rc != 0, "the store holds the repository's commit %s", commit);
    const char *out = fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict --no-progress 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "%s", out);
}

Test(history_migrate, an_old_history_moves_into_the_store_losing_nothing)
{
    char v[3][41], folder[41];
    old_story(v);
    /* The oldest ref names kept folders as ref folders. */
    fx_write_str(fx_repo_path("news/old.txt"), "Old\n\nText.\n");
    old_version(folder, "news/old.txt", "Old\\n\\nText.\\n", NULL);
    old_ref("refs/dateline/news/old.txt", folder);

    dl_notice_take();
    fx_story_open_file(fx_repo_path("news/story.txt"));
    const char *notice = dl_notice_take();
    cr_assert(strstr(notice, "moved the history of 2 articles") != NULL, "%s", notice);
    cr_assert(strstr(notice, "/.git/dateline/") != NULL, "%s", notice);
    cr_assert(eq(str, (char *)left_in_repository(), ""));

    cr_assert(eq(sz, fx_count(fx_history), 3));
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(str, log->versions[0].id.hex, v[2]));
    cr_assert(eq(str, log->versions[2].note ? log->versions[2].note : "", "first filing"));
    dl_history_log_free(log);
    /* Saving goes on from the old tip. */
    const char *next = fx_snap(fx_history, "Headline\n\nFour.\n", NULL);
    char parent[128];
    snprintf(parent, sizeof(parent), "rev-parse %s^", next);
    cr_assert(eq(str, (char *)store_git(parent), v[2]));
    dl_history_free(fx_history);

    dl_assert_ok(dl_history_open(&fx_history, fx_store, fx_repo_path("news/old.txt")));
    cr_assert(eq(str, (char *)dl_history_refname(fx_history), "refs/dateline/news/old.txt"));
    cr_assert(eq(sz, fx_count(fx_history), 1));
    fx_story_close();

    /* Told once: the next opening has nothing to move. */
    fx_story_open_file(fx_repo_path("news/story.txt"));
    cr_assert(eq(str, (char *)dl_notice_take(), ""));
    fx_story_close();
    int rc;
    const char *out = fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict --no-progress 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "%s", out);
}

/* An old dateline wrote after the move: both places have versions of
 * the article. Pull's rule: a merge keeps both. */
Test(history_migrate, versions_in_both_places_are_joined)
{
    fx_story_open_file(fx_repo_path("news/story.txt"));
    char ours[41];
    snprintf(ours, sizeof(ours), "%s", fx_snap(fx_history, "Headline\n\nNew layout.\n", NULL));
    fx_story_close();

    char v[3][41];
    old_story(v);
    fx_story_open_file(fx_repo_path("news/story.txt"));
    cr_assert(eq(str, (char *)left_in_repository(), ""));
    cr_assert(eq(sz, fx_count(fx_history), 5)); /* the merge, ours, their three */
    char check[1600];
    snprintf(check, sizeof(check), "merge-base --is-ancestor %s refs/dateline/news%%2Fstory.txt && "
                                   "git --git-dir='%s/.git/dateline' merge-base --is-ancestor %s "
                                   "refs/dateline/news%%2Fstory.txt && echo both",
             ours, fx_repo, v[2]);
    cr_assert(eq(str, (char *)store_git(check), "both"));
    char note[128];
    snprintf(note, sizeof(note), "notes --ref dateline show %s", v[0]);
    cr_assert(eq(str, (char *)store_git(note), "first filing"));
    fx_story_close();
}

/* A kill after the store took everything and before the user's refs were
 * removed leaves both; a kill after the copy, staged refs. The next run
 * finishes: nothing twice, nothing left over. */
Test(history_migrate, a_move_killed_half_way_is_finished_by_the_next_run)
{
    char v[3][41];
    old_story(v);
    int rc;
    fx_sh(&rc, "git init -q --bare '%s/.git/dateline' && cd '%s/.git/dateline' && "
               "git fetch -q '%s/.git' 'refs/dateline/*:refs/dateline/*' "
               "'refs/notes/dateline:refs/notes/dateline' && "
               "git update-ref refs/dateline-migrate/999999999/articles/news%%2Fstory.txt %s",
          fx_repo, fx_repo, fx_repo, v[1]);
    cr_assert(eq(int, rc, 0));

    fx_story_open_file(fx_repo_path("news/story.txt"));
    cr_assert(eq(str, (char *)left_in_repository(), ""));
    cr_assert(eq(str, (char *)store_git("rev-parse refs/dateline/news%2Fstory.txt"), v[2]));
    cr_assert(eq(str, (char *)store_git("for-each-ref refs/dateline-migrate"), ""));
    cr_assert(eq(sz, fx_count(fx_history), 3));
    fx_story_close();
}

Test(history_migrate, two_processes_moving_at_once_lose_nothing)
{
    char v[3][41];
    old_story(v);
    pid_t children[2];
    for (int i = 0; i < 2; i++) {
        children[i] = fork();
        cr_assert(children[i] >= 0);
        if (children[i] == 0) {
            dl_history_store *store = NULL;
            int error = dl_history_store_open(&store, fx_repo_path("news/story.txt"), NULL);
            dl_history_store_free(store);
            _exit(error == 0 ? 0 : 1);
        }
    }
    for (int i = 0; i < 2; i++) {
        int status;
        cr_assert(eq(int, waitpid(children[i], &status, 0), children[i]));
        cr_assert(eq(int, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0));
    }
    cr_assert(eq(str, (char *)left_in_repository(), ""));
    cr_assert(eq(str, (char *)store_git("rev-parse refs/dateline/news%2Fstory.txt"), v[2]));
    char note[128];
    snprintf(note, sizeof(note), "notes --ref dateline show %s", v[0]);
    cr_assert(eq(str, (char *)store_git(note), "first filing"));
    cr_assert(eq(str, (char *)store_git("for-each-ref refs/dateline-migrate"), ""));
}

/* The language server moves an old history the same way, and its log says
 * so once: the editor's user has no terminal to read a notice on. */
Test(history_migrate, the_server_moves_an_old_history_and_logs_it_once)
{
    char v[3][41];
    old_story(v);
    char uri[4096];
    snprintf(uri, sizeof(uri), "file://%s", fx_repo_path("news/story.txt"));
    test_client c;
    test_client_start(&c, 0);
    test_client_initialize(&c, NULL);
    test_client_open(&c, uri, "Headline\n\nBody.\n");
    test_client_notify(&c, "textDocument/didSave",
                       json_pack("{s:{s:s}}", "textDocument", "uri", uri));
    dl_lsp_server_drain(c.server);
    int told = test_client_logged(&c, "dateline: moved the history of 1 article from ", NULL);
    test_client_stop(&c);
    cr_assert(eq(int, told, 1));
    cr_assert(eq(str, (char *)left_in_repository(), ""));
    /* The three old versions and the saved file's. */
    cr_assert(eq(str, (char *)store_git("rev-list --count refs/dateline/news%2Fstory.txt"), "4"));
}
