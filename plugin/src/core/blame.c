/*
 * dateline — blame: which version last changed each block (see
 * dateline/blame.h for the rules).
 */
#include "dateline/blame.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dateline/error.h"
#include "dateline/json.h"
#include "dateline/text.h"
#include "diff_internal.h"
#include "history_internal.h"

/* The origin of a block that no version holds yet. Larger than any version
 * index, so "the newest origin" of several blocks is their maximum. */
#define NOT_RECORDED SIZE_MAX

static int oom(void)
{
    return dl_error_set(DL_ERROR, "out of memory");
}

/* ------------------------------------------------------------ blocks -- */

/* One version's blocks with their origins. */
typedef struct {
    git_blob *blob;      /* holds the bytes the units point into (past versions) */
    dl_article *article; /* or the parsed article does (parse_versions) */
    diff_unit *units;
    size_t count;
    size_t *origin; /* per unit: index of the version on the chain, or NOT_RECORDED */
} version_blocks;

static void blocks_dispose(version_blocks *v)
{
    git_blob_free(v->blob);
    dl_article_free(v->article);
    free(v->units);
    free(v->origin);
    memset(v, 0, sizeof(*v));
}

static int is_blank_line(const char *line, size_t size)
{
    for (size_t i = 0; i < size;) {
        size_t length;
        if (!dl_diff__is_space_at((const unsigned char *)line + i, size - i, &length))
            return 0;
        i += length;
    }
    return 1;
}

/*
 * Cut text into blocks at blank lines, as the grammar does, without
 * parsing: runs of non-blank lines. The first run is the headline's; the
 * grammar finds a byline or timestamp inside it, so each of its lines is a
 * unit of its own (a changed headline then changes no block). Each unit
 * runs from the start of its first line to the end of its last line,
 * without the line break.
 */
static int cut_blocks(version_blocks *v, const char *text, size_t size)
{
    size_t capacity = 16, count = 0, line_number = 0;
    diff_unit *units = malloc(capacity * sizeof(*units));
    if (!units)
        return oom();
    int in_headline = 1, in_block = 0;
    size_t start = 0;
    while (start < size) {
        const char *newline = memchr(text + start, '\n', size - start);
        size_t end = newline ? (size_t)(newline - text) : size;
        size_t content_end = end > start && text[end - 1] == '\r' ? end - 1 : end;
        if (is_blank_line(text + start, content_end - start)) {
            if (in_block)
                in_headline = 0;
            in_block = 0;
        } else {
            if (!in_block || in_headline) {
                if (count == capacity) {
                    capacity *= 2;
                    diff_unit *larger = realloc(units, capacity * sizeof(*units));
                    if (!larger) {
                        free(units);
                        return oom();
                    }
                    units = larger;
                }
                units[count++] = (diff_unit){text + start, 0,
                                             {(uint32_t)start, 0, (uint32_t)line_number, 0}};
            }
            in_block = 1;
            diff_unit *u = &units[count - 1];
            u->size = content_end - u->range.start_byte;
            u->range.end_byte = (uint32_t)content_end;
            u->range.end_line = (uint32_t)line_number;
        }
        start = end + 1;
        line_number++;
    }
    v->units = units;
    v->count = count;
    return 0;
}

/* The blocks of a parsed article, whole (dateline and byline included). */
static int article_blocks(version_blocks *v, const dl_article *article)
{
    v->units = calloc(article->block_count + 1, sizeof(*v->units));
    if (!v->units)
        return oom();
    for (size_t i = 0; i < article->block_count; i++) {
        const dl_block *b = &article->blocks[i];
        v->units[i] = (diff_unit){b->span.text, b->span.range.end_byte - b->span.range.start_byte,
                                  b->span.range};
    }
    v->count = article->block_count;
    return 0;
}

static int make_blocks(version_blocks *v, const char *text, size_t size, int parse)
{
    int error = 0;
    if (parse) {
        if ((error = dl_article_parse(&v->article, text, size)) == 0)
            error = article_blocks(v, v->article);
    } else {
        error = cut_blocks(v, text, size);
    }
    if (error == 0 && !(v->origin = malloc((v->count + 1) * sizeof(*v->origin))))
        error = oom();
    return error;
}

/*
 * Carry origins from `old` to `new` through the alignment: unchanged and
 * moved blocks keep theirs, everything else is `version`'s.
 */
static int carry_origins(version_blocks *new, const version_blocks *old, size_t version)
{
    for (size_t j = 0; j < new->count; j++)
        new->origin[j] = version;
    if (old == NULL || old->count == 0 || new->count == 0)
        return 0;
    dl_diff_options options = DL_DIFF_OPTIONS_INIT;
    options.blocks_only = 1;
    dl_diff *diff = NULL;
    int error = dl_diff__align(&diff, old->units, old->count, new->units, new->count, NULL, NULL,
                           &options);
    if (error < 0)
        return error;
    for (size_t k = 0; k < diff->block_count; k++) {
        const dl_diff_block *e = &diff->blocks[k];
        if (e->kind == DL_DIFF_UNCHANGED || e->kind == DL_DIFF_MOVED)
            new->origin[e->new_index] = old->origin[e->old_index];
    }
    dl_diff_free(diff);
    return 0;
}

/* ------------------------------------------------------------- chain -- */

/* The first-parent chain from the latest version, oldest first, as indexes
 * into the log. The log lists children before parents and a linear history
 * in order, so the parent is almost always the next entry. */
static int first_parent_chain(size_t **out, size_t *count, const dl_history_log *log)
{
    size_t *chain = malloc((log->count + 1) * sizeof(*chain));
    if (!chain)
        return oom();
    size_t n = 0;
    for (size_t k = 0; log->count > 0 && n < log->count;) {
        chain[n++] = k;
        const dl_history_version *v = &log->versions[k];
        if (v->parent_count == 0)
            break;
        size_t next = log->count;
        if (k + 1 < log->count && strcmp(log->versions[k + 1].id.hex, v->parent.hex) == 0) {
            next = k + 1;
        } else {
            for (size_t p = 0; p < log->count; p++)
                if (strcmp(log->versions[p].id.hex, v->parent.hex) == 0)
                    next = p;
        }
        if (next == log->count)
            break; /* the parent is not in the log: the chain starts here */
        k = next;
    }
    for (size_t i = 0; i < n / 2; i++) {
        size_t t = chain[i];
        chain[i] = chain[n - 1 - i];
        chain[n - 1 - i] = t;
    }
    *out = chain;
    *count = n;
    return 0;
}

/* The blob of the article in version `hex`. */
static int version_blob(git_oid *out, git_repository *repo, const char *tree_path, const char *hex)
{
    git_oid oid;
    git_commit *commit = NULL;
    git_tree_entry *entry = NULL;
    git_tree *tree = NULL;
    int error = git_oid_fromstr(&oid, hex);
    if (error == 0 && (error = git_commit_lookup(&commit, repo, &oid)) == 0 &&
        (error = git_commit_tree(&tree, commit)) == 0 &&
        (error = git_tree_entry_bypath(&entry, tree, tree_path)) == 0)
        git_oid_cpy(out, git_tree_entry_id(entry));
    if (error < 0)
        error = dl_history__git_error(error, "reading version %.*s", DL_HISTORY_ID_SHORTSIZE, hex);
    git_tree_entry_free(entry);
    git_tree_free(tree);
    git_commit_free(commit);
    return error;
}

/*
 * Walk the chain oldest to newest, leaving the latest version's blocks and
 * origins in `*latest`. A version whose blob is the previous one's keeps
 * everything as it was.
 */
static int walk_history(version_blocks *latest, dl_blame *blame, dl_history *history,
                        const dl_history_log *log, const size_t *chain, size_t count, int parse)
{
    git_repository *repo = history->store->repo;
    version_blocks previous = {0}, current = {0};
    git_oid previous_blob;
    int error = 0;
    pthread_mutex_lock(&history->store->lock);
    for (size_t n = 0; n < count; n++) {
        git_oid blob_id;
        const char *hex = log->versions[chain[n]].id.hex;
        if ((error = version_blob(&blob_id, repo, history->tree_path, hex)) < 0)
            break;
        blame->versions_walked++;
        if (n > 0 && git_oid_equal(&blob_id, &previous_blob))
            continue;
        git_oid_cpy(&previous_blob, &blob_id);
        blame->versions_read++;
        if ((error = git_blob_lookup(&current.blob, repo, &blob_id)) < 0) {
            error = dl_history__git_error(error, "reading version %.*s", DL_HISTORY_ID_SHORTSIZE,
                                          hex);
            break;
        }
        const char *text = git_blob_rawcontent(current.blob);
        size_t size = (size_t)git_blob_rawsize(current.blob);
        if ((error = make_blocks(&current, text, size, parse)) < 0 ||
            (error = carry_origins(&current, n > 0 ? &previous : NULL, n)) < 0)
            break;
        blocks_dispose(&previous);
        previous = current;
        memset(&current, 0, sizeof(current));
    }
    pthread_mutex_unlock(&history->store->lock);
    blocks_dispose(&current);
    if (error < 0) {
        blocks_dispose(&previous);
        return error;
    }
    *latest = previous;
    return 0;
}

/* ------------------------------------------------------------- lines -- */

static char *dup_or_null(const char *s, int *error)
{
    if (!s)
        return NULL;
    char *copy = strdup(s);
    if (!copy)
        *error = oom();
    return copy;
}

static int fill_line(dl_blame_line *line, const dl_article *article, size_t block, size_t origin,
                     const dl_history_log *log, const size_t *chain)
{
    const dl_block *b = &article->blocks[block];
    int error = 0;
    line->block = block;
    line->kind = b->kind;
    line->range = b->span.range;
    line->first_words = dup_or_null(b->first_words ? b->first_words : "", &error);
    if (origin == NOT_RECORDED)
        return error;
    const dl_history_version *v = &log->versions[chain[origin]];
    line->recorded = 1;
    line->version = *v;
    line->version.author_name = dup_or_null(v->author_name, &error);
    line->version.author_email = dup_or_null(v->author_email, &error);
    line->version.note = dup_or_null(v->note, &error);
    return error;
}

int dl_blame_file(dl_blame **out, dl_history *history, const char *content, size_t size,
                  const dl_blame_options *opts)
{
    static const dl_blame_options defaults = DL_BLAME_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    dl_article *article = NULL;
    dl_history_log *log = NULL;
    size_t *chain = NULL, chain_count = 0;
    version_blocks latest = {0}, now = {0};
    dl_blame *blame = calloc(1, sizeof(*blame));
    int error = blame ? 0 : oom();
    if (error == 0 && (error = dl_text_check(content, size, dl_history_file(history))) == 0 &&
        (error = dl_article_parse(&article, content, size)) == 0 &&
        (error = dl_history_log_read(&log, history, NULL)) == 0 &&
        (error = first_parent_chain(&chain, &chain_count, log)) == 0)
        error = walk_history(&latest, blame, history, log, chain, chain_count,
                             opts->parse_versions);
    if (error < 0)
        goto done;

    /* The current content against the latest version. */
    if (opts->parse_versions)
        error = article_blocks(&now, article);
    else
        error = cut_blocks(&now, content, size);
    if (error == 0 && !(now.origin = malloc((now.count + 1) * sizeof(*now.origin))))
        error = oom();
    if (error == 0)
        error = carry_origins(&now, chain_count > 0 ? &latest : NULL, NOT_RECORDED);
    if (error < 0)
        goto done;

    blame->lines = calloc(article->block_count + 1, sizeof(*blame->lines));
    if (!blame->lines) {
        error = oom();
        goto done;
    }
    for (size_t i = 0; i < article->block_count && error == 0; i++) {
        size_t origin;
        if (opts->parse_versions) {
            origin = now.origin[i];
        } else {
            /* The newest origin among the cut blocks this block overlaps. */
            const dl_range *r = &article->blocks[i].span.range;
            size_t newest = 0;
            int found = 0;
            for (size_t u = 0; u < now.count; u++) {
                const dl_range *c = &now.units[u].range;
                if (c->start_byte < r->end_byte && c->end_byte > r->start_byte) {
                    newest = !found || now.origin[u] > newest ? now.origin[u] : newest;
                    found = 1;
                }
            }
            origin = found ? newest : NOT_RECORDED;
        }
        error = fill_line(&blame->lines[i], article, i, origin, log, chain);
        blame->count++;
    }
    if (error < 0)
        goto done;
    *out = blame;
    blame = NULL;
done:
    dl_blame_free(blame);
    blocks_dispose(&now);
    blocks_dispose(&latest);
    free(chain);
    dl_history_log_free(log);
    dl_article_free(article);
    return error;
}

void dl_blame_free(dl_blame *blame)
{
    if (!blame)
        return;
    for (size_t i = 0; i < blame->count; i++) {
        dl_blame_line *line = &blame->lines[i];
        free(line->first_words);
        free(line->version.author_name);
        free(line->version.author_email);
        free(line->version.note);
    }
    free(blame->lines);
    free(blame);
}

/* -------------------------------------------------------------- JSON -- */

static json_t *version_json(const dl_blame_line *line)
{
    if (!line->recorded)
        return json_null();
    const dl_history_version *v = &line->version;
    char when[40];
    dl_history_format_time(when, sizeof(when), v->time, v->offset);
    return json_pack("{s:s,s:s#,s:s,s:I,s:i,s:{s:s,s:s},s:o}", "id", v->id.hex, "short",
                     v->id.hex, (int)DL_HISTORY_ID_SHORTSIZE, "time", when, "timestamp",
                     (json_int_t)v->time, "offset_minutes", v->offset, "author", "name",
                     v->author_name ? v->author_name : "", "email",
                     v->author_email ? v->author_email : "", "note",
                     v->note ? json_string(v->note) : json_null());
}

int dl_blame_to_json(json_t **out, const dl_blame *blame)
{
    json_t *blocks = json_array();
    for (size_t i = 0; blocks && i < blame->count; i++) {
        const dl_blame_line *line = &blame->lines[i];
        json_array_append_new(
            blocks, json_pack("{s:I,s:s,s:o,s:s,s:o}", "index", (json_int_t)line->block, "kind",
                              dl_article_block_kind_name(line->kind), "range",
                              dl_json_range(&line->range), "first_words", line->first_words,
                              "version", version_json(line)));
    }
    json_t *json = json_pack("{s:i,s:o,s:I,s:I}", "schema", DL_JSON_SCHEMA, "blocks", blocks,
                             "versions_walked", (json_int_t)blame->versions_walked,
                             "versions_read", (json_int_t)blame->versions_read);
    if (!json)
        return dl_error_set(DL_ERROR, "out of memory building JSON");
    *out = json;
    return 0;
}
