/* The line protocol codec; see protocol.h and docs/protocol.md. */
#include "serve/protocol.h"
#include "text/analyze.h"
#include "core/limits.h"
#include "core/util.h"
#include "text/date.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether each verb takes an argument: 0 none, 1 required. */
static const struct {
    const char *name;
    int arg;
} verbs[CS_NVERBS] = {
    [CS_VERB_PING] = { "PING", 0 },
    [CS_VERB_SEARCH] = { "SEARCH", -1 },   /* optional: empty matches all */
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
    { CS_VERB_WHO, "WHO <role> at <org> | WHO <role> | WHO <person> | WHO {json}",
      "who held a role where, with the documents that say so, newest first" },
    { CS_VERB_SIMILAR, "SIMILAR <id>", "the articles most like a given one" },
    { CS_VERB_STATS, "STATS", "server and index figures" },
    { CS_VERB_HELP, "HELP", "this list" },
    { CS_VERB_QUIT, "QUIT", "say goodbye and close the connection" },
};
const size_t cs_nverb_helps = sizeof cs_verb_helps / sizeof cs_verb_helps[0];

int cs_proto_parse(const char *line, size_t len, cs_request *req,
                    cs_errcode *code, const char **msg)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0)
        return CS_PARSE_EMPTY;
    if (memchr(line, '\0', len)) {
        *code = CS_E_BAD_REQUEST;
        *msg = "request holds a NUL byte";
        return CS_PARSE_ERROR;
    }
    if (!cs_utf8_valid(line, len)) {
        *code = CS_E_BAD_REQUEST;
        *msg = "request is not valid UTF-8";
        return CS_PARSE_ERROR;
    }
    size_t vlen = 0;
    while (vlen < len && line[vlen] != ' ' && line[vlen] != '\t')
        vlen++;
    size_t a = vlen;
    while (a < len && (line[a] == ' ' || line[a] == '\t'))
        a++;
    size_t alen = len - a;
    while (alen > 0 && (line[a + alen - 1] == ' ' || line[a + alen - 1] == '\t'))
        alen--;

    req->verb = CS_VERB_UNKNOWN;
    for (int v = 0; v < CS_VERB_UNKNOWN; v++)
        if (strlen(verbs[v].name) == vlen && strncasecmp(line, verbs[v].name, vlen) == 0)
            req->verb = (cs_verb)v;
    if (req->verb == CS_VERB_UNKNOWN) {
        if (vlen == 0) {
            return CS_PARSE_EMPTY;         /* a line of blanks */
        }
        *code = CS_E_UNKNOWN_COMMAND;
        *msg = "unknown command; HELP lists the verbs";
        return CS_PARSE_ERROR;
    }
    req->arg = line + a;
    req->arg_len = alen;
    if (verbs[req->verb].arg == 0 && alen > 0) {
        *code = CS_E_BAD_REQUEST;
        *msg = "this verb takes no argument";
        return CS_PARSE_ERROR;
    }
    if (verbs[req->verb].arg == 1 && alen == 0) {
        *code = CS_E_BAD_REQUEST;
        *msg = "this verb needs an argument; HELP shows its usage";
        return CS_PARSE_ERROR;
    }
    return CS_PARSE_OK;
}

char *cs_proto_error(cs_errcode code, const char *msg)
{
    json_t *o = json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error",
                          "code", cs_errcode_name(code), "message", msg ? msg : "");
    if (!o)
        return NULL;
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) {
        free(s);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    return line;
}

/* --- SEARCH requests ------------------------------------------------------ */

static void defaults(cs_search_req *req)
{
    memset(req, 0, sizeof *req);
    req->sort = CS_SORT_RELEVANCE;
    req->match = CS_MATCH_ALL;
    req->limit = CS_DEFAULT_RESULT_LIMIT;
    for (int f = 0; f < CS_NFACETS; f++)
        req->facet[f] = true;
    req->facet_limit = CS_DEFAULT_FACET_LIMIT;
    req->snippets = true;
    req->snippet_chars = CS_SNIPPET_CHARS_DEFAULT;
}

void cs_search_req_free(cs_search_req *req)
{
    if (!req)
        return;
    free(req->q);
    for (int f = 0; f < CS_NFACETS; f++) {
        for (size_t i = 0; i < req->nfilter[f]; i++)
            free(req->filter[f][i]);
        free(req->filter[f]);
    }
    memset(req, 0, sizeof *req);
}

static bool fail(char *err, size_t cap, const char *fmt, const char *a)
{
    snprintf(err, cap, fmt, a);
    return false;
}

/* An unsigned integer field within [lo, hi]. */
static bool get_uint(json_t *v, const char *name, unsigned lo, unsigned hi,
                     unsigned *out, char *err, size_t cap)
{
    if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)lo ||
        json_integer_value(v) > (json_int_t)hi) {
        snprintf(err, cap, "\"%s\" must be an integer from %u to %u", name, lo, hi);
        return false;
    }
    *out = (unsigned)json_integer_value(v);
    return true;
}

static bool get_date(json_t *v, const char *name, char out[11], char *err, size_t cap)
{
    char tmp[11];
    if (json_is_null(v))
        return true;
    if (!json_is_string(v) || json_string_length(v) != 10 ||
        cs_parse_date(json_string_value(v), 10, tmp) != 10 ||
        strcmp(tmp, json_string_value(v)) != 0)
        return fail(err, cap, "\"%s\" must be a date written YYYY-MM-DD", name);
    memcpy(out, tmp, 11);
    return true;
}

static bool add_filter(cs_search_req *req, int f, json_t *v, char *err, size_t cap)
{
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v))
        return fail(err, cap, "filter values for \"%s\" must be non-empty strings",
                    cs_facets[f].name);
    char **grown = realloc(req->filter[f], (req->nfilter[f] + 1) * sizeof *grown);
    if (!grown)
        return fail(err, cap, "%s", "out of memory");
    req->filter[f] = grown;
    if (!(grown[req->nfilter[f]] = cs_strdup(json_string_value(v))))
        return fail(err, cap, "%s", "out of memory");
    req->nfilter[f]++;
    return true;
}

static bool decode_json(json_t *o, cs_search_req *req, char *err, size_t cap)
{
    const char *key;
    json_t *v;
    size_t nterms = 0;

    if (!json_is_object(o))
        return fail(err, cap, "%s", "the SEARCH argument must be a JSON object");
    json_object_foreach(o, key, v) {
        if (strcmp(key, "q") == 0) {
            if (json_is_null(v))
                continue;
            if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
                return fail(err, cap, "%s", "\"q\" must be a string");
            free(req->q);
            if (!(req->q = cs_strdup(json_string_value(v))))
                return fail(err, cap, "%s", "out of memory");
        } else if (strcmp(key, "filter") == 0) {
            const char *fk;
            json_t *fv;
            if (json_is_null(v))
                continue;
            if (!json_is_object(v))
                return fail(err, cap, "%s", "\"filter\" must be an object of facet: [values]");
            json_object_foreach(v, fk, fv) {
                int f = cs_facet_by_name(fk, strlen(fk));
                if (f < 0)
                    return fail(err, cap, "unknown facet \"%s\" in filter "
                                "(facets: ccg, role, person, org, place)", fk);
                /* One value or a list of them; all count to the limit. */
                size_t n = json_is_array(fv) ? json_array_size(fv) : 1;
                for (size_t i = 0; i < n; i++) {
                    if (++nterms > CS_MAX_QUERY_TERMS)
                        return fail(err, cap, "%s", "too many filter values (at most "
                                    CS_STR(CS_MAX_QUERY_TERMS) ")");
                    json_t *item = json_is_array(fv) ? json_array_get(fv, i) : fv;
                    if (!add_filter(req, f, item, err, cap))
                        return false;
                }
            }
        } else if (strcmp(key, "date_from") == 0) {
            if (!get_date(v, key, req->date_from, err, cap))
                return false;
        } else if (strcmp(key, "date_to") == 0) {
            if (!get_date(v, key, req->date_to, err, cap))
                return false;
        } else if (strcmp(key, "sort") == 0) {
            const char *s = json_is_string(v) ? json_string_value(v) : "";
            if (strcmp(s, "relevance") == 0)
                req->sort = CS_SORT_RELEVANCE;
            else if (strcmp(s, "date") == 0)
                req->sort = CS_SORT_DATE;
            else if (strcmp(s, "date_asc") == 0)
                req->sort = CS_SORT_DATE_ASC;
            else
                return fail(err, cap, "%s", "\"sort\" must be \"relevance\", \"date\" or \"date_asc\"");
        } else if (strcmp(key, "match") == 0) {
            const char *s = json_is_string(v) ? json_string_value(v) : "";
            if (strcmp(s, "all") == 0)
                req->match = CS_MATCH_ALL;
            else if (strcmp(s, "any") == 0)
                req->match = CS_MATCH_ANY;
            else
                return fail(err, cap, "%s", "\"match\" must be \"all\" or \"any\"");
        } else if (strcmp(key, "offset") == 0) {
            if (!get_uint(v, key, 0, CS_MAX_RESULT_OFFSET, &req->offset, err, cap))
                return false;
        } else if (strcmp(key, "limit") == 0) {
            if (!get_uint(v, key, 0, CS_MAX_RESULT_LIMIT, &req->limit, err, cap))
                return false;
        } else if (strcmp(key, "facet_limit") == 0) {
            if (!get_uint(v, key, 1, CS_MAX_FACET_LIMIT, &req->facet_limit, err, cap))
                return false;
        } else if (strcmp(key, "facets") == 0) {
            size_t i;
            json_t *item;
            if (!json_is_array(v))
                return fail(err, cap, "%s", "\"facets\" must be an array of facet names");
            for (int f = 0; f < CS_NFACETS; f++)
                req->facet[f] = false;
            json_array_foreach(v, i, item) {
                if (!json_is_string(item))
                    return fail(err, cap, "%s", "\"facets\" must be an array of facet names");
                int f = cs_facet_by_name(json_string_value(item), json_string_length(item));
                if (f < 0)
                    return fail(err, cap, "unknown facet \"%s\" in \"facets\" "
                                "(facets: ccg, role, person, org, place)",
                                json_string_value(item));
                req->facet[f] = true;
            }
        } else if (strcmp(key, "snippets") == 0) {
            if (!json_is_boolean(v))
                return fail(err, cap, "%s", "\"snippets\" must be true or false");
            req->snippets = json_is_true(v);
        } else if (strcmp(key, "snippet_chars") == 0) {
            if (!get_uint(v, key, CS_MIN_SNIPPET_CHARS, CS_MAX_SNIPPET_CHARS, &req->snippet_chars, err, cap))
                return false;
        } else {
            return fail(err, cap, "unknown field \"%s\" in SEARCH", key);
        }
    }
    if (req->date_from[0] && req->date_to[0] && strcmp(req->date_from, req->date_to) > 0)
        return fail(err, cap, "%s", "\"date_from\" is after \"date_to\"");
    return true;
}

bool cs_proto_search_req(const char *arg, size_t len, cs_search_req *req,
                          char *err, size_t errcap)
{
    defaults(req);
    if (len > 0 && arg[0] == '{') {
        json_error_t jerr;
        json_t *o = json_loadb(arg, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!o) {
            snprintf(err, errcap, "bad JSON at column %d: %s", jerr.column, jerr.text);
            return false;
        }
        bool ok = decode_json(o, req, err, errcap);
        json_decref(o);
        if (ok && !req->q && !(req->q = cs_strdup("")))
            ok = fail(err, errcap, "%s", "out of memory");
        return ok;
    }
    if (!(req->q = cs_strndup(arg, len)))
        return fail(err, errcap, "%s", "out of memory");
    return true;
}
