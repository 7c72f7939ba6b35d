"""The real server in its own process, for end-to-end tests (loopback only, bounded waits).

Several test processes may start servers at once (the xdist workers of a leg, the SQLite and
the PostgreSQL legs side by side), so a port is claimed before it is handed out: `free_port`
gives each port to one process only (a claim file under the temporary directory, held until
that process exits), and `start_server` tries a new port when something else took its own in
the moment between the probe and the server's bind. A server that answers is then always the
one this test started.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT = 30.0
START_ATTEMPTS = 5  # ports tried when another socket took the one probed
CLAIMS = Path(tempfile.gettempdir()) / "supportdesk-test-ports"
_claimed: list[Path] = []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claim(port: int) -> bool:
    """Claim `port` for this process; a claim left by a process that is gone is taken over."""
    claim = CLAIMS / str(port)
    for _ in range(2):
        try:
            handle = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                owner = int(claim.read_text() or "0")
            except (OSError, ValueError):
                return False  # being written: someone else's
            if owner and _alive(owner):
                return False
            claim.unlink(missing_ok=True)
            continue
        os.write(handle, str(os.getpid()).encode())
        os.close(handle)
        _claimed.append(claim)
        return True
    return False


@atexit.register
def _release_claims() -> None:
    for claim in _claimed:
        with contextlib.suppress(OSError):
            claim.unlink()


def free_port() -> int:
    """A loopback port that nothing listens on and no other test process was given."""
    CLAIMS.mkdir(exist_ok=True)
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if _claim(port):
            return port
    raise RuntimeError(f"no free loopback port could be claimed under {CLAIMS}")


@dataclass
class ServerProcess:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing; what was acknowledged must already be durable."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(env: dict[str, str], log: Path, *, workers: int = 1) -> ServerProcess:
    """Start `supportdesk serve` on a free loopback port and wait until /healthz answers."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            return _start_on(free_port(), env, log, workers)
        except PortTaken:
            # Another socket took the port between the probe and the server's bind (its
            # refusal stays in the log): another port, a bounded number of times.
            if attempt == START_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


class PortTaken(RuntimeError):
    """The server could not listen: another socket holds its port."""


def _taken(output: str) -> bool:
    lowered = output.lower()
    return "cannot listen on" in lowered or "address already in use" in lowered


def _start_on(port: int, env: dict[str, str], log: Path, workers: int) -> ServerProcess:
    start = log.stat().st_size if log.exists() else 0
    handle = log.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "supportdesk",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()
    server = ServerProcess(port, process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            written = log.read_bytes()[start:].decode(errors="replace")
            if _taken(written):
                raise PortTaken(written[-2000:])
            raise RuntimeError(f"server exited with {process.returncode}: {written[-2000:]}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"server did not start within {START_TIMEOUT}s: {log.read_text()[-2000:]}")


@contextmanager
def running_server(env: dict[str, str], log: Path, *, workers: int = 1) -> Iterator[ServerProcess]:
    server = start_server(env, log, workers=workers)
    try:
        yield server
    finally:
        server.stop()
