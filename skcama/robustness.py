"""Accuracy of fitted classifiers under a manipulation of growing strength.

:func:`robustness_curve` evaluates any set of fitted estimators (CAMA, the baselines of
:mod:`skcama.baselines`, any scikit-learn classifier) on manipulated copies of a test set
and returns a tidy table; :func:`plot_robustness` draws the paper-style figure of
accuracy against strength.
"""

from __future__ import annotations

import copy
import functools
import logging
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError

from ._columns import (
    UnseenValueError,
    _plain,
    _show,
    same_text_other_type,
    warn_if_misaligned,
)
from ._frames import reads_tables
from ._typing import TableLike, VectorLike
from ._warn import each_warning_once, warn_user
from .attacks import (
    ATTACKS,
    _check_fitted,
    _check_labels,
    _check_not_an_inner_step,
    _differentiable,
    _is_cama,
    _options_of,
    _pipeline_hint,
    _warn_discrete_left_out,
)
from .graph import _preview
from .manipulations import (
    _ALL_ROLES,
    MANIPULATIONS,
    VALID_ROLES,
    _as_list,
    _check_frame,
    _discrete,
    resolve_columns,
)

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.axes import Axes

logger = logging.getLogger("skcama")

__all__ = ["plot_robustness", "robustness_curve"]

COLUMNS = ["model", "manipulation", "strength", "accuracy", "adapted"]


def _manipulator(
    manipulation: str | Callable, options: Mapping
) -> tuple[str, Callable[[Any, pd.DataFrame, Any, float], pd.DataFrame]]:
    """(label, f(estimator, X, y, strength)) for a callable, manipulation or attack name."""
    if callable(manipulation):
        inner = manipulation
        while isinstance(inner, functools.partial):  # partial(shift, columns=...): "shift"
            inner = inner.func
        registered = {f: n for n, f in {**MANIPULATIONS, **ATTACKS}.items()}
        label = registered.get(inner) or getattr(inner, "__name__", "custom")
        if options:
            raise TypeError(
                f"options {sorted(options, key=str)} are passed to a manipulation or attack "
                f"named by a string; the callable {label!r} is called as f(X, strength) "
                "without them. Bind them first, e.g. functools.partial(f, option=value)."
            )

        def custom(est: Any, X: pd.DataFrame, y: Any, s: float) -> pd.DataFrame:
            out = manipulation(X.copy(), s)  # a function that edits X in place edits a copy
            if not isinstance(out, pd.DataFrame):  # an array loses the column names
                wrap = (" Wrap it: pd.DataFrame(values, index=X.index, columns=X.columns)."
                        if getattr(out, "shape", None) == X.shape else "")
                raise TypeError(
                    f"the manipulation {label!r} must return the manipulated rows as a "
                    f"DataFrame with X's columns, which the models read by name; got "
                    f"{type(out).__name__}.{wrap}"
                )
            if len(out) != len(X):
                raise ValueError(
                    f"the manipulation {label!r} must return the manipulated rows (a frame "
                    f"with the {len(X)} rows of X); got {len(out)} rows."
                )
            if out.index.equals(X.index):
                return out
            if out.index.equals(pd.RangeIndex(len(X))):
                # a frame built anew (from an array): its labels are positions, and the
                # rows are paired with y by position, as they come
                if _among(X.index, out.index).all() and X.index.is_unique:
                    warn_user(  # X's labels are 0..n-1 in another order: which is meant?
                        f"the manipulation {label!r} returned rows labelled 0..{len(X) - 1} "
                        "in order, and X's labels are those numbers in another order; the "
                        "rows are read in X's order by position. If they were sorted by "
                        "their labels (sort_index), keep X's order instead.",
                        UserWarning,
                    )
                return out.set_axis(X.index)
            # rows are scored against y by position: rows returned in another order (a
            # concat of parts, a sort) are put back in X's by their labels
            if not X.index.is_unique:
                raise ValueError(
                    f"the manipulation {label!r} returned the rows in another order, and "
                    "X's index repeats labels, so they cannot be put back in X's order. "
                    "Keep the rows in X's order, or give X a unique index."
                )
            known = _among(out.index, X.index)
            if out.index.is_unique and known.all():
                return out.reindex(X.index)
            what = (f"labels that are not X's (the first: {_plain(out.index[~known][0])!r})"
                    if not known.all() else "a label more than once")
            raise ValueError(
                f"the manipulation {label!r} returned rows holding {what}, so they cannot be "
                "paired with their labels in y. Keep X's index (no reset_index or "
                "ignore_index); rows may come back in another order."
            )

        return label, custom
    if manipulation in MANIPULATIONS:
        func = MANIPULATIONS[manipulation]
        _check_options(manipulation, func, options)
        return manipulation, lambda est, X, y, s: func(X, s, **options)
    if manipulation in ATTACKS:
        func = ATTACKS[manipulation]
        _check_options(manipulation, func, options)
        return manipulation, lambda est, X, y, s: func(est, X, y, s, **options)
    from .graph import did_you_mean

    close = did_you_mean(manipulation, [*MANIPULATIONS, *ATTACKS])
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"unknown manipulation {manipulation!r}.{hint} Choose one of "
        f"{sorted([*MANIPULATIONS, *ATTACKS])} or pass a callable (X, strength) -> X."
    )


def _by_name(manipulation: Any, options: dict) -> tuple[Any, dict]:
    """An attack of skcama passed as its function, or as a ``functools.partial`` of it
    that binds keywords only, as its name with the bound keywords among the options
    (``options`` win): it then runs as one named, against each model, with the model and
    the labels. Anything else as it is (a manipulation's function is called f(X,
    strength), as it always was)."""
    if not callable(manipulation):
        return manipulation, options
    inner, bound, positional = manipulation, {}, False
    while isinstance(inner, functools.partial):
        positional = positional or bool(inner.args)
        bound = {**inner.keywords, **bound}  # an outer partial's keywords win
        inner = inner.func
    registered = {f: n for n, f in ATTACKS.items()}
    if positional and inner in registered:  # called f(X, strength): no model, no labels
        raise TypeError(
            f"manipulation is a functools.partial of {registered[inner]} that binds "
            "positional arguments (the model?); a manipulation is called f(X, strength), "
            f"where {registered[inner]} needs the model, X, y and the budget. Pass "
            f"manipulation={registered[inner]!r} (or a partial binding options by keyword "
            "only): the curve gives the attack each model and the labels."
        )
    if positional or inner not in registered:  # a function of its own, f(X, strength)
        return manipulation, options
    return registered[inner], {**bound, **options}


def _check_options(name: str, func: Callable, options: Mapping) -> None:
    """A TypeError naming the options ``func`` does not accept, with the accepted ones."""
    accepted = _options_of(func)
    unknown = [key for key in options if key not in accepted]
    if unknown:
        from .graph import did_you_mean

        hints = [
            f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key)
            for key in unknown
            for close in [did_you_mean(key, accepted)]
        ]
        raise TypeError(
            f"the {name!r} manipulation does not take the option(s) {', '.join(hints)}; "
            f"it accepts {sorted(accepted)}."
        )


@reads_tables("X", "y")
def robustness_curve(
    estimators: Mapping[str, Any],
    X: TableLike,
    y: VectorLike,
    manipulation: str | Callable[..., pd.DataFrame],
    strengths: Iterable[float],
    *,
    adapt: bool = False,
    clean_after_adapt: bool = False,
    attack_adapted: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """Accuracy of each estimator on ``X`` manipulated at each strength.

    Parameters
    ----------
    estimators : dict of str to fitted classifier
        Models by display name; each a fitted estimator with a ``predict`` method.
    X : pandas.DataFrame
        Clean test rows.
    y : array-like of shape (n_samples,)
        Their labels, values of every model's ``classes_`` (checked before anything runs).
        A single column of shape ``(n_samples, 1)`` is accepted with a
        ``DataConversionWarning``, as in ``fit``.
    manipulation : callable or str
        ``f(X, strength) -> X``, called with a fresh copy of ``X`` at each strength (it may
        change it in place; the caller's ``X`` is never modified), returning the rows
        with ``X``'s index labels (in any order: they are put back in ``X``'s), or in
        ``X``'s order with a fresh index ``0..n-1`` (a frame built from an array); or the
        name of a
        manipulation of :mod:`skcama.manipulations` (``"shift"``, ``"scale"``, ``"noise"``,
        ``"replace"``),
        applied once for every model; or of an attack of :mod:`skcama.attacks`
        (``"fgsm"``, ``"pgd"``, ``"strongest"``), run against each model in turn. A
        strength of 0 skips an attack and scores the clean rows. An attack passed as
        its function (``pgd``), or as a ``functools.partial`` of it binding options by
        keyword, runs as the one named, with those options.
    strengths : iterable of float
        Strengths (shift in sds, scale factor, noise sd, replaced share, attack budget),
        each once.
    adapt : bool, default=False
        Also score, for every estimator with an ``adapt`` method (or a ``Pipeline`` ending
        in one, adapted on the rows its earlier steps make), a deep copy adapted on the
        manipulated rows (unlabelled, test-time adaptation); the original is untouched.
        Under an attack, the copy is scored on the rows crafted against the model before
        adaptation. A warning says when no model adapts.
    clean_after_adapt : bool, default=False
        With ``adapt`` (an error without it), also record the adapted copy's accuracy on
        the clean rows, as manipulation ``"<name> (clean rows)"``.
    attack_adapted : bool, default=False
        With ``adapt`` under an attack (an error otherwise), also attack each adapted copy
        anew: the same attack and options, from the clean rows, now crafted through the
        adapted copy's own gradients (under ``"strongest"`` a surrogate's transfer is one
        more variant), and record the copy's accuracy on those rows, as manipulation
        ``"<name> (attacked after adapting)"``. It is an attacker who knows the adapted
        model, where the ``adapted`` row measures adaptation to an attack that already
        happened (the paper's setting); it is not a worst case of the two (the rows of the
        first attack may fool the copy more). Strength 0 (no attack) gets no such row. A
        model attacked by transfer alone (a ``Pipeline``, a model a ``surrogate`` dict names
        under ``"fgsm"`` or ``"pgd"``) gets no such row, with a warning: a transfer does not
        depend on the model it targets.
    **options
        Passed to the manipulation or attack (``columns``, ``reference``, ``roles``,
        ``allow_parents``, ``random_state``, ``eot``, ``surrogate``, ...). Where
        ``columns`` is the default or names roles and neither ``roles`` nor a CAMA
        ``reference`` is given, the roles come from the CAMAClassifiers among
        ``estimators`` (not from pipelines), for every model (an error where they
        disagree; CAMA models attacked on their own each keep theirs): a manipulation
        also takes that model as ``reference`` when none is given (its column kinds and
        training sds), and an attack moves the continuous columns of those roles in
        every model. With ``roles`` given and no ``reference``, a CAMAClassifier among
        ``estimators`` still lends its column kinds (and, to a manipulation of columns
        in its blanket, its training sds), so no model has integer codes moved that CAMA
        reads as discrete. A model with ``predict`` and no ``fit`` (a fixed rule) is
        taken as fitted. For attacks, a single ``surrogate`` crafts the transfer attack on
        the models without gradients (under ``"fgsm"`` and ``"pgd"`` the others are
        attacked white-box, the stronger attack; under ``"strongest"`` the transfer is
        one more variant for every model); a dict by model name gives each model it
        names its own surrogate (under ``"fgsm"`` and ``"pgd"`` that model is then
        attacked by transfer, whether it has gradients or not). Its keys and a surrogate for
        every model without gradients are checked before any attack runs. An
        option the manipulation or attack does not take is an error naming the ones it
        does; a callable ``manipulation`` takes none (bind them with
        :func:`functools.partial`), but for an attack's own function, which takes them
        as the attack named does.

    Returns
    -------
    pandas.DataFrame
        Columns ``model``, ``manipulation`` (the name given, or a callable's name: for a
        :func:`functools.partial`, its function's), ``strength``, ``accuracy``,
        ``adapted``; for attacks also ``mode`` (white-box or transfer; ``"none"`` on the
        clean rows), and for ``"strongest"`` (:func:`~skcama.attacks.strongest_attack`,
        the strongest of every applicable variant) ``variants``: a dict of the accuracy
        under each variant of the model before adaptation (None on the rows of adapted
        copies, but for the ``"(attacked after adapting)"`` rows: the adapted copy's).

    Raises
    ------
    TypeError
        For ``X`` other than a DataFrame, ``adapt``, ``clean_after_adapt`` or
        ``attack_adapted`` other than True or False, an entry of ``estimators`` without
        ``predict``, an option the manipulation does not take, a model without gradients
        attacked without a surrogate, a callable ``manipulation`` that returns anything
        but a DataFrame, or a ``functools.partial`` of an attack that binds positional
        arguments (the model).
    ValueError
        For bad strengths, labels or manipulation names, a model named None or NaN,
        ``surrogate`` keys that name no model, CAMA models whose roles disagree where the
        columns need them, a callable ``manipulation`` that returns rows with other
        index labels than ``X``'s (or reorders rows whose index repeats labels), a model
        whose ``predict`` returns other than one label per row, or labels of another
        type than ``y``'s (``"1"`` for ``1``, None), and for ``attack_adapted=True``
        without ``adapt=True`` or without an attack.

    Warns
    -----
    UserWarning
        Where ``y`` is a Series whose index differs from ``X``'s (rows are paired by
        position), where ``adapt=True`` finds no model that adapts, and where
        ``attack_adapted=True`` meets a model attacked by transfer alone (it gets no such
        row).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 300)
    >>> X = pd.DataFrame({"x": rng.normal(size=300) + 2 * y})
    >>> model = LogisticRegression().fit(X, y)
    >>> curve = robustness_curve({"logreg": model}, X, y, "shift", [0.0, 2.0], columns=["x"])
    >>> curve[["strength", "adapted"]].values.tolist()
    [[0.0, False], [2.0, False]]
    >>> bool(curve.accuracy.iloc[1] < curve.accuracy.iloc[0])
    True
    """
    for flag, value in (("adapt", adapt), ("clean_after_adapt", clean_after_adapt),
                        ("attack_adapted", attack_adapted)):
        if not isinstance(value, (bool, np.bool_)):  # "no" would read as True
            raise TypeError(f"{flag} must be True or False; got {value!r}.")
    _check_frame(X)  # a callable manipulation too: models and manipulations read names
    if isinstance(options.get("columns"), Iterator):  # a generator: read it once, here
        options["columns"] = list(options["columns"])
    manipulation, options = _by_name(manipulation, options)
    is_attack = isinstance(manipulation, str) and manipulation in ATTACKS
    if not isinstance(estimators, Mapping) or not estimators:
        raise ValueError(
            "estimators must be a non-empty dict {name: fitted classifier}; got "
            f"{type(estimators).__name__}."
        )
    for name, estimator in estimators.items():
        if name is None or (isinstance(name, float) and np.isnan(name)):
            raise ValueError(
                f"estimators has a model named {name!r}: the curve's model column would "
                "read it as missing (and a plot would drop its line). Give every model a "
                "name, e.g. {'CAMA': clf}."
            )
        if not callable(getattr(estimator, "predict", None)):
            raise TypeError(
                f"estimators[{name!r}] is a {type(estimator).__name__}, not a classifier: "
                "every entry must be a fitted estimator with a predict method (a fitted "
                "CAMAClassifier, a baseline of skcama.baselines or a scikit-learn classifier)."
            )
        try:  # a model without fit (a fixed rule) is taken as it is
            _check_fitted(estimator)
        except NotFittedError:
            raise NotFittedError(
                f"estimators[{name!r}] ({type(estimator).__name__}) is not fitted; call its "
                "fit method first: robustness_curve compares fitted models."
            ) from None
        _check_column_order(name, estimator, X)
        if is_attack:
            _check_named_inputs(name, estimator, X)
    if len(X) == 0:
        raise ValueError(
            "X has no rows, so there is no accuracy to measure; pass the labelled rows to "
            "score the models on."
        )
    strengths = _check_strengths(strengths)
    if _manipulator(manipulation, {})[0] == "scale" and 0 in strengths:
        warn_user(
            "strength 0 of 'scale' multiplies each column's deviation from its clean mean "
            "by 0, so every value becomes the mean; the unmanipulated rows are strength 1.",
            UserWarning,
        )
    if clean_after_adapt and not adapt:
        raise ValueError(
            "clean_after_adapt=True scores the adapted models on the clean rows; it needs "
            "adapt=True."
        )
    if adapt:
        _check_adaptable(estimators)
    warn_if_misaligned(X, "y", y)
    y = _check_labels(y, len(X))
    for name, estimator in estimators.items():
        # the check the attacks make, for every model and every manipulation: labels of
        # another type than classes_ ("1" against 1) would otherwise score 0 silently
        classes = getattr(estimator, "classes_", None)
        if classes is not None:
            _check_labels(y, len(X), classes, f"model {name!r} ({type(estimator).__name__})")
    if is_attack and min(strengths) < 0:
        raise ValueError(
            f"an attack budget cannot be negative; got strengths {strengths}. Use 0 for the "
            "clean rows."
        )
    surrogates = options.pop("surrogate", None) if is_attack else None
    label, _ = _manipulator(manipulation, options)  # checks the options' names
    if attack_adapted and not adapt:
        raise ValueError(
            "attack_adapted=True attacks the adapted models anew; it needs adapt=True."
        )
    if attack_adapted and not is_attack:
        raise ValueError(
            "attack_adapted=True attacks the adapted models anew; it needs an attack as "
            f"the manipulation ({', '.join(repr(a) for a in sorted(ATTACKS))}, or the "
            f"attack's own function), and {label!r} runs as a manipulation f(X, strength) "
            "(a function of your own)."
        )
    if is_attack:
        _check_surrogates(estimators, surrogates)
    for name, estimator in estimators.items():  # the caller's reference and surrogates
        with _naming(f"estimators[{name!r}]"):
            _check_not_an_inner_step(estimator, options.get("reference"), "reference")
            if is_attack and getattr(estimator, "steps", None):  # a Pipeline
                _check_not_an_inner_step(
                    estimator, _surrogate_of(name, estimator, surrogates, manipulation),
                    "surrogate")
    with each_warning_once():  # a manipulation's warning once, not once per strength
        if not callable(manipulation):
            _lend_roles(estimators, X, options, is_attack)
        rows = _curve_rows(estimators, X, y, manipulation, label, strengths, options,
                           surrogates, adapt, clean_after_adapt, attack_adapted)
    frame = pd.DataFrame(rows)
    ordered = COLUMNS + [c for c in frame.columns if c not in COLUMNS]
    return frame[ordered]


def _check_column_order(name: Any, estimator: Any, X: Any) -> None:
    """Before anything runs: a scikit-learn model fitted on named columns predicts only
    on those columns in their order (skcama's models pick theirs by name). Where X's
    differ, the model predicts one row first: one that takes them (a Pipeline that starts
    with a ColumnTransformer picks its columns by name) passes."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is None or type(estimator).__module__.split(".")[0] == "skcama":
        return
    if not isinstance(X, pd.DataFrame) or list(names) == list(X.columns):
        return
    try:  # a Pipeline that starts with a ColumnTransformer picks its columns by name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.predict(X.iloc[:1])
    except Exception as error:  # noqa: BLE001 - any refusal: say which columns differ
        refusal = error
    else:
        return
    fitted, given = [str(c) for c in names], [str(c) for c in X.columns]
    lacking = [c for c in fitted if c not in given]
    extra = [c for c in given if c not in fitted]
    if lacking or extra:
        difference = "; ".join(
            f"{what} [{_preview(columns)}]" for what, columns in
            (("X lacks", lacking), ("X has besides them", extra)) if columns
        )
    else:
        difference = "the same columns in another order"
    raise ValueError(
        f"estimators[{name!r}] ({type(estimator).__name__}) was fitted on other columns "
        f"than X's ({difference}): scikit-learn predicts only on the columns of fit, in "
        "their order. Pass X[list(model.feature_names_in_)] if every model reads those "
        "columns, or refit the model on X's columns."
    ) from refusal


def _check_named_inputs(name: Any, estimator: Any, X: Any) -> None:
    """Before any attack runs: an attack moves columns by name, and a differentiable
    baseline fitted on an array knows its inputs only by position (a manipulation, which
    edits X itself, still works with it)."""
    if (
        not hasattr(estimator, "_torch_log_proba")
        or hasattr(estimator, "feature_names_in_")
        or not isinstance(X, pd.DataFrame)
        or list(X.columns) == list(range(getattr(estimator, "n_features_in_", -1)))
    ):
        return
    raise ValueError(
        f"estimators[{name!r}] ({type(estimator).__name__}) was fitted on an array, so its "
        f"inputs have no names, and an attack chooses the columns of X "
        f"([{_preview([str(c) for c in X.columns])}]) by name. Refit it on a DataFrame "
        "with X's columns."
    )


class _naming:
    """A block whose error says ``where`` (which model, manipulation and strength): a
    ValueError or TypeError (the errors of bad input, subclasses included) is raised
    again, as its own type and with its attributes, with ``where`` in front of its
    message and the original as its cause; any other error, or one whose type is not
    built from a message alone, keeps its type, arguments and attributes, with ``where``
    added as a note (Python 3.11+; raised as it was before)."""

    _RENAMED = (ValueError, TypeError)  # NotFittedError and UnseenValueError among them

    def __init__(self, where: str):
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> bool:
        if error is None or not isinstance(error, Exception):
            return False
        if isinstance(error, self._RENAMED):
            try:
                renamed = type(error)(f"{self.where}: {error}")
            except Exception:  # its type needs other arguments: it gets the note
                renamed = None
            if renamed is not None:
                renamed.__dict__.update(vars(error))  # e.g. an UnseenValueError's column
                raise renamed from error
        if hasattr(error, "add_note"):
            error.add_note(self.where)
        return False  # the error goes on as it was


def _curve_rows(estimators, X, y, manipulation, label, strengths, options, surrogates,
                adapt, clean_after_adapt, attack_adapted=False) -> list[dict]:
    """One row per model, strength and (where adapted) setting of ``robustness_curve``."""
    is_attack = isinstance(manipulation, str) and manipulation in ATTACKS
    rows = []
    shared: dict[float, pd.DataFrame] = {}  # a manipulation's rows, the same for every model
    for strength in [] if is_attack else strengths:
        with _naming(f"{label} at strength {strength:g}"):
            shared[strength] = _manipulator(manipulation, options)[1](None, X, y, strength)
    for name, estimator in estimators.items():
        if is_attack:
            surrogate = _surrogate_of(name, estimator, surrogates, manipulation)
            opts = options if surrogate is None else dict(options, surrogate=surrogate)
        for strength in strengths:
            with _naming(f"estimators[{name!r}] on {label} at strength {strength:g}"):
                extra = {}
                if is_attack:
                    if strength <= 0:
                        X_new = X
                        extra = {**_attack_record(X, manipulation), "mode": "none"}
                    else:
                        X_new = ATTACKS[manipulation](estimator, X, y, strength, **opts)
                        extra = _attack_record(X_new, manipulation)
                else:
                    X_new = shared[strength]
                accuracy = _accuracy(estimator, X, X_new, y, manipulation, label, options)
                rows.append(dict(model=name, manipulation=label, strength=strength,
                                 accuracy=accuracy, adapted=False, **extra))
                logger.info("%s, %s %.3g: accuracy %.3f", name, label, strength, accuracy)
                adapted = _adapted_copy(estimator, X_new) if adapt else None
                if adapted is not None:
                    # the variants' accuracies are the model's before adaptation; the
                    # adapted copy is scored on the strongest variant's rows alone
                    after = {k: (None if k == "variants" else v) for k, v in extra.items()}
                    rows.append(dict(model=name, manipulation=label, strength=strength,
                                     accuracy=_share_right(adapted.predict(X_new), y),
                                     adapted=True, **after))
                    if clean_after_adapt:  # no attack on the clean rows
                        clean = {k: ("none" if k == "mode" else None) for k in extra}
                        rows.append(dict(model=name, manipulation=f"{label} (clean rows)",
                                         strength=strength,
                                         accuracy=_share_right(adapted.predict(X), y),
                                         adapted=True, **clean))
                    if attack_adapted and strength > 0 and _knows_the_copy(
                        name, adapted, manipulation, surrogate
                    ):  # an attacker who knows the adapted copy
                        again = dict(opts)
                        if "random_state" in opts:  # leaves the caller's stream as it was
                            again["random_state"] = _own_stream(opts["random_state"])
                        with _naming("attacking its adapted copy anew"):
                            X_again = ATTACKS[manipulation](adapted, X, y, strength, **again)
                        accuracy = _share_right(adapted.predict(X_again), y)
                        rows.append(dict(model=name, strength=strength, accuracy=accuracy,
                                         manipulation=f"{label} (attacked after adapting)",
                                         adapted=True,
                                         **_attack_record(X_again, manipulation)))
                        logger.info("%s + adapt, attacked anew at %.3g: accuracy %.3f",
                                    name, strength, accuracy)
    return rows


def _knows_the_copy(name: Any, adapted: Any, attack: str, surrogate: Any) -> bool:
    """Whether attacking the adapted copy crafts rows through its own gradients (white-box,
    or among the variants of ``"strongest"``). A transfer from a surrogate does not depend
    on the model it targets: attacking the copy anew would repeat the rows it was scored
    on, so no row is recorded for it, and a warning says so."""
    if _differentiable(adapted) and (attack == "strongest" or surrogate is None):
        return True
    warn_user(
        f"attack_adapted=True: model {name!r} is attacked by transfer from a surrogate "
        "only (a Pipeline has no gradients; a surrogate dict attacks the models it names "
        "by transfer), and a transfer attack does not depend on the model it targets, so "
        "its adapted copy attacked anew would meet the same rows; no '(attacked after "
        "adapting)' row is recorded for it.",
        UserWarning,
    )
    return False


def _own_stream(random_state: Any) -> Any:
    """``random_state`` for a draw that must leave the caller's generator as it was: a
    numpy Generator or RandomState over a copy of its bit generator jumped far ahead (a
    plain copy where it cannot jump); a seed or None as it is."""
    if isinstance(random_state, np.random.Generator):
        bits = random_state.bit_generator
    elif isinstance(random_state, np.random.RandomState):
        bits = random_state._bit_generator
    else:
        return random_state
    try:
        jumped = bits.jumped()  # a new bit generator; the caller's is untouched
    except (AttributeError, NotImplementedError):  # one that cannot jump
        return copy.deepcopy(random_state)
    return type(random_state)(jumped)


def _attack_record(X_attacked: pd.DataFrame, attack: str) -> dict:
    """The columns an attack adds to its row of the curve: the ``mode`` that counted and,
    for ``"strongest"``, every variant's accuracy."""
    record: dict[str, Any] = {"mode": X_attacked.attrs.get("mode", "")}
    if attack == "strongest":
        record["variants"] = dict(X_attacked.attrs.get("accuracies", {}))
    return record


def _among(index: pd.Index, other: pd.Index) -> np.ndarray:
    """Which labels of ``index`` are ``other``'s; none where one is a MultiIndex and the
    other not, or their levels differ (``isin`` raised there)."""
    if index.nlevels != other.nlevels:
        return np.zeros(len(index), dtype=bool)
    return np.asarray(index.isin(other))


def _share_right(predicted: Any, y: np.ndarray) -> float:
    """The share of ``predicted`` labels equal to ``y``'s, refusing predictions that are
    not one label per row (a column, probabilities: numpy broadcast them against ``y``
    into an n x n comparison) and labels that spell ``y``'s in another type (``"1"`` for
    ``1``) or are None, which no row could match (a fixed rule has no ``classes_`` to
    check beforehand)."""
    predicted = np.asarray(predicted)
    if predicted.shape != (len(y),):
        raise ValueError(
            f"predict returned an array of shape {predicted.shape} for {len(y)} rows; the "
            f"curve scores one label per row, shape ({len(y)},): return the labels (not "
            "probabilities, not a column)."
        )
    hits = np.asarray(predicted == y)
    if len(y) and not hits.any():
        given = list(pd.unique(predicted.astype(object)))[:20]
        retyped, known = same_text_other_type(given, list(pd.unique(np.asarray(y, object))))
        if retyped or any(v is None for v in given):
            shown = retyped[:3] if retyped else [None]
            raise ValueError(
                f"predict returned labels {shown} where y holds "
                f"{known[:3] if retyped else _show(pd.unique(np.asarray(y, object)))}, so no "
                "row could count as right; return labels of y's kind (the same values and "
                "type)."
            )
    return float(np.mean(hits))


def _accuracy(estimator: Any, X: pd.DataFrame, X_new: pd.DataFrame, y: Any,
              manipulation: Any, label: str, options: dict) -> float:
    """Accuracy of ``estimator`` on the manipulated rows ``X_new``. Where it refuses a code
    it never saw in a numeric column that a named manipulation moved without
    ``reference=``, the error says why the column was moved."""
    try:
        return _share_right(estimator.predict(X_new), y)
    except UnseenValueError as error:
        column = error.column
        if not (isinstance(manipulation, str) and options.get("reference") is None
                and column in X.columns and column in X_new.columns
                and pd.api.types.is_numeric_dtype(X[column].dtype)
                and not X_new[column].equals(X[column])):
            raise
        raise ValueError(
            f"column {column!r} holds values {_show(error.values)} that were not seen in fit "
            f"(known: {_show(error.categories)}): the {label} moved it, and this model "
            "reads it as discrete codes. Without reference=, X's dtypes alone say which "
            "columns are discrete, and integer codes look like numbers: pass "
            "reference=<the clean training rows> (or a fitted CAMAClassifier), or name the "
            "continuous columns in columns=."
        ) from error


def _adapts(estimator: Any) -> bool:
    """Whether ``estimator`` adapts to unlabelled rows: it has ``adapt``, or it is a
    Pipeline whose last step has."""
    if hasattr(estimator, "adapt"):
        return True
    steps = getattr(estimator, "steps", None)
    return bool(steps) and hasattr(steps[-1][1], "adapt")


def _adapted_copy(estimator: Any, X_new: pd.DataFrame) -> Any:
    """A deep copy of ``estimator`` adapted on ``X_new`` (a Pipeline's last step on the
    rows its earlier steps make), or None for a model that does not adapt."""
    if not _adapts(estimator):
        return None
    adapted = copy.deepcopy(estimator)
    if hasattr(adapted, "adapt"):  # the copy, whatever adapt returns (None in place)
        adapted.adapt(X_new)
        return adapted
    rows = adapted[:-1].transform(X_new) if len(adapted) > 1 else X_new
    adapted[-1].adapt(rows)
    return adapted


def _check_adaptable(estimators: Mapping[str, Any]) -> None:
    """Warn, naming them, about the models ``adapt=True`` leaves as they are."""
    fixed = [name for name, estimator in estimators.items() if not _adapts(estimator)]
    if fixed and len(fixed) == len(estimators):
        warn_user(
            f"adapt=True, but none of the models {fixed} has an adapt method (a "
            "CAMAClassifier, or a Pipeline ending in one): no adapted rows are recorded.",
            UserWarning,
        )
    elif fixed:
        logger.info("models %s have no adapt method; only the others are adapted", fixed)


def _surrogate_of(name: str, estimator: Any, surrogates: Any, attack: str) -> Any:
    """The surrogate that crafts the attack on ``estimator``: its entry of a ``surrogate``
    dict; a single surrogate only for a model without gradients under ``"fgsm"`` or
    ``"pgd"`` (a model with gradients is attacked white-box, the stronger attack: a
    transfer would flatter it), and for every model under ``"strongest"``, where the
    transfer is one more variant besides the white-box ones."""
    if isinstance(surrogates, Mapping):
        return surrogates.get(name)
    if surrogates is not None and attack != "strongest" and _differentiable(estimator):
        logger.info("%s: attacked white-box; the surrogate is for models without gradients "
                    "(surrogate={%r: ...} attacks it by transfer)", name, name)
        return None
    return surrogates


def _check_surrogates(estimators: Mapping[str, Any], surrogates: Any) -> None:
    """Before any attack runs: a ``surrogate`` dict names models of ``estimators``, and
    every model without gradients has a surrogate."""
    if isinstance(surrogates, Mapping):
        from .graph import did_you_mean

        for key in surrogates:
            if key not in estimators:
                close = did_you_mean(key, list(estimators))
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ValueError(
                    f"surrogate[{key!r}] names no model of estimators "
                    f"({list(estimators)}).{hint}"
                )
    for name, estimator in estimators.items():
        has = (surrogates.get(name) if isinstance(surrogates, Mapping) else surrogates)
        if has is None and not _differentiable(estimator):
            raise TypeError(
                f"estimators[{name!r}] ({type(estimator).__name__}) is not differentiable in "
                "its inputs, so it can only be attacked by transfer; pass surrogate=<a fitted "
                f"TorchMLPClassifier or CAMAClassifier>, or surrogate={{{name!r}: ...}} for "
                "this model only."
            )


def _lend_roles(
    estimators: Mapping[str, Any], X: pd.DataFrame, options: dict, is_attack: bool
) -> None:
    """Without ``roles=`` or a CAMA as ``reference=``, the roles that ``columns`` needs
    (the default, or role names) come from the CAMAClassifiers among ``estimators``, for
    every model; an error before anything runs where those disagree. A manipulation
    also takes that model as ``reference`` when none is given (its column kinds and
    training sds); an attack gets the continuous columns of those roles by name, so every
    model faces the same columns. With ``roles=`` given, or columns named one by one, a
    CAMA among ``estimators`` still lends its column kinds (and, to a manipulation of
    columns it knows, its training sds): without them the other models would read X's
    dtypes alone, and move integer codes CAMA reads as discrete. Attacks of CAMA models
    alone need none: each is attacked on its own roles. Where the only CAMA model ends a
    Pipeline, whose roles are not read, a manipulation's error says how to pass them."""
    if _is_cama(options.get("reference")):
        return
    given = options.get("roles")
    columns = options.get("columns")
    camas = {name: e for name, e in estimators.items() if _is_cama(e)}
    by_name = columns is not None and not any(
        isinstance(c, str) and c in _ALL_ROLES for c in _as_list(columns)
    )
    if by_name:
        # columns named one by one: the CAMA models' roles still say which of them are
        # parents (a warning) or the target (an error), before anything runs
        roles = {(e.roles_.target, e.roles_.parents): e.roles_ for e in camas.values()}
        for known in roles.values() if given is None else ():
            resolve_columns(X, _as_list(columns), roles=known,
                            allow_parents=bool(options.get("allow_parents", False)))
        named = set(_as_list(columns))
        lenders = [(n, e) for n, e in camas.items() if named <= set(e.roles_.blanket)]
        if is_attack or options.get("reference") is not None or not camas:
            return
        if lenders:  # its column kinds and training sds, as for columns named by role
            name, lender = lenders[0]
            logger.info("column kinds and sds from %r (%s)", name, type(lender).__name__)
            options["reference"] = lender
            return
        name, first = next(iter(camas.items()))
        outside = sorted(named - set(first.roles_.blanket), key=str)
        warn_user(
            f"columns {outside[:10]} are outside the Markov blanket of {name!r}, so it "
            "cannot lend its column kinds and training sds: the columns are moved in the "
            "sds of the rows manipulated, and integer codes it reads as discrete are moved "
            "too. Pass reference=X_train (clean training rows) to measure strengths in "
            "their sds and keep codes still.",
            UserWarning,
        )
        return
    if given is not None and not camas:
        return
    hint = "" if camas or is_attack else _pipeline_hint(estimators.values())
    if hint:  # else the manipulation asks for roles= without saying where they are
        what = ("columns=None means the co-parents and children" if columns is None
                else f"columns={columns!r} names roles")
        raise ValueError(
            f"{what} of the target, which no CAMAClassifier among estimators gives{hint}; "
            "pass roles=, reference=<a fitted CAMAClassifier> or columns=[...]."
        )
    if not camas or (is_attack and len(camas) == len(estimators)):
        return
    found = {(e.roles_.parents, e.roles_.coparents, e.roles_.children) for e in camas.values()}
    if given is None and len(found) > 1:
        raise ValueError(
            f"the CAMA models {list(camas)} give the target different roles, so the "
            f"co-parents and children to manipulate are ambiguous for "
            f"{[n for n in estimators if n not in camas] or list(camas)}; pass "
            "roles=<one model's roles_> or columns=[...]."
        )
    name, lender = next(iter(camas.items()))
    roles = lender.roles_ if given is None else given
    named = _as_list(list(VALID_ROLES) if columns is None else columns)
    chosen = resolve_columns(X, None if columns is None else named, roles=roles,
                             allow_parents=True)
    one_by_one = [] if columns is None else named
    # the columns each CAMA model reads as discrete, of those chosen by role: a code one
    # model reads as a category is moved in none (moved, it is a value that model never
    # saw; which model lent its kinds depended on the order of estimators)
    by_model = {n: set(_discrete([c for c in chosen if c not in one_by_one], e, X))
                for n, e in camas.items()}
    every = set().union(*by_model.values())
    if len(set(map(frozenset, by_model.values()))) > 1:
        widest = [n for n, d in by_model.items() if d == every]
        if widest:  # a model that keeps every such code still
            name, lender = widest[0], camas[widest[0]]
        elif not is_attack:
            raise ValueError(
                f"the CAMA models read the columns {sorted(every, key=str)[:10]} as "
                f"discrete or continuous differently "
                f"({', '.join(f'{n!r}: {sorted(d, key=str)}' for n, d in by_model.items())}), "
                "and none reads all of them as discrete, so no model can lend the column "
                "kinds that keep every code still; pass columns=[...] without them."
            )
    if not is_attack:
        options["roles"] = roles
        known = set(lender.roles_.blanket)
        if options.get("reference") is not None:
            return
        if given is None or set(chosen) <= known:
            logger.info("column kinds and sds from %r (%s)", name, type(lender).__name__)
            options["reference"] = lender
            return
        # the roles reach outside the lender's blanket: no model's sds for those columns,
        # but the codes a CAMA model reads as discrete still stay as they are
        options["columns"] = [c for c in chosen if c not in every]
        if not options["columns"]:
            raise ValueError(
                f"every column of {named} is discrete for the CAMA models "
                f"({sorted(every, key=str)}); shifts, scaling, noise and replacement in "
                "standard deviations apply to continuous columns only."
            )
        outside = sorted(set(chosen) - known, key=str)
        kept = (f"; columns {sorted(every, key=str)}, which it reads as discrete, are left "
                "as they are" if every else "")
        warn_user(
            f"the roles name columns {outside[:10]} outside the Markov blanket of "
            f"{name!r}, so it cannot lend its training sds: the columns are moved in the "
            f"sds of the rows manipulated{kept}. Pass reference=X_train (clean training "
            "rows) to measure strengths in their sds.",
            UserWarning,
        )
        return
    readers = [n for n, d in by_model.items() if d]
    logger.info("column kinds from %s", readers or [name])
    discrete = every
    options["columns"] = [c for c in chosen if c not in discrete]
    whom = f"for {readers[0]!r}" if len(readers) == 1 else f"for one of {readers}"
    if not options["columns"]:
        raise ValueError(
            f"every column of {named} is discrete {whom} ({sorted(discrete, key=str)}); "
            "a gradient attack moves continuous values only. Name continuous columns in "
            "columns=."
        )
    if discrete:
        _warn_discrete_left_out(sorted(discrete, key=str), whom)


def _check_strengths(strengths: Any) -> list[float]:
    """``strengths`` as a list of finite floats, or a ValueError saying what was wrong."""
    if isinstance(strengths, (str, bytes)) or not isinstance(strengths, Iterable) or (
        isinstance(strengths, np.ndarray) and strengths.ndim == 0  # Iterable, not iterable
    ):
        raise ValueError(
            f"strengths must be a list of numbers, e.g. [0, 1, 2]; got {strengths!r}."
        )
    values = []
    for s in strengths:
        try:
            value = float(s)
        except (TypeError, ValueError):
            raise ValueError(f"strengths must be numbers; got {s!r}.") from None
        if not np.isfinite(value):
            raise ValueError(f"strengths must be finite numbers; got {s!r}.")
        values.append(value)
    if not values:
        raise ValueError("strengths is empty; pass at least one strength, e.g. [0, 1, 2].")
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(
            f"strengths lists {', '.join(f'{v:g}' for v in repeated)} more than once; each "
            "strength is measured once (one row per model and strength), so pass each "
            "once, e.g. sorted(set(strengths))."
        )
    return values


def _check_plotted_frame(frame: pd.DataFrame) -> None:
    """Refuse what :func:`plot_robustness` would draw wrongly: ``adapted`` not True /
    False (the text 'False' drew as adapted), ``accuracy`` or ``strength`` not numbers,
    and several rows of one model, manipulation and strength (two runs concatenated:
    their points joined into one zig-zag line)."""
    flags = frame["adapted"]
    if not (pd.api.types.is_bool_dtype(flags.dtype)
            or all(isinstance(v, (bool, np.bool_)) for v in flags)):
        raise TypeError(
            f"frame's 'adapted' column must hold True / False; got {_show(pd.unique(flags))} "
            "(as robustness_curve writes it; text read from a file: "
            "frame['adapted'] == 'True')."
        )
    for column in ("strength", "accuracy"):
        if not pd.api.types.is_numeric_dtype(frame[column].dtype):
            raise TypeError(
                f"frame's {column!r} column must hold numbers; got dtype "
                f"{frame[column].dtype} (pd.to_numeric(frame[{column!r}]) converts text)."
            )
    keys = ["model", "adapted", "manipulation", "strength"]
    repeated = frame[frame.duplicated(keys, keep=False)]
    if len(repeated):
        model, adapted, manipulation, strength = repeated.iloc[0][keys]
        raise ValueError(
            f"frame holds several rows of one curve point (model {model!r}, "
            f"{manipulation!r} at strength {strength:g}{', adapted' if adapted else ''}), "
            "as where two runs of the same model are concatenated, whose points would join "
            "into one line; name the runs apart "
            "(frame.assign(model=...)) or plot them on separate axes."
        )


def plot_robustness(
    frame: pd.DataFrame, ax: Axes | None = None, *, title: str | None = None
) -> Axes:
    """Accuracy against strength, one line per model (dashed when adapted, dotted for an
    adapted model's accuracy on the clean rows, dash-dot-dot for an adapted model
    attacked anew).

    A model keeps one colour in all its lines, and models get their colours in the
    order they come, so panels of the same models match. A model attacked by transfer
    from a surrogate is labelled ``(transfer)``; the x axis says what the strength of a
    named manipulation or attack measures. Concatenated curves of several manipulations
    draw each manipulation with its own marker (and, but for the first, a dash-dot line).
    The legend goes beside the panel in a figure this function makes (widened for it),
    and inside the panel on axes you pass, in two columns when it has more than six lines
    (a legend beside them would cover the next panel). The title and the x axis name
    every manipulation drawn.

    Parameters
    ----------
    frame : pandas.DataFrame
        The output of :func:`robustness_curve`. Several may be concatenated: all are
        drawn in one panel, each manipulation with its own marker; filter the frame to
        one manipulation for a panel of its own. Model names of any type are shown as
        ``str(name)``.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.
    title : str, default=None
        Panel title; defaults to the names of the manipulations drawn, joined by
        "and".

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame, its ``adapted`` column not True / False or its
        ``strength`` / ``accuracy`` not numbers, or ``ax`` not one Axes.
    ValueError
        If it lacks a column of :func:`robustness_curve`'s output, has no rows, or holds
        several rows of one point (one model, manipulation, strength and adaptation: two
        runs concatenated; name them apart).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"model": ["m", "m"], "manipulation": ["shift"] * 2,
    ...                       "strength": [0.0, 1.0], "accuracy": [0.9, 0.7],
    ...                       "adapted": [False, False]})
    >>> plot_robustness(frame).get_ylabel()
    'accuracy'
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "frame must be the DataFrame robustness_curve returns (columns "
            f"{COLUMNS}); got {type(frame).__name__}. Concatenate several with pd.concat."
        )
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"frame lacks the columns {missing}; pass the output of robustness_curve."
        )
    if frame.empty:
        raise ValueError("frame has no rows; there is nothing to plot.")
    _check_plotted_frame(frame)
    import matplotlib.pyplot as plt

    from .plotting import _check_axes

    _check_axes(ax)
    created = ax is None
    if created:  # laid out on drawing: the axis labels stay inside a saved figure
        _, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
    colours = _model_colours(list(pd.unique(frame["model"])))
    # the manipulations in order, a panel's own (clean rows) lines counted with it
    kinds = list(dict.fromkeys(_setting(m)[0] for m in frame["manipulation"]))
    for (model, adapted, manip), group in frame.groupby(
        ["model", "adapted", "manipulation"], sort=False, dropna=False
    ):
        group = group.sort_values("strength")
        label = str(model) + (" + adapt" if adapted else "")  # names may be 1 or (a, b)
        modes = group["mode"] if "mode" in group else pd.Series(dtype=object)
        modes = modes.dropna().astype(str)
        transfer = modes[modes != "none"].str.startswith("transfer")  # "none": strength 0
        if len(transfer) and transfer.all():  # an attack without gradients
            label += " (transfer)"
        elif transfer.any():  # "strongest" chose transfer at some strengths only
            label += " (transfer at some strengths)"
        base, suffix = _setting(manip)
        kind = kinds.index(base)
        linestyle = "--" if adapted else ("-" if kind == 0 else "-.")
        if suffix:  # robustness_curve(clean_after_adapt=True) or (attack_adapted=True)
            label += _SETTINGS[suffix][0]
            linestyle = _SETTINGS[suffix][1]
        if kind:
            label += f" [{kinds[kind]}]"
        ax.plot(group["strength"], group["accuracy"], marker=_MARKERS[kind % len(_MARKERS)],
                linestyle=linestyle, label=label, color=colours[model])
    strength_labels = {_STRENGTH_LABELS.get(kind, "strength") for kind in kinds}
    ax.set_xlabel(strength_labels.pop() if len(strength_labels) == 1 else "strength")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02)
    ax.set_title(title if title is not None else " and ".join(kinds))
    if created:  # beside the panel, never over the curves; room for it, the panel
        ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.02, 0.5))
        ax.figure.set_figwidth(8.5 if len(ax.get_lines()) > 6 else 7.5)  # keeping its width
    elif len(ax.get_lines()) > 6:  # the caller's axes: beside them it would cover the next
        ax.legend(fontsize="x-small", ncols=2)
    else:
        ax.legend(fontsize="small")
    return ax


_MARKERS = ("o", "s", "^", "D", "v", "P", "X")  # one per manipulation of a panel

# the settings robustness_curve appends to a manipulation's name: label and line style
_SETTINGS = {
    " (clean rows)": (", on clean rows", ":"),
    " (attacked after adapting)": (", attacked anew", (0, (3, 1, 1, 1, 1, 1))),
}


def _setting(manipulation: Any) -> tuple[str, str]:
    """A curve's manipulation name split into the manipulation and the setting appended
    to it (``""`` for none)."""
    name = str(manipulation)
    for suffix in _SETTINGS:
        if name.endswith(suffix):
            return name.removesuffix(suffix), suffix
    return name, ""


# what the strength of each named manipulation or attack means, for the x axis
_STRENGTH_LABELS = {
    "shift": "shift (clean sds)",
    "scale": "scale factor",
    "noise": "noise sd (clean sds)",
    "replace": "share of values replaced",
    **{name: "attack budget (L-inf, clean sds)" for name in ATTACKS},
}


def _model_colours(models: list) -> dict:
    """One colour per model, in the order the models come: a model keeps its colour
    in its adapted and clean-rows lines, and in every panel of the same models."""
    import matplotlib.pyplot as plt

    cycle = plt.rcParams["axes.prop_cycle"].by_key().get("color", [])
    if len(models) > len(cycle):  # more models than the cycle has colours
        cycle = [plt.get_cmap("tab20")(i % 20) for i in range(len(models))]
    return {model: cycle[i] for i, model in enumerate(models)}
