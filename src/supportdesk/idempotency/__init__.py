"""Idempotent writes: a POST's `Idempotency-Key` answers a retry with the first answer."""
