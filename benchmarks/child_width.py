"""What a narrower decoder buys on wide tables: ``child_hidden_size``, speed and accuracy.

    python benchmarks/child_width.py                   # 50 and 100 features, widths 16 / 8 / 4
    python benchmarks/child_width.py --threads 2       # pin torch to 2 threads
    python benchmarks/child_width.py --no-write        # print only

The decoder gives every child ``child_hidden_size`` hidden units (default 16), so the
cost of an epoch and of a prediction grows with the number of children times that width;
with 100 features (60 children) it is what keeps CAMA's epochs several times the
MLP's (``perf.py``, section ``perf-cpu-100``). This script measures, on SEM data with
1/5 parents, 1/5 co-parents and 3/5 children (as in ``perf.py``, but noisier and with
less separated classes, so that accuracy has room to differ: ``noise=1.0``,
``class_sep=0.5``), what each width costs and what it buys:

- speed: a fixed 3-epoch fit of 10,000 rows (rows x epochs per second) and
  ``predict_proba`` on 20,000 rows (rows per second), the median of 3 repeats in which
  the widths take turns, so a slow spell of the shared machine hits all of them;
- accuracy, each model fitted to convergence with the default stopping rule on 10,000
  rows and scored on 5,000 fresh rows: clean; every co-parent shifted +2 sd (the
  mechanisms hold, so a causal model should stay accurate); every other child shifted
  +2 sd, before and after ``adapt`` on 1,000 unlabelled shifted rows; and the clean rows
  after that adaptation.

Each figure is the mean over the SEM seeds, and the ratios and differences are against
width 16 (the default) measured in the same run. Tables go to stdout and, unless
``--no-write``, to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd

WIDTHS = [16, 8, 4]
TRAIN_ROWS, TEST_ROWS, ADAPT_ROWS, PREDICT_ROWS = 10_000, 5_000, 1_000, 20_000
SPEED_REPEATS = 3


def _sem(n_features: int, seed: int):
    from skcama.datasets import SyntheticSEM

    n_side = max(1, n_features // 5)
    return SyntheticSEM(n_parents=n_side, n_coparents=n_side,
                        n_children=n_features - 2 * n_side, n_outside=0, noise=1.0,
                        class_sep=0.5, random_state=seed)


def speed(n_features: int, widths: list[int]) -> list[dict]:
    """Fixed-epoch fit and prediction throughput of every width on one SEM (seed 0)."""
    from skcama import CAMAClassifier

    sem = _sem(n_features, 0)
    X, y = sem.sample(TRAIN_ROWS, random_state=1)
    X_predict, _ = sem.sample(PREDICT_ROWS, random_state=3)
    X, X_predict = X.astype(np.float32), X_predict.astype(np.float32)
    models = {w: CAMAClassifier(graph=sem.graph, target="y", child_hidden_size=w, max_epochs=3,
                                n_iter_no_change=4, validation_fraction=0.0, random_state=0)
              for w in widths}
    for model in models.values():  # warm-up: one-time imports and allocations
        model.fit(X.iloc[:300], y.iloc[:300]).predict_proba(X_predict.iloc[:2048])
    fit_s: dict[int, list[float]] = {w: [] for w in widths}
    predict_s: dict[int, list[float]] = {w: [] for w in widths}
    for _ in range(SPEED_REPEATS):
        for width, model in models.items():
            start = time.perf_counter()
            model.fit(X, y)
            fit_s[width].append(time.perf_counter() - start)
            model.predict_proba(X_predict.iloc[:2048])
            start = time.perf_counter()
            model.predict_proba(X_predict)
            predict_s[width].append(time.perf_counter() - start)
    return [{"features": n_features, "width": w,
             "fit rows*epochs/s": 3 * TRAIN_ROWS / float(np.median(fit_s[w])),
             "predict rows/s": PREDICT_ROWS / float(np.median(predict_s[w]))}
            for w in widths]


def accuracy(n_features: int, seed: int, widths: list[int]) -> list[dict]:
    """Converged fits of every width on SEM ``seed``, scored clean, under shifts and after
    adaptation."""
    from skcama import CAMAClassifier

    sem = _sem(n_features, seed)
    X, y = sem.sample(TRAIN_ROWS, random_state=1)
    X_test, y_test = sem.sample(TEST_ROWS, random_state=4)
    X_co, y_co = sem.sample(TEST_ROWS, shift={c: 2.0 for c in sem.roles["coparents"]},
                            random_state=5)
    shifted = sem.roles["children"][::2]
    X_ch, y_ch = sem.sample(TEST_ROWS, shift={c: 2.0 for c in shifted}, random_state=6)
    X_new, _ = sem.sample(ADAPT_ROWS, shift={c: 2.0 for c in shifted}, random_state=7)
    rows = []
    for width in widths:
        start = time.perf_counter()
        clf = CAMAClassifier(graph=sem.graph, target="y", child_hidden_size=width,
                             random_state=seed).fit(X, y)
        fit_s = time.perf_counter() - start
        row = {"features": n_features, "seed": seed, "width": width, "fit (s)": fit_s,
               "epochs": len(clf.history_), "clean": clf.score(X_test, y_test),
               "co-parents +2": clf.score(X_co, y_co),
               "children +2": clf.score(X_ch, y_ch)}
        clf.adapt(X_new)
        row["children +2, adapted"] = clf.score(X_ch, y_ch)
        row["clean after adapting"] = clf.score(X_test, y_test)
        rows.append(row)
    return rows


def tables(
    speed_rows: list[dict], accuracy_rows: list[dict]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The speed table with ratios to width 16, the accuracy table (means over the seeds)
    and the accuracy differences to width 16."""
    fast = pd.DataFrame(speed_rows)
    for column in ("fit rows*epochs/s", "predict rows/s"):
        base = fast[fast["width"] == 16].set_index("features")[column]
        fast[f"{column.split(' ')[0]} vs width 16"] = fast[column] / fast["features"].map(base)
    acc = pd.DataFrame(accuracy_rows).drop(columns="seed")
    mean = acc.groupby(["features", "width"], sort=False).mean().reset_index()
    scores = ["clean", "co-parents +2", "children +2", "children +2, adapted",
              "clean after adapting"]
    base = mean[mean["width"] == 16].set_index("features")[scores]
    diff = mean[["features", "width"]].copy()
    for column in scores:
        diff[column] = mean[column] - mean["features"].map(base[column])
    return fast, mean, diff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--widths", type=int, nargs="+", default=WIDTHS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()
    if 16 not in args.widths:
        parser.error("--widths must include 16, the default the others are compared with")
    import torch

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    speed_rows, accuracy_rows = [], []
    for n_features in args.features:
        speed_rows += speed(n_features, args.widths)
        for seed in args.seeds:
            accuracy_rows += accuracy(n_features, seed, args.widths)
        print(f"# {n_features} features done after {time.perf_counter() - start:.0f} s",
              flush=True)
    fast, mean, diff = tables(speed_rows, accuracy_rows)
    from _report import machine_line, to_markdown, write_section

    with pd.option_context("display.width", 250, "display.max_columns", 20):
        for frame in (fast, mean, diff):
            print(frame.to_string(index=False), end="\n\n")
    if args.no_write:
        return
    body = (
        f"## Decoder width on wide tables (cpu, {torch.get_num_threads()} threads)\n\n"
        f"`python benchmarks/child_width.py {' '.join(sys.argv[1:])}`; {machine_line()}; "
        f"SEM seeds {args.seeds}; wall time {(time.perf_counter() - start) / 60:.1f} min.\n\n"
        "Speed (SEM seed 0; a 3-epoch fit of 10,000 rows and `predict_proba` on 20,000 rows "
        f"at the default 4 samples, median of {SPEED_REPEATS} repeats taken in turns):\n\n"
        f"{to_markdown(fast, '.3g')}\n\n"
        "Accuracy (mean over the seeds; fitted to convergence on 10,000 rows, scored on 5,000 "
        "fresh rows per column; `children +2` shifts every other child; adapted on 1,000 "
        "unlabelled shifted rows):\n\n"
        f"{to_markdown(mean, '.4g')}\n\n"
        "Difference to width 16 (the default), in accuracy:\n\n"
        f"{to_markdown(diff, '.4f')}\n"
    )
    write_section("child-width", body)


if __name__ == "__main__":
    main()
