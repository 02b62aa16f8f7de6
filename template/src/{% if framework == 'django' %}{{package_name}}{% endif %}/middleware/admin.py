"""The Django admin's middleware (sessions, authentication, messages) for /admin/ only.

The admin needs them; the API must not pay for them (sessions, a user lookup, message storage on every
request). So MIDDLEWARE lists this one middleware, which passes every other path straight on and runs the admin's
chain for /admin/. Synchronous, as the service's handler runs the chain: on the request's thread
(request_threads.py). CSRF needs no middleware: every admin view is wrapped in `csrf_protect` by the admin site
itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponseBase

ADMIN_PREFIX: Final = "/admin/"
ADMIN_REFERRER_POLICY: Final = "same-origin"
"""The service sends `no-referrer`; with it browsers post forms with `Origin: null`, which Django's CSRF check
refuses. The admin's pages send their referrer to this origin only (the security headers layer keeps it)."""

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class AdminMiddleware:
    sync_capable = True
    async_capable = False

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        # Outermost first, as they would be listed in MIDDLEWARE.
        self.admin_chain: GetResponse = SessionMiddleware(AuthenticationMiddleware(MessageMiddleware(get_response)))  # type: ignore[arg-type,assignment]

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith(ADMIN_PREFIX):
            response = self.admin_chain(request)
            response["Referrer-Policy"] = ADMIN_REFERRER_POLICY
            return response
        return self.get_response(request)
