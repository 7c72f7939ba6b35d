"""The key format: prefix, length, alphabet, checksum; what is stored is a SHA-256 digest."""

from __future__ import annotations

import hashlib
import random
import string

import pytest

from supportdesk.keys import tokens

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def test_a_key_is_the_prefix_43_random_base62_characters_and_a_checksum() -> None:
    key = tokens.generate()
    assert key.startswith("sd_live_")
    assert len(key) == tokens.KEY_LENGTH == len("sd_live_") + 43 + 6
    assert set(key.removeprefix("sd_live_")) <= set(BASE62)
    assert tokens.is_well_formed(key)


def test_keys_are_random() -> None:
    keys = {tokens.generate() for _ in range(200)}
    assert len(keys) == 200
    # 32 random bytes: the first body character is not fixed.
    assert len({key[8:12] for key in keys}) > 150
    assert all(tokens.is_well_formed(key) for key in keys)


def test_every_one_character_change_is_rejected() -> None:
    key = tokens.generate()
    rng = random.Random(key)
    for position in range(tokens.KEY_LENGTH):
        others = [c for c in BASE62 + "_-" if c != key[position]]
        for replacement in rng.sample(others, 8):
            changed = key[:position] + replacement + key[position + 1 :]
            assert not tokens.is_well_formed(changed), changed


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "sd_live_",
        "sd_test_" + "A" * 49,
        "SD_LIVE_" + "A" * 49,
        "sd_live_" + "A" * 48,
        "sd_live_" + "A" * 50,
        "sd_live_" + "A" * 42 + "=" + "A" * 6,
        "sd_live_" + "é" * 49,
    ],
)
def test_malformed_keys_are_rejected(malformed: str) -> None:
    assert not tokens.is_well_formed(malformed)


def test_swapped_characters_are_rejected() -> None:
    key = tokens.generate()
    body = key[8:-6]
    i = next(i for i in range(len(body) - 1) if body[i] != body[i + 1])
    swapped = key[: 8 + i] + body[i + 1] + body[i] + key[8 + i + 2 :]
    assert not tokens.is_well_formed(swapped)


def test_truncated_and_extended_keys_are_rejected() -> None:
    key = tokens.generate()
    assert not tokens.is_well_formed(key[:-1])
    assert not tokens.is_well_formed(key + "A")
    assert not tokens.is_well_formed(" " + key)


def test_digest_is_sha256_of_the_key_and_the_hint_is_its_start() -> None:
    key = tokens.generate()
    assert tokens.digest(key) == hashlib.sha256(key.encode()).digest()
    assert tokens.hint(key) == key[: len("sd_live_") + 6]
