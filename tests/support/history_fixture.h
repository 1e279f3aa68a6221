/*
 * A temporary world per test: a scratch directory with HOME, XDG_DATA_HOME
 * and a git repository (one commit on master, so HEAD exists) inside it.
 * Criterion runs each test in its own process, so the environment changes
 * made here stay in that test.
 */
#ifndef DL_HISTORY_FIXTURE_H
#define DL_HISTORY_FIXTURE_H

#include <git2.h>
#include <stddef.h>

#include "dateline/history.h"

/* The scratch directory and the repository inside it ("<root>/repo"). */
extern char fx_root[];
extern char fx_repo[];

void fx_setup(void);
void fx_teardown(void);

/* "<root>/<relative>" — in a rotating static buffer (8 slots). */
const char *fx_path(const char *relative);
/* "<root>/repo/<relative>". */
const char *fx_repo_path(const char *relative);

/* A second writer's clone: a bare remote "<root>/remote.git", made the
 * repository's origin and given its master, cloned into "<root>/other". */
void fx_add_remote_clone(void);

/* Write a file (creating parent directories). */
void fx_write(const char *path, const char *content, size_t size);
void fx_write_str(const char *path, const char *content);
/* Read a whole file; NULL if missing. free() it. */
char *fx_read(const char *path, size_t *size);

/* Open the store and article for a file; the caller frees both. */
void fx_open(dl_history_store **store, dl_history **history, const char *file);

/*
 * The article a test is about, which most suites open in every test:
 * fx_story_open opens "<root>/repo/story.txt" (it need not exist yet) into
 * fx_store and fx_history, fx_story_open_file any other file, and both
 * keep its path in fx_file. The fixture owns them: fx_story_close frees
 * the store and history and clears both (fx_file keeps the path), so a
 * test may close and open again to see what a fresh process would, and
 * fx_teardown closes whatever a test left open before it removes the
 * files.
 */
extern dl_history_store *fx_store;
extern dl_history *fx_history;
extern char fx_file[];

void fx_story_open(void);
void fx_story_open_file(const char *file);
void fx_story_close(void);
/* fx_setup, then fx_story_open: the .init of a suite whose every test is
 * about that one article (its .fini is fx_teardown). */
void fx_setup_story(void);

/* Snapshot `content` of `file` from memory; returns the id (static buffer rotates). */
const char *fx_snap(dl_history *history, const char *content, const char *note);
/* The same leaving the upkeep to dl_history_tidy, as the language server does. */
const char *fx_snap_deferred(dl_history *history, const char *content);

/* Run a shell command; its stdout (trimmed of the final newline) in a
 * static buffer, the exit status in *status if given. */
const char *fx_sh(int *status, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Number of versions in an article's history. */
size_t fx_count(dl_history *history);

#endif
