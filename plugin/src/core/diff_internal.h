/*
 * dateline — the structural diff's internals, shared by diff.c (alignment),
 * diff_words.c (tokens, Myers) and diff_render.c (JSON, terminal).
 */
#ifndef DATELINE_DIFF_INTERNAL_H
#define DATELINE_DIFF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dateline/diff.h"

typedef enum {
    TOKEN_SPACE, /* a run of whitespace: all such runs compare equal */
    TOKEN_WORD,  /* letters and digits, with inner ' ’ - and digit separators */
    TOKEN_PUNCT, /* one punctuation mark or symbol (one code point) */
} token_kind;

typedef struct {
    uint32_t start; /* byte offset in the tokenised text */
    uint32_t size;
    uint32_t id;    /* interned: equal ids, equal tokens (SPACE_ID for spaces) */
    uint8_t kind;
} token;

#define SPACE_ID 0u

/* Interns byte strings into small dense ids, so that the diff compares
 * integers. One table serves a whole dl_diff_articles call, so ids are
 * comparable across both versions. */
typedef struct {
    struct intern_slot *slots;
    size_t capacity; /* a power of two */
    size_t count;
    uint32_t next_id;
} intern_table;

int dl_diff__intern_init(intern_table *table);
void dl_diff__intern_dispose(intern_table *table);
/* The id of `size` bytes at `bytes` (which must outlive the table), or a
 * negative error. */
int64_t dl_diff__intern(intern_table *table, const void *bytes, size_t size);

uint64_t dl_diff__hash(const void *bytes, size_t size);

/* Split text into tokens, interning words and punctuation. `*out` is
 * malloc'ed (free it); `*count` tokens. */
int dl_diff__tokenize(token **out, size_t *count, intern_table *table, const char *text, size_t size);

/* Myers' diff of two id sequences: marks deleted[i] for a[i] not in the
 * common subsequence and inserted[j] for b[j]. Both arrays zeroed by the
 * caller. Linear space. `budget`: the cells (diagonals visited, snake
 * steps) it may still spend, decreased by what it spends; NULL: no limit.
 * Returns 1 when the budget ran out (the marks are then incomplete), 0 when
 * done, negative on error. */
int dl_diff__myers_diff(uint8_t *deleted, uint8_t *inserted, const uint32_t *a, size_t n,
               const uint32_t *b, size_t m, size_t *budget);

/* Word diff of two tokenised texts (tokens from the same table), within
 * `budget` as for dl_diff__myers_diff. Returns 1 when the budget ran out:
 * `out` then holds the coarse answer, all old text deleted and all new text
 * inserted. */
int dl_diff__words_from_tokens(dl_diff_words *out, const char *old_text, const token *old_tokens,
                      size_t old_count, const char *new_text, const token *new_tokens,
                      size_t new_count, size_t *budget);

/* dl_diff_words_compute within `budget` (see dl_diff__words_from_tokens):
 * returns 1, with the coarse answer in `out`, when it ran out. */
int dl_diff__words_within(dl_diff_words *out, const char *old_text, size_t old_size,
                          const char *new_text, size_t new_size, size_t *budget);

/* The sorted ids of the word tokens: a multiset for Dice similarity. */
int dl_diff__word_bag(uint32_t **out, size_t *count, const token *tokens, size_t token_count);

/* |A ∩ B| of two sorted multisets. */
size_t dl_diff__bag_common(const uint32_t *a, size_t n, const uint32_t *b, size_t m);

/* Dice similarity of two sorted multisets; 1 when both are empty. */
double dl_diff__bag_dice(const uint32_t *a, size_t n, const uint32_t *b, size_t m);

/* Whether two texts are equal once whitespace runs count as one space and
 * leading/trailing whitespace is ignored. NULL equals only NULL. */
int dl_diff__text_equal_normalised(const char *a, const char *b);

/* Hash and equality of texts as dl_diff__text_equal_normalised compares
 * them, with sizes, straight from the bytes: no tokens, no copies. */
uint64_t dl_diff__normalised_hash(const char *text, size_t size);
int dl_diff__normalised_equal(const char *a, size_t a_size, const char *b, size_t b_size);

/* Is the code point starting at s whitespace? Its length in *length. */
int dl_diff__is_space_at(const unsigned char *s, size_t n, size_t *length);

/* Each block's number within its kind, 1-based: ¶ numbers for paragraphs.
 * `*out` has one entry per block of `article` (NULL: none); free it. */
int dl_diff__block_numbers(size_t **out, const dl_article *article);

/* A unit of alignment: a block's comparable text and where the block is. */
typedef struct {
    const char *text;
    size_t size;
    dl_range range;
} diff_unit;

/*
 * Align two sequences of units (dl_diff_articles passes the blocks; blame
 * passes its own). The articles, when given, supply quotations, events and
 * word counts; with both NULL only the block alignment is computed.
 */
int dl_diff__align(dl_diff **out, const diff_unit *old_units, size_t old_count,
               const diff_unit *new_units, size_t new_count, const dl_article *old,
               const dl_article *new_article, const dl_diff_options *opts);

#endif
