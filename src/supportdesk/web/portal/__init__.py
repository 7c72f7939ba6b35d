"""The customer portal: a ticket opened by its access link (web.md, `/portal/`)."""
