"""The `supportdesk` command line."""
