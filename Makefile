# Scale Lab. Two commands on a fresh machine: `make book` and `make test`.
# Everything installs into .venv from the pinned requirements.txt.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TOOLS  := $(VENV)/tools/.installed
NB     ?= notebooks/*.ipynb
SRC    ?= notebooks/*.md
PIP_FLAGS ?= --disable-pip-version-check -q

.PHONY: book test unit notebooks browser binder bench serve lab outputs lock clean venv system-deps

venv: $(STAMP)

# Command-line tools whose dependencies clash with the book's (requirements-tools.txt)
$(TOOLS): requirements-tools.txt $(STAMP)
	rm -rf $(VENV)/tools && $(PYTHON) -m venv $(VENV)/tools
	$(VENV)/tools/bin/pip install $(PIP_FLAGS) -r requirements-tools.txt
	@touch $@

## system-deps: install (or name) the Debian packages the tests need: Chromium, Node.js, npm, etcd, Redis, HAProxy
system-deps:
	@bash tools/system-deps.sh

$(STAMP): requirements.txt pyproject.toml binder/overrides.json
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Scale Lab pins packages for Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) -r requirements.txt
	$(BIN)/pip install $(PIP_FLAGS) --no-deps -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings && cp binder/overrides.json $(VENV)/share/jupyter/lab/settings/
	@touch $@

## book: run every chapter and build the HTML book into _build/html
book: $(STAMP)
	@# myst-nb's cache knows a chapter's code, not the package it calls, and Sphinx re-reads only
	@# changed sources: after a change in src/ (or with the cache emptied) every chapter runs again.
	@# The page assets in src/scalelab/static are copied into every build, so they need no re-run.
	@if [ -d _build/.doctrees ] && { [ ! -d _build/.jupyter_cache ] || [ ! -f _build/src.stamp ] || \
		[ -n "$$(find src -newer _build/src.stamp -type f -not -path 'src/scalelab/static/*' | head -1)" ]; }; then \
		echo "src/ changed or no cache: running every chapter again"; rm -rf _build/.jupyter_cache _build/.doctrees; fi
	$(BIN)/jupyter-book build -W -n --keep-going .
	@touch _build/src.stamp
	@echo
	@echo "The book is in _build/html. Open _build/html/index.html in a browser,"
	@echo "or run 'make serve' and visit http://127.0.0.1:8000"

## serve: serve the built book on http://127.0.0.1:8000
serve:
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

## test: every test (models, notebooks, book build, browser, Binder environment)
## It empties the execution cache first, so every chapter runs from scratch.
test: system-deps $(STAMP) $(TOOLS)
	rm -rf _build/.jupyter_cache
	$(MAKE) book
	$(BIN)/python -m pytest tests src $(NB) --nbval --nbval-sanitize-with tests/nbval-sanitize.cfg \
		--nbval-cell-timeout=300 -p no:cacheprovider -rs

## unit: the fast tests only (models, explorer, checker; no book, no browser)
unit: $(STAMP)
	$(BIN)/python -m pytest tests src -m "not book and not slow and not servers" -p no:cacheprovider

## notebooks: run the notebooks (NB=...) under nbval and compare their outputs
notebooks: $(STAMP)
	$(BIN)/python -m pytest $(NB) --nbval --nbval-sanitize-with tests/nbval-sanitize.cfg -p no:cacheprovider

## outputs: run chapter sources (SRC=notebooks/NN-name.md ...) and store the executed notebooks beside them
outputs: $(STAMP)
	$(BIN)/python tools/run_notebooks.py $(SRC)

## bench: live update time of every figure, model benchmarks, and the static book in Chromium (1x and 4x CPU)
bench: $(STAMP) book
	$(BIN)/python benchmarks/bench_figures.py

## lab: JupyterLab in the project's environment
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

## lock: re-pin requirements.txt from requirements.in (then copy to binder/)
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install $(PIP_FLAGS) -r requirements.in
	(echo "# Exact lock of requirements.in (Python 3.11). Do not edit by hand: \`make lock\`."; \
	 .venv-lock/bin/pip freeze --exclude-editable | sort -f) > requirements.txt
	cp requirements.txt binder/requirements.txt
	rm -rf .venv-lock

clean:
	rm -rf _build
