"""Values a process remembers for some seconds: what searches ask the database for
again and again (the thesaurus, the stems of a prefix, how a query parses, how many
entries match a word)."""

from collections.abc import Callable, Hashable, Iterable
from time import monotonic
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TimedCache(Generic[K, V]):
    """Each value is reused for ``ttl`` seconds; other processes see a change after
    that at the latest, this one after :meth:`forget`. At most ``most`` values are
    kept: beyond, the cache starts anew."""

    def __init__(self, ttl: float, most: int) -> None:
        self.ttl, self.most = ttl, most
        self._values: dict[K, tuple[float, V]] = {}

    def get(self, key: K, compute: Callable[[K], V]) -> V:
        return self.get_many([key], lambda keys: [compute(keys[0])])[key]

    def get_many(self, keys: Iterable[K], compute: Callable[[list[K]], list[V]]) -> dict[K, V]:
        """The value of each key; ``compute`` gets the keys not seen in the last
        ``ttl`` seconds, all at once, and returns their values in that order."""
        now = monotonic()
        found: dict[K, V] = {}
        stale: list[K] = []
        for key in dict.fromkeys(keys):
            remembered = self._values.get(key)
            if remembered is not None and now - remembered[0] <= self.ttl:
                found[key] = remembered[1]
            else:
                stale.append(key)
        if stale:
            if len(self._values) + len(stale) > self.most:
                self._values.clear()
            for key, value in zip(stale, compute(stale), strict=True):
                self._values[key] = (now, value)
                found[key] = value
        return found

    def forget(self) -> None:
        self._values.clear()
