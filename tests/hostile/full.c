/*
 * A store on a full disk or a read-only file system: recording fails with
 * a message naming that cause, never as a missing object. Needs a small
 * file system of its own (a tmpfs, which only root may mount); skipped
 * otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

static int mounted;

static void setup(void)
{
    fx_setup();
    int rc;
    fx_sh(&rc, "mkdir '%s/small' && mount -t tmpfs -o size=600k tmpfs '%s/small' 2>/dev/null",
          fx_root, fx_root);
    mounted = rc == 0;
    if (mounted)
        fx_sh(&rc, "cd '%s/small' && git init -q repo && cd repo && "
                   "git -c user.name=a -c user.email=b commit -q --allow-empty -m init",
              fx_root);
}

static void teardown(void)
{
    if (mounted)
        fx_sh(NULL, "umount '%s/small'", fx_root);
    fx_teardown();
}

TestSuite(hostile_full, .init = setup, .fini = teardown);

/* Fill the small file system up to `left` KiB. */
static void fill(int left)
{
    fx_sh(NULL, "cd '%s/small' && rm -f fill && "
                "dd if=/dev/zero of=fill bs=1k count=$(( $(df -k --output=avail . | tail -1) - %d )) "
                "2>/dev/null; true",
          fx_root, left);
}

/* The article in the small file system's repository, written and opened;
 * the test is skipped where that file system could not be mounted. */
static void open_small_story(void)
{
    if (!mounted)
        cr_skip_test("not run: cannot mount a small file system (needs root)");
    char file[1024];
    snprintf(file, sizeof(file), "%s/small/repo/story.txt", fx_root);
    fx_write_str(file, "Headline\n\nBody.\n");
    fx_story_open_file(file);
}

Test(hostile_full, a_full_disk_is_named_as_the_cause)
{
    open_small_story();
    size_t failures = 0;
    /* However little room is left, a failure says the disk is full. */
    for (int left = 4; left <= 64; left += 4) {
        char content[128];
        snprintf(content, sizeof(content), "Headline\n\nBody with %d KiB left.\n", left);
        fill(left);
        dl_history_snapshot_options opts = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
        opts.content = content;
        opts.content_size = strlen(content);
        opts.note = "a note";
        dl_history_id id;
        if (dl_history_snapshot(&id, fx_history, &opts) < 0) {
            failures++;
            cr_assert(strstr(dl_error_last(), "No space left on device") != NULL, "%d KiB: %s",
                      left, dl_error_last());
        }
    }
    cr_assert(ge(sz, failures, 1));
    fx_story_close();
}

Test(hostile_full, a_read_only_store_is_named_as_the_cause)
{
    open_small_story();
    fx_snap(fx_history, "Headline\n\nBody.\n", NULL);
    int rc;
    fx_sh(&rc, "mount -o remount,ro '%s/small'", fx_root);
    cr_assert(eq(int, rc, 0));
    dl_history_snapshot_options opts = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
    opts.content = "Headline\n\nChanged.\n";
    opts.content_size = strlen(opts.content);
    dl_history_id id;
    cr_assert(lt(int, dl_history_snapshot(&id, fx_history, &opts), 0));
    cr_assert(strstr(dl_error_last(), "Read-only file system") != NULL, "%s", dl_error_last());
    /* What was recorded stays readable. */
    cr_assert(eq(sz, fx_count(fx_history), 1));
    fx_story_close();
}
