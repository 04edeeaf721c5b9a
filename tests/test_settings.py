"""Settings come from CROWDLENS_* variables, built when asked for, never at import."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdlens.settings import get_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env file is read
    for name in ("HOME", "DATABASE_URL", "MEDIA_DIR", "ADMIN_TOKEN", "MAX_IMAGE_BYTES"):
        monkeypatch.delenv(f"CROWDLENS_{name}", raising=False)


def test_defaults_live_under_the_home(tmp_path: Path) -> None:
    settings = get_settings()
    assert settings.home == Path("crowdlens-data")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'crowdlens-data/crowdlens.db'}"
    assert settings.resolved_media_dir == tmp_path / "crowdlens-data/media"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CROWDLENS_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("CROWDLENS_DATABASE_URL", "postgresql+psycopg://u@db/x")
    monkeypatch.setenv("CROWDLENS_MEDIA_DIR", str(tmp_path / "m"))
    monkeypatch.setenv("CROWDLENS_ADMIN_TOKEN", "s3cret")
    monkeypatch.setenv("CROWDLENS_MAX_IMAGE_BYTES", "1000")
    settings = get_settings()
    assert settings.resolved_database_url == "postgresql+psycopg://u@db/x"
    assert settings.resolved_media_dir == tmp_path / "m"
    assert settings.max_image_bytes == 1000
    assert settings.admin_token is not None
    assert settings.admin_token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_keyword_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDLENS_MAX_IMAGE_BYTES", "1000")
    assert get_settings(max_image_bytes=5).max_image_bytes == 5


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CROWDLENS_MAX_IMAGE_PIXELS=1234\n")
    assert get_settings().max_image_pixels == 1234


def test_invalid_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDLENS_MAX_IMAGE_BYTES", "-1")
    with pytest.raises(ValueError, match="max_image_bytes"):
        get_settings()
