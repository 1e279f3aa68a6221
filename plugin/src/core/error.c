#include "dateline/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One record per thread, so a history worker never overwrites the message a
 * request handler is about to report. */
static _Thread_local char last_message[1024];
static _Thread_local int last_code;

const char *dl_error_last(void)
{
    return last_message;
}

int dl_error_last_code(void)
{
    return last_code;
}

int dl_error_set(int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(last_message, sizeof(last_message), format, args);
    va_end(args);
    last_code = code;
    return code;
}

/* Notices beyond the buffer are dropped: they are a courtesy, and one
 * operation has one or two. */
static _Thread_local char pending_notices[2048];
static _Thread_local char taken_notices[2048];

void dl_notice_add(const char *format, ...)
{
    size_t used = strlen(pending_notices);
    if (used + 2 >= sizeof(pending_notices))
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(pending_notices + used, sizeof(pending_notices) - used - 1, format, args);
    va_end(args);
    strcat(pending_notices, "\n");
}

const char *dl_notice_take(void)
{
    memcpy(taken_notices, pending_notices, sizeof(taken_notices));
    pending_notices[0] = '\0';
    return taken_notices;
}

void dl_error_clear(void)
{
    last_message[0] = '\0';
    last_code = DL_OK;
}
