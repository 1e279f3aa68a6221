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

Test(text_put, escape_sequences_bell_and_delete_show_as_visible_escapes)
{
    assert_put("Head\033[31mline\a\x7f", DL_TEXT_ONE_LINE, "Head\\033[31mline\\a\\177");
    /* OSC 52 would set the reader's clipboard. */
    assert_put("note \033]52;c;aGk=\a end", DL_TEXT_ONE_LINE, "note \\033]52;c;aGk=\\a end");
    assert_put("\b\v\f\x01\x1f", DL_TEXT_LINES, "\\b\\v\\f\\001\\037");
}

Test(text_put, c1_controls_show_as_their_bytes_in_octal)
{
    /* U+009B is a CSI on its own on many terminals; U+0085 is NEXT LINE. */
    assert_put("a\xc2\x9b" "31mb\xc2\x85" "c", DL_TEXT_ONE_LINE, "a\\302\\23331mb\\302\\205c");
}

Test(text_put, bytes_that_are_not_utf8_show_in_octal)
{
    /* A lone 0x9b is a CSI to a terminal reading Latin-1; a truncated
     * sequence, an overlong form and a surrogate are not text either. */
    assert_put("a\x9b" "31m \xff\xe2\x80 \xc0\xaf \xed\xa0\x80", DL_TEXT_ONE_LINE,
               "a\\23331m \\377\\342\\200 \\300\\257 \\355\\240\\200");
    assert_put("end \xe2\x80", DL_TEXT_LINES, "end \\342\\200");
}

Test(text_put, a_backslash_is_written_as_it_is)
{
    assert_put("C:\\news\\033 \\n", DL_TEXT_ONE_LINE, "C:\\news\\033 \\n");
}

Test(text_put, escape_returns_what_put_writes)
{
    char *escaped = dl_text_escape("saved\r\n\033]52;c;aGk=\a", 19, DL_TEXT_ONE_LINE);
    cr_assert(eq(str, escaped, "saved \\033]52;c;aGk=\\a"));
    free(escaped);
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
