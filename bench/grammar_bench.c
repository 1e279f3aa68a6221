/*
 * Parser benchmark: the article grammar against tree-sitter-markdown on the
 * same bytes, parsed the way an editor parses Markdown: the block grammar over
 * the document, the inline grammar over each inline node (after an edit, only
 * over the inline nodes the edit touched).
 *
 *   grammar_bench generate BYTES            article-like text on stdout
 *   grammar_bench measure LANG FILE         timings and memory, one "key value" per line
 *   grammar_bench parse LANG FILE           one full parse (for callgrind)
 *   grammar_bench read LANG FILE            everything but the parse (callgrind baseline)
 *
 * LANG is "article" or "markdown". bench/grammar.sh drives it and prints the
 * comparison.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_article(void);
const TSLanguage *tree_sitter_markdown(void);
const TSLanguage *tree_sitter_markdown_inline(void);

/* ------------------------------------------------------------------------ */
/* Deterministic article-like text with every construct of the format.      */

static uint32_t rng_state = 20261130;

static uint32_t next_random(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static const char *pick(const char *const *words, size_t count)
{
    return words[next_random() % count];
}

#define PICK(words) pick(words, sizeof(words) / sizeof(words[0]))

static const char *const nouns[] = {
    "council", "budget", "harbor", "company", "senator", "court", "river",
    "election", "report", "market", "school", "hospital", "mayor", "union",
    "investigation", "agency", "storm", "bridge", "contract", "committee"};
static const char *const verbs[] = {
    "approved", "rejected", "delayed", "announced", "reviewed", "funded",
    "questioned", "closed", "opened", "expanded", "cut", "defended"};
static const char *const adjectives[] = {
    "new", "local", "federal", "quarterly", "disputed", "emergency",
    "regional", "independent", "final", "early"};
static const char *const speakers[] = {
    "the company", "the mayor", "Smith", "officials", "she", "he",
    "a spokeswoman for the agency", "Garcia"};
static const char *const said[] = {"said", "told reporters", "added", "noted",
                                   "warned", "wrote", "explained"};

static void sentence(FILE *out)
{
    fprintf(out, "The %s %s %s the %s %s on Tuesday",
            PICK(adjectives), PICK(nouns), PICK(verbs), PICK(adjectives), PICK(nouns));
    switch (next_random() % 8) {
    case 0: fprintf(out, ", a cost of $%u.%u million", next_random() % 900, next_random() % 10); break;
    case 1: fprintf(out, ", up %u%% from last year", next_random() % 100); break;
    case 2: fprintf(out, ", according to https://example.org/reports/%u", next_random() % 10000); break;
    case 3: fprintf(out, ", @city%u wrote with the tag #vote%u", next_random() % 100, next_random() % 100); break;
    case 4: fprintf(out, " {++after a late vote++}"); break;
    case 5: fprintf(out, " {~~Monday~>Tuesday~~}"); break;
    case 6: fprintf(out, " {>>check the figure<<}"); break;
    default: break;
    }
    fputs(".  ", out);
}

static void paragraph(FILE *out)
{
    unsigned sentences = 2 + next_random() % 4;
    for (unsigned i = 0; i < sentences; i++) {
        if (next_random() % 3 == 0)
            fprintf(out, "“The %s will %s the %s,” %s %s. ", PICK(nouns),
                    "review", PICK(nouns), PICK(speakers), PICK(said));
        else
            sentence(out);
    }
    fputs("\n\n", out);
}

static void generate(size_t target)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    fputs("Harbor council approves emergency budget after storm\n"
          "By Jane Doe and John Roe\n\n"
          "PORTSMOUTH, N.H. (AP) — ", out);
    paragraph(out);
    unsigned paragraphs = 1;
    while ((fflush(out), size) + 600 < target) {
        if (paragraphs % 12 == 0)
            fprintf(out, "What the %s means for the %s\n\n", PICK(nouns), PICK(nouns));
        if (paragraphs % 17 == 0)
            fprintf(out, "- The %s\n- The %s\n- The %s\n\n", PICK(nouns), PICK(nouns), PICK(nouns));
        if (paragraphs % 9 == 0) {
            /* A quotation that runs on into the next paragraph (news style). */
            fprintf(out, "“We will rebuild the %s and the %s.\n\n“Nobody will be left out,” %s said.\n\n",
                    PICK(nouns), PICK(nouns), PICK(speakers));
        }
        paragraph(out);
        paragraphs++;
    }
    fputs("Editor’s note: This story has been updated with the final vote.", out);
    fclose(out);
    fwrite(text, 1, size, stdout);
    free(text);
}

/* ------------------------------------------------------------------------ */
/* Counting allocator: peak bytes held by the parser and its trees.         */

static size_t bytes_now, bytes_peak;

static void *counting_malloc(size_t size)
{
    size_t *block = malloc(size + sizeof(size_t) * 2);
    if (!block)
        abort();
    block[0] = size;
    bytes_now += size;
    if (bytes_now > bytes_peak)
        bytes_peak = bytes_now;
    return block + 2;
}

static void counting_free(void *pointer)
{
    if (!pointer)
        return;
    size_t *block = (size_t *)pointer - 2;
    bytes_now -= block[0];
    free(block);
}

static void *counting_calloc(size_t count, size_t size)
{
    void *pointer = counting_malloc(count * size);
    memset(pointer, 0, count * size);
    return pointer;
}

static void *counting_realloc(void *pointer, size_t size)
{
    if (!pointer)
        return counting_malloc(size);
    size_t old = ((size_t *)pointer - 2)[0];
    void *fresh = counting_malloc(size);
    memcpy(fresh, pointer, old < size ? old : size);
    counting_free(pointer);
    return fresh;
}

/* ------------------------------------------------------------------------ */
/* Parsing one language, incrementally or not.                             */

typedef struct {
    int markdown;
    TSParser *block;
    TSParser *inline_parser;
} bench_parser;

typedef struct {
    TSTree *block;
    /* Markdown only: one tree per inline node, the way editors inject the
     * inline grammar; NULL where an edit left the node alone. */
    TSTree **inlines;
    uint32_t inline_count;
} bench_tree;

static bench_parser parser_new(const char *language)
{
    bench_parser parser = {0};
    parser.markdown = strcmp(language, "markdown") == 0;
    parser.block = ts_parser_new();
    if (parser.markdown) {
        ts_parser_set_language(parser.block, tree_sitter_markdown());
        parser.inline_parser = ts_parser_new();
        ts_parser_set_language(parser.inline_parser, tree_sitter_markdown_inline());
    } else if (strcmp(language, "article") == 0) {
        ts_parser_set_language(parser.block, tree_sitter_article());
    } else {
        fprintf(stderr, "grammar_bench: unknown language %s\n", language);
        exit(2);
    }
    return parser;
}

static void parser_free(bench_parser *parser)
{
    ts_parser_delete(parser->block);
    if (parser->inline_parser)
        ts_parser_delete(parser->inline_parser);
}

/* The ranges of every `inline` node, walked with a cursor: indexing children
 * with ts_node_child is linear per call, quadratic over a long document. */
static TSRange *inline_ranges(TSNode root, uint32_t *count)
{
    TSRange *ranges = NULL;
    uint32_t capacity = 0;
    *count = 0;
    TSTreeCursor cursor = ts_tree_cursor_new(root);
    for (;;) {
        TSNode node = ts_tree_cursor_current_node(&cursor);
        int is_inline = strcmp(ts_node_type(node), "inline") == 0;
        if (is_inline) {
            if (*count == capacity) {
                capacity = capacity ? capacity * 2 : 256;
                ranges = realloc(ranges, capacity * sizeof(TSRange));
            }
            ranges[(*count)++] = (TSRange){ts_node_start_point(node), ts_node_end_point(node),
                                           ts_node_start_byte(node), ts_node_end_byte(node)};
        }
        if (!is_inline && ts_tree_cursor_goto_first_child(&cursor))
            continue;
        while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
            if (!ts_tree_cursor_goto_parent(&cursor)) {
                ts_tree_cursor_delete(&cursor);
                return ranges;
            }
        }
    }
}

static int overlaps(const TSRange *range, uint32_t start, uint32_t end)
{
    return range->start_byte <= end && start <= range->end_byte;
}

/* Whether an inline node must be parsed again after `edit`: it holds the edit
 * or lies in a range whose block structure changed. */
static int needs_inline_parse(const TSRange *range, const TSInputEdit *edit,
                              const TSRange *changed, uint32_t changed_count)
{
    if (!edit)
        return 1;
    if (overlaps(range, edit->start_byte, edit->new_end_byte))
        return 1;
    for (uint32_t i = 0; i < changed_count; i++)
        if (overlaps(range, changed[i].start_byte, changed[i].end_byte))
            return 1;
    return 0;
}

/* Parses `text`, reusing `old` (already edited by `edit`) when given. */
static bench_tree parse(bench_parser *parser, const bench_tree *old, const TSInputEdit *edit,
                        const char *text, uint32_t size)
{
    bench_tree tree = {0};
    tree.block = ts_parser_parse_string(parser->block, old ? old->block : NULL, text, size);
    if (!parser->markdown)
        return tree;

    uint32_t changed_count = 0;
    TSRange *changed = old ? ts_tree_get_changed_ranges(old->block, tree.block, &changed_count) : NULL;
    TSRange *ranges = inline_ranges(ts_tree_root_node(tree.block), &tree.inline_count);
    tree.inlines = calloc(tree.inline_count ? tree.inline_count : 1, sizeof(TSTree *));
    for (uint32_t i = 0; i < tree.inline_count; i++) {
        if (!needs_inline_parse(&ranges[i], edit, changed, changed_count))
            continue;
        ts_parser_set_included_ranges(parser->inline_parser, &ranges[i], 1);
        tree.inlines[i] = ts_parser_parse_string(parser->inline_parser, NULL, text, size);
    }
    free(ranges);
    if (changed)
        counting_free(changed);
    return tree;
}

static void tree_free(bench_tree *tree)
{
    ts_tree_delete(tree->block);
    for (uint32_t i = 0; i < tree->inline_count; i++)
        if (tree->inlines[i])
            ts_tree_delete(tree->inlines[i]);
    free(tree->inlines);
}

static bench_tree tree_copy_edited(const bench_tree *tree, const TSInputEdit *edit)
{
    bench_tree copy = {ts_tree_copy(tree->block), NULL, 0};
    ts_tree_edit(copy.block, edit);
    return copy;
}

/* ------------------------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *samples, int count)
{
    qsort(samples, (size_t)count, sizeof(double), compare_doubles);
    return samples[count / 2];
}

static char *read_file(const char *path, uint32_t *size)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        perror(path);
        exit(1);
    }
    fseek(file, 0, SEEK_END);
    long length = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *text = malloc((size_t)length + 1);
    if (fread(text, 1, (size_t)length, file) != (size_t)length) {
        perror(path);
        exit(1);
    }
    fclose(file);
    text[length] = '\0';
    *size = (uint32_t)length;
    return text;
}

static TSPoint point_at(const char *text, uint32_t offset)
{
    TSPoint point = {0, 0};
    for (uint32_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            point.row++;
            point.column = 0;
        } else {
            point.column++;
        }
    }
    return point;
}

/* An insertion of `inserted` at `at`: the edit and the new text. */
typedef struct {
    TSInputEdit edit;
    char *text;
    uint32_t size;
} insertion;

static insertion insert_at(const char *text, uint32_t size, uint32_t at, const char *inserted)
{
    uint32_t length = (uint32_t)strlen(inserted);
    insertion result;
    result.size = size + length;
    result.text = malloc(result.size + 1);
    memcpy(result.text, text, at);
    memcpy(result.text + at, inserted, length);
    memcpy(result.text + at + length, text + at, size - at + 1);
    TSPoint start = point_at(text, at);
    TSPoint end = point_at(result.text, at + length);
    result.edit = (TSInputEdit){at, at, at + length, start, start, end};
    return result;
}

/* Times re-parsing after `change`, and the changed-ranges query after it. */
static void measure_edit(bench_parser *parser, const bench_tree *base, const insertion *change,
                         const char *name, int repetitions)
{
    double reparse[repetitions], ranges[repetitions];
    for (int i = 0; i < repetitions; i++) {
        bench_tree old = tree_copy_edited(base, &change->edit);
        double start = now_ms();
        bench_tree fresh = parse(parser, &old, &change->edit, change->text, change->size);
        reparse[i] = now_ms() - start;
        uint32_t count;
        start = now_ms();
        counting_free(ts_tree_get_changed_ranges(old.block, fresh.block, &count));
        ranges[i] = now_ms() - start;
        tree_free(&fresh);
        tree_free(&old);
    }
    printf("reparse_%s_ms %.4f\n", name, median(reparse, repetitions));
    printf("changed_ranges_%s_ms %.4f\n", name, median(ranges, repetitions));
}

/* The middle of the text, moved to the start of a word inside a paragraph. */
static uint32_t middle_of_a_paragraph(const char *text, uint32_t size)
{
    uint32_t at = size / 2;
    while (at < size && !(text[at] == ' ' && text[at + 1] != ' ' && text[at + 1] != '\n'))
        at++;
    return at < size ? at + 1 : size / 2;
}

static uint32_t next_paragraph_break(const char *text, uint32_t size, uint32_t from)
{
    const char *found = strstr(text + from, "\n\n");
    return found ? (uint32_t)(found - text) : size;
}

static void measure(const char *language, const char *path)
{
    uint32_t size;
    char *text = read_file(path, &size);

    /* Memory first, from a fresh parser: everything it and the tree hold. */
    ts_set_allocator(counting_malloc, counting_calloc, counting_realloc, counting_free);
    bench_parser parser = parser_new(language);
    bench_tree base = parse(&parser, NULL, NULL, text, size);
    printf("bytes %u\n", size);
    printf("peak_memory_per_byte %.2f\n", (double)bytes_peak / size);
    printf("has_error %d\n", ts_node_has_error(ts_tree_root_node(base.block)));

    int repetitions = size < 100000 ? 400 : size < 2000000 ? 7 : 3;
    double samples[400];
    for (int i = 0; i < repetitions; i++) {
        double start = now_ms();
        bench_tree tree = parse(&parser, NULL, NULL, text, size);
        samples[i] = now_ms() - start;
        tree_free(&tree);
    }
    double full = median(samples, repetitions);
    printf("full_parse_ms %.4f\n", full);
    printf("throughput_mb_s %.2f\n", size / 1e6 / (full / 1e3));

    int edit_repetitions = size < 100000 ? 200 : size < 2000000 ? 11 : 3;
    uint32_t middle = middle_of_a_paragraph(text, size);
    insertion one_char = insert_at(text, size, middle, "x");
    insertion quote = insert_at(text, size, middle, "“");
    insertion new_paragraph = insert_at(text, size, next_paragraph_break(text, size, middle),
                                        "\n\nA new paragraph, typed in the middle of the story.");
    measure_edit(&parser, &base, &one_char, "one_char", edit_repetitions);
    measure_edit(&parser, &base, &new_paragraph, "new_paragraph", edit_repetitions);
    measure_edit(&parser, &base, &quote, "unbalanced_quote", edit_repetitions);

    free(one_char.text);
    free(quote.text);
    free(new_paragraph.text);
    tree_free(&base);
    parser_free(&parser);
    free(text);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "generate") == 0) {
        generate((size_t)strtoull(argv[2], NULL, 10));
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "measure") == 0) {
        measure(argv[2], argv[3]);
        return 0;
    }
    if (argc == 4 && (strcmp(argv[1], "parse") == 0 || strcmp(argv[1], "read") == 0)) {
        uint32_t size;
        char *text = read_file(argv[3], &size);
        bench_parser parser = parser_new(argv[2]);
        if (strcmp(argv[1], "parse") == 0) {
            bench_tree tree = parse(&parser, NULL, NULL, text, size);
            tree_free(&tree);
        }
        parser_free(&parser);
        free(text);
        return 0;
    }
    fprintf(stderr, "usage: grammar_bench generate BYTES | measure|parse|read LANG FILE\n");
    return 2;
}
