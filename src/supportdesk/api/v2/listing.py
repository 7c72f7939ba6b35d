"""The v2 list's query parameters: everyone's (`status`, `departmentSlug`, `q`, paging) and
staff's (`ownerId`, `clientId`, `priority`, `tag`, `escalated`, `overdue`, `unread`, `sort`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import Query

from supportdesk.api.inputs import (
    MAX_ROW_ID,
    OwnerFilter,
    RowIdParameter,
    SearchText,
    Slug,
    TagName,
)
from supportdesk.api.v2.schemas import Priority, V2Status
from supportdesk.core.actor import Actor
from supportdesk.core.columns import SEARCH_TERMS
from supportdesk.core.errors import ValidationFailed
from supportdesk.tickets.repository import ListFilter
from supportdesk.tickets.search import search_terms

_STAFF = "Staff keys only; a client key sending it gets 400."
SortParameter = Literal["-updatedAt", "-priority", "resolveBy"]


class V2ListQuery:
    """What `GET /api/v2/support/tickets` takes in its query."""

    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        cursor: Annotated[str | None, Query()] = None,
        status: V2Status | None = None,
        department_slug: Annotated[Slug | None, Query(alias="departmentSlug")] = None,
        q: Annotated[
            SearchText | None,
            Query(
                description="Full-text search: every word must occur in the ticket (subject, "
                "messages; notes and drafts for staff), each as the start of a word, case "
                f"folded. At most {SEARCH_TERMS} words; a `q` without any word is refused."
            ),
        ] = None,
        owner_id: Annotated[
            OwnerFilter | None,
            Query(alias="ownerId", description=f"`me`, `none` or a staff id. {_STAFF}"),
        ] = None,
        client_id: Annotated[
            RowIdParameter | None, Query(alias="clientId", description=_STAFF)
        ] = None,
        priority: Annotated[Priority | None, Query(description=_STAFF)] = None,
        tag: Annotated[TagName | None, Query(description=_STAFF)] = None,
        escalated: Annotated[
            bool | None, Query(description=f"An SLA level is breached. {_STAFF}")
        ] = None,
        overdue: Annotated[
            bool | None,
            Query(description=f"`resolveBy` has passed and the ticket is not closed. {_STAFF}"),
        ] = None,
        unread: Annotated[
            bool | None,
            Query(description=f"Staff have not seen the latest client activity. {_STAFF}"),
        ] = None,
        sort: Annotated[
            SortParameter,
            Query(
                description="`-updatedAt` (newest activity first), `-priority` (then newest "
                "activity), `resolveBy` (soonest due first, tickets without one last). A search "
                "ranks tickets whose subject holds every word first, each part in this order. "
                "Other than the default: staff keys only."
            ),
        ] = "-updatedAt",
    ) -> None:
        self.limit = limit
        self.cursor = cursor
        self._sent = {
            "ownerId": owner_id,
            "clientId": client_id,
            "priority": priority,
            "tag": tag,
            "escalated": escalated,
            "overdue": overdue,
            "unread": unread,
            "sort": None if sort == "-updatedAt" else sort,
        }
        self._q = q
        self._owner = owner_id
        self._filter = ListFilter(
            v2_status=status,
            dept_slug=department_slug,
            client_id=client_id,
            priority=priority,
            tag=tag,
            escalated=escalated,
            overdue=overdue,
            unread=unread,
            sort=sort,
        )

    def list_filter(self, actor: Actor) -> ListFilter:
        """The filter these parameters ask for; 400 naming each staff parameter a client's key
        sent, a `q` without words, or one with too many."""
        problems = []
        if not actor.is_staff:
            problems += [
                (f"?{name}", "is for staff keys only", "staff_only")
                for name, value in self._sent.items()
                if value is not None
            ]
        terms: tuple[str, ...] = ()
        if self._q is not None:
            terms = search_terms(self._q)
            if not terms:
                problems.append(("?q", "has no word to search for", "no_words"))
            elif len(terms) > SEARCH_TERMS:
                problems.append(("?q", f"has more than {SEARCH_TERMS} words", "too_many_words"))
        owner = self._owner_id(actor)
        if owner is not None and owner > MAX_ROW_ID:
            problems.append(("?ownerId", f"is past the largest staff id ({MAX_ROW_ID})", "range"))
        if problems:
            raise ValidationFailed(
                "; ".join(f"{pointer} {detail}" for pointer, detail, _ in problems) + ".",
                pointer=problems[0][0],
                details=[
                    {"pointer": pointer, "detail": f"{pointer[1:]} {detail}.", "code": code}
                    for pointer, detail, code in problems
                ],
            )
        return replace(self._filter, owner_id=owner, terms=terms)

    def _owner_id(self, actor: Actor) -> int | None:
        if self._owner is None or not actor.is_staff:
            return None
        if self._owner == "none":
            return 0
        if self._owner == "me":
            return actor.staff_id or 0
        return int(self._owner)
