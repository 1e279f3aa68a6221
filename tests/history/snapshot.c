#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_snapshot, .init = fx_setup, .fini = fx_teardown);

Test(history_snapshot, first_snapshot_records_the_file_under_its_ref)
{
    fx_write_str(fx_repo_path("news/story.txt"), "Headline\n\nBody text.\n");
    fx_story_open_file(fx_repo_path("news/story.txt"));
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    cr_assert(eq(str, (char *)dl_history_key(fx_history), "news/story.txt"));
    cr_assert(eq(str, (char *)dl_history_refname(fx_history), "refs/dateline/news%2Fstory.txt"));
    /* Stock git reads it: the ref, and the file at its path in the version. */
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' rev-parse refs/dateline/news%%2Fstory.txt",
                                    fx_repo), id.hex));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' show %s:news/story.txt", fx_repo, id.hex),
                 "Headline\n\nBody text."));
    fx_story_close();
}

Test(history_snapshot, unchanged_content_records_nothing)
{
    fx_write_str(fx_repo_path("story.txt"), "One.\n");
    fx_story_open();
    dl_history_id first, again;
    dl_assert_ok(dl_history_snapshot(&first, fx_history, NULL));
    cr_assert(eq(int, dl_history_snapshot(&again, fx_history, NULL), DL_EUNCHANGED));
    cr_assert(eq(str, again.hex, first.hex), "unchanged reports the latest id");
    cr_assert(eq(sz, fx_count(fx_history), 1));
    fx_story_close();
}

Test(history_snapshot, each_version_has_the_previous_one_as_parent)
{
    fx_story_open();
    const char *a = strdup(fx_snap(fx_history, "one", NULL));
    const char *b = strdup(fx_snap(fx_history, "two", NULL));
    const char *c = strdup(fx_snap(fx_history, "three", NULL));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' rev-parse %s^", fx_repo, c), (char *)b));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' rev-parse %s^", fx_repo, b), (char *)a));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' rev-list --count %s", fx_repo, c), "3"));
    free((void *)a);
    free((void *)b);
    free((void *)c);
    fx_story_close();
}

Test(history_snapshot, version_tree_holds_only_the_article_in_nested_trees)
{
    mkdir(fx_repo_path("a"), 0755);
    mkdir(fx_repo_path("a/b"), 0755);
    mkdir(fx_repo_path("a/b/c"), 0755);
    fx_story_open_file(fx_repo_path("a/b/c/story.txt"));
    const char *id = fx_snap(fx_history, "deep", NULL);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' ls-tree -r --name-only %s", fx_repo, id),
                 "a/b/c/story.txt"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' ls-tree %s | cut -c1-11", fx_repo, id),
                 "040000 tree"));
    fx_story_close();
}

Test(history_snapshot, head_index_branches_and_work_tree_are_untouched)
{
    fx_write_str(fx_repo_path("story.txt"), "Draft one.\n");
    char *head = strdup(fx_sh(NULL, "git -C '%s' rev-parse HEAD", fx_repo));
    char *status = strdup(fx_sh(NULL, "git -C '%s' status --porcelain", fx_repo));
    char *index = strdup(fx_sh(NULL, "sha1sum '%s/.git/index'", fx_repo));
    char *branches = strdup(fx_sh(NULL, "git -C '%s' for-each-ref refs/heads", fx_repo));
    fx_story_open();
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    fx_write_str(fx_repo_path("story.txt"), "Draft two.\n");
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    fx_write_str(fx_repo_path("story.txt"), "Draft one.\n");
    cr_assert(eq(str, (char *)fx_sh(NULL, "git -C '%s' rev-parse HEAD", fx_repo), head));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git -C '%s' status --porcelain", fx_repo), status));
    cr_assert(eq(str, (char *)fx_sh(NULL, "sha1sum '%s/.git/index'", fx_repo), index));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git -C '%s' for-each-ref refs/heads", fx_repo),
                 branches));
    int rc;
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "git fsck --strict failed");
    free(head);
    free(status);
    free(index);
    free(branches);
    fx_story_close();
}

Test(history_snapshot, note_is_attached_to_the_new_version)
{
    fx_story_open();
    const char *id = fx_snap(fx_history, "text", "first draft");
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline show %s", fx_repo, id),
                 "first draft"));
    fx_story_close();
}

Test(history_snapshot, author_comes_from_git_config)
{
    fx_story_open();
    const char *id = fx_snap(fx_history, "text", NULL);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' log -1 --format='%%an <%%ae>|%%cn' %s",
                                    fx_repo, id),
                 "Test Writer <writer@example.com>|Test Writer"));
    fx_story_close();
}

Test(history_snapshot, without_an_identity_the_fallback_is_used)
{
    unlink(fx_path("home/.gitconfig"));
    fx_story_open();
    const char *id = fx_snap(fx_history, "text", NULL);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' log -1 --format='%%an <%%ae>' %s",
                                    fx_repo, id),
                 "dateline <dateline@localhost>"));
    fx_story_close();
}

Test(history_snapshot, time_keeps_the_local_zone)
{
    setenv("TZ", "IST-5:30", 1);
    tzset();
    fx_story_open();
    const char *id = fx_snap(fx_history, "text", NULL);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' log -1 --format=%%ai %s | cut -d' ' -f3",
                                    fx_repo, id),
                 "+0530"));
    fx_story_close();
}

Test(history_snapshot, content_from_memory_is_recorded)
{
    fx_story_open_file(fx_repo_path("never-written.txt"));
    const char *id = fx_snap(fx_history, "from the buffer", NULL);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' show %s:never-written.txt", fx_repo, id),
                 "from the buffer"));
    fx_story_close();
}

Test(history_snapshot, path_with_spaces_and_non_ascii_works)
{
    const char *name = "sub dir/caf\xc3\xa9 \xe2\x80\x9cstory\xe2\x80\x9d.txt";
    fx_write_str(fx_repo_path(name), "Caf\xc3\xa9 text\n");
    fx_story_open_file(fx_repo_path(name));
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    cr_assert(eq(str, (char *)dl_history_key(fx_history), (char *)name));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' -c core.quotepath=off ls-tree -r --name-only %s",
                                    fx_repo, id.hex),
                 (char *)name));
    fx_story_close();
}

/* The bytes of `file` in version `hex`, as stock git gives them back, in hex. */
static const char *git_bytes(const char *hex, const char *file)
{
    return fx_sh(NULL, "git --git-dir='%s/.git/dateline' cat-file blob %s:%s | od -An -tx1 | tr -d ' \\n'", fx_repo,
                 hex, file);
}

/* The newest version's change, as log reads it back from the trailers. */
static dl_history_change newest_change(size_t *count)
{
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    dl_history_change change = log->versions[0].change;
    *count = log->count;
    change.summary = change.summary ? strdup(change.summary) : NULL;
    dl_history_log_free(log);
    return change;
}

Test(history_snapshot, a_nul_byte_is_recorded_byte_exact_and_flagged)
{
    fx_write_str(fx_repo_path("story.txt"), "Headline\n\nBody text.\n");
    fx_story_open();
    dl_history_id first, id;
    dl_assert_ok(dl_history_snapshot(&first, fx_history, NULL));
    fx_write(fx_repo_path("story.txt"), "ab\0cd", 5);
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    cr_assert(eq(str, (char *)git_bytes(id.hex, "story.txt"), "6162006364"));
    char *content = NULL;
    size_t size = 0;
    dl_assert_ok(dl_history_read(&content, &size, fx_history, &id));
    cr_assert(eq(sz, size, 5));
    cr_assert(memcmp(content, "ab\0cd", 5) == 0);
    free(content);
    size_t count;
    dl_history_change change = newest_change(&count);
    cr_assert(eq(sz, count, 2));
    cr_assert(eq(int, change.not_text, 1));
    cr_assert(eq(str, change.summary, "not text: 5 bytes (binary content)"));
    cr_assert(eq(sz, change.words, 0));
    dl_history_change_dispose(&change);
    /* Saved again unchanged, it is the same version. */
    cr_assert(eq(int, dl_history_snapshot(&id, fx_history, NULL), DL_EUNCHANGED));
    fx_story_close();
}

Test(history_snapshot, latin1_is_recorded_and_the_next_text_version_says_so)
{
    fx_write_str(fx_repo_path("story.txt"), "Headline\n\nCafe text.\n");
    fx_story_open();
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    fx_write_str(fx_repo_path("story.txt"), "Headline\n\nCaf\xe9 text.\n");
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    cr_assert(eq(str, (char *)git_bytes(id.hex, "story.txt"),
                 "486561646c696e650a0a436166e920746578742e0a"));
    size_t count;
    dl_history_change change = newest_change(&count);
    cr_assert(eq(int, change.not_text, 1));
    dl_history_change_dispose(&change);
    /* Back to text: counted by the model again, and the summary says why
     * it is not the structural one. */
    fx_write_str(fx_repo_path("story.txt"), "Headline\n\nCafe text again.\n");
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    change = newest_change(&count);
    cr_assert(eq(sz, count, 3));
    cr_assert(eq(int, change.not_text, 0));
    cr_assert(eq(sz, change.words, 4));
    cr_assert(eq(str, change.summary, "text again: 27 bytes (was binary content)"));
    dl_history_change_dispose(&change);
    fx_story_close();
}

Test(history_snapshot, a_forged_text_trailer_is_not_believed)
{
    fx_write_str(fx_repo_path("story.txt"), "Headline\n\nBody.\n");
    fx_story_open();
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    /* Only "no" flags a version; "nope" is some other tool's text. */
    const char *forged = fx_sh(NULL,
        "cd '%s/.git/dateline' && git commit-tree -p %s -m 'story.txt: x' -m 'Dateline-Words: 1\nDateline-Words-Delta: +0\nDateline-Text: nope' %s^{tree}",
        fx_repo, id.hex, id.hex);
    fx_sh(NULL, "git --git-dir='%s/.git/dateline' update-ref refs/dateline/story.txt %s", fx_repo, forged);
    size_t count;
    dl_history_change change = newest_change(&count);
    cr_assert(eq(sz, count, 2));
    cr_assert(eq(int, change.not_text, 0));
    dl_history_change_dispose(&change);
    fx_story_close();
}

Test(history_snapshot, missing_file_is_not_found)
{
    fx_story_open_file(fx_repo_path("nope.txt"));
    dl_history_id id;
    cr_assert(eq(int, dl_history_snapshot(&id, fx_history, NULL), DL_ENOTFOUND));
    cr_assert(strstr(dl_error_last(), "nope.txt") != NULL, "%s", dl_error_last());
    cr_assert(strstr(dl_error_last(), "No such file") != NULL, "%s", dl_error_last());
    fx_story_close();
}

Test(history_snapshot, a_directory_is_not_an_article)
{
    mkdir(fx_repo_path("folder"), 0755);
    dl_assert_ok(dl_history_store_open(&fx_store, fx_repo_path("folder"), NULL));
    cr_assert(eq(int, dl_history_open(&fx_history, fx_store, fx_repo_path("folder")), DL_EINVALID));
    cr_assert(strstr(dl_error_last(), "is a directory") != NULL, "%s", dl_error_last());
    fx_story_close();
}

Test(history_snapshot, unreadable_file_gives_a_clear_error)
{
    if (geteuid() == 0)
        cr_skip_test("root reads every file");
    fx_write_str(fx_repo_path("story.txt"), "secret");
    chmod(fx_repo_path("story.txt"), 0);
    fx_story_open();
    dl_history_id id;
    cr_assert(eq(int, dl_history_snapshot(&id, fx_history, NULL), DL_ERROR));
    cr_assert(strstr(dl_error_last(), "Permission denied") != NULL, "%s", dl_error_last());
    fx_story_close();
}

Test(history_snapshot, outside_a_repository_the_private_fallback_store_is_used)
{
    fx_write_str(fx_path("loose/story.txt"), "No repository here.\n");
    fx_story_open_file(fx_path("loose/story.txt"));
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    char expected[1024];
    snprintf(expected, sizeof(expected), "%s/data/dateline/store.git/", fx_root);
    cr_assert(eq(str, (char *)dl_history_store_path(fx_store), expected));
    struct stat st;
    cr_assert(eq(int, stat(fx_path("data/dateline/store.git"), &st), 0));
    cr_assert(eq(int, st.st_mode & 0777, 0700));
    /* The key is the absolute path; the tree holds it without the '/'. */
    cr_assert(eq(str, (char *)dl_history_key(fx_history), (char *)fx_path("loose/story.txt")));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s' show %s:%s", expected, id.hex,
                                    fx_path("loose/story.txt") + 1),
                 "No repository here."));
    fx_story_close();
}

Test(history_snapshot, store_option_overrides_discovery)
{
    fx_write_str(fx_repo_path("story.txt"), "text");
    dl_history_store_options options = DL_HISTORY_STORE_OPTIONS_INIT;
    options.store_dir = fx_path("elsewhere.git");
    dl_assert_ok(dl_history_store_open(&fx_store, fx_repo_path("story.txt"), &options));
    dl_assert_ok(dl_history_open(&fx_history, fx_store, fx_repo_path("story.txt")));
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s' rev-parse '%s'",
                                    fx_path("elsewhere.git"), dl_history_refname(fx_history)),
                 id.hex));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git -C '%s' for-each-ref refs/dateline", fx_repo), ""));
    fx_story_close();
}

Test(history_snapshot, store_environment_variable_overrides_discovery)
{
    setenv("DATELINE_STORE", fx_path("env-store"), 1);
    fx_write_str(fx_repo_path("story.txt"), "text");
    fx_story_open();
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s' rev-parse '%s'",
                                    fx_path("env-store"), dl_history_refname(fx_history)),
                 id.hex));
    fx_story_close();
}

Test(history_snapshot, a_non_repository_directory_is_not_taken_as_store)
{
    fx_write_str(fx_path("junk/file"), "x");
    dl_history_store_options options = DL_HISTORY_STORE_OPTIONS_INIT;
    options.store_dir = fx_path("junk");
    cr_assert(eq(int, dl_history_store_open(&fx_store, fx_repo_path("story.txt"), &options),
                 DL_EINVALID));
    cr_assert(strstr(dl_error_last(), "is not a git repository and not empty") != NULL, "%s",
              dl_error_last());
}

Test(history_snapshot, unwritable_data_directory_gives_a_clear_error)
{
    /* A data "directory" that is a file: creating the store must fail,
     * even for root, and say where. */
    fx_write_str(fx_path("datafile"), "not a directory");
    setenv("XDG_DATA_HOME", fx_path("datafile"), 1);
    fx_write_str(fx_path("loose/story.txt"), "text");
    cr_assert(eq(int, dl_history_store_open(&fx_store, fx_path("loose/story.txt"), NULL),
                 DL_ERROR));
    cr_assert(strstr(dl_error_last(), "cannot create the history store directory") != NULL, "%s",
              dl_error_last());
    cr_assert(strstr(dl_error_last(), "datafile") != NULL, "%s", dl_error_last());
}

/* A lock as fresh as a live writer's is waited out, not broken. */
Test(history_snapshot, a_held_ref_lock_gives_elocked_naming_the_lock)
{
    fx_write_str(fx_repo_path("story.txt"), "one");
    fx_story_open();
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    fx_write_str(fx_repo_path(".git/dateline/refs/dateline/story.txt.lock"), "");
    fx_write_str(fx_repo_path("story.txt"), "two");
    cr_assert(eq(int, dl_history_snapshot(&id, fx_history, NULL), DL_ELOCKED));
    cr_assert(strstr(dl_error_last(), "refs/dateline/story.txt.lock exists") != NULL, "%s",
              dl_error_last());
    cr_assert(eq(sz, fx_count(fx_history), 1), "nothing half-written");
    fx_story_close();
}

/* Make `path` look a minute old, as a lock left by a killed writer. */
static void age(const char *path)
{
    struct timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= 60;
    times[1] = times[0];
    cr_assert(eq(int, utimensat(AT_FDCWD, path, times, 0), 0));
}

Test(history_snapshot, a_ref_lock_left_by_a_killed_writer_does_not_block_saves)
{
    const char *lock = fx_repo_path(".git/dateline/refs/dateline/story.txt.lock");
    fx_story_open();
    fx_snap(fx_history, "one", NULL);
    fx_write_str(lock, "0123456789012345678901234567890123456789\n");
    age(lock);
    fx_snap(fx_history, "two", NULL);
    cr_assert(eq(sz, fx_count(fx_history), 2));
    cr_assert(eq(int, access(lock, F_OK), -1), "the stale lock is gone");
    cr_assert(eq(str, (char *)fx_sh(NULL, "ls -a '%s/.git' | grep -c dateline-stale || true",
                                    fx_repo), "0"), "and nothing is left aside");
    fx_story_close();
}

Test(history_snapshot, a_notes_lock_left_by_a_killed_writer_does_not_block_notes)
{
    const char *lock = fx_repo_path(".git/dateline/refs/notes/dateline.lock");
    fx_story_open();
    fx_snap(fx_history, "one", "first note");
    fx_write_str(lock, "");
    age(lock);
    fx_snap(fx_history, "two", "second note");
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline show "
                                          "refs/dateline/story.txt", fx_repo),
                 "second note"));
    cr_assert(eq(int, access(lock, F_OK), -1), "the stale lock is gone");
    fx_story_close();
}

Test(history_snapshot, an_index_lock_does_not_stop_recording)
{
    /* dateline never touches the index, so git's index.lock (a commit in
     * progress) is no reason to lose a version. */
    fx_write_str(fx_repo_path(".git/index.lock"), "");
    fx_write_str(fx_repo_path("story.txt"), "one");
    fx_story_open();
    dl_history_id id;
    dl_assert_ok(dl_history_snapshot(&id, fx_history, NULL));
    fx_story_close();
}

Test(history_snapshot, a_corrupt_ref_gives_a_clear_error)
{
    fx_write_str(fx_repo_path("story.txt"), "one");
    fx_story_open();
    fx_write_str(fx_repo_path(".git/dateline/refs/dateline/story.txt"), "garbage\n");
    dl_history_id id;
    int error = dl_history_snapshot(&id, fx_history, NULL);
    cr_assert(lt(int, error, 0));
    cr_assert(strstr(dl_error_last(), "refs/dateline/story.txt") != NULL, "%s", dl_error_last());
    fx_story_close();
}

Test(history_snapshot, loose_objects_are_packed_and_the_store_stays_small)
{
    fx_story_open();
    char text[6000];
    size_t len = 0;
    while (len < 5000)
        len += (size_t)snprintf(text + len, sizeof(text) - len, "Paragraph %zu of the story. ", len);
    for (int i = 0; i < 400; i++) {
        snprintf(text + 100, 40, "edit %05d ", i); /* small edits mid-text */
        text[111] = ' ';
        fx_snap(fx_history, text, i % 50 == 0 ? "checkpoint" : NULL);
    }
    cr_assert(eq(sz, fx_count(fx_history), 400));
    int loose = atoi(fx_sh(NULL, "git --git-dir='%s/.git/dateline' count-objects | cut -d' ' -f1", fx_repo));
    cr_assert(lt(int, loose, 300), "%d loose objects left", loose);
    cr_assert(eq(str, (char *)fx_sh(NULL, "ls '%s/.git/dateline/objects/pack' | grep -c idx >/dev/null && echo packed",
                                    fx_repo), "packed"));
    int rc;
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "fsck after packing");
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' rev-list --count refs/dateline/story.txt",
                                    fx_repo), "400"));
    fx_story_close();
}

/* A server records first and tidies after telling the editor: a deferred
 * snapshot never packs, however many loose objects pile up, and
 * dl_history_tidy then packs them as a snapshot would have. */
Test(history_snapshot, deferred_upkeep_packs_only_when_asked)
{
    fx_story_open();
    char text[64];
    for (int i = 0; i < 120; i++) {
        snprintf(text, sizeof(text), "Version %d of the story.", i);
        fx_snap_deferred(fx_history, text);
    }
    const char *packs = "ls '%s/.git/dateline/objects/pack' | grep -c 'idx$' || true";
    cr_assert(eq(str, (char *)fx_sh(NULL, packs, fx_repo), "0"), "nothing packed yet");
    int loose = atoi(fx_sh(NULL, "git --git-dir='%s/.git/dateline' count-objects | cut -d' ' -f1", fx_repo));
    cr_assert(ge(int, loose, 360), "%d loose objects", loose);

    dl_history_tidy(fx_history);
    cr_assert(eq(str, (char *)fx_sh(NULL, packs, fx_repo), "1"));
    loose = atoi(fx_sh(NULL, "git --git-dir='%s/.git/dateline' count-objects | cut -d' ' -f1", fx_repo));
    cr_assert(lt(int, loose, 10), "%d loose objects left", loose);
    cr_assert(eq(sz, fx_count(fx_history), 120));
    int rc;
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "fsck after packing");
    fx_story_close();
}

/* A version is described against its parent even when the save before it
 * failed after describing itself: the text the handle parsed last is then
 * not the parent's, and the parent is read back. */
Test(history_snapshot, after_a_failed_save_the_next_is_described_against_its_parent,
     .timeout = 30)
{
    fx_story_open();
    fx_snap(fx_history, "One two three.", NULL);
    fx_write_str(fx_repo_path(".git/dateline/refs/dateline/story.txt.lock"), "");
    dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
    options.content = "One two three four five six seven.";
    options.content_size = strlen(options.content);
    dl_history_id id;
    cr_assert(eq(int, dl_history_snapshot(&id, fx_history, &options), DL_ELOCKED));
    unlink(fx_repo_path(".git/dateline/refs/dateline/story.txt.lock"));
    fx_snap(fx_history, "One two three four.", NULL);

    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 2));
    cr_assert(eq(sz, log->versions[0].change.words, 4));
    cr_assert(eq(i64, log->versions[0].change.words_delta, 1), "against “One two three.”");
    dl_history_log_free(log);
    fx_story_close();
}
