"""The service's own accounts, framework-neutral: the signing keys (keys.py), the tokens it issues
(tokens.py), the token endpoint's grants and errors (grants.py), the password policy (passwords.py) and the
brute-force limits (login_limits.py). Users, their storage and the routes are the web framework's `users` resource."""
