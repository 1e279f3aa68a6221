/*
 * A packer killed half-way (dateline's, or a pull's fetch) leaves a
 * temporary pack and perhaps an index lock in objects/pack. The next pack
 * removes those that are old, and leaves a young one, which may belong to
 * a packer still at work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dateline/ops.h"

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(hostile_pack, .init = fx_setup, .fini = fx_teardown);

/* Versions 1 to 45 after version 0: enough for the store to pack. */
static void snap_enough_for_a_pack(dl_history *history)
{
    for (int i = 1; i <= 45; i++) {
        char text[64];
        snprintf(text, sizeof(text), "Headline\n\nVersion %d.\n", i);
        fx_snap(history, text, NULL);
    }
}

Test(hostile_pack, old_temporary_packs_are_removed_on_the_next_pack)
{
    fx_story_open();
    fx_snap(fx_history, "Headline\n\nVersion 0.\n", NULL);
    int rc;
    fx_sh(&rc,
          "cd '%s/.git/dateline/objects/pack' && printf 'PACK' > pack_git2_old && "
          "printf x > pack-0123.idx.lock && printf 'PACK' > pack_git2_young && "
          "touch -d '3 days ago' pack_git2_old pack-0123.idx.lock",
          fx_repo);
    cr_assert(eq(int, rc, 0));
    snap_enough_for_a_pack(fx_history);
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s/.git/dateline/objects/pack' && ls pack_git2_* pack-*.lock",
                                    fx_repo),
                 "pack_git2_young"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' count-objects -v | grep '^garbage'", fx_repo),
                 "garbage: 1"));
    cr_assert(eq(sz, fx_count(fx_history), 46));
    fx_story_close();
}

/* A log whose writer was killed leaves a temporary log-cache file: the next
 * pack removes it once it is old, and leaves the cache itself and a young
 * temporary alone. */
Test(hostile_pack, old_temporary_log_caches_are_removed_on_the_next_pack)
{
    dl_history_log *log = NULL;
    fx_story_open();
    fx_snap(fx_history, "Headline\n\nVersion 0.\n", NULL);
    dl_assert_ok(dl_ops_log(&log, fx_history, NULL)); /* writes the cache */
    dl_history_log_free(log);
    int rc;
    fx_sh(&rc,
          "cd '%s/.git/dateline/log-cache' && for f in *; do "
          "printf x > \"$f.tmp-old123\"; printf x > \"$f.tmp-young1\"; done && "
          "touch -d '3 days ago' *.tmp-old123",
          fx_repo);
    cr_assert(eq(int, rc, 0));
    snap_enough_for_a_pack(fx_history);
    cr_assert(eq(str, (char *)fx_sh(NULL, "cd '%s/.git/dateline/log-cache' && ls | sed 's/^[0-9a-f]*//'",
                                    fx_repo),
                 "\n.tmp-young1"));
    dl_assert_ok(dl_ops_log(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 46));
    dl_history_log_free(log);
    fx_story_close();
}
