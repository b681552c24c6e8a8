"""PyInstaller hook: faster-whisper's data files (its Silero VAD asset) and lazy imports."""

from __future__ import annotations

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("faster_whisper")
hiddenimports = ["ctranslate2", "tokenizers", "av"]
