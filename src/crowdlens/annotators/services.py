"""The runner's side of :class:`~crowdlens.annotators.base.CallServices`: cache and budget
backed by the database. Each write is its own short transaction, so a run killed halfway
keeps every response it paid for.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

from crowdlens.annotators.writer import GroupWriter
from crowdlens.store.cache import cached_keys, get_cached, put_cached_many
from crowdlens.store.costs import add_costs
from crowdlens.store.db import Database


class Budget:
    """A spending limit; calls in flight are counted at the average cost seen so far.

    Before the first cost is known every call is allowed, so a run can pass ``max_cost`` by
    at most the calls already in flight when the first costs arrive.
    """

    def __init__(self, max_cost: float | None) -> None:
        self.max_cost = max_cost
        self.spent = 0.0
        self.paid_calls = 0
        self.in_flight = 0
        self._lock = threading.Lock()

    def reserve(self) -> bool:
        with self._lock:
            if self.max_cost is not None and not self._room():
                return False
            self.in_flight += 1
            return True

    def _room(self) -> bool:
        assert self.max_cost is not None
        average = self.spent / self.paid_calls if self.paid_calls else 0.0
        return (
            self.spent < self.max_cost
            and self.spent + average * (self.in_flight + 1) <= self.max_cost
        )

    def settle(self, amount: float) -> None:
        with self._lock:
            self.in_flight = max(0, self.in_flight - 1)
            self.spent += amount
            self.paid_calls += 1

    def release(self) -> None:
        with self._lock:
            self.in_flight = max(0, self.in_flight - 1)

    @property
    def exhausted(self) -> bool:
        return self.max_cost is not None and self.spent >= self.max_cost


class StoreServices:
    """Response cache and cost ledger in the database, with a :class:`Budget`.

    Writes go through one :class:`GroupWriter` thread; cache reads through a small pool.
    """

    def __init__(
        self,
        database: Database,
        *,
        project_id: int,
        annotator_id: int | None,
        job_id: int | None,
        budget: Budget,
    ) -> None:
        self.database = database
        self.project_id = project_id
        self.annotator_id = annotator_id
        self.job_id = job_id
        self.budget = budget
        self.writer = GroupWriter(database)
        self._known: set[str] | None = None
        self._lock = threading.Lock()
        self._pending_cache: list[dict[str, Any]] = []
        self._pending_costs: list[dict[str, Any]] = []
        self._flush_queued = False
        self._readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="crowdlens-reader")

    @property
    def requests_made(self) -> int:
        return self.budget.paid_calls

    def close(self) -> None:
        self.writer.close()
        self._readers.shutdown(wait=True)

    def preload_keys(self, *, model: str) -> None:
        """Remember which responses of ``model`` are cached: a miss then costs no query."""
        with self.database.session() as session:
            self._known = cached_keys(session, model=model)

    async def cache_get(self, key: str) -> dict[str, Any] | None:
        if self._known is not None and key not in self._known:
            return None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._cache_get, key)

    def _cache_get(self, key: str) -> dict[str, Any] | None:
        with self.database.session() as session:
            return get_cached(session, key=key)

    def reserve(self) -> bool:
        return self.budget.reserve()

    def release(self) -> None:
        self.budget.release()

    async def paid(
        self,
        key: str,
        *,
        meta: dict[str, Any],
        response: dict[str, Any],
        amount_usd: float,
        detail: dict[str, Any],
    ) -> None:
        """Cache the response and write its cost, in the same transaction.

        The write is queued, not awaited: the call's item goes on while the writer thread
        commits every response queued so far together (within milliseconds); :meth:`close`
        waits for it and raises a failed write's error.
        """
        self.budget.settle(amount_usd)
        cost = {
            "project_id": self.project_id,
            "kind": "model_tokens",
            "amount_usd": amount_usd,
            "annotator_id": self.annotator_id,
            "job_id": self.job_id,
            "detail": detail,
        }
        with self._lock:
            if self._known is not None:
                self._known.add(key)
            self._pending_cache.append({"key": key, "response": response, **meta})
            self._pending_costs.append(cost)
            if not self._flush_queued:
                self._flush_queued = True
                self.writer.submit(self._flush)

    def _flush(self, session: Session) -> None:
        with self._lock:
            cache, self._pending_cache = self._pending_cache, []
            costs, self._pending_costs = self._pending_costs, []
            self._flush_queued = False
        put_cached_many(session, entries=cache)
        add_costs(session, entries=costs)
