/*
 * dateline — what the history commands of the CLI share: opening an
 * article's store and history, a batch of files, --since (declared in
 * cli_common.h). Apart from cli_common.c so that the article commands,
 * which `dateline` runs itself, do not link libgit2 (docs/architecture.md).
 */
/* realpath() is XSI. */
#define _XOPEN_SOURCE 700

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_common.h"
#include "dateline/cli.h"
#include "dateline/error.h"
#include "dateline/ops.h"
#include "dateline/text.h"
#include "dateline_version.h"

int dl_cli_open_store(dl_history_store **out, const dl_cli_args *a, const char *path)
{
    dl_history_store_options options = DL_HISTORY_STORE_OPTIONS_INIT;
    options.store_dir = a->store;
    return dl_history_store_open(out, path, &options);
}

int dl_cli_open_article(dl_cli_article *o, const dl_cli_args *a, const char *file)
{
    memset(o, 0, sizeof(*o));
    int error = dl_cli_open_store(&o->store, a, file);
    if (error == 0)
        error = dl_history_open(&o->history, o->store, file);
    return error;
}

void dl_cli_close_article(dl_cli_article *o)
{
    dl_history_free(o->history);
    if (!o->shared_store)
        dl_history_store_free(o->store);
}

/* The real path of the folder holding `file`; NULL if it does not resolve
 * (the file's store is then opened for it alone). */
static char *folder_of(const char *file)
{
    const char *slash = strrchr(file, '/');
    char *dir = slash ? strndup(file, slash == file ? 1 : (size_t)(slash - file)) : strdup(".");
    char *real = dir ? realpath(dir, NULL) : NULL;
    free(dir);
    return real;
}

/* The stores a batch of files opened, one per folder (a folder's files
 * share their store, so `dateline log *.txt` opens it once). */
typedef struct {
    struct dl_cli_store_entry {
        char *dir; /* the folder's real path */
        dl_history_store *store;
    } *items;
    size_t count;
} dl_cli_stores;

/* dl_cli_open_article for one file of a batch: the store comes from (and
 * stays in) `stores`. Close with dl_cli_close_article as usual. */
static int open_in_batch(dl_cli_article *o, dl_cli_stores *stores, const dl_cli_args *a,
                         const char *file)
{
    char *dir = folder_of(file);
    if (dir == NULL)
        return dl_cli_open_article(o, a, file);
    memset(o, 0, sizeof(*o));
    int error = 0;
    /* Newest first: a shell glob lists one folder's files together. */
    for (size_t i = stores->count; i-- > 0 && o->store == NULL;)
        if (strcmp(stores->items[i].dir, dir) == 0)
            o->store = stores->items[i].store;
    if (o->store == NULL) {
        struct dl_cli_store_entry *items =
            realloc(stores->items, (stores->count + 1) * sizeof(*items));
        if (items == NULL)
            error = dl_error_set(DL_ERROR, "out of memory");
        else
            stores->items = items;
        if (error == 0 && (error = dl_cli_open_store(&o->store, a, file)) == 0) {
            stores->items[stores->count].dir = dir;
            stores->items[stores->count++].store = o->store;
            dir = NULL;
        }
    }
    free(dir);
    if (error < 0)
        return error;
    o->shared_store = 1;
    return dl_history_open(&o->history, o->store, file);
}

/* Free the stores of a batch, after its articles. */
static void stores_dispose(dl_cli_stores *stores)
{
    for (size_t i = 0; i < stores->count; i++) {
        dl_history_store_free(stores->items[i].store);
        free(stores->items[i].dir);
    }
    free(stores->items);
    memset(stores, 0, sizeof(*stores));
}

int dl_cli_since(long long *out, const dl_cli_args *a, FILE *err)
{
    if (dl_ops_since_parse(out, a->since, (long long)time(NULL)) == 0)
        return DL_EXIT_OK;
    fprintf(err, "%s: %s: ", DL_NAME, a->name);
    dl_cli_put_text(err, dl_error_last());
    fprintf(err, "\nusage: %s %s\n", DL_NAME, a->usage);
    return DL_EXIT_USAGE;
}

int dl_cli_each_file(const dl_cli_args *a, long long since, dl_cli_file_fn fn, FILE *out,
                     FILE *err)
{
    int status = DL_EXIT_OK;
    dl_cli_stores stores = {0};
    int batch = a->nargs > 1;
    json_t *array = batch && a->json ? json_array() : NULL;
    for (size_t i = 0; i < a->nargs; i++) {
        dl_cli_article o;
        int one = open_in_batch(&o, &stores, a, a->args[i]) < 0
                      ? (batch ? dl_cli_batch_fail(err, a->args[i], array) : dl_cli_fail(err))
                      : fn(&o, a, a->args[i], since, batch, array, out, err);
        status = dl_cli_worse(status, one);
        dl_cli_close_article(&o);
    }
    stores_dispose(&stores);
    if (array != NULL)
        status = dl_cli_worse(status, dl_cli_json_print(array, out));
    return status;
}
