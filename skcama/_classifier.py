"""The scikit-learn estimator: :class:`CAMAClassifier`.

Validation, graph roles, standardisation and sklearn plumbing live here; the tensor
maths live in :mod:`skcama._model` and the loops in :mod:`skcama._training`.
"""

from __future__ import annotations

import copy
import difflib
import logging
import math
import re
import threading
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd
import torch
from scipy.special import expit, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.utils import Tags, check_random_state
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d, validate_data

from ._columns import (
    _SPARSE_ROWS,
    MAX_INTEGER_LEVELS,
    ColumnCodec,
    _plain,
    _show,
    check_fit_labels,
    check_known_labels,
    check_label_not_a_column,
    check_labels_present,
    check_name_types,
    check_one_label_per_row,
    check_sample_weight,
    check_unique_columns,
    class_positions,
    columns_by_label,
    is_real_number,
    missing_rows,
    row_labels,
    same_text_other_type,
    spelling_variants,
    unknown_labels,
    warn_if_misaligned,
)
from ._frames import reads_tables
from ._guard import fit_context, gradients_on, restore_on_error
from ._model import ACTIVATIONS, CAMAConfig, CAMANet, _children_below
from ._random import seeded_torch
from ._training import (
    AdaptSettings,
    Tensors,
    TrainSettings,
    augmented_loss,
    clean_elbo,
    evaluate_elbo,
    log_joint_terms,
    padded_chunks,
    predict_log_proba,
    probe_rows,
    stratified_hold_out,
    train,
    worse_than_before,
)
from ._training import adapt as adapt_model
from ._typing import GraphLike, MatrixLike, ModelFile, VectorLike
from ._warn import (
    interactive,
    record_version,
    report,
    warn_if_pickled_by_another_version,
    warn_user,
)
from .graph import (
    DISCOVERY_METHODS,
    GraphError,
    MarkovBlanketRoles,
    _file_id_hint,
    _flag_set,
    _unicode_twin_hint,
    _unnamed_target,
    all_children_graph,
    check_discovery_params,
    check_graph_name,
    did_you_mean,
    is_discovery_method,
    load_graph,
    markov_blanket_roles,
    resolve_given_graph,
)

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger("skcama")

__all__ = ["CAMAClassifier"]


def _plain_name(name: Any) -> str:
    """A name in lower case, letters and digits only ('Age (y)' and 'age_y' alike)."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _renamed_column_hints(missing: list, columns: list, guess: bool = True) -> list[str]:
    """Hints for graph nodes that are not columns of X: the prefixes a ColumnTransformer
    adds ('num__age' for 'age'), the dummy columns of a one-hot encoder ('smoker_yes' for
    'smoker'), else (with ``guess``) the closest names."""
    hints = []
    texts = {column: str(column) for column in columns}
    prefixed = {node: [c for c, text in texts.items() if text.endswith(f"__{node}")]
                for node in missing}
    if any(prefixed.values()):
        shown = [f"{found[0]!r} for {node!r}" for node, found in prefixed.items() if found]
        hints.append(
            f"X's columns carry a ColumnTransformer's prefixes ({', '.join(shown[:3])}): "
            "build it with verbose_feature_names_out=False to keep the original names, "
            "or name the graph's nodes as X's columns."
        )
        missing = [node for node in missing if not prefixed[node]]
    for node in missing:
        dummies = [c for c, text in texts.items()  # after a ColumnTransformer's prefix
                   if text.rpartition("__")[2].startswith(f"{node}_")]
        if len(dummies) >= 2:
            hints.append(
                f"{node!r} looks one-hot encoded into {dummies[:4]}: CAMAClassifier codes "
                "text, category and bool columns itself, so leave the encoder out and pass "
                f"{node!r} as it is."
            )
            continue
        twin = _unicode_twin_hint(node, columns, "the column")
        close = did_you_mean(node, columns) if guess and not twin else []
        if twin:
            hints.append(twin)
        elif close:
            hints.append(f"{node!r} -> did you mean {close[0]!r}?")
    return hints


def _warn_of_untrained_levels(codec: ColumnCodec, codes: np.ndarray) -> None:
    """Warn of rows holding a level that a categorical column's dtype declared in fit but
    no training row held: its weights were never trained, so what it adds to a
    prediction is their initial values, not evidence (probabilities moved by up to 0.3
    against the same rows with a level seen in fit, in one measurement)."""
    found = []
    for name, levels in getattr(codec, "untrained", {}).items():
        j = codec.names.index(name)
        hits = np.isin(codes[:, j], levels)
        if hits.any():
            shown = [codec.categories[j][int(c)] for c in np.unique(codes[hits, j])]
            found.append((name, shown, int(hits.sum())))
    if found:
        name, shown, count = found[0]
        more = f" (and in columns {[f[0] for f in found[1:]]})" if len(found) > 1 else ""
        warn_user(
            f"column {name!r} holds {_show(shown)} in {count} row(s){more}: a level its "
            "category dtype declared in fit, but that no training row held, so the model "
            "never learned what it says and those rows' predictions rest on untrained "
            "weights. Refit with rows that hold it, or read it as missing: "
            f"X[{name!r}] = X[{name!r}].mask(X[{name!r}].isin({_show(shown)})).",
            UserWarning,
        )


def _positions(labels: list) -> bool:
    """Whether ``labels`` are the whole numbers ``0 .. len(labels) - 1`` (not bools), in
    any order."""
    return (all(is_real_number(c) and float(c).is_integer() for c in labels)
            and sorted(int(c) for c in labels) == list(range(len(labels))))


def _numbered_columns(columns: list, missing: list) -> bool:
    """Whether ``columns`` are numbered ``0 .. n - 1`` (a DataFrame made from an array
    without column names) while the ``missing`` nodes have names: close names among the
    numbers are chance ('a1' -> 1)."""
    return (
        len(columns) > 0
        and all(isinstance(c, (int, np.integer)) for c in columns)  # an array's: integers
        and _positions(columns)
        and not any(isinstance(n, (int, np.integer)) for n in missing)
    )


def _positions_out_of_order(X: pd.DataFrame, n_features: int) -> bool:
    """Whether the labels of ``X`` are the positions ``0 .. n_features - 1`` of a model
    fitted on an array, in another order (``X[[2, 0, 1]]`` of a frame of the array)."""
    labels = list(X.columns)
    return (len(labels) == n_features and _positions(labels)
            and [int(c) for c in labels] != list(range(n_features)))


class CAMAClassifier(ClassifierMixin, BaseEstimator):
    """Deep causal manipulation augmented model (CAMA) for tabular data.

    A causal *generative* classifier. The causal graph splits the features into the
    target's parents ``A``, co-parents ``C`` and children ``X``; the model learns
    ``p(y | a)`` and the mechanism ``p(x | y, c, z, m)`` with latent causes ``z`` and a
    manipulation variable ``m``, and predicts with Bayes' rule. Because the mechanism
    ``y -> x`` is modelled rather than inverted, predictions stay accurate when
    co-parents shift or measurements are manipulated.

    Parameters
    ----------
    graph : networkx.DiGraph, dict, str, path or None, default=None
        The causal DAG over the feature columns and the target: a graph, a mapping
        ``{node: [parents...]}`` (parents, not children: a dict of children reverses
        every edge; check ``roles_`` after fitting), a graph file (GML, GraphML, DOT,
        DAGitty, node-link JSON or a ``source,target`` CSV edge list), or a discovery
        method name (``"pc"``, ``"fci"``, ``"ges"``) to learn the graph from the training
        data with
        :func:`skcama.discovery.discover_graph`. Node names are the DataFrame's column
        names (or column positions ``0..d-1`` for a numpy ``X``). ``None`` treats every
        feature as a child of the target — the single-modality model ``y -> x``.
    target : hashable, default=None
        The graph node that ``y`` holds. When ``None`` it is inferred: ``y.name`` if that
        is a graph node, else the one graph node that is not a column of ``X`` (in a
        DAGitty model, the node marked ``outcome``; nodes marked ``latent`` are not
        candidates). With ``graph=None`` or a discovery method, ``y.name``, else ``"y"``
        (``"target"`` where a column of ``X`` is called ``y``).
    discovery_params : dict or None, default=None
        Options of :func:`skcama.discovery.discover_graph` when ``graph`` names a discovery
        method: ``"test"``, ``"alpha"``, ``"target_alpha"``, ``"background"``,
        ``"max_condition_size"``, ``"normal_scores"`` and ``"progress"``, e.g.
        ``{"target_alpha": 0.1, "background": {"tiers": [["age"], ["y"]]}}``. A grid search
        can then tune discovery with the model. Unused for a given graph; other keys are
        refused at :meth:`fit`.
    latent_dim : int, default=4
        Dimension of the latent causes ``z``.
    manipulation_dim : int, default=4
        Dimension of the manipulation variable ``m``.
    manipulation_model : {"mechanism", "shift"}, default="mechanism"
        How a manipulation ``m`` acts on the children, fixed at :meth:`fit`.
        ``"mechanism"`` (the paper's model): ``m`` enters each child's mechanism network
        and shifts its output, so it can change how a measurement depends on the label,
        its parents and the latent causes. ``"shift"``: ``m`` only moves each child's
        output (a Gaussian child's mean, the logits of a categorical one), as a
        recalibrated or offset measurement does. Which to choose depends on the
        manipulation (measured in the adaptation guide). With ``"shift"``, adapting on
        10 rows to children shifted by 1.5 or 3 sds recovered 0.84, where
        ``"mechanism"`` recovered 0.74 and 0.78 (both about 0.87 from 1000 rows). It
        gained less against co-parent shifts, and much less against adversarial
        perturbations.
    hidden_size : int, default=64
        Width of the encoder networks and of the feature branches.
    child_hidden_size : int, default=16
        Hidden units per child in the shallow merge network of the decoder.
    activation : {"silu", "relu", "leaky_relu", "elu", "tanh"}, default="silu"
        Activation of every network.
    n_samples : int, default=4
        Importance samples of ``z`` (and of ``m`` once a manipulation is learned) per
        class used by :meth:`predict_proba`, drawn in antithetic pairs (each draw and its
        negation; an odd count leaves its last draw unpaired). Prediction cost
        grows with it (``benchmarks/perf.py`` measures 4 against 64). In one-off runs on
        the robustness benchmark's SEMs (6 seeds; the benchmark itself keeps the
        default), accuracy at 4, 16 and 64 samples agreed within one point under every
        shift, and within 0.2 points on clean rows; raise it for smoother probabilities
        (the estimate's noise shrinks like ``1 / sqrt(n_samples)``). After
        :meth:`adapt`, m is averaged over as well and the estimate converges more
        slowly: on the small SEM described under
        ``clean_prior``, adapted to x2 shifted by +2, the probabilities moved by 0.017 on
        average between 4 and 1,024 samples (0.009 at 16, 0.003 at 64), and accuracy on
        the shifted rows was 0.864, 0.878, 0.870 and 0.870 at 4, 16, 64 and 256 samples
        (``benchmarks/adaptation_modes.py``); in a one-off run on
        ``SyntheticSEM(random_state=0)`` (8 children, 2,000 training rows), adapted to
        every child shifted by +2 sds, the mean moves against 1,024 samples were 0.016,
        0.010, 0.017 and 0.007 at 4, 16, 64 and 256 samples, and the accuracies 0.803,
        0.804, 0.790 and 0.804: the moves need not shrink steadily with the samples.
        A row missing a child that was complete in fit and causes other, measured
        children is predicted with at least 64 samples, whatever this says
        (its value is averaged over in each, which converges more slowly; see the guide
        to clinical tables).
    max_epochs : int, default=200
        Maximum number of passes over the training data.
    batch_size : int or "auto", default="auto"
        Mini-batch size for training and :meth:`adapt`. ``"auto"`` trains with
        ``n_rows // 16`` clipped to [32, 4096], ``n_rows`` being the rows left after the
        validation split: 16 optimiser steps per epoch from 512 to 65,536 such rows
        (fewer below, about 9 for 300), enough steps on small data sets for the
        likelihood's variance to be learned, and large batches that keep the per-step
        overhead small on large ones; :meth:`adapt` takes 256.
    learning_rate : float, default=3e-3
        Adam step size.
    weight_decay : float, default=0.0
        L2 penalty passed to Adam.
    validation_fraction : float, default=0.1
        Share of the training rows held out to monitor the ELBO for early stopping,
        drawn from each class in its share (every class keeps a row for training). Early
        stopping monitors the mean over the classes of each class's mean held-out ELBO,
        so a rare class's likelihood counts as much as a common one's (with the plain
        mean, a fit stopped while a class of 2% of the rows still improved: its recall
        0.16 where 0.52 was reached). With fewer than 50 rows, a share that holds out
        fewer than 5 of them, or 0, the training ELBO is monitored instead (a held-out
        row or two stopped fits near chance accuracy).
    n_iter_no_change : int, default=10
        Epochs without improvement of the monitored ELBO before training stops.
    tol : float, default=1e-4
        Relative improvement of the monitored ELBO that counts as progress: training
        stops after ``n_iter_no_change`` epochs without it. The weights of the best epoch
        are kept, also where it was better by less.
    clean_weight : float, default=0.5
        ``lambda`` of the augmented objective (paper eq. 5) when :meth:`fit` is given
        ``manipulated`` rows: ``lambda`` times the mean ``ELBO(x, y, do(m=0))`` of the
        clean rows plus ``1 - lambda`` times the mean ``ELBO(x, y)`` of the manipulated
        rows, with the manipulation inferred. The weights are of the two groups, not of
        each row: with 10 % of the rows manipulated and ``lambda=0.5``, a manipulated row
        weighs nine times a clean one.
    adapt_alpha : float, default=0.2
        ``alpha`` of the adaptation objective (paper eq. 8): weight of the clean reference
        rows against the new unlabelled rows in :meth:`adapt`, strictly between 0 and 1
        (at 1 the new rows would weigh nothing; at 0 nothing would hold the clean model).
    adapt_steps : int or "auto", default="auto"
        Gradient steps per call of :meth:`adapt`. ``"auto"`` takes 600 steps when the
        new rows fill more than one batch and 300 when they fit in one, where every step
        sees all of them and more steps fit their noise (measurements in the
        adaptation guide).
    adapt_learning_rate : float, default=1e-2
        Adam step size in :meth:`adapt`.
    adapt_mechanism_rate : float, default=0.1
        Step size in :meth:`adapt` of the manipulation's way into the mechanisms (the
        projection of ``m`` into each child's hidden layer, with
        ``manipulation_model="mechanism"``), as a factor on ``adapt_learning_rate``;
        the output shift and ``q(m | x, c)`` take the full step. A change of mechanism is
        then learned more slowly than a shift, which kept adaptation from a failure
        where the mechanisms were bent until the new rows fitted under the wrong labels
        (measured in the adaptation guide). ``1`` moves every part alike, as the paper
        does; ``0`` keeps the projection as fitted. Model files written before this
        parameter existed load with ``1``, as they adapted.
    clean_prior : float or None, default=0.5
        Once a manipulation has been learned, each row is predicted as clean (do(m=0))
        with this prior probability or as manipulated (m inferred by ``q(m | x, c)``)
        otherwise, the two weighed by the row's evidence under each; this protects clean
        rows after adaptation and gives :meth:`manipulation_score`. ``None`` always infers
        m, as in the paper. Measured on the small SEM of
        ``benchmarks/adaptation_modes.py`` (a -> y; y, c -> x1; y, x1 -> x2; 3 classes;
        clean accuracy 0.920, mean of 3 seeds): adapted to x2 shifted by +2, clean rows
        scored 0.920 with 0.5 and 0.893 with None, shifted rows 0.864 and 0.895; adapted
        to x1 shifted by +1.5 (a child that causes another), clean rows scored 0.864 and
        0.720, shifted rows 0.673 and 0.818. The mixture protects clean rows, but where a
        shifted row resembles a clean row of another class it gives back part of the gain.
    class_weight : dict, "balanced" or None, default=None
        Weight of each class's rows in :meth:`fit`, multiplied into ``sample_weight``:
        ``{label: weight}`` (classes left out weigh 1), or ``"balanced"``, which gives
        every class the same total weight (``n_rows / (n_classes * count)`` per row
        without ``sample_weight``). Like any row weight it moves the class prior
        ``class_prior_``, so predictions are then those of a population where the classes
        are that common: with ``"balanced"``, of equally common classes, which trades
        overall accuracy for balanced accuracy. :meth:`adapt_prior` estimates the
        prevalence of a real population afterwards.
    column_types : dict, default=None
        Likelihood of a column, overriding the type read from its dtype:
        ``{"column": "gaussian" | "bernoulli" | "categorical"}`` (aliases
        ``"continuous"``, ``"binary"``, ``"ordinal"``). Without an entry, float columns
        are Gaussian (unless they hold at most 10 distinct whole numbers: categorical,
        or Bernoulli for 0/1); bool columns, two-valued text or categories and 0/1
        integers Bernoulli; pandas ``category``, other string and object columns (an
        object column of numbers only is read as numbers, and so, with a warning, is
        text that is all measurement-like numbers, as ``X.astype(str)`` writes them), and
        integer columns with at most 10 distinct values, categorical. Children get the
        matching likelihood; parents and co-parents enter the networks one-hot or
        standardised. With ``verbose``, fit names the numeric columns it reads as
        categorical (a rounded measurement among them is better declared Gaussian).
    handle_unknown : {"error", "missing"}, default="error"
        What a categorical value never seen in :meth:`fit` does at prediction: raise a
        ``ValueError`` naming the column and the value, or count as a missing value. A
        level that a category dtype declared in :meth:`fit` is known even where no
        training row held it; rows that hold such a level are warned of, as the model
        never learned what it says.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, mini-batches, the validation split, the Monte
        Carlo noise of prediction and that of :meth:`adapt` (its replayed rows, batches
        and noise). All of these seeds are drawn at ``fit``: setting ``random_state``
        afterwards changes nothing until the next ``fit``. The ``n``-th call of
        :meth:`adapt` after a fit (or after :meth:`reset_adaptation`) takes the fit's
        adaptation seed plus ``n - 1``, so a model adapts alike every time it is
        fitted alike. The same value gives the same predictions on the same
        device and number of torch threads, whatever order the graph lists its nodes in
        or ``X`` its columns (roles are ordered by name where the graph leaves the order
        open); another thread count changes the order of floating-point sums, and the
        probabilities by up to about 1e-6. A discovered graph (``graph="pc"``) does not
        depend on the column order of ``X`` either: discovery reads the columns sorted
        by name.
    device : str, default="auto"
        Where the network runs: ``"cpu"``, ``"cuda"`` (or ``"cuda:N"``), or ``"auto"`` —
        the GPU when PyTorch sees one, else the CPU. A model fitted on a GPU pickles and
        saves with its weights on the CPU, and predicts on whatever ``device`` resolves
        to where it is loaded. The same ``random_state`` on the same device gives the
        same predictions; a fit on a GPU draws from the GPU's random stream, so it is
        another fit (as another ``random_state`` would be), not a copy of the CPU fit.
    verbose : int, default=0
        ``0`` silent, ``1`` a progress bar over epochs in a terminal or a notebook, and
        elsewhere (standard error redirected to a log file) one line per epoch with its
        ELBOs, on the ``skcama`` logger at INFO (on standard error where logging is not
        configured; where it is, at WARNING as ``logging.basicConfig()`` sets it, the
        lines show only once the ``skcama`` logger is set to INFO:
        ``logging.getLogger("skcama").setLevel(logging.INFO)``); with ``graph="pc"`` (or
        another method), discovery reports its steps too.

    Notes
    -----
    Missing values (NaN, None, ``pd.NA``) are accepted in fit and prediction. A missing
    child's own factor is *marginalised*: the row's likelihood uses only its observed
    children, which a generative classifier can do exactly. Wherever a missing column is
    an input — a parent or co-parent for ``p(y | a)``, the parent of another child, an
    input of the inference networks — it enters as zero with a missing-indicator set, so
    the networks learn what its absence means; indicators exist for the columns with
    missing values in the training data, and a hole in a parent or co-parent that was
    complete in :meth:`fit` counts as its training mean (weighted as the rows were, where
    ``sample_weight`` or ``class_weight`` weighed them). A hole in a child that was
    complete in :meth:`fit` enters the inference networks as zero, without an indicator
    (the unweighted mean of a continuous child; for a discrete one, no level): those
    networks only propose the latent values the likelihood is averaged over, so the
    quantity estimated is the same (its Monte Carlo estimate may be noisier). Where such a
    child causes other children, their likelihoods are
    averaged over its values (its levels, for a discrete one), drawn from its own
    mechanism in each importance sample. Bernoulli and
    categorical children are modelled with their own likelihoods, so a binary finding or
    a graded scale needs no preprocessing.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of columns seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in :meth:`fit` (only when ``X`` had string column names).
    graph_ : networkx.DiGraph
        The causal graph used (the discovered one when ``graph`` names a method).
    target_ : hashable
        The target node.
    roles_ : MarkovBlanketRoles
        Parents, co-parents and children of the target; ``roles_.outside`` lists graph
        nodes and data columns the model ignores.
    column_types_ : dict
        The likelihood used for each blanket column: ``"gaussian"``, ``"bernoulli"`` or
        ``"categorical"``.
    scaler_ : object
        How columns are coded: ``scaler_.mean`` and ``scaler_.scale`` per blanket column
        (continuous columns enter the model as ``(value - mean) / scale``; 0 and 1 for
        discrete ones) and ``scaler_.categories`` (the values of discrete columns).
    model_ : torch.nn.Module
        The fitted network.
    history_ : list of dict
        Per-epoch training figures (``epoch``, ``train_elbo``, with held-out rows
        ``valid_elbo``, their mean ELBO, and ``valid_class_mean_elbo``, the mean over the
        classes that early stopping monitors, and ``seconds``);
        ``pandas.DataFrame(clf.history_)`` makes a table.
    n_iter_ : int
        Number of epochs run.
    manipulation_learned_ : bool
        Whether the model has learned a manipulation (from ``manipulated`` rows in
        :meth:`fit` or from :meth:`adapt`). Until then prediction uses do(m=0); after, m
        is inferred by ``q(m | x, c)``.
    replay_summary_ : dict
        Mean and covariance of the standardised parents and co-parents and the training
        frequencies of the levels of the discrete ones: a summary, not rows, from which
        :meth:`adapt` replays clean reference data.
    class_prior_ : ndarray of shape (n_classes,)
        How common each class was in the training rows (weighted by ``sample_weight``
        and ``class_weight``). Predictions use the model's p(y | parents), which is
        trained from these frequencies (without parents, learned class log-frequencies
        that start at them), so its marginal can differ from them slightly.
    prior_shift_ : ndarray of shape (n_classes,)
        Log weights added to the class log-probabilities at prediction: zero until
        :meth:`adapt_prior` estimates a new setting's prevalence.
    adapted_class_prior_ : ndarray of shape (n_classes,)
        The prevalence :meth:`adapt_prior` estimated (present once it has been called).
    adapted_class_prior_se_ : ndarray of shape (n_classes,)
        The standard errors of ``adapted_class_prior_`` (present with it).
    adapted_children_shift_ : ndarray of shape (n_children,)
        For each child (in the order of ``roles_.children``), how far its mean in the
        rows of :meth:`adapt_prior` lies from the mean of the values the model draws for
        those rows at the estimated prevalence, in sds of the drawn values; for a
        binary child, the same for the share of its second level (in ``scaler_``'s
        categories; the warning names it); for a categorical child, the same for the
        share of the level that differs most (present with ``adapted_class_prior_``;
        NaN where not checked, see :meth:`adapt_prior`, and once :meth:`adapt` has
        changed the model since).
    adapted_children_z_ : ndarray of shape (n_children,)
        The z-scores of ``adapted_children_shift_``.
    evidence_reference_ : ndarray of shape (3,)
        The 1st, 5th and 50th percentiles of the log-likelihood ``log p(x | a, c)`` of up
        to 500 training rows under the fitted model: :meth:`adapt_prior` warns when the
        new rows' median falls below the 5th, as changed measurements make it.
    adapt_history_ : list of dict
        Figures of the last :meth:`adapt` call (present once it has been called, until
        :meth:`reset_adaptation` or a refit).

    See Also
    --------
    skcama.graph.markov_blanket_roles : The roles of every node for a target.

    References
    ----------
    C. Zhang, K. Zhang and Y. Li. "A Causal View on Robustness of Neural Networks."
    NeurIPS 2020.

    Examples
    --------
    >>> from skcama import CAMAClassifier
    >>> from skcama.datasets import make_sem
    >>> X, y, graph = make_sem(600, random_state=0)
    >>> clf = CAMAClassifier(graph=graph, target="y", max_epochs=20, random_state=0)
    >>> clf.fit(X, y).predict_proba(X.head(2)).sum(axis=1).round(6)
    array([1., 1.])
    >>> sorted(clf.roles_.children)[:2]
    ['x1', 'x2']
    """

    _parameter_constraints: dict = {
        # checked at fit, where a list of edges or a matrix gets its conversion
        "graph": "no_validation",
        "target": [Hashable, None],
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "manipulation_dim": [Interval(Integral, 1, None, closed="left")],
        "manipulation_model": [StrOptions({"mechanism", "shift"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "child_hidden_size": [Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "clean_weight": [Interval(Real, 0, 1, closed="both")],
        "adapt_alpha": [Interval(Real, 0, 1, closed="neither")],
        "adapt_steps": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "adapt_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "adapt_mechanism_rate": [Interval(Real, 0, None, closed="left")],
        "clean_prior": [Interval(Real, 0, 1, closed="neither"), None],
        "discovery_params": [dict, None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "column_types": [dict, None],
        "handle_unknown": [StrOptions({"error", "missing"})],
        "random_state": ["random_state"],
        "device": [str],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        graph: GraphLike | None = None,
        target: Hashable | None = None,
        *,
        discovery_params: dict | None = None,
        latent_dim: int = 4,
        manipulation_dim: int = 4,
        manipulation_model: str = "mechanism",
        hidden_size: int = 64,
        child_hidden_size: int = 16,
        activation: str = "silu",
        n_samples: int = 4,
        max_epochs: int = 200,
        batch_size: int | str = "auto",
        learning_rate: float = 3e-3,
        weight_decay: float = 0.0,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        clean_weight: float = 0.5,
        adapt_alpha: float = 0.2,
        adapt_steps: int | str = "auto",
        adapt_learning_rate: float = 1e-2,
        adapt_mechanism_rate: float = 0.1,
        clean_prior: float | None = 0.5,
        class_weight: dict | str | None = None,
        column_types: Mapping | None = None,
        handle_unknown: str = "error",
        random_state: int | np.random.RandomState | None = None,
        device: str = "auto",
        verbose: int = 0,
    ):
        self.graph = graph
        self.target = target
        self.discovery_params = discovery_params
        self.latent_dim = latent_dim
        self.manipulation_dim = manipulation_dim
        self.manipulation_model = manipulation_model
        self.hidden_size = hidden_size
        self.child_hidden_size = child_hidden_size
        self.activation = activation
        self.n_samples = n_samples
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.clean_weight = clean_weight
        self.adapt_alpha = adapt_alpha
        self.adapt_steps = adapt_steps
        self.adapt_learning_rate = adapt_learning_rate
        self.adapt_mechanism_rate = adapt_mechanism_rate
        self.clean_prior = clean_prior
        self.class_weight = class_weight
        self.column_types = column_types
        self.handle_unknown = handle_unknown
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ sklearn plumbing
    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        # category and bool columns are coded by the model itself; text only in a
        # DataFrame (an array of strings is refused), so the `string` tag stays False
        tags.input_tags.categorical = True
        return tags

    # ------------------------------------------------------------------------- fitting
    @reads_tables("X", "y", "manipulated", "sample_weight")
    @fit_context(prefer_skip_nested_validation=True)
    @gradients_on
    def fit(
        self,
        X: MatrixLike,
        y: VectorLike,
        sample_weight: VectorLike | None = None,
        *,
        manipulated: VectorLike | None = None,
    ) -> Self:
        """Fit the model on labelled rows.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Feature columns; with a graph they are matched to its nodes by name and
            columns outside the graph are ignored. A polars DataFrame or a pyarrow Table
            is read as the same pandas DataFrame would be.
        y : array-like of shape (n_samples,)
            Class labels (any hashable values).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each row (survey or inverse-probability weights;
            for classes see ``class_weight``): a row counts in the training bound, the
            early-stopping bound (within its class: early stopping weighs the classes
            alike), the class prior ``class_prior_`` and the replay summary in proportion
            to its weight; only ratios between weights matter. Rows of
            weight 0 are left out entirely (also from graph discovery; their label may be
            missing); ``None``, a single number or equal weights give the unweighted fit
            exactly. Graph discovery (``graph="pc"`` or ``"fci"``) weighs its tests by
            these weights, not by ``class_weight``; ``graph="ges"``, and a
            ``discovery_params`` test other than the block-lrt ones, discover without
            them, with a warning. The standardisation of the columns is not weighted.
            Inside a ``Pipeline`` or ``GridSearchCV`` route it with scikit-learn's
            metadata routing (``sklearn.set_config(enable_metadata_routing=True)`` and
            ``clf.set_fit_request(sample_weight=True)``, with
            ``.set_score_request(sample_weight=False)`` (or ``True``) for
            ``GridSearchCV`` and ``cross_validate``, which score too); ``Pipeline``
            also takes ``clf__sample_weight=...`` without routing.
        manipulated : array-like of bool of shape (n_samples,), default=None
            Keyword only. Rows known to be manipulated, by an unknown manipulation
            (augmented training, paper eq. 5): they are fitted with the manipulation
            inferred, clean rows with do(m=0), weighted by ``clean_weight``. Inside a
            ``Pipeline`` or ``GridSearchCV`` route it with scikit-learn's metadata
            routing: ``sklearn.set_config(enable_metadata_routing=True)`` and
            ``clf.set_fit_request(manipulated=True)``.

        Returns
        -------
        self : CAMAClassifier
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 200)
        >>> X = rng.normal(size=(200, 3)) + y[:, None]
        >>> CAMAClassifier(max_epochs=10, random_state=0).fit(X, y).classes_
        array([0, 1])
        """
        with restore_on_error(self):
            return self._fit(X, y, manipulated, sample_weight)

    def _fit(
        self, X: Any, y: Any, manipulated: Any, sample_weight: Any = None
    ) -> CAMAClassifier:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if isinstance(X, pd.Series) or (
            isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype.names is None
        ):  # (a record array is refused below with the DataFrame to make)
            raise ValueError(
                f"X is one-dimensional ({type(X).__name__} of {len(X)} values); fit takes "
                "rows of columns: for a single measurement pass X.to_frame() (or "
                "X[['column']] of a DataFrame), for an array X.reshape(-1, 1)."
            )
        if not isinstance(X, pd.DataFrame):
            X = _numeric_array(X)
        else:
            check_unique_columns(X)
            check_name_types(X)
        y = _fit_labels_shape(y, X)
        validate_data(self, X, reset=True, skip_check_array=True)
        for name, values in (("y", y), ("manipulated", manipulated),
                             ("sample_weight", sample_weight)):
            warn_if_misaligned(X, name, values)
        columns = self._column_names(X)
        y_name = getattr(y, "name", None)
        if isinstance(X, pd.DataFrame):
            check_label_not_a_column(y_name, columns)
        with warnings.catch_warnings(record=True) as caught:  # said at the user's line
            warnings.simplefilter("always", DataConversionWarning)
            y = column_or_1d(y, warn=True)
        for warning in caught:
            warn_user(str(warning.message), warning.category)
        weights, kept_rows, left_out = None, None, ()
        # rows named as the other messages name them: by X's index labels, else by position
        labels = row_labels(X)
        if sample_weight is not None and len(y) > 0:
            check_one_label_per_row(len(X), len(y))
            weights = check_sample_weight(sample_weight, len(y), labels)
            manipulated = _manipulated_mask(manipulated, len(y), labels)
            if not (weights > 0).all():  # a row of weight 0 is a row left out, label and all
                kept_rows = np.flatnonzero(weights > 0)
                left_out = y[weights == 0]
                X = X.iloc[kept_rows] if isinstance(X, pd.DataFrame) else X[kept_rows]
                y, manipulated = y[kept_rows], manipulated[kept_rows]
                weights = weights[kept_rows]
                labels = None if labels is None else labels[kept_rows]
        check_fit_labels(y, positions=kept_rows if labels is None else labels)
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if (len(classes) > _MANY_CLASSES and np.issubdtype(classes.dtype, np.number)
                and not _label_codes(classes)):
            # whole numbers (check_classification_targets refused fractions): codes with
            # gaps look as an age does, so the warning gives both readings
            warn_user(
                f"y holds {len(classes)} distinct numbers ({classes[:3].tolist()} ... "
                f"{classes[-1:].tolist()}), each a class of its own: if they are codes of "
                "labels, that is as meant; if y is a count or a measurement (an age, a "
                "score), it is no label: predict a category of it instead (pd.cut(y, bins)), "
                "or check that the right column is the target.",
                UserWarning,
            )
        # discovery weighs its tests by the rows' own weights (not the class weights, which
        # would act like a selection on the label and make its causes look dependent)
        row_weights = None if weights is None or np.all(weights == weights[0]) else weights
        if len(y):  # before discovery, which may take a while: a wrong class fails at once
            weights = _scaled_weights(
                self._class_weighted(weights, classes, y_index, left_out)
            )
        graph, target = self._resolve_graph(X, columns, y_name, y, row_weights)
        roles = markov_blanket_roles(graph, target)
        roles = self._check_roles_against_data(roles, columns, graph)
        if not roles.children:
            warn_user(
                f"the target {roles.target!r} has no children in the graph, only parents "
                f"{list(roles.parents)[:5]}: the model is p(y | parents) alone, with "
                "no measurement mechanism to read by Bayes' rule or to adapt. If some "
                "columns are effects of the target (symptoms, test results), draw their "
                "edges from it.",
                UserWarning,
            )
        frame = self._blanket_frame(X, roles, columns)
        check_one_label_per_row(frame.shape[0], y.shape[0])
        if frame.shape[0] == 0:
            raise ValueError(
                "X is empty (0 rows); CAMAClassifier needs at least 2 rows with 2 classes."
            )
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes in y, got 1 class "
                f"({classes[0]}); a classifier cannot be fitted on a single class."
                + _weighed_out_note(left_out, classes)
            )
        _warn_if_classes_weighed_out(left_out, classes)
        if self.graph is None:
            _warn_if_one_hot_children(frame)
        variants = spelling_variants(classes)
        if variants:
            shown = ", ".join(str([str(v) for v in group]) for group in variants[:3])
            warn_user(
                f"y holds labels that differ only in case or in spaces around them ({shown}); "
                "each is a class of its own. If they mean the same, write them alike before "
                "fit, e.g. y = y.str.strip() (and .str.lower()).",
                UserWarning,
            )
        counts = np.bincount(y_index, minlength=len(classes))
        if (counts == 1).any():
            single = classes[counts == 1].tolist()
            first_row = np.unique(y_index, return_index=True)[1]  # of every class
            rows = [int(first_row[k]) for k in np.flatnonzero(counts == 1)[:5]]
            if isinstance(X, pd.DataFrame):  # by X's index labels, as the user finds them
                rows = X.index[rows].tolist()
            elif kept_rows is not None:
                rows = [int(kept_rows[r]) for r in rows]
            warn_user(
                f"y holds a single row of each of the classes {single[:5]} (rows "
                f"{rows[:5]}): a class needs rows to learn its children's mechanisms from, "
                "and a class of one row is more often a stray or mistyped label. Fix or drop "
                "such a row, or collect more rows of the class.",
                UserWarning,
            )
        flags = _manipulated_mask(manipulated, len(y), labels)
        if flags.any() and not roles.children:
            raise ValueError(
                f"manipulated= flags {int(flags.sum())} rows, but the target {target!r} has "
                "no children in the graph, and a manipulation acts on the children: there is "
                "nothing to learn it from. Leave manipulated out, or check the graph."
            )
        if flags.all() and self.clean_weight == 1:
            raise ValueError(
                "every row is flagged manipulated and clean_weight=1 gives manipulated rows "
                "weight 1 - clean_weight = 0, so nothing would be trained; lower clean_weight "
                "(e.g. 0.5) or flag only the manipulated rows."
            )
        learns_manipulation = bool(flags.any()) and self.clean_weight < 1
        if flags.any() and not learns_manipulation:
            warn_user(
                f"manipulated= flags {int(flags.sum())} rows, but clean_weight=1 gives "
                "manipulated rows weight 1 - clean_weight = 0: they are left out of "
                "training and no manipulation is learned from them (manipulation_learned_ "
                "is False). Lower clean_weight (e.g. 0.5) to learn the manipulation.",
                UserWarning,
            )
        device = _resolve_device(self.device)
        codec = ColumnCodec(frame, list(roles.blanket), self.column_types)
        _warn_if_two_valued_children(frame, codec, roles.children, self.column_types)
        _report_numbers_as_levels(codec, frame, self.column_types, self.verbose)
        rng = check_random_state(self.random_state)
        seeds = rng.randint(0, 2**31 - 1, size=4)
        standardised = codec.transform(frame, check_far=False)  # its own scale
        _warn_of_label_copies(codec, standardised, y_index, len(classes),
                              self.graph is not None)
        _warn_if_children_unmeasured_in_a_class(codec, standardised, roles.children,
                                                y_index, classes)
        _warn_if_inputs_missing_by_class(codec, standardised,
                                         [*roles.parents, *roles.coparents], y_index, classes)
        data = self._tensors(standardised, roles, y_index, device)
        # a copy: the user's array may be read-only (a pandas Series with copy-on-write)
        data.manipulated = torch.as_tensor(np.array(flags, dtype=bool), device=device)
        if weights is not None:
            data.weight = torch.as_tensor(weights, dtype=torch.float32, device=device)
        class_freq = np.bincount(y_index, weights=weights, minlength=len(classes))
        class_freq = class_freq / class_freq.sum()
        cfg = self._config(roles, len(classes), codec, standardised, weights)
        with seeded_torch(int(seeds[0])):
            model = CAMANet(cfg)
        if cfg.n_parents == 0:
            with torch.no_grad():
                logits = torch.as_tensor(np.log(class_freq), dtype=torch.float32)
                model.prior.logits.copy_(logits)
        model.to(device)
        generator = torch.Generator(device=device).manual_seed(int(seeds[1]))
        train_data, valid_data = self._split(data, generator)
        loss_fn = clean_elbo
        if flags.any():
            share = np.average(flags, weights=weights)
            clean_part = self.clean_weight / (1 - share) if share < 1 else 0.0
            loss_fn = augmented_loss(clean_part, (1 - self.clean_weight) / share)
        # without held-out rows, the untrained and the fitted model are compared on a fixed
        # sample of the training rows (the last epochs' training ELBO cannot tell a model
        # that diverged within its first epoch)
        probe = (probe_rows(train_data) if valid_data is None or len(valid_data) == 0
                 else None)
        start_probe = math.nan if probe is None else _probe_elbo(model, probe, loss_fn)
        history, converged, start = self._train(
            model, train_data, valid_data, generator, loss_fn
        )

        self.classes_ = classes
        # a frame's column labels, whatever their type (feature_names_in_ holds only text
        # names): prediction matches a frame's columns to them by label
        self._frame_columns = columns if isinstance(X, pd.DataFrame) else None
        self.graph_ = graph
        self.target_ = target
        self.roles_ = roles
        self.scaler_ = codec
        self.column_types_ = dict(zip(codec.names, codec.kinds, strict=True))
        self.model_ = model
        self.history_ = history
        self.n_iter_ = len(history)
        self.manipulation_learned_ = self._augmented = learns_manipulation
        self.class_prior_ = class_freq
        self.prior_shift_ = np.zeros(len(classes))
        for name in _ADAPTATION_ATTRIBUTES:  # from an adapt or adapt_prior before a refit
            self.__dict__.pop(name, None)
        self.replay_summary_ = _replay_summary(standardised, roles, codec, weights)
        self.replay_summary_["latent"] = _latent_summary(model, data)
        self._predict_seed = int(seeds[2])
        self._adapt_seed = int(seeds[3])
        self.evidence_reference_ = self._evidence_reference(data)
        self._n_adapt_calls = 0
        self._clean_m_state = None
        # held-out rows, with the same noise at every epoch and before the first
        if probe is None:
            best = max((record["valid_elbo"] for record in history if "valid_elbo" in record),
                       default=math.nan)
            measured = f"the best held-out ELBO of its {len(history)} epochs"
        else:
            start, best = start_probe, _probe_elbo(model, probe, loss_fn)
            measured = f"the fitted model's ELBO on {len(probe)} of its training rows"
        if worse_than_before(start, best):
            warn_user(
                f"training made the model worse than it was untrained: {measured}, "
                f"{best:.4g}, is below the untrained model's {start:.4g}: the steps "
                f"diverged. Lower learning_rate (now {self.learning_rate:g}).",
                ConvergenceWarning,
            )
        elif not converged:
            warn_user(
                f"CAMAClassifier stopped after max_epochs={self.max_epochs} epochs before the "
                "ELBO converged; raise max_epochs.",
                ConvergenceWarning,
            )
        return self

    def _train(
        self,
        model: CAMANet,
        train_data: Tensors,
        valid_data: Tensors | None,
        generator: torch.Generator,
        loss_fn,
    ) -> tuple[list[dict], bool, float]:
        settings = TrainSettings(
            max_epochs=self.max_epochs,
            batch_size=self._batch_size(len(train_data)),
            learning_rate=self.learning_rate,
            weight_decay=self.weight_decay,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
        )
        bar = None
        # a bar in a terminal or a notebook; elsewhere (a log file) a line per epoch,
        # which the bar's redrawn frames would bury
        if self.verbose and interactive():
            from tqdm.auto import tqdm

            bar = tqdm(total=self.max_epochs, desc="CAMA fit", unit="epoch", leave=False)

        def progress(record: dict) -> None:
            elbos = {k: v for k, v in record.items() if k.endswith("elbo")}
            if bar is not None:
                logger.debug("epoch %(epoch)d: %(train_elbo).4f", record)
                bar.update(1)
                bar.set_postfix({k: f"{v:.3f}" for k, v in elbos.items()})
            else:
                report(self.verbose, "fit: epoch %d of at most %d, %s", record["epoch"],
                       self.max_epochs, ", ".join(f"{k} {v:.4f}" for k, v in elbos.items()))

        try:
            return train(
                model, train_data, valid_data, settings, generator, loss_fn,
                parameters=model.trainable_parameters(), progress=progress,
            )
        finally:
            if bar is not None:
                bar.close()

    def _class_weighted(
        self, weights: np.ndarray | None, classes: np.ndarray, y_index: np.ndarray,
        left_out: Any = (),
    ) -> np.ndarray | None:
        """Row weights times ``class_weight`` (unchanged when it is None); ``left_out``
        the labels of the rows that ``sample_weight`` left out."""
        if self.class_weight is None:
            return weights
        if weights is not None:
            weights = weights / weights.max()  # huge weights times class weights overflow
        per_class = _class_weight_values(
            self.class_weight, classes, y_index, weights, left_out
        )
        return per_class[y_index] if weights is None else weights * per_class[y_index]

    def _batch_size(self, n_rows: int) -> int:
        if self.batch_size == "auto":
            return int(np.clip(n_rows // 16, 32, 4096))
        return self.batch_size

    def _split(
        self, data: Tensors, generator: torch.Generator
    ) -> tuple[Tensors, Tensors | None]:
        n = len(data)
        n_valid = int(round(self.validation_fraction * n))
        if n < 50 or n_valid < _MIN_HELD_OUT:
            # the ELBO of a row or two is too noisy to stop by (SyntheticSEM, 50 rows, one
            # held out: stopped at epoch 19 at chance accuracy)
            if 0 < n_valid < _MIN_HELD_OUT and n >= 50:
                logger.info(
                    "validation_fraction=%s holds out %d row(s), fewer than %d: the "
                    "training ELBO is monitored instead", self.validation_fraction,
                    n_valid, _MIN_HELD_OUT,
                )
            return data, None
        if n - n_valid < 2:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} holds out {n_valid} of the "
                f"{n} training rows for early stopping, leaving {n - n_valid} to train on; "
                "lower it (the default is 0.1), or set validation_fraction=0 to train on "
                "every row and monitor the training ELBO."
            )
        held = stratified_hold_out(data.y, n_valid, generator)
        return data.rows(~held), data.rows(held)

    def _config(
        self, roles: MarkovBlanketRoles, n_classes: int, codec: ColumnCodec,
        codes: np.ndarray, weights: np.ndarray | None = None,
    ) -> CAMAConfig:
        inputs = (*roles.coparents, *roles.children)
        order = [*roles.parents, *roles.coparents, *roles.children]
        flags = codec.missing_of(order)
        all_gaussian = codec.all_gaussian
        position = {node: i for i, node in enumerate(roles.blanket)}
        causes = {*roles.parents, *roles.coparents}
        # a hole in a cause measured in every training row reads as its training mean,
        # weighted as the rows are: a Gaussian column's unweighted mean is its 0
        fills = tuple(
            _training_mean(codes[:, position[node]], kind, levels, weights)
            if node in causes and not flag and (kind != "gaussian" or weights is not None)
            else ()
            for node, kind, levels, flag in zip(
                order, codec.kinds_of(order), codec.levels_of(order), flags, strict=True
            )
        )
        # a column constant in fit is read as missing in every row: it tells its children
        # nothing, and as an input it would only be a child to average over in every
        # prediction (at 64 samples), so it is no input of the children's mechanisms
        constant = codec.missing_constant
        mask = tuple(
            tuple(float(node in roles.child_parents[child] and node not in constant)
                  for child in roles.children)
            for node in inputs
        )
        return CAMAConfig(
            n_classes=n_classes,
            n_parents=len(roles.parents),
            n_coparents=len(roles.coparents),
            n_children=len(roles.children),
            child_inputs=mask,
            latent_dim=self.latent_dim,
            manipulation_dim=self.manipulation_dim,
            manipulation_model=self.manipulation_model,
            hidden_size=self.hidden_size,
            child_hidden_size=self.child_hidden_size,
            activation=self.activation,
            kinds=None if all_gaussian else codec.kinds_of(order),
            levels=None if all_gaussian else codec.levels_of(order),
            indicators=flags if any(flags) else None,
            input_fills=fills if any(fills) else None,
        )

    # ---------------------------------------------------------------------- prediction
    @reads_tables("X")
    def predict_log_proba(self, X: MatrixLike) -> np.ndarray:
        """Log-probability of each class for each row, by Bayes' rule.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to classify; columns matched by name as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            ``log p(y | a, c, x)``, columns ordered as :attr:`classes_`.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 200)
        >>> X = rng.normal(size=(200, 2)) + y[:, None]
        >>> clf = CAMAClassifier(max_epochs=10, random_state=0).fit(X, y)
        >>> clf.predict_log_proba(X[:3]).shape
        (3, 2)
        """
        return self._predict(X)[0]

    @reads_tables("X", "y")
    def score(
        self, X: MatrixLike, y: VectorLike, sample_weight: VectorLike | None = None
    ) -> float:
        """Accuracy of :meth:`predict` on ``X`` against the labels ``y``.

        The labels are checked, where scikit-learn's ``score`` compares them silently:
        a missing label is an error; a label this model was not fitted with counts as a
        wrong prediction, as in scikit-learn (a class absent from a cross-validation
        fold's training rows), and is warned of, as it may be a fitted class spelled
        otherwise; and a ``y`` whose index holds ``X``'s rows in another order is warned
        of.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to classify; columns matched by name as in :meth:`fit`.
        y : array-like of shape (n_samples,)
            Their true labels, among :attr:`classes_`.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the mean: finite, non-negative and not all zero, one
            per row (checked as in :meth:`fit`).

        Returns
        -------
        float
            The (weighted) share of rows predicted right.

        Raises
        ------
        ValueError
            If ``X`` has no rows; if ``y`` does not hold one label per row, or misses a
            label; if ``sample_weight`` is negative, not finite, all zero or not one per
            row.

        Warns
        -----
        UserWarning
            If ``y`` holds labels the model was not fitted with (``"Sick"`` for
            ``"sick"``), or is a Series indexed in another order than ``X``.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 200)
        >>> X = rng.normal(size=(200, 2)) + 3 * y[:, None]
        >>> clf = CAMAClassifier(max_epochs=20, random_state=0).fit(X, y)
        >>> 0.8 < clf.score(X, y) <= 1.0
        True
        """
        from sklearn.metrics import accuracy_score

        log_proba = self._predict(X)[0]
        if len(log_proba) == 0:
            raise ValueError(
                "X has no rows, so there is no accuracy to compute; score needs at least "
                "one labelled row (check a filter that left none)."
            )
        warn_if_misaligned(X, "y", y)
        if sample_weight is not None:
            warn_if_misaligned(X, "sample_weight", sample_weight)
        labels = self._labels_of(y, len(log_proba))
        # checked as fit checks them: a negative weight was read as it stood
        weights = None if sample_weight is None else check_sample_weight(
            sample_weight, len(log_proba), row_labels(X)
        )
        y_index = class_positions(labels, self.classes_)  # -1: not a fitted class
        counted = y_index < 0 if weights is None else (y_index < 0) & (weights > 0)
        found = None if not counted.any() else unknown_labels(  # weight 0: not counted
            labels[counted], self.classes_, "y", "this CAMAClassifier"
        )
        if found is not None:
            warn_user(
                f"{found[0]}; their {int(counted.sum())} rows count as wrong "
                f"predictions. If they are fitted classes written otherwise, {found[1]}",
                UserWarning,
            )
        return float(accuracy_score(y_index, np.argmax(log_proba, axis=1),
                                    sample_weight=weights))

    @reads_tables("X")
    def manipulation_score(self, X: MatrixLike) -> np.ndarray:
        """Probability that each row is manipulated, given what the model has learned.

        Compares each row's evidence under do(m=0) with its evidence under an inferred
        manipulation, with prior ``1 - clean_prior``: a per-row flag such as "this
        measurement looks recalibrated".

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to score; columns matched by name as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
            Posterior probability of "manipulated" per row. A score near the prior
            ``1 - clean_prior`` (0.5 by default) means no evidence either way, not "half
            manipulated": after adapting to rows that were not manipulated, the learned
            manipulation is close to none and every row scores about the prior. Read the
            scores by their ranking (which rows look most manipulated) as much as by
            their level.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 400)
        >>> X = rng.normal(size=(400, 2)) + 3 * y[:, None]
        >>> clf = CAMAClassifier(max_epochs=30, adapt_steps=100, random_state=0).fit(X, y)
        >>> X_new = X + np.array([6.0, 0.0])
        >>> scores = clf.adapt(X_new).manipulation_score(np.vstack([X[:50], X_new[:50]]))
        >>> bool(scores[:50].mean() < scores[50:].mean())
        True
        """
        self._check_ready()
        if self.clean_prior is None:
            raise ValueError(
                "manipulation_score needs clean_prior set (a probability, e.g. 0.5); with "
                "clean_prior=None every row is treated as manipulated."
            )
        if not self.model_.has_children:
            raise ValueError(
                f"the target {self.target_!r} has no children in this model's graph, and a "
                "manipulation acts on the children: there is nothing to score (roles: "
                f"parents {list(self.roles_.parents)}, co-parents "
                f"{list(self.roles_.coparents)})."
            )
        if not self.manipulation_learned_:
            raise ValueError(
                "no manipulation has been learned yet, so every row is clean to this model; "
                "call adapt(X_new) or fit with manipulated rows first."
            )
        log_odds = self._predict(X)[1]
        if log_odds is None:  # no rows
            log_odds = np.zeros(0)
        prior_odds = np.log1p(-self.clean_prior) - np.log(self.clean_prior)
        return expit(log_odds + prior_odds)

    @reads_tables("X")
    def explain(self, X: MatrixLike, *, manipulation: str = "auto") -> pd.DataFrame:
        """The evidence behind each class's score, measurement by measurement.

        A generative classifier scores class ``k`` by ``log p(x, y=k | a, c)``, which
        splits into ``log p(y=k | a)`` (the class prior given the parents) and one term
        per child: how well the child's value fits what its mechanism predicts under
        class ``k``, given its parents (co-parents and parent children) and the inferred
        latent causes. The difference of a child's term between two classes is the
        log-likelihood ratio that measurement contributes to choosing one over the
        other. Co-parents have no term of their own: they act through the children they
        cause.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to explain; columns matched by name as in :meth:`fit`.
        manipulation : {"auto", "clean", "inferred"}, default="auto"
            ``"auto"`` explains what prediction computes, so that the terms of each
            class add up to the score :meth:`predict_proba` normalises: do(m=0) until a
            manipulation is learned (by :meth:`adapt` or a fit with ``manipulated``
            rows); after, with ``clean_prior`` set, each term is the clean and the
            manipulated one weighed by how clean the row looks under that class, and
            with ``clean_prior=None`` the manipulation is inferred for every row.
            ``"clean"`` explains the model under do(m=0), ``"inferred"`` with each row's
            manipulation inferred by ``q(m | x, c)`` (needs a learned manipulation).

        Returns
        -------
        pandas.DataFrame
            One row per row of ``X`` (its index when ``X`` is a DataFrame) and columns
            ``(class, term)``: for each class of :attr:`classes_` the terms ``"prior"``
            (``log p(y | a)``; after :meth:`adapt_prior`, plus the class's log-weight
            ``prior_shift_``, as prediction adds it: not normalised over the classes),
            one per child in the order of ``roles_.children`` (0 for a missing value)
            and ``"latent"`` (what the latent causes, and a learned manipulation, add:
            their log prior-to-posterior ratio and the Monte Carlo estimate's own terms,
            so that a class's terms add up to its score, up to float32 rounding (at
            most about 5e-5 on the rows measured; about 3e-7 of the score's size, so
            more on a row far outside the training values); a term named like a child
            is written in parentheses, twice if a child is named so too).
            ``frame[k] - frame[j]`` gives the evidence for class ``k`` over ``j``.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 300)
        >>> X = np.c_[rng.normal(size=300) + 2 * y, rng.normal(size=300)]
        >>> clf = CAMAClassifier(max_epochs=30, random_state=0).fit(X, y)
        >>> terms = clf.explain(X)
        >>> list(terms[1].columns)
        ['prior', 0, 1, 'latent']
        >>> for_1 = terms[1] - terms[0]   # evidence for class 1 over class 0
        >>> bool(for_1[0].abs().mean() > 5 * for_1[1].abs().mean())   # column 0 decides
        True
        """
        self._check_ready()
        if manipulation not in ("auto", "clean", "inferred"):
            raise ValueError(
                f"manipulation={manipulation!r} is not one of 'auto', 'clean', 'inferred'."
            )
        if manipulation == "inferred" and not self.manipulation_learned_:
            raise ValueError(
                "manipulation='inferred' needs a learned manipulation; call adapt(X_new) "
                "or fit with manipulated rows first, or explain with 'clean'."
            )
        data = self._prediction_tensors(X)

        def terms(part: Tensors, n_samples: int) -> tuple:
            eps_z, eps_m = self._prediction_noise(n_samples)  # eps_m None until learned
            rows, group = _predict_batch(self, n_samples)
            return log_joint_terms(
                self.model_, part, eps_z, None if manipulation == "clean" else eps_m,
                max(1, rows * group // n_samples),
                clean_prior=self.clean_prior if manipulation == "auto" else None,
            )

        prior, children, rest = self._by_sample_count(data, terms)
        shift = self._class_shift()
        if shift is not None:
            prior = prior + shift.cpu()
        children_names = list(self.roles_.children)
        names = []
        for name in ("prior", "latent"):  # in parentheses, as many as it takes to be unique
            while name in children_names:
                name = f"({name})"
            names.append(name)
        values = torch.cat([prior[..., None], children, rest[..., None]], dim=-1)
        columns = pd.MultiIndex.from_product(
            [self.classes_, [names[0], *children_names, names[1]]], names=["class", "term"]
        )
        return pd.DataFrame(
            values.double().numpy().reshape(len(values), len(columns)), columns=columns,
            index=X.index if isinstance(X, pd.DataFrame) else None,
        )

    def _predict(self, X: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """Log class probabilities and, once a manipulation is learned, the per-row
        log-likelihood ratio manipulated / clean (without the prior)."""
        self._check_ready()
        return self._predict_tensors(self._prediction_tensors(X))

    def _check_ready(self) -> None:
        """Fitted, and the hyperparameters that a fitted model reads valid: ``set_params``
        after ``fit`` may have changed them. The others matter to the next fit alone,
        which refuses a bad one; until then the model predicts as fitted."""
        check_is_fitted(self)
        validate_parameter_constraints(
            {name: self._parameter_constraints[name] for name in _READ_AFTER_FIT},
            {name: getattr(self, name) for name in _READ_AFTER_FIT},
            caller_name=type(self).__name__,
        )
        self._refuse_bool_numbers(_READ_AFTER_FIT)

    def _validate_params(self) -> None:
        """scikit-learn's check of the hyperparameters, and no bool for a number."""
        super()._validate_params()
        self._refuse_bool_numbers(self.get_params(deep=False))

    def _refuse_bool_numbers(self, names: Iterable[str]) -> None:
        """Refuse True / False for a numeric hyperparameter: Python counts them as 1 and
        0, so ``adapt_steps=True`` ran one step (``adapt_prior`` refuses them too)."""
        for name in names:
            value = getattr(self, name)
            constraints = self._parameter_constraints.get(name, ())
            numeric = any(isinstance(c, Interval) for c in constraints)
            if numeric and isinstance(value, (bool, np.bool_)):
                raise ValueError(
                    f"The {name!r} parameter of {type(self).__name__} must be a number, got "
                    f"{value!r}: a bool would count as {int(value)}. Pass the number "
                    "itself."
                )

    def _predict_tensors(self, data: Tensors) -> tuple[np.ndarray, np.ndarray | None]:
        """Log class probabilities, under the class prior of :meth:`adapt_prior` (if
        any), and log-odds of being manipulated."""
        def predict(part: Tensors, n_samples: int) -> tuple:
            eps_z, eps_m = self._prediction_noise(n_samples)
            rows, sample_group = _predict_batch(self, n_samples)
            return predict_log_proba(
                self.model_, part, eps_z, eps_m, batch_size=rows,
                clean_prior=self.clean_prior, sample_group=sample_group,
                class_shift=self._class_shift(),
            )

        log_proba, log_odds = self._by_sample_count(data, predict)
        odds = None if log_odds is None else log_odds.double().numpy()
        return log_proba.double().numpy(), odds

    def _sample_counts(self, x: torch.Tensor) -> list[tuple[torch.Tensor | None, int]]:
        """The rows (None: all of them) of the children's codes ``x`` (NaN where missing)
        and the importance samples each group is predicted with: ``n_samples``, and at
        least :data:`_FEEDER_SAMPLES` for a row
        missing a child that causes other children. Its value is drawn in each sample
        (:meth:`CAMANet._marginalise_feeders`), which averages the likelihood of the
        children it causes over it slowly: on ``SyntheticSEM(random_state=0)`` (3,000
        training rows) with two such children missing, the test log loss was 0.617 at
        4 samples, 0.574 at 16, 0.560 at 64 and 0.555 at 128 (mean of 8 noise seeds,
        measured by setting ``n_samples`` before this rule; the exact marginal's 0.515,
        the model's own gap to it on complete rows 0.02).
        Such a child is one complete in fit (:meth:`CAMANet._set_feeders`); a row where
        every child it feeds is missing too keeps ``n_samples``. A row's
        count depends on the row alone, so it is predicted alike in any batch."""
        feed = getattr(self.model_, "feed_column", None)  # none in a model without children
        if self.n_samples >= _FEEDER_SAMPLES or feed is None or not len(feed) or not len(x):
            return [(None, self.n_samples)]
        absent = torch.isnan(x)
        if not bool(absent.index_select(1, feed).any()):  # the common case: one check
            return [(None, self.n_samples)]
        below = _children_below(self.model_.cfg)
        missing = torch.zeros(len(x), dtype=torch.bool, device=absent.device)
        for feeder in feed.tolist():
            # a missing feeder matters where a child it feeds (or feeds through others)
            # was measured: where they are missing too, nothing is averaged
            missing |= absent[:, feeder] & ~absent[:, list(below[feeder])].all(1)
        if not bool(missing.any()):
            return [(None, self.n_samples)]
        groups = [(torch.nonzero(~missing).ravel(), self.n_samples),
                  (torch.nonzero(missing).ravel(), _FEEDER_SAMPLES)]
        return [(rows, n) for rows, n in groups if len(rows)]

    def _by_sample_count(
        self, data: Tensors, run: Callable[[Tensors, int], tuple]
    ) -> tuple:
        """``run(rows, n_samples)`` over the groups of :meth:`_sample_counts`, its row-wise
        outputs (tensors on the CPU, or None) put back in the order of ``data``."""
        groups = self._sample_counts(data.x)
        if groups[0][0] is None:
            return run(data, groups[0][1])
        results = [(rows.cpu(), run(data.rows(rows), n)) for rows, n in groups]
        merged = []
        for i, first in enumerate(results[0][1]):
            if first is None:
                merged.append(None)
                continue
            out = first.new_empty((len(data), *first.shape[1:]))
            for rows, result in results:
                out[rows] = result[i]
            merged.append(out)
        return tuple(merged)

    def _class_shift(self) -> torch.Tensor | None:
        """The class-prior log weights of :meth:`adapt_prior` on the model's device, or
        None when there are none (also in a model saved before they existed)."""
        shift = getattr(self, "prior_shift_", None)
        if shift is None or not np.any(shift != 0):
            return None
        device = next(self.model_.parameters()).device
        return torch.as_tensor(shift, dtype=torch.float32, device=device)

    @reads_tables("X")
    def predict_proba(self, X: MatrixLike) -> np.ndarray:
        """Probability of each class for each row, by Bayes' rule (paper eq. 6).

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to classify; columns matched by name as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns ordered as :attr:`classes_`.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 200)
        >>> X = rng.normal(size=(200, 2)) + y[:, None]
        >>> clf = CAMAClassifier(max_epochs=10, random_state=0).fit(X, y)
        >>> clf.predict_proba(X[:2]).sum(axis=1).round(6)
        array([1., 1.])
        """
        log_proba = self.predict_log_proba(X)
        proba = np.exp(log_proba)
        return proba / proba.sum(axis=1, keepdims=True)

    @reads_tables("X")
    def predict(self, X: MatrixLike) -> np.ndarray:
        """Most probable class of each row.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows to classify; columns matched by name as in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from :attr:`classes_`.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = np.array(["healthy", "sick"])[rng.integers(0, 2, 200)]
        >>> X = rng.normal(size=(200, 2)) + (y == "sick")[:, None] * 2.0
        >>> clf = CAMAClassifier(max_epochs=20, random_state=0).fit(X, y)
        >>> clf.predict(X[:3]).tolist()
        ['healthy', 'sick', 'sick']
        """
        log_proba = self.predict_log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]

    def _prediction_noise(
        self, n_samples: int | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Common random numbers for the Monte Carlo estimate, fixed by ``random_state``:
        antithetic pairs (each draw and its negation, see :func:`_antithetic_normal`),
        ``n_samples`` of them (default: the estimator's ``n_samples``)."""
        n_samples = self.n_samples if n_samples is None else n_samples
        generator = torch.Generator().manual_seed(self._predict_seed)
        cfg = self.model_.cfg
        device = next(self.model_.parameters()).device  # placed by _model_device already
        eps_z = _antithetic_normal(n_samples, cfg.latent_dim, generator)
        if not self.manipulation_learned_:
            return eps_z.to(device), None
        eps_m = _antithetic_normal(n_samples, cfg.manipulation_dim, generator)
        return eps_z.to(device), eps_m.to(device)

    # ---------------------------------------------------------------------- adaptation
    @reads_tables("X", "reference")
    @gradients_on
    def adapt(
        self, X: MatrixLike, y: None = None, *, reference: tuple[Any, Any] | None = None
    ) -> Self:
        """Adapt to a new setting from unlabelled rows (test-time fine-tuning, paper eq. 8).

        Maximises ``adapt_alpha * ELBO(x, y)`` on clean reference rows plus
        ``(1 - adapt_alpha) * ELBO(x)`` on the new rows, updating only the manipulation
        branch of the decoder, ``q(m | x, c)`` and the way ``m`` enters ``q(z | ...)``
        (the projection of ``m`` into the mechanisms at ``adapt_mechanism_rate`` times
        the step size; every part of that branch is zero at m = 0); the mechanisms
        ``y -> x``, ``c -> x``, ``z -> x`` and ``p(y | a)`` stay exactly as fitted.
        Afterwards prediction infers the manipulation of each row with ``q(m | x, c)``.

        The reference rows are replayed from the model itself by default (parents and
        co-parents drawn from :attr:`replay_summary_`, the label from ``p(y | a)``, the
        children from the decoder under do(m=0)), so a fitted model never needs to carry
        training rows. Calls accumulate: a stream of batches keeps refining the same
        manipulation model. :meth:`reset_adaptation` undoes every call; to keep the
        original untouched, adapt a copy: ``copy.deepcopy(clf).adapt(X_new)``. A class
        prior that :meth:`adapt_prior` estimated before stays applied, with a warning:
        call :meth:`adapt_prior` again after adapting. On a CUDA
        device the gradient step is recorded once as a CUDA graph and replayed: the same
        result as launching its kernels one by one, several times faster (see the
        scaling guide).

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Unlabelled rows from the new setting, columns as in :meth:`fit`. A single row
            is accepted (the fit is then only as good as one row allows).
        y : None
            Not taken: adaptation learns from unlabelled rows, and labels given here are
            refused with where they belong (``reference=`` for clean labelled rows,
            ``fit(..., manipulated=...)`` for labelled rows of the new setting).
        reference : tuple (X_ref, y_ref), default=None
            Real clean labelled rows to use as the reference instead of replay.

        Returns
        -------
        self : CAMAClassifier
            The adapted estimator.

        Examples
        --------
        >>> from skcama import CAMAClassifier
        >>> from skcama.datasets import SyntheticSEM
        >>> sem = SyntheticSEM(random_state=0)
        >>> X, y = sem.sample(1000, random_state=1)
        >>> clf = CAMAClassifier(graph=sem.graph, target="y", max_epochs=30,
        ...                      adapt_steps=20, random_state=0).fit(X, y)
        >>> X_new, _ = sem.sample(200, shift={"x1": 3.0}, random_state=2)
        >>> clf.adapt(X_new).manipulation_learned_
        True
        """
        _refuse_labels(y, "adapt")
        self._check_ready()
        if not self.model_.has_children:
            raise ValueError(
                "this model has no children of the target, so there is no measurement "
                "mechanism to adapt; adapt needs a graph where the target has children."
            )
        fitted_as = self.model_.cfg.manipulation_model
        if self.manipulation_model != fitted_as:
            raise ValueError(
                f"manipulation_model={self.manipulation_model!r} was set after fit, but this "
                f"model was fitted with {fitted_as!r}: the choice shapes the network and is "
                f"fixed at fit. Refit to adapt with {self.manipulation_model!r}, or "
                f"set_params(manipulation_model={fitted_as!r}) to adapt this model as fitted."
            )
        standardised = self._prediction_standardised(X)
        if len(standardised) == 0:
            raise ValueError("adapt needs at least one row of X; got an empty frame.")
        if np.isnan(standardised[:, self._child_columns()]).all():
            children = list(self.roles_.children)
            constant = [c for c in children if c in self.scaler_.missing_constant]
            if len(constant) == len(children):  # read as missing whatever the rows hold
                raise ValueError(
                    f"adapt needs measured children of the target, but the children "
                    f"{_show(constant)} were constant in the training data, and a column "
                    "constant in fit is read as missing in every row (fit warned of it): "
                    "this model has no child measurement to learn a manipulation from. "
                    "Refit on training rows where the children vary."
                )
            raise ValueError(
                f"adapt needs measured children of the target, but "
                f"{children[:10]} are missing in every one of these "
                f"{len(standardised)} rows: a manipulation shows only in the children's "
                "values, so there is nothing to learn it from."
            )
        new_data = self._tensors(standardised, self.roles_, None, self._model_device())
        seed = self._adapt_seed + self._n_adapt_calls
        generator = torch.Generator(device=new_data.x.device).manual_seed(seed)
        if reference is None:
            ref_data = self._replay(_REPLAY_ROWS, generator)
        else:
            ref_data = self._reference_tensors(reference)
        batch_size = 256 if self.batch_size == "auto" else self.batch_size
        settings = AdaptSettings(
            alpha=self.adapt_alpha,
            steps=_adapt_steps(self.adapt_steps, len(new_data), batch_size),
            batch_size=batch_size,
            learning_rate=self.adapt_learning_rate,
            mechanism_rate=self.adapt_mechanism_rate,
        )
        shift = getattr(self, "prior_shift_", None)
        if shift is not None and np.any(shift != 0):  # said before the model changes:
            # a warning raised as an error (-W error) then leaves it as it was.
            # Estimated with the measurements read as they were before this adaptation:
            # biased where they were manipulated (adapt_prior warns of that itself)
            warn_user(
                "a class prior estimated by adapt_prior before this adaptation is still "
                f"applied ({_prevalence_text(self.classes_, self.adapted_class_prior_)}); "
                "it read the measurements as the model did before adapting. Call "
                "adapt_prior(X) again to estimate it through the adapted model.",
                UserWarning,
            )
        saved = _manipulation_state(self.model_)
        if self._clean_m_state is None:  # before the weights change: an interrupt landing
            self._clean_m_state = saved  # after them still leaves reset_adaptation its state
        try:
            history = adapt_model(
                self.model_, new_data, _resampler(ref_data), settings, generator
            )
        except BaseException:
            _load_manipulation_state(self.model_, saved)
            raise
        for name in ("adapted_children_shift_", "adapted_children_z_"):  # of the old model
            if hasattr(self, name):
                setattr(self, name, np.full(len(self.roles_.children), np.nan))
        self._n_adapt_calls += 1
        self.adapt_history_ = history
        self.manipulation_learned_ = True
        return self

    def reset_adaptation(self) -> Self:
        """Undo every :meth:`adapt` and :meth:`adapt_prior` call, restoring the model
        as :meth:`fit` left it.

        Returns
        -------
        self : CAMAClassifier
            The estimator, as fitted.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 300)
        >>> X = rng.normal(size=(300, 2)) + y[:, None]
        >>> clf = CAMAClassifier(max_epochs=10, adapt_steps=5, random_state=0).fit(X, y)
        >>> before = clf.predict_proba(X)
        >>> np.allclose(clf.adapt(X + 1.0).reset_adaptation().predict_proba(X), before)
        True
        """
        check_is_fitted(self)
        if self._clean_m_state is not None:
            _load_manipulation_state(self.model_, self._clean_m_state)
            self._clean_m_state = None
            self.manipulation_learned_ = self._augmented
        self._n_adapt_calls = 0
        if hasattr(self, "prior_shift_"):
            self.prior_shift_ = np.zeros(len(self.classes_))
        for name in _ADAPTATION_ATTRIBUTES:
            self.__dict__.pop(name, None)
        return self

    @reads_tables("X")
    def adapt_prior(
        self,
        X: MatrixLike,
        y: None = None,
        *,
        n_samples: int | None = None,
        max_iter: int = 1000,
        tol: float = 1e-6,
    ) -> Self:
        """Re-estimate how common each class is in a new setting, from unlabelled rows.

        For a *prevalence* (label) shift: a new site sees the same diseases produce the
        same measurements, but in other proportions. Bayes' rule then needs the new
        class prior. Prediction then multiplies each row's ``p(y | a)`` by one weight per
        class, which the EM algorithm of Saerens, Latinne and Decaestecker (2002)
        estimates from the model's own posteriors on ``X``, with the model's ``p(y | a)``
        as the training prior: the weights move until the prevalence they give equals
        the mean posterior. Rows in which every child is missing carry no evidence about
        the classes and leave the prior as it is. The
        network is not changed; :meth:`reset_adaptation` removes the weights, and
        :meth:`adapt` (a manipulation of the measurements) is independent of them: for a
        setting with both, call :meth:`adapt` first.

        How well the rows determine the prevalence depends on their number and on how
        well the model separates the classes: ``adapted_class_prior_se_`` holds the
        standard error of each class's estimate (the delta method on the rows' scores in
        the class weights, plus the spread of the rows' adapted priors where the target
        has parents; with a model of ``SyntheticSEM(random_state=0)``, on 600 to 1,500
        new rows at three prevalences, within 0.003 of a bootstrap over the rows), and
        a warning says when
        one exceeds 0.05 (or is infinite: the rows carry no evidence on some class). A
        model's misfit is not in it: the estimate assumes the model's class densities are
        right, so measurements that changed as well must be adapted to first, and a
        model whose fit stopped at ``max_epochs`` before converging (``fit`` warns of it)
        is best refitted with more epochs first. Two checks
        warn of them; with a model that fits its training rows, a change of prevalence
        alone should set off neither:

        - the rows as a whole: their median log-likelihood falls below that of 95% of
          the training rows (``evidence_reference_``);
        - each child: its mean (a categorical child: the share of each level) in the
          rows, against that of values the model draws for the same rows (their parents
          and co-parents, the class from the estimated prevalence), differs by 0.2 sds or
          more with a z-score of 4 or more; the warning names such children, and
          ``adapted_children_shift_`` and ``adapted_children_z_`` hold every child's
          figures. Rows missing a parent or co-parent are left out of it, and a child
          measured in fewer than 30 of the rest is not checked. On ``load_dyspnea`` with
          ``fev1_fvc`` read 1 sd high at the new site (the adaptation guide's example)
          the first check passed, the estimate was biased, and this one named
          ``fev1_fvc`` at +0.87 sds. A change that leaves a child's mean alone (a
          noisier instrument) shows in the first check only, and a biased estimate can
          move the expected means of children that did not change, which are then named
          too. An under-fitted model (fit warned that it stopped before converging) can
          set it off on a change of prevalence alone: ``SyntheticSEM(random_state=0)``
          fitted for 3 epochs named a child at -0.25 sds on 10,000 rows of 70/20/10 %
          (where its estimate was itself 0.41 off).

        Once a manipulation is learned (:meth:`adapt`, or ``manipulated`` rows in
        :meth:`fit`) the rows are read through it and the children are not checked
        (their figures are NaN). Fewer than 10 rows per class are refused.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Unlabelled rows of the new setting; columns matched by name as in
            :meth:`fit`. On the test SEM of the adaptation guide, 900 rows gave the
            prevalence to within 0.1 point.
        y : None
            Not taken: the prevalence is estimated without labels; labels given here are
            refused (score the model against them with :meth:`score`).
        n_samples : int or None, default=None
            Importance samples per class for the posteriors that EM reads; ``None`` takes
            the larger of 64 and the estimator's ``n_samples`` (the time of a prediction
            at that many samples: about 10 times the default's on the CPU, 2.3 to 2.8 times
            on a GPU, in ``benchmarks/perf.py``). The Monte Carlo noise of
            a few samples is shared by all rows (common random numbers), so it tilts every
            row's posterior the same way, and EM, which looks for a prior that explains a
            consistent tilt, reads it as a change of prevalence. On four SEMs with 3
            classes (two where the model's accuracy was about 0.63, two about 0.87), the
            estimate on the model's own training rows, whose prevalence was 1/3 each, was
            off by up to 0.40 at 4 samples and 0.06 at 64 where the classes overlapped,
            and by under 0.02 at either where they were well separated; the standard
            errors were about 0.04 and 0.01.
        max_iter : int, default=1000
            Most EM iterations. EM is slow only when a class is (nearly) absent from the
            new setting: its prevalence then shrinks towards 0 ever more slowly.
        tol : float, default=1e-6
            Stop when no class's estimated prevalence moves by more than this between
            two iterations (a probability).

        Returns
        -------
        self : CAMAClassifier
            The estimator; ``adapted_class_prior_`` holds the estimated prevalence,
            ``adapted_class_prior_se_`` its standard errors, ``prior_shift_`` the log
            weights added to the class log-probabilities, and ``adapted_children_shift_``
            and ``adapted_children_z_`` the check of each child.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 600)
        >>> X = rng.normal(size=(600, 2)) + 2 * y[:, None]
        >>> clf = CAMAClassifier(max_epochs=30, random_state=0).fit(X, y)
        >>> y_new = (rng.random(600) < 0.2).astype(int)  # class 1 is rarer at the new site
        >>> X_new = rng.normal(size=(600, 2)) + 2 * y_new[:, None]
        >>> prior = clf.adapt_prior(X_new).adapted_class_prior_
        >>> bool(abs(prior[1] - 0.2) < 0.06)
        True
        >>> bool(clf.adapted_class_prior_se_[1] < 0.05)
        True
        """
        _refuse_labels(y, "adapt_prior")
        self._check_ready()
        if not self.model_.has_children:
            raise ValueError(
                "this model has no children of the target: the prevalence of the classes "
                "shows in the children's values given the class, so there is no evidence "
                "to estimate it from; adapt_prior needs a graph where the target has "
                "children."
            )
        if n_samples is not None and (
            isinstance(n_samples, bool) or not (isinstance(n_samples, Integral) and n_samples >= 1)
        ):
            raise ValueError(
                f"n_samples must be a positive integer or None; got {n_samples!r}."
            )
        if isinstance(max_iter, bool) or not (isinstance(max_iter, Integral) and max_iter >= 1):
            raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}.")
        if isinstance(tol, bool) or not (isinstance(tol, Real) and tol >= 0):
            raise ValueError(f"tol must be a number >= 0; got {tol!r}.")
        data = self._prediction_tensors(X)
        if len(data) == 0:
            raise ValueError(
                "adapt_prior needs at least one row of the new setting to estimate its "
                "class prior; got 0 rows."
            )
        least = _PRIOR_ROWS_PER_CLASS * len(self.classes_)
        if len(data) < least:
            raise ValueError(
                f"adapt_prior needs at least {least} rows ({_PRIOR_ROWS_PER_CLASS} per class) "
                f"to estimate the prevalence of {len(self.classes_)} classes; got "
                f"{len(data)}. Even a classifier that is never wrong counts a share p from "
                f"n rows only to within about sqrt(p (1 - p) / n), 0.22 for p = 0.5 and "
                f"n = 5: collect more unlabelled rows of the new setting first."
            )
        # the model's own posteriors (without the weights of an earlier call) and its
        # class prior p(y | a) of every row, which the weights w multiply
        samples = max(_PRIOR_SAMPLES, self.n_samples) if n_samples is None else int(n_samples)
        joints = self._log_joints(data, samples)
        evidence = logsumexp(joints, axis=1)  # log p(x | a, c) under the training prior
        post = np.exp(joints - evidence[:, None])
        prior = np.exp(self._log_class_prior(data))
        base = prior.mean(axis=0)  # the prevalence p(y | a) gives the rows of X
        # a posterior that underflowed to 0 would make a row impossible once the other
        # classes' weights reach 0 as well
        post = np.clip(post, 1e-300, None)
        weights, prevalence, iterations = np.ones(len(self.classes_)), base, 0
        while iterations < max_iter:
            iterations += 1
            new_post = post * weights
            new_post /= new_post.sum(axis=1, keepdims=True)
            # each class's weight moves until the prevalence the new prior implies equals
            # the mean posterior (Saerens et al.'s EM when p(y | a) is one prior for all);
            # a class whose weight reached 0 stays there
            weights = weights * np.divide(new_post.mean(axis=0), prevalence,
                                          out=np.zeros_like(prevalence), where=prevalence > 0)
            weights /= weights.max()
            # moves are measured in probability: the prevalence of a class absent from
            # the new setting shrinks towards 0 for ever, which never settles in log units
            new_prior = prior * weights
            new_prior /= new_prior.sum(axis=1, keepdims=True)
            moved = np.max(np.abs(new_prior.mean(axis=0) - prevalence))
            prevalence = new_prior.mean(axis=0)
            if moved <= tol:
                break
        else:
            warn_user(
                f"adapt_prior stopped after max_iter={max_iter} EM iterations before the "
                f"class prior converged (last change {moved:.2g} > tol={tol:g}); raise "
                "max_iter.",
                ConvergenceWarning,
            )
        se = _prevalence_se(post, prior, weights)
        # log weights, scaled so that with one prior for all rows they turn it into the
        # new one exactly: log p(y | a) + prior_shift_ is then a log-probability
        shift = np.log(np.clip(weights, 1e-300, None)) - np.log(base @ weights)
        children_shift, children_z, levels = self._children_check(data, shift)
        self._warn_if_mechanisms_moved(evidence, post, prior, weights)
        self._warn_if_children_moved(children_shift, children_z, levels)
        logger.info("adapt_prior: %d EM iterations, prior %s, standard errors %s",
                    iterations, np.round(prevalence, 4), np.round(se, 4))
        worst = int(np.argmax(se))
        if not np.isfinite(se[worst]):
            blind = [label for label, e in zip(self.classes_.tolist(), se, strict=True)
                     if not np.isfinite(e)]
            warn_user(
                f"adapt_prior: these {len(data)} rows do not determine the prevalence "
                f"of the classes {blind} (infinite standard errors): their children are "
                "missing, or read alike under those classes (copies of a few rows), so "
                "their estimated shares are not to be trusted: with no child measured "
                "they stay at the model's own class prior, while a few distinct rows can "
                "drive them to 0 or 1. The prevalence needs many rows whose measured "
                "children tell the classes apart.",
                UserWarning,
            )
        elif se[worst] > _PRIOR_SE_WARNING:
            warn_user(
                f"adapt_prior: the class prevalence is poorly determined by these "
                f"{len(data)} rows: standard errors up to {se[worst]:.2f} (class "
                f"{self.classes_.tolist()[worst]!r}, estimated at {prevalence[worst]:.2f}). More "
                "rows narrow it (the error shrinks like 1 / sqrt(rows)), and so does a "
                "model that separates the classes better; adapted_class_prior_se_ holds "
                "the standard errors.",
                UserWarning,
            )
        self.prior_shift_ = shift
        self.adapted_class_prior_ = prevalence
        self.adapted_class_prior_se_ = se
        self.adapted_children_shift_ = children_shift
        self.adapted_children_z_ = children_z
        return self

    def _child_columns(self) -> list[int]:
        """Positions of the children among the blanket columns of a standardised array."""
        position = {node: i for i, node in enumerate(self.roles_.blanket)}
        return [position[n] for n in self.roles_.children]

    def _log_joints(self, data: Tensors, n_samples: int, fixed_rows: bool = False) -> np.ndarray:
        """log p(x, y=k | a, c) of every row and class at ``n_samples`` samples, under the
        model's own class prior, (n_rows, n_classes). ``fixed_rows``: ``data`` are always
        the same rows (fit's reference), so fewer rows than a chunk go in one unpadded
        chunk: a row's value need not be independent of rows that never change."""
        eps_z, eps_m = self._prediction_noise(n_samples)
        rows, sample_group = _predict_batch(self, n_samples)
        if fixed_rows:
            rows = max(1, min(rows, len(data)))
        log_joints, _ = predict_log_proba(
            self.model_, data, eps_z, eps_m, batch_size=rows, clean_prior=self.clean_prior,
            sample_group=sample_group, normalise=False,
        )
        return log_joints.double().numpy()

    def _evidence_reference(self, data: Tensors) -> np.ndarray:
        """The 1st, 5th and 50th percentiles of the training rows' log-likelihood
        log p(x | a, c) under the fitted model (at most :data:`_EVIDENCE_ROWS` of them,
        chosen by the prediction seed), against which :meth:`adapt_prior` checks that new
        rows still fit the model's measurement mechanisms."""
        rng = np.random.default_rng(self._predict_seed)
        if len(data) > _EVIDENCE_ROWS:
            chosen = np.sort(rng.choice(len(data), size=_EVIDENCE_ROWS, replace=False))
            data = data.rows(torch.as_tensor(chosen, device=data.x.device))
        # at the prediction's sample count, not at the 64 that adapt_prior reads: 64 cost
        # a quarter of a 3-epoch fit of 10,000 rows at 100 features, the default 6%. The
        # percentiles moved by under a nat (-12.1 / -9.8 / -6.3 against -13.0 / -10.6 /
        # -6.4 on SyntheticSEM(random_state=0)); changed measurements move the median by
        # several
        evidence = logsumexp(self._log_joints(data, self.n_samples, fixed_rows=True), axis=1)
        return np.quantile(evidence, [0.01, 0.05, 0.5])

    def _children_check(
        self, data: Tensors, class_shift: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list]:
        """Whether each child reads, in the rows of :meth:`adapt_prior`, as the model
        expects at the estimated prevalence. Values are drawn from the model for the same
        rows (their parents and co-parents, y from ``p(y | a)`` reweighted by
        ``class_shift``, z, then the children under do(m=0)). A Gaussian or binary child
        gives the mean of its measured values minus the mean of the drawn ones, in sds of
        the drawn values, and that difference's z-score (from the spread of measured minus
        drawn over the rows). A categorical child gives the same for the share of each
        of its levels (the sd of a share p being sqrt(p (1 - p))), and reports the level
        that differs most among those whose z-score passes :data:`_CHECK_Z` (else the
        level whose z-score is largest). A change of prevalence alone, under a model that fits,
        leaves every difference near 0; a measurement that changed stands out.

        Returns the differences, the z-scores and, per child, the level reported (None
        for a Gaussian or binary child). Rows missing a parent or co-parent are left out
        (the model reads such a value at its training mean, which its children need not
        follow), and so is every child measured in fewer than :data:`_CHECK_MIN_ROWS` of
        the rest, and every child once a manipulation is learned (the rows are then read
        through it): NaN."""
        children = list(self.roles_.children)
        differences, z_scores = np.full(len(children), np.nan), np.full(len(children), np.nan)
        levels: list = [None] * len(children)
        if not children or self.manipulation_learned_:
            return differences, z_scores, levels
        device = data.x.device
        # rows with every parent and co-parent measured (those constant in fit, read as
        # missing in every row, left out of the test)
        constant = self.scaler_.missing_constant
        inputs = torch.cat([data.a, data.c], dim=1)
        kept = [j for j, name in enumerate((*self.roles_.parents, *self.roles_.coparents))
                if name not in constant]
        complete = ~inputs[:, kept].isnan().any(dim=1)
        rows = np.flatnonzero(complete.cpu().numpy())
        if len(rows) > _CHECK_ROWS:
            rng = np.random.default_rng(self._predict_seed)
            rows = np.sort(rng.choice(rows, _CHECK_ROWS, replace=False))
        if len(rows) < _CHECK_MIN_ROWS:
            return differences, z_scores, levels
        part = data.rows(torch.as_tensor(rows, device=device))
        draws = min(_CHECK_DRAWS, max(1, _CHECK_SIMULATED // len(rows)))
        generator = torch.Generator(device=device).manual_seed(self._predict_seed)
        weights = torch.as_tensor(class_shift, dtype=torch.float32, device=device)
        latent = self.replay_summary_.get("latent")
        drawn = np.empty((draws, *part.x.shape))
        with torch.no_grad():
            for k in range(draws):
                for start in range(0, len(part), _CHECK_CHUNK):
                    chunk = slice(start, start + _CHECK_CHUNK)
                    values, _ = self.model_.sample_clean(
                        part.a[chunk], part.c[chunk], generator, latent=latent,
                        class_shift=weights,
                    )
                    drawn[k, chunk] = values.double().cpu().numpy()
        measured = part.x.double().cpu().numpy()
        kinds = self.scaler_.kinds_of(children)
        categories = self.scaler_._of(self.scaler_.categories, children)
        for j, kind in enumerate(kinds):
            seen = ~np.isnan(measured[:, j])
            if seen.sum() < _CHECK_MIN_ROWS:
                continue
            values, draws_j = measured[seen, j], drawn[:, seen, j]
            if kind != "categorical":  # the value itself (a binary child: its share)
                found = [_mean_gap(values, draws_j)]
            else:  # the share of each level
                found = [_mean_gap(values == code, draws_j == code)
                         for code in range(len(categories[j]))]
            # the level that differs most among those whose z-score passes, else the level
            # with the largest z-score
            passing = [i for i, (_, z) in enumerate(found) if abs(np.nan_to_num(z)) >= _CHECK_Z]
            best = (max(passing, key=lambda i: abs(np.nan_to_num(found[i][0]))) if passing
                    else max(range(len(found)), key=lambda i: abs(np.nan_to_num(found[i][1]))))
            differences[j], z_scores[j] = found[best]
            if kind == "categorical":
                levels[j] = categories[j][best]
            elif categories[j] is not None and len(categories[j]) == 2:  # a binary child:
                levels[j] = categories[j][1]  # the share of its level coded 1, named
        return differences, z_scores, levels

    def _warn_if_children_moved(
        self, differences: np.ndarray, z_scores: np.ndarray, levels: list
    ) -> None:
        """Warn, naming them, of the children whose measured mean (or share of a level) in
        the rows of :meth:`adapt_prior` is :data:`_CHECK_SHIFT` sds or more from the
        model's at the estimated prevalence, with a z-score of :data:`_CHECK_Z` or more
        (see :meth:`_children_check`). Measured by ``benchmarks/prior_check.py``: on
        ``load_dyspnea`` and five ``SyntheticSEM`` fits, rows of another prevalence only
        left every child within 0.17 sds; one child read 0.5 sds high came out at 0.31
        to 0.47 sds and was named in each of 6 cases (5 of 6 at 0.25 sds), and a
        categorical child recoded at ``load_dyspnea``'s site was named in 2 of 2."""
        with np.errstate(invalid="ignore"):
            moved = (np.abs(differences) >= _CHECK_SHIFT) & (np.abs(z_scores) >= _CHECK_Z)
        if not moved.any():
            return
        named = [
            f"{name!r} ({'' if levels[j] is None else f'share of {_plain(levels[j])!r} '}"
            f"{differences[j]:+.2f} sd, z = {z_scores[j]:.0f})"
            for j, name in enumerate(self.roles_.children) if moved[j]
        ]
        more = f" and {len(named) - 10} more" if len(named) > 10 else ""
        one = len(named) == 1
        warn_user(
            f"adapt_prior: in these rows the {'child' if one else 'children'} "
            f"{', '.join(named[:10])}{more} read{'s' if one else ''} differently from what "
            "the model expects at the estimated prevalence (in sds of the model's values). "
            "With a model that fits, a change of prevalence alone does not explain that, "
            f"and a change in how {'it is' if one else 'they are'} measured does, biasing "
            "the estimate. Call adapt(X) first and then adapt_prior(X), or check how "
            f"{'this column is' if one else 'these columns are'} measured at the new site; "
            "adapted_children_shift_ and adapted_children_z_ hold every child's figures.",
            UserWarning,
        )

    def _warn_if_mechanisms_moved(
        self, evidence: np.ndarray, post: np.ndarray, prior: np.ndarray, weights: np.ndarray
    ) -> None:
        """Warn when the typical row of :meth:`adapt_prior` is less likely, under the new
        prevalence, than 95% of the training rows: a prevalence cannot explain that,
        changed measurements can (and then bias the estimate). On
        ``SyntheticSEM(random_state=0)`` the median fell from -6.4 (clean rows, and rows
        of another prevalence) to -12.8, -35.8 and -138 with every child shifted by 0.5,
        1 and 2 sds, against a 5th percentile of -9.8; co-parents shifted by 2 sds, a
        change of population the model extrapolates to, gave -6.9."""
        reference = getattr(self, "evidence_reference_", None)
        if reference is None:  # a model file written before the reference existed
            return
        adapted = evidence + np.log(post @ weights) - np.log(prior @ weights)
        typical = float(np.median(adapted))
        if typical < reference[1]:
            warn_user(
                f"adapt_prior: these rows fit the model's measurement mechanisms badly: "
                f"their median log-likelihood {typical:.1f} is below that of 95% of the "
                f"training rows ({reference[1]:.1f}; median {reference[2]:.1f}), which a "
                "change of prevalence cannot explain. If their measurements changed, call "
                "adapt(X) first and then adapt_prior(X): the prevalence is read from the "
                "model's class densities, and this estimate may be far off.",
                UserWarning,
            )

    def _log_class_prior(self, data: Tensors) -> np.ndarray:
        """log p(y | a) of every row of ``data``, (n_rows, n_classes)."""
        model, out = self.model_, []
        with torch.no_grad():
            for start in range(0, len(data), 65_536):
                a = data.a[start : start + 65_536]
                out.append(model.prior(model.code_a(a)).double().cpu().numpy())
        return np.concatenate(out)

    def save(self, path: ModelFile) -> None:
        """Write the fitted model to a file that loads without executing code.

        Weights go through safetensors, everything else through JSON; see
        :func:`skcama.persistence.save_model` for the format.

        Parameters
        ----------
        path : str, path-like or binary file object
            Where to write (``.skcama`` by convention), or a file object open for
            writing bytes (``open(..., "wb")``, :class:`io.BytesIO`, a cloud storage
            library's file), which is written and left open.

        Examples
        --------
        >>> import numpy as np, tempfile, pathlib
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(100, 2)), rng.integers(0, 2, 100)
        >>> clf = CAMAClassifier(max_epochs=2, random_state=0).fit(X, y)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.skcama"
        >>> clf.save(path)
        >>> np.array_equal(CAMAClassifier.load(path).predict_proba(X), clf.predict_proba(X))
        True
        """
        from .persistence import save_model  # persistence imports this module

        save_model(self, path)

    @classmethod
    def load(cls, path: ModelFile) -> Self:
        """Read a model written by :meth:`save` (no pickle involved).

        Parameters
        ----------
        path : str, path-like or binary file object
            A file written by :meth:`save`, or a file object open for reading bytes,
            which is read to its end and left open.

        Returns
        -------
        CAMAClassifier
            The fitted estimator, predicting exactly as the saved one. Called on a
            subclass, it reads that subclass's files into an instance of it.

        Examples
        --------
        >>> from skcama import CAMAClassifier
        >>> CAMAClassifier.load("no-such-file.skcama")
        Traceback (most recent call last):
        ...
        FileNotFoundError: model file 'no-such-file.skcama' does not exist.
        """
        from .persistence import _load

        return _load(path, cls)

    @reads_tables("X", "y")
    def reconstruct_clean(
        self, X: MatrixLike, y: VectorLike | None = None, *, method: str = "counterfactual"
    ) -> pd.DataFrame:
        """Rows with their children as they would read unmanipulated, under do(m=0).

        ``method="counterfactual"`` (the default) answers "what would this measurement
        have read without the manipulation": a measured continuous child keeps its own
        value less the move the inferred manipulation gave its mean (averaged over the
        posterior of the row's latent causes and manipulation, and weighed by the
        probability that the row was manipulated at all, see ``clean_prior``), so the
        measurement's own noise is kept; a measured discrete child keeps its value.
        Before any manipulation has been learned the measured values come back
        unchanged. ``method="regenerate"`` instead regenerates every child from its
        parents, the label and the row's inferred latent causes with the manipulation
        switched off (the mean of its mechanism, or a discrete child's most probable
        value): the disentangled "clean" measurement of the paper's fig. 9, the model's
        reading of the child rather than a corrected measurement, which differs from the
        measured value by the measurement's noise even on clean rows. Missing children are
        regenerated by either method.

        The inferred manipulation is the model's account of the whole change, and it
        need not stay on the children that changed. On ``SyntheticSEM(random_state=0)``,
        fitted with ``random_state=0, max_epochs=60`` on 3,000 rows (``sample``'s
        ``random_state`` s = 10 to 13), adapted to 1,000 rows with x1 to x4 read 2 sds
        high (s + 100) and measured on 2,000 more (s + 200, the same rows clean and
        shifted), the counterfactual brought x1, x2 and x4 back to within 0.07 to 0.17
        sds (root mean square) of their clean values, x3 to within 0.42 to 0.48; it
        moved x5 and x6, which were not changed, by 0.23 to 0.26 and 0.44 to 0.51 sds
        (x5 feeds x3, a shifted child; x7 and x8 moved 0.07 to 0.13); on clean rows no
        child's root mean square move passed 0.062 sds.

        Parameters
        ----------
        X : pandas.DataFrame or array-like of shape (n_samples, n_features)
            Rows, columns as in :meth:`fit`.
        y : array-like of shape (n_samples,), default=None
            Known labels; when omitted the predicted labels are used.
        method : {"counterfactual", "regenerate"}, default="counterfactual"
            How a measured child is reconstructed (see above).

        Returns
        -------
        pandas.DataFrame
            The blanket columns of ``X``, in ``X``'s order (fit's for an array), in
            original units and labels, children reconstructed. Missing children are
            filled by the regenerated value (as are values ``handle_unknown="missing"``
            reads as missing); parents and co-parents come back as given (missing ones
            stay missing). A column of a DataFrame ``X`` keeps its dtype where the values
            allow it (a bool or integer column without missing values, a category);
            otherwise discrete columns come back as categories.

        Examples
        --------
        >>> import numpy as np
        >>> from skcama import CAMAClassifier
        >>> rng = np.random.default_rng(0)
        >>> y = rng.integers(0, 2, 300)
        >>> X = rng.normal(size=(300, 2)) + y[:, None]
        >>> clf = CAMAClassifier(max_epochs=10, random_state=0).fit(X, y)
        >>> bool((clf.reconstruct_clean(X[:5]).to_numpy() == X[:5]).all())  # nothing learned
        True
        >>> clf.reconstruct_clean(X[:2], method="regenerate").shape
        (2, 2)
        """
        self._check_ready()
        if method not in ("counterfactual", "regenerate"):
            raise ValueError(
                f"method must be 'counterfactual' or 'regenerate'; got {method!r}."
            )
        roles = self.roles_
        given = self._prediction_frame(X)
        standardised = self._standardised_given(given)
        data = self._tensors(standardised, roles, None, self._model_device())
        if y is None:
            y_index = np.argmax(self._predict_tensors(data)[0], axis=1)
        else:
            warn_if_misaligned(X, "y", y)
            y_index = self._encode_labels(y, len(data))
        codes = standardised.copy()
        children = self._child_columns()
        moves = None  # the counterfactual move of each measured child, in codes
        if self.model_.has_children and len(data):
            data.y = torch.as_tensor(y_index, device=data.x.device)
            measured = ~np.isnan(standardised[:, children])
            if method == "regenerate" or not measured.all():  # the counterfactual's holes
                codes[:, children] = self._reconstructed_codes(data, _RECONSTRUCT_ROWS, None)
            if method == "counterfactual":
                moves = np.zeros((len(data), len(children)))
                if self.manipulation_learned_:
                    n_samples = max(_PRIOR_SAMPLES, self.n_samples)
                    rows = _predict_batch(self, n_samples)[0]
                    moves = self._reconstructed_codes(data, rows, n_samples)
                codes[:, children] = np.where(
                    measured, standardised[:, children] - moves, codes[:, children]
                )
        frame = self.scaler_.inverse(codes)
        # measured values as given (a child's less its counterfactual move, in its own
        # units): the round trip through the codes would change their last digits
        child = {name: j for j, name in enumerate(roles.children)}
        for position, name in enumerate(roles.blanket):
            measured = ~np.isnan(standardised[:, position])
            if self.column_types_[name] != "gaussian" or not measured.any() or (
                name in child and moves is None
            ):  # discrete values come back as their labels; regenerated children as made
                continue
            values = frame[name].to_numpy(dtype=np.float64, copy=True)
            move = 0.0 if name not in child else moves[:, child[name]] * self.scaler_.scale[
                position]
            values[measured] = (pd.to_numeric(given[name]).to_numpy(np.float64) - move)[measured]
            frame[name] = values
        # a parent's or co-parent's value unseen in fit (read as missing under
        # handle_unknown='missing') comes back as given, as the others do
        for position, name in enumerate(roles.blanket):
            unseen = np.isnan(standardised[:, position]) & given[name].notna().to_numpy()
            if name not in child and name not in self.scaler_.missing_constant and unseen.any():
                values = frame[name].to_numpy(dtype=object, copy=True)
                values[unseen] = given[name].to_numpy(dtype=object)[unseen]
                frame[name] = values
        # a DataFrame is read by its labels only by a model fitted on one; by position
        # otherwise, as predict reads it, and the columns keep fit's labels
        by_label = isinstance(X, pd.DataFrame) and self._fitted_on_frame()
        # a column constant in fit is read as missing: it comes back as given
        kept = [name for name in frame.columns if name in self.scaler_.missing_constant]
        if kept and by_label:
            frame[kept] = X[kept].to_numpy()
        elif kept:
            position = {name: i for i, name in enumerate(self._fit_columns())}
            frame[kept] = np.asarray(X)[:, [position[name] for name in kept]]
        if isinstance(X, pd.DataFrame):
            frame.index = X.index
        if by_label:
            for name in frame.columns:
                frame[name] = _as_dtype_of(frame[name], X[name].dtype)
        # in the order of X's columns (of fit's, for an array), not the roles' order
        order = list(X.columns) if by_label else self._fit_columns()
        return columns_by_label(frame, [name for name in order if name in frame.columns])

    def _reconstructed_codes(self, data: Tensors, rows: int, n_samples: int | None) -> np.ndarray:
        """The children of ``data`` (labels in ``data.y``) regenerated under do(m=0) when
        ``n_samples`` is None, else their counterfactual moves at that many importance
        samples (see :meth:`CAMANet.manipulation_moves`), (n_rows, n_children) codes.
        Chunks of one size, the last padded, as in prediction: a row's values do not
        depend on the rows that come with it (in float32, a lone row met other kernel
        shapes: 6e-7 apart)."""
        if n_samples is not None:
            eps_z, eps_m = self._prediction_noise(n_samples)
        parts = []
        with torch.no_grad():
            for chunk, n in padded_chunks(data, rows):
                if n_samples is None:
                    out = self.model_.reconstruct_clean(
                        chunk.a, chunk.c, chunk.x, chunk.y, infer_m=self.manipulation_learned_
                    )
                else:
                    out = self.model_.manipulation_moves(
                        chunk.a, chunk.c, chunk.x, chunk.y, eps_z, eps_m, self.clean_prior
                    )
                parts.append(out[:n].double().cpu().numpy())
        return np.concatenate(parts)

    def _replay(self, n: int, generator: torch.Generator) -> Tensors:
        """n clean labelled rows generated by the model itself (standardised)."""
        summary = self.replay_summary_
        nodes = summary["nodes"]
        device = generator.device
        values = torch.zeros(n, 0, dtype=torch.float32, device=device)
        if nodes:
            normal = torch.randn((n, len(nodes)), generator=generator, dtype=torch.float32,
                                 device=device).double()
            cholesky = torch.as_tensor(summary["cholesky"], device=device)
            values = _replayed_values(normal @ cholesky.T, summary)
        position = {node: i for i, node in enumerate(nodes)}
        a = values[:, [position[v] for v in self.roles_.parents]]
        c = values[:, [position[v] for v in self.roles_.coparents]]
        latent = summary.get("latent")
        x, y_index = self.model_.sample_clean(a, c, generator, latent=latent)
        # columns constant in fit are read as missing in every row, replayed ones too
        constant = self.scaler_.missing_constant
        for block, names in ((a, self.roles_.parents), (c, self.roles_.coparents),
                             (x, self.roles_.children)):
            block[:, [j for j, name in enumerate(names) if name in constant]] = float("nan")
        return Tensors(a, c, x, y_index)

    def _encode_labels(self, y: Any, n_rows: int, name: str = "y") -> np.ndarray:
        y = self._labels_of(y, n_rows, name)
        check_known_labels(y, self.classes_, name, "this CAMAClassifier")
        return np.searchsorted(self.classes_, y)

    def _labels_of(self, y: Any, n_rows: int, name: str = "y") -> np.ndarray:
        """``y`` as one present label per row of ``n_rows``, or an error saying what
        it is instead."""
        if y is None or np.ndim(y) == 0:
            raise ValueError(_not_labels(y, n_rows, name))
        y = _one_column(y, name)
        if len(y) != n_rows:
            raise ValueError(
                f"{n_rows} rows were given but {name} has {len(y)} labels; pass one label "
                "per row."
            )
        check_labels_present(y, name)
        return y

    def _reference_tensors(self, reference: Any) -> Tensors:
        """The ``reference=(X_ref, y_ref)`` argument of :meth:`adapt`, checked."""
        if not isinstance(reference, (tuple, list)) or len(reference) != 2:
            raise ValueError(
                "reference must be a pair (X_ref, y_ref) of clean labelled rows, got "
                f"{type(reference).__name__}; pass reference=(X_ref, y_ref), or leave it "
                "out to replay clean rows from the model."
            )
        X_ref, y_ref = reference
        try:
            data = self._prediction_tensors(X_ref)
        except ValueError as error:  # its messages speak of "X"
            raise ValueError(f"reference=(X_ref, y_ref): in X_ref, {error}") from error
        warn_if_misaligned(X_ref, "y_ref", y_ref, x_name="X_ref")
        data.y = torch.as_tensor(self._encode_labels(y_ref, len(data), "y_ref"),
                                 device=data.x.device)
        if len(data) == 0:
            raise ValueError(
                "reference holds no rows; pass at least one clean labelled row, or leave "
                "reference out to replay clean rows from the model."
            )
        if bool(torch.isnan(data.x).all()):
            raise ValueError(
                f"reference=(X_ref, y_ref): the children {list(self.roles_.children)[:10]} "
                f"are missing in every one of its {len(data)} rows, so they cannot hold the "
                "clean mechanisms in place while adapt learns the manipulation. Pass clean "
                "rows with measured children, or leave reference out to replay clean rows "
                "from the model."
            )
        return data

    # --------------------------------------------------------------- data and graph I/O
    @staticmethod
    def _column_names(X: np.ndarray | pd.DataFrame) -> list:
        if isinstance(X, pd.DataFrame):
            return list(X.columns)
        return list(range(X.shape[1]))

    def _resolve_graph(
        self,
        X: Any,
        columns: list,
        y_name: Hashable | None,
        y: np.ndarray,
        row_weights: np.ndarray | None = None,
    ) -> tuple[nx.DiGraph, Hashable]:
        check_discovery_params(self.discovery_params)  # refused whatever graph= is
        if self.discovery_params and not is_discovery_method(self.graph):
            warn_user(
                f"discovery_params={self.discovery_params!r} is ignored: it sets the options "
                "of graph discovery, which runs only when graph names a discovery method "
                f"({', '.join(map(repr, DISCOVERY_METHODS))}); here graph is "
                f"{'None' if self.graph is None else type(self.graph).__name__}.",
                UserWarning,
            )
        if self.graph is None:
            target = self.target
            if target is None:  # a name for the target node alone: one no column has
                target = (y_name if y_name is not None and y_name not in columns
                          else _unnamed_target(columns, X, y))
            if target in columns:
                raise GraphError(
                    f"the target {target!r} is also a column of X; with graph=None every "
                    "column is a child of the target. Drop that column from X or set "
                    "target= to another name."
                )
            return all_children_graph(columns, target), target
        spec, target = self.graph, self.target
        is_method = is_discovery_method(spec)
        if is_method:
            spec = spec.strip().lower()
        else:
            check_graph_name(spec)
            spec = load_graph(spec)
        if target is None and y_name is not None:
            if is_method and y_name not in columns or not is_method and y_name in spec:
                target = y_name
        if target is None and is_method:  # discovery names the target node as graph=None
            target = _unnamed_target(columns, X, y)
        if not is_method:
            graph, target = resolve_given_graph(spec, columns, target)
            if target in columns:
                raise GraphError(
                    f"the target {target!r} is also a column of X, and the labels come from "
                    "y; drop that column from X (the model reads the labels from y)."
                )
            return graph, target
        from .discovery import resolve_graph_spec  # causal-learn is imported only here

        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X, columns=columns)
        seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        return resolve_graph_spec(
            spec, frame, y, target, random_state=seed, verbose=self.verbose,
            sample_weight=row_weights, discovery_params=self.discovery_params,
        )

    def _check_roles_against_data(
        self, roles: MarkovBlanketRoles, columns: list, graph: nx.DiGraph
    ) -> MarkovBlanketRoles:
        if not columns:
            raise ValueError(
                "X has no columns; pass the measurements as columns of X"
                + (", named like the nodes of the graph." if self.graph is not None and not
                   is_discovery_method(self.graph) else ".")
            )
        if not roles.blanket:
            fix = (
                f"Discovery (graph={self.graph!r}) found no column that depends on it: with "
                "more rows, or a larger level for the tests at the target "
                "(discovery_params={'target_alpha': 0.1}), it may find the weaker ones; "
                "check also that y holds the labels of these rows."
                + _forbidden_at_target(self.discovery_params, roles.target)
                if is_discovery_method(self.graph)
                else "Add the edges that connect the target to its causes and effects."
            )
            raise GraphError(
                f"the target {roles.target!r} has no parents, co-parents or children in the "
                f"graph, so nothing in the data can predict it. {fix}"
            )
        column_set = set(columns)
        missing = [node for node in roles.blanket if node not in column_set]
        if missing:
            hints = []
            through = _children_through(graph, roles, missing, column_set)
            # '1' in a graph file against a column 1 (or the reverse): same text, other type
            retyped, found = same_text_other_type(missing, columns)
            positional = list(columns) == list(range(len(columns)))
            if retyped and positional:
                hints.append(
                    f"The columns of X are numbered 0..{len(columns) - 1} (as an array's are) "
                    f"while the graph names them as text {retyped[:5]}; pass X as a DataFrame "
                    "whose column names are the graph's nodes (for a DataFrame: "
                    "X.columns = X.columns.astype(str))."
                )
            elif retyped and isinstance(found[0], str):  # the graph holds the numbers
                hints.append(
                    f"The graph names {retyped[:5]} ({type(retyped[0]).__name__}) where X has "
                    f"the columns {found[:5]} (str); give the graph's nodes the columns' "
                    "type, e.g. graph = networkx.relabel_nodes(graph, str)."
                )
            elif retyped:
                hints.append(
                    f"The graph names {retyped[:5]} ({type(retyped[0]).__name__}) where X has "
                    f"the columns {found[:5]} ({type(found[0]).__name__}); graph files store "
                    "node names as text, so give X's columns the same type, e.g. "
                    "X.columns = X.columns.astype(str)."
                )
            elif positional:  # an array: its columns are positions, graph files hold text
                hints.append(
                    f"The columns of X are numbered 0..{len(columns) - 1} (as an array's "
                    "are); pass X as a DataFrame whose column names are the graph's nodes. "
                    "In a Pipeline, a transformer before the classifier hands on an array "
                    "unless told otherwise: pipeline.set_output(transform='pandas') keeps "
                    "the names. CAMA needs no scaler (it standardises inside, and a scaled "
                    "0/1 or graded column no longer reads as discrete) nor an imputer (it "
                    "takes missing values): dropping them is simpler. Some "
                    "scikit-learn wrappers (AdaBoostClassifier, BaggingClassifier, "
                    "OneVsOneClassifier, SelfTrainingClassifier) turn a DataFrame into an "
                    "array themselves: "
                    "with them, use graph=None or a graph whose nodes are column positions, "
                    "nx.relabel_nodes(graph, {name: i for i, name in enumerate(X.columns)}), "
                    "and keep every column in its place (no max_features below 1, no "
                    "bootstrap_features=True). As StackingClassifier's final_estimator, CAMA "
                    "sees the other models' predictions (and, with passthrough=True, X after "
                    "them) as an array: use graph=None there."
                )
            elif all(isinstance(n, (int, np.integer)) and not isinstance(n, bool)
                     and 0 <= n < len(columns) for n in missing):
                hints.append(
                    f"The graph's nodes {missing[:5]} are column positions, as for an "
                    f"array, while X has named columns ({list(columns)[:5]}"
                    f"{' ...' if len(columns) > 5 else ''}); pass X as an array "
                    "(X.to_numpy()), or name the graph's nodes by the columns: "
                    "nx.relabel_nodes(graph, dict(enumerate(X.columns)))."
                )
            else:
                # with no node of the blanket among X's columns, close names are chance
                measured = bool(column_set & set(roles.blanket))
                hints = _renamed_column_hints(missing, columns, guess=measured)
                relabelled = _file_id_hint(graph, columns)
                if relabelled and not hints:  # the file's ids were X's column names
                    hints.append(relabelled.strip())
                written = {_plain_name(c): c for c in columns}
                plain = {n: _plain_name(n) for n in missing}
                otherwise = [f"{written[plain[n]]!r} for {n!r}" for n in missing
                             if plain[n] and plain[n] in written]
                levels = [c[-1] for c in columns if isinstance(c, tuple) and c]
                if not measured and not hints and set(missing) & set(levels):
                    # a MultiIndex ('g', 'x1'): the nodes are the columns' last level
                    hints.append(
                        "X's columns have several levels (e.g. "
                        f"{next(c for c in columns if isinstance(c, tuple))!r}), whose last "
                        "level names the graph's nodes: flatten them first, X.columns = "
                        "X.columns.get_level_values(-1)."
                    )
                elif not measured and not hints and otherwise:  # 'Age' for 'age'
                    hints.append(
                        f"X's columns are the graph's nodes written otherwise "
                        f"({', '.join(otherwise[:3])}); name them alike."
                    )
                elif not measured and not hints and not through:
                    # new features, not renamed columns (nor unmeasured links to the columns)
                    hints.append(
                        f"No node of the Markov blanket of {roles.target!r} is a column "
                        f"of X (X has "
                        f"{list(columns)[:5]}{' ...' if len(columns) > 5 else ''}): a "
                        "transformer before the classifier (PCA, feature selection, "
                        "polynomial features) made new features, which the graph cannot "
                        "name. CAMA reads the measurements the graph names: leave such a "
                        "step out of the pipeline, or pass the measurements themselves."
                    )
            hint = (" " + " ".join(hints)) if hints else ""
            raise ValueError(
                f"graph nodes {missing} are in the Markov blanket of {roles.target!r} but not "
                f"columns of X.{hint} Rename the columns or the graph nodes so they match."
                # where no hint found a renamed column, the nodes may never have been measured
                f"{'' if hints else _unmeasured_advice(graph, roles, missing, through)}"
            )
        graph_nodes = set(roles.blanket) | set(roles.outside) | {roles.target}
        extra = [c for c in columns if c not in graph_nodes]
        ignored = [c for c in columns if c in set(roles.outside)] + extra
        if extra and self.graph is not None:
            warn_user(
                f"columns {extra} are not nodes of the graph and are ignored.",
                UserWarning,
            )
        if ignored:
            logger.info("columns outside the Markov blanket, ignored: %s", ignored)
        if self.graph is not None and not is_discovery_method(self.graph):
            _warn_of_near_names(graph, roles.target, columns)
        outside = tuple(dict.fromkeys([*roles.outside, *extra]))
        return replace(roles, outside=outside)

    def _blanket_frame(self, X: Any, roles: MarkovBlanketRoles, columns: list) -> pd.DataFrame:
        """The blanket columns of X as a DataFrame (values as given, coded later)."""
        nodes = list(roles.blanket)
        if isinstance(X, pd.DataFrame):
            present = set(X.columns)
            missing = [n for n in nodes if n not in present]
            if missing:
                hints = []
                retyped, found = same_text_other_type(missing, list(X.columns))
                if retyped:
                    hints.append(
                        f" X has {found[:5]} ({type(found[0]).__name__}) where the model has "
                        f"{retyped[:5]} ({type(retyped[0]).__name__}): give X's columns the "
                        "type they had in fit."
                    )
                unused = [c for c in X.columns if c not in set(nodes)]
                renamed = [n for n in missing if n not in retyped]
                if _numbered_columns(list(X.columns), renamed):
                    hints.append(
                        f" X's columns are numbered 0 to {X.shape[1] - 1}, as a DataFrame "
                        "made from an array without column names has them: name them as "
                        f"in fit, pd.DataFrame(values, columns={self._fit_columns()[:4]}"
                        f"{'...' if len(self._fit_columns()) > 4 else ''}), or pass the "
                        "array itself, read by position in fit's column order."
                    )
                    renamed = []
                hints += [f" {hint}" for hint in _renamed_column_hints(renamed, unused)]
                # no NaN column for a child that X only spells otherwise (case, spaces,
                # punctuation); a merely similar name ('x12' for 'x2') keeps the advice
                spelled = {_plain_name(c) for c in unused}
                children = [n for n in renamed if n in set(roles.children)
                            and _plain_name(n) not in spelled]
                if children:
                    hints.append(
                        f" A child that was not measured can be passed as a column of NaN "
                        f"(X[{children[0]!r}] = np.nan): its likelihood is then left out."
                    )
                causes = [n for n in renamed if n not in set(roles.children)
                          and _plain_name(n) not in spelled]
                if causes:
                    codec = getattr(self, "scaler_", None)
                    holed = (codec is not None and causes[0] in codec.names
                             and codec.missing_of([causes[0]])[0])
                    reading = (  # a column with holes in fit has a missing-value indicator
                        "read as missing, as in the training rows that lacked it" if holed
                        else "read at its training mean (with a warning)"
                    )
                    hints.append(
                        f" A parent or co-parent that was not measured can be passed as a "
                        f"column of NaN (X[{causes[0]!r}] = np.nan): it is then {reading}, "
                        "and the prediction rests on the other columns."
                    )
                raise ValueError(
                    f"X lacks the columns {missing} that the model uses (roles: "
                    f"{self._role_summary(roles, missing)}); pass a frame with those "
                    f"columns.{''.join(hints)}"
                )
            return columns_by_label(X, nodes)
        array = _numeric_array(X, ensure_min_samples=0)
        values = array[:, [columns.index(n) for n in nodes]] if nodes else array[:, :0]
        return pd.DataFrame(values, columns=pd.Index(nodes, dtype=object))

    @staticmethod
    def _role_summary(roles: MarkovBlanketRoles, nodes: list) -> str:
        parts = []
        for node in nodes:
            held = [
                name
                for name, members in (
                    ("parent", roles.parents),
                    ("co-parent", roles.coparents),
                    ("child", roles.children),
                )
                if node in members
            ]
            parts.append(f"{node!r}: {'/'.join(held)}")
        return ", ".join(parts)

    @staticmethod
    def _tensors(
        codes: np.ndarray,
        roles: MarkovBlanketRoles,
        y_index: np.ndarray | None,
        device: torch.device | None = None,
    ) -> Tensors:
        """The coded blanket as float32 tensors on ``device``, one copy per role."""
        position = {node: i for i, node in enumerate(roles.blanket)}

        def block(nodes: tuple) -> torch.Tensor:
            idx = [position[n] for n in nodes]
            return torch.as_tensor(codes[:, idx], dtype=torch.float32, device=device)

        y = None if y_index is None else torch.as_tensor(y_index, dtype=torch.long, device=device)
        return Tensors(block(roles.parents), block(roles.coparents), block(roles.children), y)

    def _prediction_tensors(self, X: Any) -> Tensors:
        return self._tensors(
            self._prediction_standardised(X), self.roles_, None, self._model_device()
        )

    def _model_device(self) -> torch.device:
        """The device prediction runs on: ``device`` resolved here, the model moved there
        if it lives elsewhere (e.g. fitted on a GPU, loaded on a CPU-only machine)."""
        device = _resolve_device(self.device, fallback=True)
        # one thread moves it while the others wait: threads serving a model just loaded
        # on a GPU machine moved it at once, and some of its weights came out wrong
        with _MOVE_LOCK:
            if next(self.model_.parameters()).device != device:
                self.model_.to(device)
        return device

    def __getstate__(self) -> dict:
        state = record_version(super().__getstate__())
        model = state.get("model_")
        if model is not None and next(model.parameters()).device.type != "cpu":
            state["model_"] = copy.deepcopy(model).cpu()
            if state.get("_clean_m_state") is not None:  # the weights adapt can restore
                state["_clean_m_state"] = {
                    k: v.cpu() for k, v in state["_clean_m_state"].items()
                }
        return state

    def __setstate__(self, state: dict) -> None:
        warn_if_pickled_by_another_version(state, type(self).__name__)
        super().__setstate__(state)

    def _fitted_on_frame(self) -> bool:
        return (
            getattr(self, "_frame_columns", None) is not None
            or hasattr(self, "feature_names_in_")  # model files written before _frame_columns
        )

    def _warn_if_positions_out_of_order(self, X: Any) -> None:
        """Warn where ``X`` is a DataFrame whose labels are the positions ``0 .. n - 1``
        of a model fitted on an array, in another order. Such a model reads a frame by
        position, as scikit-learn's do, while the graph names its nodes by the same
        integers and the manipulations and attacks read the frame by label: read by
        position, ``X[[2, 0, 1]]`` is scored as other measurements than its labels say,
        which is right only where the labels are not the positions."""
        if (isinstance(X, pd.DataFrame) and not self._fitted_on_frame()
                and _positions_out_of_order(X, self.n_features_in_)):
            warn_user(
                f"X's columns are labelled {_show(list(X.columns), 8)}: the positions "
                f"0 .. {self.n_features_in_ - 1} in another order. A model fitted on an "
                "array reads them by position, as scikit-learn's do (its graph's nodes, and "
                "the manipulations and attacks, name them by label). If the labels are the "
                "positions the model was fitted on, put them in order first: "
                "X[sorted(X.columns)]; if not, pass X.to_numpy().",
                UserWarning,
            )

    def _fit_columns(self) -> list:
        """The column labels of X in fit, in order (positions for an array)."""
        if getattr(self, "_frame_columns", None) is not None:
            return list(self._frame_columns)
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return list(range(self.n_features_in_))

    def _prediction_standardised(self, X: Any) -> np.ndarray:
        """The blanket columns of X, checked and standardised as in fit."""
        return self._standardised_given(self._prediction_frame(X))

    def _standardised_given(self, frame: pd.DataFrame) -> np.ndarray:
        """:meth:`_prediction_frame`'s ``frame`` standardised as in fit; inputs missing in
        it, or unseen in fit and so read as missing, are warned of."""
        codes = self.scaler_.transform(frame, self.handle_unknown)
        self._warn_if_inputs_missing(frame, codes)
        _warn_of_untrained_levels(self.scaler_, codes)
        read = [j for j, name in enumerate(self.scaler_.names)
                if name not in self.scaler_.missing_constant]
        empty = np.full(len(codes), bool(read))
        for j in read:  # column by column (the codes are column-major): no copy of them
            empty &= np.isnan(codes[:, j])
        if empty.any():  # an empty line of a file, or a row of identifiers only
            labels = frame.index[np.flatnonzero(empty)[:5]].tolist()
            warn_user(
                f"{int(empty.sum())} row(s) hold no value the model reads (rows {labels}"
                f"{', ...' if empty.sum() > 5 else ''}): each is predicted from the class "
                "prior at the training means, the same for every such row. Drop empty rows, "
                "or check that their columns are named as in fit.",
                UserWarning,
            )
        return codes

    def _prediction_frame(self, X: Any) -> pd.DataFrame:
        """The blanket columns of X, checked, with their values as given."""
        if isinstance(X, pd.Series):  # one row, as X.iloc[0] gives it
            raise ValueError(
                f"X is a Series ({len(X)} values), one row as X.iloc[i] gives it; "
                "pass a DataFrame of rows, even of one: X.iloc[[i]]."
            )
        if isinstance(X, pd.DataFrame) and self._fitted_on_frame():
            # Matched by label: any column order, extra columns ignored.
            check_unique_columns(X)
            columns = list(X.columns)
        else:  # matched by position
            self._warn_if_positions_out_of_order(X)
            if isinstance(X, pd.DataFrame):  # before check_array drops the names:
                # scikit-learn's warning that a model fitted without names gets some
                validate_data(self, X, reset=False, skip_check_array=True)
            X = _numeric_array(X, ensure_min_samples=0)
            validate_data(self, X, reset=False, skip_check_array=True)
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but CAMAClassifier is expecting "
                    f"{self.n_features_in_} features as input."
                )
            columns = self._fit_columns()
        return self._blanket_frame(X, self.roles_, columns)

    def _warn_if_inputs_missing(self, frame: pd.DataFrame, codes: np.ndarray) -> None:
        """Inputs missing in every row (a column not measured at a new site), or, for
        parents and co-parents, in some rows: the model reads a missing input as its
        training mean unless it was missing in training too, which is worth saying.
        Parents and co-parents are the inputs meant. (A missing child's own factor drops
        out exactly, and a child that causes others is averaged over its values in their
        likelihoods.) A single row is only said to have missing values, not to miss a
        column "in every row"."""
        inputs = list(dict.fromkeys([*self.roles_.parents, *self.roles_.coparents]))
        flagged = dict(zip(inputs, self.scaler_.missing_of(inputs), strict=True))
        # missing as given, or a value unseen in fit that handle_unknown='missing' reads
        # as missing (``codes`` are NaN there; in the scaler's column order)
        # (a column constant in fit is read as missing always, as in fit, and the model
        # ignores it: left out)
        position = {name: j for j, name in enumerate(self.scaler_.names)}
        inputs = [c for c in inputs if c not in self.scaler_.missing_constant]
        given = {c: frame[c].isna().to_numpy() for c in inputs}
        missing = {c: given[c] | np.isnan(codes[:, position[c]]) for c in inputs}
        unseen = any((missing[c] & ~given[c]).any() for c in inputs)
        # not measured at all (unseen values are measured: they count as holes below)
        blank = [c for c in inputs if not flagged[c] and given[c].all() and len(frame) > 1]
        if blank:
            warn_user(
                f"columns {blank[:10]} are missing in every row; they are causes of the "
                "label or of its children that were always measured in training, so the "
                "model reads them as their training mean. Predictions lean on that guess; "
                "measure them if you can.",
                UserWarning,
            )
        holes = {c: int(missing[c].sum()) for c in inputs if not flagged[c] and c not in blank}
        holes = {c: n for c, n in holes.items() if n}
        if holes:
            shown = ", ".join(f"{c!r} ({n} of {len(frame)} rows)"
                              for c, n in list(holes.items())[:10])
            how = (" (values unseen in fit among them, read as missing as "
                   "handle_unknown='missing' asks)" if unseen else "")
            warn_user(
                f"inputs with missing values{how}: {shown}; they are causes of the label or of "
                "its children that were always measured in training, so in those rows "
                "the model reads them as their training mean, a guess those rows' "
                "predictions lean on. Fit with rows where they are sometimes missing, and "
                "the model learns what their absence means.",
                UserWarning,
            )


# more numeric classes than this, not the codes 0 .. K-1 or 1 .. K, and y may be a
# measurement (a wrong --target): warned
_MANY_CLASSES = 20


def _numeric_array(X: Any, **options: Any) -> np.ndarray:
    """``X`` (not a frame) as a float array, missing values kept; text in it is an error
    naming the column: an array has no types per column, so it is read as numbers."""
    from scipy import sparse

    if (isinstance(X, Mapping) and not sparse.issparse(X)) or (  # a DOK matrix is a dict
        isinstance(X, (list, tuple)) and len(X) and isinstance(X[0], Mapping)
    ):  # JSON records: columns by name, which an array has not
        one_record = isinstance(X, Mapping) and not any(
            np.ndim(v) or isinstance(v, (list, tuple)) for v in X.values()
        )  # {"age": 61, ...}; {"age": [61, 58], ...} holds columns
        how = "pd.DataFrame([X])" if one_record else "pd.DataFrame(X)"
        raise TypeError(
            f"X is {'a dict' if isinstance(X, Mapping) else 'a list of dicts'} (values by "
            f"column name); pass it as a DataFrame, {how}, so that its columns are matched "
            "by name."
        )
    fields = getattr(getattr(X, "dtype", None), "names", None)
    if fields:  # a structured or record array: one element per row, its columns as fields
        raise TypeError(
            f"X is a structured (record) array with fields {list(fields)[:5]}"
            f"{' ...' if len(fields) > 5 else ''}; pass it as a DataFrame, "
            "pd.DataFrame(X), so that its fields become columns matched by name."
        )
    try:
        return check_array(
            X, dtype=[np.float64, np.float32], ensure_all_finite=False, input_name="X",
            **options,
        )
    except (TypeError, ValueError) as error:
        if isinstance(error, ValueError) and "could not convert" not in str(error):
            raise
        values = np.asarray(X, dtype=object)
        # (a 1-d array too: scikit-learn's "Expected 2D array" then says what is wrong)
        missing = pd.isna(values) if values.ndim in (1, 2) else None
        if missing is not None and missing.any():  # pd.NA or None (X.to_numpy() of Int64)
            filled = np.where(missing, np.nan, values)
            try:
                floats = filled.astype(np.float64)
            except (TypeError, ValueError):
                values = filled  # text too: named below
            else:
                return _numeric_array(floats, **options)
        elif isinstance(error, TypeError):  # an object that is no number (a dict)
            raise
        for j in range(values.shape[1] if values.ndim == 2 else 0):
            for value in values[:, j]:
                try:
                    float(value)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"column {j} of X holds text (e.g. {value!r}); an array is read as "
                        "numbers only. Pass X as a DataFrame to have text columns read as "
                        "categories, or convert the column to numbers. In a Pipeline, a "
                        "step before this one returned an array: "
                        "pipeline.set_output(transform='pandas') passes a DataFrame on."
                    ) from None
        raise


def _resolve_device(spec: str, fallback: bool = False) -> torch.device:
    """``"auto"`` -> the GPU when there is one, else the CPU; other names are checked.

    With ``fallback`` (prediction) an unavailable GPU falls back to the CPU with a
    warning; in fit it is an error.
    """
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(spec)
    except RuntimeError:
        device = None
    if device is None or device.type not in ("cpu", "cuda"):
        raise ValueError(
            f"device={spec!r} is not a device skcama runs on; use 'auto', 'cpu' or 'cuda' "
            "(or 'cuda:N')."
        )
    if device.type == "cuda" and not torch.cuda.is_available():
        if fallback:
            warn_user(
                f"device={spec!r} but PyTorch sees no CUDA GPU here; predicting on the CPU"
                + ("." if torch.version.cuda else
                   f" (this PyTorch, {torch.__version__}, is built without CUDA)."),
                UserWarning,
            )
            return torch.device("cpu")
        build = ("" if torch.version.cuda else
                 f" This PyTorch ({torch.__version__}) is built without CUDA: on a machine "
                 "with a GPU, install a CUDA build (https://pytorch.org/get-started).")
        raise ValueError(
            f"device={spec!r} but PyTorch sees no CUDA GPU on this machine; use "
            f"device='cpu' or 'auto'.{build}"
        )
    if device.type == "cuda" and device.index is not None:
        count = torch.cuda.device_count()
        if device.index >= count:
            here = f"this machine has {count} CUDA GPU{'s' if count > 1 else ''} (0"
            here += f" to {count - 1})" if count > 1 else ")"
            if not fallback:
                raise ValueError(
                    f"device={spec!r} names GPU {device.index}, but {here}; use "
                    "device='cuda' or one of those numbers."
                )
            warn_user(
                f"device={spec!r} names GPU {device.index}, but {here}; predicting on GPU "
                f"{torch.cuda.current_device()}.",
                UserWarning,
            )
            device = torch.device("cuda")
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    return device


def _forbidden_at_target(discovery_params: Any, target: Any) -> str:
    """A sentence on the edges at the target that the background knowledge forbids
    (empty without any): where discovery found none, they may be why."""
    params = discovery_params if isinstance(discovery_params, dict) else {}
    background = params.get("background")
    forbidden = background.get("forbidden", ()) if isinstance(background, dict) else ()
    at_target = [edge for edge in forbidden
                 if isinstance(edge, (tuple, list)) and target in tuple(edge)]
    if not at_target:
        return ""
    edges = "edge" if len(at_target) == 1 else "edges"
    return (f" The background knowledge forbids {len(at_target)} {edges} at the target "
            f"(e.g. {tuple(at_target[0])!r}): check that it leaves the edges it should.")


def _training_mean(
    codes: np.ndarray, kind: str, levels: int, weights: np.ndarray | None = None
) -> tuple[float, ...]:
    """What a missing value of a cause reads as, from its training ``codes`` weighted by
    the rows' ``weights`` (as the class prior is): a Gaussian column's mean in the
    standardised units the networks read (weights given; unweighted it is 0), a
    Bernoulli column's mean on the +-1 scale, a categorical one's level frequencies (see
    :class:`~skcama._model.InputCoder`)."""
    seen = ~np.isnan(codes)
    observed = codes[seen]
    weight = None if weights is None else np.asarray(weights, dtype=np.float64)[seen]
    if not len(observed) or (weight is not None and weight.sum() <= 0):
        return ()  # a column read as missing throughout: zeros
    if kind == "gaussian":
        if weight is None or np.all(weight == weight[0]):  # the mean: 0, as without
            return ()
        return (float(np.average(observed, weights=weight)),)
    counts = np.bincount(observed.astype(np.int64), weights=weight, minlength=levels)[:levels]
    shares = counts / counts.sum()
    if kind == "bernoulli":
        return (float(2.0 * shares[1] - 1.0),)
    return tuple(float(v) for v in shares)


def _warn_of_near_names(graph: nx.DiGraph, target: Any, columns: list) -> None:
    """Warn of graph nodes that are neither columns of X nor the target (nor marked
    latent) but are named nearly like a column the graph does not name, or like the
    target written otherwise ('Diagnosis', 'diagnsis'): a typo on an edge of a graph file makes a
    node of its own, which the model takes for an unmeasured variable, so the edge's
    child falls out of the blanket without an error. Unmeasured nodes named like
    columns the graph uses (x11 beside x1) are the graph's own and are not warned of;
    with every column in the graph, nothing is compared."""
    unused = {str(c).lower(): c for c in columns if c not in graph}
    measured = set(columns) | {target}
    near = []
    for node in graph.nodes:
        if node in measured or _flag_set(graph.nodes[node].get("latent")):
            continue
        if _plain_name(node) and _plain_name(node) == _plain_name(target) or (
            difflib.get_close_matches(str(node).lower(), [str(target).lower()], n=1,
                                      cutoff=0.8)
        ):  # 'Diagnosis', 'diagnsis': the target's edge lost to a node of its own
            match = target
        else:
            close = difflib.get_close_matches(str(node).lower(), list(unused), n=1,
                                              cutoff=0.8) if unused else []
            if not close:
                continue
            match = unused[close[0]]
        edges = [f"{u} -> {v}" for u, v in [*graph.in_edges(node), *graph.out_edges(node)]]
        near.append(f"{node!r} (like {'the target ' if match == target else 'the column '}"
                    f"{match!r}{'; edges ' + ', '.join(edges[:3]) if edges else ''})")
    if near:
        warn_user(
            f"graph nodes {'; '.join(near[:5])}{' ...' if len(near) > 5 else ''} are not "
            "columns of X nor the target, but are named nearly like one: the model takes "
            "them for unmeasured variables, so their edges do not reach the data. If they "
            "are those columns, name them alike in the graph.",
            UserWarning,
        )


def _antithetic_normal(n: int, dim: int, generator: torch.Generator) -> torch.Tensor:
    """``n`` standard normal draws of size ``dim`` in antithetic pairs: ``ceil(n / 2)``
    draws followed by their negations (the last one dropped when ``n`` is odd).

    The pairs balance the Monte Carlo estimate of ``p(x | y)`` around the posterior mean.
    Measured on the robustness benchmark's SEMs (3 seeds, 6 settings, against 256
    samples), 4 antithetic samples gave probabilities closer to the reference than 4
    independent ones in every setting, and about as close as 8.
    """
    half = torch.randn(((n + 1) // 2, dim), generator=generator, dtype=torch.float32)
    return torch.cat([half, -half])[:n]


_REPLAY_ROWS = 4096  # clean rows replayed once per adapt call, then resampled
_SUMMARY_ROWS = 4096  # training rows at most that fit's summary of z reads
_RECONSTRUCT_ROWS = 1024  # rows per chunk of reconstruct_clean


# elements of the decoder's buffer per prediction chunk (the target that sets the rows,
# the ceiling above which the samples are split into passes) and the most rows
_CPU_PREDICT_BUFFER = (2_000_000, 5_000_000, 65_536)
_GPU_PREDICT_BUFFER = (300_000_000, 300_000_000, 262_144)
_MOVE_LOCK = threading.Lock()  # held while a fitted model moves to its prediction device
_PRIOR_SAMPLES = 64  # importance samples at least, for the posteriors adapt_prior reads
# importance samples at least for a row missing a child that causes other children
_FEEDER_SAMPLES = 64
_PRIOR_SE_WARNING = 0.05  # adapt_prior warns above this standard error of a prevalence
_PRIOR_ROWS_PER_CLASS = 10  # adapt_prior refuses fewer rows than this per class
_EVIDENCE_ROWS = 500  # training rows whose log-likelihood fit keeps as a reference
# adapt_prior's check of each child: at most this many of the new rows, drawn from the
# model this many times in all (at most _CHECK_DRAWS per row) in chunks of _CHECK_CHUNK,
# and a child is named where its mean is off by _CHECK_SHIFT sds with |z| >= _CHECK_Z
_CHECK_ROWS = 20_000
_CHECK_SIMULATED = 40_000
_CHECK_DRAWS = 8
_CHECK_CHUNK = 8192
_CHECK_SHIFT = 0.2
_CHECK_Z = 4.0
_CHECK_MIN_ROWS = 30  # a child measured in fewer of the rows is not checked
# what adapt_prior and adapt leave on the estimator, removed by fit and reset_adaptation
_ADAPTATION_ATTRIBUTES = (
    "adapted_class_prior_", "adapted_class_prior_se_", "adapted_children_shift_",
    "adapted_children_z_", "adapt_history_",
)


def _children_through(
    graph: nx.DiGraph, roles: MarkovBlanketRoles, missing: list, columns: set
) -> dict:
    """For each unmeasured child of the target in ``missing``, its measured children that
    are not children of the target themselves: removing the child would take them out of
    the blanket (``y -> u -> x``)."""
    through = {}
    for node in missing:
        if node in roles.children:
            below = [d for d in graph.successors(node)
                     if d in columns and not graph.has_edge(roles.target, d)]
            if below:
                through[node] = sorted(below, key=str)[:3]
    return through


def _unmeasured_advice(
    graph: nx.DiGraph, roles: MarkovBlanketRoles, missing: list, through: dict
) -> str:
    """What to do with blanket nodes that have no column, if they were never measured:
    remove them, except a child with measured children of its own (``through``, from
    :func:`_children_through`), whose removal would take those out of the blanket
    (``y -> u -> x``: draw ``y -> x`` first)."""
    latent = [n for n in missing if _flag_set(graph.nodes[n].get("latent"))]
    marked = (f" The graph marks {latent} latent (unmeasured): CAMA needs a column for "
              "every node of the blanket." if latent else "")
    if through:
        node, below = next(iter(through.items()))
        return (
            f"{marked} If a node was never measured, redraw the graph without it; where "
            f"it is a child that leads to measured nodes ({node!r} -> {below}), removing "
            f"it alone would take those out of the blanket: connect the target to them "
            f"directly ({roles.target!r} -> {below[0]!r}) and then remove it. The model's "
            "latent causes stand for unmeasured causes of the children."
        )
    return (f"{marked} A node that was never measured can be removed from the graph (the "
            "model's latent causes stand for unmeasured causes of the children; an "
            "unmeasured parent of the target is left out of its prior).")


def _mean_gap(values: np.ndarray, drawn: np.ndarray) -> tuple[float, float]:
    """How far the mean of ``values`` (n,) lies from that of ``drawn`` (draws, n), values
    the model drew for the same rows: in sds of the drawn values, and as a z-score of the
    rows' differences (each row's value minus its mean draw). NaN where either spread
    is 0."""
    gap = values - drawn.mean(axis=0)
    spread, error = float(drawn.std()), float(gap.std(ddof=1)) / np.sqrt(len(gap))
    mean = float(gap.mean())
    return (mean / spread if spread > 0 else np.nan, mean / error if error > 0 else np.nan)


def _as_dtype_of(column: pd.Series, dtype: Any) -> pd.Series:
    """``column`` (a reconstruction) in the input's ``dtype`` where that loses nothing:
    the same values, and no missing value put where the dtype has no room for one."""
    if column.dtype == dtype:
        return column
    if column.isna().any() and isinstance(dtype, np.dtype) and dtype.kind in "biu":
        return column  # numpy's bool and integers have no missing value
    try:
        cast = column.astype(dtype)
    except (TypeError, ValueError):
        return column
    same = cast.isna().eq(column.isna()).all() and (
        cast[cast.notna()].astype(object).eq(column[column.notna()].astype(object)).all()
    )
    return cast if same else column


def _prevalence_se(post: np.ndarray, prior: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Standard errors of the prevalence :meth:`CAMAClassifier.adapt_prior` estimated.

    The rows' log-likelihood in the class weights ``w`` is, up to a constant,
    ``sum_i log(post_i . w) - log(prior_i . w)``, with ``post`` the model's posteriors and
    ``prior`` its p(y | a) (both (n, K), under the training prior). Its score in ``w``
    (the class of the largest weight fixed) is finite also where a weight is 0, as for a
    class absent from the rows (in ``log w`` it would vanish there). The information is
    estimated by the sum of the scores' outer products. The prevalence, the mean adapted
    prior over the rows, varies with the weights and, where the target has parents, with
    which parents the rows happened to have: each row's influence is its share of the
    weights' error (the delta method) plus its adapted prior less their mean, and the
    variance is the sum of the squared influences (the delta method with the spread of
    the adapted priors; it assumes the model, so it is not robust to its misfit). On
    ``SyntheticSEM`` seeds 0 and 3 (three parents; exact posteriors, 300 replicates of
    600 and 900 rows at new prevalences) the weights' term alone covered a 95% interval
    in 90.7-94.7% of the replicates, both terms in 93.7-96%. A direction of the weights
    that no row informs (its rows read alike under the classes it moves) gives an
    infinite error to the classes whose share it moves. Returns (K,).
    """
    reference = int(np.argmax(weights))
    free = np.arange(len(weights)) != reference
    scale = prior / (prior @ weights)[:, None]  # d q_ik / d w_j = scale_ij (1[k=j] - q_ik)
    score = (post / (post @ weights)[:, None] - scale)[:, free]
    q = prior * weights
    q /= q.sum(axis=1, keepdims=True)
    # d prevalence_k / d w_j = mean_i scale_ij (1[k=j] - q_ik)
    jacobian = (np.diag(scale.sum(axis=0)) - q.T @ scale)[:, free] / len(q)
    values, vectors = np.linalg.eigh(score.T @ score)
    # float32 posteriors leave a score of about 1e-6 on rows that carry no evidence; a
    # row that does carries a score of a few hundredths at the least
    informed = values > 1e-8 * len(q)
    projected = jacobian @ vectors  # each class's share along each direction
    # each row's influence on the prevalence through the weights, J H^+ s_i (n, K), whose
    # squares sum to J H^+ J^T, the delta method's variance
    through_weights = (score @ vectors[:, informed] / values[informed]) @ projected[:, informed].T
    influence = through_weights + (q - q.mean(axis=0)) / len(q)
    variance = (influence**2).sum(axis=0)
    blind = (np.abs(projected[:, ~informed]) > 1e-6).any(axis=1)
    return np.where(blind, np.inf, np.sqrt(variance))


def _predict_batch(clf: CAMAClassifier, n_samples: int | None = None) -> tuple[int, int]:
    """Rows per prediction chunk, and Monte Carlo samples evaluated at a time, for
    ``n_samples`` samples (default: the estimator's ``n_samples``).

    On the CPU the (rows x classes x samples x children x hidden) buffer is sized for
    about 8 MB (2M elements), where the measured throughput peaked: the buffer is read and
    written several times per chunk, and 8 MB stays in a server's last-level cache beside
    the weights. A chunk has at least 64 rows. Where 64 rows with every sample exceed the
    target (many samples and many children), one pass over all samples is still faster than
    several up to 20 MB (5M elements); beyond that the samples are evaluated in passes of
    equal size. ``benchmarks/predict_chunks.py`` measures this (2 cores, 32 MB L3): at the
    default 4 samples, in seven runs, 1.06 to 1.41 times the rows per second of the 20 MB
    chunks used before with 12 children, 0.92 to 1.32 times with 60 (slower only at busy
    hours, when other work shares the cache). Larger buffers lose: those above glibc's
    32 MB ceiling for reusing freed heap memory are mapped fresh from the OS on every call
    (40 MB ran at 38-56% of the speed, page faults included). On a GPU the budget is as
    large as memory comfortably allows. A categorical child counts once per level (its
    hidden units are read for each of its outputs). The numbers depend on the model and the device
    only, so rows always meet the same kernel shapes.
    """
    cfg = clf.model_.cfg
    n_samples = clf.n_samples if n_samples is None else n_samples
    # the buffer holds a child's hidden units once per output it reads them for: a
    # categorical child of L levels L times (a child of 400 levels asked a GPU for 282 GB)
    units = cfg.n_children
    if clf.model_.has_children and not clf.model_.decoder.single_output:
        units = len(clf.model_.decoder.out_child)
    per_sample = len(clf.classes_) * max(units * cfg.child_hidden_size, 1)
    on_gpu = next(clf.model_.parameters()).device.type == "cuda"
    target, ceiling, most_rows = _GPU_PREDICT_BUFFER if on_gpu else _CPU_PREDICT_BUFFER
    rows = int(np.clip(target // (per_sample * n_samples), 64, most_rows))
    largest = int(np.clip(ceiling // (per_sample * rows), 1, n_samples))
    passes = -(-n_samples // largest)
    return rows, -(-n_samples // passes)  # passes of equal size, not 54 then 10


def _scaled_weights(weights: np.ndarray | None) -> np.ndarray | None:
    """Row weights scaled to mean 1, or None when there are none or all are equal (the
    unweighted fit, exactly)."""
    if weights is None:
        return None
    weights = weights / weights.max()  # first: the mean of huge weights overflows
    weights = weights / weights.mean()
    return None if np.all(weights == weights[0]) else weights


def _class_weight_values(
    class_weight: dict | str, classes: np.ndarray, y_index: np.ndarray,
    weights: np.ndarray | None, left_out: Any = (),
) -> np.ndarray:
    """The weight of each class, in the order of ``classes``: ``"balanced"`` gives every
    class the same total weight (of ``weights``, or of rows when None); a mapping names
    classes by label, checked: known classes, finite positive numbers. ``left_out``:
    labels of rows that a weight of 0 left out, named in the error for such a class."""
    n_classes = len(classes)
    if isinstance(class_weight, str):  # "balanced" (the only string the constraints let in)
        mass = np.bincount(y_index, weights=weights, minlength=n_classes)
        return mass.sum() / (n_classes * mass)
    position = {label: i for i, label in enumerate(classes.tolist())}
    values = np.ones(n_classes)
    for label, value in class_weight.items():
        if label not in position:
            if any(label == other for other in pd.unique(np.asarray(left_out, dtype=object))):
                raise ValueError(
                    f"class_weight names the class {label!r}, but every row of that class "
                    "has sample_weight 0, so it is not a class of this fit; leave it out of "
                    "class_weight or give its rows a positive weight."
                )
            raise ValueError(
                f"class_weight names the class {label!r}, which is not a class of y; the "
                f"classes are {classes.tolist()!r}. Use those labels as keys (a label "
                "written as text does not match the number, nor the number the text)."
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = np.nan
        if not (np.isfinite(number) and number > 0):
            raise ValueError(
                f"class_weight of class {label!r} is {value!r}; class weights must be "
                "finite positive numbers (to leave a class out, drop its rows)."
            )
        values[position[label]] = number
    return values


def _refuse_labels(y: Any, method: str) -> None:
    """``adapt`` and ``adapt_prior`` learn from unlabelled rows: labels passed to them
    (``adapt(X, y)``, which was Python's TypeError on the argument count) are refused
    with where labelled rows go."""
    if y is None:
        return
    raise TypeError(
        f"{method} learns from unlabelled rows and takes no y. Clean labelled rows to "
        f"anchor it go in reference=(X_ref, y_ref) (adapt); labelled rows of the new "
        "setting go in fit(X, y, manipulated=mask), which trains on them; to score the "
        "adapted model against labels, call score(X, y) after adapting."
    )


def _fit_labels_shape(y: Any, X: Any) -> Any:
    """fit's ``y`` checked for its shape before scikit-learn's conversion, whose messages
    name no fix: a column's name passed as y, a frame of several columns. A list mixing
    numbers and text becomes an object array, so that the mix is refused as it is for
    one (as a list, numpy made every label text: 1 came back '1')."""
    if isinstance(y, (str, bytes)) or np.isscalar(y):
        # fit(X, "diagnosis") (np.ndim would call the array function of an array-like)
        named = isinstance(X, pd.DataFrame) and isinstance(y, Hashable) and y in X.columns
        hint = (f" {y!r} is a column of X: pass fit(X.drop(columns=[{y!r}]), X[{y!r}])."
                if named else "")
        raise ValueError(_not_labels(y, len(X), "y") + hint)
    shape = getattr(y, "shape", None)
    if shape is None:  # a list, or an array-like that only converts
        shape = np.asarray(y, dtype=object).shape if isinstance(y, (list, tuple)) else (0,)
    if len(shape) > 2 or (len(shape) == 2 and shape[1] != 1):
        raise ValueError(_not_one_column(shape, "y", y))
    if isinstance(y, (list, tuple)) and len({isinstance(v, str) for v in y}) > 1:
        return np.asarray(y, dtype=object)
    return y


def _one_column(values: Any, name: str) -> np.ndarray:
    """``values`` (one per row, or a single column) as a 1-d array; another shape is an
    error naming ``name``. (``column_or_1d``'s own ``input_name`` needs scikit-learn 1.8,
    which needs Python 3.11.)"""
    shape = np.shape(values)
    if len(shape) != 1 and not (len(shape) == 2 and shape[1] == 1):
        raise ValueError(_not_one_column(shape, name, values))
    return column_or_1d(values)


def _not_labels(values: Any, n_rows: int, name: str) -> str:
    """The message for labels that are one value (a column's name), not one per row."""
    return (f"{name} must hold one label per row ({n_rows} rows), got {values!r}; pass the "
            "labels of those rows.")


def _not_one_column(shape: tuple, name: str, values: Any) -> str:
    """The message for labels of another ``shape`` than one per row; a frame's columns
    are named, one of which is likely meant."""
    which = (f" (columns {list(values.columns)[:5]}: pass one of them, e.g. "
             f"{name}[{values.columns[0]!r}])" if isinstance(values, pd.DataFrame) else "")
    return (f"{name} must hold one label per row, as a 1-d array or a single column; got "
            f"an array of shape {shape}{which}.")


def _manipulated_mask(manipulated: Any, n_rows: int, rows: Any = None) -> np.ndarray:
    """The ``manipulated`` argument of fit as a bool array (all False when None); a
    missing flag is named by ``rows`` (index labels, see :func:`row_labels`) where given,
    else by position."""
    if manipulated is None:
        return np.zeros(n_rows, dtype=bool)
    if np.ndim(manipulated) != 1:
        raise ValueError(
            f"manipulated must be a 1-d array of one flag per row, got shape "
            f"{np.shape(manipulated)}; pass e.g. a boolean Series aligned with X."
        )
    mask = column_or_1d(manipulated)  # 1-d, checked above
    if len(mask) != n_rows:
        raise ValueError(
            f"manipulated has {len(mask)} entries but X has {n_rows} rows; pass one flag per row."
        )
    n_missing, named = missing_rows(mask, rows)
    if n_missing:
        raise ValueError(
            f"manipulated has {n_missing} missing flags (rows {named}); every row needs "
            "True or False."
        )
    if mask.dtype != bool:
        if not np.isin(mask, [0, 1]).all():
            raise ValueError(
                "manipulated must hold booleans (or 0/1), one per row; got values "
                f"{sorted(set(mask.tolist()) - {0, 1}, key=str)[:5]}."
            )
        mask = mask.astype(bool)
    return mask


_COPY_MIN_ROWS = 20  # fewer rows can match the labels by chance
_COPY_PROBE_ROWS = 1000  # a copy of the label holds no more values than classes in these


def _zero_one(column: pd.Series) -> np.ndarray | None:
    """A numeric or boolean column's values as floats (NaN where missing) when every
    observed one is 0 or 1, else None; a column that fails in its first rows is not
    converted whole."""
    if not (pd.api.types.is_bool_dtype(column.dtype)
            or pd.api.types.is_numeric_dtype(column.dtype)):
        return None
    for part in (column.iloc[:1000], column):
        values = part.to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.isin(values[~np.isnan(values)], (0.0, 1.0)).all():
            return None
    return values


def _warn_if_children_unmeasured_in_a_class(
    codec: ColumnCodec,
    codes: np.ndarray,
    children: Sequence,
    y_index: np.ndarray,
    classes: np.ndarray,
) -> None:
    """Warn, once for all, of children measured in fewer than ``_SPARSE_ROWS`` training
    rows of a class that has at least that many rows: a child's mechanism under a class is
    learned from the rows of that class where it was measured, so with none or a handful
    (a test ordered only where a diagnosis was suspected) its likelihood under that class
    is a guess, and predictions of rows where it is measured read that guess. Without
    this warning a table whose child was measured in no row of one of two classes gave
    0.20 to 0.55 accuracy where the same table measured throughout gave 0.85 to 0.88,
    with nothing said. Columns constant in fit (read as missing) are left out."""
    counts = np.bincount(y_index, minlength=len(classes))
    large = counts >= _SPARSE_ROWS  # a small class is short of every child alike
    if not large.any():
        return
    named = []
    for name, measured in _measured_by_class(codec, codes, children, y_index, len(classes)):
        short = np.flatnonzero(large & (measured < _SPARSE_ROWS))
        named += [(name, classes.tolist()[k], int(measured[k]), int(counts[k])) for k in short]
    if not named:
        return
    shown = ", ".join(f"{name!r} in {m} of the {n} rows of class {label!r}"
                      for name, label, m, n in named[:5])
    warn_user(
        f"children measured in few rows of a class ({shown}{', ...' if len(named) > 5 else ''}"
        "): a child's mechanism under a class is learned from the rows of that class where "
        "it was measured, so here it is a guess, and a prediction that reads such a child "
        "can be far off (worse than chance where a class never had it measured). A missing "
        "value that depends on the label (a test ordered only where a diagnosis was "
        "suspected) is not the random gap the model treats it as. Leave such columns out, "
        "or fit with rows of that class where they were measured.",
        UserWarning,
    )


def _measured_by_class(
    codec: ColumnCodec, codes: np.ndarray, names: Sequence, y_index: np.ndarray,
    n_classes: int,
) -> Iterator[tuple[Any, np.ndarray]]:
    """``(name, rows of each class where it is measured)`` for those of ``names`` missing
    in some training row; columns constant in fit (read as missing) are left out."""
    position = {name: j for j, name in enumerate(codec.names)}
    for name in names:
        if name in codec.missing_constant:
            continue
        observed = ~np.isnan(codes[:, position[name]])
        if not observed.all():
            yield name, np.bincount(y_index[observed], minlength=n_classes)


_MISSING_GAP = 0.8  # a gap between classes in an input's missing share that tells the class


def _warn_if_inputs_missing_by_class(
    codec: ColumnCodec,
    codes: np.ndarray,
    inputs: Sequence,
    y_index: np.ndarray,
    classes: np.ndarray,
) -> None:
    """Warn, once for all, of parents and co-parents whose missing values tell the class:
    missing in a share of one class's rows at least :data:`_MISSING_GAP` above another
    class's (classes of at least ``_SPARSE_ROWS`` rows). The networks read such a column's
    missing-value indicator as evidence of the class, which holds only where values go
    missing as they did in the training rows: with a parent missing in every row of one
    of two classes and in none of the other, a row of that class scored 0.98 for it with
    the parent missing and 0.13 with it measured (a model fitted without the holes: 0.51),
    with nothing said."""
    counts = np.bincount(y_index, minlength=len(classes))
    large = counts >= _SPARSE_ROWS
    if large.sum() < 2:
        return
    named = []
    for name, measured in _measured_by_class(codec, codes, inputs, y_index, len(classes)):
        share = (counts - measured)[large] / counts[large]  # missing, per class
        high, low = int(np.argmax(share)), int(np.argmin(share))
        if share[high] - share[low] >= _MISSING_GAP:
            labels = classes[large].tolist()
            named.append(f"{name!r} missing in {share[high]:.0%} of the rows of class "
                         f"{labels[high]!r}, {share[low]:.0%} of class {labels[low]!r}")
    if named:
        warn_user(
            f"the missing values of parents or co-parents tell the class ({'; '.join(named[:5])}"
            f"{'; ...' if len(named) > 5 else ''}): the model learns a missing value there as "
            "evidence of the class, which holds only where values go missing as they did "
            "in these rows (a test ordered only where a diagnosis was suspected). Where "
            "they go missing otherwise, leave such columns out, or fit with rows where "
            "their gaps do not depend on the label.",
            UserWarning,
        )


def _warn_if_two_valued_children(
    frame: pd.DataFrame, codec: ColumnCodec, children: Sequence, declared: Mapping | None
) -> None:
    """Warn, once for all, of children that ``codec`` read as Gaussian measurements on its
    own (not declared so) while they hold two distinct values: a yes / no indicator
    scaled by a StandardScaler looks so, and its kind then follows its prevalence (two
    whole numbers +-1 at exactly 50 % read as levels, any other share as a measurement),
    so that its likelihood could change from one fold of a cross-validation to the next.
    The message names the columns only, the same in every fold. (Parents and co-parents
    are conditioned on, not modelled: their scaling changes no likelihood.) The first
    1,000 values settle most columns."""
    declared = declared or {}
    named = []
    for name, kind in zip(children, codec.kinds_of(list(children)), strict=True):
        column = frame[name]
        if (kind != "gaussian" or name in declared or name in codec.missing_constant
                or not pd.api.types.is_float_dtype(column.dtype)):
            # two whole numbers read as levels already; an integer column likewise; a
            # column that varies in one row only is read as missing (warned of as such)
            continue
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        values = values[~np.isnan(values)]
        if len(values) < _TWO_VALUES_MIN_ROWS or len(np.unique(values[:1000])) != 2:
            continue
        low, high = float(values.min()), float(values.max())
        if ((values == low) | (values == high)).all():
            named.append(name)
    if named:
        warn_user(
            f"columns {named[:10]} are read as continuous (Gaussian) measurements but hold "
            "two values each. A yes / no indicator scaled by a StandardScaler (or similar) "
            "reads so, and its kind then depends on its prevalence, fold by fold: pass such "
            "columns unscaled (CAMAClassifier standardises continuous columns itself, and "
            "reads 0 / 1 as binary), or declare them, column_types={"
            + repr(named[0]) + ": 'bernoulli'} (or 'gaussian' for a measurement that takes "
            "two values).",
            UserWarning,
        )


_TWO_VALUES_MIN_ROWS = 20  # fewer rows hold two values by chance (a coarse measurement)


def _warn_if_one_hot_children(frame: pd.DataFrame) -> None:
    """With ``graph=None`` every column is a child of the target; warn of columns that
    look like the dummies of one variable (named ``<name>_<level>``, 0 / 1, never two of
    them 1 in a row where independent columns would have met often): each would be a
    child of its own and count the variable's evidence once more, which makes the
    probabilities overconfident. A level may hold underscores itself
    (``smoking_ex_smoker``), so every prefix that ends before an underscore is tried, the
    largest group first. Columns are read one at a time (a wide frame of a million rows
    is never copied whole)."""
    groups: dict = {}
    for j, column in enumerate(frame.columns):
        text = str(column).rpartition("__")[2]  # after a ColumnTransformer step's prefix
        for cut in [k for k, char in enumerate(text) if char == "_" and k > 0]:
            groups.setdefault(text[:cut], []).append(j)
    if not any(len(positions) > 1 for positions in groups.values()):
        return
    binary = {j for positions in groups.values() if len(positions) > 1 for j in positions
              if _zero_one(frame.iloc[:, j]) is not None}
    warned: set = set()
    for stem, positions in sorted(groups.items(), key=lambda item: -len(item[1])):
        if len(positions) < 2 or set(positions) <= warned or not set(positions) <= binary:
            continue
        ones_per_row = np.zeros(len(frame), dtype=np.int32)
        shares = []
        for j in positions:
            values = _zero_one(frame.iloc[:, j])
            ones_per_row += values == 1.0
            observed = values[~np.isnan(values)]
            shares.append(observed.mean() if len(observed) else 0.0)
        # never two in a row, where independent flags would have met in 10 rows or more
        # (e^-10 to see none by chance): rare flags that never met are no encoding
        share = np.asarray(shares)
        met = len(frame) * (share.sum() ** 2 - (share**2).sum()) / 2
        if ones_per_row.max() == 1 and met >= 10:
            warned |= set(positions)
            names = [frame.columns[j] for j in positions]
            warn_user(
                f"columns {_show(names)} look like a one-hot encoding of {stem!r} (0 / 1, "
                "never two of them 1 in a row). With graph=None each is a child of the "
                "target of its own, so the evidence of one variable is counted several "
                f"times and the probabilities come out overconfident: pass {stem!r} as one "
                "column (CAMAClassifier codes text and category columns itself), or give "
                "a graph.",
                UserWarning,
            )


def _weighed_out(left_out: Any, classes: np.ndarray) -> list:
    """The labels whose every row has sample_weight 0 (not missing labels)."""
    known = set(classes.tolist())
    return sorted((label for label in pd.unique(np.asarray(left_out, dtype=object))
                   if not pd.isna(label) and label not in known), key=str)


def _weighed_out_note(left_out: Any, classes: np.ndarray) -> str:
    """For the single-class error: the classes sample_weight 0 removed, if any."""
    gone = _weighed_out(left_out, classes)
    return (f" The rows of {gone!r} all have sample_weight 0, which leaves them out; give "
            "some of them a positive weight." if gone else "")


def _warn_if_classes_weighed_out(left_out: Any, classes: np.ndarray) -> None:
    """Warn of the labels whose every row has sample_weight 0: they are not classes of the
    fit, so ``classes_`` and the columns of ``predict_proba`` leave them out, where a
    scikit-learn estimator takes its classes from ``y`` whatever the weights."""
    gone = _weighed_out(left_out, classes)
    if gone:
        warn_user(
            f"every row of the class(es) {gone!r} has sample_weight 0, so they are not "
            f"classes of this fit: classes_ is {classes.tolist()!r} and predict_proba has "
            "no column for them (cross_val_predict then gives them probability 0, and "
            "scorers that expect every label refuse the fold). Give some of their rows a "
            "positive weight to keep them.",
            UserWarning,
        )


def _report_numbers_as_levels(
    codec: ColumnCodec, frame: pd.DataFrame, declared: Mapping | None, verbose: int
) -> None:
    """Name, with ``verbose`` (or at DEBUG), the numeric columns read as categorical
    because they hold few distinct whole numbers: right for a score or a code, wrong for a
    rounded measurement, which ``column_types`` then declares Gaussian."""
    read = [
        f"{name!r} ({len(levels)} levels)"
        for j, (name, kind, levels) in enumerate(
            zip(codec.names, codec.kinds, codec.categories, strict=True)
        )
        if kind == "categorical" and name not in (declared or {})
        and pd.api.types.is_numeric_dtype(frame.iloc[:, j].dtype)
    ]
    if read:
        report(
            verbose,
            "fit: numeric columns read as categorical, each holding at most %d distinct "
            "whole numbers: %s; a rounded measurement among them is better declared with "
            "column_types={name: 'gaussian'}",
            MAX_INTEGER_LEVELS, ", ".join(read),
        )


def _warn_of_label_copies(
    codec: ColumnCodec, codes: np.ndarray, y_index: np.ndarray, n_classes: int,
    in_graph: bool,
) -> None:
    """Warn of a blanket column that is the label itself: observed in every row, and
    one-to-one with the class in every row (a copy of the label left in X, under its name
    or another, in any coding), from which the model would read the answer. A warning,
    not an error: a measurement can be as informative (scikit-learn's own checks fit such
    data). Only a column with as many distinct values as there are classes can be such a
    copy, whatever its kind: a code read as a number (of more than 10 classes, or not a
    whole number) or a category with a declared level no row holds too. Its first rows
    tell most columns apart, so a table without one costs little. ``in_graph``: the graph
    was given, and names the column."""
    if len(y_index) < _COPY_MIN_ROWS:
        return
    for j, name in enumerate(codec.names):
        column = codes[:, j]
        head = np.unique(column[:_COPY_PROBE_ROWS])
        if len(head) > n_classes or np.isnan(head).any() or np.isnan(column).any():
            continue
        values, inverse = np.unique(column, return_inverse=True)
        if len(values) != n_classes:
            continue
        if len(np.unique(inverse.ravel() * n_classes + y_index)) != n_classes:
            continue
        fix = ("drop it from X and the graph" if in_graph
               else f"drop it from X (X.drop(columns=[{name!r}]))")
        warn_user(
            f"column {name!r} holds the labels themselves: in all {len(y_index)} rows its "
            "value matches the class one-to-one, as a copy of the label left in X does, and "
            f"the model would read the answer from it. If it is such a copy, {fix}.",
            UserWarning,
        )


def _replay_summary(
    codes: np.ndarray, roles: MarkovBlanketRoles, codec: ColumnCodec,
    weights: np.ndarray | None = None,
) -> dict:
    """Mean and Cholesky factor of the covariance of the coded parents and co-parents
    (missing values count as the column mean), weighted by the rows' ``weights`` when
    given: what replay needs to draw plausible conditioning values. ``levels`` marks
    discrete columns; ``cumulative`` holds, for each, the cumulative training frequencies
    of its codes (missing values left out; ``None`` for a Gaussian column), through which
    replay maps the Gaussian draw to a level (a Gaussian copula)."""
    nodes = list(dict.fromkeys([*roles.parents, *roles.coparents]))
    position = {node: i for i, node in enumerate(roles.blanket)}
    values = codes[:, [position[n] for n in nodes]]
    if not nodes:
        return {"nodes": [], "mean": np.zeros(0), "cholesky": np.zeros((0, 0)), "levels": [],
                "cumulative": []}
    if weights is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nan_to_num(np.nanmean(values, axis=0))
    else:
        seen = ~np.isnan(values) * weights[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nan_to_num(np.nansum(values * weights[:, None], axis=0) / seen.sum(0))
    levels = list(codec.levels_of(nodes))  # 1 for a Gaussian column
    cumulative = [
        None if count <= 1 else _cumulative_frequencies(values[:, j], count, weights)
        for j, count in enumerate(levels)
    ]
    values = np.where(np.isnan(values), mean, values)
    if len(values) < 2:
        cov = np.eye(len(nodes))
    elif weights is None:
        cov = np.atleast_2d(np.cov(values, rowvar=False))
    else:  # weights of mean 1 and the count's n - 1, as _latent_summary (and np.cov alike)
        centred = values - mean
        cov = (centred * weights[:, None]).T @ centred / (len(values) - 1)
    cov = cov + 1e-6 * np.eye(len(nodes))
    return {"nodes": nodes, "mean": mean, "cholesky": np.linalg.cholesky(cov),
            "levels": levels, "cumulative": cumulative}


def _cumulative_frequencies(
    codes: np.ndarray, count: int, weights: np.ndarray | None
) -> np.ndarray | None:
    """Cumulative (weighted) frequencies of the codes ``0 .. count - 1`` of one discrete
    column, missing values left out; the last seen code ends exactly at 1, so a level
    never seen after it cannot be drawn. ``None`` when no row has a value."""
    seen = ~np.isnan(codes)
    frequency = np.bincount(
        codes[seen].astype(np.int64), minlength=count,
        weights=None if weights is None else weights[seen],
    ).astype(np.float64)[:count]
    total = np.cumsum(frequency)
    if total[-1] <= 0:
        return None
    return total / total[-1]


def _replayed_values(centred: torch.Tensor, summary: dict) -> torch.Tensor:
    """Coded parents and co-parents (float32) from ``centred``, a float64 draw of the
    centred Gaussian of ``summary`` (:func:`_replay_summary`). A discrete column takes the
    level whose interval of its cumulative training frequencies holds the normal CDF of its
    own standardised draw: a Gaussian copula, so levels keep their training frequencies
    (a level never seen has an interval of zero width: it is never drawn) and the columns
    keep their dependence. Summaries without ``cumulative`` (models saved before it was
    kept) round the draw to the nearest valid code instead."""
    device = centred.device
    values = centred + torch.as_tensor(summary["mean"], device=device)
    levels = summary["levels"]
    cumulative = summary.get("cumulative") or [None] * len(levels)
    spread = torch.as_tensor(summary["cholesky"], device=device).square().sum(1).sqrt()
    for j, (count, bounds) in enumerate(zip(levels, cumulative, strict=True)):
        if count > 1 and bounds is not None:
            # strictly below 1, where the last level ever seen ends exactly
            uniform = torch.special.ndtr(centred[:, j] / spread[j]).clamp(max=1.0 - 2.0**-53)
            bounds = torch.as_tensor(bounds, dtype=torch.float64, device=device)
            level = torch.searchsorted(bounds, uniform, right=True).clamp(max=count - 1)
            values[:, j] = level.double()
    values = values.float()
    rounded = [count > 1 and bounds is None
               for count, bounds in zip(levels, cumulative, strict=True)]
    if any(rounded):
        rounded = torch.as_tensor(rounded, device=device)
        top = torch.as_tensor(levels, dtype=torch.float32, device=device)[rounded] - 1
        values[:, rounded] = torch.minimum(values[:, rounded].round().clamp(min=0.0), top)
    return values


def _latent_summary(model: CAMANet, data: Tensors, chunk: int = 65_536) -> dict | None:
    """Mean and Cholesky factor of the aggregate posterior of z over the training rows
    (a summary, not rows), so replayed rows look like real clean rows rather than like
    draws from the prior. Streams over the rows: memory grows with ``chunk`` only.

    At most :data:`_SUMMARY_ROWS` evenly spaced rows are read, as many as one adapt call
    replays: from them the mean of z has a standard error under 2% of the spread that
    replay draws with, where an encoder pass over every row took 0.4 s at 1M rows x 20
    features (5 ms of a 150 ms fit at 10,000)."""
    if not model.has_children or len(data) == 0:
        return None
    if len(data) > _SUMMARY_ROWS:
        data = data.rows(slice(0, len(data), -(-len(data) // _SUMMARY_ROWS)))
        if data.weight is not None:  # mean 1 over the rows read, as over the fit
            data.weight = data.weight / data.weight.mean()
    dim = model.cfg.latent_dim
    total = torch.zeros(dim, dtype=torch.float64)
    outer = torch.zeros(dim, dim, dtype=torch.float64)
    variance = torch.zeros(dim, dtype=torch.float64)
    with torch.no_grad():
        for start in range(0, len(data), chunk):
            part = data.rows(slice(start, start + chunk))
            mean, logvar = model.latent_posterior(part.a, part.c, part.x, part.y)
            mean, var = mean.double().cpu(), logvar.double().exp().cpu()
            if part.weight is None:
                total += mean.sum(0)
                outer += mean.T @ mean
                variance += var.sum(0)
            else:  # weights have mean 1 over the fit: n stays the count of rows
                w = part.weight.double().cpu()[:, None]
                total += (w * mean).sum(0)
                outer += (w * mean).T @ mean
                variance += (w * var).sum(0)
    n = len(data)
    centre = total / n
    spread = torch.diag(variance / n)
    if n > 1:
        spread = spread + (outer - n * torch.outer(centre, centre)) / (n - 1)
    spread = spread + 1e-6 * torch.eye(dim, dtype=torch.float64)
    return {"mean": centre.numpy(), "cholesky": torch.linalg.cholesky(spread).numpy()}


# the hyperparameters that prediction, adaptation and the other methods of a fitted model
# read (the others shape the fit alone)
_READ_AFTER_FIT = (
    "n_samples", "clean_prior", "adapt_alpha", "adapt_steps", "adapt_learning_rate",
    "adapt_mechanism_rate", "batch_size", "manipulation_model", "handle_unknown", "device",
)


_MIN_HELD_OUT = 5  # held-out rows early stopping needs (the default's at 50 rows)


def _prevalence_text(classes: np.ndarray, prevalence: np.ndarray) -> str:
    """``"'a': 0.30, 'b': 0.70"``: each class's share, for messages (up to 10 classes)."""
    shown = ", ".join(f"{_plain(c)!r}: {p:.2f}"
                      for c, p in list(zip(classes, prevalence, strict=True))[:10])
    return shown + (", ..." if len(classes) > 10 else "")


def _adapt_steps(steps: int | str, n_rows: int, batch_size: int) -> int:
    """Gradient steps of one adapt call: ``steps`` itself, or for ``"auto"`` 600 when the
    new rows fill more than one batch and 300 when every step sees all of them (more
    steps then fit the noise of the few rows; see the ``adapt_steps`` parameter)."""
    if steps != "auto":
        return int(steps)
    return 600 if n_rows > batch_size else 300


def _label_codes(classes: np.ndarray) -> bool:
    """Whether numeric ``classes`` are the codes of labels, 0 .. K-1 or 1 .. K in full
    (LabelEncoder's, or a factorised column's), not the values of a measurement."""
    first = classes[0]
    return bool(first in (0, 1) and np.array_equal(classes, np.arange(len(classes)) + first))


def _probe_elbo(model: CAMANet, rows: Tensors, loss_fn) -> float:
    """The mean bound of ``rows`` with fixed noise (the check of a fit without held-out
    rows), in evaluation mode."""
    model.eval()
    return evaluate_elbo(model, rows, 0, loss_fn)


def _resampler(data: Tensors):
    """Draws reference rows uniformly with replacement from real labelled rows."""

    def draw(n: int, generator: torch.Generator) -> Tensors:
        index = torch.randint(0, len(data), (n,), generator=generator, device=generator.device)
        return data.rows(index)

    return draw


def _manipulation_state(model: CAMANet) -> dict[int, torch.Tensor]:
    return {i: p.detach().clone() for i, p in enumerate(model.manipulation_parameters())}


def _load_manipulation_state(model: CAMANet, state: dict[int, torch.Tensor]) -> None:
    with torch.no_grad():
        for i, p in enumerate(model.manipulation_parameters()):
            p.copy_(state[i])
