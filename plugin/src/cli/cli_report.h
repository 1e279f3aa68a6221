/*
 * dateline — `dateline report` (cli_report.c): one article's history as
 * one self-contained HTML file.
 */
#ifndef DATELINE_CLI_REPORT_H
#define DATELINE_CLI_REPORT_H

#include <stdio.h>

int dl_cli_report(int argc, char **argv, FILE *out, FILE *err);

#endif
