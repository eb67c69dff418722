"""Rows given as polars or pyarrow tables: read as the same pandas rows would be."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score

from skcama import CAMAClassifier
from skcama._frames import as_pandas, reads_tables
from skcama.attacks import pgd
from skcama.datasets import add_missing
from skcama.discovery import discover_graph
from skcama.manipulations import shift
from skcama.robustness import robustness_curve

from conftest import simple_sem

pl = pytest.importorskip("polars")


def _polars(frame: pd.DataFrame):
    """``frame`` as polars builds it from its own values: missing values as nulls."""
    columns = {}
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_numeric_dtype(values):
            columns[name] = pl.Series(name, values.to_numpy(), nan_to_null=True)
        else:
            columns[name] = pl.Series(name, [None if pd.isna(v) else v for v in values])
    return pl.DataFrame(columns)


@pytest.fixture(scope="module")
def mixed():
    """The small SEM with a text co-parent and holes in a child: (X, y, graph)."""
    X, y, graph = simple_sem(0, n=300)
    X = X.copy()
    X["site"] = np.where(X["a"] > 0, "north", "south")
    X.loc[X.index[::9], "site"] = None
    X.loc[X.index[::7], "x2"] = np.nan
    graph = graph.copy()
    graph.add_edge("site", "x1")
    return X, y, graph


def _fit(X, y, graph):
    return CAMAClassifier(graph=graph, target="y", max_epochs=4, random_state=0,
                          adapt_steps=5).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_polars_rows_fit_and_predict_as_pandas(mixed):
    X, y, graph = mixed
    Xp, yp = _polars(X), pl.Series("y", y.to_numpy())
    from_pandas, from_polars = _fit(X, y, graph), _fit(Xp, yp, graph)
    assert list(from_polars.feature_names_in_) == list(X.columns)
    assert from_polars.column_types_ == from_pandas.column_types_
    assert from_polars.column_types_["site"] == "bernoulli"
    np.testing.assert_array_equal(from_polars.predict_proba(Xp), from_pandas.predict_proba(X))
    np.testing.assert_array_equal(from_pandas.predict(Xp), from_pandas.predict(X))
    assert from_polars.score(Xp, yp) == from_pandas.score(X, y)
    pd.testing.assert_frame_equal(
        from_polars.explain(Xp.head(3)).reset_index(drop=True),
        from_pandas.explain(X.head(3)).reset_index(drop=True),
    )
    assert isinstance(from_polars.reconstruct_clean(Xp.head(3)), pd.DataFrame)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore:adapt_prior. the class prevalence is poorly determined")
def test_polars_rows_adapt_with_a_polars_reference(mixed):
    X, y, graph = mixed
    Xp, yp = _polars(X), pl.Series("y", y.to_numpy())
    from_pandas = _fit(X, y, graph).adapt(X.iloc[:100], reference=(X.iloc[100:], y.iloc[100:]))
    from_polars = _fit(X, y, graph).adapt(Xp[:100], reference=(Xp[100:], yp[100:]))
    np.testing.assert_array_equal(from_polars.predict_proba(X), from_pandas.predict_proba(X))
    np.testing.assert_array_equal(from_polars.manipulation_score(Xp.head(5)),
                                  from_pandas.manipulation_score(X.head(5)))
    pd.testing.assert_frame_equal(from_polars.reconstruct_clean(Xp.head(5)),
                                  from_pandas.reconstruct_clean(X.head(5)))
    prior = _fit(X, y, graph).adapt_prior(Xp).adapted_class_prior_
    np.testing.assert_allclose(prior, _fit(X, y, graph).adapt_prior(X).adapted_class_prior_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_polars_rows_are_read_without_pyarrow(mixed, monkeypatch):
    """The columns are read one by one, never through pyarrow (whose conversion orders
    a Categorical's levels its own way), so a fit is the same with or without it."""
    X, y, graph = mixed
    Xp, yp = _polars(X), pl.Series("y", y.to_numpy())

    def no_pyarrow(self, *args, **kwargs):
        raise ModuleNotFoundError("No module named 'pyarrow'")

    monkeypatch.setattr(pl.DataFrame, "to_pandas", no_pyarrow)
    monkeypatch.setattr(pl.Series, "to_pandas", no_pyarrow)
    converted = as_pandas(Xp)
    assert list(converted.columns) == list(X.columns)
    assert converted["x2"].isna().sum() == X["x2"].isna().sum()
    assert converted["site"].isna().sum() == X["site"].isna().sum()
    assert as_pandas(yp, "y").name == "y"
    np.testing.assert_array_equal(_fit(Xp, yp, graph).predict_proba(X),
                                  _fit(X, y, graph).predict_proba(X))


def test_polars_lazy_frame_is_refused_with_the_fix(mixed):
    X, y, graph = mixed
    with pytest.raises(TypeError, match=r"X is a polars LazyFrame.*\.collect\(\)"):
        CAMAClassifier(graph=graph, target="y").fit(_polars(X).lazy(), y)


def test_polars_categorical_reads_as_text_and_enum_keeps_its_levels():
    text = ["b", "a", None, "b", "c"]
    converted = as_pandas(pl.DataFrame({
        "cat": pl.Series(text, dtype=pl.Categorical),
        "enum": pl.Series(text, dtype=pl.Enum(["c", "b", "a", "unused"])),
        "flag": pl.Series([True, None, False, True, False]),
        "count": pl.Series([1, None, 3, 4, 5]),
    }))
    assert converted["cat"].tolist()[:2] == ["b", "a"] and converted["cat"].isna().sum() == 1
    assert not isinstance(converted["cat"].dtype, pd.CategoricalDtype)
    assert list(converted["enum"].cat.categories) == ["c", "b", "a", "unused"]
    assert converted["flag"].isna().sum() == 1 and converted["count"].isna().sum() == 1
    stamps = pl.Series([0, 3_600_000_000], dtype=pl.Datetime("us")).dt.replace_time_zone(
        "Europe/Berlin")
    assert str(as_pandas(stamps).iloc[0]) == str(stamps.to_list()[0])
    prices = as_pandas(pl.Series("p", ["1.50", None]).cast(pl.Decimal(10, 2)), "p")
    assert prices.dtype == np.float64 and prices.iloc[0] == 1.5 and prices.isna().iloc[1]
    assert as_pandas(pl.Series([1, 2])).name is None  # unnamed, as in pandas (polars: "")


def test_converted_rows_take_the_index_of_the_first_pandas_part():
    labels = pd.Series([0, 1, 0], index=[100, 101, 102])
    weights = pd.Series([1.0, 1.0, 1.0])
    rows, *_ = as_pandas((pl.DataFrame({"a": [1.0, 2.0, 3.0]}), labels, weights), "ref")
    assert list(rows.index) == [100, 101, 102]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_polars_labels_pair_by_position_with_indexed_rows(mixed):
    """A polars vector has no index: paired by position with a pandas X of any index,
    as an array is, and polars rows with an indexed pandas y likewise, without a warning."""
    X, y, graph = mixed
    part = slice(100, 300)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # the short fits
        model = _fit(X.iloc[part], pl.Series("y", y.iloc[part].to_numpy()), graph)
        np.testing.assert_array_equal(
            model.predict_proba(X.iloc[part]),
            _fit(X.iloc[part], y.iloc[part], graph).predict_proba(X.iloc[part]),
        )
        _fit(_polars(X.iloc[part]), y.iloc[part], graph)
        model.adapt(X.iloc[part], reference=[X.iloc[part], pl.Series(y.iloc[part].to_numpy())])
        model.adapt(X.iloc[part], reference=[_polars(X.iloc[part]), y.iloc[part]])


def test_add_missing_takes_polars_rows(mixed):
    X, _, _ = mixed
    numbers = X.drop(columns="site")
    holes = add_missing(_polars(numbers), 0.2, random_state=0)
    pd.testing.assert_frame_equal(holes, add_missing(numbers.reset_index(drop=True), 0.2,
                                                     random_state=0))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_polars_rows_in_discovery_manipulations_and_attacks(mixed):
    X, y, graph = mixed
    numeric = X.drop(columns="site").fillna(0.0)
    found = discover_graph(_polars(numeric), pl.Series("y", y.to_numpy()), target="y")
    assert set(found.nodes) == set(numeric.columns) | {"y"}
    moved = shift(_polars(X), 1.0, columns=["x1"], reference=_polars(X))
    pd.testing.assert_frame_equal(moved, shift(X, 1.0, columns=["x1"], reference=X))
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=10, random_state=0).fit(X, y)
    attacked = pgd(clf, _polars(X.head(20)), pl.Series(y.head(20).to_numpy()), 0.2,
                   columns=["x1", "x3"], steps=3, random_state=0)
    expected = pgd(clf, X.head(20), y.head(20), 0.2, columns=["x1", "x3"], steps=3,
                   random_state=0)
    numbers = list(numeric.columns)
    np.testing.assert_array_equal(attacked[numbers].to_numpy(), expected[numbers].to_numpy())
    assert attacked["site"].isna().equals(expected["site"].isna())
    curve = robustness_curve({"CAMA": clf}, _polars(X), pl.Series(y.to_numpy()), "shift",
                             [0.0, 1.0], columns=["x1"], reference=_polars(X))
    pd.testing.assert_frame_equal(curve, robustness_curve(
        {"CAMA": clf}, X, y, "shift", [0.0, 1.0], columns=["x1"], reference=X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_polars_rows_in_cross_validation(mixed):
    X, y, graph = mixed
    model = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0)
    on_polars = cross_val_score(model, _polars(X), pl.Series("y", y.to_numpy()), cv=2)
    np.testing.assert_array_equal(on_polars, cross_val_score(model, X, y, cv=2))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pyarrow_table_rows(mixed):
    pa = pytest.importorskip("pyarrow")
    X, y, graph = mixed
    table = pa.Table.from_pandas(X, preserve_index=False)
    clf = _fit(table, pa.array(y.to_numpy()), graph)
    assert list(clf.feature_names_in_) == list(X.columns)
    np.testing.assert_array_equal(clf.predict(table), clf.predict(X))


def test_reads_tables_passes_other_arguments_through():
    @reads_tables("X")
    def identity(X, y=None):
        return X, y

    rows, labels = np.zeros((2, 2)), [0, 1]
    assert identity(rows, labels)[0] is rows
    frame = pd.DataFrame({"a": [1.0]})
    assert identity(X=frame)[0] is frame
    converted, untouched = identity(pl.DataFrame({"a": [1.0]}), y=pl.Series([1]))
    assert isinstance(converted, pd.DataFrame)
    assert isinstance(untouched, pl.Series)  # not one of the names it reads


def test_a_date_column_is_refused_from_pandas_objects_pyarrow_and_polars_alike():
    """pyarrow's date32 reads as Python date objects, which were taken for dates written
    as text (labels, one level per date), while polars' Date reads as datetime64 and was
    refused: the same column fitted from one library and not from the other."""
    import datetime

    pa = pytest.importorskip("pyarrow")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"a": rng.normal(size=200) + y,
                      "visit": [datetime.date(2020, 1, 1 + i % 3) for i in range(200)]})
    for rows in (X, pa.Table.from_pandas(X, preserve_index=False), pl.from_pandas(X)):
        with pytest.raises(ValueError, match=r"column 'visit' holds dates \(dtype "):
            CAMAClassifier(max_epochs=1).fit(rows, y)
    # dates declared as a category stay the user's labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        declared = CAMAClassifier(max_epochs=1).fit(X.astype({"visit": "category"}), y)
    assert declared.column_types_["visit"] == "categorical"
