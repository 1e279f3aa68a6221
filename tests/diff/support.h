/* Helpers for the structural diff suites: parse two texts, diff them. */
#ifndef DL_DIFF_SUPPORT_H
#define DL_DIFF_SUPPORT_H

#include <stddef.h>

#include "../support/dl_test.h"
#include "dateline/article.h"
#include "dateline/diff.h"

typedef struct {
    dl_article *old;
    dl_article *new;
    dl_diff *diff;
    char *summary;
} diffed;

/* Parse both texts and diff them (asserting success); free with diffed_free. */
diffed diff_texts(const char *old_text, const char *new_text);
void diffed_free(diffed *d);

/* How many alignment entries have this kind. */
size_t count_kind(const dl_diff *diff, dl_diff_kind kind);
/* The first entry of this kind, or NULL. */
const dl_diff_block *find_kind(const dl_diff *diff, dl_diff_kind kind);

/* equal + insert ops concatenated (the new text); delete + equal (old text). */
char *words_new_text(const dl_diff_words *words);
char *words_old_text(const dl_diff_words *words);

#endif
