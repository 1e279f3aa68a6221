/*
 * dateline — the log cache: what `log` reads from each version's commit
 * (ids, author, time, the change its trailers record), kept in one file
 * per article so that a log reads that file and only the versions
 * recorded since, instead of inflating every commit of the history.
 *
 * It is derived and never the only copy of anything: versions are
 * immutable commits, and the file says which tip it was read from. It is
 * rebuilt from the commits when it is missing, names another article,
 * fails its checksum, or when its tip is not reached from the article's
 * tip through versions of one parent each (a merge, a rewritten ref).
 * Notes are not in it (they change without the article's ref moving);
 * nor are sessions, which the log computes.
 *
 * Writers never lock: each writes a temporary file and renames it over
 * the cache, so a reader sees a whole file or none, the last writer wins,
 * and a writer that dies leaves at most its temporary file behind (the
 * store's packing removes it a day later), never a cache that stops the
 * others. Any failure to read or write it only makes
 * the log read the commits.
 *
 * The file, in the store's git directory under log-cache/<SHA-1 of the
 * ref name> (a file of another format, as version 1's without trees, is
 * rebuilt like a damaged one):
 *   dateline log cache 2\n
 *   <CRC-32 of the rest, 8 hex digits>\n
 *   <ref name>\n
 *   <tip id> <count>\n
 *   per version, newest first: <id> <tree id> <first parent id or -> <parents>
 *   <time> <offset> <words> <words delta> <not text 0|1> <trivial 0|1>
 *   <name bytes> <email bytes> <summary bytes or -1>\n<name><email><summary>\n
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dateline/error.h"
#include "history_internal.h"

#define CACHE_MAGIC "dateline log cache 2\n"
#define CACHE_DIR "log-cache"
/* A writer's temporary file: the cache's name and this, then mkstemp's. */
#define CACHE_TEMPORARY ".tmp-"
/* A file past this is not believed: 100,000 versions take about 20 MB. */
#define CACHE_SIZE_MAX ((size_t)256 << 20)

/* The cache's path for `history`, or NULL when out of memory. With `dir`,
 * the folder that holds it. */
static char *cache_path(const dl_history *history, int dir)
{
    const char *gitdir = git_repository_path(history->store->repo);
    git_oid name;
    char hex[GIT_OID_HEXSZ + 1];
    if (git_odb_hash(&name, history->refname, strlen(history->refname), GIT_OBJECT_BLOB) < 0)
        return NULL;
    git_oid_tostr(hex, sizeof(hex), &name);
    size_t size = strlen(gitdir) + sizeof(CACHE_DIR) + sizeof(hex) + 2;
    char *path = malloc(size);
    if (path != NULL)
        snprintf(path, size, "%s%s%s%s", gitdir, CACHE_DIR, dir ? "" : "/", dir ? "" : hex);
    return path;
}

/* ------------------------------------------------------------ reading -- */

typedef struct {
    const char *p, *end;
} cursor;

/* A decimal number (with `negative_ok`, maybe negative) ending at `stop`,
 * which is consumed; 0 when there is none or it does not fit. */
static int read_number(long long *out, cursor *c, int negative_ok, char stop)
{
    int negative = c->p < c->end && *c->p == '-' && negative_ok;
    const char *p = c->p + negative;
    unsigned long long value = 0;
    const char *digits = p;
    while (p < c->end && *p >= '0' && *p <= '9') {
        if (value > (unsigned long long)(LLONG_MAX / 10))
            return 0;
        value = value * 10 + (unsigned)(*p++ - '0');
    }
    if (p == digits || p - digits > 19 || value > (unsigned long long)LLONG_MAX || p == c->end ||
        *p != stop)
        return 0;
    *out = negative ? -(long long)value : (long long)value;
    c->p = p + 1;
    return 1;
}

static int read_count(size_t *out, cursor *c, char stop)
{
    long long value;
    if (!read_number(&value, c, 0, stop) || (unsigned long long)value > SIZE_MAX)
        return 0;
    *out = (size_t)value;
    return 1;
}

/* A full id in lowercase hex, as the cache writes them, followed by
 * `stop`. Checked a byte at a time: through git_oid_fromstrn and back,
 * the three ids of each version were half of loading the cache. */
static int read_id(dl_history_id *out, cursor *c, char stop)
{
    if (c->end - c->p <= GIT_OID_HEXSZ || c->p[GIT_OID_HEXSZ] != stop)
        return 0;
    for (size_t i = 0; i < GIT_OID_HEXSZ; i++) {
        char h = c->p[i];
        if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f')))
            return 0;
    }
    memcpy(out->hex, c->p, GIT_OID_HEXSZ);
    out->hex[GIT_OID_HEXSZ] = '\0';
    c->p += GIT_OID_HEXSZ + 1;
    return 1;
}

/* `size` bytes as a string, which holds no NUL byte. */
static int read_bytes(char **out, cursor *c, size_t size)
{
    if ((size_t)(c->end - c->p) < size || (*out = malloc(size + 1)) == NULL)
        return 0;
    memcpy(*out, c->p, size);
    (*out)[size] = '\0';
    c->p += size;
    return memchr(*out, '\0', size) == NULL;
}

static int read_version(dl_history_version *v, cursor *c)
{
    long long parents, time, offset, words, delta, not_text, trivial, summary;
    size_t name, email;
    memset(v, 0, sizeof(*v));
    if (!read_id(&v->id, c, ' ') || !read_id(&v->tree, c, ' '))
        return 0;
    if (c->end - c->p >= 2 && c->p[0] == '-' && c->p[1] == ' ')
        c->p += 2;
    else if (!read_id(&v->parent, c, ' '))
        return 0;
    if (!read_number(&parents, c, 0, ' ') || !read_number(&time, c, 1, ' ') ||
        !read_number(&offset, c, 1, ' ') || !read_number(&words, c, 0, ' ') ||
        !read_number(&delta, c, 1, ' ') || !read_number(&not_text, c, 0, ' ') ||
        !read_number(&trivial, c, 0, ' ') || !read_count(&name, c, ' ') ||
        !read_count(&email, c, ' ') || !read_number(&summary, c, 1, '\n'))
        return 0;
    if ((parents == 0) != (v->parent.hex[0] == '\0') || offset < -24 * 60 * 60 ||
        offset > 24 * 60 * 60 || not_text > 1 || trivial > 1 || summary < -1)
        return 0;
    v->parent_count = (size_t)parents;
    v->time = time;
    v->offset = (int)offset;
    v->change.words = (size_t)words;
    v->change.words_delta = delta;
    v->change.not_text = (int)not_text;
    v->change.trivial = (int)trivial;
    if (!read_bytes(&v->author_name, c, name) || !read_bytes(&v->author_email, c, email) ||
        (summary >= 0 && !read_bytes(&v->change.summary, c, (size_t)summary)) ||
        c->p == c->end || *c->p++ != '\n')
        return 0;
    return 1;
}

/* The whole file, NUL-terminated, when it is a regular file of at most
 * CACHE_SIZE_MAX bytes; NULL otherwise. */
static char *read_whole(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    char *data = NULL;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= CACHE_SIZE_MAX &&
        (data = malloc((size_t)st.st_size + 1)) != NULL) {
        size_t done = 0;
        while (done < (size_t)st.st_size) {
            ssize_t n = read(fd, data + done, (size_t)st.st_size - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            done += (size_t)n;
        }
        if (done != (size_t)st.st_size) {
            free(data);
            data = NULL;
        } else {
            data[done] = '\0';
            *size = done;
        }
    }
    close(fd);
    return data;
}

int dl_history__log_cache_load(dl_history_log **out, git_oid *tip, dl_history *history)
{
    char *path = cache_path(history, 0), *data = NULL;
    size_t size = 0, count = 0;
    dl_history_log *log = NULL;
    dl_history_id tip_id;
    int loaded = 0;
    if (path == NULL || (data = read_whole(path, &size)) == NULL)
        goto done;
    cursor c = {data, data + size};
    size_t magic = sizeof(CACHE_MAGIC) - 1, refname = strlen(history->refname);
    long long crc;
    /* The checksum in hex, as read_number reads decimal. */
    if (size < magic + 9 || memcmp(data, CACHE_MAGIC, magic) != 0 || data[magic + 8] != '\n')
        goto done;
    char digits[9];
    memcpy(digits, data + magic, 8);
    digits[8] = '\0';
    char *hex_end;
    crc = strtoll(digits, &hex_end, 16);
    c.p = data + magic + 9;
    if (hex_end != digits + 8 ||
        (unsigned long)crc != crc32(0, (const Bytef *)c.p, (uInt)(c.end - c.p)))
        goto done;
    if ((size_t)(c.end - c.p) <= refname || memcmp(c.p, history->refname, refname) != 0 ||
        c.p[refname] != '\n')
        goto done;
    c.p += refname + 1;
    /* Each version takes at least 103 bytes: a count past that is false. */
    if (!read_id(&tip_id, &c, ' ') || !read_count(&count, &c, '\n') ||
        count > (size_t)(c.end - c.p) / 103 || (log = calloc(1, sizeof(*log))) == NULL ||
        (count > 0 && (log->versions = calloc(count, sizeof(*log->versions))) == NULL))
        goto done;
    for (; log->count < count; log->count++)
        if (!read_version(&log->versions[log->count], &c)) {
            log->count++; /* freed with the others */
            goto done;
        }
    if (c.p != c.end || count == 0 || strcmp(log->versions[0].id.hex, tip_id.hex) != 0 ||
        git_oid_fromstr(tip, tip_id.hex) < 0)
        goto done;
    *out = log;
    log = NULL;
    loaded = 1;

done:
    dl_history_log_free(log);
    free(data);
    free(path);
    return loaded;
}

/* ------------------------------------------------------------ writing -- */

typedef struct {
    char *data;
    size_t size, capacity;
    int failed;
} buffer;

static void put(buffer *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->capacity - b->size <= n) {
        size_t capacity = b->capacity ? b->capacity : 64 * 1024;
        while (capacity - b->size <= n && capacity <= CACHE_SIZE_MAX)
            capacity *= 2;
        char *data = capacity > CACHE_SIZE_MAX ? NULL : realloc(b->data, capacity);
        if (data == NULL) {
            b->failed = 1;
            return;
        }
        b->data = data;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, s, n);
    b->size += n;
}

static void put_string(buffer *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_version(buffer *b, const dl_history_version *v)
{
    const char *name = v->author_name ? v->author_name : "";
    const char *email = v->author_email ? v->author_email : "";
    char line[256];
    int n = snprintf(line, sizeof(line), "%s %s %s %zu %lld %d %zu %lld %d %d %zu %zu %lld\n",
                     v->id.hex, v->tree.hex, v->parent.hex[0] ? v->parent.hex : "-",
                     v->parent_count, v->time, v->offset, v->change.words,
                     v->change.words_delta, v->change.not_text != 0, v->change.trivial != 0,
                     strlen(name), strlen(email),
                     v->change.summary ? (long long)strlen(v->change.summary) : -1LL);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        b->failed = 1;
        return;
    }
    put(b, line, (size_t)n);
    put_string(b, name);
    put_string(b, email);
    if (v->change.summary != NULL)
        put_string(b, v->change.summary);
    put(b, "\n", 1);
}

static int write_all(int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

void dl_history__log_cache_save(dl_history *history, const git_oid *tip, const dl_history_log *log)
{
    char *path = cache_path(history, 0), *dir = cache_path(history, 1), *temp = NULL;
    buffer body = {0};
    char tip_hex[GIT_OID_HEXSZ + 1], line[64];
    int fd = -1;
    if (path == NULL || dir == NULL || log->count == 0)
        goto done;
    git_oid_tostr(tip_hex, sizeof(tip_hex), tip);
    put_string(&body, history->refname);
    snprintf(line, sizeof(line), "\n%s %zu\n", tip_hex, log->count);
    put_string(&body, line);
    for (size_t i = 0; i < log->count; i++)
        put_version(&body, &log->versions[i]);
    if (body.failed)
        goto done;
    if ((temp = malloc(strlen(path) + 16)) == NULL)
        goto done;
    snprintf(temp, strlen(path) + 16, "%s" CACHE_TEMPORARY "XXXXXX", path);
    if (mkdir(dir, 0777) < 0 && errno != EEXIST)
        goto done;
    if ((fd = mkstemp(temp)) < 0)
        goto done;
    /* Readable as the objects it is read from are (mkstemp makes 0600):
     * in a store a group shares, the others read it too. */
    if (fchmod(fd, 0644) < 0)
        goto done;
    snprintf(line, sizeof(line), "%08lx\n",
             (unsigned long)crc32(0, (const Bytef *)body.data, (uInt)body.size));
    if (write_all(fd, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) < 0 ||
        write_all(fd, line, strlen(line)) < 0 || write_all(fd, body.data, body.size) < 0)
        goto done;
    int closed = close(fd);
    fd = -1;
    if (closed < 0 || rename(temp, path) < 0)
        unlink(temp);

done:
    if (fd >= 0) {
        close(fd);
        unlink(temp);
    }
    free(temp);
    free(body.data);
    free(dir);
    free(path);
}

static int is_cache_temporary(const char *name)
{
    return strstr(name, CACHE_TEMPORARY) != NULL;
}

void dl_history__log_cache_tidy(git_repository *repo)
{
    const char *gitdir = git_repository_path(repo);
    size_t size = strlen(gitdir) + sizeof(CACHE_DIR);
    char *dir = malloc(size);
    if (dir == NULL)
        return;
    snprintf(dir, size, "%s%s", gitdir, CACHE_DIR);
    dl_history__remove_stale(dir, is_cache_temporary);
    free(dir);
}
