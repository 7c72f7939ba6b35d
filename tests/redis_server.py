"""A private `redis-server` that speaks only TLS and a unix socket, for the Redis URL tests.

It listens on no plain TCP port (`--port 0`), so a client that does not speak TLS, or does not
use the socket, cannot reach it. The certificate is made for this run by `openssl`. Under CI the
binaries are required; on a developer's machine without them the tests that need them say so
and are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.server import free_port

START_TIMEOUT = 15.0


@dataclass(frozen=True)
class PrivateRedis:
    tls_url: str  # rediss://127.0.0.1:<port>/0?ssl_ca_certs=<the run's certificate>
    unix_url: str  # unix://<socket>?db=0
    log: Path


def require_binaries() -> None:
    missing = [name for name in ("redis-server", "openssl") if shutil.which(name) is None]
    if not missing:
        return
    message = f"the TLS/unix-socket Redis tests need {' and '.join(missing)} on PATH"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (required under CI)")
    pytest.skip(message)


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@contextmanager
def private_redis(directory: Path) -> Iterator[PrivateRedis]:
    """Start the server in `directory`, wait (bounded) until it answers, stop it afterwards."""
    require_binaries()
    cert, key = _certificate(directory)
    socket_path, log = directory / "redis.sock", directory / "redis.log"
    port = free_port()
    process = subprocess.Popen(
        [
            *("redis-server", "--port", "0", "--bind", "127.0.0.1", "--tls-port", str(port)),
            *("--tls-cert-file", str(cert), "--tls-key-file", str(key)),
            *("--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no"),
            *("--unixsocket", str(socket_path), "--save", "", "--appendonly", "no"),
            *("--dir", str(directory), "--logfile", str(log)),
        ],
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {log.read_text(errors='replace')}")
            try:
                with redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1) as probe:
                    probe.ping()
                break
            except (redis.ConnectionError, redis.TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield PrivateRedis(
            tls_url=f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={cert}",
            unix_url=f"unix://{socket_path}?db=0",
            log=log,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
