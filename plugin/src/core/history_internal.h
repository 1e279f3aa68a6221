/*
 * dateline — what the history sources share and nobody else may see.
 */
#ifndef DATELINE_HISTORY_INTERNAL_H
#define DATELINE_HISTORY_INTERNAL_H

#include <git2.h>
#include <pthread.h>
#include <time.h>

#include "dateline/history.h"

#define DL_HISTORY_REF_PREFIX "refs/dateline/"
#define DL_HISTORY_NOTES_REF "refs/notes/dateline"
#define DL_HISTORY_REMOTES_PREFIX "refs/dateline-remotes/"
/* Where a migration stages what it copies from the user's repository,
 * one folder per process: refs/dateline-migrate/<pid>/... */
#define DL_HISTORY_MIGRATE_PREFIX "refs/dateline-migrate/"

struct dl_history_store {
    git_repository *repo; /* the store: where versions and notes live */
    /* The repository holding the articles when the store is its
     * <git dir>/dateline: whose work tree keys are relative to, whose
     * configuration gives the identity and the remotes. NULL otherwise. */
    git_repository *user;
    char *gitdir;  /* git_repository_path() of the store, for messages */
    char *workdir; /* real path with a trailing '/', or NULL when bare */
    /* The store's objects/ with its loose objects alone, and a repository
     * around it, made when first needed (dl_history__loose_repo): new
     * versions are written through them, and loose versions read, without
     * looking through every pack (see writer_for in history.c). */
    git_odb *loose;
    git_repository *loose_repo;
    /* The pack folder's modification time when the upkeep last made the
     * store a new object database (renew_odb in history_pack.c). */
    struct timespec packs_seen;
    pthread_mutex_t lock;
};

/* The repository whose configuration names the writer: the user's. */
static inline git_repository *dl_history__identity(const dl_history_store *store)
{
    return store->user != NULL ? store->user : store->repo;
}

/* The ref name earlier versions gave `path`: '/' kept as ref folders
 * ("refs/dateline/news/story.txt"), no shortening. Histories recorded
 * under such a name stay there (history_refname.c). */
int dl_history__refname_escape_old(char **out, const char *path);

typedef struct dl_history_parsed dl_history_parsed;
void dl_history__parsed_free(dl_history_parsed *parsed);

/* dl_history_describe, reusing the article this handle parsed last when
 * `old` is its text, and keeping `new_content` parsed for the next call.
 * Call under the store's lock. */
int dl_history__describe(dl_history *history, dl_history_change *out, const char *old,
                         size_t old_size, const char *new_content, size_t new_size);

/* The article the handle parsed last is the content of `version` (a
 * snapshot just recorded it). */
void dl_history__parsed_is(dl_history *history, const git_oid *version);

/* The content of `version` if the handle parsed it last, else NULL. The
 * handle owns it; valid until its next description. */
const char *dl_history__parsed_text(dl_history *history, const git_oid *version, size_t *size);

/* The log cache (history_logcache.c). Load: 1 and the versions recorded
 * in it, newest first, without notes or sessions, and the tip they were
 * read from; 0 when there is no cache that can be believed. Save: best
 * effort, never an error. Call both under the store's lock. */
int dl_history__log_cache_load(dl_history_log **out, git_oid *tip, dl_history *history);
void dl_history__log_cache_save(dl_history *history, const git_oid *tip,
                                const dl_history_log *log);
/* Remove the temporary files killed writers of the cache left behind. */
void dl_history__log_cache_tidy(git_repository *repo);

/* Remove the regular files of `dir` that `ours` names and that are older
 * than a day: what a killed process left behind (history_pack.c). Only
 * old ones go; a younger one may belong to a process still at work. */
void dl_history__remove_stale(const char *dir, int (*ours)(const char *name));

struct dl_history {
    dl_history_store *store;
    char *file;      /* absolute path of the article */
    char *key;       /* repo-relative path, or the absolute path */
    char *tree_path; /* key without a leading '/': where the tree holds it */
    char *refname;   /* refs/dateline/<escaped key> */
    dl_history_parsed *parsed; /* the article last described (history_describe.c) */
    /* The version this handle recorded last, and its tree: the next
     * snapshot's parent, unless somebody moved the ref since, known
     * without reading it back. */
    git_oid recorded, recorded_tree;
    int has_recorded;
};

/*
 * Record a libgit2 failure `git_code` as a dateline error: the code is
 * mapped (GIT_ENOTFOUND -> DL_ENOTFOUND, GIT_ELOCKED -> DL_ELOCKED, ...) and
 * the message is "<what>: <libgit2's message>". Returns the mapped code.
 */
int dl_history__git_error(int git_code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* The identity versions are recorded under: git config user.name and
 * user.email, else "dateline <dateline@localhost>"; the time is now, in the
 * local zone. */
int dl_history__signature(git_signature **out, git_repository *repo);

/*
 * One step of a ref update: given the ref's current value (`tip`, NULL
 * when the ref does not exist), write to `next` the id the ref should move
 * to and return 0; or return 1 to leave the ref as it is (nothing to do),
 * or a negative DL_E* code (with its message) to give up. A step may be
 * called again with a newer tip when somebody else moved the ref first,
 * so it must not keep anything it derived from an older tip.
 */
typedef int (*dl_history_ref_step)(git_oid *next, const git_oid *tip, void *payload);

/*
 * The one compare-and-swap loop for dateline's refs and the notes ref:
 * read the ref, ask `step` where it should go, move it there if it still
 * points where it did (under git's own ref lock), else ask again. A lock
 * held by another writer is waited out for about two seconds, then
 * DL_ELOCKED. Returns 0 when the ref moved, 1 when `step` left it alone,
 * or a negative DL_E* code.
 */
int dl_history__ref_update(git_repository *repo, const char *refname,
                           dl_history_ref_step step, void *payload);

/*
 * Remove the lock file `<common dir><name>.lock` if a writer that is gone
 * left it (older than a ref update ever takes), and tell the user
 * (dl_notice_add); 1 if it was removed. `name` is a ref name, or
 * "packed-refs" for the file every packed ref lives in (history.c).
 */
int dl_history__break_stale_lock(git_repository *repo, const char *name);

/*
 * Set the note of `target` (a version of the article at `key`) under
 * refs/notes/dateline. `merge` joins an existing different note with a
 * blank line instead of replacing it. The notes commit's message says
 * which version of which article the note is on, and its first line.
 * Concurrent-safe (compare-and-swap with retry).
 */
int dl_history__note_set(dl_history_store *store, const git_oid *target, const char *key,
                         const char *note, int merge);

/*
 * A notes commit on `parent` (NULL: the first) whose tree is `tree`, with
 * `message` — libgit2's own notes commits all say "Notes added by
 * 'git_note_create' from libgit2", which tells a reader nothing.
 */
int dl_history__notes_commit(git_oid *out, git_repository *repo, const git_commit *parent,
                             const git_signature *sig, const git_oid *tree, const char *message);

/*
 * Move a history an earlier dateline kept in the user's own repository
 * (refs/dateline/..., refs/notes/dateline, refs/dateline-remotes/...) into the
 * store, joining it with what the store holds the way pull does, and only
 * then remove those refs from the user's repository (history_sync.c).
 * Adds a notice (dl_notice_add) when something moved. Crash- and concurrent-safe:
 * every version stays reachable in one place or the other throughout.
 */
int dl_history__migrate(dl_history_store *store);

/* The note of `target`, or *out = NULL. Caller frees. */
int dl_history__note_get(char **out, git_repository *repo,
                         const git_oid *target);

/*
 * Move the loose objects of dateline's refs into a new pack of their own
 * when `tip` (a version just recorded) sits on enough loose ancestors
 * (history_pack.c), then join the lightest packs so that their number
 * stays logarithmic in the number of versions. Best effort: the store
 * stays valid whatever happens, so failures are not reported.
 */
void dl_history__maybe_pack(dl_history_store *store, const git_oid *tip);

/* Note the pack folder as it is when the store opens: the upkeep renews
 * the store's object database only once it has changed (history_pack.c). */
void dl_history__packs_seen(dl_history_store *store);

/*
 * Delete the loose copy of an object this process just wrote and nothing
 * refers to: the commits libgit2 makes to lay out a notes tree, which
 * dateline replaces by its own (history_pack.c). Best effort.
 */
void dl_history__discard_loose(git_repository *repo, const git_oid *id);

/* The store's loose objects alone, as a repository the store owns. */
int dl_history__loose_repo(git_repository **out, dl_history_store *store);

#endif
