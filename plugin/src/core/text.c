#include "dateline/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dateline/error.h"

int dl_text_read_file(char **out, size_t *out_size, const char *path)
{
    char *data = NULL;
    /* O_NONBLOCK: opening a FIFO for reading blocks until a writer comes,
     * and a device's open may wait for the hardware. Open without waiting,
     * refuse all but a regular file below, then read normally. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    int error = 0;
    struct stat st;

    if (fd < 0) {
        int code = errno == ENOENT ? DL_ENOTFOUND : DL_ERROR;
        return dl_error_set(code, "cannot read %s: %s", path, strerror(errno));
    }
    if (fstat(fd, &st) < 0) {
        error = dl_error_set(DL_ERROR, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }
    if (S_ISDIR(st.st_mode)) {
        error = dl_error_set(DL_EINVALID, "%s is a directory, not an article", path);
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        const char *kind = S_ISFIFO(st.st_mode)   ? "a named pipe (FIFO)"
                           : S_ISSOCK(st.st_mode) ? "a socket"
                           : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                        : "not a regular file";
        error = dl_error_set(DL_EINVALID, "%s is %s; dateline reads only regular files", path,
                             kind);
        goto done;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        error = dl_error_set(DL_ERROR, "cannot read %s: %s", path, strerror(errno));
        goto done;
    }

    size_t capacity = (size_t)st.st_size + 1, size = 0;
    data = malloc(capacity + 1);
    if (data == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory reading %s", path);
        goto done;
    }
    for (;;) {
        /* The file may grow while we read it; keep going until EOF. */
        if (size == capacity) {
            char *bigger = realloc(data, capacity * 2 + 1);
            if (bigger == NULL) {
                error = dl_error_set(DL_ERROR, "out of memory reading %s", path);
                goto done;
            }
            data = bigger;
            capacity *= 2;
        }
        ssize_t n = read(fd, data + size, capacity - size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = dl_error_set(DL_ERROR, "cannot read %s: %s", path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        size += (size_t)n;
    }
    data[size] = '\0';
    *out = data;
    *out_size = size;
    data = NULL;

done:
    free(data);
    close(fd);
    return error;
}

/*
 * Length of the strict UTF-8 (RFC 3629) sequence at `s` (of `n` > 0 bytes):
 * no overlong forms, no surrogates, nothing past U+10FFFF. 0 if the bytes
 * there are not one.
 */
static size_t utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t need;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 1, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n <= need)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return need + 1;
}

/* The offset of the first byte that is not strict UTF-8, or SIZE_MAX. */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t length = utf8_sequence_length(s + i, n - i);
        if (length == 0)
            return i;
        i += length;
    }
    return SIZE_MAX;
}

char *dl_text_dup_utf8(const char *s, size_t n)
{
    static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
    const unsigned char *u = (const unsigned char *)s;
    size_t bad = utf8_invalid_at(u, n);
    /* Each bad byte grows to three. */
    char *out = malloc(bad == SIZE_MAX ? n + 1 : 3 * n + 1), *w = out;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n;) {
        size_t length = utf8_sequence_length(u + i, n - i);
        if (length == 0) {
            memcpy(w, replacement, 3);
            w += 3;
            i++;
        } else {
            memcpy(w, s + i, length);
            w += length;
            i += length;
        }
    }
    *w = '\0';
    return out;
}

int dl_text_check(const char *data, size_t size, const char *what)
{
    const char *nul = memchr(data, '\0', size);
    if (nul != NULL)
        return dl_error_set(DL_EINVALID,
                            "%s holds binary data (a NUL byte at offset %zu); "
                            "dateline works on UTF-8 text only",
                            what, (size_t)(nul - data));
    size_t bad = utf8_invalid_at((const unsigned char *)data, size);
    if (bad != SIZE_MAX)
        return dl_error_set(DL_EINVALID,
                            "%s is not valid UTF-8 (bad byte at offset %zu); "
                            "dateline works on UTF-8 text only",
                            what, bad);
    return 0;
}

/* A byte written as git quotes it: the C escape where there is one (line
 * breaks and tabs never come here), otherwise three octal digits (\033,
 * \177, \302). */
static void put_escaped(FILE *out, unsigned char c)
{
    static const char named[] = "\a\b\v\f", letters[] = "abvf";
    const char *at = c != '\0' ? strchr(named, c) : NULL;
    if (at != NULL)
        fprintf(out, "\\%c", letters[at - named]);
    else
        fprintf(out, "\\%03o", c);
}

void dl_text_put(FILE *out, const char *text, size_t size, dl_text_layout layout)
{
    const unsigned char *bytes = (const unsigned char *)text;
    for (size_t i = 0; i < size;) {
        unsigned char c = bytes[i];
        /* Line breaks as the article format reads them (LF, CRLF, a lone
         * CR) and tabs are the text's own layout, not an attack: kept, or
         * spaces on one line. A lone CR printed as a CR could overwrite
         * what the line already shows, so it is printed as the line break
         * it is. */
        if (c == '\n' || c == '\r' || c == '\t') {
            size_t length = c == '\r' && i + 1 < size && bytes[i + 1] == '\n' ? 2 : 1;
            fputc(layout == DL_TEXT_ONE_LINE ? ' ' : c == '\t' ? '\t' : '\n', out);
            i += length;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            put_escaped(out, c);
            i++;
            continue;
        }
        size_t length = utf8_sequence_length(bytes + i, size - i);
        if (length == 0) {
            /* Not UTF-8: a terminal might read it as a C1 control. */
            put_escaped(out, c);
            i++;
        } else if (c == 0xc2 && bytes[i + 1] <= 0x9f) {
            /* U+0080..U+009F, the C1 controls: U+009B alone is a CSI on
             * many terminals. Both bytes, as git shows them. */
            put_escaped(out, bytes[i]);
            put_escaped(out, bytes[i + 1]);
            i += 2;
        } else {
            fwrite(bytes + i, 1, length, out);
            i += length;
        }
    }
}

char *dl_text_escape(const char *text, size_t size, dl_text_layout layout)
{
    char *written = NULL;
    size_t written_size = 0;
    FILE *out = open_memstream(&written, &written_size);
    if (out == NULL)
        return NULL;
    dl_text_put(out, text, size, layout);
    if (fclose(out) != 0) {
        free(written);
        return NULL;
    }
    return written;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int dl_text_percent_decode(char **out, const char *s, size_t n)
{
    char *text = malloc(n + 1), *w = text;
    if (text == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            *w++ = s[i];
            continue;
        }
        int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
        int lo = hi < 0 ? -1 : hex_digit(s[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(text);
            return dl_error_set(DL_EINVALID, "'%.*s' holds a malformed or NUL escape",
                                (int)(n < 200 ? n : 200), s);
        }
        *w++ = (char)(hi << 4 | lo);
        i += 2;
    }
    *w = '\0';
    *out = text;
    return 0;
}

void dl_text_put_count(FILE *out, size_t n)
{
    if (n >= 1000) {
        dl_text_put_count(out, n / 1000);
        fprintf(out, ",%03zu", n % 1000);
    } else {
        fprintf(out, "%zu", n);
    }
}
