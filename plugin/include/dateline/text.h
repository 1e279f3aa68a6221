/*
 * dateline — reading article files and checking that they are text.
 *
 * Articles are UTF-8 text: history refuses to record anything else, and the
 * CLI and editor say so in one clear message naming the offending byte.
 */
#ifndef DATELINE_TEXT_H
#define DATELINE_TEXT_H

#include <stddef.h>
#include <stdio.h>

/**
 * Read the whole file at `path` into a NUL-terminated buffer the caller frees.
 * DL_ENOTFOUND if it does not exist, DL_EINVALID for a directory or anything
 * but a regular file, DL_ERROR for an unreadable one; the message names it.
 * Never blocks on opening: a FIFO without a writer, a socket or a device
 * is refused at once. Every read of an article's file goes through here.
 */
int dl_text_read_file(char **out, size_t *out_size, const char *path);

/**
 * Check that `size` bytes are article text: no NUL byte, strict UTF-8 (RFC
 * 3629). DL_EINVALID otherwise, with a message naming `what` and the offset.
 */
int dl_text_check(const char *data, size_t size, const char *what);

/** How dl_text_put lays out line breaks. */
typedef enum {
    /** Line breaks (LF, CRLF, a lone CR) and tabs become spaces: a log line. */
    DL_TEXT_ONE_LINE,
    /** Line breaks and tabs are kept; CRLF and a lone CR print as LF. */
    DL_TEXT_LINES,
} dl_text_layout;

/**
 * Write `size` bytes of untrusted text (an article, a note, an author's
 * name, a remote's name or message, a file name) for a person to read.
 * Line breaks and tabs are laid out as `layout` says; every other control
 * character is written as a visible escape, the way git quotes names:
 * `\a \b \v \f` or three octal digits (`\033` for ESC, `\177` for DEL);
 * a C1 control (U+0080..U+009F) as its two UTF-8 bytes in octal
 * (`\302\233`), and each byte that is not UTF-8 in octal (`\377`). So text
 * from a file, a commit or a remote can never move the cursor, recolour
 * the screen, ring the bell or set the clipboard (OSC 52), and the reader
 * still sees what was there. A backslash is written as it is: this is for
 * reading, and --json has the exact bytes. Every human-readable output of
 * the CLI and every message the server shows goes through here.
 */
void dl_text_put(FILE *out, const char *text, size_t size, dl_text_layout layout);

/**
 * What dl_text_put would write, as a NUL-terminated string the caller
 * frees; NULL when out of memory. For text that is not written to a
 * stream (a message the language server sends the editor).
 */
char *dl_text_escape(const char *text, size_t size, dl_text_layout layout);

/** Write `n` with a comma between each group of three digits ("10,000"). */
void dl_text_put_count(FILE *out, size_t n);

/**
 * A NUL-terminated copy of `n` bytes with each byte that is not part of
 * strict UTF-8 replaced by U+FFFD, the caller frees it; NULL when out of
 * memory. For names and notes read from commits, which git lets hold any
 * bytes: JSON can only carry text, and every view shows these.
 */
char *dl_text_dup_utf8(const char *s, size_t n);

/**
 * Decode `n` bytes of percent-encoded text (RFC 3986: "%2F" is '/') into a
 * NUL-terminated string the caller frees. DL_EINVALID for a '%' not
 * followed by two hex digits, or for "%00": none of the names decoded here
 * (file URIs, ref names, web addresses) may hold a NUL, and a malformed
 * escape is refused rather than guessed at.
 */
int dl_text_percent_decode(char **out, const char *s, size_t n);

/**
 * Length of the space character at `s` (of `n` > 0 bytes), or 0 if it is
 * not one: ASCII white space, NO-BREAK SPACE, NEXT LINE and Unicode's
 * spaces and line and paragraph separators. This is what separates words
 * everywhere (docs/format.md, "Words and sentences"). Inline, ASCII first:
 * the model runs it on every byte of an article.
 */
static inline size_t dl_text_space_length(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    unsigned char c = s[0];
    if (c < 0x80)
        return c == ' ' || (c >= '\t' && c <= '\r');
    if (c == 0xc2)
        return n >= 2 && (s[1] == 0xa0 || s[1] == 0x85) ? 2 : 0; /* NO-BREAK SPACE, NEXT LINE */
    if (c < 0xe1 || c > 0xe3 || n < 3)
        return 0;
    if (c == 0xe1)
        return s[1] == 0x9a && s[2] == 0x80 ? 3 : 0; /* OGHAM SPACE MARK */
    if (c == 0xe3)
        return s[1] == 0x80 && s[2] == 0x80 ? 3 : 0; /* IDEOGRAPHIC SPACE */
    if (s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3; /* EN QUAD .. HAIR SPACE, LINE/PARAGRAPH SEPARATOR, NNBSP */
    return s[1] == 0x81 && s[2] == 0x9f ? 3 : 0; /* MEDIUM MATHEMATICAL SPACE */
}

#endif
