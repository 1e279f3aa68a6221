/* `dateline <op> --json` prints the operation's one JSON rendering: the
 * same object the language server returns for the same request. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/cli.h"
#include "dateline/ops.h"

static void setup(void)
{
    fx_setup();
    fx_write_str(fx_repo_path("story.txt"),
                 "Council approves budget\n\n“We will review spending every quarter,” "
                 "the mayor said.\n");
    fx_story_open();
    fx_snap(fx_history, "Council approves budget\n\nThe council met.\n", "first draft");
    fx_snap(fx_history, "Council approves budget\n\n“We will review spending every quarter,” "
                        "the mayor said.\n", NULL);
}

TestSuite(cli_json, .init = setup, .fini = fx_teardown);

/* Run the CLI in process; its stdout parsed as JSON. */
static json_t *cli_json(int argc, char **argv)
{
    char *out_text = NULL, *err_text = NULL;
    size_t out_size = 0, err_size = 0;
    FILE *out = open_memstream(&out_text, &out_size);
    FILE *err = open_memstream(&err_text, &err_size);
    int status = dl_cli_run(argc, argv, out, err);
    fclose(out);
    fclose(err);
    cr_assert(eq(int, status, DL_EXIT_OK), "%s", err_text);
    json_error_t error;
    json_t *json = json_loads(out_text, 0, &error);
    cr_assert(json != NULL, "%s: %s", error.text, out_text);
    free(out_text);
    free(err_text);
    return json;
}

static void assert_same(json_t *cli, json_t *op)
{
    char *a = json_dumps(cli, JSON_SORT_KEYS), *b = json_dumps(op, JSON_SORT_KEYS);
    cr_assert(json_equal(cli, op), "CLI: %s\nop:  %s", a, b);
    free(a);
    free(b);
    json_decref(cli);
    json_decref(op);
}

Test(cli_json, log_prints_the_log_operations_json)
{
    dl_history_log *log = NULL;
    dl_ops_log_options options = DL_OPS_LOG_OPTIONS_INIT;
    options.max_count = 1;
    json_t *op = NULL;
    dl_assert_ok(dl_ops_log(&log, fx_history, &options));
    dl_assert_ok(dl_ops_log_json(&op, fx_history, log));
    dl_history_log_free(log);
    assert_same(cli_json(5, (char *[]){"dateline", "log", "-n1", "--json", fx_file, NULL}), op);
}

Test(cli_json, show_prints_the_show_operations_json)
{
    dl_ops_show_options options = DL_OPS_SHOW_OPTIONS_INIT;
    dl_ops_show_result result = {0};
    options.rev = "@~1";
    json_t *op = NULL;
    dl_assert_ok(dl_ops_show(&result, fx_history, &options));
    dl_assert_ok(dl_ops_show_json(&op, &result));
    dl_ops_show_result_dispose(&result);
    assert_same(cli_json(5, (char *[]){"dateline", "show", "@~1", fx_file, "--json", NULL}), op);
}

Test(cli_json, diff_prints_the_diff_operations_json)
{
    dl_ops_diff_options options = DL_OPS_DIFF_OPTIONS_INIT;
    dl_ops_diff_result result = {0};
    options.old_rev = "@~1";
    json_t *op = NULL;
    dl_assert_ok(dl_ops_diff(&result, fx_history, &options));
    dl_assert_ok(dl_ops_diff_json(&op, fx_history, &result));
    dl_ops_diff_result_dispose(&result);
    assert_same(cli_json(5, (char *[]){"dateline", "diff", "@~1", fx_file, "--json", NULL}), op);
}

Test(cli_json, blame_prints_the_blame_operations_json)
{
    dl_ops_blame_options options = DL_OPS_BLAME_OPTIONS_INIT;
    dl_blame *blame = NULL;
    json_t *op = NULL;
    dl_assert_ok(dl_ops_blame(&blame, fx_history, &options));
    dl_assert_ok(dl_ops_blame_json(&op, fx_history, blame));
    dl_blame_free(blame);
    json_t *cli = cli_json(4, (char *[]){"dateline", "blame", fx_file, "--json", NULL});
    cr_assert(eq(sz, json_array_size(json_object_get(cli, "quotations")), 1));
    assert_same(cli, op);
}
