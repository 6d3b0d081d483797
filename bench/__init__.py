"""Benchmarks: each prints a ratio against a baseline measured in the same run."""

from __future__ import annotations

import os
from pathlib import Path

#: The checkout's packages (the peers' libraries are installed, hence compiled, by pip).
PACKAGES = ("bot", "handlers", "storage", "bench", "tests")


def pin_to_one_core() -> None:
    """Run on a single core: the targets are per core (no-op where affinity is unknown)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def compile_checkout() -> None:
    """Write the checkout's bytecode, as ``pip install`` does for an installed package.

    A process run from a checkout compiles every module of it from source when there is
    no ``__pycache__`` yet, and always where ``PYTHONDONTWRITEBYTECODE`` is set (as on the
    machine these benchmarks were written on): 0.15-0.2 s of copbot's start-up was the
    compiler's. python-telegram-bot and aiogram are installed packages, compiled by pip.
    """
    import compileall

    root = Path(__file__).resolve().parents[1]
    for package in PACKAGES:
        compileall.compile_dir(root / package, quiet=1)
