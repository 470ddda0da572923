"""Render a national table as an image (PNG/JPEG/GIF), like the 图片版 reports' table pictures.

The table is the one :func:`layouts.table_layout` builds (the same cells the HTML, PDF and DOCX
writers print), drawn with PIL in a CJK TrueType font (Debian's fonts-wqy-zenhei by default):
ruled cells with merged spans, labels wrapped inside their cells, values centred.

- ``table_image(key, tables, template, **opts) -> PIL.Image``
- ``table_png(key, tables, template, fmt="PNG", **opts) -> bytes`` (fmt "PNG" | "JPEG" | "GIF")

Options: ``style`` / ``label`` as for the other renderers; ``font_size`` (px, default 18);
``width`` (px of the whole table; default by table); ``ruled`` (default True: cell borders;
False draws the text only, as in a table pasted without its lines); ``line`` (border width px).
"""
from __future__ import annotations

import io
from functools import lru_cache

from gicrawler.replicas.layouts import place, table_layout

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
# Share of the table width each column gets (as the PDF renderer lays them out).
_WIDTHS = {
    "applications": (0.07, 0.11, 0.22) + (0.6 / 7,) * 7,
    "active": (0.34, 0.22, 0.22, 0.22),
    "review_litigation": (1 / 15,) * 15,
}
_DEFAULT_WIDTH = {"applications": 1400, "active": 900, "review_litigation": 1500}


@lru_cache(maxsize=8)
def _font(size: int, path: str):
    from PIL import ImageFont
    return ImageFont.truetype(path, size)


def _wrap(text: str, font, width: float) -> list[str]:
    """Greedy character wrap (CJK text has no spaces to break at)."""
    lines, line = [], ""
    for ch in text:
        if line and font.getlength(line + ch) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines or [""]


def table_image(key: str, tables: dict, template: str | None, *, style: dict | None = None, label=None,
                font_size: int = 18, width: int | None = None, ruled: bool = True, line: int = 1,
                font_path: str = FONT_PATH, **_ignored):
    from PIL import Image, ImageDraw

    font = _font(font_size, font_path)
    placed, nrows, ncols = place(table_layout(key, tables, template, style, label))
    total = width or _DEFAULT_WIDTH[key]
    shares = _WIDTHS[key] if len(_WIDTHS[key]) == ncols else (1 / ncols,) * ncols
    col_w = [max(int(total * s), font_size * 2) for s in shares]
    xs = [0]
    for w in col_w:
        xs.append(xs[-1] + w)
    pad = max(4, font_size // 3)
    lead = int(font_size * 1.3)
    wrapped = {}
    row_h = [lead + 2 * pad] * nrows
    for r, c, cell in placed:
        inner = xs[c + cell.colspan] - xs[c] - 2 * pad
        wrapped[(r, c)] = _wrap(cell.text, font, inner)
        need = len(wrapped[(r, c)]) * lead + 2 * pad
        have = sum(row_h[r:r + cell.rowspan])
        if need > have:                   # grow the last row the cell covers
            row_h[r + cell.rowspan - 1] += need - have
    ys = [0]
    for h in row_h:
        ys.append(ys[-1] + h)
    margin = font_size
    img = Image.new("RGB", (xs[-1] + 2 * margin + line, ys[-1] + 2 * margin + line), "white")
    draw = ImageDraw.Draw(img)
    for r, c, cell in placed:
        x0, y0 = xs[c] + margin, ys[r] + margin
        x1, y1 = xs[c + cell.colspan] + margin, ys[r + cell.rowspan] + margin
        if ruled:
            draw.rectangle((x0, y0, x1, y1), outline="black", width=line)
        lines = wrapped[(r, c)]
        top = (y0 + y1) / 2 - len(lines) * lead / 2
        for i, text in enumerate(lines):
            w = font.getlength(text)
            draw.text(((x0 + x1) / 2 - w / 2, top + i * lead + (lead - font_size) / 2), text,
                      font=font, fill="black")
    return img


def table_png(key: str, tables: dict, template: str | None, *, fmt: str = "PNG", **opts) -> bytes:
    img = table_image(key, tables, template, **opts)
    buf = io.BytesIO()
    if fmt.upper() == "JPEG":
        img.save(buf, "JPEG", quality=85)
    elif fmt.upper() == "GIF":
        img.convert("P", palette=1).save(buf, "GIF")   # (Image.Palette.ADAPTIVE)
    else:
        img.save(buf, "PNG")
    return buf.getvalue()
