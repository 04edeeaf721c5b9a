"""The command line, run in-process with Typer's runner against a temporary home."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crowdlens.cli import app

runner = CliRunner()


def run(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_demo_data_imported_twice_gives_fifty_items(tmp_path: Path) -> None:
    home, chars = tmp_path / "home", tmp_path / "chars"
    assert run(home, "demo-data", "characters", "--n", "50", "--out", str(chars))[0] == 0
    preset = Path(__file__).parents[2] / "src/crowdlens/presets/characters.yaml"
    assert run(home, "project", "create", "--config", str(preset))[0] == 0
    first = run(home, "import", "characters", str(chars / "manifest.csv"))
    second = run(home, "import", "characters", str(chars / "images"))
    assert first[0] == 0 and "added 50" in first[1]
    assert "added 0, already there 50" in second[1]
    code, output = run(home, "status", "characters")
    assert code == 0
    assert "50 items (50 with gold)" in output


def test_init_and_project_list(tmp_path: Path) -> None:
    code, output = run(tmp_path, "init")
    assert code == 0 and "crowdlens.db" in "".join(output.split())  # rich wraps long paths
    assert (tmp_path / "media").is_dir()
    assert run(tmp_path, "project", "list") == (0, "no projects yet\n")


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        pytest.param(
            "name: p\nfields:\n  - {name: a, kind: slider}\n",
            "field 'a': unknown kind 'slider'; expected one of binary, choice",
            id="unknown-kind",
        ),
        pytest.param(
            "name: p\nfields:\n  - {name: a, kind: binary}\n  - {name: a, kind: binary}\n",
            "expected unique field names, got 'a' twice",
            id="duplicate-field",
        ),
        pytest.param(
            "name: p\nfields:\n  - {name: colour, kind: choice}\n",
            "field 'colour': classes: this setting is required",
            id="choice-without-classes",
        ),
        pytest.param("name: p\nfields: [\n", "not valid YAML", id="broken-yaml"),
    ],
)
def test_bad_project_yaml_names_file_and_field(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    config = tmp_path / "project.yaml"
    config.write_text(yaml_text)
    code, output = run(tmp_path, "project", "create", "--config", str(config))
    assert code == 1
    flat = " ".join(output.split())
    assert "Error:" in flat and str(config) in flat and message in flat


def test_import_into_missing_project_is_one_line_error(tmp_path: Path) -> None:
    code, output = run(tmp_path, "import", "ghost", str(tmp_path))
    assert code == 1
    assert "expected an existing project, got 'ghost'" in " ".join(output.split())
    assert "Traceback" not in output


def test_unreachable_database_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROWDLENS_DATABASE_URL", "postgresql+psycopg://x@127.0.0.1:1/none")
    code, output = run(tmp_path, "project", "list")
    assert code == 1
    assert "cannot reach the database" in output and "CROWDLENS_DATABASE_URL" in output


def test_demo_builds_the_demo_project_and_is_rerunnable(tmp_path: Path) -> None:
    code, output = run(tmp_path, "demo", "--n", "6", "--no-serve")
    assert code == 0, output
    assert "created project characters" in output and "added 6" in output
    code, output = run(tmp_path, "demo", "--n", "6", "--no-serve")
    assert "reused project characters" in output and "already there 6" in output
    assert "learned annotator: waiting for accepted human labels" in " ".join(output.split())


def test_demo_runs_the_learned_annotator_once_people_have_labelled(tmp_path: Path) -> None:
    from crowdlens.store.annotations import add_annotation
    from crowdlens.store.annotators import get_or_create_human
    from crowdlens.store.items import list_items
    from crowdlens.store.projects import get_project
    from crowdlens.workspace import open_workspace

    assert run(tmp_path, "demo", "--n", "24", "--no-serve")[0] == 0
    with open_workspace(tmp_path) as ws, ws.database.session() as session:
        project = get_project(session, name="characters")
        for n, item in enumerate(list_items(session, project_id=project.id)):
            person = get_or_create_human(session, platform="web", worker_id=f"w{n % 3}")
            add_annotation(
                session,
                project=project,
                item_id=item.id,
                annotator_id=person.id,
                answers=item.gold,
                partial=True,
                status="accepted",
            )
    code, output = run(tmp_path, "demo", "--n", "24", "--no-serve")
    assert code == 0, output
    assert "learned annotator model:learned:" in " ".join(output.split())


def test_skipped_files_are_listed_with_reasons(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run(home, "demo", "--n", "2", "--no-serve")
    (tmp_path / "broken.png").write_bytes(b"not really a png")
    code, output = run(home, "import", "characters", str(tmp_path / "broken.png"))
    assert code == 0
    assert "skipped 1" in output and "not an image" in " ".join(output.split())
