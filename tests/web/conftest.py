"""The app on a temporary home, on SQLite and PostgreSQL, driven through Starlette's client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import make_home

from crowdlens.settings import Settings
from crowdlens.web import WebOptions, create_app

# The spoken-answer tests speak with tests/audio's helpers (espeak-ng, encoders, WER).
sys.path.insert(0, str(Path(__file__).parents[1] / "audio"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_home(tmp_path / "home", database_url, tmp_path / "images")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, WebOptions()), follow_redirects=False) as test_client:
        yield test_client
