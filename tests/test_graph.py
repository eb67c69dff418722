"""Graph I/O, roles and validation: every bad graph is rejected naming the node or edge."""

from __future__ import annotations

import csv
import json
import re
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from skcama import CAMAClassifier, GraphError
from skcama.graph import (
    GRAPH_FORMATS,
    as_digraph,
    load_graph,
    markov_blanket_roles,
    node_roles,
    read_graph,
    resolve_given_graph,
    validate_dag,
    write_graph,
)

from conftest import FAST, simple_sem

GRAPHS = Path(__file__).resolve().parents[1] / "graphs"


@pytest.fixture
def graph():
    return simple_sem(0, n=20)[2]


@pytest.mark.parametrize("suffix", sorted(GRAPH_FORMATS))
def test_write_then_read_round_trips_every_format(graph, tmp_path, suffix):
    path = tmp_path / f"g{suffix}"
    write_graph(graph, path)
    back = read_graph(path)
    assert isinstance(back, nx.DiGraph)
    assert set(back.edges()) == set(graph.edges())
    assert markov_blanket_roles(back, "y") == markov_blanket_roles(graph, "y")


def test_json_keeps_integer_node_names(tmp_path):
    g = nx.DiGraph([("y", 0), ("y", 1)])
    write_graph(g, tmp_path / "g.json")
    assert set(read_graph(tmp_path / "g.json").edges()) == {("y", 0), ("y", 1)}


def test_json_keeps_numpy_integer_node_names_as_numbers(tmp_path):
    """numpy's integers were written as text ('0'), so a graph of a numpy X's positions
    came back naming no column, and one mixing them with Python numbers wrote a file
    read_graph refused."""
    g = nx.DiGraph([("y", j) for j in np.arange(2)])
    write_graph(g, tmp_path / "g.json")
    assert set(read_graph(tmp_path / "g.json").edges()) == {("y", 0), ("y", 1)}
    mixed = nx.DiGraph([(np.int64(0), np.int64(1)), (0.5, 1)])
    write_graph(mixed, tmp_path / "m.json")
    assert set(read_graph(tmp_path / "m.json").edges()) == {(0, 1), (0.5, 1)}


@pytest.mark.parametrize("ids", [[0, 1, 2], ["n0", "n1", "n2"]])
def test_graphml_keeps_the_ids_of_nodes_with_a_name_attribute(tmp_path, ids):
    """Nodes whose ids look made up by a tool and that carry a 'name' attribute came back
    named by that attribute: another graph."""
    g = nx.DiGraph([(ids[0], ids[2]), (ids[2], ids[1])])
    for node, name in zip(ids, ["age", "bnp", "dx"], strict=True):
        g.nodes[node]["name"] = name
    write_graph(g, tmp_path / "g.graphml")
    back = read_graph(tmp_path / "g.graphml")
    assert set(back.edges()) == {(str(ids[0]), str(ids[2])), (str(ids[2]), str(ids[1]))}
    assert back.nodes[str(ids[0])]["name"] == "age"


@pytest.mark.parametrize(("name", "suffix", "match"), [
    ("a\udc80", ".csv", "no Unicode text"), ("a\udc80", ".dot", "no Unicode text"),
    ("a\udc80", ".dagitty", "no Unicode text"), ("a\udc80", ".graphml", "no Unicode text"),
    ("a\x07", ".graphml", "control character that XML cannot hold"),
])
def test_names_a_format_cannot_hold_are_refused_naming_the_node(tmp_path, name, suffix, match):
    """A lone surrogate raised UnicodeEncodeError; a control character was written to
    GraphML, which read_graph then refused as a broken file."""
    with pytest.raises(GraphError, match=rf"cannot write node {re.escape(repr(name))} .*{match}"):
        write_graph(nx.DiGraph([(name, "y")]), tmp_path / f"g{suffix}")
    assert not (tmp_path / f"g{suffix}").exists()
    write_graph(nx.DiGraph([(name, "y")]), tmp_path / "g.json")  # JSON escapes both
    assert set(read_graph(tmp_path / "g.json").nodes) == {name, "y"}


def test_a_target_written_as_text_for_a_number_node_is_said_so():
    with pytest.raises(GraphError, match=r"'1' and the node 1 are the same text, one written "
                                         r"as a number and one as text"):
        node_roles(nx.DiGraph([(0, 1), (1, 2)]), "1")


def test_json_accepts_a_dict_of_parent_lists(tmp_path):
    (tmp_path / "g.json").write_text(json.dumps({"x": ["y", "c"], "y": ["a"]}))
    assert set(read_graph(tmp_path / "g.json").edges()) == {("y", "x"), ("c", "x"), ("a", "y")}


@pytest.mark.parametrize("data", [
    [["a", "y"], ["y", "x"]],
    {"edges": [["a", "y"], ["y", "x"]]},
    {"links": [{"source": "a", "target": "y", "weight": 2}, {"source": "y", "target": "x"}]},
    {"directed": True, "edges": [{"source": "a", "target": "y", "u_of_edge": 1},
                                 {"source": "y", "target": "x"}]},
])
def test_json_edge_lists_are_read_as_edges(tmp_path, data):
    (tmp_path / "g.json").write_text(json.dumps(data))
    graph = read_graph(tmp_path / "g.json")
    assert set(graph.edges()) == {("a", "y"), ("y", "x")}
    if isinstance(data, dict) and "links" in data:  # other keys: edge attributes
        assert graph.edges["a", "y"] == {"weight": 2}


def test_json_edge_list_with_an_end_that_is_not_a_name_is_refused(tmp_path):
    (tmp_path / "g.json").write_text(json.dumps({"edges": [["a", ["y", "x"]]]}))
    with pytest.raises(GraphError, match=r"the edge \['a', \['y', 'x'\]\] has the end"):
        read_graph(tmp_path / "g.json")
    (tmp_path / "g.json").write_text('[[NaN, "y"]]')  # Python's json reads NaN
    with pytest.raises(GraphError, match=r"the edge \[nan, 'y'\] has the end nan"):
        read_graph(tmp_path / "g.json")
    (tmp_path / "g.json").write_text(json.dumps({"directed": False, "edges": [["a", "y"]]}))
    with pytest.raises(GraphError, match='"directed": false'):
        read_graph(tmp_path / "g.json")


def test_load_graph_accepts_digraph_dict_str_and_path(graph, tmp_path):
    path = tmp_path / "g.gml"
    write_graph(graph, path)
    for spec in (graph, nx.to_dict_of_lists(graph.reverse()), str(path), path):
        assert set(load_graph(spec).edges()) == set(graph.edges())


def test_bundled_example_graphs_match_the_sem():
    from skcama.datasets import SyntheticSEM

    truth = SyntheticSEM(random_state=0).graph
    for suffix in sorted(set(GRAPH_FORMATS) - {".gv"}):
        g = read_graph(GRAPHS / f"sem_example{suffix}")
        assert set(g.edges()) == set(truth.edges()), suffix
    assert read_graph(GRAPHS / "sem_example.dagitty").nodes["y"]["outcome"] is True


def test_node_roles_shows_double_roles_and_outside(graph):
    g = graph.copy()
    g.add_edge("a", "x2")
    roles = node_roles(g, "y")
    assert roles == {
        "a": "parent+co-parent",
        "y": "target",
        "x1": "child",
        "x2": "child",
        "x3": "child",
        "c": "co-parent",
        "o": "outside",
        "w": "outside",
    }
    assert pd.Series(roles).loc["c"] == "co-parent"


# ------------------------------------------------------------------ validation errors
def test_cycle_is_rejected_and_printed():
    g = nx.DiGraph([("y", "x1"), ("x1", "x2"), ("x2", "y")])
    with pytest.raises(GraphError, match=r"cycle y -> x1 -> x2 -> y; CAMA needs"):
        validate_dag(g, "y")
    assert list(g.edges) == [("y", "x1"), ("x1", "x2"), ("x2", "y")]  # the caller's graph


def test_self_loop_is_rejected_naming_the_node():
    with pytest.raises(GraphError, match=r"self-loop on node 'x1'.*Remove the edge \('x1', 'x1'\)"):
        validate_dag(nx.DiGraph([("y", "x1"), ("x1", "x1")]), "y")


def _two_cycle(u: str, v: str) -> str:
    return (
        rf"the graph has a cycle {u} -> {v} -> {u}: '{u}' -> '{v}' and '{v}' -> '{u}' form a "
        r"cycle of two edges \(in a CPDAG or PAG from a discovery tool, an edge it could not "
        r"orient\)\. CAMA needs a directed acyclic graph"
    )


@pytest.mark.parametrize(
    "spec", [{"y": ["x"], "x": ["y"]}, nx.DiGraph([("y", "x"), ("x", "y")]), "g.json"]
)
def test_opposite_edges_are_a_cycle_of_two_edges(tmp_path, spec):
    if spec == "g.json":
        spec = tmp_path / "g.json"
        spec.write_text(json.dumps({"y": ["x"], "x": ["y"]}))
    with pytest.raises(GraphError, match=_two_cycle("y", "x")) as error:
        markov_blanket_roles(load_graph(spec), "y")
    assert "remove ('x', 'y') or ('y', 'x')" in str(error.value)


def test_opposite_edges_are_a_cycle_in_a_file_and_through_the_estimator(tmp_path):
    path = tmp_path / "cpdag.csv"
    path.write_text("source,target\ny,x1\nx1,c\nc,x1\n")
    with pytest.raises(GraphError, match=_two_cycle("x1", "c")):
        validate_dag(read_graph(path), "y")
    X = pd.DataFrame({"x1": [0.0, 1.0, 2.0, 3.0], "c": [1.0, 0.0, 1.0, 0.0]})
    with pytest.raises(GraphError, match=_two_cycle("x1", "c")):
        CAMAClassifier(graph=str(path), target="y").fit(X, [0, 1, 0, 1])


def test_opposite_edges_with_a_mark_are_reported_by_the_mark():
    g = nx.DiGraph([("y", "x1"), ("x1", "c")])
    g.add_edge("c", "x1", dir="none")
    with pytest.raises(GraphError, match=r"edge 'c' -> 'x1' is marked undirected \(dir='none'\)"):
        validate_dag(g, "y")


@pytest.mark.parametrize(
    "attributes, kind",
    [
        ({"dir": "none"}, "undirected"),
        ({"dir": "both"}, "bidirected"),
        ({"type": "<->"}, "bidirected"),
        ({"edge_type": "o-o"}, "undirected"),
        ({"undirected": "true"}, "undirected"),
    ],
)
def test_edges_marked_unoriented_in_a_file_are_rejected(tmp_path, attributes, kind):
    g = nx.DiGraph([("y", "x1")])
    g.add_edge("c", "x1", **attributes)
    path = tmp_path / "pag.dot"
    write_graph(g, path)
    with pytest.raises(GraphError, match=rf"edge 'c' -> 'x1' is marked {kind}"):
        validate_dag(read_graph(path), "y")


def test_csv_edge_type_column_marks_an_undirected_edge(tmp_path):
    path = tmp_path / "cpdag.csv"
    path.write_text("source,target,type\ny,x1,directed\nx1,x2,undirected\n")
    with pytest.raises(GraphError, match=r"edge 'x1' -> 'x2' is marked undirected"):
        validate_dag(read_graph(path), "y")


def test_missing_target_is_rejected_with_a_suggestion():
    with pytest.raises(GraphError, match=r"target 'Y' is not a node.*Did you mean 'y'"):
        validate_dag(nx.DiGraph([("y", "x1")]), "Y")


def test_undirected_graph_is_rejected(tmp_path):
    with pytest.raises(GraphError, match="undirected"):
        as_digraph(nx.Graph([("y", "x")]))
    path = tmp_path / "g.graphml"
    nx.write_graphml(nx.Graph([("y", "x")]), path)
    with pytest.raises(GraphError, match=r"g.graphml' is undirected"):
        read_graph(path)


def test_unknown_extension_and_missing_file_name_the_path(tmp_path):
    with pytest.raises(GraphError, match=r"extension '\.txt'"):
        read_graph(tmp_path / "g.txt")
    (tmp_path / "graph.gml").write_text("graph [ directed 1 ]")
    with pytest.raises(GraphError, match=r"'.*grahp.gml' does not exist.*graph.gml"):
        read_graph(tmp_path / "grahp.gml")


def test_csv_without_header_says_how_to_fix(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("a,y\ny,x\n")
    with pytest.raises(GraphError, match="source,target"):
        read_graph(path)


def test_dict_with_a_string_parent_list_names_the_node():
    with pytest.raises(GraphError, match=r"parents of node 'x'"):
        as_digraph({"x": "y"})


def test_none_as_parents_means_no_parents(tmp_path):
    g = as_digraph({"y": None, "x": ["y"]})
    assert list(g.nodes) == ["y", "x"] and list(g.edges) == [("y", "x")]
    assert markov_blanket_roles({"y": None, "x": ["y"]}, "y").children == ("x",)
    (tmp_path / "g.json").write_text('{"y": null, "x": ["y"]}')
    assert set(read_graph(tmp_path / "g.json").edges) == {("y", "x")}


def test_csv_saved_by_excel_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.csv"
    with open(path, "w", encoding="utf-8-sig") as handle:  # Excel's "CSV UTF-8"
        handle.write("source,target\na,y\ny,x\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert sorted(read_graph(path).edges) == [("a", "y"), ("y", "x")]


@pytest.mark.parametrize("suffix", sorted(GRAPH_FORMATS))
def test_every_format_reads_a_file_with_a_byte_order_mark(graph, tmp_path, suffix):
    path = tmp_path / f"g{suffix}"
    write_graph(graph, path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert set(read_graph(path).edges()) == set(graph.edges())


def test_json_of_parent_lists_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"y": ["a"], "x": ["y"]}), encoding="utf-8-sig")
    assert set(read_graph(path).edges()) == {("a", "y"), ("y", "x")}


# ------------------------------------ validation against data (through the estimator)
def test_graph_node_missing_from_data_gets_did_you_mean(sem_data):
    X, y, graph = sem_data
    with pytest.raises(ValueError, match=r"'x1'.*did you mean 'X1'"):
        CAMAClassifier(graph=graph, target="y", **FAST).fit(X.rename(columns={"x1": "X1"}), y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_data_columns_outside_the_graph_are_warned_once(sem_data):
    X, y, graph = sem_data
    extra = X.assign(patient_id=np.arange(len(X)))
    with pytest.warns(UserWarning, match=r"\['patient_id'\] are not nodes of the graph") as rec:
        CAMAClassifier(graph=graph, target="y", max_epochs=2, random_state=0).fit(extra, y)
    assert sum("not nodes of the graph" in str(w.message) for w in rec) == 1


def test_empty_blanket_is_rejected_naming_the_target(sem_data):
    X, y, _ = sem_data
    g = nx.DiGraph([("a", "c")])
    g.add_node("y")
    with pytest.raises(GraphError, match=r"target 'y' has no parents, co-parents or children"):
        CAMAClassifier(graph=g, target="y", **FAST).fit(X, y)


def test_read_graph_refuses_a_folder_and_a_non_path(tmp_path):
    with pytest.raises(GraphError, match="is a folder, not a graph file"):
        read_graph(tmp_path)
    with pytest.raises(GraphError, match="takes the path of a graph file, got int"):
        read_graph(5)


@pytest.mark.parametrize(
    "name, text, match",
    [
        ("bad.dot", "digraph { a -> ; }", "could not parse .* as a DOT graph"),
        ("empty.dot", "", "could not parse .* as a DOT graph"),
        ("two.dot", "digraph g1 { a -> b }\ndigraph g2 { c -> d }", "holds 2 DOT graphs"),
        ("edge.json", '{"nodes": [{"id": "a"}], "edges": [{"source": "a"}]}',
         "every edge needs a 'source' and a 'target'"),
        ("nodes.json", '{"nodes": 5}', "must be lists"),
        ("extra.csv", "source,target\na,y,x\n", "line 2 .* has more fields than the header"),
    ],
)
def test_malformed_graph_files_are_named(tmp_path, name, text, match):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(GraphError, match=match):
        read_graph(path)


def test_roles_need_a_target():
    with pytest.raises(GraphError, match="target is None"):
        markov_blanket_roles({"x": ["y"]}, None)
    with pytest.raises(GraphError, match="target is None"):
        node_roles({"x": ["y"]}, None)


# --------------------------------------------------- DOT subgraphs, quoting and ports
@pytest.mark.parametrize(
    "text, edges",
    [
        ("digraph { subgraph cluster0 { a -> b } b -> y }", {("a", "b"), ("b", "y")}),
        ("digraph { subgraph A { subgraph B { a -> b } c -> b } b -> y }",
         {("a", "b"), ("c", "b"), ("b", "y")}),
        ("digraph { {a -> c} -> y -> {p q} }",
         {("a", "c"), ("a", "y"), ("c", "y"), ("y", "p"), ("y", "q")}),
        ("digraph { subgraph s { edge [dir=back]; b -> a } a -> y }", {("a", "b"), ("a", "y")}),
        ('digraph { a:p1 -> y:n; "b":e -> y }', {("a", "y"), ("b", "y")}),
    ],
)
def test_dot_edges_inside_subgraphs_are_read(tmp_path, text, edges):
    path = tmp_path / "g.dot"
    path.write_text(text)
    g = read_graph(path)
    assert set(g.edges()) == edges
    assert set(g.nodes()) == {n for edge in edges for n in edge}


@pytest.mark.parametrize(
    "name",
    ["ratio:a/b", 'x"q', 'the "dose" (mg)', "a b", "a -> b", "é ü 血压", "1", "01", "-2.5",
     "node", "edge", "graph", "strict", "a\\b", "two\nlines", "<b>", "x;y", ""],
)
def test_dot_round_trips_names_exactly(tmp_path, name):
    g = nx.DiGraph([("y", name)])
    g.add_node("alone")
    g.add_edge("y", "w", note='say "hi": a -> b')
    path = tmp_path / "g.dot"
    write_graph(g, path)
    back = read_graph(path)
    assert set(back.nodes()) == {"y", name, "alone", "w"}
    assert set(back.edges()) == {("y", name), ("y", "w")}
    assert back.edges["y", "w"]["note"] == 'say "hi": a -> b'


@pytest.mark.parametrize("name", ["ends\\", 'a\\"b', "a\rb", "a\\\nb"])
def test_dot_refuses_names_it_cannot_carry(tmp_path, name):
    match = rf"cannot write node {re.escape(repr(name))} to DOT.*\.graphml"
    with pytest.raises(GraphError, match=match):
        write_graph(nx.DiGraph([("y", name)]), tmp_path / "g.dot")


# ------------------------------------------------------------------ edge direction marks
@pytest.mark.parametrize(
    "name, text",
    [
        ("back.dot", "digraph { a -> y; x -> y [dir=back] }"),
        ("tail.dot", "digraph { a -> y; x -> y [dir=both, arrowhead=none, arrowtail=normal] }"),
        ("default.dot", "digraph { a -> y; edge [dir=back]; x -> y }"),
        ("head.dot", "digraph { a -> y [dir=both, arrowtail=none, arrowhead=normal]; y -> x }"),
        ("back.csv", "source,target,type\na,y,-->\nx,y,<--\n"),
        ("back.json", json.dumps({"nodes": [{"id": "a"}, {"id": "y"}, {"id": "x"}],
                                  "edges": [{"source": "a", "target": "y"},
                                            {"source": "x", "target": "y", "type": "<--"}]})),
    ],
)
def test_edges_drawn_backwards_are_read_reversed(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    g = read_graph(path)
    assert set(g.edges()) == {("a", "y"), ("y", "x")}
    validate_dag(g, "y")  # the marks that reversed the edge are gone
    assert markov_blanket_roles(g, "y").children == ("x",)


def test_an_edge_and_its_reverse_drawn_backwards_are_a_cycle(tmp_path):
    path = tmp_path / "g.dot"
    path.write_text("digraph { y -> x; y -> x [dir=back] }")
    with pytest.raises(GraphError, match=_two_cycle("y", "x")):
        validate_dag(read_graph(path), "y")


@pytest.mark.parametrize(
    "tail, head, kind",
    [
        ("normal", "normal", "bidirected"),
        ("none", "none", "undirected"),
        ("odot", "normal", "partially directed, one end left unknown by the search"),
        ("odot", "odot", "undirected"),
    ],
)
def test_dot_arrow_shapes_that_leave_an_edge_unoriented_are_rejected(tmp_path, tail, head, kind):
    path = tmp_path / "pag.dot"
    path.write_text(f"digraph {{ y -> x [dir=both, arrowtail={tail}, arrowhead={head}] }}")
    shown = rf"dir='both', arrowtail='{tail}', arrowhead='{head}'"
    with pytest.raises(GraphError, match=rf"edge 'y' -> 'x' is marked {kind} \({shown}\)"):
        validate_dag(read_graph(path), "y")


def test_dot_arrow_shape_without_a_causal_reading_is_rejected(tmp_path):
    path = tmp_path / "g.dot"
    path.write_text("digraph { y -> x [arrowhead=diamond] }")
    with pytest.raises(GraphError, match=r"edge 'y' -> 'x' has arrow shapes .*arrowhead='diamond'"):
        validate_dag(read_graph(path), "y")


def test_an_edge_marked_backwards_in_memory_is_rejected_naming_it():
    g = nx.DiGraph([("a", "y")])
    g.add_edge("x", "y", dir="back")
    with pytest.raises(GraphError, match=r"edge 'x' -> 'y' is marked to point backwards "
                                         r"\(dir='back'\): it stands for 'y' -> 'x'"):
        validate_dag(g, "y")


def test_causal_learn_pydot_output_is_read_with_its_labels_and_arrows(tmp_path):
    pytest.importorskip("causallearn")
    from causallearn.graph.Edge import Edge
    from causallearn.graph.Endpoint import Endpoint
    from causallearn.graph.GeneralGraph import GeneralGraph
    from causallearn.graph.GraphNode import GraphNode
    from causallearn.utils.GraphUtils import GraphUtils

    a, y, x = nodes = [GraphNode("a"), GraphNode("y"), GraphNode("x")]
    dag = GeneralGraph(nodes)
    dag.add_edge(Edge(a, y, Endpoint.TAIL, Endpoint.ARROW))
    dag.add_edge(Edge(x, y, Endpoint.ARROW, Endpoint.TAIL))  # y -> x, written x -> y
    path = tmp_path / "cl.dot"
    path.write_text(GraphUtils.to_pydot(dag).to_string())
    g = read_graph(path)
    assert set(g.nodes()) == {"a", "y", "x"} and set(g.edges()) == {("a", "y"), ("y", "x")}
    assert markov_blanket_roles(g, "y").parents == ("a",)


# ------------------------------------------------------------------ node labels
LABELLED_GRAPHML = (
    '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
    '<key id="d0" for="node" attr.name="label" attr.type="string"/>'
    '<graph edgedefault="directed">{nodes}'
    '<edge source="n0" target="n1"/><edge source="n1" target="n2"/></graph></graphml>'
)


@pytest.mark.parametrize("suffix", [".dot", ".graphml"])
def test_nodes_are_named_by_their_labels_when_all_are_unique(tmp_path, suffix):
    path = tmp_path / f"g{suffix}"
    labels = ["a", "y", "x"]
    if suffix == ".dot":
        path.write_text("digraph { " + " ".join(f'n{i} [label="{name}"];'
                                                for i, name in enumerate(labels))
                        + " n0 -> n1; n1 -> n2 }")
    else:
        path.write_text(LABELLED_GRAPHML.format(nodes="".join(
            f'<node id="n{i}"><data key="d0">{name}</data></node>'
            for i, name in enumerate(labels))))
    g = read_graph(path)
    # the ids stay on the nodes, for the messages where a column is named by its id
    assert list(g.nodes(data=True)) == [("a", {"file_id": "n0"}), ("y", {"file_id": "n1"}),
                                        ("x", {"file_id": "n2"})]
    assert set(g.edges()) == {("a", "y"), ("y", "x")}
    X = pd.DataFrame({"n0": [0.0, 1.0, 2.0, 3.0], "n2": [1.0, 0.0, 1.0, 0.0]})
    with pytest.raises(GraphError, match=r"target 'n1' is not a node.*read_graph named the "
                                         r"file's nodes by their labels.*'n1' is 'y'"):
        CAMAClassifier(graph=g, target="n1").fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"not columns of X\. read_graph named the file's nodes "
                                         r"by their labels, not their ids \('n0' is 'a', "
                                         r"'n2' is 'x'\)"):
        CAMAClassifier(graph=g, target="y").fit(X, pd.Series([0, 1, 0, 1], name="y"))



@pytest.mark.parametrize("text", [
    'digraph { x1 [label="Age (years)"]; y [label="Outcome"]; x1 -> y }',  # display labels
    'digraph { 0 [label="1"]; 1 [label="0"]; 0 -> 1 }',  # labels that are ids: no swap
    "digraph { 0 [label=<x<sub>1</sub>>]; 1 [label=<y>]; 0 -> 1 }",  # HTML labels
])
def test_labels_that_are_display_text_leave_the_ids_as_names(tmp_path, text):
    path = tmp_path / "g.dot"
    path.write_text(text)
    g = read_graph(path)
    first, second = ("x1", "y") if "x1" in text else ("0", "1")
    assert set(g.edges()) == {(first, second)}

@pytest.mark.parametrize("text", ['digraph { n0 [label="y"]; n1 [label="y"]; n0 -> n1 }',
                                  'digraph { n0 [label="y"]; n0 -> n1 }'])
def test_ids_stay_names_when_labels_are_partial_or_repeated(tmp_path, text):
    path = tmp_path / "g.dot"
    path.write_text(text)
    g = read_graph(path)
    assert set(g.nodes()) == {"n0", "n1"} and g.nodes["n0"]["label"] == "y"
    reason = ("the label 'y' is on two nodes, 'n0' and 'n1'" if "n1 [" in text
              else "node 'n1' has no label")
    with pytest.raises(GraphError, match=r"target 'y' is not a node.*The nodes carry labels: "
                                         r"'n0' \(label 'y'\).*Node 'n0' has the label 'y'\. "
                                         r"They were not taken as the node names: "
                                         + re.escape(reason)):
        validate_dag(g, "y")


@pytest.mark.parametrize("suffix", [".dot", ".graphml", ".gml"])
def test_write_then_read_keeps_names_of_nodes_with_labels(tmp_path, suffix):
    g = nx.DiGraph([("a", "y"), ("y", "x")])
    nx.set_node_attributes(g, {"a": "A", "y": "Y", "x": "X"}, "label")
    write_graph(g, tmp_path / f"g{suffix}")
    assert set(read_graph(tmp_path / f"g{suffix}").edges()) == set(g.edges())


# ------------------------------------------------- dicts and JSON: names and parent lists
def test_a_name_written_as_number_and_as_text_is_rejected_naming_both(tmp_path):
    match = r"two nodes that read '1': 1 \(int\) and '1' \(str\)"
    with pytest.raises(GraphError, match=match + r".*write numbers in the parent lists as text"):
        as_digraph({"y": [1], "1": [], "x": ["y"]})
    path = tmp_path / "g.json"
    path.write_text('{"y": [1], "1": [], "x": ["y"]}')
    with pytest.raises(GraphError, match=match):
        read_graph(path)
    path.write_text(json.dumps({"nodes": [{"id": 1}, {"id": "1"}, {"id": "y"}],
                                "edges": [{"source": 1, "target": "y"}]}))
    with pytest.raises(GraphError, match=match + r".*the same way everywhere in '.*g.json'"):
        read_graph(path)
    with pytest.raises(GraphError, match=match + r".*CSV stores names as text"):
        write_graph(nx.DiGraph([(1, "y"), ("1", "y")]), tmp_path / "g.csv")
    with pytest.raises(GraphError, match=match + r".*read_graph refuses such a file"):
        write_graph(nx.DiGraph([(1, "y"), ("1", "y")]), tmp_path / "g.json")
    # a DiGraph given directly: to the roles and to fit
    with pytest.raises(GraphError, match=match + r".*Rename one of them"):
        markov_blanket_roles(nx.DiGraph([("y", 1), ("y", "1")]), "y")
    X = pd.DataFrame({"1": np.arange(20.0) % 3, "x": np.arange(20.0) % 5})
    with pytest.raises(GraphError, match=match):
        CAMAClassifier(graph=nx.DiGraph([("y", 1), ("y", "1"), ("y", "x")])).fit(
            X, np.arange(20) % 2
        )


@pytest.mark.parametrize("bad, shown", [(["a"], r"\['a'\]"), (None, "None"), ({"a"}, r"\{'a'\}")])
def test_a_parent_entry_that_is_no_node_name_names_the_node(bad, shown):
    with pytest.raises(GraphError, match=rf"parents of node 'x' hold {shown}, which is not a node "
                                         r"name: each entry of a parent list must be one node"):
        as_digraph({"x": ["y", bad]})


# ------------------------------------------------------------------ CSV edge lists
@pytest.mark.parametrize(
    "text, match",
    [
        ("source,target\na,b\nc\n", r"line 3 of '.*g.csv' has fewer fields than the header "
                                    r"\['source', 'target'\]: 'c'; write source,target"),
        ("source,target\n\na,b\n,d\n", r"line 4 of '.*g.csv' has no source node: ',d'"),
        ('source,target\n"two\nlines",b,x\n',
         r"""line 2 of .* more fields .*: '"two\\nlines",b,x'"""),
        ("source,target,type\nc,,directed\n", r"line 2 .* names node 'c' without a target but "
                                              r"gives edge attributes"),
        ("source,target,Source\na,b,c\n", r"names the column 'source' more than once"),
        (" target,source,TARGET\na,b,c\n", r"names the column 'target' more than once"),
    ],
)
def test_csv_errors_name_the_line_and_show_it(tmp_path, text, match):
    path = tmp_path / "g.csv"
    path.write_text(text)
    with pytest.raises(GraphError, match=match):
        read_graph(path)


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_csv_edge_list_separated_by_semicolons_or_tabs_is_read(tmp_path, delimiter):
    # as spreadsheets export a list where the decimal mark is a comma: source;target
    path = tmp_path / "g.csv"
    lines = [["source", "target", "note"], ["a", "y", "1,5"], ["y", "x", ""], ["c", "", ""]]
    path.write_text("".join(delimiter.join(line) + "\n" for line in lines))
    g = read_graph(path)
    assert list(g.nodes()) == ["a", "y", "x", "c"]
    assert list(g.edges(data=True)) == [("a", "y", {"note": "1,5"}), ("y", "x", {})]
    example = GRAPHS / "sem_example.csv"  # the example graph, rewritten with the delimiter
    rewritten = tmp_path / "example.csv"
    with example.open(newline="") as handle, rewritten.open("w", newline="") as out:
        csv.writer(out, delimiter=delimiter).writerows(csv.reader(handle))
    assert nx.utils.graphs_equal(read_graph(rewritten), read_graph(example))


@pytest.mark.parametrize(
    "text, match",
    [
        ("source|target\na|y\n", r"found \['source\|target'\]; the header line holds '\|' but "
                                  r"was split at ','\); write its first line as source,target "
                                  r"\(';' or a tab may take the place of ','"),
        ("source;target\na\n", r"line 2 .* fewer fields .*: 'a'; write source;target on every "
                               r"line \('name;' for a node without edges\)"),
        ("source\ttarget\n\tb\n", r"line 2 .* has no source node: '\\tb'; write an edge as "
                                  r"source<tab>target"),
        ("source;target\na;y;x\n", r"line 2 .* more fields .*: 'a;y;x'; quote values that "
                                   r"contain ';', the delimiter"),
    ],
    ids=["pipe", "semicolon-row-too-short", "tab-row-without-source", "semicolon-row-too-long"],
)
def test_csv_errors_name_the_delimiter_of_the_edge_list(tmp_path, text, match):
    path = tmp_path / "g.csv"
    path.write_text(text)
    with pytest.raises(GraphError, match=match):
        read_graph(path)


def test_csv_rows_without_target_are_nodes_without_edges(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("source,target\na,y\nc,\nnode,\n,\n")
    g = read_graph(path)
    assert list(g.nodes()) == ["a", "y", "c", "node"] and list(g.edges()) == [("a", "y")]
    g.add_edge("y", "x", type="directed")
    write_graph(g, tmp_path / "back.csv")
    back = read_graph(tmp_path / "back.csv")
    assert set(back.nodes()) == set(g.nodes()) and set(back.edges()) == set(g.edges())


def test_csv_writer_refuses_names_the_reader_would_change(tmp_path):
    with pytest.raises(GraphError, match=r"cannot write node ' a' to the edge list"):
        write_graph(nx.DiGraph([(" a", "y")]), tmp_path / "g.csv")


def test_a_graph_file_path_given_to_a_graph_function_points_to_load_graph():
    with pytest.raises(GraphError, match=r"read it first: skcama.graph.load_graph\(path\)"):
        node_roles("clinic.gml", "y")
    with pytest.raises(GraphError, match="load_graph"):
        markov_blanket_roles(Path("clinic.gml"), "y")


# ------------------------------------------- files other tools write: D3, '--', encodings
@pytest.mark.parametrize("key", ["links", "edges"])
def test_node_link_files_from_networkx_read_with_links_or_edges(tmp_path, key):
    g = nx.DiGraph([("âge", "y"), ("y", "x")])
    path = tmp_path / "g.json"
    path.write_text(json.dumps(nx.node_link_data(g, edges=key)), encoding="utf-8")
    assert set(read_graph(path).edges()) == set(g.edges())


@pytest.mark.parametrize("key", ["links", "edges"])
def test_d3_links_by_position_are_refused_naming_the_ends_and_the_fix(tmp_path, key):
    path = tmp_path / "d3.json"
    path.write_text(json.dumps({
        "nodes": [{"id": "age"}, {"id": "y"}, {"id": "x"}],
        key: [{"source": 0, "target": 1}, {"source": 1, "target": 2}],
    }))
    with pytest.raises(GraphError, match=rf"the {key} name nodes that are not in 'nodes': "
                       r"0, 1, 2\..*D3's.*position in 'nodes'.*'age' -> 'y'.*"
                       r'"source": "age", "target": "y".*networkx.node_link_data'):
        read_graph(path)


def test_node_link_edge_to_an_unlisted_node_is_refused_naming_it(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps({"nodes": [{"id": "a"}, {"id": "y"}],
                                "edges": [{"source": "a", "target": "y"},
                                          {"source": "y", "target": "z"}]}))
    with pytest.raises(GraphError, match=r"not in 'nodes': 'z'\. Add each node to 'nodes'"):
        read_graph(path)
    path.write_text(json.dumps({"nodes": [{"id": "a"}, {"id": "y"}],
                                "edges": [{"source": {"id": "a", "x": 1.5}, "target": "y"}]}))
    with pytest.raises(GraphError, match=r"does not name its source and target with a node id"):
        read_graph(path)


@pytest.mark.parametrize(
    "text, shown, fix",
    [
        ("digraph { a -> b; c -- b; }", r"the edge c -- b \(line 1\)", r"c -> b or b -> c"),
        ('digraph {\n "x 1" -> y;\n y -- "x 2":p1 }', r'the edge y -- "x 2" \(line 3\)',
         r'y -> "x 2" or "x 2" -> y'),
        ("digraph { a -- b -- c }", r"the edges a -- b \(line 1\), b -- c \(line 1\)",
         r"a -> b or b -> a, or drop it; the same for each"),
    ],
)
def test_dot_edge_drawn_with_two_dashes_in_a_digraph_is_refused_naming_it(
    tmp_path, text, shown, fix
):
    path = tmp_path / "g.dot"
    path.write_text(text)
    with pytest.raises(GraphError, match=rf"{shown} with '--' in a digraph.*Draw it as {fix}"):
        read_graph(path)


def test_dot_undirected_graph_names_its_edges_and_dashes_in_names_are_no_edges(tmp_path):
    path = tmp_path / "g.dot"
    path.write_text("graph { age -- diagnosis; diagnosis -- bnp; }")
    with pytest.raises(GraphError, match=r"is undirected.*age -- diagnosis \(line 1\), "
                       r"diagnosis -- bnp.*digraph.*age -> diagnosis or diagnosis -> age"):
        read_graph(path)
    path.write_text('digraph { "a -- b" -> c; /* c -- d */ c -> <x--y>; // d -- e\n}')
    assert set(read_graph(path).edges()) == {("a -- b", "c"), ("c", "<x--y>")}


NOT_UTF8 = {
    ".gml": 'graph [ directed 1 node [ id 0 label "âge" ] node [ id 1 label "y" ]\n'
            "edge [ source 0 target 1 ] ]\n",
    ".graphml": '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
                '<graph edgedefault="directed"><node id="âge"/><node id="y"/>\n'
                '<edge source="âge" target="y"/></graph></graphml>\n',
    ".dot": 'digraph {\n "âge" -> y }\n',
    ".json": '{"y": ["âge"]}\n',
    ".csv": "source,target\nâge,y\n",
}


@pytest.mark.parametrize("suffix", sorted(NOT_UTF8))
def test_a_graph_file_that_is_not_utf8_is_refused_saying_how_to_convert(tmp_path, suffix):
    path = tmp_path / f"g{suffix}"
    path.write_text(NOT_UTF8[suffix], encoding="utf-8")
    assert set(read_graph(path).edges()) == {("âge", "y")}
    path.write_text(NOT_UTF8[suffix], encoding="cp1252")  # as Windows' editors save it
    with pytest.raises(GraphError, match=r"is not UTF-8 text: byte 0xe2 at line \d+, column "
                       rf"\d+.*re-save it as UTF-8.*iconv -f cp1252 -t utf-8 in\{suffix}"):
        read_graph(path)


def test_utf16_graph_files_are_refused_and_graphml_declaring_its_encoding_is_read(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("source,target\na,y\n", encoding="utf-16")
    with pytest.raises(GraphError, match=r"not UTF-8 text: it starts with a UTF-16 byte-order "
                       r"mark.*iconv -f utf-16 -t utf-8"):
        read_graph(path)
    path = tmp_path / "g.graphml"
    text = NOT_UTF8[".graphml"].replace('"UTF-8"', '"ISO-8859-1"')
    path.write_text(text, encoding="latin-1")
    assert set(read_graph(path).edges()) == {("âge", "y")}


# ---- graphs as other tools write them: DAGitty, yEd, R's igraph, Cytoscape -------------

DAGITTY = """dag {
bb="0,0,1,1"
age [exposure,pos="0.1,0.1"]
"Body mass index" [pos="0.2,0.3"]
diabetes [outcome]
U [latent]
{ age "Body mass index" } -> diabetes -> hba1c
hba1c <- "Größe"
U -> age
}
"""


@pytest.mark.parametrize("suffix", [".dagitty", ".dot"])
def test_a_dagitty_model_is_read_with_its_flags(tmp_path, suffix):
    path = tmp_path / f"g{suffix}"
    path.write_text(DAGITTY, encoding="utf-8")
    g = read_graph(path)
    assert set(g.edges) == {("age", "diabetes"), ("Body mass index", "diabetes"),
                            ("diabetes", "hba1c"), ("Größe", "hba1c"), ("U", "age")}
    assert g.nodes["diabetes"]["outcome"] is True and g.nodes["U"]["latent"] is True
    assert g.nodes["age"] == {"exposure": True, "pos": "0.1,0.1"}
    assert g.graph["bb"] == "0,0,1,1"
    copy = tmp_path / "copy.dagitty"
    write_graph(g, copy)
    again = read_graph(copy)
    assert set(again.edges) == set(g.edges)
    assert dict(again.nodes(data=True)) == dict(g.nodes(data=True))


def test_a_dagitty_outcome_is_the_target_and_latent_nodes_are_not(tmp_path):
    path = tmp_path / "g.dagitty"
    path.write_text(DAGITTY, encoding="utf-8")
    columns = ["age", "Body mass index", "hba1c", "Größe"]
    _, target = resolve_given_graph(str(path), columns, None)
    assert target == "diabetes"
    # without the outcome flag, the latent node is still no candidate
    path.write_text(DAGITTY.replace("diabetes [outcome]", "diabetes"), encoding="utf-8")
    assert resolve_given_graph(str(path), columns, None)[1] == "diabetes"


@pytest.mark.parametrize("edge, match", [
    ("age <-> hba1c", r"draws age <-> hba1c \(line 3\), a bidirected edge.*drop it.*if it is "
                      r"a measured column, draw it: cause -> age; cause -> hba1c"),
    ("age -- hba1c", r"draws age -- hba1c \(line 3\), an edge without one direction"),
    ("age @-> hba1c", r"draws age @-> hba1c \(line 3\)"),
    ("age -> hba1c -", r"'-' at line 3 is not part of DAGitty's syntax"),
    ("age [pos=", r"expected id at line 4, found '}'"),
])
def test_a_dagitty_model_without_one_direction_is_refused_naming_the_line(tmp_path, edge, match):
    path = tmp_path / "g.dagitty"
    path.write_text(f"dag {{\ndiabetes [outcome]\n{edge}\n}}\n", encoding="utf-8")
    with pytest.raises(GraphError, match=match):
        read_graph(path)


def test_dagitty_edge_settings_stay_with_the_edge(tmp_path):
    path = tmp_path / "g.dagitty"
    path.write_text('dag {\nZ [adjusted,pos="-0.3,-0.1"]\nA -> Z [beta="-0.2",pos="-0.8,-1.0"]'
                    "\nZ -> D [beta=-.5]\n}\n")
    g = read_graph(path)
    assert g.nodes["Z"] == {"adjusted": True, "pos": "-0.3,-0.1"}
    assert g.edges["A", "Z"] == {"beta": "-0.2", "pos": "-0.8,-1.0"}
    assert g.edges["Z", "D"] == {"beta": "-.5"}
    write_graph(g, tmp_path / "copy.dagitty")
    again = read_graph(tmp_path / "copy.dagitty")
    assert dict(again.edges.items()) == dict(g.edges.items())


def test_an_html_label_that_starts_like_an_arrow_is_no_arrow(tmp_path):
    path = tmp_path / "g.dot"
    path.write_text('digraph {\ny -> x1;\nx1 [label=<-log<SUB>10</SUB> p>];\ny -> x2;\n}\n')
    assert set(read_graph(path).edges) == {("y", "x1"), ("y", "x2")}


@pytest.mark.parametrize("text, match", [
    ("digraph { age -> diabetes; age <-> hba1c }",
     r"draws age <-> hba1c \(line 1\), DAGitty's bidirected edge.*\.dagitty"),
    ("digraph {\nage -> diabetes\nhba1c <- diabetes\n}",
     r"draws hba1c <- diabetes \(line 3\).*write diabetes -> hba1c"),
])
def test_dot_refuses_dagitty_arrows_instead_of_losing_the_edge(tmp_path, text, match):
    path = tmp_path / "g.dot"
    path.write_text(text)
    with pytest.raises(GraphError, match=match):
        read_graph(path)


def _yed(path: Path, labels: list, arrows: list) -> None:
    """A GraphML file as yEd writes it: node labels in y:NodeLabel, arrows in y:Arrows."""
    nodes = "".join(
        f'<node id="n{i}"><data key="d6"><y:ShapeNode>'
        + (f"<y:NodeLabel>{label}</y:NodeLabel>" if label is not None
           else '<y:NodeLabel hasText="false"/>')
        + "</y:ShapeNode></data></node>"
        for i, label in enumerate(labels)
    )
    edges = "".join(
        f'<edge id="e{k}" source="n{u}" target="n{v}"><data key="d10"><y:PolyLineEdge>'
        f'<y:Arrows source="{tail}" target="{head}"/></y:PolyLineEdge></data></edge>'
        for k, (u, v, tail, head) in enumerate(arrows)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:y="http://www.yworks.com/xml/graphml">'
        '<key for="node" id="d6" yfiles.type="nodegraphics"/>'
        '<key for="edge" id="d10" yfiles.type="edgegraphics"/>'
        f'<graph edgedefault="directed" id="G">{nodes}{edges}</graph></graphml>',
        encoding="utf-8",
    )


def test_yed_edges_are_read_as_drawn(tmp_path):
    path = tmp_path / "g.graphml"
    _yed(path, ["age", "diabetes", "hba1c"],
         [(0, 1, "none", "standard"), (2, 1, "standard", "none")])
    g = read_graph(path)
    assert set(g.edges) == {("age", "diabetes"), ("diabetes", "hba1c")}
    assert all("dir" not in data for _, _, data in g.edges(data=True))


@pytest.mark.parametrize("tail, head, drawn", [
    ("standard", "standard", "with arrows at both ends"),
    ("none", "none", "without arrows"),
    ("none", "diamond", "with the arrow shapes 'none' and 'diamond'"),
])
def test_yed_edges_without_one_direction_are_refused_by_their_labels(tmp_path, tail, head,
                                                                     drawn):
    path = tmp_path / "g.graphml"
    _yed(path, ["age", "diabetes"], [(0, 1, tail, head)])
    with pytest.raises(GraphError, match=f"edge between 'age' and 'diabetes' {re.escape(drawn)}"
                                         r".*Properties > Arrows"):
        read_graph(path)


def test_a_yed_feedback_pair_drawn_as_two_edges_is_a_cycle(tmp_path):
    # both edges stored insulin -> glucose, the second drawn backwards
    path = tmp_path / "g.graphml"
    _yed(path, ["insulin", "glucose", "diagnosis"],
         [(0, 1, "none", "standard"), (0, 1, "standard", "none"), (2, 1, "none", "standard")])
    g = read_graph(path)
    assert {("insulin", "glucose"), ("glucose", "insulin")} <= set(g.edges)
    with pytest.raises(GraphError, match="cycle"):
        validate_dag(g, "diagnosis")
    for ids in ('id="0"', 'id="1"'), ("", ""):  # ids networkx reads as numbers, or none
        _yed(path, ["insulin", "glucose", "diagnosis"], [
            (0, 1, "none", "standard"), (0, 1, "standard", "none"), (2, 1, "none", "standard")])
        text = path.read_text().replace('id="e0"', ids[0]).replace('id="e1"', ids[1])
        assert ids[0] in text and 'id="e0"' not in text
        path.write_text(text)
        assert {("insulin", "glucose"), ("glucose", "insulin")} <= set(read_graph(path).edges)


def _yed_gml(path: Path, arrows: list) -> None:
    """A GML file as yEd's "Save as GML" writes it: arrows in each edge's graphics."""
    nodes = "".join(f'node [ id {i} label "{name}" ]\n'
                    for i, name in enumerate(["Age (years)", "diagnosis", "HbA1c"]))
    edges = "".join(
        f"edge [ source {u} target {v} graphics [ fill \"#000000\" "
        + "".join(f'{end}Arrow "{shape}" ' for end, shape in marks.items())
        + "] ]\n"
        for u, v, marks in arrows
    )
    path.write_text(f'Creator "yFiles"\nVersion "2.22"\ngraph [ directed 1\n{nodes}{edges}]\n')


def test_yed_gml_edges_are_read_as_drawn(tmp_path):
    path = tmp_path / "g.gml"
    _yed_gml(path, [(0, 1, {"target": "standard"}), (2, 1, {"source": "standard"})])
    g = read_graph(path)
    assert set(g.edges) == {("Age (years)", "diagnosis"), ("diagnosis", "HbA1c")}
    assert node_roles(g, "diagnosis")["HbA1c"] == "child"
    write_graph(g, tmp_path / "again.gml")  # the arrows follow the reversed edge
    assert set(read_graph(tmp_path / "again.gml").edges) == set(g.edges)
    _yed_gml(path, [(0, 1, {"target": "standard"}), (2, 1, {})])  # no arrow at all
    with pytest.raises(GraphError, match="edge between 'HbA1c' and 'diagnosis' without "
                                         "arrows"):
        read_graph(path)


def test_yed_groups_are_read_without_their_box_and_nested_graphs_lose_nothing(tmp_path):
    graphml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:y="http://www.yworks.com/xml/graphml">'
        '<key for="node" id="d6" yfiles.type="nodegraphics"/>'
        '<key for="node" id="d7" attr.name="yfiles.foldertype" attr.type="string"/>'
        '<graph edgedefault="directed" id="G">{box}'
        '<node id="n1"><data key="d6"><y:ShapeNode><y:NodeLabel>diagnosis</y:NodeLabel>'
        '</y:ShapeNode></data></node>'
        '<edge id="e0" source="n1" target="n0::n0"/><edge id="e1" source="n1" '
        'target="n0::n1"/>{inner}</graph></graphml>'
    )
    inside = ''.join(f'<node id="n0::n{i}"><data key="d6"><y:ShapeNode><y:NodeLabel>{name}'
                     '</y:NodeLabel></y:ShapeNode></data></node>'
                     for i, name in enumerate(["HbA1c", "CRP"]))
    path = tmp_path / "g.graphml"
    path.write_text(graphml.format(
        box=f'<node id="n0" yfiles.foldertype="group"><data key="d7">group</data>'
            f'<graph edgedefault="directed" id="n0:">{inside}</graph></node>', inner=""))
    g = read_graph(path)
    assert sorted(g.nodes) == ["CRP", "HbA1c", "diagnosis"]
    assert set(g.edges) == {("diagnosis", "HbA1c"), ("diagnosis", "CRP")}
    # a nested graph networkx does not read whole (a plain one, here with an edge inside)
    path.write_text(graphml.format(
        box=f'<node id="n0"><graph edgedefault="directed" id="n0:">{inside}'
            '<edge source="n0::n0" target="n0::n1"/></graph></node>', inner=""))
    with pytest.raises(GraphError, match=r"draws nodes inside groups or folders \(nested graphs "
                                         r"in \['n0'\]\), and reading them lost edges.*Ungroup"):
        read_graph(path)


@pytest.mark.parametrize("header, marks", [
    ("source,target,direction", ["->", "<-", "undirected"]),
    ("Source,Target,Edge Type", ["directed", "<--", "undirected"]),
])
def test_an_edge_lists_mark_column_is_read_whatever_its_header(tmp_path, header, marks):
    path = tmp_path / "g.csv"
    rows = [("Age", "diagnosis"), ("HbA1c", "diagnosis"), ("smoking", "HbA1c")]
    path.write_text(header + "\n" + "".join(f"{u},{v},{m}\n"
                                            for (u, v), m in zip(rows, marks, strict=True)))
    g = read_graph(path)
    assert g.has_edge("diagnosis", "HbA1c") and not g.has_edge("HbA1c", "diagnosis")
    with pytest.raises(GraphError, match="the edge 'smoking' -> 'HbA1c' is marked undirected"):
        validate_dag(g, "diagnosis")


def test_columns_that_only_look_like_marks_leave_the_edges_as_written(tmp_path):
    # a comment of "--" and an effect's sign "-" under "direction" are no edge marks
    path = tmp_path / "g.csv"
    path.write_text("source,target,comment,direction\nAge,diagnosis,--,+\n"
                    "diagnosis,HbA1c,note,-\n")
    g = read_graph(path)
    assert set(g.edges) == {("Age", "diagnosis"), ("diagnosis", "HbA1c")}
    validate_dag(g, "diagnosis")
    validate_dag(nx.DiGraph([("a", "y", {"label": "--"})]), "y")  # in memory too


def test_a_yed_node_without_text_is_no_node_named_none(tmp_path):
    path = tmp_path / "g.graphml"
    _yed(path, ["age", None, "diabetes"], [(0, 2, "none", "standard"), (1, 2, "none", "standard")])
    g = read_graph(path)
    assert set(g.nodes) == {"n0", "n1", "n2"}
    with pytest.raises(GraphError, match="They were not taken as the node names: node 'n1' has "
                                         "no label"):
        validate_dag(g, "diabetes")


@pytest.mark.parametrize("text, problem", [
    ('digraph { bmi [label="Body mass index"]; t2d [label="diabetes"]; bmi -> t2d }',
     "the id 'bmi' is a name"),
    ('digraph { n0 [label="Body mass index "]; n1 [label="diabetes"]; n0 -> n1 }',
     "the label of node 'n0', 'Body mass index ', has spaces around it"),
])
def test_the_label_hint_gives_the_reason_the_labels_are_not_the_names(tmp_path, text, problem):
    path = tmp_path / "g.dot"
    path.write_text(text)
    g = read_graph(path)
    node = "t2d" if "t2d" in text else "n1"
    with pytest.raises(GraphError) as error:
        validate_dag(g, "diabetes")
    message = str(error.value)
    assert f"Node {node!r} has the label 'diabetes'" in message and problem in message
    assert "nx.relabel_nodes" in message and "pass target=" not in message.lower()
    with pytest.raises(GraphError, match=re.escape(problem)):  # also when no target is given
        resolve_given_graph(g, ["Body mass index"], None)


def test_igraph_files_name_their_nodes_by_name(tmp_path):
    gml = tmp_path / "g.gml"
    gml.write_text('graph [ directed 1 node [ id 0 name "age" ] node [ id 1 name "diabetes" ] '
                   "edge [ source 0 target 1 ] ]")
    graphml = tmp_path / "g.graphml"
    graphml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/'
        'xmlns"><key id="v_name" for="node" attr.name="name" attr.type="string"/>'
        '<graph id="G" edgedefault="directed"><node id="n0"><data key="v_name">age</data></node>'
        '<node id="n1"><data key="v_name">diabetes</data></node>'
        '<edge source="n0" target="n1"/></graph></graphml>'
    )
    for path in (gml, graphml):
        assert list(read_graph(path).edges) == [("age", "diabetes")], path.suffix



def test_gml_nodes_named_by_numbers_are_named_by_text_as_in_the_other_formats(tmp_path):
    """igraph without names (ids alone) and an unquoted label gave int nodes, which no
    column of a table read from a file matches."""
    ids = tmp_path / "ids.gml"
    ids.write_text("graph [ directed 1 node [ id 0 ] node [ id 1 ] node [ id 2 ] "
                   "edge [ source 0 target 2 ] edge [ source 1 target 2 ] ]")
    assert set(read_graph(ids).edges) == {("0", "2"), ("1", "2")}
    unquoted = tmp_path / "unquoted.gml"
    unquoted.write_text('graph [ directed 1 node [ id 0 label 5 ] node [ id 1 label "y" ] '
                        "edge [ source 0 target 1 ] ]")
    assert list(read_graph(unquoted).edges) == [("5", "y")]
    both = tmp_path / "both.gml"
    both.write_text('graph [ directed 1 node [ id 0 label 5 ] node [ id 1 label "5" ] '
                    "edge [ source 0 target 1 ] ]")
    with pytest.raises(GraphError, match=r"both by the number and by the text \['5'\]"):
        read_graph(both)


def test_a_json_parent_list_may_have_a_node_called_nodes(tmp_path):
    """The number of positive lymph nodes, 'nodes': a parent list with that key was read
    as networkx node-link data and refused."""
    path = tmp_path / "gbsg.json"
    for data, edges in [
        ({"age": [], "nodes": ["age"], "grade": [], "recurrence": ["nodes", "grade"]},
         {("age", "nodes"), ("nodes", "recurrence"), ("grade", "recurrence")}),
        ({"nodes": [], "recurrence": ["nodes"]}, {("nodes", "recurrence")}),
    ]:
        path.write_text(json.dumps(data))
        assert set(read_graph(path).edges) == edges
    # networkx's own data, with nodes or without, is still node-link data
    for graph in (nx.DiGraph([("a", "y")]), nx.DiGraph()):
        write_graph(graph, path)
        assert set(read_graph(path).edges) == set(graph.edges)

def test_json_from_cytoscape_and_networkx_adjacency_data(tmp_path):
    g = nx.DiGraph([("age", "diabetes"), ("diabetes", "hba1c")])
    exported = {"format_version": "1.0", "elements": {
        "nodes": [{"data": {"id": str(100 + i), "name": n}} for i, n in enumerate(g.nodes)],
        "edges": [{"data": {"id": "e0", "source": "100", "target": "101"}},
                  {"data": {"id": "e1", "source": "101", "target": "102"}}]}}
    for name, data in [("cytoscape", exported), ("nx_cytoscape", nx.cytoscape_data(g)),
                       ("adjacency", nx.adjacency_data(g))]:
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data))
        assert set(read_graph(path).edges) == set(g.edges), name


def test_a_dict_of_dicts_is_not_read_as_parent_lists():
    with pytest.raises(GraphError, match=r"parents of node 'x' must be a list of node names, "
                                         r"got an object"):
        as_digraph({"x": {"a": 1}})


def test_names_that_differ_only_in_unicode_normalisation_are_named_so():
    import unicodedata

    X, y, _ = simple_sem(0)
    composed = "Größe"
    decomposed = unicodedata.normalize("NFD", composed)
    X = X.rename(columns={"c": composed})
    graph = nx.DiGraph([("a", "y"), (decomposed, "x1"), ("y", "x1")])
    with pytest.raises(ValueError, match="look alike but encode their accented letters "
                                         "differently"):
        CAMAClassifier(graph=graph, target="y", max_epochs=1).fit(X, y)


def test_the_label_hint_of_a_graph_built_in_python_says_it_was_not_read_from_a_file():
    graph = nx.DiGraph([("n0", "n1")])
    nx.set_node_attributes(graph, {"n0": "age", "n1": "y"}, "label")
    with pytest.raises(GraphError, match=r"Node 'n1' has the label 'y'.*only in the DOT and "
                                         r"GraphML files it reads, and this graph did not"):
        validate_dag(graph, "y")


def test_roles_repr_stays_readable_on_a_wide_graph():
    """Up to 12 nodes a role is shown whole; beyond, its first ten and its count; the
    children's parents (in the attribute) are left out of the repr."""
    small = markov_blanket_roles(nx.DiGraph([("a", "y"), ("y", "x"), ("c", "x")]), "y")
    assert repr(small) == ("MarkovBlanketRoles(target='y', parents=('a',), coparents=('c',), "
                           "children=('x',), outside=())")
    wide = markov_blanket_roles(nx.DiGraph([("y", f"x{i:02d}") for i in range(60)]), "y")
    text = repr(wide)
    assert "children=('x00', 'x01', " in text and "'x09', ... 60 in all)" in text
    assert "'x10'" not in text and len(text) < 250
    assert len(wide.children) == 60  # the attribute keeps every node


@pytest.mark.parametrize("suffix", [".gml", ".graphml", ".dot", ".json", ".csv", ".dagitty"])
def test_a_failed_write_leaves_the_existing_file_as_it_was(tmp_path, suffix, monkeypatch):
    """Every format is written beside the file and replaces it only once complete."""
    from skcama import graph as graph_module

    path = tmp_path / f"g{suffix}"
    write_graph({"y": ["a"], "x": ["y"]}, path)
    before = path.read_bytes()

    def half_written(g, fmt, partial):
        partial.write_text("half a graph")
        raise OSError("disk full")

    monkeypatch.setattr(graph_module, "_write_format", half_written)
    with pytest.raises(OSError, match=rf"cannot write '.*g\{suffix}': disk full"):
        write_graph({"y": ["a"], "x": ["y", "z"]}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_write_through_a_link_keeps_the_link_the_mode_and_other_files(tmp_path):
    import stat
    from concurrent.futures import ThreadPoolExecutor

    real, link = tmp_path / "real.gml", tmp_path / "link.gml"
    write_graph({"y": ["a"]}, real)
    real.chmod(0o640)
    link.symlink_to(real)
    (tmp_path / "link.gml.partial").write_text("a file of the user's")
    write_graph({"y": ["a"], "x": ["y"]}, link)
    assert link.is_symlink() and set(read_graph(real).nodes) == {"a", "y", "x"}
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert (tmp_path / "link.gml.partial").read_text() == "a file of the user's"
    with ThreadPoolExecutor(4) as pool:  # writers of one path do not meet
        list(pool.map(lambda k: write_graph({"y": ["a"], f"x{k}": ["y"]}, real), range(8)))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "link.gml", "link.gml.partial", "real.gml"
    ]
    long = tmp_path / f"{'n' * 230}.gml"  # a valid name, however long the temporary one
    write_graph({"y": ["a"]}, long)
    assert set(read_graph(long).nodes) == {"a", "y"}


def test_a_gml_key_networkx_refuses_names_the_node_and_leaves_the_file(tmp_path):
    path = tmp_path / "g.gml"
    write_graph({"y": ["a"], "x": ["y"]}, path)
    before = path.read_bytes()
    g = nx.DiGraph([("a", "y"), ("y", "x"), ("y", "x2")])
    g.nodes["x2"]["lab value (mg/dl)"] = 3.0
    with pytest.raises(GraphError, match=r"cannot write node 'x2' to the GML file .*its "
                                         r"attribute 'lab value \(mg/dl\)' is not a valid GML "
                                         r"key.*Rename the attribute \(e\.g\. to "
                                         r"'lab_value_mg_dl'\), or write the graph as \.graphml "
                                         r"or \.json"):
        write_graph(g, path)
    assert path.read_bytes() == before
    g.nodes["x2"].clear()
    g.edges["y", "x"][5] = 1
    with pytest.raises(GraphError, match=r"cannot write the edge 'y' -> 'x' .*its attribute 5 "
                                         r"is not a valid GML key"):
        write_graph(g, path)
    assert path.read_bytes() == before
    g.edges["y", "x"].clear()
    g.graph["run"] = {"n rows": 3}  # a nested key, checked too
    with pytest.raises(GraphError, match=r"cannot write the graph .*'run\.n rows'"):
        write_graph(g, path)
    g.graph["run"] = [{"n rows": 3}]  # and one in a list of dicts
    with pytest.raises(GraphError, match=r"cannot write the graph .*'run\.n rows'"):
        write_graph(g, path)
    g.graph["run"] = {"Ünit": "mg"}  # an ASCII example for a non-ASCII letter
    with pytest.raises(GraphError, match=r"'run\.Ünit' is not a valid GML key \(an ASCII "
                                         r"letter.*\(e\.g\. to 'run_Unit'\)"):
        write_graph(g, path)
    assert [p.name for p in tmp_path.iterdir()] == ["g.gml"]
    # the formats that keep any attribute name read it back
    g.graph.clear()
    g.nodes["x2"]["lab value (mg/dl)"] = 3.0
    write_graph(g, tmp_path / "g.graphml")
    assert read_graph(tmp_path / "g.graphml").nodes["x2"]["lab value (mg/dl)"] == "3.0"


def test_dagitty_flags_survive_the_other_formats_and_name_the_target(tmp_path):
    """GML writes a flag as 1 and GraphML and DOT as "True": read back, the outcome still
    names the target, and DAGitty written from them marks it again."""
    from skcama.graph import read_graph, write_graph

    graph = nx.DiGraph([("a", "dx"), ("dx", "x"), ("u", "x")])
    graph.nodes["dx"]["outcome"] = True
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"a": rng.normal(size=200), "x": y + rng.normal(size=200),
                      "u": rng.normal(size=200)})
    for suffix in ("gml", "graphml", "dot", "json", "dagitty"):
        path = tmp_path / f"g.{suffix}"
        write_graph(graph, path)
        clf = CAMAClassifier(graph=str(path), max_epochs=1).fit(X, y)
        assert clf.target_ == "dx", suffix
        write_graph(read_graph(path), tmp_path / "out.dagitty")
        assert re.search(r"dx \[outcome", (tmp_path / "out.dagitty").read_text()), suffix


def test_an_unmeasured_child_with_measured_children_gets_the_right_advice():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 100)
    X = pd.DataFrame({"age": rng.normal(size=100), "pain": y + rng.normal(size=100)})
    graph = nx.DiGraph([("age", "dx"), ("dx", "U"), ("U", "pain")])
    graph.nodes["U"]["latent"] = True
    with pytest.raises(ValueError, match=r"marks \['U'\] latent.*\('U' -> \['pain'\]\), "
                                         r"removing it alone would take those out of the "
                                         r"blanket: connect the target to them directly "
                                         r"\('dx' -> 'pain'\)"):
        CAMAClassifier(graph=graph, target="dx", max_epochs=1).fit(X, y)
    # removing it alone leaves the target without children: a warning says so
    graph.remove_node("U")
    with pytest.warns(UserWarning, match=r"the target 'dx' has no children in the graph, "
                                         r"only parents \['age'\]"):
        CAMAClassifier(graph=graph, target="dx", max_epochs=1).fit(X, y)


def test_graph_messages_name_what_the_user_wrote(tmp_path):
    from skcama.graph import write_graph

    # a refused write names the file asked for, not the temporary one, and leaves none
    with pytest.raises(GraphError, match=re.escape(f"{str(tmp_path / 'g.dagitty')!r}")):
        write_graph(nx.DiGraph([("dx", 'pain "VAS"')]), tmp_path / "g.dagitty")
    assert list(tmp_path.iterdir()) == []
    # a PAG's o-> is partially directed, not bidirected
    graph = nx.DiGraph([("a", "y"), ("y", "x")])
    graph.edges["a", "y"]["type"] = "o->"
    with pytest.raises(GraphError, match=r"'a' -> 'y' is marked partially directed"):
        CAMAClassifier(graph=graph, target="y").fit(pd.DataFrame({"a": [0.0, 1.0],
                                                                  "x": [1.0, 0.0]}), [0, 1])


def test_small_graph_messages_say_what_is_wrong():
    X = pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) ** 2})
    y = np.arange(50) % 2
    with pytest.raises(GraphError, match=r"hold None.*e\.g\. \{'a': \['age', 'sex'\]\}"):
        CAMAClassifier(graph={"a": ["dx", None]}, target="dx").fit(X, y)
    with pytest.raises(GraphError, match=r"the graph file's path is empty"):
        CAMAClassifier(graph="", target="dx").fit(X, y)
    with pytest.raises(GraphError, match=r"not a node of the graph \(it has no nodes\)"):
        CAMAClassifier(graph={}, target="dx").fit(X, y)


@pytest.mark.parametrize("node, column, shown", [
    ("s\u0430lt", "salt", r"'\u0430' \(U\+0430 CYRILLIC SMALL LETTER A\) against 'a' "
                          r"\(U\+0061 LATIN SMALL LETTER A\)"),
    ("crp\u200b", "crp", r"an invisible '\\u200b' \(U\+200B ZERO WIDTH SPACE\)"),
    ("\uff23RP", "CRP", r"'\uff23' \(U\+FF23 FULLWIDTH LATIN CAPITAL LETTER C\) \(compat"),
])
def test_look_alike_names_say_which_characters_differ(node, column, shown):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    X = pd.DataFrame({column: rng.normal(size=60) + y})
    with pytest.raises(ValueError, match=rf"look alike but are written with other characters: "
                                         rf"{shown}"):
        CAMAClassifier(graph=nx.DiGraph([("dx", node)]), target="dx").fit(X, y)


def test_names_that_only_resemble_each_other_are_not_called_look_alikes():
    from skcama.graph import _lookalike_characters

    for a, b in [("x1", "x2"), ("\u03b1", "a"), ("\u0438", "i"), ("cafe\u0301", "cafe"),
                 ("\u0915\u0941\u0932", "\u0915\u0932")]:
        assert _lookalike_characters(a, b) == "", (a, b)
    assert "CYRILLIC SMALL LETTER ES" in _lookalike_characters("\u0441rp", "crp")


def test_running_out_of_memory_while_reading_a_graph_is_not_called_a_bad_file(
    tmp_path, monkeypatch
):
    import skcama.graph as graph_module

    path = tmp_path / "g.gml"
    write_graph(nx.DiGraph([("a", "y")]), path)

    def exhausted(path):
        raise MemoryError

    monkeypatch.setitem(graph_module._READERS, "gml", exhausted)
    with pytest.raises(MemoryError):
        read_graph(path)


def test_csv_names_starting_with_a_hash_are_quoted_and_a_quoted_line_is_no_comment(
        tmp_path):
    graph = nx.DiGraph([("#visits", "y"), ("y", "x"), ("y", "# of stents")])
    graph.edges["y", "x"]["note"] = "first\n# second line"
    write_graph(graph, tmp_path / "g.csv")
    back = read_graph(tmp_path / "g.csv")
    assert sorted(back.edges) == sorted(graph.edges)
    assert back.edges["y", "x"]["note"] == "first\n# second line"


def test_csv_comment_lines_are_skipped_and_line_numbers_still_count_them(tmp_path):
    """A '# ...' line is a comment (one holding a comma made an edge '# risk factors' ->
    'per protocol v2'); errors still name the line as the file numbers it."""
    path = tmp_path / "g.csv"
    path.write_text("# drawn by the cardiology team\nsource,target\n"
                    "# risk factors, per protocol v2\nage,diagnosis\ndiagnosis,hba1c\n")
    assert sorted(read_graph(path).edges) == [("age", "diagnosis"), ("diagnosis", "hba1c")]
    path.write_text("# comment\nsource,target\n# another\nage,diagnosis,extra\n")
    with pytest.raises(GraphError, match=r"line 4 of .* has more fields than the header"):
        read_graph(path)


def test_an_edge_written_twice_with_different_marks_is_refused_whatever_the_order(tmp_path):
    """The last copy used to win: '<->' then '-->' read as a directed edge, the other
    order was refused. Copies that agree are read as one edge."""
    path = tmp_path / "g.csv"
    for rows in (["x,y,<->", "x,y,-->"], ["x,y,-->", "x,y,<->"]):
        path.write_text("source,target,type\n" + "\n".join(rows) + "\n")
        with pytest.raises(GraphError, match=r"the edge 'x' -> 'y' is written more than once"
                                             r", with type="):
            read_graph(path)
    dot = tmp_path / "g.dot"
    dot.write_text("digraph { x -> y [dir=none]; x -> y [dir=forward]; }")
    with pytest.raises(GraphError, match="written more than once, with dir="):
        read_graph(dot)
    path.write_text("source,target,type\nx,y,-->\nx,y,-->\na,y,\n")
    assert sorted(read_graph(path).edges) == [("a", "y"), ("x", "y")]


def test_background_keys_given_beside_background_name_where_they_belong():
    from skcama.graph import check_discovery_params

    for key in ("tiers", "forbidden", "required"):
        with pytest.raises(ValueError, match=r"inside 'background': discovery_params="
                                             rf"\{{'background': \{{'{key}': \.\.\.\}}\}}"):
            check_discovery_params({key: []})


def test_attribute_names_a_format_keeps_for_itself_are_refused_on_write(tmp_path):
    """An edge attribute 'source' made a CSV header with two 'source' columns; a node's
    'id' was dropped by GML and JSON; a 'name' attribute written to DOT could not be
    read back, nor can one in a DOT file written by hand."""
    for fmt, owner, key in (("csv", "edge", "Source"), ("gml", "node", "id"),
                            ("json", "edge", "target"), ("dot", "node", "name")):
        g = nx.DiGraph([("age", "y"), ("y", "x")])
        {"edge": g.edges["age", "y"], "node": g.nodes["y"], "graph": g.graph}[owner][key] = "v"
        with pytest.raises(GraphError, match=rf"attribute '{key}' is a name {fmt.upper()} "
                                             r"uses for itself.*\.graphml"):
            write_graph(g, tmp_path / f"g.{fmt}")
        write_graph(g, tmp_path / "g.graphml")
    # the graph's own 'name' (nx.DiGraph(name=...)) is left out of a DOT file
    named = nx.DiGraph([("age", "y")], name="study", note="C:\\path\\", method="pc")
    write_graph(named, tmp_path / "named.dot")
    assert read_graph(tmp_path / "named.dot").graph == {"method": "pc"}
    path = tmp_path / "hand.dot"
    path.write_text('digraph { graph [name="clinic"]; age -> y; }')
    with pytest.raises(GraphError, match=r"an attribute called 'name'.*rename the attribute"):
        read_graph(path)


def test_dot_keeps_the_graphs_own_attributes(tmp_path):
    g = nx.DiGraph([("a", "y"), ("y", "x")])
    g.graph.update(method="pc", alpha=0.01)
    write_graph(g, tmp_path / "g.dot")
    assert read_graph(tmp_path / "g.dot").graph == {"method": "pc", "alpha": "0.01"}


@pytest.mark.parametrize("ext", ["json", "gml", "graphml", "dot", "csv", "dagitty"])
def test_write_graph_refuses_names_that_files_cannot_hold(tmp_path, ext):
    graph = nx.DiGraph([(("demo", "age"), "y"), ("y", "crp")])  # MultiIndex columns
    path = tmp_path / f"g.{ext}"
    with pytest.raises(GraphError, match=r"node \('demo', 'age'\).*text or numbers"):
        write_graph(graph, path)
    assert not path.exists()


def test_near_names_prefer_a_column_holding_the_name_as_a_word():
    X = pd.DataFrame({"stage 2": [0.0, 1.0] * 10, "age_years": [1.0, 2.0] * 10})
    with pytest.raises(ValueError, match=r"'age' -> did you mean 'age_years'\?"):
        CAMAClassifier(graph={"y": ["age"], "stage 2": ["y"]}, target="y").fit(X, [0, 1] * 10)


def test_attributes_a_format_cannot_keep_are_named_when_written(tmp_path):
    g = nx.DiGraph([("a", "y", {"weight": 0.5}), ("y", "x", {})])
    g.nodes["y"].update(outcome=True, units="mmol/l")
    with pytest.warns(UserWarning, match=r"written without the nodes' 'outcome', 'units' "
                                         r"attributes: an edge list keeps the edges.*no longer "
                                         r"names the target"):
        write_graph(g, tmp_path / "g.csv")
    assert read_graph(tmp_path / "g.csv").edges["a", "y"]["weight"] == "0.5"
    with pytest.warns(UserWarning, match=r"the nodes' 'units' and the edges' 'weight' "
                                         r"attributes: a DAGitty model keeps"):
        write_graph(g, tmp_path / "g.dagitty")
    with warnings.catch_warnings():  # a format that keeps them: no word
        warnings.simplefilter("error")
        write_graph(g, tmp_path / "g.json")


def test_an_edge_lists_attribute_names_keep_their_case_and_graph_attributes_are_warned_of(
        tmp_path):
    """The reader lower-cased every attribute name ('Beta' came back 'beta'), and 'W'
    beside 'w' made a file it refused; a discovered graph's own attributes were dropped
    without a word."""
    g = nx.DiGraph([("a", "y", {"Beta": 0.3, "w": 1, "W": 2})])
    write_graph(g, tmp_path / "g.csv")
    assert read_graph(tmp_path / "g.csv").edges["a", "y"] == {"Beta": "0.3", "w": "1", "W": "2"}
    (tmp_path / "upper.csv").write_text("Source,TARGET, Note\na,y,kept\n")
    assert read_graph(tmp_path / "upper.csv").edges["a", "y"] == {"Note": "kept"}
    for reserved in ("Source", " target"):  # read as the ends in any case: refused
        with pytest.raises(GraphError, match=f"its attribute {reserved!r} is a name CSV uses"):
            write_graph(nx.DiGraph([("a", "y", {reserved: 1})]), tmp_path / "r.csv")
    g.graph.update(method="pc", alpha=0.05)
    with pytest.warns(UserWarning, match=r"written without the graph's 'alpha', 'method' "
                                         r"attributes: an edge list keeps"):
        write_graph(g, tmp_path / "g.csv")
    dagitty = nx.DiGraph([("a", "y")], dagitty="dag", bb="0,0,1,1")
    with warnings.catch_warnings():  # a DAGitty model keeps its kind and bounding box
        warnings.simplefilter("error")
        write_graph(dagitty, tmp_path / "g.dagitty")

def test_names_read_alike_by_the_natural_order_keep_one_order_of_roles():
    """x1 and x01 tied in the natural order, so the graph's own order decided between
    them, and with it the model (predictions differed by up to 0.023)."""
    edges = [("y", "x01"), ("y", "x1"), ("c", "x1"), ("c", "x01")]
    forward = markov_blanket_roles(nx.DiGraph(edges), "y")
    backward = markov_blanket_roles(nx.DiGraph(edges[::-1]), "y")
    assert forward == backward
    assert forward.children == ("x01", "x1")


def test_cytoscape_json_of_networkx_with_number_nodes_is_read(tmp_path):
    """cytoscape_data writes a node 1's id as "1" and its edges' ends as 1: refused."""
    path = tmp_path / "cyto.json"
    path.write_text(json.dumps(nx.cytoscape_data(nx.DiGraph([(1, "y"), ("y", "x")]))))
    assert sorted(read_graph(path).edges) == [("1", "y"), ("y", "x")]


def test_a_gml_file_without_node_labels_names_its_nodes_by_their_ids(tmp_path):
    path = tmp_path / "ids.gml"
    path.write_text("graph [ directed 1 node [ id 0 ] node [ id 1 ] "
                    "edge [ source 0 target 1 ] ]")
    assert list(read_graph(path).edges) == [("0", "1")]  # as text, as every name in GML


@pytest.mark.parametrize(("default", "edge", "message"), [
    ("directed", 'directed="false"', r"the edge 'n1' -- 'n2' of .* is marked undirected"),
    ("undirected", 'directed="true"', r"is undirected \(edgedefault=\"undirected\"\) but "
                                      r"marks the edge 'n1' -> 'n2' directed"),
])
def test_a_graphml_edge_against_its_graphs_default_is_named(tmp_path, default, edge, message):
    path = tmp_path / "mixed.graphml"
    path.write_text(
        '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        f'<graph edgedefault="{default}"><node id="n1"/><node id="n2"/><node id="y"/>'
        f'<edge source="n1" target="n2" {edge}/><edge source="n1" target="y"/>'
        "</graph></graphml>"
    )
    with pytest.raises(GraphError, match=message):
        read_graph(path)


@pytest.mark.parametrize(("make", "fix"), [
    (lambda g: list(g.edges), r"nx.DiGraph\(edges\)"),
    (lambda g: nx.to_numpy_array(g), r"nx.from_numpy_array\(A, create_using=nx.DiGraph\)"),
    (lambda g: nx.to_pandas_adjacency(g), r"nx.from_pandas_adjacency\(frame"),
    (lambda g: pd.DataFrame(list(g.edges), columns=["source", "target"]),
     r"nx.from_pandas_edgelist\(frame, 'source', 'target'"),
], ids=["edge list", "matrix", "adjacency frame", "edge frame"])
def test_a_graph_held_in_another_form_gets_its_conversion(sem_data, make, fix):
    """scikit-learn's parameter check printed the whole matrix or frame and no way out."""
    X, y, graph = sem_data
    with pytest.raises(GraphError, match=rf"cannot use a graph of type \w+; .*{fix}"):
        CAMAClassifier(graph=make(graph), target="y", max_epochs=1).fit(X, y)
