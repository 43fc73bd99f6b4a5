"""Draw the Teams app icons with the standard library only (zlib + struct PNG writer).

- ``color.png``: 192×192, the accent colour with a white calendar page and a tick;
- ``outline.png``: 32×32, transparent with the same shape in white (Teams' requirement).

Run ``python -m teams.make_icons`` to regenerate both next to this file (they are committed).
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACCENT = (0x0F, 0x6C, 0xBD)
WHITE = (255, 255, 255)


def png(width: int, height: int, rgba_rows: list[bytes]) -> bytes:
    """A PNG (8-bit RGBA, no interlace) from rows of ``width*4`` bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rgba_rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _shape(x: float, y: float, stroke: float) -> bool:
    """A calendar page (outlined rectangle with a header bar and two rings) and a tick, in
    unit coordinates 0..1."""
    left, right, top, bottom = 0.18, 0.82, 0.24, 0.84
    inside = left <= x <= right and top <= y <= bottom
    border = inside and (x - left < stroke or right - x < stroke or y - top < stroke or bottom - y < stroke)
    header = inside and y - top < 0.14
    rings = any(abs(x - cx) < stroke / 1.5 and 0.14 <= y <= 0.30 for cx in (0.36, 0.64))
    # tick: two segments (0.34,0.56)-(0.46,0.68) and (0.46,0.68)-(0.68,0.46)
    def near(ax, ay, bx, by):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 < (stroke * 0.9) ** 2
    tick = near(0.34, 0.56, 0.46, 0.68) or near(0.46, 0.68, 0.68, 0.46)
    return border or header or rings or tick


def draw(size: int, background: tuple[int, int, int] | None, stroke: float, samples: int = 4) -> bytes:
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            hits = sum(_shape((px + (i + 0.5) / samples) / size, (py + (j + 0.5) / samples) / size, stroke)
                       for i in range(samples) for j in range(samples))
            cover = hits / (samples * samples)
            if background is None:
                row += bytes((*WHITE, round(255 * cover)))
            else:
                mix = tuple(round(b + (w - b) * cover) for b, w in zip(background, WHITE))
                row += bytes((*mix, 255))
        rows.append(bytes(row))
    return png(size, size, rows)


def main() -> None:
    (HERE / "color.png").write_bytes(draw(192, ACCENT, stroke=0.045))
    (HERE / "outline.png").write_bytes(draw(32, None, stroke=0.07))


if __name__ == "__main__":
    main()
