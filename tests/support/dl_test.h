/* Shared helpers for the Criterion suites. */
#ifndef DL_TEST_H
#define DL_TEST_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "dateline/error.h"

/* Assert that a dateline call succeeded, printing dl_error_last() if not. */
#define dl_assert_ok(expr)                                                     \
    do {                                                                       \
        int dl_assert_ok_rc_ = (expr);                                         \
        cr_assert(eq(int, dl_assert_ok_rc_, 0), "%s failed: %s", #expr,        \
                  dl_error_last());                                            \
    } while (0)

#endif
