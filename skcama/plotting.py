"""Pictures: causal graphs with nodes coloured by the role they play for the target, and
the evidence behind one prediction."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

from ._columns import _plain as _plain_label
from ._frames import reads_tables
from ._typing import MatrixLike, VectorLike
from .graph import as_digraph, node_roles

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.axes import Axes

    from ._classifier import CAMAClassifier

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


def _layered_layout(graph: nx.DiGraph, roles: Mapping, sweeps: int = 4) -> dict:
    """Causes left, target in the middle, effects right: x from the role; within each
    column the nodes are ordered and placed near the mean height of their neighbours in
    the other columns (a few barycentre sweeps), at least one unit apart, so that edges
    run short and rarely cross a column."""
    column = {"parent": 0, "parent+co-parent": 0, "co-parent": 1, "target": 1, "child": 2}
    outside = [n for n in graph.nodes if roles[n] == "outside"]
    # descendants of the target right of the children, the rest left of the parents; each
    # side in layers, so that an edge between two of them runs from one column to the next
    right = {n for n in outside if any(roles.get(a) == "child" for a in nx.ancestors(graph, n))}
    left = graph.subgraph([n for n in outside if n not in right])
    depth = {}  # left: the longest path to a sink of its side; right: from a source
    for node in reversed(list(nx.topological_sort(left))):
        depth[node] = max((depth[m] + 1 for m in left.successors(node)), default=0)
    after = graph.subgraph(right)
    for node in nx.topological_sort(after):
        depth[node] = max((depth[m] + 1 for m in after.predecessors(node)), default=0)
    groups: dict = {}
    for node in graph.nodes:
        col = column.get(roles[node], 3)
        if roles[node] == "outside":
            col = 3 + depth[node] if node in right else -1 - depth[node]
        groups.setdefault(col, []).append(node)
    height = {n: (len(nodes) - 1) / 2.0 - i for nodes in groups.values()
              for i, n in enumerate(nodes)}
    col_of = {n: col for col, nodes in groups.items() for n in nodes}
    neighbours = {n: [m for m in nx.all_neighbors(graph, n) if col_of[m] != col_of[n]]
                  for n in graph.nodes}
    for _ in range(sweeps):
        for col in sorted(groups):
            nodes = groups[col]
            wanted = {n: float(np.mean([height[m] for m in neighbours[n]]))
                      if neighbours[n] else height[n] for n in nodes}
            nodes.sort(key=lambda n: (-wanted[n], -height[n]))  # top first, stable on ties
            ys = [wanted[n] for n in nodes]
            for i in range(1, len(ys)):  # at least one unit apart, order kept
                ys[i] = min(ys[i], ys[i - 1] - 1.0)
            lift = float(np.mean([wanted[n] for n in nodes]) - np.mean(ys))
            height.update({n: y + lift for n, y in zip(nodes, ys, strict=True)})
    return {n: (float(col_of[n]), height[n]) for n in graph.nodes}


def _literal(text: str) -> str:
    """``text`` drawn as written: matplotlib reads a ``$`` as the start of mathematical
    text (``cost ($)`` garbled, ``a$^$b`` failed to draw)."""
    return text.replace("$", r"\$")


def _wrapped(name: str, width: int = 10) -> str:
    """``name`` on lines of about ``width`` characters, broken after ``_``, ``-``, ``.``
    or a space where it is longer (``"recent_infection"`` -> ``"recent_\\ninfection"``);
    a name without separators stays on one line."""
    if len(name) <= width:
        return name
    pieces = re.findall(r"[^_\-. ]*[_\-. ]*", name)
    lines = [""]
    for piece in (p for p in pieces if p):
        if lines[-1] and len(lines[-1]) + len(piece.rstrip()) > width:
            lines.append("")
        lines[-1] += piece
    return "\n".join(line.rstrip(" ") for line in lines)


def _label_area(label: str, font_size: float) -> float:
    """The marker area (points squared) of a circle around the text box of ``label``:
    the widest line as matplotlib's default font draws it (wide glyphs such as ``m``
    and ``H`` take more than an average width), a line height of about 1.2 font sizes,
    and a margin of 0.6 font sizes."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    font = FontProperties(size=font_size)
    lines = label.replace(r"\$", "$").split("\n")  # as drawn: see _literal
    width = max(text_to_path.get_text_width_height_descent(line, font, ismath=False)[0]
                for line in lines)
    height = 1.2 * font_size * len(lines)
    return (float(np.hypot(width, height)) + 0.6 * font_size) ** 2


def _arc(points: Mapping, source: Hashable, sink: Hashable, rad: float,
         stretch: float = 1.0) -> np.ndarray:
    """Points inside the edge ``source -> sink`` as matplotlib's ``arc3`` radius ``rad``
    draws it (layout units; see :func:`_edges_behind_nodes` for ``stretch``), (39, 2)."""
    start, end = np.asarray(points[source], float), np.asarray(points[sink], float)
    d = end - start
    # arc3's control point: the display-space normal, mapped back to layout units
    control = (start + end) / 2 + rad * np.array([d[1] * stretch, -d[0] / stretch])
    t = np.linspace(0.0, 1.0, 41)[1:-1, None]
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t ** 2 * end


_MAX_GROWTH = 2.5  # how many times its first size a figure of plot_graph may grow to


def _stretch(ax: Any) -> float:
    """Display units per layout unit up over those across, as the limits now give them
    (see :func:`_edges_behind_nodes`)."""
    unit = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    return abs(float((unit[1, 1] - unit[0, 1]) / (unit[1, 0] - unit[0, 0]))) or 1.0


def _fit_limits(ax: Any, points: np.ndarray, margin: float) -> None:
    """Set the axes' limits to hold ``points`` (layout units) with ``margin`` inches to
    spare on every side: a node drawn at the edge keeps its whole circle."""
    box = ax.get_position()
    width, height = ax.figure.get_size_inches() * np.array([box.width, box.height])
    for low, high, inches, setter in (
        (points[:, 0].min(), points[:, 0].max(), width, ax.set_xlim),
        (points[:, 1].min(), points[:, 1].max(), height, ax.set_ylim),
    ):
        share = min(2 * margin / inches, 0.8)  # the part of the axes the margins take
        span = max(high - low, 1.0)
        pad = span * share / (1 - share) / 2
        setter(low - pad, high + pad)


def _closest_approach(
    points: Mapping, source: Hashable, sink: Hashable, rad: float, stretch: float = 1.0
) -> float:
    """How close the edge ``source -> sink``, drawn with matplotlib's ``arc3`` radius
    ``rad``, comes to any other node of ``points`` (layout units; see
    :func:`_edges_behind_nodes` for ``stretch``)."""
    curve = _arc(points, source, sink, rad, stretch)
    others = np.array([p for n, p in points.items() if n not in (source, sink)], dtype=float)
    if not len(others):
        return np.inf
    return float(np.linalg.norm(curve[:, None, :] - others[None], axis=-1).min())


def _edges_behind_nodes(
    graph: nx.DiGraph, positions: Mapping, stretch: float = 1.0, clearance: float = 0.3
) -> dict:
    """Edges whose straight segment passes within ``clearance`` (layout units) of a node
    other than its two ends, each with the ``arc3`` radius to draw it with: the first of
    a few bends, either way, whose curve keeps that clearance from every other node (the
    one that comes closest to none does, where none does).

    matplotlib bends an edge in display space: its middle moves by ``rad`` times the
    edge's length, at right angles to it on the screen. ``stretch`` (display units per
    layout unit upwards over those sideways) turns that into layout units.
    """
    # the smallest bend that clears: a long edge needs little, and a large one would
    # run far out of a narrow figure
    options = (0.05, -0.05, 0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.5, -0.5, 0.8, -0.8)
    bent = {}
    for source, sink in graph.edges:
        if source == sink or _closest_approach(positions, source, sink, 0.0, stretch) >= clearance:
            continue
        gaps = [_closest_approach(positions, source, sink, rad, stretch) for rad in options]
        clear = [rad for rad, gap in zip(options, gaps, strict=True) if gap >= clearance]
        bent[(source, sink)] = clear[0] if clear else options[int(np.argmax(gaps))]
    return bent


def _check_axes(ax: Any) -> None:
    """``ax`` None or one matplotlib Axes (an array of them, as ``plt.subplots(1, 2)``
    returns, and other objects failed inside matplotlib)."""
    from matplotlib.axes import Axes as _Axes

    if ax is not None and not isinstance(ax, _Axes):
        raise TypeError(
            f"ax must be one matplotlib Axes; got {type(ax).__name__}"
            + (" (an array of them, as plt.subplots(1, 2) returns: pass one, e.g. axes[0])"
               if isinstance(ax, np.ndarray) else "") + "."
        )


def plot_graph(
    graph: nx.DiGraph | Mapping,
    target: Hashable,
    ax: Axes | None = None,
    *,
    layout: str = "roles",
    node_size: int = 900,
    font_size: int = 9,
    blanket_only: bool = False,
) -> Axes:
    """Draw a causal graph with every node coloured by its role for ``target``.

    Parameters
    ----------
    graph : networkx.DiGraph or dict
        The causal DAG (or ``{node: [parents...]}``), e.g. ``clf.graph_`` of a fitted
        :class:`~skcama.CAMAClassifier`.
    target : hashable
        The node being predicted.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made when ``None``, tall and wide enough for the
        nodes. With ``layout="roles"``, on axes too small for them, the nodes, their
        labels (down to 4 points) and the arrowheads shrink until neighbours no longer
        overlap. A spring layout places nodes freely, some of them close: its nodes keep
        ``node_size`` and ``font_size`` (shrinking them to the closest pair left most
        labels unreadable), so pass smaller ones where they overlap.
    layout : {"roles", "spring"}, default="roles"
        ``"roles"``: columns by role (ancestors, parents, target and co-parents, children,
        descendants); ``"spring"``: networkx's force-directed layout (seeded).
    node_size : int, default=900
        The smallest node marker area (points squared); a node with a longer name is
        drawn large enough to hold it at ``font_size``.
    font_size : int, default=9
        Label size.
    blanket_only : bool, default=False
        Draw the target and its Markov blanket (parents, co-parents, children) only,
        leaving out the nodes the model ignores: the figure of a wide graph (tens of
        outside nodes) then shows what the model reads.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, with a legend of the roles present below them (outside the
        drawing, so it covers no node). Notebooks show it whole; on axes of your own
        with little figure below them (a row of short subplots), save the figure with
        ``fig.savefig(path, bbox_inches="tight")``, which makes room for it.

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
    _check_axes(ax)
    for name, value in (("node_size", node_size), ("font_size", font_size)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
                or not np.isfinite(value) or value <= 0:  # NaN reached matplotlib's limits
            raise ValueError(f"{name} must be a positive number (points); got {value!r}.")
    g = as_digraph(graph)
    roles = node_roles(g, target)
    if blanket_only:  # the roles stay those of the whole graph
        g = g.subgraph([n for n in g.nodes if roles[n] != "outside"]).copy()
        roles = {n: roles[n] for n in g.nodes}
    if layout == "roles":
        positions = _layered_layout(g, roles)
    else:
        positions = nx.spring_layout(g, seed=0)
    # a long name is broken at its separators; every node is at least node_size and
    # large enough for its name (points squared)
    labels = {n: _wrapped(str(n)) for n in g.nodes}
    sizes = [max(float(node_size), _label_area(labels[n], font_size)) for n in g.nodes]
    widest = float(np.sqrt(max(sizes))) / 72.0  # the largest node's diameter, inches
    per_unit = max(0.5, widest + 0.25)  # inches between neighbours in a column
    arrow_size, legend_size = 14.0, font_size
    created = ax is None
    if created:  # tall enough for the fullest column, wide enough for every column
        xs, heights = zip(*positions.values(), strict=True)
        span = max(heights) - min(heights) if layout == "roles" else 0.0
        columns = max(xs) - min(xs) if layout == "roles" else 0.0
        # the axes take about 77% of the height and 78% of the width, and autoscaling
        # adds a unit of margin
        _, ax = plt.subplots(figsize=(max(7.0, (widest + 0.35) * (columns + 1.0) / 0.78),
                                      max(5.0, per_unit * (span + 1.0) / 0.77)))
    elif layout == "roles":  # the caller's axes: nodes shrink until neighbours do not touch
        box = ax.get_position()
        inches = ax.figure.get_size_inches() * np.array([box.width, box.height])
        xs, heights = np.array(list(positions.values()), dtype=float).T
        room = min(inches[0] / (np.ptp(xs) + 1.0), inches[1] / (np.ptp(heights) + 1.0))
        if widest > 0.85 * room:  # inches per layout unit; labels shrink with their circle
            factor = 0.85 * room / widest
            sizes = [size * factor**2 for size in sizes]
            font_size = max(4.0, font_size * factor)
            arrow_size = max(6.0, arrow_size * factor)
            widest *= factor
    colours = [ROLE_COLOURS[roles[n]] for n in g.nodes]
    nx.draw_networkx_nodes(
        g, pos=positions, ax=ax, node_color=colours, node_size=sizes, edgecolors="black"
    )
    nx.draw_networkx_labels(g, pos=positions, ax=ax, font_size=font_size,
                            labels={n: _literal(label) for n, label in labels.items()})
    # an edge drawn straight through another node would read as two edges: bend those,
    # for the aspect the nodes' own limits give
    nodes = np.array(list(positions.values()), dtype=float)
    _fit_limits(ax, nodes, margin=widest / 2 + 0.1)
    stretch = _stretch(ax)
    bent = _edges_behind_nodes(g, positions, stretch=stretch,
                               clearance=max(0.3, 0.5 * widest / per_unit + 0.05))
    styles = [([e for e in g.edges if e not in bent], "arc3")] + [
        (sorted((e for e, r in bent.items() if r == rad), key=str), f"arc3,rad={rad}")
        for rad in sorted(set(bent.values()))
    ]
    for edges, style in styles:
        if edges:
            nx.draw_networkx_edges(
                g, pos=positions, ax=ax, edgelist=edges, node_size=sizes, arrows=True,
                arrowsize=arrow_size, connectionstyle=style,
            )
    # every node and bent edge inside the axes, the largest node's radius to spare; a bent
    # edge's shape follows the aspect the limits give, so the two are settled together
    bent_for = stretch  # the aspect the bends were chosen for
    largest = ax.figure.get_size_inches() * _MAX_GROWTH
    for _ in range(8):
        inside = [nodes] + [_arc(positions, u, v, rad, stretch) for (u, v), rad in bent.items()]
        limits_before = np.array([np.ptp(ax.get_xlim()), np.ptp(ax.get_ylim())])
        _fit_limits(ax, np.concatenate(inside), margin=widest / 2 + 0.1)
        grown = False
        if created:  # a figure of its own grows with the limits, keeping the aspect
            size = ax.figure.get_size_inches()
            limits = np.array([np.ptp(ax.get_xlim()), np.ptp(ax.get_ylim())])
            wanted = size * np.maximum(1.0, limits / limits_before)
            ax.figure.set_size_inches(np.minimum(wanted, largest))
            grown = bool((ax.figure.get_size_inches() > size).any())
        settled, stretch = stretch, _stretch(ax)
        if abs(stretch - settled) <= 0.005 * settled:
            break
        if not grown and not 0.5 < stretch / bent_for < 2.0:
            break  # the axes are too narrow (or flat) for the bends: stop there
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
    # below the drawing (a legend inside the axes may cover a node), in as many columns
    # as the axes' width holds: one row of all of them overran narrow axes, and the
    # legend of the axes beside
    width = ax.get_window_extent().width * 72.0 / ax.figure.dpi  # points
    entry = max(len(str(r)) for r in present) * 0.6 * legend_size + 30.0
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
              ncols=max(1, min(len(handles), int(width // entry))), fontsize=legend_size,
              frameon=False, handletextpad=0.2, columnspacing=1.0)
    ax.set_axis_off()
    return ax


def _missing_children(clf: Any, one: Any) -> set:
    """The children of ``clf`` that the one row ``one`` (a DataFrame, or an array read
    by position) leaves missing."""
    import pandas as pd

    children = clf.roles_.children
    if isinstance(one, pd.DataFrame) and clf._fitted_on_frame():  # by label, as predict
        return {c for c in children if c in one.columns and pd.isna(one[c].iloc[0])}
    values = np.asarray(one, dtype=object)[0]  # by position: fit's columns in fit's order
    position = {name: j for j, name in enumerate(clf._fit_columns())}
    return {c for c in children if position.get(c, len(values)) < len(values)
            and pd.isna(values[position[c]])}


@reads_tables("row")
def plot_evidence(
    clf: CAMAClassifier,
    row: MatrixLike | VectorLike,
    *,
    against: Hashable | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of the evidence each measurement gives for one row's predicted class.

    The bars are the differences of :meth:`~skcama.CAMAClassifier.explain`'s terms
    between the predicted class and ``against`` (the runner-up by default):
    log-likelihood ratios in nats, positive for the predicted class; together they add
    up to the log-odds of the two classes. A child the row leaves missing gives no
    evidence (its bar is 0) and is labelled ``(missing)``.

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
            f"against must be a single class label, one of {clf.classes_.tolist()!r}; got "
            f"{against!r}."
        )
    elif against not in list(clf.classes_):
        raise ValueError(
            f"against={against!r} is not a class of the model; its classes are "
            f"{clf.classes_.tolist()!r}."
        )
    else:  # the class itself: 1 or 1.0 equals True, but only True finds its terms
        against = clf.classes_[list(clf.classes_).index(against)]
    if against == best:
        raise ValueError(
            f"against={_plain_label(against)!r} is the predicted class itself; name another "
            "class."
        )
    _check_axes(ax)
    terms = clf.explain(one).iloc[0]
    evidence = (terms[best] - terms[against])[::-1]  # first term on top
    if ax is None:
        # constrained layout: long column names keep their room left of the bars
        _, ax = plt.subplots(figsize=(6, 0.35 * len(evidence) + 1.2), layout="constrained")
    colours = ["#1f77b4" if value >= 0 else "#d62728" for value in evidence]
    missing = _missing_children(clf, one)  # no evidence because not measured: said so
    labels = [_literal(f"{name} (missing)" if name in missing else str(name))
              for name in evidence.index]
    ax.barh(labels, evidence.to_numpy(), color=colours)
    ax.axvline(0.0, color="black", linewidth=0.8)
    best_text, against_text = _literal(str(best)), _literal(str(against))
    ax.set_xlabel(f"evidence for {best_text} over {against_text} (log-likelihood ratio, nats)")
    ax.set_title(f"predicted {best_text} (p = {proba[order[0]]:.2f}) over {against_text}")
    return ax
