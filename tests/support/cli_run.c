#include "cli_run.h"

#include <stdio.h>
#include <stdlib.h>

#include "dateline/cli.h"

dl_test_cli_result dl_test_cli_run(char **argv)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    dl_test_cli_result r = {0};
    size_t out_size = 0, err_size = 0;
    FILE *out = open_memstream(&r.out, &out_size);
    FILE *err = open_memstream(&r.err, &err_size);
    r.status = dl_cli_run(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

void dl_test_cli_result_free(dl_test_cli_result *r)
{
    free(r->out);
    free(r->err);
}
