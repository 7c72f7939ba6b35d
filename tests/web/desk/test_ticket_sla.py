"""The ticket page's SLA section: each policy of the department as `GET .../sla` reads it."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from supportdesk.core.actor import VIA_API_V2, Actor
from supportdesk.core.db import Database
from supportdesk.core.scopes import SCOPES
from supportdesk.sla.models import SlaBreach
from supportdesk.web.desk.render import when
from tests import builders
from tests.sla.conftest import Scene, add_policy, open_ticket, run_job
from tests.web.desk.helpers import sign_in, staff_with_password

HOUR = timedelta(hours=1)


def _scene(world: builders.World) -> Scene:
    return Scene(
        world=world,
        admin=Actor.staff(world.owner_id, VIA_API_V2, frozenset(SCOPES)),
        staff=Actor.staff(world.staff_id, VIA_API_V2, frozenset(SCOPES)),
        client=Actor.client(world.client_id, VIA_API_V2, frozenset(SCOPES)),
    )


def _policy_item(page: str, name: str) -> str:
    found = re.search(
        rf'<li class="sla-policy[^"]*">\s*<h3[^>]*>{name}</h3>(.*?)</li>'
        r'\s*(?=<li class="sla-policy|</ul>)',
        page,
        re.S,
    )
    assert found is not None, page
    return found.group(0)


async def test_a_breached_policy_shows_with_its_due_time_beside_one_still_running(
    api: httpx.AsyncClient, db: Database, world: builders.World
) -> None:
    scene = _scene(world)
    await staff_with_password(db)
    await add_policy(db, scene, name="Gold first answer", level=2, hours=1.0)
    await add_policy(db, scene, name="Week resolution", trigger="resolution", hours=168.0)
    number = await open_ticket(db, scene)
    assert await run_job(db, 2 * HOUR) == 1
    async with db.transaction() as session:
        due_at = (await session.execute(select(SlaBreach.due_at))).scalar_one()

    await sign_in(api)
    page = await api.get(f"/desk/tickets/{number}")
    assert page.status_code == 200
    breached = _policy_item(page.text, "Gold first answer")
    assert 'class="sla-policy breached"' in breached
    assert f'<dt>Due</dt><dd><time datetime="{due_at.isoformat()}' in breached
    assert when(due_at) in breached
    assert "<dt>Breached</dt><dd><strong>yes</strong>" in breached
    assert "<dt>Trigger</dt><dd>first response</dd>" in breached
    assert "<dt>Level</dt><dd>2</dd>" in breached
    assert "<summary>Why this due time</summary>" in breached
    running = _policy_item(page.text, "Week resolution")
    assert "<dt>State</dt><dd>running</dd>" in running
    assert "<dt>Breached</dt><dd>no</dd>" in running


async def test_a_department_without_policies_says_so(
    api: httpx.AsyncClient, world_ticket: int
) -> None:
    await sign_in(api)
    page = await api.get(f"/desk/tickets/{world_ticket}")
    assert page.status_code == 200
    assert "No SLA policy applies to this department." in page.text
