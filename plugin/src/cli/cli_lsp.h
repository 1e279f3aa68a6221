/*
 * dateline — the `lsp` subcommand (cli_lsp.c): the language server on
 * stdin/stdout.
 */
#ifndef DATELINE_CLI_LSP_H
#define DATELINE_CLI_LSP_H

#include <stdio.h>

int dl_cli_lsp(int argc, char **argv, FILE *out, FILE *err);

#endif
