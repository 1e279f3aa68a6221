/*
 * Pulling from a remote that holds whatever anybody pushed to it: refs
 * under refs/dateline/ that point at blobs, trees and tags, names outside
 * dateline's escaping, versions without the article, a trailer with a
 * number no article has. Pull adopts only the sound refs, names every
 * other one, and the store stays usable for the articles it refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"

/* The hostile remote ("remote.git"), made with git's plumbing so nothing
 * of dateline vouches for it, and set as the repository's origin. */
static void setup(void)
{
    fx_setup();
    int rc;
    fx_sh(&rc,
          "set -e; cd '%s'; git init -q --bare remote.git; cd remote.git;"
          "blob() { printf '%%s' \"$1\" | git hash-object -w --stdin; };"
          "tree() { printf '100644 blob %%s\\t%%s\\n' \"$1\" \"$2\" | git mktree; };"
          "commit() { t=$1; shift; git commit-tree \"$t\" \"$@\"; };"
          "b=$(blob 'Good headline\n\nBody of a good article.\n');"
          /* a sound article with two versions */
          "g1=$(commit $(tree $b good.txt) -m v1);"
          "b2=$(blob 'Good headline\n\nBody of a good article, longer now.\n');"
          "g2=$(commit $(tree $b2 good.txt) -p $g1 -m v2);"
          "git update-ref refs/dateline/good.txt $g2;"
          /* a sound article whose trailer claims more words than fit */
          "h=$(commit $(tree $b huge.txt) -m 'v1' -m 'Dateline-Words: 99999999999999999999999999"
          "\nDateline-Words-Delta: 99999999999999999999999999');"
          "git update-ref refs/dateline/huge.txt $h;"
          /* refs at a blob, a tree and an annotated tag */
          "git update-ref refs/dateline/blob.txt $b;"
          "git update-ref refs/dateline/tree.txt $(tree $b tree.txt);"
          "git tag -a -m tag t $g1; git update-ref refs/dateline/tag.txt $(git rev-parse t);"
          "git update-ref -d refs/tags/t;"
          /* names dateline never writes: a bad escape, a needless one */
          "git update-ref 'refs/dateline/bad%%ZZ.txt' $(commit $(tree $b 'bad%%ZZ.txt') -m v1);"
          "git update-ref refs/dateline/%%41.txt $(commit $(tree $b A.txt) -m v1);"
          /* a version without the article, and one whose parent lacks it */
          "git update-ref refs/dateline/missing.txt $g1;"
          "git update-ref refs/dateline/deep.txt $(commit $(tree $b deep.txt) -p $g1 -m v2);"
          /* the article's path holds a symbolic link */
          "l=$(printf '120000 blob %%s\tlink.txt\n' $(blob /etc/passwd) | git mktree);"
          "git update-ref refs/dateline/link.txt $(commit $l -m v1);"
          /* the article's path holds a folder */
          "sub=$(tree $b x.txt); d=$(printf '040000 tree %%s\\tdir.txt\\n' $sub | git mktree);"
          "git update-ref refs/dateline/dir.txt $(commit $d -m v1);"
          "cd ..; git -C repo remote add origin \"$PWD/remote.git\"",
          fx_root);
    cr_assert(eq(int, rc, 0));
}

TestSuite(hostile_pull, .init = setup, .fini = fx_teardown);

static int refused(const dl_history_sync_result *r, const char *refname, const char *why)
{
    for (size_t i = 0; i < r->refused_count; i++)
        if (strncmp(r->refused[i], refname, strlen(refname)) == 0 &&
            r->refused[i][strlen(refname)] == ':' && strstr(r->refused[i], why) != NULL)
            return 1;
    return 0;
}

Test(hostile_pull, only_sound_refs_are_adopted_and_each_other_is_named)
{
    dl_history_store *store = NULL;
    dl_history *good = NULL;
    fx_open(&store, &good, fx_repo_path("good.txt"));
    dl_history_sync_result r = {0};
    dl_assert_ok(dl_history_pull(&r, store, NULL));

    cr_assert(eq(sz, r.updated, 2));
    cr_assert(eq(sz, r.refused_count, 9));
    cr_assert(refused(&r, "refs/dateline/blob.txt", "points at a blob"));
    cr_assert(refused(&r, "refs/dateline/tree.txt", "points at a tree"));
    cr_assert(refused(&r, "refs/dateline/tag.txt", "points at a tag"));
    cr_assert(refused(&r, "refs/dateline/bad%ZZ.txt", "malformed escape"));
    cr_assert(refused(&r, "refs/dateline/%41.txt", "not an article path"));
    cr_assert(refused(&r, "refs/dateline/missing.txt", "does not hold missing.txt as a file"));
    cr_assert(refused(&r, "refs/dateline/deep.txt", "does not hold deep.txt as a file"));
    cr_assert(refused(&r, "refs/dateline/dir.txt", "does not hold dir.txt as a file"));
    cr_assert(refused(&r, "refs/dateline/link.txt", "does not hold link.txt as a file"));
    dl_history_sync_result_dispose(&r);

    /* Nothing refused stays in the store. */
    cr_assert(eq(str, (char *)fx_sh(NULL,
                                    "git --git-dir='%s' for-each-ref --format='%%(refname)' "
                                    "refs/dateline refs/dateline-remotes | sed 's,.*/,,' | sort | "
                                    "tr '\\n' ' '",
                                    dl_history_store_path(store)),
                 "good.txt good.txt huge.txt huge.txt "));
    cr_assert(eq(sz, fx_count(good), 2));
    dl_history_free(good);
    dl_history_store_free(store);
}

Test(hostile_pull, refused_articles_can_still_be_recorded_and_read)
{
    dl_history_store *store = NULL;
    dl_history *good = NULL, *blob = NULL, *missing = NULL;
    fx_open(&store, &good, fx_repo_path("good.txt"));
    dl_history_sync_result r = {0};
    dl_assert_ok(dl_history_pull(&r, store, NULL));
    dl_history_sync_result_dispose(&r);

    /* The refused names are free for the writer's own articles. */
    dl_assert_ok(dl_history_open(&blob, store, fx_repo_path("blob.txt")));
    dl_assert_ok(dl_history_open(&missing, store, fx_repo_path("missing.txt")));
    fx_snap(blob, "Blob headline\n\nMine.\n", NULL);
    fx_snap(missing, "Missing headline\n\nMine.\n", NULL);
    cr_assert(eq(sz, fx_count(blob), 1));
    cr_assert(eq(sz, fx_count(missing), 1));

    /* The adopted article goes on from the remote's latest version. */
    fx_snap(good, "Good headline\n\nBody of a good article, longer now. And more.\n", NULL);
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, good, NULL));
    cr_assert(eq(sz, log->count, 3));
    dl_history_log_free(log);

    /* Pushing back moves the adopted article on, and never overwrites
     * what the remote holds under the names it was refused for. */
    cr_assert(eq(int, dl_history_push(&r, store, NULL), DL_EMODIFIED));
    cr_assert(eq(sz, r.updated, 1));
    cr_assert(eq(sz, r.rejected, 2));
    dl_history_sync_result_dispose(&r);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/remote.git' cat-file -t refs/dateline/blob.txt",
                                    fx_root), "blob"));
    dl_history_id tip;
    dl_assert_ok(dl_history_resolve(&tip, good, "@"));
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/remote.git' rev-parse refs/dateline/good.txt",
                                    fx_root), tip.hex));
    dl_history_free(missing);
    dl_history_free(blob);
    dl_history_free(good);
    dl_history_store_free(store);
}

Test(hostile_pull, a_trailer_number_that_does_not_fit_is_not_believed)
{
    dl_history_store *store = NULL;
    dl_history *huge = NULL;
    fx_open(&store, &huge, fx_repo_path("huge.txt"));
    dl_history_sync_result r = {0};
    dl_assert_ok(dl_history_pull(&r, store, NULL));
    dl_history_sync_result_dispose(&r);

    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, huge, NULL));
    cr_assert(eq(sz, log->count, 1));
    /* Counted from the content instead: "Good headline" and five words. */
    cr_assert(eq(sz, log->versions[0].change.words, 7));
    cr_assert(eq(i64, log->versions[0].change.words_delta, 7));
    dl_history_log_free(log);
    dl_history_free(huge);
    dl_history_store_free(store);
}

Test(hostile_pull, a_ref_that_is_not_a_version_is_never_pushed_on)
{
    dl_history_store *store = NULL;
    dl_history *story = NULL;
    fx_open(&store, &story, fx_repo_path("story.txt"));
    fx_snap(story, "Story\n\nBody.\n", NULL);
    /* What an older dateline may have adopted from a careless remote. */
    int rc;
    fx_sh(&rc,
          "cd '%s/.git/dateline' && git update-ref refs/dateline/junk.txt $(printf junk | git hash-object -w --stdin)",
          fx_repo);
    cr_assert(eq(int, rc, 0));
    /* An empty remote, so that every sound ref goes. */
    dl_history_sync_result r = {0};
    fx_sh(NULL, "git --git-dir='%s/remote.git' for-each-ref --format='%%(refname)' refs/dateline | "
                "xargs -n1 git --git-dir='%s/remote.git' update-ref -d",
          fx_root, fx_root);
    dl_assert_ok(dl_history_push(&r, store, NULL));
    cr_assert(eq(sz, r.updated, 1));
    cr_assert(eq(sz, r.refused_count, 1));
    cr_assert(refused(&r, "refs/dateline/junk.txt", "points at a blob, not a version"));
    dl_history_sync_result_dispose(&r);
    cr_assert(eq(str, (char *)fx_sh(NULL, "git --git-dir='%s/remote.git' for-each-ref --format='%%(refname)' refs/dateline",
                                    fx_root),
                 "refs/dateline/story.txt"));
    dl_history_free(story);
    dl_history_store_free(store);
}
