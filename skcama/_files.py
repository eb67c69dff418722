"""Writing files: so that a failed write loses nothing (model files, graph files, tables),
and so that the same content gives the same bytes (zip members)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_on_success(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary file beside ``path`` for the block to write; it replaces ``path`` only
    when the block completes.

    A failed write (an error, an interrupt) leaves an existing file as it was and no
    temporary file behind; the new file is flushed to disk before it takes the name, so
    a power cut leaves the old file or the new one, whole. Through a symbolic link the
    file it points to is replaced, and an existing file keeps its permissions; one this
    process may not write to is refused (``PermissionError``), as writing it in place
    would be. Each call writes a
    temporary file of its own, so writers in several threads do not meet. An OS error
    names ``path``, not the temporary file, and keeps its type and ``errno``.
    """
    path = Path(path)
    target = Path(os.path.realpath(path))
    if target.is_file() and not os.access(target, os.W_OK):
        # renaming over it needs only the folder's permission: a file made read-only
        # (a model in production) would be replaced as if it were not
        refused = PermissionError(f"cannot write {str(path)!r}: the file is read-only (make "
                                  "it writable, or write another file)")
        refused.errno = errno.EACCES
        raise refused
    # a name of its own, short enough beside a long file name (255 characters at most)
    partial = target.with_name(f".{target.name[:100]}.{uuid.uuid4().hex[:12]}.partial")
    try:
        yield partial
        # on disk before its name (a power cut leaves one of the two), and before it takes
        # the target's permissions, which may not let this process open it
        _flush_to_disk(partial)
        if target.is_file():
            shutil.copymode(target, partial)
        os.replace(partial, target)
        with contextlib.suppress(OSError):  # the new name too (not possible on Windows)
            _flush_to_disk(target.parent)
    except OSError as error:  # name the file the user asked for, not the temporary one
        raised = type(error)(f"cannot write {str(path)!r}: {error.strerror or error}")
        raised.errno = error.errno  # (a filename would replace the message in str())
        raise raised from error
    finally:
        with contextlib.suppress(OSError):  # never hides the error above
            partial.unlink(missing_ok=True)


def _flush_to_disk(path: Path) -> None:
    """``os.fsync`` of a file or folder: its content (a folder's: its names) on disk. A
    file is opened for writing (Windows commits only such a handle); a folder can be
    opened on POSIX systems only."""
    handle = os.open(path, os.O_RDONLY if path.is_dir() else os.O_RDWR)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def zip_member(name: str) -> zipfile.ZipInfo:
    """A compressed zip member ``name`` with a fixed date (zip's earliest) and ordinary
    file permissions: the same content gives the same bytes, so a file's checksum
    identifies what it holds, not when it was written."""
    member = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    member.compress_type = zipfile.ZIP_DEFLATED
    member.external_attr = 0o644 << 16
    return member
