/* Blame: the version that last changed each paragraph of the current text. */
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/blame.h"
#include "../support/history_fixture.h"

static dl_history_store *store;
static dl_history *history;

static void setup(void)
{
    fx_setup();
    fx_open(&store, &history, fx_repo_path("story.txt"));
}

static void teardown(void)
{
    dl_history_free(history);
    dl_history_store_free(store);
    fx_teardown();
}

TestSuite(blame, .init = setup, .fini = teardown);

#define HEAD "Council approves budget\n\n"
#define LEAD "OLYMPIA, WA – The council approved the budget on Tuesday night.\n\n"
#define TAXES "Property taxes will stay flat for a third year, the finance office said.\n\n"
#define PARKS "The parks department gets two new crews for the summer season.\n\n"
#define QUOTE "“We will review spending every quarter,” the mayor said.\n\n"
#define QUOTE2 "“We will review spending every month,” the mayor said.\n\n"
#define LIBRARY "Library hours return to seven days a week downtown.\n\n"
#define END "The budget takes effect on July 1."

static dl_blame *blame_text(const char *text, int parse)
{
    dl_blame *blame = NULL;
    dl_blame_options options = DL_BLAME_OPTIONS_INIT;
    options.parse_versions = parse;
    dl_assert_ok(dl_blame_file(&blame, history, text, strlen(text), &options));
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
    snprintf(ids[0], 41, "%s", fx_snap(history, HEAD LEAD TAXES PARKS QUOTE END, "first draft"));
    snprintf(ids[1], 41, "%s", fx_snap(history, HEAD LEAD TAXES PARKS QUOTE2 END, "corrected quote"));
    snprintf(ids[2], 41, "%s", fx_snap(history, HEAD LEAD PARKS QUOTE2 LIBRARY TAXES END, NULL));
    snprintf(ids[3], 41, "%s",
             fx_snap(history, HEAD LEAD "The parks department gets two new crews\nfor the summer season.\n\n"
                              QUOTE2 LIBRARY TAXES END, "rewrapped"));
}

static void check_four_versions(int parse)
{
    char ids[4][41];
    four_versions(ids);
    const char *now = HEAD LEAD PARKS QUOTE2 LIBRARY TAXES END;
    dl_blame *blame = blame_text(now, parse);
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

Test(blame, each_paragraph_gets_the_version_that_last_changed_it)
{
    check_four_versions(0);
}

Test(blame, parsing_every_version_gives_the_same_answer)
{
    check_four_versions(1);
}

Test(blame, an_unrecorded_edit_has_no_version)
{
    char ids[4][41];
    four_versions(ids);
    dl_blame *blame = blame_text(HEAD LEAD PARKS QUOTE2 LIBRARY
                                 "Property taxes will rise for a third year, the finance office said.\n\n" END,
                                 0);
    cr_assert(eq(int, blame->lines[4].recorded, 0));
    cr_assert(origin(blame, 4) == NULL);
    cr_assert(eq(str, (char *)origin(blame, 3), ids[2]));
    dl_blame_free(blame);
}

Test(blame, an_article_without_history_is_not_recorded_at_all)
{
    dl_blame *blame = blame_text(HEAD LEAD TAXES END, 0);
    cr_assert(eq(sz, blame->count, 3));
    for (size_t i = 0; i < blame->count; i++)
        cr_assert(eq(int, blame->lines[i].recorded, 0));
    cr_assert(eq(sz, blame->versions_walked, 0));
    dl_blame_free(blame);
}

Test(blame, a_version_with_the_same_blob_as_its_parent_is_not_read_again)
{
    const char *v1 = fx_snap(history, HEAD LEAD TAXES END, NULL);
    char first[41];
    snprintf(first, sizeof(first), "%s", v1);
    fx_snap(history, HEAD LEAD TAXES PARKS END, NULL);
    /* A version holding its parent's tree (as a merge by pull can): made
     * with stock git. */
    int status;
    fx_sh(&status,
          "cd '%s' && ref=refs/dateline/story.txt && "
          "c=$(git commit-tree \"$ref^{tree}\" -p \"$ref\" -m same) && "
          "git update-ref \"$ref\" \"$c\"",
          fx_repo);
    cr_assert(eq(int, status, 0));
    dl_blame *blame = blame_text(HEAD LEAD TAXES PARKS END, 0);
    cr_assert(eq(sz, blame->versions_walked, 3));
    cr_assert(eq(sz, blame->versions_read, 2));
    cr_assert(eq(str, (char *)origin(blame, 0), first));
    dl_blame_free(blame);
}

Test(blame, binary_content_is_refused)
{
    dl_blame *blame = NULL;
    cr_assert(eq(int, dl_blame_file(&blame, history, "a\0b", 3, NULL), DL_EINVALID));
    cr_assert(blame == NULL);
}

Test(blame, json_has_a_version_or_null_per_block)
{
    char ids[4][41];
    four_versions(ids);
    dl_blame *blame = blame_text(HEAD LEAD PARKS QUOTE2 LIBRARY TAXES END "\n\nA new line.", 0);
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
