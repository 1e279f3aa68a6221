/*
 * dateline — every command in one process (cli.h's dl_cli_run): the
 * program dateline-history, and the test suites' CLI. Only the web server
 * is left to its own program, dateline-serve, whose libraries no other
 * command needs.
 */
#include "dateline/cli.h"

#include "cli_article.h"
#include "cli_commands.h"
#include "cli_detect.h"
#include "cli_diff.h"
#include "cli_history.h"
#include "cli_lsp.h"
#include "cli_report.h"

#define ROW(program, name, function, summary) ROW_##program(name, function)
#define ROW_dateline DL_CLI_KEEP
#define ROW_history DL_CLI_KEEP
#define ROW_serve DL_CLI_DROP
static const dl_cli_handler handlers[] = {DL_CLI_COMMANDS(ROW)};

int dl_cli_run(int argc, char **argv, FILE *out, FILE *err)
{
    return dl_cli_dispatch(handlers, sizeof(handlers) / sizeof(handlers[0]), argc, argv, out,
                           err);
}
