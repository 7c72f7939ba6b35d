"""The answer cache itself: an entry holds only for its version and generation, within a byte
bound, least recently used out first."""

from __future__ import annotations

from supportdesk.api.answers import Answer, AnswerCache, viewer
from supportdesk.core.actor import Actor


def _answer(size: int, tag: str = 'W/"x"') -> Answer:
    return Answer(etag=tag, head=b"h" * size)


def test_an_entry_holds_only_for_its_generation_and_version() -> None:
    cache = AnswerCache()
    cache.put(("v1", "tkt_a", "staff"), 3, 7, _answer(10))
    assert cache.get(("v1", "tkt_a", "staff"), 3, 7) is not None
    assert cache.get(("v1", "tkt_a", "staff"), 3, 8) is None
    assert cache.get(("v1", "tkt_a", "staff"), 4, 7) is None
    assert cache.get(("v1", "tkt_a", 12), 3, 7) is None  # another viewer
    assert cache.get(("v2", "tkt_a", "staff"), 3, 7) is None  # another door


def test_a_newer_version_replaces_the_older_and_an_older_never_replaces_a_newer() -> None:
    cache = AnswerCache()
    key = ("v1", "tkt_a", 5)
    cache.put(key, 0, 1, _answer(10, "old"))
    cache.put(key, 0, 2, _answer(10, "new"))
    assert len(cache) == 1
    cache.put(key, 0, 1, _answer(10, "late"))  # a slow build of version 1 finishing last
    found = cache.get(key, 0, 2)
    assert found is not None
    assert found.etag == "new"
    assert cache.get(key, 0, 1) is None


def test_the_cache_is_bounded_in_bytes_least_recently_used_out_first() -> None:
    cache = AnswerCache(max_bytes=5_000)
    for name in ("a", "b", "c"):
        cache.put(("v1", name, "staff"), 0, 0, _answer(1_000))
    assert cache.get(("v1", "a", "staff"), 0, 0) is not None  # a is now the most recent
    for name in ("d", "e"):
        cache.put(("v1", name, "staff"), 0, 0, _answer(1_000))
    assert cache.bytes <= 5_000
    assert cache.get(("v1", "b", "staff"), 0, 0) is None  # the least recently used went first
    assert cache.get(("v1", "a", "staff"), 0, 0) is not None
    assert cache.get(("v1", "e", "staff"), 0, 0) is not None
    cache.put(("v1", "huge", "staff"), 0, 0, _answer(10_000))  # larger than the bound: not kept
    assert cache.get(("v1", "huge", "staff"), 0, 0) is None
    assert cache.bytes <= 5_000


def test_staff_share_one_view_and_each_client_has_its_own() -> None:
    assert viewer(Actor.staff(1, "api_v1")) == viewer(Actor.staff(2, "api_v1")) == "staff"
    assert viewer(Actor.system("cli")) == "staff"
    assert viewer(Actor.client(7, "api_v1")) == 7
    assert viewer(Actor.client(8, "api_v1")) == 8
