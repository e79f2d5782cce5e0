/* The line protocol: framing and verbs; see protocol.h and docs/protocol.md. */
#include "serve/protocol.h"
#include "text/analyze.h"

#include <assert.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Whether each verb takes an argument: 0 none, 1 required, -1 optional. */
static const struct {
    const char *name;
    int arg;
} verbs[CS_NVERBS] = {
    [CS_VERB_PING] = { "PING", 0 },
    [CS_VERB_SEARCH] = { "SEARCH", -1 },   /* empty matches all */
    [CS_VERB_GET] = { "GET", 1 },
    [CS_VERB_STATS] = { "STATS", 0 },
    [CS_VERB_HELP] = { "HELP", 0 },
    [CS_VERB_QUIT] = { "QUIT", 0 },
    [CS_VERB_WHO] = { "WHO", 1 },
    [CS_VERB_SIMILAR] = { "SIMILAR", 1 },
    [CS_VERB_UNKNOWN] = { "UNKNOWN", 0 },
};

const char *cs_verb_name(cs_verb verb)
{
    return (unsigned)verb < CS_NVERBS ? verbs[verb].name : "UNKNOWN";
}

const cs_verb_help cs_verb_helps[] = {
    { CS_VERB_PING, "PING", "check that the server answers" },
    { CS_VERB_SEARCH, "SEARCH <query> | SEARCH {json}",
      "ranked, faceted search; see docs/query-language.md" },
    { CS_VERB_GET, "GET <id>", "the stored document with its entities" },
    { CS_VERB_WHO, "WHO <org> | WHO <role> at <org> | WHO <role> | WHO <person> | WHO {json}",
      "who held a role where, or everyone named at an organisation, with the documents "
      "that say so, newest first" },
    { CS_VERB_SIMILAR, "SIMILAR <id>", "the articles most like a given one" },
    { CS_VERB_STATS, "STATS", "server and index figures" },
    { CS_VERB_HELP, "HELP", "this list" },
    { CS_VERB_QUIT, "QUIT", "say goodbye and close the connection" },
};
const size_t cs_nverb_helps = sizeof cs_verb_helps / sizeof cs_verb_helps[0];

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

int cs_proto_parse(const char *line, size_t len, cs_line *out, cs_err *err)
{
    assert(line || len == 0);
    assert(out);
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0)
        return CS_PARSE_EMPTY;
    if (memchr(line, '\0', len)) {
        cs_err_set(err, CS_E_BAD_REQUEST, "request holds a NUL byte");
        return CS_PARSE_ERROR;
    }
    if (!cs_utf8_valid(line, len)) {
        cs_err_set(err, CS_E_BAD_REQUEST, "request is not valid UTF-8");
        return CS_PARSE_ERROR;
    }
    size_t vlen = 0;
    while (vlen < len && !blank(line[vlen]))
        vlen++;
    size_t a = vlen;
    while (a < len && blank(line[a]))
        a++;
    size_t alen = len - a;
    while (alen > 0 && blank(line[a + alen - 1]))
        alen--;

    out->verb = CS_VERB_UNKNOWN;
    for (int v = 0; v < CS_VERB_UNKNOWN; v++)
        if (strlen(verbs[v].name) == vlen && strncasecmp(line, verbs[v].name, vlen) == 0)
            out->verb = (cs_verb)v;
    if (out->verb == CS_VERB_UNKNOWN) {
        if (vlen == 0)
            return CS_PARSE_EMPTY;          /* a line of blanks */
        cs_err_set(err, CS_E_UNKNOWN_COMMAND, "unknown command; HELP lists the verbs");
        return CS_PARSE_ERROR;
    }
    out->arg = line + a;
    out->arg_len = alen;
    if (verbs[out->verb].arg == 0 && alen > 0) {
        cs_err_set(err, CS_E_BAD_REQUEST, "this verb takes no argument");
        return CS_PARSE_ERROR;
    }
    if (verbs[out->verb].arg == 1 && alen == 0) {
        cs_err_set(err, CS_E_BAD_REQUEST, "this verb needs an argument; HELP shows its usage");
        return CS_PARSE_ERROR;
    }
    return CS_PARSE_OK;
}

bool cs_proto_decode(const cs_line *line, cs_request *req, cs_err *err)
{
    assert(line && req && line->verb < CS_VERB_UNKNOWN);
    memset(req, 0, sizeof *req);
    req->verb = line->verb;
    switch (line->verb) {
    case CS_VERB_SEARCH:
        return cs_search_req_decode(&req->search, line->arg, line->arg_len, err);
    case CS_VERB_GET:
    case CS_VERB_SIMILAR:
        return cs_id_req_decode(&req->id, line->arg, line->arg_len, err);
    case CS_VERB_WHO:
        return cs_who_req_decode(&req->who, line->arg, line->arg_len, err);
    default:
        return true;
    }
}

void cs_request_free(cs_request *req)
{
    if (!req)
        return;
    switch (req->verb) {
    case CS_VERB_SEARCH: cs_search_req_free(&req->search); break;
    case CS_VERB_GET:
    case CS_VERB_SIMILAR: cs_id_req_free(&req->id); break;
    case CS_VERB_WHO: cs_who_req_free(&req->who); break;
    default: break;
    }
}

bool cs_proto_looks_like_http(const char *line, size_t len)
{
    static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS",
                                           "PATCH", "CONNECT", "TRACE", NULL };
    static const char version[] = " HTTP/";
    const size_t vlen = sizeof version - 1;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    /* ... HTTP/d.d at the end */
    if (len < vlen + 3 || !isdigit((unsigned char)line[len - 3]) || line[len - 2] != '.' ||
        !isdigit((unsigned char)line[len - 1]) ||
        memcmp(line + len - 3 - vlen, version, vlen) != 0)
        return false;
    for (int i = 0; methods[i]; i++) {
        size_t m = strlen(methods[i]);
        /* METHOD SP target (at least one byte) before the version */
        if (len - 3 - vlen > m + 1 && memcmp(line, methods[i], m) == 0 && line[m] == ' ')
            return true;
    }
    return false;
}
