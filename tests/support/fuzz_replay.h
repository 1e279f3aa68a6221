/* Replaying fuzzer inputs inside a Criterion suite. */
#ifndef DL_FUZZ_REPLAY_H
#define DL_FUZZ_REPLAY_H

#include <stddef.h>
#include <stdint.h>

/* The fuzz target, which the suite includes from tests/fuzz/<target>_fuzzer.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Runs the fuzz target on every file in `dir` (names starting with a dot,
 * such as .gitkeep, are not inputs) and returns how many there were. A
 * missing or unreadable folder, or an entry that is not a regular file,
 * fails the test: a replay that finds nothing must not pass.
 */
int dl_test_replay_directory(const char *dir);

#endif
