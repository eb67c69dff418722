"""The benchmark scripts run: a script the test suite never runs can break unseen when the
library's API moves (the adversarial benchmark once stopped at its first table when
robustness_curve began to ask every attack for a surrogate). The default run covers the
adversarial benchmark in a small size (its helpers also make the paper's figures); every
script's own ``--quick`` smoke size runs with ``-m slow``."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"
# the benchmarks are in the repository only, not in the source distribution
pytestmark = pytest.mark.skipif(not BENCHMARKS.exists(),
                                reason="the benchmarks are only in the repository")


def run_benchmark(script: str, *args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True,
        cwd=cwd, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_adversarial_benchmark_runs_and_reports_its_acceptance_cells(tmp_path):
    results = (BENCHMARKS / "RESULTS.md").read_text()
    out = run_benchmark("adversarial_sem.py", "--seeds", "0", "--n-train", "600", "--n-test",
                        "100", "--budgets", "0.25", "--eot", "2", "--no-write", cwd=tmp_path)
    for role in ("co-parents", "children", "co-parents and children"):
        assert f"\n- {role}, budget 0.25: CAMA + adapt" in out.stdout
    assert "| oracle, PGD crafted against CAMA |" in out.stdout  # the Bayes-optimal reference
    assert (BENCHMARKS / "RESULTS.md").read_text() == results  # --no-write wrote nothing


@pytest.mark.slow
@pytest.mark.parametrize("script", [
    "adversarial_sem.py", "robustness_sem.py", "adaptation_sem.py", "graphs_sem.py",
    "mixed_missing.py", "perf.py", "prior_check.py",
])
def test_every_benchmark_runs_in_its_smoke_size(script, tmp_path):
    results = (BENCHMARKS / "RESULTS.md").read_text()
    run_benchmark(script, "--quick", "--no-write", cwd=tmp_path)
    assert (BENCHMARKS / "RESULTS.md").read_text() == results


@pytest.mark.slow
def test_paper_figures_regenerate_in_their_smoke_size(tmp_path):
    run_benchmark("paper_figures.py", "--quick", "--out", str(tmp_path), cwd=tmp_path)
    for figure in ("fig12a_coparent_shift", "fig12b_child_shift", "fig13_adversarial"):
        assert (tmp_path / f"{figure}.png").stat().st_size > 0
        page = (tmp_path / f"{figure}.md").read_text()
        assert f"]({figure}.png)" in page and "\n| " in page  # the figure and its table
