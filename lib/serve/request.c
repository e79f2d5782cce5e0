/* Typed requests and their decoders; see request.h. */
#include "serve/request.h"
#include "core/limits.h"
#include "core/util.h"
#include "text/date.h"
#include "vocab/canon.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool bad(cs_err *err, const char *msg)
{
    return cs_err_set(err, CS_E_BAD_REQUEST, "%s", msg);
}

/* Parse a line's JSON argument; the message says where it is broken. */
static json_t *parse_json(const char *arg, size_t len, cs_err *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(arg, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        cs_err_set(err, CS_E_BAD_REQUEST, "bad JSON at column %d: %s", jerr.column, jerr.text);
    return o;
}

/* --- SEARCH ---------------------------------------------------------------- */

/* The index in names (NULL-terminated) of the string v, or -1. */
static int one_of(json_t *v, const char *const *names)
{
    for (int i = 0; json_is_string(v) && names[i]; i++)
        if (strcmp(json_string_value(v), names[i]) == 0)
            return i;
    return -1;
}

void cs_search_req_init(cs_search_req *req)
{
    assert(req);
    memset(req, 0, sizeof *req);
    req->sort = CS_SORT_RELEVANCE;
    req->match = CS_MATCH_ALL;
    req->syntax = CS_SYNTAX_QUERY;
    req->limit = CS_DEFAULT_RESULT_LIMIT;
    for (int f = 0; f < CS_NFACETS; f++)
        req->facet[f] = true;
    req->facet_limit = CS_DEFAULT_FACET_LIMIT;
    req->snippets = true;
    req->correct = true;
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
    for (int f = 0; f < CS_NATTRS; f++) {
        for (size_t i = 0; i < req->nattr[f]; i++)
            free(req->attr[f][i]);
        free(req->attr[f]);
    }
    memset(req, 0, sizeof *req);
}

/* An unsigned integer field within [lo, hi]. */
/* An integer from lo to hi; an integer out of that range is refused by
 * limit lim. */
static bool get_uint(json_t *v, const char *name, unsigned lo, unsigned hi, cs_limit lim,
                     unsigned *out, cs_err *err)
{
    if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)lo ||
        json_integer_value(v) > (json_int_t)hi) {
        cs_err_set(err, CS_E_BAD_REQUEST, "\"%s\" must be an integer from %u to %u",
                   name, lo, hi);
        return json_is_integer(v) ? cs_err_limit(err, lim) : false;
    }
    *out = (unsigned)json_integer_value(v);
    return true;
}

static bool get_date(json_t *v, const char *name, char out[11], cs_err *err)
{
    char tmp[11];
    if (json_is_null(v))
        return true;
    if (!json_is_string(v) || json_string_length(v) != 10 ||
        cs_parse_date(json_string_value(v), 10, tmp) != 10 ||
        strcmp(tmp, json_string_value(v)) != 0)
        return cs_err_set(err, CS_E_BAD_REQUEST, "\"%s\" must be a date written YYYY-MM-DD", name);
    memcpy(out, tmp, 11);
    return true;
}

static size_t nfilters(const cs_search_req *req)
{
    size_t n = 0;
    for (int f = 0; f < CS_NFACETS; f++)
        n += req->nfilter[f];
    for (int f = 0; f < CS_NATTRS; f++)
        n += req->nattr[f];
    return n;
}

bool cs_search_filter_name(const char *name, size_t len)
{
    return cs_facet_by_name(name, len) >= 0 || cs_attr_by_name(name, len) >= 0;
}

/* Filter f: a facet when f < CS_NFACETS, else descriptive field
 * f - CS_NFACETS. */
static bool add_filter(cs_search_req *req, int f, json_t *v, cs_err *err)
{
    bool facet = f < CS_NFACETS;
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v))
        return cs_err_set(err, CS_E_BAD_REQUEST, "filter values for \"%s\" must be non-empty strings",
                          facet ? cs_facets[f].name : cs_attrs[f - CS_NFACETS].name);
    char ***list = facet ? &req->filter[f] : &req->attr[f - CS_NFACETS];
    size_t *n = facet ? &req->nfilter[f] : &req->nattr[f - CS_NFACETS];
    char **grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return cs_err_nomem(err);
    *list = grown;
    if (!(grown[*n] = cs_strdup(json_string_value(v))))
        return cs_err_nomem(err);
    (*n)++;
    return true;
}

/* "filter": {facet: value or [values]}; all values count to the limit. */
static bool set_filter(cs_search_req *req, json_t *v, cs_err *err)
{
    const char *fk;
    json_t *fv;
    if (json_is_null(v))
        return true;
    if (!json_is_object(v))
        return bad(err, "\"filter\" must be an object of facet: [values]");
    json_object_foreach(v, fk, fv) {
        int f = cs_facet_by_name(fk, strlen(fk));
        if (f < 0 && (f = cs_attr_by_name(fk, strlen(fk))) >= 0)
            f += CS_NFACETS;
        if (f < 0)
            return cs_err_set(err, CS_E_BAD_REQUEST, "unknown facet \"%s\" in filter "
                              "(facets: ccg, role, person, org, place; fields: author, "
                              "section, tag)", fk);
        size_t n = json_is_array(fv) ? json_array_size(fv) : 1;
        for (size_t i = 0; i < n; i++) {
            if (nfilters(req) + 1 > CS_MAX_QUERY_TERMS)
                return bad(err, "too many filter values (at most " CS_STR(CS_MAX_QUERY_TERMS) ")") ||
                       cs_err_limit(err, CS_LIMIT_QUERY_TERMS);
            if (!add_filter(req, f, json_is_array(fv) ? json_array_get(fv, i) : fv, err))
                return false;
        }
    }
    return true;
}

static bool set_facets(cs_search_req *req, json_t *v, cs_err *err)
{
    size_t i;
    json_t *item;
    if (!json_is_array(v))
        return bad(err, "\"facets\" must be an array of facet names");
    for (int f = 0; f < CS_NFACETS; f++)
        req->facet[f] = false;
    json_array_foreach(v, i, item) {
        if (!json_is_string(item))
            return bad(err, "\"facets\" must be an array of facet names");
        int f = cs_facet_by_name(json_string_value(item), json_string_length(item));
        if (f < 0)
            return cs_err_set(err, CS_E_BAD_REQUEST, "unknown facet \"%s\" in \"facets\" "
                              "(facets: ccg, role, person, org, place)", json_string_value(item));
        req->facet[f] = true;
    }
    return true;
}

bool cs_search_req_field(cs_search_req *req, const char *key, json_t *v, cs_err *err)
{
    assert(req && key && v);
    if (strcmp(key, "q") == 0) {
        if (json_is_null(v))
            return true;
        if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
            return bad(err, "\"q\" must be a string");
        free(req->q);
        if (!(req->q = cs_strdup(json_string_value(v))))
            return cs_err_nomem(err);
        return true;
    }
    if (strcmp(key, "filter") == 0)
        return set_filter(req, v, err);
    if (strcmp(key, "date_from") == 0)
        return get_date(v, key, req->date_from, err);
    if (strcmp(key, "date_to") == 0)
        return get_date(v, key, req->date_to, err);
    if (strcmp(key, "sort") == 0) {
        /* In the order of CS_SORT_*. */
        static const char *const sorts[] = { "relevance", "date", "date_asc", NULL };
        if ((req->sort = one_of(v, sorts)) < 0)
            return bad(err, "\"sort\" must be \"relevance\", \"date\" or \"date_asc\"");
        return true;
    }
    if (strcmp(key, "match") == 0) {
        /* In the order of CS_MATCH_*. */
        static const char *const matches[] = { "all", "any", NULL };
        if ((req->match = one_of(v, matches)) < 0)
            return bad(err, "\"match\" must be \"all\" or \"any\"");
        return true;
    }
    if (strcmp(key, "syntax") == 0) {
        /* In the order of CS_SYNTAX_*. */
        static const char *const syntaxes[] = { "query", "plain", NULL };
        if ((req->syntax = one_of(v, syntaxes)) < 0)
            return bad(err, "\"syntax\" must be \"query\" or \"plain\"");
        return true;
    }
    if (strcmp(key, "prefix") == 0) {
        if (!json_is_boolean(v))
            return bad(err, "\"prefix\" must be true or false");
        req->prefix = json_is_true(v);
        return true;
    }
    if (strcmp(key, "offset") == 0)
        return get_uint(v, key, 0, CS_MAX_RESULT_OFFSET, CS_LIMIT_RESULT_OFFSET, &req->offset, err);
    if (strcmp(key, "limit") == 0)
        return get_uint(v, key, 0, CS_MAX_RESULT_LIMIT, CS_LIMIT_RESULT_LIMIT, &req->limit, err);
    if (strcmp(key, "facet_limit") == 0)
        return get_uint(v, key, 1, CS_MAX_FACET_LIMIT, CS_LIMIT_FACET_LIMIT, &req->facet_limit, err);
    if (strcmp(key, "facets") == 0)
        return set_facets(req, v, err);
    if (strcmp(key, "correct") == 0) {
        if (!json_is_boolean(v))
            return bad(err, "\"correct\" must be true or false");
        req->correct = json_is_true(v);
        return true;
    }
    if (strcmp(key, "snippets") == 0) {
        if (!json_is_boolean(v))
            return bad(err, "\"snippets\" must be true or false");
        req->snippets = json_is_true(v);
        return true;
    }
    if (strcmp(key, "snippet_chars") == 0)
        return get_uint(v, key, CS_MIN_SNIPPET_CHARS, CS_MAX_SNIPPET_CHARS,
                        CS_LIMIT_SNIPPET_CHARS, &req->snippet_chars, err);
    return cs_err_set(err, CS_E_BAD_REQUEST, "unknown field \"%s\" in SEARCH", key);
}

bool cs_search_req_finish(cs_search_req *req, cs_err *err)
{
    if (req->date_from[0] && req->date_to[0] && strcmp(req->date_from, req->date_to) > 0)
        return bad(err, "\"date_from\" is after \"date_to\"");
    if (!req->q && !(req->q = cs_strdup("")))
        return cs_err_nomem(err);
    return true;
}

bool cs_search_req_from_json(cs_search_req *req, json_t *o, cs_err *err)
{
    const char *key;
    json_t *v;
    cs_search_req_init(req);
    if (!json_is_object(o))
        return bad(err, "the SEARCH argument must be a JSON object");
    json_object_foreach(o, key, v)
        if (!cs_search_req_field(req, key, v, err))
            return false;
    return cs_search_req_finish(req, err);
}

bool cs_search_req_from_text(cs_search_req *req, const char *q, size_t len, cs_err *err)
{
    cs_search_req_init(req);
    if (!(req->q = cs_strndup(q, len)))
        return cs_err_nomem(err);
    return cs_search_req_finish(req, err);
}

bool cs_search_req_decode(cs_search_req *req, const char *arg, size_t len, cs_err *err)
{
    if (len == 0 || arg[0] != '{')
        return cs_search_req_from_text(req, arg, len, err);
    json_t *o = parse_json(arg, len, err);
    if (!o) {
        cs_search_req_init(req);
        return false;
    }
    bool ok = cs_search_req_from_json(req, o, err);
    json_decref(o);
    return ok;
}

/* --- GET and SIMILAR ------------------------------------------------------- */

bool cs_id_req_decode(cs_id_req *req, const char *arg, size_t len, cs_err *err)
{
    req->len = len;
    if (!(req->id = cs_strndup(arg, len)))
        return cs_err_nomem(err);
    return true;
}

void cs_id_req_free(cs_id_req *req)
{
    if (!req)
        return;
    free(req->id);
    req->id = NULL;
    req->len = 0;
}

/* --- WHO ------------------------------------------------------------------- */

void cs_who_req_free(cs_who_req *req)
{
    if (!req)
        return;
    free(req->person);
    free(req->role);
    free(req->org);
    memset(req, 0, sizeof *req);
}

/* The canonical display of a role or organisation the user named, or the
 * user's own words when the vocabulary does not know them. */
static char *who_value(int facet, const char *s, size_t len)
{
    const char *canon = cs_canonical_name(facet, s, len);
    if (!canon && facet == CS_FACET_ORG)
        canon = cs_canonical_name(CS_FACET_CCG, s, len);
    return canon ? cs_strdup(canon) : cs_strndup(s, len);
}

/* Replace *s by its canonical display form; false when out of memory. */
static bool canonicalise(int facet, char **s)
{
    if (!*s)
        return true;
    char *c = who_value(facet, *s, strlen(*s));
    free(*s);
    *s = c;
    return c != NULL;
}

/* One person, a role with an optional organisation, or an organisation.
 * (The messages predate the organisation question and are kept as they
 * were, byte for byte, for the clients that match them.) */
static bool who_check(const cs_who_req *w, bool oom, cs_err *err)
{
    if (oom)
        return cs_err_nomem(err);
    if ((w->person && (w->role || w->org)) || (!w->person && !w->role && !w->org))
        return bad(err, "WHO asks about a person, or a role (at an organisation)");
    return true;
}

bool cs_who_req_from_json(cs_who_req *w, json_t *o, cs_err *err)
{
    const char *key;
    json_t *v;
    bool oom = false;
    memset(w, 0, sizeof *w);
    if (!json_is_object(o))
        return bad(err, "the WHO argument must be a JSON object");
    json_object_foreach(o, key, v) {
        char **slot = strcmp(key, "person") == 0 ? &w->person
                      : strcmp(key, "role") == 0 ? &w->role
                      : (strcmp(key, "org") == 0 || strcmp(key, "ccg") == 0) ? &w->org : NULL;
        if (!slot || !json_is_string(v) || json_string_length(v) == 0 || *slot)
            return bad(err, "WHO takes \"person\", or \"role\" with an optional \"org\" "
                       "(or \"ccg\"), each a non-empty string");
        if (!(*slot = cs_strndup(json_string_value(v), json_string_length(v))))
            oom = true;
    }
    oom |= !canonicalise(CS_FACET_ROLE, &w->role);
    oom |= !canonicalise(CS_FACET_ORG, &w->org);
    return who_check(w, oom, err);
}

bool cs_who_req_from_text(cs_who_req *w, const char *arg, size_t len, cs_err *err)
{
    const char *at = NULL;
    bool oom = false;
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i + 4 <= len; i++)
        if (strncasecmp(arg + i, " at ", 4) == 0)
            at = arg + i;
    size_t rl = at ? (size_t)(at - arg) : len;
    /* The precedence: an organisation or CCG the vocabulary knows (so
     * "Babylon GP at Hand" is not a role at "Hand"), "ROLE at ORG", a role
     * the vocabulary knows, a person. */
    const char *org = cs_canonical_name(CS_FACET_ORG, arg, len);
    if (!org)
        org = cs_canonical_name(CS_FACET_CCG, arg, len);
    if (org) {
        oom |= !(w->org = cs_strdup(org));
    } else if (cs_canonical_name(CS_FACET_ROLE, arg, rl) || at) {
        oom |= !(w->role = who_value(CS_FACET_ROLE, arg, rl));
        if (at)
            oom |= !(w->org = who_value(CS_FACET_ORG, at + 4, len - rl - 4));
    } else {
        oom |= !(w->person = cs_strndup(arg, len));
    }
    return who_check(w, oom, err);
}

bool cs_who_req_decode(cs_who_req *w, const char *arg, size_t len, cs_err *err)
{
    if (len == 0 || arg[0] != '{')
        return cs_who_req_from_text(w, arg, len, err);
    json_t *o = parse_json(arg, len, err);
    if (!o) {
        memset(w, 0, sizeof *w);
        return false;
    }
    bool ok = cs_who_req_from_json(w, o, err);
    json_decref(o);
    return ok;
}
