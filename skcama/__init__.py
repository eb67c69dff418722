"""skcama: causal generative classification of tabular measurement data.

The main entry point is :class:`CAMAClassifier`, a scikit-learn classifier built on a
causal graph. See :mod:`skcama.datasets` for synthetic structural equation models and
:mod:`skcama.graph` for the Markov-blanket roles.
"""

import logging

from ._classifier import CAMAClassifier
from .graph import (
    GraphError,
    MarkovBlanketRoles,
    load_graph,
    markov_blanket_roles,
    node_roles,
    read_graph,
    write_graph,
)
from .persistence import load_model, save_model

__version__ = "0.1.0"

logging.getLogger("skcama").addHandler(logging.NullHandler())


def __getattr__(name: str):
    # causal-learn is imported only when discovery is used: it is slow to import and
    # prediction never needs it.
    if name == "discover_graph":
        from .discovery import discover_graph

        return discover_graph
    raise AttributeError(f"module 'skcama' has no attribute {name!r}")


__all__ = [
    "CAMAClassifier",
    "GraphError",
    "MarkovBlanketRoles",
    "__version__",
    "discover_graph",
    "load_graph",
    "load_model",
    "markov_blanket_roles",
    "node_roles",
    "read_graph",
    "save_model",
    "write_graph",
]
