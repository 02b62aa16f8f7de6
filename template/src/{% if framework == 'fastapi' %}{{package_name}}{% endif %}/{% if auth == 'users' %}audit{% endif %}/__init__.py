"""The audit trail of accounts: the `audit_events` table, recording an event in the transaction of its change, and
the admins' list at `GET /api/v1/audit-events` (core/accounts/audit.py says what an event is)."""
