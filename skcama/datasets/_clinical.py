"""A clinical-style example: the cause of breathlessness, from mixed-type records with holes.

:func:`dyspnea_sem` is a hand-written :class:`~skcama.datasets.MixedSEM` (the mechanisms are
illustrative, not medical knowledge); :func:`load_dyspnea` loads the table sampled from it that
ships with the package (``data/dyspnea.csv``, written by ``scripts/make_clinical_dataset.py``)
and its causal graph (``data/dyspnea.gml``, also in the repository's ``graphs/``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from importlib import resources
from typing import Literal, overload

import networkx as nx
import numpy as np
import pandas as pd

from .._typing import SeedLike
from ._mixed import MixedNode, MixedSEM

__all__ = ["DYSPNEA_COLUMNS", "dyspnea_sem", "load_dyspnea"]

logger = logging.getLogger(__name__)

DIAGNOSES = ("asthma", "copd", "heart_failure")
SMOKING = ("never", "former", "current")
CHEST_XRAY = ("normal", "hyperinflation", "cardiomegaly", "consolidation")

#: Every column of the dyspnea table: ``{name: (kind, description)}``, in column order.
DYSPNEA_COLUMNS: dict[str, tuple[str, str]] = {
    "age": ("continuous", "age in years; parent of the diagnosis and cause of several findings"),
    "female": ("binary", "sex recorded as female; co-parent (NT-proBNP reads higher)"),
    "smoking": ("categorical", "never / former / current; parent and co-parent (FEV1/FVC)"),
    "family_history": ("binary", "asthma or heart disease in first-degree relatives; parent"),
    "bmi": ("continuous", "body-mass index, kg/m2; co-parent"),
    "diabetes": ("binary", "diabetes; outside the Markov blanket (a cause of eGFR)"),
    "egfr": ("continuous", "kidney function, mL/min/1.73m2; co-parent (NT-proBNP)"),
    "recent_infection": ("binary", "respiratory infection in the last 4 weeks; co-parent"),
    "nt_probnp": ("continuous", "NT-proBNP, pg/mL (log-normal); child"),
    "eosinophils": ("continuous", "blood eosinophils, 10^9/L (log-normal); child"),
    "fev1_fvc": ("continuous", "FEV1/FVC ratio from spirometry, %; child"),
    "wheezing": ("binary", "wheezing on examination; child"),
    "ankle_oedema": ("binary", "ankle oedema on examination; child"),
    "crackles": ("binary", "basal crackles on auscultation; child"),
    "mmrc": ("ordinal", "mMRC breathlessness grade 0-4; child (also caused by FEV1/FVC)"),
    "chest_xray": ("categorical", "normal / hyperinflation / cardiomegaly / consolidation; child"),
    "diuretic": ("binary", "diuretic prescribed; outside (a consequence of ankle oedema)"),
}

_DATA = "data"
_CSV = "dyspnea.csv"
_GML = "dyspnea.gml"
_TARGET = "diagnosis"


def _by_diagnosis(values: Mapping[str, np.ndarray], asthma: float, copd: float, hf: float):
    return np.array([asthma, copd, hf])[values[_TARGET]]


def dyspnea_sem(random_state: SeedLike = None) -> MixedSEM:
    """The causal model behind :func:`load_dyspnea`: the cause of a patient's breathlessness.

    The target ``diagnosis`` (asthma, COPD, heart failure) has the parents ``age``, ``smoking``
    and ``family_history``; its children are three lab values (``nt_probnp``,
    ``eosinophils``, ``fev1_fvc``), three yes/no examination findings (``wheezing``,
    ``ankle_oedema``, ``crackles``), a graded breathlessness scale (``mmrc``, 0-4) and a chest
    X-ray reading (``chest_xray``). Co-parents (``female``, ``bmi``, ``egfr``,
    ``recent_infection``, and ``age`` and ``smoking`` in a double role) change the children
    without being caused by the diagnosis; ``diabetes`` and ``diuretic`` lie outside the
    Markov blanket, and an unobserved ``severity`` drives NT-proBNP, FEV1/FVC and mMRC
    together. The mechanisms are hand-written to look plausible; they are not medical
    knowledge. :data:`DYSPNEA_COLUMNS` describes every column.

    Parameters
    ----------
    random_state : int, numpy.random.Generator, numpy.random.RandomState or None, default=None
        Seeds the model's reference sample and its own sequence of samples.

    Returns
    -------
    MixedSEM
        Target ``"diagnosis"`` with class labels ``"asthma"``, ``"copd"``, ``"heart_failure"``.

    See Also
    --------
    load_dyspnea : The table sampled from this model, with missing values.

    Examples
    --------
    >>> sem = dyspnea_sem(random_state=0)
    >>> sem.roles["parents"]
    ['age', 'smoking', 'family_history']
    >>> X, y = sem.sample(2000, random_state=0)
    >>> sorted(y.unique())
    ['asthma', 'copd', 'heart_failure']
    >>> X_site_b, _ = sem.sample(2000, level_shift={"mmrc": 1}, random_state=0)
    >>> float((X_site_b["mmrc"] - X["mmrc"]).mean()) > 0.5
    True
    """
    nodes = [
        MixedNode(
            "age",
            "continuous",
            mechanism=lambda v: 62.0,
            noise=13.0,
            transform=lambda a: np.clip(np.round(a), 18.0, 95.0),
        ),
        MixedNode("female", "binary", mechanism=lambda v: 0.0),
        MixedNode(
            "smoking",
            "categorical",
            parents=("age",),
            categories=SMOKING,
            mechanism=lambda v: np.stack(
                [
                    np.zeros_like(v["age"]),
                    -0.3 + 0.04 * (v["age"] - 62),
                    -0.2 - 0.04 * (v["age"] - 62),
                ],
                axis=1,
            ),
        ),
        MixedNode("family_history", "binary", mechanism=lambda v: -1.4),
        MixedNode(
            "bmi",
            "continuous",
            mechanism=lambda v: 28.0,
            noise=5.0,
            transform=lambda b: np.clip(np.round(b, 1), 16.0, 55.0),
        ),
        MixedNode("diabetes", "binary", mechanism=lambda v: -1.5),
        MixedNode(
            "egfr",
            "continuous",
            parents=("age", "diabetes"),
            noise=12.0,
            mechanism=lambda v: 95.0 - 0.9 * (v["age"] - 40) - 12.0 * v["diabetes"],
            transform=lambda e: np.clip(np.round(e), 5.0, 130.0),
        ),
        MixedNode("recent_infection", "binary", mechanism=lambda v: -1.6),
        MixedNode("severity", "latent"),
        MixedNode(
            _TARGET,
            "categorical",
            parents=("age", "smoking", "family_history"),
            categories=DIAGNOSES,
            mechanism=lambda v: np.stack(
                [
                    0.2 - 0.07 * (v["age"] - 62) + 1.3 * v["family_history"],
                    0.1 + 0.03 * (v["age"] - 62) + np.array([-1.8, 0.9, 1.5])[v["smoking"]],
                    0.2 + 0.06 * (v["age"] - 62) + 0.3 * v["family_history"],
                ],
                axis=1,
            ),
        ),
        MixedNode(
            "nt_probnp",
            "continuous",
            parents=(_TARGET, "age", "female", "bmi", "egfr", "severity"),
            noise=0.7,
            mechanism=lambda v: (
                4.6
                + _by_diagnosis(v, 0.0, 0.3, 1.3)
                + 0.025 * (v["age"] - 62)
                + 0.25 * v["female"]
                - 0.03 * (v["bmi"] - 28)
                - 0.012 * (v["egfr"] - 75)
                + 0.4 * v["severity"]
            ),
            transform=lambda b: np.round(np.exp(b)),
        ),
        MixedNode(
            "eosinophils",
            "continuous",
            parents=(_TARGET,),
            noise=0.45,
            mechanism=lambda v: np.log(0.18) + _by_diagnosis(v, 0.5, 0.1, 0.0),
            transform=lambda e: np.round(np.exp(e), 2),
        ),
        MixedNode(
            "fev1_fvc",
            "continuous",
            parents=(_TARGET, "age", "smoking", "severity"),
            noise=7.0,
            mechanism=lambda v: (
                78.0
                - _by_diagnosis(v, 5.0, 12.0, 2.0)
                - 0.15 * (v["age"] - 62)
                - np.array([0.0, 2.0, 4.0])[v["smoking"]]
                - 3.0 * v["severity"]
            ),
            transform=lambda f: np.clip(np.round(f, 1), 25.0, 100.0),
        ),
        MixedNode(
            "wheezing",
            "binary",
            parents=(_TARGET, "recent_infection"),
            mechanism=lambda v: _by_diagnosis(v, 1.2, 0.4, -1.2) + 1.0 * v["recent_infection"],
        ),
        MixedNode(
            "ankle_oedema",
            "binary",
            parents=(_TARGET, "bmi"),
            mechanism=lambda v: _by_diagnosis(v, -2.5, -1.8, 1.0) + 0.06 * (v["bmi"] - 28),
        ),
        MixedNode(
            "crackles",
            "binary",
            parents=(_TARGET, "recent_infection"),
            mechanism=lambda v: _by_diagnosis(v, -2.2, -0.8, 0.9) + 1.5 * v["recent_infection"],
        ),
        MixedNode(
            "mmrc",
            "ordinal",
            parents=(_TARGET, "bmi", "fev1_fvc", "severity"),
            noise=0.7,
            thresholds=(0.6, 1.4, 2.2, 3.0),
            mechanism=lambda v: (
                _by_diagnosis(v, 0.6, 1.3, 1.6)
                + 0.04 * (v["bmi"] - 28)
                - 0.04 * (v["fev1_fvc"] - 70)
                + 0.6 * v["severity"]
            ),
        ),
        MixedNode(
            "chest_xray",
            "categorical",
            parents=(_TARGET, "age", "recent_infection"),
            categories=CHEST_XRAY,
            mechanism=lambda v: np.stack(
                [
                    np.zeros(len(v[_TARGET])),
                    _by_diagnosis(v, -1.0, 0.2, -1.5),
                    _by_diagnosis(v, -2.0, -1.5, -0.2) + 0.02 * (v["age"] - 62),
                    -2.5 + 2.0 * v["recent_infection"],
                ],
                axis=1,
            ),
        ),
        MixedNode(
            "diuretic",
            "binary",
            parents=("ankle_oedema",),
            mechanism=lambda v: -2.0 + 3.0 * v["ankle_oedema"],
        ),
    ]
    return MixedSEM(nodes, target=_TARGET, random_state=random_state)


def _data_file(name: str):
    return resources.files(__package__).joinpath(_DATA, name)


# overloads: what a call returns, by its flags, for type checkers
@overload
def load_dyspnea(
    *, as_frame: Literal[True] = ..., return_graph: Literal[False] = ...
) -> tuple[pd.DataFrame, pd.Series]: ...
@overload
def load_dyspnea(
    *, as_frame: Literal[True] = ..., return_graph: Literal[True]
) -> tuple[pd.DataFrame, pd.Series, nx.DiGraph]: ...
@overload
def load_dyspnea(
    *, as_frame: Literal[False], return_graph: Literal[False] = ...
) -> tuple[np.ndarray, np.ndarray]: ...
@overload
def load_dyspnea(
    *, as_frame: Literal[False], return_graph: Literal[True]
) -> tuple[np.ndarray, np.ndarray, nx.DiGraph]: ...
@overload
def load_dyspnea(
    *, as_frame: bool = ..., return_graph: bool = ...
) -> (
    tuple[pd.DataFrame, pd.Series]
    | tuple[pd.DataFrame, pd.Series, nx.DiGraph]
    | tuple[np.ndarray, np.ndarray]
    | tuple[np.ndarray, np.ndarray, nx.DiGraph]
): ...


def load_dyspnea(
    *, as_frame: bool = True, return_graph: bool = False
) -> (
    tuple[pd.DataFrame, pd.Series]
    | tuple[pd.DataFrame, pd.Series, nx.DiGraph]
    | tuple[np.ndarray, np.ndarray]
    | tuple[np.ndarray, np.ndarray, nx.DiGraph]
):
    """Load the dyspnea example: 3,000 synthetic patients, mixed types, missing values.

    Each row is a patient presenting with breathlessness; the target ``diagnosis`` is
    ``"asthma"``, ``"copd"`` or ``"heart_failure"``. The 17 feature columns
    (:data:`DYSPNEA_COLUMNS`) are continuous lab values and measurements (``float64``), yes/no
    findings (``bool``), a graded breathlessness scale (``mmrc``, ``int64`` 0-4) and
    categories (``smoking``, ``chest_xray``: pandas ``category``). Some cells are missing:
    ``nt_probnp`` more often in younger patients (MAR on ``age``, 25 % overall),
    ``fev1_fvc`` (15 %), ``eosinophils`` (10 %), ``chest_xray`` (8 %), ``bmi``, ``mmrc`` and
    ``crackles`` (5 % each) completely at random. Columns with missing values use the pandas
    nullable dtypes (``boolean``, ``Int64``) or NaN (``float64``, ``category``).

    The rows were sampled from :func:`dyspnea_sem` by ``scripts/make_clinical_dataset.py``;
    the graph is the model's causal graph over the columns and ``diagnosis``.

    Parameters
    ----------
    as_frame : bool, default=True
        Return ``X`` as a typed DataFrame and ``y`` as a Series. With False, ``X`` is a float
        array (binary findings as 0 / 1, ``mmrc`` as its level, categories as their codes:
        ``smoking`` never 0, former 1, current 2; ``chest_xray`` normal 0, hyperinflation 1,
        cardiomegaly 2, consolidation 3; NaN where missing) and ``y`` an array of label
        strings.
    return_graph : bool, default=False
        Also return the causal graph (a ``networkx.DiGraph`` over the column names and
        ``"diagnosis"``).

    Returns
    -------
    X : pandas.DataFrame or numpy.ndarray of shape (3000, 17)
    y : pandas.Series or numpy.ndarray of shape (3000,)
    graph : networkx.DiGraph
        Only with ``return_graph=True``.

    See Also
    --------
    dyspnea_sem : The model behind the data, for fresh or manipulated samples.

    Examples
    --------
    >>> X, y, graph = load_dyspnea(return_graph=True)
    >>> X.shape, y.name, sorted(y.unique())
    ((3000, 17), 'diagnosis', ['asthma', 'copd', 'heart_failure'])
    >>> X.dtypes[["age", "wheezing", "crackles", "mmrc", "chest_xray"]].astype(str).tolist()
    ['float64', 'bool', 'boolean', 'Int64', 'category']
    >>> sorted(graph.predecessors("diagnosis"))
    ['age', 'family_history', 'smoking']
    >>> X_array, y_array = load_dyspnea(as_frame=False)
    >>> X_array.dtype, X_array.shape
    (dtype('float64'), (3000, 17))
    """
    for name, value in (("as_frame", as_frame), ("return_graph", return_graph)):
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{name} must be True or False, got {value!r}.")
    categories = {"smoking": SMOKING, "chest_xray": CHEST_XRAY}
    dtypes: dict[str, object] = {_TARGET: str}
    for column, (kind, _) in DYSPNEA_COLUMNS.items():
        dtypes[column] = {
            "continuous": "float64",
            "binary": "boolean",
            "ordinal": "Int64",
            "categorical": pd.CategoricalDtype(list(categories.get(column, ()))),
        }[kind]
    with _data_file(_CSV).open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, dtype=dtypes)
    expected = [*DYSPNEA_COLUMNS, _TARGET]
    if list(frame.columns) != expected:
        raise ValueError(
            f"the packaged {_CSV} has columns {list(frame.columns)}, expected {expected}; "
            "regenerate it with scripts/make_clinical_dataset.py."
        )
    # Columns without holes keep the plain dtypes a user would expect.
    for column, (kind, _) in DYSPNEA_COLUMNS.items():
        if kind in ("binary", "ordinal") and not frame[column].isna().any():
            frame[column] = frame[column].astype(bool if kind == "binary" else np.int64)
    X = frame[list(DYSPNEA_COLUMNS)]
    y = frame[_TARGET].rename(_TARGET)
    if not as_frame:
        X = np.column_stack(
            [
                np.where(X[c].isna(), np.nan, X[c].cat.codes).astype(float)
                if isinstance(X[c].dtype, pd.CategoricalDtype)
                else X[c].astype("float64").to_numpy()
                for c in X.columns
            ]
        )
        y = y.to_numpy(dtype=object)
    if not return_graph:
        return X, y
    with _data_file(_GML).open("r", encoding="utf-8") as handle:
        graph = nx.parse_gml(handle.read())
    return X, y, nx.DiGraph(graph)
