"""
A mixed clinical table with holes: CSV + GML, pipeline, grid search
===================================================================

A typical analysis at one clinic. Patients present with breathlessness and were
diagnosed with asthma, COPD or heart failure. The records system exports one row per
patient: lab values (numbers), yes/no examination findings, a graded breathlessness
scale, a chest X-ray reading and the smoking history (categories), with holes wherever
a test was not done. The clinic's causal assumptions were drawn in a graph editor and
saved as GML. We

1. read both files, restore the column types and look at the holes and the roles the
   graph gives each column;
2. build a scikit-learn :class:`~sklearn.pipeline.Pipeline` around
   :class:`~skcama.CAMAClassifier`, with no imputation step, and tune it with
   :class:`~sklearn.model_selection.GridSearchCV`;
3. compare it with :class:`~sklearn.ensemble.HistGradientBoostingClassifier` on the
   same held-out patients, overall and for patients with a missing lab value.

The export and the graph are simulated: the script writes them from
:func:`skcama.datasets.load_dyspnea` into a temporary folder and removes them at the end.
:doc:`/user_guide/clinical_tables` explains how CAMA reads each column type and what it
does with the holes.
Run it as a script: ``python examples/clinical_pipeline.py`` (set ``SKCAMA_DOCS_FAST=1``
for a quick, reduced run).
"""

import os
import shutil
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skcama import CAMAClassifier, markov_blanket_roles, read_graph, write_graph
from skcama.datasets import load_dyspnea
from skcama.plotting import plot_graph

# Reduced size for continuous integration and docs builds, full size otherwise.
FAST = os.environ.get("CI") == "true" or os.environ.get("SKCAMA_DOCS_FAST", "") not in ("", "0")

# %%
# The export
# ----------
# Stand-in for the records system: the simulated dyspnea table goes to a CSV file and
# its causal graph to a GML file, as a clinic would hand them over.
folder = Path(tempfile.mkdtemp(prefix="skcama-clinic-"))
csv_path, gml_path = folder / "dyspnea_clinic.csv", folder / "dyspnea_clinic.gml"
X_export, y_export, graph_export = load_dyspnea(return_graph=True)
X_export.assign(diagnosis=y_export).to_csv(csv_path, index_label="patient_id")
write_graph(graph_export, gml_path)
print(f"{csv_path.name}: {csv_path.stat().st_size / 1024:.0f} KiB, {gml_path.name}")

# %%
# Read the table and restore the column types
# -------------------------------------------
# A CSV file keeps no types. Read as it is, the smoking history and the X-ray reading
# come back as text, the mMRC grade (0-4) as a float because of its holes, and the
# crackles finding as a mix of ``True``, ``False`` and NaN. Tell pandas what each column
# is: CAMA chooses each column's likelihood from its dtype (numbers: Gaussian, yes/no:
# Bernoulli, categories and graded scales: categorical).
DTYPES = {
    "smoking": pd.CategoricalDtype(["never", "former", "current"]),
    "chest_xray": pd.CategoricalDtype(
        ["normal", "hyperinflation", "cardiomegaly", "consolidation"]
    ),
    "mmrc": "Int64",  # a graded scale with holes: nullable integers
    "crackles": "boolean",  # a yes/no finding with holes: nullable booleans
}
data = pd.read_csv(csv_path, index_col="patient_id", dtype=DTYPES)
graph = read_graph(gml_path)
if FAST:
    data = data.sample(900, random_state=0)
X = data.drop(columns="diagnosis")
y = data["diagnosis"]
print(f"{len(data)} patients, {X.shape[1]} columns")
print(y.value_counts().to_string(), "\n")
summary = pd.DataFrame({"dtype": X.dtypes.astype(str), "missing": X.isna().mean().round(3)})
print(summary.to_string())

# %%
# NT-proBNP is missing for about a quarter of the patients, more often for younger
# ones; spirometry (``fev1_fvc``), eosinophils and the X-ray reading have holes too.
#
# The graph gives every column a role for ``diagnosis``: age, smoking and family
# history change the prior probability of each diagnosis (parents); the lab values,
# findings, mMRC grade and X-ray reading are explained by the diagnosis (children) and
# by their other causes (co-parents: sex, BMI, kidney function, a recent infection, and
# age and smoking again). Diabetes and a diuretic prescription lie outside the
# diagnosis' Markov blanket: the model ignores them.
roles = markov_blanket_roles(graph, "diagnosis")
for role in ("parents", "coparents", "children", "outside"):
    print(f"{role:<10} {', '.join(getattr(roles, role))}")

ax = plot_graph(graph, "diagnosis")  # a figure sized for its nodes
ax.set_title("The clinic's causal graph, coloured by role for 'diagnosis'")

# %%
# Hold out a test set
# -------------------
# The grid search sees only the training patients; the held-out patients give an
# honest estimate of the accuracy of the chosen model, and the same split serves the
# comparison below.
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# A pipeline around CAMA
# ----------------------
# NT-proBNP and eosinophil counts are log-normal, and a Gaussian likelihood describes
# their logarithm better; the first step takes it (a missing value stays missing).
# There is no imputer: CAMA takes NaN itself. The graph is given as the path of the GML
# file. ``handle_unknown="missing"`` lets a reading code the clinic adds later (an
# X-ray category never seen in training) count as missing instead of stopping a batch
# of predictions.
def log_labs(frame):
    """The log-normal lab values on the log scale; every other column as it is."""
    return frame.assign(
        nt_probnp=np.log(frame["nt_probnp"]), eosinophils=np.log(frame["eosinophils"])
    )


pipeline = Pipeline(
    [
        ("log_labs", FunctionTransformer(log_labs)),
        # no imputer: CAMA marginalises missing values itself
        (
            "cama",
            CAMAClassifier(
                graph=str(gml_path),
                target="diagnosis",
                handle_unknown="missing",
                max_epochs=15 if FAST else 200,
                random_state=0,
            ),
        ),
    ]
)

# %%
# Grid search over the dimension of the latent causes (what the graph does not name,
# such as disease severity) and, in the full-size run, the width of the networks;
# accuracy is averaged over stratified folds of the training patients.
if FAST:
    grid = {"cama__latent_dim": [2, 4]}
    folds = StratifiedKFold(n_splits=2, shuffle=True, random_state=0)
else:
    grid = {"cama__latent_dim": [2, 4], "cama__hidden_size": [32, 64]}
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
search = GridSearchCV(pipeline, grid, cv=folds, scoring="accuracy")
with warnings.catch_warnings():
    # a reduced run stops training early on purpose
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X_train, y_train)

columns = [f"param_{name}" for name in grid] + ["mean_test_score", "std_test_score",
                                                "mean_fit_time", "rank_test_score"]
results = pd.DataFrame(search.cv_results_)[columns].sort_values("rank_test_score")
print(results.to_string(index=False))
print("\nbest settings:", search.best_params_)

# %%
# ``best_estimator_`` was refitted on all training patients with the best settings. Its
# CAMA step records the likelihood it chose for each column it uses:
cama = search.best_estimator_.named_steps["cama"]
print(pd.Series(cama.column_types_, name="likelihood").to_string())

# %%
# Held-out accuracy next to gradient boosting
# -------------------------------------------
# :class:`~sklearn.ensemble.HistGradientBoostingClassifier` also accepts missing values
# and pandas categories as they are, so both models see the same table and the same
# split. Accuracy is reported over all held-out patients and separately for those whose
# NT-proBNP was not measured.
hgb = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
models = {"CAMA (grid search)": search.best_estimator_, "HistGradientBoosting": hgb}
no_bnp = X_test["nt_probnp"].isna().to_numpy()
rows = []
for name, model in models.items():
    correct = model.predict(X_test) == y_test.to_numpy()
    rows.append({"model": name, "all patients": correct.mean(),
                 "NT-proBNP missing": correct[no_bnp].mean(),
                 "NT-proBNP measured": correct[~no_bnp].mean()})
report = pd.DataFrame(rows).set_index("model")
print(f"held-out patients: {len(X_test)} ({no_bnp.sum()} without NT-proBNP)")
print(report.round(3).to_string())

# %%
# Probabilities for every diagnosis come in the order of ``classes_``. A patient whose
# X-ray was coded with a category the model never saw (``"effusion"``) is still
# predicted, from the remaining columns:
proba = pd.DataFrame(search.predict_proba(X_test.head(3)), index=X_test.index[:3],
                     columns=cama.classes_)
print(proba.round(3).to_string())
new_code = X_test.head(1).copy()
new_code["chest_xray"] = new_code["chest_xray"].cat.add_categories("effusion")
new_code.loc[:, "chest_xray"] = "effusion"
print("\nwith chest_xray='effusion':", search.predict(new_code)[0])

ConfusionMatrixDisplay.from_estimator(search.best_estimator_, X_test, y_test,
                                      labels=cama.classes_, colorbar=False)
plt.title("CAMA on the held-out patients")
plt.tight_layout()
plt.show()

# %%
# The export was only needed to show the round trip; remove it.
shutil.rmtree(folder)
