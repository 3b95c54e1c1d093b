# packaging/static.mk — `make static`: build-static/roleboot, one static musl
# binary that needs nothing from the machine it runs on (included by the
# Makefile).  packaging/static-deps.sh builds the libraries from Debian's
# source packages and caches them outside the clone (ROLEBOOT_STATIC_CACHE,
# default /var/cache/roleboot-static); this file compiles bootstrap/*.c with
# musl-gcc and the Makefile's WARN and DEFS, links, strips, and checks the
# result: statically linked, within STATIC_BUDGET bytes, `--version` runs.
# `make static-clean` removes build-static/ (the cache stays).
STATIC_BUILD  ?= build-static
STATIC_CC     ?= musl-gcc
# -O2, as the Makefile: at -Os gcc 12 warns (format-truncation, an error
# with -Werror) in bootstrap/util.c; the libraries are built with -Os.
STATIC_CFLAGS ?= -O2
STATIC_BUDGET ?= 5242880
STATIC_JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
STATIC_OBJS   := $(SRCS:bootstrap/%.c=$(STATIC_BUILD)/obj/%.o) $(STATIC_BUILD)/obj/main.o
STATIC_BIN    := $(STATIC_BUILD)/roleboot

.PHONY: static static-link static-clean

# The libraries first (static-deps.sh writes their flags to deps.mk, touched
# only when they changed), then a second make that reads deps.mk.
static:
	@mkdir -p $(STATIC_BUILD)
	@packaging/static-deps.sh $(STATIC_BUILD)/deps.mk
	@$(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(STATIC_JOBS)) \
	  STATIC_DEPS=$(STATIC_BUILD)/deps.mk static-link

ifneq ($(STATIC_DEPS),)
include $(STATIC_DEPS)
-include $(STATIC_OBJS:.o=.d)

# The compile command is kept in build-static/cflags, rewritten when it
# changes, so that other flags or other library versions recompile.
STATIC_COMPILE := $(STATIC_CC) $(WARN) $(DEFS) $(STATIC_CFLAGS) -ffunction-sections \
  -fdata-sections $(STATIC_DEP_CFLAGS) -Ibootstrap
ifneq ($(file <$(STATIC_BUILD)/cflags),$(STATIC_COMPILE))
$(file >$(STATIC_BUILD)/cflags,$(STATIC_COMPILE))
endif

$(STATIC_BUILD)/obj/%.o: bootstrap/%.c $(STATIC_BUILD)/cflags | $(STATIC_BUILD)/obj
	$(STATIC_COMPILE) -MMD -MP -c $< -o $@

$(STATIC_BUILD)/obj:
	mkdir -p $@

$(STATIC_BUILD)/roleboot.unstripped: $(STATIC_OBJS) $(STATIC_DEP_LIBS)
	$(STATIC_CC) -static -Wl,--gc-sections -o $@ $(STATIC_OBJS) $(STATIC_DEP_LIBS)

$(STATIC_BIN): $(STATIC_BUILD)/roleboot.unstripped
	strip -o $@ $<

static-link: $(STATIC_BIN)
	@file -b $(STATIC_BIN) | grep -q 'statically linked' || \
	  { echo "static: error: $(STATIC_BIN) is not statically linked: $$(file -b $(STATIC_BIN))"; exit 1; }
	@size=$$(stat -c %s $(STATIC_BIN)); \
	  echo "static: $(STATIC_BIN): $$size bytes stripped ($$(awk "BEGIN { printf \"%.2f\", $$size / 1048576 }") MiB; budget $$(($(STATIC_BUDGET) / 1048576)) MiB)"; \
	  [ $$size -le $(STATIC_BUDGET) ] || { echo "static: error: over the budget of $(STATIC_BUDGET) bytes"; exit 1; }
	@echo "static: built with $(STATIC_DEP_VERSIONS)"
	@echo "static: $$($(STATIC_BIN) --version)"
endif

static-clean:
	rm -rf $(STATIC_BUILD)
