/*
 * dateline — `outline` and `stats`: the article model of a file, for people
 * (an indented outline) and for programs (--json, the editor's interface).
 */
#include "cli_article.h"

#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "dateline/article.h"
#include "dateline/cli.h"
#include "dateline/error.h"
#include "dateline/json.h"
#include "dateline/text.h"

/* Reads and parses FILE, with the same checks history applies. */
static int load_article(dl_article **out, const char *file)
{
    char *text = NULL;
    size_t size = 0;
    int error = dl_text_read_file(&text, &size, file);
    if (error == 0)
        error = dl_text_check(text, size, file);
    if (error == 0)
        error = dl_article_parse(out, text, size);
    free(text);
    return error;
}

/* Quotations print at most this many bytes of their words. */
#define QUOTE_PREVIEW 60

/* A quotation under its block. Every part of a quotation running over
 * several paragraphs has the model's speaker; it is credited once, on the
 * part that opens it, and the parts after it say they continue it. */
static void print_quotation(FILE *out, const dl_quotation *q)
{
    size_t length = strlen(q->text);
    /* Cut on a character boundary: never inside a UTF-8 sequence. */
    size_t shown = length <= QUOTE_PREVIEW ? length : QUOTE_PREVIEW;
    while (shown < length && ((unsigned char)q->text[shown] & 0xC0) == 0x80)
        shown--;
    fputs("      “", out);
    dl_text_put(out, q->text, shown, DL_TEXT_ONE_LINE);
    fprintf(out, "%s”", shown < length ? "…" : "");
    if (q->continued) {
        fputs(" (continued)", out);
    } else if (q->speaker) {
        fputs(" — ", out);
        dl_cli_put_text(out, q->speaker);
    }
    fputc('\n', out);
}

static void print_outline(FILE *out, const dl_article *article)
{
    const struct {
        const char *label;
        const dl_span *span;
    } front[] = {{"", article->headline},
                 {"  ", article->dek},
                 {"  byline: ", article->byline},
                 {"  dateline: ", article->dateline}};
    for (size_t i = 0; i < sizeof(front) / sizeof(front[0]); i++) {
        if (front[i].span) {
            fputs(front[i].label, out);
            dl_text_put(out, front[i].span->text, front[i].span->size, DL_TEXT_ONE_LINE);
            fputc('\n', out);
        }
    }

    size_t next_quotation = 0;
    while (next_quotation < article->quotation_count &&
           article->quotations[next_quotation].block == DL_NO_BLOCK)
        print_quotation(out, &article->quotations[next_quotation++]);
    for (size_t i = 0; i < article->block_count; i++) {
        const dl_block *block = &article->blocks[i];
        if (block->kind == DL_BLOCK_PARAGRAPH) {
            fprintf(out, "  ¶%-3u ", block->paragraph);
            dl_cli_put_text(out, block->first_words);
            fprintf(out, " (%u words)\n", block->words);
        } else {
            fprintf(out, "  %-4s ", block->kind == DL_BLOCK_SUBHEAD ? "§" : "");
            dl_cli_put_text(out, block->first_words);
            fprintf(out, " [%s]\n", dl_article_block_kind_name(block->kind));
        }
        while (next_quotation < article->quotation_count &&
               article->quotations[next_quotation].block == i)
            print_quotation(out, &article->quotations[next_quotation++]);
    }
    for (size_t i = 0; i < article->annotation_count; i++) {
        const dl_annotation *n = &article->annotations[i];
        if (n->kind == DL_ANNOTATION_COMMENT) {
            fprintf(out, "  comment, line %u: ", n->span.range.start_line + 1);
            dl_cli_put_text(out, n->text);
            fputc('\n', out);
        }
    }
}

static void print_stats(FILE *out, const dl_article_stats *stats)
{
    fprintf(out, "%u words, %u paragraphs, %u quotations, %u min %u s reading\n", stats->words,
            stats->paragraphs, stats->quotations, stats->reading_seconds / 60,
            stats->reading_seconds % 60);
}

/* The two commands differ only in what they print. */
static int model_command(int argc, char **argv, FILE *out, FILE *err, int outline)
{
    dl_cli_args a = {.name = outline ? "outline" : "stats",
                     .usage = outline ? "outline FILE [--json]" : "stats FILE [--json]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_JSON, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(
            &a, out,
            outline ? "Print the structure of FILE: headline, dek, byline, dateline, every\n"
                      "block after the headline (¶ numbers for paragraphs, § for subheads)\n"
                      "with its quotations and their speakers (a quotation continued over\n"
                      "paragraphs is credited once), and open comments.\n\n"
                      "  --json  the article model (schema 1; see docs/cli.md)\n"
                    : "Print FILE's words, paragraphs, quotations and reading time\n"
                      "(230 words a minute).\n\n"
                      "  --json  the same as a JSON object (schema 1)\n");
    if (a.nargs != 1)
        return dl_cli_usage_error(&a, err, "%s", a.nargs ? "takes one FILE" : "needs a FILE");

    dl_article *article = NULL;
    json_t *json = NULL;
    if (load_article(&article, a.args[0]) < 0)
        return dl_cli_fail(err);
    if (a.json) {
        int error = outline ? dl_json_article(&json, article)
                            : dl_json_article_stats(&json, &article->stats);
        status = error < 0 ? dl_cli_fail(err) : dl_cli_json_print(json, out);
    } else if (outline) {
        print_outline(out, article);
    } else {
        print_stats(out, &article->stats);
    }
    dl_article_free(article);
    return status;
}

int dl_cli_outline(int argc, char **argv, FILE *out, FILE *err)
{
    return model_command(argc, argv, out, err, 1);
}

int dl_cli_stats(int argc, char **argv, FILE *out, FILE *err)
{
    return model_command(argc, argv, out, err, 0);
}
