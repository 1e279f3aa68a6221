/*
 * dateline — `detect FILE...`: which files are articles, by the core's rules
 * (detect.h), for editors other than Neovim and for scripts.
 */
#include "cli_detect.h"

#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "dateline/cli.h"
#include "dateline/detect.h"
#include "dateline/error.h"

#define USAGE "detect FILE... [--dir DIR]... [--json]"

static int print_help(FILE *out)
{
    fputs("usage: dateline " USAGE "\n\n"
          "Print which FILEs are articles, one line each: \"article\" or \"text\",\n"
          "a tab, the file name. Exits 0 when every FILE was read, whatever the\n"
          "answers; 1 when one could not be read.\n\n"
          "  --dir DIR  files under DIR are articles without being read\n"
          "  --json     an array of {file, article, reason, why} (see docs/cli.md)\n",
          out);
    return DL_EXIT_OK;
}

static int usage_error(FILE *err, const char *what)
{
    fprintf(err, "dateline: detect: %s\nusage: dateline " USAGE "\n", what);
    return DL_EXIT_USAGE;
}

int dl_cli_detect(int argc, char **argv, FILE *out, FILE *err)
{
    int json = 0, status = DL_EXIT_OK;
    /* Positionals and --dir values point into argv; at most argc of each. */
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    size_t nfiles = 0, ndirs = 0;
    json_t *array = NULL;
    if (!files || !dirs) {
        dl_error_set(DL_ERROR, "out of memory");
        status = dl_cli_fail(err);
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            status = print_help(out);
            goto done;
        } else if (strcmp(argv[i], "--dir") == 0) {
            if (++i == argc) {
                status = usage_error(err, "--dir needs a DIR");
                goto done;
            }
            dirs[ndirs++] = argv[i];
        } else if (strncmp(argv[i], "--dir=", 6) == 0) {
            dirs[ndirs++] = argv[i] + 6;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0' && strcmp(argv[i], "--") != 0) {
            status = usage_error(err, "unknown option");
            goto done;
        } else if (strcmp(argv[i], "--") != 0) {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        status = usage_error(err, "needs a FILE");
        goto done;
    }

    dl_detect_options options = DL_DETECT_OPTIONS_INIT;
    options.dirs = dirs;
    options.dir_count = ndirs;
    if (json && !(array = json_array())) {
        dl_error_set(DL_ERROR, "out of memory");
        status = dl_cli_fail(err);
        goto done;
    }
    for (size_t i = 0; i < nfiles; i++) {
        dl_detect_result result;
        if (dl_detect_file(&result, files[i], &options) < 0) {
            /* One unreadable file does not hide the answers for the rest. */
            dl_cli_fail(err);
            status = DL_EXIT_ERROR;
            continue;
        }
        if (json) {
            json_t *item = json_pack("{s:s, s:b, s:s, s:s}", "file", files[i], "article",
                                     result.article, "reason",
                                     dl_detect_reason_name(result.reason), "why",
                                     dl_detect_reason_text(result.reason));
            if (!item || json_array_append_new(array, item) < 0) {
                dl_error_set(DL_ERROR, "out of memory");
                status = dl_cli_fail(err);
                goto done;
            }
        } else {
            fputs(result.article ? "article\t" : "text\t", out);
            dl_cli_put_text(out, files[i]);
            fputc('\n', out);
        }
    }
    if (json) {
        int printed = dl_cli_json_print(array, out);
        array = NULL; /* released by dl_cli_json_print */
        if (status == DL_EXIT_OK)
            status = printed;
    }

done:
    json_decref(array);
    free(files);
    free(dirs);
    return status;
}
