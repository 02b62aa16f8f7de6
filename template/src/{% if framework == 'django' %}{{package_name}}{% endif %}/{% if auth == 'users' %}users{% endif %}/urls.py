"""The users app's routes, included at the root by urls.py: `/api/v1/users/me`, `/api/v1/users[/<user_id>]`,
`/api/v1/auth/token` (and its JSON twins `/api/v1/auth/login`, `/api/v1/auth/refresh`), `/api/v1/auth/verify`,
`/api/v1/auth/logout` and `/.well-known/jwks.json`."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from ..api.paths import API_V1
from .auth_views import (
    JWKS_PATH,
    LOGIN_PATH,
    LOGOUT_PATH,
    REFRESH_PATH,
    TOKEN_PATH,
    VERIFY_PATH,
    JwksView,
    LoginView,
    LogoutView,
    RefreshView,
    TokenView,
    VerifyView,
)
from .views import MeView, UserViewSet

# No trailing slashes: `/api/v1/users/` is a 404, never a redirect. Path converters (`<str:user_id>`), no regex.
router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("users", UserViewSet, basename="users")

urlpatterns: list[URLPattern | URLResolver] = [
    path(TOKEN_PATH.removeprefix("/"), TokenView.as_view(), name="auth_token"),
    path(LOGIN_PATH.removeprefix("/"), LoginView.as_view(), name="auth_login"),
    path(REFRESH_PATH.removeprefix("/"), RefreshView.as_view(), name="auth_refresh"),
    path(VERIFY_PATH.removeprefix("/"), VerifyView.as_view(), name="auth_verify"),
    path(LOGOUT_PATH.removeprefix("/"), LogoutView.as_view(), name="auth_logout"),
    path(JWKS_PATH.removeprefix("/"), JwksView.as_view(), name="jwks"),
    path(f"{API_V1}/users/me", MeView.as_view(), name="users_me"),  # before `users/<user_id>`, which "me" matches
    path(f"{API_V1}/", include(router.urls)),
]
