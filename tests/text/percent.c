/* Percent-decoding, shared by file URIs, ref names and web addresses. */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/text.h"

TestSuite(text_percent);

Test(text_percent, escapes_decode_in_either_case_and_the_rest_is_kept)
{
    char *out = NULL;
    const char *in = "news/%E2%80%9Cq%e2%80%9d%2Fa b.txt";
    dl_assert_ok(dl_text_percent_decode(&out, in, strlen(in)));
    cr_assert(eq(str, out, "news/\xe2\x80\x9cq\xe2\x80\x9d/a b.txt"));
    free(out);
}

Test(text_percent, only_the_bytes_given_are_read)
{
    char *out = NULL;
    dl_assert_ok(dl_text_percent_decode(&out, "a%20b?query", 5));
    cr_assert(eq(str, out, "a b"));
    free(out);
}

Test(text_percent, a_malformed_or_nul_escape_is_refused)
{
    const char *bad[] = {"a%", "a%2", "a%zz", "a%2g", "a%00b", "%%41"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *out = NULL;
        cr_assert(eq(int, dl_text_percent_decode(&out, bad[i], strlen(bad[i])), DL_EINVALID),
                  "%s", bad[i]);
        cr_assert(eq(ptr, out, NULL));
    }
    /* An escape cut off by the length given is malformed too. */
    char *out = NULL;
    cr_assert(eq(int, dl_text_percent_decode(&out, "a%41", 3), DL_EINVALID));
}
