"""How large should CAMA's prediction chunks be on the CPU? Throughput per buffer size.

    python benchmarks/predict_chunks.py                 # 20 and 100 features, 4 / 16 / 64 samples
    python benchmarks/predict_chunks.py --threads 2     # pin torch to 2 threads
    python benchmarks/predict_chunks.py --no-write      # print only

``predict_proba`` runs in chunks of rows whose intermediate buffer (rows x classes x
samples x children x hidden units) stays near a target number of elements,
``skcama._classifier._CPU_PREDICT_BUFFER`` (target, ceiling, most rows); where a chunk of
at least 64 rows would exceed the target, the samples are split into passes only above
the ceiling. Each budget below replaces the target, with the ceiling the larger of the
budget and the one in use: the 5,000,000 row is the rule of earlier versions (20 MB
chunks, samples split above 20 MB). This script fits one model per feature count
(SEM data with 1/5 parents, 1/5 co-parents and 3/5 children, as in ``perf.py``) and times
``predict_proba`` on 20,000 rows (5,000 at 64 samples) under each budget. The budgets take
turns within each round, so a slow spell of the shared machine hits all of them; the
table gives the median over the rounds, the ratio to the budget in use, and the time of a
call with a single row (one padded chunk). It also checks that the probabilities do not
depend on the budget (a row's prediction must not depend on the rows predicted with it).

Tables go to stdout and, unless ``--no-write``, to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd

BUDGETS = [1_000_000, 2_000_000, 3_000_000, 5_000_000, 10_000_000]  # elements
ROUNDS = 9


def measure(n_features: int, samples: list[int], budgets: list[int]) -> list[dict]:
    """Throughput of every (samples, budget) pair for one fitted model."""
    import skcama._classifier as classifier
    from skcama import CAMAClassifier
    from skcama.datasets import SyntheticSEM

    n_side = max(1, n_features // 5)
    sem = SyntheticSEM(n_parents=n_side, n_coparents=n_side,
                       n_children=n_features - 2 * n_side, n_outside=0, random_state=0)
    X, y = sem.sample(20_000, random_state=1)
    X = X.astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(graph=sem.graph, target="y", max_epochs=2, validation_fraction=0.0,
                             random_state=0).fit(X, y)
    in_use = classifier._CPU_PREDICT_BUFFER
    rows = []
    try:
        for n_samples in samples:
            clf.set_params(n_samples=n_samples)
            part = X if n_samples <= 16 else X.iloc[:5_000]
            times = {b: [] for b in budgets}
            single = {b: [] for b in budgets}
            reference, largest_diff = None, 0.0
            for _ in range(ROUNDS):
                for budget in budgets:
                    classifier._CPU_PREDICT_BUFFER = (budget, max(budget, in_use[1]), in_use[2])
                    clf.predict_proba(part.iloc[:500])  # warm-up at this chunk shape
                    start = time.perf_counter()
                    proba = clf.predict_proba(part)
                    times[budget].append(time.perf_counter() - start)
                    start = time.perf_counter()
                    clf.predict_proba(part.iloc[:1])
                    single[budget].append(time.perf_counter() - start)
                    if reference is None:
                        reference = proba
                    largest_diff = max(largest_diff, float(np.abs(proba - reference).max()))
            for budget in budgets:
                classifier._CPU_PREDICT_BUFFER = (budget, max(budget, in_use[1]), in_use[2])
                chunk_rows, group = classifier._predict_batch(clf)
                rows.append({
                    "features": n_features,
                    "samples": n_samples,
                    "budget (elements)": budget,
                    "buffer (MB)": 4 * budget / 2**20,
                    "rows per chunk": chunk_rows,
                    "samples per pass": group,
                    "rows/s": len(part) / float(np.median(times[budget])),
                    "one row (ms)": 1e3 * float(np.median(single[budget])),
                    "in use": budget == in_use[0],
                    "largest difference": largest_diff,
                })
    finally:
        classifier._CPU_PREDICT_BUFFER = in_use
    return rows


def table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    ratios = []
    for _, group in frame.groupby(["features", "samples"], sort=False):
        base = group.loc[group["in use"], "rows/s"]
        ratios.append(group["rows/s"] / (base.iloc[0] if len(base) else np.nan))
    frame["rows/s vs budget in use"] = pd.concat(ratios)
    frame["budget (elements)"] = [
        f"{budget:,}" + (" (in use)" if used else "")
        for budget, used in zip(frame["budget (elements)"], frame["in use"], strict=True)
    ]
    return frame.drop(columns="in use")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--samples", type=int, nargs="+", default=[4, 16, 64])
    parser.add_argument("--budgets", type=int, nargs="+", default=BUDGETS)
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()
    import torch

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    import skcama._classifier as classifier

    budgets = sorted(set(args.budgets) | {classifier._CPU_PREDICT_BUFFER[0]})
    start = time.perf_counter()
    rows = []
    for n_features in args.features:
        rows += measure(n_features, args.samples, budgets)
        print(f"# {n_features} features done after {time.perf_counter() - start:.0f} s",
              flush=True)
    frame = table(rows)
    from _report import machine_line, to_markdown, write_section

    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(frame.to_string(index=False))
    if args.no_write:
        return
    body = (
        f"## Prediction chunk size (cpu, {torch.get_num_threads()} threads)\n\n"
        f"`python benchmarks/predict_chunks.py {' '.join(sys.argv[1:])}`; {machine_line()}.\n\n"
        f"`predict_proba` on 20,000 rows (5,000 at 64 samples), median of {ROUNDS} rounds in "
        "which the budgets take turns; each budget is the target size of the decoder's "
        "buffer, the samples split into passes above the larger of it and the ceiling in "
        f"use ({classifier._CPU_PREDICT_BUFFER[1]:,} elements); 5,000,000 is the rule of "
        "earlier versions; `one row`: a call with a single row (one padded "
        "chunk); `largest difference`: the largest change of a probability between budgets "
        "(0 when a row's prediction does not depend on the chunk).\n\n"
        f"{to_markdown(frame, '.3g')}\n"
    )
    write_section("predict-chunks", body)


if __name__ == "__main__":
    main()
