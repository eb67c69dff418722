"""Pictures: causal graphs with nodes coloured by the role they play for the target, and
the evidence behind one prediction."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import numpy as np

from .graph import as_digraph, node_roles

__all__ = ["ROLE_COLOURS", "plot_evidence", "plot_graph"]

ROLE_COLOURS = {
    "target": "#d62728",
    "parent": "#1f77b4",
    "co-parent": "#2ca02c",
    "parent+co-parent": "#17becf",
    "child": "#ff7f0e",
    "outside": "#c7c7c7",
}
"""Fill colour of each role (a double role has its own colour)."""


def _layered_layout(graph: nx.DiGraph, roles: Mapping) -> dict:
    """Causes left, target in the middle, effects right: x from the role, y spread evenly."""
    column = {"parent": 0, "parent+co-parent": 0, "co-parent": 1, "target": 1, "child": 2}
    groups: dict = {}
    for node in graph.nodes:
        role = roles[node]
        col = column.get(role, 3)
        if role == "outside":
            # descendants of the target right of the children, the rest far left
            col = 3 if any(roles.get(a) == "child" for a in nx.ancestors(graph, node)) else -1
        groups.setdefault(col, []).append(node)
    positions = {}
    for col, nodes in groups.items():
        for i, node in enumerate(nodes):
            positions[node] = (float(col), (len(nodes) - 1) / 2.0 - i)
    return positions


def _edges_behind_nodes(graph: nx.DiGraph, positions: Mapping, clearance: float = 0.3) -> dict:
    """Edges whose straight segment passes within ``clearance`` (layout units) of a node
    other than its two ends, each with the side to bend it to: +1 or -1, the sign of
    matplotlib's ``arc3`` radius that bends the edge away from the nearest such node."""
    points = {n: np.asarray(p, dtype=float) for n, p in positions.items()}
    hidden = {}
    for source, sink in graph.edges:
        start, end = points[source], points[sink]
        direction = end - start
        length = float(direction @ direction)
        if length == 0.0:
            continue
        nearest, side = clearance, 0
        for node, point in points.items():
            if node in (source, sink):
                continue
            t = float((point - start) @ direction) / length
            offset = point - (start + t * direction)
            if 0.0 < t < 1.0 and np.linalg.norm(offset) < nearest:
                # arc3 moves the curve's middle along rad * (dy, -dx): bend the other way
                toward = float(offset @ np.array([direction[1], -direction[0]]))
                nearest, side = float(np.linalg.norm(offset)), -1 if toward > 0 else 1
        if side:
            hidden[(source, sink)] = side
    return hidden


def plot_graph(
    graph: nx.DiGraph | Mapping,
    target: Hashable,
    ax: Any = None,
    *,
    layout: str = "roles",
    node_size: int = 900,
    font_size: int = 9,
) -> Any:
    """Draw a causal graph with every node coloured by its role for ``target``.

    Parameters
    ----------
    graph : networkx.DiGraph or dict
        The causal DAG (or ``{node: [parents...]}``), e.g. ``clf.graph_`` of a fitted
        :class:`~skcama.CAMAClassifier`.
    target : hashable
        The node being predicted.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when ``None``.
    layout : {"roles", "spring"}, default="roles"
        ``"roles"``: columns by role (ancestors, parents, target and co-parents, children,
        descendants); ``"spring"``: networkx's force-directed layout (seeded).
    node_size : int, default=900
        Node marker area.
    font_size : int, default=9
        Label size.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, with a legend of the roles present.

    Raises
    ------
    GraphError
        If the graph is not a DAG or the target is not a node.
    ValueError
        On an unknown ``layout``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_graph({"y": ["a"], "x": ["y", "c"]}, "y")
    >>> sorted(t.get_text() for t in ax.get_legend().get_texts())
    ['child', 'co-parent', 'parent', 'target']
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if layout not in ("roles", "spring"):
        raise ValueError(f"layout must be 'roles' or 'spring', got {layout!r}.")
    g = as_digraph(graph)
    roles = node_roles(g, target)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    if layout == "roles":
        positions = _layered_layout(g, roles)
    else:
        positions = nx.spring_layout(g, seed=0)
    colours = [ROLE_COLOURS[roles[n]] for n in g.nodes]
    nx.draw_networkx_nodes(
        g, pos=positions, ax=ax, node_color=colours, node_size=node_size, edgecolors="black"
    )
    nx.draw_networkx_labels(g, pos=positions, ax=ax, font_size=font_size)
    # an edge drawn straight through another node would read as two edges: bend those
    hidden = _edges_behind_nodes(g, positions)
    for edges, style in (
        ([e for e in g.edges if e not in hidden], "arc3"),
        (sorted((e for e, side in hidden.items() if side > 0), key=str), "arc3,rad=0.3"),
        (sorted((e for e, side in hidden.items() if side < 0), key=str), "arc3,rad=-0.3"),
    ):
        if edges:
            nx.draw_networkx_edges(
                g, pos=positions, ax=ax, edgelist=edges, node_size=node_size, arrows=True,
                arrowsize=14, connectionstyle=style,
            )
    present = [r for r in ROLE_COLOURS if r in set(roles.values())]
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=9,
            markerfacecolor=ROLE_COLOURS[r],
            markeredgecolor="black",
            label=r,
        )
        for r in present
    ]
    ax.legend(handles=handles, loc="best", fontsize=font_size, frameon=False)
    ax.set_axis_off()
    return ax


def plot_evidence(clf: Any, row: Any, *, against: Hashable | None = None, ax: Any = None) -> Any:
    """Bar chart of the evidence each measurement gives for one row's predicted class.

    The bars are the differences of :meth:`~skcama.CAMAClassifier.explain`'s terms
    between the predicted class and ``against`` (the runner-up by default):
    log-likelihood ratios in nats, positive for the predicted class; together they add
    up to the log-odds of the two classes.

    Parameters
    ----------
    clf : CAMAClassifier
        A fitted estimator.
    row : pandas.DataFrame of one row, pandas.Series, or array-like of shape (n_features,)
        The row to explain (``X.iloc[[i]]`` or ``X.iloc[i]``), columns as in ``clf.fit``.
        A dict is not a row: pass ``pd.Series(values)``.
    against : hashable, optional
        The class to compare with, a single label of ``clf.classes_``; the second most
        probable class when ``None``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, titled with the two classes.

    Raises
    ------
    TypeError
        If ``clf`` has no ``explain`` method (it is not a CAMAClassifier), or ``row`` is
        not one of the accepted types (a dict, a string, a scalar).
    ValueError
        If ``row`` is not exactly one row, or ``against`` is not a single class label of
        the model other than the predicted class.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcama import CAMAClassifier
    >>> from skcama.plotting import plot_evidence
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 300)
    >>> X = np.c_[rng.normal(size=300) + 2 * y, rng.normal(size=300)]
    >>> clf = CAMAClassifier(max_epochs=20, random_state=0).fit(X, y)
    >>> ax = plot_evidence(clf, X[0])
    >>> len(ax.patches)   # prior, two children, latent
    4
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    if not callable(getattr(clf, "explain", None)):
        raise TypeError(
            "plot_evidence needs a fitted CAMAClassifier (it draws the terms of its "
            f"explain method); got {type(clf).__name__}."
        )
    if isinstance(row, pd.DataFrame):
        one = row
    elif isinstance(row, pd.Series):  # X.iloc[i]: one row, columns by name
        one = row.to_frame().T.infer_objects()
    elif isinstance(row, (str, bytes, Mapping)) or np.ndim(row) not in (1, 2):
        raise TypeError(
            "row must be one row: a DataFrame of one row (X.iloc[[i]]), a Series "
            f"(X.iloc[i]) or an array of the n_features values; got {type(row).__name__}. "
            "For a dict of values by column, pass pd.Series(row)."
        )
    else:
        one = np.asarray(row)
        one = one.reshape(1, -1) if one.ndim == 1 else one
    if one.shape[0] != 1:
        raise ValueError(
            f"plot_evidence explains one row, got {one.shape[0]}; pass one, e.g. X.iloc[[i]]."
        )
    proba = clf.predict_proba(one)[0]
    order = np.argsort(-proba, kind="stable")
    best = clf.classes_[order[0]]
    if against is None:
        against = clf.classes_[order[1]]
    elif not isinstance(against, Hashable) or np.ndim(against) != 0:
        # [1] or (1,) would otherwise match the class 1 element-wise
        raise ValueError(
            f"against must be a single class label, one of {list(clf.classes_)!r}; got "
            f"{against!r}."
        )
    elif against not in list(clf.classes_):
        raise ValueError(
            f"against={against!r} is not a class of the model; its classes are "
            f"{list(clf.classes_)!r}."
        )
    if against == best:
        raise ValueError(
            f"against={against!r} is the predicted class itself; name another class."
        )
    terms = clf.explain(one).iloc[0]
    evidence = (terms[best] - terms[against])[::-1]  # first term on top
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.35 * len(evidence) + 1.2))
    colours = ["#1f77b4" if value >= 0 else "#d62728" for value in evidence]
    ax.barh([str(name) for name in evidence.index], evidence.to_numpy(), color=colours)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel(f"evidence for {best!s} over {against!s} (log-likelihood ratio, nats)")
    ax.set_title(f"predicted {best!s} (p = {proba[order[0]]:.2f}) over {against!s}")
    return ax
