"""Client-side rate limits (requests and tokens per minute) and retry timing.

:class:`RateLimiter` spaces requests evenly (no bursts) so that a 600 RPM limit gives 600
requests a minute, and keeps a one-minute window of tokens for the TPM limit.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping

WINDOW_S = 60.0


class TokenTicket:
    """Tokens one request holds in the TPM window; corrected once the usage is known."""

    def __init__(self, stamp: float, tokens: int) -> None:
        self.stamp = stamp
        self.tokens = tokens

    def correct(self, actual: int) -> None:
        self.tokens = actual


class RateLimiter:
    """Waits before each request so that RPM and TPM limits hold; None means no limit."""

    def __init__(
        self,
        *,
        rpm: float | None = None,
        tpm: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rpm = rpm
        self.tpm = tpm
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._tokens: deque[TokenTicket] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self, tokens: int = 0) -> TokenTicket:
        """Wait for a request slot and room for ``tokens`` (an estimate) in the minute.

        Correct the returned ticket with the tokens the server reports having used.
        """
        async with self._lock:
            await self._wait_for_slot()
            await self._wait_for_tokens(tokens)
            ticket = TokenTicket(self._clock(), tokens)
            if self.tpm and tokens:
                self._tokens.append(ticket)
            return ticket

    async def _wait_for_slot(self) -> None:
        if not self.rpm:
            return
        now = self._clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + WINDOW_S / self.rpm
        if slot > now:
            await self._sleep(slot - now)

    async def _wait_for_tokens(self, tokens: int) -> None:
        if not self.tpm or not tokens:
            return
        tokens = min(tokens, int(self.tpm))
        while True:
            now = self._clock()
            while self._tokens and self._tokens[0].stamp <= now - WINDOW_S:
                self._tokens.popleft()
            used = sum(ticket.tokens for ticket in self._tokens)
            if used + tokens <= self.tpm or not self._tokens:
                return
            await self._sleep(max(0.01, self._tokens[0].stamp + WINDOW_S - now))


def backoff_delay(
    attempt: int, *, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None
) -> float:
    """Exponential backoff with full jitter: a random wait in [base·2^(n-1)/2, base·2^(n-1)]."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return (rng or random).uniform(ceiling / 2, ceiling)


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds a server asked us to wait: ``retry-after-ms``, or ``Retry-After`` (s or date)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return _seconds_until(value, now)


def _seconds_until(http_date: str, now: float | None) -> float | None:
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, moment.timestamp() - current)
