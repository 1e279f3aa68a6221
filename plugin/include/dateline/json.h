/*
 * dateline — JSON views of the model and of diffs (jansson).
 *
 * These are the interface the editor and scripts read (`--json`, and the
 * language server's results); docs/cli.md documents every key. Each top-level
 * object carries "schema": DL_JSON_SCHEMA.
 */
#ifndef DATELINE_JSON_H
#define DATELINE_JSON_H

#include <jansson.h>

#include "dateline/article.h"

#define DL_JSON_SCHEMA 1

/** A range as {"bytes": [start, end], "lines": [first, last]} (0-based lines). */
json_t *dl_json_range(const dl_range *range);

/** The whole article model (`dateline outline --json`). */
int dl_json_article(json_t **out, const dl_article *article);

/** Just the statistics (`dateline stats --json`). */
int dl_json_article_stats(json_t **out, const dl_article_stats *stats);

#endif
