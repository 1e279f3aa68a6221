/*
 * dateline — blame: for each block of an article's current content, the
 * version that last changed it.
 *
 * The history is walked oldest to newest along first parents. Each version
 * is aligned with the one before it, block by block, with the structural
 * diff's alignment (dateline/diff.h): an unchanged or moved block keeps
 * the origin it had; an edited, added, split or merged one gets the new
 * version. Finally the latest version is aligned with the current content
 * (the file on disk or an editor's buffer); its blocks not yet recorded
 * have no version ("not recorded").
 *
 * Blame compares whole blocks, the dateline and byline included: a version
 * that changed the dateline changed the first paragraph.
 *
 * Speed: versions whose blob equals the previous one are skipped without
 * being read. Past versions are cut into blocks at blank lines — the
 * grammar's block boundaries — instead of being parsed (parsing a 5 KB
 * article costs about half a millisecond; 1,000 versions would take half a
 * second). The current content is parsed, and each of its blocks takes the
 * newest origin among the blank-line blocks it overlaps.
 * dl_blame_options.parse_versions parses every version instead.
 */
#ifndef DATELINE_BLAME_H
#define DATELINE_BLAME_H

#include <jansson.h>
#include <stddef.h>

#include "dateline/article.h"
#include "dateline/history.h"

/** One block of the current content and where it comes from. */
typedef struct {
    size_t block;        /**< index into the current article's blocks */
    dl_block_kind kind;
    dl_range range;      /**< in the current content */
    char *first_words;
    /** 0: the block's text is not recorded in any version yet, and
     *  `version` is all zero. */
    int recorded;
    /** The version that last changed the block (strings owned by the blame). */
    dl_history_version version;
} dl_blame_line;

typedef struct {
    dl_blame_line *lines;
    size_t count;
    size_t versions_walked; /**< versions on the first-parent chain */
    size_t versions_read;   /**< of those, how many had a new blob */
} dl_blame;

typedef struct {
    unsigned int version;
    /** Parse every version with the article grammar instead of cutting it
     *  at blank lines (slower; the same answer for ordinary articles). */
    int parse_versions;
} dl_blame_options;

#define DL_BLAME_OPTIONS_VERSION 1
#define DL_BLAME_OPTIONS_INIT {DL_BLAME_OPTIONS_VERSION, 0}

/**
 * Blame `size` bytes of `content` (the article's current text; must be
 * UTF-8 without NUL bytes, else DL_EINVALID) against `history`. An article
 * without history gives every block "not recorded". `opts` may be NULL.
 */
int dl_blame_file(dl_blame **out, dl_history *history, const char *content, size_t size,
                  const dl_blame_options *opts);

/** Free a blame. NULL-safe. */
void dl_blame_free(dl_blame *blame);

/**
 * JSON (schema 1): {"schema", "blocks": [{"index", "kind", "range",
 * "first_words", "version": null | {"id", "short", "time", "timestamp",
 * "offset_minutes", "author": {"name", "email"}, "note"}}],
 * "versions_walked"}.
 */
int dl_blame_to_json(json_t **out, const dl_blame *blame);

#endif
