/*
 * dateline — history subcommands: snapshot, note, log, show, restore,
 * push, pull. Each parses its arguments, calls the operation
 * (dateline/ops.h), and prints text or the operation's JSON rendering.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "cli_history.h"
#include "dateline/cli.h"
#include "dateline/error.h"
#include "dateline/history.h"
#include "dateline/ops.h"
#include "dateline/text.h"
#include "dateline_version.h"

/* ------------------------------------------------------------ snapshot -- */

/* One file of `snapshot`: recorded, its line (or JSON object) written.
 * `batch`: several files were given, so each line names its file. */
static int snapshot_one(dl_cli_article *o, const dl_cli_args *a, const char *file,
                        long long since, int batch, json_t *array, FILE *out, FILE *err)
{
    (void)since; /* snapshot takes no --since */
    dl_ops_snapshot_options options = DL_OPS_SNAPSHOT_OPTIONS_INIT;
    dl_ops_snapshot_result result;
    json_t *doc = NULL;
    int status = DL_EXIT_OK;
    options.note = a->note;
    int error = dl_ops_snapshot(&result, o->history, &options);
    if (error == 0 && a->json)
        error = dl_ops_snapshot_json(&doc, o->history, &result);
    if (error < 0)
        return batch ? dl_cli_batch_fail(err, file, array) : dl_cli_fail(err);
    if (array != NULL)
        json_array_append_new(array, doc);
    else if (a->json)
        status = dl_cli_json_print(doc, out);
    else {
        if (!result.recorded)
            fputs("unchanged: ", out);
        fputs(result.id.hex, out);
        if (batch) {
            fputs("  ", out);
            dl_cli_put_text(out, file);
        }
        fputc('\n', out);
        /* stdout stays one line for scripts; the writer hears where the note went. */
        if (!result.recorded && a->note != NULL)
            fprintf(err, "%s: the content is unchanged; the note is attached to %.*s\n", DL_NAME,
                    DL_HISTORY_ID_SHORTSIZE, result.id.hex);
    }
    if (result.note_error[0] != '\0' && status == DL_EXIT_OK) {
        /* The version stands: say so, and why its note does not. */
        fprintf(err, "%s: version %s was recorded, but its note was refused: ", DL_NAME,
                result.id.hex);
        dl_cli_put_text(err, result.note_error);
        fputc('\n', err);
        status = DL_EXIT_PARTIAL;
    }
    return status;
}

int dl_cli_snapshot(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "snapshot",
                     .usage = "snapshot FILE... [-m NOTE] [--store DIR] [--json]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_NOTE | OPT_STORE | OPT_JSON, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "Record each FILE's current content as a new version and print its\n"
                          "id. Content equal to the latest version records nothing and prints\n"
                          "\"unchanged: ID\" (exit 0). Binary or non-UTF-8 files are refused.\n"
                          "With several files, one process records them all: each line is\n"
                          "\"ID  FILE\", a file that fails is reported on stderr and the others\n"
                          "are still recorded, and the exit status is 1 if any failed.\n\n"
                          "  -m, --message NOTE  attach a note to each new version\n"
                          "  --store DIR         use this history repository\n"
                          "  --json              print a JSON object (schema 1); with several\n"
                          "                      files, an array of them in FILE order, a\n"
                          "                      failed file as {\"file\", \"error\"}\n");
    if (a.nargs == 0)
        return dl_cli_usage_error(&a, err, "%s", "needs a FILE");

    return dl_cli_each_file(&a, 0, snapshot_one, out, err);
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

    dl_cli_article o;
    dl_ops_note_options options = DL_OPS_NOTE_OPTIONS_INIT;
    dl_ops_note_result result;
    json_t *doc = NULL;
    options.rev = a.nargs == 2 ? a.args[0] : NULL;
    options.note = a.note;
    int error = dl_cli_open_article(&o, &a, a.args[a.nargs - 1]);
    if (error == 0)
        error = dl_ops_note(&result, o.history, &options);
    if (error == 0 && a.json)
        error = dl_ops_note_json(&doc, o.history, &result);
    if (error < 0)
        status = dl_cli_fail(err);
    else if (a.json)
        status = dl_cli_json_print(doc, out);
    else
        fprintf(out, "noted %.*s\n", DL_HISTORY_ID_SHORTSIZE, result.id.hex);
    dl_cli_close_article(&o);
    return status;
}

/* ----------------------------------------------------------------- log -- */

/* A note on one log line: its first line, then how many lines were left
 * out, so that `dateline log` stays one line per version (scripts count
 * lines, and a note's second line would read as another version). The whole
 * note is in `log --json`. CRLF and a lone CR end a line too; blank lines
 * before the first are not counted. */
static void put_note_first_line(FILE *out, const char *note)
{
    /* A note that opens with blank lines is shown by its first words. */
    note += strspn(note, "\r\n");
    size_t first = strcspn(note, "\r\n");
    dl_text_put(out, note, first, DL_TEXT_ONE_LINE);
    size_t more = 0;
    const char *p = note + first;
    while (*p != '\0') {
        p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
        size_t line = strcspn(p, "\r\n");
        /* A trailing line break does not start another line. */
        if (line > 0 || p[line] != '\0')
            more++;
        p += line;
    }
    if (more > 0)
        fprintf(out, " (+%zu line%s)", more, more == 1 ? "" : "s");
}

static void print_log(FILE *out, FILE *err, const dl_history *history, const dl_history_log *log)
{
    if (log->count == 0) {
        fprintf(err, "%s: ", DL_NAME);
        dl_cli_put_text(err, dl_history_key(history));
        fputs(" has no recorded versions\n", err);
    }
    for (size_t i = 0; i < log->count; i++) {
        const dl_history_version *v = &log->versions[i];
        char when[40];
        dl_history_format_time(when, sizeof(when), v->time, v->offset);
        fprintf(out, "%.*s  %s  ", DL_HISTORY_ID_SHORTSIZE, v->id.hex, when);
        dl_cli_put_text(out, v->author_name ? v->author_name : "");
        fprintf(out, "  %zu words (%+lld)", v->change.words, v->change.words_delta);
        if (v->change.not_text)
            fputs("  [not text]", out);
        if (v->change.trivial)
            fputs("  (trivial)", out);
        if (v->change.summary != NULL) {
            fputs("  ", out);
            dl_cli_put_text(out, v->change.summary);
        }
        if (v->note != NULL) {
            fputs("  ", out);
            put_note_first_line(out, v->note);
        }
        fputc('\n', out);
    }
}

/* One file of `log`; with `batch`, under a "==> FILE <==" line (as head
 * and tail name the files of a batch) and a blank line after. */
static int log_one(dl_cli_article *o, const dl_cli_args *a, const char *file, long long since,
                   int batch, json_t *array, FILE *out, FILE *err)
{
    dl_history_log *log = NULL;
    dl_ops_log_options options = DL_OPS_LOG_OPTIONS_INIT;
    json_t *doc = NULL;
    int status = DL_EXIT_OK;
    options.max_count = a->count;
    options.annotated_only = a->annotated;
    options.hide_trivial = a->hide_trivial;
    char *text = NULL;
    size_t size = 0;
    int error = dl_ops_log(&log, o->history, &options);
    if (error == 0 && a->since != NULL)
        error = dl_ops_log_keep_since(log, since);
    /* One article's log is printed as the text the core writes: building
     * the tree to print it cost more than reading the history. A batch
     * gathers the articles' trees into one array. */
    if (error == 0 && a->json && array != NULL)
        error = dl_ops_log_json(&doc, o->history, log);
    else if (error == 0 && a->json)
        error = dl_ops_log_json_text(&text, &size, o->history, log);
    if (error < 0) {
        status = batch ? dl_cli_batch_fail(err, file, array) : dl_cli_fail(err);
    } else if (array != NULL) {
        json_array_append_new(array, doc);
    } else if (a->json) {
        if (fwrite(text, 1, size, out) != size || fputc('\n', out) == EOF)
            status = DL_EXIT_ERROR;
    } else {
        if (batch)
            dl_cli_put_file_heading(out, file, NULL);
        print_log(out, err, o->history, log);
        if (batch)
            fputc('\n', out);
    }
    free(text);
    dl_history_log_free(log);
    return status;
}

/* `log --all`: every article of the store, newest change first, with its
 * latest version's line. */
static int log_all(const dl_cli_args *a, long long since, FILE *out, FILE *err)
{
    dl_history_store *store = NULL;
    dl_ops_articles_options options = DL_OPS_ARTICLES_OPTIONS_INIT;
    dl_ops_articles_result *result = NULL;
    json_t *doc = NULL;
    int status = DL_EXIT_OK;
    options.since = a->since ? since : 0;
    options.latest = 1;
    int error = dl_cli_open_store(&store, a, a->nargs ? a->args[0] : ".");
    if (error == 0)
        error = dl_ops_articles(&result, store, &options);
    if (error == 0 && a->json)
        error = dl_ops_articles_json(&doc, store, result);
    if (error < 0) {
        status = dl_cli_fail(err);
    } else if (a->json) {
        status = dl_cli_json_print(doc, out);
    } else {
        for (size_t i = 0; i < result->count; i++) {
            const dl_ops_article *article = &result->articles[i];
            if (article->latest->count == 0)
                continue;
            const dl_history_version *v = &article->latest->versions[0];
            char when[40];
            dl_history_format_time(when, sizeof(when), v->time, v->offset);
            fprintf(out, "%.*s  %s  ", DL_HISTORY_ID_SHORTSIZE, v->id.hex, when);
            dl_cli_put_text(out, dl_history_key(article->history));
            fputs("  ", out);
            dl_cli_put_text(out, v->author_name ? v->author_name : "");
            if (v->change.summary != NULL) {
                fputs("  ", out);
                dl_cli_put_text(out, v->change.summary);
            }
            if (v->note != NULL) {
                fputs("  ", out);
                put_note_first_line(out, v->note);
            }
            fputc('\n', out);
        }
    }
    dl_ops_articles_free(result);
    dl_history_store_free(store);
    return status;
}

int dl_cli_log(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "log",
                  .usage = "log (FILE... | --all [PATH]) [-n N] [--annotated] [--hide-trivial] "
                           "[--since WHEN] [--json] [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv,
                                   OPT_COUNT | OPT_ANNOTATED | OPT_HIDE_TRIVIAL | OPT_STORE |
                                       OPT_JSON | OPT_SINCE | OPT_ALL,
                                   err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "List FILE's versions, newest first: id, time (ISO 8601 with the\n"
                          "writer's zone), author, words (and the change in words), what\n"
                          "changed, note. A trivial version is marked (trivial). With\n"
                          "several files, each one's list follows a \"==> FILE <==\" line;\n"
                          "a file that fails is reported on stderr, the others are still\n"
                          "listed, and the exit status is 1.\n"
                          "--all lists every article of the store holding PATH (default .),\n"
                          "the latest change first: its latest version's id, time, key,\n"
                          "author, what changed and note.\n\n"
                          "  -n, --max-count N   only the newest N versions\n"
                          "  --annotated         only versions with a note\n"
                          "  --hide-trivial      leave out trivial versions (white space,\n"
                          "                      punctuation, a one-keystroke typo)\n"
                          "  --since WHEN        only versions (with --all: articles with a\n"
                          "                      version) recorded since WHEN: 1.day, 2.hours,\n"
                          "                      3 weeks ago, yesterday, 2024-05-01,\n"
                          "                      2024-05-01T10:22+02:00, @SECONDS\n"
                          "  --all               every article of the store\n"
                          "  --json              print a JSON object (schema 1); with several\n"
                          "                      files, an array of them in FILE order, a\n"
                          "                      failed file as {\"file\", \"error\"}\n"
                          "  --store DIR         use this history repository\n");
    long long since = 0;
    if (a.since != NULL && (status = dl_cli_since(&since, &a, err)) != DL_EXIT_OK)
        return status;
    if (a.all) {
        if (a.nargs > 1)
            return dl_cli_usage_error(&a, err, "%s", "--all takes at most one PATH");
        if (a.count || a.annotated || a.hide_trivial)
            return dl_cli_usage_error(&a, err, "%s", "--all lists one line per article: "
                                                     "no -n, --annotated or --hide-trivial");
        return log_all(&a, since, out, err);
    }
    if (a.nargs == 0)
        return dl_cli_usage_error(&a, err, "%s", "needs a FILE (or --all)");

    return dl_cli_each_file(&a, since, log_one, out, err);
}

/* ---------------------------------------------------------------- show -- */

int dl_cli_show(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "show", .usage = "show REV FILE [--json] [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_STORE | OPT_JSON, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "Print the content of version REV of FILE, byte for byte.\n"
                          "REV: a version id (4+ hex digits), @ (latest) or @~N.\n\n"
                          "  --json       print a JSON object (schema 1) holding the content\n"
                          "  --store DIR  use this history repository\n");
    if (a.nargs != 2)
        return dl_cli_usage_error(&a, err, "%s", "needs REV and FILE");

    dl_cli_article o;
    dl_ops_show_options options = DL_OPS_SHOW_OPTIONS_INIT;
    dl_ops_show_result result = {0};
    json_t *doc = NULL;
    options.rev = a.args[0];
    int error = dl_cli_open_article(&o, &a, a.args[1]);
    if (error == 0)
        error = dl_ops_show(&result, o.history, &options);
    if (error == 0 && a.json)
        error = dl_ops_show_json(&doc, &result);
    if (error < 0)
        status = dl_cli_fail(err);
    else if (a.json)
        status = dl_cli_json_print(doc, out);
    else if (fwrite(result.content, 1, result.size, out) != result.size)
        status = DL_EXIT_ERROR;
    dl_ops_show_result_dispose(&result);
    dl_cli_close_article(&o);
    return status;
}

/* ------------------------------------------------------------- restore -- */

int dl_cli_restore(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "restore",
                     .usage = "restore REV FILE [--force] [--store DIR] [--json]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_FORCE | OPT_STORE | OPT_JSON, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                          "Write version REV back to FILE (atomically, keeping its mode).\n"
                          "Unrecorded content in FILE is recorded first (note \"before restore\n"
                          "of ID\"), and the restored content is recorded as the latest\n"
                          "version (note \"restored ID\"), whose id is printed.\n"
                          "A read-only FILE is refused unless --force is given.\n\n"
                          "  --force             replace FILE even when it is read-only\n"
                          "  --store DIR         use this history repository\n"
                          "  --json              print a JSON object (schema 1)\n");
    if (a.nargs != 2)
        return dl_cli_usage_error(&a, err, "%s", "needs REV and FILE");

    dl_cli_article o;
    dl_ops_restore_options options = DL_OPS_RESTORE_OPTIONS_INIT;
    dl_ops_restore_result result;
    json_t *doc = NULL;
    options.rev = a.args[0];
    options.force = a.force;
    int error = dl_cli_open_article(&o, &a, a.args[1]);
    if (error == 0)
        error = dl_ops_restore(&result, o.history, &options);
    if (error == 0 && a.json)
        error = dl_ops_restore_json(&doc, o.history, &result);
    if (error < 0)
        status = dl_cli_fail(err);
    else if (a.json)
        status = dl_cli_json_print(doc, out);
    else
        fprintf(out, "restored %.*s; latest version is now %s\n", DL_HISTORY_ID_SHORTSIZE,
                result.restored.hex, result.id.hex);
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
                                 "file or directory, default .) says which repository; a\n"
                                 "remote name is that repository's.\n"
                               : "Send every article's history (refs/dateline/...) and the\n"
                                 "notes (refs/notes/dateline) to REMOTE (a remote name, URL or\n"
                                 "path; default origin). Never forces: if REMOTE has versions\n"
                                 "this store lacks, pull first. PATH (a file or directory,\n"
                                 "default .) says which repository; a remote name is that\n"
                                 "repository's.\n");
    if (a.nargs > 2)
        return dl_cli_usage_error(&a, err, "%s", "takes [REMOTE] [PATH]");

    dl_history_store *store = NULL;
    dl_ops_sync_options options = DL_OPS_SYNC_OPTIONS_INIT;
    dl_ops_sync_result result = {0};
    json_t *doc = NULL;
    options.remote = a.nargs > 0 ? a.args[0] : NULL;

    int error = dl_cli_open_store(&store, &a, a.nargs > 1 ? a.args[1] : ".");
    if (error == 0)
        error = pull ? dl_ops_pull(&result, store, &options) : dl_ops_push(&result, store, &options);
    if (error == 0 && a.json)
        error = dl_ops_sync_json(&doc, store, &result);
    if (error < 0) {
        status = dl_cli_fail(err);
    } else if (a.json) {
        status = dl_cli_json_print(doc, out);
    } else {
        const dl_history_sync_result *c = &result.counts;
        fputs(pull ? "pulled from " : "pushed to ", out);
        dl_cli_put_text(out, result.remote);
        if (pull)
            fprintf(out, ": %zu updated, %zu merged, %zu unchanged%s\n", c->updated, c->merged,
                    c->unchanged, c->notes_updated ? ", notes updated" : "");
        else
            fprintf(out, ": %zu updated, %zu unchanged%s\n", c->updated, c->unchanged,
                    c->notes_updated ? ", notes updated" : "");
        for (size_t i = 0; i < c->refused_count; i++) {
            fputs("refused ", out);
            dl_cli_put_text(out, c->refused[i]);
            fputc('\n', out);
        }
    }
    dl_history_sync_result_dispose(&result.counts);
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
