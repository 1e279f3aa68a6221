/* Many files in one `dateline` process give the answers one file at a time
 * gives, a file that fails does not stop the others, and `log --all`
 * lists what changed in the whole store. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../support/cli_run.h"
#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/cli.h"

static char *files[3];

static const char *const texts[3] = {
    "Council approves budget\n\n“We will review spending every quarter,” the mayor said.\n",
    "Storm closes schools\n\nOLYMPIA, WA – Schools closed on Monday.\n",
    "Library reopens\n\nThe library reopened after repairs.\n\nReaders returned.\n",
};

static void setup(void)
{
    fx_setup();
    files[0] = strdup(fx_repo_path("budget.txt"));
    files[1] = strdup(fx_repo_path("news/storm.txt"));
    files[2] = strdup(fx_repo_path("library.txt"));
    for (size_t i = 0; i < 3; i++)
        fx_write_str(files[i], texts[i]);
}

static void teardown(void)
{
    for (size_t i = 0; i < 3; i++)
        free(files[i]);
    fx_teardown();
}

TestSuite(cli_batch, .init = setup, .fini = teardown);

static json_t *parse(const dl_test_cli_result *r)
{
    json_error_t error;
    json_t *json = json_loads(r->out, 0, &error);
    cr_assert(json != NULL, "%s: %s (stderr: %s)", error.text, r->out, r->err);
    return json;
}

/* The JSON one file alone gives. */
static json_t *alone(const char *command, const char *file)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", (char *)command, "--json", (char *)file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    json_t *json = parse(&r);
    dl_test_cli_result_free(&r);
    return json;
}

static void assert_same(json_t *batch, json_t *one)
{
    char *a = json_dumps(batch, JSON_SORT_KEYS), *b = json_dumps(one, JSON_SORT_KEYS);
    cr_assert(json_equal(batch, one), "batch: %s\nalone: %s", a, b);
    free(a);
    free(b);
}

static void snapshot_all(void)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "snapshot", files[0], files[1], files[2], NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    dl_test_cli_result_free(&r);
}

Test(cli_batch, snapshot_records_every_file_and_names_it)
{
    dl_test_cli_result r =
        dl_test_cli_run((char *[]){"dateline", "snapshot", files[0], "-m", "first", files[1], files[2], NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    for (size_t i = 0; i < 3; i++) {
        json_t *log = alone("log", files[i]);
        json_t *versions = json_object_get(log, "versions");
        cr_assert(eq(sz, json_array_size(versions), 1));
        const char *id = json_string_value(json_object_get(json_array_get(versions, 0), "id"));
        char line[4200];
        snprintf(line, sizeof(line), "%s  %s\n", id, files[i]);
        cr_assert(strstr(r.out, line) != NULL, "no line '%s' in:\n%s", line, r.out);
        /* The note goes with every file of the batch. */
        cr_assert(eq(str, (char *)json_string_value(
                              json_object_get(json_array_get(versions, 0), "note")),
                     "first"));
        json_decref(log);
    }
    dl_test_cli_result_free(&r);
}

Test(cli_batch, one_file_alone_prints_what_it_always_did)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "snapshot", files[0], NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    cr_assert(eq(sz, strlen(r.out), 41), "%s", r.out); /* the id and a newline */
    dl_test_cli_result_free(&r);
}

Test(cli_batch, a_failing_file_does_not_stop_the_others)
{
    const char *missing = fx_repo_path("missing.txt");
    const char *folder = fx_repo_path("news");
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "snapshot", "--json", files[0], (char *)missing,
                                  (char *)folder, files[2], NULL});
    cr_assert(eq(int, r.status, DL_EXIT_ERROR));
    json_t *array = parse(&r);
    cr_assert(eq(sz, json_array_size(array), 4));
    cr_assert(json_object_get(json_array_get(array, 0), "id") != NULL);
    cr_assert(json_object_get(json_array_get(array, 1), "error") != NULL);
    cr_assert(json_object_get(json_array_get(array, 2), "error") != NULL);
    cr_assert(json_object_get(json_array_get(array, 3), "id") != NULL);
    cr_assert(strstr(r.err, "missing.txt") != NULL, "%s", r.err);
    json_decref(array);
    dl_test_cli_result_free(&r);

    /* The files that could be recorded were. */
    json_t *log = alone("log", files[2]);
    cr_assert(eq(sz, json_array_size(json_object_get(log, "versions")), 1));
    json_decref(log);
}

Test(cli_batch, log_of_many_files_equals_each_file_alone)
{
    snapshot_all();
    fx_write_str(files[0], "Council approves budget\n\nThe council met.\n");
    dl_test_cli_result s = dl_test_cli_run((char *[]){"dateline", "snapshot", files[0], "-m", "cut the quote", NULL});
    dl_test_cli_result_free(&s);

    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", "--json", files[0], files[1], files[2], NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    json_t *array = parse(&r);
    cr_assert(eq(sz, json_array_size(array), 3));
    for (size_t i = 0; i < 3; i++) {
        json_t *one = alone("log", files[i]);
        assert_same(json_array_get(array, i), one);
        json_decref(one);
    }
    json_decref(array);
    dl_test_cli_result_free(&r);
}

Test(cli_batch, blame_of_many_files_equals_each_file_alone)
{
    snapshot_all();
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "blame", files[2], files[0], "--json", NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    json_t *array = parse(&r);
    json_t *first = alone("blame", files[2]), *second = alone("blame", files[0]);
    assert_same(json_array_get(array, 0), first);
    assert_same(json_array_get(array, 1), second);
    json_decref(first);
    json_decref(second);
    json_decref(array);
    dl_test_cli_result_free(&r);
}

Test(cli_batch, log_text_names_each_file)
{
    snapshot_all();
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", files[0], files[1], NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    char header[4200];
    snprintf(header, sizeof(header), "==> %s <==\n", files[1]);
    cr_assert(strstr(r.out, header) != NULL, "%s", r.out);
    dl_test_cli_result_free(&r);
}

Test(cli_batch, diff_since_compares_the_version_of_then_with_the_latest)
{
    snapshot_all();
    fx_write_str(files[0], "Council approves budget\n\n“We will review spending every month,” "
                           "the mayor said.\n");
    dl_test_cli_result s = dl_test_cli_run((char *[]){"dateline", "snapshot", files[0], NULL});
    dl_test_cli_result_free(&s);

    /* Since an hour ago: both versions are newer, so the first one is the
     * base; the changed quotation is what the diff reports. */
    dl_test_cli_result r =
        dl_test_cli_run((char *[]){"dateline", "diff", "--since", "1.hour", "--json", files[0], NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    json_t *diff = parse(&r);
    dl_test_cli_result d = dl_test_cli_run((char *[]){"dateline", "diff", "@~1", "@", "--json", files[0], NULL});
    json_t *same = parse(&d);
    assert_same(diff, same);
    json_decref(diff);
    json_decref(same);
    dl_test_cli_result_free(&d);
    dl_test_cli_result_free(&r);
}

Test(cli_batch, log_all_lists_every_article_changed_since)
{
    snapshot_all();
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", "--all", "--since", "yesterday", "--json",
                                  fx_repo, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    json_t *listing = parse(&r);
    json_t *articles = json_object_get(listing, "articles");
    cr_assert(eq(sz, json_array_size(articles), 3));
    /* Each with its latest version, as `log -n 1` shows it. */
    for (size_t i = 0; i < 3; i++) {
        json_t *item = json_array_get(articles, i);
        const char *file = json_string_value(json_object_get(item, "file"));
        dl_test_cli_result one =
            dl_test_cli_run((char *[]){"dateline", "log", "-n", "1", "--json", (char *)file, NULL});
        json_t *log = parse(&one);
        assert_same(json_object_get(item, "latest"),
                    json_array_get(json_object_get(log, "versions"), 0));
        json_decref(log);
        dl_test_cli_result_free(&one);
    }
    json_decref(listing);
    dl_test_cli_result_free(&r);

    /* Nothing was recorded after a date in the future. */
    r = dl_test_cli_run((char *[]){"dateline", "log", "--all", "--since", "2999-01-01", fx_repo, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    cr_assert(eq(str, r.out, ""));
    dl_test_cli_result_free(&r);
}

Test(cli_batch, a_time_that_does_not_parse_is_a_usage_error)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", "--all", "--since", "last tuesday", NULL});
    cr_assert(eq(int, r.status, DL_EXIT_USAGE));
    cr_assert(strstr(r.err, "1.day") != NULL, "%s", r.err);
    dl_test_cli_result_free(&r);
}

/* The listing of a whole store names each article by its key, also when
 * the file's folder is gone or its ref name had to be shortened. */
Test(cli_batch, log_all_lists_deleted_and_long_named_articles_by_key)
{
    char name[256] = "";
    memset(name, 'l', 120);
    strcat(name, "/");
    memset(name + 121, 'n', 100);
    strcat(name, ".txt");
    char *long_file = strdup(fx_repo_path(name));
    fx_write_str(long_file, texts[2]);
    snapshot_all();
    dl_test_cli_result s = dl_test_cli_run((char *[]){"dateline", "snapshot", long_file, NULL});
    cr_assert(eq(int, s.status, DL_EXIT_OK), "%s", s.err);
    dl_test_cli_result_free(&s);
    fx_sh(NULL, "rm -r '%s'", fx_repo_path("news"));

    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", "--all", "--json", fx_repo, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    json_t *listing = parse(&r);
    json_t *articles = json_object_get(listing, "articles");
    int deleted = 0, long_named = 0;
    for (size_t i = 0; i < json_array_size(articles); i++) {
        json_t *item = json_array_get(articles, i);
        const char *key = json_string_value(json_object_get(item, "key"));
        deleted += strcmp(key, "news/storm.txt") == 0 &&
                   json_is_object(json_object_get(item, "latest"));
        long_named += strcmp(key, name) == 0;
    }
    cr_assert(eq(int, deleted, 1), "%s", r.out);
    cr_assert(eq(int, long_named, 1), "%s", r.out);
    json_decref(listing);
    dl_test_cli_result_free(&r);
    free(long_file);
}
