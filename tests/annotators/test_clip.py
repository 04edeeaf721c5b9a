"""The clip backend's plumbing with a tiny randomly initialised CLIP saved to disk.

The weights are random, so these tests check that images and prompts flow through the real
loading and scoring path (and that a different image changes the answer's probabilities),
not that the answers are right.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import Project
from crowdlens.annotators.run import annotate_project
from crowdlens.errors import ConfigError
from crowdlens.store.tables import Annotation

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

WORDS = ["a", "photo", "of", "without", "red", "green", "blue", "the", "picture", "is", "."]


def save_tiny_clip(folder: Path) -> Path:
    """A 2-layer CLIP with 32-wide embeddings, a word-level tokenizer and an image processor."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    torch.manual_seed(0)
    config = transformers.CLIPConfig(
        text_config={
            "vocab_size": len(WORDS) + 2, "hidden_size": 32, "intermediate_size": 64,
            "num_hidden_layers": 2, "num_attention_heads": 2, "max_position_embeddings": 32,
            "bos_token_id": None, "eos_token_id": WORDS.index(".") + 2, "pad_token_id": 0,
        },
        vision_config={
            "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
            "num_attention_heads": 2, "image_size": 32, "patch_size": 8,
        },
        projection_dim=16,
    )  # fmt: skip
    transformers.CLIPModel(config).save_pretrained(folder)
    vocab = {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, w in enumerate(WORDS)}}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=core, unk_token="[UNK]", pad_token="[PAD]"
    )
    tokenizer.save_pretrained(folder)
    processor = transformers.CLIPImageProcessor(
        size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}
    )
    processor.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_clip(tmp_path_factory.mktemp("tiny-clip"))


def annotations(project: Project) -> list[Annotation]:
    with project.database.session() as session:
        return list(session.scalars(select(Annotation).order_by(Annotation.item_id)))


def test_zero_shot_answers_with_probabilities_as_confidence(
    colour_project: Project, checkpoint: Path
) -> None:
    config = {"backend": "clip", "checkpoint": str(checkpoint), "batch_size": 3}
    report = annotate_project(
        colour_project.database, colour_project.media, project="colours",
        annotator_config=config, fields=["colour", "is_red", "tones"],
    )  # fmt: skip
    assert report.progress.done == 4
    stored = annotations(colour_project)
    for annotation in stored:
        assert annotation.answers["colour"] in ("red", "green", "blue")
        assert isinstance(annotation.answers["is_red"], bool)
        assert set(annotation.answers["tones"]) <= {"red", "green", "blue"}
        assert 1 / 3 <= annotation.confidence["colour"] <= 1
        assert 0.5 <= annotation.confidence["is_red"] <= 1
    by_colour = {colour_project.colours[a.item_id]: a.confidence["colour"] for a in stored}
    assert len(set(by_colour.values())) == 3, "different images must score differently"


def test_same_checkpoint_same_answers(colour_project: Project, checkpoint: Path) -> None:
    from crowdlens.annotators.clip_backend import ClipAnnotator, ClipConfig

    def scores() -> list[dict[str, float]]:
        annotate_project(
            colour_project.database, colour_project.media, project="colours",
            annotator_config=ClipAnnotator(ClipConfig(checkpoint=checkpoint)), fields=["colour"],
        )  # fmt: skip
        return [a.confidence for a in annotations(colour_project)]

    first = scores()
    with colour_project.database.session() as session:
        for annotation in session.scalars(select(Annotation)):
            session.delete(annotation)
    assert scores() == first


def test_text_fields_are_refused_before_loading(colour_project: Project, tmp_path: Path) -> None:
    config = {"backend": "clip", "checkpoint": str(tmp_path / "absent")}
    with pytest.raises(ConfigError, match="got kind text"):
        annotate_project(
            colour_project.database, colour_project.media, project="colours",
            annotator_config=config, fields=["describe"],
        )  # fmt: skip


def test_a_missing_checkpoint_is_explained(colour_project: Project, tmp_path: Path) -> None:
    config = {"backend": "clip", "checkpoint": str(tmp_path / "absent")}
    with pytest.raises(ConfigError, match="expected a Hugging Face model folder"):
        annotate_project(
            colour_project.database, colour_project.media, project="colours",
            annotator_config=config, fields=["colour"],
        )  # fmt: skip


def test_learned_backend_can_learn_on_clip_embeddings(
    colour_project: Project, checkpoint: Path
) -> None:
    from crowdlens.store.annotations import add_annotation
    from crowdlens.store.annotators import get_or_create_human
    from crowdlens.store.projects import get_project

    with colour_project.database.session() as session:
        project = get_project(session, name="colours")
        person = get_or_create_human(session, platform="test", worker_id="w1")
        for item_id, colour in colour_project.colours.items():
            add_annotation(
                session, project=project, item_id=item_id, annotator_id=person.id,
                answers={"colour": colour}, partial=True, status="accepted",
            )  # fmt: skip
    config = {"backend": "learned", "clip_checkpoint": str(checkpoint), "min_examples": 4}
    report = annotate_project(
        colour_project.database, colour_project.media, project="colours",
        annotator_config=config, fields=["colour"],
    )  # fmt: skip
    assert report.fit_report["colour"]["examples"] == 4
    assert report.annotator_key.startswith("model:learned:clip-embeddings-")
