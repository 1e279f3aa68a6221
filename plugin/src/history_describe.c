/*
 * dateline — what a version changed, as logs show it.
 *
 * This file is the seam between history and the article model: the
 * structural diff describes each change ("¶3 edited; quotation changed
 * (the company)") and the model counts the words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/article.h"
#include "dateline/diff.h"
#include "dateline/error.h"
#include "dateline/history.h"

/*
 * A log describes versions oldest first, so the new side of one call is the
 * old side of the next: keeping the last parsed article (per thread, so a
 * server's threads do not share it) halves the parsing. The cache owns a
 * copy of the text it was parsed from; a different text replaces it.
 */
static _Thread_local struct {
    char *text;
    size_t size;
    dl_article *article;
} last_parsed;

/* Take the cached article if it was parsed from exactly these bytes (the
 * caller then owns it), else NULL. */
static dl_article *take_cached(const char *text, size_t size)
{
    if (!last_parsed.article || last_parsed.size != size ||
        memcmp(last_parsed.text, text, size) != 0)
        return NULL;
    dl_article *article = last_parsed.article;
    last_parsed.article = NULL;
    return article;
}

/* Keep `article` (parsed from `text`) for the next call. Returns 1 when the
 * cache took it, 0 when the caller keeps ownership (out of memory). */
static int keep_parsed(dl_article *article, const char *text, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, text, size);
    free(last_parsed.text);
    dl_article_free(last_parsed.article);
    last_parsed.text = copy;
    last_parsed.size = size;
    last_parsed.article = article;
    return 1;
}

/*
 * The change between two versions, from the article model and the
 * structural diff: words are the model's count (dl_article_count_words:
 * runs holding a letter or digit, so a lone dash is not a word), the
 * summary is dl_diff_summary's one line. A first version has no summary.
 */
int dl_history_describe(dl_history_change *out, const char *old, size_t old_size,
                        const char *new_content, size_t new_size)
{
    dl_article *before = NULL, *after = NULL;
    int own_before = 0, own_after = 0;
    dl_diff *diff = NULL;
    char *summary = NULL;
    int error = 0;
    if (old) {
        own_before = 1;
        if (!(before = take_cached(old, old_size)) &&
            (error = dl_article_parse(&before, old, old_size)) < 0)
            goto done;
    }
    if ((error = dl_article_parse(&after, new_content, new_size)) < 0)
        goto done;
    own_after = 1;
    if (old && ((error = dl_diff_articles(&diff, before, after, NULL)) < 0 ||
                (error = dl_diff_summary(&summary, diff)) < 0))
        goto done;
    out->words = after->stats.words;
    out->words_delta = (long long)after->stats.words - (long long)(before ? before->stats.words : 0);
    out->summary = summary;
    summary = NULL;
    /* The new side is the next call's old side. */
    own_after = !keep_parsed(after, new_content, new_size);
done:
    free(summary);
    dl_diff_free(diff);
    if (own_before)
        dl_article_free(before);
    if (own_after)
        dl_article_free(after);
    return error;
}

void dl_history_change_dispose(dl_history_change *change)
{
    if (change == NULL)
        return;
    free(change->summary);
    change->summary = NULL;
}
