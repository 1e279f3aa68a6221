/*
 * dateline — keeping the store small: packing dateline's loose objects,
 * and joining its packs.
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
 * Each such pack would stay for good: the store is dateline's own bare
 * repository, where nobody runs `git gc`, and every command opens every
 * pack's index (250 of them at 10,000 versions). So after writing a pack
 * the upkeep joins the lightest packs into one, as `git repack
 * --geometric=2 -d` does (join_packs): their number stays logarithmic in
 * the number of versions. A joined pack holds every object of the packs
 * it replaces, reachable or not, and they are removed only once it is in
 * place and read back. dateline joins only packs in its own store, never
 * one with a .keep (or git's .mtimes, .promisor), and none at all under a
 * multi-pack-index, which means a git of the user's manages the packs.
 * `git gc` / `git maintenance` on the store still work as before and keep
 * everything under refs/dateline/ and refs/notes/dateline: those are refs.
 *
 * Only loose objects reachable from our refs are packed: other loose
 * objects and garbage stay for `git gc` to judge. Two processes packing or
 * joining at once may both do the same work; that costs a duplicate pack,
 * never an object, so no lock is taken.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

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

/* A new pack of the objects of `set`, written into the store's pack
 * folder by libgit2, which renames it into place once complete. A
 * libgit2 error code; the builder (the pack's name) is the caller's. */
static int write_pack(git_packbuilder **out, git_repository *repo, const oid_set *set)
{
    int error = git_packbuilder_new(out, repo);
    for (size_t i = 0; error == 0 && i < set->count; i++)
        error = git_packbuilder_insert(*out, &set->list[i], NULL);
    return error < 0 ? error : git_packbuilder_write(*out, NULL, 0, NULL, NULL);
}

/* ------------------------------------------------------------ joining -- */

/* A pack of more objects than this (some 20,000 versions) is not joined
 * again: libgit2 rewrites every object of a join, at about 40 us each, and
 * a join runs inside a save, whose cost the design bounds. The largest
 * join is then some 130,000 objects, about 5 s, and beyond the limit the
 * packs grow in number by one per ~20,000 versions, not per 40. */
#define JOIN_OBJECTS_LIMIT 65536
/* An .idx of version 2 for SHA-1: 1,072 bytes of header and fan-out, then
 * 28 bytes per object (name, CRC, offset), then 40 of checksums. */
#define IDX_WEIGHT(objects) (1112 + 28 * (off_t)(objects))

/* A pack of the store, as the join weighs it. */
typedef struct {
    char *base;    /* ".../objects/pack/pack-<hash>", without extension */
    off_t weight;  /* the size of its .idx file (see list_packs) */
    int listed;    /* every object of it is in the join's list */
} pack_entry;

static int by_weight(const void *a, const void *b)
{
    const pack_entry *x = a, *y = b;
    return (x->weight > y->weight) - (x->weight < y->weight);
}

/* "<base><ext>" into `path`; 0, or -1 if it does not fit. */
static int with_ext(char path[static 4096], const char *base, const char *ext)
{
    return snprintf(path, 4096, "%s%s", base, ext) < 4096 ? 0 : -1;
}

static int has_file(const char *base, const char *ext)
{
    char path[4096];
    struct stat st;
    return with_ext(path, base, ext) == 0 && stat(path, &st) == 0;
}

/* A pack somebody's git looks after: kept (.keep), a cruft pack of
 * unreachable objects whose ages git tracks (.mtimes), or a partial
 * clone's (.promisor). dateline neither joins nor removes it. */
static int is_gits(const char *base)
{
    return has_file(base, ".keep") || has_file(base, ".mtimes") || has_file(base, ".promisor");
}

/* The files of one pack, the .idx first: readers find a pack through its
 * .idx, so once that is gone no reader starts on the pack, and one that
 * already holds the .idx but has not opened the .pack finds the object
 * missing there, reloads the pack folder and reads it from the joined
 * pack (libgit2 1.5, odb.c: a lookup that fails refreshes and retries;
 * odb_pack.c: a pack whose .pack cannot be opened is passed over). A
 * reader that has the .pack open keeps reading the unlinked file. */
static void remove_pack(const char *base)
{
    static const char *const exts[] = {".idx", ".pack", ".rev", ".bitmap"};
    char path[4096];
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
        if (with_ext(path, base, exts[i]) == 0)
            unlink(path);
}

/* What a join killed between two unlink() calls of remove_pack leaves: a
 * pack's .pack, .rev or .bitmap without its .idx, or the reverse. No
 * reader uses such files (libgit2 and git skip an .idx without its .pack
 * and never look at a .pack without an .idx), nor would `git gc` remove
 * them. A writer between its two renames leaves the same for a moment,
 * hence the age. */
static void remove_stale_halves(const char *pack_dir, const char *name)
{
    static const char *const exts[] = {".idx", ".pack", ".rev", ".bitmap"};
    size_t n = strlen(name);
    char base[4096], path[4096];
    struct stat st;
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t e = strlen(exts[i]);
        if (strncmp(name, "pack-", 5) != 0 || n <= e || strcmp(name + n - e, exts[i]) != 0)
            continue;
        if (snprintf(base, sizeof(base), "%s/%.*s", pack_dir, (int)(n - e), name) >=
                (int)sizeof(base) ||
            snprintf(path, sizeof(path), "%s/%s", pack_dir, name) >= (int)sizeof(path))
            return;
        if ((!has_file(base, ".idx") || !has_file(base, ".pack")) && !is_gits(base) &&
            lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
            time(NULL) - st.st_mtime > STALE_TEMPORARY_SECONDS)
            unlink(path);
        return;
    }
}

static void free_packs(pack_entry *packs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(packs[i].base);
    free(packs);
}

/* The packs a join may take: every complete pack that is not git's
 * (is_gits) and under JOIN_OBJECTS_LIMIT, each weighed by the size of its
 * .idx, which grows by the same 28 bytes for every object: its number of
 * objects, known from one stat() call where libgit2 would open the index
 * and go through it. Not the .pack's size: 40 versions packed on their
 * own take twice the bytes they take once joined with their neighbours as
 * deltas, and weighed so, the newest packs would look heavy and pull the
 * largest pack into a join far more often. */
static int list_packs(pack_entry **out, size_t *count, const char *pack_dir)
{
    DIR *d = opendir(pack_dir);
    struct dirent *entry;
    pack_entry *packs = NULL;
    size_t n = 0, capacity = 0;
    *out = NULL;
    *count = 0;
    if (d == NULL)
        return 0;
    while ((entry = readdir(d)) != NULL) {
        size_t len = strlen(entry->d_name);
        struct stat st;
        char base[4096], path[4096];
        remove_stale_halves(pack_dir, entry->d_name);
        if (strncmp(entry->d_name, "pack-", 5) != 0 || len <= 4 ||
            strcmp(entry->d_name + len - 4, ".idx") != 0)
            continue;
        if (snprintf(base, sizeof(base), "%s/%.*s", pack_dir, (int)(len - 4), entry->d_name) >=
                (int)sizeof(base) ||
            !has_file(base, ".pack") || is_gits(base) ||
            with_ext(path, base, ".idx") < 0 || stat(path, &st) < 0 ||
            st.st_size > IDX_WEIGHT(JOIN_OBJECTS_LIMIT))
            continue;
        if (n == capacity) {
            size_t grown_capacity = capacity ? capacity * 2 : 16;
            pack_entry *grown = realloc(packs, grown_capacity * sizeof(*grown));
            if (grown == NULL)
                goto oom;
            packs = grown;
            capacity = grown_capacity;
        }
        if ((packs[n].base = strdup(base)) == NULL)
            goto oom;
        packs[n].weight = st.st_size;
        packs[n].listed = 0;
        n++;
    }
    closedir(d);
    *out = packs;
    *count = n;
    return 0;

oom:
    closedir(d);
    free_packs(packs, n);
    return -1;
}

/* How many of the packs, sorted by weight, to join, as `git repack
 * --geometric=2` chooses: the heavy packs that already grow by a factor of
 * two each stay; the light ones below them are joined, together with any
 * heavy one the joined pack would come too close to. So every pack is at
 * least twice the one below it, there are about log2(versions) packs, and
 * an object is rewritten about log2(versions) times in all. */
static size_t geometric_split(const pack_entry *packs, size_t count)
{
    size_t split = count - 1;
    while (split > 0 && packs[split].weight >= 2 * packs[split - 1].weight)
        split--;
    if (split == 0)
        return 0;
    split++; /* the heavier of the first pair out of progression joins too */
    off_t total = 0;
    for (size_t i = 0; i < split; i++)
        total += packs[i].weight;
    while (split < count && packs[split].weight < 2 * total)
        total += packs[split++].weight;
    return split;
}

static int add_object(const git_oid *id, void *payload)
{
    return oid_set_add(payload, id) < 0 ? -1 : 0;
}

/* A database of one pack's objects alone. */
static int open_one_pack(git_odb **out, const char *base)
{
    char idx[4096];
    git_odb_backend *backend = NULL;
    *out = NULL;
    if (with_ext(idx, base, ".idx") < 0)
        return dl_error_set(DL_ERROR, "path too long: %s", base);
    int error = git_odb_new(out);
    if (error == 0 && (error = git_odb_backend_one_pack(&backend, idx)) == 0 &&
        (error = git_odb_add_backend(*out, backend, 1)) < 0)
        backend->free(backend); /* not the database's yet */
    if (error < 0) {
        git_odb_free(*out);
        *out = NULL;
    }
    return error;
}

/* Every object of the packs about to be joined. A pack that can no longer
 * be read was joined and removed by another process since the folder was
 * listed: it is left out, and so never removed by this join. */
static int list_objects(oid_set *set, pack_entry *packs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        git_odb *one = NULL;
        if (open_one_pack(&one, packs[i].base) < 0)
            continue;
        int error = git_odb_foreach(one, add_object, set);
        git_odb_free(one);
        if (error == GIT_EUSER)
            return -1;
        packs[i].listed = error == 0;
    }
    return 0;
}

/* 1 if every object listed is in the pack `base`, read back from disk. */
static int holds_all(const char *base, const oid_set *set)
{
    git_odb *one = NULL;
    int all = open_one_pack(&one, base) == 0;
    for (size_t i = 0; all && i < set->count; i++)
        all = git_odb_exists(one, &set->list[i]);
    git_odb_free(one);
    return all;
}

/*
 * Join the lightest packs of the store into one, so that their number
 * stays logarithmic in the number of versions: every command opens every
 * pack's index, and a save looks through each to learn that its text is
 * new. Order, so that no object is ever lost:
 *  1. list the packs, and every object of those to join (the union, all of
 *     them, reachable or not: a pack a concurrent pull has just fetched
 *     holds objects no ref names yet, and they are kept like any other);
 *  2. write the joined pack (libgit2 renames its .idx and .pack into place
 *     once complete) and read it back to check it holds every object;
 *  3. only then remove the packs joined.
 * Two processes joining at once each write a complete pack before they
 * remove anything, and each removes only packs whose every object its own
 * pack holds: the worst is duplicate work. So no lock, whose holder could
 * die and leave the packs to pile up. A join killed anywhere leaves every
 * object in an old pack or in the new, complete one; its temporary pack
 * is swept by dl_history__remove_stale, a half-removed pack by
 * remove_stale_halves.
 */
static int join_packs(git_repository *repo, const char *objects)
{
    char pack_dir[4096], midx[4096];
    pack_entry *packs = NULL;
    size_t count = 0, split;
    oid_set set = {0};
    git_packbuilder *builder = NULL;
    int error = 0;

    /* A multi-pack-index is written by somebody's git, which manages the
     * packs it names: joining under it is that git's job. */
    if (snprintf(pack_dir, sizeof(pack_dir), "%spack", objects) >= (int)sizeof(pack_dir) ||
        with_ext(midx, pack_dir, "/multi-pack-index") < 0 || access(midx, F_OK) == 0)
        return 0;
    if (list_packs(&packs, &count, pack_dir) < 0)
        return dl_error_set(DL_ERROR, "out of memory");
    qsort(packs, count, sizeof(*packs), by_weight);
    if (count < 2 || (split = geometric_split(packs, count)) < 2)
        goto done;
    if (list_objects(&set, packs, split) < 0) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    if (set.count == 0)
        goto done;
    if ((error = write_pack(&builder, repo, &set)) < 0)
        goto git_failed;

    char joined[4096 + 64];
    snprintf(joined, sizeof(joined), "%s/pack-%s", pack_dir, git_packbuilder_name(builder));
    if (!holds_all(joined, &set)) {
        error = dl_error_set(DL_ERROR, "the joined pack %s.pack lacks objects", joined);
        goto done;
    }
    for (size_t i = 0; i < split; i++)
        /* A .keep made since the listing is honoured all the same. */
        if (packs[i].listed && strcmp(packs[i].base, joined) != 0 && !is_gits(packs[i].base))
            remove_pack(packs[i].base);
    goto done; /* the store lets go of the packs removed in renew_odb */

git_failed:
    error = dl_history__git_error(error, "cannot join the packs of the history store");

done:
    git_packbuilder_free(builder);
    oid_set_free(&set);
    free_packs(packs, count);
    return error;
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
    if ((error = write_pack(&builder, repo, &c.set)) < 0)
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

/* The modification time of the pack folder under `objects`; 0 when the
 * folder cannot be read. */
static int pack_dir_time(struct timespec *out, const char *objects)
{
    char pack_dir[4096];
    struct stat st;
    if (snprintf(pack_dir, sizeof(pack_dir), "%spack", objects) >= (int)sizeof(pack_dir) ||
        stat(pack_dir, &st) < 0)
        return 0;
    *out = st.st_mtim;
    return 1;
}

void dl_history__packs_seen(dl_history_store *store)
{
    char *objects = objects_dir(store->repo);
    if (objects != NULL)
        pack_dir_time(&store->packs_seen, objects);
    free(objects);
}

/*
 * libgit2 1.5 refreshes an object database by adding the packs it has not
 * seen, never by dropping one: a store held open (a language server's)
 * kept every pack a join removed, its own or another process's, open and
 * on disk until it closed, a file descriptor each. So when the pack
 * folder has changed since the store last looked, the store takes a new
 * object database, made as libgit2 makes a repository's (the store's
 * configuration, its alternates). It holds just the packs there are now,
 * sharing those still there with the old one through libgit2's cache of
 * open packs, and the old one goes with the packs only it held.
 */
static void renew_odb(dl_history_store *store, const char *objects)
{
    struct timespec now;
    if (!pack_dir_time(&now, objects) ||
        (now.tv_sec == store->packs_seen.tv_sec && now.tv_nsec == store->packs_seen.tv_nsec))
        return;
    git_repository *fresh = NULL;
    git_odb *odb = NULL;
    if (git_repository_open_bare(&fresh, git_repository_path(store->repo)) == 0 &&
        git_repository_odb(&odb, fresh) == 0) {
        /* Freed first: a repository disowns its database when freed. */
        git_repository_free(fresh);
        fresh = NULL;
        git_repository_set_odb(store->repo, odb);
        store->packs_seen = now;
    }
    git_odb_free(odb);
    git_repository_free(fresh);
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
    if ((loose >= LOOSE_VERSIONS_LIMIT || count_entries(sample) > SAMPLED_LOOSE_LIMIT) &&
        pack_loose(repo) == 0)
        join_packs(repo, objects);
    renew_odb(store, objects);
    free(objects);
    dl_error_clear(); /* best effort: the version is recorded either way */
}
