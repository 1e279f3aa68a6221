/* A log finds every version's note, however long the log: its first
 * versions' notes are looked up one by one, the rest from the whole notes
 * table (history.c, NOTES_LOOKED_UP_MAX). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../support/dl_test.h"
#include "../support/history_fixture.h"
#include "dateline/history.h"

TestSuite(history_log_notes, .init = fx_setup_story, .fini = fx_teardown);

Test(history_log_notes, every_note_of_a_long_log_is_listed)
{
    char text[128], note[32];
    for (int i = 0; i < 150; i++) {
        snprintf(text, sizeof(text), "Headline\n\nDraft %d of the story.\n", i);
        snprintf(note, sizeof(note), "note %d", i);
        fx_snap(fx_history, text, i % 10 == 0 ? note : NULL);
    }
    dl_history_log *log = NULL;
    dl_assert_ok(dl_history_log_read(&log, fx_history, NULL));
    cr_assert(eq(sz, log->count, 150));
    for (size_t k = 0; k < log->count; k++) {
        int i = 149 - (int)k; /* newest first */
        snprintf(note, sizeof(note), "note %d", i);
        if (i % 10 == 0) {
            cr_assert(log->versions[k].note != NULL, "version %d", i);
            cr_assert(eq(str, log->versions[k].note, note), "version %d", i);
        } else
            cr_assert(log->versions[k].note == NULL, "version %d", i);
    }
    dl_history_log_free(log);

    /* The annotated ones alone: fifteen, newest first. */
    dl_history_log_options options = DL_HISTORY_LOG_OPTIONS_INIT;
    options.annotated_only = 1;
    dl_assert_ok(dl_history_log_read(&log, fx_history, &options));
    cr_assert(eq(sz, log->count, 15));
    cr_assert(eq(str, log->versions[14].note, "note 0"));
    dl_history_log_free(log);
}
