/*
 * dateline — the language server's internals, shared by lsp*.c (and the
 * in-process tests). Not a public header.
 *
 *   lsp_io.c        byte buffers, JSON string writing, the framing reader,
 *                   the serialised writer
 *   lsp_document.c  open documents: text, line index, position encodings,
 *                   incremental edits, re-parsing and the article model
 *   lsp_features.c  symbols, diagnostics, folding, selection ranges,
 *                   semantic tokens, code actions, hover context: counts
 *                   and speakers from the model, syntax from the tree
 *   lsp_history.c   the worker thread: record on save, executeCommand,
 *                   blame for hover, the "quotation changed" check
 *   lsp.c           the server: lifecycle, dispatch, the stdio loop
 */
#ifndef DATELINE_LSP_INTERNAL_H
#define DATELINE_LSP_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "dateline/article.h"
#include "dateline/lsp.h"

/* JSON-RPC and LSP error codes. */
enum {
    LSP_PARSE_ERROR = -32700,
    LSP_INVALID_REQUEST = -32600,
    LSP_METHOD_NOT_FOUND = -32601,
    LSP_INVALID_PARAMS = -32602,
    LSP_INTERNAL_ERROR = -32603,
    LSP_SERVER_NOT_INITIALIZED = -32002,
    LSP_REQUEST_CANCELLED = -32800,
};

/* ----------------------------------------------------------- buffers -- */

/* A growable byte buffer. Allocation failure is sticky in `failed`, so
 * writers need not check every append; check once at the end. */
typedef struct {
    char *data;
    size_t size;
    size_t capacity;
    int failed;
} dl_lsp_buf;

/* Room for `more` bytes (and a terminating NUL); -1 when out of memory. */
int dl_lsp_buf_reserve(dl_lsp_buf *buf, size_t more);
void dl_lsp_buf_put(dl_lsp_buf *buf, const char *data, size_t size);
void dl_lsp_buf_puts(dl_lsp_buf *buf, const char *s);
/* A number in decimal: what printf's %llu writes, many times faster. */
void dl_lsp_buf_put_uint(dl_lsp_buf *buf, unsigned long long value);
void dl_lsp_buf_printf(dl_lsp_buf *buf, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* A JSON string literal of `size` bytes; invalid UTF-8 becomes U+FFFD. */
void dl_lsp_buf_json_string(dl_lsp_buf *buf, const char *s, size_t size);
void dl_lsp_buf_dispose(dl_lsp_buf *buf);

/* ----------------------------------------------------------- writer -- */

/* Frames and writes messages; shared by the reading thread and the worker. */
typedef struct {
    pthread_mutex_t lock;
    dl_lsp_write_fn write;
    void *payload;
    int dead; /* the client went away: drop further output */
} dl_lsp_writer;

/* Send one message body (adds the header). */
void dl_lsp_send_raw(dl_lsp_writer *w, const char *body, size_t size);
/* Send a JSON value (stolen). */
void dl_lsp_send(dl_lsp_writer *w, json_t *message);
/* {"jsonrpc":"2.0","id":id,"result":result} — result stolen. */
void dl_lsp_respond(dl_lsp_writer *w, const json_t *id, json_t *result);
/* Start a response in `buf` up to its result, for results written in place
 * (no copy of a large result): append the result and "}", then send. */
void dl_lsp_result_begin(dl_lsp_buf *buf, const json_t *id);
void dl_lsp_respond_error(dl_lsp_writer *w, const json_t *id, int code, const char *message);
void dl_lsp_notify(dl_lsp_writer *w, const char *method, json_t *params);
/* window/showMessage or window/logMessage (`method`) of `type` (1 error ..
 * 4 log): the client shows `message` to a person, so it is escaped like
 * the CLI's output (dl_text_escape): a file name or a note in it can
 * never drive the editor's terminal. */
void dl_lsp_message(dl_lsp_writer *w, const char *method, int type, const char *message);

/* --------------------------------------------------- server requests -- */

/* The server's own requests to the client (workspace/applyEdit), matched
 * with their responses by id. The worker sends one and waits, bounded; the
 * reading thread hands each response over and never waits. */
typedef struct dl_lsp_pending_call {
    long long id;
    json_t *response; /* the whole message once it arrived, or NULL */
    struct dl_lsp_pending_call *next;
} dl_lsp_pending_call;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t answered;
    long long next_id;
    dl_lsp_pending_call *pending;
} dl_lsp_calls;

void dl_lsp_calls_init(dl_lsp_calls *calls);
void dl_lsp_calls_dispose(dl_lsp_calls *calls);
/* Send request `method` (params stolen) and wait up to `timeout_ms` for its
 * response: 0 with the response message in `*response` (the caller owns
 * it), or DL_ERROR with dl_error_last saying why (no answer in time). */
int dl_lsp_call(json_t **response, dl_lsp_writer *w, dl_lsp_calls *calls, const char *method,
                json_t *params, long long timeout_ms);
/* A response from the client (a message with an id and no method): 1 when
 * it answers a pending call (which it wakes), 0 when nobody waits for it. */
int dl_lsp_calls_answer(dl_lsp_calls *calls, const json_t *message);

/* --------------------------------------------------------- documents -- */

typedef enum { DL_LSP_UTF16, DL_LSP_UTF8 } dl_lsp_encoding;

/* A quotation whose words changed since the last annotated version: the
 * worker finds them, the diagnostics show them wherever the text is now. */
typedef struct {
    char *text;    /* the quotation's current words */
    char *message;
} dl_lsp_quote_warning;

/* Node type ids of the article grammar that the syntax features read
 * (folding, semantic tokens, selection); counts and credits come from the
 * article model instead. */
typedef struct {
    TSSymbol headline, dek, byline, timestamp, section, subhead, paragraph, list, editor_note,
        dateline, quotation, speaker, verb, addition, deletion, substitution, highlight, comment,
        content, url, number;
} dl_lsp_symbols;

typedef struct dl_lsp_document {
    char *uri;
    char *path; /* for file: URIs, else NULL */
    long long version;
    char *text;
    size_t size, capacity;
    uint32_t *lines; /* byte offset where each line starts ('\n' ends a line) */
    size_t line_count, line_capacity;
    TSParser *parser;
    TSTree *tree;
    dl_lsp_symbols grammar;
    /* The article model of `text`: everything the server shows that counts
     * or credits comes from it. Built on first use after a change, so a
     * burst of keystrokes builds it once, from the one before (unchanged
     * blocks are not counted again). */
    dl_article *article;
    int article_current; /* `article` is of `text` as it is now */
    int diagnostics_dirty;
    dl_lsp_quote_warning *warnings;
    size_t warning_count;
    struct dl_lsp_document *next;
} dl_lsp_document;

/* A document holding `text`, parsed. */
int dl_lsp_document_new(dl_lsp_document **out, const char *uri, const char *text, size_t size,
                        long long version);
void dl_lsp_document_free(dl_lsp_document *doc);

/* Replace the text between two positions (or all of it when `range` is
 * NULL) and re-parse incrementally. */
typedef struct {
    uint32_t start_line, start_character, end_line, end_character;
} dl_lsp_range;
int dl_lsp_document_edit(dl_lsp_document *doc, const dl_lsp_range *range, const char *text,
                         size_t size, dl_lsp_encoding enc);

/* The document's article model, built now if the text changed since the
 * last one; NULL when it cannot be built (dl_error_last says why). */
const dl_article *dl_lsp_document_article(dl_lsp_document *doc);

/* Position <-> byte offset. Positions past a line's end clamp to it; a
 * position inside a character moves to its start. */
uint32_t dl_lsp_document_offset(const dl_lsp_document *doc, uint32_t line, uint32_t character,
                                dl_lsp_encoding enc);
void dl_lsp_document_position(const dl_lsp_document *doc, uint32_t offset, dl_lsp_encoding enc,
                              uint32_t *line, uint32_t *character);

/* The file path of a file: URI (percent-decoded), or NULL (another scheme
 * or host, a malformed escape, an encoded NUL). free() it. */
char *dl_lsp_uri_to_path(const char *uri);


/* ---------------------------------------------------------- features -- */

/* Results are JSON text appended to `out` (they can be large: writing them
 * directly is several times faster than building jansson values). What
 * counts or credits comes from the document's article model; folding and
 * tokens are syntax, read from its tree. */
/* The outline: headline, paragraphs numbered and counted as the model does,
 * their dateline and quotations with the model's speakers, sections. -1
 * when the model cannot be built (dl_error_last says why). */
int dl_lsp_document_symbols(dl_lsp_buf *out, dl_lsp_document *doc, dl_lsp_encoding enc);
void dl_lsp_folding_ranges(dl_lsp_buf *out, const dl_lsp_document *doc);
void dl_lsp_semantic_tokens(dl_lsp_buf *out, const dl_lsp_document *doc, dl_lsp_encoding enc);
/* The semantic token legend: standard type names and modifier names (the
 * standard ones, then one per article kind), NULL-terminated. */
extern const char *const dl_lsp_token_types[];
extern const char *const dl_lsp_token_modifiers[];

/* One diagnostic, in bytes, with its quick fix if it has one. */
typedef struct {
    uint32_t start, end;
    int severity; /* 1 error, 2 warning, 3 information */
    const char *code;
    char *message;
    const char *fix_title; /* NULL: no quick fix */
    uint32_t fix_start, fix_end;
    const char *fix_text;
} dl_lsp_diagnostic;

typedef struct {
    dl_lsp_diagnostic *items;
    size_t count, capacity;
} dl_lsp_diagnostics;

int dl_lsp_diagnose(dl_lsp_diagnostics *out, dl_lsp_document *doc);
void dl_lsp_diagnostics_dispose(dl_lsp_diagnostics *diags);
/* The publishDiagnostics params. */
json_t *dl_lsp_diagnostics_json(const dl_lsp_document *doc, const dl_lsp_diagnostics *diags,
                                dl_lsp_encoding enc);
json_t *dl_lsp_diagnostic_json(const dl_lsp_document *doc, const dl_lsp_diagnostic *d,
                               dl_lsp_encoding enc);
json_t *dl_lsp_range_json(const dl_lsp_document *doc, uint32_t start, uint32_t end,
                          dl_lsp_encoding enc);

json_t *dl_lsp_code_actions(dl_lsp_document *doc, uint32_t start, uint32_t end,
                            dl_lsp_encoding enc);
json_t *dl_lsp_selection_ranges(const dl_lsp_document *doc, const json_t *positions,
                                dl_lsp_encoding enc);

/* What a hover is about: the block (paragraph, subhead, ...) and the
 * quotation under the cursor. Strings are malloc'd; NULL when absent. */
typedef struct {
    uint32_t block_start, block_end; /* 0, 0: not on a block */
    char *block_label;               /* "¶ 3", "headline", ... */
    char *block_text;
    uint32_t quote_start, quote_end;
    char *quote_text;
    char *speaker;
} dl_lsp_hover_context;
int dl_lsp_hover_context_at(dl_lsp_hover_context *out, dl_lsp_document *doc,
                            uint32_t offset);
void dl_lsp_hover_context_dispose(dl_lsp_hover_context *ctx);

/* ------------------------------------------------------------ worker -- */

/* The watchdog's default bound on one history job: generous, for a slow
 * disk or a large repack; only a stuck job reaches it. */
#define DL_LSP_DEFAULT_JOB_TIMEOUT_MS 10000

/* A list of canonical paths (the workspace's folders, the files opened). */
typedef struct {
    char **items;
    size_t count, capacity;
} dl_lsp_paths;

typedef struct {
    int record_on_save;
    char **exclude;
    size_t exclude_count;
    char *store;
    int no_history;
    /* A history job running longer than this is abandoned (the watchdog,
     * lsp_history.c); "jobTimeoutMs" in initializationOptions. */
    long long job_timeout_ms;
    /* Set at initialize: the position encoding, and the server's requests
     * to the client, NULL when it cannot apply edits (no
     * workspace.applyEdit, or a synchronous worker, which runs on the
     * reading thread and could never see the answer). */
    dl_lsp_encoding enc;
    dl_lsp_calls *calls;
} dl_lsp_config;

typedef struct dl_lsp_worker dl_lsp_worker;

typedef enum {
    DL_LSP_JOB_RECORD,  /* record a saved document */
    DL_LSP_JOB_COMMAND, /* workspace/executeCommand */
    DL_LSP_JOB_HOVER,   /* textDocument/hover (blame) */
    DL_LSP_JOB_QUOTES,  /* the quotation-changed check */
    DL_LSP_JOB_OPENED,  /* record a file changed outside the editor */
    DL_LSP_JOB_CLOSE,   /* forget a document's handles */
} dl_lsp_job_kind;

/* A unit of history work. Everything in it is owned by the job. */
typedef struct dl_lsp_job {
    dl_lsp_job_kind kind;
    json_t *id; /* the request to answer, or NULL */
    char *uri;
    char *text; /* the server's copy of the document, or NULL: not open */
    size_t size;
    char *command;
    json_t *arguments;
    dl_lsp_hover_context hover;
    json_t *hover_range;
    int no_history; /* a hover outside the workspace: no history read */
    int cancelled;
    /* The worker's clock when the job was queued (dl_lsp_worker_submit):
     * for a save, a touch of its document after it means the file may
     * already be the editor's next save (dl_lsp_worker_touch). */
    unsigned long long queued_at;
    struct dl_lsp_job *next;
} dl_lsp_job;

/* A finished quotation check, handed back to the reading thread. */
typedef struct dl_lsp_result {
    char *uri;
    dl_lsp_quote_warning *warnings;
    size_t warning_count;
    struct dl_lsp_result *next;
} dl_lsp_result;

/* `wake_fd` >= 0: written to when a result is ready. */
int dl_lsp_worker_new(dl_lsp_worker **out, dl_lsp_writer *writer, const dl_lsp_config *config,
                      int synchronous);
void dl_lsp_worker_set_wake_fd(dl_lsp_worker *worker, int wake_fd);
/* Queue (steals) a job; synchronous workers run it at once. */
void dl_lsp_worker_submit(dl_lsp_worker *worker, dl_lsp_job *job);
/* The document `uri` changed (didChange) or a save of it began (willSave):
 * from now on its file may be rewritten by the editor. A save queued
 * before this whose file no longer holds its text records that text, not
 * the file (lsp_history.c, run_record). Called by the reading thread. */
void dl_lsp_worker_touch(dl_lsp_worker *worker, const char *uri);
/* Cancel a queued request: answered with RequestCancelled. 1 if found. */
int dl_lsp_worker_cancel(dl_lsp_worker *worker, const json_t *id);
/* Take the finished results (a list, oldest first). */
dl_lsp_result *dl_lsp_worker_results(dl_lsp_worker *worker);
void dl_lsp_result_free(dl_lsp_result *result);
void dl_lsp_worker_drain(dl_lsp_worker *worker);
/* Finish the queue and stop. NULL-safe. 1 when an abandoned job's thread
 * still runs: the worker (and what it points to: the writer, the config)
 * must then stay allocated until the process exits. */
int dl_lsp_worker_free(dl_lsp_worker *worker);

dl_lsp_job *dl_lsp_job_new(dl_lsp_job_kind kind, const char *uri);
void dl_lsp_job_free(dl_lsp_job *job);

void dl_lsp_quote_warnings_free(dl_lsp_quote_warning *warnings, size_t count);

#endif
