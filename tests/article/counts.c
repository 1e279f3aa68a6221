/*
 * The word and sentence rules of docs/format.md ("Words and sentences"),
 * one case each, and the numbers the outline and status line show from them.
 */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/article.h"
#include "dateline/text.h"

static uint32_t words(const char *text)
{
    return dl_article_count_words(text, strlen(text));
}

static uint32_t sentences(const char *text)
{
    return dl_article_count_sentences(text, strlen(text));
}

TestSuite(article_counts);

Test(article_counts, a_dash_or_a_lone_punctuation_mark_is_not_a_word)
{
    cr_assert(eq(u32, words("The mayor — who spoke — said yes."), 6));
    cr_assert(eq(u32, words("The mayor -- who spoke - said yes ."), 6));
    cr_assert(eq(u32, words("“ ” … • – ! ?"), 0));
}

Test(article_counts, urls_numbers_and_contractions_are_one_word_each)
{
    cr_assert(eq(u32, words("See https://x.example/a.b?c=1 at 3.5 per cent, don’t"), 7));
    cr_assert(eq(u32, words("$1.5 million, 24%, 1986/87"), 4));
}

Test(article_counts, a_full_stop_and_a_space_end_a_sentence)
{
    cr_assert(eq(u32, sentences("The harbor closed. Boats stayed in. Nobody left"), 3));
    cr_assert(eq(u32, sentences("Did it close? Yes! It did."), 3));
    cr_assert(eq(u32, sentences(""), 0));
    cr_assert(eq(u32, sentences(" — “ ”. "), 0));
}

Test(article_counts, a_no_break_space_before_a_space_ends_a_sentence_like_a_space)
{
    cr_assert(eq(u32, sentences("The harbor closed.\xc2\xa0 Boats stayed in."), 2));
    cr_assert(eq(u32, sentences("The harbor closed.\xc2\xa0" "Boats stayed in."), 2));
}

Test(article_counts, initials_and_abbreviations_do_not_end_a_sentence)
{
    cr_assert(eq(u32, sentences("President Donald J. Trump spoke. Then he left."), 2));
    cr_assert(eq(u32, sentences("Mr. Smith and Dr. Jones met Gov. Inslee at No. 10 Main Street. Then lunch."), 2));
    cr_assert(eq(u32, sentences("The U.S. Army left at 9 a.m. Monday."), 1));
    cr_assert(eq(u32, sentences("Acme Inc. Acme Corp. Both sued."), 1));
}

Test(article_counts, a_full_stop_inside_a_number_or_url_ends_nothing)
{
    cr_assert(eq(u32, sentences("Prices rose 3.5 per cent. Read x.example.com/a.b for more."), 2));
}

Test(article_counts, quote_marks_may_close_after_the_full_stop)
{
    cr_assert(eq(u32, sentences("He said, “It is over.” Then he left."), 2));
    cr_assert(eq(u32, sentences("She left (for good.) Nobody saw her."), 2));
    /* Attribution after a question: one sentence. */
    cr_assert(eq(u32, sentences("“Why now?” she asked. “Why not?” he said."), 2));
}

Test(article_counts, an_ellipsis_ends_a_sentence_only_before_a_capital)
{
    cr_assert(eq(u32, sentences("He paused … then went on."), 1));
    cr_assert(eq(u32, sentences("He paused... then went on."), 1));
    cr_assert(eq(u32, sentences("He paused … Nobody spoke."), 2));
    cr_assert(eq(u32, sentences("It went on and on…"), 1));
}

Test(article_counts, crlf_line_ends_count_like_lf)
{
    const char *lf = "Storm closes harbor\n\nLONDON — The harbor closed. Boats\nstayed in.\n";
    const char *crlf = "Storm closes harbor\r\n\r\nLONDON — The harbor closed. Boats\r\nstayed in.\r\n";
    dl_article *a = NULL, *b = NULL;
    dl_assert_ok(dl_article_parse(&a, lf, strlen(lf)));
    dl_assert_ok(dl_article_parse(&b, crlf, strlen(crlf)));
    cr_assert(eq(u32, a->stats.words, 10));
    cr_assert(eq(u32, a->stats.sentences, 3));
    cr_assert(eq(u32, b->stats.words, a->stats.words));
    cr_assert(eq(u32, b->stats.sentences, a->stats.sentences));
    dl_article_free(a);
    dl_article_free(b);
}

Test(article_counts, paragraphs_are_numbered_as_the_outline_shows_them)
{
    const char *text = "Storm closes harbor\n\nLONDON — The harbor closed.\n\n"
                       "What the court heard\n\nThe court heard a lot.\n\n- one\n- two\n\n"
                       "It ended late.\n";
    dl_article *a = NULL;
    dl_assert_ok(dl_article_parse(&a, text, strlen(text)));
    cr_assert(eq(sz, a->block_count, 5));
    uint32_t expected[] = {1, 0, 2, 0, 3};
    for (size_t i = 0; i < 5; i++)
        cr_assert(eq(u32, a->blocks[i].paragraph, expected[i]), "block %zu", i);
    cr_assert(eq(u32, a->stats.paragraphs, 3));
    cr_assert(eq(u32, a->blocks[0].sentences, 1));
    dl_article_free(a);
}

Test(article_counts, the_reference_article_has_331_words_and_16_sentences)
{
    size_t size;
    char *text = NULL;
    dl_assert_ok(dl_text_read_file(&text, &size, dl_test_shared("seeds/000_8262d85f5fa5c412.txt")));
    dl_article *a = NULL;
    dl_assert_ok(dl_article_parse(&a, text, size));
    cr_assert(eq(u32, a->stats.words, 331));
    /* The headline, then 3, 3, 1, 2, 1, 1 and 4: "Donald J. Trump" twice. */
    cr_assert(eq(u32, a->stats.sentences, 16));
    dl_article_free(a);
    free(text);
}

Test(article_counts, first_words_cut_long_words_at_a_character)
{
    char word[400];
    memset(word, 'a', sizeof(word));
    memcpy(word + 159, "é", 2); /* bytes 159-160: the cut at 160 must not split it */
    char *first = dl_article_first_words(word, sizeof(word), 8);
    cr_assert(eq(sz, strlen(first), 159 + strlen("…")));
    free(first);
    first = dl_article_first_words(" one\xc2\xa0two  three ", 19, 2);
    cr_assert(eq(str, first, "one two…"));
    free(first);
}
