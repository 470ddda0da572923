"""Tables printed as images (gicrawler/parsing/ocr.py, image_tables.py).

The images are the repo's own renderings of the seed reports' tables (replicas/render_image.py,
PIL with Debian's fonts-wqy-zenhei, and one Chromium screenshot of replicas/writers.py's HTML);
reading them back must give the samples' hand-read values (gicrawler/replicas/data/samples/expected.json)."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gicrawler.parsing import ocr
from gicrawler.parsing.image_tables import tables_from_grids
from gicrawler.parsing.normalize import normalize_text
from gicrawler.replicas.samples import load_sample
from gicrawler.replicas.writers import table_html
from gicrawler.replicas.render_image import FONT_PATH, table_image, table_png

pytestmark = pytest.mark.skipif(not Path(FONT_PATH).exists(), reason="fonts-wqy-zenhei not installed (.ci/setup)")
ROOT = Path(__file__).resolve().parents[1]


def _render(seed: str, key: str, **opts) -> tuple[bytes, dict]:
    s = load_sample(seed)
    options = {k: v for k, v in s.options.items() if k != "image_sections"}
    return table_png(key, s.record["tables"], s.record["template"], **options, **opts), s.record


def _read(data: bytes) -> dict:
    return tables_from_grids(ocr.read_page(data, want_text=False).tables, normalize_text)


@pytest.mark.parametrize("seed", ["002", "003", "004"])
@pytest.mark.parametrize("key", ["active", "applications", "review_litigation"])
def test_ruled_table_image_reads_back_to_the_seed_values(seed, key):
    data, record = _render(seed, key)
    got = _read(data)
    assert got["tables"][key] == record["tables"][key]
    source = got["tables_source"][key]
    assert source["source"] == "ocr" and source["verified"] is True
    assert 0.5 < source["confidence"] <= 1 and source["min_confidence"] <= source["confidence"]
    assert key not in got["missing_tables"]


def test_grid_has_the_html_grid_shape():
    """Merged cells repeat into the slots they cover, exactly as the HTML readers expand them."""
    from gicrawler.replicas.layouts import expand_layout, table_layout
    data, record = _render("003", "review_litigation")
    grid = ocr.read_table_image(data)
    expected = expand_layout(table_layout("review_litigation", record["tables"], record["template"],
                                          {"fullwidth": False}))
    assert grid.ruled
    assert [[normalize_text(c) for c in row] for row in grid.cells] == expected
    assert len(grid.confidence) == len(grid.cells) and all(
        (c is None) == (t == "") for crow, trow in zip(grid.confidence, grid.cells) for c, t in zip(crow, trow))


@pytest.mark.parametrize("fmt", ["JPEG", "GIF"])
def test_jpeg_and_gif(fmt):
    data, record = _render("003", "applications", fmt=fmt)
    assert data[:3] == (b"\xff\xd8\xff" if fmt == "JPEG" else b"GIF")
    assert _read(data)["tables"]["applications"] == record["tables"]["applications"]


@pytest.mark.parametrize("key", ["applications", "review_litigation"])
def test_table_without_ruling_lines_is_laid_out_by_geometry(key):
    data, record = _render("003", key, ruled=False)
    page = ocr.read_page(data, want_text=False)
    assert [t.ruled for t in page.tables] == [False]
    assert tables_from_grids(page.tables, normalize_text)["tables"][key] == record["tables"][key]


def test_several_tables_in_one_image_and_the_text_around_them():
    """An image-only PDF page or a long screenshot: tables found top to bottom, text outside kept."""
    from PIL import Image, ImageDraw, ImageFont
    s = load_sample("003")
    parts = [table_image(k, s.record["tables"], s.record["template"], style={"fullwidth": False})
             for k in ("applications", "review_litigation")]
    font = ImageFont.truetype(FONT_PATH, 22)
    width = max(p.width for p in parts)
    page = Image.new("RGB", (width, sum(p.height for p in parts) + 200), "white")
    ImageDraw.Draw(page).text((20, 20), "三、收到和处理政府信息公开申请情况", font=font, fill="black")
    y = 80
    for p in parts:
        page.paste(p, (0, y))
        y += p.height + 60
    buf = io.BytesIO()
    page.save(buf, "PNG")
    result = ocr.read_page(buf.getvalue())
    assert len(result.tables) == 2
    assert any("收到和处理政府信息公开申请情况" in line for line in result.lines)
    got = tables_from_grids(result.tables, normalize_text)
    assert got["tables"] == {k: s.record["tables"][k] for k in ("applications", "review_litigation")}


def test_identity_failure_keeps_the_table_out():
    """A table whose OCR'd numbers break an identity is flagged and its values are not trusted."""
    s = load_sample("003")
    tables = {"applications": {**s.record["tables"]["applications"]}}
    tables["applications"]["received"] = {**tables["applications"]["received"], "natural_person": 1331}
    data = table_png("applications", tables, s.record["template"], style={"fullwidth": False})
    got = _read(data)
    assert "applications" not in got["tables"]
    assert got["missing_tables"]["applications"].startswith("ocr unverified: applications.balance")
    source = got["tables_source"]["applications"]
    assert source["verified"] is False and "natural_person" in source["failed"][0]


def test_table_a_numbers_are_read_twice_and_a_disagreement_is_left_out(monkeypatch):
    """Table A has no identity: a number whose second reading differs becomes null (missing),
    never a guess; the other numbers stay."""
    data, record = _render("003", "active")
    page = ocr.read_page(data, want_text=False)
    real = ocr.recognize
    calls = []

    def second_reading(crops):
        calls.append(len(crops))
        out = real(crops)
        # the second reading of the first number that reads "1443" (规范性文件 public_total) differs
        return [("1448", s) if t == "1443" else (t, s) for t, s in out]

    monkeypatch.setattr(ocr, "recognize", second_reading)
    got = tables_from_grids(page.tables, normalize_text)
    assert calls                                   # the second reading ran
    active = got["tables"]["active"]
    assert active["normative_documents"]["public_total"] is None
    want = {k: dict(v) for k, v in record["tables"]["active"].items()}
    want["normative_documents"]["public_total"] = None
    assert active == want
    assert got["tables_source"]["active"]["unconfirmed_cells"] == 1
    assert got["tables_source"]["active"]["verified_by"] == "second reading"


@pytest.mark.parametrize("data, message", [
    (b"", "not a readable picture"),
    (b"%PDF-1.4 not an image", "not a readable picture"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a readable picture"),
])
def test_bad_input_is_a_one_line_error(data, message):
    with pytest.raises(ocr.OcrError, match=message):
        ocr.read_page(data)


def test_caps_and_formats(monkeypatch):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buf, "BMP")
    with pytest.raises(ocr.OcrError, match="format BMP not read"):
        ocr.load_image(buf.getvalue())
    data, _ = _render("004", "review_litigation")
    monkeypatch.setattr(ocr, "MAX_BYTES", len(data) - 1)
    with pytest.raises(ocr.OcrError, match="byte limit"):
        ocr.load_image(data)
    monkeypatch.setattr(ocr, "MAX_BYTES", 10 ** 9)
    monkeypatch.setattr(ocr, "MAX_PIXELS", 1000)
    with pytest.raises(ocr.OcrError, match="pixel limit"):
        ocr.load_image(data)
    monkeypatch.setattr(ocr, "MAX_PIXELS", 10 ** 9)
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, "PNG")
    with pytest.raises(ocr.OcrError, match="no text found"):
        ocr.read_page(buf.getvalue())


def test_engine_is_lazy_offline_and_loaded_once(tmp_path):
    """Importing the module loads nothing; the first image loads the models from the wheel with
    every socket refused and an empty home (no cache, no download); the engine is reused."""
    data, _ = _render("004", "review_litigation")
    image = tmp_path / "c.png"
    image.write_bytes(data)
    script = f"""
import socket, sys
def refused(*a, **k):
    raise OSError("network disabled in this test")
socket.socket = refused
socket.create_connection = refused
from gicrawler.parsing import ocr
assert "rapidocr_onnxruntime" not in sys.modules and "onnxruntime" not in sys.modules
grid = ocr.read_table_image(open({str(image)!r}, "rb").read())
first = ocr.engine()
ocr.read_table_image(open({str(image)!r}, "rb").read())
assert ocr.engine() is first
print(grid.cells[-1])
"""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HF_HUB_OFFLINE": "1", "no_proxy": "*"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == str(["0"] * 15)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.onnx"))


def _screenshot(html: str) -> bytes:
    from playwright.sync_api import sync_playwright
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.set_content(html)
            return page.locator("table").screenshot()
        finally:
            browser.close()


@pytest.mark.browser
def test_chromium_screenshot_of_the_html_table():
    s = load_sample("003")
    html = ('<html><head><meta charset="utf-8"><style>body{font-family:"WenQuanYi Zen Hei";font-size:15px}'
            'td{padding:3px}</style></head><body>'
            + table_html("applications", s.record["tables"], s.record["template"], style={"fullwidth": False})
            + "</body></html>")
    with ThreadPoolExecutor(1) as pool:   # the sync API needs a thread without the test's asyncio loop
        png = pool.submit(_screenshot, html).result(timeout=90)
    assert _read(png)["tables"]["applications"] == s.record["tables"]["applications"]
