"""Where RoundTwo keeps its data (per-user, overridable) and where its bundled resources are."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.core.errors import DataDirError, ErrorKind

APP_NAME = "RoundTwo"
HOME_ENV = "ROUNDTWO_HOME"
RESOURCES_ENV = "ROUNDTWO_RESOURCES"


@dataclass(frozen=True)
class DataPaths:
    """The layout of one data directory."""

    home: Path

    @property
    def database(self) -> Path:
        return self.home / "roundtwo.db"

    @property
    def settings(self) -> Path:
        return self.home / "settings.json"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "roundtwo.log"

    @property
    def crash_log(self) -> Path:
        return self.logs / "crash.log"

    @property
    def recordings(self) -> Path:
        return self.home / "recordings"

    @property
    def profiles(self) -> Path:
        """User-supplied or hub-delivered job profiles, next to the bundled ones."""
        return self.home / "jobs"


def default_home() -> Path:
    """`ROUNDTWO_HOME` if set, else the platform's per-user data directory."""
    override = os.environ.get(HOME_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def prepare_home(home: Path | None = None) -> DataPaths:
    """Create the data directory tree and prove it is writable, or raise a clear error."""
    paths = DataPaths(home if home is not None else default_home())
    if paths.home.exists() and not paths.home.is_dir():
        raise DataDirError(
            f"The data directory {paths.home} is a file, not a directory.",
            hint=f"Move it aside or set {HOME_ENV} to another directory.",
        )
    try:
        for d in (paths.home, paths.logs, paths.recordings):
            d.mkdir(parents=True, exist_ok=True)
        # os.access() lies for root and on some network file systems: try a real write.
        with tempfile.NamedTemporaryFile(dir=paths.home, prefix=".write-test-"):
            pass
    except PermissionError as exc:
        raise DataDirError(
            f"The data directory {paths.home} is not writable ({exc.strerror}).",
            hint=f"Fix its permissions or set {HOME_ENV} to a writable directory.",
        ) from exc
    except OSError as exc:
        kind = ErrorKind.DISK_FULL if exc.errno == 28 else ErrorKind.PERMISSION
        raise DataDirError(
            f"The data directory {paths.home} cannot be used ({exc.strerror}).",
            kind=kind,
            hint=f"Set {HOME_ENV} to a writable directory with free space.",
        ) from exc
    return paths


def resources_dir() -> Path:
    """Bundled resources: `ROUNDTWO_RESOURCES`, the frozen bundle, or the source tree."""
    override = os.environ.get(RESOURCES_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"
