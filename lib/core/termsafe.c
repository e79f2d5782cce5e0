/* Terminal-safe text; see termsafe.h. */
#include "core/termsafe.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s[0..n) that encodes a
 * printable character (not C1), or 0 when s starts with an unsafe byte. */
static size_t safe_char(const unsigned char *s, size_t n, unsigned flags)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        if (c == '\n' || c == '\t')
            return (flags & CS_TS_KEEP_NEWLINES) ? 1 : 0;
        return c < 0x20 || c == 0x7f ? 0 : 1;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;                   /* a continuation byte, C0/C1 lead or 0xf5.. */
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates, past U+10FFFF, and the C1 controls. */
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
        return 0;
    return len;
}

void cs_term_safe(cs_buf *out, const char *s, size_t n, unsigned flags)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        size_t k;
        while (run < n && (k = safe_char(u + run, n - run, flags)) > 0 &&
               !(u[run] == '\\' && (flags & CS_TS_ESCAPE_BACKSLASH)))
            run += k;
        cs_buf_add(out, s + i, run - i);
        if (run >= n)
            break;
        if (u[run] == '\\' && (flags & CS_TS_ESCAPE_BACKSLASH)) {
            cs_buf_add(out, "\\\\", 2);
            i = run + 1;
            continue;
        }
        /* A C1 control is one valid character: escape both its bytes. */
        size_t bad = (u[run] == 0xc2 && run + 1 < n && u[run + 1] >= 0x80 && u[run + 1] <= 0x9f)
                         ? 2 : 1;
        for (size_t b = 0; b < bad; b++)
            cs_buf_printf(out, "\\x%02x", u[run + b]);
        i = run + bad;
    }
    if (n == 0)
        cs_buf_add(out, "", 0);
}

bool cs_term_is_safe(const char *s, size_t n, unsigned flags)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0, k; i < n; i += k) {
        if ((u[i] == '\\' && (flags & CS_TS_ESCAPE_BACKSLASH)) ||
            !(k = safe_char(u + i, n - i, flags)))
            return false;
    }
    return true;
}

char *cs_term_safe_dup(const char *s, unsigned flags)
{
    if (!s)
        return NULL;
    cs_buf b = { 0 };
    cs_term_safe(&b, s, strlen(s), flags);
    if (b.oom) {
        cs_buf_free(&b);
        return NULL;
    }
    return cs_buf_take(&b);
}
