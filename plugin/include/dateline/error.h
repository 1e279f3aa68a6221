/*
 * dateline — error reporting.
 *
 * Every fallible function in the core returns an int: 0 on success, a negative
 * DL_E* code on failure. The human-readable message of the most recent failure
 * on the calling thread is kept in one place and read with dl_error_last().
 */
#ifndef DATELINE_ERROR_H
#define DATELINE_ERROR_H

/** Error codes. Callers test for the named ones they can handle. */
typedef enum {
    DL_OK = 0,
    DL_ERROR = -1,      /**< generic failure; see the message */
    DL_ENOTFOUND = -3,  /**< a file, version or ref does not exist */
    DL_EEXISTS = -4,    /**< something that must not exist already does */
    DL_EINVALID = -5,   /**< bad input: not UTF-8 text, malformed revision, ... */
    DL_EMODIFIED = -6,  /**< a ref moved under us; the caller may retry */
    DL_ELOCKED = -7,    /**< the repository is locked by another process */
    DL_EUSAGE = -8,     /**< the command line is wrong */
    DL_EUNCHANGED = -9, /**< nothing to do: the content is already recorded */
} dl_error_code;

/** The message of the last failure on this thread, or "" if there was none. */
const char *dl_error_last(void);

/** The code that went with the last failure on this thread (DL_OK if none). */
int dl_error_last_code(void);

/**
 * Record a failure and return its code, so callers can write
 * `return dl_error_set(DL_ENOTFOUND, "no version %s", rev);`.
 */
int dl_error_set(int code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/** Forget the last failure on this thread. */
void dl_error_clear(void);

/**
 * Tell the user something that is not a failure: the core repaired
 * something on its own (broke a dead writer's stale lock) and the user
 * should know, but the operation goes on. Kept per thread, like the
 * error record, one line per notice, until dl_notice_take. The core never
 * prints; each front end takes the notices after an operation and shows
 * them its way (the CLI on stderr, the server as window/logMessage).
 */
void dl_notice_add(const char *format, ...) __attribute__((format(printf, 1, 2)));

/**
 * The notices added on this thread since the last take, one per line
 * (each ending in "\n"), or "" if none; they are forgotten. The string is
 * valid until the next dl_notice_* call on this thread.
 */
const char *dl_notice_take(void);

#endif
