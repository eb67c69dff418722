"""Small builders of test data shared by the test modules."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest


def simple_sem(seed: int, n: int = 400) -> tuple[pd.DataFrame, pd.Series, nx.DiGraph]:
    """A small nonlinear SEM with every role: a -> y -> x1, x2, x3; c -> x1, x2; x1 -> x3;
    o (outside) -> c; w (outside) <- x3. Returns (X, y, graph)."""
    rng = np.random.default_rng(seed)
    o = rng.normal(size=n)
    a = rng.normal(size=n)
    c = 0.8 * o + 0.6 * rng.normal(size=n)
    logits = np.stack([np.zeros(n), 1.5 * a, -1.5 * a], axis=1)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    y = (rng.random(n)[:, None] > p.cumsum(1)).sum(1)
    centers = np.array([[-1.5, 0.0, 1.0], [1.5, 1.5, -1.0], [0.0, -1.5, 0.0]])
    x1 = centers[y, 0] + np.tanh(c) + 0.4 * rng.normal(size=n)
    x2 = centers[y, 1] + 0.5 * c + 0.4 * rng.normal(size=n)
    x3 = centers[y, 2] + 0.5 * x1 + 0.4 * rng.normal(size=n)
    w = x3 + 0.5 * rng.normal(size=n)
    X = pd.DataFrame({"a": a, "c": c, "x1": x1, "x2": x2, "x3": x3, "o": o, "w": w})
    graph = nx.DiGraph(
        [("a", "y"), ("y", "x1"), ("y", "x2"), ("y", "x3"), ("c", "x1"), ("c", "x2"),
         ("x1", "x3"), ("o", "c"), ("x3", "w")]
    )
    return X, pd.Series(y, name="y"), graph


def blanket_from_graph(graph: nx.DiGraph, target: str) -> dict[str, set]:
    """The Markov-blanket roles of ``target``, straight from the graph (a test oracle,
    independent of :func:`skcama.graph.markov_blanket_roles`)."""
    parents = set(graph.predecessors(target))
    children = set(graph.successors(target))
    coparents = {p for x in children for p in graph.predecessors(x)} - {target} - children
    outside = set(graph.nodes) - parents - children - coparents - {target}
    return {"parents": parents, "children": children, "coparents": coparents, "outside": outside}


@pytest.fixture(scope="session")
def sem_data():
    return simple_sem(0)


FAST = dict(max_epochs=40, n_iter_no_change=5, random_state=0)
