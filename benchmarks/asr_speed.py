"""ASR speed and QC speed: Whisper tiny.en real-time factor, and all text checks on one answer.

Transcription is measured two ways on the same espeak-ng recording (about 64 s of speech,
stored as webm/opus like a browser upload): through crowdlens (store_audio, then one
transcribe_pending pass: claim, decode, transcribe, record) and with faster-whisper called
directly on the file, the floor any caller pays. Real-time factor = audio seconds / wall seconds.
Targets (issue 5): ≥ 5× real time on 2 cores; all QC checks on a 150-word answer ≤ 20 ms.

    python benchmarks/asr_speed.py [--repeats 3] [--threads 2] [--qc-runs 300]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "audio"))

from audio_speech import DESCRIPTION, KEYWORDS, encode

from crowdlens.audio import AudioLimits, store_audio, transcribe_pending
from crowdlens.audio.whisper import WhisperTranscriber
from crowdlens.store.db import open_database
from crowdlens.store.media import MediaStore
from crowdlens.textqc import QcContext, TextAnswer, run_checks

ALL_CHECKS = {
    "min_words": 80,
    "min_seconds": 60,
    "keywords": {"required": 2, "of": 10},
    "near_duplicate": {"threshold": 0.6},
    "gibberish": {},
    "paste_heavy": {"max_ratio": 0.5},
    "language": {},
    "gold": {"block_below": 0.6},
}


def crowdlens_seconds(workdir: Path, data: bytes, transcriber: WhisperTranscriber) -> float:
    """Wall time to store one recording and transcribe it through the durable queue."""
    database = open_database(f"sqlite:///{workdir / 'bench.db'}")
    media = MediaStore(workdir / "media")
    start = time.perf_counter()
    with database.session() as session:
        store_audio(session, media=media, data=data, limits=AudioLimits(min_seconds=60))
    report = transcribe_pending(database, media, transcriber)
    elapsed = time.perf_counter() - start
    database.dispose()
    assert len(report.done) == 1, report
    return elapsed


def direct_seconds(path: Path, transcriber: WhisperTranscriber) -> float:
    """Wall time of faster-whisper alone on the same file (same model, same settings)."""
    model = transcriber._load()
    start = time.perf_counter()
    segments, _ = model.transcribe(str(path), language="en", beam_size=1)
    " ".join(s.text for s in segments)
    return time.perf_counter() - start


def qc_ms(runs: int) -> float:
    """Median milliseconds to run every check on a 150-word answer with realistic context."""
    text = " ".join(DESCRIPTION.split()[:150])
    answer = TextAnswer(text=text, seconds=64.0, spoken=True, answers={"dog": True})
    others = [" ".join(DESCRIPTION.split()[i : i + 150]) for i in range(5, 65, 3)]
    context = QcContext(keywords=KEYWORDS, accepted=others[:3], others=others, gold={"dog": True})
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run_checks(ALL_CHECKS, answer, context)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--qc-runs", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wav = folder / "speech.wav"
        subprocess.run(["espeak-ng", "-w", str(wav), "-s", "150", DESCRIPTION], check=True)
        data = encode(wav, "webm")
        webm = folder / "speech.webm"
        webm.write_bytes(data)
        transcriber = WhisperTranscriber(cpu_threads=args.threads)
        seconds = _audio_seconds(data)
        direct_seconds(webm, transcriber)  # warm-up: load the model once
        ours = [
            crowdlens_seconds(folder / f"run{i}", data, transcriber) for i in range(args.repeats)
        ]
        floor = [direct_seconds(webm, transcriber) for _ in range(args.repeats)]
    qc = qc_ms(args.qc_runs)
    _report(seconds, statistics.median(ours), statistics.median(floor), qc, args)


def _audio_seconds(data: bytes) -> float:
    from crowdlens.audio import probe_audio

    return probe_audio(data).duration_s


def _report(seconds: float, ours: float, floor: float, qc: float, args: argparse.Namespace) -> None:
    table = Table(
        title=f"{seconds:.1f} s of speech (webm/opus), tiny.en int8, {args.threads} threads"
    )
    table.add_column("what")
    table.add_column("seconds (median)", justify="right")
    table.add_column("× real time", justify="right")
    table.add_row("crowdlens store + transcribe_pending", f"{ours:.2f}", f"{seconds / ours:.1f}")
    table.add_row("faster-whisper alone", f"{floor:.2f}", f"{seconds / floor:.1f}")
    Console().print(table)
    print(f"all QC checks on a 150-word answer: {qc:.3f} ms (median of {args.qc_runs})")
    print(
        f"RESULT asr_realtime_factor={seconds / ours:.2f} "
        f"direct_realtime_factor={seconds / floor:.2f} qc_ms={qc:.3f}"
    )


if __name__ == "__main__":
    main()
