/*
 * dateline — stores and articles: discovery, recording, reading, restoring.
 *
 * See dateline/history.h for the model. Locking discipline: every public
 * function that touches the repository holds the store's mutex for its
 * whole run; the static *_locked helpers assume it is held.
 */
/* realpath() and nftw() are X/Open, not plain POSIX. */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/commit.h>
#include <git2/sys/odb_backend.h>

#include "dateline/error.h"
#include "dateline/text.h"
#include "history_internal.h"

#define FALLBACK_NAME "dateline"
#define FALLBACK_EMAIL "dateline@localhost"

/* ------------------------------------------------------------- helpers -- */

int dl_history__git_error(int git_code, const char *format, ...)
{
    char what[512];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof(what), format, args);
    va_end(args);

    int code;
    switch (git_code) {
    case GIT_ENOTFOUND: code = DL_ENOTFOUND; break;
    case GIT_EEXISTS: code = DL_EEXISTS; break;
    case GIT_ELOCKED: code = DL_ELOCKED; break;
    case GIT_EMODIFIED: code = DL_EMODIFIED; break;
    case GIT_EINVALIDSPEC:
    case GIT_EINVALID: code = DL_EINVALID; break;
    default: code = DL_ERROR; break;
    }
    const git_error *e = git_error_last();
    return dl_error_set(code, "%s: %s", what,
                        e && e->message ? e->message : "unknown git error");
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

static char *join_path(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    int slash = na > 0 && a[na - 1] != '/';
    char *p = malloc(na + slash + nb + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, a, na);
    if (slash)
        p[na] = '/';
    memcpy(p + na + slash, b, nb + 1);
    return p;
}

static long long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A config string, or NULL. The caller frees. */
static char *config_string(git_config *config, const char *name)
{
    git_buf buf = {0};
    char *value = NULL;
    if (config != NULL && git_config_get_string_buf(&buf, config, name) == 0 && buf.size > 0)
        value = strndup(buf.ptr, buf.size);
    git_buf_dispose(&buf);
    return value;
}

int dl_history__signature(git_signature **out, git_repository *repo)
{
    git_config *config = NULL, *global = NULL;
    char *name = NULL, *email = NULL;
    int error;

    /* Like git: the GIT_AUTHOR_* variables, then user.name / user.email
     * from the repository's configuration (which includes the global and
     * system files), then the file GIT_CONFIG_GLOBAL names — libgit2 does
     * not read that variable itself — and last a fixed identity. */
    const char *env_name = getenv("GIT_AUTHOR_NAME");
    const char *env_email = getenv("GIT_AUTHOR_EMAIL");
    const char *global_path = getenv("GIT_CONFIG_GLOBAL");
    if (git_repository_config_snapshot(&config, repo) < 0)
        config = NULL;
    if (global_path != NULL && global_path[0] != '\0') {
        /* GIT_CONFIG_GLOBAL replaces the global file: look at the
         * repository's own level first, then that file. */
        git_config *local = NULL;
        if (config != NULL && git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL) < 0)
            local = NULL;
        git_config_free(config);
        config = local;
        if (git_config_open_ondisk(&global, global_path) < 0)
            global = NULL;
    }

    name = env_name && env_name[0] ? dup_string(env_name) : config_string(config, "user.name");
    if (name == NULL)
        name = config_string(global, "user.name");
    email = env_email && env_email[0] ? dup_string(env_email)
                                      : config_string(config, "user.email");
    if (email == NULL)
        email = config_string(global, "user.email");

    /* git_signature_now takes the zone from localtime_r, so versions keep
     * the writer's local offset, as git itself records it. */
    error = git_signature_now(out, name ? name : FALLBACK_NAME, email ? email : FALLBACK_EMAIL);
    if (error < 0)
        error = git_signature_now(out, FALLBACK_NAME, FALLBACK_EMAIL);
    if (error < 0)
        error = dl_history__git_error(error, "cannot make a signature");
    free(name);
    free(email);
    git_config_free(global);
    git_config_free(config);
    return error;
}

/* A ref's lock file older than this was left by a killed writer: git and
 * libgit2 hold one for the moment a ref update takes. */
#define STALE_LOCK_SECONDS 10

/*
 * Wait a little before retrying a locked ref. Returns 0 to retry, or
 * DL_ELOCKED (with a message naming the lock) once about two seconds have
 * gone by since `*started` (set on the first call when zero).
 */
static int lock_backoff(long long *started, unsigned attempt, git_repository *repo,
                        const char *refname)
{
    long long now = monotonic_ms();
    if (*started == 0)
        *started = now;
    if (now - *started > 2000) {
        const char *gitdir = git_repository_commondir(repo);
        return dl_error_set(DL_ELOCKED,
                            "%s is locked: %s%s.lock exists. Another git or dateline "
                            "process is writing it; if none is running, remove that file "
                            "(dateline does after %d seconds)",
                            refname, gitdir, refname, STALE_LOCK_SECONDS);
    }
    /* A little jitter so two writers that collided do not collide again. */
    long ns = (long)(1 + (attempt * 7 + (unsigned)getpid()) % 5) * 1000000L;
    struct timespec pause = {0, ns};
    nanosleep(&pause, NULL);
    return 0;
}

/*
 * Why the store cannot take new objects, if that is the trouble: a full
 * disk, a read-only file system, a quota. libgit2 can report such a
 * failure late and as something else (the version it just wrote "does
 * not exist"), so when a write fails, try one of our own in objects/ and
 * name its errno. 1 with `out` set when that write fails too.
 */
static int store_write_problem(char *out, size_t size, git_repository *repo)
{
    char path[4096];
    static const char block[16384];
    if (snprintf(path, sizeof(path), "%sobjects/dateline_probe_XXXXXX",
                 git_repository_commondir(repo)) >= (int)sizeof(path))
        return 0;
    int fd = mkstemp(path);
    int failed = fd < 0;
    /* Room for a version or two, not a single byte. */
    for (int i = 0; !failed && i < 4; i++)
        failed = write(fd, block, sizeof(block)) != (ssize_t)sizeof(block);
    if (!failed)
        failed = fsync(fd) < 0;
    int saved = errno;
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    if (failed)
        snprintf(out, size, "%s", strerror(saved ? saved : EIO));
    return failed;
}

/* Point `refname` at `id` if it still points at `expected` (NULL: if it
 * does not exist). DL_EMODIFIED when somebody else moved it first,
 * DL_ELOCKED when its lock file is held. */
static int ref_swap(git_repository *repo, const char *refname, const git_oid *id,
                    const git_oid *expected)
{
    git_reference *ref = NULL;
    git_oid none;
    /* The comparison happens under the ref's lock. For "must not exist"
     * libgit2 takes the zero id; git_reference_create(force = 0) would
     * check existence before locking, and two creators could both win. */
    memset(&none, 0, sizeof(none));
    int error = git_reference_create_matching(&ref, repo, refname, id, 1,
                                              expected ? expected : &none, "dateline");
    git_reference_free(ref);
    if (error == GIT_EEXISTS || error == GIT_EMODIFIED)
        return dl_error_set(DL_EMODIFIED, "%s moved while it was being updated", refname);
    if (error < 0) {
        char cause[256];
        if (store_write_problem(cause, sizeof(cause), repo))
            return dl_error_set(DL_ERROR, "cannot update %s: the store %s cannot be written: %s",
                                refname, git_repository_commondir(repo), cause);
        return dl_history__git_error(error, "cannot update %s", refname);
    }
    return 0;
}

/*
 * Remove `refname`'s lock file if it is stale; 1 if it was removed, and
 * the user is told (dl_notice_add): a lock is a sign of a writer that was
 * killed or crashed, worth knowing about. Two writers may find the same
 * stale lock, so the one file looked at is first renamed aside (only one
 * of them can), and should it turn out fresh (the other writer broke the
 * stale lock and took its own since), given back.
 */
int dl_history__break_stale_lock(git_repository *repo, const char *refname)
{
    const char *common = git_repository_commondir(repo);
    size_t size = strlen(common) + strlen(refname) + 64;
    char *lock = malloc(size), *aside = malloc(size);
    struct stat st;
    int broken = 0;

    if (lock == NULL || aside == NULL)
        goto done;
    snprintf(lock, size, "%s%s.lock", common, refname);
    snprintf(aside, size, "%sdateline-stale-%ld.lock", common, (long)getpid());
    if (stat(lock, &st) < 0 || time(NULL) - st.st_mtime < STALE_LOCK_SECONDS ||
        rename(lock, aside) < 0)
        goto done;
    long long age = (long long)(time(NULL) - st.st_mtime);
    if (stat(aside, &st) == 0 && time(NULL) - st.st_mtime < STALE_LOCK_SECONDS)
        link(aside, lock); /* should a third writer hold the lock by now, it stands */
    else
        broken = 1;
    unlink(aside);
    if (broken)
        dl_notice_add("removed a stale lock left %lld s ago by a writer that is gone: %s", age,
                      lock);

done:
    free(aside);
    free(lock);
    return broken;
}

/* How many times a writer that keeps losing the race tries again before
 * giving up: far more than any burst of real writers needs. */
#define REF_UPDATE_ATTEMPTS 10000

int dl_history__ref_update(git_repository *repo, const char *refname,
                           dl_history_ref_step step, void *payload)
{
    long long locked_since = 0;
    for (unsigned attempt = 0;; attempt++) {
        git_oid tip, next;
        int error = git_reference_name_to_id(&tip, repo, refname);
        if (error < 0 && error != GIT_ENOTFOUND)
            return dl_history__git_error(error, "cannot read %s", refname);
        const git_oid *current = error == 0 ? &tip : NULL;
        if ((error = step(&next, current, payload)) != 0)
            return error;
        error = ref_swap(repo, refname, &next, current);
        if (error == 0)
            return 0;
        if (error == DL_EMODIFIED && attempt < REF_UPDATE_ATTEMPTS)
            continue;
        if (error == DL_ELOCKED && dl_history__break_stale_lock(repo, refname))
            continue;
        if (error == DL_ELOCKED &&
            (error = lock_backoff(&locked_since, attempt, repo, refname)) == 0)
            continue;
        return error;
    }
}

/* ------------------------------------------------------------ stores -- */

static int make_dirs(const char *path, mode_t mode)
{
    char *copy = dup_string(path);
    int error = 0;
    if (copy == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, mode) < 0 && errno != EEXIST) {
            error = dl_error_set(DL_ERROR, "cannot create the history store directory %s: %s",
                                 copy, strerror(errno));
            break;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(copy);
    return error;
}

/* Whether a directory has no entries (we may turn it into a store). */
static int dir_is_empty(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *entry;
    int empty = 1;
    if (dir == NULL)
        return 0;
    while (empty && (entry = readdir(dir)) != NULL)
        empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
    closedir(dir);
    return empty;
}

/* What `git init --bare` puts in a repository, and the locks it takes
 * while it writes. */
static const char *const INIT_NAMES[] = {"HEAD", "HEAD.lock", "config", "config.lock",
                                         "description", "hooks", "info", "objects",
                                         "refs", "branches", ".", ".."};

/* Whether a directory that is not a repository holds nothing but what
 * `git init --bare` makes: a store whose creation was killed half-way
 * (by a dateline before stores were made atomically, or by the user's own
 * interrupted `git init`). */
static int is_half_made(const char *path)
{
    DIR *dir = opendir(path);
    struct dirent *entry;
    int half = 1;
    if (dir == NULL)
        return 0;
    while (half && (entry = readdir(dir)) != NULL) {
        half = 0;
        for (size_t i = 0; i < sizeof(INIT_NAMES) / sizeof(INIT_NAMES[0]) && !half; i++)
            half = strcmp(entry->d_name, INIT_NAMES[i]) == 0;
    }
    closedir(dir);
    return half;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* `shared`: make it writable for the group (git init --shared=group). */
static int init_bare(git_repository **out, const char *dir, int shared)
{
    git_repository_init_options init;
    git_repository_init_options_init(&init, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
    init.flags = GIT_REPOSITORY_INIT_BARE;
    init.description = "dateline history store";
    if (shared)
        init.mode = GIT_REPOSITORY_INIT_SHARED_GROUP;
    int error = git_repository_init_ext(out, dir, &init);
    if (error < 0)
        return dl_history__git_error(error, "cannot create the history store %s", dir);
    /* A `git gc` run in the store (docs/cli.md) would write a commit-graph,
     * and libgit2 1.5 checks that whole file on every history walk: 47 ms
     * per `log` on a newsroom's 200,000 versions, more than the walk. */
    git_config *config = NULL;
    if ((error = git_repository_config(&config, *out)) == 0)
        error = git_config_set_bool(config, "gc.writeCommitGraph", 0);
    git_config_free(config);
    if (error < 0) {
        git_repository_free(*out);
        *out = NULL;
        return dl_history__git_error(error, "cannot configure the history store %s", dir);
    }
    return 0;
}

/*
 * Create a bare store at `dir` (missing or empty): private, or writable
 * for the group when `shared`. It is made in a temporary sibling and
 * renamed into place, so a process killed while creating it leaves no
 * half-made store behind; when two processes create it at once, the first
 * rename wins and the other opens the winner's.
 */
static int create_store(git_repository **out, const char *dir, int shared)
{
    size_t length = strlen(dir);
    while (length > 1 && dir[length - 1] == '/')
        length--;
    char *target = strndup(dir, length), *temp = malloc(length + sizeof(".new-XXXXXX"));
    git_repository *repo = NULL;
    int error = 0;

    if (target == NULL || temp == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    char *slash = strrchr(target, '/');
    if (slash != NULL && slash != target) {
        *slash = '\0';
        error = make_dirs(target, 0700);
        *slash = '/';
        if (error < 0)
            goto done;
    }
    sprintf(temp, "%s.new-XXXXXX", target);
    /* mkdtemp makes it 0700: history is private, drafts are not for
     * other users to read. */
    if (mkdtemp(temp) == NULL) {
        error = dl_error_set(DL_ERROR, "cannot create the history store directory %s: %s",
                             temp, strerror(errno));
        goto done;
    }
    /* A shared store opens to the group like the repository it lives in;
     * the setgid bit keeps the group on what is made inside. */
    if (shared)
        chmod(temp, 02775);
    error = init_bare(&repo, temp, shared);
    git_repository_free(repo);
    repo = NULL;
    if (error == 0 && rename(temp, target) < 0 && errno != EEXIST && errno != ENOTEMPTY)
        error = dl_error_set(DL_ERROR, "cannot create the history store %s: %s", target,
                             strerror(errno));
    /* Gone when the rename succeeded; else ours lost, or failed. */
    nftw(temp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (error < 0)
        goto done;
    if ((error = git_repository_open_ext(&repo, target, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL)) < 0) {
        error = dl_history__git_error(error, "cannot open the history store %s", target);
        goto done;
    }
    *out = repo;

done:
    free(temp);
    free(target);
    return error;
}

/*
 * libgit2 opens a repository's HEAD and config with a blocking open(): a
 * FIFO (or a device) there would hang the caller for ever. So look at
 * them first with stat(), which never opens anything (and follows a
 * symbolic link, as git does, to a config kept elsewhere).
 */
static int check_store_files(const char *dir)
{
    static const char *const names[] = {"HEAD", "config", "packed-refs", "commondir", "gitdir"};
    char path[4096];
    struct stat st;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path))
            return dl_error_set(DL_EINVALID, "the history store path %s is too long", dir);
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return dl_error_set(DL_EINVALID,
                                "the history store %s is damaged: %s is not a regular file "
                                "(%s); move it away, or use --store DIR",
                                dir, path,
                                S_ISFIFO(st.st_mode)  ? "a FIFO"
                                : S_ISDIR(st.st_mode) ? "a directory"
                                : S_ISSOCK(st.st_mode) ? "a socket"
                                                       : "a device");
    }
    return 0;
}

/* Open the repository at `dir` exactly, creating a bare one (private, or
 * for the group when `shared`) if the directory is missing or empty, and
 * finishing one whose creation was killed half-way. */
static int open_or_create(git_repository **out, const char *dir, int shared)
{
    git_repository *repo = NULL;
    int error = check_store_files(dir);
    if (error < 0)
        return error;
    error = git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
    if (error == 0) {
        *out = repo;
        return 0;
    }
    struct stat st;
    if (error == GIT_EOWNER && stat(dir, &st) == 0)
        /* A store another writer of a shared repository made: git (and
         * libgit2) trust it only when told to, as they trust the
         * repository itself. */
        return dl_error_set(DL_ERROR,
                            "the history store %s is owned by someone else (uid %ld), and git "
                            "refuses it (dubious ownership); if you trust it, run: git config "
                            "--global --add safe.directory %s",
                            dir, (long)st.st_uid, dir);
    if (error != GIT_ENOTFOUND)
        return dl_history__git_error(error, "cannot open the history store %s", dir);

    if (stat(dir, &st) < 0 || dir_is_empty(dir))
        return create_store(out, dir, shared);
    if (!S_ISDIR(st.st_mode))
        return dl_error_set(DL_EINVALID, "the history store %s is not a directory", dir);
    if (!is_half_made(dir))
        return dl_error_set(DL_EINVALID,
                            "%s is not a git repository and not empty; "
                            "refusing to create a history store there", dir);
    /* git init completes a repository in place and overwrites nothing
     * that is there; its locks were left by the killed creator. */
    char *lock = malloc(strlen(dir) + sizeof("/config.lock"));
    if (lock == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    sprintf(lock, "%s/HEAD.lock", dir);
    unlink(lock);
    sprintf(lock, "%s/config.lock", dir);
    unlink(lock);
    free(lock);
    if ((error = init_bare(&repo, dir, shared)) < 0)
        return error;
    *out = repo;
    return 0;
}

static int fallback_store_dir(char **out)
{
    const char *data = getenv("XDG_DATA_HOME");
    char *base = NULL;
    /* The XDG spec says relative values are to be ignored. */
    if (data != NULL && data[0] == '/') {
        base = dup_string(data);
    } else {
        const char *home = getenv("HOME");
        if (home == NULL || home[0] != '/')
            return dl_error_set(DL_ERROR,
                                "neither XDG_DATA_HOME nor HOME is set; use --store DIR "
                                "or DATELINE_STORE to say where history goes");
        base = join_path(home, ".local/share");
    }
    char *dir = base ? join_path(base, "dateline/store.git") : NULL;
    free(base);
    if (dir == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    *out = dir;
    return 0;
}

/* The real directory a path lives in: the path itself for a directory,
 * else its parent. */
static int containing_dir(char **out, const char *path)
{
    struct stat st;
    char *dir = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir = realpath(path, NULL);
    } else {
        const char *slash = strrchr(path, '/');
        char *parent = slash == NULL ? dup_string(".")
                       : slash == path ? dup_string("/")
                                       : strndup(path, (size_t)(slash - path));
        if (parent == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        dir = realpath(parent, NULL);
        if (dir == NULL) {
            int code = errno == ENOENT ? DL_ENOTFOUND : DL_ERROR;
            int error = dl_error_set(code, "cannot use %s: directory %s: %s", path, parent,
                                     strerror(errno));
            free(parent);
            return error;
        }
        free(parent);
    }
    if (dir == NULL)
        return dl_error_set(DL_ERROR, "cannot resolve %s: %s", path, strerror(errno));
    *out = dir;
    return 0;
}

/* The permission bits core.sharedRepository asks to add to a directory,
 * as git reads it: group / true / 1, all / world / everybody / 2, or an
 * octal mode for files (the directory gets x wherever it gets r). */
static mode_t shared_dir_bits(git_repository *repo)
{
    git_config *config = NULL;
    mode_t bits = 0;
    if (git_repository_config_snapshot(&config, repo) < 0)
        return 0;
    char *value = config_string(config, "core.sharedRepository");
    git_config_free(config);
    if (value == NULL)
        return 0;
    if (strcmp(value, "group") == 0 || strcmp(value, "true") == 0 || strcmp(value, "1") == 0) {
        bits = 02070;
    } else if (strcmp(value, "all") == 0 || strcmp(value, "world") == 0 ||
               strcmp(value, "everybody") == 0 || strcmp(value, "2") == 0) {
        bits = 02075;
    } else if (value[0] == '0') {
        char *end;
        unsigned long octal = strtoul(value, &end, 8);
        if (*end == '\0' && octal <= 0777)
            bits = 02000 | (mode_t)octal | (mode_t)((octal & 0444) >> 2);
    }
    free(value);
    return bits;
}

/*
 * A repository a group writes (git init --shared, or an objects/ made
 * group-writable by hand) must stay writable for the group. libgit2 makes
 * directories with the process's umask alone, so an objects/ab/ or
 * refs/dateline/ that dateline made first would shut the others out of
 * it. So in such a repository, make every directory dateline writes to
 * beforehand, with the mode of objects/ (setgid included) plus what
 * core.sharedRepository asks for, and widen those of ours that an earlier
 * dateline made too narrow. Best effort: a directory that cannot be made
 * or changed is left to git's own error when it is used.
 */
static void share_like_repository(git_repository *repo)
{
    static const char *const dirs[] = {"refs/dateline", "refs/dateline-remotes", "refs/notes",
                                       "logs", "logs/refs", "logs/refs/notes"};
    const char *common = git_repository_commondir(repo);
    char path[4096];
    struct stat st;

    snprintf(path, sizeof(path), "%sobjects", common);
    if (stat(path, &st) < 0)
        return;
    mode_t mode = (st.st_mode & 07777) | shared_dir_bits(repo);
    if ((mode & 0020) == 0)
        return; /* not shared: the process's umask decides, as for git */

    for (size_t i = 0; i < 256 + sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (i < 256)
            snprintf(path, sizeof(path), "%sobjects/%02zx", common, i);
        else
            snprintf(path, sizeof(path), "%s%s", common, dirs[i - 256]);
        if (stat(path, &st) < 0) {
            if (mkdir(path, 0700) < 0 || stat(path, &st) < 0)
                continue;
        } else if (st.st_uid != geteuid() || (st.st_mode & mode) == mode) {
            continue;
        }
        chmod(path, (st.st_mode & 07777) | mode);
    }
}

/*
 * The store of the articles in `user`, a repository with a work tree:
 * dateline's own bare repository <common git dir>/dateline, so that
 * worktrees share it and the user's git log, gitk, gc and fsck never see
 * it. It is made group-writable when the user's repository is shared
 * (core.sharedRepository, or an objects/ the group may write).
 */
static int open_repository_store(git_repository **out, git_repository *user)
{
    char *dir = join_path(git_repository_commondir(user), "dateline");
    struct stat st;
    if (dir == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    char *objects = join_path(git_repository_commondir(user), "objects");
    int shared = (shared_dir_bits(user) & 0020) != 0 ||
                 (objects != NULL && stat(objects, &st) == 0 && (st.st_mode & 0020) != 0);
    free(objects);
    int error = open_or_create(out, dir, shared);
    free(dir);
    return error;
}

/*
 * git refuses a repository another user owns ("dubious ownership"), and so
 * does libgit2; 1.5 then reports it as no repository at all, which would
 * quietly send the article's history to the private store. When discovery
 * from `dir` does find a repository, say what git says instead: its owner
 * and the safe.directory advice. 0 when there is no repository to refuse.
 */
static int refuse_foreign_repository(const char *dir)
{
    git_buf found = {0};
    struct stat st;
    int error = 0;
    if (git_repository_discover(&found, dir, 0, NULL) == 0 && stat(found.ptr, &st) == 0 &&
        st.st_uid != geteuid()) {
        /* git names the work tree: the folder holding .git. */
        char *top = strndup(found.ptr, found.size);
        size_t n = top ? strlen(top) : 0;
        while (n > 1 && top[n - 1] == '/')
            top[--n] = '\0';
        if (n > 5 && strcmp(top + n - 5, "/.git") == 0)
            top[n - 5] = '\0';
        error = dl_error_set(DL_ERROR,
                             "the git repository at %s is owned by someone else (uid %ld), "
                             "and git refuses it (dubious ownership); if you trust it, run: "
                             "git config --global --add safe.directory %s",
                             top ? top : found.ptr, (long)st.st_uid, top ? top : found.ptr);
        free(top);
    }
    git_buf_dispose(&found);
    return error;
}

int dl_history_library_init(void)
{
    int count = git_libgit2_init();
    if (count < 0)
        return dl_history__git_error(count, "cannot initialise libgit2");
    /* git finds ~/.gitconfig through $HOME; libgit2 may ask the password
     * database instead. Follow git, so that HOME=... works as people
     * expect (and tests can have their own identity). Only the first
     * initialisation sets it: options are process-wide and not meant to
     * change under another thread. */
    if (count == 1) {
        const char *home = getenv("HOME");
        if (home != NULL && home[0] == '/')
            git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, home);
        /* Like git, do not hash every object again on each read (7% of
         * `log` on 2,000 versions): zlib's checksum catches a damaged
         * object, git fsck checks the ids, and pull checks what it adopts. */
        git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
        /* Keep parsed trees up to 64 KB in the object cache, not 4 KB:
         * the notes tree of a newsroom's store (256 fan-out entries, 7 KB)
         * was read and parsed again for each version's note, a tenth of
         * `log` there. */
        git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE, (size_t)64 * 1024);
    }
    return 0;
}

void dl_history_library_release(void)
{
    git_libgit2_shutdown();
}

int dl_history_store_open(dl_history_store **out, const char *path,
                          const dl_history_store_options *opts)
{
    dl_history_store *store = NULL;
    git_repository *repo = NULL, *user = NULL;
    char *dir = NULL, *store_dir = NULL;
    int error;

    if ((error = dl_history_library_init()) < 0)
        return error;

    const char *explicit_dir = opts && opts->store_dir ? opts->store_dir : NULL;
    if (explicit_dir == NULL) {
        const char *env = getenv("DATELINE_STORE");
        if (env != NULL && env[0] != '\0')
            explicit_dir = env;
    }

    if (explicit_dir != NULL) {
        if ((error = open_or_create(&repo, explicit_dir, 0)) < 0)
            goto done;
    } else {
        if ((error = containing_dir(&dir, path ? path : ".")) < 0)
            goto done;
        error = git_repository_open_ext(&user, dir, 0, NULL);
        if (error == GIT_EOWNER || error == GIT_ENOTFOUND) {
            int refused = refuse_foreign_repository(dir);
            if (refused < 0) {
                error = refused;
                goto done;
            }
        }
        if (error == 0 && git_repository_is_bare(user)) {
            /* A bare repository has no files to version; treat the article
             * as being outside any repository. */
            git_repository_free(user);
            user = NULL;
            error = GIT_ENOTFOUND;
        }
        if (error == GIT_ENOTFOUND) {
            if ((error = fallback_store_dir(&store_dir)) < 0)
                goto done;
            if ((error = open_or_create(&repo, store_dir, 0)) < 0)
                goto done;
        } else if (error < 0) {
            error = dl_history__git_error(error, "cannot open the git repository containing %s",
                                          path);
            goto done;
        } else if ((error = open_repository_store(&repo, user)) < 0) {
            goto done;
        }
    }

    share_like_repository(repo);
    store = calloc(1, sizeof(*store));
    if (store == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    store->repo = repo;
    repo = NULL;
    store->user = user;
    user = NULL;
    store->gitdir = dup_string(git_repository_path(store->repo));
    /* Keys are relative to the work tree the articles are in. */
    const char *workdir = git_repository_workdir(dl_history__identity(store));
    if (workdir != NULL) {
        char *real = realpath(workdir, NULL);
        /* With a trailing '/', so that a prefix test finds the files in it. */
        store->workdir = real ? join_path(real, "") : NULL;
        free(real);
    }
    pthread_mutex_init(&store->lock, NULL);
    dl_history__packs_seen(store);
    if (store->user != NULL && (error = dl_history__migrate(store)) < 0) {
        dl_history_store_free(store); /* and the library's reference */
        free(store_dir);
        free(dir);
        return error;
    }
    *out = store;
    store = NULL;
    error = 0;

done:
    free(store_dir);
    free(dir);
    git_repository_free(user);
    git_repository_free(repo);
    free(store);
    if (error < 0)
        git_libgit2_shutdown();
    return error;
}

const char *dl_history_store_path(const dl_history_store *store)
{
    return store ? store->gitdir : NULL;
}


void dl_history_store_free(dl_history_store *store)
{
    if (store == NULL)
        return;
    pthread_mutex_destroy(&store->lock);
    git_repository_free(store->loose_repo);
    git_odb_free(store->loose);
    git_repository_free(store->repo);
    git_repository_free(store->user);
    free(store->gitdir);
    free(store->workdir);
    free(store);
    git_libgit2_shutdown();
}

/* ----------------------------------------------------------- articles -- */

/*
 * An article in a folder that an earlier dateline recorded under the old
 * ref name (folders as ref folders) keeps that name, so its history goes
 * on where it is; new articles get the one-component name.
 */
static int keep_old_refname(dl_history *history)
{
    char *old = NULL;
    git_oid id;
    if (strchr(history->key + 1, '/') == NULL)
        return 0; /* both forms agree */
    int error = dl_history__refname_escape_old(&old, history->key);
    if (error < 0)
        return error;
    pthread_mutex_lock(&history->store->lock);
    git_repository *repo = history->store->repo;
    int use_old = git_reference_name_to_id(&id, repo, history->refname) == GIT_ENOTFOUND &&
                  git_reference_name_to_id(&id, repo, old) == 0;
    pthread_mutex_unlock(&history->store->lock);
    if (use_old) {
        free(history->refname);
        history->refname = old;
        old = NULL;
    }
    free(old);
    return 0;
}

int dl_history_open(dl_history **out, dl_history_store *store, const char *file)
{
    dl_history *history = NULL;
    char *dir = NULL, *absolute = NULL;
    struct stat st;
    int error;

    if (file == NULL || file[0] == '\0')
        return dl_error_set(DL_EINVALID, "no article file given");
    if (stat(file, &st) == 0 && S_ISDIR(st.st_mode))
        return dl_error_set(DL_EINVALID, "%s is a directory, not an article", file);

    if ((error = containing_dir(&dir, file)) < 0)
        goto done;
    const char *slash = strrchr(file, '/');
    const char *base = slash ? slash + 1 : file;
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        error = dl_error_set(DL_EINVALID, "%s is a directory, not an article", file);
        goto done;
    }
    if ((absolute = join_path(dir, base)) == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }

    history = calloc(1, sizeof(*history));
    if (history == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    history->store = store;
    history->file = absolute;
    absolute = NULL;

    size_t wlen = store->workdir ? strlen(store->workdir) : 0;
    if (wlen > 0 && strncmp(history->file, store->workdir, wlen) == 0)
        history->key = dup_string(history->file + wlen);
    else
        history->key = dup_string(history->file);
    if (history->key == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    history->tree_path = history->key + (history->key[0] == '/');
    if ((error = dl_history_refname_escape(&history->refname, history->key)) < 0 ||
        (error = keep_old_refname(history)) < 0)
        goto done;

    *out = history;
    history = NULL;

done:
    dl_history_free(history);
    free(absolute);
    free(dir);
    return error;
}

void dl_history_free(dl_history *history)
{
    if (history == NULL)
        return;
    free(history->file);
    free(history->key);
    free(history->refname);
    dl_history__parsed_free(history->parsed);
    free(history);
}

const char *dl_history_key(const dl_history *history)
{
    return history ? history->key : NULL;
}

const char *dl_history_refname(const dl_history *history)
{
    return history ? history->refname : NULL;
}

const char *dl_history_file(const dl_history *history)
{
    return history ? history->file : NULL;
}

/* A separator and two digits at `p`; returns the end. */
static char *put_two_digits(char *p, char separator, int value)
{
    *p++ = separator;
    *p++ = (char)('0' + value / 10 % 10);
    *p++ = (char)('0' + value % 10);
    return p;
}

void dl_history_format_time(char *out, size_t size, long long when, int offset)
{
    time_t local = (time_t)(when + (long long)offset * 60);
    struct tm tm;
    gmtime_r(&local, &tm);
    /* Digits by hand: strftime and snprintf were a fifth of writing a
     * version of `log --json`. The year as strftime's %Y writes it. */
    int minutes = offset < 0 ? -offset : offset;
    char text[48], *p = text + snprintf(text, 16, "%d", tm.tm_year + 1900);
    p = put_two_digits(p, '-', tm.tm_mon + 1);
    p = put_two_digits(p, '-', tm.tm_mday);
    p = put_two_digits(p, 'T', tm.tm_hour);
    p = put_two_digits(p, ':', tm.tm_min);
    p = put_two_digits(p, ':', tm.tm_sec);
    p = put_two_digits(p, offset < 0 ? '-' : '+', minutes / 60);
    p = put_two_digits(p, ':', minutes % 60);
    *p = '\0';
    snprintf(out, size, "%s", text);
}

/* -------------------------------------------------------- file access -- */


/* The pid in a restore's temporary file name ".<name>.dateline-<pid>-<n>"
 * (what write_file_atomically makes), or 0 when `name` is not one. */
static long restore_temp_pid(const char *name)
{
    const char *mark = name[0] == '.' ? strstr(name + 1, ".dateline-") : NULL;
    if (mark == NULL || mark == name + 1)
        return 0;
    const char *p = mark + strlen(".dateline-");
    long pid = 0;
    for (; *p >= '0' && *p <= '9' && pid < 100000000; p++)
        pid = pid * 10 + (*p - '0');
    if (*p != '-' || p[1] == '\0')
        return 0;
    for (p++; *p >= '0' && *p <= '9'; p++)
        ;
    return *p == '\0' ? pid : 0;
}

/*
 * A restore killed between creating its temporary file and renaming it
 * leaves the file behind. Remove those of processes that are gone (kill
 * with signal 0: ESRCH means no such process; EPERM means it lives under
 * another user), so they do not pile up in the writer's folder. Best
 * effort: a folder that cannot be listed is left as it is.
 */
static void remove_dead_restore_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        long pid = restore_temp_pid(entry->d_name);
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char *path = malloc(strlen(dir) + strlen(entry->d_name) + 2);
        struct stat st;
        if (path != NULL) {
            sprintf(path, "%s/%s", dir, entry->d_name);
            if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
                unlink(path);
        }
        free(path);
    }
    closedir(d);
}

/*
 * Replace `path` with `data` so that a reader (or a crash) sees either the
 * old file or the new one, never a mix: write a temporary file next to it,
 * flush it, give it the old file's mode, rename it over.
 */
static int write_file_atomically(const char *path, const char *data, size_t size)
{
    char *target = realpath(path, NULL); /* write through a symlink, not over it */
    const char *dest = target ? target : path;
    char *temp = malloc(strlen(dest) + 64);
    int fd = -1, error = 0;
    struct stat st;

    if (temp == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    const char *slash = strrchr(dest, '/');
    int dirlen = slash ? (int)(slash - dest + 1) : 0;
    if (slash != NULL) {
        sprintf(temp, "%.*s", dirlen > 1 ? dirlen - 1 : 1, dest);
        remove_dead_restore_temps(temp);
    } else {
        remove_dead_restore_temps(".");
    }
    for (unsigned attempt = 0; fd < 0 && attempt < 100; attempt++) {
        sprintf(temp, "%.*s.%s.dateline-%ld-%u", dirlen, dest, dest + dirlen,
                (long)getpid(), attempt);
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        error = dl_error_set(DL_ERROR, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    if (stat(dest, &st) == 0)
        fchmod(fd, st.st_mode & 07777);

    for (size_t written = 0; written < size;) {
        ssize_t n = write(fd, data + written, size - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = dl_error_set(DL_ERROR, "cannot write %s: %s", path, strerror(errno));
            goto done;
        }
        written += (size_t)n;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        fd = -1;
        error = dl_error_set(DL_ERROR, "cannot write %s: %s", path, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(temp, dest) < 0) {
        error = dl_error_set(DL_ERROR, "cannot replace %s: %s", path, strerror(errno));
        goto done;
    }

done:
    if (fd >= 0)
        close(fd);
    if (error < 0 && temp != NULL)
        unlink(temp);
    free(temp);
    free(target);
    return error;
}

/* ---------------------------------------------------------- recording -- */

/* A tree holding only `blob` at `path`, nested trees for its directories. */
static int build_tree(git_oid *out, git_repository *repo, const char *path,
                      const git_oid *blob)
{
    git_treebuilder *builder = NULL;
    git_oid child = *blob;
    git_filemode_t mode = GIT_FILEMODE_BLOB;
    const char *end = path + strlen(path);
    int error = 0;

    /* Build from the leaf up: each level holds one entry, the level below. */
    while (end > path) {
        const char *start = end;
        while (start > path && start[-1] != '/')
            start--;
        char *name = strndup(start, (size_t)(end - start));
        if (name == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        if ((error = git_treebuilder_new(&builder, repo, NULL)) < 0 ||
            (error = git_treebuilder_insert(NULL, builder, name, &child, mode)) < 0 ||
            (error = git_treebuilder_write(&child, builder)) < 0) {
            error = dl_history__git_error(error, "cannot store the path '%s'", path);
            free(name);
            git_treebuilder_free(builder);
            return error;
        }
        free(name);
        git_treebuilder_free(builder);
        builder = NULL;
        mode = GIT_FILEMODE_TREE;
        end = start > path ? start - 1 : start;
        while (end > path && end[-1] == '/')
            end--;
    }
    *out = child;
    return 0;
}

/* The latest version, or *found = 0 when the article has no history. */
static int lookup_tip(git_oid *out, int *found, git_repository *repo,
                      const char *refname)
{
    int error = git_reference_name_to_id(out, repo, refname);
    if (error == GIT_ENOTFOUND) {
        *found = 0;
        return 0;
    }
    if (error < 0)
        return dl_history__git_error(error, "cannot read %s", refname);
    *found = 1;
    return 0;
}

/* Trailers in a version's commit message: what log reads back. */
#define TRAILER_WORDS "Dateline-Words: "
#define TRAILER_DELTA "Dateline-Words-Delta: "
#define TRAILER_SUMMARY "Dateline-Summary: "
#define TRAILER_TEXT "Dateline-Text: "
#define TRAILER_TRIVIAL "Dateline-Trivial: "

static int read_locked(char **out, size_t *out_size, dl_history *history, const git_oid *id);

/* The commit message of a new version: "<key>: <summary>" and trailers
 * recording what it changed against `parent` (NULL for a first version). */
static int compose_message(char **out, dl_history *history, const git_oid *parent,
                           const char *content, size_t size)
{
    char *read = NULL;
    size_t old_size = 0;
    dl_history_change change = {0};
    int error;

    /* The parent's text is usually the one this handle recorded last. */
    const char *old = parent ? dl_history__parsed_text(history, parent, &old_size) : NULL;
    if (parent && old == NULL) {
        if ((error = read_locked(&read, &old_size, history, parent)) < 0)
            return error;
        old = read;
    }
    error = dl_history__describe(history, &change, old, old_size, content, size);
    free(read);
    if (error < 0)
        return error;

    const char *subject = change.summary ? change.summary : parent ? "changed" : "first version";
    size_t length = strlen(history->key) + 2 * strlen(subject) + 192;
    char *message = malloc(length);
    if (message == NULL) {
        dl_history_change_dispose(&change);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    int n = snprintf(message, length, "%s: %s\n\n" TRAILER_WORDS "%zu\n" TRAILER_DELTA "%+lld\n",
                     history->key, subject, change.words, change.words_delta);
    if (change.summary)
        n += snprintf(message + n, length - (size_t)n, TRAILER_SUMMARY "%s\n", change.summary);
    if (change.not_text)
        n += snprintf(message + n, length - (size_t)n, TRAILER_TEXT "no\n");
    if (change.trivial)
        snprintf(message + n, length - (size_t)n, TRAILER_TRIVIAL "yes\n");
    dl_history_change_dispose(&change);
    *out = message;
    return 0;
}

/* A trailer's decimal value up to the end of its line: 1 when it is
 * well-formed and fits a long long (non-negative unless `signed_ok`). */
static int parse_trailer_number(long long *out, const char *s, int signed_ok)
{
    const char *digits = s + (signed_ok && (*s == '-' || *s == '+'));
    if (*digits < '0' || *digits > '9')
        return 0;
    char *end;
    errno = 0;
    long long value = strtoll(s, &end, 10);
    if (errno == ERANGE || (*end != '\n' && *end != '\0'))
        return 0;
    *out = value;
    return 1;
}

/* The change a version's trailers record; 0 when it has none (a merge, or a
 * version recorded by an older dateline), to be described from content. */
static int parse_trailers(dl_history_change *out, const char *message)
{
    const char *words = strstr(message, "\n" TRAILER_WORDS);
    const char *delta = strstr(message, "\n" TRAILER_DELTA);
    long long count, change;
    /* Trailers come from whoever made the commit (a pulled remote too): a
     * number that does not fit is not believed, and the version is
     * described from its content instead. */
    if (words == NULL || delta == NULL ||
        !parse_trailer_number(&count, words + 1 + strlen(TRAILER_WORDS), 0) ||
        !parse_trailer_number(&change, delta + 1 + strlen(TRAILER_DELTA), 1))
        return 0;
    out->words = (size_t)count;
    out->words_delta = change;
    /* Only an exact "no" flags a version: anything else on that line is
     * not believed, as with the numbers. */
    const char *text = strstr(message, "\n" TRAILER_TEXT);
    if (text != NULL) {
        text += 1 + strlen(TRAILER_TEXT);
        out->not_text = strcspn(text, "\n") == 2 && strncmp(text, "no", 2) == 0;
    }
    const char *trivial = strstr(message, "\n" TRAILER_TRIVIAL);
    if (trivial != NULL) {
        trivial += 1 + strlen(TRAILER_TRIVIAL);
        out->trivial = strcspn(trivial, "\n") == 3 && strncmp(trivial, "yes", 3) == 0;
    }
    const char *summary = strstr(message, "\n" TRAILER_SUMMARY);
    if (summary != NULL) {
        summary += 1 + strlen(TRAILER_SUMMARY);
        size_t length = strcspn(summary, "\n");
        if ((out->summary = malloc(length + 1)) == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        memcpy(out->summary, summary, length);
        out->summary[length] = '\0';
    }
    return 1;
}

/* The tree of the version `tip`, without reading it when this handle
 * recorded that version. */
static int tree_of(git_oid *out, dl_history *history, const git_oid *tip)
{
    if (history->has_recorded && git_oid_equal(tip, &history->recorded)) {
        git_oid_cpy(out, &history->recorded_tree);
        return 0;
    }
    git_commit *commit = NULL;
    int error = git_commit_lookup(&commit, history->store->repo, tip);
    if (error < 0)
        return dl_history__git_error(error, "cannot read the latest version of %s", history->key);
    git_oid_cpy(out, git_commit_tree_id(commit));
    git_commit_free(commit);
    return 0;
}

/*
 * The repository that writes a new version's objects: the store itself,
 * or its loose objects alone when the content is new.
 *
 * Before writing an object, libgit2 looks for it in every backend and,
 * when none has it, reads the pack folder again and looks once more: for
 * each of the three objects of a save, at a cost that grows with the
 * number of packs (dateline adds one every 40 versions, 250 at 10,000
 * versions, where those reloads made a save cost three times what it
 * costs after `git gc`). Content that neither a loose object nor a pack
 * this process knows holds is new, and its blob, trees and commit cannot
 * exist either: they are written to loose objects directly, as git
 * writes them (git does not read the pack folder again before a write
 * either). Content that exists goes through the store, which refreshes
 * the existing object's time as git does. Should another process have
 * packed the same content meanwhile, the loose copy is a duplicate that
 * the next packing removes.
 */
static int writer_for(git_repository **out, dl_history_store *store, const git_oid *blob)
{
    git_odb *odb = NULL;
    int error = git_repository_odb(&odb, store->repo);
    int known = error < 0 || git_odb_exists_ext(odb, blob, GIT_ODB_LOOKUP_NO_REFRESH);
    git_odb_free(odb);
    *out = store->repo;
    if (known)
        return 0;
    return dl_history__loose_repo(out, store);
}

int dl_history__loose_repo(git_repository **out, dl_history_store *store)
{
    if (store->loose_repo == NULL) {
        /* With the options the store's own loose backend takes: libgit2's
         * default compression, and fsync when core.fsyncObjectFiles asks. */
        git_config *config = NULL;
        git_odb *loose = NULL;
        git_odb_backend *backend = NULL;
        git_repository *repo = NULL;
        int fsync_objects = 0, error;
        if (git_repository_config_snapshot(&config, store->repo) == 0 &&
            git_config_get_bool(&fsync_objects, config, "core.fsyncObjectFiles") < 0)
            fsync_objects = 0;
        git_config_free(config);
        char *objects = join_path(git_repository_commondir(store->repo), "objects");
        if (objects == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        if ((error = git_odb_new(&loose)) == 0 &&
            (error = git_odb_backend_loose(&backend, objects, -1, fsync_objects, 0, 0)) == 0 &&
            (error = git_odb_add_backend(loose, backend, 1)) < 0)
            backend->free(backend); /* not the database's yet */
        if (error == 0)
            error = git_repository_wrap_odb(&repo, loose);
        free(objects);
        if (error < 0) {
            git_odb_free(loose);
            return dl_history__git_error(error, "cannot open the objects of %s", store->gitdir);
        }
        store->loose = loose;
        store->loose_repo = repo;
    }
    *out = store->loose_repo;
    return 0;
}

/* A version being recorded, for dl_history__ref_update. */
typedef struct {
    dl_history *history;
    git_repository *writer; /* writer_for's choice */
    const char *content;
    size_t size;
    git_oid tree;
    git_signature *sig;
    char *message;        /* describes the change from `parent`, or NULL */
    git_oid parent;
    int has_parent;
    git_oid commit;       /* the version made last */
} snapshot_job;

/* The version's commit on top of `tip`, its tree and parent read back
 * through `reader`, which proves they exist (as git_commit_create_from_ids
 * checks), and written to the loose objects. A libgit2 error code. */
static int commit_through(git_oid *out, snapshot_job *job, const git_oid *tip,
                          git_repository *reader)
{
    git_tree *tree = NULL;
    git_commit *parent = NULL;
    git_buf buffer = {0};
    int error = tip != NULL ? git_commit_lookup(&parent, reader, tip) : 0;
    if (error == 0)
        error = git_tree_lookup(&tree, reader, &job->tree);
    const git_commit *parents[1] = {parent};
    if (error == 0)
        error = git_commit_create_buffer(&buffer, reader, job->sig, job->sig, NULL, job->message,
                                         tree, tip != NULL ? 1 : 0, parents);
    if (error == 0)
        error = git_odb_write(out, job->history->store->loose, buffer.ptr, buffer.size,
                              GIT_OBJECT_COMMIT);
    git_buf_dispose(&buffer);
    git_commit_free(parent);
    git_tree_free(tree);
    return error;
}

/* The version's commit on top of `tip`, written by the job's writer. A
 * libgit2 error code. */
static int create_commit(git_oid *out, snapshot_job *job, const git_oid *tip)
{
    dl_history_store *store = job->history->store;
    const git_oid *parent_ids[1] = {tip};
    if (job->writer == store->repo)
        return git_commit_create_from_ids(out, store->repo, NULL, job->sig, job->sig, NULL,
                                          job->message, &job->tree, tip != NULL ? 1 : 0,
                                          parent_ids);
    /* Through the loose objects, where the tree just written is and the
     * parent usually is (the store would first look through every pack);
     * through the store when that fails: the parent has been packed since,
     * by this process or another, and its loose copy removed. */
    int error = commit_through(out, job, tip, store->loose_repo);
    if (error < 0) {
        git_error_clear();
        error = commit_through(out, job, tip, store->repo);
    }
    return error;
}

/* Make the version on top of `tip`, or stop with DL_EUNCHANGED when `tip`
 * already holds the content. A lost race comes back here with the winner
 * as `tip`: the version is re-made on it (same tree, new parent), so
 * nothing is lost and the order is whoever won. */
static int snapshot_step(git_oid *next, const git_oid *tip, void *payload)
{
    snapshot_job *job = payload;
    dl_history *history = job->history;
    int error;

    if (tip != NULL) {
        /* The tree holds nothing but the article, so equal trees mean
         * equal content. */
        git_oid parent_tree;
        if ((error = tree_of(&parent_tree, history, tip)) < 0)
            return error;
        if (git_oid_equal(&parent_tree, &job->tree)) {
            git_oid_cpy(&job->commit, tip);
            char hex[GIT_OID_HEXSZ + 1];
            return dl_error_set(DL_EUNCHANGED, "unchanged: %s",
                                git_oid_tostr(hex, sizeof(hex), tip));
        }
    }
    /* Describe the change once per parent. */
    int same_parent = job->message != NULL && (tip != NULL) == job->has_parent &&
                      (tip == NULL || git_oid_equal(&job->parent, tip));
    if (!same_parent) {
        free(job->message);
        job->message = NULL;
        if ((error = compose_message(&job->message, history, tip, job->content, job->size)) < 0)
            return error;
        job->has_parent = tip != NULL;
        if (tip != NULL)
            git_oid_cpy(&job->parent, tip);
    }
    if ((error = create_commit(&job->commit, job, tip)) < 0)
        return dl_history__git_error(error, "cannot record %s", history->file);
    git_oid_cpy(next, &job->commit);
    return 0;
}

static int snapshot_locked(dl_history_id *out, dl_history *history,
                           const char *content, size_t size, const char *note, int tidy)
{
    git_repository *repo = history->store->repo;
    snapshot_job job = {.history = history, .content = content, .size = size};
    git_oid blob;
    int error;

    /* Any bytes: a save with a NUL byte or invalid UTF-8 is recorded too
     * (flagged, see describe), since losing it is worse than not reading it. */
    if ((error = git_odb_hash(&blob, content, size, GIT_OBJECT_BLOB)) < 0)
        return dl_history__git_error(error, "cannot store %s", history->file);
    if ((error = writer_for(&job.writer, history->store, &blob)) < 0)
        return error;
    if ((error = git_blob_create_from_buffer(&blob, job.writer, content, size)) < 0)
        return dl_history__git_error(error, "cannot store %s", history->file);
    if ((error = build_tree(&job.tree, job.writer, history->tree_path, &blob)) < 0)
        return error;
    if ((error = dl_history__signature(&job.sig, dl_history__identity(history->store))) < 0)
        goto done;

    error = dl_history__ref_update(repo, history->refname, snapshot_step, &job);
    if (error == DL_EUNCHANGED)
        git_oid_tostr(out->hex, sizeof(out->hex), &job.commit);
    if (error < 0)
        goto done;

    git_oid_cpy(&history->recorded, &job.commit);
    git_oid_cpy(&history->recorded_tree, &job.tree);
    history->has_recorded = 1;
    dl_history__parsed_is(history, &job.commit);
    git_oid_tostr(out->hex, sizeof(out->hex), &job.commit);
    if (note != NULL &&
        (error = dl_history__note_set(history->store, &job.commit, history->key, note, 0)) < 0)
        goto done;
    if (tidy)
        dl_history__maybe_pack(history->store, &job.commit);
    error = 0;

done:
    free(job.message);
    git_signature_free(job.sig);
    return error;
}

int dl_history_snapshot(dl_history_id *out, dl_history *history,
                        const dl_history_snapshot_options *opts)
{
    char *data = NULL;
    size_t size = 0;
    int error;
    const char *note = opts ? opts->note : NULL;
    dl_history_id id;

    if ((opts == NULL || opts->content == NULL) &&
        (error = dl_text_read_file(&data, &size, history->file)) < 0)
        return error;

    int tidy = opts == NULL || !opts->defer_tidy;
    pthread_mutex_lock(&history->store->lock);
    if (opts != NULL && opts->content != NULL)
        error = snapshot_locked(&id, history, opts->content, opts->content_size, note, tidy);
    else
        error = snapshot_locked(&id, history, data, size, note, tidy);
    pthread_mutex_unlock(&history->store->lock);

    if (error == 0 || error == DL_EUNCHANGED)
        *out = id;
    free(data);
    return error;
}

void dl_history_tidy(dl_history *history)
{
    git_oid tip;
    int found = 0;
    pthread_mutex_lock(&history->store->lock);
    if (lookup_tip(&tip, &found, history->store->repo, history->refname) == 0 && found)
        dl_history__maybe_pack(history->store, &tip);
    pthread_mutex_unlock(&history->store->lock);
    dl_error_clear(); /* best effort */
}

/* -------------------------------------------------------------- notes -- */

int dl_history__note_get(char **out, git_repository *repo, const git_oid *target)
{
    git_note *note = NULL;
    int error = git_note_read(&note, repo, DL_HISTORY_NOTES_REF, target);
    if (error == GIT_ENOTFOUND) {
        *out = NULL;
        return 0;
    }
    if (error < 0)
        return dl_history__git_error(error, "cannot read notes");
    *out = dup_string(git_note_message(note));
    git_note_free(note);
    return *out ? 0 : dl_error_set(DL_ERROR, "out of memory");
}

int dl_history__notes_commit(git_oid *out, git_repository *repo, const git_commit *parent,
                             const git_signature *sig, const git_oid *tree, const char *message)
{
    const git_oid *parents[1] = {parent ? git_commit_id(parent) : NULL};
    int error = git_commit_create_from_ids(out, repo, NULL, sig, sig, NULL, message, tree,
                                           parent ? 1 : 0, parents);
    return error < 0 ? dl_history__git_error(error, "cannot write the notes commit") : 0;
}

/* A note being attached, for dl_history__ref_update. */
typedef struct {
    git_repository *repo;
    const git_oid *target;
    const char *key;
    const char *note;
    int merge;
    git_signature *sig;
} note_job;

/* "dateline: note on <short id> of <key>", then the note's first line:
 * what `git log refs/notes/dateline` shows a reader. NULL: no memory. */
static char *note_message(const git_oid *target, const char *key, const char *note)
{
    char hex[DL_HISTORY_ID_SHORTSIZE + 1];
    size_t first = strcspn(note, "\r\n");
    size_t size = strlen(key) + first + 64;
    char *message = malloc(size);
    if (message != NULL)
        snprintf(message, size, "dateline: note on %s of %s\n\n%.*s\n",
                 git_oid_tostr(hex, sizeof(hex), target), key, (int)first, note);
    return message;
}

/* The notes commit on top of `tip` that gives the target its note; 1 when
 * a merged note already holds the text. */
static int note_step(git_oid *next, const git_oid *tip, void *payload)
{
    note_job *job = payload;
    git_commit *parent = NULL, *made = NULL;
    char *joined = NULL, *message = NULL;
    const char *text = job->note;
    git_oid made_id;
    int error;

    if (tip != NULL && (error = git_commit_lookup(&parent, job->repo, tip)) < 0)
        return dl_history__git_error(error, "cannot read %s", DL_HISTORY_NOTES_REF);
    git_note *old = NULL;
    if (job->merge && parent != NULL && git_note_commit_read(&old, job->repo, parent, job->target) == 0) {
        const char *was = git_note_message(old);
        if (strstr(was, job->note) != NULL) {
            error = 1; /* already there */
            goto done;
        }
        if ((joined = malloc(strlen(was) + strlen(job->note) + 3)) == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        sprintf(joined, "%s\n\n%s", was, job->note);
        text = joined;
    }
    /* libgit2 lays out the notes tree (fan-out included); the commit on
     * it, with a message a person can read, is ours. */
    if ((error = git_note_commit_create(&made_id, NULL, job->repo, parent, job->sig, job->sig,
                                        job->target, text, 1)) < 0 ||
        (error = git_commit_lookup(&made, job->repo, &made_id)) < 0) {
        /* A full disk shows here as the commit just written missing. */
        char cause[256];
        if (store_write_problem(cause, sizeof(cause), job->repo))
            error = dl_error_set(DL_ERROR, "cannot write the note: the store %s cannot be "
                                 "written: %s", git_repository_commondir(job->repo), cause);
        else
            error = dl_history__git_error(error, "cannot write the note");
        goto done;
    }
    if ((message = note_message(job->target, job->key, text)) == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    error = dl_history__notes_commit(next, job->repo, parent, job->sig,
                                     git_commit_tree_id(made), message);
    /* libgit2's commit is not kept: left, it would be a loose file for
     * good (dateline packs only what its refs reach, and nobody runs `git
     * gc` in its store), one for every note ever written. */
    if (error == 0)
        dl_history__discard_loose(job->repo, &made_id);

done:
    free(message);
    git_commit_free(made);
    git_note_free(old);
    free(joined);
    git_commit_free(parent);
    return error;
}

int dl_history__note_set(dl_history_store *store, const git_oid *target, const char *key,
                         const char *note, int merge)
{
    note_job job = {store->repo, target, key, note, merge, NULL};
    int error;

    if ((error = dl_text_check(note, strlen(note), "the note")) < 0)
        return error;
    if ((error = dl_history__signature(&job.sig, dl_history__identity(store))) < 0)
        return error;
    /* The notes ref is shared by every article: the same compare-and-swap
     * as for versions keeps concurrent annotators from losing notes. */
    error = dl_history__ref_update(store->repo, DL_HISTORY_NOTES_REF, note_step, &job);
    git_signature_free(job.sig);
    return error < 0 ? error : 0;
}

/* ----------------------------------------------------------- revisions -- */

/* Every version from `tip`, without notes (below, with the log). */
static int all_versions_locked(dl_history_log **out, dl_history *history, const git_oid *tip,
                               int build);

static int resolve_locked(git_oid *out, dl_history *history, const char *rev)
{
    git_repository *repo = history->store->repo;
    dl_history_log *log = NULL;
    git_commit *commit = NULL;
    git_oid tip, id, match;
    int error, found = 0;
    size_t matches = 0;
    char listed[3 * (DL_HISTORY_ID_SHORTSIZE + 2) + 8] = "";

    if (rev == NULL || rev[0] == '\0')
        return dl_error_set(DL_EINVALID, "no revision given");
    if ((error = lookup_tip(&tip, &found, repo, history->refname)) < 0)
        return error;
    if (!found)
        return dl_error_set(DL_ENOTFOUND, "%s has no recorded versions", history->key);

    if (rev[0] == '@') {
        /* "@" is the latest version, "@~N" (or "@~" = "@~1") goes back N
         * first parents: the versions this article's writer saw in turn. */
        unsigned long back = 0;
        if (rev[1] == '~') {
            char *end = NULL;
            errno = 0;
            back = rev[2] == '\0' ? 1 : strtoul(rev + 2, &end, 10);
            if (rev[2] != '\0' && (errno != 0 || *end != '\0' || rev[2] < '0' || rev[2] > '9'))
                return dl_error_set(DL_EINVALID, "not a revision: '%s' (expected @~N)", rev);
        } else if (rev[1] != '\0') {
            return dl_error_set(DL_EINVALID, "not a revision: '%s' (expected a version id, @ or @~N)", rev);
        }
        id = tip;
        for (unsigned long i = 0; i < back; i++) {
            if ((error = git_commit_lookup(&commit, repo, &id)) < 0)
                return dl_history__git_error(error, "cannot read version history");
            if (git_commit_parentcount(commit) == 0) {
                git_commit_free(commit);
                return dl_error_set(DL_ENOTFOUND, "%s has only %lu version%s; there is no %s",
                                    history->key, i + 1, i ? "s" : "", rev);
            }
            id = *git_commit_parent_id(commit, 0);
            git_commit_free(commit);
            commit = NULL;
        }
        *out = id;
        return 0;
    }

    size_t len = strlen(rev);
    if (len < 4 || len > GIT_OID_HEXSZ || strspn(rev, "0123456789abcdefABCDEF") != len)
        return dl_error_set(DL_EINVALID,
                            "not a revision: '%s' (expected a version id of 4 to 40 hex "
                            "digits, @ or @~N)", rev);
    git_oid prefix;
    if ((error = git_oid_fromstrn(&prefix, rev, len)) < 0)
        return dl_history__git_error(error, "not a revision: '%s'", rev);

    /* The id must name a version of *this* article, so look for it in the
     * article's versions rather than in the whole object database: as the
     * log lists them, from the log cache (made now if there is none),
     * which is several times cheaper than reading every commit again. */
    if ((error = all_versions_locked(&log, history, &tip, 1)) < 0)
        goto done;
    for (size_t i = 0; i < log->count; i++) {
        if (git_oid_fromstr(&id, log->versions[i].id.hex) < 0 ||
            git_oid_ncmp(&id, &prefix, len) != 0)
            continue;
        if (matches < 3) {
            char hex[DL_HISTORY_ID_SHORTSIZE + 1];
            git_oid_tostr(hex, sizeof(hex), &id);
            strcat(listed, matches ? ", " : "");
            strcat(listed, hex);
        }
        match = id;
        matches++;
    }
    if (matches == 0) {
        error = dl_error_set(DL_ENOTFOUND, "no version '%s' in the history of %s", rev,
                             history->key);
        goto done;
    }
    if (matches > 1) {
        error = dl_error_set(DL_EINVALID, "version id '%s' is ambiguous: it matches %s%s", rev,
                             listed, matches > 3 ? ", ..." : "");
        goto done;
    }
    *out = match;
    error = 0;

done:
    dl_history_log_free(log);
    return error;
}

int dl_history_resolve(dl_history_id *out, dl_history *history, const char *rev)
{
    git_oid id;
    pthread_mutex_lock(&history->store->lock);
    int error = resolve_locked(&id, history, rev);
    pthread_mutex_unlock(&history->store->lock);
    if (error == 0)
        git_oid_tostr(out->hex, sizeof(out->hex), &id);
    return error;
}

int dl_history_note(dl_history_id *out, dl_history *history, const char *rev,
                    const char *note)
{
    git_oid id;
    int error;
    if (note == NULL || note[strspn(note, " \t\r\n")] == '\0')
        return dl_error_set(DL_EINVALID, "the note is empty");
    pthread_mutex_lock(&history->store->lock);
    error = resolve_locked(&id, history, rev);
    if (error == 0)
        error = dl_history__note_set(history->store, &id, history->key, note, 0);
    pthread_mutex_unlock(&history->store->lock);
    if (error == 0)
        git_oid_tostr(out->hex, sizeof(out->hex), &id);
    return error;
}

/* ------------------------------------------------------------- reading -- */

/* The article's text in `tree`, the tree of version `hex`. */
static int read_tree_locked(char **out, size_t *out_size, dl_history *history,
                            const git_tree *tree, const char *hex)
{
    git_tree_entry *entry = NULL;
    git_blob *blob = NULL;
    int error;

    if ((error = git_tree_entry_bypath(&entry, tree, history->tree_path)) < 0 ||
        git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
        error = dl_error_set(DL_ENOTFOUND, "version %s does not hold %s", hex, history->key);
        goto done;
    }
    if ((error = git_blob_lookup(&blob, history->store->repo, git_tree_entry_id(entry))) < 0) {
        error = dl_history__git_error(error, "cannot read version %s", hex);
        goto done;
    }
    size_t size = (size_t)git_blob_rawsize(blob);
    char *data = malloc(size + 1);
    if (data == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    memcpy(data, git_blob_rawcontent(blob), size);
    data[size] = '\0';
    *out = data;
    *out_size = size;

done:
    git_blob_free(blob);
    git_tree_entry_free(entry);
    return error;
}

static int read_locked(char **out, size_t *out_size, dl_history *history,
                       const git_oid *id)
{
    git_commit *commit = NULL;
    git_tree *tree = NULL;
    char hex[GIT_OID_HEXSZ + 1];
    int error;

    git_oid_tostr(hex, sizeof(hex), id);
    if ((error = git_commit_lookup(&commit, history->store->repo, id)) < 0 ||
        (error = git_commit_tree(&tree, commit)) < 0)
        error = dl_history__git_error(error, "cannot read version %s", hex);
    else
        error = read_tree_locked(out, out_size, history, tree, hex);
    git_tree_free(tree);
    git_commit_free(commit);
    return error;
}

int dl_history_read(char **out, size_t *out_size, dl_history *history,
                    const dl_history_id *id)
{
    git_oid oid;
    if (id == NULL || git_oid_fromstr(&oid, id->hex) < 0)
        return dl_error_set(DL_EINVALID, "'%s' is not a full version id", id ? id->hex : "");
    pthread_mutex_lock(&history->store->lock);
    int error = read_locked(out, out_size, history, &oid);
    pthread_mutex_unlock(&history->store->lock);
    return error;
}

int dl_history_read_version(char **out, size_t *out_size, dl_history *history,
                            const dl_history_version *version)
{
    git_oid id, tree_id;
    git_tree *tree = NULL;
    if (version == NULL || git_oid_fromstr(&id, version->id.hex) < 0)
        return dl_error_set(DL_EINVALID, "'%s' is not a full version id",
                            version ? version->id.hex : "");
    pthread_mutex_lock(&history->store->lock);
    int error;
    /* A version that did not come from a log has no tree: its commit
     * says which. */
    if (git_oid_fromstr(&tree_id, version->tree.hex) == 0 &&
        git_tree_lookup(&tree, history->store->repo, &tree_id) == 0)
        error = read_tree_locked(out, out_size, history, tree, version->id.hex);
    else
        error = read_locked(out, out_size, history, &id);
    git_tree_free(tree);
    pthread_mutex_unlock(&history->store->lock);
    return error;
}

/* Notes of every annotated object, sorted for bsearch: one pass over the
 * notes tree instead of a tree lookup per version. */
typedef struct {
    git_oid target;
    git_oid blob;
} note_entry;

typedef struct {
    note_entry *items;
    size_t count, capacity;
} note_table;

static int collect_note(const git_oid *blob, const git_oid *target, void *payload)
{
    note_table *table = payload;
    if (table->count == table->capacity) {
        size_t capacity = table->capacity ? table->capacity * 2 : 64;
        note_entry *items = realloc(table->items, capacity * sizeof(*items));
        if (items == NULL)
            return -1;
        table->items = items;
        table->capacity = capacity;
    }
    table->items[table->count].target = *target;
    table->items[table->count].blob = *blob;
    table->count++;
    return 0;
}

static int compare_note(const void *a, const void *b)
{
    return git_oid_cmp(&((const note_entry *)a)->target, &((const note_entry *)b)->target);
}

/* A log looks its first versions' notes up one by one in the notes
 * commit; past this many it reads the whole notes tree once
 * (git_note_foreach), which costs as much as there are notes in the store
 * — thousands in a newsroom's, where most logs are a few dozen versions
 * and `log --all` reads one version of every article. */
#define NOTES_LOOKED_UP_MAX 64

/* The note on `target`, from `notes_commit` when the log looks notes up
 * one by one, else from the table. */
static char *note_text(git_repository *repo, const note_table *table, git_commit *notes_commit,
                       const git_oid *target)
{
    git_blob *blob = NULL;
    git_note *note = NULL;
    const char *raw;
    size_t size;
    if (notes_commit != NULL) {
        if (git_note_commit_read(&note, repo, notes_commit, target) < 0)
            return NULL;
        raw = git_note_message(note);
        size = strlen(raw);
    } else {
        note_entry key = {.target = *target};
        const note_entry *hit = table->count ? bsearch(&key, table->items, table->count,
                                                       sizeof(key), compare_note)
                                             : NULL;
        if (hit == NULL || git_blob_lookup(&blob, repo, &hit->blob) < 0)
            return NULL;
        size = (size_t)git_blob_rawsize(blob);
        raw = git_blob_rawcontent(blob);
    }
    /* git's own `notes add` ends a note with a newline; drop it. */
    while (size > 0 && (raw[size - 1] == '\n' || raw[size - 1] == '\r'))
        size--;
    char *text = dl_text_dup_utf8(raw, strnlen(raw, size));
    git_blob_free(blob);
    git_note_free(note);
    return text;
}

static void version_dispose(dl_history_version *v)
{
    free(v->author_name);
    free(v->author_email);
    free(v->note);
    dl_history_change_dispose(&v->change);
}

void dl_history_log_free(dl_history_log *log)
{
    if (log == NULL)
        return;
    for (size_t i = 0; i < log->count; i++)
        version_dispose(&log->versions[i]);
    free(log->versions);
    free(log);
}

void dl_history_log_keep(dl_history_log *log,
                         int (*wanted)(const dl_history_version *v, const void *payload),
                         const void *payload, size_t max)
{
    size_t kept = 0;
    for (size_t i = 0; i < log->count; i++) {
        dl_history_version *v = &log->versions[i];
        if ((max == 0 || kept < max) && (wanted == NULL || wanted(v, payload)))
            log->versions[kept++] = *v;
        else
            version_dispose(v);
    }
    log->count = kept;
}

/* Describes a version that does not record its change (a merge, or one
 * recorded by an older dateline) from its content and its first parent's. */
static int describe_locked(dl_history_version *v, dl_history *history)
{
    char *content = NULL, *old = NULL;
    size_t size = 0, old_size = 0;
    git_oid id, parent;
    int error;

    if (git_oid_fromstr(&id, v->id.hex) < 0)
        return dl_error_set(DL_ERROR, "bad version id %s", v->id.hex);
    if ((error = read_locked(&content, &size, history, &id)) < 0)
        return error;
    if (v->parent_count > 0 && git_oid_fromstr(&parent, v->parent.hex) == 0 &&
        (error = read_locked(&old, &old_size, history, &parent)) < 0) {
        free(content);
        return error;
    }
    error = dl_history__describe(history, &v->change, old, old_size, content, size);
    free(old);
    free(content);
    return error;
}

/* The notes of a log's versions: looked up one by one in the notes commit
 * for the first NOTES_LOOKED_UP_MAX, then from the whole table. */
typedef struct {
    git_repository *repo;
    git_commit *commit; /* while looking up one by one */
    note_table table;
    size_t looked_up;
} notes_reader;

static int notes_open(notes_reader *notes, git_repository *repo)
{
    git_oid tip;
    memset(notes, 0, sizeof(*notes));
    notes->repo = repo;
    int error = git_reference_name_to_id(&tip, repo, DL_HISTORY_NOTES_REF);
    if (error == 0)
        error = git_commit_lookup(&notes->commit, repo, &tip);
    if (error < 0 && error != GIT_ENOTFOUND)
        return dl_history__git_error(error, "cannot read notes");
    return 0;
}

static void notes_close(notes_reader *notes)
{
    git_commit_free(notes->commit);
    free(notes->table.items);
}

/* The note on `target` (NULL: none), in *out. */
static int notes_get(char **out, notes_reader *notes, const git_oid *target)
{
    if (notes->commit != NULL && ++notes->looked_up > NOTES_LOOKED_UP_MAX) {
        /* A long log: the whole table, once. */
        git_commit_free(notes->commit);
        notes->commit = NULL;
        int error = git_note_foreach(notes->repo, DL_HISTORY_NOTES_REF, collect_note,
                                     &notes->table);
        if (error < 0 && error != GIT_ENOTFOUND)
            return dl_history__git_error(error, "cannot read notes");
        if (notes->table.count > 1)
            qsort(notes->table.items, notes->table.count, sizeof(*notes->table.items),
                  compare_note);
    }
    *out = note_text(notes->repo, &notes->table, notes->commit, target);
    return 0;
}

/* A version's facts from its commit: all but its note and session. */
static int version_of_commit(dl_history_version *v, dl_history *history, git_commit *commit)
{
    memset(v, 0, sizeof(*v));
    const git_signature *author = git_commit_author(commit);
    git_oid_tostr(v->id.hex, sizeof(v->id.hex), git_commit_id(commit));
    git_oid_tostr(v->tree.hex, sizeof(v->tree.hex), git_commit_tree_id(commit));
    v->parent_count = git_commit_parentcount(commit);
    if (v->parent_count > 0)
        git_oid_tostr(v->parent.hex, sizeof(v->parent.hex), git_commit_parent_id(commit, 0));
    v->time = (long long)author->when.time;
    v->offset = author->when.offset;
    /* git lets a name hold any bytes (a remote's commits too). */
    v->author_name = dl_text_dup_utf8(author->name, strlen(author->name));
    v->author_email = dl_text_dup_utf8(author->email, strlen(author->email));
    if (v->author_name == NULL || v->author_email == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    int stored = parse_trailers(&v->change, git_commit_message(commit));
    if (stored < 0)
        return stored;
    return stored == 0 ? describe_locked(v, history) : 0;
}

/* Room for one more version at the end of `log`; NULL when out of memory. */
static dl_history_version *log_append(dl_history_log *log, size_t *capacity)
{
    if (log->count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 32;
        dl_history_version *versions = realloc(log->versions, grown * sizeof(*versions));
        if (versions == NULL) {
            dl_error_set(DL_ERROR, "out of memory");
            return NULL;
        }
        log->versions = versions;
        *capacity = grown;
    }
    dl_history_version *v = &log->versions[log->count++];
    memset(v, 0, sizeof(*v));
    return v;
}

/* The versions from `tip` in log order, at most `max` (0: all), with their
 * notes when `notes` is given (and only the noted ones with
 * `annotated_only`), onto `log`. */
static int walk_locked(dl_history_log *log, dl_history *history, const git_oid *tip, size_t max,
                       notes_reader *notes, int annotated_only)
{
    git_repository *repo = history->store->repo;
    git_revwalk *walk = NULL;
    git_commit *commit = NULL;
    size_t capacity = log->count;
    git_oid id;
    int error;

    /* Topological order puts a merge before both of the histories it
     * joins; time order decides between unrelated branches. */
    if ((error = git_revwalk_new(&walk, repo)) < 0 ||
        (error = git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME)) < 0 ||
        (error = git_revwalk_push(walk, tip)) < 0) {
        error = dl_history__git_error(error, "cannot walk the history of %s", history->key);
        goto done;
    }
    while ((max == 0 || log->count < max) && (error = git_revwalk_next(&id, walk)) == 0) {
        char *note = NULL;
        if (notes != NULL && (error = notes_get(&note, notes, &id)) < 0)
            goto done;
        if (annotated_only && note == NULL)
            continue;
        dl_history_version *v = NULL;
        if ((error = git_commit_lookup(&commit, repo, &id)) < 0) {
            free(note);
            error = dl_history__git_error(error, "cannot read version history");
            goto done;
        }
        if ((v = log_append(log, &capacity)) == NULL) {
            free(note);
            error = DL_ERROR;
            goto done;
        }
        error = version_of_commit(v, history, commit);
        v->note = note;
        git_commit_free(commit);
        commit = NULL;
        if (error < 0)
            goto done;
    }
    if (error < 0 && error != GIT_ITEROVER) {
        error = dl_history__git_error(error, "cannot walk the history of %s", history->key);
        goto done;
    }
    error = 0;

done:
    git_commit_free(commit);
    git_revwalk_free(walk);
    return error;
}

/* The versions from `tip` down to `cached` (not included), when each has
 * one parent and the first-parent line reaches it: 1 and `log` holds
 * them; 0 when it does not. */
static int versions_since_locked(dl_history_log *log, dl_history *history, const git_oid *tip,
                                 const git_oid *cached)
{
    size_t capacity = log->count;
    git_oid id = *tip;
    while (!git_oid_equal(&id, cached)) {
        git_commit *commit = NULL;
        int error = git_commit_lookup(&commit, history->store->repo, &id);
        if (error < 0)
            return dl_history__git_error(error, "cannot read version history");
        dl_history_version *v = log_append(log, &capacity);
        error = v == NULL ? DL_ERROR : version_of_commit(v, history, commit);
        int linear = git_commit_parentcount(commit) == 1;
        if (linear)
            git_oid_cpy(&id, git_commit_parent_id(commit, 0));
        git_commit_free(commit);
        if (error < 0)
            return error;
        if (!linear)
            return 0;
    }
    return 1;
}

/* `older` versions after those of `log`, which takes them. */
static int log_join(dl_history_log *log, dl_history_log *older)
{
    dl_history_version *all = realloc(log->versions, (log->count + older->count) * sizeof(*all));
    if (all == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    memcpy(all + log->count, older->versions, older->count * sizeof(*all));
    log->versions = all;
    log->count += older->count;
    older->count = 0;
    return 0;
}

/* Every version from `tip`, without notes: from the log cache and the
 * versions recorded since, else (with `build`) from the commits, and then
 * cached. Without `build` and a cache, NULL in *out. */
static int all_versions_locked(dl_history_log **out, dl_history *history, const git_oid *tip,
                               int build)
{
    dl_history_log *cached = NULL, *log = NULL;
    git_oid cached_tip;
    int error = 0;
    *out = NULL;
    if (!dl_history__log_cache_load(&cached, &cached_tip, history)) {
        if (!build)
            return 0;
    } else {
        if (git_oid_equal(&cached_tip, tip)) {
            *out = cached;
            return 0;
        }
        if ((log = calloc(1, sizeof(*log))) == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        int linked = versions_since_locked(log, history, tip, &cached_tip);
        if ((error = linked < 0 ? linked : linked ? log_join(log, cached) : 0) < 0)
            goto done;
        if (!linked) { /* a merge, or another history: read it all */
            dl_history_log_free(log);
            log = NULL;
        }
    }
    if (log == NULL) {
        if ((log = calloc(1, sizeof(*log))) == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        if ((error = walk_locked(log, history, tip, 0, NULL, 0)) < 0)
            goto done;
    }
    dl_history__log_cache_save(history, tip, log);
    *out = log;
    log = NULL;

done:
    dl_history_log_free(cached);
    dl_history_log_free(log);
    return error;
}

static int is_annotated(const dl_history_version *v, const void *payload)
{
    (void)payload;
    return v->note != NULL;
}

static int log_locked(dl_history_log **out, dl_history *history,
                      const dl_history_log_options *opts)
{
    git_repository *repo = history->store->repo;
    notes_reader notes;
    dl_history_log *log = NULL;
    size_t max = opts ? opts->max_count : 0;
    int annotated_only = opts ? opts->annotated_only : 0;
    git_oid tip;
    int error, found = 0;

    memset(&notes, 0, sizeof(notes));
    if ((error = lookup_tip(&tip, &found, repo, history->refname)) < 0 ||
        (found && (error = notes_open(&notes, repo)) < 0))
        goto done;
    if (!found) {
        if ((log = calloc(1, sizeof(*log))) == NULL)
            error = dl_error_set(DL_ERROR, "out of memory");
    } else if ((error = all_versions_locked(&log, history, &tip, max == 0)) < 0) {
        goto done;
    } else if (log != NULL) {
        /* What the commits say comes from the log cache (a whole log
         * makes it); notes, which change apart from them, are read now.
         * The topological walk reads every commit before it yields the
         * first, so the cache serves the newest few as well. */
        if (!annotated_only)
            dl_history_log_keep(log, NULL, NULL, max); /* only the shown versions' notes */
        for (size_t i = 0; i < log->count && error == 0; i++) {
            git_oid id;
            git_oid_fromstr(&id, log->versions[i].id.hex);
            error = notes_get(&log->versions[i].note, &notes, &id);
        }
        if (error == 0 && annotated_only)
            dl_history_log_keep(log, is_annotated, NULL, max);
    } else if ((log = calloc(1, sizeof(*log))) == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
    } else {
        /* The newest few of a history nobody logged whole: from the
         * commits, without making a cache (`log --all` reads one version
         * of each article, and would write one for every article). */
        error = walk_locked(log, history, &tip, max, &notes, annotated_only);
    }
    if (error < 0)
        goto done;
    *out = log;
    log = NULL;

done:
    notes_close(&notes);
    dl_history_log_free(log);
    return error;
}

int dl_history_log_read(dl_history_log **out, dl_history *history,
                        const dl_history_log_options *opts)
{
    pthread_mutex_lock(&history->store->lock);
    int error = log_locked(out, history, opts);
    pthread_mutex_unlock(&history->store->lock);
    return error;
}

/* ------------------------------------------------------------ stamps -- */

/* Versions a stamp may have moved by and still be compared cheaply. */
#define STAMP_MAX_STEPS 64

static int stamp_tip(dl_history_id *out, git_repository *repo, const char *refname)
{
    git_oid tip;
    int found = 0;
    int error = lookup_tip(&tip, &found, repo, refname);
    out->hex[0] = '\0';
    if (error == 0 && found)
        git_oid_tostr(out->hex, sizeof(out->hex), &tip);
    return error;
}

int dl_history_stamp_read(dl_history_stamp *out, dl_history *history)
{
    dl_history_stamp stamp;
    pthread_mutex_lock(&history->store->lock);
    git_repository *repo = history->store->repo;
    int error = stamp_tip(&stamp.article, repo, history->refname);
    if (error == 0)
        error = stamp_tip(&stamp.notes, repo, DL_HISTORY_NOTES_REF);
    pthread_mutex_unlock(&history->store->lock);
    if (error == 0)
        *out = stamp;
    return error;
}

static int same_annotated_locked(dl_history *history, const dl_history_stamp *then,
                                 const dl_history_stamp *now)
{
    git_repository *repo = history->store->repo;
    git_oid id, target;
    if (strcmp(then->notes.hex, now->notes.hex) != 0)
        return 0;
    if (strcmp(then->article.hex, now->article.hex) == 0)
        return 1;
    if (then->article.hex[0] == '\0' || now->article.hex[0] == '\0' ||
        git_oid_fromstr(&id, now->article.hex) < 0 ||
        git_oid_fromstr(&target, then->article.hex) < 0)
        return 0;
    /* Walk back from the new tip to the old one through versions with one
     * parent and no note: the walk from the new tip then meets no note
     * before it reaches the old tip, and continues exactly as from it. */
    for (int step = 0; step < STAMP_MAX_STEPS; step++) {
        git_commit *commit = NULL;
        git_note *note = NULL;
        if (git_note_read(&note, repo, DL_HISTORY_NOTES_REF, &id) == 0) {
            git_note_free(note);
            return 0;
        }
        if (git_commit_lookup(&commit, repo, &id) < 0)
            return 0;
        int single = git_commit_parentcount(commit) == 1;
        if (single)
            git_oid_cpy(&id, git_commit_parent_id(commit, 0));
        git_commit_free(commit);
        if (!single)
            return 0;
        if (git_oid_equal(&id, &target))
            return 1;
    }
    return 0;
}

int dl_history_same_annotated(dl_history *history, const dl_history_stamp *then,
                              const dl_history_stamp *now)
{
    pthread_mutex_lock(&history->store->lock);
    int same = same_annotated_locked(history, then, now);
    pthread_mutex_unlock(&history->store->lock);
    return same;
}

/* ----------------------------------------------------------- restoring -- */

/* Whether the article's file is read-only: no write permission bit, or
 * none for us. The bits are checked too because access() says root may
 * write anything, and a writer who made the file 0444 meant it. */
static int read_only(const char *file)
{
    struct stat st;
    if (stat(file, &st) < 0)
        return 0; /* gone: restoring brings it back */
    return (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0 || access(file, W_OK) != 0;
}

static int restore_locked(dl_history_id *out, dl_history *history, const char *rev,
                          const dl_history_restore_options *opts)
{
    char *target = NULL, *current = NULL;
    size_t target_size = 0, current_size = 0;
    char short_id[DL_HISTORY_ID_SHORTSIZE + 1], note[64];
    dl_history_id saved;
    git_oid id;
    int error, have_current = 1;

    if ((error = resolve_locked(&id, history, rev)) < 0)
        goto done;
    git_oid_tostr(short_id, sizeof(short_id), &id);
    if ((error = read_locked(&target, &target_size, history, &id)) < 0)
        goto done;

    error = dl_text_read_file(&current, &current_size, history->file);
    if (error == DL_ENOTFOUND) {
        have_current = 0; /* a deleted article comes back */
    } else if (error < 0) {
        goto done;
    }

    if (have_current && !opts->force && read_only(history->file)) {
        error = dl_error_set(DL_EINVALID,
                             "%s is read-only; restore refused (force it to replace the "
                             "file anyway: 'dateline restore --force')",
                             history->file);
        goto done;
    }

    if (opts->content != NULL) {
        /* The editor's unsaved text, so that the restore loses none of it. */
        snprintf(note, sizeof(note), "before restore of %s", short_id);
        error = snapshot_locked(&saved, history, opts->content, opts->content_size, note, 1);
        if (error < 0 && error != DL_EUNCHANGED)
            goto done;
    }

    if (have_current) {
        /* Record what is on disk first, whatever its bytes, so that the
         * restore can be undone. */
        snprintf(note, sizeof(note), "before restore of %s", short_id);
        error = snapshot_locked(&saved, history, current, current_size, note, 1);
        if (error < 0 && error != DL_EUNCHANGED)
            goto done;
    }

    if (!have_current || current_size != target_size ||
        memcmp(current, target, target_size) != 0) {
        if ((error = write_file_atomically(history->file, target, target_size)) < 0)
            goto done;
    }

    snprintf(note, sizeof(note), "restored %s", short_id);
    error = snapshot_locked(&saved, history, target, target_size, note, 1);
    if (error < 0 && error != DL_EUNCHANGED)
        goto done;
    *out = saved;
    error = 0;
    dl_error_clear();

done:
    free(current);
    free(target);
    return error;
}

int dl_history_restore(dl_history_id *out, dl_history *history, const char *rev,
                       const dl_history_restore_options *opts)
{
    static const dl_history_restore_options defaults = DL_HISTORY_RESTORE_OPTIONS_INIT;
    pthread_mutex_lock(&history->store->lock);
    int error = restore_locked(out, history, rev, opts ? opts : &defaults);
    pthread_mutex_unlock(&history->store->lock);
    return error;
}
