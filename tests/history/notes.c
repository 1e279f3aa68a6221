#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_notes, .init = fx_setup_story, .fini = fx_teardown);

static char *note_of(const char *id)
{
    return strdup(fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline show %s 2>&1", fx_repo, id));
}

Test(history_notes, an_old_version_can_be_annotated_later)
{
    char *first = strdup(fx_snap(fx_history, "one", NULL));
    fx_snap(fx_history, "two", NULL);
    dl_history_id id;
    dl_assert_ok(dl_history_note(&id, fx_history, first, "added Amazon response"));
    cr_assert(eq(str, id.hex, first));
    char *note = note_of(first);
    cr_assert(eq(str, note, "added Amazon response"));
    free(note);
    free(first);
}

Test(history_notes, a_note_can_be_replaced)
{
    const char *v = fx_snap(fx_history, "one", "first try");
    char *id_hex = strdup(v);
    dl_history_id id;
    dl_assert_ok(dl_history_note(&id, fx_history, "@", "corrected quote"));
    char *note = note_of(id_hex);
    cr_assert(eq(str, note, "corrected quote"));
    free(note);
    free(id_hex);
}

Test(history_notes, notes_show_in_the_log)
{
    fx_snap(fx_history, "one", "why one");
    fx_snap(fx_history, "two", NULL);
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 2));
    cr_assert(log->versions[0].note == NULL);
    cr_assert(eq(str, log->versions[1].note, "why one"));
    dl_history_log_free(log);
}

Test(history_notes, an_unknown_version_cannot_be_annotated)
{
    fx_snap(fx_history, "one", NULL);
    dl_history_id id;
    cr_assert(eq(int, dl_history_note(&id, fx_history, "deadbeef", "x"), DL_ENOTFOUND));
    cr_assert(strstr(dl_error_last(), "no version 'deadbeef'") != NULL, "%s", dl_error_last());
}

Test(history_notes, an_empty_note_is_refused)
{
    fx_snap(fx_history, "one", NULL);
    dl_history_id id;
    cr_assert(eq(int, dl_history_note(&id, fx_history, "@", "  \n"), DL_EINVALID));
    cr_assert(strstr(dl_error_last(), "empty") != NULL);
}

Test(history_notes, the_notes_ref_stays_fsck_clean)
{
    fx_snap(fx_history, "one", "a");
    fx_snap(fx_history, "two", "b");
    dl_history_id id;
    dl_assert_ok(dl_history_note(&id, fx_history, "@~1", "c"));
    int rc;
    fx_sh(&rc, "git --git-dir='%s/.git/dateline' fsck --strict 2>&1", fx_repo);
    cr_assert(eq(int, rc, 0));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline list | wc -l", fx_repo),
                 "2"));
}

Test(history_notes, concurrent_annotators_lose_no_note, .timeout = 120)
{
    char ids[40][41];
    for (int i = 0; i < 40; i++) {
        char text[32];
        snprintf(text, sizeof(text), "version %d", i);
        snprintf(ids[i], sizeof(ids[i]), "%s", fx_snap(fx_history, text, NULL));
    }
    fx_story_close();
    /* Two processes annotate alternate versions at the same time. */
    pid_t children[2];
    for (int w = 0; w < 2; w++) {
        if ((children[w] = fork()) == 0) {
            dl_history_store *s = NULL;
            dl_history *h = NULL;
            if (dl_history_store_open(&s, fx_repo_path("story.txt"), NULL) < 0 ||
                dl_history_open(&h, s, fx_repo_path("story.txt")) < 0)
                _exit(2);
            for (int i = w; i < 40; i += 2) {
                dl_history_id id;
                if (dl_history_note(&id, h, ids[i], w ? "odd" : "even") < 0) {
                    fprintf(stderr, "%s\n", dl_error_last());
                    _exit(1);
                }
            }
            dl_history_free(h);
            dl_history_store_free(s);
            _exit(0);
        }
    }
    for (int w = 0; w < 2; w++) {
        int status;
        waitpid(children[w], &status, 0);
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        cr_assert(ok, "annotator %d failed", w);
    }
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' notes --ref dateline list | wc -l", fx_repo),
                 "40"));
}

/* Nobody runs `git gc` in dateline's store: whatever a note leaves behind
 * that no ref reaches would stay there for good. */
Test(history_notes, notes_leave_nothing_unreachable_in_the_store)
{
    fx_snap(fx_history, "one", "first note");
    fx_snap(fx_history, "two", NULL);
    dl_history_id id;
    dl_assert_ok(dl_history_note(&id, fx_history, "@~1", "replaced"));
    dl_assert_ok(dl_history_note(&id, fx_history, "@", "second note"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/.git/dateline' fsck --unreachable --no-reflogs "
                                          "2>&1 | grep -c unreachable", fx_repo),
                 "0"));
}
