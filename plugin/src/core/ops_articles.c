/*
 * dateline — the articles of a store: listing them and opening one by its
 * key, from the refs alone (see dateline/ops.h). A web server answers with
 * these, so no path a visitor sends is ever looked up on the file system:
 * an article exists when its ref does.
 */
#include "dateline/ops.h"

#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
#include "dateline/json.h"
#include "history_internal.h"

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (s != NULL) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb + 1);
    }
    return s;
}

/* A handle on the history held by `refname`, the ref listed or looked up
 * for `key`. Built here rather than by dl_history_open, which derives the
 * key from a file's real path and so needs the article's folder to exist;
 * a listed article may have been deleted with its folder. */
static int history_for(dl_history **out, dl_history_store *store, const char *key,
                       const char *refname)
{
    dl_history *history = calloc(1, sizeof(*history));
    if (history == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    history->store = store;
    history->key = join(key, "");
    history->refname = join(refname, "");
    /* A relative key lives in the store's work tree; an absolute one is its own file. */
    history->file = key[0] == '/' || store->workdir == NULL ? join(key, "")
                                                           : join(store->workdir, key);
    if (history->key == NULL || history->refname == NULL || history->file == NULL) {
        dl_history_free(history);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    history->tree_path = history->key + (history->key[0] == '/');
    *out = history;
    return 0;
}

/* Whether `refname` exists in the store (called under its lock). A name
 * git would refuse does not. */
static int ref_exists(git_repository *repo, const char *refname)
{
    git_oid id;
    return git_reference_name_to_id(&id, repo, refname) == 0;
}

int dl_ops_article_open(dl_history **out, dl_history_store *store, const char *key)
{
    char *refname = NULL, *old = NULL;
    int error;
    if (key == NULL || key[0] == '\0')
        return dl_error_set(DL_ENOTFOUND, "no article given");
    if ((error = dl_history_refname_escape(&refname, key)) < 0)
        return error;
    /* An article recorded by an earlier dateline keeps its old ref name
     * ('/' as ref folders) until it is recorded under the new one. */
    if ((error = dl_history__refname_escape_old(&old, key)) < 0)
        goto done;
    pthread_mutex_lock(&store->lock);
    const char *found = ref_exists(store->repo, refname) ? refname
                        : ref_exists(store->repo, old) ? old
                                                        : NULL;
    pthread_mutex_unlock(&store->lock);
    if (found == NULL)
        error = dl_error_set(DL_ENOTFOUND, "the store has no history of %s", key);
    else
        error = history_for(out, store, key, found);

done:
    free(old);
    free(refname);
    return error;
}

/* ------------------------------------------------------------ listing -- */

typedef struct {
    char *key, *refname;
    git_oid tip;
} found_ref;

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
        files->path = join(root, git_tree_entry_name(entry));
        if (files->path == NULL)
            return -1;
    }
    return 0;
}

/* The key of a shortened ref name (one too long to spell the path, which
 * only its versions' trees hold): the one file in the latest version's
 * tree; the tree holds an absolute key without its '/', so the key is the
 * candidate whose escape is the ref's name. NULL in *out when it is none. */
static int key_from_tree(char **out, git_repository *repo, const char *refname,
                         const git_oid *tip)
{
    git_commit *commit = NULL;
    git_tree *tree = NULL;
    tree_files files = {NULL, 0};
    char *candidates[2] = {NULL, NULL};
    int error = 0;
    *out = NULL;
    if (git_commit_lookup(&commit, repo, tip) < 0 || git_commit_tree(&tree, commit) < 0 ||
        git_tree_walk(tree, GIT_TREEWALK_PRE, count_file, &files) < 0 || files.files != 1)
        goto done;
    candidates[0] = join(files.path, "");
    candidates[1] = join("/", files.path);
    for (int i = 0; i < 2 && *out == NULL; i++) {
        char *escaped = NULL;
        if (candidates[i] == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        if (dl_history_refname_escape(&escaped, candidates[i]) == 0 &&
            strcmp(escaped, refname) == 0) {
            *out = candidates[i];
            candidates[i] = NULL;
        }
        free(escaped);
    }

done:
    free(candidates[0]);
    free(candidates[1]);
    free(files.path);
    git_tree_free(tree);
    git_commit_free(commit);
    return error;
}

/* The key `refname` stands for, or NULL in *out when it is not an
 * article's ref. Called under the store's lock. */
static int key_of_ref(char **out, git_repository *repo, const char *refname, const git_oid *tip)
{
    int error = dl_history_refname_unescape(out, refname);
    if (error == DL_ENOTFOUND)
        return key_from_tree(out, repo, refname, tip);
    if (error == DL_EINVALID) {
        *out = NULL;
        dl_error_clear();
        return 0;
    }
    return error;
}

static void found_free(found_ref *list, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(list[i].key);
        free(list[i].refname);
    }
    free(list);
}

/* The article refs of the store, each with its key and tip; under the lock. */
static int list_refs_locked(found_ref **out, size_t *out_count, git_repository *repo)
{
    const size_t prefix = sizeof(DL_HISTORY_REF_PREFIX) - 1;
    git_reference_iterator *it = NULL;
    found_ref *list = NULL;
    size_t count = 0, capacity = 0;
    const char *name;
    int error, step;

    if ((error = git_reference_iterator_new(&it, repo)) < 0) {
        error = dl_history__git_error(error, "cannot list the store's refs");
        goto done;
    }
    while ((step = git_reference_next_name(&name, it)) == 0) {
        git_oid tip;
        git_commit *commit = NULL;
        if (strncmp(name, DL_HISTORY_REF_PREFIX, prefix) != 0 ||
            git_reference_name_to_id(&tip, repo, name) < 0)
            continue;
        /* A ref that holds no version (pull refuses those; a hand-made
         * one may) is not an article. */
        if (git_commit_lookup(&commit, repo, &tip) < 0)
            continue;
        git_commit_free(commit);
        char *key = NULL;
        if ((error = key_of_ref(&key, repo, name, &tip)) < 0)
            goto done;
        if (key == NULL)
            continue;
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            found_ref *grown = realloc(list, capacity * sizeof(*list));
            if (grown == NULL) {
                free(key);
                error = dl_error_set(DL_ERROR, "out of memory");
                goto done;
            }
            list = grown;
        }
        list[count].key = key;
        list[count].tip = tip;
        if ((list[count++].refname = join(name, "")) == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
    }
    if (step != GIT_ITEROVER) {
        error = dl_history__git_error(step, "cannot list the store's refs");
        goto done;
    }
    *out = list;
    *out_count = count;
    list = NULL;
    count = 0;
    error = 0;

done:
    found_free(list, count);
    git_reference_iterator_free(it);
    return error;
}

static int compare_found(const void *a, const void *b)
{
    const size_t prefix = sizeof(DL_HISTORY_REF_PREFIX) - 1;
    const found_ref *x = a, *y = b;
    int order = strcmp(x->key, y->key);
    /* For one key under both names, the new form (no ref folders) first:
     * it is the one dl_ops_article_open uses. */
    if (order == 0)
        order = (strchr(x->refname + prefix, '/') != NULL) - (strchr(y->refname + prefix, '/') != NULL);
    return order;
}

/* The number of versions reachable from `tip`; under the lock. */
static int count_versions_locked(size_t *out, git_repository *repo, const git_oid *tip)
{
    git_revwalk *walk = NULL;
    git_oid id;
    size_t count = 0;
    int error = git_revwalk_new(&walk, repo);
    if (error == 0)
        error = git_revwalk_push(walk, tip);
    while (error == 0 && (error = git_revwalk_next(&id, walk)) == 0)
        count++;
    git_revwalk_free(walk);
    if (error != GIT_ITEROVER)
        return dl_history__git_error(error, "cannot walk the history");
    *out = count;
    return 0;
}

int dl_ops_articles(dl_ops_articles_result **out, dl_history_store *store)
{
    found_ref *found = NULL;
    size_t found_count = 0;
    dl_ops_articles_result *result = calloc(1, sizeof(*result));
    if (result == NULL)
        return dl_error_set(DL_ERROR, "out of memory");

    pthread_mutex_lock(&store->lock);
    int error = list_refs_locked(&found, &found_count, store->repo);
    pthread_mutex_unlock(&store->lock);
    if (error < 0)
        goto done;
    if (found_count > 1)
        qsort(found, found_count, sizeof(*found), compare_found);

    if (found_count > 0 && (result->articles = calloc(found_count, sizeof(*result->articles))) == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    /* Through dl_ops_log, so that the newest version reads as in log
     * --json, with the facts only the whole history knows (its session). */
    dl_ops_log_options latest = DL_OPS_LOG_OPTIONS_INIT;
    latest.max_count = 1;
    for (size_t i = 0; i < found_count; i++) {
        if (i > 0 && strcmp(found[i].key, found[i - 1].key) == 0)
            continue; /* the old name of a history the new one holds */
        dl_ops_article *article = &result->articles[result->count];
        if ((error = history_for(&article->history, store, found[i].key, found[i].refname)) < 0)
            goto done;
        result->count++;
        if ((error = dl_ops_log(&article->latest, article->history, &latest)) < 0)
            goto done;
        pthread_mutex_lock(&store->lock);
        error = count_versions_locked(&article->versions, store->repo, &found[i].tip);
        pthread_mutex_unlock(&store->lock);
        if (error < 0)
            goto done;
    }
    *out = result;
    result = NULL;

done:
    found_free(found, found_count);
    dl_ops_articles_free(result);
    return error;
}

void dl_ops_articles_free(dl_ops_articles_result *result)
{
    if (result == NULL)
        return;
    for (size_t i = 0; i < result->count; i++) {
        dl_history_log_free(result->articles[i].latest);
        dl_history_free(result->articles[i].history);
    }
    free(result->articles);
    free(result);
}

/* One listed article: log --json's object with its one version moved to
 * "latest" and "versions" made the count, so that a version reads the
 * same wherever it appears. */
static int article_json(json_t **out, const dl_ops_article *article)
{
    json_t *json = NULL;
    int error = dl_ops_log_json(&json, article->history, article->latest);
    if (error < 0)
        return error;
    json_t *latest = json_array_get(json_object_get(json, "versions"), 0);
    if (json_object_del(json, "schema") < 0 ||
        (latest != NULL && json_object_set(json, "latest", latest) < 0) ||
        json_object_set_new(json, "versions", json_integer((json_int_t)article->versions)) < 0) {
        json_decref(json);
        return dl_error_set(DL_ERROR, "out of memory building JSON");
    }
    *out = json;
    return 0;
}

int dl_ops_articles_json(json_t **out, const dl_history_store *store,
                         const dl_ops_articles_result *result)
{
    json_t *list = json_array();
    json_t *json = json_pack("{s:i, s:s}", "schema", DL_JSON_SCHEMA, "store",
                             dl_history_store_path(store));
    int error = 0;
    for (size_t i = 0; list && i < result->count && error == 0; i++) {
        json_t *item = NULL;
        if ((error = article_json(&item, &result->articles[i])) == 0 &&
            json_array_append_new(list, item) < 0)
            error = dl_error_set(DL_ERROR, "out of memory building JSON");
    }
    if (error == 0 && (list == NULL || json == NULL))
        error = dl_error_set(DL_ERROR, "out of memory building JSON");
    if (error < 0) {
        json_decref(list);
        json_decref(json);
        return error;
    }
    /* set_new takes the list, even when it fails. */
    if (json_object_set_new(json, "articles", list) < 0) {
        json_decref(json);
        return dl_error_set(DL_ERROR, "out of memory building JSON");
    }
    *out = json;
    return 0;
}
