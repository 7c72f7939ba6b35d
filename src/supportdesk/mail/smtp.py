"""SMTP as `SUPPORTDESK_SMTP_URL` names it: `smtp://[user:pass@]host[:port]` (STARTTLS whenever
the server offers it) or `smtps://...` (TLS from the first byte); authentication when a user
is given. The password goes to the server and nowhere else: never into a log or an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import aiosmtplib

from supportdesk.core.config import Settings
from supportdesk.mail.repository import MailRow

_PORTS = {"smtp": 25, "smtps": 465}
# The headers a stored mail carries, in the order a message shows them.
_HEADER_ORDER = (
    "From",
    "To",
    "Cc",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
)


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        """Where mail goes, for a log line (no password)."""
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def smtp_target(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _PORTS or not parts.hostname:
        raise ValueError("an SMTP URL is smtp://host[:port] or smtps://host[:port]")
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or _PORTS[scheme],
        implicit_tls=scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def build_message(mail: MailRow) -> EmailMessage:
    """The mail as it goes over the wire: the same bytes (Message-ID, Date) on every attempt."""
    message = EmailMessage()
    for name in _HEADER_ORDER:
        if name == "Message-ID":
            message[name] = mail.message_id  # the outbox row's own: what makes it one mail
        elif name in mail.headers:
            message[name] = mail.headers[name]
    message["Subject"] = mail.subject
    message["MIME-Version"] = "1.0"
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


def client(settings: Settings, target: SmtpTarget) -> aiosmtplib.SMTP:
    """A client for `target`; `start_tls=None` upgrades whenever the server offers STARTTLS."""
    return aiosmtplib.SMTP(
        hostname=target.host,
        port=target.port,
        username=target.username,
        password=target.password,
        use_tls=target.implicit_tls,
        start_tls=None if not target.implicit_tls else False,
        timeout=settings.smtp_timeout_seconds,
        cert_bundle=str(settings.smtp_ca_file) if settings.smtp_ca_file else None,
    )


def envelope_sender(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1]


class Unsendable(Exception):
    """A stored mail that no message can carry (a header the e-mail package refuses)."""


def permanent(error: BaseException) -> bool:
    """A refusal that another attempt will not change (a 5xx answer, a mail that cannot be
    built); the rest is retried."""
    if isinstance(error, Unsendable):
        return True
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refused.code >= 500 for refused in error.recipients)
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        return False  # a password being rotated: keep trying until the attempts run out
    return isinstance(error, aiosmtplib.SMTPResponseException) and error.code >= 500


def describe_error(error: BaseException) -> str:
    """What went wrong, for the outbox and the log: the server's answer or the exception's
    kind, never the URL (which may hold the password)."""
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"[:500]
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in error.recipients)[:500]
    return f"{type(error).__name__}: {error}"[:500]
