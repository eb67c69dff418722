"""Training and inference loops for :class:`~skcama._model.CAMANet` (torch only).

The loops are cut into small steps (epoch -> batch step -> loss) and return plain
Python figures, so the scikit-learn wrapper stays free of tensor maths.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from ._model import CAMANet

logger = logging.getLogger("skcama")


@dataclass
class Tensors:
    """Standardised inputs of one data set: parents, co-parents, children, labels."""

    a: torch.Tensor
    c: torch.Tensor
    x: torch.Tensor
    y: torch.Tensor | None = None

    def __len__(self) -> int:
        return self.a.shape[0]

    def rows(self, index: torch.Tensor | slice) -> Tensors:
        return Tensors(
            self.a[index], self.c[index], self.x[index], None if self.y is None else self.y[index]
        )


@dataclass(frozen=True)
class TrainSettings:
    max_epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    n_iter_no_change: int
    tol: float


def iterate_batches(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Shuffled mini-batch indices covering ``range(n)`` once."""
    order = torch.randperm(n, generator=generator)
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _noise(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    return torch.randn(shape, generator=generator)


def clean_elbo(model: CAMANet, batch: Tensors, generator: torch.Generator) -> torch.Tensor:
    """ELBO(x, y, do(m=0)) per row with fresh reparameterisation noise (paper eq. 3)."""
    eps_z = _noise((len(batch), 1, 1, model.cfg.latent_dim), generator)
    return model.elbo(batch.a, batch.c, batch.x, batch.y, eps_z)


@torch.no_grad()
def evaluate_elbo(model: CAMANet, data: Tensors, seed: int, batch_size: int = 4096) -> float:
    """Mean do(m=0) ELBO of ``data`` with fixed noise, for early stopping."""
    generator = torch.Generator().manual_seed(seed)
    total = 0.0
    for start in range(0, len(data), batch_size):
        batch = data.rows(slice(start, start + batch_size))
        total += float(clean_elbo(model, batch, generator).sum())
    return total / max(len(data), 1)


def train(
    model: CAMANet,
    train_data: Tensors,
    valid_data: Tensors | None,
    settings: TrainSettings,
    generator: torch.Generator,
    loss_fn: Callable[[CAMANet, Tensors, torch.Generator], torch.Tensor] = clean_elbo,
    parameters: list[torch.nn.Parameter] | None = None,
    progress: Callable[[dict], None] | None = None,
) -> tuple[list[dict], bool]:
    """Maximise ``loss_fn`` (a per-row bound) with Adam and early stopping.

    Early stopping watches the held-out ELBO when ``valid_data`` is given, the training
    ELBO otherwise; the best weights are restored at the end. Returns the per-epoch
    history and whether training stopped early (converged).
    """
    params = list(model.parameters()) if parameters is None else parameters
    # One fused kernel for all parameters: the per-parameter loop dominated small models.
    optimizer = torch.optim.Adam(
        params, lr=settings.learning_rate, weight_decay=settings.weight_decay, fused=True
    )
    history: list[dict] = []
    best_score, best_state, stale = -math.inf, None, 0
    valid_seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
    converged = False
    for epoch in range(1, settings.max_epochs + 1):
        start = time.perf_counter()
        model.train()
        total, count = 0.0, 0
        for index in iterate_batches(len(train_data), settings.batch_size, generator):
            batch = train_data.rows(index)
            bound = loss_fn(model, batch, generator)
            loss = -bound.mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(bound.detach().sum())
            count += len(batch)
        model.eval()
        record = {"epoch": epoch, "train_elbo": total / max(count, 1)}
        if valid_data is not None and len(valid_data) > 0:
            record["valid_elbo"] = evaluate_elbo(model, valid_data, valid_seed)
            score = record["valid_elbo"]
        else:
            score = record["train_elbo"]
        record["seconds"] = time.perf_counter() - start
        history.append(record)
        if progress is not None:
            progress(record)
        if not math.isfinite(score):
            raise FloatingPointError(
                f"the ELBO became {score} at epoch {epoch}; lower learning_rate or check the "
                "inputs for extreme values."
            )
        if best_state is None or score > best_score + settings.tol * max(abs(best_score), 1.0):
            best_score, stale = score, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            stale += 1
            if stale >= settings.n_iter_no_change:
                converged = True
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return history, converged


@torch.no_grad()
def predict_log_proba(
    model: CAMANet,
    data: Tensors,
    eps_z: torch.Tensor,
    eps_m: torch.Tensor | None,
    batch_size: int,
) -> torch.Tensor:
    """log p(y | a, c, x) for every row and class by Bayes' rule on eq. 6, (B, K).

    The Monte Carlo noise ``eps_z`` / ``eps_m`` is shared by all rows (common random
    numbers), so a row's prediction does not depend on the rows batched with it.
    """
    model.eval()
    out = []
    for start in range(0, len(data), batch_size):
        batch = data.rows(slice(start, start + batch_size))
        log_joint = model.log_joint(batch.a, batch.c, batch.x, eps_z, eps_m)
        out.append(torch.log_softmax(log_joint, dim=-1))
    if not out:
        return torch.empty(0, model.cfg.n_classes)
    return torch.cat(out)
