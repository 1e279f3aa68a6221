/*
 * dateline — which text files are articles (detect.h).
 *
 * An article is a short headline line standing alone, then paragraphs of
 * prose; the article model says where the headline, the dateline, the
 * byline and the paragraphs are. Other text files that also look like that
 * at a glance give themselves away by lines no article has: markdown
 * headings and fences, underlined titles, Vim help tags and modelines,
 * licence boilerplate, mail-style header fields, indented code, changelog
 * sign-offs. Those are looked for first, on lines, before the model is
 * built.
 */
#include "dateline/detect.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/article.h"
#include "dateline/error.h"
#include "dateline/text.h"

/* The headline is one line of at most this many bytes and words. */
#define HEADLINE_MAX_BYTES 200
#define HEADLINE_MAX_WORDS 30
/* A paragraph of at least this many words that ends like a sentence is
 * prose; list items, labels, figures and code are not. */
#define PROSE_MIN_WORDS 12
/* After a dateline, whose words count, a short lead is still one. */
#define DATELINE_LEAD_MIN_WORDS 6
/* Only the top of a long file is looked at for signs of other text: an
 * article's first screens are what tell it apart. */
#define SCAN_LINES 400
/* The marker is looked for in this many lines at the top and at the end. */
#define MARKER_LINES 5
/* More than this share (in percent) of indented lines is code or a
 * formatted document. */
#define INDENTED_PERCENT 25

typedef struct {
    const char *start;
    size_t length;
} line;

/* The next line of [*at, end) without its line end (LF or CRLF). */
static bool next_line(line *out, const char **at, const char *end)
{
    if (*at >= end)
        return false;
    const char *newline = memchr(*at, '\n', (size_t)(end - *at));
    const char *stop = newline ? newline : end;
    out->start = *at;
    out->length = (size_t)(stop - *at);
    if (out->length > 0 && out->start[out->length - 1] == '\r')
        out->length--;
    *at = newline ? newline + 1 : end;
    return true;
}

static bool is_blank(const line *l)
{
    for (size_t i = 0; i < l->length; i++)
        if (l->start[i] != ' ' && l->start[i] != '\t')
            return false;
    return true;
}

static bool starts_with(const line *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l->length >= n && memcmp(l->start, prefix, n) == 0;
}

static bool contains(const line *l, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= l->length; i++)
        if (memcmp(l->start + i, needle, n) == 0)
            return true;
    return false;
}

/* A line of only = - ~ ^ * or # characters (three or more): a title's
 * underline or a rule, when text stands right above it. */
static bool is_rule(const line *l)
{
    if (l->length < 3)
        return false;
    char c = l->start[0];
    if (!strchr("=-~^*#_", c))
        return false;
    for (size_t i = 0; i < l->length; i++)
        if (l->start[i] != c && l->start[i] != ' ')
            return false;
    return true;
}

/* `*tag*` or `|link|` of a Vim help file: a word between two of the same
 * marks with no space inside, a space or line edge outside. */
static bool has_help_tag(const line *l)
{
    for (size_t i = 0; i < l->length; i++) {
        char c = l->start[i];
        if ((c != '*' && c != '|') || (i > 0 && l->start[i - 1] != ' ' && l->start[i - 1] != '\t'))
            continue;
        size_t j = i + 1;
        while (j < l->length && l->start[j] != c && l->start[j] != ' ')
            j++;
        if (j < l->length && l->start[j] == c && j > i + 1 &&
            (j + 1 == l->length || l->start[j + 1] == ' ' || l->start[j + 1] == '\t'))
            return true;
    }
    return false;
}

/* `Field-Name: value` of mail-style headers, Debian control files and
 * copyright files: a first word of letters, digits and hyphens, a colon. */
static bool is_header_field(const line *l)
{
    size_t i = 0;
    if (l->length == 0 || !(l->start[0] >= 'A' && l->start[0] <= 'Z'))
        return false;
    while (i < l->length && ((l->start[i] >= 'A' && l->start[i] <= 'Z') ||
                             (l->start[i] >= 'a' && l->start[i] <= 'z') ||
                             (l->start[i] >= '0' && l->start[i] <= '9') || l->start[i] == '-'))
        i++;
    return i < l->length && l->start[i] == ':' &&
           (i + 1 == l->length || l->start[i + 1] == ' ');
}

/* Phrases of software licences and notices; no news story prints them. */
static const char *const LICENCE_PHRASES[] = {
    "Permission is hereby granted",
    "WITHOUT ANY WARRANTY",
    "WITHOUT WARRANTIES",
    "THE SOFTWARE IS PROVIDED",
    "Redistribution and use in source and binary forms",
    "Licensed under the",
    "GENERAL PUBLIC LICENSE",
    "SPDX-License-Identifier",
    "Copyright (C)",
    "Copyright (c)",
    "This program is free software",
    "This library is free software",
    NULL,
};

/* A Vim or Emacs modeline: `vim:`, `vi:` or `ex:` at the start of the line
 * or after a space, or `-*-`. */
static bool is_modeline(const line *l)
{
    static const char *const starts[] = {"vim:", "vi:", "ex:", "vim600:", NULL};
    for (size_t i = 0; i < l->length; i++) {
        if (i > 0 && l->start[i - 1] != ' ' && l->start[i - 1] != '\t')
            continue;
        line rest = {l->start + i, l->length - i};
        for (const char *const *s = starts; *s; s++)
            if (starts_with(&rest, *s))
                return true;
    }
    return contains(l, "-*-");
}

static bool is_marker(const line *l)
{
    return contains(l, "dateline: article");
}

/* Signs, on the lines at the top of the file, of a text that is not an
 * article. */
static bool has_markup(const char *text, size_t size)
{
    const char *at = text, *end = text + size;
    line l, previous = {text, 0};
    size_t lines = 0, nonblank = 0, indented = 0, header_fields = 0;
    while (lines < SCAN_LINES && next_line(&l, &at, end)) {
        lines++;
        if (is_blank(&l)) {
            previous = l;
            continue;
        }
        nonblank++;
        if (l.start[0] == ' ' || l.start[0] == '\t')
            indented++;
        if ((starts_with(&l, "# ") || starts_with(&l, "## ") || starts_with(&l, "```") ||
             starts_with(&l, "~~~") || starts_with(&l, ".. ") || starts_with(&l, "%%") ||
             starts_with(&l, " -- ") || starts_with(&l, "#!")))
            return true;
        if (is_rule(&l) && !is_blank(&previous) && previous.length > 0)
            return true;
        if (has_help_tag(&l) || is_modeline(&l) || contains(&l, "``") || contains(&l, ":`") ||
            contains(&l, "]("))
            return true;
        for (const char *const *phrase = LICENCE_PHRASES; *phrase; phrase++)
            if (contains(&l, *phrase))
                return true;
        if (lines <= 10 && is_header_field(&l) && ++header_fields >= 2)
            return true;
        previous = l;
    }
    return nonblank > 0 && indented * 100 > nonblank * INDENTED_PERCENT;
}

static bool has_marker(const char *text, size_t size)
{
    const char *at = text, *end = text + size;
    line l;
    size_t count = 0;
    while (count < MARKER_LINES && next_line(&l, &at, end)) {
        if (is_marker(&l))
            return true;
        count++;
    }
    /* The last lines: walk back over MARKER_LINES line ends. */
    const char *from = end;
    for (size_t ends = 0; from > text && ends <= MARKER_LINES; from--)
        if (from[-1] == '\n')
            ends++;
    at = from;
    while (next_line(&l, &at, end))
        if (is_marker(&l))
            return true;
    return false;
}

/* The last byte of a block's text that is not a space or line end. */
static char last_char(const char *text, size_t n)
{
    while (n > 0 && strchr(" \t\r\n", text[n - 1]))
        n--;
    return n ? text[n - 1] : '\0';
}

/* A paragraph of prose: at least `min_words` words, and it ends like a
 * sentence (a full stop, ? or !, a closing quote mark or parenthesis, or the
 * colon before a list or table). The closing quote marks are UTF-8, so
 * their last byte. */
static bool is_prose(const dl_block *block, uint32_t min_words)
{
    if (block->kind != DL_BLOCK_PARAGRAPH || block->words < min_words)
        return false;
    char c = last_char(block->span.text, block->span.size);
    return strchr(".?!:\")'", c) || (unsigned char)c == 0x9D /* ” */ ||
           (unsigned char)c == 0x99 /* ’ */;
}

/* Words that end with a full stop in a headline: "Acme buys Widget Inc." */
static const char *const HEADLINE_ABBREVIATIONS[] = {
    " Inc.", " Co.", " Corp.", " Ltd.", " Jr.", " Sr.", " Bros.", " St.", NULL,
};

/* Whether a headline's full stop ends an abbreviation, not a sentence: a
 * known one, or a last word with a full stop inside ("U.S."). */
static bool ends_with_abbreviation(const char *t, size_t n)
{
    for (const char *const *a = HEADLINE_ABBREVIATIONS; *a; a++) {
        size_t k = strlen(*a);
        if (n >= k && memcmp(t + n - k, *a, k) == 0)
            return true;
    }
    for (size_t i = n - 1; i-- > 0 && t[i] != ' ';)
        if (t[i] == '.')
            return true;
    return false;
}

/* A headline: one short line of words standing alone, not a sentence (a
 * headline has no full stop), not markup. */
static bool is_headline(const dl_span *headline)
{
    if (!headline || headline->range.start_line != 0 || headline->range.end_line != 0)
        return false;
    const char *t = headline->text;
    size_t n = headline->size;
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    if (n == 0 || n > HEADLINE_MAX_BYTES)
        return false;
    if (strchr("#*=-_~[<{|/>+.`$%&!(", t[0]))
        return false;
    if (t[n - 1] == '.' && !ends_with_abbreviation(t, n))
        return false;
    return dl_article_count_words(t, n) <= HEADLINE_MAX_WORDS;
}

/* Whether the line under the first one goes on with its sentence (a
 * hard-wrapped paragraph): it starts with a lower-case letter or a mark
 * other than a quote, where a dek, byline or timestamp starts with a capital,
 * a digit, a quote mark or "by". */
static bool first_line_runs_on(const char *text, size_t size)
{
    const char *at = text, *end = text + size;
    line first, second;
    if (!next_line(&first, &at, end) || !next_line(&second, &at, end) || is_blank(&second))
        return false;
    unsigned char c = (unsigned char)second.start[0];
    if (starts_with(&second, "by ") || starts_with(&second, "\xe2\x80\x9c") ||
        (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '"' || c >= 0x80)
        return false;
    return true;
}

/* Whether most lines of the body are hard-wrapped: followed by another
 * line of their block. Documents are wrapped at 72 or 80 columns; stories
 * keep a paragraph on one line, so a wrapped text needs stronger signs (a
 * dateline or a byline) to be taken for one. */
static bool is_hard_wrapped(const char *text, size_t size)
{
    const char *at = text, *end = text + size;
    line l, previous = {text, 0};
    size_t lines = 0, nonblank = 0, wrapped = 0;
    bool in_body = false;
    while (lines < SCAN_LINES && next_line(&l, &at, end)) {
        lines++;
        if (is_blank(&l)) {
            in_body = true;
        } else if (in_body) {
            nonblank++;
            wrapped += !is_blank(&previous);
        }
        previous = l;
    }
    return wrapped * 2 > nonblank;
}

int dl_detect_text(dl_detect_result *out, const char *text, size_t size)
{
    dl_detect_result result = {false, DL_DETECT_NOT_TEXT};
    dl_article *article = NULL;
    int error = 0;

    if (dl_text_check(text, size, "text") < 0)
        goto done;
    if (has_marker(text, size)) {
        result = (dl_detect_result){true, DL_DETECT_MARKER};
        goto done;
    }
    /* Leading blank lines or spaces before the first line: not a headline. */
    if (size == 0 || text[0] == ' ' || text[0] == '\t' || text[0] == '\n' || text[0] == '\r') {
        result.reason = DL_DETECT_NO_HEADLINE;
        goto done;
    }
    if (has_markup(text, size)) {
        result.reason = DL_DETECT_MARKUP;
        goto done;
    }
    if ((error = dl_article_parse(&article, text, size)) < 0)
        goto done;
    if (!is_headline(article->headline) || first_line_runs_on(text, size)) {
        result.reason = DL_DETECT_NO_HEADLINE;
        goto done;
    }

    size_t prose = 0, early_prose = 0, counted = 0;
    for (size_t i = 0; i < article->block_count; i++) {
        const dl_block *block = &article->blocks[i];
        if (block->kind == DL_BLOCK_BYLINE || block->kind == DL_BLOCK_TIMESTAMP)
            continue;
        counted++;
        bool dated = article->dateline &&
                     article->dateline->range.start_byte >= block->span.range.start_byte &&
                     article->dateline->range.end_byte <= block->span.range.end_byte;
        if (is_prose(block, dated ? DATELINE_LEAD_MIN_WORDS : PROSE_MIN_WORDS)) {
            prose++;
            early_prose += counted <= 4;
        }
    }
    result.reason = DL_DETECT_NO_PROSE;
    if (early_prose == 0)
        goto done;
    if (article->dateline)
        result = (dl_detect_result){true, DL_DETECT_DATELINE};
    else if (article->byline)
        result = (dl_detect_result){true, DL_DETECT_BYLINE};
    else if (prose * 3 >= counted && !is_hard_wrapped(text, size))
        result = (dl_detect_result){true, DL_DETECT_PROSE};

done:
    dl_article_free(article);
    if (error < 0)
        return error;
    *out = result;
    return 0;
}

/* Whether `path` lies under `dir` (as strings: "dir/..." or "dir" + "/"). */
static bool is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return n > 0 && strncmp(path, dir, n) == 0 && (path[n] == '/' || dir[n - 1] == '/');
}

int dl_detect_file(dl_detect_result *out, const char *path, const dl_detect_options *options)
{
    if (options && options->version != DL_DETECT_OPTIONS_VERSION)
        return dl_error_set(DL_EINVALID, "detect options: unknown version %u", options->version);
    for (size_t i = 0; options && i < options->dir_count; i++) {
        if (is_under(path, options->dirs[i])) {
            *out = (dl_detect_result){true, DL_DETECT_DIRECTORY};
            return 0;
        }
    }
    char *text = NULL;
    size_t size = 0;
    int error = dl_text_read_file(&text, &size, path);
    if (error == 0)
        error = dl_detect_text(out, text, size);
    free(text);
    return error;
}

static const struct {
    const char *name, *text;
} reasons[] = {
    [DL_DETECT_MARKER] = {"marker", "it has a `dateline: article` marker line"},
    [DL_DETECT_DIRECTORY] = {"directory", "it is in an article folder"},
    [DL_DETECT_DATELINE] = {"dateline", "a headline, then a prose lead that opens with a dateline"},
    [DL_DETECT_BYLINE] = {"byline", "a headline and a byline, then prose"},
    [DL_DETECT_PROSE] = {"prose", "a headline, then mostly prose paragraphs"},
    [DL_DETECT_NOT_TEXT] = {"not_text", "it is not UTF-8 text"},
    [DL_DETECT_NO_HEADLINE] = {"no_headline", "its first line is not a headline standing alone"},
    [DL_DETECT_MARKUP] = {"markup", "it has markup, code, help tags, a licence or a changelog"},
    [DL_DETECT_NO_PROSE] = {"no_prose", "too little prose after the headline"},
};

const char *dl_detect_reason_name(dl_detect_reason reason)
{
    return (size_t)reason < sizeof(reasons) / sizeof(reasons[0]) ? reasons[reason].name : "";
}

const char *dl_detect_reason_text(dl_detect_reason reason)
{
    return (size_t)reason < sizeof(reasons) / sizeof(reasons[0]) ? reasons[reason].text : "";
}
