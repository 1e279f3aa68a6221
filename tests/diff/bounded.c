/*
 * The structural diff's budget: a save's history work stays bounded
 * however large the rewrite, and says when its summary is coarse, while
 * ordinary edits of large articles keep the exact answer. The articles are
 * generated from a fixed seed; nothing here measures time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/history_fixture.h"
#include "articles.h"
#include "dateline/history.h"
#include "support.h"

TestSuite(diff_bounded);

/* A deterministic generator (LCG): the same seed, the same article. */
typedef struct {
    unsigned long long state;
} lcg;

static unsigned next_random(lcg *r)
{
    r->state = r->state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(r->state >> 33);
}

static const char *syllables[] = {"ba", "ko", "ri", "tun", "mel", "sa", "do", "fen", "lu", "gar",
                                  "pi", "vos", "te", "nar", "hul", "ci", "mo", "zen", "qua", "ler"};

/* A made-up word of two or three syllables; `vocabulary` bounds how many
 * distinct words there are (small: texts share most of their words). */
static size_t put_word(char *out, lcg *r, unsigned vocabulary)
{
    unsigned w = next_random(r) % vocabulary;
    size_t n = 0;
    for (int s = 0; s < 2 + (int)(w % 2); s++, w /= 20)
        n += (size_t)sprintf(out + n, "%s", syllables[w % 20]);
    return n;
}

/* `paragraphs` paragraphs of `words` words each after a headline and a
 * dateline; every third paragraph ends with an attributed quotation. */
static char *make_article(unsigned long long seed, size_t paragraphs, size_t words)
{
    lcg r = {seed};
    size_t capacity = 256 + paragraphs * (words * 8 + 96);
    char *text = malloc(capacity);
    cr_assert(text != NULL);
    size_t n = (size_t)sprintf(text, "Council approves budget\n\nOLYMPIA, WA – ");
    for (size_t p = 0; p < paragraphs; p++) {
        for (size_t w = 0; w < words; w++) {
            n += put_word(text + n, &r, 8000);
            text[n++] = w + 1 < words ? ' ' : '.';
        }
        if (p % 3 == 2) {
            n += (size_t)sprintf(text + n, " “");
            for (size_t w = 0; w < 6; w++) {
                n += put_word(text + n, &r, 8000);
                text[n++] = ' ';
            }
            n += (size_t)sprintf(text + n, "indeed,” the mayor said.");
        }
        if (p + 1 < paragraphs)
            n += (size_t)sprintf(text + n, "\n\n");
    }
    text[n] = '\0';
    cr_assert(n < capacity);
    return text;
}

/* The same text with " revised" inserted after the first space past `at`. */
static char *insert_word(const char *text, size_t at)
{
    const char *space = strchr(text + at, ' ');
    cr_assert(space != NULL);
    size_t head = (size_t)(space - text), size = strlen(text);
    char *out = malloc(size + sizeof(" revised"));
    cr_assert(out != NULL);
    memcpy(out, text, head);
    memcpy(out + head, " revised", 8);
    memcpy(out + head + 8, text + head, size - head + 1);
    return out;
}

Test(diff_bounded, a_rewritten_large_article_is_recorded_exactly_with_a_coarse_summary)
{
    fx_setup_story();
    /* About 2 MB each, no paragraph in common: pairing every removed
     * paragraph with every added one is what the budget forbids. */
    char *before = make_article(1, 4000, 80), *after = make_article(2, 4000, 80);
    cr_assert(strlen(after) > 2000000);
    fx_snap(fx_history, before, NULL);
    fx_snap(fx_history, after, NULL);

    dl_history_log *log = NULL;
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.max_count = 1;
    dl_assert_ok(dl_history_log_read(&log, fx_history, &options));
    cr_assert(eq(sz, log->count, 1));
    const char *summary = log->versions[0].change.summary;
    cr_assert(summary != NULL);
    cr_assert(strstr(summary, "¶1–¶4000 rewritten") != NULL, "summary: %s", summary);
    cr_assert(strstr(summary, "coarse summary") != NULL, "summary: %s", summary);

    char *stored = NULL;
    size_t size = 0;
    dl_assert_ok(dl_history_read(&stored, &size, fx_history, &log->versions[0].id));
    cr_assert(eq(sz, size, strlen(after)));
    cr_assert(memcmp(stored, after, size) == 0, "the version is the bytes saved");

    free(stored);
    dl_history_log_free(log);
    free(before);
    free(after);
    fx_teardown();
}

Test(diff_bounded, a_one_word_change_in_a_large_article_keeps_the_exact_summary)
{
    char *before = make_article(1, 4000, 80);
    /* Into paragraph 2,000 or so: the middle of the article. */
    char *after = insert_word(before, strlen(before) / 2);
    diffed d = diff_texts(before, after);
    cr_assert(eq(int, d.diff->coarse, 0));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_EDITED), 1));
    cr_assert(eq(sz, count_kind(d.diff, DL_DIFF_UNCHANGED), 3999));
    const dl_diff_block *edited = find_kind(d.diff, DL_DIFF_EDITED);
    char expected[64];
    snprintf(expected, sizeof(expected), "¶%zu edited", edited->new_number);
    cr_assert(eq(str, d.summary, expected));
    cr_assert(eq(sz, d.diff->stats.words_added, 1));
    cr_assert(eq(sz, d.diff->stats.words_removed, 0));
    diffed_free(&d);
    free(before);
    free(after);
}

Test(diff_bounded, one_huge_paragraph_rewritten_is_replaced_as_a_whole)
{
    /* One paragraph of about 200 KB, rewritten with the same small
     * vocabulary: similar enough to be the same paragraph, but nearly every
     * word moved — a word diff of tens of thousands of tokens each way. */
    lcg r = {7};
    size_t words = 30000;
    char *texts[2];
    for (int t = 0; t < 2; t++) {
        char *text = malloc(64 + words * 8);
        cr_assert(text != NULL);
        size_t n = (size_t)sprintf(text, "Council approves budget\n\n");
        for (size_t w = 0; w < words; w++) {
            n += put_word(text + n, &r, 60);
            text[n++] = ' ';
        }
        text[n - 1] = '.';
        text[n] = '\0';
        texts[t] = text;
    }
    cr_assert(strlen(texts[1]) > 150000);
    diffed d = diff_texts(texts[0], texts[1]);
    cr_assert(eq(int, d.diff->coarse, 1));
    const dl_diff_block *edited = find_kind(d.diff, DL_DIFF_EDITED);
    cr_assert(edited != NULL, "still the same paragraph, edited: %s", d.summary);
    /* Replaced as a whole, and the ops still render back to both texts. */
    cr_assert(eq(sz, edited->words.count, 2));
    cr_assert(eq(int, edited->words.ops[0].op, DL_DIFF_DELETE));
    cr_assert(eq(int, edited->words.ops[1].op, DL_DIFF_INSERT));
    char *rendered = words_new_text(&edited->words);
    cr_assert(eq(str, rendered, strstr(texts[1], "\n\n") + 2));
    free(rendered);
    cr_assert(eq(str, d.summary, "¶1 edited; coarse summary"));
    diffed_free(&d);
    free(texts[0]);
    free(texts[1]);
}

/* BASE with ¶2 (taxes) edited, ¶4 (the quote) changed and a paragraph
 * added: a few hundred cells of work. */
#define EDITED                                                                                     \
    HEADLINE LEAD                                                                                  \
        "Property taxes will rise slightly this year, according to the finance office, which "     \
        "presented the numbers.\n\n" P_PARKS                                                       \
        "“We will review spending every month,” the mayor said after the vote.\n\n" P_LIBRARY      \
        "A new paragraph about the budget vote and what happens next in the council.\n\n" P_END

static dl_diff *diff_with(const dl_article *old, const dl_article *new, size_t budget, int exact)
{
    dl_diff_options options = DL_DIFF_OPTIONS_INIT;
    options.budget = budget;
    options.exact = exact;
    dl_diff *diff = NULL;
    dl_assert_ok(dl_diff_articles(&diff, old, new, &options));
    return diff;
}

Test(diff_bounded, exact_gives_the_full_answer_where_the_budget_runs_out)
{
    diffed d = diff_texts(BASE, EDITED); /* the default budget: exact here */
    cr_assert(eq(int, d.diff->coarse, 0));
    cr_assert(eq(str, d.summary, "¶2, ¶4 edited, ¶6 added; quotation changed (the mayor)"));

    dl_diff *starved = diff_with(d.old, d.new, 10, 0);
    char *summary = NULL;
    dl_assert_ok(dl_diff_summary(&summary, starved));
    cr_assert(eq(int, starved->coarse, 1));
    cr_assert(strstr(summary, "coarse summary") != NULL, "summary: %s", summary);
    json_t *json = NULL;
    dl_assert_ok(dl_diff_to_json(&json, starved));
    int flagged = json_is_true(json_object_get(json, "coarse"));
    cr_assert(flagged, "JSON says \"coarse\": true");
    json_decref(json);
    free(summary);
    dl_diff_free(starved);

    dl_diff *exact = diff_with(d.old, d.new, 10, 1);
    dl_assert_ok(dl_diff_summary(&summary, exact));
    cr_assert(eq(int, exact->coarse, 0));
    cr_assert(eq(str, summary, d.summary));
    cr_assert(eq(sz, exact->block_count, d.diff->block_count));
    dl_assert_ok(dl_diff_to_json(&json, exact));
    int unflagged = json_is_false(json_object_get(json, "coarse"));
    cr_assert(unflagged, "JSON says \"coarse\": false");
    json_decref(json);
    free(summary);
    dl_diff_free(exact);
    diffed_free(&d);
}
