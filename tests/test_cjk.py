"""Names and text in Chinese, Japanese and Korean are drawn in the PDF, not as empty boxes.

Read back three ways: every run of CJK text on the page is set in an embedded CJK font (pypdf's
text visitor gives the font of each run), pdftotext gives the words back, and rendered to PNG
each character is a glyph of its own, not the box a missing glyph is drawn as.
"""

from __future__ import annotations

import copy
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from exporters.pdf import PdfExporter, html_to_pdf
from exporters.render import TEMPLATES
from reports.exchange import from_document
from tests.conftest import SAMPLE_DOCUMENT

TITLE = "東京の決済障害 支付中断 결제 장애"
TEXTS = {
    "title": TITLE,
    "audience": "株式会社山田商事",
    "authors": ["王小明", "김민준", "佐藤花子"],
    "apology": "お客様にご迷惑をおかけしました。我们深表歉意。불편을 드려 죄송합니다.",
    "event": "決済ゲートウェイを切り替えた",
    "owner": "支付团队",
}
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def cjk_document() -> dict[str, Any]:
    document = copy.deepcopy(SAMPLE_DOCUMENT)
    document.update(title=TEXTS["title"], audience=TEXTS["audience"],
                    authors=TEXTS["authors"], apology=TEXTS["apology"])
    document["timeline"][0]["description"] = TEXTS["event"]
    document["actions"][0]["owner"] = TEXTS["owner"]
    return document


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cjk") / "cjk.pdf"
    path.write_bytes(PdfExporter().render(from_document(cjk_document())))
    return path


def test_every_cjk_run_is_set_in_an_embedded_cjk_font(pdf_path: Path) -> None:
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    runs: list[tuple[str, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if font is not None and CJK.search(text):
            runs.append((text, str(font.get("/BaseFont", ""))))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert runs, "no CJK text found in the PDF"
    fonts = {font for _, font in runs}
    assert all("CJK" in font for font in fonts), fonts
    # The fonts are in the file (a subset), not just named:
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    embedded.add(str(font["/BaseFont"]))
    assert fonts <= embedded, fonts - embedded


def test_pdftotext_gives_the_cjk_words_back(pdf_path: Path) -> None:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
                          check=True, capture_output=True, text=True, timeout=60).stdout
    flat = re.sub(r"\s+", " ", text)
    for words in (TEXTS["title"], TEXTS["audience"], "王小明, 김민준, 佐藤花子",
                  TEXTS["apology"], TEXTS["event"], TEXTS["owner"]):
        assert words in flat, words
    assert "\ufffd" not in text


def test_each_character_is_drawn_as_its_own_glyph_not_a_box(tmp_path: Path) -> None:
    """Each character alone on a page, in the exports' own fonts, rendered to PNG: a character
    no font has is drawn as the same empty box every time (two of them prove the check can
    tell); Chinese, Japanese and Korean characters must each be drawn differently, and unlike
    that box."""
    characters = ["東", "中", "あ", "カ", "결", "한"]
    boxes = ["\ue000", "\U000f0000"]  # private use: no font draws them
    css = (TEMPLATES / "export.css").read_text()
    pages = "".join(f'<p class="glyph">{c}</p>' for c in characters + boxes)
    html = ("<!doctype html><html lang='en'><head><style>" + css +
            ".glyph { font-size: 60pt; margin: 0; break-after: page; }</style></head>"
            f"<body>{pages}</body></html>")
    pdf = tmp_path / "glyphs.pdf"
    pdf.write_bytes(html_to_pdf(html))
    # Only the top left corner, where the character is (the page number below differs).
    subprocess.run(["pdftoppm", "-png", "-r", "30", "-x", "0", "-y", "0", "-W", "248",
                    "-H", "150", str(pdf), str(tmp_path / "glyph")], check=True, timeout=60)
    images = [path.read_bytes() for path in sorted(tmp_path.glob("glyph-*.png"))]
    assert len(images) == len(characters) + len(boxes)
    drawn, box_images = images[:len(characters)], images[len(characters):]
    assert len(set(box_images)) == 1  # a box is a box
    assert len(set(drawn)) == len(characters)  # every character its own glyph
    assert box_images[0] not in drawn
