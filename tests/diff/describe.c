/* Log summaries come from the structural diff (history_describe.c). */
#include <stdlib.h>
#include <string.h>

#include "articles.h"
#include "dateline/history.h"
#include "support.h"

TestSuite(diff_describe);

Test(diff_describe, a_version_is_summarised_by_the_structural_diff)
{
    const char *old = BASE;
    const char *new = HEADLINE LEAD P_TAXES P_PARKS
        "“We will review spending every month,” the mayor said after the vote.\n\n" P_LIBRARY P_END;
    dl_history_change change;
    dl_assert_ok(dl_history_describe(&change, old, strlen(old), new, strlen(new)));
    cr_assert(eq(str, change.summary, "¶4 edited; quotation changed (the mayor)"));
    cr_assert(eq(i64, change.words_delta, 0));
    dl_history_change_dispose(&change);
}

Test(diff_describe, words_are_the_model_s_count_and_a_first_version_has_no_summary)
{
    const char *text = "Headline\n\nOLYMPIA, WA – The lead.\n";
    dl_history_change change;
    dl_assert_ok(dl_history_describe(&change, NULL, 0, text, strlen(text)));
    cr_assert(change.summary == NULL);
    cr_assert(eq(sz, change.words, 5), "the dash is not a word");
    cr_assert(eq(i64, change.words_delta, 5));
    dl_history_change_dispose(&change);
}

Test(diff_describe, consecutive_calls_reuse_nothing_stale)
{
    /* The parse cache must never answer for different bytes. */
    const char *a = HEADLINE LEAD P_END, *b = HEADLINE LEAD P_TAXES P_END, *c = HEADLINE LEAD;
    dl_history_change change;
    dl_assert_ok(dl_history_describe(&change, a, strlen(a), b, strlen(b)));
    cr_assert(eq(str, change.summary, "¶2 added"));
    dl_history_change_dispose(&change);
    dl_assert_ok(dl_history_describe(&change, b, strlen(b), c, strlen(c)));
    cr_assert(eq(str, change.summary, "¶2, ¶3 removed"));
    dl_history_change_dispose(&change);
    dl_assert_ok(dl_history_describe(&change, a, strlen(a), c, strlen(c)));
    cr_assert(eq(str, change.summary, "¶2 removed"));
    dl_history_change_dispose(&change);
}
