"""`crowdlens aggregate PROJECT` writes consensus from people and models, then only what changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from crowdlens.cli import app
from crowdlens.consensus import read_consensus
from crowdlens.store.annotations import add_annotation
from crowdlens.store.annotators import get_or_create_human, get_or_create_model
from crowdlens.store.items import list_items
from crowdlens.store.projects import get_project
from crowdlens.workspace import Workspace, open_workspace

PROJECT = """
name: pets
fields:
  - {name: animal, kind: choice, classes: [cat, dog]}
  - {name: outdoors, kind: binary}
"""


def _answer(ws: Workspace, worker: str, item_index: int, answers: dict[str, object]) -> None:
    with ws.database.session() as session:
        project = get_project(session, name="pets")
        item = list_items(session, project_id=project.id)[item_index]
        if worker.startswith("model"):
            who = get_or_create_model(session, backend="openai", model=worker, prompt_version="v1")
        else:
            who = get_or_create_human(session, platform="web", worker_id=worker)
        add_annotation(
            session,
            project=project,
            item_id=item.id,
            annotator_id=who.id,
            answers=answers,
            partial=True,
        )


def test_aggregate_writes_then_skips_unchanged_fields(
    tmp_path: Path, make_png: Callable[..., Path]
) -> None:
    home, config = tmp_path / "home", tmp_path / "pets.yaml"
    config.write_text(PROJECT)
    with open_workspace(home) as ws:
        ws.create_project(config)
        ws.import_images("pets", [make_png("a.png", colour=(1, 1, 1)), make_png("b.png")])
        for worker, first, second in [
            ("w1", "cat", "dog"),
            ("w2", "cat", "dog"),
            ("model-x", "dog", "dog"),
        ]:
            _answer(ws, worker, 0, {"animal": first})
            _answer(ws, worker, 1, {"animal": second})
    runner = CliRunner()
    first = runner.invoke(app, ["--home", str(home), "aggregate", "pets", "--method", "mv"])
    assert first.exit_code == 0, first.output
    assert "animal" in first.output and "no answers yet" in first.output
    with open_workspace(home) as ws, ws.database.session() as session:
        table = read_consensus(session, project=get_project(session, name="pets"))
    assert table[["field", "value", "n_annotations"]].values.tolist() == [
        ["animal", "cat", 3],
        ["animal", "dog", 3],
    ]
    again = runner.invoke(app, ["--home", str(home), "aggregate", "pets", "--method", "mv"])
    assert "unchanged since the last run" in again.output


def test_unknown_method_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "pets.yaml"
    config.write_text(PROJECT)
    with open_workspace(tmp_path) as ws:
        ws.create_project(config)
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path), "aggregate", "pets", "--method", "x"]
    )
    assert result.exit_code == 1
    assert "method: expected one of" in result.output
