"""Command line interface of skcama.

Subcommands: ``demo`` (built-in robustness demo), ``fit``, ``predict``, ``adapt``,
``evaluate``, ``discover`` and ``roles``; ``skcama <command> --help`` describes each.

Exit codes a shell script can rely on: 0 success, 2 bad usage or bad input (missing
file, unreadable table, absent column, unknown graph format, not a skcama model file),
1 any other failure. Errors are one line on stderr; ``--debug`` also prints the traceback
(the exit code stays).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib.util
import io
import logging
import math
import os
import re
import sys
import time
import traceback
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["build_parser", "main"]

logger = logging.getLogger("skcama")

DEMO_SHIFTS = [
    ("clean", None),
    ("co-parents +1", {"coparents": 1.0}),
    ("co-parents +2", {"coparents": 2.0}),
    ("co-parents +3", {"coparents": 3.0}),
    ("co-parents -2", {"coparents": -2.0}),
]


def _demo(args: argparse.Namespace) -> int:
    """Train CAMA and two discriminative baselines on a synthetic SEM, print a robustness
    table and save a figure."""
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import CAMAClassifier
    from .datasets import SyntheticSEM

    _check_output(args.figure, "--figure", figure=True)
    sem = SyntheticSEM(random_state=args.seed)
    X, y = sem.sample(args.n_train, random_state=args.seed + 1)
    roles = {k: v for k, v in sem.roles.items() if k != "latent"}
    print(f"Synthetic SEM, {len(X)} training rows; roles of the columns for target 'y':")
    for role, nodes in roles.items():
        print(f"  {role:<10} {', '.join(nodes) or '-'}")
    models = {
        "CAMA": CAMAClassifier(graph=sem.graph, target="y", random_state=args.seed,
                               verbose=args.verbose),
        "MLP(64,64)": make_pipeline(
            StandardScaler(), MLPClassifier((64, 64), max_iter=300, random_state=args.seed)
        ),
        "gradient boosting": HistGradientBoostingClassifier(random_state=args.seed),
    }
    fit_seconds = {}
    for name, model in models.items():
        start = time.perf_counter()
        with warnings.catch_warnings():  # the table says how well each model did
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        fit_seconds[name] = time.perf_counter() - start
        print(f"fitted {name:<18} in {fit_seconds[name]:5.1f} s")
    rows = []
    for i, (setting, shift) in enumerate(DEMO_SHIFTS):
        X_test, y_test = sem.sample(args.n_test, shift=shift, random_state=args.seed + 100 + i)
        scores = {name: float(np.mean(m.predict(X_test) == y_test)) for name, m in models.items()}
        scores["oracle (ceiling)"] = sem.oracle().score(X_test, y_test)
        rows.append({"test data": setting, **scores})
    table = pd.DataFrame(rows).set_index("test data")
    print("\nAccuracy on fresh test rows (co-parent shifts in clean standard deviations,")
    print("propagated to the children through the true mechanism):\n")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    out = Path(args.figure)
    _plot_demo(table, out)
    print(f"\nfigure written to {out}")
    return 0


def _plot_demo(table, path: Path) -> None:
    fig, ax = _figure((6, 4))

    shifted = table.loc[[s for s, _ in DEMO_SHIFTS if s.startswith("co-parents") or s == "clean"]]
    strengths = [0.0 if s == "clean" else float(s.split()[-1]) for s in shifted.index]
    order = sorted(range(len(strengths)), key=strengths.__getitem__)
    for name in shifted.columns:
        style = "k--" if name.startswith("oracle") else "o-"
        ax.plot([strengths[i] for i in order], shifted[name].iloc[order], style, label=name)
    ax.set_xlabel("co-parent shift (clean std)")
    ax.set_ylabel("accuracy")
    ax.set_title("Robustness to co-parent shifts")
    ax.legend()
    ax.grid(alpha=0.3)
    _save_figure(fig, path)


def _figure(size: tuple[float, float]) -> tuple[Any, Any]:
    """A figure and its axes, made without pyplot: a command run from Python (a notebook)
    leaves pyplot's backend and its open figures as they were."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    return fig, fig.subplots()


def _save_figure(fig: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


# ------------------------------------------------------------------ shared helpers
class UsageError(Exception):
    """Bad input the user can fix (exit code 2); the message is shown as one line.

    Examples
    --------
    >>> from skcama.cli import main
    >>> main(["predict", "no-such-model.skcama", "rows.csv"])  # a UsageError inside
    2
    """


TABLE_FORMATS = {".csv": ",", ".tsv": "\t", ".txt": None, ".parquet": None, ".pq": None}
#: compressions of a text table, by the extension after the table's own (``data.csv.gz``)
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zip": "zip"}
#: the data argument that reads a comma-separated table from standard input
STDIN = "-"
_OTHER_DELIMITERS = (",", ";", "\t", "|")
_PARQUET = (".parquet", ".pq")


def table_format(path: str | Path) -> tuple[str, str | None]:
    """The table format of ``path`` by its extensions: the table's own (a key of
    :data:`TABLE_FORMATS`, or what the name ends with where it is none of them) and the
    compression of a text table (a value of :data:`COMPRESSIONS`, or None).

    Parameters
    ----------
    path : str or pathlib.Path
        A file name such as ``data.csv``, ``data.tsv.gz`` or ``data.parquet``.

    Returns
    -------
    suffix : str
        The table's extension in lower case, ``""`` for a name without one.
    compression : str or None
        ``"gzip"``, ``"bz2"``, ``"xz"`` or ``"zip"``; None for an uncompressed file.

    Examples
    --------
    >>> table_format("visits.csv.gz")
    ('.csv', 'gzip')
    >>> table_format("visits.v2.TSV")
    ('.tsv', None)
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    compression = COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if compression is not None:
        suffixes.pop()
    return (suffixes[-1] if suffixes else ""), compression


def _shown(data: str | Path, what: str = "") -> str:
    """A data argument as messages name it: quoted after ``what`` (``"data file"``), or
    "standard input" for ``-``."""
    if str(data) == STDIN:
        return "standard input"
    return f"{what} {str(data)!r}".lstrip()


_SIGNATURES = {  # the first bytes of a compressed file, by its compression
    b"\x1f\x8b": ("gzip", ".gz"), b"BZh": ("bz2", ".bz2"),
    b"\xfd7zXZ\x00": ("xz", ".xz"), b"PK\x03\x04": ("zip", ".zip"),
}
_TAIL_BYTES = 1 << 16  # how much of a table's end the check of its last line reads


def _damaged_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged compressed file raises, by compression."""
    import lzma
    import zipfile
    import zlib

    return OSError, EOFError, lzma.LZMAError, zlib.error, zipfile.BadZipFile


_DAMAGED = _damaged_errors()


def _zip_members(archive: Any) -> list[str]:
    """The files of a zip archive, without folders and the ``__MACOSX/`` copies of
    resource forks that macOS's Finder adds."""
    return [m for m in archive.namelist()
            if not m.endswith("/") and not m.startswith("__MACOSX/")]


class _Tail(io.RawIOBase):
    """A binary stream that keeps the last :data:`_TAIL_BYTES` of what is read through
    it, so the last line of a table is known once pandas has read the table, without a
    second pass (a compressed file would be decompressed twice)."""

    def __init__(self, raw: Any):
        super().__init__()
        self.raw = raw
        self.kept = bytearray()
        self.cut = False  # whether bytes before ``kept`` were dropped

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.kept += data
        if len(self.kept) > _TAIL_BYTES:
            del self.kept[:-_TAIL_BYTES]
            self.cut = True
        return len(data)

    def last_line(self, encoding: str) -> str:
        """The last line that holds more than blanks, without its line break; "" where
        it cannot be told (nothing read, a line longer than the bytes kept, a UTF-16 or
        UTF-32 file). Lines may end with CR LF, LF or a CR alone (old Mac exports)."""
        if _wide_unicode(encoding):
            return ""
        lines = re.split(rb"\r\n|\r|\n", bytes(self.kept))
        while lines and not lines[-1].strip():  # blank lines at the end
            lines.pop()
        if not lines or (len(lines) == 1 and self.cut):  # no line break seen before it
            return ""
        return lines[-1].decode(encoding, errors="replace")


class _Source:
    """The bytes of a text table: a file, compressed or not, or standard input, a named
    pipe or a device, which are read once and kept, since a table is read more than
    once (its names as written, a hint on its delimiter)."""

    def __init__(self, path: str | Path, compression: str | None = None):
        self.stdin = str(path) == STDIN
        self.path = Path(path)
        self.compression = compression
        if self.stdin and getattr(sys.stdin, "isatty", lambda: False)():
            raise UsageError(
                "'-' reads a table from standard input, but none is piped in (standard "
                "input is the terminal); pipe one in (cat data.csv | skcama ...), or name "
                "the file."
            )
        self.data: bytes | None = None  # the bytes of a stream, read once
        if self.stdin:
            self.data = sys.stdin.buffer.read()
        elif not self.path.is_file():  # a named pipe, <(zcat ...), /dev/stdin
            self.data = self.path.read_bytes()
        self.tail: _Tail | None = None  # of the last full read (see :meth:`reading`)

    @property
    def name(self) -> str:
        """The table as messages name it: ``data file 'x.csv'`` or ``standard input``."""
        return _shown(self.path, "data file")

    @property
    def stored(self) -> Any:
        """What holds the bytes as stored: the file's path, or a fresh stream over the
        bytes read from a pipe."""
        return self.path if self.data is None else io.BytesIO(self.data)

    @contextlib.contextmanager
    def binary(self) -> Iterator[Any]:
        """A fresh binary stream of the table's (decompressed) bytes, closed on exit."""
        import bz2
        import gzip
        import lzma
        import zipfile

        with contextlib.ExitStack() as stack:
            if self.compression == "zip":
                archive = stack.enter_context(zipfile.ZipFile(self.stored))
                yield stack.enter_context(archive.open(_zip_members(archive)[0]))
                return
            opener = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}.get(
                self.compression)
            if opener is not None:
                yield stack.enter_context(opener(self.stored, "rb"))
            elif self.data is not None:
                yield io.BytesIO(self.data)
            else:
                yield stack.enter_context(open(self.path, "rb"))

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        """What pandas reads: a plain file's path (pandas reads a path twice as fast as
        a stream), else :meth:`binary`, keeping the end of what is read in :attr:`tail`."""
        if self.data is None and self.compression is None:
            yield self.path
            return
        with self.binary() as raw:
            self.tail = _Tail(raw)
            yield io.BufferedReader(self.tail, buffer_size=1 << 20)

    def last_line(self, encoding: str) -> str:
        """:meth:`_Tail.last_line` of the table as read by :meth:`reading`; a plain
        file's end is read here."""
        if self.tail is None and self.data is None and self.compression is None:
            try:
                with open(self.path, "rb") as handle:
                    size = handle.seek(0, os.SEEK_END)
                    handle.seek(max(0, size - _TAIL_BYTES))
                    self.tail = _Tail(handle)
                    self.tail.read()
                    self.tail.cut = size > _TAIL_BYTES
            except OSError:
                return ""
        return self.tail.last_line(encoding) if self.tail is not None else ""

    def first_bytes(self, count: int) -> bytes:
        """The first ``count`` bytes of the file as stored (not decompressed)."""
        if self.data is not None:
            return self.data[:count]
        try:
            with open(self.path, "rb") as handle:
                return handle.read(count)
        except OSError:
            return b""

    def lines(self, encoding: str, count: int) -> list[str]:
        """The first ``count`` lines, decoded with ``encoding`` (bad bytes replaced)."""
        try:
            with self.binary() as raw:
                text = io.TextIOWrapper(raw, encoding=encoding, errors="replace")
                return [text.readline() for _ in range(count)]
        except (*_DAMAGED, ValueError, RuntimeError):
            return []


def _engine(delimiter: str) -> str:
    """pandas' parser for ``delimiter``: a pattern or a delimiter of several characters
    needs the Python one (pandas falls back to it with a ParserWarning, which read as
    rows with extra fields), except ``\\s+``, which the C parser reads."""
    return "python" if len(delimiter) > 1 and delimiter != r"\s+" else "c"


def read_table(
    path: str | Path, sep: str | None = None, text_columns: Sequence = (), decimal: str = ".",
    *, na_values: Sequence[str] = (), encoding: str | None = None,
    thousands: str | None = None,
) -> Any:
    """Read a data table (CSV / TSV / Parquet) as a DataFrame, with clear errors.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv``, ``.tsv``, ``.txt`` or ``.parquet`` / ``.pq`` file; a text file may be
        compressed, with one of :data:`COMPRESSIONS` after its own extension
        (``data.csv.gz``; a ``.zip`` holding the one table). ``"-"`` reads a text table
        from standard input.
    sep : str, optional
        Column delimiter of a text file; default ``,`` (``\\t`` for ``.tsv``).
    text_columns : sequence of str, optional
        Columns of a text file read as text, as written (identifiers such as
        ``00042`` keep their leading zeros).
    decimal : str, default="."
        Decimal mark of the numbers in a text file (``","`` for ``1,5``).
    thousands : str, optional
        Character between the thousands of the numbers in a text file (``","`` for
        ``1,540.5``, ``"."`` for ``1.540,5`` with ``decimal=","``); none by default.
    na_values : sequence of str, optional
        Further codes of missing values in a text file (``"."``, ``"-999"``), besides
        pandas' own (an empty field, ``NA``, ``n/a``, ``N/A``, ``NULL``, ``NaN``,
        ``#N/A``, ...). ``None`` is missing in a column of numbers only: a column of text
        keeps it as a value (a symptom graded None / Mild / Severe), unless ``na_values``
        names it.
    encoding : str, optional
        Text encoding of a text file (default UTF-8, with or without a byte-order mark);
        ``"cp1252"`` for what Excel on Windows writes.

    Returns
    -------
    pandas.DataFrame
        The table.

    Raises
    ------
    UsageError
        If the file is missing, its extension unknown, it is empty or has a header but no
        data rows, it is not text in ``encoding``, it reads as one column whose header
        holds another delimiter (``;`` read with ``,``, say), it is a damaged or
        several-file compressed archive, two columns share a name, a row has more fields
        than the header, ``decimal`` is not one character or ``thousands`` not one ASCII
        character other than ``decimal``, or ``thousands`` stands in a number without
        grouping three digits (``1.5`` with ``thousands="."``).

    Warns
    -----
    UserWarning
        If the last line has fewer fields than the header, as a file cut short has: the
        fields it lacks read as missing values; or if a text value holds line breaks and
        a row's worth of delimiters, as an unmatched quote that merged rows does.

    Notes
    -----
    A last column without a name that is empty in every row (a delimiter at the end of
    every line, as some exports write) is dropped.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = path.write_text("a;b\\n1;2\\n")
    >>> read_table(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skcama.cli.UsageError: data file ... looks ';'-separated; pass --sep ';'
    >>> read_table(path, sep=";").columns.tolist()
    ['a', 'b']
    """
    import pandas as pd

    suffix, compression = (".csv", None) if str(path) == STDIN else table_format(path)
    if str(path) != STDIN:
        path = Path(path)
        if path.is_dir():
            raise UsageError(f"{str(path)!r} is a folder, not a data file; pass the file.")
        if not path.exists():
            raise UsageError(f"data file {str(path)!r} does not exist.")
        if not suffix and compression is None and (
            not path.is_file() or str(path).startswith(("/dev/", "/proc/"))
        ):
            suffix = ".csv"  # a pipe or a descriptor without a name (<(zcat ...), /dev/stdin)
        if not path.is_file() and suffix in _PARQUET:
            raise UsageError(
                f"{str(path)!r} is a pipe or a device, from which a Parquet file cannot be "
                "read; write it to a file first, or pipe a CSV table."
            )
    source = _Source(path, compression)
    if str(path) != STDIN:
        if compression == "zip":
            suffix = _zipped_format(source, suffix)
        if suffix not in TABLE_FORMATS and compression:
            text_formats = ", ".join(t for t in TABLE_FORMATS if t not in _PARQUET)
            raise UsageError(
                f"cannot tell the format of the table compressed in {str(path)!r}: name it "
                f"by its format, then {path.suffix!r} (e.g. "
                f"{_renamed(path, '.csv' + path.suffix.lower())}); a text table is one of "
                f"{text_formats}."
            )
        if suffix not in TABLE_FORMATS:
            raise UsageError(
                f"cannot tell the format of data file {str(path)!r} from its extension "
                f"{suffix or '(none)'!r}; use one of {', '.join(TABLE_FORMATS)}, for a text "
                f"table compressed with {', '.join(COMPRESSIONS)} after it (data.csv.gz)."
            )
        if suffix in _PARQUET:
            if compression is not None:
                raise UsageError(
                    f"{str(path)!r}: a Parquet file compresses its own columns and is read "
                    f"as is; decompress it, or name it without {path.suffix!r}."
                )
            return _read_parquet(path)
    encoding = encoding or "utf-8"
    _check_stored_as_text(source, encoding)
    # '\t' as typed (backslash, t) is a tab, as for --out-sep
    delimiter = "\t" if sep == "\\t" else (sep or TABLE_FORMATS[suffix] or ",")
    if not isinstance(decimal, str) or len(decimal) != 1:
        raise UsageError(f"--decimal takes one character, such as ',' ; got {decimal!r}.")
    if thousands is not None and len(thousands) == 1 and not thousands.isascii():
        raise UsageError(
            f"--thousands {thousands!r} (U+{ord(thousands):04X}) is not an ASCII character, "
            "which pandas cannot read as a thousands mark; remove it from the numbers in the "
            "file first (e.g. sed 's/\\xc2\\xa0//g' for a UTF-8 non-breaking space)."
        )
    if thousands is not None and (len(thousands) != 1 or thousands == decimal):
        raise UsageError(
            f"--thousands takes one character other than the decimal mark {decimal!r}, "
            + ("such as ',' for 1,540.5 (in quotes where ',' is also the delimiter)"
               if decimal != "," else "such as '.' for 1.540,5")
            + f"; got {thousands!r}."
        )
    try:
        # the names as written: without na_filter, a name such as 'NA' is a name
        with source.reading() as stream:
            names = pd.read_csv(stream, sep=delimiter, engine=_engine(delimiter), header=None,
                                nrows=1, dtype=str,
                                encoding=encoding, na_filter=False).iloc[0]
        # fields separated by ', ' (a delimiter and a space), as some exports write them:
        # every name but the first starts with a space, ' age' matching no node or column
        spaced = (len(delimiter) == 1 and not delimiter.isspace() and len(names) > 1
                  and all(str(n)[:1] == " " and str(n).strip() for n in names.iloc[1:]))
        if spaced:
            warnings.warn(
                f"the header of {source.name} separates its names by {delimiter!r} and a "
                f"space ({str(names.iloc[1])!r}); the spaces after each delimiter are left "
                "out of the names and values.", UserWarning, stacklevel=2,
            )
            names = names.str.lstrip()
        with source.reading() as stream, warnings.catch_warnings(record=True) as caught:
            # last: its tail is the table's end. index_col=False: rows with one field more
            # than the header (a delimiter ending each data row) keep their columns; by
            # default pandas would make the first column the index, shifting every name
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(stream, sep=delimiter, engine=_engine(delimiter),
                                decimal=decimal, encoding=encoding,
                                dtype={c: str for c in text_columns} or None,
                                keep_default_na=False,
                                na_values=_missing_codes(names, text_columns, na_values),
                                thousands=thousands, index_col=False,
                                skipinitialspace=spaced)
        for warning in caught:
            if not issubclass(warning.category, pd.errors.ParserWarning):
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
            elif not _ends_with_delimiter(source, delimiter, encoding):
                hint = _delimiter_hint(source, delimiter, decimal, encoding)
                if hint:  # ';' with decimal commas: the commas made the extra fields
                    raise UsageError(
                        f"{source.name} has rows with more fields than its header "
                        f"({len(frame.columns)}) with delimiter {delimiter!r}, but "
                        f"{hint.removeprefix('; ')}"
                    )
                title = (f" Its first line, {str(names.iloc[0])[:60]!r}, looks like a title "
                         "or a comment above the header: delete the lines above the header."
                         if len(frame.columns) == 1 else "")
                raise UsageError(
                    f"{source.name} has rows with more fields than its header "
                    f"({len(frame.columns)}): a column has no name in the header line. "
                    f"Name every column in the header, or remove the extra fields.{title}"
                )
        if "None" not in na_values:
            frame = _none_as_missing_among_numbers(
                frame, source, delimiter, decimal, encoding, thousands, text_columns,
                na_values, spaced,
            )
    except pd.errors.EmptyDataError as error:
        raise UsageError(f"{source.name} is empty.") from error
    except UnicodeDecodeError as error:
        raise UsageError(_not_encoded(source.name, encoding, error, source)) from error
    except LookupError as error:  # an encoding Python does not know
        raise UsageError(f"--encoding: {error}; pass a name such as utf-8 or cp1252.") from error
    except _DAMAGED as error:  # a damaged (or, for zip, encrypted) compressed file
        raise UsageError(f"could not read {source.name}: {error}") from error
    except RuntimeError as error:
        if compression != "zip":
            raise
        raise UsageError(f"could not read {source.name}: {error}") from error
    except pd.errors.ParserError as error:
        first = str(error).strip().splitlines()[-1] if str(error).strip() else ""
        raise UsageError(
            f"could not parse {source.name} with --sep {delimiter!r}: {first}"
            + _delimiter_hint(source, delimiter, decimal, encoding)
        ) from error
    if thousands is not None:
        _check_grouping(source, delimiter, encoding, thousands, decimal, text_columns, spaced)
    header_fields = len(names)
    names = names[names.str.strip() != ""]  # unnamed columns: pandas names each its own
    repeated = sorted({str(h) for h in names[names.duplicated()]})
    if repeated:  # pandas would rename the copies 'a.1', 'a.2', ...
        raise UsageError(
            f"{source.name} has several columns named {repeated}; column names "
            "must be unique to be matched to the graph's nodes. Rename or drop the copies."
        )
    if frame.shape[1] == 1:  # with the default or a given --sep
        hint = _delimiter_hint(source, delimiter, decimal, encoding)
        if hint:
            raise UsageError(
                f"{source.name} reads as a single column with delimiter "
                f"{delimiter!r} but {hint.removeprefix('; ')}"
            )
    while frame.shape[1] > 1:  # delimiters at the end of every line: ',,' gives two
        last = frame.columns[-1]
        if not (last not in text_columns and re.fullmatch(r"Unnamed: \d+", str(last))
                and frame[last].isna().all()):
            break
        logger.info("dropped the empty last column of %s (a delimiter ends every line)",
                    source.name)
        frame = frame.drop(columns=[last])
        header_fields -= 1
    frame = _require_rows(frame, source.name)
    _warn_short_last_line(frame, source, delimiter, encoding, header_fields)
    _warn_merged_rows(frame, source, delimiter, header_fields)
    return frame


# what a text table's field reads as missing: pandas' codes, but for ``None``, which a
# text column keeps as a level of its own (a symptom graded None / Mild / Severe)
_MISSING_CODES = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null",
)


def _missing_codes(
    names: Any, text_columns: Sequence, na_values: Sequence[str]
) -> list | dict:
    """The text read as missing in a table with the header ``names``: the codes pandas
    knows and ``na_values``, but in ``text_columns`` (identifiers, read as written) an
    empty cell alone: an id 'NA' or 'NULL' is an id, which was erased. A list where
    every column takes the same, else one entry per column, named as pandas names
    them (an empty name is 'Unnamed: <position>')."""
    codes = [*_MISSING_CODES, *na_values]
    text = set(text_columns)
    if not text:
        return codes
    named = [str(n) if str(n) else f"Unnamed: {i}" for i, n in enumerate(names)]
    return {name: ([""] if name in text else codes) for name in named}


def _none_as_missing_among_numbers(
    frame: Any, source: _Source, delimiter: str, decimal: str, encoding: str,
    thousands: str | None, text_columns: Sequence, na_values: Sequence[str],
    spaced: bool = False,
) -> Any:
    """``frame`` with the columns that hold ``None`` among numbers read as numbers with
    ``None`` missing (as pandas reads them); a column of text keeps ``None`` as a value.
    Those columns are read a second time, and only they."""
    import pandas as pd

    holding = [c for c in frame.columns if c not in text_columns
               and not pd.api.types.is_numeric_dtype(frame[c]) and (frame[c] == "None").any()]
    if not holding:
        return frame
    # the first read said what its ParserWarning (extra fields) means
    with source.reading() as stream, warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        again = pd.read_csv(stream, sep=delimiter, engine=_engine(delimiter),
                            decimal=decimal, encoding=encoding,
                            usecols=holding, keep_default_na=False,
                            na_values=[*_MISSING_CODES, "None", *na_values],
                            thousands=thousands, index_col=False, skipinitialspace=spaced)
    # numbers: at least one of them (a column of None and blanks alone, as a file of one
    # patient may hold, is text: its None is a value)
    numbers = [c for c in holding
               if pd.api.types.is_numeric_dtype(again[c]) and again[c].notna().any()]
    for column in numbers:
        frame[column] = again[column].to_numpy()
    for column in (c for c in holding if c not in numbers):
        logger.info("column %r of %s holds the text 'None' (%d rows), read as a value of "
                    "its own; pass --na-values None to read it as missing", column,
                    source.name, int((frame[column] == "None").sum()))
    return frame


def _warn_merged_rows(frame: Any, source: _Source, delimiter: str, fields: int) -> None:
    """Warn of a text value holding line breaks and as many delimiters as whole rows do:
    an unmatched quote makes one field of every line up to the next quote, merging rows
    without an error. (Text over several lines, such as a note, holds few delimiters.)"""
    if len(delimiter) != 1 or fields < 3:
        return
    import pandas as pd

    for name in frame.columns:
        if not pd.api.types.is_string_dtype(frame[name].dtype):  # object or str columns
            continue
        text = frame[name].dropna()
        text = text[[isinstance(v, str) and "\n" in v for v in text]]
        counts = text.str.count(re.escape(delimiter))
        swallowed = counts[counts >= fields - 1]
        if len(swallowed):
            warnings.warn(
                f"column {name!r} of {source.name} holds, in row {swallowed.index[0]} "
                f"({len(swallowed)} such value(s)), text over several lines with "
                f"{int(swallowed.iloc[0])} delimiters, as "
                "whole rows have: an unmatched quote (\") has most likely merged the rows "
                "up to the next quote into one. Check the quotes in that column.",
                UserWarning,
                stacklevel=3,
            )
            return


def _check_grouping(
    source: _Source, delimiter: str, encoding: str, thousands: str, decimal: str,
    text_columns: Sequence, spaced: bool = False,
) -> None:
    """Refuse a number in which ``thousands`` does not group three digits (``1.5`` read
    with ``--thousands .``): pandas drops the mark wherever it is, and reads 15 (and a
    date ``01.02.2024`` as 1022024). Text columns (``--id``) are read as written."""
    import pandas as pd

    from ._columns import _holds_dates

    with source.reading() as stream:
        text = pd.read_csv(stream, sep=delimiter, engine=_engine(delimiter), dtype=str,
                           encoding=encoding,
                           index_col=False, keep_default_na=False, skipinitialspace=spaced)
    mark, point = re.escape(thousands), re.escape(decimal)
    grouped = rf"\s*[-+]?\d{{1,3}}(?:{mark}\d{{3}})*(?:{point}\d*)?(?:[eE][-+]?\d+)?\s*"
    number = rf"\s*[-+]?[\d{mark}]+(?:{point}\d*)?(?:[eE][-+]?\d+)?\s*"
    for name in text.columns:
        values = text[name]
        if name in text_columns:  # read as text, not converted
            continue
        marked = values[values.str.contains(thousands, regex=False)
                        & values.str.fullmatch(number)]
        wrong = marked[~marked.str.fullmatch(grouped)]
        if len(wrong):
            raise UsageError(
                f"column {name!r} of {source.name} holds {wrong.iloc[0]!r}, in which "
                f"--thousands {thousands!r} does not separate groups of three digits; "
                f"pandas would drop it and read {wrong.iloc[0].replace(thousands, '')!r}. "
                f"Write that number without {thousands!r} (or with --decimal "
                f"{thousands!r} if it is the decimal mark), or leave --thousands out."
                + (" A column of dates is no measurement: replace it by a number (days "
                   f"since a reference date, say), or, when fitting, keep it out with --id "
                   f"{name!r}." if _holds_dates(wrong.str.strip()) else "")
            )


def _ends_with_delimiter(source: _Source, delimiter: str, encoding: str) -> bool:
    """Whether the table's last line ends with ``delimiter`` (an empty last field, as
    exports that end every data row with a delimiter write)."""
    line = source.last_line(encoding)
    return bool(line) and len(delimiter) == 1 and line.rstrip(" ").endswith(delimiter)


def _zipped_format(source: _Source, suffix: str) -> str:
    """The table format of zip archive ``path``: its one file's (``export.zip`` holding
    ``export.csv``), or ``suffix``, its own name's (``data.csv.zip``), where that file has
    no extension. Refuses an archive that does not hold exactly one file, an Office file,
    and one holding a file read as it is (Parquet, a compressed table) or not a text
    table."""
    import zipfile

    path = source.path
    try:
        with zipfile.ZipFile(source.stored) as archive:
            members = _zip_members(archive)
    except (OSError, zipfile.BadZipFile) as error:
        raise UsageError(f"could not read {str(path)!r} as a zip archive: {error}") from error
    if _is_office(members):
        raise UsageError(_EXCEL_ADVICE.format(name=repr(str(path))))
    if len(members) != 1:
        shown = ", ".join(repr(m) for m in members[:5]) or "nothing"
        raise UsageError(
            f"zip archive {str(path)!r} holds {shown}; a zipped table holds exactly one "
            "file. Unzip it and pass the table itself."
        )
    inner, packed = table_format(members[0])
    if inner in _PARQUET or packed is not None:
        raise UsageError(
            f"zip archive {str(path)!r} holds {members[0]!r}, which is read as it is, not "
            "from inside a zip: unzip it and pass that file."
        )
    if inner in TABLE_FORMATS:
        return inner
    if suffix in TABLE_FORMATS and not Path(members[0]).suffix:
        return suffix
    raise UsageError(
        f"zip archive {str(path)!r} holds {members[0]!r}, which is not a text table "
        f"({', '.join(t for t in TABLE_FORMATS if t not in _PARQUET)}); unzip it, and save "
        "the table as CSV."
    )


def _is_office(names: list[str]) -> bool:
    """Whether a zip's file ``names`` are those of an Office Open XML file (a workbook)."""
    return "[Content_Types].xml" in names or any(n.startswith("xl/") for n in names)


_EXCEL_ADVICE = (
    "{name} is an Excel workbook (or another Office file), not a text table: save the "
    "sheet as 'CSV UTF-8' in Excel, or read it with pandas.read_excel in Python."
)


def _renamed(path: str | Path, suffix: str) -> str:
    """``path``'s name with its table and compression extensions replaced by ``suffix``
    (``out.csv.7z`` -> ``'out.csv'``), quoted, for a message's suggestion."""
    path = Path(path)
    name = path.name
    for _ in range(2):
        stem, dot, ext = name.rpartition(".")
        if dot and stem and (f".{ext.lower()}" in {*TABLE_FORMATS, *COMPRESSIONS}
                             or name == path.name):
            name = stem
    return repr(str(path.with_name(name + suffix)))


def _check_stored_as_text(source: _Source, encoding: str) -> None:
    """Refuse a table whose bytes are compressed though its name (or standard input)
    says text, an Excel workbook named as text, and a UTF-16 or UTF-32 file read as
    another encoding, naming the fix: pandas would call each one text in a wrong
    encoding."""
    if source.compression is None:  # its first bytes also hold a byte-order mark
        start = source.first_bytes(6)
        for signature, (kind, ext) in _SIGNATURES.items():
            if not start.startswith(signature):
                continue
            if kind == "zip" and _is_office_file(source):
                raise UsageError(_EXCEL_ADVICE.format(name=source.name))
            if source.data is not None:  # standard input or a pipe
                command = {"gzip": "zcat", "bz2": "bzcat", "xz": "xzcat", "zip": "unzip -p"}
                fix = f"decompress it into the pipe ({command[kind]} FILE | skcama ...)"
            else:
                fix = f"name it {_renamed(source.path, table_format(source.path)[0] + ext)}"
            raise UsageError(f"{source.name} is {kind}-compressed, not text: {fix}.")
    if _wide_unicode(encoding):
        return
    if source.compression is not None:
        try:
            with source.binary() as raw:  # a compressed file's first bytes, decompressed
                start = raw.read(4)
        except (*_DAMAGED, RuntimeError):
            return  # read_table names the damage
    for mark, name in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if start.startswith(mark):
            raise UsageError(
                f"{source.name} is {name.upper()} text (it starts with a {name.upper()} "
                f"byte-order mark); pass --encoding {name}."
            )


def _wide_unicode(encoding: str) -> bool:
    """Whether ``encoding`` names UTF-16 or UTF-32 (whose lines are not split on bytes)."""
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith(("utf-16", "utf-32"))


def _is_office_file(source: _Source) -> bool:
    """Whether a zip-signed table is an Office Open XML file (an Excel workbook)."""
    import zipfile

    try:
        with zipfile.ZipFile(source.stored) as archive:
            return _is_office(archive.namelist())
    except (*_DAMAGED, RuntimeError):
        return False


def _read_parquet(path: Path) -> Any:
    """A Parquet table, with pyarrow's errors as :class:`UsageError`."""
    import pandas as pd

    try:
        frame = pd.read_parquet(path)
    except ImportError as error:
        raise UsageError(
            f"reading Parquet file {str(path)!r} needs pyarrow: pip install pyarrow "
            "(or save the data as CSV)."
        ) from error
    except MemoryError:  # not the file's fault
        raise
    except Exception as error:  # pyarrow raises its own types on a bad file
        raise UsageError(f"could not read {str(path)!r} as Parquet: {error}") from error
    if any(name is not None for name in frame.index.names):
        # a frame saved with its index (df.set_index('patient_id').to_parquet(...)): the
        # named index is a column of the table, which --id can name (it was dropped)
        clash = [name for name in frame.index.names if name in frame.columns]
        if clash:
            raise UsageError(
                f"{str(path)!r} holds {clash[0]!r} both as its index and as a column; save "
                "it without the index (to_parquet(..., index=False)) or rename one."
            )
        frame = frame.reset_index(
            level=[i for i, name in enumerate(frame.index.names) if name is not None],
            drop=False,
        )
        if not any(name is not None for name in frame.index.names):
            frame = frame.reset_index(drop=True)
    return _require_rows(frame, _shown(path, "data file"))


def _warn_short_last_line(
    frame: Any, source: _Source, delimiter: str, encoding: str, header_fields: int
) -> None:
    """Warn where the table's last line has fewer fields than its header, as a file cut
    short (an interrupted copy or download) has: pandas reads the fields it lacks as
    missing values, and the row would be used as if they were. Left alone: a delimiter
    of several characters (a pattern such as ``\\s+``), and a last line with an odd
    number of quotes, which may end a quoted field that spans lines."""
    import csv

    line = source.last_line(encoding)
    if not line or len(delimiter) != 1 or line.count('"') % 2:
        return
    fields = next(csv.reader([line], delimiter=delimiter))
    if len(fields) >= header_fields:
        return
    lacking = [repr(str(c)) for c in frame.columns[len(fields):header_fields]]
    shown = lacking[:5] + (["..."] if len(lacking) > 5 else [])
    if len(fields) == 1:  # no delimiter at all: a footer as often as a cut
        warnings.warn(
            f"the last line of {source.name}, {line.strip()[:60]!r}, has no delimiter, "
            f"where the header has {header_fields} fields: a footer line (a total, a note) "
            f"or a file cut short. It was read as row {len(frame)}, with "
            f"{', '.join(shown)} missing; delete a footer line from the file.",
            UserWarning,
            stacklevel=3,
        )
        return
    warnings.warn(
        f"the last line of {source.name} has {len(fields)} of the header's "
        f"{header_fields} fields, as a file cut short has: row {len(frame)} reads "
        f"{', '.join(shown)} as missing, and its last field read, "
        f"{str(frame.columns[len(fields) - 1])!r} = {fields[-1]!r}, may be cut short too. "
        "Check that the file is complete; to mark those values missing on purpose, end "
        f"the line with {header_fields - len(fields)} empty field(s).",
        UserWarning,
        stacklevel=3,
    )


def _delimiter_hint(source: _Source, delimiter: str, decimal: str, encoding: str) -> str:
    """``"; its header looks ';'-separated; pass --sep ';'"`` where the file's first line
    holds another delimiter and not ``delimiter`` (and ``" --decimal ','"`` where a
    ';'-separated file writes numbers with a decimal comma, as a European spreadsheet
    does); empty otherwise."""
    lines = source.lines(encoding, 6)
    if not lines:
        return ""
    header = lines[0]
    others = [o for o in _OTHER_DELIMITERS if o != delimiter and o in header]
    if not others or delimiter in header:
        return ""
    other = max(others, key=header.count)
    flag = "--sep $'\\t'" if other == "\t" else f"--sep {other!r}"
    if other != "," and decimal != "," and any(
        re.search(r"\d,\d", line) for line in lines[1:]
    ):
        flag += " --decimal ','"
        return (f"; its header looks {other!r}-separated, with a decimal comma in the "
                f"numbers; pass {flag}")
    return f"; its header looks {other!r}-separated; pass {flag}"


def _not_encoded(
    name: str, encoding: str, error: UnicodeDecodeError, source: _Source | None = None
) -> str:
    """The message for a text table (``name``, such as ``data file 'x.csv'``) that is
    not in ``encoding``. The error's position counts from the start of the part pandas
    was decoding (0 or 1 for a byte well inside the file): where ``source`` is given, the
    first such byte is found in the table itself and named by its line."""
    byte = error.object[error.start:error.start + 1].hex()
    where = f"byte 0x{byte} at position {error.start}"
    if source is not None:
        import codecs

        try:
            decoder = codecs.getincrementaldecoder(encoding)()
            offset, line = 0, 1
            with source.binary() as raw:
                for chunk in iter(lambda: raw.read(1 << 20), b""):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as found:
                        at = max(found.start, 0)
                        line += chunk[:at].count(b"\n")
                        where = (f"byte 0x{chunk[at:at + 1].hex()} on line {line}, byte "
                                 f"{offset + at} of the file")
                        break
                    offset += len(chunk)
                    line += chunk.count(b"\n")
        except (OSError, LookupError):  # the position pandas gave stays
            pass
    if encoding.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig"):
        return (
            f"{name} is not UTF-8 text ({where}); pass its encoding, e.g. "
            "--encoding cp1252 (what Excel writes on Windows) or --encoding latin-1, or "
            "save it as 'CSV UTF-8'."
        )
    return f"{name} is not {encoding} text ({where}); pass its --encoding."


def _is_stream_path(path: Path) -> bool:
    """Whether ``path`` is an existing device or named pipe (``/dev/null``, ``/dev/stdout``,
    a FIFO), written to as it is, not a file to create."""
    return path.exists() and not path.is_file() and not path.is_dir()


def write_table(
    frame: Any, path: str | Path, *, index: bool = False, sep: str | None = None
) -> None:
    """Write ``frame`` in the format its extension names, as :func:`read_table` reads it:
    comma-separated ``.csv`` and ``.txt``, tab-separated ``.tsv``, Parquet ``.parquet``
    and ``.pq`` (needs pyarrow); a text table named with one of :data:`COMPRESSIONS`
    after its extension is compressed (``out.csv.gz``; gzip and zip without a time, so
    the same table gives the same bytes). Missing folders are created.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : str or path-like
        Where to write it.
    index : bool, default=False
        Write the row index as the first column(s).
    sep : str, optional
        Delimiter of a ``.csv`` or ``.txt`` file, one character (``";"`` for a table read
        back with ``--sep ';'``); default ``,``. A ``.tsv`` file takes a tab only, a
        Parquet file none.

    Raises
    ------
    UsageError
        If the extension is none of :data:`TABLE_FORMATS`, ``sep`` does not fit the
        format, or pyarrow is missing for Parquet.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.tsv"
    >>> write_table(pd.DataFrame({"a": [1, 2]}), path)
    >>> path.read_text()
    'a\\n1\\n2\\n'
    >>> read_table(path)["a"].tolist()
    [1, 2]
    >>> write_table(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), path.with_suffix(".csv"), sep=";")
    >>> path.with_suffix(".csv").read_text()
    'a;b\\n1;3\\n2;4\\n'
    """
    path = Path(path)
    suffix, compression = table_format(path)
    # a named pipe or a device (/dev/null) is written to as it is (as CSV text where its
    # name has no extension); a file is written beside and renamed over, so a failed
    # write (a full disk) leaves no table cut short
    direct = _is_stream_path(path)
    if not suffix and compression is None and direct:
        suffix = ".csv"
    if suffix not in TABLE_FORMATS or (compression and suffix in _PARQUET):
        raise UsageError(
            f"cannot write a table to {str(path)!r}: its extension {suffix or '(none)'!r} is "
            f"none of {', '.join(TABLE_FORMATS)}, or a Parquet file is named as compressed."
        )
    _check_out_sep(sep, path)
    from ._files import replaced_on_success

    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.nullcontext(path) if direct else replaced_on_success(path) as target:
        if suffix in _PARQUET:
            try:
                frame.to_parquet(target, index=index)
            except ImportError as error:
                raise UsageError(
                    f"writing Parquet file {str(path)!r} needs pyarrow: pip install pyarrow "
                    "(or name a .csv file)."
                ) from error
            return
        with _text_writer(target, compression, path.name) as text:
            frame.to_csv(text, sep=sep or TABLE_FORMATS[suffix] or ",", index=index,
                         lineterminator="\n")


@contextlib.contextmanager
def _text_writer(target: Path, compression: str | None, name: str) -> Iterator[Any]:
    """A UTF-8 text stream into ``target``, compressed with ``compression``. gzip and zip
    record no time (and the file's ``name``, not a temporary one), so the same table
    gives the same bytes."""
    import bz2
    import gzip
    import lzma
    import zipfile

    from ._files import zip_member

    with contextlib.ExitStack() as stack:
        raw = stack.enter_context(open(target, "wb"))
        if compression == "gzip":
            raw = stack.enter_context(gzip.GzipFile(filename=name, mode="wb", fileobj=raw,
                                                    mtime=0))
        elif compression in ("bz2", "xz"):
            raw = stack.enter_context((bz2.BZ2File if compression == "bz2"
                                       else lzma.LZMAFile)(raw, "wb"))
        elif compression == "zip":
            archive = stack.enter_context(zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED))
            raw = stack.enter_context(archive.open(zip_member(Path(name).stem), "w"))
        yield stack.enter_context(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


def _check_out_sep(sep: str | None, path: str | Path | None) -> None:
    """Refuse an ``--out-sep`` that the output ``path`` (None: standard output) cannot
    take: a Parquet file has no delimiter, a ``.tsv`` file is tab-separated by its name."""
    if sep is None or path in (None, "-"):
        return
    suffix = table_format(path)[0]
    if suffix in _PARQUET:
        raise UsageError(
            f"--out-sep {sep!r}: {str(path)!r} is a Parquet file, which has no delimiter; "
            "drop --out-sep, or name a .csv file to write text."
        )
    if suffix == ".tsv" and sep != "\t":
        packed = Path(path).suffix.lower() if table_format(path)[1] else ""
        raise UsageError(
            f"--out-sep {sep!r}: a .tsv file is tab-separated, as {str(path)!r} says; name a "
            f".csv file (e.g. {_renamed(path, '.csv' + packed)}) to write {sep!r}, or drop "
            "--out-sep."
        )


def _out_sep(text: str) -> str:
    """An argparse type: the one character written between the fields of an output
    table; ``\\t`` as typed (backslash, t) stands for a tab."""
    sep = "\t" if text == "\\t" else text
    if len(sep) != 1:
        raise argparse.ArgumentTypeError(
            f"expected one character, such as ';' or '\\t' for a tab; got {text!r}"
        )
    if sep.isalnum() or sep in '."+-\r\n':
        raise argparse.ArgumentTypeError(
            f"{text!r} would be confused with the numbers, signs or quotes of the fields; "
            "use ',', ';', '|' or '\\t' (a tab)"
        )
    return sep


def _require_rows(frame: Any, name: str) -> Any:
    """The table itself, or a :class:`UsageError` when it has a header but no rows.

    A table without an index of its own is numbered from 1, as its data rows are counted
    below the header: messages that name rows by their index label (a value too far from
    the training data) then name the row a user finds in the file."""
    import pandas as pd

    if len(frame) == 0:
        raise UsageError(
            f"{name} has no data rows (only a header); pass a table with "
            "at least one row."
        )
    if isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0:
        frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _read(
    args: argparse.Namespace, used: Any = None, declared: Any = None
) -> tuple[Any, Any]:
    """The table ``args.data`` without its ``--id`` columns, and those columns (a
    DataFrame with the same rows, or None without ``--id``). ``used`` names the columns
    the model reads (None: all), whose text is checked (:func:`_check_text_columns`),
    but for those ``declared`` in ``column_types``: their type is the user's choice."""
    from .graph import did_you_mean

    ids = list(dict.fromkeys(getattr(args, "id", None) or []))
    target = getattr(args, "target", None)
    if target is not None and target in ids:
        raise UsageError(
            f"--id {target!r} names the target column; the target is given with --target "
            "alone: drop it from --id."
        )
    used_names = None if used is None else {str(u) for u in used}  # as the table's text
    read = [c for c in ids if used_names is not None and str(c) in used_names]
    if read:
        raise UsageError(
            f"--id {read[0]!r} names a column the model reads (a measurement in the "
            "target's Markov blanket); --id is for row identifiers the model does not read. "
            f"Drop {read[0]!r} from --id."
        )
    frame = read_table(args.data, args.sep, text_columns=ids, decimal=args.decimal,
                       na_values=args.na_values, encoding=args.encoding,
                       thousands=args.thousands)
    absent = [c for c in ids if c not in frame.columns]
    if absent:
        shown = _first_columns(frame)
        close = did_you_mean(absent[0], [str(c) for c in frame.columns])
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UsageError(
            f"--id {absent[0]!r} is not a column of {_shown(args.data)} (columns: {shown}).{hint}"
        )
    if args.data == STDIN or table_format(args.data)[0] not in _PARQUET:
        checked = [c for c in frame.columns
                   if c not in (*ids, target, *(declared or ())) and (used is None or c in used)]
        _check_text_columns(frame[checked], args)
    unnamed = [c for c in frame.columns if c not in ids and re.fullmatch(r"Unnamed: \d+", str(c))]
    ignored = [c for c in unnamed if used_names is not None and str(c) not in used_names]
    if ignored:  # the model does not read them: nothing to refuse
        logger.info("columns without a name in %s, which the model does not read: %s",
                    _shown(args.data), ignored)
        unnamed = [c for c in unnamed if c not in ignored]
    if unnamed:  # a row index saved with the table (DataFrame.to_csv without index=False)
        raise UsageError(
            f"{_shown(args.data)} has a column without a name ({unnamed[0]!r}), as a row index "
            "saved with the table has; it would be read as a measurement. Drop it, or keep "
            f"it out of the model with --id {unnamed[0]!r}."
        )
    _refuse_infinite_cells(frame.drop(columns=ids) if ids else frame, args.data, used)
    if not ids:
        return frame, None
    return frame.drop(columns=ids), frame[ids]


def _refuse_infinite_cells(frame: Any, data: Any, used: set | None) -> None:
    """Refuse an infinite value (``inf``, ``1e999``) in a column the model reads (every
    column where ``used`` is None), naming the column and the first data rows: the
    library names the column alone, and a table is searched by row."""
    import numpy as np
    import pandas as pd

    read = None if used is None else {str(u) for u in used}
    for column in frame.columns:
        if read is not None and str(column) not in read:
            continue
        values = frame[column]
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        bad = np.flatnonzero(np.isinf(values.to_numpy(dtype=float, na_value=np.nan)))
        if len(bad):
            rows = ", ".join(str(i + 1) for i in bad[:5]) + (", ..." if len(bad) > 5 else "")
            raise UsageError(
                f"{_shown(data)} has infinite values in column {column!r} (data rows {rows}, "
                "counting from 1 below the header); write them as numbers, or leave the "
                "cells empty for missing values."
            )


def _as_fitted_codes(values: Any, known: Any) -> Any:
    """``values`` written as the codes ``known`` (a discrete column's fitted categories,
    or the classes) where a file writes the same codes another way: a table's type is
    guessed per file, so ``01, 02`` read as the numbers 1, 2 in one file and as text in
    another, where one code is not a number (``X9``). Text that spells a fitted number
    becomes that number, and whole numbers become the fitted text they spell (``1`` for
    ``"01"``, also beside codes that are not numbers; an unseen number is padded to the
    width of the fitted codes where all are digits of one width); anything else is
    unchanged (an unseen code stays unseen, for that row alone)."""
    import numpy as np
    import pandas as pd

    known = list(known)
    if not known or pd.api.types.is_bool_dtype(values.dtype):
        return values
    if all(isinstance(k, str) for k in known):
        if not pd.api.types.is_numeric_dtype(values.dtype):
            return values
        seen = values.dropna()
        if not bool((seen % 1 == 0).all()):
            return values
        widths = {len(k) for k in known}
        width = widths.pop() if len(widths) == 1 and all(k.isdigit() for k in known) else 0
        spelling: dict[int, list] = {}  # the fitted codes of digits, by the number they spell
        for k in known:
            if k.isdecimal():  # (isdigit admits '²', which int() refuses)
                spelling.setdefault(int(k), []).append(k)

        def code(v: Any) -> Any:
            if pd.isna(v):
                return v
            found = spelling.get(int(v), [])  # one fitted code spells it: that code
            return found[0] if len(found) == 1 else str(int(v)).zfill(width)

        return values.map(code).astype(object)
    numbers = [k for k in known if isinstance(k, (int, float, np.integer, np.floating))
               and not isinstance(k, (bool, np.bool_))]
    if len(numbers) != len(known) or pd.api.types.is_numeric_dtype(values.dtype):
        return values
    parsed = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
    fitted = set(float(k) for k in known)
    spelled = parsed.notna() & parsed.isin(fitted)
    if not spelled.any():
        return values
    out = values.astype(object).copy()
    out[spelled] = [type(known[0])(v) if float(v).is_integer() else v
                    for v in parsed[spelled]]
    return out


def _by_position(frame: Any, clf: Any, path: str) -> Any:
    """``frame`` with its columns as the model names them: a table's header is text, so a
    model fitted on a DataFrame whose labels are numbers (10, 20) gets the columns whose
    header spells them renamed to them; a model fitted on an array reads its columns by
    position, which the header names 0, 1, ... in any order (other columns left out)."""
    if clf._fitted_on_frame():
        labels = {str(c): c for c in clf._fit_columns() if not isinstance(c, str)}
        frame = frame.rename(columns=lambda c: labels.get(c, c) if isinstance(c, str) else c)
        codec = clf.scaler_
        for name, kind, categories in zip(codec.names, codec.kinds, codec.categories,
                                          strict=True):
            if kind != "gaussian" and name in frame.columns and len(categories):
                frame[name] = _as_fitted_codes(frame[name], categories)
        return frame
    n = int(clf.n_features_in_)
    by_text = {str(c): c for c in frame.columns}
    absent = [i for i in range(n) if str(i) not in by_text]
    if absent:
        raise UsageError(
            f"the model was fitted on an array (or a DataFrame whose columns are 0..{n - 1}): "
            f"it reads its {n} columns by position, which a table names 0..{n - 1} in its "
            f"header; {_shown(path)} has no column {absent[0]!r} (columns: "
            f"{_first_columns(frame)}). "
            f"Give the table the header row {','.join(map(str, range(min(n, 6))))}"
            f"{',...' if n > 6 else ''} (the columns in the order of the array it was fitted "
            "on), or refit the model on a DataFrame with named columns."
        )
    return frame[[by_text[str(i)] for i in range(n)]].set_axis(range(n), axis=1)


# a text that marks a missing value in an export: punctuation alone ('.', '-', '?'), or a
# word for it ('ND', 'missing', 'inconnu', ...); pandas' own codes (NA, n/a) are read
_MISSING_TEXT = re.compile(
    r"[.\-\u2013\u2014?*/#]+|n\.?d\.?|n\.?r\.?|missing|unknown|manquant|inconnu|none|null",
    re.IGNORECASE,
)


def _as_numbers(text: Any, decimal: str) -> Any:
    """``text`` (a Series of str) read as numbers written with the decimal mark
    ``decimal`` (NaN where a value is no such number)."""
    import pandas as pd

    if decimal != ".":
        text = text.where(~text.str.contains(".", regex=False)).str.replace(
            decimal, ".", regex=False)
    return pd.to_numeric(text, errors="coerce")


def _thousands_mark(text: Any, decimal: str) -> tuple[str | None, bool]:
    """The character that ``text`` (a Series of str) puts between the thousands of
    numbers written with the decimal mark ``decimal`` (``'1,540.5'``: ``','``), where
    every value is such a number, else None; and whether the values could as well be
    numbers written with that character as their decimal mark (``'1,104'``: 1104 or
    1.104; ``'0,870'`` is never grouped, as no grouped number starts with 0)."""
    for mark in (",", ".", " ", "'"):
        if mark == decimal:
            continue
        grouped = rf"[-+]?[1-9]\d{{0,2}}(?:{re.escape(mark)}\d{{3}})+"
        if len(text) and text.str.fullmatch(rf"{grouped}(?:{re.escape(decimal)}\d*)?").all():
            single_group = text.str.fullmatch(rf"[-+]?\d{{1,3}}{re.escape(mark)}\d{{3}}")
            return mark, bool(single_group.all()) and mark in ",."
    return None, False


_DECORATION = re.compile("[%\u20ac$\u00a3\u00a5<>\u2264\u2265()~*\u00a0\u202f' ]")


def _decorated(text: Any, decimal: str) -> list[str]:
    """Up to five values of ``text`` (a Series of str) that are numbers once units,
    signs and spaces around them are removed (``'6.9%'``, ``'<0.5'``, ``'(1,487.1)'``,
    ``'12 \u20ac'``), where at least 90% of the values are; else an empty list. Codes
    with letters (``'J45.0'``) are never such numbers."""
    import pandas as pd

    other = "," if decimal == "." else "."
    bare = (text.str.replace(_DECORATION, "", regex=True).str.replace(other, "", regex=False)
            .str.replace(decimal, ".", regex=False).str.replace("\u2212", "-", regex=False))
    changed = bare != text
    numbers = pd.to_numeric(bare, errors="coerce").notna() & changed
    if not len(text) or numbers.mean() < 0.9:
        return []
    return list(pd.unique(text[numbers]))[:5]


def _thousands_fix(mark: str, either: bool, decimal_fix: str) -> str:
    """The advice for numbers grouped by ``mark``: ``--thousands``, and where the values
    could as well have ``mark`` as their decimal mark (``either``), ``decimal_fix``
    beside it, neither put first."""
    if not either:
        return f"pass --thousands {mark!r}"
    return (f"if {mark!r} separates their thousands (1{mark}104 = 1104), pass --thousands "
            f"{mark!r}; if it is their decimal mark (1{mark}104 = 1.104), {decimal_fix}")


def _check_text_columns(frame: Any, args: argparse.Namespace) -> None:
    """Refuse a text column of a table read from a text file that holds measurements
    the model would read as labels, one level per distinct value: numbers written with
    the other decimal mark, numbers mixed with a code for a missing value or with other
    text, or dates. The library only warns of those (a DataFrame's types are the user's
    choice); the command line reads the file itself, so it says how to read it right."""
    import pandas as pd

    from ._columns import MAX_INTEGER_LEVELS, _holds_dates, _show, numbers_with_unit

    decimal = args.decimal
    other_mark = "," if decimal == "." else "."
    # the columns a fitted model reads cannot be kept out with --id (it refuses them)
    can_drop = args.command in ("fit", "discover")
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or isinstance(
                column.dtype, pd.CategoricalDtype):
            continue
        text = column.dropna()
        if not len(text) or not all(isinstance(v, str) for v in text):
            continue
        raw, text = text, text.str.strip()  # raw: a code as the file spells it (' ')
        where = f"column {name!r} of {_shown(args.data)}"
        if _holds_dates(text):
            raise UsageError(
                f"{where} holds dates (e.g. {text.iloc[0]!r}), which would be read as "
                "labels, one per distinct date; "
                + (f"keep it out of the model with --id {name!r}, or " if can_drop else "")
                + "replace it in the file by a number (days since a reference date, say)."
            )
        parsed = _as_numbers(text, decimal)
        here = parsed.notna()
        if here.mean() < 0.5:
            grouped, either = _thousands_mark(text[~here], decimal)
            if grouped is not None:
                raise UsageError(
                    f"{where} holds numbers written like {text[~here].iloc[0]!r}, which are "
                    "text as read and would be read as labels, one per distinct value: "
                    f"{_thousands_fix(grouped, either, f'pass --decimal {grouped!r}')}."
                )
            if _as_numbers(text, other_mark).notna().mean() >= 0.9:
                marks = "commas" if other_mark == "," else "points"
                fix = ("pass --decimal ','" if other_mark == ","
                       else "leave --decimal out (the mark is '.')")
                raise UsageError(
                    f"{where} holds numbers with decimal {marks} (e.g. "
                    f"{text[~here].iloc[0]!r}), which are text with --decimal {decimal!r}"
                    f"{' (the default)' if decimal == '.' else ''} and would be read as "
                    f"labels, one per distinct value; {fix}."
                )
            decorated = _decorated(text[~here], decimal)
            if decorated:
                raise UsageError(
                    f"{where} holds numbers written with other characters (e.g. "
                    f"{_show(decorated)}), which would be read as labels, one per distinct "
                    "value; write them as plain numbers in the file (without units, %, "
                    "currency or '<')"
                    + (f", or keep the column out with --id {name!r}." if can_drop else ".")
                )
            with_unit = numbers_with_unit(text[~here])
            if with_unit is not None:
                raise UsageError(
                    f"{where} holds numbers written with the unit {with_unit[0]!r} (e.g. "
                    f"{_show(with_unit[1])}), which would be read as labels, one per distinct "
                    "value; write them as plain numbers in the file (the unit in the "
                    "column's name), "
                    + (f"keep the column out with --id {name!r}, " if can_drop else "")
                    + _declare_labels(args.command, name)
                )
            continue
        numbers = parsed[here]
        left = text[~here]
        # as the file spells them: --na-values matches a cell exactly (a cell of one
        # space, as spreadsheets export a blank one, was shown as '' and got no code)
        spelt = raw[~here]
        codes = [t for t in pd.unique(spelt)
                 if not t.strip() or _MISSING_TEXT.fullmatch(t.strip())]
        measured = bool((numbers % 1 != 0).any()) or numbers.nunique() > MAX_INTEGER_LEVELS
        other_marked = bool(_as_numbers(left, other_mark).notna().all())  # '37,5' for '.'
        # whole numbers beside numbers with the other mark ('39', '37,5'): measurements
        measured = measured or (len(left) > 0 and other_marked)
        if not codes and not measured:
            continue  # labels that are partly numbers ('1', '2', '3a'): categories
        if codes:
            flags = " ".join(f"--na-values {code!r}" for code in codes[:5])
            fix = (f"if {_show(codes)} mark{'s' if len(codes) == 1 else ''} missing values, "
                   f"pass {flags}")
        else:
            fix = "if that text marks missing values, pass --na-values for each code"
        grouped, either = _thousands_mark(left, decimal)
        if grouped is not None:
            fix = _thousands_fix(grouped, either, "write them with one decimal mark")
        elif other_marked and (numbers % 1 == 0).all():
            fix = (f"its numbers have the decimal mark {other_mark!r} (the others are whole "
                   f"numbers); pass --decimal {other_mark!r} if the file writes every number "
                   f"so, else write them with {decimal!r}")
        elif other_marked:
            fix = (f"its numbers mix the decimal marks {decimal!r} and {other_mark!r}; "
                   "write them with one")
        elif not codes and _decorated(left, decimal):
            fix = ("they are numbers written with other characters (units, %, currency, "
                   "'<'); write them as plain numbers")
        raise UsageError(
            f"{where} holds numbers and also the text {_show(pd.unique(spelt))} "
            f"({_rows_text(len(left))}), so it would be read as labels, one per distinct "
            f"value: {fix}. "
            "Otherwise replace that text in the file"
            + (", or keep the column out with --id." if can_drop else ".")
        )


def _rows_text(n: int) -> str:
    """``'1 row'``, ``'3 rows'``."""
    return f"{n} row" if n == 1 else f"{n} rows"


def _declare_labels(command: str, name: Any) -> str:
    """The end of a message about text in a column read as numbers: where the values are
    labels, how this command can read them so (a fitted model's types are fixed)."""
    declare = f"--set 'column_types={{\"{name}\": \"categorical\"}}'"
    if command == "fit":
        return f"or, where the values are labels, declare them with {declare}."
    if command == "discover":
        return "or, where the values are labels, write them as words."
    return (f"or, where the values are labels, fit the model with {declare}: its column "
            "types are fixed at fit.")


def _first_columns(frame: Any, limit: int = 12) -> str:
    """The first ``limit`` column names of ``frame``, with how many more there are."""
    names = ", ".join(map(str, list(frame.columns)[:limit]))
    more = frame.shape[1] - limit
    return f"{names}, ... ({more} more)" if more > 0 else names


def _split_target(
    frame: Any, target: str, path: str, option: str = "target column"
) -> tuple[Any, Any]:
    """The table without the column ``target``, and that column (labels, or the weights
    of ``--weight``), which must be present."""
    from .graph import did_you_mean

    if target not in frame.columns:
        close = did_you_mean(target, list(frame.columns))
        hint = f" Did you mean {close[0]!r}?" if close else ""
        shown = _first_columns(frame)
        raise UsageError(
            f"{option} {target!r} is not in {_shown(path)} (columns: {shown}).{hint}"
        )
    values = frame[target]
    empty = values.isna().to_numpy()
    if option == "target column" and empty.any():
        where = [int(i) + 1 for i in empty.nonzero()[0][:5]]
        more = ", ..." if empty.sum() > 5 else ""
        raise UsageError(
            f"target column {target!r} of {_shown(path)} has no label in "
            f"{_rows_text(int(empty.sum()))} "
            f"(data rows {', '.join(map(str, where))}{more}, counting from 1 below the "
            "header); fill in their labels, or drop those rows."
        )
    return frame.drop(columns=[target]), values


def _load_model(
    path: str, args: argparse.Namespace | None = None, own_setting: bool = False
) -> Any:
    """The model of a model file, with ``--handle-unknown`` of ``args`` when given (and
    ``own_setting`` is False: with it, the model's own setting)."""
    from .persistence import ModelFileError, load_model

    try:
        clf = load_model(path)
    except ModelFileError as error:
        data = getattr(args, "data", None)
        if (data is not None and table_format(path)[0] in TABLE_FORMATS
                and str(data).lower().endswith(".skcama")):  # the two files swapped
            raise UsageError(
                f"{error} The model file comes first: skcama {args.command} MODEL DATA, "
                f"here {data} then {path}."
            ) from error
        raise
    if args is not None and args.handle_unknown is not None and not own_setting:
        clf.set_params(handle_unknown=args.handle_unknown)
    return clf


def _save_model(clf: Any, path: str) -> None:
    from .persistence import save_model

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    save_model(clf, path)


def _check_output(
    path: str | Path, option: str, *, figure: bool = False, table: bool = False,
    model: bool = False, inputs: Sequence[str | None] = (),
) -> None:
    """Fail fast, before any slow work, on an output path that cannot be written.

    Refused: an existing folder, a path below a file, one of the command's ``inputs``
    (writing it would destroy the input), for ``figure`` a name whose extension
    matplotlib cannot write, for ``table`` one that :func:`write_table` cannot (the
    extensions :func:`read_table` reads, Parquet only with pyarrow), and for ``model`` a
    table's or a graph's extension. A missing parent folder is fine: the writers create it.
    """
    if str(path).endswith(("/", os.sep)):  # Path() would drop the slash and write a file
        raise UsageError(
            f"{option} {str(path)!r} names a folder (it ends with a slash); name a file to "
            "write instead."
        )
    if str(path) == STDIN:  # it would be a file named '-'
        what, example = (("a model", "model.skcama") if model else ("a figure", "figure.png")
                         if figure else ("a table", "results.csv") if table
                         else ("a graph", "graph.gml"))
        raise UsageError(
            f"{option} '-': only predict's table goes to standard output (with -o - or "
            f"without -o); this writes {what} to a file: name one (e.g. {example})."
        )
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{option} {str(path)!r} is a folder; name a file to write instead.")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise UsageError(
            f"cannot write {option} {str(path)!r}: {str(folder)!r} is a file, not a folder; "
            "choose a path in a folder."
        )
    if not os.access(folder, os.W_OK | os.X_OK):  # found now, not after the slow part
        raise UsageError(
            f"cannot write {option} {str(path)!r}: this user may not write in the folder "
            f"{str(folder)!r}; choose a folder you can write in."
        )
    # where the writer will land: 'new/../data.csv' is data.csv once 'new' is made
    target = Path(os.path.realpath(path))
    for given in inputs:
        if given is not None and Path(given).is_file() and (
            target == Path(os.path.realpath(given))
            or (target.is_file() and os.path.samefile(target, given))
        ):
            raise UsageError(
                f"{option} {str(path)!r} is the input file {given!r}: writing it would "
                "overwrite the input. Name another file."
            )
    from .graph import GRAPH_FORMATS

    if model and path.suffix.lower() in {*TABLE_FORMATS, *GRAPH_FORMATS}:
        raise UsageError(
            f"{option} {str(path)!r}: a model file is a zip archive, not a "
            f"'{path.suffix}' file; name it with .skcama (e.g. "
            f"{str(path.with_suffix('.skcama'))!r})."
        )
    suffix, compression = table_format(path)
    if table and not suffix and compression is None and _is_stream_path(path):
        suffix = ".csv"  # a device or a named pipe without an extension: CSV text
    if table and compression and suffix in _PARQUET:
        raise UsageError(
            f"{option} {str(path)!r}: a Parquet file compresses its own columns; name it "
            f"without {path.suffix!r} (e.g. {_renamed(path, suffix)}), or name a text "
            f"table to compress (e.g. {_renamed(path, '.csv' + path.suffix.lower())})."
        )
    if table and suffix not in TABLE_FORMATS:
        given = f"'{path.suffix}' files" if path.suffix else "a name without an extension"
        raise UsageError(
            f"{option} {str(path)!r}: cannot write {given}; end the name with one of "
            f"{', '.join(TABLE_FORMATS)}, for text with {', '.join(COMPRESSIONS)} after it "
            f"if compressed (e.g. {_renamed(path, '.csv')})."
        )
    if table and suffix in _PARQUET and not any(
        importlib.util.find_spec(engine) for engine in ("pyarrow", "fastparquet")
    ):
        raise UsageError(
            f"writing Parquet file {str(path)!r} needs pyarrow: pip install pyarrow (or "
            "name a .csv file)."
        )
    if figure:
        from matplotlib.backend_bases import FigureCanvasBase

        formats = sorted(FigureCanvasBase.get_supported_filetypes())
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in formats:
            given = f"'.{suffix}' files" if suffix else "a name without an extension"
            raise UsageError(
                f"{option} {str(path)!r}: matplotlib cannot write {given}; end the name "
                f"with one of {', '.join('.' + f for f in formats)} (e.g. "
                f"{str(path.with_suffix('.png'))!r})."
            )


def _parse_value(text: str) -> Any:
    """A ``--set`` value: JSON when it parses (number, true / false / null, list, dict,
    quoted string), else int, float, bool or None spelt the Python way, else the string."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        pass
    lowered = text.strip().lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


_FIT_VALUES = "--set / --max-epochs"  # the options that give fit's estimator values
_ADAPT_VALUES = "--set / --steps"  # and adapt's
_FLAG_OF = {_FIT_VALUES: ("--max-epochs", "max_epochs"), _ADAPT_VALUES: ("--steps", "adapt_steps")}

# CAMAClassifier options that ``skcama fit`` sets through its own flags, not --set
_FLAG_OPTIONS = {"graph": "-g/--graph", "target": "-t/--target", "max_epochs": "--max-epochs",
                 "random_state": "--random-state", "verbose": "-q/--quiet"}


def _progress(args: argparse.Namespace) -> int:
    """1 (progress bars) unless ``-q`` or standard error is not a terminal: a bar
    redrawn in a log file or a CI log is only noise."""
    return 0 if args.quiet or not sys.stderr.isatty() else 1


def _parse_settings(
    items: Sequence[str] | None, known: set, fixed: Mapping[str, str]
) -> dict:
    """``--set NAME=VALUE`` items as estimator parameters: ``known`` names the options the
    command may set, ``fixed`` maps options it may not set to the reason shown."""
    params: dict = {}
    for item in items or []:
        name, eq, value = item.partition("=")
        name = name.strip().replace("-", "_")
        if not eq or not name:
            raise UsageError(f"--set takes NAME=VALUE, got {item!r}.")
        if name in params:
            raise UsageError(f"--set {name}=... is given twice; give it once.")
        if name in fixed:
            raise UsageError(f"--set {item!r}: {fixed[name]}")
        if name not in known:
            from .graph import did_you_mean

            close = did_you_mean(name, sorted(known))
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"--set: CAMAClassifier has no option {name!r}.{hint}")
        params[name] = _parse_value(value)
        if isinstance(params[name], str) and params[name].strip()[:1] in ("{", "["):
            import json

            try:  # JSON meant, not text: say why it did not parse
                json.loads(params[name])
            except ValueError as error:
                raise UsageError(
                    f"--set {item!r}: the value is not valid JSON ({error}); write keys and "
                    "text values in double quotes, e.g. --set "
                    "'column_types={\"mmrc\": \"categorical\"}'."
                ) from None
    return params


def _check_values(params: dict, option: str) -> None:
    """Refuse a value the estimator would refuse, before any data is read or any model
    fitted, adapted or written; ``option`` names the command-line option that gave it."""
    from sklearn.utils._param_validation import InvalidParameterError

    from . import CAMAClassifier
    from .graph import check_discovery_params

    try:
        CAMAClassifier(**params)._validate_params()
    except (InvalidParameterError, ValueError) as error:
        named = re.search(r"The '(\w+)' parameter", str(error))  # scikit-learn's wording
        if named and named.group(1) in params and option in (*_FLAG_OF, "--set"):
            flag, parameter = _FLAG_OF.get(option, ("--set", None))  # the one that gave it
            option = flag if named.group(1) == parameter else f"--set {named.group(1)}=..."
        raise UsageError(f"{option}: {error}") from None
    try:
        check_discovery_params(params.get("discovery_params"))
    except ValueError as error:  # only --set gives discovery_params
        raise UsageError(f"--set discovery_params=...: {error}") from None


def _estimator_params(args: argparse.Namespace) -> dict:
    from . import CAMAClassifier

    params: dict = {"random_state": args.random_state, "verbose": _progress(args)}
    if args.max_epochs is not None:
        params["max_epochs"] = args.max_epochs
    fixed = {name: f"the {name!r} option is given with {flag}, not with --set."
             for name, flag in _FLAG_OPTIONS.items()}
    known = set(CAMAClassifier().get_params()) - set(_FLAG_OPTIONS)
    params.update(_parse_settings(args.set, known, fixed))
    _check_values(params, _FIT_VALUES)
    return params


def _adapt_settings(args: argparse.Namespace) -> dict:
    """The ``--set`` items of ``adapt`` / ``evaluate``: the ``adapt_*`` options, the only
    ones a fitted model can change without a refit."""
    from . import CAMAClassifier

    names = set(CAMAClassifier().get_params())
    known = {name for name in names if name.startswith("adapt_")}
    only = f"only {', '.join(sorted(known))} can be set here"
    fixed = {
        name: f"{name!r} is not an adaptation option ({only}); choose it when fitting, "
        f"with skcama fit {_FLAG_OPTIONS.get(name, f'--set {name}=...')}."
        for name in names - known
    }
    params = _parse_settings(args.set, known, fixed)
    if getattr(args, "steps", None) is not None:
        if "adapt_steps" in params:
            raise UsageError("--steps and --set adapt_steps=... say the same; give one.")
        params["adapt_steps"] = args.steps
        _check_values(params, _ADAPT_VALUES)  # adapt_steps named as --steps
    else:
        _check_values(params, "--set")
    return params


def _print_roles(roles: Any) -> None:
    for role in ("parents", "coparents", "children", "outside"):
        nodes = getattr(roles, role)
        print(f"  {role:<10} {', '.join(map(str, nodes)) or '-'}")


def _print_node_roles(roles: dict, indent: str = "") -> None:
    """:func:`~skcama.graph.node_roles`'s ``{node: role}``, one line per role with its
    count, readable at any width: the target, then from causes to effects (parents, nodes
    that are parents and co-parents, co-parents, children), then the nodes outside."""
    rank = {"target": 0, "parent": 1, "parent+co-parent": 2, "co-parent": 3, "child": 4,
            "outside": 6}
    groups: dict[str, list] = {}
    for node, role in sorted(roles.items(), key=lambda item: rank.get(item[1], 5)):
        groups.setdefault(role, []).append(str(node))
    width = max(len(role) for role in groups)
    for role, nodes in groups.items():
        count = "" if role == "target" else f"({len(nodes)}) "
        print(f"{indent}{role:<{width}}  {count}{', '.join(nodes)}")


# ---------------------------------------------------------------------- subcommands
def _fit(args: argparse.Namespace) -> int:
    """Fit a CAMAClassifier on a labelled table and save it."""
    from . import CAMAClassifier
    from .graph import check_graph_name, is_discovery_method, load_graph

    _check_output(args.output, "--output", model=True, inputs=(args.data, args.graph))
    params = _estimator_params(args)
    graph = args.graph
    if graph and not is_discovery_method(graph):
        check_graph_name(graph)  # a mistyped method ("pcc") is told so, as in Python
        graph = _text_names(load_graph(graph))  # a method name is discovered by fit
        if args.target is None:
            args.target = _outcome(graph, args.graph)
    if args.target is None:
        raise UsageError("pass --target, the name of the label column (a graph file that "
                         "marks one node as the outcome, as DAGitty's [outcome], names it).")
    used = _blanket(graph, args.target)
    frame, _ = _read(args, used=used, declared=params.get("column_types"))
    X, y = _split_target(frame, args.target, args.data)
    X, weights = _split_weight(X, args, used)
    if isinstance(params.get("class_weight"), dict):
        params["class_weight"] = _labels_of_keys(params["class_weight"], y)
    clf = CAMAClassifier(graph=graph, target=args.target, **params)
    start = time.perf_counter()
    clf.fit(X, y, sample_weight=weights)
    seconds = time.perf_counter() - start
    # progress bars belong to this run, not to the model: the saved verbose does not
    # depend on whether the fit ran in a terminal
    _save_model(clf.set_params(verbose=0), args.output)
    n_rows = len(X) if weights is None else int((weights > 0).sum())
    weighted = f" (weight > 0), weighted by {args.weight!r}," if weights is not None else ""
    print(f"fitted CAMA on {n_rows} rows{weighted} in {seconds:.1f} s ({clf.n_iter_} "
          f"epochs); classes: {', '.join(map(str, clf.classes_))}")
    print(f"roles for target {args.target!r}:")
    _print_roles(clf.roles_)
    print(f"model written to {args.output}")
    return 0


def _text_names(graph: Any) -> Any:
    """``graph`` with its number nodes (a JSON file keeps them as numbers) named by their
    text, as a table's header names its columns; ``graph`` itself where it has none, or
    where two nodes would share a text."""
    import networkx as nx

    names = {node: str(node) for node in graph.nodes if not isinstance(node, str)}
    if not names or len({str(node) for node in graph.nodes}) < len(graph):
        return graph
    return nx.relabel_nodes(graph, names)


def _blanket(graph: Any, target: str) -> set | None:
    """The columns a model on ``graph`` reads: the target's Markov blanket (every node of
    a graph the target is not in, which fit refuses with its own message); None when
    the graph is yet to be discovered."""
    from .graph import GraphError, markov_blanket_roles

    if graph is None or isinstance(graph, str):
        return None
    try:
        return set(markov_blanket_roles(graph, target).blanket)
    except GraphError:
        return set(graph.nodes)


def _split_weight(X: Any, args: argparse.Namespace, used: set | None = None) -> tuple[Any, Any]:
    """``X`` without the ``--weight`` column, and that column (None without ``--weight``);
    ``used`` names the columns the model reads (None: not known yet)."""
    if args.weight is None:
        return X, None
    if args.weight == args.target:
        raise UsageError(f"--weight {args.weight!r} is the target; name a weight column.")
    if used is not None and str(args.weight) in {str(u) for u in used}:
        raise UsageError(  # taken out of X, it was then missing from the graph's columns
            f"--weight {args.weight!r} names a column the model reads (a measurement in "
            "the target's Markov blanket); --weight is for a column of row weights the "
            "model does not read. Name another column."
        )
    if args.weight in (args.id or []):
        raise UsageError(
            f"--weight {args.weight!r} is also given as --id; a column is either a row "
            "identifier or a row weight."
        )
    X, weights = _split_target(X, args.weight, args.data, option="--weight")
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(weights, errors="coerce").to_numpy(dtype=float)
    bad = (~np.isfinite(values) | (values < 0)).nonzero()[0]
    if len(bad):  # named here by the rows of the file (the library counts from 0)
        shown = ", ".join(f"row {i + 1}: {weights.iloc[i]}" for i in bad[:5])
        rows = "1 row does" if len(bad) == 1 else f"{len(bad)} rows do"
        raise UsageError(
            f"--weight {args.weight!r} of {_shown(args.data)} must hold a finite, non-negative "
            f"number in every row; {rows} not ({shown}{', ...' if len(bad) > 5 else ''}; "
            "data rows, counting from 1 below the header). Fix them, or give those rows "
            "weight 0 to leave them out."
        )
    return X, weights


def _labels_of_keys(class_weight: dict, y: Any) -> dict:
    """``class_weight`` read from JSON, whose keys are always text, with each key that is
    not a label of ``y`` but spells one (``"1"`` for the number 1) replaced by it."""
    import pandas as pd

    labels = {str(label): label for label in pd.unique(pd.Series(y).dropna())}
    present = set(labels.values())
    return {key if key in present else labels.get(str(key), key): value
            for key, value in class_weight.items()}


def _evidence_over_runner_up(clf: Any, frame: Any, proba: Any) -> Any:
    """The runner-up class of each row and, per term of ``clf.explain``, the evidence
    for the predicted class over it (columns ``evidence_<term>``)."""
    import numpy as np
    import pandas as pd

    terms = clf.explain(frame)
    names = list(terms.columns.get_level_values("term")[: terms.shape[1] // len(clf.classes_)])
    values = terms.to_numpy().reshape(len(frame), len(clf.classes_), len(names))
    order = np.argsort(-proba, axis=1, kind="stable")
    rows = np.arange(len(frame))
    gap = values[rows, order[:, 0]] - values[rows, order[:, 1]]
    out = pd.DataFrame({"runner_up": clf.classes_[order[:, 1]]}, index=frame.index)
    for j, name in enumerate(names):
        out[f"evidence_{name}"] = gap[:, j]
    return out


def _predict(args: argparse.Namespace) -> int:
    """Predict labels and class probabilities for every row of a table."""
    import pandas as pd

    _check_out_sep(args.out_sep, args.output)
    if args.output not in (None, "-"):
        _check_output(args.output, "--output", table=True, inputs=(args.data, args.model))
    clf = _load_model(args.model, args)
    frame, ids = _read(args, used=set(clf.roles_.blanket), declared=clf.column_types)
    frame = _by_position(frame, clf, args.data)
    proba = clf.predict_proba(frame)
    labels = clf.classes_[proba.argmax(axis=1)]
    out = pd.DataFrame({"predicted": labels}, index=frame.index)  # the input's row order
    for i, label in enumerate(clf.classes_):
        out[f"proba_{label}"] = proba[:, i]
    if args.manipulation_score:
        if not clf.manipulation_learned_:
            prior_only = any(float(v) != 0 for v in getattr(clf, "prior_shift_", ()))
            raise UsageError(
                "--manipulation-score needs a model that has learned a manipulation; "
                + ("this one was adapted with --prior-only, which re-estimates the class "
                   "prior alone: adapt it without --prior-only." if prior_only else
                   "adapt it first (skcama adapt MODEL NEW_DATA -o ADAPTED).")
            )
        out["manipulation_score"] = clf.manipulation_score(frame)
    if args.explain:
        out = pd.concat([out, _evidence_over_runner_up(clf, frame, proba)], axis=1)
    if ids is not None:
        clash = [c for c in ids.columns if c in out.columns]
        if clash:  # the header would name two columns alike, the id and a prediction
            raise UsageError(
                f"--id {clash[0]!r} has the name of a column of the predictions; rename it "
                f"in {_shown(args.data)} (e.g. to 'id'), so that the output names each "
                "column once."
            )
        out = pd.concat([ids, out], axis=1)
    if args.output in (None, "-"):
        out.to_csv(sys.stdout, index=False, sep=args.out_sep or ",")
    else:
        write_table(out, args.output, sep=args.out_sep)
        print(f"{len(out)} predictions written to {args.output}")
    return 0


def _adapt(args: argparse.Namespace) -> int:
    """Adapt a saved model to unlabelled rows from a new setting; save the result."""
    # the model file itself may be overwritten: adapting in place is allowed
    _check_output(args.output, "--output", model=True, inputs=(args.data,))
    if args.prior_only and args.steps is not None:
        raise UsageError("--prior-only adapts the class prevalence only; drop --steps.")
    options = _adapt_settings(args)
    if args.prior_only and options:
        raise UsageError("--prior-only adapts the class prevalence only; drop --set.")
    from ._classifier import _PRIOR_ROWS_PER_CLASS

    clf = _load_model(args.model, args, own_setting=True)
    # --handle-unknown is this command's reading of the rows: the file keeps the model's own
    own_setting = clf.handle_unknown
    if args.handle_unknown is not None:
        clf.set_params(handle_unknown=args.handle_unknown)
    frame, _ = _read(args, used=set(clf.roles_.blanket), declared=clf.column_types)
    if clf.roles_.target in frame.columns:
        warnings.warn(
            f"{_shown(args.data)} has the column {clf.roles_.target!r}, the model's target: adapt "
            "learns from the measurements alone and leaves it out (skcama evaluate "
            "--adapt scores an adaptation against labels).", UserWarning, stacklevel=1,
        )
    frame = _by_position(frame, clf, args.data)
    clf.set_params(**options)
    least = _PRIOR_ROWS_PER_CLASS * len(clf.classes_)
    if args.prior and len(frame) < least:  # before the adaptation, not after its time
        raise UsageError(
            f"--prior needs at least {least} rows ({_PRIOR_ROWS_PER_CLASS} per class) to "
            f"estimate the prevalence of {len(clf.classes_)} classes; {_shown(args.data)} "
            f"has {len(frame)}. Drop --prior to adapt to the manipulation alone, or "
            "collect more rows of the new setting."
        )
    start = time.perf_counter()
    if not args.prior_only:
        clf.adapt(frame)
        print(f"adapted to {len(frame)} unlabelled rows in {time.perf_counter() - start:.1f} "
              f"s ({clf.adapt_history_[-1]['step']} steps, adapt call {clf._n_adapt_calls})")
    if args.prior or args.prior_only:
        clf.adapt_prior(frame)
        shares = ", ".join(
            f"{label} {before:.1%} -> {after:.1%} (+/- {se:.1%})" for label, before, after, se
            in zip(clf.classes_, clf.class_prior_, clf.adapted_class_prior_,
                   clf.adapted_class_prior_se_, strict=True)
        )
        print(f"class prevalence estimated from {len(frame)} unlabelled rows (training -> "
              f"new setting, +/- one standard error): {shares}")
    _save_model(clf.set_params(handle_unknown=own_setting), args.output)
    print(f"adapted model written to {args.output}")
    return 0


_ROLE_GROUPS = {"parents": "parents", "coparents": "coparents", "co-parents": "coparents",
                "children": "children"}


def _shift_name(name: str, blanket: list, item: str) -> tuple[str, bool]:
    """The column or role an item of ``--shift`` names, and whether it is a role:
    ``role:NAME`` and ``column:NAME`` say which; a bare name that is both a column of the
    model and a role (a column called ``children``) is refused as ambiguous."""
    if name in blanket and name not in _ROLE_GROUPS:
        return name, False  # a column, whatever it is called ("role:x" too)
    kind, colon, rest = name.partition(":")
    if colon and kind.strip() in ("role", "column"):
        rest = rest.strip()
        if kind.strip() == "column":
            return rest, False
        if rest not in _ROLE_GROUPS:
            raise UsageError(
                f"--shift {item!r}: {rest!r} is not a role; role: takes parents, "
                "coparents (co-parents) or children."
            )
        return rest, True
    if name in _ROLE_GROUPS and name in blanket:
        raise UsageError(
            f"--shift {item!r}: {name!r} is both a column of the model and a role; write "
            f"column:{name}=AMOUNT for the column or role:{name}=AMOUNT for every "
            f"continuous column of the role."
        )
    return name, name in _ROLE_GROUPS


def parse_shift(items: Sequence[str], clf: Any) -> dict:
    """``COLUMN=AMOUNT`` strings as ``{column: amount in original units}``.

    The amount is in standard deviations of the clean training data; ``parents``,
    ``coparents`` and ``children`` stand for every continuous column of that role (a
    co-parent that is also a parent of the target counts as a parent). Where a column
    has a role's name, ``column:NAME`` names the column and ``role:NAME`` the role (the
    bare name is refused as ambiguous). The shift moves the measured values only:
    children are not regenerated from shifted co-parents.

    Parameters
    ----------
    items : sequence of str
        ``COLUMN=AMOUNT`` or ``ROLE=AMOUNT`` strings, as given to ``--shift``.
    clf : fitted CAMAClassifier
        Gives the roles and the clean training sds.

    Returns
    -------
    dict
        Column name to the amount in the column's own units.

    Raises
    ------
    UsageError
        For an item without ``=``, an amount that is not a finite number, the target, a
        name that is neither a column of the model nor a role (or both), a discrete
        column, or a role without a continuous column.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import numpy as np
    >>> from skcama.graph import markov_blanket_roles
    >>> clf = SimpleNamespace(roles_=markov_blanket_roles({"x": ["y", "c"]}, "y"),
    ...                       scaler_=SimpleNamespace(scale=np.array([2.0, 10.0]),
    ...                                               kinds=("gaussian", "gaussian")))
    >>> parse_shift(["x=+1.5"], clf)
    {'x': 15.0}
    >>> parse_shift(["coparents=-1"], clf)
    {'c': -2.0}
    """
    roles = clf.roles_
    blanket = list(roles.blanket)
    kinds = dict(zip(blanket, clf.scaler_.kinds, strict=True))
    parent_set = set(roles.parents)
    shifts: dict = {}
    for item in items:
        column, eq, amount = item.partition("=")
        column = column.strip()
        try:
            value = float(amount)
        except ValueError:
            value = None
        if not eq or not column or value is None or not math.isfinite(value):
            raise UsageError(
                f"--shift takes COLUMN=AMOUNT with a finite AMOUNT (e.g. x1=+2), got {item!r}."
            )
        column, by_role = _shift_name(column, blanket, item)
        if by_role:
            group = _ROLE_GROUPS[column]
            members = list(getattr(roles, group))
            if group == "coparents":  # a parent with a double role is shifted as a parent
                members = [m for m in members if m not in parent_set]
            columns = [m for m in members if kinds[m] == "gaussian"]
            skipped = [m for m in members if kinds[m] != "gaussian"]
            if skipped:
                warnings.warn(
                    f"--shift {item!r}: discrete columns {skipped} are left as they are.",
                    UserWarning, stacklevel=2,
                )
            if not columns:
                raise UsageError(f"--shift {item!r}: the model has no continuous {column}.")
        elif column in blanket:
            if kinds[column] != "gaussian":
                raise UsageError(
                    f"--shift: {column!r} is {kinds[column]}; a shift in standard deviations "
                    "applies to continuous columns only."
                )
            columns = [column]
        elif str(column) == str(clf.roles_.target):
            raise UsageError(
                f"--shift: {column!r} is the target; changing the label is not a "
                "manipulation of the measurements. Shift co-parents or children."
            )
        else:
            from .graph import did_you_mean

            close = did_you_mean(column, blanket)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UsageError(
                f"--shift: {column!r} is not a column the model uses (uses: "
                f"{', '.join(map(str, blanket))}).{hint}"
            )
        parents = [c for c in columns if c in parent_set]
        if parents:
            warnings.warn(
                f"--shift {item!r} moves parents of the target {parents}: that changes "
                "p(y | parents), which no classifier can be robust to. Valid manipulations "
                "are of co-parents and children.",
                UserWarning, stacklevel=2,
            )
        for col in columns:
            scale = float(clf.scaler_.scale[blanket.index(col)])
            shifts[col] = shifts.get(col, 0.0) + value * scale
    return shifts


@contextlib.contextmanager
def _blaming_the_shift(args: argparse.Namespace, shifted: bool) -> Iterator[None]:
    """Values too far from the training data in rows that ``--shift`` moved: the amount
    put them there, not the file (whose advice is to convert its units)."""
    try:
        yield
    except ValueError as error:
        if not shifted or "too far from the training data" not in str(error):
            raise
        raise UsageError(
            f"--shift {' '.join(args.shift)} moves values too far from the training data "
            f"for the model to score them ({str(error).split(': ', 1)[1].split('. ')[0]}); "
            "use smaller amounts (in clean standard deviations)."
        ) from None


def _evaluate(args: argparse.Namespace) -> int:
    """Accuracy on labelled rows, clean and (optionally) manipulated, and adapted."""
    import copy

    import pandas as pd
    from sklearn.metrics import log_loss

    if not args.output and args.out_sep is not None:
        raise UsageError(
            f"--out-sep {args.out_sep!r} sets the delimiter of the table written with "
            "-o/--output (the table printed is aligned text); add -o FILE.csv, or drop "
            "--out-sep."
        )
    _check_out_sep(args.out_sep, args.output)
    if args.output:
        _check_output(args.output, "--output", table=True, inputs=(args.data, args.model))
    if args.figure:
        _check_output(args.figure, "--figure", figure=True, inputs=(args.data, args.model))
    options = _adapt_settings(args)
    if options and not args.adapt:
        raise UsageError("--set changes how the model adapts; add --adapt.")
    clf = _load_model(args.model, args)
    frame, _ = _read(args, used=set(clf.roles_.blanket), declared=clf.column_types)
    if args.target != str(clf.target_) and (
        args.target in clf.roles_.blanket or clf.target_ in frame.columns
    ):  # the labels are another column: the model's own target is named in the file
        reads = " (a column the model reads)" if args.target in clf.roles_.blanket else ""
        raise UsageError(
            f"--target {args.target!r}{reads} is not what this model predicts: it was "
            f"fitted with --target {clf.target_!r}; pass --target {clf.target_!r}."
        )
    X, y = _split_target(frame, args.target, args.data)
    X = _by_position(X, clf, args.data)
    y = _as_fitted_codes(y, clf.classes_)
    settings = [("as given", X)]
    if args.shift:
        shifts = parse_shift(args.shift, clf)
        absent = [column for column in shifts if column not in X.columns]
        if absent:
            raise UsageError(f"--shift: {_shown(args.data)} has no columns {absent}.")
        shifted = X.copy()
        for column, amount in shifts.items():
            shifted[column] = pd.to_numeric(shifted[column], errors="raise") + amount
        settings.append((f"shifted ({', '.join(args.shift)})", shifted))
    rows = []
    for name, data in settings:
        with _blaming_the_shift(args, data is not X):
            rows.append(_scores(name, clf, data, y, log_loss))
    if args.adapt:
        adapted = copy.deepcopy(clf).set_params(verbose=0, **options)
        target = settings[-1][1]
        with _blaming_the_shift(args, target is not X):
            adapted.adapt(target)
        rows.append(_scores(f"{settings[-1][0]}, after adapt", adapted, target, y, log_loss))
        if len(settings) > 1:
            rows.append(_scores("as given, after adapt", adapted, X, y, log_loss))
    table = pd.DataFrame(rows).set_index("test data")
    source = "standard input" if args.data == STDIN else args.data
    print(f"{len(X)} labelled rows from {source}:\n")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.output:
        write_table(table, args.output, index=True, sep=args.out_sep)
        print(f"\ntable written to {args.output}")
    if args.figure:
        _plot_evaluation(table, Path(args.figure))
        print(f"figure written to {args.figure}")
    return 0


def _scores(name: str, clf: Any, X: Any, y: Any, log_loss) -> dict:
    import numpy as np

    proba = clf.predict_proba(X)
    labels = clf.classes_[proba.argmax(axis=1)]
    y = np.asarray(y)
    unknown = sorted(set(y.tolist()) - set(clf.classes_.tolist()), key=str)
    if unknown:
        from ._columns import _spelling

        at = np.flatnonzero(np.isin(y, np.asarray(unknown, dtype=object)))
        rows = (X.index[at[:5]] if hasattr(X, "index") else at[:5] + 1).tolist()
        known = {_spelling(c): c for c in clf.classes_.tolist() if isinstance(c, str)}
        alike = {u: known[_spelling(u)] for u in unknown
                 if isinstance(u, str) and _spelling(u) in known}
        fix = (f"; {', '.join(f'{u!r} is {c!r} written otherwise' for u, c in alike.items())}"
               ": write the labels as in the training table" if alike else
               "; those rows' classes are not among the model's, so they cannot be scored: "
               "leave them out, or refit with them")
        raise UsageError(
            f"the target column holds labels {unknown[:5]} the model never saw (data rows "
            f"{', '.join(map(str, rows))}{', ...' if len(at) > 5 else ''}; it knows "
            f"{clf.classes_.tolist()}){fix}."
        )
    return {
        "test data": name,
        "accuracy": float(np.mean(labels == y)),
        "log loss": float(log_loss(y, proba, labels=clf.classes_)),
        "rows": len(y),
    }


def _plot_evaluation(table: Any, path: Path) -> None:
    fig, ax = _figure((6, 0.6 * len(table) + 1.5))
    ax.barh(list(table.index)[::-1], table["accuracy"].to_numpy()[::-1], color="tab:blue")
    for i, value in enumerate(table["accuracy"].to_numpy()[::-1]):
        ax.text(min(value + 0.01, 0.9), i, f"{value:.3f}", va="center")
    ax.set_xlim(0, 1)
    ax.set_xlabel("accuracy")
    ax.set_title("CAMA accuracy")
    ax.grid(axis="x", alpha=0.3)
    _save_figure(fig, path)


def _discover(args: argparse.Namespace) -> int:
    """Learn a causal graph from a labelled table and write it to a graph file."""
    from .discovery import discover_graph
    from .graph import _format_of, node_roles, write_graph

    _check_output(args.output, "--output", inputs=(args.data,))
    _format_of(Path(args.output))  # fail on a bad output before the slow part
    frame, _ = _read(args)
    kept_out = {args.target: "--target", args.weight: "--weight"}
    if args.target in frame.columns and all(c in kept_out for c in frame.columns):
        # nothing but the target (and weights): refused before the slow part, and before
        # the output file is touched
        given = [f"{kept_out[c]} {c!r}" for c in frame.columns]
        given += [f"--id {c!r}" for c in dict.fromkeys(args.id or [])]
        raise UsageError(
            f"{_shown(args.data)} has no columns to discover a graph over: its only columns are "
            f"{', '.join(given)}, which discovery keeps out of the graph, so there is "
            "nothing to discover. Pass a table with the measurements as columns (or, if "
            "--id names a measurement, leave it out of --id)."
        )
    if args.complete_rows:
        complete = frame.dropna()
        if len(complete) < len(frame):
            warnings.warn(
                f"discovering on the {len(complete)} complete rows of {len(frame)}: where "
                "values are missing depending on other columns, the complete rows are not a "
                "random sample and the graph can be biased.",
                UserWarning, stacklevel=2,
            )
        frame = complete
    elif frame.isna().any().any():
        holes = [str(c) for c in frame.columns[frame.isna().any()]]
        raise UsageError(
            f"{_shown(args.data)} has missing values (columns {', '.join(holes[:8])}); discovery "
            "needs complete rows: impute them, or pass --complete-rows to use the rows "
            "without holes."
        )
    X, y = _split_target(frame, args.target, args.data)
    X, weights = _split_weight(X, args)
    background = {
        "required": [tuple(edge) for edge in args.require],
        "forbidden": [tuple(edge) for edge in args.forbid],
        "tiers": [[n.strip() for n in tier.split(",") if n.strip()] for tier in args.tier],
    }
    if args.max_condition_size < -1:  # read as no limit, silently
        raise UsageError(
            f"--max-condition-size takes a whole number >= 0, or -1 for no limit; got "
            f"{args.max_condition_size}."
        )
    graph = discover_graph(
        X, y, target=args.target, method=args.method, test=args.test, alpha=args.alpha,
        target_alpha=args.target_alpha, background=background,
        max_condition_size=None if args.max_condition_size < 0 else args.max_condition_size,
        sample_weight=weights, normal_scores=args.normal_scores, random_state=args.random_state,
        # the step and timing log lines unless -q; causal-learn's progress bar, redrawn per
        # node, only on a terminal (as fit's)
        verbose=0 if args.quiet else 1, progress=bool(_progress(args)),
    )
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    write_graph(graph, args.output)
    print(f"discovered {graph.number_of_edges()} edges over {graph.number_of_nodes()} nodes "
          f"({args.method}) in {graph.graph.get('seconds', 0.0):.1f} s")
    _print_node_roles(node_roles(graph, args.target), indent="  ")
    if graph.graph.get("cycles_broken"):  # every change (the warning names five)
        print(f"cycles broken: {graph.graph['cycles_broken']}")
    print(f"graph written to {args.output}")
    return 0


def _outcome(graph: Any, path: str) -> Any:
    """The node the graph of file ``path`` marks as its outcome (a DAGitty model's
    ``[outcome]``), the target where ``--target`` is not given; an error unless there is
    exactly one."""
    from .graph import _flag_set

    outcomes = [n for n, data in graph.nodes(data=True) if _flag_set(data.get("outcome"))]
    if len(outcomes) != 1:
        raise UsageError(
            f"pass --target: {path!r} marks "
            + (f"{len(outcomes)} nodes as the outcome ({outcomes[:5]})" if outcomes
               else "no node as the outcome (as a DAGitty model's [outcome] would)")
            + "."
        )
    return outcomes[0]


def _roles(args: argparse.Namespace) -> int:
    """Print the role of every node of a graph file for a target."""
    import json

    from .graph import load_graph, node_roles

    graph = load_graph(args.graph)
    target = args.target if args.target is not None else _outcome(graph, args.graph)
    if target not in graph and target.lstrip("-").isdecimal() and int(target) in graph:
        target = int(target)
    roles = node_roles(graph, target)
    if args.json:  # one entry per node, for programs
        print(json.dumps({str(k): v for k, v in roles.items()}, indent=1))
    else:
        _print_node_roles(roles)
    return 0


# ---------------------------------------------------------------------------- parser
def _unknown_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--handle-unknown", choices=("error", "missing"), default=None,
                     help="values of a categorical column that fit never saw: 'error' "
                     "refuses them, 'missing' reads them as missing values (default: the "
                     "model's setting, which fit takes as --set handle_unknown=...)")


def _out_sep_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--out-sep", type=_out_sep, default=None, metavar="CHAR",
                     help="delimiter of the table written, one character, e.g. ';' to "
                     "match a ';'-separated input, or '\\t' for a tab (default ',', a tab "
                     "for .tsv; text output only)")


def _common(sub: argparse.ArgumentParser, sep: bool = True) -> None:
    sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                     help="show the traceback on errors")
    if sep:
        sub.add_argument("--sep", default=None,
                         help="column delimiter of text data files (default ',', tab for .tsv)")
        sub.add_argument("--decimal", default=".", metavar="MARK",
                         help="decimal mark of the numbers in text data files (default '.'; "
                         "',' for 1,5)")
        sub.add_argument("--thousands", default=None, metavar="CHAR",
                         help="character between the thousands of the numbers in text data "
                         "files, e.g. ',' for 1,540.5 (default: none)")
        sub.add_argument("--na-values", action="append", metavar="CODE", default=[],
                         help="a code of missing values in text data files, e.g. '.' or "
                         "-999, besides the empty field, NA, n/a, N/A, NULL, NaN and #N/A "
                         "(None is missing among numbers only; a text column keeps it as a "
                         "value unless named here) (repeatable)")
        sub.add_argument("--encoding", default=None,
                         help="text encoding of text data files (default utf-8; cp1252 for "
                         "what Excel writes on Windows)")
        writes = ("; written next to each row's prediction" if sub.prog.endswith("predict")
                  else "")
        sub.add_argument("--id", action="append", metavar="COLUMN", default=[],
                         help=f"a row identifier (e.g. patient_id): kept out of the model"
                         f"{writes} (repeatable)")


_ADAPT_SET_HELP = (
    "an adaptation option of the model, e.g. --set adapt_mechanism_rate=0 or --set "
    "adapt_alpha=0.5 (adapt_alpha, adapt_learning_rate, adapt_mechanism_rate, adapt_steps; "
    "repeatable)"
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``skcama`` command.

    Returns
    -------
    argparse.ArgumentParser
        With one subcommand per task (``demo``, ``fit``, ``predict``, ...); the parsed
        arguments carry the function that runs it as ``func``.

    Examples
    --------
    >>> build_parser().parse_args(["demo", "--n-train", "500"]).n_train
    500
    >>> args = build_parser().parse_args(["fit", "d.csv", "-t", "y", "-o", "m.skcama"])
    >>> args.max_epochs is None  # not given: the estimator's default
    True
    """
    parser = argparse.ArgumentParser(
        prog="skcama",
        description="Causal generative classification of tabular data (deep CAMA). "
        "Exit codes: 0 ok, 2 bad input or usage, 1 other failure.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"skcama {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="train CAMA and baselines on built-in synthetic data; print a robustness table",
        description="Train CAMA and two discriminative baselines on a synthetic SEM, print "
        "accuracy under co-parent shifts and save a figure. Needs no input.",
    )
    demo.add_argument("--n-train", type=_positive_int, default=4000,
                      help="training rows (default 4000)")
    demo.add_argument("--n-test", type=_positive_int, default=4000,
                      help="rows per test set (default 4000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--figure", default="skcama-demo.png", metavar="FILE",
                      help="where to save the figure (default skcama-demo.png in the "
                      "current folder)")
    demo.add_argument("--verbose", type=int, default=0, choices=(0, 1), metavar="LEVEL",
                      help="0 quiet (default), 1 shows progress bars")
    _common(demo, sep=False)
    demo.set_defaults(func=_demo)

    fit = sub.add_parser(
        "fit", help="fit a model on a labelled CSV/Parquet table and save it",
        description="Fit CAMA on a labelled table (CSV, TSV or Parquet) with a causal graph "
        "file (GML, GraphML, DOT, DAGitty, JSON or CSV edge list) and write a model file.",
        epilog="example: skcama fit train.csv --graph graph.gml --target y -o model.skcama",
    )
    fit.add_argument("data", help="training table; one column is the target (- reads CSV "
                     "from standard input)")
    fit.add_argument("-g", "--graph", help="causal graph file, or a discovery method (pc, "
                     "fci, ges) to discover it from the table; its options go in --set "
                     "'discovery_params={...}' (default: every column is a child of the "
                     "target)")
    fit.add_argument("-t", "--target", default=None,
                     help="name of the label column (default: the node a DAGitty model "
                     "marks as its outcome)")
    fit.add_argument("-o", "--output", required=True, help="model file to write (.skcama)")
    fit.add_argument("--max-epochs", type=int, default=None, help="cap on training epochs")
    fit.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    fit.add_argument("--weight", metavar="COLUMN",
                     help="a column of non-negative row weights (e.g. survey or "
                     "inverse-probability weights): kept out of the model, passed to fit as "
                     "sample_weight; rows of weight 0 are left out")
    fit.add_argument("--set", action="append", metavar="NAME=VALUE",
                     help="any other CAMAClassifier option, e.g. --set hidden_size=32 or "
                     "--set 'column_types={\"x2\": \"categorical\"}'; VALUE is read as "
                     "JSON when it parses, else as text (repeatable)")
    fit.add_argument("-q", "--quiet", action="store_true",
                     help="no progress bar (there is none when stderr is not a terminal)")
    _common(fit)
    fit.set_defaults(func=_fit)

    predict = sub.add_parser(
        "predict", help="predict labels and class probabilities for a table",
        description="Write one row per input row, in the input's order: the --id "
        "columns if given, the predicted label and the probability of each class (columns "
        "proba_<class>).",
        epilog="example: skcama predict model.skcama new.csv --id patient_id -o predictions.csv",
    )
    predict.add_argument("model", help="model file written by skcama fit / adapt")
    predict.add_argument("data", help="table with the model's columns (- reads CSV from "
                         "standard input)")
    predict.add_argument("-o", "--output", help="table to write, in the format its extension "
                         "names: .csv, .tsv, .txt, .parquet or .pq, text compressed with "
                         ".gz, .bz2, .xz or .zip after it (default, or -: CSV on standard "
                         "output)")
    predict.add_argument("--manipulation-score", action="store_true",
                         help="add each row's probability of being manipulated (adapted "
                         "models only)")
    predict.add_argument("--explain", action="store_true",
                         help="add the runner-up class and, per measurement, the evidence "
                         "(log-likelihood ratio) for the predicted class over it: columns "
                         "evidence_<child>, evidence_prior, evidence_latent")
    _out_sep_option(predict)
    _common(predict)
    _unknown_option(predict)
    predict.set_defaults(func=_predict)

    adapt = sub.add_parser(
        "adapt", help="adapt a model to unlabelled rows from a new setting",
        description="Test-time adaptation: learn the manipulation of a new setting (another "
        "site, a recalibrated assay) from unlabelled rows; the mechanisms y -> x stay fixed. "
        "--prior also re-estimates how common each class is there (a prevalence shift).",
        epilog="example: skcama adapt model.skcama site_b.csv -o model_site_b.skcama "
        "--prior",
    )
    adapt.add_argument("model", help="model file")
    adapt.add_argument("data", help="unlabelled table from the new setting (- reads CSV "
                       "from standard input)")
    adapt.add_argument("-o", "--output", required=True, help="adapted model file to write")
    adapt.add_argument("--steps", type=int, default=None, help="gradient steps (default: the "
                       "model's adapt_steps)")
    adapt.add_argument("--set", action="append", metavar="NAME=VALUE", help=_ADAPT_SET_HELP)
    prior = adapt.add_mutually_exclusive_group()
    prior.add_argument("--prior", action="store_true",
                       help="after adapting, also re-estimate how common each class is in the "
                       "new setting (a prevalence shift; CAMAClassifier.adapt_prior)")
    prior.add_argument("--prior-only", action="store_true",
                       help="only re-estimate the class prevalence; the measurements are "
                       "taken to be unchanged")
    _common(adapt)
    _unknown_option(adapt)
    adapt.set_defaults(func=_adapt)

    evaluate = sub.add_parser(
        "evaluate", help="accuracy on labelled rows, optionally under a shift",
        description="Print accuracy and log loss on a labelled table, as given and after a "
        "shift of columns in clean standard deviations (COLUMN=AMOUNT, or parents / "
        "coparents / children=AMOUNT for the continuous columns of a role); --adapt also "
        "adapts a copy of the model to the shifted rows (labels unused) and scores it. The "
        "shift moves measured values only (a measurement shift): children are not "
        "regenerated from shifted co-parents, as they would be in a shifted population.",
        epilog="example: skcama evaluate model.skcama test.csv -t y --shift children=+2 "
        "--adapt --figure eval.png",
    )
    evaluate.add_argument("model", help="model file")
    evaluate.add_argument("data", help="labelled table (- reads CSV from standard input)")
    evaluate.add_argument("-t", "--target", required=True, help="name of the label column")
    evaluate.add_argument("--shift", action="append", metavar="COLUMN=AMOUNT",
                          help="add AMOUNT clean standard deviations to COLUMN, or to every "
                          "continuous column of a role: parents, coparents, children "
                          "(role:NAME / column:NAME where a column has a role's name; "
                          "repeatable)")
    evaluate.add_argument("--adapt", action="store_true",
                          help="also score a copy adapted to the (shifted) rows")
    evaluate.add_argument("--set", action="append", metavar="NAME=VALUE",
                          help=_ADAPT_SET_HELP + "; needs --adapt")
    evaluate.add_argument("-o", "--output", help="file for the table (.csv, .tsv, .txt, "
                          ".parquet, .pq; text compressed with .gz, .bz2, .xz or .zip after "
                          "it)")
    evaluate.add_argument("--figure", help="image file for a bar chart of the accuracies, "
                          "in the format its extension names (.png, .pdf, .svg, ...)")
    _out_sep_option(evaluate)
    _common(evaluate)
    _unknown_option(evaluate)
    evaluate.set_defaults(func=_evaluate)

    from .graph import DISCOVERY_METHODS as METHODS
    from .graph import DISCOVERY_TESTS as TESTS

    discover = sub.add_parser(
        "discover", help="learn a causal graph from a labelled table",
        description="Causal discovery (causal-learn) over the columns and the target; "
        "writes a DAG in the format of the output's extension.",
        epilog="example: skcama discover train.csv -t y -o graph.gml",
    )
    discover.add_argument("data", help="labelled table (- reads CSV from standard input)")
    discover.add_argument("-t", "--target", required=True, help="name of the label column")
    discover.add_argument("-o", "--output", required=True,
                          help="graph file to write (.gml, .graphml, .dot, .json, .csv, .dagitty)")
    discover.add_argument("--method", choices=METHODS, default="pc", help="default pc")
    discover.add_argument("--test", choices=TESTS, default="block-lrt-nonlinear",
                          help="independence test of pc / fci (default block-lrt-nonlinear)")
    discover.add_argument("--alpha", type=float, default=0.01,
                          help="significance level of the tests (default 0.01)")
    discover.add_argument("--target-alpha", type=float, default=None, metavar="LEVEL",
                          help="significance level of the tests at the target: an edge at "
                          "the target is removed only where a test's p-value exceeds it "
                          "(default: the larger of --alpha and 0.05)")
    discover.add_argument("--max-condition-size", type=int, default=4, metavar="K",
                          help="largest conditioning set of pc / fci (default 4; -1: no limit)")
    discover.add_argument("--require", nargs=2, action="append", default=[],
                          metavar=("SOURCE", "TARGET"), help="an edge known to exist (repeatable)")
    discover.add_argument("--forbid", nargs=2, action="append", default=[],
                          metavar=("SOURCE", "TARGET"), help="an edge known not to exist in this "
                          "direction (repeatable; give both directions to remove an "
                          "adjacency)")
    discover.add_argument("--tier", action="append", default=[], metavar="COLUMNS",
                          help="comma-separated columns of one tier, earliest tier first: a "
                          "column cannot cause one of an earlier tier (repeatable), e.g. "
                          "--tier age,sex --tier smoking --tier diagnosis (a column "
                          "whose name holds a comma cannot be named here: rename it, or "
                          "use discover_graph(background=...) in Python)")
    discover.add_argument("--complete-rows", action="store_true",
                          help="discover on the rows without missing values (discovery needs "
                          "complete rows; warns how many were dropped)")
    discover.add_argument("--weight", metavar="COLUMN",
                          help="a column of non-negative row weights (survey or "
                          "inverse-probability weights), kept out of the graph: the tests "
                          "are weighted; rows of weight 0 are left out")
    discover.add_argument("--normal-scores", action="store_true",
                          help="read numeric columns as normal scores (the normal quantiles "
                          "of their ranks): the graph does not change with an increasing "
                          "transform of a column; for skewed measurements such as lab values")
    discover.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    discover.add_argument("-q", "--quiet", action="store_true",
                          help="no log of the steps and their times, and no progress bar "
                          "(there is none when stderr is not a terminal)")
    _common(discover)
    discover.set_defaults(func=_discover)

    roles = sub.add_parser(
        "roles", help="the nodes of a graph by Markov-blanket role, one line per role",
        description="Print the role of every node of a graph file for a target node: the "
        "target, parents, nodes that are parents and co-parents at once, co-parents, "
        "children, and the nodes outside the Markov blanket.",
        epilog="example: skcama roles graph.gml --target y",
    )
    roles.add_argument("graph", help="graph file (.gml, .graphml, .dot, .json, .csv, .dagitty)")
    roles.add_argument("-t", "--target", default=None,
                       help="the target node (default: the node a DAGitty model marks as "
                       "its outcome)")
    roles.add_argument("--json", action="store_true", help="print JSON {node: role}")
    _common(roles, sep=False)
    roles.set_defaults(func=_roles)
    for command in sub.choices.values():  # its usage for an option it does not take
        command.set_defaults(command_parser=command)
    return parser


def _positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _one_line(error: BaseException) -> str:
    """An error's message on one line: line breaks (with the indentation around them)
    become one space; spaces inside it stay, as in a quoted name ('diag  nosis')."""
    text = str(error).strip() or type(error).__name__
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def _in_cli_words(message: str, command: str | None = None, table: str | None = None) -> str:
    """A library message with its advice written as the command line's options:
    ``target=<name>`` / ``target='y'`` as ``--target``, ``decimal=','`` as ``--decimal``
    (``thousands=','`` as ``--thousands``),
    a missing-value code's replacement as ``--na-values``, ``handle_unknown`` as
    ``--handle-unknown``, a column of NaN as an empty column of the table (``table``:
    the data file, named where the columns it lacks are)."""
    from ._columns import (
        DECIMAL_COMMA_ADVICE,
        MISSING_CODE_ADVICE,
        UNKNOWN_CATEGORY_ADVICE,
    )

    message = message.replace(DECIMAL_COMMA_ADVICE, "pass --decimal ','")
    message = re.sub(r"read the file with thousands=(.{3}) \(pd\.read_csv\(\.\.\., "
                     r"thousands=.{3}\)\)", r"pass --thousands \1", message)
    message = re.sub(re.escape(MISSING_CODE_ADVICE) + r" \(X\[.*?\]\.replace\((\S+), np\.nan\)\)",
                     r"read the file with --na-values \1", message)
    message = message.replace(UNKNOWN_CATEGORY_ADVICE, "pass --handle-unknown missing")
    named = "the table" if table is None else _shown(table, "the table")
    message = re.sub(r"^X lacks the columns (.*?); pass a frame with those columns\.",
                     lambda m: f"{named} lacks the columns {m.group(1)}; give it those "
                               "columns.", message)
    message = re.sub(r"can be passed as a column of NaN \(X\[(.*?)\] = np\.nan\)",
                     r"can be given as an empty column \1 of the table", message)
    # pandas code has no place on the command line: the same advice for the table
    message = re.sub(r"map them to the spelling used in fit, e\.g\. X\[.*?\] = .*?\.replace\("
                     r"\{.*?\}\)( \(and the others alike\))?\.",
                     "write them in the table as fit's rows spell them.", message)
    message = message.replace("predict a category of it instead (pd.cut(y, bins))",
                              "predict a category of it instead (bin the column in the table)")
    message = re.sub(r"declare every level, X\[.*?\] = X\[.*?\]\.astype\(pd\.CategoricalDtype\("
                     r".*?\)\)(?: \(a level no training row holds is then known but "
                     r"untrained, and rows holding it are warned of\))?, or read the column",
                     "fit with rows holding every level, or read the column", message)
    message = message.replace("handle_unknown='missing'", "--handle-unknown missing")
    if command == "roles":  # no --graph there: discovery is a command of its own
        message = re.sub(r"\bpass graph='(pc|ges|fci)'", r"run skcama discover --method \1 "
                         "on the data", message)
    message = re.sub(r"\bgraph='(pc|ges|fci)'", r"--graph \1", message)
    message = re.sub(r"\braise max_epochs\b", "raise --max-epochs", message)
    # a parameter's setting in Python (column_types={'a': 'gaussian'}, validation_fraction)
    # as the --set that gives it
    message = re.sub(r"(?<![-\w'])column_types=(\{[^{}]*\})",
                     lambda m: f"--set 'column_types={m.group(1).replace(chr(39), chr(34))}'",
                     message)
    # with the value the advice gives (set validation_fraction=0), else "=..."; not an
    # option the message names already (--set adapt_steps=...)
    message = re.sub(r"(?<!-)\b(lower|set|raise) (validation_fraction|n_samples|adapt_steps)"
                     r"\b(=[^\s,;)]+)?",
                     lambda m: f"{'pass' if m.group(1) == 'set' else m.group(1)} --set "
                               f"{m.group(2)}{m.group(3) or '=...'}",
                     message)
    message = re.sub(r"\b(change|set) random_state\b", r"\1 --random-state", message)
    message = re.sub(r"\bdevice=('[^']*') but", r"--set device=\1 but", message)
    message = re.sub(r"^X contains missing values in columns", "the table has missing values "
                     "in the columns", message)
    message = message.replace("use device='cpu' or 'auto'",
                              "use --set device=cpu or leave --set device out")
    message = message.replace(
        "(keep = X.notna().all(axis=1); discover_graph(X[keep], y[keep]); on the command "
        "line skcama discover --complete-rows), and pass that graph to fit",
        "(skcama discover --complete-rows -o graph.gml), and fit with --graph graph.gml")
    message = message.replace(  # too few complete rows: impute, then discover and fit
        "and pass that graph to fit, which accepts missing values",
        "then discover on the imputed table (skcama discover -o graph.gml) and fit the "
        "table with missing values with --graph graph.gml")
    if command == "discover":
        message = _background_in_cli_words(message)
    return re.sub(r"\btarget=(<[^>]*>|'[^']*'|\"[^\"]*\")",
                  lambda m: f"--target {m.group(1).strip(chr(39) + chr(34))}", message)


def _background_in_cli_words(message: str) -> str:
    """discover_graph's messages about its arguments as discover's options: background
    knowledge as --require / --forbid / --tier (tiers counted from 1, in the order given),
    alpha and target_alpha as --alpha and --target-alpha."""
    def nth(match: re.Match) -> str:
        return f"--tier number {int(match.group(1)) + 1}"

    message = re.sub(r"background\['tiers'\] puts", "the --tier options put", message)
    message = re.sub(r"\bin tier (\d+)", lambda m: f"in {nth(m)}", message)
    message = message.replace(" (tiers count from 0, causes first)",
                              " (counted in the order given, causes first)")
    message = re.sub(r"background tier (\d+)", nth, message)
    message = re.sub(r"^background requires both (.*?) -> (.*?) and", r"--require gives both \1 "
                     r"\2 and", message)
    message = re.sub(r"^background requires (.*?) -> (.*?), but the tiers",
                     r"--require \1 \2 goes against the tiers: the --tier options", message)
    message = re.sub(r"^background requires the edges", "the --require options give the edges",
                     message)
    message = re.sub(r"is both required and forbidden in background; keep it in one list only",
                     "is given with both --require and --forbid; keep one", message)
    message = re.sub(r"background (required|forbidden) edge \((.*?), (.*?)\)",
                     lambda m: f"--{'require' if m.group(1) == 'required' else 'forbid'} "
                               f"{m.group(2)} {m.group(3)}", message)
    message = re.sub(r"background\['(required|forbidden)'\] holds",
                     lambda m: f"--{'require' if m.group(1) == 'required' else 'forbid'} "
                               "gives", message)
    message = message.replace("neither a column of X nor the target",
                              "neither a column of the table nor the target")
    message = re.sub(r"^alpha must", "--alpha must", message)
    message = re.sub(r"^target_alpha must (.*?), or None for the larger of alpha and 0\.05",
                     r"--target-alpha must \1 (left out: the larger of --alpha and 0.05)",
                     message)
    return message


def _warning_printer(command: str):
    """A ``warnings.showwarning`` that prints one line, ``skcama COMMAND: warning: ...``,
    prefixed like the command's errors."""
    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"skcama {command}: warning: "
              f"{_in_cli_words(_one_line(Exception(str(message))))}", file=sys.stderr)

    return show


# OS errors that say the machine failed (a full disk, a device error), not the input:
# exit code 1, as any failure of ours
_MACHINE_ERRORS = {getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EIO", "ENOMEM")
                   if hasattr(errno, name)}  # EDQUOT is not on every system


def _repeated_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> str | None:
    """The first option of ``parser`` that takes one value and is given more than once in
    ``argv`` (under any of its names, ``--name=value`` and ``-xvalue`` included), as it
    was written; None where none is. Options that collect values (``--set``, ``--tier``)
    and flags may repeat."""
    single = {}
    for action in parser._actions:
        if isinstance(action, argparse._StoreAction) and action.nargs in (None, "?"):
            for option in action.option_strings:
                single[option] = action
    flags = {o for a in parser._actions if a.nargs == 0 for o in a.option_strings}
    seen: dict = {}
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            break
        if not token.startswith("-") or token == "-":
            continue
        name, attached = token, False
        if token.startswith("--") and "=" in token:
            name, attached = token.split("=", 1)[0], True
        elif not token.startswith("--") and len(token) > 2:
            # -tdiagnosis, or flags first in a cluster: -qo model.skcama, -qtdiagnosis
            for i in range(1, len(token)):
                short = f"-{token[i]}"
                if short in single:
                    name, attached = short, i + 1 < len(token)
                    break
                if short not in flags:
                    break
        action = single.get(name)
        if action is None and name.startswith("--"):  # argparse takes unique prefixes
            matches = {single[o] for o in single if o.startswith(name)}
            action = matches.pop() if len(matches) == 1 else None
        if action is None:
            continue
        if action in seen:
            return f"{seen[action]} (or {name})" if seen[action] != name else name
        seen[action] = name
        if not attached and action.nargs is None:
            next(tokens, None)  # its value, which may start with '-'
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``skcama`` command; returns the exit code.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        The arguments after ``skcama``; None reads them from ``sys.argv``.

    Returns
    -------
    int
        The exit code: 0 success (``--help`` and ``--version`` too), 2 bad usage or
        input, 1 any other failure. Usage errors are returned as well, not raised as
        ``SystemExit``, so a notebook can call it.

    Examples
    --------
    >>> main(["roles", "no-such-graph.gml", "--target", "y"])
    2
    """
    try:  # argparse exits on a usage error, --help and --version: the code is returned
        args = _parse(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    verbose = getattr(args, "verbose", 0) or not getattr(args, "quiet", True)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s")
    try:
        return _run_command(args)
    finally:  # main([...]) called from Python (a notebook) leaves its logging as it was
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The parsed arguments; argparse's usage error (SystemExit 2) for arguments no
    option takes and for an option given twice."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # as parse_args would say, with the option a graph file belongs to
        from .graph import GRAPH_FORMATS

        graph = [e for e in extra if Path(e).suffix.lower() in set(GRAPH_FORMATS) - {".csv"}]
        hint = (f"; a graph file is given with --graph: --graph {graph[0]}"
                if graph and args.command == "fit" else "")  # fit's option alone
        getattr(args, "command_parser", parser).error(
            f"unrecognized arguments: {' '.join(extra)}{hint}"
        )
    command_parser = getattr(args, "command_parser", None)
    if command_parser is not None:
        repeated = _repeated_options(command_parser, sys.argv[1:] if argv is None else argv)
        if repeated:  # argparse keeps the last silently: -t diagnosis -t smoking fitted smoking
            command_parser.error(
                f"{repeated} is given twice; give it once (its last value would silently "
                "replace the first)."
            )
    return args


def _run_command(args: argparse.Namespace) -> int:
    """Run the parsed command; errors become a message on standard error and an exit
    code, as :func:`main` describes."""
    from .graph import GraphError

    debug = getattr(args, "debug", False)
    with warnings.catch_warnings():
        if not debug:
            warnings.showwarning = _warning_printer(args.command)
        try:
            return args.func(args)
        except BrokenPipeError:  # the reader stopped early (e.g. `| head`): not an error
            # point stdout at /dev/null so that the final flush at exit cannot fail again
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):  # stdout without a file descriptor
                pass
            return 0
        except OSError as error:
            if debug:  # the traceback, then the message and exit code as without
                traceback.print_exc()
            if error.errno in _MACHINE_ERRORS:  # the machine's failure, not the input's
                where = f" on {error.filename!r}" if error.filename else ""
                print(f"skcama {args.command}: failed{where}: {error.strerror or error}",
                      file=sys.stderr)
                return 1
            print(f"skcama {args.command}: error: "
                  f"{_in_cli_words(_one_line(error), args.command)}",
                  file=sys.stderr)
            return 2
        except (UsageError, GraphError, ValueError) as error:
            if debug:  # the traceback, then the message and exit code as without
                traceback.print_exc()
            table = getattr(args, "data", None)
            print(f"skcama {args.command}: error: "
                  f"{_in_cli_words(_one_line(error), args.command, table)}",
                  file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"skcama {args.command}: interrupted", file=sys.stderr)
            return 130
        except Exception as error:  # anything else is our failure, not the user's input
            if debug:  # the traceback, then the message and exit code as without
                traceback.print_exc()
            print(f"skcama {args.command}: failed: {type(error).__name__}: {_one_line(error)}"
                  + ("" if debug else " (run with --debug for the traceback)"), file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
