# roleboot — plain Makefile.  make | make check | make SANITIZE=1 check | make bench | make fuzz
CC      ?= cc
PKGS    := libcurl libarchive libcrypto inih expat ldns
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 \
           -Wno-unused-parameter
VERSION := 0.1.0
DEFS    := -D_GNU_SOURCE -DROLEBOOT_VERSION='"$(VERSION)"'

ifeq ($(SANITIZE),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD   ?= build
SANFLAGS :=
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
ALL_CFLAGS  = $(WARN) $(DEFS) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Ibootstrap -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

SRCS     := $(filter-out bootstrap/main.c,$(wildcard bootstrap/*.c))
OBJS     := $(SRCS:bootstrap/%.c=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libroleboot.a
BIN      := $(BUILD)/roleboot
UNIT_SRC := $(wildcard tests/unit/t_*.c)
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

PREFIX  ?= /usr/local
DESTDIR ?=

.PHONY: all check test unit bench fuzz fuzz-run install clean demo format-check bundles docs spec \
        valgrind-check
all: $(BIN)

$(BUILD)/obj/%.o: bootstrap/%.c | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(OBJS)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/obj/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h tests/unit/capture.h $(LIB) | $(BUILD)/unit
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/obj $(BUILD)/unit:
	mkdir -p $@

unit: $(UNITS)

# ASan's own exit code is moved off 1, which roleboot uses for --dry-run.
check: $(BIN) $(UNITS)
	scripts/role-docs.py --check
	$(MAKE) --no-print-directory format-check
	ASAN_OPTIONS=exitcode=86:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	ROLEBOOT=$(abspath $(BIN)) UNIT_DIR=$(abspath $(BUILD)/unit) tests/run.sh

# The whole suite (unit binaries and every tNNNN script) with roleboot and
# the unit binaries under valgrind's memcheck (tests/valgrind.sh): a memory
# error or a definite or indirect leak makes that run exit 99, and the
# reports are listed at the end (kept in $(BUILD)/valgrind/logs).  Slow:
# timing checks get TIME_SLACK more seconds, the fleet test FLEET_SIZE nodes.
# VG_PATTERN picks tests as tests/run.sh PATTERN does.
VG_DIR      = $(BUILD)/valgrind
TIME_SLACK ?= 20
FLEET_SIZE ?= 16
VG_PATTERN ?=
valgrind-check: $(BIN) $(UNITS)
	@if [ "$(SANITIZE)" = 1 ]; then echo "valgrind-check: not with SANITIZE=1"; exit 2; fi
	rm -rf $(VG_DIR) && mkdir -p $(VG_DIR)/logs
	printf '#!/bin/sh\nVG_LOG_DIR=%s exec %s %s "$$@"\n' $(abspath $(VG_DIR)/logs) \
	  $(abspath tests/valgrind.sh) $(abspath $(BIN)) >$(VG_DIR)/roleboot
	chmod +x $(VG_DIR)/roleboot
	VG_LOG_DIR=$(abspath $(VG_DIR)/logs) TIME_SLACK=$(TIME_SLACK) FLEET_SIZE=$(FLEET_SIZE) \
	  ROLEBOOT=$(abspath $(VG_DIR)/roleboot) UNIT_DIR=$(abspath $(BUILD)/unit) \
	  WRAP=$(abspath tests/valgrind.sh) tests/run.sh $(VG_PATTERN); rc=$$?; \
	  tests/valgrind.sh --summary $(VG_DIR)/logs && exit $$rc

# The whole suite: a short fuzz run of every parser, the sanitizer build,
# then the normal build (whose "N passed, N failed, N skipped" line closes the output).
test:
	scripts/deps.sh test
	$(MAKE) --no-print-directory fuzz-run
	$(MAKE) --no-print-directory spec
	$(MAKE) --no-print-directory SANITIZE=1 check
	$(MAKE) --no-print-directory check

# The Mustache spec suite in spec mode; only this binary needs cJSON.
# make spec SPEC_FLAGS=-v shows each failed test.
SPEC_DIR   ?= ../shared/mustache-spec
SPEC_FLAGS ?=
$(BUILD)/spec: tests/spec/spec.c $(LIB) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) \
	  $$(pkg-config --cflags --libs libcjson)

# The suite lives beside the clone (../shared); without it the run says so.
spec: $(BUILD)/spec
	@if [ -d "$(SPEC_DIR)" ]; then \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(BUILD)/spec $(SPEC_FLAGS) $(SPEC_DIR); \
	else echo "spec: no Mustache spec suite at $(SPEC_DIR) (set SPEC_DIR); skipped"; fi

bench: $(BIN)
	scripts/deps.sh bench
	ROLEBOOT=$(abspath $(BIN)) tests/bench/apply.sh
	ROLEBOOT=$(abspath $(BIN)) tests/bench/render.sh
	@if [ -x build-static/roleboot ]; then \
	  echo "render again with the static binary (make static), the one nodes run:"; \
	  ROLEBOOT=$(abspath build-static/roleboot) tests/bench/render.sh; fi
	ROLEBOOT=$(abspath $(BIN)) tests/bench/fetch.sh
	ROLEBOOT=$(abspath $(BIN)) tests/bench/sync.sh
	ROLEBOOT=$(abspath $(BIN)) tests/bench/roles.sh
	ROLEBOOT=$(abspath $(BIN)) tests/bench/static.sh
	ROLEBOOT=$(abspath $(BIN)) tests/bench/fleet.sh
	ROLEBOOT=$(abspath $(BIN)) tests/bench/route53d.sh

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_LIB := $(filter-out bootstrap/cmd_%.c,$(SRCS))
build-fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p build-fuzz
	@echo "CC fuzz $@"
	@clang $(WARN) $(DEFS) -O1 -g -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -Ibootstrap \
	  -o $@ $< $(FUZZ_LIB) $(PKG_LIBS)
fuzz: $(FUZZERS)

FUZZ_SECONDS ?= 20
fuzz-run: $(FUZZERS)
	@for f in $(FUZZERS); do \
	  echo "fuzz: $$f ($(FUZZ_SECONDS) s)"; \
	  mkdir -p build-fuzz/corpus-$$(basename $$f); \
	  ASAN_OPTIONS=fast_unwind_on_malloc=0 LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan.supp) \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 -artifact_prefix=build-fuzz/ build-fuzz/corpus-$$(basename $$f) \
	    tests/fuzz/seeds/$$(basename $$f) 2>build-fuzz/$$(basename $$f).log || \
	    { tail -30 build-fuzz/$$(basename $$f).log; exit 1; }; \
	done

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/roleboot
	install -D -m 0644 docs/roleboot.8 $(DESTDIR)$(PREFIX)/share/man/man8/roleboot.8
	install -d -m 0755 $(DESTDIR)/etc/roleboot/trusted.d

demo:
	./demo.sh

# Each role bundle packed and signed (stock minisign, the test key) into
# build/bundles/, with the public key beside them.
ROLE_DIRS := $(filter-out templates/demo,$(wildcard templates/*))
bundles: $(BIN)
	mkdir -p build/bundles
	for d in $(ROLE_DIRS); do \
	  n=$$(basename $$d); \
	  $(BIN) pack $$d -o build/bundles/$$n.tar.gz && \
	  minisign -S -s tests/keys/test.key -m build/bundles/$$n.tar.gz -t "$$n bundle" </dev/null >/dev/null || exit 1; \
	done
	cp tests/keys/test.pub build/bundles/test.pub
	ls -l build/bundles

# The README's role sections, written from the manifests.
docs:
	scripts/role-docs.py

# The style of .clang-format (clang-format 14, Debian 12's); make check runs it.
format-check:
	clang-format --dry-run -Werror bootstrap/*.c bootstrap/*.h

clean:
	rm -rf build build-san build-fuzz

-include $(OBJS:.o=.d) $(BUILD)/obj/main.d

# Shipping: the static binary (packaging/static.mk) and the RPM (packaging/rpm.mk).
-include packaging/static.mk packaging/rpm.mk
