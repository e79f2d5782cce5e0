/* Request dispatch; see handler.h. */
#include "handler.h"
#include "log.h"
#include "stats.h"
#include "serve/protocol.h"
#include "serve/response.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static int log_level_of(cs_errcode code)
{
    switch (cs_errcode_wire(code)) {
    case CS_E_INTERNAL: return CS_LOG_ERROR;
    case CS_E_OVERLOADED: return CS_LOG_WARN;
    case CS_E_LINE_TOO_LONG: return CS_LOG_INFO;
    default: return CS_LOG_DEBUG;
    }
}

void answer_error(cs_buf *out, cs_errcode code, const char *msg, const char *peer,
                  const char *about)
{
    assert(code != CS_OK);
    stats_error(code);
    /* The index could not be read (a corrupt file, an I/O error): the
     * request fails, the daemon goes on, and STATS says how often. */
    if (code == CS_E_INDEX)
        stats_fault(CS_FAULT_INDEX_READ);
    log_msg(log_level_of(code), "%s: %s: %s%s%s", peer, cs_errcode_name(code), msg,
            about ? " -- " : "", about ? about : "");
    cs_encode_error(out, code, msg);
    cs_buf_putc(out, '\n');
}

bool handle_request(cs_engine *e, const cs_request *req, cs_buf *out, querylog_counts *found,
                    bool *close_after, cs_err *err)
{
    bool ok;
    switch (req->verb) {
    case CS_VERB_PING:
        ok = cs_encode_ping(out);
        break;
    case CS_VERB_QUIT:
        *close_after = true;
        ok = cs_encode_quit(out);
        break;
    case CS_VERB_HELP:
        ok = cs_encode_help(out);
        break;
    case CS_VERB_STATS: {
        cs_stats_result r;
        stats_snapshot(&r);
        cs_engine_stats(e, &r.index);
        ok = cs_encode_stats(out, &r);
        break;
    }
    case CS_VERB_SEARCH: {
        cs_search_result r;
        if (!cs_engine_search(e, &req->search, &r, err))
            return false;
        found->hits = r.nhits;
        found->total = r.total;
        ok = cs_encode_search(out, &r);
        cs_search_result_free(&r);
        break;
    }
    case CS_VERB_GET: {
        cs_doc r;
        if (!cs_engine_get(e, &req->id, &r, err))
            return false;
        found->hits = found->total = 1;
        ok = cs_encode_document(out, &r);
        cs_doc_free(&r);
        break;
    }
    case CS_VERB_SIMILAR: {
        cs_similar_result r;
        if (!cs_engine_similar(e, &req->id, &r, err))
            return false;
        found->hits = found->total = r.nhits;
        ok = cs_encode_similar(out, &r);
        cs_similar_result_free(&r);
        break;
    }
    case CS_VERB_WHO: {
        cs_who_result r;
        if (!cs_engine_who(e, &req->who, &r, err))
            return false;
        found->hits = r.nread;
        found->total = r.documents;
        ok = cs_encode_who(out, &r);
        cs_who_result_free(&r);
        break;
    }
    default:
        assert(!"a framed request has a known verb");
        return cs_err_set(err, CS_E_UNKNOWN_COMMAND, "unknown command");
    }
    return ok || cs_err_nomem(err);
}

/* handle_line() and handle_line_slice(): slice_us is the slice's deadline,
 * 0 for none. */
static bool handle(cs_engine *e, const char *line, size_t len, cs_buf *out,
                   bool *close_after, const char *peer, long long slice_us)
{
    long long t0 = cs_now_us();
    cs_line ln = { .verb = CS_VERB_UNKNOWN };
    cs_request req;
    cs_err err;
    querylog_counts found = { 0, 0 };

    *close_after = false;
    /* The CR of a CRLF line is framing, not the request's: the log and
     * the error below see the line as the parser does. */
    if (len > 0 && line[len - 1] == '\r')
        len--;
    int rc = cs_proto_parse(line, len, &ln, &err);
    if (rc == CS_PARSE_EMPTY)
        return true;
    if (rc == CS_PARSE_ERROR) {
        /* A known verb refused for its argument (GET without an id) is
         * counted and logged as that verb; the log names any other by the
         * word the client sent. */
        char clean[100];
        size_t vlen = 0;
        while (vlen < len && line[vlen] != ' ' && line[vlen] != '\t')
            vlen++;
        log_sanitize(line, len, clean, sizeof clean);
        stats_request(ln.verb);
        answer_error(out, err.code, err.msg, peer, clean);
        querylog_write(line, vlen, line, len, NULL, cs_now_us() - t0, cs_errcode_name(err.code));
        return true;
    }
    /* Counted before it runs (STATS counts itself); a slice once it is
     * known not to be deferred. */
    if (!slice_us)
        stats_request(ln.verb);
    /* An answer that fails halfway is taken back: the client gets the
     * error alone, never a cut JSON object before it. */
    size_t mark = out->len;
    bool ok = cs_proto_decode(&ln, &req, &err);
    if (ok && slice_us && req.verb == CS_VERB_SEARCH)
        cs_engine_set_slice(e, slice_us);
    ok = ok && handle_request(e, &req, out, &found, close_after, &err);
    cs_request_free(&req);
    if (!ok && err.code == CS_E_DEFER) {
        /* Not answered, nor counted: it will be, where it runs again. */
        out->len = mark;
        if (out->s)
            out->s[mark] = '\0';
        return false;
    }
    if (slice_us)
        stats_request(ln.verb);
    if (ok) {
        cs_buf_putc(out, '\n');
    } else {
        out->len = mark;
        if (out->s)
            out->s[mark] = '\0';
        stats_refused_by(&err);
        answer_error(out, err.code, err.msg, peer, cs_verb_name(ln.verb));
    }
    long long us = cs_now_us() - t0;
    stats_latency(us);
    const char *verb = cs_verb_name(ln.verb);
    querylog_write(verb, strlen(verb), ln.arg, ln.arg_len, &found, us,
                   ok ? NULL : cs_errcode_name(err.code));
    return true;
}

void handle_line(cs_engine *e, const char *line, size_t len, cs_buf *out,
                 bool *close_after, const char *peer)
{
    handle(e, line, len, out, close_after, peer, 0);
}

bool handle_line_slice(cs_engine *e, const char *line, size_t len, cs_buf *out,
                       bool *close_after, const char *peer, long long deadline_us)
{
    assert(deadline_us > 0);
    return handle(e, line, len, out, close_after, peer, deadline_us);
}
