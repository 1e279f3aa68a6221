/*
 * dateline — the operations both front ends call: snapshot, note, log,
 * show, diff, restore, blame, push and pull.
 *
 * Each operation takes typed options (a `version` field, an _INIT macro,
 * zero meaning "default"; NULL options are all defaults, for the operations
 * that need no argument) and fills a typed result; each result has one
 * JSON rendering, dl_ops_<op>_json, which is what `dateline <op> --json`
 * prints and what the language server's `dateline.<op>` command returns:
 * the same object. Every rendering carries "schema":
 * DL_JSON_SCHEMA (dateline/json.h), the one schema version of everything
 * dateline writes as JSON; docs/cli.md documents every key.
 *
 * The caller opens the history (dateline/history.h) and keeps it open for
 * as long as it uses a result: renderings read the article's file, key and
 * ref from it.
 *
 * "The current text" is, for the operations that read it, the bytes given
 * in the options' `content` (an editor's buffer) or, when that is NULL, the
 * article's file on disk.
 *
 * Errors: 0 or a negative DL_E* code with the message in dl_error_last().
 * A revision that does not resolve is DL_ENOTFOUND or DL_EINVALID (the
 * caller's mistake); anything else is the store's or the system's.
 */
#ifndef DATELINE_OPS_H
#define DATELINE_OPS_H

#include <jansson.h>
#include <stddef.h>

#include "dateline/article.h"
#include "dateline/blame.h"
#include "dateline/diff.h"
#include "dateline/history.h"

/* ------------------------------------------------------------ snapshot -- */

typedef struct {
    unsigned int version;
    const char *note;       /**< attached to the new version; NULL: none */
    const char *content;    /**< the bytes to record; NULL: the file */
    size_t content_size;
} dl_ops_snapshot_options;

#define DL_OPS_SNAPSHOT_OPTIONS_VERSION 1
#define DL_OPS_SNAPSHOT_OPTIONS_INIT {DL_OPS_SNAPSHOT_OPTIONS_VERSION, NULL, NULL, 0}

typedef struct {
    dl_history_id id; /**< the new version, or the latest when nothing was recorded */
    int recorded;     /**< 0: the content equals the latest version's */
    /** Why the note could not be attached to the version just recorded
     *  (the version stands); "" when it was, or there was none. */
    char note_error[1024];
} dl_ops_snapshot_result;

/** Record the current text as a new version (content equal to the latest
 *  records nothing and is not an error: `recorded` is 0), then attach the
 *  note, to the new version or, when nothing was recorded, to the latest
 *  one, so that a writer's note is never lost. A note refused after the
 *  version was recorded (not UTF-8 text, a locked notes ref) does not undo
 *  it: the call returns 0 and says why in `note_error`, for the caller to
 *  report both; on unchanged content a refused note is the call's error. */
int dl_ops_snapshot(dl_ops_snapshot_result *out, dl_history *history,
                    const dl_ops_snapshot_options *opts);

/** {"schema", "file", "key", "ref", "id", "recorded", "note_error"?} */
int dl_ops_snapshot_json(json_t **out, const dl_history *history,
                         const dl_ops_snapshot_result *result);

/* ---------------------------------------------------------------- note -- */

typedef struct {
    unsigned int version;
    const char *rev;  /**< the version to annotate; NULL: "@", the latest */
    const char *note; /**< required */
} dl_ops_note_options;

#define DL_OPS_NOTE_OPTIONS_VERSION 1
#define DL_OPS_NOTE_OPTIONS_INIT {DL_OPS_NOTE_OPTIONS_VERSION, NULL, NULL}

typedef struct {
    dl_history_id id;
    const char *note; /**< the options' note (borrowed: valid while they are) */
} dl_ops_note_result;

/** Attach a note to a version, replacing any note it had. */
int dl_ops_note(dl_ops_note_result *out, dl_history *history, const dl_ops_note_options *opts);

/** {"schema", "file", "key", "ref", "id", "note"} */
int dl_ops_note_json(json_t **out, const dl_history *history, const dl_ops_note_result *result);

/* ----------------------------------------------------------------- log -- */

typedef struct {
    unsigned int version;
    size_t max_count;   /**< the newest N versions; 0: all */
    int annotated_only; /**< only versions with a note */
    int hide_trivial;   /**< leave out trivial versions (dl_history_change.trivial) */
} dl_ops_log_options;

#define DL_OPS_LOG_OPTIONS_VERSION 1
#define DL_OPS_LOG_OPTIONS_INIT {DL_OPS_LOG_OPTIONS_VERSION, 0, 0, 0}

/** The article's versions, newest first, each with its session
 *  (dl_history_log_sessions, grouped over the whole history whatever the
 *  filters keep); free with dl_history_log_free. */
int dl_ops_log(dl_history_log **out, dl_history *history, const dl_ops_log_options *opts);

/** {"schema", "file", "key", "ref", "versions": [{"id", "short", "time",
 *  "timestamp", "offset_minutes", "author": {"name", "email"}, "note",
 *  "parents", "parent_count", "words", "words_delta", "summary"?, "text",
 *  "trivial", "session"}]} */
int dl_ops_log_json(json_t **out, const dl_history *history, const dl_history_log *log);

/** The same document as text, laid out as json_dumps(doc, JSON_INDENT(2) |
 *  JSON_ENSURE_ASCII) lays out dl_ops_log_json's, without a final newline
 *  (`dateline log --json`: thousands of versions, written without building
 *  the tree); the caller frees *out, *size bytes long. */
int dl_ops_log_json_text(char **out, size_t *size, const dl_history *history,
                         const dl_history_log *log);

/* ---------------------------------------------------------------- show -- */

typedef struct {
    unsigned int version;
    const char *rev; /**< NULL: "@" */
} dl_ops_show_options;

#define DL_OPS_SHOW_OPTIONS_VERSION 1
#define DL_OPS_SHOW_OPTIONS_INIT {DL_OPS_SHOW_OPTIONS_VERSION, NULL}

typedef struct {
    dl_history_id id;
    char *content; /**< the version's bytes, NUL-terminated; owned */
    size_t size;
} dl_ops_show_result;

/** A version's content. Release the result with dl_ops_show_result_dispose. */
int dl_ops_show(dl_ops_show_result *out, dl_history *history, const dl_ops_show_options *opts);

void dl_ops_show_result_dispose(dl_ops_show_result *result);

/** {"schema", "id", "content"}; DL_EINVALID when the content is not UTF-8. */
int dl_ops_show_json(json_t **out, const dl_ops_show_result *result);

/* ---------------------------------------------------------------- diff -- */

typedef struct {
    unsigned int version;
    const char *old_rev;  /**< NULL: "@" */
    const char *new_rev;  /**< NULL: the current text */
    const char *content;  /**< the current text; NULL: the file */
    size_t content_size;
    /** 0: within dl_diff_options' default budget (a costly diff comes back
     *  coarse, flagged); nonzero: the exact diff however long it takes. */
    int exact;
} dl_ops_diff_options;

#define DL_OPS_DIFF_OPTIONS_VERSION 1
#define DL_OPS_DIFF_OPTIONS_INIT {DL_OPS_DIFF_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0}

/** One side of a diff: a version, or the current text (empty id). */
typedef struct {
    dl_history_id id;
    char *text;
    size_t size;
    dl_article *article;
} dl_ops_diff_side;

typedef struct {
    dl_ops_diff_side old_side, new_side;
    dl_diff *diff;
} dl_ops_diff_result;

/** The structural diff of two versions, or of a version and the current
 *  text. Release the result with dl_ops_diff_result_dispose. */
int dl_ops_diff(dl_ops_diff_result *out, dl_history *history, const dl_ops_diff_options *opts);

void dl_ops_diff_result_dispose(dl_ops_diff_result *result);

/** dl_diff_to_json's object plus "file", "old" and "new": {"id", "short"}
 *  for a version, {"id": null, "file"} for the current text. */
int dl_ops_diff_json(json_t **out, const dl_history *history, const dl_ops_diff_result *result);

/* ------------------------------------------------------------- restore -- */

typedef struct {
    unsigned int version;
    const char *rev; /**< required */
    /** An editor's unsaved text, recorded first (note "before restore of
     *  ID") so that a restore loses nothing. NULL: only the file's content
     *  is, as dl_history_restore always does. */
    const char *content;
    size_t content_size;
    /** Replace the file even when it is read-only (see dl_history_restore). */
    int force;
} dl_ops_restore_options;

#define DL_OPS_RESTORE_OPTIONS_VERSION 1
#define DL_OPS_RESTORE_OPTIONS_INIT {DL_OPS_RESTORE_OPTIONS_VERSION, NULL, NULL, 0, 0}

typedef struct {
    dl_history_id restored; /**< the version written back */
    dl_history_id id;       /**< the latest version now */
} dl_ops_restore_result;

/** Write a version back to the file and record it as the latest. */
int dl_ops_restore(dl_ops_restore_result *out, dl_history *history,
                   const dl_ops_restore_options *opts);

/** {"schema", "file", "key", "ref", "restored", "id"} */
int dl_ops_restore_json(json_t **out, const dl_history *history,
                        const dl_ops_restore_result *result);

/* --------------------------------------------------------------- blame -- */

typedef struct {
    unsigned int version;
    const char *content; /**< the current text; NULL: the file */
    size_t content_size;
    size_t max_count;    /**< versions to look back through; 0: all */
    dl_blame_cache *cache; /**< see dl_blame_options; NULL: none */
} dl_ops_blame_options;

#define DL_OPS_BLAME_OPTIONS_VERSION 1
#define DL_OPS_BLAME_OPTIONS_INIT {DL_OPS_BLAME_OPTIONS_VERSION, NULL, 0, 0, NULL}

/** Blame the current text (dateline/blame.h); free with dl_blame_free. */
int dl_ops_blame(dl_blame **out, dl_history *history, const dl_ops_blame_options *opts);

/** dl_blame_to_json's object plus "file". */
int dl_ops_blame_json(json_t **out, const dl_history *history, const dl_blame *blame);

/* ----------------------------------------------------------- push/pull -- */

typedef struct {
    unsigned int version;
    const char *remote; /**< a remote name, URL or path; NULL: "origin" */
} dl_ops_sync_options;

#define DL_OPS_SYNC_OPTIONS_VERSION 1
#define DL_OPS_SYNC_OPTIONS_INIT {DL_OPS_SYNC_OPTIONS_VERSION, NULL}

typedef struct {
    const char *remote; /**< the remote used (borrowed from the options, or "origin") */
    dl_history_sync_result counts; /**< owns its refused lines: dl_history_sync_result_dispose */
} dl_ops_sync_result;

/** Send every article's history and the notes to a remote (dl_history_push). */
int dl_ops_push(dl_ops_sync_result *out, dl_history_store *store, const dl_ops_sync_options *opts);

/** Fetch and join every article's history and the notes (dl_history_pull). */
int dl_ops_pull(dl_ops_sync_result *out, dl_history_store *store, const dl_ops_sync_options *opts);

/** {"schema", "store", "remote", "updated", "merged", "unchanged", "notes_updated",
 *   "refused": ["<ref>: <why>", ...]} */
int dl_ops_sync_json(json_t **out, const dl_history_store *store, const dl_ops_sync_result *result);

/* ------------------------------------------------------ since, articles -- */

/**
 * Read a point in time as git's --since does, relative to `now` (seconds
 * since the epoch): "1.day", "2.hours", "3 weeks ago", "10.minutes.ago"
 * (units second, minute, hour, day, week, month = 30 days, year = 365
 * days; singular or plural), "yesterday" (24 hours ago), "now", an ISO 8601
 * date "2024-05-01" or date and time "2024-05-01T10:22[:03]" (a space for
 * the T too) in the local zone unless it ends in "Z", "+02:00" or "+0200",
 * and "@SECONDS". Anything else is DL_EUSAGE, with the accepted forms in
 * the message.
 */
int dl_ops_since_parse(long long *out, const char *text, long long now);

typedef struct {
    unsigned int version;
    long long since; /**< only articles with a version at or after this time; 0: all */
    int latest;      /**< also read each article's newest version, as dl_ops_log does */
    int versions;    /**< also count each article's versions (walks every history
                          whole: a newsroom's `log --all` leaves it off) */
} dl_ops_articles_options;

#define DL_OPS_ARTICLES_OPTIONS_VERSION 1
#define DL_OPS_ARTICLES_OPTIONS_INIT {DL_OPS_ARTICLES_OPTIONS_VERSION, 0, 0, 0}

/** One article with history in a store, as listed by dl_ops_articles. */
typedef struct {
    dl_history *history;    /**< its history: key, file and ref (owned) */
    long long time;         /**< its newest version's time, seconds since the epoch */
    size_t versions;        /**< with `versions`: how many versions it holds; else 0 */
    dl_history_log *latest; /**< with `latest`: its newest version (one entry;
                                 owned); else NULL */
} dl_ops_article;

/** A store's articles, the latest change first (ties by key). */
typedef struct {
    dl_ops_article *articles;
    size_t count;
    dl_ops_articles_options options; /**< what was asked, for dl_ops_articles_json */
} dl_ops_articles_result;

/** The articles `store` holds, as dl_history_articles_list finds them
 *  (from the refs alone, deleted articles too), with what `opts` asks for
 *  (NULL: the defaults). Free with dl_ops_articles_free, before the
 *  store. */
int dl_ops_articles(dl_ops_articles_result **out, dl_history_store *store,
                    const dl_ops_articles_options *opts);

/** Free a listing. NULL-safe. */
void dl_ops_articles_free(dl_ops_articles_result *result);

/** The one rendering of a listing, for `log --all --json` and the web
 *  server's /api/articles: {"schema", "store", "since": seconds or null,
 *  "articles": [{"file", "key", "ref", "timestamp", "versions"?: a count,
 *  "latest"?: the newest version as in dl_ops_log_json's "versions"}]}
 *  ("versions" and "latest" when the listing read them). */
int dl_ops_articles_json(json_t **out, const dl_history_store *store,
                         const dl_ops_articles_result *result);

/** The history of the article whose key is `key`, if `store` holds one,
 *  found as dl_history_articles_find finds it (the file system is never
 *  consulted, so a key cannot name anything else). DL_ENOTFOUND when the
 *  store has no history for it. Free with dl_history_free, before the
 *  store. */
int dl_ops_article_open(dl_history **out, dl_history_store *store, const char *key);

/** The version that was the article's latest at `when`: the newest one
 *  recorded at or before it; returns 0. When the article's first version is
 *  later than `when`, that first version, and returns 1. DL_ENOTFOUND for
 *  an article without history. */
int dl_ops_version_at(dl_history_id *out, dl_history *history, long long when);

/** Keep in `log` only the versions recorded at or after `since` (`log
 *  --since`), in their order. */
int dl_ops_log_keep_since(dl_history_log *log, long long since);

#endif
