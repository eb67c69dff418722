"""Shared plumbing for the benchmark scripts: timing, tables, and RESULTS.md sections."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).with_name("RESULTS.md")


def add_fits_argument(parser, where: str) -> None:
    """``--fits``: training seeds per CAMA model ``where`` (default 5, 2 with ``--quick``;
    read the number with :func:`fits_of`)."""
    parser.add_argument("--fits", type=_at_least_one, default=None,
                        help=f"training seeds per CAMA model {where} (default 5; 2 with "
                        "--quick)")


def fits_of(args) -> int:
    """The number of training seeds per CAMA model: ``--fits``, else 5 (2 with --quick)."""
    return args.fits if args.fits is not None else 2 if args.quick else 5


def _at_least_one(text: str) -> int:
    import argparse

    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def add_run_arguments(parser) -> None:
    """``--threads`` (torch threads) and ``--no-write`` (leave RESULTS.md alone); apply the
    first with :func:`set_threads`."""
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")


def set_threads(args) -> None:
    """Torch's thread count from ``--threads``, where given."""
    import torch

    if args.threads is not None:
        torch.set_num_threads(args.threads)


def machine_line() -> str:
    """One line saying where and when a table was measured."""
    import sklearn
    import torch

    gpu = ""
    if torch.cuda.is_available():  # which card a CUDA table was measured on
        gpu = f", GPU {torch.cuda.get_device_name(0)}"
    return (
        f"{_dt.date.today().isoformat()}, {platform.python_version()}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), scikit-learn {sklearn.__version__}, "
        f"{_cpus()}{gpu}"
    )


def _cpus() -> str:
    """The machine's CPU count, and how many of them this process may run on when it is
    pinned to fewer (``taskset``)."""
    total = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else total
    return f"{total} CPUs" if usable == total else f"{usable} of {total} CPUs (pinned)"


def to_markdown(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """A GitHub markdown table without the optional tabulate dependency."""
    def cell(text: str) -> str:  # a bar inside a cell ("p(y | a)") would split it
        return text.replace("|", "\\|")

    cols = [cell(str(c)) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        cells = [format(v, floatfmt) if isinstance(v, float) else cell(str(v)) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of benchmarks/RESULTS.md with ``body``.

    A body that does not quote its command line gets the one that ran, below its title,
    so every table says how to reproduce it.
    """
    if "`python benchmarks/" not in body:
        command = " ".join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])
        title, _, rest = body.partition("\n")
        body = f"{title}\n\n`{command}`\n{rest}" if title.startswith("#") else (
            f"`{command}`\n\n{body}"
        )
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    header = "# Benchmark results\n\nWritten by the scripts in this folder; do not edit by hand.\n"
    text = RESULTS.read_text() if RESULTS.exists() else header
    block = f"{begin}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text)


def probability_scores(proba: np.ndarray, y: pd.Series, classes: np.ndarray,
                       bins: int = 15) -> dict:
    """Log loss and top-label expected calibration error of class probabilities."""
    truth = np.asarray(y)[:, None] == np.asarray(classes)[None, :]
    if not truth.any(axis=1).all():
        raise ValueError("a test label is not among the model's classes")
    log_loss = -np.mean(np.log(np.clip(proba[truth], 1e-15, None)))
    confidence = proba.max(axis=1)
    correct = truth[np.arange(len(proba)), proba.argmax(axis=1)]
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = sum(abs(correct[which == b].mean() - confidence[which == b].mean()) * np.sum(which == b)
              for b in np.unique(which))
    return {"log_loss": float(log_loss), "ece": float(gap / len(proba))}
