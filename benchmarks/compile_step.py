"""Does ``torch.compile`` pay for CAMA's training step? Eager against compiled, on the CPU.

    python benchmarks/compile_step.py                 # 20 and 100 features, batches 625 and 4096
    python benchmarks/compile_step.py --threads 2     # pin torch to 2 threads
    python benchmarks/compile_step.py --no-write      # print only

One training step is what ``CAMAClassifier.fit`` runs per batch: the clean ELBO of a batch
of real training rows (SEM data with 1/5 parents, 1/5 co-parents and 3/5 children, as in
``perf.py``), its gradient and an Adam update. The step is timed as written ("eager") and
with the ELBO compiled by ``torch.compile(fullgraph=True)`` (inductor), each in a fresh
process with an empty compile cache, so the compile time is what a user's first fit would
pay. The batch sizes are those ``batch_size="auto"`` picks for 10,000 rows (625) and for
100,000 rows or more (4096).

The table gives both step times (the median of 5 blocks of 50 steps), the speed-up, the
cold compile time (the first two compiled steps, less two eager steps) and the break-even:
how many steps the compiled step must run before the compile has paid for itself. For
scale, ``perf.py``'s fixed-epoch fits run 48 steps (10,000 rows x 3 epochs), 50 (100,000
rows x 2) and 245 (1,000,000 x 1), and its converged fits a few thousand.

Tables go to stdout and, unless ``--no-write``, to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

STEPS = 50  # timed steps per block, after the warm-up
BLOCKS = 5


def run_case(n_features: int, batch: int, compiled: bool, threads: int | None) -> dict:
    """Time one case in this process; returns its figures as a dict."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    from sklearn.exceptions import ConvergenceWarning

    from skcama import CAMAClassifier
    from skcama._training import _adam
    from skcama.datasets import SyntheticSEM

    n_side = max(1, n_features // 5)
    sem = SyntheticSEM(n_parents=n_side, n_coparents=n_side,
                       n_children=n_features - 2 * n_side, n_outside=0, random_state=0)
    X, y = sem.sample(batch, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = CAMAClassifier(graph=sem.graph, target="y", max_epochs=1, random_state=0).fit(X, y)
    net = clf.model_
    rows = clf._labelled_tensors(X, y)
    optimizer = _adam(list(net.parameters()), lr=1e-3)  # fit's optimizer
    generator = torch.Generator().manual_seed(0)

    def loss(a, c, x, labels, eps_z):
        return -net.elbo(a, c, x, labels, eps_z).mean()

    objective = torch.compile(loss, fullgraph=True) if compiled else loss

    def step() -> None:
        eps_z = torch.randn((batch, 1, 1, net.cfg.latent_dim), generator=generator)
        value = objective(rows.a, rows.c, rows.x, rows.y, eps_z)
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        optimizer.step()

    start = time.perf_counter()
    step()
    step()
    warm_up = time.perf_counter() - start
    blocks = []  # the median of several blocks: the machines are shared and noisy
    for _ in range(BLOCKS):
        start = time.perf_counter()
        for _ in range(STEPS):
            step()
        blocks.append((time.perf_counter() - start) / STEPS)
    step_s = float(np.median(blocks))
    return dict(features=n_features, batch=batch, compiled=compiled, warm_up_s=warm_up,
                step_ms=1e3 * step_s, threads=torch.get_num_threads())


def table(results: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(results)
    rows = []
    for (features, batch), group in frame.groupby(["features", "batch"], sort=False):
        eager = group[~group["compiled"]].iloc[0]
        compiled = group[group["compiled"]].iloc[0]
        compile_s = compiled["warm_up_s"] - eager["warm_up_s"]
        saved_ms = eager["step_ms"] - compiled["step_ms"]
        rows.append({
            "features": features,
            "batch": batch,
            "eager step (ms)": eager["step_ms"],
            "compiled step (ms)": compiled["step_ms"],
            "speed-up": eager["step_ms"] / compiled["step_ms"],
            "cold compile (s)": compile_s,
            "break-even (steps)": compile_s / (saved_ms / 1e3) if saved_ms > 0 else float("inf"),
        })
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--batches", type=int, nargs="+", default=[625, 4096])
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    parser.add_argument("--one", nargs=3, type=int, metavar=("FEATURES", "BATCH", "COMPILED"),
                        help=argparse.SUPPRESS)  # one case, in a child process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one[0], args.one[1], bool(args.one[2]), args.threads)))
        return
    results = []
    for n_features in args.features:
        for batch in args.batches:
            for compiled in (0, 1):
                with tempfile.TemporaryDirectory() as cache:  # a cold compile every time
                    command = [sys.executable, __file__, "--one", str(n_features), str(batch),
                               str(compiled)]
                    if args.threads is not None:
                        command += ["--threads", str(args.threads)]
                    done = subprocess.run(
                        command, capture_output=True, text=True,
                        env={**os.environ, "TORCHINDUCTOR_CACHE_DIR": cache},
                    )
                if done.returncode != 0:
                    sys.stderr.write(done.stderr)
                    raise SystemExit(f"case {n_features} features, batch {batch} failed")
                results.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(f"# {results[-1]}", flush=True)
    frame = table(results)
    from _report import machine_line, to_markdown, write_section

    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(frame.round(3).to_string(index=False))
    if not args.no_write:
        body = (
            f"## torch.compile of the training step (cpu, {results[0]['threads']} threads)\n\n"
            f"`python benchmarks/compile_step.py {' '.join(sys.argv[1:])}`; {machine_line()}.\n\n"
            "One step: the clean ELBO of a batch, its gradient and an Adam update; the median "
            f"of {BLOCKS} blocks of {STEPS} steps, timed after two warm-up steps; each case in a "
            "fresh process with an empty compile cache.\n\n"
            f"{to_markdown(frame, '.3g')}\n"
        )
        write_section("compile-step", body)


if __name__ == "__main__":
    main()
