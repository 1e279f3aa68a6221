/*
 * Which .txt files are articles: real articles saved under arbitrary names
 * must be recognised, the text files that ship with the system's packages
 * (READMEs, licences, Vim help, release notes, notes) must not. Both rates
 * are printed; the articles are the labelled corpus, the reference article
 * and the fixtures written for the project, the other files are read where
 * the system keeps them.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../support/dl_test.h"
#include "dateline/cli.h"
#include "dateline/detect.h"
#include "dateline/text.h"

/* At least this share of articles is recognised, in percent... */
#define ARTICLES_FOUND_MIN 95
/* ...and at most this share, per thousand, of other text files is taken. */
#define OTHERS_TAKEN_MAX_PERMILLE 10
/* Fewer other files than this make no rate worth checking. */
#define OTHERS_MIN 200
/* Larger files are not notes or READMEs; skip them to keep the run short. */
#define OTHER_MAX_BYTES (1 << 20)
#define WALK_DEPTH 8

typedef struct {
    size_t total, taken;
    char example[4096]; /* the first file taken, for the failure message */
} tally;

static dl_detect_result detect_text(const char *text)
{
    dl_detect_result result;
    dl_assert_ok(dl_detect_text(&result, text, strlen(text)));
    return result;
}

/* The shared data directory, or NULL when this clone has none (the rates
 * are then measured on the project's own fixtures alone). */
static const char *shared_dir(char *buffer, size_t size)
{
    const char *shared = getenv("DATELINE_SHARED");
    if (shared && shared[0])
        snprintf(buffer, size, "%s", shared);
    else
        snprintf(buffer, size, "%s/../shared", DL_SOURCE_DIR);
    struct stat st;
    return stat(buffer, &st) == 0 && S_ISDIR(st.st_mode) ? buffer : NULL;
}

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && strcmp(name + n - k, suffix) == 0;
}

/* Each article is saved as draftN.txt in `tmp` and detected from there:
 * the name says nothing, only the content does. */
static void detect_articles_in(tally *t, const char *dir, const char *suffix, const char *tmp)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        if (!has_suffix(entry->d_name, suffix) || strcmp(entry->d_name, "README.md") == 0)
            continue;
        char path[4096], renamed[4096];
        snprintf(path, sizeof path, "%s/%s", dir, entry->d_name);
        snprintf(renamed, sizeof renamed, "%s/draft%zu.txt", tmp, t->total);
        char *text = NULL;
        size_t size = 0;
        dl_assert_ok(dl_text_read_file(&text, &size, path));
        FILE *f = fopen(renamed, "wb");
        cr_assert(f != NULL);
        cr_assert(eq(sz, fwrite(text, 1, size, f), size));
        fclose(f);
        free(text);

        dl_detect_result result;
        dl_assert_ok(dl_detect_file(&result, renamed, NULL));
        t->total++;
        if (result.article)
            t->taken++;
        else
            cr_log_warn("article not recognised (%s): %s", dl_detect_reason_name(result.reason),
                        path);
        remove(renamed);
    }
    closedir(d);
}

/* The kinds of text file a user has besides articles. */
static bool is_other_text_name(const char *name)
{
    static const char *const prefixes[] = {"README", "LICENSE", "LICENCE", "COPYING",
                                           "NEWS",   "CHANGES", "copyright", "changelog",
                                           "AUTHORS", "THANKS", "TODO",     NULL};
    static const char *const suffixes[] = {".txt", ".md", ".rst", NULL};
    if (has_suffix(name, ".gz") || has_suffix(name, ".xz") || has_suffix(name, ".bz2"))
        return false;
    for (const char *const *p = prefixes; *p; p++)
        if (strncmp(name, *p, strlen(*p)) == 0)
            return true;
    for (const char *const *s = suffixes; *s; s++)
        if (has_suffix(name, *s))
            return true;
    return false;
}

static void detect_others_in(tally *t, const char *dir, int depth)
{
    DIR *d = depth <= WALK_DEPTH ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *entry;
    while ((entry = readdir(d))) {
        if (entry->d_name[0] == '.')
            continue;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, entry->d_name) >= (int)sizeof path)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            detect_others_in(t, path, depth + 1);
            continue;
        }
        if (!S_ISREG(st.st_mode) || st.st_size == 0 || st.st_size > OTHER_MAX_BYTES ||
            !is_other_text_name(entry->d_name))
            continue;
        dl_detect_result result;
        if (dl_detect_file(&result, path, NULL) != 0)
            continue; /* unreadable: not a file the user opens */
        t->total++;
        if (result.article) {
            if (t->taken++ == 0)
                snprintf(t->example, sizeof t->example, "%s", path);
            cr_log_info("other text taken for an article: %s", path);
        }
    }
    closedir(d);
}

TestSuite(article_detect, .timeout = 60);

Test(article_detect, real_articles_are_recognised_and_other_text_files_are_not)
{
    char tmp[] = "/tmp/dl-detect-XXXXXX";
    cr_assert(mkdtemp(tmp) != NULL);

    tally articles = {0};
    char shared[4096], dir[4096 + 16];
    if (shared_dir(shared, sizeof shared)) {
        snprintf(dir, sizeof dir, "%s/corpus", shared);
        detect_articles_in(&articles, dir, ".txt", tmp);
        snprintf(dir, sizeof dir, "%s/seeds", shared);
        detect_articles_in(&articles, dir, ".txt", tmp);
    }
    detect_articles_in(&articles, DL_SOURCE_DIR "/tests/article/fixtures", ".txt", tmp);
    detect_articles_in(&articles, DL_SOURCE_DIR "/tests/fixtures", ".article", tmp);
    rmdir(tmp);

    tally others = {0};
    const char *const roots[] = {"/usr/share/doc", "/usr/share/common-licenses", "/usr/share/vim",
                                 "/usr/share/nvim", getenv("DATELINE_CACHE")};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        if (roots[i] && roots[i][0])
            detect_others_in(&others, roots[i], 0);

    fprintf(stderr,
            "detection: %zu of %zu articles recognised (%.1f%%), %zu of %zu other text files "
            "taken for articles (%.2f%%)\n",
            articles.taken, articles.total,
            articles.total ? 100.0 * (double)articles.taken / (double)articles.total : 0.0,
            others.taken, others.total,
            others.total ? 100.0 * (double)others.taken / (double)others.total : 0.0);

    cr_assert(articles.total >= 14, "the fixtures are missing");
    cr_assert(articles.taken * 100 >= articles.total * ARTICLES_FOUND_MIN,
              "%zu of %zu articles recognised", articles.taken, articles.total);
    if (others.total < OTHERS_MIN)
        cr_skip_test("only %zu other text files on this system", others.total);
    cr_assert(others.taken * 1000 <= others.total * OTHERS_TAKEN_MAX_PERMILLE,
              "%zu of %zu other text files taken for articles, first %s", others.taken,
              others.total, others.example);
}

Test(article_detect, a_story_without_a_dateline_is_an_article)
{
    dl_detect_result r = detect_text(
        "Harbor Books to close downtown store after 60 years\n\n"
        "Harbor Books will close its downtown store at the end of June after six decades on "
        "Main Street, the family that owns the shop said on Thursday.\n\n"
        "Owner Clara Nguyen said rising rent and falling foot traffic had made the store "
        "impossible to keep open.\n");
    cr_assert(r.article);
    cr_assert(eq(str, (char *)dl_detect_reason_name(r.reason), "prose"));
}

Test(article_detect, a_dateline_lead_is_the_reason_given)
{
    dl_detect_result r = detect_text("Storm\n\nBOSTON (AP) _ The harbor closed on Tuesday after the "
                                     "storm, and the ferries stopped running for the day.\n");
    cr_assert(r.article);
    cr_assert(eq(str, (char *)dl_detect_reason_name(r.reason), "dateline"));
}

Test(article_detect, readmes_licences_help_files_and_notes_are_not_articles)
{
    static const char *const texts[] = {
        "# Project\n\nThis project parses articles and records every saved version of them.\n",
        "Project\n=======\n\nThis project parses articles and records every saved version of "
        "them for you.\n",
        "*dateline.txt*  News articles in Neovim\n\nThis plugin makes plain-text news articles "
        "first-class documents in the editor.\n",
        "MIT License\n\nCopyright (c) 2024 Someone\n\nPermission is hereby granted, free of "
        "charge, to any person obtaining a copy of this software.\n",
        "This package was downloaded from\nhttps://example.com/releases/ and packaged for the "
        "distribution by its maintainers.\n",
        "groceries\nmilk\neggs\nbread\n",
        "Git v2.45 Release Notes\n\nUpdates since v2.44\n\n * The command learned a new option "
        "that nobody asked for.\n",
        "\x89PNG\r\n\x1a\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        dl_detect_result r = detect_text(texts[i]);
        cr_assert(not(r.article), "text %zu taken for an article (%s)", i,
                  dl_detect_reason_name(r.reason));
    }
}

Test(article_detect, a_marker_line_makes_any_text_an_article)
{
    dl_detect_result r = detect_text("notes for tuesday\nsee desk\n\ndateline: article\n");
    cr_assert(r.article);
    cr_assert(eq(str, (char *)dl_detect_reason_name(r.reason), "marker"));
}

Test(article_detect, files_in_an_article_folder_are_articles_unread)
{
    const char *const dirs[] = {"/nonexistent/stories/"};
    dl_detect_options options = DL_DETECT_OPTIONS_INIT;
    options.dirs = dirs;
    options.dir_count = 1;
    dl_detect_result r;
    dl_assert_ok(dl_detect_file(&r, "/nonexistent/stories/draft.txt", &options));
    cr_assert(r.article);
    cr_assert(eq(str, (char *)dl_detect_reason_name(r.reason), "directory"));
    cr_assert(eq(int, dl_detect_file(&r, "/nonexistent/storiesX/draft.txt", &options),
                 DL_ENOTFOUND));
}

/* `dateline detect`, as another editor's configuration or a script runs it. */
Test(article_detect, the_cli_says_which_files_are_articles_and_why)
{
    char tmp[] = "/tmp/dl-detect-cli-XXXXXX";
    cr_assert(mkdtemp(tmp) != NULL);
    char story[256], notes[256], missing[256];
    snprintf(story, sizeof story, "%s/story.txt", tmp);
    snprintf(notes, sizeof notes, "%s/notes.txt", tmp);
    snprintf(missing, sizeof missing, "%s/missing.txt", tmp);
    FILE *f = fopen(story, "w");
    cr_assert(f != NULL);
    fputs("Storm closes harbor\n\nBOSTON (AP) _ The harbor closed on Tuesday after the storm.\n",
          f);
    fclose(f);
    f = fopen(notes, "w");
    cr_assert(f != NULL);
    fputs("groceries\nmilk\neggs\n", f);
    fclose(f);

    char *out = NULL, *err = NULL;
    size_t out_size, err_size;
    FILE *o = open_memstream(&out, &out_size), *e = open_memstream(&err, &err_size);
    int status = dl_cli_run(4, (char *[]){"dateline", "detect", story, notes, NULL}, o, e);
    fclose(o);
    fclose(e);
    cr_assert(eq(int, status, DL_EXIT_OK));
    char expected[8192];
    snprintf(expected, sizeof expected, "article\t%s\ntext\t%s\n", story, notes);
    cr_assert(eq(str, out, expected));
    free(out);
    free(err);

    o = open_memstream(&out, &out_size);
    e = open_memstream(&err, &err_size);
    status = dl_cli_run(5, (char *[]){"dateline", "detect", "--json", missing, story, NULL}, o, e);
    fclose(o);
    fclose(e);
    /* The unreadable file is reported; the readable one is still answered. */
    cr_assert(eq(int, status, DL_EXIT_ERROR));
    cr_assert(strstr(err, "missing.txt") != NULL);
    json_error_t error;
    json_t *answer = json_loads(out, 0, &error);
    cr_assert(answer != NULL, "not JSON: %s", out);
    cr_assert(eq(sz, json_array_size(answer), 1));
    json_t *first = json_array_get(answer, 0);
    cr_assert(eq(int, json_is_true(json_object_get(first, "article")), 1));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(first, "reason")), "dateline"));
    json_decref(answer);
    free(out);
    free(err);

    remove(story);
    remove(notes);
    rmdir(tmp);
}
