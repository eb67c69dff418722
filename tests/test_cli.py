"""The ``skcama`` command line, run as a subprocess (``python -m skcama.cli``) for the main
flows and the exit codes, and in-process through ``main`` for the cheap checks."""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import os
import pickle
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from skcama import CAMAClassifier
from skcama.cli import build_parser, main, read_table, write_table
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
    # bit for bit on a CPU; a GPU (the default device where there is one) may differ in
    # the last bit between two processes
    np.testing.assert_allclose(proba, clf.predict_proba(frame), rtol=0, atol=1e-12)
    np.testing.assert_allclose(proba, load_model(model).predict_proba(frame), rtol=0, atol=1e-12)
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


def test_predict_explain_gives_the_evidence_over_the_runner_up(model, workdir):
    out = workdir / "explained.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(out),
                 "--explain"]) == 0
    table = pd.read_csv(out)
    clf = load_model(model)
    evidence = [f"evidence_{t}" for t in ["prior", *clf.roles_.children, "latent"]]
    assert list(table.columns[-len(evidence) - 1:]) == ["runner_up", *evidence]
    assert (table["runner_up"] != table["predicted"]).all()
    # the terms add up to the log-odds of the predicted class over the runner-up
    p_best = np.array([row[f"proba_{row['predicted']}"] for _, row in table.iterrows()])
    p_next = np.array([row[f"proba_{row['runner_up']}"] for _, row in table.iterrows()])
    np.testing.assert_allclose(table[evidence].sum(axis=1), np.log(p_best / p_next),
                               rtol=1e-4, atol=1e-4)
    # also for an adapted model, whose predictions mix the clean and manipulated views
    frame = pd.read_csv(workdir / "train.csv")
    frame.drop(columns="y").assign(x1=frame["x1"] + 2.0).to_csv(workdir / "moved.csv",
                                                                 index=False)
    adapted = workdir / "moved.skcama"
    assert main(["adapt", str(model), str(workdir / "moved.csv"), "-o", str(adapted),
                 "--steps", "20"]) == 0
    assert main(["predict", str(adapted), str(workdir / "moved.csv"), "-o", str(out),
                 "--explain"]) == 0
    table = pd.read_csv(out)
    p_best = np.array([row[f"proba_{row['predicted']}"] for _, row in table.iterrows()])
    p_next = np.array([row[f"proba_{row['runner_up']}"] for _, row in table.iterrows()])
    np.testing.assert_allclose(table[evidence].sum(axis=1), np.log(p_best / p_next),
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("flag", ["--prior", "--prior-only"])
def test_adapt_prior_flags_match_adapt_prior_in_python(model, workdir, capsys, flag):
    frame = pd.read_csv(workdir / "train.csv")
    rare_high = pd.concat([frame[frame["y"] != "high"], frame[frame["y"] == "high"].head(5)])
    rare_high.drop(columns="y").to_csv(workdir / "site_c.csv", index=False)
    out = workdir / f"prior{flag}.skcama"
    assert main(["adapt", str(model), str(workdir / "site_c.csv"), "-o", str(out), flag]) == 0
    printed = capsys.readouterr().out
    assert "class prevalence estimated from" in printed
    assert ("adapted to" in printed) == (flag == "--prior")
    expected = load_model(model)
    if flag == "--prior":
        expected.adapt(rare_high.drop(columns="y"))
    expected.adapt_prior(rare_high.drop(columns="y"))
    written = load_model(out)
    np.testing.assert_allclose(written.adapted_class_prior_, expected.adapted_class_prior_,
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(written.predict_proba(frame), expected.predict_proba(frame),
                               rtol=0, atol=1e-12)
    assert written.manipulation_learned_ == (flag == "--prior")


def test_adapt_prior_only_refuses_steps(model, workdir, capsys):
    code = main(["adapt", str(model), str(workdir / "train.csv"), "-o",
                 str(workdir / "never.skcama"), "--prior-only", "--steps", "5"])
    assert code == 2
    assert "drop --steps" in capsys.readouterr().err


def test_adapt_prior_with_too_few_rows_is_refused_before_adapting(model, workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    frame.drop(columns="y").head(5).to_csv(workdir / "five.csv", index=False)
    code = main(["adapt", str(model), str(workdir / "five.csv"), "-o",
                 str(workdir / "never.skcama"), "--prior"])
    assert code == 2
    captured = capsys.readouterr()
    assert "adapted to" not in captured.out
    assert "--prior needs at least" in captured.err and "Drop --prior" in captured.err
    assert not (workdir / "never.skcama").exists()


def test_adapt_set_takes_the_adaptation_options(model, workdir):
    frame = pd.read_csv(workdir / "train.csv")
    shifted = frame.assign(x1=frame["x1"] + 2.0)
    shifted.drop(columns="y").to_csv(workdir / "site_d.csv", index=False)
    out = workdir / "set.skcama"
    assert main(["adapt", str(model), str(workdir / "site_d.csv"), "-o", str(out),
                 "--set", "adapt_mechanism_rate=0", "--set", "adapt-alpha=0.5",
                 "--steps", "4"]) == 0
    written = load_model(out)
    assert written.get_params()["adapt_mechanism_rate"] == 0
    assert written.get_params()["adapt_alpha"] == 0.5
    assert written.get_params()["adapt_steps"] == 4
    expected = load_model(model).set_params(adapt_mechanism_rate=0, adapt_alpha=0.5,
                                            adapt_steps=4)
    expected.adapt(shifted.drop(columns="y"))
    np.testing.assert_array_equal(written.predict_proba(shifted),
                                  expected.predict_proba(shifted))
    # the options changed what adapt did: the default options adapt differently
    default = load_model(model).set_params(adapt_steps=4).adapt(shifted.drop(columns="y"))
    assert not np.array_equal(default.predict_proba(shifted), expected.predict_proba(shifted))


@pytest.mark.parametrize(
    "extra, message",
    [(["--set", "hidden_size=8"],
      "'hidden_size' is not an adaptation option (only adapt_alpha, adapt_learning_rate, "
      "adapt_mechanism_rate, adapt_steps can be set here); choose it when fitting, with "
      "skcama fit --set hidden_size=..."),
     (["--set", "verbose=1"], "choose it when fitting, with skcama fit -q/--quiet"),
     (["--set", "adapt_rate=0"], "has no option 'adapt_rate'"),
     (["--set", "adapt_steps=4", "--steps", "4"],
      "--steps and --set adapt_steps=... say the same; give one"),
     (["--set", "adapt_steps=4", "--set", "adapt_steps=5"], "is given twice"),
     (["--set", "adapt_alpha"], "takes NAME=VALUE"),
     (["--set", "adapt_alpha=5"], "--set adapt_alpha=...: The 'adapt_alpha' parameter"),
     (["--steps", "0"], "--steps: The 'adapt_steps' parameter"),
     (["--set", "adapt_steps=0"], "--set adapt_steps=...: The 'adapt_steps' parameter"),
     (["--prior-only", "--set", "adapt_alpha=0.5"], "drop --set")],
)
def test_adapt_set_refuses_what_it_cannot_set(model, workdir, capsys, extra, message):
    out = workdir / "refused.skcama"
    code = main(["adapt", str(model), str(workdir / "train.csv"), "-o", str(out), *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_bad_set_values_are_refused_before_the_data_is_read(workdir, capsys):
    """Values are checked as the estimator checks them, before a table is read: the data
    path here does not exist, and the value is what the error names."""
    absent = str(workdir / "absent.csv")
    assert main(["fit", absent, "-t", "y", "-o", str(workdir / "never.skcama"),
                 "--set", "hidden_size=-1"]) == 2
    assert "--set hidden_size=...: The 'hidden_size' parameter" in capsys.readouterr().err
    assert main(["fit", absent, "-t", "y", "-o", str(workdir / "never.skcama"),
                 "--max-epochs", "0"]) == 2
    assert "--max-epochs: The 'max_epochs' parameter" in capsys.readouterr().err
    assert main(["evaluate", str(workdir / "absent.skcama"), absent, "-t", "y", "--adapt",
                 "--set", "adapt_learning_rate=-1"]) == 2
    assert "--set adapt_learning_rate=...: The 'adapt_learning_rate' parameter" in \
        capsys.readouterr().err
    # JSON meant and mistyped: said so, not "must be a dict"
    assert main(["fit", absent, "-t", "y", "-o", str(workdir / "never.skcama"),
                 "--set", 'column_types={bmi: "categorical"}']) == 2
    assert "the value is not valid JSON (Expecting property name" in capsys.readouterr().err


def test_evaluate_set_adapts_the_copy_with_the_options(model, workdir, capsys):
    code = main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "y",
                 "--shift", "x1=+2", "--set", "adapt_mechanism_rate=0"])
    assert code == 2
    assert "add --adapt" in capsys.readouterr().err
    table = workdir / "evaluate_set.csv"
    assert main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "y",
                 "--shift", "x1=+2", "--adapt", "--set", "adapt_mechanism_rate=0",
                 "--set", "adapt_steps=4", "-o", str(table)]) == 0
    from skcama.cli import parse_shift

    frame = pd.read_csv(workdir / "train.csv")
    expected = load_model(model).set_params(adapt_mechanism_rate=0, adapt_steps=4)
    (amount,) = parse_shift(["x1=+2"], expected).values()  # in clean sds
    shifted = frame.drop(columns="y").assign(x1=frame["x1"] + amount)
    expected.adapt(shifted)
    accuracy = pd.read_csv(table).set_index("test data")["accuracy"]
    assert accuracy["shifted (x1=+2), after adapt"] == pytest.approx(
        expected.score(shifted, frame["y"]), abs=1e-12)


def test_main_called_from_python_leaves_logging_and_pyplot_as_they_were(model, workdir,
                                                                        capsys):
    """main([...]) in a notebook: the root logger kept the command's handler (every
    library's INFO lines printed afterwards) and pyplot was switched to Agg (no inline
    figures afterwards)."""
    import matplotlib
    import matplotlib.pyplot as plt

    root = logging.getLogger()
    outer = list(root.handlers)  # pytest's own capture: a notebook's root has none
    before = matplotlib.get_backend()
    matplotlib.use("svg")  # not Agg, which the command used to switch to
    for handler in outer:
        root.removeHandler(handler)
    try:
        level = root.level
        backend, figures = matplotlib.get_backend(), plt.get_fignums()
        figure = workdir / "eval_main.png"
        assert main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "y",
                     "--figure", str(figure)]) == 0
        assert figure.stat().st_size > 0
        assert root.handlers == [] and root.level == level
        assert matplotlib.get_backend() == backend and plt.get_fignums() == figures
    finally:
        for handler in outer:
            root.addHandler(handler)
        matplotlib.use(before)
    capsys.readouterr()


@pytest.mark.parametrize("adapt", [False, True], ids=["scored", "adapted"])
def test_a_shift_too_large_to_score_is_blamed_on_the_shift(model, workdir, capsys, adapt):
    """The far-value error advised converting the file's units, where --shift's amount
    had moved the values."""
    args = ["evaluate", str(model), str(workdir / "train.csv"), "-t", "y", "--shift", "x1=1e7"]
    assert main(args + (["--adapt"] if adapt else [])) == 2
    err = capsys.readouterr().err
    assert "--shift x1=1e7 moves values too far from the training data" in err
    assert "'x1'" in err and "use smaller amounts" in err and "convert" not in err


def test_evaluate_prints_table_and_writes_figure(model, workdir):
    figure = workdir / "eval.png"
    result = run_cli("evaluate", model, workdir / "train.csv", "--target", "y",
                     "--shift", "coparents=+2", "--figure", figure)
    assert result.returncode == 0, result.stderr
    assert "shifted (coparents=+2)" in result.stdout and "accuracy" in result.stdout
    assert figure.stat().st_size > 0


def test_discover_weight_column_weighs_the_tests(workdir, capsys):
    from skcama.discovery import discover_graph

    frame = pd.read_csv(workdir / "train.csv")
    weights = np.where(np.arange(len(frame)) % 3 == 0, 3.0, 1.0)
    frame.assign(row_weight=weights).to_csv(workdir / "weighted.csv", index=False)
    out = workdir / "weighted.json"
    assert main(["discover", str(workdir / "weighted.csv"), "-t", "y", "--weight", "row_weight",
                 "-o", str(out), "-q"]) == 0
    expected = discover_graph(frame.drop(columns="y"), frame["y"], target="y",
                              sample_weight=weights)
    assert set(read_graph(out).edges) == set(expected.edges)
    assert "row_weight" not in read_graph(out)  # the weights are not a node
    capsys.readouterr()
    assert main(["discover", str(workdir / "weighted.csv"), "-t", "y", "--weight", "row_weight",
                 "--method", "ges", "-o", str(workdir / "never.json"), "-q"]) == 2
    assert "not by method='ges'" in capsys.readouterr().err


def test_discover_normal_scores_match_discover_graph(workdir):
    from skcama.discovery import discover_graph

    frame = pd.read_csv(workdir / "train.csv")
    frame = frame.assign(x3=np.exp(frame["x3"]))  # a skewed column
    frame.to_csv(workdir / "skewed.csv", index=False)
    out = workdir / "scores.json"
    assert main(["discover", str(workdir / "skewed.csv"), "-t", "y", "--normal-scores",
                 "-o", str(out), "-q"]) == 0
    X, y = frame.drop(columns="y"), frame["y"]
    expected = discover_graph(X, y, target="y", normal_scores=True)
    assert set(read_graph(out).edges) == set(expected.edges)
    assert set(expected.edges) != set(discover_graph(X, y, target="y").edges)


def test_fit_matches_a_json_graphs_number_nodes_to_the_tables_headers(workdir, capsys):
    # JSON keeps node names as numbers; a table's header names its columns by text
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    pd.DataFrame({"1": rng.normal(y), "2": rng.normal(y), "3": rng.normal(y), "y": y}).to_csv(
        workdir / "items.csv", index=False)
    write_graph({"y": [1], 2: ["y"], 3: ["y", 1]}, workdir / "items.json")
    assert main(["fit", str(workdir / "items.csv"), "-g", str(workdir / "items.json"),
                 "-t", "y", "-o", str(workdir / "items.skcama"), "--max-epochs", "2"]) == 0
    assert "children   2, 3" in capsys.readouterr().out


def test_discover_target_alpha_matches_discover_graph(workdir):
    from skcama.discovery import discover_graph

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 1000)
    frame = pd.DataFrame({"x": 0.21 * y + rng.normal(size=1000), "y": y})  # p about 0.026
    frame.to_csv(workdir / "weak.csv", index=False)
    found = {}
    for level in ("0.01", None):
        out = workdir / f"weak{level}.json"
        given = [] if level is None else ["--target-alpha", level]
        assert main(["discover", str(workdir / "weak.csv"), "-t", "y", *given,
                     "-o", str(out), "-q"]) == 0
        found[level] = set(read_graph(out).to_undirected().edges)
    X = frame[["x"]]
    assert not discover_graph(X, y, target="y", target_alpha=0.01).edges
    assert not found["0.01"]
    assert found[None] == {("x", "y")} or found[None] == {("y", "x")}


def test_discover_then_roles_reads_the_written_graph(workdir):
    out = workdir / "found.json"
    result = run_cli("discover", workdir / "train.csv", "-t", "y", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "y" in read_graph(out)


def test_discover_draws_no_progress_bar_when_stderr_is_not_a_terminal(workdir):
    # stderr captured to a pipe, as in `skcama discover ... 2> err.log`: the log lines
    # stay, causal-learn's progress bar (redrawn per node) does not
    out = workdir / "no_bars.gml"
    result = run_cli("discover", workdir / "train.csv", "-t", "y", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "it/s" not in result.stderr and "%|" not in result.stderr, result.stderr
    assert "Depth=" not in result.stderr and "\r" not in result.stderr
    assert "pc: skeleton of" in result.stderr and "discovered" in result.stderr


@pytest.mark.parametrize("terminal, quiet, verbose, progress", [
    (False, [], 1, False), (True, [], 1, True), (True, ["-q"], 0, False),
    (False, ["-q"], 0, False)])
def test_discover_logs_unless_quiet_and_draws_bars_only_on_a_terminal(
        workdir, monkeypatch, terminal, quiet, verbose, progress):
    import skcama.discovery
    from skcama import cli

    seen = {}
    monkeypatch.setattr(skcama.discovery, "discover_graph",
                        lambda *args, **kwargs: seen.update(kwargs) or read_graph(
                            workdir / "graph.gml"))
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: terminal, raising=False)
    out = workdir / "spied.gml"
    assert main(["discover", str(workdir / "train.csv"), "-t", "y", "-o", str(out),
                 *quiet]) == 0
    assert (seen["verbose"], seen["progress"]) == (verbose, progress)


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


def test_discover_refuses_a_conditioning_limit_below_minus_one(workdir, capsys):
    assert main(["discover", str(workdir / "train.csv"), "-t", "y", "-o",
                 str(workdir / "never.gml"), "--max-condition-size", "-2"]) == 2
    assert "--max-condition-size takes a whole number >= 0, or -1" in capsys.readouterr().err


def test_an_option_given_twice_is_refused_not_overridden(workdir, capsys):
    """argparse kept the last value silently: -t y -t c fitted a model of c."""
    out = str(workdir / "never.skcama")
    for argv, named in (
        (["fit", str(workdir / "train.csv"), "-t", "y", "-t", "c", "-o", out], "-t"),
        (["fit", str(workdir / "train.csv"), "--target=y", "-tc", "-o", out],
         "--target (or -t)"),
        (["fit", str(workdir / "train.csv"), "-t", "y", "-o", out, "--output", out],
         "-o (or --output)"),
        (["predict", "m.skcama", "d.csv", "--sep", ",", "--sep", ";"], "--sep"),
    ):
        assert main(argv) == 2
        assert f"{named} is given twice; give it once" in capsys.readouterr().err
    assert not (workdir / "never.skcama").exists()
    # options that collect values may repeat, and a value may look like an option
    from skcama.cli import _repeated_options, build_parser

    fit = build_parser()._subparsers._group_actions[0].choices["fit"]
    assert _repeated_options(fit, ["d.csv", "--id", "a", "--id", "b", "--set", "x=1",
                                   "--set", "y=2", "-t", "y", "-o", "-t"]) is None
    # argparse takes a unique prefix of a long option
    assert _repeated_options(fit, ["d.csv", "--targ", "y", "--target", "z"]) == \
        "--targ (or --target)"


def test_predict_refuses_an_id_named_like_an_output_column(model, workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv").drop(columns="y")
    frame.insert(0, "predicted", np.arange(len(frame)))
    frame.to_csv(workdir / "clash.csv", index=False)
    assert main(["predict", str(model), str(workdir / "clash.csv"), "--id", "predicted",
                 "-o", str(workdir / "clash_out.csv")]) == 2
    assert "--id 'predicted' has the name of a column of the predictions" in \
        capsys.readouterr().err
    assert not (workdir / "clash_out.csv").exists()


def test_a_parquet_tables_named_index_is_read_as_a_column(model, workdir):
    """df.set_index('patient_id').to_parquet(...) lost its ids: the index was dropped and
    --id patient_id was 'not a column'."""
    frame = pd.read_csv(workdir / "train.csv").drop(columns="y")
    frame.insert(0, "patient_id", [f"p{i:03d}" for i in range(len(frame))])
    frame.set_index("patient_id").to_parquet(workdir / "indexed.parquet")
    frame.to_csv(workdir / "indexed.csv", index=False)
    outputs = []
    for name in ("indexed.parquet", "indexed.csv"):
        out = workdir / f"{name}.out.csv"
        assert main(["predict", str(model), str(workdir / name), "--id", "patient_id",
                     "-o", str(out)]) == 0
        outputs.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(*outputs)
    assert outputs[0]["patient_id"].tolist() == frame["patient_id"].tolist()


def test_fit_refuses_a_weight_column_the_model_reads(workdir, capsys):
    """--weight took the column out of X, and fit then said the graph named a column X
    lacks."""
    assert main(["fit", str(workdir / "train.csv"), "-g", str(workdir / "graph.gml"), "-t",
                 "y", "--weight", "c", "-o", str(workdir / "never.skcama")]) == 2
    assert "--weight 'c' names a column the model reads" in capsys.readouterr().err


def test_fields_separated_by_a_delimiter_and_a_space_are_read_without_the_spaces(
        model, workdir, capsys):
    """An export writing ', ' between fields gave names ' age', matching no node: 'X
    lacks the columns' with a did-you-mean per column."""
    frame = pd.read_csv(workdir / "train.csv").drop(columns="y").head(30)
    rows = [", ".join(map(str, frame.columns))]
    rows += [", ".join(map(str, row)) for row in frame.itertuples(index=False)]
    (workdir / "spaced.csv").write_text("\n".join(rows) + "\n")
    frame.to_csv(workdir / "unspaced.csv", index=False)
    outputs = []
    for name in ("spaced.csv", "unspaced.csv"):
        assert main(["predict", str(model), str(workdir / name), "-o",
                     str(workdir / f"{name}.out.csv")]) == 0
        outputs.append(pd.read_csv(workdir / f"{name}.out.csv"))
    assert "separates its names by ',' and a space" in capsys.readouterr().err
    pd.testing.assert_frame_equal(*outputs)


@pytest.mark.parametrize("first", ["Patient export 2024-05-01", "# exported by the EHR"])
def test_a_title_line_above_the_header_is_named(model, workdir, capsys, first):
    text = (workdir / "train.csv").read_text()
    (workdir / "titled.csv").write_text(f"{first}\n{text}")
    assert main(["predict", str(model), str(workdir / "titled.csv")]) == 2
    assert (f"Its first line, {first!r}, looks like a title or a comment above the header"
            in capsys.readouterr().err)


def test_an_infinite_cell_is_named_by_its_rows(model, workdir, capsys):
    """The library's message named the column alone; a table is searched by row."""
    frame = pd.read_csv(workdir / "train.csv").drop(columns="y")
    frame.loc[[3, 7], "x1"] = np.inf
    frame.insert(0, "pid", np.arange(len(frame)))
    frame.to_csv(workdir / "infinite.csv", index=False)
    assert main(["predict", str(model), str(workdir / "infinite.csv"), "--id", "pid"]) == 2
    assert ("has infinite values in column 'x1' (data rows 4, 8, counting from 1 below the "
            "header)" in capsys.readouterr().err)


def test_roles_advises_the_discover_command_for_a_cycle(tmp_path, capsys):
    (tmp_path / "cycle.dot").write_text("digraph { y -> x; x -> y; a -> y }")
    assert main(["roles", str(tmp_path / "cycle.dot"), "-t", "y"]) == 2
    err = capsys.readouterr().err
    assert "run skcama discover --method pc on the data" in err and "--graph" not in err


def test_roles_prints_json(workdir, capsys):
    assert main(["roles", str(workdir / "graph.gml"), "--target", "y", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["c"] == "co-parent"


def test_roles_are_printed_one_line_per_role_with_counts(tmp_path, capsys):
    """A line per role, not per node: readable for a graph of 120 nodes."""
    import networkx as nx

    graph = nx.DiGraph([("a", "y"), ("y", "x1"), ("y", "x2"), ("c", "x1"), ("o", "c")])
    graph.add_nodes_from(f"w{i}" for i in range(100))
    write_graph(graph, tmp_path / "wide.gml")
    assert main(["roles", str(tmp_path / "wide.gml"), "--target", "y"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == ["target     y", "parent     (1) a", "co-parent  (1) c",
                         "child      (2) x1, x2"]  # from causes to effects
    assert len(lines) == 5 and lines[4].startswith("outside    (101) o, w0, w1")



def test_roles_takes_the_outcome_a_dagitty_model_marks(workdir, capsys):
    path = workdir / "marked.dagitty"
    path.write_text("dag {\nU [latent]\ny [outcome]\na -> y -> x1\nc -> x1\nU -> c\n}\n")
    assert main(["roles", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "U": "outside", "y": "target", "a": "parent", "x1": "child", "c": "co-parent"}
    assert main(["roles", str(workdir / "graph.gml")]) == 2
    assert "pass --target" in capsys.readouterr().err
    # fit takes the same target without --target
    out = workdir / "marked.skcama"
    assert main(["fit", str(workdir / "train.csv"), "-g", str(path), "-o", str(out),
                 *FIT_OPTIONS]) == 0
    assert load_model(out).target_ == "y"
    assert main(["fit", str(workdir / "train.csv"), "-g", str(workdir / "graph.gml"), "-o",
                 str(out), *FIT_OPTIONS]) == 2
    assert "pass --target" in capsys.readouterr().err


# ------------------------------------------------------------------------ bad input
BAD_INPUT = [
    (["fit", "missing.csv", "-t", "y", "-o", "m.skcama"], "does not exist"),
    (["fit", "semicolon.csv", "-t", "y", "-o", "m.skcama"], "pass --sep ';'"),
    (["fit", "train.csv", "-t", "label", "-o", "m.skcama"], "target column 'label'"),
    (["fit", "train.csv", "-g", "graph.xyz", "-t", "y", "-o", "m.skcama"],
     "nor the path of a graph file (extensions .csv,"),
    (["predict", "foreign.pkl", "train.csv"], "not a skcama model file"),
]
BAD_INPUT_IDS = ["missing-file", "wrong-delimiter", "no-target", "graph-format", "foreign-model"]


@pytest.mark.parametrize(("sep", "suggested"), [(",", "--sep ','"), ("\t", "--sep $'\\t'")])
def test_a_table_read_as_one_column_names_its_delimiter(workdir, capsys, sep, suggested):
    X, y, _ = simple_sem(0, n=20)
    X.assign(y=y).to_csv(workdir / "table.txt", sep=sep, index=False)
    code = main(["fit", str(workdir / "table.txt"), "-t", "y", "-o", str(workdir / "m.skcama"),
                 "--sep", ";"])
    assert code == 2
    assert "reads as a single column with delimiter ';' but its header looks" in (
        error := capsys.readouterr().err
    )
    assert f"pass {suggested}" in error


def test_a_spreadsheet_export_with_semicolons_and_decimal_commas_gets_both_options(tmp_path):
    """Read with ',' a European export splits its numbers at the decimal commas into
    rows of uneven length: the parser's error comes with the two options to pass."""
    from skcama import cli

    path = tmp_path / "d.csv"
    path.write_text("age;crp;y\n61;17,9;a\n58,4;3,1;b\n")
    with pytest.raises(cli.UsageError, match=r"Expected 2 fields in line 3, saw 3; its header "
                                             r"looks ';'-separated, with a decimal comma in the "
                                             r"numbers; pass --sep ';' --decimal ','"):
        cli.read_table(path)
    frame = cli.read_table(path, sep=";", decimal=",")
    assert frame["age"].tolist() == [61.0, 58.4]
    # every data row with more fields than the one-column header: the same options
    path.write_text("age;crp;y\n61,2;17,9;a\n58,4;3,1;b\n")
    with pytest.raises(cli.UsageError, match=r"more fields than its header \(1\) with delimiter "
                                             r"',', but its header looks ';'-separated, with a "
                                             r"decimal comma in the numbers; pass --sep ';' "
                                             r"--decimal ','"):
        cli.read_table(path)


def test_decimal_commas_are_read_with_the_decimal_option(workdir, model, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    frame.to_csv(workdir / "commas.csv", sep=";", decimal=",", index=False)
    # as written, the continuous columns hold text: the file is refused as it is read,
    # naming a column and the option
    assert main(["predict", str(model), str(workdir / "commas.csv"), "--sep", ";",
                 "-o", str(workdir / "as_text.csv")]) == 2
    assert "holds numbers with decimal commas (e.g. '" in (err := capsys.readouterr().err)
    assert "with --decimal '.' (the default)" in err and err.endswith("pass --decimal ','.\n")
    assert not (workdir / "as_text.csv").exists()
    out = workdir / "commas_predictions.csv"
    assert main(["predict", str(model), str(workdir / "commas.csv"), "--sep", ";",
                 "--decimal", ",", "-o", str(out)]) == 0
    plain = workdir / "plain_predictions.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(plain))
    # comma-separated, with the decimal commas quoted: read as pandas reads it
    frame.to_csv(workdir / "quoted.csv", decimal=",", index=False)
    quoted = workdir / "quoted_predictions.csv"
    assert main(["predict", str(model), str(workdir / "quoted.csv"), "--decimal", ",",
                 "-o", str(quoted)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(quoted), pd.read_csv(plain))
    capsys.readouterr()
    assert main(["predict", str(model), str(workdir / "quoted.csv"), "--decimal", ",,"]) == 2
    assert "--decimal takes one character" in capsys.readouterr().err


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
    # the file is named: a run over several tables says which one lacks the column
    assert (f"the table {str(workdir / 'no_x2.csv')!r} lacks the columns ['x2']"
            in capsys.readouterr().err)


def test_predict_writes_the_format_its_output_names(model, workdir, capsys):
    # -o out.parquet once wrote CSV text under that name, which skcama could not read back
    csv = workdir / "formats.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(csv)]) == 0
    tsv = workdir / "formats.tsv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(tsv)]) == 0
    assert "\t" in tsv.read_text().splitlines()[0]
    pd.testing.assert_frame_equal(pd.read_csv(tsv, sep="\t"), pd.read_csv(csv))
    capsys.readouterr()
    for name in ("formats.xlsx", "formats"):  # refused before the table is read
        assert main(["predict", str(model), str(workdir / "nowhere.csv"), "-o",
                     str(workdir / name)]) == 2
        assert "cannot write" in capsys.readouterr().err
        assert not (workdir / name).exists()
    if importlib.util.find_spec("pyarrow") is not None:
        parquet = workdir / "formats.parquet"
        assert main(["predict", str(model), str(workdir / "train.csv"), "-o",
                     str(parquet)]) == 0
        pd.testing.assert_frame_equal(pd.read_parquet(parquet), pd.read_csv(csv))


def test_repeated_column_names_are_refused_also_names_read_as_missing(tmp_path):
    from skcama import cli

    path = tmp_path / "d.csv"
    path.write_text("\ufeffid,a,,b,\n007,1.5,x,2,\n008,2.5,y,3,\n")  # unnamed: not repeats
    frame = cli.read_table(path, text_columns=["id"])
    assert list(frame.columns) == ["id", "a", "Unnamed: 2", "b"]
    assert frame["id"].tolist() == ["007", "008"] and frame["a"].dtype == float
    path.write_text("NA,b,NA\n1,2,3\n")  # 'NA' is a name, not a missing value
    with pytest.raises(cli.UsageError, match=r"several columns named \['NA'\]"):
        cli.read_table(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [("a,b\n1,2\n3,4,5\n", 3), ("\n\na,b\n1,2\n3,4,5\n", 5),
     ('"a\nx",b\n1,2\n3,4,5\n', 3)],  # pandas counts a quoted line break in no line
    ids=["plain", "blank-lines-above-the-header", "line-break-in-a-name"],
)
def test_a_row_with_too_many_fields_is_named_by_its_line_in_the_file(tmp_path, text, line):
    from skcama import cli

    path = tmp_path / "d.csv"
    path.write_text(text)
    with pytest.raises(cli.UsageError, match=rf"with --sep ',': .*Expected 2 fields in line "
                                             rf"{line}, saw 3"):
        cli.read_table(path)


def test_out_sep_sets_the_delimiter_of_the_tables_written(model, workdir, capsys):
    data = str(workdir / "train.csv")
    plain = workdir / "sep_plain.csv"
    assert main(["predict", str(model), data, "-o", str(plain)]) == 0
    assert plain.read_text().startswith("predicted,proba_")  # the default is unchanged
    semicolons = workdir / "sep_semicolons.csv"
    assert main(["predict", str(model), data, "-o", str(semicolons), "--out-sep", ";"]) == 0
    assert semicolons.read_text().startswith("predicted;proba_")
    pd.testing.assert_frame_equal(pd.read_csv(semicolons, sep=";"), pd.read_csv(plain))
    capsys.readouterr()
    assert main(["predict", str(model), data, "--out-sep", "\\t"]) == 0  # typed as \t
    written = capsys.readouterr().out
    assert written.startswith("predicted\tproba_")
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(written), sep="\t"),
                                  pd.read_csv(plain))
    table = workdir / "sep_evaluation.csv"
    assert main(["evaluate", str(model), data, "-t", "y", "-o", str(table),
                 "--out-sep", ";"]) == 0
    assert table.read_text().splitlines()[0] == "test data;accuracy;log loss;rows"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["predict", "m.skcama", "train.csv", "-o", "p.parquet", "--out-sep", ";"],
         "--out-sep ';': 'p.parquet' is a Parquet file, which has no delimiter; drop "
         "--out-sep, or name a .csv file"),
        (["predict", "m.skcama", "train.csv", "-o", "p.tsv", "--out-sep", ";"],
         "a .tsv file is tab-separated, as 'p.tsv' says; name a .csv file (e.g. 'p.csv')"),
        (["evaluate", "m.skcama", "train.csv", "-t", "y", "--out-sep", ";"],
         "--out-sep ';' sets the delimiter of the table written with -o/--output"),
    ],
    ids=["parquet", "tsv", "evaluate-without-output"],
)
def test_out_sep_that_cannot_apply_is_refused_before_any_work(
    tmp_path, monkeypatch, capsys, args, message
):
    import skcama.cli as cli

    def work(*args, **kwargs):
        raise RuntimeError("the command started working before checking --out-sep")

    monkeypatch.setattr(cli, "read_table", work)
    monkeypatch.setattr(cli, "_load_model", work)
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("sep", "message"),
    [(";;", "expected one character, such as ';' or '\\t' for a tab; got ';;'"),
     (".", "'.' would be confused with the numbers, signs or quotes of the fields")],
)
def test_out_sep_takes_one_character_that_is_not_part_of_a_number(sep, message, capsys):
    assert main(["predict", "m.skcama", "d.csv", "--out-sep", sep]) == 2
    assert f"argument --out-sep: {message}" in capsys.readouterr().err


def test_a_saved_row_index_or_repeated_header_is_refused(model, workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    frame.to_csv(workdir / "indexed.csv")  # the row index as a column without a name
    # read as a measurement without a graph: refused
    assert main(["fit", str(workdir / "indexed.csv"), "-t", "y", "-o",
                 str(workdir / "indexed.skcama"), *FIT_OPTIONS]) == 2
    assert "column without a name ('Unnamed: 0')" in capsys.readouterr().err
    out = workdir / "indexed_predictions.csv"
    assert main(["predict", str(model), str(workdir / "indexed.csv"), "--id", "Unnamed: 0",
                 "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == len(frame)
    # a model that does not read it predicts as without it, as with any extra column
    # (it was refused as 'read as a measurement'); trailing empty columns are dropped
    plain, indexed = workdir / "plain_predictions.csv", workdir / "unnamed_predictions.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    assert main(["predict", str(model), str(workdir / "indexed.csv"), "-o", str(indexed)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(indexed), pd.read_csv(plain))
    lines = (workdir / "train.csv").read_text().splitlines()
    (workdir / "trailing.csv").write_text("\n".join(line + ",," for line in lines) + "\n")
    assert main(["predict", str(model), str(workdir / "trailing.csv"), "-o", str(indexed)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(indexed), pd.read_csv(plain))
    text = (workdir / "train.csv").read_text().splitlines()
    header = text[0].split(",")
    header[1] = header[0]  # two columns named alike: pandas would rename one 'a.1'
    (workdir / "repeated.csv").write_text("\n".join([",".join(header), *text[1:]]) + "\n")
    capsys.readouterr()
    assert main(["predict", str(model), str(workdir / "repeated.csv")]) == 2
    assert f"several columns named ['{header[0]}']" in capsys.readouterr().err


def test_target_advice_names_the_option(workdir, capsys):
    assert main(["roles", str(workdir / "graph.gml"), "-t", "nope"]) == 2
    err = capsys.readouterr().err
    assert "not a node of the graph" in err and "Pass --target <the target's node name>" in err
    assert "target=" not in err


def test_debug_adds_the_traceback_and_keeps_the_exit_code(workdir, capsys):
    code = main(["--debug", "roles", str(workdir / "graph.gml"), "-t", "nope"])
    assert code == 2  # a usage error, as without --debug
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "GraphError" in err
    assert "skcama roles: error:" in err and "not a node of the graph" in err


def test_debug_on_a_failure_of_skcama_prints_the_traceback_once(workdir, capsys,
                                                                 monkeypatch):
    import skcama.cli as cli

    def broken(args):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_roles", broken)
    assert main(["roles", str(workdir / "graph.gml"), "-t", "y"]) == 1
    assert "(run with --debug for the traceback)" in capsys.readouterr().err
    assert main(["--debug", "roles", str(workdir / "graph.gml"), "-t", "y"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "RuntimeError: boom" in err
    assert "run with --debug" not in err


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command, capsys):
    assert main([command, "--help"]) == 0
    assert "usage: skcama " + command in capsys.readouterr().out


def test_version_is_the_packages(capsys):
    import skcama

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"skcama {skcama.__version__}\n"


def test_version_and_help_answer_without_importing_torch_or_causal_learn():
    # torch alone takes seconds to import; --version and --help need neither it nor
    # causal-learn, and `import skcama` defers both to the first use of a public name.
    code = (
        "import sys, contextlib, io\n"
        "import skcama\n"
        "from skcama.cli import main\n"
        "for args in (['--version'], ['--help'], ['discover', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main(args)\n"
        "print(sorted(m for m in ('torch', 'causallearn', 'sklearn') if m in sys.modules))\n"
        "print(skcama.CAMAClassifier.__name__, 'torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["[]", "CAMAClassifier True"]


def test_usage_errors_exit_2(capsys):
    """Returned by main, not raised: a notebook calling main gets the code."""
    assert main(["fit", "train.csv"]) == 2  # no --target / --output
    assert main(["no-such-command"]) == 2
    assert main(["demo", "--n-train", "0"]) == 2
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
    assert main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "y",
                 "--shift", "y=+1"]) == 2
    assert "'y' is the target; changing the label" in capsys.readouterr().err


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


def test_a_column_with_a_roles_name_is_shifted_only_when_named_as_a_column():
    """A column called 'children' (a count of them, in an insurance table): the bare name
    shifted every child instead, with no word of it; now it is ambiguous, and column: /
    role: say which."""
    from types import SimpleNamespace

    from skcama.cli import UsageError, parse_shift
    from skcama.graph import markov_blanket_roles

    roles = markov_blanket_roles({"bmi": ["high"], "charges": ["high", "children"]}, "high")
    clf = SimpleNamespace(
        roles_=roles,
        scaler_=SimpleNamespace(scale=np.arange(1.0, len(roles.blanket) + 1),
                                kinds=("gaussian",) * len(roles.blanket)),
    )
    scale = dict(zip(roles.blanket, clf.scaler_.scale, strict=True))
    with pytest.raises(UsageError, match=r"'children' is both a column of the model and a "
                                         r"role; write column:children=AMOUNT"):
        parse_shift(["children=+3"], clf)
    assert parse_shift(["column:children=+3"], clf) == {"children": 3 * scale["children"]}
    assert parse_shift(["role:children=+1"], clf) == {"bmi": scale["bmi"],
                                                      "charges": scale["charges"]}
    assert parse_shift(["role: coparents=+1"], clf) == {"children": scale["children"]}
    with pytest.raises(UsageError, match="'kids' is not a role"):
        parse_shift(["role:kids=+1"], clf)
    # where no column has a role's name, the bare role and column names work as before
    assert parse_shift(["bmi=+1", "coparents=+1"], clf) == {
        "bmi": scale["bmi"], "children": scale["children"]}


# ------------------------------------------------------------------- python -m skcama
def test_python_dash_m_skcama_runs_the_console_entry_point(tmp_path):
    result = subprocess.run([sys.executable, "-m", "skcama", "--help"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: skcama")
    result = subprocess.run([sys.executable, "-m", "skcama", "roles", "missing.gml", "-t", "y"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 2  # the exit code of main, not just 0 / 1
    assert "skcama roles: error:" in result.stderr


# ------------------------------------------------------------- outputs checked first
BAD_OUTPUTS = [
    (["fit", "train.csv", "-t", "y", "-o", "out"], "--output 'out' is a folder"),
    (["fit", "train.csv", "-t", "y", "-o", "afile/m.skcama"], "'afile' is a file, not a folder"),
    (["adapt", "m.skcama", "train.csv", "-o", "out"], "--output 'out' is a folder"),
    (["predict", "m.skcama", "train.csv", "-o", "out"], "--output 'out' is a folder"),
    (["evaluate", "m.skcama", "train.csv", "-t", "y", "-o", "out"], "--output 'out' is a folder"),
    (["evaluate", "m.skcama", "train.csv", "-t", "y", "--figure", "fig.txt"],
     "matplotlib cannot write '.txt' files; end the name with one of"),
    (["evaluate", "m.skcama", "train.csv", "-t", "y", "--figure", "fig"],
     "matplotlib cannot write a name without an extension"),
    (["demo", "--figure", "demo.txt"], "matplotlib cannot write '.txt' files"),
    (["discover", "train.csv", "-t", "y", "-o", "out.gml"], "--output 'out.gml' is a folder"),
    (["fit", "train.csv", "-t", "y", "-o", "newdir/"],
     "--output 'newdir/' names a folder (it ends with a slash)"),
]
BAD_OUTPUT_IDS = ["fit-folder", "fit-below-a-file", "adapt-folder", "predict-folder",
                  "evaluate-table-folder", "evaluate-figure-txt", "evaluate-figure-no-suffix",
                  "demo-figure-txt", "discover-folder", "fit-trailing-slash"]


@pytest.mark.parametrize(("args", "message"), BAD_OUTPUTS, ids=BAD_OUTPUT_IDS)
def test_a_bad_output_path_fails_before_reading_data_or_a_model(
    tmp_path, monkeypatch, capsys, args, message
):
    import skcama.cli as cli
    import skcama.datasets

    started = []

    def work(*args, **kwargs):
        started.append(args)
        raise RuntimeError("the command started working before checking its outputs")

    monkeypatch.setattr(cli, "read_table", work)
    monkeypatch.setattr(cli, "_load_model", work)
    monkeypatch.setattr(skcama.datasets, "SyntheticSEM", work)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out.gml").mkdir()
    (tmp_path / "afile").write_text("not a folder")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert started == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "out", "out.gml"]
    assert list((tmp_path / "out").iterdir()) == []


def test_fit_to_a_folder_fails_without_training(workdir):
    (workdir / "model_folder").mkdir(exist_ok=True)
    result = run_cli("fit", workdir / "train.csv", "-g", workdir / "graph.gml", "-t", "y",
                     "-o", workdir / "model_folder", "--max-epochs", "1")
    assert result.returncode == 2
    assert "is a folder; name a file to write instead" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # no max_epochs warning: no training
    assert "fitted" not in result.stdout and list((workdir / "model_folder").iterdir()) == []


def test_evaluate_creates_the_folders_of_its_outputs(model, workdir):
    table = workdir / "new" / "tables" / "scores.csv"
    figure = workdir / "new" / "figures" / "eval.svg"
    assert main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "y",
                 "-o", str(table), "--figure", str(figure)]) == 0
    assert pd.read_csv(table)["test data"].tolist() == ["as given"]
    assert figure.read_text().lstrip().startswith("<?xml")


# ----------------------------------------------------------------------- --set values
@pytest.mark.parametrize(
    "item, name, value",
    [('column_types={"x2": "categorical"}', "column_types", {"x2": "categorical"}),
     ("device=cpu", "device", "cpu"),
     ('device="cuda:0"', "device", "cuda:0"),
     ("batch_size=auto", "batch_size", "auto"),
     ("hidden_size=16", "hidden_size", 16),
     ("learning_rate=1e-3", "learning_rate", 1e-3),
     ("tol=.5", "tol", 0.5),
     ("clean_prior=null", "clean_prior", None),
     ("clean_prior=None", "clean_prior", None)],
)
def test_set_values_are_read_as_json_else_as_text(item, name, value):
    from skcama.cli import _estimator_params

    args = build_parser().parse_args(["fit", "d.csv", "-t", "y", "-o", "m.skcama",
                                      "--set", item])
    params = _estimator_params(args)
    assert params[name] == value and type(params[name]) is type(value)


def test_set_column_types_reaches_the_fitted_model(workdir):
    frame = pd.read_csv(workdir / "train.csv").assign(x2=lambda f: f["x2"].round())
    assert frame["x2"].nunique() <= 10  # whole numbers: categorical without column_types
    frame.to_csv(workdir / "rounded.csv", index=False)
    out = workdir / "rounded.skcama"
    assert main(["fit", str(workdir / "rounded.csv"), "-g", str(workdir / "graph.gml"),
                 "-t", "y", "-o", str(out), *FIT_OPTIONS,
                 "--set", 'column_types={"x2": "gaussian"}', "--set", "device=cpu"]) == 0
    fitted = load_model(out)
    assert fitted.column_types_["x2"] == "gaussian" and fitted.device == "cpu"


def test_a_model_file_does_not_depend_on_whether_fit_ran_in_a_terminal(workdir, monkeypatch):
    out = workdir / "terminal.skcama"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # progress bars during fit
    options = [o for o in FIT_OPTIONS if o != "-q"]
    assert main(["fit", str(workdir / "train.csv"), "-g", str(workdir / "graph.gml"),
                 "-t", "y", "-o", str(out), *options]) == 0
    assert load_model(out).verbose == 0


def test_fit_weight_column_is_kept_out_of_the_model_and_weights_the_rows(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    weights = np.where(frame["y"] == "high", 0.0, 1.0)  # zero weight: the rows are left out
    frame.assign(w=weights).to_csv(workdir / "weighted.csv", index=False)
    out = workdir / "weighted.skcama"
    assert main(["fit", str(workdir / "weighted.csv"), "-g", str(workdir / "graph.gml"),
                 "-t", "y", "-o", str(out), *FIT_OPTIONS, "--weight", "w"]) == 0
    assert f"on {int((weights > 0).sum())} rows (weight > 0), weighted by 'w'" in (
        capsys.readouterr().out)
    fitted = load_model(out)
    assert "w" not in fitted.feature_names_in_
    assert fitted.classes_.tolist() == ["low", "mid"]
    clf = CAMAClassifier(graph=read_graph(workdir / "graph.gml"), target="y", max_epochs=3,
                         hidden_size=16, n_samples=4, adapt_steps=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(frame.drop(columns="y"), frame["y"], sample_weight=weights)
    np.testing.assert_allclose(fitted.predict_proba(frame), clf.predict_proba(frame),
                               rtol=0, atol=1e-12)


def test_fit_takes_class_weights_through_set(workdir, capsys):
    out = workdir / "balanced.skcama"
    assert main(["fit", str(workdir / "train.csv"), "-g", str(workdir / "graph.gml"),
                 "-t", "y", "-o", str(out), *FIT_OPTIONS,
                 "--set", 'class_weight={"high": 2.0}']) == 0
    assert load_model(out).class_weight == {"high": 2.0}
    code = main(["fit", str(workdir / "train.csv"), "-t", "y", "-o", str(out), *FIT_OPTIONS,
                 "--set", 'class_weight={"severe": 2.0}'])
    assert code == 2
    assert "class_weight names the class 'severe', which is not a class of y; the classes " \
           "are ['high', 'low', 'mid']" in capsys.readouterr().err


def test_fit_takes_discovery_params_through_set(workdir, capsys):
    out = workdir / "discovered.skcama"
    assert main(["fit", str(workdir / "train.csv"), "-g", "pc", "-t", "y", "-o", str(out),
                 *FIT_OPTIONS, "--set", 'discovery_params={"target_alpha": 0.02}']) == 0
    fitted = load_model(out)
    assert fitted.discovery_params == {"target_alpha": 0.02}
    assert fitted.graph_.graph["target_alpha"] == 0.02
    code = main(["fit", str(workdir / "train.csv"), "-g", "pc", "-t", "y", "-o", str(out),
                 *FIT_OPTIONS, "--set", 'discovery_params={"alpa": 0.02}'])
    assert code == 2
    assert "key 'alpa', which is not one of" in capsys.readouterr().err


def test_fit_with_a_mistyped_discovery_method_suggests_the_method(workdir, capsys):
    code = main(["fit", str(workdir / "train.csv"), "-g", "pcc", "-t", "y", "-o",
                 str(workdir / "never.skcama"), *FIT_OPTIONS])
    assert code == 2
    err = capsys.readouterr().err
    assert "neither a discovery method" in err and "Did you mean 'pc'?" in err
    assert not (workdir / "never.skcama").exists()


def test_class_weight_keys_from_json_name_numeric_labels(workdir):
    frame = pd.read_csv(workdir / "train.csv")
    codes = frame.assign(y=frame["y"].map({"low": 0, "mid": 1, "high": 2}))
    codes.to_csv(workdir / "coded.csv", index=False)
    out = workdir / "coded.skcama"
    assert main(["fit", str(workdir / "coded.csv"), "-t", "y", "-o", str(out), *FIT_OPTIONS,
                 "--set", 'class_weight={"2": 3.0}']) == 0
    assert load_model(out).class_weight == {2: 3.0}


@pytest.mark.parametrize("weight, extra, message", [
    ("wt", [], "--weight 'wt' is not in"), ("y", [], "--weight 'y' is the target"),
    ("w", ["--id", "w"], "--weight 'w' is also given as --id"),
    ("v", [], "must hold a finite, non-negative number in every row; 1 row does not (row 5: "
              "-1.0; data rows, counting from 1 below the header)")])
def test_fit_weight_column_errors_name_the_column(workdir, capsys, weight, extra, message):
    frame = pd.read_csv(workdir / "train.csv")
    frame.assign(w=1.0, v=np.where(np.arange(len(frame)) == 4, -1.0, 1.0)).to_csv(
        workdir / "weighted_bad.csv", index=False)
    code = main(["fit", str(workdir / "weighted_bad.csv"), "-t", "y", "-o",
                 str(workdir / "never.skcama"), *FIT_OPTIONS, "--weight", weight, *extra])
    assert code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("item, flag", [("graph=g.gml", "-g/--graph"), ("target=y", "-t/--target"),
                                        ("max_epochs=5", "--max-epochs"),
                                        ("random_state=1", "--random-state"),
                                        ("verbose=0", "-q/--quiet")])
def test_set_of_an_option_with_its_own_flag_names_the_flag(workdir, capsys, item, flag):
    code = main(["fit", str(workdir / "train.csv"), "-t", "y", "-o", "m.skcama",
                 "--set", item])
    assert code == 2
    err = capsys.readouterr().err
    assert f"is given with {flag}, not with --set" in err
    assert "has no option" not in err


# ---------------------------------------------------------------- header, no rows
@pytest.mark.parametrize("command", ["fit", "predict", "adapt", "evaluate", "discover"])
def test_a_table_without_rows_exits_2_whatever_the_command(model, workdir, capsys, command):
    empty = workdir / "header_only.csv"
    pd.read_csv(workdir / "train.csv").head(0).to_csv(empty, index=False)
    args = {
        "fit": ["fit", str(empty), "-t", "y", "-o", str(workdir / "empty.skcama")],
        "predict": ["predict", str(model), str(empty)],
        "adapt": ["adapt", str(model), str(empty), "-o", str(workdir / "empty.skcama")],
        "evaluate": ["evaluate", str(model), str(empty), "-t", "y"],
        "discover": ["discover", str(empty), "-t", "y", "-o", str(workdir / "empty.gml")],
    }[command]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == (
        f"skcama {command}: error: data file {str(empty)!r} has no data rows (only a header); "
        "pass a table with at least one row."
    )
    assert captured.out == ""
    assert not (workdir / "empty.skcama").exists() and not (workdir / "empty.gml").exists()


def test_evaluate_on_a_table_without_rows_prints_no_numpy_warnings(model, workdir):
    empty = workdir / "header_only.csv"
    pd.read_csv(workdir / "train.csv").head(0).to_csv(empty, index=False)
    result = run_cli("evaluate", model, empty, "-t", "y")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("has no data rows (only a header); pass a table "
                                          "with at least one row.")
    assert len(result.stderr.strip().splitlines()) == 1 and "warning" not in result.stderr


def test_progress_bars_only_on_a_terminal(monkeypatch):
    from skcama import cli

    args = build_parser().parse_args(["fit", "d.csv", "-t", "y", "-o", "m.skcama"])
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: False, raising=False)
    assert cli._estimator_params(args)["verbose"] == 0  # a log file gets no redrawn bar
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True, raising=False)
    assert cli._estimator_params(args)["verbose"] == 1
    quiet = build_parser().parse_args(["fit", "d.csv", "-t", "y", "-o", "m.skcama", "-q"])
    assert cli._estimator_params(quiet)["verbose"] == 0


def test_id_columns_stay_out_of_the_model_and_come_back_with_the_predictions(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    frame.insert(0, "patient_id", [f"{i:05d}" for i in range(len(frame))])  # 00000, 00001
    frame.loc[3, "patient_id"] = ""  # one id missing
    frame.to_csv(workdir / "with_ids.csv", index=False)
    model_file = workdir / "ids.skcama"
    assert main(["fit", str(workdir / "with_ids.csv"), "-t", "y", "-o", str(model_file),
                 "--id", "patient_id", *FIT_OPTIONS]) == 0
    assert "patient_id" not in load_model(model_file).roles_.blanket  # not a child
    out = workdir / "predictions.csv"
    assert main(["predict", str(model_file), str(workdir / "with_ids.csv"),
                 "--id", "patient_id", "-o", str(out)]) == 0
    written = pd.read_csv(out, dtype={"patient_id": str}, keep_default_na=False)
    assert list(written.columns[:2]) == ["patient_id", "predicted"]
    assert written["patient_id"].tolist() == frame["patient_id"].tolist()  # as written
    # the same predictions as without --id, row for row
    without = workdir / "predictions_without_id.csv"
    assert main(["predict", str(model_file), str(workdir / "train.csv"), "-o", str(without)]) == 0
    pd.testing.assert_frame_equal(written.drop(columns="patient_id"), pd.read_csv(without))
    capsys.readouterr()
    assert main(["predict", str(model_file), str(workdir / "with_ids.csv"),
                 "--id", "pid"]) == 2
    assert "--id 'pid' is not a column of" in capsys.readouterr().err


def test_discover_takes_background_knowledge_and_complete_rows(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    frame.loc[::10, "x1"] = np.nan
    frame.to_csv(workdir / "holes.csv", index=False)
    out = workdir / "discovered.gml"
    assert main(["discover", str(workdir / "holes.csv"), "-t", "y", "-o", str(out)]) == 2
    assert "pass --complete-rows" in capsys.readouterr().err
    assert main(["discover", str(workdir / "holes.csv"), "-t", "y", "-o", str(out),
                 "--complete-rows"]) == 0
    plain = read_graph(out)
    # what the data say on their own (x1 -> y: the wrong way round)
    assert plain.has_edge("y", "x2") and plain.has_edge("x1", "y")
    assert not plain.has_edge("a", "x3")
    code = main(["discover", str(workdir / "holes.csv"), "-t", "y", "-o", str(out),
                 "--complete-rows", "--require", "a", "x3", "--forbid", "y", "x2",
                 "--tier", "a,y", "--tier", "x1"])
    assert code == 0
    assert ("skcama discover: warning: discovering on the 180 complete rows of 200"
            in capsys.readouterr().err)  # prefixed like the errors
    graph = read_graph(out)
    assert graph.has_edge("a", "x3")  # required
    assert not graph.has_edge("y", "x2")  # forbidden
    assert not graph.has_edge("x1", "y")  # x1 in a later tier cannot cause y


def test_numbers_with_the_other_decimal_mark_are_refused_naming_the_column(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    # dot decimals read with --decimal ',': every measurement would become a label
    assert main(["fit", str(workdir / "train.csv"), "-g", str(workdir / "graph.gml"), "-t",
                 "y", "--decimal", ",", "-o", str(workdir / "never.skcama")]) == 2
    err = capsys.readouterr().err
    assert "column 'a' of" in err and "holds numbers with decimal points (e.g. '" in err
    assert "leave --decimal out" in err and not (workdir / "never.skcama").exists()
    # discovery reads every column: the same refusal, before any test runs
    frame.to_csv(workdir / "commas_discover.csv", sep=";", decimal=",", index=False)
    assert main(["discover", str(workdir / "commas_discover.csv"), "--sep", ";", "-t", "y",
                 "-o", str(workdir / "never.gml"), "-q"]) == 2
    assert "holds numbers with decimal commas" in capsys.readouterr().err


def test_whole_numbers_beside_decimal_commas_are_refused_naming_the_mark(tmp_path, capsys):
    """'39' beside '37,5': the whole numbers alone looked like a few labels, and the
    column was fitted as one level per value, although such a column is documented to
    be refused."""
    rng = np.random.default_rng(0)
    temperature = np.round(rng.normal(37.5, 1.0, 100) * 2) / 2
    temperature[::3] = np.round(temperature[::3])
    path = tmp_path / "temp.csv"
    pd.DataFrame({
        "temp": [f"{t:.0f}" if t % 1 == 0 else f"{t:.1f}".replace(".", ",")
                 for t in temperature],
        "y": rng.integers(0, 2, 100),
    }).to_csv(path, index=False)
    assert main(["fit", str(path), "-t", "y", "-o", str(tmp_path / "never.skcama")]) == 2
    err = capsys.readouterr().err
    assert "column 'temp' of" in err
    assert "its numbers have the decimal mark ',' (the others are whole numbers); pass " \
        "--decimal ',' if the file writes every number so" in err


def test_none_is_a_value_in_a_text_column_and_missing_among_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("cough,crp,lab\nNone,None,NULL\nMild,3.5,4\nSevere,,#N/A\nNone,1,N/A\n")
    frame = read_table(path)
    assert frame["cough"].tolist() == ["None", "Mild", "Severe", "None"]  # a level
    assert frame["crp"].dtype.kind == "f" and frame["crp"].isna().tolist() == [
        True, False, True, False]
    assert frame["lab"].isna().tolist() == [True, False, True, True]  # pandas' codes
    named = read_table(path, na_values=["None"])
    assert named["cough"].isna().tolist() == [True, False, False, True]
    # a file whose column holds None alone (one patient's row) keeps it as a value
    (tmp_path / "one.csv").write_text("cough,crp\nNone,0.5\nNone,\n")
    assert read_table(tmp_path / "one.csv")["cough"].tolist() == ["None", "None"]


def test_missing_value_codes_are_refused_or_flagged_and_read_with_na_values(
    workdir, model, capsys
):
    frame = pd.read_csv(workdir / "train.csv")
    dotted = frame.astype({"x1": object})
    dotted.loc[[3, 8], "x1"] = "."  # the missing code of SAS and Stata exports
    dotted.to_csv(workdir / "dotted.csv", index=False)
    assert main(["predict", str(model), str(workdir / "dotted.csv")]) == 2
    err = capsys.readouterr().err
    assert "column 'x1' of" in err and "holds numbers and also the text ['.'] (2 rows)" in err
    assert "pass --na-values '.'" in err
    # read with the code, the rows are those of the table with empty fields
    read = workdir / "dotted_predictions.csv"
    assert main(["predict", str(model), str(workdir / "dotted.csv"), "--na-values", ".",
                 "-o", str(read)]) == 0
    frame.loc[[3, 8], "x1"] = np.nan
    frame.to_csv(workdir / "empty.csv", index=False)
    empty = workdir / "empty_predictions.csv"
    assert main(["predict", str(model), str(workdir / "empty.csv"), "-o", str(empty)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(read), pd.read_csv(empty))
    # a number code is a value to pandas: fit warns, in the command line's words
    coded = pd.read_csv(workdir / "train.csv")
    coded.loc[coded.index[:6], "x2"] = -999
    coded.to_csv(workdir / "coded.csv", index=False)
    capsys.readouterr()
    assert main(["fit", str(workdir / "coded.csv"), "-g", str(workdir / "graph.gml"), "-t",
                 "y", "-o", str(workdir / "coded.skcama"), *FIT_OPTIONS]) == 0
    err = capsys.readouterr().err
    assert "column 'x2' holds -999 in 6 rows, far outside its other values" in err
    assert "If it is one, read the file with --na-values -999." in err
    assert main(["fit", str(workdir / "coded.csv"), "-g", str(workdir / "graph.gml"), "-t",
                 "y", "-o", str(workdir / "coded.skcama"), "--na-values", "-999",
                 *FIT_OPTIONS]) == 0
    assert "-999" not in capsys.readouterr().err


def test_labels_that_are_partly_numbers_stay_labels(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    stage = np.array(["1", "2", "3a", "3b"])[np.arange(len(frame)) % 4]
    frame.assign(x3=stage).to_csv(workdir / "stages.csv", index=False)
    out = workdir / "stages.skcama"
    assert main(["fit", str(workdir / "stages.csv"), "-g", str(workdir / "graph.gml"), "-t",
                 "y", "-o", str(out), *FIT_OPTIONS]) == 0
    assert load_model(out).scaler_.kinds_of(["x3"]) == ("categorical",)


def test_a_file_in_another_encoding_is_named_and_read_with_encoding(workdir, model, capsys):
    frame = pd.read_csv(workdir / "train.csv").rename(columns={"o": "âge"})
    frame.to_csv(workdir / "latin.csv", index=False, encoding="cp1252")
    assert main(["predict", str(model), str(workdir / "latin.csv")]) == 2
    err = capsys.readouterr().err
    at = (workdir / "latin.csv").read_bytes().index(b"\xe2")  # in the header: line 1
    assert f"is not UTF-8 text (byte 0xe2 on line 1, byte {at} of the file)" in err
    assert "--encoding cp1252" in err
    # a byte further down is named by its line too (the position counted from the part
    # pandas was decoding: 0 or 1 for a byte well inside the file)
    lines = (workdir / "train.csv").read_bytes().splitlines(keepends=True)
    lines[40] = lines[40].replace(b",", b",\xe9", 1)
    (workdir / "late.csv").write_bytes(b"".join(lines))
    assert main(["predict", str(model), str(workdir / "late.csv")]) == 2
    at = b"".join(lines).index(b"\xe9")
    assert f"(byte 0xe9 on line 41, byte {at} of the file)" in capsys.readouterr().err
    assert "--sep" not in err
    out = workdir / "latin_predictions.csv"
    assert main(["predict", str(model), str(workdir / "latin.csv"), "--encoding", "cp1252",
                 "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == len(frame)
    assert main(["predict", str(model), str(workdir / "latin.csv"), "--encoding",
                 "no-such-codec"]) == 2
    assert "--encoding: unknown encoding" in capsys.readouterr().err


def test_an_empty_last_column_from_a_trailing_delimiter_is_dropped(workdir, model, capsys):
    lines = (workdir / "train.csv").read_text().splitlines()
    (workdir / "trailing.csv").write_text("".join(f"{line},\n" for line in lines))
    out = workdir / "trailing_predictions.csv"
    assert main(["predict", str(model), str(workdir / "trailing.csv"), "-o", str(out)]) == 0
    plain = workdir / "trailing_plain.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(plain))


def test_dates_are_refused_where_the_model_reads_them(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(len(frame)), unit="D")
    visit = pd.Series(days.strftime("%d/%m/%Y"))
    frame.assign(visit=visit).to_csv(workdir / "visits.csv", index=False)
    # without a graph every column is a child: the date is refused, naming the fix
    assert main(["fit", str(workdir / "visits.csv"), "-t", "y",
                 "-o", str(workdir / "never.skcama")]) == 2
    err = capsys.readouterr().err
    assert "column 'visit' of" in err and "holds dates (e.g. '01/01/2024')" in err
    assert "--id 'visit'" in err
    # with a graph without the column, it is ignored as any column outside the graph
    assert main(["fit", str(workdir / "visits.csv"), "-g", str(workdir / "graph.gml"), "-t",
                 "y", "-o", str(workdir / "visits.skcama"), *FIT_OPTIONS]) == 0
    assert "not nodes of the graph" in capsys.readouterr().err


def test_id_naming_the_target_or_a_near_name_is_refused_with_the_fix(workdir, capsys):
    base = ["fit", str(workdir / "train.csv"), "-g", str(workdir / "graph.gml"), "-t", "y",
            "-o", str(workdir / "never.skcama")]
    assert main([*base, "--id", "y"]) == 2
    assert "--id 'y' names the target column" in capsys.readouterr().err
    assert main([*base, "--id", "X1"]) == 2
    assert "Did you mean 'x1'?" in capsys.readouterr().err


def test_rows_without_a_label_are_named_as_such(workdir, model, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    frame.loc[[0, 4], "y"] = np.nan
    frame.to_csv(workdir / "unlabelled.csv", index=False)
    for command in (["evaluate", str(model)], ["fit"]):
        args = [*command, str(workdir / "unlabelled.csv"), "-t", "y"]
        if command == ["fit"]:
            args += ["-g", str(workdir / "graph.gml"), "-o", str(workdir / "never.skcama")]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "target column 'y' of" in err and "has no label in 2 rows (data rows 1, 5," in err
        assert "nan" not in err


def test_unseen_categories_take_handle_unknown_on_the_command_line(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    frame["x3"] = np.where(frame["x3"] > 0, "high", "low")
    frame.to_csv(workdir / "levels.csv", index=False)
    model = workdir / "levels.skcama"
    assert main(["fit", str(workdir / "levels.csv"), "-g", str(workdir / "graph.gml"), "-t",
                 "y", "-o", str(model), *FIT_OPTIONS]) == 0
    frame.loc[[2, 5], "x3"] = "unmeasured"
    frame.to_csv(workdir / "new_level.csv", index=False)
    capsys.readouterr()
    assert main(["predict", str(model), str(workdir / "new_level.csv")]) == 2
    assert "or pass --handle-unknown missing to treat them" in capsys.readouterr().err
    out = workdir / "new_level_predictions.csv"
    assert main(["predict", str(model), str(workdir / "new_level.csv"), "--handle-unknown",
                 "missing", "-o", str(out)]) == 0
    clf = load_model(model).set_params(handle_unknown="missing")
    expected = clf.predict_proba(frame.drop(columns="y"))
    np.testing.assert_allclose(pd.read_csv(out).filter(like="proba_").to_numpy(), expected,
                               rtol=1e-6, atol=1e-9)
    # adapt reads the rows with the flag; the model it writes keeps the model's setting
    adapted = workdir / "levels_adapted.skcama"
    assert main(["adapt", str(model), str(workdir / "new_level.csv"), "--handle-unknown",
                 "missing", "--steps", "2", "-o", str(adapted)]) == 0
    assert load_model(adapted).handle_unknown == load_model(model).handle_unknown == "error"


# ------------------------------------------------------------- outputs and positions
@pytest.fixture(scope="module")
def fitted_model(workdir):
    out = workdir / "base.skcama"
    assert main(["fit", str(workdir / "train.csv"), "-t", "y", "-g", str(workdir / "graph.gml"),
                 "-o", str(out), *FIT_OPTIONS]) == 0
    return out


@pytest.mark.parametrize("command", ["fit", "predict", "adapt", "evaluate"])
def test_an_output_that_is_the_input_is_refused_and_the_input_kept(workdir, fitted_model,
                                                                   capsys, command):
    data = workdir / f"victim_{command}.csv"
    data.write_bytes((workdir / "train.csv").read_bytes())
    before = data.read_bytes()
    args = {"fit": ["fit", data, "-t", "y", "-o", data, *FIT_OPTIONS],
            "predict": ["predict", fitted_model, data, "-o", data],
            "adapt": ["adapt", fitted_model, data, "-o", data],
            "evaluate": ["evaluate", fitted_model, data, "-t", "y", "-o", data]}[command]
    assert main(list(map(str, args))) == 2
    assert "is the input file" in capsys.readouterr().err
    assert data.read_bytes() == before


def test_a_model_file_named_as_a_table_is_refused(workdir, fitted_model, capsys):
    assert main(["adapt", str(fitted_model), str(workdir / "train.csv"), "-o",
                 str(workdir / "adapted.csv")]) == 2
    assert "a model file is a zip archive, not a '.csv' file" in capsys.readouterr().err
    assert not (workdir / "adapted.csv").exists()


def test_parquet_output_without_an_engine_is_refused_before_the_work(workdir, fitted_model,
                                                                    capsys, monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert main(["predict", str(fitted_model), str(workdir / "train.csv"), "-o",
                 str(workdir / "out.parquet")]) == 2
    assert "needs pyarrow" in capsys.readouterr().err


def test_an_id_that_the_model_reads_is_named_so(workdir, fitted_model, capsys):
    assert main(["predict", str(fitted_model), str(workdir / "train.csv"), "--id", "x1"]) == 2
    assert "--id 'x1' names a column the model reads" in capsys.readouterr().err


def test_a_model_fitted_on_an_array_reads_a_table_by_its_header_positions(workdir, capsys):
    from skcama import CAMAClassifier

    X, y, _ = simple_sem(3, n=150)
    values = X[["a", "c", "x1"]].to_numpy()
    model = workdir / "positions.skcama"
    CAMAClassifier(max_epochs=2, random_state=0).fit(values, y).save(model)
    expected = load_model(model).predict_proba(values)
    table = pd.DataFrame(values)
    table[[2, 0, 1]].to_csv(workdir / "shuffled.csv", index=False)  # header 2,0,1
    out = workdir / "positions.csv"
    assert main(["predict", str(model), str(workdir / "shuffled.csv"), "-o", str(out)]) == 0
    got = pd.read_csv(out).filter(like="proba_").to_numpy()
    np.testing.assert_allclose(got, expected, atol=1e-6)
    table.to_csv(workdir / "no_header.csv", index=False, header=False)
    capsys.readouterr()
    assert main(["predict", str(model), str(workdir / "no_header.csv")]) == 2
    assert "reads its 3 columns by position" in capsys.readouterr().err


def test_adapt_says_that_it_leaves_the_labels_out(workdir, fitted_model, capsys):
    out = workdir / "adapted_labelled.skcama"
    assert main(["adapt", str(fitted_model), str(workdir / "train.csv"), "--steps", "2",
                 "-o", str(out)]) == 0
    assert "has the column 'y', the model's target: adapt learns from the measurements " \
           "alone" in capsys.readouterr().err


def test_a_missing_child_column_gets_advice_for_a_table(workdir, fitted_model, capsys):
    pd.read_csv(workdir / "train.csv").drop(columns=["x2"]).to_csv(
        workdir / "no_x2.csv", index=False)
    assert main(["predict", str(fitted_model), str(workdir / "no_x2.csv")]) == 2
    err = capsys.readouterr().err
    assert "can be given as an empty column 'x2' of the table" in err and "np.nan" not in err


def test_a_model_with_number_labels_reads_them_from_the_header(workdir, capsys):
    from skcama import CAMAClassifier

    X, y, _ = simple_sem(4, n=150)
    numbered = X[["a", "x1"]].set_axis([10, 20], axis=1)  # a DataFrame with int labels
    model = workdir / "numbered.skcama"
    CAMAClassifier(max_epochs=2, random_state=0).fit(numbered, y).save(model)
    numbered[[20, 10]].to_csv(workdir / "numbered.csv", index=False)
    out = workdir / "numbered_out.csv"
    assert main(["predict", str(model), str(workdir / "numbered.csv"), "-o", str(out)]) == 0
    np.testing.assert_allclose(pd.read_csv(out).filter(like="proba_").to_numpy(),
                               load_model(model).predict_proba(numbered), atol=1e-6)
    positions = workdir / "positions.skcama"  # fitted on an array: --id 0 is a model column
    CAMAClassifier(max_epochs=2, random_state=0).fit(numbered.to_numpy(), y).save(positions)
    numbered.set_axis([0, 1], axis=1).to_csv(workdir / "zero_one.csv", index=False)
    capsys.readouterr()
    assert main(["predict", str(positions), str(workdir / "zero_one.csv"), "--id", "0"]) == 2
    assert "--id '0' names a column the model reads" in capsys.readouterr().err


def test_discover_without_measurements_is_refused_and_keeps_the_output(workdir, capsys):
    """A table of an id and the target: nothing to discover, said before any work, and an
    existing graph file is left as it was (it was overwritten by a graph of the target)."""
    frame = pd.read_csv(workdir / "train.csv")
    frame.assign(pid=np.arange(len(frame)))[["pid", "y"]].to_csv(
        workdir / "only_id.csv", index=False)
    out = workdir / "kept.gml"
    out.write_bytes((workdir / "graph.gml").read_bytes())
    before = out.read_bytes()
    assert main(["discover", str(workdir / "only_id.csv"), "-t", "y", "--id", "pid",
                 "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert ("has no columns to discover a graph over: its only columns are --target 'y', "
            "--id 'pid'") in err
    assert "Pass a table with the measurements as columns" in err
    assert out.read_bytes() == before


def test_a_later_file_that_writes_the_codes_otherwise_reads_them_as_fitted(tmp_path, capsys):
    """A table's types are guessed per file: site codes 01 / 02 / 10 read as the numbers
    1 / 2 / 10 in fit, and as text in a later file where one code is not a number (X9).
    That file's codes that spell a fitted number are read as it: X9 alone is unseen
    (every row was refused, or the whole column read as missing)."""
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame({"lab": rng.normal(1.5 * y, 1), "site": rng.choice(["01", "02", "10"], n),
                          "dx": y})
    frame.to_csv(tmp_path / "train.csv", index=False)
    assert main(["fit", str(tmp_path / "train.csv"), "-t", "dx", "-o", str(tmp_path / "m.skcama"),
                 "--max-epochs", "3", "-q"]) == 0
    new = frame.drop(columns="dx").head(20).copy()
    new.loc[5, "site"] = "X9"
    new.to_csv(tmp_path / "new.csv", index=False)
    # X9 alone is named
    assert main(["predict", str(tmp_path / "m.skcama"), str(tmp_path / "new.csv")]) == 2
    assert re.search(r"column 'site' holds values \['X9'\] that were not seen in fit",
                     capsys.readouterr().err)
    assert main(["predict", str(tmp_path / "m.skcama"), str(tmp_path / "new.csv"),
                 "--handle-unknown", "missing", "-o", str(tmp_path / "p.csv")]) == 0
    model = load_model(tmp_path / "m.skcama")
    scores = pd.read_csv(tmp_path / "p.csv")
    plain = model.predict_proba(new.drop(index=5).assign(site=lambda f: f["site"].astype(int)))
    np.testing.assert_allclose(scores.drop(index=5)[["proba_0", "proba_1"]].to_numpy(), plain,
                               rtol=1e-6)
    capsys.readouterr()


def test_codes_with_leading_zeros_beside_text_codes_are_read_as_fitted(tmp_path, capsys):
    """The reverse: codes 01 / 02 / 03 beside A1 are text in fit, and a later file holding
    only 01 / 02 / 03 reads them as the numbers 1 / 2 / 3, which are the fitted codes
    they spell (every row was refused as unseen, the message showing '3' for 03)."""
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame({"lab": rng.normal(1.5 * y, 1),
                          "ward": rng.choice(["01", "02", "03", "A1"], n), "dx": y})
    frame.to_csv(tmp_path / "train.csv", index=False)
    assert main(["fit", str(tmp_path / "train.csv"), "-t", "dx", "-o", str(tmp_path / "m.skcama"),
                 "--max-epochs", "3", "-q"]) == 0
    new = frame.drop(columns="dx")
    new = new[new["ward"] != "A1"].head(20)
    new.to_csv(tmp_path / "new.csv", index=False)
    assert pd.read_csv(tmp_path / "new.csv")["ward"].dtype.kind == "i"
    assert main(["predict", str(tmp_path / "m.skcama"), str(tmp_path / "new.csv"),
                 "-o", str(tmp_path / "p.csv")]) == 0
    scores = pd.read_csv(tmp_path / "p.csv")
    expected = load_model(tmp_path / "m.skcama").predict_proba(new)
    np.testing.assert_allclose(scores[["proba_0", "proba_1"]].to_numpy(), expected, rtol=1e-6)
    capsys.readouterr()


def test_codes_that_look_like_digits_but_are_no_numbers_are_left_as_they_are():
    from skcama.cli import _as_fitted_codes

    # '²' passes str.isdigit but not int(): it crashed the reading of every later file
    assert _as_fitted_codes(pd.Series([1, 2]), ["1", "²", "A"]).tolist() == ["1", "2"]


def test_a_value_too_far_names_its_data_row_counting_from_1(workdir, model, capsys):
    """Rows in messages count from 1 below the header, as docs/cli.rst says: the value
    on the third data row is in "row 3"."""
    frame = pd.read_csv(workdir / "train.csv").head(5)
    frame.loc[2, "x1"] = 1e9
    frame.to_csv(workdir / "far.csv", index=False)
    assert main(["predict", str(model), str(workdir / "far.csv")]) == 2
    assert "(row 3)" in capsys.readouterr().err


@pytest.mark.parametrize("extension", [".gz", ".bz2", ".xz", ".zip"])
def test_compressed_tables_are_read_and_written_by_their_extension(
    workdir, model, extension, capsys
):
    plain = workdir / "plain_predictions.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    packed = workdir / f"train.csv{extension}"
    pd.read_csv(workdir / "train.csv").to_csv(packed, index=False)  # pandas compresses it
    out = workdir / f"predictions.tsv{extension}"
    assert main(["predict", str(model), str(packed), "-o", str(out)]) == 0
    assert out.read_bytes()[:2] != b"pr"  # compressed, not plain text
    pd.testing.assert_frame_equal(pd.read_csv(out, sep="\t"), pd.read_csv(plain))
    capsys.readouterr()


@pytest.mark.parametrize("name", ["out.csv.gz", "out.csv.zip"])
def test_compressed_output_is_the_same_bytes_for_the_same_table(tmp_path, name):
    import time

    frame = pd.DataFrame({"a": [1.5, 2.0], "b": ["x", "y"]})
    write_table(frame, tmp_path / name)
    first = (tmp_path / name).read_bytes()
    time.sleep(2.1)  # gzip records seconds, zip two-second steps
    write_table(frame, tmp_path / name)
    assert (tmp_path / name).read_bytes() == first
    pd.testing.assert_frame_equal(read_table(tmp_path / name), frame.set_axis(
        pd.RangeIndex(1, 3)))


def test_bad_compressed_tables_are_refused_with_the_fix(workdir, model, capsys):
    import zipfile

    two = workdir / "two.csv.zip"
    with zipfile.ZipFile(two, "w") as archive:
        archive.writestr("a.csv", "x\n1\n")
        archive.writestr("b.csv", "x\n2\n")
    damaged = workdir / "damaged.csv.gz"
    damaged.write_bytes(b"not gzip at all\n")
    formatless = workdir / "formatless.gz"
    formatless.write_bytes(b"")
    parquet = workdir / "table.parquet.gz"
    parquet.write_bytes(b"")
    cases = {
        two: "holds 'a.csv', 'b.csv'; a zipped table holds exactly one file",
        damaged: "could not read data file",
        formatless: "name it by its format, then '.gz' (e.g. '",
        parquet: "a Parquet file compresses its own columns",
    }
    for path, expected in cases.items():
        assert main(["predict", str(model), str(path)]) == 2
        assert expected in capsys.readouterr().err, path
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o",
                 str(workdir / "out.parquet.gz")]) == 2
    assert "a Parquet file compresses its own columns; name it without '.gz'" in (
        capsys.readouterr().err)


class _Stdin:
    """A stand-in for ``sys.stdin`` whose ``buffer`` holds ``data``."""

    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_dash_reads_the_table_from_standard_input(workdir, model, monkeypatch, capsys):
    plain = workdir / "stdin_plain.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    monkeypatch.setattr(sys, "stdin", _Stdin((workdir / "train.csv").read_bytes()))
    out = workdir / "stdin_predictions.csv"
    assert main(["predict", str(model), "-", "-o", str(out)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(plain))
    semicolons = (workdir / "semicolon.csv").read_bytes()
    monkeypatch.setattr(sys, "stdin", _Stdin(semicolons))
    assert main(["evaluate", str(model), "-", "--target", "y", "--sep", ";"]) == 0
    assert "labelled rows from standard input" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", _Stdin(semicolons))  # the hint reads it again
    assert main(["predict", str(model), "-"]) == 2
    err = capsys.readouterr().err
    assert "standard input reads as a single column" in err and "--sep ';'" in err
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    assert main(["predict", str(model), "-"]) == 2
    assert "standard input is empty" in capsys.readouterr().err


def test_a_last_line_cut_short_is_warned_of(workdir, model, monkeypatch, capsys):
    import gzip

    text = (workdir / "train.csv").read_text()
    header = text.splitlines()[0].split(",")
    cut = text[: text.rindex(",", 0, len(text) - 1)]  # the last line loses its last field
    (workdir / "cut.csv").write_text(cut)
    (workdir / "cut.csv.gz").write_bytes(gzip.compress(cut.encode()))
    rows = len(text.splitlines()) - 1
    for path in ("cut.csv", "cut.csv.gz"):
        assert main(["predict", str(model), str(workdir / path)]) == 0
        err = capsys.readouterr().err
        assert (f"the last line of data file '{workdir / path}' has {len(header) - 1} of the "
                f"header's {len(header)} fields") in err
        assert f"row {rows} reads '{header[-1]}' as missing" in err
    monkeypatch.setattr(sys, "stdin", _Stdin(cut.encode()))
    assert main(["predict", str(model), "-"]) == 0
    assert "the last line of standard input has" in capsys.readouterr().err
    # complete tables are not warned of: empty last fields written out, a quoted last field
    lines = text.splitlines()
    last = lines[-1].split(",")
    marked = "\n".join([*lines[:-1], ",".join([*last[:-1], ""])]) + "\n"
    (workdir / "marked.csv").write_text(marked)
    quoted = "\n".join([*lines[:-1], ",".join([*last[:-1], f'"{last[-1]}"'])])
    (workdir / "quoted.csv").write_text(quoted)
    # a line longer than the part read from the end, a tab-separated empty last field
    (workdir / "wide.csv").write_text(
        ",".join(f"c{i}" for i in range(9000)) + "\n" + ",".join(["1.2345678"] * 9000) + "\n"
    )
    (workdir / "empty_last.tsv").write_text("a\tb\tc\n1\t2\t3\n1\t2\t\n\n")
    rows_of = {"wide.csv": 1, "empty_last.tsv": 2}
    for path in ("marked.csv", "quoted.csv", "train.csv", "wide.csv", "empty_last.tsv"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            assert len(read_table(workdir / path)) == rows_of.get(path, rows)


def test_compressed_bytes_under_a_text_name_or_on_standard_input_name_the_fix(
    workdir, model, monkeypatch, capsys
):
    import gzip

    packed = gzip.compress((workdir / "train.csv").read_bytes())
    (workdir / "misnamed.csv").write_bytes(packed)
    assert main(["predict", str(model), str(workdir / "misnamed.csv")]) == 2
    assert (f"is gzip-compressed, not text: name it '{workdir / 'misnamed.csv.gz'}'"
            in capsys.readouterr().err)
    monkeypatch.setattr(sys, "stdin", _Stdin(packed))
    assert main(["predict", str(model), "-"]) == 2
    assert "standard input is gzip-compressed, not text: decompress it into the pipe (zcat" \
        in capsys.readouterr().err
    (workdir / "utf16.csv").write_text((workdir / "train.csv").read_text(), encoding="utf-16")
    assert main(["predict", str(model), str(workdir / "utf16.csv")]) == 2
    assert "pass --encoding utf-16" in capsys.readouterr().err
    out = workdir / "utf16_predictions.csv"
    assert main(["predict", str(model), str(workdir / "utf16.csv"), "--encoding", "utf-16",
                 "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == len(pd.read_csv(workdir / "train.csv"))


def test_zips_from_file_managers_and_by_their_member_name_are_read(workdir, model, capsys):
    import zipfile

    plain = workdir / "zip_plain.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    finder = workdir / "finder.csv.zip"  # a folder entry and macOS's resource copies
    with zipfile.ZipFile(finder, "w") as archive:
        archive.writestr("export/", "")
        archive.writestr("export/train.csv", (workdir / "train.csv").read_bytes())
        archive.writestr("__MACOSX/export/._train.csv", b"\x00\x05")
    named = workdir / "export.zip"  # the format from the one file's name
    with zipfile.ZipFile(named, "w") as archive:
        archive.writestr("export.csv", (workdir / "train.csv").read_bytes())
    for path in (finder, named):
        out = workdir / "zip_out.csv"
        assert main(["predict", str(model), str(path), "-o", str(out)]) == 0, path
        pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(plain))
    capsys.readouterr()


def test_patterns_and_old_mac_line_ends_read_and_check_the_last_line(workdir, model, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    aligned = frame.to_string(index=False)  # columns aligned with runs of spaces
    (workdir / "aligned.txt").write_text(aligned + "\n")
    out = workdir / "aligned_predictions.csv"
    assert main(["predict", str(model), str(workdir / "aligned.txt"), "--sep", r"\s+",
                 "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == len(frame)
    text = (workdir / "train.csv").read_text()
    (workdir / "mac.csv").write_bytes(text.replace("\n", "\r").encode())
    assert main(["predict", str(model), str(workdir / "mac.csv"), "-o", str(out)]) == 0
    assert "cut short" not in capsys.readouterr().err
    short = text.rstrip("\n")
    short = short[: short.rindex(",")]
    (workdir / "mac_short.csv").write_bytes(short.replace("\n", "\r").encode())
    assert main(["predict", str(model), str(workdir / "mac_short.csv"), "-o", str(out)]) == 0
    assert "as a file cut short has" in capsys.readouterr().err


def test_the_cut_short_warning_reads_quoted_lines_and_trailing_delimiters(tmp_path):
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('id,site,value,grade\n"p1","north",1.5,"a"\n"p2","south",11')
    with pytest.warns(UserWarning, match=r"has 3 of the header's 4 fields.*reads 'grade' as "
                      r"missing, and its last field read, 'value' = '11', may be cut short"):
        read_table(quoted)
    spanning = tmp_path / "spanning.csv"  # the last line ends a quoted field: left alone
    spanning.write_text('id,note,value\np1,"two\nlines",3\n')
    trailing = tmp_path / "trailing.csv"  # every line but the last ends with a delimiter
    trailing.write_text("a,b,c,\n1,2,3,\n7,8,9\n")
    for path in (spanning, trailing):
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            read_table(path)


@pytest.mark.parametrize("command", ["fit", "adapt", "evaluate", "discover"])
def test_dash_as_an_output_file_is_refused(workdir, model, command, capsys):
    args = {
        "fit": ["fit", str(workdir / "train.csv"), "-t", "y"],
        "adapt": ["adapt", str(model), str(workdir / "train.csv")],
        "evaluate": ["evaluate", str(model), str(workdir / "train.csv"), "-t", "y"],
        "discover": ["discover", str(workdir / "train.csv"), "-t", "y"],
    }[command]
    assert main([*args, "-o", "-"]) == 2
    assert "--output '-': only predict's table goes to standard output" in (
        capsys.readouterr().err)


def test_numbers_with_a_thousands_separator_name_the_option_that_reads_them(
    workdir, model, capsys
):
    frame = pd.read_csv(workdir / "train.csv")
    big = frame.assign(x1=frame["x1"] * 1000 + 5000)  # every value above 1,000
    some = big.copy()
    some["x1"] = some["x1"].map(lambda v: f"{v:,.2f}")  # 5,123.45
    some.to_csv(workdir / "grouped.csv", index=False, sep=";")
    assert main(["predict", str(model), str(workdir / "grouped.csv"), "--sep", ";"]) == 2
    err = capsys.readouterr().err
    assert "holds numbers written like '" in err and "labels, one per distinct value: pass " \
        "--thousands ','." in err
    whole = big.assign(x1=big["x1"].map(lambda v: f"{round(v):,}"))  # 5,123: or 5.123?
    whole.to_csv(workdir / "ambiguous.csv", index=False, sep=";")
    assert main(["predict", str(model), str(workdir / "ambiguous.csv"), "--sep", ";"]) == 2
    assert ("if ',' separates their thousands (1,104 = 1104), pass --thousands ','; if it is "
            "their decimal mark (1,104 = 1.104), pass --decimal ','") in capsys.readouterr().err
    # three decimals after a decimal comma, one starting with 0: never grouped thousands
    small = frame.assign(x1=(frame["x1"] % 1).map(lambda v: f"{v:.3f}".replace(".", ",")))
    small.to_csv(workdir / "decimal_comma.csv", index=False, sep=";")
    assert main(["predict", str(model), str(workdir / "decimal_comma.csv"), "--sep", ";"]) == 2
    err = capsys.readouterr().err
    assert "pass --decimal ','" in err and "--thousands" not in err
    # quoted in a comma-separated file, as US spreadsheets write them
    big.assign(x1=big["x1"].map(lambda v: f"{v:,.2f}")).to_csv(workdir / "quoted.csv",
                                                               index=False)
    assert main(["predict", str(model), str(workdir / "quoted.csv"), "--thousands", ","]) == 0
    read = read_table(workdir / "grouped.csv", sep=";", thousands=",")
    np.testing.assert_allclose(read["x1"], big["x1"].round(2), rtol=1e-12)
    assert main(["predict", str(model), str(workdir / "grouped.csv"), "--sep", ";",
                 "--thousands", ","]) == 0
    capsys.readouterr()
    # a '.' that groups no thousands would be dropped: 1.5 read as 15
    typed = big.assign(x1=big["x1"].map(lambda v: f"{v:,.2f}".replace(",", " ")))
    typed = typed.assign(x1=typed["x1"].str.replace(".", ",").str.replace(" ", "."))
    typed.loc[typed.index[0], "x1"] = "1.5"  # typed by hand with a point
    typed.to_csv(workdir / "typed.csv", index=False, sep=";", decimal=",")
    assert main(["predict", str(model), str(workdir / "typed.csv"), "--sep", ";",
                 "--decimal", ",", "--thousands", "."]) == 2
    assert "holds '1.5', in which --thousands '.' does not separate groups of three " \
        "digits; pandas would drop it and read '15'" in capsys.readouterr().err
    assert main(["predict", str(model), str(workdir / "grouped.csv"), "--sep", ";",
                 "--thousands", "."]) == 2
    assert "--thousands takes one character other than the decimal mark" in (
        capsys.readouterr().err)


def test_damaged_office_and_mismatched_archives_and_wide_unicode_name_the_fix(
    workdir, model, monkeypatch, capsys
):
    import gzip
    import lzma
    import zipfile

    text = (workdir / "train.csv").read_text()
    (workdir / "bad.csv.xz").write_bytes(lzma.compress(text.encode())[:40] + b"garbage" * 9)
    with zipfile.ZipFile(workdir / "book.zip", "w") as archive:  # what Excel saves
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    (workdir / "book.csv").write_bytes((workdir / "book.zip").read_bytes())
    with zipfile.ZipFile(workdir / "inner.csv.zip", "w") as archive:
        archive.writestr("table.parquet", b"PAR1")
    (workdir / "u16.csv.gz").write_bytes(gzip.compress(text.encode("utf-16")))
    (workdir / "u32.csv").write_bytes(text.encode("utf-32"))
    cases = {
        "bad.csv.xz": "could not read data file",
        "book.zip": "is an Excel workbook (or another Office file), not a text table",
        "book.csv": "is an Excel workbook (or another Office file), not a text table",
        "inner.csv.zip": "holds 'table.parquet', which is read as it is, not from inside",
        "u16.csv.gz": "is UTF-16 text (it starts with a UTF-16 byte-order mark); pass "
                      "--encoding utf-16.",
        "u32.csv": "pass --encoding utf-32.",
    }
    for name, expected in cases.items():
        assert main(["predict", str(model), str(workdir / name)]) == 2, name
        assert expected in capsys.readouterr().err, name

    class Terminal(_Stdin):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(b""))
    assert main(["predict", str(model), "-"]) == 2
    assert "but none is piped in" in capsys.readouterr().err


def test_data_rows_ending_with_a_delimiter_keep_their_columns(workdir, model, capsys):
    plain = workdir / "trail_plain.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    lines = (workdir / "train.csv").read_text().splitlines()
    (workdir / "trail_rows.csv").write_text(
        "\n".join([lines[0], *(f"{line}," for line in lines[1:])]) + "\n")
    out = workdir / "trail_rows_predictions.csv"
    assert main(["predict", str(model), str(workdir / "trail_rows.csv"), "-o", str(out)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(plain))
    (workdir / "extra_field.csv").write_text(
        "\n".join([lines[0], *(f"{line},9" for line in lines[1:])]) + "\n")
    assert main(["predict", str(model), str(workdir / "extra_field.csv")]) == 2
    assert "has rows with more fields than its header" in capsys.readouterr().err


def test_named_pipes_and_descriptors_are_read_once(workdir, model, capsys):
    import os
    import threading

    plain = workdir / "pipe_plain.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    for name in ("pipe.csv", "pipe"):  # a named pipe with and without a table's name
        fifo = workdir / name
        os.mkfifo(fifo)
        feed = threading.Thread(target=fifo.write_bytes,
                                args=((workdir / "train.csv").read_bytes(),))
        feed.start()
        out = workdir / f"{name}_predictions.csv"
        assert main(["predict", str(model), str(fifo), "-o", str(out)]) == 0
        feed.join()
        pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(plain))
        fifo.unlink()
    capsys.readouterr()


def test_numbers_dressed_as_text_and_footers_name_the_fix(workdir, model, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    dressed = frame.assign(x1=frame["x1"].map(lambda v: f"{v:.2f}%"))
    dressed.to_csv(workdir / "percent.csv", index=False)
    assert main(["predict", str(model), str(workdir / "percent.csv")]) == 2
    assert "holds numbers written with other characters (e.g. [" in capsys.readouterr().err
    with_unit = frame.assign(x1=frame["x1"].map(lambda v: f"{v:.2f} mg/dL"))
    with_unit.to_csv(workdir / "unit.csv", index=False)
    assert main(["predict", str(model), str(workdir / "unit.csv")]) == 2
    err = capsys.readouterr().err
    assert "holds numbers written with the unit 'mg/dL'" in err
    # predict has no --set: a fitted model's column types are fixed at fit
    assert ("where the values are labels, fit the model with --set 'column_types="
            "{\"x1\": \"categorical\"}'" in err)
    censored = frame.assign(x1=frame["x1"].astype(object))
    censored.loc[censored.index[:3], "x1"] = "<0.5"
    censored.to_csv(workdir / "censored.csv", index=False)
    assert main(["predict", str(model), str(workdir / "censored.csv")]) == 2
    assert "they are numbers written with other characters" in capsys.readouterr().err
    assert main(["predict", str(model), str(workdir / "train.csv"), "--thousands",
                 "\u00a0"]) == 2
    assert "is not an ASCII character" in capsys.readouterr().err
    text = (workdir / "train.csv").read_text()
    (workdir / "footer.csv").write_text(text + "Total: 200 rows\n")
    main(["predict", str(model), str(workdir / "footer.csv")])
    assert "'Total: 200 rows', has no delimiter" in capsys.readouterr().err


def test_tables_are_written_whole_or_not_at_all_and_pipes_as_they_are(
    workdir, monkeypatch, tmp_path
):
    import os
    import threading

    import skcama.cli as cli

    frame = pd.DataFrame({"a": [1.5, 2.0]})
    target = tmp_path / "kept.csv.gz"
    write_table(frame, target)
    before = target.read_bytes()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "_text_writer", broken)
    with pytest.raises(OSError, match="No space left on device"):
        write_table(frame.assign(a=[3.0, 4.0]), target)
    assert target.read_bytes() == before  # the old table, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.csv.gz"]  # no partial file
    monkeypatch.undo()
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_table(frame, fifo)
    reader.join()
    assert got == ["a\n1.5\n2.0\n"] and not fifo.is_file()


def test_an_output_folder_this_user_may_not_write_is_refused_before_the_work(
    workdir, model, monkeypatch, capsys
):
    import skcama.cli as cli

    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o",
                 str(workdir / "locked" / "p.csv")]) == 2
    assert "this user may not write in the folder" in capsys.readouterr().err


def test_rows_merged_by_an_unmatched_quote_are_warned_of(workdir, model, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    notes = pd.Series(["ok"] * len(frame), dtype=object)
    notes[10], notes[19] = '"urgent', 'recheck"'  # an opening quote closed 9 rows later
    lines = (workdir / "train.csv").read_text().splitlines()
    text = "\n".join([lines[0] + ",note",
                      *(f"{line},{note}" for line, note in zip(lines[1:], notes, strict=True))])
    (workdir / "merged.csv").write_text(text + "\n")
    out = workdir / "merged_predictions.csv"
    assert main(["predict", str(model), str(workdir / "merged.csv"), "--id", "note",
                 "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) < len(frame)  # rows merged, as pandas reads the quotes
    err = capsys.readouterr().err
    assert "column 'note' of" in err and "an unmatched quote" in err
    # a note over two lines, with few delimiters, is text, not merged rows
    notes[10], notes[19] = '"call back\nat 5"', "ok"
    text = "\n".join([lines[0] + ",note",
                      *(f"{line},{note}" for line, note in zip(lines[1:], notes, strict=True))])
    (workdir / "note.csv").write_text(text + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert len(read_table(workdir / "note.csv", text_columns=["note"])) == len(frame)


def test_a_graph_file_without_its_option_and_swapped_files_get_the_fix(workdir, model, capsys):
    assert main(["fit", str(workdir / "train.csv"), str(workdir / "graph.gml"), "-t", "y",
                "-o", str(workdir / "unused.skcama")]) == 2
    err = capsys.readouterr().err
    assert (f"unrecognized arguments: {workdir / 'graph.gml'}; a graph file is given with "
            f"--graph: --graph {workdir / 'graph.gml'}") in err
    assert err.startswith("usage: skcama fit ")  # the command's usage, with its options
    assert main(["predict", str(workdir / "train.csv"), str(model)]) == 2
    assert (f"The model file comes first: skcama predict MODEL DATA, here {model} then "
            f"{workdir / 'train.csv'}." in capsys.readouterr().err)


def test_levels_written_with_a_unit_or_declared_categorical_are_not_refused(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    rng = np.random.default_rng(0)
    levels = frame.assign(x1=rng.choice(["1.5 T", "3 T"], len(frame)))  # a scanner's field
    levels.to_csv(workdir / "levels.csv", index=False)
    assert main(["fit", str(workdir / "levels.csv"), "--graph", str(workdir / "graph.gml"),
                 "-t", "y", "-o", str(workdir / "levels.skcama"), *FIT_OPTIONS]) == 0
    with_unit = frame.assign(x1=frame["x1"].map(lambda v: f"{v:.2f} mg/dL"))
    with_unit.to_csv(workdir / "unit_fit.csv", index=False)
    declared = ["--set", 'column_types={"x1": "categorical"}']
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the library warns of it still
        assert main(["fit", str(workdir / "unit_fit.csv"), "--graph", str(workdir / "graph.gml"),
                     "-t", "y", "-o", str(workdir / "declared.skcama"), *FIT_OPTIONS,
                     *declared]) == 0
    capsys.readouterr()
    assert main(["roles", str(workdir / "graph.gml"), str(workdir / "graph.gml"), "-t", "y"]) == 2
    assert "--graph" not in capsys.readouterr().err  # roles takes its graph as an argument


def test_data_manager_mistakes_get_named_rows_and_cli_fixes(workdir, model, capsys, tmp_path):
    frame = pd.read_csv(workdir / "train.csv")
    features = frame.drop(columns="y")
    # a code for a missing value and a row with nothing the model reads, at predict
    coded = features.copy()
    coded.loc[:2, "x1"] = -999
    coded.loc[len(coded)] = np.nan
    coded.to_csv(tmp_path / "coded.csv", index=False)
    assert main(["predict", str(model), str(tmp_path / "coded.csv"), "-o",
                 str(tmp_path / "p.csv")]) == 0
    said = capsys.readouterr().err
    assert "column 'x1' holds -999 in 3 row(s) (the first: row 1)" in said
    assert "read the file with --na-values -999" in said
    assert f"1 row(s) hold no value the model reads (rows [{len(coded)}])" in said
    # a device is written to as it is; a full disk is the machine's failure (exit 1)
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", os.devnull]) == 0
    if Path("/dev/full").exists():
        assert main(["predict", str(model), str(workdir / "train.csv"), "-o",
                     "/dev/full"]) == 1
        assert "failed" in capsys.readouterr().err
    # the labels of another column
    assert main(["evaluate", str(model), str(workdir / "train.csv"), "-t", "x1"]) == 2
    assert "it was fitted with --target 'y'; pass --target 'y'" in capsys.readouterr().err
    # --manipulation-score after a prior-only adaptation
    adapted = tmp_path / "prior.skcama"
    assert main(["adapt", str(model), str(workdir / "train.csv"), "-o", str(adapted),
                 "--prior-only"]) == 0
    capsys.readouterr()
    assert main(["predict", str(adapted), str(workdir / "train.csv"),
                 "--manipulation-score"]) == 2
    assert "adapted with --prior-only" in capsys.readouterr().err


def test_fit_names_rows_as_counted_in_the_file_and_warns_of_a_numeric_target(workdir, capsys):
    frame = pd.read_csv(workdir / "train.csv")
    frame.loc[17, "y"] = "Low"  # the 18th data row
    frame.to_csv(workdir / "typo.csv", index=False)
    assert main(["fit", str(workdir / "typo.csv"), "--graph", str(workdir / "graph.gml"),
                 "-t", "y", "-o", str(workdir / "typo.skcama"), *FIT_OPTIONS]) == 0
    assert "single row of each of the classes ['Low'] (rows [18])" in capsys.readouterr().err
    numeric = frame.drop(columns="y").assign(y=40 + np.arange(len(frame)) % 30)  # ages
    numeric.to_csv(workdir / "numeric.csv", index=False)
    assert main(["fit", str(workdir / "numeric.csv"), "-t", "y",
                 "-o", str(workdir / "numeric.skcama"), *FIT_OPTIONS]) == 0
    said = capsys.readouterr().err
    assert "y holds 30 distinct numbers" in said and "raise --max-epochs" in said


def test_evaluate_names_the_rows_of_unknown_labels_and_labels_written_otherwise(
    workdir, model, capsys
):
    frame = pd.read_csv(workdir / "train.csv")
    frame.loc[[2, 15], "y"] = "extreme"
    frame.to_csv(workdir / "unknown_label.csv", index=False)
    assert main(["evaluate", str(model), str(workdir / "unknown_label.csv"), "-t", "y"]) == 2
    assert "labels ['extreme'] the model never saw (data rows 3, 16;" in capsys.readouterr().err
    frame["y"] = pd.read_csv(workdir / "train.csv")["y"].str.upper()
    frame.to_csv(workdir / "upper_label.csv", index=False)
    assert main(["evaluate", str(model), str(workdir / "upper_label.csv"), "-t", "y"]) == 2
    assert "'HIGH' is 'high' written otherwise" in capsys.readouterr().err


@pytest.mark.parametrize("advice, said", [
    ("lower validation_fraction (the default is 0.1)",
     "lower --set validation_fraction=... (the default is 0.1)"),
    ("or set validation_fraction=0 to train", "or pass --set validation_fraction=0 to train"),
    ("raise n_samples for a finer estimate", "raise --set n_samples=... for a finer estimate"),
    ("--steps and --set adapt_steps=... say the same",
     "--steps and --set adapt_steps=... say the same"),
    # pandas code has no place on the command line
    ("only in case or in spaces around them: map them to the spelling used in fit, e.g. "
     "X['smoking'] = X['smoking'].replace({'Former': 'former'}) (and the others alike).",
     "only in case or in spaces around them: write them in the table as fit's rows spell "
     "them."),
    ("predict a category of it instead (pd.cut(y, bins)), or check",
     "predict a category of it instead (bin the column in the table), or check"),
    ("is unknown: declare every level, X['mmrc'] = X['mmrc'].astype(pd.CategoricalDtype("
     "[0, 1, 9])), or read the column as a measurement, column_types={'mmrc': 'gaussian'} "
     "(handle_unknown='missing' would count",
     "is unknown: fit with rows holding every level, or read the column as a measurement, "
     "--set 'column_types={\"mmrc\": \"gaussian\"}' (--handle-unknown missing would count"),
])
def test_library_advice_is_said_in_the_command_line_options(advice, said):
    from skcama.cli import _in_cli_words

    assert _in_cli_words(advice) == said


def test_an_output_through_a_folder_not_made_yet_cannot_name_the_input(model, workdir,
                                                                      capsys, monkeypatch):
    """'-o new/../data.csv' is data.csv once 'new' is made: it overwrote the input."""
    monkeypatch.chdir(workdir)
    before = (workdir / "train.csv").read_bytes()
    assert main(["predict", str(model), "train.csv", "-o", "not_yet/../train.csv"]) == 2
    assert "is the input file 'train.csv'" in capsys.readouterr().err
    assert (workdir / "train.csv").read_bytes() == before
    assert not (workdir / "not_yet").exists()


def test_a_delimiter_pattern_and_a_typed_tab_are_read_as_pandas_reads_them(model, workdir,
                                                                         capsys):
    """pandas' note that it reads a pattern with its Python parser was taken for rows
    with more fields than the header; '\\t' as typed was two characters."""
    frame = pd.read_csv(workdir / "train.csv").drop(columns="y")
    frame.to_csv(workdir / "spaced_semicolons.csv", sep=";", index=False)
    text = (workdir / "spaced_semicolons.csv").read_text().replace(";", " ; ")
    (workdir / "spaced_semicolons.csv").write_text(text)
    frame.to_csv(workdir / "tabs.txt", sep="\t", index=False)
    plain = workdir / "pattern_plain.csv"
    assert main(["predict", str(model), str(workdir / "train.csv"), "-o", str(plain)]) == 0
    for path, sep in (("spaced_semicolons.csv", r"\s*;\s*"), ("tabs.txt", "\\t")):
        out = workdir / f"pattern_{sep.strip(chr(92))[:1]}.csv"
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            assert main(["predict", str(model), str(workdir / path), "--sep", sep,
                         "-o", str(out)]) == 0, capsys.readouterr().err
        pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(plain))


def test_identifiers_spelt_like_missing_value_codes_are_kept(model, workdir):
    frame = pd.read_csv(workdir / "train.csv").drop(columns="y")
    ids = [f"p{i}" for i in range(len(frame))]
    ids[:4] = ["NA", "NULL", "nan", "."]
    frame.insert(0, "patient", ids)
    frame.to_csv(workdir / "coded_ids.csv", index=False)
    out = workdir / "coded_ids_predictions.csv"
    assert main(["predict", str(model), str(workdir / "coded_ids.csv"), "--id", "patient",
                 "--na-values", ".", "-o", str(out)]) == 0
    written = pd.read_csv(out, dtype={"patient": str}, keep_default_na=False)
    assert written["patient"].tolist() == ids


def test_a_cell_of_one_space_is_named_as_written_with_its_code(model, workdir, capsys):
    """Shown as '' (already a missing code), so no --na-values could be passed."""
    frame = pd.read_csv(workdir / "train.csv").drop(columns="y")
    frame = frame.astype(object)
    frame.iloc[:3, 1] = " "
    frame.to_csv(workdir / "space_cells.csv", index=False)
    assert main(["predict", str(model), str(workdir / "space_cells.csv")]) == 2
    err = capsys.readouterr().err
    assert "holds numbers and also the text [' '] (3 rows)" in err
    assert "pass --na-values ' '" in err
    out = workdir / "space_cells_predictions.csv"
    assert main(["predict", str(model), str(workdir / "space_cells.csv"), "--na-values", " ",
                 "-o", str(out)]) == 0


@pytest.mark.parametrize("flags", [["-qo", "a.skcama", "-o", "b.skcama"],
                                   ["-qty", "-t", "x1", "-o", "c.skcama"]],
                         ids=["-qo", "-qt"])
def test_an_option_given_twice_in_a_cluster_of_short_flags_is_refused(workdir, capsys, flags):
    """'-q' first in a cluster hid the option after it: the last value won silently."""
    assert main(["fit", str(workdir / "train.csv"), "-g", str(workdir / "graph.gml"),
                *([] if "-qty" in flags else ["-t", "y"]), *FIT_OPTIONS, *flags]) == 2
    assert "is given twice; give it once" in capsys.readouterr().err


def test_messages_keep_the_spaces_inside_names(workdir, capsys):
    assert main(["fit", str(workdir / "train.csv"), "-t", "y  two", "-o",
                 str(workdir / "spaces.skcama")]) == 2
    assert "target column 'y  two' is not in" in capsys.readouterr().err


def test_discover_names_its_own_options_in_its_errors(workdir, capsys):
    out = str(workdir / "never.gml")
    table = str(workdir / "train.csv")
    assert main(["discover", table, "-t", "y", "-o", out, "-q",
                 "--tier", "a,x1", "--tier", "x1,y"]) == 2
    err = capsys.readouterr().err
    assert ("the --tier options put 'x1' in --tier number 1 ['a', 'x1'] and in --tier "
            "number 2 ['x1', 'y'] (counted in the order given" in err)
    assert main(["discover", table, "-t", "y", "-o", out, "-q", "--require", "a", "nope"]) == 2
    assert ("--require 'a' 'nope' names node 'nope', which is neither a column of the table"
            in capsys.readouterr().err)
    assert main(["discover", table, "-t", "y", "-o", out, "-q", "--require", "a", "x1",
                 "--require", "x1", "a"]) == 2
    assert "error: --require gives both 'a' 'x1' and" in capsys.readouterr().err
    assert main(["discover", table, "-t", "y", "-o", out, "-q", "--require", "x1", "a",
                 "--tier", "a", "--tier", "x1"]) == 2
    assert "error: --require 'x1' 'a' goes against the tiers" in capsys.readouterr().err
    assert main(["discover", table, "-t", "y", "-o", out, "-q", "--require", "a", "x1",
                 "--forbid", "a", "x1"]) == 2
    assert "is given with both --require and --forbid" in capsys.readouterr().err
    assert main(["discover", table, "-t", "y", "-o", out, "-q", "--alpha", "0"]) == 2
    assert "error: --alpha must be" in capsys.readouterr().err
    assert main(["discover", table, "-t", "y", "-o", out, "-q", "--target-alpha", "2"]) == 2
    assert "error: --target-alpha must be" in capsys.readouterr().err


def test_fit_names_the_option_at_fault(workdir, capsys):
    out = str(workdir / "never.skcama")
    table = str(workdir / "train.csv")
    assert main(["fit", table, "-t", "y", "-o", out,
                 "--set", 'discovery_params={"complete_rows": true}']) == 2
    assert "error: --set discovery_params=...: discovery_params has the key 'complete_rows'" \
        in capsys.readouterr().err
    assert main(["fit", table, "-t", "y", "-t", "y", "-o", out]) == 2
    assert "its last value would silently replace the first" in capsys.readouterr().err


def test_thousands_equal_to_the_decimal_comma_is_refused_with_a_point_example(model, workdir,
                                                                             capsys):
    assert main(["predict", str(model), str(workdir / "train.csv"),
                 "--decimal", ",", "--thousands", ","]) == 2
    err = capsys.readouterr().err
    assert "such as '.' for 1.540,5" in err and "such as ','" not in err


def test_discovery_on_a_table_with_holes_gets_the_command_line_fix(tmp_path, capsys):
    """The discovery error's Python advice is put in the command line's words: with
    enough complete rows, discover on them; with too few, impute for discovery."""
    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame({"a": rng.normal(y, 1.0), "x": rng.normal(y, 1.0),
                          "z": rng.normal(size=n), "y": y})
    frame.loc[:10, "x"] = np.nan
    frame.to_csv(tmp_path / "holes.csv", index=False)
    args = ["fit", str(tmp_path / "holes.csv"), "-t", "y", "-g", "pc",
            "-o", str(tmp_path / "m.skcama")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "289 of 300 rows are complete" in err
    assert "(skcama discover --complete-rows -o graph.gml), and fit with --graph graph.gml" in err
    assert "discover_graph(" not in err
    frame.loc[::2, "a"] = np.nan
    frame.loc[1::2, "z"] = np.nan
    frame.to_csv(tmp_path / "holes.csv", index=False)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "IterativeImputer" in err and "skcama discover -o graph.gml" in err
