"""The queue's views: each is a filter of the desk's listing service (the one the v2 list
serves staff keys from), over tickets that are not closed; search looks at every ticket."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.core.columns import SEARCH_TERMS
from supportdesk.core.errors import InvalidField
from supportdesk.tickets.repository import ListFilter
from supportdesk.tickets.search import search_terms


@dataclass(frozen=True, slots=True)
class View:
    name: str
    label: str


VIEWS = (
    View("mine", "Mine"),
    View("unassigned", "Unassigned"),
    View("awaiting", "Awaiting staff"),
    View("open", "All open"),
    View("overdue", "Overdue"),
    View("escalated", "Escalated"),
)
VIEW_NAMES = frozenset(view.name for view in VIEWS)


@dataclass(frozen=True, slots=True)
class QueueAsk:
    """What the queue's URL asks for: a view, or a department, a tag, or a search."""

    view: str = "awaiting"
    department: str | None = None
    tag: str | None = None
    q: str | None = None

    @property
    def title(self) -> str:
        if self.q:
            return f"Search: {self.q}"
        if self.department:
            return f"Department: {self.department}"
        if self.tag:
            return f"Tag: {self.tag}"
        return next(view.label for view in VIEWS if view.name == self.view)

    @property
    def order(self) -> str:
        """What the cursor is bound to: a cursor of one view does not page another."""
        base = f"desk:{self.view}:{self.department or ''}:{self.tag or ''}"
        return f"{base}+q" if self.q else base

    def query(self) -> dict[str, str]:
        """The URL parameters that ask for this again."""
        if self.q:
            return {"q": self.q}
        if self.department:
            return {"department": self.department}
        if self.tag:
            return {"tag": self.tag}
        return {"view": self.view}


def list_filter(ask: QueueAsk, staff_id: int) -> ListFilter:
    """The listing filter of a queue view; InvalidField for a search without words."""
    if ask.q:
        terms = search_terms(ask.q)
        if not terms:
            raise InvalidField("q", "has no word to search for.", code="no_words")
        if len(terms) > SEARCH_TERMS:
            raise InvalidField("q", f"has more than {SEARCH_TERMS} words.", code="too_many_words")
        return ListFilter(terms=terms)
    if ask.department:
        return ListFilter(dept_slug=ask.department, not_closed=True)
    if ask.tag:
        return ListFilter(tag=ask.tag, not_closed=True)
    return {
        "mine": ListFilter(owner_id=staff_id, not_closed=True),
        "unassigned": ListFilter(owner_id=0, not_closed=True),
        "awaiting": ListFilter(v2_statuses=("open", "customer_reply")),
        "open": ListFilter(not_closed=True),
        "overdue": ListFilter(overdue=True),
        "escalated": ListFilter(escalated=True, not_closed=True),
    }[ask.view]
