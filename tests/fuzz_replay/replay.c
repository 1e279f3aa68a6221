/*
 * Every input the fuzzer ever found crashing or hanging the parser, and the
 * fuzzer's hand-written seeds, must parse cleanly and re-parse after an edit.
 * The same routine as the libFuzzer target runs here, under ASan and UBSan.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"

/* The fuzz target itself, so the replay runs exactly what the fuzzer ran. */
#include "../fuzz/parser_fuzzer.c"

static char *read_whole_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    cr_assert(file != NULL, "cannot open %s", path);
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc((size_t)length + 1);
    cr_assert(data != NULL);
    cr_assert(eq(sz, fread(data, 1, (size_t)length, file), (size_t)length));
    fclose(file);
    *size = (size_t)length;
    return data;
}

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
        size_t size;
        char *data = read_whole_file(path, &size);
        LLVMFuzzerTestOneInput((const uint8_t *)data, size);
        free(data);
        replayed++;
    }
    closedir(listing);
    return replayed;
}

TestSuite(fuzz_replay);

Test(fuzz_replay, seeds_parse_and_reparse_cleanly)
{
    cr_assert(gt(int, replay_directory(DL_SOURCE_DIR "/tests/fuzz/parser/seeds"), 0),
              "the seed directory must not be empty");
}

Test(fuzz_replay, saved_crashers_parse_and_reparse_cleanly)
{
    replay_directory(DL_SOURCE_DIR "/tests/fuzz/parser/crashers");
}
