"""Accuracy under co-parent and child shifts on a nonlinear SEM: CAMA vs MLP vs boosting.

    python benchmarks/robustness_sem.py            # full run, writes benchmarks/RESULTS.md
    python benchmarks/robustness_sem.py --quick    # smaller, for a smoke test

Every model is trained on clean rows only. Test sets are drawn fresh from the same SEM:
clean, co-parents shifted up by 1/2/3 clean standard deviations (the shift propagates to
the children through the true mechanism) and half of the children shifted up by 1/2 std (a
measurement shift, no propagation). The settings of one SEM share their noise draws (the
same rows, shifted or not), so their differences are the shift alone; each SEM seed draws
its own. The Bayes-optimal oracle built from the true
mechanisms is the ceiling row; under child shifts it is shown both not told and told
the shift. "CAMA + adapt" is a copy of the fitted CAMA adapted, without labels, on the
test rows of each setting it is scored on (test-time adaptation). Accuracies are averaged
over the SEM seeds; times are medians.

The probabilities are scored too, against the same oracle: log loss, and the expected
calibration error (ECE: rows binned by their top-class probability in 15 equal bins, the
row-weighted mean gap between that probability and the accuracy in the bin).
"""

from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import pandas as pd
from _report import machine_line, probability_scores, to_markdown, write_section
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcama import CAMAClassifier
from skcama.datasets import SyntheticSEM

SETTINGS = [
    ("clean", {}),
    ("co-parents +1", {"coparents": 1.0}),
    ("co-parents +2", {"coparents": 2.0}),
    ("co-parents +3", {"coparents": 3.0}),
    ("children +1", {"half_children": 1.0}),
    ("children +2", {"half_children": 2.0}),
]


def shift_for(sem: SyntheticSEM, spec: dict) -> dict:
    """Expand "half_children" into the first half of the SEM's children."""
    out = {}
    for key, amount in spec.items():
        if key == "half_children":
            children = sem.roles["children"]
            out.update({node: amount for node in children[: max(1, len(children) // 2)]})
        else:
            out[key] = amount
    return out


def make_models(seed: int) -> dict:
    return {
        "CAMA": lambda graph: CAMAClassifier(graph=graph, target="y", random_state=seed),
        "MLP(64,64)": lambda graph: make_pipeline(
            StandardScaler(), MLPClassifier(hidden_layer_sizes=(64, 64), random_state=seed)
        ),
        "HistGradientBoosting": lambda graph: HistGradientBoostingClassifier(random_state=seed),
    }


def run(args: argparse.Namespace) -> pd.DataFrame:
    rows = []
    for seed in args.seeds:
        sem = SyntheticSEM(
            n_parents=3,
            n_coparents=args.coparents,
            n_children=args.children,
            n_classes=args.classes,
            random_state=seed,
        )
        X_train, y_train = sem.sample(args.n_train, random_state=10_000 + seed)
        # one noise seed per SEM, shared by its settings (paired); earlier versions drew
        # setting i of seed s with 20,000 + s + i, which reused seed s + 1's setting i - 1
        tests = {
            name: sem.sample(
                args.n_test, shift=shift_for(sem, shift) or None, random_state=20_000 + 100 * seed
            )
            for name, shift in SETTINGS
        }
        for model_name, build in make_models(seed).items():
            model = build(sem.graph)
            start = time.perf_counter()
            model.fit(X_train, y_train)
            fit_s = time.perf_counter() - start
            big = pd.concat([tests["clean"][0]] * max(1, args.predict_rows // args.n_test))
            start = time.perf_counter()
            model.predict(big)
            rows_per_s = len(big) / (time.perf_counter() - start)
            for name, (X_test, y_test) in tests.items():
                rows.append(
                    dict(seed=seed, model=model_name, setting=name,
                         accuracy=float(np.mean(model.predict(X_test) == y_test)),
                         **probability_scores(model.predict_proba(X_test), y_test,
                                              model.classes_),
                         fit_s=fit_s, predict_rows_per_s=rows_per_s)
                )
                if hasattr(model, "adapt"):  # a copy adapted on the test rows, unlabelled
                    adapted = copy.deepcopy(model).adapt(X_test)
                    rows.append(
                        dict(seed=seed, model=f"{model_name} + adapt", setting=name,
                             accuracy=float(np.mean(adapted.predict(X_test) == y_test)),
                             **probability_scores(adapted.predict_proba(X_test), y_test,
                                                  adapted.classes_),
                             fit_s=np.nan, predict_rows_per_s=np.nan)
                    )
        for told in (False, True):
            for name, (X_test, y_test) in tests.items():
                shift = dict(SETTINGS)[name]
                if told and "half_children" not in shift:
                    continue
                oracle = sem.oracle(shift=shift_for(sem, shift) if told else None)
                rows.append(
                    dict(seed=seed, model="oracle (told)" if told else "oracle", setting=name,
                         accuracy=oracle.score(X_test, y_test),
                         **probability_scores(oracle.predict_proba(X_test), y_test,
                                              oracle.classes_),
                         fit_s=np.nan, predict_rows_per_s=np.nan)
                )
    return pd.DataFrame(rows)


MODEL_ORDER = ["CAMA", "CAMA + adapt", "MLP(64,64)", "HistGradientBoosting", "oracle",
               "oracle (told)"]
TIMED = ["CAMA", "MLP(64,64)", "HistGradientBoosting"]


def by_setting(results: pd.DataFrame, value: str) -> pd.DataFrame:
    """Mean of ``value`` over seeds, models by settings."""
    order = {name: i for i, (name, _) in enumerate(SETTINGS)}
    table = results.pivot_table(index="model", columns="setting", values=value, aggfunc="mean")
    table = table[sorted(table.columns, key=order.get)]
    return table.reindex([m for m in MODEL_ORDER if m in table.index]).reset_index()


def summarise(results: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    acc = by_setting(results, "accuracy")
    timing = (
        results.dropna(subset=["fit_s"])
        .groupby("model")[["fit_s", "predict_rows_per_s"]]
        .median()
        .reindex(TIMED)
        .reset_index()
    )
    mlp_fit = float(timing.loc[timing.model == "MLP(64,64)", "fit_s"].iloc[0])
    timing["fit_ratio_vs_MLP"] = timing["fit_s"] / mlp_fit
    return acc, timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for a smoke test")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=4000)
    parser.add_argument("--coparents", type=int, default=3)
    parser.add_argument("--children", type=int, default=8)
    parser.add_argument("--classes", type=int, default=3)
    parser.add_argument("--predict-rows", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.n_train, args.n_test, args.predict_rows = [0], 1000, 1000, 10_000
    results = run(args)
    acc, timing = summarise(results)
    text = (
        f"## robustness_sem.py\n\n{machine_line()}; seeds {args.seeds}, {args.n_train} training "
        f"rows, {args.n_test} test rows per setting, 3 parents, {args.coparents} co-parents, "
        f"{args.children} children, {args.classes} classes.\n\nAccuracy (mean over seeds):\n\n"
        f"{to_markdown(acc)}\n\nLog loss (mean over seeds; lower is better):\n\n"
        f"{to_markdown(by_setting(results, 'log_loss'))}\n\nExpected calibration error "
        "(top-class probability, 15 bins; mean over seeds; 0 is perfectly calibrated):\n\n"
        f"{to_markdown(by_setting(results, 'ece'))}\n\n"
        f"Times (median over seeds; predict on {args.predict_rows} rows):\n\n"
        f"{to_markdown(timing, '.2f')}\n"
    )
    print(text)
    if not (args.quick or args.no_write):
        write_section("robustness_sem", text)


if __name__ == "__main__":
    main()
