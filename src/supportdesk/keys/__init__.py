"""API keys: generation, storage as digests, scopes, revocation."""
