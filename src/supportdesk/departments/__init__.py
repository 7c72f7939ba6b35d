"""Departments, their SLA policies, and ticket statuses."""
