/* Small helpers every module uses: a growable byte buffer and string
 * duplication.  Allocation failure is reported, never fatal: callers map it
 * to an error for the one request or record at hand. */
#ifndef CS_UTIL_H
#define CS_UTIL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cs_buf {
    char *s;        /* NUL-terminated when len > 0 or after any append */
    size_t len, cap;
    bool oom;       /* an append failed; the content is incomplete */
} cs_buf;

/* Append n bytes / a C string / one byte.  On allocation failure the buffer
 * keeps what it had and buf->oom is set; appends after that are no-ops. */
void cs_buf_add(cs_buf *b, const char *s, size_t n);
void cs_buf_puts(cs_buf *b, const char *s);
void cs_buf_putc(cs_buf *b, char c);
/* printf-style append. */
void cs_buf_printf(cs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s[0..n) HTML-escaped (& < > " '). */
void cs_buf_add_html(cs_buf *b, const char *s, size_t n);
/* Take the buffer's string (caller frees; never NULL unless oom) and reset. */
char *cs_buf_take(cs_buf *b);
void cs_buf_free(cs_buf *b);

/* strndup that accepts NULL (returns NULL) — NULL also on oom. */
char *cs_strndup(const char *s, size_t n);
char *cs_strdup(const char *s);

/* ASCII case-insensitive prefix test over s[0..len). */
bool cs_has_prefix_ci(const char *s, size_t len, const char *prefix);

/* Monotonic clock in microseconds. */
long long cs_now_us(void);

#endif
