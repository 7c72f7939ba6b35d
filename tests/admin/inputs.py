"""The admin routes' inputs, for `tests/api/input_catalogue.INPUTS` (which appends them): each
body field, path and query parameter that lands in or is compared with a column."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx

from supportdesk.admin.hours import TIMEZONE_LENGTH
from supportdesk.api.v2.admin import schemas as limits
from supportdesk.core import columns as S
from supportdesk.webhooks.models import URL_LENGTH
from tests.api.input_catalogue import Input, Scene, Sender, Value, _json, _quoted, _set

ADMIN = "/api/v2/admin"
Base = dict[str, Any] | Callable[[Scene], dict[str, Any]]


def _url(template: str, scene: Scene, value: Value | None = None) -> str:
    world = scene.cast.world
    return template.format(
        staff=world.owner_id,
        client=world.client_id,
        group=world.group_id,
        dept=world.dept_id,
        service=scene.service_id,
        value=_quoted(value) if value is not None else "",
    )


def body(method: str, template: str, pointer: str, base: Base) -> Sender:
    """`value` at `pointer` in an otherwise valid body, sent with the staff key (every scope)."""

    async def send(scene: Scene, value: Value) -> httpx.Response:
        start = base(scene) if callable(base) else copy.deepcopy(base)
        content = _json(_set(start, pointer, value), value)
        return await scene.api.request(
            method,
            _url(template, scene),
            content=content,
            headers={"X-API-Key": scene.cast.staff_key, "Content-Type": "application/json"},
        )

    return send


def path(method: str, template: str, payload: dict[str, Any] | None = None) -> Sender:
    async def send(scene: Scene, value: Value) -> httpx.Response:
        return await scene.api.request(
            method,
            _url(template, scene, value),
            json=payload,
            headers={"X-API-Key": scene.cast.staff_key},
        )

    return send


def _staff() -> dict[str, Any]:
    return {"username": "meg", "firstname": "Meg", "lastname": "White", "email": "meg@h.example"}


def _client() -> dict[str, Any]:
    return {"firstname": "Lin", "lastname": "Chu", "email": "lin@example.com"}


def _policy(scene: Scene) -> dict[str, Any]:
    return {"departmentId": scene.dept_id, "level": 1, "hours": 4}


_HOURS = {"timezone": "UTC", "week": {"mon": [["09:00", "17:00"]]}}
STAFF, CLIENTS, DEPTS = f"{ADMIN}/staff", f"{ADMIN}/clients", f"{ADMIN}/departments"
SERVICES = f"{ADMIN}/clients/{{client_id}}/services"
STATUSES, POLICIES, MACROS, KEYS = (
    f"{ADMIN}/statuses",
    f"{ADMIN}/sla-policies",
    f"{ADMIN}/macros",
    f"{ADMIN}/keys",
)
HOOKS = f"{ADMIN}/webhooks"
_HOOK = {"url": "http://127.0.0.1:9/hooks"}
_DEPT = {"slug": "billing", "name": "Billing"}
ID = S.ROW_ID_MAX
NAME = limits.NAME_LENGTH


def _staff_key(scene: Scene) -> dict[str, Any]:
    return {"staffId": scene.cast.world.owner_id, "scopes": ["read:support"]}


def _client_key(scene: Scene) -> dict[str, Any]:
    return {"clientId": scene.cast.world.client_id, "scopes": ["read:support"]}


# fmt: off
ADMIN_INPUTS = [
    # staff
    Input("admin staff username", True, "body", "text",
          body("POST", STAFF, "username", _staff()), limits.USERNAME_LENGTH,
          ("post", STAFF, "username"), ("staff.username",)),
    Input("admin staff firstname", True, "body", "text",
          body("POST", STAFF, "firstname", _staff()), NAME,
          ("post", STAFF, "firstname"), ("staff.firstname",)),
    Input("admin staff lastname", True, "body", "text",
          body("PATCH", STAFF + "/{staff}", "lastname", {}), NAME,
          ("patch", STAFF + "/{staff_id}", "lastname"), ("staff.lastname",)),
    Input("admin staff email", True, "body", "text",
          body("POST", STAFF, "email", _staff()), S.EMAIL_LENGTH,
          ("post", STAFF, "email"), ("staff.email",)),
    Input("admin staff signature", True, "body", "text",
          body("PATCH", STAFF + "/{staff}", "signature", {}), limits.SIGNATURE_LENGTH,
          ("patch", STAFF + "/{staff_id}", "signature"), ("staff.signature",)),
    Input("admin staff status", True, "body", "choice",
          body("POST", STAFF, "status", _staff()), 16,
          ("post", STAFF, "status"), ("staff.status",)),
    Input("admin staff departmentIds[0]", True, "body", "integer",
          body("POST", STAFF, "departmentIds.0", {**_staff(), "departmentIds": [0]}), ID,
          ("post", STAFF, "departmentIds.0"), ("department_staff.department_id",)),
    Input("admin staff {staff_id}", True, "path", "integer",
          path("GET", STAFF + "/{value}"), ID, ("get", STAFF + "/{staff_id}", "staff_id")),
    # client groups, clients, services
    Input("admin client-groups name", True, "body", "text",
          body("POST", f"{ADMIN}/client-groups", "name", {"name": ""}), NAME,
          ("post", f"{ADMIN}/client-groups", "name"), ("client_groups.name",)),
    Input("admin clients firstname", True, "body", "text",
          body("POST", CLIENTS, "firstname", _client()), NAME,
          ("post", CLIENTS, "firstname"), ("clients.firstname",)),
    Input("admin clients lastname", True, "body", "text",
          body("PATCH", CLIENTS + "/{client}", "lastname", {}), NAME,
          ("patch", CLIENTS + "/{client_id}", "lastname"), ("clients.lastname",)),
    Input("admin clients company", True, "body", "text",
          body("POST", CLIENTS, "company", _client()), limits.COMPANY_LENGTH,
          ("post", CLIENTS, "company"), ("clients.company",)),
    Input("admin clients email", True, "body", "text",
          body("POST", CLIENTS, "email", _client()), S.EMAIL_LENGTH,
          ("post", CLIENTS, "email"), ("clients.email",)),
    Input("admin clients groupId", True, "body", "integer",
          body("POST", CLIENTS, "groupId", _client()), ID,
          ("post", CLIENTS, "groupId"), ("clients.group_id",)),
    Input("admin clients status", True, "body", "choice",
          body("PATCH", CLIENTS + "/{client}", "status", {}), 16,
          ("patch", CLIENTS + "/{client_id}", "status"), ("clients.status",)),
    Input("admin clients q", True, "query", "text",
          path("GET", CLIENTS + "?q={value}"), limits.QUERY_LENGTH, ("get", CLIENTS, "q")),
    Input("admin services name", True, "body", "text",
          body("POST", f"{ADMIN}/clients/{{client}}/services", "name", {"type": "vps"}),
          S.SERVICE_NAME_LENGTH, ("post", SERVICES, "name"), ("services.name",)),
    Input("admin services status", True, "body", "text",
          body("PATCH", f"{ADMIN}/services/{{service}}", "status", {}),
          limits.SERVICE_STATUS_LENGTH, ("patch", f"{ADMIN}/services/{{service_id}}", "status"),
          ("services.status",)),
    Input("admin services hostname", True, "body", "text",
          body("PATCH", f"{ADMIN}/services/{{service}}", "hostname", {}),
          limits.HOSTNAME_LENGTH, ("patch", f"{ADMIN}/services/{{service_id}}", "hostname"),
          ("services.hostname",)),
    Input("admin services {client_id}", True, "path", "integer",
          path("POST", f"{ADMIN}/clients/{{value}}/services", {"type": "vps", "name": "VPS"}),
          ID, ("post", SERVICES, "client_id"), ("services.client_id",)),
    # departments
    Input("admin departments slug", True, "body", "text",
          body("POST", DEPTS, "slug", _DEPT), S.SLUG_LENGTH,
          ("post", DEPTS, "slug"), ("departments.slug",)),
    Input("admin departments name", True, "body", "text",
          body("PATCH", DEPTS + "/{dept}", "name", {}), NAME,
          ("patch", DEPTS + "/{department_id}", "name"), ("departments.name",)),
    Input("admin departments description", True, "body", "text",
          body("POST", DEPTS, "description", _DEPT), limits.DESCRIPTION_LENGTH,
          ("post", DEPTS, "description"), ("departments.description",)),
    Input("admin departments email", True, "body", "text",
          body("POST", DEPTS, "email", _DEPT), S.EMAIL_LENGTH,
          ("post", DEPTS, "email"), ("departments.email",)),
    Input("admin departments staffIds[0]", True, "body", "integer",
          body("POST", DEPTS, "staffIds.0", {**_DEPT, "staffIds": [0]}), ID,
          ("post", DEPTS, "staffIds.0"), ("department_staff.staff_id",)),
    Input("admin departments businessHours.timezone", True, "body", "text",
          body("POST", DEPTS, "businessHours.timezone", {**_DEPT, "businessHours": _HOURS}),
          TIMEZONE_LENGTH, ("post", DEPTS, "businessHours.timezone"),
          ("departments.business_hours",)),
    # statuses
    Input("admin statuses name", True, "body", "text",
          body("POST", STATUSES, "name", {}), limits.STATUS_NAME_LENGTH,
          ("post", STATUSES, "name"), ("statuses.name",)),
    Input("admin statuses color", True, "body", "text",
          body("POST", STATUSES, "color", {"name": "Waiting"}), 6,
          ("post", STATUSES, "color"), ("statuses.color",)),
    Input("admin statuses v2Status", True, "body", "choice",
          body("POST", STATUSES, "v2Status", {"name": "Waiting"}), S.V2_STATUS_LENGTH,
          ("post", STATUSES, "v2Status"), ("statuses.v2_status",)),
    # SLA policies
    Input("admin sla departmentId", True, "body", "integer",
          body("POST", POLICIES, "departmentId", _policy), ID,
          ("post", POLICIES, "departmentId"), ("sla_policies.department_id",)),
    Input("admin sla name", True, "body", "text", body("POST", POLICIES, "name", _policy), NAME,
          ("post", POLICIES, "name"), ("sla_policies.name",)),
    Input("admin sla level", True, "body", "integer",
          body("POST", POLICIES, "level", _policy), 100,
          ("post", POLICIES, "level"), ("sla_policies.level",)),
    Input("admin sla trigger", True, "body", "choice",
          body("POST", POLICIES, "trigger", _policy), 32,
          ("post", POLICIES, "trigger"), ("sla_policies.trigger",)),
    Input("admin sla raisePriority", True, "body", "choice",
          body("POST", POLICIES, "raisePriority", _policy), S.PRIORITY_LENGTH,
          ("post", POLICIES, "raisePriority"), ("sla_policies.raise_priority",)),
    Input("admin sla assignToId", True, "body", "integer",
          body("POST", POLICIES, "assignToId", _policy), ID,
          ("post", POLICIES, "assignToId"), ("sla_policies.assign_to_id",)),
    # macros
    Input("admin macros name", True, "body", "text", body("POST", MACROS, "name", {}), NAME,
          ("post", MACROS, "name"), ("macros.name",)),
    Input("admin macros body", True, "body", "text",
          body("POST", MACROS, "body", {"name": "M"}), limits.MACRO_BODY_LENGTH,
          ("post", MACROS, "body"), ("macros.body",)),
    Input("admin macros changes.subject", True, "body", "text",
          body("POST", MACROS, "changes.subject", {"name": "M", "changes": {}}),
          S.SUBJECT_LENGTH, ("post", MACROS, "changes.subject"), ("macros.changes",)),
    # keys
    Input("admin keys staffId", True, "body", "integer",
          body("POST", KEYS, "staffId", _staff_key), ID,
          ("post", KEYS, "staffId"), ("api_keys.staff_id",)),
    Input("admin keys clientId", True, "body", "integer",
          body("POST", KEYS, "clientId", _client_key), ID,
          ("post", KEYS, "clientId"), ("api_keys.client_id",)),
    Input("admin keys scopes[0]", True, "body", "choice",
          body("POST", KEYS, "scopes.0", _staff_key), 16,
          ("post", KEYS, "scopes.0"), ("api_keys.scopes",)),
    Input("admin keys rateLimitPerMinute", True, "body", "integer",
          body("POST", KEYS, "rateLimitPerMinute", _staff_key), S.INTEGER_MAX,
          ("post", KEYS, "rateLimitPerMinute"), ("api_keys.rate_limit_per_minute",)),
    # webhooks
    Input("admin webhooks url", True, "body", "text", body("POST", HOOKS, "url", _HOOK),
          URL_LENGTH, ("post", HOOKS, "url"), ("webhook_endpoints.url",)),
    Input("admin webhooks events[0]", True, "body", "choice",
          body("POST", HOOKS, "events.0", {**_HOOK, "events": ["ticket.created"]}), 32,
          ("post", HOOKS, "events.0"), ("webhook_endpoints.events",)),
]
# fmt: on
