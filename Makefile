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
# PyTorch build: cpu (default; PyTorch's CPU wheel) or cuda (`make setup TORCH=cuda`: PyPI's Linux
# build with the CUDA libraries, several GB, for an NVIDIA GPU).
TORCH ?= cpu
ifeq ($(TORCH),cuda)
CONSTRAINTS := constraints-cuda.txt
else ifeq ($(TORCH),cpu)
CONSTRAINTS := constraints.txt
TORCH_INDEX := https://download.pytorch.org/whl/cpu
else
$(error TORCH must be cpu or cuda, not $(TORCH))
endif
# Written after a successful install; older than pyproject.toml or the constraints -> reinstall.
INSTALL_STAMP := $(VENV)/.grfkit-install-$(TORCH).stamp
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

.PHONY: help setup test book notebooks check-book chromium data keep-real-data clean distclean

help:
	@echo "make book        execute the notebooks and build the book -> _build/html/index.html"
	@echo "make test        run all tests (unit, property and notebook tests)"
	@echo "make notebooks   generate paired .ipynb files next to notebooks/*.py"
	@echo "make check-book  check that the built book's plotly figures render (headless Chromium)"
	@echo "make data        download the real data sets (checksums verified) -> grfkit data list"
	@echo "make keep-real-data  rerun chapter 6 with every real data set and keep its results in results/real-data"
	@echo "make time-chapters SCALES=\"ci book\"  time every chapter at each scale -> results/run-times"
	@echo "make setup TORCH=cuda  install PyTorch's CUDA build instead of the CPU one"
	@echo "make clean       remove build outputs, generated notebooks and caches (keeps .venv)"
	@echo "make distclean   clean, and remove .venv"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "grfkit needs Python >= 3.11; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The constraints pin torch. For the CPU build, torch alone is installed first from PyTorch's CPU
# index (one retry: a machine without that index but with the wheel in pip's find-links goes on at
# once); everything else then comes from the usual index, torch's dependencies included.
$(INSTALL_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(if $(TORCH_INDEX),$(BIN)/python -m pip install --no-deps --retries 1 --extra-index-url $(TORCH_INDEX) \
		-c $(CONSTRAINTS) torch)
	$(BIN)/python -m pip install -e '.[test,book,export]' -c $(CONSTRAINTS)
	rm -f $(VENV)/.grfkit-install-*.stamp
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

# The real data sets, downloaded into grfkit's data directory ($$GRFKIT_DATA_DIR, else the per-user
# data folder that `grfkit data list` shows); files already there are verified, not downloaded again.
data: setup
	$(BIN)/grfkit data fetch

# Chapter 6 run once with every real data set; its tables, figures and quoted numbers are kept in
# results/real-data (with the commit and this command) for pages built without the data. Commit
# first: a kept run from a dirty tree says so in its provenance.
SCALE ?= book
SEED ?= 0
keep-real-data: setup
	mkdir -p _build/keep-real-data
	$(BIN)/jupytext --to ipynb notebooks/06_real_data.py -o _build/keep-real-data/06_real_data.ipynb
	cd notebooks && ../$(BIN)/papermill ../_build/keep-real-data/06_real_data.ipynb \
		../_build/keep-real-data/06_real_data.executed.ipynb -k grfkit --no-progress-bar \
		-p scale $(SCALE) -p seed $(SEED) -p keep_results True
	@echo "kept: results/real-data (see its manifest.json)"

# Every chapter executed with papermill at each scale, one at a time, each with an empty cache;
# the wall times and their provenance go to results/run-times (the book's run-times page).
# Commit first: a dirty tree is refused (tools/time_chapters.py --allow-dirty records it instead).
SCALES ?= ci book
.PHONY: time-chapters
time-chapters: setup
	$(BIN)/python tools/time_chapters.py --scales $(SCALES)

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
