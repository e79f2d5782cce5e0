/* Small helpers every module uses: a growable byte buffer and string
 * duplication.  Allocation failure is reported, never fatal: callers map it
 * to an error for the one request or record at hand. */
#ifndef CCG_UTIL_H
#define CCG_UTIL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ccg_buf {
    char *s;        /* NUL-terminated when len > 0 or after any append */
    size_t len, cap;
    bool oom;       /* an append failed; the content is incomplete */
} ccg_buf;

/* Append n bytes / a C string / one byte.  On allocation failure the buffer
 * keeps what it had and buf->oom is set; appends after that are no-ops. */
void ccg_buf_add(ccg_buf *b, const char *s, size_t n);
void ccg_buf_puts(ccg_buf *b, const char *s);
void ccg_buf_putc(ccg_buf *b, char c);
/* printf-style append. */
void ccg_buf_printf(ccg_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append s[0..n) HTML-escaped (& < > " '). */
void ccg_buf_add_html(ccg_buf *b, const char *s, size_t n);
/* Take the buffer's string (caller frees; never NULL unless oom) and reset. */
char *ccg_buf_take(ccg_buf *b);
void ccg_buf_free(ccg_buf *b);

/* strndup that accepts NULL (returns NULL) — NULL also on oom. */
char *ccg_strndup(const char *s, size_t n);
char *ccg_strdup(const char *s);

/* ASCII case-insensitive prefix test over s[0..len). */
bool ccg_has_prefix_ci(const char *s, size_t len, const char *prefix);

/* Monotonic clock in microseconds. */
long long ccg_now_us(void);

#endif
