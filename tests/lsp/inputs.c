/*
 * What the server accepts: wrongly typed params are InvalidParams (never
 * read as position 0), and history commands stay in the workspace.
 */
#include "client.h"

TestSuite(lsp_inputs);

static const char article[] = "Headline\n\nOLYMPIA, WA – The lead.\n";

static int error_code(const json_t *response)
{
    return (int)json_integer_value(json_object_get(json_object_get(response, "error"), "code"));
}

static const char *error_message(const json_t *response)
{
    return json_string_value(json_object_get(json_object_get(response, "error"), "message"));
}

Test(lsp_inputs, wrongly_typed_positions_and_ranges_are_invalid_params)
{
    test_client c;
    test_client_start(&c, 1);
    test_client_initialize(&c, NULL);
    test_client_open(&c, "untitled:story", article);
    static const char *const hovers[] = {
        "\"x\"", "{\"line\": \"0\", \"character\": 0}", "{\"line\": 0}",
        "{\"line\": -1, \"character\": 0}", "null",
    };
    for (size_t i = 0; i < sizeof(hovers) / sizeof(hovers[0]); i++) {
        json_t *position = json_loads(hovers[i], JSON_DECODE_ANY, NULL);
        json_t *r = test_client_request(
            &c, "textDocument/hover",
            json_pack("{s:{s:s}, s:o}", "textDocument", "uri", "untitled:story", "position",
                      position));
        cr_assert(eq(int, error_code(r), -32602), "hover at %s", hovers[i]);
    }
    json_t *r = test_client_request(
        &c, "textDocument/codeAction",
        json_pack("{s:{s:s}, s:s, s:{s:[]}}", "textDocument", "uri", "untitled:story", "range",
                  "all", "context", "diagnostics"));
    cr_assert(eq(int, error_code(r), -32602));
    r = test_client_request(&c, "textDocument/selectionRange",
                            json_pack("{s:{s:s}, s:[{s:s, s:i}]}", "textDocument", "uri",
                                      "untitled:story", "positions", "line", "1", "character", 0));
    cr_assert(eq(int, error_code(r), -32602));
    r = test_client_request(&c, "textDocument/hover",
                            json_pack("{s:{s:s}, s:{s:i, s:i}}", "textDocument", "uri",
                                      "untitled:story", "position", "line", 2, "character", 3));
    cr_assert(json_object_get(r, "error") == NULL, "a well-typed hover is answered");
    test_client_stop(&c);
}

Test(lsp_inputs, a_file_not_opened_and_outside_any_folder_is_invalid_params)
{
    test_client c;
    test_client_start(&c, 1);
    test_client_initialize(&c, NULL);
    static const char *const commands[] = {"dateline.snapshot", "dateline.restore",
                                           "dateline.log"};
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        json_t *r = test_client_request(
            &c, "workspace/executeCommand",
            json_pack("{s:s, s:[{s:s, s:s}]}", "command", commands[i], "arguments", "uri",
                      "file:///etc/hostname", "rev", "@"));
        cr_assert(eq(int, error_code(r), -32602), "%s", commands[i]);
        cr_assert(strstr(error_message(r), "/etc/hostname is not a file opened") != NULL, "%s",
                  error_message(r));
    }
    json_t *r = test_client_request(
        &c, "workspace/executeCommand",
        json_pack("{s:s, s:{s:s}}", "command", "dateline.log", "arguments", "uri",
                  "file:///etc/hostname"));
    cr_assert(eq(int, error_code(r), -32602), "arguments must be an array");
    test_client_stop(&c);
}
