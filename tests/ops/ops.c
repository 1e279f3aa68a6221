/* The operations both front ends call: what each does and the JSON it
 * renders (the object `dateline <op> --json` prints and the server returns). */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/json.h"
#include "dateline/ops.h"

TestSuite(ops, .init = fx_setup_story, .fini = fx_teardown);

#define V1 "Council approves budget\n\n“We will review spending every quarter,” the mayor said.\n"
#define V2 "Council approves budget\n\n“We will review spending every month,” the mayor said.\n"

static const char *str_of(const json_t *json, const char *key)
{
    return json_string_value(json_object_get(json, key));
}

static void assert_article_keys(const json_t *json)
{
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json, "schema")), DL_JSON_SCHEMA));
    cr_assert(eq(str, (char *)str_of(json, "file"), (char *)fx_file));
    cr_assert(eq(str, (char *)str_of(json, "key"), "story.txt"));
    cr_assert(eq(str, (char *)str_of(json, "ref"), "refs/dateline/story.txt"));
}

static dl_ops_snapshot_result snapshot(const char *content, const char *note)
{
    dl_ops_snapshot_options options = DL_OPS_SNAPSHOT_OPTIONS_INIT;
    dl_ops_snapshot_result result;
    options.content = content;
    options.content_size = strlen(content);
    options.note = note;
    dl_assert_ok(dl_ops_snapshot(&result, fx_history, &options));
    return result;
}

Test(ops, a_snapshot_of_unchanged_content_says_so_and_names_the_latest_version)
{
    dl_ops_snapshot_result first = snapshot(V1, "first draft");
    cr_assert(eq(int, first.recorded, 1));
    dl_ops_snapshot_result again = snapshot(V1, NULL);
    cr_assert(eq(int, again.recorded, 0));
    cr_assert(eq(str, again.id.hex, first.id.hex));

    json_t *json = NULL;
    dl_assert_ok(dl_ops_snapshot_json(&json, fx_history, &again));
    assert_article_keys(json);
    cr_assert(eq(str, (char *)str_of(json, "id"), first.id.hex));
    cr_assert(eq(int, json_typeof(json_object_get(json, "recorded")), JSON_FALSE));
    json_decref(json);
}

Test(ops, a_note_given_with_unchanged_content_is_attached_to_the_latest_version)
{
    dl_ops_snapshot_result saved = snapshot(V1, NULL); /* the save, without a note */
    dl_ops_snapshot_result again = snapshot(V1, "confirmed with the mayor's office");
    cr_assert(eq(int, again.recorded, 0));
    cr_assert(eq(str, again.id.hex, saved.id.hex));

    dl_history_log *log = NULL;
    dl_assert_ok(dl_ops_log(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 1));
    cr_assert(eq(str, log->versions[0].note, "confirmed with the mayor's office"));
    dl_history_log_free(log);
}

Test(ops, a_note_goes_to_the_latest_version_unless_a_rev_is_given)
{
    dl_ops_snapshot_result first = snapshot(V1, NULL);
    snapshot(V2, NULL);
    dl_ops_note_options options = DL_OPS_NOTE_OPTIONS_INIT;
    dl_ops_note_result result;
    options.rev = "@~1";
    options.note = "checked with the mayor";
    dl_assert_ok(dl_ops_note(&result, fx_history, &options));
    cr_assert(eq(str, result.id.hex, first.id.hex));

    json_t *json = NULL;
    dl_assert_ok(dl_ops_note_json(&json, fx_history, &result));
    assert_article_keys(json);
    cr_assert(eq(str, (char *)str_of(json, "note"), "checked with the mayor"));
    json_decref(json);
}

Test(ops, the_log_lists_versions_newest_first_with_their_notes)
{
    dl_ops_snapshot_result first = snapshot(V1, "first draft");
    dl_ops_snapshot_result second = snapshot(V2, NULL);
    dl_history_log *log = NULL;
    dl_assert_ok(dl_ops_log(&log, fx_history, NULL)); /* NULL: every version */
    json_t *json = NULL;
    dl_assert_ok(dl_ops_log_json(&json, fx_history, log));
    assert_article_keys(json);
    json_t *versions = json_object_get(json, "versions");
    cr_assert(eq(sz, json_array_size(versions), 2));
    json_t *newest = json_array_get(versions, 0), *oldest = json_array_get(versions, 1);
    cr_assert(eq(str, (char *)str_of(newest, "id"), second.id.hex));
    cr_assert(eq(int, json_typeof(json_object_get(newest, "note")), JSON_NULL));
    json_t *parent = json_array_get(json_object_get(newest, "parents"), 0);
    cr_assert(eq(str, (char *)json_string_value(parent), first.id.hex));
    cr_assert(eq(str, (char *)str_of(oldest, "note"), "first draft"));
    cr_assert(eq(str, (char *)str_of(json_object_get(oldest, "author"), "name"), "Test Writer"));
    json_decref(json);
    dl_history_log_free(log);

    dl_ops_log_options options = DL_OPS_LOG_OPTIONS_INIT;
    options.annotated_only = 1;
    dl_assert_ok(dl_ops_log(&log, fx_history, &options));
    cr_assert(eq(sz, log->count, 1));
    dl_history_log_free(log);
}

Test(ops, show_gives_a_version_byte_for_byte)
{
    dl_ops_snapshot_result first = snapshot(V1, NULL);
    snapshot(V2, NULL);
    dl_ops_show_options options = DL_OPS_SHOW_OPTIONS_INIT;
    dl_ops_show_result result = {0};
    options.rev = "@~1";
    dl_assert_ok(dl_ops_show(&result, fx_history, &options));
    cr_assert(eq(str, result.content, V1));
    json_t *json = NULL;
    dl_assert_ok(dl_ops_show_json(&json, &result));
    cr_assert(eq(str, (char *)str_of(json, "id"), first.id.hex));
    cr_assert(eq(str, (char *)str_of(json, "content"), V1));
    json_decref(json);
    dl_ops_show_result_dispose(&result);
}

Test(ops, a_note_or_a_restore_without_its_argument_is_a_usage_error)
{
    dl_ops_note_result note;
    dl_ops_restore_result restore;
    cr_assert(eq(int, dl_ops_note(&note, fx_history, NULL), DL_EUSAGE));
    cr_assert(eq(int, dl_ops_restore(&restore, fx_history, NULL), DL_EUSAGE));
}

Test(ops, a_revision_of_an_article_without_history_says_how_to_record_one)
{
    dl_ops_show_options options = DL_OPS_SHOW_OPTIONS_INIT;
    dl_ops_show_result result = {0};
    cr_assert(eq(int, dl_ops_show(&result, fx_history, &options), DL_ENOTFOUND));
    cr_assert(strstr(dl_error_last(), "no recorded versions yet") != NULL, "%s", dl_error_last());
    cr_assert(strstr(dl_error_last(), "dateline snapshot story.txt") != NULL);
}

Test(ops, diff_compares_the_latest_version_with_the_editors_text)
{
    dl_ops_snapshot_result first = snapshot(V1, NULL);
    fx_write_str(fx_file, V1); /* the file on disk is unchanged; the editor's text is not */
    dl_ops_diff_options options = DL_OPS_DIFF_OPTIONS_INIT;
    dl_ops_diff_result result = {0};
    options.content = V2;
    options.content_size = strlen(V2);
    dl_assert_ok(dl_ops_diff(&result, fx_history, &options));
    cr_assert(eq(sz, result.diff->stats.quotations_changed, 1));

    json_t *json = NULL;
    dl_assert_ok(dl_ops_diff_json(&json, fx_history, &result));
    cr_assert(eq(str, (char *)str_of(json_object_get(json, "old"), "id"), first.id.hex));
    json_t *new_side = json_object_get(json, "new");
    cr_assert(eq(int, json_typeof(json_object_get(new_side, "id")), JSON_NULL));
    cr_assert(eq(str, (char *)str_of(new_side, "file"), (char *)fx_file));
    cr_assert(eq(str, (char *)str_of(json, "file"), (char *)fx_file));
    json_decref(json);
    dl_ops_diff_result_dispose(&result);

    /* Without the editor's text, the file is the current text. */
    options.content = NULL;
    dl_assert_ok(dl_ops_diff(&result, fx_history, &options));
    cr_assert(eq(sz, result.diff->stats.quotations_changed, 0));
    dl_ops_diff_result_dispose(&result);
}

/* The editor restores one quotation by replacing the new side's range with
 * the old side's bytes: both ranges must cover the quotation with its marks. */
Test(ops, diff_json_places_each_changed_quotation_on_both_sides)
{
    snapshot(V1, NULL);
    dl_ops_diff_options options = DL_OPS_DIFF_OPTIONS_INIT;
    dl_ops_diff_result result = {0};
    options.content = V2;
    options.content_size = strlen(V2);
    dl_assert_ok(dl_ops_diff(&result, fx_history, &options));
    json_t *json = NULL;
    dl_assert_ok(dl_ops_diff_json(&json, fx_history, &result));
    json_t *quotation = json_array_get(json_object_get(json, "quotations"), 0);
    json_t *old_bytes = json_object_get(json_object_get(quotation, "old_range"), "bytes");
    json_t *new_bytes = json_object_get(json_object_get(quotation, "new_range"), "bytes");
    const char *old_quote = "“We will review spending every quarter,”";
    const char *new_quote = "“We will review spending every month,”";
    cr_assert(eq(int, (int)json_integer_value(json_array_get(old_bytes, 0)),
                 (int)(strstr(V1, old_quote) - V1)));
    cr_assert(eq(int, (int)json_integer_value(json_array_get(old_bytes, 1)),
                 (int)(strstr(V1, old_quote) - V1 + strlen(old_quote))));
    cr_assert(eq(int, (int)json_integer_value(json_array_get(new_bytes, 0)),
                 (int)(strstr(V2, new_quote) - V2)));
    cr_assert(eq(int, (int)json_integer_value(json_array_get(new_bytes, 1)),
                 (int)(strstr(V2, new_quote) - V2 + strlen(new_quote))));
    json_decref(json);
    dl_ops_diff_result_dispose(&result);
}

Test(ops, a_restore_first_records_the_editors_unsaved_text)
{
    dl_ops_snapshot_result first = snapshot(V1, NULL);
    fx_write_str(fx_file, V1);
    dl_ops_restore_options options = DL_OPS_RESTORE_OPTIONS_INIT;
    dl_ops_restore_result result;
    options.rev = "@";
    options.content = V2;
    options.content_size = strlen(V2);
    dl_assert_ok(dl_ops_restore(&result, fx_history, &options));
    cr_assert(eq(str, result.restored.hex, first.id.hex));
    char *now = fx_read(fx_file, NULL);
    cr_assert(eq(str, now, V1));
    free(now);

    dl_ops_show_options show = DL_OPS_SHOW_OPTIONS_INIT;
    dl_ops_show_result shown = {0};
    show.rev = "@~1";
    dl_assert_ok(dl_ops_show(&shown, fx_history, &show));
    cr_assert(eq(str, shown.content, V2), "the editor's text is a version of its own");
    dl_ops_show_result_dispose(&shown);

    json_t *json = NULL;
    dl_assert_ok(dl_ops_restore_json(&json, fx_history, &result));
    assert_article_keys(json);
    cr_assert(eq(str, (char *)str_of(json, "restored"), first.id.hex));
    cr_assert(eq(str, (char *)str_of(json, "id"), result.id.hex));
    json_decref(json);
}

Test(ops, blame_json_names_the_file_and_credits_quotations)
{
    snapshot(V1, NULL);
    dl_ops_snapshot_result second = snapshot(V2, "corrected quote");
    fx_write_str(fx_file, V2);
    dl_ops_blame_options options = DL_OPS_BLAME_OPTIONS_INIT;
    dl_blame *blame = NULL;
    dl_assert_ok(dl_ops_blame(&blame, fx_history, &options));
    json_t *json = NULL;
    dl_assert_ok(dl_ops_blame_json(&json, fx_history, blame));
    cr_assert(eq(str, (char *)str_of(json, "file"), (char *)fx_file));
    json_t *quote = json_array_get(json_object_get(json, "quotations"), 0);
    cr_assert(eq(str, (char *)str_of(quote, "speaker"), "the mayor"));
    cr_assert(eq(str, (char *)str_of(json_object_get(quote, "version"), "id"), second.id.hex));
    json_decref(json);
    dl_blame_free(blame);
}

Test(ops, push_then_pull_report_what_they_moved)
{
    snapshot(V1, "filed");
    int status;
    fx_sh(&status, "git init -q --bare '%s'", fx_path("remote.git"));
    cr_assert(eq(int, status, 0));
    dl_ops_sync_options options = DL_OPS_SYNC_OPTIONS_INIT;
    dl_ops_sync_result result;
    options.remote = fx_path("remote.git");
    dl_assert_ok(dl_ops_push(&result, fx_store, &options));
    cr_assert(eq(sz, result.counts.updated, 1));
    json_t *json = NULL;
    dl_assert_ok(dl_ops_sync_json(&json, fx_store, &result));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json, "schema")), DL_JSON_SCHEMA));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json, "updated")), 1));
    cr_assert(eq(str, (char *)str_of(json, "remote"), (char *)options.remote));
    cr_assert(eq(int, json_typeof(json_object_get(json, "notes_updated")), JSON_TRUE));
    json_decref(json);

    dl_assert_ok(dl_ops_pull(&result, fx_store, &options));
    cr_assert(eq(sz, result.counts.unchanged, 1));
}
