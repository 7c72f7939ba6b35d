"""Where a file on a ticket is downloaded from, in each generation."""

from __future__ import annotations


def v1_download_path(ticket_number: int, attachment_id: int) -> str:
    """v1 names a file by the ticket's number and the attachment's id (as `attachments[]`)."""
    return f"/api/support/tickets/{ticket_number}/attachments/{attachment_id}"


def v2_download_path(attachment_public_id: str, ticket_public_id: str | None) -> str:
    """v2 names it by its `tatt_` id, with the ticket it is on once it is attached."""
    path = f"/api/v2/support/attachments/{attachment_public_id}"
    return f"{path}?ticketId={ticket_public_id}" if ticket_public_id else path
