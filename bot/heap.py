"""The heap a long-running process keeps from its start-up."""

from __future__ import annotations

import gc

#: Generation-0 threshold while starting: a full collection every few million allocations.
START_UP_THRESHOLD = (50_000, 20, 20)

_deferred: tuple[int, int, int] | None = None


def defer_collection() -> None:
    """Let the garbage collector sweep rarely until :func:`freeze_start_up_heap`.

    Importing copbot creates about a million long-lived objects (modules, classes,
    SQLAlchemy's and pydantic's schemas) and hardly any garbage. With the default
    thresholds the collector ran dozens of collections over that growing heap,
    the full ones walking all of it: a tenth to a fifth of the start-up's CPU.
    The threshold stays finite, so a command that never serves (``copbot db``,
    ``copbot wiki import``) still collects its cycles, only less often.
    Called first thing by the ``copbot`` entry points.
    """
    global _deferred
    if _deferred is None:
        _deferred = gc.get_threshold()
        gc.set_threshold(*START_UP_THRESHOLD)


def freeze_start_up_heap() -> None:
    """Take everything alive after start-up out of the garbage collector's sweeps.

    Modules, message catalogs, the form, SQLAlchemy's mappers and compiled statements
    live as long as the process. Left in the collector's oldest generation, every full
    collection walks all of them again: in ``bench.application`` that was a 50-95 ms
    pause every second or so, stalling every conversation in flight. :func:`gc.freeze`
    moves them to a permanent generation, after one collection so no garbage is kept.
    The collector's usual thresholds come back if :func:`defer_collection` raised them.

    For a process that serves until it is stopped (``copbot run``, ``copbot chat``),
    called once, after :meth:`CopBot.start`.
    """
    global _deferred
    gc.collect()
    gc.freeze()
    if _deferred is not None:
        gc.set_threshold(*_deferred)
        _deferred = None
