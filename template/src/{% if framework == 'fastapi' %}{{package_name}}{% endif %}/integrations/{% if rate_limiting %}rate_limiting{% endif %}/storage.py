"""Where the per-client buckets live: process memory (bounded) or Redis (shared by every replica)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Final, Protocol, cast

from pyrate_limiter import GCRA, AbstractBucket, BucketFactory, RateItem, StateStore
from pyrate_limiter.buckets import InMemoryStateStore, RedisStateStore, StateBucket

from .rates import Limit

MAX_KEYS: Final = 50_000
"""Buckets kept in memory at most; the least recently used go first (a flood of new addresses cannot exhaust RAM)."""

REDIS_KEY_PREFIX: Final = "ratelimit:"


class Storage(Protocol):
    """What the limiter needs from a storage: a state store per key, plus fault reporting when it is remote."""

    name: str
    errors: tuple[type[BaseException], ...]

    def store(self, key: str) -> StateStore: ...

    def available(self) -> bool: ...

    def record_failure(self, exc: BaseException) -> None: ...

    def record_success(self) -> None: ...


class MemoryStorage:
    """Buckets in this process: exact for one process, per process when several run (use Redis to share)."""

    name = "memory"
    errors: tuple[type[BaseException], ...] = ()

    def store(self, key: str) -> StateStore:
        return InMemoryStateStore()

    def available(self) -> bool:
        return True

    def record_failure(self, exc: BaseException) -> None:  # pragma: no cover - memory does not fail
        return None

    def record_success(self) -> None:
        return None


class SharedRedis(Protocol):
    """The part of `integrations.redis_client.RedisConnection` the limiter uses (it may not exist in a variant)."""

    client: object
    errors: tuple[type[BaseException], ...]

    def available(self) -> bool: ...

    def record_failure(self, exc: BaseException) -> None: ...

    def record_success(self) -> None: ...


class RedisStorage:
    """Buckets in Redis, one small hash per client and limit, updated atomically by a Lua script.

    redis-py's registered scripts reload themselves after NOSCRIPT, so a restarted Redis needs nothing from us.
    """

    name = "redis"

    def __init__(self, connection: SharedRedis) -> None:
        self.connection = connection
        self.errors = connection.errors

    def store(self, key: str) -> StateStore:
        return RedisStateStore(cast(Any, self.connection.client), REDIS_KEY_PREFIX + key)

    def available(self) -> bool:
        return self.connection.available()

    def record_failure(self, exc: BaseException) -> None:
        self.connection.record_failure(exc)

    def record_success(self) -> None:
        self.connection.record_success()


class ClientBuckets(BucketFactory):
    """Routes each item to its own GCRA bucket by name (`<scope>:<client address>`): one bucket per client.

    fastapi-limiter's README pattern, `Limiter(Rate(...))`, is one bucket shared by every client.
    """

    def __init__(self, limit: Limit, storage: Storage, *, max_keys: int = MAX_KEYS) -> None:
        self.limit = limit
        self.rates = [limit.rate()]
        self.storage = storage
        self.max_keys = max_keys
        self.algorithm = GCRA()
        self._buckets: OrderedDict[str, StateBucket] = OrderedDict()

    def wrap_item(self, name: str, weight: int = 1) -> RateItem:
        now = self.get_bucket(name).store.default_clock.now()
        assert isinstance(now, int)  # noqa: S101 - the clocks of both storages are synchronous
        return RateItem(name, now, weight)

    def get(self, item: RateItem) -> AbstractBucket:
        return self.get_bucket(item.name)

    def get_bucket(self, name: str) -> StateBucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            # Not `self.create()`: that registers the bucket with a leak task for ever. GCRA state is a single
            # number per key and needs no leaking; bounding the number of keys is what keeps memory flat.
            bucket = StateBucket(self.rates, self.algorithm, self.storage.store(name))
            self._buckets[name] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(name)
        return bucket

    def __len__(self) -> int:
        return len(self._buckets)
