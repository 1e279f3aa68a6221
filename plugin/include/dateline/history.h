/*
 * dateline — version history of articles, kept in git with libgit2.
 *
 * A *store* is a bare git repository of dateline's own. For an article in a
 * git repository (found from the article's directory) it is `dateline/` in
 * that repository's common git directory (`.git/dateline`, shared by its
 * worktrees), so the user's `git log --all`, gitk, `git gc` and `git fsck`
 * never see it; it is created on first use, private, or writable for the
 * group when the repository is shared. For an article outside any
 * repository it is one bare repository in the user's data directory
 * (`$XDG_DATA_HOME/dateline/store.git`, default `~/.local/share/...`),
 * created on first use with mode 0700. `dl_history_store_options.store_dir`
 * or the `DATELINE_STORE` environment variable override the choice.
 *
 * Each article has a *key*: its path relative to the work tree of the
 * repository it is in, or its absolute path ("/home/jane/story.txt") when
 * there is none or the article lies outside it. The article's versions hang off one ref,
 * `refs/dateline/<escaped key>`; each version is a commit whose tree holds
 * the article at its key (without a leading '/'), whose first parent is the
 * previous version. HEAD, the index, branches and the work tree are never
 * touched. Notes on versions live under `refs/notes/dateline`.
 *
 * Every ref update is a compare-and-swap, retried on conflict, so two
 * processes recording the same article at once both get their versions in.
 *
 * Thread safety: a store handle serialises the calls made through it (and
 * through the article handles opened on it) with a mutex, so one store may be
 * shared by the threads of a server. Separate handles on the same repository,
 * in one process or many, coordinate through git's own locks.
 *
 * Errors: every fallible call returns 0 or a negative DL_E* code from
 * dateline/error.h, with the message in dl_error_last().
 */
#ifndef DATELINE_HISTORY_H
#define DATELINE_HISTORY_H

#include <stddef.h>

/** Length of a full hexadecimal version id, without the terminating NUL. */
#define DL_HISTORY_ID_HEXSIZE 40
/** Length of the abbreviated ids the CLI prints. */
#define DL_HISTORY_ID_SHORTSIZE 10

/** A version id: the hex id of the version's commit, NUL-terminated. */
typedef struct {
    char hex[DL_HISTORY_ID_HEXSIZE + 1];
} dl_history_id;

/** A history store: one git repository. */
typedef struct dl_history_store dl_history_store;

/** One article's history inside a store. */
typedef struct dl_history dl_history;

/* ------------------------------------------------------------- stores -- */

typedef struct {
    unsigned int version;
    /**
     * Use this repository (created as a bare repository if missing) instead
     * of discovering one. NULL: `DATELINE_STORE` if set, else discovery.
     */
    const char *store_dir;
} dl_history_store_options;

#define DL_HISTORY_STORE_OPTIONS_VERSION 1
#define DL_HISTORY_STORE_OPTIONS_INIT {DL_HISTORY_STORE_OPTIONS_VERSION, NULL}

/**
 * Make libgit2 ready for this process and set its process-wide options
 * (the global config is found through $HOME, as git does). Counted: pair
 * each call with dl_history_library_release. dl_history_store_open does
 * this for itself; a program that opens stores from several threads (the
 * language server) calls it once on its main thread before it starts
 * them, so that those options are never set while another thread is
 * using libgit2.
 */
int dl_history_library_init(void);

/** Undo one dl_history_library_init. */
void dl_history_library_release(void);

/**
 * Open the store for `path`, a file (which need not exist yet) or a
 * directory: the one inside the git repository containing it, else the
 * user's fallback store; either is created on first use. A history an
 * earlier dateline kept in the repository itself (its refs/dateline/... and
 * refs/notes/dateline there) is moved into the store first, joined with
 * what the store holds, and the user is told with a notice
 * (dl_notice_add, e.g. "moved the history of 3 articles from /w/.git/ into
 * dateline's own store /w/.git/dateline/"). DL_EINVALID when the
 * store's HEAD or config is not a regular file.
 */
int dl_history_store_open(dl_history_store **out, const char *path,
                          const dl_history_store_options *opts);

/** The store's git directory (for messages). */
const char *dl_history_store_path(const dl_history_store *store);


/** Free a store. Articles opened on it must be freed first. NULL-safe. */
void dl_history_store_free(dl_history_store *store);

/* ----------------------------------------------------------- articles -- */

/**
 * Open the history of the article at `file` in `store` (which must outlive
 * the article handle). The file need not exist: a deleted article's history
 * can still be listed and restored. DL_EINVALID if `file` is a directory.
 */
int dl_history_open(dl_history **out, dl_history_store *store,
                    const char *file);

/** Free an article handle. NULL-safe. */
void dl_history_free(dl_history *history);

/** The article's key path in its store ("news/story.txt" or an absolute path). */
const char *dl_history_key(const dl_history *history);

/** The ref holding the article's versions, "refs/dateline/<escaped key>". */
const char *dl_history_refname(const dl_history *history);

/** The article's file as opened (absolute). */
const char *dl_history_file(const dl_history *history);

/* ----------------------------------------------------------- recording -- */

typedef struct {
    unsigned int version;
    /** A note attached to the new version (git notes). NULL: none. */
    const char *note;
    /**
     * Record these bytes instead of reading the file (a server that already
     * holds the saved text). NULL: read the file.
     */
    const char *content;
    size_t content_size;
    /**
     * Leave the store's upkeep (see dl_history_tidy) to the caller, who
     * calls it once it has told its user the version is recorded. 0: the
     * snapshot tidies, as the command line does.
     */
    int defer_tidy;
} dl_history_snapshot_options;

#define DL_HISTORY_SNAPSHOT_OPTIONS_VERSION 1
#define DL_HISTORY_SNAPSHOT_OPTIONS_INIT {DL_HISTORY_SNAPSHOT_OPTIONS_VERSION, NULL, NULL, 0, 0}

/**
 * Record the article's current content as a new version and write its id
 * to `out`.
 *
 * Content equal to the latest version records nothing: the call returns
 * DL_EUNCHANGED and, as the one exception to "out is written only on
 * success", writes the latest version's id to `out` (the note, if any, is
 * not attached). Content that is not text — NUL bytes or invalid UTF-8 —
 * is refused with DL_EINVALID. A missing file is DL_ENOTFOUND; a ref
 * locked by a stuck process (a stale `.lock` file) is DL_ELOCKED.
 */
int dl_history_snapshot(dl_history_id *out, dl_history *history,
                        const dl_history_snapshot_options *opts);

/**
 * The store's upkeep after recording: when enough loose objects have piled
 * up, move dateline's into a new pack of their own (usually a few stat()
 * calls; now and then a pack of the versions since the last one), and
 * join the store's lightest packs into one, so that there are about
 * log2(versions / 40) of them (once in a while that rewrites the whole
 * store: about 1.3 s at 10,000 versions, never more than ~5 s). dl_history_snapshot does it
 * unless told to defer it, so that a server can first tell its user the
 * version is recorded. Best effort: a failure leaves the store as it was.
 */
void dl_history_tidy(dl_history *history);

/**
 * Attach `note` to the version `rev` (see dl_history_resolve), replacing any
 * note it had; the resolved id goes to `out`.
 */
int dl_history_note(dl_history_id *out, dl_history *history, const char *rev,
                    const char *note);

/* ------------------------------------------------------------- reading -- */

/**
 * Resolve a revision of this article: a full or abbreviated (4+ hex digits)
 * version id that belongs to the article's history, "@" for the latest
 * version, "@~N" for N versions before it (following first parents).
 * DL_ENOTFOUND for no such version (or no history at all); DL_EINVALID for
 * a malformed or ambiguous revision, with the candidates in the message.
 */
int dl_history_resolve(dl_history_id *out, dl_history *history,
                       const char *rev);

/* -------------------------------------------------- describing changes -- */

/**
 * What a version changed, for logs: its words (counted by the article
 * model), the change in words, and the structural diff's one-line summary.
 * A snapshot computes this once and stores it in the version's commit
 * message as trailers (Dateline-Words, Dateline-Words-Delta,
 * Dateline-Summary, and Dateline-Text: no for content that is not UTF-8
 * text), so listing versions reads no content.
 */
typedef struct {
    size_t words;         /**< words in the version (0 when it is not text) */
    long long words_delta; /**< words minus the parent's (all of them for a first version) */
    char *summary;        /**< one-line summary of the change, or NULL */
    int not_text;         /**< the version holds a NUL byte or invalid UTF-8 */
    /** Only white space, punctuation or one word's one-keystroke typo
     *  changed, and no quotation (docs/cli.md, "Trivial versions and
     *  sessions"); stored as the trailer Dateline-Trivial: yes. */
    int trivial;
} dl_history_change;

/**
 * Describe the change from `old` (NULL for a first version) to `new`.
 * Release with dl_history_change_dispose.
 */
int dl_history_describe(dl_history_change *out, const char *old,
                        size_t old_size, const char *new_content,
                        size_t new_size);

/** Free what a dl_history_change holds (not the struct). NULL-safe. */
void dl_history_change_dispose(dl_history_change *change);

/**
 * Write `when` (seconds since the epoch) in ISO 8601 as seen in the zone
 * `offset` minutes east of UTC: 2024-05-01T10:22:03+02:00. `size` >= 26.
 */
void dl_history_format_time(char *out, size_t size, long long when, int offset);

/** One version of an article. */
typedef struct {
    dl_history_id id;
    dl_history_id parent;  /**< first parent; empty string for the first version */
    size_t parent_count;   /**< 2 for a merge made by dl_history_pull */
    long long time;        /**< seconds since the epoch */
    int offset;            /**< the author's zone, minutes east of UTC */
    char *author_name;
    char *author_email;
    char *note;            /**< NULL when the version has no note */
    dl_history_change change; /**< what it changed against its first parent */
    /** The oldest version of its session (see dl_history_log_sessions);
     *  empty until that is called. */
    dl_history_id session;
    /** The store's tree that holds the article in this version, which
     *  dl_history_read_version reads from; empty when it is not known. */
    dl_history_id tree;
} dl_history_version;

/** Versions of an article, newest first. */
typedef struct {
    dl_history_version *versions;
    size_t count;
} dl_history_log;

typedef struct {
    unsigned int version;
    /** At most this many versions (the newest). 0: all. */
    size_t max_count;
    /** Only versions with a note. */
    int annotated_only;
} dl_history_log_options;

#define DL_HISTORY_LOG_OPTIONS_VERSION 1
#define DL_HISTORY_LOG_OPTIONS_INIT {DL_HISTORY_LOG_OPTIONS_VERSION, 0, 0}

/**
 * List the article's versions, newest first (children always before their
 * parents). An article without history gives an empty log, not an error.
 */
int dl_history_log_read(dl_history_log **out, dl_history *history,
                        const dl_history_log_options *opts);

/** Free a log. NULL-safe. */
void dl_history_log_free(dl_history_log *log);

/**
 * Keep, in order, the first `max` (0: all) versions `wanted` says yes to
 * (NULL: every version), freeing the others.
 */
void dl_history_log_keep(dl_history_log *log,
                         int (*wanted)(const dl_history_version *v, const void *payload),
                         const void *payload, size_t max);

/** Saves less than this many seconds apart by one author are one session. */
#define DL_HISTORY_SESSION_GAP (10 * 60)

/**
 * Group a log (newest first, as read) into sessions: a version belongs to
 * the session of the version before it (its first parent, next in the
 * log) when both have the same author name and e-mail and it was saved
 * less than DL_HISTORY_SESSION_GAP seconds after it. Each version's
 * `session` becomes the id of its session's oldest version, so a session
 * keeps its id as it grows. Only versions in the log are seen: group a
 * log read whole, or the oldest shown sessions may start too late
 * (dl_ops_log takes care of that).
 */
void dl_history_log_sessions(dl_history_log *log);

/**
 * What the article's latest annotated version depends on: the tips of its
 * history and of the notes. An empty `hex`: no such ref yet.
 */
typedef struct {
    dl_history_id article, notes;
} dl_history_stamp;

/** Read the stamp as it is now. */
int dl_history_stamp_read(dl_history_stamp *out, dl_history *history);

/**
 * 1 if the latest annotated version (dl_history_log_read with
 * annotated_only) is certainly the same at `now` as at `then`: the notes
 * did not move and the history only grew by a few versions without notes,
 * each on a single parent. 0 if it may differ (read the log again).
 */
int dl_history_same_annotated(dl_history *history, const dl_history_stamp *then,
                              const dl_history_stamp *now);

/**
 * Read the content of version `id` (a full id, as found in a log; use
 * dl_history_resolve for user input). `*out` is NUL-terminated for
 * convenience, `*out_size` excludes the NUL; release it with free().
 */
int dl_history_read(char **out, size_t *out_size, dl_history *history,
                    const dl_history_id *id);

/**
 * Read the content of a version a log listed: what dl_history_read gives
 * for its id, read from the tree the log recorded without reading the
 * version's commit again (a third of the cost of reading a version).
 */
int dl_history_read_version(char **out, size_t *out_size, dl_history *history,
                            const dl_history_version *version);

/* ----------------------------------------------------------- restoring -- */

typedef struct {
    unsigned int version;
    /** Replace the file even when it is read-only (no write permission). */
    int force;
    /** An editor's unsaved text, recorded first (note "before restore of
     *  ID") once the restore is known to go ahead. NULL: none. */
    const char *content;
    size_t content_size;
} dl_history_restore_options;

#define DL_HISTORY_RESTORE_OPTIONS_VERSION 1
#define DL_HISTORY_RESTORE_OPTIONS_INIT {DL_HISTORY_RESTORE_OPTIONS_VERSION, 0, NULL, 0}

/**
 * Write version `rev` back to the article's file, atomically (a temporary
 * file in the same directory renamed over it, keeping the file's mode).
 * A read-only file is refused (DL_EINVALID) unless `opts->force`; NULL
 * options are the defaults. Temporary files left in the folder by a
 * restore that was killed (their process is gone) are removed.
 *
 * A restore never loses text: if the file holds content not yet recorded,
 * it is recorded first, with the note "before restore of <short id>". The
 * restored content is then recorded too (note "restored <short id>"), so
 * the latest version always matches the file; its id goes to `out` (or the
 * latest version's id when the file already had that content). A file that
 * holds binary data cannot be recorded, so restoring over it is refused.
 */
int dl_history_restore(dl_history_id *out, dl_history *history, const char *rev,
                       const dl_history_restore_options *opts);

/* ---------------------------------------------------------------- sync -- */

typedef struct {
    unsigned int version;
    /** Remote name or URL (a path works: a local bare repository). NULL: "origin".
     *  A name is looked up in the configuration of the repository the
     *  articles are in (the store has no remotes of its own). */
    const char *remote;
} dl_history_sync_options;

#define DL_HISTORY_SYNC_OPTIONS_VERSION 1
#define DL_HISTORY_SYNC_OPTIONS_INIT {DL_HISTORY_SYNC_OPTIONS_VERSION, NULL}

/** What a push or pull did, counted in articles (refs). */
typedef struct {
    size_t updated;   /**< refs moved forward (fast-forward or new) */
    size_t merged;    /**< pull: histories that had diverged, joined by a merge */
    size_t unchanged; /**< refs already equal */
    size_t rejected;  /**< push: refs the remote refused (pull first) */
    int notes_updated;
    /** One line per ref left out, "<ref>: <why>". pull: a remote ref not
     * adopted (a name outside dateline's escaping, pointing at something
     * other than a version, or whose history has a version without the
     * article); push: a local ref that is not a version, not sent.
     * Owned; free with dl_history_sync_result_dispose. */
    char **refused;
    size_t refused_count;
} dl_history_sync_result;

/** Free what a result owns (its `refused` lines); the struct stays usable. */
void dl_history_sync_result_dispose(dl_history_sync_result *result);

/**
 * Push every article's history (refs/dateline/ *) and the notes
 * (refs/notes/dateline) to a remote. Never forces: a remote that has
 * versions this store lacks rejects that ref (counted in `rejected`, and
 * the call returns DL_EMODIFIED after pushing the rest) — pull first.
 */
int dl_history_push(dl_history_sync_result *out, dl_history_store *store,
                    const dl_history_sync_options *opts);

/**
 * Fetch every article's history and the notes from a remote and join them
 * with the local ones. No version is ever dropped: new refs are created,
 * fast-forwards are taken, and when both sides recorded versions the local
 * ref gets a merge commit whose parents are both tips and whose tree is the
 * *local* content (the file on disk stays what the writer last saved), with
 * the note "merged <n> version(s) from <remote> (their latest: <id>)".
 * Notes are merged as a union; when both sides annotated the same version
 * differently, the texts are joined with a blank line between them.
 * The remote tips stay visible under refs/dateline-remotes/<remote>/...
 *
 * Nothing from the remote is trusted: a ref is adopted only when its name
 * decodes to a plain relative path in dateline's escaping and every
 * version it adds is a commit whose tree holds that path as a file (at
 * most 100000 new versions are checked). Any other ref is left out with a
 * line in `refused`, and the rest of the pull goes on.
 */
int dl_history_pull(dl_history_sync_result *out, dl_history_store *store,
                    const dl_history_sync_options *opts);

/* ------------------------------------------------------------ refnames -- */

/**
 * Escape a key path into a ref name under refs/dateline/. The escape is
 * reversible and the result is always one valid ref component below that
 * prefix, whatever the input: '%', '/', bytes not allowed in ref names
 * (control characters, space, ~ ^ : ? * [ \ DEL), every byte >= 0x80, a
 * '.' that starts or ends a path component or follows another '.', the
 * '.' of a ".lock" suffix and '@' before '{' become %XX (upper-case hex).
 * So "news/story.txt" gives "refs/dateline/news%2Fstory.txt" and "../x"
 * gives "refs/dateline/%2E%2E%2Fx". Because no article's name is a ref
 * folder, "draft" and "draft/x.txt" both have a history. An escape longer
 * than 200 bytes (a file name must hold it) keeps its first 150 bytes and
 * ends in "%00" and the SHA-1 of the path. The empty path is DL_EINVALID.
 * Release `*out` with free().
 */
int dl_history_refname_escape(char **out, const char *path);

/** The inverse: the key path of a refs/dateline/ ref name, in this form or
 *  the older one with '/' kept as ref folders. DL_EINVALID if it is not one
 *  or holds a malformed escape; DL_ENOTFOUND for a shortened name (ending
 *  in %00 and a SHA-1), whose path only its versions' trees hold. Release
 *  `*out` with free(). */
int dl_history_refname_unescape(char **out, const char *refname);



/* ------------------------------------------------------------ listing -- */

/** An article a store holds a history for. */
typedef struct {
    char *key;      /**< its key path (see dl_history_key) */
    char *file;     /**< the file dl_history_open takes: the key in the work
                         tree, or the key itself when it is absolute */
    char *ref;      /**< the ref holding its versions */
    long long time; /**< its latest version's time, seconds since the epoch */
} dl_history_article;

/** Articles, newest latest version first (ties by key). */
typedef struct {
    dl_history_article *items;
    size_t count;
} dl_history_articles;

/**
 * List the articles `store` holds, whose latest version is at or after
 * `since` (seconds since the epoch; 0 or less: all), from the refs alone:
 * the file system is never looked at, so deleted articles are listed too.
 * Reads one commit per article and no content. Refs under refs/dateline/
 * that are not an article's history (not a commit, a name dateline does
 * not write, a shortened name whose latest version holds no single file)
 * are left out; an article under both its current name and the one an
 * earlier dateline gave it is listed once, under the current one. Free
 * with dl_history_articles_free.
 */
int dl_history_articles_list(dl_history_articles **out, dl_history_store *store,
                             long long since);

/** Free a list. NULL-safe. */
void dl_history_articles_free(dl_history_articles *list);

/**
 * The listing of one article, found by its key among the store's refs
 * (never on the file system, so a key cannot name anything else): a list
 * of one, as dl_history_articles_list would list it. DL_ENOTFOUND when the
 * store has no history for `key`. Free with dl_history_articles_free.
 */
int dl_history_articles_find(dl_history_articles **out, dl_history_store *store,
                             const char *key);

/**
 * Open the history of a listed article, as dl_history_open does for its
 * file, and also when the file or its folder is gone (a deleted article
 * is still in the listing). Free with dl_history_free.
 */
int dl_history_open_listed(dl_history **out, dl_history_store *store,
                           const dl_history_article *article);

#endif
