/*
 * dateline — the CLI's subcommands, and the programs that run them.
 *
 * `dateline` is three programs, the way git runs its git-* programs:
 *   dateline           the article commands (no libgit2: it starts in a
 *                      fraction of the time a program linking libgit2 does)
 *   dateline-history   everything that reads or writes history (libgit2)
 *   dateline-serve     the web server (libmicrohttpd)
 * Each runs the commands of its rows itself and execs the program beside it
 * for the others (cli.c), so any of them takes any command line.
 */
#ifndef DATELINE_CLI_COMMANDS_H
#define DATELINE_CLI_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

/*
 * The single list of subcommands: dispatch, `--help`, the "unknown command"
 * message and each program's handlers are all made from it. Each row is
 * X(program, name, function, summary), in the order `--help` lists them;
 * `program` is dateline, history or serve. A program keeps only its own
 * rows' functions (DL_CLI_KEEP below), so that another program's
 * function, and the libraries behind it, stay out of its link.
 */
#define DL_CLI_COMMANDS(X)                                                                        \
    /* the article model (cli_article.c, cli_detect.c) */                                         \
    X(dateline, outline, dl_cli_outline, "print the structure of an article")                     \
    X(dateline, stats, dl_cli_stats, "print words, paragraphs, quotations and reading time")      \
    X(dateline, detect, dl_cli_detect, "print which files are articles")                          \
    /* history (cli_history.c) */                                                                 \
    X(history, snapshot, dl_cli_snapshot, "record each file's current content as a new version") \
    X(history, note, dl_cli_note, "annotate a version with a note")                               \
    X(history, log, dl_cli_log, "list each file's versions, newest first (--all: every article)") \
    X(history, show, dl_cli_show, "print the content of a version")                               \
    X(history, restore, dl_cli_restore, "write a version back to the file")                       \
    X(history, push, dl_cli_push, "send history and notes to a git remote")                       \
    X(history, pull, dl_cli_pull, "fetch and join history and notes from a git remote")           \
    /* structural diff (cli_diff.c) */                                                            \
    X(history, diff, dl_cli_diff, "compare versions paragraph by paragraph, quotations included") \
    X(history, blame, dl_cli_blame, "show which version last changed each paragraph of each file") \
    /* the web views (cli_report.c) */                                                            \
    X(history, report, dl_cli_report, "write an article's history as one self-contained HTML page") \
    /* the language server (cli_lsp.c): it records a version on every save */                     \
    X(history, lsp, dl_cli_lsp, "serve the Language Server Protocol on stdin/stdout")             \
    /* the web server (cli_serve.c) */                                                            \
    X(serve, serve, dl_cli_serve, "serve every article's history as read-only web pages")         \
    /* other */                                                                                   \
    X(dateline, version, dl_cli_version, "print the version")

/* A program's own command: its name and the function that runs it. */
typedef int (*dl_cli_command_fn)(int argc, char **argv, FILE *out, FILE *err);
typedef struct {
    const char *name;
    dl_cli_command_fn run;
} dl_cli_handler;

/*
 * A program's handlers are the rows of its own programs, kept with
 * DL_CLI_KEEP; the others are dropped with DL_CLI_DROP. For example:
 *   #define ROW(program, name, function, summary) ROW_##program(name, function)
 *   #define ROW_dateline DL_CLI_KEEP
 *   #define ROW_history DL_CLI_DROP
 *   #define ROW_serve DL_CLI_DROP
 *   static const dl_cli_handler handlers[] = {DL_CLI_COMMANDS(ROW)};
 */
#define DL_CLI_KEEP(name, function) {#name, function},
#define DL_CLI_DROP(name, function)

/*
 * Run the command line argv[0..argc) with the `count` commands of
 * `handlers` in process, writing to `out` and `err`; any other command is
 * run by the program beside this one that has it (argv[0]'s folder, or the
 * folder of PATH it was found in), given the same arguments, standard
 * streams and exit status: exec, so this only returns when it failed.
 * Returns the exit status.
 */
int dl_cli_dispatch(const dl_cli_handler *handlers, size_t count, int argc, char **argv,
                    FILE *out, FILE *err);

/* `dateline version` (cli.c). */
int dl_cli_version(int argc, char **argv, FILE *out, FILE *err);

#endif
