/*
 * dateline — the history subcommands of the CLI (cli_history.c).
 *
 * Each takes its own argv (argv[0] is the subcommand's name) and returns an
 * exit status; cli.c's table dispatches to them.
 */
#ifndef DATELINE_CLI_HISTORY_H
#define DATELINE_CLI_HISTORY_H

#include <stdio.h>

int dl_cli_snapshot(int argc, char **argv, FILE *out, FILE *err);
int dl_cli_note(int argc, char **argv, FILE *out, FILE *err);
int dl_cli_log(int argc, char **argv, FILE *out, FILE *err);
int dl_cli_show(int argc, char **argv, FILE *out, FILE *err);
int dl_cli_restore(int argc, char **argv, FILE *out, FILE *err);
int dl_cli_push(int argc, char **argv, FILE *out, FILE *err);
int dl_cli_pull(int argc, char **argv, FILE *out, FILE *err);

#endif
