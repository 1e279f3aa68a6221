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

static void article_clear(dl_history_article *a);

void dl_history_articles_free(dl_history_articles *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        article_clear(&list->items[i]);
    free(list->items);
    free(list);
}

/* A shortened ref name (one too long to spell the path) decodes from its
 * latest version's tree, which holds the article, and only it, at its
 * key. */
typedef struct {
    char *path;
    size_t files;
} tree_files;

static int count_file(const char *root, const git_tree_entry *entry, void *payload)
{
    tree_files *files = payload;
    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
        return 0;
    if (++files->files == 1) {
        size_t a = strlen(root), b = strlen(git_tree_entry_name(entry));
        if ((files->path = malloc(a + b + 2)) == NULL)
            return -1;
        /* Room for the '/' an absolute key lost in the tree. */
        files->path[0] = '/';
        memcpy(files->path + 1, root, a);
        memcpy(files->path + 1 + a, git_tree_entry_name(entry), b + 1);
    }
    return 0;
}

/* The key whose escape is `refname`, from the one file of the version's
 * tree (with or without the '/' of an absolute key); NULL in *out when the
 * tree holds no single such file: then the ref is not an article's. */
static int key_from_tree(char **out, git_commit *commit, const char *refname)
{
    git_tree *tree = NULL;
    tree_files files = {NULL, 0};
    int error = 0;
    *out = NULL;
    if (git_commit_tree(&tree, commit) < 0 ||
        git_tree_walk(tree, GIT_TREEWALK_PRE, count_file, &files) < 0 || files.files != 1)
        goto done;
    for (int absolute = 0; absolute < 2 && *out == NULL; absolute++) {
        char *escaped = NULL;
        const char *key = files.path + !absolute;
        if (dl_history_refname_escape(&escaped, key) == 0 && strcmp(escaped, refname) == 0 &&
            (*out = strdup(key)) == NULL)
            error = dl_error_set(DL_ERROR, "out of memory");
        free(escaped);
    }

done:
    free(files.path);
    git_tree_free(tree);
    return error;
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

/* The key `refname` stands for, or NULL in *out when it is not an
 * article's ref (a name dateline does not write). */
static int key_of_ref(char **out, git_commit *commit, const char *refname)
{
    int error = dl_history_refname_unescape(out, refname);
    if (error == DL_ENOTFOUND)
        return key_from_tree(out, commit, refname);
    if (error == DL_EINVALID) {
        *out = NULL;
        dl_error_clear();
        return 0;
    }
    return error;
}

/* One ref: appended to `list` when it is an article's history; skipped
 * (0) when it is not. */
static int add_article(dl_history_articles *list, size_t *capacity, git_repository *repo,
                       const dl_history_store *store, git_reference *ref)
{
    const git_oid *target = git_reference_target(ref);
    git_commit *commit = NULL;
    char *key = NULL;
    int error = 0;
    if (target == NULL || git_commit_lookup(&commit, repo, target) < 0)
        return 0; /* a symbolic ref or not a version: not an article */
    if ((error = key_of_ref(&key, commit, git_reference_name(ref))) < 0 || key == NULL)
        goto done;
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
    /* The author's time, as `log` shows it. */
    a->time = (long long)git_commit_author(commit)->when.time;
    key = NULL;
    list->count++;
    if (a->file == NULL || a->ref == NULL)
        error = dl_error_set(DL_ERROR, "out of memory");

done:
    free(key);
    git_commit_free(commit);
    return error;
}

static void article_clear(dl_history_article *a)
{
    free(a->key);
    free(a->file);
    free(a->ref);
}

/* By key; for one key under both names, the new form (no ref folders)
 * first: an article recorded by an earlier dateline keeps its old name
 * until it is recorded under the new one, which then holds its history. */
static int compare_key_new_name_first(const void *a, const void *b)
{
    const size_t prefix = sizeof(DL_HISTORY_REF_PREFIX) - 1;
    const dl_history_article *x = a, *y = b;
    int order = strcmp(x->key, y->key);
    if (order == 0)
        order = (strchr(x->ref + prefix, '/') != NULL) - (strchr(y->ref + prefix, '/') != NULL);
    return order;
}

/* Keep one entry per key (its new name) and only those changed at or
 * after `since`, newest first. */
static void settle(dl_history_articles *list, long long since)
{
    if (list->count > 1)
        qsort(list->items, list->count, sizeof(*list->items), compare_key_new_name_first);
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        dl_history_article *a = &list->items[i];
        if (kept > 0 && strcmp(a->key, list->items[kept - 1].key) == 0)
            article_clear(a);
        else
            list->items[kept++] = *a;
    }
    list->count = kept;
    /* Only then by time: the old name never stands in for a new one. */
    kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i].time < since)
            article_clear(&list->items[i]);
        else
            list->items[kept++] = list->items[i];
    }
    list->count = kept;
    if (list->count > 1)
        qsort(list->items, list->count, sizeof(*list->items), compare_newest_first);
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
        error = add_article(list, &capacity, store->repo, store, ref);
        git_reference_free(ref);
        if (error < 0)
            goto done;
    }
    if (error != GIT_ITEROVER) {
        error = dl_history__git_error(error, "cannot list the articles of %s", store->gitdir);
        goto done;
    }
    settle(list, since);
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

int dl_history_articles_find(dl_history_articles **out, dl_history_store *store,
                              const char *key)
{
    char *names[2] = {NULL, NULL};
    dl_history_articles *list = calloc(1, sizeof(*list));
    size_t capacity = 0;
    int error = 0;
    if (list == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    if (key == NULL || key[0] == '\0') {
        error = dl_error_set(DL_ENOTFOUND, "no article given");
        goto done;
    }
    /* The new name, then the one an earlier dateline gave it ('/' as ref
     * folders), as the listing prefers them. */
    if ((error = dl_history_refname_escape(&names[0], key)) < 0 ||
        (error = dl_history__refname_escape_old(&names[1], key)) < 0)
        goto done;
    pthread_mutex_lock(&store->lock);
    for (int i = 0; i < 2 && error == 0 && list->count == 0; i++) {
        git_reference *ref = NULL;
        /* A name git refuses, or no such ref: no article by that name. */
        if (git_reference_lookup(&ref, store->repo, names[i]) < 0)
            continue;
        error = add_article(list, &capacity, store->repo, store, ref);
        git_reference_free(ref);
        /* The ref must stand for this very key, as listed. */
        if (error == 0 && list->count == 1 && strcmp(list->items[0].key, key) != 0) {
            article_clear(&list->items[0]);
            list->count = 0;
        }
    }
    pthread_mutex_unlock(&store->lock);
    if (error == 0 && list->count == 0)
        error = dl_error_set(DL_ENOTFOUND, "the store has no history of %s", key);
    if (error == 0) {
        *out = list;
        list = NULL;
    }

done:
    free(names[0]);
    free(names[1]);
    dl_history_articles_free(list);
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
