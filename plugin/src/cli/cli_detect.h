/*
 * dateline — `detect`, which files are articles (cli_detect.c).
 */
#ifndef DATELINE_CLI_DETECT_H
#define DATELINE_CLI_DETECT_H

#include <stdio.h>

int dl_cli_detect(int argc, char **argv, FILE *out, FILE *err);

#endif
