"""QR code images of a survey URL with the URL printed under the code (pure helpers)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno

BORDER = 4  # quiet zone in modules, as the QR standard asks
TEXT_ROWS = 6  # modules of space under the code for the printed URL
PNG_SCALE = 10


def make_qr(url: str) -> segno.QRCode:
    """Error correction level M: survives a crease or a smudge on a printed poster."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, *, caption: bool = True) -> bytes:
    """An SVG of the code (one path, run-length encoded rows) with the URL under it (unless
    ``caption`` is False, for a page that prints the URL once as text)."""
    qr = make_qr(url)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=BORDER)]
    width = len(rows[0])
    parts = []
    for y, row in enumerate(rows):
        x = 0
        while x < width:
            if row[x]:
                start = x
                while x < width and row[x]:
                    x += 1
                parts.append(f"M{start},{y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    height = len(rows) + (TEXT_ROWS if caption else 0)
    # Monospace glyphs are about 0.6 em wide: fit the URL into the code's width.
    font_size = min(3.0, (width - 2) / (0.6 * max(len(url), 1)))
    text = escape(url)
    label = (
        f'<text x="{width / 2:g}" y="{len(rows) + TEXT_ROWS / 2:g}" font-family="monospace" '
        f'font-size="{font_size:.2f}" text-anchor="middle" dominant-baseline="middle" '
        f'fill="#000">{text}</text>'
    ) if caption else ""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width * 8}" height="{height * 8}" role="img" aria-label="{escape(url, {chr(34): "&quot;"})}">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/>{label}</svg>'
    )
    return svg.encode("utf-8")


def qr_png(url: str, scale: int = PNG_SCALE) -> bytes:
    """A PNG of the code with the URL printed under it."""
    from PIL import Image, ImageDraw, ImageFont  # slow to import: only for a PNG

    qr = make_qr(url)
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=scale, border=BORDER)
    buffer.seek(0)
    code = Image.open(buffer).convert("L")
    canvas = Image.new("L", (code.width, code.height + TEXT_ROWS * scale), 255)
    canvas.paste(code, (0, 0))
    draw = ImageDraw.Draw(canvas)
    size = 3 * scale
    font = ImageFont.load_default(size=size)
    while size > 8 and draw.textlength(url, font=font) > code.width - 2 * scale:
        size -= 1
        font = ImageFont.load_default(size=size)
    y = code.height + (TEXT_ROWS * scale) // 2
    draw.text((code.width // 2, y), url, fill=0, font=font, anchor="mm")
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()
