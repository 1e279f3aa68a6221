#include "fuzz_replay.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dl_test.h"

/* Reads and replays one input; the caller has checked it is a regular file. */
static void replay_file(const char *path, off_t size)
{
    FILE *file = fopen(path, "rb");
    cr_assert(file != NULL, "cannot open %s: %s", path, strerror(errno));
    /* One spare byte, so an empty input is still a valid allocation. */
    uint8_t *data = malloc((size_t)size + 1);
    cr_assert(data != NULL);
    cr_assert(eq(sz, fread(data, 1, (size_t)size, file), (size_t)size), "cannot read %s", path);
    fclose(file);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
}

int dl_test_replay_directory(const char *dir)
{
    DIR *listing = opendir(dir);
    cr_assert(listing != NULL, "cannot open the corpus folder %s: %s", dir, strerror(errno));
    int replayed = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[4096];
        cr_assert(lt(int, snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name),
                     (int)sizeof(path)));
        struct stat info;
        cr_assert(eq(int, stat(path, &info), 0), "cannot stat %s: %s", path, strerror(errno));
        int regular = S_ISREG(info.st_mode);
        cr_assert(regular, "%s is not a regular file: corpus inputs are files", path);
        replay_file(path, info.st_size);
        replayed++;
    }
    closedir(listing);
    return replayed;
}
