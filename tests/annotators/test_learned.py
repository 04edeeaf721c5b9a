"""The learned auto-labeller: trains on accepted human labels, answers only when confident."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image
from sqlalchemy import select

from crowdlens.annotators.run import annotate_project
from crowdlens.errors import ConfigError
from crowdlens.schema import parse_schema
from crowdlens.store.annotations import add_annotation
from crowdlens.store.annotators import get_or_create_human
from crowdlens.store.db import Database
from crowdlens.store.items import add_items
from crowdlens.store.media import MediaStore, sha256_hex
from crowdlens.store.projects import create_project, get_project
from crowdlens.store.tables import Annotation, Annotator, Consensus

BASE = {"red": (200, 40, 40), "green": (40, 170, 60), "blue": (40, 60, 200)}
SCHEMA = parse_schema(
    {
        "name": "learn",
        "fields": [
            {"name": "colour", "kind": "choice", "classes": ["red", "green", "blue"]},
            {"name": "coin", "kind": "binary", "definition": "A coin toss, not in the image."},
            {"name": "notes", "kind": "text", "question": "Anything else?"},
        ],
    }
)


def noisy_png(colour: str, rng: random.Random) -> bytes:
    """A picture of one colour with random blotches of other colours."""
    image = Image.new("RGB", (48, 48), tuple(c + rng.randint(-25, 25) for c in BASE[colour]))
    for _ in range(4):
        x, y = rng.randrange(40), rng.randrange(40)
        image.paste(tuple(rng.randrange(256) for _ in range(3)), (x, y, x + 6, y + 6))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_items(database: Database, media: MediaStore, n: int, seed: int = 0) -> dict[int, str]:
    rng = random.Random(seed)
    colours = [rng.choice(list(BASE)) for _ in range(n)]
    rows = []
    for index, colour in enumerate(colours):
        data = noisy_png(colour, rng)
        key, _ = media.put(data, suffix=".png")
        rows.append(
            {
                "sha256": sha256_hex(data), "media_key": key, "mime_type": "image/png",
                "width": 48, "height": 48, "byte_size": len(data), "source_name": f"{index}.png",
            }
        )  # fmt: skip
    with database.session() as session:
        project = create_project(session, schema=SCHEMA)
        items = add_items(session, project_id=project.id, rows=rows)
        return {item.id: colours[i] for i, item in enumerate(items)}


def label(database: Database, truth: dict[int, str], item_ids: list[int], status: str) -> None:
    rng = random.Random(1)
    with database.session() as session:
        project = get_project(session, name="learn")
        for item_id in item_ids:
            worker = get_or_create_human(session, platform="test", worker_id=f"w{item_id % 3}")
            add_annotation(
                session, project=project, item_id=item_id, annotator_id=worker.id,
                answers={"colour": truth[item_id], "coin": rng.random() < 0.5}, status=status,
                partial=True,
            )  # fmt: skip


def model_answers(database: Database) -> dict[int, dict[str, object]]:
    with database.session() as session:
        query = (
            select(Annotation)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotator.kind == "model")
        )
        return {
            a.item_id: {**a.answers, "_confidence": a.confidence} for a in session.scalars(query)
        }


def test_learns_colours_and_abstains_on_a_field_it_cannot_learn(
    sqlite_database: Database, media: MediaStore
) -> None:
    truth = make_items(sqlite_database, media, 90)
    ids = sorted(truth)
    label(sqlite_database, truth, ids[:45], "accepted")
    report = annotate_project(
        sqlite_database, media, project="learn", annotator_config={"backend": "learned"}
    )
    assert report.fit_report["colour"]["cv_accuracy"] >= 0.8
    assert report.fit_report["colour"]["examples"] == 45
    assert report.fit_report["coin"]["cv_accuracy"] < 0.8
    answers = model_answers(sqlite_database)
    held_out = [i for i in ids[45:] if i in answers]
    assert len(held_out) >= 35
    correct = sum(answers[i]["colour"] == truth[i] for i in held_out)
    assert correct / len(held_out) >= 0.95
    assert all("coin" not in answers[i] for i in held_out)
    assert all(answers[i]["_confidence"]["colour"] >= 0.5 for i in held_out)  # type: ignore[index]


def test_only_accepted_human_labels_and_consensus_teach_it(
    sqlite_database: Database, media: MediaStore
) -> None:
    truth = make_items(sqlite_database, media, 40)
    ids = sorted(truth)
    label(sqlite_database, truth, ids[:30], "submitted")
    with pytest.raises(ConfigError, match="expected enough human labels"):
        annotate_project(
            sqlite_database, media, project="learn", annotator_config={"backend": "learned"}
        )
    with sqlite_database.session() as session:
        for item_id in ids[:30]:
            session.add(
                Consensus(project_id=1, item_id=item_id, field="colour",
                          value={"value": truth[item_id]}, method="majority")
            )  # fmt: skip
    report = annotate_project(
        sqlite_database, media, project="learn", annotator_config={"backend": "learned"},
        fields=["colour"],
    )  # fmt: skip
    assert report.fit_report["colour"]["examples"] == 30


def test_retraining_with_more_labels_is_a_new_annotator(
    sqlite_database: Database, media: MediaStore
) -> None:
    truth = make_items(sqlite_database, media, 60)
    ids = sorted(truth)
    label(sqlite_database, truth, ids[:20], "accepted")
    first = annotate_project(
        sqlite_database, media, project="learn", annotator_config={"backend": "learned"},
        fields=["colour"],
    )  # fmt: skip
    same = annotate_project(
        sqlite_database, media, project="learn", annotator_config={"backend": "learned"},
        fields=["colour"],
    )  # fmt: skip
    assert same.annotator_key == first.annotator_key and same.progress.done == 0
    label(sqlite_database, truth, ids[20:40], "accepted")
    second = annotate_project(
        sqlite_database, media, project="learn", annotator_config={"backend": "learned"},
        fields=["colour"],
    )  # fmt: skip
    assert second.annotator_key != first.annotator_key
    assert second.fit_report["colour"]["examples"] == 40


@pytest.mark.parametrize(
    ("config", "message"),
    [({"target_accuracy": 0.3}, "target_accuracy"), ({"min_examples": 1}, "min_examples")],
    ids=["threshold-below-half", "too-few-examples"],
)
def test_bad_learned_settings(
    sqlite_database: Database, media: MediaStore, config: dict[str, object], message: str
) -> None:
    make_items(sqlite_database, media, 3)
    with pytest.raises(ConfigError, match=message):
        annotate_project(
            sqlite_database,
            media,
            project="learn",
            annotator_config={"backend": "learned", **config},
        )


def test_label_confident_items_waits_for_enough_human_labels(
    sqlite_database: Database, media: MediaStore
) -> None:
    from crowdlens.annotators.run import label_confident_items

    truth = make_items(sqlite_database, media, 60)
    ids = sorted(truth)
    assert label_confident_items(sqlite_database, media, project="learn") is None
    label(sqlite_database, truth, ids[:5], "accepted")
    assert label_confident_items(sqlite_database, media, project="learn") is None
    label(sqlite_database, truth, ids[5:55], "accepted")
    report = label_confident_items(sqlite_database, media, project="learn")
    assert report is not None and report.progress.done > 0
    assert "colour" in report.fit_report


@pytest.mark.parametrize(
    "counts",
    [pytest.param((2, 9, 9), id="rarest-class-twice"), pytest.param((3, 3, 14), id="two-rare")],
)
def test_rare_classes_do_not_break_training(counts: tuple[int, ...]) -> None:
    """A class seen only twice once made the calibration's inner cross-validation fail."""
    import numpy as np

    from crowdlens.annotators.classifiers import Targets, train_labels

    rng = np.random.default_rng(0)
    target = [name for name, n in zip("abc", counts, strict=True) for _ in range(n)]
    centres = {"a": 0.0, "b": 3.0, "c": 6.0}
    matrix = np.array([[centres[t] + rng.normal(), rng.normal()] for t in target])
    targets = Targets(accuracy=0.9, min_confidence=0.5, folds=5, seed=0)
    model = train_labels(matrix, target, targets)
    assert model.classes == ["a", "b", "c"]
    assert model.n == len(target)
    assert model.estimator is not None
