/*
 * dateline — a Language Server Protocol server (`dateline lsp`).
 *
 * JSON-RPC 2.0 over a byte stream with Content-Length framing (LSP 3.17).
 * One server is started per editor session: it keeps a tree-sitter tree of
 * every open article, re-parsed incrementally on each edit, and answers
 * symbols, diagnostics, folding, selection ranges, semantic tokens, code
 * actions and hover from it. History work (recording on save, the
 * `dateline.*` commands, blame for hover, the "quotation changed" check)
 * runs on one worker thread, so a repack never blocks typing. See
 * docs/editors.md for the capabilities, options and command contract.
 *
 * The server is a library object so that tests and the fuzzer drive it in
 * process: bytes go in through dl_lsp_server_feed, messages come out
 * through a write callback.
 */
#ifndef DATELINE_LSP_H
#define DATELINE_LSP_H

#include <stddef.h>
#include <sys/uio.h>

/* --------------------------------------------------------------- reader -- */

/**
 * Splits a client's byte stream into message bodies. Headers are lines up
 * to an empty line; the last "Content-Length: N" among them counts, other
 * headers are ignored. A header block without a usable length is skipped
 * (reported once, so the server can answer ParseError) and reading
 * resynchronises on the next header block.
 */
typedef struct dl_lsp_reader dl_lsp_reader;

/** Largest message body accepted (bigger lengths are header errors). */
#define DL_LSP_MAX_MESSAGE (256u * 1024 * 1024)

int dl_lsp_reader_new(dl_lsp_reader **out);
void dl_lsp_reader_free(dl_lsp_reader *reader);

/** Append bytes read from the client. */
int dl_lsp_reader_feed(dl_lsp_reader *reader, const char *data, size_t size);

/**
 * The next complete message: 1 with `*body` / `*size` pointing into the
 * reader (valid until the next call), 0 when more bytes are needed,
 * DL_EINVALID when a malformed header block was skipped (call again).
 */
int dl_lsp_reader_next(dl_lsp_reader *reader, const char **body, size_t *size);

/* --------------------------------------------------------------- server -- */

typedef struct dl_lsp_server dl_lsp_server;

/** Receives every framed message the server sends: its header and body as
 *  `count` pieces, to be written in order (a result of megabytes is not
 *  copied into one buffer first). Called from the reading thread and the
 *  worker; calls are serialised. 0, or -1 when the client is gone. */
typedef int (*dl_lsp_write_fn)(void *payload, const struct iovec *pieces, int count);

typedef struct {
    unsigned int version;
    /** Run history work inline instead of on a worker thread (tests). */
    int synchronous;
    /** Refuse all history work (the fuzzer: no files, no git). */
    int no_history;
    /** Milliseconds between the last edit and publishing diagnostics when
     *  the server is driven by dl_lsp_run. 0: DL_LSP_DEFAULT_DEBOUNCE_MS. */
    int debounce_ms;
} dl_lsp_options;

#define DL_LSP_DEFAULT_DEBOUNCE_MS 40
#define DL_LSP_OPTIONS_VERSION 1
#define DL_LSP_OPTIONS_INIT {DL_LSP_OPTIONS_VERSION, 0, 0, 0}

/** A server writing through `write`. `opts` may be NULL. */
int dl_lsp_server_new(dl_lsp_server **out, dl_lsp_write_fn write, void *payload,
                      const dl_lsp_options *opts);

/** Feed client bytes: every complete message in them is handled. */
int dl_lsp_server_feed(dl_lsp_server *server, const char *data, size_t size);

/** Handle one message body (already unframed). */
void dl_lsp_server_handle(dl_lsp_server *server, const char *body, size_t size);

/**
 * Publish the diagnostics of documents edited since their last publication
 * and apply the worker's finished results. dl_lsp_run calls it when the
 * client pauses; in-process drivers call it when they like.
 */
void dl_lsp_server_idle(dl_lsp_server *server);

/** Wait until the worker has nothing queued or running (tests). */
void dl_lsp_server_drain(dl_lsp_server *server);

/** Nonzero once the client sent `exit`. */
int dl_lsp_server_exited(const dl_lsp_server *server);

/** The process exit status the protocol asks for: 0 after shutdown, else 1. */
int dl_lsp_server_exit_code(const dl_lsp_server *server);

/** Stop the worker (finishing its queue) and free everything. NULL-safe. */
void dl_lsp_server_free(dl_lsp_server *server);

/**
 * Serve the client on `in_fd` / `out_fd` until `exit` or end of input.
 * Returns the exit status.
 */
int dl_lsp_run(int in_fd, int out_fd, const dl_lsp_options *opts);

#endif
