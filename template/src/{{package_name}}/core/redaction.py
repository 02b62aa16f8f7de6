"""What counts as a secret in a text the service writes out, and the one way its value is replaced: every log line
(`logs.py`) and, with Sentry, every event (`sentry_scrubbing.py`) go through it.

Two things are replaced wherever they appear:
- the value of a `name=value` pair (a query string, a URL, a message) whose name *looks* sensitive (`access_token`,
  `userPassword`, `x-client-secret`: `is_sensitive_key`). A server writes a request's URL, query string included, in
  lines of its own (uvicorn: `"WebSocket /events?token=..." 403` for a refused handshake), and clients do put tokens
  there, however often they are refused;
- anything shaped like a JSON Web Token (three base64url parts, the first a JSON object: `eyJ...`), whatever carries
  it: a WebSocket handshake's `Sec-WebSocket-Protocol: bearer, <token>` (core/websockets.py) or an `Authorization`
  header, in a server's debug lines or an exception's text.
"""

from __future__ import annotations

import functools
import re
from typing import Final

FILTERED: Final = "[Filtered]"

# A key is sensitive when one of its words is one of these (`api_key`, `X-Session-Id`, `cardNumber`) ...
_SENSITIVE_WORDS: Final = frozenset(
    {
        "auth", "authorization", "authentication", "bearer", "card", "cookie", "credential", "credentials", "csrf",
        "cvc", "cvv", "email", "iban", "jwt", "key", "mail", "otp", "pan", "pass", "passwd", "password", "pin", "pwd",
        "secret", "session", "sessionid", "sid", "signature", "ssn", "token", "username", "xsrf",
    }
)  # fmt: skip
# ... or when it contains one of these anywhere (`userpassword`, `githubtoken`, `clientsecret`); a WebSocket
# handshake's `Sec-WebSocket-Protocol` carries the bearer token after `bearer` (core/websockets.py).
_SENSITIVE_FRAGMENTS: Final = (
    "password", "passwd", "secret", "token", "apikey", "authoriz", "cookie", "credential", "secwebsocketprotocol",
)  # fmt: skip
_WORD_BOUNDARY: Final = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_QUERY_PARAMETER: Final = re.compile(r"(?P<key>[^?&=#\s]+)=(?P<value>[^&#\s]*)")
# A JWS in compact form: a base64url JSON header (`{"` encodes as `eyJ`), then payload and signature.
_JWT: Final = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


@functools.lru_cache(maxsize=1024)  # the same few names (headers, query parameters) come again and again
def is_sensitive_key(key: str) -> bool:
    words = [word.lower() for word in _WORD_BOUNDARY.split(key) if word]
    if any(word in _SENSITIVE_WORDS for word in words):
        return True
    squashed = "".join(words)
    return any(fragment in squashed for fragment in _SENSITIVE_FRAGMENTS)


def scrub_query(query: str) -> str:
    """`a=1&access_token=x` -> `a=1&access_token=[Filtered]`; works on a bare query or a whole URL."""
    return _QUERY_PARAMETER.sub(
        lambda match: f"{match['key']}={FILTERED}" if is_sensitive_key(match["key"]) else match[0], query
    )


def scrub_tokens(text: str) -> str:
    """Every JWT-shaped string in `text` replaced."""
    return _JWT.sub(FILTERED, text) if "eyJ" in text else text


def redact(text: str) -> str:
    """`text` with the values of sensitive `name=value` pairs and every JWT replaced (a log line's message)."""
    text = scrub_tokens(text)
    return scrub_query(text) if "=" in text else text
