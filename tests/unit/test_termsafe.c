/* Unit tests for lib/core/termsafe.c: text made safe for a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/termsafe.h"

#include <stdlib.h>
#include <string.h>

/* cs_term_safe() of s[0..n) with flags, compared with want. */
static void expect_safe(const char *s, size_t n, unsigned flags, const char *want)
{
    cs_buf b = { 0 };
    cs_term_safe(&b, s, n, flags);
    assert_false(b.oom);
    assert_string_equal(b.s, want);
    assert_int_equal(cs_term_is_safe(s, n, flags), strcmp(want, s) == 0 && strlen(s) == n);
    cs_buf_free(&b);
}
#define SAFE(lit, flags, want) expect_safe(lit, sizeof lit - 1, flags, want)

static void printable_utf8_is_kept(void **state)
{
    (void)state;
    SAFE("", 0, "");
    SAFE("NHS Leicester City CCG", 0, "NHS Leicester City CCG");
    SAFE("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xef\xbf\xbd", 0,
         "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80 \xef\xbf\xbd");
    SAFE("a\\b", 0, "a\\b");
}

static void controls_are_shown_never_sent(void **state)
{
    (void)state;
    /* OSC title change, screen clear, colours: ESC and BEL escaped, so no
     * sequence is left for a terminal to act on. */
    SAFE("x\x1b]0;pwned\x07y", 0, "x\\x1b]0;pwned\\x07y");
    SAFE("\x1b[2J\x1b[31mred", 0, "\\x1b[2J\\x1b[31mred");
    SAFE("del\x7f nul-less \x01\x1f", 0, "del\\x7f nul-less \\x01\\x1f");
    SAFE("a\nb\tc\r", 0, "a\\x0ab\\x09c\\x0d");
    SAFE("a\nb\tc\r", CS_TS_KEEP_NEWLINES, "a\nb\tc\\x0d");
    /* C1 controls, valid UTF-8 as they are (CSI U+009B, NEL U+0085). */
    SAFE("\xc2\x9b" "31m \xc2\x85 \xc2\xa0", 0, "\\xc2\\x9b31m \\xc2\\x85 \xc2\xa0");
}

static void invalid_utf8_is_escaped_byte_by_byte(void **state)
{
    (void)state;
    SAFE("\xff\xfe", 0, "\\xff\\xfe");
    SAFE("caf\xe9!", 0, "caf\\xe9!");
    SAFE("\xc3(", 0, "\\xc3(");                         /* truncated */
    SAFE("\xc0\xaf", 0, "\\xc0\\xaf");                  /* overlong '/' */
    SAFE("\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf");         /* overlong, 3 bytes */
    SAFE("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");         /* a surrogate */
    SAFE("\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
    SAFE("end\xe2\x80", 0, "end\\xe2\\x80");            /* cut at the end */
    /* A lone 8-bit CSI byte is not UTF-8 either. */
    SAFE("\x9b" "2J", 0, "\\x9b2J");
    /* NUL inside the length. */
    expect_safe("a\0b", 3, 0, "a\\x00b");
}

static void backslashes_doubled_when_asked(void **state)
{
    (void)state;
    SAFE("a\\x41", CS_TS_ESCAPE_BACKSLASH, "a\\\\x41");
    SAFE("\\\xff", CS_TS_ESCAPE_BACKSLASH, "\\\\\\xff");
    char *d = cs_term_safe_dup("t\x1b", 0);
    assert_string_equal(d, "t\\x1b");
    free(d);
    assert_null(cs_term_safe_dup(NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(printable_utf8_is_kept),
        cmocka_unit_test(controls_are_shown_never_sent),
        cmocka_unit_test(invalid_utf8_is_escaped_byte_by_byte),
        cmocka_unit_test(backslashes_doubled_when_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
