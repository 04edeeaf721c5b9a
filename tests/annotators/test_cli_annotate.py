"""``crowdlens annotate`` and ``crowdlens models`` through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from chat_server import ChatServer
from typer.testing import CliRunner

from conftest import COLOURS, png
from crowdlens.cli import app

runner = CliRunner()
PROJECT_YAML = """
name: colours
fields:
  - {name: colour, kind: choice, classes: [red, green, blue]}
"""


def cli(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.output


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (tmp_path / "colours.yaml").write_text(PROJECT_YAML, encoding="utf-8")
    images = tmp_path / "images"
    images.mkdir()
    for index, name in enumerate(["red", "green", "blue"]):
        (images / f"{name}.png").write_bytes(png(COLOURS[name], salt=index))
    assert cli(home, "project", "create", "--config", str(tmp_path / "colours.yaml"))[0] == 0
    assert cli(home, "import", "colours", str(images))[0] == 0
    return home


def test_annotate_with_a_saved_model_then_resume(home: Path, chat_server: ChatServer) -> None:
    code, output = cli(
        home, "models", "add", "local", "--model", "test-vl", "--base-url",
        chat_server.base_url, "--no-key", "--price-in", "1000", "--price-out", "2000",
    )  # fmt: skip
    assert code == 0, output
    code, output = cli(home, "models", "list")
    assert code == 0 and "local" in output and "learned, openai, predictions" in output
    code, output = cli(home, "annotate", "colours", "--model", "local", "--max-cost", "5")
    assert code == 0, output
    assert "done 3, cached 0, failed 0" in output and "spent $0.4200" in output
    code, output = cli(home, "annotate", "colours", "--model", "local")
    assert code == 0 and "done 0" in output and "skipped (answered before) 3" in output
    assert len(chat_server.requests) == 3


def test_estimate_prints_a_projection(home: Path, chat_server: ChatServer) -> None:
    code, output = cli(
        home, "annotate", "colours", "--model", "test-vl", "--base-url", chat_server.base_url,
        "--no-key", "--price-in", "1000", "--price-out", "2000", "--estimate", "--sample", "1",
    )  # fmt: skip
    assert code == 0, output
    assert "estimate from 1 items: $0.14000 per item; 3 items to annotate → about $0.42" in output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--no-vision", "--no-key"], "without vision and cannot be sent an image"),
        (["--api-key-env", "CROWDLENS_UNSET_KEY"], "export CROWDLENS_UNSET_KEY="),
        (["--no-key", "--fields", "size"], "expected a field of project 'colours'"),
    ],
    ids=["text-only-model", "missing-key", "unknown-field"],
)
def test_refusals_are_one_line_errors(
    home: Path, chat_server: ChatServer, extra: list[str], message: str
) -> None:
    code, output = cli(
        home, "annotate", "colours", "--model", "m", "--base-url", chat_server.base_url, *extra
    )
    assert code == 1 and message in output and "Traceback" not in output
    assert chat_server.requests == []
