"""Synthetic structural equation models and example data for causal classifiers.

Continuous SEMs (:mod:`skcama.datasets._sem`)
    :class:`SyntheticSEM` draws a random nonlinear SEM around a categorical target ``y`` with
    every role CAMA distinguishes; :class:`SEMOracle` is its Bayes-optimal classifier and
    :func:`make_sem` the one-call version.

Mixed-type SEMs (:mod:`skcama.datasets._mixed`)
    :class:`MixedSEM` generates continuous, binary (bool), ordinal (int) and nominal (pandas
    ``category``) nodes, from random mechanisms (:meth:`MixedSEM.random`,
    :func:`make_mixed_sem`) or hand-written ones (:class:`MixedNode`), with manipulations that
    fit each type: a shift of a continuous value, a change of a binary finding's recording rate,
    a graded scale read one level higher, a category recorded as another.

Missing values (:mod:`skcama.datasets._missing`)
    :func:`add_missing` blanks cells completely at random (MCAR) or with a probability that
    depends on an observed column (MAR).

Example data (:mod:`skcama.datasets._clinical`)
    :func:`load_dyspnea` loads a small clinical-style mixed-type table with missing values and
    its causal graph; :func:`dyspnea_sem` is the model it was sampled from.

Only numpy, pandas, networkx and scipy are used here: no tensors, no scikit-learn estimators.
"""

from ._clinical import DYSPNEA_COLUMNS, dyspnea_sem, load_dyspnea
from ._missing import add_missing
from ._mixed import NODE_KINDS, MixedNode, MixedSEM, make_mixed_sem
from ._sem import SEMOracle, SyntheticSEM, make_sem

__all__ = [
    "DYSPNEA_COLUMNS",
    "NODE_KINDS",
    "MixedNode",
    "MixedSEM",
    "SEMOracle",
    "SyntheticSEM",
    "add_missing",
    "dyspnea_sem",
    "load_dyspnea",
    "make_mixed_sem",
    "make_sem",
]
