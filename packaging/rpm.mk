# packaging/rpm.mk: `make rpm`, included by the Makefile.
#
# Builds the source RPM and the binary RPM of packaging/roleboot.spec with
# rpmbuild (Debian's `rpm` package works: its BuildRequires are not in an
# rpm database there, hence --nodeps) in a private _topdir, build/rpm:
#
#   build/rpm/SOURCES/roleboot-VERSION.tar.gz   git archive of the work tree
#   build/rpm/SRPMS/roleboot-VERSION-1.src.rpm
#   build/rpm/RPMS/ARCH/roleboot-VERSION-1.ARCH.rpm
#
# The tarball holds the work tree as it is (tracked files with their edits
# and untracked files that .gitignore lets through, build folders left out),
# archived through a throwaway index: the real index, HEAD and the branches
# are not touched.  RPM_TREE=HEAD archives the last commit instead.
#
# The binary: when $(RPM_STATIC_BIN) (build-static/roleboot, from `make
# static`) exists it is packaged as it is (rpmbuild --with static, Source1);
# otherwise %build compiles with `make` against the build host's libraries.
# RPM_STATIC=yes insists on the static binary, RPM_STATIC=no compiles.
# rpmbuild runs without this make's variables (MAKEFLAGS): `make rpm
# SANITIZE=1` still packages a normal build.
#
# Signing: with RPM_GPG_NAME (a gpg key id or user id; RPM_GPG_HOME for
# another GNUPGHOME) both packages are signed with rpmsign after the build.
# Releases are signed with the project's key; without one they are not
# signed, and `make rpmlint` filters rpmlint's no-signature for them.  RPM_PACKAGER fills the Packager tag.
#
#   make rpm [RPM_TREE=HEAD] [RPM_STATIC=auto|yes|no] [RPM_GPG_NAME=KEY]
#   make rpmlint      rpmlint on the spec and both packages (0 errors expected,
#                     signed or not: see RPMLINTRC below)

RPM_TOPDIR     ?= $(CURDIR)/build/rpm
RPM_SPEC       := packaging/roleboot.spec
# static.mk (included first) names its binary STATIC_BIN
RPM_STATIC_BIN ?= $(or $(STATIC_BIN),build-static/roleboot)
RPM_STATIC     ?= auto
RPM_TREE       ?= worktree
RPMBUILD       ?= rpmbuild
RPMBUILD_FLAGS ?= --nodeps
RPM_PACKAGER   ?= roleboot maintainers <roleboot@example.com>
RPM_GPG_NAME   ?=
RPM_GPG_HOME   ?=
RPM_NAME       := roleboot-$(VERSION)
RPM_TARBALL    := $(RPM_TOPDIR)/SOURCES/$(RPM_NAME).tar.gz
# never archived from the work tree (besides .gitignore): build output
RPM_EXCLUDE    := /build*/ /demo-root/

.PHONY: rpm rpm-source rpmlint

rpm-source:
	@command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 || \
	  { echo "rpm: needs git and a git work tree for the source tarball" >&2; exit 1; }
	@grep -q '^Version: *$(VERSION)$$' $(RPM_SPEC) || \
	  { echo "rpm: Version in $(RPM_SPEC) is not the Makefile's $(VERSION)" >&2; exit 1; }
	@rm -rf $(RPM_TOPDIR)
	@mkdir -p $(RPM_TOPDIR)/SOURCES $(RPM_TOPDIR)/SPECS $(RPM_TOPDIR)/BUILD \
	  $(RPM_TOPDIR)/BUILDROOT $(RPM_TOPDIR)/RPMS $(RPM_TOPDIR)/SRPMS
	@set -e; \
	if [ "$(RPM_TREE)" = worktree ]; then \
	  idx=$(RPM_TOPDIR)/git-index; \
	  cp "$$(git rev-parse --path-format=absolute --git-path index)" "$$idx" 2>/dev/null || :; \
	  printf '%s\n' $(RPM_EXCLUDE) >$(RPM_TOPDIR)/git-exclude; \
	  GIT_INDEX_FILE=$$idx git -c core.excludesFile=$(RPM_TOPDIR)/git-exclude add -A; \
	  tree=$$(GIT_INDEX_FILE=$$idx git write-tree); \
	  rm -f "$$idx" $(RPM_TOPDIR)/git-exclude; \
	else \
	  tree=$(RPM_TREE); \
	fi; \
	git archive --format=tar.gz --prefix=$(RPM_NAME)/ -o $(RPM_TARBALL) $$tree; \
	echo "rpm: source $(RPM_TARBALL) ($(RPM_TREE))"
	@cp $(RPM_SPEC) $(RPM_TOPDIR)/SPECS/

rpm: rpm-source
	@command -v $(RPMBUILD) >/dev/null || \
	  { echo "rpm: $(RPMBUILD) missing (Debian: apt-get install rpm)" >&2; exit 1; }
	@set -e; with=; \
	case "$(RPM_STATIC)" in \
	  yes) [ -x $(RPM_STATIC_BIN) ] || \
	         { echo "rpm: RPM_STATIC=yes but no $(RPM_STATIC_BIN) (make static)" >&2; exit 1; }; \
	       with=static ;; \
	  auto) [ -x $(RPM_STATIC_BIN) ] && with=static ;; \
	esac; \
	if [ -n "$$with" ]; then \
	  cp -p $(RPM_STATIC_BIN) $(RPM_TOPDIR)/SOURCES/roleboot-static; \
	  echo "rpm: packaging the static binary $(RPM_STATIC_BIN)"; \
	  newer=$$(find bootstrap Makefile -newer $(RPM_STATIC_BIN) -type f | head -n 1); \
	  [ -z "$$newer" ] || echo "rpm: warning: $$newer is newer than $(RPM_STATIC_BIN): make static first?" >&2; \
	  set -- --with static; \
	else \
	  echo "rpm: no $(RPM_STATIC_BIN) (or RPM_STATIC=no): %build compiles with make"; \
	  set --; \
	fi; \
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	$(RPMBUILD) -ba $(RPMBUILD_FLAGS) "$$@" --define "_topdir $(RPM_TOPDIR)" \
	  --define "packager $(RPM_PACKAGER)" \
	  $(RPM_TOPDIR)/SPECS/roleboot.spec >$(RPM_TOPDIR)/rpmbuild.log 2>&1 || \
	  { tail -40 $(RPM_TOPDIR)/rpmbuild.log; echo "rpm: rpmbuild failed, log: $(RPM_TOPDIR)/rpmbuild.log" >&2; exit 1; }; \
	grep '^Wrote: ' $(RPM_TOPDIR)/rpmbuild.log | sed 's|^Wrote: |rpm: wrote |'
	@set -e; \
	if [ -n "$(RPM_GPG_NAME)" ]; then \
	  gpg=$$(command -v gpg2 || command -v gpg) || { echo "rpm: gpg missing" >&2; exit 1; }; \
	  rpmsign --addsign --define "_gpg_name $(RPM_GPG_NAME)" --define "__gpg $$gpg" \
	    $(if $(RPM_GPG_HOME),--define "_gpg_path $(RPM_GPG_HOME)") \
	    $(RPM_TOPDIR)/SRPMS/*.src.rpm $(RPM_TOPDIR)/RPMS/*/*.rpm >$(RPM_TOPDIR)/rpmsign.log 2>&1 || \
	    { cat $(RPM_TOPDIR)/rpmsign.log >&2; echo "rpm: rpmsign failed" >&2; exit 1; }; \
	  echo "rpm: signed with $(RPM_GPG_NAME)"; \
	fi

# rpmlint reads one rpmlintrc: packaging/roleboot.rpmlintrc (the static
# binary), plus a no-signature filter when the packages carry no signature
# (a local build without RPM_GPG_NAME); a signed build is linted without it.
# --ignore-unused-rpmlintrc: the static filter has nothing to do on a
# build that compiled a dynamic binary (RPM_STATIC=no), which rpmlint 2.x
# would otherwise report as an error (unused-rpmlintrc-filter).
RPMLINTRC := packaging/roleboot.rpmlintrc

rpmlint:
	@set -e; rc=$(RPM_TOPDIR)/rpmlintrc; cp $(RPMLINTRC) $$rc; \
	unsigned=; \
	for p in $(RPM_TOPDIR)/SRPMS/*.src.rpm $(RPM_TOPDIR)/RPMS/*/*.rpm; do \
	  sig=$$(rpm -qp --qf '%{RSAHEADER:pgpsig}%{DSAHEADER:pgpsig}%{SIGPGP:pgpsig}%{SIGGPG:pgpsig}' "$$p" 2>/dev/null) || sig=; \
	  [ "$$sig" != '(none)(none)(none)(none)' ] || unsigned="$$unsigned $${p##*/}"; \
	done; \
	if [ -n "$$unsigned" ]; then \
	  echo "rpmlint: unsigned:$$unsigned (no-signature filtered; sign with RPM_GPG_NAME=KEY)"; \
	  printf '%s\n' '# unsigned local build (make rpm without RPM_GPG_NAME)' \
	    'addFilter("E: no-signature")' >>$$rc; \
	fi; \
	rpmlint --ignore-unused-rpmlintrc -r $$rc $(RPM_SPEC) $(RPM_TOPDIR)/SRPMS/*.src.rpm $(RPM_TOPDIR)/RPMS/*/*.rpm
