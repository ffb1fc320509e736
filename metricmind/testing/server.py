"""``metricmind serve`` as a real process, for tests and benchmarks: start, wait, find workers, stop.

``Served(project, workers=2, env={...})`` runs ``python -m metricmind serve --workers N`` on a free
loopback port in a process group of its own; :meth:`Served.worker_pids` lists uvicorn's worker
processes (the supervisor's children, read from ``/proc``), and :meth:`Served.stop` ends the group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

from metricmind.testing.postgres import free_port


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux ``/proc``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class Served:
    """A ``metricmind serve`` process (``with Served(project, workers=2) as s: s.url``)."""

    def __init__(
        self,
        project: Path,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
        timeout: float = 120.0,
        log: Path | None = None,
    ) -> None:
        self.project = project
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        self.timeout = timeout
        self.log = log or project / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Served:
        """Start the server and wait until every worker answers (``/api/metrics``)."""
        cmd = [sys.executable, "-m", "metricmind", "serve", "-p", str(self.project), "--port", str(self.port)]
        cmd += ["--workers", str(self.workers)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=out, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        """Wait until ``/api/metrics`` answers and ``workers`` workers run (raises on timeout or exit)."""
        assert self.proc is not None
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"serve exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}"
                )
            try:
                ok = httpx.get(f"{self.url}/api/metrics", timeout=5).status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok and (self.workers == 1 or len(self.worker_pids()) >= self.workers):
                return
            time.sleep(0.3)
        raise RuntimeError(f"serve did not answer in {self.timeout}s: {self.log.read_text()[-2000:]}")

    def worker_pids(self) -> list[int]:
        """The worker processes (the process itself with one worker)."""
        assert self.proc is not None
        if self.workers == 1:
            return [self.proc.pid]
        return [p for p in children(self.proc.pid) if _is_worker(p)]

    def stop(self) -> None:
        """Interrupt the process group, then kill it if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _is_worker(pid: int) -> bool:
    """A uvicorn worker (a spawned Python), not the multiprocessing resource tracker."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return "resource_tracker" not in cmdline


__all__ = ["Served", "children"]
