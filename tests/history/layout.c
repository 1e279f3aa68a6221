/*
 * Where the history of an article in a git repository lives: dateline's
 * own bare store in <common git dir>/dateline, so that the user's git log,
 * branches, tags, gc and fsck never see it, while plain git still reads it
 * with one --git-dir.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

/* The fixture's repository with an article in a folder. */
static void setup(void)
{
    fx_setup();
    fx_write_str(fx_repo_path("news/story.txt"), "Headline\n\nBody.\n");
}

TestSuite(history_layout, .init = setup, .fini = fx_teardown, .timeout = 60);

/* This suite's article is in a folder. */
static void open_story(void)
{
    fx_story_open_file(fx_repo_path("news/story.txt"));
}

Test(history_layout, the_store_is_a_bare_repository_in_the_git_dir)
{
    fx_write_str(fx_repo_path("news/story.txt"), "Headline\n\nBody.\n");
    open_story();
    char expected[1100];
    snprintf(expected, sizeof(expected), "%s/.git/dateline/", fx_repo);
    cr_assert(eq(str, (char *)dl_history_store_path(fx_store), expected));
    cr_assert(eq(str, (char *)dl_history_key(fx_history), "news/story.txt"));
    cr_assert(eq(str, (char *)dl_notice_take(), ""));
    fx_story_close();
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' rev-parse --is-bare-repository",
                                    fx_repo),
                 "true"));
    /* Private, like the private store. */
    struct stat st;
    cr_assert(eq(int, stat(fx_repo_path(".git/dateline"), &st), 0));
    cr_assert(eq(u32, (unsigned)(st.st_mode & 0077), 0));
}

/* The acceptance test of issue 15. */
Test(history_layout, fifty_annotated_versions_leave_the_users_git_log_as_it_was)
{
    open_story();
    for (int i = 1; i <= 50; i++) {
        char text[96], note[32];
        snprintf(text, sizeof(text), "Headline\n\nBody, version %d.\n", i);
        snprintf(note, sizeof(note), "why %d", i);
        fx_snap(fx_history, text, note);
    }
    cr_assert(eq(sz, fx_count(fx_history), 50));
    fx_story_close();
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s' && git log --all --oneline | wc -l", fx_repo),
                 "1"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s' && git log --all --graph --oneline | wc -l",
                                    fx_repo),
                 "1"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s' && git branch -a", fx_repo), "* master"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s' && git tag", fx_repo), ""));
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s' && git for-each-ref | grep -c dateline", fx_repo),
                 "0"));
    /* The same history, read back through the core and by plain git. */
    open_story();
    cr_assert(eq(sz, fx_count(fx_history), 50));
    fx_story_close();
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s/news' && git --git-dir=\"$(git rev-parse --git-common-dir)/dateline\" "
                                          "log --oneline refs/dateline/news%%2Fstory.txt | wc -l",
                                    fx_repo),
                 "50"));
}

Test(history_layout, the_users_gc_and_fsck_neither_lose_nor_mind_the_store)
{
    open_story();
    const char *first = fx_snap(fx_history, "Headline\n\nOne.\n", "first");
    dl_history_id v1;
    snprintf(v1.hex, sizeof(v1.hex), "%s", first);
    fx_snap(fx_history, "Headline\n\nTwo.\n", NULL);
    fx_story_close();
    int rc;
    const char *out = fx_sh(&rc, "cd '%s' && git gc -q --prune=now --aggressive 2>&1 && "
                                 "git fsck --strict --no-progress 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "%s", out);
    cr_assert(eq(str, (char *)out, ""));
    out = fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict --no-progress 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "%s", out);
    open_story();
    cr_assert(eq(sz, fx_count(fx_history), 2));
    char *text = NULL;
    size_t size = 0;
    dl_assert_ok(dl_history_read(&text, &size, fx_history, &v1));
    cr_assert(eq(str, text, "Headline\n\nOne.\n"));
    free(text);
    fx_story_close();
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref=dateline show %s",
                                    fx_repo, v1.hex),
                 "first"));
}

/* docs/cli.md tells the user to run `git gc` in the store now and then;
 * it packs the versions and leaves no commit-graph, which libgit2 would
 * check in full on every log. */
Test(history_layout, git_gc_in_the_store_packs_it_and_writes_no_commit_graph)
{
    open_story();
    fx_snap(fx_history, "Headline\n\nOne.\n", NULL);
    fx_snap(fx_history, "Headline\n\nTwo.\n", "second");
    fx_story_close();
    int rc;
    const char *out = fx_sh(&rc, "git --git-dir='%s/.git/dateline' gc -q 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "%s", out);
    struct stat st;
    cr_assert(eq(int, stat(fx_repo_path(".git/dateline/objects/info/commit-graph"), &st), -1));
    cr_assert(eq(int, stat(fx_repo_path(".git/dateline/objects/info/commit-graphs"), &st), -1));
    open_story();
    cr_assert(eq(sz, fx_count(fx_history), 2));
    fx_story_close();
}

Test(history_layout, the_author_is_the_repositorys_own_identity)
{
    /* Only the repository knows this writer; the global file says else. */
    fx_sh(NULL, "cd '%s' && git config user.name 'Desk Writer' && git config user.email desk@paper.example",
          fx_repo);
    open_story();
    const char *id = fx_snap(fx_history, "Headline\n\nBody.\n", "noted");
    fx_story_close();
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' log -1 --format='%%an <%%ae>|%%cn' %s",
                                    fx_repo, id),
                 "Desk Writer <desk@paper.example>|Desk Writer"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' log -1 --format='%%an' refs/notes/dateline",
                                    fx_repo),
                 "Desk Writer"));
}

Test(history_layout, a_notes_commit_says_which_version_of_which_article)
{
    open_story();
    const char *id = fx_snap(fx_history, "Headline\n\nBody.\n", "corrected the quote\nand more");
    char short_id[11];
    snprintf(short_id, sizeof(short_id), "%s", id);
    fx_story_close();
    char expected[256];
    snprintf(expected, sizeof(expected),
             "dateline: note on %s of news/story.txt\n\ncorrected the quote\n", short_id);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' log -1 --format=%%B refs/notes/dateline",
                                    fx_repo),
                 expected));
    /* Still a notes ref git understands. */
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref=dateline show %s",
                                    fx_repo, id),
                 "corrected the quote\nand more"));
}

Test(history_layout, worktrees_share_one_store)
{
    int rc;
    fx_sh(&rc, "cd '%s' && git worktree add -q --detach '%s' 2>&1", fx_repo, fx_path("wt"));
    cr_assert(eq(int, rc, 0));
    open_story();
    fx_snap(fx_history, "Headline\n\nFrom the main work tree.\n", NULL);
    fx_story_close();
    fx_write_str(fx_path("wt/news/story.txt"), "Headline\n\nBody.\n");
    fx_story_open_file(fx_path("wt/news/story.txt"));
    char expected[1100];
    snprintf(expected, sizeof(expected), "%s/.git/dateline/", fx_repo);
    cr_assert(eq(str, (char *)dl_history_store_path(fx_store), expected));
    cr_assert(eq(str, (char *)dl_history_key(fx_history), "news/story.txt"));
    fx_snap(fx_history, "Headline\n\nFrom the other work tree.\n", NULL);
    cr_assert(eq(sz, fx_count(fx_history), 2));
    fx_story_close();
}

/* A FIFO where libgit2 expects a file would block its open() for ever. */
static void assert_refused_quickly(const char *store_dir, const char *file)
{
    pid_t child = fork();
    cr_assert(child >= 0);
    if (child == 0) {
        alarm(10); /* a hang fails the test instead of stalling the suite */
        dl_history_store_options options = DL_HISTORY_STORE_OPTIONS_INIT;
        options.store_dir = store_dir;
        dl_history_store *s = NULL;
        int error = dl_history_store_open(&s, fx_repo_path("news/story.txt"), &options);
        int named = dl_error_last() && strstr(dl_error_last(), "is not a regular file (a FIFO)") &&
                    strstr(dl_error_last(), file);
        _exit(error == DL_EINVALID && named ? 0 : 1);
    }
    int status;
    cr_assert(eq(int, waitpid(child, &status, 0), child));
    int exited = WIFEXITED(status);
    cr_assert(exited, "the store's open hung on a FIFO");
    cr_assert(eq(int, WEXITSTATUS(status), 0));
}

Test(history_layout, a_fifo_as_the_stores_config_or_head_is_refused_not_waited_on)
{
    open_story();
    fx_story_close();
    unlink(fx_repo_path(".git/dateline/config"));
    cr_assert(eq(int, mkfifo(fx_repo_path(".git/dateline/config"), 0600), 0));
    assert_refused_quickly(NULL, "config");

    int rc;
    fx_sh(&rc, "git init -q --bare '%s' && rm '%s/HEAD' && mkfifo '%s/HEAD'", fx_path("other.git"),
          fx_path("other.git"), fx_path("other.git"));
    cr_assert(eq(int, rc, 0));
    assert_refused_quickly(fx_path("other.git"), "HEAD");
}
