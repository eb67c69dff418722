"""Tests of skcama.manipulations: amounts in clean-sd units, roles, validity checks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from skcama import CAMAClassifier
from skcama.manipulations import (
    InvalidManipulationWarning,
    add_noise,
    clean_std,
    replace,
    resolve_columns,
    scale,
    shift,
)

from conftest import simple_sem

ROLES = {"target": "y", "parents": ["a"], "coparents": ["c"], "children": ["x1", "x2", "x3"]}


@pytest.fixture(scope="module")
def data():
    X, y, _ = simple_sem(0, n=300)
    return X, y


@pytest.fixture(scope="module")
def fitted_cama(data):
    X, y = data
    _, _, graph = simple_sem(0, n=10)
    return CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(X, y)


def test_shift_moves_by_amount_times_reference_std(data):
    X, _ = data
    reference = X * 2.0  # twice the spread
    out = shift(X, 1.5, columns=["x1"], reference=reference)
    np.testing.assert_allclose(out["x1"] - X["x1"], 1.5 * reference["x1"].std(ddof=0))
    assert out.drop(columns="x1").equals(X.drop(columns="x1"))


def test_default_columns_are_coparents_and_children(data):
    X, _ = data
    out = shift(X, 1.0, roles=ROLES)
    changed = [c for c in X.columns if not np.allclose(out[c], X[c])]
    assert changed == ["c", "x1", "x2", "x3"]


def test_a_role_with_columns_missing_from_x_is_refused(data, fitted_cama):
    # the missing child used to be skipped without a word, shifting the others only
    X, _ = data
    with pytest.raises(ValueError, match=r"the children \['x2'\] are not columns of X"):
        shift(X.drop(columns="x2"), 1.0, columns="children", reference=fitted_cama)
    out = shift(X.drop(columns="x2"), 1.0, columns=["x1", "x3"], reference=fitted_cama)
    assert not np.allclose(out["x1"], X["x1"])  # naming the columns still works


def test_std_taken_from_fitted_cama_scaler(data, fitted_cama):
    X, _ = data
    few = X.iloc[:40] * 3.0  # three times the spread of the training rows (fitted_cama's X)
    out = shift(few, 2.0, columns="children", reference=fitted_cama)
    for child in fitted_cama.roles_.children:
        np.testing.assert_allclose(out[child] - few[child], 2.0 * X[child].std(ddof=0),
                                   rtol=1e-5)
        assert few[child].std(ddof=0) > 2 * X[child].std(ddof=0)


def test_manipulating_a_parent_warns_that_it_is_not_valid(data):
    X, _ = data
    with pytest.warns(InvalidManipulationWarning, match="not a valid manipulation") as record:
        shift(X, 1.0, columns=["a"], roles=ROLES)
    assert record[0].filename == __file__  # the warning names the caller's line


def test_manipulating_the_target_raises(data):
    X, y = data
    frame = X.assign(y=y)
    with pytest.raises(ValueError, match="cannot manipulate the target 'y'"):
        shift(frame, 1.0, columns=["y"], roles=ROLES)


def test_unknown_column_suggests_the_close_name(data):
    X, _ = data
    with pytest.raises(ValueError, match="Did you mean 'x1'"):
        shift(X, 1.0, columns=["X1"])


def test_role_name_without_roles_explains_how_to_pass_them(data):
    X, _ = data
    with pytest.raises(ValueError, match="needs the graph roles"):
        resolve_columns(X, "children")


def test_a_misspelt_role_in_a_roles_dict_is_named_not_read_as_empty(data):
    """roles={'parent': ...} was read as no parents, so a parent moved without the
    warning, and roles={'coparent': ...} left the co-parents unmanipulated, silently."""
    X, _ = data
    with pytest.raises(ValueError, match=r"roles has keys \['parent', 'coparent'\] that name "
                       r"no role \(did you mean 'parent' -> 'parents', 'coparent' -> "
                       r"'coparents'\?\)"):
        shift(X, 1.0, roles={"target": "y", "parent": ["x1"], "coparent": ["x2"],
                             "children": ["x3"]})
    with pytest.raises(ValueError, match=r"\['childs'\] that name no role"):
        resolve_columns(X, "children", roles={"childs": ["x3"]})
    # a SEM's roles hold 'outside' and 'latent' too: allowed, not read
    roles = {"target": "y", "parents": [], "coparents": ["x2"], "children": ["x3"],
             "outside": [], "latent": ["z1"]}
    assert resolve_columns(X, roles=roles) == ["x2", "x3"]


def test_an_amount_that_takes_values_past_the_largest_float_is_refused():
    """add_noise(X, 1e308) returned infinite values, which every model then refuses as
    an input; float32 columns overflow sooner."""
    X = pd.DataFrame({"a": np.linspace(0.0, 1.0, 50),
                      "b": np.linspace(0.0, 1.0, 50).astype(np.float32)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning before the error either
        for call, beyond in ((lambda: add_noise(X, 1e308, columns=["a", "b"], random_state=0),
                              r"\['a', 'b'\]"),
                             (lambda: shift(X, 1e308, columns=["a", "b"]), r"\['b'\]"),
                             (lambda: scale(X, 1e39, columns=["a", "b"]), r"\['b'\]")):
            with pytest.raises(ValueError, match=rf"took columns {beyond} beyond the largest "
                                                 "number their type holds"):
                call()
        assert np.isfinite(shift(X, 1e37, columns=["b"])["b"]).all()  # within float32


def test_default_columns_without_roles_say_what_the_default_means(data):
    """Leaving out columns= means the co-parents and children; without roles the error
    says so instead of naming a role the user never wrote."""
    X, _ = data
    for call in (lambda: shift(X, 1.0), lambda: resolve_columns(X)):
        with pytest.raises(ValueError, match="columns=None means the co-parents and children"):
            call()


def test_scale_multiplies_deviation_from_clean_mean(data):
    X, _ = data
    out = scale(X, 3.0, columns=["x2"])
    np.testing.assert_allclose(out["x2"] - X["x2"].mean(), 3.0 * (X["x2"] - X["x2"].mean()))


def test_noise_has_requested_sd_and_is_seeded(data):
    X, _ = data
    a = add_noise(X, 0.5, columns=["x3"], random_state=1)
    b = add_noise(X, 0.5, columns=["x3"], random_state=1)
    assert a.equals(b)
    ratio = (a["x3"] - X["x3"]).std() / X["x3"].std()
    assert 0.4 < ratio < 0.6


def test_replace_fraction_of_values(data):
    X, _ = data
    out = replace(X, 0.5, columns=["x1"], value=3.0, random_state=0)
    replaced = ~np.isclose(out["x1"], X["x1"])
    assert 0.4 < replaced.mean() < 0.6
    np.testing.assert_allclose(
        out.loc[replaced, "x1"], X["x1"].mean() + 3.0 * X["x1"].std(ddof=0)
    )
    with pytest.raises(ValueError, match=r"must be in \[0, 1\]"):
        replace(X, 1.5, columns=["x1"])


def test_non_frame_input_raises():
    with pytest.raises(TypeError, match="DataFrame"):
        shift(np.zeros((3, 2)), 1.0, columns=[0])


def test_input_frame_is_not_modified(data):
    X, _ = data
    before = X.copy()
    shift(X, 1.0, roles=ROLES)
    pd.testing.assert_frame_equal(X, before)


def test_non_numeric_columns_are_refused_by_name(data):
    X, _ = data
    with pytest.raises(ValueError, match=r"columns \['x1'\] are not numeric"):
        shift(X.assign(x1="high"), 1.0, columns=["x1"])


def test_discrete_column_of_a_cama_reference_has_no_clean_sd(data):
    X, y = data
    graded = X.assign(x2=np.round(X["x2"]).clip(-2, 2).astype(int))
    _, _, graph = simple_sem(0, n=10)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(graded, y)
    assert clf.column_types_["x2"] == "categorical"
    with pytest.raises(ValueError, match=r"columns \['x2'\] are discrete") as error:
        shift(graded, 1.0, columns=["x2"], reference=clf)
    assert "reference=" not in str(error.value)  # codes shifted as numbers are unseen values
    # named through a role, the discrete child is left alone, with a warning
    with pytest.warns(UserWarning, match=r"columns \['x2'\] are discrete .* left as they are"):
        out = shift(graded, 1.0, columns="children", reference=clf)
    pd.testing.assert_series_equal(out["x2"], graded["x2"])
    assert not np.allclose(out["x1"], graded["x1"])
    assert clf.predict(out).shape == (len(out),)  # every value is one the model knows


def test_a_role_of_discrete_columns_only_is_a_clear_error(data):
    X, _ = data
    coded = X.assign(x1=(X["x1"] > 0), x2=np.where(X["x2"] > 0, "yes", "no"),
                     x3=pd.Categorical(np.where(X["x3"] > 0, "high", "low")))
    with pytest.raises(ValueError, match=r"every column of \['children'\] is discrete"):
        shift(coded, 1.0, columns="children", roles=ROLES)
    with pytest.warns(UserWarning, match=r"columns \['x1', 'x2', 'x3'\] are discrete"):
        out = add_noise(coded, 0.5, roles=ROLES, random_state=0)  # default: co-parents too
    pd.testing.assert_frame_equal(out.drop(columns="c"), coded.drop(columns="c"))


def test_without_a_model_numeric_columns_count_as_numbers_however_few_their_values(data):
    """A frame says nothing reliable about codes: a numeric column is shifted whether it
    is named or reached through a role, even a batch of 12 rows with 10 heart rates."""
    X, _ = data
    rates = [60, 60, 60, 62, 64, 66, 68, 70, 72, 74, 76, 78]
    batch = X.iloc[:12].assign(x1=rates)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_role = shift(batch, 1.0, columns="children", roles=ROLES)
        by_name = shift(batch, 1.0, columns=["x1"], roles=ROLES)
    pd.testing.assert_series_equal(by_role["x1"], by_name["x1"])
    assert not np.allclose(by_role["x1"], batch["x1"])


def test_a_training_frame_as_reference_reads_graded_columns_as_fit_does(data):
    """Whole numbers with few values in the training data are discrete for CAMA; with that
    frame as reference they are left as they are, as with the fitted model as reference."""
    X, y = data
    graded = X.assign(x2=np.digitize(X["x2"], [-1.0, 0.0, 1.0]))  # a grade 0-3
    with pytest.warns(UserWarning, match=r"columns \['x2'\] are discrete"):
        by_frame = shift(graded, 1.0, columns="children", reference=graded, roles=ROLES)
    pd.testing.assert_series_equal(by_frame["x2"], graded["x2"])
    assert not np.allclose(by_frame["x1"], graded["x1"])
    clf = CAMAClassifier(graph={"x1": ["y", "c"], "x2": ["y", "c"], "x3": ["y", "x1"],
                                "y": ["a"]}, target="y", max_epochs=2).fit(graded, y)
    with pytest.warns(UserWarning, match=r"columns \['x2'\] are discrete"):
        by_model = shift(graded, 1.0, columns="children", reference=clf)
    pd.testing.assert_series_equal(by_model["x2"], graded["x2"])


def test_columns_given_as_a_one_shot_iterator_are_read_once(data):
    X, _ = data
    out = shift(X, 1.0, columns=(c for c in ["x1"]), roles=ROLES)
    assert not np.allclose(out["x1"], X["x1"])
    # named, not reached through a role: the text column is refused by name
    with pytest.raises(ValueError, match=r"columns \['x2'\] are not numeric"):
        shift(X.assign(x2="high"), 1.0, columns=iter(["x2"]), roles=ROLES)


def test_replacement_value_and_amounts_must_be_finite_numbers(data):
    X, _ = data
    for bad in (np.inf, np.nan, "a"):
        with pytest.raises(ValueError, match="value must be a finite number"):
            replace(X, 0.5, columns=["x1"], value=bad)
    with pytest.raises(ValueError, match="amount must be a finite number"):
        shift(X, "a", columns=["x1"])
    with pytest.raises(ValueError, match="reference frame has no rows"):
        shift(X, 1.0, columns=["x1"], reference=X.iloc[:0])


def test_a_bool_column_named_on_its_own_is_refused(data):
    X, _ = data
    with pytest.raises(ValueError, match=r"columns \['x1'\] are not numeric measurements"):
        shift(X.assign(x1=X["x1"] > 0), 1.0, columns=["x1"])


@pytest.mark.parametrize("manipulate", [
    lambda X, ref: shift(X, 1.0, columns=["x1"], reference=ref),
    lambda X, ref: scale(X, 2.0, columns=["x1"], reference=ref),
    lambda X, ref: add_noise(X, 1.0, columns=["x1"], reference=ref, random_state=0),
    lambda X, ref: replace(X, 1.0, columns=["x1"], reference=ref, value=0.0),
])
def test_stray_text_in_a_column_the_reference_reads_as_numbers_is_named(data, manipulate):
    # the reference's numbers decide what the column is, so X's own text must be named
    X, _ = data
    stray = X.astype({"x1": object})
    stray.loc[stray.index[3], "x1"] = "high"
    kept = stray.copy()
    with pytest.raises(ValueError, match=r"X's columns \['x1'\] hold values that are not "
                                         r"numbers \('x1': \['high'\]\).*pd\.to_numeric"):
        manipulate(stray, X)
    pd.testing.assert_frame_equal(stray, kept)
    stray.loc[stray.index[3], "x1"] = True  # to_numeric would read it as 1.0
    with pytest.raises(ValueError, match=r"X's columns \['x1'\] hold values that are not "
                                         r"numbers \('x1': \[True\]\)"):
        manipulate(stray, X)
    flags = X.assign(x1=X["x1"] > 0)  # discrete where the reference reads a measurement
    with pytest.raises(ValueError, match=r"X's columns \['x1'\] hold True / False, a discrete "
                                         r"column.*Leave them out of columns="):
        manipulate(flags, X)


@pytest.mark.parametrize("manipulate", [
    lambda X: shift(X, 1.0, columns="x1"),
    lambda X: scale(X, 2.0, columns="x1"),
    lambda X: add_noise(X, 1.0, columns="x1", random_state=0),
    lambda X: replace(X, 1.0, columns="x1", value=0.0),
])
def test_an_infinite_value_is_an_error_naming_the_column_and_the_count(data, manipulate):
    X, _ = data
    broken = X.copy()
    broken.loc[broken.index[:2], "x1"] = [np.inf, -np.inf]
    with pytest.raises(ValueError, match=r"X contains infinity in columns \['x1'\] .*"
                       r"\{'x1': 2\}.* with NaN or with finite numbers"):
        manipulate(broken)


def test_infinite_values_in_the_reference_or_in_x_with_a_reference_are_errors(data):
    X, _ = data
    broken = X.copy()
    broken.loc[broken.index[0], "x1"] = np.inf
    with pytest.raises(ValueError, match=r"the reference frame contains infinity in columns "
                       r"\['x1'\]"):
        shift(X, 1.0, columns="x1", reference=broken)
    with pytest.raises(ValueError, match=r"X contains infinity in columns \['x1'\]"):
        shift(broken, 1.0, columns="x1", reference=X)


def test_a_constant_column_warns_that_its_amount_is_in_raw_units(data):
    X, _ = data
    flat = X.assign(x1=5.0)
    with pytest.warns(UserWarning, match=r"columns \['x1'\] are constant in X \(sd 0\)"):
        out = shift(flat, 1.0, columns=["x1", "x2"])
    np.testing.assert_allclose(out["x1"], 6.0)
    with pytest.warns(UserWarning, match="constant in the reference frame"):
        shift(X, 1.0, columns="x1", reference=flat)
    # a CAMAClassifier fitted where the column was constant keeps sd 1 for it too
    _, _, graph = simple_sem(0, n=10)
    with warnings.catch_warnings():  # of the constant column and the short fit
        warnings.simplefilter("ignore")
        stuck = CAMAClassifier(graph=graph, target="y", max_epochs=1, random_state=0)
        stuck.fit(flat, data[1])
    with pytest.warns(UserWarning, match=r"columns \['x1'\] are constant in the training "
                      r"rows of the reference CAMAClassifier \(sd 0, or varying in a single "
                      r"row, which it reads as constant\), so their amounts"):
        out = shift(X, 1.0, columns=["x1", "x2"], reference=stuck)
    np.testing.assert_allclose(out["x1"], X["x1"] + 1.0)
    with warnings.catch_warnings():  # scale reads the mean alone: no sd, no raw units
        warnings.simplefilter("error")
        scale(X, 2.0, columns=["x1", "x2"], reference=stuck)
        scale(X, 2.0, columns=["x1", "x2"], reference=flat)
    # values in small units (sd about 1e-13) are not constant
    tiny = X.assign(x1=X["x1"] * 1e-13)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = shift(tiny, 1.0, columns="x1")
    np.testing.assert_allclose(out["x1"] - tiny["x1"], tiny["x1"].std(ddof=0))
    # nor in units whose squares underflow (1e-170) or overflow (1e200); a hole is skipped
    for factor in (1e-170, 1e200):
        extreme = X.assign(x1=X["x1"] * factor)
        extreme.loc[extreme.index[0], "x1"] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = shift(extreme, 1.0, columns="x1")
        moved = (out["x1"] - extreme["x1"]).dropna() / factor
        np.testing.assert_allclose(moved, X["x1"].iloc[1:].std(ddof=0), rtol=1e-9)


def test_a_column_without_observed_values_has_no_clean_sd(data):
    X, _ = data
    with pytest.raises(ValueError, match=r"columns \['x1'\] of X hold only missing values"):
        replace(X.assign(x1=np.nan), 0.5, columns="x1", random_state=0)


def test_replace_draws_only_observed_reference_values(data):
    X, _ = data
    reference = X.assign(x1=X["x1"].where(X["x1"] > 0))  # about half missing
    out = replace(X, 1.0, columns="x1", reference=reference, random_state=0)
    assert not out["x1"].isna().any()
    assert out["x1"].isin(reference["x1"].dropna()).all()
    patchy = X.assign(x1=X["x1"].where(X["x1"] > 0))
    out = replace(patchy, 0.5, columns="x1", random_state=0)
    # no NaN drawn, and a missing value stays missing (a broken measurement is not a new one)
    pd.testing.assert_series_equal(out["x1"].isna(), patchy["x1"].isna())
    seen = patchy["x1"].notna()
    assert (out["x1"] != patchy["x1"])[seen].sum() > seen.sum() // 4


def test_duplicated_column_labels_are_refused_by_name(data):
    X, _ = data
    doubled = pd.concat([X, X[["x1"]]], axis=1)
    with pytest.raises(ValueError, match=r"X has several columns labelled \['x1'\]"):
        shift(doubled, 1.0, columns="x1")
    with pytest.raises(ValueError, match=r"reference frame has several columns labelled"):
        shift(X, 1.0, columns="x1", reference=doubled)
    out = shift(doubled, 1.0, columns="x2")  # another column is unambiguous
    assert not np.allclose(out["x2"], X["x2"])


def test_clean_std_takes_one_name_and_resolve_columns_needs_a_frame(data):
    X, _ = data
    mean, std = clean_std(X, "x1")
    assert list(std.index) == ["x1"]
    np.testing.assert_allclose(std["x1"], X["x1"].std(ddof=0))
    with pytest.raises(TypeError, match="X must be a pandas DataFrame with named columns"):
        resolve_columns(X.to_numpy(), ["x1"])


def test_columns_as_an_index_or_array_of_names(data):
    X, _ = data
    by_list = shift(X, 1.0, columns=["x1", "x2"])
    pd.testing.assert_frame_equal(shift(X, 1.0, columns=pd.Index(["x1", "x2"])), by_list)
    pd.testing.assert_frame_equal(shift(X, 1.0, columns=np.array(["x1", "x2"])), by_list)


def test_a_role_given_as_a_string_is_refused_naming_the_role(data):
    X, _ = data
    with pytest.raises(TypeError, match=r"roles\['children'\] must be a list of column "
                       r"names; got 'x1'.*\{'children': \['x1'\]\}"):
        shift(X, 1.0, roles={"children": "x1"})


def test_manipulations_keep_float32_and_nullable_columns_and_name_bad_seeds():
    X = pd.DataFrame({"a": np.arange(6, dtype=np.float32),
                      "b": pd.array([1, 2, None, 4, 5, 6], dtype="Int64"),
                      "c": np.arange(6, dtype=np.float64)})
    for moved in (shift(X, 0.0, columns=list(X)), scale(X, 1.0, columns=list(X)),
                  add_noise(X, 0.0, columns=list(X), random_state=0)):
        assert [str(t) for t in moved.dtypes] == ["float32", "Float64", "float64"]
        assert moved["b"].isna().tolist() == X["b"].isna().tolist()
    # real changes stay float32, however small one row's noise draw happens to be
    wide = pd.DataFrame({"a": np.random.default_rng(0).normal(size=20_000).astype(np.float32)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert add_noise(wide, 0.5, columns=["a"], random_state=0)["a"].dtype == np.float32
    with pytest.raises(ValueError, match="random_state must be an int >= 0"):
        add_noise(X, 1.0, columns=["a"], random_state=-1)
    with pytest.raises(TypeError, match="random_state must be an int"):
        add_noise(X, 1.0, columns=["a"], random_state=True)


def test_a_sems_roles_protect_its_target_whatever_its_name():
    from skcama.datasets import MixedSEM

    sem = MixedSEM.random(n_parents=1, n_coparents=1, n_children=3, random_state=0)
    X, y = sem.sample(50, random_state=0)
    X = X.assign(**{sem.target: np.asarray(y, dtype=float)})
    with pytest.raises(ValueError, match=f"cannot manipulate the target {sem.target!r}"):
        shift(X, 1.0, columns=[sem.target], roles=sem.roles)


def test_no_rows_need_a_reference_and_give_no_rows(data):
    X, _ = data
    with pytest.raises(ValueError, match="X has no rows, so it has no clean mean or sd; pass "
                                         "clean rows"):
        shift(X.iloc[:0], 1.0, columns=["x1"])
    out = shift(X.iloc[:0], 1.0, columns=["x1"], reference=X)
    assert out.shape == (0, X.shape[1]) and list(out.columns) == list(X.columns)


def test_object_columns_of_numbers_are_manipulated_as_fit_reads_them(data, fitted_cama):
    """An object column of floats (with pd.NA for missing) is a measurement to fit, so to
    the manipulations too: shifted alike, its missing values kept missing."""
    X, _ = data
    holed = X["x1"].where(np.arange(len(X)) % 10 > 0)
    as_objects = X.assign(x1=holed.astype(object).where(holed.notna(), pd.NA))
    as_floats = X.assign(x1=holed)
    for reference in (None, X, fitted_cama):
        for manipulate, amount, seeded in ((shift, 1.0, False), (scale, 2.0, False),
                                           (add_noise, 0.5, True), (replace, 0.5, True)):
            seed = {"random_state": 0} if seeded else {}
            np.testing.assert_array_equal(
                manipulate(as_objects, amount, columns=["x1"], reference=reference,
                           **seed)["x1"].to_numpy(dtype=float, na_value=np.nan),
                manipulate(as_floats, amount, columns=["x1"], reference=reference,
                           **seed)["x1"].to_numpy())
    assert clean_std(as_objects, ["x1"])[0].tolist() == clean_std(as_floats, ["x1"])[0].tolist()


def test_columns_labelled_true_and_false_are_manipulated_by_label():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({False: rng.normal(size=50), True: 10 + rng.normal(size=50)})
    moved = shift(X, 1.0, columns=[True, False], reference=X)
    np.testing.assert_allclose(moved[True] - X[True], X[True].std(ddof=0))
    np.testing.assert_allclose(moved[False] - X[False], X[False].std(ddof=0))


@pytest.mark.parametrize("kind", ["add_noise", "replace", "replace-from-model"])
def test_seeded_draws_do_not_depend_on_the_order_columns_are_named_in(kind):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(50, 3)) * [1.0, 10.0, 100.0], columns=["x2", "x1", "x3"])
    reference = None
    if kind == "replace-from-model":  # draws from the model's training moments
        y = pd.Series(rng.integers(0, 2, 50), name="y")
        reference = CAMAClassifier(graph={"x1": ["y"], "x2": ["y"], "x3": ["y"]}, target="y",
                                   max_epochs=1, random_state=0).fit(X, y)

    def manipulate(frame, cols):
        if kind == "add_noise":
            return add_noise(frame, 0.5, columns=cols, random_state=0)
        return replace(frame, 0.5, columns=cols, reference=reference, random_state=0)

    first = manipulate(X, ["x1", "x2"])
    pd.testing.assert_frame_equal(first, manipulate(X, ["x2", "x1"]))
    reordered = X[["x3", "x1", "x2"]]
    pd.testing.assert_frame_equal(first[reordered.columns], manipulate(reordered, ["x2", "x1"]))
    assert not first.equals(X)  # something was drawn
