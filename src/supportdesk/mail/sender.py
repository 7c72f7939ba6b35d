"""The mail job: lease the due mails of the outbox, send them over one SMTP connection, record
the sends (and the failures, and when to try again) in short transactions as it goes.

Delivery is at least once: a sender that dies after the server took a mail and before its row
said so leaves the lease to run out, and the mail goes again with the same `Message-ID`.
Without `SUPPORTDESK_SMTP_URL` nothing is sent: the mails are kept in the outbox.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import aiosmtplib

from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database, DbSession
from supportdesk.jobs.task import JobContext, Task
from supportdesk.mail import repository, smtp
from supportdesk.mail.repository import MailRow

logger = logging.getLogger(__name__)

BATCH = 50
# Sends are recorded this many at a time: fewer commits than one a mail, fewer mails sent again
# after a crash than one a batch.
RECORD_EVERY = 10
MAX_BACKOFF = timedelta(days=1)


def retry_at(settings: Settings, attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts (exponential backoff), or None once
    `mail_max_attempts` are spent."""
    if attempts >= settings.mail_max_attempts:
        return None
    delay = timedelta(seconds=settings.mail_retry_seconds * 2 ** (attempts - 1))
    return now + min(delay, MAX_BACKOFF)


async def send_due_mail(context: JobContext) -> int:
    """Send what is due at `context.now`: how many mails the SMTP server took."""
    settings = context.settings
    if settings.smtp_url is None:
        return 0
    target = smtp.smtp_target(settings.smtp_url.get_secret_value())
    lease = timedelta(seconds=settings.mail_lease_seconds)
    async with context.db.transaction() as session:
        mails = await repository.claim_due(
            session,
            worker=context.worker,
            now=context.now,
            hold=lease,
            limit=BATCH,
        )
    if not mails:
        return 0
    return await _deliver(context.db, settings, target, context.worker, mails)


class _Outcomes:
    """What became of a batch's mails, written as it goes: sends every `RECORD_EVERY` (a
    sender killed mid-batch sends again only what it had not yet recorded), failures at the
    end."""

    def __init__(self, db: Database, settings: Settings, worker: str) -> None:
        self.db, self.settings, self.worker = db, settings, worker
        self.unrecorded: list[int] = []
        self.recorded = 0
        self.failures: list[tuple[MailRow, BaseException]] = []

    async def sent(self, mail_id: int) -> None:
        self.unrecorded.append(mail_id)
        if len(self.unrecorded) >= RECORD_EVERY:
            await self.record()

    async def record(self) -> None:
        if not self.unrecorded and not self.failures:
            return
        now = utcnow()
        async with self.db.transaction() as session:
            done = await repository.mark_sent(session, self.unrecorded, worker=self.worker, now=now)
            for mail, problem in self.failures:
                await _record_failure(session, self.settings, self.worker, mail, problem, now)
        self.recorded += len(done)
        self.unrecorded, self.failures = [], []


async def _deliver(
    db: Database, settings: Settings, target: smtp.SmtpTarget, worker: str, mails: list[MailRow]
) -> int:
    """Send `mails` over one connection; how many the server took (and were recorded)."""
    outcomes = _Outcomes(db, settings, worker)
    connection = smtp.client(settings, target)
    try:
        await connection.connect()
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        logger.warning(
            "mail: connecting to %s failed: %s", target.describe(), smtp.describe_error(error)
        )
        outcomes.failures = [(mail, error) for mail in mails]
    else:
        try:
            await _send_each(connection, settings, mails, outcomes)
        finally:
            await _close(connection)
    await outcomes.record()
    return outcomes.recorded


async def _send_each(
    connection: aiosmtplib.SMTP, settings: Settings, mails: list[MailRow], outcomes: _Outcomes
) -> None:
    sender = smtp.envelope_sender(settings)
    for index, mail in enumerate(mails):
        try:
            message = smtp.build_message(mail)
        except ValueError as error:  # a stored mail no message can carry: never sendable
            outcomes.failures.append((mail, smtp.Unsendable(str(error))))
            continue
        try:
            refused, _ = await connection.send_message(
                message, sender=sender, recipients=mail.recipients
            )
        except aiosmtplib.SMTPServerDisconnected as error:
            outcomes.failures.extend((rest, error) for rest in mails[index:])
            return
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            outcomes.failures.append((mail, error))
            continue
        if refused:
            logger.warning("mail %s: some recipients refused: %s", mail.id, sorted(refused))
        await outcomes.sent(mail.id)


async def _close(connection: aiosmtplib.SMTP) -> None:
    if not connection.is_connected:
        return
    try:
        await connection.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        connection.close()


async def _record_failure(
    session: DbSession,
    settings: Settings,
    worker: str,
    mail: MailRow,
    error: BaseException,
    now: datetime,
) -> None:
    reason = smtp.describe_error(error)
    when = None if smtp.permanent(error) else retry_at(settings, mail.attempts, now)
    logger.warning(
        "mail %s (%s) attempt %s: %s; %s",
        mail.id,
        mail.message_id,
        mail.attempts,
        reason,
        "failed" if when is None else f"again at {when.isoformat()}",
    )
    await repository.mark_unsent(session, mail.id, worker=worker, error=reason, retry_at=when)


MAIL_TASK = Task(name="mail", run=send_due_mail)
