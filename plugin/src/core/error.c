#include "dateline/error.h"

#include <stdarg.h>
#include <stdio.h>

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

void dl_error_clear(void)
{
    last_message[0] = '\0';
    last_code = DL_OK;
}
