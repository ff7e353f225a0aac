"""Domain services: keyword-only functions that take the session, own the rules and commit."""
