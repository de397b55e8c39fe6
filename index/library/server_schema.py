"""The library tables on a PostgreSQL server, as numbered migrations (`sanad setup` applies them,
index/database.py). Vectors are pgvector's `vector`; content-token vectors are int8 bytea
(index/library/tokens.py); one b-tree on `library_id` finds a library's rows, and a library past
`SERVER_POLICY`'s bound gets its own partial IVFFlat index besides (index/library/postgres.py).
"""

from __future__ import annotations

COMPONENT = "library"

# Migration N takes the library tables from schema N to N + 1 (`sanad setup`, index/database.py).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE libraries (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        next_document BIGINT NOT NULL DEFAULT 1
    );
    CREATE TABLE library_meta (
        library_id BIGINT NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (library_id, key)
    );
    CREATE TABLE documents (
        library_id BIGINT NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        id BIGINT NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT,
        language TEXT,
        source TEXT,
        added_at TEXT NOT NULL,
        text TEXT NOT NULL,
        published TEXT,
        author TEXT,
        read_by TEXT,
        PRIMARY KEY (library_id, id),
        UNIQUE (library_id, content_hash)
    );
    CREATE TABLE sentences (
        id BIGSERIAL PRIMARY KEY,
        library_id BIGINT NOT NULL,
        document_id BIGINT NOT NULL,
        position INTEGER NOT NULL,
        paragraph INTEGER NOT NULL,
        start_at INTEGER NOT NULL,
        end_at INTEGER NOT NULL,
        text TEXT NOT NULL,
        vector vector NOT NULL,
        tokens BYTEA,
        FOREIGN KEY (library_id, document_id) REFERENCES documents (library_id, id) ON DELETE CASCADE,
        UNIQUE (library_id, document_id, position)
    );
    CREATE INDEX sentences_by_library ON sentences (library_id);
    CREATE TABLE feedback (
        id BIGSERIAL PRIMARY KEY,
        library_id BIGINT NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
        answer TEXT NOT NULL,
        voter TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        question TEXT NOT NULL,
        quotes TEXT NOT NULL,
        language TEXT,
        voted_at TEXT NOT NULL,
        UNIQUE (library_id, answer, voter)
    )
    """,
)
