"""The ``skcama`` command line, run as a subprocess (``python -m skcama.cli``) for the main
flows and the exit codes, and in-process through ``main`` for the cheap checks."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from skcama import CAMAClassifier
from skcama.cli import build_parser, main
from skcama.graph import read_graph, write_graph
from skcama.persistence import load_model

from conftest import simple_sem

FIT_OPTIONS = ["--max-epochs", "3", "--set", "hidden_size=16", "--set", "n_samples=4",
               "--set", "adapt_steps=3", "-q"]
SUBCOMMANDS = ["demo", "fit", "predict", "adapt", "evaluate", "discover", "roles"]


def run_cli(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "skcama.cli", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=300,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A training CSV with string labels, a ';'-separated copy and a GML graph."""
    folder = tmp_path_factory.mktemp("cli")
    X, y, graph = simple_sem(2, n=200)
    frame = X.assign(y=np.array(["low", "mid", "high"])[y.to_numpy()])
    frame.to_csv(folder / "train.csv", index=False)
    frame.to_csv(folder / "semicolon.csv", index=False, sep=";")
    write_graph(graph, folder / "graph.gml")
    return folder


@pytest.fixture(scope="module")
def model(workdir):
    """A model file written by ``skcama fit``."""
    result = run_cli("fit", workdir / "train.csv", "--graph", workdir / "graph.gml",
                     "--target", "y", "-o", workdir / "model.skcama", *FIT_OPTIONS)
    assert result.returncode == 0, result.stderr
    assert "model written to" in result.stdout
    return workdir / "model.skcama"


def _in_python_fit(workdir) -> CAMAClassifier:
    frame = pd.read_csv(workdir / "train.csv")
    clf = CAMAClassifier(graph=read_graph(workdir / "graph.gml"), target="y", max_epochs=3,
                         hidden_size=16, n_samples=4, adapt_steps=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(frame.drop(columns="y"), frame["y"])


# ---------------------------------------------------------------------------- flows
def test_fit_save_load_predict_round_trip_equals_in_python_predictions(model, workdir):
    out = workdir / "predictions.csv"
    result = run_cli("predict", model, workdir / "train.csv", "-o", out)
    assert result.returncode == 0, result.stderr
    predictions = pd.read_csv(out)
    frame = pd.read_csv(workdir / "train.csv")
    clf = _in_python_fit(workdir)
    proba = predictions[[f"proba_{c}" for c in clf.classes_]].to_numpy()
    np.testing.assert_array_equal(proba, clf.predict_proba(frame))
    np.testing.assert_array_equal(proba, load_model(model).predict_proba(frame))
    assert predictions["predicted"].tolist() == clf.predict(frame).tolist()


def test_adapt_writes_a_model_that_matches_adapting_in_python(model, workdir):
    adapted = workdir / "adapted.skcama"
    frame = pd.read_csv(workdir / "train.csv")
    shifted = frame.assign(x1=frame["x1"] + 2.0)
    shifted.drop(columns="y").to_csv(workdir / "site_b.csv", index=False)
    result = run_cli("adapt", model, workdir / "site_b.csv", "-o", adapted)
    assert result.returncode == 0, result.stderr
    expected = load_model(model).adapt(shifted.drop(columns="y")).predict_proba(shifted)
    np.testing.assert_array_equal(load_model(adapted).predict_proba(shifted), expected)
    scores = workdir / "scores.csv"
    assert main(["predict", str(adapted), str(workdir / "site_b.csv"), "-o", str(scores),
                 "--manipulation-score"]) == 0
    assert pd.read_csv(scores)["manipulation_score"].between(0, 1).all()


def test_evaluate_prints_table_and_writes_figure(model, workdir):
    figure = workdir / "eval.png"
    result = run_cli("evaluate", model, workdir / "train.csv", "--target", "y",
                     "--shift", "coparents=+2", "--figure", figure)
    assert result.returncode == 0, result.stderr
    assert "shifted (coparents=+2)" in result.stdout and "accuracy" in result.stdout
    assert figure.stat().st_size > 0


def test_discover_then_roles_reads_the_written_graph(workdir):
    out = workdir / "found.json"
    result = run_cli("discover", workdir / "train.csv", "-t", "y", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "y" in read_graph(out)


@pytest.mark.parametrize("given, expected", [([], 4), (["--max-condition-size", "2"], 2),
                                             (["--max-condition-size", "-1"], None)])
def test_discover_passes_the_conditioning_limit(workdir, monkeypatch, given, expected):
    import skcama.discovery

    seen = {}
    real = skcama.discovery.discover_graph

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(skcama.discovery, "discover_graph", spy)
    out = workdir / f"limit{expected}.gml"
    assert main(["discover", str(workdir / "train.csv"), "-t", "y", "-o", str(out), "-q",
                 *given]) == 0
    assert seen["max_condition_size"] == expected and out.exists()


def test_roles_prints_json(workdir, capsys):
    assert main(["roles", str(workdir / "graph.gml"), "--target", "y", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["c"] == "co-parent"


# ------------------------------------------------------------------------ bad input
BAD_INPUT = [
    (["fit", "missing.csv", "-t", "y", "-o", "m.skcama"], "does not exist"),
    (["fit", "semicolon.csv", "-t", "y", "-o", "m.skcama"], "pass --sep ';'"),
    (["fit", "train.csv", "-t", "label", "-o", "m.skcama"], "target column 'label'"),
    (["fit", "train.csv", "-g", "graph.xyz", "-t", "y", "-o", "m.skcama"],
     "cannot tell the format of graph file"),
    (["predict", "foreign.pkl", "train.csv"], "not a skcama model file"),
]
BAD_INPUT_IDS = ["missing-file", "wrong-delimiter", "no-target", "graph-format", "foreign-model"]


@pytest.mark.parametrize(("args", "message"), [BAD_INPUT[1], BAD_INPUT[4]],
                         ids=[BAD_INPUT_IDS[1], BAD_INPUT_IDS[4]])
def test_bad_input_exits_2_with_one_line_and_no_traceback(workdir, args, message):
    (workdir / "foreign.pkl").write_bytes(pickle.dumps({"weights": [1, 2]}))
    result = run_cli(*args, cwd=workdir)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("args", "message"), BAD_INPUT, ids=BAD_INPUT_IDS)
def test_bad_input_in_process_returns_2(workdir, args, message, capsys, monkeypatch):
    (workdir / "foreign.pkl").write_bytes(pickle.dumps({"weights": [1, 2]}))
    monkeypatch.chdir(workdir)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_predict_on_data_missing_a_column_exits_2(model, workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv").drop(columns="x2")
    frame.to_csv(workdir / "no_x2.csv", index=False)
    assert main(["predict", str(model), str(workdir / "no_x2.csv")]) == 2
    assert "lacks the columns ['x2']" in capsys.readouterr().err


def test_debug_raises_instead_of_a_one_line_error(workdir):
    from skcama.graph import GraphError

    with pytest.raises(GraphError, match="not a node of the graph"):
        main(["--debug", "roles", str(workdir / "graph.gml"), "-t", "nope"])


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: skcama " + command in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "train.csv"])  # no --target / --output
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--n-train", "0"])
    assert exit_info.value.code == 2
    assert "--n-train: expected a whole number >= 1" in capsys.readouterr().err


def test_unknown_set_option_suggests_the_right_name(workdir, capsys):
    code = main(["fit", str(workdir / "train.csv"), "-t", "y", "-o", "m.skcama",
                 "--set", "hiden_size=3"])
    assert code == 2
    assert "did you mean 'hidden_size'" in capsys.readouterr().err.lower()


def test_unexpected_failure_exits_1(monkeypatch, capsys):
    import skcama.cli as cli

    def boom(args):
        raise RuntimeError("internal")

    parser = build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["roles"].set_defaults(func=boom)
    assert main(["roles", "g.gml", "-t", "y"]) == 1
    assert "failed: RuntimeError: internal" in capsys.readouterr().err


def test_shift_in_unknown_column_is_refused(model, workdir, capsys):
    code = main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "y",
                 "--shift", "x9=+1"])
    assert code == 2
    assert "'x9' is not a column the model uses" in capsys.readouterr().err


def test_a_reader_closing_the_pipe_is_not_an_error(monkeypatch, capsys):
    import skcama.cli as cli

    def closed(args):
        raise BrokenPipeError(32, "Broken pipe")

    parser = build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["roles"].set_defaults(func=closed)
    assert main(["roles", "g.gml", "-t", "y"]) == 0
    assert "error" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "shift, message",
    [("x1=nan", "finite AMOUNT"), ("x1=inf", "finite AMOUNT")],
)
def test_shift_amount_must_be_finite(model, workdir, capsys, shift, message):
    code = main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "y",
                 "--shift", shift])
    assert code == 2
    assert message in capsys.readouterr().err


def test_shift_of_parents_warns_and_a_column_absent_from_the_table_is_refused(
    model, workdir, capsys
):
    code = main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "y",
                 "--shift", "parents=+1"])
    assert code == 0
    assert "moves parents of the target ['a']" in capsys.readouterr().err
    frame = pd.read_csv(workdir / "train.csv").drop(columns="x2")
    frame.to_csv(workdir / "without_x2.csv", index=False)
    code = main(["evaluate", str(model), str(workdir / "without_x2.csv"), "-t", "y",
                 "--shift", "x2=+1"])
    assert code == 2
    assert "has no columns ['x2']" in capsys.readouterr().err


def test_shift_of_a_role_skips_discrete_columns_and_a_named_one_is_refused():
    from types import SimpleNamespace

    from skcama.cli import UsageError, parse_shift
    from skcama.graph import markov_blanket_roles

    roles = markov_blanket_roles({"x": ["y", "c"], "k": ["y"], "c": ["a"]}, "y")
    kinds = {"c": "gaussian", "x": "gaussian", "k": "categorical"}
    clf = SimpleNamespace(
        roles_=roles,
        scaler_=SimpleNamespace(scale=np.ones(len(roles.blanket)),
                                kinds=tuple(kinds[n] for n in roles.blanket)),
    )
    with pytest.warns(UserWarning, match=r"discrete columns \['k'\] are left as they are"):
        assert parse_shift(["children=+1"], clf) == {"x": 1.0}
    with pytest.raises(UsageError, match="'k' is categorical"):
        parse_shift(["k=+1"], clf)
