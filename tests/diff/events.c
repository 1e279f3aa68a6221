/* Headline, dateline and byline changes are events of their own. */
#include <string.h>

#include "articles.h"
#include "support.h"

TestSuite(diff_events);

Test(diff_events, a_changed_headline_is_reported_with_both_texts)
{
    diffed d = diff_texts(BASE, "Council rejects budget after long debate\n\n" LEAD P_TAXES P_PARKS
                                P_QUOTE P_LIBRARY P_END);
    cr_assert(d.diff->headline != NULL);
    cr_assert(eq(str, d.diff->headline->old_text, "Council approves budget after long debate"));
    cr_assert(eq(str, d.diff->headline->new_text, "Council rejects budget after long debate"));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_UNCHANGED), 6));
    cr_assert(eq(str, d.summary, "headline changed"));
    diffed_free(&d);
}

Test(diff_events, a_changed_dateline_is_reported_once_not_as_a_paragraph_edit)
{
    diffed d = diff_texts(BASE, HEADLINE
                          "SEATTLE (AP) – The city council approved the budget on Tuesday after a "
                          "debate that ran past midnight.\n\n" P_TAXES P_PARKS P_QUOTE P_LIBRARY P_END);
    cr_assert(d.diff->dateline != NULL);
    cr_assert(eq(str, d.diff->dateline->old_text, "OLYMPIA, WA –"));
    cr_assert(eq(str, d.diff->dateline->new_text, "SEATTLE (AP) –"));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_UNCHANGED), 6));
    cr_assert(eq(str, d.summary, "dateline changed"));
    diffed_free(&d);
}

Test(diff_events, a_changed_byline_is_reported)
{
    diffed d = diff_texts(HEADLINE "By Jane Doe\n\n" LEAD P_END,
                          HEADLINE "By Jane Doe and John Roe\n\n" LEAD P_END);
    cr_assert(d.diff->byline != NULL);
    cr_assert(eq(str, d.diff->byline->old_text, "By Jane Doe"));
    cr_assert(eq(str, d.diff->byline->new_text, "By Jane Doe and John Roe"));
    cr_assert(strstr(d.summary, "byline changed") != NULL, "%s", d.summary);
    diffed_free(&d);
}

Test(diff_events, unchanged_events_are_null)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_TAXES P_PARKS P_QUOTE P_LIBRARY);
    cr_assert(d.diff->headline == NULL && d.diff->dek == NULL);
    cr_assert(d.diff->byline == NULL && d.diff->dateline == NULL);
    diffed_free(&d);
}
