"""The storage layer, run on SQLite and on the PostgreSQL server alike."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from crowdlens.errors import AnswerInvalid, Conflict, NotFound, StoreUnavailable
from crowdlens.schema import LabelSchema
from crowdlens.store.annotations import add_annotation, answer_rows, list_annotations
from crowdlens.store.annotators import get_or_create_human, get_or_create_model
from crowdlens.store.db import Database, open_database
from crowdlens.store.items import add_items, add_region, count_items, items_by_sha256
from crowdlens.store.migrate import current_revision, head_revision
from crowdlens.store.projects import create_project, get_project, list_projects, project_schema
from crowdlens.store.status import project_status
from crowdlens.store.tables import Base, CostEntry
from item_rows import placeholder_item_row


@pytest.fixture
def project_id(database: Database, small_schema: LabelSchema) -> int:
    with database.session() as session:
        project = create_project(session, schema=small_schema)
        add_items(
            session,
            project_id=project.id,
            rows=[placeholder_item_row("a"), placeholder_item_row("b")],
        )
        return project.id


def test_migrated_to_head(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()


def test_migrations_match_the_table_models(database: Database) -> None:
    """A change to tables.py without a migration fails here."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_project_round_trip(database: Database, small_schema: LabelSchema, project_id: int) -> None:
    with database.session() as session:
        project = get_project(session, name="shapes")
        assert project.id == project_id
        assert project_schema(project) == small_schema
        assert [p.name for p in list_projects(session)] == ["shapes"]


def test_duplicate_project_is_a_conflict(database: Database, small_schema: LabelSchema) -> None:
    with database.session() as session:
        create_project(session, schema=small_schema)
    with pytest.raises(Conflict, match="exists"), database.session() as session:
        create_project(session, schema=small_schema)


def test_missing_project_names_the_known_ones(database: Database, project_id: int) -> None:
    with pytest.raises(NotFound, match=r"'nope'.*shapes.*project create"), database.session() as s:
        get_project(s, name="nope")


def test_items_unique_per_project_by_sha256(database: Database, project_id: int) -> None:
    with pytest.raises(IntegrityError, match=r"(?i)unique"), database.session() as session:
        add_items(session, project_id=project_id, rows=[placeholder_item_row("a")])
    with database.session() as session:
        assert count_items(session, project_id=project_id) == 2
        found = items_by_sha256(session, project_id=project_id, sha256s=["a" * 64, "z" * 64])
        assert list(found) == ["a" * 64]


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"), database.session() as session:
        add_items(session, project_id=999, rows=[placeholder_item_row("c")])


def test_annotations_from_people_and_models(database: Database, project_id: int) -> None:
    with database.session() as session:
        project = get_project(session, name="shapes")
        item = items_by_sha256(session, project_id=project_id, sha256s=["a" * 64])["a" * 64]
        person = get_or_create_human(session, platform="mturk", worker_id="W1")
        model = get_or_create_model(session, backend="openai", model="m", prompt_version="v1")
        add_annotation(
            session,
            project=project,
            item_id=item.id,
            annotator_id=person.id,
            answers={
                "round": "yes",
                "colour": "red",
                "parts": ["dot", "edge"],
                "describe": " a red dot ",
            },
            time_spent_s=12.5,
        )
        add_annotation(
            session,
            project=project,
            item_id=item.id,
            annotator_id=model.id,
            answers={"colour": "blue"},
            partial=True,
            cost_usd=0.002,
            confidence={"colour": 0.7},
        )
        session.add(CostEntry(project_id=project_id, kind="model_tokens", amount_usd=0.002))
    with database.session() as session:
        stored = list_annotations(session, project_id=project_id)
        assert stored[0].answers == {
            "round": True,
            "colour": "red",
            "parts": ["edge", "dot"],
            "describe": "a red dot",
        }
        rows = answer_rows(session, project_id=project_id, field="colour")
        assert [(r["kind"], r["label"], r["confidence"]) for r in rows] == [
            ("human", "red", None),
            ("model", "blue", 0.7),
        ]
        status = project_status(session, project=get_project(session, name="shapes"))
    assert status.items == 2
    assert status.annotations == 2
    counts = {c.field: (c.human_answers, c.model_answers) for c in status.fields}
    assert counts == {"round": (1, 0), "colour": (1, 1), "parts": (1, 0), "describe": (1, 0)}
    assert status.cost_usd == pytest.approx(0.002)


@pytest.mark.parametrize(
    ("answers", "partial", "message"),
    [
        pytest.param({"colour": "purple"}, True, "one of red, green, blue", id="unknown-class"),
        pytest.param({"round": "maybe"}, True, "true or false", id="not-binary"),
        pytest.param({"parts": ["wing"]}, True, "unknown 'wing'", id="unknown-tag"),
        pytest.param({"size": 3}, True, "got 'size'", id="unknown-field"),
        pytest.param(
            {"colour": "red"}, False, "'round': expected an answer", id="missing-required"
        ),
    ],
)
def test_invalid_answers_are_refused(
    database: Database, project_id: int, answers: dict[str, object], partial: bool, message: str
) -> None:
    with pytest.raises(AnswerInvalid, match=message), database.session() as session:
        project = get_project(session, name="shapes")
        person = get_or_create_human(session, platform="web", worker_id="W2")
        add_annotation(
            session,
            project=project,
            item_id=1,
            annotator_id=person.id,
            answers=answers,
            partial=partial,
        )
    with database.session() as session:
        assert list_annotations(session, project_id=project_id) == []


def test_idempotency_key_makes_one_annotation(database: Database, project_id: int) -> None:
    for _ in range(2):
        with database.session() as session:
            project = get_project(session, name="shapes")
            person = get_or_create_human(session, platform="web", worker_id="W3")
            item = items_by_sha256(session, project_id=project_id, sha256s=["b" * 64])["b" * 64]
            add_annotation(
                session,
                project=project,
                item_id=item.id,
                annotator_id=person.id,
                answers={"colour": "green"},
                partial=True,
                idempotency_key="sub-1",
            )
    with database.session() as session:
        assert len(list_annotations(session, project_id=project_id)) == 1


def test_annotator_created_once(database: Database) -> None:
    with database.session() as session:
        first = get_or_create_human(session, platform="prolific", worker_id="P1")
    with database.session() as session:
        again = get_or_create_human(session, platform="prolific", worker_id="P1")
    assert first.id == again.id
    assert again.key == "human:prolific:P1"


def test_regions_belong_to_items(database: Database, project_id: int) -> None:
    with database.session() as session:
        region = add_region(session, item_id=1, box=(1, 2, 3, 4), label="cat")
        assert (region.x, region.y, region.w, region.h) == (1, 2, 3, 4)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param(
            "postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot reach", id="no-server"
        ),
        pytest.param("not a url", "expected a database URL", id="malformed"),
        pytest.param("mysql+nodriver://x@localhost/db", "no driver", id="unknown-driver"),
    ],
)
def test_unreachable_database_says_what_to_do(url: str, message: str) -> None:
    with pytest.raises(StoreUnavailable, match=message) as caught:
        open_database(url)
    assert "CROWDLENS_DATABASE_URL" in str(caught.value) or "pip install" in str(caught.value)
