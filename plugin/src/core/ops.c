/*
 * dateline — the operations both front ends call, and their one JSON
 * rendering each (see dateline/ops.h).
 */
#include "dateline/ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dateline/error.h"
#include "dateline/json.h"
#include "dateline/text.h"

static int oom(void)
{
    return dl_error_set(DL_ERROR, "out of memory building JSON");
}

/* Hand a finished object to the caller, or say that building it failed. */
static int finish(json_t **out, json_t *json)
{
    if (json == NULL)
        return oom();
    *out = json;
    return 0;
}

/* {"schema", "file", "key", "ref"}: what every per-article result opens with. */
static json_t *article_object(const dl_history *history)
{
    return json_pack("{s:i, s:s, s:s, s:s}", "schema", DL_JSON_SCHEMA, "file",
                     dl_history_file(history), "key", dl_history_key(history), "ref",
                     dl_history_refname(history));
}

/* The current text: the caller's bytes, copied, or the file's. */
static int current_text(char **out, size_t *size, const dl_history *history, const char *content,
                        size_t content_size)
{
    if (content == NULL)
        return dl_text_read_file(out, size, dl_history_file(history));
    char *copy = malloc(content_size + 1);
    if (copy == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    memcpy(copy, content, content_size);
    copy[content_size] = '\0';
    *out = copy;
    *size = content_size;
    return 0;
}

/* "@" on an article without history says what to do instead of "not found". */
static int resolve(dl_history_id *out, dl_history *history, const char *rev)
{
    int error = dl_history_resolve(out, history, rev);
    if (error != DL_ENOTFOUND)
        return error;
    dl_history_log *log = NULL;
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.max_count = 1;
    if (dl_history_log_read(&log, history, &options) == 0 && log->count == 0)
        error = dl_error_set(DL_ENOTFOUND,
                             "%s has no recorded versions yet; record one with "
                             "'dateline snapshot %s'",
                             dl_history_key(history), dl_history_key(history));
    dl_history_log_free(log);
    return error;
}

/* ------------------------------------------------------------ snapshot -- */

int dl_ops_snapshot(dl_ops_snapshot_result *out, dl_history *history,
                    const dl_ops_snapshot_options *opts)
{
    static const dl_ops_snapshot_options defaults = DL_OPS_SNAPSHOT_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    /* The note is attached in a second step, so that its refusal cannot
     * hide the version that was recorded. */
    dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
    options.content = opts->content;
    options.content_size = opts->content_size;
    dl_history_id id;
    int error = dl_history_snapshot(&id, history, &options);
    if (error < 0 && error != DL_EUNCHANGED)
        return error;
    out->id = id;
    out->recorded = error == 0;
    out->note_error[0] = '\0';
    if (opts->note != NULL) {
        /* Annotating by id, not by "@", keeps the note on this version even
         * if another writer records meanwhile. */
        dl_history_id noted;
        int note_error = dl_history_note(&noted, history, id.hex, opts->note);
        if (note_error < 0) {
            /* Unchanged content: the note was all there was to do. */
            if (!out->recorded)
                return note_error;
            snprintf(out->note_error, sizeof(out->note_error), "%s", dl_error_last());
        }
    }
    dl_error_clear();
    return 0;
}

int dl_ops_snapshot_json(json_t **out, const dl_history *history,
                         const dl_ops_snapshot_result *result)
{
    json_t *json = article_object(history);
    if (json && (json_object_set_new(json, "id", json_string(result->id.hex)) < 0 ||
                 json_object_set_new(json, "recorded", json_boolean(result->recorded)) < 0 ||
                 (result->note_error[0] != '\0' &&
                  json_object_set_new(json, "note_error", json_string(result->note_error)) < 0))) {
        json_decref(json);
        json = NULL;
    }
    return finish(out, json);
}

/* ---------------------------------------------------------------- note -- */

int dl_ops_note(dl_ops_note_result *out, dl_history *history, const dl_ops_note_options *opts)
{
    if (opts == NULL || opts->note == NULL)
        return dl_error_set(DL_EUSAGE, "a note needs its text");
    dl_history_id id;
    int error = dl_history_note(&id, history, opts->rev ? opts->rev : "@", opts->note);
    if (error < 0)
        return error;
    out->id = id;
    out->note = opts->note;
    return 0;
}

int dl_ops_note_json(json_t **out, const dl_history *history, const dl_ops_note_result *result)
{
    json_t *json = article_object(history);
    if (json && (json_object_set_new(json, "id", json_string(result->id.hex)) < 0 ||
                 json_object_set_new(json, "note", json_string(result->note)) < 0)) {
        json_decref(json);
        json = NULL;
    }
    return finish(out, json);
}

/* ----------------------------------------------------------------- log -- */

/* Whether the filters of `payload` (dl_ops_log_options) let `v` through. */
static int log_wanted(const dl_history_version *v, const void *payload)
{
    const dl_ops_log_options *opts = payload;
    return (!opts->annotated_only || v->note != NULL) &&
           (!opts->hide_trivial || !v->change.trivial);
}

/* Whether the session of the `shown`-th version is known to begin inside
 * `log`, which stops short of the first version: it or a version after it,
 * but not the last one read (whose parent was not), starts a session. */
static int sessions_complete(const dl_history_log *log, size_t shown)
{
    for (size_t i = shown; i + 1 < log->count; i++)
        if (strcmp(log->versions[i].session.hex, log->versions[i].id.hex) == 0)
            return 1;
    return 0;
}

int dl_ops_log(dl_history_log **out, dl_history *history, const dl_ops_log_options *opts)
{
    static const dl_ops_log_options defaults = DL_OPS_LOG_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    /* Sessions are a fact of the whole history, not of what a filter
     * shows: read every version when filtering, and past the newest N
     * until the last one's session is known to begin. One more version
     * first tells, unless that session goes on; then four times as many.
     * (`log --all` reads every article's newest version this way: 16
     * more each made it three times slower.) */
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    int filtered = opts->annotated_only || opts->hide_trivial;
    options.max_count = filtered || opts->max_count == 0 ? 0 : opts->max_count + 1;
    dl_history_log *log = NULL;
    for (;;) {
        int error = dl_history_log_read(&log, history, &options);
        if (error < 0)
            return error;
        dl_history_log_sessions(log);
        if (options.max_count == 0 || log->count < options.max_count ||
            sessions_complete(log, opts->max_count - 1))
            break;
        options.max_count *= 4;
        dl_history_log_free(log);
        log = NULL;
    }
    dl_history_log_keep(log, log_wanted, opts, opts->max_count);
    *out = log;
    return 0;
}

static void version_write(dl_json_writer *w, const dl_history_version *v)
{
    char when[40];
    dl_history_format_time(when, sizeof(when), v->time, v->offset);
    dl_json_open_object(w, NULL);
    dl_json_put_string(w, "id", v->id.hex);
    dl_json_put_stringn(w, "short", v->id.hex, DL_HISTORY_ID_SHORTSIZE);
    dl_json_put_string(w, "time", when);
    dl_json_put_int(w, "timestamp", v->time);
    dl_json_put_int(w, "offset_minutes", v->offset);
    dl_json_open_object(w, "author");
    dl_json_put_string(w, "name", v->author_name ? v->author_name : "");
    dl_json_put_string(w, "email", v->author_email ? v->author_email : "");
    dl_json_close(w);
    dl_json_put_string_or_null(w, "note", v->note);
    dl_json_open_array(w, "parents");
    if (v->parent_count > 0)
        dl_json_put_string(w, NULL, v->parent.hex);
    dl_json_close(w);
    dl_json_put_int(w, "parent_count", (long long)v->parent_count);
    dl_json_put_int(w, "words", (long long)v->change.words);
    dl_json_put_int(w, "words_delta", v->change.words_delta);
    /* Whether the model can read the version: false for a NUL byte or
     * invalid UTF-8, whose bytes are recorded all the same. */
    dl_json_put_bool(w, "text", !v->change.not_text);
    dl_json_put_bool(w, "trivial", v->change.trivial);
    dl_json_put_string_or_null(w, "session", v->session.hex[0] ? v->session.hex : NULL);
    if (v->change.summary != NULL)
        dl_json_put_string(w, "summary", v->change.summary);
    dl_json_close(w);
}

/* One version as a tree (a listing's "latest"); NULL when that fails. */
static json_t *version_json(const dl_history_version *v)
{
    dl_json_writer *w = NULL;
    json_t *json = NULL;
    if (dl_json_writer_new(&w, 0) == 0) {
        version_write(w, v);
        if (dl_json_writer_json(&json, w) < 0)
            json = NULL;
    }
    dl_json_writer_free(w);
    return json;
}

/* The log's one rendering, into either form of a writer. */
static void log_write(dl_json_writer *w, const dl_history *history, const dl_history_log *log)
{
    dl_json_open_object(w, NULL);
    dl_json_put_int(w, "schema", DL_JSON_SCHEMA);
    dl_json_put_string(w, "file", dl_history_file(history));
    dl_json_put_string(w, "key", dl_history_key(history));
    dl_json_put_string(w, "ref", dl_history_refname(history));
    dl_json_open_array(w, "versions");
    for (size_t i = 0; i < log->count; i++)
        version_write(w, &log->versions[i]);
    dl_json_close(w);
    dl_json_close(w);
}

int dl_ops_log_json(json_t **out, const dl_history *history, const dl_history_log *log)
{
    dl_json_writer *w = NULL;
    int error = dl_json_writer_new(&w, 0);
    if (error == 0) {
        log_write(w, history, log);
        error = dl_json_writer_json(out, w);
    }
    dl_json_writer_free(w);
    return error;
}

int dl_ops_log_json_text(char **out, size_t *size, const dl_history *history,
                         const dl_history_log *log)
{
    dl_json_writer *w = NULL;
    int error = dl_json_writer_new(&w, 1);
    if (error == 0) {
        log_write(w, history, log);
        error = dl_json_writer_text(out, size, w);
    }
    dl_json_writer_free(w);
    return error;
}

/* ---------------------------------------------------------------- show -- */

int dl_ops_show(dl_ops_show_result *out, dl_history *history, const dl_ops_show_options *opts)
{
    static const dl_ops_show_options defaults = DL_OPS_SHOW_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    dl_ops_show_result result = {0};
    int error = resolve(&result.id, history, opts->rev ? opts->rev : "@");
    if (error == 0)
        error = dl_history_read(&result.content, &result.size, history, &result.id);
    if (error == 0)
        *out = result;
    return error;
}

void dl_ops_show_result_dispose(dl_ops_show_result *result)
{
    free(result->content);
    memset(result, 0, sizeof(*result));
}

int dl_ops_show_json(json_t **out, const dl_ops_show_result *result)
{
    json_t *content = json_stringn(result->content, result->size);
    if (content == NULL)
        return dl_error_set(DL_EINVALID, "version %.*s is not UTF-8 text", DL_HISTORY_ID_SHORTSIZE,
                            result->id.hex);
    return finish(out, json_pack("{s:i, s:s, s:o}", "schema", DL_JSON_SCHEMA, "id",
                                 result->id.hex, "content", content));
}

/* ---------------------------------------------------------------- diff -- */

static int load_side(dl_ops_diff_side *side, dl_history *history, const char *rev,
                     const dl_ops_diff_options *opts)
{
    int error;
    if (rev != NULL) {
        if ((error = resolve(&side->id, history, rev)) == 0)
            error = dl_history_read(&side->text, &side->size, history, &side->id);
    } else {
        error = current_text(&side->text, &side->size, history, opts->content, opts->content_size);
    }
    if (error == 0)
        error = dl_text_check(side->text, side->size,
                              rev ? rev : dl_history_file(history));
    if (error == 0)
        error = dl_article_parse(&side->article, side->text, side->size);
    return error;
}

int dl_ops_diff(dl_ops_diff_result *out, dl_history *history, const dl_ops_diff_options *opts)
{
    static const dl_ops_diff_options defaults = DL_OPS_DIFF_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    dl_ops_diff_result result = {0};
    int error = load_side(&result.old_side, history, opts->old_rev ? opts->old_rev : "@", opts);
    if (error == 0)
        error = load_side(&result.new_side, history, opts->new_rev, opts);
    dl_diff_options diff_options = DL_DIFF_OPTIONS_INIT;
    diff_options.exact = opts->exact;
    if (error == 0)
        error = dl_diff_articles(&result.diff, result.old_side.article, result.new_side.article,
                                 &diff_options);
    if (error < 0) {
        dl_ops_diff_result_dispose(&result);
        return error;
    }
    *out = result;
    return 0;
}

static void side_dispose(dl_ops_diff_side *side)
{
    free(side->text);
    dl_article_free(side->article);
}

void dl_ops_diff_result_dispose(dl_ops_diff_result *result)
{
    dl_diff_free(result->diff);
    side_dispose(&result->old_side);
    side_dispose(&result->new_side);
    memset(result, 0, sizeof(*result));
}

static json_t *side_json(const dl_ops_diff_side *side, const char *file)
{
    if (side->id.hex[0])
        return json_pack("{s:s, s:s#}", "id", side->id.hex, "short", side->id.hex,
                         (int)DL_HISTORY_ID_SHORTSIZE);
    return json_pack("{s:n, s:s}", "id", "file", file);
}

/* A side's quotation range (marks included) or null: the diff names its
 * quotations by index, the editor needs them where they are to restore
 * one quotation without looking for its words. */
static json_t *quotation_range_json(const dl_article *article, size_t index)
{
    if (article == NULL || index == DL_DIFF_NONE || index >= article->quotation_count)
        return json_null();
    return dl_json_range(&article->quotations[index].span.range);
}

static int add_quotation_ranges(json_t *json, const dl_ops_diff_result *result)
{
    json_t *quotations = json_object_get(json, "quotations");
    for (size_t k = 0; k < result->diff->quotation_count; k++) {
        const dl_diff_quotation *q = &result->diff->quotations[k];
        json_t *item = json_array_get(quotations, k);
        if (item == NULL ||
            json_object_set_new(item, "old_range",
                                quotation_range_json(result->old_side.article, q->old_quotation)) < 0 ||
            json_object_set_new(item, "new_range",
                                quotation_range_json(result->new_side.article, q->new_quotation)) < 0)
            return oom();
    }
    return 0;
}

int dl_ops_diff_json(json_t **out, const dl_history *history, const dl_ops_diff_result *result)
{
    json_t *json = NULL;
    int error = dl_diff_to_json(&json, result->diff);
    if (error < 0)
        return error;
    if ((error = add_quotation_ranges(json, result)) < 0) {
        json_decref(json);
        return error;
    }
    const char *file = dl_history_file(history);
    if (json_object_set_new(json, "file", json_string(file)) < 0 ||
        json_object_set_new(json, "old", side_json(&result->old_side, file)) < 0 ||
        json_object_set_new(json, "new", side_json(&result->new_side, file)) < 0) {
        json_decref(json);
        return oom();
    }
    *out = json;
    return 0;
}

/* ------------------------------------------------------------- restore -- */

int dl_ops_restore(dl_ops_restore_result *out, dl_history *history,
                   const dl_ops_restore_options *opts)
{
    if (opts == NULL || opts->rev == NULL)
        return dl_error_set(DL_EUSAGE, "a restore needs the version to restore");
    dl_ops_restore_result result;
    int error = resolve(&result.restored, history, opts->rev);
    if (error < 0)
        return error;
    dl_history_restore_options restore = DL_HISTORY_RESTORE_OPTIONS_INIT;
    restore.force = opts->force;
    restore.content = opts->content;
    restore.content_size = opts->content_size;
    if ((error = dl_history_restore(&result.id, history, result.restored.hex, &restore)) < 0)
        return error;
    *out = result;
    return 0;
}

int dl_ops_restore_json(json_t **out, const dl_history *history,
                        const dl_ops_restore_result *result)
{
    json_t *json = article_object(history);
    if (json && (json_object_set_new(json, "restored", json_string(result->restored.hex)) < 0 ||
                 json_object_set_new(json, "id", json_string(result->id.hex)) < 0)) {
        json_decref(json);
        json = NULL;
    }
    return finish(out, json);
}

/* --------------------------------------------------------------- blame -- */

int dl_ops_blame(dl_blame **out, dl_history *history, const dl_ops_blame_options *opts)
{
    static const dl_ops_blame_options defaults = DL_OPS_BLAME_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    char *text = NULL;
    size_t size = 0;
    dl_blame_options options = DL_BLAME_OPTIONS_INIT;
    options.max_count = opts->max_count;
    options.cache = opts->cache;
    int error = current_text(&text, &size, history, opts->content, opts->content_size);
    if (error == 0)
        error = dl_blame_file(out, history, text, size, &options);
    free(text);
    return error;
}

int dl_ops_blame_json(json_t **out, const dl_history *history, const dl_blame *blame)
{
    json_t *json = NULL;
    int error = dl_blame_to_json(&json, blame);
    if (error < 0)
        return error;
    if (json_object_set_new(json, "file", json_string(dl_history_file(history))) < 0) {
        json_decref(json);
        return oom();
    }
    *out = json;
    return 0;
}

/* ----------------------------------------------------------- push/pull -- */

static int sync_with(dl_ops_sync_result *out, dl_history_store *store,
                     const dl_ops_sync_options *opts, int pull)
{
    static const dl_ops_sync_options defaults = DL_OPS_SYNC_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    dl_history_sync_options options = DL_HISTORY_SYNC_OPTIONS_INIT;
    options.remote = opts->remote ? opts->remote : "origin";
    dl_history_sync_result counts = {0};
    int error = pull ? dl_history_pull(&counts, store, &options)
                     : dl_history_push(&counts, store, &options);
    if (error < 0) {
        dl_history_sync_result_dispose(&counts); /* a refused push still lists its lines */
        return error;
    }
    out->remote = options.remote;
    out->counts = counts;
    return 0;
}

int dl_ops_push(dl_ops_sync_result *out, dl_history_store *store, const dl_ops_sync_options *opts)
{
    return sync_with(out, store, opts, 0);
}

int dl_ops_pull(dl_ops_sync_result *out, dl_history_store *store, const dl_ops_sync_options *opts)
{
    return sync_with(out, store, opts, 1);
}

int dl_ops_sync_json(json_t **out, const dl_history_store *store, const dl_ops_sync_result *result)
{
    const dl_history_sync_result *c = &result->counts;
    json_t *refused = json_array();
    for (size_t i = 0; refused != NULL && i < c->refused_count; i++)
        if (json_array_append_new(refused, json_string(c->refused[i])) < 0) {
            json_decref(refused);
            refused = NULL;
        }
    if (refused == NULL)
        return oom();
    return finish(out, json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:b, s:o}", "schema",
                                 DL_JSON_SCHEMA, "store", dl_history_store_path(store), "remote",
                                 result->remote, "updated", (json_int_t)c->updated, "merged",
                                 (json_int_t)c->merged, "unchanged", (json_int_t)c->unchanged,
                                 "notes_updated", c->notes_updated, "refused", refused));
}

/* --------------------------------------------------------------- since -- */

/* Seconds in one of a "N.unit" duration's units; 0 for no such unit. A
 * month is 30 days and a year 365, as git's approxidate counts them. */
static long long unit_seconds(const char *unit, size_t len)
{
    static const struct {
        const char *name;
        long long seconds;
    } units[] = {{"second", 1},         {"minute", 60},          {"hour", 3600},
                 {"day", 86400},        {"week", 7 * 86400},     {"month", 30 * 86400},
                 {"year", 365 * 86400}};
    if (len > 1 && unit[len - 1] == 's')
        len--; /* "2.hours" */
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strlen(units[i].name) == len && strncmp(unit, units[i].name, len) == 0)
            return units[i].seconds;
    return 0;
}

/* "N.unit", "N unit", "N units ago", "N.units.ago". */
static int parse_duration(long long *out, const char *text, long long now)
{
    char *end = NULL;
    if (text[0] < '0' || text[0] > '9')
        return DL_EINVALID;
    long long n = strtoll(text, &end, 10);
    if (*end != '.' && *end != ' ')
        return DL_EINVALID;
    const char *unit = end + 1;
    size_t len = strcspn(unit, ". ");
    long long seconds = unit_seconds(unit, len);
    const char *rest = unit + len;
    if (*rest == '.' || *rest == ' ')
        rest = strcmp(rest + 1, "ago") == 0 ? rest + 4 : rest;
    if (seconds == 0 || *rest != '\0' || n > (now > 0 ? now : 0) / seconds)
        return DL_EINVALID;
    *out = now - n * seconds;
    return 0;
}

/* An ISO 8601 date, "2024-05-01", with an optional time "T10:22[:03]" (or a
 * space for the T) and zone ("Z", "+02:00", "+0200"); without a zone, the
 * local one, as git reads it. */
static int parse_iso(long long *out, const char *text)
{
    int year, month, day, hour = 0, minute = 0, second = 0, used = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &year, &month, &day, &used) != 3 || used != 10)
        return DL_EINVALID;
    const char *p = text + used;
    if (*p == 'T' || *p == ' ') {
        int n = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &hour, &minute, &n) != 2 || n != 5)
            return DL_EINVALID;
        p += 1 + n;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &second, &n) != 1 || n != 2)
                return DL_EINVALID;
            p += 1 + n;
        }
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
        second > 60)
        return DL_EINVALID;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    if (*p == '\0') {
        tm.tm_isdst = -1;
        time_t local = mktime(&tm);
        if (local == (time_t)-1)
            return DL_EINVALID;
        *out = (long long)local;
        return 0;
    }
    int zone = 0;
    if (*p == 'Z' && p[1] == '\0') {
        zone = 0;
    } else if (*p == '+' || *p == '-') {
        int zh = 0, zm = 0, n = 0;
        if (!(sscanf(p + 1, "%2d:%2d%n", &zh, &zm, &n) == 2 && n == 5 && p[1 + n] == '\0') &&
            !(sscanf(p + 1, "%2d%2d%n", &zh, &zm, &n) == 2 && n == 4 && p[1 + n] == '\0'))
            return DL_EINVALID;
        if (zh > 14 || zm > 59)
            return DL_EINVALID;
        zone = (*p == '-' ? -1 : 1) * (zh * 60 + zm);
    } else {
        return DL_EINVALID;
    }
    /* Days since the epoch of a proleptic Gregorian date (Howard Hinnant's
     * days_from_civil): no timegm() in POSIX, and TZ must not be touched. */
    long long y = year - (month <= 2);
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = era * 146097 + doe - 719468;
    *out = days * 86400 + hour * 3600 + minute * 60 + second - zone * 60LL;
    return 0;
}

int dl_ops_since_parse(long long *out, const char *text, long long now)
{
    long long when = 0;
    int error = DL_EINVALID;
    if (text == NULL || text[0] == '\0')
        error = DL_EINVALID;
    else if (strcmp(text, "now") == 0)
        when = now, error = 0;
    else if (strcmp(text, "yesterday") == 0)
        when = now - 86400, error = 0;
    else if (text[0] == '@') {
        char *end = NULL;
        when = strtoll(text + 1, &end, 10);
        error = end != text + 1 && *end == '\0' ? 0 : DL_EINVALID;
    } else if ((error = parse_duration(&when, text, now)) < 0)
        error = parse_iso(&when, text);
    if (error < 0)
        return dl_error_set(DL_EUSAGE,
                            "cannot read the time '%s': give 1.day, 2.hours, 3 weeks ago, "
                            "yesterday, 2024-05-01, 2024-05-01T10:22+02:00 or @SECONDS",
                            text ? text : "");
    *out = when;
    return 0;
}

/* ------------------------------------------------------------ articles -- */

void dl_ops_articles_free(dl_ops_articles_result *result)
{
    if (result == NULL)
        return;
    for (size_t i = 0; i < result->count; i++) {
        dl_history_log_free(result->articles[i].latest);
        dl_history_free(result->articles[i].history);
    }
    free(result->articles);
    free(result);
}

/* The number of versions in `history`. */
static int count_versions(size_t *out, dl_history *history)
{
    dl_history_log *log = NULL;
    int error = dl_history_log_read(&log, history, NULL);
    if (error == 0)
        *out = log->count;
    dl_history_log_free(log);
    return error;
}

/* What `opts` asks for about one listed article. */
static int article_read(dl_ops_article *out, dl_history_store *store,
                        const dl_history_article *listed, const dl_ops_articles_options *opts)
{
    int error = dl_history_open_listed(&out->history, store, listed);
    out->time = listed->time;
    /* Through dl_ops_log, so that the newest version reads as in log
     * --json, with the facts only the whole history knows (its session). */
    dl_ops_log_options latest = DL_OPS_LOG_OPTIONS_INIT;
    latest.max_count = 1;
    if (error == 0 && opts->latest)
        error = dl_ops_log(&out->latest, out->history, &latest);
    if (error == 0 && opts->versions)
        error = count_versions(&out->versions, out->history);
    return error;
}

int dl_ops_articles(dl_ops_articles_result **out, dl_history_store *store,
                    const dl_ops_articles_options *opts)
{
    static const dl_ops_articles_options defaults = DL_OPS_ARTICLES_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    dl_history_articles *list = NULL;
    dl_ops_articles_result *result = calloc(1, sizeof(*result));
    if (result == NULL)
        return oom();
    result->options = *opts;
    int error = dl_history_articles_list(&list, store, opts->since);
    if (error == 0 && list->count > 0 &&
        (result->articles = calloc(list->count, sizeof(*result->articles))) == NULL)
        error = oom();
    /* Counted as filled, so that a failure frees what was read. */
    for (size_t i = 0; error == 0 && i < list->count; i++)
        error = article_read(&result->articles[result->count++], store, &list->items[i], opts);
    dl_history_articles_free(list);
    if (error < 0) {
        dl_ops_articles_free(result);
        return error;
    }
    *out = result;
    return 0;
}

/* One listed article: its file, key, ref and time, and what was read. */
static json_t *listed_json(const dl_ops_article *article, const dl_ops_articles_options *opts)
{
    json_t *item = article_object(article->history);
    if (item == NULL || json_object_del(item, "schema") < 0 ||
        json_object_set_new(item, "timestamp", json_integer((json_int_t)article->time)) < 0 ||
        (opts->versions &&
         json_object_set_new(item, "versions", json_integer((json_int_t)article->versions)) < 0)) {
        json_decref(item);
        return NULL;
    }
    if (opts->latest) {
        const dl_history_log *log = article->latest;
        json_t *latest = log && log->count ? version_json(&log->versions[0]) : json_null();
        if (latest == NULL || json_object_set_new(item, "latest", latest) < 0) {
            json_decref(item);
            return NULL;
        }
    }
    return item;
}

int dl_ops_articles_json(json_t **out, const dl_history_store *store,
                         const dl_ops_articles_result *result)
{
    const dl_ops_articles_options *opts = &result->options;
    json_t *json = json_pack("{s:i, s:s, s:o}", "schema", DL_JSON_SCHEMA, "store",
                             dl_history_store_path(store), "since",
                             opts->since > 0 ? json_integer(opts->since) : json_null());
    json_t *articles = json_array();
    for (size_t i = 0; json && articles && i < result->count; i++) {
        json_t *item = listed_json(&result->articles[i], opts);
        if (item == NULL || json_array_append_new(articles, item) < 0) {
            json_decref(articles);
            articles = NULL;
        }
    }
    if (json != NULL && articles != NULL && json_object_set_new(json, "articles", articles) == 0) {
        *out = json;
        return 0;
    }
    if (json == NULL)
        json_decref(articles);
    json_decref(json); /* set_new took the articles, even when it failed */
    return oom();
}

int dl_ops_article_open(dl_history **out, dl_history_store *store, const char *key)
{
    dl_history_articles *found = NULL;
    int error = dl_history_articles_find(&found, store, key);
    if (error == 0)
        error = dl_history_open_listed(out, store, &found->items[0]);
    dl_history_articles_free(found);
    return error;
}

/* ---------------------------------------------------------- version_at -- */

int dl_ops_version_at(dl_history_id *out, dl_history *history, long long when)
{
    dl_history_log *log = NULL;
    int error = dl_history_log_read(&log, history, NULL);
    if (error < 0)
        return error;
    if (log->count == 0) {
        dl_history_log_free(log);
        return dl_error_set(DL_ENOTFOUND, "%s has no recorded versions",
                            dl_history_key(history));
    }
    /* Newest first: the first one not after `when` was the latest then. */
    size_t i = 0;
    while (i < log->count && log->versions[i].time > when)
        i++;
    int later = i == log->count;
    *out = log->versions[later ? log->count - 1 : i].id;
    dl_history_log_free(log);
    return later;
}

int dl_ops_log_keep_since(dl_history_log *log, long long since)
{
    /* The versions left out go to a log of their own, which
     * dl_history_log_free releases as it releases any log. */
    dl_history_log *dropped = calloc(1, sizeof(*dropped));
    if (dropped == NULL || (log->count > 0 && (dropped->versions = malloc(
                                                   log->count * sizeof(*log->versions))) == NULL)) {
        free(dropped);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    size_t kept = 0;
    for (size_t i = 0; i < log->count; i++) {
        if (log->versions[i].time >= since)
            log->versions[kept++] = log->versions[i];
        else
            dropped->versions[dropped->count++] = log->versions[i];
    }
    log->count = kept;
    dl_history_log_free(dropped);
    return 0;
}
