"""Valid adversarial attacks (PGD on co-parents, children or both) on a nonlinear SEM.

    python benchmarks/adversarial_sem.py            # full run, writes benchmarks/RESULTS.md
    python benchmarks/adversarial_sem.py --quick    # smaller, for a smoke test
    python benchmarks/adversarial_sem.py --manipulation-model shift
                                  # CAMA with manipulation_model="shift" (own section)

CAMA, a plain MLP, a PGD-trained MLP, CausalAdv and gradient boosting are trained on clean
rows of the SEM of robustness_sem.py; test rows are attacked by L-inf PGD (20 steps,
random start) on the co-parents only, on the children only, or on both at once (every
valid variable: the paper's fig. 13), with budgets in clean training sds per column. Each
model is scored under the strongest attack that applies to it (see
benchmarks/_adversarial.py): for CAMA the strongest of white-box PGD with its fixed Monte
Carlo noise, white-box PGD with gradients averaged over 4 fresh noise draws (EOT) and
transfer from the plain MLP; gradient boosting only by transfer. CAMA + adapt is CAMA
adapted without labels on the rows that attacked it (paper section 4.1), scored on them
and on the clean rows, and attacked anew by an attacker who knows the adapted model (the
strongest attack crafted against it). For reference, the SEM's Bayes-optimal
classifier (its true posterior) is scored on the rows crafted against CAMA and against the
MLP. Accuracies are means over the SEM seeds.
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings

import numpy as np
import pandas as pd
import torch
from _adversarial import (
    BUDGETS,
    MODELS,
    ROLES,
    SETTINGS,
    TRAIN_BUDGET,
    attack_curve,
    clean_curve,
    display_names,
    fit_models,
    make_task,
    oracle_under_transfer,
)
from _report import machine_line, to_markdown, write_section

ATTACK = "pgd"


def run(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    frames, fits, oracle = [], [], []
    labels = [f"{ATTACK.upper()} on {role}" for role in ROLES]
    for seed in args.seeds:
        start = time.perf_counter()
        task = make_task(seed, args.n_train, args.n_test)
        models = fit_models(task, args.manipulation_model)
        frames.append(clean_curve(models, task, labels))
        for role in ROLES:
            frames.append(attack_curve(models, task, role, ATTACK, args.budgets, eot=args.eot,
                                       attack_adapted=True))
            oracle.append(oracle_under_transfer(models, task, role, args.budgets))
        fits.append(dict(seed=seed, **task.fit_seconds, seed_s=time.perf_counter() - start))
        print(f"seed {seed} done in {fits[-1]['seed_s']:.0f} s", flush=True)
    return (pd.concat(frames, ignore_index=True), pd.DataFrame(fits),
            pd.concat(oracle, ignore_index=True))


def oracle_table(oracle: pd.DataFrame, cells: list[str]) -> pd.DataFrame:
    """The Bayes-optimal classifier's mean accuracy over the seeds, a row per model the
    attack was crafted against, a column per cell of the accuracy table."""
    cell = [_cell(r, s) for r, s in zip(oracle["role"], oracle["strength"], strict=True)]
    table = oracle.assign(cell=cell).drop_duplicates(["seed", "source", "cell"]).pivot_table(
        index="source", columns="cell", values="accuracy", aggfunc="mean")
    table.index = [f"oracle, PGD crafted against {source}" for source in table.index]
    return table[[c for c in cells if c in table.columns]]


def _cell(role: str, budget: float) -> str:
    return "clean" if budget == 0 else f"{role} {budget:g}"


def summarise(results: pd.DataFrame, budgets) -> dict[str, pd.DataFrame]:
    results = results.assign(model=display_names(results))
    setting = results["manipulation"].map(
        lambda m: next((s for s in SETTINGS if m.endswith(s)), ""))
    attacked = results[setting == ""].copy()
    clean_after = results[setting == " (clean rows)"].copy()
    again = results[setting == " (attacked after adapting)"].copy()
    cells = ["clean"] + [_cell(role, b) for role in ROLES for b in budgets]

    def cell_of(frame: pd.DataFrame) -> pd.Series:
        role = frame["manipulation"].str.replace(f"{ATTACK.upper()} on ", "", regex=False)
        for suffix in SETTINGS:
            role = role.str.replace(suffix, "", regex=False)
        cells = [_cell(r, s) for r, s in zip(role, frame["strength"], strict=True)]
        return pd.Series(cells, index=frame.index)

    attacked["cell"] = cell_of(attacked)
    clean_after["cell"] = cell_of(clean_after)
    again["cell"] = cell_of(again)
    attacked = attacked.drop_duplicates(["seed", "model", "cell"])  # clean once, not per role
    clean_after = clean_after.drop_duplicates(["seed", "model", "cell"])
    order = ["CAMA", "CAMA + adapt", *MODELS[1:]]
    acc = attacked.pivot_table(index="model", columns="cell", values="accuracy", aggfunc="mean")
    acc = acc.reindex(order)[cells]
    after = clean_after.pivot_table(index="model", columns="cell", values="accuracy",
                                    aggfunc="mean")[cells]
    after.index = ["CAMA + adapt: clean rows after adapting"]
    # the adapted CAMA attacked anew (none in results made without attack_adapted)
    anew = again.pivot_table(index="model", columns="cell", values="accuracy",
                             aggfunc="mean").reindex(index=["CAMA + adapt"], columns=cells)
    anew.index = ["CAMA + adapt: attacked anew, knowing the adapted model"]
    accuracy = pd.concat([acc, after, anew.dropna(how="all")])

    # which variant of the attack counted, per model and cell
    def strongest(mode: pd.Series) -> str:
        counts = mode.value_counts()
        return "; ".join(f"{name} ({n}/{len(mode)})" for name, n in counts.items())

    hit = attacked[(attacked["strength"] > 0) & ~attacked["adapted"]]
    modes = hit.groupby(["model", "cell"], sort=False)["mode"].agg(strongest)
    modes = modes.unstack("cell").reindex([m for m in order if m != "CAMA + adapt"])
    modes = modes[[c for c in cells if c != "clean"]]

    # CAMA under every variant
    cama = hit[hit["model"] == "CAMA"]
    variants = pd.DataFrame(
        [dict(cell=cell, seed=seed, **v) for cell, seed, v in
         zip(cama["cell"], cama["seed"], cama["variants"], strict=True)]
    )
    variant_table = variants.groupby("cell", sort=False).mean(numeric_only=True)
    variant_table = variant_table.drop(columns="seed").reindex([c for c in cells if c != "clean"])
    variant_table.insert(0, "strongest (seeds)", modes.loc["CAMA"])

    # ratios and differences
    ratio = (acc / acc.loc["MLP"]).drop(index="MLP")
    diff = pd.DataFrame({
        "CAMA - MLP": acc.loc["CAMA"] - acc.loc["MLP"],
        "CAMA + adapt - CAMA": acc.loc["CAMA + adapt"] - acc.loc["CAMA"],
        "clean after adapt - clean before": after.iloc[0] - acc.loc["CAMA", "clean"],
        "CAMA + adapt attacked anew - CAMA": anew.iloc[0] - acc.loc["CAMA"],
    }).T[cells].dropna(how="all")

    # per seed, the acceptance cells
    per_seed = attacked.pivot_table(index="seed", columns=["model", "cell"], values="accuracy")
    clean_per_seed = clean_after[clean_after["model"] == "CAMA + adapt"].pivot_table(
        index="seed", columns="cell", values="accuracy")
    rows = []
    for seed in per_seed.index:
        rec = {"seed": seed}
        for role in ROLES:
            c01, c025 = _cell(role, 0.1), _cell(role, 0.25)
            if c01 in cells:
                rec[f"{role} 0.1: CAMA - MLP"] = (per_seed.loc[seed, ("CAMA", c01)]
                                                  - per_seed.loc[seed, ("MLP", c01)])
            if c025 in cells:
                rec[f"{role} 0.25: adapt gain"] = (per_seed.loc[seed, ("CAMA + adapt", c025)]
                                                   - per_seed.loc[seed, ("CAMA", c025)])
                rec[f"{role} 0.25: clean after - before"] = (
                    clean_per_seed.loc[seed, c025] - per_seed.loc[seed, ("CAMA", "clean")])
        rows.append(rec)
    return dict(accuracy=accuracy, modes=modes, variants=variant_table, ratio=ratio,
                diff=diff, per_seed=pd.DataFrame(rows))


def _spread(per_seed: pd.DataFrame, column: str) -> str:
    """The standard error of a per-seed difference over the seeds, and how many seeds
    have it below 0, as text: a verdict on a mean of few seeds says how sure it is."""
    if column not in per_seed.columns or len(per_seed) < 2:
        return ""
    values = per_seed[column].to_numpy(dtype=float)
    se = values.std(ddof=1) / np.sqrt(len(values))
    return (f"; standard error {se:.4f} over {len(values)} seeds, "
            f"{int((values < 0).sum())} below 0")


def acceptance(tables: dict[str, pd.DataFrame]) -> list[str]:
    acc, diff, per_seed = tables["accuracy"], tables["diff"], tables["per_seed"]
    lines = []
    for role in ROLES:
        c01, c025 = _cell(role, 0.1), _cell(role, 0.25)
        if c01 in acc.columns:
            cama, mlp = acc.loc["CAMA", c01], acc.loc["MLP", c01]
            met = round(cama - mlp, 9) >= 0  # accuracies are multiples of 1 / rows
            lines.append(f"- {role}, budget 0.1: CAMA {cama:.4f} vs MLP {mlp:.4f}, "
                         f"difference {cama - mlp:+.4f}"
                         f"{_spread(per_seed, f'{role} 0.1: CAMA - MLP')} "
                         f"(CAMA >= MLP: {'met' if met else 'NOT met'})")
        if c025 in acc.columns:
            gain = diff.loc["CAMA + adapt - CAMA", c025]
            drop = diff.loc["clean after adapt - clean before", c025]
            gain_met = round(gain, 9) >= 0.10
            drop_met = round(abs(drop), 9) <= 0.01
            lines.append(
                f"- {role}, budget 0.25: CAMA + adapt {acc.loc['CAMA + adapt', c025]:.4f} vs "
                f"CAMA {acc.loc['CAMA', c025]:.4f}, gain {gain:+.4f}"
                f"{_spread(per_seed, f'{role} 0.25: adapt gain')} (>= +0.10: "
                f"{'met' if gain_met else 'NOT met'}); clean accuracy after adapting "
                f"{drop:+.4f} vs before (within 0.01: {'met' if drop_met else 'NOT met'})"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for a smoke test")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=1000, help="attacked rows per seed")
    parser.add_argument("--budgets", type=float, nargs="+", default=list(BUDGETS))
    parser.add_argument("--eot", type=int, default=4, help="noise draws of the EOT attack")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads (the networks are small: extra threads "
                             "gain little and spin on a shared machine)")
    parser.add_argument("--manipulation-model", choices=["mechanism", "shift"],
                        default="mechanism",
                        help="CAMAClassifier's manipulation_model (shift: own section)")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.n_train, args.n_test, args.budgets = [0], 1500, 200, [0.1, 0.25]
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", category=UserWarning, module="torch")
    start = time.perf_counter()
    results, fits, oracle = run(args)
    wall = time.perf_counter() - start
    tables = summarise(results, args.budgets)
    oracle = oracle_table(oracle, list(tables["accuracy"].columns))
    fit_table = fits[["seed", *MODELS, "seed_s"]]
    shift = args.manipulation_model == "shift"
    title = "adversarial_sem.py --manipulation-model shift" if shift else "adversarial_sem.py"
    text = (
        f"## {title}\n\n{machine_line()}; SEM seeds {args.seeds}, {args.n_train} "
        f"clean training rows, {args.n_test} attacked test rows per seed; L-inf PGD, 20 steps "
        f"of 0.25 budget from a random start, on the co-parents only, on the children only, or "
        f"on both at once (every valid variable, as in the paper's fig. 13); "
        f"budgets in clean training sds per column. PGD-trained MLP and CausalAdv were trained "
        f"at budget {TRAIN_BUDGET:g} on co-parents and children. The MLP, PGD-trained MLP "
        f"and CausalAdv stop early as CAMA does (10% of the training rows held out, 10 "
        f"epochs of patience, at most 200 epochs). Wall time {wall / 60:.1f} min.\n\n"
        "Accuracy under the strongest attack for each model (mean over seeds). CAMA: the "
        f"strongest of white-box PGD with fixed noise, with EOT over {args.eot} draws, and "
        "transfer from the MLP; MLP: white-box; PGD-trained MLP and CausalAdv: the stronger of "
        "white-box and transfer from the MLP; gradient boosting: transfer from the MLP (it has "
        "no gradients). CAMA + adapt: adapted without labels on the rows that attacked CAMA "
        "(the paper's setting: the attack was made before the adaptation). `attacked anew, "
        "knowing the adapted model`: that adapted CAMA under the strongest attack crafted "
        "against it, from the clean rows (an attacker who knows the adapted model; no "
        "second adaptation):\n\n"
        f"{to_markdown(tables['accuracy'].reset_index(names='model'))}\n\n"
        "Acceptance:\n\n" + "\n".join(acceptance(tables)) + "\n\n"
        "The SEM's Bayes-optimal classifier (the true posterior, `SyntheticSEM.oracle()`) on "
        "the rows that PGD crafted against CAMA (fixed noise) and against the MLP: it has no "
        "gradients, so a transfer is the attack on it, and these accuracies bound from above "
        "what it keeps under attack (mean over seeds):\n\n"
        f"{to_markdown(oracle.reset_index(names='model'))}\n\n"
        "CAMA under each attack variant (mean accuracy over seeds; `per-row worst` takes, "
        "row by row, a variant that fools CAMA, so it is at least as strong as any):\n\n"
        f"{to_markdown(tables['variants'].reset_index())}\n\n"
        "Which attack counted (strongest variant, seeds):\n\n"
        f"{to_markdown(tables['modes'].reset_index(names='model'))}\n\n"
        "Accuracy relative to the plain MLP (ratio):\n\n"
        f"{to_markdown(tables['ratio'].reset_index(names='model'))}\n\n"
        "Differences:\n\n"
        f"{to_markdown(tables['diff'].reset_index(names='difference'))}\n\n"
        "Per seed, the acceptance cells:\n\n"
        f"{to_markdown(tables['per_seed'])}\n\n"
        "Fit times (s) and time per seed (fit, attacks, adaptation):\n\n"
        f"{to_markdown(fit_table, '.1f')}\n"
    )
    print(text)
    if not (args.quick or args.no_write):
        write_section("adversarial_sem-shift" if shift else "adversarial_sem", text)


if __name__ == "__main__":
    main()
