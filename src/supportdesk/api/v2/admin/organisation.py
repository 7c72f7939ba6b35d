"""Admin routes for the organisation: departments, statuses, SLA policies, macros."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from supportdesk.admin import departments, macros, sla, statuses
from supportdesk.api.deps import Cursors
from supportdesk.api.doors import route_class
from supportdesk.api.inputs import RowIdParameter
from supportdesk.api.v2.admin import answers as a
from supportdesk.api.v2.admin import schemas as s
from supportdesk.api.v2.admin.common import (
    AdminRoute,
    call,
    decode_cursor,
    page_answer,
    wire,
)
from supportdesk.api.v2.admin.people import JSON_BODY, READ, WRITE, Cursor, Id, Limit, fields
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.render import json_response
from supportdesk.api.v2.schemas import problems
from supportdesk.auth.dependencies import AdminSupport, Session

router = APIRouter(prefix="/api/v2/admin", tags=["v2"], route_class=route_class(V2, AdminRoute))
DELETE: dict[int | str, dict[str, Any]] = {
    204: {"description": "Deleted."},
    **problems(400, 401, 403, 404, 406, 409, 429),
}


def _no_content() -> Response:
    return Response(status_code=204)


# --- departments ------------------------------------------------------------------------------


@router.get(
    "/departments",
    response_model=a.V2AdminDepartmentList,
    responses=READ,
    summary="List departments",
)
async def admin_list_departments(actor: AdminSupport, session: Session) -> Response:
    """Every department, hidden ones too, with its staff and settings."""
    found = await departments.list_departments(session, actor)
    return json_response({"data": [wire(d) for d in found]})


@router.post(
    "/departments",
    status_code=201,
    response_model=a.V2AdminDepartmentOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add a department",
)
async def admin_create_department(
    actor: AdminSupport, session: Session, payload: s.V2AdminDepartmentCreate
) -> Response:
    """Add a department; slugs are unique (409)."""
    record = await call(departments.create_department(session, actor, fields(payload)))
    return json_response(wire(record), 201)


@router.patch(
    "/departments/{department_id}",
    response_model=a.V2AdminDepartmentOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Change a department",
)
async def admin_update_department(
    actor: AdminSupport, session: Session, department_id: Id, payload: s.V2AdminDepartmentPatch
) -> Response:
    """Change a department (`businessHours: null` = around the clock)."""
    record = await call(
        departments.update_department(session, actor, department_id, fields(payload))
    )
    return json_response(wire(record))


@router.delete(
    "/departments/{department_id}",
    status_code=204,
    responses=DELETE,
    summary="Delete a department",
)
async def admin_delete_department(
    actor: AdminSupport, session: Session, department_id: Id
) -> Response:
    """Delete a department no ticket was ever in (409 otherwise)."""
    await departments.delete_department(session, actor, department_id)
    return _no_content()


# --- statuses ---------------------------------------------------------------------------------


@router.get(
    "/statuses", response_model=a.V2AdminStatusList, responses=READ, summary="List statuses"
)
async def admin_list_statuses(actor: AdminSupport, session: Session) -> Response:
    """The built-in statuses and the organisation's own."""
    return json_response({"data": [wire(x) for x in await statuses.list_statuses(session, actor)]})


@router.post(
    "/statuses",
    status_code=201,
    response_model=a.V2AdminStatusOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add a status",
)
async def admin_create_status(
    actor: AdminSupport, session: Session, payload: s.V2AdminStatusCreate
) -> Response:
    """Add a status; names are unique (409) and no v2 status value."""
    record = await call(statuses.create_status(session, actor, fields(payload)))
    return json_response(wire(record), 201)


@router.patch(
    "/statuses/{status_id}",
    response_model=a.V2AdminStatusOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Change a status",
)
async def admin_update_status(
    actor: AdminSupport, session: Session, status_id: Id, payload: s.V2AdminStatusPatch
) -> Response:
    """Change a status; a built-in one keeps its name and v2 status (409)."""
    record = await call(statuses.update_status(session, actor, status_id, fields(payload)))
    return json_response(wire(record))


@router.delete(
    "/statuses/{status_id}", status_code=204, responses=DELETE, summary="Delete a status"
)
async def admin_delete_status(actor: AdminSupport, session: Session, status_id: Id) -> Response:
    """Delete a custom status no ticket is in (409 for a built-in or a status in use)."""
    await statuses.delete_status(session, actor, status_id)
    return _no_content()


# --- SLA policies -------------------------------------------------------------------------------


@router.get(
    "/sla-policies", response_model=a.V2AdminPolicyPage, responses=READ, summary="List SLA policies"
)
async def admin_list_policies(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    limit: Limit = 50,
    cursor: Cursor = None,
    department_id: Annotated[RowIdParameter | None, Query(alias="departmentId")] = None,
) -> Response:
    """SLA policies by id, of one department or of all."""
    after = decode_cursor(cursors, "sla", cursor)
    page = await sla.list_policies(
        session, actor, department_id=department_id, after_id=after, limit=limit
    )
    return page_answer(cursors, "sla", page)


@router.post(
    "/sla-policies",
    status_code=201,
    response_model=a.V2AdminPolicyOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add an SLA policy",
)
async def admin_create_policy(
    actor: AdminSupport, session: Session, payload: s.V2AdminPolicyCreate
) -> Response:
    """Add a policy to a department (stored; the automation jobs evaluate it)."""
    return json_response(wire(await call(sla.create_policy(session, actor, fields(payload)))), 201)


@router.patch(
    "/sla-policies/{policy_id}",
    response_model=a.V2AdminPolicyOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Change an SLA policy",
)
async def admin_update_policy(
    actor: AdminSupport, session: Session, policy_id: Id, payload: s.V2AdminPolicyPatch
) -> Response:
    """Change a policy (`active: false` stops it without losing what it explains)."""
    record = await call(sla.update_policy(session, actor, policy_id, fields(payload)))
    return json_response(wire(record))


@router.delete(
    "/sla-policies/{policy_id}", status_code=204, responses=DELETE, summary="Delete an SLA policy"
)
async def admin_delete_policy(actor: AdminSupport, session: Session, policy_id: Id) -> Response:
    """Delete a policy no ticket was escalated under (409 otherwise: deactivate it)."""
    await sla.delete_policy(session, actor, policy_id)
    return _no_content()


# --- macros -------------------------------------------------------------------------------------


@router.get("/macros", response_model=a.V2AdminMacroPage, responses=READ, summary="List macros")
async def admin_list_macros(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    limit: Limit = 50,
    cursor: Cursor = None,
    active: bool | None = None,
) -> Response:
    """Macros by id (all of them, or the active or inactive ones)."""
    after = decode_cursor(cursors, "macros", cursor)
    page = await macros.list_macros(session, actor, active=active, after_id=after, limit=limit)
    return page_answer(cursors, "macros", page)


@router.post(
    "/macros",
    status_code=201,
    response_model=a.V2AdminMacroOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add a macro",
)
async def admin_create_macro(
    actor: AdminSupport, session: Session, payload: s.V2AdminMacroCreate
) -> Response:
    """Add a macro: a reply text (`{{client.firstname}}`...) and ticket changes."""
    return json_response(
        wire(await call(macros.create_macro(session, actor, fields(payload)))), 201
    )


@router.patch(
    "/macros/{macro_id}",
    response_model=a.V2AdminMacroOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Change a macro",
)
async def admin_update_macro(
    actor: AdminSupport, session: Session, macro_id: Id, payload: s.V2AdminMacroPatch
) -> Response:
    """Change a macro (`changes` replaces the changes it makes)."""
    record = await call(macros.update_macro(session, actor, macro_id, fields(payload)))
    return json_response(wire(record))


@router.delete("/macros/{macro_id}", status_code=204, responses=DELETE, summary="Delete a macro")
async def admin_delete_macro(actor: AdminSupport, session: Session, macro_id: Id) -> Response:
    """Delete a macro."""
    await macros.delete_macro(session, actor, macro_id)
    return _no_content()
