"""What every request handler shares: database, media, settings, signing keys, templates."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from crowdlens.audio import RetryPolicy, Transcriber, TranscriptionWorker
from crowdlens.crowd import DEFAULT_LEASE, Priority, RateLimit
from crowdlens.settings import Settings
from crowdlens.store.db import Database
from crowdlens.store.media import MediaStore
from crowdlens.web.limits import LoginThrottle

HERE = Path(__file__).parent
KiB = 1024


@dataclass(frozen=True)
class WebOptions:
    """Knobs of the web app that are not settings of the whole home.

    ``transcriber``: the speech-to-text backend for spoken answers; ``None`` builds the one
    named by ``settings.transcriber``. ``run_transcription=False`` leaves transcribing to
    another process (``TranscriptionWorker`` or ``transcribe_pending``).
    """

    lease: timedelta = DEFAULT_LEASE
    rate_limit: RateLimit = field(default_factory=RateLimit)
    priority: Priority | None = None
    secret_key: str | None = None
    max_form_bytes: int = 256 * KiB
    session_hours: int = 12
    transcriber: Transcriber | None = None
    transcription: RetryPolicy = field(default_factory=RetryPolicy)
    transcription_poll_s: float = 5.0
    run_transcription: bool = True


class Credentials:
    """The admin password and API token, kept only as keyed hashes in memory."""

    def __init__(self, settings: Settings) -> None:
        self._key = secrets.token_bytes(32)
        self._password = self._digest_secret(settings.admin_password)
        self._token = self._digest_secret(settings.admin_token)

    def _digest(self, value: str) -> bytes:
        return hmac.new(self._key, value.encode(), hashlib.sha256).digest()

    def _digest_secret(self, secret: object) -> bytes | None:
        value = getattr(secret, "get_secret_value", lambda: None)()
        return self._digest(value) if value else None

    @property
    def configured(self) -> bool:
        return self._password is not None or self._token is not None

    def check_password(self, given: str) -> bool:
        """A password or the token both open the admin pages."""
        candidate = self._digest(given)
        return any(
            stored is not None and hmac.compare_digest(candidate, stored)
            for stored in (self._password, self._token)
        )

    def check_token(self, given: str) -> bool:
        return self._token is not None and hmac.compare_digest(self._digest(given), self._token)


@dataclass
class AppState:
    settings: Settings
    options: WebOptions
    database: Database
    media: MediaStore
    secret_key: str
    credentials: Credentials
    templates: Jinja2Templates
    logins: LoginThrottle
    transcription: TranscriptionWorker | None = None

    def wake_transcription(self) -> None:
        if self.transcription is not None:
            self.transcription.wake()


def load_secret_key(settings: Settings, options: WebOptions) -> str:
    """The signing key: given, or kept in ``home/secret_key`` so app processes share it."""
    if options.secret_key:
        return options.secret_key
    path = settings.home / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescaping on for every template."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True
    )
    env.lstrip_blocks = True
    return Jinja2Templates(env=env)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.crowdlens
    return state


State = Annotated[AppState, Depends(get_state)]
