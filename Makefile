# The targets CI and the README use. `make demo` and `make test` install first.
PYTHON ?= python3
STAMP := .install.stamp

.PHONY: install demo test lint benchmarks

$(STAMP): setup.py pyproject.toml scripts/install.sh
	PYTHON=$(PYTHON) bash scripts/install.sh
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	skcama demo

test: $(STAMP)
	$(PYTHON) -m pytest -n 2

lint:
	ruff check skcama tests benchmarks

benchmarks: $(STAMP)
	$(PYTHON) benchmarks/robustness_sem.py
