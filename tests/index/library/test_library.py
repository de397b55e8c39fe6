"""The library: idempotent adds and model checks in either store (on disk, on PostgreSQL), and on disk
surviving crashes and damage.

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
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.errors import CorruptLibraryError, DamagedDatabaseError, InputError, ModelMismatchError
from index.library import FLAT, IndexPlan, IndexPolicy, Library, content_hash
from index.records import Embedded, ModelInfo, NewDocument, Sentence
from tests.support.stores import DiskStore, Store, server_store

MODEL = ModelInfo(name="test-model", fingerprint="f00d", dim=8)
PROBE = np.eye(8, dtype=np.float32)[0]


@pytest.fixture(params=["disk", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Where the library lives: a directory on disk, or a PostgreSQL server; the tests that take it hold
    for both."""
    if request.param == "disk":
        yield DiskStore(tmp_path)
    else:
        with server_store(request.getfixturevalue("database_url")) as on_server:
            yield on_server


def document(text: str, title: str = "t") -> NewDocument:
    """One sentence per line of `text`."""
    sentences, offset = [], 0
    for position, line in enumerate(text.split("\n")):
        sentences.append(Sentence(offset, offset + len(line), position, position, line))
        offset += len(line) + 1
    return NewDocument(text=text, title=title, language="en", source="test", sentences=sentences)


def vectors(n: int, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_an_added_sentence_is_found_by_its_own_vector(store: Store) -> None:
    with store.open(MODEL, PROBE) as library:
        vecs = vectors(3)
        doc, new = library.add(document("one.\ntwo.\nthree."), vecs)
        hits = library.search(vecs[1:2], k=3)[0]
        best = library.sentences([hits[0][0]])[hits[0][0]]
    assert new and doc.sentence_count == 3
    assert best.text == "two." and hits[0][1] == pytest.approx(1.0, abs=1e-5)


def test_the_library_reopens_with_its_documents_and_vectors(store: Store) -> None:
    with store.open(MODEL, PROBE) as library:
        library.add(document("alpha.\nbeta."), vectors(2))
    with store.open(MODEL, PROBE, create=False) as library:
        assert [d.title for d in library.documents()] == ["t"]
        assert len(library.search(vectors(2)[:1], k=5)[0]) == 2


def test_the_same_content_added_twice_is_stored_once(store: Store) -> None:
    with store.open(MODEL, PROBE) as library:
        first, new_first = library.add(document("same text.\nsecond line."), vectors(2))
        again, new_again = library.add(document("same text.\nsecond line."), vectors(2, seed=1))
        assert (new_first, new_again) == (True, False)
        assert again.id == first.id and library.sentence_count() == 2


def test_the_content_hash_ignores_what_pasting_changes() -> None:
    assert content_hash("قال  المتحدث\r\nإن") == content_hash("قال المتحدث\nإن")
    assert content_hash("a b") != content_hash("a c")


def test_a_document_without_sentences_is_refused(store: Store) -> None:
    with store.open(MODEL, PROBE) as library, pytest.raises(InputError, match="no sentences"):
        library.add(NewDocument("", None, None, None, []), np.zeros((0, 8), np.float32))


def test_removing_a_document_removes_its_text_and_vectors(store: Store) -> None:
    with store.open(MODEL, PROBE) as library:
        kept, _ = library.add(document("keep me."), vectors(1, seed=1))
        gone, _ = library.add(document("drop me.\nand me."), vectors(2, seed=2))
        assert library.remove(gone.id) and not library.remove(gone.id)
        assert [d.id for d in library.documents()] == [kept.id]
        assert library.sentence_count() == 1
        assert len(library.search(vectors(2, seed=2), k=5)[0]) == 1


def test_an_article_keeps_its_date_and_author(store: Store) -> None:
    dated = dataclasses.replace(document("one."), published="2024-03-12", author="ليلى الحسن")
    with store.open(MODEL, PROBE) as library:
        stored, _ = library.add(dated, vectors(1))
    assert (stored.published, stored.author) == ("2024-03-12", "ليلى الحسن")


def test_a_library_of_the_first_format_is_upgraded_in_place(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("old article.\nstill here."), vectors(2))
    # Format 1 had no date, author, token vectors, way of reading or votes.
    db = sqlite3.connect(tmp_path / "library.sqlite")
    with db:
        for column in ("published", "author", "read_by"):
            db.execute(f"ALTER TABLE documents DROP COLUMN {column}")
        db.execute("DROP TABLE tokens")
        db.execute("DROP TABLE feedback")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    db.close()
    with Library.open(tmp_path, MODEL, PROBE) as library:
        [old] = library.documents()
        assert (old.sentence_count, old.published, old.author, old.read_by) == (2, None, None, None)
        new, _ = library.add(dataclasses.replace(document("new one."), author="A"), vectors(1, seed=3))
        assert new.author == "A" and len(library.search(vectors(1, seed=3), k=5)[0]) == 3
        assert library.token_vectors([1, 2, 3]) == {}  # none were stored; the reranker computes them
        assert library.votes() == []
    check = sqlite3.connect(tmp_path / "library.sqlite")
    assert check.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("4",)
    check.close()


def test_another_model_is_refused_with_the_way_to_rebuild(store: Store) -> None:
    store.open(MODEL, PROBE).close()
    other = ModelInfo(name="other-model", fingerprint="beef", dim=8)
    with pytest.raises(ModelMismatchError, match="sanad rebuild"):
        store.open(other, np.eye(8, dtype=np.float32)[1])


def test_a_model_that_embeds_alike_is_accepted_whatever_its_fingerprint(store: Store) -> None:
    store.open(MODEL, PROBE).close()
    same = ModelInfo(name="test-model-fp16", fingerprint="cafe", dim=8)
    store.open(same, PROBE).close()


def test_a_model_with_other_files_that_embeds_only_nearly_alike_is_another_model(store: Store) -> None:
    """A fine-tuned model keeps its probe vector close (cosine 0.995 here) but ranks differently."""
    store.open(MODEL, PROBE).close()
    tuned = ModelInfo(name="test-model", fingerprint="cafe", dim=8)
    near = (PROBE + 0.1 * np.eye(8, dtype=np.float32)[1]) / np.linalg.norm([1, 0.1])
    with pytest.raises(ModelMismatchError, match="sanad rebuild"):
        store.open(tuned, near)


def test_the_library_records_every_backend_that_embedded_its_sentences(store: Store) -> None:
    int8 = ModelInfo(name="test-model", fingerprint="f00d", dim=8, backend="onnx-int8")
    with store.open(MODEL, PROBE) as library:
        library.add(document("by torch."), vectors(1))
        assert library.model.backend == "torch" and library.backends() == ["torch"]
    near = (PROBE + 0.1 * np.eye(8, dtype=np.float32)[1]) / np.linalg.norm([1, 0.1])  # cosine 0.995
    with store.open(int8, near) as library:
        assert library.backends() == ["torch"]  # opening embeds nothing
        library.add(document("by torch."), vectors(1))  # already stored: nothing new embedded
        assert library.backends() == ["torch"]
        library.add(document("by int8."), vectors(1, seed=1))
        assert library.backends() == ["torch", "onnx-int8"]
        library.add(document("by int8 again."), vectors(1, seed=2))
    with store.open(MODEL, PROBE) as library:
        assert library.model.backend == "torch" and library.backends() == ["torch", "onnx-int8"]
    store.rebuild(int8, near, lambda texts: vectors(len(texts)))
    with store.open(int8, near) as library:
        assert library.model.backend == "onnx-int8" and library.backends() == ["onnx-int8"]


def test_another_backend_of_the_same_model_that_embeds_differently_is_refused(store: Store) -> None:
    store.open(MODEL, PROBE).close()
    broken = ModelInfo(name="test-model", fingerprint="f00d", dim=8, backend="onnx-int8")
    with pytest.raises(ModelMismatchError, match="SANAD_BACKEND=torch") as refused:
        store.open(broken, np.eye(8, dtype=np.float32)[1])
    assert "on onnx-int8 the same model embeds differently" in str(refused.value)


def test_a_library_from_before_backends_were_recorded_was_embedded_by_torch(tmp_path: Path) -> None:
    Library.open(tmp_path, MODEL, PROBE).close()
    with sqlite3.connect(tmp_path / "library.sqlite") as db:
        db.execute("DELETE FROM meta WHERE key = 'backends'")
    db.close()
    with Library.open(tmp_path, MODEL, PROBE) as library:
        assert library.model.backend == "torch" and library.backends() == ["torch"]


def test_a_model_of_another_size_is_refused(store: Store) -> None:
    store.open(MODEL, PROBE).close()
    with pytest.raises(ModelMismatchError, match="8-d"):
        store.open(ModelInfo("big", "f00d0", 16), np.eye(16, dtype=np.float32)[0])


def test_rebuild_re_embeds_every_sentence_for_the_new_model(store: Store) -> None:
    with store.open(MODEL, PROBE) as library:
        library.add(document("a.\nb."), vectors(2))
    other, probe = ModelInfo("other", "beef", 4), np.eye(4, dtype=np.float32)[0]
    count = store.rebuild(other, probe, lambda texts: np.tile(probe, (len(texts), 1)))
    assert count == 2
    with store.open(other, probe) as library:
        assert library.search(probe[None, :], k=1)[0][0][1] == pytest.approx(1.0)


def test_rebuild_replaces_the_old_models_token_vectors_with_the_new_ones(store: Store) -> None:
    with store.open(MODEL, PROBE) as library:
        library.add(document("a.\nb."), Embedded(vectors(2), [vectors(3), vectors(1)]))
        assert [len(t) for t in library.token_vectors([1, 2]).values()] == [3, 1]
    other, probe = ModelInfo("other", "beef", 4), np.eye(4, dtype=np.float32)[0]
    store.rebuild(other, probe, lambda texts: np.tile(probe, (len(texts), 1)))
    with store.open(other, probe) as library:
        assert library.token_vectors([1, 2]) == {}
    store.rebuild(other, probe, lambda texts: Embedded(np.tile(probe, (len(texts), 1)), [probe[None, :]] * 2))
    with store.open(other, probe) as library:
        assert all(np.allclose(t, probe) for t in library.token_vectors([1, 2]).values())


def test_a_failed_index_write_leaves_the_previous_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("before."), vectors(1))

        def crash(path: Path, write: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr("index.library.vectors.atomic_write_with", crash)
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
    with pytest.raises(CorruptLibraryError, match=r"is missing.*sanad repair"):
        Library.open(tmp_path, MODEL, PROBE)


def test_a_corrupted_database_is_reported_in_one_line(tmp_path: Path) -> None:
    Library.open(tmp_path, MODEL, PROBE).close()
    (tmp_path / "library.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(CorruptLibraryError, match=r"is damaged.*sanad repair") as caught:
        Library.open(tmp_path, MODEL, PROBE)
    assert "\n" not in str(caught.value)


WRITER = """
import sys, numpy as np
sys.path.insert(0, {root!r})
from tests.index.library.test_library import MODEL, PROBE, document, vectors
from index.library import Library
library = Library.open(__import__("pathlib").Path({path!r}), MODEL, PROBE)
for n in range(10_000):
    library.add(document(f"article {{n}}.\\nsecond sentence {{n}}."), vectors(2, seed=n))
    print(n, flush=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [2, 7, 15])
def test_killing_a_writer_mid_add_leaves_a_consistent_library(tmp_path: Path, kill_after: int) -> None:
    root = str(Path(__file__).resolve().parents[3])
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


# ---------------------------------------------------------------- the index kind follows the size

SMALL_POLICY = IndexPolicy(exact_limit=400, retrain_factor=2)


def many(count: int, seed: int, size: int = 50) -> list[tuple[NewDocument, np.ndarray]]:
    """`count` sentences in documents of `size` lines, each with a random unit vector."""
    items = []
    for number in range(0, count, size):
        lines = [f"sentence {seed}-{number + n}." for n in range(min(size, count - number))]
        items.append((document("\n".join(lines)), vectors(len(lines), seed=seed * 10_000 + number)))
    return items


def meta(path: Path, key: str) -> str:
    with sqlite3.connect(path / "library.sqlite") as db:
        return db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]


def test_a_growing_library_switches_to_ivf_and_back_when_it_shrinks(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE, policy=SMALL_POLICY) as library:
        library.add_many(many(350, seed=1))
        assert library.index_plan.kind == "flat"
        added = library.add_many(many(100, seed=2))
        assert library.index_plan == SMALL_POLICY.plan(450) and library.index_plan.kind == "ivf"
        assert IndexPlan.from_json(meta(tmp_path, "index")) == library.index_plan
    with Library.open(tmp_path, MODEL, PROBE, policy=SMALL_POLICY) as library:
        assert library.index_plan.kind == "ivf"
        probe = library.vectors([1, 400])
        assert [hits[0][0] for hits in library.search(probe, k=3)] == [1, 400]  # its own cell comes first
        for document_, _ in added:
            library.remove(document_.id)
        assert library.sentence_count() == 350 and library.index_plan.kind == "ivf"  # hysteresis
        for document_ in library.documents()[:4]:
            library.remove(document_.id)
        assert library.sentence_count() == 150 and library.index_plan == FLAT
    with Library.open(tmp_path, MODEL, PROBE, policy=SMALL_POLICY) as library:
        assert len(library.search(vectors(1), k=500)[0]) == 150


def test_ivf_is_trained_again_when_the_library_has_grown(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE, policy=SMALL_POLICY) as library:
        library.add_many(many(400, seed=1))
        first = library.index_plan
        library.add_many(many(400, seed=2))
        assert library.index_plan == first  # twice the size: still the same cells
        library.add_many(many(50, seed=3))
        assert library.index_plan.trained_for == 850 and library.index_plan.nlist > first.nlist


def test_ivf_training_is_reproducible(tmp_path: Path) -> None:
    files = []
    for name in ("one", "two"):
        with Library.open(tmp_path / name, MODEL, PROBE, policy=SMALL_POLICY) as library:
            library.add_many(many(500, seed=1))
            files.append(library.index_file().read_bytes())
    assert files[0] == files[1]


def test_a_library_written_before_index_plans_opens_as_exact(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("old.\nlibrary."), vectors(2))
    with sqlite3.connect(tmp_path / "library.sqlite") as db:
        db.execute("DELETE FROM meta WHERE key IN ('index', 'index_file')")
    with Library.open(tmp_path, MODEL, PROBE) as library:
        assert library.index_plan == FLAT and library.sentence_count() == 2
        library.add(document("new."), vectors(1, seed=5))
    assert IndexPlan.from_json(meta(tmp_path, "index")) == FLAT


def test_a_flipped_byte_in_the_vector_index_is_detected(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("one.\ntwo."), vectors(2))
        index_file = library.index_file()
    data = bytearray(index_file.read_bytes())
    data[-5] ^= 0x01  # inside the vectors: faiss itself would read it without complaint
    index_file.write_bytes(bytes(data))
    with pytest.raises(CorruptLibraryError, match=r"checksum.*sanad repair"):
        Library.open(tmp_path, MODEL, PROBE)
    assert Library.repair_at(tmp_path) == 2
    Library.open(tmp_path, MODEL, PROBE).close()


def test_an_index_of_the_wrong_kind_is_reported(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE, policy=SMALL_POLICY) as library:
        library.add_many(many(450, seed=1))
    with sqlite3.connect(tmp_path / "library.sqlite") as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'index'", (FLAT.to_json(),))
    with pytest.raises(CorruptLibraryError, match=r"ivf index .* in a flat index.*sanad repair"):
        Library.open(tmp_path, MODEL, PROBE, policy=SMALL_POLICY)
    assert Library.repair_at(tmp_path, policy=SMALL_POLICY) == 450
    with Library.open(tmp_path, MODEL, PROBE, policy=SMALL_POLICY) as library:
        assert library.index_plan.kind == "ivf"


# ---------------------------------------------------------------- damage and salvage


def test_a_garbage_vector_index_is_reported_in_one_line_and_repaired(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("one.\ntwo.\nthree."), vectors(3))
        library.index_file().write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(CorruptLibraryError) as caught:
        Library.open(tmp_path, MODEL, PROBE)
    assert "\n" not in str(caught.value) and str(caught.value).endswith("sanad repair")
    assert Library.repair_at(tmp_path) == 3


def test_a_garbage_database_is_reported_and_salvage_keeps_it_aside(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("one."), vectors(1))
    (tmp_path / "library.sqlite").write_bytes(b"this is not a database" * 500)
    with pytest.raises(DamagedDatabaseError) as caught:
        Library.open(tmp_path, MODEL, PROBE)
    assert "\n" not in str(caught.value) and "sanad repair" in str(caught.value)
    with pytest.raises(DamagedDatabaseError):
        Library.repair_at(tmp_path)
    salvage = Library.salvage_at(tmp_path)
    assert not salvage.replaced and salvage.summary.startswith("no article could be read")
    assert salvage.kept_as.read_bytes().startswith(b"this is not a database")
    with Library.open(tmp_path, MODEL, PROBE) as library:  # a new, empty library
        assert library.sentence_count() == 0


def test_salvage_saves_the_documents_outside_a_damaged_page(tmp_path: Path) -> None:
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add_many(many(3000, seed=4, size=10))
    database = tmp_path / "library.sqlite"
    data = bytearray(database.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = b"\xa5" * page
    database.write_bytes(bytes(data))
    with pytest.raises(DamagedDatabaseError, match="sanad repair"):
        Library.open(tmp_path, MODEL, PROBE)
    salvage = Library.salvage_at(tmp_path)
    assert salvage.replaced and 200 <= salvage.documents < 300
    assert salvage.sentences == 10 * salvage.documents
    with Library.open(tmp_path, MODEL, PROBE) as library:
        documents = library.documents()
        assert len(documents) == salvage.documents
        assert all(d.sentence_count == 10 for d in documents)
        probe = library.vectors([library.neighbours(library.sentences([1])[1], before=0, after=0)[0].id])
        assert library.search(probe, k=1)[0][0][1] == pytest.approx(1.0, abs=1e-5)
        library.add(document("after the salvage."), vectors(1, seed=99))  # and it takes new articles


KILLER = """
import random, sys, numpy as np
from pathlib import Path
sys.path.insert(0, {root!r})
from index.library import IndexPolicy, Library
from index.records import ModelInfo, NewDocument, Sentence
MODEL = ModelInfo(name="test-model", fingerprint="f00d", dim=8)
rng = random.Random({seed})
policy = IndexPolicy(exact_limit=400, retrain_factor=2)
library = Library.open(Path({path!r}), MODEL, np.eye(8, dtype=np.float32)[0], policy=policy)
print("ready", flush=True)
for n in range(10**6):
    lines = [f"sentence {{n}}-{{i}} of run {seed}." for i in range(rng.randint(1, 60))]
    text = "\\n".join(lines)
    sentences, offset = [], 0
    for i, line in enumerate(lines):
        sentences.append(Sentence(offset, offset + len(line), i, i, line))
        offset += len(line) + 1
    v = np.random.default_rng(n).normal(size=(len(lines), 8)).astype(np.float32)
    library.add(NewDocument(text, "t", "en", "kill", sentences), v / np.linalg.norm(v, axis=1, keepdims=True))
    library.search(v[:3], k=10)
    if n % 4 == 3:
        library.remove(rng.choice(library.documents()).id)
    print(n, flush=True)
"""


@pytest.mark.slow
def test_twenty_sigkills_in_a_row_during_adds_and_searches_leave_a_consistent_library(tmp_path: Path) -> None:
    """Each round starts a writer on the same library, kills it at a random moment while it adds,
    removes and searches (crossing from exact to IVF and retraining on the way), then checks that
    the library opens and its index, sentences and documents agree."""
    root = str(Path(__file__).resolve().parents[3])
    rng = np.random.default_rng(2026)
    policy = IndexPolicy(exact_limit=400, retrain_factor=2)
    with Library.open(tmp_path, MODEL, PROBE, policy=policy) as library:
        library.add_many(many(380, seed=77))  # just under the switch to IVF
        assert library.index_plan == FLAT
    kinds = set()
    for round_ in range(20):
        script = KILLER.format(root=root, path=str(tmp_path), seed=round_)
        child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        if round_ == 0:
            child.stdout.readline()  # one add done: the library has crossed to IVF
        time.sleep(float(rng.uniform(0.0, 0.5)))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        with Library.open(tmp_path, MODEL, PROBE, policy=policy) as library:
            count = library.sentence_count()
            documents = library.documents()
            assert sum(d.sentence_count for d in documents) == count
            ids = [i for i, _ in library.search(vectors(1, seed=round_), k=count + 5)[0]]
            assert len(library.sentences(ids)) == len(ids)
            if library.index_plan.kind == "flat":
                assert len(ids) == count
            kinds.add(library.index_plan.kind)
    assert "ivf" in kinds


def test_a_quick_check_before_the_model_loads_finds_the_same_damage(tmp_path: Path) -> None:
    Library.check_at(tmp_path / "none")  # no library yet: open will create one
    with Library.open(tmp_path, MODEL, PROBE) as library:
        library.add(document("one.\ntwo."), vectors(2))
        index_file = library.index_file()
    Library.check_at(tmp_path)
    healthy = index_file.read_bytes()
    index_file.write_bytes(healthy[:-8])
    with pytest.raises(CorruptLibraryError, match=r"damaged \(.* bytes instead of .*\).*sanad repair"):
        Library.check_at(tmp_path)
    index_file.unlink()
    with pytest.raises(CorruptLibraryError, match=r"is missing.*sanad repair"):
        Library.check_at(tmp_path)
    index_file.write_bytes(healthy)
    (tmp_path / "library.sqlite").write_bytes(b"garbage" * 1000)
    with pytest.raises(DamagedDatabaseError, match="sanad repair"):
        Library.check_at(tmp_path)
