"""Wire shapes of the admin routes' answers, for the OpenAPI document (the routes render
the services' records with `admin.common.wire`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from supportdesk.api.v2.admin.schemas import (
    ClientStatus,
    Priority,
    Scope,
    ServiceType,
    Trigger,
    V2StatusName,
)


class V2AdminStaffOut(BaseModel):
    id: int
    username: str
    firstname: str
    lastname: str
    email: str
    status: Literal["Active", "Inactive"]
    departmentIds: list[int]
    signature: str
    admin: bool


class V2AdminGroupOut(BaseModel):
    id: int
    name: str


class V2AdminClientOut(BaseModel):
    id: int
    firstname: str
    lastname: str
    company: str
    email: str
    groupId: int | None
    status: ClientStatus
    createdAt: str


class V2AdminServiceOut(BaseModel):
    id: int
    clientId: int
    type: ServiceType
    name: str
    status: str
    nextDue: str | None
    hostname: str


class V2AdminWeekOut(BaseModel):
    mon: list[list[str]]
    tue: list[list[str]]
    wed: list[list[str]]
    thu: list[list[str]]
    fri: list[list[str]]
    sat: list[list[str]]
    sun: list[list[str]]


class V2AdminBusinessHoursOut(BaseModel):
    timezone: str
    week: V2AdminWeekOut
    holidays: list[str]


class V2AdminDepartmentOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    email: str
    visible: bool
    staffIds: list[int]
    autoCloseHours: float
    clientMayReopen: bool
    businessHours: V2AdminBusinessHoursOut | None


class V2AdminStatusOut(BaseModel):
    id: int
    name: str
    color: str
    autoClose: bool
    pausesSla: bool
    v2Status: V2StatusName
    builtin: bool


class V2AdminPolicyOut(BaseModel):
    id: int
    departmentId: int
    name: str
    level: int
    trigger: Trigger
    hours: float
    businessHours: bool
    raisePriority: Priority | None
    assignToId: int | None
    active: bool


class V2AdminMacroOut(BaseModel):
    id: int
    name: str
    body: str
    changes: dict[str, Any]
    active: bool
    createdAt: str
    updatedAt: str


class V2AdminKeyOwner(BaseModel):
    type: Literal["client", "staff"]
    id: int


class V2AdminKeyOut(BaseModel):
    id: int
    hint: str
    owner: V2AdminKeyOwner
    scopes: list[Scope]
    rateLimitPerMinute: int | None
    createdAt: str
    expiresAt: str | None
    revokedAt: str | None
    lastUsedAt: str | None
    state: Literal["active", "expired", "revoked"]


class V2AdminIssuedKey(V2AdminKeyOut):
    key: str = Field(description="The key itself: shown this once, stored only hashed.")


class V2AdminStaffPage(BaseModel):
    data: list[V2AdminStaffOut]
    nextCursor: str | None
    hasMore: bool


class V2AdminGroupPage(BaseModel):
    data: list[V2AdminGroupOut]
    nextCursor: str | None
    hasMore: bool


class V2AdminClientPage(BaseModel):
    data: list[V2AdminClientOut]
    nextCursor: str | None
    hasMore: bool


class V2AdminServicePage(BaseModel):
    data: list[V2AdminServiceOut]
    nextCursor: str | None
    hasMore: bool


class V2AdminPolicyPage(BaseModel):
    data: list[V2AdminPolicyOut]
    nextCursor: str | None
    hasMore: bool


class V2AdminMacroPage(BaseModel):
    data: list[V2AdminMacroOut]
    nextCursor: str | None
    hasMore: bool


class V2AdminKeyPage(BaseModel):
    data: list[V2AdminKeyOut]
    nextCursor: str | None
    hasMore: bool


class V2AdminDepartmentList(BaseModel):
    data: list[V2AdminDepartmentOut]


class V2AdminStatusList(BaseModel):
    data: list[V2AdminStatusOut]
