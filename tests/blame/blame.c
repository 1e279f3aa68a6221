/* Blame: the version that last changed each paragraph of the current text. */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/blame.h"
#include "../support/history_fixture.h"

TestSuite(blame, .init = fx_setup_story, .fini = fx_teardown);

#define HEAD "Council approves budget\n\n"
#define LEAD "OLYMPIA, WA – The council approved the budget on Tuesday night.\n\n"
#define TAXES "Property taxes will stay flat for a third year, the finance office said.\n\n"
#define PARKS "The parks department gets two new crews for the summer season.\n\n"
#define QUOTE "“We will review spending every quarter,” the mayor said.\n\n"
#define QUOTE2 "“We will review spending every month,” the mayor said.\n\n"
#define LIBRARY "Library hours return to seven days a week downtown.\n\n"
#define END "The budget takes effect on July 1."

static dl_blame *blame_text(const char *text)
{
    dl_blame *blame = NULL;
    dl_assert_ok(dl_blame_file(&blame, fx_history, text, strlen(text), NULL));
    return blame;
}

static const char *origin(const dl_blame *blame, size_t block)
{
    cr_assert(block < blame->count);
    return blame->lines[block].recorded ? blame->lines[block].version.id.hex : NULL;
}

/* v1 writes four paragraphs, v2 edits the quote, v3 moves TAXES to the end
 * and adds LIBRARY, v4 only re-wraps a line. */
static void four_versions(char ids[4][41])
{
    snprintf(ids[0], 41, "%s", fx_snap(fx_history, HEAD LEAD TAXES PARKS QUOTE END, "first draft"));
    snprintf(ids[1], 41, "%s",
             fx_snap(fx_history, HEAD LEAD TAXES PARKS QUOTE2 END, "corrected quote"));
    snprintf(ids[2], 41, "%s", fx_snap(fx_history, HEAD LEAD PARKS QUOTE2 LIBRARY TAXES END, NULL));
    snprintf(ids[3], 41, "%s",
             fx_snap(fx_history,
                     HEAD LEAD "The parks department gets two new crews\nfor the summer season.\n\n"
                     QUOTE2 LIBRARY TAXES END, "rewrapped"));
}

Test(blame, each_paragraph_gets_the_version_that_last_changed_it)
{
    char ids[4][41];
    four_versions(ids);
    const char *now = HEAD LEAD PARKS QUOTE2 LIBRARY TAXES END;
    dl_blame *blame = blame_text(now);
    cr_assert(eq(sz, blame->count, 6));
    cr_assert(eq(str, (char *)origin(blame, 0), ids[0]), "lead: written in v1");
    cr_assert(eq(str, (char *)origin(blame, 1), ids[0]), "parks: re-wrapping is not a change");
    cr_assert(eq(str, (char *)origin(blame, 2), ids[1]), "quote: corrected in v2");
    cr_assert(eq(str, (char *)origin(blame, 3), ids[2]), "library: added in v3");
    cr_assert(eq(str, (char *)origin(blame, 4), ids[0]), "taxes: moved in v3, written in v1");
    cr_assert(eq(str, (char *)origin(blame, 5), ids[0]));
    cr_assert(eq(str, blame->lines[2].version.note, "corrected quote"));
    cr_assert(eq(str, blame->lines[2].version.author_name, "Test Writer"));
    cr_assert(eq(sz, blame->versions_walked, 4));
    dl_blame_free(blame);
}

Test(blame, a_new_byline_under_the_headline_changes_no_paragraph)
{
    /* The model keeps a byline on the headline's lines out of the blocks,
     * in old versions as in the current text. */
    const char *v1 = fx_snap(fx_history, "Council approves budget\nBy Ann Lee\n\n" LEAD END, NULL);
    char first[41];
    snprintf(first, sizeof(first), "%s", v1);
    fx_snap(fx_history, "Council approves budget\nBy Ann Lee and Bo Chan\n\n" LEAD END, "byline");
    dl_blame *blame = blame_text("Council approves budget\nBy Ann Lee and Bo Chan\n\n" LEAD END);
    cr_assert(eq(sz, blame->count, 2));
    cr_assert(eq(int, blame->lines[0].kind, DL_BLOCK_PARAGRAPH));
    cr_assert(eq(str, (char *)origin(blame, 0), first));
    cr_assert(eq(str, (char *)origin(blame, 1), first));
    dl_blame_free(blame);
}

Test(blame, headline_dek_and_byline_each_get_the_version_that_last_changed_them)
{
    char v1[41], v2[41];
    snprintf(v1, sizeof(v1), "%s",
             fx_snap(fx_history,
                     "Council approves budget\nTaxes stay flat\nBy Ann Lee\n\n" LEAD END, NULL));
    snprintf(v2, sizeof(v2), "%s",
             fx_snap(fx_history, "Council passes budget\nTaxes stay flat\nBy Ann Lee\n\n" LEAD END,
                     "sharper headline"));
    fx_snap(fx_history,
            "Council passes budget\nTaxes stay flat\nBy Ann Lee and Bo Chan\n\n" LEAD END,
            "byline");
    dl_blame *blame = blame_text("Council passes budget\nTaxes  stay flat\nBy Ann Lee, Bo Chan\n\n" LEAD END);
    cr_assert(eq(sz, blame->front_count, 3));
    cr_assert(eq(int, blame->front[0].part, DL_BLAME_HEADLINE));
    cr_assert(eq(str, blame->front[0].version.id.hex, v2), "the headline: changed in v2");
    cr_assert(eq(str, blame->front[0].version.note, "sharper headline"));
    cr_assert(eq(u32, blame->front[0].range.start_line, 0));
    cr_assert(eq(int, blame->front[1].part, DL_BLAME_DEK));
    cr_assert(eq(str, blame->front[1].version.id.hex, v1), "the dek: spacing is no change");
    cr_assert(eq(int, blame->front[2].part, DL_BLAME_BYLINE));
    cr_assert(eq(int, blame->front[2].recorded, 0), "the byline: edited since v3, not recorded");
    cr_assert(eq(u32, blame->front[2].range.start_line, 2));
    cr_assert(eq(str, (char *)origin(blame, 0), v1), "the lead: unchanged since v1");
    dl_blame_free(blame);
}

Test(blame, a_byline_block_is_a_block_not_front_matter)
{
    fx_snap(fx_history, "Council approves budget\n\nBy Ann Lee\n\n" LEAD END, NULL);
    dl_blame *blame = blame_text("Council approves budget\n\nBy Ann Lee\n\n" LEAD END);
    cr_assert(eq(sz, blame->front_count, 1), "the headline only");
    cr_assert(eq(int, blame->lines[0].kind, DL_BLOCK_BYLINE));
    dl_blame_free(blame);
}

Test(blame, each_quotation_gets_the_version_that_last_changed_its_words)
{
    char ids[4][41];
    four_versions(ids);
    dl_blame *blame = blame_text(HEAD LEAD PARKS QUOTE2 LIBRARY TAXES
                                 "“It is a fair budget,” the clerk said.\n\n" END);
    cr_assert(eq(sz, blame->quote_count, 2));
    dl_blame_quote *corrected = &blame->quotes[0];
    cr_assert(eq(str, corrected->text, "We will review spending every month,"));
    cr_assert(eq(str, corrected->speaker, "the mayor"));
    cr_assert(eq(int, corrected->recorded, 1));
    cr_assert(eq(str, corrected->version.id.hex, ids[1]), "the quote was corrected in v2");
    cr_assert(eq(str, corrected->version.note, "corrected quote"));
    cr_assert(eq(int, blame->quotes[1].recorded, 0), "a new quotation is not recorded yet");
    dl_blame_free(blame);
}

Test(blame, a_rewrapped_quotation_keeps_its_version)
{
    const char *v1 = fx_snap(fx_history, HEAD LEAD QUOTE END, NULL);
    char first[41];
    snprintf(first, sizeof(first), "%s", v1);
    fx_snap(fx_history,
            HEAD LEAD "“We will review spending\nevery quarter,” the mayor said.\n\n" END,
            "rewrapped");
    dl_blame *blame = blame_text(HEAD LEAD QUOTE END);
    cr_assert(eq(sz, blame->quote_count, 1));
    cr_assert(eq(str, blame->quotes[0].version.id.hex, first));
    dl_blame_free(blame);
}

Test(blame, max_count_credits_the_oldest_version_it_looks_at)
{
    char ids[4][41];
    four_versions(ids);
    dl_blame *blame = NULL;
    dl_blame_options options = DL_BLAME_OPTIONS_INIT;
    options.max_count = 2;
    const char *now = HEAD LEAD PARKS QUOTE2 LIBRARY TAXES END;
    dl_assert_ok(dl_blame_file(&blame, fx_history, now, strlen(now), &options));
    cr_assert(eq(sz, blame->versions_walked, 2));
    cr_assert(eq(str, (char *)origin(blame, 0), ids[2]));
    dl_blame_free(blame);
}

Test(blame, an_unrecorded_edit_has_no_version)
{
    char ids[4][41];
    four_versions(ids);
    dl_blame *blame = blame_text(HEAD LEAD PARKS QUOTE2 LIBRARY
                                 "Property taxes will rise for a third year, the finance office said.\n\n" END);
    cr_assert(eq(int, blame->lines[4].recorded, 0));
    cr_assert(origin(blame, 4) == NULL);
    cr_assert(eq(str, (char *)origin(blame, 3), ids[2]));
    dl_blame_free(blame);
}

Test(blame, an_article_without_history_is_not_recorded_at_all)
{
    dl_blame *blame = blame_text(HEAD LEAD TAXES END);
    cr_assert(eq(sz, blame->count, 3));
    for (size_t i = 0; i < blame->count; i++)
        cr_assert(eq(int, blame->lines[i].recorded, 0));
    cr_assert(eq(sz, blame->versions_walked, 0));
    dl_blame_free(blame);
}

Test(blame, a_version_with_its_parents_content_changes_nothing)
{
    const char *v1 = fx_snap(fx_history, HEAD LEAD TAXES END, NULL);
    char first[41];
    snprintf(first, sizeof(first), "%s", v1);
    fx_snap(fx_history, HEAD LEAD TAXES PARKS END, NULL);
    /* A version holding its parent's tree (as a merge by pull can): made
     * with stock git. */
    int status;
    fx_sh(&status,
          "cd '%s/.git/dateline' && ref=refs/dateline/story.txt && "
          "c=$(git commit-tree \"$ref^{tree}\" -p \"$ref\" -m same) && "
          "git update-ref \"$ref\" \"$c\"",
          fx_repo);
    cr_assert(eq(int, status, 0));
    dl_blame *blame = blame_text(HEAD LEAD TAXES PARKS END);
    cr_assert(eq(sz, blame->versions_walked, 3));
    cr_assert(eq(str, (char *)origin(blame, 0), first));
    dl_blame_free(blame);
}

Test(blame, binary_content_is_refused)
{
    dl_blame *blame = NULL;
    cr_assert(eq(int, dl_blame_file(&blame, fx_history, "a\0b", 3, NULL), DL_EINVALID));
    cr_assert(blame == NULL);
}

Test(blame, json_has_a_version_or_null_per_block)
{
    char ids[4][41];
    four_versions(ids);
    dl_blame *blame = blame_text(HEAD LEAD PARKS QUOTE2 LIBRARY TAXES END "\n\nA new line.");
    json_t *json = NULL;
    dl_assert_ok(dl_blame_to_json(&json, blame));
    json_t *blocks = json_object_get(json, "blocks");
    cr_assert(eq(sz, json_array_size(blocks), 7));
    json_t *first = json_object_get(json_array_get(blocks, 0), "version");
    const char *id = json_string_value(json_object_get(first, "id"));
    cr_assert(eq(str, (char *)id, ids[0]));
    json_t *last = json_object_get(json_array_get(blocks, 6), "version");
    cr_assert(last != NULL && json_typeof(last) == JSON_NULL);
    json_decref(json);
    dl_blame_free(blame);
}

Test(blame, a_cache_sees_new_versions_and_new_notes)
{
    dl_blame_cache *cache = NULL;
    dl_assert_ok(dl_blame_cache_new(&cache));
    dl_blame_options options = DL_BLAME_OPTIONS_INIT;
    options.cache = cache;
    const char *now = HEAD LEAD TAXES END;
    char first[41];
    snprintf(first, sizeof(first), "%s", fx_snap(fx_history, now, NULL));
    dl_blame *blame = NULL;
    dl_assert_ok(dl_blame_file(&blame, fx_history, now, strlen(now), &options));
    cr_assert(eq(str, (char *)origin(blame, 1), first));
    cr_assert(blame->lines[1].version.note == NULL);
    dl_blame_free(blame);

    /* Another current text against the same history. */
    const char *edited = HEAD LEAD PARKS END;
    dl_assert_ok(dl_blame_file(&blame, fx_history, edited, strlen(edited), &options));
    cr_assert(eq(int, blame->lines[1].recorded, 0));
    dl_blame_free(blame);

    const char *second = fx_snap(fx_history, edited, NULL);
    dl_assert_ok(dl_blame_file(&blame, fx_history, edited, strlen(edited), &options));
    cr_assert(eq(str, (char *)origin(blame, 1), (char *)second), "a new version is seen");
    dl_blame_free(blame);

    dl_history_id id;
    dl_assert_ok(dl_history_note(&id, fx_history, "@~1", "filed"));
    dl_assert_ok(dl_blame_file(&blame, fx_history, edited, strlen(edited), &options));
    cr_assert(eq(str, blame->lines[0].version.note, "filed"), "a new note is seen");
    dl_blame_free(blame);
    dl_blame_cache_free(cache);
}

/* The version id (of `ids`, by index) a blame JSON entry names, or -1 for null. */
static int version_index(json_t *entry, char ids[][41], int count)
{
    json_t *version = json_object_get(entry, "version");
    cr_assert(version != NULL);
    if (json_is_null(version))
        return -1;
    const char *id = json_string_value(json_object_get(version, "id"));
    for (int i = 0; i < count; i++)
        if (strcmp(id, ids[i]) == 0)
            return i;
    cr_assert(false, "an unknown version %s", id);
    return -2;
}

Test(blame, a_history_of_edits_moves_quotes_and_front_matter_gets_every_answer_right)
{
    /* The known answers of the whole model's walk: blame walks versions
     * with a model that has no counts or speakers, and must answer as if
     * it had them. */
#define FRONT(h, d, b) h "\n" d "\n" b "\n\n"
#define RUN1 "The mayor spoke. “We will rebuild the harbor.\n\n"
#define RUN2 "“Nobody will be left out,” the mayor said.\n\n"
#define RUN2B "“Nobody at all will be left out,” the mayor said.\n\n"
#define QUOTE3 "“We will review spending every month,” the clerk said.\n\n"
    static const char *const versions[] = {
        FRONT("Council approves budget", "Taxes stay flat", "By Ann Lee") LEAD TAXES QUOTE RUN1
            RUN2 PARKS END,
        /* 1: an edit */
        FRONT("Council approves budget", "Taxes stay flat", "By Ann Lee") LEAD
            "Property taxes will stay flat for a fourth year.\n\n" QUOTE RUN1 RUN2 PARKS END,
        /* 2: a move */
        FRONT("Council approves budget", "Taxes stay flat", "By Ann Lee") LEAD PARKS
            "Property taxes will stay flat for a fourth year.\n\n" QUOTE RUN1 RUN2 END,
        /* 3: a quotation's words changed */
        FRONT("Council approves budget", "Taxes stay flat", "By Ann Lee") LEAD PARKS
            "Property taxes will stay flat for a fourth year.\n\n" QUOTE2 RUN1 RUN2 END,
        /* 4: the same words credited to someone else */
        FRONT("Council approves budget", "Taxes stay flat", "By Ann Lee") LEAD PARKS
            "Property taxes will stay flat for a fourth year.\n\n" QUOTE3 RUN1 RUN2 END,
        /* 5, 6, 7: headline, dek, byline */
        FRONT("Council passes budget", "Taxes stay flat", "By Ann Lee") LEAD PARKS
            "Property taxes will stay flat for a fourth year.\n\n" QUOTE3 RUN1 RUN2 END,
        FRONT("Council passes budget", "Taxes stay flat for now", "By Ann Lee") LEAD PARKS
            "Property taxes will stay flat for a fourth year.\n\n" QUOTE3 RUN1 RUN2 END,
        FRONT("Council passes budget", "Taxes stay flat for now", "By Ann Lee and Bo Chan") LEAD
            PARKS "Property taxes will stay flat for a fourth year.\n\n" QUOTE3 RUN1 RUN2 END,
        /* 8: the second part of a run-on quotation */
        FRONT("Council passes budget", "Taxes stay flat for now", "By Ann Lee and Bo Chan") LEAD
            PARKS "Property taxes will stay flat for a fourth year.\n\n" QUOTE3 RUN1 RUN2B END,
    };
    enum { COUNT = sizeof(versions) / sizeof(versions[0]) };
    char ids[COUNT][41];
    for (int i = 0; i < COUNT; i++)
        snprintf(ids[i], sizeof(ids[i]), "%s", fx_snap(fx_history, versions[i], NULL));

    dl_blame *blame = blame_text(versions[COUNT - 1]);
    json_t *json = NULL;
    dl_assert_ok(dl_blame_to_json(&json, blame));
    json_t *front = json_object_get(json, "front"), *blocks = json_object_get(json, "blocks"),
           *quotes = json_object_get(json, "quotations");

    static const int front_answers[] = {5, 6, 7}; /* headline, dek, byline */
    cr_assert(eq(sz, json_array_size(front), 3));
    for (size_t i = 0; i < 3; i++)
        cr_assert(eq(int, version_index(json_array_get(front, i), ids, COUNT), front_answers[i]),
                  "front part %zu", i);

    /* lead, parks (moved), taxes (edited), the reattributed quote's
     * paragraph, the run-on's first and edited second paragraph, the end. */
    static const int block_answers[] = {0, 0, 1, 4, 0, 8, 0};
    cr_assert(eq(sz, json_array_size(blocks), 7));
    for (size_t i = 0; i < 7; i++)
        cr_assert(eq(int, version_index(json_array_get(blocks, i), ids, COUNT), block_answers[i]),
                  "block %zu", i);

    /* The quote's words changed in 3 (reattributing them in 4 is no
     * change to them), the run-on's first part is as written, its second
     * edited in 8. */
    static const int quote_answers[] = {3, 0, 8};
    cr_assert(eq(sz, json_array_size(quotes), 3));
    for (size_t i = 0; i < 3; i++)
        cr_assert(eq(int, version_index(json_array_get(quotes, i), ids, COUNT), quote_answers[i]),
                  "quotation %zu", i);
    json_t *reattributed = json_array_get(quotes, 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(reattributed, "speaker")),
                 "the clerk"));
    json_t *continued = json_array_get(quotes, 2);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(continued, "speaker")),
                 "the mayor"));
    json_t *lead = json_array_get(blocks, 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(lead, "first_words")),
                 "The council approved the budget on Tuesday night."));
    json_decref(json);
    dl_blame_free(blame);
#undef FRONT
#undef RUN1
#undef RUN2
#undef RUN2B
#undef QUOTE3
}
