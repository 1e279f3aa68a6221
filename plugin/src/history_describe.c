/*
 * dateline — what a version changed, as logs show it.
 *
 * This file is the seam between history and the article model: the
 * structural diff replaces the body of dl_history_describe (paragraph-level
 * word changes, "edited quote from X", ...) and fills `summary`. Until then
 * a change is described by word counts alone.
 */
#include <stdint.h>
#include <stdlib.h>

#include "dateline/error.h"
#include "dateline/history.h"

/* Length of the space character at `s` (ASCII or one of Unicode's Zs and
 * line/paragraph separators), or 0 if it is not one. */
static size_t space_length(const unsigned char *s, size_t n)
{
    if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
        return 1;
    if (n >= 2 && s[0] == 0xc2 && (s[1] == 0xa0 || s[1] == 0x85))
        return 2; /* NO-BREAK SPACE, NEXT LINE */
    if (n >= 3 && s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
        return 3; /* OGHAM SPACE MARK */
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
        return 3; /* EN QUAD .. HAIR SPACE, LINE/PARAGRAPH SEPARATOR, NNBSP */
    if (n >= 3 && s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
        return 3; /* MEDIUM MATHEMATICAL SPACE */
    if (n >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
        return 3; /* IDEOGRAPHIC SPACE */
    return 0;
}

size_t dl_history_word_count(const char *text, size_t size)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t words = 0, i = 0;
    int in_word = 0;
    while (i < size) {
        size_t space = space_length(s + i, size - i);
        if (space > 0) {
            in_word = 0;
            i += space;
            continue;
        }
        if (!in_word)
            words++;
        in_word = 1;
        i++;
    }
    return words;
}

int dl_history_describe(dl_history_change *out, const char *old, size_t old_size,
                        const char *new_content, size_t new_size)
{
    size_t words = dl_history_word_count(new_content, new_size);
    size_t before = old ? dl_history_word_count(old, old_size) : 0;
    out->words = words;
    out->words_delta = (long long)words - (long long)before;
    out->summary = NULL; /* filled by the structural diff, when it exists */
    return 0;
}

void dl_history_change_dispose(dl_history_change *change)
{
    if (change == NULL)
        return;
    free(change->summary);
    change->summary = NULL;
}
