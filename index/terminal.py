"""Plain-text rendering for terminals, which mostly lay out right-to-left text the wrong way round.

Most terminals print characters in storage order, so Arabic reads backwards. When output goes to such
a terminal, each wrapped line is reordered for display with the Unicode bidi algorithm; pipes and
files get the text in logical order, untouched, so copy and paste and `grep` still work.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import TextIO

from index.search import Answer, Hit

# Terminals that run the bidi algorithm themselves (reordering again would undo it).
_BIDI_AWARE_TERMINALS = ("mlterm",)


def needs_reordering(stream: TextIO) -> bool:
    """Reorder only for a real terminal that does not do bidi itself; SANAD_BIDI=on|off overrides."""
    setting = os.environ.get("SANAD_BIDI", "auto").lower()
    if setting in ("on", "off"):
        return setting == "on"
    if not stream.isatty():
        return False
    return not os.environ.get("TERM", "").startswith(_BIDI_AWARE_TERMINALS)


def for_terminal(text: str, *, indent: str = "", stream: TextIO | None = None) -> str:
    """Wrap `text` to the terminal width and, where needed, reorder each line for display."""
    stream = stream or sys.stdout
    width = max(40, shutil.get_terminal_size((100, 24)).columns) - len(indent)
    lines = textwrap.wrap(text, width=width) or [""]
    if needs_reordering(stream):
        from bidi import get_display

        lines = [_align_rtl(get_display(line), width) if _is_rtl(line) else line for line in lines]
    return "\n".join(indent + line for line in lines)


def format_answer(answer: Answer, *, stream: TextIO | None = None) -> str:
    """A readable answer: numbered quotes with their article and place, or a plain no."""
    parts = [f"Q: {answer.question}"]
    if answer.no_answer:
        parts.append(
            "Not in the library: no sentence answers this closely enough."
            + _score_note(answer)
            + " Try other words, or add the article that covers it (sanad add FILE)."
        )
    if answer.doubt == "close":
        parts.append("Two sentences could answer this: check both.")
    elif answer.doubt == "unsure":
        parts.append("Not sure: this is the closest sentence, but it may not answer the question.")
    for number, hit in enumerate(answer.hits, start=1):
        parts.append(f"{number}. score {hit.score:.3f}")
        parts.append(for_terminal(hit.text, indent="   ", stream=stream))
        parts.append(for_terminal(f"— {where(hit)}", indent="   ", stream=stream))
    return "\n".join(parts)


def where(hit: Hit) -> str:
    """Where a quote stands: article, paragraph and sentence, counted from 1."""
    document = hit.document
    return (
        f"{document.label} · paragraph {hit.sentence.paragraph + 1},"
        f" sentence {hit.sentence.position + 1} of {document.sentence_count}"
    )


def _score_note(answer: Answer) -> str:
    if answer.best_score is None or answer.threshold is None:
        return ""
    return f" (best match {answer.best_score:.3f}, needs {answer.threshold:.3f})"


def _is_rtl(text: str) -> bool:
    from unicodedata import bidirectional

    for ch in text:
        kind = bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _align_rtl(line: str, width: int) -> str:
    return line.rjust(width)
