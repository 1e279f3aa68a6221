/*
 * Every input the language server fuzzer found crashing it, and its
 * hand-written seeds, must run cleanly: the same routine as the libFuzzer
 * target (tests/fuzz/lsp_fuzzer.c), here under ASan and UBSan.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../support/dl_test.h"
#include "../support/fuzz_replay.h"

/* The fuzz target itself, so the replay runs exactly what the fuzzer ran. */
#include "../fuzz/lsp_fuzzer.c"

TestSuite(lsp_fuzz_replay);

Test(lsp_fuzz_replay, seeds_run_cleanly)
{
    /* ge(.., 1), not gt(.., 0): Criterion 2.4.1's gt() tests >= in C. */
    cr_assert(ge(int, dl_test_replay_directory(DL_SOURCE_DIR "/tests/fuzz/lsp/seeds"), 1),
              "the seed directory must not be empty");
}

Test(lsp_fuzz_replay, saved_crashers_run_cleanly)
{
    dl_test_replay_directory(DL_SOURCE_DIR "/tests/fuzz/lsp/crashers");
}
