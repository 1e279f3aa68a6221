/*
 * An in-process client for the language server suites: a server whose
 * output is parsed back into JSON messages, and helpers to send requests
 * and notifications the way an editor would.
 */
#ifndef DL_TEST_LSP_CLIENT_H
#define DL_TEST_LSP_CLIENT_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/lsp.h"

typedef struct {
    dl_lsp_server *server;
    dl_lsp_reader *reader; /* the server's output, unframed */
    json_t *received;      /* every message the server sent, in order */
    int next_id;
} test_client;

static inline int test_client_write(void *payload, const struct iovec *pieces, int count)
{
    test_client *c = payload;
    for (int i = 0; i < count; i++)
        dl_lsp_reader_feed(c->reader, pieces[i].iov_base, pieces[i].iov_len);
    const char *body;
    size_t length;
    while (dl_lsp_reader_next(c->reader, &body, &length) == 1) {
        json_t *message = json_loadb(body, length, 0, NULL);
        cr_assert(message != NULL, "the server sent invalid JSON: %.*s", (int)length, body);
        json_array_append_new(c->received, message);
    }
    return 0;
}

static inline void test_client_start(test_client *c, int no_history)
{
    memset(c, 0, sizeof(*c));
    dl_lsp_options options = DL_LSP_OPTIONS_INIT;
    options.synchronous = 1;
    options.no_history = no_history;
    c->received = json_array();
    dl_assert_ok(dl_lsp_reader_new(&c->reader));
    dl_assert_ok(dl_lsp_server_new(&c->server, test_client_write, c, &options));
}

static inline void test_client_stop(test_client *c)
{
    dl_lsp_server_free(c->server);
    dl_lsp_reader_free(c->reader);
    json_decref(c->received);
}

/* Send a message (stolen) framed like a client would. */
static inline void test_client_send(test_client *c, json_t *message)
{
    char *body = json_dumps(message, JSON_COMPACT);
    char header[64];
    int n = snprintf(header, sizeof(header), "Content-Length: %zu\r\n\r\n", strlen(body));
    dl_lsp_server_feed(c->server, header, (size_t)n);
    dl_lsp_server_feed(c->server, body, strlen(body));
    free(body);
    json_decref(message);
}

static inline void test_client_notify(test_client *c, const char *method, json_t *params)
{
    test_client_send(c, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params",
                                  params ? params : json_object()));
}

/* The response to request `id` among the received messages (borrowed), or NULL. */
static inline json_t *test_client_response(test_client *c, int id)
{
    size_t i;
    json_t *m;
    json_array_foreach(c->received, i, m) {
        json_t *mid = json_object_get(m, "id");
        if (json_is_integer(mid) && json_integer_value(mid) == id && !json_object_get(m, "method"))
            return m;
    }
    return NULL;
}

/* Send a request and return its response (borrowed from c->received). */
static inline json_t *test_client_request(test_client *c, const char *method, json_t *params)
{
    int id = ++c->next_id;
    test_client_send(c, json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method",
                                  method, "params", params ? params : json_object()));
    dl_lsp_server_drain(c->server);
    json_t *response = test_client_response(c, id);
    cr_assert(response != NULL, "no response to %s", method);
    return response;
}

/* The last notification `method` received (borrowed), or NULL. */
static inline json_t *test_client_last(test_client *c, const char *method)
{
    json_t *found = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(c->received, i, m) {
        const char *name = json_string_value(json_object_get(m, "method"));
        if (name && strcmp(name, method) == 0)
            found = m;
    }
    return found;
}

/* How many window/logMessage lines received start with `prefix` and hold
 * `also` (NULL: anything). */
static inline int test_client_logged(test_client *c, const char *prefix, const char *also)
{
    int count = 0;
    size_t i;
    json_t *m;
    json_array_foreach(c->received, i, m) {
        const char *method = json_string_value(json_object_get(m, "method"));
        const char *message =
            json_string_value(json_object_get(json_object_get(m, "params"), "message"));
        if (method && strcmp(method, "window/logMessage") == 0 && message &&
            strncmp(message, prefix, strlen(prefix)) == 0 && (!also || strstr(message, also)))
            count++;
    }
    return count;
}

static inline void test_client_initialize(test_client *c, json_t *init_options)
{
    json_t *params = json_pack("{s:{}}", "capabilities");
    if (init_options)
        json_object_set_new(params, "initializationOptions", init_options);
    json_t *r = test_client_request(c, "initialize", params);
    cr_assert(json_object_get(r, "result") != NULL);
    test_client_notify(c, "initialized", NULL);
}

static inline void test_client_open(test_client *c, const char *uri, const char *text)
{
    test_client_notify(c, "textDocument/didOpen",
                       json_pack("{s:{s:s, s:s, s:i, s:s}}", "textDocument", "uri", uri,
                                 "languageId", "article", "version", 1, "text", text));
}

static inline char *test_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    cr_assert(fread(data, 1, (size_t)n, f) == (size_t)n);
    data[n] = '\0';
    fclose(f);
    if (size)
        *size = (size_t)n;
    return data;
}

#endif
