/*
 * A repository another user owns is refused the way git refuses it, with
 * git's safe.directory advice, and the article's history never goes to
 * the private store instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(hostile_owner, .init = fx_setup, .fini = fx_teardown);

/* Give the fixture's repository to another user; only root may. */
static void give_away(void)
{
    int rc;
    fx_sh(&rc, "chown -R 54321 '%s' 2>/dev/null", fx_repo);
    if (rc != 0)
        cr_skip_test("not run: only root can give a repository to another user");
}

Test(hostile_owner, a_repository_of_another_user_is_refused_with_gits_advice)
{
    fx_write_str(fx_repo_path("story.txt"), "Headline\n\nBody.\n");
    give_away();
    dl_history_store *store = NULL;
    cr_assert(eq(int, dl_history_store_open(&store, fx_repo_path("story.txt"), NULL), DL_ERROR));
    cr_assert(store == NULL);
    cr_assert(strstr(dl_error_last(), "owned by someone else") != NULL, "%s", dl_error_last());
    char advice[1024];
    snprintf(advice, sizeof(advice), "git config --global --add safe.directory %s", fx_repo);
    cr_assert(strstr(dl_error_last(), advice) != NULL, "%s", dl_error_last());
    /* Nothing went to the private store. */
    struct stat st;
    cr_assert(ne(int, stat(fx_path("data/dateline/store.git"), &st), 0));
}
