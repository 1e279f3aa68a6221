/*
 * dateline — `dateline serve [DIR] [--port N] [--host ADDR]`: start the web
 * server (plugin/src/web/web_serve.c) on a store, say where, and run until
 * SIGINT or SIGTERM.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../web/web_serve.h"
#include "cli_common.h"
#include "cli_serve.h"
#include "dateline/cli.h"
#include "dateline/error.h"
#include "dateline/text.h"
#include "dateline_version.h"

#define DEFAULT_PORT 8080

/* Whether `host` is this machine alone: the loopback addresses. */
static int is_loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

/* Take --port N and --host ADDR (which the common parser does not know)
 * out of argv, leaving the rest in `rest`. */
static int take_options(dl_cli_args *a, int argc, char **argv, char **rest, int *rest_count,
                        unsigned long *port, const char **host, FILE *err)
{
    *rest_count = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = NULL;
        int is_port = strncmp(arg, "--port", 6) == 0 && (arg[6] == '\0' || arg[6] == '=');
        int is_host = strncmp(arg, "--host", 6) == 0 && (arg[6] == '\0' || arg[6] == '=');
        if (i == 0 || strcmp(arg, "--") == 0 || (!is_port && !is_host)) {
            rest[(*rest_count)++] = argv[i];
            if (i > 0 && strcmp(arg, "--") == 0)
                while (++i < argc)
                    rest[(*rest_count)++] = argv[i];
            continue;
        }
        if (arg[6] == '=')
            value = arg + 7;
        else if (i + 1 < argc)
            value = argv[++i];
        if (value == NULL || value[0] == '\0')
            return dl_cli_usage_error(a, err, "%s needs a value", is_port ? "--port" : "--host");
        if (is_host) {
            *host = value;
            continue;
        }
        char *end = NULL;
        *port = strtoul(value, &end, 10);
        if (*end != '\0' || value[0] == '-' || *port > 65535)
            return dl_cli_usage_error(a, err, "--port takes 0 to 65535, not '%s'", value);
    }
    rest[*rest_count] = NULL;
    return DL_EXIT_OK;
}

/* Serve until SIGINT or SIGTERM. They are blocked before the server's
 * threads start (which inherit the mask), so that only sigwait() here
 * receives them, and the server stops cleanly, finishing what it answers. */
static int serve(const dl_web_serve_options *options, FILE *out, FILE *err)
{
    sigset_t stop, old_mask;
    struct sigaction ignore, old_pipe;
    int signal_number = 0;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &old_mask);
    /* A visitor who goes away mid-answer must not end the server. */
    memset(&ignore, 0, sizeof(ignore));
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old_pipe);

    dl_web_server *server = NULL;
    size_t articles = 0;
    int error = dl_web_serve_start(&server, options);
    if (error == 0)
        error = dl_web_serve_count(&articles, server);
    if (error < 0) {
        int status = dl_cli_fail(err);
        dl_web_serve_stop(server);
        sigaction(SIGPIPE, &old_pipe, NULL);
        pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
        return status;
    }
    const char *host = dl_web_serve_host(server);
    int v6 = strchr(host, ':') != NULL;
    fprintf(out, "%s: serving ", DL_NAME);
    dl_text_put_count(out, articles);
    fprintf(out, " article%s from %s at http://%s%s%s:%u/ — read-only; Ctrl-C stops\n",
            articles == 1 ? "" : "s", dl_web_serve_store(server), v6 ? "[" : "", host,
            v6 ? "]" : "", dl_web_serve_port(server));
    if (!is_loopback(host))
        fprintf(err, "%s: %s is reachable from other machines: anyone who can reach it reads "
                     "every article's history\n",
                DL_NAME, host);
    fflush(out);
    fflush(err);

    sigwait(&stop, &signal_number);
    dl_web_serve_stop(server);
    fprintf(err, "%s: stopped (%s)\n", DL_NAME, signal_number == SIGINT ? "interrupt" : "terminated");
    sigaction(SIGPIPE, &old_pipe, NULL);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    return DL_EXIT_OK;
}

static int serve_parsed(const dl_cli_args *a, const char *host, unsigned long port, FILE *out,
                        FILE *err)
{
    if (a->help)
        return dl_cli_print_help(
            a, out,
            "Serve every article's history in the store of DIR (default: the\n"
            "current folder's repository, or --store DIR) as web pages on this\n"
            "machine: an index of the articles, each article's history page, and\n"
            "JSON endpoints that answer what the CLI's --json prints. Read-only:\n"
            "only GET and HEAD; nothing is written. Only the store's articles are\n"
            "served, never other files. Routes: docs/web.md.\n\n"
            "  --port N      the TCP port (default 8080; 0: any free port, printed)\n"
            "  --host ADDR   the numeric address to listen on (default 127.0.0.1,\n"
            "                this machine only)\n"
            "  --store DIR   use this history repository\n\n"
            "Runs until interrupted (Ctrl-C) or sent SIGTERM.\n");
    if (a->nargs > 1)
        return dl_cli_usage_error(a, err, "takes one DIR, not '%s'", a->args[1]);

    dl_history_store_options store = DL_HISTORY_STORE_OPTIONS_INIT;
    store.store_dir = a->store;
    dl_web_serve_options options = DL_WEB_SERVE_OPTIONS_INIT;
    options.host = host;
    options.port = (unsigned int)port;
    options.path = a->nargs ? a->args[0] : ".";
    options.store = &store;
    return serve(&options, out, err);
}

int dl_cli_serve(int argc, char **argv, FILE *out, FILE *err)
{
    dl_cli_args a = {.name = "serve", .usage = "serve [DIR] [--port N] [--host ADDR] [--store DIR]"};
    char **rest = malloc(((size_t)argc + 1) * sizeof(*rest));
    if (rest == NULL) {
        fprintf(err, "%s: out of memory\n", DL_NAME);
        return DL_EXIT_ERROR;
    }
    int rest_count = 0;
    unsigned long port = DEFAULT_PORT;
    const char *host = NULL;
    int status = take_options(&a, argc, argv, rest, &rest_count, &port, &host, err);
    if (status == DL_EXIT_OK)
        status = dl_cli_parse_args(&a, rest_count, rest, OPT_STORE, err);
    /* The operands stay in `rest` (a.args points into it) until the end. */
    if (status == DL_EXIT_OK)
        status = serve_parsed(&a, host, port, out, err);
    free(rest);
    return status;
}
