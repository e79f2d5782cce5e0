// The Xapian shim; see xapian_shim.h for the contract.
//
// Every exported function runs its body through guard(), which is the one
// place exceptions are mapped to statuses.  Nothing here may throw across
// the extern "C" boundary.
#include "index/xapian_shim.h"

#include <xapian.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

struct cs_xs_doc {
    Xapian::Document doc;
    std::string idterm;
    std::unordered_map<std::string, unsigned> spelling;
};

struct cs_xs_writer {
    Xapian::WritableDatabase db;
    std::string idprefix;       // the unique-id term's prefix, from the caller
    std::string err;
    // Spelling words of the documents added since the last commit, summed:
    // one add_spelling per distinct word at commit time instead of one per
    // word per document.
    std::unordered_map<std::string, unsigned> spelling;
    // A scratch database's words are kept for cs_xs_writer_pass_spelling(),
    // never written to it: the compactor merges spelling tables slowly.
    bool keep_spelling;
    // A database opened empty (CS_XS_OVERWRITE, CS_XS_SCRATCH) holds a
    // document's id only if this writer added it: the hashes of the id terms
    // added (8 bytes each plus the set's node), so that a new id skips
    // delete_document(), which opens the id term's posting list each time
    // (3-4% of a parallel build's CPU on news.jsonl).  A hash seen before
    // (the same id, or another with the same hash) deletes as usual.
    bool fresh;
    std::unordered_set<std::uint64_t> added;
};

// The words go to Xapian in sorted order: it files each word under its
// fragments in std::sets, and sorted insertions walk the same few paths of
// those trees.  On news.jsonl (55,000 words) that cut what a parallel
// build does alone on one core after the shards' merge (the words and the
// final commit) from 0.39-0.44 s to 0.23-0.25 s of CPU; the spelling
// table's bytes are identical.
static void flush_spelling(cs_xs_writer *w)
{
    if (w->keep_spelling)
        return;
    std::vector<const std::pair<const std::string, unsigned> *> words;
    words.reserve(w->spelling.size());
    for (const auto &word : w->spelling)
        words.push_back(&word);
    std::sort(words.begin(), words.end(),
              [](const auto *a, const auto *b) { return a->first < b->first; });
    for (const auto *word : words)
        w->db.add_spelling(word->first, word->second);
    w->spelling.clear();
}

// The values of a set of facet slots over a database, in one table: for
// each document id d, the entries ids[start[d] .. start[d + 1]) hold its
// values, each the slot's index in `slots` (top kSlotBits bits) and the
// value's id (the rest), and names[k][id] is the value.  One table for
// all of a request's slots keeps a document's values together: counting
// reads one start and a short run per matching document.  Made from the
// documents of one revision and extended with those added after it, each
// extension read at a later revision (top is the last of them); immutable
// once made, so every reader of that database shares it without locks.
// It is right for a reader at any revision from top on, because the
// writer never changes a document under its id: a changed article is
// deleted and added again (cs_xs_writer_replace), so every document such a
// revision holds was there when the table read its id, or was added after
// it, and a deleted one's entry is never matched.  A reader at an older
// revision may still hold a document the table read as deleted: it makes
// its own.
const unsigned kSlotBits = 4;
const uint32_t kIdMask = (1u << (32 - kSlotBits)) - 1;
static_assert(CS_XS_MAX_FACETS <= (1u << kSlotBits), "slot index does not fit");

struct FacetTable {
    std::string uuid;
    Xapian::rev top = 0;                    // the revision last read
    Xapian::docid last = 0;                 // the highest id covered
    size_t read = 0;                        // documents with entries, live or not
    std::vector<unsigned> slots;            // sorted, distinct
    std::vector<uint32_t> start;            // last + 2 entries
    std::vector<uint32_t> ids;
    std::vector<std::vector<std::string>> names;            // per slot
    std::vector<std::unordered_map<std::string, uint32_t>> index;

    size_t bytes() const {
        size_t n = start.capacity() * sizeof(uint32_t) + ids.capacity() * sizeof(uint32_t);
        for (const auto &vs : names)
            for (const auto &v : vs)
                n += sizeof(std::string) + v.capacity() + sizeof(uint32_t) + 2 * sizeof(void *);
        return n;
    }
};

// Every document's value of one slot, held in memory for hits to read
// instead of looking each up in the B-tree (cs_xs_reader_prepare_hits()):
// the values of documents 1..last end to end in text, document d's from
// start[d] to start[d + 1].  Made, extended and shared like a FacetTable,
// and right for the same revisions.  A table whose offsets and values
// would pass max bytes is over: it holds nothing and hits read from the
// database.  Values of documents deleted since they were read stay until
// the table is made again (table_of()).
struct HitKey {
    unsigned slot;
    size_t max;
    bool operator<(const HitKey &o) const { return std::tie(slot, max) < std::tie(o.slot, o.max); }
};

struct HitTable {
    std::string uuid;
    Xapian::rev top = 0;                    // the revision last read
    Xapian::docid last = 0;                 // the highest id covered
    size_t read = 0;                        // documents with values, live or not
    HitKey key{};
    bool over = false;
    std::vector<uint32_t> start;            // last + 2 entries
    std::string text;

    size_t bytes() const { return start.size() * sizeof(uint32_t) + text.size(); }
};

struct cs_xs_reader {
    std::string path;
    std::string idprefix;       // the unique-id term's prefix, from the caller
    Xapian::Database db;
    std::string err;
    std::string scratch;
    // The facet tables this reader has checked against its database, by
    // slot set, and the revision and UUID it checked them at; and the set
    // cs_xs_reader_prepare_facets() made ready, which searches for any of
    // its slots use.
    std::map<std::vector<unsigned>, std::shared_ptr<const FacetTable>> columns;
    std::map<HitKey, std::shared_ptr<const HitTable>> hit_columns;
    Xapian::rev columns_rev = 0;
    std::string columns_uuid;
    std::vector<unsigned> prepared;
    // The hit table cs_xs_reader_prepare_hits() asked for (slot 0: none).
    HitKey hits{};
    // An empty in-memory stand-in until path holds a database
    // (cs_xs_reader_open_empty()); that backend has no revisions.
    bool empty = false;
};

struct cs_xs_query {
    Xapian::Query q;
};

struct cs_xs_results {
    std::vector<std::string> data;
    std::vector<double> weights;
    std::vector<unsigned> docids;
    unsigned total = 0;
    int exact = 0;
    size_t memory_hits = 0;     // hits read from a HitTable
    // Per facet: the values (owning strings) and the C view of them.
    std::vector<std::vector<std::string>> facet_strings;
    std::vector<std::vector<cs_xs_facet_value>> facets;
};

namespace {

const size_t kMaxTermBytes = CS_XS_MAX_TERM_BYTES;

void set_error(std::string *err, const char *msg)
{
    if (!err)
        return;
    try {
        *err = msg;
    } catch (...) {
        // Out of memory while recording an error: keep the old message.
    }
}

// Run f, mapping every exception to a status and recording its message.
template <class F>
cs_xs_status guard(std::string *err, F &&f) noexcept
{
    try {
        return f();
    } catch (const Xapian::DatabaseModifiedError &e) {
        set_error(err, e.get_description().c_str());
        return CS_XS_MODIFIED;
    } catch (const Xapian::DatabaseLockError &e) {
        set_error(err, e.get_description().c_str());
        return CS_XS_LOCKED;
    } catch (const Xapian::DatabaseOpeningError &e) {
        set_error(err, e.get_description().c_str());
        return CS_XS_OPEN_FAILED;
    } catch (const Xapian::DocNotFoundError &e) {
        set_error(err, e.get_description().c_str());
        return CS_XS_NOT_FOUND;
    } catch (const Xapian::Error &e) {
        set_error(err, e.get_description().c_str());
        return CS_XS_XAPIAN_ERROR;
    } catch (const std::bad_alloc &) {
        set_error(err, "out of memory");
        return CS_XS_NO_MEMORY;
    } catch (...) {
        set_error(err, "unexpected exception");
        return CS_XS_INTERNAL;
    }
}

// Run f against a reader; a DatabaseModifiedError (a writer committed
// twice since the reader last looked) reopens the reader and retries once.
template <class F>
cs_xs_status reader_guard(cs_xs_reader *r, F &&f) noexcept;

char *dup_message(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p)
        std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

/* A failed open as the project's error: the database's message, coded
 * CS_E_NOMEM or CS_E_INDEX. */
void open_error(cs_err *err, cs_xs_status st, const std::string &msg)
{
    cs_err_set(err, st == CS_XS_NO_MEMORY ? CS_E_NOMEM : CS_E_INDEX, "%s", msg.c_str());
}

bool term_ok(const char *term)
{
    if (!term)
        return false;
    size_t n = std::strlen(term);
    return n > 0 && n <= kMaxTermBytes;
}

// Counts the values of a request's facet slots over the documents it is
// shown, from a table holding them (and perhaps others): a start and a
// short run of entries per document.  The counts live in per-thread
// arrays indexed by value id, and only the ids a search touched are read
// back and cleared.
class ColumnCounter : public Xapian::MatchSpy {
  public:
    // want[k]: the table's index of the request's k-th slot.
    ColumnCounter(const FacetTable *t, const std::vector<unsigned> &want)
        : t_(t), want_(want) {
        thread_local std::vector<std::vector<unsigned>> scratch;
        if (scratch.size() < kMaxSlots)
            scratch.resize(kMaxSlots);
        for (size_t k = 0; k < kMaxSlots; k++)
            count_[k] = nullptr;
        for (unsigned ti : want) {
            if (scratch[ti].size() < t->names[ti].size())
                scratch[ti].resize(t->names[ti].size());
            count_[ti] = scratch[ti].data();
        }
    }
    ~ColumnCounter() override {
        for (size_t ti = 0; ti < kMaxSlots; ti++)
            for (uint32_t id : touched_[ti])
                count_[ti][id] = 0;
    }

    void operator()(const Xapian::Document &doc, double) override {
        Xapian::docid d = doc.get_docid();
        if (d > t_->last)
            return;
        const uint32_t *e = t_->ids.data() + t_->start[d], *end = t_->ids.data() + t_->start[d + 1];
        for (; e < end; e++) {
            unsigned ti = *e >> (32 - kSlotBits);
            unsigned *c = count_[ti];
            if (!c)
                continue;
            uint32_t id = *e & kIdMask;
            if (c[id]++ == 0)
                touched_[ti].push_back(id);
        }
    }

    // The values of the request's facet k with their counts.
    std::vector<std::pair<const std::string *, unsigned>> counts(size_t k) const {
        unsigned ti = want_[k];
        std::vector<std::pair<const std::string *, unsigned>> v;
        v.reserve(touched_[ti].size());
        for (uint32_t id : touched_[ti])
            v.emplace_back(&t_->names[ti][id], count_[ti][id]);
        return v;
    }

  private:
    static const size_t kMaxSlots = 1u << kSlotBits;
    const FacetTable *t_;
    std::vector<unsigned> want_;
    unsigned *count_[kMaxSlots];                // per table slot, NULL: not asked
    std::vector<uint32_t> touched_[kMaxSlots];
};

// Make t (new and empty) the table from with the values of its slots for
// the documents of db after from->last added, or with from NULL, the
// table of slots over all of db's documents.
void extend_table(const Xapian::Database &db, FacetTable *t, const FacetTable *from,
                  const std::vector<unsigned> &slots)
{
    if (from)
        *t = *from;
    else
        t->slots = slots;
    Xapian::docid first = t->last + 1, last = db.get_lastdocid();
    size_t ns = t->slots.size();
    // A table of no documents (an empty database) still has its slots.
    t->names.resize(ns);
    t->index.resize(ns);
    if (last < first)
        return;
    // Each slot's values of the new documents, then interleaved by document.
    std::vector<std::vector<std::pair<Xapian::docid, uint32_t>>> got(ns);
    for (size_t k = 0; k < ns; k++) {
        unsigned slot = t->slots[k];
        Xapian::ValueIterator v = db.valuestream_begin(slot);
        if (v != db.valuestream_end(slot) && v.get_docid() < first)
            v.skip_to(first);
        for (; v != db.valuestream_end(slot); ++v) {
            const std::string value = *v;
            size_t b = 0;
            while (b < value.size()) {
                size_t e = value.find(CS_XS_VALUE_SEP, b);
                if (e == std::string::npos)
                    e = value.size();
                if (e > b) {
                    std::string name = value.substr(b, e - b);
                    auto it = t->index[k].find(name);
                    if (it == t->index[k].end()) {
                        if (t->names[k].size() > kIdMask)
                            throw std::length_error("too many facet values");
                        it = t->index[k].emplace(name, static_cast<uint32_t>(t->names[k].size())).first;
                        t->names[k].push_back(std::move(name));
                    }
                    got[k].emplace_back(v.get_docid(),
                                        static_cast<uint32_t>(k << (32 - kSlotBits)) | it->second);
                }
                b = e + 1;
            }
        }
    }
    if (t->start.empty())
        t->start.assign(1, 0);          // id 0 holds nothing
    t->start.resize(last + 2);
    std::vector<size_t> at(ns, 0);
    for (Xapian::docid d = first; d <= last; d++) {
        t->start[d] = static_cast<uint32_t>(t->ids.size());
        for (size_t k = 0; k < ns; k++)
            for (; at[k] < got[k].size() && got[k][at[k]].first == d; at[k]++)
                t->ids.push_back(got[k][at[k]].second);
        if (t->ids.size() > t->start[d])
            t->read++;
    }
    t->start[last + 1] = static_cast<uint32_t>(t->ids.size());
    t->last = last;
}

// Make t (new and empty) the table from with the values of slot
// key.slot of the documents of db after from->last added, or with from
// NULL, the table of key over all of db's documents; or over, when they
// pass key.max bytes.  The new documents' values are read first, so that
// t's buffers are allocated once, at their size: while it is made, the
// memory is from's and t's and no more.
void extend_table(const Xapian::Database &db, HitTable *t, const HitTable *from,
                  const HitKey &key)
{
    t->key = from ? from->key : key;
    t->over = from && from->over;
    t->last = from ? from->last : 0;
    t->read = from ? from->read : 0;
    Xapian::docid first = t->last + 1, last = db.get_lastdocid();
    size_t max = std::min<size_t>(t->key.max, UINT32_MAX);
    size_t offsets = (static_cast<size_t>(last) + 2) * sizeof(uint32_t);
    size_t old = from ? from->text.size() : 0;
    auto make_over = [&] {
        t->over = true;
        t->last = last;
    };
    if (t->over || offsets > max || old > max - offsets)
        return make_over();
    std::string add;
    std::vector<std::pair<Xapian::docid, size_t>> at;      // (id, its value's place in add)
    Xapian::ValueIterator v = db.valuestream_begin(t->key.slot);
    if (v != db.valuestream_end(t->key.slot) && v.get_docid() < first)
        v.skip_to(first);
    for (; v != db.valuestream_end(t->key.slot); ++v) {
        const std::string value = *v;
        if (value.size() > max - offsets - old - add.size())
            return make_over();
        at.emplace_back(v.get_docid(), add.size());
        add += value;
    }
    t->text.reserve(old + add.size());
    if (from)
        t->text = from->text;
    t->text += add;
    t->start.reserve(static_cast<size_t>(last) + 2);
    if (from)
        t->start.assign(from->start.begin(), from->start.begin() + first);
    else
        t->start.assign(1, 0);          // id 0 holds nothing
    // Document d's value begins where the first value of an id >= d does.
    size_t k = 0;
    for (Xapian::docid d = first; d <= last + 1; d++) {
        while (k < at.size() && at[k].first < d)
            k++;
        t->start.push_back(static_cast<uint32_t>(old + (k < at.size() ? at[k].second : add.size())));
    }
    t->read += at.size();
    t->last = last;
}

// See table_of(): a table is made again when more than this many of the
// documents it read beyond the live ones (and as many again) are gone.
const size_t kStaleSlack = CS_XS_TABLE_STALE_SLACK;

// The latest table made of each database (by UUID) and key; an entry
// lives as long as a reader holds it.
std::mutex columns_lock;
std::map<std::pair<std::string, std::vector<unsigned>>, std::weak_ptr<const FacetTable>>
    columns_made;
std::map<std::pair<std::string, HitKey>, std::weak_ptr<const HitTable>> hit_columns_made;

// Forget the reader's tables when its database is another, or the same
// one made again (its revisions start over): nothing of them holds.
void check_columns(cs_xs_reader *r)
{
    Xapian::rev rev = r->empty ? 0 : r->db.get_revision();
    if (rev != r->columns_rev || r->columns_uuid.empty()) {
        std::string uuid = r->db.get_uuid();
        if (uuid != r->columns_uuid || rev < r->columns_rev) {
            r->columns.clear();
            r->hit_columns.clear();
        }
        r->columns_uuid = uuid;
        r->columns_rev = rev;
    }
}

// The table of key for reader r's database at its revision: its own
// (from own) while it covers every document, else the shared one (in
// made) when that does and was read at no later revision, else one made
// by extending the more complete of the two (or from nothing), which
// becomes the shared one unless that covers more.
template <class T, class K>
const T *table_of(cs_xs_reader *r, std::map<K, std::shared_ptr<const T>> &own,
                  std::map<std::pair<std::string, K>, std::weak_ptr<const T>> &made_by_db,
                  const K &key)
{
    check_columns(r);
    Xapian::rev rev = r->columns_rev;
    Xapian::docid last = r->db.get_lastdocid();
    std::shared_ptr<const T> &mine = own[key];
    if (mine && mine->last >= last)
        return mine.get();
    std::lock_guard<std::mutex> hold(columns_lock);
    std::weak_ptr<const T> &entry = made_by_db[std::make_pair(r->columns_uuid, key)];
    std::shared_ptr<const T> shared = entry.lock();
    if (shared && shared->top <= rev && (!mine || shared->last > mine->last))
        mine = shared;
    if (mine && mine->last >= last)
        return mine.get();
    // Entries of documents deleted since they were read stay in a table
    // extended from it; once they outnumber the live documents by more
    // than kStaleSlack, the table is made again from the live ones.
    size_t live = r->db.get_doccount();
    const T *from = mine && mine->read <= 2 * live + kStaleSlack ? mine.get() : nullptr;
    std::shared_ptr<T> made = std::make_shared<T>();
    extend_table(r->db, made.get(), from, key);
    made->uuid = r->columns_uuid;
    made->top = rev;
    mine = made;
    if (!shared || made->last >= shared->last)
        entry = mine;
    for (auto it = made_by_db.begin(); it != made_by_db.end();)
        it = it->second.expired() ? made_by_db.erase(it) : std::next(it);
    return mine.get();
}

const FacetTable *table_of(cs_xs_reader *r, const std::vector<unsigned> &slots)
{
    return table_of(r, r->columns, columns_made, slots);
}

// Stop reading hits from memory until cs_xs_reader_prepare_hits() again,
// and let go of the tables: one could not be made.
void forget_hits(cs_xs_reader *r)
{
    r->hits = HitKey{};
    r->hit_columns.clear();
}

// The reader's prepared hit table, or NULL when there is none or it is over.
const HitTable *hits_of(cs_xs_reader *r)
{
    if (!r->hits.slot)
        return nullptr;
    const HitTable *t = table_of(r, r->hit_columns, hit_columns_made, r->hits);
    return t->over ? nullptr : t;
}

// Sorted and without repeats.
std::vector<unsigned> slot_set(const unsigned *slots, size_t n)
{
    std::vector<unsigned> v(slots, slots + n);
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

// Expansion terms for SIMILAR: words only, never prefixed (boolean,
// stemmed or title) terms, never numbers alone.
class WordsOnly : public Xapian::ExpandDecider {
  public:
    bool operator()(const std::string &term) const override {
        if (term.empty() || (term[0] >= 'A' && term[0] <= 'Z'))
            return false;
        return std::any_of(term.begin(), term.end(),
                           [](char c) { return c < '0' || c > '9'; });
    }
};

Xapian::docid find_doc(const Xapian::Database &db, const std::string &idterm)
{
    Xapian::PostingIterator p = db.postlist_begin(idterm);
    return p == db.postlist_end(idterm) ? 0 : *p;
}

template <class F>
cs_xs_status reader_guard(cs_xs_reader *r, F &&f) noexcept
{
    return guard(&r->err, [&] {
        for (int attempt = 0;; attempt++) {
            try {
                return f();
            } catch (const Xapian::DatabaseModifiedError &) {
                if (attempt)
                    throw;
                r->db.reopen();
            }
        }
    });
}

}  // namespace

extern "C" {

const char *cs_xs_status_to_string(cs_xs_status status)
{
    switch (status) {
    case CS_XS_OK: return "ok";
    case CS_XS_NOT_FOUND: return "not found";
    case CS_XS_BAD_ARG: return "bad argument";
    case CS_XS_OPEN_FAILED: return "cannot open database";
    case CS_XS_LOCKED: return "database locked";
    case CS_XS_MODIFIED: return "database modified";
    case CS_XS_NO_MEMORY: return "out of memory";
    case CS_XS_XAPIAN_ERROR: return "xapian error";
    case CS_XS_INTERNAL: return "internal error";
    case CS_XS_TOO_COSTLY: return "too costly";
    case CS_XS_LAST_STATUS: break;
    }
    return "unknown status";
}

/* Documents --------------------------------------------------------------- */

cs_xs_doc *cs_xs_doc_new(const char *id_prefix, const char *id)
{
    if (!id_prefix || !id || !*id || std::strlen(id_prefix) + std::strlen(id) > kMaxTermBytes)
        return nullptr;
    cs_xs_doc *d = nullptr;
    cs_xs_status st = guard(nullptr, [&] {
        d = new cs_xs_doc;
        d->idterm = std::string(id_prefix) + id;
        d->doc.add_boolean_term(d->idterm);
        return CS_XS_OK;
    });
    if (st != CS_XS_OK) {
        delete d;
        return nullptr;
    }
    return d;
}

void cs_xs_doc_free(cs_xs_doc *doc)
{
    delete doc;
}

cs_xs_status cs_xs_doc_add_posting(cs_xs_doc *doc, const char *term,
                                     unsigned pos, unsigned wdf_inc)
{
    if (!doc || !term_ok(term))
        return CS_XS_BAD_ARG;
    return guard(nullptr, [&] {
        doc->doc.add_posting(term, pos, wdf_inc);
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_doc_add_term(cs_xs_doc *doc, const char *term, unsigned wdf_inc)
{
    if (!doc || !term_ok(term))
        return CS_XS_BAD_ARG;
    return guard(nullptr, [&] {
        doc->doc.add_term(term, wdf_inc);
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_doc_add_boolean(cs_xs_doc *doc, const char *term)
{
    if (!doc || !term_ok(term))
        return CS_XS_BAD_ARG;
    return guard(nullptr, [&] {
        doc->doc.add_boolean_term(term);
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_doc_set_value(cs_xs_doc *doc, unsigned slot,
                                   const char *value, size_t len)
{
    if (!doc || (!value && len))
        return CS_XS_BAD_ARG;
    return guard(nullptr, [&] {
        doc->doc.add_value(slot, std::string(value ? value : "", len));
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_doc_add_spelling(cs_xs_doc *doc, const char *word)
{
    if (!doc || !term_ok(word))
        return CS_XS_BAD_ARG;
    return guard(nullptr, [&] {
        ++doc->spelling[word];
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_doc_set_data(cs_xs_doc *doc, const char *data, size_t len)
{
    if (!doc || (!data && len))
        return CS_XS_BAD_ARG;
    return guard(nullptr, [&] {
        doc->doc.set_data(std::string(data ? data : "", len));
        return CS_XS_OK;
    });
}

size_t cs_xs_stem(const char *word, size_t len, char *out, size_t cap)
{
    if (!word || !out || cap == 0)
        return 0;
    size_t n = 0;
    guard(nullptr, [&] {
        thread_local Xapian::Stem stemmer("english");
        std::string s = stemmer(std::string(word, len));
        if (s.size() < cap) {
            std::memcpy(out, s.data(), s.size());
            out[s.size()] = '\0';
            n = s.size();
        }
        return CS_XS_OK;
    });
    return n;
}

/* Writing ----------------------------------------------------------------- */

cs_xs_status cs_xs_writer_open(const char *path, int mode, const char *id_prefix,
                               cs_xs_writer **out, cs_err *err)
{
    std::string msg;
    cs_xs_writer *w = nullptr;
    cs_err_clear(err);
    if (!out)
        return CS_XS_BAD_ARG;
    *out = nullptr;
    if (!path || !id_prefix)
        return CS_XS_BAD_ARG;
    cs_xs_status st = guard(&msg, [&] {
        int flags = mode == CS_XS_OVERWRITE ? Xapian::DB_CREATE_OR_OVERWRITE
                  : mode == CS_XS_SCRATCH   ? Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC
                                            : Xapian::DB_CREATE_OR_OPEN;
        w = new cs_xs_writer{Xapian::WritableDatabase(path, flags), id_prefix, std::string(), {},
                             mode == CS_XS_SCRATCH,
                             mode == CS_XS_OVERWRITE || mode == CS_XS_SCRATCH, {}};
        return CS_XS_OK;
    });
    if (st != CS_XS_OK) {
        delete w;
        open_error(err, st, msg);
        return st;
    }
    *out = w;
    return CS_XS_OK;
}

cs_xs_status cs_xs_writer_close(cs_xs_writer *w)
{
    if (!w)
        return CS_XS_OK;
    cs_xs_status st = guard(&w->err, [&] {
        flush_spelling(w);
        w->db.close();      // commits pending changes
        return CS_XS_OK;
    });
    delete w;
    return st;
}

const char *cs_xs_writer_last_error(const cs_xs_writer *w)
{
    return w ? w->err.c_str() : "no writer";
}

cs_xs_status cs_xs_writer_replace(cs_xs_writer *w, const cs_xs_doc *doc)
{
    if (!w || !doc)
        return CS_XS_BAD_ARG;
    return guard(&w->err, [&] {
        // Never in place: the daemon's facet tables (FacetTable) take a
        // document id's values to be fixed for as long as the id exists.
        if (!w->fresh || !w->added.insert(std::hash<std::string>{}(doc->idterm)).second)
            w->db.delete_document(doc->idterm);
        w->db.add_document(doc->doc);
        for (const auto &word : doc->spelling)
            w->spelling[word.first] += word.second;
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_writer_delete(cs_xs_writer *w, const char *id)
{
    if (!w || !id)
        return CS_XS_BAD_ARG;
    return guard(&w->err, [&] {
        std::string idterm = w->idprefix + id;
        if (!w->db.term_exists(idterm))
            return CS_XS_NOT_FOUND;
        w->db.delete_document(idterm);
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_writer_get_value(cs_xs_writer *w, const char *id,
                                      unsigned slot, char **out, size_t *len)
{
    if (!w || !id || !out)
        return CS_XS_BAD_ARG;
    *out = nullptr;
    return guard(&w->err, [&] {
        Xapian::docid did = find_doc(w->db, w->idprefix + id);
        if (!did)
            return CS_XS_NOT_FOUND;
        std::string v = w->db.get_document(did).get_value(slot);
        *out = dup_message(v);
        if (!*out)
            return CS_XS_NO_MEMORY;
        if (len)
            *len = v.size();
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_writer_set_metadata(cs_xs_writer *w, const char *key,
                                         const char *value)
{
    if (!w || !key || !*key || !value)
        return CS_XS_BAD_ARG;
    return guard(&w->err, [&] {
        w->db.set_metadata(key, value);
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_writer_commit(cs_xs_writer *w)
{
    if (!w)
        return CS_XS_BAD_ARG;
    return guard(&w->err, [&] {
        flush_spelling(w);
        w->db.commit();
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_writer_pass_spelling(cs_xs_writer *from, cs_xs_writer *to)
{
    if (!from || !to || from == to)
        return CS_XS_BAD_ARG;
    return guard(&to->err, [&] {
        if (to->spelling.empty()) {
            to->spelling.swap(from->spelling);
        } else {
            for (const auto &word : from->spelling)
                to->spelling[word.first] += word.second;
            from->spelling.clear();
        }
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_writer_doccount(cs_xs_writer *w, unsigned *out)
{
    if (!w || !out)
        return CS_XS_BAD_ARG;
    return guard(&w->err, [&] {
        *out = w->db.get_doccount();
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_compact(const char *const *srcs, size_t n, const char *dest,
                           cs_err *err)
{
    std::string msg;
    cs_err_clear(err);
    if (!srcs || n == 0 || !dest)
        return CS_XS_BAD_ARG;
    cs_xs_status st = guard(&msg, [&] {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++)
            all.add_database(Xapian::Database(srcs[i]));
        // Documents keep their order within a source; ids are renumbered,
        // which is right for a new database: nothing holds its ids yet.
        // FULL, not FULLER: Xapian advises against FULLER's oversize items
        // for a database that is updated later, as ours is; on news.jsonl
        // the two took the same time and FULL's index was no larger.
        all.compact(dest, Xapian::DBCOMPACT_MULTIPASS | Xapian::Compactor::FULL);
        return CS_XS_OK;
    });
    if (st != CS_XS_OK)
        open_error(err, st, msg);
    return st;
}

/* Queries ----------------------------------------------------------------- */

static cs_xs_query *wrap(Xapian::Query &&q)
{
    return new (std::nothrow) cs_xs_query{std::move(q)};
}

cs_xs_query *cs_xs_query_term(const char *term, unsigned wqf, unsigned pos)
{
    if (!term_ok(term))
        return nullptr;
    cs_xs_query *q = nullptr;
    guard(nullptr, [&] {
        q = wrap(Xapian::Query(term, wqf ? wqf : 1, pos));
        return CS_XS_OK;
    });
    return q;
}

// Xapian::Query::MatchAll and MatchNothing are shared static objects whose
// reference counts are not atomic: copying them from several threads at once
// corrupts them.  Build fresh equivalents instead: the empty term matches
// every document, and a default-constructed query matches none.
static Xapian::Query match_all()
{
    return Xapian::Query(std::string());
}

cs_xs_query *cs_xs_query_match_all(void)
{
    cs_xs_query *q = nullptr;
    guard(nullptr, [&] {
        q = wrap(match_all());
        return CS_XS_OK;
    });
    return q;
}

cs_xs_query *cs_xs_query_match_nothing(void)
{
    cs_xs_query *q = nullptr;
    guard(nullptr, [&] {
        q = wrap(Xapian::Query());
        return CS_XS_OK;
    });
    return q;
}

cs_xs_query *cs_xs_query_prefix(const char *prefix, unsigned max)
{
    if (!term_ok(prefix) || max == 0)
        return nullptr;
    cs_xs_query *q = nullptr;
    guard(nullptr, [&] {
        q = wrap(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max,
                               Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT,
                               Xapian::Query::OP_SYNONYM));
        return CS_XS_OK;
    });
    return q;
}

cs_xs_query *cs_xs_query_combine(cs_xs_op op, cs_xs_query *const *subs,
                                   size_t n, unsigned window)
{
    Xapian::Query::op xop;
    switch (op) {
    case CS_XS_OP_AND: xop = Xapian::Query::OP_AND; break;
    case CS_XS_OP_OR: xop = Xapian::Query::OP_OR; break;
    case CS_XS_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
    case CS_XS_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
    case CS_XS_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
    case CS_XS_OP_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
    case CS_XS_OP_NEAR: xop = Xapian::Query::OP_NEAR; break;
    case CS_XS_OP_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
    case CS_XS_OP_ELITE_SET: xop = Xapian::Query::OP_ELITE_SET; break;
    default: return nullptr;
    }
    cs_xs_query *q = nullptr;
    guard(nullptr, [&] {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++)
            if (subs[i])
                v.push_back(subs[i]->q);
        // Xapian's AND_NOT, AND_MAYBE and FILTER are binary: the first
        // subquery against the OR (or AND, for FILTER) of the rest.
        if ((op == CS_XS_OP_AND_NOT || op == CS_XS_OP_AND_MAYBE ||
             op == CS_XS_OP_FILTER) && v.size() > 2) {
            Xapian::Query rest(op == CS_XS_OP_FILTER ? Xapian::Query::OP_AND
                                                      : Xapian::Query::OP_OR,
                               v.begin() + 1, v.end());
            q = wrap(Xapian::Query(xop, v[0], rest));
        } else {
            q = wrap(Xapian::Query(xop, v.begin(), v.end(), window));
        }
        return CS_XS_OK;
    });
    return q;
}

cs_xs_query *cs_xs_query_value_range(unsigned slot, const char *lo, const char *hi)
{
    cs_xs_query *q = nullptr;
    guard(nullptr, [&] {
        if (lo && hi)
            q = wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi));
        else if (lo)
            q = wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo));
        else if (hi)
            q = wrap(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi));
        else
            q = wrap(match_all());
        return CS_XS_OK;
    });
    return q;
}

cs_xs_query *cs_xs_query_scale(const cs_xs_query *sub, double factor)
{
    if (!sub || !(factor >= 0))
        return nullptr;
    cs_xs_query *q = nullptr;
    guard(nullptr, [&] {
        q = wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, sub->q, factor));
        return CS_XS_OK;
    });
    return q;
}

char *cs_xs_query_describe(const cs_xs_query *q)
{
    char *s = nullptr;
    if (!q)
        return nullptr;
    guard(nullptr, [&] {
        s = dup_message(q->q.get_description());
        return CS_XS_OK;
    });
    return s;
}

void cs_xs_query_free(cs_xs_query *q)
{
    delete q;
}

/* Reading ----------------------------------------------------------------- */

// A reader of the database at path, or (empty) of an empty in-memory one
// standing for it: Enquire's documentation advises that for "no database
// yet", and every search simply finds nothing.
static cs_xs_status reader_open(const char *path, const char *id_prefix, bool empty,
                                cs_xs_reader **out, cs_err *err)
{
    std::string msg;
    cs_xs_reader *r = nullptr;
    cs_err_clear(err);
    if (!out)
        return CS_XS_BAD_ARG;
    *out = nullptr;
    if (!path || !id_prefix)
        return CS_XS_BAD_ARG;
    cs_xs_status st = guard(&msg, [&] {
        r = new cs_xs_reader;
        r->path = path;
        r->idprefix = id_prefix;
        r->db = empty ? Xapian::Database(std::string(), Xapian::DB_BACKEND_INMEMORY)
                      : Xapian::Database(path);
        r->empty = empty;
        return CS_XS_OK;
    });
    if (st != CS_XS_OK) {
        delete r;
        open_error(err, st, msg);
        return st;
    }
    *out = r;
    return CS_XS_OK;
}

cs_xs_status cs_xs_reader_open(const char *path, const char *id_prefix, cs_xs_reader **out,
                               cs_err *err)
{
    return reader_open(path, id_prefix, false, out, err);
}

cs_xs_status cs_xs_reader_open_empty(const char *path, const char *id_prefix, cs_xs_reader **out)
{
    return reader_open(path, id_prefix, true, out, nullptr);
}

void cs_xs_reader_close(cs_xs_reader *r)
{
    delete r;
}

const char *cs_xs_reader_last_error(const cs_xs_reader *r)
{
    return r ? r->err.c_str() : "no reader";
}

cs_xs_status cs_xs_reader_refresh(cs_xs_reader *r, int reopen_path, int *changed)
{
    if (!r)
        return CS_XS_BAD_ARG;
    if (changed)
        *changed = 0;
    return guard(&r->err, [&] {
        if (reopen_path) {
            // Open the new database before dropping the old one, so a
            // failed open leaves the reader serving what it had.
            Xapian::Database fresh(r->path);
            r->db = fresh;
            r->empty = false;
            r->columns.clear();
            r->hit_columns.clear();
            r->columns_uuid.clear();
            if (changed)
                *changed = 1;
        } else {
            bool c = r->db.reopen();
            if (changed)
                *changed = c ? 1 : 0;
        }
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_reader_doccount(cs_xs_reader *r, unsigned *out)
{
    if (!r || !out)
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        *out = r->db.get_doccount();
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_reader_get(cs_xs_reader *r, const char *id,
                                const char **data, size_t *len)
{
    if (!r || !id || !data)
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        Xapian::docid did = find_doc(r->db, r->idprefix + id);
        if (!did)
            return CS_XS_NOT_FOUND;
        r->scratch = r->db.get_document(did).get_data();
        *data = r->scratch.c_str();
        if (len)
            *len = r->scratch.size();
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_reader_metadata(cs_xs_reader *r, const char *key,
                                     const char **value)
{
    if (!r || !key || !*key || !value)
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        r->scratch = r->db.get_metadata(key);
        *value = r->scratch.c_str();
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_reader_terms(cs_xs_reader *r, const char *prefix,
                                  size_t max, cs_xs_term_fn fn, void *ctx,
                                  int *more)
{
    if (!r || !prefix || !fn)
        return CS_XS_BAD_ARG;
    if (more)
        *more = 0;
    return reader_guard(r, [&] {
        size_t plen = std::strlen(prefix), n = 0;
        for (Xapian::TermIterator t = r->db.allterms_begin(prefix);
             t != r->db.allterms_end(prefix); ++t) {
            if (n++ == max) {
                if (more)
                    *more = 1;
                break;
            }
            const std::string &term = *t;
            fn(ctx, term.c_str() + plen, term.size() - plen, t.get_termfreq());
        }
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_reader_termfreq(cs_xs_reader *r, const char *term, unsigned *out)
{
    if (!r || !term || !out)
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        *out = r->db.get_termfreq(term);
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_reader_spell(cs_xs_reader *r, const char *word, const char **out)
{
    if (!r || !word || !out)
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        r->scratch = r->db.get_spelling_suggestion(word, 2);
        *out = r->scratch.c_str();
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_reader_prepare_facets(cs_xs_reader *r, const unsigned *slots, size_t n,
                                          size_t *bytes)
{
    if (!r || (!slots && n) || n > CS_XS_MAX_FACETS)
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        r->prepared = slot_set(slots, n);
        size_t sum = r->prepared.empty() ? 0 : table_of(r, r->prepared)->bytes();
        if (bytes)
            *bytes = sum;
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_reader_prepare_hits(cs_xs_reader *r, unsigned slot, size_t max_bytes,
                                        size_t *bytes)
{
    if (!r)
        return CS_XS_BAD_ARG;
    if (bytes)
        *bytes = 0;
    cs_xs_status st = reader_guard(r, [&] {
        r->hits = HitKey{ slot, max_bytes };
        const HitTable *t = hits_of(r);
        if (bytes)
            *bytes = t ? t->bytes() : 0;
        return CS_XS_OK;
    });
    if (st != CS_XS_OK)
        forget_hits(r);
    return st;
}

// The documents holding q (tf, at most) and the positions they hold of
// it (cf): a term's own statistics, summed over an OR or a synonym (a
// wildcard's expansion).
static void term_stats(const Xapian::Database &db, const Xapian::Query &q, double *tf, double *cf)
{
    if (q.get_type() == Xapian::Query::LEAF_TERM) {
        Xapian::TermIterator t = q.get_terms_begin();
        if (t != q.get_terms_end()) {
            *tf += db.get_termfreq(*t);
            *cf += db.get_collection_freq(*t);
        }
        return;
    }
    for (size_t i = 0; i < q.get_num_subqueries(); i++)
        term_stats(db, q.get_subquery(i), tf, cf);
}

// The most documents q may match (cs_xs_search_opts.max_matches).
static double matches_bound(const Xapian::Database &db, const Xapian::Query &q)
{
    double all = db.get_doccount();
    size_t n = q.get_num_subqueries();
    switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM: {
        Xapian::TermIterator t = q.get_terms_begin();
        return t != q.get_terms_end() ? db.get_termfreq(*t) : 0;
    }
    case Xapian::Query::LEAF_MATCH_NOTHING:
        return 0;
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_FILTER:
    case Xapian::Query::OP_PHRASE:
    case Xapian::Query::OP_NEAR: {
        double m = all;
        for (size_t i = 0; i < n; i++)
            m = std::min(m, matches_bound(db, q.get_subquery(i)));
        return m;
    }
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_AND_MAYBE:
    case Xapian::Query::OP_SCALE_WEIGHT:
        return n ? matches_bound(db, q.get_subquery(0)) : all;
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_XOR:
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_ELITE_SET:
    case Xapian::Query::OP_MAX: {
        double m = 0;
        for (size_t i = 0; i < n && m < all; i++)
            m += matches_bound(db, q.get_subquery(i));
        return std::min(m, all);
    }
    default:
        return all;
    }
}

static double positional_work(const Xapian::Database &db, const Xapian::Query &q)
{
    Xapian::Query::op op = q.get_type();
    size_t n = q.get_num_subqueries();
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR) {
        double candidates = -1, per_candidate = 0;
        for (size_t i = 0; i < n; i++) {
            double tf = 0, cf = 0;
            term_stats(db, q.get_subquery(i), &tf, &cf);
            if (candidates < 0 || tf < candidates)
                candidates = tf;
            if (tf > 0)
                per_candidate += cf / tf;
        }
        return candidates > 0 ? candidates * per_candidate : 0;
    }
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w += positional_work(db, q.get_subquery(i));
    return w;
}

cs_xs_status cs_xs_positional_work(cs_xs_reader *r, const cs_xs_query *q, double *work)
{
    if (!r || !q || !work)
        return CS_XS_BAD_ARG;
    *work = 0;
    return reader_guard(r, [&] {
        *work = positional_work(r->db, q->q);
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_query_cost(cs_xs_reader *r, const cs_xs_query *q, double *postings,
                              double *positions)
{
    if (!r || !q || !postings || !positions)
        return CS_XS_BAD_ARG;
    *postings = *positions = 0;
    return reader_guard(r, [&] {
        double tf = 0, cf = 0;
        term_stats(r->db, q->q, &tf, &cf);
        *postings = tf;
        *positions = positional_work(r->db, q->q);
        return CS_XS_OK;
    });
}

static void run_search(cs_xs_reader *r, const cs_xs_search_opts *o,
                       cs_xs_results *res)
{
    Xapian::Enquire enq(r->db);
    enq.set_query(o->query->q);
    if (o->bm25_k1 > 0 || o->bm25_b > 0) {
        double k1 = o->bm25_k1 > 0 ? o->bm25_k1 : 1.0;
        double b = o->bm25_b > 0 ? o->bm25_b : 0.5;
        enq.set_weighting_scheme(Xapian::BM25Weight(k1, 0, 1, b, 0.5));
    }
    if (o->sort == CS_XS_SORT_VALUE_DESC)
        enq.set_sort_by_value_then_relevance(o->sort_slot, true);
    else if (o->sort == CS_XS_SORT_VALUE_ASC)
        enq.set_sort_by_value_then_relevance(o->sort_slot, false);
    if (o->time_limit > 0)
        enq.set_time_limit(o->time_limit);

    // The prepared table when it holds every slot asked for, else one of
    // just those; want[k] is the k-th slot's place in it.
    std::vector<unsigned> asked = slot_set(o->facet_slots, o->nfacets);
    bool prepared = std::includes(r->prepared.begin(), r->prepared.end(), asked.begin(),
                                  asked.end());
    const FacetTable *table = o->nfacets ? table_of(r, prepared ? r->prepared : asked) : nullptr;
    std::vector<unsigned> want;
    for (size_t k = 0; k < o->nfacets; k++)
        want.push_back(static_cast<unsigned>(
            std::lower_bound(table->slots.begin(), table->slots.end(), o->facet_slots[k]) -
            table->slots.begin()));
    ColumnCounter spy(table, want);
    if (table)
        enq.add_matchspy(&spy);

    Xapian::doccount check = o->offset + o->limit;
    if (o->exact_total || table)
        check = std::max(check, r->db.get_doccount());
    Xapian::MSet mset = enq.get_mset(o->offset, o->limit, check);

    res->data.clear();
    res->weights.clear();
    res->docids.clear();
    const HitTable *ht = nullptr;
    if (o->data_slot && o->data_slot == r->hits.slot) {
        // A table that cannot be made (out of memory) leaves the hits to
        // the database; Xapian's errors are not std::exceptions and go on
        // to reader_guard.
        try {
            ht = hits_of(r);
        } catch (const std::exception &) {
            forget_hits(r);
        }
    }
    for (Xapian::MSetIterator m = mset.begin(); m != mset.end(); ++m) {
        res->docids.push_back(*m);
        res->weights.push_back(m.get_weight());
        if (ht && *m <= ht->last) {
            res->data.emplace_back(ht->text, ht->start[*m], ht->start[*m + 1] - ht->start[*m]);
            res->memory_hits++;
        } else if (o->data_slot)
            res->data.push_back(m.get_document().get_value(o->data_slot));
        else
            res->data.push_back(m.get_document().get_data());
    }
    res->total = mset.get_matches_estimated();
    res->exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();

    res->facet_strings.assign(o->nfacets, {});
    res->facets.assign(o->nfacets, {});
    for (size_t k = 0; k < o->nfacets; k++) {
        auto v = spy.counts(k);
        auto order = [](const auto &a, const auto &b) {
            return a.second != b.second ? a.second > b.second : *a.first < *b.first;
        };
        // Only the most frequent values are wanted: sort just those.
        size_t keep = o->facet_limit && o->facet_limit < v.size() ? o->facet_limit : v.size();
        std::partial_sort(v.begin(), v.begin() + keep, v.end(), order);
        v.resize(keep);
        auto &strs = res->facet_strings[k];
        strs.reserve(v.size());
        for (auto &p : v)
            strs.push_back(*p.first);
        for (size_t i = 0; i < v.size(); i++)
            res->facets[k].push_back({strs[i].c_str(), v[i].second});
    }
}

cs_xs_status cs_xs_search(cs_xs_reader *r, const cs_xs_search_opts *opts,
                            cs_xs_results **out)
{
    if (!r || !opts || !opts->query || !out || opts->nfacets > CS_XS_MAX_FACETS)
        return CS_XS_BAD_ARG;
    *out = nullptr;
    cs_xs_results *res = nullptr;
    cs_xs_status st = reader_guard(r, [&] {
        delete res;                 // a retry starts from empty results
        res = nullptr;
        if (opts->max_positional_work > 0) {
            double work = positional_work(r->db, opts->query->q);
            if (work > opts->max_positional_work) {
                char msg[160];
                snprintf(msg, sizeof msg, "its phrases and NEARs would read about %.0f word "
                         "positions, more than the limit of %.0f", work,
                         opts->max_positional_work);
                r->err = msg;
                return CS_XS_TOO_COSTLY;
            }
        }
        if (opts->max_matches > 0) {
            double m = matches_bound(r->db, opts->query->q);
            if (m > opts->max_matches) {
                char msg[160];
                snprintf(msg, sizeof msg, "it may match %.0f documents, more than the limit "
                         "of %.0f", m, opts->max_matches);
                r->err = msg;
                return CS_XS_TOO_COSTLY;
            }
        }
        res = new cs_xs_results;
        run_search(r, opts, res);
        return CS_XS_OK;
    });
    if (st != CS_XS_OK) {
        delete res;
        return st;
    }
    *out = res;
    return CS_XS_OK;
}

void cs_xs_results_free(cs_xs_results *res)
{
    delete res;
}

size_t cs_xs_results_size(const cs_xs_results *res)
{
    return res ? res->data.size() : 0;
}

size_t cs_xs_results_memory_hits(const cs_xs_results *res)
{
    return res ? res->memory_hits : 0;
}

unsigned cs_xs_results_total(const cs_xs_results *res, int *exact)
{
    if (exact)
        *exact = res ? res->exact : 1;
    return res ? res->total : 0;
}

void cs_xs_results_hit(const cs_xs_results *res, size_t i, cs_xs_hit *out)
{
    if (!res || !out || i >= res->data.size())
        return;
    out->docid = res->docids[i];
    out->weight = res->weights[i];
    out->data = res->data[i].data();
    out->len = res->data[i].size();
}

size_t cs_xs_results_facet(const cs_xs_results *res, size_t k,
                            const cs_xs_facet_value **values)
{
    if (!res || k >= res->facets.size()) {
        if (values)
            *values = nullptr;
        return 0;
    }
    if (values)
        *values = res->facets[k].data();
    return res->facets[k].size();
}

cs_xs_status cs_xs_reader_expand(cs_xs_reader *r, const char *const *ids,
                                   size_t nids, size_t max,
                                   cs_xs_eterm_fn fn, void *ctx)
{
    if (!r || (!ids && nids) || !fn)
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        Xapian::RSet rset;
        for (size_t i = 0; i < nids; i++) {
            Xapian::docid did = find_doc(r->db, r->idprefix + ids[i]);
            if (did)
                rset.add_document(did);
        }
        if (rset.empty())
            return CS_XS_NOT_FOUND;
        Xapian::Enquire enq(r->db);
        WordsOnly decider;
        Xapian::ESet eset = enq.get_eset(max, rset, &decider);
        for (Xapian::ESetIterator e = eset.begin(); e != eset.end(); ++e)
            fn(ctx, (*e).c_str(), e.get_weight());
        return CS_XS_OK;
    });
}

cs_xs_status cs_xs_results_expand(cs_xs_reader *r, const cs_xs_results *res,
                                    size_t ndocs, size_t max,
                                    cs_xs_eterm_fn fn, void *ctx)
{
    if (!r || !res || !fn)
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        Xapian::RSet rset;
        for (size_t i = 0; i < ndocs && i < res->docids.size(); i++)
            rset.add_document(res->docids[i]);
        if (rset.empty())
            return CS_XS_NOT_FOUND;
        Xapian::Enquire enq(r->db);
        WordsOnly decider;
        Xapian::ESet eset = enq.get_eset(max, rset, &decider);
        for (Xapian::ESetIterator e = eset.begin(); e != eset.end(); ++e)
            fn(ctx, (*e).c_str(), e.get_weight());
        return CS_XS_OK;
    });
}

}  // extern "C"
