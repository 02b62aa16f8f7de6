"""Revoked access tokens in the database (`RevokedToken`): the durable record core/revoked_tokens.py reloads."""
