"""
A robustness report for models you already have
================================================

You have trained classifiers — here a gradient boosting model and a multilayer
perceptron from scikit-learn — and want to know how they cope when the measurements
change: another population, an assay recalibrated, an instrument noisier.
This script fits a CAMA model on the same rows and draws accuracy-versus-strength curves
for all three with :func:`skcama.robustness.robustness_curve` and
:func:`skcama.robustness.plot_robustness`, using the manipulations of
:mod:`skcama.manipulations`.

Only *valid* manipulations are applied: changes of the co-parents and children of the
label, which alter how measurements are produced but not how the label produces them.

Run it as a script: ``python examples/robustness_report.py`` (set
``SKCAMA_DOCS_FAST=1`` for a quick, reduced run).
"""

import os
import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcama import CAMAClassifier
from skcama.datasets import SyntheticSEM
from skcama.manipulations import shift
from skcama.robustness import plot_robustness, robustness_curve

# Reduced size for continuous integration and docs builds, full size otherwise.
FAST = os.environ.get("CI") == "true" or os.environ.get("SKCAMA_DOCS_FAST", "") not in ("", "0")
N_TRAIN, N_TEST = (800, 400) if FAST else (4000, 2000)

# %%
# The data and the models you already have
# ----------------------------------------
# A synthetic structural causal model stands in for your data: it comes with its true
# causal graph, which CAMA needs (for your own data: a graph file, or
# ``graph="pc"`` to discover one).
sem = SyntheticSEM(random_state=0)
X_train, y_train = sem.sample(N_TRAIN, random_state=1)
X_test, y_test = sem.sample(N_TEST, random_state=2)

existing = {
    "gradient boosting": HistGradientBoostingClassifier(random_state=0),
    "MLP(64, 64)": make_pipeline(
        StandardScaler(), MLPClassifier((64, 64), max_iter=60 if FAST else 300, random_state=0)
    ),
}
cama = CAMAClassifier(
    graph=sem.graph, target="y", random_state=0,
    max_epochs=15 if FAST else 200, adapt_steps=40 if FAST else 300,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # a reduced run stops early
    for model in existing.values():
        model.fit(X_train, y_train)
    cama.fit(X_train, y_train)
models = {**existing, "CAMA": cama}
print(cama.roles_.as_dict())

# %%
# Amounts are in *clean* standard deviations of each column: ``reference=X_train`` says
# where the clean spread comes from, ``roles=cama.roles_`` which columns are co-parents
# and children. A single manipulated copy looks like this (the change of each column,
# in clean sds):
options = dict(reference=X_train, roles=cama.roles_)
recalibrated = shift(X_test, 1.5, columns="children", **options)
print(((recalibrated - X_test) / X_train.std(ddof=0)).mean().round(2).to_string())

# %%
# Three changes, growing in strength
# ----------------------------------
# - **another population**: the co-parents move up by ``strength`` sds and their
#   children follow through the true mechanism. Only a simulator can produce this for
#   the same patients; with real data, use a sample from the other population.
#   Sampling again with the same seed keeps the patients, and so the labels, the same;
# - **a recalibrated assay**: every child reads ``strength`` clean sds higher. For CAMA
#   the curve also has a copy adapted to the shifted rows without their labels
#   (``adapt=True``), and that copy's accuracy on the clean rows
#   (``clean_after_adapt=True``);
# - **a less precise instrument**: Gaussian noise of sd ``strength`` on the children.


def coparents_moved(X, strength):
    """The test patients with their co-parents moved through the true mechanism."""
    moved, labels = sem.sample(N_TEST, shift={"coparents": strength}, random_state=2)
    if not labels.equals(y_test):
        raise RuntimeError("the shifted sample does not hold the same patients")
    return moved


if FAST:
    steps = {"coparents": [0.0, 2.0], "children": [0.0, 2.0], "noise": [0.0, 1.0]}
else:
    steps = {"coparents": [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
             "children": [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
             "noise": [0.0, 0.25, 0.5, 0.75, 1.0]}
curves = {
    "another population (co-parents)": robustness_curve(
        models, X_test, y_test, coparents_moved, steps["coparents"]
    ),
    "recalibrated assay (children)": robustness_curve(
        models, X_test, y_test, "shift", steps["children"], columns="children",
        adapt=True, clean_after_adapt=True, **options,
    ),
    "less precise instrument (children)": robustness_curve(
        models, X_test, y_test, "noise", steps["noise"], columns="children",
        random_state=0, **options,
    ),
}

# %%
# The curves
# ----------
# One panel per manipulation. Solid lines are the models as fitted, dashed lines CAMA
# adapted at test time; the dotted ``..., on clean rows`` line shows that adapting to
# the shifted rows did not cost accuracy on clean rows.
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), sharey=True)
for ax, (title, curve) in zip(axes, curves.items(), strict=True):
    plot_robustness(curve, ax=ax, title=title)
axes[0].set_xlabel("co-parent shift (clean sd)")
axes[1].set_xlabel("child shift (clean sd)")
axes[2].set_xlabel("noise sd (clean sd)")
fig.tight_layout()
plt.show()

# %%
# The report
# ----------
# Accuracy on clean rows and at the strongest manipulation, and what it cost. This
# table is what to put in a validation report next to the figure.
rows = []
for title, curve in curves.items():
    plain = curve[~curve["manipulation"].str.endswith("(clean rows)")]
    for (model, adapted), group in plain.groupby(["model", "adapted"], sort=False):
        group = group.sort_values("strength")
        name = model + (" + adapt" if adapted else "")
        rows.append({"manipulation": title, "model": name,
                     "strongest": group["strength"].iloc[-1],
                     "clean": group["accuracy"].iloc[0],
                     "manipulated": group["accuracy"].iloc[-1]})
report = pd.DataFrame(rows)
report["loss"] = report["clean"] - report["manipulated"]
print(report.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
