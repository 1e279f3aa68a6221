/*
 * Escape sequences, bells, carriage returns, C1 controls and bytes that
 * are not UTF-8, in an article's text, a note, an author's name, a file
 * name and a remote's ref names: every human-readable output shows them
 * as visible escapes (\033, \a, \302\233, \377) and never passes one to
 * the terminal or the editor; --json and `show` keep the bytes exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lsp/client.h"
#include "../support/cli_run.h"
#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/cli.h"
#include "dateline/text.h"

/* ESC [2J clears the screen, OSC 52 writes the clipboard, U+009B is a CSI
 * on its own, a CR would let the rest overwrite the line. */
#define ARTICLE                                                                                \
    "Head\033[2Jline\a\n\nBody \xc2\x9b" "31m text “quoted\033]52;c;aGk=\a,” he said.\n"
#define ARTICLE2 ARTICLE "\nA second paragraph\033[5m that blinks.\n"
#define NOTE "cleared\033[2J by\xc2\x9b legal\a\rFAKE LINE\nsecond line"
/* Not \xff: JSON cannot carry a name that is not UTF-8. */
#define AUTHOR "Eve\033]52;c;aGk=\a \xc2\x9b"

static char *file;

static void setup(void)
{
    fx_setup();
    int rc;
    fx_sh(&rc, "git -C '%s' config user.name \"$(printf '" AUTHOR "')\"", fx_repo);
    cr_assert(eq(int, rc, 0));
    file = strdup(fx_repo_path("story.txt"));
    fx_write_str(file, ARTICLE2);
    fx_story_open_file(file);
    fx_snap(fx_history, ARTICLE, NULL);
    fx_snap(fx_history, ARTICLE2, NOTE);
    fx_story_close();
}

static void teardown(void)
{
    free(file);
    fx_teardown();
}

TestSuite(hostile_escapes, .init = setup, .fini = teardown);

/* Nothing a terminal acts on: no C0 control but the line break, no DEL,
 * no C1 control, no byte that is not UTF-8. `sgr` allows dateline's own
 * colours (ESC [ digits m), for --color=always. */
static void assert_inert(const char *text, int sgr, const char *what)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (sgr && s[i] == '\033' && s[i + 1] == '[') {
            size_t k = i + 2;
            while (s[k] >= '0' && s[k] <= '9')
                k++;
            cr_assert(s[k] == 'm', "%s: ESC not a colour at %zu:\n%s", what, i, text);
            continue;
        }
        cr_assert(s[i] >= 0x20 || s[i] == '\n', "%s: control 0x%02x at %zu:\n%s", what, s[i], i,
                  text);
        cr_assert(s[i] != 0x7f, "%s: DEL at %zu", what, i);
        int c1 = s[i] == 0xc2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f;
        cr_assert(c1 == 0, "%s: C1 control at %zu:\n%s", what, i, text);
    }
    dl_assert_ok(dl_text_check(text, strlen(text), what));
}

static void assert_has(const char *text, const char *shown, const char *what)
{
    cr_assert(strstr(text, shown) != NULL, "%s: no %s in:\n%s", what, shown, text);
}

Test(hostile_escapes, log_shows_note_and_author_escaped_on_one_line)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    assert_inert(r.out, 0, "log");
    assert_has(r.out, "Eve\\033]52;c;aGk=\\a \\302\\233", "log");
    /* The note's first line ends at the CR: "FAKE LINE" never shows. */
    assert_has(r.out, "cleared\\033[2J by\\302\\233 legal\\a (+2 lines)\n", "log");
    cr_assert(strstr(r.out, "FAKE") == NULL, "%s", r.out);
    /* One line per version, whatever the note holds. */
    size_t lines = 0;
    for (const char *p = r.out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    cr_assert(eq(sz, lines, 2), "%s", r.out);
    dl_test_cli_result_free(&r);
}

Test(hostile_escapes, log_json_keeps_the_note_and_author_exact)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", "--json", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    json_t *doc = json_loads(r.out, 0, NULL);
    cr_assert(doc != NULL);
    json_t *newest = json_array_get(json_object_get(doc, "versions"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(newest, "note")), NOTE));
    json_decref(doc);
    dl_test_cli_result_free(&r);
}

Test(hostile_escapes, blame_shows_everything_escaped_and_notes_on_one_line)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "blame", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    assert_inert(r.out, 0, "blame");
    assert_has(r.out, "Eve\\033]52;c;aGk=\\a \\302\\233", "blame");
    assert_has(r.out, "cleared\\033[2J by\\302\\233", "blame");
    assert_has(r.out, "blinks", "blame");
    cr_assert(strstr(r.out, "second line\n") == NULL, "a note line of its own:\n%s", r.out);
    /* Two blocks and one quotation: three rows. */
    size_t lines = 0;
    for (const char *p = r.out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    cr_assert(eq(sz, lines, 3), "%s", r.out);
    dl_test_cli_result_free(&r);
}

Test(hostile_escapes, diff_without_colour_shows_escapes)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "diff", "--color=never", "@~1", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    assert_inert(r.out, 0, "diff");
    assert_has(r.out, "paragraph\\033[5m that blinks", "diff");
    dl_test_cli_result_free(&r);
}

Test(hostile_escapes, diff_in_colour_has_only_its_own_colours)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "diff", "--color=always", "@~1", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    assert_inert(r.out, 1, "diff --color");
    assert_has(r.out, "paragraph\\033[5m that blinks", "diff --color");
    cr_assert(strstr(r.out, "\033[5m") == NULL, "%s", r.out);
    dl_test_cli_result_free(&r);
}

Test(hostile_escapes, outline_shows_the_articles_controls_escaped)
{
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "outline", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    assert_inert(r.out, 0, "outline");
    assert_has(r.out, "Head\\033[2Jline\\a", "outline");
    assert_has(r.out, "\\302\\23331m", "outline");
    assert_has(r.out, "quoted\\033]52;c;aGk=\\a", "outline");
    dl_test_cli_result_free(&r);
}

Test(hostile_escapes, show_is_data_and_prints_the_bytes_exactly)
{
    /* Like `git show`, `show` is for piping a version somewhere: it is
     * the version's content, not a report about it. */
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "show", "@", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    cr_assert(eq(str, r.out, ARTICLE2));
    dl_test_cli_result_free(&r);
}

Test(hostile_escapes, note_and_stats_messages_name_a_file_escaped)
{
    const char *bad = fx_repo_path("no\033[2Jsuch\xff.txt");
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "stats", (char *)bad, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_ERROR));
    assert_inert(r.err, 0, "stats");
    assert_has(r.err, "no\\033[2Jsuch\\377.txt", "stats");
    dl_test_cli_result_free(&r);

    r = dl_test_cli_run((char *[]){"dateline", "note", (char *)bad, "-m", "x", NULL});
    cr_assert(eq(int, r.status, DL_EXIT_ERROR));
    assert_inert(r.err, 0, "note");
    dl_test_cli_result_free(&r);

    r = dl_test_cli_run((char *[]){"dateline", "note", file, "-m", NOTE, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    assert_inert(r.out, 0, "note");
    dl_test_cli_result_free(&r);
}

Test(hostile_escapes, pull_names_a_hostile_ref_escaped)
{
    int rc;
    /* Git allows any byte from 0x80 in a ref name: a raw C1 CSI and 0xff. */
    fx_sh(&rc,
          "set -e; cd '%s'; git init -q --bare remote.git; cd remote.git;"
          "b=$(printf 'H\\n\\nB.\\n' | git hash-object -w --stdin);"
          "t=$(printf '100644 blob %%s\\tx.txt\\n' $b | git mktree);"
          "c=$(git commit-tree $t -m v1);"
          "git update-ref \"$(printf 'refs/dateline/x\\302\\23331m\\377.txt')\" $c;"
          "cd ..; git -C repo remote add hostile \"$PWD/remote.git\"",
          fx_root);
    cr_assert(eq(int, rc, 0));
    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "pull", "hostile", fx_repo, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    assert_inert(r.out, 0, "pull");
    assert_has(r.out, "refused refs/dateline/x\\302\\23331m\\377.txt: ", "pull");
    dl_test_cli_result_free(&r);

    r = dl_test_cli_run((char *[]){"dateline", "push", "no\033]52;c;aGk=\awhere", fx_repo, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_ERROR));
    assert_inert(r.err, 0, "push");
    dl_test_cli_result_free(&r);
}

/* The text of every window/showMessage and window/logMessage received. */
static char *server_messages(test_client *c)
{
    char *all = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&all, &size);
    size_t i;
    json_t *m;
    json_array_foreach(c->received, i, m) {
        const char *method = json_string_value(json_object_get(m, "method"));
        if (method && (strcmp(method, "window/showMessage") == 0 ||
                       strcmp(method, "window/logMessage") == 0))
            fprintf(out, "%s\n",
                    json_string_value(json_object_get(json_object_get(m, "params"), "message")));
    }
    fclose(out);
    return all;
}

Test(hostile_escapes, the_servers_messages_and_hover_show_escapes_on_one_line)
{
    /* A file whose name holds ESC [2J, saved: the server's log line names it. */
    const char *name = fx_repo_path("odd\033[2J.txt");
    fx_write_str(name, ARTICLE);
    char uri[4096];
    snprintf(uri, sizeof(uri), "file://%s", fx_repo_path("odd%1B[2J.txt"));
    test_client c;
    test_client_start(&c, 0);
    test_client_initialize(&c, NULL);
    test_client_open(&c, uri, ARTICLE);
    test_client_notify(&c, "textDocument/didSave",
                       json_pack("{s:{s:s}}", "textDocument", "uri", uri));
    dl_lsp_server_drain(c.server);
    char *messages = server_messages(&c);
    assert_has(messages, "odd\\033[2J.txt", "server messages");
    assert_inert(messages, 0, "server messages");
    free(messages);

    /* Hover over the second paragraph of the article with the note. */
    snprintf(uri, sizeof(uri), "file://%s", file);
    test_client_open(&c, uri, ARTICLE2);
    json_t *r = test_client_request(
        &c, "textDocument/hover",
        json_pack("{s:{s:s}, s:{s:i, s:i}}", "textDocument", "uri", uri, "position", "line", 4,
                  "character", 3));
    const char *hover =
        json_string_value(json_object_get(json_object_get(json_object_get(r, "result"),
                                                          "contents"),
                                          "value"));
    cr_assert(hover != NULL, "%s", json_dumps(r, 0));
    assert_has(hover, "> cleared\\033[2J by\\302\\233 legal\\a FAKE LINE second line", "hover");
    assert_has(hover, "Eve\\033]52;c;aGk=\\a \\302\\233", "hover");
    assert_inert(hover, 0, "hover");
    test_client_stop(&c);
}

Test(hostile_escapes, diagnostics_quote_a_note_escaped)
{
    /* The quotation changes since the annotated version: the diagnostic
     * names that version's note and the words it had. */
    char uri[4096];
    snprintf(uri, sizeof(uri), "file://%s", file);
    test_client c;
    test_client_start(&c, 0);
    test_client_initialize(&c, NULL);
    test_client_open(&c, uri,
                     "Head\033[2Jline\a\n\nBody \xc2\x9b"
                     "31m text “unquoted\033]52;c;aGk=\a,” he said.\n");
    dl_lsp_server_drain(c.server);
    dl_lsp_server_idle(c.server); /* the worker's results: diagnostics */
    json_t *published = test_client_last(&c, "textDocument/publishDiagnostics");
    cr_assert(published != NULL);
    json_t *diagnostics = json_object_get(json_object_get(published, "params"), "diagnostics");
    int quoted = 0;
    size_t i;
    json_t *d;
    json_array_foreach(diagnostics, i, d) {
        const char *message = json_string_value(json_object_get(d, "message"));
        assert_inert(message, 0, "diagnostic");
        quoted += strstr(message, "cleared\\033[2J by\\302\\233 legal\\a FAKE LINE") != NULL;
    }
    cr_assert(eq(int, quoted, 1), "%s", json_dumps(diagnostics, 0));
    test_client_stop(&c);
}

/* git lets an author's name and a note hold bytes that are not UTF-8 (a
 * remote's commits can bring them); JSON cannot carry those bytes, so each
 * reads as U+FFFD, and the log, blame and JSON still work. */
Test(hostile_escapes, a_name_and_a_note_that_are_not_utf8_read_as_replacement_characters)
{
    int rc;
    fx_sh(&rc, "git -C '%s' config user.name \"$(printf 'Ren\\351e')\"", fx_repo);
    cr_assert(eq(int, rc, 0));
    fx_story_open_file(file);
    const char *id = fx_snap(fx_history, ARTICLE2 "\nA third paragraph.\n", NULL);
    /* dateline refuses such a note; plain git writes one. */
    fx_sh(&rc, "git --git-dir='%s' notes --ref=dateline add -m \"$(printf 'caf\\351 \\377')\" %s",
          dl_history_store_path(fx_store), id);
    cr_assert(eq(int, rc, 0));
    fx_story_close();

    dl_test_cli_result r = dl_test_cli_run((char *[]){"dateline", "log", "--json", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    json_t *doc = json_loads(r.out, 0, NULL);
    cr_assert(doc != NULL, "%s", r.out);
    json_t *newest = json_array_get(json_object_get(doc, "versions"), 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(json_object_get(newest, "author"), "name")),
                 "Ren\xef\xbf\xbd" "e"));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(newest, "note")),
                 "caf\xef\xbf\xbd \xef\xbf\xbd"));
    json_decref(doc);
    dl_test_cli_result_free(&r);
    r = dl_test_cli_run((char *[]){"dateline", "blame", "--json", file, NULL});
    cr_assert(eq(int, r.status, DL_EXIT_OK), "%s", r.err);
    dl_test_cli_result_free(&r);
}
