/* dl_text_put: untrusted text on its way to a person's terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/text.h"

/* What dl_text_put writes for `text`, as a string the caller frees. */
static char *put(const char *text, dl_text_layout layout)
{
    char *written = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&written, &size);
    cr_assert(out != NULL);
    dl_text_put(out, text, strlen(text), layout);
    fclose(out);
    return written;
}

static void assert_put(const char *text, dl_text_layout layout, const char *expected)
{
    char *written = put(text, layout);
    cr_assert(eq(str, written, (char *)expected));
    free(written);
}

TestSuite(text_put);

Test(text_put, escape_sequences_bell_and_delete_cannot_reach_the_terminal)
{
    assert_put("Head\033[31mline\a\x7f", DL_TEXT_ONE_LINE, "Head?[31mline??");
    /* OSC 52 would set the reader's clipboard. */
    assert_put("note \033]52;c;aGk=\a end", DL_TEXT_ONE_LINE, "note ?]52;c;aGk=? end");
}

Test(text_put, c1_controls_are_neutralised_too)
{
    /* U+009B is a CSI on its own on many terminals; U+0085 is NEXT LINE. */
    assert_put("a\xc2\x9b" "31mb\xc2\x85" "c", DL_TEXT_ONE_LINE, "a?31mb?c");
}

Test(text_put, one_line_layout_turns_breaks_and_tabs_into_spaces)
{
    assert_put("first\r\nsecond\tthird\nfourth\rfifth", DL_TEXT_ONE_LINE,
               "first second third fourth fifth");
}

Test(text_put, lines_layout_keeps_breaks_and_reads_crlf_as_one)
{
    assert_put("first\r\nsecond\tthird\rfourth", DL_TEXT_LINES, "first\nsecond\tthird\nfourth");
}

Test(text_put, ordinary_text_is_written_as_it_is)
{
    const char *text = "“Quoted,” said Zoë\xc2\xa0Smith — 3½ “miles” €";
    assert_put(text, DL_TEXT_ONE_LINE, text);
    assert_put(text, DL_TEXT_LINES, text);
}
