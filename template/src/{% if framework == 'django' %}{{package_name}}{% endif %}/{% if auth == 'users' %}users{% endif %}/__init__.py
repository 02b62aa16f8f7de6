"""The service's own users: the custom user model (`AUTH_USER_MODEL`), their refresh tokens and revoked token ids,
the users API (`/api/v1/users`), the token endpoint (`/api/v1/auth/token`), logout and the published keys."""
