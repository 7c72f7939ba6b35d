"""Files by content: `<data_dir>/files/<sha[:2]>/<sha>`, written atomically, each stored once.

A file is written to a temporary name in its final directory, fsynced, then renamed over its
final name, so a reader never sees half a file and a crash leaves at most a temporary behind.
Only SHA-256 hex digests ever become paths.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Container, Iterable
from pathlib import Path
from typing import BinaryIO

from supportdesk.core.config import Settings

TEMP_PREFIX = ".tmp-"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class FileStore:
    """The content-addressed files directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def for_settings(cls, settings: Settings) -> FileStore:
        return cls(settings.data_dir / "files")

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError("a stored file is named by its lowercase SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def store(self, data: bytes) -> str:
        """Write `data` (once per content: the same bytes land on the same name); return their
        SHA-256.

        Bytes already stored are written again all the same, the same way: were a known blob
        cheaper to store, an upload's timing would tell its sender that somebody (maybe another
        tenant) had stored these bytes before. The fresh write also restarts the sweep's grace
        period for a file about to be referenced by a row that is not committed yet.
        """
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _fsync_directory(path.parent)
        return digest

    def stored_before(self, moment: float) -> list[str]:
        """The digests of the files last written before `moment` (a POSIX timestamp)."""
        return [entry.name for entry in self._entries() if _is_old_file(entry, moment)]

    def delete_unreferenced(
        self, candidates: Iterable[str], referenced: Container[str], *, written_before: float
    ) -> int:
        """Delete each candidate no row references and nobody wrote since; return how many."""
        deleted = 0
        for digest in candidates:
            if digest in referenced:
                continue
            path = self.path_for(digest)
            with contextlib.suppress(FileNotFoundError):
                # Checked again just before the unlink: an upload may have touched it meanwhile.
                if path.stat().st_mtime < written_before:
                    path.unlink()
                    deleted += 1
        return deleted

    def delete_leftovers(self, *, written_before: float) -> int:
        """Delete temporaries that interrupted writes left behind; return how many."""
        deleted = 0
        for entry in self._entries(temporaries=True):
            if _is_old_file(entry, written_before):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    deleted += 1
        return deleted

    def _entries(self, *, temporaries: bool = False) -> list[os.DirEntry[str]]:
        if not self.root.is_dir():
            return []
        found = []
        for shard in os.scandir(self.root):
            if len(shard.name) != 2 or not shard.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(shard.path):
                name = entry.name
                if temporaries:
                    wanted = name.startswith(TEMP_PREFIX)
                else:
                    wanted = _SHA256.fullmatch(name) is not None
                if wanted:
                    found.append(entry)
        return found


def _is_old_file(entry: os.DirEntry[str], moment: float) -> bool:
    with contextlib.suppress(FileNotFoundError):
        if entry.is_file(follow_symlinks=False):
            return entry.stat(follow_symlinks=False).st_mtime < moment
    return False


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where directories cannot be opened)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
