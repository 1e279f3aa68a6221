/*
 * dateline — the `serve` subcommand (cli_serve.c): a local, read-only web
 * view of every article's history in a store.
 */
#ifndef DATELINE_CLI_SERVE_H
#define DATELINE_CLI_SERVE_H

#include <stdio.h>

int dl_cli_serve(int argc, char **argv, FILE *out, FILE *err);

#endif
