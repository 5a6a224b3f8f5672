"""Charts as SVG from plain numbers (D21): stacked bars, a donut, a heatmap, a day's timeline, a meter.

No I/O and no knowledge of reports: a page passes what the report service returned, so a chart, the table
beside it and the API's report cannot disagree. Colours are classes (``f0``… fills, ``k0``… strokes, ``h0``…
heat levels) that the stylesheet sets for light and dark; every shape carries a ``<title>`` with its number,
and each chart is ``role="img"`` with a label, its table being the accessible form of the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

PALETTE = 8  # colour classes f0..f7 / k0..k7; the last series beyond them shares "other"
OTHER = "other"


def _svg(parts: Sequence[str]) -> Markup:
    """The drawn SVG: every text put into ``parts`` went through ``escape``; numbers are formatted here."""
    return Markup("".join(parts))  # noqa: S704


def series_class(index: int) -> str:
    return str(index) if index < PALETTE else OTHER


def _hours(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours}:{rest:02d}"


def _nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2, 5 times a power of ten) so that ``ticks`` steps cover ``top``."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    values: Sequence[int]  # minutes per series, in the order of the chart's ``series``


def stacked_bars(
    bars: Sequence[Bar], series: Sequence[str], *, label: str, width: int = 720, height: int = 240
) -> Markup:
    """Bars of minutes stacked by series; the y axis in hours."""
    left, right, top, bottom = 44, 8, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max((sum(b.values) for b in bars), default=0) / 60
    step = _nice_step(highest)
    scale_top = max(step, math.ceil(highest / step) * step) if highest else step * 4
    parts = [
        f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}"'
        f' preserveAspectRatio="xMidYMid meet">'
    ]
    tick = 0.0
    while tick <= scale_top + 1e-9:
        y = top + plot_h - tick / scale_top * plot_h
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        text = f"{tick:g}h"
        parts.append(f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>')
        tick += step
    count = max(len(bars), 1)
    slot = plot_w / count
    bar_w = max(1.0, slot * 0.7)
    every = max(1, math.ceil(count / 16))  # at most ~16 labels on the x axis
    for index, bar in enumerate(bars):
        x = left + index * slot + (slot - bar_w) / 2
        base = float(top + plot_h)
        for series_index, minutes in enumerate(bar.values):
            if minutes <= 0:
                continue
            h = minutes / 60 / scale_top * plot_h
            base -= h
            name = series[series_index] if series_index < len(series) else ""
            parts.append(
                f'<rect class="f{series_class(series_index)}" x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}"'
                f' height="{h:.1f}"><title>{escape(bar.label)} · {escape(name)}: {_hours(minutes)}</title></rect>'
            )
        total = sum(bar.values)
        if total:
            parts.append(
                f'<rect class="hit" x="{x:.1f}" y="{top}" width="{bar_w:.1f}" height="{plot_h}">'
                f"<title>{escape(bar.label)}: {_hours(total)}</title></rect>"
            )
        if index % every == 0:
            cx = left + index * slot + slot / 2
            parts.append(
                f'<text class="axis" x="{cx:.1f}" y="{height - 10}" text-anchor="middle">{escape(bar.label)}</text>'
            )
    parts.append(f'<line class="base" x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    parts.append("</svg>")
    return _svg(parts)


def donut(slices: Sequence[tuple[str, int]], *, label: str, size: int = 200) -> Markup:
    """Shares of a whole (minutes per project), the total in the middle."""
    total = sum(value for _, value in slices if value > 0)
    r, stroke = size / 2 - 18, 28
    circumference = 2 * math.pi * r
    c = size / 2
    parts = [
        f'<svg class="chart donut" viewBox="0 0 {size} {size}" role="img" aria-label="{escape(label)}">',
        f'<circle class="track" cx="{c}" cy="{c}" r="{r:.2f}" fill="none" stroke-width="{stroke}"/>',
    ]
    offset = 0.0
    for index, (name, value) in enumerate(slices):
        if value <= 0 or total == 0:
            continue
        length = value / total * circumference
        share = round(value / total * 100)
        parts.append(
            f'<circle class="k{series_class(index)}" cx="{c}" cy="{c}" r="{r:.2f}" fill="none"'
            f' stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference - length:.2f}"'
            f' stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {c} {c})">'
            f"<title>{escape(name)}: {_hours(value)} ({share} %)</title></circle>"
        )
        offset += length
    parts.append(f'<text class="total" x="{c}" y="{c + 6}" text-anchor="middle">{_hours(total)}</text>')
    parts.append("</svg>")
    return _svg(parts)


def heatmap(
    rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[int | None]], *, label: str
) -> Markup:
    """A grid of levels 0..100 (``None``: nothing recorded), darker for higher; a row by a column."""
    cell, gap, left, top = 22, 2, 130, 24
    width = left + len(columns) * (cell + gap) + 4
    height = top + len(rows) * (cell + gap) + 4
    parts = [f'<svg class="chart heat" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    every = max(1, math.ceil(len(columns) / 16))
    for j, column in enumerate(columns):
        if j % every == 0:
            x = left + j * (cell + gap) + cell / 2
            parts.append(f'<text class="axis" x="{x:.1f}" y="{top - 8}" text-anchor="middle">{escape(column)}</text>')
    for i, row in enumerate(rows):
        y = top + i * (cell + gap)
        name = row if len(row) <= 18 else row[:17] + "…"
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{y + cell * 0.7:.1f}" text-anchor="end">{escape(name)}</text>'
        )
        for j, value in enumerate(values[i] if i < len(values) else ()):
            x = left + j * (cell + gap)
            level = "n" if value is None else str(max(0, min(10, round(value / 10))))
            shown = "no activity" if value is None else f"{value} %"
            column = columns[j] if j < len(columns) else ""
            parts.append(
                f'<rect class="h{level}" x="{x}" y="{y}" width="{cell}" height="{cell}" rx="3">'
                f"<title>{escape(row)} · {escape(column)}: {shown}</title></rect>"
            )
    parts.append("</svg>")
    return _svg(parts)


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # minutes after the local midnight, 0..1440
    end: int
    title: str
    series: int = 0


def timeline(rows: Sequence[tuple[str, Sequence[Span]]], *, label: str, width: int = 720) -> Markup:
    """A day across 24 hours, a lane per row with its spans (a member's entries)."""
    left, right, top, lane = 130, 8, 22, 26
    plot_w = width - left - right
    height = top + max(len(rows), 1) * lane + 4
    parts = [f'<svg class="chart timeline" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for hour in range(0, 25, 3):
        x = left + hour / 24 * plot_w
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height}"/>')
        parts.append(f'<text class="axis" x="{x:.1f}" y="{top - 8}" text-anchor="middle">{hour:02d}</text>')
    for i, (name, spans) in enumerate(rows):
        y = top + i * lane
        short = name if len(name) <= 18 else name[:17] + "…"
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{y + lane * 0.62:.1f}" text-anchor="end">{escape(short)}</text>'
        )
        for span in spans:
            start, end = max(0, min(1440, span.start)), max(0, min(1440, span.end))
            if end <= start:
                continue
            x = left + start / 1440 * plot_w
            w = max(1.5, (end - start) / 1440 * plot_w)
            parts.append(
                f'<rect class="f{series_class(span.series)}" x="{x:.1f}" y="{y + 4}" width="{w:.1f}"'
                f' height="{lane - 8}" rx="2"><title>{escape(span.title)}</title></rect>'
            )
    parts.append("</svg>")
    return _svg(parts)


def meter(used: float | Decimal, limit: float | Decimal | None, *, label: str, width: int = 240) -> Markup:
    """A bar of ``used`` against ``limit`` (a budget, an estimate); over the limit it turns to the warning colour."""
    height = 12
    used, limit = float(used), (float(limit) if limit is not None else None)
    share = 0.0 if not limit or limit <= 0 else used / limit
    filled = min(1.0, share) * width
    over = " over" if share > 1 else ""
    percent = "no limit" if not limit or limit <= 0 else f"{round(share * 100)} %"
    return _svg(
        [
            f'<svg class="chart meter{over}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}: {percent}">'
            f'<rect class="track" width="{width}" height="{height}" rx="6"/>'
            f'<rect class="fill" width="{filled:.1f}" height="{height}" rx="6"><title>{escape(label)}: {percent}</title></rect>'
            "</svg>"
        ]
    )


def swatch(index: int) -> Markup:
    """The legend's square in a series' colour (for the table beside a chart)."""
    return _svg(
        [
            f'<svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class="f{series_class(index)}" width="10" height="10" rx="2"/></svg>'
        ]
    )
