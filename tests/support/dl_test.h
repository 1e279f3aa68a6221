/* Shared helpers for the Criterion suites. */
#ifndef DL_TEST_H
#define DL_TEST_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dateline/error.h"

/* Assert that a dateline call succeeded, printing dl_error_last() if not. */
#define dl_assert_ok(expr)                                                     \
    do {                                                                       \
        int dl_assert_ok_rc_ = (expr);                                         \
        cr_assert(eq(int, dl_assert_ok_rc_, 0), "%s failed: %s", #expr,        \
                  dl_error_last());                                            \
    } while (0)

/*
 * A path inside the project's shared data (the reference article, the
 * corpus): $DATELINE_SHARED, which ./build.sh test sets, else ../shared
 * beside the checkout. Returns one of a few rotating static buffers, so a
 * few calls may appear in one expression.
 *
 * A clone made from the project's home page has no shared data: a test
 * that asks for a path that is not there is skipped, and says so, rather
 * than failing on a file the user cannot have.
 */
static inline const char *dl_test_shared(const char *relative)
{
    static char buffers[4][4096];
    static int next;
    char *buffer = buffers[next++ % 4];
    const char *shared = getenv("DATELINE_SHARED");
    if (shared && shared[0])
        snprintf(buffer, sizeof(buffers[0]), "%s/%s", shared, relative);
    else
        snprintf(buffer, sizeof(buffers[0]), "%s/../shared/%s", DL_SOURCE_DIR, relative);
    if (access(buffer, F_OK) != 0)
        cr_skip_test("not run: the shared data is not here (%s)", buffer);
    return buffer;
}

#endif
