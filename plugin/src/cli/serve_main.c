/*
 * dateline-serve: `dateline serve`, as its own program. `dateline` runs it
 * from its own folder (cli.c), so that the web server's libraries load only
 * here and not for every command.
 */
#include <stdio.h>

#include "cli_serve.h"

int main(int argc, char **argv)
{
    return dl_cli_serve(argc, argv, stdout, stderr);
}
