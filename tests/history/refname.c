#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "dateline/history.h"

static void setup(void) { git_libgit2_init(); }
static void teardown(void) { git_libgit2_shutdown(); }

TestSuite(history_refname, .init = setup, .fini = teardown);

/* The escaped name is a valid ref strictly below refs/dateline/ and decodes
 * back to the path, byte for byte. */
static void assert_round_trip(const char *path)
{
    char *name = NULL, *back = NULL;
    int valid = 0;
    dl_assert_ok(dl_history_refname_escape(&name, path));
    cr_assert(strncmp(name, "refs/dateline/", 14) == 0 && name[14] != '\0', "%s", name);
    cr_assert(eq(int, git_reference_name_is_valid(&valid, name), 0));
    cr_assert(valid, "'%s' escaped to an invalid ref name '%s'", path, name);
    /* One component that fits a file name, with its ".lock". */
    cr_assert(strchr(name + 14, '/') == NULL, "%s", name);
    cr_assert(le(sz, strlen(name + 14), 200), "%s", name);
    int rc = dl_history_refname_unescape(&back, name);
    if (strlen(name + 14) > 3 * 40) {
        /* Possibly shortened: then only the version's tree knows the path,
         * and the name ends in its digest. */
        if (rc == DL_ENOTFOUND) {
            cr_assert(strstr(name, "%00") != NULL, "%s", name);
            free(name);
            return;
        }
    }
    dl_assert_ok(rc);
    cr_assert(eq(str, back, (char *)path), "round trip of '%s' via '%s'", path, name);
    free(name);
    free(back);
}

Test(history_refname, ordinary_paths_stay_readable)
{
    char *name = NULL;
    dl_assert_ok(dl_history_refname_escape(&name, "news/2024/story.txt"));
    cr_assert(eq(str, name, "refs/dateline/news%2F2024%2Fstory.txt"));
    free(name);
}

Test(history_refname, spaces_and_non_ascii_are_percent_escaped)
{
    char *name = NULL;
    dl_assert_ok(dl_history_refname_escape(&name, "sub dir/caf\xc3\xa9.txt"));
    cr_assert(eq(str, name, "refs/dateline/sub%20dir%2Fcaf%C3%A9.txt"));
    free(name);
    assert_round_trip("sub dir/caf\xc3\xa9.txt");
}

Test(history_refname, dot_dot_and_absolute_paths_never_escape_the_prefix)
{
    char *name = NULL;
    dl_assert_ok(dl_history_refname_escape(&name, "../x"));
    cr_assert(eq(str, name, "refs/dateline/%2E%2E%2Fx"));
    free(name);
    dl_assert_ok(dl_history_refname_escape(&name, "/home/jane/a.txt"));
    cr_assert(eq(str, name, "refs/dateline/%2Fhome%2Fjane%2Fa.txt"));
    free(name);
    const char *paths[] = {"../x", "../../../etc/passwd", "a/../../b", "/abs/path",
                           "//double//slash", "trailing/", "/", ".", "..", "...", "a/./b",
                           "./a", "a/.", "a/..", ".hidden/.dot"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        assert_round_trip(paths[i]);
}

Test(history_refname, names_git_forbids_are_escaped)
{
    const char *paths[] = {"a.lock", "x.lock/y", "lock.lock.lock", "@{u}", "a@{1}", "@",
                           "sp ace", "ctl\x01\x1f\x7f", "tilde~caret^colon:", "q?star*[br",
                           "back\\slash", "per%cent", "%2F", "end.", "a..b", "a...b",
                           "\xff\xfe invalid utf8", "HEAD", "refs/heads/master",
                           "\xe2\x80\x9cquoted\xe2\x80\x9d.txt"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        assert_round_trip(paths[i]);
}

Test(history_refname, random_byte_strings_round_trip)
{
    srand(12345);
    for (int n = 0; n < 3000; n++) {
        char path[40];
        size_t len = 1 + (size_t)rand() % 30;
        for (size_t i = 0; i < len; i++) {
            /* Bias towards the troublesome bytes: '.', '/', '@', '{'. */
            static const char tricky[] = "./@{ %lock";
            int r = rand() % 4;
            path[i] = r == 0 ? tricky[rand() % (sizeof(tricky) - 1)] : (char)(1 + rand() % 255);
        }
        path[len] = '\0';
        assert_round_trip(path);
    }
}

Test(history_refname, empty_path_is_invalid)
{
    char *name = NULL;
    cr_assert(eq(int, dl_history_refname_escape(&name, ""), DL_EINVALID));
    cr_assert(name == NULL);
}

Test(history_refname, unescape_rejects_foreign_refs_and_bad_escapes)
{
    char *path = NULL;
    cr_assert(eq(int, dl_history_refname_unescape(&path, "refs/heads/master"), DL_EINVALID));
    cr_assert(eq(int, dl_history_refname_unescape(&path, "refs/dateline/"), DL_EINVALID));
    cr_assert(eq(int, dl_history_refname_unescape(&path, "refs/dateline/a%2"), DL_EINVALID));
    cr_assert(eq(int, dl_history_refname_unescape(&path, "refs/dateline/a%zz"), DL_EINVALID));
    cr_assert(eq(int, dl_history_refname_unescape(&path, "refs/dateline/a%00"), DL_EINVALID));
    cr_assert(path == NULL);
    cr_assert(strstr(dl_error_last(), "refs/dateline/a%00") != NULL);
}

Test(history_refname, a_folder_and_a_file_of_the_same_name_get_distinct_names)
{
    char *file = NULL, *inside = NULL;
    dl_assert_ok(dl_history_refname_escape(&file, "draft"));
    dl_assert_ok(dl_history_refname_escape(&inside, "draft/x.txt"));
    /* Neither is a ref folder of the other. */
    cr_assert(eq(str, file, "refs/dateline/draft"));
    cr_assert(eq(str, inside, "refs/dateline/draft%2Fx.txt"));
    free(file);
    free(inside);
}

Test(history_refname, long_names_are_shortened_to_fit_a_file_name)
{
    /* 48 Cyrillic letters: 96 bytes of UTF-8, 288 escaped. */
    char cyrillic[256] = "";
    for (int i = 0; i < 48; i++)
        strcat(cyrillic, "\xd0\x96");
    strcat(cyrillic, ".txt");
    char longest[256];
    memset(longest, 'a', 251);
    memcpy(longest + 251, ".txt", 5); /* 255 bytes, the most a file name holds */
    const char *paths[] = {cyrillic, longest};
    for (size_t i = 0; i < 2; i++) {
        char *name = NULL, *other = NULL, *back = NULL;
        dl_assert_ok(dl_history_refname_escape(&name, paths[i]));
        cr_assert(le(sz, strlen(name + 14), 200), "%s", name);
        cr_assert(eq(int, dl_history_refname_unescape(&back, name), DL_ENOTFOUND));
        /* The same path always gives the same name, another path another. */
        char *changed = strdup(paths[i]);
        changed[strlen(changed) - 5] ^= 1;
        dl_assert_ok(dl_history_refname_escape(&other, changed));
        cr_assert(strcmp(name, other) != 0);
        free(changed);
        free(other);
        free(name);
    }
}

Test(history_refname, names_of_earlier_versions_still_decode)
{
    char *path = NULL;
    dl_assert_ok(dl_history_refname_unescape(&path, "refs/dateline/news/2024/story.txt"));
    cr_assert(eq(str, path, "news/2024/story.txt"));
    free(path);
    dl_assert_ok(dl_history_refname_unescape(&path, "refs/dateline/%2Fhome/jane/a.txt"));
    cr_assert(eq(str, path, "/home/jane/a.txt"));
    free(path);
}
