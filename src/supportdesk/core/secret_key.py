"""The installation's secret: one random value per installation, never in the code.

It keys what the server signs (v2 list cursors), so every process of one installation must
hold the same value: `SUPPORTDESK_SECRET_KEY` when set, else the file `<data_dir>/secret_key`,
which `supportdesk init` creates (mode 0600) and which, like the attachment files, every
process of the installation shares. A process that finds neither creates the file the same
way; creation is atomic (written aside, then hard-linked into place), so processes that race
to create it all end up reading the one that won.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from supportdesk.core.config import Settings

SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)
MIN_LENGTH = 32


class SecretKeyError(RuntimeError):
    """The secret file is unusable (too short, unreadable): the server refuses to guess."""


def secret_path(settings: Settings) -> Path:
    return settings.data_dir / SECRET_FILE


def create_secret_file(settings: Settings) -> bool:
    """Create `<data_dir>/secret_key` (0600) unless it exists; True if this call created it."""
    path = secret_path(settings)
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    value = (secrets.token_urlsafe(48) + "\n").encode()
    # mkstemp makes the file 0600, before anything is written to it.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-secret-")
    try:
        _write(descriptor, value)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:
            # A filesystem without hard links: an exclusive create, written in one call.
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return False
            _write(descriptor, value)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    _fsync_directory(path.parent)
    return True


def load_secret(settings: Settings) -> bytes:
    """The installation's secret: the setting, else the file (created when missing)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = secret_path(settings)
    if not path.exists():
        create_secret_file(settings)
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(f"cannot read the secret key file {path}: {exc}") from exc
    if len(text) < MIN_LENGTH:
        raise SecretKeyError(
            f"the secret key file {path} holds fewer than {MIN_LENGTH} characters: delete it "
            "and run `supportdesk init` (once, on the shared data directory), or set "
            "SUPPORTDESK_SECRET_KEY"
        )
    return text.encode()


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose, so that no two uses of the secret share a key."""
    return hmac.new(secret, f"supportdesk:{purpose}".encode(), hashlib.sha256).digest()


def _write(descriptor: int, value: bytes) -> None:
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(value)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_directory(directory: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        return
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
