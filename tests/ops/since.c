/* `--since` reads the times people type for git: durations, yesterday, ISO
 * dates with or without a zone, @SECONDS. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../support/dl_test.h"
#include "dateline/ops.h"

/* 2024-05-01T12:00:00Z */
#define NOW 1714564800LL

static long long since(const char *text)
{
    long long when = 0;
    dl_assert_ok(dl_ops_since_parse(&when, text, NOW));
    return when;
}

TestSuite(ops_since);

Test(ops_since, durations_count_back_from_now)
{
    cr_assert(eq(i64, since("1.day"), NOW - 86400));
    cr_assert(eq(i64, since("2.hours"), NOW - 7200));
    cr_assert(eq(i64, since("2.hours.ago"), NOW - 7200));
    cr_assert(eq(i64, since("3 weeks ago"), NOW - 3 * 7 * 86400));
    cr_assert(eq(i64, since("10.minutes"), NOW - 600));
    cr_assert(eq(i64, since("1.month"), NOW - 30 * 86400));
    cr_assert(eq(i64, since("45.seconds"), NOW - 45));
}

Test(ops_since, words_mean_what_git_makes_of_them)
{
    cr_assert(eq(i64, since("yesterday"), NOW - 86400));
    cr_assert(eq(i64, since("now"), NOW));
    cr_assert(eq(i64, since("@1700000000"), 1700000000LL));
}

Test(ops_since, iso_times_with_a_zone_are_exact)
{
    cr_assert(eq(i64, since("2024-05-01T12:00:00Z"), NOW));
    cr_assert(eq(i64, since("2024-05-01T14:00+02:00"), NOW));
    cr_assert(eq(i64, since("2024-05-01 07:00-0500"), NOW));
    cr_assert(eq(i64, since("2000-03-01T00:00Z"), 951868800LL));
}

Test(ops_since, iso_dates_without_a_zone_are_local_time)
{
    setenv("TZ", "UTC", 1);
    tzset();
    cr_assert(eq(i64, since("2024-05-01"), NOW - 12 * 3600));
    setenv("TZ", "EST5", 1);
    tzset();
    cr_assert(eq(i64, since("2024-05-01T07:00"), NOW));
}

Test(ops_since, anything_else_is_refused_with_the_forms_it_takes)
{
    const char *bad[] = {"", "last tuesday", "1.fortnight", "2024-13-01", "2024-05-01T25:00",
                         "@", "1.day.later", "2024-05-01Tnoon", "day", "5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long long when = 0;
        cr_assert(eq(int, dl_ops_since_parse(&when, bad[i], NOW), DL_EUSAGE), "'%s'", bad[i]);
        cr_assert(strstr(dl_error_last(), "2.hours") != NULL);
    }
}
