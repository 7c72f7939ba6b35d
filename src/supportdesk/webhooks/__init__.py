"""Webhooks (automation.md): endpoints an admin registers, and the signed deliveries of ticket
events to them, from an outbox written in the change's transaction."""
