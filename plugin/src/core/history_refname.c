/*
 * dateline — article paths as ref names, and the text check.
 *
 * A key path becomes refs/dateline/<path> with every byte git would refuse
 * (or that could make the name mean something else) written as %XX. Since
 * '%' itself is always escaped, decoding is unambiguous, and because no
 * escaped form contains '/', '.' runs or an empty component, the result can
 * never climb out of refs/dateline/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
#include "history_internal.h"

static int byte_is_plain(unsigned char c)
{
    if (c < 0x20 || c >= 0x7f)
        return 0; /* control characters, DEL and all non-ASCII */
    return strchr(" ~^:?*[\\%", c) == NULL;
}

int dl_history_refname_escape(char **out, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    const size_t prefix = sizeof(DL_HISTORY_REF_PREFIX) - 1;

    if (path == NULL || path[0] == '\0')
        return dl_error_set(DL_EINVALID, "an article path cannot be empty");

    size_t len = strlen(path);
    char *name = malloc(prefix + 3 * len + 1);
    if (name == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    memcpy(name, DL_HISTORY_REF_PREFIX, prefix);

    char *w = name + prefix;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        int at_start = (w == name + prefix) || w[-1] == '/';
        int escape;

        if (c == '/') {
            /* An empty component (leading, doubled or trailing '/') is not
             * allowed; keep its slash as data instead. */
            escape = at_start || i + 1 == len;
        } else if (c == '.') {
            int at_end = i + 1 == len || path[i + 1] == '/';
            int lock = strncmp(path + i, ".lock", 5) == 0 &&
                       (path[i + 5] == '\0' || path[i + 5] == '/');
            escape = at_start || at_end || w[-1] == '.' || lock;
        } else if (c == '@') {
            escape = path[i + 1] == '{';
        } else {
            escape = !byte_is_plain(c);
        }

        if (escape) {
            *w++ = '%';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 0xf];
        } else {
            *w++ = (char)c;
        }
    }
    *w = '\0';
    *out = name;
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int dl_history_refname_unescape(char **out, const char *refname)
{
    const size_t prefix = sizeof(DL_HISTORY_REF_PREFIX) - 1;

    if (refname == NULL || strncmp(refname, DL_HISTORY_REF_PREFIX, prefix) != 0 ||
        refname[prefix] == '\0')
        return dl_error_set(DL_EINVALID, "'%s' is not a dateline ref",
                            refname ? refname : "(null)");

    const char *r = refname + prefix;
    char *path = malloc(strlen(r) + 1);
    if (path == NULL)
        return dl_error_set(DL_ERROR, "out of memory");

    char *w = path;
    for (; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        int hi = hex_value(r[1]), lo = hi < 0 ? -1 : hex_value(r[2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(path);
            return dl_error_set(DL_EINVALID, "'%s' holds a malformed escape", refname);
        }
        *w++ = (char)(hi << 4 | lo);
        r += 2;
    }
    *w = '\0';
    *out = path;
    return 0;
}
