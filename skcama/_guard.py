"""A failed call loses nothing: the state of an object put back when a block raises."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def restore_on_error(obj: object) -> Iterator[None]:
    """Leave ``obj`` exactly as it was when the block raises (a failed refit keeps the
    previous fit usable; a failed first fit leaves the estimator unfitted)."""
    saved = dict(obj.__dict__)
    try:
        yield
    except BaseException:
        obj.__dict__.clear()
        obj.__dict__.update(saved)
        raise
