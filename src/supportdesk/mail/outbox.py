"""Mails enter the outbox in the transaction of the change they tell about."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from supportdesk.core.config import Settings
from supportdesk.core.db import DbSession
from supportdesk.mail import compose, repository

if TYPE_CHECKING:
    from supportdesk.jobs.events import ChangeEvent

_PREFIX = "SUPPORTDESK_"


def mail_settings() -> Settings:
    """The settings a change's mails are rendered with (company, links, sender, templates):
    the process's `SUPPORTDESK_*` environment, read again whenever it changed. Not
    `get_settings()`: a change happens inside a request or a job that may run on settings of
    its own, and must not fix the process's cached settings behind their back."""
    return _settings_for(tuple(sorted(i for i in os.environ.items() if i[0].startswith(_PREFIX))))


@functools.lru_cache(maxsize=4)
def _settings_for(environment: tuple[tuple[str, str], ...]) -> Settings:
    del environment  # the cache key: Settings() reads the same environment itself
    return Settings()


async def enqueue_mails(session: DbSession, event: ChangeEvent) -> int:
    """Write the outbox rows `event` asks for; how many."""
    mails = await compose.mails_for(session, event, mail_settings)
    for mail in mails:
        await repository.insert_mail(session, mail)
    return len(mails)
