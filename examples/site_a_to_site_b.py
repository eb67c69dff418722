"""
Train at site A, adapt at site B
================================

Site A (the hospital where the model is built) has labelled records. Site B measures the
same kind of patients' biomarkers with a differently calibrated assay: two children of
the diagnosis read higher, and nobody there has labels yet. We

1. fit CAMA at site A and save it as a safe model file (what would be shipped to B);
2. at site B, load the file and check how much accuracy the recalibration costs;
3. adapt the model to B's *unlabelled* records and check again, also on A's records.

Runs in well under a minute on two cores: ``python examples/site_a_to_site_b.py``
(set ``SKCAMA_DOCS_FAST=1`` for a quick, reduced run).
"""

import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from skcama import CAMAClassifier
from skcama.datasets import SyntheticSEM
from skcama.persistence import load_model, save_model

# Reduced size for continuous integration and docs builds, full size otherwise.
FAST = os.environ.get("CI") == "true" or os.environ.get("SKCAMA_DOCS_FAST", "") not in ("", "0")
N_TRAIN, N_TEST = (600, 400) if FAST else (2000, 1000)

# %%
# The world: one causal mechanism, two measurement processes
# ----------------------------------------------------------
# A synthetic structural causal model stands in for the patients of both sites; at
# site B two children of the label are measured 2 clean standard deviations higher.
sem = SyntheticSEM(random_state=0)
site_a_train, y_a_train = sem.sample(N_TRAIN, random_state=1)
site_a_test, y_a_test = sem.sample(N_TEST, random_state=2)
children = list(sem.roles["children"])
recalibration = {child: 2.0 for child in children[:2]}  # B's assay reads 2 std higher
site_b, y_b = sem.sample(N_TEST, shift=recalibration, random_state=3)

# %%
# Site A: fit and ship a model file
# ---------------------------------
clf = CAMAClassifier(graph=sem.graph, target="y", max_epochs=15 if FAST else 60,
                     adapt_steps=50 if FAST else 150, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # a short demo fit
    clf.fit(site_a_train, y_a_train)
print("roles at site A:", clf.roles_.as_dict())
shipped = Path(tempfile.mkdtemp()) / "cama_site_a.skcama"
save_model(clf, shipped)
print(f"model shipped as {shipped.name} ({shipped.stat().st_size / 1024:.0f} KiB)")

# %%
# Site B: load, measure, adapt on unlabelled rows
# -----------------------------------------------
# :meth:`~skcama.CAMAClassifier.adapt` learns the manipulation from B's rows alone; the
# mechanisms from the label to the measurements stay as they were learned at A.
at_b = load_model(shipped)  # no pickle: safe to open a file received from elsewhere
rows = [{"model": "as shipped", "site A accuracy": at_b.score(site_a_test, y_a_test),
         "site B accuracy": at_b.score(site_b, y_b)}]
at_b.adapt(site_b)  # labels of site B are never used
rows.append({"model": "adapted to site B", "site A accuracy": at_b.score(site_a_test, y_a_test),
             "site B accuracy": at_b.score(site_b, y_b)})
report = pd.DataFrame(rows).set_index("model")
print(f"recalibrated children at site B: {', '.join(recalibration)}\n")
print(report.to_string(float_format=lambda v: f"{v:.3f}"))

# %%
# Which rows look recalibrated? The manipulation score of a row is the probability that
# its measurements were manipulated; site A's rows should score low, site B's high.
score = at_b.manipulation_score(pd.concat([site_a_test.head(200), site_b.head(200)]))
print(f"mean manipulation score: site A rows {score[:200].mean():.2f}, "
      f"site B rows {score[200:].mean():.2f}")
save_model(at_b, shipped.with_name("cama_site_b.skcama"))
