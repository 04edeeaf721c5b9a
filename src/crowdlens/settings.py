"""Settings read from ``CROWDLENS_*`` environment variables (and a ``.env`` file).

Nothing is read at import time: call :func:`get_settings` where settings are needed and pass
the result down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024


class Settings(BaseSettings):
    """Everything crowdlens can be configured with. See docs/configuration.md."""

    model_config = SettingsConfigDict(
        env_prefix="CROWDLENS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    home: Path = Field(default=Path("crowdlens-data"), description="Folder for data by default.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file under home."
    )
    media_dir: Path | None = Field(
        default=None, description="Where images and audio are stored; default home/media."
    )
    admin_token: SecretStr | None = Field(default=None, description="Token for admin and API.")
    admin_password: SecretStr | None = Field(default=None, description="Password for admin pages.")
    openai_api_key: SecretStr | None = Field(default=None, description="Key for model backends.")
    max_image_bytes: int = Field(default=50 * MiB, gt=0, description="Largest image file accepted.")
    max_image_pixels: int = Field(
        default=50_000_000, gt=0, description="Largest width × height accepted (bomb guard)."
    )
    transcriber: str = Field(
        default="whisper", description="Speech-to-text for spoken answers: whisper or openai."
    )
    transcriber_url: str | None = Field(
        default=None, description="base_url of an OpenAI-compatible transcription server."
    )
    max_audio_bytes: int = Field(default=25 * MiB, gt=0, description="Largest recording accepted.")

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use: the configured one or a SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'crowdlens.db').resolve()}"

    @property
    def resolved_media_dir(self) -> Path:
        """The media folder in use: the configured one or ``home/media``."""
        return (self.media_dir or self.home / "media").resolve()


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment; keyword arguments win over the environment."""
    return Settings(**overrides)  # type: ignore[arg-type]
