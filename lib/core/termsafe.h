/* Text from outside (a document's title or body, a file name, a client's
 * query) made safe to print on a terminal or write to a log: nothing in it
 * can reach the terminal as a control sequence (an OSC that retitles the
 * window, a screen clear, colours), and bytes that are not UTF-8 are shown,
 * not passed on.
 */
#ifndef CS_TERMSAFE_H
#define CS_TERMSAFE_H

#include "core/util.h"

#include <stdbool.h>
#include <stddef.h>

/* Flags of cs_term_safe(). */
enum {
    /* Keep LF and TAB (a document body's lines); otherwise they are
     * escaped like every other control character. */
    CS_TS_KEEP_NEWLINES = 1,
    /* Write a backslash as "\\", so that "\xNN" in the output always
     * means an escaped byte (file names, logs); otherwise it is kept. */
    CS_TS_ESCAPE_BACKSLASH = 2,
};

/* Append s[0..n) to out with every byte that is not part of printable
 * UTF-8 written as "\xNN": C0 controls (ESC included, so no escape
 * sequence survives), DEL, the C1 controls U+0080..U+009F (as the two
 * bytes of their encoding) and every byte of an invalid, overlong or
 * truncated sequence.  Everything else is copied as it is. */
void cs_term_safe(cs_buf *out, const char *s, size_t n, unsigned flags);

/* Whether cs_term_safe(s, n, flags) would copy s unchanged. */
bool cs_term_is_safe(const char *s, size_t n, unsigned flags);

/* cs_term_safe() of the C string s into a malloc'd string (the caller
 * frees it); NULL when out of memory or s is NULL. */
char *cs_term_safe_dup(const char *s, unsigned flags);

#endif
