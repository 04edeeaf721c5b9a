"""`crowdlens qc PROJECT` reports stored answers whose QC outcome a rule change would flip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from crowdlens.cli import app
from crowdlens.store.annotations import add_annotation
from crowdlens.store.annotators import get_or_create_human
from crowdlens.store.items import list_items
from crowdlens.store.projects import get_project
from crowdlens.workspace import open_workspace

PROJECT = """
name: notes
fields:
  - {name: note, kind: text, question: Describe the picture.}
qc:
  min_words: 6
"""


def test_qc_lists_answers_that_would_flip(tmp_path: Path, make_png: Callable[..., Path]) -> None:
    home = tmp_path / "home"
    config = tmp_path / "notes.yaml"
    config.write_text(PROJECT)
    with open_workspace(home) as ws:
        ws.create_project(config)
        ws.import_images("notes", [make_png("a.png")])
        with ws.database.session() as session:
            project = get_project(session, name="notes")
            item = list_items(session, project_id=project.id)[0]
            passed = [{"name": "min_words", "score": 1.0, "passed": True, "reason": ""}]
            for worker, text in [("w1", "a red square on a white ground"), ("w2", "red")]:
                annotator = get_or_create_human(session, platform="web", worker_id=worker)
                add_annotation(
                    session,
                    project=project,
                    item_id=item.id,
                    annotator_id=annotator.id,
                    answers={"note": text},
                    qc=passed,
                )
    result = CliRunner().invoke(app, ["--home", str(home), "qc", "notes"])
    assert result.exit_code == 0, result.output
    assert "1 answers would flip (1 pass → fail, 0 fail → pass)" in result.output
    assert "min_words" in result.output


def test_qc_on_a_missing_project_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "qc", "ghost"])
    assert result.exit_code == 1
    assert "expected an existing project" in result.output
