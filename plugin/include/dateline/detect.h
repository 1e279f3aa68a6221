/*
 * dateline — which text files are articles.
 *
 * A reporter saves a story as `story.txt`; a README, a licence or a Vim help
 * file is also `.txt`. These rules decide, once for every front end (the
 * Neovim plugin, `dateline detect`, scripts), from the article model of the
 * text and a few signs of other kinds of text. docs/format.md describes them.
 */
#ifndef DATELINE_DETECT_H
#define DATELINE_DETECT_H

#include <stdbool.h>
#include <stddef.h>

/** Why a text was or was not taken for an article. */
typedef enum {
    DL_DETECT_MARKER,      /**< article: a `dateline: article` line near the top or end */
    DL_DETECT_DIRECTORY,   /**< article: under one of the article folders */
    DL_DETECT_DATELINE,    /**< article: headline, then a prose lead with a dateline */
    DL_DETECT_BYLINE,      /**< article: headline and byline, then prose */
    DL_DETECT_PROSE,       /**< article: headline, then mostly prose paragraphs */
    DL_DETECT_NOT_TEXT,    /**< not: binary, NUL bytes or not UTF-8 */
    DL_DETECT_NO_HEADLINE, /**< not: no short first line standing alone as a headline */
    DL_DETECT_MARKUP,      /**< not: markup, code, a help file, a licence or a changelog */
    DL_DETECT_NO_PROSE,    /**< not: too little prose after the headline */
} dl_detect_reason;

/** The answer for one text. */
typedef struct {
    bool article;
    dl_detect_reason reason;
} dl_detect_result;

#define DL_DETECT_OPTIONS_VERSION 1

/** Knobs of dl_detect_file; zero means the default. */
typedef struct {
    unsigned version;
    /** Folders whose files are always articles (paths as given, no `~`). */
    const char *const *dirs;
    size_t dir_count;
} dl_detect_options;

#define DL_DETECT_OPTIONS_INIT {DL_DETECT_OPTIONS_VERSION, NULL, 0}

/**
 * Decide whether `size` bytes of `text` are an article. Never fails on any
 * input (binary text is DL_DETECT_NOT_TEXT); returns DL_ERROR only when
 * memory runs out, with the message in dl_error_last().
 */
int dl_detect_text(dl_detect_result *out, const char *text, size_t size);

/**
 * The same for the file at `path`; a file under one of `options->dirs` is an
 * article without being read. `options` may be NULL. Returns DL_ENOTFOUND,
 * DL_EINVALID or DL_ERROR when the file cannot be read (see dl_text_read_file).
 */
int dl_detect_file(dl_detect_result *out, const char *path, const dl_detect_options *options);

/** A short stable name of `reason` for JSON ("dateline", "markup", ...). */
const char *dl_detect_reason_name(dl_detect_reason reason);

/** One sentence that says why, for people. */
const char *dl_detect_reason_text(dl_detect_reason reason);

#endif
