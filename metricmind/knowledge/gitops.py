"""Real git, through subprocess: branches written in a separate worktree, merges with history.

The user's checkout is never switched. The nightly branch is rebuilt from the base branch in a
worktree under ``worktrees/`` of the state folder (``config.state_dir``); commits carry the run's date as author and committer
date, so re-running the same night (after a crash, say) produces the same commits.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from metricmind import config
from metricmind.errors import MetricmindError

IDENTITY = ("metricmind", "metricmind@localhost")


def git(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    """Run ``git args`` in ``cwd``; its stdout (stripped). Failures raise ``MetricmindError``."""
    full_env = {**os.environ, **(env or {})}
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, env=full_env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise MetricmindError(
            "git is not installed", hint="Install git; proposals live on git branches."
        ) from exc
    if check and done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise MetricmindError(
            f"git {' '.join(args[:3])} failed: {message[-1] if message else done.returncode}",
            hint=f"in {cwd}",
        )
    return done.stdout.strip()


def toplevel(root: Path) -> Path:
    """The top folder of the repository holding ``root``."""
    try:
        return Path(git(root, "rev-parse", "--show-toplevel"))
    except MetricmindError as exc:
        raise MetricmindError(
            f"{root} is not in a git repository",
            hint="Run `git init` and commit the project: proposals are branches.",
        ) from exc


def in_repository(root: Path) -> bool:
    """True when ``root`` is inside a git repository."""
    try:
        toplevel(Path(root))
    except MetricmindError:
        return False
    return True


def current_branch(root: Path) -> str:
    """The checked-out branch."""
    name = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if not name:
        raise MetricmindError(
            "the project's repository has no branch checked out", hint="Check out the main branch."
        )
    return name


def branch_exists(root: Path, branch: str) -> bool:
    """Whether ``branch`` exists."""
    return bool(git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False))


def _identity_env(root: Path, date: str | None) -> dict[str, str]:
    env: dict[str, str] = {}
    if not git(root, "config", "user.name", check=False):
        env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = IDENTITY[0]
    if not git(root, "config", "user.email", check=False):
        env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = IDENTITY[1]
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return env


def commit(cwd: Path, message: str, *, date: str | None = None, paths: list[str] | None = None) -> str | None:
    """Commit ``paths`` (default: everything) in ``cwd``; the new commit, or ``None`` when nothing changed."""
    git(cwd, "add", "-A", "--", *(paths or ["."]))
    if not git(cwd, "status", "--porcelain", "--untracked-files=no", check=False):
        return None
    git(cwd, "commit", "--no-verify", "-q", "-m", message, env=_identity_env(cwd, date))
    return git(cwd, "rev-parse", "HEAD")


def _ignore_scratch(repo: Path) -> Path:
    scratch = config.ensure_state_dir(config.state_dir(repo)) / "worktrees"
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch


def _drop_worktree(repo: Path, path: Path, branch: str) -> None:
    listing = git(repo, "worktree", "list", "--porcelain", check=False)
    current: str | None = None
    for line in listing.splitlines():
        if line.startswith("worktree "):
            current = line[len("worktree ") :]
        elif line == f"branch refs/heads/{branch}" and current and Path(current) != repo:
            git(repo, "worktree", "remove", "--force", current, check=False)
    if path.exists():
        git(repo, "worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(path, ignore_errors=True)
    git(repo, "worktree", "prune", check=False)


@contextlib.contextmanager
def worktree(root: Path, branch: str, start: str, *, reset: bool = True) -> Iterator[Path]:
    """A worktree with ``branch`` checked out, (re)created at ``start`` when ``reset``; removed afterwards."""
    repo = toplevel(root)
    path = _ignore_scratch(repo) / branch.replace("/", "_")
    _drop_worktree(repo, path, branch)
    if reset or not branch_exists(repo, branch):
        git(repo, "worktree", "add", "-q", "-f", "-B", branch, str(path), start)
    else:
        git(repo, "worktree", "add", "-q", "-f", str(path), branch)
    try:
        yield path / root.resolve().relative_to(repo.resolve())
    finally:
        git(repo, "worktree", "remove", "--force", str(path), check=False)
        shutil.rmtree(path, ignore_errors=True)
        git(repo, "worktree", "prune", check=False)


def merge(root: Path, branch: str, into: str, message: str) -> str:
    """Merge ``branch`` into ``into`` with a merge commit (in the checkout when ``into`` is checked out there)."""
    repo = toplevel(root)
    env = _identity_env(repo, None)
    if current_branch(repo) == into:
        git(repo, "merge", "--no-ff", "-q", "-m", message, branch, env=env)
        return git(repo, "rev-parse", "HEAD")
    with worktree(repo, into, into, reset=False) as path:
        git(path, "merge", "--no-ff", "-q", "-m", message, branch, env=env)
        return git(path, "rev-parse", "HEAD")
