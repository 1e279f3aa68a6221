/*
 * dateline — the HTML history views (`dateline report`, `dateline serve`).
 *
 * The page (plugin/web/: HTML, CSS and JavaScript, embedded into the
 * binary at build time) shows facts the core computed: the log with its
 * trivial flags and sessions, the blame of the article, and structural
 * diffs of pairs of versions. It counts and diffs nothing itself: every
 * comparison it can show is either embedded, computed here by the core,
 * or, when the page is served, fetched from the server, which computes it
 * with dl_web_compare_json too.
 */
#ifndef DATELINE_WEB_H
#define DATELINE_WEB_H

#include <jansson.h>
#include <stddef.h>

#include "dateline/history.h"

/** Bytes of embedded comparisons, beyond those of neighbouring versions,
 *  that a report may hold: with them a 1,000-version report stays a file
 *  a browser opens in a moment and a mail server accepts. */
#define DL_WEB_REPORT_DEFAULT_BUDGET ((size_t)6 * 1024 * 1024)

typedef struct {
    unsigned int version;
    /** The oldest version shown (a revision, dl_history_resolve). NULL: the first. */
    const char *from;
    /** The newest version shown, whose article the page shows. NULL: "@". */
    const char *to;
    /**
     * NULL: a self-contained page that makes no request of any kind (a
     * Content-Security-Policy forbids them). Else the URL prefix of a
     * server the page may ask for comparisons it does not embed:
     * GET <api_base>/diff?a=ID&b=ID answering dl_web_compare_json's object.
     */
    const char *api_base;
    /** Bytes of embedded comparisons besides neighbouring versions'
     *  (which are always embedded). 0: DL_WEB_REPORT_DEFAULT_BUDGET. */
    size_t budget;
    /** At most this many versions, the newest of the range. 0: no limit. */
    size_t max_versions;
} dl_web_report_options;

#define DL_WEB_REPORT_OPTIONS_VERSION 1
#define DL_WEB_REPORT_OPTIONS_INIT {DL_WEB_REPORT_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0}

/**
 * Render the history page of one article: one HTML document with its
 * styles, script and data inline. Comparisons embedded: every pair of
 * neighbouring versions, then, while the budget lasts, every pair of
 * annotated versions and every version against the newest shown (the
 * page says when some were left out, and how to get them). `*html_out`
 * is NUL-terminated, `*len_out` bytes without the NUL; free() it.
 * DL_ENOTFOUND when the article has no history or a revision does not
 * resolve; DL_EINVALID when --from is not older than --to.
 */
int dl_web_report_render(char **html_out, size_t *len_out, dl_history *history,
                         const dl_web_report_options *opts);

/**
 * The comparison of two versions as the page reads it: {"old", "new",
 * "summary", "coarse", "events": [{"what", "old", "new"}], "quotations":
 * [{"change", "speaker", "old_speaker", "old", "new", "where", "words"}],
 * "blocks": [{"kind", "label", "old_label"?, "text"?, "words"?}],
 * "stats": {"words_added", "words_removed", "words_delta"}}, word ops as
 * ["=", text] / ["+", text] / ["-", text]. Revisions as dl_history_resolve
 * takes them; `*out` is the caller's (json_decref).
 */
int dl_web_compare_json(json_t **out, dl_history *history, const char *old_rev,
                        const char *new_rev);

#endif
