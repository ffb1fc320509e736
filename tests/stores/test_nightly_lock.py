"""The nightly job's lock across hosts: a PostgreSQL advisory lock, held by real processes."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from metricmind.knowledge.lock import NightlyBusy, nightly_lock
from metricmind.storage import make_engine
from metricmind.storage.advisory import LockHeld, advisory_lock, lock_key


def holder_process(root: Path, url: str) -> subprocess.Popen[str]:
    """Another "host": a process with its own state folder holding the nightly lock until killed."""
    code = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from metricmind.knowledge.lock import nightly_lock
        from metricmind.storage import make_engine
        with nightly_lock(Path({str(root)!r}), engine=make_engine({url!r})):
            print("held", flush=True)
            time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_two_hosts_never_run_at_once_and_a_killed_holder_frees_the_lock(
    tmp_path: Path, postgres_url: str
) -> None:
    engine = make_engine(postgres_url)
    other = holder_process(tmp_path / "host_a", postgres_url)
    try:
        # a different state folder: the file lock does not see the other host, the store's lock does
        with pytest.raises(NightlyBusy) as busy, nightly_lock(tmp_path / "host_b", engine=engine):
            pass
        assert f"metricmind nightly pid={other.pid}" in busy.value.message
        assert "this run did nothing" in str(busy.value.hint).lower()
        other.send_signal(signal.SIGKILL)
        other.wait()
        # the server ended the killed process's session, and its lock with it
        with nightly_lock(tmp_path / "host_b", engine=engine, wait=10, poll=0.1) as path:
            assert path.exists()
    finally:
        other.kill()
        engine.dispose()


def test_the_lock_waits_for_the_holder(tmp_path: Path, postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    other = holder_process(tmp_path / "a", postgres_url)
    try:
        with pytest.raises(LockHeld):
            with advisory_lock(engine, "metricmind:nightly", wait=0.3, poll=0.1):
                pass
        other.terminate()  # SIGTERM: the process exits without unlocking; the session ends
        with advisory_lock(engine, "metricmind:nightly", wait=20, poll=0.1) as held:
            assert held
            with engine.connect() as conn:
                n = conn.execute(
                    sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                ).scalar()
            assert n == 1
        with engine.connect() as conn:  # released on leaving the block, the connection back in the pool
            n = conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
        assert n == 0
    finally:
        other.kill()
        engine.dispose()


def test_sqlite_has_no_store_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with advisory_lock(engine, "metricmind:nightly") as held:
        assert held is False
    assert lock_key("metricmind:nightly") == lock_key("metricmind:nightly") != lock_key("other")
