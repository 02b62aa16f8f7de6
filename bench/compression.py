"""The cost of compressing a large JSON list: CPU per answer and bytes, per gzip level (and brotli or zstd when the
interpreter running this has them), for the rendered services' compressed answers (core/middleware/compression.py).

The body is a page of the example resource's list answer (`{"items": [...], "total", "limit", "offset"}`), built
here with the fields and the kind of values the service returns (UUIDs, timestamps, names and descriptions from a
fixed word list, tags, prices), seeded so every run compresses the same bytes. CPU is process time
(`time.process_time`), so another process on the core stretches the wall clock but not the figure; each figure is
the median of `--runs` batches.

    uv run python bench/compression.py                       # pages of 20 and 100 items, gzip levels 1-9
    uv run python bench/compression.py --items 100 --runs 7 --json /tmp/compression.json
    uv run --with brotli --with zstandard python bench/compression.py   # the other codings too
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

WORDS = [
    *("oak", "linen", "copper", "walnut", "ceramic", "slate", "amber", "harbour", "meadow", "river", "cedar"),
    *("granite", "velvet", "ember", "willow", "maple", "canvas", "indigo", "saffron", "pewter", "marble"),
    *("juniper", "cobalt", "birch", "tundra", "coral", "opal", "sable", "quartz", "fennel"),
]


def item(rng: random.Random, now: datetime) -> dict[str, object]:
    created = now - timedelta(seconds=rng.randrange(10_000_000))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "name": " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(1, 4))),
        "description": " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) if rng.random() < 0.8 else None,
        "price_cents": rng.randrange(100, 1_000_000),
        "tags": rng.sample(WORDS, rng.randint(0, 4)),
        "sku": f"SKU-{rng.randrange(10**8):08d}" if rng.random() < 0.5 else None,
        "status": rng.choice(("draft", "active", "archived")),
        "available_at": None if rng.random() < 0.5 else (created + timedelta(days=3)).isoformat(),
        "created_at": created.isoformat(),
        "updated_at": (created + timedelta(seconds=rng.randrange(100_000))).isoformat(),
        "owner_id": f"user-{rng.randrange(1000)}",
    }


def page(count: int) -> bytes:
    rng = random.Random(count)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    body = {"items": [item(rng, now) for _ in range(count)], "total": 10_000, "limit": count, "offset": 0}
    return json.dumps(body, separators=(",", ":")).encode()


def codings() -> dict[str, Callable[[bytes], bytes]]:
    found: dict[str, Callable[[bytes], bytes]] = {
        f"gzip-{level}": (lambda body, level=level: gzip.compress(body, compresslevel=level, mtime=0))
        for level in range(1, 10)
    }
    try:
        import brotli  # type: ignore[import-not-found]
    except ImportError:
        print("brotli: not installed here (uv run --with brotli ...)", file=sys.stderr)
    else:
        for quality in (1, 4, 5):
            found[f"br-{quality}"] = lambda body, quality=quality: brotli.compress(body, quality=quality)
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        print("zstd: not installed here (uv run --with zstandard ...)", file=sys.stderr)
    else:
        for level in (1, 3):
            found[f"zstd-{level}"] = zstandard.ZstdCompressor(level=level).compress
    return found


def cpu_per_call(compress: Callable[[bytes], bytes], body: bytes, *, runs: int, seconds: float) -> float:
    """Median process-time seconds of one compression over `runs` batches of about `seconds` each."""
    calls = 1
    while True:  # size the batch so it is long enough for process_time's resolution
        start = time.process_time()
        for _ in range(calls):
            compress(body)
        if time.process_time() - start >= seconds / 4:
            break
        calls *= 2
    samples = []
    for _ in range(runs):
        start = time.process_time()
        for _ in range(calls):
            compress(body)
        samples.append((time.process_time() - start) / calls)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, nargs="+", default=[20, 100], help="page sizes (100 is the API's most)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.2, help="per batch")
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    results = []
    for count in args.items:
        body = page(count)
        print(f"\npage of {count} items: {len(body)} bytes of JSON")
        print(f"{'coding':<9} {'bytes':>7} {'ratio':>6} {'CPU µs':>8} {'MB/s':>7}")
        for name, compress in codings().items():
            size = len(compress(body))
            cpu = cpu_per_call(compress, body, runs=args.runs, seconds=args.seconds)
            results.append({"items": count, "json_bytes": len(body), "coding": name, "bytes": size, "cpu_s": cpu})
            print(f"{name:<9} {size:>7} {size / len(body):>6.3f} {cpu * 1e6:>8.0f} {len(body) / cpu / 1e6:>7.1f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"python": sys.version.split()[0], "results": results}, out, indent=2)


if __name__ == "__main__":
    main()
