"""Mixed-type data with missing children: CAMA vs gradient boosting vs an imputing MLP.

    python benchmarks/mixed_missing.py                      # full run, writes benchmarks/RESULTS.md
    python benchmarks/mixed_missing.py --models hgb,mlp     # the baselines only
    python benchmarks/mixed_missing.py --quick              # smaller, for a smoke test
    python benchmarks/mixed_missing.py --jobs 12 --threads 1 # the cases in parallel processes

Data: random mixed-type nonlinear SEMs (``skcama.datasets.MixedSEM.random``: 3 parents, 3
co-parents, 8 children of the string-labelled 3-class target, cycling through continuous
(float), binary (bool), ordinal 0-4 (int) and 4-category nominal (pandas ``category``), 2
latent causes, 2 nodes outside the blanket). Every model is trained on clean rows in which
a fraction (0, 10, 30, 50 %) of the children's cells are missing completely at random, and
tested on rows with the same missingness: clean, with every binary child recorded True more
often (each False recorded as True with probability 0.3, ``flip``) and with every graded
child read one level higher (``level_shift``, clipped at 4). The three test settings share
their underlying rows and missing cells, so their differences are the manipulation alone.

Models, all given the raw DataFrame:

- ``HistGradientBoosting``: native NaN and categorical support (``category`` columns).
- ``MLP(64,64)``: a Pipeline of median imputation with missing indicators and scaling for
  numeric / bool columns, one-hot encoding with missing as its own category for ``category``
  columns, then ``MLPClassifier(64, 64)``.
- ``CAMA``: ``CAMAClassifier(graph=sem.graph, target="y")`` on the DataFrame as it is (the
  likelihood of every child chosen from its dtype, missing children marginalised).
- ``CAMA + adapt``: the fitted CAMA adapted (``adapt``) to a pool of 1000 unlabelled rows of
  the manipulated setting (same missingness), scored on the held-out manipulated rows.

Accuracies are means over the SEM seeds. ``--models hgb,mlp`` leaves the CAMA rows out; CAMA
errors are never caught.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
import warnings

import numpy as np
import pandas as pd
from _report import machine_line, probability_scores, to_markdown, write_section
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skcama import CAMAClassifier
from skcama.datasets import MixedSEM, add_missing

MODELS = ("cama", "hgb", "mlp")
MODEL_NAMES = {
    "cama": ["CAMA", "CAMA + adapt"],
    "hgb": ["HistGradientBoosting"],
    "mlp": ["MLP(64,64)"],
}
RATES = (0.0, 0.1, 0.3, 0.5)
SETTINGS = {
    "clean": {},
    "findings recorded more often (flip +0.3)": {"flip": {"children": 0.3}},
    "graded scales one level higher": {"level_shift": {"children": 1}},
}
CLASS_NAMES = ("disease A", "disease B", "disease C")


def make_mlp(seed: int):
    numeric = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
    )
    categorical = OneHotEncoder(handle_unknown="ignore")  # a missing value is its own category
    preprocess = make_column_transformer(
        (numeric, make_column_selector(dtype_exclude="category")),
        (categorical, make_column_selector(dtype_include="category")),
    )
    return make_pipeline(
        preprocess, MLPClassifier(hidden_layer_sizes=(64, 64), random_state=seed)
    )


def make_models(seed: int, wanted: list[str], graph) -> dict:
    models = {}
    if "cama" in wanted:
        models["CAMA"] = CAMAClassifier(graph=graph, target="y", random_state=seed)
    if "hgb" in wanted:
        models["HistGradientBoosting"] = HistGradientBoostingClassifier(random_state=seed)
    if "mlp" in wanted:
        models["MLP(64,64)"] = make_mlp(seed)
    return models


def run_one(seed: int, rate: float, args: argparse.Namespace) -> list[dict]:
    """Every model and setting for one SEM seed and one missingness rate."""
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    sem = MixedSEM.random(class_names=CLASS_NAMES, random_state=seed)
    children = sem.roles["children"]
    X_train_full, y_train = sem.sample(args.n_train, random_state=10_000 + seed)
    # One set of underlying rows for every setting: the first args.pool rows are the
    # unlabelled adaptation pool, the rest the test rows.
    n_rows = args.pool + args.n_test
    settings = {
        name: sem.sample(n_rows, random_state=20_000 + seed, **kwargs)
        for name, kwargs in SETTINGS.items()
    }
    X_train = add_missing(X_train_full, rate, columns=children, random_state=30_000 + seed)
    tests = {
        name: add_missing(X, rate, columns=children, random_state=40_000 + seed)
        for name, (X, _) in settings.items()
    }
    y_test = settings["clean"][1].iloc[args.pool:]
    rows = []
    for model_name, model in make_models(seed, args.models, sem.graph).items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        for setting, X_all in tests.items():
            X_test = X_all.iloc[args.pool:]
            rows.append(dict(seed=seed, rate=rate, model=model_name, setting=setting,
                             accuracy=float(np.mean(model.predict(X_test) == y_test)),
                             **probability_scores(model.predict_proba(X_test), y_test,
                                                  model.classes_),
                             fit_s=fit_s))
            if model_name != "CAMA" or setting == "clean":
                continue
            adapted = copy.deepcopy(model)
            start = time.perf_counter()
            adapted.adapt(X_all.iloc[: args.pool])
            adapt_s = time.perf_counter() - start
            rows.append(dict(seed=seed, rate=rate, model="CAMA + adapt", setting=setting,
                             accuracy=float(np.mean(adapted.predict(X_test) == y_test)),
                             **probability_scores(adapted.predict_proba(X_test), y_test,
                                                  adapted.classes_),
                             fit_s=adapt_s))
    clean = [r for r in rows if r["setting"] == "clean"]
    print(f"seed {seed}, {rate:.0%} missing: "
          + ", ".join(f"{r['model']} {r['accuracy']:.3f}" for r in clean), flush=True)
    return rows


def run(args: argparse.Namespace) -> pd.DataFrame:
    """All (seed, rate) cases, in ``args.jobs`` processes (each case is independent and
    seeded, so the result does not depend on the number of processes)."""
    from joblib import Parallel, delayed

    cases = [(seed, rate) for seed in args.seeds for rate in args.rates]
    parts = Parallel(n_jobs=args.jobs)(
        delayed(run_one)(seed, rate, args) for seed, rate in cases
    )
    return pd.DataFrame([row for part in parts for row in part])


def by_rate(part: pd.DataFrame, order: list[str], value: str) -> pd.DataFrame:
    """Mean of ``value`` over seeds, models by missingness rate."""
    table = part.pivot_table(index="model", columns="rate", values=value, aggfunc="mean")
    table = table.reindex([m for m in order if m in table.index])
    table.columns = [f"{r:.0%} missing" for r in table.columns]
    return table


def summarise(results: pd.DataFrame, models: list[str]) -> dict[str, pd.DataFrame]:
    order = [name for key in MODELS if key in models for name in MODEL_NAMES[key]]
    tables = {}
    for setting in SETTINGS:
        table = by_rate(results[results.setting == setting], order, "accuracy")
        if table.columns[0] == "0% missing":
            for rate in ("30%", "50%"):
                if f"{rate} missing" in table.columns:
                    table[f"loss 0->{rate}"] = table.iloc[:, 0] - table[f"{rate} missing"]
        tables[setting] = table.reset_index()
    return tables


def calibration(results: pd.DataFrame, models: list[str]) -> str:
    """Log loss and ECE tables, by setting and missingness rate, as markdown."""
    order = [name for key in MODELS if key in models for name in MODEL_NAMES[key]]
    parts = []
    for setting in SETTINGS:
        part = results[results.setting == setting]
        for value, label in (("log_loss", "log loss"), ("ece", "ECE")):
            parts.append(f"{setting}, {label}:\n\n"
                         f"{to_markdown(by_rate(part, order, value).reset_index())}")
    return "\n\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for a smoke test")
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated subset of cama,hgb,mlp (cama adds CAMA + adapt)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rates", type=float, nargs="+", default=list(RATES))
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=4000)
    parser.add_argument("--pool", type=int, default=1000,
                        help="unlabelled manipulated rows CAMA adapts to")
    parser.add_argument("--jobs", type=int, default=1,
                        help="(seed, rate) cases run in parallel processes")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads per process (default: torch's own)")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(args.models) - set(MODELS))
    if unknown or not args.models:
        parser.error(f"--models takes a comma-separated subset of {','.join(MODELS)}; "
                     f"got {unknown or 'nothing'}")
    if args.quick:
        args.seeds, args.n_train, args.n_test, args.pool = [0], 1000, 1000, 300
    # The MLP stops at max_iter without converging on some settings; that is its budget.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    results = run(args)
    tables = summarise(results, args.models)
    timing = (results[results.model != "CAMA + adapt"].groupby("model")["fit_s"].median()
              .reset_index().rename(columns={"fit_s": "fit_s (median)"}))
    left_out = [name for key in MODELS if key not in args.models for name in MODEL_NAMES[key]]
    sections = "\n\n".join(f"{setting}:\n\n{to_markdown(table)}"
                           for setting, table in tables.items())
    text = (
        f"## mixed_missing.py\n\n`python benchmarks/mixed_missing.py {' '.join(sys.argv[1:])}`; "
        f"{machine_line()} (threads in this process; see --threads for the workers); seeds "
        f"{args.seeds}, {args.n_train} training rows, {args.n_test} test rows per setting, "
        f"adaptation pool {args.pool} rows; MixedSEM.random: 3 parents, 3 co-parents, 8 "
        "children (2 continuous, 2 binary, 2 ordinal 0-4, 2 nominal with 4 categories), 3 "
        "string classes; MCAR missingness in the children of training and test rows.\n\n"
        + (f"Not run: {', '.join(left_out)}.\n\n" if left_out else "")
        + f"Accuracy (mean over seeds) by setting of the test rows:\n\n{sections}\n\n"
        "Probabilities (mean over seeds): log loss, and the expected calibration error "
        "(top-class probability, 15 bins; 0 is perfectly calibrated):\n\n"
        f"{calibration(results, args.models)}\n\n"
        f"Fit times (median, seconds):\n\n{to_markdown(timing, '.2f')}\n"
    )
    print(text)
    if not (args.quick or args.no_write):
        write_section("mixed_missing", text)


if __name__ == "__main__":
    main()
