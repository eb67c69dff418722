"""Guards around public calls: a failed call loses nothing, and a call that trains or
differentiates works whatever the caller's autograd mode."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import torch

_F = TypeVar("_F", bound=Callable[..., Any])

if TYPE_CHECKING:  # scikit-learn is untyped: its decorator would make fit Any

    def fit_context(*, prefer_skip_nested_validation: bool) -> Callable[[_F], _F]:
        """scikit-learn's ``_fit_context``: validates the parameters before fit."""
        ...

else:
    from sklearn.base import _fit_context

    fit_context = _fit_context


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


def ordinary_tensors(module: torch.nn.Module) -> None:
    """Replace ``module``'s inference tensors by ordinary copies, in place.

    A model unpickled inside ``torch.inference_mode()`` (a server loading it to predict)
    holds inference tensors, which autograd cannot train or differentiate through, nor
    update in place outside that mode: :meth:`~skcama.CAMAClassifier.adapt`, its reset and
    the gradient attacks would fail on it later.
    """
    with torch.inference_mode(False):
        for part in module.modules():
            for name, param in part._parameters.items():
                if param is not None and param.is_inference():
                    part._parameters[name] = torch.nn.Parameter(
                        param.clone(), requires_grad=param.requires_grad)
            for name, buffer in part._buffers.items():
                if buffer is not None and buffer.is_inference():
                    part._buffers[name] = buffer.clone()
