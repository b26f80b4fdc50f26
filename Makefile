# The course's commands. Each target sets up what it needs: a .venv with the pinned
# requirements and the helper package installed in editable mode.
#   make lab         open the course in JupyterLab
#   make test        every test stage, each timed: lint, fast, slow, nbval, browser
#   make test-fast   the tests in no tier (no notebook, browser or slow test): under a minute
#   make regenerate  re-execute every notebook in place and strip volatile metadata
#   make student     write the student edition to student/ (solutions removed, exercises cleared)

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Same numbers on every machine: one BLAS/OpenMP thread, fixed hash seed.
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Kernels started by jupyter/nbclient resolve "python" to the course environment.
export PATH := $(abspath $(BIN)):$(PATH)
LAB_PORT ?= 8888
# Jupyter refuses to run as root unless told; containers and CI often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# Which notebooks `make regenerate` and `make nbval` take, e.g. NB=notebooks/01_cbow_forward.ipynb
NB ?= notebooks/*.ipynb

.PHONY: setup lab test test-fast test-slow test-browser lint format unit nbval regenerate student \
	navigation binder kernel-memory portability margins site clean

setup: $(STAMP)

# JupyterLab defaults (lab/overrides.json): widget messages on the kernel's main thread, because
# ipykernel 7 would otherwise run widget callbacks beside cells, and matplotlib is not thread-safe;
# no news or update checks (no prompt, no request leaves the machine); markdown opens rendered.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

$(STAMP): requirements.txt requirements-site.txt pyproject.toml lab/overrides.json
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt \
		-r requirements-site.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@mkdir -p $(dir $(LAB_SETTINGS))
	cp lab/overrides.json $(LAB_SETTINGS)
	@touch $(STAMP)

# The lab serves notebooks/ and opens on its contents page (notebooks/contents.md, written by
# `make navigation`), which every notebook's navigation bar links back to.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --ServerApp.ip=127.0.0.1 \
		--ServerApp.port=$(LAB_PORT) --LabApp.default_url=/lab/tree/contents.md $(ROOT_FLAG) \
		$(LAB_ARGS)

# The stages, in tools/test_stages.py: lint, fast, slow, nbval (each notebook executed once),
# browser (each notebook's student edition in JupyterLab); it prints each stage's wall time.
test: $(STAMP)
	$(BIN)/python tools/test_stages.py

test-fast: $(STAMP)
	$(BIN)/python tools/test_stages.py fast

test-slow: $(STAMP)
	$(BIN)/python tools/test_stages.py slow

test-browser: $(STAMP)
	$(BIN)/python tools/test_stages.py browser

lint: $(STAMP)
	$(BIN)/python tools/test_stages.py lint

# Every test that executes no notebook and drives no browser: fast and slow tiers.
unit: $(STAMP)
	$(BIN)/pytest tests -m "not notebook and not browser"

nbval: $(STAMP)
	$(BIN)/pytest $(NB)

regenerate: $(STAMP)
	$(BIN)/python tools/regenerate.py $(NB)

student: $(STAMP)
	$(BIN)/python tools/student.py

# The course site from the stored notebooks and the README, no cell executed: build/site/html.
site: $(STAMP)
	$(BIN)/python tools/build_site.py

navigation: $(STAMP)
	$(BIN)/python tools/navigation.py

binder: $(STAMP)
	$(BIN)/python tools/binder.py

# Not part of `make test` (35 min on two cores): nbval under emulated CPUs and thread counts, the
# unit tests, the margins probe judged on the worst of four of them, two runs at a time.
# PORTABILITY_ARGS=--quick: nbval under three of them (9 min), after every regenerate;
# "--repeat 2", "--only ...".
portability: $(STAMP)
	$(BIN)/python tools/portability.py $(PORTABILITY_ARGS) \
		$(if $(filter-out notebooks/*.ipynb,$(NB)),$(NB))

margins: $(STAMP)
	$(BIN)/python tools/margins.py $(if $(filter-out notebooks/*.ipynb,$(NB)),$(NB))

kernel-memory: $(STAMP)
	$(BIN)/python tools/kernel_memory.py $(NB)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

# Not part of `make test`: time and peak memory of the SkipGram losses (notebook 04).
.PHONY: bench-losses
bench-losses: $(STAMP)
	$(BIN)/python benchmarks/bench_losses.py

# Not part of `make test`: our trainer vs gensim's Word2Vec, words/s and WordSim353 (notebook 07).
# Records its lines, the CPU, date and commit in benchmarks/results.md, then shows them in README
# and notebook 07 (BENCH_NOTE="shared 2-core machine" to say the machine was shared).
.PHONY: bench-train
bench-train: $(STAMP)
	BENCH_COMMAND="make bench-train" $(BIN)/python benchmarks/bench_train.py

# Not part of `make test`: how fast every widget panel builds and answers a move (issue 18).
# Records its lines in benchmarks/results.md, README and notebook 07, as bench-train does.
.PHONY: bench-widgets
bench-widgets: $(STAMP)
	BENCH_COMMAND="make bench-widgets" $(BIN)/python benchmarks/bench_widgets.py $(BENCH_ARGS)
