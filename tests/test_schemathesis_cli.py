"""The schemathesis command line, all checks and phases, against the real server: no failures.

`supportdesk serve` runs on a free port, on this leg's database (SQLite or PostgreSQL), with
data to reach: a client's open, closed and internal tickets, another client's, files stored
through the API, a service, a visible and a hidden department, an issued list cursor. Then
`schemathesis run` runs three times, with a client key and with a staff key (both with every
scope they can carry and a limit never reached): the client key and the staff key over all but
the admin routes, then the staff key over the admin routes alone (last: they change the
organisation the other runs' data lives in, and may rename the department the ticket routes
are pointed at), with `--checks all` and every phase (examples, coverage, fuzzing, stateful)
as `tests/schemathesis.toml` budgets them. Generated values name nothing most of the
time, so the test hands schemathesis the data above as dictionaries it draws from now and then.

A run passes when schemathesis exits 0. No check is switched off (`SWITCHED_OFF` would name
one, with the contract rule that justifies it). A `positive_data_acceptance` failure is dropped
only for a schema-valid case that a rule of the contract refuses, answered with exactly the
refusal that rule names (tests/fuzz_refusals.py, the rules tests/test_openapi_fuzz.py applies,
loaded by tests/schemathesis_hooks.py); how many each rule took is printed. Failures that
belong to work in progress elsewhere are in `tests/schemathesis-baseline.json`, each with its
reason, printed on every run with the keys it reproduced with; once that work lands they stop
reproducing and the entries go. The case counts per phase and key are printed (`pytest -s`; a
failure's message has them too), and a failure's message carries schemathesis' own report of
what failed and the curl command that reproduces it.

By hand: `SUPPORTDESK_FUZZ_SEED` replays a run (the seed is printed), `SUPPORTDESK_FUZZ_EXAMPLES`
sets the fuzzing phase's cases per operation for a longer run, `SUPPORTDESK_FUZZ_BASELINE_UPDATE=1`
records a run's failures in the baseline (give each its reason then).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from supportdesk.api.deps import state_of
from supportdesk.api.v2.problems import CODES
from supportdesk.core.actor import VIA_CLI, Actor
from supportdesk.core.db import Database
from supportdesk.tickets.models import Attachment
from supportdesk.webhooks import service as webhooks
from supportdesk.webhooks.models import WebhookDelivery
from tests import builders
from tests import conversation_builders as conversation
from tests.server import running_server
from tests.support import client_for

HERE = Path(__file__).parent
POLICY = HERE / "schemathesis.toml"
HOOKS = HERE / "schemathesis_hooks.py"
BASELINE = HERE / "schemathesis-baseline.json"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SEED = int(os.environ.get("SUPPORTDESK_FUZZ_SEED", "14"))
RUN_TIMEOUT = 900  # seconds a key's run may take at most
UNLIMITED = 1_000_000
PHASES = ("examples", "coverage", "fuzzing", "stateful")
VIEWERS = ("client", "staff")
MIN_SERVED = 14  # of the ticket operations (the admin ones apart), those that must answer 2xx
ADMIN_PATHS = "^/api/v2/admin/"
# Which operations each run covers, and with which viewer's key: the admin routes last, alone.
# The client key gets 403 on every admin route (tests/admin): fuzzing it there would spend
# thousands of cases on one answer.
RUNS = {
    "client": ("client", ["--exclude-path-regex", ADMIN_PATHS]),
    "staff": ("staff", ["--exclude-path-regex", ADMIN_PATHS]),
    "admin": ("staff", ["--include-path-regex", ADMIN_PATHS]),
}
MIN_SERVED_ADMIN = 25  # of the 41 admin operations, those that must answer the staff key 2xx
# Checks switched off, each with the contract rule that justifies it. None: every check runs.
SWITCHED_OFF: dict[str, str] = {}
LOG = b"2026-11-27 09:51:56 kernel: panic - not syncing\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


# --- the data the server holds ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reachable:
    keys: dict[str, str]
    numbers: list[int]
    refs: list[str]
    file_ids: list[int]
    file_public_ids: list[str]
    dept_ids: list[int]  # the visible department first, then the hidden one
    slugs: list[str]
    client_id: int
    service_id: int
    cursor: str
    # Each stored file's size, by its id and by its `tatt_` id (a Range past it is 416).
    file_sizes: dict[str, int] = field(default_factory=dict)
    # A client's message and a staff draft on the first ticket.
    message_ids: list[str] = field(default_factory=list)
    # A webhook endpoint (on loopback, saved past the target check) and its deliveries.
    webhook_ids: list[int] = field(default_factory=list)
    delivery_ids: list[str] = field(default_factory=list)


async def _upload(api: httpx.AsyncClient, key: str, data: bytes, name: str) -> str:
    response = await api.post(
        "/api/v2/support/attachments",
        headers={"X-API-Key": key},
        files={"file": (name, data, "application/octet-stream")},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["attachmentId"])


@pytest.fixture
async def reachable(db: Database, app: FastAPI) -> Reachable:
    world = await builders.world(db)
    keys = {
        viewer: (
            await builders.api_key(db, scopes=scopes, rate_limit_per_minute=UNLIMITED, **owner)
        )[1]
        for viewer, owner, scopes in (
            ("client", {"client_id": world.client_id}, conversation.ALL_SCOPES),
            ("staff", {"staff_id": world.staff_id}, conversation.STAFF_SCOPES),
        )
    }
    service = await builders.service(db, world.client_id)
    specs: list[tuple[int, int, dict[str, Any]]] = [
        (616828, world.client_id, {}),
        (616829, world.other_client_id, {}),
        (616830, world.client_id, {"flags": 16}),
        (616831, world.client_id, {"status": "Closed"}),
    ]
    tickets = [
        await builders.ticket(db, number=number, dept_id=world.dept_id, client_id=owner, **more)
        for number, owner, more in specs
    ]
    await builders.replies(db, tickets[0].id, 2)
    await builders.link_service(db, tickets[0].id, service)
    public_ids = [await conversation.public_id_of(db, ticket.id) for ticket in tickets]
    loopback = state_of(app).settings.model_copy(update={"webhooks_allow_private": True})
    async with db.transaction() as session:
        webhook, _ = await webhooks.create_endpoint(
            session, Actor.system(VIA_CLI), loopback, url="http://127.0.0.1:9/", events="*"
        )
    async with client_for(app) as api:
        uploads = [
            await _upload(api, keys["client"], LOG, "console.log"),
            await _upload(api, keys["client"], PNG, "screen.png"),
        ]
        attached = await api.post(
            f"/api/v2/support/tickets/{public_ids[0]}/messages",
            headers={"X-API-Key": keys["client"]},
            json={"message": "The logs.", "attachmentIds": uploads},
        )
        assert attached.status_code == 201, attached.text
        drafted = await api.post(
            f"/api/v2/support/tickets/{public_ids[0]}/messages",
            headers={"X-API-Key": keys["staff"]},
            json={"message": "A draft.", "draft": True},
        )
        assert drafted.status_code == 201, drafted.text
        page = await api.get(
            "/api/v2/support/tickets", params={"limit": 1}, headers={"X-API-Key": keys["staff"]}
        )
        assert page.status_code == 200, page.text
    files = await conversation.attachment_ids(db, tickets[0].id)
    async with db.transaction() as session:
        rows = (await session.execute(select(Attachment.id, Attachment.byte_length))).all()
        deliveries = list((await session.execute(select(WebhookDelivery.public_id))).scalars())
    sizes: dict[int, int] = {int(row[0]): int(row[1]) for row in rows}
    file_sizes = {
        str(name): sizes[file_id]
        for file_id, public_id, _ in files
        for name in (file_id, public_id)
    }
    return Reachable(
        keys=keys,
        numbers=[ticket.number for ticket in tickets],
        refs=[*public_ids, *(str(ticket.number) for ticket in tickets)],
        file_ids=[file_id for file_id, _, _ in files],
        file_public_ids=[public_id for _, public_id, _ in files],
        dept_ids=[world.dept_id, world.hidden_dept_id],
        slugs=[
            await conversation.department_slug(db, world.dept_id),
            await conversation.department_slug(db, world.hidden_dept_id),
        ],
        client_id=world.client_id,
        service_id=service,
        webhook_ids=[webhook.id],
        delivery_ids=deliveries,
        cursor=str(page.json()["nextCursor"]),
        file_sizes=file_sizes,
        message_ids=[attached.json()["id"], drafted.json()["id"]],
    )


# --- the configuration ---------------------------------------------------------------------------


def _toml(value: Any) -> str:
    return json.dumps(value)  # a JSON string, number or array of them is TOML too


def _binding(dictionary: str) -> str:
    """Half of the cases draw the parameter from `dictionary`, the others as generated."""
    return f"{{ dictionary = {_toml(dictionary)}, probability = 0.5 }}"


def _configuration(data: Reachable) -> str:
    """`tests/schemathesis.toml`, then the key header and the data to draw from."""
    dictionaries = {
        "numbers": data.numbers,
        "refs": data.refs,
        "file-ids": data.file_ids,
        "file-public-ids": data.file_public_ids,
        "dept-ids": data.dept_ids,
        "slugs": data.slugs,
        "client-ids": [data.client_id],
        "service-ids": [data.service_id],
        "cursors": [data.cursor],
        "message-ids": data.message_ids,
        "codes": sorted(CODES),
        "webhook-ids": data.webhook_ids,
        "delivery-ids": data.delivery_ids,
    }
    everywhere = {
        "path.number": "numbers",
        "path.ticket_id": "refs",
        "query.ticketId": "refs",
        "body.ticketId": "refs",
        "query.departmentSlug": "slugs",
        "body.departmentSlug": "slugs",
        "query.cursor": "cursors",
        "body.dept_id": "dept-ids",
        "body.client_id": "client-ids",
        "body.clientId": "client-ids",
        "body.context.service_id": "service-ids",
        "body.context.serviceId": "service-ids",
        "path.code": "codes",
        "path.message_id": "message-ids",
        "body.messageId": "message-ids",
        "body.lastSeenMessageId": "message-ids",
        "body.intoTicketId": "refs",
        "path.webhook_id": "webhook-ids",
        "path.delivery_id": "delivery-ids",
    }
    by_operation = {
        "GET /api/support/tickets/{number}/attachments/{attachment_id}": "file-ids",
        "GET /api/v2/support/attachments/{attachment_id}": "file-public-ids",
    }
    # A top-level key comes before the policy's tables.
    lines = ['headers = { "X-API-Key" = "${SUPPORTDESK_FUZZ_KEY}" }', POLICY.read_text(), ""]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml(values)}", ""]
    lines.append("[parameters]")
    for parameter, dictionary in everywhere.items():
        lines.append(
            f"{_toml(parameter)} = {{ dictionary = {_toml(dictionary)}, probability = 0.5 }}"
        )
    for operation, dictionary in by_operation.items():
        binding = f"{{ dictionary = {_toml(dictionary)}, probability = 0.5 }}"
        lines += [
            "",
            "[[operations]]",
            f"include-name = {_toml(operation)}",
            f'parameters = {{ "path.attachment_id" = {binding} }}',
        ]
    return "\n".join(lines) + "\n"


# --- a run ----------------------------------------------------------------------------------------


@dataclass
class Run:
    viewer: str
    exit_code: int
    output: str
    cases: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # baseline entries this run reproduced
    served: set[str] = field(default_factory=set)  # operations that answered 2xx
    # positive_data_acceptance failures dropped, by the contract rule that names the refusal
    refused: Counter[str] = field(default_factory=Counter)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> str:
        total = sum(self.cases.values())
        phases = ", ".join(f"{phase} {self.cases[phase]}" for phase in PHASES)
        statuses = {phase: dict(sorted(found.items())) for phase, found in self.statuses.items()}
        refused = ", ".join(f"{rule} {n}" for rule, n in sorted(self.refused.items())) or "none"
        return (
            f"  {self.viewer} key: {total} cases ({phases}); statuses {statuses}\n"
            f"    schema-valid cases refused by a contract rule, as it names: {refused}"
        )

    def failure_report(self) -> str:
        """schemathesis' FAILURES section: each failing operation, the check, the status, the
        curl command that reproduces it."""
        start = self.output.find("FAILURES")
        end = self.output.find("SUMMARY", start)
        section = self.output[start:end] if start >= 0 else self.output[-8000:]
        return f"--- {self.viewer} key (exit {self.exit_code}) ---\n{section[:20000]}"


def _read_reports(run: Run, reports: Path) -> None:
    for path in reports.glob("*.ndjson"):
        for line in path.read_text().splitlines():
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if not finished or not finished.get("recorder"):
                continue
            phase = finished["phase"]
            recorder = finished["recorder"]
            run.cases[phase] += len(recorder.get("cases", {}))
            statuses = run.statuses.setdefault(phase, Counter())
            label = recorder.get("label", "")
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response")
                status = response["status_code"] if response else 0
                statuses[status] += 1
                method = interaction.get("request", {}).get("method", "")
                if 200 <= status < 300 and label.startswith(f"{method} "):
                    run.served.add(label)
    for path in reports.glob("*.json"):
        report = json.loads(path.read_text())
        run.failures = report.get("failures", [])
        run.known = (report.get("baseline") or {}).get("known_ids") or []
        run.warnings = {name: found for name, found in report.get("warnings", {}).items() if found}


def _run(base_url: str, data: Reachable, name: str, workdir: Path) -> Run:
    viewer, selection = RUNS[name]
    config = workdir / f"schemathesis-{name}.toml"
    config.write_text(_configuration(data))
    reports = workdir / f"reports-{name}"
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{base_url}/openapi.json",
        "--url",
        base_url,
        "--checks",
        "all",
        "--phases",
        ",".join(PHASES),
        "--seed",
        str(SEED),
        "--no-color",
        "--report",
        "ndjson,json",
        "--report-dir",
        str(reports),
        *selection,
    ]
    if SWITCHED_OFF:
        command += ["--exclude-checks", ",".join(SWITCHED_OFF)]
    if os.environ.get("SUPPORTDESK_FUZZ_BASELINE_UPDATE"):
        command += ["--baseline", str(BASELINE), "--baseline-update"]
    elif BASELINE.exists():
        command += ["--baseline", str(BASELINE)]
    if os.environ.get("SUPPORTDESK_FUZZ_EXAMPLES"):
        command += ["--max-examples", os.environ["SUPPORTDESK_FUZZ_EXAMPLES"]]
    usable = slice(None) if viewer == "staff" else slice(0, 1)  # a client sees visible ones
    known = {
        "viewer": viewer,
        "dept_ids": data.dept_ids[usable],
        "slugs": data.slugs[usable],
        "client_id": data.client_id,
        "service_id": data.service_id,
        "cursor": data.cursor,
        "file_sizes": data.file_sizes,
    }
    dropped = workdir / f"refused-by-contract-{name}.jsonl"
    env = {
        **os.environ,
        "SUPPORTDESK_FUZZ_KEY": data.keys[viewer],
        "SUPPORTDESK_FUZZ_KNOWN": json.dumps(known),
        "SUPPORTDESK_FUZZ_DROPPED": str(dropped),
        "SCHEMATHESIS_HOOKS": str(HOOKS),
        # The hooks import `tests.fuzz_refusals`.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")])
        ),
    }
    finished = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
        cwd=workdir,
    )
    run = Run(name, finished.returncode, finished.stdout + finished.stderr)
    (workdir / f"schemathesis-{name}.txt").write_text(run.output)
    _read_reports(run, reports)
    if dropped.exists():
        for line in dropped.read_text().splitlines():
            run.refused[json.loads(line)["rule"]] += 1
    return run


def _baseline_lines(runs: list[Run]) -> list[str]:
    """Each accepted failure, the keys it reproduced with, and why it is accepted."""
    if not BASELINE.exists():
        return []
    lines = [f"  accepted failures ({BASELINE.name}):"]
    for entry in json.loads(BASELINE.read_text())["entries"]:
        seen = [run.viewer for run in runs if entry["id"] in run.known] or ["not reproduced"]
        lines.append(
            f"    {entry['id']} {entry['operation']} {entry['check']} {entry['signature']}"
            f" [{', '.join(seen)}]: {entry.get('reason', '(no reason given)')}"
        )
    return lines


def test_the_schemathesis_cli_finds_nothing_with_a_client_or_a_staff_key(
    reachable: Reachable, server_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**server_env, "SUPPORTDESK_AUTH_FAILURES_PER_MINUTE": "100000"}
    with running_server(env, tmp_path / "server.log") as server:
        runs = [_run(server.base_url, reachable, name, tmp_path) for name in RUNS]
    lines = [f"\nschemathesis {SEED=} ({', '.join(PHASES)}; checks: all)"]
    lines += [run.summary() for run in runs]
    for name, reason in SWITCHED_OFF.items():
        lines.append(f"  check switched off: {name}: {reason}")
    lines += _baseline_lines(runs)
    lines += [
        f"  warning ({run.viewer}): {name}: {found}"
        for run in runs
        for name, found in run.warnings.items()
    ]
    print("\n".join(lines))
    for run in runs:
        # A run that reached nothing (a refused key, data never hit) must not pass.
        # The admin routes have no links to follow: no stateful phase there.
        phases = ("coverage", "fuzzing") if run.viewer == "admin" else PHASES[1:]
        for phase in phases:
            assert run.cases[phase] > 0, f"{run.viewer}: no {phase} cases\n{run.output[-3000:]}"
        least = MIN_SERVED_ADMIN if run.viewer == "admin" else MIN_SERVED
        assert len(run.served) >= least, f"{run.viewer}: 2xx on {sorted(run.served)} only"
    failed = [run for run in runs if run.exit_code != 0]
    assert not failed, "\n".join(lines + [run.failure_report() for run in failed])
