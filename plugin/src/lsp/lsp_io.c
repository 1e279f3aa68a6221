/*
 * dateline — the language server's bytes: buffers, JSON string writing,
 * Content-Length framing in both directions.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dateline/error.h"
#include "dateline/text.h"
#include "lsp_internal.h"

/* ------------------------------------------------------------ buffers -- */

int dl_lsp_buf_reserve(dl_lsp_buf *buf, size_t more)
{
    if (buf->failed)
        return -1;
    if (more > SIZE_MAX / 2 - buf->size) {
        buf->failed = 1;
        return -1;
    }
    size_t need = buf->size + more + 1;
    if (need <= buf->capacity)
        return 0;
    size_t capacity = buf->capacity ? buf->capacity : 256;
    while (capacity < need)
        capacity *= 2;
    char *data = realloc(buf->data, capacity);
    if (data == NULL) {
        buf->failed = 1;
        return -1;
    }
    buf->data = data;
    buf->capacity = capacity;
    return 0;
}

void dl_lsp_buf_put(dl_lsp_buf *buf, const char *data, size_t size)
{
    if (dl_lsp_buf_reserve(buf, size) < 0)
        return;
    if (size > 0)
        memcpy(buf->data + buf->size, data, size);
    buf->size += size;
    buf->data[buf->size] = '\0';
}

void dl_lsp_buf_puts(dl_lsp_buf *buf, const char *s)
{
    dl_lsp_buf_put(buf, s, strlen(s));
}

void dl_lsp_buf_put_uint(dl_lsp_buf *buf, unsigned long long value)
{
    char digits[20];
    size_t n = 0;
    do
        digits[sizeof(digits) - ++n] = (char)('0' + value % 10);
    while ((value /= 10) > 0);
    dl_lsp_buf_put(buf, digits + sizeof(digits) - n, n);
}

void dl_lsp_buf_printf(dl_lsp_buf *buf, const char *format, ...)
{
    char small[256];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(small, sizeof(small), format, args);
    va_end(args);
    if (n < 0) {
        buf->failed = 1;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        dl_lsp_buf_put(buf, small, (size_t)n);
        return;
    }
    if (dl_lsp_buf_reserve(buf, (size_t)n) < 0)
        return;
    va_start(args, format);
    vsnprintf(buf->data + buf->size, (size_t)n + 1, format, args);
    va_end(args);
    buf->size += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s[0..size), or 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t size)
{
    unsigned char c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (n > size)
        return 0;
    unsigned cp = c & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

void dl_lsp_buf_json_string(dl_lsp_buf *buf, const char *s, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    if (dl_lsp_buf_reserve(buf, size + 2) < 0)
        return;
    dl_lsp_buf_put(buf, "\"", 1);
    size_t run = 0; /* bytes copied as they are, pending */
    for (size_t i = 0; i < size;) {
        unsigned char c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            run++, i++;
            continue;
        }
        size_t n = c >= 0x80 ? utf8_sequence(p + i, size - i) : 0;
        if (n > 0) {
            run += n, i += n;
            continue;
        }
        dl_lsp_buf_put(buf, (const char *)p + i - run, run);
        run = 0;
        if (c == '"')
            dl_lsp_buf_put(buf, "\\\"", 2);
        else if (c == '\\')
            dl_lsp_buf_put(buf, "\\\\", 2);
        else if (c == '\n')
            dl_lsp_buf_put(buf, "\\n", 2);
        else if (c == '\r')
            dl_lsp_buf_put(buf, "\\r", 2);
        else if (c == '\t')
            dl_lsp_buf_put(buf, "\\t", 2);
        else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            dl_lsp_buf_put(buf, esc, 6);
        } else {
            dl_lsp_buf_put(buf, "\xEF\xBF\xBD", 3); /* invalid byte: U+FFFD */
        }
        i++;
    }
    dl_lsp_buf_put(buf, (const char *)p + size - run, run);
    dl_lsp_buf_put(buf, "\"", 1);
}

void dl_lsp_buf_dispose(dl_lsp_buf *buf)
{
    free(buf->data);
    memset(buf, 0, sizeof(*buf));
}

/* ------------------------------------------------------------- reader -- */

/* Pending header bytes beyond this without an empty line are junk. */
#define MAX_HEADER 65536

struct dl_lsp_reader {
    dl_lsp_buf in;
    size_t pos;      /* start of unread bytes */
    size_t body;     /* while waiting for a body: its length */
    int have_header; /* a header block was read; waiting for `body` bytes */
};

int dl_lsp_reader_new(dl_lsp_reader **out)
{
    dl_lsp_reader *reader = calloc(1, sizeof(*reader));
    if (reader == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    *out = reader;
    return 0;
}

void dl_lsp_reader_free(dl_lsp_reader *reader)
{
    if (reader == NULL)
        return;
    dl_lsp_buf_dispose(&reader->in);
    free(reader);
}

int dl_lsp_reader_feed(dl_lsp_reader *reader, const char *data, size_t size)
{
    /* Drop consumed bytes first, so the buffer holds one message at most
     * (plus what arrived with it). */
    if (reader->pos > 0) {
        memmove(reader->in.data, reader->in.data + reader->pos, reader->in.size - reader->pos);
        reader->in.size -= reader->pos;
        reader->pos = 0;
    }
    dl_lsp_buf_put(&reader->in, data, size);
    return reader->in.failed ? dl_error_set(DL_ERROR, "out of memory") : 0;
}

/* Find the empty line ending a header block: "\r\n\r\n", or bare "\n"s,
 * which some hand-made clients send. Returns where the block's last line
 * ends and, in `terminator`, how many bytes the line ends take. */
static const char *header_end(const char *start, size_t size, size_t *terminator)
{
    for (size_t i = 0; i + 1 < size; i++) {
        if (start[i] != '\n')
            continue;
        size_t cr = i > 0 && start[i - 1] == '\r';
        size_t next;
        if (start[i + 1] == '\n')
            next = 1;
        else if (i + 2 < size && start[i + 1] == '\r' && start[i + 2] == '\n')
            next = 2;
        else
            continue;
        *terminator = cr + 1 + next;
        return start + i - cr;
    }
    return NULL;
}

/* The value of the last "Content-Length:" in a header block: searched
 * anywhere, not only at a line start, so junk left by a wrong length before
 * a real header does not hide it. -1 when absent or malformed. */
static long long content_length(const char *block, size_t size)
{
    static const char name[] = "content-length:";
    const size_t name_len = sizeof(name) - 1;
    long long value = -1;
    for (size_t i = 0; i + name_len <= size; i++) {
        size_t k = 0;
        while (k < name_len && tolower((unsigned char)block[i + k]) == name[k])
            k++;
        if (k < name_len)
            continue;
        size_t j = i + name_len;
        while (j < size && (block[j] == ' ' || block[j] == '\t'))
            j++;
        long long n = 0;
        size_t digits = 0;
        while (j < size && isdigit((unsigned char)block[j]) && n <= (long long)DL_LSP_MAX_MESSAGE) {
            n = n * 10 + (block[j] - '0');
            j++, digits++;
        }
        while (j < size && (block[j] == ' ' || block[j] == '\t' || block[j] == '\r'))
            j++;
        int clean_end = j == size || block[j] == '\n';
        value = digits > 0 && clean_end && n <= (long long)DL_LSP_MAX_MESSAGE ? n : -1;
        i = j > i ? j - 1 : i;
    }
    return value;
}

int dl_lsp_reader_next(dl_lsp_reader *reader, const char **body, size_t *size)
{
    const char *data = reader->in.data + reader->pos;
    size_t available = reader->in.size - reader->pos;

    if (!reader->have_header) {
        size_t terminator = 0;
        const char *end = available ? header_end(data, available, &terminator) : NULL;
        if (end == NULL) {
            if (available > MAX_HEADER) {
                reader->pos = reader->in.size;
                return dl_error_set(DL_EINVALID, "header longer than %d bytes", MAX_HEADER);
            }
            return 0;
        }
        size_t block = (size_t)(end - data);
        long long length = content_length(data, block);
        reader->pos += block + terminator;
        if (length < 0)
            return dl_error_set(DL_EINVALID, "header without a valid Content-Length");
        reader->have_header = 1;
        reader->body = (size_t)length;
        data = reader->in.data + reader->pos;
        available = reader->in.size - reader->pos;
    }
    if (available < reader->body)
        return 0;
    *body = data;
    *size = reader->body;
    reader->pos += reader->body;
    reader->have_header = 0;
    reader->body = 0;
    return 1;
}

/* ------------------------------------------------------------- writer -- */

/* Frame and write a body made of `count` pieces, with one write call:
 * pieces[0] is left for the header. */
static void send_framed(dl_lsp_writer *w, struct iovec *pieces, int count)
{
    size_t size = 0;
    for (int i = 1; i < count; i++)
        size += pieces[i].iov_len;
    char header[64];
    int n = snprintf(header, sizeof(header), "Content-Length: %zu\r\n\r\n", size);
    pieces[0] = (struct iovec){header, (size_t)n};
    pthread_mutex_lock(&w->lock);
    if (!w->dead && w->write(w->payload, pieces, count) < 0)
        w->dead = 1;
    pthread_mutex_unlock(&w->lock);
}

void dl_lsp_send_raw(dl_lsp_writer *w, const char *body, size_t size)
{
    struct iovec pieces[2] = {{NULL, 0}, {(void *)body, size}};
    send_framed(w, pieces, 2);
}

void dl_lsp_send(dl_lsp_writer *w, json_t *message)
{
    if (message == NULL)
        return;
    size_t size = json_dumpb(message, NULL, 0, JSON_COMPACT);
    char *text = size ? malloc(size) : NULL;
    if (text != NULL && json_dumpb(message, text, size, JSON_COMPACT) == size)
        dl_lsp_send_raw(w, text, size);
    free(text);
    json_decref(message);
}

void dl_lsp_respond(dl_lsp_writer *w, const json_t *id, json_t *result)
{
    json_t *message = json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id",
                                id ? id : json_null(), "result", result ? result : json_null());
    dl_lsp_send(w, message);
}

void dl_lsp_result_begin(dl_lsp_buf *buf, const json_t *id)
{
    char *id_text = json_dumps(id ? id : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
    dl_lsp_buf_puts(buf, "{\"jsonrpc\":\"2.0\",\"id\":");
    dl_lsp_buf_puts(buf, id_text ? id_text : "null");
    dl_lsp_buf_puts(buf, ",\"result\":");
    free(id_text);
}

void dl_lsp_respond_error(dl_lsp_writer *w, const json_t *id, int code, const char *message)
{
    json_t *error = json_pack("{s:i, s:s}", "code", code, "message", message ? message : "");
    if (error == NULL) /* a message that is not UTF-8 */
        error = json_pack("{s:i, s:s}", "code", code, "message", "error");
    dl_lsp_send(w, json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                             "error", error));
}

void dl_lsp_notify(dl_lsp_writer *w, const char *method, json_t *params)
{
    dl_lsp_send(w, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params",
                             params ? params : json_object()));
}

void dl_lsp_message(dl_lsp_writer *w, const char *method, int type, const char *message)
{
    char *shown = dl_text_escape(message, strlen(message), DL_TEXT_LINES);
    dl_lsp_notify(w, method, json_pack("{s:i, s:s}", "type", type, "message", shown ? shown : ""));
    free(shown);
}

/* ---------------------------------------------------- server requests -- */

void dl_lsp_calls_init(dl_lsp_calls *calls)
{
    pthread_mutex_init(&calls->lock, NULL);
    pthread_cond_init(&calls->answered, NULL);
    calls->next_id = 1;
    calls->pending = NULL;
}

void dl_lsp_calls_dispose(dl_lsp_calls *calls)
{
    /* Every call removes itself before returning: nothing is pending. */
    pthread_cond_destroy(&calls->answered);
    pthread_mutex_destroy(&calls->lock);
}

int dl_lsp_call(json_t **response, dl_lsp_writer *w, dl_lsp_calls *calls, const char *method,
                json_t *params, long long timeout_ms)
{
    dl_lsp_pending_call call = {0};
    pthread_mutex_lock(&calls->lock);
    call.id = calls->next_id++;
    call.next = calls->pending;
    calls->pending = &call;
    pthread_mutex_unlock(&calls->lock);

    /* Registered before it is sent: the answer may come at once. */
    dl_lsp_send(w, json_pack("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", (json_int_t)call.id,
                             "method", method, "params", params ? params : json_object()));

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)(timeout_ms / 1000);
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&calls->lock);
    while (call.response == NULL &&
           pthread_cond_timedwait(&calls->answered, &calls->lock, &deadline) == 0)
        ;
    for (dl_lsp_pending_call **p = &calls->pending; *p; p = &(*p)->next) {
        if (*p == &call) {
            *p = call.next;
            break;
        }
    }
    pthread_mutex_unlock(&calls->lock);
    if (call.response == NULL)
        return dl_error_set(DL_ERROR, "the editor did not answer %s within %lld ms", method,
                            timeout_ms);
    *response = call.response;
    return 0;
}

int dl_lsp_calls_answer(dl_lsp_calls *calls, const json_t *message)
{
    const json_t *id = json_object_get(message, "id");
    if (!json_is_integer(id))
        return 0;
    int found = 0;
    pthread_mutex_lock(&calls->lock);
    for (dl_lsp_pending_call *call = calls->pending; call; call = call->next) {
        if (call->id == (long long)json_integer_value(id) && call->response == NULL) {
            call->response = json_deep_copy(message);
            found = call->response != NULL;
            break;
        }
    }
    if (found)
        pthread_cond_broadcast(&calls->answered);
    pthread_mutex_unlock(&calls->lock);
    return found;
}
