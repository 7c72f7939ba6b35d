"""Clients' services (domains, hosting, VPS) and their links to tickets."""
