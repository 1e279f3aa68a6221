/*
 * dateline — keeping the store small: packing dateline's loose objects.
 *
 * Each version adds three or more loose objects (blob, trees, commit), each
 * a file of its own, zlib-compressed but never delta-compressed: 2,000 saves
 * of a 5 KB article would take ~25 MB of disk. So, like `git gc --auto`,
 * recording a version checks whether enough loose objects have piled up and
 * then moves the loose objects reachable from dateline's refs into one new
 * pack (libgit2's packbuilder), where versions become deltas of each other,
 * and deletes their loose copies, as `git prune-packed` would. That is
 * safe at any moment: each one is already in a pack that is fully written
 * (libgit2 writes .pack and .idx under temporary names and renames).
 *
 * Packs are only ever added. dateline never deletes or rewrites a pack,
 * its own or anybody's, so nothing it does can disagree with the user's
 * `git gc`, bitmaps or multi-pack-index; joining the packs is left to
 * `git gc` / `git maintenance`, which keep everything under refs/dateline/
 * and refs/notes/dateline because those are refs.
 *
 * Only objects reachable from our refs are packed: the user's loose objects
 * and garbage stay for `git gc` to judge. Two processes packing at once
 * may both pack the same objects; that costs a duplicate pack, never an
 * object, so no lock is taken.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dateline/error.h"
#include "history_internal.h"

/* Pack when a version sits on this many loose versions (~3 objects each). */
#define LOOSE_VERSIONS_LIMIT 40
/* ... or when one sampled fan-out directory suggests this many loose
 * objects in all (a quarter of the git gc default, scaled to 1/256th). */
#define SAMPLED_LOOSE_LIMIT 8
/* ------------------------------------------------------------ oid set -- */

typedef struct {
    git_oid *slots;
    unsigned char *used;
    size_t capacity, count;
    git_oid *list; /* insertion order, for the pack builder */
} oid_set;

static size_t oid_hash(const git_oid *id)
{
    size_t h;
    memcpy(&h, id->id, sizeof(h));
    return h;
}

static void oid_set_free(oid_set *set)
{
    free(set->slots);
    free(set->used);
    free(set->list);
    memset(set, 0, sizeof(*set));
}

/* 1 if added, 0 if present, -1 on allocation failure. */
static int oid_set_add(oid_set *set, const git_oid *id)
{
    if (set->count * 2 >= set->capacity) {
        size_t capacity = set->capacity ? set->capacity * 2 : 1024;
        oid_set grown = {calloc(capacity, sizeof(git_oid)), calloc(capacity, 1), capacity,
                         set->count, realloc(set->list, capacity * sizeof(git_oid))};
        if (grown.slots == NULL || grown.used == NULL || grown.list == NULL) {
            free(grown.slots);
            free(grown.used);
            if (grown.list != NULL)
                set->list = grown.list;
            return -1;
        }
        for (size_t i = 0; i < set->count; i++) {
            size_t at = oid_hash(&grown.list[i]) & (capacity - 1);
            while (grown.used[at])
                at = (at + 1) & (capacity - 1);
            grown.used[at] = 1;
            grown.slots[at] = grown.list[i];
        }
        free(set->slots);
        free(set->used);
        *set = grown;
    }
    size_t at = oid_hash(id) & (set->capacity - 1);
    while (set->used[at]) {
        if (git_oid_equal(&set->slots[at], id))
            return 0;
        at = (at + 1) & (set->capacity - 1);
    }
    set->used[at] = 1;
    set->slots[at] = *id;
    set->list[set->count++] = *id;
    return 1;
}

/* ----------------------------------------------------------- on disk -- */

static void loose_path(char *out, size_t size, const char *objects, const git_oid *id)
{
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), id);
    snprintf(out, size, "%s%.2s/%s", objects, hex, hex + 2);
}

static int is_loose(const char *objects, const git_oid *id)
{
    char path[4096];
    struct stat st;
    loose_path(path, sizeof(path), objects, id);
    return stat(path, &st) == 0;
}

static char *objects_dir(git_repository *repo)
{
    const char *common = git_repository_commondir(repo);
    char *dir = malloc(strlen(common) + sizeof("objects/"));
    if (dir != NULL)
        sprintf(dir, "%sobjects/", common);
    return dir;
}

void dl_history__discard_loose(git_repository *repo, const git_oid *id)
{
    char path[4096];
    char *objects = objects_dir(repo);
    if (objects == NULL)
        return;
    loose_path(path, sizeof(path), objects, id);
    unlink(path);
    free(objects);
}

/* Entries in a directory, not counting ".", ".." and hidden files. */
static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *entry;
    size_t count = 0;
    if (d == NULL)
        return 0;
    while ((entry = readdir(d)) != NULL)
        count += entry->d_name[0] != '.';
    closedir(d);
    return count;
}

/* ------------------------------------------------------ what to pack -- */

typedef struct {
    git_repository *repo;
    const char *objects;
    oid_set set;    /* objects to pack */
    oid_set seen;   /* commits visited */
    git_oid *stack; /* commits still to visit */
    size_t depth, stack_capacity;
    int error;
} collector;

static int push_commit(collector *c, const git_oid *id)
{
    if (c->depth == c->stack_capacity) {
        size_t capacity = c->stack_capacity ? c->stack_capacity * 2 : 256;
        git_oid *grown = realloc(c->stack, capacity * sizeof(*grown));
        if (grown == NULL)
            return -1;
        c->stack = grown;
        c->stack_capacity = capacity;
    }
    c->stack[c->depth++] = *id;
    return 0;
}

/* Add a tree's loose objects. A packed tree's contents were packed with
 * it, so the walk stops there. */
static int collect_tree(collector *c, const git_oid *id)
{
    git_tree *tree = NULL;
    int error;
    if (!is_loose(c->objects, id) || (error = oid_set_add(&c->set, id)) == 0)
        return 0;
    if (error < 0 || (error = git_tree_lookup(&tree, c->repo, id)) < 0)
        return -1;
    for (size_t i = 0; i < git_tree_entrycount(tree) && error >= 0; i++) {
        const git_tree_entry *entry = git_tree_entry_byindex(tree, i);
        const git_oid *child = git_tree_entry_id(entry);
        if (git_tree_entry_type(entry) == GIT_OBJECT_TREE)
            error = collect_tree(c, child);
        else if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB && is_loose(c->objects, child))
            error = oid_set_add(&c->set, child) < 0 ? -1 : 0;
    }
    git_tree_free(tree);
    return error < 0 ? -1 : 0;
}

/* Walk back from a tip through loose commits only: everything behind the
 * first packed commit was packed by an earlier run (or came in a pack). */
static int collect_from(collector *c, const git_oid *tip)
{
    if (push_commit(c, tip) < 0)
        return -1;
    while (c->depth > 0) {
        git_oid id = c->stack[--c->depth];
        git_commit *commit = NULL;
        int added = oid_set_add(&c->seen, &id);
        if (added < 0)
            return -1;
        if (added == 0 || !is_loose(c->objects, &id))
            continue;
        if (oid_set_add(&c->set, &id) < 0 || git_commit_lookup(&commit, c->repo, &id) < 0)
            return -1;
        int error = collect_tree(c, git_commit_tree_id(commit));
        for (unsigned i = 0; error == 0 && i < git_commit_parentcount(commit); i++)
            error = push_commit(c, git_commit_parent_id(commit, i));
        git_commit_free(commit);
        if (error < 0)
            return -1;
    }
    return 0;
}

static int collect_ref(git_reference *ref, void *payload)
{
    collector *c = payload;
    git_reference *resolved = NULL;
    if (git_reference_resolve(&resolved, ref) == 0) {
        if (collect_from(c, git_reference_target(resolved)) < 0)
            c->error = -1;
        git_reference_free(resolved);
    }
    git_reference_free(ref);
    return c->error;
}

static const char *const OUR_GLOBS[] = {"refs/dateline/*", "refs/dateline-remotes/*",
                                        DL_HISTORY_NOTES_REF};

/* ------------------------------------------------------------ packing -- */

/* A temporary file this old was left by a process that was killed: even a
 * slow fetch of a large history is done in a day. */
#define STALE_TEMPORARY_SECONDS (24 * 60 * 60)

void dl_history__remove_stale(const char *dir, int (*ours)(const char *name))
{
    char path[4096];
    DIR *d = opendir(dir);
    struct dirent *entry;
    time_t now = time(NULL);
    if (d == NULL)
        return;
    while ((entry = readdir(d)) != NULL) {
        struct stat st;
        if (!ours(entry->d_name) ||
            snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name) >= (int)sizeof(path))
            continue;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
            now - st.st_mtime > STALE_TEMPORARY_SECONDS)
            unlink(path);
    }
    closedir(d);
}

/* What a killed libgit2 packer or fetch leaves in objects/pack: its
 * temporary pack ("pack_git2_*") and the lock of an index it was writing
 * ("pack-*.lock"). Nothing refers to either, and `git gc` only cleans
 * git's own tmp_* files, so they would stay for good. */
static int is_pack_temporary(const char *name)
{
    size_t n = strlen(name);
    return strncmp(name, "pack_git2_", 10) == 0 ||
           (strncmp(name, "pack-", 5) == 0 && n > 5 && strcmp(name + n - 5, ".lock") == 0);
}

/* The loose objects reachable from dateline's refs into one new pack. */
static int pack_loose(git_repository *repo)
{
    collector c = {.repo = repo};
    git_packbuilder *builder = NULL;
    git_odb *odb = NULL;
    char *objects = objects_dir(repo);
    int error = 0;

    if (objects == NULL)
        return dl_error_set(DL_ERROR, "out of memory");
    char pack_dir[4096];
    snprintf(pack_dir, sizeof(pack_dir), "%spack", objects);
    dl_history__remove_stale(pack_dir, is_pack_temporary);
    dl_history__log_cache_tidy(repo);
    c.objects = objects;
    for (size_t i = 0; i < sizeof(OUR_GLOBS) / sizeof(OUR_GLOBS[0]); i++) {
        git_reference_iterator *it = NULL;
        git_reference *ref = NULL;
        if (git_reference_iterator_glob_new(&it, repo, OUR_GLOBS[i]) < 0)
            continue;
        while (c.error == 0 && git_reference_next(&ref, it) == 0)
            collect_ref(ref, &c);
        git_reference_iterator_free(it);
    }
    if (c.error < 0) {
        error = dl_history__git_error(-1, "cannot list objects to pack");
        goto done;
    }
    if (c.set.count == 0)
        goto done;
    if ((error = git_packbuilder_new(&builder, repo)) < 0)
        goto git_failed;
    for (size_t i = 0; i < c.set.count; i++)
        if ((error = git_packbuilder_insert(builder, &c.set.list[i], NULL)) < 0)
            goto git_failed;
    if ((error = git_packbuilder_write(builder, NULL, 0, NULL, NULL)) < 0)
        goto git_failed;
    for (size_t i = 0; i < c.set.count; i++) {
        char path[4096];
        loose_path(path, sizeof(path), objects, &c.set.list[i]);
        /* Fan-out directories stay: libgit2 creates one and then
         * renames an object into it, so removing an empty one races
         * with a concurrent save and makes that save fail. */
        unlink(path);
    }
    /* This handle's object database must see the new pack before it
     * looks for an object whose loose copy is gone. */
    if (git_repository_odb(&odb, repo) == 0)
        git_odb_refresh(odb);
    goto done;

git_failed:
    error = dl_history__git_error(error, "cannot pack the history store");

done:
    git_odb_free(odb);
    git_packbuilder_free(builder);
    oid_set_free(&c.set);
    oid_set_free(&c.seen);
    free(c.stack);
    free(objects);
    return error;
}

void dl_history__maybe_pack(dl_history_store *store, const git_oid *tip)
{
    git_repository *repo = store->repo, *reader = NULL;
    char *objects = objects_dir(repo);
    git_commit *commit = NULL;
    git_oid id = *tip;
    size_t loose = 0;

    if (objects == NULL)
        return;
    /* Cheap tests only: a few stat() calls and one small directory read.
     * The loose versions are read from the loose objects alone: through the
     * store, libgit2 would look through every pack first, a cost that grows
     * with the number of packs (one every 40 versions). */
    if (dl_history__loose_repo(&reader, store) < 0)
        reader = repo;
    while (loose < LOOSE_VERSIONS_LIMIT && is_loose(objects, &id)) {
        loose++;
        if (git_commit_lookup(&commit, reader, &id) < 0 || git_commit_parentcount(commit) == 0)
            break;
        id = *git_commit_parent_id(commit, 0);
        git_commit_free(commit);
        commit = NULL;
    }
    git_commit_free(commit);

    char sample[4096], hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof(hex), tip);
    snprintf(sample, sizeof(sample), "%s%.2s", objects, hex);
    if (loose >= LOOSE_VERSIONS_LIMIT || count_entries(sample) > SAMPLED_LOOSE_LIMIT)
        pack_loose(repo);
    free(objects);
    dl_error_clear(); /* best effort: the version is recorded either way */
}
