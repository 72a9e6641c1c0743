"""A tiny PNG writer and reader on the standard library (zlib + struct).

The writer emits 8-bit RGBA, non-interlaced, filter 0 on every row, so the committed icons
are byte-for-byte reproducible. The reader accepts what image editors commonly write (8-bit
grey, grey+alpha, RGB, RGBA and palette images, any row filter) because a council may replace
the icons; it always hands back RGBA bytes.
"""
from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Colour type -> samples per pixel (PNG spec, table 11.1), 8-bit depth only.
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class PngError(ValueError):
    """The bytes are not a PNG this reader understands; the message says why."""


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    rgba: bytes  # width * height * 4 bytes, rows top to bottom

    def pixel(self, x: int, y: int) -> tuple[int, int, int, int]:
        i = (y * self.width + x) * 4
        r, g, b, a = self.rgba[i : i + 4]
        return r, g, b, a

    def pixels(self) -> list[tuple[int, int, int, int]]:
        data = self.rgba
        return [(data[i], data[i + 1], data[i + 2], data[i + 3]) for i in range(0, len(data), 4)]


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode_png(width: int, height: int, rgba: bytes) -> bytes:
    if len(rgba) != width * height * 4:
        raise ValueError(f"expected {width * height * 4} RGBA bytes for {width}x{height}, got {len(rgba)}")
    stride = width * 4
    raw = b"".join(b"\x00" + rgba[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw: bytes, height: int, stride: int, bpp: int) -> bytearray:
    out = bytearray(height * stride)
    prev = bytearray(stride)
    pos = 0
    for y in range(height):
        if pos + 1 + stride > len(raw):
            raise PngError("image data is shorter than the header says")
        kind = raw[pos]
        line = bytearray(raw[pos + 1 : pos + 1 + stride])
        pos += 1 + stride
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 0xFF
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                up_left = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + _paeth(left, prev[i], up_left)) & 0xFF
        elif kind != 0:
            raise PngError(f"unknown row filter {kind} on row {y}")
        out[y * stride : (y + 1) * stride] = line
        prev = line
    return out


def decode_png(data: bytes) -> Image:
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG file (bad signature)")
    pos = len(SIGNATURE)
    header: tuple[int, ...] | None = None
    idat: list[bytes] = []
    palette = b""
    transparency = b""
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length] or b"\0\0\0\0")
        if len(body) != length or zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise PngError(f"chunk {kind!r} is truncated or fails its CRC")
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            transparency = body
        elif kind == b"IEND":
            break
    if header is None:
        raise PngError("no IHDR chunk")
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in _CHANNELS:
        raise PngError(f"only 8-bit grey/RGB/palette/RGBA PNGs are supported (depth {depth}, colour type {colour})")
    if interlace:
        raise PngError("interlaced PNGs are not supported; save the icon without interlacing")
    channels = _CHANNELS[colour]
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as exc:
        raise PngError(f"image data does not decompress: {exc}") from None
    samples = _unfilter(raw, height, width * channels, channels)
    return Image(width, height, _to_rgba(samples, colour, palette, transparency))


def _to_rgba(samples: bytearray, colour: int, palette: bytes, transparency: bytes) -> bytes:
    if colour == 6:
        return bytes(samples)
    out = bytearray()
    if colour == 2:
        for i in range(0, len(samples), 3):
            out += samples[i : i + 3] + b"\xff"
    elif colour == 0:
        for v in samples:
            out += bytes((v, v, v, 255))
    elif colour == 4:
        for i in range(0, len(samples), 2):
            v, a = samples[i], samples[i + 1]
            out += bytes((v, v, v, a))
    else:  # palette
        for index in samples:
            if 3 * index + 3 > len(palette):
                raise PngError(f"palette index {index} is outside the palette")
            alpha = transparency[index] if index < len(transparency) else 255
            out += palette[3 * index : 3 * index + 3] + bytes((alpha,))
    return bytes(out)


def read_png(path: str) -> Image:
    with open(path, "rb") as f:
        return decode_png(f.read())
