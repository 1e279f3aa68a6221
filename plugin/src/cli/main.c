#include <stdio.h>

#include "dateline/cli.h"

int main(int argc, char **argv)
{
    return dl_cli_run(argc, argv, stdout, stderr);
}
