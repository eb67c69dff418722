"""Safe model files: skcama.persistence.save_model / load_model."""

from __future__ import annotations

import copy
import io
import json
import os
import pickle
import re
import warnings
import zipfile

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skcama import CAMAClassifier, write_graph
from skcama.persistence import (
    FORMAT_VERSION,
    ModelFileError,
    _Decoder,
    load_model,
    read_metadata,
    save_model,
)

from conftest import simple_sem

TINY = dict(max_epochs=3, hidden_size=16, child_hidden_size=4, n_samples=4, adapt_steps=3,
            random_state=0)


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.fixture(scope="module")
def data():
    X, y, graph = simple_sem(1, n=200)
    labels = np.array(["low", "mid", "high"], dtype=object)[y.to_numpy()]
    return X, labels, graph


@pytest.fixture(scope="module")
def fitted(data):
    X, y, graph = data
    return _fit(CAMAClassifier(graph=graph, target="y", **TINY), X, y)


@pytest.fixture
def saved(fitted, tmp_path):
    path = tmp_path / "model.skcama"
    save_model(fitted, path)
    return path


def _rewrite(path, member, transform):
    """Rewrite one member of a model zip with ``transform(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[member] = transform(members[member])
    with zipfile.ZipFile(path, "w") as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)


def _edit_metadata(path, edit):
    def transform(blob):
        metadata = json.loads(blob)
        edit(metadata)
        return json.dumps(metadata).encode()

    _rewrite(path, "skcama.json", transform)


class _Payload:
    """Pickles to a call that creates a marker file: proof of code execution."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# ------------------------------------------------------------------------ round trips
def test_loaded_model_predicts_bit_for_bit(fitted, saved, data):
    X, _, _ = data
    loaded = load_model(saved)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))
    assert loaded.classes_.dtype == fitted.classes_.dtype
    assert loaded.roles_ == fitted.roles_
    assert sorted(loaded.graph_.edges()) == sorted(fitted.graph_.edges())
    assert loaded.history_ == fitted.history_
    assert loaded.get_params()["max_epochs"] == TINY["max_epochs"]


def test_round_trip_after_adapt_and_adapting_after_load_match(fitted, data, tmp_path):
    X, _, _ = data
    shifted = X.assign(x1=X["x1"] + 2.0)
    adapted = copy.deepcopy(fitted).adapt(shifted)
    path = tmp_path / "adapted.skcama"
    save_model(adapted, path)
    loaded = load_model(path)
    assert loaded.manipulation_learned_ and loaded._n_adapt_calls == 1
    np.testing.assert_array_equal(loaded.predict_proba(shifted), adapted.predict_proba(shifted))
    # a second adapt call continues the same seeded stream in both
    np.testing.assert_array_equal(
        loaded.adapt(shifted).predict_proba(X), adapted.adapt(shifted).predict_proba(X)
    )
    np.testing.assert_array_equal(
        loaded.reset_adaptation().predict_proba(X), fitted.predict_proba(X)
    )


def test_replay_frequencies_round_trip_and_files_without_them_still_adapt(data, tmp_path):
    """The cumulative level frequencies from which adapt replays a categorical co-parent
    survive a model file; a file written before they were kept loads and adapts (by the
    old rounding)."""
    X, y, graph = data
    X = X.assign(c=pd.cut(X["c"], [-np.inf, -1.0, 1.0, np.inf], labels=["lo", "mid", "hi"]))
    fitted = _fit(CAMAClassifier(graph=graph, target="y", **TINY), X, y)
    path = tmp_path / "categorical.skcama"
    save_model(fitted, path)
    loaded = load_model(path)
    kept, original = (m.replay_summary_["cumulative"] for m in (loaded, fitted))
    assert [b is None for b in kept] == [b is None for b in original] == [True, False]
    np.testing.assert_array_equal(kept[1], original[1])
    rows, again = (
        m._replay(500, torch.Generator(device=m._model_device()).manual_seed(0))
        for m in (loaded, fitted)
    )
    assert torch.equal(rows.c, again.c) and torch.equal(rows.x, again.x)

    def drop_cumulative(metadata):
        summary = metadata["attributes"]["replay_summary_"]["$dict"]
        summary[:] = [item for item in summary if item[0] != "cumulative"]

    _edit_metadata(path, drop_cumulative)
    older = load_model(path)
    assert "cumulative" not in older.replay_summary_
    shifted = X.assign(x1=X["x1"] + 2.0)
    assert np.isfinite(older.adapt(shifted).predict_proba(shifted)).all()


def test_numpy_model_with_dict_graph_class_weights_and_random_state_object_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    X = rng.normal(size=(120, 3)) + y[:, None]
    params = {**TINY, "random_state": np.random.RandomState(3), "class_weight": {1: 2.5}}
    clf = _fit(CAMAClassifier(graph={0: ["y"], 1: ["y", 2]}, target="y", **params), X, y)
    save_model(clf, tmp_path / "m.skcama")
    loaded = load_model(tmp_path / "m.skcama")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.graph == {0: ["y"], 1: ["y", 2]}
    assert loaded.class_weight == {1: 2.5}  # the label stays a number
    assert isinstance(clone(loaded).random_state, np.random.RandomState)



@pytest.mark.parametrize("dtype", [np.uint16, np.uint32, np.uint64])
def test_unsigned_labels_round_trip_as_the_bits_of_signed_ones(tmp_path, dtype):
    # torch before 2.3 and safetensors before 0.6.1 have no uint16/32/64 tensors
    X, y, _ = simple_sem(0, n=120)
    labels = y.to_numpy().astype(dtype) + dtype(np.iinfo(dtype).max - 2)  # the range's top
    clf = _fit(CAMAClassifier(**TINY), X, labels)
    save_model(clf, tmp_path / "m.skcama")
    metadata = json.loads(zipfile.ZipFile(tmp_path / "m.skcama").read("skcama.json"))
    assert '"$uint"' in json.dumps(metadata["attributes"]["classes_"])
    loaded = load_model(tmp_path / "m.skcama")
    assert loaded.classes_.dtype == dtype
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


@pytest.mark.parametrize("labels", [
    np.array(["2020-01-01", "2021-06-30"], dtype="datetime64[ns]"),
    np.array([1, 7], dtype="timedelta64[D]"),
])
def test_dates_as_labels_round_trip(tmp_path, labels):
    rng = np.random.default_rng(0)
    index = rng.integers(0, 2, 120)
    X = rng.normal(size=(120, 2)) + index[:, None]
    clf = _fit(CAMAClassifier(**TINY), X, labels[index])
    save_model(clf, tmp_path / "m.skcama")
    loaded = load_model(tmp_path / "m.skcama")
    assert loaded.classes_.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    for dtype in ("<f8", "<M8", ">M8[us]", "nonsense"):  # not a date, no unit, byte-swapped
        with pytest.raises(ModelFileError, match="unexpected date dtype"):
            _Decoder({"array.0": torch.zeros(2, dtype=torch.int64)}).decode(
                {"$datetime": {"dtype": dtype, "values": "array.0"}}
            )
    with pytest.raises(ModelFileError, match="unexpected date dtype"):  # ticks not int64
        _Decoder({"array.0": torch.zeros(2)}).decode(
            {"$datetime": {"dtype": "<M8[ns]", "values": "array.0"}}
        )


@pytest.mark.parametrize("dtype", [">i8", ">u4", ">f8", ">M8[D]"])
def test_big_endian_labels_round_trip_in_this_machines_byte_order(tmp_path, dtype):
    """Byte-swapped labels (read from a big-endian file) fitted and predicted, but the
    model failed to save (integers) or saved a file load refused (dates)."""
    rng = np.random.default_rng(0)
    index = rng.integers(0, 2, 120)
    X = rng.normal(size=(120, 2)) + index[:, None]
    labels = (np.array(["2020-01-01", "2021-06-30"], dtype=dtype) if "M8" in dtype
              else np.array([3, 7], dtype=dtype))
    clf = _fit(CAMAClassifier(**TINY), X, labels[index])
    save_model(clf, tmp_path / "m.skcama")
    loaded = load_model(tmp_path / "m.skcama")
    assert loaded.classes_.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_dates_with_a_time_zone_as_labels_are_refused_with_the_fix():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = pd.Series(pd.to_datetime(["2020-01-01", "2021-06-30"])[np.arange(60) % 2]).dt.tz_localize(
        "Europe/Paris"
    )
    with pytest.raises(ValueError, match=r"dates with a time zone.*y\.dt\.tz_convert\(None\)"):
        CAMAClassifier(**TINY).fit(X, y)
    _fit(CAMAClassifier(**TINY), X, y.dt.tz_convert(None))


def test_graph_given_as_a_path_round_trips(data, tmp_path):
    X, y, graph = data
    graph_file = tmp_path / "g.csv"
    write_graph(graph, graph_file)
    clf = _fit(CAMAClassifier(graph=graph_file, target="y", **TINY), X, y)
    save_model(clf, tmp_path / "m.skcama")
    graph_file.unlink()  # the model file travels without it
    loaded = load_model(tmp_path / "m.skcama")
    assert isinstance(loaded.graph, nx.DiGraph) and set(loaded.graph.edges) == set(graph.edges)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    refit = _fit(clone(loaded), X, y)
    np.testing.assert_array_equal(refit.predict_proba(X), clf.predict_proba(X))

def test_metadata_is_plain_json_with_versions_graph_and_classes(saved):
    metadata = read_metadata(saved)
    assert metadata["format"] == "skcama-model"
    assert metadata["format_version"] == FORMAT_VERSION
    assert set(metadata["versions"]) >= {"skcama", "torch", "scikit-learn"}
    attributes = metadata["attributes"]
    assert attributes["classes_"]["$array"]["dtype"] == "object"
    assert {"scaler_", "graph_", "roles_", "replay_summary_", "_predict_seed"} <= set(attributes)


# --------------------------------------------------------------------------- bad input
def test_predict_after_load_with_missing_column_names_it(saved, data):
    X, _, _ = data
    with pytest.raises(ValueError, match=r"lacks the columns \['x2'\]"):
        load_model(saved).predict(X.drop(columns="x2"))


def test_save_refuses_unfitted_and_foreign_estimators(tmp_path):
    with pytest.raises(NotFittedError):
        save_model(CAMAClassifier(), tmp_path / "m.skcama")
    with pytest.raises(TypeError, match="saves a CAMAClassifier"):
        save_model(object(), tmp_path / "m.skcama")


def test_load_refuses_other_format_version(saved):
    _edit_metadata(saved, lambda m: m.update(format_version=FORMAT_VERSION + 1))
    expected = rf"file format version {FORMAT_VERSION + 1}.*reads version {FORMAT_VERSION}"
    with pytest.raises(ModelFileError, match=expected):
        load_model(saved)



def test_load_refuses_a_format_version_that_is_not_a_number(saved):
    _edit_metadata(saved, lambda m: m.update(format_version=str(FORMAT_VERSION)))
    expected = rf"format version '{FORMAT_VERSION}' is not a version number"
    with pytest.raises(ModelFileError, match=expected):
        load_model(saved)


def test_load_reads_versions_of_the_wrong_shape_as_unknown(saved, fitted, data):
    _edit_metadata(saved, lambda m: m.update(versions="x"))
    with pytest.warns(UserWarning, match="written by skcama an unknown version"):
        loaded = load_model(saved)
    np.testing.assert_array_equal(loaded.predict_proba(data[0]), fitted.predict_proba(data[0]))


def test_load_refuses_metadata_nested_implausibly_deep(saved):
    deep = "[" * 100_000 + "]" * 100_000
    _rewrite(saved, "skcama.json", lambda blob: blob[:-1] + b', "x": ' + deep.encode() + b"}")
    with pytest.raises(ModelFileError, match="nested implausibly deep"):
        load_model(saved)


@pytest.mark.parametrize("call", ["load", "save", "read"])
def test_a_path_that_is_not_a_path_is_named(call, fitted):
    with pytest.raises(TypeError, match="needs a file path .* got NoneType"):
        if call == "load":
            load_model(None)
        elif call == "save":
            save_model(fitted, None)
        else:
            read_metadata(None)

def test_load_warns_on_other_skcama_version_with_same_format(saved, fitted, data):
    _edit_metadata(saved, lambda m: m["versions"].update(skcama="0.0.1"))
    with pytest.warns(UserWarning, match="written by skcama 0.0.1"):
        loaded = load_model(saved)
    np.testing.assert_array_equal(loaded.predict_proba(data[0]), fitted.predict_proba(data[0]))


def test_file_written_before_a_parameter_existed_keeps_its_behaviour(saved, fitted):
    """adapt_mechanism_rate came after files had been written; those adapted every part
    of the manipulation branch at the full step, and load so. A file that records the
    parameter keeps its value."""
    assert load_model(saved).adapt_mechanism_rate == fitted.adapt_mechanism_rate == 0.1
    _edit_metadata(saved, lambda m: m["params"].pop("adapt_mechanism_rate"))
    assert load_model(saved).adapt_mechanism_rate == 1.0


def test_load_refuses_truncated_file(saved):
    blob = saved.read_bytes()
    saved.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(ModelFileError, match="damaged|truncated"):
        load_model(saved)


def test_load_refuses_corrupted_tensors(saved):
    _rewrite(saved, "tensors.safetensors", lambda b: b[:100] + b"\xff" * 64 + b[164:])
    with pytest.raises(ModelFileError, match="damaged|does not fit"):
        load_model(saved)


def test_load_refuses_tensors_of_another_network(saved):
    def drop_one(blob):
        from safetensors.torch import load, save

        tensors = load(blob)
        tensors.pop(next(k for k in tensors if k.startswith("model.")))
        return save(tensors)

    _rewrite(saved, "tensors.safetensors", drop_one)
    with pytest.raises(ModelFileError, match="does not fit this skcama"):
        load_model(saved)


def test_load_refuses_weights_that_are_not_finite(saved):
    def poison(blob):
        from safetensors.torch import load, save

        tensors = load(blob)
        key = next(k for k, v in tensors.items() if k.startswith("model.")
                   and v.is_floating_point())
        tensors[key] = torch.full_like(tensors[key], float("nan"))
        return save(tensors)

    _rewrite(saved, "tensors.safetensors", poison)
    with pytest.raises(ModelFileError, match="NaN or infinite values.*refit"):
        load_model(saved)


def test_save_refuses_weights_that_are_not_finite_and_writes_nothing(fitted, tmp_path):
    clf = copy.deepcopy(fitted)
    name, weight = next((n, p) for n, p in clf.model_.named_parameters())
    with torch.no_grad():
        weight[(0,) * weight.dim()] = float("inf")
    path = tmp_path / "m.skcama"
    with pytest.raises(ValueError, match=rf"weights \['{re.escape(name)}'\] hold NaN.*refit"):
        save_model(clf, path)
    assert not path.exists()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda m: m["params"].update(hidden_size="abc"), "invalid parameter.*hidden_size"),
    (lambda m: m["attributes"].pop("classes_"), r"lacks the fitted attributes \['classes_'\]"),
    (lambda m: m["attributes"].pop("_predict_seed"),
     r"lacks the fitted attributes \['_predict_seed'\].*save the model again"),
    (lambda m: m["attributes"].pop("replay_summary_"),
     r"lacks the fitted attributes \['replay_summary_'\]"),
], ids=["parameter out of range", "no classes_", "no _predict_seed", "no replay_summary_"])
def test_load_refuses_bad_parameters_and_missing_fitted_attributes(saved, edit, message):
    _edit_metadata(saved, edit)
    with pytest.raises(ModelFileError, match=message):
        load_model(saved)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda m: m["attributes"].update(roles_=None), "its roles_ is a NoneType"),
    (lambda m: m["attributes"].update(scaler_=None), "its scaler_ is a NoneType"),
    (lambda m: m["attributes"].update(_predict_seed="x"), "its _predict_seed is 'x'"),
    (lambda m: m["attributes"].update(_adapt_seed=2**80), "its _adapt_seed is 1208925"),
    (lambda m: m["attributes"].update(classes_="abc"), "its classes_ is not a list"),
    (lambda m: m["attributes"].update(n_features_in_="abc"), "its n_features_in_ is 'abc'"),
    (lambda m: m["attributes"].update(_n_adapt_calls=0.5), "its _n_adapt_calls is 0.5"),
    (lambda m: m["attributes"].update(manipulation_learned_=1),
     "its manipulation_learned_ is 1, not True or False"),
    (lambda m: m["attributes"].update(_clean_m_state=[]), "its _clean_m_state is neither"),
    (lambda m: m["attributes"].update(replay_summary_={"$dict": []}),
     "its replay_summary_ is not"),
], ids=["roles", "scaler", "seed text", "seed too large", "classes text", "n_features text",
        "adapt calls", "learned flag", "clean state", "replay summary"])
def test_load_refuses_fitted_attributes_of_the_wrong_type(saved, edit, message):
    """A file whose metadata was edited loaded, then failed at the first prediction with
    Python's own error (or took text as the classes)."""
    _edit_metadata(saved, edit)
    with pytest.raises(ModelFileError, match=f"is damaged: {message}"):
        load_model(saved)


def test_load_refuses_column_scales_that_are_not_finite(saved, fitted, monkeypatch):
    codec = copy.deepcopy(fitted.scaler_)
    codec.scale = np.full(len(codec.names), np.nan)
    broken = copy.copy(fitted)
    broken.scaler_ = codec
    buffer = io.BytesIO()
    save_model(broken, buffer)
    buffer.seek(0)
    with pytest.raises(ModelFileError, match="means and scales are not one finite number"):
        load_model(buffer)


def test_a_file_the_process_may_not_read_is_a_permission_error(saved, monkeypatch):
    """Not "not a skcama model file": zipfile.is_zipfile swallows the PermissionError."""
    import builtins

    import skcama.persistence as persistence

    def refuse(file, *args, **kwargs):
        if str(file) == str(saved):
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(persistence, "open", refuse, raising=False)
    with pytest.raises(PermissionError):
        load_model(saved)


@pytest.mark.parametrize(
    "content",
    [b"a,b\n1,2\n", b"", json.dumps({"format": "other"}).encode()],
    ids=["csv", "empty", "json"],
)
def test_load_refuses_files_of_other_programs(tmp_path, content):
    path = tmp_path / "not-a-model.skcama"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="not a skcama model file"):
        load_model(path)


def test_load_refuses_zip_without_skcama_metadata(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError, match="holds no skcama.json"):
        load_model(path)


def test_load_of_missing_file_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_model(tmp_path / "nope.skcama")
    with pytest.raises(IsADirectoryError, match="is a folder, not a model file"):
        load_model(tmp_path)


def test_load_refuses_metadata_that_overrides_methods(saved):
    _edit_metadata(saved, lambda m: m["attributes"].update(predict="boom"))
    with pytest.raises(ModelFileError, match="forbidden attribute 'predict'"):
        load_model(saved)


# ------------------------------------------------------------------- tampered files
def test_payload_really_executes_under_pickle(tmp_path):
    marker = tmp_path / "pwned"
    pickle.loads(pickle.dumps(_Payload(marker)))
    assert marker.exists()


def test_load_refuses_pickle_payload_without_running_it(tmp_path, fitted):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.skcama"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ModelFileError, match="not a skcama model file.*looks like a pickle "
                                             ".*pickle.load or joblib.load if you trust"):
        load_model(path)
    # the torch.save form: a zip whose data.pkl holds the payload
    torch.save({"model": _Payload(marker)}, path)
    with pytest.raises(ModelFileError, match="not a skcama model file"):
        load_model(path)
    assert not marker.exists()


def test_load_refuses_pickle_payload_hidden_inside_a_model_file(saved, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    _rewrite(saved, "tensors.safetensors", lambda _: payload)
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(saved)
    # and a torch.save archive in place of the safetensors member
    buffer = io.BytesIO()
    torch.save({"model.x": _Payload(marker)}, buffer)
    _rewrite(saved, "tensors.safetensors", lambda _: buffer.getvalue())
    with pytest.raises(ModelFileError, match="damaged"):
        load_model(saved)
    assert not marker.exists()


def test_plain_pickle_of_a_loaded_model_still_works(saved, fitted, data):
    loaded = pickle.loads(pickle.dumps(load_model(saved)))
    np.testing.assert_array_equal(loaded.predict_proba(data[0]), fitted.predict_proba(data[0]))


@pytest.mark.parametrize("baseline", [False, True])
def test_a_pickle_of_another_skcama_version_is_warned_of(fitted, data, monkeypatch, baseline):
    """A pickle records the skcama version that wrote it (model files did; pickles did
    not, so one from another version failed late, if at all)."""
    import skcama
    from skcama.baselines import TorchMLPClassifier

    model = fitted
    if baseline:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = TorchMLPClassifier(max_epochs=2, random_state=0).fit(data[0], data[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same version: silent, and no record left
        same = pickle.loads(pickle.dumps(model))
        copy.deepcopy(model)
    assert "_skcama_version" not in same.__dict__
    monkeypatch.setattr(skcama, "__version__", "0.0.9")
    blob = pickle.dumps(model)
    monkeypatch.undo()
    name = type(model).__name__
    with pytest.warns(UserWarning, match=rf"this {name} was pickled by skcama 0\.0\.9 and is "
                                         rf"unpickled by skcama {re.escape(skcama.__version__)}"):
        other = pickle.loads(blob)
    np.testing.assert_array_equal(other.predict_proba(data[0]), model.predict_proba(data[0]))


def test_save_names_a_missing_folder_and_a_folder_in_place_of_a_file(fitted, tmp_path):
    with pytest.raises(FileNotFoundError, match="the folder .* does not exist"):
        fitted.save(tmp_path / "no" / "m.skcama")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        fitted.save(tmp_path)
    with pytest.raises(IsADirectoryError, match="it names a folder .it ends with a slash"):
        fitted.save(f"{tmp_path}/new/")
    assert not list(tmp_path.iterdir())  # nothing half-written left behind


def test_a_failed_write_names_the_requested_file_not_the_temporary_one(
    fitted, tmp_path, monkeypatch
):
    import skcama.persistence as persistence

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(persistence.zipfile, "ZipFile", refuse)
    target = tmp_path / "m.skcama"
    with pytest.raises(PermissionError, match=r"cannot write .*m\.skcama': Permission denied"):
        fitted.save(target)
    assert not list(tmp_path.iterdir())


def test_graph_notes_without_a_safe_encoding_are_saved_as_text(data, tmp_path):
    # a pd.Timestamp in the graph's metadata once made the model unsaveable
    X, y, graph = data
    graph = graph.copy()
    graph.graph["meta"] = {"created": pd.Timestamp("2024-05-01"), "by": "ward 3"}
    first = next(iter(graph.nodes))
    graph.nodes[first]["checked"] = pd.Timestamp("2024-05-02")
    graph.nodes[first]["pos"] = np.array([0.5, 1.0])  # a layout position: kept as it is
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(X, y)
    path = tmp_path / "model.skcama"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        save_model(clf, path)
    assert [str(w.message) for w in caught] == [  # one warning for both copies of the graph
        f"the graph's graph attribute 'meta'['created'] (Timestamp); node {first!r} attribute "
        "'checked' (Timestamp) have no safe encoding; they are saved as their text (the "
        "model does not read them). Convert them to strings or numbers yourself to choose "
        "how they are kept."]
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    kept = loaded.get_params()["graph"]
    assert kept.graph["meta"] == {"created": "2024-05-01 00:00:00", "by": "ward 3"}
    assert kept.nodes[first]["checked"] == "2024-05-02 00:00:00"
    np.testing.assert_array_equal(kept.nodes[first]["pos"], [0.5, 1.0])


def test_interval_categories_of_pd_cut_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b"], 200)
    X = pd.DataFrame({"lab": rng.normal(y == "b", 1.0),
                      "ageband": pd.cut(rng.integers(18, 90, 200), [18, 40, 65, 90],
                                        include_lowest=True)})
    clf = _fit(CAMAClassifier(**TINY), X, y)
    save_model(clf, tmp_path / "m.skcama")
    loaded = load_model(tmp_path / "m.skcama")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_a_category_with_no_safe_encoding_names_its_column(tmp_path):
    y = np.tile(["a", "b"], 50)
    X = pd.DataFrame({"lab": np.arange(100.0) % 7,
                      "site": pd.Categorical([_Opaque(i % 2) for i in range(100)])})
    clf = _fit(CAMAClassifier(**TINY), X, y)
    with pytest.raises(ModelFileError, match=r"a category of column 'site'.*Convert column "
                                             r"'site' to text before fit"):
        save_model(clf, tmp_path / "m.skcama")


class _Opaque:
    """A category value of a type model files cannot store."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, _Opaque) and other.value == self.value

    def __hash__(self):
        return hash(self.value)

    def __lt__(self, other):
        return str(self.value) < str(other.value)


def _drop_column_field(path, field: str) -> None:
    """Rewrite the model file at ``path`` as a version before ``field`` of its column
    codec existed wrote it."""
    def as_before(text):
        metadata = json.loads(text)
        del metadata["attributes"]["scaler_"]["$columns"][field]
        return json.dumps(metadata)

    _rewrite(path, "skcama.json", as_before)


def test_files_from_before_constant_columns_were_read_as_missing_predict_as_before(tmp_path):
    """Older files kept a column constant in training on a unit scale; loaded, such a model
    still reads the column so, as the saved one did (a new file reads it as missing)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"lab": rng.normal(y, 1.0), "k": 5.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = _fit(CAMAClassifier(**TINY), X, y)
    path = tmp_path / "m.skcama"
    save_model(clf, path)
    assert load_model(path).scaler_.constant_as_missing

    _drop_column_field(path, "constant_as_missing")
    old = load_model(path)
    assert not old.scaler_.constant_as_missing and old.scaler_.constant == {"k"}
    far = X.assign(k=7.0)
    assert not np.array_equal(old.predict_proba(far), old.predict_proba(X))  # read, as before
    np.testing.assert_array_equal(clf.predict_proba(far), clf.predict_proba(X))  # new: missing


def test_files_keep_the_never_negative_columns_and_older_files_check_no_sign(tmp_path):
    """The columns with no negative value in fit travel in the file, so a loaded model
    names a negative code (-999) in them as the fitted one does; files written before
    the set was kept load with none (and predict as before, without that warning)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"lab": rng.lognormal(6 + y, 1.0), "delta": rng.normal(y, 1.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = _fit(CAMAClassifier(**TINY), X, y)
    path = tmp_path / "m.skcama"
    save_model(clf, path)
    assert load_model(path).scaler_.nonnegative == clf.scaler_.nonnegative == {"lab"}
    coded = X.iloc[:10].assign(lab=[-999.0] + [500.0] * 9)
    with pytest.warns(UserWarning, match="column 'lab' holds -999 in 1 row"):
        load_model(path).predict_proba(coded)

    _drop_column_field(path, "nonnegative")
    old = load_model(path)
    assert old.scaler_.nonnegative == frozenset()
    np.testing.assert_array_equal(old.predict_proba(X), clf.predict_proba(X))


def test_metadata_routing_requests_are_saved_and_loaded(tmp_path):
    """The routing the guide to clinical tables sets up (set_fit_request(sample_weight=
    True)) is kept by a model file, as by pickle: save used to refuse the estimator
    (its MetadataRequest had no encoding); a tampered request is refused on load."""
    import sklearn

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = pd.DataFrame({"lab": rng.normal(y, 1.0), "age": rng.normal(50, 10, 200)})
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = CAMAClassifier(**TINY).set_fit_request(sample_weight=True)
        clf.set_score_request(sample_weight=False).fit(X, y, sample_weight=np.ones(200))
    path = tmp_path / "m.skcama"
    save_model(clf, path)  # routing off again: the requests stay on the estimator
    loaded = load_model(path)
    assert (loaded.get_metadata_routing()._serialize()
            == clf.get_metadata_routing()._serialize()
            == pickle.loads(pickle.dumps(clf)).get_metadata_routing()._serialize())
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = _fit(CAMAClassifier(**TINY), X, y)
    save_model(plain, tmp_path / "plain.skcama")
    assert "_metadata_request" not in vars(load_model(tmp_path / "plain.skcama"))

    def tampered(text):
        metadata = json.loads(text)
        metadata["metadata_requests"] = {"fit": {"weights_of_rows": True}}
        return json.dumps(metadata)

    _rewrite(path, "skcama.json", tampered)
    with pytest.raises(ModelFileError, match="metadata-routing requests this skcama does "
                                             "not take"):
        load_model(path)


def test_a_file_this_process_may_not_write_is_not_replaced(saved, fitted, monkeypatch):
    """Renaming over a file needs only its folder's permission: a read-only model file
    would be replaced as if it were writable. (Checked through os.access, which root
    always passes, so it is stubbed here.)"""
    import skcama._files as files

    before = saved.read_bytes()
    monkeypatch.setattr(files.os, "access", lambda path, mode: False)
    with pytest.raises(PermissionError, match="the file is read-only") as caught:
        save_model(fitted, saved)
    assert caught.value.errno == 13
    assert saved.read_bytes() == before


def test_the_same_model_saved_twice_gives_the_same_bytes(fitted, tmp_path, monkeypatch):
    """A checksum identifies the model, not when it was saved: the zip records a fixed
    date, not the clock's."""
    import time as clock

    save_model(fitted, tmp_path / "first.skcama")
    later = clock.time() + 3600.0
    monkeypatch.setattr(clock, "time", lambda: later)
    monkeypatch.setattr(clock, "localtime", lambda *args: clock.gmtime(later))
    save_model(fitted, tmp_path / "second.skcama")
    assert (tmp_path / "first.skcama").read_bytes() == (tmp_path / "second.skcama").read_bytes()


class _WriteOnly:
    """A stream that can only be written to, as a socket or a cloud upload is."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def test_models_save_to_and_load_from_binary_streams(fitted, saved, data, tmp_path):
    X = data[0]
    expected = fitted.predict_proba(X)
    buffer = io.BytesIO(b"header")
    buffer.seek(0, io.SEEK_END)
    fitted.save(buffer)  # from the stream's position, which stays open
    assert not buffer.closed
    buffer.seek(len(b"header"))
    np.testing.assert_array_equal(CAMAClassifier.load(buffer).predict_proba(X), expected)
    # the same bytes as the file, so a stream holds exactly what a file would
    fresh = io.BytesIO()
    save_model(fitted, fresh)
    assert fresh.getvalue() == saved.read_bytes()
    stream = _WriteOnly()
    save_model(fitted, stream)
    assert b"".join(stream.parts)[:2] == b"PK"
    loaded = load_model(io.BytesIO(b"".join(stream.parts)))
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    import gzip  # a stream that cannot seek back while it writes

    with gzip.open(tmp_path / "model.skcama.gz", "wb") as handle:
        fitted.save(handle)
    with gzip.open(tmp_path / "model.skcama.gz", "rb") as handle:
        np.testing.assert_array_equal(load_model(handle).predict_proba(X), expected)
    with open(saved, "rb") as handle:
        assert read_metadata(handle)["estimator"] == "CAMAClassifier"
        handle.seek(0)
        np.testing.assert_array_equal(load_model(handle).predict_proba(X), expected)


def test_a_stream_with_longer_content_is_cut_where_the_model_ends(fitted, data, tmp_path):
    """Saved over longer bytes (a file opened with 'r+b', a filled BytesIO), the old tail
    stayed after the model, and the file no longer loaded."""
    X, _, _ = data
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(300_000))
    with open(path, "r+b") as handle:
        save_model(fitted, handle)
    reference = io.BytesIO()
    save_model(fitted, reference)
    assert path.read_bytes() == reference.getvalue()
    np.testing.assert_array_equal(load_model(path).predict_proba(X), fitted.predict_proba(X))
    filled = io.BytesIO(b"kept" + os.urandom(300_000))
    filled.seek(4)
    save_model(fitted, filled)
    assert filled.getvalue() == b"kept" + reference.getvalue()


def test_a_file_followed_by_other_data_is_named_as_such(saved):
    with open(saved, "ab") as handle:
        handle.write(os.urandom(300_000))
    with pytest.raises(ModelFileError, match="or other data follows it"):
        load_model(saved)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_a_named_pipe_is_written_into_and_read_from_not_replaced(fitted, data, tmp_path):
    """save_model replaced a pipe by a regular file (its reader waited for ever; run as
    root, /dev/null went the same way), and load_model called a pipe missing."""
    import stat
    import threading

    X, _, _ = data
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = {}
    reader = threading.Thread(target=lambda: received.setdefault("bytes", pipe.read_bytes()))
    reader.start()
    save_model(fitted, pipe)
    reader.join(timeout=60)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    reference = io.BytesIO()
    save_model(fitted, reference)
    assert received["bytes"] == reference.getvalue()
    writer = threading.Thread(target=lambda: pipe.write_bytes(received["bytes"]))
    writer.start()
    loaded = load_model(pipe)
    writer.join(timeout=60)
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


def test_text_streams_and_damaged_streams_are_refused_with_the_fix(fitted, saved, tmp_path):
    with open(tmp_path / "text.skcama", "w") as handle:
        with pytest.raises(TypeError, match=r"open in text mode; open it with 'wb'"):
            save_model(fitted, handle)
    with open(saved, encoding="latin-1") as handle:
        with pytest.raises(TypeError, match=r"open it with 'rb'"):
            load_model(handle)
    with pytest.raises(TypeError, match="open it with 'rb'"):
        load_model(io.StringIO("text"))
    with pytest.raises(ModelFileError, match=r"model stream \(BytesIO\) is not a skcama"):
        load_model(io.BytesIO(b"not a zip"))
    cut = saved.read_bytes()[:-100]
    with open(tmp_path / "cut.skcama", "wb") as handle:
        handle.write(cut)
    with open(tmp_path / "cut.skcama", "rb") as handle:
        with pytest.raises(ModelFileError, match=r"model stream '.*cut.skcama'"):
            load_model(handle)
    with pytest.raises(TypeError, match=r"a binary file object, got int"):
        load_model(3)


class _Trickle(_WriteOnly):
    """A raw stream that takes at most 4096 bytes a call, as an unbuffered file or a
    socket may."""

    def write(self, data) -> int:
        return super().write(bytes(data)[:4096])


def test_streams_that_take_few_bytes_a_call_or_are_zip_members_round_trip(
    fitted, saved, data, tmp_path
):
    X = data[0]
    stream = _Trickle()
    save_model(fitted, stream)
    assert b"".join(stream.parts) == saved.read_bytes()
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(saved, "model.skcama")
    with zipfile.ZipFile(bundle) as archive, archive.open("model.skcama") as member:
        loaded = load_model(member)  # a member's mode says 'r', yet it gives bytes
    np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


def test_spent_closed_and_unreadable_streams_say_what_to_do(fitted, saved, tmp_path):
    buffer = io.BytesIO()
    fitted.save(buffer)  # not rewound
    with pytest.raises(ModelFileError, match=r"gave no bytes.*call seek\(0\)"):
        load_model(buffer)
    buffer.seek(0)
    read_metadata(buffer)
    with pytest.raises(ModelFileError, match="after read_metadata"):
        load_model(buffer)
    with open(saved, "rb") as handle:
        pass
    with pytest.raises(ValueError, match=r"load_model: model stream '.*model.skcama' is closed"):
        load_model(handle)
    with open(tmp_path / "out.skcama", "wb") as handle, pytest.raises(
        TypeError, match=r"read_metadata: .* cannot be read"
    ):
        read_metadata(handle)
    with pytest.raises(TypeError, match=r"read_metadata reads and writes bytes"):
        read_metadata(io.StringIO(""))

    class Bytearrays(io.RawIOBase):
        def readable(self):
            return True

        def read(self, size=-1):
            return bytearray(saved.read_bytes())

    assert read_metadata(Bytearrays())["estimator"] == "CAMAClassifier"


def test_streams_open_the_wrong_way_round_or_not_ready_say_so(fitted, saved, tmp_path):
    with open(saved, "rb") as handle, pytest.raises(TypeError, match="open it with 'wb'"):
        save_model(fitted, handle)
    with pytest.raises(TypeError, match="it has no read method"):
        load_model(_WriteOnly())

    class NotReady(io.RawIOBase):
        def writable(self):
            return True

        def write(self, data):
            return None  # non-blocking, nothing taken

    with pytest.raises(OSError, match="non-blocking stream that took none"):
        save_model(fitted, NotReady())


def test_running_out_of_memory_while_loading_is_not_called_a_damaged_file(saved, monkeypatch):
    import skcama.persistence as persistence

    def exhausted(blob):
        raise MemoryError

    monkeypatch.setattr(persistence, "_safetensors_load", exhausted)
    with pytest.raises(MemoryError):
        load_model(saved)


def test_a_parameter_set_out_of_range_after_fit_is_refused_at_save(fitted, tmp_path):
    model = copy.deepcopy(fitted).set_params(max_epochs=0)  # prediction still works
    with pytest.raises(ValueError, match="cannot save this model: .*'max_epochs'.*set_params"):
        save_model(model, tmp_path / "m.skcama")
    assert not (tmp_path / "m.skcama").exists()


class SiteModel(CAMAClassifier):
    """A subclass, as a user's own code defines one."""


def test_a_subclass_loads_with_its_own_load_and_is_named_by_the_others(data, tmp_path):
    X, y, graph = data
    model = _fit(SiteModel(graph=graph, target="y", **TINY), X, y)
    path = tmp_path / "site.skcama"
    model.save(path)
    loaded = SiteModel.load(path)
    assert type(loaded) is SiteModel
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    for load in (load_model, CAMAClassifier.load):
        with pytest.raises(ModelFileError, match=r"holds a 'test_persistence.SiteModel', a "
                                                 r"subclass of CAMAClassifier, not the "
                                                 r"'CAMAClassifier' asked for: load it with "
                                                 r"SiteModel.load\(path\), SiteModel from "
                                                 r"the module 'test_persistence'"):
            load(path)


def test_a_subclass_saved_from_a_script_loads_where_it_is_imported(data, tmp_path,
                                                                    monkeypatch):
    X, y, graph = data
    model = _fit(SiteModel(graph=graph, target="y", **TINY), X, y)
    path = tmp_path / "site.skcama"
    monkeypatch.setattr(SiteModel, "__module__", "__main__")  # as run as a script
    model.save(path)
    monkeypatch.undo()
    with pytest.warns(UserWarning, match=r"saved by a '__main__.SiteModel'.*loaded as "
                                         r"'test_persistence.SiteModel'"):
        loaded = SiteModel.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    with pytest.raises(ModelFileError, match="SiteModel from the script or notebook"):
        load_model(path)


def test_sets_in_parameters_are_saved_as_tuples(data, tmp_path):
    X, y, graph = data
    as_sets = {node: set(graph.predecessors(node)) for node in graph.nodes}
    model = _fit(CAMAClassifier(graph=as_sets, target="y", **TINY), X, y)
    path = tmp_path / "m.skcama"
    model.save(path)
    loaded = load_model(path)
    assert loaded.graph == {node: tuple(sorted(parents)) for node, parents in as_sets.items()}
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_a_truncated_or_damaged_file_says_so(data, tmp_path):
    X, y, graph = data
    path = tmp_path / "m.skcama"
    _fit(CAMAClassifier(graph=graph, target="y", **TINY), X, y).save(path)
    raw = path.read_bytes()
    cut = tmp_path / "cut.skcama"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ModelFileError, match="is truncated or damaged: it begins as a skcama"):
        load_model(cut)
    escaped = []
    for start in range(0, len(raw), 512):  # a sector of zeros anywhere
        damaged = tmp_path / "d.skcama"
        damaged.write_bytes(raw[:start] + bytes(min(512, len(raw) - start)) + raw[start + 512:])
        try:
            load_model(damaged)
        except ModelFileError:
            pass
        except Exception as error:  # noqa: BLE001 - what escapes is the defect
            escaped.append((start, type(error).__name__, error))
    assert not escaped


def test_a_subclass_fixing_parameters_or_named_as_the_base_round_trips(data, tmp_path):
    X, y, graph = data

    class Small(CAMAClassifier):  # a narrower __init__: no adapt_mechanism_rate
        def __init__(self, graph=None, target=None, max_epochs=3, random_state=0):
            super().__init__(graph=graph, target=target, max_epochs=max_epochs,
                             random_state=random_state)

    class CAMAClassifierAtSite(CAMAClassifier):
        pass

    CAMAClassifierAtSite.__name__ = CAMAClassifierAtSite.__qualname__ = "CAMAClassifier"
    for cls in (Small, CAMAClassifierAtSite):
        path = tmp_path / "m.skcama"
        _fit(cls(graph=graph, target="y"), X, y).save(path)
        assert type(cls.load(path)) is cls
        with pytest.raises(ModelFileError, match="a subclass of CAMAClassifier"):
            load_model(path)  # never read as the base class


@pytest.mark.parametrize("suffix", [".pkl", ".joblib"])
def test_a_model_file_named_as_a_pickle_is_written_with_a_warning(fitted, data, tmp_path,
                                                                  suffix):
    path = tmp_path / f"model{suffix}"
    with pytest.warns(UserWarning, match=r"pickle.load and joblib.load cannot read; name it "
                                         r"model\.skcama"):
        save_model(fitted, path)
    np.testing.assert_array_equal(load_model(path).predict(data[0]), fitted.predict(data[0]))


def test_a_subclass_of_a_script_loads_in_that_script_without_a_warning(data, tmp_path,
                                                                         monkeypatch):
    X, y, graph = data
    monkeypatch.setattr(SiteModel, "__module__", "__main__")  # saved and loaded there
    model = _fit(SiteModel(graph=graph, target="y", **TINY), X, y)
    path = tmp_path / "site.skcama"
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert type(SiteModel.load(path)) is SiteModel


def test_a_model_of_a_reloaded_class_is_told_why_it_cannot_be_saved():
    """After importlib.reload of the classifier's module, a model of the new class object
    was refused as 'a CAMAClassifier, got CAMAClassifier'."""
    reloaded = type("CAMAClassifier", (), {"__module__": "skcama._classifier"})
    with pytest.raises(TypeError, match=r"another class object .* was reloaded .*Restart"):
        save_model(reloaded(), io.BytesIO())
    with pytest.raises(TypeError, match="save_model saves a CAMAClassifier, got dict"):
        save_model({}, io.BytesIO())
