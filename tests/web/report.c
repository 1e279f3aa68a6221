/* The report's renderer: what the page is given, and that nothing an
 * article or a note holds can escape the data into the page. */
#include <stdlib.h>
#include <string.h>

#include "../../plugin/src/web/web.h"
#include "../support/dl_test.h"
#include "../support/history_fixture.h"

TestSuite(web_report, .init = fx_setup_story, .fini = fx_teardown);

#define V1 "Council approves budget\n\n“We will review spending every quarter,” the mayor said.\n"
#define V2 "Council approves budget\n\n“We will review spending every month,” the mayor said.\n"

static size_t occurrences(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

Test(web_report, a_hostile_note_or_article_cannot_end_the_data_script)
{
    fx_snap(fx_history, V1, "ok </script><script>alert(1)</script><!-- note");
    fx_snap(fx_history, V2 "\n</script><!-- in the article -->\n", NULL);
    char *html = NULL;
    size_t size = 0;
    dl_assert_ok(dl_web_report_render(&html, &size, fx_history, NULL));
    cr_assert(eq(sz, strlen(html), size));
    /* The page's own two script elements end; nothing else does. */
    cr_assert(eq(sz, occurrences(html, "</script>"), 2));
    cr_assert(eq(sz, occurrences(html, "<!--"), 0));
    cr_assert(ne(ptr, strstr(html, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"), NULL));
    free(html);
}

Test(web_report, a_self_contained_page_forbids_every_request_and_a_served_one_its_own_origin)
{
    fx_snap(fx_history, V1, NULL);
    char *html = NULL;
    size_t size = 0;
    dl_assert_ok(dl_web_report_render(&html, &size, fx_history, NULL));
    cr_assert(ne(ptr, strstr(html, "connect-src 'none'"), NULL));
    cr_assert(ne(ptr, strstr(html, "\"api_base\":null"), NULL));
    free(html);
    dl_web_report_options options = DL_WEB_REPORT_OPTIONS_INIT;
    options.api_base = "/api/story.txt";
    dl_assert_ok(dl_web_report_render(&html, &size, fx_history, &options));
    cr_assert(ne(ptr, strstr(html, "connect-src 'self'"), NULL));
    cr_assert(ne(ptr, strstr(html, "\"api_base\":\"/api/story.txt\""), NULL));
    free(html);
}

Test(web_report, neighbours_are_embedded_and_the_range_limits_the_versions)
{
    char a[41], b[41], c[41];
    strcpy(a, fx_snap(fx_history, V1, NULL));
    strcpy(b, fx_snap(fx_history, V2, NULL));
    strcpy(c, fx_snap(fx_history, V2 "\nMore.\n", NULL));
    char *html = NULL;
    size_t size = 0;
    char key[100];
    dl_web_report_options options = DL_WEB_REPORT_OPTIONS_INIT;
    options.from = b;
    dl_assert_ok(dl_web_report_render(&html, &size, fx_history, &options));
    snprintf(key, sizeof(key), "\"%s..%s\"", b, c);
    cr_assert(ne(ptr, strstr(html, key), NULL));
    char id[60];
    snprintf(id, sizeof(id), "\"id\":\"%s\"", a);
    cr_assert(eq(ptr, strstr(html, id), NULL), "a version before --from is not shown");
    free(html);

    options.from = c;
    options.to = a;
    cr_assert(eq(int, dl_web_report_render(&html, &size, fx_history, &options), DL_EINVALID));
}

Test(web_report, an_article_without_history_says_how_to_record_one)
{
    char *html = NULL;
    size_t size = 0;
    cr_assert(eq(int, dl_web_report_render(&html, &size, fx_history, NULL), DL_ENOTFOUND));
    cr_assert(ne(ptr, strstr(dl_error_last(), "dateline snapshot"), NULL));
}

Test(web_report, a_comparison_calls_out_the_changed_quotation_with_its_speaker_and_words)
{
    char a[41], b[41];
    strcpy(a, fx_snap(fx_history, V1, NULL));
    strcpy(b, fx_snap(fx_history, V2, NULL));
    json_t *json = NULL;
    dl_assert_ok(dl_web_compare_json(&json, fx_history, a, b));
    json_t *q = json_array_get(json_object_get(json, "quotations"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(q, "change")), "changed"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(q, "speaker")), "the mayor"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(q, "old")),
                 "We will review spending every quarter,"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(q, "new")),
                 "We will review spending every month,"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json, "old")), a));
    json_decref(json);
}
