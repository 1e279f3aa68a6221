/*
 * Language server latency, measured from a client: `dateline lsp` is
 * spawned and driven over pipes; each figure is the time from writing a
 * request to having its whole response (framed, not yet parsed).
 *
 *   lsp_bench DATELINE FILE ROUNDS [HISTORY_ROUNDS [GIT_FILE]]
 *
 * FILE is inside a git repository. HISTORY_ROUNDS (default ROUNDS) is for
 * the snapshot and save figures, which take far longer per round on a
 * large file. With GIT_FILE (in another repository), each save is followed
 * by `git add` + `git commit` of one changed character there, so that both
 * are timed on the same machine, in the same state of its file system.
 *
 * Prints "name median_ms p95_ms" lines: change_symbols, split_symbols (a
 * new paragraph), change_article (dateline/article after a keystroke), hover, snapshot, save_record (didSave until
 * dateline/recorded), and git_commit with GIT_FILE.
 */
#include <jansson.h>
#include <libgen.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dateline/lsp.h"

static int to_server, from_server;
static dl_lsp_reader *reader;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void send_json(json_t *message)
{
    char *body = json_dumps(message, JSON_COMPACT);
    char header[64];
    int n = snprintf(header, sizeof(header), "Content-Length: %zu\r\n\r\n", strlen(body));
    if (write(to_server, header, (size_t)n) != n ||
        write(to_server, body, strlen(body)) != (ssize_t)strlen(body)) {
        perror("write");
        exit(1);
    }
    free(body);
    json_decref(message);
}

/* Read messages until one satisfies: a response with `id`, or (id < 0) a
 * notification named `method`. The message is not parsed: parsing 1.6 MB
 * of symbols in this client would be timed as the server's work. */
static void wait_for(int id, const char *method)
{
    static char chunk[1 << 16];
    for (;;) {
        const char *body;
        size_t size;
        int status;
        while ((status = dl_lsp_reader_next(reader, &body, &size)) != 0) {
            if (status < 0)
                continue;
            /* Cheap check before parsing: the bench measures the server. */
            char needle[64];
            if (id >= 0)
                snprintf(needle, sizeof(needle), "\"id\":%d", id);
            else
                snprintf(needle, sizeof(needle), "\"method\":\"%s\"", method);
            const char *tail = size > 200 ? body + size - 200 : body;
            if (memmem(body, size < 200 ? size : 200, needle, strlen(needle)) ||
                memmem(tail, 200 < size ? 200 : size, needle, strlen(needle)))
                return;
        }
        ssize_t n = read(from_server, chunk, sizeof(chunk));
        if (n <= 0) {
            fprintf(stderr, "the server went away\n");
            exit(1);
        }
        dl_lsp_reader_feed(reader, chunk, (size_t)n);
    }
}

extern char **environ;

/* Runs a command to completion; exits the bench if it fails. */
static void run(char *const argv[])
{
    pid_t pid;
    int status;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0 ||
        waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s %s failed\n", argv[0], argv[1]);
        exit(1);
    }
}

/* `git add` + `git commit` of FILE after appending one character to it. */
static double git_commit(const char *file)
{
    FILE *f = fopen(file, "ab");
    if (f == NULL || fputc('y', f) == EOF || fclose(f) != 0) {
        perror(file);
        exit(1);
    }
    char dir[4096], name[4096];
    snprintf(dir, sizeof(dir), "%s", file);
    snprintf(name, sizeof(name), "%s", file);
    char *directory = dirname(dir);
    char *const add[] = {"git", "-C", directory, "add", basename(name), NULL};
    char *const commit[] = {"git", "-C", directory, "commit", "-q", "-m", "save", NULL};
    double start = now_ms();
    run(add);
    run(commit);
    return now_ms() - start;
}

static int next_id = 1;

static void request(const char *method, json_t *params)
{
    int id = next_id++;
    send_json(json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method", method,
                        "params", params));
    wait_for(id, NULL);
}

static void notify(const char *method, json_t *params)
{
    send_json(json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params", params));
}

/* didChange replacing [start, end) of the document with `text`. */
static void change(const char *uri, int version, int start_line, int start_character,
                   int end_line, int end_character, const char *text)
{
    notify("textDocument/didChange",
           json_pack("{s:{s:s, s:i}, s:[{s:{s:{s:i, s:i}, s:{s:i, s:i}}, s:s}]}", "textDocument",
                     "uri", uri, "version", version, "contentChanges", "range", "start", "line",
                     start_line, "character", start_character, "end", "line", end_line,
                     "character", end_character, "text", text));
}

/* The whole document replaced by `text`, as a client without incremental
 * sync sends it. */
static void replace_all(const char *uri, int version, const char *text)
{
    notify("textDocument/didChange",
           json_pack("{s:{s:s, s:i}, s:[{s:s}]}", "textDocument", "uri", uri, "version", version,
                     "contentChanges", "text", text));
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *name, double *samples, int n)
{
    qsort(samples, (size_t)n, sizeof(double), compare);
    printf("%s %.3f %.3f\n", name, samples[n / 2], samples[(n * 95) / 100]);
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: lsp_bench DATELINE FILE ROUNDS [HISTORY_ROUNDS [GIT_FILE]]\n");
        return 2;
    }
    const char *file = argv[2];
    int rounds = atoi(argv[3]);
    int history_rounds = argc >= 5 ? atoi(argv[4]) : rounds;
    const char *git_file = argc == 6 ? argv[5] : NULL;
    if (rounds < 1 || history_rounds < 1) {
        fprintf(stderr, "lsp_bench: rounds must be at least 1\n");
        return 2;
    }
    FILE *f = fopen(file, "rb");
    if (!f) {
        perror(file);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (fread(text, 1, (size_t)size, f) != (size_t)size)
        return 1;
    text[size] = '\0';
    fclose(f);

    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(argv[1], argv[1], "lsp", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_server = in[1];
    from_server = out[0];
    dl_lsp_reader_new(&reader);

    char uri[4096];
    snprintf(uri, sizeof(uri), "file://%s", file);
    request("initialize", json_pack("{s:{}, s:{s:b}}", "capabilities",
                                                "initializationOptions", "recordOnSave", 1));
    notify("initialized", json_object());
    notify("textDocument/didOpen", json_pack("{s:{s:s, s:s, s:i, s:s}}", "textDocument", "uri", uri,
                                             "languageId", "article", "version", 1, "text", text));

    int most = rounds > history_rounds ? rounds : history_rounds;
    double *samples = calloc((size_t)most, sizeof(double));
    int version = 2;
    /* didChange of one character (alternately typed and deleted on line 2)
     * followed by documentSymbol. */
    for (int i = 0; i < rounds; i++) {
        int typing = i % 2 == 0;
        double start = now_ms();
        change(uri, version++, 2, 3, 2, typing ? 3 : 4, typing ? "x" : "");
        request("textDocument/documentSymbol", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
        samples[i] = now_ms() - start;
    }
    report("change_symbols", samples, rounds);

    /* A new paragraph: line 2 split in two (Enter twice) and joined again,
     * followed by documentSymbol. Every paragraph below changes number. */
    for (int i = 0; i < rounds; i++) {
        int splitting = i % 2 == 0;
        double start = now_ms();
        change(uri, version++, 2, 20, splitting ? 2 : 4, splitting ? 20 : 0,
               splitting ? "\n\n" : "");
        request("textDocument/documentSymbol", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
        samples[i] = now_ms() - start;
    }
    report("split_symbols", samples, rounds);

    /* The article model the editor's status line and outline show:
     * didChange of one character, then dateline/article. */
    for (int i = 0; i < rounds; i++) {
        int typing = i % 2 == 0;
        double start = now_ms();
        change(uri, version++, 2, 3, 2, typing ? 3 : 4, typing ? "x" : "");
        request("dateline/article", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
        samples[i] = now_ms() - start;
    }
    report("change_article", samples, rounds);

    for (int i = 0; i < rounds; i++) {
        double start = now_ms();
        request("textDocument/hover",
                            json_pack("{s:{s:s}, s:{s:i, s:i}}", "textDocument", "uri", uri,
                                      "position", "line", 4, "character", 3));
        samples[i] = now_ms() - start;
    }
    report("hover", samples, rounds);

    /* executeCommand dateline.snapshot of a changed text, each time. */
    for (int i = 0; i < history_rounds; i++) {
        change(uri, version++, 0, 0, 0, 0, "y");
        double start = now_ms();
        request("workspace/executeCommand",
                            json_pack("{s:s, s:[{s:s}]}", "command", "dateline.snapshot",
                                      "arguments", "uri", uri));
        samples[i] = now_ms() - start;
    }
    report("snapshot", samples, history_rounds);

    /* Record on save: didSave until dateline/recorded; and git, in turn. As
     * an editor saves: the buffer's text written to the file, then didSave
     * (the server records the bytes on disk, after checking they are the
     * text it holds). */
    double *git_samples = calloc((size_t)most, sizeof(double));
    size_t saved_size = strlen(text) + 32;
    char *saved = malloc(saved_size);
    for (int i = 0; i < history_rounds; i++) {
        snprintf(saved, saved_size, "%s\nSave %d.\n", text, i);
        replace_all(uri, version++, saved);
        write_file(file, saved);
        double start = now_ms();
        notify("textDocument/didSave", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
        wait_for(-1, "dateline/recorded");
        samples[i] = now_ms() - start;
        /* Saves come seconds apart: let the quotation check that follows a
         * save finish (it ends with fresh diagnostics) before the next. */
        wait_for(-1, "textDocument/publishDiagnostics");
        if (git_file != NULL)
            git_samples[i] = git_commit(git_file);
    }
    free(saved);
    report("save_record", samples, history_rounds);
    if (git_file != NULL)
        report("git_commit", git_samples, history_rounds);
    free(git_samples);

    request("shutdown", json_null());
    notify("exit", json_null());
    int status;
    waitpid(pid, &status, 0);
    free(samples);
    free(text);
    dl_lsp_reader_free(reader);
    return 0;
}
