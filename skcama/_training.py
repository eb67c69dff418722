"""Training and inference loops for :class:`~skcama._model.CAMANet` (torch only).

The loops are cut into small steps (epoch -> batch step -> loss) and return plain
Python figures, so the scikit-learn wrapper stays free of tensor maths.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

import torch
from sklearn.exceptions import ConvergenceWarning

from ._model import KNOWN_COMPLETE, CAMANet
from ._warn import warn_user

logger = logging.getLogger("skcama")


@dataclass
class Tensors:
    """Standardised inputs of one data set: parents, co-parents, children, labels."""

    a: torch.Tensor
    c: torch.Tensor
    x: torch.Tensor
    y: torch.Tensor | None = None
    manipulated: torch.Tensor | None = None  # bool per row, for augmented training
    weight: torch.Tensor | None = None  # per-row weight (mean 1 over the fit), or None

    def __len__(self) -> int:
        return self.a.shape[0]

    def rows(self, index: torch.Tensor | slice) -> Tensors:
        def pick(t: torch.Tensor | None) -> torch.Tensor | None:
            return None if t is None else t[index]

        return Tensors(
            self.a[index], self.c[index], self.x[index], pick(self.y), pick(self.manipulated),
            pick(self.weight),
        )

    def weighted(self, bound: torch.Tensor) -> torch.Tensor:
        """``bound`` (one value per row) times the rows' weights, when they have any."""
        return bound if self.weight is None else bound * self.weight

    def total_weight(self) -> float:
        """The rows' summed weight: their count when they carry no weights."""
        return float(len(self) if self.weight is None else self.weight.sum(dtype=torch.float64))


@dataclass(frozen=True)
class TrainSettings:
    max_epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    n_iter_no_change: int
    tol: float


_GATHER_ROWS = 65_536  # rows gathered at once when shuffling: one copy of this size


def shuffled_batches(
    data: Tensors, batch_size: int, generator: torch.Generator
) -> Iterator[Tensors]:
    """The mini-batches of one epoch: a fresh permutation of the rows, cut in order.

    Rows are gathered a block of many batches at a time, and batches are then slices of
    the block: one indexing call per block instead of one per batch (which took a tenth of
    a small training step), with extra memory bounded by the block, not the data.
    """
    order = torch.randperm(len(data), generator=generator, device=generator.device)
    block_rows = max(batch_size, _GATHER_ROWS // batch_size * batch_size)
    for block_start in range(0, len(data), block_rows):
        block = data.rows(order[block_start : block_start + block_rows])
        for start in range(0, len(block), batch_size):
            yield block.rows(slice(start, start + batch_size))


def _noise(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    return torch.randn(shape, generator=generator, dtype=torch.float32, device=generator.device)


LossFn = Callable[[CAMANet, Tensors, torch.Generator], torch.Tensor]


def clean_inputs(
    model: CAMANet, batch: Tensors, generator: torch.Generator
) -> tuple[torch.Tensor, ...]:
    """The arguments of ``model.elbo`` for ELBO(x, y, do(m=0)): the batch and fresh
    reparameterisation noise for z."""
    eps_z = _noise((len(batch), 1, 1, model.cfg.latent_dim), generator)
    return batch.a, batch.c, batch.x, batch.y, eps_z


def clean_elbo(model: CAMANet, batch: Tensors, generator: torch.Generator) -> torch.Tensor:
    """ELBO(x, y, do(m=0)) per row with fresh reparameterisation noise (paper eq. 3)."""
    return model.elbo(*clean_inputs(model, batch, generator))


def inferred_m_elbo(model: CAMANet, batch: Tensors, generator: torch.Generator) -> torch.Tensor:
    """ELBO(x, y) per row with m inferred by q(m | x, c) (paper eq. 4)."""
    eps_z = _noise((len(batch), 1, 1, model.cfg.latent_dim), generator)
    eps_m = _noise((len(batch), 1, 1, model.cfg.manipulation_dim), generator)
    return model.elbo(batch.a, batch.c, batch.x, batch.y, eps_z, eps_m)


def adaptation_bounds(
    model: CAMANet,
    new: Tensors,
    reference: Tensors,
    eps_z: torch.Tensor,
    eps_m: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row ELBO(x) of the unlabelled ``new`` rows (the logsumexp over classes of
    ELBO(x, y=k), paper eq. 7) and ELBO(x, y) of the labelled ``reference`` rows, both with
    m inferred by q(m | x, c); ``eps_z`` / ``eps_m`` (rows, 1, 1, dim) is the noise of the
    new rows followed by that of the reference rows (see :func:`adaptation_noise`).

    Both come from one pass over the rows stacked together, evaluated for every class: an
    adaptation step is a few hundred small operations, so one pass instead of two took
    about a fifth less time with 20 features, even though the reference rows are
    evaluated for classes other than their label.
    """
    n_new = len(new)
    a, c, x = (torch.cat(pair) for pair in
               ((new.a, reference.a), (new.c, reference.c), (new.x, reference.x)))
    per_class = model.elbo(a, c, x, None, eps_z, eps_m)  # (rows, classes)
    new_bound = torch.logsumexp(per_class[:n_new], dim=-1)
    reference_bound = per_class[n_new:].gather(1, reference.y[:, None]).squeeze(1)
    return new_bound, reference_bound


def adaptation_noise(
    model: CAMANet, n_rows: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Reparameterisation noise of one adaptation step for ``n_rows`` stacked rows."""
    eps_z = _noise((n_rows, 1, 1, model.cfg.latent_dim), generator)
    eps_m = _noise((n_rows, 1, 1, model.cfg.manipulation_dim), generator)
    return eps_z, eps_m


def augmented_loss(clean_weight: float, manipulated_weight: float) -> LossFn:
    """Per-row terms of eq. 5: clean rows ELBO(x, y, do(m=0)), manipulated rows ELBO(x, y)
    with inferred m, weighted so that the batch mean estimates
    lambda * E_clean + (1 - lambda) * E_manipulated."""

    def loss(model: CAMANet, batch: Tensors, generator: torch.Generator) -> torch.Tensor:
        flag = batch.manipulated
        out = batch.a.new_empty(len(batch))
        if (~flag).any():
            out[~flag] = clean_weight * clean_elbo(model, batch.rows(~flag), generator)
        if flag.any():
            out[flag] = manipulated_weight * inferred_m_elbo(model, batch.rows(flag), generator)
        return out

    return loss


def _row_bounds(
    model: CAMANet, data: Tensors, seed: int, loss_fn: LossFn, batch_size: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row's ``loss_fn`` with fixed noise, times its weight where rows carry any,
    and the rows' weights (ones without), both float64 on the host (a GPU's sums add in
    no fixed order, and these scores decide when training stops)."""
    generator = torch.Generator(device=data.x.device).manual_seed(seed)
    batches = (data.rows(slice(start, start + batch_size))
               for start in range(0, len(data), batch_size))
    bounds = torch.cat([batch.weighted(loss_fn(model, batch, generator)).double()
                        for batch in batches]).cpu()
    weight = (torch.ones(len(data), dtype=torch.float64)
              if data.weight is None else data.weight.double().cpu())
    return bounds, weight


@torch.no_grad()
def evaluate_elbo(
    model: CAMANet, data: Tensors, seed: int, loss_fn: LossFn = clean_elbo,
    batch_size: int = 4096,
) -> float:
    """Mean of ``loss_fn`` over ``data`` with fixed noise (weighted by the rows' weights
    when they carry any): the check of a fit without held-out rows."""
    if not len(data):
        return 0.0
    bounds, weight = _row_bounds(model, data, seed, loss_fn, batch_size)
    return float(bounds.sum() / weight.sum().clamp_min(1e-12))


def stratified_hold_out(
    y: torch.Tensor, n_valid: int, generator: torch.Generator
) -> torch.Tensor:
    """A mask of ``n_valid`` rows to hold out, each class's count the floor or the ceiling
    of its share (``n_valid`` times the class's share of the labels ``y``), the ceiling
    with the probability of the share's fraction, its rows drawn at random; every class
    keeps at least one row for training, the mask then holding fewer rows. (A random split
    held out 3 of a 2% class's 60 rows at one seed, 9 at another, and all of a rare class
    at some.)

    Systematic sampling: the rows are shuffled and grouped by class (a stable sort keeps
    each class's rows shuffled), and from a random start every ``n / n_valid``-th row is
    held out."""
    n = len(y)
    order = torch.randperm(n, generator=generator, device=generator.device)
    grouped = order[torch.argsort(y[order], stable=True)]
    offset = torch.randint(0, max(n, 1), (1,), generator=generator,
                           device=generator.device).to(y.device)
    position = torch.arange(n, device=y.device)
    take = ((position + 1) * n_valid + offset) // n > (position * n_valid + offset) // n
    labels = y[grouped]
    counts = torch.bincount(labels)
    held_per_class = torch.bincount(labels[take], minlength=len(counts))
    first = torch.ones(n, dtype=torch.bool, device=y.device)
    first[1:] = labels[1:] != labels[:-1]  # each class's first row in its random order
    take &= ~(first & (held_per_class == counts)[labels])  # no class wholly held out
    held = torch.zeros(n, dtype=torch.bool, device=y.device)
    held[grouped[take]] = True
    return held


@torch.no_grad()
def held_out_scores(
    model: CAMANet, data: Tensors, seed: int, loss_fn: LossFn = clean_elbo,
    batch_size: int = 4096,
) -> tuple[float, float]:
    """The held-out rows' mean ELBO (weighted by the rows' weights when they carry any)
    with fixed noise, and the mean over the classes of each class's mean, which early
    stopping monitors: in the plain mean a class of 2% of the rows weighs 2%, and a fit
    stopped while its likelihood still improved (a 2% class's recall 0.16 after the
    8 epochs that the plain mean chose, 0.54 after 19)."""
    bounds, weight = _row_bounds(model, data, seed, loss_fn, batch_size)
    mean = float(bounds.sum() / weight.sum().clamp_min(1e-12))
    if data.y is None:
        return mean, mean
    y = data.y.cpu()
    sums = torch.zeros(int(y.max()) + 1, dtype=torch.float64)
    totals = torch.zeros_like(sums)
    sums.index_add_(0, y, bounds)
    totals.index_add_(0, y, weight)
    present = totals > 0
    return mean, float((sums[present] / totals[present]).mean())


def _adam(params: list[torch.nn.Parameter] | list[dict], **options) -> torch.optim.Adam:
    """Adam with one fused kernel for all parameters, or for each group of them
    (``params`` as Adam's parameter groups; the per-parameter loop dominated
    small models). PyTorch before 2.4 fuses on GPUs only; there the CPU gets its default
    implementation. Each attempt gets its own copies of the groups: the failed
    constructor has already written ``fused=True`` into the dicts it was given, and
    Adam given those on the CPU failed at its first step (torch 2.2)."""

    def fresh() -> list:
        return [dict(p) if isinstance(p, dict) else p for p in params]

    try:
        return torch.optim.Adam(fresh(), fused=True, **options)
    except RuntimeError:  # "fused=True requires ... tensors of supported devices"
        return torch.optim.Adam(fresh(), **options)


def train(
    model: CAMANet,
    train_data: Tensors,
    valid_data: Tensors | None,
    settings: TrainSettings,
    generator: torch.Generator,
    loss_fn: LossFn = clean_elbo,
    parameters: list[torch.nn.Parameter] | None = None,
    progress: Callable[[dict], None] | None = None,
) -> tuple[list[dict], bool, float]:
    """Maximise ``loss_fn`` (a per-row bound) with Adam and early stopping.

    Early stopping watches the held-out rows' mean over the classes of each class's mean
    ELBO (:func:`held_out_scores`) when ``valid_data`` is given, the training ELBO
    otherwise; the best weights are restored at the end. Returns the per-epoch history,
    whether training stopped early (converged) and the held-out (plain mean) ELBO of the
    untrained model, with the noise of every epoch's (NaN without held-out rows), which
    a training that diverged never beats. Rows that carry weights
    (``Tensors.weight``) count in proportion to them, in the steps and in both ELBOs.

    On a CUDA device, with the clean bound, every full-size batch's step is replayed as
    a CUDA graph (see :class:`_Stepper`); the noise is drawn outside it by
    :func:`clean_inputs`, as :func:`clean_elbo` draws it, so the result is that of the
    step-by-step loop.
    """
    params = list(model.parameters()) if parameters is None else parameters
    graphed = use_cuda_graph(generator.device) and loss_fn is clean_elbo
    # one flat tensor for Adam where that changes no step: without weight decay, the
    # parameters no loss reaches (a zero gradient in the buffer, None otherwise) stay
    # exactly as they are either way
    flat = not graphed and settings.weight_decay == 0
    with rows_known_complete(model, train_data, valid_data), _one_buffer(params, flat) as whole:
        optimizer = _adam(
            params if whole is None else [whole], lr=settings.learning_rate,
            weight_decay=settings.weight_decay, capturable=graphed,
        )
        return _train_loop(model, train_data, valid_data, settings, generator, loss_fn,
                           optimizer, graphed, progress, flat=whole is not None)


@contextmanager
def _one_buffer(
    params: list[torch.nn.Parameter], active: bool = True
) -> Iterator[torch.nn.Parameter | None]:
    """For the block, lay ``params`` out as views of one flat parameter, and their
    gradients as views of its gradient, and yield that parameter: Adam then updates them
    with one kernel over one tensor (over the model's 30 tensors, its per-tensor work took
    about a tenth of a small training step on 2 CPU threads). Zeroing the flat gradient
    (never setting it to None) keeps the views: autograd adds into a gradient that
    exists. Yields None, and changes nothing, where not ``active`` or the parameters
    differ in device or dtype or some take no gradient. When the block ends each
    parameter gets its own memory again and no gradient, as after
    ``zero_grad(set_to_none=True)``."""
    if (not active or not params or not all(p.requires_grad for p in params)
            or len({(p.device, p.dtype) for p in params}) > 1):
        yield None
        return
    whole = torch.nn.Parameter(torch.cat([p.detach().reshape(-1) for p in params]))
    whole.grad = torch.zeros_like(whole)
    start = 0
    for p in params:
        end = start + p.numel()
        p.data = whole.data[start:end].view_as(p)
        p.grad = whole.grad[start:end].view_as(p)
        start = end
    try:
        yield whole
    finally:
        for p in params:
            p.data = p.data.clone()
            p.grad = None


def _complete(*datasets: Tensors | None) -> bool:
    """Whether no row of ``datasets`` misses a value."""
    return all(
        not bool(torch.isnan(t).any())
        for data in datasets if data is not None for t in (data.a, data.c, data.x)
    )


@contextmanager
def rows_known_complete(model: CAMANet, *datasets: Tensors | None) -> Iterator[None]:
    """Set ``model.rows_complete`` for the block where no row of ``datasets`` misses a
    value: every step then skips looking for missing values (a NaN test, a host read and
    a replacement per block of columns, about 4% of a small training step)."""
    if not _complete(*datasets):
        yield
        return
    model.rows_complete = True
    try:
        yield
    finally:
        del model.rows_complete  # the class's False again


@contextmanager
def predicting_complete_rows(model: CAMANet, data: Tensors) -> Iterator[None]:
    """For the block, tell ``model`` that the rows ``data`` it predicts miss no value,
    where that is so: every chunk then skips looking for missing values (a NaN test and a
    host read per block of columns; 4% of the time of a prediction of 10,000 rows with 20
    features on 2 CPU threads, the probabilities the same to the last bit). Only this
    thread's (or task's) calls see it, so threads predicting with one model at once
    each keep their own."""
    if not _complete(data):
        yield
        return
    token = KNOWN_COMPLETE.set(model)
    try:
        yield
    finally:
        KNOWN_COMPLETE.reset(token)


def _train_loop(
    model: CAMANet,
    train_data: Tensors,
    valid_data: Tensors | None,
    settings: TrainSettings,
    generator: torch.Generator,
    loss_fn: LossFn,
    optimizer: torch.optim.Adam,
    graphed: bool,
    progress: Callable[[dict], None] | None,
    flat: bool = False,
) -> tuple[list[dict], bool, float]:
    """The epochs of :func:`train`; ``flat``: ``optimizer`` steps the one flat parameter
    of :func:`_one_buffer`."""
    weighted = train_data.weight is not None

    def objective(inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        if weighted:  # the batch's weights come last
            bound = model.elbo(*inputs[:-1]) * inputs[-1]
        else:
            bound = model.elbo(*inputs)
        return bound.mean(), bound.detach().sum(dtype=torch.float64)  # as the loop's floats

    def update(mean_bound: torch.Tensor) -> None:
        (-mean_bound).backward()
        optimizer.step()

    stepper = _Stepper(objective, update, optimizer, "training", graphed, generator.device)
    history: list[dict] = []
    best_score, best_state, stale = -math.inf, None, 0
    valid_seed = int(
        torch.randint(0, 2**31 - 1, (1,), generator=generator, device=generator.device)
    )
    converged = False
    start_score = math.nan
    if valid_data is not None and len(valid_data) > 0:
        model.eval()
        with torch.no_grad():
            start_score = held_out_scores(model, valid_data, valid_seed, loss_fn)[0]
    with _freeing_gradients(optimizer):
        for epoch in range(1, settings.max_epochs + 1):
            start = time.perf_counter()
            model.train()
            total, count = 0.0, 0
            for batch in shuffled_batches(train_data, settings.batch_size, generator):
                if graphed:  # the step's inputs, drawn as clean_elbo draws them
                    inputs = clean_inputs(model, batch, generator)
                    if weighted:
                        inputs = (*inputs, batch.weight)
                    total = total + stepper(inputs)[1]
                else:
                    bound = batch.weighted(loss_fn(model, batch, generator))
                    loss = -bound.mean()
                    _zero_grad(optimizer, flat)
                    loss.backward()
                    optimizer.step()
                    total += float(bound.detach().sum())
                count += len(batch)
            total = float(total)
            if weighted:  # every row is seen once per epoch
                count = train_data.total_weight()
            model.eval()
            record = {"epoch": epoch, "train_elbo": total / count if count else 0.0}
            if valid_data is not None and len(valid_data) > 0:
                record["valid_elbo"], score = held_out_scores(
                    model, valid_data, valid_seed, loss_fn
                )
                record["valid_class_mean_elbo"] = score
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
            # any better epoch's weights are kept; tol says only whether it counts as
            # progress (a score creeping up by less is stale, as in scikit-learn's MLP)
            progress_made = best_state is None or (
                score > best_score + settings.tol * max(abs(best_score), 1.0))
            if best_state is None or score > best_score:
                best_score = score
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            stale = 0 if progress_made else stale + 1
            if stale >= settings.n_iter_no_change:
                converged = True
                break
        if best_state is not None:
            model.load_state_dict(best_state)
    return history, converged, start_score


@dataclass(frozen=True)
class AdaptSettings:
    alpha: float
    steps: int
    batch_size: int
    learning_rate: float
    mechanism_rate: float  # m's projection into the mechanisms moves at this * learning_rate


@contextmanager
def only_these_trainable(
    model: torch.nn.Module, params: list[torch.nn.Parameter]
) -> Iterator[None]:
    """Switch off gradients for every parameter of ``model`` not in ``params``."""
    keep = {id(p) for p in params}
    frozen = [p for p in model.parameters() if id(p) not in keep and p.requires_grad]
    for p in frozen:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in frozen:
            p.requires_grad_(True)


_GRAPH_WARMUP_STEPS = 3  # eager steps before capture: they create Adam's state
_CUDA_GRAPHS = True  # tests switch it off to compare with the step-by-step loop


def adapt(
    model: CAMANet,
    new_data: Tensors,
    reference: Callable[[int, torch.Generator], Tensors],
    settings: AdaptSettings,
    generator: torch.Generator,
) -> list[dict]:
    """Test-time adaptation (paper eq. 8).

    Maximises alpha * ELBO(x, y) on clean reference rows + (1 - alpha) * ELBO(x) on the
    unlabelled new rows, updating only the manipulation branch of the decoder, q(m | x, c)
    and m's input to q(z | ...), m's projection into the mechanisms at
    ``settings.mechanism_rate`` times the step size (see :func:`_adaptation_groups`).
    ``reference(n, generator)`` returns n labelled clean rows (replayed or real). Returns
    one record per 10 steps.

    On a CUDA device the step is recorded once as a CUDA graph and replayed (see
    :class:`_Stepper`): a step is a few hundred small kernels, and launching them one by
    one from Python made adaptation on a GPU slower than on two CPU cores. The random
    draws are made outside the graph in the same order, so the result is that of the
    step-by-step loop.
    """
    params, groups = _adaptation_groups(model, settings)
    graphed = use_cuda_graph(generator.device)
    optimizer = _adam(groups, lr=settings.learning_rate, capturable=graphed)
    batch_size = min(settings.batch_size, len(new_data))
    history: list[dict] = []
    order = torch.empty(0, dtype=torch.long, device=generator.device)

    def draw() -> tuple[torch.Tensor, ...]:
        """The random inputs of one step: new rows, reference rows and their noise."""
        nonlocal order
        if len(order) < batch_size:  # walk through the new rows in reshuffled passes
            shuffled = torch.randperm(len(new_data), generator=generator, device=generator.device)
            order = torch.cat([order, shuffled])
        index, order = order[:batch_size], order[batch_size:]
        new = new_data.rows(index)
        # the reference batch keeps its full size even when few new rows exist: it is
        # what holds the clean model in place while the m branch learns
        ref = reference(settings.batch_size, generator)
        eps = adaptation_noise(model, batch_size + len(ref), generator)
        return new.a, new.c, new.x, ref.a, ref.c, ref.x, ref.y, *eps

    def objective(inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        new, ref = Tensors(*inputs[:3]), Tensors(*inputs[3:7])
        new_bound, ref_bound = (b.mean() for b in adaptation_bounds(model, new, ref, *inputs[7:]))
        total = settings.alpha * ref_bound + (1.0 - settings.alpha) * new_bound
        return total, new_bound, ref_bound

    def update(total: torch.Tensor) -> None:
        (-total).backward()
        optimizer.step()

    def check(outputs: tuple[torch.Tensor, ...]) -> None:  # before an eager update
        if not torch.isfinite(outputs[0]):
            _diverged(step)

    # the objective on fixed rows and noise before and after, drawn from a generator of
    # their own (the steps draw what they drew without it): steps that diverge without
    # reaching an infinite value leave it lower than it began
    probe = _adaptation_probe(model, new_data, reference, settings.batch_size)
    with torch.no_grad():
        before = float(objective(probe)[0])
    stepper = _Stepper(objective, update, optimizer, "adaptation", graphed, generator.device)
    with only_these_trainable(model, params), _freeing_gradients(optimizer):
        for step in range(1, settings.steps + 1):
            outputs = stepper(draw(), check)
            if step % 10 == 0 or step == settings.steps:
                total, new_bound, ref_bound = (float(v.detach()) for v in outputs)
                if not math.isfinite(total):  # replayed steps are checked here
                    _diverged(step)
                history.append(
                    {"step": step, "new_elbo": new_bound, "reference_elbo": ref_bound}
                )
    with torch.no_grad():
        after = float(objective(probe)[0])
    if worse_than_before(before, after):
        warn_user(
            f"adaptation made the model fit the new rows worse than before it: its "
            f"objective on {len(probe[0])} of them (with fixed noise) fell from {before:.4g} "
            f"to {after:.4g}: the steps diverged. Lower adapt_learning_rate (now "
            f"{settings.learning_rate:g}), then reset_adaptation() and adapt again.",
            ConvergenceWarning,
        )
    return history


_PROBE_ROWS = 512  # rows of the fixed sample that checks a fit or an adaptation


def probe_rows(data: Tensors) -> Tensors:
    """At most :data:`_PROBE_ROWS` rows of ``data``, evenly spaced (no random draw)."""
    step = max(1, math.ceil(len(data) / _PROBE_ROWS))
    return data.rows(torch.arange(0, len(data), step, device=data.x.device))


def worse_than_before(before: float, after: float) -> bool:
    """Whether a bound (a mean ELBO per row) fell clearly below where it began: the
    steps diverged."""
    return math.isfinite(before) and after < before - max(0.05 * abs(before), 0.1)


def _adaptation_probe(
    model: CAMANet, new_data: Tensors, reference: Callable, batch_size: int
) -> tuple[torch.Tensor, ...]:
    """Fixed inputs of the adaptation objective: new rows, reference rows and noise
    drawn from a generator of their own."""
    device = new_data.x.device
    generator = torch.Generator(device=device).manual_seed(0)
    new = probe_rows(new_data)
    ref = reference(batch_size, generator)
    eps = adaptation_noise(model, len(new) + len(ref), generator)
    return new.a, new.c, new.x, ref.a, ref.c, ref.x, ref.y, *eps


def _adaptation_groups(
    model: CAMANet, settings: AdaptSettings
) -> tuple[list[torch.nn.Parameter], list[dict]]:
    """The parameters :func:`adapt` updates, and Adam's groups of them: m's projection
    into the mechanisms (where the model has one) at ``settings.mechanism_rate`` times
    the step size, left out at a rate of 0, everything else at the step size."""
    params = model.manipulation_parameters()
    if not model.has_children or not model.decoder.m_in_mechanism:  # no projection to adapt
        return params, [{"params": params}]
    projection = model.decoder.m_proj.weight
    rest = [p for p in params if p is not projection]
    if settings.mechanism_rate == 0:
        return rest, [{"params": rest}]
    rate = settings.learning_rate * settings.mechanism_rate
    return params, [{"params": rest}, {"params": [projection], "lr": rate}]


def use_cuda_graph(device: torch.device) -> bool:
    """Whether :func:`adapt` records its step as a CUDA graph on ``device``."""
    return device.type == "cuda" and _CUDA_GRAPHS


def _diverged(step: int) -> NoReturn:
    raise FloatingPointError(
        f"adaptation diverged by step {step}; lower adapt_learning_rate (or "
        "adapt_mechanism_rate where it is above 1)."
    )


def _zero_grad(optimizer: torch.optim.Optimizer, flat: bool) -> None:
    """Clear the gradients before a step: with ``flat``, the flat parameter's of
    :func:`_one_buffer`, filled with zeros in place (the views into it kept); else set
    to None."""
    if flat:
        optimizer.param_groups[0]["params"][0].grad.zero_()
    else:
        optimizer.zero_grad(set_to_none=True)


@contextmanager
def _freeing_gradients(optimizer: torch.optim.Optimizer):
    """Set the gradients to None when the block ends, also on an error: those a CUDA
    graph wrote live in its memory pool and would keep it allocated."""
    try:
        yield
    finally:
        optimizer.zero_grad(set_to_none=True)


@contextmanager
def _on_stream(stream: torch.cuda.Stream | None):
    """Run the block on ``stream`` (None: the current one), ordered both ways with the
    current stream, also when the block raises."""
    if stream is None:
        yield
        return
    current = torch.cuda.current_stream(stream.device)
    stream.wait_stream(current)
    try:
        with torch.cuda.stream(stream):
            yield
    finally:
        current.wait_stream(stream)  # before the step's inputs are freed and reused


def _only_thread() -> bool:
    """Whether this is the process's only Python thread. The warm-up step is probed for
    reads from the device (:func:`_no_host_reads`) only then: the probe's setting holds
    for every thread, so a fit running beside it in another thread (joblib's threading
    backend, a Dask worker of several threads) would fail on its own reads, and two
    probes at once could leave the setting on for good. Beside other threads the step
    is recorded unprobed, which fails only for this thread's operations (the recording's
    thread-local capture mode) and then falls back in the same way."""
    return threading.active_count() == 1


@contextmanager
def _no_host_reads(active: bool):
    """While ``active``, an operation that waits for the GPU (reads a value back, as a
    CUDA graph cannot record) raises instead of running.

    PyTorch's sync debug mode is one setting for the whole process, not for a thread:
    only take this where no other thread runs (see :func:`_only_thread`)."""
    if not active:
        yield
        return
    before = torch.cuda.get_sync_debug_mode()
    with warnings.catch_warnings():  # PyTorch calls the mode a prototype, on every call
        warnings.filterwarnings("ignore", message=".*debug mode is a prototype.*")
        torch.cuda.set_sync_debug_mode("error")
        try:
            yield
        finally:
            torch.cuda.set_sync_debug_mode(before)


@contextmanager
def _quiet_capturable(active: bool):
    """Adam built ``capturable`` warns when it steps outside a graph, as the warm-up
    steps must: that is expected here."""
    if not active:
        yield
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*capturable=True.*")
        yield


class _Stepper:
    """Runs gradient steps ``objective`` then ``update`` on each step's inputs: eagerly,
    or, where ``graphed`` (a CUDA device), as a CUDA graph recorded after
    ``_GRAPH_WARMUP_STEPS`` eager steps and replayed for every later step whose inputs
    have the shapes of the first step's (others, such as an epoch's last short batch,
    run eagerly; the graph is recorded on a step of those shapes).

    ``objective(inputs)`` returns a tuple whose first element is the scalar to maximise;
    calling the stepper returns that tuple, detached (a graph's static outputs when
    replayed). ``check(outputs)``, when given, runs after the objective of an eager step,
    before its update. Where this is the only thread, the last warm-up step runs with
    host reads forbidden: a step that reads a value back cannot be recorded, and it is
    then not tried; the steps go on eagerly and a warning says so. Beside other threads
    the recording itself is tried (:func:`_only_thread`), and a failed one is given up
    in the same way, with the current stream restored.
    """

    def __init__(self, objective, update, optimizer, what: str, graphed: bool, device):
        self.objective, self.update, self.optimizer = objective, update, optimizer
        self.what, self.graphed, self.device = what, graphed, device
        self.side = torch.cuda.Stream(device) if graphed else None
        self.graph: _GraphStep | None = None
        self.eager_steps = 0
        self.shapes: list | None = None  # of the first step's inputs

    def __call__(self, inputs: tuple[torch.Tensor, ...], check=None) -> tuple[torch.Tensor, ...]:
        shapes = [t.shape for t in inputs]
        self.shapes = shapes if self.shapes is None else self.shapes
        waiting = self.graphed and self.graph is None and shapes == self.shapes
        if waiting and self.eager_steps >= _GRAPH_WARMUP_STEPS:
            self.optimizer.zero_grad(set_to_none=True)
            previous = torch.cuda.current_stream(self.device)
            try:
                self.graph = _GraphStep(self.objective, self.update, inputs, self.side)
            except RuntimeError as error:  # an operation that cannot be recorded
                torch.cuda.set_stream(previous)
                self._give_up(error)
        if self.graph is not None and self.graph.fits(inputs):
            return self.graph(inputs)
        probe = waiting and self.eager_steps == _GRAPH_WARMUP_STEPS - 1 and _only_thread()
        outputs = None
        try:
            outputs = self._eager(inputs, check, probe)
        except RuntimeError as error:
            if not probe:
                raise
            self._give_up(error)  # the step reads from the device: run it plainly
        if outputs is None:
            # outside the except clause: the traceback, and with it the failed step's
            # autograd graph (recorded on the side stream), is gone before the retry
            outputs = self._eager(inputs, check, False)
        self.eager_steps += 1
        return outputs

    def _eager(self, inputs, check, probe: bool) -> tuple[torch.Tensor, ...]:
        with _on_stream(self.side if self.graph is None else None):  # warm-up: side stream
            with _no_host_reads(probe):
                outputs = self.objective(inputs)
            if check is not None:
                check(outputs)
            self.optimizer.zero_grad(set_to_none=True)
            with _no_host_reads(probe), _quiet_capturable(self.graphed):
                self.update(outputs[0])
        return tuple(v.detach() for v in outputs)

    def _give_up(self, error: Exception) -> None:
        # the error as text: a log record holding the exception would keep its
        # traceback, and with it the failed step's autograd graph, alive
        logger.warning(
            "recording the %s step as a CUDA graph failed (%s); going on step by step "
            "instead.", self.what, str(error),
        )
        self.optimizer.zero_grad(set_to_none=True)
        self.graphed, self.side = False, None


class _GraphStep:
    """One gradient step recorded as a CUDA graph on ``stream``: ``objective`` then
    ``update`` on static copies of the step's inputs. Calling it copies a step's inputs
    in and replays the graph; it returns the (static) outputs of ``objective``.

    Recording runs nothing, so the optimiser must already hold its state (the warm-up
    steps). Gradients must be None before recording: the backward pass then writes
    them afresh on every replay. Recording happens on the inputs' device (which need
    not be the current one) and fails only for this thread's operations.
    """

    def __init__(self, objective, update, inputs: tuple[torch.Tensor, ...], stream):
        self.inputs = tuple(t.clone() for t in inputs)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.device(stream.device), torch.cuda.graph(
            self.graph, stream=stream, capture_error_mode="thread_local"
        ):
            outputs = objective(self.inputs)
            update(outputs[0])
            self.outputs = tuple(v.detach() for v in outputs)
        logger.debug("gradient step recorded as a CUDA graph")

    def fits(self, inputs: tuple[torch.Tensor, ...]) -> bool:
        """Whether ``inputs`` have the shapes the graph was recorded with."""
        return all(s.shape == t.shape for s, t in zip(self.inputs, inputs, strict=True))

    def __call__(self, inputs: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        for static, value in zip(self.inputs, inputs, strict=True):
            static.copy_(value)
        self.graph.replay()
        return self.outputs


@torch.no_grad()
def predict_log_proba(
    model: CAMANet,
    data: Tensors,
    eps_z: torch.Tensor,
    eps_m: torch.Tensor | None,
    batch_size: int,
    clean_prior: float | None = None,
    sample_group: int | None = None,
    class_shift: torch.Tensor | None = None,
    normalise: bool = True,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """log p(y | a, c, x) for every row and class by Bayes' rule on eq. 6, (B, K); with
    ``normalise=False`` the scores before normalising, log p(x, y=k | a, c), whose
    log-sum-exp over the classes is the row's log-likelihood.

    ``eps_m`` None predicts under do(m=0); otherwise m is inferred by q(m | x, c), and with
    ``clean_prior`` each row is also allowed to be clean (a two-component mixture whose
    per-row log-odds of being manipulated are returned as the second value).
    ``sample_group`` evaluates the Monte Carlo samples that many at a time (see
    :meth:`CAMANet.log_joint`). ``class_shift`` (K,) is added to log p(y | a): the class
    prior of a new setting (see :meth:`CAMAClassifier.adapt_prior`).
    The Monte Carlo noise ``eps_z`` / ``eps_m`` is shared by all rows (common random
    numbers), and every chunk has exactly ``batch_size`` rows (the last one padded), so
    every row meets the same kernels: a row's prediction does not depend, not even in
    the last bit, on the rows predicted with it.
    """
    model.eval()
    out, odds = [], []
    with predicting_complete_rows(model, data):
        for batch, n in padded_chunks(data, batch_size):
            log_joint, log_odds = model.predictive_log_joint(
                batch.a, batch.c, batch.x, eps_z, eps_m, clean_prior, sample_group,
                class_shift,
            )
            if log_odds is not None:
                odds.append(log_odds[:n])
            out.append((torch.log_softmax(log_joint, dim=-1) if normalise else log_joint)[:n])
    if not out:
        return torch.empty(0, model.cfg.n_classes, dtype=torch.float32), None
    return torch.cat(out).cpu(), (torch.cat(odds).cpu() if odds else None)


@torch.no_grad()
def log_joint_terms(
    model: CAMANet,
    data: Tensors,
    eps_z: torch.Tensor,
    eps_m: torch.Tensor | None,
    batch_size: int,
    clean_prior: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """:meth:`CAMANet.log_joint_terms` over every row in chunks of ``batch_size`` rows
    (the last one padded, as in :func:`predict_log_proba`): log p(y | a) (N, K), the
    children's terms (N, K, D) and the rest (N, K), on the CPU."""
    model.eval()
    parts = []
    with predicting_complete_rows(model, data):
        for batch, n in padded_chunks(data, batch_size):
            terms = model.log_joint_terms(batch.a, batch.c, batch.x, eps_z, eps_m, clean_prior)
            parts.append([t[:n].cpu() for t in terms])
    if not parts:
        k, d = model.cfg.n_classes, model.cfg.n_children
        return (torch.empty(0, k, dtype=torch.float32), torch.empty(0, k, d, dtype=torch.float32),
                torch.empty(0, k, dtype=torch.float32))
    prior, children, rest = (torch.cat(list(column)) for column in zip(*parts, strict=True))
    return prior, children, rest


def padded_chunks(data: Tensors, size: int) -> Iterator[tuple[Tensors, int]]:
    """Consecutive chunks of ``data``, each of exactly ``size`` rows (the last one
    padded with zero rows, labels too where it has them), with the number of real rows
    in each: every row meets the same kernel shapes whatever rows come with it."""
    def padded(t: torch.Tensor | None, n: int) -> torch.Tensor | None:
        return None if t is None else torch.cat([t, t.new_zeros(size - n, *t.shape[1:])])

    for start in range(0, len(data), size):
        batch = data.rows(slice(start, start + size))
        n = len(batch)
        if n < size:
            batch = Tensors(*(padded(t, n) for t in (batch.a, batch.c, batch.x, batch.y)))
        yield batch, n
