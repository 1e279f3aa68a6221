/*
 * Diagnostics: each check finds its defect, says where, offers its fix,
 * and stays silent on real articles (the labelled corpus and the
 * reference article have none but the defects asserted here).
 */
#include <dirent.h>
#include <string.h>

#include "../../plugin/src/lsp/lsp_internal.h"
#include "client.h"

TestSuite(lsp_diagnostics);

typedef struct {
    dl_lsp_document *doc;
    dl_lsp_diagnostics diags;
} diagnosed;

static void diagnose(diagnosed *d, const char *text)
{
    dl_assert_ok(dl_lsp_document_new(&d->doc, "file:///tmp/story.txt", text, strlen(text), 1));
    dl_assert_ok(dl_lsp_diagnose(&d->diags, d->doc));
}

static void dispose(diagnosed *d)
{
    dl_lsp_diagnostics_dispose(&d->diags);
    dl_lsp_document_free(d->doc);
}

/* The text a diagnostic covers. */
static char *covered_text(const diagnosed *d, size_t i)
{
    const dl_lsp_diagnostic *x = &d->diags.items[i];
    return strndup(d->doc->text + x->start, x->end - x->start);
}

/* Apply diagnostic i's fix and return the new text. */
static char *apply_fix(const diagnosed *d, size_t i)
{
    const dl_lsp_diagnostic *x = &d->diags.items[i];
    cr_assert(x->fix_title != NULL, "diagnostic %s has no fix", x->code);
    size_t size = d->doc->size - (x->fix_end - x->fix_start) + strlen(x->fix_text);
    char *out = malloc(size + 1);
    memcpy(out, d->doc->text, x->fix_start);
    strcpy(out + x->fix_start, x->fix_text);
    strcpy(out + x->fix_start + strlen(x->fix_text), d->doc->text + x->fix_end);
    return out;
}

Test(lsp_diagnostics, unclosed_curly_quote_is_reported_and_closed_at_paragraph_end)
{
    diagnosed d;
    diagnose(&d, "Storm\n\nThe mayor said “we are done. Then he left.\n\nNext paragraph “fine.”\n");
    cr_assert(eq(sz, d.diags.count, 1));
    cr_assert(eq(str, (char *)d.diags.items[0].code, "unclosed-quotation"));
    char *mark = covered_text(&d, 0);
    cr_assert(eq(str, mark, "“"));
    char *fixed = apply_fix(&d, 0);
    cr_assert(eq(str, fixed, "Storm\n\nThe mayor said “we are done. Then he left.”\n\nNext paragraph “fine.”\n"));
    diagnosed again;
    diagnose(&again, fixed);
    cr_assert(eq(sz, again.diags.count, 0), "the fix leaves no diagnostic");
    dispose(&again);
    free(fixed);
    free(mark);
    dispose(&d);
}

Test(lsp_diagnostics, unclosed_straight_quote_is_reported_but_not_inches)
{
    diagnosed d;
    diagnose(&d, "Storm\n\nHe is 6'2\" tall and said \"nothing more.\n");
    cr_assert(eq(sz, d.diags.count, 1));
    char *mark = covered_text(&d, 0);
    cr_assert(eq(str, mark, "\""));
    cr_assert(eq(u32, d.diags.items[0].start, (uint32_t)(strstr(d.doc->text, "\"nothing") - d.doc->text)));
    free(mark);
    dispose(&d);
}

Test(lsp_diagnostics, news_style_continued_quote_is_not_unclosed)
{
    diagnosed d;
    diagnose(&d, "Statement\n\nLead.\n\n“One.\n\n“Two.\n\n“Three,” she said.\n");
    cr_assert(eq(sz, d.diags.count, 0));
    dispose(&d);
}

Test(lsp_diagnostics, unclosed_annotation_is_reported)
{
    diagnosed d;
    diagnose(&d, "Storm\n\nThe harbor {++closed today. More {--gone--} text.\n\nNext {++one.\n\nFine {==x==}.\n");
    cr_assert(eq(sz, d.diags.count, 2));
    for (size_t i = 0; i < 2; i++) {
        cr_assert(eq(str, (char *)d.diags.items[i].code, "unclosed-annotation"));
        char *mark = covered_text(&d, i);
        cr_assert(eq(str, mark, "{++"));
        free(mark);
    }
    char *fixed = apply_fix(&d, 1);
    cr_assert(strstr(fixed, "Next {++one.++}\n") != NULL);
    free(fixed);
    dispose(&d);
}

Test(lsp_diagnostics, repeated_word_is_reported_case_insensitively_and_removed)
{
    diagnosed d;
    diagnose(&d, "Storm\n\nThe the harbor closed on on\nTuesday. He had had enough of Walla Walla.\n");
    cr_assert(eq(sz, d.diags.count, 2));
    char *first = covered_text(&d, 0), *second = covered_text(&d, 1);
    cr_assert(eq(str, first, "the"));
    cr_assert(eq(str, second, "on"));
    char *fixed = apply_fix(&d, 0);
    cr_assert(eq(str, fixed, "Storm\n\nThe harbor closed on on\nTuesday. He had had enough of Walla Walla.\n"));
    free(fixed);
    fixed = apply_fix(&d, 1);
    cr_assert(strstr(fixed, "closed on\nTuesday") != NULL);
    free(fixed);
    free(first);
    free(second);
    dispose(&d);
}

Test(lsp_diagnostics, repeated_word_needs_a_word_boundary)
{
    diagnosed d;
    diagnose(&d, "Storm\n\nThe theater, then the then-mayor, and 10 10 votes: the, the end.\n");
    cr_assert(eq(sz, d.diags.count, 0));
    dispose(&d);
}

Test(lsp_diagnostics, malformed_dateline_is_reported)
{
    diagnosed d;
    diagnose(&d, "Storm\n\nWASHINGTON- The harbor closed.\n");
    cr_assert(eq(sz, d.diags.count, 1));
    cr_assert(eq(str, (char *)d.diags.items[0].code, "dateline-form"));
    char *what = covered_text(&d, 0);
    cr_assert(eq(str, what, "WASHINGTON-"));
    free(what);
    dispose(&d);

    const char *fine[] = {
        "Storm\n\nWASHINGTON (AP) — The harbor closed.\n",
        "Storm\n\nLONDON, Jan 10 (Reuters) - Shares fell.\n",
        "Storm\n\nKYIV, Ukraine — The harbor closed.\n",
        "Storm\n\nNASA will hold a briefing - on Tuesday.\n",
        "Storm\n\nThe harbor closed - for now.\n",
        "Storm\n\nUS officials said. Then - nothing.\n",
    };
    for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        diagnose(&d, fine[i]);
        cr_assert(eq(sz, d.diags.count, 0), "false dateline diagnostic on: %s", fine[i]);
        dispose(&d);
    }
}

Test(lsp_diagnostics, quotation_changed_warning_follows_the_words)
{
    diagnosed d;
    dl_assert_ok(dl_lsp_document_new(&d.doc, "file:///tmp/s.txt",
                                     "Storm\n\n“We are done,” she said.\n", 33, 1));
    d.doc->warnings = calloc(1, sizeof(*d.doc->warnings));
    d.doc->warnings[0].text = strdup("We are done,");
    d.doc->warnings[0].message = strdup("quotation changed");
    d.doc->warning_count = 1;
    dl_assert_ok(dl_lsp_diagnose(&d.diags, d.doc));
    cr_assert(eq(sz, d.diags.count, 1));
    cr_assert(eq(str, (char *)d.diags.items[0].code, "quotation-changed"));
    cr_assert(eq(int, d.diags.items[0].severity, 2));
    char *what = covered_text(&d, 0);
    cr_assert(eq(str, what, "“We are done,”"));
    free(what);
    dispose(&d);
}

/* Real articles: no diagnostic except the real defects listed here. */
Test(lsp_diagnostics, corpus_articles_have_no_false_diagnostics)
{
    const char *dir = dl_test_shared("corpus");
    DIR *listing = opendir(dir);
    cr_assert(listing != NULL, "no corpus at %s", dir);
    struct dirent *entry;
    int checked = 0;
    while ((entry = readdir(listing)) != NULL) {
        size_t n = strlen(entry->d_name);
        if (n < 4 || strcmp(entry->d_name + n - 4, ".txt") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
        char *text = test_read_file(path, NULL);
        diagnosed d;
        diagnose(&d, text);
        for (size_t i = 0; i < d.diags.count; i++) {
            char *what = covered_text(&d, i);
            cr_log_error("%s: %s at %u: %s (%s)", entry->d_name, d.diags.items[i].code,
                         d.diags.items[i].start, d.diags.items[i].message, what);
            free(what);
        }
        cr_expect(eq(sz, d.diags.count, 0), "%s", entry->d_name);
        dispose(&d);
        free(text);
        checked++;
    }
    closedir(listing);
    cr_assert(ge(int, checked, 6));
}

Test(lsp_diagnostics, reference_article_has_no_diagnostics)
{
    char *text = test_read_file(dl_test_shared("seeds/000_8262d85f5fa5c412.txt"), NULL);
    diagnosed d;
    diagnose(&d, text);
    cr_assert(eq(sz, d.diags.count, 0));
    dispose(&d);
    free(text);
}
