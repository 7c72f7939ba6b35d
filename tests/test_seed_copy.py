"""The seed page the tests read (`tests/data/`) is the seed page.

The copy is pinned by its SHA-256, which holds it still on any machine; where the original is
beside the repository (`../shared/seed/`, as in the project's workplace and CI) the copy must
also be byte-identical to it, so that a changed seed page cannot go unnoticed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from tests.seed import SEED, SHARED_SEED, seed_ticket

# The digest of the seed page as copied; change it only together with a fresh copy.
SEED_SHA256 = "6cd248dd24d666e0c7d910e990418a64532a3acf0d61546012d6cb4f63d6823c"


def seed_comparison() -> str:
    """How the copy compares with the original, in words (for the report header, too)."""
    if not SHARED_SEED.is_file():
        return f"not compared: no original at {SHARED_SEED}"
    if SHARED_SEED.read_bytes() == SEED.read_bytes():
        return f"identical to {SHARED_SEED}"
    return f"DIFFERENT from {SHARED_SEED}"


def test_the_copy_is_the_seed_page(record_property: Callable[[str, object], None]) -> None:
    copy = SEED.read_bytes()
    assert hashlib.sha256(copy).hexdigest() == SEED_SHA256, (
        f"{SEED} changed: it must stay a byte-identical copy of the seed page"
    )
    assert "number" in seed_ticket(), "the copy parses as the seed page: a ticket example"
    comparison = seed_comparison()
    print(f"\n[seed] tests/data copy: {comparison}", flush=True)
    record_property("seed comparison", comparison)
    if SHARED_SEED.is_file():
        assert SHARED_SEED.read_bytes() == copy, (
            f"the seed page at {SHARED_SEED} differs from the copy in {SEED}: copy it again "
            "and update SEED_SHA256"
        )
