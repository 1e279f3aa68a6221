/*
 * dateline — `dateline serve` on libmicrohttpd (see web_serve.h).
 *
 * libmicrohttpd parses HTTP; this file routes, and renders what the core's
 * operations return. Threads: libmicrohttpd's pool of worker threads, each
 * request answered on one of them. A store handle serialises every call
 * made through it, so one shared handle would answer one request at a time;
 * instead the server keeps one handle per worker in a small pool, and a
 * request borrows one for as long as it runs.
 *
 * Paths: libmicrohttpd is told not to decode URLs (the identity unescape
 * callback), so that "%2F" inside a segment can be told from "/" and
 * refused; segments and query values are decoded here.
 */
#include "web_serve.h"

#include <arpa/inet.h>
#include <git2.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dateline/error.h"
#include "dateline/json.h"
#include "dateline/ops.h"
#include "dateline/text.h"
#include "web.h"

/* Longest path or query value answered; longer is a 414. Article keys are
 * file paths (PATH_MAX 4096), percent-encoded at most three bytes a byte. */
#define MAX_URL_LENGTH (3 * 4096 + 64)

#define DEFAULT_THREADS 4

/* A history page shows at most this many versions: the newest, or the
 * newest of the range asked for (?from=REV&to=REV), so that the page, which
 * embeds the comparison of every pair of neighbouring versions it shows (a
 * few milliseconds each), arrives within a second however long the history. */
#define PAGE_VERSIONS 200

/* No external anything: every page loads only what this server sends.
 * The history page is one self-contained document (the same one
 * `dateline report` writes), with its style and script inline. */
#define CSP_PAGE                                                                                 \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "           \
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#define CSP_INLINE                                                                               \
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "               \
    "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "                  \
    "frame-ancestors 'none'"

/* The index's assets (plugin/web/index.*), embedded by the build as
 * web_assets.h describes. */
extern const unsigned char dl_web_asset_index_css[];
extern const size_t dl_web_asset_index_css_size;
extern const unsigned char dl_web_asset_index_js[];
extern const size_t dl_web_asset_index_js_size;

static const struct {
    const char *name, *type;
    const unsigned char *data;
    const size_t *size;
} assets[] = {
    {"index.css", "text/css; charset=utf-8", dl_web_asset_index_css, &dl_web_asset_index_css_size},
    {"index.js", "text/javascript; charset=utf-8", dl_web_asset_index_js,
     &dl_web_asset_index_js_size},
};

struct dl_web_server {
    struct MHD_Daemon *daemon;
    char *host;
    unsigned int port;
    /* One store handle per worker thread; `idle` holds those not lent out. */
    pthread_mutex_t lock;
    pthread_cond_t returned;
    dl_history_store **stores, **idle;
    size_t store_count, idle_count;
};

/* ------------------------------------------------------------- stores -- */

static dl_history_store *borrow_store(dl_web_server *server)
{
    pthread_mutex_lock(&server->lock);
    while (server->idle_count == 0)
        pthread_cond_wait(&server->returned, &server->lock);
    dl_history_store *store = server->idle[--server->idle_count];
    pthread_mutex_unlock(&server->lock);
    return store;
}

static void return_store(dl_web_server *server, dl_history_store *store)
{
    pthread_mutex_lock(&server->lock);
    server->idle[server->idle_count++] = store;
    pthread_cond_signal(&server->returned);
    pthread_mutex_unlock(&server->lock);
}

/* ---------------------------------------------------------- responses -- */

/* A page or document being answered: status, type, body. */
typedef struct {
    unsigned int status;
    const char *type;
    const char *csp;
    char *body; /* owned (malloc) unless `fixed` */
    size_t size;
    const unsigned char *fixed; /* an embedded asset, not freed */
} reply;

static enum MHD_Result send_reply(struct MHD_Connection *connection, reply *r)
{
    struct MHD_Response *response =
        r->fixed ? MHD_create_response_from_buffer(r->size, (void *)r->fixed,
                                                   MHD_RESPMEM_PERSISTENT)
                 : MHD_create_response_from_buffer(r->size, r->body, MHD_RESPMEM_MUST_FREE);
    if (response == NULL) {
        free(r->body);
        return MHD_NO;
    }
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
    MHD_add_response_header(response, "Content-Security-Policy", r->csp ? r->csp : CSP_PAGE);
    MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
    /* History moves on while the page is open: always ask again. */
    MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result queued = MHD_queue_response(connection, r->status, response);
    MHD_destroy_response(response);
    return queued;
}

/* Untrusted text (a key, a note, an author's name, a message) as HTML:
 * control characters neutralised by the core's one rule (dl_text_put, on
 * one line), then every character with a meaning in HTML escaped. */
static void put_html(FILE *out, const char *text)
{
    char *plain = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&plain, &size);
    if (memory == NULL)
        return;
    dl_text_put(memory, text, strlen(text), DL_TEXT_ONE_LINE);
    if (fclose(memory) != 0) {
        free(plain);
        return;
    }
    for (size_t i = 0; i < size; i++) {
        switch (plain[i]) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(plain[i], out);
        }
    }
    free(plain);
}

/* A key as a URL path: each segment percent-encoded but for unreserved
 * characters, '/' kept between them. */
static void put_path_url(FILE *out, const char *key)
{
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p) != NULL)
            fputc(*p, out);
        else
            fprintf(out, "%%%02X", *p);
    }
}

static int finish_memory(reply *r, FILE *memory, char **body, size_t *size)
{
    if (fclose(memory) != 0) {
        free(*body);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    r->body = *body;
    r->size = *size;
    return 0;
}

static void page_head(FILE *out, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<link rel=\"stylesheet\" href=\"/assets/index.css\"><title>",
          out);
    put_html(out, title);
    fputs("</title></head><body>", out);
}

/* An error as a small HTML page: what went wrong and the way back. */
static void error_page(reply *r, unsigned int status, const char *title, const char *message)
{
    char *body = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&body, &size);
    r->status = status;
    r->type = "text/html; charset=utf-8";
    r->csp = NULL;
    if (out == NULL) {
        r->body = NULL;
        r->size = 0;
        return;
    }
    page_head(out, title);
    fputs("<main><h1>", out);
    put_html(out, title);
    fputs("</h1><p>", out);
    put_html(out, message);
    fputs("</p><p><a href=\"/\">All articles</a></p></main></body></html>\n", out);
    if (finish_memory(r, out, &body, &size) < 0) {
        r->body = NULL;
        r->size = 0;
    }
}

/* A JSON document; takes `doc`. */
static void json_reply(reply *r, json_t *doc)
{
    r->status = MHD_HTTP_OK;
    r->type = "application/json";
    r->csp = NULL;
    r->body = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    r->size = r->body ? strlen(r->body) : 0;
    json_decref(doc);
    if (r->body == NULL)
        error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Server error", "out of memory");
}

/* A failed operation: its message, with the status its code means. JSON
 * routes answer {"error": message}, so that scripts read one format. */
static void fail(reply *r, int error, int as_json)
{
    unsigned int status = error == DL_ENOTFOUND  ? MHD_HTTP_NOT_FOUND
                          : error == DL_EINVALID ? MHD_HTTP_BAD_REQUEST
                                                 : MHD_HTTP_INTERNAL_SERVER_ERROR;
    const char *title = status == MHD_HTTP_NOT_FOUND     ? "Not found"
                        : status == MHD_HTTP_BAD_REQUEST ? "Bad request"
                                                         : "Server error";
    if (!as_json) {
        error_page(r, status, title, dl_error_last());
        return;
    }
    json_t *doc = json_pack("{s:i, s:s}", "schema", DL_JSON_SCHEMA, "error", dl_error_last());
    json_reply(r, doc);
    if (r->status == MHD_HTTP_OK)
        r->status = status;
}

/* ---------------------------------------------------------- decoding -- */

/* The key a path after "/article/" names: its segments decoded and joined
 * by '/'. A segment may not be empty (but for a leading one, which is an
 * absolute key's '/'), ".", "..", or hold an encoded '/': each would let
 * two addresses name one article, or one name a file elsewhere. */
static int key_of_path(char **out, const char *path)
{
    size_t n = strlen(path);
    char *key = malloc(n + 1);
    if (key == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    size_t used = 0;
    const char *segment = path;
    for (;;) {
        size_t length = strcspn(segment, "/");
        char *decoded = NULL;
        int error = dl_text_percent_decode(&decoded, segment, length);
        if (error == 0 && ((decoded[0] == '\0' && segment != path) ||
                           strcmp(decoded, ".") == 0 || strcmp(decoded, "..") == 0 ||
                           strchr(decoded, '/') != NULL))
            error = dl_error_set(DL_ENOTFOUND, "no article has this address");
        if (error < 0) {
            free(decoded);
            free(key);
            return error;
        }
        size_t dl = strlen(decoded);
        memcpy(key + used, decoded, dl); /* decoding never lengthens */
        used += dl;
        free(decoded);
        if (segment[length] == '\0')
            break;
        key[used++] = '/';
        segment += length + 1;
    }
    key[used] = '\0';
    *out = key;
    return 0;
}

/* Query argument `name`, decoded; NULL in *out when absent. */
static int query_value(char **out, struct MHD_Connection *connection, const char *name)
{
    const char *raw = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, name);
    *out = NULL;
    if (raw == NULL)
        return 0;
    if (strlen(raw) > MAX_URL_LENGTH)
        return dl_error_set(DL_EINVALID, "the %s given is too long", name);
    return dl_text_percent_decode(out, raw, strlen(raw));
}

/* libmicrohttpd's unescape callback: leave the text as sent (see the top). */
static size_t keep_escaped(void *cls, struct MHD_Connection *connection, char *s)
{
    (void)cls;
    (void)connection;
    return strlen(s);
}

/* --------------------------------------------------------------- index -- */

/* What the index and /api/articles show of each article. */
static int list_articles(dl_ops_articles_result **out, dl_history_store *store)
{
    dl_ops_articles_options options = DL_OPS_ARTICLES_OPTIONS_INIT;
    options.latest = 1;
    options.versions = 1;
    return dl_ops_articles(out, store, &options);
}

static int index_page(reply *r, dl_history_store *store)
{
    dl_ops_articles_result *list = NULL;
    int error = list_articles(&list, store);
    if (error < 0)
        return error;
    char *body = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&body, &size);
    if (out == NULL) {
        dl_ops_articles_free(list);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    page_head(out, "Articles — dateline");
    fputs("<header><h1>Articles</h1><p>", out);
    dl_text_put_count(out, list->count);
    fputs(list->count == 1 ? " article" : " articles", out);
    fputs(" with history in <code>", out);
    put_html(out, dl_history_store_path(store));
    fputs("</code> · read-only</p>"
          "<p class=\"filter\" hidden><label for=\"filter\">Filter</label> "
          "<input id=\"filter\" type=\"search\" autocomplete=\"off\" "
          "aria-controls=\"articles\"> <output id=\"shown\" for=\"filter\"></output></p>"
          "</header><main><table id=\"articles\"><caption>Every article with recorded "
          "versions, newest change first</caption><thead><tr>"
          "<th scope=\"col\" data-sort=\"text\">Article</th>"
          "<th scope=\"col\" data-sort=\"number\" aria-sort=\"descending\">Latest change</th>"
          "<th scope=\"col\" data-sort=\"text\">Summary</th>"
          "<th scope=\"col\" data-sort=\"text\">Note</th>"
          "<th scope=\"col\" data-sort=\"number\">Versions</th>"
          "</tr></thead><tbody>\n",
          out);

    /* The listing's order, newest change first: the order a desk reads in. */
    for (size_t n = 0; n < list->count; n++) {
        const dl_ops_article *article = &list->articles[n];
        const char *key = dl_history_key(article->history);
        fputs("<tr><td><a href=\"/article/", out);
        put_path_url(out, key);
        fputs("\">", out);
        put_html(out, key);
        fputs("</a></td>", out);
        if (article->latest->count > 0) {
            const dl_history_version *v = &article->latest->versions[0];
            char when[40];
            dl_history_format_time(when, sizeof(when), v->time, v->offset);
            fprintf(out, "<td data-value=\"%lld\"><time datetime=\"%s\">%.10s %.5s</time></td><td>",
                    v->time, when, when, when + 11);
            put_html(out, v->change.summary ? v->change.summary : "");
            fputs("</td><td>", out);
            put_html(out, v->note ? v->note : "");
            fputs("</td>", out);
        } else
            fputs("<td data-value=\"0\"></td><td></td><td></td>", out);
        fprintf(out, "<td data-value=\"%zu\">%zu</td></tr>\n", article->versions, article->versions);
    }
    fputs("</tbody></table></main><script src=\"/assets/index.js\"></script></body></html>\n",
          out);
    dl_ops_articles_free(list);
    r->status = MHD_HTTP_OK;
    r->type = "text/html; charset=utf-8";
    r->csp = NULL;
    return finish_memory(r, out, &body, &size);
}

/* ---------------------------------------------------------------- api -- */

typedef enum { API_ARTICLES, API_LOG, API_SHOW, API_DIFF, API_BLAME } api_route;

/* The JSON of one operation, as `dateline <op> --json` prints it. */
static int api_document(json_t **out, dl_history_store *store, api_route route,
                        struct MHD_Connection *connection, const char *key)
{
    char *path = NULL, *a = NULL, *b = NULL;
    dl_history *history = NULL;
    int error = 0;

    if (route == API_ARTICLES) {
        dl_ops_articles_result *list = NULL;
        if ((error = list_articles(&list, store)) == 0)
            error = dl_ops_articles_json(out, store, list);
        dl_ops_articles_free(list);
        return error;
    }
    if (key == NULL && (error = query_value(&path, connection, "path")) < 0)
        goto done;
    if (key == NULL && path == NULL) {
        error = dl_error_set(DL_EINVALID, "which article? add ?path=KEY");
        goto done;
    }
    if ((error = dl_ops_article_open(&history, store, key ? key : path)) < 0)
        goto done;

    switch (route) {
    case API_LOG: {
        dl_history_log *log = NULL;
        if ((error = dl_ops_log(&log, history, NULL)) == 0)
            error = dl_ops_log_json(out, history, log);
        dl_history_log_free(log);
        break;
    }
    case API_SHOW: {
        dl_ops_show_options options = DL_OPS_SHOW_OPTIONS_INIT;
        dl_ops_show_result shown = {0};
        if ((error = query_value(&a, connection, "rev")) < 0)
            break;
        options.rev = a;
        if ((error = dl_ops_show(&shown, history, &options)) == 0)
            error = dl_ops_show_json(out, &shown);
        dl_ops_show_result_dispose(&shown);
        break;
    }
    case API_DIFF: {
        dl_ops_diff_options options = DL_OPS_DIFF_OPTIONS_INIT;
        dl_ops_diff_result diff = {0};
        if ((error = query_value(&a, connection, "a")) < 0 ||
            (error = query_value(&b, connection, "b")) < 0)
            break;
        /* Without both, the CLI would read the article's file: not here. */
        if (a == NULL || b == NULL) {
            error = dl_error_set(DL_EINVALID, "a diff needs two versions: ?a=REV&b=REV");
            break;
        }
        options.old_rev = a;
        options.new_rev = b;
        if ((error = dl_ops_diff(&diff, history, &options)) == 0)
            error = dl_ops_diff_json(out, history, &diff);
        dl_ops_diff_result_dispose(&diff);
        break;
    }
    case API_BLAME: {
        /* The latest version stands for the file, which is not read here. */
        dl_ops_show_result latest = {0};
        dl_ops_blame_options options = DL_OPS_BLAME_OPTIONS_INIT;
        dl_blame *blame = NULL;
        if ((error = dl_ops_show(&latest, history, NULL)) == 0) {
            options.content = latest.content;
            options.content_size = latest.size;
            if ((error = dl_ops_blame(&blame, history, &options)) == 0)
                error = dl_ops_blame_json(out, history, blame);
        }
        dl_blame_free(blame);
        dl_ops_show_result_dispose(&latest);
        break;
    }
    case API_ARTICLES:
        break;
    }

done:
    dl_history_free(history);
    free(b);
    free(a);
    free(path);
    return error;
}

static void api_reply(reply *r, dl_history_store *store, api_route route,
                      struct MHD_Connection *connection, const char *key)
{
    json_t *doc = NULL;
    int error = api_document(&doc, store, route, connection, key);
    if (error < 0)
        fail(r, error, 1);
    else
        json_reply(r, doc);
}

/* ---------------------------------------------------------- articles -- */

/* The history page of an article, whose comparisons not embedded in it
 * it asks of <its address>/diff. */
static int history_page(reply *r, dl_history *history, struct MHD_Connection *connection)
{
    char *base = NULL, *from = NULL, *to = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&base, &size);
    if (out == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    fputs("/article/", out);
    /* Rebuilt from the key, not copied from the request: only unreserved
     * characters and escapes reach the page. */
    put_path_url(out, dl_history_key(history));
    if (fclose(out) != 0) {
        free(base);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    dl_web_report_options options = DL_WEB_REPORT_OPTIONS_INIT;
    options.api_base = base;
    int error = query_value(&from, connection, "from");
    if (error == 0)
        error = query_value(&to, connection, "to");
    options.from = from;
    options.to = to;
    options.max_versions = PAGE_VERSIONS;
    if (error == 0)
        error = dl_web_report_render(&r->body, &r->size, history, &options);
    free(to);
    free(from);
    free(base);
    if (error == 0) {
        r->status = MHD_HTTP_OK;
        r->type = "text/html; charset=utf-8";
        r->csp = CSP_INLINE;
    }
    return error;
}

/* <path>/diff?a=&b=: a comparison the history page asks for. */
static int compare_reply(reply *r, dl_history *history, struct MHD_Connection *connection)
{
    char *a = NULL, *b = NULL;
    json_t *doc = NULL;
    int error = query_value(&a, connection, "a");
    if (error == 0)
        error = query_value(&b, connection, "b");
    if (error == 0)
        error = dl_web_compare_json(&doc, history, a, b);
    if (error == 0)
        json_reply(r, doc);
    free(b);
    free(a);
    return error;
}

/* /article/<path>: the history page; /article/<path>/diff?a=&b=: a
 * comparison for it (an article named "diff" in a folder that is itself an
 * article is still reached without the query). */
static void article_reply(reply *r, dl_history_store *store, struct MHD_Connection *connection,
                          const char *path)
{
    char *key = NULL;
    dl_history *history = NULL;
    int error = key_of_path(&key, path);
    if (error < 0) {
        fail(r, error, 0);
        return;
    }
    size_t n = strlen(key);
    int compare = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "a") != NULL &&
                  MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, "b") != NULL &&
                  n > 5 && strcmp(key + n - 5, "/diff") == 0;
    if (compare)
        key[n - 5] = '\0';
    if ((error = dl_ops_article_open(&history, store, key)) == 0)
        error = compare ? compare_reply(r, history, connection)
                        : history_page(r, history, connection);
    if (error < 0)
        fail(r, error, compare);
    dl_history_free(history);
    free(key);
}

/* ------------------------------------------------------------- routing -- */

static void route(reply *r, dl_web_server *server, struct MHD_Connection *connection,
                  const char *url)
{
    static const struct {
        const char *path;
        api_route route;
    } apis[] = {{"/api/articles", API_ARTICLES}, {"/api/log", API_LOG},   {"/api/show", API_SHOW},
                {"/api/diff", API_DIFF},         {"/api/blame", API_BLAME}};

    if (strlen(url) > MAX_URL_LENGTH) {
        error_page(r, MHD_HTTP_URI_TOO_LONG, "Address too long", "no article has an address this long");
        return;
    }
    if (strcmp(url, "/favicon.ico") == 0) {
        /* Browsers ask for it on every page: "none", rather than a 404
         * that lands in the console as an error. */
        r->status = MHD_HTTP_NO_CONTENT;
        r->type = "image/x-icon";
        r->fixed = (const unsigned char *)"";
        return;
    }
    if (strncmp(url, "/assets/", 8) == 0) {
        for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
            if (strcmp(url + 8, assets[i].name) == 0) {
                r->status = MHD_HTTP_OK;
                r->type = assets[i].type;
                r->csp = NULL;
                r->fixed = assets[i].data;
                r->size = *assets[i].size;
                return;
            }
        }
        error_page(r, MHD_HTTP_NOT_FOUND, "Not found", "no such file among the pages' assets");
        return;
    }

    dl_history_store *store = borrow_store(server);
    dl_error_clear();
    int error = 0;
    if (strcmp(url, "/") == 0) {
        if ((error = index_page(r, store)) < 0)
            fail(r, error, 0);
    } else if (strncmp(url, "/article/", 9) == 0 && url[9] != '\0') {
        article_reply(r, store, connection, url + 9);
    } else {
        size_t i = 0;
        while (i < sizeof(apis) / sizeof(apis[0]) && strcmp(url, apis[i].path) != 0)
            i++;
        if (i < sizeof(apis) / sizeof(apis[0]))
            api_reply(r, store, apis[i].route, connection, NULL);
        else
            error_page(r, MHD_HTTP_NOT_FOUND, "Not found", "nothing is served at this address");
    }
    return_store(server, store);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **request)
{
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)request;
    dl_web_server *server = cls;
    reply r = {0};
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        error_page(&r, MHD_HTTP_METHOD_NOT_ALLOWED, "Read-only",
                   "this server only reads history: GET and HEAD");
    else
        route(&r, server, connection, url);
    return send_reply(connection, &r);
}

/* ------------------------------------------------------------ lifetime -- */

int dl_web_serve_start(dl_web_server **out, const dl_web_serve_options *opts)
{
    static const dl_web_serve_options defaults = DL_WEB_SERVE_OPTIONS_INIT;
    if (opts == NULL)
        opts = &defaults;
    const char *host = opts->host ? opts->host : "127.0.0.1";
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    struct sockaddr *address;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    memset(&v4, 0, sizeof(v4));
    memset(&v6, 0, sizeof(v6));
    if (inet_pton(AF_INET, host, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons((unsigned short)opts->port);
        address = (struct sockaddr *)&v4;
    } else if (inet_pton(AF_INET6, host, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons((unsigned short)opts->port);
        address = (struct sockaddr *)&v6;
        flags |= MHD_USE_IPv6;
    } else
        return dl_error_set(DL_EINVALID, "'%s' is not a numeric IP address", host);
    if (opts->port > 65535)
        return dl_error_set(DL_EINVALID, "%u is not a TCP port", opts->port);

    dl_web_server *server = calloc(1, sizeof(*server));
    if (server == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    pthread_mutex_init(&server->lock, NULL);
    pthread_cond_init(&server->returned, NULL);
    int error = 0;
    size_t threads = opts->threads ? opts->threads : DEFAULT_THREADS;
    server->stores = calloc(threads, sizeof(*server->stores));
    server->idle = calloc(threads, sizeof(*server->idle));
    server->host = malloc(strlen(host) + 1);
    if (server->stores == NULL || server->idle == NULL || server->host == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    strcpy(server->host, host);
    for (; server->store_count < threads; server->store_count++) {
        dl_history_store **store = &server->stores[server->store_count];
        if ((error = dl_history_store_open(store, opts->path ? opts->path : ".", opts->store)) < 0)
            goto done;
        server->idle[server->idle_count++] = *store;
    }

    /* Every article's log reads the store's notes tree, which in a store
     * of many annotated articles outgrows the trees libgit2 caches by
     * default (4 KB): the index would inflate it once per article. Keep
     * trees up to 4 MiB (some 60,000 notes) cached; the setting is the
     * process's, and the server is the process. */
    git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)4 << 20);

    server->daemon = MHD_start_daemon(
        flags, (unsigned short)opts->port, NULL, NULL, answer, server, MHD_OPTION_SOCK_ADDR,
        address, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)30, MHD_OPTION_END);
    if (server->daemon == NULL) {
        error = dl_error_set(DL_ERROR, "cannot listen on %s port %u (in use, or not this machine's)",
                             host, opts->port);
        goto done;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    server->port = info ? info->port : opts->port;
    *out = server;
    server = NULL;

done:
    dl_web_serve_stop(server);
    return error;
}

unsigned int dl_web_serve_port(const dl_web_server *server)
{
    return server->port;
}

const char *dl_web_serve_host(const dl_web_server *server)
{
    return server->host;
}

const char *dl_web_serve_store(const dl_web_server *server)
{
    return dl_history_store_path(server->stores[0]);
}

int dl_web_serve_count(size_t *out, dl_web_server *server)
{
    dl_history_store *store = borrow_store(server);
    dl_ops_articles_result *list = NULL;
    int error = dl_ops_articles(&list, store, NULL);
    if (error == 0)
        *out = list->count;
    dl_ops_articles_free(list);
    return_store(server, store);
    return error;
}

void dl_web_serve_stop(dl_web_server *server)
{
    if (server == NULL)
        return;
    if (server->daemon != NULL)
        MHD_stop_daemon(server->daemon);
    for (size_t i = 0; i < server->store_count; i++)
        dl_history_store_free(server->stores[i]);
    free(server->stores);
    free(server->idle);
    free(server->host);
    pthread_cond_destroy(&server->returned);
    pthread_mutex_destroy(&server->lock);
    free(server);
}
