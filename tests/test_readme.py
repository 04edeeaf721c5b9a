"""The README's example runs as written, in a fresh folder."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_example_runs(tmp_path: Path) -> None:
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert code is not None, "README must hold a python example"
    first = subprocess.run(
        [sys.executable, "-c", code.group(1)], cwd=tmp_path, capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "added 20, already there 0, skipped 0",
        "20 items, 20 with gold",
    ]
    again = subprocess.run(
        [sys.executable, "-c", code.group(1)], cwd=tmp_path, capture_output=True, text=True
    )
    assert again.stdout.splitlines()[0] == "added 0, already there 20, skipped 0"


def test_quick_start_has_exactly_two_commands() -> None:
    quick_start = README.read_text().split("## Quick start")[1].split("##")[0]
    block = re.search(r"```bash\n(.*?)```", quick_start, re.DOTALL)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make demo", "make test"]
