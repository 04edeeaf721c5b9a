"""How well the ``learned`` auto-labeller labels the generated cartoon characters.

Draws ``--n`` characters (crowdlens.demo.characters), imports them into a ``characters``
project, records the true attributes of the first half as accepted human labels, runs the
learned annotator and scores its answers on the other half against the truth. The peer is
the majority class of each attribute (what a labeller that looks at nothing would get).

    .venv/bin/python benchmarks/learned_characters.py [--n 400] [--target 0.95]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crowdlens.annotators.run import annotate_project
from crowdlens.demo.characters import make_characters
from crowdlens.ingest.importer import import_images
from crowdlens.presets import load_preset
from crowdlens.store.annotations import add_annotation
from crowdlens.store.annotators import get_or_create_human
from crowdlens.store.db import Database, open_database
from crowdlens.store.media import MediaStore
from crowdlens.store.projects import create_project, get_project
from crowdlens.store.tables import Annotation, Annotator, Item

FIELDS = [
    "shirt", "pants", "hat", "shoes", "hair", "accessory",
    "height", "neck_length", "head_size", "build",
]  # fmt: skip


def setup(database: Database, media: MediaStore, n: int, folder: Path) -> dict[int, dict[str, Any]]:
    manifest = make_characters(n, folder, seed=7)
    with database.session() as session:
        create_project(session, schema=load_preset("characters"))
    import_images(database, media, project="characters", paths=[manifest])
    with database.session() as session:
        return {item.id: dict(item.gold) for item in session.scalars(select(Item))}


def label_half(database: Database, gold: dict[int, dict[str, Any]]) -> list[int]:
    """Accepted 'human' labels (the truth) for the first half; returns the other half."""
    ids = sorted(gold)
    train, test = ids[: len(ids) // 2], ids[len(ids) // 2 :]
    with database.session() as session:
        project = get_project(session, name="characters")
        person = get_or_create_human(session, platform="bench", worker_id="truth")
        for item_id in train:
            answers = {name: gold[item_id][name] for name in FIELDS}
            add_annotation(
                session, project=project, item_id=item_id, annotator_id=person.id,
                answers=answers, partial=True, status="accepted",
            )  # fmt: skip
    return test


def model_answers(database: Database) -> dict[int, dict[str, Any]]:
    with database.session() as session:
        query = (
            select(Annotation.item_id, Annotation.answers)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotator.kind == "model")
        )
        return {row.item_id: row.answers for row in session.execute(query)}


def score(
    gold: dict[int, dict[str, Any]], answers: dict[int, dict[str, Any]], test: list[int]
) -> list[tuple[str, float, float, float]]:
    rows = []
    for name in FIELDS:
        answered = [i for i in test if name in answers.get(i, {})]
        right = sum(answers[i][name] == gold[i][name] for i in answered)
        train_counts = Counter(gold[i][name] for i in gold if i not in test)
        majority = train_counts.most_common(1)[0][0]
        baseline = sum(gold[i][name] == majority for i in test) / len(test)
        accuracy = right / len(answered) if answered else float("nan")
        rows.append((name, len(answered) / len(test), accuracy, baseline))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="learned annotator on generated characters")
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--target", type=float, default=0.95)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(f"sqlite:///{tmp}/bench.db")
        media = MediaStore(Path(tmp) / "media")
        gold = setup(database, media, args.n, Path(tmp) / "characters")
        test = label_half(database, gold)
        started = time.perf_counter()
        report = annotate_project(
            database, media, project="characters", fields=FIELDS,
            annotator_config={"backend": "learned", "target_accuracy": args.target},
        )  # fmt: skip
        seconds = time.perf_counter() - started
        rows = score(gold, model_answers(database), test)
        database.dispose()
    print(f"{args.n} characters, {len(gold) - len(test)} labelled by people, {len(test)} held out;")
    print(f"train + label took {seconds:.1f} s; target accuracy {args.target}")
    print("| field | CV accuracy | coverage | accuracy when answering | majority-class peer |")
    print("|---|---|---|---|---|")
    for name, coverage, accuracy, baseline in rows:
        cv = report.fit_report.get(name, {}).get("cv_accuracy")
        print(f"| {name} | {cv} | {coverage:.2f} | {accuracy:.3f} | {baseline:.3f} |")
    answered = [r for r in rows if r[1] > 0]
    mean_acc = sum(r[2] for r in answered) / len(answered) if answered else float("nan")
    mean_cov = sum(r[1] for r in rows) / len(rows)
    print(
        f"RESULT fields={len(rows)} mean_coverage={mean_cov:.3f} "
        f"mean_accuracy_when_answering={mean_acc:.3f} seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    main()
