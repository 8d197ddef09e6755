"""Where parameter vectors are evaluated: serially, in local processes, or on Dask.

Every executor runs the same function on the same inputs, :func:`run_task`,
so that results are bit-identical whichever executor computed them. A task is
``(kind, payload)``; the :class:`~intercluster.fit.problem.FitProblem` reaches
each worker once (process initializer, or a Dask future broadcast to every
worker) and is prepared (networks built and compiled) once per process.

- :class:`SerialExecutor`: in this process.
- :class:`ProcessExecutor`: a local pool of ``n_workers`` processes (default:
  the number of cores).
- :class:`DaskExecutor`: an existing ``dask.distributed`` scheduler
  (``tcp://HOST:PORT``); an unreachable address is a ConfigError.

``map_unordered(kind, payloads)`` yields ``(position, result)`` as tasks
finish (for journals and progress bars); ``map`` returns results in order.

Local workers die with the process that started them, also when it is killed
with SIGKILL (which no handler sees): on Linux each worker asks the kernel for
SIGKILL when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and everywhere a
watcher thread in the worker exits when its parent process changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from intercluster.errors import ConfigError, bad_value

__all__ = [
    "DaskExecutor",
    "ProcessExecutor",
    "SerialExecutor",
    "make_executor",
    "run_task",
]

_WORKER_PROBLEM = None


#: seconds between two checks of the parent by a worker's watcher thread
PARENT_CHECK_S = 1.0


def _die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process end when ``parent_pid`` ends.

    Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; everywhere: a daemon thread that
    exits the process once ``os.getppid()`` is no longer ``parent_pid`` (the worker
    was re-parented, i.e. its parent died).
    """
    import signal
    import sys
    import threading
    import time

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="intercluster-parent-watch", daemon=True).start()


def _init_worker(problem, parent_pid: int | None = None) -> None:
    global _WORKER_PROBLEM
    import signal

    # a worker ends on SIGTERM by default (the parent's SIGTERM handler is for the parent)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    single_threaded_blas()
    _WORKER_PROBLEM = problem


_BLAS_LIMITED = []


def single_threaded_blas() -> None:
    """Limit BLAS/OpenMP to one thread in this (worker) process, once.

    Workers already use every core; a BLAS pool per worker (OpenBLAS starts one
    thread per core for the small products of the observables and of J^T J)
    oversubscribes them: with two workers on two cores a refinement took twice as
    long. Uses threadpoolctl, which reaches the libraries already loaded.
    """
    if _BLAS_LIMITED:
        return
    from threadpoolctl import threadpool_limits

    _BLAS_LIMITED.append(threadpool_limits(limits=1))


def run_task(problem, kind: str, payload):
    """Run one task on ``problem`` (the same code path for every executor).

    Kinds: ``"points"`` (payload: list of (index, theta); returns a list of
    (index, Evaluation without residuals)), and the task functions registered by
    :mod:`intercluster.fit.refine` and :mod:`intercluster.fit.uncertainty`.
    """
    import importlib

    module, func = TASKS[kind].split(":")
    return getattr(importlib.import_module(module), func)(problem, payload)


def evaluate_points(problem, payload):
    """Task ``points``: [(index, theta)] -> [(index, Evaluation)]."""
    return [(i, problem.evaluate(theta)) for i, theta in payload]


#: task kind -> "module:function(problem, payload)", imported where the task runs
TASKS = {
    "points": "intercluster.fit.executors:evaluate_points",
    "refine": "intercluster.fit.refine:refine_task",
    "profile": "intercluster.fit.uncertainty:profile_task",
}


def _process_task(kind, payload):
    return run_task(_WORKER_PROBLEM, kind, payload)


def _dask_task(problem, kind, payload):
    single_threaded_blas()
    return run_task(problem, kind, payload)


class SerialExecutor:
    """Evaluate in this process."""

    name = "serial"
    n_workers = 1

    def __init__(self, problem) -> None:
        self.problem = problem

    def map_unordered(self, kind: str, payloads: Iterable) -> Iterator[tuple[int, object]]:
        for pos, payload in enumerate(payloads):
            yield pos, run_task(self.problem, kind, payload)

    def map(self, kind: str, payloads: Iterable) -> list:
        out = dict(self.map_unordered(kind, list(payloads)))
        return [out[i] for i in range(len(out))]

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ProcessExecutor(SerialExecutor):
    """A pool of local worker processes; each receives the problem once."""

    name = "processes"

    def __init__(self, problem, n_workers: int | None = None) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        super().__init__(problem)
        self.n_workers = int(n_workers or os.cpu_count() or 1)
        methods = mp.get_all_start_methods()
        ctx = mp.get_context("fork" if "fork" in methods else "spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self.n_workers,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(problem, os.getpid()),
        )

    def map_unordered(self, kind, payloads):
        from concurrent.futures import FIRST_COMPLETED, wait

        futures = {}
        try:
            for pos, payload in enumerate(payloads):
                futures[self._pool.submit(_process_task, kind, payload)] = pos
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=futures.get):
                    yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(SerialExecutor):
    """Tasks on an existing ``dask.distributed`` cluster.

    Raises
    ------
    ConfigError
        If the scheduler cannot be reached within ``timeout_s``.
    """

    name = "dask"

    def __init__(self, problem, address: str, timeout_s: float = 10.0) -> None:
        super().__init__(problem)
        self.client = connect(address, timeout_s)
        self.address = address
        self.n_workers = max(1, sum(self.client.nthreads().values()))
        self._problem_future = self.client.scatter(problem, broadcast=True)

    def map_unordered(self, kind, payloads):
        from distributed import as_completed

        futures = [
            self.client.submit(_dask_task, self._problem_future, kind, p, pure=False)
            for p in payloads
        ]
        position = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut in as_completed(futures, loop=self.client.loop):
                yield position[fut.key], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        self.client.close()


def connect(address: str, timeout_s: float = 10.0):
    """A ``distributed.Client`` for ``address``.

    Raises
    ------
    ConfigError
        One line naming the address if it cannot be reached or is malformed.
    """
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dependency of the package
        raise ConfigError(
            "scheduler: a Dask scheduler needs dask.distributed: pip install 'intercluster[dask]'"
        ) from None
    if not isinstance(address, str) or "://" not in address:
        raise ConfigError(bad_value("scheduler", address, "an address such as tcp://HOST:PORT"))
    try:
        return Client(address, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"scheduler = {address!r}: cannot reach the Dask scheduler ({msg}); start one "
            "with 'dask scheduler' or give no scheduler to run on the local cores"
        ) from None


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where known, else os.cpu_count())."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def make_executor(
    problem,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    timeout_s: float = 10.0,
    allow_oversubscribe: bool = False,
):
    """The executor the command line asks for.

    Parameters
    ----------
    problem : FitProblem
    scheduler : str, optional
        Dask scheduler address (``tcp://HOST:PORT``).
    workers : int, optional
        Local processes (default: the number of cores; 1 runs serially). More
        than :func:`available_cores` are capped at that number, with a
        UserWarning, unless ``allow_oversubscribe``.
    timeout_s : float
        How long to try to reach the scheduler [s].
    allow_oversubscribe : bool
        Start ``workers`` processes even if there are fewer cores.

    Raises
    ------
    ConfigError
        For workers < 1 or an unreachable scheduler.
    """
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise ConfigError(bad_value("workers", workers, "an integer >= 1"))
    if scheduler:
        return DaskExecutor(problem, scheduler, timeout_s=timeout_s)
    cores = available_cores()
    n = workers or cores
    if n > cores and not allow_oversubscribe:
        import warnings

        warnings.warn(
            f"workers = {n}: more than the {cores} core(s) available; using {cores} "
            "(allow_oversubscribe, --allow-oversubscribe, starts them all)",
            UserWarning,
            stacklevel=2,
        )
        n = cores
    if n == 1:
        return SerialExecutor(problem)
    return ProcessExecutor(problem, n)
