/*
 * dateline — the word level of the structural diff: tokens, interning,
 * Myers' O(ND) diff in linear space, and word ops.
 */
#include <stdlib.h>
#include <string.h>

#include "dateline/error.h"
#include "diff_internal.h"

/* ---------------------------------------------------------- interning -- */

struct intern_slot {
    const void *bytes;
    size_t size;
    uint64_t hash;
    uint32_t id; /* 0: empty slot (ids start at 1; SPACE_ID is never interned) */
};

/* FNV-1a with a final avalanche: short keys, and the low bits index the
 * table, so they must depend on every byte. */
uint64_t dl_diff__hash(const void *bytes, size_t size)
{
    const unsigned char *p = bytes;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

int dl_diff__intern_init(intern_table *table)
{
    table->capacity = 1024;
    table->count = 0;
    table->next_id = SPACE_ID + 1;
    table->slots = calloc(table->capacity, sizeof(*table->slots));
    return table->slots ? 0 : dl_error_set(DL_ERROR, "out of memory");
}

void dl_diff__intern_dispose(intern_table *table)
{
    free(table->slots);
    table->slots = NULL;
}

static int intern_grow(intern_table *table)
{
    size_t capacity = table->capacity * 2;
    struct intern_slot *slots = calloc(capacity, sizeof(*slots));
    if (!slots)
        return dl_error_set(DL_ERROR, "out of memory");
    for (size_t i = 0; i < table->capacity; i++) {
        struct intern_slot *s = &table->slots[i];
        if (s->id == 0)
            continue;
        size_t k = s->hash & (capacity - 1);
        while (slots[k].id != 0)
            k = (k + 1) & (capacity - 1);
        slots[k] = *s;
    }
    free(table->slots);
    table->slots = slots;
    table->capacity = capacity;
    return 0;
}

int64_t dl_diff__intern(intern_table *table, const void *bytes, size_t size)
{
    if (table->count * 2 >= table->capacity && intern_grow(table) < 0)
        return DL_ERROR;
    uint64_t hash = dl_diff__hash(bytes, size);
    size_t k = hash & (table->capacity - 1);
    for (;;) {
        struct intern_slot *s = &table->slots[k];
        if (s->id == 0) {
            *s = (struct intern_slot){bytes, size, hash, table->next_id++};
            table->count++;
            return s->id;
        }
        if (s->hash == hash && s->size == size && memcmp(s->bytes, bytes, size) == 0)
            return s->id;
        k = (k + 1) & (table->capacity - 1);
    }
}

/* ------------------------------------------------------------- tokens -- */

/* The code point at s (valid UTF-8: the article was checked) and its length. */
static uint32_t decode(const unsigned char *s, size_t n, size_t *length)
{
    unsigned char c = s[0];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    if (len > n)
        len = 1; /* cannot happen for checked text; stay in bounds anyway */
    uint32_t point = len == 1 ? c : (uint32_t)(c & (0x7F >> len));
    for (size_t k = 1; k < len; k++)
        point = (point << 6) | (s[k] & 0x3F);
    *length = len;
    return point;
}

static int is_space_point(uint32_t p)
{
    return p == ' ' || (p >= '\t' && p <= '\r') || p == 0x85 || p == 0xA0 || p == 0x1680 ||
           (p >= 0x2000 && p <= 0x200A) || p == 0x2028 || p == 0x2029 || p == 0x202F ||
           p == 0x205F || p == 0x3000 || p == 0xFEFF;
}

int dl_diff__is_space_at(const unsigned char *s, size_t n, size_t *length)
{
    return is_space_point(decode(s, n, length));
}

/* Letters and digits, approximately: ASCII alphanumerics and every code
 * point outside the punctuation and symbol blocks a news text uses. */
static int is_word_point(uint32_t p)
{
    if (p < 0x80)
        return (p >= '0' && p <= '9') || (p >= 'A' && p <= 'Z') || (p >= 'a' && p <= 'z');
    if (p <= 0xBF)
        return p == 0xAA || p == 0xB2 || p == 0xB3 || p == 0xB5 || p == 0xB9 || p == 0xBA;
    if (p == 0xD7 || p == 0xF7)
        return 0;
    if (p >= 0x2000 && p <= 0x2BFF) /* punctuation, currency, arrows, symbols */
        return 0;
    if (p >= 0x3000 && p <= 0x303F) /* CJK punctuation */
        return 0;
    return 1;
}

static int is_digit_point(uint32_t p)
{
    return p >= '0' && p <= '9';
}

/* Marks that join the word characters around them into one token, so
 * "don’t", "7-2" and "$2.4" diff as whole words. Digit separators join
 * digits only. */
static int joins_words(uint32_t p)
{
    return p == '\'' || p == 0x2019 || p == '-';
}

static int joins_digits(uint32_t p)
{
    return p == '.' || p == ',';
}

int dl_diff__tokenize(token **out, size_t *count, intern_table *table, const char *text, size_t size)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t capacity = size / 3 + 16, n = 0;
    token *tokens = malloc(capacity * sizeof(*tokens));
    if (!tokens)
        return dl_error_set(DL_ERROR, "out of memory");
    size_t i = 0;
    while (i < size) {
        if (n == capacity) {
            capacity *= 2;
            token *larger = realloc(tokens, capacity * sizeof(*tokens));
            if (!larger) {
                free(tokens);
                return dl_error_set(DL_ERROR, "out of memory");
            }
            tokens = larger;
        }
        size_t len, start = i;
        uint32_t p = decode(s + i, size - i, &len);
        token_kind kind;
        if (is_space_point(p)) {
            kind = TOKEN_SPACE;
            i += len;
            while (i < size && is_space_point(decode(s + i, size - i, &len)))
                i += len;
        } else if (is_word_point(p)) {
            kind = TOKEN_WORD;
            uint32_t last = p;
            i += len;
            while (i < size) {
                uint32_t q = decode(s + i, size - i, &len);
                if (is_word_point(q)) {
                    last = q;
                    i += len;
                    continue;
                }
                /* A joiner counts only between two word characters. */
                size_t next_len;
                if (i + len < size &&
                    ((joins_words(q) && is_word_point(decode(s + i + len, size - i - len,
                                                             &next_len))) ||
                     (joins_digits(q) && is_digit_point(last) &&
                      is_digit_point(decode(s + i + len, size - i - len, &next_len))))) {
                    i += len;
                    continue;
                }
                break;
            }
        } else {
            kind = TOKEN_PUNCT;
            i += len;
        }
        token *t = &tokens[n++];
        t->start = (uint32_t)start;
        t->size = (uint32_t)(i - start);
        t->kind = (uint8_t)kind;
        if (kind == TOKEN_SPACE) {
            t->id = SPACE_ID;
        } else {
            int64_t id = dl_diff__intern(table, text + start, i - start);
            if (id < 0) {
                free(tokens);
                return (int)id;
            }
            t->id = (uint32_t)id;
        }
    }
    *out = tokens;
    *count = n;
    return 0;
}

/* -------------------------------------------------------------- Myers -- */

/*
 * The linear-space variant of E. Myers, "An O(ND) Difference Algorithm and
 * Its Variations" (1986), section 4b: find the middle snake of the box by
 * searching forwards and backwards at once, then recurse on the two halves.
 * The formulation follows James Coglan's (Building Git): `vf` holds the
 * furthest x per diagonal k going forwards, `vb` the furthest y per
 * diagonal c = k - delta going backwards.
 */
typedef struct {
    const uint32_t *a, *b;
    uint8_t *deleted, *inserted;
    long *vf, *vb;
    long offset;
    size_t *budget; /* cells left; NULL: unbounded */
    int over;       /* the budget ran out: the marks are incomplete */
} myers;

/* Charge `cells` to the budget; false (and `over` set) when it runs out.
 * A cell is one diagonal visited or one step along a snake, so the cost of
 * a diff is counted, not timed: the same inputs always give the same
 * answer. */
static int charge(myers *m, size_t cells)
{
    if (!m->budget)
        return 1;
    if (*m->budget < cells) {
        *m->budget = 0;
        m->over = 1;
        return 0;
    }
    *m->budget -= cells;
    return 1;
}

typedef struct {
    long x0, y0, x1, y1;
} snake;

static void midpoint(myers *m, long left, long top, long right, long bottom, snake *s)
{
    const uint32_t *a = m->a, *b = m->b;
    long *vf = m->vf + m->offset, *vb = m->vb + m->offset;
    long w = right - left, h = bottom - top, delta = w - h;
    long max = (w + h + 1) / 2;
    vf[1] = left;
    vb[1] = bottom;
    /* The snakes of one search advance at most w + h steps in all. */
    if (!charge(m, (size_t)(w + h))) {
        *s = (snake){left, top, right, bottom};
        return;
    }
    for (long d = 0; d <= max; d++) {
        if (!charge(m, 2 * (size_t)d + 2)) {
            *s = (snake){left, top, right, bottom};
            return;
        }
        for (long k = d; k >= -d; k -= 2) {
            long c = k - delta, px, x;
            if (k == -d || (k != d && vf[k - 1] < vf[k + 1])) {
                px = x = vf[k + 1];
            } else {
                px = vf[k - 1];
                x = px + 1;
            }
            long y = top + (x - left) - k;
            long py = (d == 0 || x != px) ? y : y - 1;
            while (x < right && y < bottom && a[x] == b[y])
                x++, y++;
            vf[k] = x;
            if ((delta & 1) && c >= -(d - 1) && c <= d - 1 && y >= vb[c]) {
                *s = (snake){px, py, x, y};
                return;
            }
        }
        for (long c = d; c >= -d; c -= 2) {
            long k = c + delta, py, y;
            if (c == -d || (c != d && vb[c - 1] > vb[c + 1])) {
                py = y = vb[c + 1];
            } else {
                py = vb[c - 1];
                y = py - 1;
            }
            long x = left + (y - top) + k;
            long px = (d == 0 || y != py) ? x : x + 1;
            while (x > left && y > top && a[x - 1] == b[y - 1])
                x--, y--;
            vb[c] = y;
            if (!(delta & 1) && k >= -d && k <= d && x <= vf[k]) {
                *s = (snake){x, y, px, py};
                return;
            }
        }
    }
    /* Unreachable: the two searches always meet by d = max. */
    *s = (snake){left, top, right, bottom};
}

static void myers_box(myers *m, long left, long top, long right, long bottom)
{
    for (;;) {
        /* Common ends first: cheap, and it makes every box with at most one
         * edit a base case, which is what ends the recursion. */
        while (left < right && top < bottom && m->a[left] == m->b[top])
            left++, top++;
        while (left < right && top < bottom && m->a[right - 1] == m->b[bottom - 1])
            right--, bottom--;
        if (left == right) {
            memset(m->inserted + top, 1, (size_t)(bottom - top));
            return;
        }
        if (top == bottom) {
            memset(m->deleted + left, 1, (size_t)(right - left));
            return;
        }
        snake s;
        midpoint(m, left, top, right, bottom, &s);
        if (m->over)
            return;
        if (s.x0 == left && s.y0 == top && s.x1 == right && s.y1 == bottom) {
            /* Defensive: never recurse on the same box. */
            memset(m->deleted + left, 1, (size_t)(right - left));
            memset(m->inserted + top, 1, (size_t)(bottom - top));
            return;
        }
        myers_box(m, left, top, s.x0, s.y0);
        myers_box(m, s.x0, s.y0, s.x1, s.y1);
        if (m->over)
            return;
        left = s.x1;
        top = s.y1;
    }
}

int dl_diff__myers_diff(uint8_t *deleted, uint8_t *inserted, const uint32_t *a, size_t n,
               const uint32_t *b, size_t m, size_t *budget)
{
    long max = (long)((n + m + 1) / 2) + 2;
    /* With a budget the search cannot pass d = sqrt(budget) (the d-th
     * round costs 2d + 2 cells), so the diagonal arrays need no more. */
    if (budget) {
        long reach = 2;
        while (reach < max && (size_t)reach * (size_t)reach < *budget)
            reach *= 2;
        if (reach + 2 < max)
            max = reach + 2;
    }
    myers state = {a, b, deleted, inserted, NULL, NULL, max, budget, 0};
    state.vf = malloc((size_t)(2 * max + 1) * sizeof(long));
    state.vb = malloc((size_t)(2 * max + 1) * sizeof(long));
    if (!state.vf || !state.vb) {
        free(state.vf);
        free(state.vb);
        return dl_error_set(DL_ERROR, "out of memory");
    }
    myers_box(&state, 0, 0, (long)n, (long)m);
    free(state.vf);
    free(state.vb);
    return state.over;
}

/* ---------------------------------------------------------- word ops -- */

static int push_op(dl_diff_words *out, size_t *capacity, dl_diff_op op, const char *text,
                   size_t size)
{
    if (size == 0)
        return 0;
    if (out->count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 8;
        dl_diff_word *larger = realloc(out->ops, grown * sizeof(*larger));
        if (!larger)
            return dl_error_set(DL_ERROR, "out of memory");
        out->ops = larger;
        *capacity = grown;
    }
    char *copy = malloc(size + 1);
    if (!copy)
        return dl_error_set(DL_ERROR, "out of memory");
    memcpy(copy, text, size);
    copy[size] = '\0';
    out->ops[out->count++] = (dl_diff_word){op, copy, size};
    return 0;
}

/* Byte offset of token `i`, or the text's end. */
static size_t token_offset(const token *tokens, size_t count, size_t i, size_t end)
{
    return i < count ? tokens[i].start : end;
}

/*
 * Walk the two token sequences along the Myers marks, producing runs. A
 * change region is a maximal stretch of deleted/inserted tokens; a lone
 * whitespace token standing between two changes is folded into them, so
 * "[-old word-]{+new words+}" reads as one replacement rather than
 * "[-old-]{+new+} [-word-]{+words+}". Each region becomes one delete (the
 * old bytes) then one insert (the new bytes): both are contiguous ranges.
 */
int dl_diff__words_from_tokens(dl_diff_words *out, const char *old_text, const token *old_tokens,
                      size_t old_count, const char *new_text, const token *new_tokens,
                      size_t new_count, size_t *budget)
{
    dl_diff_words words = {NULL, 0};
    size_t capacity = 0;
    int error = 0;
    uint8_t *deleted = calloc(old_count + 1, 1), *inserted = calloc(new_count + 1, 1);
    uint32_t *a = malloc((old_count + 1) * sizeof(*a)), *b = malloc((new_count + 1) * sizeof(*b));
    if (!deleted || !inserted || !a || !b) {
        error = dl_error_set(DL_ERROR, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < old_count; i++)
        a[i] = old_tokens[i].id;
    for (size_t j = 0; j < new_count; j++)
        b[j] = new_tokens[j].id;
    int over = dl_diff__myers_diff(deleted, inserted, a, old_count, b, new_count, budget);
    if (over < 0) {
        error = over;
        goto done;
    }
    if (over) {
        /* Over budget: the text is replaced as a whole, one delete and one
         * insert, which still renders back to the new text exactly. */
        memset(deleted, 1, old_count);
        memset(inserted, 1, new_count);
    }

    size_t old_end = old_count ? old_tokens[old_count - 1].start + old_tokens[old_count - 1].size : 0;
    size_t new_end = new_count ? new_tokens[new_count - 1].start + new_tokens[new_count - 1].size : 0;
    size_t i = 0, j = 0;
    while (i < old_count || j < new_count) {
        if ((i < old_count && deleted[i]) || (j < new_count && inserted[j])) {
            size_t i0 = i, j0 = j;
            for (;;) {
                while ((i < old_count && deleted[i]) || (j < new_count && inserted[j])) {
                    if (i < old_count && deleted[i])
                        i++;
                    else
                        j++;
                }
                /* One equal whitespace token, then more changes: fold it in. */
                if (i < old_count && j < new_count && a[i] == SPACE_ID && b[j] == SPACE_ID &&
                    ((i + 1 < old_count && deleted[i + 1]) ||
                     (j + 1 < new_count && inserted[j + 1]))) {
                    i++, j++;
                    continue;
                }
                break;
            }
            size_t os = token_offset(old_tokens, old_count, i0, old_end);
            size_t oe = token_offset(old_tokens, old_count, i, old_end);
            size_t ns = token_offset(new_tokens, new_count, j0, new_end);
            size_t ne = token_offset(new_tokens, new_count, j, new_end);
            if ((error = push_op(&words, &capacity, DL_DIFF_DELETE, old_text + os, oe - os)) < 0 ||
                (error = push_op(&words, &capacity, DL_DIFF_INSERT, new_text + ns, ne - ns)) < 0)
                goto done;
        } else {
            size_t j0 = j;
            while (i < old_count && j < new_count && !deleted[i] && !inserted[j])
                i++, j++;
            size_t ns = token_offset(new_tokens, new_count, j0, new_end);
            size_t ne = token_offset(new_tokens, new_count, j, new_end);
            if ((error = push_op(&words, &capacity, DL_DIFF_EQUAL, new_text + ns, ne - ns)) < 0)
                goto done;
        }
    }
    *out = words;
    words = (dl_diff_words){NULL, 0};
    error = over;
done:
    dl_diff_words_dispose(&words);
    free(deleted);
    free(inserted);
    free(a);
    free(b);
    return error;
}

int dl_diff_words_compute(dl_diff_words *out, const char *old_text, size_t old_size,
                          const char *new_text, size_t new_size)
{
    return dl_diff__words_within(out, old_text, old_size, new_text, new_size, NULL);
}

int dl_diff__words_within(dl_diff_words *out, const char *old_text, size_t old_size,
                          const char *new_text, size_t new_size, size_t *budget)
{
    if (old_size > UINT32_MAX || new_size > UINT32_MAX)
        return dl_error_set(DL_EINVALID, "text too large to diff");
    intern_table table;
    token *old_tokens = NULL, *new_tokens = NULL;
    size_t old_count = 0, new_count = 0;
    int error = dl_diff__intern_init(&table);
    if (error < 0)
        return error;
    if ((error = dl_diff__tokenize(&old_tokens, &old_count, &table, old_text, old_size)) == 0 &&
        (error = dl_diff__tokenize(&new_tokens, &new_count, &table, new_text, new_size)) == 0)
        error = dl_diff__words_from_tokens(out, old_text, old_tokens, old_count, new_text, new_tokens,
                                  new_count, budget);
    free(old_tokens);
    free(new_tokens);
    dl_diff__intern_dispose(&table);
    return error;
}

void dl_diff_words_dispose(dl_diff_words *words)
{
    if (!words)
        return;
    for (size_t i = 0; i < words->count; i++)
        free(words->ops[i].text);
    free(words->ops);
    words->ops = NULL;
    words->count = 0;
}

/* ------------------------------------------------------------- bags -- */

static int compare_ids(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

int dl_diff__word_bag(uint32_t **out, size_t *count, const token *tokens, size_t token_count)
{
    uint32_t *bag = malloc((token_count + 1) * sizeof(*bag));
    if (!bag)
        return dl_error_set(DL_ERROR, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < token_count; i++)
        if (tokens[i].kind == TOKEN_WORD)
            bag[n++] = tokens[i].id;
    if (n > 0)
        qsort(bag, n, sizeof(*bag), compare_ids);
    *out = bag;
    *count = n;
    return 0;
}

size_t dl_diff__bag_common(const uint32_t *a, size_t n, const uint32_t *b, size_t m)
{
    size_t i = 0, j = 0, common = 0;
    while (i < n && j < m) {
        if (a[i] < b[j]) {
            i++;
        } else if (a[i] > b[j]) {
            j++;
        } else {
            common++;
            i++, j++;
        }
    }
    return common;
}

double dl_diff__bag_dice(const uint32_t *a, size_t n, const uint32_t *b, size_t m)
{
    if (n + m == 0)
        return 1.0;
    return 2.0 * (double)dl_diff__bag_common(a, n, b, m) / (double)(n + m);
}

/* ----------------------------------------------------- normalised text -- */

/* Skip whitespace; return the new position. */
static const unsigned char *skip_space(const unsigned char *s, const unsigned char *end)
{
    size_t len;
    while (s < end && dl_diff__is_space_at(s, (size_t)(end - s), &len))
        s += len;
    return s;
}

/* The next unit of a text as normalisation sees it: 1 for a whitespace
 * run (any length, any kind), 2 for one other code point (*unit, *length),
 * 0 at the end. ASCII, the usual case, skips the UTF-8 decoding. */
static int next_unit(const unsigned char **p, const unsigned char *end,
                     const unsigned char **unit, size_t *length)
{
    const unsigned char *s = *p;
    int space = 0;
    for (;;) {
        if (s == end) {
            *p = s;
            return space;
        }
        size_t len = 1;
        int is_space = *s < 0x80 ? (*s == ' ' || (*s >= '\t' && *s <= '\r'))
                                 : dl_diff__is_space_at(s, (size_t)(end - s), &len);
        if (!is_space) {
            if (space) {
                *p = s;
                return 1;
            }
            if (*s >= 0x80)
                decode(s, (size_t)(end - s), &len);
            *unit = s;
            *length = len;
            *p = s + len;
            return 2;
        }
        s += len;
        space = 1;
    }
}

uint64_t dl_diff__normalised_hash(const char *text, size_t size)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + size;
    uint64_t h = 0xcbf29ce484222325ull;
    /* A whitespace run counts once, and only between two other units. */
    int started = 0, space = 0;
    while (p < end) {
        size_t len = 1;
        int is_space = *p < 0x80 ? (*p == ' ' || (*p >= '\t' && *p <= '\r'))
                                 : dl_diff__is_space_at(p, (size_t)(end - p), &len);
        if (is_space) {
            space = started;
            p += len;
            continue;
        }
        if (space)
            h = (h ^ ' ') * 0x100000001b3ull;
        space = 0;
        started = 1;
        h = (h ^ *p) * 0x100000001b3ull;
        p++;
        /* The rest of a multi-byte code point: never whitespace itself. */
        while (p < end && (*p & 0xC0) == 0x80)
            h = (h ^ *p++) * 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

int dl_diff__normalised_equal(const char *a, size_t a_size, const char *b, size_t b_size)
{
    if (a_size == b_size && memcmp(a, b, a_size) == 0)
        return 1;
    const unsigned char *p = (const unsigned char *)a, *pe = p + a_size;
    const unsigned char *q = (const unsigned char *)b, *qe = q + b_size;
    const unsigned char *u = NULL, *v = NULL;
    size_t ul = 0, vl = 0;
    int c = next_unit(&p, pe, &u, &ul), d = next_unit(&q, qe, &v, &vl);
    /* Leading whitespace is no part of it; trailing whitespace is a run
     * at the end. */
    if (c == 1)
        c = next_unit(&p, pe, &u, &ul);
    if (d == 1)
        d = next_unit(&q, qe, &v, &vl);
    for (;;) {
        if (c == 1 && p == pe)
            c = 0;
        if (d == 1 && q == qe)
            d = 0;
        if (c != d)
            return 0;
        if (c == 0)
            return 1;
        if (c == 2 && (ul != vl || memcmp(u, v, ul) != 0))
            return 0;
        c = next_unit(&p, pe, &u, &ul);
        d = next_unit(&q, qe, &v, &vl);
    }
}

int dl_diff__text_equal_normalised(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    const unsigned char *pe = p + strlen(a), *qe = q + strlen(b);
    p = skip_space(p, pe);
    q = skip_space(q, qe);
    while (p < pe && q < qe) {
        size_t lp, lq;
        int sp = dl_diff__is_space_at(p, (size_t)(pe - p), &lp), sq = dl_diff__is_space_at(q, (size_t)(qe - q), &lq);
        if (sp || sq) {
            if (!(sp && sq))
                return 0;
            p = skip_space(p, pe);
            q = skip_space(q, qe);
            /* Trailing whitespace on one side only still matches. */
            if (p == pe || q == qe)
                break;
            continue;
        }
        if (*p != *q)
            return 0;
        p++, q++;
    }
    return skip_space(p, pe) == pe && skip_space(q, qe) == qe;
}
