"""Wire shapes of the admin routes: bodies (validated, bounded by their columns) and answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
)
from pydantic.json_schema import SkipJsonSchema

from supportdesk.admin.common import MAX_HOURS
from supportdesk.admin.hours import MAX_HOLIDAYS, MAX_INTERVALS_PER_DAY, TIMEZONE_LENGTH
from supportdesk.admin.sla import MAX_LEVEL
from supportdesk.api.inputs import Email as Address
from supportdesk.api.inputs import IsText, RowId, Slug, Subject, _limited
from supportdesk.core import columns
from supportdesk.core.columns import CC_ADDRESSES

# Lengths of the admin columns (accounts, departments, statuses, macros, services).
NAME_LENGTH = 128  # staff and client names, group, department, policy and macro names
USERNAME_LENGTH = 64
STATUS_NAME_LENGTH = 64
COMPANY_LENGTH = 255
HOSTNAME_LENGTH = 255
SERVICE_STATUS_LENGTH = 32
TAG_LENGTH = 64
SIGNATURE_LENGTH = 10_000
DESCRIPTION_LENGTH = 10_000
MACRO_BODY_LENGTH = columns.MESSAGE_LENGTH
MAX_LIST = 100  # ids in one `departmentIds`, `staffIds`, tags in one change
QUERY_LENGTH = 255

# A PATCH field that may be left out but not set to null: the document does not offer null,
# and the service refuses it (400 with the field's pointer).
NoNull = SkipJsonSchema[None]

Name = Annotated[str, _limited(NAME_LENGTH, min_length=1, strip=True), IsText]
OptionalText = Annotated[str, _limited(NAME_LENGTH), IsText]
Username = Annotated[
    str,
    StringConstraints(min_length=1, max_length=USERNAME_LENGTH, pattern=r"^[A-Za-z0-9._@-]+$"),
    IsText,
]
Company = Annotated[str, _limited(COMPANY_LENGTH), IsText]
Hostname = Annotated[str, _limited(HOSTNAME_LENGTH), IsText]
ServiceStatus = Annotated[str, _limited(SERVICE_STATUS_LENGTH, min_length=1, strip=True), IsText]
ServiceName = Annotated[str, _limited(columns.SERVICE_NAME_LENGTH, min_length=1), IsText]
Signature = Annotated[str, _limited(SIGNATURE_LENGTH), IsText]
Description = Annotated[str, _limited(DESCRIPTION_LENGTH), IsText]
StatusName = Annotated[str, _limited(STATUS_NAME_LENGTH, min_length=1, strip=True), IsText]
Color = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{6}$", max_length=6), IsText]
DepartmentEmail = Annotated[
    str,
    StringConstraints(
        max_length=columns.EMAIL_LENGTH,
        pattern=r"^(?:[^@\s,;<>\x00-\x1f\x7f]+@[^@\s,;<>\x00-\x1f\x7f]+)?$",
    ),
    IsText,
]
Day = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
]
Clock = Annotated[str, StringConstraints(pattern=r"^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
Timezone = Annotated[str, _limited(TIMEZONE_LENGTH, min_length=1), IsText]
Tag = Annotated[
    str, StringConstraints(min_length=1, max_length=TAG_LENGTH, pattern=r"^[^\s,\x00]+$"), IsText
]
Hours = Annotated[StrictFloat, Field(ge=0, le=MAX_HOURS)]
PolicyHours = Annotated[StrictFloat, Field(gt=0, le=MAX_HOURS)]
Ids = Annotated[list[RowId], Field(max_length=MAX_LIST)]
Priority = Literal["low", "medium", "high", "urgent", "critical"]
V2StatusName = Literal[
    "open", "answered", "customer_reply", "in_progress", "on_hold", "closed", "unknown"
]
Interval = Annotated[list[Clock], Field(min_length=2, max_length=2)]
DayHours = Annotated[list[Interval], Field(max_length=MAX_INTERVALS_PER_DAY)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- staff, groups, clients, services ---------------------------------------------------------


class V2AdminStaffCreate(_Body):
    username: Username
    firstname: Name
    lastname: Name
    email: Address
    status: Literal["Active", "Inactive"] = "Active"
    departmentIds: Ids = []
    signature: Signature = ""
    admin: StrictBool = False


class V2AdminStaffPatch(_Body):
    username: Username | NoNull = None
    firstname: Name | NoNull = None
    lastname: Name | NoNull = None
    email: Address | NoNull = None
    status: Literal["Active", "Inactive"] | NoNull = None
    departmentIds: Ids | NoNull = None
    signature: Signature | NoNull = None
    admin: StrictBool | NoNull = None


class V2AdminGroupBody(_Body):
    name: Name


ClientStatus = Literal["Active", "Suspended", "Closed"]


class V2AdminClientCreate(_Body):
    firstname: Name
    lastname: Name
    company: Company = ""
    email: Address
    groupId: RowId | None = None
    status: ClientStatus = "Active"


class V2AdminClientPatch(_Body):
    firstname: Name | NoNull = None
    lastname: Name | NoNull = None
    company: Company | NoNull = None
    email: Address | NoNull = None
    groupId: RowId | None = None
    status: ClientStatus | NoNull = None


ServiceType = Literal["domain", "hosting", "vps", "other"]


class V2AdminServiceCreate(_Body):
    type: ServiceType
    name: ServiceName
    status: ServiceStatus = "Active"
    nextDue: Day | None = None
    hostname: Hostname = ""


class V2AdminServicePatch(_Body):
    type: ServiceType | NoNull = None
    name: ServiceName | NoNull = None
    status: ServiceStatus | NoNull = None
    nextDue: Day | None = None
    hostname: Hostname | NoNull = None


# --- departments, statuses, policies, macros ---------------------------------------------------


class V2AdminWeek(_Body):
    mon: DayHours = []
    tue: DayHours = []
    wed: DayHours = []
    thu: DayHours = []
    fri: DayHours = []
    sat: DayHours = []
    sun: DayHours = []


class V2AdminBusinessHours(_Body):
    """A weekly schedule in an IANA time zone, and holiday dates (automation.md)."""

    timezone: Timezone
    week: V2AdminWeek
    holidays: Annotated[list[Day], Field(max_length=MAX_HOLIDAYS)] = []


class V2AdminDepartmentCreate(_Body):
    slug: Slug
    name: Name
    description: Description = ""
    email: DepartmentEmail = ""
    visible: StrictBool = True
    staffIds: Ids = []
    autoCloseHours: Hours = 0
    clientMayReopen: StrictBool = True
    businessHours: V2AdminBusinessHours | None = None


class V2AdminDepartmentPatch(_Body):
    slug: Slug | NoNull = None
    name: Name | NoNull = None
    description: Description | NoNull = None
    email: DepartmentEmail | NoNull = None
    visible: StrictBool | NoNull = None
    staffIds: Ids | NoNull = None
    autoCloseHours: Hours | NoNull = None
    clientMayReopen: StrictBool | NoNull = None
    businessHours: V2AdminBusinessHours | None = None


class V2AdminStatusCreate(_Body):
    name: StatusName
    color: Color = "000000"
    autoClose: StrictBool = False
    pausesSla: StrictBool = False
    v2Status: V2StatusName = "unknown"


class V2AdminStatusPatch(_Body):
    name: StatusName | NoNull = None
    color: Color | NoNull = None
    autoClose: StrictBool | NoNull = None
    pausesSla: StrictBool | NoNull = None
    v2Status: V2StatusName | NoNull = None


Trigger = Literal["first_response", "next_response", "resolution"]
Level = Annotated[StrictInt, Field(ge=1, le=MAX_LEVEL)]


class V2AdminPolicyCreate(_Body):
    departmentId: RowId
    name: OptionalText = ""
    level: Level
    trigger: Trigger = "first_response"
    hours: PolicyHours
    businessHours: StrictBool = False
    raisePriority: Priority | None = None
    assignToId: RowId | None = None
    active: StrictBool = True


class V2AdminPolicyPatch(_Body):
    departmentId: RowId | NoNull = None
    name: OptionalText | NoNull = None
    level: Level | NoNull = None
    trigger: Trigger | NoNull = None
    hours: PolicyHours | NoNull = None
    businessHours: StrictBool | NoNull = None
    raisePriority: Priority | None = None
    assignToId: RowId | None = None
    active: StrictBool | NoNull = None


Tags = Annotated[list[Tag], Field(max_length=MAX_LIST)]
RequestType = Literal[
    "General", "Incident", "Problem", "Task", "Question", "Project", "Delivery", "Billing"
]


class V2AdminMacroChanges(_Body):
    """What applying the macro changes, as the ticket PATCH takes it (desk.md)."""

    status: StatusName | None = None
    priority: Priority | None = None
    ownerId: RowId | None = None
    departmentSlug: Slug | None = None
    subject: Subject | None = None
    ccEmails: Annotated[list[Address], Field(max_length=CC_ADDRESSES)] | None = None
    bccEmails: Annotated[list[Address], Field(max_length=CC_ADDRESSES)] | None = None
    tags: Tags | None = None
    addTags: Tags | None = None
    removeTags: Tags | None = None
    deadline: Annotated[str, StringConstraints(max_length=40)] | None = None
    requestType: RequestType | None = None
    internal: StrictBool | None = None
    repliesLocked: StrictBool | None = None
    clientMayReopen: StrictBool | None = None
    subscriberIds: Ids | None = None


MacroName = Annotated[str, _limited(NAME_LENGTH, min_length=1, strip=True), IsText]
MacroBody = Annotated[str, _limited(MACRO_BODY_LENGTH), IsText]


class V2AdminMacroCreate(_Body):
    name: MacroName
    body: MacroBody = ""
    changes: V2AdminMacroChanges = V2AdminMacroChanges()
    active: StrictBool = True


class V2AdminMacroPatch(_Body):
    name: MacroName | NoNull = None
    body: MacroBody | NoNull = None
    changes: V2AdminMacroChanges | NoNull = None
    active: StrictBool | NoNull = None


# --- keys ---------------------------------------------------------------------------------------

Scope = Literal["read:support", "write:support", "read:account", "manage:support", "admin:support"]


class V2AdminKeyCreate(_Body):
    """A key for one client (`clientId`) or one staff member (`staffId`)."""

    clientId: RowId | None = None
    staffId: RowId | None = None
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=5)]
    expiresInDays: Annotated[StrictInt, Field(ge=1, le=100 * 366)] | None = None
    rateLimitPerMinute: Annotated[StrictInt, Field(ge=1, le=columns.INTEGER_MAX)] | None = None


# --- pages --------------------------------------------------------------------------------------
