/*
 * dateline — `dateline lsp`: serve the Language Server Protocol on stdin
 * and stdout until the client sends `exit` or goes away.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "cli_lsp.h"
#include "dateline/cli.h"
#include "dateline/lsp.h"

int dl_cli_lsp(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "lsp", .usage = "lsp [--stdio]"};
    /* --stdio is what many clients pass by habit; stdio is the only
     * transport, so it is accepted and changes nothing. */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--stdio") == 0)
            argv[i] = "--";
    int status = dl_cli_parse_args(&a, argc, argv, 0, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(&a, out,
                                 "Run the language server over stdin/stdout (JSON-RPC with\n"
                                 "Content-Length framing, LSP 3.17): symbols, diagnostics,\n"
                                 "hover with blame, history commands, and a version recorded on\n"
                                 "every save. Editors start it once per session; see\n"
                                 "docs/editors.md.\n");
    if (a.nargs > 0)
        return dl_cli_usage_error(&a, err, "takes no arguments ('%s')", a.args[0]);
    fflush(out);
    dl_lsp_options options = DL_LSP_OPTIONS_INIT;
    return dl_lsp_run(STDIN_FILENO, STDOUT_FILENO, &options);
}
