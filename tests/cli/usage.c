#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/cli.h"

typedef struct {
    int status;
    char *out;
    char *err;
} cli_result;

static cli_result run_cli(int argc, char **argv)
{
    cli_result result = {0};
    size_t out_size, err_size;
    FILE *out = open_memstream(&result.out, &out_size);
    FILE *err = open_memstream(&result.err, &err_size);
    result.status = dl_cli_run(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return result;
}

static void cli_result_free(cli_result *result)
{
    free(result->out);
    free(result->err);
}

TestSuite(cli_usage);

Test(cli_usage, version_is_the_manifest_version)
{
    json_error_t error;
    json_t *manifest = json_load_file(DL_SOURCE_DIR "/plugin.json", 0, &error);
    cr_assert(manifest != NULL, "plugin.json: %s", error.text);
    char expected[128];
    snprintf(expected, sizeof(expected), "dateline %s\n",
             json_string_value(json_object_get(manifest, "version")));

    cli_result result = run_cli(2, (char *[]){"dateline", "--version", NULL});
    cr_assert(eq(int, result.status, DL_EXIT_OK));
    cr_assert(eq(str, result.out, expected));
    cli_result_free(&result);
    json_decref(manifest);
}

Test(cli_usage, no_arguments_is_a_usage_error_with_help_on_stderr)
{
    cli_result result = run_cli(1, (char *[]){"dateline", NULL});
    cr_assert(eq(int, result.status, DL_EXIT_USAGE));
    cr_assert(eq(str, result.out, ""));
    cr_assert(strstr(result.err, "usage: dateline") != NULL);
    cli_result_free(&result);
}

Test(cli_usage, unknown_command_is_named_and_exits_2)
{
    cli_result result = run_cli(2, (char *[]){"dateline", "frobnicate", NULL});
    cr_assert(eq(int, result.status, DL_EXIT_USAGE));
    cr_assert(strstr(result.err, "'frobnicate' is not a command") != NULL);
    cli_result_free(&result);
}

Test(cli_usage, help_goes_to_stdout_and_lists_commands)
{
    cli_result result = run_cli(2, (char *[]){"dateline", "--help", NULL});
    cr_assert(eq(int, result.status, DL_EXIT_OK));
    cr_assert(strstr(result.out, "Commands:") != NULL);
    cr_assert(strstr(result.out, "version") != NULL);
    cli_result_free(&result);
}
