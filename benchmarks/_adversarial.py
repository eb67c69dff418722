"""Shared by adversarial_sem.py and paper_figures.py: the SEM task, the six models, and
robustness curves under shifts and under the strongest valid attacks.

Every model is trained on clean rows. Attacks may move only the co-parents, only the
children, or both at once (every valid variable, as in the paper's fig. 13), by at most
``budget`` clean training sds per column (L-inf). Each model is scored under the
strongest attack that applies to it (:func:`skcama.attacks.strongest_attack`): for CAMA
the strongest of white-box PGD / FGSM with its fixed Monte Carlo noise, with gradients
averaged over fresh noise draws (EOT), and transfer from the plain MLP; for the torch
baselines white-box and transfer from the plain MLP; for gradient boosting transfer from
the plain MLP only. ``CAMA + adapt`` is a copy of CAMA adapted (without labels) on the
rows that attacked CAMA, scored on them and on the clean rows (paper sections 3.1 and
4.1).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from skcama import CAMAClassifier
from skcama.attacks import pgd
from skcama.baselines import CausalAdvClassifier, PGDTrainedMLPClassifier, TorchMLPClassifier
from skcama.datasets import SyntheticSEM
from skcama.robustness import robustness_curve

logger = logging.getLogger("skcama.benchmarks")

MODELS = ["CAMA", "MLP", "PGD-trained MLP", "CausalAdv", "gradient boosting"]
# the attacked variables: each valid role alone, and both at once (the paper's fig. 13)
ROLES = {"co-parents": "coparents", "children": "children",
         "co-parents and children": "valid"}
BUDGETS = (0.05, 0.1, 0.25, 0.5)
TRAIN_BUDGET = 0.25  # the adversarially trained baselines train at this budget


@dataclass
class Task:
    """One SEM with clean training rows and clean test rows."""

    seed: int
    sem: SyntheticSEM
    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series
    test_seed: int
    fit_seconds: dict = field(default_factory=dict)

    def columns(self, role: str) -> list[str]:
        """The attacked / shifted columns of a role ("co-parents", "children" or both)."""
        key = ROLES[role]
        if key == "valid":
            return self.columns("co-parents") + self.columns("children")
        members = list(self.sem.roles[key])
        if key == "coparents":  # pure co-parents: a parent of y with a double role stays out
            members = [m for m in members if m not in set(self.sem.roles["parents"])]
        return members


def make_task(seed: int, n_train: int = 4000, n_test: int = 1000) -> Task:
    """The default SEM of robustness_sem.py (3 parents, 3 co-parents, 8 children, 3 classes)."""
    sem = SyntheticSEM(n_parents=3, n_coparents=3, n_children=8, n_classes=3, random_state=seed)
    X_train, y_train = sem.sample(n_train, random_state=10_000 + seed)
    test_seed = 20_000 + seed
    X_test, y_test = sem.sample(n_test, random_state=test_seed)
    return Task(seed, sem, X_train, y_train, X_test, y_test, test_seed)


def fit_models(task: Task, manipulation_model: str = "mechanism") -> dict:
    """CAMA (with ``manipulation_model``) and the four baselines, fitted on the task's
    clean training rows."""
    valid = task.columns("co-parents") + task.columns("children")
    seed = task.seed
    # the torch baselines stop early as CAMA does (10% of the rows held out, 10 epochs
    # of patience, at most 200 epochs), each on its own training objective
    stopping = dict(validation_fraction=0.1, n_iter_no_change=10, max_epochs=200)
    models = {
        "CAMA": CAMAClassifier(graph=task.sem.graph, target="y", random_state=seed,
                               manipulation_model=manipulation_model),
        "MLP": TorchMLPClassifier((64, 64), random_state=seed, **stopping),
        "PGD-trained MLP": PGDTrainedMLPClassifier(
            (64, 64), epsilon=TRAIN_BUDGET, attack_columns=valid, random_state=seed,
            **stopping,
        ),
        "CausalAdv": CausalAdvClassifier(
            (64, 64), epsilon=TRAIN_BUDGET, attack_columns=valid, random_state=seed,
            **stopping,
        ),
        "gradient boosting": HistGradientBoostingClassifier(random_state=seed),
    }
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(task.X_train, task.y_train)
        task.fit_seconds[name] = time.perf_counter() - start
        logger.info("seed %d: %s fitted in %.1f s", seed, name, task.fit_seconds[name])
    return models


SETTINGS = (" (clean rows)", " (attacked after adapting)")  # robustness_curve's suffixes


def _tidy(frame: pd.DataFrame, label: str, seed: int) -> pd.DataFrame:
    """Name the manipulation (keeping the setting robustness_curve appends to it) and add
    the seed."""
    frame = frame.copy()
    names = [label + next((s for s in SETTINGS if str(m).endswith(s)), "")
             for m in frame["manipulation"]]
    frame["manipulation"] = names
    frame["seed"] = seed
    return frame


def display_names(frame: pd.DataFrame) -> pd.Series:
    """Model names for tables: an adapted model is "<model> + adapt"."""
    return pd.Series(
        np.where(frame["adapted"], frame["model"] + " + adapt", frame["model"]), index=frame.index
    )


def attack_curve(
    models: dict, task: Task, role: str, attack: str, budgets, *, eot: int = 4,
    attack_adapted: bool = False,
) -> pd.DataFrame:
    """Accuracy of every model under the strongest ``attack`` on ``role``, per budget > 0.

    Rows have the columns of
    :func:`skcama.robustness.robustness_curve` plus ``mode`` (the attack that counted),
    ``variants`` (accuracy under every variant tried) and ``seed``; CAMA adapted on the
    attacked rows appears with ``adapted`` True, and its accuracy on the clean rows
    as manipulation ``"<attack> on <role> (clean rows)"`` (``adapted`` True); with
    ``attack_adapted``, also the adapted CAMA under the strongest attack crafted against
    it, as manipulation ``"<attack> on <role> (attacked after adapting)"``.
    """
    frame = robustness_curve(
        models, task.X_test, task.y_test, "strongest", budgets,
        attack=attack, eot=eot, surrogate=models["MLP"], columns=task.columns(role),
        reference=task.X_train, random_state=task.seed, adapt=True, clean_after_adapt=True,
        attack_adapted=attack_adapted,
    )
    return _tidy(frame, f"{attack.upper()} on {role}", task.seed)


def oracle_under_transfer(
    models: dict, task: Task, role: str, budgets, sources=("CAMA", "MLP")
) -> pd.DataFrame:
    """Accuracy of the SEM's Bayes-optimal classifier (:meth:`SyntheticSEM.oracle`, the
    true posterior) on rows that PGD crafted against each model of ``sources`` (CAMA with
    its fixed noise; 20 steps from a random start, as the benchmark's PGD), per budget:
    the oracle has no gradients, so a transfer is the attack on it, and its accuracy there
    bounds from above what it keeps under attack. One row per source and budget, with the
    columns ``role``, ``strength``, ``source``, ``accuracy`` and ``seed``."""
    oracle = task.sem.oracle()
    clean = oracle.score(task.X_test, task.y_test)
    rows = [dict(role=role, strength=0.0, source=source, accuracy=clean, seed=task.seed)
            for source in sources]
    for budget in budgets:
        for source in sources:
            attacked = pgd(models[source], task.X_test, task.y_test, budget,
                           columns=task.columns(role), reference=task.X_train,
                           random_state=task.seed)
            rows.append(dict(role=role, strength=budget, source=source,
                             accuracy=oracle.score(attacked, task.y_test), seed=task.seed))
    return pd.DataFrame(rows)


def clean_curve(models: dict, task: Task, labels: list[str]) -> pd.DataFrame:
    """Budget 0 (clean rows; CAMA + adapt adapted on the clean rows) once, labelled as the
    strength-0 point of each manipulation in ``labels``."""
    frame = robustness_curve(models, task.X_test, task.y_test, "strongest", [0.0],
                             surrogate=models["MLP"], adapt=True, clean_after_adapt=True)
    return pd.concat([_tidy(frame, label, task.seed) for label in labels], ignore_index=True)


def coparent_shift(task: Task):
    """Co-parents moved by ``strength`` sds *through the true mechanism* (their children
    follow), the same rows and labels as the clean test set (common random numbers)."""

    def co_parent_shift(X: pd.DataFrame, strength: float) -> pd.DataFrame:
        return task.sem.sample(len(task.X_test), shift={"coparents": strength},
                               random_state=task.test_seed)[0]

    return co_parent_shift


def shift_curve(models: dict, task: Task, role: str, strengths) -> pd.DataFrame:
    """Accuracy under a shift of ``role`` (co-parents through the mechanism; children as a
    measurement shift), with CAMA + adapt adapted on the shifted rows."""
    if role == "co-parents":
        frame = robustness_curve(models, task.X_test, task.y_test, coparent_shift(task),
                                 strengths, adapt=True, clean_after_adapt=True)
    else:
        frame = robustness_curve(models, task.X_test, task.y_test, "shift", strengths,
                                 columns=task.columns(role), reference=task.X_train,
                                 adapt=True, clean_after_adapt=True)
    return _tidy(frame, f"shift of {role}", task.seed)


def panel_table(results: pd.DataFrame, manipulation: str) -> pd.DataFrame:
    """Mean accuracy over seeds for one manipulation: a row per strength, a column per model
    (``CAMA + adapt, clean rows``: the adapted model's accuracy on the clean rows;
    ``CAMA + adapt, attacked anew``: under an attack crafted against the adapted model)."""
    names = {manipulation: "", f"{manipulation} (clean rows)": ", clean rows",
             f"{manipulation} (attacked after adapting)": ", attacked anew"}
    chosen = results[results["manipulation"].isin(names)]
    chosen = chosen.assign(
        model=display_names(chosen) + chosen["manipulation"].map(names)
    )
    table = chosen.pivot_table(index="strength", columns="model", values="accuracy",
                               aggfunc="mean")
    order = ["CAMA", "CAMA + adapt", "CAMA + adapt, clean rows", "CAMA + adapt, attacked anew",
             *MODELS[1:]]
    return table[[m for m in order if m in table.columns]].reset_index()
