"""How adapt_prior's check of each child tells a new prevalence from a changed measurement.

``CAMAClassifier.adapt_prior`` estimates a new setting's class prevalence, which is only
right when the measurements themselves did not change. After the estimate it compares
each child's mean in the new rows with the mean of values the model draws for the same
rows at the estimated prevalence, and names the children that differ by 0.2 sds or more
with a z-score of 4 or more (``adapted_children_shift_``, ``adapted_children_z_``).

This script measures that check on two kinds of new rows:

- *prevalence only*: rows of the same process resampled to other class shares (and
  fresh rows at the training shares); no child should be named;
- *one child shifted*: fresh rows with one child read higher by 0.25, 0.5 or 1 training
  sd; that child should be named;
- *one categorical child recoded* (``load_dyspnea``): half the ``cardiomegaly`` X-rays
  read as ``normal``, or every ``mmrc`` grade below 4 read one grade higher.

Cases: ``load_dyspnea`` (a model fitted on the first 2,000 rows, the other 1,000 as the
new site) and ``SyntheticSEM`` seeds (3,000 training rows, 2,000 new rows per case).

    python benchmarks/prior_check.py            # SEM seeds 0-4, under a minute on 2 cores
    python benchmarks/prior_check.py --quick    # smoke size
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from skcama import CAMAClassifier  # noqa: E402
from skcama._classifier import _CHECK_SHIFT, _CHECK_Z  # noqa: E402  (the warning's bounds)
from skcama.datasets import SyntheticSEM, load_dyspnea  # noqa: E402

SHIFTS = (0.25, 0.5, 1.0)  # training sds added to one child
SHARES = ([0.7, 0.2, 0.1], [0.1, 0.2, 0.7])  # class shares of the resampled SEM rows


def case_row(clf: CAMAClassifier, X_new: pd.DataFrame, data: str, change: str,
             kind: str, truth: np.ndarray, moved: str | None) -> dict:
    """Run adapt_prior on ``X_new``; one table row."""
    clf.reset_adaptation()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.adapt_prior(X_new)
    children = list(clf.roles_.children)
    shift, z = clf.adapted_children_shift_, clf.adapted_children_z_
    named = [n for j, n in enumerate(children)
             if abs(shift[j]) >= _CHECK_SHIFT and abs(z[j]) >= _CHECK_Z]
    others = [j for j, n in enumerate(children) if n != moved]
    largest = max(others, key=lambda j: abs(shift[j]))
    row = dict(
        data=data, change=change, kind=kind,
        prevalence_error=float(np.max(np.abs(clf.adapted_class_prior_ - truth))),
        moved_shift=np.nan if moved is None else float(shift[children.index(moved)]),
        moved_z=np.nan if moved is None else float(z[children.index(moved)]),
        moved_named=None if moved is None else moved in named,
        largest_other=f"{children[largest]} {shift[largest]:+.3f}",
        largest_other_abs=float(abs(shift[largest])),
        others_named=", ".join(n for n in named if n != moved) or "-",
    )
    print(f"  {data} {change}: {row}", flush=True)
    return row


def dyspnea_rows(quick: bool) -> list[dict]:
    X, y, graph = load_dyspnea(return_graph=True)
    n_train = 1000 if quick else 2000
    clf = CAMAClassifier(graph=graph, target="diagnosis", max_epochs=10 if quick else 30,
                         random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X[:n_train], y[:n_train])
    site, labels = X[n_train:], y[n_train:]
    classes = clf.classes_

    def truth(rows: pd.Series) -> np.ndarray:
        return rows.value_counts(normalize=True).reindex(classes, fill_value=0).to_numpy()

    rows = [case_row(clf, site, "load_dyspnea", "same shares", "prevalence only",
                     truth(labels), None)]
    rng = np.random.default_rng(0)
    for label in classes:
        weights = np.where(labels == label, 4.0, 1.0)
        pick = rng.choice(len(site), len(site) // 2, replace=False, p=weights / weights.sum())
        rows.append(case_row(clf, site.iloc[pick], "load_dyspnea", f"{label} x4",
                             "prevalence only", truth(labels.iloc[pick]), None))
    sd = X["fev1_fvc"][:n_train].std()
    for amount in SHIFTS:
        moved = site.copy()
        moved["fev1_fvc"] += amount * sd
        rows.append(case_row(clf, moved, "load_dyspnea", f"fev1_fvc +{amount} sd",
                             "one child shifted", truth(labels), "fev1_fvc"))
    recoded = site.copy()
    cardiomegaly = np.flatnonzero(recoded["chest_xray"].eq("cardiomegaly").to_numpy())
    recoded.iloc[cardiomegaly[::2], recoded.columns.get_loc("chest_xray")] = "normal"
    rows.append(case_row(clf, recoded, "load_dyspnea", "half of cardiomegaly read normal",
                         "one categorical child recoded", truth(labels), "chest_xray"))
    recoded = site.copy()
    recoded["mmrc"] = recoded["mmrc"].where(recoded["mmrc"] >= 4, recoded["mmrc"] + 1)
    rows.append(case_row(clf, recoded, "load_dyspnea", "mmrc one grade higher",
                         "one categorical child recoded", truth(labels), "mmrc"))
    return rows


def sem_rows(seed: int, quick: bool) -> list[dict]:
    sem = SyntheticSEM(random_state=seed)
    X, y = sem.sample(1000 if quick else 3000, random_state=100 + seed)
    clf = CAMAClassifier(graph=sem.graph, target="y", random_state=seed,
                         max_epochs=10 if quick else 200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
    pool, labels = sem.sample(30_000, random_state=200 + seed)
    codes = np.searchsorted(clf.classes_, labels)
    count = np.bincount(codes, minlength=len(clf.classes_))
    rng = np.random.default_rng(seed)
    name = f"SyntheticSEM({seed})"
    rows = []
    for shares in (None, *SHARES):
        weights = (np.ones(len(codes)) if shares is None
                   else np.asarray(shares)[codes] / count[codes])
        pick = rng.choice(len(codes), 2000, replace=False, p=weights / weights.sum())
        truth = np.bincount(codes[pick], minlength=len(count)) / len(pick)
        change = "same shares" if shares is None else "shares " + "/".join(
            f"{s:.0%}" for s in shares)
        rows.append(case_row(clf, pool.iloc[pick], name, change, "prevalence only", truth,
                             None))
    child = sem.roles["children"][0]
    fresh = pool.iloc[:2000]
    truth = np.bincount(codes[:2000], minlength=len(count)) / 2000
    for amount in SHIFTS:
        moved = fresh.copy()
        moved[child] += amount * X[child].std()
        rows.append(case_row(clf, moved, name, f"{child} +{amount} sd", "one child shifted",
                             truth, child))
    return rows


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per kind of change: cases, and how often the check named the right child or any
    other."""
    out = []
    for (kind, change), group in table.groupby(
        [table["kind"], table["change"].str.extract(r"(\+[\d.]+ sd)$")[0].fillna("")],
        sort=False,
    ):
        out.append(dict(
            kind=kind, amount=change or "-", cases=len(group),
            moved_child_named="-" if kind == "prevalence only"
            else f"{int(group['moved_named'].sum())}/{len(group)}",
            moved_child_shift_min=group["moved_shift"].min(),
            cases_with_another_child_named=int((group["others_named"] != "-").sum()),
            largest_other_shift=group["largest_other_abs"].max(),
        ))
    return pd.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for a smoke test")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    from _report import add_run_arguments, machine_line, set_threads, to_markdown, write_section

    add_run_arguments(parser)
    args = parser.parse_args()
    set_threads(args)
    seeds = args.seeds[:1] if args.quick else args.seeds
    start = time.perf_counter()
    rows = dyspnea_rows(args.quick)
    for seed in seeds:
        rows += sem_rows(seed, args.quick)
    table = pd.DataFrame(rows)
    brief = summary(table)
    shown = table.drop(columns=["largest_other_abs"])
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(shown.to_string(index=False), end="\n\n")
        print(brief.to_string(index=False))
    if args.no_write:
        return
    body = (
        "## prior_check.py\n\n"
        f"`python benchmarks/prior_check.py {' '.join(sys.argv[1:])}`".rstrip() + "\n\n"
        f"{machine_line()}; SEM seeds {seeds}; wall time "
        f"{(time.perf_counter() - start) / 60:.1f} min. `adapt_prior` on new rows of "
        "another prevalence, or with one child read higher; a child is named where its "
        "mean (a categorical child: the share of a level) differs from the model's at the "
        f"estimated prevalence by {_CHECK_SHIFT:g} sds or more with |z| >= {_CHECK_Z:g}; "
        "rows missing a parent or "
        "co-parent are left out.\n\n"
        f"Summary:\n\n{to_markdown(brief, '.3f')}\n\n"
        "Every case (`prevalence_error`: largest error of a class's estimated share; "
        "`moved_*`: the shifted child's figures; `largest_other`: the largest difference "
        "among the other children):\n\n"
        f"{to_markdown(shown, '.3f')}"
    )
    write_section("prior_check", body)


if __name__ == "__main__":
    main()
