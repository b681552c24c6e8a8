"""The import review queue in the desktop app: uncertain pairs side by side, merge or keep
apart, offscreen against a real store and the bundled legacy sample."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlmodel import func, select

from app.core.paths import resources_dir
from app.migrate.importer import import_file
from app.migrate.review import pending
from app.storage.tables import AuditLog, Candidate

SAMPLE = resources_dir() / "samples/legacy-candidates.csv"


def _candidates(ctx) -> int:  # type: ignore[no-untyped-def]
    with ctx.db.read() as s:
        return int(s.exec(select(func.count()).select_from(Candidate)).one())


def test_pairs_side_by_side_then_merge_and_keep_apart(window, ctx) -> None:  # type: ignore[no-untyped-def]
    win, tr = window
    page = win.duplicates
    win.show_page("duplicates")
    assert page.pairs.rowCount() == 0
    assert page.merge_button.isEnabled() is False

    # The home screen's import says how many pairs wait, and the page lists them.
    win.show_page("home")
    report = import_file(ctx.db, SAMPLE, "candidates")
    assert report.counts["review"] == 2
    before = _candidates(ctx)
    win.show_page("duplicates")
    assert page.pairs.rowCount() == 2
    assert "2" in page.count.text()
    first = page.current()
    assert first is not None
    # Field rows: label, record A, record B; differing values are highlighted.
    labels = [page.fields.item(r, 0).text() for r in range(page.fields.rowCount())]
    assert labels[0] == "Name" and labels[-1] == "Source rows"
    phone_row = labels.index("Phone")
    left, right = page.fields.item(phone_row, 1), page.fields.item(phone_row, 2)
    assert left.text() != right.text()
    assert left.background().color().name() == "#fff1c2"
    city_row = labels.index("City")  # both pairs live in the same city
    assert page.fields.item(city_row, 1).text() == page.fields.item(city_row, 2).text()
    assert page.fields.item(city_row, 1).background().style() == Qt.BrushStyle.NoBrush
    # Where each record came from: sheet (the file's name for a CSV) and row number.
    assert re.fullmatch(
        r"legacy-candidates!\d+(, legacy-candidates!\d+)*",
        page.fields.item(len(labels) - 1, 1).text(),
    )

    page.decide(page_decision("merge"))
    assert page.pairs.rowCount() == 1
    assert _candidates(ctx) == before - 1
    assert "Merged" in page.message.text()
    second = page.current()
    assert second is not None and second.id != first.id
    page.decide(page_decision("apart"))
    assert page.pairs.rowCount() == 0
    assert _candidates(ctx) == before - 1
    assert pending(ctx.db) == []
    assert page.merge_button.isEnabled() is False
    with ctx.db.read() as s:
        query = select(AuditLog.action).where(AuditLog.action.like("migrate.review.%"))
        actions = s.exec(query).all()
    assert sorted(actions) == ["migrate.review.kept_apart", "migrate.review.merged"]

    # Chinese labels after switching the language.
    tr.apply("zh_CN")
    QApplication.processEvents()  # Qt delivers LanguageChange through the event loop
    assert page.merge_button.text() == "合并到 A"
    assert win.nav.item(win.PAGES.index("duplicates")).text() == "重复记录"
    tr.apply("en")


def page_decision(which: str):  # type: ignore[no-untyped-def]
    from app.migrate.review import Decision

    return Decision.MERGE if which == "merge" else Decision.KEEP_APART
