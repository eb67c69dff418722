"""Reproduce the measurement-data figures of Zhang, Zhang and Li (NeurIPS 2020) in docs/figures.

    python benchmarks/paper_figures.py            # writes docs/figures/*.png and *.md
    python benchmarks/paper_figures.py --quick    # a small smoke run into a temporary folder

- fig. 12a: co-parents shifted up and down through the true mechanism (their children
  follow); fig12a_coparent_shift.png / .md
- fig. 12b: children shifted (a measurement shift), with and without test-time adaptation,
  and clean accuracy after adaptation; fig12b_child_shift.png / .md
- fig. 13: FGSM and PGD on the co-parents, on the children, and on both at once (every
  valid variable, the paper's setting), each model under the strongest attack that
  applies to it, and CAMA + adapt also attacked anew by an attacker who knows the
  adapted model; fig13_adversarial.png / .md

Each compares CAMA, CAMA + adapt, a plain MLP, a PGD-trained MLP, CausalAdv and gradient
boosting, all trained on the same clean rows of the SEM of robustness_sem.py (see
benchmarks/_adversarial.py for the models and the attacks). Curves are means over the
seeds. The tables of the adversarial benchmark (more seeds) are in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from _adversarial import (  # noqa: E402
    BUDGETS,
    ROLES,
    TRAIN_BUDGET,
    attack_curve,
    clean_curve,
    fit_models,
    make_task,
    panel_table,
    shift_curve,
)
from _report import machine_line, to_markdown  # noqa: E402

from skcama.robustness import plot_robustness  # noqa: E402

FIGURES = Path(__file__).resolve().parent.parent / "docs" / "figures"
COPARENT_SHIFTS = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)
CHILD_SHIFTS = (0.0, 0.5, 1.0, 2.0, 3.0)
COMMAND = "python benchmarks/paper_figures.py"


def run(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    frames: dict[str, list[pd.DataFrame]] = {"12a": [], "12b": [], "13": []}
    attack_labels = [f"{a.upper()} on {role}" for a in ("fgsm", "pgd") for role in ROLES]
    for seed in args.seeds:
        start = time.perf_counter()
        task = make_task(seed, args.n_train, args.n_test)
        models = fit_models(task)
        print(f"seed {seed}: models fitted at {time.perf_counter() - start:.0f} s", flush=True)
        frames["12a"].append(shift_curve(models, task, "co-parents", args.coparent_shifts))
        frames["12b"].append(shift_curve(models, task, "children", args.child_shifts))
        print(f"seed {seed}: shifts done at {time.perf_counter() - start:.0f} s", flush=True)
        frames["13"].append(clean_curve(models, task, attack_labels))
        for attack in ("fgsm", "pgd"):
            for role in ROLES:
                frames["13"].append(
                    attack_curve(models, task, role, attack, args.budgets, eot=args.eot,
                                 attack_adapted=True)
                )
                print(f"seed {seed}: {attack} on {role} done at "
                      f"{time.perf_counter() - start:.0f} s", flush=True)
    return {key: _mean_over_seeds(pd.concat(parts, ignore_index=True))
            for key, parts in frames.items()}


def _mean_over_seeds(frame: pd.DataFrame) -> pd.DataFrame:
    """The mean accuracy over the seeds; an attack's ``mode`` (white-box, transfer) is
    kept, which the figures label transfer-attacked models by."""
    keys = ["model", "manipulation", "strength", "adapted"]
    mean = frame.groupby(keys, sort=False, as_index=False)["accuracy"].mean()
    if "mode" not in frame:
        return mean
    modes = frame.groupby(keys, sort=False, as_index=False)["mode"].agg(_one_mode)
    return mean.merge(modes, on=keys, how="left", sort=False)


def _one_mode(seen: pd.Series) -> str:
    """The seeds' mode of one point: the mode where they agree; a transfer where each
    was one; else a mode that reads as no transfer, naming the ones seen (in any order of
    the seeds, so a figure's labels do not depend on it)."""
    modes = sorted(set(seen.fillna("none")))
    if len(modes) == 1:
        return modes[0]
    if all(mode.startswith("transfer") for mode in modes):
        return modes[0]
    return "varied over the seeds: " + "; ".join(modes)


def _panel(frame: pd.DataFrame, manipulation: str, ax, title: str, clean_rows: bool) -> None:
    names = [manipulation, f"{manipulation} (attacked after adapting)"]  # none under shifts
    if clean_rows:
        names.append(f"{manipulation} (clean rows)")
    plot_robustness(frame[frame["manipulation"].isin(names)], ax=ax, title=title)
    ax.get_legend().remove()


def _legend(fig, ax, ncol: int) -> None:
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize="small", frameon=False)


def draw(curves: dict[str, pd.DataFrame], out: Path) -> list[Path]:
    written = []
    for key, role, title, clean_rows, name in (
        ("12a", "co-parents", "Fig. 12a: co-parents shifted (through the mechanism)", True,
         "fig12a_coparent_shift"),
        ("12b", "children", "Fig. 12b: children shifted, with / without adaptation", True,
         "fig12b_child_shift"),
    ):
        fig, ax = plt.subplots(figsize=(6.5, 5))
        _panel(curves[key], f"shift of {role}", ax, title, clean_rows)
        ax.set_xlabel(f"shift of the {role} (clean sds)")
        _legend(fig, ax, ncol=3)
        written.append(_save(fig, out / f"{name}.png", bottom=0.12))

    fig, axes = plt.subplots(2, len(ROLES), figsize=(5.5 * len(ROLES), 8.5), sharey=True)
    for i, attack in enumerate(("FGSM", "PGD")):
        for j, role in enumerate(ROLES):
            ax = axes[i, j]
            _panel(curves["13"], f"{attack} on {role}", ax, f"Fig. 13: {attack} on the {role}",
                   clean_rows=True)
            ax.set_xlabel("L-inf budget (clean sds per column)")
    fig.suptitle("Valid attacks; each model under the strongest attack that applies to it")
    _legend(fig, axes[0, 0], ncol=4)
    written.append(_save(fig, out / "fig13_adversarial.png", bottom=0.12))
    return written


def _save(fig, path: Path, bottom: float) -> Path:
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def pages(curves: dict[str, pd.DataFrame], args: argparse.Namespace, wall: float) -> dict:
    """Markdown page per figure: the picture, what was done, one table per panel."""
    setup = (
        f"{machine_line()}; SEM seeds {args.seeds}, {args.n_train} clean training rows, "
        f"{args.n_test} test rows per seed. Regenerated with `{COMMAND}` "
        f"({wall / 60:.1f} min for all three figures)."
    )
    after = ("`CAMA + adapt, clean rows`: the adapted model's accuracy on the clean test "
             "rows (clean accuracy after adaptation).")
    attack_text = (
        "L-inf attacks moving only the co-parents, only the children, or both at once (every "
        "valid variable, as in the paper's fig. 13); budget in clean training sds per column; "
        "PGD takes 20 steps of 0.25 budget from a random start. Each model is scored under "
        "the strongest attack that applies to it: CAMA the strongest "
        f"of white-box with its fixed Monte Carlo noise, white-box with EOT over {args.eot} "
        "noise draws, and transfer from the plain MLP; the PGD-trained MLP and CausalAdv "
        f"(both trained at budget {TRAIN_BUDGET:g} on co-parents and children) the stronger of "
        "white-box and transfer from the MLP; gradient boosting transfer from the MLP only "
        "(it has no gradients). The three torch baselines stop early as CAMA does, on 10% of "
        "the training rows held out. CAMA + adapt is a copy of CAMA adapted without labels on the "
        f"rows that attacked CAMA (paper section 4.1). {after} `CAMA + adapt, attacked anew`: "
        "that adapted copy under the strongest attack crafted against it, from the clean rows "
        "(an attacker who knows the adapted model; no second adaptation)."
    )
    return {
        "fig12a_coparent_shift": (
            "Fig. 12a — co-parents shifted up and down",
            "The co-parents are moved by the given number of clean sds during generation, so "
            "their children change through the true, unchanged mechanism (same rows and "
            "labels as the clean test set otherwise). CAMA + adapt is adapted without labels "
            f"on the shifted rows. {after}",
            {"shift of the co-parents": panel_table(curves["12a"], "shift of co-parents")},
            setup,
        ),
        "fig12b_child_shift": (
            "Fig. 12b — children shifted, with and without adaptation",
            "Every child of the target is moved by the given number of clean sds after "
            "generation (a measurement shift). CAMA + adapt is adapted without labels on the "
            f"shifted rows. {after}",
            {"shift of the children": panel_table(curves["12b"], "shift of children")},
            setup,
        ),
        "fig13_adversarial": (
            "Fig. 13 — FGSM and PGD on the co-parents, on the children and on both",
            attack_text,
            {f"{a} on the {r}": panel_table(curves["13"], f"{a} on {r}")
             for a in ("FGSM", "PGD") for r in ROLES},
            setup,
        ),
    }


def write_pages(content: dict, out: Path) -> list[Path]:
    written = []
    for name, (title, text, panel_tables, setup) in content.items():
        body = f"# {title}\n\n![{title}]({name}.png)\n\n{text}\n\n{setup}\n"
        for panel, table in panel_tables.items():
            body += f"\nAccuracy, {panel} (mean over seeds):\n\n{to_markdown(table)}\n"
        path = out / f"{name}.md"
        path.write_text(body)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small smoke run, written to a temporary folder")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--n-train", type=int, default=4000)
    parser.add_argument("--n-test", type=int, default=500)
    parser.add_argument("--budgets", type=float, nargs="+", default=list(BUDGETS))
    parser.add_argument("--coparent-shifts", type=float, nargs="+", default=list(COPARENT_SHIFTS))
    parser.add_argument("--child-shifts", type=float, nargs="+", default=list(CHILD_SHIFTS))
    parser.add_argument("--eot", type=int, default=4, help="noise draws of the EOT attack")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads (the networks are small: extra threads "
                             "gain little and spin on a shared machine)")
    parser.add_argument("--out", type=Path, default=None, help="default: docs/figures")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.n_train, args.n_test = [0], 1000, 100
        args.budgets, args.coparent_shifts, args.child_shifts = [0.25], [-2.0, 0.0, 2.0], [0.0, 2.0]
        args.eot = 2
    out = args.out or (Path(tempfile.mkdtemp(prefix="skcama-figures-")) if args.quick
                       else FIGURES)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.WARNING)
    warnings.filterwarnings("ignore", category=UserWarning, module="torch")
    start = time.perf_counter()
    curves = run(args)
    wall = time.perf_counter() - start
    written = draw(curves, out) + write_pages(pages(curves, args, wall), out)
    print(f"wrote {', '.join(str(p) for p in written)} in {wall / 60:.1f} min")


if __name__ == "__main__":
    main()
