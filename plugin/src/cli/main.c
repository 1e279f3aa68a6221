/*
 * dateline: the article commands, run here without libgit2, which costs
 * every program linking it two milliseconds of loading before main; the
 * other commands are run by dateline-history and dateline-serve, beside
 * this program (cli_commands.h).
 */
#include <stdio.h>

#include "cli_article.h"
#include "cli_commands.h"
#include "cli_detect.h"

#define ROW(program, name, function, summary) ROW_##program(name, function)
#define ROW_dateline DL_CLI_KEEP
#define ROW_history DL_CLI_DROP
#define ROW_serve DL_CLI_DROP
static const dl_cli_handler handlers[] = {DL_CLI_COMMANDS(ROW)};

int main(int argc, char **argv)
{
    return dl_cli_dispatch(handlers, sizeof(handlers) / sizeof(handlers[0]), argc, argv, stdout,
                           stderr);
}
