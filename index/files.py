"""Files that survive crashes: atomic replacement, a lock writers in several processes share, and the
checksums that tell a complete file from a damaged one.

A reader sees the old file or the new one, never half of either; a lock is released when its
process dies, so a crash never leaves a library or a model build locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

_CHUNK = 1 << 24  # files are read in 16 MB pieces: an index of 10^6 sentences is 1.5 GB


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to a temporary sibling, flush it to disk, then rename it over `path`."""
    atomic_write_with(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_with(path: Path, write: Callable[[Path], object]) -> None:
    """Let `write` fill a temporary sibling of `path`, flush it to disk, then rename it over `path`.

    For writers that produce the file themselves (faiss.write_index) rather than bytes in memory:
    a large index is then never held twice.
    """
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename durable: the directory entry must reach the disk too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` (created when absent) across processes; the kernel
    releases it if the process dies, so a crash never leaves it held."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def file_identity(path: Path) -> dict[str, int]:
    """Size and CRC-32 of a file, read in chunks: enough to notice a truncated or damaged copy."""
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return {"bytes": path.stat().st_size, "crc32": crc}


def sha256_file(path: Path) -> str:
    """The file's sha256, hex: what a build records of the files it was made from."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
