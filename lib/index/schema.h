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
 *                    key = ccg_canonical_key() of the value, as filters
 *                    compute it
 *   XHR<role>@<org>, XHR<role>@
 *                    a person held this role at this organisation (or at
 *                    any), for WHO; keys as above
 *   XHP<person>      the document states a role of this person, for WHO
 * Values:
 *   CCG_SLOT_DATE    "YYYY-MM-DD" or empty: date sorting and ranges
 *   CCG_SLOT_HASH    content hash of the input record: skip unchanged
 *   CCG_SLOT_FACET0+ a facet's display values, separated by
 *                    CCG_XS_VALUE_SEP: facet counting
 *   CCG_SLOT_HIT     the stored JSON without the body: hits without
 *                    snippets read this, not the whole document
 */
#ifndef CCG_SCHEMA_H
#define CCG_SCHEMA_H

#include <stddef.h>

#define CCG_PREFIX_ID "Q"
#define CCG_PREFIX_STEM "Z"
#define CCG_PREFIX_TITLE "S"
#define CCG_PREFIX_TITLE_STEM "ZS"
#define CCG_PREFIX_SOURCE "XW"
#define CCG_PREFIX_WHO_ROLE "XHR"
#define CCG_PREFIX_WHO_PERSON "XHP"
/* The WHO terms, from ccg_canonical_key()s: a person's, and a role's at an
 * organisation's ("" for at any). */
#define CCG_WHO_PERSON_TERM CCG_PREFIX_WHO_PERSON "%s"
#define CCG_WHO_ROLE_TERM CCG_PREFIX_WHO_ROLE "%s@%s"

enum {
    CCG_SLOT_DATE = 0,
    CCG_SLOT_HASH = 1,
    CCG_SLOT_FACET0 = 2,        /* to 6: one per facet */
    CCG_SLOT_HIT = 7,           /* the stored data without the body */
};

/* Title words go in the free-text field too, after the title and before
 * the body a gap of this many positions, so no phrase spans the two. */
#define CCG_TITLE_BODY_GAP 100

/* Metadata keys. */
#define CCG_META_GENERATION "ccg:generation"  /* bumped at every indexer commit */
#define CCG_META_FORMAT "ccg:format"          /* CCG_INDEX_FORMAT */
/* Bump when the analysis or the schema changes: documents indexed by an
 * older format are re-indexed even when their input is unchanged. */
#define CCG_INDEX_FORMAT "5"

typedef enum ccg_facet {
    CCG_FACET_CCG,
    CCG_FACET_ROLE,
    CCG_FACET_PERSON,
    CCG_FACET_ORG,
    CCG_FACET_PLACE,
    CCG_NFACETS
} ccg_facet;

_Static_assert(CCG_SLOT_FACET0 + CCG_NFACETS <= CCG_SLOT_HIT, "facet slots run into the hit slot");

typedef struct ccg_facet_info {
    const char *name;       /* as in the protocol: "ccg", "role", ... */
    const char *prefix;     /* boolean term prefix */
    unsigned slot;          /* value slot of display values */
} ccg_facet_info;

extern const ccg_facet_info ccg_facets[CCG_NFACETS];

/* The facet called name[0..len), or -1. */
int ccg_facet_by_name(const char *name, size_t len);

#endif
