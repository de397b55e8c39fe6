"""Photos and scans -> text, with Tesseract OCR (Arabic and English by default).

This is the only module that runs Tesseract (and poppler's pdftoppm, which turns a scanned PDF's pages
into images for it). Both are programs of the system, not Python packages: Debian's `tesseract-ocr`,
`tesseract-ocr-ara` and `poppler-utils`. Without them a photo gets a clear "OCR is not installed"
(`NoOcrError`), never a crash.

OCR'd text may hold misreadings, so the articles read from it are marked (`read_by="ocr"`, by
index/ingest/extract.py) and quotes from them say so. Tesseract runs one page at a time,
single-threaded, under a time limit; an image is refused before decoding when its header announces
more pixels than a page scanned at 600 dpi has.
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from index.errors import BrokenFileError, NoOcrError, ScanTooLargeError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp")
OCR_LANGUAGES = "ara+eng"  # Tesseract's language packs, best first; SANAD_OCR_LANGUAGES overrides
OCR_TIMEOUT = 60.0  # seconds per page
SCAN_DPI = 300  # a scanned PDF's pages are rendered at this resolution for OCR
MAX_PAGES = 30  # pages of a scanned PDF read; a longer scan is refused
MAX_PIXELS = 5100 * 6600  # an A4 page at 600 dpi: more is no photo of a page (or a decompression bomb)
# Tesseract's page segmentation: one block of text. Its automatic layout analysis (3) dropped the short
# headline of a one-column press release in a test; photos of one page of text are what is sent.
PAGE_SEGMENTATION = "6"
INSTALL = "apt install tesseract-ocr tesseract-ocr-ara poppler-utils"


def ocr_available() -> bool:
    """Whether this machine can read photos: the `tesseract` command is on the PATH."""
    return shutil.which("tesseract") is not None


def languages() -> str:
    return os.environ.get("SANAD_OCR_LANGUAGES", "").strip() or OCR_LANGUAGES


def read_photo(name: str, data: bytes) -> str:
    """The text of a photo of a printed page, a press release or a screenshot."""
    width, height = image_size(data)
    if width * height > MAX_PIXELS:
        raise ScanTooLargeError(
            f"{name} is {width} x {height} pixels; photos of a page up to {MAX_PIXELS:,} pixels are read."
        )
    return read_image(name, data)


def read_scan(name: str, data: bytes) -> list[str]:
    """The text of each page of a PDF without a text layer (a scan), rendered and read."""
    if shutil.which("pdftoppm") is None:
        raise _no_ocr(name)
    with tempfile.TemporaryDirectory(prefix="sanad-scan-") as folder:
        pdf = Path(folder) / "scan.pdf"
        pdf.write_bytes(data)
        last = str(MAX_PAGES + 1)  # one page more than is read, to tell a scan that is too long
        output = str(Path(folder) / "page")
        render = ["pdftoppm", "-r", str(SCAN_DPI), "-gray", "-png", "-l", last, str(pdf), output]
        _run(render, name, timeout=OCR_TIMEOUT)
        pages = sorted(Path(folder).glob("page-*.png"))
        if len(pages) > MAX_PAGES:
            raise ScanTooLargeError(f"{name} is a scan of over {MAX_PAGES} pages; send at most {MAX_PAGES}.")
        return [
            read_image(f"{name} page {number}", page.read_bytes()) for number, page in enumerate(pages, 1)
        ]


def read_image(name: str, data: bytes) -> str:
    """What Tesseract reads in one image, as plain text (its lines and blank lines kept)."""
    if not ocr_available():
        raise _no_ocr(name)
    result = _run(
        ["tesseract", "stdin", "stdout", "-l", languages(), "--psm", PAGE_SEGMENTATION],
        name,
        timeout=OCR_TIMEOUT,
        data=data,
    )
    return result.decode("utf-8", errors="replace")


def image_size(data: bytes) -> tuple[int, int]:
    """An image's width and height from its header (PNG, JPEG; others are left to Tesseract, which
    reads them within its time limit): (0, 0) when the header does not say."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        position = 2
        while position + 9 < len(data):
            if data[position] != 0xFF:
                break
            marker = data[position + 1]
            length = int.from_bytes(data[position + 2 : position + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # a start-of-frame
                height, width = struct.unpack(">HH", data[position + 5 : position + 9])
                return int(width), int(height)
            position += 2 + length
    return 0, 0


def _run(command: list[str], name: str, *, timeout: float, data: bytes | None = None) -> bytes:
    """Run an OCR program; its failures become Sanad's own errors."""
    try:
        result = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one core per page: the bot serves others
            check=False,
        )
    except FileNotFoundError as exc:
        raise _no_ocr(name) from exc
    except subprocess.TimeoutExpired as exc:
        raise ScanTooLargeError(f"Reading {name} took over {timeout:.0f} s. Send a smaller image.") from exc
    if result.returncode != 0:
        detail = " ".join(result.stderr.decode(errors="replace").split())[-300:]
        log.info("%s: %s failed: %s", name, command[0], detail)
        if "Failed loading language" in detail or "Error opening data file" in detail:
            raise NoOcrError(f"OCR cannot read {languages()} here: its language data is missing ({INSTALL}).")
        raise BrokenFileError(f"{name} could not be read as an image. Check that it opens.")
    return result.stdout


def _no_ocr(name: str) -> NoOcrError:
    return NoOcrError(f"{name} needs OCR to be read, and OCR is not installed on this server ({INSTALL}).")
