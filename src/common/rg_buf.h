/* rg_buf — a growable NUL-terminated text buffer for building documents (YAML, schema text).
 *
 * Appends never fail loudly: the first failed allocation sets `oom` and later appends are
 * no-ops, so a builder checks once at the end instead of after every line. */
#ifndef RG_BUF_H
#define RG_BUF_H

#include <stddef.h>

typedef struct rg_buf {
    char *p;    /* text, NUL-terminated once anything was appended; NULL before */
    size_t len; /* bytes used, without the NUL */
    size_t cap; /* bytes allocated */
    int oom;    /* an append failed: the content is incomplete */
} rg_buf;

void rg_buf_add(rg_buf *b, const char *s, size_t n);                          /* n bytes of s */
void rg_buf_adds(rg_buf *b, const char *s);                                   /* a C string */
void rg_buf_printf(rg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rg_buf_free(rg_buf *b);                                                  /* back to empty */

#endif
