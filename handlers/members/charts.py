"""Charts as PNG images, drawn with matplotlib's object-oriented API.

No ``pyplot``: a :class:`~matplotlib.figure.Figure` drawn on an Agg canvas keeps no global
state, needs no display and may be rendered in a worker thread, which is where the bot
draws: a four-panel chart costs 200-300 ms of CPU (``bench/stats.py``) and the event loop
keeps serving others meanwhile. Callers pass text already translated: this module knows
nothing of languages.

matplotlib is imported by the first chart drawn, not with the bot: it costs ~0.5 s and
~40 MiB that a bot whose ``/stats`` is never asked for does not need to pay.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

#: A bar label longer than this is cut (with an ellipsis) so the bars keep their room.
LABEL_WIDTH = 28
#: A panel has room for at least this many bars, so two bars are not two slabs.
MIN_SLOTS = 6
_BAR_COLOUR = "#4a6fa5"
#: Room for a LABEL_WIDTH label left of each panel, and for titles above them.
_MARGINS = {"left": 0.16, "right": 0.97, "wspace": 0.55, "top": 0.89, "bottom": 0.05, "hspace": 0.3}


@dataclass(frozen=True, slots=True)
class Panel:
    """One bar chart of a figure.

    Attributes:
        title: the panel's title, translated.
        bars: ``(label, value)`` pairs, drawn top to bottom in this order.
    """

    title: str
    bars: tuple[tuple[str, int], ...]


def render_panels(panels: Sequence[Panel], *, title: str, empty: str, columns: int = 2) -> bytes:
    """Draw ``panels`` as horizontal bar charts in a grid, as one PNG image.

    Args:
        panels: the charts, filled row by row.
        title: the figure's title, translated.
        empty: what a panel without bars says instead ("no data yet"), translated.
        columns: panels per row.

    Returns:
        The PNG file's bytes.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = max(1, -(-len(panels) // columns))
    figure = Figure(figsize=(6.0 * columns, 3.6 * rows), dpi=100)
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=15, fontweight="bold")
    # Fixed margins rather than a layout engine: labels are cut to LABEL_WIDTH, so their
    # room is known, and "constrained" layout would draw everything twice (2x the time).
    axes = figure.subplots(rows, columns, squeeze=False, gridspec_kw=_MARGINS).flatten()
    for ax, panel in zip(axes, panels, strict=False):
        ax.set_title(panel.title, fontsize=12, loc="left")
        if not panel.bars:
            ax.text(
                0.5, 0.5, empty, ha="center", va="center", fontsize=11, color="grey", transform=ax.transAxes
            )
            ax.set_axis_off()
            continue
        labels = [_shorten(label) for label, _ in panel.bars]
        values = [value for _, value in panel.bars]
        positions = range(len(values))
        bars = ax.barh(positions, values, color=_BAR_COLOUR)
        ax.set_yticks(list(positions), labels, fontsize=9)
        # The first bar (the largest) on top; a short list keeps thin bars.
        ax.set_ylim(max(len(values), MIN_SLOTS) - 0.5, -0.5)
        ax.bar_label(bars, padding=3, fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(values) * 1.15 or 1)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(panels) :]:
        ax.set_axis_off()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _shorten(label: str) -> str:
    return textwrap.shorten(label, LABEL_WIDTH, placeholder="…") or label[: LABEL_WIDTH - 1] + "…"
