"""The service's users: who may sign in (table.py), the token endpoint and logout (auth_routes.py),
`/api/v1/users` (routes.py), the sessions behind them (accounts.py) and the `users` command (commands.py).
The framework-neutral rules (keys, tokens, grants, password policy, login limits) live in core/accounts/."""
