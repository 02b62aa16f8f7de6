"""Revoked access tokens in the database (`revoked_tokens`): the durable record core/revoked_tokens.py reloads."""
