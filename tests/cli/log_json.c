/* `dateline log --json` writes its text without building a jansson tree;
 * a script must not be able to tell: the bytes are those json_dumps
 * prints for the tree the server returns, whatever the names and notes
 * hold. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../support/cli_run.h"
#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/json.h"
#include "dateline/ops.h"

static void setup(void)
{
    fx_setup();
    /* A key that is not ASCII, escaped in the JSON as \uXXXX. */
    fx_story_open_file(fx_repo_path("café “story”.txt"));
}

TestSuite(cli_log_json, .init = setup, .fini = fx_teardown);

/* json_dumps of the server's tree, as the CLI printed it before. */
static char *tree_text(void)
{
    dl_history_log *log = NULL;
    json_t *tree = NULL;
    dl_assert_ok(dl_ops_log(&log, fx_history, NULL));
    dl_assert_ok(dl_ops_log_json(&tree, fx_history, log));
    char *text = json_dumps(tree, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    json_decref(tree);
    dl_history_log_free(log);
    return text;
}

static void assert_cli_prints_the_tree(void)
{
    char *expected = tree_text();
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", "--json", fx_file, NULL});
    cr_assert(eq(int, r.status, 0), "%s", r.err);
    size_t n = strlen(r.out);
    cr_assert(n > 0 && r.out[n - 1] == '\n');
    r.out[n - 1] = '\0';
    cr_assert(eq(str, r.out, expected));
    dl_test_cli_result_free(&r);
    free(expected);
}

Test(cli_log_json, an_empty_log_prints_as_the_tree_does)
{
    assert_cli_prints_the_tree();
}

Test(cli_log_json, notes_of_any_text_print_as_the_tree_does)
{
    /* Quotes, backslashes, control characters, DEL, two- three- and
     * four-byte UTF-8 (a surrogate pair in JSON), U+2028. */
    const char *notes[] = {
        "said “no comment”",
        "a \"quoted\" \\ backslash / slash",
        "tab\there, bell\a, escape\x1b, DEL\x7f, form feed\f",
        "emoji \xF0\x9F\x93\xB0 and \xE2\x80\xA8 line separator",
        "ß é ñ ¶ 中文",
    };
    for (size_t i = 0; i < sizeof(notes) / sizeof(*notes); i++) {
        char text[128];
        snprintf(text, sizeof(text), "Headline\n\nVersion %zu of the story.\n", i);
        fx_snap(fx_history, text, notes[i]);
    }
    fx_snap(fx_history, "Headline\n\nBinary \x01\xff now.\n", NULL); /* not text */
    assert_cli_prints_the_tree();
}

Test(cli_log_json, the_writer_refuses_what_json_cannot_hold)
{
    dl_json_writer *w = NULL;
    char *text = NULL;
    size_t size = 0;
    dl_assert_ok(dl_json_writer_new(&w, 1));
    dl_json_open_object(w, NULL);
    dl_json_put_string(w, "bad", "\xC0\xAF"); /* an overlong '/' */
    dl_json_close(w);
    cr_assert(lt(int, dl_json_writer_text(&text, &size, w), 0));
    dl_json_writer_free(w);
}
