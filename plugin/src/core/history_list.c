/*
 * dateline — the articles a store holds: one per refs/dateline/ ref, with
 * the time of its latest version, for newsroom-wide listings ("what
 * changed since yesterday") that must not open every article's history.
 *
 * The ref names are the index: a ref's name decodes to the article's key
 * (history_refname.c), so listing reads one commit per article and no
 * content. A shortened name (a path too long for one ref component) is
 * decoded from its latest version's tree, which holds the article at its
 * key.
 */
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
#include "history_internal.h"

void dl_history_articles_free(dl_history_articles *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].key);
        free(list->items[i].file);
        free(list->items[i].ref);
    }
    free(list->items);
    free(list);
}

/* The path of the one file a version's tree holds (the article at its
 * key), for a ref whose name was shortened. */
typedef struct {
    const char *lead; /* "/" for an absolute key, else "" */
    char *path;
} find_blob;

static int first_blob(const char *root, const git_tree_entry *entry, void *payload)
{
    find_blob *found = payload;
    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
        return 0;
    const char *name = git_tree_entry_name(entry);
    size_t l = strlen(found->lead), a = strlen(root), b = strlen(name);
    if ((found->path = malloc(l + a + b + 1)) == NULL)
        return -1;
    memcpy(found->path, found->lead, l);
    memcpy(found->path + l, root, a);
    memcpy(found->path + l + a, name, b + 1);
    return 1; /* stop: a version's tree holds one file */
}

static int key_from_tree(char **out, git_commit *commit, const char *refname)
{
    git_tree *tree = NULL;
    /* The tree holds an absolute key without its leading '/'; the name
     * keeps the start of the escaped key, so it tells. */
    const char *slash = strncmp(refname + strlen(DL_HISTORY_REF_PREFIX), "%2F", 3) == 0 ? "/" : "";
    find_blob found = {slash, NULL};
    int error = git_commit_tree(&tree, commit);
    if (error == 0)
        git_tree_walk(tree, GIT_TREEWALK_PRE, first_blob, &found);
    git_tree_free(tree);
    if (found.path == NULL)
        return DL_ENOTFOUND;
    *out = found.path;
    return 0;
}

/* The file an article's key names: its path in the work tree, or the key
 * itself when that is absolute (an article outside any repository). */
static char *file_of(const dl_history_store *store, const char *key)
{
    const char *base = key[0] == '/' || store->workdir == NULL ? "" : store->workdir;
    size_t a = strlen(base), b = strlen(key);
    char *file = malloc(a + b + 1);
    if (file != NULL) {
        memcpy(file, base, a);
        memcpy(file + a, key, b + 1);
    }
    return file;
}

static int compare_newest_first(const void *a, const void *b)
{
    const dl_history_article *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* One ref: appended to `list` when it is an article's history changed at
 * or after `since`; skipped (0) when it is not a version or is older. */
static int add_article(dl_history_articles *list, size_t *capacity, git_repository *repo,
                       const dl_history_store *store, git_reference *ref, long long since)
{
    const git_oid *target = git_reference_target(ref);
    git_commit *commit = NULL;
    char *key = NULL;
    int error = 0;
    if (target == NULL || git_commit_lookup(&commit, repo, target) < 0)
        return 0; /* a symbolic ref or not a version: not an article */
    /* The author's time, as `log` shows it. */
    long long when = (long long)git_commit_author(commit)->when.time;
    if (when < since)
        goto done;
    error = dl_history_refname_unescape(&key, git_reference_name(ref));
    if (error == DL_ENOTFOUND)
        error = key_from_tree(&key, commit, git_reference_name(ref));
    if (error < 0) {
        error = 0; /* a name dateline did not write: not an article */
        goto done;
    }
    if (list->count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 64;
        dl_history_article *items = realloc(list->items, grown * sizeof(*items));
        if (items == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        list->items = items;
        *capacity = grown;
    }
    dl_history_article *a = &list->items[list->count];
    a->key = key;
    a->file = file_of(store, key);
    a->ref = strdup(git_reference_name(ref));
    a->time = when;
    key = NULL;
    list->count++;
    if (a->file == NULL || a->ref == NULL)
        error = dl_error_set(DL_ERROR, "out of memory");

done:
    free(key);
    git_commit_free(commit);
    return error;
}

static int list_locked(dl_history_articles **out, dl_history_store *store, long long since)
{
    git_reference_iterator *it = NULL;
    git_reference *ref = NULL;
    dl_history_articles *list = calloc(1, sizeof(*list));
    size_t capacity = 0;
    int error;

    if (list == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    /* The glob's '*' matches '/' too: the older names keep folders. */
    if ((error = git_reference_iterator_glob_new(&it, store->repo, DL_HISTORY_REF_PREFIX "*")) < 0) {
        error = dl_history__git_error(error, "cannot list the articles of %s", store->gitdir);
        goto done;
    }
    while ((error = git_reference_next(&ref, it)) == 0) {
        error = add_article(list, &capacity, store->repo, store, ref, since);
        git_reference_free(ref);
        if (error < 0)
            goto done;
    }
    if (error != GIT_ITEROVER) {
        error = dl_history__git_error(error, "cannot list the articles of %s", store->gitdir);
        goto done;
    }
    if (list->count > 1)
        qsort(list->items, list->count, sizeof(*list->items), compare_newest_first);
    *out = list;
    list = NULL;
    error = 0;

done:
    git_reference_iterator_free(it);
    dl_history_articles_free(list);
    return error;
}

int dl_history_articles_list(dl_history_articles **out, dl_history_store *store, long long since)
{
    pthread_mutex_lock(&store->lock);
    int error = list_locked(out, store, since);
    pthread_mutex_unlock(&store->lock);
    return error;
}

int dl_history_open_listed(dl_history **out, dl_history_store *store,
                           const dl_history_article *article)
{
    dl_history *history = calloc(1, sizeof(*history));
    if (history == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    history->store = store;
    history->file = strdup(article->file);
    history->key = strdup(article->key);
    history->refname = strdup(article->ref);
    if (history->file == NULL || history->key == NULL || history->refname == NULL) {
        dl_history_free(history);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    history->tree_path = history->key + (history->key[0] == '/');
    *out = history;
    return 0;
}
