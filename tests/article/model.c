/*
 * The article model as the outline, the diff and the editor rely on it: the
 * reference article, the hand-labelled corpus, and constructed cases for
 * speakers, continued quotations, blocks and annotations.
 */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/article.h"
#include "dateline/json.h"
#include "dateline/text.h"

#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_article(void);

#define SEED_PATH dl_test_shared("seeds/000_8262d85f5fa5c412.txt")
#define CORPUS_DIR dl_test_shared("corpus")

static dl_article *parse_text(const char *text)
{
    dl_article *article = NULL;
    dl_assert_ok(dl_article_parse(&article, text, strlen(text)));
    return article;
}

static dl_article *parse_file(const char *path)
{
    char *text = NULL;
    size_t size = 0;
    dl_assert_ok(dl_text_read_file(&text, &size, path));
    dl_article *article = NULL;
    dl_assert_ok(dl_article_parse(&article, text, size));
    free(text);
    return article;
}

/* A span's text as a string, for comparing: spans point into the model's
 * text and are not NUL-terminated. In a rotating buffer (4 slots). */
static char *span_str(const dl_span *span)
{
    static char buffers[4][4096];
    static int next;
    char *out = buffers[next++ % 4];
    size_t n = span->size < 4095 ? span->size : 4095;
    memcpy(out, span->text, n);
    out[n] = '\0';
    return out;
}

TestSuite(article_model, .timeout = 60);

Test(article_model, reference_article_has_its_headline_dateline_paragraphs_and_quotes)
{
    dl_article *a = parse_file(SEED_PATH);
    cr_assert(a->headline != NULL);
    cr_assert(eq(str, span_str(a->headline),
                 "Parler sues Amazon, claiming political take down motivated to help customer, "
                 "Twitter"));
    cr_assert(a->dateline != NULL);
    cr_assert(eq(str, span_str(a->dateline), "OLYMPIA, WA –"));
    cr_assert(eq(str, a->dateline_location, "OLYMPIA, WA"));
    cr_assert(eq(ptr, a->dateline_agency, NULL));
    cr_assert(eq(ptr, a->byline, NULL));
    cr_assert(eq(sz, a->block_count, 7));
    cr_assert(eq(u32, a->stats.paragraphs, 7));
    cr_assert(eq(sz, a->quotation_count, 5));
    cr_assert(eq(u32, a->stats.quotations, 5));
    /* “free speech” is a scare quote: nobody said it. */
    cr_assert(eq(str, a->quotations[0].text, "free speech"));
    cr_assert(eq(ptr, a->quotations[0].speaker, NULL));
    cr_assert(eq(sz, a->quotations[1].block, 3));
    cr_assert(eq(str, a->quotations[1].speaker, "the company"));
    /* The second quotation of ¶4 inherits the speaker of the first. */
    cr_assert(eq(str, a->quotations[2].speaker, "the company"));
    cr_assert(eq(ptr, a->quotations[3].speaker, NULL));
    cr_assert(eq(str, a->quotations[4].speaker, "the company"));
    dl_article_free(a);
}

Test(article_model, ranges_point_at_the_text_they_name)
{
    char *text = NULL;
    size_t size = 0;
    dl_assert_ok(dl_text_read_file(&text, &size, SEED_PATH));
    dl_article *a = NULL;
    dl_assert_ok(dl_article_parse(&a, text, size));
    const dl_range *r = &a->dateline->range;
    cr_assert(eq(int, strncmp(text + r->start_byte, "OLYMPIA, WA –", r->end_byte - r->start_byte), 0));
    cr_assert(eq(u32, r->start_line, 2));
    cr_assert(eq(u32, a->blocks[6].span.range.start_line, 14));
    for (size_t i = 0; i < a->quotation_count; i++) {
        const dl_range *q = &a->quotations[i].span.range;
        cr_assert(eq(int, memcmp(text + q->start_byte, "“", strlen("“")), 0));
    }
    dl_article_free(a);
    free(text);
}

/* ---------------------------------------------------------------- corpus */

typedef struct {
    char *fields[12];
} tsv_row;

static int split_tab(char *line, char **fields, int max)
{
    int count = 0;
    char *start = line;
    for (char *p = line;; p++) {
        if (*p == '\t' || *p == '\n' || *p == '\0') {
            int end = *p == '\0';
            *p = '\0';
            if (count < max)
                fields[count++] = start;
            if (end)
                break;
            start = p + 1;
        }
    }
    return count;
}

static const char *or_none(const dl_span *span)
{
    return span ? span_str(span) : "NONE";
}

/* The bar: headline, dateline, byline, block count and quotation
 * count right on at least 95% of the real articles, each. */
Test(article_model, corpus_articles_match_their_hand_labels)
{
    FILE *tsv = fopen(dl_test_shared("corpus/SOURCES.tsv"), "r");
    if (!tsv)
        return; /* the corpus is optional: shared data without it */
    char line[8192];
    cr_assert(fgets(line, sizeof(line), tsv) != NULL, "SOURCES.tsv has no header");
    int articles = 0, headlines = 0, datelines = 0, bylines = 0, blocks = 0, quotations = 0;
    while (fgets(line, sizeof(line), tsv)) {
        char *f[12];
        if (split_tab(line, f, 12) < 10)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, f[0]);
        dl_article *a = parse_file(path);
        articles++;
        headlines += strcmp(or_none(a->headline), f[3]) == 0;
        datelines += strcmp(or_none(a->dateline), f[4]) == 0;
        bylines += strcmp(or_none(a->byline), f[7]) == 0;
        blocks += a->block_count == strtoul(f[8], NULL, 10);
        quotations += a->stats.quotations == strtoul(f[6], NULL, 10);
        if (strcmp(or_none(a->dateline), f[4]) != 0)
            cr_log_warn("%s: dateline %s, labelled %s", f[0], or_none(a->dateline), f[4]);
        dl_article_free(a);
    }
    fclose(tsv);
    cr_assert(ge(int, articles, 1));
    cr_log_info("corpus: %d articles; headline %d, dateline %d, byline %d, blocks %d, "
                "quotations %d right",
                articles, headlines, datelines, bylines, blocks, quotations);
    int needed = (articles * 95 + 99) / 100;
    cr_assert(ge(int, headlines, needed));
    cr_assert(ge(int, datelines, needed));
    cr_assert(ge(int, bylines, needed));
    cr_assert(ge(int, blocks, needed));
    cr_assert(ge(int, quotations, needed));
}

/* ------------------------------------------------------- constructed cases */

Test(article_model, a_quotation_reopened_in_the_next_paragraph_is_one_quotation_continued)
{
    dl_article *a = parse_text("Headline\n\n"
                               "The mayor spoke. “We will rebuild the harbor.\n\n"
                               "“Nobody will be left out,” the mayor said.\n");
    cr_assert(eq(sz, a->quotation_count, 2));
    cr_assert(eq(int, a->quotations[0].runs_on, 1));
    cr_assert(eq(int, a->quotations[1].continued, 1));
    cr_assert(eq(u32, a->stats.quotations, 1));
    /* Credited at its end, the whole quotation has the speaker. */
    cr_assert(eq(str, a->quotations[0].speaker, "the mayor"));
    cr_assert(eq(str, a->quotations[1].speaker, "the mayor"));
    dl_article_free(a);
}

Test(article_model, a_speaker_before_the_quotation_is_credited)
{
    dl_article *a = parse_text("Headline\n\nSmith said: “We are ready.”\n");
    cr_assert(eq(sz, a->quotation_count, 1));
    cr_assert(eq(str, a->quotations[0].text, "We are ready."));
    cr_assert(eq(str, a->quotations[0].speaker, "Smith"));
    dl_article_free(a);
}

Test(article_model, a_speaker_does_not_carry_into_the_next_paragraph)
{
    dl_article *a = parse_text("Headline\n\n“Yes,” she said.\n\nCritics called it “a mistake.”\n");
    cr_assert(eq(sz, a->quotation_count, 2));
    cr_assert(eq(str, a->quotations[0].speaker, "she"));
    cr_assert(eq(ptr, a->quotations[1].speaker, NULL));
    dl_article_free(a);
}

Test(article_model, blocks_have_kinds_words_and_first_words)
{
    dl_article *a = parse_text("Storm closes harbor\n\n"
                               "By Jane Doe\n\n"
                               "PORTSMOUTH, N.H. (AP) — The harbor closed on Tuesday after the "
                               "storm, officials said.\n\n"
                               "What happens next\n\n"
                               "- Repairs begin Monday\n- Ferries resume Friday\n\n"
                               "Correction: An earlier version misstated the day.\n");
    cr_assert(eq(sz, a->block_count, 5));
    cr_assert(eq(str, (char *)dl_article_block_kind_name(a->blocks[0].kind), "byline"));
    cr_assert(eq(str, (char *)dl_article_block_kind_name(a->blocks[1].kind), "paragraph"));
    cr_assert(eq(str, (char *)dl_article_block_kind_name(a->blocks[2].kind), "subhead"));
    cr_assert(eq(str, (char *)dl_article_block_kind_name(a->blocks[3].kind), "list"));
    cr_assert(eq(str, (char *)dl_article_block_kind_name(a->blocks[4].kind), "editor_note"));
    cr_assert(eq(str, span_str(a->byline), "By Jane Doe"));
    cr_assert(eq(str, a->dateline_agency, "AP"));
    cr_assert(eq(str, a->dateline_location, "PORTSMOUTH, N.H."));
    cr_assert(eq(u32, a->blocks[1].words, 13));
    /* The dateline has its own line in every outline: the words start after it. */
    cr_assert(eq(str, a->blocks[1].first_words,
                 "The harbor closed on Tuesday after the storm,…"));
    cr_assert(eq(str, a->blocks[2].first_words, "What happens next"));
    dl_article_free(a);
}

Test(article_model, a_byline_under_the_headline_is_front_matter_not_a_block)
{
    dl_article *a = parse_text("Storm closes harbor\nBy Jane Doe\n\nThe harbor closed.\n");
    cr_assert(a->byline != NULL);
    cr_assert(eq(sz, a->block_count, 1));
    dl_article_free(a);
}

/* The dek's line end and the byline's are single line ends: the whole
 * headline block is front matter, however many lines it has. */
Test(article_model, a_byline_and_timestamp_under_a_dek_are_front_matter_not_blocks)
{
    dl_article *a = parse_text("Council backs buses\n"
                               "Ridership grew on the overnight routes\n"
                               "By Priya Natarajan and Tom\xc3\xa1s Ruiz\n"
                               "Staff writers, The Riverton Ledger\n"
                               "Published 9:15 AM, Oct. 14, 2024 Updated 11:02 AM, Oct. 14, 2024\n"
                               "\n"
                               "RIVERTON, Ore. \xe2\x80\x94 The council voted.\n");
    cr_assert(a->dek != NULL);
    cr_assert(a->byline != NULL);
    cr_assert(eq(sz, a->block_count, 1));
    cr_assert(eq(int, a->blocks[0].kind, DL_BLOCK_PARAGRAPH));
    cr_assert(eq(str, a->dateline_location, "RIVERTON, Ore."));
    dl_article_free(a);
}

Test(article_model, a_byline_block_with_published_and_updated_lines_is_one_byline_block)
{
    dl_article *a = parse_text("Council backs buses\n\n"
                               "By Ann Lee, Bo Kim and Cy Diaz\n"
                               "Published Oct. 14, 2024\n"
                               "Updated Oct. 15, 2024\n\n"
                               "The council voted.\n");
    cr_assert(a->byline != NULL);
    cr_assert(eq(sz, a->block_count, 2));
    cr_assert(eq(int, a->blocks[0].kind, DL_BLOCK_BYLINE));
    cr_assert(eq(int, a->blocks[1].kind, DL_BLOCK_PARAGRAPH));
    dl_article_free(a);
}

Test(article_model, annotations_are_listed_with_their_kinds_and_sides)
{
    dl_article *a = parse_text("Headline\n\nThe vote was {~~Monday~>Tuesday~~} {++after a "
                               "delay++}.{>>check the date<<}\n");
    cr_assert(eq(sz, a->annotation_count, 3));
    cr_assert(eq(int, a->annotations[0].kind, DL_ANNOTATION_SUBSTITUTION));
    cr_assert(eq(str, a->annotations[0].old_text, "Monday"));
    cr_assert(eq(str, a->annotations[0].new_text, "Tuesday"));
    cr_assert(eq(int, a->annotations[1].kind, DL_ANNOTATION_ADDITION));
    cr_assert(eq(str, a->annotations[1].text, "after a delay"));
    cr_assert(eq(int, a->annotations[2].kind, DL_ANNOTATION_COMMENT));
    cr_assert(eq(str, a->annotations[2].text, "check the date"));
    dl_article_free(a);
}

Test(article_model, crlf_bom_and_a_missing_final_newline_change_nothing)
{
    dl_article *lf = parse_text("Headline\n\nWASHINGTON — “Yes,” she said.\n\nMore.");
    dl_article *crlf = parse_text("\xEF\xBB\xBFHeadline\r\n\r\nWASHINGTON — “Yes,” she said.\r\n\r\nMore.\r\n");
    cr_assert(eq(str, span_str(crlf->headline), "Headline"));
    cr_assert(eq(str, span_str(crlf->dateline), span_str(lf->dateline)));
    cr_assert(eq(sz, crlf->block_count, lf->block_count));
    cr_assert(eq(sz, crlf->quotation_count, lf->quotation_count));
    cr_assert(eq(u32, crlf->stats.words, lf->stats.words));
    dl_article_free(lf);
    dl_article_free(crlf);
}

Test(article_model, an_empty_article_has_nothing)
{
    dl_article *a = parse_text("");
    cr_assert(eq(ptr, a->headline, NULL));
    cr_assert(eq(sz, a->block_count, 0));
    cr_assert(eq(u32, a->stats.words, 0));
    dl_article_free(a);
}

Test(article_model, words_are_runs_with_a_letter_or_digit)
{
    const char *text = "OLYMPIA, WA – Parler’s 24% — of  “free speech” -- “ … ok";
    cr_assert(eq(u32, dl_article_count_words(text, strlen(text)), 8));
    cr_assert(eq(u32, dl_article_count_words("", 0), 0));
    cr_assert(eq(u32, dl_article_count_words("  \n\t ", 5), 0));
    cr_assert(eq(u32, dl_article_count_words(" one  two\nthree\r\n", 17), 3));
    /* A no-break space and a thin space separate words too. */
    const char *spaced = "5\xc2\xa0km \xe2\x80\x93 a\xe2\x80\x89" "b";
    cr_assert(eq(u32, dl_article_count_words(spaced, strlen(spaced)), 4));
}

Test(article_model, the_json_model_has_schema_1_and_every_documented_key)
{
    dl_article *a = parse_file(SEED_PATH);
    json_t *json = NULL;
    dl_assert_ok(dl_json_article(&json, a));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json, "schema")), 1));
    const char *keys[] = {"headline", "dek", "byline", "dateline", "blocks",
                          "quotations", "speakers", "annotations", "stats"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        cr_assert(json_object_get(json, keys[i]) != NULL, "missing key %s", keys[i]);
    json_t *quote = json_array_get(json_object_get(json, "quotations"), 1);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(quote, "speaker")), "the company"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(quote, "block")), 3));
    json_t *bytes = json_object_get(json_object_get(json_object_get(json, "dateline"), "range"),
                                    "bytes");
    cr_assert(eq(sz, json_array_size(bytes), 2));
    json_decref(json);
    dl_article_free(a);
}

static json_t *speaker_named(json_t *speakers, const char *name)
{
    for (size_t i = 0; i < json_array_size(speakers); i++) {
        json_t *entry = json_array_get(speakers, i);
        const char *entry_name = json_string_value(json_object_get(entry, "name"));
        if (name ? entry_name && strcmp(entry_name, name) == 0 : entry_name == NULL)
            return entry;
    }
    return NULL;
}

static void assert_ints(json_t *array, const int *expected, size_t count)
{
    cr_assert(eq(sz, json_array_size(array), count));
    for (size_t i = 0; i < count; i++)
        cr_assert(eq(int, (int)json_integer_value(json_array_get(array, i)), expected[i]));
}

Test(article_model, speakers_list_who_is_quoted_how_often_and_in_which_paragraphs)
{
    dl_article *a = parse_text("Council backs the bridge\n\n"
                               "SPRINGFIELD – “We will build it,” Lee said.\n\n"
                               "Critics call it a “vanity project.”\n\n"
                               "“It will cost too much,” Hart said.\n\n"
                               "“The bridge opens in May, and\n\n"
                               "“it will carry trams,” Lee said.\n");
    json_t *json = NULL;
    dl_assert_ok(dl_json_article(&json, a));
    json_t *speakers = json_object_get(json, "speakers");
    /* In order of first appearance, nobody's quotations last. */
    cr_assert(eq(sz, json_array_size(speakers), 3));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_array_get(speakers, 0), "name")),
                 "Lee"));
    json_t *lee = speaker_named(speakers, "Lee");
    /* A quotation running over two paragraphs counts once but lists both. */
    cr_assert(eq(int, (int)json_integer_value(json_object_get(lee, "count")), 2));
    assert_ints(json_object_get(lee, "paragraphs"), (int[]){1, 4, 5}, 3);
    assert_ints(json_object_get(lee, "quotations"), (int[]){0, 3, 4}, 3);
    json_t *hart = speaker_named(speakers, "Hart");
    cr_assert(eq(int, (int)json_integer_value(json_object_get(hart, "count")), 1));
    assert_ints(json_object_get(hart, "paragraphs"), (int[]){3}, 1);
    /* The scare quote: credited to nobody, which the copy desk checks too. */
    json_t *nobody = json_array_get(speakers, 2);
    cr_assert(eq(int, json_is_null(json_object_get(nobody, "name")), 1));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(nobody, "count")), 1));
    assert_ints(json_object_get(nobody, "paragraphs"), (int[]){2}, 1);
    json_decref(json);
    dl_article_free(a);
}

Test(article_model, a_quotation_run_over_paragraphs_is_listed_with_its_first_speaker)
{
    dl_article *a = parse_text("Buses stay\n\n"
                               "“I work two jobs,” said Luis Ortega. “I looked for a third\n\n"
                               "“and now I don’t have to,” Ortega said.\n");
    json_t *json = NULL;
    dl_assert_ok(dl_json_article(&json, a));
    json_t *speakers = json_object_get(json, "speakers");
    cr_assert(eq(sz, json_array_size(speakers), 1));
    json_t *ortega = json_array_get(speakers, 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(ortega, "name")), "Luis Ortega"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(ortega, "count")), 2));
    assert_ints(json_object_get(ortega, "paragraphs"), (int[]){1, 2}, 2);
    assert_ints(json_object_get(ortega, "quotations"), (int[]){0, 1, 2}, 3);
    json_decref(json);
    dl_article_free(a);
}

Test(article_model, an_article_without_quotations_has_no_speakers)
{
    dl_article *a = parse_text("Council backs the bridge\n\nThe vote was close.\n");
    json_t *json = NULL;
    dl_assert_ok(dl_json_article(&json, a));
    cr_assert(eq(int, json_is_array(json_object_get(json, "speakers")), 1));
    cr_assert(eq(sz, json_array_size(json_object_get(json, "speakers")), 0));
    json_decref(json);
    dl_article_free(a);
}

/* ------------------------------------------------ incremental parsing -- */

static char *model_json(const dl_article *article)
{
    json_t *json = NULL;
    dl_assert_ok(dl_json_article(&json, article));
    char *text = json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(json);
    return text;
}

/* Whatever the edit, the model a kept parser gives, and the model rebuilt
 * from the one before (as the language server does), equal a fresh
 * parse's: words typed and deleted, paragraphs split and joined, quotation
 * marks and annotation brackets opened and closed, and a different article. */
Test(article_model, reparsing_or_rebuilding_after_each_edit_gives_the_fresh_model)
{
    TSParser *ts = ts_parser_new();
    ts_parser_set_language(ts, tree_sitter_article());
    dl_article *previous = NULL;
    static const char *const pieces[] = {"x", " word", "\n\n", "\n", "“", "”", "\"", "[[", "]]",
                                          "{++added++}", " — ", "é", ", she said.", "\r\n"};
    char *seed = NULL;
    size_t size = 0;
    dl_assert_ok(dl_text_read_file(&seed, &size, SEED_PATH));
    size_t capacity = size * 2 + 4096;
    char *text = malloc(capacity);
    memcpy(text, seed, size);
    dl_article_parser *parser = NULL;
    dl_assert_ok(dl_article_parser_new(&parser));
    unsigned state = 12345;
    for (int round = 0; round < 300; round++) {
        state = state * 1103515245u + 12345u;
        size_t at = size ? (state >> 8) % size : 0;
        while (at < size && ((unsigned char)text[at] & 0xc0) == 0x80)
            at++; /* edits keep the text UTF-8, as an editor does */
        if (round == 150) { /* another article entirely */
            const char *other = "Other headline\n\nLONDON — A short one. “Quoted,” he said.\n";
            size = strlen(other);
            memcpy(text, other, size);
        } else if ((state >> 4) % 3 == 0 && size > 0) {
            size_t length = 1 + (state >> 12) % 40;
            if (length > size - at)
                length = size - at;
            while (at + length < size && ((unsigned char)text[at + length] & 0xc0) == 0x80)
                length++;
            memmove(text + at, text + at + length, size - at - length);
            size -= length;
        } else {
            const char *piece = pieces[(state >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
            size_t length = strlen(piece);
            if (size + length < capacity) {
                memmove(text + at + length, text + at, size - at);
                memcpy(text + at, piece, length);
                size += length;
            }
        }
        dl_article *kept = NULL, *fresh = NULL;
        dl_assert_ok(dl_article_parser_parse(&kept, parser, text, size));
        dl_assert_ok(dl_article_parse(&fresh, text, size));
        TSTree *tree = ts_parser_parse_string(ts, NULL, text, (uint32_t)size);
        dl_article *rebuilt = NULL;
        dl_assert_ok(dl_article_rebuild(&rebuilt, previous, text, size, tree));
        ts_tree_delete(tree);
        char *a = model_json(kept), *b = model_json(fresh), *c = model_json(rebuilt);
        cr_assert(eq(str, a, b), "round %d", round);
        cr_assert(eq(str, c, b), "round %d", round);
        free(a);
        free(b);
        free(c);
        dl_article_free(kept);
        dl_article_free(fresh);
        dl_article_free(previous);
        previous = rebuilt;
    }
    dl_article_free(previous);
    ts_parser_delete(ts);
    dl_article_parser_free(parser);
    free(text);
    free(seed);
}

/* The history keeps no copy of its own of the last version: it reads it
 * back from the parser, and may hand it straight back to be parsed. */
Test(article_model, parser_gives_back_its_last_text_and_reparses_it)
{
    static const char first[] = "Old headline\n\nLONDON — One. “Quoted,” he said.\n";
    static const char second[] = "New headline\n\nLONDON — One. “Quoted,” she said.\n";
    dl_article_parser *parser = NULL;
    dl_assert_ok(dl_article_parser_new(&parser));
    size_t size = 1;
    cr_assert(eq(ptr, (void *)dl_article_parser_text(parser, &size), NULL));
    cr_assert(eq(sz, size, 0));
    dl_article *article = NULL;
    dl_assert_ok(dl_article_parser_parse(&article, parser, first, strlen(first)));
    dl_article_free(article);
    dl_assert_ok(dl_article_parser_parse(&article, parser, second, strlen(second)));
    dl_article_free(article);
    const char *kept = dl_article_parser_text(parser, &size);
    cr_assert(eq(sz, size, strlen(second)));
    cr_assert(eq(str, (char *)kept, (char *)second));
    dl_assert_ok(dl_article_parser_parse(&article, parser, kept, size));
    dl_article *fresh = NULL;
    dl_assert_ok(dl_article_parse(&fresh, second, strlen(second)));
    char *a = model_json(article), *b = model_json(fresh);
    cr_assert(eq(str, a, b));
    cr_assert(eq(str, (char *)dl_article_parser_text(parser, &size), (char *)second));
    free(a);
    free(b);
    dl_article_free(article);
    dl_article_free(fresh);
    dl_article_parser_free(parser);
}

/* The facts a desk reads from each dateline form: where, and which agency
 * or wire service. */
Test(article_model, newsroom_datelines_give_their_place_and_agency)
{
    static const struct {
        const char *text, *dateline, *location, *agency;
    } cases[] = {
        {"H\n\nDALLAS (AP) _ A tornado hit.\n", "DALLAS (AP) _", "DALLAS", "AP"},
        {"H\n\nOTTAWA (Reuters) -The council voted.\n", "OTTAWA (Reuters) -", "OTTAWA",
         "Reuters"},
        {"H\n\n(AP/WXYZ) — The bridge closed.\n", "(AP/WXYZ) —", NULL, "AP/WXYZ"},
        {"H\n\n(CNN) — Rivers rose.\n", "(CNN) —", NULL, "CNN"},
        {"H\n\nAUSTIN, Texas, March 4, 2025 /PRNewswire/ -- Acme opened.\n",
         "AUSTIN, Texas, March 4, 2025 /PRNewswire/ --", "AUSTIN, Texas", "PRNewswire"},
        {"H\n\nBOSTON, Tuesday, Feb. 11, 2025 /Business Wire/ -- Revenue rose.\n",
         "BOSTON, Tuesday, Feb. 11, 2025 /Business Wire/ --", "BOSTON", "Business Wire"},
        /* The dateline opens the first prose paragraph, after a summary
         * list, a credit note or a caption. */
        {"H\n\n\xe2\x80\xa2 Council to vote on Tuesday\n\nRIVERTON, Ore. \xe2\x80\x94 The council met.\n",
         "RIVERTON, Ore. \xe2\x80\x94", "RIVERTON, Ore.", NULL},
        {"H\n\n(This story was first published by the Gazette.)\n\nRIVERTON (AP) \xe2\x80\x94 Rivers "
         "rose.\n",
         "RIVERTON (AP) \xe2\x80\x94", "RIVERTON", "AP"},
        {"H\n\nPhoto: Volunteers fill sandbags.\n\n(CNN) \xe2\x80\x94 Rivers rose.\n",
         "(CNN) \xe2\x80\x94", NULL, "CNN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dl_article *a = parse_text(cases[i].text);
        cr_assert(a->dateline != NULL, "no dateline in case %zu", i);
        cr_assert(eq(str, span_str(a->dateline), (char *)cases[i].dateline));
        if (cases[i].location)
            cr_assert(eq(str, a->dateline_location, (char *)cases[i].location));
        else
            cr_assert(eq(ptr, a->dateline_location, NULL));
        if (cases[i].agency)
            cr_assert(eq(str, a->dateline_agency, (char *)cases[i].agency));
        else
            cr_assert(eq(ptr, a->dateline_agency, NULL));
        dl_article_free(a);
    }
}

Test(article_model, a_place_and_a_comma_or_a_note_in_parentheses_is_not_a_dateline)
{
    static const char *const texts[] = {
        "H\n\nParis, the capital, drew - as ever - crowds.\n",
        "H\n\n(This story was first published by the Gazette.) - More follows.\n",
        "H\n\n\"WASHINGTON - is where we vote,\" she said.\n",
        "H\n\n- WASHINGTON - the vote is on Tuesday\n",
        "H\n\nThe council met.\n\nBOSTON - Later that day.\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        dl_article *a = parse_text(texts[i]);
        cr_assert(eq(ptr, a->dateline, NULL), "false dateline in case %zu", i);
        dl_article_free(a);
    }
}

/* Counted by the rule of the labelled corpus: each opening mark that begins a
 * quotation, once; a mark that only reopens a continued quotation, or a
 * straight quotation nested in a curly one, is not counted again. */
Test(article_model, a_transcript_counts_each_quotation_once)
{
    dl_article *a = parse_text(
        "Council approves night buses\n\n"
        "RIVERTON (AP) _ \xe2\x80\x9cWe will open the routes \"as soon as we can,\" and I mean "
        "that,\xe2\x80\x9d Mayor Ruiz said.\n\n"
        "\xe2\x80\x9cThe budget \xe2\x80\x94\xe2\x80\x9d she began. \xe2\x80\x9c\xe2\x80\x94 is "
        "tight.\xe2\x80\x9d\n\n"
        "\xe2\x80\x9cIt was a long fight,\xe2\x80\x9d said council member Ana Lee. \xe2\x80\x9cWe "
        "lost twice.\n\n"
        "\xe2\x80\x9c" "But we won in the end.\xe2\x80\x9d\n\n"
        "Asked about \"free rides,\" Lee said the plan was \xe2\x80\x9c" "fair.\xe2\x80\x9d\n");
    cr_assert(eq(u32, a->stats.quotations, 7));
    cr_assert(eq(str, a->quotations[0].text,
                 "We will open the routes \"as soon as we can,\" and I mean that,"));
    cr_assert(eq(str, a->quotations[0].speaker, "Mayor Ruiz"));
    cr_assert(eq(int, a->quotations[0].closed, 1));
    cr_assert(a->quotations[5].continued);
    dl_article_free(a);
}

Test(article_model, a_statement_quoted_whole_without_its_closing_mark_is_one_quotation)
{
    dl_article *a = parse_text("Statement on the passing of a colleague\n\n"
                               "WASHINGTON \xe2\x80\x93 Sen. Tom Carper issued the following "
                               "statement:\n\n"
                               "\xe2\x80\x9cWe mourn his passing. He served with honor.\n");
    cr_assert(eq(u32, a->stats.quotations, 1));
    cr_assert(eq(str, a->quotations[0].text, "We mourn his passing. He served with honor."));
    /* Counted, and known to have lost its close, so the editor can flag it. */
    cr_assert(eq(int, a->quotations[0].closed, 0));
    cr_assert(eq(int, a->quotations[0].runs_on, 0));
    cr_assert(eq(sz, a->block_count, 2));
    dl_article_free(a);
}
