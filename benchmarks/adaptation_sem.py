"""Test-time adaptation and augmented training on a nonlinear SEM.

    python benchmarks/adaptation_sem.py            # full run, writes benchmarks/RESULTS.md
    python benchmarks/adaptation_sem.py --quick    # smaller, for a smoke test
    python benchmarks/adaptation_sem.py --part seen --seeds 10 11 12
                                  # part 2 alone on other SEMs, printed only
    python benchmarks/adaptation_sem.py --manipulation-model shift
                                  # every CAMA with manipulation_model="shift" (own section)

Part 1 (adaptation, paper fig. 8 and 12b): CAMA is trained on clean rows. For each
manipulation a pool of 1000 shifted unlabelled rows is drawn; CAMA adapts on 1%, 10% and
100% of it (10, 100, 1000 rows) and is scored on 4000 held-out shifted rows and on 4000
clean rows (clean accuracy after adaptation). MLPClassifier(64, 64) and
HistGradientBoosting trained on the same clean rows, and the oracle told / not told the
manipulation, are reference rows. Child shifts move half of the children (a measurement
shift); co-parent shifts propagate through the true mechanism.

Part 2 (seen / unseen, paper fig. 10): CAMA trained on clean rows only against CAMA
trained with extra rows carrying one manipulation (flagged ``manipulated``), both scored
on that manipulation (seen) and on another one (unseen); the MLP trained on the same rows
(clean-only / augmented) for comparison. Each CAMA is fitted with ``--fits`` training
seeds (default 5) and scored as the mean over them: on the unseen shift one fit's
accuracy moves by about 2 points with the training seed alone, more than the difference
between the two models' means.

The acceptance figures close the section with their spread: mean ± standard error over the
seeds of each paired difference (same SEM, same test rows).
"""

from __future__ import annotations

import argparse
import copy
import time
import warnings

import numpy as np
import pandas as pd
from _report import add_fits_argument, fits_of, machine_line, to_markdown, write_section
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcama import CAMAClassifier
from skcama.datasets import SyntheticSEM


def half(sem: SyntheticSEM, amount: float, second: bool = False) -> dict:
    children = sem.roles["children"]
    k = max(1, len(children) // 2)
    chosen = children[k:] if second else children[:k]
    return {node: amount for node in chosen}


MANIPULATIONS = {
    "children +1.5": lambda sem: half(sem, 1.5),
    "children +3": lambda sem: half(sem, 3.0),
    "co-parents +2": lambda sem: {"coparents": 2.0},
    "co-parents +3": lambda sem: {"coparents": 3.0},
}
FRACTIONS = (0.01, 0.1, 1.0)


def baselines(seed: int) -> dict:
    return {
        "MLP(64,64)": make_pipeline(
            StandardScaler(), MLPClassifier((64, 64), random_state=seed)
        ),
        "HistGradientBoosting": HistGradientBoostingClassifier(random_state=seed),
    }


def part_adaptation(args: argparse.Namespace) -> pd.DataFrame:
    rows = []
    for seed in args.seeds:
        sem = SyntheticSEM(random_state=seed)
        X, y = sem.sample(args.n_train, random_state=100 + seed)
        X_clean, y_clean = sem.sample(args.n_test, random_state=200 + seed)
        cama = CAMAClassifier(graph=sem.graph, target="y", random_state=seed,
                              manipulation_model=args.manipulation_model).fit(X, y)
        others = {name: model.fit(X, y) for name, model in baselines(seed).items()}
        clean_before = cama.score(X_clean, y_clean)
        for i, (name, make_shift) in enumerate(MANIPULATIONS.items()):
            shift = make_shift(sem)
            X_s, y_s = sem.sample(args.pool + args.n_test, shift=shift,
                                  random_state=300 + 10 * seed + i)
            pool, X_held, y_held = X_s.iloc[: args.pool], X_s.iloc[args.pool:], y_s.iloc[args.pool:]
            record = dict(seed=seed, manipulation=name, clean_before=clean_before,
                          shifted_before=cama.score(X_held, y_held))
            for fraction in FRACTIONS:
                n_rows = max(1, int(round(fraction * args.pool)))
                adapted = copy.deepcopy(cama)
                start = time.perf_counter()
                adapted.adapt(pool.iloc[:n_rows])
                record[f"adapt_s@{n_rows}"] = time.perf_counter() - start
                record[f"shifted_after@{n_rows}"] = adapted.score(X_held, y_held)
                record[f"clean_after@{n_rows}"] = adapted.score(X_clean, y_clean)
            for model_name, model in others.items():
                record[model_name] = model.score(X_held, y_held)
            record["oracle"] = sem.oracle().score(X_held, y_held)
            record["oracle (told)"] = sem.oracle(shift=shift).score(X_held, y_held)
            rows.append(record)
    return pd.DataFrame(rows)


def part_seen_unseen(args: argparse.Namespace) -> pd.DataFrame:
    rows = []
    for seed in args.seeds:
        sem = SyntheticSEM(random_state=seed)
        seen, unseen = half(sem, 2.0), half(sem, -2.0, second=True)
        X, y = sem.sample(args.n_train, random_state=100 + seed)
        X_m, y_m = sem.sample(args.n_train // 2, shift=seen, random_state=400 + seed)
        X_aug = pd.concat([X, X_m], ignore_index=True)
        y_aug = pd.concat([y, y_m], ignore_index=True)
        mask = np.r_[np.zeros(len(X), bool), np.ones(len(X_m), bool)]
        tests = {
            "clean": sem.sample(args.n_test, random_state=500 + seed),
            "seen (half children +2)": sem.sample(args.n_test, shift=seen,
                                                  random_state=600 + seed),
            "unseen (other half -2)": sem.sample(args.n_test, shift=unseen,
                                                 random_state=700 + seed),
        }
        option = {"manipulation_model": args.manipulation_model}
        # each CAMA is fitted with args.fits training seeds: one fit's accuracy on a shift
        # neither model saw moves by about 2 points with the seed alone (the "training
        # noise" lines), so the comparison is between means over fits
        models = {}
        for fit in range(args.fits):
            state = seed + 100 * fit  # fit 0: the single fit of earlier versions
            models[("CAMA clean-only", fit)] = CAMAClassifier(
                graph=sem.graph, target="y", random_state=state, **option
            ).fit(X, y)
            models[("CAMA augmented", fit)] = CAMAClassifier(
                graph=sem.graph, target="y", random_state=state, **option
            ).fit(X_aug, y_aug, manipulated=mask)
        models[("MLP clean-only", 0)] = baselines(seed)["MLP(64,64)"].fit(X, y)
        models[("MLP augmented", 0)] = baselines(seed)["MLP(64,64)"].fit(X_aug, y_aug)
        for (model_name, fit), model in models.items():
            for test_name, (X_t, y_t) in tests.items():
                rows.append(dict(seed=seed, model=model_name, fit=fit, test=test_name,
                                 accuracy=model.score(X_t, y_t)))
    return pd.DataFrame(rows)


def summarise_adaptation(results: pd.DataFrame, pool: int) -> pd.DataFrame:
    sizes = [max(1, int(round(f * pool))) for f in FRACTIONS]
    columns = ["clean_before", "shifted_before"]
    for n in sizes:
        columns += [f"shifted_after@{n}", f"clean_after@{n}"]
    columns += ["MLP(64,64)", "HistGradientBoosting", "oracle", "oracle (told)",
                f"adapt_s@{sizes[-1]}"]
    table = results.groupby("manipulation", sort=False)[columns].mean().reset_index()
    return table


def _mean_se(values: pd.Series) -> str:
    """Mean and standard error over seeds, in accuracy points."""
    points = 100 * values.to_numpy(dtype=float)
    se = points.std(ddof=1) / np.sqrt(len(points)) if len(points) > 1 else float("nan")
    return f"{points.mean():+.1f} ± {se:.1f}"


def acceptance_lines(adaptation: pd.DataFrame, seen: pd.DataFrame, pool: int) -> str:
    """The issue's figures with their spread over seeds (paired differences)."""
    child3 = adaptation[adaptation.manipulation == "children +3"]
    small = max(1, int(round(FRACTIONS[0] * pool)))
    gain_full = child3[f"shifted_after@{pool}"] - child3["shifted_before"]
    gain_small = child3[f"shifted_after@{small}"] - child3["shifted_before"]
    gap = child3[f"shifted_after@{pool}"] - child3["clean_before"]
    lines = [
        f"- children +3, adapted on {pool} rows, shifted after - clean before: "
        f"{_mean_se(gap)} (target: within 3 points)",
        f"- clean after - clean before, adapted on {pool} rows: "
        f"{_mean_se(child3[f'clean_after@{pool}'] - child3['clean_before'])} (target: within 1)",
        f"- gain with {small} rows {_mean_se(gain_small)} vs with {pool} rows "
        f"{_mean_se(gain_full)} (target: at least half)",
        f"- adapt on {pool} rows: {child3[f'adapt_s@{pool}'].mean():.2f} s (target: under 5 s)",
    ]
    return "\n".join(lines) + "\n" + seen_lines(seen)


def seen_lines(seen: pd.DataFrame) -> str:
    """Part 2's figures: augmented - clean-only per test, and the training noise."""
    by_seed = seen.pivot_table(index="seed", columns=["model", "test"], values="accuracy")
    lines = []
    for family in ("CAMA", "MLP"):
        for test in ("seen (half children +2)", "unseen (other half -2)"):
            diff = by_seed[(f"{family} augmented", test)] - by_seed[(f"{family} clean-only", test)]
            lines.append(f"- {family}, augmented - clean-only, {test}: {_mean_se(diff)}")
    cama = seen[seen["model"].str.startswith("CAMA")]
    n_fits = cama["fit"].nunique()
    if n_fits > 1:
        spread = cama.groupby(["model", "test", "seed"])["accuracy"].std().groupby(
            ["model", "test"]).mean()
        for test in ("seen (half children +2)", "unseen (other half -2)"):
            lines.append(
                f"- training noise, {test}: one CAMA fit's accuracy moves by "
                f"{100 * spread[('CAMA clean-only', test)]:.1f} (clean-only) and "
                f"{100 * spread[('CAMA augmented', test)]:.1f} (augmented) points (standard "
                f"deviation over the {n_fits} training seeds, mean over SEMs); the CAMA "
                f"rows above are means over the {n_fits} fits"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for a smoke test")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=4000)
    parser.add_argument("--pool", type=int, default=1000, help="shifted rows for adaptation")
    parser.add_argument("--manipulation-model", choices=["mechanism", "shift"],
                        default="mechanism", help="CAMAClassifier's manipulation_model")
    add_fits_argument(parser, "in part 2")
    parser.add_argument("--part", choices=["all", "seen"], default="all",
                        help="'seen': part 2 only, printed, RESULTS.md left alone")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.n_train, args.n_test = [0], 1500, 1000
    args.fits = fits_of(args)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    if args.part == "seen":  # part 2 alone, printed and not written
        seen = part_seen_unseen(args)
        print(to_markdown(seen.pivot_table(index=["seed", "model"], columns="test",
                                           values="accuracy").reset_index()))
        print(seen_lines(seen))
        return
    adaptation = part_adaptation(args)
    seen = part_seen_unseen(args)
    table = summarise_adaptation(adaptation, args.pool)
    seen_table = seen.pivot_table(index="model", columns="test", values="accuracy",
                                  aggfunc="mean").reset_index()
    per_seed = seen.pivot_table(index=["seed", "model"], columns="test",
                                values="accuracy").reset_index()  # mean over the fits
    child3 = adaptation[adaptation.manipulation == "children +3"].drop(columns="manipulation")
    shift = args.manipulation_model == "shift"
    title = "adaptation_sem.py --manipulation-model shift" if shift else "adaptation_sem.py"
    text = (
        f"## {title}\n\n{machine_line()}; SEM seeds {args.seeds}, {args.n_train} "
        f"clean training rows, {args.n_test} held-out rows per test set, adaptation pool "
        f"{args.pool} shifted rows (1% / 10% / 100% used).\n\n"
        "Part 1 — accuracy before / after `adapt` (mean over seeds; `@n` = adapted on n "
        f"unlabelled shifted rows; baselines and oracle on the held-out shifted rows):\n\n"
        f"{to_markdown(table)}\n\n"
        "Per seed, child shift +3 on half the children:\n\n"
        f"{to_markdown(child3)}"
        "\n\nPart 2 — augmented training with one manipulation, tested on it (seen) and on "
        f"another (unseen); each CAMA fitted with {args.fits} training seeds; mean over "
        f"fits and SEM seeds:\n\n{to_markdown(seen_table)}\n\n"
        f"Per seed (CAMA rows: means over the {args.fits} fits):\n\n"
        f"{to_markdown(per_seed)}\n\n"
        "Acceptance figures (mean ± standard error over the seeds of the paired "
        f"differences, in accuracy points):\n\n{acceptance_lines(adaptation, seen, args.pool)}\n"
    )
    print(text)
    if not (args.quick or args.no_write):
        write_section("adaptation_sem-shift" if shift else "adaptation_sem", text)


if __name__ == "__main__":
    main()
