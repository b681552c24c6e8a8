"""Draws the RoundTwo app icon (a speech bubble holding 二, "two") as PNG, ICO and ICNS."""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 1024
BACKGROUND = (31, 111, 139, 255)  # the teal of the app's header
FOREGROUND = (255, 255, 255, 255)


def draw(size: int = SIZE) -> Image.Image:
    """The icon at `size` pixels, drawn from shapes (no font needed, so it is reproducible)."""
    s = size / 1024
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    # Speech bubble: rounded body plus a tail at the bottom left.
    d.rounded_rectangle([64 * s, 96 * s, 960 * s, 800 * s], radius=180 * s, fill=BACKGROUND)
    d.polygon([(230 * s, 760 * s), (200 * s, 960 * s), (430 * s, 780 * s)], fill=BACKGROUND)
    # 二: a short upper stroke and a longer lower stroke.
    d.rounded_rectangle([330 * s, 290 * s, 694 * s, 370 * s], radius=36 * s, fill=FOREGROUND)
    d.rounded_rectangle([240 * s, 530 * s, 784 * s, 620 * s], radius=40 * s, fill=FOREGROUND)
    return img


def write(out_dir: Path = HERE / "icons") -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    big = draw(SIZE)
    png = out_dir / "roundtwo.png"
    big.resize((256, 256), Image.Resampling.LANCZOS).save(png, optimize=True)
    ico = out_dir / "roundtwo.ico"
    big.save(ico, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    icns = out_dir / "roundtwo.icns"
    big.save(icns)
    return [png, ico, icns]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE / "icons")
    for p in write(parser.parse_args().out):
        print(f"{p} ({p.stat().st_size} bytes)")  # noqa: T201


if __name__ == "__main__":
    main()
