/*
 * dateline — the article-model subcommands of the CLI (cli_article.c).
 */
#ifndef DATELINE_CLI_ARTICLE_H
#define DATELINE_CLI_ARTICLE_H

#include <stdio.h>

int dl_cli_outline(int argc, char **argv, FILE *out, FILE *err);
int dl_cli_stats(int argc, char **argv, FILE *out, FILE *err);

#endif
