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

/**
 * A JSON document written once through one set of calls, into either of
 * two forms: text laid out byte for byte as jansson's
 * json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII) lays it out (what the
 * CLI prints), or a json_t tree (what the server and the reports embed).
 * A long rendering (`log --json` of thousands of versions) is written as
 * text directly: building and freeing a json_t per value cost four times
 * reading the history. Containers and values are put in document order;
 * `key` names the value inside an object and is NULL inside an array and
 * for the document itself. A string that is not UTF-8 (or is NULL where a
 * string is put) makes the document fail, as json_string() does; so does
 * running out of memory. Failures are kept and reported once, by
 * dl_json_writer_text or dl_json_writer_json.
 */
typedef struct dl_json_writer dl_json_writer;

/** A writer of text (`text` non-zero) or of a json_t tree, at the
 *  outermost level; free with dl_json_writer_free. */
int dl_json_writer_new(dl_json_writer **out, int text);

/** Frees the writer and whatever it holds. NULL-safe. */
void dl_json_writer_free(dl_json_writer *w);

/** Opens an object or an array; dl_json_close closes the innermost one. */
void dl_json_open_object(dl_json_writer *w, const char *key);
void dl_json_open_array(dl_json_writer *w, const char *key);
void dl_json_close(dl_json_writer *w);

/** A string (`size` bytes; dl_json_put_string: NUL-terminated), a number,
 *  a boolean, null; dl_json_put_string_or_null puts null for NULL. */
void dl_json_put_stringn(dl_json_writer *w, const char *key, const char *s, size_t size);
void dl_json_put_string(dl_json_writer *w, const char *key, const char *s);
void dl_json_put_string_or_null(dl_json_writer *w, const char *key, const char *s);
void dl_json_put_int(dl_json_writer *w, const char *key, long long value);
void dl_json_put_bool(dl_json_writer *w, const char *key, int value);
void dl_json_put_null(dl_json_writer *w, const char *key);

/** The finished document of a text writer, NUL-terminated, no final
 *  newline: the caller owns it (*out) and its length (*size). Fails when a
 *  put failed, or the writer builds a tree. */
int dl_json_writer_text(char **out, size_t *size, dl_json_writer *w);

/** The finished document of a tree writer: the caller owns it. Fails when
 *  a put failed, or the writer writes text. */
int dl_json_writer_json(json_t **out, dl_json_writer *w);

#endif
