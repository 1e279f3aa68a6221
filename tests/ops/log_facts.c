/* What a log tells about each version besides its words: whether the
 * change was trivial (white space, punctuation, one typo) and which
 * session of quick saves it belongs to. */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/ops.h"

TestSuite(log_facts, .init = fx_setup_story, .fini = fx_teardown);

#define BASE                                                                                       \
    "Council approves budget\n\n"                                                                  \
    "OLYMPIA, WA – The council approved the budget on Tuesday. “We will review spending every "    \
    "quarter,” the mayor said.\n\n"                                                                \
    "The vote was 7-2 after a long debate about the library.\n"

/* Whether the newest version is flagged trivial after saving `base` then
 * `changed`. */
static int trivial_after(const char *base, const char *changed)
{
    fx_snap(fx_history, base, NULL);
    fx_snap(fx_history, changed, NULL);
    dl_history_log *log = NULL;
    dl_assert_ok(dl_ops_log(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 2));
    cr_assert(eq(int, log->versions[1].change.trivial, 0), "a first version is never trivial");
    int trivial = log->versions[0].change.trivial;
    dl_history_log_free(log);
    return trivial;
}

Test(log_facts, a_whitespace_only_save_is_trivial)
{
    cr_assert(eq(int, trivial_after(BASE, "Council approves budget\n\n"
                                          "OLYMPIA, WA – The council approved the budget on  "
                                          "Tuesday. “We will review spending every quarter,” "
                                          "the mayor said.\n\n"
                                          "The vote was 7-2 after a long debate\nabout the "
                                          "library.\n"),
                 1));
}

Test(log_facts, a_punctuation_only_save_is_trivial)
{
    cr_assert(eq(int, trivial_after(BASE, "Council approves budget\n\n"
                                          "OLYMPIA, WA – The council approved the budget on "
                                          "Tuesday. “We will review spending every quarter,” "
                                          "the mayor said.\n\n"
                                          "The vote was 7-2, after a long debate about the "
                                          "library!\n"),
                 1));
}

Test(log_facts, a_one_letter_typo_fix_is_trivial)
{
    const char *typo = "Council approves budget\n\n"
                       "OLYMPIA, WA – The council approved the budget on Tuesday. “We will "
                       "review spending every quarter,” the mayor said.\n\n"
                       "The vote was 7-2 after a long debate about the libary.\n";
    cr_assert(eq(int, trivial_after(typo, BASE), 1));
}

Test(log_facts, swapped_letters_in_the_headline_are_trivial)
{
    const char *typo = "Council apporves budget\n\n"
                       "OLYMPIA, WA – The council approved the budget on Tuesday. “We will "
                       "review spending every quarter,” the mayor said.\n\n"
                       "The vote was 7-2 after a long debate about the library.\n";
    cr_assert(eq(int, trivial_after(typo, BASE), 1));
}

Test(log_facts, a_changed_quotation_is_never_trivial_even_by_one_letter)
{
    cr_assert(eq(int, trivial_after(BASE, "Council approves budget\n\n"
                                          "OLYMPIA, WA – The council approved the budget on "
                                          "Tuesday. “We will review spending ever quarter,” "
                                          "the mayor said.\n\n"
                                          "The vote was 7-2 after a long debate about the "
                                          "library.\n"),
                 0));
}

Test(log_facts, a_changed_number_is_not_a_typo)
{
    cr_assert(eq(int, trivial_after(BASE, "Council approves budget\n\n"
                                          "OLYMPIA, WA – The council approved the budget on "
                                          "Tuesday. “We will review spending every quarter,” "
                                          "the mayor said.\n\n"
                                          "The vote was 7-3 after a long debate about the "
                                          "library.\n"),
                 0));
}

Test(log_facts, another_word_is_not_a_typo)
{
    cr_assert(eq(int, trivial_after(BASE, "Council approves budget\n\n"
                                          "OLYMPIA, WA – The council approved the budget on "
                                          "Tuesday. “We will review spending every quarter,” "
                                          "the mayor said.\n\n"
                                          "The vote was 7-2 after a short debate about the "
                                          "library.\n"),
                 0));
}

Test(log_facts, a_new_word_is_not_trivial)
{
    cr_assert(eq(int, trivial_after(BASE, "Council approves budget\n\n"
                                          "OLYMPIA, WA – The council approved the budget on "
                                          "Tuesday. “We will review spending every quarter,” "
                                          "the mayor said.\n\n"
                                          "The vote was 7-2 after a long debate about the "
                                          "old library.\n"),
                 0));
}

Test(log_facts, trivial_is_in_the_json_log_and_hide_trivial_leaves_those_out)
{
    fx_snap(fx_history, BASE, NULL);
    const char *latest = fx_snap(fx_history, BASE "\n", NULL);
    char kept[DL_HISTORY_ID_HEXSIZE + 1];
    strcpy(kept, latest);
    dl_history_log *log = NULL;
    json_t *json = NULL;
    dl_assert_ok(dl_ops_log(&log, fx_history, NULL));
    dl_assert_ok(dl_ops_log_json(&json, fx_history, log));
    json_t *versions = json_object_get(json, "versions");
    cr_assert(eq(int, json_is_true(json_object_get(json_array_get(versions, 0), "trivial")), 1));
    cr_assert(eq(int, json_is_false(json_object_get(json_array_get(versions, 1), "trivial")), 1));
    json_decref(json);
    dl_history_log_free(log);

    dl_ops_log_options options = DL_OPS_LOG_OPTIONS_INIT;
    options.hide_trivial = 1;
    dl_assert_ok(dl_ops_log(&log, fx_history, &options));
    cr_assert(eq(sz, log->count, 1));
    cr_assert(ne(str, log->versions[0].id.hex, kept));
    dl_history_log_free(log);
}

/* ------------------------------------------------------------ sessions -- */

/* A log of `n` versions of one chain, newest first, saved at `times`
 * (seconds, oldest first) by the authors named in `authors`. */
static dl_history_log *chain(size_t n, const long long *times, const char *const *authors)
{
    dl_history_log *log = calloc(1, sizeof(*log));
    log->versions = calloc(n, sizeof(*log->versions));
    log->count = n;
    for (size_t k = 0; k < n; k++) {
        dl_history_version *v = &log->versions[n - 1 - k]; /* k-th oldest */
        snprintf(v->id.hex, sizeof(v->id.hex), "%040zu", k + 1);
        if (k > 0)
            snprintf(v->parent.hex, sizeof(v->parent.hex), "%040zu", k);
        v->parent_count = k > 0;
        v->time = times[k];
        v->author_name = strdup(authors[k]);
        v->author_email = strdup("desk@example.org");
    }
    return log;
}

Test(log_facts, saves_two_minutes_apart_are_one_session_thirty_minutes_apart_are_not)
{
    const long long t = 1714550000;
    const long long times[] = {t, t + 120, t + 240, t + 240 + 1800, t + 240 + 1920};
    const char *const authors[] = {"Jane", "Jane", "Jane", "Jane", "Jane"};
    dl_history_log *log = chain(5, times, authors);
    dl_history_log_sessions(log);
    /* newest first: the two late saves, then the three early ones */
    cr_assert(eq(str, log->versions[0].session.hex, log->versions[1].id.hex));
    cr_assert(eq(str, log->versions[1].session.hex, log->versions[1].id.hex));
    for (size_t i = 2; i < 5; i++)
        cr_assert(eq(str, log->versions[i].session.hex, log->versions[4].id.hex));
    dl_history_log_free(log);
}

Test(log_facts, another_author_starts_a_new_session)
{
    const long long t = 1714550000;
    const long long times[] = {t, t + 60, t + 120};
    const char *const authors[] = {"Jane", "John", "John"};
    dl_history_log *log = chain(3, times, authors);
    dl_history_log_sessions(log);
    cr_assert(eq(str, log->versions[2].session.hex, log->versions[2].id.hex));
    cr_assert(eq(str, log->versions[1].session.hex, log->versions[1].id.hex));
    cr_assert(eq(str, log->versions[0].session.hex, log->versions[1].id.hex));
    dl_history_log_free(log);
}

Test(log_facts, the_newest_n_versions_keep_the_session_that_began_before_them)
{
    /* Saves made now by one author are one session, whose first version
     * is older than the newest two shown. */
    const char *first = fx_snap(fx_history, BASE, NULL);
    char oldest[DL_HISTORY_ID_HEXSIZE + 1];
    strcpy(oldest, first);
    fx_snap(fx_history, BASE "\nOne.\n", NULL);
    fx_snap(fx_history, BASE "\nTwo.\n", NULL);
    fx_snap(fx_history, BASE "\nThree.\n", NULL);
    dl_ops_log_options options = DL_OPS_LOG_OPTIONS_INIT;
    options.max_count = 2;
    dl_history_log *log = NULL;
    json_t *json = NULL;
    dl_assert_ok(dl_ops_log(&log, fx_history, &options));
    cr_assert(eq(sz, log->count, 2));
    dl_assert_ok(dl_ops_log_json(&json, fx_history, log));
    json_t *versions = json_object_get(json, "versions");
    for (size_t i = 0; i < 2; i++)
        cr_assert(eq(str, (char *)json_string_value(
                              json_object_get(json_array_get(versions, i), "session")),
                     oldest));
    json_decref(json);
    dl_history_log_free(log);
}
