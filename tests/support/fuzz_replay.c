#include "fuzz_replay.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "dl_test.h"

int dl_test_replay_directory(const char *dir)
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
        cr_assert(data != NULL);
        cr_assert(eq(sz, fread(data, 1, (size_t)length, file), (size_t)length));
        fclose(file);
        LLVMFuzzerTestOneInput(data, (size_t)length);
        free(data);
        replayed++;
    }
    closedir(listing);
    return replayed;
}
