/*
 * dateline — `diff` and `blame`: the structural diff between two versions
 * (or a version and the file on disk), and which version last changed each
 * paragraph. Thin layers over dateline/diff.h and dateline/blame.h.
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
#include "dateline_version.h"


/* One side of a diff: a version's content or the file's. */
typedef struct {
    char *text;
    size_t size;
    dl_history_id id; /* empty for the file on disk */
    dl_article *article;
} side;

static void side_dispose(side *s)
{
    free(s->text);
    dl_article_free(s->article);
}

static int load_file(side *s, const char *file)
{
    int error = dl_text_read_file(&s->text, &s->size, file);
    if (error == 0)
        error = dl_text_check(s->text, s->size, file);
    if (error == 0)
        error = dl_article_parse(&s->article, s->text, s->size);
    return error;
}

/* "@" on an article without history says what to do instead of "not found". */
static int load_version(side *s, dl_history *history, const char *rev)
{
    int error = dl_history_resolve(&s->id, history, rev);
    if (error == DL_ENOTFOUND) {
        dl_history_log *log = NULL;
        dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
        options.max_count = 1;
        if (dl_history_log_read(&log, history, &options) == 0 && log->count == 0)
            error = dl_error_set(DL_ENOTFOUND,
                                 "%s has no recorded versions yet; record one with "
                                 "'dateline snapshot %s'",
                                 dl_history_key(history), dl_history_key(history));
        dl_history_log_free(log);
        return error;
    }
    if (error == 0)
        error = dl_history_read(&s->text, &s->size, history, &s->id);
    if (error == 0)
        error = dl_article_parse(&s->article, s->text, s->size);
    return error;
}

/* --------------------------------------------------------------- diff -- */

static json_t *side_json(const side *s, const char *file)
{
    if (s->id.hex[0])
        return json_pack("{s:s,s:s#}", "id", s->id.hex, "short", s->id.hex,
                         (int)DL_HISTORY_ID_SHORTSIZE);
    return json_pack("{s:n,s:s}", "id", "file", file);
}

int dl_cli_diff(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "diff",
                     .usage = "diff [REV [REV2]] FILE [--json] [--color[=WHEN]] [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_JSON | OPT_COLOR | OPT_STORE, err);
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
            "REV: a version id (4+ hex digits), @ (latest) or @~N.\n\n"
            "  --json          print a JSON object (schema 1)\n"
            "  --color[=WHEN]  auto (default: when stdout is a terminal and NO_COLOR\n"
            "                  is unset), always or never; without colour, deletions\n"
            "                  show as [-old-] and insertions as {+new+}\n"
            "  --store DIR     use this history repository\n");
    if (a.nargs < 1 || a.nargs > 3)
        return dl_cli_usage_error(&a, err, "%s", a.nargs ? "takes [REV [REV2]] FILE" : "needs a FILE");

    const char *file = a.args[a.nargs - 1];
    dl_cli_article o;
    side old = {0}, new = {0};
    dl_diff *diff = NULL;
    int error = dl_cli_open_article(&o, &a, file);
    if (error == 0)
        error = load_version(&old, o.history, a.nargs >= 2 ? a.args[0] : "@");
    if (error == 0)
        error = a.nargs == 3 ? load_version(&new, o.history, a.args[1]) : load_file(&new, file);
    if (error == 0)
        error = dl_diff_articles(&diff, old.article, new.article, NULL);
    if (error < 0) {
        status = dl_cli_fail(err);
    } else if (a.json) {
        json_t *doc = NULL;
        if (dl_diff_to_json(&doc, diff) < 0) {
            status = dl_cli_fail(err);
        } else {
            json_object_set_new(doc, "file", json_string(dl_history_file(o.history)));
            json_object_set_new(doc, "old", side_json(&old, file));
            json_object_set_new(doc, "new", side_json(&new, file));
            status = dl_cli_json_print(doc, out);
        }
    } else {
        int color = dl_cli_use_color(&a, out);
        fprintf(out, "%s%.*s → %.*s%s\n", color ? "\033[2m" : "", DL_HISTORY_ID_SHORTSIZE,
                old.id.hex, new.id.hex[0] ? DL_HISTORY_ID_SHORTSIZE : (int)strlen(file),
                new.id.hex[0] ? new.id.hex : file, color ? "\033[0m" : "");
        if (dl_diff_print(out, diff, old.article, new.article, color) < 0)
            status = dl_cli_fail(err);
    }
    dl_diff_free(diff);
    side_dispose(&old);
    side_dispose(&new);
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

/* `text` padded with spaces to `width` code points; cut with "…" if longer. */
static void put_column(FILE *out, const char *text, size_t width)
{
    size_t size = strlen(text), shown = size;
    if (width_of(text, size) > width) {
        shown = 0;
        for (size_t w = 0; shown < size && w < width - 1; w++) {
            shown++;
            while (shown < size && ((unsigned char)text[shown] & 0xC0) == 0x80)
                shown++;
        }
        fprintf(out, "%.*s…", (int)shown, text);
        return;
    }
    fputs(text, out);
    for (size_t w = width_of(text, size); w < width; w++)
        fputc(' ', out);
}

static void print_blame(FILE *out, const dl_blame *blame)
{
    size_t author_width = 0, note_width = 0;
    for (size_t i = 0; i < blame->count; i++) {
        const dl_history_version *v = &blame->lines[i].version;
        if (!blame->lines[i].recorded)
            continue;
        size_t w = width_of(v->author_name, strlen(v->author_name));
        author_width = w > author_width ? w : author_width;
        w = v->note ? width_of(v->note, strlen(v->note)) : 0;
        note_width = w > note_width ? w : note_width;
    }
    note_width = note_width > NOTE_WIDTH ? NOTE_WIDTH : note_width;
    /* "1a2b3c4d5e  2024-05-01 10:22  " is 30 columns. */
    size_t version_width = DL_HISTORY_ID_SHORTSIZE + 2 + 16 + 2 + author_width +
                           (note_width ? 2 + note_width : 0);
    /* Labels as `dateline outline` and `diff` number blocks: ¶3, subhead 1. */
    char (*labels)[64] = calloc(blame->count + 1, sizeof(*labels));
    if (!labels)
        return;
    size_t seen[DL_BLOCK_EDITOR_NOTE + 1] = {0}, label_width = 0;
    for (size_t i = 0; i < blame->count; i++) {
        dl_block_kind kind = blame->lines[i].kind;
        size_t number = (size_t)kind <= DL_BLOCK_EDITOR_NOTE ? ++seen[kind] : i + 1;
        dl_diff_block_label(labels[i], sizeof(labels[i]), kind, number);
        size_t w = width_of(labels[i], strlen(labels[i]));
        label_width = w > label_width ? w : label_width;
    }
    for (size_t i = 0; i < blame->count; i++) {
        const dl_blame_line *line = &blame->lines[i];
        put_column(out, labels[i], label_width);
        fputs("  ", out);
        if (!line->recorded) {
            put_column(out, "not recorded yet", version_width > 16 ? version_width : 16);
        } else {
            const dl_history_version *v = &line->version;
            char when[40];
            dl_history_format_time(when, sizeof(when), v->time, v->offset);
            when[10] = ' ';
            when[16] = '\0';
            fprintf(out, "%.*s  %s  ", DL_HISTORY_ID_SHORTSIZE, v->id.hex, when);
            put_column(out, v->author_name, author_width);
            if (note_width) {
                fputs("  ", out);
                put_column(out, v->note ? v->note : "", note_width);
            }
        }
        fprintf(out, "  %s\n", line->first_words);
    }
    free(labels);
}

int dl_cli_blame(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "blame", .usage = "blame FILE [--json] [--store DIR]"};
    int status = dl_cli_parse_args(&a, argc, argv, OPT_JSON | OPT_STORE, err);
    if (status != DL_EXIT_OK)
        return status;
    if (a.help)
        return dl_cli_print_help(
            &a, out,
            "For each paragraph of FILE as it is on disk, the version that last\n"
            "changed it: label, short id, time, author, note, first words.\n"
            "Paragraphs not recorded in any version yet say \"not recorded yet\".\n"
            "A moved paragraph keeps the version that wrote it.\n\n"
            "  --json       print a JSON object (schema 1)\n"
            "  --store DIR  use this history repository\n");
    if (a.nargs != 1)
        return dl_cli_usage_error(&a, err, "%s", a.nargs ? "takes one FILE" : "needs a FILE");

    dl_cli_article o;
    char *text = NULL;
    size_t size = 0;
    dl_blame *blame = NULL;
    int error = dl_cli_open_article(&o, &a, a.args[0]);
    if (error == 0)
        error = dl_text_read_file(&text, &size, a.args[0]);
    if (error == 0)
        error = dl_blame_file(&blame, o.history, text, size, NULL);
    if (error < 0) {
        status = dl_cli_fail(err);
    } else if (a.json) {
        json_t *doc = NULL;
        if (dl_blame_to_json(&doc, blame) < 0) {
            status = dl_cli_fail(err);
        } else {
            json_object_set_new(doc, "file", json_string(dl_history_file(o.history)));
            status = dl_cli_json_print(doc, out);
        }
    } else {
        print_blame(out, blame);
    }
    dl_blame_free(blame);
    free(text);
    dl_cli_close_article(&o);
    return status;
}
