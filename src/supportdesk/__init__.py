"""supportdesk: a self-hosted support-ticket service that speaks HostUp's support API."""

__version__ = "0.1.0"
