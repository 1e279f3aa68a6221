/*
 * dateline — history benchmark driver (built by bench/history.sh).
 *
 *   history_bench inproc FILE N          N snapshots in process, then log,
 *                                        read and restore timings
 *   history_bench spawn FILE N CMD...    edit FILE, run CMD (";;" separates
 *                                        several commands), N times
 *   history_bench time N CMD...          run CMD N times (stdout discarded)
 *   history_bench pairsave FA FB FROM TO A... :: B...
 *                                        for i in [FROM, TO): write version i
 *                                        to FA and FB, run A and B (in turn
 *                                        first); prints "i a_ms b_ms" lines
 *   history_bench write FILE I           write version I of the article
 *   history_bench pair N A... :: B...    run A and B N times, paired (in turn
 *                                        first); prints medians of both and
 *                                        the median of the pairs' ratios
 *
 * Prints "name value" lines, times in milliseconds (medians).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static double percentile(double *v, size_t n, double p)
{
    qsort(v, n, sizeof(*v), compare_double);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

/* A ~5 KB article; version i differs from i-1 by one edited sentence. */
static size_t article(char *out, size_t size, int i)
{
    size_t n = (size_t)snprintf(out, size,
                                "Council approves budget after long debate\n\n"
                                "OLYMPIA, WA – The city council approved the budget on Tuesday.\n\n");
    for (int p = 0; p < 40 && n + 200 < size; p++) {
        n += (size_t)snprintf(out + n, size - n,
                              "Paragraph %d says the council “will review spending,” the mayor "
                              "said, noting %s.\n\n",
                              p, p == i % 40 ? "" : "that taxes stay flat this year");
        if (p == i % 40)
            n += (size_t)snprintf(out + n, size - n, "Revision %d adds a new line here.\n\n", i);
    }
    return n;
}

static void write_file(const char *path, const char *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

static int check(int error, const char *what)
{
    if (error < 0 && error != DL_EUNCHANGED) {
        fprintf(stderr, "%s: %s\n", what, dl_error_last());
        exit(1);
    }
    return error;
}

static int inproc(const char *file, int n)
{
    dl_history_store *store = NULL;
    dl_history *history = NULL;
    char text[8192];
    double *t = calloc((size_t)n, sizeof(double));

    check(dl_history_store_open(&store, file, NULL), "open store");
    check(dl_history_open(&history, store, file), "open article");
    for (int i = 0; i < n; i++) {
        size_t size = article(text, sizeof(text), i);
        write_file(file, text, size);
        dl_history_id id;
        double start = now_ms();
        check(dl_history_snapshot(&id, history, NULL), "snapshot");
        t[i] = now_ms() - start;
    }
    printf("snapshot_median %.3f\n", percentile(t, (size_t)n, 0.5));
    printf("snapshot_p95 %.3f\n", percentile(t, (size_t)n, 0.95));
    printf("snapshot_max %.3f\n", percentile(t, (size_t)n, 1.0));

    double runs[20];
    size_t count = 0;
    for (int r = 0; r < 20; r++) {
        dl_history_log *log = NULL;
        double start = now_ms();
        /* Words, their change and summaries included: snapshots stored them. */
        check(dl_history_log_read(&log, history, NULL), "log");
        runs[r] = now_ms() - start;
        count = log->count;
        dl_history_log_free(log);
    }
    printf("log_versions %zu\n", count);
    printf("log_median %.3f\n", percentile(runs, 20, 0.5));


    const char *back = n > 1000 ? "@~1000" : "@~1";
    for (int r = 0; r < 10; r++) {
        dl_history_id id;
        double start = now_ms();
        check(dl_history_resolve(&id, history, back), "resolve");
        char *content = NULL;
        size_t size;
        check(dl_history_read(&content, &size, history, &id), "read");
        runs[r] = now_ms() - start;
        free(content);
    }
    printf("read_back_median %.3f\n", percentile(runs, 10, 0.5));
    for (int r = 0; r < 10; r++) {
        dl_history_id id;
        size_t size = article(text, sizeof(text), n + r); /* unsaved edit first */
        write_file(file, text, size);
        double start = now_ms();
        check(dl_history_restore(&id, history, back, NULL), "restore");
        runs[r] = now_ms() - start;
    }
    printf("restore_median %.3f\n", percentile(runs, 10, 0.5));

    dl_history_free(history);
    dl_history_store_free(store);
    free(t);
    return 0;
}

static double run(char **argv, int quiet)
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (quiet)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    double start = now_ms();
    if (posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ) != 0) {
        perror(argv[0]);
        exit(1);
    }
    int status;
    waitpid(pid, &status, 0);
    double elapsed = now_ms() - start;
    posix_spawn_file_actions_destroy(&actions);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s failed\n", argv[0]);
        exit(1);
    }
    return elapsed;
}

/* Run each ";;"-separated command in argv, summing their times. */
static double run_all(int argc, char **argv, int quiet)
{
    double total = 0;
    int start = 0;
    for (int i = 0; i <= argc; i++) {
        if (i == argc || strcmp(argv[i], ";;") == 0) {
            char *saved = argv[i];
            argv[i] = NULL;
            total += run(argv + start, quiet);
            argv[i] = saved;
            start = i + 1;
        }
    }
    return total;
}

/* The index of the "::" between the two commands of a pair. */
static int find_split(int argc, char **argv, int first)
{
    for (int i = first; i < argc; i++)
        if (strcmp(argv[i], "::") == 0)
            return i;
    fprintf(stderr, "history_bench: a pair needs \"A... :: B...\"\n");
    exit(2);
}

/* Run A (argv[first..split)) and B (argv[split+1..argc)), B first when
 * `b_first`, so that neither always runs on a cache the other warmed. */
static void run_pair(double *a, double *b, int argc, char **argv, int first, int split,
                     int b_first)
{
    if (b_first)
        *b = run_all(argc - split - 1, argv + split + 1, 1);
    *a = run_all(split - first, argv + first, 1);
    if (!b_first)
        *b = run_all(argc - split - 1, argv + split + 1, 1);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "inproc") == 0)
        return inproc(argv[2], atoi(argv[3]));
    if (argc >= 5 && strcmp(argv[1], "spawn") == 0) {
        int n = atoi(argv[3]);
        double *t = calloc((size_t)n, sizeof(double));
        char text[8192];
        for (int i = 0; i < n; i++) {
            write_file(argv[2], text, article(text, sizeof(text), i));
            t[i] = run_all(argc - 4, argv + 4, 1);
        }
        printf("median %.3f\n", percentile(t, (size_t)n, 0.5));
        free(t);
        return 0;
    }
    if (argc >= 4 && strcmp(argv[1], "time") == 0) {
        int n = atoi(argv[2]);
        double *t = calloc((size_t)n, sizeof(double));
        for (int i = 0; i < n; i++)
            t[i] = run_all(argc - 3, argv + 3, 1);
        printf("median %.3f\n", percentile(t, (size_t)n, 0.5));
        free(t);
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "write") == 0) {
        char text[8192];
        write_file(argv[2], text, article(text, sizeof(text), atoi(argv[3])));
        return 0;
    }
    if (argc >= 8 && strcmp(argv[1], "pairsave") == 0) {
        int from = atoi(argv[4]), to = atoi(argv[5]);
        int split = find_split(argc, argv, 6);
        char text[8192];
        for (int i = from; i < to; i++) {
            size_t size = article(text, sizeof(text), i);
            write_file(argv[2], text, size);
            write_file(argv[3], text, size);
            double a, b;
            run_pair(&a, &b, argc, argv, 6, split, i & 1);
            printf("%d %.3f %.3f\n", i, a, b);
        }
        return 0;
    }
    if (argc >= 6 && strcmp(argv[1], "pair") == 0) {
        int n = atoi(argv[2]);
        int split = find_split(argc, argv, 3);
        double *a = calloc((size_t)n, sizeof(double)), *b = calloc((size_t)n, sizeof(double));
        double *r = calloc((size_t)n, sizeof(double));
        for (int i = 0; i < n; i++) {
            run_pair(&a[i], &b[i], argc, argv, 3, split, i & 1);
            r[i] = b[i] > 0 ? a[i] / b[i] : 0;
        }
        printf("a_median %.3f\n", percentile(a, (size_t)n, 0.5));
        printf("b_median %.3f\n", percentile(b, (size_t)n, 0.5));
        printf("ratio_median %.3f\n", percentile(r, (size_t)n, 0.5));
        free(a);
        free(b);
        free(r);
        return 0;
    }
    fprintf(stderr, "usage: history_bench inproc FILE N | spawn FILE N CMD... | time N CMD...\n"
                    "       | pairsave FA FB FROM TO A... :: B... | pair N A... :: B...\n");
    return 2;
}
