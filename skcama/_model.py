"""The generic Markov-blanket deep CAMA model in PyTorch (paper eq. 9-10).

    p(x, y, z, m | a, c) = p(y | a) p(z) p(m) p(x | y, c, z, m)
    q(z, m | x, y, a, c) = q(z | x, y, m, a, c) q(m | x, c)

Inputs are column *codes* (see :mod:`skcama._columns`): a standardised value for a
Gaussian column, 0 / 1 for a Bernoulli one, the category index for a categorical one,
and NaN for a missing value. :class:`InputCoder` turns codes into network features
(value, one-hot, missing indicator); :class:`ChildHeads` holds the likelihood of every
child from the decoder's outputs, skipping missing children (exact marginalisation).
This module knows nothing of pandas or sklearn.
Shapes use B = rows, K = classes (or 1 for the observed class), S = Monte Carlo samples,
D = children, H = hidden units.
"""

from __future__ import annotations

import contextvars
import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from ._guard import ordinary_tensors

_LOG_2PI = math.log(2.0 * math.pi)
# the model this thread (or task) is predicting rows with that are known to miss no
# value; see skcama._training.predicting_complete_rows
KNOWN_COMPLETE: contextvars.ContextVar = contextvars.ContextVar(
    "skcama_known_complete", default=None
)
_LOGVAR_MIN, _LOGVAR_MAX = -9.0, 5.0

ACTIVATIONS = {
    "silu": nn.SiLU,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.1),
    "elu": nn.ELU,
    "tanh": nn.Tanh,
}
_INPLACE_ACTIVATIONS = {
    "silu": lambda t: F.silu(t, inplace=True),
    "relu": torch.relu_,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.1, inplace=True),
    "elu": lambda t: F.elu(t, inplace=True),
    "tanh": torch.tanh_,
}


@dataclass(frozen=True)
class CAMAConfig:
    """Sizes of the networks. ``child_inputs`` is a ``(n_coparents + n_children, n_children)``
    0/1 matrix: entry ``[i, j]`` is 1 when input ``i`` (a co-parent, then a child) is a parent
    of child ``j`` in the graph."""

    n_classes: int
    n_parents: int
    n_coparents: int
    n_children: int
    child_inputs: tuple[tuple[float, ...], ...]
    latent_dim: int = 4
    manipulation_dim: int = 4
    manipulation_model: str = "mechanism"  # or "shift": m moves the children's outputs only
    hidden_size: int = 64
    child_hidden_size: int = 16
    activation: str = "silu"
    kinds: tuple[str, ...] | None = None
    levels: tuple[int, ...] | None = None
    indicators: tuple[bool, ...] | None = None
    # per column (parents, co-parents, children): what a missing value of a discrete
    # parent or co-parent measured in every training row reads as, its training mean (a
    # Bernoulli column's on the +-1 scale, a categorical one's level frequencies); empty
    # where a missing input reads as zeros (Gaussian columns, whose zero is their mean,
    # columns with a missing indicator, children, and configs made before the fill)
    input_fills: tuple[tuple[float, ...], ...] | None = None

    def column_kinds(self) -> tuple[tuple[str, ...], tuple[int, ...], tuple[bool, ...]]:
        """Kind, number of values and missing-indicator flag of every column, parents then
        co-parents then children (Gaussian without indicators when the config gives
        none)."""
        n = self.n_parents + self.n_coparents + self.n_children
        kinds = self.kinds if self.kinds is not None else ("gaussian",) * n
        levels = self.levels if self.levels is not None else (1,) * n
        flags = self.indicators if self.indicators is not None else (False,) * n
        return tuple(kinds), tuple(levels), tuple(flags)

    def _span(self, name: str) -> slice:
        """The columns of the ``"parents"``, ``"coparents"`` or ``"children"``."""
        start = {"parents": 0, "coparents": self.n_parents,
                 "children": self.n_parents + self.n_coparents}[name]
        size = {"parents": self.n_parents, "coparents": self.n_coparents,
                "children": self.n_children}[name]
        return slice(start, start + size)

    def block(self, name: str) -> tuple[tuple[str, ...], tuple[int, ...], tuple[bool, ...]]:
        """Kinds, levels and indicator flags of the ``"parents"``, ``"coparents"`` or
        ``"children"``."""
        return tuple(part[self._span(name)] for part in self.column_kinds())

    def fills(self, name: str) -> tuple[tuple[float, ...], ...] | None:
        """The :attr:`input_fills` of the ``"parents"``, ``"coparents"`` or ``"children"``
        (None where the config has none)."""
        return None if self.input_fills is None else self.input_fills[self._span(name)]


def _mlp(sizes: list[int], activation: str, final_activation: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out, dtype=torch.float32))
        if i < len(sizes) - 2 or final_activation:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def host_reads_allowed(t: torch.Tensor) -> bool:
    """Whether to read a value of ``t`` back to the host to skip work (``bool(t.any())``
    on the missing values). On the CPU it lets the common case, nothing missing, skip
    the masking. On a GPU the read would wait for the device, and while a CUDA graph is
    recorded (training and adaptation steps, see :mod:`skcama._training`) it is an error, so the
    masked form, which gives the same result, is always taken there, as under
    ``torch.compile``, whose traced graph cannot branch on a value."""
    return not t.is_cuda and not _is_compiling()


try:
    from torch.compiler import is_compiling as _is_compiling
except ImportError:  # torch 2.2, before torch.compiler had it
    from torch._dynamo import is_compiling as _is_compiling


def gaussian_log_prob(x: torch.Tensor, mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Elementwise log N(x; mean, exp(logvar))."""
    return -0.5 * (_LOG_2PI + logvar + (x - mean).square() * torch.exp(-logvar))


def standard_normal_log_prob(v: torch.Tensor) -> torch.Tensor:
    """log N(v; 0, I) summed over the last dimension."""
    return -0.5 * (v.square() + _LOG_2PI).sum(-1)


def kl_to_standard_normal(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(logvar)) || N(0, I)) summed over the last dimension."""
    return 0.5 * (mean.square() + logvar.exp() - 1.0 - logvar).sum(-1)


def _nothing_observed_is_certain(log_px: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``log_px`` (B, K), the importance-sampled log-likelihood of the children (or its
    latent part), set to exactly 0 in the rows where every child is missing (``x`` (B, D)
    holds NaN for a missing code).

    Nothing observed has probability 1 under every class, but its Monte Carlo estimate,
    log-mean-exp of p(z) / q(z | y, ...) over a few samples, is not 0: it carries noise and
    a bias that differ between classes, since q depends on the class. Such rows must be
    scored by the class prior alone; re-estimating the prevalence of the classes (which
    re-weighs them until their mean posterior matches) otherwise turned that noise into a
    prevalence of 0 or 1.
    """
    return log_px.masked_fill(torch.isnan(x).all(dim=-1, keepdim=True), 0.0)


def _split_by_kind(
    kinds: tuple[str, ...], levels: tuple[int, ...]
) -> tuple[list[int], list[int], list[int], int]:
    """Positions of the Gaussian, Bernoulli and categorical columns, and the largest
    number of values of a categorical one (1 when there is none)."""
    g = [i for i, k in enumerate(kinds) if k == "gaussian"]
    b = [i for i, k in enumerate(kinds) if k == "bernoulli"]
    cat = [i for i, k in enumerate(kinds) if k == "categorical"]
    return g, b, cat, max([levels[i] for i in cat], default=1)


class InputCoder(nn.Module):
    """Column codes (B, n) -> network features (B, n_features), without parameters.

    Gaussian columns give their value, Bernoulli columns +-1, categorical columns a
    one-hot vector; a missing value gives zeros. Columns flagged in ``indicators`` (those
    with missing values in the training data) also give a missing indicator, so there
    "missing" never looks like "average"; elsewhere a missing input counts as the
    training mean, as the ``fills`` give it (one tuple per column: a Gaussian column's
    weighted mean in standardised units, a Bernoulli column's mean on the +-1 scale, a
    categorical column's level frequencies; empty for zeros, which is a standardised
    Gaussian column's unweighted mean): zeros are a value a discrete column never gave
    in training. ``feature_column`` maps each feature back to
    its column (for the graph's masks).
    """

    def __init__(
        self,
        kinds: tuple[str, ...],
        levels: tuple[int, ...],
        indicators: tuple[bool, ...] | None = None,
        fills: tuple[tuple[float, ...], ...] | None = None,
    ):
        super().__init__()
        g, b, cat, lmax = _split_by_kind(kinds, levels)
        valid = torch.tensor([[lv < levels[i] for lv in range(lmax)] for i in cat],
                             dtype=torch.bool).reshape(len(cat), lmax)
        self.register_buffer("gauss_idx", torch.tensor(g, dtype=torch.long))
        self.register_buffer("bern_idx", torch.tensor(b, dtype=torch.long))
        self.register_buffer("cat_idx", torch.tensor(cat, dtype=torch.long))
        self.register_buffer("cat_levels", torch.arange(lmax, dtype=torch.float32))
        self.register_buffer("cat_valid", valid)  # unread, but saved in model files
        # the valid (column, level) cells as positions in the flattened one-hot block: a
        # gather, where a boolean mask would read its count back from a GPU
        self.register_buffer(
            "cat_valid_index", torch.nonzero(valid.flatten()).flatten(), persistent=False
        )
        self.only_gaussian = not b and not cat
        flagged = [i for i, on in enumerate(indicators or ()) if on]
        self.register_buffer("flag_idx", torch.tensor(flagged, dtype=torch.long))
        column = [*g, *b, *[i for i in cat for lv in range(levels[i])], *flagged]
        self.feature_column = tuple(column)
        self.n_features = len(column)
        # training means of the discrete columns measured in every training row (not in
        # the state dict: a model file rebuilds them from its config)
        if fills is not None:  # a column with an indicator keeps zeros
            fills = tuple(() if i in flagged else fill for i, fill in enumerate(fills))
        if fills is not None and any(fills[i] for i in g):  # weighted training means
            self.register_buffer(
                "gauss_fill",
                torch.tensor([fills[i][0] if fills[i] else 0.0 for i in g],
                             dtype=torch.float32),
                persistent=False,
            )
        if fills is not None and any(fills[i] for i in (*b, *cat)):
            bern_fill = [fills[i][0] if fills[i] else 0.0 for i in b]
            cat_fill = torch.zeros(len(cat), lmax, dtype=torch.float32)
            for row, i in enumerate(cat):
                if fills[i]:
                    cat_fill[row, : len(fills[i])] = torch.tensor(fills[i], dtype=torch.float32)
            self.register_buffer("bern_fill", torch.tensor(bern_fill, dtype=torch.float32),
                                 persistent=False)
            self.register_buffer("cat_fill", cat_fill, persistent=False)

    def forward(self, codes: torch.Tensor, complete: bool = False) -> torch.Tensor:
        """Features of ``codes``; ``complete``: the caller knows no value is missing."""
        gauss_fill = self._buffers.get("gauss_fill")  # absent: zeros (unweighted fits)
        if self.only_gaussian and not len(self.flag_idx):  # one kernel instead of two
            if complete:
                return codes
            if gauss_fill is not None:
                return torch.where(torch.isnan(codes), gauss_fill, codes)
            return torch.nan_to_num(codes, nan=0.0, posinf=math.inf, neginf=-math.inf)
        missing = torch.isnan(codes)
        filled = torch.where(missing, 0.0, codes)
        gauss = filled if self.only_gaussian else filled[:, self.gauss_idx]
        if gauss_fill is not None:  # a missing value (0 so far) reads as the weighted mean
            gauss = torch.addcmul(gauss, missing[:, self.gauss_idx].to(codes.dtype), gauss_fill)
        parts = [gauss]
        if not self.only_gaussian:
            observed = (~missing).to(codes.dtype)
            fill = self._buffers.get("bern_fill")  # absent: zeros (and in older pickles)
            if len(self.bern_idx):
                bern = (2.0 * filled[:, self.bern_idx] - 1.0) * observed[:, self.bern_idx]
                if fill is not None:  # a missing value (0 so far) reads as the mean
                    bern = torch.addcmul(bern, 1.0 - observed[:, self.bern_idx], fill)
                parts.append(bern)
            if len(self.cat_idx):
                index = torch.where(missing[:, self.cat_idx], -1.0, filled[:, self.cat_idx])
                one_hot = (index[:, :, None] == self.cat_levels).to(codes.dtype)
                if fill is not None:  # a missing value (all zeros so far): the frequencies
                    one_hot = torch.addcmul(
                        one_hot, 1.0 - observed[:, self.cat_idx, None], self.cat_fill
                    )
                parts.append(one_hot.flatten(1)[:, self.cat_valid_index])
        if len(self.flag_idx):
            parts.append(missing[:, self.flag_idx].to(codes.dtype))
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)


class ChildHeads(nn.Module):
    """The likelihood of each child given the decoder's outputs.

    A Gaussian child has one output (its mean) and a learned log-variance, a Bernoulli
    child one output (a logit), a categorical child one logit per value. Missing
    children (NaN codes) are left out of the sum: their likelihood is marginalised
    exactly.
    """

    def __init__(self, kinds: tuple[str, ...], levels: tuple[int, ...]):
        super().__init__()
        self.kinds = tuple(kinds)
        n_out = [levels[j] if k == "categorical" else 1 for j, k in enumerate(kinds)]
        offsets = [sum(n_out[:j]) for j in range(len(kinds))]
        self.n_outputs = sum(n_out)
        self.output_child = tuple(j for j, n in enumerate(n_out) for _ in range(n))
        g, b, cat, lmax = _split_by_kind(kinds, levels)
        gather = [[offsets[j] + min(lv, levels[j] - 1) for lv in range(lmax)] for j in cat]
        invalid = [[lv >= levels[j] for lv in range(lmax)] for j in cat]
        self.register_buffer("gauss_idx", torch.tensor(g, dtype=torch.long))
        self.register_buffer("gauss_out", torch.tensor([offsets[j] for j in g], dtype=torch.long))
        self.register_buffer("bern_idx", torch.tensor(b, dtype=torch.long))
        self.register_buffer("bern_out", torch.tensor([offsets[j] for j in b], dtype=torch.long))
        self.register_buffer("cat_idx", torch.tensor(cat, dtype=torch.long))
        self.register_buffer(
            "cat_gather", torch.tensor(gather, dtype=torch.long).reshape(len(cat), lmax)
        )
        self.register_buffer(
            "cat_pad", torch.tensor(invalid, dtype=torch.bool).reshape(len(cat), lmax)
        )
        self.only_gaussian = not b and not cat
        self.offsets = tuple(offsets)
        self.n_out = tuple(n_out)

    def log_prob(
        self, x: torch.Tensor, out: torch.Tensor, logvar: torch.Tensor,
        complete: bool = False,
    ) -> torch.Tensor:
        """log p(x | outputs) summed over observed children.

        ``x`` (B, D) codes with NaN for missing, ``out`` (B, K, S, O), ``logvar`` (D,);
        ``complete``: the caller knows that no child is missing. Returns (B, K, S).
        """
        if complete and self.only_gaussian:
            return gaussian_log_prob(x[:, None, None, :], out, logvar).sum(-1)
        missing = torch.isnan(x)
        any_missing = bool(missing.any()) if host_reads_allowed(x) else True
        filled = torch.where(missing, 0.0, x) if any_missing else x
        if self.only_gaussian:
            terms = gaussian_log_prob(filled[:, None, None, :], out, logvar)
            if any_missing:
                terms = terms * (~missing).to(x.dtype)[:, None, None, :]
            return terms.sum(-1)
        total = out.new_zeros(out.shape[:-1])
        for _, terms in self._terms_by_kind(x, filled, missing, out, logvar):
            total = total + terms.sum(-1)
        return total

    def child_log_probs(
        self, x: torch.Tensor, out: torch.Tensor, logvar: torch.Tensor
    ) -> torch.Tensor:
        """log p(x_j | outputs) of each child ``j``, 0 where it is missing: (B, K, S, D)
        for ``x`` (B, D), ``out`` (B, K, S, O) and ``logvar`` (D,) as in :meth:`log_prob`."""
        missing = torch.isnan(x)
        filled = torch.where(missing, 0.0, x)
        per_child = out.new_zeros(*out.shape[:-1], len(self.kinds))
        for children, terms in self._terms_by_kind(x, filled, missing, out, logvar):
            per_child[..., children] = terms
        return per_child

    def _terms_by_kind(
        self,
        x: torch.Tensor,
        filled: torch.Tensor,
        missing: torch.Tensor,
        out: torch.Tensor,
        logvar: torch.Tensor,
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """For each likelihood kind present: its children's positions and their
        log-likelihoods (B, K, S, n), zero where a child is missing. ``filled`` is ``x``
        with 0 in place of NaN, ``missing`` its NaN mask."""
        observed = (~missing).to(x.dtype)
        if len(self.gauss_idx):
            xg = filled[:, self.gauss_idx][:, None, None, :]
            terms = gaussian_log_prob(xg, out[..., self.gauss_out], logvar[self.gauss_idx])
            yield self.gauss_idx, terms * observed[:, None, None, self.gauss_idx]
        if len(self.bern_idx):
            logit = out[..., self.bern_out]
            xb = filled[:, self.bern_idx][:, None, None, :]
            terms = xb * logit - F.softplus(logit)
            yield self.bern_idx, terms * observed[:, None, None, self.bern_idx]
        if len(self.cat_idx):
            logits = out[..., self.cat_gather].masked_fill(self.cat_pad, -math.inf)
            log_p = torch.log_softmax(logits, dim=-1)  # (B, K, S, Ncat, L)
            index = filled[:, self.cat_idx].long()[:, None, None, :, None]
            terms = log_p.gather(-1, index.expand(*log_p.shape[:-1], 1)).squeeze(-1)
            yield self.cat_idx, terms * observed[:, None, None, self.cat_idx]

    def draw(
        self, j: int, out: torch.Tensor, logvar: torch.Tensor, noise: torch.Tensor | None
    ) -> torch.Tensor:
        """A value (code) of child ``j`` from its outputs ``out`` (B, O): a sample when
        ``noise`` (B,) standard normal is given, else the mean (Gaussian) or the most
        probable value."""
        kind, first, n = self.kinds[j], self.offsets[j], self.n_out[j]
        if kind == "gaussian":
            mean = out[:, first]
            if noise is None:
                return mean
            return mean + torch.exp(0.5 * logvar[j].clamp(_LOGVAR_MIN, _LOGVAR_MAX)) * noise
        logits = out[:, first : first + n]
        if noise is None:
            if kind == "bernoulli":
                return (logits[:, 0] > 0).to(out.dtype)
            return logits.argmax(-1).to(out.dtype)
        return discrete_draw(kind, logits, torch.special.ndtr(noise))


def discrete_draw(kind: str, logits: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
    """The code of a Bernoulli or categorical child drawn from its ``logits`` (..., n; one
    for a Bernoulli child) by ``uniform`` (broadcastable to (...)): 1 where the uniform is
    below P(yes), or the level whose interval of the cumulative probabilities holds it."""
    if kind == "bernoulli":
        return (uniform < torch.sigmoid(logits[..., 0])).to(logits.dtype)
    cdf = torch.softmax(logits, -1).cumsum(-1)
    return (uniform[..., None] > cdf).sum(-1).clamp(max=logits.shape[-1] - 1).to(logits.dtype)


@functools.lru_cache(maxsize=64)
def _child_generations(cfg: CAMAConfig) -> tuple[tuple[int, ...], ...]:
    """The children grouped by generation: a child's generation is one more than the
    latest of its parents among the children (0 for none). Children are in topological
    order, so each generation's parents come before it."""
    feeds = cfg.child_inputs[cfg.n_coparents:]
    depth: list[int] = []
    for j in range(cfg.n_children):
        depth.append(max((depth[i] + 1 for i in range(j) if feeds[i][j] > 0), default=0))
    return tuple(
        tuple(j for j, level in enumerate(depth) if level == generation)
        for generation in range(max(depth, default=-1) + 1)
    )


@functools.lru_cache(maxsize=64)
def _children_below(cfg: CAMAConfig) -> tuple[tuple[int, ...], ...]:
    """For each child, the children it feeds, directly or through other children (their
    positions among the children, sorted). Children are in topological order, so each
    child's set is built from those of the children after it."""
    feeds = cfg.child_inputs[cfg.n_coparents:]
    below: list[set[int]] = [set() for _ in range(cfg.n_children)]
    for i in reversed(range(cfg.n_children)):
        for j in range(i + 1, cfg.n_children):
            if feeds[i][j] > 0:
                below[i] |= {j} | below[j]
    return tuple(tuple(sorted(fed)) for fed in below)


def _class_rows(table: torch.Tensor, y_index: torch.Tensor | None) -> torch.Tensor:
    """Rows of a per-class ``table`` (K, H): every class as (1, K, H) when ``y_index`` is
    None, else the observed class of each row as (B, 1, H).

    The lookup is a one-hot product rather than indexing: its gradient is one small
    matrix product, where indexing's accumulating scatter took a tenth of a training step.
    """
    if y_index is None:
        return table[None]
    return (_one_hot(y_index, table) @ table)[:, None]


def _one_hot(y_index: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """(B, K) one-hot rows of ``y_index`` for a per-class ``table`` (K, H), in its dtype.

    A comparison with the class numbers: ``F.one_hot`` checks the range of the labels
    first, which waits for the device and made up a fifth of the operations of the
    lookup (labels here are the estimator's own codes, always in range).
    """
    classes = torch.arange(table.shape[0], device=y_index.device)
    return (y_index[:, None] == classes).to(table.dtype)


def _block_init(out_child: torch.Tensor, d: int, h: int) -> torch.Tensor:
    """Initial (D*H, O) output weights: each output reads only its child's hidden units,
    with N(0, 1/h) weights; the first output of every child draws them in one (D, H)
    block, so a model of single-output children starts exactly as a per-child layer."""
    first = torch.randn(d, h, dtype=torch.float32) / math.sqrt(h)
    weight = torch.zeros(d * h, len(out_child), dtype=torch.float32)
    seen: set[int] = set()
    for o, child in enumerate(out_child.tolist()):
        rows = slice(child * h, (child + 1) * h)
        if child in seen:
            weight[rows, o] = torch.randn(h, dtype=torch.float32) / math.sqrt(h)
        else:
            weight[rows, o] = first[child]
        seen.add(child)
    return weight


class ClassPrior(nn.Module):
    """p(y | a): a small network of the parents' features, or learned class
    log-frequencies when there are no parents."""

    def __init__(self, cfg: CAMAConfig, n_features: int):
        super().__init__()
        self.n_classes = cfg.n_classes
        if cfg.n_parents > 0:
            self.net = _mlp([n_features, cfg.hidden_size, cfg.n_classes], cfg.activation)
        else:
            self.net = None
            self.logits = nn.Parameter(torch.zeros(cfg.n_classes, dtype=torch.float32))

    def forward(self, a_features: torch.Tensor) -> torch.Tensor:
        """Log-probabilities of every class, shape (B, K)."""
        if self.net is None:
            logits = self.logits.expand(a_features.shape[0], -1)
        else:
            logits = self.net(a_features)
        return torch.log_softmax(logits, dim=-1)


_DENSE_CONTRACT_CHILDREN = 16  # children at most for the dense output product with autograd


class ChildDecoder(nn.Module):
    """p(x | y, c, z, m): the mechanism of every child.

    Feature branches for y (a class embedding), for the observed parents of each child
    (co-parents and parent children, masked to the graph's parent sets), for z and a deep
    branch for m. A *shallow* merge — one hidden layer per child — turns their sum into
    the outputs of each child (see :class:`ChildHeads`); a masked linear path from the
    child's parents adds a term that extrapolates linearly beyond the training range.
    """

    def __init__(
        self,
        cfg: CAMAConfig,
        input_column: tuple[int, ...],
        heads: ChildHeads,
        gaussian_children: tuple[tuple[int, int, int], ...] = (),
    ):
        super().__init__()
        d, h = cfg.n_children, cfg.child_hidden_size
        self.d, self.h = d, h
        column_mask = torch.as_tensor(cfg.child_inputs, dtype=torch.float32).reshape(-1, d)
        # one row per input feature: the feature's column decides which children see it
        mask = (column_mask[list(input_column)] if input_column
                else torch.zeros(0, d, dtype=torch.float32))
        self.n_inputs = mask.shape[0]
        out_child = torch.as_tensor(heads.output_child, dtype=torch.long)
        n_out = heads.n_outputs
        self.register_buffer("input_mask", mask.repeat_interleave(h, dim=1))  # (U, D*H)
        self.register_buffer("skip_mask", mask[:, out_child])  # (U, O)
        block = (torch.arange(d).repeat_interleave(h)[:, None] == out_child[None]).float()
        self.register_buffer("out_mask", block)  # (D*H, O)
        # output o reads the hidden units of child out_child[o]: the product with the
        # block-diagonal out_weight * out_mask is computed block by block (see _contract)
        self.single_output = bool(torch.equal(out_child, torch.arange(d)))
        self.register_buffer("out_child", out_child, persistent=False)
        self.register_buffer("out_index", torch.arange(n_out), persistent=False)
        # Gaussian children that are inputs of other children, as (input feature, output,
        # child column). A manipulation of a measurement does not reach the child's
        # descendants, which were generated from its clean value: under an inferred m the
        # mechanisms downstream read the observed value minus the shift m gives it.
        feeding = [t for t in gaussian_children if mask.shape[0] and bool(mask[t[0]].any())]
        for part, name in enumerate(("shift_feature", "shift_output", "shift_column")):
            values = [t[part] for t in feeding]
            self.register_buffer(name, torch.tensor(values, dtype=torch.long), persistent=False)
        fan_in = mask.sum(0).clamp(min=1.0)  # parent features per child
        # y branch: one embedding vector per class and child.
        self.y_embedding = nn.Parameter(torch.randn(cfg.n_classes, d * h, dtype=torch.float32))
        # parents branch (c and parent children), masked per child.
        self.input_weight = nn.Parameter(
            torch.randn(self.n_inputs, d * h, dtype=torch.float32)
            / fan_in.sqrt().repeat_interleave(h)
        )
        self.skip_weight = nn.Parameter(torch.zeros(self.n_inputs, n_out, dtype=torch.float32))
        # z branch and (deep) m branch.
        # z enters the merge linearly: the merge's hidden layer is its nonlinearity, and
        # this term is the only one evaluated for every (row, class, sample).
        self.z_proj = nn.Linear(cfg.latent_dim, d * h, bias=False, dtype=torch.float32)
        self.m_net = _mlp(
            [cfg.manipulation_dim, cfg.hidden_size, cfg.hidden_size],
            cfg.activation,
            final_activation=True,
        )
        self.m_proj = nn.Linear(cfg.hidden_size, d * h, bias=False, dtype=torch.float32)
        # "shift": m does not enter the mechanism; the projection stays zero (it is never
        # trained, see CAMANet.trainable_parameters, and takes no gradient) and the
        # initialisation draws the same random numbers as for "mechanism", so the clean
        # model is the same
        self.m_in_mechanism = cfg.manipulation_model != "shift"
        if not self.m_in_mechanism:
            nn.init.zeros_(self.m_proj.weight)
            self.m_proj.weight.requires_grad_(False)
        self.m_shift = nn.Linear(cfg.hidden_size, n_out, bias=False, dtype=torch.float32)
        # shallow merge: one hidden layer per child, then its outputs.
        self.merge_bias = nn.Parameter(torch.zeros(d * h, dtype=torch.float32))
        self.merge_act = ACTIVATIONS[cfg.activation]()
        self.activation = cfg.activation
        self.out_weight = nn.Parameter(_block_init(out_child, d, h))
        self.out_bias = nn.Parameter(torch.zeros(n_out, dtype=torch.float32))
        self.logvar = nn.Parameter(torch.zeros(d, dtype=torch.float32))

    def parent_terms(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-row terms from the parents' features ``u``: (B, D*H) and (B, O)."""
        if self.n_inputs == 0:
            zeros = u.new_zeros(u.shape[0], 1)
            return zeros, zeros
        return u @ (self.input_weight * self.input_mask), u @ (self.skip_weight * self.skip_mask)

    def input_rows(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The masked weights of the input ``features`` (G,): into the merge's hidden
        units, (G, D*H), and into the outputs, (G, O). A value ``v`` (..., G) of those
        features adds ``v @ rows`` to the terms :meth:`parent_terms` computes."""
        return (self.input_weight[features] * self.input_mask[features],
                self.skip_weight[features] * self.skip_mask[features])

    def m_features(self, m: torch.Tensor) -> torch.Tensor:
        """Hidden features of the manipulation branch, zero at m = 0.

        Subtracting the features of m = 0 makes do(m=0) the clean model exactly, whatever
        adaptation does to the branch: clean predictions survive any fine-tuning.
        """
        return self.m_net(m) - self.m_net(m.new_zeros(m.shape[-1]))

    def m_terms(
        self, m_hidden: torch.Tensor, observed: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The manipulation's terms in the merge's pre-activation (..., D*H) and in the
        outputs (..., O), from the m branch's features ``m_hidden`` (..., H_m).

        Besides its own terms, m shifts the mean of each Gaussian child; where such a child
        is a parent of others, their mechanisms read its value minus that shift, which
        subtracts ``shift @ W`` from their parent terms. That is its clean value where m
        moves outputs only (``manipulation_model="shift"``); with ``"mechanism"``, the part
        of its move that m makes through the child's own hidden layer is not subtracted
        (8.5 % of the move of a child shifted by 2 sds, adapted to, in one measurement).
        ``observed`` (broadcastable to (..., G), 1 / 0) marks which of those children were
        measured (a missing one reads as the training mean, which no shift moved), or None
        when all were.
        """
        proj, shift = self.m_proj.weight.T, self.m_shift.weight.T  # (H_m, D*H), (H_m, O)
        if len(self.shift_feature) == 0:
            return m_hidden @ proj, m_hidden @ shift
        own = shift[:, self.shift_output]  # (H_m, G): each feeding child's shift
        w_hidden, w_skip = self.input_rows(self.shift_feature)
        if observed is None:  # folded into the two products
            return m_hidden @ (proj - own @ w_hidden), m_hidden @ (shift - own @ w_skip)
        clean_shift = (m_hidden @ own) * observed
        return m_hidden @ proj - clean_shift @ w_hidden, m_hidden @ shift - clean_shift @ w_skip

    def conditioning(
        self,
        u: torch.Tensor,
        y_index: torch.Tensor | None,
        m_hidden: torch.Tensor | None,
        observed: torch.Tensor | None = None,
        terms: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Everything in the decoder that does not depend on z.

        ``u`` the parents' features (B, U); ``y_index`` (B,) for the observed class or
        None for every class; ``m_hidden`` None under do(m=0) (the branch contributes
        exactly zero there) or (B, 1, S, H_m); ``observed`` as in :meth:`m_terms`, (B, G);
        ``terms`` :meth:`parent_terms` of ``u`` where already computed. Returns the merge's
        pre-activation without the z term, (B, K, S_m, D*H), and the linear part of the
        outputs, (B, 1, S_m, O).
        """
        parent_hidden, parent_skip = self.parent_terms(u) if terms is None else terms
        y_term = _class_rows(self.y_embedding, y_index)
        pre = (parent_hidden + self.merge_bias)[:, None, None, :] + y_term[:, :, None, :]
        linear = (parent_skip + self.out_bias)[:, None, None, :]
        if m_hidden is not None:
            m_pre, m_linear = self.m_terms(
                m_hidden, None if observed is None else observed[:, None, None, :]
            )
            pre = pre + m_pre
            linear = linear + m_linear
        return pre, linear

    def outputs_given(
        self, pre: torch.Tensor, linear: torch.Tensor, z: torch.Tensor
    ) -> torch.Tensor:
        """Outputs of every child (means, logits), broadcasting ``pre`` / ``linear`` from
        :meth:`conditioning` over the samples of ``z`` (B, K, S, Z); returns (B, K, S, O)."""
        hidden = self.z_proj(z)
        if torch.is_grad_enabled():
            hidden = self.merge_act(hidden + pre)
        else:  # inference: reuse the one large buffer
            hidden = _INPLACE_ACTIVATIONS[self.activation](hidden.add_(pre))
        return self._contract(hidden) + linear

    def _contract(self, hidden: torch.Tensor) -> torch.Tensor:
        """``hidden @ (out_weight * out_mask)`` for hidden (..., D*H), block by block.

        Each output reads only its child's H hidden units, so the dense product spent
        all but 1/D of its work on zeros; an elementwise product and a sum over H does the
        same in a fraction of the time (3-4x less for 60 children, in training and in
        prediction). In inference the sum over H is a product with a vector of ones:
        BLAS reduces contiguous rows of 16 in about 60% of the time of ``sum(-1)`` (a
        prediction chunk of 5M hidden units: 1.4-1.8 ms against 2.3 ms, 12 and 60
        children). Training keeps ``sum(-1)``, whose backward is a broadcast, where the
        product's backward is an outer product that cost more than the forward saved.
        With autograd and at most :data:`_DENSE_CONTRACT_CHILDREN` children the dense
        product is taken after all: with few children its wasted work is small, and its
        backward is two matrix products where the elementwise path launches several
        kernels (this layer's forward and backward at 12 children and a batch of 625:
        0.26 ms against 0.33, and a 3-epoch fit of 10,000 rows about 4% faster; at 30
        children the two were even, at 60 the dense product was slower). A re-run on
        another machine (2 threads) did not find the gain: the layer alone took 0.14 ms
        against 0.10 blockwise, and fits of 10,000 rows were even (medians of 8 paired
        fits: 0.128 against 0.129 s for 3 epochs, 0.375 against 0.374 s for 10). The
        rule is kept, as a change would move every fitted model by float rounding.
        Categorical children have several outputs each, and the blockwise path gathers a
        copy of their child's hidden units for every output; with at most
        :data:`_DENSE_CONTRACT_CHILDREN` children the dense product is taken in inference
        too (10 Gaussian children and one of 150 levels, 100 classes: 1,000 rows predicted
        in 0.8 s against 4.4 s, on 2 threads).
        Without autograd, ``hidden`` is overwritten (it is a scratch buffer).
        """
        if self.d <= _DENSE_CONTRACT_CHILDREN and (
                torch.is_grad_enabled() or not self.single_output):
            return hidden @ (self.out_weight * self.out_mask)
        blocks = self.out_weight.view(self.d, self.h, -1)[self.out_child, :, self.out_index]
        hidden = hidden.view(*hidden.shape[:-1], self.d, self.h)
        if not self.single_output:  # categorical children have several outputs
            hidden = hidden[..., self.out_child, :]
        elif not torch.is_grad_enabled():  # inference: reuse the hidden buffer
            hidden = hidden.mul_(blocks)
            return (hidden @ hidden.new_ones(self.h, 1)).squeeze(-1)
        return (hidden * blocks).sum(-1)

    def outputs_per_row(
        self,
        u: torch.Tensor,
        y_index: torch.Tensor,
        m_hidden: torch.Tensor | None,
        z: torch.Tensor,
        observed: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Outputs for one class and one sample per row (training's case), (B, O).

        The same function as :meth:`conditioning` then :meth:`outputs_given`, with the
        terms of the merge's pre-activation — class, z, parents, m — accumulated in place
        by ``addmm_`` instead of broadcast additions: fewer passes over the (B, D*H)
        hidden layer per training step. (Concatenating the inputs into a single
        product was no faster and made the gradients depend on the thread count.)
        ``z`` (B, Z), ``m_hidden`` None for do(m=0) or (B, H_m), ``observed`` (B, G) or None
        (see :meth:`m_terms`).
        """
        n = u.shape[0]
        pre = torch.addmm(self.merge_bias, _one_hot(y_index, self.y_embedding), self.y_embedding)
        # in place: addmm's backward needs its factors, not the sum it adds to
        pre.addmm_(z, self.z_proj.weight.T)
        if self.n_inputs:
            pre.addmm_(u, self.input_weight * self.input_mask)
        m_linear = None
        if m_hidden is not None:
            m_pre, m_linear = self.m_terms(m_hidden, observed)
            pre.add_(m_pre)
        linear = self.out_bias.expand(n, -1)
        if self.n_inputs:
            linear = torch.addmm(linear, u, self.skip_weight * self.skip_mask)
        if m_linear is not None:
            linear = linear + m_linear
        return self._contract(self.merge_act(pre)) + linear

    def clamped_logvar(self) -> torch.Tensor:
        return self.logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX)


class LatentEncoder(nn.Module):
    """q(z | x, y, m, a, c): a diagonal Gaussian from an MLP."""

    def __init__(self, cfg: CAMAConfig, n_features: int):
        super().__init__()
        hs = cfg.hidden_size
        self.row_in = nn.Linear(n_features, hs, dtype=torch.float32)
        self.y_in = nn.Parameter(torch.randn(cfg.n_classes, hs, dtype=torch.float32) * 0.5)
        self.m_in = nn.Linear(cfg.manipulation_dim, hs, bias=False, dtype=torch.float32)
        self.act = ACTIVATIONS[cfg.activation]()
        self.body = _mlp([hs, hs, 2 * cfg.latent_dim], cfg.activation)

    def forward(
        self, rows: torch.Tensor, y_index: torch.Tensor | None, m: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z).

        ``rows`` the features of [x, a, c] (B, n_in). ``y_index`` (B,) for the observed
        class or None for every class. ``m`` broadcastable to (B, K, S, M), or None for
        m = 0. Returns two (B, K, S', Z) tensors.
        """
        y_term = _class_rows(self.y_in, y_index)
        pre = self.row_in(rows)[:, None, None, :] + y_term[:, :, None, :]
        if m is not None:
            pre = pre + self.m_in(m)
        mean, logvar = self.body(self.act(pre)).chunk(2, dim=-1)
        return mean, logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX)


class ManipulationEncoder(nn.Module):
    """q(m | x, c): a diagonal Gaussian from an MLP of the children's and co-parents'
    features.

    Whether a child's value is manipulated shows only next to what its parents in the
    blanket predict, so the encoder reads the co-parents with the children. Against an
    encoder of the children alone, on five SEMs (seeds not used by the benchmarks):
    adapting to a child shift of +1.5 / +3 sds on 1000 rows left a gap to clean accuracy
    of 1.5 / 3.4 points instead of 2.4 / 4.4, and adapting to PGD on the co-parents
    (budget 0.5 sds) gained 16.7 points instead of losing 2.5. Reading the parents as
    well helped less on the child shifts (gaps of 1.8 / 4.0 points).
    """

    def __init__(self, cfg: CAMAConfig, n_features: int):
        super().__init__()
        self.net = _mlp([max(n_features, 1), cfg.hidden_size, 2 * cfg.manipulation_dim],
                        cfg.activation)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(m | x, c) from [c, x] features, each (B, M)."""
        if features.shape[1] == 0:
            features = features.new_zeros(features.shape[0], 1)
        mean, logvar = self.net(features).chunk(2, dim=-1)
        return mean, logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX)


@dataclass
class _Features:
    """Network features of one batch, computed once per call.

    The two concatenations are made on first use and kept (by hand rather than with
    ``functools.cached_property``, which ``torch.compile`` cannot trace through).
    """

    a: torch.Tensor
    c: torch.Tensor
    x: torch.Tensor
    _rows: torch.Tensor | None = None
    _parents_of_children: torch.Tensor | None = None
    # CAMANet._unmeasured_feeders of the batch, once looked at (a sample group, the clean
    # and manipulated scores of one batch share it)
    unmeasured: torch.Tensor | None = None
    feeders_checked: bool = False
    # ChildDecoder.parent_terms of the batch, which no sample depends on: computed once
    # for all sample groups (with many levels a group of the samples is a pass of its
    # own, and the product with the decoder's input weights cost 2.6 of 8.6 s of a
    # prediction at 200 levels, redone for each)
    decoder_terms: tuple[torch.Tensor, torch.Tensor] | None = None

    @property
    def rows(self) -> torch.Tensor:
        if self._rows is None:
            self._rows = torch.cat([self.x, self.a, self.c], dim=1)
        return self._rows

    @property
    def parents_of_children(self) -> torch.Tensor:
        if self._parents_of_children is None:
            self._parents_of_children = torch.cat([self.c, self.x], dim=1)
        return self._parents_of_children


class CAMANet(nn.Module):
    """The deep CAMA model for one Markov blanket.

    Inputs are column codes ``a`` (parents), ``c`` (co-parents) and ``x`` (children),
    each (B, n) with n possibly 0 and NaN for missing values.
    """

    # True only while fit trains on rows without a missing value (see
    # skcama._training.rows_known_complete): the steps then skip looking for them.
    # Prediction says the same of its rows through KNOWN_COMPLETE (see
    # :meth:`_rows_complete`), which no other thread predicting with the model sees.
    rows_complete: bool = False

    def __init__(self, cfg: CAMAConfig):
        super().__init__()
        self.cfg = cfg
        self.code_a = InputCoder(*cfg.block("parents"), cfg.fills("parents"))
        self.code_c = InputCoder(*cfg.block("coparents"), cfg.fills("coparents"))
        self.code_x = InputCoder(*cfg.block("children"))
        self.prior = ClassPrior(cfg, self.code_a.n_features)
        self.has_children = cfg.n_children > 0
        if self.has_children:
            self.heads = ChildHeads(*cfg.block("children")[:2])
            n_c = cfg.n_coparents
            input_column = (
                *self.code_c.feature_column,
                *(n_c + j for j in self.code_x.feature_column),
            )
            n_cf = self.code_c.n_features
            gaussian_children = tuple(  # Gaussian features of code_x come first
                (n_cf + k, int(self.heads.gauss_out[k]), j)
                for k, j in enumerate(self.code_x.gauss_idx.tolist())
            )
            self.decoder = ChildDecoder(cfg, input_column, self.heads, gaussian_children)
            self._set_feeders(cfg)
            n_rows = self.code_a.n_features + self.code_c.n_features + self.code_x.n_features
            self.z_encoder = LatentEncoder(cfg, n_rows)
            self.m_encoder = ManipulationEncoder(
                cfg, self.code_c.n_features + self.code_x.n_features
            )

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        ordinary_tensors(self)  # unpickled inside torch.inference_mode()
        # pickled before the feeders, or before discrete ones were among them
        if self.has_children and "discrete_feature" not in self._buffers:
            self._set_feeders(self.cfg)

    def _set_feeders(self, cfg: CAMAConfig) -> None:
        """The children that are inputs of other children and had no missing value in
        fit (no missing indicator): where one is missing, the children it feeds are
        scored averaged over its values (see :meth:`_marginalise_feeders`).

        ``feed_column`` holds their positions among the children, the Gaussian ones
        first (``n_gauss_feeders`` of them, with their features in the decoder's input
        and their outputs in ``feed_feature`` and ``feed_output``), then the discrete
        ones, described in ``discrete_feeders`` as (kind, first output, number of
        outputs), with their features in the decoder's input in ``discrete_feature``, one
        slice of ``n`` (categorical) or 1 (Bernoulli) per feeder, in that order.
        ``feed_passes`` is the number of passes that a chain of them needs."""
        dec = self.decoder
        flagged = set(self.code_x.flag_idx.tolist())
        kept = [i for i, j in enumerate(dec.shift_column.tolist()) if j not in flagged]
        for name, source in (("feed_feature", dec.shift_feature),
                             ("feed_output", dec.shift_output)):
            self.register_buffer(name, source[kept].clone(), persistent=False)
        # the children's rows of the nested tuples: indexing a tensor element by element
        # made the model's construction 3x slower at 60 children (0.048 s against 0.014)
        feeds = cfg.child_inputs[cfg.n_coparents:]
        n_cf = self.code_c.n_features
        discrete = [j for j, kind in enumerate(self.heads.kinds)
                    if kind != "gaussian" and j not in flagged and any(feeds[j])]
        self.discrete_feeders = tuple(
            (self.heads.kinds[j], self.heads.offsets[j], self.heads.n_out[j])
            for j in discrete
        )
        features = [n_cf + k for j in discrete
                    for k, column in enumerate(self.code_x.feature_column) if column == j]
        self.register_buffer("discrete_feature", torch.tensor(
            features, dtype=torch.long, device=dec.shift_column.device), persistent=False)
        self.n_gauss_feeders = len(kept)
        columns = [*dec.shift_column[kept].tolist(), *discrete]
        self.register_buffer("feed_column", torch.tensor(columns, dtype=torch.long,
                                                         device=dec.shift_column.device),
                             persistent=False)
        depth = [0] * cfg.n_children  # children are in topological order
        chosen = set(columns)
        for j in range(cfg.n_children):
            depth[j] = max([depth[i] for i in chosen if i < j and feeds[i][j] > 0],
                           default=0) + (j in chosen)
        self.feed_passes = max(depth, default=0)

    def _rows_complete(self) -> bool:
        """Whether the rows at hand are known to miss no value: while fit trains on such
        rows (:attr:`rows_complete`), or while this thread predicts such rows with this
        model (:data:`KNOWN_COMPLETE`)."""
        return self.rows_complete or KNOWN_COMPLETE.get() is self

    def features(self, a: torch.Tensor, c: torch.Tensor, x: torch.Tensor) -> _Features:
        """Network features of column codes (see :class:`InputCoder`)."""
        complete = self._rows_complete()
        return _Features(self.code_a(a, complete), self.code_c(c, complete),
                         self.code_x(x, complete))

    # -- parameter groups -----------------------------------------------------------
    def manipulation_parameters(self) -> list[nn.Parameter]:
        """Parameters that act through m only: the decoder's m branch, q(m | x, c) and the
        m input of q(z | x, y, m, a, c). All of them contribute exactly zero at m = 0."""
        if not self.has_children:
            return []
        dec = self.decoder
        return [
            *dec.m_net.parameters(),
            *(dec.m_proj.parameters() if dec.m_in_mechanism else ()),
            *dec.m_shift.parameters(),
            *self.m_encoder.parameters(),
            *self.z_encoder.m_in.parameters(),
        ]

    def trainable_parameters(self) -> list[nn.Parameter]:
        """Every parameter that fitting trains: all of them, except the manipulation's
        projection into the mechanisms where the model is ``manipulation_model="shift"``
        (it stays zero)."""
        if not self.has_children or self.decoder.m_in_mechanism:
            return list(self.parameters())
        frozen = self.decoder.m_proj.weight
        return [p for p in self.parameters() if p is not frozen]

    # -- the pieces of the bound -----------------------------------------------------
    def _m_sample(
        self, f: _Features, eps_m: torch.Tensor | None, with_log_ratio: bool = True
    ) -> tuple[
        torch.Tensor | None, torch.Tensor | None, tuple[torch.Tensor, torch.Tensor] | None
    ]:
        """m (B, 1, S, M), log p(m) - log q(m | x, c) (B, 1, S) and the moments of
        q(m | x, c) (mean and log-variance, (B, M) each).

        ``eps_m`` is (S, M) noise shared by every row, or (B, 1, S, M); when it is None the
        result is do(m=0), returned as m = None and no moments (the m branch then
        contributes nothing). Without ``with_log_ratio`` the log-ratio is None (the bound
        takes the KL in closed form: a training step skips those operations).
        """
        if eps_m is None:
            return None, f.x.new_zeros(1, 1, 1), None
        mean, logvar = self.m_encoder(f.parents_of_children)
        std = torch.exp(0.5 * logvar)
        m = mean[:, None, None, :] + std[:, None, None, :] * eps_m
        if not with_log_ratio:
            return m, None, (mean, logvar)
        log_q = (-0.5 * (eps_m.square() + _LOG_2PI)).sum(-1) - 0.5 * logvar.sum(-1)[:, None, None]
        return m, standard_normal_log_prob(m) - log_q, (mean, logvar)

    def _latent(
        self,
        f: _Features,
        y_index: torch.Tensor | None,
        m: torch.Tensor | None,
        eps_z: torch.Tensor,
        with_log_q: bool = True,
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor, torch.Tensor]:
        """z ~ q(z | x, y, m, a, c) by reparameterisation; also its log q (None without
        ``with_log_q``) and moments."""
        z_mean, z_logvar = self.z_encoder(f.rows, y_index, m)
        z = z_mean + torch.exp(0.5 * z_logvar) * eps_z
        if not with_log_q:
            return z, None, z_mean, z_logvar
        log_q = (-0.5 * (eps_z.square() + _LOG_2PI)).sum(-1) - 0.5 * z_logvar.sum(-1)
        return z, log_q, z_mean, z_logvar

    def _child_log_lik(
        self,
        f: _Features,
        x: torch.Tensor,
        y_index: torch.Tensor | None,
        m: torch.Tensor | None,
        z: torch.Tensor,
        feeder_noise: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """log p(x | y, c, z, m) over the observed children, (B, K, S); ``feeder_noise``
        as in :meth:`_marginalise_feeders`."""
        out = self._child_outputs(f, x, y_index, m, z, feeder_noise)
        return self.heads.log_prob(x, out, self.decoder.clamped_logvar(),
                                   self._rows_complete())

    def _child_outputs(
        self,
        f: _Features,
        x: torch.Tensor,
        y_index: torch.Tensor | None,
        m: torch.Tensor | None,
        z: torch.Tensor,
        feeder_noise: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The decoder's outputs of every child (means, logits), (B, K, S, O)."""
        dec = self.decoder
        m_hidden = None if m is None else dec.m_features(m)
        observed = None
        if m_hidden is not None and len(dec.shift_column):
            missing = torch.isnan(x[:, dec.shift_column])
            # prediction always takes the unfolded products of m_terms: the folded ones
            # round differently, and a row's probabilities would move in the last bits
            # with whether another row of its chunk misses such a child
            if not torch.is_grad_enabled() or not host_reads_allowed(x) or bool(
                missing.any()
            ):
                observed = (~missing).to(x.dtype)
        n = x.shape[0]
        unmeasured = self._unmeasured_of(f, x)
        if unmeasured is None and y_index is not None and z.shape[:3] == (n, 1, 1) and (
            m_hidden is None or m_hidden.shape[:3] == (n, 1, 1)
        ):  # one class and one sample per row: training's case
            out = dec.outputs_per_row(
                f.parents_of_children, y_index,
                None if m_hidden is None else m_hidden[:, 0, 0], z[:, 0, 0], observed,
            )[:, None, None, :]
        else:
            if f.decoder_terms is None:
                f.decoder_terms = dec.parent_terms(f.parents_of_children)
            pre, linear = dec.conditioning(
                f.parents_of_children, y_index, m_hidden, observed, terms=f.decoder_terms
            )
            out = dec.outputs_given(pre, linear, z)
            if unmeasured is not None:
                out = self._marginalise_feeders(
                    out, pre, linear, z, m_hidden, unmeasured, feeder_noise
                )
        return out

    @torch.no_grad()
    def manipulation_moves(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        y_index: torch.Tensor,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor,
        clean_prior: float | None,
    ) -> torch.Tensor:
        """How far the inferred manipulation moved the mean of each Gaussian child, (B, D)
        in codes (0 for a discrete child): the counterfactual of a measured child under
        do(m=0) is its value less this move, keeping the measurement's own noise.

        The move is m's effect on the child's mechanism, with a measured parent child
        read at its value less the shift m gives it under m (as the likelihood reads it)
        and at its own counterfactual under do(m=0), averaged over the posterior of
        (z, m) given the row and its class ``y_index`` (B,) by self-normalised importance
        sampling with ``eps_z`` / ``eps_m`` (S, dim), and weighed by the probability that
        the row was manipulated at all (under ``clean_prior``; 1 when it is None).
        """
        f = self.features(a, c, x)
        dec = self.decoder
        m, log_m_ratio, _ = self._m_sample(f, eps_m)
        z, log_q_z, _, _ = self._latent(f, y_index, m, eps_z)
        m_hidden = dec.m_features(m)
        observed = None
        if len(dec.shift_column):
            observed = (~torch.isnan(x[:, dec.shift_column])).to(x.dtype)
        u = f.parents_of_children
        pre, linear = dec.conditioning(u, y_index, m_hidden, observed)
        moved = dec.outputs_given(pre, linear, z)  # (B, 1, S, O)
        pre, linear = dec.conditioning(u, y_index, None)
        unmoved = dec.outputs_given(pre, linear, z)
        if len(dec.shift_feature):  # children read a measured parent child at its own
            # counterfactual, its value less its move: one pass per link of a chain
            w_hidden, w_skip = dec.input_rows(dec.shift_feature)
            for _ in range(len(dec.shift_feature)):
                feeders = (moved - unmoved)[..., dec.shift_output]  # (B, 1, S, G)
                if observed is not None:
                    feeders = feeders * observed[:, None, None, :]
                again = dec.outputs_given(pre - feeders @ w_hidden, linear - feeders @ w_skip, z)
                if torch.equal(again, unmoved):
                    break
                unmoved = again
        # the weights read the likelihood as prediction does: the moved outputs, unless a
        # child feeding others is missing (then drawn, see _marginalise_feeders)
        out = moved if self._unmeasured_of(f, x) is None else self._child_outputs(
            f, x, y_index, m, z
        )
        log_px = self.heads.log_prob(x, out, dec.clamped_logvar())
        log_w = log_px + standard_normal_log_prob(z) - log_q_z + log_m_ratio  # (B, 1, S)
        weights = torch.softmax(log_w, dim=-1)[..., None]
        gaussian = [i for i, kind in enumerate(self.heads.kinds) if kind == "gaussian"]
        first = [self.heads.offsets[i] for i in gaussian]
        moves = x.new_zeros(x.shape)
        moves[:, gaussian] = ((moved - unmoved)[..., first] * weights).sum(-2)[:, 0]
        if clean_prior is not None:
            manipulated = torch.logsumexp(log_w, -1)[:, 0]
            clean = torch.logsumexp(
                self.log_weights(a, c, x, eps_z, None, y_index=y_index, features=f), -1
            )[:, 0]
            odds = manipulated - clean + math.log1p(-clean_prior) - math.log(clean_prior)
            moves = moves * torch.sigmoid(odds)[:, None]
        return moves

    def _unmeasured_of(self, f: _Features, x: torch.Tensor) -> torch.Tensor | None:
        """:meth:`_unmeasured_feeders` of the batch whose features are ``f``, looked at
        once per batch."""
        if not f.feeders_checked:
            f.unmeasured, f.feeders_checked = self._unmeasured_feeders(x), True
        return f.unmeasured

    def _unmeasured_feeders(self, x: torch.Tensor) -> torch.Tensor | None:
        """(B, G) 1 / 0: which of the feeders of :meth:`_set_feeders` are missing in each
        row; None when none is. Training and adaptation on a GPU (gradients for the
        parameters, not for ``x``: steps recorded as CUDA graphs, which cannot branch on a
        value) and compiled code skip the check: there a missing feeder reads as its
        training mean (a discrete one as none of its values). (In fit no feeder is ever
        missing: one with holes has its missing indicator instead.) Nor is it looked for
        while the rows are known to be complete (:meth:`_rows_complete`)."""
        if not len(self.feed_column) or self._rows_complete() or _is_compiling() or (
            x.is_cuda and torch.is_grad_enabled() and not x.requires_grad
        ):
            return None
        missing = torch.isnan(x.index_select(1, self.feed_column))  # 4x faster than x[:, ..]
        return missing.to(x.dtype) if bool(missing.any()) else None

    def _marginalise_feeders(
        self,
        out: torch.Tensor,
        pre: torch.Tensor,
        linear: torch.Tensor,
        z: torch.Tensor,
        m_hidden: torch.Tensor | None,
        unmeasured: torch.Tensor,
        noise: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The outputs ``out`` (B, K, S, O) with every missing feeder drawn from its own
        mechanism, once per row, class and sample, and fed to the children it causes.

        A missing child's own factor drops out of the likelihood exactly, but a child it
        causes needs a value of it. Drawing that value from p(x_j | y, c, z, m) in each
        importance sample averages the child's likelihood over the values x_j could have
        had: the importance-sampled likelihood stays an unbiased estimate, now of the
        likelihood with x_j integrated out (summed over its levels, for a discrete child).
        The draw is x_j's clean value (the shift m gives a measurement, or the logits of a
        discrete one, does not reach its descendants, see :meth:`ChildDecoder.m_terms`).
        A Gaussian draw is its mean plus its sd times the noise; a discrete one is the
        level whose interval of the cumulative probabilities holds the noise's normal
        CDF; with a single sample and no ``noise`` given (a training or adaptation step) a
        discrete child gets its expected coding instead, its probabilities, as a Gaussian
        one gets its mean. A chain of missing feeders takes one pass per link. ``noise``
        (S, G), standard normal, is that of the draws in these S samples
        (:meth:`feeder_noise` when None), one column per feeder in the order of
        ``feed_column``.
        """
        dec = self.decoder
        n_gauss = self.n_gauss_feeders
        # one sample and no noise given (a training or adaptation step): the child's
        # expected coding, as a Gaussian one gets its mean there (its single noise
        # quantile is 0), where a draw at the median would feed one level in every row
        # and step. Prediction passes its noise, also when it takes the samples in
        # groups of one, and draws.
        expected = noise is None and z.shape[-2] == 1
        if noise is None:
            noise = self.feeder_noise(z.shape[-2], z)
        unmeasured = unmeasured[:, None, None, :]
        gauss = None
        if n_gauss:
            sd = torch.exp(0.5 * dec.clamped_logvar()[self.feed_column[:n_gauss]])
            w_hidden, w_skip = dec.input_rows(self.feed_feature)
            own_shift = (
                None if m_hidden is None
                else m_hidden @ dec.m_shift.weight.T[:, self.feed_output]  # (B, 1, S, G)
            )
            gauss = (noise[:, :n_gauss] * sd, own_shift, w_hidden, w_skip)
        discrete, start = [], 0  # (kind, input rows, first output, outputs, m's shift, noise)
        for d, (kind, first, n) in enumerate(self.discrete_feeders):
            width = n if kind == "categorical" else 1
            rows = dec.input_rows(self.discrete_feature[start:start + width])
            start += width
            discrete.append((
                kind, *rows, first, n,
                None if m_hidden is None else m_hidden @ dec.m_shift.weight.T[:, first:first + n],
                torch.special.ndtr(noise[:, n_gauss + d]),
            ))
        for _ in range(self.feed_passes):
            hidden, skip = pre, linear
            if gauss is not None:
                scaled_noise, own_shift, w_hidden, w_skip = gauss
                value = out[..., self.feed_output] + scaled_noise
                if own_shift is not None:
                    value = value - own_shift
                value = value * unmeasured[..., :n_gauss]  # 0 (as it was) where measured
                hidden, skip = hidden + value @ w_hidden, skip + value @ w_skip
            for d, (kind, w_hidden, w_skip, first, n, own_shift, uniform) in enumerate(
                discrete
            ):
                logits = out[..., first:first + n]
                if own_shift is not None:
                    logits = logits - own_shift
                if expected:
                    value = (2.0 * torch.sigmoid(logits) - 1 if kind == "bernoulli"
                             else torch.softmax(logits, -1))
                else:  # the coding of a measured value: +-1, or one-hot
                    code = discrete_draw(kind, logits, uniform)[..., None]
                    value = (2.0 * code - 1 if kind == "bernoulli"
                             else (code == torch.arange(n, device=out.device)).to(out.dtype))
                # a missing discrete child's features are zeros: add the drawn value's
                value = value * unmeasured[..., n_gauss + d, None]
                hidden, skip = hidden + value @ w_hidden, skip + value @ w_skip
            out = dec.outputs_given(hidden, skip, z)
        return out

    def feeder_noise(self, n_samples: int, like: torch.Tensor) -> torch.Tensor:
        """(n_samples, G) standard normal noise of the draws of missing feeders, on
        ``like``'s device and dtype: for each feeder, the n_samples quantiles of N(0, 1)
        at (i + 1/2) / n_samples in a fixed random order (a Latin hypercube).

        Every row shares it, as every row shares the latent noise, so a row is predicted
        alike alone or in a batch; stratified draws keep that shared noise from pushing
        all rows the same way (with 4 independent draws, the log loss of the test of a
        chain SEM moved by 0.02 between two seeds). It is the same at every call, so
        predictions stay deterministic, and sample s gets the same noise whether the
        samples are evaluated in one pass or in groups (:meth:`log_joint` slices it).
        """
        steps = torch.arange(n_samples, dtype=torch.float32)
        quantiles = torch.special.ndtri((steps + 0.5) / n_samples)
        generator = torch.Generator().manual_seed(0)
        noise = torch.stack([quantiles[torch.randperm(n_samples, generator=generator)]
                             for _ in range(len(self.feed_column))], dim=1)
        return noise.to(device=like.device, dtype=like.dtype)

    def log_weights(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor | None = None,
        y_index: torch.Tensor | None = None,
        features: _Features | None = None,
        feeder_noise: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Importance log-weights log p(x, z, m | y, c) - log q(z, m | x, y, a, c).

        ``eps_z`` (S, Z) noise shared by every row, or (B, 1, S, Z); ``eps_m`` likewise, or
        None for do(m=0). With ``y_index`` None the weights are computed for every class.
        Returns (B, K, S) with K = n_classes, or 1 for the observed class. The class prior
        is not included.
        """
        f = self.features(a, c, x) if features is None else features
        m, log_m_ratio, _ = self._m_sample(f, eps_m)
        z, log_q_z, _, _ = self._latent(f, y_index, m, eps_z)
        log_px = self._child_log_lik(f, x, y_index, m, z, feeder_noise)
        return log_px + standard_normal_log_prob(z) - log_q_z + log_m_ratio

    def elbo(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        y_index: torch.Tensor | None,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """ELBO(x, y) + log p(y | a) with do(m=0) when ``eps_m`` is None (paper eq. 3 / 4).

        The reconstruction term is a reparameterised estimate with the given noise, the KL
        terms for z (and m when it is inferred) are in closed form. For the observed class
        (``y_index`` (B,)) returns (B,); with ``y_index`` None returns (B, K) for every
        class, whose ``logsumexp`` over classes is ELBO(x) (paper eq. 7).
        """
        f = self.features(a, c, x)
        log_prior = self.prior(f.a)
        if y_index is not None:
            log_prior = log_prior.gather(1, y_index[:, None]).squeeze(1)
        if not self.has_children:
            return log_prior
        m, _, m_moments = self._m_sample(f, eps_m, with_log_ratio=False)
        z, _, z_mean, z_logvar = self._latent(f, y_index, m, eps_z, with_log_q=False)
        log_px = self._child_log_lik(f, x, y_index, m, z)
        bound = (log_px - kl_to_standard_normal(z_mean, z_logvar)).mean(-1)  # (B, K)
        if m_moments is not None:
            bound = bound - kl_to_standard_normal(*m_moments)[:, None]
        if y_index is not None:
            bound = bound.squeeze(1)
        return log_prior + bound

    def log_joint(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor | None = None,
        features: _Features | None = None,
        sample_group: int | None = None,
    ) -> torch.Tensor:
        """Importance-sampled log p(x, y=k | a, c) for every class (paper eq. 6), (B, K).

        Under do(m=0) when ``eps_m`` is None, else with m sampled from q(m | x, c).
        ``sample_group`` evaluates the samples that many at a time (the same result; the
        decoder's buffer then holds that many samples instead of all of them).
        """
        f = self.features(a, c, x) if features is None else features
        log_prior = self.prior(f.a)
        if not self.has_children:
            return log_prior
        n_samples = eps_z.shape[-2]
        step = n_samples if sample_group is None else max(1, sample_group)
        noise = (  # only where a feeder is missing: making it costs more than the check
            self.feeder_noise(n_samples, eps_z)
            if self._unmeasured_of(f, x) is not None else None
        )
        parts = [
            self.log_weights(
                a, c, x, eps_z[..., s : s + step, :],
                None if eps_m is None else eps_m[..., s : s + step, :], features=f,
                feeder_noise=None if noise is None else noise[s : s + step],
            )
            for s in range(0, n_samples, step)
        ]
        log_w = parts[0] if len(parts) == 1 else torch.cat(parts, dim=-1)
        log_px = torch.logsumexp(log_w, dim=-1) - math.log(n_samples)
        return log_prior + _nothing_observed_is_certain(log_px, x)

    def predictive_log_joint(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor | None,
        clean_prior: float | None,
        sample_group: int | None = None,
        class_shift: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """log p(x, y=k | a, c) as prediction scores it, (B, K), and the per-row log-odds
        of being manipulated (None unless a manipulation is inferred): under do(m=0) when
        ``eps_m`` is None, as the clean / manipulated mixture of
        :meth:`log_joint_mixture` when a ``clean_prior`` is given (and there are
        children), else with m inferred for every row. ``class_shift`` (K,) is added to
        log p(y | a): the class prior of a new setting.
        """
        if eps_m is not None and clean_prior is not None and self.has_children:
            return self.log_joint_mixture(
                a, c, x, eps_z, eps_m, clean_prior, sample_group, class_shift
            )
        joint = self.log_joint(a, c, x, eps_z, eps_m, sample_group=sample_group)
        return (joint if class_shift is None else joint + class_shift), None

    def log_joint_mixture(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor,
        clean_prior: float,
        sample_group: int | None = None,
        class_shift: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """log p(x, y=k | a, c) when each row is clean (do(m=0)) with prior probability
        ``clean_prior`` or manipulated (m ~ p(m)) otherwise, and the per-row log-odds
        log p(x | manipulated) - log p(x | clean). Returns ((B, K), (B,)).
        ``sample_group`` as in :meth:`log_joint`; ``class_shift`` (K,), when given, is
        added to log p(y | a) (a new setting's class prior) in both components.
        """
        f = self.features(a, c, x)
        clean = self.log_joint(a, c, x, eps_z, None, features=f, sample_group=sample_group)
        manipulated = self.log_joint(
            a, c, x, eps_z, eps_m, features=f, sample_group=sample_group
        )
        if class_shift is not None:
            clean, manipulated = clean + class_shift, manipulated + class_shift
        joint = torch.logaddexp(
            clean + math.log(clean_prior), manipulated + math.log1p(-clean_prior)
        )
        log_odds = torch.logsumexp(manipulated, -1) - torch.logsumexp(clean, -1)
        return joint, log_odds

    def log_joint_terms(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor | None = None,
        clean_prior: float | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The score prediction gives each class, split into terms that add up to it:
        log p(y | a) (B, K), each child's log-likelihood (B, K, D) and the rest (B, K).

        A child's term is its log-likelihood averaged over the importance samples with
        their normalised weights; the rest is the latent variables' log prior-to-posterior
        ratio under the same weights, plus the entropy of the weights, minus log S (S
        samples), which makes the three add up to the importance-sampled
        log p(x, y=k | a, c) of :meth:`log_joint` exactly (up to rounding). Missing
        children contribute 0. ``eps_m`` None for do(m=0); with ``eps_m`` and a
        ``clean_prior`` the score is that of :meth:`log_joint_mixture`, and each term is
        the clean and the manipulated one weighed by the responsibility r of the clean
        component (per row and class), the rest also holding r log(clean_prior) +
        (1 - r) log(1 - clean_prior) and the entropy of r.
        """
        f = self.features(a, c, x)
        log_prior = self.prior(f.a)
        n, k = log_prior.shape
        if not self.has_children:
            return log_prior, log_prior.new_zeros(n, k, 0), log_prior.new_zeros(n, k)
        if eps_m is None or clean_prior is None:
            return log_prior, *self._importance_terms(f, x, eps_z, eps_m)
        clean, clean_rest = self._importance_terms(f, x, eps_z, None)
        manipulated, manipulated_rest = self._importance_terms(f, x, eps_z, eps_m)
        log_clean = clean.sum(-1) + clean_rest + math.log(clean_prior)
        log_manipulated = manipulated.sum(-1) + manipulated_rest + math.log1p(-clean_prior)
        r = torch.sigmoid(log_clean - log_manipulated)  # (B, K)
        children = r[..., None] * clean + (1 - r)[..., None] * manipulated
        rest = (
            r * (clean_rest + math.log(clean_prior))
            + (1 - r) * (manipulated_rest + math.log1p(-clean_prior))
            - torch.special.xlogy(r, r) - torch.special.xlogy(1 - r, 1 - r)
        )
        return log_prior, children, rest

    def _importance_terms(
        self, f: _Features, x: torch.Tensor, eps_z: torch.Tensor, eps_m: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The children's terms (B, K, D) and the rest (B, K) of :meth:`log_joint_terms`
        for one choice of m (do(m=0) when ``eps_m`` is None)."""
        m, log_m_ratio, _ = self._m_sample(f, eps_m)
        z, log_q_z, _, _ = self._latent(f, None, m, eps_z)
        out = self._child_outputs(f, x, None, m, z)
        per_child = self.heads.child_log_probs(x, out, self.decoder.clamped_logvar())
        latent = standard_normal_log_prob(z) - log_q_z + log_m_ratio  # (B, K, S)
        log_w = per_child.sum(-1) + latent
        weights = torch.softmax(log_w, dim=-1)
        children = (weights[..., None] * per_child).sum(-2)
        rest = (weights * latent).sum(-1) - torch.special.xlogy(weights, weights).sum(-1)
        return children, _nothing_observed_is_certain(rest - math.log(log_w.shape[-1]), x)

    # -- generation ---------------------------------------------------------------------
    def latent_posterior(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        y_index: torch.Tensor,
        infer_m: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x, y, m, a, c) for the observed class, (B, Z)
        each, with m the mean of q(m | x, c) when ``infer_m``, else m = 0."""
        f = self.features(a, c, x)
        m = self.m_encoder(f.parents_of_children)[0][:, None, None, :] if infer_m else None
        mean, logvar = self.z_encoder(f.rows, y_index, m)
        return mean[:, 0, 0, :], logvar[:, 0, 0, :]

    def _children_in_order(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        y_index: torch.Tensor,
        z: torch.Tensor,
        m: torch.Tensor | None,
        noise: torch.Tensor | None,
    ) -> torch.Tensor:
        """Children generated generation by generation in the graph's order, each from its
        parents: one decoder pass per link of the longest chain of children (one pass
        when no child is a parent of another).

        ``z`` (B, Z), ``m`` None for do(m=0) or (B, M); ``noise`` (B, D) standard normal
        for a sample from p(x | y, c, z, m), or None for the mean (Gaussian children) and
        the most probable value (discrete children). Returns the codes x (B, D).
        """
        dec = self.decoder
        n = a.shape[0]
        x = a.new_zeros(n, self.cfg.n_children)
        m_hidden = None if m is None else dec.m_features(m)[:, None, None, :]
        z = z[:, None, None, :]
        c_features = self.code_c(c)
        logvar = dec.clamped_logvar()
        # a child's outputs read its parents' inputs only (the decoder's masks are exact
        # zeros elsewhere), so the children of one generation are drawn from one pass, as
        # if one by one
        for generation in _child_generations(self.cfg):
            u = torch.cat([c_features, self.code_x(x)], dim=1)
            pre, linear = dec.conditioning(u, y_index, m_hidden)
            out = dec.outputs_given(pre, linear, z)[:, 0, 0, :]
            x = x.clone()
            for j in generation:
                x[:, j] = self.heads.draw(j, out, logvar, None if noise is None else noise[:, j])
        return x

    @torch.no_grad()
    def sample_clean(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        generator: torch.Generator,
        latent: dict | None = None,
        class_shift: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Replay clean rows: y ~ p(y | a), z, then x ~ p(x | y, c, z, do(m=0)).

        z is drawn from the prior, or from a Gaussian ``latent`` = {"mean", "cholesky"}
        summarising the aggregate posterior. ``class_shift`` (K,), log weights added to
        log p(y | a) before y is drawn (a new prevalence). Returns (x, y_index).
        """
        log_prior = self.prior(self.code_a(a))
        if class_shift is None:
            probs = log_prior.exp()
        else:
            probs = torch.softmax(log_prior + class_shift.to(log_prior), dim=1)
        y_index = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        if not self.has_children:
            return a.new_zeros(a.shape[0], 0), y_index
        device = generator.device
        z = torch.randn((a.shape[0], self.cfg.latent_dim), generator=generator,
                        dtype=torch.float32, device=device)
        if latent is not None:
            cholesky = torch.as_tensor(latent["cholesky"], device=device)
            z = (z.double() @ cholesky.T + torch.as_tensor(latent["mean"], device=device)).float()
        noise = torch.randn((a.shape[0], self.cfg.n_children), generator=generator,
                            dtype=torch.float32, device=device)
        return self._children_in_order(a, c, y_index, z, None, noise), y_index

    @torch.no_grad()
    def reconstruct_clean(
        self, a: torch.Tensor, c: torch.Tensor, x: torch.Tensor, y_index: torch.Tensor,
        infer_m: bool,
    ) -> torch.Tensor:
        """The children of each row as they would be measured under do(m=0).

        z is the posterior mean of q(z | x, y, m, a, c) with m the mean of q(m | x, c) (or 0
        when no manipulation has been learned); the children are then regenerated with the
        decoder's mean (most probable value for discrete children) under do(m=0), each
        from its regenerated parents.
        """
        z_mean, _ = self.latent_posterior(a, c, x, y_index, infer_m)
        return self._children_in_order(a, c, y_index, z_mean, None, None)
