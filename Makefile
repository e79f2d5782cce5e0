# ccgsearch: one plain Makefile.
#
#   make          install missing Debian packages, build bin/ and the client library
#   make check    build, then run every test twice: as built and under
#                 AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo     build, index the default corpus, start the daemon, query, stop
#   make bench    the daemon against Sphinx (not part of check); see README
#   make bench-index    indexing speed against Xapian's scriptindex
#   make bench-scale    how cost grows with 1x, 4x and 16x the news corpus
#   make eval-entities  entity extraction F1 against the gold files
#   make eval-ranking   nDCG on the Cranfield collection against Xapian and FTS5
#   make fuzz     every libFuzzer target of tests/fuzz for FUZZ_SECONDS (60) each;
#                 fails on any finding (make check replays their seeds once)
#   make build, make tests   build only (no dependency check)
#   make clean    remove build/ and bin/
#   make install, make uninstall   PREFIX (default /usr/local) and DESTDIR;
#                 the layout is in README ("Install")
#
# Variables: BUILD (object directory), BIN (program directory) and SAN=1
# (sanitizer build) let check build a second, instrumented copy beside the
# first without touching it; FUZZ=1 (with CC=clang CXX=clang++) is the
# libFuzzer build of build/fuzz/, which `make fuzz-build` makes.

CC ?= cc
CXX ?= c++
BUILD ?= build
BIN ?= bin
SAN ?=

PKGS := xapian-core libevent libevent_pthreads libutf8proc jansson libxml-2.0
# Recursive (=) so pkg-config runs after `deps` has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)
# The indexer allocates and frees a string per term and per posting in
# Xapian's inverter; with jemalloc it spends about 12% less CPU on
# news.jsonl than with glibc's malloc (bench/bench-index).  The sanitizer
# and fuzz builds keep their own allocator, which replaces malloc itself.
INDEXER_MALLOC = $(if $(SAN)$(FUZZ),,$(shell pkg-config --libs jemalloc))

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
ifeq ($(FUZZ),1)
# Everything instrumented for coverage; only the targets link libFuzzer's main.
OPT := -O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN) -fno-omit-frame-pointer
LDFLAGS := -fsanitize=fuzzer $(FUZZ_SAN)
else ifeq ($(SAN),1)
OPT := -O1 $(SAN_FLAGS) -fno-omit-frame-pointer
LDFLAGS := $(SAN_FLAGS)
else
OPT := -O2
LDFLAGS :=
endif

WARN := -Wall -Wextra -Werror
CPPFLAGS := -Iinclude -iquote lib -iquote indexer -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -MMD -MP
CFLAGS := -std=c11 $(OPT) -g $(WARN) -fPIC -fvisibility=hidden
CXXFLAGS := -std=c++17 $(OPT) -g $(WARN) -fPIC -fvisibility=hidden

# lib/ is one folder per stage of the data path (docs/architecture.md);
# lib/client/ is the client library, which shares nothing with the rest.
LAYERS := core index text vocab entities query serve
LIB_SRC := $(foreach l,$(LAYERS),$(wildcard lib/$(l)/*.c))
DATA_FILES := data/ccg_gazetteer.tsv data/ccg_aliases.tsv data/roles.tsv data/places.tsv \
              data/orgs.tsv data/first_names.txt data/stopwords.txt data/synonyms.txt \
              data/abbreviations.txt data/adverbs.txt data/calendar.txt data/civic_roles.txt \
              data/complement_stops.txt data/determiners.tsv data/directions.txt \
              data/name_ends.txt data/not_name_words.txt data/org_connectors.txt data/org_full_names.txt \
              data/org_generic_words.txt data/org_heads.tsv data/parties.txt \
              data/role_starts.txt data/speech_verbs.txt data/role_heads.tsv data/role_modifiers.txt \
              data/place_prepositions.txt \
              data/role_verbs.txt data/appointing_verbs.txt \
              data/post_nouns.txt data/post_verbs.txt data/joint_words.txt \
              data/joining_verbs.txt data/team_words.txt data/team_words_before.txt \
              data/body_plurals.txt
SHIM_SRC := lib/index/xapian_shim.cc
CLIENT_SRC := lib/client/client.c
INDEXER_SRC := indexer/main.c indexer/docbuild.c
SEARCHD_SRC := searchd/main.c searchd/server.c searchd/listen.c searchd/thread.c searchd/conn.c \
               searchd/handler.c searchd/http.c searchd/page.c searchd/stats.c searchd/log.c \
               searchd/pool.c searchd/peers.c
CLI_SRC := cli/main.c
UNIT_SRC := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %,$(BUILD)/%.o,$(basename $(1)))

CORE_LIB := $(BUILD)/libccgcore.a
CLIENT_A := $(BUILD)/libccgsearch.a
CLIENT_SO := $(BUILD)/libccgsearch.so
EMBED := $(BUILD)/tests/embed_example
EXTRACT_SPEED := $(BUILD)/bench/extract_speed
LOADGEN := $(BUILD)/bench/loadgen
PROGRAMS := $(BIN)/ccg-indexer $(BIN)/ccg-searchd $(BIN)/ccg-search
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.SECONDARY:
.SECONDEXPANSION:
.PHONY: all build deps check demo tests clean bench bench-index bench-scale bench-long-query \
        eval-entities eval-ranking fuzz fuzz-build fuzz-targets fuzz-seeds

all: deps
	@$(MAKE) --no-print-directory build

deps:
	@scripts/install-deps

build: $(PROGRAMS) $(CLIENT_A) $(CLIENT_SO)

tests: build $(UNIT_TESTS) $(EMBED) $(EXTRACT_SPEED)

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  CC   $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.cc
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  CXX  $<")
	$(Q)$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(PKG_CFLAGS) -c $< -o $@

# The data files are built into lib/vocab/data.o, the search page into
# searchd/page.o (.incbin, lib/core/embed.h).
$(BUILD)/lib/vocab/data.o: $(DATA_FILES)
$(BUILD)/searchd/page.o: searchd/page.html

$(CORE_LIB): $(call obj,$(LIB_SRC) $(SHIM_SRC))
	@rm -f $@
	$(Q)ar rcs $@ $^

$(CLIENT_A): $(call obj,$(CLIENT_SRC))
	@rm -f $@
	$(Q)ar rcs $@ $^

$(CLIENT_SO): $(call obj,$(CLIENT_SRC)) lib/client/libccgsearch.map
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CC) -shared $(LDFLAGS) -Wl,--version-script=lib/client/libccgsearch.map \
	    -Wl,-soname,libccgsearch.so.1 -o $@.1 $(call obj,$(CLIENT_SRC)) -ljansson
	@ln -sf libccgsearch.so.1 $@

# The embedding example sees only the public header and the shared library.
$(EMBED): tests/embed/embed_example.c $(CLIENT_SO)
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CC) -std=c11 $(OPT) $(WARN) -Iinclude -o $@ $< $(LDFLAGS) \
	    -L$(BUILD) -lccgsearch -Wl,-rpath,$(abspath $(BUILD))

# The programs link with the C++ driver because the shim needs libstdc++.
$(BIN)/ccg-indexer: $(call obj,$(INDEXER_SRC)) $(CORE_LIB)
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(INDEXER_MALLOC)

$(BIN)/ccg-searchd: $(call obj,$(SEARCHD_SRC)) $(CORE_LIB)
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

# The CLI takes cs_term_safe() (lib/core/termsafe.c) from the core library.
$(BIN)/ccg-search: $(call obj,$(CLI_SRC)) $(CLIENT_A) $(CORE_LIB)
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(CORE_LIB) $(CLIENT_A)
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lpthread -lm

$(EXTRACT_SPEED): $(call obj,bench/extract_speed.c) $(CORE_LIB)
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The load generator speaks our protocol, SphinxQL (libmariadb) and, in
# process, the engine itself.
$(BUILD)/bench/loadgen.o: bench/loadgen.c
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  CC   $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(shell pkg-config --cflags libmariadb) -c $< -o $@

$(LOADGEN): $(BUILD)/bench/loadgen.o $(CORE_LIB)
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs libmariadb) -lpthread -lm

# Queries per second against Sphinx and the in-process floor (news corpus).
bench: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory build $(LOADGEN)
	@bench/bench $(BENCH_ARGS)

# Latency of 300-word pasted paragraphs ("match":"any") on the news corpus.
bench-long-query: deps
	@$(MAKE) --no-print-directory build
	@bench/long-query $(BENCH_ARGS)

# Entity extraction scored against the gold files, and its speed.
eval-entities: deps
	@$(MAKE) --no-print-directory build $(EXTRACT_SPEED)
	@scripts/eval-entities

# Indexing speed against Xapian's scriptindex on the news corpus.
bench-index: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory build
	@bench/bench-index $(BENCH_ARGS)

# How cost grows: 1x, 4x and 16x the news corpus.
bench-scale: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory build $(LOADGEN)
	@bench/bench-scale $(BENCH_ARGS)

# Ranking quality on Cranfield against Xapian's BM25 and SQLite FTS5.
eval-ranking: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory build
	@scripts/eval-ranking

# --- fuzzing (tests/fuzz/README.md) -------------------------------------------
# One libFuzzer target per parser, built with clang into build/fuzz/ with the
# library instrumented (FUZZ=1 above).  The seed corpora are written at build
# time from ../shared by scripts/fuzz-seeds into build/fuzz/seeds/<target>/.
FUZZ_BUILD := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_NAMES := line search_req who_req query article_text article_json article_html extract \
              snippet client http stored
# make fuzz FUZZ_TARGETS="line query" runs only those.
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_NAMES))
# The query compiler and snippets need an index: the targets build a tiny
# one at start-up with the indexer's document builder.  The HTTP target
# includes searchd/http.c (its decoders are static) and links the rest of
# the daemon but main.c.
FUZZ_DOCBUILD := $(call obj,indexer/docbuild.c)
FUZZ_SEARCHD := $(call obj,$(filter-out searchd/main.c searchd/http.c,$(SEARCHD_SRC)))
FUZZ_EXTRA_query := $(FUZZ_DOCBUILD)
FUZZ_EXTRA_snippet := $(FUZZ_DOCBUILD)
FUZZ_EXTRA_http := $(FUZZ_SEARCHD)

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $$(FUZZ_EXTRA_$$*) $(CORE_LIB) $(CLIENT_A)
	@$(if $(V),true,echo "  LINK $@")
	$(Q)$(CXX) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

fuzz-targets: $(FUZZ_BINS)

fuzz-seeds:
	@scripts/fuzz-seeds $(FUZZ_BUILD)/seeds

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang CXX=clang++ FUZZ=1 fuzz-targets
	@$(MAKE) --no-print-directory fuzz-seeds

# Each target for FUZZ_SECONDS; fails on any crash, leak or timeout.
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz-run $(FUZZ_TARGETS)

check: deps
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin SAN=1 tests
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/check

demo: deps
	@$(MAKE) --no-print-directory build
	@scripts/demo

# --- install ---------------------------------------------------------------
# The usual variables: PREFIX, DESTDIR (a staging root, prepended to every
# path written), and the directories below, each overridable alone.  The
# version comes from include/ccgsearch/version.h, its one source.  The data
# files need no installing: they are built into the programs.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/ccgsearch
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install
LDCONFIG ?= ldconfig
VERSION := $(shell sed -n 's/^\#define CCGSEARCH_VERSION "\(.*\)"$$/\1/p' include/ccgsearch/version.h)

HEADERS := include/ccgsearch/client.h include/ccgsearch/version.h
MAN_PAGES := man/ccg-indexer.1 man/ccg-search.1 man/ccgsearch.3 man/ccgsearch-protocol.7 \
             man/ccg-searchd.8
DOC_FILES := README.md LICENSE CHANGELOG.md
DOC_DOCS := docs/architecture.md docs/http.md docs/index-format.md docs/protocol.md \
            docs/query-language.md docs/ranking.md docs/security.md docs/operations.md
D := $(DESTDIR)
INSTALLED := $(patsubst $(BIN)/%,$(BINDIR)/%,$(PROGRAMS)) \
             $(LIBDIR)/libccgsearch.so.1 $(LIBDIR)/libccgsearch.so $(LIBDIR)/libccgsearch.a \
             $(patsubst include/%,$(INCLUDEDIR)/%,$(HEADERS)) $(PKGCONFIGDIR)/ccgsearch.pc \
             $(foreach m,$(MAN_PAGES),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
             $(SYSTEMDUNITDIR)/ccg-searchd.service \
             $(addprefix $(DOCDIR)/,$(DOC_FILES) $(DOC_DOCS))

# ccgsearch.pc names a directory under PREFIX as ${prefix}/..., so that
# pkg-config --define-variable=prefix=... can move it (a staged DESTDIR).
pcdir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

.PHONY: install uninstall
install: build
	@test -n "$(VERSION)" || { echo "no CCGSEARCH_VERSION in include/ccgsearch/version.h" >&2; exit 1; }
	$(INSTALL) -d $(D)$(BINDIR) $(D)$(LIBDIR) $(D)$(INCLUDEDIR)/ccgsearch $(D)$(PKGCONFIGDIR) \
	    $(D)$(MANDIR)/man1 $(D)$(MANDIR)/man3 $(D)$(MANDIR)/man7 $(D)$(MANDIR)/man8 \
	    $(D)$(SYSTEMDUNITDIR) $(D)$(DOCDIR)/docs
	$(INSTALL) -m 755 $(PROGRAMS) $(D)$(BINDIR)/
	$(INSTALL) -m 755 $(CLIENT_SO).1 $(D)$(LIBDIR)/libccgsearch.so.1
	ln -sf libccgsearch.so.1 $(D)$(LIBDIR)/libccgsearch.so
	$(INSTALL) -m 644 $(CLIENT_A) $(D)$(LIBDIR)/libccgsearch.a
	$(INSTALL) -m 644 $(HEADERS) $(D)$(INCLUDEDIR)/ccgsearch/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pcdir,$(LIBDIR))|' \
	    -e 's|@INCLUDEDIR@|$(call pcdir,$(INCLUDEDIR))|' \
	    -e 's|@VERSION@|$(VERSION)|' packaging/ccgsearch.pc.in > $(D)$(PKGCONFIGDIR)/ccgsearch.pc
	@for m in $(MAN_PAGES); do \
	    echo "$(INSTALL) -m 644 $$m $(D)$(MANDIR)/man$${m##*.}/"; \
	    $(INSTALL) -m 644 $$m $(D)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done
	sed -e 's|@BINDIR@|$(BINDIR)|' packaging/ccg-searchd.service \
	    > $(D)$(SYSTEMDUNITDIR)/ccg-searchd.service
	chmod 644 $(D)$(PKGCONFIGDIR)/ccgsearch.pc $(D)$(SYSTEMDUNITDIR)/ccg-searchd.service
	$(INSTALL) -m 644 $(DOC_FILES) $(D)$(DOCDIR)/
	$(INSTALL) -m 644 $(DOC_DOCS) $(D)$(DOCDIR)/docs/
	@# The loader's cache must know the new soname; only root can update it,
	@# and a staged install (DESTDIR) leaves it to the package manager.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then echo $(LDCONFIG); $(LDCONFIG); fi

# Removes exactly the files install writes, and the folders that are ours
# alone once they are empty.
uninstall:
	rm -f $(addprefix $(D),$(INSTALLED))
	rmdir $(D)$(INCLUDEDIR)/ccgsearch $(D)$(DOCDIR)/docs $(D)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
