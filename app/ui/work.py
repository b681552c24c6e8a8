"""Long work off the GUI thread: a worker thread, a progress dialog, a Cancel that the core
checks (a `threading.Event`); the result or the error comes back on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.core.cancel import CancelledError
from app.core.errors import RoundTwoError

# The work: fn(progress(done, total), cancel) -> result. It runs on a worker thread.
Work = Callable[[Callable[[int, int], None], threading.Event], Any]


class _Worker(QObject):
    """The work on a Python thread (joined when done, so nothing outlives the task); its
    signals reach the GUI thread queued."""

    progressed = Signal(int, int)
    finished = Signal()

    def __init__(self, fn: Work, cancel: threading.Event, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn, self.cancel = fn, cancel
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.run, name="long-task", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def isFinished(self) -> bool:  # noqa: N802 (mirrors QThread)
        return self.thread.ident is not None and not self.thread.is_alive()

    def wait(self) -> None:
        self.thread.join()

    def run(self) -> None:
        try:
            self.result = self.fn(lambda d, t: self.progressed.emit(int(d), int(t)), self.cancel)
        except BaseException as exc:  # handed to the GUI thread
            self.error = exc
        finally:
            self.finished.emit()


class LongTask(QObject):
    """One run of `fn` with a modal progress dialog. `run()` blocks in a local event loop
    (the window keeps painting) and returns the result; `cancelled`/`error` say otherwise."""

    started = Signal()

    def __init__(self, parent: QWidget | None, title: str, fn: Work) -> None:
        super().__init__(parent)
        self.cancel = threading.Event()
        self.dialog = QProgressDialog(title, self.tr("Cancel"), 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.request_cancel)
        self.worker = _Worker(fn, self.cancel)
        self.worker.progressed.connect(self._progress)
        self.cancelled = False
        self.error: RoundTwoError | None = None
        self.done_steps = 0

    def request_cancel(self) -> None:
        self.cancel.set()
        self.dialog.setLabelText(self.tr("Stopping after the current step…"))
        self.dialog.setCancelButtonText("")

    def _progress(self, done: int, total: int) -> None:
        self.done_steps = done
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))

    def run(self) -> Any:
        loop = QEventLoop()
        self.worker.finished.connect(loop.quit)
        self.dialog.show()
        self.worker.start()
        self.started.emit()
        if not self.worker.isFinished():
            loop.exec()
        self.worker.wait()
        self.dialog.hide()
        self.dialog.deleteLater()
        err = self.worker.error
        if isinstance(err, CancelledError):
            self.cancelled = True
            return None
        if isinstance(err, RoundTwoError):
            self.error = err
            return None
        if err is not None:
            raise err
        return self.worker.result


def run_long(parent: QWidget | None, title: str, fn: Work) -> LongTask:
    """Run `fn` under a progress dialog; the returned task holds result, cancelled, error."""
    task = LongTask(parent, title, fn)
    task.result = task.run()
    return task
