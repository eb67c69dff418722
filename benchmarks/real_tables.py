"""CAMA on a real table: calibration against logistic regression, and what discovery costs.

scikit-learn's breast-cancer table (569 rows, 30 skewed, strongly correlated measurements)
is not made by any SEM of ours, so it shows what the synthetic benchmarks cannot:

- **calibration**: accuracy, log loss and errors made at a probability above 0.99, by
  3-fold cross-validation, for CAMA with ``graph=None`` (every measurement a child), CAMA
  on log-transformed measurements, CAMA wrapped in ``CalibratedClassifierCV`` and a
  standardised logistic regression;
- **discovery time**: ``discover_graph`` with PC (the default) and GES on the first 400
  rows and the first 16, 20 and 24 columns (GES's search grows steeply with the columns).

``python benchmarks/real_tables.py`` writes the section ``real-tables`` of RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd


def calibration(seed: int) -> pd.DataFrame:
    """Cross-validated accuracy, log loss and confident errors of each model."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, log_loss
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    from skcama import CAMAClassifier

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    log = FunctionTransformer(np.log1p, feature_names_out="one-to-one")
    models = {
        "CAMA": CAMAClassifier(random_state=seed),
        "CAMA on log1p(X)": make_pipeline(log.set_output(transform="pandas"),
                                          CAMAClassifier(random_state=seed)),
        "CAMA in CalibratedClassifierCV(cv=3)": CalibratedClassifierCV(
            CAMAClassifier(random_state=seed), cv=3),
        "LogisticRegression (standardised)": make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=1000)),
    }
    rows = []
    for name, model in models.items():
        start = time.perf_counter()
        proba = cross_val_predict(model, X, y, cv=cv, method="predict_proba")
        wrong = proba.argmax(axis=1) != y.to_numpy()
        rows.append({
            "model": name,
            "accuracy": accuracy_score(y, proba.argmax(axis=1)),
            "log loss": log_loss(y, proba),
            "errors above p 0.99": int((wrong & (proba.max(axis=1) > 0.99)).sum()),
            "seconds": time.perf_counter() - start,
        })
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def discovery_time(columns: list[int], n_rows: int) -> pd.DataFrame:
    """Seconds of PC and GES on the first ``n_rows`` rows and first columns."""
    from sklearn.datasets import load_breast_cancer

    from skcama.discovery import discover_graph

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    rows = []
    for d in columns:
        row: dict = {"columns": d}
        for method in ("pc", "ges"):
            start = time.perf_counter()
            discover_graph(X.iloc[:n_rows, :d], y.iloc[:n_rows], method=method)
            row[f"{method} s"] = time.perf_counter() - start
        row["ges / pc"] = row["ges s"] / row["pc s"]
        rows.append(row)
        print(row, flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    from _report import add_run_arguments, machine_line, set_threads, to_markdown, write_section

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="folds and models")
    parser.add_argument("--columns", type=int, nargs="+", default=[16, 20, 24])
    parser.add_argument("--rows", type=int, default=400, help="rows for discovery")
    add_run_arguments(parser)
    args = parser.parse_args()
    set_threads(args)
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    calibrated = calibration(args.seed)
    timed = discovery_time(args.columns, args.rows)

    print(calibrated.to_string(index=False), timed.to_string(index=False), sep="\n\n")
    if args.no_write:
        return
    body = (
        "## A real table: calibration and discovery time\n\n"
        f"`python benchmarks/real_tables.py {' '.join(sys.argv[1:])}`; {machine_line()}; "
        f"wall time {(time.perf_counter() - start) / 60:.1f} min.\n\n"
        "scikit-learn's breast-cancer table, 3-fold cross-validation (seed "
        f"{args.seed}); CAMA with `graph=None` and default settings:\n\n"
        f"{to_markdown(calibrated, '.3f')}\n\n"
        f"Discovery on the first {args.rows} rows and the first columns (seconds):\n\n"
        f"{to_markdown(timed, '.1f')}\n"
    )
    write_section("real-tables", body)


if __name__ == "__main__":
    main()
