"""Draw the app's two icons: a ticked box (a QA check) on the accent colour.

    python -m manifest.make_icons     # rewrites manifest/color.png and manifest/outline.png

Teams wants color.png 192x192 in full colour and outline.png 32x32 white on transparent.
Shapes are signed-distance fields, so edges are anti-aliased without any imaging library;
the output is deterministic, so re-running it leaves git clean.
"""
from __future__ import annotations

import math
from pathlib import Path

from manifest.png import encode_png

HERE = Path(__file__).resolve().parent
ACCENT = (0x1F, 0x5C, 0x99)  # the manifest's accentColor
WHITE = (255, 255, 255)

Point = tuple[float, float]


def _rounded_box(p: Point, centre: Point, half: float, radius: float) -> float:
    """Signed distance to a rounded square (negative inside)."""
    qx = abs(p[0] - centre[0]) - (half - radius)
    qy = abs(p[1] - centre[1]) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def _segment(p: Point, a: Point, b: Point) -> float:
    """Distance to the segment a-b."""
    abx, aby = b[0] - a[0], b[1] - a[1]
    t = ((p[0] - a[0]) * abx + (p[1] - a[1]) * aby) / (abx * abx + aby * aby)
    t = min(max(t, 0.0), 1.0)
    return math.hypot(p[0] - (a[0] + t * abx), p[1] - (a[1] + t * aby))


def _coverage(distance: float) -> float:
    # A one-pixel ramp across the edge: cheap, even anti-aliasing.
    return min(max(0.5 - distance, 0.0), 1.0)


def ticked_box_coverage(x: int, y: int, scale: float, origin: float = 0.0) -> float:
    """How much of pixel (x, y) the white mark covers, 0..1.

    The mark is designed on a 32-unit grid; `scale` is pixels per unit and `origin` the pixel
    offset of the grid's top-left corner.
    """
    p = ((x + 0.5 - origin) / scale, (y + 0.5 - origin) / scale)
    ring = abs(_rounded_box(p, (16.0, 16.0), 12.5, 4.0)) - 1.0
    tick_points = ((9.5, 16.5), (14.0, 21.0), (22.5, 11.0))
    tick = min(_segment(p, tick_points[0], tick_points[1]), _segment(p, tick_points[1], tick_points[2])) - 1.3
    return _coverage(min(ring, tick) * scale)


def color_icon(size: int = 192) -> bytes:
    """White ticked box on a full-bleed accent background.

    The mark spans the middle 60% so it sits inside the central area Teams keeps clear of
    its own rounding and cropping.
    """
    scale = size * 0.6 / 32
    origin = size * 0.2
    out = bytearray()
    for y in range(size):
        for x in range(size):
            c = ticked_box_coverage(x, y, scale, origin)
            out += bytes(round(bg + (fg - bg) * c) for bg, fg in zip(ACCENT, WHITE, strict=True)) + b"\xff"
    return encode_png(size, size, bytes(out))


def outline_icon(size: int = 32) -> bytes:
    """The same ticked box in white, its alpha carrying the shape, on transparency."""
    out = bytearray()
    for y in range(size):
        for x in range(size):
            alpha = round(255 * ticked_box_coverage(x, y, size / 32))
            out += bytes((255, 255, 255, alpha)) if alpha else b"\x00\x00\x00\x00"
    return encode_png(size, size, bytes(out))


def main() -> None:
    (HERE / "color.png").write_bytes(color_icon())
    (HERE / "outline.png").write_bytes(outline_icon())
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
