/*
 * dateline — history subcommands: snapshot, note, log, show, restore,
 * push, pull. Thin layers over dateline/history.h: parse arguments, call
 * the library, print text or JSON (schema 1), map errors to exit codes.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_common.h"
#include "cli_history.h"
#include "dateline/cli.h"
#include "dateline/error.h"
#include "dateline/history.h"
#include "dateline_version.h"


/* ---------------------------------------------------------------- JSON -- */

static json_t *json_article(json_t *doc, const dl_history *history)
{
    json_object_set_new(doc, "file", json_string(dl_history_file(history)));
    json_object_set_new(doc, "key", json_string(dl_history_key(history)));
    json_object_set_new(doc, "ref", json_string(dl_history_refname(history)));
    return doc;
}

/* ------------------------------------------------------------ snapshot -- */

int dl_cli_snapshot(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "snapshot", .usage = "snapshot FILE [-m NOTE] [--store DIR] [--json]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_NOTE | OPT_STORE | OPT_JSON, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "Record FILE's current content as a new version and print its id.\n"
                          "Content equal to the latest version records nothing and prints\n"
                          "\"unchanged: ID\" (exit 0). Binary or non-UTF-8 files are refused.\n\n"
                          "  -m, --message NOTE  attach a note to the new version\n"
                          "  --store DIR         use this history repository\n"
                          "  --json              print a JSON object (schema 1)\n");
    if (a.nargs != 1)
        return dl_cli_usage_error(&a, err, "%s", a.nargs ? "takes one FILE" : "needs a FILE");

    dl_cli_article o;
    dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
    dl_history_id id;
    options.note = a.note;
    int error = dl_cli_open_article(&o, &a, a.args[0]);
    if (error == 0)
        error = dl_history_snapshot(&id, o.history, &options);
    if (error < 0 && error != DL_EUNCHANGED) {
        status = dl_cli_fail(err);
    } else if (a.json) {
        json_t *doc = json_article(dl_cli_json_document(), o.history);
        json_object_set_new(doc, "id", json_string(id.hex));
        json_object_set_new(doc, "recorded", json_boolean(error == 0));
        status = dl_cli_json_print(doc, out);
    } else if (error == DL_EUNCHANGED) {
        fprintf(out, "unchanged: %s\n", id.hex);
    } else {
        fprintf(out, "%s\n", id.hex);
    }
    dl_cli_close_article(&o);
    return status;
}

/* ---------------------------------------------------------------- note -- */

int dl_cli_note(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "note", .usage = "note [REV] FILE -m NOTE [--store DIR] [--json]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_NOTE | OPT_STORE | OPT_JSON, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "Attach NOTE to version REV of FILE (default @, the latest),\n"
                          "replacing any note it had. Notes live in refs/notes/dateline.\n"
                          "REV: a version id (4+ hex digits), @ or @~N.\n");
    if (a.nargs < 1 || a.nargs > 2)
        return dl_cli_usage_error(&a, err, "%s", a.nargs ? "takes [REV] FILE" : "needs a FILE");
    if (a.note == NULL)
        return dl_cli_usage_error(&a, err, "%s", "needs -m NOTE");

    const char *rev = a.nargs == 2 ? a.args[0] : "@";
    const char *file = a.args[a.nargs - 1];
    dl_cli_article o;
    dl_history_id id;
    int error = dl_cli_open_article(&o, &a, file);
    if (error == 0)
        error = dl_history_note(&id, o.history, rev, a.note);
    if (error < 0) {
        status = dl_cli_fail(err);
    } else if (a.json) {
        json_t *doc = json_article(dl_cli_json_document(), o.history);
        json_object_set_new(doc, "id", json_string(id.hex));
        json_object_set_new(doc, "note", json_string(a.note));
        status = dl_cli_json_print(doc, out);
    } else {
        fprintf(out, "noted %.*s\n", DL_HISTORY_ID_SHORTSIZE, id.hex);
    }
    dl_cli_close_article(&o);
    return status;
}

/* ----------------------------------------------------------------- log -- */

int dl_cli_log(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "log",
                  .usage = "log FILE [-n N] [--annotated] [--json] [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_COUNT | OPT_ANNOTATED | OPT_STORE | OPT_JSON,
                            err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "List FILE's versions, newest first: id, time (ISO 8601 with the\n"
                          "writer's zone), author, words (and the change in words), what\n"
                          "changed, note.\n\n"
                          "  -n, --max-count N   only the newest N versions\n"
                          "  --annotated         only versions with a note\n"
                          "  --json              print a JSON object (schema 1)\n");
    if (a.nargs != 1)
        return dl_cli_usage_error(&a, err, "%s", a.nargs ? "takes one FILE" : "needs a FILE");

    dl_cli_article o;
    dl_history_log *log = NULL;
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.max_count = a.count;
    options.annotated_only = a.annotated;

    int error = dl_cli_open_article(&o, &a, a.args[0]);
    if (error == 0)
        error = dl_history_log_read(&log, o.history, &options);
    if (error < 0) {
        status = dl_cli_fail(err);
        goto done;
    }

    if (a.json) {
        json_t *doc = json_article(dl_cli_json_document(), o.history);
        json_t *versions = json_array();
        for (size_t i = 0; i < log->count; i++) {
            const dl_history_version *v = &log->versions[i];
            char when[40];
            dl_history_format_time(when, sizeof(when), v->time, v->offset);
            json_t *parents = json_array();
            if (v->parent_count > 0)
                json_array_append_new(parents, json_string(v->parent.hex));
            json_t *item = json_pack(
                "{s:s, s:s#, s:s, s:I, s:i, s:{s:s, s:s}, s:o, s:o, s:I, s:I, s:I}",
                "id", v->id.hex, "short", v->id.hex, (int)DL_HISTORY_ID_SHORTSIZE,
                "time", when, "timestamp", (json_int_t)v->time, "offset_minutes", v->offset,
                "author", "name", v->author_name, "email", v->author_email,
                "note", v->note ? json_string(v->note) : json_null(),
                "parents", parents, "parent_count", (json_int_t)v->parent_count,
                "words", (json_int_t)v->change.words,
                "words_delta", (json_int_t)v->change.words_delta);
            if (item != NULL && v->change.summary != NULL)
                json_object_set_new(item, "summary", json_string(v->change.summary));
            json_array_append_new(versions, item);
        }
        json_object_set_new(doc, "versions", versions);
        status = dl_cli_json_print(doc, out);
        goto done;
    }

    if (log->count == 0)
        fprintf(err, "%s: %s has no recorded versions\n", DL_NAME, dl_history_key(o.history));
    for (size_t i = 0; i < log->count; i++) {
        const dl_history_version *v = &log->versions[i];
        char when[40];
        dl_history_format_time(when, sizeof(when), v->time, v->offset);
        fprintf(out, "%.*s  %s  %s  %zu words (%+lld)", DL_HISTORY_ID_SHORTSIZE, v->id.hex,
                when, v->author_name, v->change.words, v->change.words_delta);
        if (v->change.summary != NULL)
            fprintf(out, "  %s", v->change.summary);
        if (v->note != NULL)
            fprintf(out, "  %s", v->note);
        fputc('\n', out);
    }

done:
    dl_history_log_free(log);
    dl_cli_close_article(&o);
    return status;
}

/* ---------------------------------------------------------------- show -- */

int dl_cli_show(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "show", .usage = "show REV FILE [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_STORE, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "Print the content of version REV of FILE.\n"
                          "REV: a version id (4+ hex digits), @ (latest) or @~N.\n");
    if (a.nargs != 2)
        return dl_cli_usage_error(&a, err, "%s", "needs REV and FILE");

    dl_cli_article o;
    dl_history_id id;
    char *content = NULL;
    size_t size = 0;
    int error = dl_cli_open_article(&o, &a, a.args[1]);
    if (error == 0)
        error = dl_history_resolve(&id, o.history, a.args[0]);
    if (error == 0)
        error = dl_history_read(&content, &size, o.history, &id);
    if (error < 0)
        status = dl_cli_fail(err);
    else if (fwrite(content, 1, size, out) != size)
        status = DL_EXIT_ERROR;
    free(content);
    dl_cli_close_article(&o);
    return status;
}

/* ------------------------------------------------------------- restore -- */

int dl_cli_restore(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "restore", .usage = "restore REV FILE [--store DIR] [--json]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_STORE | OPT_JSON, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "Write version REV back to FILE (atomically, keeping its mode).\n"
                          "Unrecorded content in FILE is recorded first (note \"before restore\n"
                          "of ID\"), and the restored content is recorded as the latest\n"
                          "version (note \"restored ID\"), whose id is printed.\n");
    if (a.nargs != 2)
        return dl_cli_usage_error(&a, err, "%s", "needs REV and FILE");

    dl_cli_article o;
    dl_history_id from, id;
    int error = dl_cli_open_article(&o, &a, a.args[1]);
    if (error == 0)
        error = dl_history_resolve(&from, o.history, a.args[0]);
    if (error == 0)
        error = dl_history_restore(&id, o.history, from.hex);
    if (error < 0) {
        status = dl_cli_fail(err);
    } else if (a.json) {
        json_t *doc = json_article(dl_cli_json_document(), o.history);
        json_object_set_new(doc, "restored", json_string(from.hex));
        json_object_set_new(doc, "id", json_string(id.hex));
        status = dl_cli_json_print(doc, out);
    } else {
        fprintf(out, "restored %.*s; latest version is now %s\n", DL_HISTORY_ID_SHORTSIZE,
                from.hex, id.hex);
    }
    dl_cli_close_article(&o);
    return status;
}

/* ------------------------------------------------------------ push/pull -- */

static int sync_command(int argc, char **argv, FILE *out, FILE *err, int pull)
{
    dl_cli_args a = {.name = pull ? "pull" : "push",
                  .usage = pull ? "pull [REMOTE] [PATH] [--store DIR] [--json]"
                                : "push [REMOTE] [PATH] [--store DIR] [--json]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_STORE | OPT_JSON, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          pull ? "Fetch every article's history and the notes from REMOTE\n"
                                 "(a remote name, URL or path; default origin) and join them\n"
                                 "with this store's. Diverged histories get a merge version\n"
                                 "holding the local content; no version is dropped. PATH (a\n"
                                 "file or directory, default .) says which repository.\n"
                               : "Send every article's history (refs/dateline/...) and the\n"
                                 "notes (refs/notes/dateline) to REMOTE (a remote name, URL or\n"
                                 "path; default origin). Never forces: if REMOTE has versions\n"
                                 "this store lacks, pull first. PATH (a file or directory,\n"
                                 "default .) says which repository.\n");
    if (a.nargs > 2)
        return dl_cli_usage_error(&a, err, "%s", "takes [REMOTE] [PATH]");

    dl_history_store *store = NULL;
    dl_history_store_options store_options = DL_HISTORY_STORE_OPTIONS_INIT;
    dl_history_sync_options options = DL_HISTORY_SYNC_OPTIONS_INIT;
    dl_history_sync_result result = {0};
    store_options.store_dir = a.store;
    options.remote = a.nargs > 0 ? a.args[0] : "origin";

    int error = dl_history_store_open(&store, a.nargs > 1 ? a.args[1] : ".", &store_options);
    if (error == 0)
        error = pull ? dl_history_pull(&result, store, &options)
                     : dl_history_push(&result, store, &options);
    if (error < 0) {
        status = dl_cli_fail(err);
    } else if (a.json) {
        json_t *doc = json_pack("{s:i, s:s, s:s, s:I, s:I, s:I, s:b}", "schema", JSON_SCHEMA,
                                "store", dl_history_store_path(store), "remote", options.remote,
                                "updated", (json_int_t)result.updated,
                                "merged", (json_int_t)result.merged,
                                "unchanged", (json_int_t)result.unchanged,
                                "notes_updated", result.notes_updated);
        status = dl_cli_json_print(doc, out);
    } else if (pull) {
        fprintf(out, "pulled from %s: %zu updated, %zu merged, %zu unchanged%s\n",
                options.remote, result.updated, result.merged, result.unchanged,
                result.notes_updated ? ", notes updated" : "");
    } else {
        fprintf(out, "pushed to %s: %zu updated, %zu unchanged%s\n", options.remote,
                result.updated, result.unchanged, result.notes_updated ? ", notes updated" : "");
    }
    dl_history_store_free(store);
    return status;
}

int dl_cli_push(int argc, char **argv, FILE *out, FILE *err)
{
    return sync_command(argc, argv, out, err, 0);
}

int dl_cli_pull(int argc, char **argv, FILE *out, FILE *err)
{
    return sync_command(argc, argv, out, err, 1);
}
