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

/* ------------------------------------------------------------ trivial -- */

/* The code points of a word, at most `max`; -1 when it has more, or a
 * digit (a changed number is a changed fact, never a typo). */
static int word_points(uint32_t *out, size_t max, const char *text, size_t size)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0, i = 0;
    while (i < size) {
        if (n == max || (s[i] >= '0' && s[i] <= '9'))
            return -1;
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if (len > size - i)
            len = size - i;
        uint32_t point = len == 1 ? c : (uint32_t)(c & (0x7F >> len));
        for (size_t k = 1; k < len; k++)
            point = (point << 6) | (s[i + k] & 0x3F);
        out[n++] = point;
        i += len;
    }
    return (int)n;
}

/* A word's run without the white space a word diff folds around it. */
static void trim_space(const char **text, size_t *size)
{
    size_t space;
    while (*size > 0 && (space = dl_text_space_length(*text, *size)) > 0) {
        *text += space;
        *size -= space;
    }
    while (*size > 0 && ((*text)[*size - 1] == ' ' || (*text)[*size - 1] == '\n' ||
                         (*text)[*size - 1] == '\r' || (*text)[*size - 1] == '\t'))
        (*size)--;
}

/* Whether two words are one keystroke apart: one character inserted,
 * deleted or replaced, or two neighbours swapped ("teh" -> "the"). */
static int one_keystroke(const char *a, size_t a_size, const char *b, size_t b_size)
{
    enum { MAX_POINTS = 64 };
    uint32_t x[MAX_POINTS], y[MAX_POINTS];
    trim_space(&a, &a_size);
    trim_space(&b, &b_size);
    int n = word_points(x, MAX_POINTS, a, a_size), m = word_points(y, MAX_POINTS, b, b_size);
    if (n < 0 || m < 0 || n - m > 1 || m - n > 1)
        return 0;
    int i = 0;
    while (i < n && i < m && x[i] == y[i])
        i++;
    int xe = n, ye = m; /* common suffix, not reaching back past the prefix */
    while (xe > i && ye > i && x[xe - 1] == y[ye - 1]) {
        xe--;
        ye--;
    }
    int left_x = xe - i, left_y = ye - i;
    if (left_x + left_y == 1 || (left_x == 1 && left_y == 1))
        return 1;
    return left_x == 2 && left_y == 2 && x[i] == y[i + 1] && x[i + 1] == y[i];
}

/* What a word diff changed, for the trivial rule: how many of its changes
 * touch words (a run of only white space and punctuation does not), and
 * whether those are exactly one word replaced by a word one keystroke
 * away. Returns 1 while the change can still be trivial. */
typedef struct {
    size_t word_changes;
} trivial_state;

static int words_trivial(trivial_state *state, const dl_diff_words *words)
{
    for (size_t i = 0; i < words->count; i++) {
        const dl_diff_word *op = &words->ops[i];
        if (op->op == DL_DIFF_EQUAL || dl_article_count_words(op->text, op->size) == 0)
            continue;
        const dl_diff_word *next = i + 1 < words->count ? &words->ops[i + 1] : NULL;
        if (state->word_changes > 0 || next == NULL || next->op == DL_DIFF_EQUAL ||
            next->op == op->op || dl_article_count_words(op->text, op->size) != 1 ||
            dl_article_count_words(next->text, next->size) != 1 ||
            !one_keystroke(op->text, op->size, next->text, next->size))
            return 0;
        state->word_changes++;
        i++;
    }
    return 1;
}

/* A changed headline or dek, word by word. */
static int text_trivial(trivial_state *state, const dl_diff_text *change, int *error)
{
    if (change == NULL)
        return 1;
    if (change->old_text == NULL || change->new_text == NULL)
        return 0;
    dl_diff_words words = {0};
    if ((*error = dl_diff_words_compute(&words, change->old_text, strlen(change->old_text),
                                        change->new_text, strlen(change->new_text))) < 0)
        return 0;
    int trivial = words_trivial(state, &words);
    dl_diff_words_dispose(&words);
    return trivial;
}

/*
 * The trivial rule (docs/cli.md, "Trivial versions and sessions"): a
 * version is trivial when, against its parent, no block was added,
 * removed, moved, split or merged, no quotation changed in any way, the
 * byline and dateline are the same, and what changed in the words is only
 * white space, only punctuation, or one word replaced by a word one
 * keystroke away that holds no digit. A coarse diff is never trivial: it
 * does not know. Sets *out; returns 0 or a negative error.
 */
static int is_trivial(int *out, const dl_diff *diff)
{
    *out = 0;
    if (diff->coarse || diff->quotation_count > 0 || diff->byline || diff->dateline)
        return 0;
    trivial_state state = {0};
    int error = 0;
    if (!text_trivial(&state, diff->headline, &error) || !text_trivial(&state, diff->dek, &error))
        return error;
    for (size_t i = 0; i < diff->block_count; i++) {
        const dl_diff_block *block = &diff->blocks[i];
        if (block->kind == DL_DIFF_UNCHANGED)
            continue;
        if (block->kind != DL_DIFF_EDITED || !words_trivial(&state, &block->words))
            return 0;
    }
    *out = 1;
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
                (error = dl_diff_summary(&summary, diff)) < 0 ||
                (error = is_trivial(&out->trivial, diff)) < 0))
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

/* ------------------------------------------------------------ sessions -- */

static int same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Whether `newer` continues the session of `older`, the version before it. */
static int continues(const dl_history_version *newer, const dl_history_version *older)
{
    return strcmp(newer->parent.hex, older->id.hex) == 0 &&
           same_text(newer->author_name, older->author_name) &&
           same_text(newer->author_email, older->author_email) && newer->time >= older->time &&
           newer->time - older->time < DL_HISTORY_SESSION_GAP;
}

void dl_history_log_sessions(dl_history_log *log)
{
    if (log == NULL)
        return;
    /* Oldest first, each version takes the session of the one before it. */
    for (size_t i = log->count; i-- > 0;) {
        dl_history_version *v = &log->versions[i];
        if (i + 1 < log->count && continues(v, &log->versions[i + 1]))
            v->session = log->versions[i + 1].session;
        else
            v->session = v->id;
    }
}
