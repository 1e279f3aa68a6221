/* A store's articles, listed and opened from its refs alone: what
 * `dateline serve` shows on its index and answers on /api/articles. */
/* realpath() is XSI. */
#define _XOPEN_SOURCE 700

#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/json.h"
#include "dateline/ops.h"

static dl_history_store *store;

static void setup(void)
{
    fx_setup();
    dl_assert_ok(dl_history_store_open(&store, fx_repo, NULL));
}

static void teardown(void)
{
    dl_history_store_free(store);
    fx_teardown();
}

TestSuite(ops_articles, .init = setup, .fini = teardown);

/* Save `content` to the article at `relative` in the repository and record it. */
static const char *record(const char *relative, const char *content, const char *note)
{
    dl_history *history = NULL;
    fx_write_str(fx_repo_path(relative), content);
    dl_assert_ok(dl_history_open(&history, store, fx_repo_path(relative)));
    const char *id = fx_snap(history, content, note);
    dl_history_free(history);
    return id;
}

Test(ops_articles, lists_every_article_newest_first_with_its_count_and_latest_version)
{
    record("news/council.txt", "Council meets\n\nThe council met.\n", NULL);
    record("news/council.txt", "Council meets again\n\nThe council met twice.\n", "second meeting");
    const char *latest = record("news/council.txt", "Council meets again\n\nThe council met.\n", NULL);
    record("a-first.txt", "First\n\nText.\n", "only version");

    dl_ops_articles_result *list = NULL;
    dl_ops_articles_options options = DL_OPS_ARTICLES_OPTIONS_INIT;
    options.latest = 1;
    options.versions = 1;
    dl_assert_ok(dl_ops_articles(&list, store, &options));
    cr_assert(eq(sz, list->count, 2));
    cr_assert(eq(str, (char *)dl_history_key(list->articles[0].history), "a-first.txt"));
    cr_assert(eq(sz, list->articles[0].versions, 1));
    cr_assert(eq(str, list->articles[0].latest->versions[0].note, "only version"));
    cr_assert(eq(str, (char *)dl_history_key(list->articles[1].history), "news/council.txt"));
    cr_assert(eq(sz, list->articles[1].versions, 3));
    cr_assert(eq(sz, list->articles[1].latest->count, 1));
    cr_assert(eq(str, list->articles[1].latest->versions[0].id.hex, (char *)latest));

    json_t *json = NULL;
    dl_assert_ok(dl_ops_articles_json(&json, store, list));
    json_t *second = json_array_get(json_object_get(json, "articles"), 1);
    cr_assert(eq(int, (int)json_integer_value(json_object_get(json, "schema")), DL_JSON_SCHEMA));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(second, "key")), "news/council.txt"));
    cr_assert(eq(int, (int)json_integer_value(json_object_get(second, "versions")), 3));
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(json_object_get(second, "latest"), "id")),
                 (char *)latest));
    json_decref(json);
    dl_ops_articles_free(list);
}

Test(ops_articles, a_deleted_article_and_its_folder_are_still_listed)
{
    record("gone/story.txt", "Gone\n\nText.\n", NULL);
    fx_sh(NULL, "rm -rf '%s'", fx_repo_path("gone"));

    dl_ops_articles_result *list = NULL;
    dl_assert_ok(dl_ops_articles(&list, store, NULL));
    cr_assert(eq(sz, list->count, 1));
    cr_assert(eq(str, (char *)dl_history_key(list->articles[0].history), "gone/story.txt"));
    dl_ops_articles_free(list);
}

Test(ops_articles, an_empty_store_lists_no_articles)
{
    dl_ops_articles_result *list = NULL;
    dl_assert_ok(dl_ops_articles(&list, store, NULL));
    cr_assert(eq(sz, list->count, 0));
    dl_ops_articles_free(list);
}

Test(ops_articles, opening_by_key_finds_only_the_stores_articles)
{
    const char *id = record("news/council.txt", "Council meets\n\nThe council met.\n", NULL);
    fx_write_str(fx_repo_path("news/unrecorded.txt"), "Not recorded\n");

    dl_history *history = NULL;
    dl_assert_ok(dl_ops_article_open(&history, store, "news/council.txt"));
    dl_history_id latest;
    dl_assert_ok(dl_history_resolve(&latest, history, "@"));
    cr_assert(eq(str, latest.hex, (char *)id));
    dl_history_free(history);

    const char *outside[] = {"news/unrecorded.txt", "../repo/news/council.txt", "news",
                             "/etc/passwd", "news/council.txt/", ""};
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        history = NULL;
        cr_assert(eq(int, dl_ops_article_open(&history, store, outside[i]), DL_ENOTFOUND),
                  "'%s' opened", outside[i]);
        cr_assert(eq(ptr, history, NULL));
    }
}

Test(ops_articles, an_article_with_a_name_too_long_for_a_ref_is_listed_under_its_path)
{
    char name[400];
    memset(name, 'x', sizeof(name));
    memcpy(name, "long/", 5);
    strcpy(name + 240, ".txt");
    record(name, "Long\n\nText.\n", NULL);

    dl_ops_articles_result *list = NULL;
    dl_assert_ok(dl_ops_articles(&list, store, NULL));
    cr_assert(eq(sz, list->count, 1));
    cr_assert(eq(str, (char *)dl_history_key(list->articles[0].history), name));
    dl_ops_articles_free(list);

    dl_history *history = NULL;
    dl_assert_ok(dl_ops_article_open(&history, store, name));
    dl_history_free(history);
}

/* The store is bare, inside .git/ (or the common git dir of worktrees);
 * an article opened by its key is the file in the work tree the store was
 * opened from, never a path inside the store. */
Test(ops_articles, an_article_opened_by_key_is_the_file_in_the_users_work_tree)
{
    const char *content = "Council meets\n\nThe council met.\n";
    record("news/council.txt", content, NULL);
    char expected[1100];
    snprintf(expected, sizeof(expected), "%s/.git/dateline/", fx_repo);
    cr_assert(eq(str, (char *)dl_history_store_path(store), expected));

    char *real = realpath(fx_repo, NULL);
    snprintf(expected, sizeof(expected), "%s/news/council.txt", real);
    free(real);
    dl_history *history = NULL;
    dl_assert_ok(dl_ops_article_open(&history, store, "news/council.txt"));
    cr_assert(eq(str, (char *)dl_history_file(history), expected));
    size_t size = 0;
    char *bytes = fx_read(dl_history_file(history), &size);
    cr_assert(eq(str, bytes, (char *)content));
    free(bytes);
    dl_history_free(history);

    dl_ops_articles_result *list = NULL;
    dl_assert_ok(dl_ops_articles(&list, store, NULL));
    cr_assert(eq(sz, list->count, 1));
    cr_assert(eq(str, (char *)dl_history_file(list->articles[0].history), expected));
    dl_ops_articles_free(list);
}

Test(ops_articles, from_a_linked_worktree_an_article_is_that_worktrees_file)
{
    int rc;
    record("news/council.txt", "Council meets\n\nThe council met.\n", NULL);
    fx_sh(&rc, "cd '%s' && git worktree add -q --detach '%s' 2>&1", fx_repo, fx_path("wt"));
    cr_assert(eq(int, rc, 0));
    dl_history_store *shared = NULL;
    dl_assert_ok(dl_history_store_open(&shared, fx_path("wt"), NULL));

    char *real = realpath(fx_path("wt"), NULL);
    char expected[1100];
    snprintf(expected, sizeof(expected), "%s/news/council.txt", real);
    free(real);
    dl_history *history = NULL;
    dl_assert_ok(dl_ops_article_open(&history, shared, "news/council.txt"));
    cr_assert(eq(str, (char *)dl_history_file(history), expected));
    dl_history_free(history);
    dl_history_store_free(shared);
}

/* An article recorded by an earlier dateline keeps its old ref name ('/'
 * as ref folders) until it is recorded under the new one: listed once,
 * under the new name. */
Test(ops_articles, an_article_under_its_old_and_new_ref_names_is_listed_once)
{
    const char *id = record("news/council.txt", "Council meets\n\nThe council met.\n", NULL);
    fx_sh(NULL, "git --git-dir='%s/.git/dateline' update-ref refs/dateline/news/council.txt %s",
          fx_repo, id);

    dl_ops_articles_result *list = NULL;
    dl_assert_ok(dl_ops_articles(&list, store, NULL));
    cr_assert(eq(sz, list->count, 1));
    cr_assert(eq(str, (char *)dl_history_refname(list->articles[0].history),
                 "refs/dateline/news%2Fcouncil.txt"));
    dl_ops_articles_free(list);

    dl_history *history = NULL;
    dl_assert_ok(dl_ops_article_open(&history, store, "news/council.txt"));
    cr_assert(eq(str, (char *)dl_history_refname(history), "refs/dateline/news%2Fcouncil.txt"));
    dl_history_free(history);
}
