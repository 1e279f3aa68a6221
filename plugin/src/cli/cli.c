/* realpath() is XSI. */
#define _XOPEN_SOURCE 700

#include "dateline/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_commands.h"
#include "cli_common.h"
#include "dateline/error.h"
#include "dateline/text.h"
#include "dateline_version.h"

/* The file name of each program of cli_commands.h's rows. */
#define PROGRAM_dateline DL_NAME
#define PROGRAM_history DL_NAME "-history"
#define PROGRAM_serve DL_NAME "-serve"

typedef struct {
    const char *name;
    const char *summary;
    const char *program; /* the program that runs it */
} command;

/* The commands' table without their functions: this file is linked into
 * every program, and a function named here would be linked with it. */
#define COMMAND(program, name, function, summary) {#name, summary, PROGRAM_##program},
static const command commands[] = {DL_CLI_COMMANDS(COMMAND)};
#undef COMMAND

static const size_t command_count = sizeof(commands) / sizeof(commands[0]);

static void print_usage(FILE *stream)
{
    fprintf(stream,
            "usage: %s <command> [options] [args]\n"
            "       %s --version | --help\n\n"
            "Version history and structure for plain-text news articles.\n\n"
            "Commands:\n",
            DL_NAME, DL_NAME);
    for (size_t i = 0; i < command_count; i++)
        fprintf(stream, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(stream, "\nRun '%s <command> --help' for a command's options.\n"
                    "Exit status: 0 success, 1 error, 2 usage error.\n",
            DL_NAME);
}

int dl_cli_version(int argc, char **argv, FILE *out, FILE *err)
{
    (void)argv;
    if (argc > 1) {
        fprintf(err, "%s version: takes no arguments\n", DL_NAME);
        return DL_EXIT_USAGE;
    }
    fprintf(out, "%s %s\n", DL_NAME, DL_VERSION);
    return DL_EXIT_OK;
}

/* What the core repaired on its own while the command ran (a stale lock
 * broken), one "dateline: " line each on stderr: stdout stays the
 * command's output for scripts. */
static void put_notices(FILE *err)
{
    const char *notices = dl_notice_take();
    while (*notices != '\0') {
        size_t line = strcspn(notices, "\n");
        fprintf(err, "%s: ", DL_NAME);
        dl_text_put(err, notices, line, DL_TEXT_ONE_LINE);
        fputc('\n', err);
        notices += line + (notices[line] == '\n');
    }
}

/* `name` in the first folder of PATH that holds it, as the shell finds a
 * command; NULL when none does. */
static char *find_in_path(const char *name)
{
    const char *path = getenv("PATH");
    while (path != NULL && *path != '\0') {
        size_t length = strcspn(path, ":");
        size_t size = length + strlen(name) + 3;
        char *candidate = malloc(size);
        if (candidate == NULL)
            return NULL;
        snprintf(candidate, size, "%.*s/%s", (int)length, length ? path : ".", name);
        if (access(candidate, X_OK) == 0)
            return candidate;
        free(candidate);
        path += length + (path[length] == ':');
    }
    return NULL;
}

/* The folder holding this program: argv[0]'s own when it names one, else
 * the folder of PATH it was found in (the way git finds its git-* programs
 * beside itself), symbolic links resolved, so that a link to dateline
 * elsewhere still finds the programs installed beside the real one. NULL
 * when unknown. */
static char *own_folder(const char *self)
{
    if (self == NULL || self[0] == '\0')
        return NULL;
    char *found = strchr(self, '/') != NULL ? strdup(self) : find_in_path(self);
    if (found == NULL)
        return NULL;
    char *real = realpath(found, NULL);
    const char *file = real != NULL ? real : found;
    const char *slash = strrchr(file, '/');
    char *folder = slash == file ? strdup("/") : strndup(file, (size_t)(slash - file));
    free(real);
    free(found);
    return folder;
}

/* Run `program` from this program's folder with the same command line
 * (argv[1] is the command's name); only returns on failure. */
static int run_program(const char *program, int argc, char **argv, FILE *out, FILE *err)
{
    char *folder = own_folder(argv[0]);
    size_t size = (folder ? strlen(folder) : 1) + strlen(program) + 2;
    char *path = malloc(size);
    char **args = malloc(((size_t)argc + 1) * sizeof(*args));
    if (path == NULL || args == NULL) {
        fprintf(err, "%s: out of memory\n", DL_NAME);
        free(folder);
        free(path);
        free(args);
        return DL_EXIT_ERROR;
    }
    snprintf(path, size, "%s/%s", folder ? folder : ".", program);
    args[0] = path;
    for (int i = 1; i < argc; i++)
        args[i] = argv[i];
    args[argc] = NULL;
    fflush(out);
    fflush(err);
    execv(path, args);
    fprintf(err, "%s: %s: cannot run ", DL_NAME, argv[1]);
    dl_cli_put_text(err, path);
    fprintf(err, " (%s); it is built and installed beside %s (./build.sh build, "
                 "./build.sh install)\n", strerror(errno), DL_NAME);
    free(folder);
    free(path);
    free(args);
    return DL_EXIT_ERROR;
}

int dl_cli_dispatch(const dl_cli_handler *handlers, size_t count, int argc, char **argv,
                    FILE *out, FILE *err)
{
    if (argc < 2) {
        print_usage(err);
        return DL_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
        strcmp(name, "help") == 0) {
        print_usage(out);
        return DL_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0)
        name = "version";

    for (size_t i = 0; i < command_count; i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        dl_error_clear();
        for (size_t h = 0; h < count; h++) {
            if (strcmp(handlers[h].name, name) == 0) {
                int status = handlers[h].run(argc - 1, argv + 1, out, err);
                put_notices(err);
                return status;
            }
        }
        return run_program(commands[i].program, argc, argv, out, err);
    }
    fprintf(err, "%s: '", DL_NAME);
    dl_cli_put_text(err, name);
    fputs("' is not a command\n\n", err);
    print_usage(err);
    return DL_EXIT_USAGE;
}
