"""Admin routes for people: staff, client groups, clients and their services."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel

from supportdesk.admin import clients, services, staff
from supportdesk.api.deps import Cursors
from supportdesk.api.doors import route_class
from supportdesk.api.inputs import RowIdParameter, admin_json_body
from supportdesk.api.v2.admin import answers as a
from supportdesk.api.v2.admin import schemas as s
from supportdesk.api.v2.admin.common import (
    AdminRoute,
    call,
    decode_cursor,
    page_answer,
    wire,
)
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.render import json_response
from supportdesk.api.v2.schemas import problems
from supportdesk.auth.dependencies import AdminSupport, Session

router = APIRouter(prefix="/api/v2/admin", tags=["v2"], route_class=route_class(V2, AdminRoute))

Id = Annotated[RowIdParameter, Path(description="The row's id.")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(alias="cursor", max_length=128)]
JSON_BODY = [Depends(admin_json_body)]
READ = problems(400, 401, 403, 404, 406, 429)
WRITE = problems(400, 401, 403, 404, 406, 409, 413, 415, 429)


def fields(payload: BaseModel) -> dict[str, Any]:
    """The fields a body sets, in the services' terms (`departmentIds` → `department_ids`)."""
    return {
        re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower(): value
        for name, value in payload.model_dump(exclude_unset=True).items()
    }


# --- staff ------------------------------------------------------------------------------------


@router.get("/staff", response_model=a.V2AdminStaffPage, responses=READ, summary="List staff")
async def admin_list_staff(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[Literal["Active", "Inactive"] | None, Query()] = None,
) -> Response:
    """Staff members by id, a page at a time."""
    after = decode_cursor(cursors, "staff", cursor)
    page = await staff.list_staff(session, actor, after_id=after, limit=limit, status=status)
    return page_answer(cursors, "staff", page)


@router.post(
    "/staff",
    status_code=201,
    response_model=a.V2AdminStaffOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add a staff member",
)
async def admin_create_staff(
    actor: AdminSupport, session: Session, payload: s.V2AdminStaffCreate
) -> Response:
    """Add a staff member; usernames and addresses are unique (409)."""
    return json_response(wire(await call(staff.create_staff(session, actor, fields(payload)))), 201)


@router.get(
    "/staff/{staff_id}",
    response_model=a.V2AdminStaffOut,
    responses=READ,
    summary="Get a staff member",
)
async def admin_get_staff(actor: AdminSupport, session: Session, staff_id: Id) -> Response:
    """One staff member."""
    return json_response(wire(await staff.get_staff(session, actor, staff_id)))


@router.patch(
    "/staff/{staff_id}",
    response_model=a.V2AdminStaffOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Change a staff member",
)
async def admin_update_staff(
    actor: AdminSupport, session: Session, staff_id: Id, payload: s.V2AdminStaffPatch
) -> Response:
    """Change a staff member; `status: Inactive` deactivates them (their keys stop working).
    Nobody deactivates themself (409)."""
    record = await call(staff.update_staff(session, actor, staff_id, fields(payload)))
    return json_response(wire(record))


# --- client groups ------------------------------------------------------------------------------


@router.get(
    "/client-groups",
    response_model=a.V2AdminGroupPage,
    responses=READ,
    summary="List client groups",
)
async def admin_list_groups(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Client groups by id."""
    after = decode_cursor(cursors, "groups", cursor)
    page = await clients.list_groups(session, actor, after_id=after, limit=limit)
    return page_answer(cursors, "groups", page)


@router.post(
    "/client-groups",
    status_code=201,
    response_model=a.V2AdminGroupOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add a client group",
)
async def admin_create_group(
    actor: AdminSupport, session: Session, payload: s.V2AdminGroupBody
) -> Response:
    """Add a client group; names are unique (409)."""
    return json_response(wire(await call(clients.create_group(session, actor, payload.name))), 201)


@router.patch(
    "/client-groups/{group_id}",
    response_model=a.V2AdminGroupOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Rename a client group",
)
async def admin_rename_group(
    actor: AdminSupport, session: Session, group_id: Id, payload: s.V2AdminGroupBody
) -> Response:
    """Rename a client group."""
    return json_response(
        wire(await call(clients.rename_group(session, actor, group_id, payload.name)))
    )


# --- clients ----------------------------------------------------------------------------------


@router.get("/clients", response_model=a.V2AdminClientPage, responses=READ, summary="List clients")
async def admin_list_clients(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Annotated[str | None, Query(max_length=s.QUERY_LENGTH, pattern=r"^[^\x00]*$")] = None,
    status: Annotated[s.ClientStatus | None, Query()] = None,
) -> Response:
    """Clients by id; `q` finds text in the name, company or e-mail address."""
    after = decode_cursor(cursors, "clients", cursor)
    page = await clients.list_clients(
        session, actor, q=q, status=status, after_id=after, limit=limit
    )
    return page_answer(cursors, "clients", page)


@router.post(
    "/clients",
    status_code=201,
    response_model=a.V2AdminClientOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add a client",
)
async def admin_create_client(
    actor: AdminSupport, session: Session, payload: s.V2AdminClientCreate
) -> Response:
    """Add a client; e-mail addresses are unique (409)."""
    record = await call(clients.create_client(session, actor, fields(payload)))
    return json_response(wire(record), 201)


@router.get(
    "/clients/{client_id}",
    response_model=a.V2AdminClientOut,
    responses=READ,
    summary="Get a client",
)
async def admin_get_client(actor: AdminSupport, session: Session, client_id: Id) -> Response:
    """One client."""
    return json_response(wire(await clients.get_client(session, actor, client_id)))


@router.patch(
    "/clients/{client_id}",
    response_model=a.V2AdminClientOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Change a client",
)
async def admin_update_client(
    actor: AdminSupport, session: Session, client_id: Id, payload: s.V2AdminClientPatch
) -> Response:
    """Change a client; `Suspended` or `Closed` stops its keys (403)."""
    record = await call(clients.update_client(session, actor, client_id, fields(payload)))
    return json_response(wire(record))


# --- services -----------------------------------------------------------------------------------


@router.get(
    "/clients/{client_id}/services",
    response_model=a.V2AdminServicePage,
    responses=READ,
    summary="List a client's services",
)
async def admin_list_services(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    client_id: Id,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """The client's services by id."""
    after = decode_cursor(cursors, "services", cursor)
    page = await services.list_services(session, actor, client_id, after_id=after, limit=limit)
    return page_answer(cursors, "services", page)


@router.post(
    "/clients/{client_id}/services",
    status_code=201,
    response_model=a.V2AdminServiceOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add a service to a client",
)
async def admin_create_service(
    actor: AdminSupport, session: Session, client_id: Id, payload: s.V2AdminServiceCreate
) -> Response:
    """Add a service (a domain, hosting, a VPS...) to the client."""
    record = await call(services.create_service(session, actor, client_id, fields(payload)))
    return json_response(wire(record), 201)


@router.patch(
    "/services/{service_id}",
    response_model=a.V2AdminServiceOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Change a service",
)
async def admin_update_service(
    actor: AdminSupport, session: Session, service_id: Id, payload: s.V2AdminServicePatch
) -> Response:
    """Change a service: its status, next due date, host name..."""
    record = await call(services.update_service(session, actor, service_id, fields(payload)))
    return json_response(wire(record))
