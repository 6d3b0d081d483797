"""The heap a long-running process keeps from its start-up."""

from __future__ import annotations

import gc


def freeze_start_up_heap() -> None:
    """Take everything alive after start-up out of the garbage collector's sweeps.

    Modules, message catalogs, the form, SQLAlchemy's mappers and compiled statements
    live as long as the process. Left in the collector's oldest generation, every full
    collection walks all of them again: in ``bench.application`` that was a 50-95 ms
    pause every second or so, stalling every conversation in flight. :func:`gc.freeze`
    moves them to a permanent generation, after one collection so no garbage is kept.

    For a process that serves until it is stopped (``copbot run``, ``copbot chat``),
    called once, after :meth:`CopBot.start`.
    """
    gc.collect()
    gc.freeze()
