"""`make bench`: the ticket read against the floor, in one run. Prints figures, never fails on them.

For each backend: load a data set, start one `supportdesk serve` worker, drive it with wrk from a
separate process (random visible tickets, keys of several clients) at several concurrencies,
repeat and keep the median run; then the same against the floor (a raw ASGI callable on the same
server sending bytes of the same size). Results go to bench/results/<date>.json and
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, event, select

from bench import desk
from supportdesk.api.deps import state_of
from supportdesk.app import create_app
from supportdesk.core.config import Settings
from supportdesk.keys.service import create_key
from supportdesk.models import Reply, Ticket

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def server_command(server: str, target: str, port: int, *, factory: bool) -> list[str]:
    """One worker process of the chosen ASGI server (uvicorn as `supportdesk serve` runs it,
    with uvloop and httptools; or granian)."""
    if server == "granian":
        command = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--workers", "1", "--loop", "uvloop", "--no-log"]
        return [*command, *(["--factory"] if factory else []), target]
    if factory:
        return [sys.executable, "-m", "supportdesk", "serve", "--port", str(port)]
    return [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--no-access-log"]


def peak_rss_mb(pid: int) -> float:
    """The largest peak RSS of the server process and its children (granian forks a worker)."""
    peaks = []
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for process in [pid, *(int(c) for c in children.read_text().split())]:
        for line in Path(f"/proc/{process}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=float("nan"))


def wrk(
    port: int, connections: int, seconds: int, targets: Path, etag: bool, case: str = "v1"
) -> dict[str, float]:
    """One wrk run of `read.lua`'s `case` (`v1` detail, `v2` detail, `v2list` page of 20)."""
    env = {
        **os.environ,
        "BENCH_TARGETS": str(targets),
        "BENCH_ETAG": "1" if etag else "0",
        "BENCH_CASE": case,
    }
    threads = min(2, connections)
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(HERE / "read.lua"),
            f"http://127.0.0.1:{port}/",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    line = next(row for row in output.splitlines() if row.startswith("BENCH "))
    requests, micros, p50, p99, errors = line.split()[1:]
    return {
        "rps": int(requests) / (int(micros) / 1e6),
        "p50_ms": float(p50) / 1000,
        "p99_ms": float(p99) / 1000,
        "errors": int(errors),
    }


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    ordered = sorted(runs, key=lambda run: run["rps"])
    return ordered[len(ordered) // 2]


async def prepare(
    url: str, clients: int, per_client: int
) -> tuple[list[str], dict[str, Any], bytes]:
    """Keys for several clients, their tickets with current ETags, and the SQL count per read."""
    app = create_app(
        Settings(
            database_url=url,
            rate_limit_per_minute=1_000_000,
            key_cache_seconds=60,
            log_level="WARNING",
        )
    )
    database = state_of(app).db
    rng = random.Random(7)
    lines: list[str] = []
    async with database.transaction() as session:
        owners = [
            row[0]
            for row in (
                await session.execute(
                    select(Ticket.client_id)
                    .group_by(Ticket.client_id)
                    .order_by(Ticket.client_id)
                    .limit(clients)
                )
            ).all()
        ]
        keys = {}
        for owner in owners:
            _, keys[owner] = await create_key(
                session,
                client_id=owner,
                staff_id=None,
                scopes=["read:support"],
                rate_limit_per_minute=10_000_000,
            )
        _, staff_key = await create_key(
            session,
            client_id=None,
            staff_id=1,
            scopes=["read:support"],
            rate_limit_per_minute=10_000_000,
        )
        picked: list[tuple[int, int]] = []
        for owner in owners:
            numbers = [
                row[0]
                for row in (
                    await session.execute(
                        select(Ticket.ticket_number).where(Ticket.client_id == owner)
                    )
                ).all()
            ]
            picked += [(owner, n) for n in rng.sample(numbers, min(per_client, len(numbers)))]
        from sqlalchemy import func

        counts = (
            select(Reply.ticket_id, func.count().label("n")).group_by(Reply.ticket_id).subquery()
        )
        fewest = (
            await session.execute(
                select(Ticket.ticket_number)
                .outerjoin(counts, counts.c.ticket_id == Ticket.id)
                .order_by(func.coalesce(counts.c.n, 0))
                .limit(1)
            )
        ).scalar_one()
        most = (
            await session.execute(
                select(Ticket.ticket_number, counts.c.n)
                .join(counts, counts.c.ticket_id == Ticket.id)
                .order_by(counts.c.n.desc())
                .limit(1)
            )
        ).one()
    transport = httpx.ASGITransport(app=app)
    sample_body = b""
    statements: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for owner, number in picked:
            response = await client.get(
                f"/api/support/tickets/{number}", headers={"X-API-Key": keys[owner]}
            )
            response.raise_for_status()
            lines.append(f"{keys[owner]} {number} {response.headers['etag']}")
            if not sample_body or abs(len(response.content) - 7000) < abs(len(sample_body) - 7000):
                sample_body = response.content
        engine: Engine | None = database._sqlite_engine
        if engine is None:
            assert database._async_engine is not None
            engine = database._async_engine.sync_engine
        answers = state_of(app).answers

        async def counted(path: str) -> int:
            seen: list[str] = []

            def listener(*args: Any) -> None:
                seen.append(args[2])

            event.listen(engine, "before_cursor_execute", listener)
            response = await client.get(path, headers={"X-API-Key": staff_key})
            event.remove(engine, "before_cursor_execute", listener)
            response.raise_for_status()
            return len(seen)

        for label, number in (("fewest_replies", fewest), ("most_replies", most[0])):
            path = f"/api/support/tickets/{number}"
            await client.get(path, headers={"X-API-Key": staff_key})  # key cache, read marker
            statements[label] = await counted(path)  # the answer is cached
            answers.clear()
            statements[f"{label}_built"] = await counted(path)  # built again
        statements["most_replies_count"] = int(most[1])
    await database.dispose()
    return lines, statements, sample_body


def measure_server(
    command: list[str],
    env: dict[str, str],
    port: int,
    targets: Path,
    options: argparse.Namespace,
    etag_too: bool,
) -> dict[str, Any]:
    process = subprocess.Popen(
        command,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/healthz", process)
        # Warm-up: every target read once (so the cases measure cached answers, as a server
        # that has run a while serves them), then two seconds of load.
        wrk(port, 16, 2, targets, False)
        result: dict[str, Any] = {}

        def median(connections: int, *, etag: bool = False, case: str = "v1") -> dict[str, float]:
            runs = [
                wrk(port, connections, options.seconds, targets, etag, case)
                for _ in range(options.repeats)
            ]
            return median_run(runs)

        for connections in options.concurrency:
            result[f"c{connections}"] = median(connections)
        if etag_too:
            result["c64_304"] = median(64, etag=True)
            # The v2 detail and the v2 list (20 a page) beside the v1 read.
            for connections in (16, 64):
                wrk(port, 16, 1, targets, False, "v2")
                result[f"c{connections}_v2"] = median(connections, case="v2")
                result[f"c{connections}_v2list"] = median(connections, case="v2list")
        result["peak_rss_mb"] = peak_rss_mb(process.pid)
        return result
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description="supportdesk read benchmark")
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--no-readme", action="store_true", help="leave bench/README.md as is")
    parser.add_argument("--postgres-url", default=os.environ.get("SUPPORTDESK_BENCH_POSTGRES_URL"))
    options = parser.parse_args()
    from bench.generate import generate

    work = Path(tempfile.mkdtemp(prefix="sd-bench-"))
    backends = {"sqlite": f"sqlite:///{work / 'bench.db'}"}
    if options.postgres_url:
        import asyncpg

        name = f"sd_bench_{os.getpid()}"

        async def admin(sql: str) -> None:
            connection = await asyncpg.connect(options.postgres_url.replace("+asyncpg", ""))
            await connection.execute(sql)
            await connection.close()

        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}"'))
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
        backends["postgres"] = options.postgres_url.rsplit("/", 1)[0] + f"/{name}"
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "tickets": options.tickets,
        "seconds": options.seconds,
        "repeats": options.repeats,
        "cases": {},
    }
    floor_body: bytes = b""
    for backend, url in backends.items():
        print(f"[{backend}] loading {options.tickets} tickets", flush=True)
        generate(url, options.tickets)
        lines, statements, sample = asyncio.run(prepare(url, clients=20, per_client=100))
        floor_body = floor_body or sample
        targets = work / f"targets-{backend}.txt"
        targets.write_text("\n".join(lines) + "\n")
        port = free_port()
        print(f"[{backend}] measuring", flush=True)
        case = measure_server(
            server_command(options.server, "supportdesk.app:create_app", port, factory=True),
            {
                "SUPPORTDESK_DATABASE_URL": url,
                "SUPPORTDESK_LOG_LEVEL": os.environ.get("SUPPORTDESK_LOG_LEVEL", "INFO"),
                # The generated data set has answered tickets long past auto-close: the read
                # benchmark measures reads of that data, not the jobs closing it meanwhile.
                "SUPPORTDESK_JOBS_ENABLED": "false",
            },
            port,
            targets,
            options,
            etag_too=True,
        )
        case["sql_statements_per_read"] = statements
        case["desk"] = desk.measure(url)
        results["cases"][backend] = case
        (work / "floor-body.json").write_bytes(floor_body)
    port = free_port()
    print("[floor] measuring", flush=True)
    results["cases"]["floor"] = measure_server(
        server_command(options.server, "bench.floor:app", port, factory=False),
        {"BENCH_FLOOR_BODY": str(work / "floor-body.json")},
        port,
        targets,
        options,
        etag_too=False,
    )
    results["floor_body_bytes"] = len(floor_body)
    results["server"] = options.server
    results["update_readme"] = not options.no_readme
    report(results)


_VARIANTS = {"304": "304", "v2": "v2 detail", "v2list": "v2 list of 20"}
# Issue 12's targets, per backend: v1 read's share of the floor at c16 and c64, and the
# statements a cached read may take.
_FLOOR_SHARE = {"sqlite": 0.25, "postgres": 0.15}
_CACHED_STATEMENTS = {"sqlite": 2, "postgres": 1}


def targets_table(results: dict[str, Any]) -> str:
    """Each of issue 12's targets with the figure this run measured, and whether it is met."""
    floor = results["cases"]["floor"]
    rows = ["| backend | target | measured | met |", "|---|---|---|---|"]

    def row(backend: str, target: str, value: float, ok: bool, digits: int = 3) -> None:
        rows.append(f"| {backend} | {target} | {value:.{digits}f} | {'yes' if ok else 'no'} |")

    for backend, case in results["cases"].items():
        if backend == "floor":
            continue
        share = _FLOOR_SHARE.get(backend, 0.25)
        for connections in (16, 64):
            run, base = case.get(f"c{connections}"), floor.get(f"c{connections}")
            if run and base:
                value = run["rps"] / base["rps"]
                row(backend, f"v1 read c{connections} / floor >= {share}", value, value >= share)
        run, base = case.get("c64"), floor.get("c64")
        if run and base:
            value = run["p99_ms"] / base["p99_ms"]
            row(backend, "v1 p99 c64 / floor p99 <= 4", value, value <= 4, 2)
        if run and case.get("c64_304"):
            value = case["c64_304"]["rps"] / run["rps"]
            row(backend, "304 rps / full read rps (c64) >= 3", value, value >= 3, 2)
        for connections in (16, 64):
            v1 = case.get(f"c{connections}")
            for variant, wanted in (("v2", 0.8), ("v2list", 0.5)):
                other = case.get(f"c{connections}_{variant}")
                if v1 and other:
                    value = other["rps"] / v1["rps"]
                    target = f"{_VARIANTS[variant]} rps / v1 rps (c{connections}) >= {wanted}"
                    row(backend, target, value, value >= wanted, 2)
        sql = case.get("sql_statements_per_read", {})
        if sql:
            most = max(sql.get("fewest_replies", 99), sql.get("most_replies", 99))
            limit = _CACHED_STATEMENTS.get(backend, 2)
            row(backend, f"SQL per cached read <= {limit}", most, most <= limit, 0)
            built = (sql.get("fewest_replies_built"), sql.get("most_replies_built"))
            rows.append(
                f"| {backend} | SQL per built read (fewest/most replies) | "
                f"{built[0]}/{built[1]} | fixed: {'yes' if built[0] == built[1] else 'no'} |"
            )
        row(backend, "peak RSS MB < 200", case["peak_rss_mb"], case["peak_rss_mb"] < 200, 0)
    return "\n".join(rows)


def report(results: dict[str, Any]) -> None:
    floor = results["cases"]["floor"]
    rows = [
        "| case | conc. | rps | p50 ms | p99 ms | ratio to floor | p99 / floor p99 "
        "| SQL per read | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, case in results["cases"].items():
        for key, run in case.items():
            if not key.startswith("c"):
                continue
            connections, _, variant = key[1:].partition("_")
            base = floor.get(f"c{connections}")
            ratio = run["rps"] / base["rps"] if base else float("nan")
            p99 = run["p99_ms"] / base["p99_ms"] if base else float("nan")
            sql = case.get("sql_statements_per_read", {})
            sql_text = (
                f"{sql.get('fewest_replies', '-')}/{sql.get('most_replies', '-')}"
                if sql and not variant
                else "-"
            )
            label = name + (f" ({_VARIANTS[variant]})" if variant else "")
            cells = [
                label,
                connections,
                f"{run['rps']:.0f}",
                f"{run['p50_ms']:.2f}",
                f"{run['p99_ms']:.2f}",
                f"{ratio:.3f}",
                f"{p99:.2f}",
                sql_text,
                f"{case['peak_rss_mb']:.0f}",
            ]
            rows.append("| " + " | ".join(cells) + " |")
    table = "\n".join(rows) + "\n\n" + targets_table(results)
    print(table)
    table += "\n\n" + desk.report(results)
    out = HERE / "results" / f"{results['date'][:10]}-{results['tickets']}-tickets.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    if not results["update_readme"]:
        print(f"written: {out}")
        return
    readme = HERE / "README.md"
    text = readme.read_text() if readme.exists() else ""
    marker = "<!-- results -->"
    head = text.split(marker)[0] if marker in text else text
    sql = results["cases"].get("sqlite", {}).get("sql_statements_per_read", {})
    summary = (
        f"Latest run ({results['date']}, {results['tickets']} tickets, {results['seconds']} s x "
        f"{results['repeats']} runs, median run; SQL per read: the ticket with the fewest / the "
        f"most replies ({sql.get('most_replies_count', '?')})):"
    )
    readme.write_text(f"{head}{marker}\n{summary}\n\n{table}\n")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
