/* The quotations whose words changed since the latest annotated version:
 * what the editor warns about, since a changed quote is a correction. */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/blame.h"
#include "../support/history_fixture.h"

TestSuite(quotes_changed, .init = fx_setup_story, .fini = fx_teardown);

#define HEAD "Council approves budget\n\n"
#define QUOTE "“We will review spending every quarter,” the mayor said.\n\n"
#define QUOTE2 "“We will review spending every month,” the mayor said.\n\n"
#define SCARE "Critics call it a “rainy day” fund.\n\n"
#define END "The budget takes effect on July 1."

static dl_blame_quote_changes *check(dl_blame_checker *checker, const char *text)
{
    dl_blame_quote_changes *changes = NULL;
    dl_assert_ok(dl_blame_quotes_changed(&changes, checker, fx_history, text, strlen(text)));
    return changes;
}

Test(quotes_changed, a_changed_quotation_is_reported_with_the_annotated_version)
{
    char id[41];
    snprintf(id, sizeof(id), "%s", fx_snap(fx_history, HEAD QUOTE SCARE END, "approved by desk"));
    fx_snap(fx_history, HEAD QUOTE SCARE "More text.\n\n" END, NULL);
    const char *now = HEAD QUOTE2 SCARE END;
    dl_blame_quote_changes *changes = check(NULL, now);
    cr_assert(eq(int, changes->annotated, 1));
    cr_assert(eq(str, changes->version.id.hex, id));
    cr_assert(eq(sz, changes->count, 1));
    dl_blame_quote_change *c = &changes->changes[0];
    cr_assert(eq(str, c->text, "We will review spending every month,"));
    cr_assert(eq(str, c->old_text, "We will review spending every quarter,"));
    cr_assert(eq(u32, c->range.start_byte, (uint32_t)strlen(HEAD)));
    char expected[256];
    snprintf(expected, sizeof(expected),
             "quotation changed since the annotated version %.10s (“approved by desk”): "
             "it was “We will review spending every quarter,”",
             id);
    cr_assert(eq(str, c->message, expected));
    dl_blame_quote_changes_free(changes);
}

Test(quotes_changed, nothing_to_compare_without_an_annotated_version)
{
    fx_snap(fx_history, HEAD QUOTE END, NULL);
    dl_blame_quote_changes *changes = check(NULL, HEAD QUOTE2 END);
    cr_assert(eq(int, changes->annotated, 0));
    cr_assert(eq(sz, changes->count, 0));
    dl_blame_quote_changes_free(changes);
}

Test(quotes_changed, a_checker_sees_a_note_added_after_its_first_check)
{
    dl_blame_checker *checker = NULL;
    dl_assert_ok(dl_blame_checker_new(&checker));
    fx_snap(fx_history, HEAD QUOTE END, "first note");
    dl_blame_quote_changes *changes = check(checker, HEAD QUOTE2 END);
    cr_assert(eq(sz, changes->count, 1));
    dl_blame_quote_changes_free(changes);

    fx_snap(fx_history, HEAD QUOTE2 END, "corrected quote");
    changes = check(checker, HEAD QUOTE2 END);
    cr_assert(eq(str, changes->version.note, "corrected quote"));
    cr_assert(eq(sz, changes->count, 0), "the correction is the annotated version now");
    dl_blame_quote_changes_free(changes);
    dl_blame_checker_free(checker);
}

Test(quotes_changed, unchanged_and_added_quotations_are_not_reported)
{
    fx_snap(fx_history, HEAD QUOTE END, "approved");
    dl_blame_quote_changes *changes = check(NULL, HEAD QUOTE SCARE END);
    cr_assert(eq(int, changes->annotated, 1));
    cr_assert(eq(sz, changes->count, 0));
    dl_blame_quote_changes_free(changes);
}

Test(quotes_changed, binary_content_is_refused)
{
    dl_blame_quote_changes *changes = NULL;
    cr_assert(eq(int, dl_blame_quotes_changed(&changes, NULL, fx_history, "a\0b", 3), DL_EINVALID));
    cr_assert(changes == NULL);
}
