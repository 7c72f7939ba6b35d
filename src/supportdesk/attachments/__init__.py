"""Attachments: files uploaded to the support API, stored once by content, served safely.

An upload gets a `satt_` id and stays pending (no ticket) until a new ticket or message claims
it; from then on it is the ticket's attachment, downloadable by its `tatt_` id (v2) or its
internal id (v1) under the same visibility rules as the ticket.
"""
