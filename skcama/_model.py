"""The generic Markov-blanket deep CAMA model in PyTorch (paper eq. 9-10).

    p(x, y, z, m | a, c) = p(y | a) p(z) p(m) p(x | y, c, z, m)
    q(z, m | x, y, a, c) = q(z | x, y, m, a, c) q(m | x)

All tensors are standardised already; this module knows nothing of pandas or sklearn.
Shapes use B = rows, K = classes (or 1 for the observed class), S = Monte Carlo samples,
D = children, H = hidden units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

_LOG_2PI = math.log(2.0 * math.pi)
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
    hidden_size: int = 64
    child_hidden_size: int = 16
    activation: str = "silu"


def _mlp(sizes: list[int], activation: str, final_activation: bool = False) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2 or final_activation:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def gaussian_log_prob(x: torch.Tensor, mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Elementwise log N(x; mean, exp(logvar))."""
    return -0.5 * (_LOG_2PI + logvar + (x - mean).square() * torch.exp(-logvar))


def standard_normal_log_prob(v: torch.Tensor) -> torch.Tensor:
    """log N(v; 0, I) summed over the last dimension."""
    return -0.5 * (v.square() + _LOG_2PI).sum(-1)


def kl_to_standard_normal(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(logvar)) || N(0, I)) summed over the last dimension."""
    return 0.5 * (mean.square() + logvar.exp() - 1.0 - logvar).sum(-1)


class ClassPrior(nn.Module):
    """p(y | a): a small network of the parents, or learned class log-frequencies."""

    def __init__(self, cfg: CAMAConfig):
        super().__init__()
        self.n_classes = cfg.n_classes
        if cfg.n_parents > 0:
            self.net = _mlp([cfg.n_parents, cfg.hidden_size, cfg.n_classes], cfg.activation)
        else:
            self.net = None
            self.logits = nn.Parameter(torch.zeros(cfg.n_classes))

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        """Log-probabilities of every class, shape (B, K)."""
        if self.net is None:
            logits = self.logits.expand(a.shape[0], -1)
        else:
            logits = self.net(a)
        return torch.log_softmax(logits, dim=-1)


class ChildDecoder(nn.Module):
    """p(x | y, c, z, m): one Gaussian per child with learned variance.

    Feature branches for y (a class embedding), for the observed parents of each child
    (co-parents and parent children, masked to the graph's parent sets), for z and a deep
    branch for m. A *shallow* merge — one hidden layer per child — turns their sum into the
    mean of each child; a masked linear path from the child's parents adds a term that
    extrapolates linearly beyond the training range.
    """

    def __init__(self, cfg: CAMAConfig):
        super().__init__()
        d, h = cfg.n_children, cfg.child_hidden_size
        self.d, self.h = d, h
        mask = torch.as_tensor(cfg.child_inputs, dtype=torch.float32).reshape(-1, d)
        self.n_inputs = mask.shape[0]
        self.register_buffer("input_mask", mask.repeat_interleave(h, dim=1))  # (U, D*H)
        self.register_buffer("skip_mask", mask.clone())  # (U, D)
        fan_in = mask.sum(0).clamp(min=1.0)  # parents per child
        # y branch: one embedding vector per class and child.
        self.y_embedding = nn.Parameter(torch.randn(cfg.n_classes, d * h))
        # parents branch (c and parent children), masked per child.
        self.input_weight = nn.Parameter(
            torch.randn(self.n_inputs, d * h) / fan_in.sqrt().repeat_interleave(h)
        )
        self.skip_weight = nn.Parameter(torch.zeros(self.n_inputs, d))
        # z branch and (deep) m branch.
        # z enters the merge linearly: the merge's hidden layer is its nonlinearity, and
        # this term is the only one evaluated for every (row, class, sample).
        self.z_proj = nn.Linear(cfg.latent_dim, d * h, bias=False)
        self.m_net = _mlp(
            [cfg.manipulation_dim, cfg.hidden_size, cfg.hidden_size],
            cfg.activation,
            final_activation=True,
        )
        self.m_proj = nn.Linear(cfg.hidden_size, d * h, bias=False)
        self.m_shift = nn.Linear(cfg.hidden_size, d, bias=False)
        # shallow merge: one hidden layer per child.
        self.merge_bias = nn.Parameter(torch.zeros(d * h))
        self.merge_act = ACTIVATIONS[cfg.activation]()
        self.activation = cfg.activation
        self.out_weight = nn.Parameter(torch.randn(d, h) / math.sqrt(h))
        self.out_bias = nn.Parameter(torch.zeros(d))
        self.logvar = nn.Parameter(torch.zeros(d))

    def parent_terms(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-row terms from the observed parents ``u = [c, x]``: (B, D*H) and (B, D)."""
        if self.n_inputs == 0:
            zeros = u.new_zeros(u.shape[0], 1)
            return zeros, zeros
        return u @ (self.input_weight * self.input_mask), u @ (self.skip_weight * self.skip_mask)

    def m_features(self, m: torch.Tensor) -> torch.Tensor:
        """Hidden features of the manipulation branch, zero at m = 0.

        Subtracting the features of m = 0 makes do(m=0) the clean model exactly, whatever
        adaptation does to the branch: clean predictions survive any fine-tuning.
        """
        return self.m_net(m) - self.m_net(m.new_zeros(m.shape[-1]))

    def conditioning(
        self,
        u: torch.Tensor,
        y_index: torch.Tensor | None,
        m_hidden: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Everything in the decoder that does not depend on z.

        ``u = [c, x]`` (B, U); ``y_index`` (B,) for the observed class or None for every
        class; ``m_hidden`` None under do(m=0) (the branch contributes exactly zero there)
        or (B, 1, S, H_m). Returns the
        merge's pre-activation without the z term, (B, K, S_m, D*H), and the linear part
        of the mean, (B, 1, S_m, D).
        """
        parent_hidden, parent_skip = self.parent_terms(u)
        y_term = self.y_embedding[None] if y_index is None else self.y_embedding[y_index][:, None]
        pre = (parent_hidden + self.merge_bias)[:, None, None, :] + y_term[:, :, None, :]
        linear = (parent_skip + self.out_bias)[:, None, None, :]
        if m_hidden is not None:
            pre = pre + self.m_proj(m_hidden)
            linear = linear + self.m_shift(m_hidden)
        return pre, linear

    def mean_given(self, pre: torch.Tensor, linear: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Mean of every child, broadcasting ``pre`` / ``linear`` from :meth:`conditioning`
        over the samples of ``z`` (B, K, S, Z); returns (B, K, S, D)."""
        hidden = self.z_proj(z)
        if torch.is_grad_enabled():
            hidden = self.merge_act(hidden + pre)
        else:  # inference: reuse the one large buffer
            hidden = _INPLACE_ACTIVATIONS[self.activation](hidden.add_(pre))
        hidden = hidden.unflatten(-1, (self.d, self.h))
        return torch.einsum("...dh,dh->...d", hidden, self.out_weight) + linear

    def log_prob(self, x: torch.Tensor, mean: torch.Tensor) -> torch.Tensor:
        """log p(x | y, c, z, m) summed over children; ``x`` (B, D), ``mean`` (B, K, S, D)."""
        logvar = self.logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX)
        return gaussian_log_prob(x[:, None, None, :], mean, logvar).sum(-1)


class LatentEncoder(nn.Module):
    """q(z | x, y, m, a, c): a diagonal Gaussian from an MLP."""

    def __init__(self, cfg: CAMAConfig):
        super().__init__()
        n_in = cfg.n_children + cfg.n_parents + cfg.n_coparents
        hs = cfg.hidden_size
        self.row_in = nn.Linear(n_in, hs)
        self.y_in = nn.Parameter(torch.randn(cfg.n_classes, hs) * 0.5)
        self.m_in = nn.Linear(cfg.manipulation_dim, hs, bias=False)
        self.act = ACTIVATIONS[cfg.activation]()
        self.body = _mlp([hs, hs, 2 * cfg.latent_dim], cfg.activation)
        self.act_out = ACTIVATIONS[cfg.activation]()

    def forward(
        self, rows: torch.Tensor, y_index: torch.Tensor | None, m: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z).

        ``rows`` = [x, a, c] (B, n_in). ``y_index`` (B,) for the observed class or None for
        every class. ``m`` broadcastable to (B, K, S, M), or None for m = 0. Returns two
        (B, K, S', Z) tensors.
        """
        y_term = self.y_in[None] if y_index is None else self.y_in[y_index][:, None]
        pre = self.row_in(rows)[:, None, None, :] + y_term[:, :, None, :]
        if m is not None:
            pre = pre + self.m_in(m)
        mean, logvar = self.body(self.act(pre)).chunk(2, dim=-1)
        return mean, logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX)


class ManipulationEncoder(nn.Module):
    """q(m | x): a diagonal Gaussian from an MLP of the children."""

    def __init__(self, cfg: CAMAConfig):
        super().__init__()
        self.net = _mlp(
            [max(cfg.n_children, 1), cfg.hidden_size, 2 * cfg.manipulation_dim], cfg.activation
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(m | x), each (B, M)."""
        if x.shape[1] == 0:
            x = x.new_zeros(x.shape[0], 1)
        mean, logvar = self.net(x).chunk(2, dim=-1)
        return mean, logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX)


class CAMANet(nn.Module):
    """The deep CAMA model for one Markov blanket.

    Inputs are standardised tensors ``a`` (parents), ``c`` (co-parents) and ``x``
    (children), each (B, n) with n possibly 0.
    """

    def __init__(self, cfg: CAMAConfig):
        super().__init__()
        self.cfg = cfg
        self.prior = ClassPrior(cfg)
        self.has_children = cfg.n_children > 0
        if self.has_children:
            self.decoder = ChildDecoder(cfg)
            self.z_encoder = LatentEncoder(cfg)
            self.m_encoder = ManipulationEncoder(cfg)

    # -- parameter groups -----------------------------------------------------------
    def manipulation_parameters(self) -> list[nn.Parameter]:
        """Parameters that act through m only: the decoder's m branch, q(m | x) and the
        m input of q(z | x, y, m, a, c). All of them contribute exactly zero at m = 0."""
        if not self.has_children:
            return []
        dec = self.decoder
        return [
            *dec.m_net.parameters(),
            *dec.m_proj.parameters(),
            *dec.m_shift.parameters(),
            *self.m_encoder.parameters(),
            *self.z_encoder.m_in.parameters(),
        ]

    # -- the pieces of the bound -----------------------------------------------------
    def _m_sample(
        self, x: torch.Tensor, eps_m: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """m (B, 1, S, M) and log p(m) - log q(m | x) (B, 1, S).

        ``eps_m`` is (S, M) noise shared by every row, or (B, 1, S, M); when it is None the
        result is do(m=0), returned as m = None (the m branch then contributes nothing).
        """
        if eps_m is None:
            return None, x.new_zeros(1, 1, 1)
        mean, logvar = self.m_encoder(x)
        std = torch.exp(0.5 * logvar)
        m = mean[:, None, None, :] + std[:, None, None, :] * eps_m
        log_q = (-0.5 * (eps_m.square() + _LOG_2PI)).sum(-1) - 0.5 * logvar.sum(-1)[:, None, None]
        return m, standard_normal_log_prob(m) - log_q

    def _latent(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        y_index: torch.Tensor | None,
        m: torch.Tensor,
        eps_z: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """z ~ q(z | x, y, m, a, c) by reparameterisation; also its log q and moments."""
        z_mean, z_logvar = self.z_encoder(torch.cat([x, a, c], dim=1), y_index, m)
        z = z_mean + torch.exp(0.5 * z_logvar) * eps_z
        log_q = (-0.5 * (eps_z.square() + _LOG_2PI)).sum(-1) - 0.5 * z_logvar.sum(-1)
        return z, log_q, z_mean, z_logvar

    def _child_log_lik(
        self,
        c: torch.Tensor,
        x: torch.Tensor,
        y_index: torch.Tensor | None,
        m: torch.Tensor,
        z: torch.Tensor,
    ) -> torch.Tensor:
        """log p(x | y, c, z, m), (B, K, S)."""
        dec = self.decoder
        m_hidden = None if m is None else dec.m_features(m)
        pre, linear = dec.conditioning(torch.cat([c, x], dim=1), y_index, m_hidden)
        return dec.log_prob(x, dec.mean_given(pre, linear, z))

    def log_weights(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor | None = None,
        y_index: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Importance log-weights log p(x, z, m | y, c) - log q(z, m | x, y, a, c).

        ``eps_z`` (S, Z) noise shared by every row, or (B, 1, S, Z); ``eps_m`` likewise, or
        None for do(m=0). With ``y_index`` None the weights are computed for every class.
        Returns (B, K, S) with K = n_classes, or 1 for the observed class. The class prior
        is not included.
        """
        m, log_m_ratio = self._m_sample(x, eps_m)
        z, log_q_z, _, _ = self._latent(a, c, x, y_index, m, eps_z)
        log_px = self._child_log_lik(c, x, y_index, m, z)
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
        log_prior = self.prior(a)
        if y_index is not None:
            log_prior = log_prior.gather(1, y_index[:, None]).squeeze(1)
        if not self.has_children:
            return log_prior
        m, _ = self._m_sample(x, eps_m)
        z, _, z_mean, z_logvar = self._latent(a, c, x, y_index, m, eps_z)
        log_px = self._child_log_lik(c, x, y_index, m, z)
        bound = (log_px - kl_to_standard_normal(z_mean, z_logvar)).mean(-1)  # (B, K)
        if eps_m is not None:
            bound = bound - kl_to_standard_normal(*self.m_encoder(x))[:, None]
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
    ) -> torch.Tensor:
        """Importance-sampled log p(x, y=k | a, c) for every class (paper eq. 6), (B, K).

        Under do(m=0) when ``eps_m`` is None, else with m sampled from q(m | x).
        """
        log_prior = self.prior(a)
        if not self.has_children:
            return log_prior
        log_w = self.log_weights(a, c, x, eps_z, eps_m)
        return log_prior + torch.logsumexp(log_w, dim=-1) - math.log(log_w.shape[-1])

    def log_joint_mixture(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        x: torch.Tensor,
        eps_z: torch.Tensor,
        eps_m: torch.Tensor,
        clean_prior: float,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """log p(x, y=k | a, c) when each row is clean (do(m=0)) with prior probability
        ``clean_prior`` or manipulated (m ~ p(m)) otherwise, and the per-row log-odds
        log p(x | manipulated) - log p(x | clean). Returns ((B, K), (B,)).
        """
        clean = self.log_joint(a, c, x, eps_z, None)
        manipulated = self.log_joint(a, c, x, eps_z, eps_m)
        joint = torch.logaddexp(
            clean + math.log(clean_prior), manipulated + math.log1p(-clean_prior)
        )
        log_odds = torch.logsumexp(manipulated, -1) - torch.logsumexp(clean, -1)
        return joint, log_odds

    # -- generation ---------------------------------------------------------------------
    def _children_in_order(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        y_index: torch.Tensor,
        z: torch.Tensor,
        m: torch.Tensor,
        noise: torch.Tensor | None,
    ) -> torch.Tensor:
        """Children generated one by one in the graph's order, each from its parents.

        ``z`` (B, Z), ``m`` None for do(m=0) or (B, M); ``noise`` (B, D) standard normal
        for a sample from p(x | y, c, z, m), or None for the mean. Returns x (B, D).
        """
        dec = self.decoder
        n = a.shape[0]
        x = a.new_zeros(n, self.cfg.n_children)
        m_hidden = None if m is None else dec.m_features(m)[:, None, None, :]
        z = z[:, None, None, :]
        sd = torch.exp(0.5 * dec.logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX))
        for j in range(self.cfg.n_children):  # children are in topological order
            pre, linear = dec.conditioning(torch.cat([c, x], dim=1), y_index, m_hidden)
            mean = dec.mean_given(pre, linear, z)[:, 0, 0, :]
            value = mean[:, j] if noise is None else mean[:, j] + sd[j] * noise[:, j]
            x = x.clone()
            x[:, j] = value
        return x

    @torch.no_grad()
    def sample_clean(
        self,
        a: torch.Tensor,
        c: torch.Tensor,
        generator: torch.Generator,
        latent: dict | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Replay clean rows: y ~ p(y | a), z, then x ~ p(x | y, c, z, do(m=0)).

        z is drawn from the prior, or from a Gaussian ``latent`` = {"mean", "cholesky"}
        summarising the aggregate posterior. Returns (x, y_index).
        """
        probs = self.prior(a).exp()
        y_index = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        if not self.has_children:
            return a.new_zeros(a.shape[0], 0), y_index
        z = torch.randn((a.shape[0], self.cfg.latent_dim), generator=generator)
        if latent is not None:
            z = (z.double() @ torch.as_tensor(latent["cholesky"]).T
                 + torch.as_tensor(latent["mean"])).float()
        noise = torch.randn((a.shape[0], self.cfg.n_children), generator=generator)
        return self._children_in_order(a, c, y_index, z, None, noise), y_index

    @torch.no_grad()
    def reconstruct_clean(
        self, a: torch.Tensor, c: torch.Tensor, x: torch.Tensor, y_index: torch.Tensor,
        infer_m: bool,
    ) -> torch.Tensor:
        """The children of each row as they would be measured under do(m=0).

        z is the posterior mean of q(z | x, y, m, a, c) with m the mean of q(m | x) (or 0
        when no manipulation has been learned); the children are then regenerated with the
        decoder's mean under do(m=0), each from its regenerated parents.
        """
        m = self.m_encoder(x)[0][:, None, None, :] if infer_m else None
        z_mean, _ = self.z_encoder(torch.cat([x, a, c], dim=1), y_index, m)
        return self._children_in_order(a, c, y_index, z_mean[:, 0, 0, :], None, None)
