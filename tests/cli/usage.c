#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../support/cli_run.h"
#include "../support/dl_test.h"
#include "dateline/cli.h"

TestSuite(cli_usage);

Test(cli_usage, version_is_the_manifest_version)
{
    json_error_t error;
    json_t *manifest = json_load_file(DL_SOURCE_DIR "/plugin.json", 0, &error);
    cr_assert(manifest != NULL, "plugin.json: %s", error.text);
    char expected[128];
    snprintf(expected, sizeof(expected), "dateline %s\n",
             json_string_value(json_object_get(manifest, "version")));

    dl_test_cli_result result = dl_test_cli_run((char *[]){"dateline", "--version", NULL});
    cr_assert(eq(int, result.status, DL_EXIT_OK));
    cr_assert(eq(str, result.out, expected));
    dl_test_cli_result_free(&result);
    json_decref(manifest);
}

Test(cli_usage, no_arguments_is_a_usage_error_with_help_on_stderr)
{
    dl_test_cli_result result = dl_test_cli_run((char *[]){"dateline", NULL});
    cr_assert(eq(int, result.status, DL_EXIT_USAGE));
    cr_assert(eq(str, result.out, ""));
    cr_assert(strstr(result.err, "usage: dateline") != NULL);
    dl_test_cli_result_free(&result);
}

Test(cli_usage, unknown_command_is_named_and_exits_2)
{
    dl_test_cli_result result = dl_test_cli_run((char *[]){"dateline", "frobnicate", NULL});
    cr_assert(eq(int, result.status, DL_EXIT_USAGE));
    cr_assert(strstr(result.err, "'frobnicate' is not a command") != NULL);
    dl_test_cli_result_free(&result);
}

Test(cli_usage, help_goes_to_stdout_and_lists_commands)
{
    dl_test_cli_result result = dl_test_cli_run((char *[]){"dateline", "--help", NULL});
    cr_assert(eq(int, result.status, DL_EXIT_OK));
    cr_assert(strstr(result.out, "Commands:") != NULL);
    cr_assert(strstr(result.out, "version") != NULL);
    dl_test_cli_result_free(&result);
}
