/* Running the CLI in process, for the suites that check what it prints. */
#ifndef DL_TEST_CLI_RUN_H
#define DL_TEST_CLI_RUN_H

typedef struct {
    int status; /* dl_cli_run's exit status */
    char *out;  /* what it wrote on stdout and stderr, NUL-terminated */
    char *err;
} dl_test_cli_result;

/* `dateline ARGS...` in process: `argv` is NULL-terminated, argv[0] the
 * program's name. Free the result with dl_test_cli_result_free. */
dl_test_cli_result dl_test_cli_run(char **argv);

void dl_test_cli_result_free(dl_test_cli_result *r);

#endif
