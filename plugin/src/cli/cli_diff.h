/*
 * dateline — the structural diff subcommands of the CLI (cli_diff.c):
 * `diff` and `blame`. Same conventions as cli_history.h.
 */
#ifndef DATELINE_CLI_DIFF_H
#define DATELINE_CLI_DIFF_H

#include <stdio.h>

int dl_cli_diff(int argc, char **argv, FILE *out, FILE *err);
int dl_cli_blame(int argc, char **argv, FILE *out, FILE *err);

#endif
