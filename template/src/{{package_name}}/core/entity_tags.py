"""Entity tags for optimistic concurrency: each stored version of a resource has an
`ETag`, and a write sent with `If-Match` applies only to the version it names (RFC 9110, 8.8.3 and 13.1.1)."""

from __future__ import annotations

from typing import Final

ANY: Final = "*"
STALE = "If-Match does not name the current ETag: read it again, then retry"


def entity_tag(version: int) -> str:
    """The strong entity tag of a stored version (`"3"`): it changes with every write."""
    return f'"{version}"'


def if_match_allows(if_match: str | None, current: str) -> bool:
    """Whether a write carrying this `If-Match` header may change the resource whose tag is `current`.

    No header: yes (the write is unconditional). `*`: yes, the resource exists. Otherwise one of the listed tags must
    equal `current` under strong comparison, so a weak tag (`W/"3"`) never matches.
    """
    if if_match is None:
        return True
    listed = [tag.strip() for tag in if_match.split(",")]
    return ANY in listed or current in listed
