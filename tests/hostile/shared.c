/*
 * A repository a group shares (git init --shared=group) stays writable for
 * the group after dateline recorded in it: every directory dateline writes
 * to is group-writable and setgid, like git's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

static void setup(void)
{
    fx_setup();
    /* A writer whose umask would give 0755 directories. */
    umask(022);
    int rc;
    fx_sh(&rc, "cd '%s' && git init -q --shared=group shared && cd shared && "
               "git commit -q --allow-empty -m init",
          fx_root);
    cr_assert(eq(int, rc, 0));
}

TestSuite(hostile_shared, .init = setup, .fini = fx_teardown);

static mode_t mode_of(const char *relative)
{
    struct stat st;
    cr_assert(eq(int, stat(fx_path(relative), &st), 0), "%s", relative);
    return st.st_mode & 07777;
}

Test(hostile_shared, directories_dateline_writes_to_stay_group_writable)
{
    fx_write_str(fx_path("shared/story.txt"), "Headline\n\nBody.\n");
    fx_story_open_file(fx_path("shared/story.txt"));
    const char *id = fx_snap(fx_history, "Headline\n\nBody.\n", "first");
    char objects[64];
    snprintf(objects, sizeof(objects), "shared/.git/dateline/objects/%.2s", id);
    fx_story_close();

    const char *dirs[] = {"shared/.git/dateline", objects, "shared/.git/dateline/refs/dateline",
                          "shared/.git/dateline/refs/notes"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        cr_assert(eq(u32, (unsigned)(mode_of(dirs[i]) & 02070), 02070), "%s is %o", dirs[i],
                  (unsigned)mode_of(dirs[i]));
    /* git itself goes on writing where dateline did. */
    int rc;
    fx_sh(&rc, "cd '%s/shared' && git hash-object -w --stdin </dev/null && git fsck --no-progress >/dev/null", fx_root);
    cr_assert(eq(int, rc, 0));
}

Test(hostile_shared, a_private_repository_is_left_to_the_umask)
{
    fx_story_open();
    const char *id = fx_snap(fx_history, "Headline\n\nBody.\n", NULL);
    char objects[64];
    snprintf(objects, sizeof(objects), "repo/.git/dateline/objects/%.2s", id);
    cr_assert(eq(u32, (unsigned)(mode_of(objects) & 0020), 0));
    fx_story_close();
}
