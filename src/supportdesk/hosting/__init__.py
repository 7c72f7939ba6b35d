"""Clients' hosting services (VPS, domains, ...) and their links to tickets."""
