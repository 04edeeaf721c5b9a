"""Which environment variable an OpenAI-compatible model's key comes from."""

from __future__ import annotations

import pytest

from crowdlens.annotators.openai_config import OpenAIConfig
from crowdlens.errors import ConfigError


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "CROWDLENS_OPENAI_API_KEY", "MY_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_default_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "from-openai")
    monkeypatch.setenv("CROWDLENS_OPENAI_API_KEY", "from-crowdlens")
    assert OpenAIConfig(model="m").api_key() == "from-openai"


def test_crowdlens_setting_stands_in_for_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDLENS_OPENAI_API_KEY", "from-crowdlens")
    assert OpenAIConfig(model="m").api_key() == "from-crowdlens"


def test_a_named_variable_has_no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDLENS_OPENAI_API_KEY", "from-crowdlens")
    with pytest.raises(ConfigError, match="export MY_KEY="):
        OpenAIConfig(model="m", api_key_env="MY_KEY").api_key()


def test_no_key_needed_for_local_servers() -> None:
    assert OpenAIConfig(model="m", api_key_env=None).api_key() == "not-needed"
