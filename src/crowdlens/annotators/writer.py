"""One writer thread with group commit: database writes leave the event loop, and the
writes queued while one transaction runs are committed together in the next.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from crowdlens.store.db import IMMEDIATE, Database

T = TypeVar("T")
Work = Callable[[Session], Any]
_STOP = object()


class GroupWriter:
    """Runs ``work(session)`` callables on one thread, up to ``max_group`` per transaction.

    If one write of a group fails, every write of that group fails with the same error.
    """

    def __init__(self, database: Database, *, max_group: int = 256) -> None:
        self.database = database
        self.max_group = max_group
        self.error: BaseException | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="crowdlens-writer", daemon=True)
        self._thread.start()

    async def write(self, work: Callable[[Session], T]) -> T:
        """Queue ``work`` and wait until its transaction is committed; returns its result."""
        return await asyncio.wrap_future(self.submit(work))

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Queue ``work`` without waiting; a failure is raised again by :meth:`close`."""
        future: Future[T] = Future()
        future.add_done_callback(self._remember_error)
        self._queue.put((work, future))
        return future

    def _remember_error(self, future: Future[Any]) -> None:
        if self.error is None and future.exception() is not None:
            self.error = future.exception()

    def close(self) -> None:
        """Finish the queued writes, stop the thread, and raise the first failed write's error."""
        self._queue.put(_STOP)
        self._thread.join()
        if self.error is not None:
            raise self.error

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            group = [first]
            stop = self._drain(group)
            self._commit(group)
            if stop:
                return

    def _drain(self, group: list[Any]) -> bool:
        while len(group) < self.max_group:
            try:
                entry = self._queue.get_nowait()
            except queue.Empty:
                return False
            if entry is _STOP:
                return True
            group.append(entry)
        return False

    def _commit(self, group: list[tuple[Work, Future[Any]]]) -> None:
        results: list[Any] = []
        try:
            with self.database.session() as session:
                session.connection(execution_options=IMMEDIATE)
                results = [work(session) for work, _future in group]
        except Exception as exc:  # noqa: BLE001 - forwarded to every caller of the group
            for _work, future in group:
                future.set_exception(exc)
            return
        for (_work, future), result in zip(group, results, strict=True):
            future.set_result(result)
