/* Quotations: a changed quotation is a correction, the most important event. */
#include <string.h>

#include "articles.h"
#include "support.h"

TestSuite(diff_quotations);

Test(diff_quotations, a_changed_quotation_has_old_and_new_words_and_its_speaker)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_TAXES P_PARKS
                          "“We will review spending every month,” the mayor said after the vote.\n\n"
                          P_LIBRARY P_END);
    cr_assert(eq(sz, d.diff->quotation_count, 1));
    const dl_diff_quotation *q = &d.diff->quotations[0];
    cr_assert(eq(int, q->change, DL_DIFF_QUOTE_CHANGED));
    cr_assert(eq(str, q->old_text, "We will review spending every quarter,"));
    cr_assert(eq(str, q->new_text, "We will review spending every month,"));
    cr_assert(eq(str, q->speaker, "the mayor"));
    cr_assert(eq(sz, q->old_block, 3));
    cr_assert(eq(sz, q->new_block, 3));
    char *rebuilt = words_new_text(&q->words);
    cr_assert(eq(str, rebuilt, q->new_text));
    free(rebuilt);
    cr_assert(eq(str, d.summary, "¶4 edited; quotation changed (the mayor)"));
    diffed_free(&d);
}

Test(diff_quotations, a_quotation_replaced_wholesale_in_its_paragraph_is_changed)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_TAXES P_PARKS
                          "“Nobody gets a raise this year,” the mayor said after the vote.\n\n"
                          P_LIBRARY P_END);
    cr_assert(eq(sz, d.diff->quotation_count, 1));
    cr_assert(eq(int, d.diff->quotations[0].change, DL_DIFF_QUOTE_CHANGED));
    diffed_free(&d);
}

Test(diff_quotations, added_and_removed_quotations_are_reported)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_TAXES P_PARKS P_LIBRARY
                          "“It is a fair budget,” said Ana Ruiz, the council president.\n\n" P_END);
    cr_assert(eq(sz, d.diff->quotation_count, 2));
    cr_assert(eq(int, d.diff->quotations[0].change, DL_DIFF_QUOTE_ADDED));
    cr_assert(eq(str, d.diff->quotations[0].new_text, "It is a fair budget,"));
    cr_assert(d.diff->quotations[0].old_text == NULL);
    cr_assert(eq(sz, d.diff->quotations[0].old_block, DL_DIFF_NONE));
    cr_assert(eq(int, d.diff->quotations[1].change, DL_DIFF_QUOTE_REMOVED));
    cr_assert(eq(str, d.diff->quotations[1].old_text, "We will review spending every quarter,"));
    cr_assert(eq(str, d.diff->quotations[1].speaker, "the mayor"));
    cr_assert(eq(sz, d.diff->quotations[1].new_block, DL_DIFF_NONE));
    cr_assert(eq(sz, d.diff->stats.quotations_added, 1));
    cr_assert(eq(sz, d.diff->stats.quotations_removed, 1));
    diffed_free(&d);
}

Test(diff_quotations, a_quotation_in_a_moved_paragraph_is_unchanged)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_QUOTE P_TAXES P_PARKS P_LIBRARY P_END);
    cr_assert(eq(sz, d.diff->quotation_count, 0));
    diffed_free(&d);
}

Test(diff_quotations, the_same_words_credited_to_someone_else_are_reattributed)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_TAXES P_PARKS
                          "“We will review spending every quarter,” the city manager said after the vote.\n\n"
                          P_LIBRARY P_END);
    cr_assert(eq(sz, d.diff->quotation_count, 1));
    const dl_diff_quotation *q = &d.diff->quotations[0];
    cr_assert(eq(int, q->change, DL_DIFF_QUOTE_REATTRIBUTED));
    cr_assert(eq(str, q->old_speaker, "the mayor"));
    cr_assert(eq(str, q->speaker, "the city manager"));
    diffed_free(&d);
}
