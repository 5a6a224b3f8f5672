"""The charts as functions from numbers to SVG (web/charts.py): shapes, scales, titles, escaping."""

from __future__ import annotations

import re

from worktally.web import charts


def _rect_heights(svg: str, klass: str) -> list[float]:
    return [float(h) for h in re.findall(rf'<rect class="{klass}"[^>]* height="([\d.]+)"', svg)]


class TestStackedBars:
    def test_one_rect_per_nonzero_series_stacked_to_scale(self) -> None:
        bars = [charts.Bar("1", [60, 120]), charts.Bar("2", [0, 240])]

        svg = charts.stacked_bars(bars, ["A", "B"], label="Hours", height=240)

        assert svg.count('<rect class="f0"') == 1 and svg.count('<rect class="f1"') == 2
        first_b, second_b = _rect_heights(svg, "f1")
        assert abs(second_b - 2 * first_b) < 0.2  # 4 h is twice 2 h on the same scale
        assert "<title>1 · A: 1:00</title>" in svg and "<title>2: 4:00</title>" in svg

    def test_axis_in_round_hours(self) -> None:
        svg = charts.stacked_bars([charts.Bar("x", [7 * 60])], ["A"], label="Hours")

        assert re.findall(r">(\d+)h</text>", svg) == ["0", "2", "4", "6", "8"]

    def test_empty_range_draws_an_axis_only(self) -> None:
        svg = charts.stacked_bars([charts.Bar("1", [0])], ["A"], label="Hours")

        assert "<rect" not in svg and 'role="img"' in svg

    def test_labels_are_escaped(self) -> None:
        svg = charts.stacked_bars([charts.Bar("<b>", [30])], ["<script>"], label="a&b")

        assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="a&amp;b"' in svg

    def test_series_beyond_the_palette_share_the_other_colour(self) -> None:
        svg = charts.stacked_bars([charts.Bar("1", [10] * 10)], [str(i) for i in range(10)], label="H")

        assert svg.count('class="fother"') == 2


class TestDonut:
    def test_segments_share_the_circle_in_proportion(self) -> None:
        svg = charts.donut([("A", 30), ("B", 90)], label="By project")

        lengths = [float(a) for a, _ in re.findall(r'stroke-dasharray="([\d.]+) ([\d.]+)"', svg)]
        assert len(lengths) == 2 and abs(lengths[1] - 3 * lengths[0]) < 0.05
        assert ">2:00</text>" in svg and "(75 %)" in svg

    def test_nothing_to_share(self) -> None:
        svg = charts.donut([("A", 0)], label="By project")

        assert "stroke-dasharray" not in svg and ">0:00</text>" in svg


class TestHeatmap:
    def test_levels_become_classes_and_missing_days_are_marked(self) -> None:
        svg = charts.heatmap(["Ann"], ["1", "2", "3"], [[0, 47, None]], label="Activity")

        assert re.findall(r'<rect class="(h\w+)"', svg) == ["h0", "h5", "hn"]
        assert "Ann · 3: no activity" in svg and "Ann · 2: 47 %" in svg


class TestTimeline:
    def test_spans_are_placed_on_the_day(self) -> None:
        svg = charts.timeline([("Ann", [charts.Span(0, 720, "morning")])], label="Day", width=130 + 8 + 240)

        match = re.search(r'<rect class="f0" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
        assert match and float(match.group(1)) == 130.0 and float(match.group(2)) == 120.0

    def test_empty_spans_are_skipped(self) -> None:
        svg = charts.timeline([("Ann", [charts.Span(600, 600, "nothing")])], label="Day")

        assert "<rect" not in svg


class TestMeter:
    def test_fill_is_the_share_and_over_the_limit_is_marked(self) -> None:
        half = charts.meter(5, 10, label="Budget", width=200)
        over = charts.meter(15, 10, label="Budget", width=200)

        assert 'class="fill" width="100.0"' in half and "50 %" in half
        assert "meter over" in over and 'class="fill" width="200.0"' in over

    def test_no_limit(self) -> None:
        assert "no limit" in charts.meter(5, None, label="Budget")
