/* The extractor's named bounds, in one place: each says why it is where it
 * is.  Private to lib/entities/; tests/integration/test_entities.py reads
 * ROLE_REACH, MAX_OWNER_TOKENS and MAX_LOCAL_GROUP from this file (keep
 * each as a plain "#define NAME number" line so it can). */
#ifndef CS_ENTITIES_BOUNDS_H
#define CS_ENTITIES_BOUNDS_H

/* Longest normalised form kept for a token. */
#define NORM_MAX 48
/* Widest window, in tokens, a gazetteer name may span. */
#define MAX_SPAN 16
/* Longest person name in words (titles not counted). */
#define MAX_NAME_WORDS 4
/* Longest key looked up in a table, in bytes; no name in the tables is as
 * long, so a window that does not fit cannot match anyway. */
#define KEY_MAX 512
/* Most CCG names read from one list ("Nene, Corby and ... CCGs"); a longer
 * list keeps its first names. */
#define MAX_LIST_NAMES 32
/* Most place-name tails remembered to complete a list's bare directions. */
#define MAX_TAILS 8
/* Most tokens looked back for the places whose tails may complete a list
 * of CCGs: a story's previous paragraph or so. */
#define TAIL_REACH 200
/* Most organisations one relation may name, CCGs one story may name, and
 * roles in one chain ("chair and chief officer of ..."); past them the
 * rest are ignored. */
#define MAX_REL_ORGS 32
#define MAX_STORY_CCGS 64
#define MAX_CHAIN_ROLES 8
/* Most CCGs a local group may have ("all eight CCGs in the STP"); "all 191
 * CCGs" is the country's, not the few a story names. */
#define MAX_LOCAL_GROUP 15
/* Most tokens between a role and the body it is held at, within one
 * sentence: "accountable officer on a permanent basis at Corby, and on an
 * interim basis at Nene". */
#define ROLE_REACH 16
/* Most tokens of the owner before a role read as its sentence's subject
 * ("Nene and Corby CCGs' accountable officer is ..."). */
#define MAX_OWNER_TOKENS 8
/* Most words between a count and the head of the bodies it counts: "four
 * district health authorities", "eight primary care trusts". */
#define MAX_BODY_WORDS 3
/* Most tokens of an area read before a plural CCG suffix ("Leicester,
 * Leicestershire and Rutland CCGs"): a list of a few counties, not a
 * paragraph of places. */
#define MAX_GROUP_AREA 12
/* Most words of a title before its portfolio ("governing body GP
 * locality representative"): longer runs of title words are not one
 * title. */
#define MAX_TITLE_WORDS 6
/* Most tokens between a comma inside a portfolio and the "and" of its
 * last item ("commissioning, strategy and delivery"). */
#define MAX_PORTFOLIO_ITEM 4
/* Most lower-case words of a name's kind before its lower-case head
 * ("Devon sustainability and transformation partnership"), and after a
 * head to a later one ("system transformation steering group"); and the
 * capitalised words after a CCG's name that may end in another body's
 * head ("Birmingham and Solihull Integrated Care System"). */
#define MAX_GENERIC_RUN 4

/* Most groups of CCGs one story defines (its lists, and CCGs named side by
 * side: "Shropshire CCG and Telford and Wrekin CCG"); past them the rest
 * are not groups.  A group holds at most MAX_LIST_NAMES members. */
#define MAX_STORY_GROUPS 16
/* Most tokens looked back from "the role", "the post" for the post it
 * stands for: the story's previous sentence or two. */
#define POST_REACH 60
/* Fewest "Name Title Body" entries side by side that make an attendance
 * list, whose entries need no comma between title and body ("Present
 * Roy Fisher Lay Chair NHS Blackpool CCG Graham Burgess ..."). */
#define ATTEND_MIN_ENTRIES 3

#endif
