"""The installation's secret: made by `supportdesk init` (0600, outside the code), kept, shared
by every process of the installation, overridable by SUPPORTDESK_SECRET_KEY, never printed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError

from supportdesk.core.config import Settings
from supportdesk.core.secret_key import (
    SecretKeyError,
    create_secret_file,
    derive_key,
    load_secret,
    secret_path,
)


def init(database_url: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "supportdesk", "init"],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "SUPPORTDESK_DATABASE_URL": database_url,
            "SUPPORTDESK_DATA_DIR": str(data_dir),
            "COLUMNS": "300",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_init_creates_a_private_secret_file_and_keeps_it(database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = init(database_url, data_dir)
    path = data_dir / "secret_key"
    assert "secret key" in first.stdout
    assert "(created)" in first.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text().strip()
    assert len(secret) >= 43
    assert secret not in first.stdout
    second = init(database_url, data_dir)
    assert "(kept)" in second.stdout
    assert path.read_text().strip() == secret
    assert not [p.name for p in data_dir.iterdir() if p.name.startswith(".tmp")]


def test_init_with_the_setting_writes_no_file(database_url: str, tmp_path: Path) -> None:
    done = init(database_url, tmp_path / "data", SUPPORTDESK_SECRET_KEY="s" * 40)
    assert "SUPPORTDESK_SECRET_KEY" in done.stdout
    assert not (tmp_path / "data" / "secret_key").exists()


def test_two_installations_get_different_secrets(tmp_path: Path) -> None:
    one = load_secret(Settings(data_dir=tmp_path / "one"))
    two = load_secret(Settings(data_dir=tmp_path / "two"))
    assert one != two


def test_processes_racing_to_create_it_all_read_the_one_that_won(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    barrier = threading.Barrier(8)
    created: list[bool] = []
    read: list[bytes] = []

    def race() -> None:
        barrier.wait()
        created.append(create_secret_file(settings))
        read.append(load_secret(settings))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert created.count(True) == 1
    assert len(set(read)) == 1
    assert read[0] == secret_path(settings).read_text().strip().encode()


def test_the_setting_overrides_the_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", secret_key="k" * 40)
    assert load_secret(settings) == b"k" * 40
    assert not secret_path(settings).exists()


@pytest.mark.parametrize("content", ["", "too-short\n"])
def test_a_secret_file_too_short_to_be_secret_is_refused(tmp_path: Path, content: str) -> None:
    settings = Settings(data_dir=tmp_path)
    secret_path(settings).write_text(content)
    with pytest.raises(SecretKeyError, match="fewer than 32"):
        load_secret(settings)


def test_a_short_setting_is_refused_without_being_printed() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(secret_key="hunter2-is-my-password")
    assert "hunter2" not in str(refused.value)
    assert "at least 32" in str(refused.value)
    assert "hunter2" not in repr(Settings(secret_key="hunter2" * 6))


def test_each_purpose_gets_its_own_key() -> None:
    assert derive_key(b"s" * 40, "v2-cursor") != derive_key(b"s" * 40, "other")
    assert derive_key(b"s" * 40, "v2-cursor") != derive_key(b"t" * 40, "v2-cursor")
