# botlens build.  `make` builds build/botlens with gcc -O2 -flto; variants:
#   make BUILD=build-clang CC=clang
#   make asan            (clang or gcc, -fsanitize=address,undefined, in build-asan/)
#   make check           (unit + golden + cross-check tests; see tests/run.sh)
# Sources are found by directory so a new file needs no Makefile edit.

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
CFLAGS  ?=
WARN    = -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS = -Isrc -D_GNU_SOURCE -DBOTLENS_VERSION=\"$(VERSION)\" $(shell pkg-config --cflags cairo libndpi libpq libmicrohttpd sqlite3)
# Link-time optimisation when the compiler is gcc: decoders are one file per
# protocol, and inlining across them makes `flows` 15-20 % faster
# (bench/RESULTS.md).  clang builds (tests, sanitizers, fuzzing) go without,
# as does `make LTO=`.
IS_CLANG := $(shell $(CC) -dM -E -x c /dev/null 2>/dev/null | grep -c __clang__)
LTO     ?= $(if $(filter 0,$(IS_CLANG)),-flto=auto)
AR      = $(if $(LTO),gcc-ar,ar)
ALLCFLAGS = -std=c11 $(OPT) $(LTO) -g $(WARN) $(SAN) $(CFLAGS)
LDLIBS  = -lmicrohttpd -lsqlite3 -lpq -lpcap -ljson-c -lcairo -lpng16 -llinear -larchive -lloc -lhtp -lssl -lcrypto $(shell pkg-config --libs libndpi) -lz -lm -lpthread
comma := ,
space := $(subst ,, )
VERSION = $(shell cat VERSION 2>/dev/null || echo 0.1.0)

LIB_SRC  = $(shell find src -name '*.c' ! -path 'src/cli/*' | sort)
CLI_SRC  = $(shell find src/cli -name '*.c' | sort)
TEST_SRC = $(wildcard tests/unit/test_*.c)
BENCH_SRC = $(wildcard bench/*.c)

LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
TESTS    = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCHES  = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

all: $(BUILD)/botlens

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libbotlens.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/botlens: $(CLI_OBJ) $(BUILD)/libbotlens.a
	$(CC) $(ALLCFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libbotlens.a $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbotlens.a tests/unit/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(ALLCFLAGS) -o $@ $< $(BUILD)/libbotlens.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libbotlens.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -o $@ $< $(BUILD)/libbotlens.a $(LDLIBS)

tests: $(TESTS) $(BUILD)/botlens
bench-tools: $(BENCHES) $(BUILD)/botlens

# gcc at -O1 guesses string lengths it cannot bound and warns of snprintf
# truncation the -O2 build (and clang) do not see: cut-to-fit is meant there,
# so that one warning is not an error in this build.
asan:
	$(MAKE) BUILD=build-asan OPT=-O1 LTO= SAN="-fsanitize=address,undefined,float-cast-overflow$(if $(filter 1,$(IS_CLANG)),$(comma)implicit-integer-truncation,$(space)-Wno-error=format-truncation) -fno-omit-frame-pointer -fno-sanitize-recover=all" all tests

check: all tests
	sh tests/run.sh

PREFIX ?= /usr/local
install: $(BUILD)/botlens
	install -D -m 755 $(BUILD)/botlens $(DESTDIR)$(PREFIX)/bin/botlens
	install -D -m 644 doc/botlens.1 $(DESTDIR)$(PREFIX)/share/man/man1/botlens.1

# bash completion from the binary's own option tables (committed; cli.sh checks it is current)
completion: $(BUILD)/botlens
	sh scripts/gen-completion.sh $(BUILD)/botlens >scripts/botlens.bash-completion

clean:
	rm -rf build build-asan build-clang build-gcc build-fuzz

.PHONY: all tests bench-tools asan check clean install completion
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
