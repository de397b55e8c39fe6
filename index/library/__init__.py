"""The library: documents, their exact sentences and their vectors, on disk, crash-safe.

    library.py        `Library`: the parts below composed into one thread-safe handle
    schema.py         the SQLite tables, named migrations, opening and damage checks
    vectors.py        the FAISS index and its generation files (the only faiss import)
    ann.py            when the index is exact and when IVF, and how IVF is trained
    compatibility.py  which model may search a library
    repair.py         saving what a damaged database still holds
    feedback.py       the votes a chat gave its answers
    tokens.py         how content-token vectors are stored (int8)
    postgres.py       `PostgresLibrary`: the same handle over PostgreSQL + pgvector rows
    server_schema.py  its tables, as numbered migrations
    catalog.py        where the shared and the chats' libraries live: on disk, or on the server
    transfer.py       copying a library into another store without re-embedding it

It stores vectors and never computes them: the embedding layer sits beside it, not below.
"""

from index.library.ann import DEFAULT_POLICY, FLAT, IndexPlan, IndexPolicy
from index.library.catalog import AnyLibrary, Catalog, OnDisk, OnServer, chat_path, library_name
from index.library.compatibility import PROBE_AGREEMENT, SAME_VECTORS
from index.library.feedback import ShownQuote, Vote, voter_id
from index.library.library import Library, VectorSource, content_hash
from index.library.postgres import PostgresLibrary
from index.library.postgres import set_up as set_up_libraries
from index.library.repair import Salvage
from index.library.schema import DB_NAME, SCHEMA_VERSION
from index.library.transfer import compare, copy_library

__all__ = [
    "DB_NAME",
    "DEFAULT_POLICY",
    "FLAT",
    "PROBE_AGREEMENT",
    "SAME_VECTORS",
    "SCHEMA_VERSION",
    "AnyLibrary",
    "Catalog",
    "IndexPlan",
    "IndexPolicy",
    "Library",
    "OnDisk",
    "OnServer",
    "PostgresLibrary",
    "Salvage",
    "ShownQuote",
    "VectorSource",
    "Vote",
    "chat_path",
    "compare",
    "content_hash",
    "copy_library",
    "library_name",
    "set_up_libraries",
    "voter_id",
]
