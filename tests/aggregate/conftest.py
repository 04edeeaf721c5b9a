"""Fixtures for the aggregator tests."""

from __future__ import annotations

import pytest
from synthetic_crowds import Crowd, varied_crowd


@pytest.fixture(scope="session", name="varied_crowd")
def varied_crowd_fixture() -> Crowd:
    """Two good workers and three near-random ones."""
    return varied_crowd()
