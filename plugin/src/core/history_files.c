/*
 * dateline — files made ahead of the next save.
 *
 * Recording a version creates four files: the blob, the tree and the
 * commit as loose objects, and the lock file that becomes the new ref.
 * Creating a file can be most of a save: ext4 without a journal walks past
 * every inode freed in the last minutes before it hands one out, and after
 * a busy while (a pack, a `git gc`, a deleted checkout) that took ~0.6 ms
 * per file, against ~0.02 ms to give an existing file a name.
 *
 * So a long-running process (the language server) makes the next save's
 * files while the editor is idle, right after a save: unnamed (O_TMPFILE),
 * open, inside the store, invisible to git and gone when the process ends.
 * A save then writes an object into one of them and links it under the
 * object's name, and writes the ref's new value into another and links it
 * as the ref's lock. link() fails when the lock exists, exactly as
 * creating it exclusively would, and the lock is renamed over the ref as
 * git does.
 *
 * Objects reach those files through an object database backend put in
 * front of libgit2's own loose one, so every object libgit2 writes for us
 * (blobs, trees, commits, notes) takes that way. Without a file ready it
 * makes one on the spot, which costs what libgit2's temporary file costs.
 * Where unnamed files or /proc/self/fd are missing, it declines and
 * libgit2 writes the object as before. (libgit2 would also route a
 * streamed write here, where declining fails the write; dateline streams
 * no object.)
 */
#define _GNU_SOURCE /* O_TMPFILE */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <git2/sys/odb_backend.h>

#include "dateline/error.h"
#include "history_internal.h"

/* A version makes a blob, a tree and a commit; deeper paths make one tree
 * more per directory, and those are made on the spot. */
#define OBJECT_FILES 3

/* Used under the store's lock, as everything that writes to the store. */
struct dl_history_files {
    char *objects_dir; /* <common dir>objects/ */
    char *common_dir;  /* where refs/ is, with a trailing '/' */
    int objects[OBJECT_FILES]; /* unnamed files for objects (mode 0444) */
    size_t object_count;
    int ref;         /* an unnamed file for a ref's lock, or -1 */
    int replaced;    /* the ref file the last swap replaced, or -1 */
    int unsupported; /* this system cannot make or link unnamed files */
};

typedef struct {
    git_odb_backend parent;
    dl_history_files *files; /* owned: freed with the backend */
} files_backend;

/* ---------------------------------------------------------- unnamed files -- */

static int open_unnamed(dl_history_files *files, const char *dir, mode_t mode)
{
    if (files->unsupported)
        return -1;
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
        files->unsupported = 1;
    return fd;
}

/* Give the unnamed file `fd` the name `path`; fails with EEXIST when the
 * name is taken. Through /proc, because linking a descriptor directly
 * (AT_EMPTY_PATH) needs a privilege editors do not run with. */
static int link_unnamed(int fd, const char *path)
{
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

static int write_all(int fd, const void *data, size_t size)
{
    const char *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* ---------------------------------------------------------------- objects -- */

/* The loose object format: zlib of "<type> <size>\0<data>", at the speed
 * libgit2 and git use for loose objects. Caller frees *out. */
static int deflate_object(unsigned char **out, size_t *out_size, git_object_t type,
                          const void *data, size_t size)
{
    char header[64];
    int header_size = snprintf(header, sizeof(header), "%s %zu", git_object_type2string(type), size);
    if (size > UINT_MAX / 2)
        return -1; /* zlib counts in unsigned int; libgit2 streams such objects */

    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit(&zs, Z_BEST_SPEED) != Z_OK)
        return -1;
    uLong bound = deflateBound(&zs, (uLong)(size + (size_t)header_size + 1));
    unsigned char *buffer = malloc(bound);
    if (buffer == NULL) {
        deflateEnd(&zs);
        return -1;
    }
    zs.next_out = buffer;
    zs.avail_out = (uInt)bound;
    zs.next_in = (Bytef *)header;
    zs.avail_in = (uInt)header_size + 1; /* with its '\0' */
    int status = deflate(&zs, Z_NO_FLUSH);
    if (status == Z_OK) {
        zs.next_in = (Bytef *)data;
        zs.avail_in = (uInt)size;
        status = deflate(&zs, Z_FINISH);
    }
    *out_size = zs.total_out;
    deflateEnd(&zs);
    if (status != Z_STREAM_END) {
        free(buffer);
        return -1;
    }
    *out = buffer;
    return 0;
}

/* objects/ab/cdef...: an existing name means the same object is there. */
static int link_object(dl_history_files *files, int fd, const git_oid *id)
{
    char hex[GIT_OID_HEXSZ + 1], path[4096];
    git_oid_tostr(hex, sizeof(hex), id);
    int n = snprintf(path, sizeof(path), "%s%.2s/%s", files->objects_dir, hex, hex + 2);
    if (n < 0 || (size_t)n >= sizeof(path))
        return -1;
    if (link_unnamed(fd, path) == 0 || errno == EEXIST)
        return 0;
    if (errno != ENOENT)
        return -1;
    path[strlen(files->objects_dir) + 2] = '\0';
    if (mkdir(path, 0777) < 0 && errno != EEXIST)
        return -1;
    path[strlen(files->objects_dir) + 2] = '/';
    if (link_unnamed(fd, path) == 0 || errno == EEXIST)
        return 0;
    if (errno == ENOENT)
        files->unsupported = 1; /* the fan-out directory exists: no /proc */
    return -1;
}

/* A failure is not an error: libgit2 then asks its loose backend. */
static int backend_write(git_odb_backend *backend, const git_oid *id, const void *data,
                         size_t size, git_object_t type)
{
    dl_history_files *files = ((files_backend *)backend)->files;
    unsigned char *deflated = NULL;
    size_t deflated_size = 0;
    if (files->unsupported || deflate_object(&deflated, &deflated_size, type, data, size) < 0)
        return GIT_PASSTHROUGH;

    int fd = files->object_count > 0 ? files->objects[--files->object_count]
                                     : open_unnamed(files, files->objects_dir, 0444);
    int error = fd < 0 || write_all(fd, deflated, deflated_size) < 0 ||
                link_object(files, fd, id) < 0;
    if (fd >= 0)
        close(fd);
    free(deflated);
    return error ? GIT_PASSTHROUGH : 0;
}

/* The loose backend lists the objects: this one holds none of its own. */
static int backend_foreach(git_odb_backend *backend, git_odb_foreach_cb cb, void *payload)
{
    (void)backend;
    (void)cb;
    (void)payload;
    return 0;
}

static void files_free(dl_history_files *files)
{
    for (size_t i = 0; i < files->object_count; i++)
        close(files->objects[i]);
    if (files->ref >= 0)
        close(files->ref);
    if (files->replaced >= 0)
        close(files->replaced);
    free(files->objects_dir);
    free(files->common_dir);
    free(files);
}

static void backend_free(git_odb_backend *backend)
{
    files_free(((files_backend *)backend)->files);
    free(backend);
}

/* Whether the repository asks for object files to be synced to disk, which
 * libgit2 then does for objects and refs alike; this writer does not. */
static int wants_fsync(git_repository *repo)
{
    git_config *config = NULL;
    int fsync = 0;
    if (git_repository_config_snapshot(&config, repo) == 0 &&
        git_config_get_bool(&fsync, config, "core.fsyncObjectFiles") < 0)
        fsync = 0;
    git_config_free(config);
    git_error_clear();
    return fsync;
}

int dl_history__files_attach(dl_history_files **out, git_repository *repo)
{
    const char *common = git_repository_commondir(repo);
    dl_history_files *files = NULL;
    files_backend *backend = NULL;
    git_odb *odb = NULL;
    int error;

    *out = NULL;
    if (wants_fsync(repo))
        return 0;
    files = calloc(1, sizeof(*files));
    backend = calloc(1, sizeof(*backend));
    if (files == NULL || backend == NULL ||
        (files->objects_dir = malloc(strlen(common) + sizeof("objects/"))) == NULL ||
        (files->common_dir = strdup(common)) == NULL) {
        free(backend);
        if (files != NULL) {
            files->ref = files->replaced = -1;
            files_free(files);
        }
        return dl_error_set(DL_ERROR, "out of memory");
    }
    sprintf(files->objects_dir, "%sobjects/", common);
    files->ref = files->replaced = -1;
    git_odb_init_backend(&backend->parent, GIT_ODB_BACKEND_VERSION);
    backend->parent.write = backend_write;
    backend->parent.foreach = backend_foreach;
    backend->parent.free = backend_free;
    backend->files = files;

    /* Ahead of the loose (1) and packed (2) backends. The odb owns the
     * backend from here on, and the backend owns the files. */
    if ((error = git_repository_odb(&odb, repo)) < 0 ||
        (error = git_odb_add_backend(odb, &backend->parent, 3)) < 0) {
        git_odb_free(odb);
        backend_free(&backend->parent);
        return dl_history__git_error(error, "cannot set up the history store's object writer");
    }
    git_odb_free(odb);
    *out = files;
    return 0;
}

/* An unnamed file to keep for later, or -1. Kept files stay out of the
 * upper half of the descriptors the process may open: a server with many
 * articles open needs those more than it needs fast saves. */
static int open_spare(dl_history_files *files, const char *dir, mode_t mode)
{
    struct rlimit limit;
    int fd = open_unnamed(files, dir, mode);
    if (fd >= 0 && getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
        (rlim_t)fd >= limit.rlim_cur / 2) {
        close(fd);
        return -1;
    }
    return fd;
}

void dl_history__files_prepare(dl_history_files *files)
{
    if (files == NULL)
        return;
    if (files->replaced >= 0) {
        close(files->replaced);
        files->replaced = -1;
    }
    while (files->object_count < OBJECT_FILES) {
        int fd = open_spare(files, files->objects_dir, 0444);
        if (fd < 0)
            return;
        files->objects[files->object_count++] = fd;
    }
    /* With its block allocated now, renaming it over the ref does not
     * make ext4 write it out first (its guard for replace-by-rename). */
    if (files->ref < 0 && (files->ref = open_spare(files, files->common_dir, 0666)) >= 0)
        fallocate(files->ref, FALLOC_FL_KEEP_SIZE, 0, GIT_OID_HEXSZ + 1);
}

size_t dl_history__files_ready(const dl_history_files *files)
{
    return files == NULL ? 0 : files->object_count + (files->ref >= 0);
}

/* ------------------------------------------------------------------- refs -- */

/* libgit2 would append to a reflog; this path does not write one. */
static int wants_reflog(git_repository *repo, const char *refname)
{
    git_config *config = NULL;
    git_buf value = {0};
    int always = 0;
    if (git_repository_config_snapshot(&config, repo) == 0 &&
        git_config_get_string_buf(&value, config, "core.logAllRefUpdates") == 0)
        always = strcasecmp(value.ptr, "always") == 0;
    git_buf_dispose(&value);
    git_config_free(config);
    git_error_clear();
    return always || git_reference_has_log(repo, refname) != 0;
}

/* The id in the loose ref file open as `fd`; -1 for anything else (a
 * symbolic ref). */
static int read_loose_ref(git_oid *out, int fd)
{
    char text[GIT_OID_HEXSZ + 2];
    ssize_t n = read(fd, text, sizeof(text));
    if (n < GIT_OID_HEXSZ || (n > GIT_OID_HEXSZ && text[GIT_OID_HEXSZ] != '\n'))
        return -1;
    return git_oid_fromstrn(out, text, GIT_OID_HEXSZ) == 0 ? 0 : -1;
}

int dl_history__files_swap_ref(dl_history_files *files, git_repository *repo,
                               const char *refname, const git_oid *id, const git_oid *expected)
{
    char path[4096], lock[4096 + 8];
    struct stat st;

    /* Only the common case: a loose ref of ours moving on. A new ref (its
     * directories may be missing), a packed one or one with a reflog goes
     * through libgit2. */
    if (files == NULL || files->ref < 0 || expected == NULL)
        return 1;
    int n = snprintf(path, sizeof(path), "%s%s", files->common_dir, refname);
    if (n < 0 || (size_t)n >= sizeof(path) || lstat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
        wants_reflog(repo, refname))
        return 1;
    snprintf(lock, sizeof(lock), "%s.lock", path);

    char line[GIT_OID_HEXSZ + 1];
    git_oid_fmt(line, id);
    line[GIT_OID_HEXSZ] = '\n';
    int fd = files->ref;
    files->ref = -1;
    int written = write_all(fd, line, sizeof(line)) == 0;
    int linked = written && link_unnamed(fd, lock) == 0;
    int link_errno = errno;
    close(fd);
    if (!linked)
        return written && link_errno == EEXIST
                   ? dl_error_set(DL_ELOCKED, "%s is locked: %s exists", refname, lock)
                   : 1;

    /* Under the lock: the ref must still be where the caller saw it. */
    git_oid current;
    int old = open(path, O_RDONLY | O_CLOEXEC);
    if (old < 0 || read_loose_ref(&current, old) < 0) {
        if (old >= 0)
            close(old);
        unlink(lock);
        return 1;
    }
    if (!git_oid_equal(&current, expected)) {
        close(old);
        unlink(lock);
        return dl_error_set(DL_EMODIFIED, "%s moved while it was being updated", refname);
    }
    if (rename(lock, path) < 0) {
        int saved = errno;
        close(old);
        unlink(lock);
        return dl_error_set(DL_ERROR, "cannot update %s: %s", refname, strerror(saved));
    }
    /* Freeing the replaced file's inode and blocks is most of what rename
     * costs; while it is open that waits for the close, in the next
     * dl_history__files_prepare. */
    if (files->replaced >= 0)
        close(files->replaced);
    files->replaced = old;
    return 0;
}
