/*
 * dateline — `diff` and `blame`: the structural diff between two versions
 * (or a version and the file on disk), and which version last changed each
 * paragraph and quotation. Each parses its arguments, calls the operation
 * (dateline/ops.h), and prints text or the operation's JSON rendering.
 */
#include "cli_diff.h"

#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "dateline/article.h"
#include "dateline/blame.h"
#include "dateline/cli.h"
#include "dateline/diff.h"
#include "dateline/error.h"
#include "dateline/history.h"
#include "dateline/text.h"
#include "dateline/ops.h"
#include "dateline_version.h"


/* --------------------------------------------------------------- diff -- */

/* One diff, printed: the header line "OLD → NEW" (NEW: a version, or the
 * file), then the changes. `batch`: under a "==> FILE <==" line, FILE
 * followed by `remark` if there is one. */
static int diff_one(dl_cli_article *o, const dl_cli_args *a, const char *file,
                    const dl_ops_diff_options *options, int batch, const char *remark,
                    json_t *array, FILE *out, FILE *err)
{
    dl_ops_diff_result result = {0};
    json_t *doc = NULL;
    int status = DL_EXIT_OK;
    int error = dl_ops_diff(&result, o->history, options);
    if (error == 0 && a->json)
        error = dl_ops_diff_json(&doc, o->history, &result);
    if (error < 0) {
        status = batch ? dl_cli_batch_fail(err, file, array) : dl_cli_fail(err);
    } else if (array != NULL) {
        json_array_append_new(array, doc);
    } else if (a->json) {
        status = dl_cli_json_print(doc, out);
    } else {
        int color = dl_cli_use_color(a, out);
        const dl_history_id *old_id = &result.old_side.id, *new_id = &result.new_side.id;
        if (batch)
            dl_cli_put_file_heading(out, file, remark);
        fprintf(out, "%s%.*s → ", color ? "\033[2m" : "", DL_HISTORY_ID_SHORTSIZE, old_id->hex);
        if (new_id->hex[0])
            fprintf(out, "%.*s", DL_HISTORY_ID_SHORTSIZE, new_id->hex);
        else
            dl_cli_put_text(out, file);
        fprintf(out, "%s\n", color ? "\033[0m" : "");
        if (dl_diff_print(out, result.diff, result.old_side.article, result.new_side.article,
                          color) < 0)
            status = dl_cli_fail(err);
        if (batch)
            fputc('\n', out);
    }
    dl_ops_diff_result_dispose(&result);
    return status;
}

/* `diff --since WHEN`: for one file, the version that was the latest at
 * WHEN against the latest version now. An article first recorded later is
 * compared from its first version, and its "==> FILE <==" line says so. */
static int diff_since_one(dl_cli_article *o, const dl_cli_args *a, const char *file,
                          long long since, int batch, json_t *array, FILE *out, FILE *err)
{
    dl_ops_diff_options options = DL_OPS_DIFF_OPTIONS_INIT;
    dl_history_id old;
    int later = dl_ops_version_at(&old, o->history, since);
    if (later < 0)
        return batch ? dl_cli_batch_fail(err, file, array) : dl_cli_fail(err);
    options.old_rev = old.hex;
    options.new_rev = "@";
    options.exact = a->exact;
    return diff_one(o, a, file, &options, batch,
                    later ? "(first recorded since then: from its first version)" : NULL, array,
                    out, err);
}

/* `diff --since` with no FILE: every article of the store (of . or
 * --store) with a version since then, named by its key as `log --all`
 * names it; a deleted article is compared too. */
static int diff_since_store(const dl_cli_args *a, long long since, FILE *out, FILE *err)
{
    dl_history_store *store = NULL;
    dl_ops_articles_options options = DL_OPS_ARTICLES_OPTIONS_INIT;
    dl_ops_articles_result *changed = NULL;
    options.since = since;
    if (dl_cli_open_store(&store, a, ".") < 0 || dl_ops_articles(&changed, store, &options) < 0) {
        dl_history_store_free(store);
        return dl_cli_fail(err);
    }
    int status = DL_EXIT_OK;
    json_t *array = a->json ? json_array() : NULL;
    for (size_t i = 0; i < changed->count; i++) {
        /* The listing owns the history; the article only borrows it. */
        dl_cli_article o = {.store = store, .history = changed->articles[i].history,
                            .shared_store = 1};
        status = dl_cli_worse(status, diff_since_one(&o, a, dl_history_key(o.history), since, 1,
                                                     array, out, err));
    }
    dl_ops_articles_free(changed);
    dl_history_store_free(store);
    if (array != NULL)
        status = dl_cli_worse(status, dl_cli_json_print(array, out));
    return status;
}

static int diff_since(const dl_cli_args *a, FILE *out, FILE *err)
{
    long long since = 0;
    int status = dl_cli_since(&since, a, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a->nargs == 0)
        return diff_since_store(a, since, out, err);
    return dl_cli_each_file(a, since, diff_since_one, out, err);
}

int dl_cli_diff(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "diff",
                     .usage = "diff ([REV [REV2]] FILE | --since WHEN [FILE...]) [--json] "
                              "[--color[=WHEN]] [--exact] [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv,
                                   OPT_JSON | OPT_COLOR | OPT_EXACT | OPT_STORE | OPT_SINCE, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(
            &a, out,
            "Compare two versions of FILE paragraph by paragraph: which paragraphs\n"
            "were edited (word by word), added, removed, moved, split or merged,\n"
            "and every changed, added or removed quotation, headline, dateline\n"
            "and byline. Re-wrapped lines and changed spacing are not edits.\n\n"
            "  (no REV)      the latest version against FILE on disk\n"
            "  REV           version REV against FILE on disk\n"
            "  REV REV2      version REV against version REV2\n"
            "  --since WHEN  for each FILE (none: every article of the store with a\n"
            "                version since WHEN), the version that was the latest at\n"
            "                WHEN against the latest version; an article first\n"
            "                recorded later is compared from its first version.\n"
            "                Several files each follow a \"==> FILE <==\" line; a file\n"
            "                that fails is reported on stderr and the exit status is 1\n"
            "REV: a version id (4+ hex digits), @ (latest) or @~N.\n"
            "WHEN: 1.day, 2.hours, 3 weeks ago, yesterday, 2024-05-01,\n"
            "2024-05-01T10:22+02:00, @SECONDS.\n\n"
            "  --json          print a JSON object (schema 1); for several files, an\n"
            "                  array of them, a failed file as {\"file\", \"error\"}\n"
            "  --color[=WHEN]  auto (default: when stdout is a terminal and NO_COLOR\n"
            "                  is unset), always or never; without colour, deletions\n"
            "                  show as [-old-] and insertions as {+new+}\n"
            "  --exact         the full answer however long it takes; without it a\n"
            "                  diff too costly to finish quickly (a rewritten book,\n"
            "                  one huge paragraph) says \"coarse summary\" and shows\n"
            "                  rewritten blocks as removed and added\n"
            "  --store DIR     use this history repository\n");
    if (a.since != NULL)
        return diff_since(&a, out, err);
    if (a.nargs < 1 || a.nargs > 3)
        return dl_cli_usage_error(&a, err, "%s", a.nargs ? "takes [REV [REV2]] FILE" : "needs a FILE");

    const char *file = a.args[a.nargs - 1];
    dl_cli_article o;
    dl_ops_diff_options options = DL_OPS_DIFF_OPTIONS_INIT;
    options.old_rev = a.nargs >= 2 ? a.args[0] : NULL;
    options.new_rev = a.nargs == 3 ? a.args[1] : NULL;
    options.exact = a.exact;
    if (dl_cli_open_article(&o, &a, file) < 0)
        status = dl_cli_fail(err);
    else
        status = diff_one(&o, &a, file, &options, 0, NULL, NULL, out, err);
    dl_cli_close_article(&o);
    return status;
}

/* -------------------------------------------------------------- blame -- */

/* Notes longer than this are cut (with "…") to keep the columns. */
#define NOTE_WIDTH 32

/* Code points in the first `size` bytes of UTF-8 text. */
static size_t width_of(const char *text, size_t size)
{
    size_t width = 0;
    for (size_t i = 0; i < size; i++)
        width += ((unsigned char)text[i] & 0xC0) != 0x80;
    return width;
}

/* Code points of `text` as dl_text_put shows it: escapes take room. */
static size_t shown_width(const char *text)
{
    char *shown = dl_text_escape(text, strlen(text), DL_TEXT_ONE_LINE);
    size_t width = shown ? width_of(shown, strlen(shown)) : strlen(text);
    free(shown);
    return width;
}

/* `text` (escaped) padded with spaces to `width` code points; cut with "…"
 * if longer. */
static void put_column(FILE *out, const char *text, size_t width)
{
    char *escaped = dl_text_escape(text, strlen(text), DL_TEXT_ONE_LINE);
    if (escaped == NULL) { /* out of memory: the columns may not line up */
        dl_cli_put_text(out, text);
        return;
    }
    size_t size = strlen(escaped), shown = size;
    if (width_of(escaped, size) > width) {
        shown = 0;
        for (size_t w = 0; shown < size && w < width - 1; w++) {
            shown++;
            while (shown < size && ((unsigned char)escaped[shown] & 0xC0) == 0x80)
                shown++;
        }
        fwrite(escaped, 1, shown, out);
        fputs("…", out);
    } else {
        fwrite(escaped, 1, size, out);
        for (size_t w = width_of(escaped, size); w < width; w++)
            fputc(' ', out);
    }
    free(escaped);
}

/* Quotations longer than this are cut (with "…") in the text view. */
#define QUOTE_WIDTH 48

/* One row of the text view: a block or a quotation, and its version. */
typedef struct {
    char label[64];
    int recorded;
    const dl_history_version *version;
} blame_row;

typedef struct {
    size_t label, author, note, version;
} blame_widths;

static void measure(blame_widths *widths, const blame_row *row)
{
    size_t w = width_of(row->label, strlen(row->label));
    widths->label = w > widths->label ? w : widths->label;
    if (!row->recorded)
        return;
    const dl_history_version *v = row->version;
    w = v->author_name ? shown_width(v->author_name) : 0;
    widths->author = w > widths->author ? w : widths->author;
    w = v->note ? shown_width(v->note) : 0;
    widths->note = w > widths->note ? w : widths->note;
}

/* The label and version columns of a row (the caller adds what follows). */
static void put_row(FILE *out, const blame_row *row, const blame_widths *widths)
{
    put_column(out, row->label, widths->label);
    fputs("  ", out);
    if (!row->recorded) {
        put_column(out, "not recorded yet", widths->version > 16 ? widths->version : 16);
    } else {
        const dl_history_version *v = row->version;
        char when[40];
        dl_history_format_time(when, sizeof(when), v->time, v->offset);
        when[10] = ' ';
        when[16] = '\0';
        fprintf(out, "%.*s  %s  ", DL_HISTORY_ID_SHORTSIZE, v->id.hex, when);
        put_column(out, v->author_name ? v->author_name : "", widths->author);
        if (widths->note) {
            fputs("  ", out);
            put_column(out, v->note ? v->note : "", widths->note);
        }
    }
    fputs("  ", out);
}

/* Blocks labelled as `dateline outline` and `diff` number them (¶3,
 * subhead 1), then quotations ("quote 2") with their words and speaker. */
static void print_blame(FILE *out, const dl_blame *blame)
{
    size_t total = blame->count + blame->quote_count;
    blame_row *rows = calloc(total + 1, sizeof(*rows));
    if (!rows)
        return;
    blame_widths widths = {0};
    size_t seen[DL_BLOCK_EDITOR_NOTE + 1] = {0};
    for (size_t i = 0; i < blame->count; i++) {
        const dl_blame_line *line = &blame->lines[i];
        size_t number = (size_t)line->kind <= DL_BLOCK_EDITOR_NOTE ? ++seen[line->kind] : i + 1;
        dl_diff_block_label(rows[i].label, sizeof(rows[i].label), line->kind, number);
        rows[i].recorded = line->recorded;
        rows[i].version = &line->version;
    }
    for (size_t i = 0; i < blame->quote_count; i++) {
        blame_row *row = &rows[blame->count + i];
        snprintf(row->label, sizeof(row->label), "quote %zu", i + 1);
        row->recorded = blame->quotes[i].recorded;
        row->version = &blame->quotes[i].version;
    }
    for (size_t i = 0; i < total; i++)
        measure(&widths, &rows[i]);
    widths.note = widths.note > NOTE_WIDTH ? NOTE_WIDTH : widths.note;
    /* "1a2b3c4d5e  2024-05-01 10:22  " is 30 columns. */
    widths.version = DL_HISTORY_ID_SHORTSIZE + 2 + 16 + 2 + widths.author +
                     (widths.note ? 2 + widths.note : 0);

    for (size_t i = 0; i < blame->count; i++) {
        put_row(out, &rows[i], &widths);
        dl_cli_put_text(out, blame->lines[i].first_words);
        fputc('\n', out);
    }
    for (size_t i = 0; i < blame->quote_count; i++) {
        const dl_blame_quote *q = &blame->quotes[i];
        put_row(out, &rows[blame->count + i], &widths);
        fputs("“", out);
        size_t width = shown_width(q->text);
        put_column(out, q->text, width < QUOTE_WIDTH ? width : QUOTE_WIDTH);
        fputs("” ", out);
        if (q->speaker) {
            fputs("— ", out);
            dl_cli_put_text(out, q->speaker);
        } else {
            fputs("(nobody credited)", out);
        }
        fputc('\n', out);
    }
    free(rows);
}

/* One file of `blame`; with `batch`, under a "==> FILE <==" line. */
static int blame_one(dl_cli_article *o, const dl_cli_args *a, const char *file, long long since,
                     int batch, json_t *array, FILE *out, FILE *err)
{
    (void)since; /* blame takes no --since */
    dl_ops_blame_options options = DL_OPS_BLAME_OPTIONS_INIT;
    dl_blame *blame = NULL;
    json_t *doc = NULL;
    int status = DL_EXIT_OK;
    int error = dl_ops_blame(&blame, o->history, &options);
    if (error == 0 && a->json)
        error = dl_ops_blame_json(&doc, o->history, blame);
    if (error < 0) {
        status = batch ? dl_cli_batch_fail(err, file, array) : dl_cli_fail(err);
    } else if (array != NULL) {
        json_array_append_new(array, doc);
    } else if (a->json) {
        status = dl_cli_json_print(doc, out);
    } else {
        if (batch)
            dl_cli_put_file_heading(out, file, NULL);
        print_blame(out, blame);
        if (batch)
            fputc('\n', out);
    }
    dl_blame_free(blame);
    return status;
}

int dl_cli_blame(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "blame", .usage = "blame FILE... [--json] [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_JSON | OPT_STORE, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(
            &a, out,
            "For each paragraph of FILE as it is on disk, the version that last\n"
            "changed it: label, short id, time, author, note, first words; then\n"
            "for each quotation, the version that last changed its words, the\n"
            "words and the speaker. Text not recorded in any version yet says\n"
            "\"not recorded yet\". A moved paragraph keeps the version that wrote it.\n"
            "Several files each follow a \"==> FILE <==\" line; a file that fails\n"
            "is reported on stderr, the others are still shown, and the exit\n"
            "status is 1.\n\n"
            "  --json       print a JSON object (schema 1); for several files, an\n"
            "               array of them in FILE order, a failed file as\n"
            "               {\"file\", \"error\"}\n"
            "  --store DIR  use this history repository\n");
    if (a.nargs == 0)
        return dl_cli_usage_error(&a, err, "%s", "needs a FILE");

    return dl_cli_each_file(&a, 0, blame_one, out, err);
}
