"""Messages to the user: warnings that point at the user's line, and progress reports.

A warning raised deep inside skcama (a fit called through a scikit-learn ``Pipeline``, an
attack calling a manipulation) would otherwise name a line of skcama or scikit-learn as
its source, wherever the user's call was.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import joblib
import sklearn

logger = logging.getLogger("skcama")

# joblib too: scikit-learn's cross-validation calls fit through joblib.Parallel
_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (sys.modules[__package__], sklearn, joblib)
)


# skcama, and scikit-learn's decorators of its methods (fit's _fit_context, validation)
_WRAPPERS = (
    _LIBRARY_DIRS[0],
    os.path.join(_LIBRARY_DIRS[1], "base.py"),
    os.path.join(_LIBRARY_DIRS[1], "utils") + os.sep,
)
# where the stack of a worker process or thread starts: no user code below them
_WORKER_DIRS = tuple(
    os.path.dirname(os.path.abspath(module.__file__)) + os.sep
    for module in (multiprocessing, concurrent.futures)
) + (os.path.abspath(threading.__file__),)


def warn_user(
    message: str, category: type[Warning] = UserWarning, key: str | None = None
) -> None:
    """``warnings.warn(message, category)`` attributed to the first calling frame outside
    skcama, scikit-learn and joblib (the user's code, or the test that called). ``key``
    stands for the message in telling a repeat from the same line, where the text
    changes with each call but the finding does not (the value and row of a far value,
    in a loop predicting one row at a time)."""
    frame = sys._getframe(1)
    level = 2  # 1 would be this function; 2 its caller
    outside = None  # the first frame that calls skcama (not a decorator of its methods)
    while frame is not None and frame.f_code.co_filename.startswith(_LIBRARY_DIRS):
        if outside is None and not frame.f_code.co_filename.startswith(_WRAPPERS):
            outside = (frame, level)
        frame = frame.f_back
        level += 1
    if outside is not None and (
            frame is None or frame.f_code.co_filename.startswith(_WORKER_DIRS)):
        # no user code on this stack (a fit in a worker process of joblib or
        # multiprocessing): the line that called skcama, not multiprocessing's
        frame, level = outside
    if frame is not None and _shown_before(str(message), category, frame, key):
        return
    warnings.warn(message, category, stacklevel=level)


# Python shows a warning once per line of code under the "default" action, but forgets
# what it showed whenever a warnings.catch_warnings block is entered, and pandas enters
# several on every call of predict: a scoring loop over single rows repeated the same
# warning at every row. The warnings shown under "default" are remembered here as Python
# remembers them, and forgotten when the filters change, as Python forgets them; a block
# that restores the filters it found (pandas') changes nothing.
# At most _SHOWN_MAX are kept, the oldest forgotten first: a service that warns with a
# new text on every call (adapt_prior's estimates, values in the text) grew the record by
# the warning's text per call, for the life of the process.
_SHOWN: collections.OrderedDict = collections.OrderedDict()
_SHOWN_MAX = 1000
_SHOWN_UNDER: list = [None]  # the filters (the list object and its entries) they hold for
_SHOWN_LOCK = threading.Lock()


def _shown_before(
    text: str, category: type[Warning], frame: Any, key: str | None = None
) -> bool:
    """Whether a warning of ``text`` (or of ``key`` where given) and ``category`` from
    ``frame``'s line was already shown under the "default" action with the filters in
    force (then it is not shown again); records it where it will be shown now."""
    module = frame.f_globals.get("__name__", "<string>")
    lineno = frame.f_lineno
    action = next((action for action, pattern, kind, where, line in warnings.filters
                   if (pattern is None or pattern.match(text)) and issubclass(category, kind)
                   and (where is None or where.match(module)) and line in (0, lineno)),
                  warnings.defaultaction)
    if action != "default":
        return False
    seen = (text if key is None else key, category, frame.f_code.co_filename, lineno)
    with _SHOWN_LOCK:
        # the list itself is kept (not its id, which a later list could reuse)
        under, entries = _SHOWN_UNDER[0] or (None, None), tuple(warnings.filters)
        if under[0] is not warnings.filters or under[1] != entries:
            _SHOWN.clear()
            _SHOWN_UNDER[0] = (warnings.filters, entries)
        if seen in _SHOWN:
            _SHOWN.move_to_end(seen)
            return True
        _SHOWN[seen] = None
        if len(_SHOWN) > _SHOWN_MAX:
            _SHOWN.popitem(last=False)
    return False


# each_warning_once: what each thread has shown inside its open blocks (a stack, one
# entry per block, a nested block sharing the outermost's set), and the one process-wide
# hook that consults it
_ONCE = threading.local()
_ONCE_LOCK = threading.Lock()
_ONCE_HOOK: list = [0, None]  # blocks open in any thread, and the showwarning replaced


def _show_once(message, category, filename, lineno, file=None, line=None):
    """``warnings.showwarning`` while a block of :func:`each_warning_once` is open in any
    thread: drops a repeat within this thread's block, and hands on everything else (the
    warnings of other threads untouched)."""
    blocks = getattr(_ONCE, "blocks", None)
    if blocks:
        key = (category, str(message))
        if key in blocks[-1]:
            return
        blocks[-1].add(key)
    _ONCE_HOOK[1](message, category, filename, lineno, file, line)


@contextlib.contextmanager
def each_warning_once() -> Iterator[None]:
    """Within the block, a warning whose category and text were already shown is dropped.

    Python shows a warning once per line of code, but forgets what it showed whenever a
    ``warnings.catch_warnings`` block changes the filters (as fitting and predicting do),
    so a loop that runs one manipulation per strength would repeat its warning at every
    strength. Filters still apply: an ``"error"`` filter raises on the first one.

    Only the warnings of the thread that opened the block are dropped, and blocks opened
    at once in several threads share one hook on ``warnings.showwarning``, installed by
    the first to open and removed by the last to close: a swap of the process-wide
    function per block left one block's hook installed for good where two blocks
    overlapped in two threads (every repeated warning of the process dropped after it).
    One case remains, as ``showwarning`` belongs to the whole process: a
    ``warnings.catch_warnings()`` block of another thread that opens while the hook is
    installed and closes after the last block puts the hook back. It then drops
    nothing, and hands each warning to the function it replaced.
    """
    with _ONCE_LOCK:
        if _ONCE_HOOK[0] == 0 or warnings.showwarning is not _show_once:
            if warnings.showwarning is not _show_once:
                _ONCE_HOOK[1] = warnings.showwarning
            warnings.showwarning = _show_once
        _ONCE_HOOK[0] += 1
    blocks = _ONCE.__dict__.setdefault("blocks", [])
    # a block inside another (an attack's in a robustness curve's) adds to the outer
    # block's record: what the outer block showed is not shown again
    blocks.append(blocks[-1] if blocks else set())
    try:
        yield
    finally:
        blocks.pop()
        with _ONCE_LOCK:
            _ONCE_HOOK[0] -= 1
            if _ONCE_HOOK[0] == 0 and warnings.showwarning is _show_once:
                warnings.showwarning = _ONCE_HOOK[1]


def interactive() -> bool:
    """Whether a progress bar has a screen to redraw on: a terminal, or a notebook. Where
    standard error is a file or a pipe (a log), its redrawn frames would only fill it."""
    isatty = getattr(sys.stderr, "isatty", None)
    return "ipykernel" in sys.modules or (callable(isatty) and bool(isatty()))


def report(verbose: int, message: str, *args: Any) -> None:
    """Progress of a long step (discovery, training): at DEBUG, or with ``verbose`` at
    INFO on the ``skcama`` logger, shown on standard error where logging is not
    configured (a script, a notebook), since the library's logger only has a
    NullHandler."""
    if not verbose:
        logger.debug(message, *args)
        return
    chain, configured = logger, False
    while chain is not None and not configured:
        configured = any(not isinstance(h, logging.NullHandler) for h in chain.handlers)
        chain = chain.parent if chain.propagate else None
    if configured:
        logger.info(message, *args)
        return
    # written straight to standard error, the logger left as it is: a handler added and
    # removed around the call lost and repeated lines of fits in several threads
    if logger.manager.disable >= logging.INFO:  # logging.disable(INFO) silences it too
        return
    record = logger.makeRecord(logger.name, logging.INFO, "(skcama)", 0, message, args, None)
    if not logger.filter(record):  # filters the user set on the skcama logger still apply
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("skcama: %(message)s"))
    handler.handle(record)


_PICKLED_BY = "_skcama_version"  # the key of a pickled estimator's state that holds it


def record_version(state: dict) -> dict:
    """A pickled estimator's ``state`` with the skcama version that pickles it (as
    scikit-learn records its own version in its estimators' pickles)."""
    from . import __version__

    return {**state, _PICKLED_BY: __version__}


def warn_if_pickled_by_another_version(state: dict, name: str) -> None:
    """Warn, and take the record out of ``state``, when it was pickled by another skcama
    version than this one: its fitted attributes may not be what this version reads,
    and it may then fail or predict otherwise. Pickles written before versions were
    recorded carry none and pass silently."""
    from . import __version__

    written = state.pop(_PICKLED_BY, None)
    if written is not None and written != __version__:
        warn_user(
            f"this {name} was pickled by skcama {written} and is unpickled by skcama "
            f"{__version__}: its fitted attributes may not be what this version reads, "
            "so it may fail or predict otherwise. Refit it with this version, or save "
            "models with skcama.save_model, whose files load_model checks.",
            UserWarning,
        )
