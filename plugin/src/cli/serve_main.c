/*
 * dateline-serve: `dateline serve`, as its own program. `dateline` runs it
 * from its own folder with the same command line (cli_commands.h), so that
 * the web server's libraries load only here and not for every command.
 */
#include <stdio.h>

#include "cli_commands.h"
#include "cli_serve.h"

#define ROW(program, name, function, summary) ROW_##program(name, function)
#define ROW_dateline DL_CLI_DROP
#define ROW_history DL_CLI_DROP
#define ROW_serve DL_CLI_KEEP
static const dl_cli_handler handlers[] = {DL_CLI_COMMANDS(ROW)};

int main(int argc, char **argv)
{
    return dl_cli_dispatch(handlers, sizeof(handlers) / sizeof(handlers[0]), argc, argv, stdout,
                           stderr);
}
