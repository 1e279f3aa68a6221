#include "support.h"

#include <stdlib.h>
#include <string.h>

/* LeakSanitizer's suppressions (Criterion's record of a skipped test)
 * come from the history fixture, which bounded.c links in. */

diffed diff_texts(const char *old_text, const char *new_text)
{
    diffed d = {0};
    dl_assert_ok(dl_article_parse(&d.old, old_text, strlen(old_text)));
    dl_assert_ok(dl_article_parse(&d.new, new_text, strlen(new_text)));
    dl_assert_ok(dl_diff_articles(&d.diff, d.old, d.new, NULL));
    dl_assert_ok(dl_diff_summary(&d.summary, d.diff));
    return d;
}

void diffed_free(diffed *d)
{
    free(d->summary);
    dl_diff_free(d->diff);
    dl_article_free(d->old);
    dl_article_free(d->new);
}

size_t count_kind(const dl_diff *diff, dl_diff_kind kind)
{
    size_t n = 0;
    for (size_t k = 0; k < diff->block_count; k++)
        n += diff->blocks[k].kind == kind;
    return n;
}

const dl_diff_block *find_kind(const dl_diff *diff, dl_diff_kind kind)
{
    for (size_t k = 0; k < diff->block_count; k++)
        if (diff->blocks[k].kind == kind)
            return &diff->blocks[k];
    return NULL;
}

static char *join_ops(const dl_diff_words *words, dl_diff_op skip)
{
    size_t size = 0;
    for (size_t k = 0; k < words->count; k++)
        size += words->ops[k].op == skip ? 0 : words->ops[k].size;
    char *text = malloc(size + 1), *p = text;
    for (size_t k = 0; k < words->count; k++) {
        if (words->ops[k].op == skip)
            continue;
        memcpy(p, words->ops[k].text, words->ops[k].size);
        p += words->ops[k].size;
    }
    *p = '\0';
    return text;
}

char *words_new_text(const dl_diff_words *words)
{
    return join_ops(words, DL_DIFF_DELETE);
}

char *words_old_text(const dl_diff_words *words)
{
    return join_ops(words, DL_DIFF_INSERT);
}
