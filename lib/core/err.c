/* The error type; see err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Each code's wire code and the wire code's name: the one table. */
static const struct {
    cs_errcode wire;
    const char *name;
} codes[CS_E_LAST] = {
    [CS_OK] = { CS_OK, "ok" },
    [CS_E_UNKNOWN_COMMAND] = { CS_E_UNKNOWN_COMMAND, "unknown_command" },
    [CS_E_BAD_REQUEST] = { CS_E_BAD_REQUEST, "bad_request" },
    [CS_E_BAD_QUERY] = { CS_E_BAD_QUERY, "bad_query" },
    [CS_E_NOT_FOUND] = { CS_E_NOT_FOUND, "not_found" },
    [CS_E_LINE_TOO_LONG] = { CS_E_LINE_TOO_LONG, "line_too_long" },
    [CS_E_TIMEOUT] = { CS_E_TIMEOUT, "timeout" },
    [CS_E_OVERLOADED] = { CS_E_OVERLOADED, "overloaded" },
    [CS_E_INTERNAL] = { CS_E_INTERNAL, "internal" },
    [CS_E_NOMEM] = { CS_E_INTERNAL, "internal" },
    [CS_E_IO] = { CS_E_INTERNAL, "internal" },
    [CS_E_INDEX] = { CS_E_INTERNAL, "internal" },
    [CS_E_INPUT] = { CS_E_BAD_REQUEST, "bad_request" },
    [CS_E_DEFER] = { CS_E_INTERNAL, "internal" },
};

bool cs_err_set(cs_err *e, cs_errcode code, const char *fmt, ...)
{
    if (!e)
        return false;
    e->code = code;
    e->limit = CS_LIMIT_NONE;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof e->msg) {
        /* Cut back to the start of the character the limit fell in. */
        size_t end = sizeof e->msg - 1;
        while (end > 0 && ((unsigned char)e->msg[end] & 0xC0) == 0x80)
            end--;
        e->msg[end] = '\0';
    }
    return false;
}

bool cs_err_limit(cs_err *e, cs_limit l)
{
    if (e)
        e->limit = l;
    return false;
}

bool cs_err_nomem(cs_err *e)
{
    return cs_err_set(e, CS_E_NOMEM, "out of memory");
}

void cs_err_clear(cs_err *e)
{
    if (e) {
        e->code = CS_OK;
        e->limit = CS_LIMIT_NONE;
        e->msg[0] = '\0';
    }
}

cs_errcode cs_errcode_wire(cs_errcode code)
{
    return (unsigned)code < CS_E_LAST ? codes[code].wire : CS_E_INTERNAL;
}

const char *cs_errcode_name(cs_errcode code)
{
    return (unsigned)code < CS_E_LAST ? codes[code].name : "internal";
}
