"""The library on disk: idempotent adds, model checks, and surviving crashes and damage.

These tests use small random unit vectors: the store never looks inside them.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.errors import CorruptLibraryError, InputError, ModelMismatchError
from index.model import ModelInfo
from index.store import Library, NewDocument, NewSentence, content_hash

MODEL = ModelInfo(name="test-model", fingerprint="f00d", dim=8)
PROBE = np.eye(8, dtype=np.float32)[0]


def document(text: str, title: str = "t") -> NewDocument:
    """One sentence per line of `text`."""
    sentences, offset = [], 0
    for position, line in enumerate(text.split("\n")):
        sentences.append(NewSentence(offset, offset + len(line), position, position, line))
        offset += len(line) + 1
    return NewDocument(text=text, title=title, language="en", source="test", sentences=sentences)


def vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_an_added_sentence_is_found_by_its_own_vector(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        vecs = vectors(3)
        doc, new = library.add(document("one.\ntwo.\nthree."), vecs)
        hits = library.search(vecs[1:2], k=3)[0]
        best = library.sentences([hits[0][0]])[hits[0][0]]
    assert new and doc.sentence_count == 3
    assert best.text == "two." and hits[0][1] == pytest.approx(1.0, abs=1e-5)


def test_the_library_reopens_with_its_documents_and_vectors(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("alpha.\nbeta."), vectors(2))
    with Library.open(tmp_path, MODEL, PROBE, create=False) as library:
        assert [d.title for d in library.documents()] == ["t"]
        assert len(library.search(vectors(2)[:1], k=5)[0]) == 2


def test_the_same_content_added_twice_is_stored_once(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        first, new_first = library.add(document("same text.\nsecond line."), vectors(2))
        again, new_again = library.add(document("same text.\nsecond line."), vectors(2, seed=1))
        assert (new_first, new_again) == (True, False)
        assert again.id == first.id and library.sentence_count() == 2


def test_the_content_hash_ignores_what_pasting_changes() -> None:
    assert content_hash("قال  المتحدث\r\nإن") == content_hash("قال المتحدث\nإن")
    assert content_hash("a b") != content_hash("a c")


def test_a_document_without_sentences_is_refused(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library, pytest.raises(InputError, match="no sentences"):
        library.add(NewDocument("", None, None, None, []), np.zeros((0, 8), np.float32))


def test_removing_a_document_removes_its_text_and_vectors(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        kept, _ = library.add(document("keep me."), vectors(1, seed=1))
        gone, _ = library.add(document("drop me.\nand me."), vectors(2, seed=2))
        assert library.remove(gone.id) and not library.remove(gone.id)
        assert [d.id for d in library.documents()] == [kept.id]
        assert library.sentence_count() == 1
        assert len(library.search(vectors(2, seed=2), k=5)[0]) == 1


def test_an_article_keeps_its_date_and_author(tmp_path: Path) -> None:
    dated = dataclasses.replace(document("one."), published="2024-03-12", author="ليلى الحسن")
    with Library.open(tmp_path, MODEL, PROBE) as library:
        stored, _ = library.add(dated, vectors(1))
    assert (stored.published, stored.author) == ("2024-03-12", "ليلى الحسن")


def test_a_library_of_the_first_format_is_upgraded_in_place(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("old article.\nstill here."), vectors(2))
    db = sqlite3.connect(tmp_path / "library.sqlite")  # format 1 had no date or author
    with db:
        db.execute("ALTER TABLE documents DROP COLUMN published")
        db.execute("ALTER TABLE documents DROP COLUMN author")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    db.close()
    with Library.open(tmp_path, MODEL, PROBE) as library:
        [old] = library.documents()
        assert (old.sentence_count, old.published, old.author) == (2, None, None)
        new, _ = library.add(dataclasses.replace(document("new one."), author="A"), vectors(1, seed=3))
        assert new.author == "A" and len(library.search(vectors(1, seed=3), k=5)[0]) == 3
    check = sqlite3.connect(tmp_path / "library.sqlite")
    assert check.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("2",)
    check.close()


def test_another_model_is_refused_with_the_way_to_rebuild(tmp_path: Path) -> None:
    Library.open(tmp_path, MODEL, PROBE).close()
    other = ModelInfo(name="other-model", fingerprint="beef", dim=8)
    with pytest.raises(ModelMismatchError, match="sanad rebuild"):
        Library.open(tmp_path, other, np.eye(8, dtype=np.float32)[1])


def test_a_model_that_embeds_alike_is_accepted_whatever_its_fingerprint(tmp_path: Path) -> None:
    Library.open(tmp_path, MODEL, PROBE).close()
    same = ModelInfo(name="test-model-fp16", fingerprint="cafe", dim=8)
    Library.open(tmp_path, same, PROBE).close()


def test_a_model_of_another_size_is_refused(tmp_path: Path) -> None:
    Library.open(tmp_path, MODEL, PROBE).close()
    with pytest.raises(ModelMismatchError, match="8-d"):
        Library.open(tmp_path, ModelInfo("big", "f00d0", 16), np.eye(16, dtype=np.float32)[0])


def test_rebuild_re_embeds_every_sentence_for_the_new_model(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("a.\nb."), vectors(2))
    other, probe = ModelInfo("other", "beef", 4), np.eye(4, dtype=np.float32)[0]
    count = Library.rebuild_at(tmp_path, other, probe, lambda texts: np.tile(probe, (len(texts), 1)))
    assert count == 2
    with Library.open(tmp_path, other, probe) as library:
        assert library.search(probe[None, :], k=1)[0][0][1] == pytest.approx(1.0)


def test_a_failed_index_write_leaves_the_previous_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("before."), vectors(1))

        def crash(path: Path, data: bytes) -> None:
            raise OSError("disk full")

        monkeypatch.setattr("index.store.atomic_write_bytes", crash)
        with pytest.raises(OSError, match="disk full"):
            library.add(document("after."), vectors(1, seed=3))
    monkeypatch.undo()
    with Library.open(tmp_path, MODEL, PROBE) as library:
        assert [s.text for s in library.sentences(range(1, 10)).values()] == ["before."]
        assert library.search(vectors(1), k=5)[0][0][1] == pytest.approx(1.0)


def test_a_damaged_vector_index_is_reported_and_repaired(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("one.\ntwo."), vectors(2))
    (index_file,) = tmp_path.glob("vectors-*.faiss")
    index_file.write_bytes(index_file.read_bytes()[:40])
    with pytest.raises(CorruptLibraryError, match="sanad repair"):
        Library.open(tmp_path, MODEL, PROBE)
    assert Library.repair_at(tmp_path) == 2
    with Library.open(tmp_path, MODEL, PROBE) as library:
        assert library.search(vectors(2)[:1], k=1)[0][0][1] == pytest.approx(1.0)


def test_a_missing_vector_index_is_reported(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("one."), vectors(1))
    for file in tmp_path.glob("vectors-*.faiss"):
        file.unlink()
    with pytest.raises(CorruptLibraryError, match="missing or damaged"):
        Library.open(tmp_path, MODEL, PROBE)


def test_a_corrupted_database_is_reported_in_one_line(tmp_path: Path) -> None:
    Library.open(tmp_path, MODEL, PROBE).close()
    (tmp_path / "library.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorruptLibraryError, match="cannot be read") as caught:
        Library.open(tmp_path, MODEL, PROBE)
    assert "\n" not in str(caught.value)


WRITER = """
import sys, numpy as np
sys.path.insert(0, {root!r})
from tests.index.test_store import MODEL, PROBE, document, vectors
from index.store import Library
library = Library.open(__import__("pathlib").Path({path!r}), MODEL, PROBE)
for n in range(10_000):
    library.add(document(f"article {{n}}.\\nsecond sentence {{n}}."), vectors(2, seed=n))
    print(n, flush=True)
"""


@pytest.mark.parametrize("kill_after", [2, 7, 15])
def test_killing_a_writer_mid_add_leaves_a_consistent_library(tmp_path: Path, kill_after: int) -> None:
    root = str(Path(__file__).resolve().parents[2])
    script = WRITER.format(root=root, path=str(tmp_path))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line or int(line.split()[0]) >= kill_after:
            break
    time.sleep(0.003 * kill_after)  # land somewhere inside a later add
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    with Library.open(tmp_path, MODEL, PROBE) as library:
        count = library.sentence_count()
        assert count == 2 * len(library.documents()) and count >= 2 * kill_after
        assert len(library.search(vectors(1), k=count + 5)[0]) == count
