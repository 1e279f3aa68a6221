/*
 * Every input the language server fuzzer found crashing it, and its
 * hand-written seeds, must run cleanly: the same routine as the libFuzzer
 * target (tests/fuzz/lsp_fuzzer.c), here under ASan and UBSan.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../support/dl_test.h"

/* The fuzz target itself, so the replay runs exactly what the fuzzer ran. */
#include "../fuzz/lsp_fuzzer.c"

/* Replays every regular file in `dir`; returns how many there were. */
static int replay_directory(const char *dir)
{
    DIR *listing = opendir(dir);
    if (!listing)
        return 0;
    int replayed = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
        FILE *file = fopen(path, "rb");
        cr_assert(file != NULL, "cannot open %s", path);
        fseek(file, 0, SEEK_END);
        long length = ftell(file);
        fseek(file, 0, SEEK_SET);
        uint8_t *data = malloc((size_t)length + 1);
        cr_assert(eq(sz, fread(data, 1, (size_t)length, file), (size_t)length));
        fclose(file);
        LLVMFuzzerTestOneInput(data, (size_t)length);
        free(data);
        replayed++;
    }
    closedir(listing);
    return replayed;
}

TestSuite(lsp_fuzz_replay);

Test(lsp_fuzz_replay, seeds_run_cleanly)
{
    cr_assert(gt(int, replay_directory(DL_SOURCE_DIR "/tests/fuzz/lsp/seeds"), 0),
              "the seed directory must not be empty");
}

Test(lsp_fuzz_replay, saved_crashers_run_cleanly)
{
    replay_directory(DL_SOURCE_DIR "/tests/fuzz/lsp/crashers");
}
