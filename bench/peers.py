"""Worktally beside TimeTagger, the calls a member makes all day: ``python -m bench.peers`` (``make bench-peers``).

TimeTagger (a Python time tracker from PyPI, SQLite only) is installed into a virtualenv of its own under
``bench/.peers/`` (not in git), and run as one process beside Worktally, also one process, on SQLite and on
PostgreSQL (a database of its own on ``WORKTALLY_BENCH_POSTGRES_URL``, dropped at the end). Each gets the same
240 records: 6 a day for 40 days, a quarter of an hour each, for one member. Then, with ``wrk`` (16 keep-alive
connections; installed by ``make bench-peers`` when missing), in interleaved rounds so that other work on the
machine weighs on every target alike:

- **day**: one day's records (TimeTagger ``GET /records?timerange=``; Worktally ``GET /time-entries?date=``);
- **week**: seven days' (TimeTagger the same with a week's range; Worktally ``date_from``/``date_to``, the
  extension that makes a week one request);
- **create**: one record written (TimeTagger ``PUT /records`` with one record; Worktally
  ``POST /time-entries``), each request a new minute, so that none overlaps.

It prints requests per second, p50 and p99 latency and the ratios Worktally / TimeTagger, then each server's
resident memory idle (after the records were loaded) and after the load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bench.api_overhead import DEFAULT_SERVER, bench_database, free_port, seed, server

TIMETAGGER = "timetagger==26.1.3"
PEERS = Path(__file__).resolve().parent / ".peers"
FIRST_DAY = date(2026, 10, 5)  # a Monday; 40 days of records from here
DAYS = 40
PER_DAY = 6  # a week's 42 fit in one page (time entries list at most 50 a page)
DAY = date(2026, 10, 21)
WEEK = (date(2026, 10, 19), date(2026, 10, 25))
CREATES_FROM = datetime(2025, 1, 1, tzinfo=UTC)  # created records go a minute apart from here, far from the lists


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Call:
    """One measured call against one target: a URL, its headers, and for a write the wrk script that makes bodies."""

    url: str
    headers: dict[str, str]
    script: str | None = None


def _epoch(day: date, minute: int = 0) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) + minute * 60


def _records() -> list[tuple[date, int]]:
    """(day, minute of the day) of every record: 6 a day from 08:00, 15 minutes each, 5 minutes apart."""
    return [(FIRST_DAY + timedelta(days=d), 8 * 60 + i * 20) for d in range(DAYS) for i in range(PER_DAY)]


# --------------------------------------------------------------------------------------------------
# TimeTagger, in a virtualenv of its own.
# --------------------------------------------------------------------------------------------------


def timetagger_python() -> Path:
    venv = PEERS / TIMETAGGER.replace("==", "-")
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"installing {TIMETAGGER} into {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", TIMETAGGER], check=True)
    return python


_TOKEN_SCRIPT = """
import asyncio
from timetagger.server import get_webtoken_unsafe
print(asyncio.run(get_webtoken_unsafe("bench")))
"""


def timetagger_token(python: Path, env: dict[str, str]) -> str:
    out = subprocess.run([str(python), "-c", _TOKEN_SCRIPT], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def load_timetagger(base: str, headers: dict[str, str]) -> None:
    now = int(time.time())
    records = [
        {"key": f"r{n}", "mt": now, "t1": _epoch(d, m), "t2": _epoch(d, m + 15), "ds": f"#bench record {n}"}
        for n, (d, m) in enumerate(_records())
    ]
    response = httpx.put(f"{base}/records", json=records, headers=headers, timeout=30)
    response.raise_for_status()
    assert len(response.json()["accepted"]) == len(records), response.text


# --------------------------------------------------------------------------------------------------
# Worktally.
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    workspace_id: int
    user_id: int
    contract_id: int
    headers: dict[str, str]


def load_worktally(api: str, token: str, workspace_id: int, project_id: int) -> Member:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api, headers=headers, timeout=30) as client:
        (me,) = client.get("/members", params={"workspace_id": workspace_id}).json()["data"]
        user_id = int(me["id"])
        contract = client.post(
            "/contracts", json={"workspace_id": workspace_id, "project_id": project_id, "user_id": user_id}
        )
        assert contract.status_code == 201, contract.text
        contract_id = int(contract.json()["data"]["id"])
        for n, (d, m) in enumerate(_records()):
            body = {
                "workspace_id": workspace_id,
                "user_id": user_id,
                "contract_id": contract_id,
                "date": d.isoformat(),
                "start_time": f"{m // 60:02d}:{m % 60:02d}",
                "end_time": f"{(m + 15) // 60:02d}:{(m + 15) % 60:02d}",
                "notes": f"bench record {n}",
            }
            response = client.post("/time-entries", json=body)
            assert response.status_code == 201, response.text
    return Member(workspace_id, user_id, contract_id, headers)


def _worktally_create_script(member: Member, first: datetime) -> str:
    return f"""
counter = 0
base = {int(first.timestamp())}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local t = base + counter * 60
  counter = counter + 1
  local finish = os.date("!%H:%M", t + 60)
  local body = string.format(
    '{{"workspace_id":{member.workspace_id},"user_id":{member.user_id},"contract_id":{member.contract_id},'
    .. '"date":"%s","start_time":"%s","end_time":"%s","notes":"bench create"}}',
    os.date("!%Y-%m-%d", t), os.date("!%H:%M", t), finish)
  return wrk.format(nil, nil, nil, body)
end
"""


def _timetagger_create_script(first: datetime, prefix: str) -> str:
    return f"""
counter = 0
base = {int(first.timestamp())}
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local t = base + counter * 60
  counter = counter + 1
  local body = string.format('[{{"key":"{prefix}%d","mt":%d,"t1":%d,"t2":%d,"ds":"#bench create"}}]',
    counter, base, t, t + 60)
  return wrk.format(nil, nil, nil, body)
end
"""


# --------------------------------------------------------------------------------------------------
# Load and measurement.
# --------------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _latency(output: str, percent: int) -> float:
    found = re.search(rf"^\s+{percent}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    assert found is not None, output
    return float(found.group(1)) * _UNITS[found.group(2)]


def run_wrk(call: Call, connections: int, seconds: float, tmp: Path) -> Run:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "--latency"]
    for name, value in call.headers.items():
        command += ["-H", f"{name}: {value}"]
    if call.script is not None:
        script = tmp / f"script-{time.monotonic_ns()}.lua"
        script.write_text(call.script)
        command += ["-s", str(script)]
    output = subprocess.run([*command, call.url], capture_output=True, text=True, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    elapsed = re.search(r"requests in ([\d.]+)(ms|s|m)", output)
    assert elapsed is not None, output
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(g) for g in socket_errors.groups()) if socket_errors else 0
    )
    return Run(
        requests=requests,
        seconds=float(elapsed.group(1)) * _UNITS[elapsed.group(2)] / 1000,
        errors=errors,
        p50_ms=_latency(output, 50),
        p99_ms=_latency(output, 99),
    )


def rss_mb(group: int) -> float:
    """Resident memory of every process in the process group ``group`` (a server and its children)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != group:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def _combine(runs: list[Run]) -> Run:
    return Run(
        requests=sum(r.requests for r in runs),
        seconds=sum(r.seconds for r in runs),
        errors=sum(r.errors for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=4.0, help="measured seconds per call, target and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("error: wrk is needed (make bench-peers installs it with apt-get)", file=sys.stderr)
        return 2
    python = timetagger_python()
    pg_server = os.environ.get("WORKTALLY_BENCH_POSTGRES_URL", DEFAULT_SERVER)

    from worktally.db.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="wt-peers-") as tmp_name, bench_database(pg_server, "peers") as pg_url:
        tmp = Path(tmp_name)
        sqlite_url = f"sqlite:///{tmp / 'worktally.db'}"
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKTALLY_", "TIMETAGGER_"))}
        tt_port, sqlite_port, pg_port = free_port(), free_port(), free_port()
        tt_env = {**base_env, "TIMETAGGER_DATADIR": str(tmp / "timetagger"), "TIMETAGGER_LOG_LEVEL": "warning"}
        (tmp / "timetagger").mkdir()
        tt_cmd = [str(python), "-m", "timetagger", f"--bind=127.0.0.1:{tt_port}"]
        seeded = {}
        for label, url in (("sqlite", sqlite_url), ("postgresql", pg_url)):
            upgrade(url)
            seeded[label] = asyncio.run(seed(url))

        def worktally_cmd(port: int) -> list[str]:
            return [sys.executable, "-m", "worktally.cli", "serve", "--port", str(port), "--workers", "1"]

        def worktally_env(url: str) -> dict[str, str]:
            return {
                **base_env,
                "WORKTALLY_DATABASE_URL": url,
                "WORKTALLY_RATE_LIMIT_PER_MINUTE": str(10**9),
                "WORKTALLY_SECRET_KEY": "bench",
                "WORKTALLY_LOG_LEVEL": "WARNING",
                "WORKTALLY_WEBHOOKS_INPROCESS_WORKER": "false",
            }

        tt_base = f"http://127.0.0.1:{tt_port}/timetagger/api/v2"
        with (
            server(tt_cmd, tt_env, f"http://127.0.0.1:{tt_port}/timetagger/", tmp / "timetagger.log") as tt_process,
            server(
                worktally_cmd(sqlite_port),
                worktally_env(sqlite_url),
                f"http://127.0.0.1:{sqlite_port}/readyz",
                tmp / "sqlite.log",
            ) as sqlite_process,
            server(
                worktally_cmd(pg_port), worktally_env(pg_url), f"http://127.0.0.1:{pg_port}/readyz", tmp / "pg.log"
            ) as pg_process,
        ):
            tt_headers = {"authtoken": timetagger_token(python, tt_env)}
            load_timetagger(tt_base, tt_headers)
            members = {
                label: load_worktally(f"http://127.0.0.1:{port}/api/v2", s.token, s.workspace_id, s.project_id)
                for (label, s), port in zip(seeded.items(), (sqlite_port, pg_port), strict=True)
            }
            processes = {
                "TimeTagger": tt_process,
                "Worktally SQLite": sqlite_process,
                "Worktally PostgreSQL": pg_process,
            }
            idle = {name: rss_mb(p.pid) for name, p in processes.items()}

            def calls(round_no: int) -> dict[str, dict[str, Call]]:
                first = CREATES_FROM + timedelta(days=40 * round_no)
                tt_range = f"{tt_base}/records?timerange="
                result = {
                    "TimeTagger": {
                        "day": Call(f"{tt_range}{_epoch(DAY)}-{_epoch(DAY + timedelta(days=1))}", tt_headers),
                        "week": Call(f"{tt_range}{_epoch(WEEK[0])}-{_epoch(WEEK[1] + timedelta(days=1))}", tt_headers),
                        "create": Call(
                            f"{tt_base}/records", tt_headers, _timetagger_create_script(first, f"c{round_no}_")
                        ),
                    }
                }
                for (label, member), port in zip(members.items(), (sqlite_port, pg_port), strict=True):
                    api = f"http://127.0.0.1:{port}/api/v2/time-entries"
                    common = f"workspace_id={member.workspace_id}&user_id={member.user_id}&per_page=50"
                    result[f"Worktally {'SQLite' if label == 'sqlite' else 'PostgreSQL'}"] = {
                        "day": Call(f"{api}?{common}&date={DAY}", member.headers),
                        "week": Call(f"{api}?{common}&date_from={WEEK[0]}&date_to={WEEK[1]}", member.headers),
                        "create": Call(api, member.headers, _worktally_create_script(member, first)),
                    }
                return result

            # Each answers what it should before it is measured: the day's 6, the week's 42. A server without
            # the date_from/date_to extension (before issue #14) cannot list a week in one request: not measured.
            skipped: set[tuple[str, str]] = set()
            for target, target_calls in calls(0).items():
                for name, expected in (("day", PER_DAY), ("week", PER_DAY * 7)):
                    call = target_calls[name]
                    response = httpx.get(call.url, headers=call.headers, timeout=30)
                    if name == "week" and response.status_code == 422:
                        skipped.add((target, name))
                        continue
                    body = response.json()
                    got = len(body.get("records", body.get("data", [])))
                    assert got == expected, f"{target} {name}: {got} records, expected {expected}: {str(body)[:300]}"

            def measured_calls(round_no: int) -> dict[str, dict[str, Call]]:
                return {
                    target: {name: call for name, call in target_calls.items() if (target, name) not in skipped}
                    for target, target_calls in calls(round_no).items()
                }

            for target_calls in measured_calls(99).values():
                for call in target_calls.values():
                    run_wrk(call, args.connections, args.warmup, tmp)

            measured: dict[tuple[str, str], list[Run]] = {}
            for round_no in range(1, args.rounds + 1):
                for target, target_calls in measured_calls(round_no).items():
                    for name, call in target_calls.items():
                        run = run_wrk(call, args.connections, args.seconds, tmp)
                        measured.setdefault((target, name), []).append(run)
            after = {name: rss_mb(p.pid) for name, p in processes.items()}

    results = {key: _combine(runs) for key, runs in measured.items()}
    print(
        f"\n{args.connections} connections, {args.rounds} interleaved rounds of {args.seconds:g} s per call and target\n"
    )
    print(
        f"{'target':<22}{'call':<8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p99/p50':>9}{'errors':>8}{'vs TimeTagger':>15}"
    )
    failed = False
    for target, name in sorted(skipped):
        print(f"{target:<22}{name:<8}  not measured: no date_from/date_to on this server")
    for (target, name), run in results.items():
        peer = results[("TimeTagger", name)]
        ratio = "" if target == "TimeTagger" else f"{run.rps / peer.rps:.2f}x"
        spread = run.p99_ms / run.p50_ms if run.p50_ms else float("nan")
        print(
            f"{target:<22}{name:<8}{run.rps:>9.1f}{run.p50_ms:>9.2f}{run.p99_ms:>9.2f}{spread:>9.1f}{run.errors:>8}{ratio:>15}"
        )
        failed = failed or run.errors > 0
    print(f"\n{'resident memory':<22}{'idle MB':>9}{'after MB':>9}")
    for name in idle:
        print(f"{name:<22}{idle[name]:>9.1f}{after[name]:>9.1f}")
    if failed:
        print("error: some requests failed (non-2xx or socket errors)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
