/*
 * dateline — `dateline serve`: a local, read-only web view of every
 * article's history in one store, on libmicrohttpd.
 *
 * Routes (docs/web.md):
 *   GET /                       the index: every article, its latest change,
 *                               summary, note and number of versions
 *   GET /article/<path>         an article's history page: its newest
 *                               200 versions, or ?from=REV&to=REV
 *   GET /article/<path>/diff?a=&b=   what that page fetches for a pair of
 *                               versions it does not hold (= /api/diff)
 *   GET /api/articles           dl_ops_articles_json
 *   GET /api/log?path=          = dateline log --json
 *   GET /api/show?path=&rev=    = dateline show --json (rev: "@")
 *   GET /api/diff?path=&a=&b=   = dateline diff A B --json
 *   GET /api/blame?path=        = dateline blame --json of the latest version
 *   GET /assets/<name>          the pages' style sheets and scripts
 *
 * Everything is answered from the store's refs and objects: an article is
 * named by its key and exists when its ref does (dl_ops_article_open); the
 * file system is never read for a visitor. Only GET and HEAD are served;
 * nothing writes to the store.
 *
 * Internal to the front ends (plugin/src), not a public header.
 */
#ifndef DATELINE_WEB_SERVE_H
#define DATELINE_WEB_SERVE_H

#include <stddef.h>

#include "dateline/history.h"

typedef struct {
    unsigned int version;
    /** A numeric IPv4 or IPv6 address to listen on. NULL: "127.0.0.1". */
    const char *host;
    /** The TCP port; 0: any free one (dl_web_serve_port says which). */
    unsigned int port;
    /** Worker threads, each with its own handle on the store. 0: 4. */
    unsigned int threads;
    /** The store, as dl_history_store_open takes it. */
    const char *path;                     /**< a file or folder in it; NULL: "." */
    const dl_history_store_options *store; /**< NULL: defaults */
} dl_web_serve_options;

#define DL_WEB_SERVE_OPTIONS_VERSION 1
#define DL_WEB_SERVE_OPTIONS_INIT {DL_WEB_SERVE_OPTIONS_VERSION, NULL, 0, 0, NULL, NULL}

typedef struct dl_web_server dl_web_server;

/** Open the store and start answering requests on worker threads. Errors:
 *  the store's, or DL_EINVALID for a host that is not a numeric address,
 *  DL_ERROR when the address cannot be bound (in use, not ours). */
int dl_web_serve_start(dl_web_server **out, const dl_web_serve_options *opts);

/** The port the server listens on. */
unsigned int dl_web_serve_port(const dl_web_server *server);

/** The address it listens on, as given (for the start message). */
const char *dl_web_serve_host(const dl_web_server *server);

/** The store's git directory (for the start message). */
const char *dl_web_serve_store(const dl_web_server *server);

/** How many articles the store holds now (for the start message). */
int dl_web_serve_count(size_t *out, dl_web_server *server);

/** Stop: requests in flight are finished, then the store is closed.
 *  NULL-safe. */
void dl_web_serve_stop(dl_web_server *server);

#endif
