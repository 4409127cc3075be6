"""What a cached build product depends on, and how entries are stored safely: shared by the build hooks.

A page's check record (tests/site/ledger.py) is cached in ``.cache/ledger/`` (git-ignored). An entry
is keyed on a SHA-256 of everything it depends on, so it is never "stale": a change to any input
simply gives another key, and the old entry is not found. :func:`environment_digest` is the part of
the key shared by every entry:

- every file under ``src/`` (code and data; ``__pycache__`` left out),
- the lock files ``requirements-dev.txt``, ``package-lock.json`` and ``pyproject.toml``,
- the Python version, and whatever files the caller adds (its own sources, the harness).

Concurrency (pytest-xdist runs tests and the browser test's build at once): whoever holds a
per-entry lock file (:func:`locked`, ``fcntl.flock``) computes; the others wait, then read. Entries are
written to a temporary name and renamed (:func:`write_atomically`), so nobody reads half an entry.

hooks/notebook_cache.py and the ledger both call these helpers, kept in one module so that the two
caches cannot drift apart.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK_FILES = ("requirements-dev.txt", "package-lock.json", "pyproject.toml")


def cache_dir(name: str, env_var: str, root: Path | None = None) -> Path:
    """Where a cache lives: ``$<env_var>`` if set (an empty folder: a cold build), else <root>/.cache/<name>."""
    override = os.environ.get(env_var)
    return Path(override) if override else (root or ROOT) / ".cache" / name


def update_with_file(digest, path: Path, root: Path) -> None:
    """Feed a file's path (relative to root; absolute if outside it, as the hooks are for a project in a
    temporary folder) and content to a hash; an absent file counts as absent."""
    name = path.relative_to(root) if path.is_relative_to(root) else path
    digest.update(name.as_posix().encode() + b"\0")
    digest.update(path.read_bytes() if path.is_file() else b"<absent>")
    digest.update(b"\0")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, or "<absent>"."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "<absent>"


def source_files(root: Path, folder: str, pattern: str = "*") -> list[Path]:
    """The files under root/folder matching pattern, sorted, without ``__pycache__``."""
    return sorted(p for p in (root / folder).rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def environment_digest(root: Path | None = None, extra: Iterable[Path] = ()) -> str:
    """SHA-256 of src/, the lock files, the Python version and the ``extra`` files (see the module docstring)."""
    root = root or ROOT
    digest = hashlib.sha256()
    for path in source_files(root, "src"):
        update_with_file(digest, path, root)
    for name in LOCK_FILES:
        update_with_file(digest, root / name, root)
    for path in sorted(set(extra)):
        update_with_file(digest, path, root)
    digest.update(sys.version.encode())
    return digest.hexdigest()


@contextlib.contextmanager
def locked(lock_path: Path, blocking: bool = True):
    """Hold an exclusive flock on lock_path (one per entry; the file is never deleted).

    flock locks belong to the open file, so two threads of one process exclude each other too.
    Yields False (and holds nothing) when blocking is False and someone else holds the lock.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, then rename it: readers see all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def evict(folder: Path, stem: str, keep: str, states: int = 3, suffix: str = ".json", siblings: bool = False) -> None:
    """Keep the entries ``<stem>-<key><suffix>`` (32-hex keys) of the ``states`` most recently used keys.

    ``keep`` (the key just used) is always among them. With ``siblings``, an evicted entry takes the
    files beside it along (``<stem>-<key>.*``: the notebook cache's rendered HTML).
    """
    name = re.compile(rf"{re.escape(stem)}-[0-9a-f]{{32}}{re.escape(suffix)}")  # not those of "<stem>-other"
    entries = [p for p in folder.glob(f"{stem}-*{suffix}") if name.fullmatch(p.name)]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in entries if p.name != f"{stem}-{keep}{suffix}"][states - 1 :]:
        base = old.name[: -len(suffix)]
        for stale in folder.glob(f"{base}.*") if siblings else [old]:
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
