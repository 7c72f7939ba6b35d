"""The content-addressed store: one file per content, atomic writes, a careful sweep."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest

from supportdesk.attachments import storage
from supportdesk.attachments.storage import FileStore

DATA = b"kernel panic - not syncing\n"
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


def all_files(files: FileStore) -> list[Path]:
    return sorted(path for path in files.root.rglob("*") if path.is_file())


def age(path: Path, seconds: float) -> None:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_a_file_is_stored_under_its_sha256(files: FileStore) -> None:
    assert files.store(DATA) == DIGEST
    path = files.root / DIGEST[:2] / DIGEST
    assert files.path_for(DIGEST) == path
    assert path.read_bytes() == DATA
    with files.open(DIGEST) as handle:
        assert handle.read() == DATA


def test_identical_content_is_stored_once(files: FileStore) -> None:
    assert files.store(DATA) == files.store(DATA) == DIGEST
    files.store(b"other content")
    assert len(all_files(files)) == 2


def test_storing_again_refreshes_the_sweep_grace_period(files: FileStore) -> None:
    path = files.path_for(files.store(DATA))
    age(path, 7200)
    files.store(DATA)
    assert path.stat().st_mtime > time.time() - 60


def test_a_truncated_file_is_rewritten(files: FileStore) -> None:
    path = files.path_for(files.store(DATA))
    path.write_bytes(DATA[:5])
    files.store(DATA)
    assert path.read_bytes() == DATA


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ABC", "0" * 63, "0" * 64 + "/x", "A" * 64])
def test_only_sha256_digests_become_paths(files: FileStore, bad: str) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        files.path_for(bad)


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary(
    files: FileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fsync(descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        files.store(DATA)
    assert all_files(files) == []


def test_a_failed_rename_leaves_the_previous_state(
    files: FileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(source: str, target: str) -> None:
        raise OSError("interrupted")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="interrupted"):
        files.store(DATA)
    assert not files.path_for(DIGEST).exists()
    assert all_files(files) == []


def test_the_final_name_only_ever_holds_complete_content(
    files: FileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bytes are complete and synced before the rename makes them visible."""
    seen: list[bytes] = []
    replace = os.replace

    def watching_replace(source: str, target: str) -> None:
        seen.append(Path(source).read_bytes())
        assert Path(source).parent == Path(target).parent
        assert Path(source).name.startswith(storage.TEMP_PREFIX)
        assert not Path(target).exists()
        replace(source, target)

    monkeypatch.setattr(os, "replace", watching_replace)
    files.store(DATA)
    assert seen == [DATA]


def test_concurrent_stores_of_the_same_content_agree(files: FileStore) -> None:
    data = os.urandom(256 * 1024)
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(files.store(data))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert [path.read_bytes() for path in all_files(files)] == [data]


class TestSweep:
    def test_unreferenced_old_files_are_deleted_referenced_and_recent_ones_kept(
        self, files: FileStore
    ) -> None:
        kept = files.store(b"referenced")
        recent = files.store(b"written a moment ago")
        orphan = files.store(b"nobody names me")
        for digest in (kept, orphan):
            age(files.path_for(digest), 7200)
        before = time.time() - 3600
        candidates = files.stored_before(before)
        assert sorted(candidates) == sorted([kept, orphan])
        deleted = files.delete_unreferenced(candidates, {kept}, written_before=before)
        assert deleted == 1
        assert not files.path_for(orphan).exists()
        assert files.path_for(kept).exists()
        assert files.path_for(recent).exists()

    def test_a_file_touched_after_listing_is_kept(self, files: FileStore) -> None:
        digest = files.store(DATA)
        age(files.path_for(digest), 7200)
        before = time.time() - 3600
        candidates = files.stored_before(before)
        files.store(DATA)  # an upload of the same bytes, its row not committed yet
        assert files.delete_unreferenced(candidates, set(), written_before=before) == 0
        assert files.path_for(digest).exists()

    def test_old_temporaries_are_deleted(self, files: FileStore) -> None:
        digest = files.store(DATA)
        shard = files.path_for(digest).parent
        old_temp = shard / (storage.TEMP_PREFIX + "abc")
        new_temp = shard / (storage.TEMP_PREFIX + "def")
        for path in (old_temp, new_temp):
            path.write_bytes(b"half")
        age(old_temp, 7200)
        assert files.delete_leftovers(written_before=time.time() - 3600) == 1
        assert sorted(all_files(files)) == sorted([files.path_for(digest), new_temp])

    def test_an_empty_or_missing_store_sweeps_nothing(self, files: FileStore) -> None:
        assert files.stored_before(time.time()) == []
        assert files.delete_leftovers(written_before=time.time()) == 0
