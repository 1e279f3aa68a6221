/* dl_text_dup_utf8: bytes that git allows in names and notes, made text. */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/text.h"

TestSuite(text_utf8);

Test(text_utf8, valid_text_is_copied_as_it_is)
{
    const char *in = "Ren\xc3\xa9" "e \xe2\x80\x9cq\xe2\x80\x9d \xf0\x9f\x93\xb0";
    char *out = dl_text_dup_utf8(in, strlen(in));
    cr_assert(eq(str, out, (char *)in));
    free(out);
}

Test(text_utf8, each_byte_that_is_not_utf8_becomes_one_replacement_character)
{
    /* Latin-1, a lone continuation byte, a cut sequence, an overlong '/',
     * a surrogate. */
    const char *in = "caf\xe9|\x80|\xe2\x80|\xc0\xaf|\xed\xa0\x80";
    char *out = dl_text_dup_utf8(in, strlen(in));
    cr_assert(eq(str, out,
                 "caf\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
                 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
    cr_assert(eq(int, dl_text_check(out, strlen(out), "the copy"), 0));
    free(out);
}
