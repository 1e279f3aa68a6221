#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(history_log, .init = fx_setup_story, .fini = fx_teardown);

Test(history_log, an_article_without_history_has_an_empty_log)
{
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 0));
    dl_history_log_free(log);
}

Test(history_log, versions_come_newest_first_with_author_and_time)
{
    time_t before = time(NULL);
    char *a = strdup(fx_snap(fx_history, "one", NULL));
    char *b = strdup(fx_snap(fx_history, "one two", NULL));
    char *c = strdup(fx_snap(fx_history, "one two three", NULL));
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 3));
    cr_assert(eq(str, log->versions[0].id.hex, c));
    cr_assert(eq(str, log->versions[1].id.hex, b));
    cr_assert(eq(str, log->versions[2].id.hex, a));
    cr_assert(eq(str, log->versions[0].parent.hex, b));
    cr_assert(eq(str, log->versions[2].parent.hex, ""));
    cr_assert(eq(sz, log->versions[2].parent_count, 0));
    cr_assert(eq(str, log->versions[0].author_name, "Test Writer"));
    cr_assert(eq(str, log->versions[0].author_email, "writer@example.com"));
    cr_assert(ge(i64, log->versions[0].time, (long long)before));
    cr_assert(le(i64, log->versions[0].time, (long long)time(NULL)));
    dl_history_log_free(log);
    free(a);
    free(b);
    free(c);
}

Test(history_log, max_count_keeps_the_newest)
{
    fx_snap(fx_history, "1", NULL);
    fx_snap(fx_history, "2", NULL);
    char *last = strdup(fx_snap(fx_history, "3", NULL));
    dl_history_log *log = NULL;
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.max_count = 1;
    dl_assert_ok(dl_history_log_read(&log, fx_history, &options));
    cr_assert(eq(sz, log->count, 1));
    cr_assert(eq(str, log->versions[0].id.hex, last));
    dl_history_log_free(log);
    free(last);
}

Test(history_log, annotated_only_lists_versions_with_notes)
{
    fx_snap(fx_history, "1", "first");
    fx_snap(fx_history, "2", NULL);
    fx_snap(fx_history, "3", "third");
    fx_snap(fx_history, "4", NULL);
    dl_history_log *log = NULL;
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.annotated_only = 1;
    dl_assert_ok(dl_history_log_read(&log, fx_history, &options));
    cr_assert(eq(sz, log->count, 2));
    cr_assert(eq(str, log->versions[0].note, "third"));
    cr_assert(eq(str, log->versions[1].note, "first"));
    dl_history_log_free(log);
    options.max_count = 1;
    dl_assert_ok(dl_history_log_read(&log, fx_history, &options));
    cr_assert(eq(sz, log->count, 1));
    cr_assert(eq(str, log->versions[0].note, "third"));
    dl_history_log_free(log);
}

Test(history_log, a_version_content_can_be_read_back)
{
    fx_snap(fx_history, "Caf\xc3\xa9 one\n", NULL);
    fx_snap(fx_history, "two\n", NULL);
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    char *content = NULL;
    size_t size = 0;
    dl_assert_ok(dl_history_read(&content, &size, fx_history, &log->versions[1].id));
    cr_assert(eq(str, content, "Caf\xc3\xa9 one\n"));
    cr_assert(eq(sz, size, 10));
    free(content);
    dl_history_log_free(log);
}

Test(history_log, another_articles_version_does_not_hold_this_article)
{
    dl_history *other = NULL;
    dl_assert_ok(dl_history_open(&other, fx_store, fx_repo_path("other.txt")));
    const char *id = fx_snap(other, "other", NULL);
    dl_history_id foreign;
    snprintf(foreign.hex, sizeof(foreign.hex), "%s", id);
    char *content = NULL;
    size_t size;
    cr_assert(eq(int, dl_history_read(&content, &size, fx_history, &foreign), DL_ENOTFOUND));
    cr_assert(strstr(dl_error_last(), "does not hold story.txt") != NULL, "%s", dl_error_last());
    dl_history_free(other);
}

Test(history_log, describe_reports_words_and_their_change)
{
    dl_history_change change;
    dl_assert_ok(dl_history_describe(&change, NULL, 0, "a b c", 5));
    cr_assert(eq(sz, change.words, 3));
    cr_assert(eq(i64, change.words_delta, 3));
    cr_assert(change.summary == NULL);
    dl_history_change_dispose(&change);
    dl_assert_ok(dl_history_describe(&change, "a b c", 5, "a b", 3));
    cr_assert(eq(i64, change.words_delta, -1));
    dl_history_change_dispose(&change);
}
