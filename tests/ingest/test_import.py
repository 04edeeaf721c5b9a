"""Importing images: every kind of bad file is skipped with its reason, nothing is half-imported."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from crowdlens.errors import ConfigError, NotFound
from crowdlens.ingest import ImageLimits, import_images
from crowdlens.ingest import importer as importer_module
from crowdlens.schema import LabelSchema
from crowdlens.store.db import Database
from crowdlens.store.items import list_items
from crowdlens.store.media import MediaStore
from crowdlens.store.projects import create_project

MakePng = Callable[..., Path]


@pytest.fixture
def project(database: Database, small_schema: LabelSchema) -> str:
    with database.session() as session:
        create_project(session, schema=small_schema)
    return small_schema.name


def _media_files(media: MediaStore) -> list[Path]:
    return sorted(p for p in media.root.rglob("*") if p.is_file()) if media.root.exists() else []


def _items(database: Database) -> list[tuple[str, str | None, dict[str, object]]]:
    with database.session() as session:
        return [(i.source_name, i.external_id, i.gold) for i in list_items(session, project_id=1)]


def test_folder_import_is_idempotent(
    database: Database, media: MediaStore, project: str, make_png: MakePng, tmp_path: Path
) -> None:
    for n in range(5):
        make_png(f"imgs/sub/{n}.png", colour=(n * 40, 10, 10))
    first = import_images(database, media, project=project, paths=[tmp_path / "imgs"])
    second = import_images(database, media, project=project, paths=[tmp_path / "imgs"])
    assert (first.added, first.existing, first.skipped) == (5, 0, [])
    assert (second.added, second.existing) == (0, 5)
    assert len(_items(database)) == 5
    assert len(_media_files(media)) == 5


def test_identical_images_are_stored_once(
    database: Database, media: MediaStore, project: str, make_png: MakePng
) -> None:
    paths = [make_png("a.png"), make_png("copy-of-a.png")]
    report = import_images(database, media, project=project, paths=paths)
    assert (report.added, report.duplicates) == (1, 1)


def _corrupt(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)


def _truncated(path: Path) -> None:
    buffer = io.BytesIO()
    Image.effect_noise((64, 64), 50).convert("RGB").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue()[:400])


def _ppm(path: Path) -> None:
    Image.new("RGB", (8, 8)).save(path, format="PPM")


def _bomb(path: Path) -> None:
    Image.new("1", (9000, 9000)).save(path, format="PNG")


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        pytest.param("empty.png", lambda p: p.write_bytes(b""), "empty file", id="zero-byte"),
        pytest.param("notes.txt", lambda p: p.write_text("hello"), "not an image", id="text-file"),
        pytest.param("bad.png", _corrupt, "corrupt or truncated", id="corrupt"),
        pytest.param("cut.jpg", _truncated, "corrupt or truncated", id="truncated"),
        pytest.param("old.ppm", _ppm, "unsupported format PPM", id="unsupported-format"),
        pytest.param("huge.png", _bomb, "image too large", id="enormous-dimensions"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(
    database: Database,
    media: MediaStore,
    project: str,
    make_png: MakePng,
    tmp_path: Path,
    name: str,
    make: Callable[[Path], object],
    reason: str,
) -> None:
    make(tmp_path / name)
    good = make_png("good.png")
    limits = ImageLimits(max_pixels=10_000_000)
    report = import_images(
        database, media, project=project, paths=[tmp_path / name, good], limits=limits
    )
    assert report.added == 1
    assert [s.source for s in report.skipped] == [str(tmp_path / name)]
    assert reason in report.skipped[0].reason
    assert len(_media_files(media)) == 1


def test_file_over_the_size_limit_is_refused_before_reading(
    database: Database, media: MediaStore, project: str, make_png: MakePng
) -> None:
    path = make_png("big.png", size=(300, 300))
    report = import_images(
        database, media, project=project, paths=[path], limits=ImageLimits(max_bytes=100)
    )
    assert report.added == 0
    assert "file too large" in report.skipped[0].reason
    assert "CROWDLENS_MAX_IMAGE_BYTES" in report.skipped[0].reason


def test_missing_path_is_reported(
    database: Database, media: MediaStore, project: str, tmp_path: Path
) -> None:
    report = import_images(database, media, project=project, paths=[tmp_path / "nowhere"])
    assert report.skipped[0].reason.startswith("no such file")


def test_exif_orientation_is_applied(
    database: Database, media: MediaStore, project: str, tmp_path: Path
) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise: stored 40×20, shown 20×40
    Image.new("RGB", (40, 20), (10, 200, 10)).save(tmp_path / "phone.jpg", exif=exif)
    import_images(database, media, project=project, paths=[tmp_path / "phone.jpg"])
    with database.session() as session:
        item = list_items(session, project_id=1)[0]
    assert (item.width, item.height, item.mime_type) == (20, 40, "image/png")
    with Image.open(media.path(item.media_key)) as stored:
        assert stored.size == (20, 40)


def test_csv_manifest_with_gold(
    database: Database, media: MediaStore, project: str, make_png: MakePng, tmp_path: Path
) -> None:
    make_png("imgs/1.png", colour=(1, 2, 3))
    make_png("imgs/2.png", colour=(4, 5, 6))
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,external_id,gold.colour,gold.parts,gold.round,meta.site,camera\n"
        "imgs/1.png,one,red,dot|edge,yes,lab,x100\n"
        "imgs/2.png,two,purple,,no,lab,x100\n"
        "imgs/3.png,three,red,,,lab,\n"
    )
    report = import_images(database, media, project=project, paths=[manifest])
    assert report.added == 1
    reasons = {s.source: s.reason for s in report.skipped}
    assert "one of red, green, blue" in reasons[f"{tmp_path / 'imgs/2.png'} (manifest.csv line 3)"]
    assert "no such file" in reasons[f"{tmp_path / 'imgs/3.png'} (manifest.csv line 4)"]
    with database.session() as session:
        item = list_items(session, project_id=1)[0]
    assert item.external_id == "one"
    assert item.gold == {"colour": "red", "parts": ["edge", "dot"], "round": True}
    assert item.meta == {"site": "lab", "camera": "x100"}


def test_jsonl_manifest_and_gold_added_on_reimport(
    database: Database, media: MediaStore, project: str, make_png: MakePng, tmp_path: Path
) -> None:
    make_png("p.png")
    import_images(database, media, project=project, paths=[tmp_path / "p.png"])
    manifest = tmp_path / "m.jsonl"
    row = {"file": "p.png", "external_id": 7, "gold": {"colour": "blue"}, "meta": {"a": 1}}
    manifest.write_text(json.dumps(row) + "\n")
    report = import_images(database, media, project=project, paths=[manifest])
    assert (report.added, report.existing, report.updated) == (0, 1, 1)
    assert _items(database) == [("p.png", "7", {"colour": "blue"})]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "m.csv", "path,label\nx.png,a\n", "expected a 'file' column", id="csv-no-file"
        ),
        pytest.param("m.jsonl", "{not json}\n", "m.jsonl:1: expected a JSON object", id="bad-json"),
        pytest.param("m.jsonl", '{"x": 1}\n', "with a 'file' key", id="jsonl-no-file"),
    ],
)
def test_malformed_manifest_is_an_error_before_anything_is_imported(
    database: Database,
    media: MediaStore,
    project: str,
    tmp_path: Path,
    name: str,
    content: str,
    message: str,
) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(ConfigError, match=message):
        import_images(database, media, project=project, paths=[tmp_path / name])
    assert _items(database) == []


def test_import_into_missing_project(
    database: Database, media: MediaStore, make_png: MakePng
) -> None:
    with pytest.raises(NotFound, match="project create"):
        import_images(database, media, project="ghost", paths=[make_png("a.png")])


def test_failed_batch_leaves_no_rows_and_no_files(
    database: Database,
    media: MediaStore,
    project: str,
    make_png: MakePng,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for n in range(3):
        make_png(f"crash/{n}.png", colour=(n, n, n))

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer_module, "add_items", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        import_images(database, media, project=project, paths=[tmp_path / "crash"])
    assert _items(database) == []
    assert _media_files(media) == []
    monkeypatch.undo()
    report = import_images(database, media, project=project, paths=[tmp_path / "crash"])
    assert report.added == 3


def test_upright_images_are_stored_byte_for_byte(
    database: Database, media: MediaStore, project: str, make_png: MakePng
) -> None:
    path = make_png("plain.png", size=(30, 20))
    import_images(database, media, project=project, paths=[path])
    with database.session() as session:
        item = list_items(session, project_id=1)[0]
    assert media.read(item.media_key) == path.read_bytes()
    assert item.media_key.endswith(f"{item.sha256}.png")
