"""Files written so that a failed run leaves nothing half-written and nothing of
the user's is lost (DESIGN.md, "Errors"; the guarantees and their tests are
listed in docs/guarantees.md).

- :func:`check_output_dir` / :func:`check_output_file`: everything about an
  output location that can be checked before any computation (exists, is a
  file where a folder is expected or the reverse, writable, replaceable).
- :func:`atomic_output_dir`: a temporary sibling folder, published under the
  requested name only when everything inside was written. The final rename
  re-checks the name under a lock, so two runs on one name cannot silently
  replace each other; with ``overwrite`` only a recognisable result folder is
  replaced, in one atomic exchange where the system offers it.
- :func:`atomic_file`: the same for a single file.
- :func:`folder_lock`: an exclusive lock on a folder that a run works in
  (a resumable fit), refused at once when another process holds it.
- :func:`remove_stale_temporaries`: temporary folders left by runs that were
  killed (their owner process is gone) are removed; a temporary folder of a
  live process never is.

Every result folder carries a marker file :data:`MARKER` (JSON: tool,
version, command, creation time, and the writing process) that says it is a
result of this tool.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from intercluster.errors import ConfigError

__all__ = [
    "MARKER",
    "atomic_file",
    "atomic_output_dir",
    "check_output_dir",
    "check_output_file",
    "folder_lock",
    "is_result_folder",
    "read_marker",
    "remove_own_temporaries",
    "remove_stale_temporaries",
    "set_command",
]

#: marker file in every result folder (JSON)
MARKER = ".intercluster"
#: lock file inside a folder held by :func:`folder_lock`
LOCK_FILE = ".intercluster.lock"

# Files the commands wrote before the marker existed (simulate, equilibrium, exsy,
# fit-equilibrium, synth-spectra, fit, and isomers' default figure inside a result).
_LEGACY_FILES = {
    "observables.csv", "species.csv", "result.nc", "summary.json", "config.toml",
    "contour.png", "distribution.png", "distributions.csv", "binomial.csv",
    "occupancies.csv", "exchange_constants.csv", "le_chatelier.png", "occupancies.png",
    "equilibrium.csv", "rates.csv", "cross_peaks.csv", "exsy.png", "fit.json",
    "predictions.csv", "fit.png", "synth.json", "spectra.mzML", "fit-config.toml",
    "grid.csv", "tmax.csv", "profiles.csv", "mcmc_samples.csv", "fit_contours.png",
    "landscape.png", "profiles.png", "mcmc_corner.png", ".intercluster.lock",
}  # fmt: skip
_LEGACY_PATTERNS = re.compile(
    r"(volumes|normalized)_.+\.csv|(\d+_)?t_[0-9.]+s\.csv|isomers_[A-Za-z0-9]*\.png"
)
# one of these must be present for a folder without marker to count as a result
_LEGACY_ANCHORS = {"summary.json", "fit.json", "synth.json", "fit-config.toml"}

_COMMAND: str | None = None


def set_command(command: str | None) -> None:
    """Name of the command written into the markers of this process's result folders."""
    global _COMMAND
    _COMMAND = command


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _usual_permissions(path: Path, directory: bool) -> None:
    """tempfile creates 0600 files and 0700 folders; give results the permissions a
    plain open()/mkdir would (0666/0777 minus the umask)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


# ----------------------------------------------------------------- markers


def _process_start(pid: int) -> int | None:
    """Start time of a process in clock ticks since boot (Linux), to tell a reused PID."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            # field 22; the command name (field 2) may hold spaces, so split after ')'
            return int(fh.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def _owner() -> dict:
    return {"pid": os.getpid(), "pid_start": _process_start(os.getpid()), "host": _host()}


def _host() -> str:
    return socket.gethostname()


def write_marker(folder: str | os.PathLike, command: str | None = None) -> Path:
    """Write :data:`MARKER` into ``folder``: ``{"tool": "intercluster", "version",
    "command", "created" (UTC, ISO 8601), "pid", "pid_start", "host"}``."""
    from intercluster import __version__

    info = {
        "tool": "intercluster",
        "version": __version__,
        "command": command or _COMMAND,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **_owner(),
    }
    path = Path(folder) / MARKER
    path.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    return path


def read_marker(folder: str | os.PathLike) -> dict | None:
    """The marker of a result folder, or None if it has none (or an unreadable one)."""
    try:
        with open(Path(folder) / MARKER, "rb") as fh:
            info = json.loads(fh.read(65536).decode("utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("tool") == "intercluster" else None


def is_result_folder(folder: str | os.PathLike) -> bool:
    """True if ``folder`` is recognisably a result folder of this tool.

    That is: it holds a valid :data:`MARKER`; or (folders written before the
    marker existed) it holds only regular files with the names the commands
    write (``summary.json``, ``result.nc``, ``observables.csv``, ``fit.json``,
    ``synth.json``, ``t_<time>s.csv``, ...), at least one of them a summary
    (``summary.json``, ``fit.json``, ``synth.json`` or ``fit-config.toml``), and
    nothing else (no sub-folders, no other files).
    """
    folder = Path(folder)
    if not folder.is_dir() or folder.is_symlink():
        return False
    if read_marker(folder) is not None:
        return True
    try:
        entries = list(folder.iterdir())
    except OSError:
        return False
    names = set()
    for p in entries:
        if p.is_symlink() or not p.is_file():
            return False
        if p.name not in _LEGACY_FILES and not _LEGACY_PATTERNS.fullmatch(p.name):
            return False
        names.add(p.name)
    return bool(names & _LEGACY_ANCHORS)


# ------------------------------------------------------------------ checks


def _nearest_existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if os.path.lexists(p):
            return p
    return Path(path.anchor or ".")  # pragma: no cover - the root always exists


def _check_writable_location(path: Path, name: str) -> None:
    """The folder where ``path`` will be created must be a writable folder (checked
    on the nearest existing ancestor, since missing parents are created), and the
    temporary sibling's name (``.NAME.XXXXXXXX.tmp``, 14 characters longer) must fit."""
    longest = len(os.fsencode(path.name)) + 14 + len(path.suffix)
    if longest > 255:
        raise ConfigError(
            f"{name} = {str(path)[:80]!r}...: the name is too long ({len(path.name)} "
            "characters); use at most 240"
        )
    anc = _nearest_existing(path.parent)
    if not anc.is_dir():
        raise ConfigError(
            f"{name} = {str(path)!r}: {str(anc)!r} is a file, not a folder; choose another path"
        )
    if not os.access(anc, os.W_OK | os.X_OK):
        raise ConfigError(
            f"{name} = {str(path)!r}: cannot write in {str(anc)!r} (no write permission or a "
            "read-only file system); choose a writable location"
        )


def _forbidden_reason(path: Path) -> str | None:
    """Why ``path`` may never be replaced, or None."""
    if str(path) in (".", "..", "/", "~") or path.name in (".", ".."):
        return "is '.', '..', '/' or '~'"
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    if resolved == cwd:
        return "is the working directory"
    if resolved in cwd.parents:
        return "is a parent of the working directory"
    if resolved == Path(resolved.anchor):
        return "is the root of the file system"
    with contextlib.suppress(RuntimeError, KeyError):
        if resolved == Path.home().resolve():
            return "is the home folder"
    if path.is_symlink():
        return "is a symbolic link (give the folder itself)"
    return None


def _check_replaceable(path: Path, name: str) -> None:
    reason = _forbidden_reason(path)
    if reason is not None:
        raise ConfigError(f"{name} = {str(path)!r}: {reason}; overwrite=True never replaces it")
    holder = _lock_holder(path)
    if holder is not None:
        raise ConfigError(
            f"{name} = {str(path)!r}: a run (PID {holder}) is working in this folder; "
            "overwrite=True does not replace it while it runs"
        )
    if not is_result_folder(path):
        raise ConfigError(
            f"{name} = {str(path)!r}: not a result folder of intercluster (no {MARKER} marker "
            "and not only result files); overwrite=True replaces only result folders. Remove it "
            "yourself or choose another name"
        )


def _lock_holder(folder: Path) -> str | None:
    """PID of the process holding :func:`folder_lock` on ``folder``, or None."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return None
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_holder(fd)
    finally:
        os.close(fd)  # also releases the lock if we got it
    return None


def check_output_dir(
    path: str | os.PathLike,
    overwrite: bool = False,
    *,
    reuse: bool = False,
    name: str = "out",
) -> Path:
    """Check an output folder before any work: is it allowed and writable?

    Parameters
    ----------
    path : output folder (missing parents are allowed; they will be created)
    overwrite : bool
        An existing folder may be replaced, if it is recognisably a result folder
        of this tool (:func:`is_result_folder`) and not ``.``, ``..``, ``/``,
        ``~``, the working directory, one of its parents or the home folder.
    reuse : bool
        An existing folder is written into (a resumable fit): it must be writable.
    name : str
        How the message names the location (the option or parameter).

    Returns
    -------
    Path

    Raises
    ------
    ConfigError
        One line naming the path and why: it is a file; it exists (without
        ``overwrite`` or ``reuse``); it may not be replaced; a parent is a file;
        the location is not writable.
    """
    path = Path(path)
    if os.path.lexists(path) and not path.is_dir():
        raise ConfigError(f"{name} = {str(path)!r}: is a file; give a folder name")
    if path.is_dir():
        if reuse:
            if not os.access(path, os.W_OK | os.X_OK):
                raise ConfigError(
                    f"{name} = {str(path)!r}: cannot write in this folder (no write permission "
                    "or a read-only file system)"
                )
            return path
        if not overwrite:
            raise ConfigError(
                f"{name} = {str(path)!r}: the folder exists; choose another name or pass "
                "overwrite=True"
            )
        _check_replaceable(path, name)
    _check_writable_location(path, name)
    return path


def check_output_file(
    path: str | os.PathLike, overwrite: bool = True, *, name: str = "out"
) -> Path:
    """Check an output file before any work.

    Parameters
    ----------
    path : file to write (missing parent folders are created when it is written)
    overwrite : bool
        An existing file may be replaced.
    name : str
        How the message names the location (the option or parameter).

    Raises
    ------
    ConfigError
        One line naming the path and why: it is a folder; it exists without
        ``overwrite``; a parent is a file; the folder is not writable.
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{name} = {str(path)!r}: is a folder; give a file name")
    _check_regular(path, name)
    if os.path.lexists(path) and not overwrite:
        raise ConfigError(f"output file {str(path)!r} exists; pass overwrite=True to replace it")
    _check_writable_location(path, name)
    return path


def _check_regular(path: Path, name: str) -> None:
    """An existing output file must be a regular file (or a link): a device such as
    /dev/null, a pipe or a socket is never replaced by a rename."""
    if path.exists() and not path.is_symlink() and not path.is_file():
        raise ConfigError(
            f"{name} = {str(path)!r}: exists and is not a regular file (a device, pipe or "
            "socket); give the name of a file to write"
        )


#: errors of the file system that say "this location cannot take the output"
_LOCATION_ERRNOS = {
    errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG,
}  # fmt: skip


def _location_error(exc: OSError, path: Path, name: str) -> ConfigError:
    where = f": {exc.filename}" if exc.filename else ""
    return ConfigError(
        f"{name} = {str(path)!r}: cannot write ({exc.strerror or exc}{where}); nothing was written"
    )


# ------------------------------------------------------------------- locks


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"


@contextlib.contextmanager
def _flock(lock_path: Path, blocking: bool) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` (created; removed on release).

    Raises BlockingIOError (with the holder's PID as ``.holder``) when not
    ``blocking`` and another process holds it. Without fcntl (Windows) no lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError as exc:
            exc.holder = _read_holder(fd)
            os.close(fd)
            raise
        except BaseException:
            os.close(fd)
            raise
        # a previous holder unlinks the file before releasing: lock only the current one
        try:
            same = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike, *, name: str = "out") -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (a lock file inside it) while a run works
    in it; the lock dies with the process (also on SIGKILL).

    Raises
    ------
    ConfigError
        At once, naming the folder and the PID of the process that holds it.
    """
    folder = Path(folder)
    try:
        with _flock(folder / LOCK_FILE, blocking=False):
            yield folder
    except BlockingIOError as exc:
        raise ConfigError(
            f"{name} = {str(folder)!r}: another run (PID {exc.holder}) is working in this "
            "folder; wait for it to finish (it resumes the same work) or choose another folder"
        ) from None


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Block SIGINT/SIGTERM (delivered right after) so that a rename sequence is not
    cut in the middle."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# ----------------------------------------------------------------- renames

_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2


def _renameat2(src: Path, dst: Path, flags: int) -> bool:
    """Linux renameat2; False where the system or file system does not offer it."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd = -100
    if fn(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(dst))


def _appeared(path: Path, name: str) -> ConfigError:
    return ConfigError(
        f"{name} = {str(path)!r}: the folder appeared while this run was working (another run "
        "wrote it); this run's results were removed so as not to replace it. Rerun with another "
        "name, or with overwrite=True to replace it"
    )


def _publish(tmp: Path, path: Path, overwrite: bool, name: str) -> Path | None:
    """Rename the finished ``tmp`` to ``path``; return the folder left to remove."""
    lock = path.with_name(f".{path.name}.lock")
    with _flock(lock, blocking=True), _signals_deferred():
        if not os.path.lexists(path):
            try:
                if not _renameat2(tmp, path, _RENAME_NOREPLACE):
                    os.rename(tmp, path)  # under the lock; rename() itself would replace
            except (FileExistsError, IsADirectoryError, OSError) as exc:
                if isinstance(exc, FileExistsError) or exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    raise _appeared(path, name) from None
                raise
            return None
        if not overwrite:
            raise _appeared(path, name)
        if not path.is_dir():
            raise ConfigError(f"{name} = {str(path)!r}: is a file; give a folder name")
        _check_replaceable(path, name)
        if _renameat2(tmp, path, _RENAME_EXCHANGE):
            return tmp  # now holds the replaced result
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
        os.rename(path, old / "result")
        os.rename(tmp, path)
        return old


@contextlib.contextmanager
def atomic_output_dir(
    path: str | os.PathLike,
    overwrite: bool = False,
    *,
    command: str | None = None,
    name: str = "out",
) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; on success publish it as ``path``.

    The temporary folder ``.NAME.XXXXXXXX.tmp`` holds the :data:`MARKER` (with
    this process's PID) from the start. On any exception (also SIGTERM, which the
    command line turns into one) it is removed and an existing ``path`` is left
    untouched. The final rename happens under a lock on ``path`` and re-checks it:
    if ``path`` appeared meanwhile (another run) and ``overwrite`` is false, this
    run's folder is removed and a ConfigError says so; with ``overwrite`` an
    existing result folder is replaced only after the new one is complete, in one
    atomic exchange (Linux ``renameat2``) so that ``path`` is always one complete
    result. Missing parent folders are created. Temporary folders of killed runs
    (owner process gone) are removed first.

    Parameters
    ----------
    path : output folder
    overwrite : bool
        Replace an existing result folder (see :func:`check_output_dir`).
    command : str, optional
        Command recorded in the marker (default: the one given to :func:`set_command`).
    name : str
        How messages name the location.

    Raises
    ------
    ConfigError
        See :func:`check_output_dir`; if ``path`` appeared while working; if the
        file system refuses the output (full, read-only, permission denied), one
        line and nothing written.
    """
    given = Path(path)
    path = check_output_dir(path, overwrite, name=name).absolute()
    tmp = None
    leftover = None
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)  # missing parents, like mkdir -p
            remove_stale_temporaries(path)
            # a signal between creating the folder and entering the cleanup below would
            # leave it behind: hold SIGINT/SIGTERM until the folder is marked and owned
            with _signals_deferred():
                tmp = _new_temporary(path)
                write_marker(tmp, command)
        except OSError as exc:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
            raise _location_error(exc, given, name) from None
        yield tmp
        _usual_permissions(tmp, directory=True)
        leftover = _publish(tmp, path, overwrite, name)
    except OSError as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if exc.errno in _LOCATION_ERRNOS:  # e.g. the disk filled up while writing
            raise _location_error(exc, given, name) from None
        raise
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if tmp is not None and not tmp.exists():
            _OWN_TEMPORARIES.discard(tmp)
    if leftover is not None:
        shutil.rmtree(leftover, ignore_errors=True)


def _owner_alive(info: dict) -> bool:
    """Is the process that wrote a marker still running? (True when unsure.)"""
    pid = info.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return True
    if info.get("host") != _host():
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    start = info.get("pid_start")
    now = _process_start(pid)
    return start is None or now is None or start == now


#: Temporary result folders this process created and has not yet published or removed.
_OWN_TEMPORARIES: set[Path] = set()


def _new_temporary(path: Path) -> Path:
    """Create ``.NAME.XXXXXXXX.tmp`` next to ``path``, registered before it exists, so
    that a signal arriving at any point leaves it known to :func:`remove_own_temporaries`."""
    import secrets

    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        _OWN_TEMPORARIES.add(tmp)
        try:
            tmp.mkdir(mode=0o700)
            return tmp
        except FileExistsError:
            _OWN_TEMPORARIES.discard(tmp)
    raise FileExistsError(f"no free temporary name next to {str(path)!r}")


def remove_own_temporaries() -> list[Path]:
    """Remove every temporary result folder this process still holds (the command line
    calls it when a run ends by a signal, a second line behind the clean-up in
    :func:`atomic_output_dir`).

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed = []
    for tmp in list(_OWN_TEMPORARIES):
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
        if not tmp.exists():
            _OWN_TEMPORARIES.discard(tmp)
    return removed


def remove_stale_temporaries(path: str | os.PathLike) -> list[Path]:
    """Remove temporary folders ``.NAME.*.tmp`` next to ``path`` whose owner is gone.

    The owner is the process recorded in the folder's :data:`MARKER` (PID, its start
    time and host). A folder is removed only if that process no longer exists on
    this host; folders of live processes, of other hosts or without a readable
    marker are left alone.

    Returns
    -------
    list of Path
        The folders removed.
    """
    path = Path(path).absolute()
    prefix = f".{path.name}."
    removed = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        if not (p.name.startswith(prefix) and p.name.endswith(".tmp")):
            continue
        if p.is_symlink() or not p.is_dir():
            continue
        info = read_marker(p)
        if info is None or _owner_alive(info):
            continue
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p)
    return removed


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary file name next to ``path``; on success rename it to ``path``.

    Raises
    ------
    ConfigError
        If ``path`` exists and ``overwrite`` is false, is a folder or not a regular
        file (a device such as /dev/null is never replaced); if the file system
        refuses the output (full, read-only, permission denied).
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"out = {str(path)!r}: is a folder; give a file name")
    _check_regular(path, "out")
    if os.path.lexists(path) and not overwrite:
        raise ConfigError(f"output file {str(path)!r} exists; pass overwrite=True to replace it")
    try:
        path.absolute().parent.mkdir(parents=True, exist_ok=True)
        # keep the real extension last: writers such as matplotlib pick the format from it
        fd, name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=f".tmp{path.suffix}", dir=path.absolute().parent
        )
    except OSError as exc:
        raise _location_error(exc, path, "out") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _usual_permissions(tmp, directory=False)
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno in _LOCATION_ERRNOS:
            raise _location_error(exc, path, "out") from None
        raise
    finally:
        if tmp.exists():
            tmp.unlink()
