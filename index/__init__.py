"""Sanad's retrieval core: article text -> exact sentences -> vectors -> library -> quoted answers.

    errors.py records.py config.py files.py   the exceptions, the nouns, the settings, safe files
    database.py  SQL behind one interface: a SQLite file, or a PostgreSQL server
    text/        raw pages -> exact sentence spans; writing systems
    embedding/   text -> vectors (ONNX or torch), the second opinion; build/ for `sanad setup`
    library/     sentences + vectors on disk: SQLite, FAISS, migrations, repair
    ingest/      links and files -> articles -> documents in a library
    search/      a question -> ranked, quoted sentences
    shelf.py     the shared library beside each chat's own
    service.py   settings -> encoder, libraries, searcher, shelf
    cli.py terminal.py   the `sanad` commands and their terminal output

Each layer imports only the layers above it in this list (tests/test_layers.py). This package knows
nothing about Telegram. Its public surface, below, is what the bot and the command line use.
"""

from index.config import FetchSettings, IndexSettings
from index.database import (
    Database,
    DatabaseError,
    Postgres,
    SchemaBehindError,
    Sqlite,
    password_of,
    redact_url,
)
from index.errors import (
    BlockedAddressError,
    BrokenFileError,
    ChatLibraryError,
    CorruptLibraryError,
    DeadLinkError,
    EncryptedFileError,
    InputError,
    LibraryError,
    ModelError,
    ModelMismatchError,
    NoArticleError,
    NoOcrError,
    RedirectLoopError,
    SanadError,
    ScanTooLargeError,
    SlowPageError,
    TooLargeError,
    TooShortError,
    UnsupportedLinkError,
    UnsupportedTypeError,
)
from index.ingest import (
    FILE_SUFFIXES,
    IMAGE_SUFFIXES,
    add_source,
    is_link,
    ocr_available,
    read_link,
    read_source,
    read_upload,
)
from index.library import Library, ShownQuote, Vote, voter_id
from index.records import Document, SourceText, StoredSentence
from index.search import Answer, Hit, Searcher, clean_question
from index.service import open_searcher, open_shelf
from index.shelf import ArticleRef, Repaired, Shelf
from index.text import is_arabic_script, without_invisible

__all__ = [
    "FILE_SUFFIXES",
    "IMAGE_SUFFIXES",
    "Answer",
    "ArticleRef",
    "BlockedAddressError",
    "BrokenFileError",
    "ChatLibraryError",
    "CorruptLibraryError",
    "Database",
    "DatabaseError",
    "DeadLinkError",
    "Document",
    "EncryptedFileError",
    "FetchSettings",
    "Hit",
    "IndexSettings",
    "InputError",
    "Library",
    "LibraryError",
    "ModelError",
    "ModelMismatchError",
    "NoArticleError",
    "NoOcrError",
    "Postgres",
    "RedirectLoopError",
    "Repaired",
    "SanadError",
    "ScanTooLargeError",
    "SchemaBehindError",
    "Searcher",
    "Shelf",
    "ShownQuote",
    "SlowPageError",
    "SourceText",
    "Sqlite",
    "StoredSentence",
    "TooLargeError",
    "TooShortError",
    "UnsupportedLinkError",
    "UnsupportedTypeError",
    "Vote",
    "add_source",
    "clean_question",
    "is_arabic_script",
    "is_link",
    "ocr_available",
    "open_searcher",
    "open_shelf",
    "password_of",
    "read_link",
    "read_source",
    "read_upload",
    "redact_url",
    "voter_id",
    "without_invisible",
]
