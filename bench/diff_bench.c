/*
 * dateline — structural diff and blame benchmark driver (built by
 * bench/diff.sh).
 *
 *   diff_bench gen OLD NEW            write two ~10,000-word versions
 *   diff_bench diff OLD NEW RUNS      parse + structural diff timings
 *   diff_bench blame FILE VERSIONS    record VERSIONS versions of FILE, then
 *                                     time blame over them
 *   diff_bench time RUNS CMD...       run CMD RUNS times (stdout discarded)
 *   diff_bench floor                  start libgit2 and stop (the start-up floor)
 *   diff_bench big OUT BASE MB        write an article of about MB megabytes
 *                                     (paragraphs BASE, BASE + 1, ...)
 *   diff_bench oneword IN OUT         IN with one word inserted in the middle
 *   diff_bench onepara OUT SEED WORDS one paragraph of WORDS words drawn
 *                                     from a small vocabulary
 *
 * Prints "name value" lines, times in milliseconds (medians). Everything is
 * generated from a fixed seed, so runs compare.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dateline/article.h"
#include "dateline/blame.h"
#include "dateline/diff.h"
#include "dateline/error.h"
#include "dateline/history.h"

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), compare_double);
    return v[n / 2];
}

static void check(int error, const char *what)
{
    if (error < 0) {
        fprintf(stderr, "diff_bench: %s: %s\n", what, dl_error_last());
        exit(1);
    }
}

/* A deterministic generator (LCG), so every run sees the same articles. */
static unsigned long long seed = 42;
static unsigned next_random(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(seed >> 33);
}

/* Common words, then made-up ones from syllables (about 8,000 of them), so
 * paragraphs share function words the way real ones do, but not much more. */
static const char *common[] = {"the", "a", "of", "to", "in", "and", "that", "said", "on", "for"};
static const char *syllables[] = {"ba", "ko", "ri", "tun", "mel", "sa", "do", "fen", "lu", "gar",
                                  "pi", "vos", "te", "nar", "hul", "ci", "mo", "zen", "qua", "ler"};

static void make_word(char *out, size_t size)
{
    unsigned r = next_random();
    if (r % 3 == 0) {
        snprintf(out, size, "%s", common[(r / 3) % 10]);
        return;
    }
    snprintf(out, size, "%s%s%s", syllables[(r >> 4) % 20], syllables[(r >> 9) % 20],
             syllables[(r >> 14) % 20]);
}

typedef struct {
    char *text;
    size_t size;
} buffer;

static void put(buffer *b, const char *s)
{
    size_t n = strlen(s);
    b->text = realloc(b->text, b->size + n + 1);
    memcpy(b->text + b->size, s, n + 1);
    b->size += n;
}

/* Paragraph p of the article: 50 words, every fifth paragraph with a quote. */
static void paragraph(buffer *b, unsigned p, int variant)
{
    unsigned long long saved = seed;
    seed = p * 7919ull + 1;
    char word[64], made[32];
    if (p % 5 == 0)
        put(b, "“");
    for (int w = 0; w < 50; w++) {
        make_word(made, sizeof(made));
        const char *v = made;
        /* The new version changes a few words of every tenth paragraph. */
        if (variant && p % 10 == 3 && w % 12 == 5)
            v = "corrected";
        snprintf(word, sizeof(word), "%s%s", w ? " " : "", v);
        put(b, word);
        if (p % 5 == 0 && w == 11)
            put(b, ",” the mayor said. “");
    }
    put(b, p % 5 == 0 ? ".”\n\n" : ".\n\n");
    seed = saved;
}

static void article(buffer *b, int variant)
{
    put(b, "Council approves budget after long debate\n\nOLYMPIA, WA – ");
    unsigned count = 200;
    for (unsigned i = 0; i < count; i++) {
        unsigned p = i;
        if (variant) {
            if (i == 50 || i == 120)
                continue; /* removed */
            if (i == 180)
                paragraph(b, 30, 0); /* paragraph 30 moves here... */
            if (i == 30)
                continue; /* ...from here */
            if (i % 70 == 69)
                paragraph(b, 1000 + i, 0); /* added */
        }
        paragraph(b, p, variant);
    }
}

static void write_file(const char *path, const char *text, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "diff_bench: cannot write %s\n", path);
        exit(1);
    }
}

static char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "diff_bench: cannot read %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    *size = fread(text, 1, (size_t)n, f);
    text[*size] = '\0';
    fclose(f);
    return text;
}

static int gen(const char *old_path, const char *new_path)
{
    buffer a = {0}, b = {0};
    article(&a, 0);
    article(&b, 1);
    write_file(old_path, a.text, a.size);
    write_file(new_path, b.text, b.size);
    printf("old_words %u\nnew_words %u\n", dl_article_count_words(a.text, a.size),
           dl_article_count_words(b.text, b.size));
    free(a.text);
    free(b.text);
    return 0;
}

/* Paragraphs `base`, `base + 1`, ... until about `megabytes` MB: two bases
 * far apart give two articles with no paragraph in common (a rewrite). */
static int big(const char *path, unsigned base, unsigned megabytes)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "diff_bench: cannot write %s\n", path);
        exit(1);
    }
    const char *head = "Council approves budget after long debate\n\nOLYMPIA, WA – ";
    size_t total = fwrite(head, 1, strlen(head), f);
    for (unsigned p = base; total < (size_t)megabytes << 20; p++) {
        buffer b = {0};
        paragraph(&b, p, 0);
        total += fwrite(b.text, 1, b.size, f);
        free(b.text);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "diff_bench: cannot write %s\n", path);
        exit(1);
    }
    printf("bytes %zu\n", total);
    return 0;
}

/* The smallest edit a writer makes: one word, in the middle. */
static int oneword(const char *in, const char *out)
{
    size_t size;
    char *text = read_file(in, &size);
    const char *space = strchr(text + size / 2, ' ');
    size_t head = space ? (size_t)(space - text) : size;
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(text, 1, head, f) != head || fputs(" revised", f) < 0 ||
        fwrite(text + head, 1, size - head, f) != size - head || fclose(f) != 0) {
        fprintf(stderr, "diff_bench: cannot write %s\n", out);
        exit(1);
    }
    free(text);
    return 0;
}

/* One paragraph of `words` words from about 60 distinct ones: two seeds
 * give two texts similar enough to be the same paragraph, edited, whose
 * word diff has tens of thousands of changes. */
static int onepara(const char *path, unsigned long long first, unsigned words)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "diff_bench: cannot write %s\n", path);
        exit(1);
    }
    seed = first;
    fputs("Council approves budget after long debate\n\n", f);
    for (unsigned w = 0; w < words; w++) {
        unsigned r = next_random() % 60;
        fprintf(f, "%s%s%s", syllables[r % 20], syllables[(r / 20) % 20], w + 1 < words ? " " : ".\n");
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "diff_bench: cannot write %s\n", path);
        exit(1);
    }
    return 0;
}

static int diff(const char *old_path, const char *new_path, int runs)
{
    size_t old_size, new_size;
    char *old_text = read_file(old_path, &old_size), *new_text = read_file(new_path, &new_size);
    double *parse = calloc((size_t)runs, sizeof(double)), *align = calloc((size_t)runs, sizeof(double));
    double *render = calloc((size_t)runs, sizeof(double));
    char *summary = NULL;
    for (int r = 0; r < runs; r++) {
        dl_article *a, *b;
        dl_diff *d;
        double t0 = now_ms();
        check(dl_article_parse(&a, old_text, old_size), "parse");
        check(dl_article_parse(&b, new_text, new_size), "parse");
        double t1 = now_ms();
        check(dl_diff_articles(&d, a, b, NULL), "diff");
        double t2 = now_ms();
        FILE *null = fopen("/dev/null", "w");
        check(dl_diff_print(null, d, a, b, 0), "print");
        fclose(null);
        parse[r] = t1 - t0;
        align[r] = t2 - t1;
        render[r] = now_ms() - t2;
        if (r == 0)
            check(dl_diff_summary(&summary, d), "summary");
        dl_diff_free(d);
        dl_article_free(a);
        dl_article_free(b);
    }
    printf("parse_both_median %.3f\n", median(parse, (size_t)runs));
    printf("diff_median %.3f\n", median(align, (size_t)runs));
    printf("print_median %.3f\n", median(render, (size_t)runs));
    printf("summary %s\n", summary);
    free(summary);
    free(parse);
    free(align);
    free(render);
    free(old_text);
    free(new_text);
    return 0;
}

/* A ~5 KB article; version i edits one paragraph (i % 40) and every 50th
 * version moves a paragraph to the end. */
static size_t story(char *out, size_t size, int i)
{
    size_t n = (size_t)snprintf(out, size, "Council approves budget after long debate\n\n"
                                           "OLYMPIA, WA – The city council approved the budget.\n\n");
    int moved = (i / 50) % 40;
    for (int p = 0; p < 40 && n + 300 < size; p++) {
        if (p == moved && i >= 50)
            continue;
        /* The last version that touched paragraph p: j <= i, j % 40 == p. */
        int last = i - ((i - p) % 40 + 40) % 40;
        n += (size_t)snprintf(out + n, size - n,
                              "Paragraph %d says the council “will review spending,” the mayor "
                              "said, noting revision %d of this paragraph.\n\n",
                              p, last < 0 ? -1 : last);
    }
    if (i >= 50) {
        int last = i - ((i - moved) % 40 + 40) % 40;
        n += (size_t)snprintf(out + n, size - n, "Paragraph %d moved to the end, revision %d.\n\n",
                              moved, last);
    }
    return n;
}

static int blame(const char *file, int versions)
{
    dl_history_store *store;
    dl_history *history;
    check(dl_history_store_open(&store, file, NULL), "store");
    check(dl_history_open(&history, store, file), "open");
    static char text[16384];
    double start = now_ms();
    for (int i = 0; i < versions; i++) {
        dl_history_snapshot_options options = DL_HISTORY_SNAPSHOT_OPTIONS_INIT;
        dl_history_id id;
        options.content = text;
        options.content_size = story(text, sizeof(text), i);
        if (dl_history_snapshot(&id, history, &options) < 0) {
            fprintf(stderr, "diff_bench: snapshot %d: %s\n", i, dl_error_last());
            exit(1);
        }
    }
    printf("record_total %.1f\n", now_ms() - start);
    size_t size = story(text, sizeof(text), versions);
    /* All versions (`dateline blame`), then the newest 200 (the server's hover). */
    for (int recent = 0; recent < 2; recent++) {
        double runs[5];
        size_t walked = 0;
        for (int r = 0; r < 5; r++) {
            dl_blame *b;
            dl_blame_options options = DL_BLAME_OPTIONS_INIT;
            options.max_count = recent ? 200 : 0;
            double t0 = now_ms();
            check(dl_blame_file(&b, history, text, size, &options), "blame");
            runs[r] = now_ms() - t0;
            walked = b->versions_walked;
            dl_blame_free(b);
        }
        printf("%s %.3f\n", recent ? "blame_recent_median" : "blame_median", median(runs, 5));
        if (!recent)
            printf("blame_versions %zu\n", walked);
    }
    /* The server's next hovers: the history's part kept in a cache. */
    dl_blame_cache *cache;
    check(dl_blame_cache_new(&cache), "cache");
    double runs[5];
    for (int r = 0; r < 6; r++) {
        dl_blame *b;
        dl_blame_options options = DL_BLAME_OPTIONS_INIT;
        options.max_count = 200;
        options.cache = cache;
        double t0 = now_ms();
        check(dl_blame_file(&b, history, text, size, &options), "blame");
        if (r > 0) /* the first call fills the cache */
            runs[r - 1] = now_ms() - t0;
        dl_blame_free(b);
    }
    printf("blame_cached_median %.3f\n", median(runs, 5));
    dl_blame_cache_free(cache);
    dl_history_free(history);
    dl_history_store_free(store);
    return 0;
}

static int time_command(int runs, char **argv)
{
    double *t = calloc((size_t)runs, sizeof(double));
    for (int r = 0; r < runs; r++) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        pid_t pid;
        double t0 = now_ms();
        if (posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ) != 0) {
            fprintf(stderr, "diff_bench: cannot run %s\n", argv[0]);
            return 1;
        }
        int status;
        waitpid(pid, &status, 0);
        t[r] = now_ms() - t0;
        posix_spawn_file_actions_destroy(&actions);
    }
    printf("median %.3f\n", median(t, (size_t)runs));
    free(t);
    return 0;
}

/* Start libgit2 and stop: the floor under every history command, which
 * loads the system's CA certificates at start-up (issue 19). */
static int floor_command(void)
{
    check(dl_history_library_init(), "libgit2");
    dl_history_library_release();
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "diff") == 0)
        return diff(argv[2], argv[3], atoi(argv[4]));
    if (argc == 4 && strcmp(argv[1], "blame") == 0)
        return blame(argv[2], atoi(argv[3]));
    if (argc == 2 && strcmp(argv[1], "floor") == 0)
        return floor_command();
    if (argc >= 4 && strcmp(argv[1], "time") == 0)
        return time_command(atoi(argv[2]), argv + 3);
    if (argc == 5 && strcmp(argv[1], "big") == 0)
        return big(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]));
    if (argc == 4 && strcmp(argv[1], "oneword") == 0)
        return oneword(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "onepara") == 0)
        return onepara(argv[2], strtoull(argv[3], NULL, 10), (unsigned)atoi(argv[4]));
    fprintf(stderr, "usage: diff_bench gen OLD NEW | diff OLD NEW RUNS | blame FILE N | "
                    "time RUNS CMD... | floor | big OUT BASE MB | oneword IN OUT | "
                    "onepara OUT SEED WORDS\n");
    return 2;
}
