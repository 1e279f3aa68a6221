/*
 * dateline — reading article files and checking that they are text.
 *
 * Articles are UTF-8 text: history refuses to record anything else, and the
 * CLI and editor say so in one clear message naming the offending byte.
 */
#ifndef DATELINE_TEXT_H
#define DATELINE_TEXT_H

#include <stddef.h>

/**
 * Read the whole file at `path` into a NUL-terminated buffer the caller frees.
 * DL_ENOTFOUND if it does not exist, DL_EINVALID for a directory or anything
 * but a regular file, DL_ERROR for an unreadable one; the message names it.
 */
int dl_text_read_file(char **out, size_t *out_size, const char *path);

/**
 * Check that `size` bytes are article text: no NUL byte, strict UTF-8 (RFC
 * 3629). DL_EINVALID otherwise, with a message naming `what` and the offset.
 */
int dl_text_check(const char *data, size_t size, const char *what);

#endif
