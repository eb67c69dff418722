"""Graph utilities: turn a causal DAG into the Markov-blanket roles CAMA needs.

Everything here works on plain :class:`networkx.DiGraph` objects whose node names are
the data's column names. No tensors, no scikit-learn.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx

__all__ = [
    "GraphError",
    "MarkovBlanketRoles",
    "as_digraph",
    "did_you_mean",
    "markov_blanket_roles",
    "validate_dag",
]


class GraphError(ValueError):
    """Raised when a causal graph cannot be used as given (cycle, missing target, ...)."""


@dataclass(frozen=True)
class MarkovBlanketRoles:
    """The roles the nodes of a causal DAG play for one target.

    Attributes
    ----------
    target : hashable
        The node being predicted.
    parents : tuple
        ``pa(target)``; they enter the class prior ``p(y | a)``.
    coparents : tuple
        Other parents of the target's children (excluding the target and its children);
        they condition the decoder ``p(x | y, c, z, m)``. A node may be a parent *and* a
        co-parent.
    children : tuple
        ``ch(target)``; the measurements whose likelihood the model scores.
    outside : tuple
        Every other node: not needed to predict the target, ignored by the model.
    child_parents : dict
        For each child, its own parents inside the blanket other than the target
        (co-parents, parents of the target acting as co-parents, and other children).

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "y"), ("y", "x"), ("c", "x"), ("x", "w")])
    >>> roles = markov_blanket_roles(g, "y")
    >>> roles.parents, roles.coparents, roles.children, roles.outside
    (('a',), ('c',), ('x',), ('w',))
    """

    target: Hashable
    parents: tuple = ()
    coparents: tuple = ()
    children: tuple = ()
    outside: tuple = ()
    child_parents: dict = field(default_factory=dict)

    @property
    def blanket(self) -> tuple:
        """All nodes of the Markov blanket, each once, in a stable order."""
        seen: dict = {}
        for node in (*self.parents, *self.coparents, *self.children):
            seen.setdefault(node, None)
        return tuple(seen)

    def as_dict(self) -> dict[str, list]:
        """The roles as a plain dict of lists (JSON friendly).

        Examples
        --------
        >>> import networkx as nx
        >>> markov_blanket_roles(nx.DiGraph([("y", "x")]), "y").as_dict()["children"]
        ['x']
        """
        return {
            "target": self.target,
            "parents": list(self.parents),
            "coparents": list(self.coparents),
            "children": list(self.children),
            "outside": list(self.outside),
        }


def _sorted_nodes(nodes: Iterable, order: Mapping) -> tuple:
    return tuple(sorted(nodes, key=lambda n: order[n]))


def as_digraph(graph: nx.DiGraph | Mapping) -> nx.DiGraph:
    """Return ``graph`` as a :class:`networkx.DiGraph`.

    Parameters
    ----------
    graph : networkx.DiGraph or dict
        A directed graph, or a mapping ``{node: [parents...]}``.

    Returns
    -------
    networkx.DiGraph
        A copy; the caller's object is never modified.

    Examples
    --------
    >>> g = as_digraph({"y": ["a"], "x": ["y", "c"]})
    >>> sorted(g.edges())
    [('a', 'y'), ('c', 'x'), ('y', 'x')]
    """
    if isinstance(graph, nx.DiGraph):
        if graph.is_multigraph():
            return nx.DiGraph(graph)
        return graph.copy()
    if isinstance(graph, nx.Graph):
        raise GraphError(
            "the graph is undirected; CAMA needs a directed acyclic graph. Orient every "
            "edge (for example with networkx.DiGraph) before passing it."
        )
    if isinstance(graph, Mapping):
        g = nx.DiGraph()
        for child, parents in graph.items():
            g.add_node(child)
            if isinstance(parents, (str, bytes)) or not isinstance(parents, Iterable):
                raise GraphError(
                    f"the parents of node {child!r} must be a list of node names, got "
                    f"{parents!r}; write {{{child!r}: [{parents!r}]}} for a single parent."
                )
            for parent in parents:
                g.add_edge(parent, child)
        return g
    raise GraphError(
        f"cannot use a graph of type {type(graph).__name__}; pass a networkx.DiGraph or a "
        "dict mapping each node to the list of its parents."
    )


def validate_dag(graph: nx.DiGraph, target: Hashable | None = None) -> None:
    """Check that ``graph`` is a DAG usable for ``target``; raise :class:`GraphError` if not.

    Parameters
    ----------
    graph : networkx.DiGraph
        The causal graph.
    target : hashable, optional
        If given, it must be a node of ``graph``.

    Raises
    ------
    GraphError
        On a self-loop, a cycle (the cycle is printed) or a missing target (with the
        closest node names as suggestions).

    Examples
    --------
    >>> import networkx as nx
    >>> validate_dag(nx.DiGraph([("a", "y")]), "y")
    >>> validate_dag(nx.DiGraph([("a", "b"), ("b", "a")]))
    Traceback (most recent call last):
    ...
    skcama.graph.GraphError: the graph has a cycle a -> b -> a; ...
    """
    loops = list(nx.selfloop_edges(graph))
    if loops:
        node = loops[0][0]
        raise GraphError(
            f"the graph has a self-loop on node {node!r}; a variable cannot cause itself. "
            f"Remove the edge ({node!r}, {node!r})."
        )
    try:
        cycle = nx.find_cycle(graph, orientation="original")
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        path = " -> ".join(str(edge[0]) for edge in cycle) + f" -> {cycle[0][0]}"
        raise GraphError(
            f"the graph has a cycle {path}; ... CAMA needs a directed acyclic graph. "
            f"Remove or reverse one of these edges, e.g. ({cycle[-1][0]!r}, {cycle[-1][1]!r})."
        )
    if target is not None and target not in graph:
        close = did_you_mean(target, graph.nodes)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise GraphError(
            f"the target {target!r} is not a node of the graph (nodes: "
            f"{_preview(graph.nodes)}).{hint} Pass target=<name of the label node>."
        )


def did_you_mean(name: Hashable, candidates: Iterable) -> list:
    """Candidates whose name is close to ``name`` (case-insensitive), best first.

    Examples
    --------
    >>> did_you_mean("Age", ["age", "sex", "weight"])
    ['age']
    """
    by_lower: dict[str, list] = {}
    for candidate in candidates:
        by_lower.setdefault(str(candidate).lower(), []).append(candidate)
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=3, cutoff=0.6)
    return [c for key in close for c in by_lower[key]]


def _preview(nodes: Iterable, limit: int = 10) -> str:
    nodes = list(nodes)
    shown = ", ".join(repr(n) for n in nodes[:limit])
    return shown + (f", ... ({len(nodes)} in all)" if len(nodes) > limit else "")


def markov_blanket_roles(graph: nx.DiGraph | Mapping, target: Hashable) -> MarkovBlanketRoles:
    """Split the nodes of a causal DAG into the roles they play for ``target``.

    Parameters
    ----------
    graph : networkx.DiGraph or dict
        The causal DAG (or a mapping ``{node: [parents...]}``).
    target : hashable
        The node to predict.

    Returns
    -------
    MarkovBlanketRoles
        Parents, co-parents, children and outside nodes. Within each role nodes keep the
        graph's topological order (ties broken by insertion order), so the result is
        deterministic.

    Raises
    ------
    GraphError
        If the graph is cyclic or the target is not one of its nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.DiGraph([("a1", "y"), ("y", "x1"), ("y", "x2"), ("c1", "x1"),
    ...                 ("a1", "x2"), ("x1", "x2"), ("o1", "c1")])
    >>> roles = markov_blanket_roles(g, "y")
    >>> roles.parents, roles.coparents, roles.children
    (('a1',), ('a1', 'c1'), ('x1', 'x2'))
    >>> roles.child_parents["x2"]
    ('a1', 'x1')
    >>> roles.outside
    ('o1',)
    """
    g = as_digraph(graph)
    validate_dag(g, target)
    order = {node: i for i, node in enumerate(nx.lexicographical_topological_sort(g, key=_key(g)))}
    parents = _sorted_nodes(g.predecessors(target), order)
    children = _sorted_nodes(g.successors(target), order)
    child_set = set(children)
    coparent_set = {
        p for child in children for p in g.predecessors(child) if p != target and p not in child_set
    }
    coparents = _sorted_nodes(coparent_set, order)
    blanket = set(parents) | coparent_set | child_set
    outside = _sorted_nodes((n for n in g.nodes if n not in blanket and n != target), order)
    child_parents = {
        child: _sorted_nodes((p for p in g.predecessors(child) if p != target), order)
        for child in children
    }
    return MarkovBlanketRoles(
        target=target,
        parents=parents,
        coparents=coparents,
        children=children,
        outside=outside,
        child_parents=child_parents,
    )


def _key(g: nx.DiGraph):
    """Sort key for ties in the topological order: the graph's insertion order."""
    position = {node: i for i, node in enumerate(g.nodes)}
    return lambda node: position[node]


def all_children_graph(features: Iterable, target: Hashable) -> nx.DiGraph:
    """The single-modality graph: every feature is a child of ``target``.

    Examples
    --------
    >>> sorted(all_children_graph(["u", "v"], "y").edges())
    [('y', 'u'), ('y', 'v')]
    """
    g = nx.DiGraph()
    g.add_node(target)
    g.add_edges_from((target, f) for f in features)
    return g
