"""Mixed column types, missing values and unseen categories in CAMAClassifier."""

import copy
import io
import pathlib
import re
import warnings
import zipfile

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from skcama import CAMAClassifier
from skcama._model import ChildHeads, InputCoder

FAST = dict(max_epochs=60, n_iter_no_change=60, random_state=0)


def mixed_frame(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, nx.DiGraph]:
    """A small clinical-style table: one of each column type around a 3-class target."""
    rng = np.random.default_rng(seed)
    age = rng.normal(60, 10, n)
    smoker = rng.random(n) < 0.3
    risk = 0.04 * (age - 60) + 1.2 * smoker
    y_index = np.digitize(risk + rng.normal(0, 0.8, n), [-0.4, 0.6])
    labels = np.array(["healthy", "mild", "severe"])
    site = rng.choice(["north", "south"], n)
    lab = 1.5 * y_index + 0.5 * (site == "south") + rng.normal(0, 0.7, n)
    finding = rng.random(n) < 0.15 + 0.3 * y_index
    grade = np.clip(y_index + rng.integers(-1, 2, n), 0, 3)
    imaging = np.array(["normal", "patchy", "diffuse"])[
        np.clip(y_index + (rng.random(n) < 0.3), 0, 2)
    ]
    X = pd.DataFrame(
        {
            "age": age,
            "smoker": smoker,
            "site": pd.Categorical(site),
            "lab": lab,
            "finding": finding,
            "grade": grade.astype(int),
            "imaging": imaging.astype(object),
        }
    )
    y = pd.Series(labels[y_index], name="dx")
    graph = nx.DiGraph(
        [("age", "dx"), ("smoker", "dx"), ("dx", "lab"), ("site", "lab"), ("dx", "finding"),
         ("dx", "grade"), ("dx", "imaging"), ("lab", "grade")]
    )
    return X, y, graph


@pytest.fixture(scope="module")
def data():
    return mixed_frame(1500)


@pytest.fixture(scope="module")
def fitted(data):
    X, y, graph = data
    return CAMAClassifier(graph=graph, **FAST).fit(X, y)


def test_a_raw_mixed_frame_fits_and_predicts_without_preprocessing(fitted, data):
    X, y, _ = data
    assert fitted.column_types_ == {
        "age": "gaussian", "smoker": "bernoulli", "site": "bernoulli", "lab": "gaussian",
        "finding": "bernoulli", "grade": "categorical", "imaging": "categorical",
    }
    proba = fitted.predict_proba(X)
    assert np.isfinite(proba).all()
    assert set(fitted.predict(X)) <= set(y)
    assert (fitted.predict(X) == y).mean() > 0.6


def test_discrete_children_carry_the_signal(data):
    """Only discrete children (and no parents): accuracy well above the majority class."""
    X, y, _ = data
    graph = nx.DiGraph([("dx", "finding"), ("dx", "grade"), ("dx", "imaging")])
    clf = CAMAClassifier(graph=graph, **FAST).fit(X, y)
    majority = y.value_counts(normalize=True).max()
    assert (clf.predict(X) == y).mean() > majority + 0.1


def test_column_types_override_the_dtype(data):
    X, y, graph = data
    clf = CAMAClassifier(graph=graph, column_types={"grade": "gaussian"}, max_epochs=2)
    with pytest.warns(Warning):
        clf.fit(X, y)
    assert clf.column_types_["grade"] == "gaussian"


def test_column_types_naming_no_used_column_is_warned_with_the_near_name(data):
    X, y, graph = data
    clf = CAMAClassifier(graph=graph, column_types={"grad": "gaussian", "zzz": "gaussian"},
                         max_epochs=2)
    with pytest.warns(UserWarning, match=r"column_types names \['grad', 'zzz'\], which are not "
                                         r"columns the model uses; those entries are ignored\. "
                                         r"\('grad': did you mean 'grade'\?\)"):
        clf.fit(X, y)
    assert clf.column_types_["grade"] == "categorical"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_one_hot_columns_are_warned_of_without_a_graph(data):
    X, y, graph = data
    dummies = pd.get_dummies(X[["imaging", "lab"]], columns=["imaging"])
    with pytest.warns(UserWarning, match=r"columns \['imaging_diffuse', 'imaging_normal', "
                                         r"'imaging_patchy'\] look like a one-hot encoding "
                                         r"of 'imaging'.*pass 'imaging' as one column"):
        CAMAClassifier(max_epochs=1).fit(dummies, y)
    with pytest.warns(UserWarning, match="one-hot encoding of 'imaging'"):  # first dropped
        CAMAClassifier(max_epochs=1).fit(dummies.drop(columns="imaging_diffuse"), y)
    # levels with underscores of their own: one warning, naming every dummy
    renamed = dummies.rename(columns=lambda c: c.replace("patchy", "patchy_lower_lobe"))
    with pytest.warns(UserWarning) as caught:
        CAMAClassifier(max_epochs=1).fit(renamed, y)
    (message,) = [str(w.message) for w in caught if "one-hot" in str(w.message)]
    assert "'imaging_patchy_lower_lobe'] look like a one-hot encoding of 'imaging'" in message
    rng = np.random.default_rng(0)  # two rare flags that never meet: not an encoding
    rare = np.zeros((len(y), 2), dtype=bool)
    rare[rng.choice(len(y), 6, replace=False), [0, 1, 0, 1, 0, 1]] = True
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        CAMAClassifier(max_epochs=1).fit(
            X[["lab"]].assign(flag_a=rare[:, 0], flag_b=rare[:, 1]), y)
        # with a graph, the dummies are the nodes it names
        CAMAClassifier(graph={c: ["dx"] for c in dummies}, target="dx",
                       max_epochs=1).fit(dummies, y.rename("dx"))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_measurement_declared_categorical_is_warned_and_its_unseen_values_explained(data):
    X, y, graph = data
    with pytest.warns(UserWarning, match=r"column 'lab' is declared categorical in "
                                         r"column_types but holds \d+ distinct numbers, some "
                                         r"with fractional parts.*column_types=\{'lab': "
                                         r"'gaussian'\}"):
        clf = CAMAClassifier(graph=graph, max_epochs=1,
                             column_types={"lab": "categorical"}).fit(X, y)
    with pytest.raises(ValueError, match=r"'lab' is read as categories \(as column_types or "
                                         r"its dtype says\), yet its values are numbers with "
                                         r"fractional parts"):
        clf.predict(X.assign(lab=X["lab"] + 0.001))
    with warnings.catch_warnings():  # whole numbers declared categorical: a code, no warning
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        CAMAClassifier(graph=graph, max_epochs=1, column_types={"lab": "categorical"}).fit(
            X.assign(lab=(X["lab"] * 10).round()), y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_names_the_numeric_columns_read_as_levels(data, caplog):
    # grade holds 4 whole numbers: read as categorical, which verbose says, with the fix
    # for a rounded measurement; a declared column and the text column are not named
    X, y, graph = data
    X = X.assign(lab=X["lab"].round().astype(float))
    with caplog.at_level("INFO", logger="skcama"):
        CAMAClassifier(graph=graph, max_epochs=1, verbose=1).fit(X, y)
        (line,) = [r.getMessage() for r in caplog.records if "read as categorical" in
                   r.getMessage()]
    assert re.search(r"'grade' \(4 levels\)", line) and re.search(r"'lab' \(\d+ levels\)", line)
    assert "'imaging'" not in line and "column_types={name: 'gaussian'}" in line
    caplog.clear()
    with caplog.at_level("INFO", logger="skcama"):
        clf = CAMAClassifier(graph=graph, max_epochs=1, verbose=1,
                             column_types={"lab": "gaussian"}).fit(X, y)
    (line,) = [r.getMessage() for r in caplog.records if "read as categorical" in r.getMessage()]
    assert "'lab'" not in line and clf.column_types_["lab"] == "gaussian"


@pytest.mark.parametrize(
    "types, match",
    [
        ({"grade": "poisson"}, r"column_types\['grade'\] = 'poisson'"),
        ({"imaging": "bernoulli"}, r"'imaging' is declared 'bernoulli' but holds 3 values"),
        ({"imaging": "gaussian"}, r"'imaging' is declared or inferred continuous"),
    ],
)
def test_bad_column_types_name_the_column(data, types, match):
    X, y, graph = data
    with pytest.raises(ValueError, match=match):
        CAMAClassifier(graph=graph, column_types=types, max_epochs=2).fit(X, y)


def test_missing_values_are_accepted_in_fit_and_predict(data):
    X, y, graph = data
    rng = np.random.default_rng(1)
    X_nan = X.mask(rng.random(X.shape) < 0.3)
    clf = CAMAClassifier(graph=graph, **FAST).fit(X_nan, y)
    proba = clf.predict_proba(X_nan)
    assert np.isfinite(proba).all()
    assert (clf.predict(X_nan) == y).mean() > 0.55
    # a row with every column missing is predicted from what the model knows a priori
    empty = pd.DataFrame({column: [np.nan] for column in X.columns})
    assert np.isfinite(clf.predict_proba(empty)).all()


def test_a_column_that_is_entirely_missing_is_named(data):
    X, y, graph = data
    with pytest.raises(ValueError, match="column 'lab' holds only missing values"):
        CAMAClassifier(graph=graph, max_epochs=2).fit(X.assign(lab=np.nan), y)


def test_missing_children_are_marginalised_exactly():
    """log p(x) of a row with child j missing equals the sum over the other children."""
    torch.manual_seed(0)
    kinds = ("gaussian", "bernoulli", "categorical", "gaussian")
    levels = (1, 2, 3, 1)
    heads = ChildHeads(kinds, levels)
    out = torch.randn(4, 2, 3, heads.n_outputs)
    logvar = torch.randn(4) * 0.1
    x = torch.tensor([[0.3, 1.0, 2.0, -1.0]] * 4)
    full = heads.log_prob(x, out, logvar)
    for j in range(4):
        x_missing = x.clone()
        x_missing[:, j] = float("nan")
        only_j = x.clone()
        only_j[:, [i for i in range(4) if i != j]] = float("nan")
        left = heads.log_prob(x_missing, out, logvar)
        torch.testing.assert_close(left + heads.log_prob(only_j, out, logvar), full)


@pytest.mark.parametrize("children", ["mixed kinds", "gaussian only"])
def test_decoder_shortcuts_compute_the_same_outputs_and_gradients(fitted, data, children):
    """The block-by-block output product equals the masked dense one, and training's
    one-sample path equals the broadcasting path, values and gradients."""
    # a copy, so the gradients below stay off the shared fixture; on the CPU, where the
    # test's tensors are (the default device is a GPU where there is one)
    model = copy.deepcopy(fitted.model_).cpu()
    if children == "gaussian only":
        X, y, graph = data
        X = X[["age", "lab"]].assign(other=X["lab"] * 0.5 + 1.0)
        graph = nx.DiGraph([("age", "dx"), ("dx", "lab"), ("dx", "other"), ("lab", "other")])
        model = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(X, y).model_.cpu()
    dec = model.decoder
    assert dec.single_output == (children == "gaussian only")
    torch.manual_seed(0)
    hidden = torch.randn(5, 2, 3, dec.d * dec.h)
    dense = hidden @ (dec.out_weight * dec.out_mask)
    torch.testing.assert_close(dec._contract(hidden), dense)
    with torch.no_grad():
        torch.testing.assert_close(dec._contract(hidden.clone()), dense)

    u = torch.randn(6, dec.n_inputs)
    y_index = torch.tensor([0, 1, 2, 0, 1, 2])
    z, m_hidden = torch.randn(6, model.cfg.latent_dim), torch.randn(6, model.cfg.hidden_size)
    results = []
    for path in ("per row", "broadcast"):
        dec.zero_grad()
        if path == "per row":
            out = dec.outputs_per_row(u, y_index, m_hidden, z)
        else:
            pre, linear = dec.conditioning(u, y_index, m_hidden[:, None, None])
            out = dec.outputs_given(pre, linear, z[:, None, None])[:, 0, 0]
        out.sin().sum().backward()
        results.append((out.detach(), {n: p.grad for n, p in dec.named_parameters()}))
    torch.testing.assert_close(results[0][0], results[1][0])
    for name, grad in results[1][1].items():
        torch.testing.assert_close(results[0][1][name], grad, atol=1e-4, rtol=1e-4)


def test_input_coder_gives_one_hot_and_missing_indicators():
    coder = InputCoder(("gaussian", "bernoulli", "categorical"), (1, 2, 3), (True, False, True))
    codes = torch.tensor([[0.5, 1.0, 2.0], [float("nan"), 0.0, float("nan")]])
    features = coder(codes)
    # gaussian value, +-1 bernoulli, 3-level one-hot, then a missing flag for the flagged
    expected = torch.tensor(
        [[0.5, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [0.0, -1.0, 0.0, 0.0, 0.0, 1.0, 1.0]]
    )
    torch.testing.assert_close(features, expected)
    assert coder.feature_column == (0, 1, 2, 2, 2, 0, 2)


def test_a_missing_discrete_input_without_indicator_reads_as_its_training_mean():
    """A yes/no or categorical column complete in training, missing at prediction, gives
    its training mean (+-1 scale, level frequencies), not zeros the networks never saw;
    columns with indicators, and coders without fills, keep zeros."""
    nan = float("nan")
    fills = ((), (0.8,), (0.5, 0.3, 0.2), (0.1, 0.9))
    coder = InputCoder(("gaussian", "bernoulli", "categorical", "categorical"),
                       (1, 2, 3, 2), (False, False, False, True), fills)
    codes = torch.tensor([[0.5, 1.0, 2.0, 1.0], [nan, nan, nan, nan]])
    expected = torch.tensor([[0.5, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0],
                             [0.0, 0.8, 0.5, 0.3, 0.2, 0.1, 0.9, 1.0]])
    expected[1, 5:7] = 0.0  # the flagged column keeps zeros and its indicator
    torch.testing.assert_close(coder(codes), expected)
    plain = InputCoder(("bernoulli",), (2,), (False,))
    torch.testing.assert_close(plain(torch.tensor([[nan]])), torch.tensor([[0.0]]))


def test_a_missing_yes_no_co_parent_is_predicted_from_its_training_share(tmp_path):
    """End to end: the fitted model's co-parent coder holds the training share, a model
    file rebuilds it from its config, and a file written before it reads zeros."""
    import json

    from skcama.persistence import load_model, save_model

    rng = np.random.default_rng(0)
    n = 600
    y = rng.integers(0, 2, n)
    c = (rng.random(n) < 0.9).astype(int)
    X = pd.DataFrame({"c": c, "x1": 1.5 * y + 2.0 * c + rng.normal(0, 0.5, n),
                      "x2": y + rng.normal(0, 1, n)})
    graph = nx.DiGraph([("y", "x1"), ("c", "x1"), ("y", "x2")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(graph=graph, target="y", max_epochs=5, random_state=0).fit(X, y)
    share = 2.0 * c.mean() - 1.0
    fills = clf.model_.cfg.input_fills  # co-parent c, then the children x1, x2
    assert len(fills) == 3 and fills[1:] == ((), ()) and np.isclose(fills[0][0], share)
    weights = np.where(c == 1, 1.0, 3.0)  # weighted rows: the share of the weights
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = CAMAClassifier(graph=graph, target="y", max_epochs=1).fit(
            X, y, sample_weight=weights)
    assert np.isclose(weighted.model_.cfg.input_fills[0][0],
                      2.0 * np.average(c, weights=weights) - 1.0)
    blank = X.assign(c=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        proba = clf.predict_proba(blank)
        path = tmp_path / "m.skcama"
        save_model(clf, path)
        np.testing.assert_array_equal(load_model(path).predict_proba(blank), proba)
        with zipfile.ZipFile(path) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        metadata = json.loads(members["skcama.json"])
        fields = metadata["model_config"]["$config"]["$dict"]
        metadata["model_config"]["$config"]["$dict"] = [
            pair for pair in fields if pair[0] != "input_fills"]
        members["skcama.json"] = json.dumps(metadata).encode()
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        old = load_model(path)
        assert old.model_.cfg.input_fills is None
        assert not np.array_equal(old.predict_proba(blank), proba)  # zeros, as it read
        np.testing.assert_array_equal(old.predict_proba(X), clf.predict_proba(X))


def test_a_missing_numeric_cause_reads_as_its_weighted_training_mean(tmp_path):
    """With sample_weight a hole in a numeric cause read as the unweighted mean, while a
    yes/no one read as the weighted share: both now take the mean the weights describe;
    an unweighted fit keeps zeros (its standardised mean) and no fill."""
    from skcama.persistence import load_model, save_model

    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    a = rng.normal(size=n) + 0.8 * y
    X = pd.DataFrame({"a": a, "x1": 1.5 * y + rng.normal(0, 0.7, n),
                      "x2": y + 0.5 * a + rng.normal(0, 1, n)})
    graph = nx.DiGraph([("a", "y"), ("y", "x1"), ("y", "x2"), ("a", "x2")])
    weights = np.where(a > 0, 5.0, 1.0)
    params = dict(graph=graph, target="y", max_epochs=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weighted = CAMAClassifier(**params).fit(X, y, sample_weight=weights)
        plain = CAMAClassifier(**params).fit(X, y)
        rows = X.head(20)
        hole = weighted.predict_proba(rows.assign(a=np.nan))
        np.testing.assert_allclose(
            hole, weighted.predict_proba(rows.assign(a=np.average(a, weights=weights))),
            atol=1e-5)
        assert np.abs(hole - weighted.predict_proba(rows.assign(a=a.mean()))).max() > 1e-3
        np.testing.assert_allclose(plain.predict_proba(rows.assign(a=np.nan)),
                                   plain.predict_proba(rows.assign(a=a.mean())), atol=1e-5)
        assert "gauss_fill" not in dict(plain.model_.code_a.named_buffers())
        path = tmp_path / "w.skcama"
        save_model(weighted, path)
        np.testing.assert_array_equal(load_model(path).predict_proba(rows.assign(a=np.nan)),
                                      hole)
    # the coder: the fill where a value is missing, with or without other kinds
    nan = float("nan")
    only = InputCoder(("gaussian", "gaussian"), (1, 1), (False, False), ((0.3,), ()))
    torch.testing.assert_close(only(torch.tensor([[nan, nan], [1.0, 2.0]])),
                               torch.tensor([[0.3, 0.0], [1.0, 2.0]]))
    mixed = InputCoder(("gaussian", "bernoulli"), (1, 2), (False, False), ((0.3,), (0.8,)))
    torch.testing.assert_close(mixed(torch.tensor([[nan, nan]])), torch.tensor([[0.3, 0.8]]))


def test_missing_indicators_only_for_columns_with_holes_in_training(data):
    """Complete training data gives the plain network; holes add one indicator each."""
    X, y, graph = data
    complete = CAMAClassifier(graph=graph, max_epochs=1).fit(X, y)
    assert complete.model_.cfg.indicators is None
    holed = X.assign(lab=X["lab"].mask(np.arange(len(X)) % 7 == 0))
    clf = CAMAClassifier(graph=graph, max_epochs=1).fit(holed, y)
    order = clf.roles_.parents + clf.roles_.coparents + clf.roles_.children
    flagged = [n for n, on in zip(order, clf.model_.cfg.indicators, strict=True) if on]
    assert flagged == ["lab"]
    # a hole at prediction in a column complete in training counts as its training mean
    assert np.isfinite(complete.predict_proba(holed)).all()



def test_reconstruct_clean_gives_the_columns_their_dtypes_back(fitted, data):
    X, y, _ = data
    clean = fitted.reconstruct_clean(X.head(50), y.head(50))
    for name in clean.columns:
        if not X[name].head(50).isna().any():
            assert clean[name].dtype == X[name].dtype, name
    # a column whose values do not fit the dtype keeps the reconstruction's
    from skcama._classifier import _as_dtype_of
    column = pd.Series(pd.Categorical([1, None, 3]))
    assert _as_dtype_of(column, np.dtype("int64")) is column

def test_unseen_categories_raise_by_default_and_can_count_as_missing(fitted, data):
    X, _, _ = data
    X_new = X.head(5).copy()
    X_new["imaging"] = X_new["imaging"].astype(object)
    X_new.loc[X_new.index[0], "imaging"] = "cavitating"
    with pytest.raises(ValueError, match=r"column 'imaging' holds values \['cavitating'\].*"
                                         r"set handle_unknown='missing'"):
        fitted.predict(X_new)
    lenient = CAMAClassifier(**{**fitted.get_params(), "handle_unknown": "missing"})
    lenient.set_params(graph=fitted.graph)
    X_fit, y_fit, _ = data
    lenient.fit(X_fit, y_fit)
    as_missing = X_new.copy()
    as_missing.loc[as_missing.index[0], "imaging"] = np.nan
    np.testing.assert_array_equal(lenient.predict_proba(X_new), lenient.predict_proba(as_missing))

    # a column coded otherwise at the new site: most of its values unseen, said once
    recoded = X.head(40).copy()
    recoded["imaging"] = recoded["imaging"].astype(str).str.upper()
    with pytest.warns(UserWarning, match=r"column 'imaging': 40 of its 40 values were not seen "
                                         r"in fit .* read as missing .*only in case") as caught:
        lenient.predict(recoded)
    assert sum("column 'imaging'" in str(w.message) for w in caught) == 1
    with warnings.catch_warnings():  # one unseen value among many: no warning
        warnings.simplefilter("error", UserWarning)
        mostly_known = X.head(40).copy()
        mostly_known["imaging"] = mostly_known["imaging"].astype(object)
        mostly_known.loc[mostly_known.index[0], "imaging"] = "cavitating"
        lenient.predict(mostly_known)


@pytest.mark.parametrize(
    "column, convert, hint",
    [
        ("grade", lambda c: c.astype(str), r"as another type \(str, not int\).*astype\('int'\)"),
        ("smoker", lambda c: c.astype(str), r"\.map\(\{'False': False, 'True': True\}\)"),
        ("imaging", lambda c: c.str.upper(),
         r"only in case or in spaces around them.*X\['imaging'\]\.replace\(\{'[A-Z]"),
        ("imaging", lambda c: c + " ",
         r"only in case or in spaces.*X\['imaging'\]\.replace\(\{'\w+ ': '\w+'"),
        ("imaging", lambda c: c.str.title().astype("category"),
         r"only in case.*X\['imaging'\]\.astype\(object\)\.replace\(\{'[A-Z]"),
    ],
)
def test_unseen_categories_that_spell_known_ones_get_a_hint(fitted, data, column, convert, hint):
    X, _, _ = data
    X_new = X.head(20).copy()
    X_new[column] = convert(X_new[column])
    with pytest.raises(ValueError, match=rf"column '{column}' holds values .*{hint}") as raised:
        fitted.predict(X_new)
    # the suggested conversion works: the hint's fix gives the original predictions
    fixes = {"grade": lambda c: c.astype("int"),
             "smoker": lambda c: c.map({"False": False, "True": True})}
    if column == "imaging":  # the hint's own line, run as written
        fix = re.search(r"X\['imaging'\] = (X\['imaging'\]\S*?\.replace\(\{.*?\}\))",
                        str(raised.value))[1]
        fixes["imaging"] = lambda c: eval(fix, {"X": X_new})
    if column in fixes:
        fixed = X_new.assign(**{column: fixes[column](X_new[column])})
        np.testing.assert_array_equal(fitted.predict(fixed), fitted.predict(X.head(20)))


def test_a_grade_level_missing_from_the_training_rows_gets_the_fixes(data):
    """A whole-number grade takes its levels from the rows of fit: a rare level left out
    of them (a cross-validation fold) is unknown; the message gives the two fixes, and
    the first of them works."""
    X, y, graph = data
    train = X["grade"] < 3
    clf = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(X[train], y[train])
    fixes = (r"holds values \[3\].*declare every level, X\['grade'\] = X\['grade'\]\.astype"
             r"\(pd\.CategoricalDtype\(\[0, 1, 2, 3\]\)\) \(a level no training row holds "
             r"is then known but untrained, and rows holding it are warned of\), or read the "
             r"column as a measurement, column_types=\{'grade': 'gaussian'\}")
    with pytest.raises(ValueError, match=fixes):
        clf.predict(X)
    declared = X.assign(grade=X["grade"].astype(pd.CategoricalDtype([0, 1, 2, 3])))
    clf = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(declared[train], y[train])
    assert clf.predict(declared).shape == (len(X),)


def test_a_fractional_value_of_a_whole_number_column_is_read_as_a_measurement_hint(data):
    """A measurement that the training rows happened to hold in whole numbers (a
    thermometer reading whole degrees) is read as categories; a value with a fractional
    part proves it is a measurement, and the message says to read it as one, not to
    count it as not measured."""
    X, y, graph = data
    clf = CAMAClassifier(graph=graph, max_epochs=2, random_state=0).fit(X, y)
    assert clf.column_types_["grade"] == "categorical"
    new = X.head(5).assign(grade=[1.5, 0.0, 1.0, 2.0, 1.0])
    with pytest.raises(ValueError, match=r"\[1\.5\] have a fractional part, so 'grade' is a "
                                         r"measurement.*column_types=\{'grade': 'gaussian'\}, "
                                         r"and refit; handle_unknown='missing' would count"):
        clf.predict(new)


def test_integer_column_read_with_holes_matches_its_categories(fitted, data):
    """An integer column that arrives as float (pandas' way with NaN) is still coded."""
    X, _, _ = data
    X_float = X.head(20).assign(grade=X["grade"].head(20).astype(float))
    np.testing.assert_array_equal(fitted.predict_proba(X_float), fitted.predict_proba(X.head(20)))


def test_same_random_state_same_predictions_on_mixed_data(data):
    X, y, graph = data
    a = CAMAClassifier(graph=graph, max_epochs=5, random_state=3).fit(X, y)
    b = CAMAClassifier(graph=graph, max_epochs=5, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_model_file_round_trip_keeps_categories(fitted, data, tmp_path: pathlib.Path):
    X, _, _ = data
    path = tmp_path / "mixed.skcama"
    fitted.save(path)
    loaded = CAMAClassifier.load(path)
    assert loaded.column_types_ == fitted.column_types_
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


def test_clean_reconstruction_returns_original_labels(fitted, data):
    X, y, _ = data
    rebuilt = fitted.reconstruct_clean(X.head(30), y.head(30))
    assert set(rebuilt["imaging"].dropna()) <= {"normal", "patchy", "diffuse"}
    assert set(rebuilt["grade"].dropna()) <= {0, 1, 2, 3}
    assert rebuilt["lab"].dtype.kind == "f"
    # missing children are filled by the reconstruction, parents stay missing
    holes = X.head(30).assign(lab=np.nan, age=np.nan)
    rebuilt = fitted.reconstruct_clean(holes, y.head(30))
    assert rebuilt["lab"].notna().all() and rebuilt["age"].isna().all()


def test_adapt_on_a_recorded_more_often_finding(fitted, data):
    """A binary finding recorded far more often at a new site: adapt runs and clean
    predictions under do(m=0) stay available through reset_adaptation."""
    X, y, _ = data
    rng = np.random.default_rng(5)
    X_new = X.copy()
    X_new["finding"] = X_new["finding"] | (rng.random(len(X)) < 0.5)
    X_new["grade"] = np.clip(X_new["grade"] + 1, 0, 3)
    clf = CAMAClassifier(**fitted.get_params()).fit(X, y)
    before = clf.predict_proba(X)
    clf.adapt(X_new.head(500))
    assert np.isfinite(clf.predict_proba(X_new)).all()
    np.testing.assert_array_equal(clf.reset_adaptation().predict_proba(X), before)


def test_small_and_large_frames_are_coded_alike(monkeypatch):
    # small frames code their numeric columns in one block, large ones column by column
    import skcama._columns as columns

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "f": rng.normal(size=50),
        "i": rng.integers(0, 1000, 50),
        "k": rng.choice(["a", "b", "c"], 50),
        "n": pd.array(rng.integers(0, 1000, 50), dtype="Int64"),
    })
    frame.loc[[3, 7], "f"] = np.nan
    frame.loc[5, "n"] = pd.NA
    codec = columns.ColumnCodec(frame, list(frame.columns))
    block = codec.transform(frame)
    monkeypatch.setattr(columns, "_BLOCK_VALUES", 0)
    one_by_one = codec.transform(frame)
    np.testing.assert_array_equal(block, one_by_one)
    assert np.isnan(block[[3, 7], 0]).all() and np.isnan(block[5, 3])


def test_object_column_of_numbers_is_read_as_numbers_and_lists_are_refused(data):
    from skcama._columns import infer_kind

    assert infer_kind(pd.Series([1.5, 2.25, None, 3.1], dtype=object)) == "gaussian"
    assert infer_kind(pd.Series([0, 1, 1, 0], dtype=object)) == "bernoulli"
    assert infer_kind(pd.Series(["a", 1.0, "b"], dtype=object)) == "categorical"
    X, y, graph = data
    with pytest.raises(ValueError, match="column 'lab' holds values that are neither numbers"):
        CAMAClassifier(graph=graph, **FAST).fit(X.assign(lab=[[1.0]] * len(X)), y)


def test_plain_float_columns_are_summarised_as_the_general_path_does():
    """numpy float columns take a numpy-only path in ColumnCodec: kinds, means, scales and
    missing flags equal those of the same values as nullable Float64 (the pandas path)."""
    from skcama._columns import ColumnCodec

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "gauss": rng.normal(size=200),
        "holes": np.where(rng.random(200) < 0.2, np.nan, rng.normal(size=200)),
        "graded": rng.integers(0, 4, 200).astype(float),  # whole numbers: categorical
        "binary": np.where(rng.random(200) < 0.1, np.nan, rng.integers(0, 2, 200)),
        "narrow": rng.normal(size=200).astype(np.float32),
    })
    fast = ColumnCodec(frame, list(frame.columns))
    general = ColumnCodec(frame.astype("Float64"), list(frame.columns))
    assert fast.kinds == general.kinds == (
        "gaussian", "gaussian", "categorical", "bernoulli", "gaussian")
    assert fast.has_missing == general.has_missing
    np.testing.assert_array_equal(fast.mean, general.mean)
    np.testing.assert_array_equal(fast.scale, general.scale)
    for column in ("holes", "gauss"):  # infinite values are named either way
        bad = frame.assign(**{column: np.r_[np.inf, frame[column].to_numpy()[1:]]})
        for version in (bad, bad.astype("Float64")):
            with pytest.raises(ValueError, match=rf"infinity in columns \['{column}'\]"):
                ColumnCodec(version, list(frame.columns))


def test_a_column_that_numbers_the_rows_is_warned_as_an_identifier():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"x": rng.normal(size=200) + y, "patient_id": np.arange(7, 207)})
    with pytest.warns(UserWarning, match=r"column 'patient_id' numbers the rows .*7 to 206.*"
                                         r"--id 'patient_id'"):
        CAMAClassifier(**FAST).fit(X, y)
    # the training rows of a split: distinct numbers with gaps, spanning less than twice
    # the rows; and identifiers written as text
    kept = rng.permutation(200)[:140]
    with pytest.warns(UserWarning, match=r"column 'patient_id' numbers the rows"):
        CAMAClassifier(**FAST).fit(X.iloc[kept], y[kept])
    text = X.assign(patient_id=[f"P{i:04d}" for i in range(200)])
    with pytest.warns(UserWarning, match=r"'patient_id' numbers the rows \(a distinct text in "
                                         r"each, e.g. 'P0000'\).*one level per row"):
        CAMAClassifier(**FAST).fit(text, y)
    # read as floats: an identifier with one blank cell (pd.read_csv makes it float),
    # or written as 100007.0, 100008.0, ...; a column type given in column_types is not
    holed = X.assign(patient_id=X["patient_id"].astype(float).where(X.index != 3))
    with pytest.warns(UserWarning, match=r"'patient_id' numbers the rows .*7 to 206"):
        CAMAClassifier(**FAST).fit(holed, y)
    with pytest.warns(UserWarning, match=r"'patient_id' numbers the rows .*100007 to 100206"):
        CAMAClassifier(**FAST).fit(X.assign(patient_id=X["patient_id"] + 100_000.0), y)
    with warnings.catch_warnings():  # repeated or widely spread whole numbers are not
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        CAMAClassifier(**FAST).fit(X.assign(patient_id=np.arange(200) // 2), y)
        spread = rng.choice(100_000, 200, replace=False)  # e.g. a count in a wide range
        CAMAClassifier(**FAST).fit(X.assign(patient_id=spread), y)
        CAMAClassifier(**FAST).fit(X.assign(patient_id=spread.astype(float)), y)
        CAMAClassifier(**FAST, column_types={"patient_id": "gaussian"}).fit(holed, y)


def test_dates_written_as_text_are_warned_naming_the_column_and_the_fix():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 90, 200), "D")
    X = pd.DataFrame({"x": rng.normal(size=200) + y, "visit": days.strftime("%Y-%m-%d")})
    with pytest.warns(UserWarning, match=r"column 'visit' holds dates written as text \(e.g. "
                                         r"'2023-.*one level per distinct date.*--id 'visit'"
                                         r".*pd.to_datetime\(X\['visit'\]\)"):
        clf = CAMAClassifier(**FAST).fit(X, y)
    assert clf.column_types_["visit"] == "categorical"
    stamped = X.assign(visit=days.strftime("%d/%m/%Y %H:%M"))
    with pytest.warns(UserWarning, match=r"'visit' holds dates written as text"):
        CAMAClassifier(**FAST).fit(stamped, y)
    # the fix the warning gives, run as written, makes it a measurement
    fixed = X.assign(visit=(pd.to_datetime(X["visit"]) - pd.Timestamp("2020-01-01")).dt.days)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert CAMAClassifier(**FAST).fit(fixed, y).column_types_["visit"] == "gaussian"
        # labels that merely hold digits and dashes in another shape are not dates, nor
        # codes of a date's shape whose month or day is out of range (versions, readings)
        CAMAClassifier(**FAST).fit(X.assign(visit=rng.choice(["A-1", "B-2"], 200)), y)
        for codes in (["3.1.0", "3.2.0", "2.0.1"], ["120/80/1", "130/85/2"]):
            CAMAClassifier(**FAST).fit(X.assign(visit=rng.choice(codes, 200)), y)


def test_a_repeated_missing_value_code_is_warned_naming_the_column():
    from skcama._columns import ColumnCodec

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "bmi": rng.normal(27, 5, 300),
        "mmrc": rng.integers(0, 5, 300),  # a grade: categorical, the code a level
        "score": rng.integers(0, 101, 300).astype(float),  # 99 among 0-100: a value
        "z": rng.normal(0, 1, 300),
    })
    frame.loc[:11, "bmi"] = -999
    frame.loc[:4, "mmrc"] = 9999
    frame.loc[:9, "z"] = 9  # 9 sds out, yet within ten interquartile ranges: not a code
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ColumnCodec(frame, list(frame.columns))
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2, messages
    assert messages[0].startswith("column 'bmi' holds -999 in 12 rows, far outside its other "
                                  "values (")
    assert "X['bmi'].replace(-999, np.nan)" in messages[0]
    assert messages[1].startswith("column 'mmrc' holds 9999 in 5 rows")
    # one such value is an outlier, not a code: warned as a value far from the others;
    # and a clean column costs no warning
    frame.loc[:11, "bmi"] = np.r_[-999, rng.normal(27, 5, 11)]
    with pytest.warns(UserWarning, match=r"column 'bmi': the training value -999 is .* robust "
                                         r"sds from the column's median") as caught:
        ColumnCodec(frame[["bmi", "score"]], ["bmi", "score"])
    assert len(caught) == 1 and "holds -999 in" not in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ColumnCodec(frame[["score"]], ["score"])


def test_a_negative_code_in_a_column_never_negative_in_fit_is_warned_at_prediction():
    """A wide, positive column (a hormone: sd about 1,500) holds -999 within a few sds
    of its mean, where the far-value check does not look; no training value was below
    zero, so a negative code of nines is named. Ordinary negative values, and codes in a
    column that took negative values in fit, are read as they are."""
    from skcama._columns import ColumnCodec

    rng = np.random.default_rng(0)
    train = pd.DataFrame({"ntprobnp": rng.lognormal(6.5, 1.0, 400),
                          "change": rng.normal(0, 300, 400)})
    codec = ColumnCodec(train, list(train.columns))
    assert codec.nonnegative == {"ntprobnp"}
    new = train.iloc[:20].copy()
    new.loc[new.index[[3, 7]], "ntprobnp"] = -999.0
    with pytest.warns(UserWarning) as caught:
        codec.transform(new)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1, messages
    assert messages[0].startswith("column 'ntprobnp' holds -999 in 2 row(s) (the first: row "
                                  "3), below zero, where no training value was")
    assert "X['ntprobnp'].replace(-999, np.nan)" in messages[0]
    new.loc[new.index[[3, 7]], "ntprobnp"] = [-5.0, np.nan]  # a negative value, no code
    new.loc[new.index[:3], "change"] = -999.0  # within the sds of a signed column
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        codec.transform(new)
        codec.transform(new.iloc[:0])  # no rows


def test_text_that_differs_only_in_case_or_spaces_is_named_at_fit(data):
    X, y, graph = data
    messy = X.assign(imaging=X["imaging"].astype(object))
    messy.loc[messy.index[:30], "imaging"] = messy["imaging"].iloc[:30].str.upper() + " "
    labels = pd.Series(np.asarray(y).astype(str), index=X.index)
    labels.iloc[:10] = labels.iloc[:10] + " "
    with pytest.warns(UserWarning) as record:
        CAMAClassifier(graph=graph, max_epochs=1, random_state=0).fit(messy, labels)
    messages = [str(w.message) for w in record]
    assert any("column 'imaging' holds values that differ only in case or in spaces" in m
               for m in messages)
    assert any("y holds labels that differ only in case or in spaces" in m for m in messages)


@pytest.mark.parametrize("text, fix", [
    ("<5", "write it as a number, e.g. '<5' as 5 (the detection limit) or as missing"),
    ("<.5", "'<.5' as 0.5 (the detection limit)"),
    ("< 0,5", "'< 0,5' as 0.5 (the detection limit)"),
    ("<.", "convert it to numbers"),
])
def test_a_detection_limit_in_a_lab_column_gets_a_number_as_the_fix(fitted, data, text, fix):
    X, _, _ = data
    X_new = X.head(5).astype({"lab": object})
    X_new.loc[X_new.index[0], "lab"] = text
    with pytest.raises(ValueError, match=rf"column 'lab' .*{re.escape(fix)}"):
        fitted.predict(X_new)


@pytest.mark.parametrize("dtype", [bool, "boolean"])
def test_a_yes_no_column_in_place_of_a_measurement_is_warned_naming_it(fitted, data, dtype):
    X, _, _ = data
    mixed_up = X.iloc[:20].assign(lab=X["finding"].iloc[:20].astype(dtype))
    with pytest.warns(UserWarning, match=r"column 'lab' holds True / False, read as 1 / 0, "
                                         r"but was a measurement in fit"):
        fitted.predict_proba(mixed_up)


def test_a_yes_no_column_declared_continuous_is_not_warned_of(data):
    X, y, graph = data
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.filterwarnings("ignore", "CAMAClassifier stopped")
        clf = CAMAClassifier(graph=graph, column_types={"smoker": "continuous"},
                             **{**FAST, "max_epochs": 1}).fit(X, y)
        clf.predict_proba(X.iloc[:20])


def test_an_unseen_value_of_a_cause_read_as_missing_is_warned_and_given_back(fitted, data):
    X, _, _ = data
    model = copy.deepcopy(fitted).set_params(handle_unknown="missing")
    rows = X.iloc[:5].assign(site=X["site"].iloc[:5].astype(object))
    rows.iloc[0, rows.columns.get_loc("site")] = "west"
    with pytest.warns(UserWarning, match=r"inputs with missing values \(values unseen in fit "
                                         r"among them.*'site' \(1 of 5 rows\)"):
        model.predict_proba(rows)
    with pytest.warns(UserWarning, match="unseen in fit"):
        back = model.reconstruct_clean(rows)
    assert back["site"].tolist() == rows["site"].tolist()
    rows["site"] = "west"  # measured in every row, never as in fit: not "missing"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.predict_proba(rows)
    said = " ".join(str(w.message) for w in caught)
    assert "'site' (5 of 5 rows)" in said and "missing in every row" not in said


def test_numbers_written_with_a_unit_are_warned_of_at_fit(data):
    from skcama._columns import infer_kind

    X, y, graph = data
    with_unit = X.assign(lab=X["lab"].map(lambda v: f"{v:.1f} mmol/L"))
    with pytest.warns(UserWarning, match=r"column 'lab' holds numbers written with the unit "
                                         r"'mmol/L'.*str.replace\('mmol/L', '', regex=False\)"):
        clf = CAMAClassifier(graph=graph, **{**FAST, "max_epochs": 1}).fit(with_unit, y)
    assert clf.column_types_["lab"] == "categorical"
    grades = X.assign(grade=X["grade"].map(lambda v: f"{v}a"))  # codes such as 3a: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.filterwarnings("ignore", "CAMAClassifier stopped")
        assert infer_kind(grades["grade"].astype(object)) == "categorical"


def test_prediction_chunks_count_a_categorical_child_once_per_level():
    """The decoder's buffer holds a categorical child's hidden units once per level:
    the chunk is sized for that (a child of 400 levels asked a GPU for 282 GB)."""
    from skcama._classifier import _CPU_PREDICT_BUFFER, _GPU_PREDICT_BUFFER, _predict_batch

    rng = np.random.default_rng(0)
    n = 300
    y = rng.integers(0, 2, n)
    X = pd.DataFrame({"code": rng.integers(0, 150, n) + 150 * y, "lab": rng.normal(y, 1.0)})
    graph = nx.DiGraph([("y", "code"), ("y", "lab")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(graph=graph, target="y", max_epochs=1,
                             column_types={"code": "categorical"}).fit(X, y)
    decoder = clf.model_.decoder
    assert not decoder.single_output and len(decoder.out_child) > 150
    rows, samples = _predict_batch(clf)
    held = rows * 2 * samples * len(decoder.out_child) * clf.child_hidden_size
    on_gpu = next(clf.model_.parameters()).is_cuda
    assert rows == 64 or held <= (_GPU_PREDICT_BUFFER if on_gpu else _CPU_PREDICT_BUFFER)[1]


def test_decimal_columns_from_a_database_are_read_as_numbers():
    # pd.read_sql gives a NUMERIC column as Python Decimals: read as floats (as polars
    # Decimal columns are), not as text, so the model saves and predicts as with floats
    from decimal import Decimal

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    floats = pd.DataFrame({"x": rng.normal(y, 1.0), "grade": rng.integers(0, 4, 300) * 1.0,
                           "dose": np.round(rng.normal(size=300), 2)})
    floats.loc[5, "dose"] = np.nan
    X = floats.assign(**{c: pd.Series([None if np.isnan(v) else Decimal(str(v))
                                       for v in floats[c]], dtype=object)
                         for c in ("grade", "dose")})
    kept = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "numbers written as text"
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = CAMAClassifier(max_epochs=2, random_state=0).fit(X, y)
        reference = CAMAClassifier(max_epochs=2, random_state=0).fit(floats, y)
    assert model.column_types_ == reference.column_types_
    np.testing.assert_array_equal(model.predict_proba(X), reference.predict_proba(floats))
    model.save(io.BytesIO())  # Decimal levels had no safe encoding
    pd.testing.assert_frame_equal(X, kept)
    assert isinstance(X["dose"].iloc[0], Decimal)
    # Decimals beside floats (a NUMERIC column concatenated with a float one) too
    mixed = X.assign(dose=X["dose"].where(X.index % 2 == 0, floats["dose"]))
    assert {type(v) for v in mixed["dose"].dropna()} == {Decimal, float}
    np.testing.assert_array_equal(model.predict_proba(mixed), model.predict_proba(X))


def test_categorical_children_predict_alike_by_the_dense_and_the_blockwise_product(
        monkeypatch):
    """Few children with several outputs take the dense output product in inference; the
    blockwise one (taken beyond _DENSE_CONTRACT_CHILDREN children) gives the same
    probabilities up to float32 rounding."""
    import skcama._model as model_module

    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 600)
    X = pd.DataFrame({"g": rng.normal(size=600) + y,
                      "grade": pd.Categorical((y + rng.integers(0, 2, 600)) % 5),
                      "ward": pd.Categorical(rng.integers(0, 7, 600))})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = CAMAClassifier(max_epochs=5, random_state=0).fit(X, y)
    dense = clf.predict_proba(X)
    monkeypatch.setattr(model_module, "_DENSE_CONTRACT_CHILDREN", 0)
    np.testing.assert_allclose(clf.predict_proba(X), dense, rtol=0, atol=1e-5)


def test_a_declared_level_no_training_row_held_is_warned_of_where_a_row_holds_it(tmp_path):
    """Declaring every level keeps cross-validation folds alike, but a level no training
    row held has untrained weights: a row holding it later is warned of (it moved
    probabilities by up to 0.3 without a word), in a model file too."""
    from skcama import load_model, save_model

    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    grade = pd.Categorical(
        np.where(y == 1, rng.choice(["mild", "moderate"], n), rng.choice(["mild", "severe"], n)),
        categories=["mild", "moderate", "severe", "extreme"])
    X = pd.DataFrame({"x1": rng.normal(y, 1), "grade": grade})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(graph={"x1": ["y"], "y": ["grade"]}, target="y", max_epochs=5,
                             random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.predict_proba(X.head(10))  # the levels seen in fit: no warning
    new = X.head(10).copy()
    new.loc[[2, 5], "grade"] = "extreme"
    save_model(clf, tmp_path / "m.skcama")
    for model in (clf, load_model(tmp_path / "m.skcama")):
        with pytest.warns(UserWarning, match=r"column 'grade' holds \['extreme'\] in 2 row\(s\): "
                                             r"a level .* no training row held.*\.mask\("):
            model.predict_proba(new)
    # the fix the warning gives reads the level as missing, on a column of any type (a
    # table read from a file holds text, where .cat.remove_categories failed)
    for given in (new, new.astype({"grade": object})):
        fixed = given.copy()
        fixed["grade"] = fixed["grade"].mask(fixed["grade"].isin(["extreme"]))
        with pytest.warns(UserWarning, match=r"inputs with missing values: 'grade' \(2 of 10"):
            clf.predict_proba(fixed)


def test_a_category_keeps_its_declared_level_order_and_finds_unheld_levels_by_value():
    X, y, graph = mixed_frame(300)
    natural = pd.CategoricalDtype(["normal", "patchy", "diffuse", "cavity"])  # unordered
    clf = CAMAClassifier(graph=graph, max_epochs=1, random_state=0).fit(
        X.assign(imaging=X["imaging"].astype(natural)), y)
    j = clf.scaler_.names.index("imaging")
    # the declared order (adapt's replay reads the codes as numbers); "cavity" held by no
    # training row, found by its value
    assert list(clf.scaler_.categories[j]) == ["normal", "patchy", "diffuse", "cavity"]
    assert clf.scaler_.untrained["imaging"] == (3,)


def test_mixed_type_values_that_print_alike_are_ordered_by_type_not_by_row_order():
    from skcama._columns import _levels

    def levels(values):
        return [(v, type(v).__name__) for v in _levels(pd.Series(values, dtype=object))]

    assert levels(["1", 1, 2.5]) == levels([1, 2.5, "1"]) == [
        (1, "int"), ("1", "str"), (2.5, "float")]
