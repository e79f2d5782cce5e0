/* The index schema: what each Xapian term prefix and value slot means.
 * The indexer writes by it and the query side reads by it, so both include
 * this one header.  docs/index-format.md explains the choices.
 *
 * Terms:
 *   Q<id>            the document's unique id (boolean)
 *   <word>           a word of the title or body, with positions
 *   Z<stem>          its English stem, without positions
 *   S<word>, ZS<stem> title words (title: searches)
 *   XW<word>         words of the source (source: searches), with positions
 *   XC, XR, XP, XO, XL + key
 *                    entity facets (ccg, role, person, org, place), boolean;
 *                    key = cs_canonical_key() of the value, as filters
 *                    compute it
 *   XHR<role>@<org>, XHR<role>@
 *                    a person held this role at this organisation (or at
 *                    any), for WHO; keys as above
 *   XHP<person>      the document states a role of this person, for WHO
 *   XHO<org>         the document states a role someone held at this
 *                    organisation, for WHO's organisation questions
 *   XA, XS, XT + key the article's authors, section and tags (the
 *                    descriptive fields), boolean; key = cs_normalize_key()
 *                    of the value, as their filters compute it
 * Values:
 *   CS_SLOT_DATE    "YYYY-MM-DD" or empty: date sorting and ranges
 *   CS_SLOT_HASH    content hash of the input record: skip unchanged
 *   CS_SLOT_FACET0+ a facet's display values, separated by
 *                    CS_XS_VALUE_SEP: facet counting
 *   CS_SLOT_HIT     the stored JSON without the body: hits without
 *                    snippets read this, not the whole document
 */
#ifndef CS_SCHEMA_H
#define CS_SCHEMA_H

#include <stddef.h>

#define CS_PREFIX_ID "Q"
#define CS_PREFIX_STEM "Z"
#define CS_PREFIX_TITLE "S"
#define CS_PREFIX_TITLE_STEM "ZS"
#define CS_PREFIX_SOURCE "XW"
#define CS_PREFIX_WHO_ROLE "XHR"
#define CS_PREFIX_WHO_PERSON "XHP"
#define CS_PREFIX_WHO_ORG "XHO"
/* The WHO terms, from cs_canonical_key()s: a person's, a role's at an
 * organisation's ("" for at any), and an organisation's (relations with a
 * named organisation only). */
#define CS_WHO_PERSON_TERM CS_PREFIX_WHO_PERSON "%s"
#define CS_WHO_ROLE_TERM CS_PREFIX_WHO_ROLE "%s@%s"
#define CS_WHO_ORG_TERM CS_PREFIX_WHO_ORG "%s"

enum {
    CS_SLOT_DATE = 0,
    CS_SLOT_HASH = 1,
    CS_SLOT_FACET0 = 2,        /* to 6: one per facet */
    CS_SLOT_HIT = 7,           /* the stored data without the body */
};

/* Title words go in the free-text field too, after the title and before
 * the body a gap of this many positions, so no phrase spans the two. */
#define CS_TITLE_BODY_GAP 100

/* Metadata keys. */
#define CS_META_GENERATION "ccg:generation"  /* bumped at every indexer commit */
#define CS_META_FORMAT "ccg:format"          /* CS_INDEX_FORMAT */
/* Bump when the analysis or the schema changes: documents indexed by an
 * older format are re-indexed even when their input is unchanged. */
#define CS_INDEX_FORMAT "8"

typedef enum cs_facet {
    CS_FACET_CCG,
    CS_FACET_ROLE,
    CS_FACET_PERSON,
    CS_FACET_ORG,
    CS_FACET_PLACE,
    CS_NFACETS
} cs_facet;

_Static_assert(CS_SLOT_FACET0 + CS_NFACETS <= CS_SLOT_HIT, "facet slots run into the hit slot");

typedef struct cs_facet_info {
    const char *name;       /* as in the protocol: "ccg", "role", ... */
    const char *prefix;     /* boolean term prefix */
    unsigned slot;          /* value slot of display values */
} cs_facet_info;

extern const cs_facet_info cs_facets[CS_NFACETS];

/* The facet called name[0..len), or -1. */
int cs_facet_by_name(const char *name, size_t len);

/* The descriptive fields an article may carry besides its entities:
 * stored, returned in hits and filterable by exact value (case and
 * spacing aside), but not counted as facets. */
typedef enum cs_attr {
    CS_ATTR_AUTHOR,
    CS_ATTR_SECTION,
    CS_ATTR_TAG,
    CS_NATTRS
} cs_attr;

typedef struct cs_attr_info {
    const char *name;       /* the filter's name: "author", "section", "tag" */
    const char *prefix;     /* boolean term prefix */
} cs_attr_info;

extern const cs_attr_info cs_attrs[CS_NATTRS];

/* The descriptive field whose filter is called name[0..len), or -1. */
int cs_attr_by_name(const char *name, size_t len);

#endif
