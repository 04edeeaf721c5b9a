"""Import speed: N generated 64×64 PNGs into a fresh project, end to end.

Measures crowdlens's importer (read, sha256, full Pillow decode, content-addressed write, database
rows) side by side with the floor any importer pays on this machine: reading, hashing and
decoding the same files with plain Pillow and nothing else. The ratio says how much of the time
crowdlens adds on top of that floor.

    python benchmarks/import_speed.py [--n 10000] [--database-url URL] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from rich.console import Console
from rich.table import Table

from crowdlens.presets import load_preset
from crowdlens.workspace import open_workspace


def make_pngs(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """``n`` distinct 64×64 noise PNGs (distinct, so none is deduplicated away)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(n):
        pixels = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)
        path = folder / f"img-{index:05d}.png"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths


def pillow_floor(paths: list[Path]) -> float:
    """Seconds to read, hash and fully decode every file with Pillow alone."""
    start = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        with Image.open(path) as image:
            image.load()
    return time.perf_counter() - start


def crowdlens_import(images: Path, home: Path, database_url: str | None) -> tuple[float, int]:
    overrides = {"database_url": database_url} if database_url else {}
    with open_workspace(home, **overrides) as workspace:
        schema = load_preset("coco80-tags").model_copy(update={"name": f"bench-{home.name}"})
        workspace.create_project(schema)
        start = time.perf_counter()
        report = workspace.import_images(schema.name, [images])
        return time.perf_counter() - start, report.added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: SQLite in the workdir")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        root = Path(tmp)
        paths = make_pngs(root / "images", args.n)
        floors = [pillow_floor(paths) for _ in range(args.repeats)]
        runs = [
            crowdlens_import(root / "images", root / f"home{run}", args.database_url)
            for run in range(args.repeats)
        ]
    assert all(added == args.n for _, added in runs), "every image must be imported"
    report(args.n, statistics.median(t for t, _ in runs), statistics.median(floors))


def report(n: int, ours: float, floor: float) -> None:
    table = Table("what", "seconds (median)", "images/s", title=f"Importing {n:,} 64×64 PNGs")
    table.add_row("crowdlens import (hash, decode, store, rows)", f"{ours:.2f}", f"{n / ours:,.0f}")
    table.add_row("Pillow alone (read, hash, decode)", f"{floor:.2f}", f"{n / floor:,.0f}")
    console = Console()
    console.print(table)
    console.print(f"crowdlens takes {ours / floor:.2f}× the time of the Pillow-only floor")
    print(
        f"RESULT images_per_s={n / ours:.1f} pillow_floor_images_per_s={n / floor:.1f} "
        f"ratio_to_floor={ours / floor:.2f}"
    )


if __name__ == "__main__":
    main()
