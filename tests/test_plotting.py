"""plot_graph colours nodes by role and returns the Axes."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from skcama import GraphError  # noqa: E402
from skcama.plotting import ROLE_COLOURS, plot_evidence, plot_graph  # noqa: E402


def test_plot_graph_colours_every_node_by_role(sem_data):
    _, _, graph = sem_data
    graph = graph.copy()
    graph.add_edge("a", "x2")  # a double role
    fig, ax = plt.subplots()
    out = plot_graph(graph, "y", ax=ax)
    assert out is ax
    colours = {to_hex(c) for c in ax.collections[0].get_facecolors()}
    assert colours == {
        ROLE_COLOURS[r] for r in ("target", "parent+co-parent", "co-parent", "child", "outside")
    }
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert labels == {"target", "parent+co-parent", "co-parent", "child", "outside"}
    plt.close(fig)


def test_plot_graph_spring_layout_and_errors():
    ax = plot_graph({"x": ["y"]}, "y", layout="spring")
    assert ax.get_legend() is not None
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="layout must be"):
        plot_graph({"x": ["y"]}, "y", layout="circle")
    with pytest.raises(GraphError, match="target 'z' is not a node"):
        plot_graph({"x": ["y"]}, "z")
    # checked here, not left to matplotlib's own messages
    for options, match in (({"node_size": float("nan")}, "node_size must be a positive"),
                           ({"node_size": 0}, "node_size must be a positive"),
                           ({"font_size": "big"}, "font_size must be a positive"),
                           ({"ax": "ax"}, "ax must be one matplotlib Axes; got str")):
        with pytest.raises((ValueError, TypeError), match=match):
            plot_graph({"x": ["y"]}, "y", **options)


def test_an_edge_that_would_pass_behind_a_node_is_bent_away_from_it():
    from matplotlib.patches import FancyArrowPatch

    # o1 -> c1 runs straight past a2, and x1 -> x3 straight through x2
    graph = {"y": ["a1", "a2"], "c1": ["o1"], "a1": ["o1"], "x1": ["y", "c1"],
             "x2": ["y", "x1"], "x3": ["y", "x1"]}
    ax = plot_graph(graph, "y")
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    bent = [p for p in arrows if p.get_connectionstyle().rad != 0.0]
    assert len(arrows) == 10
    assert len(bent) == 2
    plt.close(ax.figure)


def test_the_roles_layout_keeps_edges_clear_of_other_nodes():
    from skcama.graph import load_graph, node_roles
    from skcama.plotting import _closest_approach, _edges_behind_nodes, _layered_layout

    graph = load_graph(Path(__file__).parents[1] / "graphs" / "sem_example.gml")
    positions = _layered_layout(graph, node_roles(graph, "y"))
    for col in {x for x, _ in positions.values()}:  # one unit apart within each column
        heights = sorted(h for x, h in positions.values() if x == col)
        assert all(b - a >= 1.0 - 1e-9 for a, b in zip(heights, heights[1:], strict=False))
    # an outside cause sits near the height of the co-parent it causes
    assert abs(positions["o1"][1] - positions["c1"][1]) < 0.5
    bent = _edges_behind_nodes(graph, positions)
    assert bent  # the children's edges among themselves run along their column
    for source, sink in graph.edges:
        straight = _closest_approach(positions, source, sink, 0.0)
        if (source, sink) not in bent:
            assert straight >= 0.3, (source, sink)
        else:  # bent further from the nearest node than a straight edge would run
            drawn = _closest_approach(positions, source, sink, bent[(source, sink)])
            assert drawn > max(straight, 0.2), (source, sink)


def test_plot_evidence_draws_one_bar_per_term_adding_up_to_the_log_odds():
    import numpy as np
    import pandas as pd

    from skcama import CAMAClassifier

    rng = np.random.default_rng(0)
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 300)]
    X = pd.DataFrame({"u": rng.normal(size=300) + (y == "b") * 2.0,
                      "v": rng.normal(size=300) + (y == "c") * 2.0})
    clf = CAMAClassifier(max_epochs=20, random_state=0).fit(X, y)
    row = X.iloc[[3]]
    proba = pd.Series(clf.predict_proba(row)[0], index=clf.classes_).sort_values()
    ax = plot_evidence(clf, row)
    widths = [bar.get_width() for bar in ax.patches]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["latent", "v", "u", "prior"]
    np.testing.assert_allclose(sum(widths), np.log(proba.iloc[-1] / proba.iloc[-2]), atol=1e-4)
    assert f"predicted {proba.index[-1]}" in ax.get_title()
    plt.close(ax.figure)
    # a child left missing gives no evidence, and its label says why (a row of a frame,
    # and an array read by position)
    holed = row.assign(v=np.nan)
    ax = plot_evidence(clf, holed)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["latent", "v (missing)", "u",
                                                          "prior"]
    assert ax.patches[1].get_width() == 0.0
    by_position = CAMAClassifier(max_epochs=5, random_state=0).fit(X.to_numpy(), y)
    ax = plot_evidence(by_position, np.array([0.5, np.nan]))
    assert "1 (missing)" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close("all")
    other = proba.index[0]
    ax = plot_evidence(clf, row.to_numpy()[0], against=other)
    assert f"over {other}" in ax.get_title()
    plt.close(ax.figure)
    # a Series row is matched by column name, whatever the order of its entries
    ax = plot_evidence(clf, X[["v", "u"]].iloc[3])
    assert f"predicted {proba.index[-1]}" in ax.get_title()
    np.testing.assert_allclose(sum(b.get_width() for b in ax.patches), sum(widths))
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="explains one row, got 2"):
        plot_evidence(clf, X.iloc[:2])
    with pytest.raises(ValueError, match=r"against='d' is not a class of the model"):
        plot_evidence(clf, row, against="d")
    with pytest.raises(ValueError, match="is the predicted class itself"):
        plot_evidence(clf, row, against=proba.index[-1])


def test_plot_evidence_refuses_what_is_not_a_row_a_class_or_a_cama_model():
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from skcama import CAMAClassifier

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    X = pd.DataFrame({"u": rng.normal(size=200) + y, "v": rng.normal(size=200)})
    clf = CAMAClassifier(max_epochs=2, random_state=0).fit(X, y)
    for row in ({"u": 1.0, "v": 2.0}, 1.0, "1,2", np.zeros((1, 1, 2))):
        with pytest.raises(TypeError, match="row must be one row: a DataFrame of one row"):
            plot_evidence(clf, row)
    for against in ([1], (1,), np.array([1])):
        with pytest.raises(ValueError, match="against must be a single class label"):
            plot_evidence(clf, X.iloc[[0]], against=against)
    with pytest.raises(TypeError, match="needs a fitted CAMAClassifier .* got "
                       "LogisticRegression"):
        plot_evidence(LogisticRegression().fit(X, y), X.iloc[[0]])
    least = clf.classes_[np.argmin(clf.predict_proba(X.iloc[[0]])[0])]  # a numpy scalar
    ax = plot_evidence(clf, X.iloc[0], against=least)
    assert ax.get_title().endswith(f"over {least}")
    plt.close(ax.figure)


def test_plot_evidence_draws_class_labels_with_dollar_signs_as_written(tmp_path):
    """The bars escaped a '$', the title and axis label did not: a label such as
    'income $10^{k$' failed to draw at savefig, far from its cause."""
    import numpy as np

    from skcama import CAMAClassifier

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    X = np.c_[rng.normal(size=300) + 2 * y, rng.normal(size=300)]
    labels = np.array(["inc $10^k$", "inc $10^{k$"])[y]
    clf = CAMAClassifier(max_epochs=5, random_state=0).fit(X, labels)
    ax = plot_evidence(clf, X[0])
    ax.figure.savefig(tmp_path / "evidence.png")
    assert "inc \\$10^{k\\$" in ax.get_title() and "inc \\$10^k\\$" in ax.get_title()
    with pytest.raises(ValueError, match=r"against='inc \$10\^k\$' is the predicted|"
                                         r"against='inc \$10\^\{k\$' is the predicted"):
        plot_evidence(clf, X[0], against=clf.predict(X[:1])[0])
    plt.close(ax.figure)


def test_a_node_is_large_enough_for_its_name_and_long_names_are_broken():
    """The circle holds its label: a long name gets a larger node than a short one (the
    short one keeps node_size), and is broken at its separators."""
    from skcama.plotting import _label_area, _wrapped

    assert _wrapped("recent_infection") == "recent_\ninfection"
    assert _wrapped("systolic blood pressure") == "systolic\nblood\npressure"
    assert _wrapped("diagnosis") == "diagnosis"
    assert _wrapped("averyveryverylongname") == "averyveryverylongname"  # no separator
    ax = plot_graph({"diagnosis": ["recent_infection"], "x": ["diagnosis"]}, "diagnosis")
    sizes = dict(zip(["diagnosis", "recent_infection", "x"],
                     ax.collections[0].get_sizes(), strict=True))
    assert sizes["x"] == 900
    assert sizes["diagnosis"] == pytest.approx(_label_area("diagnosis", 9))
    assert sizes["diagnosis"] > 900
    assert {t.get_text() for t in ax.texts} >= {"recent_\ninfection", "diagnosis", "x"}
    plt.close(ax.figure)
    # the label's drawn box fits inside its circle, names of wide glyphs too
    names = ["diagnosis", "sbp_mmHg", "WMWMWM"]
    ax = plot_graph({"diagnosis": [], "sbp_mmHg": ["diagnosis"], "WMWMWM": ["diagnosis"]},
                    "diagnosis")
    renderer = ax.figure.canvas.get_renderer()
    drawn = {t.get_text(): t for t in ax.texts}
    for name, size in zip(names, ax.collections[0].get_sizes(), strict=True):
        box = drawn[name].get_window_extent(renderer)
        diagonal = np.hypot(box.width, box.height) * 72 / ax.figure.dpi
        assert diagonal < np.sqrt(size), name
    plt.close(ax.figure)


def test_outside_nodes_stand_in_layers_and_every_node_lies_inside_the_axes():
    """An edge between two outside ancestors runs from one column to the next (in one
    column it was drawn as an arc that left the axes), and the circles of the nodes at the
    edge of the picture are drawn whole."""
    graph = {"y": ["a"], "x": ["y"], "a": ["o2"], "o2": ["o1"], "o1": ["Socioeconomic status"],
             "w": ["x"], "w2": ["w"]}
    ax = plot_graph(graph, "y")
    nodes = list(ax.collections[0].get_offsets())
    names = ["y", "a", "x", "o2", "o1", "Socioeconomic status", "w", "w2"]
    where = dict(zip(names, nodes, strict=True))
    xs = [where[n][0] for n in ("Socioeconomic status", "o1", "o2", "a", "y", "x", "w", "w2")]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    ax.figure.canvas.draw()
    box = ax.get_window_extent()
    radii = np.sqrt(ax.collections[0].get_sizes()) / 2 * ax.figure.dpi / 72
    for (x, y), radius in zip(ax.transData.transform(nodes), radii, strict=True):
        assert box.x0 <= x - radius and x + radius <= box.x1
        assert box.y0 <= y - radius and y + radius <= box.y1
    plt.close(ax.figure)


def _wide_graph() -> dict:
    """60 nodes: 20 co-parents in one column, each feeding children far above and below
    it (edges that must bend around the nodes between), and 20 outside nodes."""
    rng = np.random.default_rng(0)
    graph = {f"x{i}": ["y", f"c{i}", f"c{(i + 7) % 20}"] for i in range(20)}
    graph.update({f"c{i}": [f"c{j}" for j in rng.choice(20, 2) if j < i] + [f"o{i}"]
                  for i in range(20)})
    graph["y"] = ["a"]
    return graph


@pytest.mark.parametrize("blanket_only", [False, True])
def test_every_edge_of_a_wide_graph_stays_inside_its_figure(blanket_only):
    """A bent edge's shape follows the aspect the limits give: the limits and the figure
    are settled with it (long edges within a column left a figure of 60 nodes)."""
    ax = plot_graph(_wide_graph(), "y", blanket_only=blanket_only)
    ax.figure.canvas.draw()
    box = ax.get_window_extent()
    edges = [p for p in ax.patches]
    assert edges
    for patch in edges:
        extent = patch.get_window_extent()
        assert box.x0 - 1 <= extent.x0 and extent.x1 <= box.x1 + 1
        assert box.y0 - 1 <= extent.y0 and extent.y1 <= box.y1 + 1
    names = {t.get_text() for t in ax.texts}
    assert ("o3" in names) != blanket_only and {"y", "a", "c3", "x3"} <= names
    # the legend below the drawing, where it covers no node
    assert ax.get_legend().get_window_extent().y1 <= box.y0 + 1
    plt.close(ax.figure)


def test_nodes_shrink_to_fit_axes_the_caller_gives():
    """On small axes, a node of a full column would overlap its neighbours: circles,
    labels and arrowheads shrink until none does; the legend keeps its size."""
    graph = {f"x{i}": ["y", "c"] for i in range(12)}
    graph["y"] = ["a"]
    fig, ax = plt.subplots(figsize=(6, 4))
    plot_graph(graph, "y", ax=ax)
    fig.canvas.draw()
    nodes = ax.collections[0]
    centres = ax.transData.transform(nodes.get_offsets())
    radii = np.sqrt(nodes.get_sizes()) / 2 * fig.dpi / 72
    for i in range(len(centres)):
        for j in range(i + 1, len(centres)):
            assert np.hypot(*(centres[i] - centres[j])) >= radii[i] + radii[j] - 1e-6
    assert min(t.get_fontsize() for t in ax.texts) >= 4
    assert ax.get_legend().get_texts()[0].get_fontsize() == 9
    plt.close(fig)


def test_graph_legends_of_axes_side_by_side_do_not_overlap():
    import matplotlib.pyplot as plt
    import networkx as nx

    # every role, "parent+co-parent" among them: one row of six entries overran half of
    # a 10-inch figure
    graph = nx.DiGraph([("a", "y"), ("y", "x"), ("c", "x"), ("b", "y"), ("b", "x"),
                        ("o", "c")])
    figure, axes = plt.subplots(1, 2, figsize=(10, 5))
    for ax in axes:
        plot_graph(graph, "y", ax=ax)
    figure.canvas.draw()
    left, right = (ax.get_legend().get_window_extent() for ax in axes)
    assert left.x1 <= right.x0  # each within its half
    plt.close(figure)


def test_plot_evidence_takes_a_class_equal_to_a_label_and_marks_a_missing_child_in_an_array():
    import warnings

    import pandas as pd
    from sklearn.exceptions import ConvergenceWarning

    from skcama import CAMAClassifier

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300).astype(bool)
    X = pd.DataFrame({"x1": rng.normal(size=300) + 2 * y, "x2": rng.normal(size=300)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = CAMAClassifier(max_epochs=10, random_state=0).fit(X, y)
    row = X.iloc[[0]].assign(x1=np.nan)
    other = not clf.predict(row)[0]
    titles = {plot_evidence(clf, row, against=label).get_title()
              for label in (other, int(other), float(other))}  # 1 == True: a KeyError before
    assert len(titles) == 1
    for given in (row, row.iloc[0], row.to_numpy()[0]):  # the array lost "(missing)" before
        labels = [t.get_text() for t in plot_evidence(clf, given).get_yticklabels()]
        assert "x1 (missing)" in labels
    plt.close("all")


def test_node_names_with_dollar_signs_are_drawn_as_written(tmp_path):
    """matplotlib reads '$' as mathematical text: 'a$^$b' failed to draw and '$a$' came
    out as an italic a."""
    import networkx as nx

    graph = nx.DiGraph([("cost ($)", "y"), ("y", "a$^$b"), ("y", "$a$")])
    ax = plot_graph(graph, target="y")
    ax.figure.savefig(tmp_path / "g.png")
    texts = {t.get_text() for t in ax.texts}
    assert {r"cost (\$)", r"a\$^\$b", r"\$a\$"} <= texts
    plt.close(ax.figure)
