/*
 * dateline — article paths as ref names.
 *
 * A key path becomes one ref component, refs/dateline/<path>, with every
 * byte git would refuse (or that could make the name mean something else)
 * written as %XX, '/' included. One component per article means no ref is
 * ever a folder of others, so "draft" and "draft/x.txt" both have a
 * history. A name too long for one file name (git keeps a loose ref, and
 * its ".lock", as a file) keeps a readable start and ends in "%00" and the
 * SHA-1 of the whole path; %00 is never an escape of its own (a path holds
 * no NUL), so such a name cannot be mistaken for a decodable one, and the
 * path itself is in every version's tree.
 *
 * Earlier versions kept '/' as ref folders ("refs/dateline/news/story.txt");
 * those names still decode, and dl_history_open keeps using one that
 * exists (history.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
#include "dateline/text.h"
#include "history_internal.h"

/* The longest escaped name kept whole: a loose ref's file, with ".lock"
 * added while it is written, must fit NAME_MAX (255) on every common file
 * system, with room to spare. */
#define COMPONENT_MAX 200
/* How much of the escaped name a shortened one keeps before "%00<sha1>". */
#define SHORTENED_KEEP 150

static int byte_is_plain(unsigned char c)
{
    if (c < 0x20 || c >= 0x7f)
        return 0; /* control characters, DEL and all non-ASCII */
    return strchr(" ~^:?*[\\%", c) == NULL;
}

/* Escape `path` into `w` (room for 3 bytes per input byte); returns the
 * end. `keep_slash`: the old form, where '/' separates ref folders. */
static char *escape_into(char *w, const char *path, size_t len, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    char *start = w;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)path[i];
        int at_start = (w == start) || path[i - 1] == '/';
        int escape;

        if (c == '/') {
            /* Old form: an empty component (leading, doubled or trailing
             * '/') is not allowed; keep its slash as data instead. */
            escape = !keep_slash || at_start || i + 1 == len;
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
    return w;
}

static int escape_path(char **out, const char *path, int keep_slash)
{
    const size_t prefix = sizeof(DL_HISTORY_REF_PREFIX) - 1;

    if (path == NULL || path[0] == '\0')
        return dl_error_set(DL_EINVALID, "an article path cannot be empty");

    size_t len = strlen(path);
    /* Room for the whole escape, or for a shortened name. */
    size_t room = 3 * len > COMPONENT_MAX ? 3 * len : COMPONENT_MAX;
    char *name = malloc(prefix + room + 1);
    if (name == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    memcpy(name, DL_HISTORY_REF_PREFIX, prefix);
    char *escaped = name + prefix;
    char *end = escape_into(escaped, path, len, keep_slash);

    if (!keep_slash && (size_t)(end - escaped) > COMPONENT_MAX) {
        /* Cut before an escape rather than inside one. */
        size_t keep = SHORTENED_KEEP;
        if (escaped[keep - 1] == '%')
            keep -= 1;
        else if (escaped[keep - 2] == '%')
            keep -= 2;
        git_oid digest;
        if (git_odb_hash(&digest, path, len, GIT_OBJECT_BLOB) < 0) {
            free(name);
            return dl_history__git_error(-1, "cannot hash '%s'", path);
        }
        memcpy(escaped + keep, "%00", 3);
        git_oid_fmt(escaped + keep + 3, &digest);
        end = escaped + keep + 3 + GIT_OID_HEXSZ;
    }
    *end = '\0';
    *out = name;
    return 0;
}

int dl_history_refname_escape(char **out, const char *path)
{
    return escape_path(out, path, 0);
}

int dl_history__refname_escape_old(char **out, const char *path)
{
    return escape_path(out, path, 1);
}

/* 1 when `s` is "%00" and a full hex SHA-1 closing the name. */
static int is_digest_tail(const char *s)
{
    return strncmp(s, "%00", 3) == 0 && strlen(s + 3) == GIT_OID_HEXSZ &&
           strspn(s + 3, "0123456789abcdefABCDEF") == GIT_OID_HEXSZ;
}

int dl_history_refname_unescape(char **out, const char *refname)
{
    const size_t prefix = sizeof(DL_HISTORY_REF_PREFIX) - 1;

    if (refname == NULL || strncmp(refname, DL_HISTORY_REF_PREFIX, prefix) != 0 ||
        refname[prefix] == '\0')
        return dl_error_set(DL_EINVALID, "'%s' is not a dateline ref",
                            refname ? refname : "(null)");

    /* A shortened name (see escape_path) ends in "%00" and a digest: the
     * one place a NUL escape is not malformed. */
    const char *r = refname + prefix;
    const char *tail = strstr(r, "%00");
    if (tail != NULL && is_digest_tail(tail))
        return dl_error_set(DL_ENOTFOUND,
                            "'%s' is a shortened name: its path is in its versions' trees",
                            refname);
    if (dl_text_percent_decode(out, r, strlen(r)) < 0)
        return dl_error_set(DL_EINVALID, "'%s' holds a malformed or NUL escape", refname);
    return 0;
}
