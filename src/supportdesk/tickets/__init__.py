"""Tickets and everything on them: replies, notes, attachments, tags, subscriptions."""
