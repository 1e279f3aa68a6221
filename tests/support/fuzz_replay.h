/* Replaying fuzzer inputs inside a Criterion suite. */
#ifndef DL_FUZZ_REPLAY_H
#define DL_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* The fuzz target, which the suite includes from tests/fuzz/<target>_fuzzer.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the fuzz target on every regular file in `dir` (a missing directory
 * has none); returns how many there were. */
int dl_test_replay_directory(const char *dir);

#endif
