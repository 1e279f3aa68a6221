/*
 * Every input the fuzzer ever found crashing or hanging the parser, and the
 * fuzzer's hand-written seeds, must parse cleanly and re-parse after an edit.
 * The same routine as the libFuzzer target runs here, under ASan and UBSan.
 * The seeds must be there, or the replay proves nothing; the crashers folder
 * must be there (./build.sh fuzz writes into it) and may be empty.
 */
#include "../support/dl_test.h"
#include "../support/fuzz_replay.h"

/* The fuzz target itself, so the replay runs exactly what the fuzzer ran. */
#include "../fuzz/parser_fuzzer.c"

TestSuite(fuzz_replay);

Test(fuzz_replay, seeds_parse_and_reparse_cleanly)
{
    /* ge(.., 1), not gt(.., 0): Criterion 2.4.1's gt() tests >= in C. */
    cr_assert(ge(int, dl_test_replay_directory(DL_SOURCE_DIR "/tests/fuzz/parser/seeds"), 1),
              "the seed directory must not be empty");
}

Test(fuzz_replay, saved_crashers_parse_and_reparse_cleanly)
{
    dl_test_replay_directory(DL_SOURCE_DIR "/tests/fuzz/parser/crashers");
}
