# The targets CI and the README use. `make demo` and `make test` install first.
PYTHON ?= python3
# one stamp per interpreter: `make test PYTHON=other/python` installs into that one too
PY_ID := $(shell $(PYTHON) -c "import sys, zlib; print(zlib.crc32(sys.executable.encode()))" 2>/dev/null)
ifeq ($(PY_ID),)
$(error no Python at '$(PYTHON)': set PYTHON=/path/to/python3 (3.10 or newer))
endif
STAMP := .install-$(PY_ID).stamp
# an environment made again at the same path (rm -rf .venv; python3 -m venv .venv) has the
# stamp's name but none of the packages: the stamp is dropped, so the install runs again
# (-I: the checkout's own skcama.egg-info, on the path from the working folder, counts not)
PY_READY := $(shell $(PYTHON) -I -c "import importlib.metadata as m, importlib.util as u, sys; m.version('skcama'); sys.exit(any(u.find_spec(n) is None for n in ('torch', 'networkx', 'sklearn', 'causallearn', 'pytest', 'xdist')))" >/dev/null 2>&1 && echo yes)
ifneq ($(PY_READY),yes)
$(shell rm -f $(STAMP))
endif
DOCS_STAMP := .docs-install-$(PY_ID).stamp
DEV_STAMP := .dev-install-$(PY_ID).stamp
SPHINXBUILD ?= $(PYTHON) -m sphinx

.PHONY: install demo test docs lint benchmarks

$(STAMP): setup.py pyproject.toml scripts/install.sh
	PYTHON=$(PYTHON) bash scripts/install.sh
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PYTHON) -m skcama demo

test: $(STAMP)
	$(PYTHON) -m pytest -n 2

$(DOCS_STAMP): $(STAMP) setup.py
	$(PYTHON) -m pip install -e ".[docs]" --config-settings editable_mode=compat
	touch $(DOCS_STAMP)

# The HTML site in docs/_build/html; warnings are errors. The examples run in reduced size
# when CI=true or SKCAMA_DOCS_FAST is set.
docs: $(DOCS_STAMP)
	$(SPHINXBUILD) -W --keep-going -b html docs docs/_build/html

$(DEV_STAMP): $(STAMP) setup.py
	$(PYTHON) -m pip install -e ".[dev]" --config-settings editable_mode=compat
	touch $(DEV_STAMP)

# The test suite at the lowest versions setup.py declares (scripts/floors.txt), in its own
# virtual environment .venv-floors (made from $(PYTHON), 3.11 or older: numpy 1.25 has
# no wheels for newer Pythons). A check to run when a floor or a dependency's use changes.
.PHONY: test-floors
test-floors:
	$(PYTHON) -m venv .venv-floors
	PYTHON=.venv-floors/bin/python bash scripts/install.sh
	.venv-floors/bin/python -m pip install -r scripts/floors.txt
	OMP_NUM_THREADS=1 .venv-floors/bin/python -m pytest -n 2 -p no:cacheprovider

lint: $(DEV_STAMP)
	$(PYTHON) -m ruff check skcama tests benchmarks examples docs/conf.py

benchmarks: $(STAMP)
	$(PYTHON) benchmarks/robustness_sem.py

# The paper's measurement-data figures (fig. 12a, 12b, 13) as docs/figures/*.png and *.md,
# and the adversarial benchmark table in benchmarks/RESULTS.md.
.PHONY: figures adversarial
figures: $(STAMP)
	$(PYTHON) benchmarks/paper_figures.py

adversarial: $(STAMP)
	$(PYTHON) benchmarks/adversarial_sem.py
