"""Wait until the service at a URL is ready: `python tests/e2e/wait_for_service.py http://127.0.0.1:8000 [seconds]`.

CI starts the service in the background, then runs this before the end-to-end tests: exit 0 once
`GET /health/ready` answers 200, exit 1 when it has not within the time given (60 s by default).
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health/ready", timeout=2) as response:  # noqa: S310 - http(s) URL from the caller
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or not argv[1].startswith(("http://", "https://")):
        print("usage: wait_for_service.py http(s)://HOST:PORT [seconds]", file=sys.stderr)
        return 2
    deadline = time.monotonic() + (float(argv[2]) if len(argv) == 3 else 60)
    while time.monotonic() < deadline:
        if ready(argv[1]):
            return 0
        time.sleep(0.5)
    print(f"{argv[1]} was not ready in time", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
