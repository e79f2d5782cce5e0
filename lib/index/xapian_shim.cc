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
#include <unordered_map>
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
};

static void flush_spelling(cs_xs_writer *w)
{
    for (const auto &word : w->spelling)
        w->db.add_spelling(word.first, word.second);
    w->spelling.clear();
}

// One facet slot's values over a database, as columns: for each document
// id d, the ids of its values are ids[start[d] .. start[d + 1]), and
// names[id] is the value.  Made from the documents of one revision (base)
// and extended with those added after it; immutable once made, so every
// reader of that database shares it without locks.  It is right for any
// revision from base on, because the writer never changes a document
// under its id: a changed article is deleted and added again
// (cs_xs_writer_replace), so every document such a revision holds was
// there at base or added after it, and a deleted one's entry is never
// matched.
struct SlotColumn {
    std::string uuid;
    Xapian::rev base = 0;
    Xapian::docid last = 0;                 // the highest id covered
    std::vector<uint32_t> start;            // last + 2 entries
    std::vector<uint32_t> ids;
    std::vector<std::string> names;
    std::unordered_map<std::string, uint32_t> index;

    size_t bytes() const {
        size_t n = start.capacity() * sizeof(uint32_t) + ids.capacity() * sizeof(uint32_t);
        for (const auto &v : names)
            n += sizeof(std::string) + v.capacity() + sizeof(uint32_t) + 2 * sizeof(void *);
        return n;
    }
};

struct cs_xs_reader {
    std::string path;
    std::string idprefix;       // the unique-id term's prefix, from the caller
    Xapian::Database db;
    std::string err;
    std::string scratch;
    // The facet columns this reader has checked against its database,
    // by slot, and the revision and UUID it checked them at.
    std::map<unsigned, std::shared_ptr<const SlotColumn>> columns;
    Xapian::rev columns_rev = 0;
    std::string columns_uuid;
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

// Counts the values of some facet slots over the documents it is shown,
// from their columns: a few array reads per document.  The counts live in
// per-thread arrays indexed by value id, and only the ids a search
// touched are read back and cleared.
class ColumnCounter : public Xapian::MatchSpy {
  public:
    explicit ColumnCounter(std::vector<const SlotColumn *> cols)
        : cols_(std::move(cols)), touched_(cols_.size()) {
        thread_local std::vector<std::vector<unsigned>> scratch;
        if (scratch.size() < cols_.size())
            scratch.resize(cols_.size());
        for (size_t k = 0; k < cols_.size(); k++)
            if (scratch[k].size() < cols_[k]->names.size())
                scratch[k].resize(cols_[k]->names.size());
        counts_ = &scratch;
    }
    ~ColumnCounter() override {
        for (size_t k = 0; k < cols_.size(); k++)
            for (uint32_t id : touched_[k])
                (*counts_)[k][id] = 0;
    }

    void operator()(const Xapian::Document &doc, double) override {
        Xapian::docid d = doc.get_docid();
        for (size_t k = 0; k < cols_.size(); k++) {
            const SlotColumn &c = *cols_[k];
            if (d > c.last)
                continue;
            std::vector<unsigned> &n = (*counts_)[k];
            for (uint32_t i = c.start[d]; i < c.start[d + 1]; i++)
                if (n[c.ids[i]]++ == 0)
                    touched_[k].push_back(c.ids[i]);
        }
    }

    // The values of facet k with their counts.
    std::vector<std::pair<const std::string *, unsigned>> counts(size_t k) const {
        std::vector<std::pair<const std::string *, unsigned>> v;
        v.reserve(touched_[k].size());
        for (uint32_t id : touched_[k])
            v.emplace_back(&cols_[k]->names[id], (*counts_)[k][id]);
        return v;
    }

  private:
    std::vector<const SlotColumn *> cols_;
    std::vector<std::vector<uint32_t>> touched_;
    std::vector<std::vector<unsigned>> *counts_;
};

// Add the values of slot to column c for the documents of db from id
// c->last + 1 on.
void extend_column(const Xapian::Database &db, unsigned slot, SlotColumn *c)
{
    Xapian::docid from = c->last + 1, last = db.get_lastdocid();
    if (last < from)
        return;
    if (c->start.empty())
        c->start.assign(1, 0);          // id 0 holds nothing
    c->start.resize(last + 2, static_cast<uint32_t>(c->ids.size()));
    Xapian::docid d = from;
    for (Xapian::ValueIterator v = db.valuestream_begin(slot); v != db.valuestream_end(slot); ) {
        if (v.get_docid() < from) {
            v.skip_to(from);
            continue;
        }
        for (; d <= v.get_docid(); d++)
            c->start[d] = static_cast<uint32_t>(c->ids.size());
        const std::string value = *v;
        size_t b = 0;
        while (b < value.size()) {
            size_t e = value.find(CS_XS_VALUE_SEP, b);
            if (e == std::string::npos)
                e = value.size();
            if (e > b) {
                std::string name = value.substr(b, e - b);
                auto it = c->index.find(name);
                if (it == c->index.end()) {
                    it = c->index.emplace(name, static_cast<uint32_t>(c->names.size())).first;
                    c->names.push_back(std::move(name));
                }
                c->ids.push_back(it->second);
            }
            b = e + 1;
        }
        ++v;
    }
    for (; d <= last + 1; d++)
        c->start[d] = static_cast<uint32_t>(c->ids.size());
    c->last = last;
}

// The latest column made of each database (by UUID) and slot; an entry
// lives as long as a reader holds it.
std::mutex columns_lock;
std::map<std::pair<std::string, unsigned>, std::weak_ptr<const SlotColumn>> columns_made;

// The column of slot for reader r's database at its revision: its own
// while it covers every document, else the shared one when that does,
// else one made by extending the more complete of the two (or from
// nothing), which becomes the shared one.
const SlotColumn *column_of(cs_xs_reader *r, unsigned slot)
{
    Xapian::rev rev = r->db.get_revision();
    Xapian::docid last = r->db.get_lastdocid();
    if (rev != r->columns_rev || r->columns_uuid.empty()) {
        std::string uuid = r->db.get_uuid();
        // Another database, or this one made again (its revisions start
        // over): nothing of the old columns holds.
        if (uuid != r->columns_uuid || rev < r->columns_rev)
            r->columns.clear();
        r->columns_uuid = uuid;
        r->columns_rev = rev;
    }
    std::shared_ptr<const SlotColumn> &mine = r->columns[slot];
    if (mine && mine->last >= last)
        return mine.get();
    std::lock_guard<std::mutex> hold(columns_lock);
    std::weak_ptr<const SlotColumn> &entry = columns_made[std::make_pair(r->columns_uuid, slot)];
    std::shared_ptr<const SlotColumn> shared = entry.lock();
    if (shared && shared->base <= rev && (!mine || shared->last > mine->last))
        mine = shared;
    if (mine && mine->last >= last)
        return mine.get();
    std::shared_ptr<SlotColumn> made;
    if (mine) {
        made = std::make_shared<SlotColumn>(*mine);
    } else {
        made = std::make_shared<SlotColumn>();
        made->uuid = r->columns_uuid;
        made->base = rev;
    }
    extend_column(r->db, slot, made.get());
    mine = made;
    entry = mine;
    for (auto it = columns_made.begin(); it != columns_made.end();)
        it = it->second.expired() ? columns_made.erase(it) : std::next(it);
    return mine.get();
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
                                             : Xapian::DB_CREATE_OR_OPEN;
        w = new cs_xs_writer{Xapian::WritableDatabase(path, flags), id_prefix, std::string(), {}};
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
        // Never in place: the daemon's facet columns (SlotColumn) take a
        // document id's values to be fixed for as long as the id exists.
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

cs_xs_status cs_xs_writer_doccount(cs_xs_writer *w, unsigned *out)
{
    if (!w || !out)
        return CS_XS_BAD_ARG;
    return guard(&w->err, [&] {
        *out = w->db.get_doccount();
        return CS_XS_OK;
    });
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

cs_xs_status cs_xs_reader_open(const char *path, const char *id_prefix, cs_xs_reader **out,
                               cs_err *err)
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
        r->db = Xapian::Database(path);
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
            r->columns.clear();
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
    if (!r || (!slots && n))
        return CS_XS_BAD_ARG;
    return reader_guard(r, [&] {
        size_t sum = 0;
        for (size_t k = 0; k < n; k++)
            sum += column_of(r, slots[k])->bytes();
        if (bytes)
            *bytes = sum;
        return CS_XS_OK;
    });
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

    std::vector<const SlotColumn *> cols;
    for (size_t k = 0; k < o->nfacets; k++)
        cols.push_back(column_of(r, o->facet_slots[k]));
    ColumnCounter spy(cols);
    if (!cols.empty())
        enq.add_matchspy(&spy);

    Xapian::doccount check = o->offset + o->limit;
    if (o->exact_total || !cols.empty())
        check = std::max(check, r->db.get_doccount());
    Xapian::MSet mset = enq.get_mset(o->offset, o->limit, check);

    res->data.clear();
    res->weights.clear();
    res->docids.clear();
    for (Xapian::MSetIterator m = mset.begin(); m != mset.end(); ++m) {
        res->docids.push_back(*m);
        res->weights.push_back(m.get_weight());
        if (o->data_slot)
            res->data.push_back(m.get_document().get_value(o->data_slot));
        else
            res->data.push_back(m.get_document().get_data());
    }
    res->total = mset.get_matches_estimated();
    res->exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();

    res->facet_strings.assign(cols.size(), {});
    res->facets.assign(cols.size(), {});
    for (size_t k = 0; k < cols.size(); k++) {
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

}  // extern "C"
