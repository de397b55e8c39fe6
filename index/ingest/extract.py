"""Pages and files -> article text with its title, date and author, ready for `prepare_document`.

This is the only module that imports trafilatura, pypdf and python-docx. It finds the article in what
was fetched or uploaded; the furniture filter and the sentence cutting that follow are the same for
every source (index.text).

    web page (.html)  trafilatura: the main text, title, date, author
    .pdf              pypdf: the text layer, lines re-flowed into paragraphs; encrypted files refused
    .docx             python-docx: paragraphs and the document properties
    photos, scans     Tesseract OCR (index/ingest/ocr.py): images, and PDFs without a text layer
    .txt, .md         UTF-8 (or UTF-16 with a byte-order mark); a few broken bytes are dropped
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import io
import logging
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

from index.config import FetchSettings
from index.errors import (
    BrokenFileError,
    EncryptedFileError,
    NoArticleError,
    TooLargeError,
    UnsupportedTypeError,
)
from index.ingest.ocr import IMAGE_SUFFIXES, read_photo, read_scan
from index.records import SourceText
from index.text import clean_article, without_invisible

if TYPE_CHECKING:
    from index.ingest.fetch import Page

log = logging.getLogger(__name__)

FILE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", *IMAGE_SUFFIXES)
# At most this share of a text file's characters may be broken bytes (dropped); more is another encoding.
MAX_BROKEN_SHARE = 0.001
# A .docx is a zip: what it unpacks to may be this many times the size limit, no more (zip bombs).
UNPACK_FACTOR = 20
# A line of at least this many words is prose; headlines and menu items are shorter.
PROSE_LINE_WORDS = 10
NO_PHOTO_TEXT = "No article text could be read in {name}. Send a sharper photo of the page, or its text."
NO_SCAN_TEXT = (
    "{name} has no text layer, and OCR found no article in it. Send a PDF with selectable text, or paste"
    " the text."
)
_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " » ")
_SENTENCE_END = re.compile(r"[.!?؟…:;؛\"'”»)\]]\s*$")
_MARKDOWN_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)


def article_from_page(page: Page) -> SourceText:
    """The article in a fetched page (HTML or plain text)."""
    if page.media_type == "text/plain":
        return SourceText(text=decode_text(page.content, page.url, charset=page.charset), source=page.url)
    content: str | bytes = page.content
    if page.charset:
        with contextlib.suppress(LookupError):  # an unknown name: the HTML's own declaration decides
            content = page.content.decode(page.charset, errors="replace")
    return article_from_html(content, source=page.url)


def article_from_html(html: str | bytes, *, source: str) -> SourceText:
    """The main text of an HTML page, with its title, date and author when the page gives them."""
    import trafilatura

    found = trafilatura.bare_extraction(
        html,
        url=source if source.startswith(("http://", "https://")) else None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,  # not deduplicate: its memory spans calls, so a second chat's add would fail
        # Dates from the page's metadata only: a guess from "© 2024" in a footer would mislead.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = (found.text or "").strip() if found is not None else ""
    if not is_prose(body):
        raise NoArticleError(
            f"No article text was found in {source}. Send the link of the article page itself, or paste its"
            " text."
        )
    title = _without_site_name(found.title, found.sitename)
    return SourceText(
        text=_with_headline(title, body),
        title=title,
        source=source,
        published=found.date or None,
        author=found.author or None,
    )


def is_prose(text: str) -> bool:
    """Whether text reads as an article rather than a list of links and headlines: some lines of it
    are sentence-length."""
    long_lines = [line for line in text.splitlines() if len(line.split()) >= PROSE_LINE_WORDS]
    return len(long_lines) >= 2 or sum(len(line.split()) for line in long_lines) >= 2 * PROSE_LINE_WORDS


def article_from_file(name: str, data: bytes, settings: FetchSettings) -> SourceText:
    """The article in an uploaded or local file, chosen by the file's suffix."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in FILE_SUFFIXES:
        what = f"{suffix} files" if suffix else UnsupportedTypeError.UNKNOWN_KIND
        raise UnsupportedTypeError(
            f"{name}: {what} cannot be read. Send a .txt, .md, .html, .pdf or .docx file, or a photo.",
            kind=suffix,  # none: the bot's reply names it in the reader's language
        )
    if len(data) > settings.max_bytes:
        raise TooLargeError(
            f"{name} is {len(data):,} bytes; the limit is {settings.max_bytes:,}. Send the article alone.",
            limit=settings.max_bytes,
        )
    if not data.strip():
        raise BrokenFileError(f"{name} is empty. Send the file that holds the article.")
    if suffix in (".html", ".htm"):
        return article_from_html(data, source=name)
    if suffix == ".pdf":
        return _pdf(name, data)
    if suffix in IMAGE_SUFFIXES:
        return _read_by_ocr(name, [read_photo(name, data)], NO_PHOTO_TEXT)
    if suffix == ".docx":
        _check_unpacked_size(name, data, UNPACK_FACTOR * settings.max_bytes)
        return _docx(name, data)
    text = decode_text(data, name)
    if suffix == ".md":
        text = _MARKDOWN_HEADING.sub("", text)
    return SourceText(text=text, source=name)


# Code pages tried for text that is not UTF-8, with the letters a real text in each is mostly made of.
LEGACY_CODE_PAGES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("cp1256", lambda char: "\u0600" <= char <= "\u06ff"),
    ("cp1252", lambda char: char.isascii() or "\u00c0" <= char <= "\u024f"),
)
_TYPOGRAPHY = frozenset("‘’‚“”„–—…«»‹›€£°·•×¡¿،؛؟")  # besides letters, what legacy texts hold
# Authors that are the software that made a document, not a person.
GENERATOR_AUTHORS = frozenset({"python-docx", "docx4j", "apache poi", "openpyxl", "phpword", "unknown"})
LEGACY_MIN_LETTERS = 3  # letters beyond ASCII a legacy text must have (fewer: stray bytes)
LEGACY_FIT = 0.8  # share of letters that must fit the code page, and of other characters that are letters


def decode_text(data: bytes, name: str, *, charset: str | None = None) -> str:
    """Text from bytes: UTF-8 (or a declared charset, or UTF-16 with a BOM); a few bad bytes dropped.
    Text that is not UTF-8 is read in the legacy code page it fits (Arabic Windows-1256, or Western
    Windows-1252), as newsroom files saved by older editors are."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts = ["utf-16"]
    else:
        attempts = [charset, "utf-8-sig"] if charset else ["utf-8-sig"]
    for codec in attempts:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    # Too broken for UTF-8, and no valid UTF-8 beyond ASCII at all: a legacy code page, perhaps.
    utf8 = any(ord(char) > 127 and char != "\ufffd" for char in text) or _cut_short(data)
    too_broken = broken > MAX_BROKEN_SHARE * len(text)
    if too_broken and not utf8 and "\x00" not in text and (legacy := _legacy(data)):
        codec, decoded = legacy
        log.info("%s: not UTF-8, read as %s", name, codec)
        return decoded
    if broken > MAX_BROKEN_SHARE * len(text) or "\x00" in text:
        try:
            data.decode("utf-8")
            where = ""
        except UnicodeDecodeError as exc:
            where = f" (byte {exc.start})"
        raise BrokenFileError(f"{name} is not UTF-8 text{where}. Save it as UTF-8 and send it again.")
    log.info("%s: dropped %d broken UTF-8 sequences", name, broken)
    return text.replace("\ufffd", "")


def _cut_short(data: bytes) -> bool:
    """Whether `data` is UTF-8 but for its last character, cut short (a file truncated mid-character)."""
    for cut in (1, 2, 3):
        try:
            data[:-cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def _legacy(data: bytes) -> tuple[str, str] | None:
    """The legacy code page `data` reads as plausible text in: mostly Arabic letters for Windows-1256,
    Latin ones for Windows-1252; None when neither fits (a binary file)."""
    for codec, fits in LEGACY_CODE_PAGES:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        letters = [char for char in text if char.isalpha()]
        beyond_ascii = [
            char for char in text if ord(char) > 127 and not char.isspace() and char not in _TYPOGRAPHY
        ]
        controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and char not in "\n\r\t")
        if (
            sum(char.isalpha() for char in beyond_ascii) >= LEGACY_MIN_LETTERS
            and not controls
            and sum(map(fits, letters)) >= LEGACY_FIT * len(letters)
            and sum(char.isalpha() for char in beyond_ascii) >= LEGACY_FIT * len(beyond_ascii)
        ):
            return codec, text
    return None


def reflow(lines: list[str]) -> str:
    """PDF text lines -> paragraphs: a line joins the next unless it ends a sentence or stops short.

    A PDF's text layer breaks every paragraph at the page width; the sentence splitter needs whole
    paragraphs. A line much shorter than the usual width (a headline, a paragraph's last line) ends one.
    """
    lines = [" ".join(line.split()) for line in lines]
    widths = sorted(len(line) for line in lines if line)
    if not widths:
        return ""
    full = widths[math.ceil(0.9 * (len(widths) - 1))]  # the usual full line, whatever a few long ones do
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        if current and (not line or _SENTENCE_END.search(line) or len(line) < 0.7 * full):
            paragraphs.append(_joined_lines(current))
            current = []
    if current:
        paragraphs.append(_joined_lines(current))
    return "\n\n".join(paragraphs)


def _joined_lines(lines: list[str]) -> str:
    """The lines of one paragraph as one line; a word broken at a hyphen ("Al-" / "Nour") stays whole."""
    joined = lines[0]
    for line in lines[1:]:
        broken = joined.endswith("-") and joined[-2:-1].isalpha() and line[:1].isalpha()
        joined += line if broken else f" {line}"
    return joined


# ------------------------------------------------------------------------------ formats


def _pdf(name: str, data: bytes) -> SourceText:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")  # many PDFs are "encrypted" with an empty user password
            except (DependencyError, NotImplementedError, PyPdfError):
                unlocked = False
            if not unlocked:
                raise EncryptedFileError(
                    f"{name} is password-protected. Send an unprotected copy, or paste the article's text."
                )
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except EncryptedFileError:
        raise
    except FileNotDecryptedError as exc:
        raise EncryptedFileError(f"{name} is password-protected. Send an unprotected copy.") from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files; all mean the same here
        raise BrokenFileError(
            f"{name} is not a readable PDF ({type(exc).__name__}). Check that it opens."
        ) from exc
    text = "\n\n".join(reflow(page.splitlines()) for page in pages if page.strip())
    if not text.strip():
        log.info("%s has no text layer: reading it as a scan", name)
        scanned = _read_by_ocr(name, read_scan(name, data), NO_SCAN_TEXT)
        return dataclasses.replace(scanned, title=_fallback_title(scanned.text, info.title if info else None))
    return SourceText(
        text=text,
        title=_fallback_title(text, info.title if info else None),
        source=name,
        published=_iso_date(_pdf_date(info)),
        author=_clean(info.author if info else None),
    )


def _read_by_ocr(name: str, pages: list[str], nothing: str) -> SourceText:
    """An article from OCR'd pages: their lines re-flowed as a PDF's are, marked as read by OCR, without
    the direction marks Tesseract puts around runs of another script (text it wrote, not the page's)."""
    text = "\n\n".join(reflow(without_invisible(page).splitlines()) for page in pages if page.strip())
    if not is_prose(text):
        raise NoArticleError(nothing.format(name=name))
    return SourceText(text=text, source=name, read_by="ocr")


def _pdf_date(info: object) -> datetime | None:
    try:
        return getattr(info, "creation_date", None)
    except Exception:  # a malformed date string in the PDF's info dictionary
        return None


def _check_unpacked_size(name: str, data: bytes, limit: int) -> None:
    """Refuse a zip that would unpack to more than `limit` bytes, before anything unpacks it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        return  # not a zip at all: python-docx says so in its own words
    if unpacked > limit:
        raise TooLargeError(
            f"{name} unpacks to {unpacked:,} bytes; the limit is {limit:,}. Send the article alone.",
            limit=limit,
        )


def _docx(name: str, data: bytes) -> SourceText:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # not a zip, not a Word package, a missing part: all "damaged"
        raise BrokenFileError(
            f"{name} is not a readable .docx file ({type(exc).__name__}). Check that it opens."
        ) from exc
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    properties = document.core_properties
    return SourceText(
        text=text,
        title=_fallback_title(text, properties.title),
        source=name,
        published=_iso_date(properties.created),
        author=_byline(properties.author),
    )


# ------------------------------------------------------------------------------ helpers


def _with_headline(title: str | None, body: str) -> str:
    """The body with the title as its first line, so that the headline finder sees it as a page has it."""
    first_line = body.lstrip().split("\n", 1)[0].strip()
    if not title or " ".join(first_line.split()) == " ".join(title.split()):
        return body
    return f"{title}\n\n{body}"


def _byline(author: object) -> str | None:
    """A document's stored author, unless it is the program that wrote the file (python-docx, for one,
    signs every document it makes)."""
    name = _clean(author)
    return None if name is None or name.casefold() in GENERATOR_AUTHORS else name


def _fallback_title(text: str, stored: object) -> str | None:
    """A file's stored title, used only when its text has no headline of its own: word processors fill
    the property with whatever the file was first called."""
    return None if clean_article(text).title else _clean(stored)


def _without_site_name(title: str | None, site: str | None) -> str | None:
    """ "Water plan announced - The Daily Horizon" -> "Water plan announced"."""
    title = _clean(title)
    if not title or not site:
        return title
    for separator in _TITLE_SEPARATORS:
        if title.endswith(separator + site):
            return title[: -len(separator + site)].strip() or title
    return title


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None


def _iso_date(value: date | None) -> str | None:
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat() if value else None
