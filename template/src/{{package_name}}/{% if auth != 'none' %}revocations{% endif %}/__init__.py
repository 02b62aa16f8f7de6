"""Revoked access tokens in the database: the durable record core/revoked_tokens.py reloads."""
