"""What a file's first bytes say it is, and whether the service takes it.

A client names a content type; the service believes it only when the type is on the allow-list and the file's first
bytes agree (a "PNG" that starts like an HTML page is refused). Downloads then go out as attachments with `nosniff`,
so even a file that slipped through is never rendered by a browser as the service's own page.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

SNIFF_BYTES: Final = 512
"""How many first bytes `sniff` needs: every signature below fits, and text is judged on them."""

# Signatures at offset 0, except WebP's (RIFF....WEBP): checked in `sniff`.
_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
)
TEXT_TYPES: Final = frozenset({"text/plain", "text/csv", "application/json"})
"""Types with no signature: their first bytes must be UTF-8 text without control characters other than whitespace."""
_TEXT_CONTROLS: Final = frozenset(range(32)) - {9, 10, 13}


class UnsupportedContent(Exception):  # noqa: N818 - a refusal, answered as a 415
    """The named type is not allowed, or the first bytes do not match it."""


def _is_text(head: bytes) -> bool:
    if any(byte in _TEXT_CONTROLS for byte in head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may end inside a multi-byte character: only an error in its last 3 bytes is forgiven.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def sniff(head: bytes) -> str | None:
    """The binary type `head` (a file's first bytes) starts like, "text" for text, None for anything else."""
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "text" if head and _is_text(head) else None


def normalise(content_type: str) -> str:
    """`Text/Plain; charset=utf-8` -> `text/plain`: the allow-list compares media types, not parameters."""
    return content_type.split(";", 1)[0].strip().lower()


# A file's name as sent: no slash and no control character anywhere, and one character that is not whitespace as
# `str.strip()` sees it (the name is trimmed). Spelled out: a JSON Schema client's `\\s` is ECMAScript's.
FILE_NAME_PATTERN: Final = (
    r"^[^/\\\x00-\x1f\x7f]*"
    r"[^/\\\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
    r"[^/\\\x00-\x1f\x7f]*$"
)
PLAIN_NAME: Final = "A file name has no slashes and no control characters"


def plain_name(value: str) -> str:
    """`value` trimmed, or ValueError if it has a slash or a control character: a name is shown and sent back in
    Content-Disposition. Checked before trimming, so that FILE_NAME_PATTERN states exactly what is taken."""
    if any(char in "/\\" or ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError(PLAIN_NAME)
    return value.strip()


def not_accepted(media_type: str) -> str:
    """Why a media type off the allow-list is refused: a streamed body's 415, a direct upload's `content_type` 422 (a
    JSON body naming a type is valid JSON with an invalid field, not a body of the wrong type)."""
    return f"Files of type {media_type or '(none)'} are not accepted"


def check_content(content_type: str, head: bytes, allowed: frozenset[str]) -> str:
    """The media type to store `head`'s file under, or UnsupportedContent: `content_type` must be allowed and agree
    with what the first bytes are (`sniff`)."""
    media_type = normalise(content_type)
    if media_type not in allowed:
        raise UnsupportedContent(not_accepted(media_type))
    found = sniff(head[:SNIFF_BYTES])
    if found != ("text" if media_type in TEXT_TYPES else media_type):
        raise UnsupportedContent(f"The file's content is not {media_type}")
    return media_type


def attachment(name: str) -> str:
    """A download's Content-Disposition: always an attachment (never shown inline as the service's page), the name
    in UTF-8 (RFC 6266) and, for older clients, in ASCII with anything unsafe in a quoted string replaced."""
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\%' else "_" for char in name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
