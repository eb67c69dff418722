"""Pictures of causal graphs: nodes coloured by the role they play for the target."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx

from .graph import as_digraph, node_roles

__all__ = ["ROLE_COLOURS", "plot_graph"]

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
    nx.draw_networkx(
        g,
        pos=positions,
        ax=ax,
        node_color=colours,
        node_size=node_size,
        font_size=font_size,
        edgecolors="black",
        arrows=True,
        arrowsize=14,
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
