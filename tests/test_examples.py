"""Every script in examples/ runs to the end in its reduced size (as in the docs build).

Slow (about a minute in all): `make docs` executes the same scripts, so the default test
run leaves these out; run them with ``python -m pytest -m slow tests/test_examples.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_examples_folder_holds_the_gallery():
    assert {p.name for p in SCRIPTS} >= {
        "site_a_to_site_b.py",
        "clinical_pipeline.py",
        "robustness_report.py",
    }
    assert (EXAMPLES / "README.txt").is_file()  # the gallery's index text


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_runs_in_reduced_size(script, tmp_path):
    env = dict(os.environ, SKCAMA_DOCS_FAST="1", MPLBACKEND="Agg", OMP_NUM_THREADS="1")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,  # the scripts must not depend on the working directory
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip(), "an example should report what it found"
    assert list(tmp_path.iterdir()) == [], "an example should not litter the working directory"
