/*
 * The framing reader: messages split anywhere, several per read, and
 * broken headers skipped without losing the messages after them.
 */
#include <string.h>

#include "client.h"

TestSuite(lsp_reader);

/* Feed `input` in pieces of `step` bytes; collect bodies ("!" per error). */
static void read_all(char *out, size_t out_size, const char *input, size_t step)
{
    dl_lsp_reader *reader;
    dl_assert_ok(dl_lsp_reader_new(&reader));
    out[0] = '\0';
    size_t size = strlen(input);
    for (size_t at = 0; at < size; at += step) {
        dl_lsp_reader_feed(reader, input + at, at + step > size ? size - at : step);
        for (;;) {
            const char *body;
            size_t length;
            int status = dl_lsp_reader_next(reader, &body, &length);
            if (status == 0)
                break;
            if (status < 0)
                strncat(out, "!", out_size - strlen(out) - 1);
            else
                strncat(out, body, length < out_size - strlen(out) - 1 ? length : out_size - strlen(out) - 1), strncat(out, "|", out_size - strlen(out) - 1);
        }
    }
    dl_lsp_reader_free(reader);
}

Test(lsp_reader, messages_split_anywhere_come_out_whole)
{
    const char *input = "Content-Length: 5\r\n\r\nhelloContent-Type: x\r\nContent-Length: 3\r\n\r\nabc";
    for (size_t step = 1; step <= strlen(input); step++) {
        char out[256];
        read_all(out, sizeof(out), input, step);
        cr_assert(eq(str, out, "hello|abc|"), "step %zu", step);
    }
}

Test(lsp_reader, header_without_length_is_skipped_and_reading_resumes)
{
    char out[256];
    read_all(out, sizeof(out), "Content-Type: x\r\n\r\nContent-Length: 2\r\n\r\nok", 1000);
    cr_assert(eq(str, out, "!ok|"));
    read_all(out, sizeof(out), "Content-Length: abc\r\n\r\nContent-Length: 2\r\n\r\nok", 1000);
    cr_assert(eq(str, out, "!ok|"));
    read_all(out, sizeof(out), "Content-Length: 99999999999999\r\n\r\nContent-Length: 2\r\n\r\nok", 3);
    cr_assert(eq(str, out, "!ok|"));
}

Test(lsp_reader, junk_before_a_header_is_ignored)
{
    char out[256];
    /* A length too short leaves the rest of a body before the next header. */
    read_all(out, sizeof(out), "Content-Length: 2\r\n\r\n{\"a\":1}Content-Length: 2\r\n\r\nok", 7);
    cr_assert(eq(str, out, "{\"|ok|"));
}

Test(lsp_reader, bare_newlines_are_accepted)
{
    char out[256];
    read_all(out, sizeof(out), "Content-Length: 2\n\nokContent-Length: 1\r\n\r\nx", 4);
    cr_assert(eq(str, out, "ok|x|"));
}

Test(lsp_reader, endless_header_is_dropped)
{
    dl_lsp_reader *reader;
    dl_assert_ok(dl_lsp_reader_new(&reader));
    char junk[4096];
    memset(junk, 'x', sizeof(junk));
    int errors = 0;
    for (int i = 0; i < 40; i++) {
        dl_lsp_reader_feed(reader, junk, sizeof(junk));
        const char *body;
        size_t length;
        errors += dl_lsp_reader_next(reader, &body, &length) < 0;
    }
    cr_assert(ge(int, errors, 1));
    dl_lsp_reader_feed(reader, "\r\n\r\nContent-Length: 1\r\n\r\nz", 26);
    const char *body;
    size_t length;
    int status;
    while ((status = dl_lsp_reader_next(reader, &body, &length)) < 0)
        ;
    cr_assert(eq(int, status, 1));
    cr_assert(eq(sz, length, 1));
    cr_assert(eq(chr, body[0], 'z'));
    dl_lsp_reader_free(reader);
}
