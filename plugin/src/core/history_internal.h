/*
 * dateline — what the history sources share and nobody else may see.
 */
#ifndef DATELINE_HISTORY_INTERNAL_H
#define DATELINE_HISTORY_INTERNAL_H

#include <git2.h>
#include <pthread.h>

#include "dateline/history.h"

#define DL_HISTORY_REF_PREFIX "refs/dateline/"
#define DL_HISTORY_NOTES_REF "refs/notes/dateline"
#define DL_HISTORY_REMOTES_PREFIX "refs/dateline-remotes/"

typedef struct dl_history_files dl_history_files;

struct dl_history_store {
    git_repository *repo;
    char *gitdir;  /* git_repository_path(), for messages */
    char *workdir; /* real path with a trailing '/', or NULL when bare */
    dl_history_files *files; /* owned by repo's object database; may be NULL */
    pthread_mutex_t lock;
};

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
 * Point `refname` at `id` if it still points at `expected` (NULL: if it
 * does not exist). DL_EMODIFIED when somebody else moved it first.
 * DL_ELOCKED when its lock file is held.
 */
int dl_history__ref_swap(git_repository *repo, const char *refname,
                         const git_oid *id, const git_oid *expected);

/*
 * Wait a little before retrying a locked ref. Returns 0 to retry, or
 * DL_ELOCKED (with a message naming the lock) once about two seconds have
 * gone by since `*started` (set on the first call when zero).
 */
int dl_history__lock_backoff(long long *started, unsigned attempt,
                             git_repository *repo, const char *refname);

/*
 * Set the note of `target` under refs/notes/dateline. `merge` joins an
 * existing different note with a blank line instead of replacing it.
 * Concurrent-safe (compare-and-swap with retry).
 */
int dl_history__note_set(git_repository *repo, const git_oid *target,
                         const char *note, int merge);

/* The note of `target`, or *out = NULL. Caller frees. */
int dl_history__note_get(char **out, git_repository *repo,
                         const git_oid *target);


/* -------------------------------------------- files made ahead (history_files.c) */

/*
 * Put dateline's object writer in front of `repo`'s object database: it
 * writes loose objects into files made ahead by dl_history__files_prepare,
 * or made on the spot. The database owns the writer and the writer owns
 * *out, which lives as long as `repo`. *out stays NULL, and libgit2 writes
 * alone, when the repository has core.fsyncObjectFiles set.
 */
int dl_history__files_attach(dl_history_files **out, git_repository *repo);

/* Make the files the next version needs (three objects and a ref lock)
 * while nothing waits. Best effort; NULL does nothing. */
void dl_history__files_prepare(dl_history_files *files);

/* How many files are made and not yet used. */
size_t dl_history__files_ready(const dl_history_files *files);

/*
 * dl_history__ref_swap through a file made ahead. Returns 1, having
 * changed nothing, when it does not apply: no file ready, a new ref, a
 * packed ref, a ref with a reflog. Else 0, DL_EMODIFIED or DL_ELOCKED as
 * dl_history__ref_swap.
 */
int dl_history__files_swap_ref(dl_history_files *files, git_repository *repo,
                               const char *refname, const git_oid *id,
                               const git_oid *expected);

/*
 * Pack the loose objects of dateline's refs when `tip` (a version just
 * recorded) sits on enough loose ancestors. Best effort: the store stays
 * valid whatever happens, so failures are not reported.
 */
void dl_history__maybe_pack(git_repository *repo, const git_oid *tip);

/* Pack now: the loose objects reachable from dateline's refs go into one
 * new pack; with `consolidate`, all of them into one pack, dropping packs
 * it makes redundant. */
int dl_history__pack(git_repository *repo, int consolidate);

#endif
