"""skcama: causal generative classification of tabular measurement data.

The main entry point is :class:`CAMAClassifier`, a scikit-learn classifier built on a
causal graph. See :mod:`skcama.datasets` for synthetic structural equation models and
:mod:`skcama.graph` for the Markov-blanket roles.
"""

import logging

from ._classifier import CAMAClassifier
from .graph import GraphError, MarkovBlanketRoles, markov_blanket_roles

__version__ = "0.1.0"

logging.getLogger("skcama").addHandler(logging.NullHandler())

__all__ = [
    "CAMAClassifier",
    "GraphError",
    "MarkovBlanketRoles",
    "__version__",
    "markov_blanket_roles",
]
