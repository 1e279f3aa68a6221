/*
 * dateline — sharing history through an ordinary git remote.
 *
 * git is the distributed engine: articles' refs and the notes ref push and
 * fetch like any refs. dateline only adds the rule that no version is ever
 * dropped: push never forces, and pull joins diverged histories with a
 * merge commit instead of choosing a side.
 */
#include <errno.h>
#include <fnmatch.h>
#include <git2/sys/refdb_backend.h>
#include <git2/sys/refs.h>
#include <git2/sys/repository.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "dateline/error.h"
#include "history_internal.h"

/* ------------------------------------------------------------ remotes -- */

/*
 * The remote of the user's repository named `name` (its URL, or for a
 * push its push URL), as a remote of the store, which has none of its
 * own. A relative path is taken from the work tree's top, as git does.
 */
static int borrow_remote(git_remote **out, dl_history_store *store, git_remote *configured,
                         const char *name, int push)
{
    const char *url = push && git_remote_pushurl(configured) ? git_remote_pushurl(configured)
                                                             : git_remote_url(configured);
    const char *top = git_repository_workdir(store->user);
    char *absolute = NULL;
    if (url == NULL || url[0] == '\0')
        return dl_error_set(DL_EINVALID, "remote '%s' has no URL", name);
    if (url[0] != '/' && strchr(url, ':') == NULL && top != NULL) {
        size_t n = strlen(top) + strlen(url) + 1;
        if ((absolute = malloc(n)) == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        snprintf(absolute, n, "%s%s", top, url);
        url = absolute;
    }
    int error = git_remote_create_anonymous(out, store->repo, url);
    if (error < 0)
        error = dl_history__git_error(error, "cannot use remote '%s' (%s)", name, url);
    free(absolute);
    return error;
}

static int open_remote(git_remote **out, const char **out_label, dl_history_store *store,
                       const char *name, int push)
{
    git_repository *config = dl_history__identity(store);
    git_remote *configured = NULL;
    int error = git_remote_lookup(&configured, config, name);
    if (error == 0) {
        *out_label = name;
        if (store->user == NULL) {
            *out = configured;
            return 0;
        }
        error = borrow_remote(out, store, configured, name, push);
        git_remote_free(configured);
        return error;
    }
    if (error != GIT_ENOTFOUND && error != GIT_EINVALIDSPEC)
        return dl_history__git_error(error, "cannot read remote '%s'", name);
    /* Not a configured remote: accept a URL or a path to a repository. */
    if (strchr(name, '/') == NULL && strchr(name, ':') == NULL)
        return dl_error_set(DL_ENOTFOUND,
                            "no remote '%s' in %s; add one with 'git remote add %s URL' "
                            "or give a URL or path",
                            name, git_repository_path(config), name);
    if ((error = git_remote_create_anonymous(out, store->repo, name)) < 0)
        return dl_history__git_error(error, "cannot use '%s' as a remote", name);
    *out_label = "url";
    return 0;
}

typedef struct {
    char **items;
    size_t count, capacity;
} string_list;

static int string_list_add(string_list *list, const char *s)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 16;
        char **grown = realloc(list->items, capacity * sizeof(*grown));
        if (grown == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        list->items = grown;
        list->capacity = capacity;
    }
    size_t n = strlen(s) + 1;
    if ((list->items[list->count] = malloc(n)) == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    memcpy(list->items[list->count++], s, n);
    return 0;
}

static void string_list_free(string_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    memset(list, 0, sizeof(*list));
}

/* Names of our refs matching `glob`. */
static int list_refs(string_list *out, git_repository *repo, const char *glob)
{
    git_reference_iterator *it = NULL;
    const char *name;
    int error;
    if ((error = git_reference_iterator_glob_new(&it, repo, glob)) < 0)
        return dl_history__git_error(error, "cannot list %s", glob);
    while ((error = git_reference_next_name(&name, it)) == 0) {
        if (string_list_add(out, name) < 0) {
            git_reference_iterator_free(it);
            return DL_ERROR;
        }
    }
    git_reference_iterator_free(it);
    if (error != GIT_ITEROVER)
        return dl_history__git_error(error, "cannot list %s", glob);
    return 0;
}

/* A ref and where it points. */
typedef struct {
    char *name;
    git_oid id;
} ref_value;

typedef struct {
    ref_value *items;
    size_t count, capacity;
} ref_list;

static int compare_ref_values(const void *a, const void *b)
{
    return strcmp(((const ref_value *)a)->name, ((const ref_value *)b)->name);
}

static void ref_list_free(ref_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i].name);
    free(list->items);
    memset(list, 0, sizeof(*list));
}

static int ref_list_add(ref_list *list, const char *name, const git_oid *id)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 64;
        ref_value *grown = realloc(list->items, capacity * sizeof(*grown));
        if (grown == NULL)
            return dl_error_set(DL_ERROR, "out of memory");
        list->items = grown;
        list->capacity = capacity;
    }
    size_t n = strlen(name) + 1;
    if ((list->items[list->count].name = malloc(n)) == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    memcpy(list->items[list->count].name, name, n);
    list->items[list->count++].id = *id;
    return 0;
}

/*
 * Our refs matching `glob` with their values, sorted by name, read in one
 * pass: a newsroom's store holds a ref per article, and reading each again
 * by name costs a file per article while they are loose.
 */
static int list_ref_values(ref_list *out, git_repository *repo, const char *glob)
{
    git_reference_iterator *it = NULL;
    git_reference *ref = NULL;
    int error;
    if ((error = git_reference_iterator_glob_new(&it, repo, glob)) < 0)
        return dl_history__git_error(error, "cannot list %s", glob);
    while ((error = git_reference_next(&ref, it)) == 0) {
        git_oid id;
        const char *name = git_reference_name(ref);
        /* A symbolic ref is not one of dateline's; it is followed, as
         * reading it by name would. */
        if (git_reference_target(ref) != NULL)
            git_oid_cpy(&id, git_reference_target(ref));
        else if (git_reference_name_to_id(&id, repo, name) < 0)
            name = NULL;
        int added = name ? ref_list_add(out, name, &id) : 0;
        git_reference_free(ref);
        if (added < 0) {
            git_reference_iterator_free(it);
            ref_list_free(out);
            return added;
        }
    }
    git_reference_iterator_free(it);
    if (error != GIT_ITEROVER) {
        ref_list_free(out);
        return dl_history__git_error(error, "cannot list %s", glob);
    }
    git_error_clear(); /* a symbolic ref that led nowhere */
    if (out->count > 1)
        qsort(out->items, out->count, sizeof(*out->items), compare_ref_values);
    return 0;
}

/* The value of `name` in `list`, or NULL. */
static const git_oid *ref_list_find(const ref_list *list, const char *name)
{
    ref_value key = {.name = (char *)name};
    const ref_value *found =
        list->count ? bsearch(&key, list->items, list->count, sizeof(key), compare_ref_values)
                    : NULL;
    return found ? &found->id : NULL;
}

/*
 * Pack `repo`'s loose refs into its packed-refs file, as `git pack-refs
 * --all` does, after a push or pull wrote refs: every loose ref is a file
 * that each later push, pull and listing opens and reads, one per article
 * at a newsroom's scale, where a packed one costs nothing of its own. The
 * rewrite costs about what reading the refs costs, which the push or pull
 * that wrote them did anyway. libgit2 packs under packed-refs.lock and
 * removes a loose ref only under its own lock and while it still holds
 * the packed value, so a save racing it loses nothing. A packed-refs.lock
 * a killed writer left is broken as a ref's lock is. Best effort: the
 * refs are right either way, so a failure is not reported.
 */
static void pack_refs(git_repository *repo)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        git_refdb *refdb = NULL;
        int error = git_repository_refdb(&refdb, repo);
        if (error == 0)
            error = git_refdb_compress(refdb);
        git_refdb_free(refdb);
        if (error != GIT_ELOCKED || !dl_history__break_stale_lock(repo, "packed-refs"))
            break;
    }
    git_error_clear();
}

/* Remove `name`, a packed ref maybe, whose removal rewrites packed-refs:
 * a lock a killed writer left on it is broken first. Best effort, as
 * every removal here is: a ref left behind is adopted by no one. */
static void remove_ref(git_repository *repo, const char *name)
{
    if (git_reference_remove(repo, name) == GIT_ELOCKED &&
        dl_history__break_stale_lock(repo, "packed-refs"))
        git_reference_remove(repo, name);
    git_error_clear();
}

/* Remember why a ref was not adopted (pull) or not sent (push). */
static int refuse(dl_history_sync_result *result, const char *refname, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(dl_history_sync_result *result, const char *refname, const char *format, ...)
{
    char why[512], line[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(why, sizeof(why), format, args);
    va_end(args);
    snprintf(line, sizeof(line), "%s: %s", refname, why);
    char **grown = realloc(result->refused, (result->refused_count + 1) * sizeof(*grown));
    if (grown == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    result->refused = grown;
    size_t n = strlen(line) + 1;
    if ((grown[result->refused_count] = malloc(n)) == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    memcpy(grown[result->refused_count++], line, n);
    return 0;
}

/* --------------------------------------------------------------- push -- */

typedef struct {
    size_t rejected;
    char first[256];
} push_status;

static int on_push_update(const char *refname, const char *status, void *payload)
{
    push_status *s = payload;
    if (status != NULL) {
        if (s->rejected++ == 0)
            snprintf(s->first, sizeof(s->first), "%s (%s)", refname, status);
    }
    return 0;
}

static int compare_heads(const void *a, const void *b)
{
    return strcmp((*(const git_remote_head *const *)a)->name,
                  (*(const git_remote_head *const *)b)->name);
}

/* Where the remote's copy of `refname` stands, in `heads` sorted by
 * compare_heads (a newsroom's remote has a ref per article): *found = 0
 * if absent. */
static void remote_value(git_oid *out, int *found, const git_remote_head **heads, size_t count,
                         const char *refname)
{
    git_remote_head key = {.name = (char *)refname};
    const git_remote_head *wanted = &key;
    const git_remote_head **head = bsearch(&wanted, heads, count, sizeof(*heads), compare_heads);
    *found = head != NULL;
    if (head != NULL)
        *out = (*head)->oid;
}

/* Whether `url` names a repository by its path on this machine. */
static int remote_is_path(const char *url)
{
    struct stat st;
    return url != NULL && stat(url, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Whether libgit2 reaches `url` in this process, with its local
 * transport (as it chooses: a path, or a file:// URL), rather than
 * through a git server. */
static int remote_is_local(const char *url)
{
    return url != NULL && (strncmp(url, "file://", 7) == 0 || remote_is_path(url));
}

/* Pack the refs of the repository at `url` when it is a path: there
 * libgit2 writes the refs a push sends itself, where a server's git
 * receive-pack would (whose `git gc --auto` packs them in its time). */
static void pack_remote_refs(const char *url)
{
    git_repository *remote = NULL;
    if (remote_is_path(url) &&
        git_repository_open_ext(&remote, url, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0)
        pack_refs(remote);
    git_repository_free(remote);
    git_error_clear();
}

static int push_locked(dl_history_sync_result *out, dl_history_store *store, const char *name)
{
    git_repository *repo = store->repo;
    git_remote *remote = NULL;
    const char *label;
    ref_list refs = {0};
    string_list specs = {0};
    dl_history_sync_result result = {0};
    push_status status = {0};
    const git_remote_head **heads = NULL, **sorted = NULL;
    size_t head_count = 0;
    int error;

    if ((error = open_remote(&remote, &label, store, name, 1)) < 0)
        goto done;
    if ((error = list_ref_values(&refs, repo, DL_HISTORY_REF_PREFIX "*")) < 0)
        goto done;
    git_oid notes_tip;
    if (git_reference_name_to_id(&notes_tip, repo, DL_HISTORY_NOTES_REF) == 0 &&
        (error = ref_list_add(&refs, DL_HISTORY_NOTES_REF, &notes_tip)) < 0)
        goto done;

    git_remote_callbacks callbacks;
    git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
    if ((error = git_remote_connect(remote, GIT_DIRECTION_PUSH, &callbacks, NULL, NULL)) < 0 ||
        (error = git_remote_ls(&heads, &head_count, remote)) < 0) {
        error = dl_history__git_error(error, "cannot reach %s", name);
        goto done;
    }
    /* A sorted copy: the array is the remote's, which its push reads. */
    if ((sorted = calloc(head_count + 1, sizeof(*sorted))) == NULL) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    if (head_count > 0) {
        memcpy((void *)sorted, heads, head_count * sizeof(*heads));
        qsort((void *)sorted, head_count, sizeof(*sorted), compare_heads);
    }

    /* Push only what moves forward. A ref the remote has moved past ours
     * would be refused anyway; counting it here names it for the user. */
    for (size_t i = 0; i < refs.count; i++) {
        const char *refname = refs.items[i].name;
        const git_oid local = refs.items[i].id;
        git_oid theirs;
        int found;
        git_object *object = NULL;
        remote_value(&theirs, &found, sorted, head_count, refname);
        if (found && git_oid_equal(&local, &theirs)) {
            result.unchanged++;
            continue;
        }
        /* A ref an older dateline adopted from a careless remote may point
         * at anything; only versions travel on. */
        if (git_object_lookup(&object, repo, &local, GIT_OBJECT_ANY) < 0 ||
            git_object_type(object) != GIT_OBJECT_COMMIT) {
            error = refuse(&result, refname, "points at a %s, not a version; not pushed",
                           object ? git_object_type2string(git_object_type(object))
                                  : "missing object");
            git_object_free(object);
            if (error < 0)
                goto done;
            continue;
        }
        git_object_free(object);
        if (found && git_graph_descendant_of(repo, &local, &theirs) != 1) {
            if (result.rejected++ == 0)
                snprintf(status.first, sizeof(status.first), "%s", refname);
            continue;
        }
        char *spec = malloc(2 * strlen(refname) + 2);
        if (spec == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        sprintf(spec, "%s:%s", refname, refname);
        error = string_list_add(&specs, spec);
        free(spec);
        if (error < 0)
            goto done;
        if (strcmp(refname, DL_HISTORY_NOTES_REF) == 0)
            result.notes_updated = 1;
        else
            result.updated++;
    }

    /* The push goes on the connection the remote's refs came from:
     * connecting again would have it list every ref of a newsroom's
     * remote once more. */
    if (specs.count > 0) {
        git_push_options options;
        git_push_options_init(&options, GIT_PUSH_OPTIONS_VERSION);
        options.callbacks.push_update_reference = on_push_update;
        options.callbacks.payload = &status;
        git_strarray array = {specs.items, specs.count};
        if ((error = git_remote_push(remote, &array, &options)) < 0) {
            error = dl_history__git_error(error, "cannot push to %s", name);
            goto done;
        }
        result.rejected += status.rejected;
        result.updated -= status.rejected < result.updated ? status.rejected : result.updated;
        /* What moved was saved since the last push, as loose refs here,
         * and is written as loose refs on a remote reached by path. */
        pack_refs(repo);
        pack_remote_refs(git_remote_url(remote));
    }

    *out = result;
    memset(&result, 0, sizeof(result));
    if (out->rejected > 0) {
        error = dl_error_set(DL_EMODIFIED,
                             "%s has versions this store lacks (%zu ref%s, first: %s); "
                             "run 'dateline pull %s' first, then push again",
                             name, out->rejected, out->rejected == 1 ? "" : "s",
                             status.first, name);
        goto done;
    }
    error = 0;

done:
    (void)label;
    dl_history_sync_result_dispose(&result); /* a no-op once handed to *out */
    free((void *)sorted);
    string_list_free(&specs);
    ref_list_free(&refs);
    git_remote_free(remote);
    return error;
}

int dl_history_push(dl_history_sync_result *out, dl_history_store *store,
                    const dl_history_sync_options *opts)
{
    const char *name = opts && opts->remote ? opts->remote : "origin";
    pthread_mutex_lock(&store->lock);
    int error = push_locked(out, store, name);
    pthread_mutex_unlock(&store->lock);
    return error;
}

/* --------------------------------------------------------------- pull -- */

/* One article's remote history being joined with the local one. */
typedef struct {
    git_repository *repo;
    git_repository *identity; /* whose configuration names the writer */
    const char *local_ref;
    const git_oid *theirs;
    const char *name;
    git_commit *theirs_commit; /* looked up once, when first needed */
    git_signature *sig;
    int merged;    /* the last step made a merge: */
    git_oid merge; /* this one, */
    git_oid ours;  /* of theirs and this local tip */
} join_job;

/* Where the local ref goes: theirs when it is ahead (or we have none), a
 * merge of both when both sides recorded versions; 1 when we already hold
 * theirs. */
static int join_step(git_oid *next, const git_oid *ours, void *payload)
{
    join_job *job = payload;
    git_commit *ours_commit = NULL;
    git_tree *tree = NULL;
    int error;

    job->merged = 0;
    if (ours != NULL && (git_oid_equal(ours, job->theirs) ||
                         git_graph_descendant_of(job->repo, ours, job->theirs) == 1))
        return 1; /* we are ahead, or equal; push will share it */
    if (ours == NULL || git_graph_descendant_of(job->repo, job->theirs, ours) == 1) {
        git_oid_cpy(next, job->theirs);
        return 0;
    }
    /* Both sides recorded versions. Keep both as parents of a merge whose
     * content is ours: the file on disk is the writer's latest word, and
     * theirs stays one step back. */
    if ((error = git_commit_lookup(&ours_commit, job->repo, ours)) < 0 ||
        (job->theirs_commit == NULL &&
         (error = git_commit_lookup(&job->theirs_commit, job->repo, job->theirs)) < 0) ||
        (error = git_commit_tree(&tree, ours_commit)) < 0 ||
        (job->sig == NULL && (error = dl_history__signature(&job->sig, job->identity)) < 0)) {
        if (dl_error_last_code() == DL_OK)
            error = dl_history__git_error(error, "cannot merge %s", job->local_ref);
        goto done;
    }
    const git_commit *parents[2] = {ours_commit, job->theirs_commit};
    char message[512];
    snprintf(message, sizeof(message), "dateline: merge versions from %s\n", job->name);
    if ((error = git_commit_create(next, job->repo, NULL, job->sig, job->sig, NULL, message,
                                   tree, 2, parents)) < 0) {
        error = dl_history__git_error(error, "cannot merge %s", job->local_ref);
        goto done;
    }
    git_oid_cpy(&job->merge, next);
    git_oid_cpy(&job->ours, ours);
    job->merged = 1;

done:
    git_tree_free(tree);
    git_commit_free(ours_commit);
    return error;
}

/* Join one article's local history with the remote's. */
static int join_article(dl_history_sync_result *result, dl_history_store *store,
                        const char *local_ref, const git_oid *theirs, const char *name)
{
    git_repository *repo = store->repo;
    join_job job = {.repo = repo,
                    .identity = dl_history__identity(store),
                    .local_ref = local_ref,
                    .theirs = theirs,
                    .name = name};
    int error = dl_history__ref_update(repo, local_ref, join_step, &job);
    if (error == 1) {
        result->unchanged++;
        error = 0;
    } else if (error == 0 && !job.merged) {
        result->updated++;
    } else if (error == 0) {
        size_t ahead = 0, behind = 0;
        char note[256], hex[DL_HISTORY_ID_SHORTSIZE + 1];
        git_graph_ahead_behind(&ahead, &behind, repo, theirs, &job.ours);
        git_oid_tostr(hex, sizeof(hex), theirs);
        snprintf(note, sizeof(note), "merged %zu version%s from %s (their latest: %s)", ahead,
                 ahead == 1 ? "" : "s", name, hex);
        /* The article's path for the notes commit's message; a shortened
         * ref name does not give it back, so then the name itself. */
        char *key = NULL;
        if (dl_history_refname_unescape(&key, local_ref) < 0)
            dl_error_clear();
        error = dl_history__note_set(store, &job.merge,
                                     key ? key : local_ref + strlen(DL_HISTORY_REF_PREFIX), note, 0);
        free(key);
        if (error == 0)
            result->merged++;
    }
    git_signature_free(job.sig);
    git_commit_free(job.theirs_commit);
    return error;
}

/* The text a note should have after a merge of `ours` and `theirs`. */
static char *join_notes(const char *ours, const char *theirs)
{
    if (ours == NULL || strstr(ours, theirs) != NULL)
        return NULL; /* nothing to add */
    size_t n = strlen(ours) + strlen(theirs) + 3;
    char *joined = malloc(n);
    if (joined == NULL)
        return NULL;
    if (strstr(theirs, ours) != NULL)
        snprintf(joined, n, "%s", theirs); /* theirs already extends ours */
    else
        snprintf(joined, n, "%s\n\n%s", ours, theirs);
    return joined;
}

/* The remote's notes being joined with the local ones. */
typedef struct {
    git_repository *repo;
    const char *name; /* where theirs come from, for the commit message */
    const git_oid *theirs;
    git_commit *theirs_commit; /* looked up once, when first needed */
    git_signature *sig;
} notes_job;

/* Where the notes ref goes: theirs when it is ahead (or we have none),
 * else the union of both as a merge commit, so that both histories stay
 * reachable; 1 when we already hold theirs. */
static int notes_step(git_oid *next, const git_oid *ours, void *payload)
{
    notes_job *job = payload;
    git_repository *repo = job->repo;
    git_commit *ours_commit = NULL, *work = NULL;
    git_note_iterator *it = NULL;
    git_tree *tree = NULL;
    git_oid blob, target, step;
    size_t steps = 0; /* commits made only for their trees, to discard */
    int error;

    if (ours != NULL && (git_oid_equal(ours, job->theirs) ||
                         git_graph_descendant_of(repo, ours, job->theirs) == 1))
        return 1;
    if (ours == NULL || git_graph_descendant_of(repo, job->theirs, ours) == 1) {
        git_oid_cpy(next, job->theirs);
        return 0;
    }
    if ((error = git_commit_lookup(&ours_commit, repo, ours)) < 0 ||
        (job->theirs_commit == NULL &&
         (error = git_commit_lookup(&job->theirs_commit, repo, job->theirs)) < 0) ||
        (error = git_commit_lookup(&work, repo, ours)) < 0 ||
        (error = git_note_commit_iterator_new(&it, job->theirs_commit)) < 0)
        goto git_failed;
    /* Replay each of their notes onto ours, joining texts that differ,
     * then seal the result with both tips as parents. */
    while ((error = git_note_next(&blob, &target, it)) == 0) {
        git_note *mine = NULL, *their = NULL;
        char *text = NULL;
        if (git_note_commit_read(&their, repo, job->theirs_commit, &target) < 0)
            continue;
        const char *their_text = git_note_message(their);
        /* The same note on both sides leaves `text` NULL: nothing to
         * replay (a newsroom's two notes refs share most of theirs). */
        int have_mine = git_note_commit_read(&mine, repo, work, &target) == 0;
        if (have_mine && !git_oid_equal(git_note_id(mine), &blob))
            text = join_notes(git_note_message(mine), their_text);
        else if (!have_mine && (text = malloc(strlen(their_text) + 1)) != NULL)
            strcpy(text, their_text);
        git_note_free(mine);
        git_note_free(their);
        if (text == NULL)
            continue;
        error = git_note_commit_create(&step, NULL, repo, work, job->sig, job->sig, &target,
                                       text, 1);
        free(text);
        if (error < 0)
            goto git_failed;
        if (steps++ > 0)
            dl_history__discard_loose(repo, git_commit_id(work));
        git_commit_free(work);
        work = NULL;
        if ((error = git_commit_lookup(&work, repo, &step)) < 0)
            goto git_failed;
    }
    if (error != GIT_ITEROVER)
        goto git_failed;
    /* Only this commit stays: the steps above were made for their trees,
     * and are removed as libgit2's commit of a single note is. */
    const git_commit *parents[2] = {ours_commit, job->theirs_commit};
    char message[512];
    snprintf(message, sizeof(message), "dateline: notes joined with %s\n", job->name);
    if ((error = git_commit_tree(&tree, work)) < 0 ||
        (error = git_commit_create(next, repo, NULL, job->sig, job->sig, NULL, message, tree, 2,
                                   parents)) < 0)
        goto git_failed;
    if (steps > 0)
        dl_history__discard_loose(repo, git_commit_id(work));
    error = 0;
    goto done;

git_failed:
    error = dl_history__git_error(error, "cannot merge notes");
done:
    git_note_iterator_free(it);
    git_tree_free(tree);
    git_commit_free(work);
    git_commit_free(ours_commit);
    return error;
}

static int join_notes_ref(dl_history_sync_result *result, dl_history_store *store,
                          const git_oid *theirs, const char *name)
{
    git_repository *repo = store->repo;
    notes_job job = {.repo = repo, .name = name, .theirs = theirs};
    int error;

    if ((error = dl_history__signature(&job.sig, dl_history__identity(store))) < 0)
        return error;
    error = dl_history__ref_update(repo, DL_HISTORY_NOTES_REF, notes_step, &job);
    if (error == 0)
        result->notes_updated = 1;
    git_commit_free(job.theirs_commit);
    git_signature_free(job.sig);
    return error < 0 ? error : 0;
}

/*
 * libgit2 1.5 creates an empty FETCH_HEAD even when asked not to update
 * it; FETCH_HEAD belongs to the user's own `git fetch`, so put back what
 * was there (or remove what was not).
 */
static int save_fetch_head(char **out, size_t *out_size, git_repository *repo)
{
    char path[4096];
    snprintf(path, sizeof(path), "%sFETCH_HEAD", git_repository_path(repo));
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    char *data = NULL;
    size_t size = 0, capacity = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (size + n > capacity) {
            capacity = (size + n) * 2;
            char *grown = realloc(data, capacity);
            if (grown == NULL)
                break;
            data = grown;
        }
        memcpy(data + size, chunk, n);
        size += n;
    }
    fclose(f);
    *out = data;
    *out_size = size;
    return 1;
}

static void restore_fetch_head(git_repository *repo, int existed, const char *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof(path), "%sFETCH_HEAD", git_repository_path(repo));
    if (!existed) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    if (f != NULL) {
        if (size > 0)
            fwrite(data, 1, size, f);
        fclose(f);
    }
}

/* Versions of one article pull checks before adopting them; a remote
 * history longer than this (beyond what we already hold) is refused
 * rather than walked without end. */
#define PULL_WALK_LIMIT 100000

/* 1 when `path` (a tree path) is a plain relative path: no empty, "." or
 * ".." component, so it names one file inside a tree. */
static int path_is_plain(const char *path)
{
    const char *p = path;
    while (1) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        if (p[n] == '\0')
            return 1;
        p += n + 1;
    }
}

/* The one file a version's tree holds, which is its article's path: the
 * way back from a shortened ref name. DL_EINVALID (no message: the caller
 * says why it refuses) unless there is exactly one. */
static int collect_path(const char *root, const git_tree_entry *entry, void *payload)
{
    char **found = payload;
    if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB)
        return 0;
    if (*found != NULL) {
        free(*found);
        *found = NULL;
        return -1; /* two files: not a dateline version */
    }
    size_t n = strlen(root) + strlen(git_tree_entry_name(entry)) + 1;
    if ((*found = malloc(n)) != NULL)
        snprintf(*found, n, "%s%s", root, git_tree_entry_name(entry));
    return *found == NULL ? -1 : 0;
}

static int path_in_tree(char **out, git_commit *commit)
{
    git_tree *tree = NULL;
    char *found = NULL;
    int error = git_commit_tree(&tree, commit);
    if (error == 0)
        error = git_tree_walk(tree, GIT_TREEWALK_PRE, collect_path, &found);
    git_tree_free(tree);
    if (error < 0 || found == NULL) {
        free(found);
        return DL_EINVALID;
    }
    *out = found;
    return 0;
}

/*
 * Whether the remote's `theirs` may become `local_ref`: it must name an
 * article path in dateline's own escaping, and every version it adds to
 * what this store holds must be a commit whose tree holds that path as a
 * file. 1 when it may; 0 with a line in result->refused when it may not;
 * a negative code when the check itself failed.
 */
static int check_remote_ref(dl_history_sync_result *result, git_repository *repo,
                            const char *local_ref, const git_oid *theirs)
{
    char *path = NULL, *canonical = NULL;
    git_object *object = NULL;
    git_revwalk *walk = NULL;
    int verdict = 0, error;

    if (git_object_lookup(&object, repo, theirs, GIT_OBJECT_ANY) < 0) {
        verdict = refuse(result, local_ref, "the remote sent no object for it");
        goto done;
    }
    if (git_object_type(object) != GIT_OBJECT_COMMIT) {
        verdict = refuse(result, local_ref, "points at a %s, not a version (commit)",
                         git_object_type2string(git_object_type(object)));
        goto done;
    }
    error = dl_history_refname_unescape(&path, local_ref);
    if (error == DL_ENOTFOUND) {
        if (path_in_tree(&path, (git_commit *)object) < 0) {
            verdict = refuse(result, local_ref, "a shortened name whose version does not hold "
                                                "exactly one file");
            goto done;
        }
    } else if (error < 0) {
        verdict = refuse(result, local_ref, "its name holds a malformed escape");
        goto done;
    }
    /* The name must be the one dateline gives that path (in today's form
     * or the older one), so that opening the article finds it. */
    const char *tree_path = path + (path[0] == '/');
    int canonical_ok = 0;
    if (path_is_plain(tree_path)) {
        canonical_ok = dl_history_refname_escape(&canonical, path) == 0 &&
                       strcmp(canonical, local_ref) == 0;
        if (!canonical_ok) {
            free(canonical);
            canonical = NULL;
            canonical_ok = dl_history__refname_escape_old(&canonical, path) == 0 &&
                           strcmp(canonical, local_ref) == 0;
        }
    }
    if (!canonical_ok) {
        verdict = refuse(result, local_ref, "not an article path in dateline's escaping");
        goto done;
    }

    /* Only what we do not hold yet needs checking. */
    git_oid ours, id;
    if ((error = git_revwalk_new(&walk, repo)) < 0 || (error = git_revwalk_push(walk, theirs)) < 0) {
        verdict = dl_history__git_error(error, "cannot walk %s", local_ref);
        goto done;
    }
    if (git_reference_name_to_id(&ours, repo, local_ref) == 0)
        git_revwalk_hide(walk, &ours); /* a local ref that is not a commit hides nothing */
    size_t walked = 0;
    while ((error = git_revwalk_next(&id, walk)) == 0) {
        char hex[DL_HISTORY_ID_SHORTSIZE + 1];
        git_commit *commit = NULL;
        git_tree_entry *entry = NULL;
        if (++walked > PULL_WALK_LIMIT) {
            verdict = refuse(result, local_ref, "more than %d new versions; not checked",
                             PULL_WALK_LIMIT);
            goto done;
        }
        git_oid_tostr(hex, sizeof(hex), &id);
        git_tree *tree = NULL;
        int held = git_commit_lookup(&commit, repo, &id) == 0 &&
                   git_commit_tree(&tree, commit) == 0 &&
                   git_tree_entry_bypath(&entry, tree, tree_path) == 0 &&
                   (git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB ||
                    git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB_EXECUTABLE);
        git_tree_entry_free(entry);
        git_tree_free(tree);
        git_commit_free(commit);
        if (!held) {
            verdict = refuse(result, local_ref, "version %s does not hold %s as a file", hex,
                             tree_path);
            goto done;
        }
    }
    if (error != GIT_ITEROVER) {
        verdict = refuse(result, local_ref, "its history is incomplete (%s)",
                         git_error_last() ? git_error_last()->message : "walk failed");
        goto done;
    }
    verdict = 1;

done:
    git_revwalk_free(walk);
    git_object_free(object);
    free(canonical);
    free(path);
    return verdict;
}

/*
 * What a fetch tells the remote we hold ("haves"): only the refs of the
 * articles it changed, not every ref of the store. libgit2 1.5's
 * negotiation puts each ref's commit into a list kept in date order
 * before it reads any date, so every one is walked past every other:
 * O(refs^2), some 400 million steps for 10,000 articles and their
 * tracking refs, 76% of a day's pull through a server (fixed in libgit2
 * 1.7). For that download the store's refs are swapped for a read-only
 * refdb holding these few. (A remote reached by path needs no such
 * thing: libgit2's local transport walks no list, and leaves out what we
 * hold by hiding every ref of ours.)
 */
typedef struct {
    git_refdb_backend parent;
    const ref_list *haves; /* sorted by name */
} haves_refdb;

typedef struct {
    git_reference_iterator parent;
    const ref_list *haves;
    char *glob; /* NULL: every ref */
    size_t next;
} haves_cursor;

static int haves_exists(int *exists, git_refdb_backend *backend, const char *name)
{
    *exists = ref_list_find(((haves_refdb *)backend)->haves, name) != NULL;
    return 0;
}

static int haves_lookup(git_reference **out, git_refdb_backend *backend, const char *name)
{
    const git_oid *id = ref_list_find(((haves_refdb *)backend)->haves, name);
    if (id == NULL) {
        git_error_set_str(GIT_ERROR_REFERENCE, "not among the refs a fetch offers");
        return GIT_ENOTFOUND;
    }
    return (*out = git_reference__alloc(name, id, NULL)) ? 0 : -1;
}

static const ref_value *haves_iterator_step(haves_cursor *it)
{
    while (it->next < it->haves->count) {
        const ref_value *v = &it->haves->items[it->next++];
        if (it->glob == NULL || fnmatch(it->glob, v->name, 0) == 0)
            return v;
    }
    return NULL;
}

static int haves_iterator_next(git_reference **out, git_reference_iterator *iter)
{
    const ref_value *v = haves_iterator_step((haves_cursor *)iter);
    if (v == NULL)
        return GIT_ITEROVER;
    return (*out = git_reference__alloc(v->name, &v->id, NULL)) ? 0 : -1;
}

static int haves_iterator_next_name(const char **out, git_reference_iterator *iter)
{
    const ref_value *v = haves_iterator_step((haves_cursor *)iter);
    if (v == NULL)
        return GIT_ITEROVER;
    *out = v->name;
    return 0;
}

static void haves_iterator_free(git_reference_iterator *iter)
{
    free(((haves_cursor *)iter)->glob);
    free(iter);
}

static int haves_iterator(git_reference_iterator **out, git_refdb_backend *backend,
                          const char *glob)
{
    haves_cursor *it = calloc(1, sizeof(*it));
    if (it == NULL || (glob != NULL && (it->glob = strdup(glob)) == NULL)) {
        free(it);
        git_error_set_oom();
        return -1;
    }
    it->haves = ((haves_refdb *)backend)->haves;
    it->parent.next = haves_iterator_next;
    it->parent.next_name = haves_iterator_next_name;
    it->parent.free = haves_iterator_free;
    *out = &it->parent;
    return 0;
}

/* A download writes no ref: whatever would is a mistake to stop. */
static int haves_read_only(void)
{
    git_error_set_str(GIT_ERROR_REFERENCE, "dateline: no ref is written while fetching");
    return -1;
}

static int haves_write(git_refdb_backend *b, const git_reference *r, int f,
                       const git_signature *w, const char *m, const git_oid *o, const char *t)
{
    (void)b, (void)r, (void)f, (void)w, (void)m, (void)o, (void)t;
    return haves_read_only();
}

static int haves_rename(git_reference **out, git_refdb_backend *b, const char *o, const char *n,
                        int f, const git_signature *w, const char *m)
{
    (void)out, (void)b, (void)o, (void)n, (void)f, (void)w, (void)m;
    return haves_read_only();
}

static int haves_del(git_refdb_backend *b, const char *n, const git_oid *o, const char *t)
{
    (void)b, (void)n, (void)o, (void)t;
    return haves_read_only();
}

static int haves_has_log(git_refdb_backend *b, const char *n)
{
    (void)b, (void)n;
    return 0;
}

static int haves_ensure_log(git_refdb_backend *b, const char *n)
{
    (void)b, (void)n;
    return haves_read_only();
}

static void haves_free(git_refdb_backend *b)
{
    free(b);
}

static int haves_reflog_read(git_reflog **out, git_refdb_backend *b, const char *n)
{
    (void)out, (void)b, (void)n;
    return haves_read_only();
}

static int haves_reflog_write(git_refdb_backend *b, git_reflog *r)
{
    (void)b, (void)r;
    return haves_read_only();
}

static int haves_reflog_rename(git_refdb_backend *b, const char *o, const char *n)
{
    (void)b, (void)o, (void)n;
    return haves_read_only();
}

static int haves_reflog_delete(git_refdb_backend *b, const char *n)
{
    (void)b, (void)n;
    return haves_read_only();
}

/*
 * git_remote_download with `repo`'s refs seen as `haves` alone. The
 * store's own refdb is put back before returning, whatever happened.
 */
static int download_offering(git_remote *remote, git_repository *repo, const ref_list *haves,
                             const git_strarray *specs, const git_fetch_options *options)
{
    git_refdb *own = NULL, *offered = NULL;
    haves_refdb *backend = calloc(1, sizeof(*backend));
    int error;
    if (backend == NULL) {
        git_error_set_oom();
        return -1;
    }
    git_refdb_init_backend(&backend->parent, GIT_REFDB_BACKEND_VERSION);
    backend->haves = haves;
    backend->parent.exists = haves_exists;
    backend->parent.lookup = haves_lookup;
    backend->parent.iterator = haves_iterator;
    backend->parent.write = haves_write;
    backend->parent.rename = haves_rename;
    backend->parent.del = haves_del;
    backend->parent.has_log = haves_has_log;
    backend->parent.ensure_log = haves_ensure_log;
    backend->parent.free = haves_free;
    backend->parent.reflog_read = haves_reflog_read;
    backend->parent.reflog_write = haves_reflog_write;
    backend->parent.reflog_rename = haves_reflog_rename;
    backend->parent.reflog_delete = haves_reflog_delete;
    if ((error = git_repository_refdb(&own, repo)) < 0 ||
        (error = git_refdb_new(&offered, repo)) < 0) {
        free(backend);
        git_refdb_free(own);
        return error;
    }
    if ((error = git_refdb_set_backend(offered, &backend->parent)) < 0) {
        free(backend);
        git_refdb_free(offered);
        git_refdb_free(own);
        return error;
    }
    if ((error = git_repository_set_refdb(repo, offered)) == 0) {
        error = git_remote_download(remote, specs, options);
        git_repository_set_refdb(repo, own);
    }
    git_refdb_free(offered);
    git_refdb_free(own);
    return error;
}

typedef struct {
    git_odb_writepack *writepack;
    git_indexer_progress stats;
} pack_sink;

static int append_to_pack(void *data, size_t size, void *payload)
{
    pack_sink *sink = payload;
    return sink->writepack->append(sink->writepack, data, size, &sink->stats);
}

/*
 * Download from the repository at `path` what the store lacks of the
 * tips `wanted`, `haves` being what it holds of those articles. libgit2's
 * local transport packs whatever any ref of the remote reaches (it leaves
 * out only what our own refs reach, and ignores what a fetch asks for),
 * and a remote given as a path is often a newsroom's shared repository:
 * every branch of it would be copied into the store at every pull. So
 * the pack is made here as that transport makes it, from the wanted tips
 * alone. A libgit2 error code.
 */
static int download_from_path(git_repository *repo, const char *path, const ref_list *wanted,
                              const ref_list *haves)
{
    git_repository *remote = NULL;
    git_revwalk *walk = NULL;
    git_packbuilder *builder = NULL;
    git_odb *odb = NULL;
    pack_sink sink = {0};
    int error;

    if ((error = git_repository_open_ext(&remote, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL)) < 0 ||
        (error = git_revwalk_new(&walk, remote)) < 0 ||
        (error = git_packbuilder_new(&builder, remote)) < 0)
        goto done;
    for (size_t i = 0; i < wanted->count && error == 0; i++) {
        size_t size;
        git_object_t type;
        git_odb *theirs = NULL;
        if ((error = git_repository_odb(&theirs, remote)) == 0 &&
            (error = git_odb_read_header(&size, &type, theirs, &wanted->items[i].id)) == 0)
            /* A tip that is not a version travels as it is, for the
             * pull to refuse by name, as over any transport. */
            error = type == GIT_OBJECT_COMMIT
                        ? git_revwalk_push(walk, &wanted->items[i].id)
                        : git_packbuilder_insert_recur(builder, &wanted->items[i].id, NULL);
        git_odb_free(theirs);
    }
    /* A version of ours the remote never had hides nothing. */
    for (size_t i = 0; i < haves->count && error == 0; i++)
        if (git_revwalk_hide(walk, &haves->items[i].id) < 0)
            git_error_clear();
    if (error < 0 || (error = git_packbuilder_insert_walk(builder, walk)) < 0 ||
        git_packbuilder_object_count(builder) == 0)
        goto done;
    if ((error = git_repository_odb(&odb, repo)) < 0 ||
        (error = git_odb_write_pack(&sink.writepack, odb, NULL, NULL)) < 0 ||
        (error = git_packbuilder_foreach(builder, append_to_pack, &sink)) < 0)
        goto done;
    error = sink.writepack->commit(sink.writepack, &sink.stats);

done:
    if (sink.writepack != NULL)
        sink.writepack->free(sink.writepack);
    git_odb_free(odb);
    git_packbuilder_free(builder);
    git_revwalk_free(walk);
    git_repository_free(remote);
    return error;
}

static int pull_locked(dl_history_sync_result *out, dl_history_store *store, const char *name)
{
    git_repository *repo = store->repo;
    git_remote *remote = NULL;
    const char *label;
    /* Ours; where the remote stood; tracking refs to set; articles to
     * join; what the fetch offers. */
    ref_list local_refs = {0}, tracking = {0}, retrack = {0}, moved = {0}, haves = {0};
    size_t written = 0; /* refs this pull wrote: tracking refs, articles, removals */
    dl_history_sync_result result = {0};
    char *prefix = NULL, *spec_refs = NULL, *spec_notes = NULL, *glob = NULL;
    int error;

    if ((error = open_remote(&remote, &label, store, name, 0)) < 0)
        goto done;

    /* Their tips land under refs/dateline-remotes/<remote>/, like
     * refs/remotes/ for branches; then each is joined with ours. */
    size_t n = strlen(DL_HISTORY_REMOTES_PREFIX) + strlen(label) + 64;
    prefix = malloc(n);
    spec_refs = malloc(2 * n);
    spec_notes = malloc(2 * n);
    glob = malloc(n);
    if (!prefix || !spec_refs || !spec_notes || !glob) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    snprintf(prefix, n, "%s%s/", DL_HISTORY_REMOTES_PREFIX, label);
    snprintf(spec_refs, 2 * n, "+refs/dateline/*:%sarticles/*", prefix);
    snprintf(spec_notes, 2 * n, "+%s:%snotes", DL_HISTORY_NOTES_REF, prefix);
    snprintf(glob, n, "%sarticles/*", prefix);

    /* What this store holds, read once: the fetch offers the remote only
     * what it holds of the articles the remote changed, and only those
     * are joined. */
    char notes_ref[512];
    snprintf(notes_ref, sizeof(notes_ref), "%snotes", prefix);
    git_oid id;
    if ((error = list_ref_values(&local_refs, repo, DL_HISTORY_REF_PREFIX "*")) < 0 ||
        (error = list_ref_values(&tracking, repo, glob)) < 0 ||
        (git_reference_name_to_id(&id, repo, DL_HISTORY_NOTES_REF) == 0 &&
         (error = ref_list_add(&local_refs, DL_HISTORY_NOTES_REF, &id)) < 0) ||
        (git_reference_name_to_id(&id, repo, notes_ref) == 0 &&
         (error = ref_list_add(&tracking, notes_ref, &id)) < 0))
        goto done;
    /* The notes refs went in last; put them in their place. */
    if (local_refs.count > 1)
        qsort(local_refs.items, local_refs.count, sizeof(*local_refs.items), compare_ref_values);
    if (tracking.count > 1)
        qsort(tracking.items, tracking.count, sizeof(*tracking.items), compare_ref_values);

    git_remote_callbacks callbacks;
    git_remote_init_callbacks(&callbacks, GIT_REMOTE_CALLBACKS_VERSION);
    const git_remote_head **heads = NULL;
    size_t head_count = 0;
    if ((error = git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, NULL, NULL)) < 0 ||
        (error = git_remote_ls(&heads, &head_count, remote)) < 0) {
        error = dl_history__git_error(error, "cannot reach %s", name);
        goto done;
    }
    /* Their tips (under our tracking names): those not yet tracked are
     * recorded, those that differ from ours joined, and of those the
     * fetch offers what we hold: ours and where they stood. */
    size_t skip = strlen(prefix) + strlen("articles/");
    for (size_t i = 0; i < head_count; i++) {
        const char *theirs_name = heads[i]->name;
        char *mine = NULL;
        if (strncmp(theirs_name, DL_HISTORY_REF_PREFIX, strlen(DL_HISTORY_REF_PREFIX)) == 0) {
            if ((mine = malloc(skip + strlen(theirs_name))) != NULL)
                sprintf(mine, "%sarticles/%s", prefix,
                        theirs_name + strlen(DL_HISTORY_REF_PREFIX));
        } else if (strcmp(theirs_name, DL_HISTORY_NOTES_REF) == 0) {
            mine = strdup(notes_ref);
        } else {
            continue;
        }
        if (mine == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        const git_oid *ours = ref_list_find(&local_refs, theirs_name);
        const git_oid *stood = ref_list_find(&tracking, mine);
        if (!(stood != NULL && git_oid_equal(stood, &heads[i]->oid)) &&
            (error = ref_list_add(&retrack, mine, &heads[i]->oid)) < 0) {
            free(mine);
            goto done;
        }
        if (ours != NULL && git_oid_equal(ours, &heads[i]->oid)) {
            if (strcmp(theirs_name, DL_HISTORY_NOTES_REF) != 0)
                result.unchanged++;
            free(mine);
            continue;
        }
        error = ref_list_add(&moved, mine, &heads[i]->oid);
        if (error == 0 && ours != NULL)
            error = ref_list_add(&haves, theirs_name, ours);
        if (error == 0 && stood != NULL && !(ours != NULL && git_oid_equal(ours, stood)))
            error = ref_list_add(&haves, mine, stood);
        free(mine);
        if (error < 0)
            goto done;
    }
    if (haves.count > 1)
        qsort(haves.items, haves.count, sizeof(*haves.items), compare_ref_values);

    if (moved.count > 0) {
        char *specs[] = {spec_refs, spec_notes};
        git_strarray array = {specs, 2};
        git_fetch_options options;
        git_fetch_options_init(&options, GIT_FETCH_OPTIONS_VERSION);
        options.update_fetchhead = 0; /* leave the user's FETCH_HEAD alone */
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
        char *fetch_head = NULL;
        size_t fetch_head_size = 0;
        int had_fetch_head = save_fetch_head(&fetch_head, &fetch_head_size, repo);
        const char *url = git_remote_url(remote);
        if (remote_is_path(url))
            error = download_from_path(repo, url, &moved, &haves);
        else if (remote_is_local(url))
            error = git_remote_download(remote, &array, &options);
        else
            error = download_offering(remote, repo, &haves, &array, &options);
        restore_fetch_head(repo, had_fetch_head, fetch_head, fetch_head_size);
        free(fetch_head);
        if (error < 0) {
            error = dl_history__git_error(error, "cannot fetch from %s", name);
            goto done;
        }
    }
    git_remote_disconnect(remote);

    /* Where they stand now, as git fetch's forced refspec would set it. */
    for (size_t i = 0; i < retrack.count; i++) {
        git_reference *ref = NULL;
        if ((error = git_reference_create(&ref, repo, retrack.items[i].name, &retrack.items[i].id,
                                          1, "dateline pull")) < 0) {
            error = dl_history__git_error(error, "cannot record where %s stands", name);
            goto done;
        }
        git_reference_free(ref);
        written++;
    }

    for (size_t i = 0; i < moved.count; i++) {
        const char *tracking_name = moved.items[i].name;
        const git_oid *theirs = &moved.items[i].id;
        if (strcmp(tracking_name, notes_ref) == 0)
            continue; /* joined below */
        char *local = malloc(strlen(tracking_name) + 32);
        if (local == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        sprintf(local, "%s%s", DL_HISTORY_REF_PREFIX, tracking_name + skip);
        size_t joined = result.updated + result.merged;
        error = check_remote_ref(&result, repo, local, theirs);
        if (error == 1) {
            error = join_article(&result, store, local, theirs, name);
            written += result.updated + result.merged - joined;
        } else if (error == 0) {
            /* Not kept as a remote-tracking ref either: nothing of it
             * stays reachable in the store. */
            remove_ref(repo, tracking_name);
            written++;
        }
        free(local);
        if (error < 0)
            goto done;
    }

    git_oid their_notes;
    if (git_reference_name_to_id(&their_notes, repo, notes_ref) == 0) {
        git_object *notes = NULL;
        if (git_object_lookup(&notes, repo, &their_notes, GIT_OBJECT_COMMIT) < 0) {
            remove_ref(repo, notes_ref);
            error = refuse(&result, DL_HISTORY_NOTES_REF, "does not point at a notes commit");
        } else {
            error = join_notes_ref(&result, store, &their_notes, name);
        }
        git_object_free(notes);
        if (error < 0)
            goto done;
    }

    if (written > 0)
        pack_refs(repo);
    *out = result;
    memset(&result, 0, sizeof(result));
    error = 0;

done:
    dl_history_sync_result_dispose(&result);
    free(glob);
    free(spec_notes);
    free(spec_refs);
    free(prefix);
    ref_list_free(&haves);
    ref_list_free(&moved);
    ref_list_free(&retrack);
    ref_list_free(&local_refs);
    ref_list_free(&tracking);
    git_remote_free(remote);
    return error;
}

void dl_history_sync_result_dispose(dl_history_sync_result *result)
{
    if (result == NULL)
        return;
    for (size_t i = 0; i < result->refused_count; i++)
        free(result->refused[i]);
    free(result->refused);
    result->refused = NULL;
    result->refused_count = 0;
}

int dl_history_pull(dl_history_sync_result *out, dl_history_store *store,
                    const dl_history_sync_options *opts)
{
    const char *name = opts && opts->remote ? opts->remote : "origin";
    pthread_mutex_lock(&store->lock);
    int error = pull_locked(out, store, name);
    pthread_mutex_unlock(&store->lock);
    return error;
}

/* ---------------------------------------------------------- migration -- */

/* Whether the store's ref `name` holds `id`: points at it or past it. */
static int store_holds(git_repository *repo, const char *name, const git_oid *id)
{
    git_oid ours;
    if (git_reference_name_to_id(&ours, repo, name) < 0)
        return 0;
    return git_oid_equal(&ours, id) || git_graph_descendant_of(repo, &ours, id) == 1;
}

/* Remove the user's ref `name` if it still points at `id` (git's own
 * compare-and-delete): should an older dateline have moved it meanwhile,
 * its new versions stay there for the next migration. 1 if removed. */
static int remove_unmoved(git_repository *user, const char *name, const git_oid *id)
{
    git_reference *ref = NULL;
    int removed = 0;
    if (git_reference_lookup(&ref, user, name) == 0 && git_reference_target(ref) != NULL &&
        git_oid_equal(git_reference_target(ref), id))
        removed = git_reference_delete(ref) == 0;
    git_reference_free(ref);
    return removed;
}

/* Remove staged refs: this process's (`own`), or with `own` NULL those of
 * migrations whose process is gone (killed half-way). */
static void remove_staged(git_repository *repo, const char *own)
{
    string_list staged = {0};
    if (list_refs(&staged, repo, DL_HISTORY_MIGRATE_PREFIX "*") < 0) {
        dl_error_clear(); /* tidying: the next run tries again */
        return;
    }
    size_t skip = strlen(DL_HISTORY_MIGRATE_PREFIX);
    for (size_t i = 0; i < staged.count; i++) {
        const char *name = staged.items[i];
        long pid = strtol(name + skip, NULL, 10);
        int dead = pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
        if (own ? strncmp(name, own, strlen(own)) == 0 : dead)
            remove_ref(repo, name);
    }
    string_list_free(&staged);
}

/* Copy `staged` (the user's refs/dateline-remotes/..., fetched) to the
 * store's ref of the same name unless it has one: they only remember
 * where a remote stood, and the next pull refreshes them. */
static void adopt_tracking(git_repository *repo, const char *staged, const char *name)
{
    git_oid id;
    git_reference *ref = NULL;
    if (git_reference_name_to_id(&id, repo, staged) == 0 &&
        git_reference_create(&ref, repo, name, &id, 0, "dateline: moved from the repository") == 0)
        git_reference_free(ref);
    dl_error_clear();
}

int dl_history__migrate(dl_history_store *store)
{
    git_repository *user = store->user, *repo = store->repo;
    string_list articles = {0}, tracking = {0}, staged = {0};
    ref_list wanted = {0}, wanted_tracking = {0}, nothing = {0};
    dl_history_sync_result result = {0};
    git_odb *odb = NULL;
    git_oid notes, id;
    char prefix[64];
    size_t moved = 0, left = 0;
    int staging = 0, error;

    if ((error = list_refs(&articles, user, DL_HISTORY_REF_PREFIX "*")) < 0 ||
        (error = list_refs(&tracking, user, DL_HISTORY_REMOTES_PREFIX "*")) < 0)
        goto done;
    int has_notes = git_reference_name_to_id(&notes, user, DL_HISTORY_NOTES_REF) == 0;
    if (articles.count == 0 && tracking.count == 0 && !has_notes)
        goto done;

    /* Stage a copy in the store under a name of this process's own, so
     * that two processes migrating at once never fight over a ref; then
     * join it with what the store holds, as pull joins a remote's. */
    remove_staged(repo, NULL);
    snprintf(prefix, sizeof(prefix), "%s%ld/", DL_HISTORY_MIGRATE_PREFIX, (long)getpid());
    staging = 1;
    /* The copy is made as a pull from a path makes it, from these refs
     * alone: a fetch from the repository would bring every branch of it
     * into the store, for good. */
    const char *from = git_repository_commondir(user);
    if ((error = list_ref_values(&wanted, user, DL_HISTORY_REF_PREFIX "*")) < 0 ||
        (error = list_ref_values(&wanted_tracking, user, DL_HISTORY_REMOTES_PREFIX "*")) < 0 ||
        (has_notes && (error = ref_list_add(&wanted, DL_HISTORY_NOTES_REF, &notes)) < 0))
        goto done;
    for (size_t i = 0; i < wanted_tracking.count; i++)
        if ((error = ref_list_add(&wanted, wanted_tracking.items[i].name,
                                  &wanted_tracking.items[i].id)) < 0)
            goto done;
    if ((error = download_from_path(repo, from, &wanted, &nothing)) < 0) {
        error = dl_history__git_error(error, "cannot move the history in %s to %s", from,
                                      store->gitdir);
        goto done;
    }
    for (size_t i = 0; i < wanted.count; i++) {
        const char *ref = wanted.items[i].name;
        char stage[4096];
        int n = strcmp(ref, DL_HISTORY_NOTES_REF) == 0
                    ? snprintf(stage, sizeof(stage), "%snotes", prefix)
                : strncmp(ref, DL_HISTORY_REF_PREFIX, strlen(DL_HISTORY_REF_PREFIX)) == 0
                    ? snprintf(stage, sizeof(stage), "%sarticles/%s", prefix,
                               ref + strlen(DL_HISTORY_REF_PREFIX))
                    : snprintf(stage, sizeof(stage), "%sremotes/%s", prefix,
                               ref + strlen(DL_HISTORY_REMOTES_PREFIX));
        git_reference *made = NULL;
        if (n < 0 || (size_t)n >= sizeof(stage))
            continue; /* a name no ref can have */
        if ((error = git_reference_create(&made, repo, stage, &wanted.items[i].id, 1,
                                          "dateline: move history")) < 0) {
            error = dl_history__git_error(error, "cannot move the history in %s to %s", from,
                                          store->gitdir);
            goto done;
        }
        git_reference_free(made);
    }

    char glob[96];
    snprintf(glob, sizeof(glob), "%sarticles/*", prefix);
    if ((error = list_refs(&staged, repo, glob)) < 0)
        goto done;
    size_t skip = strlen(glob) - 1;
    for (size_t i = 0; i < staged.count; i++) {
        if (git_reference_name_to_id(&id, repo, staged.items[i]) < 0)
            continue;
        size_t n = strlen(DL_HISTORY_REF_PREFIX) + strlen(staged.items[i] + skip) + 1;
        char *local = malloc(n);
        if (local == NULL) {
            error = dl_error_set(DL_ERROR, "out of memory");
            goto done;
        }
        snprintf(local, n, "%s%s", DL_HISTORY_REF_PREFIX, staged.items[i] + skip);
        /* One that cannot be joined (not a version) stays where it is. */
        if (join_article(&result, store, local, &id, from) < 0)
            dl_error_clear();
        free(local);
    }
    char name[160];
    snprintf(name, sizeof(name), "%snotes", prefix);
    if (git_reference_name_to_id(&id, repo, name) == 0 &&
        (error = join_notes_ref(&result, store, &id, from)) < 0)
        goto done;
    string_list_free(&staged);
    snprintf(glob, sizeof(glob), "%sremotes/*", prefix);
    if ((error = list_refs(&staged, repo, glob)) < 0)
        goto done;
    skip = strlen(glob) - 1;
    for (size_t i = 0; i < staged.count; i++) {
        snprintf(name, sizeof(name), "%s%s", DL_HISTORY_REMOTES_PREFIX, staged.items[i] + skip);
        adopt_tracking(repo, staged.items[i], name);
    }

    /* Only now, with everything held by the store, leave the user's
     * repository: its value read again, so a version written since is
     * kept for next time. */
    for (size_t i = 0; i < articles.count; i++) {
        if (git_reference_name_to_id(&id, user, articles.items[i]) == 0 &&
            store_holds(repo, articles.items[i], &id) &&
            remove_unmoved(user, articles.items[i], &id))
            moved++;
        else
            left++;
    }
    if (git_reference_name_to_id(&id, user, DL_HISTORY_NOTES_REF) == 0 &&
        !(store_holds(repo, DL_HISTORY_NOTES_REF, &id) &&
          remove_unmoved(user, DL_HISTORY_NOTES_REF, &id)))
        left++;
    if ((error = git_repository_odb(&odb, repo)) < 0) {
        error = dl_history__git_error(error, "cannot read the store %s", store->gitdir);
        goto done;
    }
    for (size_t i = 0; i < tracking.count; i++)
        if (git_reference_name_to_id(&id, user, tracking.items[i]) == 0 &&
            git_odb_exists(odb, &id))
            remove_unmoved(user, tracking.items[i], &id);

    if (moved == 0 && left == 0)
        goto done; /* only remote-tracking refs: nothing the user needs to hear */
    char notice[1024];
    int n = snprintf(notice, sizeof(notice),
                     "moved the history of %zu article%s from %s into dateline's own store %s",
                     moved, moved == 1 ? "" : "s", from, store->gitdir);
    if (left > 0 && n > 0 && (size_t)n < sizeof(notice))
        snprintf(notice + n, sizeof(notice) - (size_t)n,
                 "; %zu ref%s could not be moved and stay%s in %s (refs/dateline/)", left,
                 left == 1 ? "" : "s", left == 1 ? "s" : "", from);
    dl_notice_add("%s", notice);

done:
    if (staging)
        remove_staged(repo, prefix);
    git_odb_free(odb);
    dl_history_sync_result_dispose(&result);
    ref_list_free(&wanted);
    ref_list_free(&wanted_tracking);
    string_list_free(&staged);
    string_list_free(&tracking);
    string_list_free(&articles);
    return error;
}
