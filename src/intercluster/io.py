"""Files written so that a failed run leaves nothing half-written (DESIGN.md, "Errors").

:func:`atomic_output_dir` gives a temporary sibling folder that is renamed to
the requested name only when everything inside was written; :func:`atomic_file`
does the same for a single file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from intercluster.errors import ConfigError

__all__ = ["atomic_file", "atomic_output_dir", "check_output_dir"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _usual_permissions(path: Path, directory: bool) -> None:
    """tempfile creates 0600 files and 0700 folders; give results the permissions a
    plain open()/mkdir would (0666/0777 minus the umask)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def check_output_dir(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Refuse an existing output folder unless ``overwrite``.

    Raises
    ------
    ConfigError
        If ``path`` exists and ``overwrite`` is false, or it or one of its parents
        is a file.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--out = {str(path)!r}: is a file; give a folder name")
    if path.exists() and not overwrite:
        raise ConfigError(
            f"--out = {str(path)!r}: the folder exists; choose another name or pass --overwrite"
        )
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"--out = {str(path)!r}: {str(parent)!r} is a file")
            break
    return path


@contextlib.contextmanager
def atomic_output_dir(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; on success rename it to ``path``.

    On any exception the temporary folder is removed and an existing ``path`` is
    left untouched. With ``overwrite`` an existing folder is replaced only after
    the new one is complete. Missing parent folders are created.

    Raises
    ------
    ConfigError
        See :func:`check_output_dir`.
    """
    path = check_output_dir(path, overwrite).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)  # missing parents, like mkdir -p
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _usual_permissions(tmp, directory=True)
    old = None
    if path.exists():
        old = path.with_name(f".{path.name}.old{os.getpid()}")
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary file name next to ``path``; on success rename it to ``path``.

    Raises
    ------
    ConfigError
        If ``path`` exists and ``overwrite`` is false.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise ConfigError(f"output file {str(path)!r} exists; pass --overwrite to replace it")
    path.absolute().parent.mkdir(parents=True, exist_ok=True)
    # keep the real extension last: writers such as matplotlib pick the format from it
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.absolute().parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _usual_permissions(tmp, directory=False)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
