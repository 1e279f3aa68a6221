/*
 * libFuzzer target for the language server: the input is a client's byte
 * stream. It goes through the framing reader and the dispatcher in pieces
 * of varying size, then diagnostics are published and the server is freed:
 * no crash, hang, leak or sanitizer report is allowed, and everything the
 * server writes must be framed JSON.
 *
 * The first byte chooses the mode: odd bytes prepend an `initialize`, so
 * the fuzzer reaches the document features without having to find one;
 * the rest of the byte sets the size of the pieces fed at once. History
 * is off (no files, no git). Seeds: tests/fuzz/lsp/seeds/.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/lsp.h"

static int lsp_fuzz_check_output(void *payload, const struct iovec *pieces, int count)
{
    dl_lsp_reader *reader = payload;
    for (int i = 0; i < count; i++)
        dl_lsp_reader_feed(reader, pieces[i].iov_base, pieces[i].iov_len);
    const char *body;
    size_t length;
    int status;
    while ((status = dl_lsp_reader_next(reader, &body, &length)) != 0) {
        json_t *message = status > 0 ? json_loadb(body, length, 0, NULL) : NULL;
        if (message == NULL)
            abort(); /* the server wrote something that is not framed JSON */
        json_decref(message);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char prelude[] =
        "Content-Length: 58\r\n\r\n"
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{}}";
    if (size == 0)
        return 0;
    dl_lsp_reader *output = NULL;
    dl_lsp_server *server = NULL;
    dl_lsp_options options = DL_LSP_OPTIONS_INIT;
    options.synchronous = 1;
    options.no_history = 1;
    if (dl_lsp_reader_new(&output) < 0 ||
        dl_lsp_server_new(&server, lsp_fuzz_check_output, output, &options) < 0)
        goto done;

    if (data[0] & 1)
        dl_lsp_server_feed(server, prelude, sizeof(prelude) - 1);
    size_t piece = (size_t)(data[0] >> 1) * 7 + 1;
    for (size_t at = 1; at < size && !dl_lsp_server_exited(server); at += piece) {
        dl_lsp_server_feed(server, (const char *)data + at, at + piece > size ? size - at : piece);
        if ((data[0] & 2) == 0)
            dl_lsp_server_idle(server);
    }
    dl_lsp_server_idle(server);
done:
    dl_lsp_server_free(server);
    dl_lsp_reader_free(output);
    return 0;
}
