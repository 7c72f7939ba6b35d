"""Shared plumbing: settings, database, errors, ids, clock."""
