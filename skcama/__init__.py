"""skcama: causal generative classification of tabular measurement data.

The main entry point is :class:`CAMAClassifier`, a scikit-learn classifier built on a
causal graph. See :mod:`skcama.datasets` for synthetic structural equation models and
:mod:`skcama.graph` for the Markov-blanket roles.
"""

import importlib as _importlib
import logging as _logging
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

__version__ = "0.1.0"

_logging.getLogger("skcama").addHandler(_logging.NullHandler())

# The public names are imported on first use (PEP 562): ``skcama --version`` and
# ``--help`` then answer without importing torch, and causal-learn is imported only
# when discovery is used (prediction never needs it).
_LAZY = {
    "CAMAClassifier": "._classifier",
    "GraphError": ".graph",
    "MarkovBlanketRoles": ".graph",
    "discover_graph": ".discovery",
    "load_graph": ".graph",
    "load_model": ".persistence",
    "markov_blanket_roles": ".graph",
    "node_roles": ".graph",
    "read_graph": ".graph",
    "save_model": ".persistence",
    "write_graph": ".graph",
}

if _TYPE_CHECKING:  # for type checkers and editors, which do not run __getattr__
    # submodules as attributes, re-exported (``as``) for type checkers
    from . import attacks as attacks
    from . import baselines as baselines
    from . import cli as cli
    from . import datasets as datasets
    from . import discovery as discovery
    from . import graph as graph
    from . import manipulations as manipulations
    from . import persistence as persistence
    from . import plotting as plotting
    from . import robustness as robustness
    from ._classifier import CAMAClassifier
    from .discovery import discover_graph
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


# submodules, reachable as attributes after ``import skcama`` (skcama.graph.read_graph)
_SUBMODULES = (
    "attacks", "baselines", "cli", "datasets", "discovery", "graph", "manipulations",
    "persistence", "plotting", "robustness",
)


def _lazy(name: str) -> _Any:
    if name in _SUBMODULES:
        return _importlib.import_module(f".{name}", __name__)  # sets the attribute
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skcama' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


if not _TYPE_CHECKING:  # a type checker then flags a misspelt name, skcama.CAMAClasifier
    __getattr__ = _lazy


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES})


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
