"""Where independent units of work run: this process, a local process pool, or a Dask cluster.

:func:`open_executor` returns an :class:`Executor`, a context manager whose
:meth:`~Executor.submit` runs ``fn(data, *args)`` and returns a
:class:`concurrent.futures.Future`.  ``data`` is the mapping given when the
executor was opened (the stance data of an experiment); it reaches every
worker once -- a process pool's initializer, a Dask worker plugin that a
restarted worker receives again -- never once per task.  The engines are
``"local"`` (``workers=1``: this process; more: spawned processes that end
with this one) and ``"dask"`` (a ``distributed`` cluster at ``scheduler``, or
a ``LocalCluster`` on 127.0.0.1 sized ``workers``; :func:`local_cluster`
starts one that several runs share).  Tasks are functions and
objects pickled by the driver; a Dask worker never opens a path a task names.
Dask reads its TLS settings from its own configuration (``distributed.comm.tls``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from grfkit.errors import ConfigError
from grfkit.workers import exit_with_parent

__all__ = ["EXECUTORS", "Executor", "local_cluster", "open_executor"]

#: Engines :func:`open_executor` knows.
EXECUTORS: tuple[str, ...] = ("local", "dask")

_POOL_DATA: dict[str, Mapping[str, Any]] = {}


class Executor:
    """Runs ``fn(data, *args)`` somewhere; a context manager that closes what it started.

    Attributes
    ----------
    kind
        ``"local"`` or ``"dask"``.
    workers
        Tasks that can run at once (for a remote Dask cluster: its workers when opened).
    dashboard_link
        The Dask dashboard's address, or ``None``.
    """

    kind: str = "local"
    workers: int = 1
    dashboard_link: str | None = None

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run ``fn(data, *args)``; return its future (here: already done)."""
        future: Future = Future()
        try:
            future.set_result(fn(self._data, *args))
        except BaseException as error:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(error)
        return future

    def close(self) -> None:
        """Stop every worker this executor started (nothing for this process)."""

    def describe(self) -> dict[str, Any]:
        """What ran the work, for a results folder's provenance."""
        return {"executor": self.kind, "workers": self.workers, "dashboard": self.dashboard_link}

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _init_pool_worker(parent_pid: int, data: Mapping[str, Any]) -> None:
    exit_with_parent(parent_pid)
    _POOL_DATA["data"] = data


def _call_in_pool(fn: Callable[..., Any], args: tuple) -> Any:
    return fn(_POOL_DATA["data"], *args)


class _PoolExecutor(Executor):
    """Spawned worker processes ("spawn": a fork of a process with torch's thread pools can hang)."""

    def __init__(self, data: Mapping[str, Any], workers: int) -> None:
        super().__init__(data)
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                         initializer=_init_pool_worker, initargs=(os.getpid(), data))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._pool.submit(_call_in_pool, fn, args)

    def close(self, *, cancel: bool = False) -> None:
        if cancel:  # stopped: end the workers now instead of waiting for their fits
            for process in list((getattr(self._pool, "_processes", None) or {}).values()):
                process.terminate()
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(cancel=exc_type is not None)


def _call_on_dask_worker(fn: Callable[..., Any], args: tuple, plugin_name: str) -> Any:
    from distributed import get_worker

    return fn(get_worker().plugins[plugin_name].data, *args)


def _data_plugin(data: Mapping[str, Any]) -> Any:
    from distributed import WorkerPlugin

    class DataPlugin(WorkerPlugin):
        """Holds the executor's data on every worker, a restarted one included."""

        def __init__(self, payload: Mapping[str, Any]) -> None:
            self.data = payload

    return DataPlugin(data)


def _import_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError as error:
        raise ConfigError("the dask executor needs the `distributed` package: pip install 'grfkit[dask]'") from error


def local_cluster(workers: int) -> Any:
    """Start a Dask ``LocalCluster`` that listens on 127.0.0.1 only, its dashboard included.

    Several runs can share it: give each ``scheduler=cluster.scheduler_address``
    and pay the cluster's start-up once.

    Parameters
    ----------
    workers
        Worker processes, one thread each.

    Returns
    -------
    distributed.LocalCluster
        A context manager; closing it stops its workers.

    Raises
    ------
    ConfigError
        For ``workers`` < 1, or without the ``distributed`` package (the ``dask`` extra).
    """
    if int(workers) < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    _import_distributed()
    from distributed import LocalCluster

    return LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address="127.0.0.1:0")


class _DaskExecutor(Executor):
    kind = "dask"

    def __init__(self, data: Mapping[str, Any], workers: int, scheduler: str | None) -> None:
        super().__init__(data)
        from distributed import Client

        self._cluster = local_cluster(workers) if scheduler is None else None
        self._client = Client(self._cluster if self._cluster is not None else scheduler)
        self.workers = workers if scheduler is None else max(1, len(self._client.scheduler_info()["workers"]))
        self.dashboard_link = self._client.dashboard_link
        self._plugin_name = f"grfkit-data-{uuid.uuid4().hex}"
        self._client.register_plugin(_data_plugin(data), name=self._plugin_name)
        self._executor = self._client.get_executor(pure=False)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._executor.submit(_call_on_dask_worker, fn, args, self._plugin_name)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def open_executor(kind: str = "local", *, data: Mapping[str, Any], workers: int = 1,
                  scheduler: str | None = None) -> Executor:
    """Open an executor for units of work that share ``data``.

    Parameters
    ----------
    kind
        ``"local"`` or ``"dask"`` (:data:`EXECUTORS`).
    data
        What every task receives as its first argument; sent to each worker once.
    workers
        ``"local"``: processes (1: run in this process).  ``"dask"`` without a
        scheduler: the ``LocalCluster``'s worker processes (one thread each).
    scheduler
        A Dask scheduler's address (``tcp://HOST:PORT``, ``tls://...``); only
        with ``kind="dask"``.

    Returns
    -------
    Executor
        Use it as a context manager.

    Raises
    ------
    ConfigError
        For an unknown engine, ``workers`` < 1, a scheduler for the local
        engine, or ``"dask"`` without the ``distributed`` package (the
        ``dask`` extra).
    """
    if kind not in EXECUTORS:
        raise ConfigError(f"unknown executor {kind!r}; choose from {list(EXECUTORS)}")
    if int(workers) < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}")
    if kind == "local":
        if scheduler is not None:
            raise ConfigError("a scheduler address needs the dask executor (--executor dask)")
        return Executor(data) if workers == 1 else _PoolExecutor(data, int(workers))
    _import_distributed()
    return _DaskExecutor(data, int(workers), scheduler)
