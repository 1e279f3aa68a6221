/*
 * dateline — the command-line tool.
 *
 * The CLI is a library function so that tests can drive it in process. It
 * parses arguments, calls the core's operations (dateline/ops.h) and prints
 * text or their JSON; the language server calls the same operations itself
 * and never goes through this front end.
 */
#ifndef DATELINE_CLI_H
#define DATELINE_CLI_H

#include <stdio.h>

/** Exit statuses, documented in docs/cli.md. */
enum {
    DL_EXIT_OK = 0,
    DL_EXIT_ERROR = 1,
    DL_EXIT_USAGE = 2,
    /** Part done: `snapshot -m` recorded the version but its note was refused. */
    DL_EXIT_PARTIAL = 3,
};

/**
 * Run the `dateline` command line `argv[0..argc)` writing normal output to
 * `out` and diagnostics to `err`. Returns the process exit status. Every
 * command runs in process but `serve`, which runs the program
 * dateline-serve from argv[0]'s folder. This is the program
 * dateline-history; `dateline` itself runs only the article commands
 * (plugin/src/cli/cli_commands.h).
 */
int dl_cli_run(int argc, char **argv, FILE *out, FILE *err);

#endif
