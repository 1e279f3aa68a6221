/*
 * dateline — what every CLI subcommand shares: argument parsing, help and
 * usage errors, the one-line failure message, JSON printing, time format.
 * Internal to the CLI (plugin/src), not part of the public headers.
 */
#ifndef DATELINE_CLI_COMMON_H
#define DATELINE_CLI_COMMON_H

#include <jansson.h>
#include <stdio.h>

#include "dateline/history.h"

typedef enum { DL_CLI_COLOR_AUTO, DL_CLI_COLOR_ALWAYS, DL_CLI_COLOR_NEVER } dl_cli_color;

enum {
    OPT_NOTE = 1 << 0,      /* -m NOTE, --message NOTE */
    OPT_STORE = 1 << 1,     /* --store DIR */
    OPT_JSON = 1 << 2,      /* --json */
    OPT_COUNT = 1 << 3,     /* -n N, --max-count N */
    OPT_ANNOTATED = 1 << 4, /* --annotated */
    OPT_COLOR = 1 << 5,     /* --color[=auto|always|never] */
    OPT_FORCE = 1 << 6,     /* --force */
    OPT_EXACT = 1 << 7,     /* --exact */
    OPT_HIDE_TRIVIAL = 1 << 8, /* --hide-trivial */
    OPT_OUTPUT = 1 << 9,       /* -o FILE, --output FILE */
    OPT_RANGE = 1 << 10,       /* --from REV, --to REV */
};

#define MAX_POSITIONALS 3

typedef struct {
    const char *name;  /* the subcommand, for messages */
    const char *usage; /* its synopsis */
    const char *note;
    const char *store;
    int json, annotated, force, exact, help;
    int hide_trivial;
    const char *output, *from, *to;
    dl_cli_color color;
    size_t count;
    const char *args[MAX_POSITIONALS];
    size_t nargs;
} dl_cli_args;

/* Parse argv[1..argc) into `a`, accepting the options in `allowed`.
 * Returns DL_EXIT_OK or, after printing the problem, DL_EXIT_USAGE. */
int dl_cli_parse_args(dl_cli_args *a, int argc, char **argv, unsigned allowed, FILE *err);

/* "dateline: NAME: <what>" and the usage line; returns DL_EXIT_USAGE. */
int dl_cli_usage_error(const dl_cli_args *a, FILE *err, const char *format, const char *what);

/* The usage line and `text`, on stdout; returns DL_EXIT_OK. */
int dl_cli_print_help(const dl_cli_args *a, FILE *out, const char *text);

/* "dateline: <dl_error_last()>"; returns the exit status for the error. */
int dl_cli_fail(FILE *err);

/* Whether to colour output written to `out` (NO_COLOR and isatty for auto). */
int dl_cli_use_color(const dl_cli_args *a, FILE *out);

/* An article's history, opened from FILE with the --store the user gave. */
typedef struct {
    dl_history_store *store;
    dl_history *history;
} dl_cli_article;

int dl_cli_open_article(dl_cli_article *o, const dl_cli_args *a, const char *file);

/* Open the store for `path` with the --store the user gave, and tell the
 * user on a->err what opening it did (a history moved into the store). */
int dl_cli_open_store(dl_history_store **out, const dl_cli_args *a, const char *path);
void dl_cli_close_article(dl_cli_article *o);

/* `text` for a person to read, on one line: dl_text_put with
 * DL_TEXT_ONE_LINE (a note or an author's name may hold an escape sequence
 * or a line break). */
void dl_cli_put_text(FILE *out, const char *text);

/* Print and release `doc` (an operation's JSON rendering); returns the
 * exit status. */
int dl_cli_json_print(json_t *doc, FILE *out);

#endif
