/*
 * Any file name the file system accepts can be recorded: long non-ASCII
 * names, names of the longest length a file name may have, and a path
 * that was a file and is now a folder (or the reverse), which keeps both
 * histories. Histories recorded under the ref names of earlier versions
 * go on where they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(hostile_names, .init = fx_setup, .fini = fx_teardown);

/* Record two versions of `relative` and read its log back. */
static void record_twice(const char *relative)
{
    fx_write_str(fx_repo_path(relative), "Headline\n\nFirst.\n");
    fx_story_open_file(fx_repo_path(relative));
    fx_snap(fx_history, "Headline\n\nFirst.\n", "first");
    fx_snap(fx_history, "Headline\n\nSecond.\n", NULL);
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 2), "%s", relative);
    cr_assert(eq(str, log->versions[1].note, "first"));
    dl_history_log_free(log);
    /* Stock git finds the article at its path in the version. */
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s' show '%s:%s'",
                                    dl_history_store_path(fx_store), dl_history_refname(fx_history),
                                    relative),
                 "Headline\n\nSecond."));
    fx_story_close();
}

Test(hostile_names, a_long_cyrillic_name_is_recorded)
{
    char name[256] = "news/";
    for (int i = 0; i < 48; i++)
        strcat(name, "\xd0\xb7"); /* з */
    strcat(name, ".txt");
    record_twice(name);
}

Test(hostile_names, a_name_of_255_bytes_is_recorded)
{
    char name[300] = "news/";
    size_t at = strlen(name);
    memset(name + at, 'n', 251);
    memcpy(name + at + 251, ".txt", 5);
    record_twice(name);
}

Test(hostile_names, odd_bytes_in_names_are_recorded)
{
    record_twice("sub dir/@{odd} name~^:?*[.lock");
    record_twice(".hidden/..x../a..b.");
}

Test(hostile_names, a_file_that_becomes_a_folder_keeps_both_histories)
{
    dl_history_store *store = NULL;
    dl_history *draft = NULL, *inside = NULL;
    fx_write_str(fx_repo_path("draft"), "Draft\n\nAs a file.\n");
    fx_open(&store, &draft, fx_repo_path("draft"));
    fx_snap(draft, "Draft\n\nAs a file.\n", NULL);
    dl_history_free(draft);

    cr_assert(eq(int, unlink(fx_repo_path("draft")), 0));
    fx_write_str(fx_repo_path("draft/x.txt"), "Inside\n\nNow a folder.\n");
    dl_assert_ok(dl_history_open(&inside, store, fx_repo_path("draft/x.txt")));
    fx_snap(inside, "Inside\n\nNow a folder.\n", NULL);
    cr_assert(eq(sz, fx_count(inside), 1));
    dl_history_free(inside);

    /* And back: the file's history goes on. */
    fx_sh(NULL, "rm -r '%s'", fx_repo_path("draft"));
    fx_write_str(fx_repo_path("draft"), "Draft\n\nA file again.\n");
    dl_assert_ok(dl_history_open(&draft, store, fx_repo_path("draft")));
    fx_snap(draft, "Draft\n\nA file again.\n", NULL);
    cr_assert(eq(sz, fx_count(draft), 2));
    dl_history_free(draft);
    dl_history_store_free(store);
}

Test(hostile_names, a_history_under_an_earlier_ref_name_goes_on_there)
{
    dl_history_store *store = NULL;
    dl_history *story = NULL;
    fx_write_str(fx_repo_path("news/story.txt"), "Story\n\nOne.\n");
    fx_open(&store, &story, fx_repo_path("news/story.txt"));
    const char *id = fx_snap(story, "Story\n\nOne.\n", NULL);
    /* What an earlier dateline left: the same history under the old name. */
    int rc;
    fx_sh(&rc,
          "git --git-dir='%s' update-ref refs/dateline/news/story.txt %s && "
          "git --git-dir='%s' update-ref -d refs/dateline/news%%2Fstory.txt",
          dl_history_store_path(store), id, dl_history_store_path(store));
    cr_assert(eq(int, rc, 0));
    dl_history_free(story);

    dl_assert_ok(dl_history_open(&story, store, fx_repo_path("news/story.txt")));
    cr_assert(eq(str, (char *)dl_history_refname(story), "refs/dateline/news/story.txt"));
    fx_snap(story, "Story\n\nTwo.\n", NULL);
    cr_assert(eq(sz, fx_count(story), 2));
    dl_history_free(story);
    dl_history_store_free(store);
}

/* A shortened name travels: the other clone adopts it from the path its
 * versions hold. */
Test(hostile_names, a_shortened_name_is_pulled_by_another_clone)
{
    char name[300] = "";
    for (int i = 0; i < 60; i++)
        strcat(name, "\xd1\x8f"); /* я */
    strcat(name, ".txt");
    fx_add_remote_clone();

    dl_history_store *store = NULL, *other_store = NULL;
    dl_history *history = NULL, *other = NULL;
    fx_write_str(fx_repo_path(name), "Headline\n\nBody.\n");
    fx_open(&store, &history, fx_repo_path(name));
    fx_snap(history, "Headline\n\nBody.\n", NULL);
    dl_history_sync_result r = {0};
    dl_assert_ok(dl_history_push(&r, store, NULL));
    dl_history_sync_result_dispose(&r);

    char file[1024];
    snprintf(file, sizeof(file), "%s/other/%s", fx_root, name);
    fx_write_str(file, "Headline\n\nBody.\n");
    fx_open(&other_store, &other, file);
    dl_assert_ok(dl_history_pull(&r, other_store, NULL));
    cr_assert(eq(sz, r.refused_count, 0));
    cr_assert(eq(sz, r.updated, 1));
    dl_history_sync_result_dispose(&r);
    cr_assert(eq(sz, fx_count(other), 1));
    dl_history_free(other);
    dl_history_store_free(other_store);
    dl_history_free(history);
    dl_history_store_free(store);
}
