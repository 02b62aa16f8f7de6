"""URL prefixes (Django patterns have no leading slash)."""

API_V1 = "api/v1"
