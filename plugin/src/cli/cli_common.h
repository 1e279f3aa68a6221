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
    OPT_SINCE = 1 << 11,       /* --since WHEN */
    OPT_ALL = 1 << 12,         /* --all */
};

typedef struct {
    const char *name;  /* the subcommand, for messages */
    const char *usage; /* its synopsis */
    const char *note;
    const char *store;
    const char *since; /* --since as given; dl_ops_since_parse reads it */
    int all;
    int json, annotated, force, exact, help;
    int hide_trivial;
    const char *output, *from, *to;
    dl_cli_color color;
    size_t count;
    const char **args; /* the operands, in order: argv's front, see dl_cli_parse_args */
    size_t nargs;
} dl_cli_args;

/* Parse argv[1..argc) into `a`, accepting the options in `allowed`. The
 * operands are moved to the front of argv[1..] and `a->args` points there.
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

/* Opening an article, dl_cli_each_file and dl_cli_since are defined in
 * cli_store.c: `dateline` runs the article commands without libgit2. */

/* An article's history, opened from FILE with the --store the user gave. */
typedef struct {
    dl_history_store *store;
    dl_history *history;
    int shared_store; /* the store belongs to a batch (dl_cli_each_file) */
} dl_cli_article;

int dl_cli_open_article(dl_cli_article *o, const dl_cli_args *a, const char *file);

/* Open the store for `path` with the --store the user gave (what opening
 * did, such as moving an old history in, is a notice the command prints
 * when it ends). */
int dl_cli_open_store(dl_history_store **out, const dl_cli_args *a, const char *path);
void dl_cli_close_article(dl_cli_article *o);

/* A file of a batch that failed: "dateline: FILE: <dl_error_last()>" on
 * `err`, and, for --json, {"schema", "file", "error"} appended to `array`.
 * Returns the exit status for the error. */
int dl_cli_batch_fail(FILE *err, const char *file, json_t *array);

/* The exit status of a batch: the worst of its files' (usage, then error,
 * then partial). */
int dl_cli_worse(int a, int b);

/* A file's heading in a batch's text output, as head and tail name theirs:
 * "==> FILE <==", or "==> FILE REMARK <==" when `remark` is not NULL. */
void dl_cli_put_file_heading(FILE *out, const char *file, const char *remark);

/* A command's work on one file of its operands, opened: `since` is its
 * --since time for the commands that take one (0 otherwise); `batch`: more
 * than one file was given, so the output names each; `array`: where a
 * batch's --json objects go (NULL otherwise). Returns an exit status. */
typedef int (*dl_cli_file_fn)(dl_cli_article *o, const dl_cli_args *a, const char *file,
                              long long since, int batch, json_t *array, FILE *out, FILE *err);

/* Run `fn` on each of a->args, in order, each store opened once: a file
 * that cannot be opened is told and the others still done; with --json and
 * several files, their objects are printed as one array. Returns the worst
 * exit status. */
int dl_cli_each_file(const dl_cli_args *a, long long since, dl_cli_file_fn fn, FILE *out,
                     FILE *err);

/* --since, read against the clock; DL_EXIT_USAGE (after saying why) when
 * it does not parse. */
int dl_cli_since(long long *out, const dl_cli_args *a, FILE *err);

/* `text` for a person to read, on one line: dl_text_put with
 * DL_TEXT_ONE_LINE (a note or an author's name may hold an escape sequence
 * or a line break). */
void dl_cli_put_text(FILE *out, const char *text);

/* Print and release `doc` (an operation's JSON rendering); returns the
 * exit status. */
int dl_cli_json_print(json_t *doc, FILE *out);

#endif
