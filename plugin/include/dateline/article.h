/*
 * dateline — the article model.
 *
 * Bytes go through the tree-sitter grammar into this model: headline, dek,
 * byline and dateline; the blocks after the headline, paragraphs numbered;
 * every quotation with its speaker; every CriticMarkup annotation; words,
 * sentences and reading time. This is the one place those facts are
 * computed: the outline, the structural diff, blame and the language server
 * all read the model, and `dateline outline --json` (and the server's
 * `dateline/article`) serialise it (see docs/cli.md for the JSON schema,
 * docs/format.md for the word and sentence rules).
 */
#ifndef DATELINE_ARTICLE_H
#define DATELINE_ARTICLE_H

#include <stddef.h>
#include <stdint.h>

/* The syntax tree type of tree-sitter (tree_sitter/api.h), for callers that
 * hold a tree of the text already. */
typedef struct TSTree TSTree;

/** Where something is: bytes [start_byte, end_byte) and 0-based lines, the
 *  end line being the line of its last byte. */
typedef struct {
    uint32_t start_byte;
    uint32_t end_byte;
    uint32_t start_line;
    uint32_t end_line;
} dl_range;

/**
 * A piece of the article: its text exactly as in the file, and where.
 * `text` points into the model's own copy of the article (every span of a
 * model shares it, instead of each holding a copy of its bytes): `size`
 * bytes, not NUL-terminated, valid as long as the model is.
 */
typedef struct {
    const char *text;
    size_t size;
    dl_range range;
} dl_span;

/* The bytes a model was built from, which its spans point into. Shared,
 * counted, by the models of one text and the dl_article_parser that parsed
 * it, so that a parser and its model hold the text once. */
typedef struct dl_article_source dl_article_source;

typedef enum {
    DL_BLOCK_BYLINE,
    DL_BLOCK_TIMESTAMP,
    DL_BLOCK_PARAGRAPH,
    DL_BLOCK_SUBHEAD,
    DL_BLOCK_LIST,
    DL_BLOCK_EDITOR_NOTE,
} dl_block_kind;

/** A blank-line separated block after the headline. */
typedef struct {
    dl_block_kind kind;
    dl_span span;
    uint32_t words;     /**< see dl_article_count_words */
    uint32_t sentences; /**< see dl_article_count_sentences */
    uint32_t paragraph; /**< a paragraph's number (¶ N, from 1); 0 for other kinds */
    char *first_words;  /**< the first few words after the dateline, for outlines */
} dl_block;

/** dl_quotation.block of a quotation in the headline or dek. */
#define DL_NO_BLOCK SIZE_MAX

typedef struct {
    dl_span span;          /**< with its quote marks */
    char *text;            /**< the words inside the marks */
    size_t block;          /**< index into dl_article.blocks, or DL_NO_BLOCK (headline) */
    char *speaker;         /**< NULL when nobody is credited */
    int continued;         /**< reopens a quotation left open in the previous paragraph */
    int runs_on;           /**< left open at the end of its paragraph (news style) */
    int closed;            /**< ends with its closing mark; a quotation neither closed
                                nor running on lost its close (a statement quoted
                                whole): it counts, and the editor flags the mark */
} dl_quotation;

typedef enum {
    DL_ANNOTATION_ADDITION,
    DL_ANNOTATION_DELETION,
    DL_ANNOTATION_SUBSTITUTION,
    DL_ANNOTATION_HIGHLIGHT,
    DL_ANNOTATION_COMMENT,
} dl_annotation_kind;

typedef struct {
    dl_annotation_kind kind;
    dl_span span;   /**< with its delimiters */
    char *text;     /**< the text inside the delimiters */
    char *old_text; /**< substitution only: the `old` side, or NULL */
    char *new_text; /**< substitution only: the `new` side, or NULL */
} dl_annotation;

typedef struct {
    uint32_t words;     /**< headline, dek and blocks */
    uint32_t sentences; /**< headline, dek and blocks */
    uint32_t paragraphs;
    uint32_t quotations; /**< not counting continuations of a run-on quotation */
    uint32_t reading_seconds;
} dl_article_stats;

typedef struct {
    dl_span *headline; /**< NULL for an empty article */
    dl_span *dek;
    dl_span *byline;
    dl_span *dateline; /**< text includes the dash */
    char *dateline_location;
    char *dateline_agency;

    dl_block *blocks;
    size_t block_count;
    dl_quotation *quotations;
    size_t quotation_count;
    dl_annotation *annotations;
    size_t annotation_count;

    dl_article_stats stats;

    /** What the spans point into; the model holds it (dl_article_free
     *  lets go). The model does not borrow the caller's text: that can be
     *  freed once the model is made. */
    dl_article_source *source;
} dl_article;

/** Words a minute used for reading time. */
#define DL_READING_WORDS_PER_MINUTE 230

/**
 * Parse `size` bytes of article text into a model. Any bytes parse (the
 * grammar never fails), but callers should check them with dl_text_check
 * first: the model of binary data is meaningless. A BOM and CRLF are fine.
 */
int dl_article_parse(dl_article **out, const char *text, size_t size);

/**
 * A parser that keeps the last text it parsed and that text's syntax tree,
 * so that the next text (the next version of the same article) is parsed
 * incrementally: only around what changed. One thread at a time.
 */
typedef struct dl_article_parser dl_article_parser;

int dl_article_parser_new(dl_article_parser **out);

/** What a dl_article_parser builds. Zero everywhere: the whole model. */
typedef struct {
    unsigned version;
    /**
     * Build only where things are: the spans of the front matter, blocks,
     * quotations and annotations, the quotations' and annotations' texts
     * and marks (continued, runs_on, closed), the paragraph numbers and
     * stats.paragraphs and stats.quotations, as the whole model has them.
     * No word or sentence counts and no reading time (0), no first words
     * (NULL) and no speakers (NULL). For a caller that reads many versions
     * and only compares what they hold (blame walks a history so).
     */
    int spans_only;
} dl_article_parser_options;

#define DL_ARTICLE_PARSER_OPTIONS_VERSION 1
#define DL_ARTICLE_PARSER_OPTIONS_INIT {DL_ARTICLE_PARSER_OPTIONS_VERSION, 0}

/** dl_article_parser_new building what `opts` (NULL: defaults) asks for. */
int dl_article_parser_new_with(dl_article_parser **out, const dl_article_parser_options *opts);

/** dl_article_parse, reusing what the last text parsed had in common with this one. */
int dl_article_parser_parse(dl_article **out, dl_article_parser *parser, const char *text,
                            size_t size);

/** The text the parser last parsed (NUL-terminated; `*size` bytes, the NUL
 *  not counted), or NULL when it has none (none parsed yet, or the last
 *  parse failed). Valid until the next parse; the parser owns it. */
const char *dl_article_parser_text(const dl_article_parser *parser, size_t *size);

void dl_article_parser_free(dl_article_parser *parser);

/**
 * The model of `text` from a syntax tree of it that the caller already has
 * (the language server keeps one per document). `tree` must be the article
 * grammar's tree of exactly these bytes; it is only read.
 */
int dl_article_from_tree(dl_article **out, const char *text, size_t size, const TSTree *tree);

/**
 * dl_article_from_tree for the next version of an article whose model
 * `previous` (NULL: none) the caller still has: blocks whose bytes did not
 * change take their counts and first words from it instead of counting
 * again. The result is the same as dl_article_from_tree's.
 */
int dl_article_rebuild(dl_article **out, const dl_article *previous, const char *text,
                       size_t size, const TSTree *tree);

/** Count the words in `size` bytes: space-separated runs holding a letter or
 *  digit (docs/format.md, "Words and sentences"). */
uint32_t dl_article_count_words(const char *text, size_t size);

/** Count the sentences in `size` bytes of one block (docs/format.md, "Words
 *  and sentences"): text with a word and no full stop is one sentence. */
uint32_t dl_article_count_sentences(const char *text, size_t size);

/**
 * Where the sentence that starts at `from` ends (docs/format.md, "Words and
 * sentences"): the offset after its punctuation and closing marks, or
 * `size` when it runs to the end. `*has_word`: it holds a word, so it
 * counts as a sentence.
 */
size_t dl_article_sentence_end(const char *text, size_t size, size_t from, int *has_word);

/** A first_words cut stops at this many bytes, at a character boundary. */
#define DL_FIRST_WORDS_MAX_BYTES 160

/** The first `count` words of `size` bytes joined by single spaces, with
 *  "…" when there are more (or past DL_FIRST_WORDS_MAX_BYTES); NULL when out
 *  of memory. The caller frees it. */
char *dl_article_first_words(const char *text, size_t size, unsigned count);

/** The name of a block kind as used in JSON ("paragraph", "editor_note", ...). */
const char *dl_article_block_kind_name(dl_block_kind kind);

/** The name of an annotation kind as used in JSON ("addition", ...). */
const char *dl_article_annotation_kind_name(dl_annotation_kind kind);

void dl_article_free(dl_article *article);

#endif
