/* The summary, the JSON and the terminal view of a diff. */
#include <stdlib.h>
#include <string.h>

#include "articles.h"
#include "support.h"

TestSuite(diff_render);

static int is_null(json_t *value)
{
    return json_is_null(value);
}

static int is_object(json_t *value)
{
    return json_is_object(value);
}

static char *jstr(json_t *value)
{
    return (char *)json_string_value(value);
}

#define EDITED_VERSION                                                                             \
    "Council rejects budget after long debate\n\n" LEAD P_TAXES                                    \
    "The parks department gets two new crews for the summer season and a smaller maintenance "      \
    "budget for trails.\n\n"                                                                       \
    "“We will review spending every month,” the mayor said after the vote.\n\n" P_LIBRARY          \
    "A new senior center opens in the fall on the east side.\n\n" P_END

Test(diff_render, the_summary_lists_paragraphs_then_quotations_then_events)
{
    diffed d = diff_texts(BASE, EDITED_VERSION);
    cr_assert(eq(str, d.summary,
                 "¶3, ¶4 edited, ¶6 added; quotation changed (the mayor); headline changed"));
    diffed_free(&d);
}

Test(diff_render, json_has_schema_kinds_words_and_quotations)
{
    diffed d = diff_texts(BASE, EDITED_VERSION);
    json_t *json = NULL;
    dl_assert_ok(dl_diff_to_json(&json, d.diff));
    int schema = (int)json_integer_value(json_object_get(json, "schema"));
    cr_assert(eq(int, schema, 1));
    json_t *blocks = json_object_get(json, "blocks");
    cr_assert(eq(sz, json_array_size(blocks), 7));
    json_t *edited = json_array_get(blocks, 2);
    cr_assert(eq(str, jstr(json_object_get(edited, "kind")), "edited"));
    cr_assert(json_array_size(json_object_get(edited, "words")) > 0);
    cr_assert(is_object(json_object_get(edited, "old_range")));
    json_t *added = json_array_get(blocks, 5);
    cr_assert(eq(str, jstr(json_object_get(added, "kind")), "added"));
    cr_assert(is_null(json_object_get(added, "old_index")));
    cr_assert(is_null(json_object_get(json, "dateline")));
    json_t *headline = json_object_get(json, "headline");
    cr_assert(eq(str, jstr(json_object_get(headline, "new")),
                 "Council rejects budget after long debate"));
    json_t *quote = json_array_get(json_object_get(json, "quotations"), 0);
    cr_assert(eq(str, jstr(json_object_get(quote, "change")), "changed"));
    cr_assert(eq(str, jstr(json_object_get(quote, "speaker")), "the mayor"));
    json_t *stats = json_object_get(json, "stats");
    cr_assert(json_integer_value(json_object_get(stats, "edited")) == 2);
    cr_assert(json_integer_value(json_object_get(stats, "added")) == 1);
    json_decref(json);
    diffed_free(&d);
}

static char *printed(const diffed *d, int color)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    dl_assert_ok(dl_diff_print(out, d->diff, d->old, d->new, color));
    fclose(out);
    return text;
}

Test(diff_render, the_plain_view_marks_words_without_escape_codes)
{
    diffed d = diff_texts(BASE, EDITED_VERSION);
    char *text = printed(&d, 0);
    cr_assert(strchr(text, '\033') == NULL);
    cr_assert(strstr(text, "[-quarter-]{+month+},") != NULL, "%s", text);
    cr_assert(strstr(text, "quotation changed (the mayor), ¶4") != NULL, "%s", text);
    cr_assert(strstr(text, "headline changed: Council [-approves-]{+rejects+} budget") != NULL,
              "%s", text);
    cr_assert(strstr(text, "¶6 added") != NULL, "%s", text);
    free(text);
    diffed_free(&d);
}

Test(diff_render, the_colour_view_uses_escape_codes)
{
    diffed d = diff_texts(BASE, EDITED_VERSION);
    char *text = printed(&d, 1);
    cr_assert(strstr(text, "\033[31mquarter\033[0m") != NULL, "%s", text);
    cr_assert(strstr(text, "\033[32mmonth\033[0m") != NULL, "%s", text);
    free(text);
    diffed_free(&d);
}

Test(diff_render, a_move_is_shown_once_with_both_numbers)
{
    diffed d = diff_texts(BASE, HEADLINE LEAD P_PARKS P_QUOTE P_LIBRARY P_TAXES P_END);
    char *text = printed(&d, 0);
    cr_assert(strstr(text, "¶2 → ¶5 moved") != NULL, "%s", text);
    cr_assert(strstr(text, "added") == NULL && strstr(text, "removed") == NULL, "%s", text);
    free(text);
    diffed_free(&d);
}
