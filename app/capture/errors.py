"""Errors of the capture package: each names the camera, microphone or file and the reason."""

from __future__ import annotations

from app.core.errors import ErrorKind, RoundTwoError


class CaptureError(RoundTwoError):
    """A camera or microphone that cannot be opened or stopped delivering."""

    kind = ErrorKind.DEVICE


class RecordingError(RoundTwoError):
    """The recording file could not be written (other than a full disk)."""

    kind = ErrorKind.PERMISSION


class DiskFullError(RecordingError):
    """The disk holding a recording is (almost) full; the file up to that point is kept."""

    kind = ErrorKind.DISK_FULL
