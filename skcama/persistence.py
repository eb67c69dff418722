"""Safe model files: :func:`save_model` and :func:`load_model`.

A fitted :class:`~skcama.CAMAClassifier` is written as one zip file (extension
``.skcama`` by convention) holding two members:

``skcama.json``
    Metadata, plain JSON: ``format`` (always ``"skcama-model"``), ``format_version``,
    the skcama / torch / scikit-learn / numpy versions that wrote it, the estimator's
    parameters (``params``), its fitted attributes (``attributes``: classes with their
    dtype, feature names, ``graph_`` as networkx node-link data, ``roles_``, the column
    codes (kinds, categories, means and scales), ``replay_summary_``, ``history_``, the
    manipulation state and prediction seeds, ...), the network's
    :class:`~skcama._model.CAMAConfig` (``model_config``) and, where
    ``set_fit_request`` & co. were called, the metadata-routing requests
    (``metadata_requests``).
``tensors.safetensors``
    Every tensor and numeric array, in the `safetensors <https://huggingface.co/docs/safetensors>`_
    format: the network's ``state_dict`` under ``model.<name>`` and numeric arrays of
    the metadata under ``array.<n>``, referenced from the JSON as ``{"$tensor": key}``.

Nothing in the file is ever unpickled and no class named by the file is imported:
the JSON is decoded with a fixed set of tags (tuple, dict, array, tensor, graph, roles,
column codes, random state), so a tampered file cannot run code when loaded. Numbers are
stored bit for bit, so a loaded model predicts exactly as the saved one did on the same
kind of device (a GPU's model on a CPU differs by about 1e-7 in a probability).

Plain ``pickle`` / ``joblib`` of the estimator keep working as in scikit-learn; use
them only for files you trust.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import zipfile
import zlib
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import torch
from safetensors.torch import load as _safetensors_load
from safetensors.torch import save as _safetensors_save

from ._classifier import CAMAClassifier
from ._columns import KINDS, ColumnCodec
from ._files import replaced_on_success, zip_member
from ._model import CAMAConfig, CAMANet
from ._random import seeded_torch
from ._typing import ModelFile
from ._warn import warn_user
from .graph import MarkovBlanketRoles, is_discovery_method

logger = logging.getLogger("skcama")

__all__ = ["FORMAT_VERSION", "ModelFileError", "load_model", "read_metadata", "save_model"]

FORMAT_NAME = "skcama-model"
FORMAT_VERSION = 3
"""Version of the file layout; :func:`load_model` reads only files of this version."""

_METADATA = "skcama.json"
_TENSORS = "tensors.safetensors"
_MAX_METADATA_BYTES = 256 * 2**20  # a sane bound before json.loads


class ModelFileError(ValueError):
    """Raised when a file is not a loadable skcama model (wrong program, version, damage).

    A ``ValueError``; the message says what the file is and what to do.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from skcama.persistence import ModelFileError, load_model
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.skcama")
    >>> with open(path, "w") as handle:
    ...     _ = handle.write("not a model")
    >>> try:
    ...     load_model(path)
    ... except ModelFileError:
    ...     print("rejected")
    rejected
    """


# ----------------------------------------------------------------------------- encoding
class _Encoder:
    """Turns plain data (and the few skcama types a fitted model holds) into JSON, moving
    tensors and numeric arrays aside into a flat ``{key: tensor}`` dict."""

    def __init__(self) -> None:
        self.tensors: dict[str, torch.Tensor] = {}
        # graph notes stored as their text, in the order met (a dict: each once)
        self.as_text: dict[str, None] = {}

    def _store(self, tensor: torch.Tensor) -> str:
        key = f"array.{len(self.tensors)}"
        self.tensors[key] = tensor.detach().cpu().clone().contiguous()
        return key

    def encode(self, value: Any, where: str) -> Any:  # noqa: C901 - one branch per type
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
            return int(value)
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, (float, np.floating)):
            value = float(value)
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple):
            return {"$tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, (set, frozenset)):  # parent sets, background tiers: read
            # back as a tuple, which every parameter taking a set takes; in the order of
            # the items' text, so that a model saves to the same bytes in every process
            items = sorted(value, key=lambda item: (type(item).__name__, repr(item)))
            return {"$tuple": [self.encode(v, f"{where} item") for v in items]}
        if isinstance(value, dict):
            return {
                "$dict": [
                    [self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")]
                    for k, v in value.items()
                ]
            }
        if isinstance(value, torch.Tensor):
            return {"$tensor": self._store(value)}
        if isinstance(value, np.ndarray):
            if not value.dtype.isnative:  # big-endian labels: stored in this machine's order
                value = value.astype(value.dtype.newbyteorder("="))
            if value.dtype.kind == "u" and value.dtype.itemsize > 1:
                # uint16/32/64 (labels, a RandomState's key): torch before 2.3 and
                # safetensors before 0.6.1 have no such type; their bits go as signed ints
                bits = np.ascontiguousarray(value).view(value.dtype.str.replace("u", "i"))
                return {"$uint": {"dtype": value.dtype.str,
                                  "values": self._store(torch.from_numpy(bits))}}
            if value.dtype.kind in "biuf":
                return {"$ndarray": self._store(torch.from_numpy(np.ascontiguousarray(value)))}
            if value.dtype.kind in "mM":  # dates and durations as labels: their int64 ticks
                ticks = np.ascontiguousarray(value).view(np.int64)
                return {"$datetime": {"dtype": value.dtype.str,
                                      "values": self._store(torch.from_numpy(ticks))}}
            if value.dtype.kind in "OUS":
                return {
                    "$array": {
                        "dtype": value.dtype.str if value.dtype.kind != "O" else "object",
                        "shape": list(value.shape),
                        "values": [self.encode(v, f"{where} item") for v in value.ravel()],
                    }
                }
        if isinstance(value, nx.Graph):
            return {"$graph": self._graph(value, where)}
        if isinstance(value, MarkovBlanketRoles):
            return {"$roles": {f.name: self.encode(getattr(value, f.name), where)
                               for f in fields(value)}}
        if isinstance(value, pd.Interval):  # categories of pd.cut bands
            return {"$interval": [self.encode(value.left, where),
                                  self.encode(value.right, where), value.closed]}
        if isinstance(value, ColumnCodec):
            categories = [
                None if c is None else self._categories(name, np.asarray(c))
                for name, c in zip(value.names, value.categories, strict=True)
            ]
            return {"$columns": {"names": self.encode(list(value.names), where),
                                 "kinds": self.encode(list(value.kinds), where),
                                 "categories": categories,
                                 "mean": self.encode(value.mean, where),
                                 "scale": self.encode(value.scale, where),
                                 "has_missing": self.encode(list(value.has_missing), where),
                                 "constant": self.encode(
                                     [n for n in value.names if n in value.constant], where),
                                 "constant_as_missing": bool(value.constant_as_missing),
                                 "nonnegative": self.encode(
                                     [n for n in value.names if n in value.nonnegative],
                                     where),
                                 "untrained": self.encode(
                                     [[n, list(value.untrained[n])] for n in value.names
                                      if n in value.untrained], where)}}
        if isinstance(value, CAMAConfig):
            settings = asdict(value)
            if settings["input_fills"] is None:  # left out: such files load in older skcama
                del settings["input_fills"]
            return {"$config": self.encode(settings, where)}
        if isinstance(value, np.random.RandomState):
            return {"$random_state": self.encode(list(value.get_state()), where)}
        if isinstance(value, os.PathLike):  # graph=Path("clinic.gml")
            return {"$path": os.fspath(value)}
        raise ModelFileError(
            f"cannot store {where} safely: values of type {type(value).__name__} have no safe "
            "encoding. Use pickle/joblib for this model, or keep such values out of it."
        )

    def _categories(self, name: Any, categories: np.ndarray) -> Any:
        """The categories of column ``name``, or an error naming the column and the fix."""
        try:
            return self.encode(categories, f"a category of column {name!r}")
        except ModelFileError as error:
            raise ModelFileError(
                f"{error} Convert column {name!r} to text before fit "
                f"(X[{name!r}] = X[{name!r}].astype(str)) to save this model."
            ) from None

    def _graph(self, graph: nx.Graph, where: str) -> Any:
        """A graph as node-link data. Its attributes (of the graph, nodes and edges) are
        the user's notes, which the model never reads: one with no safe encoding (a
        ``pd.Timestamp``, an object) is stored as its text and named in
        :attr:`as_text`, instead of making the model unsaveable."""
        data = nx.node_link_data(graph, edges="edges")
        data["graph"] = {k: self._note(v, f"graph attribute {k!r}")
                         for k, v in data["graph"].items()}
        data["nodes"] = [
            {k: v if k == "id" else self._note(v, f"node {item['id']!r} attribute {k!r}")
             for k, v in item.items()}
            for item in data["nodes"]
        ]
        data["edges"] = [
            {k: v if k in ("source", "target") else
             self._note(v, f"edge {item['source']!r} -> {item['target']!r} attribute {k!r}")
             for k, v in item.items()}
            for item in data["edges"]
        ]
        return self.encode(data, where)

    def _note(self, value: Any, where: str) -> Any:
        """``value`` itself where it has a safe encoding, else its text; in a dict, list
        or tuple, item by item."""
        if isinstance(value, dict):
            return {k: self._note(v, f"{where}[{k!r}]") for k, v in value.items()}
        if isinstance(value, (list, tuple)):  # a namedtuple's fields too: a plain tuple
            items = [self._note(v, f"{where}[{i}]") for i, v in enumerate(value)]
            return items if isinstance(value, list) else tuple(items)
        stored = len(self.tensors)
        try:
            self.encode(value, where)
        except ModelFileError:
            self.as_text.setdefault(f"{where} ({type(value).__name__})", None)
            value = str(value)
        for key in list(self.tensors)[stored:]:  # encoded again with the whole graph
            del self.tensors[key]
        return value


# the unsigned integer types stored as the bits of signed ones ({"$uint": ...})
_UINTS = ("<u2", "<u4", "<u8")


class _Decoder:
    """The inverse of :class:`_Encoder`; builds only the types it knows by tag."""

    def __init__(self, tensors: dict[str, torch.Tensor]) -> None:
        self.tensors = tensors

    def _tensor(self, key: Any) -> torch.Tensor:
        if not isinstance(key, str) or key not in self.tensors:
            raise ModelFileError(f"the model file refers to a tensor {key!r} it does not hold")
        return self.tensors[key]

    def decode(self, value: Any) -> Any:  # noqa: C901 - one branch per tag
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            raise ModelFileError(f"unexpected object in the model metadata: {str(value)[:80]}")
        (tag, body), = value.items()
        if tag == "$float":
            return float(body)
        if tag == "$tuple":
            return tuple(self.decode(v) for v in body)
        if tag == "$dict":
            return {_hashable(self.decode(k)): self.decode(v) for k, v in body}
        if tag == "$tensor":
            return self._tensor(body).clone()
        if tag == "$ndarray":
            return self._tensor(body).numpy().copy()
        if tag == "$uint":
            name = body.get("dtype") if isinstance(body, dict) else None
            bits = self._tensor(body["values"]).numpy() if name in _UINTS else None
            if bits is None or bits.dtype != np.dtype(name.replace("u", "i")):
                raise ModelFileError(
                    f"unexpected unsigned integer dtype {name!r} in the model file")
            return bits.copy().view(name)
        if tag == "$datetime":
            try:
                dtype = np.dtype(body["dtype"])
            except (TypeError, ValueError):
                dtype = np.dtype(object)
            unit = np.datetime_data(dtype)[0] if dtype.kind in "mM" else None
            ticks = self._tensor(body["values"])
            if unit in (None, "generic") or not dtype.isnative or ticks.dtype != torch.int64:
                raise ModelFileError(f"unexpected date dtype {body['dtype']!r} in the model file")
            return ticks.numpy().copy().view(dtype)
        if tag == "$array":
            dtype = object if body["dtype"] == "object" else np.dtype(body["dtype"])
            if dtype is not object and dtype.kind not in "US":
                raise ModelFileError(f"unexpected array dtype {body['dtype']!r} in the model file")
            values = [self.decode(v) for v in body["values"]]
            out = np.empty(len(values), dtype=dtype)
            out[:] = values if dtype is not object else _object_items(values)
            return out.reshape(body["shape"])
        if tag == "$graph":
            data = self.decode(body)
            return nx.node_link_graph(data, directed=data.get("directed", True), edges="edges")
        if tag == "$roles":
            return MarkovBlanketRoles(**{k: self.decode(v) for k, v in body.items()})
        if tag == "$columns":
            codec = object.__new__(ColumnCodec)
            codec.names = self.decode(body["names"])
            codec.kinds = tuple(self.decode(body["kinds"]))
            if any(kind not in KINDS for kind in codec.kinds):
                raise ModelFileError(f"unknown column kinds {codec.kinds} in the model file")
            codec.categories = [
                None if c is None else pd.Index(c) for c in self.decode(body["categories"])
            ]
            codec.mean = self.decode(body["mean"])
            codec.scale = self.decode(body["scale"])
            codec.has_missing = tuple(bool(v) for v in self.decode(body["has_missing"]))
            # files written before the constant columns were kept name none
            codec.constant = frozenset(self.decode(body.get("constant", [])))
            # files written before constant columns were read as missing kept them on a
            # unit scale: they predict as they did
            codec.constant_as_missing = body.get("constant_as_missing") is True
            # files written before the set was kept name none: no sign check for them
            codec.nonnegative = frozenset(self.decode(body.get("nonnegative", [])))
            # files written before the untrained levels were kept name none
            codec.untrained = {name: tuple(int(c) for c in codes)
                               for name, codes in self.decode(body.get("untrained", []))}
            return codec
        if tag == "$interval":
            if not (isinstance(body, list) and len(body) == 3
                    and body[2] in ("left", "right", "both", "neither")):
                raise ModelFileError(f"unexpected interval {str(body)[:80]} in the model file")
            return pd.Interval(self.decode(body[0]), self.decode(body[1]), closed=body[2])
        if tag == "$config":
            return CAMAConfig(**self.decode(body))
        if tag == "$random_state":
            state = np.random.RandomState()
            state.set_state(tuple(self.decode(body)))
            return state
        if tag == "$path":
            if not isinstance(body, str):
                raise ModelFileError(f"unexpected path {str(body)[:80]} in the model metadata")
            return Path(body)
        raise ModelFileError(f"unknown tag {tag!r} in the model metadata")


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def _object_items(values: list) -> np.ndarray:
    """An object array whose items are exactly ``values`` (tuples stay items)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


# --------------------------------------------------------------------------------- save
def save_model(clf: CAMAClassifier, path: ModelFile) -> None:
    """Write a fitted :class:`~skcama.CAMAClassifier` to a safe model file.

    The file is a zip holding the metadata as JSON and the tensors as safetensors (see
    the module notes for the layout); :func:`load_model` reads it back without
    unpickling anything, and the loaded model predicts exactly as ``clf`` does.

    Parameters
    ----------
    clf : CAMAClassifier
        A fitted (and possibly adapted) estimator.
    path : str, pathlib.Path or binary file object
        Destination file; ``.skcama`` is the conventional extension. An existing file is
        replaced (atomically: a failed save leaves the old file intact). A file object
        open for writing bytes (``open(..., "wb")``, :class:`io.BytesIO`, a cloud
        storage library's file) is written from its position and left open (a seekable
        one is cut where the model ends, as ``"wb"`` would); nothing makes that write
        atomic. A named pipe or a device (``/dev/stdout``) is written into, not
        replaced. A ``graph``
        parameter naming a graph file is saved as the graph the file held at fit time
        (``clf.graph_``), so that the loaded model refits and clones without the file.

    Raises
    ------
    TypeError
        If ``clf`` is not a CAMAClassifier, or ``path`` is a file object open in text
        mode.
    sklearn.exceptions.NotFittedError
        If ``clf`` has not been fitted.
    ValueError
        If a parameter was set out of its range after fit (``set_params``).
    ModelFileError
        If a parameter or attribute holds a value with no safe encoding (e.g. an object
        of an unknown class). The graph's own attributes (of the graph, its nodes and
        edges), which the model does not read, are saved as their text instead, with a
        warning naming them.

    Warns
    -----
    UserWarning
        If ``path`` ends in ``.pkl``, ``.pickle`` or ``.joblib``: the file is a model
        file all the same, which pickle and joblib cannot read.

    See Also
    --------
    load_model : The inverse.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from skcama import CAMAClassifier
    >>> from skcama.persistence import load_model, save_model
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200)
    >>> X = rng.normal(size=(200, 2)) + y[:, None]
    >>> clf = CAMAClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.skcama"
    >>> save_model(clf, path)
    >>> np.array_equal(load_model(path).predict_proba(X), clf.predict_proba(X))
    True

    In memory, as bytes to keep in a database or send over a network:

    >>> import io
    >>> buffer = io.BytesIO()
    >>> save_model(clf, buffer)
    >>> _ = buffer.seek(0)
    >>> np.array_equal(load_model(buffer).predict(X), clf.predict(X))
    True
    """
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(clf, CAMAClassifier):
        if any(c.__qualname__ == CAMAClassifier.__qualname__
               and c.__module__ == CAMAClassifier.__module__ for c in type(clf).__mro__):
            raise TypeError(  # the same class, but another class object
                f"save_model got a CAMAClassifier of another class object than its own: "
                f"{CAMAClassifier.__module__} was reloaded (importlib.reload, IPython's "
                "autoreload) after skcama.persistence was imported. Restart the session, "
                "or reload skcama.persistence as well, then save."
            )
        raise TypeError(
            f"save_model saves a CAMAClassifier, got {type(clf).__name__}; use pickle or "
            "joblib for other objects."
        )
    check_is_fitted(clf)
    try:  # a parameter set out of range after fit: load would refuse the file
        clf._validate_params()
    except ValueError as error:  # scikit-learn's InvalidParameterError
        raise ValueError(
            f"cannot save this model: {error} Set it back with set_params before saving; "
            "load_model would refuse the file."
        ) from error
    if isinstance(path, str) and path.endswith(("/", os.sep)):  # Path() would drop it
        raise IsADirectoryError(
            f"cannot write {path!r}: it names a folder (it ends with a slash); name a file."
        )
    if _is_stream(path):
        _binary(path, "wb", "save_model")
    else:
        path = _as_path(path, "save_model")
        if path.suffix.lower() in (".pkl", ".pickle", ".joblib"):
            warn_user(
                f"{str(path)!r} is written as a skcama model file (a zip, read back by "
                "load_model or CAMAClassifier.load), which pickle.load and joblib.load "
                f"cannot read; name it {path.stem}.skcama (or, in Python, write a pickle "
                "with pickle.dump(clf, file) instead).",
                UserWarning,
            )
    encoder = _Encoder()
    values = clf.get_params(deep=False)
    if isinstance(values["graph"], (str, os.PathLike)) and not is_discovery_method(
        values["graph"]
    ):  # a graph file: the model file keeps the graph it held, and stands alone
        values["graph"] = clf.graph_
    params = {name: encoder.encode(value, f"parameter {name!r}") for name, value in values.items()}
    attributes = {}
    for name, value in vars(clf).items():
        if name in params or name in ("model_", _REQUESTS):
            continue
        attributes[name] = encoder.encode(value, f"attribute {name!r}")
    metadata = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "estimator": _estimator_name(type(clf)),
        "params": params,
        "attributes": attributes,
        "model_config": encoder.encode(clf.model_.cfg, "model_.cfg"),
    }
    if _REQUESTS in vars(clf):  # set_fit_request & co. for scikit-learn's metadata routing
        metadata["metadata_requests"] = vars(clf)[_REQUESTS]._serialize()
    if encoder.as_text:
        named = list(encoder.as_text)
        more = f"; and {len(named) - 5} more" if len(named) > 5 else ""
        warn_user(
            f"the graph's {'; '.join(named[:5])}{more} have no safe encoding; they "
            "are saved as their text (the model does not read them). Convert them to "
            "strings or numbers yourself to choose how they are kept.",
            UserWarning,
        )
    state = clf.model_.state_dict()
    broken = _not_finite(state)
    if broken:  # load_model would refuse the file: say so before writing it
        raise ValueError(
            f"cannot save this model: its weights {broken[:3]} hold NaN or infinite "
            "values, so every prediction would be NaN (load_model refuses such a file); "
            "refit the model."
        )
    tensors = dict(encoder.tensors)
    for key, tensor in state.items():
        tensors[f"model.{key}"] = tensor.detach().cpu().clone().contiguous()
    blob = _safetensors_save(tensors, metadata={"format": FORMAT_NAME})
    text = json.dumps(metadata, indent=1, allow_nan=False)

    if _is_stream(path):
        _write_to_stream(path, text, blob)
        logger.debug("saved %s to %s", type(clf).__name__, _shown(path))
        return
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(path)!r}: the folder {str(path.parent)!r} does not exist."
        )
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {str(path)!r}: it is a folder; name a file.")
    if _special_file(path):  # a named pipe, a device: written into, never replaced
        with open(path, "wb") as handle:
            _write_to_stream(handle, text, blob)
        logger.debug("saved %s into %s", type(clf).__name__, path)
        return
    with replaced_on_success(path) as partial:
        _write_archive(partial, text, blob)
    logger.debug("saved %s to %s", type(clf).__name__, path)


def _special_file(path: Path) -> bool:
    """Whether ``path`` (through any symbolic link) is a file that is neither regular nor
    a folder: a named pipe, ``/dev/stdout``, a device. Such a file is written into and
    read from as a stream; replacing it by a new file removed the pipe (its reader then
    waited for ever) or, run as root, the device."""
    return path.exists() and not path.is_file() and not path.is_dir()


def _write_to_stream(stream: Any, text: str, blob: bytes) -> None:
    """The model file's bytes written to a binary ``stream``: built in memory, then
    written in one call, since a stream may not seek back (a compressing or uploading
    one) as zipfile would to finish each member. A seekable stream is then cut where the
    model ends, as a file opened with 'wb' is: older, longer content after it made a file
    that no longer loaded."""
    archive = io.BytesIO()
    _write_archive(archive, text, blob)
    _write_all(stream, archive.getvalue())
    seekable = getattr(stream, "seekable", None)
    try:
        if callable(seekable) and seekable():
            stream.truncate()
    except (io.UnsupportedOperation, OSError):  # a stream that may seek but not shrink
        pass


def _write_archive(target: Any, text: str, blob: bytes) -> None:
    """The model file's zip: the metadata ``text`` and the tensors ``blob``, written to
    ``target`` (a path, or a seekable binary stream, which is left open)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in ((_METADATA, text), (_TENSORS, blob)):
            # a fixed date: the same model gives the same bytes
            archive.writestr(zip_member(name), data)


def _versions() -> dict[str, str]:
    import sklearn

    from . import __version__

    return {
        "skcama": __version__,
        "torch": torch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
    }


# --------------------------------------------------------------------------------- load
def read_metadata(path: ModelFile) -> dict:
    """The JSON metadata of a model file, checked to be a skcama model of this format.

    Parameters
    ----------
    path : str, pathlib.Path or binary file object
        A file written by :func:`save_model`, or a file object open for reading bytes,
        which is read from its position to its end (``seek(0)`` before loading from it
        too).

    Returns
    -------
    dict
        The decoded ``skcama.json`` member (tags such as ``{"$tuple": ...}`` are left as
        they are).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ModelFileError
        If the file is not a skcama model file, is damaged, or has another format version.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from skcama import CAMAClassifier
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(100, 2)), rng.integers(0, 2, 100)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.skcama"
    >>> save_model(CAMAClassifier(max_epochs=2, random_state=0).fit(X, y), path)
    >>> read_metadata(path)["format_version"]
    3
    """
    return _read(path, "read_metadata")[0]


def _is_stream(target: Any) -> bool:
    """Whether ``target`` is an open file object rather than a path."""
    return not isinstance(target, (str, os.PathLike)) and (
        callable(getattr(target, "read", None)) or callable(getattr(target, "write", None))
    )


def _shown(target: Any) -> str:
    """A model file as messages name it: ``model file 'm.skcama'``, or a stream by its
    name where it has one (an opened file)."""
    if not _is_stream(target):
        return f"model file {str(target)!r}"
    name = getattr(target, "name", None)
    if isinstance(name, (str, os.PathLike)):
        return f"model stream {str(name)!r}"
    return f"model stream ({type(target).__name__})"


def _as_path(path: Any, action: str) -> Path:
    """``path`` as a Path, or a TypeError saying what ``action`` needs."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{action} needs a file path (a str or pathlib.Path) or a binary file object, "
            f"got {type(path).__name__}; pass the model file's name, e.g. 'model.skcama', "
            "or a file opened with 'rb' / 'wb' (io.BytesIO for memory)."
        )
    return Path(path)


def _binary(stream: Any, mode: str, action: str) -> None:
    """Refuse a text-mode or closed stream (``mode`` 'rb' or 'wb' is what ``action``
    needs). A stream's ``mode`` attribute is not read: a zip member open for reading
    says 'r', a gzip file a number."""
    if isinstance(stream, io.TextIOBase):
        raise TypeError(
            f"{action} reads and writes bytes (a zip archive), but {_shown(stream)} is open "
            f"in text mode; open it with {mode!r}, or use io.BytesIO for memory."
        )
    if getattr(stream, "closed", False) is True:
        raise ValueError(f"{action}: {_shown(stream)} is closed; pass an open file object.")


def _write_all(stream: Any, data: bytes) -> None:
    """Write every byte of ``data`` to ``stream``: a raw stream (an unbuffered file, a
    socket) may take fewer bytes than it is given in one call."""
    view = memoryview(data)
    while len(view):
        try:
            written = stream.write(view)
        except (TypeError, io.UnsupportedOperation) as error:  # text, or open for reading
            raise TypeError(
                f"save_model writes bytes (a zip archive), but {_shown(stream)} did not take "
                f"them ({error}); open it with 'wb', or use io.BytesIO for memory."
            ) from error
        if written is None:
            if isinstance(stream, io.RawIOBase):  # non-blocking and not ready: none taken
                raise OSError(
                    f"{_shown(stream)} is a non-blocking stream that took none of the "
                    f"{len(view)} bytes left; save to a blocking stream or a file."
                )
            return  # a file object that returns nothing wrote all it was given
        if written <= 0:
            raise OSError(
                f"{_shown(stream)} took no bytes with {len(view)} of {len(data)} left to "
                "write; the model was not saved."
            )
        view = view[written:]


def _stream_bytes(stream: Any, action: str) -> bytes:
    """Everything left in a binary ``stream`` (from its position to its end)."""
    _binary(stream, "rb", action)
    shown = _shown(stream)
    if not callable(getattr(stream, "read", None)):
        raise TypeError(f"{action}: {shown} cannot be read (it has no read method); pass "
                        "a file object opened with 'rb'.")
    try:
        raw = stream.read()
    except io.UnsupportedOperation as error:
        raise TypeError(f"{action}: {shown} cannot be read ({error}); open it with 'rb'.") \
            from error
    if isinstance(raw, (bytearray, memoryview)):
        raw = bytes(raw)
    if isinstance(raw, str):
        raise TypeError(f"{action}: {shown} gave text, not bytes; open it with 'rb'.")
    if not raw:  # None (a non-blocking stream with nothing ready) or b""
        raise ModelFileError(
            f"{shown} gave no bytes: it is empty, or was already read to its end (after "
            "saving into it, or after read_metadata, which reads it to its end); call "
            "seek(0) on it first, or pass a fresh one."
        )
    if not isinstance(raw, bytes):
        raise TypeError(
            f"{action}: {shown} gave {type(raw).__name__}, not bytes; open it with 'rb'."
        )
    return raw


def _read(source: Any, action: str = "load_model") -> tuple[dict, bytes]:
    """The metadata and the tensors' bytes of a model file (a path or a binary stream)."""
    shown = _shown(source)
    if _is_stream(source):
        return _read_archive(io.BytesIO(_stream_bytes(source, action)), shown)
    path = _as_path(source, action)
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a folder, not a model file; pass the file.")
    if _special_file(path):  # a named pipe, <(...) in a shell: read as a stream
        with open(path, "rb") as handle:
            return _read_archive(io.BytesIO(_stream_bytes(handle, action)), shown)
    if not path.is_file():
        raise FileNotFoundError(f"{shown} does not exist.")
    # opened once, here: a file this process may not read raises PermissionError, where
    # zipfile.is_zipfile would swallow it and call the file "not a zip archive"
    with open(path, "rb") as handle:
        return _read_archive(handle, shown)


def _read_archive(handle: Any, shown: str) -> tuple[dict, bytes]:
    """:func:`_read` on an open, seekable binary ``handle``."""
    not_ours = (
        f"{shown.removeprefix('model file ')} is not a skcama model file (expected a zip "
        "written by skcama.persistence.save_model / `skcama fit`)"
    )
    if not zipfile.is_zipfile(handle):
        handle.seek(0)
        start = handle.read(4 + 26 + len(_METADATA))  # a zip entry's header, then its name
        handle.seek(0)
        if start[:4] == b"PK\x03\x04" and start[30:] == _METADATA.encode():
            raise ModelFileError(
                f"{shown} is truncated or damaged: it begins as a skcama model file, but "
                "its end is missing (an interrupted copy or download) or other data follows "
                "it (a model saved over longer content of a stream opened without "
                "truncating it). Copy or save it again."
            )
        if start[:1] == b"\x80":  # pickle's protocol 2 and later begin so
            raise ModelFileError(
                f"{not_ours}; it looks like a pickle (pickle.dump or joblib.dump of a "
                "model), which load_model does not read, as it would run code from the "
                "file: load it with pickle.load or joblib.load if you trust its source, "
                "then save it with save_model."
            )
        raise ModelFileError(
            f"{not_ours}; it is not a zip archive (another program's file, or a damaged "
            "one)."
        )
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if _METADATA not in names:
                raise ModelFileError(f"{not_ours}; it holds no {_METADATA}.")
            info = archive.getinfo(_METADATA)
            if info.file_size > _MAX_METADATA_BYTES:
                raise ModelFileError(f"{not_ours}; its {_METADATA} is implausibly large.")
            raw = archive.read(_METADATA)
            metadata = _parse_metadata(raw, not_ours)
            _check_format(metadata, shown)
            if _TENSORS not in names:
                raise ModelFileError(f"{shown} is damaged: it holds no {_TENSORS}.")
            blob = archive.read(_TENSORS)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, zlib.error) as error:
        raise ModelFileError(
            f"{shown} is damaged or truncated ({error}); save it again."
        ) from error
    return metadata, blob


def _parse_metadata(raw: bytes, not_ours: str) -> dict:
    try:
        metadata = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{not_ours}; its metadata is not valid JSON ({error}).") from error
    except RecursionError as error:  # nesting deeper than any file save_model writes
        raise ModelFileError(f"{not_ours}; its metadata is nested implausibly deep.") from error
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{not_ours}; its metadata does not name the skcama format.")
    return metadata


def _check_format(metadata: dict, shown: str) -> None:
    version = metadata.get("format_version")
    versions = metadata.get("versions")
    written_by = versions.get("skcama") if isinstance(versions, dict) else None
    if not isinstance(written_by, str):
        written_by = "an unknown version"
    if not isinstance(version, int) or isinstance(version, bool):
        raise ModelFileError(
            f"{shown} is damaged: its format version {version!r} is not a "
            f"version number (this skcama reads version {FORMAT_VERSION}); save the model "
            "again from the fitted estimator, or refit it."
        )
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{shown} has skcama file format version {version!r} (written by "
            f"skcama {written_by}), but this skcama reads version {FORMAT_VERSION}; load it "
            "with a matching skcama version, or refit the model."
        )
    from . import __version__

    if written_by != __version__:
        warn_user(
            f"{shown} was written by skcama {written_by}; this is skcama "
            f"{__version__}. The file format is the same, but check its predictions.",
            UserWarning,
        )


def load_model(path: ModelFile) -> CAMAClassifier:
    """Read a :class:`~skcama.CAMAClassifier` written by :func:`save_model`.

    Nothing is unpickled and no code named by the file is run: tensors are read with
    safetensors and everything else is plain JSON decoded into a fixed set of types.

    Parameters
    ----------
    path : str, pathlib.Path or binary file object
        A model file (a named pipe or ``<(...)`` of a shell is read as a stream), or a
        file object open for reading bytes (read from its position to its end, and left
        open).

    Returns
    -------
    CAMAClassifier
        The fitted (and, if it was, adapted) estimator; its predictions equal the saved
        model's bit for bit on the same kind of device and PyTorch build (by about 1e-7
        across a GPU and a CPU). It can be adapted further, refitted or cloned.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    PermissionError
        If this process may not read it.
    TypeError
        If ``path`` is a file object open in text mode.
    ModelFileError
        If the file is not a skcama model file (another program's file, a pickle, a
        ``torch.save`` archive), is damaged or truncated, has another format version, its
        tensors do not fit this skcama's network or are not finite, a parameter is out of
        its range, or a fitted attribute is missing.

    Warns
    -----
    UserWarning
        If the file was written by another skcama version with the same file format.

    See Also
    --------
    save_model : The inverse.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from skcama import CAMAClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.array(["no", "yes"])[rng.integers(0, 2, 200)]
    >>> X = rng.normal(size=(200, 2)) + (y == "yes")[:, None]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.skcama"
    >>> save_model(CAMAClassifier(max_epochs=5, random_state=0).fit(X, y), path)
    >>> load_model(path).classes_.tolist()
    ['no', 'yes']
    """
    return _load(path, CAMAClassifier)


_REQUESTS = "_metadata_request"  # where scikit-learn keeps an estimator's routing requests


def _set_requests(clf: CAMAClassifier, requests: Any, shown: str) -> None:
    """Apply the metadata-routing requests a file holds (``{method: {parameter: request}}``,
    as ``set_fit_request(sample_weight=True)`` and the like set them); None for a file
    written without any."""
    if requests is None:
        return
    import sklearn

    if not isinstance(requests, dict) or not all(
        isinstance(method, str) and isinstance(asked, dict)
        and hasattr(clf, f"set_{method}_request")
        and all(isinstance(k, str) and (v is None or isinstance(v, (bool, str)))
                for k, v in asked.items())
        for method, asked in requests.items()
    ):
        raise ModelFileError(f"{shown} holds unreadable metadata-routing requests")
    with sklearn.config_context(enable_metadata_routing=True):
        for method, asked in requests.items():
            try:
                getattr(clf, f"set_{method}_request")(**asked)
            except (TypeError, ValueError) as error:  # a parameter the method does not take
                raise ModelFileError(
                    f"{shown} holds metadata-routing requests this skcama does not take: "
                    f"{error}"
                ) from error


def _load(path: ModelFile, cls: type[CAMAClassifier]) -> CAMAClassifier:
    """:func:`load_model` into an instance of ``cls``, the class the file names."""
    shown = _shown(path)
    metadata, blob = _read(path, "load_model")
    try:
        tensors = _safetensors_load(blob)
    except MemoryError:
        raise
    except Exception as error:  # safetensors raises its own error types on bad bytes
        raise ModelFileError(
            f"{shown} is damaged: its tensors cannot be read ({error})."
        ) from error
    try:
        return _build(metadata, tensors, shown, cls)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError, RecursionError) as error:
        raise ModelFileError(
            f"{shown} does not fit this skcama "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}); "
            "it may come from another skcama version: refit the model or load it there."
        ) from error


# what every fitted model has (prediction, adapt and reset_adaptation read each of them)
_FITTED_ATTRIBUTES = ("classes_", "roles_", "scaler_", "n_features_in_", "target_",
                      "manipulation_learned_", "_augmented", "_predict_seed", "_adapt_seed",
                      "_n_adapt_calls", "_clean_m_state", "replay_summary_")
_REPLAY_SUMMARY_KEYS = ("nodes", "mean", "cholesky", "levels")

_BEHAVIOUR_OF_OLDER_FILES = {
    # before it existed, adapt moved m's projection into the mechanisms at the full step
    "adapt_mechanism_rate": 1.0,
}


def _check_fitted_attributes(clf: CAMAClassifier, shown: str) -> None:
    """The attributes prediction reads, checked for their type and sense: a file whose
    metadata was edited (its checksums redone) loaded, then failed at the first
    prediction with Python's own error, or predicted NaN."""
    from ._columns import ColumnCodec
    from .graph import MarkovBlanketRoles

    def refuse(what: str) -> None:
        raise ModelFileError(f"{shown} is damaged: {what}; save the model again.")

    if not isinstance(clf.roles_, MarkovBlanketRoles):
        refuse(f"its roles_ is a {type(clf.roles_).__name__}, not the roles of a graph")
    codec = clf.scaler_
    if not isinstance(codec, ColumnCodec):
        refuse(f"its scaler_ is a {type(codec).__name__}, not a column coder")
    sizes = {len(codec.names), len(np.atleast_1d(codec.mean)), len(np.atleast_1d(codec.scale))}
    if len(sizes) != 1 or not (np.all(np.isfinite(codec.mean))
                               and np.all(np.isfinite(codec.scale))):
        refuse("its column means and scales are not one finite number per column")
    classes = clf.classes_
    if not isinstance(classes, np.ndarray) or classes.ndim != 1 or len(classes) < 2:
        refuse("its classes_ is not a list of two or more class labels")
    n_features = clf.n_features_in_
    if not isinstance(n_features, int) or isinstance(n_features, bool) or n_features < 0:
        refuse(f"its n_features_in_ is {n_features!r}, not a number of columns")
    for name in ("_predict_seed", "_adapt_seed"):
        seed = getattr(clf, name)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
            refuse(f"its {name} is {seed!r}, not a seed (a whole number in [0, 2**63))")
    calls = clf._n_adapt_calls
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 0:
        refuse(f"its _n_adapt_calls is {calls!r}, not a count of adapt calls")
    for name in ("manipulation_learned_", "_augmented"):
        if not isinstance(getattr(clf, name), bool):
            refuse(f"its {name} is {getattr(clf, name)!r}, not True or False")
    if clf._clean_m_state is not None and not isinstance(clf._clean_m_state, dict):
        refuse("its _clean_m_state is neither None nor the weights adapt can restore")
    summary = clf.replay_summary_
    if not isinstance(summary, dict) or any(k not in summary for k in _REPLAY_SUMMARY_KEYS):
        refuse("its replay_summary_ is not the summary of the training rows adapt replays")


def _estimator_name(cls: type) -> str:
    """How a model file names the class of its estimator: ``"CAMAClassifier"``, or a
    subclass's module and qualified name (two subclasses may share a name)."""
    if cls is CAMAClassifier:
        return CAMAClassifier.__name__
    return f"{cls.__module__}.{cls.__qualname__}"


def _not_finite(state: dict[str, torch.Tensor]) -> list[str]:
    """The names of the floating-point tensors of ``state`` that hold NaN or inf values:
    a model's weights that save_model refuses to write and load_model to read."""
    return [k for k, v in state.items() if v.is_floating_point() and not v.isfinite().all()]


def _build(
    metadata: dict, tensors: dict[str, torch.Tensor], shown: str, cls: type[CAMAClassifier]
) -> CAMAClassifier:
    held = metadata.get("estimator")
    calling = _estimator_name(cls)
    if (isinstance(held, str) and held != calling and held.startswith("__main__.")
            and cls is not CAMAClassifier and held.split(".", 1)[1] == cls.__qualname__):
        # saved where the class was defined in a script or notebook (its module is
        # __main__ there) and loaded where it is imported: the same class by name
        warn_user(
            f"{shown} was saved by a {held!r}, a class of a script or notebook; it is "
            f"loaded as {calling!r}, the class of that name given here. Define the "
            "subclass in a module to have files name it exactly."
        )
        held = calling
    if held != calling:
        if isinstance(held, str) and "." in held:
            # a subclass's file: it names its class, which is never imported from a file
            name = held.rsplit(".", 1)[-1]
            module = held.rsplit(".", 1)[0]
            home = ("the script or notebook that saved it, or a module defining it"
                    if module == "__main__" else f"the module {module!r}")
            raise ModelFileError(
                f"{shown} holds a {held!r}, a subclass of CAMAClassifier, not the "
                f"{calling!r} asked for: load it with {name}.load(path), {name} from "
                f"{home}."
            )
        raise ModelFileError(f"{shown} holds a {held!r}, not a {calling}.")
    decoder = _Decoder(tensors)
    params = {name: decoder.decode(v) for name, v in metadata["params"].items()}
    # parameters added since a file was written take the value that reproduces how the
    # writing skcama behaved, not today's default
    known = set(cls().get_params(deep=False))
    for name, value in _BEHAVIOUR_OF_OLDER_FILES.items():
        if name in known:  # a subclass may fix a parameter
            params.setdefault(name, value)
    unknown = sorted(set(params) - known)
    if unknown:
        raise ModelFileError(
            f"{shown} sets parameters {unknown} this skcama does not know; "
            "load it with the skcama version that wrote it."
        )
    clf = cls(**params)
    try:
        clf._validate_params()
    except ValueError as error:  # scikit-learn's InvalidParameterError
        raise ModelFileError(
            f"{shown} holds an invalid parameter: {error}"
        ) from error
    for name, value in metadata["attributes"].items():
        if not isinstance(name, str) or not name.isidentifier() or hasattr(cls, name):
            raise ModelFileError(f"{shown} sets a forbidden attribute {name!r}")
        setattr(clf, name, decoder.decode(value))
    absent = [name for name in _FITTED_ATTRIBUTES if not hasattr(clf, name)]
    if absent:
        raise ModelFileError(
            f"{shown} lacks the fitted attributes {absent}: it is damaged, or was written "
            "by an older skcama; save the model again, or refit it."
        )
    _check_fitted_attributes(clf, shown)
    _set_requests(clf, metadata.get("metadata_requests"), shown)
    cfg = decoder.decode(metadata["model_config"])
    if not isinstance(cfg, CAMAConfig):
        raise ModelFileError(f"{shown} has no valid model configuration")
    # ordinary tensors even where the file is read inside torch.inference_mode(), which
    # adapt could not train later
    with seeded_torch(0), torch.inference_mode(False):  # initial weights, replaced next:
        model = CAMANet(cfg)  # under the lock of fits in threads
        state = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
        model.load_state_dict(state, strict=True)
    broken = _not_finite(state)
    if broken:
        raise ModelFileError(
            f"{shown} is damaged: its weights {broken[:3]} hold NaN or "
            "infinite values, so every prediction would be NaN; refit the model."
        )
    model.eval()
    clf.model_ = model
    return clf
