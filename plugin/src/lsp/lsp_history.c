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
 * open store and history handles, the failures already reported, a blame
 * cache — lives here and is only touched by the worker.
 *
 * Results go straight to the client through the (locked) writer, except
 * the quotation check, whose warnings join the document's diagnostics and
 * are therefore handed back to the reading thread (dl_lsp_worker_results).
 */
/* open_memstream() is POSIX 2008; realpath()-free on purpose. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dateline/article.h"
#include "dateline/blame.h"
#include "dateline/cli.h"
#include "dateline/diff.h"
#include "dateline/error.h"
#include "dateline/history.h"
#include "dateline/json.h"
#include "dateline/text.h"
#include "lsp_internal.h"

/* Versions blame looks back through (hover must stay quick on long histories). */
#define BLAME_DEPTH 200

/* ------------------------------------------------------- blame (cache) -- */

/*
 * When a quotation's words last changed (hover). Paragraphs are blamed by
 * dl_blame_file; quotations, which blame does not track, here: a
 * quotation's words were last changed by the oldest version of the
 * unbroken run, from the newest version back, that holds the same words
 * (whitespace-normalised). Each version is reduced once to the
 * sorted hashes of its blocks and quotations; the cache is rebuilt when the
 * article's latest version changes.
 */
typedef struct {
    dl_history_version meta; /* author and note strings owned here */
    uint64_t *blocks, *quotes;
    size_t block_count, quote_count;
} blame_version;

typedef struct {
    dl_history_id tip;
    blame_version *versions;
    size_t count;
} blame_cache;

static uint64_t hash_text(const char *text)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static uint64_t hash_normalized(const char *text, size_t size)
{
    char *normal = dl_lsp_normalize(text, size);
    uint64_t h = normal ? hash_text(normal) : 0;
    free(normal);
    return h;
}

static int compare_hash(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int has_hash(const uint64_t *hashes, size_t count, uint64_t h)
{
    return bsearch(&h, hashes, count, sizeof(h), compare_hash) != NULL;
}

static void blame_cache_clear(blame_cache *cache)
{
    for (size_t i = 0; i < cache->count; i++) {
        free(cache->versions[i].meta.author_name);
        free(cache->versions[i].meta.author_email);
        free(cache->versions[i].meta.note);
        free(cache->versions[i].blocks);
        free(cache->versions[i].quotes);
    }
    free(cache->versions);
    memset(cache, 0, sizeof(*cache));
}

static int reduce_version(blame_version *out, const char *text, size_t size)
{
    dl_article *article = NULL;
    int error = dl_article_parse(&article, text, size);
    if (error < 0)
        return error;
    out->blocks = calloc(article->block_count + 1, sizeof(uint64_t));
    out->quotes = calloc(article->quotation_count + 1, sizeof(uint64_t));
    if (out->blocks == NULL || out->quotes == NULL) {
        dl_article_free(article);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    for (size_t i = 0; i < article->block_count; i++) {
        const dl_span *span = &article->blocks[i].span;
        out->blocks[out->block_count++] = hash_normalized(span->text, strlen(span->text));
    }
    for (size_t i = 0; i < article->quotation_count; i++) {
        const char *q = article->quotations[i].text;
        out->quotes[out->quote_count++] = hash_normalized(q, strlen(q));
    }
    qsort(out->blocks, out->block_count, sizeof(uint64_t), compare_hash);
    qsort(out->quotes, out->quote_count, sizeof(uint64_t), compare_hash);
    dl_article_free(article);
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Bring the cache up to date with the article's latest version. An article
 * without history leaves it empty. */
static int blame_cache_update(blame_cache *cache, dl_history *history)
{
    dl_history_id tip;
    int error = dl_history_resolve(&tip, history, "@");
    if (error == DL_ENOTFOUND) {
        blame_cache_clear(cache);
        dl_error_clear();
        return 0;
    }
    if (error < 0)
        return error;
    if (cache->count > 0 && strcmp(cache->tip.hex, tip.hex) == 0)
        return 0;
    blame_cache_clear(cache);

    dl_history_log *log = NULL;
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.max_count = BLAME_DEPTH;
    if ((error = dl_history_log_read(&log, history, &options)) < 0)
        return error;
    cache->versions = calloc(log->count + 1, sizeof(*cache->versions));
    if (cache->versions == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < log->count; i++) {
        const dl_history_version *v = &log->versions[i];
        blame_version *b = &cache->versions[cache->count];
        char *content = NULL;
        size_t size = 0;
        if ((error = dl_history_read(&content, &size, history, &v->id)) < 0)
            goto done;
        error = reduce_version(b, content, size);
        free(content);
        b->meta = *v;
        b->meta.author_name = dup_or_null(v->author_name);
        b->meta.author_email = dup_or_null(v->author_email);
        b->meta.note = dup_or_null(v->note);
        cache->count++;
        if (error < 0)
            goto done;
    }
    cache->tip = tip;
    error = 0;
done:
    if (error < 0)
        blame_cache_clear(cache);
    dl_history_log_free(log);
    return error;
}

/* The version that last changed a text of the current document, NULL when
 * the text is newer than the latest version. `quotes`: look among
 * quotations instead of blocks. */
static const blame_version *blame_lookup(const blame_cache *cache, const char *text, size_t size,
                                         int quotes)
{
    uint64_t h = hash_normalized(text, size);
    const blame_version *found = NULL;
    for (size_t i = 0; i < cache->count; i++) {
        const blame_version *v = &cache->versions[i];
        if (!has_hash(quotes ? v->quotes : v->blocks, quotes ? v->quote_count : v->block_count, h))
            break;
        found = v;
    }
    return found;
}

/* ------------------------------------------- annotated version (cache) -- */

/*
 * The quotation check compares the saved text with the latest annotated
 * version. Finding that version walks the whole history and reads every
 * note, so it is kept, parsed, with the stamp it was found at, and read
 * again only when the stamp says it may have changed (a new note, or a
 * history that did more than grow by un-annotated saves).
 */
typedef struct {
    int valid;
    dl_history_stamp stamp;
    dl_history_log *log; /* at most the one version */
    dl_article *article; /* its text, parsed; NULL: none or unreadable */
} annotated_cache;

static void annotated_cache_clear(annotated_cache *cache)
{
    dl_history_log_free(cache->log);
    dl_article_free(cache->article);
    memset(cache, 0, sizeof(*cache));
}

/* -------------------------------------------------- per-document state -- */

typedef struct worker_doc {
    char *uri;
    char *path;
    dl_history_store *store;
    dl_history *history;
    unsigned reported; /* failure kinds already shown to the user */
    blame_cache blame;
    annotated_cache annotated;
    dl_article_parser *parser; /* the text the quotation check saw last */
    struct worker_doc *next;
} worker_doc;

struct dl_lsp_worker {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a job arrived, or stop */
    pthread_cond_t idle; /* the queue emptied */
    pthread_t thread;
    int started, stopping, busy;
    dl_lsp_job *head, *tail;
    dl_lsp_result *results, *results_tail;
    int wake_fd;

    dl_lsp_writer *writer;
    const dl_lsp_config *config;
    worker_doc *docs;
};

static void worker_doc_close(worker_doc *d)
{
    dl_history_free(d->history);
    dl_history_store_free(d->store);
    d->history = NULL;
    d->store = NULL;
    blame_cache_clear(&d->blame);
    annotated_cache_clear(&d->annotated);
}

static void worker_doc_free(worker_doc *d)
{
    if (d == NULL)
        return;
    worker_doc_close(d);
    dl_article_parser_free(d->parser);
    free(d->uri);
    free(d->path);
    free(d);
}

static worker_doc *find_doc(dl_lsp_worker *w, const char *uri)
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

static void forget_doc(dl_lsp_worker *w, const char *uri)
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

/* ----------------------------------------------------------- JSON bits -- */

static json_t *json_article(const dl_history *history)
{
    return json_pack("{s:i, s:s, s:s, s:s}", "schema", DL_JSON_SCHEMA, "file",
                     dl_history_file(history), "key", dl_history_key(history), "ref",
                     dl_history_refname(history));
}

/* ------------------------------------------------------------ commands -- */

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

/* A library failure: bad revisions are the caller's mistake. */
static int fail_library(command_error *e, int error)
{
    int code = error == DL_EINVALID || error == DL_ENOTFOUND || error == DL_EUSAGE
                   ? LSP_INVALID_PARAMS
                   : LSP_INTERNAL_ERROR;
    return fail(e, code, dl_error_last());
}

static const char *string_arg(const json_t *args, const char *key)
{
    const json_t *value = json_object_get(args, key);
    return json_is_string(value) ? json_string_value(value) : NULL;
}

static int parse_article(dl_article **out, const char *text, size_t size, const char *what)
{
    int error = dl_text_check(text, size, what);
    return error < 0 ? error : dl_article_parse(out, text, size);
}

static json_t *cmd_snapshot(dl_lsp_job *job, dl_history *h, const json_t *args, command_error *e)
{
    const json_t *note = json_object_get(args, "note");
    if (note != NULL && !json_is_string(note) && !json_is_null(note))
        return fail(e, LSP_INVALID_PARAMS, "note must be a string"), NULL;
    dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
    options.note = json_string_value(note);
    options.content = job->text;
    options.content_size = job->size;
    dl_history_id id;
    int error = dl_history_snapshot(&id, h, &options);
    if (error < 0 && error != DL_EUNCHANGED)
        return fail_library(e, error), NULL;
    json_t *doc = json_article(h);
    json_object_set_new(doc, "id", json_string(id.hex));
    json_object_set_new(doc, "recorded", json_boolean(error == 0));
    return doc;
}

static json_t *cmd_note(dl_history *h, const json_t *args, command_error *e)
{
    const char *note = string_arg(args, "note");
    const char *rev = string_arg(args, "rev");
    if (note == NULL)
        return fail(e, LSP_INVALID_PARAMS, "dateline.note needs a \"note\" string"), NULL;
    dl_history_id id;
    int error = dl_history_note(&id, h, rev ? rev : "@", note);
    if (error < 0)
        return fail_library(e, error), NULL;
    json_t *doc = json_article(h);
    json_object_set_new(doc, "id", json_string(id.hex));
    json_object_set_new(doc, "note", json_string(note));
    return doc;
}

/* `dateline log --json`, run in process: the very same output, by
 * construction. */
static json_t *cmd_log(const char *path, const json_t *args, const dl_lsp_config *config,
                       command_error *e)
{
    const json_t *n = json_object_get(args, "n");
    const json_t *annotated = json_object_get(args, "annotated");
    if (n != NULL && !json_is_null(n) && (!json_is_integer(n) || json_integer_value(n) <= 0))
        return fail(e, LSP_INVALID_PARAMS, "n must be a positive integer"), NULL;
    if (annotated != NULL && !json_is_boolean(annotated) && !json_is_null(annotated))
        return fail(e, LSP_INVALID_PARAMS, "annotated must be a boolean"), NULL;

    char count[32];
    char *argv[10];
    int argc = 0;
    argv[argc++] = "dateline";
    argv[argc++] = "log";
    argv[argc++] = "--json";
    if (json_is_integer(n)) {
        snprintf(count, sizeof(count), "-n%lld", (long long)json_integer_value(n));
        argv[argc++] = count;
    }
    if (json_is_true(annotated))
        argv[argc++] = "--annotated";
    if (config->store) {
        argv[argc++] = "--store";
        argv[argc++] = config->store;
    }
    argv[argc++] = "--";
    argv[argc++] = (char *)path;

    char *out_text = NULL, *err_text = NULL;
    size_t out_size = 0, err_size = 0;
    FILE *out = open_memstream(&out_text, &out_size);
    FILE *err = open_memstream(&err_text, &err_size);
    json_t *result = NULL;
    if (out == NULL || err == NULL) {
        fail(e, LSP_INTERNAL_ERROR, "out of memory");
    } else {
        int status = dl_cli_run(argc, argv, out, err);
        fflush(out);
        fflush(err);
        if (status != DL_EXIT_OK)
            fail(e, LSP_INTERNAL_ERROR, dl_error_last()[0] ? dl_error_last() : err_text);
        else if ((result = json_loadb(out_text, out_size, 0, NULL)) == NULL)
            fail(e, LSP_INTERNAL_ERROR, "could not read the log");
    }
    if (out)
        fclose(out);
    if (err)
        fclose(err);
    free(out_text);
    free(err_text);
    return result;
}

static json_t *cmd_show(dl_history *h, const json_t *args, command_error *e)
{
    const char *rev = string_arg(args, "rev");
    if (rev == NULL)
        return fail(e, LSP_INVALID_PARAMS, "dateline.show needs a \"rev\" string"), NULL;
    dl_history_id id;
    char *content = NULL;
    size_t size = 0;
    int error = dl_history_resolve(&id, h, rev);
    if (error == 0)
        error = dl_history_read(&content, &size, h, &id);
    if (error < 0)
        return fail_library(e, error), NULL;
    json_t *text = json_stringn(content, size);
    free(content);
    if (text == NULL)
        return fail(e, LSP_INTERNAL_ERROR, "that version is not UTF-8 text"), NULL;
    return json_pack("{s:i, s:s, s:o}", "schema", DL_JSON_SCHEMA, "id", id.hex, "content", text);
}

/* Read a revision's content, or the current text (the job's, else the file). */
static int content_of(char **out, size_t *size, dl_history_id *id, dl_history *h, const char *rev,
                      const dl_lsp_job *job)
{
    if (rev != NULL) {
        int error = dl_history_resolve(id, h, rev);
        return error < 0 ? error : dl_history_read(out, size, h, id);
    }
    id->hex[0] = '\0';
    if (job->text != NULL) {
        if ((*out = malloc(job->size + 1)) == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        memcpy(*out, job->text, job->size);
        (*out)[job->size] = '\0';
        *size = job->size;
        return 0;
    }
    return dl_text_read_file(out, size, dl_history_file(h));
}

/* A side of a diff as `dateline diff --json` shows it: a version, or the
 * current text ({"id": null, "file"}). */
static json_t *side_json(const dl_history_id *id, const char *file)
{
    if (id->hex[0])
        return json_pack("{s:s, s:s#}", "id", id->hex, "short", id->hex,
                         (int)DL_HISTORY_ID_SHORTSIZE);
    return json_pack("{s:n, s:s}", "id", "file", file);
}

static json_t *cmd_diff(dl_lsp_job *job, dl_history *h, const json_t *args, command_error *e)
{
    const char *rev = string_arg(args, "rev");
    const char *rev2 = string_arg(args, "rev2");
    char *old_text = NULL, *new_text = NULL;
    size_t old_size = 0, new_size = 0;
    dl_history_id old_id, new_id;
    dl_article *old = NULL, *new_article = NULL;
    dl_diff *diff = NULL;
    json_t *result = NULL;
    int error;

    if ((error = content_of(&old_text, &old_size, &old_id, h, rev ? rev : "@", job)) < 0 ||
        (error = content_of(&new_text, &new_size, &new_id, h, rev2, job)) < 0 ||
        (error = parse_article(&old, old_text, old_size, "the old version")) < 0 ||
        (error = parse_article(&new_article, new_text, new_size, "the new version")) < 0 ||
        (error = dl_diff_articles(&diff, old, new_article, NULL)) < 0 ||
        (error = dl_diff_to_json(&result, diff)) < 0) {
        fail_library(e, error);
        goto done;
    }
    json_object_set_new(result, "file", json_string(dl_history_file(h)));
    json_object_set_new(result, "old", side_json(&old_id, dl_history_file(h)));
    json_object_set_new(result, "new", side_json(&new_id, dl_history_file(h)));
done:
    dl_diff_free(diff);
    dl_article_free(old);
    dl_article_free(new_article);
    free(old_text);
    free(new_text);
    return result;
}

static json_t *cmd_restore(dl_lsp_job *job, dl_history *h, const json_t *args, command_error *e)
{
    const char *rev = string_arg(args, "rev");
    if (rev == NULL)
        return fail(e, LSP_INVALID_PARAMS, "dateline.restore needs a \"rev\" string"), NULL;
    dl_history_id from, id;
    int error = dl_history_resolve(&from, h, rev);
    if (error < 0)
        return fail_library(e, error), NULL;
    /* Unsaved text in the editor is recorded too: a restore loses nothing. */
    if (job->text != NULL) {
        char note[64];
        snprintf(note, sizeof(note), "before restore of %.*s", DL_HISTORY_ID_SHORTSIZE, from.hex);
        dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
        options.note = note;
        options.content = job->text;
        options.content_size = job->size;
        dl_history_id ignored;
        error = dl_history_snapshot(&ignored, h, &options);
        if (error < 0 && error != DL_EUNCHANGED)
            return fail_library(e, error), NULL;
    }
    if ((error = dl_history_restore(&id, h, from.hex)) < 0)
        return fail_library(e, error), NULL;
    json_t *doc = json_article(h);
    json_object_set_new(doc, "restored", json_string(from.hex));
    json_object_set_new(doc, "id", json_string(id.hex));
    return doc;
}

/* `dateline blame --json` of the current text (the editor's, else the file). */
static json_t *cmd_blame(dl_lsp_job *job, dl_history *h, command_error *e)
{
    char *text = NULL;
    size_t size = 0;
    dl_history_id unused;
    dl_blame *blame = NULL;
    json_t *result = NULL;
    int error;
    if ((error = content_of(&text, &size, &unused, h, NULL, job)) < 0 ||
        (error = dl_blame_file(&blame, h, text, size, NULL)) < 0 ||
        (error = dl_blame_to_json(&result, blame)) < 0)
        fail_library(e, error);
    else
        json_object_set_new(result, "file", json_string(dl_history_file(h)));
    dl_blame_free(blame);
    free(text);
    return result;
}

static void run_command(dl_lsp_worker *w, dl_lsp_job *job)
{
    command_error e = {0};
    json_t *result = NULL;
    const json_t *args = job->arguments;
    const char *uri = string_arg(args, "uri");
    worker_doc *d = NULL;
    dl_history *h = NULL;
    int error;

    dl_error_clear();
    if (!json_is_object(args) || uri == NULL) {
        fail(&e, LSP_INVALID_PARAMS, "the command takes one object argument with a \"uri\"");
        goto done;
    }
    if ((d = find_doc(w, uri)) == NULL) {
        fail(&e, LSP_INTERNAL_ERROR, "out of memory");
        goto done;
    }
    if ((error = open_history(&h, d, w->config)) < 0) {
        fail(&e, d->path ? LSP_INTERNAL_ERROR : LSP_INVALID_PARAMS, dl_error_last());
        goto done;
    }
    if (strcmp(job->command, "dateline.snapshot") == 0)
        result = cmd_snapshot(job, h, args, &e);
    else if (strcmp(job->command, "dateline.note") == 0)
        result = cmd_note(h, args, &e);
    else if (strcmp(job->command, "dateline.log") == 0)
        result = cmd_log(d->path, args, w->config, &e);
    else if (strcmp(job->command, "dateline.show") == 0)
        result = cmd_show(h, args, &e);
    else if (strcmp(job->command, "dateline.diff") == 0)
        result = cmd_diff(job, h, args, &e);
    else if (strcmp(job->command, "dateline.restore") == 0)
        result = cmd_restore(job, h, args, &e);
    else if (strcmp(job->command, "dateline.blame") == 0)
        result = cmd_blame(job, h, &e);
    else
        fail(&e, LSP_INVALID_PARAMS, "unknown command");
done:
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

static void run_record(dl_lsp_worker *w, dl_lsp_job *job)
{
    worker_doc *d = find_doc(w, job->uri);
    dl_history *h = NULL;
    dl_history_id id;
    int error;

    if (d == NULL || d->path == NULL || w->config->no_history || !w->config->record_on_save ||
        excluded(w->config, d->path))
        return;
    dl_error_clear();
    int opening = 1;
    if ((error = open_history(&h, d, w->config)) == 0) {
        opening = 0;
        dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
        options.content = job->text;
        options.content_size = job->size;
        options.defer_tidy = 1; /* after telling the editor */
        error = dl_history_snapshot(&id, h, &options);
    }
    json_t *params = json_pack("{s:s, s:b}", "uri", job->uri, "recorded", error == 0);
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
            dl_lsp_notify(w->writer, "window/showMessage",
                          json_pack("{s:i, s:s}", "type", 2, "message", message));
        }
    }
    dl_lsp_notify(w->writer, "dateline/recorded", params);
    if (error == 0)
        dl_history_tidy(h);
}

/* -------------------------------------------------------------- hover -- */

static void describe_version(dl_lsp_buf *md, const dl_history_version *v)
{
    char when[40];
    dl_history_format_time(when, sizeof(when), v->time, v->offset);
    dl_lsp_buf_printf(md, "`%.*s` · %s · %s", DL_HISTORY_ID_SHORTSIZE, v->id.hex, when,
                      v->author_name ? v->author_name : "unknown");
    if (v->note)
        dl_lsp_buf_printf(md, "  \n> %s", v->note);
}

static void run_hover(dl_lsp_worker *w, dl_lsp_job *job)
{
    const dl_lsp_hover_context *ctx = &job->hover;
    worker_doc *d = find_doc(w, job->uri);
    dl_history *h = NULL;
    int have_history = 0;
    const char *history_error = NULL;
    if (d != NULL && d->path != NULL && !w->config->no_history) {
        if (open_history(&h, d, w->config) == 0 && blame_cache_update(&d->blame, h) == 0)
            have_history = 1;
        else
            history_error = dl_error_last();
    }

    dl_lsp_buf md = {0};
    if (ctx->quote_text != NULL) {
        dl_lsp_buf_printf(&md, "**Quotation**%s%s%s\n\n", ctx->speaker ? " — " : "",
                          ctx->speaker ? ctx->speaker : "", ctx->speaker ? "" : " (nobody credited)");
        if (have_history && d->blame.count > 0) {
            const blame_version *v =
                blame_lookup(&d->blame, ctx->quote_text, strlen(ctx->quote_text), 1);
            if (v) {
                dl_lsp_buf_puts(&md, "Words last changed in ");
                describe_version(&md, &v->meta);
            } else {
                dl_lsp_buf_puts(&md, "Words changed since the latest recorded version.");
            }
            dl_lsp_buf_puts(&md, "\n\n---\n\n");
        }
    }
    if (ctx->block_label != NULL) {
        dl_lsp_buf_printf(&md, "**%s**", ctx->block_label);
        dl_blame *blame = NULL;
        if (have_history && d->blame.count > 0 && job->text != NULL &&
            dl_blame_file(&blame, h, job->text, job->size, NULL) == 0) {
            const dl_blame_line *line = NULL;
            for (size_t i = 0; i < blame->count && line == NULL; i++)
                if (blame->lines[i].range.start_byte <= ctx->block_start &&
                    ctx->block_start < blame->lines[i].range.end_byte)
                    line = &blame->lines[i];
            if (line && line->recorded) {
                dl_lsp_buf_puts(&md, " — last changed in ");
                describe_version(&md, &line->version);
            } else {
                dl_lsp_buf_puts(&md, " — changed since the latest recorded version");
            }
        } else if (have_history && d->blame.count > 0) {
            dl_lsp_buf_printf(&md, " — blame unavailable: %s", dl_error_last());
        } else if (have_history) {
            dl_lsp_buf_puts(&md, " — no recorded versions yet");
        } else if (history_error != NULL) {
            dl_lsp_buf_printf(&md, " — history unavailable: %s", history_error);
        }
        dl_blame_free(blame);
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
static int annotated_update(annotated_cache *cache, dl_history *h)
{
    dl_history_stamp stamp;
    int error = dl_history_stamp_read(&stamp, h);
    if (error < 0)
        return error;
    if (cache->valid && dl_history_same_annotated(h, &cache->stamp, &stamp)) {
        cache->stamp = stamp;
        return 0;
    }
    annotated_cache_clear(cache);
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.max_count = 1;
    options.annotated_only = 1;
    if ((error = dl_history_log_read(&cache->log, h, &options)) < 0)
        return error;
    if (cache->log->count > 0) {
        char *text = NULL;
        size_t size = 0;
        if (dl_history_read(&text, &size, h, &cache->log->versions[0].id) == 0 &&
            parse_article(&cache->article, text, size, "the annotated version") < 0)
            cache->article = NULL;
        free(text);
    }
    /* The stamp read before the log: a change in between reads it again. */
    cache->stamp = stamp;
    cache->valid = 1;
    return 0;
}

static void run_quotes(dl_lsp_worker *w, dl_lsp_job *job)
{
    worker_doc *d = find_doc(w, job->uri);
    dl_history *h = NULL;
    dl_article *current = NULL;
    dl_diff *diff = NULL;
    dl_lsp_result *result = calloc(1, sizeof(*result));

    if (result == NULL || (result->uri = strdup(job->uri)) == NULL)
        goto done;
    /* Quietly nothing when there is no history to compare with. */
    if (d == NULL || d->path == NULL || job->text == NULL || open_history(&h, d, w->config) < 0 ||
        annotated_update(&d->annotated, h) < 0 || d->annotated.article == NULL ||
        (d->parser == NULL && dl_article_parser_new(&d->parser) < 0) ||
        dl_article_parser_parse(&current, d->parser, job->text, job->size) < 0 ||
        dl_diff_articles(&diff, d->annotated.article, current, NULL) < 0)
        goto post;

    const dl_history_version *v = &d->annotated.log->versions[0];
    result->warnings = calloc(diff->quotation_count + 1, sizeof(*result->warnings));
    if (result->warnings == NULL)
        goto post;
    for (size_t i = 0; i < diff->quotation_count; i++) {
        const dl_diff_quotation *q = &diff->quotations[i];
        if (q->change != DL_DIFF_QUOTE_CHANGED || q->new_text == NULL)
            continue;
        char *message = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&message, &size);
        if (f == NULL)
            break;
        fprintf(f, "quotation changed since the annotated version %.*s (“%s”): it was “%s”",
                DL_HISTORY_ID_SHORTSIZE, v->id.hex, v->note ? v->note : "",
                q->old_text ? q->old_text : "");
        fclose(f);
        dl_lsp_quote_warning *warning = &result->warnings[result->warning_count];
        warning->text = strdup(q->new_text);
        warning->message = message;
        result->warning_count++;
        if (warning->text == NULL || warning->message == NULL)
            break;
    }
post:
    post_result(w, result);
    result = NULL;
done:
    dl_lsp_result_free(result);
    dl_diff_free(diff);
    dl_article_free(current);
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

static void run_job(dl_lsp_worker *w, dl_lsp_job *job)
{
    switch (job->kind) {
    case DL_LSP_JOB_RECORD: run_record(w, job); break;
    case DL_LSP_JOB_COMMAND: run_command(w, job); break;
    case DL_LSP_JOB_HOVER: run_hover(w, job); break;
    case DL_LSP_JOB_QUOTES: run_quotes(w, job); break;
    case DL_LSP_JOB_CLOSE: forget_doc(w, job->uri); break;
    }
}

static void *worker_main(void *payload)
{
    dl_lsp_worker *w = payload;
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
        w->busy = 1;
        pthread_mutex_unlock(&w->lock);
        run_job(w, job);
        dl_lsp_job_free(job);
        pthread_mutex_lock(&w->lock);
        w->busy = 0;
        if (w->head == NULL)
            pthread_cond_broadcast(&w->idle);
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
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->idle, NULL);
    if (!synchronous) {
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
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
    if (!w->started) {
        run_job(w, job);
        dl_lsp_job_free(job);
        return;
    }
    pthread_mutex_lock(&w->lock);
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->wake);
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
    while (w->head != NULL || w->busy)
        pthread_cond_wait(&w->idle, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

void dl_lsp_worker_free(dl_lsp_worker *w)
{
    if (w == NULL)
        return;
    if (w->started) {
        pthread_mutex_lock(&w->lock);
        w->stopping = 1;
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
    }
    while (w->head) {
        dl_lsp_job *next = w->head->next;
        dl_lsp_job_free(w->head);
        w->head = next;
    }
    dl_lsp_result_free(w->results);
    while (w->docs) {
        worker_doc *next = w->docs->next;
        worker_doc_free(w->docs);
        w->docs = next;
    }
    pthread_cond_destroy(&w->idle);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
