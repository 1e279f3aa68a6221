/*
 * How a version's objects reach the store: new content is written as
 * loose objects without reloading the pack folder (history.c, writer_for),
 * content the store holds already goes through the store. Either way the
 * version reads back byte-exact, has the right parent and passes git fsck.
 */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_writes, .init = fx_setup, .fini = fx_teardown);

static dl_history_store *store;
static dl_history *history;

static const char *git(const char *command)
{
    return fx_sh(NULL, "git --git-dir='%s/.git/dateline' %s", fx_repo, command);
}

static void assert_fsck_passes(void)
{
    int rc;
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0), "git fsck --strict");
}

Test(history_writes, a_version_on_a_packed_parent_keeps_its_parent)
{
    fx_open(&store, &history, fx_repo_path("story.txt"));
    char text[64];
    for (int i = 0; i < 50; i++) {
        snprintf(text, sizeof(text), "Version %d of the story.", i);
        fx_snap_deferred(history, text);
    }
    dl_history_tidy(history); /* every version so far is in a pack now */
    char *parent = strdup(git("rev-parse refs/dateline/story.txt"));
    const char *id = fx_snap(history, "A text no version had.", NULL);

    cr_assert(eq(str, (char *)git("rev-parse refs/dateline/story.txt"), (char *)id));
    char command[128];
    snprintf(command, sizeof(command), "rev-parse %s^", id);
    cr_assert(eq(str, (char *)git(command), parent));
    snprintf(command, sizeof(command), "show %s:story.txt", id);
    cr_assert(eq(str, (char *)git(command), "A text no version had."));
    cr_assert(eq(sz, fx_count(history), 51));
    assert_fsck_passes();
    free(parent);
    dl_history_free(history);
    dl_history_store_free(store);
}

Test(history_writes, returning_to_an_earlier_text_records_a_new_version)
{
    fx_open(&store, &history, fx_repo_path("story.txt"));
    fx_snap(history, "First text.", NULL);
    fx_snap(history, "Second text.", NULL);
    const char *id = fx_snap(history, "First text.", NULL);
    char command[128];
    snprintf(command, sizeof(command), "show %s:story.txt", id);
    cr_assert(eq(str, (char *)git(command), "First text."));
    cr_assert(eq(sz, fx_count(history), 3));
    assert_fsck_passes();
    dl_history_free(history);
    dl_history_store_free(store);
}

/* Another process packed the very text this one is about to record, in a
 * pack this process has not seen: the version is recorded all the same
 * (its blob written loose once more), and reads back. */
Test(history_writes, a_text_another_process_packed_meanwhile_is_recorded)
{
    fx_open(&store, &history, fx_repo_path("story.txt"));
    fx_snap(history, "Before.", NULL);
    fx_sh(NULL,
          "cd '%s/.git/dateline' && blob=$(printf 'Packed elsewhere.' | git --git-dir=. hash-object "
          "-w --stdin) && echo $blob | git --git-dir=. pack-objects -q objects/pack/pack >/dev/null "
          "&& git --git-dir=. prune-packed",
          fx_repo);
    const char *id = fx_snap(history, "Packed elsewhere.", NULL);
    char command[128];
    snprintf(command, sizeof(command), "show %s:story.txt", id);
    cr_assert(eq(str, (char *)git(command), "Packed elsewhere."));
    cr_assert(eq(sz, fx_count(history), 2));
    assert_fsck_passes();
    dl_history_free(history);
    dl_history_store_free(store);
}
