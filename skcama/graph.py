"""Graph utilities: turn a causal DAG into the Markov-blanket roles CAMA needs.

Everything here works on plain :class:`networkx.DiGraph` objects whose node names are
the data's column names. No tensors, no scikit-learn.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import itertools
import json
import logging
import numbers
import os
import re
import unicodedata
import warnings
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import networkx as nx
import numpy as np

from ._files import replaced_on_success

logger = logging.getLogger("skcama")

__all__ = [
    "GRAPH_FORMATS",
    "ROLE_NAMES",
    "GraphError",
    "MarkovBlanketRoles",
    "all_children_graph",
    "as_digraph",
    "did_you_mean",
    "load_graph",
    "markov_blanket_roles",
    "node_roles",
    "read_graph",
    "validate_dag",
    "write_graph",
]

GRAPH_FORMATS = {
    ".gml": "gml",
    ".graphml": "graphml",
    ".dot": "dot",
    ".gv": "dot",
    ".json": "json",
    ".csv": "csv",
    ".dagitty": "dagitty",
}
"""File extensions :func:`read_graph` and :func:`write_graph` understand, and their format."""

ROLE_NAMES = ("target", "parent", "co-parent", "child", "outside")
"""The role names :func:`node_roles` uses; a double role joins two with ``"+"``."""


class GraphError(ValueError):
    """Raised when a causal graph cannot be used as given (cycle, missing target, ...).

    A ``ValueError``, so code that catches those keeps working; the message names the
    offending node or edge and the fix.

    Examples
    --------
    >>> import networkx as nx
    >>> from skcama import GraphError, node_roles
    >>> try:
    ...     node_roles(nx.DiGraph([("x", "y"), ("y", "x")]), "y")
    ... except GraphError as error:
    ...     print("cycle" in str(error))
    True
    """


_REPR_NODES = 12  # nodes of a role MarkovBlanketRoles' repr shows in full


@dataclass(frozen=True)
class MarkovBlanketRoles:
    """The roles the nodes of a causal DAG play for one target.

    Made by :func:`markov_blanket_roles`; each parameter is kept as the attribute of the
    same name.

    Parameters
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
    >>> roles.blanket
    ('a', 'c', 'x')
    >>> repr(roles)[:50]
    "MarkovBlanketRoles(target='y', parents=('a',), cop"
    """

    target: Hashable
    parents: tuple[Hashable, ...] = ()
    coparents: tuple[Hashable, ...] = ()
    children: tuple[Hashable, ...] = ()
    outside: tuple[Hashable, ...] = ()
    child_parents: dict[Hashable, tuple[Hashable, ...]] = field(default_factory=dict)

    def __repr__(self) -> str:
        """The roles, each of more than :data:`_REPR_NODES` nodes cut to its first ones
        and its count, and without ``child_parents``: readable on a table of 100
        columns (the attributes hold everything)."""
        def nodes(values: tuple) -> str:
            if len(values) <= _REPR_NODES:
                return repr(values)
            shown = ", ".join(repr(v) for v in values[: _REPR_NODES - 2])
            return f"({shown}, ... {len(values)} in all)"

        roles = ", ".join(f"{role}={nodes(getattr(self, role))}"
                          for role in ("parents", "coparents", "children", "outside"))
        return f"MarkovBlanketRoles(target={self.target!r}, {roles})"

    @property
    def blanket(self) -> tuple[Hashable, ...]:
        """All nodes of the Markov blanket, each once, in a stable order: parents,
        co-parents, children.

        Examples
        --------
        >>> import networkx as nx
        >>> markov_blanket_roles(nx.DiGraph([("a", "y"), ("a", "x"), ("y", "x")]), "y").blanket
        ('a', 'x')
        """
        seen: dict = {}
        for node in (*self.parents, *self.coparents, *self.children):
            seen.setdefault(node, None)
        return tuple(seen)

    def as_dict(self) -> dict[str, Any]:
        """The roles as a plain dict (JSON friendly).

        Returns
        -------
        dict
            ``"target"``: the target node; ``"parents"``, ``"coparents"``,
            ``"children"``, ``"outside"``: lists of nodes. (``child_parents`` is left
            out.)

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
        A directed graph, or a mapping ``{node: [parents...]}``. A node whose parents are
        ``None`` has none, as with ``[]`` (JSON's ``null`` reads the same way). Each
        parent is one node name (text or a number); a list or ``None`` among the parents,
        or two names that read the same as text (``1`` and ``"1"``), raise
        :class:`GraphError` naming them.

    Returns
    -------
    networkx.DiGraph
        A copy; the caller's object is never modified.

    Examples
    --------
    >>> g = as_digraph({"y": ["a"], "x": ["y", "c"]})
    >>> sorted(g.edges())
    [('a', 'y'), ('c', 'x'), ('y', 'x')]
    >>> sorted(as_digraph({"y": None, "x": ["y"]}).edges())
    [('y', 'x')]
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
            if child is None:
                raise GraphError(
                    "a node of the dict is named None; name every node with text or a number."
                )
            g.add_node(child)
            if parents is None:  # no parents, as with []
                continue
            if isinstance(parents, Mapping):
                raise GraphError(
                    f"the parents of node {child!r} must be a list of node names, got an "
                    f"object ({_short(parents)}); write {{{child!r}: ['a', 'b']}}. (A JSON "
                    "graph file holds either such parent lists or networkx's node-link, "
                    "adjacency or Cytoscape data.)"
                )
            if isinstance(parents, (str, bytes)) or not isinstance(parents, Iterable):
                raise GraphError(
                    f"the parents of node {child!r} must be a list of node names, got "
                    f"{parents!r}; write {{{child!r}: [{parents!r}]}} for a single parent."
                )
            for parent in parents:
                if not _is_node_name(parent):
                    raise GraphError(
                        f"the parents of node {child!r} hold {parent!r}, which is not a node "
                        "name: each entry of a parent list must be one node name (text or a "
                        f"number), e.g. {{{child!r}: ['age', 'sex']}}; a node without parents "
                        "takes [] (null in JSON)."
                    )
                g.add_edge(parent, child)
        _check_name_spellings(
            g,
            "Write each name the same way everywhere (JSON object keys are always text, so "
            'write numbers in the parent lists as text too, e.g. ["1"]).',
        )
        return g
    hint = (
        " For a graph file, read it first: skcama.graph.load_graph(path) (fit and the "
        "command line take the path itself)."
        if isinstance(graph, (str, os.PathLike)) else _conversion_hint(graph)
    )
    raise GraphError(
        f"cannot use a graph of type {type(graph).__name__}; pass a networkx.DiGraph or a "
        f"dict mapping each node to the list of its parents.{hint}"
    )


def _is_node_name(name: Any) -> bool:
    """Whether ``name`` can name a node: anything hashable but None."""
    if name is None:
        return False
    try:
        hash(name)
    except TypeError:
        return False
    return True


_RENAME = "Rename one of them: data columns and graph files cannot tell them apart."


def _check_name_spellings(graph: nx.Graph, fix: str) -> None:
    """Reject two nodes that read the same as text, such as ``1`` and ``"1"``, naming both.

    Networkx keeps them apart, but data columns, graph files and users take them for one.
    """
    seen: dict[str, Hashable] = {}
    for node in graph.nodes:
        other = seen.setdefault(str(node), node)
        if other is not node:
            raise GraphError(
                f"the graph has two nodes that read {str(node)!r}: {other!r} "
                f"({type(other).__name__}) and {node!r} ({type(node).__name__}), one written "
                f"as a number and one as text. {fix}"
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
        On a self-loop, an edge whose attributes mark it undirected or bidirected (as a
        CPDAG or PAG leaves them), a cycle (the cycle is printed; a pair of opposite edges
        ``a -> b`` and ``b -> a`` is a cycle of two edges, which a discovery tool's output
        may also hold for an edge it could not orient) or a missing target (with the
        closest node names as suggestions), or on two nodes whose names read the same as
        text (``1`` and ``"1"``: data columns and graph files cannot tell them apart).

    Examples
    --------
    >>> import networkx as nx
    >>> validate_dag(nx.DiGraph([("a", "y")]), "y")
    >>> validate_dag(nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")]))
    Traceback (most recent call last):
    ...
    skcama.graph.GraphError: the graph has a cycle a -> b -> c -> a; ...
    >>> validate_dag(nx.DiGraph([("a", "b"), ("b", "a")]))
    Traceback (most recent call last):
    ...
    skcama.graph.GraphError: the graph has a cycle a -> b -> a: ...
    """
    loops = list(nx.selfloop_edges(graph))
    if loops:
        node = loops[0][0]
        raise GraphError(
            f"the graph has a self-loop on node {node!r}; a variable cannot cause itself. "
            f"Remove the edge ({node!r}, {node!r})."
        )
    _check_orientations(graph)
    _check_name_spellings(graph, _RENAME)
    # a topological sort first: find_cycle walks every edge and is far slower on a DAG
    if not nx.is_directed_acyclic_graph(graph):
        cycle = nx.find_cycle(graph, orientation="original")
        path = " -> ".join(str(edge[0]) for edge in cycle) + f" -> {cycle[0][0]}"
        raise GraphError(
            f"the graph has a cycle {path}; CAMA needs a directed acyclic graph. "
            f"Remove or reverse one of these edges, e.g. ({cycle[-1][0]!r}, {cycle[-1][1]!r})."
        )
    if target is not None and target not in graph:
        close = did_you_mean(target, graph.nodes)
        twin = _unicode_twin_hint(target, graph.nodes, "the node")
        hint = (f" {twin}" if twin
                else f" Did you mean {', '.join(repr(c) for c in close)}?" if close else "")
        raise GraphError(
            f"the target {target!r} is not a node of the graph ("
            + (f"nodes: {_preview(graph.nodes)}" if len(graph) else "it has no nodes")
            + f").{hint}"
            + (_file_id_hint(graph, [target]) or _label_hint(graph, target)
               or " Pass target=<the target's node name>.")
        )


def _label_hint(graph: nx.DiGraph, target: Hashable | None) -> str:
    """For a missing target: the nodes' ``label`` (or ``name``) attributes, if they carry
    some, why they did not name the nodes, and how to make them."""
    key = _label_key(graph)
    labels = {node: data[key] for node, data in graph.nodes(data=True)
              if data.get(key) is not None}
    if not labels:
        return ""
    pairs = [f"{node!r} ({key} {label!r})" for node, label in labels.items()]
    shown = ", ".join(pairs[:10]) + (f", ... ({len(pairs)} in all)" if len(pairs) > 10 else "")
    named = [node for node, label in labels.items()
             if target is not None and str(label).strip() == str(target)]
    found = f" Node {named[0]!r} has the {key} {labels[named[0]]!r}." if named else ""
    problem = _label_problem(graph, key) or (
        f"read_graph names nodes by their {key}s only in the DOT and GraphML files it reads, "
        "and this graph did not come from one")
    return (
        f" The nodes carry {key}s: {shown}.{found} They were not taken as the node names: "
        f"{problem}. Name the nodes in the file as the data's columns (or, in Python, "
        f"nx.relabel_nodes(graph, {{node: {key}, ...}}))."
    )


# Edge attributes that mark an edge as not (fully) oriented, as graph files from discovery
# tools write them: DOT's dir=none / dir=both, or a type-like attribute naming the edge kind.
_MARK_KEYS = ("dir", "type", "edge_type", "kind", "mark", "marks", "orientation", "arrow",
              "edge_kind")
# columns that may name an edge's direction, or an effect's sign ("-" for a negative one):
# read only where their value draws arrows or names an edge kind in words
_DIRECTION_KEYS = ("direction", "edge_direction", "arrows")
_DIRECTION_VALUES = {"<-", "<--", "<->", "<-->", "<-o", "o->", "o-o", "undirected",
                     "bidirected", "both", "back", "backward"}
_UNDIRECTED_VALUES = {"none", "undirected", "---", "--", "-", "o-o", "o--", "--o", "circle"}
_BIDIRECTED_VALUES = {"both", "bidirected", "<->", "<-->", "confounded"}
# a PAG's edge with a circle at one end and an arrow at the other: one end not known
_PARTIAL_VALUES = {"o->", "<-o"}
_PARTIAL = "partially directed, one end left unknown by the search"
_BACKWARD_VALUES = {"back", "backward", "<-", "<--"}
# DOT draws an edge u -> v with an arrowhead at v (dir=forward, the default), an arrowtail
# at u (dir=back), both (dir=both) or neither (dir=none); arrowhead / arrowtail name the
# shapes, "none" drawing nothing. causal-learn writes every edge as dir=both with the shapes.
_DOT_DIRS = ("forward", "back", "both", "none")
_DOT_MARK_KEYS = ("dir", "arrowtail", "arrowhead")


def _mark_text(value: Any) -> str:
    return str(value).strip().strip('"').lower()


def _arrow_end(shape: Any) -> str:
    """What a DOT arrow shape draws at its end of an edge: "arrow", "tail" (nothing),
    "circle" (a PAG's unknown mark) or "" (a shape with no causal reading: box, tee, ...)."""
    shape = _mark_text(shape)
    if shape in ("", "none"):
        return "tail"
    if re.fullmatch(r"o?[lr]?(normal|vee)|open|empty|halfopen", shape):
        return "arrow"
    if re.fullmatch(r"(inv)?o?[lr]?dot|circle", shape):
        return "circle"
    return ""


def _dot_edge_kind(attributes: Mapping) -> str | None:
    """The kind of edge DOT's dir / arrowtail / arrowhead draw for ``u -> v`` (see
    :func:`_edge_mark`), or None for a plain ``u -> v``."""
    direction = _mark_text(attributes.get("dir", "forward"))
    if direction not in _DOT_DIRS:  # not DOT's; _edge_mark reads it as a type-like mark
        direction = "forward"
    tail = _arrow_end(attributes.get("arrowtail", "normal")) if direction in (
        "back", "both"
    ) else "tail"
    head = _arrow_end(attributes.get("arrowhead", "normal")) if direction in (
        "forward", "both"
    ) else "tail"
    ends = {tail, head}
    if "" in ends:
        return "unreadable"
    if "circle" in ends:  # o-> is partially directed; o-o and o-- undirected
        return _PARTIAL if "arrow" in ends else "undirected"
    return {
        ("tail", "arrow"): None,
        ("arrow", "tail"): "back",
        ("arrow", "arrow"): "bidirected",
        ("tail", "tail"): "undirected",
    }[tail, head]


def _edge_mark(attributes: Mapping) -> tuple[str, tuple[str, ...]] | None:
    """How the attributes of an edge ``u -> v`` draw it when not as a plain ``u -> v``.

    ``(kind, keys)``: kind "back" (it stands for ``v -> u``), "undirected", "bidirected",
    partially directed (a PAG's ``o->``) or "unreadable" (an arrow shape with no causal
    reading), and the attribute keys saying so.
    """
    keys: tuple[str, ...] = ()
    if any(key in attributes for key in _DOT_MARK_KEYS[1:]) or (
        _mark_text(attributes.get("dir", "")) in _DOT_DIRS
    ):
        keys = tuple(
            key
            for key in _DOT_MARK_KEYS
            if key in attributes and (key != "dir" or _mark_text(attributes[key]) in _DOT_DIRS)
        )
        kind = _dot_edge_kind(attributes)
        if kind is not None:
            return kind, keys
    # a key as an edge list's header may write it: "Edge Type", "edge-type"
    named = {re.sub(r"[\s\-]+", "_", str(k).strip().lower()): k for k in attributes}
    marked = [named[key] for key in _MARK_KEYS if key in named]
    marked += [named[key] for key in _DIRECTION_KEYS
               if key in named and _mark_text(attributes[named[key]]) in _DIRECTION_VALUES]
    for key in marked:
        if key not in keys:
            value = _mark_text(attributes[key])
            if value in _UNDIRECTED_VALUES:
                return "undirected", (key,)
            if value in _BIDIRECTED_VALUES:
                return "bidirected", (key,)
            if value in _PARTIAL_VALUES:
                return _PARTIAL, (key,)
            if value in _BACKWARD_VALUES:
                return "back", (key,)
    for key in ("undirected", "bidirected"):
        if _mark_text(attributes.get(key, "")) in {"true", "1"}:
            return key, (key,)
    return None


def _check_orientations(graph: nx.DiGraph) -> None:
    """Reject edges marked unoriented and pairs of opposite edges, naming the edge and the fix.

    Marks first: an edge that carries one comes from a CPDAG or PAG whatever its reverse.
    A pair of opposite edges without marks is a cycle of two edges, or, in a discovery
    tool's output, an edge it could not orient; the message names both readings.
    """
    for u, v, attributes in graph.edges(data=True):
        mark = _edge_mark(attributes)
        if mark is None:
            continue
        kind, keys = mark
        shown = ", ".join(f"{key}={str(attributes[key])!r}" for key in keys)
        drop = ", ".join(repr(key) for key in keys)
        noun = "attribute" if len(keys) == 1 else "attributes"
        if kind == "back":
            raise GraphError(
                f"the edge {u!r} -> {v!r} is marked to point backwards ({shown}): it stands "
                f"for {v!r} -> {u!r}. Add it as ({v!r}, {u!r}) and drop the {drop} {noun} "
                "(read_graph does this for a graph file)."
            )
        if kind == "unreadable":
            raise GraphError(
                f"the edge {u!r} -> {v!r} has arrow shapes skcama cannot read as a causal "
                f"direction ({shown}). Draw it with an arrow at its head and none at its tail "
                f"(arrowhead=normal, arrowtail=none) for {u!r} -> {v!r}, or drop the {drop} "
                f"{noun}."
            )
        raise GraphError(
            f"the edge {u!r} -> {v!r} is marked {kind} ({shown}), as a CPDAG or PAG leaves "
            f"edges it cannot orient. CAMA needs a DAG: orient it and drop the {drop} {noun} "
            f"(e.g. keep {u!r} -> {v!r}), or pass graph='pc' to let skcama discover and orient "
            "the graph."
        )
    for u, v in graph.edges():
        if u == v or not graph.has_edge(v, u):
            continue
        raise GraphError(
            f"the graph has a cycle {u} -> {v} -> {u}: {u!r} -> {v!r} and {v!r} -> {u!r} form "
            "a cycle of two edges (in a CPDAG or PAG from a discovery tool, an edge it could "
            "not orient). CAMA needs a directed acyclic graph: keep the direction you "
            f"believe (remove ({v!r}, {u!r}) or ({u!r}, {v!r})), or pass graph='pc' to let "
            "skcama discover and orient the graph."
        )


def _unicode_twin_hint(name: Hashable, candidates: Iterable, what: str) -> str:
    """A hint when ``name`` and one of ``candidates`` (``what``: "the column") are the same
    text written with other Unicode code points ('ö' as one or as 'o' plus an accent, as
    macOS file names and text copied from PDFs write it); else ""."""
    candidates = list(candidates)
    retyped = [c for c in candidates if c != name and str(c) == str(name)]
    if retyped:  # the same text: 1 and '1' (their text has no accents to encode otherwise)
        return (
            f"{name!r} and {what} {retyped[0]!r} are the same text, one written as a number "
            "and one as text: write both the same way (e.g. str() of the graph's nodes, or "
            "the target as the node is written)."
        )
    key = unicodedata.normalize("NFC", str(name))
    twins = [c for c in candidates if c != name and unicodedata.normalize("NFC", str(c)) == key]
    if twins:
        return (
            f"{name!r} and {what} {twins[0]!r} look alike but encode their accented letters "
            "differently (Unicode NFD against NFC, as macOS file names and text copied from "
            "PDFs write them): write both the same way, e.g. with "
            "unicodedata.normalize('NFC', name) for X's columns and the graph's nodes."
        )
    for candidate in candidates:
        differing = _lookalike_characters(str(name), str(candidate))
        if differing:
            return (
                f"{name!r} and {what} {candidate!r} look alike but are written with other "
                f"characters: {differing}. Retype the name in one of them."
            )
    return ""


def _lookalike_characters(a: str, b: str) -> str:
    """The characters that tell ``a`` from ``b`` where the two read alike: the same text
    once compatibility forms are folded (fullwidth ``ＣＲＰ``, the ligature ``ﬁ``), or the
    same letters from another script (a Cyrillic ``а`` for a Latin ``a``), or an invisible
    character more (a zero-width space); else ""."""
    if a == b or not a.strip() or not b.strip():
        return ""

    def shown(c: str) -> str:
        return f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})"

    invisible = {"Cf"}  # format characters: zero-width spaces and joiners, marks of order
    visible_a = "".join(c for c in a if unicodedata.category(c) not in invisible)
    visible_b = "".join(c for c in b if unicodedata.category(c) not in invisible)
    if visible_a == visible_b and (visible_a != a or visible_b != b):
        extra = [c for c in a + b if unicodedata.category(c) in invisible]
        return "an invisible " + ", ".join(shown(c) for c in dict.fromkeys(extra))
    folded_a, folded_b = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    if folded_a == folded_b:
        odd = [c for c in a + b if unicodedata.normalize("NFKC", c) != c]
        return ", ".join(shown(c) for c in dict.fromkeys(odd)) + " (compatibility forms)"
    if len(a) != len(b):
        return ""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if all(_HOMOGLYPHS.get(x, x) == _HOMOGLYPHS.get(y, y) for x, y in pairs):
        return ", ".join(f"{shown(x)} against {shown(y)}" for x, y in pairs[:3])
    return ""


# Cyrillic and Greek letters drawn as Latin ones in common fonts, and the Latin letter
_HOMOGLYPHS = dict(zip(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb"
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0406"
    "\u0408\u0405\u03bf\u039f\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c"
    "\u039d\u03a1\u03a4\u03a5\u03a7",
    "aeopcyxijsdhABEKMHOPCTXIJSoOABEZHIKMNPTYX",
    strict=True,
))


def did_you_mean(name: Hashable, candidates: Iterable) -> list:
    """Candidates whose name is close to ``name`` (case-insensitive), best first.

    Parameters
    ----------
    name : hashable
        The name that was not found (compared as text).
    candidates : iterable of hashable
        The names that exist.

    Returns
    -------
    list
        Up to three close candidates (more where several differ only in case), best
        first; empty when none is close. Candidates that hold the whole name as a word
        (``age_years``, ``age (y)``, ``patient age`` for ``age``), shortest first, come
        before those whose spelling is merely similar.

    Examples
    --------
    >>> did_you_mean("Age", ["age", "sex", "weight"])
    ['age']
    >>> did_you_mean("age", ["stage 2", "age_years"])
    ['age_years', 'stage 2']
    """
    if isinstance(name, str) and any(ch.isalpha() for ch in name):
        # a numbered column (a frame made from an array) is no spelling of 'x1'
        candidates = [c for c in candidates if not isinstance(c, (numbers.Number, np.number))]
    by_lower: dict[str, list] = {}
    for candidate in candidates:
        by_lower.setdefault(str(candidate).lower(), []).append(candidate)
    key = str(name).lower()
    word = re.compile(rf"(?:.*[\W_])?{re.escape(key)}(?:[\W_].*)?", re.DOTALL)
    holding = sorted((k for k in by_lower if k != key and key.strip() and word.fullmatch(k)),
                     key=len)
    similar = difflib.get_close_matches(key, list(by_lower), n=3, cutoff=0.6)
    close = list(dict.fromkeys([*holding, *similar]))[:3]
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
        graph's topological order, ties broken by name in natural order (``x2`` before
        ``x10``), so the result does not depend on the order in which the graph lists its
        nodes.

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
    if target is None:
        raise GraphError("target is None; name the node to predict, e.g. target='y'.")
    g = as_digraph(graph)
    validate_dag(g, target)
    order = {
        node: i
        for i, node in enumerate(nx.lexicographical_topological_sort(g, key=_total_key))
    }
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


def _natural_key(node: Hashable) -> list:
    """Sort key for ties in the topological order: the node's name in natural order
    (``x2`` before ``x10``), so that the same graph gives the same roles, and so the same
    model, whatever order its nodes were added in (a file, a dict, the columns of X)."""
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", str(node)))]


def _conversion_hint(graph: Any) -> str:
    """How to make a networkx.DiGraph of the forms a graph is commonly held in: a list of
    edges, an adjacency matrix, a frame of edges or of adjacency; else ""."""
    import pandas as pd

    if isinstance(graph, pd.DataFrame):
        if graph.shape[1] == 2 or {"source", "target"} <= set(graph.columns):
            return (" For a frame of edges: nx.from_pandas_edgelist(frame, 'source', "
                    "'target', create_using=nx.DiGraph) (naming its two columns).")
        return (" For an adjacency matrix with named rows and columns (row -> column): "
                "nx.from_pandas_adjacency(frame, create_using=nx.DiGraph).")
    if isinstance(graph, np.ndarray) and graph.ndim == 2:
        return (" For an adjacency matrix (row -> column): nx.relabel_nodes(nx.from_numpy_"
                "array(A, create_using=nx.DiGraph), dict(enumerate(names))).")
    if isinstance(graph, (list, tuple, set)):
        return (" For a list of (cause, effect) pairs: nx.DiGraph(edges); text such as "
                "'a->b' must be split into pairs first.")
    return ""


def _total_key(node: Hashable) -> tuple:
    """:func:`_natural_key`, with ties between names it reads alike (``x1`` / ``x01``,
    ``1`` / ``'1'``) broken by their text and type: else the graph's own order decided
    between them, and with it the model."""
    return _natural_key(node), str(node), type(node).__name__


DISCOVERY_METHODS = ("pc", "fci", "ges")
"""Names that ``graph=`` of :class:`~skcama.CAMAClassifier` reads as a discovery method."""

DISCOVERY_TESTS = (
    "block-lrt",
    "block-lrt-basis",
    "block-lrt-nonlinear",
    "indicator-fisherz",
    "fisherz",
    "kci",
    "rcit",
)
"""Conditional-independence tests of :func:`~skcama.discover_graph` (``test=``); listed
here so that the command line offers them without importing causal-learn."""


def is_discovery_method(spec: Any) -> bool:
    """Whether a ``graph=`` value names a discovery method rather than a graph or a file.

    Text that spells a method (case and surrounding spaces aside) does, unless a file of
    that name exists (a folder of that name does not count).

    Parameters
    ----------
    spec : object
        The ``graph=`` argument.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_discovery_method("PC"), is_discovery_method("clinic.gml"), is_discovery_method(None)
    (True, False, False)
    """
    return (
        isinstance(spec, str)
        and spec.strip().lower() in DISCOVERY_METHODS
        and not os.path.isfile(spec)
    )


def check_graph_name(spec: Any) -> None:
    """Reject a text ``graph=`` that is neither a graph file's path nor a method name.

    A name without a graph file's extension that is no existing file is most likely a
    mistyped discovery method: the error says so, with the closest method name, instead
    of complaining about the missing extension.

    Parameters
    ----------
    spec : object
        The ``graph=`` argument; anything but text passes.

    Raises
    ------
    GraphError
        If ``spec`` is text that names no method and no file with a graph extension.

    Examples
    --------
    >>> check_graph_name("clinic.gml")
    >>> check_graph_name("pcc")
    Traceback (most recent call last):
    ...
    skcama.graph.GraphError: graph='pcc' is neither a discovery method (pc, fci, ges) ...
    """
    if not isinstance(spec, str) or spec.strip().lower() in DISCOVERY_METHODS:
        return
    if Path(spec).suffix.lower() not in GRAPH_FORMATS and not Path(spec).exists():
        close = did_you_mean(spec.strip().lower(), DISCOVERY_METHODS)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise GraphError(
            f"graph={spec!r} is neither a discovery method ({', '.join(DISCOVERY_METHODS)}) "
            f"nor the path of a graph file (extensions {', '.join(sorted(GRAPH_FORMATS))})."
            f"{hint}"
        )


DISCOVERY_PARAMS = (
    "test",
    "alpha",
    "target_alpha",
    "background",
    "max_condition_size",
    "normal_scores",
    "progress",
)
"""Keyword arguments of :func:`~skcama.discovery.discover_graph` that ``discovery_params`` of
:class:`~skcama.CAMAClassifier` may set; the estimator sets the others (the data, the
target, the method from ``graph=``, the row weights, the seed and the verbosity)."""


def check_discovery_params(params: Mapping | None) -> dict:
    """Check ``discovery_params`` of :class:`~skcama.CAMAClassifier` and return them as a
    dict of keyword arguments for :func:`~skcama.discovery.discover_graph`.

    Only the names in :data:`DISCOVERY_PARAMS` are accepted; their values are checked by
    :func:`~skcama.discovery.discover_graph` itself.

    Parameters
    ----------
    params : mapping or None
        ``{name: value}``; ``None`` is no arguments.

    Returns
    -------
    dict
        A copy of ``params`` (``{}`` for ``None``).

    Raises
    ------
    ValueError
        On a name that is not in :data:`DISCOVERY_PARAMS` (with the closest name), or a
        ``params`` that is not a mapping.

    Examples
    --------
    >>> check_discovery_params({"target_alpha": 0.1, "normal_scores": True})
    {'target_alpha': 0.1, 'normal_scores': True}
    >>> check_discovery_params(None)
    {}
    """
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ValueError(
            "discovery_params must be a dict of discover_graph's keyword arguments, e.g. "
            f"{{'target_alpha': 0.1}}; got the {type(params).__name__} {params!r}."
        )
    for name in params:
        if name not in DISCOVERY_PARAMS:
            close = did_you_mean(str(name), DISCOVERY_PARAMS)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            if name in ("tiers", "required", "forbidden"):  # background knowledge
                hint = (f" Background knowledge goes inside 'background': "
                        f"discovery_params={{'background': {{{name!r}: ...}}}}.")
            set_by = (
                " The estimator sets it: the method is graph=, the target, the row weights, "
                "the seed and the verbosity come from fit and the estimator's own parameters."
                if name in ("X", "y", "target", "method", "sample_weight", "random_state",
                            "verbose")
                else ""
            )
            raise ValueError(
                f"discovery_params has the key {name!r}, which is not one of "
                f"{', '.join(DISCOVERY_PARAMS)}.{hint}{set_by}"
            )
    return dict(params)


def resolve_given_graph(
    spec: nx.DiGraph | Mapping | str | os.PathLike, columns: list, target: Hashable | None
) -> tuple[nx.DiGraph, Hashable]:
    """Load a user's graph, infer its target when not given, and validate it.

    Parameters
    ----------
    spec : networkx.DiGraph, dict, str or path
        A graph, a dict of parent lists or a graph file (see :func:`load_graph`).
    columns : list
        The columns of the training data.
    target : hashable or None
        The target node; ``None`` picks the one graph node that is not a column (leaving
        out nodes a DAGitty model marks ``latent``, and taking the one it marks
        ``outcome`` when there is one).

    Returns
    -------
    graph : networkx.DiGraph
    target : hashable

    Examples
    --------
    >>> graph, target = resolve_given_graph({"v": ["label"], "label": ["u"]}, ["u", "v"], None)
    >>> target, sorted(graph.edges())
    ('label', [('label', 'v'), ('u', 'label')])
    """
    check_graph_name(spec)
    graph = load_graph(spec)
    _check_name_spellings(graph, _RENAME)  # before they confuse the search for the target
    if target is None:
        # not a column, and not a node a DAGitty model marks latent; its outcome if it has one
        candidates = [n for n, data in graph.nodes(data=True)
                      if n not in set(columns) and not _flag_set(data.get("latent"))]
        outcomes = [n for n in candidates if _flag_set(graph.nodes[n].get("outcome"))]
        candidates = outcomes if len(outcomes) == 1 else candidates
        if len(candidates) != 1:
            positional = list(columns) == list(range(len(columns)))
            array = (
                f" The columns of X are numbered 0..{len(columns) - 1}, as an array's are: "
                "the node names cannot match them (see the error fit gives with "
                "target=<node name>)."
                if positional and len(candidates) > 1 else ""
            )
            every = (  # the label column left in X: every node is then a column
                " Every node of the graph is a column of X: if one of them holds the "
                "labels, drop it from X (the labels come from y) and pass "
                "target=<its name>."
                if not candidates and len(graph) else ""
            )
            raise GraphError(
                "cannot tell which graph node is the target: pass target=<node name> "
                f"(graph nodes not among the columns of X: {candidates[:10]}).{array}"
                f"{every}{_label_hint(graph, None)}"
            )
        target = candidates[0]
    validate_dag(graph, target)
    return graph, target


def _unnamed_target(columns: Sequence, X: Any, labels: Any) -> Hashable:
    """The target node's name where the labels have none and no graph names it: ``"y"``,
    or, where a column of X is called so, the first of ``"target"``, ``"y_0"``, ``"y_1"``,
    ... that no column is called (a feature named ``y``, as ``make_moons`` gives, stays
    a feature). A column ``y`` that holds the labels themselves is refused: the labels
    were left in X."""
    taken = set(columns)
    if "y" not in taken:
        return "y"
    column = np.asarray(X["y"] if hasattr(X, "iloc") else X[:, list(columns).index("y")])
    values = np.asarray(labels)
    try:
        same = column.shape == values.shape and bool(np.all(column == values))
    except (TypeError, ValueError):  # values no == compares
        same = False
    if same:
        raise GraphError(
            "X's column 'y' holds the labels themselves: they were left in X. Drop that "
            "column from X (the model reads the labels from y)."
        )
    return next(name for name in ("target", *(f"y_{i}" for i in range(len(taken) + 1)))
                if name not in taken)


def all_children_graph(features: Iterable, target: Hashable) -> nx.DiGraph:
    """The single-modality graph: every feature is a child of ``target``.

    This is the graph ``CAMAClassifier(graph=None)`` uses.

    Parameters
    ----------
    features : iterable of hashable
        The feature names (column names, or positions of an array's columns).
    target : hashable
        The target node.

    Returns
    -------
    networkx.DiGraph
        ``target`` with an edge to each feature.

    Examples
    --------
    >>> sorted(all_children_graph(["u", "v"], "y").edges())
    [('y', 'u'), ('y', 'v')]
    """
    g = nx.DiGraph()
    g.add_node(target)
    g.add_edges_from((target, f) for f in features)
    return g


def node_roles(graph: nx.DiGraph | Mapping, target: Hashable) -> dict[Hashable, str]:
    """The role every node of ``graph`` plays for ``target``.

    Parameters
    ----------
    graph : networkx.DiGraph or dict
        The causal DAG (or a mapping ``{node: [parents...]}``).
    target : hashable
        The node to predict.

    Returns
    -------
    dict
        ``{node: role}`` for every node, in the graph's insertion order, with roles from
        :data:`ROLE_NAMES`: ``"target"``, ``"parent"``, ``"co-parent"``, ``"child"`` or
        ``"outside"``. A node with two roles shows both, joined by ``"+"`` (a parent of
        the target that also causes a child is ``"parent+co-parent"``).
        ``pandas.Series(node_roles(g, t))`` makes a table.

    Raises
    ------
    GraphError
        If the graph is not a DAG or the target is not one of its nodes.

    See Also
    --------
    markov_blanket_roles : The same roles grouped by role, with each child's parents.

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.DiGraph([("a", "y"), ("a", "x"), ("y", "x"), ("c", "x"), ("x", "w")])
    >>> node_roles(g, "y")
    {'a': 'parent+co-parent', 'y': 'target', 'x': 'child', 'c': 'co-parent', 'w': 'outside'}
    """
    g = as_digraph(graph)
    roles = markov_blanket_roles(g, target)
    held: dict = {node: [] for node in g.nodes}
    held[target].append("target")
    for name, members in (
        ("parent", roles.parents),
        ("co-parent", roles.coparents),
        ("child", roles.children),
    ):
        for node in members:
            held[node].append(name)
    return {node: "+".join(names) if names else "outside" for node, names in held.items()}


def load_graph(spec: nx.DiGraph | Mapping | str | os.PathLike) -> nx.DiGraph:
    """Turn any accepted ``graph=`` value into a :class:`networkx.DiGraph`.

    Parameters
    ----------
    spec : networkx.DiGraph, dict, str or pathlib.Path
        A directed graph, a mapping ``{node: [parents...]}``, or the path of a graph file
        in one of the formats of :data:`GRAPH_FORMATS` (chosen by extension).

    Returns
    -------
    networkx.DiGraph
        A new graph; the caller's object is never modified. It is not validated: call
        :func:`validate_dag` (or :func:`markov_blanket_roles`) for that.

    Raises
    ------
    GraphError
        On an undirected graph, an unknown type, a missing file or an unknown extension.

    Examples
    --------
    >>> sorted(load_graph({"x": ["y"]}).edges())
    [('y', 'x')]
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "g.csv"
    >>> write_graph({"x": ["y", "c"]}, path)
    >>> sorted(load_graph(str(path)).edges())
    [('c', 'x'), ('y', 'x')]
    """
    if isinstance(spec, (str, os.PathLike)):
        return read_graph(spec)
    return as_digraph(spec)


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in GRAPH_FORMATS:
        known = ", ".join(sorted(GRAPH_FORMATS))
        close = did_you_mean(suffix, GRAPH_FORMATS) if suffix else []
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise GraphError(
            f"cannot tell the format of graph file {str(path)!r} from its extension "
            f"{suffix or '(none)'!r}; use one of {known}.{hint}"
        )
    return GRAPH_FORMATS[suffix]


def read_graph(path: str | os.PathLike) -> nx.DiGraph:
    """Read a causal graph from a file; the format follows the extension.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.gml``, ``.graphml``, ``.dot`` / ``.gv`` (Graphviz, read with pydot), ``.json``
        (networkx node-link or adjacency data, Cytoscape's JSON, an object
        ``{node: [parents...]}``, or an edge list: ``[[source, target], ...]`` or
        ``[{"source": ..., "target": ...}, ...]``, alone or as ``{"edges": [...]}``),
        ``.dagitty`` (DAGitty's model code ``dag { ... }``; a ``.dot`` file holding such
        code is read the same way) or ``.csv`` file
        (an edge list with a header holding ``source`` and ``target`` columns; other
        columns become edge attributes). Text is read as UTF-8 (a GraphML file may name
        another encoding in its XML declaration); a leading byte-order mark (as Excel's
        "CSV UTF-8" and some editors write) is ignored. In a JSON object of parent lists,
        ``null`` means no parents; networkx's ``to_dict_of_lists`` writes lists of
        *children*, which would read with every edge reversed: write such a graph with
        :func:`write_graph` or as node-link data instead. In node-link data, the ends of
        each edge (``links`` or ``edges``) are ids of the listed nodes: D3's links, which
        point to nodes by their position in ``nodes``, are refused, not guessed. In DOT,
        nodes and edges inside subgraphs (at any depth) are read, an edge to or from a
        subgraph joins each of its nodes, ``edge [...]`` defaults apply to the edges after
        them, and a port (``a:p1``) is not part of the node's name. In CSV, a row with a
        source and an empty target names a node without edges (``c,``); rows with every
        field empty, and lines starting with ``#`` (comments), are skipped. The delimiter is
        ``,``; a header line without a comma may use ``;`` (as spreadsheets write where the
        decimal mark is a comma) or a tab instead. In CSV and DOT an edge written more than
        once must say the same each time (the same marks and attributes).

    Returns
    -------
    networkx.DiGraph
        Node names are strings, except in JSON files, which keep numbers as numbers.

        Labels: in DOT and GraphML files whose node ids are numbers a tool made up
        (``0``, ``1``, ... as causal-learn writes ``0 [label="X1"]``, or ``n0``, ``n1``,
        ...), the nodes are named by their ``label`` attribute (in a file without labels,
        their ``name`` attribute, as R's igraph writes it) when every node has one
        that reads as a name (non-empty, unique, no surrounding spaces, not HTML, not
        itself such a number); otherwise, and whenever the ids are names, by their ids,
        keeping the labels as attributes (display text). GML files always name
        nodes by their labels (or igraph's ``name``; by their ids where no node has
        either), as text; JSON, CSV and DAGitty by the names
        they hold. DAGitty's node flags (``outcome``, ``latent``, ``exposure``, ...) become
        node attributes that are True.

        Orientation: an edge ``u -> v`` the file draws pointing backwards (DOT's
        ``dir=back``, or only an ``arrowtail`` under ``dir=both``; a mark such as ``<--``
        in a ``type`` column) is read as ``v -> u``, without those marks. Causal-learn's
        ``dir=both, arrowtail=none, arrowhead=normal`` is ``u -> v``. Other attributes are
        kept, so an edge a file marks as undirected or bidirected (arrows or circles at
        both ends, ``dir=none``, ``type=<->``, ...) is rejected by :func:`validate_dag`
        with a message naming it. An edge a DOT file draws with ``--`` (in a ``digraph``,
        where Graphviz refuses it, or in an undirected ``graph``) is rejected here,
        naming it, as are DAGitty's ``a <-> b`` and ``a <- b`` in a DOT file, and
        ``<->``, ``--`` and circle marks in a DAGitty model. In yEd's GraphML an edge
        drawn with its arrow at the source is reversed; one with arrows at both ends, at
        neither, or with other shapes is rejected here, naming it.

    Raises
    ------
    GraphError
        If the file is missing, the extension unknown, the graph undirected or the file
        malformed (the message names the file, the line or entry, and what to fix); if
        the file is not UTF-8 text (naming the first byte that is not, and how to
        convert the file); if a DOT file draws an edge with ``--``; if the edges of
        node-link data name nodes it does not list (naming them, and saying so when they
        look like D3's positions); if a JSON file names a node both as a number and as
        text (``1`` and ``"1"``).

    See Also
    --------
    write_graph : The inverse.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "g.csv").write_text("source,target\\na,y\\ny,x\\n")
    >>> sorted(read_graph(folder / "g.csv").edges())
    [('a', 'y'), ('y', 'x')]
    >>> _ = (folder / "g.dot").write_text(
    ...     'digraph { 0 [label="a"]; 1 [label="y"]; 2 [label="x"]; '
    ...     "0 -> 1 [dir=both, arrowtail=none, arrowhead=normal]; 2 -> 1 [dir=back]; }")
    >>> sorted(read_graph(folder / "g.dot").edges())
    [('a', 'y'), ('y', 'x')]
    """
    if not isinstance(path, (str, os.PathLike)):
        raise GraphError(
            f"read_graph takes the path of a graph file, got {type(path).__name__}; pass a "
            "str or pathlib.Path (or give the graph itself to CAMAClassifier(graph=...))."
        )
    if not str(path).strip():
        raise GraphError("the graph file's path is empty; pass the path of a graph file.")
    path = Path(path)
    if path.is_dir():
        raise GraphError(f"{str(path)!r} is a folder, not a graph file; pass the file.")
    fmt = _format_of(path)
    if not path.is_file():
        close = did_you_mean(path.name, [p.name for p in path.parent.glob("*")]) if (
            path.parent.is_dir()
        ) else []
        hint = f" Did you mean {str(path.parent / close[0])!r}?" if close else ""
        raise GraphError(f"graph file {str(path)!r} does not exist.{hint}")
    _check_utf8(path, fmt)
    try:
        graph = _READERS[fmt](path)
    except (GraphError, MemoryError):
        raise
    except Exception as exc:  # the parsers raise many types; name the file and the format
        raise GraphError(
            f"could not read {str(path)!r} as a {fmt.upper()} graph: {exc}. Check the file, or "
            "write it with skcama.graph.write_graph."
        ) from exc
    if not graph.is_directed():
        raise GraphError(
            f"the graph in {str(path)!r} is undirected; CAMA needs a directed acyclic graph. "
            "Write it as a directed graph (digraph in DOT, edgedefault='directed' in GraphML, "
            "directed 1 in GML, \"directed\": true in JSON)."
        )
    if fmt in ("dot", "graphml"):
        graph = _named_by_labels(graph)
    return _oriented(graph)


# an XML declaration naming the encoding: the GraphML reader (an XML parser) follows it
_XML_ENCODING = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["\']([\w.:-]+)')


def _check_utf8(path: Path, fmt: str) -> None:
    """Refuse a graph file that is not UTF-8 text, naming the first byte that is not and how
    to convert the file: the one check for every text format, since each reader reads
    UTF-8 (a GraphML file may name another encoding in its XML declaration)."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # a UTF-16 byte-order mark
        if fmt == "graphml":  # the XML parser reads UTF-16
            return
        raise GraphError(
            f"{str(path)!r} is not UTF-8 text: it starts with a UTF-16 byte-order mark (as "
            "Windows Notepad's \"Unicode\" writes). Graph files are read as UTF-8: re-save it "
            f"as UTF-8, e.g. iconv -f utf-16 -t utf-8 in{path.suffix} > out{path.suffix}."
        )
    declared = _XML_ENCODING.match(data) if fmt == "graphml" else None
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        text = data[start:exc.start + 20].split(b"\n")[0].decode("utf-8", "replace")
        raise GraphError(
            f"{str(path)!r} is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, "
            f"column {exc.start - start + 1} (byte {exc.start} of the file) is not UTF-8, in "
            f"{text.strip()[:60]!r}; the file was likely saved in another encoding, such as "
            "Windows' cp1252. Graph files are read as UTF-8: re-save it as UTF-8 (the "
            "editor's \"Save as\" or \"Encoding\" menu), e.g. iconv -f cp1252 -t utf-8 "
            f"in{path.suffix} > out{path.suffix}."
        ) from None


# ids a tool made up: causal-learn's 0, 1, ...; GraphML's n0; yEd's n0::n1 in a group
_TOOL_ID = re.compile(r"n?\d+(::n\d+)*")


def _named_by_labels(graph: nx.Graph) -> nx.Graph:
    """``graph`` with its nodes renamed by their ``label`` attributes (or ``name``, see
    :func:`_label_key`) when the ids are ones a tool made up (``0``, ``1``, ... or ``n0``,
    ``n1``, ...) and every node has a label that reads as a name: non-empty, unique,
    without surrounding spaces, not HTML and not itself such an id (see :func:`read_graph`);
    else ``graph``. Ids that are names stay names: a label there is for display."""
    key = _label_key(graph)
    if not graph.number_of_nodes() or _label_problem(graph, key) is not None:
        return graph
    labels = {node: _label_text(data.get(key)) for node, data in graph.nodes(data=True)}
    renamed = nx.relabel_nodes(graph, labels)
    for _, data in renamed.nodes(data=True):
        del data[key]
    for node, label in labels.items():  # kept, for the messages about names that differ
        renamed.nodes[label][_FILE_ID] = str(node)
    return renamed


_FILE_ID = "file_id"  # the id a graph file gave a node that read_graph named by its label


def _file_id_hint(graph: nx.Graph, names: Iterable) -> str:
    """Where ``names`` (a target, data columns) are the ids a graph file gave nodes that
    :func:`read_graph` named by their labels: a sentence saying so, else ""."""
    by_id = {str(data[_FILE_ID]): node for node, data in graph.nodes(data=True)
             if _FILE_ID in data}
    pairs = [(name, by_id[str(name)]) for name in names if str(name) in by_id]
    if not pairs:
        return ""
    shown = ", ".join(f"{name!r} is {node!r}" for name, node in pairs[:5])
    return (f" read_graph named the file's nodes by their labels, not their ids ({shown}): "
            "use the labels as the names, or write the ids as the labels in the file.")


def _label_problem(graph: nx.Graph, key: str) -> str | None:
    """Why :func:`_named_by_labels` keeps the ids of ``graph`` as node names, in words
    naming the node; None when it names the nodes by their ``key`` attributes."""
    ids = [node for node in graph.nodes if not _TOOL_ID.fullmatch(str(node))]
    if ids:
        return (f"read_graph names nodes by their {key}s only where the ids are numbers a "
                f"tool made up (0, 1, ... or n0, n1, ...), and the id {ids[0]!r} is a name")
    seen: dict[str, Hashable] = {}
    for node, data in graph.nodes(data=True):
        label = _label_text(data.get(key))
        if not label:
            return f"node {node!r} has no {key}"
        if label != label.strip():
            return f"the {key} of node {node!r}, {label!r}, has spaces around it"
        if label.startswith("<") or _TOOL_ID.fullmatch(label):
            return f"the {key} of node {node!r}, {label!r}, does not read as a name"
        if label in seen:
            return f"the {key} {label!r} is on two nodes, {seen[label]!r} and {node!r}"
        seen[label] = node
    return None


def _label_key(graph: nx.Graph) -> str:
    """The node attribute holding display names: ``label`` (DOT, yEd, Gephi), or ``name`` in
    files without labels (as R's igraph writes them)."""
    nodes = [data for _, data in graph.nodes(data=True)]
    if any(data.get("label") is not None for data in nodes):
        return "label"
    return "name" if nodes and all("name" in data for data in nodes) else "label"


def _label_text(value: Any) -> str:
    """A label as text; none (yEd writes a node without text as a label of None) is ""."""
    return "" if value is None else str(value)


def _oriented(graph: nx.Graph) -> nx.DiGraph:
    """A DiGraph of ``graph`` whose edges point the way their marks draw them: an edge
    marked backwards is reversed and loses those marks; other marks stay for validate_dag.

    Done edge by edge before parallel edges merge, so that ``a -> b`` and a ``b -> a``
    written as ``a -> b [dir=back]`` stay two edges.
    """
    out = nx.DiGraph()
    out.graph.update(graph.graph)
    out.add_nodes_from(graph.nodes(data=True))
    for u, v, attributes in graph.edges(data=True):
        mark = _edge_mark(attributes)
        if mark is not None and mark[0] == "back":
            u, v = v, u
            attributes = {k: w for k, w in attributes.items() if k not in mark[1]}
        if out.has_edge(u, v):  # written again: the copies must agree, whatever their order
            before = out.edges[u, v]
            clash = sorted(k for k in set(before) & set(attributes)
                           if before[k] != attributes[k])
            if clash:
                key = clash[0]
                raise GraphError(
                    f"the edge {u!r} -> {v!r} is written more than once, with {key}="
                    f"{before[key]!r} and {key}={attributes[key]!r}; keep one of them, so "
                    "that what the graph says does not depend on the order of its lines."
                )
        out.add_edges_from([(u, v, attributes)])  # any attribute name, 'u_of_edge' too
    return out


def _read_gml(path: Path) -> nx.Graph:
    # read as text: nx.read_gml rejects a UTF-8 byte-order mark as "not ASCII-encoded"
    text = path.read_text(encoding="utf-8-sig")
    try:
        graph = nx.parse_gml(text, label="label")
    except nx.NetworkXError as exc:
        if "has no 'label' attribute" not in str(exc):
            raise
        try:  # R's igraph names nodes by a 'name' attribute
            graph = nx.parse_gml(text, label="name")
        except nx.NetworkXError:
            if re.search(r"\b(label|name)\b", text):  # some nodes named, some not
                raise exc from None
            # no node named at all (igraph without names): the nodes are their ids
            graph = nx.parse_gml(text, label="id")
    _add_yed_gml_arrows(path, text, graph)
    numbers = [node for node in graph if not isinstance(node, str)]  # id 0, label 5
    if numbers:  # names are text, as in the other formats (a CSV's header is text)
        clash = sorted({str(n) for n in numbers} & {n for n in graph if isinstance(n, str)})
        if clash:
            raise GraphError(
                f"{str(path)!r} names nodes both by the number and by the text {clash[:5]}; "
                "give each node one name (quote every label in GML: label \"5\")."
            )
        graph = nx.relabel_nodes(graph, {node: str(node) for node in numbers})
    return graph


def _read_graphml(path: Path) -> nx.Graph:
    _refuse_graphml_mixed_edges(path)
    graph = nx.read_graphml(path)
    _flatten_groups(path, graph)
    _add_yed_arrows(path, graph)
    return graph


def _refuse_graphml_mixed_edges(path: Path) -> None:
    """Refuse an edge whose ``directed`` attribute contradicts its graph's
    ``edgedefault`` (an undirected edge in a directed graph, as a CPDAG exported to
    GraphML holds), naming it: networkx's own error named no edge."""
    import xml.etree.ElementTree as ElementTree

    for graph in ElementTree.parse(path).getroot().iter(f"{_GRAPHML}graph"):
        directed = graph.get("edgedefault", "directed") == "directed"
        for edge in graph.findall(f"{_GRAPHML}edge"):
            flag = edge.get("directed")
            if flag is None or (flag.lower() == "true") == directed:
                continue
            u, v = edge.get("source"), edge.get("target")
            if directed:
                raise GraphError(
                    f"the edge {u!r} -- {v!r} of {str(path)!r} is marked undirected "
                    "(directed=\"false\"), as a CPDAG or PAG leaves edges it cannot orient. "
                    f"CAMA needs a DAG: orient it (drop directed=\"false\", keeping "
                    f"{u!r} -> {v!r} or reversing it), or pass graph='pc' to let skcama "
                    "discover and orient the graph."
                )
            raise GraphError(
                f"the graph in {str(path)!r} is undirected (edgedefault=\"undirected\") but "
                f"marks the edge {u!r} -> {v!r} directed; CAMA needs a directed acyclic "
                "graph: write edgedefault=\"directed\" and orient every edge."
            )


def _flatten_groups(path: Path, graph: nx.Graph) -> None:
    """Drop from ``graph`` the nodes that only hold a nested graph (yEd's groups and
    folders, a box drawn around measurements), and refuse a file whose nested graphs
    networkx did not read whole, or whose edges end at such a box, naming them: no node
    or edge of the drawing is lost without a word."""
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.parse(path).getroot()
    boxes: list = []
    nodes: set = set()
    for node in root.iter(f"{_GRAPHML}node"):
        if node.find(f"{_GRAPHML}graph") is not None:
            boxes.append(node.get("id"))
        else:
            nodes.add(node.get("id"))
    if not boxes:
        return
    ends = [(edge.get("source"), edge.get("target")) for edge in root.iter(f"{_GRAPHML}edge")]
    drawn = len(ends) if graph.is_multigraph() else len(set(ends))
    lost = sorted(nodes - set(graph.nodes), key=str)
    if lost or drawn != graph.number_of_edges():
        missing = f"the nodes {lost[:5]}" if lost else "edges"
        raise GraphError(
            f"{str(path)!r} draws nodes inside groups or folders (nested graphs in "
            f"{boxes[:5]}), and reading them lost {missing}. Ungroup them before saving "
            "(in yEd: Edit > Select All, then Grouping > Ungroup), so that every node and "
            "edge is read."
        )
    joined = [box for box in boxes if box in graph and graph.degree(box)]
    if joined:
        raise GraphError(
            f"{str(path)!r} draws edges to the group or folder {joined[0]!r}, a box around "
            "other nodes rather than a measurement; draw them to the nodes inside it."
        )
    graph.remove_nodes_from(boxes)


_YED = "{http://www.yworks.com/xml/graphml}"
_GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
# yEd's arrow types as DOT's shapes (see _arrow_end): what a drawing shows is what is read
_YED_ARROWS = {"none": "none", "circle": "circle", "transparent_circle": "circle"} | dict.fromkeys(
    ("standard", "delta", "white_delta", "short", "plain", "concave", "convex"), "normal"
)


def _yed_drawing(source_shape: str, target_shape: str) -> str:
    """How yEd draws an edge stored ``source -> target`` with these arrow shapes at its
    ends: "forward", "back" (``target -> source``), or the words for a drawing with no
    causal direction."""
    tail, head = (_arrow_end(_YED_ARROWS.get(shape.strip().lower(), shape))
                  for shape in (source_shape, target_shape))
    if (tail, head) == ("tail", "arrow"):
        return "forward"
    if (tail, head) == ("arrow", "tail"):
        return "back"
    return {("arrow", "arrow"): "with arrows at both ends (a bidirected edge)",
            ("tail", "tail"): "without arrows (an undirected edge)"}.get(
        (tail, head), f"with the arrow shapes {source_shape!r} and {target_shape!r}")


def _refuse_yed_edge(path: Path, u: str, v: str, drawn: str) -> NoReturn:
    raise GraphError(
        f"the yEd drawing {str(path)!r} draws the edge between {u} and {v} {drawn}; CAMA "
        "needs a directed acyclic graph. In yEd, give the edge one arrow, at the effect's "
        "end (Properties > Arrows), or delete it."
    )


def _add_yed_arrows(path: Path, graph: nx.Graph) -> None:
    """Read the arrows of a yEd drawing: reverse the edges it draws backwards (as DOT's
    ``dir=back``, which :func:`_oriented` follows) and refuse those it draws without one
    direction, naming them.

    yEd stores an edge's ends as ``source`` / ``target`` whatever its drawing shows: an
    arrow at the source only draws ``target -> source``; arrows at both ends, at neither,
    or shapes such as a diamond draw no causal direction.
    """
    if b"yworks.com" not in path.read_bytes():
        return
    import xml.etree.ElementTree as ElementTree

    def name(node: str) -> str:
        label = graph.nodes[node].get("label") if node in graph else None
        return repr(label) if isinstance(label, str) and label.strip() else repr(node)

    seen: dict = {}  # (u, v) -> XML edges between them so far: networkx keeps their order
    for edge in ElementTree.parse(path).getroot().iter(f"{_GRAPHML}edge"):
        u, v = edge.get("source"), edge.get("target")
        nth = seen[u, v] = seen.get((u, v), -1) + 1
        arrows = edge.find(f".//{_YED}Arrows")
        if arrows is None:
            continue
        drawn = _yed_drawing(arrows.get("source", "none"), arrows.get("target", "none"))
        if drawn == "forward":
            continue
        if drawn != "back":
            _refuse_yed_edge(path, name(u), name(v), drawn)
        if not graph.is_multigraph():
            graph[u][v]["dir"] = "back"
            continue
        # this edge alone: a pair drawn u -> v and v -> u, both stored u -> v, is a cycle
        parallel = list(graph[u][v].values())
        for data in parallel[nth:nth + 1] if nth < len(parallel) else parallel:
            data["dir"] = "back"


def _add_yed_gml_arrows(path: Path, text: str, graph: nx.Graph) -> None:
    """The arrows of a GML file yEd wrote (``sourceArrow`` / ``targetArrow`` in an
    edge's graphics), read as :func:`_add_yed_arrows` reads its GraphML: an edge drawn
    backwards is reversed, one drawn without one direction refused."""
    by_yed = re.search(r'^\s*Creator\s+"yFiles', text, re.MULTILINE) is not None
    for u, v, data in list(graph.edges(data=True)):
        drawing = data.get("graphics")
        drawing = drawing if isinstance(drawing, Mapping) else {}
        if not (by_yed or "sourceArrow" in drawing or "targetArrow" in drawing):
            continue
        drawn = _yed_drawing(str(drawing.get("sourceArrow", "none")),
                             str(drawing.get("targetArrow", "none")))
        if drawn == "back":  # reversed: the arrows go with it, so a GML written back
            data["dir"] = "back"  # draws the edge as read
            data["graphics"] = {**drawing, "sourceArrow": drawing.get("targetArrow", "none"),
                                "targetArrow": drawing.get("sourceArrow", "none")}
        elif drawn != "forward":
            _refuse_yed_edge(path, repr(u), repr(v), drawn)


def _read_dot(path: Path) -> nx.Graph:
    import pydot

    text = path.read_text(encoding="utf-8-sig")
    first = re.match(r"\s*(\w+)\s*\{", text)
    if first and first.group(1).lower() in _DAGITTY_KINDS:  # DAGitty's model code
        return _read_dagitty(text, path)
    _check_dot_arrows(path, text)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()) as printed:
        # pydot's parser calls deprecated pyparsing names on first use; not our concern.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            graphs = pydot.graph_from_dot_data(text)
        except TypeError as error:  # pydot passes a 'name' attribute on as its own argument
            if "multiple values for argument 'name'" not in str(error):
                raise
            raise GraphError(
                f"{str(path)!r} gives a graph, node or edge an attribute called 'name' "
                "(name=...), which the DOT reader cannot take; rename the attribute (e.g. "
                "to 'title'), or write the graph as .graphml or .gml."
            ) from None
    if not graphs:  # pydot prints the parse error and returns None
        detail = " ".join(printed.getvalue().split())[:200]
        raise GraphError(
            f"could not parse {str(path)!r} as a DOT graph{': ' + detail if detail else ''}. "
            "Check the file, or write it with skcama.graph.write_graph."
        )
    if len(graphs) > 1:
        raise GraphError(
            f"{str(path)!r} holds {len(graphs)} DOT graphs; keep the one to use in the file."
        )
    directed = graphs[0].get_type() == "digraph"
    _check_dot_edge_operators(path, text, directed)
    # a multigraph: read_graph orients each edge statement before parallel edges merge
    graph = nx.MultiDiGraph() if directed else nx.MultiGraph()
    _add_dot_statements(graph, graphs[0].obj_dict, {}, path)
    return graph


# DOT's tokens, to find the edge operators pydot does not keep (it reads "a -- b" in a
# digraph as a -> b): comments and preprocessor lines are skipped, and a quoted ID is one
# token, so that a "--" inside a name is no edge. HTML-like IDs (<...>) nest: see below.
_DOT_TOKEN = re.compile(
    r'(?P<skip>\s+|//[^\n]*|/\*.*?(?:\*/|\Z)|#[^\n]*)'
    r'|(?P<id>"(?:[^"\\]|\\.)*"?|-?(?:\.\d+|\d+(?:\.\d*)?)|\w+)'
    r'|(?P<op>->|--)'
    r'|(?P<other>.)',
    re.DOTALL,
)


def _dot_tokens(text: str) -> list[tuple[str, str, int]]:
    """The tokens of a DOT text as ``(kind, text, line)``, comments and spaces left out."""
    tokens = []
    position, line = 0, 1
    while position < len(text):
        if text[position] == "<":  # an HTML-like ID: up to its matching ">"
            depth, end = 0, position
            while end < len(text):
                depth += {"<": 1, ">": -1}.get(text[end], 0)
                end += 1
                if depth == 0:
                    break
            kind, token = "id", text[position:end]
        else:
            match = _DOT_TOKEN.match(text, position)
            kind, token = match.lastgroup, match.group()
        if kind != "skip":
            tokens.append((kind, token, line))
        line += token.count("\n")
        position += len(token)
    return tokens


def _dot_undirected_edges(text: str) -> list[tuple[str, str, int]]:
    """The edges a DOT text draws with ``--``: ``(tail, head, line)``, each end as written
    (a quoted name with its quotes, a port left out, a subgraph as ``{...}``)."""
    if "--" not in text:
        return []
    tokens = _dot_tokens(text)
    edges = []
    for i, (kind, token, line) in enumerate(tokens):
        if kind != "op" or token != "--" or not 0 < i < len(tokens) - 1:
            continue
        j = i - 1
        while j >= 2 and tokens[j - 1][1] == ":":  # a port: a:p1 or a:p1:n
            j -= 2
        tail = "{...}" if tokens[i - 1][1] == "}" else tokens[j][1]
        head = "{...}" if tokens[i + 1][1] in ("{", "subgraph") else tokens[i + 1][1]
        edges.append((tail, head, line))
    return edges


def _check_dot_edge_operators(path: Path, text: str, directed: bool) -> None:
    """Refuse the edges a DOT file draws with ``--``, naming them and the fix.

    pydot reads ``a -- b`` in a digraph as ``a -> b``; Graphviz refuses it there, and drawn
    by hand it means "associated, direction unknown". In a ``graph { }`` every edge is
    undirected, which read_graph refuses for every format: here the message names them.
    """
    edges = _dot_undirected_edges(text)
    if not edges:
        return
    tail, head, _ = edges[0]
    shown = ", ".join(f"{u} -- {v} (line {line})" for u, v, line in edges[:5]) + (
        f", ... ({len(edges)} in all)" if len(edges) > 5 else ""
    )
    if not directed:
        raise GraphError(
            f"the graph in {str(path)!r} is undirected: a DOT graph {{ }} whose edges {shown} "
            "have no direction; CAMA needs a directed acyclic graph. Write it as digraph { } "
            f"and draw each edge in the direction you believe (as {tail} -> {head} or "
            f"{head} -> {tail})."
        )
    edge = "edge" if len(edges) == 1 else "edges"
    raise GraphError(
        f"{str(path)!r} draws the {edge} {shown} with '--' in a digraph. '--' is an "
        "undirected edge, whose direction is unknown (Graphviz refuses it in a digraph), "
        f"and CAMA needs a directed acyclic graph. Draw it as {tail} -> {head} or "
        f"{head} -> {tail}, or drop it"
        + ("; the same for each edge drawn with '--'." if len(edges) > 1 else ".")
    )


def _check_dot_arrows(path: Path, text: str) -> None:
    """Refuse DAGitty's ``a <-> b`` and ``a <- b`` in a DOT file, naming the line: DOT has
    neither (its parser takes ``<->`` for an HTML-like node name and the edge is lost)."""
    tokens = _dot_tokens(text) if "<-" in text else []
    for i, (kind, token, line) in enumerate(tokens):
        # an arrow follows a node name; an HTML label (label=<-log p>) follows '='
        if kind != "id" or not token.startswith("<-") or i == 0 or tokens[i - 1][0] != "id" \
                or (i >= 2 and tokens[i - 2][1] == "="):
            continue
        tail = tokens[i - 1][1] if i else "?"
        if token == "<->":
            head = tokens[i + 1][1] if i + 1 < len(tokens) else "?"
            raise GraphError(
                f"{str(path)!r} draws {tail} <-> {head} (line {line}), DAGitty's bidirected "
                "edge (a common cause left out of the graph), which DOT does not have; CAMA "
                "needs a directed acyclic graph. Drop the edge (the model's latent causes "
                "stand for unmeasured common causes of the target's children), or, if the "
                f"common cause is a measured column, draw it: cause -> {tail}; cause -> "
                f"{head}. A DAGitty model (dag {{ ... }}) can be read as it is, saved as "
                ".dagitty."
            )
        head = re.match(r'<-\s*("(?:[^"\\]|\\.)*"|[^\s;\]}]+)?', token).group(1) or "?"
        raise GraphError(
            f"{str(path)!r} draws {tail} <- {head} (line {line}); DOT draws every edge from "
            f"cause to effect with '->': write {head} -> {tail}. A DAGitty model "
            "(dag { ... }) can be read as it is, saved as .dagitty."
        )


def _dot_text(text: Any) -> str:
    """A DOT ID as pydot leaves it (quotes and escapes kept), as the text it stands for."""
    text = str(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        # in a quoted ID \" is a quote and a backslash before a line break joins lines
        return re.sub(r'\\(\r?\n|")', lambda m: '"' if m.group(1) == '"' else "", text[1:-1])
    return text


def _dot_name(text: str) -> str:
    """The node a DOT node ID names, without its port (``a:p1`` and ``"a":n`` name a)."""
    if text.startswith('"'):
        quoted = re.match(r'"(?:[^"\\]|\\.)*"', text, re.DOTALL)
        return _dot_text(quoted.group() if quoted else text)
    if text.startswith("<"):  # an HTML-like ID, kept as written
        return text
    return text.split(":", 1)[0]


def _add_dot_statements(
    graph: nx.Graph, statements: Mapping, edge_defaults: Mapping, path: Path
) -> list:
    """Add the nodes and edges of a DOT graph or subgraph (pydot's ``obj_dict``), those of
    its subgraphs at any depth included, to ``graph``; return the nodes it names, in order
    (those an edge to or from the subgraph joins). ``edge_defaults``: the ``edge [...]``
    attributes in force, which the statements after an ``edge [...]`` of their own take."""
    defaults = dict(edge_defaults)
    named: dict = {}
    entries = [
        (kind, key, entry)
        for kind in ("nodes", "edges", "subgraphs")
        for key, repeats in statements.get(kind, {}).items()
        for entry in repeats
    ]
    for kind, key, entry in sorted(entries, key=lambda item: item[2].get("sequence", 0)):
        attributes = {_dot_text(k): _dot_text(v) for k, v in entry.get("attributes", {}).items()}
        if kind == "subgraphs":
            named.update(dict.fromkeys(_add_dot_statements(graph, entry, defaults, path)))
        elif kind == "nodes" and key == "edge":  # edge [...]: defaults for later edges
            defaults.update(attributes)
        elif kind == "nodes" and key == "graph" and statements.get("type") in (
            "graph", "digraph"
        ):  # graph [...] at the top level (not in a subgraph): the graph's attributes
            graph.graph.update(attributes)
        elif kind == "nodes" and key not in ("node", "graph"):  # node [...]
            graph.add_node(_dot_name(key), **attributes)
            named[_dot_name(key)] = None
        elif kind == "edges":
            ends = [_dot_edge_end(graph, point, defaults, path) for point in entry["points"]]
            for u in ends[0]:
                for v in ends[-1]:
                    graph.add_edges_from([(u, v, {**defaults, **attributes})])
            named.update(dict.fromkeys(ends[0] + ends[-1]))
    return list(named)


def _dot_edge_end(graph: nx.Graph, point: Any, defaults: Mapping, path: Path) -> list:
    """The nodes one end of a DOT edge joins: a node ID, or each node of a subgraph."""
    if isinstance(point, str):
        graph.add_node(_dot_name(point))  # now, to keep the nodes in the order of the file
        return [_dot_name(point)]
    if isinstance(point, Mapping) and point.get("type") == "subgraph":
        return _add_dot_statements(graph, point, defaults, path)
    raise GraphError(
        f"cannot read the edge end {point!r} in {str(path)!r}; write each edge between node "
        "names or subgraphs (a -> b, {a b} -> c), or write the file with "
        "skcama.graph.write_graph."
    )


_DAGITTY_KINDS = ("dag", "pdag", "mag", "pag")
# DAGitty's node flags, read as node attributes that are True
_DAGITTY_FLAGS = ("exposure", "outcome", "latent", "adjusted", "selected")


def _flag_set(value: Any) -> bool:
    """Whether a node attribute holding a DAGitty flag (``outcome``, ``latent``, ...) is
    set: ``True`` as read from DAGitty or JSON, and as GML (``1``), GraphML and DOT
    (``"True"``, ``"true"``, ``"1"``) write it back.

    Examples
    --------
    >>> [_flag_set(v) for v in (True, 1, 1.0, "True", "yes", "1", False, 0, "no", None)]
    [True, True, True, True, True, True, False, False, False, False]
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return value == 1
    return isinstance(value, str) and value.strip().lower() in ("true", "1", "yes")
_DAGITTY_TOKEN = re.compile(
    r'(?P<skip>\s+|;)'
    r'|(?P<id>"[^"]*"|-?(?:\d+\.?\d*|\.\d+)(?![\w.])|[\w.]+)'
    r'|(?P<op><->|<-@|<-|->|--@|--|@->|@--|@-@)'
    r'|(?P<punct>[{}\[\]=,])'
    r'|(?P<other>.)'
)
_DAGITTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _read_dagitty(text: str, path: Path) -> nx.DiGraph:
    """Read DAGitty's model code (``dag { a [exposure]; u [latent]; a -> y <- u }``).

    Nodes keep DAGitty's flags as attributes that are True (``exposure``, ``outcome``,
    ``latent``, ``adjusted``, ``selected``) and other settings as text (``pos``); the
    settings after an edge (``a -> b [beta=0.3]``) go to the edge, graph settings (``bb``)
    to the graph's attributes. ``a <- b`` is ``b -> a``; ``{a b} -> c``
    joins each of a, b to c. Edges without one direction (``<->``, ``--``, ``@->``) are
    refused, naming the line.
    """
    tokens = []
    line = 1
    for match in _DAGITTY_TOKEN.finditer(text):
        if match.lastgroup == "other":
            raise GraphError(
                f"cannot read {str(path)!r} as a DAGitty model: {match.group()!r} at line "
                f"{line} is not part of DAGitty's syntax (quote names holding it: \"a-b\")."
            )
        if match.lastgroup != "skip":
            tokens.append((match.lastgroup, match.group(), line))
        line += match.group().count("\n")
    graph = nx.DiGraph()
    position = 0

    def peek(offset: int = 0) -> tuple[str, str, int]:
        index = position + offset
        return tokens[index] if index < len(tokens) else ("end", "", line)

    def take(*expected: str) -> tuple[str, str, int]:
        nonlocal position
        kind, token, at = peek()
        if expected and kind not in expected and token not in expected:
            found = repr(token) if kind != "end" else "the end of the file"
            raise GraphError(
                f"cannot read {str(path)!r} as a DAGitty model: expected "
                f"{' or '.join(expected)} at line {at}, found {found}."
            )
        position += 1
        return kind, token, at

    def name(token: str) -> str:
        return token[1:-1] if token.startswith('"') else token

    def operand() -> list:
        if peek()[1] == "{":
            take("{")
            nodes = []
            while peek()[1] != "}":
                nodes.append(name(take("id")[1]))
            take("}")
        else:
            nodes = [name(take("id")[1])]
        graph.add_nodes_from(nodes)
        return nodes

    def settings() -> dict:
        """``[exposure, pos="0.1,0.2"]`` if one follows: a flag is True, a setting text."""
        found: dict = {}
        if peek()[1] != "[":
            return found
        take("[")
        while peek()[1] != "]":
            key = name(take("id")[1])
            found[key] = True
            if peek()[1] == "=":
                take("=")
                found[key] = name(take("id")[1])
            if peek()[1] == ",":
                take(",")
        take("]")
        return found

    if peek()[0] == "id" and peek()[1].lower() in _DAGITTY_KINDS and peek(1)[1] == "{":
        kind = take("id")[1].lower()
        graph.graph["dagitty"] = kind
    braced = peek()[1] == "{"
    if braced:
        take("{")
    while peek()[0] != "end" and not (braced and peek()[1] == "}"):
        if peek()[0] == "id" and peek(1)[1] == "=":  # a setting of the graph: bb="..."
            key = name(take("id")[1])
            take("=")
            graph.graph[key] = name(take("id")[1])
            continue
        left = operand()
        for node in left:  # a node's settings: a [latent]
            graph.nodes[node].update(settings())
        while peek()[0] == "op":
            _, op, at = take("op")
            right = operand()
            if op not in ("->", "<-"):
                a, b = left[0], right[0]
                drawn = ("a bidirected edge, DAGitty's mark of a common cause left out of "
                         "the graph" if op == "<->" else "an edge without one direction")
                raise GraphError(
                    f"{str(path)!r} draws {a} {op} {b} (line {at}), {drawn}; CAMA needs a "
                    "directed acyclic graph. Draw it as one of "
                    f"{a} -> {b} or {b} -> {a}, or drop it"
                    + ("; for a common cause left out, drop it (the model's latent causes "
                       "stand for unmeasured common causes of the target's children), or, if "
                       f"it is a measured column, draw it: cause -> {a}; cause -> {b}."
                       if op == "<->" else ".")
                )
            edge_settings = settings()  # a -> b [beta=0.3]: the edge's
            for u in left:
                for v in right:
                    graph.add_edges_from([(*((u, v) if op == "->" else (v, u)), edge_settings)])
            left = right
    if braced:
        take("}")
    if peek()[0] != "end":
        raise GraphError(
            f"cannot read {str(path)!r} as a DAGitty model: {peek()[1]!r} at line "
            f"{peek()[2]} comes after the closing brace; keep one model in the file."
        )
    return graph


def _write_dagitty(g: nx.DiGraph, path: Path) -> None:
    """Write ``g`` as DAGitty model code, with the nodes' DAGitty flags and ``pos`` and the
    edges' ``beta`` and ``pos``."""

    def quoted(node: Any) -> str:
        text = str(node)
        if _DAGITTY_NAME.fullmatch(text) and text.lower() not in _DAGITTY_KINDS:
            return text
        if '"' in text or "\n" in text or "\r" in text or not text:
            raise GraphError(
                f"cannot write node {node!r} to the DAGitty model {str(path)!r}: DAGitty's "
                "names cannot hold a double quote or a line break, nor be empty. Rename "
                "the node, or write the graph as .graphml, .gml or .json."
            )
        return f'"{text}"'

    lines = [f"{g.graph.get('dagitty', 'dag')} {{"]
    if "bb" in g.graph:
        lines.append(f'bb="{g.graph["bb"]}"')
    for node, data in g.nodes(data=True):
        settings = [key for key in _DAGITTY_FLAGS if _flag_set(data.get(key))]
        if "pos" in data:
            settings.append(f'pos="{data["pos"]}"')
        if settings or not g.degree(node):
            lines.append(quoted(node) + (f" [{','.join(settings)}]" if settings else ""))
    for u, v, data in g.edges(data=True):  # DAGitty's edge settings: a curve, a coefficient
        settings = [f'{key}="{data[key]}"' for key in ("beta", "pos") if key in data]
        lines.append(f"{quoted(u)} -> {quoted(v)}"
                     + (f" [{','.join(settings)}]" if settings else ""))
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _read_json(path: Path) -> nx.Graph:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(data, Mapping) and isinstance(data.get("elements"), Mapping):
        return _read_cytoscape(path, data)
    networkx = _networkx_json(data)
    if networkx and "adjacency" in data:
        return nx.adjacency_graph(data, directed=data.get("directed", True))  # networkx's
    if networkx:
        key = "edges" if "edges" in data else "links"
        _check_node_link(path, data, key)
        graph = nx.node_link_graph(data, directed=data.get("directed", True), edges=key)
        _check_name_spellings(
            graph, f"Write each node's name the same way everywhere in {str(path)!r}."
        )
        return graph
    edges = _json_edge_list(path, data)
    if edges is not None:
        graph = nx.DiGraph()
        graph.add_edges_from(edges)  # attributes as a dict: any key, 'u_of_edge' too
        _check_name_spellings(
            graph, f"Write each node's name the same way everywhere in {str(path)!r}."
        )
        return graph
    if isinstance(data, Mapping):
        return as_digraph(data)
    raise GraphError(
        f"{str(path)!r} holds neither networkx node-link data (an object with 'nodes' and "
        "'edges'), nor an edge list ([[source, target], ...], alone or as the object's "
        "'edges'), nor an object mapping each node to its list of parents."
    )


_NETWORKX_JSON_KEYS = frozenset({"nodes", "edges", "links", "adjacency", "directed",
                                 "multigraph", "graph"})


def _networkx_json(data: Any) -> bool:
    """Whether ``data`` is networkx's node-link (or adjacency) data: an object whose
    ``nodes`` is a list of node objects, or else that holds networkx's keys alone. A
    parent list may have a node called ``nodes`` (lymph nodes): its value is a list of
    names."""
    if not isinstance(data, Mapping) or "nodes" not in data:
        return False
    nodes = data["nodes"]
    if isinstance(nodes, list) and nodes:
        return all(isinstance(node, Mapping) for node in nodes)
    return set(data) <= _NETWORKX_JSON_KEYS  # and its checks name what is wrong


def _json_edge_list(path: Path, data: Any) -> list[tuple[Any, Any, dict]] | None:
    """The edges (source, target, attributes) of a JSON edge list, or None when ``data``
    is not one: a list of ``[source, target]`` pairs or of ``{"source": ..., "target":
    ...}`` objects (their other keys become edge attributes), alone or as the ``edges``
    (or ``links``) of an object that holds besides at most networkx's ``directed``,
    ``multigraph`` and ``graph``. Such an object is not a parent list: a parent list's
    entries are names, never pairs. An end is text or a finite number, as in node-link
    data read by JSON's rules."""
    if isinstance(data, Mapping):
        keys = [key for key in ("edges", "links") if key in data]
        if len(keys) != 1 or set(data) - {keys[0], "directed", "multigraph", "graph"}:
            return None
        if data.get("directed", True) is not True:
            raise GraphError(
                f"{str(path)!r} holds an edge list marked \"directed\": "
                f"{json.dumps(data['directed'])}; a causal graph's edges point from cause "
                'to effect: write "directed": true, or leave it out.'
            )
        data = data[keys[0]]
        if data == []:  # {"edges": []}: no edges, not a node named "edges"
            return []
    if not isinstance(data, list) or not data:
        return None
    if all(isinstance(edge, list) and len(edge) == 2 for edge in data):
        edges = [(edge[0], edge[1], {}) for edge in data]
    elif all(isinstance(edge, Mapping) and {"source", "target"} <= set(edge) for edge in data):
        edges = [(edge["source"], edge["target"],
                  {k: v for k, v in edge.items() if k not in ("source", "target")})
                 for edge in data]
    else:
        return None
    for source, target, _ in edges:
        for end in (source, target):
            if not _json_name(end):
                raise GraphError(
                    f"{str(path)!r}: the edge {[source, target]!r} has the end {end!r}, "
                    "which is not a node name: each end of an edge must be one name (text "
                    'or a number), e.g. ["age", "diagnosis"].'
                )
    return edges


def _json_name(value: Any) -> bool:
    """Whether a JSON value can name a node: text, or a finite number (not a boolean;
    Python's json reads NaN and Infinity too)."""
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def _read_cytoscape(path: Path, data: Mapping) -> nx.Graph:
    """Cytoscape's JSON (``{"elements": {"nodes": [{"data": {"id": ..., "name": ...}}],
    "edges": [{"data": {"source": id, "target": id}}]}}``, as Cytoscape and networkx's
    ``cytoscape_data`` write it): nodes named by ``name`` when every node has a distinct
    one, else by ``id``; edges point from ``source`` to ``target``."""
    elements = data["elements"]

    def entries(kind: str) -> list[Mapping]:
        items = elements.get(kind, [])
        if not isinstance(items, list) or not all(
            isinstance(item, Mapping) and isinstance(item.get("data"), Mapping) for item in items
        ):
            raise GraphError(
                f"{str(path)!r} looks like Cytoscape's JSON, but its elements.{kind} is not a "
                f'list of {{"data": {{...}}}} entries; export it again from Cytoscape, or '
                "write the graph with skcama.graph.write_graph."
            )
        return [item["data"] for item in items]

    nodes, edges = entries("nodes"), entries("edges")
    ids = [node.get("id") for node in nodes]
    names = [node.get("name") for node in nodes]
    if all(isinstance(n, str) and n.strip() == n and n for n in names) and (
        len(set(names)) == len(names)
    ):
        by_id = dict(zip(ids, names, strict=True))
    else:
        by_id = {i: i for i in ids}
    graph = nx.DiGraph() if data.get("directed", True) else nx.Graph()
    graph.add_nodes_from(by_id.values())
    by_text = {str(i): i for i in ids}
    for edge in edges:
        # networkx's cytoscape_data writes a node 1's id as "1", its edges' ends as 1
        ends = [end if end in by_id or str(end) not in by_text else by_text[str(end)]
                for end in (edge.get("source"), edge.get("target"))]
        unknown = [end for end in ends if end not in by_id]
        if unknown:
            raise GraphError(
                f"an edge of {str(path)!r} joins {unknown[0]!r}, which is not the id of a node "
                "in elements.nodes; list every node the edges join."
            )
        graph.add_edge(by_id[ends[0]], by_id[ends[1]])
    return graph


def _check_node_link(path: Path, data: Mapping, key: str) -> None:
    """Node-link data with a list of ``{"id": ...}`` nodes and of ``{"source": ...,
    "target": ...}`` edges, or a GraphError saying which entry is wrong."""
    nodes, edges = data["nodes"], data.get(key, [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise GraphError(
            f"{str(path)!r}: 'nodes' and '{key}' must be lists (networkx node-link data)."
        )
    for node in nodes:
        if not isinstance(node, Mapping) or "id" not in node:
            raise GraphError(f"{str(path)!r}: every node needs an 'id'; got {node!r}.")
    for edge in edges:
        if not isinstance(edge, Mapping) or "source" not in edge or "target" not in edge:
            raise GraphError(
                f"{str(path)!r}: every edge needs a 'source' and a 'target'; got {edge!r}."
            )
    for what, entries, ends in (("node", nodes, ("id",)), ("edge", edges, ("source", "target"))):
        for entry in entries:
            if not all(_is_node_name(entry[end]) for end in ends):
                raise GraphError(
                    f"{str(path)!r}: the {what} {_short(entry)} does not name its "
                    f"{' and '.join(ends)} with a node id (text or a number); write "
                    + ("each node's id as text or a number." if what == "node" else
                       "each end as the 'id' of its node in 'nodes' (D3's force layout "
                       "writes the node objects there instead).")
                )
    _check_link_ends(path, [node["id"] for node in nodes], edges, key)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " ...}"


def _check_link_ends(path: Path, ids: list, edges: list, key: str) -> None:
    """Refuse node-link edges whose ends are not among the nodes' ids, naming the ends.

    networkx would add them as new nodes; a D3 file's links, which point to nodes by their
    position in ``nodes``, would become a graph of numbers. skcama does not guess: when
    every end is such a position, the message says so and how to write the file.
    """
    declared = set(ids)
    ends = [edge[end] for edge in edges for end in ("source", "target")]
    absent = list(dict.fromkeys(end for end in ends if end not in declared))
    if not absent:
        return
    shown = ", ".join(repr(end) for end in absent[:5]) + (
        f", ... ({len(absent)} in all)" if len(absent) > 5 else ""
    )
    problem = f"{str(path)!r}: the {key} name nodes that are not in 'nodes': {shown}."
    by_text = {str(node): node for node in ids}
    alike = [end for end in absent if str(end) in by_text]
    positions = all(
        isinstance(end, (int, float)) and not isinstance(end, bool)
        and float(end).is_integer() and 0 <= end < len(ids)
        for end in ends
    )
    if positions and len(alike) < len(absent):  # numbers that read like the ids: no D3
        first = edges[0]
        source, target = ids[int(first["source"])], ids[int(first["target"])]
        example = json.dumps({"source": source, "target": target}, ensure_ascii=False,
                             default=str)
        raise GraphError(
            f"{problem} Every source and target is a whole number below {len(ids)}, the "
            f"number of nodes: the {key} look like D3's, which point to nodes by their "
            f"position in 'nodes' (the first, {_short(dict(first))}, would be "
            f"{source!r} -> {target!r}). skcama does not guess: write each link with the "
            f"nodes' ids, e.g. {example} (networkx.node_link_data writes them so)."
        )
    hint = (
        f" {alike[0]!r} reads like the node {by_text[str(alike[0])]!r}: write each node's "
        "name the same way everywhere (a number, or text in quotes)."
        if alike else ""
    )
    raise GraphError(
        f"{problem}{hint} Add each node to 'nodes' as {{\"id\": ...}}, or name the ends of "
        f"the {key} by the ids 'nodes' holds."
    )


# delimiters of a CSV edge list, in the order they are looked for in its header
_CSV_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "a tab", "|": "'|'"}


def _csv_delimiter(header: str) -> str:
    """The delimiter of a CSV edge list whose first line is ``header``: the first of ``,``,
    ``;`` (as spreadsheets write where the decimal mark is a comma) and a tab that splits
    it into fields holding ``source`` and ``target``; failing that, the first of them the
    line holds, else ``,``."""
    for delimiter in _CSV_DELIMITERS:
        fields = next(csv.reader([header], delimiter=delimiter), [])
        if {"source", "target"} <= {field.strip().lower() for field in fields}:
            return delimiter
    return next((d for d in _CSV_DELIMITERS if d in header), ",")


def _read_csv(path: Path) -> nx.Graph:
    # a multigraph: read_graph orients each row before parallel edges merge
    graph = nx.MultiDiGraph()
    lines: list[str] = []  # the lines of the row being read, to quote it in errors
    comments = [0]  # comment lines (# ...) passed so far, which the reader never sees

    def remembered(handle: Iterable[str]) -> Iterable[str]:
        for text in handle:
            # a comment starts a record; inside a quoted field a line is part of the value
            if text.lstrip().startswith("#") and not any(line.strip() for line in lines):
                comments[0] += 1
                continue
            lines.append(text)
            yield text

    # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte-order mark
    with path.open(newline="", encoding="utf-8-sig") as handle:
        first = handle.readline()
        while first.lstrip().startswith("#"):  # comments above the header
            comments[0] += 1
            first = handle.readline()
        delimiter = _csv_delimiter(first)
        if delimiter != ",":
            logger.info("reading the edge list %s with %s as the delimiter, as in its header "
                        "line", path, _DELIMITER_NAMES[delimiter])
        sep = "<tab>" if delimiter == "\t" else delimiter  # as shown in messages
        reader = csv.DictReader(remembered(itertools.chain([first], handle)),
                                delimiter=delimiter)
        header = reader.fieldnames or []
        lines.clear()
        fields = [_csv_field(f) for f in header]
        if "source" not in fields or "target" not in fields:
            others = [d for d in (*_CSV_DELIMITERS, "|") if d != delimiter and d in first]
            found = (f"; the header line holds {_DELIMITER_NAMES[others[0]]} but was split "
                     f"at {_DELIMITER_NAMES[delimiter]}" if others else "")
            raise GraphError(
                f"the edge list {str(path)!r} needs a header with 'source' and 'target' "
                f"columns (found {reader.fieldnames}{found}); write its first line as "
                "source,target (';' or a tab may take the place of ',', in every line alike)."
            )
        repeated = [f for i, f in enumerate(fields) if f and f in fields[:i]]
        if repeated:
            raise GraphError(
                f"the header of {str(path)!r} names the column {repeated[0]!r} more than once "
                f"({header}); rename or remove the duplicate, so that no value is lost."
            )
        for row in reader:
            while lines and not lines[0].strip():  # blank lines the reader skipped
                lines.pop(0)
            where = f"line {reader.line_num - len(lines) + 1 + comments[0]} of {str(path)!r}"
            text = "".join(lines).rstrip("\r\n")
            lines.clear()
            if row.get(None):  # more fields than the header names
                raise GraphError(
                    f"{where} has more fields than the header {header}: {text!r}; quote "
                    f"values that contain {_DELIMITER_NAMES[delimiter]}, the delimiter."
                )
            if None in row.values():  # fewer fields than the header names
                missing = [k for k, v in row.items() if v is None]
                if {k.strip().lower() for k in missing} & {"source", "target"}:
                    raise GraphError(
                        f"{where} has fewer fields than the header {header}: {text!r}; write "
                        f"source{sep}target on every line ('name{sep}' for a node without "
                        "edges)."
                    )
            row = {_csv_field(k): (v or "").strip() for k, v in row.items() if k}
            source, sink = row.pop("source"), row.pop("target")
            attributes = {k: v for k, v in row.items() if v}
            if not source and not sink and not attributes:  # an empty row, as Excel leaves
                continue
            if not source:
                raise GraphError(
                    f"{where} has no source node: {text!r}; write an edge as "
                    f"source{sep}target and a node without edges as 'name{sep}' (the name in "
                    "the source column)."
                )
            if not sink:
                if attributes:
                    raise GraphError(
                        f"{where} names node {source!r} without a target but gives edge "
                        f"attributes {attributes}: {text!r}; add the target, or leave the "
                        "attributes empty for a node without edges."
                    )
                graph.add_node(source)
                continue
            graph.add_edges_from([(source, sink, attributes)])
    return graph


def _csv_field(name: str) -> str:
    """A header field of an edge list as the reader keys it: ``source`` and ``target`` in
    any case, an attribute's name as written, without the spaces around it."""
    bare = name.strip()
    return bare.lower() if bare.lower() in ("source", "target") else bare


_READERS = {
    "gml": _read_gml,
    "graphml": _read_graphml,
    "dot": _read_dot,
    "json": _read_json,
    "csv": _read_csv,
    "dagitty": lambda path: _read_dagitty(path.read_text(encoding="utf-8-sig"), path),
}


def write_graph(graph: nx.DiGraph | Mapping, path: str | os.PathLike) -> None:
    """Write a causal graph to a file; the format follows the extension.

    Parameters
    ----------
    graph : networkx.DiGraph or dict
        The graph (or a mapping ``{node: [parents...]}``).
    path : str or pathlib.Path
        Destination with one of the extensions of :data:`GRAPH_FORMATS`. Nodes without
        edges are kept in every format (in CSV as a row ``name,``). Every format but JSON
        stores names as text; DOT quotes every name, so that names with ``:``, quotes,
        spaces or ``->`` read back unchanged. In GML, GraphML and DOT a node's ``label``
        attribute is written as its name, since :func:`read_graph` names nodes by labels.

        The file is written beside ``path`` under a temporary name and replaces
        ``path`` only once complete, so a failed write leaves an existing file as it was.

    Raises
    ------
    GraphError
        On an unknown extension; on a name that is neither text nor a number (a tuple of
        MultiIndex columns); on two nodes whose names read the same as text (``1``
        and ``"1"``); on a name a format cannot carry (in DOT a backslash
        before a quote, a line break or the end of the name, or a carriage return; in
        CSV an empty name or one with spaces around it; in GML an attribute name other
        than an ASCII letter followed by ASCII letters, digits or ``_``); on an attribute
        name the format keeps for itself (an edge's ``source`` or ``target`` in CSV, GML
        and JSON, a node's ``id`` in GML and JSON, an edge's ``key`` in JSON and DOT,
        ``name`` in DOT): the message names the node (or edge) and the attribute.

    See Also
    --------
    read_graph : The inverse.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> g = {"y": ["a"], "x": ["y", "c"]}
    >>> for name in ("g.gml", "g.graphml", "g.dot", "g.json", "g.csv"):
    ...     write_graph(g, folder / name)
    ...     assert sorted(read_graph(folder / name).edges()) == sorted(as_digraph(g).edges())
    >>> write_graph({"y": ["ratio:a/b", 'the "dose"']}, folder / "g.dot")
    >>> sorted(read_graph(folder / "g.dot").nodes())
    ['ratio:a/b', 'the "dose"', 'y']
    """
    path = Path(path)
    fmt = _format_of(path)
    g = as_digraph(graph)  # a copy
    for _, data in g.nodes(data=True):  # read_graph's note of a file's ids stays out
        data.pop(_FILE_ID, None)
    for node in g.nodes:
        if not isinstance(node, (str, numbers.Number)):
            raise GraphError(
                f"cannot write node {node!r} to {str(path)!r}: graph files hold names as "
                f"text or numbers, and a {type(node).__name__} would read back as text that "
                "no column of X matches. Give the columns (a MultiIndex: X.columns = "
                "['_'.join(map(str, c)) for c in X.columns]) and the nodes text names, or "
                "keep this graph in Python (pickle)."
            )
    _check_name_spellings(
        g,
        f"{fmt.upper()} stores names as text, so they would become one node: rename one."
        if fmt != "json" else "read_graph refuses such a file: rename one.",
    )
    _check_reserved_attributes(g, fmt, path)
    _check_writable_text(g, fmt, path)
    if fmt == "gml":
        _check_gml_keys(g, path)
    elif fmt == "csv":
        for node in g.nodes:
            if not str(node).strip() or str(node) != str(node).strip():
                raise GraphError(
                    f"cannot write node {node!r} to the edge list {str(path)!r}: the CSV reader "
                    "strips spaces around names and reads an empty name as a missing one. "
                    "Rename the node, or write the graph as .json, .graphml or .gml."
                )
    if fmt in ("csv", "dagitty"):
        _warn_of_unkept_attributes(g, fmt, path)
    with replaced_on_success(path) as partial:
        try:
            _write_format(g, fmt, partial)
        except GraphError as error:  # named by the file asked for, not the temporary one
            raise GraphError(str(error).replace(str(partial), str(path))) from None


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not in XML 1.0


def _check_writable_text(g: nx.DiGraph, fmt: str, path: Path) -> None:
    """Refuse node names that the text of ``fmt`` cannot hold, naming the node: a lone
    surrogate (text decoded with errors='surrogateescape') in the UTF-8 formats, where
    writing raised a raw UnicodeEncodeError, and control characters in GraphML, which
    XML 1.0 cannot hold and read_graph then refused as a broken file. (JSON escapes
    both; GML escapes them too.)"""
    if fmt in ("json", "gml"):
        return
    for node in g.nodes:
        text = str(node)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise GraphError(
                f"cannot write node {node!r} to {str(path)!r}: its name holds a character "
                "that is no Unicode text (a lone surrogate, as text decoded with "
                "errors='surrogateescape' holds for bytes it could not read). Decode the "
                "names with the file's encoding, or write the graph as .json."
            ) from None
        if fmt == "graphml" and _XML_ILLEGAL.search(text):
            raise GraphError(
                f"cannot write node {node!r} to the GraphML file {str(path)!r}: its name "
                "holds a control character that XML cannot hold, so it would not read "
                "back. Rename the node, or write the graph as .json."
            )


def _warn_of_unkept_attributes(g: nx.DiGraph, fmt: str, path: Path) -> None:
    """Warn, naming them, of the graph, node and edge attributes an edge list (which keeps
    edge attributes only) or a DAGitty model (its flags and positions, and edges' ``beta``
    and ``pos``) cannot keep."""
    if fmt == "csv":
        graph_keys, node_keys, edge_keys = set(), set(), None
    else:
        graph_keys, node_keys, edge_keys = {"dagitty", "bb"}, {*_DAGITTY_FLAGS, "pos"}, {
            "beta", "pos"}
    lost = {  # the graph's: a discovered graph's method and alpha
        "the graph's": sorted(set(g.graph) - graph_keys, key=str),
        "the nodes'": sorted({k for _, d in g.nodes(data=True) for k in d} - node_keys, key=str),
        "the edges'": [] if edge_keys is None else sorted(
            {k for _, _, d in g.edges(data=True) for k in d} - edge_keys, key=str),
    }
    shown = [f"{whose} {_preview(keys, 6)}" for whose, keys in lost.items() if keys]
    if not shown:
        return
    from ._warn import warn_user  # not at import: the command line's help stays light

    outcome = fmt == "csv" and any(_flag_set(d.get("outcome")) for _, d in g.nodes(data=True))
    target = (" Without the outcome flag, the file no longer names the target: pass it "
              "(target=, --target) where you use the file." if outcome else "")
    keeps = ("an edge list keeps the edges and their attributes only" if fmt == "csv" else
             "a DAGitty model keeps its kind and bounding box, the nodes' DAGitty flags and "
             "positions and the edges' beta and pos")
    warn_user(
        f"{str(path)!r} is written without {' and '.join(shown)} attributes: {keeps}."
        f"{target} Write the graph as .json (or .graphml, .gml) to keep them.",
        UserWarning,
    )


def _write_format(g: nx.DiGraph, fmt: str, path: Path) -> None:
    """Write ``g`` (checked by :func:`write_graph`) to ``path`` in the format ``fmt``."""
    if fmt == "gml":
        nx.write_gml(g, path, stringizer=str)
    elif fmt == "graphml":
        nx.write_graphml(_stringified(g), path)
    elif fmt == "dot":
        _write_dot(_stringified(g), path)
    elif fmt == "dagitty":
        _write_dagitty(g, path)
    elif fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        path.write_text(json.dumps(data, indent=2, default=_json_value) + "\n",
                        encoding="utf-8")
    else:
        keys = sorted({k for _, _, d in g.edges(data=True) for k in d})
        # a line starting with # reads as a comment: quote every field where a name does
        quote_all = any(str(node).startswith("#") for node in g.nodes)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
            writer.writerow(["source", "target", *keys])
            for u, v, d in g.edges(data=True):
                writer.writerow([u, v, *(d.get(k, "") for k in keys)])
            for node in nx.isolates(g):
                writer.writerow([node, "", *("" for _ in keys)])


def _json_value(value: Any) -> Any:
    """A value JSON has no type for: a numpy number as the number it holds (numpy's
    integers were written as text, so nodes named by them came back as '0', '1', and a
    graph mixing them with Python numbers named its edges' ends otherwise than its
    nodes); anything else as its text."""
    return value.item() if isinstance(value, np.generic) else str(value)


def _stringified(g: nx.DiGraph) -> nx.DiGraph:
    """A copy with string node names, attribute names and values (DOT and GraphML store
    text); a node's ``label``, which :func:`read_graph` takes for its name, is its name.
    Where every node has a ``name`` attribute and none a label, each gets its name as its
    label too: :func:`read_graph` takes such ``name`` attributes for the names where the
    ids look made up by a tool (``0``, ``n0``), which renamed the nodes of a round trip."""
    out = nx.DiGraph()
    # the graph's own attributes too (discovery's method, test, alpha, ...), where set
    out.graph.update({str(k): str(v) for k, v in g.graph.items() if v is not None})
    named = _label_key(g) == "name"
    out.add_nodes_from(
        (str(n), {**({"label": str(n)} if named else {}),
                  **{str(k): str(n) if k == "label" else str(v) for k, v in d.items()}})
        for n, d in g.nodes(data=True)
    )
    out.add_edges_from(
        (str(u), str(v), {str(k): str(w) for k, w in d.items()})
        for u, v, d in g.edges(data=True)
    )
    return out


_DOT_KEYWORDS = {"node", "edge", "graph", "digraph", "subgraph", "strict"}


def _dot_quoted(text: str, what: str) -> str:
    """``text`` as a quoted DOT ID that reads back unchanged, or a GraphError naming ``what``."""
    if re.search(r'\\(["\n]|$)|\r', text):
        raise GraphError(
            f"cannot write {what} to DOT: in {text!r} a backslash before a quote, a line break "
            "or the end of the text, or a carriage return, would not read back the same. "
            "Rename it, or write the graph as .graphml, .gml or .json."
        )
    return '"' + text.replace('"', '\\"') + '"'


def _write_dot(g: nx.DiGraph, path: Path) -> None:
    """Write ``g`` (text names and values, see :func:`_stringified`) as DOT, quoting every
    name and value so that it reads back unchanged."""

    def attributes(data: Mapping, what: str) -> str:
        pairs = [
            (k if re.fullmatch(r"[A-Za-z_]\w*", k, re.ASCII) and k.lower() not in _DOT_KEYWORDS
             else _dot_quoted(k, f"an attribute name of {what}"))
            + "=" + _dot_quoted(v, f"the {k!r} attribute of {what}")
            for k, v in data.items()
        ]
        return f" [{', '.join(pairs)}]" if pairs else ""

    lines = ["strict digraph {"]
    kept = {}  # the graph's own attributes (discovery's method, test, alpha, ...)
    for key, value in g.graph.items():
        try:  # those DOT cannot carry (a 'name', a value ending in a backslash) stay out
            if key != "name":  # pydot cannot read it back
                attributes({key: value}, "the graph")
                kept[key] = value
                continue
        except GraphError:
            pass
        logger.info("the graph's attribute %r is not written to DOT", key)
    if kept:
        lines.append(f"graph{attributes(kept, 'the graph')};")
    for node, data in g.nodes(data=True):
        what = f"node {node!r}"
        lines.append(f"{_dot_quoted(node, what)}{attributes(data, what)};")
    for u, v, data in g.edges(data=True):
        ends = f"{_dot_quoted(u, f'node {u!r}')} -> {_dot_quoted(v, f'node {v!r}')}"
        lines.append(f"{ends}{attributes(data, f'the edge {u!r} -> {v!r}')};")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


_GML_KEY = re.compile(r"[A-Za-z][0-9A-Za-z_]*")  # networkx.write_gml's rule for a key


# attribute names a format keeps for itself, which it would drop or not read back:
# (of the graph, of nodes, of edges)
_RESERVED = {
    "csv": ((), (), ("source", "target")),
    "gml": ((), ("id",), ("source", "target")),
    "json": ((), ("id",), ("source", "target", "key")),
    "dot": ((), ("name",), ("key",)),  # pydot cannot read 'name' back (the graph's: left out)
}


def _check_reserved_attributes(g: nx.DiGraph, fmt: str, path: Path) -> None:
    """Refuse, naming the owner and the attribute, an attribute name the format uses for
    itself (an edge attribute 'source' made a CSV header with two 'source' columns; a
    node's 'id' in GML and JSON was dropped without a word)."""
    if fmt not in _RESERVED:
        return
    kept = _RESERVED[fmt]
    owners = itertools.chain(
        [("the graph", g.graph, kept[0])],
        ((f"node {node!r}", data, kept[1]) for node, data in g.nodes(data=True)),
        ((f"the edge {u!r} -> {v!r}", data, kept[2]) for u, v, data in g.edges(data=True)),
    )
    for owner, data, names in owners:
        for key in data:
            # the CSV reader reads 'source' and 'target' in any case
            if (_csv_field(str(key)) if fmt == "csv" else key) in names:
                raise GraphError(
                    f"cannot write {owner} to the {fmt.upper()} file {str(path)!r}: its "
                    f"attribute {key!r} is a name {fmt.upper()} uses for itself, so it would "
                    f"not read back. Rename the attribute (e.g. to '{key}_'), or write the "
                    "graph as .graphml, which keeps any attribute name."
                )


def _check_gml_keys(g: nx.DiGraph, path: Path) -> None:
    """Refuse, naming the node (or edge) and the attribute, an attribute name GML cannot
    carry (networkx raises "... is not a valid key" halfway through the file)."""

    def bad_keys(data: Mapping) -> Iterator[Any]:
        for key, value in data.items():
            if not (isinstance(key, str) and _GML_KEY.fullmatch(key)):
                yield key
                continue
            # a dict is written as a nested GML list of its keys, a list as repeated keys
            inner = [value] if isinstance(value, Mapping) else (
                [v for v in value if isinstance(v, Mapping)]
                if isinstance(value, (list, tuple)) else []
            )
            for nested in inner:
                yield from (f"{key}.{k}" if isinstance(k, str) else k
                            for k in bad_keys(nested))

    owners = itertools.chain(
        [("the graph", g.graph)],
        ((f"node {node!r}", data) for node, data in g.nodes(data=True)),
        ((f"the edge {u!r} -> {v!r}", data) for u, v, data in g.edges(data=True)),
    )
    found = [(owner, key) for owner, data in owners for key in bad_keys(data)]
    if not found:
        return
    owner, key = found[0]
    ascii_key = unicodedata.normalize("NFKD", str(key)).encode("ascii", "ignore").decode()
    renamed = re.sub(r"[^0-9A-Za-z]+", "_", ascii_key).strip("_")
    example = f" (e.g. to {renamed!r})" if _GML_KEY.fullmatch(renamed) else ""
    more = f", and {len(found) - 1} more such attributes" if len(found) > 1 else ""
    raise GraphError(
        f"cannot write {owner} to the GML file {str(path)!r}: its attribute {key!r} is not "
        f"a valid GML key (an ASCII letter followed by ASCII letters, digits or "
        f"'_'){more}. Rename the attribute{example}, or write the graph as .graphml or "
        ".json, which keep any attribute name."
    )
