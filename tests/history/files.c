/*
 * Files made ahead of the next save (history_files.c): versions recorded
 * into them are ordinary git objects and refs, and the ref update keeps
 * git's locking and compare-and-swap rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugin/src/core/history_internal.h"
#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_files, .init = fx_setup, .fini = fx_teardown);

static dl_history_store *store;
static dl_history *history;

static void close_story(void)
{
    dl_history_free(history);
    dl_history_store_free(store);
}

/* Record as the language server does: snapshot, then tidy. */
static void server_save(const char *text)
{
    fx_snap_deferred(history, text);
    dl_history_tidy(history);
}

static git_oid oid_of(const char *hex)
{
    git_oid id;
    cr_assert(eq(int, git_oid_fromstr(&id, hex), 0));
    return id;
}

/* Versions "Version 0." to "Version <n-1>.", saved as the server does. */
static void save_versions(int n)
{
    for (int i = 0; i < n; i++) {
        char text[32];
        snprintf(text, sizeof(text), "Version %d.", i);
        server_save(text);
    }
}

static void assert_version_count(const char *count)
{
    cr_assert(eq(str, (char *)fx_sh(NULL, "git -C '%s' rev-list --count refs/dateline/story.txt",
                                    fx_repo), (char *)count));
}

static int open_descriptors(void)
{
    return atoi(fx_sh(NULL, "ls /proc/%d/fd | wc -l", (int)getpid()));
}

static const char *ref_target(void)
{
    return fx_sh(NULL, "git -C '%s' rev-parse refs/dateline/story.txt", fx_repo);
}

/* Two versions of story.txt recorded, and files made for a third. */
static void two_versions(git_oid *first, git_oid *second)
{
    fx_open(&store, &history, fx_repo_path("story.txt"));
    *first = oid_of(fx_snap(history, "one", NULL));
    *second = oid_of(fx_snap(history, "two", NULL));
    dl_history__files_prepare(store->files);
}

Test(history_files, versions_go_into_files_made_ahead_and_git_reads_them)
{
    fx_open(&store, &history, fx_repo_path("story.txt"));
    cr_assert(eq(sz, dl_history__files_ready(store->files), 0), "a snapshot alone makes none");
    server_save("First version.\n");
    int descriptors = open_descriptors();
    for (int i = 2; i <= 6; i++) {
        cr_assert(eq(sz, dl_history__files_ready(store->files), 4),
                  "tidying makes a blob's, a tree's, a commit's and a ref lock's");
        char text[64];
        snprintf(text, sizeof(text), "Version %d, with more words.\n", i);
        const char *id = fx_snap_deferred(history, text);
        cr_assert(eq(sz, dl_history__files_ready(store->files), 0), "version %d used them all", i);
        cr_assert(eq(str, (char *)ref_target(), (char *)id));
        dl_history_tidy(history);
    }
    cr_assert(eq(int, open_descriptors(), descriptors), "each ref file replaced is closed");

    assert_version_count("6");
    cr_assert(eq(str, (char *)fx_sh(NULL, "git -C '%s' show refs/dateline/story.txt:story.txt",
                                    fx_repo), "Version 6, with more words."));
    /* Modes as git and libgit2 write them: objects read-only, refs not. */
    const char *tip = ref_target();
    struct stat st;
    char object[4096];
    snprintf(object, sizeof(object), "%s/.git/objects/%.2s/%s", fx_repo, tip, tip + 2);
    cr_assert(eq(int, stat(object, &st), 0), "the commit is a loose object");
    cr_assert(eq(int, st.st_mode & 0777, 0444));
    cr_assert(eq(int, stat(fx_repo_path(".git/refs/dateline/story.txt"), &st), 0));
    mode_t mask = umask(0);
    umask(mask);
    cr_assert(eq(int, st.st_mode & 0777, 0666 & ~mask));
    int rc;
    fx_sh(&rc, "git -C '%s' fsck --strict 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0));
    cr_assert(eq(str, (char *)fx_sh(NULL, "ls -a '%s/.git/refs/dateline'", fx_repo),
                 ".\n..\nstory.txt"), "no lock left behind");
    close_story();
}

Test(history_files, a_ref_moved_by_someone_else_is_left_alone)
{
    git_oid first, second;
    two_versions(&first, &second);

    /* Expecting `first` where `second` is: somebody moved it. */
    cr_assert(eq(int, dl_history__files_swap_ref(store->files, store->repo,
                                                 "refs/dateline/story.txt", &first, &first),
                 DL_EMODIFIED));
    char hex[GIT_OID_HEXSZ + 1];
    cr_assert(eq(str, (char *)ref_target(), git_oid_tostr(hex, sizeof(hex), &second)));
    cr_assert(eq(str, (char *)fx_sh(NULL, "ls -a '%s/.git/refs/dateline'", fx_repo),
                 ".\n..\nstory.txt"), "our lock is gone again");
    close_story();
}

Test(history_files, a_held_lock_is_respected)
{
    git_oid first, second;
    two_versions(&first, &second);
    fx_write_str(fx_repo_path(".git/refs/dateline/story.txt.lock"), "");

    cr_assert(eq(int, dl_history__files_swap_ref(store->files, store->repo,
                                                 "refs/dateline/story.txt", &first, &second),
                 DL_ELOCKED));
    cr_assert(strstr(dl_error_last(), "story.txt.lock") != NULL, "%s", dl_error_last());
    char hex[GIT_OID_HEXSZ + 1];
    cr_assert(eq(str, (char *)ref_target(), git_oid_tostr(hex, sizeof(hex), &second)));
    struct stat st;
    cr_assert(eq(int, stat(fx_repo_path(".git/refs/dateline/story.txt.lock"), &st), 0),
              "somebody else's lock stays");
    cr_assert(eq(int, st.st_size, 0));
    close_story();
}

/* One lock file is made per preparation: the second swap declines (1) and
 * leaves the ref to libgit2. */
Test(history_files, a_file_made_ahead_serves_one_swap)
{
    git_oid first, second;
    two_versions(&first, &second);
    char hex[GIT_OID_HEXSZ + 1];
    cr_assert(eq(int, dl_history__files_swap_ref(store->files, store->repo,
                                                 "refs/dateline/story.txt", &first, &second),
                 0));
    cr_assert(eq(str, (char *)ref_target(), git_oid_tostr(hex, sizeof(hex), &first)));
    cr_assert(eq(int, dl_history__files_swap_ref(store->files, store->repo,
                                                 "refs/dateline/story.txt", &second, &first),
                 1));
    cr_assert(eq(str, (char *)ref_target(), git_oid_tostr(hex, sizeof(hex), &first)),
              "declining changes nothing");
    close_story();
}

/* `git gc` packs refs: the loose file is gone, so the fast path declines,
 * and libgit2 writes a loose ref that the next save can use again. */
Test(history_files, packed_refs_keep_working)
{
    fx_open(&store, &history, fx_repo_path("story.txt"));
    server_save("one");
    fx_sh(NULL, "git -C '%s' pack-refs --all", fx_repo);
    server_save("two");
    server_save("three");
    assert_version_count("3");
    cr_assert(eq(str, (char *)fx_sh(NULL, "git -C '%s' show refs/dateline/story.txt:story.txt",
                                    fx_repo), "three"));
    close_story();
}

/* This path writes no reflog; where git would keep one, libgit2 writes. */
Test(history_files, a_ref_with_a_reflog_gets_every_entry)
{
    fx_sh(NULL, "git -C '%s' config core.logAllRefUpdates always", fx_repo);
    fx_open(&store, &history, fx_repo_path("story.txt"));
    save_versions(4);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git -C '%s' reflog show refs/dateline/story.txt | wc -l",
                                    fx_repo), "4"));
    close_story();
}

/* Files made ahead stay in the lower half of the descriptors a process may
 * open; above that, saves make their files as they go, and still work. */
Test(history_files, none_are_made_in_the_upper_half_of_the_descriptor_limit)
{
    fx_open(&store, &history, fx_repo_path("story.txt"));
    fx_snap(history, "One.", NULL);
    /* Descriptors 0-31 taken, a limit of 64: the free ones are all above half. */
    int fillers[32], count = 0;
    for (int fd; (fd = dup(0)) >= 0;) {
        if (fd >= 32) {
            close(fd);
            break;
        }
        fillers[count++] = fd;
    }
    struct rlimit old;
    cr_assert(eq(int, getrlimit(RLIMIT_NOFILE, &old), 0));
    cr_assert(eq(int, setrlimit(RLIMIT_NOFILE, &(struct rlimit){64, old.rlim_max}), 0));
    save_versions(3);
    cr_assert(eq(sz, dl_history__files_ready(store->files), 0));
    setrlimit(RLIMIT_NOFILE, &old);
    while (count > 0)
        close(fillers[--count]);
    assert_version_count("4");
    close_story();
}

/* core.fsyncObjectFiles asks libgit2 to sync objects and refs to disk:
 * then libgit2 writes them, as it would without dateline's writer. */
Test(history_files, a_repository_that_syncs_its_files_is_left_to_libgit2)
{
    fx_sh(NULL, "git -C '%s' config core.fsyncObjectFiles true", fx_repo);
    fx_open(&store, &history, fx_repo_path("story.txt"));
    save_versions(2);
    cr_assert(store->files == NULL);
    assert_version_count("2");
    close_story();
}
