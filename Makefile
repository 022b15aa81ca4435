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
SOURCEDIR    = .
BUILDDIR     = _build
PYTESTOPTS  ?=

BIN          = $(VENV)/bin
VENV_STAMP   = $(VENV)/.installed
SPHINXBUILD  = $(BIN)/sphinx-build

# Reproducible output: take the date from the last commit unless the caller set one.
ifeq ($(origin SOURCE_DATE_EPOCH), undefined)
  SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
endif
ifneq ($(SOURCE_DATE_EPOCH),)
  export SOURCE_DATE_EPOCH
endif

PORT ?= 8000

.DEFAULT_GOAL := all

.PHONY: help
help: ## List the targets with a line on each
	@echo "Usage: make [target] [VARIABLE=value ...]"
	@echo
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: PYTHON=$(PYTHON) VENV=$(VENV) SPHINXOPTS='$(SPHINXOPTS)' PYTESTOPTS='$(PYTESTOPTS)' BENCHOPTS='$(BENCHOPTS)'"
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
html: $(VENV_STAMP) ## Build the HTML site into _build/html/ (strict: any warning fails)
	$(SPHINXBUILD) -M html "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)

# PDFs: the handbookpdf builder (handbook.pdf.builder) keeps its own doctrees so
# `make -j html pdf` never shares a pickle between two processes. The PDFs are
# then copied to _build/html/pdf/, where the HTML pages link them.
.PHONY: pdf
pdf: $(VENV_STAMP) ## Build the PDFs into _build/pdf/ (handouts/<guide>.pdf, handbook.pdf, decisions-signoff.pdf) and copy them to _build/html/pdf/
	$(SPHINXBUILD) -b handbookpdf "$(SOURCEDIR)" "$(BUILDDIR)/pdf" -d "$(BUILDDIR)/pdf/.doctrees" $(SPHINXOPTS) $(O)
	PYTHONPATH=_ext $(BIN)/python -m handbook copypdfs "$(BUILDDIR)/pdf" "$(BUILDDIR)/html/pdf"

.PHONY: livehtml htmllive
livehtml: $(VENV_STAMP) ## Preview while editing: rebuild and reload the browser on every save
	$(BIN)/sphinx-autobuild "$(SOURCEDIR)" "$(BUILDDIR)/html" $(SPHINXOPTS) \
	  --ignore "$(BUILDDIR)" --ignore "_site" --ignore "tests" --ignore "$(VENV)" $(O)
htmllive: livehtml

.PHONY: preview
preview: $(VENV_STAMP) ## Preview with warm rebuilds: HTML and the edited guide's PDF in about a second (PORT=8000)
	PYTHONPATH=_ext $(BIN)/python -m handbook preview --source "$(SOURCEDIR)" --builddir "$(BUILDDIR)" --port $(PORT)

.PHONY: test
test: $(VENV_STAMP) ## Run every test
	$(BIN)/python -m pytest $(PYTESTOPTS)

.PHONY: bench
bench: $(VENV_STAMP) ## Benchmark build cost at 100/300/1,000 pages (BENCHOPTS=--quick; BENCHOPTS=--help)
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
HANDBOOK     = PYTHONPATH=_ext $(BIN)/python -m handbook

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

test: chromium

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
distclean: clean ## Remove everything built and .venv
	rm -rf "$(VENV)"

# Files make must never try to rebuild through the catch-all below.
Makefile requirements.txt requirements.in: ;

# Catch-all: route any other target to Sphinx's "make mode".
%: $(VENV_STAMP)
	$(SPHINXBUILD) -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)
