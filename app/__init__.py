"""RoundTwo (二面): offline-first structured second-round interviews."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("roundtwo")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
