"""Column types and codes: how each measurement enters the model (numpy / pandas only).

Every blanket column gets a *kind*:

``"gaussian"``
    continuous; coded as its standardised value.
``"bernoulli"``
    two values (bool, a two-level category, a 0/1 integer); coded 0 / 1.
``"categorical"``
    a few unordered or graded values (pandas ``category``, strings, few-valued
    integers, and float columns holding at most 10 distinct whole numbers — an integer
    column read with missing values); coded as the index of the value in
    :attr:`ColumnCodec.categories`.

An object column whose values are all numbers is read as the numeric column it would
have been. Missing values (NaN, None, ``pd.NA``) are coded NaN whatever the kind; the
model marginalises them out of the children's likelihood and sees a missing-indicator
for every input. The codes are floats, so one ``(n_rows, n_columns)`` array carries a row.
"""

from __future__ import annotations

import datetime
import math
import numbers
import re
import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._typing import MatrixLike, VectorLike
from ._warn import warn_user

KINDS = ("gaussian", "bernoulli", "categorical")
_ALIASES = {
    "gaussian": "gaussian",
    "continuous": "gaussian",
    "numeric": "gaussian",
    "bernoulli": "bernoulli",
    "binary": "bernoulli",
    "bool": "bernoulli",
    "categorical": "categorical",
    "category": "categorical",
    "ordinal": "categorical",
}
MAX_INTEGER_LEVELS = 10
"""Integer columns with at most this many distinct values are categorical (2: Bernoulli)."""
_BLOCK_VALUES = 1 << 20  # frames up to this many values code their numeric columns at once


def normalise_kind(kind: Any, column: Any) -> str:
    """The canonical kind for a user's spelling, or a ValueError naming the column."""
    key = str(kind).lower()
    if key not in _ALIASES:
        raise ValueError(
            f"column_types[{column!r}] = {kind!r} is not a column type; use one of "
            f"'gaussian' (or 'continuous'), 'bernoulli' (or 'binary'), 'categorical' "
            "(or 'ordinal')."
        )
    return _ALIASES[key]


def infer_kind(values: pd.Series, text_numbers: list | None = None) -> str:
    """The kind of a column from its dtype and values (see the module notes).

    A column of numbers written as text is read as a measurement with a warning; given a
    list ``text_numbers``, its name is appended there instead, for one warning about all
    such columns (see :func:`warn_numbers_as_text`)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bernoulli"
    if isinstance(dtype, pd.CategoricalDtype):
        return "bernoulli" if len(dtype.categories) == 2 else "categorical"
    if pd.api.types.is_integer_dtype(dtype):
        n_levels = values.nunique(dropna=True)
        if n_levels <= 2 and set(values.dropna().unique().tolist()) <= {0, 1}:
            return "bernoulli"
        if _numbers_rows(values.dropna()):
            low, high = values.min(), values.max()
            _warn_identifier(values.name, f"a distinct whole number in each, {low} to {high}")
        return "categorical" if n_levels <= MAX_INTEGER_LEVELS else "gaussian"
    if pd.api.types.is_numeric_dtype(dtype):
        observed = values.dropna().to_numpy(dtype=np.float64)
        _warn_if_float_identifier(values.name, observed)
        return _float_kind(observed)
    observed = values.dropna()
    numeric = np.fromiter(map(is_real_number, observed), dtype=bool, count=len(observed))
    if len(observed) and numeric.all():
        # an object column holding only numbers: read as numbers
        return infer_kind(to_numbers(values))
    texts = observed[~numeric].astype(str) if numeric.any() else None  # beside numbers
    spelt, mark = _text_as_numbers(texts) if texts is not None else (None, "")
    if texts is not None and mark == "" and spelt.notna().all():
        # 3 beside '3' (a file's column edited by hand, frames concatenated): the text
        # is a level of its own beside the number it spells
        warn_user(
            f"column {values.name!r} holds numbers, some of them written as text "
            f"({_show(list(pd.unique(texts))[:5])}), so it is read as categorical labels in "
            "which a number and its text are two levels (3 and '3' split the rows of one "
            f"value). Convert it first: X[{values.name!r}] = "
            f"pd.to_numeric(X[{values.name!r}]).",
            UserWarning,
        )
    elif mark == "thousands":
        # 450 beside '1,730': the larger numbers written with a thousands separator
        warn_user(
            f"column {values.name!r} holds numbers and some text ({_show(pd.unique(texts))}), "
            "so it is read as categorical labels, one level per distinct value: "
            f"{comma_advice('thousands', mark_example(texts))}.",
            UserWarning,
        )
    elif texts is not None and numeric.mean() >= 0.5:
        warn_user(
            f"column {values.name!r} holds numbers and some text ({_show(pd.unique(texts))}), "
            "so it is read as categorical labels, one level per distinct number; "
            f"{_text_advice(values.name, texts)}, or declare it with column_types.",
            UserWarning,
        )
    elif len(observed) and not numeric.any():
        try:
            text = observed.astype(str)
        except (TypeError, ValueError, NotImplementedError):  # lists (pyarrow, pandas 2.0)
            raise _neither_numbers_nor_labels(values.name, observed) from None
        if _holds_dates(text):
            _warn_dates(values.name, text)
            return "bernoulli" if text.nunique() == 2 else "categorical"
        as_numbers, comma = _text_as_numbers(text)
        parsed = as_numbers.dropna()
        measured = len(parsed) >= 0.5 * len(text) and not (parsed % 1 == 0).all()
        with_unit = None if len(parsed) == len(text) else numbers_with_unit(text)
        if with_unit is not None:
            unit, examples, others = with_unit
            besides = f", besides other text ({_show(others)})" if others else ""
            warn_user(
                f"column {values.name!r} holds numbers written with the unit {unit!r} (e.g. "
                f"{_show(examples)}){besides}, so it is read as categorical labels, one "
                f"level per distinct value ({text.nunique()} levels). If it is a "
                "measurement, convert "
                f"it: pd.to_numeric(X[{values.name!r}].str.replace({unit!r}, '', "
                "regex=False).str.strip(), errors='coerce'), checking the values that "
                "become missing (thousands separators, decimal commas); the unit belongs in "
                "the column's name.",
                UserWarning,
            )
        elif _distinct_in_every_row(observed) and not measured:  # codes, not measurements
            _warn_identifier(
                values.name, f"a distinct text in each, e.g. {observed.iloc[0]!r}",
                "a category with one level per row, which no new row would match",
            )
        elif not comma and parsed.size == text.size and _numbers_kind(parsed) == "gaussian":
            # X.astype(str), pd.read_csv(..., dtype=str): a measurement, as predict reads it
            if text_numbers is None:
                warn_numbers_as_text([values.name])
            else:
                text_numbers.append(values.name)
            return "gaussian"
        else:
            _warn_if_numbers_as_text(values.name, text, as_numbers, comma)
    # object, string: labels
    try:
        n_levels = values.nunique(dropna=True)
    except (TypeError, NotImplementedError):  # lists, dicts (pyarrow: not implemented)
        raise _neither_numbers_nor_labels(values.name, observed) from None
    return "bernoulli" if n_levels == 2 else "categorical"


def _neither_numbers_nor_labels(name: Any, observed: pd.Series) -> ValueError:
    return ValueError(
        f"column {name!r} holds values that are neither numbers nor labels (e.g. "
        f"{observed.iloc[0]!r}); give it one number or one label per row."
    )


# a date, or a date and time, written as text: 2023-04-06, 06/04/2023, 4.6.23, 2023-04-06
# 10:30; months 1-12 and days 1-31, a year of four digits (or two, last), one separator.
# Codes that only share the shape (a version 3.1.0, a blood pressure 120/80/1) are not.
_YEAR, _MONTH, _DAY = r"(?:1[89]|20)\d\d", r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12]\d|3[01])"
_DATE_TEXT = re.compile(
    rf"(?:{_YEAR}(?P<a>[/.\-]){_MONTH}(?P=a){_DAY}"
    rf"|{_DAY}(?P<b>[/.\-]){_MONTH}(?P=b)(?:{_YEAR}|\d\d)"
    rf"|{_MONTH}(?P<c>[/.\-]){_DAY}(?P=c)(?:{_YEAR}|\d\d))"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)


def _holds_dates(text: pd.Series) -> bool:
    """Whether at least 90% of the (non-missing, string) values are dates written as text."""
    return bool(text.str.strip().str.fullmatch(_DATE_TEXT).mean() >= 0.9)


def _warn_dates(name: Hashable, text: pd.Series) -> None:
    n_levels = text.nunique()
    warn_user(
        f"column {name!r} holds dates written as text (e.g. {text.iloc[0]!r}), so it is "
        f"read as labels, one level per distinct date ({n_levels} here): a date not seen "
        "in fit cannot be predicted. Drop it from X (on the command line: --id "
        f"{name!r}), or replace it by a number, e.g. days since a reference date: "
        f"(pd.to_datetime(X[{name!r}]) - pd.Timestamp('2020-01-01')).dt.days.",
        UserWarning,
    )


def _warn_if_float_identifier(name: Hashable, observed: np.ndarray) -> None:
    """The identifier warning for floats (finite, observed) that number the rows: an
    integer identifier with a blank cell, which pandas reads as float, or one written as
    100000.0, 100001.0, ..."""
    head = observed[:100]  # a measurement shows a fraction within its first values
    if len(observed) and (head == np.rint(head)).all() and np.isfinite(observed).all() and (
        observed == np.rint(observed)
    ).all() and _numbers_rows(pd.Series(observed)):
        _warn_identifier(name, "a distinct whole number in each, "
                         f"{observed.min():.0f} to {observed.max():.0f}")


def _numbers_rows(observed: pd.Series) -> bool:
    """Whether whole numbers look like row numbers: distinct, and consecutive (20 values
    or more), or spanning less than twice their count (50 or more: the row numbers of a
    split of a table, a training set or a cross-validation fold; fewer distinct values
    in a narrow span, such as the years of an annual series, are too common in data)."""
    n = len(observed)
    if n < 20 or observed.nunique() != n:
        return False
    span = observed.max() - observed.min()
    return bool(span == n - 1 or (n >= 50 and span < 2 * n))


# a number with a mark between groups of three digits: "1,730", "-12,345.5", "1,054,321",
# and, as other locales and exports write them, "1 730", "1\u00a0730" (a no-break space),
# "1\u202f730" (a narrow one) or "1'730"; one mark in a number (the group is the mark)
_THOUSANDS = re.compile(r"\s*[-+]?[1-9]\d{0,2}([,\u00a0\u202f '])\d{3}(?:\1\d{3})*(?:\.\d+)?\s*")
# a number with a decimal comma: "37,5", "-0,25", ",5"
_DECIMAL_COMMA = re.compile(r"\s*[-+]?\d*,\d+\s*")
# the marks _THOUSANDS takes, as the advice names them
_GROUP_MARK_NAMES = {",": "commas", " ": "spaces", "\u00a0": "no-break spaces",
                     "\u202f": "narrow no-break spaces", "'": "apostrophes"}


def _spelt_numbers(failed: pd.Series) -> pd.Series:
    """The values of ``failed`` (text that does not read as a number) holding a digit:
    numbers written otherwise, not text for a missing value (``"NA"``, ``"not done"``)."""
    return failed[failed.str.contains(r"\d", regex=True)]


def _text_as_numbers(text: pd.Series) -> tuple[pd.Series, str]:
    """Text read as numbers (NaN where it is none), and how marks in them were read:
    ``""`` (none needed), ``"thousands"`` where every value that does not read as a number
    but holds a digit has one mark, the same in all, between groups of three digits
    (``"1,730"``, ``"1 730"``: read without it; text without a digit, ``"NA"``, is no
    number either way), else ``"decimal"`` where each such value is a number with a
    decimal comma (``"37,5"``) or fewer than half the values read otherwise (read with
    commas as decimal marks)."""
    numbers = pd.to_numeric(text, errors="coerce")
    spelt = _spelt_numbers(text[numbers.isna()])
    if len(spelt):
        marks = spelt.str.extract(f"^{_THOUSANDS.pattern}$", expand=False)
        if marks.notna().all() and marks.nunique() == 1:
            numbers = pd.to_numeric(text.str.replace(marks.iloc[0], "", regex=False),
                                    errors="coerce")
            return numbers, "thousands"
    if (len(spelt) and spelt.str.fullmatch(_DECIMAL_COMMA).all()) or numbers.notna().mean() < 0.5:
        numbers = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        return numbers, "decimal"
    return numbers, ""


def mark_example(text: pd.Series) -> Any:
    """A value of ``text`` (strings) that does not read as a number but holds a digit
    (``"1,730"``), as the example of :func:`comma_advice`; the first value if none."""
    spelt = _spelt_numbers(text[pd.to_numeric(text, errors="coerce").isna()])
    return spelt.iloc[0] if len(spelt) else text.iloc[0]


def thousands_advice(mark: str) -> str:
    """How to read numbers grouped by ``mark`` (a thousands separator)."""
    if mark.isascii():
        return f"read the file with thousands={mark!r} (pd.read_csv(..., thousands={mark!r}))"
    return (f"remove the marks before reading the column as numbers "
            f"(pd.to_numeric(column.str.replace({mark!r}, '')))")


def comma_advice(mark: str, example: Any) -> str:
    """What a text column whose numbers carry marks (``mark`` from
    :func:`_text_as_numbers`) needs, with an ``example`` value (see
    :func:`mark_example`)."""
    if mark == "thousands":
        found = _THOUSANDS.fullmatch(str(example))
        group = found.group(1) if found else ","
        advice = (f"its numbers have {_GROUP_MARK_NAMES[group]} between groups of three "
                  f"digits (e.g. {example!r}), as thousands separators do; "
                  f"{thousands_advice(group)}")
        if group == ",":
            advice += f" (if they are decimal commas instead, {DECIMAL_COMMA_ADVICE})"
        return advice
    return f"its numbers have decimal commas (e.g. {example!r}); {DECIMAL_COMMA_ADVICE}"


# a number and what follows it: "45.0 pg/mL", "2122pg", "1,054.3 pg/mL", "-4.3 °C", "4.8e2 mg"
_NUMBER_AND_SUFFIX = (
    r"\s*([-+\u2212]?(?:\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[.,]\d+)"
    r"(?:[eE][-+]?\d+)?)\s*(\S.*?)\s*"
)
# where a unit starts: a letter, %, a degree, micro or multiplication sign, or a bracket
# before a letter ("(mg)", "[IU]")
_UNIT_START = r"[^\W\d_]|[%\u00b0\u00b5\u00d7]|[(\[][^\W\d_]"
_UNIT_SAMPLE = 1000  # values looked at first: a column of labels is told apart on them


def numbers_with_unit(text: pd.Series) -> tuple[str, list, list] | None:
    """The unit of a text column of measurements written with one (``"45.0 pg/mL"``):
    where at least half of the values start as a number does, and at least 90% of those
    are a number followed by the same suffix, starting as a unit does (a letter, ``%``,
    ``°``, ``µ``, ``×`` or a bracket), and the numbers take more than
    :data:`MAX_INTEGER_LEVELS` values, as a measurement's do; the unit, up to three such
    values and up to three of the values that do not start as a number (``"NA"``,
    ``"not done"``: text for a missing value), else None. Codes (``J45.0``), grades
    (``3a`` / ``3b``) and a few levels with a unit (``1.5 T`` / ``3 T``, doses) are
    not."""
    values = text.dropna().astype(str)
    starts = values.str.match(r"\s*[-+\u2212]?[.,]?\d")
    if starts.mean() < 0.5:
        return None
    others = list(pd.unique(values[~starts]))[:3]
    values = values[starts]  # text for a missing value does not count against the unit
    if len(values) <= MAX_INTEGER_LEVELS:
        return None
    pattern = f"^{_NUMBER_AND_SUFFIX}$"
    if not values.iloc[:_UNIT_SAMPLE].str.match(pattern).mean() >= 0.8:  # labels: quickly
        return None
    found = values.str.extract(pattern)
    suffix = found[1].where(found[1].str.match(_UNIT_START).fillna(False))
    if suffix.notna().mean() < 0.9:
        return None
    unit = suffix.mode().iloc[0]
    same = suffix == unit
    if same.mean() < 0.9 or found[0][same].nunique() <= MAX_INTEGER_LEVELS:
        return None
    return unit, list(pd.unique(values[same]))[:3], others


def _distinct_in_every_row(observed: pd.Series) -> bool:
    """At least 20 values, each different (hashable values only)."""
    try:
        return len(observed) >= 20 and observed.nunique() == len(observed)
    except (TypeError, NotImplementedError):  # lists, dicts (in pyarrow: not implemented)
        return False


def _warn_identifier(name: Hashable, how: str, read_as: str = "a measurement") -> None:
    warn_user(
        f"column {name!r} numbers the rows ({how}), as an identifier does; it is read as "
        f"{read_as}. Drop it from X (on the command line: --id {name!r}) unless it is one.",
        UserWarning,
    )


# the advice for a file with decimal commas (the command line names its own option)
DECIMAL_COMMA_ADVICE = "read the file with decimal=',' (pd.read_csv(..., decimal=','))"
# the advice for a category never seen in fit (the command line names its own option)
UNKNOWN_CATEGORY_ADVICE = "set handle_unknown='missing'"


class UnseenValueError(ValueError):
    """A discrete column holds values that fit never saw: ``column``, the unseen
    ``values`` and the known ``categories`` (for callers that explain it further)."""

    def __init__(self, message: str, column: Any = None, values: Any = (),
                 categories: Any = ()):
        super().__init__(message)
        self.column, self.values, self.categories = column, values, categories


# with handle_unknown='missing', a column of at least this many values, most of them
# unseen in fit, is warned about: it was probably coded otherwise
_UNSEEN_WARN_ROWS = 10


def warn_numbers_as_text(names: list) -> None:
    """One warning for the columns ``names`` that hold numbers written as text, read as
    measurements (see :func:`infer_kind`)."""
    if not names:
        return
    # no example values: they differ from fold to fold, and the same text is shown once
    if len(names) == 1:
        which, its, read = f"column {names[0]!r} holds", "its", "it is read as a measurement"
        convert = f"pd.to_numeric(X[{names[0]!r}])"
    else:
        which = f"{len(names)} columns ({_show(names, 8)}) hold"
        its, read = "their", "they are read as measurements"
        convert = "X[cols].apply(pd.to_numeric)"
    warn_user(
        f"{which} numbers written as text ({its} values are strings, as "
        f"pd.read_csv(..., dtype=str) gives); {read}, the text parsed as numbers in fit and "
        f"predict. Convert with {convert} to say so; to keep a column as labels, give it a "
        "category dtype (.astype('category')) or declare it with column_types.",
        UserWarning,
    )


def _warn_if_numbers_as_text(
    name: Any, text: pd.Series, as_numbers: pd.Series, comma: str
) -> None:
    """Warn when a text column is mostly numbers written as text, as a measurement read
    from a file with a few notes in it ("<0.1", "n/a") or with decimal commas: it is read
    as categorical labels, one level per distinct value. ``as_numbers`` and ``comma``
    are :func:`_text_as_numbers` of ``text``."""
    parsed = as_numbers.notna()
    others = text[~parsed]
    if parsed.mean() < 0.5:  # most negative, with a typographic minus: "\u22121.8"
        as_numbers = pd.to_numeric(text.str.replace(_MINUS, "-", regex=False), errors="coerce")
        parsed, comma = as_numbers.notna(), ""
    if parsed.mean() < 0.5 or _numbers_kind(as_numbers[parsed]) != "gaussian":
        return
    levels = f"{text.nunique()} levels"
    if comma:
        how = comma_advice(comma, mark_example(text))
    else:
        how = f"it also holds other text ({_show(pd.unique(others))}); " + _text_advice(
            name, others)
    warn_user(
        f"column {name!r} holds numbers written as text ({_show(pd.unique(text[parsed]))}), "
        f"so it is read as categorical labels, one level per distinct value ({levels}): "
        f"{how}. To keep it as labels, give it a category dtype "
        f"(X[{name!r}].astype('category')) or declare it with column_types.",
        UserWarning,
    )


_MINUS = "\u2212"  # the typographic minus sign, as word processors write it


def _text_advice(name: Any, others: pd.Series) -> str:
    """How to read a measurement column of numbers that also holds the text ``others``
    (strings that do not read as numbers): where some hold a digit (``"\u22121.8"``, with
    a typographic minus; ``"12 %"``), converting would make those missing too, so the
    advice is to write them as plain numbers first."""
    spelt = _spelt_numbers(others)
    if spelt.str.contains(_MINUS, regex=False).any():
        return (f"if it is a measurement, write its minus signs as '-' and convert it: "
                f"pd.to_numeric(X[{name!r}].str.replace({_MINUS!r}, '-'), errors='coerce')")
    if len(spelt):
        return (f"if it is a measurement, first write the text with digits (e.g. "
                f"{spelt.iloc[0]!r}) as plain numbers (a '-' for a minus, without units or "
                f"marks), which pd.to_numeric(X[{name!r}], errors='coerce') would make "
                "missing, then convert it so")
    return (f"if it is a measurement, convert it with pd.to_numeric(X[{name!r}], "
            "errors='coerce') (the text becomes missing)")


def _warn_if_measurement_declared_levels(
    name: Hashable, column: pd.Series, levels: pd.Index, kind: str
) -> None:
    """Warn where ``column_types`` declares categorical a numeric column that reads as a
    measurement: more than :data:`MAX_INTEGER_LEVELS` distinct values, some fractional.
    Each value becomes a level seen about once, and most new values are unknown at
    prediction."""
    if kind != "categorical" or len(levels) <= MAX_INTEGER_LEVELS or not (
        pd.api.types.is_numeric_dtype(column.dtype)
        and not pd.api.types.is_bool_dtype(column.dtype)
    ):
        return
    values = levels.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.all(values == np.rint(values)):
        return
    warn_user(
        f"column {name!r} is declared categorical in column_types but holds "
        f"{len(levels)} distinct numbers, some with fractional parts ({_show(levels)}): "
        "each value becomes a level of its own, and a value not seen in fit is unknown at "
        f"prediction. If it is a measurement, declare it column_types={{{name!r}: "
        "'gaussian'}.",
        UserWarning,
    )


def _numbers_kind(numbers: pd.Series) -> str:
    """The kind :func:`infer_kind` gives parsed ``numbers``, without its warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return infer_kind(numbers)


def _float_kind(observed: np.ndarray) -> str:
    """The kind of a numeric column from its observed (non-missing) values: Gaussian,
    unless it holds whole numbers only (an integer column read with holes, which pandas
    makes float) with few levels."""
    if len(observed) and np.isfinite(observed).all() and (observed == np.rint(observed)).all():
        n_levels = len(np.unique(observed))
        if 2 <= n_levels < len(observed) and n_levels <= MAX_INTEGER_LEVELS:
            if n_levels <= 2 and set(np.unique(observed).tolist()) <= {0.0, 1.0}:
                return "bernoulli"
            return "categorical"
    return "gaussian"


# the advice for a number that codes a missing value (the command line names its option)
MISSING_CODE_ADVICE = "replace it with NaN first"
# codes of missing values in exported tables: 9, 99, 999, ... with either sign
_MISSING_CODES = np.array([sign * (10.0**k - 1) for k in range(1, 7) for sign in (1, -1)])
_CODE_SPREADS = 10  # a code lies this many interquartile ranges (or sds) beyond the rest


def _numbers_of(column: pd.Series) -> np.ndarray | None:
    """The observed values of a numeric (not boolean) column as floats, else None."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        return None
    return column.dropna().to_numpy(dtype=np.float64)


def _warn_if_missing_code(name: Any, values: np.ndarray | None) -> bool:
    """Warn when a column repeats a number such as -999 or 9999 far outside its other
    values: the code of a missing value in an exported table, which would be read as a
    measurement (and inflate the very spread that far values are measured against).
    Only numbers made of nines are candidates, so the common case costs one ``isin``.
    Returns whether it warned."""
    if values is None or len(values) < 10:
        return False
    coded = np.isin(values, _MISSING_CODES)
    if coded.sum() < 2:
        return False
    warned = False
    for code in np.unique(values[coded]):
        rows = int(np.sum(values == code))
        others = values[(values != code) & ~coded]
        if rows < 2 or len(others) < 5:
            continue
        low, q1, q3, high = np.percentile(others, [0, 25, 75, 100])
        spread = max(q3 - q1, float(np.std(others)))
        if q1 - _CODE_SPREADS * spread <= code <= q3 + _CODE_SPREADS * spread:
            continue
        shown = f"{code:g}"
        warn_user(
            f"column {name!r} holds {shown} in {rows} rows, far outside its other values "
            f"({low:.4g} to {high:.4g}), as a code for a missing value does; it is read as a "
            f"measurement. If it is one, {MISSING_CODE_ADVICE} "
            f"(X[{name!r}].replace({shown}, np.nan)).",
            UserWarning,
        )
        warned = True
    return warned


def _plain_floats(column: pd.Series) -> np.ndarray | None:
    """The values of a column with a numpy float dtype (a view, no copy), else None: such
    a column is summarised with numpy alone, which on wide frames is several times faster
    than pandas' per-column work."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return column.to_numpy()
    return None


def _is_missing(values: pd.Series) -> np.ndarray:
    return values.isna().to_numpy()


class ColumnCodec:
    """Kinds, categories, means and scales of the blanket columns, learned in ``fit``.

    ``mean`` / ``scale`` are per column (0 / 1 for discrete columns), so continuous
    columns convert between original units and model units as ``(v - mean) / scale``.
    """

    # names of the columns constant in fit (one value, or one level seen); empty for
    # codecs pickled before the set was kept
    constant: frozenset = frozenset()
    # whether those columns are read as missing in every row: codecs made before that rule
    # (pickled, or in older model files) read them on a unit scale, and keep doing so, so
    # that a loaded model predicts as the saved one did
    constant_as_missing: bool = False
    # names of the continuous columns with no negative value in fit, where a negative code
    # for a missing value (-999) is warned of however close to the mean it lies; empty for
    # codecs made before the set was kept
    nonnegative: frozenset = frozenset()
    # the levels (codes) of each categorical column that its dtype declared but no
    # training row held, whose weights were never trained; empty for codecs made before
    # they were kept
    untrained: Mapping = MappingProxyType({})

    def __init__(
        self,
        frame: pd.DataFrame,
        names: list,
        overrides: Mapping | None = None,
    ) -> None:
        overrides = {k: normalise_kind(v, k) for k, v in (overrides or {}).items()}
        self.names = list(names)
        kinds, categories, has_missing = [], [], []
        mean = np.zeros(len(names))
        scale = np.ones(len(names))
        constant, nonnegative = [], []
        untrained: dict[Any, tuple[int, ...]] = {}
        rounded: list[tuple[Any, float, float]] = []  # constant up to float64 rounding
        # (name, common value, rows off it, measured rows, sd[, the other value]): a
        # measurement that varies in one row (read as constant) or in a few (warned of)
        lone: list[tuple[Any, float, int, int, float, float]] = []
        seldom: list[tuple[Any, float, int, int, float]] = []
        text_numbers: list = []  # columns of numbers written as text: one warning for all
        observed: list[int] = []  # measured rows per column
        for j, name in enumerate(names):
            column = frame.iloc[:, j]
            check_measurement_dtype(column, name)
            floats = _plain_floats(column)
            if floats is not None:
                finite = floats[~np.isnan(floats)].astype(np.float64, copy=False)
                if name in overrides:
                    kind = overrides[name]
                else:
                    _warn_if_float_identifier(name, finite)
                    kind = _float_kind(finite)
                n_observed = len(finite)
            else:
                kind = (overrides[name] if name in overrides
                        else infer_kind(column, text_numbers))
                n_observed = int(column.notna().sum())
            has_missing.append(n_observed < len(column))
            observed.append(n_observed)
            coded = _warn_if_missing_code(
                name, finite if floats is not None else _numbers_of(column)
            )
            if len(column) and n_observed == 0:
                raise ValueError(
                    f"column {name!r} holds only missing values; the model cannot learn "
                    "anything about it. Drop it from X (and the graph) or fill it."
                )
            if kind == "gaussian":
                if floats is None:
                    numeric = _as_float(column, name)
                    finite = numeric[~np.isnan(numeric)]
                if np.isinf(finite).any():
                    raise _infinite_error([name], int(np.isinf(finite).sum()))
                if len(finite):
                    if finite.min() >= 0:
                        nonnegative.append(name)
                    mean[j], sd = _mean_and_sd(finite)
                    rare = _rare_variation(finite)
                    if negligible_sd(sd, float(np.abs(finite).max())):
                        constant.append(name)
                        if finite.min() != finite.max():  # varies, below the rounding
                            rounded.append((name, sd, float(np.abs(finite).max())))
                    elif rare is not None and rare[1] == 1:  # one row sets the sd
                        constant.append(name)
                        other = float(finite[finite != rare[0]][0])
                        lone.append((name, *rare, sd, other))
                    else:
                        if rare is not None:
                            seldom.append((name, *rare, sd))
                        scale[j] = sd
                        if not coded:  # a code for missing is warned about as such
                            _warn_if_outlying(name, finite, mean[j], sd)
                categories.append(None)
            else:
                levels = _levels(column)
                if any(is_real_number(v) and math.isinf(v) for v in levels):
                    # a level of its own, else; an error as in a measurement
                    raise _infinite_error([name], _n_infinite(column))
                if name in overrides:
                    _warn_if_measurement_declared_levels(name, column, levels, kind)
                if kind == "bernoulli" and len(levels) > 2:
                    merged = len({_spelling(v) if isinstance(v, str) else v for v in levels})
                    fix = (  # 'yes' / 'Yes ': one finding spelt two ways
                        f"some differ only in case or in spaces around them; write them "
                        f"alike first, e.g. X[{name!r}] = X[{name!r}].str.strip().str.lower()"
                        if merged <= 2 else "declare it 'categorical' instead"
                    )
                    raise ValueError(
                        f"column {name!r} is declared 'bernoulli' but holds {len(levels)} "
                        f"values ({_show(levels)}); {fix}."
                    )
                if column.dropna().nunique() <= 1:  # declared levels may go unseen
                    constant.append(name)
                elif isinstance(column.dtype, pd.CategoricalDtype):
                    unheld = ~np.asarray(levels.isin(column.dropna().unique()))
                    if unheld.any():
                        untrained[name] = tuple(np.flatnonzero(unheld).tolist())
                variants = spelling_variants(levels)
                if variants:
                    warn_user(
                        f"column {name!r} holds values that differ only in case or in spaces "
                        f"around them ({', '.join(_show(group) for group in variants[:3])}); "
                        "each is a level of its own. If they mean the same, write them "
                        f"alike before fit, e.g. X[{name!r}] = X[{name!r}].str.strip() (and "
                        ".str.lower()).",
                        UserWarning,
                    )
                categories.append(levels)
            kinds.append(kind)
        warn_numbers_as_text(text_numbers)
        varying = {r[0] for r in rounded} | {r[0] for r in lone}
        flat = [c for c in constant if c not in varying]
        if flat and len(frame) > 1:
            warn_user(
                f"columns {flat} are constant in the training data (or hold a single "
                "measured value); they carry no information, and the model reads them as "
                "missing, in fit and in prediction: a value they take later adds no "
                "evidence.",
                UserWarning,
            )
        if rounded:
            name, sd, size = rounded[0]
            warn_user(
                f"columns {[r[0] for r in rounded]} vary by less than 1e-12 of the size of "
                f"their values (column {name!r}: sd {sd:.3g} against values up to "
                f"{size:.3g}), too close to float64 rounding to be read reliably; the "
                "model reads them as missing, as constant columns. If the "
                "variation is real, subtract the common offset before fit, e.g. "
                f"X[{name!r}] = X[{name!r}] - X[{name!r}].min().",
                UserWarning,
            )
        _warn_of_rare_variation(lone, seldom)
        _warn_if_sparse(len(frame), names, observed, constant)
        unknown = sorted(set(overrides) - set(names), key=str)
        if unknown:
            from .graph import did_you_mean

            close = {u: did_you_mean(u, names) for u in unknown}
            hints = "; ".join(f"{u!r}: did you mean {c[0]!r}?" for u, c in close.items() if c)
            warn_user(
                f"column_types names {unknown}, which are not columns the model uses; "
                "those entries are ignored." + (f" ({hints})" if hints else ""),
                UserWarning,
            )
        self.kinds = tuple(kinds)
        self.has_missing = tuple(has_missing)
        self.categories = categories
        self.mean = mean
        self.scale = scale
        self.constant = frozenset(constant)
        self.untrained = untrained
        self.constant_as_missing = True
        self.nonnegative = frozenset(nonnegative)

    # -- queries ----------------------------------------------------------------------
    @property
    def missing_constant(self) -> frozenset:
        """The columns read as missing in every row: those constant in fit (see
        :attr:`constant_as_missing`)."""
        return self.constant if self.constant_as_missing else frozenset()

    @property
    def levels(self) -> tuple[int, ...]:
        """Number of values per column: 1 for Gaussian, 2 for Bernoulli, L for categorical."""
        return tuple(
            1 if kind == "gaussian" else max(len(cats), 2 if kind == "bernoulli" else 1)
            for kind, cats in zip(self.kinds, self.categories, strict=True)
        )

    def _of(self, values: tuple, nodes: list) -> tuple:
        position = {n: i for i, n in enumerate(self.names)}
        return tuple(values[position[n]] for n in nodes)

    def kinds_of(self, nodes: list) -> tuple[str, ...]:
        """The kind of each of ``nodes``."""
        return self._of(self.kinds, nodes)

    def missing_of(self, nodes: list) -> tuple[bool, ...]:
        """Whether each of ``nodes`` had missing values in the training data."""
        return self._of(self.has_missing, nodes)

    def levels_of(self, nodes: list) -> tuple[int, ...]:
        """The number of values of each of ``nodes`` (1 for a Gaussian column)."""
        return self._of(self.levels, nodes)

    @property
    def all_gaussian(self) -> bool:
        return all(kind == "gaussian" for kind in self.kinds)

    # -- coding -------------------------------------------------------------------------
    def transform(
        self, frame: pd.DataFrame, handle_unknown: str = "error", check_far: bool = True
    ) -> np.ndarray:
        """Codes of ``frame`` (columns in :attr:`names` order), NaN where missing.
        ``check_far`` looks for values far from the training data (:func:`_check_far`):
        not on the training data itself, whose outliers are what its scale is made of.

        The array is column-major: it is filled and later split into roles column by
        column, which on a million rows is several times faster than row-major.
        """
        out = np.empty((len(frame), len(self.names)), dtype=np.float64, order="F")
        done = self._numeric_block(frame, out, check_far)
        rows = frame.index
        for j, name in enumerate(self.names):
            if done[j]:
                continue
            if name in self.missing_constant:  # no information: read as missing
                out[:, j] = np.nan
                continue
            column = frame.iloc[:, j]
            if self.kinds[j] == "gaussian":
                if pd.api.types.is_bool_dtype(column.dtype) and not (
                    0.0 <= self.mean[j] <= 1.0 and self.scale[j] <= 0.5 + 1e-9
                ):  # True / False where fit saw values no 0 / 1 column has: another column?
                    warn_user(
                        f"column {name!r} holds True / False, read as 1 / 0, but was a "
                        f"measurement in fit (mean {self.mean[j]:.3g}, sd "
                        f"{self.scale[j]:.3g}); check that it is the right column.",
                        UserWarning,
                    )
                values = _as_float(column, name)[:, None]
                out[:, j] = self._standardised(values, [j], check_far, rows)[:, 0]
            else:
                out[:, j] = self._codes(column, j, handle_unknown)
        return out

    def _numeric_block(self, frame: pd.DataFrame, out: np.ndarray, check_far: bool) -> np.ndarray:
        """Code the continuous columns of a small frame with a numeric dtype in one step.

        Column by column, coding costs about 0.1 ms per column whatever the rows, which
        dominates predicting a few rows of a wide frame; on large frames it stays column
        by column, so no temporary copy of the whole frame is made. Returns which
        columns were coded.
        """
        done = np.zeros(len(self.names), dtype=bool)
        if len(frame) * len(self.names) > _BLOCK_VALUES:
            return done
        for j, (kind, dtype) in enumerate(zip(self.kinds, frame.dtypes, strict=True)):
            # numpy int / float dtypes only: nullable and object columns go one by one
            done[j] = (kind == "gaussian" and isinstance(dtype, np.dtype) and dtype.kind in "fiu"
                       and self.names[j] not in self.missing_constant)
        index = np.flatnonzero(done)
        if len(index) == 0:
            return done
        values = frame.iloc[:, index].to_numpy(np.float64)
        out[:, index] = self._standardised(values, index, check_far, frame.index)
        return done

    def _standardised(
        self, values: np.ndarray, index: Any, check_far: bool, rows: pd.Index | None = None
    ) -> np.ndarray:
        """Continuous ``values`` (rows x the columns ``index``) in model units; infinite
        values are an error naming their columns, and values far from everything seen in
        fit (see :func:`_check_far`, which names the ``rows`` labels) a warning or an
        error."""
        bad = np.isinf(values)
        if bad.any():
            columns = [self.names[j] for j in np.asarray(index)[bad.any(axis=0)]]
            raise _infinite_error(columns, int(bad.sum()))
        index = np.atleast_1d(np.asarray(index))
        units = (values - self.mean[index]) / self.scale[index]
        if check_far:
            names = [self.names[j] for j in index]
            lowest, top = _unit_range(units)
            # a value below zero, in a column fit saw none below, sits below the unit of 0
            zero = -self.mean[index] / self.scale[index]
            nonnegative = np.array([name in self.nonnegative for name in names], dtype=bool)
            _check_codes(units, values, names, top, rows, nonnegative & (lowest < zero))
            _check_far(units, values, names, self.mean[index], self.scale[index], top, rows)
        return units

    def _codes(self, column: pd.Series, j: int, handle_unknown: str) -> np.ndarray:
        categories = self.categories[j]
        missing = _is_missing(column)
        codes = pd.Index(categories).get_indexer(column.to_numpy()).astype(np.float64)
        unseen = (codes < 0) & ~missing
        if unseen.any():  # 0/1 for False/True, 2.0 for 2: the same values in another type
            codes[unseen] = _codes_by_number(categories, column[unseen].to_numpy())
            unseen = (codes < 0) & ~missing
        if unseen.any():
            # fit takes no infinite level, so an infinite value is unseen: an error,
            # not a value unseen in fit, whatever handle_unknown says
            infinite = _n_infinite(column[unseen])
            if infinite:
                raise _infinite_error([self.names[j]], infinite)
            values = pd.unique(column[unseen])
            if handle_unknown == "error":
                raise UnseenValueError(
                    f"column {self.names[j]!r} holds values {_show(values)} that were not "
                    f"seen in fit (known: {_show(categories)}); map them to known values, or "
                    f"{UNKNOWN_CATEGORY_ADVICE} to treat them as missing."
                    + _near_categories(self.names[j], list(values), list(categories),
                                       isinstance(column.dtype, pd.CategoricalDtype)),
                    self.names[j], values, categories,
                )
            observed = int((~missing).sum())
            if observed >= _UNSEEN_WARN_ROWS and unseen.sum() * 2 > observed:
                warn_user(
                    f"column {self.names[j]!r}: {int(unseen.sum())} of its {observed} values "
                    f"were not seen in fit ({_show(values)}; known: {_show(categories)}) and "
                    "are read as missing (handle_unknown='missing'), so the model barely "
                    "reads this column; check whether it is coded as in the training data."
                    + _near_categories(self.names[j], list(values), list(categories),
                                       isinstance(column.dtype, pd.CategoricalDtype)),
                    UserWarning,
                )
        codes[codes < 0] = np.nan
        return codes

    def inverse(self, codes: np.ndarray) -> pd.DataFrame:
        """Original units and labels from codes (the inverse of :meth:`transform`)."""
        data = {}
        for j, name in enumerate(self.names):
            column = codes[:, j]
            if self.kinds[j] == "gaussian":
                data[name] = column * self.scale[j] + self.mean[j]
            else:
                cats = self.categories[j]
                index = np.where(np.isnan(column), -1, np.rint(column)).astype(int)
                index = np.clip(index, -1, len(cats) - 1)
                data[name] = pd.Categorical.from_codes(index, categories=cats)
                if cats.dtype.kind == "b" or (len(cats) and isinstance(cats[0], (bool, np.bool_))):
                    data[name] = data[name].astype(object)
        return pd.DataFrame(data, columns=self.names)


def _spelling(value: Any) -> str:
    """A value's text without case and surrounding spaces: 'Male ' and 'male' alike."""
    return str(value).strip().casefold()


def spelling_variants(values: Iterable) -> list[list]:
    """Groups of text values that differ only in case or in spaces around them ('Male',
    'male ', 'MALE'); values that are not text are left out."""
    groups: dict[str, list] = {}
    for value in values:
        if isinstance(value, str):
            groups.setdefault(_spelling(value), []).append(value)
    return [group for group in groups.values() if len(group) > 1]


_MAPPED = 20  # values the hint maps for a column whose unseen values differ in case


def _near_categories(
    name: Hashable, values: list, categories: list, categorical: bool = False
) -> str:
    """A hint where unseen ``values`` spell known ``categories`` in another type (``"1"``
    for ``1``, as a file read as text gives) or in another case, or are numbers of a
    column read as categories (a grade); empty otherwise. ``categorical``: the column
    has a pandas category dtype (whose values cannot be replaced in place)."""
    retyped, known = same_text_other_type(values, categories)
    if retyped:
        kind = type(known[0]).__name__
        if len({type(c) for c in categories}) > 1:  # fit's levels mix types: map these
            pairs = list(zip(retyped, known, strict=True))[:_MAPPED]
            fix = ".replace({" + ", ".join(f"{v!r}: {k!r}" for v, k in pairs) + "})"
        elif isinstance(known[0], (bool, np.bool_)):  # astype(bool) reads "False" as True
            fix = ".map({'False': False, 'True': True})"
        else:
            fix = f".astype({'str' if isinstance(known[0], str) else kind!r})"
        return (
            f" {_show(retyped)} spell the known values {_show(known)} as another type "
            f"({type(retyped[0]).__name__}, not {kind}): convert the column, e.g. "
            f"X[{name!r}] = X[{name!r}]{fix}."
        )
    by_case = {_spelling(c): c for c in categories}
    recased = [v for v in values if _spelling(v) in by_case]
    if recased:
        shown = recased[:_MAPPED]
        mapping = ", ".join(f"{v!r}: {by_case[_spelling(v)]!r}" for v in shown)
        others = " (and the others alike)" if len(recased) > len(shown) else ""
        column = f"X[{name!r}]" + (".astype(object)" if categorical else "")
        return (
            f" {_show(recased)} differ from known values "
            f"{_show([by_case[_spelling(v)] for v in recased])} only in case or in spaces "
            "around them: map them to the spelling used in fit, e.g. "
            f"X[{name!r}] = {column}.replace({{{mapping}}}){others}."
        )
    if not (categories and all(is_real_number(c) for c in categories)
            and all(is_real_number(v) for v in values)):
        return ""
    # numbers of a column read as categorical from the few whole numbers of the training
    # rows; read as missing, a measured value would count as not measured
    fractional = [v for v in values if not float(v).is_integer()]
    if fractional and not all(float(c).is_integer() for c in categories):
        return (
            f" {name!r} is read as categories (as column_types or its dtype says), yet its "
            "values are numbers with fractional parts, each a level of its own: if it is a "
            f"measurement, read it as one, column_types={{{name!r}: 'gaussian'}}, and "
            "refit."
        )
    if fractional:
        return (
            f" {_show(fractional)} have a fractional part, so {name!r} is a measurement "
            "whose training rows happened to hold few distinct whole numbers (read as "
            f"categories): read it as one, column_types={{{name!r}: 'gaussian'}}, and refit; "
            "handle_unknown='missing' would count such a value as not measured."
        )
    levels = sorted({*categories, *values})
    return (
        " Whole numbers with few distinct values (a grade, a score) are read as "
        "categories with the levels seen in fit, so a level missing from the training "
        "rows (a rare grade, a cross-validation fold) is unknown: declare every level, "
        f"X[{name!r}] = X[{name!r}].astype(pd.CategoricalDtype({_show(levels, 20)})) (a "
        "level no training row holds is then known but untrained, and rows holding it are "
        "warned of), or "
        f"read the column as a measurement, column_types={{{name!r}: 'gaussian'}} "
        "(handle_unknown='missing' would count such a value as not measured)."
    )


def same_text_other_type(missing: list, known: list) -> tuple[list, list]:
    """The ``missing`` values that a ``known`` value spells alike with another type
    (``"1"`` for ``1``), and those known values."""
    by_text = {str(k): k for k in known}
    retyped = [v for v in missing if str(v) in by_text and by_text[str(v)] != v]
    return retyped, [by_text[str(v)] for v in retyped]


def _as_number(value: Any) -> Any:
    """True / False as 1 / 0 and whole floats as ints; anything else unchanged."""
    if isinstance(value, (bool, np.bool_, numbers.Integral)):
        return int(value)
    if is_real_number(value) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return value


def _codes_by_number(categories: pd.Index, values: np.ndarray) -> np.ndarray:
    """Codes of ``values`` matched to ``categories`` by number, -1 where none matches:
    a binary column fitted as bools and given as 0/1 (or the reverse), or graded values
    fitted as integers and given as floats (an integer column read with holes)."""
    keys = [_as_number(c) for c in categories]
    if len(set(keys)) < len(keys):  # ambiguous (e.g. both 1 and True): no match
        return np.full(len(values), -1.0)
    index = {key: i for i, key in enumerate(keys)}
    return np.array([index.get(_as_number(v), -1) for v in values], dtype=np.float64)


def is_real_number(value: Any) -> bool:
    """A real number (Python or numpy), not a bool or a string."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def numbers_only(column: pd.Series) -> bool:
    """Whether an object column holds real numbers alone (besides missing values): a
    column fit reads as numbers, as it reads a numeric dtype."""
    observed = column.dropna()
    return (column.dtype == object and len(observed) > 0
            and all(map(is_real_number, observed)))


def to_numbers(column: pd.Series) -> pd.Series:
    """``pd.to_numeric(column)``, also for real numbers pandas cannot read itself
    (``fractions.Fraction``): those are read as Python floats first, and for missing
    markers it cannot read among numbers or alone (``pd.NaT`` in an object column): NaN."""
    try:
        return pd.to_numeric(column, errors="raise")
    except TypeError:
        if not column.notna().any():  # missing markers alone (pd.NaT, None): no number
            return pd.Series(np.nan, index=column.index, dtype=np.float64, name=column.name)
        if not numbers_only(column):
            raise
        floats = column.map(float, na_action="ignore")
        return pd.to_numeric(floats.where(column.notna(), np.nan))


def columns_by_label(frame: pd.DataFrame, labels: list) -> pd.DataFrame:
    """``frame.loc[:, labels]``, always by label: pandas reads a list of labels True and
    False (the columns of ``pd.get_dummies`` of a bool column) as a mask instead."""
    return frame.iloc[:, frame.columns.get_indexer_for(labels)]


def check_name_types(X: pd.DataFrame) -> None:
    """A frame whose column names mix text and other types (``0`` beside ``'age'``):
    scikit-learn keeps names only where all are text, and a graph names its nodes one
    way or the other."""
    kinds: dict[str, list] = {}
    for column in X.columns:  # numpy's str_ too: scikit-learn refuses str beside str_
        kinds.setdefault(type(column).__name__, []).append(column)
    if "str" in kinds and len(kinds) > 1:
        others = "; ".join(f"{kind}: {names[:3]}" for kind, names in kinds.items()
                           if kind != "str")
        raise TypeError(
            f"X's column names mix text ({kinds['str'][:3]}) with other types ({others}); "
            "give every column a text name, X.columns = X.columns.astype(str), and the "
            "nodes of a graph given for them the same, nx.relabel_nodes(graph, str)."
        )


def check_unique_columns(X: pd.DataFrame, matched: str = "to the graph's nodes") -> None:
    """A frame whose column names repeat cannot be matched by name (``matched``: to what)."""
    repeated = X.columns[X.columns.duplicated()].unique().tolist()
    if repeated:
        raise ValueError(
            f"X has several columns named {repeated}; column names must be unique to be "
            f"matched {matched}. Rename or drop the duplicates."
        )


def check_label_not_a_column(y_name: Hashable | None, columns: Sequence) -> None:
    """Labels whose name is a column of X: that column would be read as a measurement of
    the label it holds (``fit(df, df["label"])`` without dropping the column)."""
    if y_name is not None and any(y_name == column for column in columns):
        raise ValueError(
            f"y is named {y_name!r}, which is also a column of X: the labels would be read "
            f"as a measurement of themselves. Drop that column from X "
            f"(X.drop(columns=[{y_name!r}])), or rename y if it is another variable."
        )


def missing_rows(values: Any, positions: Any = None) -> tuple[int, str]:
    """How many of ``values`` are missing (NaN, None, ``pd.NA``) and the first few of
    their row numbers as text, e.g. ``(2, "3, 8")``; ``positions`` gives each value's row
    number when the values are a subset of the rows, or its index label."""
    return _row_numbers(np.flatnonzero(pd.isna(values)), positions)


def _row_numbers(rows: np.ndarray, positions: Any) -> tuple[int, str]:
    """How many ``rows`` (indices into the values) and the first few row numbers as text
    (``positions`` as in :func:`missing_rows`, or a pandas Index of the rows' labels,
    then said as ``labelled 'P003', 'P008'``: a label that is not a whole number is
    quoted)."""
    labelled = isinstance(positions, pd.Index)
    if positions is not None:
        rows = np.asarray(positions, dtype=object)[rows]
    text = ", ".join(_row_name(i) for i in rows[:5]) + (", ..." if len(rows) > 5 else "")
    return len(rows), f"labelled {text}" if labelled else text


def row_labels(X: Any) -> pd.Index | None:
    """The index labels that messages name X's rows by: a DataFrame's own index where
    it is unique and not the positions ``0..n-1`` (those name the rows as well, and
    repeated labels name none); else None, for positions."""
    if not isinstance(X, pd.DataFrame) or not X.index.is_unique:
        return None
    if X.index.equals(pd.RangeIndex(len(X))):
        return None
    return X.index


def _row_name(row: Any) -> str:
    """A row number or numeric label as it is (``7``), any other index label quoted as
    text (``'P007'``, ``'2020-01-04 00:00:00'``)."""
    row = _plain(row)
    if isinstance(row, (int, float)) and not isinstance(row, bool):
        return str(row)
    return repr(row if isinstance(row, tuple) else str(row))  # a MultiIndex's tuple


def check_sample_weight(
    sample_weight: VectorLike, n_rows: int, rows: Any = None
) -> np.ndarray:
    """``sample_weight`` (of fit, score or graph discovery) as a float array, checked: one
    finite, non-negative weight per row (a single number stands for every row), not all
    zero. Errors name a Series by its name, and the rows by ``rows`` (X's index labels)
    where given, else by position (see :func:`row_labels`)."""
    name = getattr(sample_weight, "name", None)
    what = "sample_weight" if name is None else f"sample_weight (column {name!r})"
    values = np.asarray(sample_weight)
    if values.ndim > 1:
        raise ValueError(
            f"{what} must be a 1-d array of one weight per row, got shape "
            f"{values.shape}; pass e.g. a numeric Series aligned with X."
        )
    try:
        weights = values.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{what} must hold numbers, one per row; could not read it as numbers "
            f"({error})."
        ) from None
    if weights.ndim == 0:
        weights = np.full(n_rows, float(weights))
    if len(weights) != n_rows:
        raise ValueError(
            f"{what} has {len(weights)} entries but X has {n_rows} rows; pass one "
            "weight per row."
        )
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if len(bad):
        names = bad if rows is None else np.asarray(rows, dtype=object)[bad]
        row = "row" if rows is None else "row labelled"
        shown = ", ".join(f"{row} {_row_name(name)}: {float(weights[i])}"
                          for name, i in zip(names[:5], bad[:5], strict=True))
        shown += ", ..." if len(bad) > 5 else ""
        raise ValueError(
            f"{what} must be finite and non-negative; {len(bad)} of {n_rows} are not "
            f"({shown}). Give those rows a weight of 0 to leave them out, or fix them."
        )
    if not weights.any():
        raise ValueError(
            f"{what} is zero for every row, which leaves no row to fit on (or to score); "
            "give the rows that count a positive weight."
        )
    return weights


def check_one_label_per_row(n_rows: int, n_labels: int) -> None:
    """X and y of different lengths, named by both counts."""
    if n_rows != n_labels:
        raise ValueError(f"X has {n_rows} rows but y has {n_labels}; pass one label per row.")


def check_labels_present(
    y: np.ndarray, name: str = "y", positions: np.ndarray | None = None
) -> None:
    """Missing labels (NaN, None, ``pd.NA``), named by row (``positions`` as in
    :func:`missing_rows`)."""
    n_missing, rows = missing_rows(y, positions)
    if n_missing:
        raise ValueError(
            f"{name} has {n_missing} missing labels (rows {rows}); every row needs a class. "
            "Drop those rows or label them."
        )


def check_fit_labels(
    y: np.ndarray, name: str = "y", positions: np.ndarray | None = None
) -> None:
    """Labels a classifier cannot be fitted on, named before scikit-learn's generic checks
    see them: missing and infinite labels by row, zoned dates, and labels mixing text or
    True / False with other types. ``positions`` as in :func:`missing_rows`. Labels of
    one type are screened as a whole (pandas' ``infer_dtype``); only a mix of types is
    looked at label by label."""
    check_labels_present(y, name, positions)
    inferred = (pd.api.types.infer_dtype(y.ravel(), skipna=True) if y.dtype.kind == "O"
                else "")
    infinite = np.zeros(0, dtype=bool)
    if y.dtype.kind in "fc" or inferred in ("floating", "mixed-integer-float"):
        try:
            infinite = np.isinf(y.astype(np.complex128 if y.dtype.kind == "c" else np.float64))
        except OverflowError:  # an integer beyond float's range among the floats
            inferred = "mixed"
    values = y.ravel().tolist() if inferred.startswith("mixed") else []
    if values:
        infinite = np.array([isinstance(v, (float, np.floating)) and math.isinf(v)
                             for v in values], dtype=bool)
    if infinite.any():
        n_infinite, rows = _row_numbers(np.flatnonzero(infinite), positions)
        raise ValueError(
            f"{name} has {n_infinite} infinite labels (rows {rows}); a label names a "
            "class. Drop those rows or label them."
        )
    if inferred == "datetime" and all(
        isinstance(v, pd.Timestamp) and v.tzinfo is not None for v in y.ravel()[:100]
    ):
        raise ValueError(
            f"{name} holds dates with a time zone, which cannot serve as class labels as "
            f"they are; drop the zone, {name}.dt.tz_convert(None) (the dates in UTC), or pass "
            f"them as text, {name}.astype(str)."
        )
    if not values:
        return
    for kind, is_kind in (("text", lambda v: isinstance(v, str)),
                          ("True / False", lambda v: isinstance(v, (bool, np.bool_)))):
        flags = np.array([is_kind(v) for v in values], dtype=bool)
        if flags.any() and not flags.all():
            kinds = sorted({type(v).__name__ for v, flag in zip(values, flags, strict=True)
                            if not flag})
            raise ValueError(
                f"{name} mixes {kind} labels with labels of type {kinds}; use one type for "
                f"every label, e.g. {name}.astype(str)."
            )


def check_known_labels(labels: np.ndarray, classes: Any, name: str, unknown_to: str) -> None:
    """Labels outside a model's ``classes``, named, with the fix: when they only differ
    in type (``"1"`` for ``1``) the message says so. ``unknown_to`` names the model."""
    check_labels_present(labels, name)  # NaN would read as an unknown class 'nan'
    found = unknown_labels(labels, classes, name, unknown_to)
    if found is not None:
        raise ValueError(f"{found[0]}; {found[1]}")


def class_positions(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The position of each of ``labels`` among ``classes``, -1 for a label that is not
    one of them. Values equal as numbers are the same label, as numpy and scikit-learn's
    ``accuracy_score`` compare them (``True`` and ``1``, ``1`` and ``1.0``: numpy bool
    labels against the classes ``[0., 1.]`` of a pandas "boolean" y), and as
    :func:`unknown_labels` tells the unknown ones apart; a number and its text differ
    (``pd.Index.get_indexer`` matched no bool against numbers)."""
    codes, uniques = pd.factorize(labels)  # a missing label's code is -1
    position = {label: i for i, label in enumerate(np.asarray(classes).tolist())}
    found = np.fromiter((position.get(label, -1) for label in uniques.tolist()),
                        dtype=np.intp, count=len(uniques))
    return np.where(codes < 0, -1, found[codes]) if len(found) else np.full(len(codes), -1)


def unknown_labels(
    labels: np.ndarray, classes: Any, name: str, unknown_to: str
) -> tuple[str, str] | None:
    """Labels outside ``classes`` as (what they are, the fix), or None where there are
    none: :func:`check_known_labels`' message in two parts."""
    known = np.asarray(classes).tolist()
    unknown = sorted(set(labels.tolist()) - set(known), key=str)
    if not unknown:
        return None
    as_text = {str(c) for c in known}
    if all(str(u) in as_text for u in unknown):
        fix = (
            f"they match its classes in text but not in type ({type(unknown[0]).__name__} "
            f"labels, {type(known[0]).__name__} classes); convert {name} to the type the model "
            "was fitted with."
        )
    elif all(isinstance(u, str) for u in unknown) and all(
            _spelling(u) in {_spelling(c) for c in known if isinstance(c, str)}
            for u in unknown):
        spelt = {_spelling(c): c for c in known if isinstance(c, str)}
        fix = (
            f"they match its classes but for case or spaces around them ({unknown[0]!r} "
            f"for {spelt[_spelling(unknown[0])]!r}); write {name}'s labels as the model's "
            "classes are written."
        )
    else:
        fix = "pass the labels the model was fitted with."
    return f"{name} holds labels {unknown[:5]} unknown to {unknown_to} (classes: {known})", fix


def _levels(column: pd.Series) -> pd.Index:
    """The values of a discrete column, in a stable order: a categorical dtype's declared
    categories, in their declared order (ordered or not: the replay of :meth:`adapt`
    reads the levels' codes as numbers, so a natural order, low / medium / high, serves
    it; sorting an unordered dtype's levels made the replayed rows lose how such a
    column goes with the others), and both values of a bool dtype (a finding absent in
    every training row can still be present later); other columns' values, sorted."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.dtype.categories
    if column.dtype == bool or isinstance(column.dtype, pd.BooleanDtype):
        return pd.Index([False, True])
    values = pd.unique(column.dropna())
    try:
        values = np.sort(values)
    except TypeError:  # mixed types, which do not compare
        values = np.array(sorted(values, key=text_then_type), dtype=object)
    return pd.Index(values)


def text_then_type(value: Any) -> tuple[str, str]:
    """A sort key for values of mixed types: their text, then their type's name (so 1
    and "1" have an order of their own, not that of the rows that hold them)."""
    return str(value), type(value).__name__


def check_measurement_dtype(column: pd.Series, name: Any) -> None:
    """Dates (and periods: a month, a day), durations and complex numbers are not
    measurements the model can code; dates held as Python objects too (a pyarrow
    ``date32`` column reads as such, where polars' ``Date`` reads as ``datetime64``)."""
    kind = getattr(column.dtype, "kind", "O")
    if isinstance(column.dtype, pd.PeriodDtype):  # numbers to pandas: their ordinals
        kind = "p"
    if column.dtype == object and _holds_date_objects(column):  # not a declared category
        kind = "M"
    if kind in "mMcp" or isinstance(column.dtype, pd.DatetimeTZDtype):
        what, fix = {
            "m": ("durations", "a number of hours or days"),
            "c": ("complex numbers", "real numbers (e.g. the modulus or the real part)"),
            "p": ("periods", "a number with a meaning, e.g. days since a reference date"),
        }.get(kind, ("dates", "a number with a meaning, e.g. days since a reference date"))
        raise ValueError(
            f"column {name!r} holds {what} (dtype {column.dtype}); convert it to {fix}, "
            "or drop it."
        )


def _holds_date_objects(column: pd.Series) -> bool:
    """Whether every measured value of an object column is a date or a time
    (``datetime.date``, ``datetime.datetime``, ``pd.Timestamp``); the first one decides
    for most columns, without a copy of the column (this runs at every prediction)."""
    measured = column.notna().to_numpy()
    if not measured.any() or not isinstance(column.iloc[int(measured.argmax())], datetime.date):
        return False  # by position: an index may repeat labels
    return all(isinstance(value, datetime.date) for value in column[measured])


def _not_numbers(column: pd.Series) -> pd.Series:
    """The values of ``column`` that are not real numbers, for an error's example (its
    measured values where every one is a number)."""
    observed = column.dropna()
    others = observed[[not is_real_number(v) for v in observed]]
    return others if len(others) else observed


def _as_float(column: pd.Series, name: Any) -> np.ndarray:
    check_measurement_dtype(column, name)
    try:
        return to_numbers(column).to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        try:
            failed = pd.to_numeric(column, errors="coerce").isna() & column.notna()
            sample = column[failed] if failed.any() else _not_numbers(column)
        except TypeError:  # values pandas cannot even coerce (lists, dicts)
            sample = _not_numbers(column)
        as_numbers, comma = _text_as_numbers(sample.astype(str))
        if comma and as_numbers.notna().mean() >= 0.5:  # "1,5", "1,730": commas
            raise ValueError(
                f"column {name!r} is declared or inferred continuous but holds numbers "
                f"written with marks: {comma_advice(comma, mark_example(sample.astype(str)))}."
            ) from None
        example = sample.iloc[0]
        limit = isinstance(example, str) and re.fullmatch(
            r"\s*[<>]=?\s*(\d+(?:[.,]\d*)?|[.,]\d+)\s*", example)
        fix = (  # a value beyond a detection limit, '<5': a measurement, not a label
            f"write it as a number, e.g. {example.strip()!r} as "
            f"{float(limit.group(1).replace(',', '.')):g} (the detection limit) or as "
            "missing (NaN)" if limit else
            f"convert it to numbers, or, if the column holds labels, refit with "
            f"column_types={{{name!r}: 'categorical'}}"
        )
        raise ValueError(
            f"column {name!r} is declared or inferred continuous but holds non-numeric "
            f"values (e.g. {example!r}); {fix}."
        ) from None


_SPARSE_ROWS = 20  # a column measured in fewer training rows than this is flagged


def _warn_if_sparse(n_rows: int, names: list, observed: list, constant: list) -> None:
    """Warn about columns measured (``observed``, rows per column) in fewer than
    ``_SPARSE_ROWS`` of the ``n_rows`` training rows, at least twice that many: the model
    learns their relation to the label from those rows alone, and a value measured later
    can then sway a prediction on that evidence."""
    if n_rows < 2 * _SPARSE_ROWS:
        return
    sparse = [(name, n) for name, n in zip(names, observed, strict=True)
              if n < _SPARSE_ROWS and name not in constant]
    if not sparse:
        return
    shown = ", ".join(f"{name!r} in {n}" for name, n in sparse[:10])
    warn_user(
        f"columns measured in fewer than {_SPARSE_ROWS} of the {n_rows} training rows "
        f"({shown}{', ...' if len(sparse) > 10 else ''}): the model learns how they depend "
        "on the label from those rows alone, so a value measured later can sway a "
        "prediction on little evidence (explain() shows how much). Leave them out, or "
        "fit with more rows where they were measured.",
        UserWarning,
    )


def _rare_variation(values: np.ndarray) -> tuple[float, int, int] | None:
    """(common value, rows off it, rows) of finite ``values`` that all but fewer than
    ``_SPARSE_ROWS`` of at least twice that many rows hold, else None (and None for a
    constant column). Such a value holds most of any ``2 * _SPARSE_ROWS`` of the rows, so
    the first ones name it, and one comparison counts the rest (no sort of the column)."""
    if len(values) < 2 * _SPARSE_ROWS:
        return None
    head, counts = np.unique(values[: 2 * _SPARSE_ROWS], return_counts=True)
    common = head[np.argmax(counts)]
    off = int(np.count_nonzero(values != common))
    return (float(common), off, len(values)) if 0 < off < _SPARSE_ROWS else None


def _warn_of_rare_variation(lone: list, seldom: list) -> None:
    """Warn of measurements that vary in one training row (``lone``, read as missing as
    constant columns are) or in fewer than ``_SPARSE_ROWS`` of them (``seldom``); each
    entry (name, common value, rows off it, measured rows, sd), a ``lone`` one with the
    odd value last. Their sd comes from those rows, so a value unlike the common one
    reads as far out, and a prediction may lean on it: a sodium of 140.0 in 799 training
    rows and 140.5 in one has an sd of 0.018, so 140.5 reads as 28 sds out; read so, it
    changed 181 of 400 predictions."""
    if lone:
        name, common, _, n, sd, other = lone[0]
        warn_user(
            f"columns {[r[0] for r in lone][:10]} vary in a single training row (column "
            f"{name!r} is {common:.6g} in {n - 1} of its {n} measured rows and {other:.6g} "
            f"in one, sd {sd:.3g}): one row cannot show how a column depends on the label, "
            "and that sd would read any other value as many sds out, so the model reads "
            "them as missing, as constant columns, in fit and in prediction. Fit with rows "
            "where they vary, or leave them out; if the odd value is a code for a missing "
            f"measurement, set it to NaN first (X[{name!r}].replace({other!r}, np.nan)).",
            UserWarning,
        )
    if seldom:
        shown = ", ".join(f"{r[0]!r} in {r[2]} of {r[3]} (else {r[1]:.6g}, sd {r[4]:.3g})"
                          for r in seldom[:10])
        warn_user(
            f"columns that vary in fewer than {_SPARSE_ROWS} of their measured training "
            f"rows ({shown}{', ...' if len(seldom) > 10 else ''}): the model learns how "
            "they depend on the label from those rows alone, and their sd comes from them, "
            "so a value unlike the common one reads as many sds out and can sway a "
            "prediction on little evidence (explain() shows how much). Leave them out, or "
            "fit with more rows where they vary.",
            UserWarning,
        )


def negligible_sd(sd: Any, magnitude: Any) -> Any:
    """Whether a standard deviation ``sd`` is zero up to float64 rounding against the
    values' ``magnitude`` (their largest absolute value): a column constant in the rows.
    Relative to the values' size (hormones in mol/L vary by 1e-13), at 1e4 roundings: a
    large offset (1e10 + N(0, 1)) still varies. Works elementwise on arrays and Series."""
    return sd <= 1e-12 * magnitude


_PLAIN_MAGNITUDES = (1e-150, 1e150)  # squares neither underflow nor overflow within


def _mean_and_sd(values: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of finite ``values``, also where their squares
    overflow (magnitudes above about 1e154) or underflow (below about 1e-162, where the
    sd came out 0 and the column read as constant): computed on the values divided by
    the largest magnitude."""
    top = float(np.abs(values).max())
    low, high = _PLAIN_MAGNITUDES
    if low < top < high or top == 0:  # the common case, computed as it always was
        return float(values.mean()), float(values.std())
    unit = values / top
    return float(unit.mean()) * top, float(unit.std()) * top


def extreme_column_moments(
    values: np.ndarray, mean: np.ndarray, sd: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``mean`` and ``sd`` (ddof 0) of the columns of ``values`` (rows x columns, NaN
    skipped), recomputed on the values divided by their largest magnitude for the
    columns whose squares overflow or underflow (see :func:`_mean_and_sd`); the other
    columns keep the moments given, computed as the caller always did."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column
        top = np.nanmax(np.abs(values), axis=0) if len(values) else np.zeros(values.shape[1])
    low, high = _PLAIN_MAGNITUDES
    extreme = np.flatnonzero(np.isfinite(top) & (top > 0) & ((top <= low) | (top >= high)))
    if len(extreme) == 0:
        return mean, sd
    mean, sd = np.array(mean, dtype=np.float64), np.array(sd, dtype=np.float64)
    unit = values[:, extreme] / top[extreme]
    mean[extreme] = np.nanmean(unit, axis=0) * top[extreme]
    sd[extreme] = np.nanstd(unit, axis=0) * top[extreme]
    return mean, sd


def _warn_if_outlying(name: Any, values: np.ndarray, mean: float, sd: float) -> None:
    """Warn when a training value lies more than ``_FAR_SDS`` robust sds (1.4826 times
    the median absolute deviation) from the column's median. Such a value (a unit
    mistake, a typing error) inflates the mean and sd the column is standardised with,
    until the model barely reads the column; measured against that inflated sd itself
    it never looks far (in n rows no value lies more than sqrt(n - 1) sds from the
    mean), so the check at prediction cannot see it. The median and the deviation come
    from at most 1,000 evenly spaced values (the deviation's sampling error, about 4%,
    moves the threshold of 100 by a few robust sds; 5,000 values cost 2 ms of a 150 ms
    fit at 20 columns); the farthest value from every one. Far values that are more
    than ``_FAR_SHARE`` of the column form a cluster of their own, which the model reads
    well (a measurement that separates the classes): no warning then."""
    if len(values) < 10:
        return
    sample = values[:: -(-len(values) // 1_000)]
    median = float(np.median(sample))
    robust_sd = 1.4826 * float(np.median(np.abs(sample - median)))
    if robust_sd <= 0:  # more than half of the values alike: no robust spread to judge by
        return
    lowest, highest = float(values.min()), float(values.max())
    farthest = highest if highest - median >= median - lowest else lowest
    distance = abs(farthest - median) / robust_sd
    if distance <= _FAR_SDS:
        return
    n_far = int(np.sum(np.abs(values - median) > _FAR_SDS * robust_sd))
    if n_far > max(1.0, _FAR_SHARE * len(values)):
        # not a few stray values but a cluster of its own: a measurement nearly
        # determined by the class (a quarter of the rows at 141 robust sds, read
        # perfectly) or a bimodal one, which would lose its best values to the advice
        return
    warn_user(
        f"column {name!r}: the training value {farthest:.6g} is {distance:.3g} robust sds "
        f"from the column's median {median:.4g} ({n_far} value{'s' if n_far > 1 else ''} "
        f"beyond {_FAR_SDS:g}); the column is standardised with its mean {mean:.4g} and sd "
        f"{sd:.4g}, which such values dominate, so the model reads little of the column. "
        f"{FAR_VALUE_ADVICE} Correct them or set them to NaN and refit; a genuinely skewed "
        "measurement is better read on a log scale.",
        UserWarning,
    )


_FAR_SDS = 100.0  # beyond this, a unit mistake or a code for "missing" is likelier
_FAR_SHARE = 0.05  # far values beyond this share of a column are a cluster, not mistakes
FAR_VALUE_ADVICE = (  # why a far value is suspect, in fit's and in prediction's warnings
    "Such values are far more often a unit mistake (mg against g), a code for a missing "
    "value (9999; replace it with NaN) or a typing error than a measurement."
)
_TOO_FAR_SDS = 1e6  # beyond this, float32 likelihoods lose the classes' differences


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (its repr is then ``5``, not
    ``np.int64(5)``); anything else as it is."""
    return value.item() if isinstance(value, np.generic) else value


_CODE_SDS = 5.0  # a code of missing values this many training sds from the mean is warned of


def _unit_range(units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest standardised value of each column of ``units`` and the largest
    absolute one (NaN for a column with no value), by column reductions: no temporary
    array of its size."""
    if units.size == 0:
        empty = np.full(units.shape[1], np.nan)
        return empty, empty
    lowest = np.fmin.reduce(units, axis=0)
    return lowest, np.fmax(np.fmax.reduce(units, axis=0), -lowest)


def _check_codes(units: np.ndarray, values: np.ndarray, names: list, top: np.ndarray,
                 rows: pd.Index | None = None, negative: np.ndarray | None = None) -> None:
    """Warn about numbers made of nines (-999, 9999) in rows to predict that lie more than
    ``_CODE_SDS`` training sds from a column's mean, or below zero in a column that fit
    saw no negative value of (``negative``, a mask of the columns that hold one where fit
    saw none; a wide column, such as a hormone of sd 1,500, holds -999 within a few
    sds): a code for a missing value, as :func:`_warn_if_missing_code` finds in fit,
    which would be read as a measurement (however often it comes). Only the columns
    whose largest value ``top`` (see :func:`_unit_range`) lies that far, or marked in
    ``negative``, are searched. ``rows`` labels the rows (by position when None)."""
    if len(values) == 0:
        return
    searched = top > _CODE_SDS  # NaN (all missing) compares False
    if negative is not None:
        searched |= negative
    shown = 0
    for j in np.flatnonzero(searched):
        suspect = np.abs(units[:, j]) > _CODE_SDS
        if negative is not None and negative[j]:
            suspect |= values[:, j] < 0
        candidates = np.flatnonzero(suspect)  # few rows: then the codes
        hits = candidates[np.isin(values[candidates, j], _MISSING_CODES)]
        if not len(hits):
            continue
        codes = np.unique(values[hits, j])
        first = _plain(hits[0] if rows is None else rows[hits[0]])
        far = np.abs(units[hits, j]) > _CODE_SDS
        where = ("far from its training values" if far.all() else
                 "below zero, where no training value was" if not far.any() else
                 "far from its training values or below zero, where no training value was")
        warn_user(
            f"column {names[j]!r} holds {', '.join(f'{c:g}' for c in codes)} in "
            f"{len(hits)} row(s) (the first: row {first!r}), {where}, as a code for a "
            "missing value does; it is read as a measurement. If it is one, "
            f"{MISSING_CODE_ADVICE} (X[{names[j]!r}].replace({codes[0]:g}, np.nan)).",
            UserWarning,
        )
        shown += 1
        if shown == 5:
            break


def _check_far(units: np.ndarray, values: np.ndarray, names: list, mean: np.ndarray,
               scale: np.ndarray, top: np.ndarray, rows: pd.Index | None = None) -> None:
    """Warn about standardised ``units`` (rows x columns) more than ``_FAR_SDS`` training
    sds from the training mean, naming the columns; beyond ``_TOO_FAR_SDS`` the model's
    likelihoods can no longer tell the classes apart (a row would get equal
    probabilities, or NaN), so that is an error. Column reductions only: no temporary
    array of the size of ``units``; ``top`` is the largest absolute value of each column
    (see :func:`_unit_range`). ``rows`` labels the rows (by position when None)."""
    far = np.flatnonzero(top > _FAR_SDS)  # NaN (all missing) compares False
    if not len(far):
        return
    parts = []
    label = (lambda i: f"row {i}") if rows is None else (lambda i: f"row {_plain(rows[i])!r}")
    for j in far[:5]:
        column = units[:, j]
        row = int(np.nanargmax(np.abs(column)))
        n_far = int(np.sum(np.abs(column[~np.isnan(column)]) > _FAR_SDS))
        values_beyond = f"{n_far} value{'s' if n_far > 1 else ''}"
        parts.append(
            f"{names[j]!r}: {values[row, j]:.6g} ({label(row)}) is {abs(column[row]):.3g} "
            f"sds from its training mean {mean[j]:.4g} (sd {scale[j]:.4g}), {values_beyond} "
            f"beyond {_FAR_SDS:g} sds"
        )
    if len(far) > 5:
        parts.append(f"and {len(far) - 5} more columns")
    if np.any(top[far] > _TOO_FAR_SDS):
        worst = sorted({int(i) for j in far if top[j] > _TOO_FAR_SDS
                        for i in np.flatnonzero(np.abs(units[:, j]) > _TOO_FAR_SDS)})
        shown = ", ".join(label(i) for i in worst[:5]) + (
            f" and {len(worst) - 5} more" if len(worst) > 5 else "")
        if len(worst) == len(units):
            # every row: setting them to NaN would leave nothing (adapt then refuses)
            fix = ("Every row holds such a value, as a column recorded in other units or "
                   "with an offset does (a new assay, mg against g): convert those columns "
                   "to the units of the training data first.")
        else:
            fix = (f"{FAR_VALUE_ADVICE} To score the other rows, set those values to NaN "
                   f"(missing) first; they are in {shown}.")
        raise ValueError(
            f"values lie too far from the training data for the model to score them: "
            f"{'; '.join(parts)}. Beyond {_TOO_FAR_SDS:g} sds the likelihoods of the "
            f"classes can no longer be told apart. {fix}"
        )
    warn_user(
        f"values lie far outside the training data: {'; '.join(parts)}. {FAR_VALUE_ADVICE} The "
        "model scores them by extrapolating far beyond anything it learned.",
        key=f"values far outside the training data in {[names[j] for j in far]}",
    )


def _n_infinite(column: pd.Series) -> int:
    """How many values of ``column`` (any dtype) are infinite numbers."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if not pd.api.types.is_float_dtype(dtype.categories.dtype):
            return 0
        return int(np.isinf(column.cat.categories.to_numpy())[column.cat.codes[
            column.cat.codes >= 0].to_numpy()].sum())
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return 0
    if pd.api.types.is_float_dtype(dtype):
        return int(np.isinf(column.to_numpy(dtype=np.float64, na_value=np.nan)).sum())
    if not pd.api.types.is_object_dtype(dtype):  # text, dates
        return 0
    return sum(1 for v in column if is_real_number(v) and math.isinf(v))


def _infinite_error(columns: list, n_values: int) -> ValueError:
    return ValueError(
        f"Input X contains infinity in columns {columns} ({n_values} values); "
        "CAMAClassifier needs finite values (NaN marks a missing value). Replace the "
        "infinite values with NaN or with finite numbers."
    )


def _show(values: Any, limit: int = 5) -> str:
    values = list(values)
    text = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:limit])
    return f"[{text}{', ...' if len(values) > limit else ''}]"


def warn_if_misaligned(X: MatrixLike, name: str, values: Any, x_name: str = "X") -> None:
    """Warn when ``X`` (called ``x_name``) is a DataFrame and ``values`` a Series whose
    index holds the same labels in another order or other labels altogether: rows are
    paired by position, as everywhere in scikit-learn, so such a pair is most likely a
    mistake."""
    if not (isinstance(X, pd.DataFrame) and isinstance(values, pd.Series)):
        return
    if len(values) != len(X) or values.index.equals(X.index):
        return
    if not (values.index.is_unique and X.index.is_unique):
        warn_user(
            f"{name}'s index differs from {x_name}'s index and labels repeat in it, so rows "
            "are paired by position, not by index label; check that they belong together "
            "(reset both indexes once they do).",
            UserWarning,
        )
        return
    ours, theirs = values.index.to_flat_index(), X.index.to_flat_index()  # any MultiIndex
    same_labels = ours.isin(theirs).all() and theirs.isin(ours).all()
    how = "in another order" if same_labels else "with other labels"
    warn_user(
        f"{name}'s index holds the rows {how} than {x_name}'s index; rows are paired by "
        f"position, not by index label. If they belong together by label, align them "
        f"first: {name} = {name}.loc[{x_name}.index] (or reset both indexes if positions "
        "are right).",
        UserWarning,
    )
