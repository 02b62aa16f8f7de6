"""Every file the template ever moved, in the rendered project: old path -> new path(s). The one table of moves.

Why: copier sees a moved file as one file deleted and another added, and deletes the old path even when the team
edited it. After every `copier update`, hooks/update.py finds the edited files the update deleted and, when this
table names a new home for one that the update rendered, merges the team's edits into it three-way (inline
conflict markers where both sides changed the same lines); any other edited file is restored at its old path and
named. No version or tag is involved, so the move is carried over whichever release the project comes from.

Format, for whoever adds a move:
- key: the old path relative to the project root, exactly as an older release rendered it;
- value: the new path, or several when the move depends on the answers (e.g. one path per framework): the first one
  that the update rendered is used;
- `{package_name}` stands for the project's package (`src/{package_name}/config.py`).
Never remove an entry: projects generated from any older release may still have the old path.
"""

from __future__ import annotations

MOVES: dict[str, str | tuple[str, ...]] = {
    # 0.2.0: the process-level tests (real server process, signals) got a name that says so.
    "tests/test_server.py": "tests/test_process.py",
    # 0.3.0: what both frameworks share lives once, in the framework-neutral `core/` package.
    "src/{package_name}/asgi_types.py": "src/{package_name}/core/asgi_types.py",
    "src/{package_name}/lifecycle.py": "src/{package_name}/core/lifecycle.py",
    "src/{package_name}/logs.py": "src/{package_name}/core/logs.py",
    "src/{package_name}/request_context.py": "src/{package_name}/core/request_context.py",
    "src/{package_name}/sentry_scrubbing.py": "src/{package_name}/core/sentry_scrubbing.py",
    "src/{package_name}/middleware/errors.py": "src/{package_name}/core/middleware/errors.py",
    "src/{package_name}/middleware/request_id.py": "src/{package_name}/core/middleware/request_id.py",
    "src/{package_name}/middleware/security_headers.py": "src/{package_name}/core/middleware/security_headers.py",
    "src/{package_name}/middleware/telemetry.py": "src/{package_name}/core/middleware/telemetry.py",
    "src/{package_name}/middleware/cors.py": "src/{package_name}/core/middleware/cors.py",
    "src/{package_name}/middleware/body_limit.py": "src/{package_name}/core/middleware/body_limit.py",
    # 0.3.0, Django: a conventional project (asgi.py's `application`; rates beside the settings that use them).
    "src/{package_name}/app.py": "src/{package_name}/asgi.py",
    "src/{package_name}/api/rates.py": "src/{package_name}/rates.py",
    # 0.4.0: a resource is one package (FastAPI) or one app (Django) holding its routes or views, scopes and limits.
    "src/{package_name}/api/items.py": ("src/{package_name}/items/routes.py", "src/{package_name}/items/views.py"),
    "src/{package_name}/api/limits.py": "src/{package_name}/items/limits.py",
    "tests/test_items.py": "tests/items/test_items.py",
    # 0.4.0: one name per concept in both frameworks. FastAPI: the typed settings are `config.py`, as in Django (whose
    # `settings.py` is DJANGO_SETTINGS_MODULE, so this key never matches a Django project: its file stays rendered).
    "src/{package_name}/settings.py": "src/{package_name}/config.py",
    # 0.4.0, Django: rate limiting is called `rate_limiting`, as the answer and FastAPI's package are.
    "src/{package_name}/integrations/rate_limit.py": "src/{package_name}/integrations/rate_limiting.py",
    "src/{package_name}/integrations/redis_rate_limit.py": "src/{package_name}/integrations/redis_rate_limiting.py",
    "tests/test_rate_limit.py": "tests/test_rate_limiting.py",
    "tests/test_rate_limit_redis_down.py": "tests/test_rate_limiting_redis_down.py",
    "tests/test_auth_rate_limit.py": "tests/test_auth_rate_limiting.py",
    # The API and the worker share one rule for the mail settings (no longer the worker's alone).
    "src/{package_name}/core/mail/workers.py": "src/{package_name}/core/mail/required.py",
    # Django: the items' export lives in `items/` (the jobs app imports no package of the service's); what every
    # operation does (`update_unfinished`, `record_operation_event`) stays in `jobs/operations.py`.
    "src/{package_name}/jobs/exports.py": "src/{package_name}/items/exports.py",
    # FastAPI, auth=users: one name per concept. Signing in and out is `users/tokens.py`, as in Django (whose
    # `users/accounts.py`, the account changes, stays rendered: this key never matches a Django project); the one-time
    # tokens' store is `users/one_time_tokens.py`, Django's name.
    "src/{package_name}/users/accounts.py": "src/{package_name}/users/tokens.py",
    "src/{package_name}/users/by_email_store.py": "src/{package_name}/users/one_time_tokens.py",
}


def new_paths(old: str, package_name: str) -> tuple[str, ...]:
    """Where the template moved `old` (in the project's terms), most likely first; empty when it never moved."""
    for template_old, template_new in MOVES.items():
        if template_old.format(package_name=package_name) == old:
            candidates = (template_new,) if isinstance(template_new, str) else template_new
            return tuple(candidate.format(package_name=package_name) for candidate in candidates)
    return ()
