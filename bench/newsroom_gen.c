/*
 * dateline — a newsroom's history store, generated: a `git fast-import`
 * stream of ARTICLES articles x VERSIONS versions each, laid out as
 * dateline records them (one ref per article, refs/dateline/<escaped
 * key>; each version a commit whose tree holds the article at its key,
 * with the Dateline-* trailers `log` reads), and a note on every fifth
 * article's latest version under refs/notes/dateline. Plain git makes the
 * data so that 200,000 versions take seconds, not an hour of snapshots.
 *
 *   newsroom_gen ARTICLES VERSIONS NOW PREFIX [FIRST] | git fast-import --quiet
 *
 * Article i (from FIRST, default 0) has the key PREFIXa<i>.txt: with an
 * absolute PREFIX ("/srv/news/"), the key of /srv/news/a<i>.txt in a store
 * given with --store (a bare store keys articles by absolute path), which
 * does not depend on where dateline keeps a repository's store. PREFIX
 * holds only letters, digits and "._-/" (so that escaping it is replacing
 * '/' with %2F) and has no "." at the start of a component. Its latest version
 * is (i % 10) days and (i % 97) minutes before NOW (seconds since the
 * epoch), and its versions are ten minutes apart, so about a tenth of the
 * articles changed in the last day. The same i always gives the same
 * bytes, so a store of one article (ARTICLES 1, FIRST i) holds exactly
 * what the big one holds for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A ~5 KB article; version v of article i differs from v-1 in one
 * paragraph. */
static size_t article(char *out, size_t size, long i, int v)
{
    size_t n = (size_t)snprintf(out, size,
                                "Council %ld approves budget after long debate\n\n"
                                "OLYMPIA, WA – The city council approved budget %ld on Tuesday.\n\n",
                                i, i);
    for (int p = 0; p < 40 && n + 200 < size; p++) {
        n += (size_t)snprintf(out + n, size - n,
                              "Paragraph %d says the council “will review spending,” the mayor "
                              "said, noting %s.\n\n",
                              p, p == v % 40 ? "" : "that taxes stay flat this year");
        if (p == v % 40)
            n += (size_t)snprintf(out + n, size - n, "Revision %d adds a new line here.\n\n", v);
    }
    return n;
}

static void data(const char *text, size_t size)
{
    printf("data %zu\n", size);
    fwrite(text, 1, size, stdout);
    putchar('\n');
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: newsroom_gen ARTICLES VERSIONS NOW PREFIX [FIRST]\n");
        return 2;
    }
    const char *prefix = argv[4];
    static char ref[4096];
    size_t r = 0;
    for (const char *p = prefix; *p != '\0' && r + 4 < sizeof(ref); p++) {
        if (*p == '/') {
            memcpy(ref + r, "%2F", 3);
            r += 3;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
                   (*p == '.' && p != prefix && p[-1] != '/' && p[-1] != '.')) {
            ref[r++] = *p;
        } else {
            fprintf(stderr, "newsroom_gen: PREFIX holds '%c', which dateline escapes\n", *p);
            return 2;
        }
    }
    ref[r] = '\0';
    const char *tree_prefix = prefix + (prefix[0] == '/');
    long articles = atol(argv[1]), first = argc > 5 ? atol(argv[5]) : 0;
    int versions = atoi(argv[2]);
    long long now = atoll(argv[3]);
    static char text[8192], message[512];
    long mark = 0;

    for (long i = first; i < first + articles; i++) {
        long long latest = now - (i % 10) * 86400 - (i % 97) * 60;
        for (int v = 0; v < versions; v++) {
            size_t size = article(text, sizeof(text), i, v);
            printf("blob\nmark :%ld\n", ++mark);
            data(text, size);
            long long when = latest - (long long)(versions - 1 - v) * 600;
            /* The words and their change are what the trailers would say
             * roughly; log shows them, the bench does not check them. */
            size_t length = (size_t)snprintf(
                message, sizeof(message),
                "%sa%ld.txt: %s\n\nDateline-Words: %d\nDateline-Words-Delta: %+d\n%s",
                prefix, i, v ? "¶1 edited" : "first version", 400 + v, v ? 1 : 400 + v,
                v ? "Dateline-Summary: ¶1 edited\n" : "");
            printf("commit refs/dateline/%sa%ld.txt\nmark :%ld\n", ref, i, ++mark);
            printf("author Bench <bench@example.com> %lld +0000\n", when);
            printf("committer Bench <bench@example.com> %lld +0000\n", when);
            data(message, length);
            printf("M 100644 :%ld %sa%ld.txt\n\n", mark - 1, tree_prefix, i);
        }
    }
    /* The notes: one commit annotating every fifth article's latest
     * version (its mark is the article's last). */
    printf("commit refs/notes/dateline\nmark :%ld\n", ++mark);
    printf("committer Bench <bench@example.com> %lld +0000\n", now);
    data("Notes added by 'git notes add'", strlen("Notes added by 'git notes add'"));
    for (long i = first; i < first + articles; i++) {
        if (i % 5 != 0)
            continue;
        long commit = (i - first + 1) * versions * 2;
        snprintf(message, sizeof(message), "checked with the council's office (%ld)", i);
        printf("N inline :%ld\n", commit);
        data(message, strlen(message));
    }
    return 0;
}
