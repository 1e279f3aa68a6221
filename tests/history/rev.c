#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_rev, .init = fx_setup, .fini = fx_teardown);

static char ids[3][41];

static void open_with_three_versions(void)
{
    fx_story_open();
    snprintf(ids[0], 41, "%s", fx_snap(fx_history, "one", NULL));
    snprintf(ids[1], 41, "%s", fx_snap(fx_history, "two", NULL));
    snprintf(ids[2], 41, "%s", fx_snap(fx_history, "three", NULL));
}

static void assert_resolves(const char *rev, const char *expected)
{
    dl_history_id id;
    dl_assert_ok(dl_history_resolve(&id, fx_history, rev));
    cr_assert(eq(str, id.hex, (char *)expected), "%s", rev);
}

Test(history_rev, at_is_the_latest_version)
{
    open_with_three_versions();
    assert_resolves("@", ids[2]);
    fx_story_close();
}

Test(history_rev, at_tilde_n_goes_back_n_versions)
{
    open_with_three_versions();
    assert_resolves("@~0", ids[2]);
    assert_resolves("@~", ids[1]);
    assert_resolves("@~1", ids[1]);
    assert_resolves("@~2", ids[0]);
    dl_history_id id;
    cr_assert(eq(int, dl_history_resolve(&id, fx_history, "@~3"), DL_ENOTFOUND));
    cr_assert(strstr(dl_error_last(), "has only 3 versions") != NULL, "%s", dl_error_last());
    fx_story_close();
}

Test(history_rev, full_and_abbreviated_ids_resolve)
{
    open_with_three_versions();
    assert_resolves(ids[1], ids[1]);
    char shortened[8];
    snprintf(shortened, sizeof(shortened), "%.7s", ids[0]);
    assert_resolves(shortened, ids[0]);
    /* Upper case is the same id. */
    for (char *p = shortened; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_resolves(shortened, ids[0]);
    fx_story_close();
}

/* Ids are looked for in the versions the log cache lists: one recorded
 * since the cache was made resolves, and so does every id once the cache
 * is damaged or gone (it is rebuilt from the commits). */
Test(history_rev, ids_resolve_whatever_state_the_log_cache_is_in)
{
    open_with_three_versions();
    assert_resolves(ids[0], ids[0]); /* makes the cache */
    char *fourth = strdup(fx_snap(fx_history, "four", NULL));
    assert_resolves(fourth, fourth);
    assert_resolves(ids[1], ids[1]);
    const char *store = dl_history_store_path(fx_store);
    fx_sh(NULL, "for f in '%s'/log-cache/*; do printf 'dateline log cache 2\\nzz' > \"$f\"; done",
          store);
    assert_resolves(ids[2], ids[2]);
    fx_sh(NULL, "rm -rf '%s/log-cache'", store);
    assert_resolves(fourth, fourth);
    free(fourth);
    fx_story_close();
}

Test(history_rev, a_version_of_another_article_does_not_resolve)
{
    open_with_three_versions();
    dl_history *other = NULL;
    dl_assert_ok(dl_history_open(&other, fx_store, fx_repo_path("other.txt")));
    char *foreign = strdup(fx_snap(other, "other", NULL));
    dl_history_id id;
    cr_assert(eq(int, dl_history_resolve(&id, fx_history, foreign), DL_ENOTFOUND));
    cr_assert(strstr(dl_error_last(), "in the history of story.txt") != NULL, "%s",
              dl_error_last());
    /* Nor does HEAD's commit, which is no version at all. */
    char *head = strdup(fx_sh(NULL, "git -C '%s' rev-parse HEAD", fx_repo));
    cr_assert(eq(int, dl_history_resolve(&id, fx_history, head), DL_ENOTFOUND));
    free(head);
    free(foreign);
    dl_history_free(other);
    fx_story_close();
}

Test(history_rev, malformed_revisions_are_invalid)
{
    open_with_three_versions();
    const char *bad[] = {"", "abc", "xyz123", "@~x", "@~-1", "@@", "HEAD", "@{1}",
                         "0123456789012345678901234567890123456789a"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dl_history_id id;
        cr_assert(eq(int, dl_history_resolve(&id, fx_history, bad[i]), DL_EINVALID), "'%s'",
                  bad[i]);
        cr_assert(strlen(dl_error_last()) > 0);
    }
    fx_story_close();
}

Test(history_rev, an_article_without_history_has_no_versions)
{
    fx_story_open_file(fx_repo_path("empty.txt"));
    dl_history_id id;
    cr_assert(eq(int, dl_history_resolve(&id, fx_history, "@"), DL_ENOTFOUND));
    cr_assert(strstr(dl_error_last(), "empty.txt has no recorded versions") != NULL, "%s",
              dl_error_last());
    fx_story_close();
}

Test(history_rev, an_ambiguous_prefix_names_the_candidates, .timeout = 120)
{
    fx_story_open();
    /* Record versions until two ids share their first four digits (the
     * birthday bound makes that likely within a few hundred). */
    static char seen[65536][41];
    char prefix[5] = "";
    for (int i = 0; i < 5000 && prefix[0] == '\0'; i++) {
        char text[32];
        snprintf(text, sizeof(text), "version %d", i);
        const char *id = fx_snap(fx_history, text, NULL);
        unsigned key = (unsigned)strtoul((char[]){id[0], id[1], id[2], id[3], 0}, NULL, 16);
        if (seen[key][0] != '\0')
            snprintf(prefix, sizeof(prefix), "%.4s", id);
        snprintf(seen[key], 41, "%s", id);
    }
    cr_assert(prefix[0] != '\0', "no collision found");
    dl_history_id id;
    cr_assert(eq(int, dl_history_resolve(&id, fx_history, prefix), DL_EINVALID));
    cr_assert(strstr(dl_error_last(), "is ambiguous") != NULL, "%s", dl_error_last());
    fx_story_close();
}
