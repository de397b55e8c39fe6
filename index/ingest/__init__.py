"""Ingest: links, files and pasted text -> articles -> documents in a library.

fetch.py     links -> pages, safely (the only httpx import)
extract.py   pages and files -> article text (trafilatura, pypdf, python-docx)
ocr.py       photos and scans -> text (Tesseract, run as a program)
sources.py   where articles come from: files, links, uploads, the shipped seeds
prepare.py   article text -> a document of exact sentences
add.py       the one add path: cut, embed, store
"""

from index.ingest.add import add_paths, add_source
from index.ingest.extract import FILE_SUFFIXES
from index.ingest.ocr import IMAGE_SUFFIXES, ocr_available
from index.ingest.prepare import guess_language, opening_words, prepare_document
from index.ingest.sources import file_label, is_link, read_link, read_source, read_upload, seed_paths

__all__ = [
    "FILE_SUFFIXES",
    "IMAGE_SUFFIXES",
    "add_paths",
    "add_source",
    "file_label",
    "guess_language",
    "is_link",
    "ocr_available",
    "opening_words",
    "prepare_document",
    "read_link",
    "read_source",
    "read_upload",
    "seed_paths",
]
