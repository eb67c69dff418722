"""Regenerate the dyspnea example: the CSV and graph inside the package, the graph in graphs/.

    python scripts/make_clinical_dataset.py

Samples 3,000 rows from ``skcama.datasets.dyspnea_sem()`` with fixed seeds, blanks cells
(NT-proBNP more often in younger patients, MAR on age; other columns completely at random) and
writes

- ``skcama/datasets/data/dyspnea.csv`` (the features and ``diagnosis``, loaded by
  ``skcama.datasets.load_dyspnea``),
- ``skcama/datasets/data/dyspnea.gml`` and ``graphs/dyspnea.gml`` (the causal graph).

Running it twice gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from skcama.datasets import DYSPNEA_COLUMNS, add_missing, dyspnea_sem
from skcama.graph import write_graph

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = ROOT / "skcama" / "datasets" / "data"
GRAPHS = ROOT / "graphs"

N_ROWS = 3000
SAMPLE_SEED = 20_240
# (rate per column, mechanism, depends_on, strength): applied in order, each with its own seed.
MISSINGNESS = [
    ({"nt_probnp": 0.25}, "mar", "age", -1.5),
    ({"fev1_fvc": 0.15, "eosinophils": 0.10, "chest_xray": 0.08}, "mcar", None, 0.0),
    ({"bmi": 0.05, "mmrc": 0.05, "crackles": 0.05}, "mcar", None, 0.0),
]


def build() -> tuple[pd.DataFrame, nx.DiGraph]:
    """The table (features and ``diagnosis``) and the causal graph, exactly as written."""
    sem = dyspnea_sem(random_state=0)
    X, y = sem.sample(N_ROWS, random_state=SAMPLE_SEED)
    for i, (rate, mechanism, depends_on, strength) in enumerate(MISSINGNESS):
        X = add_missing(
            X,
            rate,
            mechanism=mechanism,
            depends_on=depends_on,
            strength=strength if mechanism == "mar" else 2.0,
            random_state=SAMPLE_SEED + 1 + i,
        )
    if list(X.columns) != list(DYSPNEA_COLUMNS):
        raise RuntimeError(
            f"DYSPNEA_COLUMNS {list(DYSPNEA_COLUMNS)} does not match the model's columns "
            f"{list(X.columns)}; update skcama/datasets/_clinical.py."
        )
    return X.assign(diagnosis=y), sem.graph


def main() -> None:
    frame, graph = build()
    X = frame.drop(columns="diagnosis")
    PACKAGE_DATA.mkdir(parents=True, exist_ok=True)
    csv = PACKAGE_DATA / "dyspnea.csv"
    frame.to_csv(csv, index=False, lineterminator="\n")
    print(f"wrote {csv} ({len(frame)} rows, {int(X.isna().to_numpy().sum())} missing cells)")
    for path in (PACKAGE_DATA / "dyspnea.gml", GRAPHS / "dyspnea.gml"):
        write_graph(graph, path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
