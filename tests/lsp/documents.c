/*
 * Open documents: positions in UTF-16 and UTF-8, incremental edits that
 * leave exactly the text, lines and tree a fresh parse would, and memory
 * that stays flat over 10,000 edits.
 */
#include <stdlib.h>
#include <string.h>

#include "../../plugin/src/lsp/lsp_internal.h"
#include "client.h"

#if defined(__has_include)
#if __has_include(<sanitizer/allocator_interface.h>) && defined(__SANITIZE_ADDRESS__)
#include <sanitizer/allocator_interface.h>
#define HAVE_ALLOCATED_BYTES 1
#endif
#endif

TestSuite(lsp_documents);

Test(lsp_documents, positions_count_utf16_units_by_default)
{
    /* é is 2 bytes / 1 unit; 😀 is 4 bytes / 2 units. */
    const char *text = "héllo 😀 x\nsecond";
    dl_lsp_document *doc;
    dl_assert_ok(dl_lsp_document_new(&doc, "untitled:1", text, strlen(text), 1));
    uint32_t x = (uint32_t)(strstr(text, "x") - text);
    cr_assert(eq(u32, dl_lsp_document_offset(doc, 0, 9, DL_LSP_UTF16), x));
    cr_assert(eq(u32, dl_lsp_document_offset(doc, 0, x, DL_LSP_UTF8), x));
    /* Inside the surrogate pair: the character's start. */
    cr_assert(eq(u32, dl_lsp_document_offset(doc, 0, 7, DL_LSP_UTF16), x - 5));
    /* Past the end of a line: its end. */
    cr_assert(eq(u32, dl_lsp_document_offset(doc, 0, 99, DL_LSP_UTF16), x + 1));
    cr_assert(eq(u32, dl_lsp_document_offset(doc, 9, 0, DL_LSP_UTF16), (uint32_t)strlen(text)));
    uint32_t line, character;
    dl_lsp_document_position(doc, x, DL_LSP_UTF16, &line, &character);
    cr_assert(eq(u32, line, 0));
    cr_assert(eq(u32, character, 9));
    dl_lsp_document_position(doc, (uint32_t)strlen(text), DL_LSP_UTF16, &line, &character);
    cr_assert(eq(u32, line, 1));
    cr_assert(eq(u32, character, 6));
    dl_lsp_document_free(doc);
}

/* Apply an edit both incrementally and by re-creating the document. */
static void check_same_as_fresh(const dl_lsp_document *doc)
{
    dl_lsp_document *fresh;
    dl_assert_ok(dl_lsp_document_new(&fresh, "untitled:2", doc->text, doc->size, 1));
    cr_assert(eq(sz, doc->line_count, fresh->line_count));
    cr_assert(memcmp(doc->lines, fresh->lines, doc->line_count * sizeof(uint32_t)) == 0,
              "line index differs");
    char *a = ts_node_string(ts_tree_root_node(doc->tree));
    char *b = ts_node_string(ts_tree_root_node(fresh->tree));
    cr_assert(eq(str, a, b), "incremental tree differs from a fresh parse");
    free(a);
    free(b);
    dl_lsp_document_free(fresh);
}

Test(lsp_documents, random_edits_match_a_fresh_parse)
{
    char *text = test_read_file(dl_test_shared("seeds/000_8262d85f5fa5c412.txt"), NULL);
    dl_lsp_document *doc;
    dl_assert_ok(dl_lsp_document_new(&doc, "untitled:1", text, strlen(text), 1));
    static const char *const inserts[] = {"x", "\n", "\n\n", "“", "”", "é", "😀", "",
                                          "{++", "++}", " the the ", "WASHINGTON — ", "\r\n"};
    srand(7);
    for (int i = 0; i < 600; i++) {
        uint32_t lines = (uint32_t)doc->line_count;
        dl_lsp_range r = {(uint32_t)rand() % (lines + 1), (uint32_t)rand() % 120, 0, 0};
        r.end_line = r.start_line + (uint32_t)(rand() % 3 == 0);
        r.end_character = r.end_line == r.start_line ? r.start_character + (uint32_t)rand() % 6
                                                     : (uint32_t)rand() % 40;
        const char *insert = inserts[rand() % (sizeof(inserts) / sizeof(inserts[0]))];
        dl_assert_ok(dl_lsp_document_edit(doc, &r, insert, strlen(insert),
                                          i % 2 ? DL_LSP_UTF16 : DL_LSP_UTF8));
        if (i % 50 == 0)
            check_same_as_fresh(doc);
    }
    check_same_as_fresh(doc);
    dl_lsp_document_free(doc);
    free(text);
}

static char *outline_of(dl_lsp_document *doc)
{
    dl_lsp_buf outline = {0};
    dl_assert_ok(dl_lsp_document_symbols(&outline, doc, DL_LSP_UTF16));
    dl_lsp_buf_put(&outline, "", 0); /* NUL-terminated, even when empty */
    cr_assert(not(outline.failed));
    return outline.data;
}

/* Outline columns count UTF-16 units along a long line: é and ’ are one
 * unit each, 😀 two, whatever their bytes. */
Test(lsp_documents, outline_columns_are_utf16_units)
{
    const char *text = "Headline\n\nThe café’s owner, a 😀 fan who has run it for thirty years, "
                       "said “we open at nine” on Monday.\n";
    dl_lsp_document *doc;
    dl_assert_ok(dl_lsp_document_new(&doc, "untitled:1", text, strlen(text), 1));
    char *outline = outline_of(doc);
    /* The quotation, marks included, and the paragraph's end. */
    cr_assert(not(eq(ptr, strstr(outline, "{\"start\":{\"line\":2,\"character\":65},"
                                          "\"end\":{\"line\":2,\"character\":82}}"),
                     NULL)),
              "%s", outline);
    cr_assert(not(eq(ptr, strstr(outline, "\"end\":{\"line\":2,\"character\":93}}"), NULL)),
              "%s", outline);
    free(outline);
    dl_lsp_document_free(doc);
}

/* Edits anywhere in a long article, some changing a block next to the one
 * edited (quote marks, blank lines), some joining lines, with the outline
 * asked for after each: it must always be what a fresh document gives. */
static void assert_outline_is_fresh(dl_lsp_document *doc, int edit)
{
    char *outline = outline_of(doc);
    dl_lsp_document *fresh;
    dl_assert_ok(dl_lsp_document_new(&fresh, "untitled:2", doc->text, doc->size, 1));
    char *expected = outline_of(fresh);
    cr_assert(eq(str, outline, expected), "outline differs after edit %d", edit);
    free(expected);
    free(outline);
    dl_lsp_document_free(fresh);
}

/* Every kind of edit, and now and then several before the next outline:
 * each outline equals a fresh document's (the model is built once for
 * several edits, and must still see all of them). */
Test(lsp_documents, outline_after_each_edit_matches_a_fresh_document)
{
    char *seed = test_read_file(dl_test_shared("seeds/000_8262d85f5fa5c412.txt"), NULL);
    const char *body = strchr(seed, '\n');
    dl_lsp_buf text = {0};
    dl_lsp_buf_put(&text, seed, (size_t)(body - seed));
    for (int i = 0; i < 45; i++) { /* 315 blocks: more than a run of runs */
        if (i % 5 == 1) /* and sections, whose range ends with their last block */
            dl_lsp_buf_puts(&text, "\n\nWhat the court heard next");
        dl_lsp_buf_puts(&text, body);
    }
    dl_lsp_document *doc;
    dl_assert_ok(dl_lsp_document_new(&doc, "untitled:1", text.data, text.size, 1));
    static const char *const inserts[] = {"x", "\n\n", "\n", "“", "”", "", "{++", " the the ",
                                          "é", "\"", "[[", "]]", " — ", "Hello, ", ",” she said.",
                                          "."};
    srand(11);
    for (int i = 0; i < 400; i++) {
        dl_lsp_range r = {(uint32_t)rand() % (uint32_t)doc->line_count, (uint32_t)rand() % 200, 0,
                          0};
        r.end_line = r.start_line + (rand() % 4 == 0); /* sometimes up to the next line */
        r.end_character = r.start_character + (uint32_t)(rand() % 3);
        const char *insert = inserts[rand() % (sizeof(inserts) / sizeof(inserts[0]))];
        dl_assert_ok(dl_lsp_document_edit(doc, &r, insert, strlen(insert), DL_LSP_UTF16));
        if (rand() % 3 == 0)
            continue; /* another edit before the next outline */
        assert_outline_is_fresh(doc, i);
    }
    dl_lsp_document_free(doc);
    dl_lsp_buf_dispose(&text);
    free(seed);
}

/* Typing inside one paragraph, a character at a time, the outline asked
 * for after each: it is always a fresh document's, and the paragraph's
 * word count (the model's) follows the words typed. */
Test(lsp_documents, typing_in_a_paragraph_updates_its_word_count_in_the_outline)
{
    char *seed = test_read_file(dl_test_shared("seeds/000_8262d85f5fa5c412.txt"), NULL);
    dl_lsp_document *doc;
    dl_assert_ok(dl_lsp_document_new(&doc, "untitled:1", seed, strlen(seed), 1));
    char *before = outline_of(doc);
    cr_assert(not(eq(ptr, strstr(before, "\"detail\":\"66 words\""), NULL)), "%s", before);
    free(before);
    /* After "The social media startup" in ¶ 2: seven words. */
    const char *typed = " and then, “quite suddenly,” the the end";
    uint32_t column = 24; /* every character typed is one UTF-16 unit */
    for (const char *c = typed; *c != '\0'; column++) {
        size_t length = 1;
        while (((unsigned char)c[length] & 0xc0) == 0x80)
            length++;
        dl_lsp_range r = {4, column, 4, column};
        dl_assert_ok(dl_lsp_document_edit(doc, &r, c, length, DL_LSP_UTF16));
        assert_outline_is_fresh(doc, (int)column);
        c += length;
    }
    char *after = outline_of(doc);
    cr_assert(not(eq(ptr, strstr(after, "¶ 2 The social media startup and then, “quite suddenly,”…"), NULL)),
              "%s", after);
    cr_assert(not(eq(ptr, strstr(after, "\"detail\":\"73 words\""), NULL)), "%s", after);
    free(after);
    dl_lsp_document_free(doc);
    free(seed);
}

/* A section's range ends where its last block ends: typing there moves it. */
Test(lsp_documents, typing_at_the_end_of_a_section_moves_its_range)
{
    const char *text = "Storm closes harbor\n\nLONDON — The harbor closed.\n\n"
                       "What the court heard\n\nThe court heard a lot.\n\nIt ended late.\n";
    dl_lsp_document *doc;
    dl_assert_ok(dl_lsp_document_new(&doc, "untitled:1", text, strlen(text), 1));
    free(outline_of(doc));
    dl_lsp_range r = {8, 9, 8, 9}; /* "It ended| late." */
    dl_assert_ok(dl_lsp_document_edit(doc, &r, " very", 5, DL_LSP_UTF16));
    assert_outline_is_fresh(doc, 0);
    dl_lsp_document_free(doc);
}

Test(lsp_documents, ten_thousand_edits_keep_memory_flat)
{
    char *text = test_read_file(dl_test_shared("seeds/000_8262d85f5fa5c412.txt"), NULL);
    test_client c;
    test_client_start(&c, 1);
    test_client_initialize(&c, NULL);
    test_client_open(&c, "file:///tmp/flat.txt", text);
    size_t baseline = 0;
    for (int i = 0; i < 10000; i++) {
        /* Type a character, then delete it: the text ends where it began. */
        int typing = i % 2 == 0;
        test_client_notify(&c, "textDocument/didChange",
                           json_pack("{s:{s:s, s:i}, s:[{s:{s:{s:i, s:i}, s:{s:i, s:i}}, s:s}]}",
                                     "textDocument", "uri", "file:///tmp/flat.txt", "version", i + 2,
                                     "contentChanges", "range", "start", "line", 4, "character", 20,
                                     "end", "line", 4, "character", typing ? 20 : 21, "text",
                                     typing ? "z" : ""));
        if (i % 100 == 99) {
            dl_lsp_server_idle(c.server); /* publishes diagnostics */
            json_array_clear(c.received);
        }
#ifdef HAVE_ALLOCATED_BYTES
        if (i == 1000)
            baseline = __sanitizer_get_current_allocated_bytes();
#endif
    }
#ifdef HAVE_ALLOCATED_BYTES
    size_t now = __sanitizer_get_current_allocated_bytes();
    cr_assert(lt(sz, now, baseline + 256 * 1024), "allocated bytes grew from %zu to %zu", baseline,
              now);
#else
    (void)baseline;
#endif
    json_t *r = test_client_request(&c, "textDocument/documentSymbol",
                                    json_pack("{s:{s:s}}", "textDocument", "uri", "file:///tmp/flat.txt"));
    cr_assert(eq(sz, json_array_size(json_object_get(r, "result")), 8));
    test_client_notify(&c, "textDocument/didClose",
                       json_pack("{s:{s:s}}", "textDocument", "uri", "file:///tmp/flat.txt"));
    test_client_stop(&c);
    free(text);
    /* LeakSanitizer checks at exit that everything was freed. */
}
