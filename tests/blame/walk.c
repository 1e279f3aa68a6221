/*
 * Blame walks a history from the latest version back and models only the
 * versions whose edit comes near a text it still follows. These tests
 * generate histories with every kind of edit a writer makes (words,
 * quotations, front matter, moves, splits and joins, re-wraps, paragraphs
 * a quotation runs on through, blocks before the lead, annotations, CRLF
 * line ends, stray quote marks, reverts) and check
 * every answer against the rule of dateline/blame.h computed the plain
 * way: every version modelled, each text followed back version by version.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/blame.h"
#include "../support/history_fixture.h"

TestSuite(blame_walk, .init = fx_setup_story, .fini = fx_teardown);

/* ------------------------------------------------------------ articles -- */

#define MAX_BLOCKS 24
#define MAX_VERSIONS 140

/* An article as a writer edits it: the headline's block and the blocks. */
typedef struct {
    char head[256];
    char blocks[MAX_BLOCKS][512];
    size_t count;
} draft;

static unsigned long long seed;

static unsigned pick(unsigned n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((seed >> 33) % n);
}

/* Paragraphs of every kind the walk must get right, the ones that join
 * paragraphs by a quotation running on and the blocks before a lead. */
static const char *const pool[] = {
    "OLYMPIA, WA – The council approved the budget on Tuesday.",
    "Property taxes will stay flat, the finance office said.",
    "“We will review spending every quarter,” the mayor said.",
    "“We will review spending every month,” the mayor said.",
    "The mayor said: “Nobody loses a job.”",
    "“The first part of a long statement runs on",
    "“and it closes here,” the treasurer said.",
    "“A second paragraph that runs on too",
    "Parks and recreation",
    "- new crews for the summer\n- longer library hours",
    "Editor’s note: An earlier version misstated the date.",
    "(This story was first published by the Olympian.)",
    "By Ann Lee",
    "Library hours return to seven days a week.",
    "A “scare quote” without anyone credited.",
    "“An unclosed quotation that never ends.",
    "The budget takes effect on July 1.",
    "LONDON (Reuters) – “Opening the lead with a quotation,” he said.",
    "Text with {++added++} and {--removed--} words, {~~old~>new~~} “a {==marked==} quote.”",
    "A paragraph with CRLF\r\nline ends and “a quote,” she said.",
    "“Straight quotes\" and a stray “ mark.",
};
#define POOL (sizeof(pool) / sizeof(pool[0]))

static const char *const heads[] = {
    "Council approves budget",
    "Council approves budget\nA dek under the headline",
    "Council approves budget\nBy Ann Lee",
    "Council approves “flat” budget\nBy Ann Lee and Bo Ray",
    "Council passes budget",
};
#define HEADS (sizeof(heads) / sizeof(heads[0]))

static void render(char *out, size_t size, const draft *d)
{
    size_t n = (size_t)snprintf(out, size, "%s", d->head);
    for (size_t i = 0; i < d->count && n < size; i++)
        n += (size_t)snprintf(out + n, size - n, "\n\n%s", d->blocks[i]);
}

static void insert(draft *d, size_t at, const char *text)
{
    if (d->count == MAX_BLOCKS)
        return;
    memmove(d->blocks[at + 1], d->blocks[at], (d->count - at) * sizeof(d->blocks[0]));
    snprintf(d->blocks[at], sizeof(d->blocks[at]), "%s", text);
    d->count++;
}

static void remove_block(draft *d, size_t at)
{
    memmove(d->blocks[at], d->blocks[at + 1], (d->count - at - 1) * sizeof(d->blocks[0]));
    d->count--;
}

/* One edit, as a writer makes them. */
static void edit(draft *d, draft *const *earlier, size_t earlier_count)
{
    size_t at = d->count ? pick((unsigned)d->count) : 0;
    char *b = d->count ? d->blocks[at] : NULL;
    switch (pick(11)) {
    case 0: /* a word added */
        if (b && strlen(b) + 8 < sizeof(d->blocks[0])) {
            char *space = strchr(b + strlen(b) / 2, ' ');
            if (space) {
                memmove(space + 7, space, strlen(space) + 1);
                memcpy(space, " edited", 7);
            }
        }
        break;
    case 1: /* the words of a quotation corrected */
        if (b && strstr(b, "every quarter"))
            snprintf(b, sizeof(d->blocks[0]), "%s", pool[3]);
        else if (b && strstr(b, "every month"))
            snprintf(b, sizeof(d->blocks[0]), "%s", pool[2]);
        break;
    case 2: /* the front matter */
        snprintf(d->head, sizeof(d->head), "%s", heads[pick(HEADS)]);
        break;
    case 3: /* a paragraph moved */
        if (d->count > 1) {
            char moved[512];
            memcpy(moved, b, sizeof(moved));
            remove_block(d, at);
            insert(d, pick((unsigned)d->count + 1), moved);
        }
        break;
    case 4: /* split */
        if (b) {
            char *dot = strstr(b, ", ");
            if (dot && d->count < MAX_BLOCKS) {
                char rest[512];
                snprintf(rest, sizeof(rest), "%s", dot + 2);
                *dot = '\0';
                insert(d, at + 1, rest);
            }
        }
        break;
    case 5: /* join with the next */
        if (b && at + 1 < d->count && strlen(b) + strlen(d->blocks[at + 1]) + 2 < sizeof(d->blocks[0])) {
            strcat(b, " ");
            strcat(b, d->blocks[at + 1]);
            remove_block(d, at + 1);
        }
        break;
    case 6: /* re-wrapped: the same words */
        if (b) {
            char *space = strchr(b, ' ');
            if (space)
                *space = '\n';
        }
        break;
    case 7: /* a paragraph added */
    case 8:
        insert(d, d->count ? pick((unsigned)d->count + 1) : 0, pool[pick(POOL)]);
        break;
    case 9: /* a paragraph removed */
        if (b && d->count > 1)
            remove_block(d, at);
        break;
    default: /* back to an earlier version: its texts come back */
        if (earlier_count > 0)
            *d = *earlier[pick((unsigned)earlier_count)];
        break;
    }
}

/* ------------------------------------------------------ the plain rule -- */

/* A text with whitespace runs as one space, none at either end. */
static char *words(const char *text, size_t size)
{
    char *out = malloc(size + 1);
    size_t n = 0;
    int space = 0;
    for (size_t i = 0; i < size; i++) {
        char c = text[i];
        if (c == ' ' || (c >= '\t' && c <= '\r')) {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = 0;
        out[n++] = c;
    }
    out[n] = '\0';
    return out;
}

/* The front part `part` of `a`, as blame.h defines it, or NULL. */
static const dl_span *front(const dl_article *a, int part)
{
    if (part == DL_BLAME_HEADLINE)
        return a->headline;
    if (part == DL_BLAME_DEK)
        return a->dek;
    for (size_t i = 0; a->byline && i < a->block_count; i++)
        if (a->blocks[i].kind == DL_BLOCK_BYLINE &&
            a->blocks[i].span.range.start_byte == a->byline->range.start_byte)
            return NULL;
    return a->byline;
}

enum { BLOCK, QUOTE, FRONT };

/* Whether `a` holds `text` as a block, a quotation or front part `part`. */
static int holds(const dl_article *a, int kind, int part, const char *text)
{
    int found = 0;
    if (kind == FRONT) {
        const dl_span *span = front(a, part);
        char *w = span ? words(span->text, span->size) : NULL;
        found = w && strcmp(w, text) == 0;
        free(w);
    }
    for (size_t i = 0; kind == BLOCK && i < a->block_count && !found; i++) {
        char *w = words(a->blocks[i].span.text, a->blocks[i].span.size);
        found = strcmp(w, text) == 0;
        free(w);
    }
    for (size_t i = 0; kind == QUOTE && i < a->quotation_count && !found; i++) {
        char *w = words(a->quotations[i].text, strlen(a->quotations[i].text));
        found = strcmp(w, text) == 0;
        free(w);
    }
    return found;
}

/* The oldest version of the unbroken run, back from the latest, holding `text`. */
static size_t plain_origin(dl_article *const *versions, size_t count, int kind, int part,
                           const char *text)
{
    size_t v = count - 1;
    while (v > 0 && holds(versions[v - 1], kind, part, text))
        v--;
    return v;
}

/* Which of the versions `hex` is, for messages; count when none. */
static size_t version_index(char ids[][41], size_t count, const char *hex)
{
    size_t v = 0;
    while (v < count && strcmp(ids[v], hex) != 0)
        v++;
    return v;
}

static void check_against_plain_rule(char ids[][41], dl_article *const *versions, size_t count,
                                     const char *now)
{
    dl_blame *blame = NULL;
    dl_assert_ok(dl_blame_file(&blame, fx_history, now, strlen(now), NULL));
    const dl_article *latest = versions[count - 1];
    cr_assert(eq(sz, blame->count, latest->block_count));
    for (size_t i = 0; i < blame->count; i++) {
        char *w = words(latest->blocks[i].span.text, latest->blocks[i].span.size);
        size_t v = plain_origin(versions, count, BLOCK, 0, w);
        cr_assert(eq(str, blame->lines[i].version.id.hex, ids[v]),
                  "block %zu (%s) of version %zu: blame says version %zu, the rule %zu", i, w,
                  count - 1, version_index(ids, count, blame->lines[i].version.id.hex), v);
        free(w);
    }
    cr_assert(eq(sz, blame->quote_count, latest->quotation_count));
    for (size_t i = 0; i < blame->quote_count; i++) {
        char *w = words(latest->quotations[i].text, strlen(latest->quotations[i].text));
        size_t v = plain_origin(versions, count, QUOTE, 0, w);
        cr_assert(eq(str, blame->quotes[i].version.id.hex, ids[v]),
                  "quotation %zu (%s) of version %zu: blame says version %zu, the rule %zu", i, w,
                  count - 1, version_index(ids, count, blame->quotes[i].version.id.hex), v);
        free(w);
    }
    for (size_t i = 0; i < blame->front_count; i++) {
        int part = (int)blame->front[i].part;
        const dl_span *span = front(latest, part);
        cr_assert(span != NULL);
        char *w = words(span->text, span->size);
        size_t v = plain_origin(versions, count, FRONT, part, w);
        cr_assert(eq(str, blame->front[i].version.id.hex, ids[v]),
                  "front part %d (%s) of version %zu: blame says version %zu, the rule %zu", part,
                  w, count - 1, version_index(ids, count, blame->front[i].version.id.hex), v);
        free(w);
    }
    cr_assert(eq(sz, blame->versions_walked, count));
    dl_blame_free(blame);
}

/* Record `count` generated versions from `first_seed`, checking blame
 * against the plain rule every few versions. */
static void generated_history(unsigned long long first_seed, size_t count)
{
    static draft drafts[MAX_VERSIONS];
    static char ids[MAX_VERSIONS][41];
    static char text[MAX_BLOCKS * 512 + 256];
    draft *earlier[MAX_VERSIONS];
    dl_article *versions[MAX_VERSIONS];
    seed = first_seed;
    draft d = {.count = 0};
    snprintf(d.head, sizeof(d.head), "%s", heads[0]);
    for (size_t i = 0; i < 8; i++)
        insert(&d, d.count, pool[i]);
    char previous[sizeof(text)] = "";
    for (size_t v = 0; v < count; v++) {
        do {
            edit(&d, earlier, v);
            render(text, sizeof(text), &d);
        } while (strcmp(text, previous) == 0);
        snprintf(previous, sizeof(previous), "%s", text);
        drafts[v] = d;
        earlier[v] = &drafts[v];
        snprintf(ids[v], sizeof(ids[v]), "%s", fx_snap(fx_history, text, NULL));
        dl_assert_ok(dl_article_parse(&versions[v], text, strlen(text)));
        if (v % 7 == 6 || v + 1 == count)
            check_against_plain_rule(ids, versions, v + 1, text);
    }
    for (size_t v = 0; v < count; v++)
        dl_article_free(versions[v]);
}

Test(blame_walk, generated_edits_blame_as_the_plain_rule_says, .timeout = 300)
{
    generated_history(1, 120);
}

Test(blame_walk, other_generated_edits_blame_as_the_plain_rule_says, .timeout = 300)
{
    generated_history(0x5eed, 120);
}

Test(blame_walk, a_text_that_comes_back_starts_a_new_run)
{
    const char *a = "Council approves budget\n\nFirst paragraph stays.\n\nSecond paragraph.";
    const char *b = "Council approves budget\n\nFirst paragraph stays.\n\nSecond paragraph, edited.";
    char ids[3][41];
    snprintf(ids[0], 41, "%s", fx_snap(fx_history, a, NULL));
    snprintf(ids[1], 41, "%s", fx_snap(fx_history, b, NULL));
    snprintf(ids[2], 41, "%s", fx_snap(fx_history, a, NULL));
    dl_blame *blame = NULL;
    dl_assert_ok(dl_blame_file(&blame, fx_history, a, strlen(a), NULL));
    cr_assert(eq(sz, blame->count, 2));
    cr_assert(eq(str, blame->lines[0].version.id.hex, ids[0]), "unchanged throughout");
    cr_assert(eq(str, blame->lines[1].version.id.hex, ids[2]), "restored in the third version");
    cr_assert(eq(sz, blame->versions_read, 3));
    dl_blame_free(blame);
}

/* A tree-sitter tree parsed incrementally once left the paragraphs after
 * this re-wrap out of the model, and blame took them for new. */
Test(blame_walk, a_rewrap_between_quotations_that_run_on_changes_nothing_after_it)
{
    const char *wide = "Council approves budget\n\n“The first part runs on\n\n"
                       "“and it closes,” she said. “A second part runs on\n\n“and ends.”";
    const char *wrapped = "Council approves budget\n\n“The first part runs on\n\n"
                          "“and\nit closes,” she said. “A second part runs on\n\n“and ends.”";
    char first[41];
    snprintf(first, sizeof(first), "%s", fx_snap(fx_history, wide, NULL));
    fx_snap(fx_history, wrapped, NULL);
    dl_blame *blame = NULL;
    dl_assert_ok(dl_blame_file(&blame, fx_history, wrapped, strlen(wrapped), NULL));
    cr_assert(eq(sz, blame->count, 3));
    for (size_t i = 0; i < blame->count; i++)
        cr_assert(eq(str, blame->lines[i].version.id.hex, first), "block %zu", i);
    cr_assert(eq(sz, blame->quote_count, 4));
    for (size_t i = 0; i < blame->quote_count; i++)
        cr_assert(eq(str, blame->quotes[i].version.id.hex, first), "quotation %zu", i);
    dl_blame_free(blame);
}
