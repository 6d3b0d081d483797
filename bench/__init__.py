"""Benchmarks: each prints a ratio against a baseline measured in the same run."""

from __future__ import annotations

import os


def pin_to_one_core() -> None:
    """Run on a single core: the targets are per core (no-op where affinity is unknown)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
