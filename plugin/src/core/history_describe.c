/*
 * dateline — what a version changed, as logs show it.
 *
 * This file is the seam between history and the article model: the
 * structural diff describes each change ("¶3 edited; quotation changed
 * (the company)") and the model counts the words.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/article.h"
#include "dateline/diff.h"
#include "dateline/error.h"
#include "dateline/history.h"
#include "dateline/text.h"
#include "history_internal.h"

/*
 * A log describes versions oldest first, and each snapshot follows the one
 * before: the new side of one description is the old side of the next.
 * Each article handle keeps the last article it parsed (used under the
 * store's lock), which halves the parsing, and a parser that keeps that
 * article's syntax tree, so that the next version is parsed only around
 * what changed. The parser's copy of the text it last parsed is the
 * article's text (one copy, not two: each is 100 MB for a 100 MB article).
 */
struct dl_history_parsed {
    dl_article_parser *parser;
    dl_article *article; /* of the parser's text, or NULL */
    git_oid version;     /* whose content the parser's text is, if has_version */
    int has_version;
};

void dl_history__parsed_free(dl_history_parsed *parsed)
{
    if (parsed == NULL)
        return;
    dl_article_parser_free(parsed->parser);
    dl_article_free(parsed->article);
    free(parsed);
}

/* The handle's state, made on first use; NULL when out of memory (the
 * description then parses from scratch). */
static dl_history_parsed *parsed_state(dl_history_parsed **parsed)
{
    if (parsed == NULL)
        return NULL;
    if (*parsed == NULL && (*parsed = calloc(1, sizeof(**parsed))) != NULL &&
        dl_article_parser_new(&(*parsed)->parser) < 0) {
        free(*parsed);
        *parsed = NULL;
    }
    return *parsed;
}

/* Take the kept article if it was parsed from exactly these bytes (the
 * caller then owns it), else NULL. */
static dl_article *take_parsed(dl_history_parsed *parsed, const char *text, size_t size)
{
    size_t kept_size;
    const char *kept = parsed ? dl_article_parser_text(parsed->parser, &kept_size) : NULL;
    if (!kept || !parsed->article || kept_size != size || memcmp(kept, text, size) != 0)
        return NULL;
    dl_article *article = parsed->article;
    parsed->article = NULL;
    return article;
}

/* Parse with the handle's parser when there is one (out of memory: none).
 * The parser's text changes, so the kept article no longer matches it. */
static int parse(dl_article **out, dl_history_parsed *parsed, const char *text, size_t size)
{
    if (!parsed)
        return dl_article_parse(out, text, size);
    dl_article_free(parsed->article);
    parsed->article = NULL;
    parsed->has_version = 0;
    return dl_article_parser_parse(out, parsed->parser, text, size);
}

/* Keep `article`, the model of the parser's last text, for the next
 * description. Returns 1 when the handle took it, 0 when the caller keeps
 * ownership. */
static int keep_parsed(dl_history_parsed *parsed, dl_article *article)
{
    if (parsed == NULL)
        return 0;
    dl_article_free(parsed->article);
    parsed->article = article;
    parsed->has_version = 0;
    return 1;
}

/* Whether the model can read `data`: UTF-8 without a NUL byte. The check's
 * message is not an error here, only the answer. */
static int is_text(const char *data, size_t size)
{
    int text = dl_text_check(data, size, "content") == 0;
    dl_error_clear();
    return text;
}

/* "1,234": sizes in summaries are read by people. */
static void format_count(char *out, size_t out_size, size_t n)
{
    char digits[32];
    int length = snprintf(digits, sizeof(digits), "%zu", n);
    size_t o = 0;
    for (int i = 0; i < length && o + 2 < out_size; i++) {
        if (i > 0 && (length - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* Words in `text` by the model's count, or 0 when it is not text. */
static int count_words(size_t *out, const char *text, size_t size)
{
    *out = 0;
    if (text == NULL || !is_text(text, size))
        return 0;
    dl_article *article = NULL;
    int error = dl_article_parse(&article, text, size);
    if (error == 0)
        *out = article->stats.words;
    dl_article_free(article);
    return error;
}

/*
 * A change with a side the model cannot read (a NUL byte, invalid UTF-8):
 * the bytes are recorded all the same, and the summary is a plain
 * statement instead of the structural diff's. Such a version has no words.
 */
static int describe_not_text(dl_history_parsed *parsed, dl_history_change *out,
                             const char *old, size_t old_size, const char *new_content,
                             size_t new_size, int new_text)
{
    size_t before = 0, after = 0;
    int error;
    if ((error = count_words(&before, old, old_size)) < 0 ||
        (error = count_words(&after, new_content, new_size)) < 0)
        return error;
    char bytes[48], summary[96];
    format_count(bytes, sizeof(bytes), new_size);
    if (new_text)
        snprintf(summary, sizeof(summary), "text again: %s bytes (was binary content)", bytes);
    else
        snprintf(summary, sizeof(summary), "not text: %s bytes (binary content)", bytes);
    if ((out->summary = strdup(summary)) == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    out->words = after;
    out->words_delta = (long long)after - (long long)before;
    out->not_text = !new_text;
    /* The parser's text is about to be marked as this version's content
     * (dl_history__parsed_is); it is not, so the parser starts over with
     * none, and the kept article goes with it. */
    if (parsed != NULL) {
        dl_article_parser *fresh = NULL;
        if ((error = dl_article_parser_new(&fresh)) < 0)
            return error;
        dl_article_parser_free(parsed->parser);
        parsed->parser = fresh;
        dl_article_free(parsed->article);
        parsed->article = NULL;
        parsed->has_version = 0;
    }
    return 0;
}

/*
 * The change between two versions, from the article model and the
 * structural diff: words are the model's count (dl_article_count_words:
 * runs holding a letter or digit, so a lone dash is not a word), the
 * summary is dl_diff_summary's one line. A first version has no summary.
 */
static int describe(dl_history_parsed **handle, dl_history_change *out, const char *old,
                    size_t old_size, const char *new_content, size_t new_size)
{
    dl_history_parsed *parsed = parsed_state(handle);
    dl_article *before = NULL, *after = NULL;
    int own_before = 0, own_after = 0;
    dl_diff *diff = NULL;
    char *summary = NULL;
    int error = 0;
    int new_text = is_text(new_content, new_size);
    if (!new_text || (old && !is_text(old, old_size)))
        return describe_not_text(parsed, out, old, old_size, new_content, new_size, new_text);
    if (old) {
        own_before = 1;
        if (!(before = take_parsed(parsed, old, old_size)) &&
            (error = parse(&before, parsed, old, old_size)) < 0)
            goto done;
    }
    if ((error = parse(&after, parsed, new_content, new_size)) < 0)
        goto done;
    own_after = 1;
    if (old && ((error = dl_diff_articles(&diff, before, after, NULL)) < 0 ||
                (error = dl_diff_summary(&summary, diff)) < 0))
        goto done;
    out->words = after->stats.words;
    out->words_delta = (long long)after->stats.words - (long long)(before ? before->stats.words : 0);
    out->summary = summary;
    summary = NULL;
    /* The old side goes as soon as the summary is made: with a 100 MB
     * article each model is hundreds of MB. */
    dl_diff_free(diff);
    diff = NULL;
    if (own_before)
        dl_article_free(before);
    own_before = 0;
    own_after = !keep_parsed(parsed, after);
done:
    free(summary);
    dl_diff_free(diff);
    if (own_before)
        dl_article_free(before);
    if (own_after)
        dl_article_free(after);
    return error;
}

int dl_history_describe(dl_history_change *out, const char *old, size_t old_size,
                        const char *new_content, size_t new_size)
{
    /* Even once, the new side parses faster from the old side's tree. */
    dl_history_parsed *temporary = NULL;
    int error = describe(&temporary, out, old, old_size, new_content, new_size);
    dl_history__parsed_free(temporary);
    return error;
}

int dl_history__describe(dl_history *history, dl_history_change *out, const char *old,
                         size_t old_size, const char *new_content, size_t new_size)
{
    return describe(&history->parsed, out, old, old_size, new_content, new_size);
}

void dl_history__parsed_is(dl_history *history, const git_oid *version)
{
    size_t size;
    if (history->parsed != NULL && dl_article_parser_text(history->parsed->parser, &size)) {
        git_oid_cpy(&history->parsed->version, version);
        history->parsed->has_version = 1;
    }
}

const char *dl_history__parsed_text(dl_history *history, const git_oid *version, size_t *size)
{
    dl_history_parsed *parsed = history->parsed;
    if (parsed == NULL || !parsed->has_version || !git_oid_equal(&parsed->version, version))
        return NULL;
    return dl_article_parser_text(parsed->parser, size);
}

void dl_history_change_dispose(dl_history_change *change)
{
    if (change == NULL)
        return;
    free(change->summary);
    change->summary = NULL;
}
