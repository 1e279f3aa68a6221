/* Paragraph alignment: unchanged, edited, moved, added, removed, split,
 * merged, and what does not count as a change. */
#include <string.h>

#include "articles.h"
#include "support.h"

TestSuite(diff_blocks);

Test(diff_blocks, identical_articles_have_no_changes)
{
    diffed d = diff_texts(BASE, BASE);
    cr_assert(eq(sz, d.diff->block_count, 6));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_UNCHANGED), 6));
    cr_assert(eq(sz, d.diff->quotation_count, 0));
    cr_assert(d.diff->headline == NULL && d.diff->dateline == NULL && d.diff->byline == NULL);
    cr_assert(eq(str, d.summary, "no changes"));
    diffed_free(&d);
}

Test(diff_blocks, one_changed_word_is_an_edit_with_a_word_diff)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD
                          "Property taxes will rise for a third year, according to the finance "
                          "office, which presented the numbers.\n\n" P_PARKS P_QUOTE P_LIBRARY P_END);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_EDITED), 1));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_UNCHANGED), 5));
    const dl_diff_block *e = find_kind(d.diff, DL_DIFF_EDITED);
    cr_assert(eq(sz, e->old_index, 1));
    cr_assert(eq(sz, e->new_index, 1));
    int deleted = 0, inserted = 0;
    for (size_t k = 0; k < e->words.count; k++) {
        deleted += e->words.ops[k].op == DL_DIFF_DELETE && strcmp(e->words.ops[k].text, "stay flat") == 0;
        inserted += e->words.ops[k].op == DL_DIFF_INSERT && strcmp(e->words.ops[k].text, "rise") == 0;
    }
    cr_assert(deleted == 1 && inserted == 1, "ops do not replace 'stay flat' with 'rise'");
    cr_assert(eq(str, d.summary, "¶2 edited"));
    cr_assert(eq(sz, d.diff->stats.words_added, 1));
    cr_assert(eq(sz, d.diff->stats.words_removed, 2));
    diffed_free(&d);
}

Test(diff_blocks, a_moved_paragraph_is_reported_once_as_moved)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_PARKS P_QUOTE P_LIBRARY P_TAXES P_END);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_MOVED), 1));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_ADDED), 0));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_REMOVED), 0));
    const dl_diff_block *e = find_kind(d.diff, DL_DIFF_MOVED);
    cr_assert(eq(sz, e->old_index, 1));
    cr_assert(eq(sz, e->new_index, 4));
    cr_assert(eq(str, d.summary, "¶5 moved"));
    diffed_free(&d);
}

Test(diff_blocks, an_added_paragraph_is_added_in_place)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_TAXES
                          "A new senior center opens in the fall on the east side.\n\n" P_PARKS
                          P_QUOTE P_LIBRARY P_END);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_ADDED), 1));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_UNCHANGED), 6));
    const dl_diff_block *e = find_kind(d.diff, DL_DIFF_ADDED);
    cr_assert(eq(sz, e->new_index, 2));
    cr_assert(eq(sz, e->old_index, DL_DIFF_NONE));
    cr_assert(eq(ptr, (void *)&d.diff->blocks[2], (void *)e), "reading order");
    cr_assert(eq(str, d.summary, "¶3 added"));
    diffed_free(&d);
}

Test(diff_blocks, a_removed_paragraph_is_removed_after_its_old_neighbour)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_TAXES P_QUOTE P_LIBRARY P_END);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_REMOVED), 1));
    const dl_diff_block *e = find_kind(d.diff, DL_DIFF_REMOVED);
    cr_assert(eq(sz, e->old_index, 2));
    cr_assert(eq(sz, e->new_index, DL_DIFF_NONE));
    cr_assert(eq(ptr, (void *)&d.diff->blocks[2], (void *)e), "reading order");
    cr_assert(eq(str, d.summary, "¶3 removed"));
    diffed_free(&d);
}

Test(diff_blocks, one_paragraph_split_in_two_is_a_split)
{
    diffed d = diff_texts(HEADLINE LEAD
                          "Property taxes will stay flat for a third year, the finance office said. "
                          "The parks department gets two new crews for the summer season.\n\n" P_END,
                          HEADLINE LEAD
                          "Property taxes will stay flat for a third year, the finance office said.\n\n"
                          "The parks department gets two new crews for the summer season.\n\n" P_END);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_SPLIT), 1));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_ADDED), 0));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_EDITED), 0));
    const dl_diff_block *e = find_kind(d.diff, DL_DIFF_SPLIT);
    cr_assert(eq(sz, e->old_index, 1));
    cr_assert(eq(sz, e->old_count, 1));
    cr_assert(eq(sz, e->new_index, 1));
    cr_assert(eq(sz, e->new_count, 2));
    cr_assert(eq(str, d.summary, "¶2 split"));
    diffed_free(&d);
}

Test(diff_blocks, two_paragraphs_joined_are_a_merge)
{
    diffed d = diff_texts(HEADLINE LEAD
                          "Property taxes will stay flat for a third year, the finance office said.\n\n"
                          "The parks department gets two new crews for the summer season.\n\n" P_END,
                          HEADLINE LEAD
                          "Property taxes will stay flat for a third year, the finance office said, "
                          "and the parks department gets two new crews for the summer season.\n\n" P_END);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_MERGED), 1));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_REMOVED), 0));
    const dl_diff_block *e = find_kind(d.diff, DL_DIFF_MERGED);
    cr_assert(eq(sz, e->old_count, 2));
    cr_assert(eq(sz, e->new_count, 1));
    cr_assert(e->words.count > 0, "a merge carries its word diff");
    diffed_free(&d);
}

Test(diff_blocks, rewrapped_lines_and_spacing_are_not_edits)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD
                          "Property taxes will stay flat for a third year,\r\naccording to the  finance "
                          "office, which presented\nthe numbers.\n\n" P_PARKS P_QUOTE P_LIBRARY P_END);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_UNCHANGED), 6));
    cr_assert(eq(sz, d.diff->stats.whitespace_only, 1));
    cr_assert(d.diff->blocks[1].whitespace_only);
    cr_assert(eq(str, d.summary, "whitespace only"));
    diffed_free(&d);
}

Test(diff_blocks, an_unrelated_rewrite_is_a_removal_and_an_addition)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD
                          "Snow is expected in the mountain passes by Friday night.\n\n" P_PARKS P_QUOTE
                          P_LIBRARY P_END);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_EDITED), 0));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_ADDED), 1));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_REMOVED), 1));
    diffed_free(&d);
}

Test(diff_blocks, an_empty_article_against_a_full_one_adds_everything)
{
    diffed d = diff_texts("", BASE);
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_ADDED), 6));
    cr_assert(d.diff->headline != NULL);
    cr_assert(d.diff->headline->old_text == NULL);
    cr_assert(eq(sz, d.diff->stats.quotations_added, 1));
    diffed_free(&d);

    d = diff_texts(BASE, "");
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_REMOVED), 6));
    cr_assert(d.diff->headline != NULL && d.diff->headline->new_text == NULL);
    cr_assert(eq(i64, d.diff->stats.words_delta, -(long long)d.old->stats.words));
    diffed_free(&d);
}

Test(diff_blocks, ranges_point_at_each_version_s_bytes)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_PARKS P_QUOTE P_LIBRARY P_TAXES P_END);
    const dl_diff_block *e = find_kind(d.diff, DL_DIFF_MOVED);
    cr_assert(eq(u32, e->old_range.start_byte, d.old->blocks[1].span.range.start_byte));
    cr_assert(eq(u32, e->new_range.start_byte, d.new->blocks[4].span.range.start_byte));
    diffed_free(&d);
}
