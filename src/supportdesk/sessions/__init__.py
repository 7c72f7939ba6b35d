"""Staff sign-in for the desk's pages: passwords (Argon2id), server-side sessions, presence."""
