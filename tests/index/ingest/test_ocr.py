"""Photos and scans are read with Tesseract (Arabic and English), and what is read says so.

The fixtures (tests/fixtures/scans/) are two press releases rendered as a phone photo, a grayscale
image and a PDF scan without a text layer, each beside the text it shows. `.ci/run` installs
Tesseract, so that these tests run there rather than skip.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from index.config import FetchSettings
from index.errors import NoArticleError, NoOcrError, ScanTooLargeError
from index.ingest import ocr_available, prepare_document
from index.ingest.extract import article_from_file
from index.ingest.ocr import image_size

SCANS = Path(__file__).parents[2] / "fixtures" / "scans"
SETTINGS = FetchSettings()

needs_tesseract = pytest.mark.skipif(
    not ocr_available(), reason="Tesseract is not installed: apt install tesseract-ocr tesseract-ocr-ara"
)


def words(text: str) -> list[str]:
    return text.split()


def share_read(expected: str, read: str) -> float:
    """The share of the expected words that OCR read exactly."""
    found = set(words(read))
    return sum(word in found for word in words(expected)) / len(words(expected))


@needs_tesseract
def test_a_photo_of_an_english_page_is_read_into_paragraphs_marked_as_ocr() -> None:
    source = article_from_file("photo.jpg", (SCANS / "water-plan-en.jpg").read_bytes(), SETTINGS)
    expected = (SCANS / "water-plan-en.txt").read_text(encoding="utf-8")
    assert source.read_by == "ocr"
    assert share_read(expected, source.text) >= 0.95
    assert "Al-Nour" in source.text  # the word broken at the line's end is whole again
    document = prepare_document(source)
    assert document.read_by == "ocr" and document.title == "City council approves new water plan"
    assert any(s.text.startswith("The work will cost 42 million dollars") for s in document.sentences)


@needs_tesseract
def test_a_photo_of_an_arabic_page_is_read() -> None:
    source = article_from_file("scan.png", (SCANS / "hospital-ar.png").read_bytes(), SETTINGS)
    expected = (SCANS / "hospital-ar.txt").read_text(encoding="utf-8")
    assert share_read(expected, source.text) >= 0.9
    sentences = prepare_document(source).sentences
    assert any("وبلغت تكلفة المشروع ثلاثين مليون دينار" in s.text for s in sentences)


@needs_tesseract
def test_a_pdf_without_a_text_layer_is_read_as_a_scan() -> None:
    source = article_from_file("release.pdf", (SCANS / "hospital-ar-scan.pdf").read_bytes(), SETTINGS)
    expected = (SCANS / "hospital-ar.txt").read_text(encoding="utf-8")
    assert source.read_by == "ocr" and source.source == "release.pdf"
    assert share_read(expected, source.text) >= 0.9
    assert "\u200e" not in source.text and "\u200f" not in source.text  # Tesseract's direction marks


@needs_tesseract
def test_a_photo_with_no_text_says_so() -> None:
    blank = _png(64, 64)
    with pytest.raises(NoArticleError, match="sharper photo"):
        article_from_file("blank.png", blank, SETTINGS)


def test_without_tesseract_a_photo_gets_the_command_that_installs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract, no pdftoppm on this PATH
    with pytest.raises(NoOcrError, match="apt install tesseract-ocr tesseract-ocr-ara"):
        article_from_file("photo.jpg", (SCANS / "water-plan-en.jpg").read_bytes(), SETTINGS)
    with pytest.raises(NoOcrError, match="OCR is not installed"):
        article_from_file("scan.pdf", (SCANS / "hospital-ar-scan.pdf").read_bytes(), SETTINGS)


def test_an_image_announcing_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(ScanTooLargeError, match="pixels"):
        article_from_file("bomb.png", _png(60_000, 60_000, body=False), SETTINGS)


def test_image_sizes_are_read_from_png_and_jpeg_headers() -> None:
    assert image_size((SCANS / "hospital-ar.png").read_bytes())[0] > 500
    width, height = image_size((SCANS / "water-plan-en.jpg").read_bytes())
    assert width > 500 and height > 100
    assert image_size(b"GIF89a...") == (0, 0)


def _png(width: int, height: int, *, body: bool = True) -> bytes:
    """A white grayscale PNG of that size (`body=False`: the header alone, as a decompression bomb
    starts)."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    rows = b"".join(b"\x00" + b"\xff" * width for _ in range(height)) if body else b""
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
