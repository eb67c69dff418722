"""Graph I/O, roles and validation: every bad graph is rejected naming the node or edge."""

from __future__ import annotations

import json
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


def test_json_accepts_a_dict_of_parent_lists(tmp_path):
    (tmp_path / "g.json").write_text(json.dumps({"x": ["y", "c"], "y": ["a"]}))
    assert set(read_graph(tmp_path / "g.json").edges()) == {("y", "x"), ("c", "x"), ("a", "y")}


def test_load_graph_accepts_digraph_dict_str_and_path(graph, tmp_path):
    path = tmp_path / "g.gml"
    write_graph(graph, path)
    for spec in (graph, nx.to_dict_of_lists(graph.reverse()), str(path), path):
        assert set(load_graph(spec).edges()) == set(graph.edges())


def test_bundled_example_graphs_match_the_sem():
    from skcama.datasets import SyntheticSEM

    truth = SyntheticSEM(random_state=0).graph
    for suffix in (".gml", ".graphml", ".dot", ".json", ".csv"):
        g = read_graph(GRAPHS / f"sem_example{suffix}")
        assert set(g.edges()) == set(truth.edges()), suffix


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
