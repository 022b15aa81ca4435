# Makefile for the ketamine clinic protocol handbook.
#
#   make          build everything a reader needs: HTML in _build/html/, PDFs in _build/pdf/
#   make test     run every test (builds what it needs first)
#   make help     list every target
#
# The first run creates .venv from requirements.txt (exact pins); later runs
# reinstall only when requirements.txt changes.

PYTHON      ?= python3
VENV        ?= .venv
SPHINXOPTS  ?= -n -W --keep-going
# sphinx-build -j for make html and make pdf. 1 (serial) is what measured faster on
# this project's shared 2-core machine; `make bench` builds both every run (README,
# "Performance"). SPHINXJOBS=auto uses every core.
SPHINXJOBS  ?= 1
export SPHINXJOBS
SOURCEDIR    = .
BUILDDIR     = _build
PYTESTOPTS  ?=

BIN          = $(VENV)/bin
HANDBOOK     = PYTHONPATH=_ext $(BIN)/python -m handbook
VENV_STAMP   = $(VENV)/.installed
SPHINXBUILD  = $(BIN)/sphinx-build

# The MkDocs Material baseline of `make bench` lives in a virtual environment of
# its own (exact pins in bench/requirements-mkdocs.txt), never in $(VENV).
MKDOCS_VENV  ?= .venv-mkdocs
MKDOCS_STAMP  = $(MKDOCS_VENV)/.installed
export HANDBOOK_MKDOCS = $(abspath $(MKDOCS_VENV))/bin/mkdocs

# Reproducible output: take the date from the last commit unless the caller set one.
ifeq ($(origin SOURCE_DATE_EPOCH), undefined)
  SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
endif
ifneq ($(SOURCE_DATE_EPOCH),)
  export SOURCE_DATE_EPOCH
endif

PORT ?= 8000

# Translations: the languages conf.py lists in handbook_languages that record a
# translation (README, "Translations"). Each gets its own build: _build/html/<lang>/,
# _build/pdf/<lang>/. Worked out when a recipe runs (the venv exists by then);
# `make LANGUAGES=` builds English only.
LANGUAGES   ?= $$($(HANDBOOK) translations languages)

.DEFAULT_GOAL := all

.PHONY: help
help: ## List the targets with a line on each
	@echo "Usage: make [target] [VARIABLE=value ...]"
	@echo
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: PYTHON=$(PYTHON) VENV=$(VENV) SPHINXOPTS='$(SPHINXOPTS)' SPHINXJOBS=$(SPHINXJOBS) PYTESTOPTS='$(PYTESTOPTS)' BENCHOPTS='$(BENCHOPTS)'"
	@echo "Any other target is passed to 'sphinx-build -M <target>' (e.g. 'make dirhtml')."

.PHONY: all
all: html pdf ## Build the HTML site and the PDFs (the default)

$(VENV_STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "error: $(PYTHON) is older than Python 3.11; run 'make PYTHON=python3.11'" >&2; exit 1; }
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

.PHONY: venv
venv: $(VENV_STAMP) ## Create or update .venv from requirements.txt

.PHONY: html
html: $(VENV_STAMP) ## Build the HTML site into _build/html/, each translation into _build/html/<lang>/ (strict)
	$(SPHINXBUILD) -M html "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) -j $(SPHINXJOBS) $(O)
	@for lang in $(LANGUAGES); do \
	  echo "$(SPHINXBUILD) -b html -D language=$$lang ... $(BUILDDIR)/html/$$lang"; \
	  $(SPHINXBUILD) -b html -D language=$$lang "$(SOURCEDIR)" "$(BUILDDIR)/html/$$lang" \
	    -d "$(BUILDDIR)/doctrees-$$lang" $(SPHINXOPTS) -j $(SPHINXJOBS) $(O) || exit 1; \
	done

# PDFs: the handbookpdf builder (handbook.pdf.builder) keeps its own doctrees so
# `make -j html pdf` never shares a pickle between two processes. The PDFs are
# then copied to _build/html/pdf/, where the HTML pages link them.
.PHONY: pdf
pdf: $(VENV_STAMP) ## Build the PDFs into _build/pdf/ (handouts/<guide>.pdf, handbook.pdf, decisions-signoff.pdf, read-and-sign.pdf; <lang>/handouts/) and copy them beside the HTML
	$(SPHINXBUILD) -b handbookpdf "$(SOURCEDIR)" "$(BUILDDIR)/pdf" -d "$(BUILDDIR)/pdf/.doctrees" $(SPHINXOPTS) -j $(SPHINXJOBS) $(O)
	PYTHONPATH=_ext $(BIN)/python -m handbook copypdfs "$(BUILDDIR)/pdf" "$(BUILDDIR)/html/pdf"
	@for lang in $(LANGUAGES); do \
	  echo "$(SPHINXBUILD) -b handbookpdf -D language=$$lang ... $(BUILDDIR)/pdf/$$lang"; \
	  $(SPHINXBUILD) -b handbookpdf -D language=$$lang "$(SOURCEDIR)" "$(BUILDDIR)/pdf/$$lang" \
	    -d "$(BUILDDIR)/pdf/$$lang/.doctrees" $(SPHINXOPTS) -j $(SPHINXJOBS) $(O) || exit 1; \
	  PYTHONPATH=_ext $(BIN)/python -m handbook copypdfs "$(BUILDDIR)/pdf/$$lang" "$(BUILDDIR)/html/$$lang/pdf" || exit 1; \
	done

# Translations: see "Translations" in README.md.
.PHONY: translations-update
translations-update: $(VENV_STAMP) ## Extract the guides' English text (gettext) and update locales/<lang>/LC_MESSAGES/*.po, then report what is left
	$(SPHINXBUILD) -b gettext "$(SOURCEDIR)" "$(BUILDDIR)/gettext" -d "$(BUILDDIR)/doctrees-gettext" $(SPHINXOPTS) $(O)
	$(BIN)/sphinx-intl update -p "$(BUILDDIR)/gettext" -d locales -w 0 --no-obsolete \
	  $$(for lang in $$($(HANDBOOK) translations languages --all); do printf -- '-l %s ' $$lang; done)
	$(HANDBOOK) translations status

.PHONY: translations-status
translations-status: $(VENV_STAMP) ## Per guide and language: untranslated and fuzzy entries, review state, glossary, reading level
	$(HANDBOOK) translations status

.PHONY: translations-check
translations-check: $(VENV_STAMP) ## Like translations-status, but fail unless every recorded translation is complete and clean
	$(HANDBOOK) translations status --check

# The PDFs need Pango (WeasyPrint loads it), and WeasyPrint subsets their fonts
# with HarfBuzz-Subset 4.1+ when it finds it; without it, with fontTools (slower,
# other font bytes; the PDF build says so in one line and carries on). As root
# with apt-get, set-up installs what is missing, as the chromium target does.
PDF_LIBS_PROBE = $(BIN)/python -c 'import sys; from weasyprint.text import ffi; \
  sys.exit(3 if ffi.harfbuzz_subset is None or not ffi.harfbuzz.hb_version_atleast(4, 1, 0) else 0)'
APT_INSTALL    = DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
PDF_LIBS_TRIED = $(VENV)/.pdf-libs-tried

.PHONY: pdf-libs
pdf-libs: $(VENV_STAMP) ## Install the PDFs' system libraries (Pango, HarfBuzz-Subset) when missing (as root with apt-get)
	@status=0; $(PDF_LIBS_PROBE) >/dev/null 2>&1 || status=$$?; \
	case $$status in 0) exit 0 ;; 3) packages="libharfbuzz-subset0" ;; \
	  *) packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0" ;; esac; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  packages=$$(for p in $$packages; do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q 'ok installed' || echo $$p; done); \
	  if [ -n "$$packages" ] && [ ! -e $(PDF_LIBS_TRIED) ]; then \
	    echo "Installing" $$packages "for the PDFs (WeasyPrint)"; \
	    $(APT_INSTALL) $$packages >/dev/null 2>&1 || \
	      { apt-get update -qq >/dev/null 2>&1 && $(APT_INSTALL) $$packages >/dev/null 2>&1; } || \
	      { touch $(PDF_LIBS_TRIED); \
	        echo "  apt-get could not install" $$packages"; carrying on without (not tried again until make distclean)"; }; \
	    status=0; $(PDF_LIBS_PROBE) >/dev/null 2>&1 || status=$$?; \
	  fi; \
	fi; \
	if [ $$status != 0 ] && [ $$status != 3 ]; then \
	  echo "error: WeasyPrint cannot load Pango, which the PDFs need." >&2; \
	  echo "  Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0   macOS: brew install pango" >&2; \
	fi

pdf: pdf-libs
test: pdf-libs

.PHONY: livehtml htmllive
livehtml: $(VENV_STAMP) ## Preview while editing: rebuild and reload the browser on every save
	$(BIN)/sphinx-autobuild "$(SOURCEDIR)" "$(BUILDDIR)/html" $(SPHINXOPTS) \
	  --ignore "$(BUILDDIR)" --ignore "_site" --ignore "tests" --ignore "$(VENV)" --ignore "$(MKDOCS_VENV)" $(O)
htmllive: livehtml

.PHONY: preview
preview: $(VENV_STAMP) ## Preview with warm rebuilds: HTML and the edited guide's PDF in about a second (PORT=8000)
	PYTHONPATH=_ext $(BIN)/python -m handbook preview --source "$(SOURCEDIR)" --builddir "$(BUILDDIR)" --port $(PORT)

.PHONY: test
test: $(VENV_STAMP) $(MKDOCS_STAMP) ## Run every test
	$(BIN)/python -m pytest $(PYTESTOPTS)

$(MKDOCS_STAMP): bench/requirements-mkdocs.txt
	@test -x $(MKDOCS_VENV)/bin/python || { echo "Creating $(MKDOCS_VENV) with $(PYTHON)"; $(PYTHON) -m venv $(MKDOCS_VENV); }
	$(MKDOCS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r bench/requirements-mkdocs.txt
	@touch $@

.PHONY: mkdocs-venv
mkdocs-venv: $(MKDOCS_STAMP) ## Create or update .venv-mkdocs, the benchmark's MkDocs Material baseline

.PHONY: bench
bench: $(VENV_STAMP) $(MKDOCS_STAMP) ## Benchmark build cost at 100/300/1,000 pages against MkDocs Material (BENCHOPTS=--quick; BENCHOPTS=--help)
	PYTHONPATH=_ext $(BIN)/python -m handbook.devtools.benchmark $(BENCHOPTS)

.PHONY: checklinks
checklinks: html pdf ## Check every internal link of _build/html (and _build/pdf/*.pdf when built)
	PYTHONPATH=_ext $(BIN)/python -m handbook checklinks "$(BUILDDIR)/html" \
	  $(if $(wildcard $(BUILDDIR)/pdf/*.pdf),--pdf "$(BUILDDIR)/pdf")

.PHONY: linkcheck
linkcheck: checklinks ## Check every external link on the internet (needs network); runs checklinks first
	@status=0; \
	$(SPHINXBUILD) -M linkcheck "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O) || status=$$?; \
	PYTHONPATH=_ext $(BIN)/python -m handbook linkreport "$(BUILDDIR)/linkcheck/output.json" || status=1; \
	exit $$status

# Publishing editions: see "Publishing an edition" in README.md.

.PHONY: publish
publish: $(VENV_STAMP) ## Publish an edition into the archive (_site/): make publish EDITION=2026.2
	@test -n "$(EDITION)" || { echo "error: say which edition, e.g. make publish EDITION=2026.2" >&2; exit 2; }
	$(HANDBOOK) publish --edition "$(EDITION)"

.PHONY: verify
verify: $(VENV_STAMP) ## Check every published edition against its manifest
	$(HANDBOOK) verify

.PHONY: site
site: $(VENV_STAMP) ## Rebuild the archive (_site/) from the edition-* tags, e.g. on a new server
	$(HANDBOOK) site

# Reviews: see "Reviews, reminders and read-and-sign" in README.md.
.PHONY: due
due: $(VENV_STAMP) ## List documents due for review within DAYS days (and any overdue); exit 1 if any is overdue
	$(HANDBOOK) due $(if $(DAYS),--days "$(DAYS)") $(if $(JSON),--json)

# The browser tests (tests/test_browser.py) drive Debian's chromium through the
# playwright package; playwright must never download a browser of its own.
CHROMIUM    ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = 1
export HANDBOOK_CHROMIUM = $(CHROMIUM)

.PHONY: chromium
chromium: ## Install Debian's chromium for the browser tests when missing (as root)
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
	  echo "error: the browser tests need Chromium at $(CHROMIUM)." >&2; \
	  echo "  Debian/Ubuntu: sudo apt-get install chromium   (or: make test CHROMIUM=/path/to/chromium)" >&2; \
	  exit 1; \
	fi

test: chromium axe

# axe-core for the browser tests: its version and integrity hash are pinned in
# tests/html/axe/package-lock.json, and `npm ci` installs exactly that from the
# npm registry into _build/axe/ (never a copy bundled in another package).
AXE_DIR      = $(BUILDDIR)/axe
AXE_JS       = $(AXE_DIR)/node_modules/axe-core/axe.min.js
export HANDBOOK_AXE_JS = $(abspath $(AXE_JS))

$(AXE_JS): tests/html/axe/package.json tests/html/axe/package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm; \
	  else \
	    echo "error: the browser tests need npm to install axe-core (sudo apt-get install npm)" >&2; exit 1; \
	  fi; }
	mkdir -p "$(AXE_DIR)"
	cp tests/html/axe/package.json tests/html/axe/package-lock.json "$(AXE_DIR)/"
	cd "$(AXE_DIR)" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch "$@"

.PHONY: axe
axe: $(AXE_JS) ## Install the pinned axe-core (tests/html/axe/package-lock.json) into _build/axe/ for the browser tests

# The originality tests read only tests/content/seed_fingerprints.json (hashes,
# never the articles' text); regenerate it where the articles are present.
SEEDS ?= ../shared/seeds

.PHONY: fingerprints
fingerprints: $(VENV_STAMP) ## Regenerate the source articles' fingerprints for the originality tests (SEEDS=../shared/seeds)
	PYTHONPATH=_ext $(BIN)/python -m handbook.devtools.fingerprints --seeds "$(SEEDS)"

.PHONY: lock
lock: $(VENV_STAMP) ## Re-pin requirements.txt from requirements.in
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-header --annotation-style=line \
	  --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	{ printf '%s\n' "# Exact pins for every package the handbook needs, compiled from requirements.in" \
	    "# with pip-compile (\`make lock\`). Do not edit by hand."; cat requirements.txt; } > requirements.txt.tmp
	mv requirements.txt.tmp requirements.txt

.PHONY: clean
clean: ## Remove everything built (keeps .venv)
	rm -rf "$(BUILDDIR)"

.PHONY: distclean
distclean: clean ## Remove everything built, .venv and .venv-mkdocs
	rm -rf "$(VENV)" "$(MKDOCS_VENV)"

# Files make must never try to rebuild through the catch-all below.
Makefile requirements.txt requirements.in bench/requirements-mkdocs.txt tests/html/axe/package.json tests/html/axe/package-lock.json: ;

# Catch-all: route any other target to Sphinx's "make mode".
%: $(VENV_STAMP)
	$(SPHINXBUILD) -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)
