"""Revoked access tokens: each token id (`jti`) refused until the token would have expired, on every replica. The
database keeps them because every deployment has one and keeps it: a Redis restart or flush cannot un-revoke one."""

from __future__ import annotations

from django.db import models


class RevokedToken(models.Model):
    jti = models.CharField(max_length=256, primary_key=True)  # core/revoked_tokens.py's `stored_id` fits longer ids
    expires_at = models.DateTimeField(db_index=True)  # refused until then; the row may go afterwards

    def __str__(self) -> str:
        return self.jti
