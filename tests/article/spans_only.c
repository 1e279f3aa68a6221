/*
 * A spans-only parser (what blame walks a history with) models every
 * version exactly as the whole model places it: the same front matter,
 * blocks, quotations and annotations, with only the counts, first words
 * and speakers left out. Checked version after version through one parser
 * each, as blame parses a history: incrementally.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/article.h"
#include "dateline/text.h"

TestSuite(article_spans_only, .timeout = 60);

static void assert_same_span(const dl_span *full, const dl_span *light, const char *what)
{
    cr_assert(eq(int, full == NULL, light == NULL), "%s: present in one model only", what);
    if (full == NULL)
        return;
    cr_assert(eq(u32, full->range.start_byte, light->range.start_byte), "%s", what);
    cr_assert(eq(u32, full->range.end_byte, light->range.end_byte), "%s", what);
    cr_assert(eq(u32, full->range.start_line, light->range.start_line), "%s", what);
    cr_assert(eq(u32, full->range.end_line, light->range.end_line), "%s", what);
    cr_assert(eq(sz, full->size, light->size), "%s", what);
}

static void assert_same_placement(const dl_article *full, const dl_article *light)
{
    assert_same_span(full->headline, light->headline, "headline");
    assert_same_span(full->dek, light->dek, "dek");
    assert_same_span(full->byline, light->byline, "byline");
    assert_same_span(full->dateline, light->dateline, "dateline");
    cr_assert(eq(sz, full->block_count, light->block_count));
    for (size_t i = 0; i < full->block_count; i++) {
        const dl_block *f = &full->blocks[i], *l = &light->blocks[i];
        cr_assert(eq(int, f->kind, l->kind), "block %zu", i);
        assert_same_span(&f->span, &l->span, "block");
        cr_assert(eq(u32, f->paragraph, l->paragraph), "block %zu", i);
        cr_assert(eq(u32, l->words, 0), "no counts");
        cr_assert(eq(u32, l->sentences, 0), "no counts");
        cr_assert(eq(ptr, l->first_words, NULL), "no first words");
    }
    cr_assert(eq(sz, full->quotation_count, light->quotation_count));
    for (size_t i = 0; i < full->quotation_count; i++) {
        const dl_quotation *f = &full->quotations[i], *l = &light->quotations[i];
        assert_same_span(&f->span, &l->span, "quotation");
        cr_assert(eq(str, f->text, l->text), "quotation %zu", i);
        cr_assert(eq(sz, f->block, l->block), "quotation %zu", i);
        cr_assert(eq(int, f->continued, l->continued), "quotation %zu", i);
        cr_assert(eq(int, f->runs_on, l->runs_on), "quotation %zu", i);
        cr_assert(eq(int, f->closed, l->closed), "quotation %zu", i);
        cr_assert(eq(ptr, l->speaker, NULL), "no speakers");
    }
    cr_assert(eq(sz, full->annotation_count, light->annotation_count));
    for (size_t i = 0; i < full->annotation_count; i++) {
        const dl_annotation *f = &full->annotations[i], *l = &light->annotations[i];
        cr_assert(eq(int, f->kind, l->kind), "annotation %zu", i);
        assert_same_span(&f->span, &l->span, "annotation");
        cr_assert(eq(str, f->text, l->text), "annotation %zu", i);
    }
    cr_assert(eq(u32, full->stats.paragraphs, light->stats.paragraphs));
    cr_assert(eq(u32, full->stats.quotations, light->stats.quotations));
    cr_assert(eq(u32, light->stats.words, 0), "no counts");
}

/* Both parsers take `text` as the next version; the models must agree. */
static void parse_both(dl_article_parser *full, dl_article_parser *light, const char *text,
                       size_t size)
{
    dl_article *f = NULL, *l = NULL;
    dl_assert_ok(dl_article_parser_parse(&f, full, text, size));
    dl_assert_ok(dl_article_parser_parse(&l, light, text, size));
    assert_same_placement(f, l);
    dl_article_free(f);
    dl_article_free(l);
}

static void new_parsers(dl_article_parser **full, dl_article_parser **light)
{
    dl_article_parser_options options = DL_ARTICLE_PARSER_OPTIONS_INIT;
    options.spans_only = 1;
    dl_assert_ok(dl_article_parser_new(full));
    dl_assert_ok(dl_article_parser_new_with(light, &options));
}

Test(article_spans_only, an_edited_history_is_placed_as_the_whole_model_places_it)
{
    /* Edits, a move, a quotation changed, reattributed, run on and no
     * longer run on, front matter edited, annotations added. */
    static const char *const versions[] = {
        "Council approves budget\nTaxes stay flat\nBy Ann Lee\n\n"
        "OLYMPIA, WA – The council approved the budget on Tuesday night.\n\n"
        "“We will review spending every quarter,” the mayor said.\n\n"
        "The mayor spoke. “We will rebuild the harbor.\n\n"
        "“Nobody will be left out,” the mayor said.\n\n"
        "Parks get two new crews.\n",

        "Council passes budget\nTaxes stay flat for now\nBy Ann Lee and Bo Chan\n\n"
        "OLYMPIA, WA – The council approved the budget on Tuesday night.\n\n"
        "Parks get two new crews.\n\n"
        "“We will review spending every month,” the clerk said.\n\n"
        "The mayor spoke. “We will rebuild the harbor.\n\n"
        "“Nobody will be left out,” the mayor said.\n",

        "Council passes budget\nTaxes stay flat for now\nBy Ann Lee and Bo Chan\n\n"
        "OLYMPIA, WA – The council approved the {++2027 ++}budget on Tuesday night.\n\n"
        "Parks get two new crews.\n\n"
        "Smith said: “We will review spending every month.”\n\n"
        "The mayor spoke. “We will rebuild the harbor.”\n\n"
        "“Nobody will be left out,” the mayor said.{>>check<<}\n",

        "",

        "Council passes budget\n\nBy Ann Lee\n\nParks get two new crews.\n",
    };
    dl_article_parser *full, *light;
    new_parsers(&full, &light);
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
        parse_both(full, light, versions[i], strlen(versions[i]));
    dl_article_parser_free(full);
    dl_article_parser_free(light);
}

/* Every article of `dir` ending in `suffix`, one after another through the
 * same two parsers; returns how many. */
static size_t parse_directory(dl_article_parser *full, dl_article_parser *light, const char *dir,
                              const char *suffix)
{
    DIR *d = opendir(dir);
    cr_assert(not(eq(ptr, d, NULL)), "cannot open %s", dir);
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length < strlen(suffix) ||
            strcmp(entry->d_name + length - strlen(suffix), suffix) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
        char *text = NULL;
        size_t size = 0;
        dl_assert_ok(dl_text_read_file(&text, &size, path));
        parse_both(full, light, text, size);
        free(text);
        count++;
    }
    closedir(d);
    return count;
}

Test(article_spans_only, every_fixture_article_is_placed_as_the_whole_model_places_it)
{
    dl_article_parser *full, *light;
    new_parsers(&full, &light);
    size_t count = parse_directory(full, light, DL_SOURCE_DIR "/tests/article/fixtures", ".txt") +
                   parse_directory(full, light, DL_SOURCE_DIR "/tests/fixtures", ".article");
    cr_assert(count >= 16, "the fixtures are missing");
    dl_article_parser_free(full);
    dl_article_parser_free(light);
}

Test(article_spans_only, every_corpus_article_is_placed_as_the_whole_model_places_it)
{
    const char *corpus = dl_test_shared("corpus");
    dl_article_parser *full, *light;
    new_parsers(&full, &light);
    parse_directory(full, light, corpus, ".txt");
    dl_article_parser_free(full);
    dl_article_parser_free(light);
}
