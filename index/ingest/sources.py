"""Where articles come from: files (with an optional metadata sidecar), links, uploads, the shipped seeds."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path, PurePosixPath

from index.config import SEEDS_DIR, FetchSettings
from index.errors import InputError, TooLargeError
from index.ingest.extract import article_from_file, article_from_page
from index.records import SourceText

FILE_LABEL_LIMIT = 100


def read_source(path: Path, settings: FetchSettings | None = None) -> SourceText:
    """Read an article file (see index.ingest.extract for the formats) and its optional metadata sidecar
    (`NAME.json` beside `NAME.txt`, with title, language, source, published, author)."""
    settings = settings or FetchSettings()
    if not path.is_file():
        raise InputError(f"{path} is not a file. Give the path of an article file (.txt, .md, .pdf, ...).")
    size = path.stat().st_size
    if size > settings.max_bytes:
        raise TooLargeError(
            f"{path.name} is {size:,} bytes; the limit is {settings.max_bytes:,}. Split it first.",
            limit=settings.max_bytes,
        )
    source = article_from_file(path.name, path.read_bytes(), settings)
    meta = _read_metadata(path.with_suffix(".json"))
    return SourceText(
        text=source.text,
        title=meta.get("title") or source.title,
        language=meta.get("language") or source.language,
        source=meta.get("source") or source.source,
        published=meta.get("published") or source.published,
        author=meta.get("author") or source.author,
        read_by=source.read_by,
    )


def read_link(url: str, settings: FetchSettings) -> SourceText:
    """Fetch a web page and find the article in it (see index.ingest.fetch and index.ingest.extract)."""
    from index.ingest.fetch import fetch_page

    return article_from_page(fetch_page(url, settings))


def read_upload(name: str, data: bytes, settings: FetchSettings) -> SourceText:
    """The article in a file's bytes, by the file's name (see index.ingest.extract); the name is kept
    cleaned (`file_label`), as a sender chose it."""
    return article_from_file(file_label(name), data, settings)


def file_label(name: str) -> str:
    """A file name someone sent, fit to show: its last path part ("../../etc/passwd.txt" is
    "passwd.txt"), without control, invisible or direction characters, at most 100 characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C")
    base = " ".join(base.split()).strip(" .")
    if len(base) > FILE_LABEL_LIMIT:
        stem, dot, suffix = base.rpartition(".")
        base = (
            f"{stem[: FILE_LABEL_LIMIT - len(suffix) - 2]}…{dot}{suffix}"
            if dot and len(suffix) < 10
            else base[:FILE_LABEL_LIMIT]
        )
    return base or "file"


def is_link(text: str) -> bool:
    """Whether `text` is given as a link (any scheme) rather than a file path: "https://…", "ftp://…"."""
    scheme, separator, _ = text.strip().partition("://")
    return bool(separator) and scheme.isascii() and scheme.replace("+", "").replace("-", "").isalnum()


def seed_paths(seeds_dir: Path = SEEDS_DIR) -> list[Path]:
    """The shipped articles."""
    return sorted(p for p in seeds_dir.glob("*.txt") if not p.name.startswith("."))


def _read_metadata(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name} is not valid JSON metadata ({exc}). Fix or delete it.") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path.name} must hold a JSON object with title, language and source.")
    return {k: str(v) for k, v in data.items() if isinstance(v, str | int | float)}
