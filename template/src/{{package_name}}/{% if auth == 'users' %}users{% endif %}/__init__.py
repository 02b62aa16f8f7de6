"""The service's own users: their accounts (`/api/v1/users`), the token endpoint (`/api/v1/auth/token`), logout, the
published keys and the `users` command. The framework-neutral rules (keys, tokens, grants, password policy, login
limits) live in core/accounts/."""
