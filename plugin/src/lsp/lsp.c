/*
 * dateline — the language server: lifecycle, dispatch and the stdio loop.
 *
 * One reading thread parses messages and answers everything that only
 * needs a document's tree and article model (symbols, folding, tokens,
 * selection, code actions, dateline/article) at once; history work is handed to the worker (lsp_history.c).
 * Diagnostics are published when the client pauses (debounced), so a burst
 * of keystrokes costs one diagnosis, not one per key.
 */
#define _XOPEN_SOURCE 700 /* realpath: the workspace check resolves links */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dateline/error.h"
#include "dateline/history.h"
#include "dateline/json.h"
#include "dateline_version.h"
#include "lsp_internal.h"

static const char *const commands[] = {
    "dateline.snapshot", "dateline.note",    "dateline.log",   "dateline.show",
    "dateline.diff",     "dateline.restore", "dateline.blame", NULL,
};

/* The history commands offered as source actions on every article in the
 * workspace, so a client with no dateline plugin reaches them from its
 * code-action menu; `rev` is filled in for the commands that need one. */
static const struct {
    const char *kind, *title, *command, *rev;
} history_actions[] = {
    {"source.dateline.snapshot", "Dateline: record a version now", "dateline.snapshot", NULL},
    {"source.dateline.log", "Dateline: show the history", "dateline.log", NULL},
    {"source.dateline.diff", "Dateline: compare with the latest version", "dateline.diff", NULL},
    {"source.dateline.blame", "Dateline: who changed each paragraph", "dateline.blame", NULL},
    {"source.dateline.restore", "Dateline: restore the latest version", "dateline.restore", "@"},
    {NULL, NULL, NULL, NULL},
};

struct dl_lsp_server {
    dl_lsp_writer writer;
    dl_lsp_calls calls; /* the server's requests waiting for the client */
    dl_lsp_reader *reader;
    dl_lsp_worker *worker;
    dl_lsp_config config;
    dl_lsp_options options;
    dl_lsp_encoding enc;
    int initialized, shutdown, exited;
    dl_lsp_document *docs;
    /* The document a command without a "uri" is about: the last one the
     * client opened, changed, saved or asked about (its focus, as far as
     * the protocol shows it). NULL once closed. */
    dl_lsp_document *active;
    /* The workspace: history is read and written only for files under
     * `roots` (canonical folders from initialize) or, when the client gave
     * none, for the files it opened (`opened`, canonical too). */
    dl_lsp_paths roots, opened;
    int library; /* holds a dl_history_library_init */
};

/* ----------------------------------------------------------- workspace -- */

static void paths_dispose(dl_lsp_paths *paths)
{
    for (size_t i = 0; i < paths->count; i++)
        free(paths->items[i]);
    free(paths->items);
    *paths = (dl_lsp_paths){0};
}

/* Add `path` (stolen) unless it is NULL or there already. */
static void paths_add(dl_lsp_paths *paths, char *path)
{
    for (size_t i = 0; path && i < paths->count; i++) {
        if (strcmp(paths->items[i], path) == 0) {
            free(path);
            return;
        }
    }
    if (path == NULL)
        return;
    if (paths->count == paths->capacity) {
        size_t capacity = paths->capacity ? paths->capacity * 2 : 4;
        char **bigger = realloc(paths->items, capacity * sizeof(*bigger));
        if (bigger == NULL) {
            free(path);
            return;
        }
        paths->items = bigger;
        paths->capacity = capacity;
    }
    paths->items[paths->count++] = path;
}

/*
 * Where `path` really is: symlinks and ".." resolved, so that a link or a
 * "../" cannot lead out of the workspace. A file that does not exist (an
 * article a restore brings back) is its folder's real path and its name.
 * NULL when neither resolves.
 */
static char *canonical_path(const char *path)
{
    char *real = realpath(path, NULL);
    if (real != NULL || errno != ENOENT)
        return real;
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash[1] == '\0' || strcmp(slash + 1, "..") == 0 ||
        strcmp(slash + 1, ".") == 0)
        return NULL;
    char *folder = strndup(path, slash == path ? 1 : (size_t)(slash - path));
    char *real_folder = folder ? realpath(folder, NULL) : NULL;
    char *joined = real_folder ? malloc(strlen(real_folder) + strlen(slash) + 1) : NULL;
    if (joined != NULL)
        sprintf(joined, "%s%s", strcmp(real_folder, "/") == 0 ? "" : real_folder, slash);
    free(folder);
    free(real_folder);
    return joined;
}

static void add_root_uri(dl_lsp_server *s, const json_t *uri)
{
    char *path = dl_lsp_uri_to_path(json_string_value(uri));
    if (path != NULL)
        paths_add(&s->roots, realpath(path, NULL));
    free(path);
}

/* The workspace folders of initialize: workspaceFolders, rootUri and
 * rootPath, all that are given (clients send the same folder in several). */
static void read_workspace(dl_lsp_server *s, const json_t *params)
{
    size_t i;
    const json_t *folder;
    json_array_foreach(json_object_get(params, "workspaceFolders"), i, folder)
        add_root_uri(s, json_object_get(folder, "uri"));
    add_root_uri(s, json_object_get(params, "rootUri"));
    const char *root_path = json_string_value(json_object_get(params, "rootPath"));
    if (root_path != NULL && root_path[0] == '/')
        paths_add(&s->roots, realpath(root_path, NULL));
}

/* 1 when the file at `path` is in the workspace. */
static int in_workspace(const dl_lsp_server *s, const char *path)
{
    char *real = canonical_path(path);
    int inside = 0;
    if (real == NULL)
        return 0;
    if (s->roots.count == 0) {
        for (size_t i = 0; i < s->opened.count && !inside; i++)
            inside = strcmp(s->opened.items[i], real) == 0;
    }
    for (size_t i = 0; i < s->roots.count && !inside; i++) {
        const char *root = s->roots.items[i];
        size_t n = strlen(root);
        if (n == 1) /* "/" */
            n = 0;
        inside = strncmp(real, root, n) == 0 && real[n] == '/';
    }
    free(real);
    return inside;
}

/* The message for a file outside the workspace. */
static void outside_message(const dl_lsp_server *s, char *out, size_t size, const char *path)
{
    snprintf(out, size,
             s->roots.count ? "%s is outside the workspace folders; dateline records and "
                              "restores only files in them"
                            : "%s is not a file opened in this session; without workspace "
                              "folders, dateline records and restores only those",
             path);
}

/* ----------------------------------------------------------- documents -- */

static dl_lsp_document *find_document(dl_lsp_server *s, const char *uri)
{
    for (dl_lsp_document *doc = s->docs; uri && doc; doc = doc->next)
        if (strcmp(doc->uri, uri) == 0)
            return doc;
    return NULL;
}

static void remove_document(dl_lsp_server *s, dl_lsp_document *target)
{
    for (dl_lsp_document **p = &s->docs; *p; p = &(*p)->next) {
        if (*p == target) {
            *p = target->next;
            if (s->active == target)
                s->active = NULL;
            dl_lsp_document_free(target);
            return;
        }
    }
}

static const char *text_document_uri(const json_t *params)
{
    return json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
}

static int history_enabled(const dl_lsp_server *s)
{
    return !s->config.no_history;
}

/* Queue history work about a document, with a copy of its text. */
static void submit(dl_lsp_server *s, dl_lsp_job_kind kind, const dl_lsp_document *doc)
{
    if (!history_enabled(s) || doc->path == NULL ||
        (kind != DL_LSP_JOB_CLOSE && !in_workspace(s, doc->path)))
        return;
    dl_lsp_job *job = dl_lsp_job_new(kind, doc->uri);
    if (job == NULL)
        return;
    if (kind != DL_LSP_JOB_CLOSE) {
        if ((job->text = malloc(doc->size + 1)) == NULL) {
            dl_lsp_job_free(job);
            return;
        }
        memcpy(job->text, doc->text, doc->size);
        job->text[doc->size] = '\0';
        job->size = doc->size;
    }
    dl_lsp_worker_submit(s->worker, job);
}

static void publish(dl_lsp_server *s, dl_lsp_document *doc)
{
    dl_lsp_diagnostics diags;
    doc->diagnostics_dirty = 0;
    if (dl_lsp_diagnose(&diags, doc) < 0)
        return;
    dl_lsp_notify(&s->writer, "textDocument/publishDiagnostics",
                  dl_lsp_diagnostics_json(doc, &diags, s->enc));
    dl_lsp_diagnostics_dispose(&diags);
}

void dl_lsp_server_idle(dl_lsp_server *s)
{
    dl_lsp_result *results = dl_lsp_worker_results(s->worker);
    for (dl_lsp_result *r = results; r; r = r->next) {
        dl_lsp_document *doc = find_document(s, r->uri);
        if (doc == NULL)
            continue;
        dl_lsp_quote_warnings_free(doc->warnings, doc->warning_count);
        doc->warnings = r->warnings;
        doc->warning_count = r->warning_count;
        r->warnings = NULL;
        r->warning_count = 0;
        doc->diagnostics_dirty = 1;
    }
    dl_lsp_result_free(results);
    for (dl_lsp_document *doc = s->docs; doc; doc = doc->next)
        if (doc->diagnostics_dirty)
            publish(s, doc);
}

static int any_dirty(const dl_lsp_server *s)
{
    for (const dl_lsp_document *doc = s->docs; doc; doc = doc->next)
        if (doc->diagnostics_dirty)
            return 1;
    return 0;
}

/* ---------------------------------------------------------- lifecycle -- */

static void read_options(dl_lsp_server *s, const json_t *options)
{
    const json_t *record = json_object_get(options, "recordOnSave");
    if (json_is_boolean(record))
        s->config.record_on_save = json_is_true(record);
    const json_t *timeout = json_object_get(options, "jobTimeoutMs");
    if (json_is_integer(timeout) && json_integer_value(timeout) > 0)
        s->config.job_timeout_ms = json_integer_value(timeout);
    const json_t *store = json_object_get(options, "store");
    if (json_is_string(store) && json_string_length(store) > 0)
        s->config.store = strdup(json_string_value(store));
    const json_t *exclude = json_object_get(options, "exclude");
    if (json_is_array(exclude) && json_array_size(exclude) > 0) {
        s->config.exclude = calloc(json_array_size(exclude), sizeof(char *));
        size_t i;
        const json_t *item;
        json_array_foreach(exclude, i, item) {
            if (s->config.exclude && json_is_string(item) && json_string_length(item) > 0)
                s->config.exclude[s->config.exclude_count++] = strdup(json_string_value(item));
        }
    }
}

static json_t *capabilities(const dl_lsp_server *s)
{
    json_t *types = json_array();
    for (size_t i = 0; dl_lsp_token_types[i]; i++)
        json_array_append_new(types, json_string(dl_lsp_token_types[i]));
    json_t *modifiers = json_array();
    for (size_t i = 0; dl_lsp_token_modifiers[i]; i++)
        json_array_append_new(modifiers, json_string(dl_lsp_token_modifiers[i]));
    json_t *names = json_array();
    for (size_t i = 0; commands[i]; i++)
        json_array_append_new(names, json_string(commands[i]));
    json_t *kinds = json_pack("[s]", "quickfix");
    for (size_t i = 0; history_actions[i].kind; i++)
        json_array_append_new(kinds, json_string(history_actions[i].kind));
    return json_pack(
        "{s:s, s:{s:b, s:i, s:b, s:{s:b}}, s:b, s:b, s:b, s:{s:{s:o, s:o}, s:b}, s:{s:o}, s:b,"
        " s:{s:o}}",
        "positionEncoding", s->enc == DL_LSP_UTF8 ? "utf-8" : "utf-16",
        "textDocumentSync", "openClose", 1, "change", 2, "willSave", 1, "save", "includeText", 0,
        "documentSymbolProvider", 1, "foldingRangeProvider", 1, "selectionRangeProvider", 1,
        "semanticTokensProvider", "legend", "tokenTypes", types, "tokenModifiers", modifiers,
        "full", 1,
        "codeActionProvider", "codeActionKinds", kinds, "hoverProvider", 1,
        "executeCommandProvider", "commands", names);
}

static void on_initialize(dl_lsp_server *s, const json_t *id, const json_t *params)
{
    if (s->initialized) {
        dl_lsp_respond_error(&s->writer, id, LSP_INVALID_REQUEST, "already initialized");
        return;
    }
    const json_t *encodings = json_object_get(
        json_object_get(json_object_get(params, "capabilities"), "general"), "positionEncodings");
    size_t i;
    const json_t *item;
    json_array_foreach(encodings, i, item) {
        if (json_is_string(item) && strcmp(json_string_value(item), "utf-8") == 0)
            s->enc = DL_LSP_UTF8;
    }
    read_options(s, json_object_get(params, "initializationOptions"));
    read_workspace(s, params);
    s->config.enc = s->enc;
    /* A synchronous worker runs on this thread: it could never read the
     * answer to a request it waits for. */
    if (json_is_true(json_object_get(
            json_object_get(json_object_get(params, "capabilities"), "workspace"), "applyEdit")) &&
        !s->options.synchronous)
        s->config.calls = &s->calls;
    s->initialized = 1;
    dl_lsp_respond(&s->writer, id,
                   json_pack("{s:o, s:{s:s, s:s}}", "capabilities", capabilities(s), "serverInfo",
                             "name", DL_NAME, "version", DL_VERSION));
}

/* ----------------------------------------------------- document sync -- */

static int read_range(dl_lsp_range *out, const json_t *range)
{
    const json_t *start = json_object_get(range, "start"), *end = json_object_get(range, "end");
    const json_t *values[4] = {json_object_get(start, "line"), json_object_get(start, "character"),
                               json_object_get(end, "line"), json_object_get(end, "character")};
    uint32_t numbers[4];
    for (int i = 0; i < 4; i++) {
        if (!json_is_integer(values[i]) || json_integer_value(values[i]) < 0)
            return -1;
        json_int_t v = json_integer_value(values[i]);
        numbers[i] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
    *out = (dl_lsp_range){numbers[0], numbers[1], numbers[2], numbers[3]};
    return 0;
}

static void on_did_open(dl_lsp_server *s, const json_t *params)
{
    const json_t *item = json_object_get(params, "textDocument");
    const char *uri = json_string_value(json_object_get(item, "uri"));
    const json_t *text = json_object_get(item, "text");
    if (uri == NULL || !json_is_string(text))
        return;
    dl_lsp_document *doc = find_document(s, uri);
    if (doc != NULL)
        remove_document(s, doc);
    if (dl_lsp_document_new(&doc, uri, json_string_value(text), json_string_length(text),
                            json_integer_value(json_object_get(item, "version"))) < 0)
        return;
    doc->next = s->docs;
    s->docs = doc;
    s->active = doc;
    if (doc->path != NULL && s->roots.count == 0)
        paths_add(&s->opened, canonical_path(doc->path));
    submit(s, DL_LSP_JOB_OPENED, doc);
    submit(s, DL_LSP_JOB_QUOTES, doc);
}

static void on_did_change(dl_lsp_server *s, const json_t *params)
{
    dl_lsp_document *doc = find_document(s, text_document_uri(params));
    const json_t *changes = json_object_get(params, "contentChanges");
    if (doc == NULL || !json_is_array(changes))
        return;
    s->active = doc;
    dl_lsp_worker_touch(s->worker, doc->uri); /* a save still queued: its file may be rewritten */
    const json_t *version = json_object_get(json_object_get(params, "textDocument"), "version");
    if (json_is_integer(version))
        doc->version = json_integer_value(version);
    size_t i;
    const json_t *change;
    json_array_foreach(changes, i, change) {
        const json_t *text = json_object_get(change, "text");
        const json_t *range = json_object_get(change, "range");
        dl_lsp_range r;
        if (!json_is_string(text))
            continue;
        if (range != NULL && read_range(&r, range) < 0)
            continue;
        dl_lsp_document_edit(doc, range ? &r : NULL, json_string_value(text),
                             json_string_length(text), s->enc);
    }
}

/* The editor is about to write the file: a save still queued may find it
 * half written. Clients that send willSave (Neovim, before writing) send
 * their pending edits first, so this arrives before the file changes. */
static void on_will_save(dl_lsp_server *s, const json_t *params)
{
    dl_lsp_document *doc = find_document(s, text_document_uri(params));
    if (doc != NULL)
        dl_lsp_worker_touch(s->worker, doc->uri);
}

static void on_did_save(dl_lsp_server *s, const json_t *params)
{
    dl_lsp_document *doc = find_document(s, text_document_uri(params));
    if (doc == NULL)
        return;
    s->active = doc;
    const json_t *text = json_object_get(params, "text"); /* if the client sends it anyway */
    if (json_is_string(text) &&
        (json_string_length(text) != doc->size ||
         memcmp(json_string_value(text), doc->text, doc->size) != 0))
        dl_lsp_document_edit(doc, NULL, json_string_value(text), json_string_length(text), s->enc);
    if (history_enabled(s) && s->config.record_on_save && doc->path != NULL &&
        !in_workspace(s, doc->path)) {
        char message[4096];
        outside_message(s, message, sizeof(message), doc->path);
        dl_lsp_message(&s->writer, "window/logMessage", 2, message);
        dl_lsp_notify(&s->writer, "dateline/recorded",
                      json_pack("{s:s, s:b, s:s}", "uri", doc->uri, "recorded", 0, "error",
                                message));
        return;
    }
    submit(s, DL_LSP_JOB_RECORD, doc);
    submit(s, DL_LSP_JOB_QUOTES, doc);
}

static void on_did_close(dl_lsp_server *s, const json_t *params)
{
    dl_lsp_document *doc = find_document(s, text_document_uri(params));
    if (doc == NULL)
        return;
    dl_lsp_notify(&s->writer, "textDocument/publishDiagnostics",
                  json_pack("{s:s, s:[]}", "uri", doc->uri, "diagnostics"));
    submit(s, DL_LSP_JOB_CLOSE, doc);
    remove_document(s, doc);
}

/* ------------------------------------------------------------ requests -- */

/* Send a response begun by dl_lsp_result_begin and filled in. */
static void respond_buf(dl_lsp_server *s, const json_t *id, dl_lsp_buf *buf)
{
    dl_lsp_buf_puts(buf, "}");
    if (buf->failed)
        dl_lsp_respond_error(&s->writer, id, LSP_INTERNAL_ERROR, "out of memory");
    else
        dl_lsp_send_raw(&s->writer, buf->data, buf->size);
    dl_lsp_buf_dispose(buf);
}

/* A Position's line and character: -1 unless both are non-negative
 * integers (LSP's uinteger); a wrong type is the client's mistake, never
 * the start of the document. */
static int read_position(uint32_t *line, uint32_t *character, const json_t *position)
{
    const json_t *l = json_object_get(position, "line"), *c = json_object_get(position, "character");
    if (!json_is_integer(l) || !json_is_integer(c) || json_integer_value(l) < 0 ||
        json_integer_value(c) < 0)
        return -1;
    *line = json_integer_value(l) > UINT32_MAX ? UINT32_MAX : (uint32_t)json_integer_value(l);
    *character = json_integer_value(c) > UINT32_MAX ? UINT32_MAX : (uint32_t)json_integer_value(c);
    return 0;
}

static const char bad_position[] =
    "a position is {\"line\", \"character\"}, both non-negative integers";

static void on_hover(dl_lsp_server *s, const json_t *id, dl_lsp_document *doc,
                     const json_t *params)
{
    uint32_t line, character;
    if (read_position(&line, &character, json_object_get(params, "position")) < 0) {
        dl_lsp_respond_error(&s->writer, id, LSP_INVALID_PARAMS, bad_position);
        return;
    }
    uint32_t at = dl_lsp_document_offset(doc, line, character, s->enc);
    dl_lsp_job *job = dl_lsp_job_new(DL_LSP_JOB_HOVER, doc->uri);
    if (job == NULL || dl_lsp_hover_context_at(&job->hover, doc, at) < 0) {
        dl_lsp_job_free(job);
        dl_lsp_respond_error(&s->writer, id, LSP_INTERNAL_ERROR, dl_error_last());
        return;
    }
    if (job->hover.quote_text)
        job->hover_range = dl_lsp_range_json(doc, job->hover.quote_start, job->hover.quote_end, s->enc);
    else if (job->hover.block_label)
        job->hover_range = dl_lsp_range_json(doc, job->hover.block_start, job->hover.block_end, s->enc);
    job->id = json_deep_copy(id);
    /* Outside the workspace, hover shows the article but reads no history. */
    job->no_history = doc->path == NULL || !in_workspace(s, doc->path);
    if ((job->text = malloc(doc->size + 1)) != NULL) { /* blame reads the current text */
        memcpy(job->text, doc->text, doc->size);
        job->text[doc->size] = '\0';
        job->size = doc->size;
    }
    dl_lsp_worker_submit(s->worker, job);
}

/* dateline/article: the model of the server's text of the document, as
 * `dateline outline --json` prints it for the same bytes; with "only":
 * "stats", its counts alone, as `dateline stats --json` prints them (a
 * statusline's request: the client decodes the answer on its main loop, and
 * a long article's whole model is megabytes). */
static void on_article(dl_lsp_server *s, const json_t *id, dl_lsp_document *doc,
                       const json_t *params)
{
    const json_t *only = json_object_get(params, "only");
    if (only != NULL && !(json_is_string(only) && strcmp(json_string_value(only), "stats") == 0)) {
        dl_lsp_respond_error(&s->writer, id, LSP_INVALID_PARAMS,
                             "\"only\" may only be \"stats\"");
        return;
    }
    const dl_article *article = dl_lsp_document_article(doc);
    json_t *result = NULL;
    if (article == NULL || (only ? dl_json_article_stats(&result, &article->stats)
                                 : dl_json_article(&result, article)) < 0)
        dl_lsp_respond_error(&s->writer, id, LSP_INTERNAL_ERROR, dl_error_last());
    else
        dl_lsp_respond(&s->writer, id, result);
}

static void on_execute_command(dl_lsp_server *s, const json_t *id, const json_t *params)
{
    const char *command = json_string_value(json_object_get(params, "command"));
    const json_t *arguments = json_object_get(params, "arguments");
    const json_t *args = json_array_get(arguments, 0);
    int known = 0;
    for (size_t i = 0; command && commands[i]; i++)
        known = known || strcmp(commands[i], command) == 0;
    if (!known) {
        dl_lsp_respond_error(&s->writer, id, LSP_INVALID_PARAMS, "unknown command");
        return;
    }
    /* Clients that bind a command to a key send no arguments, or the bare
     * URI of the document: both mean {"uri": ...}, the active document's
     * when none is given. */
    json_t *given = NULL;
    if ((arguments == NULL || json_is_null(arguments) ||
         (json_is_array(arguments) && json_array_size(arguments) == 0)) &&
        s->active != NULL)
        given = json_pack("{s:s}", "uri", s->active->uri);
    else if (json_is_array(arguments) && json_array_size(arguments) == 1 && json_is_string(args))
        given = json_pack("{s:O}", "uri", args);
    if (given != NULL)
        args = given;
    if (!json_is_object(args) || !json_is_string(json_object_get(args, "uri")) ||
        (given == NULL && json_array_size(arguments) != 1)) {
        json_decref(given);
        dl_lsp_respond_error(&s->writer, id, LSP_INVALID_PARAMS,
                             arguments == NULL || json_array_size(arguments) == 0
                                 ? "no document is open to run the command on"
                                 : "the command takes a URI or one object argument with a \"uri\"");
        return;
    }
    const char *uri = json_string_value(json_object_get(args, "uri"));
    char *path = dl_lsp_uri_to_path(uri);
    int outside = path != NULL && !in_workspace(s, path);
    if (outside) {
        char message[4096];
        outside_message(s, message, sizeof(message), path);
        dl_lsp_respond_error(&s->writer, id, LSP_INVALID_PARAMS, message);
    }
    free(path);
    dl_lsp_job *job = outside ? NULL : dl_lsp_job_new(DL_LSP_JOB_COMMAND, uri);
    if (!outside && (job == NULL || (job->command = strdup(command)) == NULL)) {
        dl_lsp_job_free(job);
        dl_lsp_respond_error(&s->writer, id, LSP_INTERNAL_ERROR, "out of memory");
        job = NULL;
    }
    if (job == NULL) {
        json_decref(given);
        return;
    }
    job->id = json_deep_copy(id);
    job->arguments = json_deep_copy(args);
    const dl_lsp_document *doc = find_document(s, uri);
    json_decref(given); /* after the last use of `uri`, which may be in it */
    if (doc != NULL && (job->text = malloc(doc->size + 1)) != NULL) {
        memcpy(job->text, doc->text, doc->size);
        job->text[doc->size] = '\0';
        job->size = doc->size;
    }
    dl_lsp_worker_submit(s->worker, job);
}

/* The history commands on `doc`, when it is an article whose history the
 * server keeps. */
static void add_history_actions(const dl_lsp_server *s, json_t *actions, const dl_lsp_document *doc)
{
    if (!history_enabled(s) || doc->path == NULL || !in_workspace(s, doc->path))
        return;
    for (size_t i = 0; history_actions[i].kind; i++) {
        json_t *args = json_pack("{s:s}", "uri", doc->uri);
        if (history_actions[i].rev)
            json_object_set_new(args, "rev", json_string(history_actions[i].rev));
        json_array_append_new(
            actions, json_pack("{s:s, s:s, s:{s:s, s:s, s:[o]}}", "title", history_actions[i].title,
                               "kind", history_actions[i].kind, "command", "title",
                               history_actions[i].title, "command", history_actions[i].command,
                               "arguments", args));
    }
}

/* Keep the actions whose kind is one of `only` (a CodeActionKind array) or
 * under one of them ("source" takes "source.dateline.log"); all when the
 * client sets no filter. */
static void filter_actions(json_t *actions, const json_t *only)
{
    if (!json_is_array(only))
        return;
    for (size_t i = json_array_size(actions); i-- > 0;) {
        const char *kind = json_string_value(json_object_get(json_array_get(actions, i), "kind"));
        int wanted = 0;
        size_t k;
        const json_t *prefix;
        json_array_foreach(only, k, prefix) {
            const char *p = json_string_value(prefix);
            size_t n = p ? strlen(p) : 0;
            wanted = wanted || (p && kind && strncmp(kind, p, n) == 0 &&
                                (kind[n] == '\0' || kind[n] == '.'));
        }
        if (!wanted)
            json_array_remove(actions, i);
    }
}

/* Requests about one open document. */
static int on_document_request(dl_lsp_server *s, const char *method, const json_t *id,
                               const json_t *params)
{
    static const char *const methods[] = {
        "textDocument/documentSymbol", "textDocument/foldingRange",
        "textDocument/semanticTokens/full", "textDocument/selectionRange",
        "textDocument/codeAction", "textDocument/hover", "dateline/article", NULL,
    };
    size_t m = 0;
    while (methods[m] && strcmp(methods[m], method) != 0)
        m++;
    if (methods[m] == NULL)
        return 0;
    dl_lsp_document *doc = find_document(s, text_document_uri(params));
    if (doc == NULL) {
        dl_lsp_respond_error(&s->writer, id, LSP_INVALID_PARAMS, "the document is not open");
        return 1;
    }
    s->active = doc; /* asked about: the one the user looks at */
    dl_lsp_buf buf = {0};
    if (m <= 2)
        dl_lsp_result_begin(&buf, id);
    switch (m) {
    case 0:
        if (dl_lsp_document_symbols(&buf, doc, s->enc) < 0) {
            dl_lsp_buf_dispose(&buf);
            dl_lsp_respond_error(&s->writer, id, LSP_INTERNAL_ERROR, dl_error_last());
        } else {
            respond_buf(s, id, &buf);
        }
        break;
    case 1:
        dl_lsp_folding_ranges(&buf, doc);
        respond_buf(s, id, &buf);
        break;
    case 2:
        dl_lsp_semantic_tokens(&buf, doc, s->enc);
        respond_buf(s, id, &buf);
        break;
    case 3: {
        const json_t *positions = json_object_get(params, "positions"), *position;
        size_t i;
        uint32_t line, character;
        int valid = json_is_array(positions);
        json_array_foreach(positions, i, position)
            valid = valid && read_position(&line, &character, position) == 0;
        if (!valid)
            dl_lsp_respond_error(&s->writer, id, LSP_INVALID_PARAMS,
                                 "positions must be an array of positions");
        else
            dl_lsp_respond(&s->writer, id, dl_lsp_selection_ranges(doc, positions, s->enc));
        break;
    }
    case 4: {
        dl_lsp_range r;
        if (read_range(&r, json_object_get(params, "range")) < 0) {
            dl_lsp_respond_error(&s->writer, id, LSP_INVALID_PARAMS,
                                 "a range is {\"start\", \"end\"}, two positions");
            break;
        }
        uint32_t start = dl_lsp_document_offset(doc, r.start_line, r.start_character, s->enc);
        uint32_t end = dl_lsp_document_offset(doc, r.end_line, r.end_character, s->enc);
        json_t *actions = dl_lsp_code_actions(doc, start, end, s->enc);
        add_history_actions(s, actions, doc);
        filter_actions(actions, json_object_get(json_object_get(params, "context"), "only"));
        dl_lsp_respond(&s->writer, id, actions);
        break;
    }
    case 5:
        on_hover(s, id, doc, params);
        break;
    case 6:
        on_article(s, id, doc, params);
        break;
    }
    return 1;
}

/* ------------------------------------------------------------ dispatch -- */

static void on_request(dl_lsp_server *s, const char *method, const json_t *id,
                       const json_t *params)
{
    if (strcmp(method, "initialize") == 0) {
        on_initialize(s, id, params);
        return;
    }
    if (!s->initialized) {
        dl_lsp_respond_error(&s->writer, id, LSP_SERVER_NOT_INITIALIZED,
                             "the server is not initialized");
        return;
    }
    if (s->shutdown) {
        dl_lsp_respond_error(&s->writer, id, LSP_INVALID_REQUEST, "the server is shutting down");
        return;
    }
    if (strcmp(method, "shutdown") == 0) {
        s->shutdown = 1;
        dl_lsp_respond(&s->writer, id, json_null());
    } else if (strcmp(method, "workspace/executeCommand") == 0) {
        on_execute_command(s, id, params);
    } else if (!on_document_request(s, method, id, params)) {
        dl_lsp_respond_error(&s->writer, id, LSP_METHOD_NOT_FOUND, "method not found");
    }
}

static void on_notification(dl_lsp_server *s, const char *method, const json_t *params)
{
    if (strcmp(method, "exit") == 0) {
        s->exited = 1;
        return;
    }
    if (!s->initialized || s->shutdown)
        return; /* dropped, as the protocol says */
    if (strcmp(method, "textDocument/didOpen") == 0)
        on_did_open(s, params);
    else if (strcmp(method, "textDocument/didChange") == 0)
        on_did_change(s, params);
    else if (strcmp(method, "textDocument/willSave") == 0)
        on_will_save(s, params);
    else if (strcmp(method, "textDocument/didSave") == 0)
        on_did_save(s, params);
    else if (strcmp(method, "textDocument/didClose") == 0)
        on_did_close(s, params);
    else if (strcmp(method, "$/cancelRequest") == 0)
        dl_lsp_worker_cancel(s->worker, json_object_get(params, "id"));
    /* initialized, $/setTrace, workspace/didChange...: nothing to do */
}

void dl_lsp_server_handle(dl_lsp_server *s, const char *body, size_t size)
{
    json_error_t error;
    json_t *message = json_loadb(body, size, 0, &error);
    if (message == NULL) {
        dl_lsp_respond_error(&s->writer, NULL, LSP_PARSE_ERROR, error.text);
        return;
    }
    const json_t *id = json_object_get(message, "id");
    const json_t *method = json_object_get(message, "method");
    const json_t *params = json_object_get(message, "params");
    int valid_id = id == NULL || json_is_string(id) || json_is_integer(id);
    if (!json_is_object(message) || !valid_id || (method != NULL && !json_is_string(method)) ||
        (params != NULL && !json_is_object(params) && !json_is_array(params) &&
         !json_is_null(params))) { /* null params: sent by some clients for shutdown/exit */
        dl_lsp_respond_error(&s->writer, valid_id ? id : NULL, LSP_INVALID_REQUEST,
                             "not a JSON-RPC request or notification");
    } else if (method == NULL) {
        /* A response to a request of ours (workspace/applyEdit): the worker
         * waits for it; one nobody waits for any more is dropped. */
        dl_lsp_calls_answer(&s->calls, message);
    } else if (id != NULL) {
        on_request(s, json_string_value(method), id, params);
    } else {
        on_notification(s, json_string_value(method), params);
    }
    json_decref(message);
}

int dl_lsp_server_feed(dl_lsp_server *s, const char *data, size_t size)
{
    int error = dl_lsp_reader_feed(s->reader, data, size);
    if (error < 0)
        return error;
    for (;;) {
        const char *body;
        size_t length;
        int status = dl_lsp_reader_next(s->reader, &body, &length);
        if (status == 0)
            break;
        if (status < 0)
            dl_lsp_respond_error(&s->writer, NULL, LSP_PARSE_ERROR, dl_error_last());
        else
            dl_lsp_server_handle(s, body, length);
    }
    return 0;
}

/* -------------------------------------------------------------- server -- */

int dl_lsp_server_new(dl_lsp_server **out, dl_lsp_write_fn write, void *payload,
                      const dl_lsp_options *opts)
{
    dl_lsp_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    dl_lsp_options defaults = DL_LSP_OPTIONS_INIT;
    s->options = opts ? *opts : defaults;
    pthread_mutex_init(&s->writer.lock, NULL);
    dl_lsp_calls_init(&s->calls);
    s->writer.write = write;
    s->writer.payload = payload;
    s->config.record_on_save = 1;
    s->config.job_timeout_ms = DL_LSP_DEFAULT_JOB_TIMEOUT_MS;
    s->config.no_history = s->options.no_history;
    s->enc = DL_LSP_UTF16;
    /* Here, on the thread that starts the history runner and watchdog,
     * and held until the server is freed: libgit2's process-wide setup
     * then happens once, before any of them opens a store. */
    int error = dl_history_library_init();
    s->library = error == 0;
    if (error == 0)
        error = dl_lsp_reader_new(&s->reader);
    if (error == 0)
        error = dl_lsp_worker_new(&s->worker, &s->writer, &s->config, s->options.synchronous);
    if (error < 0) {
        dl_lsp_server_free(s);
        return error;
    }
    *out = s;
    return 0;
}

void dl_lsp_server_drain(dl_lsp_server *s)
{
    dl_lsp_worker_drain(s->worker);
}

int dl_lsp_server_exited(const dl_lsp_server *s)
{
    return s->exited;
}

int dl_lsp_server_exit_code(const dl_lsp_server *s)
{
    return s->shutdown ? 0 : 1;
}

void dl_lsp_server_free(dl_lsp_server *s)
{
    if (s == NULL)
        return;
    /* Finishes queued work, e.g. a save's version. A thread left behind by
     * the watchdog may still reach the writer and the config: then the
     * server stays allocated; the process is about to exit anyway. */
    if (dl_lsp_worker_free(s->worker) != 0)
        return;
    while (s->docs) {
        dl_lsp_document *next = s->docs->next;
        dl_lsp_document_free(s->docs);
        s->docs = next;
    }
    dl_lsp_reader_free(s->reader);
    paths_dispose(&s->roots);
    paths_dispose(&s->opened);
    for (size_t i = 0; i < s->config.exclude_count; i++)
        free(s->config.exclude[i]);
    free(s->config.exclude);
    free(s->config.store);
    dl_lsp_calls_dispose(&s->calls);
    if (s->library)
        dl_history_library_release();
    pthread_mutex_destroy(&s->writer.lock);
    free(s);
}

/* ---------------------------------------------------------------- stdio -- */

static int write_fd(void *payload, const struct iovec *pieces, int count)
{
    int fd = *(int *)payload;
    /* A message is a header and a body; a pipe may take them in parts,
     * so each call writes what is left, up to this many pieces. */
    struct iovec batch[64];
    int next = 0;      /* the first piece not all written */
    size_t done = 0;   /* how much of it is */
    while (next < count) {
        int n = 0;
        for (int i = next; i < count && n < (int)(sizeof(batch) / sizeof(batch[0])); i++) {
            size_t skip = i == next ? done : 0;
            if (pieces[i].iov_len > skip)
                batch[n++] = (struct iovec){(char *)pieces[i].iov_base + skip,
                                            pieces[i].iov_len - skip};
        }
        if (n == 0)
            break; /* only empty pieces left */
        ssize_t written = writev(fd, batch, n);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return -1;
        /* Move past what was written, and past empty pieces. */
        size_t left = (size_t)written;
        while (next < count && left >= pieces[next].iov_len - done) {
            left -= pieces[next].iov_len - done;
            next++;
            done = 0;
        }
        done += left;
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dl_lsp_run(int in_fd, int out_fd, const dl_lsp_options *opts)
{
    dl_lsp_server *s = NULL;
    int wake[2] = {-1, -1};
    int status = 1;
    char *chunk = malloc(65536);
    /* A client that dies mid-write must not kill us with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    if (chunk == NULL || pipe(wake) < 0 || dl_lsp_server_new(&s, write_fd, &out_fd, opts) < 0)
        goto done;
    dl_lsp_worker_set_wake_fd(s->worker, wake[1]);
    int debounce = s->options.debounce_ms > 0 ? s->options.debounce_ms : DL_LSP_DEFAULT_DEBOUNCE_MS;
    long long last_input = now_ms();

    while (!s->exited) {
        int timeout = -1;
        if (any_dirty(s)) {
            long long left = last_input + debounce - now_ms();
            timeout = left < 0 ? 0 : (int)left;
        }
        struct pollfd fds[2] = {{in_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
        int ready = poll(fds, 2, timeout);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready > 0 && (fds[1].revents & POLLIN)) {
            char drain[64];
            ssize_t ignored = read(wake[0], drain, sizeof(drain));
            (void)ignored;
            dl_lsp_server_idle(s); /* the worker's results: diagnostics to update */
        }
        if (ready > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(in_fd, chunk, 65536);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break; /* the client is gone */
            dl_lsp_server_feed(s, chunk, (size_t)n);
            last_input = now_ms();
        }
        if (any_dirty(s) && now_ms() - last_input >= debounce)
            dl_lsp_server_idle(s);
    }
    status = dl_lsp_server_exit_code(s);
done:
    dl_lsp_server_free(s);
    if (wake[0] >= 0) {
        close(wake[0]);
        close(wake[1]);
    }
    free(chunk);
    return status;
}
