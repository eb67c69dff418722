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


def test_std_taken_from_fitted_cama_scaler(data, fitted_cama):
    X, _ = data
    out = shift(X, 2.0, columns="children", reference=fitted_cama)
    blanket = list(fitted_cama.roles_.blanket)
    for child in fitted_cama.roles_.children:
        expected = 2.0 * fitted_cama.scaler_.scale[blanket.index(child)]
        np.testing.assert_allclose(out[child] - X[child], expected)


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
