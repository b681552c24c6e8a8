"""The PDF export reports its steps and, when cancelled, writes no file."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.context import open_context
from app.core.cancel import CancelledError
from app.reports.pdf import PDF_STEPS, gather, write_pdf
from app.samples import load_sample_interview


@pytest.fixture
def data(home: Path):
    ctx = open_context()
    sid = ctx.db.write(load_sample_interview)
    with ctx.db.read() as s:
        d = gather(s, sid)
    yield d
    ctx.close()


def test_progress_counts_every_step(data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    steps: list[tuple[int, int]] = []
    write_pdf(data, tmp_path / "r.pdf", "zh", progress=lambda d, t: steps.append((d, t)))
    assert [d for d, _ in steps] == list(range(1, PDF_STEPS + 1))
    assert {t for _, t in steps} == {PDF_STEPS}
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_cancel_midway_writes_nothing(data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cancel = threading.Event()
    steps: list[int] = []

    def progress(done: int, _total: int) -> None:
        steps.append(done)
        if done == 2:
            cancel.set()

    out = tmp_path / "r.pdf"
    with pytest.raises(CancelledError, match="PDF export"):
        write_pdf(data, out, "en", progress=progress, cancel=cancel)
    assert steps == [1, 2] and not out.exists()
