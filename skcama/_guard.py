"""Guards around public calls: a failed call loses nothing, and a call that trains or
differentiates works whatever the caller's autograd mode."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import torch


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


_Call = TypeVar("_Call", bound=Callable)


def gradients_on(function: _Call) -> _Call:
    """Run ``function`` with autograd on, whatever the caller's mode.

    Training, adaptation and gradient attacks need gradients: called from evaluation code
    inside ``torch.no_grad()`` or ``torch.inference_mode()`` they would fail with
    autograd's "does not require grad" (or make inference tensors that autograd cannot
    use). Prediction needs no such guard.
    """

    @functools.wraps(function)
    def with_gradients(*args, **kwargs):
        with torch.inference_mode(False), torch.enable_grad():
            return function(*args, **kwargs)

    return with_gradients  # type: ignore[return-value]
