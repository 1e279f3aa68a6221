#include "cli_common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dateline/cli.h"
#include "dateline/error.h"
#include "dateline/json.h"
#include "dateline/text.h"
#include "dateline_version.h"

int dl_cli_usage_error(const dl_cli_args *a, FILE *err, const char *format, const char *what)
{
    /* `what` is an argument as typed, or as a script passed it: escaped. */
    char message[4096];
    snprintf(message, sizeof(message), format, what);
    fprintf(err, "%s: %s: ", DL_NAME, a->name);
    dl_cli_put_text(err, message);
    fprintf(err, "\nusage: %s %s\n", DL_NAME, a->usage);
    return DL_EXIT_USAGE;
}

/* The value of an option given as "-mVALUE", "--opt=VALUE" or "-m VALUE". */
static const char *option_value(int argc, char **argv, int *i, size_t long_len)
{
    const char *arg = argv[*i];
    if (arg[1] != '-' && arg[2] != '\0')
        return arg + 2; /* -mNOTE */
    if (arg[1] == '-' && arg[long_len] == '=')
        return arg + long_len + 1; /* --message=NOTE */
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

/* Options may come before, between or after the operands; "--" ends them.
 * The operands are moved, in order, to the front of argv[1..] (as getopt
 * does), so that a batch of any number of files needs no copy and no cap:
 * each one is rotated past the options already read, which are few. */
int dl_cli_parse_args(dl_cli_args *a, int argc, char **argv, unsigned allowed, FILE *err)
{
    int operands_only = 0;
    a->args = (const char **)(argv + 1);
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        size_t len = strcspn(arg, "=");
        if (operands_only || arg[0] != '-' || arg[1] == '\0') {
            int slot = 1 + (int)a->nargs;
            memmove(argv + slot + 1, argv + slot, (size_t)(i - slot) * sizeof(*argv));
            argv[slot] = arg;
            a->nargs++;
        } else if (strcmp(arg, "--") == 0) {
            operands_only = 1;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            a->help = 1;
        } else if ((allowed & OPT_JSON) && strcmp(arg, "--json") == 0) {
            a->json = 1;
        } else if ((allowed & OPT_ANNOTATED) && strcmp(arg, "--annotated") == 0) {
            a->annotated = 1;
        } else if ((allowed & OPT_HIDE_TRIVIAL) && strcmp(arg, "--hide-trivial") == 0) {
            a->hide_trivial = 1;
        } else if ((allowed & OPT_OUTPUT) &&
                   (strncmp(arg, "-o", 2) == 0 || (len == 8 && strncmp(arg, "--output", 8) == 0))) {
            if ((a->output = option_value(argc, argv, &i, 8)) == NULL)
                return dl_cli_usage_error(a, err, "%s needs a file", arg);
        } else if ((allowed & OPT_RANGE) && len == 6 && strncmp(arg, "--from", 6) == 0) {
            if ((a->from = option_value(argc, argv, &i, 6)) == NULL)
                return dl_cli_usage_error(a, err, "%s needs a version", arg);
        } else if ((allowed & OPT_RANGE) && len == 4 && strncmp(arg, "--to", 4) == 0) {
            if ((a->to = option_value(argc, argv, &i, 4)) == NULL)
                return dl_cli_usage_error(a, err, "%s needs a version", arg);
        } else if ((allowed & OPT_FORCE) && strcmp(arg, "--force") == 0) {
            a->force = 1;
        } else if ((allowed & OPT_EXACT) && strcmp(arg, "--exact") == 0) {
            a->exact = 1;
        } else if ((allowed & OPT_ALL) && strcmp(arg, "--all") == 0) {
            a->all = 1;
        } else if ((allowed & OPT_SINCE) && len == 7 && strncmp(arg, "--since", 7) == 0) {
            if ((a->since = option_value(argc, argv, &i, 7)) == NULL)
                return dl_cli_usage_error(a, err, "%s needs a time (1.day, 2024-05-01, ...)", arg);
        } else if ((allowed & OPT_COLOR) && len == 7 && strncmp(arg, "--color", 7) == 0) {
            const char *when = arg[7] == '=' ? arg + 8 : "always";
            if (strcmp(when, "auto") == 0)
                a->color = DL_CLI_COLOR_AUTO;
            else if (strcmp(when, "always") == 0)
                a->color = DL_CLI_COLOR_ALWAYS;
            else if (strcmp(when, "never") == 0)
                a->color = DL_CLI_COLOR_NEVER;
            else
                return dl_cli_usage_error(a, err, "--color takes auto, always or never, not '%s'",
                                          when);
        } else if ((allowed & OPT_NOTE) &&
                   (strncmp(arg, "-m", 2) == 0 ||
                    (len == 9 && strncmp(arg, "--message", 9) == 0))) {
            if ((a->note = option_value(argc, argv, &i, 9)) == NULL)
                return dl_cli_usage_error(a, err, "%s needs a note", arg);
        } else if ((allowed & OPT_STORE) && len == 7 && strncmp(arg, "--store", 7) == 0) {
            if ((a->store = option_value(argc, argv, &i, 7)) == NULL)
                return dl_cli_usage_error(a, err, "%s needs a directory", arg);
        } else if ((allowed & OPT_COUNT) &&
                   (strncmp(arg, "-n", 2) == 0 ||
                    (len == 11 && strncmp(arg, "--max-count", 11) == 0))) {
            const char *value = option_value(argc, argv, &i, 11);
            char *end = NULL;
            long n = value ? strtol(value, &end, 10) : -1;
            if (value == NULL || *end != '\0' || n <= 0 || value[0] == '\0')
                return dl_cli_usage_error(a, err, "-n needs a positive number, not '%s'",
                                   value ? value : "");
            a->count = (size_t)n;
        } else {
            return dl_cli_usage_error(a, err, "unknown option '%s'", arg);
        }
    }
    return DL_EXIT_OK;
}

int dl_cli_print_help(const dl_cli_args *a, FILE *out, const char *text)
{
    fprintf(out, "usage: %s %s\n\n%s", DL_NAME, a->usage, text);
    return DL_EXIT_OK;
}

/* One message, "dateline: <what went wrong>", and the exit status. */
int dl_cli_fail(FILE *err)
{
    const char *message = dl_error_last();
    /* Messages name files, revisions and remotes: escaped like output. */
    fprintf(err, "%s: ", DL_NAME);
    dl_cli_put_text(err, message[0] ? message : "unknown error");
    fputc('\n', err);
    return dl_error_last_code() == DL_EUSAGE ? DL_EXIT_USAGE : DL_EXIT_ERROR;
}

int dl_cli_use_color(const dl_cli_args *a, FILE *out)
{
    if (a->color != DL_CLI_COLOR_AUTO)
        return a->color == DL_CLI_COLOR_ALWAYS;
    const char *no_color = getenv("NO_COLOR");
    return !(no_color && no_color[0]) && isatty(fileno(out));
}

int dl_cli_batch_fail(FILE *err, const char *file, json_t *array)
{
    const char *message = dl_error_last();
    message = message[0] ? message : "unknown error";
    fprintf(err, "%s: ", DL_NAME);
    dl_cli_put_text(err, file);
    fputs(": ", err);
    dl_cli_put_text(err, message);
    fputc('\n', err);
    if (array != NULL)
        json_array_append_new(array, json_pack("{s:i, s:s, s:s}", "schema", DL_JSON_SCHEMA,
                                               "file", file, "error", message));
    return dl_error_last_code() == DL_EUSAGE ? DL_EXIT_USAGE : DL_EXIT_ERROR;
}

int dl_cli_worse(int a, int b)
{
    static const int order[] = {DL_EXIT_OK, DL_EXIT_PARTIAL, DL_EXIT_ERROR, DL_EXIT_USAGE};
    size_t ra = 0, rb = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        ra = order[i] == a ? i : ra;
        rb = order[i] == b ? i : rb;
    }
    return ra >= rb ? a : b;
}

/* ---------------------------------------------------------------- JSON -- */

void dl_cli_put_text(FILE *out, const char *text)
{
    dl_text_put(out, text, strlen(text), DL_TEXT_ONE_LINE);
}

int dl_cli_json_print(json_t *doc, FILE *out)
{
    /* One string, one write: json_dumpf writes each token through stdio,
     * which was a third of `log --json`'s time on 2,000 versions. */
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    int status = text != NULL && fputs(text, out) >= 0 && fputc('\n', out) != EOF;
    free(text);
    json_decref(doc);
    return status ? DL_EXIT_OK : DL_EXIT_ERROR;
}

void dl_cli_put_file_heading(FILE *out, const char *file, const char *remark)
{
    fputs("==> ", out);
    dl_cli_put_text(out, file);
    if (remark != NULL) {
        fputc(' ', out);
        dl_cli_put_text(out, remark);
    }
    fputs(" <==\n", out);
}
