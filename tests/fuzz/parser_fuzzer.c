/*
 * libFuzzer target for the article parser: any bytes must parse without a
 * crash, a hang or a sanitizer report, and so must an incremental re-parse
 * after an edit (which exercises the scanner's serialize/deserialize).
 * Built and run by tests/fuzz/run.sh (./build.sh fuzz).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_article(void);

static TSPoint point_at(const uint8_t *data, uint32_t offset)
{
    TSPoint point = {0, 0};
    for (uint32_t i = 0; i < offset; i++) {
        if (data[i] == '\n') {
            point.row++;
            point.column = 0;
        } else {
            point.column++;
        }
    }
    return point;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > UINT32_MAX / 2)
        return 0;
    TSParser *parser = ts_parser_new();
    ts_parser_set_language(parser, tree_sitter_article());
    TSTree *tree = ts_parser_parse_string(parser, NULL, (const char *)data, (uint32_t)size);

    /* Delete the middle byte and re-parse incrementally. */
    if (size > 1) {
        uint32_t at = (uint32_t)size / 2;
        TSInputEdit edit = {
            .start_byte = at,
            .old_end_byte = at + 1,
            .new_end_byte = at,
            .start_point = point_at(data, at),
            .old_end_point = point_at(data, at + 1),
            .new_end_point = point_at(data, at),
        };
        ts_tree_edit(tree, &edit);
        uint8_t *edited = malloc(size - 1);
        if (!edited)
            abort();
        for (uint32_t i = 0, j = 0; i < size; i++)
            if (i != at)
                edited[j++] = data[i];
        TSTree *reparsed = ts_parser_parse_string(parser, tree, (const char *)edited,
                                                  (uint32_t)size - 1);
        uint32_t count = 0;
        TSRange *ranges = ts_tree_get_changed_ranges(tree, reparsed, &count);
        free(ranges);
        free(edited);
        ts_tree_delete(tree);
        tree = reparsed;
    }
    ts_tree_delete(tree);
    ts_parser_delete(parser);
    return 0;
}
