/*
 * External scanner for tree-sitter-article.
 *
 * Nearly every token of the grammar is produced here, because the article
 * format is decided by context a regular lexer cannot see: whether a quote
 * mark closes later in its paragraph, whether a short line is a subhead,
 * whether the first words of the lead are a dateline. Each such decision is
 * made with bounded lookahead (see LOOKAHEAD_MAX), and every decision that
 * commits the parser to a structure ("this quotation closes") is made by the
 * same function that later finds the closing token, so the parse never gets
 * stuck: when a construct does not complete, its opening mark is plain text.
 *
 * The scanner keeps no state between tokens: serialize writes nothing, which
 * is the best case for incremental reuse.
 */

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Same order as `externals` in grammar.js. */
enum TokenType {
    LEADING,
    SEP,
    RUN_SEP,
    LONG_RUN_SEP,
    SEP_SECTION,
    SEP_END,
    BREAK_DEK,
    BREAK_BYLINE,
    BREAK_TIMESTAMP,
    BREAK_LIST,
    BREAK_LINE,
    TEXT,
    LINE_TEXT,
    OPEN_CLOSED,
    OPEN_ATTRIBUTED,
    OPEN_RUN_ON,
    CONT_CLOSED,
    CONT_ATTRIBUTED,
    CONT_RUN_ON,
    CONT_UNCLOSED,
    CLOSE_MARK,
    RUN_ON,
    LEAD_SPEAKER,
    SPEAKER,
    VERB,
    ADD_OPEN,
    DEL_OPEN,
    SUB_OPEN,
    HL_OPEN,
    COM_OPEN,
    ADD_CLOSE,
    DEL_CLOSE,
    SUB_MID,
    SUB_CLOSE,
    HL_CLOSE,
    COM_CLOSE,
    URL,
    EMAIL,
    HANDLE,
    HASHTAG,
    NUMBER,
    LOCATION,
    DATE,
    PAREN_OPEN,
    AGENCY,
    PAREN_CLOSE,
    WIRE_OPEN,
    WIRE_CLOSE,
    DASH,
    BY,
    NAME,
    NAME_SEP,
    TIMESTAMP,
    MARKER,
    NOTE_LABEL,
    PREFACE,
    SEP_LEAD,
    OPEN_UNCLOSED,
    ERROR_SENTINEL,
    TOKEN_COUNT
};

/* Lookahead bounds, in code points. A quotation or annotation longer than
 * LOOKAHEAD_MAX is treated as unclosed (its mark becomes text). */
#define LOOKAHEAD_MAX 16384u
/* Text runs are split at a word start after this many code points, and
 * anywhere after HARD_CHUNK, so one edit never re-lexes a huge token. */
#define TEXT_CHUNK 2048u
#define HARD_CHUNK 8192u
/* Subheads and front-matter lines are short. */
#define SUBHEAD_MAX 80u
#define SUBHEAD_WORDS 10u
#define BYLINE_MAX 120u
#define TIMESTAMP_MAX 100u
#define LOCATION_MAX 60u
#define AGENCY_MAX 30u
/* A credit note in parentheses before the lead: "(This story was first
 * published by ...)". */
#define PREFACE_MAX 600u
/* Attribution phrases. */
#define SPEAKER_WORDS 8u
#define LEAD_SPEAKER_WORDS 6u
#define WORD_BUF 24u
/* Where runs of blocks end is decided by a hash of a block's first
 * RUN_KEY_CHARS code points (fewer if its first line is shorter): a run ends
 * before one block in 2^RUN_BITS, a long run before one in 2^LONG_RUN_BITS. */
#define RUN_KEY_CHARS 16u
#define RUN_BITS 3u
#define LONG_RUN_BITS 8u
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

/* Code points the format cares about. */
#define LDQUO 0x201C   /* “ */
#define RDQUO 0x201D   /* ” */
#define LSQUO 0x2018   /* ‘ */
#define RSQUO 0x2019   /* ’ */
#define EN_DASH 0x2013 /* – */
#define EM_DASH 0x2014 /* — */
#define ELLIPSIS 0x2026
#define BULLET 0x2022
#define NBSP 0x00A0
#define BOM 0xFEFF

/* The scanner is stateless; the struct exists so the five entry points have
 * the usual shape and a state could be added without touching them. */
typedef struct {
    uint8_t unused;
} Scanner;

_Static_assert(sizeof(Scanner) <= TREE_SITTER_SERIALIZATION_BUFFER_SIZE,
               "scanner state must fit the serialization buffer");
_Static_assert(TOKEN_COUNT == ERROR_SENTINEL + 1, "token table out of sync");

/* One scan call: the lexer, the valid symbols, and how many code points
 * have been consumed / committed (mark_end) so far. */
typedef struct {
    TSLexer *lexer;
    const bool *valid;
    uint32_t n;
    uint32_t marked;
    int32_t prev; /* the last code point consumed */
    /* The run key of the block being looked at: a hash of its first line's
     * first code points, taken as they are consumed. */
    uint32_t key;
    uint32_t key_left;
} Scan;

/* ------------------------------------------------------------------------
 * Character classes
 * ------------------------------------------------------------------------ */

static inline bool is_hspace(int32_t c)
{
    return c == ' ' || c == '\t' || c == NBSP || c == '\f' || c == '\v';
}

static inline bool is_line_end(int32_t c) { return c == '\n' || c == '\r'; }

static inline bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

static inline bool is_ascii_upper(int32_t c) { return c >= 'A' && c <= 'Z'; }

static inline bool is_ascii_lower(int32_t c) { return c >= 'a' && c <= 'z'; }

static inline bool is_ascii_alpha(int32_t c)
{
    return is_ascii_upper(c) || is_ascii_lower(c);
}

/* Letters: ASCII, Latin-1 letters and the big non-punctuation blocks. */
static bool is_letter(int32_t c)
{
    if (c < 0x80)
        return is_ascii_alpha(c);
    if (c < 0xC0)
        return false;
    if (c == 0xD7 || c == 0xF7)
        return false;
    if (c >= 0x2000 && c <= 0x2BFF)
        return false; /* punctuation, symbols, arrows, ... */
    if (c >= 0x3000 && c <= 0x303F)
        return false;
    if (c == BOM || c >= 0xFFF0)
        return false;
    return true;
}

static bool is_upper(int32_t c)
{
    if (c < 0x80)
        return is_ascii_upper(c);
    return (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||  /* Latin-1 */
           (c >= 0x391 && c <= 0x3A9) ||             /* Greek */
           (c >= 0x400 && c <= 0x42F);               /* Cyrillic */
}

static inline int32_t to_lower_ascii(int32_t c)
{
    return is_ascii_upper(c) ? c + ('a' - 'A') : c;
}

static inline bool is_quote_mark(int32_t c)
{
    return c == LDQUO || c == RDQUO || c == '"';
}

static inline bool is_dash_char(int32_t c)
{
    return c == '-' || c == EN_DASH || c == EM_DASH;
}

/* ------------------------------------------------------------------------
 * Lexer helpers
 * ------------------------------------------------------------------------ */

static inline int32_t la(Scan *s) { return s->lexer->lookahead; }

static inline bool at_eof(Scan *s)
{
    return s->lexer->lookahead == 0 && s->lexer->eof(s->lexer);
}

static inline void adv(Scan *s)
{
    s->prev = s->lexer->lookahead;
    if (s->key_left > 0) {
        if (is_line_end(s->prev)) {
            s->key_left = 0;
        } else {
            s->key = (s->key ^ (uint32_t)s->prev) * FNV_PRIME;
            s->key_left--;
        }
    }
    s->lexer->advance(s->lexer, false);
    s->n++;
}

static inline void skip(Scan *s) { s->lexer->advance(s->lexer, true); }

static inline void mark(Scan *s)
{
    s->lexer->mark_end(s->lexer);
    s->marked = s->n;
}

static inline bool emit(Scan *s, enum TokenType type)
{
    s->lexer->result_symbol = (TSSymbol)type;
    return true;
}

static void consume_hspace(Scan *s)
{
    while (is_hspace(la(s)))
        adv(s);
}

/* Consumes one line end: \n, \r\n or a lone \r. */
static void consume_line_end(Scan *s)
{
    if (la(s) == '\r') {
        adv(s);
        if (la(s) == '\n')
            adv(s);
    } else {
        adv(s);
    }
}

/* At the end of the current line (after optional spaces)? Consumes them. */
static bool rest_is_blank(Scan *s)
{
    consume_hspace(s);
    return at_eof(s) || is_line_end(la(s));
}

/* Matches an ASCII word case-insensitively, consuming what matches. */
static bool match_ci(Scan *s, const char *word)
{
    for (; *word; word++) {
        if (to_lower_ascii(la(s)) != *word)
            return false;
        adv(s);
    }
    return true;
}

/* Reads a word of letters, digits and apostrophes (plus '.' when `dots`)
 * into a lowercase ASCII buffer. Returns its length in code points. */
typedef struct {
    char text[WORD_BUF];
    uint32_t len;
    bool first_upper;
    bool all_upper;
    uint32_t letters;
    uint32_t periods;
    bool ends_with_period;
} Word;

static bool is_word_char(int32_t c, bool dots)
{
    return is_letter(c) || is_digit(c) || c == '\'' || c == RSQUO ||
           (dots && c == '.');
}

static void read_word(Scan *s, Word *w, bool dots)
{
    memset(w, 0, sizeof *w);
    w->all_upper = true;
    while (is_word_char(la(s), dots) && w->len < 64) {
        int32_t c = la(s);
        if (w->len == 0)
            w->first_upper = is_upper(c);
        if (is_letter(c)) {
            w->letters++;
            if (!is_upper(c))
                w->all_upper = false;
        }
        if (c == '.')
            w->periods++;
        w->ends_with_period = c == '.';
        if (w->len < WORD_BUF - 1) {
            char ch = c < 0x80 ? (char)to_lower_ascii(c) : '?';
            if (c == RSQUO)
                ch = '\'';
            w->text[w->len] = ch;
        }
        w->len++;
        adv(s);
    }
    if (w->letters == 0)
        w->all_upper = false;
}

/* Whether `w` is one of the `count` words of `list`, which is in strcmp
 * order: every word of an attribution is looked up in several lists, and
 * halving a list costs a fraction of reading it through (the lookups were
 * 6% of a parse). tests/sh/grammar_words_test.sh checks the order. */
static bool word_in(const Word *w, const char *const *list, size_t count)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int order = (unsigned char)list[mid][0] - (unsigned char)w->text[0];
        if (order == 0)
            order = strcmp(list[mid], w->text);
        if (order == 0)
            return true;
        if (order < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return false;
}

/* word_in() over one of the lists below. */
#define word_is(w, list) word_in((w), (list), sizeof(list) / sizeof((list)[0]))

/* ------------------------------------------------------------------------
 * Word lists, each in strcmp order for word_is()
 * ------------------------------------------------------------------------ */

static const char *const SPEECH_VERBS[] = {
    "according", "acknowledged", "added", "adds", "admitted", "announced",
    "argued", "argues", "asked", "asks", "cautioned", "claimed", "claims",
    "conceded", "concluded", "continued", "continues", "declared",
    "emphasized", "explained", "explains", "insisted", "lamented", "noted",
    "notes", "observed", "posted", "posts", "predicted", "promised", "quipped",
    "recalled", "remarked", "replied", "responded", "said", "say", "says",
    "shouted", "stated", "states", "stressed", "suggested", "tells",
    "testified", "told", "tweeted", "tweets", "urged", "vowed", "warned",
    "warns", "whispered", "writes", "wrote",
};

/* Lowercase words that may open a speaker phrase. */
static const char *const SPEAKER_STARTS[] = {
    "a", "an", "analysts", "another", "authorities", "both", "critics",
    "experts", "he", "her", "his", "i", "it", "its", "many", "my", "officials",
    "one", "our", "police", "residents", "several", "she", "some", "sources",
    "the", "their", "they", "we", "witnesses",
};

/* Words that end a speaker phrase that follows its verb. */
static const char *const SPEAKER_STOPS[] = {
    "about", "adding", "after", "and", "as", "at", "because", "before", "but",
    "by", "during", "for", "from", "in", "last", "of", "on", "that", "this",
    "to", "told", "when", "which", "while", "who", "with",
};

static const char *const MONTHS[] = {
    "apr", "apr.", "april", "aug", "aug.", "august", "dec", "dec.", "december",
    "feb", "feb.", "february", "jan", "jan.", "january", "jul", "jul.", "july",
    "jun", "jun.", "june", "mar", "mar.", "march", "may", "nov", "nov.",
    "november", "oct", "oct.", "october", "sep", "sep.", "sept", "sept.",
    "september",
};

/* A press release dates itself with the weekday: `Tuesday, March 4, 2025`. */
static const char *const WEEKDAYS[] = {
    "friday", "monday", "saturday", "sunday", "thursday", "tuesday",
    "wednesday",
};

/* Labels of a photo caption line before the lead: `Photo: ...`. */
static const char *const CAPTION_WORDS[] = {
    "caption", "image", "photo", "pictured", "video",
};

static const char *const NOTE_WORDS[] = {
    "clarification", "correction", "corrections", "update",
};

static const char *const EDITOR_WORDS[] = {
    "editor's", "editors", "editors'",
};

static const char *const TIMESTAMP_WORDS[] = {
    "last", "posted", "published", "updated",
};

static bool is_verb(const Word *w) { return word_is(w, SPEECH_VERBS); }

/* ------------------------------------------------------------------------
 * CriticMarkup delimiters
 * ------------------------------------------------------------------------ */

/* Whether a quotation or annotation opening here ends with its line: in
 * the headline and the other one-line blocks, where the text token is
 * LINE_TEXT. Not "wherever TEXT is not valid": inside a paragraph some
 * states take only an opening mark (after "The mayor said: ", or after
 * inline content an incremental parse reused from the old tree), and a
 * quotation there may span lines as anywhere in its paragraph. */
static bool line_scoped(const bool *valid)
{
    return valid[LINE_TEXT] && !valid[TEXT];
}

/* The closer valid here, if any (the grammar never allows two at once). */
static int current_closer(const bool *valid)
{
    for (int t = ADD_CLOSE; t <= COM_CLOSE; t++)
        if (valid[t])
            return t;
    return -1;
}

static int32_t closer_first(int closer)
{
    switch (closer) {
    case ADD_CLOSE: return '+';
    case DEL_CLOSE: return '-';
    case SUB_MID:
    case SUB_CLOSE: return '~';
    case HL_CLOSE: return '=';
    case COM_CLOSE: return '<';
    default: return -2;
    }
}

/* At the closer's first character: consumes as long as the closer matches.
 * Scanner and lookahead both call this at every occurrence of the first
 * character, so they agree on where a closer is. */
static bool try_closer(Scan *s, int closer)
{
    int32_t first = closer_first(closer);
    adv(s);
    if (closer == SUB_MID) {
        if (la(s) != '>')
            return false;
        adv(s);
        return true;
    }
    if (la(s) != first)
        return false;
    adv(s);
    if (la(s) != '}')
        return false;
    adv(s);
    return true;
}

/* After '{': the opener kind if the next two characters make one. */
static int match_opener_rest(Scan *s)
{
    int32_t c = la(s);
    int kind;
    switch (c) {
    case '+': kind = ADD_OPEN; break;
    case '-': kind = DEL_OPEN; break;
    case '~': kind = SUB_OPEN; break;
    case '=': kind = HL_OPEN; break;
    case '>': kind = COM_OPEN; break;
    default: return -1;
    }
    adv(s);
    if (la(s) != c)
        return -1;
    adv(s);
    return kind;
}

static int closer_of(int opener)
{
    switch (opener) {
    case ADD_OPEN: return ADD_CLOSE;
    case DEL_OPEN: return DEL_CLOSE;
    case SUB_OPEN: return SUB_MID;
    case HL_OPEN: return HL_CLOSE;
    default: return COM_CLOSE;
    }
}

/* From just after an opener: does its closer come within the block (or the
 * line, in `line_scope`)? Inside a quotation (`in_quote`) the annotation
 * must also end before any closing quote mark. A nested opener ends the
 * search (annotations do not nest). */
static bool annotation_lookahead(Scan *s, int opener, bool in_quote,
                                 bool line_scope)
{
    int closer = closer_of(opener);
    int32_t first = closer_first(closer);
    for (uint32_t i = 0; i < LOOKAHEAD_MAX; i++) {
        int32_t c = la(s);
        if (at_eof(s))
            return false;
        if (is_line_end(c)) {
            if (line_scope)
                return false;
            consume_line_end(s);
            if (rest_is_blank(s))
                return false;
            continue;
        }
        if (in_quote && (c == RDQUO || c == '"'))
            return false;
        if (c == first) {
            if (try_closer(s, closer)) {
                if (closer != SUB_MID)
                    return true;
                closer = SUB_CLOSE;
            }
            continue;
        }
        if (c == '{') {
            adv(s);
            if (match_opener_rest(s) >= 0)
                return false;
            continue;
        }
        adv(s);
    }
    return false;
}

/* ------------------------------------------------------------------------
 * Attributions
 * ------------------------------------------------------------------------ */

typedef enum {
    ATTR_NONE,
    ATTR_VERB_FIRST,    /* “…,” said Amazon. */
    ATTR_SPEAKER_FIRST, /* “…,” the company said. */
} AttrKind;

/* A word of an attribution: letters, digits, apostrophes; a period is part
 * of the word only after a short capitalised stem ("Sen.", "Jr.", "U.S."),
 * so a sentence-final period is never inside a speaker. */
static void read_attr_word(Scan *s, Word *w)
{
    memset(w, 0, sizeof *w);
    w->all_upper = true;
    for (;;) {
        while (is_word_char(la(s), false) && w->len < 64) {
            int32_t c = la(s);
            if (w->len == 0)
                w->first_upper = is_upper(c);
            w->letters += is_letter(c);
            if (is_letter(c) && !is_upper(c))
                w->all_upper = false;
            if (w->len < WORD_BUF - 1)
                w->text[w->len] = c < 0x80 ? (char)to_lower_ascii(c)
                                           : (c == RSQUO ? '\'' : '?');
            w->len++;
            adv(s);
        }
        if (la(s) == '.' && w->first_upper && w->letters <= 3 &&
            w->len < WORD_BUF - 1) {
            w->text[w->len++] = '.';
            w->periods++;
            adv(s);
            if (is_letter(la(s)))
                continue;
        }
        break;
    }
    if (w->letters == 0)
        w->all_upper = false;
}

static bool speaker_start_ok(const Word *w)
{
    return w->letters > 0 && (w->first_upper || word_is(w, SPEAKER_STARTS));
}

static bool is_according(const Word *w)
{
    return strcmp(w->text, "according") == 0;
}

/* After "according": " to". */
static bool according_to_rest(Scan *s)
{
    if (!is_hspace(la(s)))
        return false;
    consume_hspace(s);
    return match_ci(s, "to") && !is_letter(la(s));
}

/* The speaker after a verb: a capitalised name ("Hillary Clinton", "Sen.
 * Carper") or a lowercase phrase ("the company's filing") up to a stop word,
 * a verb or punctuation. At its first word. Returns the number of words,
 * marking after each one when `emit_marks`. */
static uint32_t speaker_after_verb(Scan *s, bool emit_marks)
{
    Word w;
    uint32_t words = 0;
    bool capitalised = false;
    while (is_letter(la(s)) || is_digit(la(s))) {
        read_attr_word(s, &w);
        if (words == 0) {
            if (!speaker_start_ok(&w))
                return 0;
            capitalised = w.first_upper;
        } else if (word_is(&w, SPEAKER_STOPS) || is_verb(&w) ||
                   (capitalised && !w.first_upper)) {
            break;
        }
        words++;
        if (emit_marks)
            mark(s);
        if (words >= SPEAKER_WORDS || !is_hspace(la(s)))
            break;
        consume_hspace(s);
    }
    return words;
}

/* After the first word of a speaker-first attribution ("the", "Smith"):
 * more words (an appositive between commas is fine), then a verb. Marks
 * after each speaker word when `emit_marks`. */
static bool speaker_first_rest(Scan *s, const Word *first, bool emit_marks)
{
    Word w;
    if (!speaker_start_ok(first) || is_verb(first))
        return false;
    if (emit_marks)
        mark(s);
    for (uint32_t words = 1; words <= SPEAKER_WORDS; words++) {
        if (la(s) == ',')
            adv(s);
        if (!is_hspace(la(s)))
            return false;
        consume_hspace(s);
        if (!is_letter(la(s)) && !is_digit(la(s)))
            return false;
        read_attr_word(s, &w);
        if (is_verb(&w) && !is_according(&w))
            return true;
        if (emit_marks)
            mark(s);
    }
    return false;
}

/* Right after a closing mark: is an attribution next? Consumes freely. */
static AttrKind match_post_attribution(Scan *s)
{
    Word w;
    if (!is_hspace(la(s)))
        return ATTR_NONE;
    consume_hspace(s);
    if (!is_letter(la(s)))
        return ATTR_NONE;
    read_attr_word(s, &w);
    if (is_verb(&w)) {
        if (is_according(&w) && !according_to_rest(s))
            return ATTR_NONE;
        if (!is_hspace(la(s)))
            return ATTR_NONE;
        consume_hspace(s);
        return speaker_after_verb(s, false) > 0 ? ATTR_VERB_FIRST : ATTR_NONE;
    }
    return speaker_first_rest(s, &w, false) ? ATTR_SPEAKER_FIRST : ATTR_NONE;
}

/* ------------------------------------------------------------------------
 * Quotations
 * ------------------------------------------------------------------------ */

/* Q_END: no mark at all until the paragraph ends (Q_NONE: something else
 * stopped the lookahead). */
typedef enum { Q_NONE, Q_CLOSED, Q_ATTRIBUTED, Q_RUN_ON, Q_END } QuoteEnd;

/* From a block end (after the first line end and blank spaces, at the next
 * line end): does the next block open with a quote mark? */
static bool run_on_follows(Scan *s)
{
    for (;;) {
        if (at_eof(s))
            return false;
        if (is_line_end(la(s)))
            consume_line_end(s);
        else if (is_hspace(la(s)))
            adv(s);
        else
            break;
    }
    int32_t c = la(s);
    if (c != LDQUO && c != '"')
        return false;
    adv(s);
    return !at_eof(s) && !is_hspace(la(s)) && !is_line_end(la(s));
}

/* Whether a closing mark (” or ") just read closes with an attribution. */
static QuoteEnd close_kind(Scan *s, int32_t prev, bool want_attr)
{
    bool punct = prev == ',' || prev == '?' || prev == '!' || prev == EM_DASH ||
                 prev == EN_DASH || prev == '-' || prev == ELLIPSIS;
    if (want_attr && punct && match_post_attribution(s) != ATTR_NONE)
        return Q_ATTRIBUTED;
    return Q_CLOSED;
}

/* From just after an opening mark: how does the quotation end? A ” closes
 * it; a straight " closes it unless a ” follows on the same line before any
 * “, since writers nest straight quotes in curly ones (“he said "no" to
 * me,”). Another “ first, the enclosing annotation's closer, the end of the
 * block (or line) or the lookahead bound mean it does not close. At a block
 * end it runs on when the next block opens with a mark.
 * straight_closes_here() makes the same decision at a straight mark. */
static QuoteEnd quote_lookahead(Scan *s, bool line_scope, int closer,
                                bool want_attr, bool want_run_on)
{
    int32_t prev = 0;
    int32_t first = closer >= 0 ? closer_first(closer) : -2;
    /* The end at the first straight mark, once one was seen. */
    QuoteEnd straight = Q_NONE;
    bool seen_straight = false;
    for (uint32_t i = 0; i < LOOKAHEAD_MAX; i++) {
        int32_t c = la(s);
        if (at_eof(s))
            return seen_straight ? straight : Q_END;
        if (is_line_end(c)) {
            if (line_scope || seen_straight)
                return seen_straight ? straight : Q_NONE;
            consume_line_end(s);
            if (rest_is_blank(s)) {
                if (want_run_on && !at_eof(s) && run_on_follows(s))
                    return Q_RUN_ON;
                return Q_END;
            }
            prev = ' ';
            continue;
        }
        if (c == RDQUO) {
            adv(s);
            return close_kind(s, prev, want_attr);
        }
        if (c == '"') {
            adv(s);
            QuoteEnd end = close_kind(s, prev, want_attr);
            if (!seen_straight) {
                seen_straight = true;
                straight = end;
            }
            prev = c;
            continue;
        }
        if (c == LDQUO)
            return seen_straight ? straight : Q_NONE;
        if (c == first) {
            if (try_closer(s, closer))
                return seen_straight ? straight : Q_NONE;
            prev = first;
            continue;
        }
        prev = c;
        adv(s);
    }
    return seen_straight ? straight : Q_NONE;
}

/* Just after a straight " inside a quotation: it closes the quotation
 * unless a ” follows on the same line before any “ (then it belongs to a
 * quotation nested inside, which is not counted). */
static bool straight_closes_here(Scan *s, int closer)
{
    int32_t first = closer >= 0 ? closer_first(closer) : -2;
    for (uint32_t i = 0; i < LOOKAHEAD_MAX; i++) {
        int32_t c = la(s);
        if (at_eof(s) || is_line_end(c) || c == LDQUO)
            return true;
        if (c == RDQUO)
            return false;
        if (c == first) {
            if (try_closer(s, closer))
                return true;
            continue;
        }
        adv(s);
    }
    return true;
}

/* ------------------------------------------------------------------------
 * Special words: url, email, handle, hashtag, number
 * ------------------------------------------------------------------------ */

/* Characters that always end a special word; closers' first characters end
 * one only while that closer is valid (so a word never eats a closer). */
static bool ends_special(Scan *s, int32_t c, int32_t closer_char)
{
    if (at_eof(s))
        return true;
    return is_hspace(c) || is_line_end(c) || is_quote_mark(c) || c == '{' ||
           c == '}' || c == '<' || c == '>' || c == LSQUO || c == closer_char;
}

static bool may_start_special(int32_t c)
{
    return is_ascii_alpha(c) || is_digit(c) || c == '@' || c == '#' ||
           c == '$' || c == 0xA3 || c == 0x20AC || c == 0xA5;
}

static bool is_scale_word(const Word *w)
{
    static const char *const scales[] = {
        "billion", "bln", "dlrs", "million", "mln", "pct", "percent",
        "trillion",
    };
    return word_is(w, scales);
}

/* Number: [currency] digits ([.,:/-] digits)* [%] [scale word]. */
static int scan_number(Scan *s, bool emit_marks, int32_t closer_char)
{
    if (!is_digit(la(s))) {
        adv(s); /* currency sign */
        if (!is_digit(la(s)))
            return -1;
    }
    for (;;) {
        while (is_digit(la(s)))
            adv(s);
        if (emit_marks)
            mark(s);
        int32_t c = la(s);
        if ((c == '.' || c == ',' || c == ':' || c == '/' || c == '-') &&
            c != closer_char) {
            adv(s);
            if (is_digit(la(s)))
                continue;
            return NUMBER;
        }
        break;
    }
    if (la(s) == '%') {
        adv(s);
        if (emit_marks)
            mark(s);
        return NUMBER;
    }
    if (is_letter(la(s)))
        return -1; /* 1st, 2020s, 3D: an ordinary word */
    if (emit_marks && la(s) == ' ') {
        adv(s);
        Word w;
        read_word(s, &w, false);
        if (is_scale_word(&w) && !is_letter(la(s)))
            mark(s);
    }
    return NUMBER;
}

/* At the '@' of name@example.com: the domain (two labels or more). */
static bool email_domain(Scan *s, bool emit_marks, int32_t closer_char)
{
    adv(s);
    uint32_t labels = 0, label_len = 0;
    for (uint32_t i = 0; i < 256; i++) {
        int32_t c = la(s);
        if (is_ascii_alpha(c) || is_digit(c) ||
            (c == '-' && c != closer_char)) {
            adv(s);
            label_len++;
            if (labels >= 1 && emit_marks)
                mark(s);
        } else if (c == '.' && label_len > 0) {
            adv(s);
            labels++;
            label_len = 0;
        } else {
            break;
        }
    }
    return labels >= 1 && (label_len > 0 || labels >= 2);
}

/* Classifies the word starting here; with `emit_marks` also marks the end
 * of the special token. Returns the token type or -1 for an ordinary word
 * (then an unknown part of the word has been consumed). */
static int scan_special(Scan *s, bool emit_marks)
{
    int closer = current_closer(s->valid);
    int32_t closer_char = closer >= 0 ? closer_first(closer) : -2;
    int32_t c = la(s);

    if (is_digit(c) || c == '$' || c == 0xA3 || c == 0x20AC || c == 0xA5)
        return scan_number(s, emit_marks, closer_char);

    if (c == '@' || c == '#') {
        adv(s);
        if (c == '#' ? !is_letter(la(s))
                     : !(is_ascii_alpha(la(s)) || is_digit(la(s)) ||
                         la(s) == '_'))
            return -1;
        while (is_letter(la(s)) || is_digit(la(s)) || la(s) == '_')
            adv(s);
        if (emit_marks)
            mark(s);
        return c == '@' ? HANDLE : HASHTAG;
    }

    /* Letters: maybe a url (http://, https://, www.) or an email. */
    char prefix[8];
    uint32_t len = 0;
    bool local_ok = true;
    for (;;) {
        c = la(s);
        bool local = is_ascii_alpha(c) || is_digit(c) || c == '.' ||
                     c == '_' || ((c == '-' || c == '+') && c != closer_char);
        if (!local)
            break;
        if (len < sizeof prefix)
            prefix[len] = (char)to_lower_ascii(c);
        len++;
        adv(s);
    }
    (void)local_ok;
    bool url = false;
    if (len == 4 && memcmp(prefix, "http", 4) == 0 && la(s) == ':')
        url = true;
    else if (len == 5 && memcmp(prefix, "https", 5) == 0 && la(s) == ':')
        url = true;
    else if (len >= 5 && memcmp(prefix, "www.", 4) == 0)
        url = true;

    if (url) {
        if (la(s) == ':') {
            adv(s);
            if (la(s) != '/')
                return -1;
            adv(s);
            if (la(s) != '/')
                return -1;
            adv(s);
        }
        for (uint32_t i = 0; i < 4096; i++) {
            c = la(s);
            if (ends_special(s, c, closer_char))
                break;
            adv(s);
            bool trailing = c == '.' || c == ',' || c == ';' || c == ':' ||
                            c == '!' || c == '?' || c == ')' || c == '\'' ||
                            c == RSQUO || c == ']';
            if (emit_marks && !trailing)
                mark(s);
        }
        return URL;
    }

    if (la(s) == '@' && len > 0)
        return email_domain(s, emit_marks, closer_char) ? EMAIL : -1;
    return -1;
}

/* ------------------------------------------------------------------------
 * Text runs
 * ------------------------------------------------------------------------ */

typedef enum {
    LEAD_NO_CONTINUE, /* not an attribution; the words read are plain text */
    LEAD_NO_RETURN,   /* not one, but end the text before the sentence */
    LEAD_YES,
} LeadMatch;

static LeadMatch lead_attribution_rest(Scan *s, const Word *first,
                                       bool emit_marks);
static bool after_word_break(int32_t c);

/* Scans prose from the current position; code points already consumed in
 * this call (s->n) belong to the token. Stops before line ends, marks that
 * may open or close something here, annotation delimiters, special words,
 * sentence starts (where `Smith said: “` may begin) and chunk limits. */
static bool scan_text(Scan *s, bool word_start)
{
    const bool *valid = s->valid;
    enum TokenType type = valid[TEXT] ? TEXT : LINE_TEXT;
    if (!valid[type])
        return false;
    const bool specials = valid[URL];
    const bool split = valid[LEAD_SPEAKER];
    const bool in_quote = valid[CLOSE_MARK];
    const bool can_open = valid[OPEN_CLOSED] || valid[OPEN_RUN_ON];
    const bool can_annotate = valid[ADD_OPEN];
    const int closer = current_closer(valid);
    const int32_t closer_char = closer >= 0 ? closer_first(closer) : -2;
    bool terminal = false, sentence = false;

    s->lexer->result_symbol = (TSSymbol)type;
    if (s->n > 0)
        mark(s);
    for (;;) {
        int32_t c = la(s);
        if (at_eof(s) || is_line_end(c))
            break;
        if (s->n >= s->marked + HARD_CHUNK) {
            mark(s);
            return true;
        }
        if (is_hspace(c)) {
            adv(s);
            word_start = true;
            sentence = terminal;
            continue;
        }
        if (is_quote_mark(c)) {
            if (in_quote && c != LDQUO)
                break;
            if (can_open && c == LDQUO)
                break;
            if (can_open && c == '"') {
                mark(s);
                adv(s);
                if (!at_eof(s) && !is_hspace(la(s)) && !is_line_end(la(s)))
                    return s->marked > 0;
            } else {
                adv(s);
            }
            word_start = c != RDQUO;
            terminal = terminal && c == RDQUO;
            sentence = false;
            continue;
        }
        if (c == '{' && can_annotate) {
            mark(s);
            adv(s);
            if (match_opener_rest(s) >= 0)
                return s->marked > 0;
            word_start = false;
            terminal = sentence = false;
            continue;
        }
        if (c == closer_char) {
            mark(s);
            if (try_closer(s, closer))
                return s->marked > 0;
            word_start = terminal = sentence = false;
            continue;
        }
        if (word_start) {
            mark(s);
            if (s->n >= TEXT_CHUNK)
                return true;
            if (split && sentence && is_upper(c)) {
                Word w;
                read_attr_word(s, &w);
                if (lead_attribution_rest(s, &w, false) != LEAD_NO_CONTINUE)
                    return s->marked > 0;
                word_start = after_word_break(s->prev);
                terminal = sentence = false;
                continue;
            }
            word_start = sentence = false;
            if (specials && may_start_special(c)) {
                if (scan_special(s, false) >= 0)
                    return s->marked > 0;
                terminal = false;
                continue;
            }
        }
        adv(s);
        terminal = c == '.' || c == '!' || c == '?' ||
                   (terminal && (c == ')' || c == RSQUO || c == '\''));
        word_start = c == '(' || c == '[' || c == '/' || c == EM_DASH ||
                     c == EN_DASH || c == LSQUO;
    }
    mark(s);
    return s->n > 0;
}

/* ------------------------------------------------------------------------
 * Line classification (front matter, lists, subheads)
 * ------------------------------------------------------------------------ */

/* After a "By"/"by"/"BY" word: a byline line is "By Name..." — short, with
 * a capitalised name and no sentence-final punctuation. Consumes the line. */
static bool byline_rest(Scan *s)
{
    if (!is_hspace(la(s)))
        return false;
    consume_hspace(s);
    if (!is_upper(la(s)))
        return false;
    int32_t last = 0;
    uint32_t len = 0;
    while (!at_eof(s) && !is_line_end(la(s))) {
        if (!is_hspace(la(s)))
            last = la(s);
        if (is_quote_mark(la(s)) || la(s) == '{' || ++len > BYLINE_MAX)
            return false;
        adv(s);
    }
    return !(last == '.' || last == '!' || last == '?' || last == ':' ||
             last == ';');
}

static bool is_by_word(const Word *w) { return strcmp(w->text, "by") == 0; }

/* After a timestamp word: the rest of a short line holding a digit. With
 * `emit_marks`, marks after every non-space code point. */
static bool timestamp_rest(Scan *s, const Word *w, bool emit_marks)
{
    if (strcmp(w->text, "last") == 0) {
        consume_hspace(s);
        Word next;
        read_word(s, &next, false);
        if (strcmp(next.text, "updated") != 0 &&
            strcmp(next.text, "modified") != 0)
            return false;
    }
    if (!is_hspace(la(s)) && la(s) != ':')
        return false;
    bool digit = false;
    uint32_t len = 0;
    while (!at_eof(s) && !is_line_end(la(s))) {
        int32_t c = la(s);
        if (++len > TIMESTAMP_MAX || is_quote_mark(c) || c == '{')
            return false;
        digit = digit || is_digit(c);
        adv(s);
        if (emit_marks && !is_hspace(c))
            mark(s);
    }
    return digit;
}

/* At a list marker candidate: - * • -- 1. 1) followed by a space. With
 * `emit_marks`, marks after the marker. */
static bool marker_rest(Scan *s, bool emit_marks)
{
    int32_t c = la(s);
    if (c == '-') {
        adv(s);
        if (la(s) == '-')
            adv(s);
    } else if (c == '*' || c == BULLET) {
        adv(s);
    } else if (is_digit(c)) {
        uint32_t digits = 0;
        while (is_digit(la(s)) && digits < 4) {
            adv(s);
            digits++;
        }
        if (digits > 3 || (la(s) != '.' && la(s) != ')'))
            return false;
        adv(s);
    } else {
        return false;
    }
    if (emit_marks)
        mark(s);
    return is_hspace(la(s));
}

static bool is_marker_start(int32_t c)
{
    return c == '-' || c == '*' || c == BULLET || is_digit(c);
}

/* At the first non-space character of a block: is it a subhead? A short
 * single line, starting with a capital and ending with a letter, no quote
 * marks, colons or annotation braces, followed by a blank line or the end. */
static bool subhead_follows(Scan *s)
{
    if (!is_upper(la(s)))
        return false;
    Word first;
    read_word(s, &first, false);
    if (strcmp(first.text, "by") == 0 || word_is(&first, NOTE_WORDS) ||
        word_is(&first, EDITOR_WORDS))
        return false;
    uint32_t len = first.len, words = 1;
    int32_t last = 'a';
    bool in_space = false;
    while (!at_eof(s) && !is_line_end(la(s))) {
        int32_t c = la(s);
        if (is_quote_mark(c) || c == ':' || c == '{' || c == '}' || c == '@' ||
            ++len > SUBHEAD_MAX)
            return false;
        if (is_hspace(c)) {
            if (!in_space && ++words > SUBHEAD_WORDS)
                return false;
            in_space = true;
        } else {
            in_space = false;
            last = c;
        }
        adv(s);
    }
    if (!is_letter(last))
        return false;
    if (at_eof(s))
        return true;
    consume_line_end(s);
    return rest_is_blank(s);
}

/* ------------------------------------------------------------------------
 * Line ends: block separators, soft breaks, run-on ends
 * ------------------------------------------------------------------------ */

/* The separator before the block the scanner is at, when it is not a
 * subhead: which run ends there, by the block's key, or a stronger end when
 * the runs are full (a weaker one where the grammar allows no run end). The
 * key was started at the block's first code point; whatever other decisions
 * already read of it counts. */
static bool emit_separator(Scan *s)
{
    static const enum TokenType levels[] = {SEP, RUN_SEP, LONG_RUN_SEP};
    const int count = (int)(sizeof(levels) / sizeof(levels[0]));
    while (s->key_left > 0 && !at_eof(s))
        adv(s);
    /* The key's bits mixed into its top ones, which decide. */
    uint32_t key = s->key;
    key ^= key >> 16;
    key *= 0x7feb352du;
    key ^= key >> 15;
    int level = key >> (32 - LONG_RUN_BITS) == 0 ? 2 : key >> (32 - RUN_BITS) == 0 ? 1 : 0;
    for (int i = level; i < count; i++)
        if (s->valid[levels[i]])
            return emit(s, levels[i]);
    for (int i = level - 1; i >= 0; i--)
        if (s->valid[levels[i]])
            return emit(s, levels[i]);
    return false;
}

static bool scan_line_end(Scan *s)
{
    const bool *valid = s->valid;
    mark(s); /* a zero-width run_on ends here */
    consume_line_end(s);
    consume_hspace(s);

    if (at_eof(s)) {
        if (valid[SEP_END]) {
            mark(s);
            return emit(s, SEP_END);
        }
        return false;
    }

    if (is_line_end(la(s))) {
        /* A blank line: the block ends here. */
        if (valid[RUN_ON])
            return emit(s, RUN_ON);
        while (!at_eof(s) && (is_line_end(la(s)) || is_hspace(la(s))))
            adv(s);
        mark(s);
        if (at_eof(s))
            return valid[SEP_END] ? emit(s, SEP_END) : false;
        s->key = FNV_OFFSET;
        s->key_left = RUN_KEY_CHARS;
        if (valid[SEP_SECTION] && subhead_follows(s))
            return emit(s, SEP_SECTION);
        /* After a preface before the lead, the next block may still open
         * with the dateline: it belongs with the preface. */
        if (valid[SEP_LEAD])
            return emit(s, SEP_LEAD);
        if (valid[SEP] || valid[RUN_SEP] || valid[LONG_RUN_SEP])
            return emit_separator(s);
        if (valid[SEP_SECTION])
            return emit(s, SEP_SECTION);
        return false;
    }

    /* A single line end inside a block. */
    mark(s);
    int32_t c = la(s);
    if ((valid[BREAK_BYLINE] || valid[BREAK_TIMESTAMP]) && is_letter(c)) {
        Word w;
        read_word(s, &w, false);
        if (valid[BREAK_BYLINE] && is_by_word(&w) && byline_rest(s))
            return emit(s, BREAK_BYLINE);
        if (valid[BREAK_TIMESTAMP] && word_is(&w, TIMESTAMP_WORDS) &&
            timestamp_rest(s, &w, false))
            return emit(s, BREAK_TIMESTAMP);
    } else if (valid[BREAK_LIST] && is_marker_start(c)) {
        if (marker_rest(s, false))
            return emit(s, BREAK_LIST);
    }
    if (valid[BREAK_DEK])
        return emit(s, BREAK_DEK);
    if (valid[BREAK_LINE])
        return emit(s, BREAK_LINE);
    if (valid[TEXT])
        return scan_text(s, s->n == s->marked);
    /* After a timestamp nothing else may follow in its block: any further
     * line is taken as one more timestamp line rather than an error. */
    if (valid[BREAK_TIMESTAMP])
        return emit(s, BREAK_TIMESTAMP);
    return false;
}

/* ------------------------------------------------------------------------
 * Quote marks and annotation delimiters
 * ------------------------------------------------------------------------ */

static bool scan_quote_mark(Scan *s)
{
    const bool *valid = s->valid;
    int32_t c = la(s);

    if ((c == RDQUO || c == '"') && valid[CLOSE_MARK]) {
        adv(s);
        mark(s);
        if (c == '"' && !straight_closes_here(s, current_closer(valid)))
            return emit(s, valid[TEXT] ? TEXT : LINE_TEXT);
        return emit(s, CLOSE_MARK);
    }

    if (c != RDQUO && valid[CONT_CLOSED]) {
        adv(s);
        mark(s);
        switch (quote_lookahead(s, false, -1, valid[CONT_ATTRIBUTED],
                                valid[CONT_RUN_ON])) {
        case Q_ATTRIBUTED: return emit(s, CONT_ATTRIBUTED);
        case Q_CLOSED: return emit(s, CONT_CLOSED);
        case Q_RUN_ON: return emit(s, CONT_RUN_ON);
        default: return emit(s, CONT_UNCLOSED);
        }
    }

    bool can_open = valid[OPEN_CLOSED] || valid[OPEN_RUN_ON];
    adv(s);
    mark(s);
    if (c == RDQUO || !can_open || at_eof(s) || is_hspace(la(s)) ||
        is_line_end(la(s)))
        return scan_text(s, c != RDQUO);

    int closer = current_closer(valid);
    QuoteEnd end = quote_lookahead(s, line_scoped(valid), closer,
                                   valid[OPEN_ATTRIBUTED], valid[OPEN_RUN_ON]);
    if (end == Q_ATTRIBUTED && valid[OPEN_ATTRIBUTED])
        return emit(s, OPEN_ATTRIBUTED);
    if ((end == Q_ATTRIBUTED || end == Q_CLOSED) && valid[OPEN_CLOSED])
        return emit(s, OPEN_CLOSED);
    if (end == Q_RUN_ON && valid[OPEN_RUN_ON])
        return emit(s, OPEN_RUN_ON);
    if (end == Q_END && valid[OPEN_UNCLOSED])
        return emit(s, OPEN_UNCLOSED);
    /* Not a quotation: the mark alone is text. */
    if (valid[TEXT] || valid[LINE_TEXT])
        return emit(s, valid[TEXT] ? TEXT : LINE_TEXT);
    return false;
}

static bool scan_opener(Scan *s)
{
    adv(s); /* { */
    int kind = match_opener_rest(s);
    if (kind >= 0 && s->valid[kind]) {
        mark(s);
        if (annotation_lookahead(s, kind, s->valid[CLOSE_MARK],
                                 line_scoped(s->valid)))
            return emit(s, (enum TokenType)kind);
        /* Unclosed: the opener is text. */
        return emit(s, s->valid[TEXT] ? TEXT : LINE_TEXT);
    }
    return scan_text(s, false);
}

/* ------------------------------------------------------------------------
 * Dateline
 * ------------------------------------------------------------------------ */

static bool is_month(const Word *w) { return word_is(w, MONTHS); }

/* Old AP wire transmissions had no dash on the teletype and sent `_`. */
static inline bool is_dateline_dash(int32_t c)
{
    return is_dash_char(c) || c == '_';
}

/* At a dash candidate: – — - -- or the wire's _, followed by a space or the
 * line end. Newsrooms also drop the space after a real dash
 * (`(Reuters) -The council`), so a capital letter or a quote mark may follow
 * one directly; an underscore is a dash only when spaced. */
static bool dash_rest(Scan *s)
{
    int32_t c = la(s);
    if (!is_dateline_dash(c))
        return false;
    adv(s);
    if (c == '-' && la(s) == '-')
        adv(s);
    if (at_eof(s) || is_hspace(la(s)) || is_line_end(la(s)))
        return true;
    return c != '_' && (is_upper(la(s)) || la(s) == LDQUO || la(s) == '"');
}

/* After "(" or "/": agency letters up to ")" or the closing "/". */
static bool agency_rest(Scan *s, int32_t close)
{
    uint32_t len = 0, letters = 0;
    while (la(s) != close) {
        int32_t c = la(s);
        if (!(is_letter(c) || is_hspace(c) || c == '.' || c == '&' ||
              c == '-' || (c == '/' && close == ')')) ||
            ++len > AGENCY_MAX)
            return false;
        letters += is_letter(c);
        adv(s);
    }
    adv(s);
    return letters > 0;
}

/* After the date or the place: an optional `(AGENCY)` or `/WIRE/`, then
 * the dash. */
static bool agency_dash_rest(Scan *s)
{
    int32_t c = la(s);
    if (c == '(' || c == '/') {
        adv(s);
        if (!agency_rest(s, c == '(' ? ')' : '/') || !is_hspace(la(s)))
            return false;
        consume_hspace(s);
    }
    return dash_rest(s);
}

/* After a month name: ` DD[, YYYY]` and a space. */
static bool day_year_rest(Scan *s)
{
    if (!is_hspace(la(s)))
        return false;
    consume_hspace(s);
    if (!is_digit(la(s)))
        return false;
    while (is_digit(la(s)))
        adv(s);
    if (la(s) == ',') {
        adv(s);
        consume_hspace(s);
        for (int i = 0; i < 4; i++) {
            if (!is_digit(la(s)))
                return false;
            adv(s);
        }
    }
    if (!is_hspace(la(s)))
        return false;
    consume_hspace(s);
    return true;
}

/* After the first, all-caps word of the lead: the rest of a dateline
 * PLACE[, REGION][, [Weekday, ]Mon DD[, YYYY]][ (AGENCY)| /WIRE/] DASH.
 * Marks after each place word, so the location ends before any date. */
static bool dateline_rest(Scan *s)
{
    mark(s);
    bool after_comma = false;
    Word w;
    while (s->n <= LOCATION_MAX) {
        int32_t c = la(s);
        if (c == ',') {
            adv(s);
            if (!is_hspace(la(s)))
                return false;
            consume_hspace(s);
            if (!is_letter(la(s)))
                return false;
            read_word(s, &w, true);
            if (word_is(&w, WEEKDAYS) && la(s) == ',') {
                adv(s);
                consume_hspace(s);
                read_word(s, &w, true);
                if (!is_month(&w))
                    return false;
            }
            if (is_month(&w) && is_hspace(la(s)))
                return day_year_rest(s) && agency_dash_rest(s);
            if (!w.first_upper)
                return false;
            after_comma = true;
            mark(s);
            continue;
        }
        if (!is_hspace(c))
            return false;
        consume_hspace(s);
        c = la(s);
        if (c == '(' || c == '/' || is_dateline_dash(c))
            return agency_dash_rest(s);
        if (!is_letter(c))
            return false;
        read_word(s, &w, true);
        if (after_comma ? !w.first_upper : !w.all_upper)
            return false;
        mark(s);
    }
    return false;
}

/* After the "(" or "[" that opens a lead block: whether the block ends
 * with the matching closer, so that it is all one note in parentheses. */
static bool preface_rest(Scan *s, int32_t close)
{
    int32_t last = 0;
    while (s->n <= PREFACE_MAX) {
        if (at_eof(s))
            return last == close;
        if (is_line_end(la(s))) {
            consume_line_end(s);
            consume_hspace(s);
            if (at_eof(s) || is_line_end(la(s)))
                return last == close;
            continue;
        }
        if (!is_hspace(la(s)))
            last = la(s);
        adv(s);
    }
    return false;
}

/* At the "(" or "[" that opens a lead block. A dateline with no place, only
 * the agency (`(AP) —`, `(CNN) —`) gets its "("; a block that is one note
 * in parentheses (a credit or source note) is a preface, and the dateline
 * may open the block after it. Otherwise the mark is text. */
static bool scan_lead_paren(Scan *s)
{
    const bool *valid = s->valid;
    int32_t open = la(s);
    int32_t close = open == '(' ? ')' : ']';
    adv(s);
    mark(s);
    if (open == '(' && valid[PAREN_OPEN]) {
        if (agency_rest(s, ')') && is_hspace(la(s))) {
            consume_hspace(s);
            if (dash_rest(s))
                return emit(s, PAREN_OPEN);
        }
    }
    if (valid[PREFACE] && preface_rest(s, close))
        return emit(s, PREFACE);
    return emit(s, TEXT);
}

/* Inside a dateline after the location: date, parentheses or slashes,
 * agency, dash. Commas and spaces before them are padding. */
static bool scan_dateline_part(Scan *s)
{
    const bool *valid = s->valid;
    while (is_hspace(la(s)) || (la(s) == ',' && valid[DATE]))
        skip(s);
    int32_t c = la(s);
    if (valid[PAREN_OPEN] && c == '(') {
        adv(s);
        mark(s);
        return emit(s, PAREN_OPEN);
    }
    if (valid[PAREN_CLOSE] && c == ')') {
        adv(s);
        mark(s);
        return emit(s, PAREN_CLOSE);
    }
    if ((valid[WIRE_OPEN] || valid[WIRE_CLOSE]) && c == '/') {
        adv(s);
        mark(s);
        return emit(s, valid[WIRE_OPEN] ? WIRE_OPEN : WIRE_CLOSE);
    }
    if (valid[DASH] && is_dateline_dash(c)) {
        adv(s);
        if (c == '-' && la(s) == '-')
            adv(s);
        mark(s);
        return emit(s, DASH);
    }
    if (valid[DATE] && is_letter(c)) {
        Word w;
        read_word(s, &w, true);
        if (word_is(&w, WEEKDAYS) && la(s) == ',') {
            adv(s);
            consume_hspace(s);
            read_word(s, &w, true);
        }
        if (!is_month(&w))
            return false;
        consume_hspace(s);
        while (is_digit(la(s)))
            adv(s);
        mark(s);
        if (la(s) == ',') {
            adv(s);
            consume_hspace(s);
            while (is_digit(la(s)))
                adv(s);
            mark(s);
        }
        return emit(s, DATE);
    }
    if (valid[AGENCY]) {
        /* Up to ")" or to the "/" that closes a wire service's name: one
         * with a space after it (a slash inside `(AP/WXYZ)` is not). */
        while (la(s) != ')' && !at_eof(s) && !is_line_end(la(s))) {
            bool space = is_hspace(la(s));
            bool slash = la(s) == '/';
            adv(s);
            if (slash && (at_eof(s) || is_hspace(la(s)) || is_line_end(la(s))))
                break;
            if (!space && !slash)
                mark(s);
        }
        return s->marked > 0 ? emit(s, AGENCY) : false;
    }
    return false;
}

/* ------------------------------------------------------------------------
 * Attribution tokens
 * ------------------------------------------------------------------------ */

static bool scan_attribution(Scan *s)
{
    const bool *valid = s->valid;
    Word w;

    if (valid[VERB] && !valid[SPEAKER]) {
        /* After a speaker: ", said" — commas and spaces are padding. */
        while (is_hspace(la(s)) || la(s) == ',')
            skip(s);
        read_attr_word(s, &w);
        if (!is_verb(&w))
            return false;
        mark(s);
        if (is_according(&w)) {
            if (!according_to_rest(s))
                return false;
            mark(s);
        }
        return emit(s, VERB);
    }

    while (is_hspace(la(s)))
        skip(s);

    if (!valid[VERB]) /* after a verb: the speaker phrase */
        return speaker_after_verb(s, true) > 0 ? emit(s, SPEAKER) : false;

    /* Right after a closing mark: verb first or speaker first. */
    read_attr_word(s, &w);
    if (is_verb(&w)) {
        mark(s);
        if (is_according(&w)) {
            if (!according_to_rest(s))
                return false;
            mark(s);
        }
        return emit(s, VERB);
    }
    return speaker_first_rest(s, &w, true) ? emit(s, SPEAKER) : false;
}

/* The character after the word first: it rules out nearly every word. */
static bool looks_like_url_word(const Word *w, int32_t next)
{
    if (next == ':')
        return strcmp(w->text, "http") == 0 || strcmp(w->text, "https") == 0;
    return next == '.' && strcmp(w->text, "www") == 0;
}

/* `Smith said: “…”` — after the first (capitalised) word of a sentence:
 * up to LEAD_SPEAKER_WORDS words, a verb, ':' or ',', then a quotation that
 * closes. With `emit_marks`, marks after each speaker word. Failing early
 * consumes only words, commas and spaces (LEAD_NO_CONTINUE); failing after
 * a quote mark or at a url or email word asks for LEAD_NO_RETURN. */
static LeadMatch lead_attribution_rest(Scan *s, const Word *first,
                                       bool emit_marks)
{
    Word w;
    if (is_verb(first) || !speaker_start_ok(first))
        return LEAD_NO_CONTINUE;
    if (la(s) == '@' || looks_like_url_word(first, la(s)))
        return LEAD_NO_RETURN;
    if (emit_marks)
        mark(s);
    for (uint32_t words = 1; words <= LEAD_SPEAKER_WORDS; words++) {
        if (la(s) == ',')
            adv(s);
        if (!is_hspace(la(s)))
            return LEAD_NO_CONTINUE;
        consume_hspace(s);
        if (!is_letter(la(s)))
            return LEAD_NO_CONTINUE;
        read_attr_word(s, &w);
        if (la(s) == '@' || looks_like_url_word(&w, la(s)))
            return LEAD_NO_RETURN;
        if (is_verb(&w) && !is_according(&w)) {
            consume_hspace(s);
            if (la(s) != ':' && la(s) != ',')
                return LEAD_NO_CONTINUE;
            adv(s);
            consume_hspace(s);
            if (la(s) != LDQUO && la(s) != '"')
                return LEAD_NO_CONTINUE;
            adv(s);
            if (at_eof(s) || is_hspace(la(s)) || is_line_end(la(s)))
                return LEAD_NO_RETURN;
            QuoteEnd end = quote_lookahead(s, false, -1,
                                           s->valid[OPEN_ATTRIBUTED], false);
            return end == Q_CLOSED || end == Q_ATTRIBUTED ? LEAD_YES
                                                          : LEAD_NO_RETURN;
        }
        if (la(s) == '.')
            return LEAD_NO_CONTINUE;
        if (emit_marks)
            mark(s);
    }
    return LEAD_NO_CONTINUE;
}

static bool after_word_break(int32_t c)
{
    return is_hspace(c) || c == '(' || c == '[' || c == '/' || c == ',' ||
           c == EM_DASH || c == EN_DASH || c == LSQUO;
}

/* ------------------------------------------------------------------------
 * Block starts: editor's note labels, bylines, timestamps, datelines
 * ------------------------------------------------------------------------ */

static bool scan_first_word(Scan *s)
{
    const bool *valid = s->valid;
    Word w;
    read_attr_word(s, &w);

    if (valid[NOTE_LABEL]) {
        if (word_is(&w, EDITOR_WORDS) && is_hspace(la(s))) {
            consume_hspace(s);
            if (match_ci(s, "note") && la(s) == ':') {
                adv(s);
                mark(s);
                return emit(s, NOTE_LABEL);
            }
            return scan_text(s, false);
        }
        if (word_is(&w, NOTE_WORDS) && la(s) == ':') {
            adv(s);
            mark(s);
            return emit(s, NOTE_LABEL);
        }
    }
    if (valid[BY] && is_by_word(&w)) {
        mark(s);
        if (byline_rest(s))
            return emit(s, BY);
        return scan_text(s, false);
    }
    if (valid[TIMESTAMP] && word_is(&w, TIMESTAMP_WORDS)) {
        mark(s);
        if (timestamp_rest(s, &w, true))
            return emit(s, TIMESTAMP);
        return scan_text(s, false);
    }
    if (valid[PREFACE] && word_is(&w, CAPTION_WORDS) && la(s) == ':') {
        adv(s);
        mark(s);
        return emit(s, PREFACE);
    }
    if (valid[LOCATION] && w.all_upper && w.letters >= 2) {
        if (dateline_rest(s))
            return emit(s, LOCATION);
        return scan_text(s, is_hspace(la(s)));
    }
    if (la(s) == '@' && valid[EMAIL]) {
        if (email_domain(s, true, -2))
            return emit(s, EMAIL);
        return scan_text(s, false);
    }
    if (valid[LEAD_SPEAKER] && w.first_upper) {
        switch (lead_attribution_rest(s, &w, true)) {
        case LEAD_YES: return emit(s, LEAD_SPEAKER);
        case LEAD_NO_RETURN: return emit(s, TEXT);
        default: return scan_text(s, after_word_break(s->prev));
        }
    }
    return scan_text(s, false);
}

/* ------------------------------------------------------------------------
 * Byline names
 * ------------------------------------------------------------------------ */

static bool scan_byline_part(Scan *s)
{
    const bool *valid = s->valid;
    int32_t c = la(s);
    if (valid[NAME_SEP]) {
        if (c == ',' || c == ';' || c == '&') {
            adv(s);
            mark(s);
            consume_hspace(s);
            if (match_ci(s, "and") && is_hspace(la(s)))
                mark(s);
            return emit(s, NAME_SEP);
        }
        if (match_ci(s, "and") && (is_hspace(la(s)) || at_eof(s) ||
                                   is_line_end(la(s)))) {
            mark(s);
            return emit(s, NAME_SEP);
        }
        if (s->n > 0 || !valid[NAME])
            return false;
    }
    if (!valid[NAME])
        return false;
    /* A name: words up to a comma, ";", "and", "&" or the line end. */
    for (;;) {
        c = la(s);
        if (at_eof(s) || is_line_end(c) || c == ',' || c == ';')
            break;
        if (is_hspace(c)) {
            adv(s);
            continue;
        }
        char head[4] = {0};
        uint32_t len = 0;
        while (!at_eof(s) && !is_hspace(la(s)) && !is_line_end(la(s)) &&
               la(s) != ',' && la(s) != ';') {
            if (len < 4)
                head[len] = (char)to_lower_ascii(la(s) < 0x80 ? la(s) : '?');
            len++;
            adv(s);
        }
        if (s->marked > 0 && ((len == 3 && memcmp(head, "and", 3) == 0) ||
                              (len == 1 && head[0] == '&')))
            break;
        mark(s);
    }
    return s->marked > 0 ? emit(s, NAME) : false;
}

/* ------------------------------------------------------------------------
 * Entry
 * ------------------------------------------------------------------------ */

/* One token of those `sp->valid` allows; false when none begins here. */
static bool scan_token(Scan *sp)
{
    const bool *valid = sp->valid;

    if (valid[ERROR_SENTINEL]) {
        /* Recovery: offer only block separators, so the parser resumes at
         * the next block and the damage stays inside this one. Up to one,
         * the rest of each line is one ERROR_SENTINEL, a token no state
         * takes, which the parser skips into the error. Returning nothing
         * would not do: the generated lexer, which has no token of its
         * own, then answers end of input, and the parse would stop there,
         * leaving every later block out of the tree. */
        if (at_eof(sp))
            return false;
        if (!is_line_end(la(sp))) {
            while (!at_eof(sp) && !is_line_end(la(sp)))
                adv(sp);
            mark(sp);
            return emit(sp, ERROR_SENTINEL);
        }
        consume_line_end(sp);
        mark(sp);
        if (!rest_is_blank(sp) || at_eof(sp))
            return emit(sp, ERROR_SENTINEL);
        while (!at_eof(sp) && (is_line_end(la(sp)) || is_hspace(la(sp))))
            adv(sp);
        mark(sp);
        return emit(sp, SEP);
    }

    if (valid[LEADING]) {
        if (la(sp) == BOM)
            adv(sp);
        while (!at_eof(sp) && (is_hspace(la(sp)) || is_line_end(la(sp))))
            adv(sp);
        if (sp->n > 0) {
            mark(sp);
            return emit(sp, LEADING);
        }
    }

    int32_t c = la(sp);
    if (is_hspace(c) && !valid[TEXT] && !valid[LINE_TEXT]) {
        /* Spaces no text token can hold (after a name, a speaker, ...) are
         * padding of the next token. */
        while (is_hspace(la(sp)))
            skip(sp);
        c = la(sp);
        if (at_eof(sp))
            return valid[SEP_END] ? emit(sp, SEP_END) : false;
    }
    if (is_hspace(c) && valid[OPEN_UNCLOSED]) {
        /* The spaces after a dateline's dash are padding, so that a
         * quotation may still open the paragraph's text. */
        while (is_hspace(la(sp)))
            skip(sp);
        c = la(sp);
        if (at_eof(sp))
            return valid[SEP_END] ? emit(sp, SEP_END) : false;
    }
    if (at_eof(sp))
        return false;
    if (valid[DASH] || valid[DATE] || valid[AGENCY] || valid[PAREN_CLOSE] ||
        valid[WIRE_CLOSE])
        return scan_dateline_part(sp);
    if ((c == '(' || c == '[') && valid[LOCATION] && valid[TEXT])
        return scan_lead_paren(sp);
    if (valid[SPEAKER] || valid[VERB])
        return scan_attribution(sp);
    if ((valid[NAME] || valid[NAME_SEP]) && !is_line_end(c))
        return scan_byline_part(sp);
    if (is_line_end(c))
        return scan_line_end(sp);
    if (is_quote_mark(c))
        return scan_quote_mark(sp);
    if (c == '{' && valid[ADD_OPEN])
        return scan_opener(sp);

    int closer = current_closer(valid);
    if (closer >= 0 && c == closer_first(closer)) {
        if (try_closer(sp, closer)) {
            mark(sp);
            return emit(sp, (enum TokenType)closer);
        }
        return scan_text(sp, false);
    }

    if (valid[TIMESTAMP] && !valid[TEXT] && !valid[LINE_TEXT]) {
        /* A line after a timestamp (see scan_line_end): the whole line. */
        while (!at_eof(sp) && !is_line_end(la(sp))) {
            bool space = is_hspace(la(sp));
            adv(sp);
            if (!space)
                mark(sp);
        }
        return emit(sp, TIMESTAMP);
    }

    if ((is_upper(c) &&
         (valid[NOTE_LABEL] || valid[BY] || valid[TIMESTAMP] ||
          valid[LOCATION] || valid[LEAD_SPEAKER])) ||
        (c == 'b' && valid[BY]))
        return scan_first_word(sp);

    if (valid[MARKER] && is_marker_start(c)) {
        if (marker_rest(sp, true))
            return emit(sp, MARKER);
        return scan_text(sp, false);
    }

    if (valid[URL] && may_start_special(c)) {
        int type = scan_special(sp, true);
        if (type >= 0)
            return emit(sp, (enum TokenType)type);
        return scan_text(sp, false);
    }
    return scan_text(sp, true);
}

static bool scan(Scanner *scanner, TSLexer *lexer, const bool *valid)
{
    (void)scanner;
    Scan s = {.lexer = lexer, .valid = valid, .n = 0, .marked = 0};
    if (scan_token(&s))
        return true;
    if (at_eof(&s))
        return false;
    /* Nothing this state takes begins here. Returning nothing would not
     * do: the generated lexer, which has no token of its own, answers end
     * of input, and the parse would stop here, leaving every later block
     * out of the tree. The rest of the line is instead a token no state
     * takes, which the parser's recovery skips into an error, resuming at
     * the next block (see scan_token). */
    if (s.n == 0 && is_line_end(la(&s)))
        consume_line_end(&s);
    while (!at_eof(&s) && !is_line_end(la(&s)))
        adv(&s);
    mark(&s);
    return emit(&s, ERROR_SENTINEL);
}

/* ------------------------------------------------------------------------
 * State: none is kept, so serialization is empty.
 * ------------------------------------------------------------------------ */

static unsigned serialize(Scanner *scanner, char *buffer)
{
    (void)scanner;
    (void)buffer;
    return 0;
}

static void deserialize(Scanner *scanner, const char *buffer, unsigned length)
{
    memset(scanner, 0, sizeof *scanner);
    (void)buffer;
    (void)length;
}

/* ------------------------------------------------------------------------
 * Exported entry points: cast and forward.
 * ------------------------------------------------------------------------ */

void *tree_sitter_article_external_scanner_create(void)
{
    Scanner *scanner = calloc(1, sizeof(Scanner));
    if (scanner)
        deserialize(scanner, NULL, 0);
    return scanner;
}

void tree_sitter_article_external_scanner_destroy(void *payload)
{
    free(payload);
}

unsigned tree_sitter_article_external_scanner_serialize(void *payload,
                                                        char *buffer)
{
    return serialize((Scanner *)payload, buffer);
}

void tree_sitter_article_external_scanner_deserialize(void *payload,
                                                      const char *buffer,
                                                      unsigned length)
{
    deserialize((Scanner *)payload, buffer, length);
}

bool tree_sitter_article_external_scanner_scan(void *payload, TSLexer *lexer,
                                               const bool *valid_symbols)
{
    return scan((Scanner *)payload, lexer, valid_symbols);
}
