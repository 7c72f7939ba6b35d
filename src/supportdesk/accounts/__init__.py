"""Client accounts, their groups, staff members and brands."""
