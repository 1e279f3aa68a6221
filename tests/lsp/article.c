/*
 * One article, one model: what the language server shows about an article
 * is what `dateline outline --json` prints for the same bytes — the words,
 * paragraph numbers, quotations and speakers of every fixture, the seed and
 * every corpus article.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "dateline/cli.h"
#include "dateline/text.h"

TestSuite(lsp_article, .timeout = 120);

/* What `dateline outline --json PATH` prints, parsed. */
static json_t *cli_outline(const char *path)
{
    char *output = NULL, *errors = NULL;
    size_t output_size = 0, errors_size = 0;
    FILE *out = open_memstream(&output, &output_size);
    FILE *err = open_memstream(&errors, &errors_size);
    char *argv[] = {"dateline", "outline", "--json", (char *)path, NULL};
    int status = dl_cli_run(4, argv, out, err);
    fclose(out);
    fclose(err);
    cr_assert(eq(int, status, 0), "dateline outline --json %s: %s", path, errors);
    json_t *json = json_loads(output, 0, NULL);
    cr_assert(json != NULL, "dateline outline printed no JSON for %s", path);
    free(output);
    free(errors);
    return json;
}

/* The server's dateline/article result for the open document `uri`. */
static json_t *server_article(test_client *c, const char *uri)
{
    json_t *response =
        test_client_request(c, "dateline/article", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
    json_t *result = json_object_get(response, "result");
    int is_object = json_is_object(result);
    cr_assert(is_object, "dateline/article answered %s",
              json_dumps(response, JSON_COMPACT));
    return result;
}

/* The paragraph symbols of an outline (sections opened), in order. */
static void collect_paragraph_symbols(json_t *into, const json_t *symbols)
{
    size_t i;
    const json_t *symbol;
    json_array_foreach(symbols, i, symbol) {
        const char *name = json_string_value(json_object_get(symbol, "name"));
        if (strncmp(name, "¶", strlen("¶")) == 0)
            json_array_append(into, (json_t *)symbol);
        collect_paragraph_symbols(into, json_object_get(symbol, "children"));
    }
}

/* A paragraph's quotation symbols name the model's speakers, in order. */
static void assert_speakers_agree(const json_t *model, size_t block, const json_t *children,
                                  const char *path)
{
    size_t next = 0, i;
    const json_t *q, *child;
    json_array_foreach(json_object_get(model, "quotations"), i, q) {
        if (json_integer_value(json_object_get(q, "block")) != (json_int_t)block ||
            json_is_null(json_object_get(q, "block")))
            continue;
        do
            child = json_array_get(children, next++);
        while (child != NULL && json_integer_value(json_object_get(child, "kind")) != 14);
        cr_assert(child != NULL, "%s: block %zu lacks quotation %zu", path, block, i);
        const json_t *speaker = json_object_get(q, "speaker");
        const json_t *detail = json_object_get(child, "detail");
        if (json_is_null(speaker))
            cr_assert(eq(ptr, (void *)detail, NULL), "%s: quotation %zu has no speaker", path, i);
        else
            cr_assert(eq(str, (char *)json_string_value(detail), (char *)json_string_value(speaker)),
                      "%s: quotation %zu", path, i);
    }
}

/* The model's paragraphs: what the outline's ¶ symbols must say. */
static void assert_symbols_agree(test_client *c, const char *uri, const json_t *model,
                                 const char *path)
{
    json_t *response = test_client_request(
        c, "textDocument/documentSymbol", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
    json_t *paragraphs = json_array();
    collect_paragraph_symbols(paragraphs, json_object_get(response, "result"));
    size_t next = 0, i;
    const json_t *block;
    json_array_foreach(json_object_get(model, "blocks"), i, block) {
        if (!json_is_integer(json_object_get(block, "paragraph")))
            continue;
        const json_t *symbol = json_array_get(paragraphs, next++);
        cr_assert(symbol != NULL, "%s: no symbol for block %zu", path, i);
        char name[32];
        snprintf(name, sizeof(name), "¶ %lld",
                 (long long)json_integer_value(json_object_get(block, "paragraph")));
        const char *shown = json_string_value(json_object_get(symbol, "name"));
        size_t length = strlen(name);
        cr_assert(strncmp(shown, name, length) == 0 && (shown[length] == ' ' || !shown[length]),
                  "%s: block %zu is %s, not %s", path, i, shown, name);
        char words[32];
        snprintf(words, sizeof(words), "%lld words",
                 (long long)json_integer_value(json_object_get(block, "words")));
        const char *detail = json_string_value(json_object_get(symbol, "detail"));
        cr_assert(detail != NULL && strstr(detail, words) != NULL, "%s: %s has \"%s\", not %s",
                  path, name, detail, words);
        assert_speakers_agree(model, i, json_object_get(symbol, "children"), path);
    }
    cr_assert(eq(sz, next, json_array_size(paragraphs)), "%s", path);
    json_decref(paragraphs);
}

/* The CLI and the server agree on `path` (skipped if it is not text). */
static void assert_agree(test_client *c, const char *path)
{
    size_t size;
    char *text = test_read_file(path, &size);
    if (dl_text_check(text, size, path) < 0) {
        free(text);
        return;
    }
    char uri[4096];
    snprintf(uri, sizeof(uri), "untitled:%s", path);
    test_client_open(c, uri, text);
    json_t *expected = cli_outline(path);
    json_t *actual = server_article(c, uri);
    char *shown = json_dumps(actual, JSON_COMPACT);
    cr_assert(json_equal(expected, actual), "%s: the server's model differs: %s", path, shown);
    free(shown);
    assert_symbols_agree(c, uri, actual, path);
    json_decref(expected);
    free(text);
}

static size_t assert_folder_agrees(test_client *c, const char *folder, const char *suffix)
{
    DIR *dir = opendir(folder);
    cr_assert(dir != NULL, "cannot open %s", folder);
    size_t checked = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (length <= strlen(suffix) || strcmp(entry->d_name + length - strlen(suffix), suffix) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", folder, entry->d_name);
        assert_agree(c, path);
        checked++;
    }
    closedir(dir);
    return checked;
}

Test(lsp_article, server_and_cli_agree_on_every_fixture_corpus_article_and_the_seed)
{
    test_client c;
    test_client_start(&c, 1);
    test_client_initialize(&c, NULL);
    assert_agree(&c, dl_test_shared("seeds/000_8262d85f5fa5c412.txt"));
    cr_assert(ge(sz, assert_folder_agrees(&c, dl_test_shared("corpus"), ".txt"), 1));
    cr_assert(ge(sz, assert_folder_agrees(&c, DL_SOURCE_DIR "/tests/fixtures", ".article"), 1));
    test_client_stop(&c);
}

Test(lsp_article, model_follows_the_edited_text)
{
    test_client c;
    test_client_start(&c, 1);
    test_client_initialize(&c, NULL);
    test_client_open(&c, "untitled:a", "Storm closes harbor\n\nLONDON — The harbor closed.\n");
    json_t *before = server_article(&c, "untitled:a");
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_object_get(before, "stats"), "words")), 7));
    test_client_notify(
        &c, "textDocument/didChange",
        json_pack("{s:{s:s,s:i},s:[{s:{s:{s:i,s:i},s:{s:i,s:i}},s:s}]}", "textDocument", "uri",
                  "untitled:a", "version", 2, "contentChanges", "range", "start", "line", 2,
                  "character", 27, "end", "line", 2, "character", 27, "text",
                  " “It is over,” the mayor said."));
    json_t *after = server_article(&c, "untitled:a");
    const json_t *quotation = json_array_get(json_object_get(after, "quotations"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(quotation, "speaker")), "the mayor"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json_object_get(after, "stats"), "sentences")), 3));
    test_client_stop(&c);
}

Test(lsp_article, a_document_that_is_not_open_is_an_error)
{
    test_client c;
    test_client_start(&c, 1);
    test_client_initialize(&c, NULL);
    json_t *response = test_client_request(&c, "dateline/article",
                                           json_pack("{s:{s:s}}", "textDocument", "uri", "untitled:none"));
    cr_assert(json_object_get(response, "error") != NULL);
    test_client_stop(&c);
}
