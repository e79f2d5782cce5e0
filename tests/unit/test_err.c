/* Unit tests for lib/core/err.c: the one error type and its wire mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"

#include <string.h>

static void set_formats_and_returns_false(void **state)
{
    (void)state;
    cs_err e;
    assert_false(cs_err_set(&e, CS_E_BAD_QUERY, "%s at column %d", "unexpected ')'", 7));
    assert_int_equal(e.code, CS_E_BAD_QUERY);
    assert_string_equal(e.msg, "unexpected ')' at column 7");
    assert_false(cs_err_nomem(&e));
    assert_int_equal(e.code, CS_E_NOMEM);
    assert_string_equal(e.msg, "out of memory");
    cs_err_clear(&e);
    assert_int_equal(e.code, CS_OK);
    assert_string_equal(e.msg, "");
    /* A NULL error is a caller that only wants to know that it failed. */
    assert_false(cs_err_set(NULL, CS_E_IO, "x"));
    assert_false(cs_err_nomem(NULL));
    cs_err_clear(NULL);
}

static void long_messages_are_cut_on_a_character(void **state)
{
    (void)state;
    cs_err e;
    char big[CS_ERR_MSG_BYTES * 2];
    /* 'a' then two-byte characters, so the limit falls inside one. */
    size_t n = 0;
    big[n++] = 'a';
    while (n + 2 < sizeof big) {
        big[n++] = (char)0xC3;
        big[n++] = (char)0xA9;                 /* é */
    }
    big[n] = '\0';
    cs_err_set(&e, CS_E_INPUT, "%s", big);
    size_t len = strlen(e.msg);
    assert_true(len < CS_ERR_MSG_BYTES);
    assert_true(len >= CS_ERR_MSG_BYTES - 3);
    assert_int_equal(len % 2, 1);               /* 'a' and whole characters */
    assert_int_equal((unsigned char)e.msg[len - 1], 0xA9);
}

static void every_code_answers_as_a_wire_code(void **state)
{
    (void)state;
    static const struct {
        cs_errcode code;
        const char *wire;
    } want[] = {
        { CS_E_UNKNOWN_COMMAND, "unknown_command" }, { CS_E_BAD_REQUEST, "bad_request" },
        { CS_E_BAD_QUERY, "bad_query" }, { CS_E_NOT_FOUND, "not_found" },
        { CS_E_LINE_TOO_LONG, "line_too_long" }, { CS_E_TIMEOUT, "timeout" },
        { CS_E_OVERLOADED, "overloaded" }, { CS_E_INTERNAL, "internal" },
        { CS_E_NOMEM, "internal" }, { CS_E_IO, "internal" }, { CS_E_INDEX, "internal" },
        { CS_E_INPUT, "bad_request" }, { CS_E_DEFER, "internal" },
    };
    assert_int_equal(sizeof want / sizeof want[0], CS_E_LAST - 1);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_string_equal(cs_errcode_name(want[i].code), want[i].wire);
        cs_errcode w = cs_errcode_wire(want[i].code);
        assert_true(w > CS_OK && w < CS_E_NWIRE);
        assert_string_equal(cs_errcode_name(w), want[i].wire);
    }
    assert_string_equal(cs_errcode_name(CS_OK), "ok");
    assert_string_equal(cs_errcode_name((cs_errcode)999), "internal");
    assert_int_equal(cs_errcode_wire((cs_errcode)999), CS_E_INTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_formats_and_returns_false),
        cmocka_unit_test(long_messages_are_cut_on_a_character),
        cmocka_unit_test(every_code_answers_as_a_wire_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
