/* The word diff: Myers over word tokens, rendered back exactly. */
#include <stdlib.h>
#include <string.h>

#include "../../plugin/src/core/diff_internal.h"
#include "support.h"

TestSuite(diff_words);

static void assert_round_trip(const char *old_text, const char *new_text)
{
    dl_diff_words words = {0};
    dl_assert_ok(dl_diff_words_compute(&words, old_text, strlen(old_text), new_text,
                                       strlen(new_text)));
    char *rebuilt = words_new_text(&words);
    cr_assert(eq(str, rebuilt, (char *)new_text));
    free(rebuilt);
    dl_diff_words_dispose(&words);
}

Test(diff_words, applying_the_ops_reproduces_the_new_text)
{
    assert_round_trip("The council approved the budget.", "The council rejected the budget.");
    assert_round_trip("", "Something from nothing.");
    assert_round_trip("Everything goes.", "");
    assert_round_trip("“Quoted,” she said — twice.", "“Quoted again,” he said – once.");
    assert_round_trip("Line one\r\nline two", "Line one\nline  two and more");
}

Test(diff_words, delete_and_equal_ops_reproduce_the_old_text_when_spacing_is_kept)
{
    const char *old_text = "The city council approved a budget of $2.1 billion on Tuesday.";
    const char *new_text = "The council approved its budget of $2.4 billion late on Tuesday.";
    dl_diff_words words = {0};
    dl_assert_ok(dl_diff_words_compute(&words, old_text, strlen(old_text), new_text,
                                       strlen(new_text)));
    char *rebuilt = words_old_text(&words);
    cr_assert(eq(str, rebuilt, (char *)old_text));
    free(rebuilt);
    dl_diff_words_dispose(&words);
}

Test(diff_words, numbers_and_contractions_change_as_whole_words)
{
    const char *old_text = "It won’t cost $2.1 billion.";
    const char *new_text = "It won’t cost $2.4 billion.";
    dl_diff_words words = {0};
    dl_assert_ok(dl_diff_words_compute(&words, old_text, strlen(old_text), new_text,
                                       strlen(new_text)));
    cr_assert(eq(sz, words.count, 4));
    cr_assert(eq(str, words.ops[1].text, "2.1"));
    cr_assert(eq(int, words.ops[1].op, DL_DIFF_DELETE));
    cr_assert(eq(str, words.ops[2].text, "2.4"));
    cr_assert(eq(int, words.ops[2].op, DL_DIFF_INSERT));
    dl_diff_words_dispose(&words);
}

Test(diff_words, neighbouring_changed_words_read_as_one_replacement)
{
    const char *old_text = "the old tired words stay";
    const char *new_text = "the new fresh words stay";
    dl_diff_words words = {0};
    dl_assert_ok(dl_diff_words_compute(&words, old_text, strlen(old_text), new_text,
                                       strlen(new_text)));
    cr_assert(eq(sz, words.count, 4));
    cr_assert(eq(str, words.ops[1].text, "old tired"));
    cr_assert(eq(str, words.ops[2].text, "new fresh"));
    dl_diff_words_dispose(&words);
}

Test(diff_words, whitespace_differences_are_equal)
{
    const char *old_text = "one  two\r\nthree";
    const char *new_text = "one two three";
    dl_diff_words words = {0};
    dl_assert_ok(dl_diff_words_compute(&words, old_text, strlen(old_text), new_text,
                                       strlen(new_text)));
    cr_assert(eq(sz, words.count, 1));
    cr_assert(eq(int, words.ops[0].op, DL_DIFF_EQUAL));
    dl_diff_words_dispose(&words);
}

/* Length of a longest common subsequence, the slow and obvious way. */
static size_t lcs_length(const uint32_t *a, size_t n, const uint32_t *b, size_t m)
{
    size_t *row = calloc((m + 1) * (n + 1), sizeof(*row));
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++)
            row[i * (m + 1) + j] = a[i - 1] == b[j - 1]
                                       ? row[(i - 1) * (m + 1) + j - 1] + 1
                                       : (row[(i - 1) * (m + 1) + j] > row[i * (m + 1) + j - 1]
                                              ? row[(i - 1) * (m + 1) + j]
                                              : row[i * (m + 1) + j - 1]);
    size_t length = row[n * (m + 1) + m];
    free(row);
    return length;
}

Test(diff_words, myers_keeps_a_longest_common_subsequence)
{
    srand(42);
    for (int round = 0; round < 300; round++) {
        size_t n = (size_t)(rand() % 40), m = (size_t)(rand() % 40);
        uint32_t a[40], b[40];
        uint32_t alphabet = 1 + (uint32_t)(rand() % 6);
        for (size_t i = 0; i < n; i++)
            a[i] = (uint32_t)rand() % alphabet;
        for (size_t j = 0; j < m; j++)
            b[j] = (uint32_t)rand() % alphabet;
        uint8_t deleted[41] = {0}, inserted[41] = {0};
        dl_assert_ok(dl_diff__myers_diff(deleted, inserted, a, n, b, m, NULL));
        /* The kept elements pair up in order and are equal... */
        size_t i = 0, j = 0, kept = 0;
        while (i < n || j < m) {
            if (i < n && deleted[i]) {
                i++;
            } else if (j < m && inserted[j]) {
                j++;
            } else {
                cr_assert(i < n && j < m, "round %d: unpaired element", round);
                cr_assert(eq(u32, a[i], b[j]), "round %d: kept elements differ", round);
                i++, j++, kept++;
            }
        }
        /* ...and there are as many as there can be. */
        cr_assert(eq(sz, kept, lcs_length(a, n, b, m)), "round %d", round);
    }
}
