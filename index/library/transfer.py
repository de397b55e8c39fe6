"""Copying a library into another store (`sanad migrate --to postgresql://…`) without re-embedding.

Each document travels with its id, its exact text, its sentences as they were cut, their vectors,
their content-token vectors and its date of adding; then the votes. A document is one write, and one the
target holds already (by its content hash) is skipped, so a copy killed half-way is finished by running
it again, and running it twice copies nothing twice.

`compare` checks a copy: the same articles in the same order, each with the same sentences, and each
of a sample of stored sentences, searched by its own vector, finding the same sentence first in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.library.catalog import AnyLibrary
from index.records import Embedded, NewDocument, Sentence

SAMPLE = 50  # sentences searched by their own vector in each library by `compare`


@dataclass(frozen=True, slots=True)
class Copied:
    documents: int  # copied now
    skipped: int  # already in the target
    votes: int


@dataclass(frozen=True, slots=True)
class Comparison:
    documents: int
    sentences: int
    searched: int
    problems: tuple[str, ...]

    @property
    def same(self) -> bool:
        return not self.problems


def copy_library(
    source: AnyLibrary, target: AnyLibrary, *, progress: Callable[[int], None] | None = None
) -> Copied:
    """Copy every document and vote of `source` that `target` lacks; `progress` hears of each document."""
    copied = skipped = 0
    for document in source.documents():
        sentences = source.document_sentences(document.id)
        ids = [sentence.id for sentence in sentences]
        vectors = source.vectors(ids)
        tokens = source.token_vectors(ids)
        embedded = Embedded(vectors, [tokens[i] for i in ids]) if len(tokens) == len(ids) else vectors
        new = NewDocument(
            text=source.document_text(document.id, 0, document.characters),
            title=document.title,
            language=document.language,
            source=document.source,
            sentences=[Sentence(s.start, s.end, s.paragraph, s.position, s.text) for s in sentences],
            published=document.published,
            author=document.author,
            read_by=document.read_by,
            added_at=document.added_at,
            number=document.id,
        )
        _, added = target.add(new, embedded)
        copied += added
        skipped += not added
        if progress:
            progress(1)
    votes = source.votes()
    for vote in votes:
        target.record_vote(vote)  # a voter's vote on an answer is kept once: copying it again replaces it
    return Copied(copied, skipped, len(votes))


def compare(source: AnyLibrary, target: AnyLibrary, *, sample: int = SAMPLE) -> Comparison:
    """What differs between a library and its copy (nothing, when the copy is whole)."""
    problems: list[str] = []
    ours, theirs = source.documents(), target.documents()
    shown = [(d.title, d.sentence_count, d.characters, d.added_at) for d in ours]
    if shown != [(d.title, d.sentence_count, d.characters, d.added_at) for d in theirs]:
        problems.append(f"the articles differ ({len(ours)} here, {len(theirs)} in the copy)")
        return Comparison(len(ours), 0, 0, tuple(problems))
    texts: dict[int, str] = {}
    sentences = 0
    for mine, copy in zip(ours, theirs, strict=True):
        here = source.document_sentences(mine.id)
        there = target.document_sentences(copy.id)
        if [s.text for s in here] != [s.text for s in there]:
            problems.append(f"the sentences of {mine.label!r} differ")
        sentences += len(here)
        texts.update((s.id, s.text) for s in here)
    ids = sorted(texts)
    picked = [ids[int(n)] for n in np.linspace(0, len(ids) - 1, min(sample, len(ids)))] if ids else []
    if picked:
        queries = source.vectors(picked)
        for sentence_id, found_here, found_there in zip(
            picked, source.search(queries, 1), target.search(queries, 1), strict=True
        ):
            first_here = source.sentences([found_here[0][0]])[found_here[0][0]].text
            first_there = target.sentences([found_there[0][0]])[found_there[0][0]].text
            if first_here != first_there:
                problems.append(f"sentence {sentence_id} finds another sentence first in the copy")
    return Comparison(len(ours), sentences, len(picked), tuple(problems))
