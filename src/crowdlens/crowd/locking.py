"""One writer at a time per SQLite database inside a process, queued on a lock.

SQLite allows one writer; threads that meet its lock otherwise poll with growing sleeps (the
busy handler), which makes waits long and unfair under load. Queuing them on a lock first hands
the database over as soon as it is free. Other processes still meet SQLite's own lock and busy
timeout; PostgreSQL needs neither.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from crowdlens.store.db import Database

_LOCKS: WeakKeyDictionary[Engine, threading.Lock] = WeakKeyDictionary()
_GUARD = threading.Lock()


@contextmanager
def single_writer(database: Database) -> Iterator[None]:
    """Hold this process's write turn for ``database`` (a no-op except on SQLite)."""
    if database.engine.dialect.name != "sqlite":
        yield
        return
    with _GUARD:
        lock = _LOCKS.setdefault(database.engine, threading.Lock())
    with lock:
        yield
