"""Mails enter the outbox in the transaction of the change they tell about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from supportdesk.core.config import get_settings
from supportdesk.core.db import DbSession
from supportdesk.mail import compose, repository

if TYPE_CHECKING:
    from supportdesk.jobs.events import ChangeEvent


async def enqueue_mails(session: DbSession, event: ChangeEvent) -> int:
    """Write the outbox rows `event` asks for (rendered with the process's settings, which
    name the company, the links and the sender); how many."""
    mails = await compose.mails_for(session, event, get_settings())
    for mail in mails:
        await repository.insert_mail(session, mail)
    return len(mails)
