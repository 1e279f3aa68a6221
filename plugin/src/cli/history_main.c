/*
 * dateline-history: every command but the web server, in process. It is
 * what `dateline` runs for the commands that read or write history (the
 * language server's too: it records a version on every save), so that
 * libgit2 is loaded only by them (cli_commands.h).
 */
#include <stdio.h>

#include "dateline/cli.h"

int main(int argc, char **argv)
{
    return dl_cli_run(argc, argv, stdout, stderr);
}
