"""The accounts' side of the service: `Accounts` (sign-in, refresh, logout), the token endpoint and logout under
`/api/v1/auth`, the public keys at `/.well-known/jwks.json`, and `OAuthError` as a 400 problem with RFC 6749's
`error`. `create_app` calls `install` after the integrations: it uses their signing keys and revoked-token list."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from ..config import Settings
from ..context import app_context
from ..core.accounts.grants import OAuthError
from ..core.accounts.keys import SigningKeys
from ..core.accounts.tokens import AccessTokenIssuer
from ..core.revoked_tokens import RevokedTokens
from ..integrations.base import Wiring
from .accounts import Accounts
from .auth_routes import keys_router, oauth_error
from .auth_routes import router as auth_router
from .passwords import Passwords


def install(app: FastAPI, settings: Settings, wiring: Wiring) -> Accounts:
    """Call it after `install_integrations` (`integrations/auth.py`'s keys, `integrations/accounts.py`'s list)."""
    context = app_context(app)
    keys = context.component(SigningKeys)
    accounts = Accounts(
        sessions=context.sessions,
        issuer=AccessTokenIssuer(keys, settings.auth_issuer, settings.auth_audience, settings.auth_access_token_ttl),
        revoked=context.component(RevokedTokens),
        passwords=Passwords.for_environment(settings.environment),
        refresh_ttl_s=settings.auth_refresh_token_ttl,
    )
    context.provide(accounts)

    async def warm_up() -> None:
        await asyncio.to_thread(accounts.passwords.warm_up)

    wiring.on_startup.append(warm_up)
    wiring.api_routers.append(auth_router)
    app.include_router(keys_router)
    app.exception_handler(OAuthError)(oauth_error)
    return accounts
