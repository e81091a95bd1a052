# grfkit's front door. The README's two commands:
#   make book   set up .venv, execute every notebook and build the HTML book (_build/html/index.html)
#   make test   set up .venv and run the whole test suite
# Other targets: notebooks (paired .ipynb), check-book (plotly figures render in headless Chromium),
# setup, clean, distclean. Needs only Python >= 3.11 (python3, or PYTHON=/path/to/python).

# Every recipe runs in bash with errexit, nounset and pipefail: a failing command in a pipe
# (`jupyter-book ... | tee log`) fails the target.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; older than pyproject.toml or constraints.txt -> reinstall.
INSTALL_STAMP := $(VENV)/.grfkit-install.stamp
KERNEL_JSON := $(VENV)/share/jupyter/kernels/grfkit/kernel.json
PYTEST_ARGS ?=

# Real recordings (read-only) sit beside the checkout in shared/data, in CI too. Notebooks and
# tests find them through GRFKIT_DATA_DIR, which an explicit setting overrides.
ifneq ($(wildcard ../shared/data),)
export GRFKIT_DATA_DIR ?= $(abspath ../shared/data)
endif
# Jupyter's own deprecation notice about its config paths; opting in silences it.
export JUPYTER_PLATFORM_DIRS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup test book notebooks check-book chromium clean distclean

help:
	@echo "make book        execute the notebooks and build the book -> _build/html/index.html"
	@echo "make test        run all tests (unit, property and notebook tests)"
	@echo "make notebooks   generate paired .ipynb files next to notebooks/*.py"
	@echo "make check-book  check that the built book's plotly figures render (headless Chromium)"
	@echo "make clean       remove build outputs, generated notebooks and caches (keeps .venv)"
	@echo "make distclean   clean, and remove .venv"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "grfkit needs Python >= 3.11; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# -c constraints.txt pins torch to the CPU build; without it pip fetches several GB of CUDA.
$(INSTALL_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test,book]' -c constraints.txt
	touch $@

# The `grfkit` kernel that every notebook names (kernelspec in its header). It lives inside .venv,
# where papermill and jupyter-book look first, and its environment makes plotly emit text/html
# (PLOTLY_RENDERER=notebook): the kernel default, application/vnd.plotly.v1+json, is a MIME type
# that myst-nb drops, which would leave blank figures in the book.
$(KERNEL_JSON): $(INSTALL_STAMP) Makefile
	$(BIN)/python -m ipykernel install --sys-prefix --name grfkit --display-name "Python (grfkit)" \
		--env PLOTLY_RENDERER notebook

setup: $(INSTALL_STAMP) $(KERNEL_JSON)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# A clean _build every time: the build that executes the notebooks is the one that gates
# (jupyter-cache would otherwise reuse outputs from an earlier kernel setup).
# -W: warnings are errors (a dropped figure output is a warning); -n: nitpicky cross-references;
# --keep-going: report every warning before failing.
book: setup
	rm -rf _build
	mkdir -p _build
	$(BIN)/jupyter-book build . -W -n --keep-going 2>&1 | tee _build/book-build.log
	@# Belt and braces: fail on any execution failure or dropped output named in the log, even if
	@# jupyter-book's exit status missed it.
	@if grep -nE "Executing notebook failed|CellExecutionError|unknown output mime type|No mime type available" \
		_build/book-build.log; then echo "book build: notebook execution failed (see above)" >&2; exit 1; fi
	test -f _build/html/index.html
	@echo "book: _build/html/index.html"

# Paired .ipynb twins (pairing set in notebooks/jupytext.toml); the .py files stay the source.
notebooks: setup
	$(BIN)/jupytext --sync notebooks/*.py

# Debian's Chromium for the render check; installed only when absent (CI runs as root).
chromium:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" -ne 0 ]; then echo "install chromium (Debian package 'chromium') first" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Checks the book that `make book` built; screenshots of every figure page go to _build/render-check.
check-book: setup chromium
	test -f _build/html/index.html || { echo "no book in _build/html: run 'make book' first" >&2; exit 1; }
	$(BIN)/python tools/check_book_render.py _build/html --screenshot-dir _build/render-check

clean:
	rm -rf _build .pytest_cache .hypothesis notebooks/*.ipynb notebooks/.ipynb_checkpoints
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV) *.egg-info
