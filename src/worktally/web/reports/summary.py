"""The tracked-hours report (``report/tracked.py``'s rows, the API's own) summed for the page: per bar (a day,
or a week when the range is longer than a month), per project, per member, with amounts per currency only
where the caller may see them (D6). No query: the rows are those the API writes out as JSON and CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from worktally.core.timezones import week_start
from worktally.report import tracked
from worktally.web import charts

DAILY_UP_TO = 31  # days in the range up to which a bar is a day; beyond, a week


def _cents_text(cents: int) -> str:
    """Whole cents with two places for people (``1250`` → ``12.50``); exact, from the report's own cents."""
    return str(Decimal(cents).scaleb(-2))


@dataclass(slots=True)
class Line:
    """A project's or member's total: minutes, and cents per currency (``None`` when not all visible)."""

    key: int | None
    name: str
    minutes: int = 0
    cents: dict[str, int] | None = field(default_factory=dict)
    series: int = 0  # the chart colour of a project

    @property
    def amounts(self) -> list[tuple[str, str]]:
        return [(c, _cents_text(v)) for c, v in sorted((self.cents or {}).items())]


@dataclass(slots=True)
class Column:
    """One bar: its first day, its label and minutes per chart series."""

    first: date
    label: str
    minutes: list[int]

    @property
    def total(self) -> int:
        return sum(self.minutes)


@dataclass(slots=True)
class Summary:
    weekly: bool
    series: list[str]  # chart series names: the largest projects, then "Other projects"
    columns: list[Column]
    projects: list[Line]
    members: list[Line]
    total_minutes: int
    total_cents: dict[str, int] | None
    day_minutes: dict[date, int]

    @property
    def total_amounts(self) -> list[tuple[str, str]]:
        return [(c, _cents_text(v)) for c, v in sorted((self.total_cents or {}).items())]

    def bars(self) -> list[charts.Bar]:
        return [charts.Bar(c.label, c.minutes) for c in self.columns]

    def slices(self) -> list[tuple[str, int]]:
        shares = [0] * len(self.series)
        for line in self.projects:
            shares[line.series] += line.minutes
        return list(zip(self.series, shares, strict=True))


def _add(target: dict[str, int] | None, currency: str | None, cents: int) -> None:
    if target is not None and currency is not None:
        target[currency] = target.get(currency, 0) + cents


def summarise(report: tracked.TrackedHours) -> Summary:
    period = report.period
    names = report.lookups.names
    projects: dict[int | None, Line] = {}
    members: dict[int, Line] = {}
    by_day_project: dict[tuple[date, int | None], int] = {}
    day_minutes: dict[date, int] = {}
    total_cents: dict[str, int] | None = {}
    for day, user_id, pair, minutes, visible, currency, cents in tracked.items(report):
        project = projects.get(pair.project_id)
        if project is None:
            project = projects[pair.project_id] = Line(pair.project_id, pair.project_name or "No project")
        member = members.get(user_id)
        if member is None:
            member = members[user_id] = Line(user_id, names.get(user_id, ""), cents={} if visible else None)
        project.minutes += minutes
        member.minutes += minutes
        if not visible:
            project.cents = None
            total_cents = None
        _add(project.cents, currency, cents)
        _add(member.cents, currency, cents)
        _add(total_cents, currency, cents)
        by_day_project[day, pair.project_id] = by_day_project.get((day, pair.project_id), 0) + minutes
        day_minutes[day] = day_minutes.get(day, 0) + minutes
    if not report.rows and not report.sees_own_rates:
        total_cents = None
    ranked = sorted(projects.values(), key=lambda p: (-p.minutes, p.name.lower(), p.key or 0))
    series = [p.name for p in ranked[: charts.PALETTE]]
    for index, line in enumerate(ranked):
        line.series = min(index, charts.PALETTE)
    if len(ranked) > charts.PALETTE:
        series.append("Other projects")
    weekly = period.days > DAILY_UP_TO
    columns: list[Column] = []
    index_of: dict[date, int] = {}
    day = period.start_date
    while day <= period.end_date:
        first = week_start(day) if weekly else day
        if first not in index_of:
            index_of[first] = len(columns)
            label = f"{max(first, period.start_date):%-d %b}" if weekly else f"{day:%-d}"
            columns.append(Column(max(first, period.start_date), label, [0] * len(series)))
        day += timedelta(days=1)
    series_of = {line.key: line.series for line in ranked}
    for (day, project_id), minutes in by_day_project.items():
        columns[index_of[week_start(day) if weekly else day]].minutes[series_of[project_id]] += minutes
    return Summary(
        weekly=weekly,
        series=series,
        columns=columns,
        projects=ranked,
        members=sorted(members.values(), key=lambda m: (m.name.lower(), m.key or 0)),
        total_minutes=sum(day_minutes.values()),
        total_cents=total_cents,
        day_minutes=day_minutes,
    )


def column_days(summary: Summary, end: date) -> Sequence[tuple[date, date]]:
    """Each bar's first and last day (for the table beside the chart)."""
    spans = []
    for i, column in enumerate(summary.columns):
        last = summary.columns[i + 1].first - timedelta(days=1) if i + 1 < len(summary.columns) else end
        spans.append((column.first, last))
    return spans
