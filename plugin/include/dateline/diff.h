/*
 * dateline — structural diff of two versions of an article.
 *
 * Paragraphs are the unit: every block of dl_article.blocks (paragraphs,
 * subheads, lists, the byline block, editor's notes) of the old version is
 * aligned with the blocks of the new one. A block is
 *
 *   unchanged  same text (after whitespace normalisation), same order
 *   moved      same text, but out of order — reported once, not as a
 *              removal plus an addition
 *   edited     similar enough to be the same paragraph (see below), with a
 *              word-level diff
 *   split      one old block became two consecutive new ones
 *   merged     two consecutive old blocks became one
 *   added / removed
 *
 * Texts are compared normalised: every run of whitespace (CRLF, LF, tabs,
 * double spaces, a re-wrapped line) counts as one space, and leading and
 * trailing whitespace is ignored. So re-wrapping is not an edit: a block
 * whose bytes differ only in whitespace is *unchanged* (counted in
 * stats.whitespace_only so a log can still say why a version exists).
 *
 * Similarity is the Dice coefficient of the two blocks' word multisets,
 * 2·|A∩B| / (|A|+|B|), words compared exactly (case and punctuation
 * inside a word count). Pairs at or above dl_diff_options.similarity
 * (default 0.5: half of the words shared) are "edited"; the most similar
 * pairs are taken first. A split is taken instead when the old block is
 * more similar to the two new blocks together than to either alone and most
 * words of each new block come from it; merges likewise.
 *
 * The headline, dek, byline and dateline are compared on their own and
 * reported as events. The dateline opens the first paragraph and the byline
 * opens its block: both are left out of their block's comparison, so a
 * changed dateline is reported once, as a dateline change.
 *
 * Quotations are matched between versions by equal text first (wherever
 * they are: a quotation in a moved paragraph is unchanged), then by
 * similarity within aligned blocks. What is left is added or removed. A
 * matched quotation with the same words but another speaker is
 * "reattributed".
 *
 * The word diff is Myers' O(ND) algorithm (linear-space variant) over
 * tokens: words, single punctuation marks and whitespace runs, so the ops
 * render back exactly — concatenating the text of the equal and insert ops
 * gives the new text (equal ops carry the new side's whitespace).
 *
 * Every diff has a budget (dl_diff_options.budget): a fixed number of cells
 * of work — diagonals and snake steps of Myers, words merged when weighing
 * block pairs, quotations looked at — shared by all the steps. Everything
 * else is linear in the articles' size. A step that would overspend takes
 * its coarse answer instead and the diff says so (dl_diff.coarse): block
 * alignment keeps only the common first and last blocks, pairs are not
 * weighed (the rest is added and removed: "rewritten"), a word diff
 * replaces the text as a whole. Cells, not time: the same versions always
 * get the same answer. An edit of a few paragraphs, however long the
 * article, stays well inside the budget and gets the exact answer.
 */
#ifndef DATELINE_DIFF_H
#define DATELINE_DIFF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dateline/article.h"

/** An index that is absent (a removed block has no new index). */
#define DL_DIFF_NONE SIZE_MAX

typedef enum {
    DL_DIFF_UNCHANGED,
    DL_DIFF_ADDED,
    DL_DIFF_REMOVED,
    DL_DIFF_MOVED,
    DL_DIFF_EDITED,
    DL_DIFF_SPLIT,
    DL_DIFF_MERGED,
} dl_diff_kind;

typedef enum {
    DL_DIFF_EQUAL,
    DL_DIFF_INSERT,
    DL_DIFF_DELETE,
} dl_diff_op;

/** One run of tokens of a word diff. `text` is NUL-terminated, `size` bytes. */
typedef struct {
    dl_diff_op op;
    char *text;
    size_t size;
} dl_diff_word;

/** A word diff: the ops in order. */
typedef struct {
    dl_diff_word *ops;
    size_t count;
} dl_diff_words;

/** One entry of the block alignment. */
typedef struct {
    dl_diff_kind kind;
    /** Index into the old / new article's blocks, DL_DIFF_NONE when absent. */
    size_t old_index;
    size_t new_index;
    /** How many consecutive blocks from old_index / new_index: 1, 2 for the
     *  two sides of a merge (old) or split (new), 0 when absent. */
    size_t old_count;
    size_t new_count;
    /** What the first block of each side is, and its number as people count
     *  it (as `dateline outline` does): paragraphs are ¶1, ¶2, ... counting
     *  paragraphs only; other kinds count within their kind (subhead 2). */
    dl_block_kind old_kind;
    dl_block_kind new_kind;
    size_t old_number;
    size_t new_number;
    /** The blocks' bytes in each version (covering both blocks of a split
     *  or merge); zero when absent. */
    dl_range old_range;
    dl_range new_range;
    /** Dice similarity of the two sides (1 for unchanged and moved). */
    double similarity;
    /** The blocks' bytes differ, but only in whitespace (unchanged, moved). */
    int whitespace_only;
    /** Edited, split, merged: old text → new text, word by word (the two
     *  blocks of a split or merge joined by a blank line). Else empty. */
    dl_diff_words words;
} dl_diff_block;

/** A changed headline, dek, byline or dateline. NULL text: absent. */
typedef struct {
    char *old_text;
    char *new_text;
} dl_diff_text;

typedef enum {
    DL_DIFF_QUOTE_CHANGED,      /**< its words changed: a correction */
    DL_DIFF_QUOTE_REATTRIBUTED, /**< same words, another speaker */
    DL_DIFF_QUOTE_ADDED,
    DL_DIFF_QUOTE_REMOVED,
} dl_diff_quote_change;

typedef struct {
    dl_diff_quote_change change;
    /** Index into the old / new article's quotations, DL_DIFF_NONE when absent. */
    size_t old_quotation;
    size_t new_quotation;
    char *old_text; /**< the words inside the marks; NULL when added */
    char *new_text; /**< NULL when removed */
    char *old_speaker;
    char *speaker; /**< the new speaker (the old one for a removal); NULL: nobody credited */
    /** Block index in each version: DL_NO_BLOCK for the headline or dek,
     *  DL_DIFF_NONE (== DL_NO_BLOCK) when that side is absent. */
    size_t old_block;
    size_t new_block;
    dl_diff_words words; /**< changed: old → new words */
} dl_diff_quotation;

typedef struct {
    size_t unchanged, added, removed, moved, edited, split, merged;
    size_t whitespace_only; /**< unchanged/moved blocks whose bytes differ in whitespace */
    size_t quotations_changed, quotations_reattributed, quotations_added, quotations_removed;
    size_t words_added, words_removed; /**< words inserted and deleted, all blocks */
    long long words_delta;             /**< new article's words minus the old one's */
} dl_diff_stats;

typedef struct {
    /** The alignment in reading order: the new version's blocks in order, each
     *  removed block after the block that now follows its old predecessor. */
    dl_diff_block *blocks;
    size_t block_count;
    /** NULL when unchanged. */
    dl_diff_text *headline;
    dl_diff_text *dek;
    dl_diff_text *byline;
    dl_diff_text *dateline;
    /** Changed, reattributed and added quotations in the new version's
     *  order, then removed ones in the old version's order. */
    dl_diff_quotation *quotations;
    size_t quotation_count;
    dl_diff_stats stats;
    /** Nonzero when the budget ran out and some of this diff is the coarse
     *  answer (see the top of this file); dl_diff_options.exact avoids it. */
    int coarse;
} dl_diff;

typedef struct {
    unsigned int version;
    /** Dice similarity at which two blocks are the same paragraph, edited.
     *  0: DL_DIFF_DEFAULT_SIMILARITY. */
    double similarity;
    /** Only align blocks: no word diffs, no quotations, no events (blame). */
    int blocks_only;
    /** Cells of work the diff may spend before it answers coarsely.
     *  0: DL_DIFF_DEFAULT_BUDGET. */
    size_t budget;
    /** Nonzero: no budget, the full answer however long it takes. */
    int exact;
} dl_diff_options;

#define DL_DIFF_DEFAULT_SIMILARITY 0.5
/** About a tenth of a second of work: far above any edit a writer makes to
 *  a real article, far below a rewrite of a book-length one. */
#define DL_DIFF_DEFAULT_BUDGET ((size_t)20000000)
#define DL_DIFF_OPTIONS_VERSION 1
#define DL_DIFF_OPTIONS_INIT {DL_DIFF_OPTIONS_VERSION, 0.0, 0, 0, 0}

/**
 * Compare two versions of an article. Either may be an empty article (no
 * blocks). `opts` may be NULL. Release with dl_diff_free.
 */
int dl_diff_articles(dl_diff **out, const dl_article *old, const dl_article *new_article,
                     const dl_diff_options *opts);

/** Free a diff. NULL-safe. */
void dl_diff_free(dl_diff *diff);

/**
 * Word-level diff of two texts (whitespace runs compare equal whatever they
 * hold). Equal ops carry the new text's bytes, so equal + insert ops
 * concatenated reproduce `new_text` exactly. Release with dl_diff_words_dispose.
 */
int dl_diff_words_compute(dl_diff_words *out, const char *old_text, size_t old_size,
                          const char *new_text, size_t new_size);

/** Free the ops a dl_diff_words holds (not the struct). NULL-safe. */
void dl_diff_words_dispose(dl_diff_words *words);

/**
 * One-line human summary, e.g. "¶3 edited, ¶5 added, ¶2 moved; quotation
 * changed (the company); headline changed". Numbers are those of
 * dl_diff_block.new_number (old_number for removed blocks). Identical
 * versions give "no changes", whitespace alone "whitespace only". A coarse
 * diff ends in "; coarse summary", and its unpaired blocks read "¶2–¶900
 * rewritten" instead of added and removed. free() it.
 */
int dl_diff_summary(char **out, const dl_diff *diff);

/** A block as people name it: "¶3", "subhead 2", "editor's note 1". */
void dl_diff_block_label(char *out, size_t size, dl_block_kind kind, size_t number);

/** The name of a kind as in JSON: "unchanged", "edited", ... */
const char *dl_diff_kind_name(dl_diff_kind kind);
const char *dl_diff_quote_change_name(dl_diff_quote_change change);

/**
 * The diff as JSON (schema 1; see docs/cli.md "Structural diff and blame"):
 * {"schema", "blocks", "headline", "dek", "byline", "dateline",
 *  "quotations", "summary", "stats", "coarse"}.
 */
int dl_diff_to_json(json_t **out, const dl_diff *diff);

/**
 * A terminal view of the diff: headline, dek, byline and dateline changes
 * first, then changed quotations, then every block by its ¶ number —
 * unchanged ones one line each, edited ones with their words marked.
 * `color`: nonzero for ANSI colours (red deletions, green insertions,
 * yellow quotations, cyan moves); without colour, deletions are shown as
 * [-old-] and insertions as {+new+} (git's --word-diff=plain markers).
 */
int dl_diff_print(FILE *out, const dl_diff *diff, const dl_article *old,
                  const dl_article *new_article, int color);

#endif
