/*
 * dateline — the language server's history work, on one worker thread.
 *
 * Recording on save, the `dateline.*` commands, blame for hover and the
 * "quotation changed since the last annotated version" check all touch the
 * repository, and a repository can be slow (a repack takes seconds). They
 * run here, one at a time in arrival order, so the reading thread keeps
 * answering symbols and diagnostics while they work. Jobs carry copies of
 * everything they need (the document's text included): the worker never
 * looks at the reading thread's documents. Its own per-document state —
 * open store and history handles, the failures already reported, the
 * quotation checker — lives here and is only touched by the worker.
 *
 * The commands are the core's operations (dateline/ops.h): this file
 * checks the LSP arguments, calls the operation and returns its JSON
 * rendering, the very object `dateline <op> --json` prints. Blame and the
 * quotation check are the core's too (dateline/blame.h).
 *
 * Results go straight to the client through the (locked) writer, except
 * the quotation check, whose warnings join the document's diagnostics and
 * are therefore handed back to the reading thread (dl_lsp_worker_results).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dateline/blame.h"
#include "dateline/error.h"
#include "dateline/history.h"
#include "dateline/ops.h"
#include "dateline/text.h"
#include "lsp_internal.h"

/* Versions hover's blame looks back through: hover must stay quick on long
 * histories, and the oldest of them is credited with anything older. */
#define BLAME_DEPTH 200

/* -------------------------------------------------- per-document state -- */

typedef struct worker_doc {
    char *uri;
    char *path;
    dl_history_store *store;
    dl_history *history;
    unsigned reported; /* failure kinds already shown to the user */
    dl_blame_checker *checker; /* the quotation check's memory of this article */
    dl_blame_cache *blame;     /* hover's: the history walked, kept while it stands */
    struct worker_doc *next;
} worker_doc;

/*
 * A thread that runs jobs, with its own per-document state. Normally one
 * runner lives as long as the worker. When a job outlasts the watchdog's
 * bound, its runner is abandoned: a thread blocked in the kernel or in
 * libgit2 cannot be stopped safely in C, so it is detached and left to
 * finish (or not) on its own, with its own handles, and its output is
 * dropped (`writer` is a gate that checks `abandoned`); a fresh runner
 * with fresh handles takes the queue over.
 */
typedef struct runner {
    dl_lsp_worker *worker;
    dl_lsp_writer gate;    /* writes to the worker's writer unless abandoned */
    dl_lsp_writer *writer; /* &gate, or the worker's writer when synchronous */
    const dl_lsp_config *config;
    worker_doc *docs;
    pthread_t thread;
    int abandoned;    /* under the worker's writer lock (and its lock) */
    int busy;         /* under the worker's lock: running a job since `started` */
    struct timespec started;
    json_t *busy_id;  /* the running job's request id, or NULL */
    char *busy_uri;   /* a running record job's document, or NULL */
} runner;

/* When a document was last touched (dl_lsp_worker_touch), on the
 * worker's clock. */
typedef struct touch {
    char *uri;
    unsigned long long at;
    struct touch *next;
} touch;

struct dl_lsp_worker {
    pthread_mutex_t lock;
    pthread_cond_t wake;    /* a job arrived, or stop */
    pthread_cond_t idle;    /* the queue emptied */
    pthread_cond_t changed; /* a runner started a job, finished, or stopped */
    pthread_t watchdog;
    int started, stopping, watchdog_stop;
    int runner_live;    /* the current runner's thread has not ended */
    int abandoned_live; /* abandoned runners still running */
    int told;           /* the user heard about an abandoned job */
    runner *current;    /* NULL when synchronous */
    runner sync_runner; /* the synchronous worker's state */
    dl_lsp_job *head, *tail;
    dl_lsp_result *results, *results_tail;
    int wake_fd;
    /* Under `lock`: a counter that stamps queued jobs and touches, and the
     * open documents' last touches (removed by their close job). */
    unsigned long long clock;
    touch *touches;

    dl_lsp_writer *writer;
    const dl_lsp_config *config;
};

static void worker_doc_close(worker_doc *d)
{
    dl_blame_checker_free(d->checker);
    dl_blame_cache_free(d->blame);
    dl_history_free(d->history);
    dl_history_store_free(d->store);
    d->checker = NULL;
    d->blame = NULL;
    d->history = NULL;
    d->store = NULL;
}

static void worker_doc_free(worker_doc *d)
{
    if (d == NULL)
        return;
    worker_doc_close(d);
    free(d->uri);
    free(d->path);
    free(d);
}

static worker_doc *find_doc(runner *w, const char *uri)
{
    for (worker_doc *d = w->docs; d; d = d->next)
        if (strcmp(d->uri, uri) == 0)
            return d;
    worker_doc *d = calloc(1, sizeof(*d));
    if (d == NULL || (d->uri = strdup(uri)) == NULL) {
        free(d);
        return NULL;
    }
    d->path = dl_lsp_uri_to_path(uri);
    d->next = w->docs;
    w->docs = d;
    return d;
}

static void forget_doc(runner *w, const char *uri)
{
    for (worker_doc **p = &w->docs; *p; p = &(*p)->next) {
        if (strcmp((*p)->uri, uri) == 0) {
            worker_doc *d = *p;
            *p = d->next;
            worker_doc_free(d);
            return;
        }
    }
}

/* The document's history handle, opening the store on first use. */
static int open_history(dl_history **out, worker_doc *d, const dl_lsp_config *config)
{
    if (config->no_history)
        return dl_error_set(DL_EINVALID, "history is disabled in this server");
    if (d->path == NULL)
        return dl_error_set(DL_EINVALID, "%s is not a file: URI; only files have history", d->uri);
    if (d->history == NULL) {
        dl_history_store_options options = DL_HISTORY_STORE_OPTIONS_INIT;
        options.store_dir = config->store;
        int error = dl_history_store_open(&d->store, d->path, &options);
        if (error == 0)
            error = dl_history_open(&d->history, d->store, d->path);
        if (error < 0) {
            worker_doc_close(d);
            return error;
        }
    }
    *out = d->history;
    return 0;
}

/* ------------------------------------------------------------ commands -- */

/*
 * One server command: check the arguments (an object with "uri" and the
 * command's own keys), call the operation, render its result. `content` is
 * the editor's text of the document when the client sent it: operations
 * on "the current text" read it instead of the file.
 */
typedef struct {
    dl_history *history;
    const json_t *args;
    const char *content; /* NULL: the file on disk */
    size_t content_size;
    const char *uri;
    dl_lsp_writer *writer;
    const dl_lsp_config *config;
} command_call;

typedef struct {
    int code; /* LSP error code when failing */
    char message[512];
} command_error;

static int fail(command_error *e, int lsp_code, const char *message)
{
    e->code = lsp_code;
    snprintf(e->message, sizeof(e->message), "%s", message && *message ? message : "unknown error");
    return -1;
}

/* A library failure: bad revisions and arguments are the caller's mistake. */
static int fail_library(command_error *e, int error)
{
    int code = error == DL_EINVALID || error == DL_ENOTFOUND || error == DL_EUSAGE
                   ? LSP_INVALID_PARAMS
                   : LSP_INTERNAL_ERROR;
    return fail(e, code, dl_error_last());
}

/* The string under `key`: 0 when it is one or absent (NULL), else a failure. */
static int string_arg(const char **out, const json_t *args, const char *key, command_error *e)
{
    const json_t *value = json_object_get(args, key);
    *out = json_is_string(value) ? json_string_value(value) : NULL;
    if (value == NULL || json_is_null(value) || json_is_string(value))
        return 0;
    char message[128];
    snprintf(message, sizeof(message), "%s must be a string", key);
    return fail(e, LSP_INVALID_PARAMS, message);
}

static json_t *cmd_snapshot(const command_call *c, command_error *e)
{
    dl_ops_snapshot_options options = DL_OPS_SNAPSHOT_OPTIONS_INIT;
    dl_ops_snapshot_result result;
    json_t *json = NULL;
    int error;
    if (string_arg(&options.note, c->args, "note", e) < 0)
        return NULL;
    options.content = c->content;
    options.content_size = c->content_size;
    if ((error = dl_ops_snapshot(&result, c->history, &options)) < 0 ||
        (error = dl_ops_snapshot_json(&json, c->history, &result)) < 0)
        fail_library(e, error);
    return json;
}

static json_t *cmd_note(const command_call *c, command_error *e)
{
    dl_ops_note_options options = DL_OPS_NOTE_OPTIONS_INIT;
    dl_ops_note_result result;
    json_t *json = NULL;
    int error;
    if (string_arg(&options.note, c->args, "note", e) < 0 ||
        string_arg(&options.rev, c->args, "rev", e) < 0)
        return NULL;
    if (options.note == NULL)
        return fail(e, LSP_INVALID_PARAMS, "dateline.note needs a \"note\" string"), NULL;
    if ((error = dl_ops_note(&result, c->history, &options)) < 0 ||
        (error = dl_ops_note_json(&json, c->history, &result)) < 0)
        fail_library(e, error);
    return json;
}

static json_t *cmd_log(const command_call *c, command_error *e)
{
    const json_t *n = json_object_get(c->args, "n");
    const json_t *annotated = json_object_get(c->args, "annotated");
    if (n != NULL && !json_is_null(n) && (!json_is_integer(n) || json_integer_value(n) <= 0))
        return fail(e, LSP_INVALID_PARAMS, "n must be a positive integer"), NULL;
    const json_t *hide_trivial = json_object_get(c->args, "hide_trivial");
    if (annotated != NULL && !json_is_boolean(annotated) && !json_is_null(annotated))
        return fail(e, LSP_INVALID_PARAMS, "annotated must be a boolean"), NULL;
    if (hide_trivial != NULL && !json_is_boolean(hide_trivial) && !json_is_null(hide_trivial))
        return fail(e, LSP_INVALID_PARAMS, "hide_trivial must be a boolean"), NULL;
    dl_ops_log_options options = DL_OPS_LOG_OPTIONS_INIT;
    options.max_count = json_is_integer(n) ? (size_t)json_integer_value(n) : 0;
    options.annotated_only = json_is_true(annotated);
    options.hide_trivial = json_is_true(hide_trivial);
    dl_history_log *log = NULL;
    json_t *json = NULL;
    int error;
    if ((error = dl_ops_log(&log, c->history, &options)) < 0 ||
        (error = dl_ops_log_json(&json, c->history, log)) < 0)
        fail_library(e, error);
    dl_history_log_free(log);
    return json;
}

static json_t *cmd_show(const command_call *c, command_error *e)
{
    dl_ops_show_options options = DL_OPS_SHOW_OPTIONS_INIT;
    dl_ops_show_result result = {0};
    json_t *json = NULL;
    int error;
    if (string_arg(&options.rev, c->args, "rev", e) < 0)
        return NULL;
    if (options.rev == NULL)
        return fail(e, LSP_INVALID_PARAMS, "dateline.show needs a \"rev\" string"), NULL;
    if ((error = dl_ops_show(&result, c->history, &options)) < 0 ||
        (error = dl_ops_show_json(&json, &result)) < 0)
        fail_library(e, error);
    dl_ops_show_result_dispose(&result);
    return json;
}

static json_t *cmd_diff(const command_call *c, command_error *e)
{
    dl_ops_diff_options options = DL_OPS_DIFF_OPTIONS_INIT;
    dl_ops_diff_result result = {0};
    json_t *json = NULL;
    int error;
    if (string_arg(&options.old_rev, c->args, "rev", e) < 0 ||
        string_arg(&options.new_rev, c->args, "rev2", e) < 0)
        return NULL;
    options.content = c->content;
    options.content_size = c->content_size;
    if ((error = dl_ops_diff(&result, c->history, &options)) < 0 ||
        (error = dl_ops_diff_json(&json, c->history, &result)) < 0)
        fail_library(e, error);
    dl_ops_diff_result_dispose(&result);
    return json;
}

/* Where a text ends, as an LSP position in the client's encoding. */
static json_t *end_position(const char *text, size_t size, dl_lsp_encoding enc)
{
    size_t line = 0, character = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char byte = (unsigned char)text[i];
        if (byte == '\n')
            line++, character = 0;
        else if (enc == DL_LSP_UTF8)
            character++;
        else if ((byte & 0xC0) != 0x80) /* a character starts: 2 units past U+FFFF */
            character += byte >= 0xF0 ? 2 : 1;
    }
    return json_pack("{s:I, s:I}", "line", (json_int_t)line, "character", (json_int_t)character);
}

/* How long a restore waits for the editor to apply its edit: well inside
 * the watchdog's bound, so the fallback still runs in the same job. */
static long long apply_edit_timeout_ms(const dl_lsp_config *config)
{
    long long bound = config->job_timeout_ms / 2;
    return bound < 5000 ? bound : 5000;
}

/*
 * Restore into the editor's buffer: record its unsaved text (a restore
 * loses nothing), then ask the client to replace the whole document with
 * the version's bytes, as one undoable edit that writes nothing. 1 when
 * the client applied it (`*json` is the answer), 0 when it refused, did not
 * answer in time, or the version cannot travel as JSON text: the caller
 * writes the file instead. -1 on an error to report.
 */
static int restore_into_editor(json_t **json, const command_call *c, const char *rev,
                               command_error *e)
{
    dl_ops_show_options show = DL_OPS_SHOW_OPTIONS_INIT;
    dl_ops_show_result shown = {0};
    dl_ops_snapshot_options snapshot = DL_OPS_SNAPSHOT_OPTIONS_INIT;
    dl_ops_snapshot_result recorded;
    dl_ops_restore_result result;
    json_t *response = NULL;
    int error, applied = 0;
    show.rev = rev;
    if ((error = dl_ops_show(&shown, c->history, &show)) < 0)
        return fail_library(e, error), -1;
    json_t *text = json_stringn(shown.content, shown.size); /* NULL: not UTF-8 */
    if (text == NULL) {
        dl_ops_show_result_dispose(&shown);
        return 0;
    }
    snapshot.content = c->content;
    snapshot.content_size = c->content_size;
    if ((error = dl_ops_snapshot(&recorded, c->history, &snapshot)) < 0) {
        json_decref(text);
        dl_ops_show_result_dispose(&shown);
        return fail_library(e, error), -1;
    }
    char label[64];
    snprintf(label, sizeof(label), "Restore version %.10s", shown.id.hex);
    json_t *edit = json_pack("{s:{s:o, s:o}, s:o}", "range", "start",
                             json_pack("{s:i, s:i}", "line", 0, "character", 0), "end",
                             end_position(c->content, c->content_size, c->config->enc),
                             "newText", text);
    json_t *params = json_pack("{s:s, s:{s:{s:[o]}}}", "label", label, "edit", "changes", c->uri,
                               edit);
    if (params != NULL &&
        dl_lsp_call(&response, c->writer, c->config->calls, "workspace/applyEdit", params,
                    apply_edit_timeout_ms(c->config)) == 0)
        applied = json_is_true(json_object_get(json_object_get(response, "result"), "applied"));
    json_decref(response);
    if (applied) {
        result.restored = shown.id;
        result.id = recorded.id;
        if ((error = dl_ops_restore_json(json, c->history, &result)) < 0 ||
            json_object_set_new(*json, "applied", json_true()) < 0)
            applied = -1, fail_library(e, error);
    }
    dl_ops_show_result_dispose(&shown);
    return applied;
}

/* The client could not take the version as an edit: the file is written,
 * and the editor showing it is told to reload it. */
static void tell_to_reload(const command_call *c, const dl_ops_restore_result *result)
{
    char message[512];
    snprintf(message, sizeof(message),
             "dateline: restored version %.10s into the file; reload it: the editor still shows "
             "the text from before",
             result->restored.hex);
    dl_lsp_message(c->writer, "window/showMessage", 2, message);
}

static json_t *cmd_restore(const command_call *c, command_error *e)
{
    dl_ops_restore_options options = DL_OPS_RESTORE_OPTIONS_INIT;
    dl_ops_restore_result result;
    json_t *json = NULL;
    int error;
    const json_t *force = json_object_get(c->args, "force");
    if (string_arg(&options.rev, c->args, "rev", e) < 0)
        return NULL;
    if (options.rev == NULL)
        return fail(e, LSP_INVALID_PARAMS, "dateline.restore needs a \"rev\" string"), NULL;
    if (force != NULL && !json_is_boolean(force) && !json_is_null(force))
        return fail(e, LSP_INVALID_PARAMS, "force must be a boolean"), NULL;
    options.force = json_is_true(force);
    /* An open document is restored into the editor's buffer when the client
     * can apply edits: writing the file under it would leave the buffer
     * stale, and its next save would record the old text again. */
    if (c->content != NULL && c->config->calls != NULL) {
        int applied = restore_into_editor(&json, c, options.rev, e);
        if (applied != 0)
            return json;
    }
    /* Unsaved text in the editor is recorded too: a restore loses nothing. */
    options.content = c->content;
    options.content_size = c->content_size;
    if ((error = dl_ops_restore(&result, c->history, &options)) < 0 ||
        (error = dl_ops_restore_json(&json, c->history, &result)) < 0) {
        fail_library(e, error);
        return json;
    }
    if (json_object_set_new(json, "applied", json_false()) < 0) {
        json_decref(json);
        return fail(e, LSP_INTERNAL_ERROR, "out of memory"), NULL;
    }
    if (c->content != NULL)
        tell_to_reload(c, &result);
    return json;
}

static json_t *cmd_blame(const command_call *c, command_error *e)
{
    dl_ops_blame_options options = DL_OPS_BLAME_OPTIONS_INIT;
    dl_blame *blame = NULL;
    json_t *json = NULL;
    int error;
    options.content = c->content;
    options.content_size = c->content_size;
    if ((error = dl_ops_blame(&blame, c->history, &options)) < 0 ||
        (error = dl_ops_blame_json(&json, c->history, blame)) < 0)
        fail_library(e, error);
    dl_blame_free(blame);
    return json;
}

/* The server's commands: one list that dispatch reads (the names are the
 * ones dl_lsp_code_actions offers and initialize advertises). */
static const struct {
    const char *name;
    json_t *(*run)(const command_call *c, command_error *e);
} commands[] = {
    {"dateline.snapshot", cmd_snapshot}, {"dateline.note", cmd_note},
    {"dateline.log", cmd_log},           {"dateline.show", cmd_show},
    {"dateline.diff", cmd_diff},         {"dateline.restore", cmd_restore},
    {"dateline.blame", cmd_blame},
};

static void run_command(runner *w, dl_lsp_job *job)
{
    command_error e = {0};
    json_t *result = NULL;
    const json_t *args = job->arguments;
    const json_t *uri = json_object_get(args, "uri");
    worker_doc *d = NULL;
    command_call call = {.args = args,
                         .content = job->text,
                         .content_size = job->size,
                         .uri = json_string_value(uri),
                         .writer = w->writer,
                         .config = w->config};
    size_t k = 0;

    dl_error_clear();
    while (k < sizeof(commands) / sizeof(commands[0]) && strcmp(commands[k].name, job->command))
        k++;
    if (!json_is_object(args) || !json_is_string(uri)) {
        fail(&e, LSP_INVALID_PARAMS, "the command takes one object argument with a \"uri\"");
    } else if (k == sizeof(commands) / sizeof(commands[0])) {
        fail(&e, LSP_INVALID_PARAMS, "unknown command");
    } else if ((d = find_doc(w, json_string_value(uri))) == NULL) {
        fail(&e, LSP_INTERNAL_ERROR, "out of memory");
    } else if (open_history(&call.history, d, w->config) < 0) {
        fail(&e, d->path ? LSP_INTERNAL_ERROR : LSP_INVALID_PARAMS, dl_error_last());
    } else {
        result = commands[k].run(&call, &e);
    }
    if (result != NULL)
        dl_lsp_respond(w->writer, job->id, result);
    else
        dl_lsp_respond_error(w->writer, job->id, e.code ? e.code : LSP_INTERNAL_ERROR, e.message);
}

/* ----------------------------------------------------- record on save -- */

static int excluded(const dl_lsp_config *config, const char *path)
{
    char cwd[4096];
    for (size_t i = 0; i < config->exclude_count; i++) {
        const char *prefix = config->exclude[i];
        char joined[8192];
        if (prefix[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
            snprintf(joined, sizeof(joined), "%s/%s", cwd, prefix);
            prefix = joined;
        }
        size_t n = strlen(prefix);
        while (n > 1 && prefix[n - 1] == '/')
            n--;
        if (strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0'))
            return 1;
    }
    return 0;
}

/* What to do about a failure to record, by where it happened. */
static const char *how_to_fix(int error, int opening)
{
    if (error == DL_ELOCKED)
        return "Another dateline or git process holds a lock on the history; if none is running, "
               "delete the stale .lock file named above.";
    if (error == DL_EINVALID && !opening)
        return "Only UTF-8 text without NUL bytes can be recorded.";
    return "Check that the history store is a writable git repository (choose another with "
           "the \"store\" initialization option or DATELINE_STORE), or turn recording off "
           "with \"recordOnSave\": false.";
}

/* A line break, or nothing: what a write may add or drop at the end. */
static int at_most_a_line_break(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '\n') || (n == 2 && s[0] == '\r' && s[1] == '\n');
}

/*
 * Whether `file` is what an editor writes for the text it holds: the same
 * bytes, or the same up to what a write legitimately changes. Clients send
 * the buffer with LF or with the file's CRLF (Neovim joins lines with the
 * 'fileformat' ending), without the byte order mark a write may add
 * ('bomb'), with or without the final line break a write adds or drops
 * ('fixeol', 'noeol'). Anything else (an encoding, a formatter on write,
 * another program, the next save being written) is a different file.
 */
static int same_save(const char *file, size_t file_size, const char *text, size_t text_size)
{
    static const char bom[] = "\xEF\xBB\xBF";
    if (file_size == text_size && memcmp(file, text, file_size) == 0)
        return 1;
    size_t i = file_size >= 3 && memcmp(file, bom, 3) == 0 ? 3 : 0;
    size_t j = text_size >= 3 && memcmp(text, bom, 3) == 0 ? 3 : 0;
    for (;;) {
        if (i + 1 < file_size && file[i] == '\r' && file[i + 1] == '\n')
            i++; /* CRLF reads as LF, on either side */
        if (j + 1 < text_size && text[j] == '\r' && text[j + 1] == '\n')
            j++;
        if (i == file_size || j == text_size)
            break;
        if (file[i] != text[j])
            return 0;
        i++, j++;
    }
    return at_most_a_line_break(file + i, file_size - i) &&
           at_most_a_line_break(text + j, text_size - j);
}

/* A file that differs from its save is read again up to SETTLE_READS times,
 * SETTLE_PAUSE_MS apart: long enough for an editor to finish writing an
 * article and for the reading thread to hear of the edit that came first,
 * short enough that a save waits at most a tenth of a second more. */
#define SETTLE_READS 5
#define SETTLE_PAUSE_MS 20

static int same_state(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * Read `path` again until two reads in a row give the same bytes with its
 * inode, size and modification time unchanged between them, or the bound
 * is reached: a file in the middle of a rewrite (the editor's next save,
 * another program) is not taken for what it holds at rest. `*data` (of
 * `*size` bytes, just read) is replaced by each new read; a read that
 * fails keeps the one before.
 */
static void settle(char **data, size_t *size, const char *path)
{
    struct stat before, after;
    if (stat(path, &before) != 0)
        return;
    for (int i = 0; i < SETTLE_READS; i++) {
        struct timespec pause = {0, SETTLE_PAUSE_MS * 1000000L};
        nanosleep(&pause, NULL);
        char *again = NULL;
        size_t again_size = 0;
        if (dl_text_read_file(&again, &again_size, path) < 0) {
            dl_error_clear();
            return;
        }
        int at_rest = again_size == *size && memcmp(again, *data, again_size) == 0;
        free(*data);
        *data = again;
        *size = again_size;
        if (stat(path, &after) != 0 || (at_rest && same_state(&before, &after)))
            return;
        before = after;
    }
}

/* Whether `uri` was touched (dl_lsp_worker_touch) after the clock read `since`. */
static int touched_since(dl_lsp_worker *w, const char *uri, unsigned long long since)
{
    int touched = 0;
    pthread_mutex_lock(&w->lock);
    for (touch *t = w->touches; t; t = t->next) {
        if (strcmp(t->uri, uri) == 0) {
            touched = t->at > since;
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return touched;
}

static void run_record(runner *w, dl_lsp_job *job)
{
    worker_doc *d = find_doc(w, job->uri);
    dl_history *h = NULL;
    dl_history_id id;
    int error;

    if (d == NULL || d->path == NULL || w->config->no_history || !w->config->record_on_save ||
        excluded(w->config, d->path))
        return;
    /* What the editor wrote, not the server's copy: a formatter or a CRLF
     * conversion on write must be recorded as written. The server's copy
     * only stands in when the file cannot be read, and the editor is told. */
    char *written = NULL, unread[1024] = "";
    size_t written_size = 0;
    int overtaken = 0;
    if (dl_text_read_file(&written, &written_size, d->path) < 0) {
        snprintf(unread, sizeof(unread), "%s", dl_error_last());
        written = NULL;
    } else if (!same_save(written, written_size, job->text, job->size)) {
        /* Saves come faster than this thread: the file may be the editor's
         * next save, half written (even empty), or another program's. Once
         * it is at rest, if the document changed or another save began
         * since this one, the file may be a later save's: this save's bytes
         * are the editor's text. If not, the file is this save as written
         * (another encoding, a formatter) or a change made just after it,
         * and is recorded as it is. */
        settle(&written, &written_size, d->path);
        if (!same_save(written, written_size, job->text, job->size) &&
            touched_since(w->worker, job->uri, job->queued_at)) {
            free(written);
            written = NULL;
            overtaken = 1;
        }
    }
    dl_error_clear();
    int opening = 1;
    if ((error = open_history(&h, d, w->config)) == 0) {
        opening = 0;
        dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
        options.content = written ? written : job->text;
        options.content_size = written ? written_size : job->size;
        options.defer_tidy = 1; /* after telling the editor */
        error = dl_history_snapshot(&id, h, &options);
    }
    free(written);
    json_t *params = json_pack("{s:s, s:b}", "uri", job->uri, "recorded", error == 0);
    if (unread[0] != '\0') {
        char message[1200];
        snprintf(message, sizeof(message),
                 "the saved file could not be read (%s); the editor's text was used", unread);
        json_object_set_new(params, "warning", json_string(message));
    }
    if (error == 0 || error == DL_EUNCHANGED) {
        json_object_set_new(params, "id", json_string(id.hex));
    } else {
        const char *reason = dl_error_last()[0] ? dl_error_last() : "unknown error";
        json_object_set_new(params, "error", json_string(reason));
        /* One message per kind of failure: where it happened and its code. */
        unsigned kind = 1u << ((unsigned)-error % 16 + (opening ? 16 : 0));
        if (!(d->reported & kind)) {
            d->reported |= kind;
            const char *name = strrchr(d->path, '/');
            char message[2048];
            snprintf(message, sizeof(message),
                     "dateline: your file was saved, but no version of %s was recorded: %s. %s",
                     name ? name + 1 : d->path, reason, how_to_fix(error, opening));
            dl_lsp_message(w->writer, "window/showMessage", 2, message);
        }
    }
    /* The same, for clients that show the server's log and not dateline/recorded. */
    const char *name = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
    char line[2600];
    if (error == 0)
        snprintf(line, sizeof(line), "recorded %.*s of %s", DL_HISTORY_ID_SHORTSIZE, id.hex, name);
    else if (error == DL_EUNCHANGED)
        snprintf(line, sizeof(line), "%s is unchanged since %.*s: nothing recorded", name,
                 DL_HISTORY_ID_SHORTSIZE, id.hex);
    else
        snprintf(line, sizeof(line), "no version of %s recorded: %s", name,
                 json_string_value(json_object_get(params, "error")));
    if (unread[0] != '\0')
        snprintf(line + strlen(line), sizeof(line) - strlen(line), " (%s)",
                 json_string_value(json_object_get(params, "warning")));
    if (overtaken)
        snprintf(line + strlen(line), sizeof(line) - strlen(line),
                 " (the file was already being rewritten by a later save: the editor's text of "
                 "this save was recorded)");
    dl_lsp_message(w->writer, "window/logMessage",
                   error == 0 || error == DL_EUNCHANGED ? 3 : 2, line);
    dl_lsp_notify(w->writer, "dateline/recorded", params);
    if (error == 0)
        dl_history_tidy(h);
}

/* -------------------------------------------------------------- hover -- */

/* A name or a note on one line, escaped as the CLI's log shows it: a
 * note's line breaks must not end the quote block and fake a line of
 * the hover. */
static void put_one_line(dl_lsp_buf *md, const char *text)
{
    char *shown = dl_text_escape(text, strlen(text), DL_TEXT_ONE_LINE);
    if (shown == NULL)
        md->failed = 1;
    else
        dl_lsp_buf_puts(md, shown);
    free(shown);
}

static void describe_version(dl_lsp_buf *md, const dl_history_version *v)
{
    char when[40];
    dl_history_format_time(when, sizeof(when), v->time, v->offset);
    dl_lsp_buf_printf(md, "`%.*s` · %s · ", DL_HISTORY_ID_SHORTSIZE, v->id.hex, when);
    put_one_line(md, v->author_name ? v->author_name : "unknown");
    if (v->note) {
        dl_lsp_buf_puts(md, "  \n> ");
        put_one_line(md, v->note);
    }
}

/* The blamed quotation the hover is on: the one overlapping its range. */
static const dl_blame_quote *quote_at(const dl_blame *blame, const dl_lsp_hover_context *ctx)
{
    for (size_t i = 0; i < blame->quote_count; i++) {
        const dl_range *r = &blame->quotes[i].range;
        if (r->start_byte < ctx->quote_end && ctx->quote_start < r->end_byte)
            return &blame->quotes[i];
    }
    return NULL;
}

static const dl_blame_line *line_at(const dl_blame *blame, uint32_t offset)
{
    for (size_t i = 0; i < blame->count; i++)
        if (blame->lines[i].range.start_byte <= offset && offset < blame->lines[i].range.end_byte)
            return &blame->lines[i];
    return NULL;
}

static void run_hover(runner *w, dl_lsp_job *job)
{
    const dl_lsp_hover_context *ctx = &job->hover;
    worker_doc *d = find_doc(w, job->uri);
    dl_history *h = NULL;
    dl_blame *blame = NULL;
    int have_history = 0;
    char *history_error = NULL, *blame_error = NULL;
    if (d != NULL && d->path != NULL && !w->config->no_history && !job->no_history) {
        if (open_history(&h, d, w->config) == 0) {
            have_history = 1;
            dl_ops_blame_options options = DL_OPS_BLAME_OPTIONS_INIT;
            options.content = job->text;
            options.content_size = job->size;
            options.max_count = BLAME_DEPTH;
            int error = d->blame ? 0 : dl_blame_cache_new(&d->blame);
            options.cache = d->blame;
            if (error < 0 || dl_ops_blame(&blame, h, &options) < 0)
                blame_error = strdup(dl_error_last());
        } else {
            history_error = strdup(dl_error_last());
        }
    }
    /* Versions to credit: blame walked at least one. */
    int credited = blame != NULL && blame->versions_walked > 0;

    dl_lsp_buf md = {0};
    if (ctx->quote_text != NULL) {
        dl_lsp_buf_puts(&md, "**Quotation**");
        if (ctx->speaker) {
            dl_lsp_buf_puts(&md, " — ");
            put_one_line(&md, ctx->speaker);
        } else {
            dl_lsp_buf_puts(&md, " (nobody credited)");
        }
        dl_lsp_buf_puts(&md, "\n\n");
        if (credited) {
            const dl_blame_quote *q = quote_at(blame, ctx);
            if (q && q->recorded) {
                dl_lsp_buf_puts(&md, "Words last changed in ");
                describe_version(&md, &q->version);
            } else {
                dl_lsp_buf_puts(&md, "Words changed since the latest recorded version.");
            }
            dl_lsp_buf_puts(&md, "\n\n---\n\n");
        }
    }
    if (ctx->block_label != NULL) {
        dl_lsp_buf_printf(&md, "**%s**", ctx->block_label);
        if (credited) {
            const dl_blame_line *line = line_at(blame, ctx->block_start);
            if (line && line->recorded) {
                dl_lsp_buf_puts(&md, " — last changed in ");
                describe_version(&md, &line->version);
            } else {
                dl_lsp_buf_puts(&md, " — changed since the latest recorded version");
            }
        } else if (blame != NULL) {
            dl_lsp_buf_puts(&md, " — no recorded versions yet");
        } else if (have_history) {
            dl_lsp_buf_puts(&md, " — blame unavailable: ");
            put_one_line(&md, blame_error ? blame_error : "");
        } else if (history_error != NULL) {
            dl_lsp_buf_puts(&md, " — history unavailable: ");
            put_one_line(&md, history_error);
        }
    }
    if (md.size == 0 || md.failed) {
        dl_lsp_respond(w->writer, job->id, json_null());
    } else {
        json_t *contents = json_pack("{s:s, s:s%}", "kind", "markdown", "value", md.data, md.size);
        json_t *result = json_pack("{s:o}", "contents", contents ? contents : json_null());
        if (job->hover_range)
            json_object_set(result, "range", job->hover_range);
        dl_lsp_respond(w->writer, job->id, result);
    }
    dl_lsp_buf_dispose(&md);
    dl_blame_free(blame);
    free(blame_error);
    free(history_error);
}

/* ------------------------------------------------- quotations changed -- */

static void post_result(dl_lsp_worker *w, dl_lsp_result *result)
{
    pthread_mutex_lock(&w->lock);
    if (w->results_tail)
        w->results_tail->next = result;
    else
        w->results = result;
    w->results_tail = result;
    pthread_mutex_unlock(&w->lock);
    if (w->wake_fd >= 0) {
        char byte = 1;
        ssize_t ignored = write(w->wake_fd, &byte, 1); /* a full pipe already wakes */
        (void)ignored;
    }
}

/* Bring the annotated version up to date with the history. */

static void run_quotes(runner *w, dl_lsp_job *job)
{
    worker_doc *d = find_doc(w, job->uri);
    dl_history *h = NULL;
    dl_blame_quote_changes *changes = NULL;
    dl_lsp_result *result = calloc(1, sizeof(*result));

    if (result == NULL || (result->uri = strdup(job->uri)) == NULL) {
        dl_lsp_result_free(result);
        return;
    }
    /* Quietly nothing when there is no history to compare with. */
    if (d == NULL || d->path == NULL || job->text == NULL || open_history(&h, d, w->config) < 0 ||
        (d->checker == NULL && dl_blame_checker_new(&d->checker) < 0) ||
        dl_blame_quotes_changed(&changes, d->checker, h, job->text, job->size) < 0 ||
        (result->warnings = calloc(changes->count + 1, sizeof(*result->warnings))) == NULL)
        goto post;
    /* The warnings take the core's strings over. */
    for (size_t i = 0; i < changes->count; i++) {
        dl_blame_quote_change *c = &changes->changes[i];
        dl_lsp_quote_warning *warning = &result->warnings[result->warning_count++];
        warning->text = c->text;
        warning->message = c->message;
        c->text = c->message = NULL;
    }
post:
    dl_blame_quote_changes_free(changes);
    post_result(w->worker, result);
}

/*
 * An article opened with history whose file is not its latest version was
 * changed by something else (another editor, a sync, git checkout): record
 * it, so the next save's version does not swallow that change unnoticed.
 */
static void run_opened(runner *w, dl_lsp_job *job)
{
    worker_doc *d = find_doc(w, job->uri);
    dl_history *h = NULL;
    dl_history_log *log = NULL;
    char *written = NULL;
    size_t size = 0;
    dl_history_id id;

    if (d == NULL || d->path == NULL || w->config->no_history || !w->config->record_on_save ||
        excluded(w->config, d->path))
        return;
    dl_history_log_options newest = DL_HISTORY_LOG_OPTIONS_INIT;
    newest.max_count = 1;
    /* Quietly nothing for an article without history or an unreadable file. */
    if (open_history(&h, d, w->config) < 0 || dl_history_log_read(&log, h, &newest) < 0 ||
        log->count == 0 || dl_text_read_file(&written, &size, d->path) < 0)
        goto done;
    /* The outside change is what the editor opened. A file that no longer
     * is has been written since, by the editor (its didSave records that,
     * and this may be half of it) or by another program after the open. */
    if (!same_save(written, size, job->text, job->size))
        goto done;
    dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
    options.note = "changed outside the editor";
    options.content = written;
    options.content_size = size;
    options.defer_tidy = 1;
    if (dl_history_snapshot(&id, h, &options) == 0) {
        const char *name = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
        char line[2048];
        snprintf(line, sizeof(line), "recorded %.*s of %s: changed outside the editor",
                 DL_HISTORY_ID_SHORTSIZE, id.hex, name);
        dl_lsp_message(w->writer, "window/logMessage", 3, line);
        dl_lsp_notify(w->writer, "dateline/recorded",
                      json_pack("{s:s, s:b, s:s, s:s}", "uri", job->uri, "recorded", 1, "id",
                                id.hex, "note", options.note));
        dl_history_tidy(h);
    }
done:
    free(written);
    dl_history_log_free(log);
}

/* --------------------------------------------------------------- jobs -- */

dl_lsp_job *dl_lsp_job_new(dl_lsp_job_kind kind, const char *uri)
{
    dl_lsp_job *job = calloc(1, sizeof(*job));
    if (job == NULL)
        return NULL;
    job->kind = kind;
    if (uri != NULL && (job->uri = strdup(uri)) == NULL) {
        free(job);
        return NULL;
    }
    return job;
}

void dl_lsp_job_free(dl_lsp_job *job)
{
    if (job == NULL)
        return;
    json_decref(job->id);
    json_decref(job->arguments);
    json_decref(job->hover_range);
    dl_lsp_hover_context_dispose(&job->hover);
    free(job->uri);
    free(job->text);
    free(job->command);
    free(job);
}

void dl_lsp_result_free(dl_lsp_result *result)
{
    while (result != NULL) {
        dl_lsp_result *next = result->next;
        dl_lsp_quote_warnings_free(result->warnings, result->warning_count);
        free(result->uri);
        free(result);
        result = next;
    }
}

/* A closed document's last touch, unless it was touched again (reopened
 * and edited) after the close was queued. Every save queued before the
 * close has been recorded by now. */
static void forget_touch(dl_lsp_worker *w, const char *uri, unsigned long long closed_at)
{
    pthread_mutex_lock(&w->lock);
    for (touch **p = &w->touches; *p; p = &(*p)->next) {
        if (strcmp((*p)->uri, uri) == 0) {
            touch *t = *p;
            if (t->at <= closed_at) {
                *p = t->next;
                free(t->uri);
                free(t);
            }
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
}

static void run_job(runner *w, dl_lsp_job *job)
{
    switch (job->kind) {
    case DL_LSP_JOB_RECORD: run_record(w, job); break;
    case DL_LSP_JOB_COMMAND: run_command(w, job); break;
    case DL_LSP_JOB_HOVER: run_hover(w, job); break;
    case DL_LSP_JOB_QUOTES: run_quotes(w, job); break;
    case DL_LSP_JOB_OPENED: run_opened(w, job); break;
    case DL_LSP_JOB_CLOSE:
        forget_doc(w, job->uri);
        forget_touch(w->worker, job->uri, job->queued_at);
        break;
    }
    /* What the core repaired on its own during the job (a stale lock
     * broken): the client's log hears of it, the user is not interrupted. */
    const char *notices = dl_notice_take();
    while (*notices != '\0') {
        size_t line = strcspn(notices, "\n");
        char message[2100];
        snprintf(message, sizeof(message), "dateline: %.*s", (int)line, notices);
        dl_lsp_message(w->writer, "window/logMessage", 3, message);
        notices += line + (notices[line] == '\n');
    }
}

static long long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* The gate's write: through to the worker's writer, under its lock, unless
 * the runner was abandoned (its request was answered already). */
static int gate_write(void *payload, const struct iovec *pieces, int count)
{
    runner *r = payload;
    dl_lsp_writer *out = r->worker->writer;
    int status = 0;
    pthread_mutex_lock(&out->lock);
    if (!r->abandoned && !out->dead && (status = out->write(out->payload, pieces, count)) < 0)
        out->dead = 1;
    pthread_mutex_unlock(&out->lock);
    return status;
}

static void runner_free_docs(runner *r)
{
    while (r->docs) {
        worker_doc *next = r->docs->next;
        worker_doc_free(r->docs);
        r->docs = next;
    }
}

static void *runner_main(void *payload);

/* A fresh runner on its own thread as the worker's current one (lock held). */
static int start_runner(dl_lsp_worker *w)
{
    runner *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return -1;
    r->worker = w;
    r->config = w->config;
    r->writer = &r->gate;
    r->gate.write = gate_write;
    r->gate.payload = r;
    pthread_mutex_init(&r->gate.lock, NULL);
    if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
        pthread_mutex_destroy(&r->gate.lock);
        free(r);
        return -1;
    }
    w->current = r;
    w->runner_live = 1;
    return 0;
}

static void *runner_main(void *payload)
{
    runner *r = payload;
    dl_lsp_worker *w = r->worker;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->head == NULL && !w->stopping)
            pthread_cond_wait(&w->wake, &w->lock);
        if (w->head == NULL) /* stopping, and the queue is done */
            break;
        dl_lsp_job *job = w->head;
        w->head = job->next;
        if (w->head == NULL)
            w->tail = NULL;
        r->busy = 1;
        r->busy_id = job->id ? json_deep_copy(job->id) : NULL;
        r->busy_uri = job->kind == DL_LSP_JOB_RECORD && job->uri ? strdup(job->uri) : NULL;
        clock_gettime(CLOCK_MONOTONIC, &r->started);
        pthread_cond_broadcast(&w->changed); /* the watchdog times the job */
        pthread_mutex_unlock(&w->lock);
        run_job(r, job);
        dl_lsp_job_free(job);
        pthread_mutex_lock(&w->lock);
        if (r->abandoned)
            break;
        r->busy = 0;
        json_decref(r->busy_id);
        r->busy_id = NULL;
        free(r->busy_uri);
        r->busy_uri = NULL;
        pthread_cond_broadcast(&w->changed);
        if (w->head == NULL)
            pthread_cond_broadcast(&w->idle);
    }
    if (r->abandoned) {
        /* Replaced long ago: nobody else touches this runner; clean up. */
        w->abandoned_live--;
        pthread_mutex_unlock(&w->lock);
        runner_free_docs(r);
        json_decref(r->busy_id);
        free(r->busy_uri);
        pthread_mutex_destroy(&r->gate.lock);
        free(r);
        return NULL;
    }
    w->runner_live = 0;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Give up on the current runner's job (lock held): answer its request,
 * tell the user once, and let a fresh runner take the queue over. */
static void abandon(dl_lsp_worker *w)
{
    runner *r = w->current;
    long long seconds = (w->config->job_timeout_ms + 999) / 1000;
    pthread_mutex_lock(&w->writer->lock);
    r->abandoned = 1;
    pthread_mutex_unlock(&w->writer->lock);
    pthread_detach(r->thread);
    w->abandoned_live++;
    w->current = NULL;
    w->runner_live = 0;
    if (r->busy_id != NULL) {
        char message[256];
        snprintf(message, sizeof(message),
                 "the history work took longer than %llds and was abandoned", seconds);
        dl_lsp_respond_error(w->writer, r->busy_id, LSP_INTERNAL_ERROR, message);
    }
    if (r->busy_uri != NULL) { /* a save: say it was not recorded, and why */
        char message[256];
        snprintf(message, sizeof(message),
                 "recording took longer than %llds and was abandoned", seconds);
        dl_lsp_notify(w->writer, "dateline/recorded",
                      json_pack("{s:s, s:b, s:s}", "uri", r->busy_uri, "recorded", 0, "error",
                                message));
    }
    if (!w->told) {
        w->told = 1;
        char message[512];
        snprintf(message, sizeof(message),
                 "dateline: a history operation took longer than %llds (a slow or stuck disk "
                 "or network file system?) and was abandoned; your files are saved, and "
                 "later saves are recorded as usual.",
                 seconds);
        dl_lsp_message(w->writer, "window/showMessage", 2, message);
    }
    if (start_runner(w) < 0) {
        /* No thread for the queue: answer and drop what waits. */
        while (w->head != NULL) {
            dl_lsp_job *job = w->head;
            w->head = job->next;
            if (job->id)
                dl_lsp_respond_error(w->writer, job->id, LSP_INTERNAL_ERROR,
                                     "cannot start a history thread");
            dl_lsp_job_free(job);
        }
        w->tail = NULL;
    }
    pthread_cond_broadcast(&w->changed);
    if (w->head == NULL)
        pthread_cond_broadcast(&w->idle);
}

/* The watchdog: no job holds the queue for longer than the bound. */
static void *watchdog_main(void *payload)
{
    dl_lsp_worker *w = payload;
    pthread_mutex_lock(&w->lock);
    while (!w->watchdog_stop) {
        runner *r = w->current;
        if (r == NULL || !r->busy) {
            pthread_cond_wait(&w->changed, &w->lock);
            continue;
        }
        long long left = w->config->job_timeout_ms - elapsed_ms(&r->started);
        if (left <= 0) {
            abandon(w);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += left / 1000;
        until.tv_nsec += (left % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&w->changed, &w->lock, &until);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int dl_lsp_worker_new(dl_lsp_worker **out, dl_lsp_writer *writer, const dl_lsp_config *config,
                      int synchronous)
{
    dl_lsp_worker *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    w->writer = writer;
    w->config = config;
    w->wake_fd = -1;
    w->sync_runner.worker = w;
    w->sync_runner.writer = writer;
    w->sync_runner.config = config;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->idle, NULL);
    pthread_condattr_t monotonic;
    pthread_condattr_init(&monotonic);
    pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
    pthread_cond_init(&w->changed, &monotonic);
    pthread_condattr_destroy(&monotonic);
    if (!synchronous) {
        pthread_mutex_lock(&w->lock);
        int error = start_runner(w);
        pthread_mutex_unlock(&w->lock);
        if (error < 0 || pthread_create(&w->watchdog, NULL, watchdog_main, w) != 0) {
            if (error == 0) { /* the runner is up, the watchdog is not */
                pthread_mutex_lock(&w->lock);
                w->stopping = 1;
                pthread_cond_broadcast(&w->wake);
                pthread_mutex_unlock(&w->lock);
                pthread_join(w->current->thread, NULL);
                runner_free_docs(w->current);
                pthread_mutex_destroy(&w->current->gate.lock);
                free(w->current);
            }
            w->current = NULL;
            dl_lsp_worker_free(w);
            return dl_error_set(DL_ERROR, "cannot start the history thread: %s", strerror(errno));
        }
        w->started = 1;
    }
    *out = w;
    return 0;
}

void dl_lsp_worker_set_wake_fd(dl_lsp_worker *worker, int wake_fd)
{
    worker->wake_fd = wake_fd;
}

void dl_lsp_worker_submit(dl_lsp_worker *w, dl_lsp_job *job)
{
    pthread_mutex_lock(&w->lock);
    job->queued_at = w->clock;
    if (!w->started) {
        pthread_mutex_unlock(&w->lock);
        run_job(&w->sync_runner, job);
        dl_lsp_job_free(job);
        return;
    }
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void dl_lsp_worker_touch(dl_lsp_worker *w, const char *uri)
{
    pthread_mutex_lock(&w->lock);
    touch *t = w->touches;
    while (t != NULL && strcmp(t->uri, uri) != 0)
        t = t->next;
    if (t == NULL && (t = calloc(1, sizeof(*t))) != NULL) {
        if ((t->uri = strdup(uri)) == NULL) {
            free(t);
            t = NULL; /* out of memory: saves are recorded from the file, as without touches */
        } else {
            t->next = w->touches;
            w->touches = t;
        }
    }
    if (t != NULL)
        t->at = ++w->clock;
    pthread_mutex_unlock(&w->lock);
}

int dl_lsp_worker_cancel(dl_lsp_worker *w, const json_t *id)
{
    dl_lsp_job *found = NULL;
    pthread_mutex_lock(&w->lock);
    dl_lsp_job *previous = NULL;
    for (dl_lsp_job *job = w->head; job; previous = job, job = job->next) {
        if (job->id != NULL && json_equal(job->id, id)) {
            if (previous)
                previous->next = job->next;
            else
                w->head = job->next;
            if (w->tail == job)
                w->tail = previous;
            found = job;
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    if (found == NULL)
        return 0;
    dl_lsp_respond_error(w->writer, found->id, LSP_REQUEST_CANCELLED, "request cancelled");
    dl_lsp_job_free(found);
    return 1;
}

dl_lsp_result *dl_lsp_worker_results(dl_lsp_worker *w)
{
    pthread_mutex_lock(&w->lock);
    dl_lsp_result *results = w->results;
    w->results = w->results_tail = NULL;
    pthread_mutex_unlock(&w->lock);
    return results;
}

void dl_lsp_worker_drain(dl_lsp_worker *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->lock);
    while (w->head != NULL || (w->current != NULL && w->current->busy))
        pthread_cond_wait(&w->idle, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

int dl_lsp_worker_free(dl_lsp_worker *w)
{
    if (w == NULL)
        return 0;
    if (w->started) {
        /* Finish the queue (a save's version), the watchdog still on guard:
         * a stuck job is abandoned and cannot hold shutdown up. */
        pthread_mutex_lock(&w->lock);
        w->stopping = 1;
        pthread_cond_broadcast(&w->wake);
        while (w->runner_live)
            pthread_cond_wait(&w->changed, &w->lock);
        w->watchdog_stop = 1;
        pthread_cond_broadcast(&w->changed);
        runner *r = w->current;
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->watchdog, NULL);
        if (r != NULL) {
            pthread_join(r->thread, NULL);
            runner_free_docs(r);
            json_decref(r->busy_id);
            free(r->busy_uri);
            pthread_mutex_destroy(&r->gate.lock);
            free(r);
        }
        pthread_mutex_lock(&w->lock);
        int left_behind = w->abandoned_live > 0;
        pthread_mutex_unlock(&w->lock);
        if (left_behind)
            return 1; /* their threads still use the worker: it stays */
    }
    while (w->head) {
        dl_lsp_job *next = w->head->next;
        dl_lsp_job_free(w->head);
        w->head = next;
    }
    dl_lsp_result_free(w->results);
    while (w->touches) {
        touch *next = w->touches->next;
        free(w->touches->uri);
        free(w->touches);
        w->touches = next;
    }
    runner_free_docs(&w->sync_runner);
    pthread_cond_destroy(&w->changed);
    pthread_cond_destroy(&w->idle);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return 0;
}
