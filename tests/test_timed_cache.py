"""Values a process remembers for some seconds (lernstadt.lib.timed_cache)."""

import pytest

from lernstadt.lib import timed_cache
from lernstadt.lib.timed_cache import TimedCache


def test_only_keys_not_seen_within_the_seconds_are_computed_all_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[list[str]] = []

    def lengths(keys: list[str]) -> list[int]:
        asked.append(keys)
        return [len(key) for key in keys]

    cache: TimedCache[str, int] = TimedCache(ttl=10.0, most=100)
    assert cache.get_many(["ab", "abc", "ab"], lengths) == {"ab": 2, "abc": 3}
    assert cache.get_many(["abc", "abcd"], lengths) == {"abc": 3, "abcd": 4}
    assert asked == [["ab", "abc"], ["abcd"]]
    now = timed_cache.monotonic()
    monkeypatch.setattr(timed_cache, "monotonic", lambda: now + 11.0)
    assert cache.get_many(["ab"], lengths) == {"ab": 2}
    assert asked[-1] == ["ab"]  # the seconds have passed
    cache.forget()
    assert cache.get_many(["abc"], lengths) == {"abc": 3}
    assert asked[-1] == ["abc"]


def test_a_full_cache_starts_anew() -> None:
    calls: list[str] = []

    def remember(key: str) -> str:
        calls.append(key)
        return key.upper()

    cache: TimedCache[str, str] = TimedCache(ttl=60.0, most=2)
    for key in ["a", "b", "c", "a"]:
        assert cache.get(key, remember) == key.upper()
    assert calls == ["a", "b", "c", "a"]  # "c" emptied the cache, so "a" was computed again
