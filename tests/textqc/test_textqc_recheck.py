"""Re-running checks on stored answers after a rule change, on SQLite and PostgreSQL."""

from __future__ import annotations

from crowdlens.presets import load_preset
from crowdlens.store.annotations import add_annotation
from crowdlens.store.annotators import get_or_create_human
from crowdlens.store.db import Database
from crowdlens.store.items import add_items
from crowdlens.store.projects import create_project
from crowdlens.textqc.recheck import recheck_project
from item_rows import placeholder_item_row

LONG = "A red house stands by a river and a dog sleeps on the grass near the door. " * 6
SHORT = "A red house by a river."


def test_recheck_reports_answers_that_would_flip(database: Database) -> None:
    with database.session() as session:
        project = create_project(session, schema=load_preset("dense-caption"))
        (item,) = add_items(
            session,
            project_id=project.id,
            rows=[placeholder_item_row("a")],
        )
        ids = []
        for n, (text, status) in enumerate([(LONG, "accepted"), (SHORT, "accepted")]):
            worker = get_or_create_human(session, platform="web", worker_id=f"w{n}")
            annotation = add_annotation(
                session,
                project=project,
                item_id=item.id,
                annotator_id=worker.id,
                answers={"caption": text},
                status=status,
                qc=[{"name": "min_words", "score": 1.0, "passed": True, "reason": ""}],
            )
            ids.append(annotation.id)
    with database.session() as session:
        flips = recheck_project(session, project="dense-caption", config={"min_words": 80})
        assert [(f.annotation_id, f.was_passed, f.now_passed) for f in flips] == [
            (ids[1], True, False)
        ]
        assert flips[0].failed_checks == ("min_words",)
        assert recheck_project(session, project="dense-caption", config={"min_words": 5}) == []
