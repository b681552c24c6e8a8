"""Synthetic test media made by the project: a face image turned/rolled in 3D, clips, speech.

The face is `skimage.data.astronaut()` (public domain, ships inside scikit-image). A head turn
is rendered by texture-mapping the frontal image onto the face mesh's own 3D points (depth from
the frontal image's mesh), rotating them about a vertical axis behind the eyes and warping
triangle by triangle. A planar warp is not enough: a flat picture turned 20 degrees keeps the
nose on the face midline, so no landmark model can see a head turn in it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay


def astronaut() -> np.ndarray:
    from skimage import data

    return np.ascontiguousarray(data.astronaut()[:, :, :3])


@dataclass
class FaceModel3D:
    """Frontal image + its mesh (468x3, pixels) used to render turned heads."""

    image: np.ndarray
    mesh: np.ndarray

    def render(self, yaw_deg: float = 0.0, pitch_deg: float = 0.0) -> np.ndarray:
        if abs(yaw_deg) < 1e-6 and abs(pitch_deg) < 1e-6:
            return self.image.copy()
        p = self.mesh.astype(np.float64)
        eye_w = float(np.hypot(*(p[263, :2] - p[33, :2])))
        centre = np.array(
            [p[[33, 263], 0].mean(), p[[33, 263], 1].mean(), p[[33, 263], 2].mean() + 0.9 * eye_w]
        )
        q = p - centre
        a, b = math.radians(yaw_deg), math.radians(pitch_deg)
        # yaw about the vertical axis (nose moves toward +x for yaw > 0), then pitch about x
        # (nose moves up for pitch > 0)
        x = q[:, 0] * math.cos(a) - q[:, 2] * math.sin(a)
        z = q[:, 0] * math.sin(a) + q[:, 2] * math.cos(a)
        y = q[:, 1] * math.cos(b) + z * math.sin(b)
        dst2 = np.stack([x, y], 1) + centre[:2]
        src2 = p[:, :2]
        # Anchor the rest of the picture: a ring of points around the face moves with the
        # head's outline (blended), the image border stays put.
        h, w = self.image.shape[:2]
        ring_src, ring_dst = [], []
        fc = src2.mean(0)
        radius = float(np.max(np.linalg.norm(src2 - fc, axis=1)))
        shift = dst2.mean(0) - fc
        for k in range(24):
            t = 2 * math.pi * k / 24
            for f, wgt in ((1.25, 0.5), (1.8, 0.0)):
                pt = fc + f * radius * np.array([math.cos(t), math.sin(t)])
                ring_src.append(pt)
                ring_dst.append(pt + wgt * shift)
        border = [
            (0, 0),
            (w - 1, 0),
            (0, h - 1),
            (w - 1, h - 1),
            (w / 2, 0),
            (w / 2, h - 1),
            (0, h / 2),
            (w - 1, h / 2),
        ]
        src_all = np.vstack([src2, np.array(ring_src), np.array(border, dtype=np.float64)])
        dst_all = np.vstack([dst2, np.array(ring_dst), np.array(border, dtype=np.float64)])
        tri = Delaunay(dst_all)
        out = self.image.copy()
        # Draw far triangles first so the near side of the face wins where they overlap.
        depth = np.concatenate([z, np.full(len(ring_src) + len(border), 1e9)])
        order = sorted(tri.simplices, key=lambda s: -float(depth[s].mean()))
        for simplex in order:
            d = dst_all[simplex].astype(np.float32)
            s = src_all[simplex].astype(np.float32)
            x0, y0 = np.floor(d.min(0)).astype(int)
            x1, y1 = np.ceil(d.max(0)).astype(int) + 1
            x0, y0 = max(x0, 0), max(y0, 0)
            x1, y1 = min(x1, w), min(y1, h)
            if x1 <= x0 or y1 <= y0:
                continue
            m = cv2.getAffineTransform(s, d - np.array([x0, y0], dtype=np.float32))
            patch = cv2.warpAffine(
                self.image,
                m,
                (x1 - x0, y1 - y0),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REFLECT,
            )
            mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
            cv2.fillConvexPoly(mask, np.round(d - [x0, y0]).astype(np.int32), 1)
            region = out[y0:y1, x0:x1]
            region[mask.astype(bool)] = patch[mask.astype(bool)]
        return out


def rotate(image: np.ndarray, roll_deg: float, centre: tuple[float, float]) -> np.ndarray:
    """Roll: rotate the picture in the image plane (positive = clockwise on screen)."""
    m = cv2.getRotationMatrix2D(centre, -roll_deg, 1.0)
    return cv2.warpAffine(
        image, m, (image.shape[1], image.shape[0]), borderMode=cv2.BORDER_REPLICATE
    )


def place(
    image: np.ndarray, width: int = 640, height: int = 480, dx: int = 0, dy: int = 0
) -> np.ndarray:
    """Put the 512x512 picture on a camera-sized canvas (grey background), shifted by dx, dy."""
    canvas = np.full((height, width, 3), 96, dtype=np.uint8)
    h, w = image.shape[:2]
    x0 = (width - w) // 2 + dx
    y0 = (height - h) // 2 + dy
    sx0, sy0 = max(0, -x0), max(0, -y0)
    dx0, dy0 = max(0, x0), max(0, y0)
    cw, ch = min(w - sx0, width - dx0), min(h - sy0, height - dy0)
    canvas[dy0 : dy0 + ch, dx0 : dx0 + cw] = image[sy0 : sy0 + ch, sx0 : sx0 + cw]
    return canvas


def frontal_mesh(image: np.ndarray) -> np.ndarray:
    """The face mesh of the frontal picture (the depth used to render turns)."""
    from app.models.registry import ModelRegistry
    from app.models.vision import FaceDetector, FaceMesh, roi_from_detection, roi_from_mesh

    reg = ModelRegistry()
    det = FaceDetector(reg.session("face_detect_short")).detect(image)[0]
    mesh = FaceMesh(reg.session("face_mesh"))
    m = mesh.run(image, roi_from_detection(det))
    return mesh.run(image, roi_from_mesh(m.points)).points


def speak_en(text: str, rate: int = 150) -> np.ndarray:
    """English speech from espeak-ng, 16 kHz mono float32."""
    import subprocess

    raw = subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", str(rate), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    return wav_bytes_to_16k(raw)


def wav_bytes_to_16k(raw: bytes) -> np.ndarray:
    import io
    import wave

    from scipy.signal import resample_poly

    with wave.open(io.BytesIO(raw)) as w:
        sr = w.getframerate()
        n = w.getnframes()
        data = w.readframes(n) if n < 2**31 - 1 else w.readframes(10**9)
        ch = w.getnchannels()
    a = np.frombuffer(data, dtype=np.int16).astype(np.float32) / 32768.0
    if ch > 1:
        a = a.reshape(-1, ch).mean(1)
    if sr != 16000:
        g = math.gcd(sr, 16000)
        a = resample_poly(a, 16000 // g, sr // g).astype(np.float32)
    return a


@dataclass
class Shot:
    """Head pose keyframes for a clip: (t, yaw, pitch, roll), linearly interpolated."""

    keys: list[tuple[float, float, float, float]]

    def at(self, t: float) -> tuple[float, float, float]:
        ks = self.keys
        if t <= ks[0][0]:
            return ks[0][1:]
        for a, b in itertools.pairwise(ks):
            if a[0] <= t <= b[0]:
                f = (t - a[0]) / max(b[0] - a[0], 1e-9)
                return (
                    a[1] + f * (b[1] - a[1]),
                    a[2] + f * (b[2] - a[2]),
                    a[3] + f * (b[3] - a[3]),
                )
        return ks[-1][1:]


def write_clip(
    path: str,
    face: FaceModel3D,
    shot: Shot,
    duration: float,
    *,
    fps: int = 15,
    audio: np.ndarray | None = None,
    crf: int = 30,
    size: tuple[int, int] = (640, 480),
) -> None:
    """Encode an H.264 (+ AAC 16 kHz mono) MP4 of the face following `shot`."""
    import av

    cache: dict[tuple[int, int, int], np.ndarray] = {}
    eye_c = face.mesh[[33, 263], :2].mean(0)
    with av.open(path, "w", format="mp4") as out:
        vs = out.add_stream("libx264", rate=fps, options={"crf": str(crf), "preset": "medium"})
        vs.width, vs.height = size
        vs.pix_fmt = "yuv420p"
        aus = None
        if audio is not None:
            aus = out.add_stream("aac", rate=16000, layout="mono")
            aus.bit_rate = 48000
        n = round(duration * fps)
        for i in range(n):
            yaw, pitch, roll = shot.at(i / fps)
            key = (round(yaw), round(pitch), round(roll))
            if key not in cache:
                img = face.render(key[0], key[1])
                if key[2]:
                    img = rotate(img, key[2], (float(eye_c[0]), float(eye_c[1])))
                cache[key] = place(img, *size)
            frame = av.VideoFrame.from_ndarray(cache[key], format="rgb24")
            frame.pts = i
            for pkt in vs.encode(frame):
                out.mux(pkt)
        for pkt in vs.encode():
            out.mux(pkt)
        if aus is not None and audio is not None:
            pcm = np.clip(audio, -1, 1).astype(np.float32)
            step = 1024
            for j in range(0, len(pcm), step):
                chunk = pcm[j : j + step]
                af = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
                af.sample_rate = 16000
                af.pts = j
                for pkt in aus.encode(af):
                    out.mux(pkt)
            for pkt in aus.encode():
                out.mux(pkt)
