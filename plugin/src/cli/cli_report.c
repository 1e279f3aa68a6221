/*
 * dateline — `dateline report FILE [-o OUT.html] [--from REV] [--to REV]`.
 */
#include "cli_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../web/web.h"
#include "cli_common.h"
#include "dateline/cli.h"
#include "dateline/error.h"
#include "dateline_version.h"

/* Write the page to `path` through a temporary file renamed over it, so
 * that a report being rewritten is never seen half written. */
static int write_file(const char *path, const char *html, size_t size)
{
    size_t length = strlen(path);
    char *temporary = malloc(length + 16);
    if (temporary == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    snprintf(temporary, length + 16, "%s.tmp%ld", path, (long)getpid());
    FILE *file = fopen(temporary, "wb");
    int error = 0;
    if (file == NULL)
        error = dl_error_set(DL_ERROR, "cannot write %s: %s", path, strerror(errno));
    else if (fwrite(html, 1, size, file) != size || fclose(file) != 0) {
        error = dl_error_set(DL_ERROR, "cannot write %s: %s", path, strerror(errno));
        remove(temporary);
    } else if (rename(temporary, path) != 0) {
        error = dl_error_set(DL_ERROR, "cannot write %s: %s", path, strerror(errno));
        remove(temporary);
    }
    free(temporary);
    return error;
}

int dl_cli_report(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "report",
                     .usage = "report FILE [-o OUT.html] [--from REV] [--to REV] [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_OUTPUT | OPT_RANGE | OPT_STORE, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(
            &a, out,
            "Write FILE's history as one self-contained HTML page (styles, script\n"
            "and data inline; it opens from a file or an e-mail attachment and makes\n"
            "no network request): every version on a timeline with its words,\n"
            "summary and note, sessions and trivial versions marked; the article\n"
            "with each paragraph's blame; and a compare view of versions.\n\n"
            "  -o, --output OUT   write the page to OUT ('-': standard output);\n"
            "                     without it the page goes to standard output,\n"
            "                     which must not be a terminal\n"
            "  --from REV         the oldest version shown (default: the first)\n"
            "  --to REV           the newest version shown (default: @, the latest)\n"
            "  --store DIR        use this history repository\n");
    if (a.nargs != 1)
        return dl_cli_usage_error(&a, err, "%s", a.nargs ? "takes one FILE" : "needs a FILE");
    int to_stdout = a.output == NULL || strcmp(a.output, "-") == 0;
    if (a.output == NULL && isatty(fileno(out)))
        return dl_cli_usage_error(&a, err, "%s",
                                  "will not print a web page on a terminal; write it with "
                                  "-o FILE.html (or redirect standard output)");

    dl_cli_article o;
    dl_web_report_options options = DL_WEB_REPORT_OPTIONS_INIT;
    options.from = a.from;
    options.to = a.to;
    char *html = NULL;
    size_t size = 0;
    int error = dl_cli_open_article(&o, &a, a.args[0]);
    if (error == 0)
        error = dl_web_report_render(&html, &size, o.history, &options);
    if (error == 0 && !to_stdout)
        error = write_file(a.output, html, size);
    if (error < 0)
        status = dl_cli_fail(err);
    else if (to_stdout && fwrite(html, 1, size, out) != size)
        status = DL_EXIT_ERROR;
    free(html);
    dl_cli_close_article(&o);
    return status;
}
