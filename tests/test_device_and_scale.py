"""Devices (CPU / CUDA), small pickles, and model search on a local Dask cluster."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV

from skcama import CAMAClassifier

from conftest import FAST, simple_sem

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")


def test_cpu_device_fits_and_predicts():
    X, y, graph = simple_sem(0, n=300)
    clf = CAMAClassifier(graph=graph, device="cpu", **FAST).fit(X, y)
    assert next(clf.model_.parameters()).device.type == "cpu"
    assert np.isfinite(clf.predict_proba(X)).all()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU")
def test_asking_for_cuda_without_a_gpu_is_a_clear_error():
    X, y, graph = simple_sem(0, n=100)
    with pytest.raises(ValueError, match="device='cuda' but PyTorch sees no CUDA GPU"):
        CAMAClassifier(graph=graph, device="cuda", **FAST).fit(X, y)


def test_a_bad_device_name_is_a_clear_error():
    X, y, graph = simple_sem(0, n=100)
    with pytest.raises(ValueError, match="device=.gpu0. is not a device skcama runs on"):
        CAMAClassifier(graph=graph, device="gpu0", **FAST).fit(X, y)
    with pytest.raises(ValueError, match="device='meta' is not a device skcama runs on"):
        CAMAClassifier(graph=graph, device="meta", **FAST).fit(X, y)


def test_without_fused_adam_on_this_device_fit_and_adapt_use_plain_adam(monkeypatch):
    """PyTorch before 2.4 fuses Adam on GPUs only: its constructor refuses CPU parameters,
    after writing ``fused=True`` into the parameter groups it was given. Adapting (which
    passes groups) then stepped with the fused kernel and failed on the CPU."""
    plain_adam = torch.optim.Adam
    built = []

    class AdamFusedOnGpusOnly(plain_adam):
        def __init__(self, params, **options):
            super().__init__(params, **options)
            if any(group.get("fused") for group in self.param_groups):
                raise RuntimeError("`fused=True` requires all the params to be floating "
                                   "point Tensors of supported devices: ['cuda']")
            built.append(self)

    monkeypatch.setattr(torch.optim, "Adam", AdamFusedOnGpusOnly)
    X, y, graph = simple_sem(0, n=200)
    clf = CAMAClassifier(graph=graph, device="cpu", adapt_steps=3, **FAST).fit(X, y)
    clf.adapt(X.assign(x1=X["x1"] + 1.0))
    assert len(built) == 2  # one for fit, one for adapt
    assert not any(group.get("fused") for opt in built for group in opt.param_groups)


@pytest.mark.parametrize("weight_decay", [0.0, 1e-3])
def test_adam_over_one_flat_buffer_steps_as_over_each_parameter(monkeypatch, weight_decay):
    """Without weight decay, training steps Adam over one flat tensor of which the model's
    parameters are views; the fitted model is the one per-tensor Adam gives (up to the
    fused kernel's rounding), the parameters no clean step reaches are untouched, and
    afterwards each parameter has its own memory and no gradient. With weight decay
    (which would shrink those untouched parameters in a flat buffer) Adam steps the
    tensors one by one."""
    import skcama._training as training

    X, y, graph = simple_sem(0, n=300)
    steps = []
    step = torch.optim.Adam.step
    monkeypatch.setattr(torch.optim.Adam, "step", lambda self, *a, **k: (
        steps.append(len(self.param_groups[0]["params"])), step(self, *a, **k))[1])
    params = dict(weight_decay=weight_decay, max_epochs=4, n_iter_no_change=5,
                  random_state=0, device="cpu")
    flat = CAMAClassifier(graph=graph, **params).fit(X, y)
    assert set(steps) == ({1} if weight_decay == 0 else {len(list(flat.model_.parameters()))})
    one_buffer = training._one_buffer
    starts = []

    def recording(p, active=True):  # the start of the next fit, per-tensor Adam
        starts.append([q.detach().clone() for q in p])
        return one_buffer(p, False)

    monkeypatch.setattr(training, "_one_buffer", recording)
    each = CAMAClassifier(graph=graph, **params).fit(X, y)
    storages, unreached = set(), 0
    for (name, a), b, start in zip(flat.model_.named_parameters(), each.model_.parameters(),
                                   starts[0], strict=True):
        np.testing.assert_allclose(a.detach(), b.detach(), atol=1e-5, err_msg=name)
        if torch.equal(b.detach(), start):  # no clean step reaches it
            unreached += 1
            assert torch.equal(a.detach(), start), name
        assert a.grad is None
        storages.add(a.untyped_storage().data_ptr())
    assert unreached > 0
    assert len(storages) == len(starts[0])
    np.testing.assert_allclose(flat.predict_proba(X), each.predict_proba(X), atol=1e-5)


def test_many_samples_are_evaluated_in_groups_with_the_same_result(monkeypatch):
    """Where 64 rows with every Monte Carlo sample would overflow the prediction buffer,
    the samples are evaluated a group at a time, and the probabilities do not change."""
    import skcama._classifier as classifier

    X, y, graph = simple_sem(0, n=300)
    clf = CAMAClassifier(graph=graph, n_samples=16, device="cpu", **FAST).fit(X, y)
    whole = clf.predict_proba(X)
    assert classifier._predict_batch(clf)[1] == 16
    per_sample = len(clf.classes_) * clf.model_.cfg.n_children * clf.model_.cfg.child_hidden_size
    budget = 64 * per_sample * 5  # 64 rows with 5 samples
    monkeypatch.setattr(classifier, "_CPU_PREDICT_BUFFER", (budget, budget, 65_536))
    rows, group = classifier._predict_batch(clf)
    assert (rows, group) == (64, 4)  # 4 passes of equal size, not 5, 5, 5 and 1 samples
    np.testing.assert_allclose(clf.predict_proba(X), whole, atol=1e-6)
    budget = 64 * per_sample * 6
    monkeypatch.setattr(classifier, "_CPU_PREDICT_BUFFER", (budget, budget, 65_536))
    assert classifier._predict_batch(clf) == (64, 6)  # passes of 6, 6 and 4 samples
    np.testing.assert_allclose(clf.predict_proba(X), whole, atol=1e-6)
    adapted = clf.set_params(adapt_steps=5).adapt(X.iloc[:50])  # inferred m: a mixture
    grouped = adapted.predict_proba(X)
    monkeypatch.undo()
    np.testing.assert_allclose(grouped, adapted.predict_proba(X), atol=1e-6)


def test_the_estimator_pickles_small_without_training_rows():
    """The fitted estimator carries summaries and weights, never the data."""
    small = simple_sem(0, n=300)
    large = simple_sem(0, n=6000)
    sizes = []
    for X, y, graph in (small, large):
        clf = CAMAClassifier(graph=graph, max_epochs=3, n_iter_no_change=5, random_state=0)
        sizes.append(len(pickle.dumps(clf.fit(X, y))))
    assert sizes[1] < 1.05 * sizes[0]
    assert sizes[1] < 200_000


@needs_cuda
def test_a_model_fitted_on_the_gpu_pickles_and_predicts_on_the_cpu():
    X, y, graph = simple_sem(0, n=400)
    clf = CAMAClassifier(graph=graph, device="cuda", **FAST).fit(X, y)
    on_gpu = clf.predict_proba(X)
    restored = pickle.loads(pickle.dumps(clf))
    assert next(restored.model_.parameters()).device.type == "cpu"
    restored.set_params(device="cpu")
    np.testing.assert_allclose(restored.predict_proba(X), on_gpu, atol=1e-4)


def _count_replays(monkeypatch) -> list:
    """A list that grows by one on every replay of a recorded CUDA graph step."""
    import skcama._training as training

    replays = []
    call = training._GraphStep.__call__
    monkeypatch.setattr(
        training._GraphStep, "__call__",
        lambda self, inputs: replays.append(1) or call(self, inputs),
    )
    return replays


def _adapted_on_cuda(graphs: bool, monkeypatch, **params) -> tuple[np.ndarray, list]:
    """Probabilities on shifted rows after adapting on the GPU, with the adaptation step
    recorded as a CUDA graph or run step by step, and the replays counted."""
    import skcama._training as training

    X, y, graph = simple_sem(0, n=600)
    X_new = X.iloc[:300] + 1.5
    clf = CAMAClassifier(graph=graph, device="cuda", adapt_steps=40, **FAST, **params)
    clf.fit(X, y)
    replays = _count_replays(monkeypatch)
    monkeypatch.setattr(training, "_CUDA_GRAPHS", graphs)
    return clf.adapt(X_new).predict_proba(X_new), replays


@needs_cuda
def test_adaptation_on_the_gpu_replays_a_cuda_graph_with_the_steps_result(monkeypatch):
    """The step recorded once and replayed gives what the step-by-step loop gives: the
    random draws happen outside the graph, in the same order."""
    graphed, replays = _adapted_on_cuda(True, monkeypatch)
    assert len(replays) == 40 - 3  # every step after the three warm-up steps
    monkeypatch.undo()
    stepwise, replays = _adapted_on_cuda(False, monkeypatch)
    assert replays == []
    np.testing.assert_allclose(graphed, stepwise, atol=1e-4)


@needs_cuda
@pytest.mark.parametrize("alone", [True, False], ids=["probed", "beside-threads"])
def test_a_step_that_cannot_be_recorded_falls_back_to_the_loop(monkeypatch, caplog, alone):
    """An operation that reads a device value during recording makes the graph fail;
    adaptation then goes on step by step, with the same result, and says so: found by
    the probed warm-up step where the process has one thread, and by the failed
    recording itself beside other threads (the probe's setting would hold for them)."""
    import skcama._model as model
    import skcama._training as training

    stepwise, _ = _adapted_on_cuda(False, monkeypatch)
    monkeypatch.undo()
    monkeypatch.setattr(model, "host_reads_allowed", lambda t: True)  # reads while recording
    monkeypatch.setattr(training, "_only_thread", lambda: alone)
    logs = caplog.at_level("WARNING", logger="skcama")
    with logs, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fallen_back, replays = _adapted_on_cuda(True, monkeypatch)
    assert replays == []
    assert "going on step by step instead" in caplog.text
    # the failed step's autograd graph is released before the retry on another stream
    assert not [w for w in caught if "AccumulateGrad" in str(w.message)]
    np.testing.assert_allclose(fallen_back, stepwise, atol=1e-4)


@needs_cuda
@pytest.mark.parametrize("weighted", [False, True])
def test_training_on_the_gpu_replays_a_cuda_graph_with_the_steps_result(monkeypatch, weighted):
    """Full-size batches replay the recorded step; the short last batch of each epoch
    runs step by step; the fitted model is the one the step-by-step loop fits (also with
    sample weights, which enter the recorded step as an input)."""
    import skcama._training as training

    X, y, graph = simple_sem(0, n=650)  # batches of 40 rows: 16 full ones and 10 rows
    weights = 1.0 + np.arange(len(y)) % 3 if weighted else None
    replays = _count_replays(monkeypatch)
    probabilities = []
    for graphs in (True, False):
        monkeypatch.setattr(training, "_CUDA_GRAPHS", graphs)
        clf = CAMAClassifier(graph=graph, device="cuda", max_epochs=5, n_iter_no_change=6,
                             validation_fraction=0.0, random_state=0)
        clf.fit(X, y, sample_weight=weights)
        probabilities.append(clf.predict_proba(X))
        if graphs:
            assert len(replays) == 5 * 16 - 3  # every full batch after three warm-up steps
    np.testing.assert_allclose(*probabilities, atol=1e-5)


@needs_cuda
def test_mixed_type_columns_are_recorded_too_without_warnings(monkeypatch, caplog):
    """Binary, graded and categorical columns on a GPU: fit and adapt replay their
    recorded steps (no fallback), warn about nothing of theirs, and match the
    step-by-step loop."""
    import skcama._training as training
    from skcama.datasets import MixedSEM

    sem = MixedSEM.random(random_state=0)
    X, y = sem.sample(1000, random_state=1)
    X_new, _ = sem.sample(300, random_state=2)
    replays = _count_replays(monkeypatch)
    probabilities = []
    for graphs in (True, False):
        monkeypatch.setattr(training, "_CUDA_GRAPHS", graphs)
        with warnings.catch_warnings(record=True) as caught, caplog.at_level("WARNING"):
            warnings.simplefilter("always")
            clf = CAMAClassifier(graph=sem.graph, target="y", device="cuda", max_epochs=3,
                                 n_iter_no_change=4, adapt_steps=20, random_state=0)
            clf.fit(X, y).adapt(X_new)
        probabilities.append(clf.predict_proba(X_new))
        assert not [w for w in caught if "capturable" in str(w.message)]
    assert len(replays) > 20  # 3 epochs of 16 full batches and 20 adaptation steps
    assert "step by step instead" not in caplog.text
    np.testing.assert_allclose(*probabilities, atol=1e-5)


def test_grid_search_runs_on_a_local_dask_cluster():
    """GridSearchCV over CAMA hyperparameters through joblib's Dask backend, 2 workers."""
    distributed = pytest.importorskip("distributed")
    import joblib

    X, y, graph = simple_sem(0, n=300)
    search = GridSearchCV(
        CAMAClassifier(graph=graph, max_epochs=5, random_state=0),
        {"latent_dim": [2, 4], "hidden_size": [16, 32]},
        cv=2,
        n_jobs=-1,
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    serial = GridSearchCV(
        CAMAClassifier(graph=graph, max_epochs=5, random_state=0),
        {"latent_dim": [2, 4], "hidden_size": [16, 32]},
        cv=2,
    ).fit(X, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )


def test_a_gpu_number_the_machine_lacks_is_named(monkeypatch):
    from skcama._classifier import _resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"device='cuda:1' names GPU 1, but this machine has "
                                         r"1 CUDA GPU \(0\)"):
        _resolve_device("cuda:1")


def test_prediction_of_complete_rows_skips_the_missing_value_checks_with_the_same_result(
    monkeypatch,
):
    """Rows that miss no value are predicted on the path that skips looking for missing
    values, to the last bit as on the general path; rows with a hole take the general
    path; the flag lives only while this thread predicts."""
    import threading

    import pandas as pd

    import skcama._training as training
    from skcama._model import KNOWN_COMPLETE

    X, y, graph = simple_sem(0, n=300)
    clf = CAMAClassifier(graph=graph, target="y", max_epochs=3, random_state=0).fit(X, y)
    seen = []
    features = type(clf.model_).features

    def recording(model, a, c, x):
        seen.append((model._rows_complete(), threading.get_ident()))
        return features(model, a, c, x)

    monkeypatch.setattr(type(clf.model_), "features", recording)
    fast, explained = clf.predict_proba(X), clf.explain(X)
    assert seen and all(flag for flag, _ in seen)
    assert KNOWN_COMPLETE.get() is None  # reset after the call
    seen.clear()
    holed = X.copy()
    holed.iloc[0, holed.columns.get_loc("x1")] = np.nan
    clf.predict_proba(holed)
    # x1 causes another child: its row is predicted in a group of its own (more samples),
    # on the general path; the other rows may still take the fast one
    assert seen and not all(flag for flag, _ in seen)
    # another thread predicting with the model meanwhile does not see the flag
    with training.predicting_complete_rows(clf.model_, clf._prediction_tensors(X)):
        assert clf.model_._rows_complete()
        other: list = []
        thread = threading.Thread(target=lambda: other.append(clf.model_._rows_complete()))
        thread.start()
        thread.join()
        assert other == [False]
    # the general path gives the same probabilities and evidence, bit for bit
    monkeypatch.setattr(training, "_complete", lambda *data: False)
    np.testing.assert_array_equal(clf.predict_proba(X), fast)
    pd.testing.assert_frame_equal(clf.explain(X), explained)
