/*
 * dateline — blame: for each block and each quotation of an article's
 * current content, the version that last changed it; and which quotations
 * changed since the latest annotated version.
 *
 * Every version is read through the article model (dl_article_parse), so a
 * paragraph is what `dateline outline` says it is, in old versions as in
 * the current text. The history is walked oldest to newest along first
 * parents. A block of a version whose text (whitespace runs counting as one
 * space) the version before holds — the structural diff's "unchanged" and
 * "moved" — keeps the origin it had there; any other block (edited, added,
 * split, merged) gets the new version. Finally the current content (the
 * file on disk or an editor's buffer) is compared with the latest version
 * the same way; its blocks not yet recorded have no version ("not
 * recorded"). Where one version holds a text twice, the older origin wins.
 *
 * Blame compares whole blocks, the dateline and byline included: a version
 * that changed the dateline changed the first paragraph. The headline, the
 * dek and a byline in the headline's block (front matter, no block) are
 * blamed each on its own, the same way.
 *
 * A quotation's words were last changed by the oldest version of the
 * unbroken run of versions, from the latest back, that hold the same words
 * (whitespace runs count as one space). Words that no recorded version
 * holds are "not recorded".
 *
 * The same rule is walked from the latest version back: a text's run ends
 * at the first version, going back, that does not hold it. Every version
 * is read, but only those whose edit (the bytes where it differs from the
 * next) comes near a text still followed are parsed and modelled
 * (incrementally, with dl_article_parser); for the others the parser's
 * locality says they hold what the next one did. versions_walked and
 * versions_read count as if each were compared with its parent.
 */
#ifndef DATELINE_BLAME_H
#define DATELINE_BLAME_H

#include <jansson.h>
#include <stddef.h>

#include "dateline/article.h"
#include "dateline/history.h"

/** One block of the current content and where it comes from. */
typedef struct {
    size_t block;        /**< index into the current article's blocks */
    dl_block_kind kind;
    dl_range range;      /**< in the current content */
    char *first_words;
    /** 0: the block's text is not recorded in any version yet, and
     *  `version` is all zero. */
    int recorded;
    /** The version that last changed the block (strings owned by the blame). */
    dl_history_version version;
} dl_blame_line;

/** One quotation of the current content and the version that last changed its words. */
typedef struct {
    size_t quotation;    /**< index into the current article's quotations */
    size_t block;        /**< its block, or DL_NO_BLOCK (headline) */
    dl_range range;      /**< in the current content, quote marks included */
    char *text;          /**< the words inside the marks */
    char *speaker;       /**< NULL when nobody is credited */
    int recorded;        /**< 0: no version holds these words; `version` is all zero */
    dl_history_version version; /**< strings owned by the blame */
} dl_blame_quote;

/** Front matter, which no block holds. */
typedef enum {
    DL_BLAME_HEADLINE,
    DL_BLAME_DEK,
    DL_BLAME_BYLINE, /**< only a byline in the headline's own block; one with a
                          blank line before it is a block */
    DL_BLAME_FRONT_PARTS
} dl_blame_front_part;

/** A part of the front matter of the current content and the version that
 *  last changed its words (whitespace runs counting as one space). */
typedef struct {
    dl_blame_front_part part;
    dl_range range;              /**< in the current content */
    int recorded;                /**< 0: no version has these words there; `version` is all zero */
    dl_history_version version;  /**< strings owned by the blame */
} dl_blame_front;

typedef struct {
    dl_blame_front front[DL_BLAME_FRONT_PARTS]; /**< the parts the content has, in order */
    size_t front_count;
    dl_blame_line *lines;
    size_t count;
    dl_blame_quote *quotes;
    size_t quote_count;
    size_t versions_walked; /**< versions on the first-parent chain */
    size_t versions_read;   /**< of those, how many had content unlike their parent's */
} dl_blame;

/**
 * What blame learnt from an article's history, kept between calls: while
 * the latest version stays the same, blaming another current text (the
 * next keystroke's, the next hover's) only compares that text with it. For
 * a server blaming one article again and again; one thread and one article
 * at a time.
 */
typedef struct dl_blame_cache dl_blame_cache;

int dl_blame_cache_new(dl_blame_cache **out);

/** Free a cache. NULL-safe. */
void dl_blame_cache_free(dl_blame_cache *cache);

typedef struct {
    unsigned int version;
    /** Look back through at most this many versions (the newest); the
     *  oldest of them is credited with everything older. 0: all. */
    size_t max_count;
    /** Keep the history's part of the work here. NULL: nothing is kept. */
    dl_blame_cache *cache;
} dl_blame_options;

#define DL_BLAME_OPTIONS_VERSION 2
#define DL_BLAME_OPTIONS_INIT {DL_BLAME_OPTIONS_VERSION, 0, NULL}

/**
 * Blame `size` bytes of `content` (the article's current text; must be
 * UTF-8 without NUL bytes, else DL_EINVALID) against `history`. An article
 * without history gives every block and quotation "not recorded". `opts`
 * may be NULL. On success `*out` is the caller's, freed with dl_blame_free.
 */
int dl_blame_file(dl_blame **out, dl_history *history, const char *content, size_t size,
                  const dl_blame_options *opts);

/** Free a blame. NULL-safe. */
void dl_blame_free(dl_blame *blame);

/**
 * JSON (schema DL_JSON_SCHEMA): {"schema", "front": [{"part" ("headline",
 * "dek" or "byline"), "range", "version"}], "blocks": [{"index", "kind",
 * "range", "first_words", "version"}], "quotations": [{"index", "block",
 * "range", "text", "speaker", "version"}], "versions_walked",
 * "versions_read"}, each "version" null (not recorded) or {"id", "short",
 * "time", "timestamp", "offset_minutes", "author": {"name", "email"},
 * "note"}.
 */
int dl_blame_to_json(json_t **out, const dl_blame *blame);

/* ------------------------------------------- quotations since a note -- */

/** A quotation whose words differ from those in the latest annotated version. */
typedef struct {
    char *text;     /**< its words now */
    char *old_text; /**< its words in the annotated version */
    dl_range range; /**< where it is now, quote marks included */
    char *message;  /**< one sentence for the writer, naming the version and its note */
} dl_blame_quote_change;

typedef struct {
    /** 0: the article has no annotated version (readable as text), and
     *  there is nothing to compare with. */
    int annotated;
    dl_history_version version; /**< the annotated version; strings owned here */
    dl_blame_quote_change *changes;
    size_t count;
} dl_blame_quote_changes;

/**
 * Keeps, between checks of one article, its latest annotated version
 * parsed (read again only when the history says a note may have changed)
 * and the last current text's syntax tree (so the next is parsed
 * incrementally). For a server checking an article on every save. One
 * thread and one article at a time.
 */
typedef struct dl_blame_checker dl_blame_checker;

int dl_blame_checker_new(dl_blame_checker **out);

/** Free a checker. NULL-safe. */
void dl_blame_checker_free(dl_blame_checker *checker);

/**
 * The quotations of `content` (`size` bytes, UTF-8 without NUL bytes)
 * whose words changed since the latest annotated version of `history`: a
 * changed quotation is a correction, and the annotated version is the one
 * the desk signed off. `checker` may be NULL (nothing is kept). On success
 * `*out` is the caller's, freed with dl_blame_quote_changes_free.
 */
int dl_blame_quotes_changed(dl_blame_quote_changes **out, dl_blame_checker *checker,
                            dl_history *history, const char *content, size_t size);

/** Free a result of dl_blame_quotes_changed. NULL-safe. */
void dl_blame_quote_changes_free(dl_blame_quote_changes *changes);

#endif
