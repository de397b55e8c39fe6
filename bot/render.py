"""Lookups and notices -> Telegram HTML messages. Pure functions: no I/O, no python-telegram-bot.

Three things Telegram is strict or subtle about, handled here once for every message:

- Escaping. Everything not written in this module (questions, titles, quotes, interface strings) is
  escaped, so a question containing "<b>", "<script>" or "&" is just text; one stray "<" would make
  Telegram refuse the whole message.
- Direction. Telegram sets each paragraph's direction from its first strong character. Interface lines
  in a right-to-left language, and right-to-left quotes, that would start with a number or a Latin word
  get a RIGHT-TO-LEFT MARK (U+200F) in front. Never U+202A..U+202E: Telegram strips them. A quote that
  already starts with an Arabic letter is left exactly as the article has it.
- Length. A message holds 4096 characters of visible text (counted here in UTF-16 units, which is never
  fewer). Messages are made of blocks (a heading, a quote with its place) and cut between blocks; a quote
  longer than a message is cut between words into several blockquotes.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import groupby

from bot.i18n import Texts
from bot.links import page_of, sentence_link
from bot.lookup import Lookup
from index import (
    BlockedAddressError,
    BrokenFileError,
    ChatLibraryError,
    DeadLinkError,
    Document,
    EncryptedFileError,
    Hit,
    NoArticleError,
    NoOcrError,
    RedirectLoopError,
    ScanTooLargeError,
    SlowPageError,
    TooLargeError,
    TooShortError,
    UnsupportedLinkError,
    UnsupportedTypeError,
    without_invisible,
)

MESSAGE_LIMIT = 4096
RLM = "\u200f"
TITLE_LIMIT = 200  # characters of an article title shown
ECHO_LIMIT = 300  # characters of a question repeated back
WELCOME_TITLES = 10  # article titles the welcome names; /sources lists them all
INLINE_QUOTE_LIMIT = 3000  # characters of a quote in a shared inline message
INLINE_TITLE_LIMIT = 120  # characters of a quote in the inline results list
QUESTION_LIMIT = 1000  # the index refuses longer questions (index.search.searcher.MAX_QUESTION_CHARS)

_GAP = "\n\n"
_TAG = re.compile(r"<[^>]*>")
_STRONG_OR_NUMBER = frozenset({"L", "R", "AL", "EN", "AN"})

Piece = tuple[str, bool]  # a run of quoted text and whether it is bold

# Each refusal of an article, most specific first, and the interface string that explains it.
_ADD_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (EncryptedFileError, "encrypted_file"),
    (BrokenFileError, "broken_file"),
    (TooLargeError, "too_large"),
    (TooShortError, "too_short"),
    (UnsupportedTypeError, "unsupported_type"),
    (UnsupportedLinkError, "unsupported_link"),
    (BlockedAddressError, "blocked_address"),
    (SlowPageError, "slow_page"),
    (RedirectLoopError, "redirect_loop"),
    (DeadLinkError, "dead_link"),
    (NoArticleError, "no_article"),
    (NoOcrError, "no_ocr"),
    (ScanTooLargeError, "scan_too_large"),
)


# ----------------------------------------------------------------------------- messages


def render_answer(lookup: Lookup, texts: Texts, *, about: str | None = None) -> list[str]:
    """The answer to a question: its quotes with article and paragraph, or "not in the article"; a
    note first when the quotes are in doubt (two could answer, or the best may not). `about`: the title
    of the one article a follow-up question was asked of.

    Usually one message; more only when the quotes do not fit in one.
    """
    damaged = lookup.answer.unavailable
    warning = [render_damaged(damaged.chat_id, texts)] if damaged else []
    if about is not None:
        warning.append(_line(texts.follow_up.format(title=shorten(about, TITLE_LIMIT)), texts.rtl, tag="i"))
    if not lookup.quotes:
        return pack([*warning, render_no_answer(lookup.answer.question, texts)])
    doubt = {"close": texts.doubt_close, "unsure": texts.doubt_unsure}.get(lookup.answer.doubt or "")
    notes = [_line(doubt, texts.rtl, tag="i")] if doubt else []
    return pack([*warning, *notes, *_hit_blocks(lookup.quotes, lookup, texts)])


def count_sentences(count: int, texts: Texts) -> str:
    """ "1 sentence", "7 sentences", in the interface language."""
    one, other = texts.sentence_count
    return (one if count == 1 else other).format(count=count)


def render_damaged(chat_id: int, texts: Texts) -> str:
    """That the chat's own articles cannot be searched, and how an admin repairs them."""
    return render_notice(f"⚠️ {texts.chat_library_damaged.format(chat_id=chat_id)}", texts)


def render_context(lookup: Lookup, texts: Texts) -> str:
    """The sentences around the best quote, paragraph by paragraph, the quote itself in bold."""
    best = lookup.quotes[0]
    blocks = [_line(texts.context_heading, texts.rtl, tag="b"), _title(best.document)]
    quoted = {sentence.id for sentence in best.quoted} | {best.sentence.id}
    for paragraph, sentences in groupby(best.context, key=lambda sentence: sentence.paragraph):
        pieces: list[Piece] = []
        for sentence in sentences:
            pieces += [(" ", False)] if pieces else []
            pieces.append((sentence.text, sentence.id in quoted))
        blocks += _quote(pieces, _paragraph(paragraph, best.document, texts), texts)
    return pack(blocks)[0]


def render_others(lookup: Lookup, texts: Texts) -> str:
    """The next best sentences after the quotes the answer shows."""
    heading = _line(texts.others_heading, texts.rtl, tag="b")
    return pack([heading, *_hit_blocks(lookup.others, lookup, texts)])[0]


def render_no_answer(question: str, texts: Texts) -> str:
    """A short "not in the article" with a hint; never a random sentence."""
    echoed = echo(question)
    return _lines([texts.no_answer.format(question=echoed), texts.no_answer_hint], texts)


def render_refusal(question: str, texts: Texts) -> str:
    """Why the index refused a question (its InputError): it has no letters, or it is too long."""
    if any(char.isalnum() for char in question):
        return render_notice(texts.too_long.format(length=len(question.strip()), limit=QUESTION_LIMIT), texts)
    return render_notice(texts.no_letters.format(example=texts.examples[0]), texts)


def render_notice(text: str, texts: Texts) -> str:
    """A hint or an error in the interface language."""
    return _lines(text.split("\n"), texts)


def render_welcome(documents: Sequence[Document], texts: Texts) -> str:
    """What the bot does and what is loaded (the first few titles); the examples come as buttons."""
    lines = [
        _line(f"👋 {texts.welcome}", texts.rtl),
        "",
        _line(texts.loaded, texts.rtl, tag="b"),
        *(_title(document, tag=None) for document in documents[:WELCOME_TITLES]),
    ]
    if len(documents) > WELCOME_TITLES:
        lines.append(_line(texts.more_articles.format(count=len(documents) - WELCOME_TITLES), texts.rtl))
    lines += ["", _line(texts.try_examples, texts.rtl)]
    return "\n".join(lines)


def render_help(texts: Texts, *, mention: str) -> str:
    """How to ask, in private, in groups and inline; `mention` is the bot's @username."""
    return _GAP.join(_line(line.format(mention=mention), texts.rtl) for line in texts.help)


def render_sources(
    own: Sequence[Document], shared: Sequence[Document], texts: Texts, *, damaged: int | None = None
) -> list[str]:
    """The chat's own articles, numbered as /remove takes them (title, date added, sentence count, and
    author and date when known), then the shared articles every chat can ask about. `damaged`: the
    chat id whose own library could not be read, said instead of its list."""
    blocks = [_line(texts.chat_sources_heading, texts.rtl, tag="b")]
    if damaged is not None:
        blocks.append(render_damaged(damaged, texts))
    elif not own:
        blocks[0] += "\n" + _line(texts.no_chat_sources, texts.rtl)
    for number, document in enumerate(own, start=1):
        blocks.append(_listed(f"{number}.", document, texts))
    if shared:
        blocks.append(_line(texts.shared_sources_heading, texts.rtl, tag="b"))
        blocks += [_listed("•", document, texts) for document in shared]
    return pack(blocks)


def render_added(document: Document, new: bool, texts: Texts) -> str:
    """What became of an add: the article's title and size, or that it was there already."""
    title = shorten(document.label, TITLE_LIMIT)
    if not new:
        return render_notice(f"☑️ {texts.already_added.format(title=title)}", texts)
    sentences = count_sentences(document.sentence_count, texts)
    return render_notice(f"✅ {texts.added.format(title=title, sentences=sentences)}", texts)


def render_add_error(error: Exception, texts: Texts) -> str:
    """Why an article could not be added, in the user's language: one message per kind of failure."""
    if isinstance(error, ChatLibraryError):
        return render_damaged(error.chat_id, texts)
    for kind, field in _ADD_ERRORS:
        if isinstance(error, kind):
            text: str = getattr(texts, field)
            if isinstance(error, TooLargeError):
                text = text.format(limit=_size(error.limit))
            elif isinstance(error, DeadLinkError) and not isinstance(
                error, SlowPageError | RedirectLoopError
            ):
                text = _dead_link(error, texts)
            elif isinstance(error, TooShortError):
                text = text.format(characters=error.characters, minimum=error.minimum)
            elif isinstance(error, UnsupportedTypeError):
                text = text.format(kind=error.kind or texts.unknown_kind)
            return render_notice(f"⚠️ {text}", texts)
    return render_notice(f"⚠️ {texts.add_failed}", texts)


def _dead_link(error: DeadLinkError, texts: Texts) -> str:
    """Why a link gave no page, as precisely as the fetcher knew: the status and what it means, or
    the host that was not found."""
    if error.status is not None:
        meaning = dict(texts.statuses).get(error.status)
        if meaning is None and error.status >= 500:
            meaning = texts.status_server
        if meaning is not None:
            return texts.dead_link_status.format(status=error.status, meaning=meaning)
    if error.host:
        return texts.dead_link_host.format(host=error.host)
    return texts.dead_link


def render_offer(
    texts: Texts,
    *,
    characters: int | None = None,
    file_name: str | None = None,
    parts: int = 1,
    photo: bool = False,
) -> str:
    """The question under pasted text (in `parts` messages), a file or a photo: add it to the library?
    (a button answers)."""
    if photo:
        return render_notice(texts.offer_photo, texts)
    if file_name is not None:
        return render_notice(texts.offer_file.format(name=shorten(file_name, TITLE_LIMIT)), texts)
    if parts > 1:
        return render_notice(texts.offer_parts.format(characters=characters or 0, parts=parts), texts)
    return render_notice(texts.offer_text.format(characters=characters or 0), texts)


def render_confirm_remove(document: Document, texts: Texts) -> str:
    return render_notice(texts.confirm_remove.format(title=shorten(document.label, TITLE_LIMIT)), texts)


def render_removed(document: Document, texts: Texts) -> str:
    return render_notice(f"🗑 {texts.removed.format(title=shorten(document.label, TITLE_LIMIT))}", texts)


def render_inline(question: str, hit: Hit, texts: Texts) -> str:
    """The message an inline result sends into a chat: the question, one quote and its place."""
    pieces = (
        highlighted(hit)
        if len(hit.text) <= INLINE_QUOTE_LIMIT
        else [(shorten(hit.text, INLINE_QUOTE_LIMIT), False)]
    )
    blocks = [
        _line(f"❓ {echo(question)}", _mostly_rtl(question) or texts.rtl, tag="b"),
        _title(hit.document),
        *_quote(pieces, place(hit, texts), texts),
    ]
    return pack(blocks)[0]


def highlighted(hit: Hit) -> list[Piece]:
    """The quote in runs of plain and bold text: bold where it holds the question's words."""
    pieces: list[Piece] = []
    at = 0
    for start, end in hit.highlights:
        pieces += [(hit.text[at:start], False)] if start > at else []
        pieces.append((hit.text[start:end], True))
        at = end
    pieces += [(hit.text[at:], False)] if at < len(hit.text) else []
    return pieces


def place(hit: Hit, texts: Texts) -> str:
    """Where a quote stands, as plain text: "paragraph 7 of 28"."""
    return _paragraph(hit.sentence.paragraph, hit.document, texts)


def echo(question: str) -> str:
    """A user's question as repeated back: on one line, without invisible controls, shortened."""
    # Zero-width and direction controls a user may type (or paste) are dropped, so that the question
    # cannot turn the direction of what follows it (this module sets direction itself).
    return shorten(without_invisible(question), ECHO_LIMIT)


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with "…" when longer than `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut + "…"


# ----------------------------------------------------------------------------- length


def pack(blocks: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit, each under `limit` visible characters.

    Every block must fit in a message by itself; the builders here make sure of that.
    """
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        length = visible_length(block)
        if current and size + len(_GAP) + length > limit:
            parts.append(_GAP.join(current))
            current, size = [], 0
        size += length + (len(_GAP) if current else 0)
        current.append(block)
    if current:
        parts.append(_GAP.join(current))
    return parts


def visible_length(html_text: str) -> int:
    """The length Telegram counts: tags removed, entities decoded, in UTF-16 units."""
    return _utf16(html.unescape(_TAG.sub("", html_text)))


# ----------------------------------------------------------------------------- terminals


def plain_lines(html_text: str) -> list[tuple[str, bool]]:
    """The visible lines of a message rendered here, each with whether it lies inside a quote.

    For showing the same messages in a terminal; direction marks are dropped (terminals lay text out
    their own way, and an invisible mark would spoil a copied quote).
    """
    lines: list[tuple[str, bool]] = []
    current: list[str] = []
    quoted = line_quoted = False
    for token in re.split(r"(<[^>]*>)", html_text):
        if token.startswith("<"):
            if token.strip("</>").split()[0] == "blockquote":
                quoted = not token.startswith("</")
                line_quoted = line_quoted or (quoted and not "".join(current))
            continue
        for number, piece in enumerate(html.unescape(token).split("\n")):
            if number:
                lines.append(("".join(current), line_quoted))
                current, line_quoted = [], quoted
            current.append(piece.replace(RLM, ""))
    lines.append(("".join(current), line_quoted))
    return lines


# ----------------------------------------------------------------------------- blocks


def _hit_blocks(hits: Iterable[Hit], lookup: Lookup, texts: Texts) -> list[str]:
    """A title block whenever the article changes, then each hit as a quote with its place."""
    blocks: list[str] = []
    document = None
    for hit in hits:
        if hit.document != document:  # compared whole: the chat's and the shared library reuse ids
            blocks.append(_title(hit.document))
            document = hit.document
        page = page_of(hit.document)
        href = sentence_link(page, hit.text) if page else None  # opens the page at the quote
        blocks += _quote(highlighted(hit), place(hit, texts), texts, href=href)
    return blocks


def _listed(marker: str, document: Document, texts: Texts) -> str:
    """One article in a list: its number or bullet and title, then its details in italics."""
    label = shorten(document.label, TITLE_LIMIT)
    heading = _marked(
        f"{marker} {label}", f"{marker} {_linked(f'<b>{_escape(label)}</b>', document)}", texts.rtl
    )
    sentences = count_sentences(document.sentence_count, texts)
    details = [texts.article_details.format(sentences=sentences, added=document.added_at[:10])]
    if document.author and document.published:
        details.append(texts.article_byline.format(author=document.author, published=document.published[:10]))
    return heading + "".join("\n" + _line(line, texts.rtl, tag="i") for line in details)


def _size(limit: int) -> str:
    """Bytes as people say them: "5 MB", "200 KB"."""
    for unit, scale in (("MB", 1_000_000), ("KB", 1_000)):
        if limit >= scale:
            return f"{limit / scale:.3g} {unit}"
    return f"{limit} B"


def _title(document: Document, *, tag: str | None = "b") -> str:
    """The article's title, in its own direction whatever the interface language."""
    label = shorten(document.label, TITLE_LIMIT)
    return _marked(f"📰 {label}", f"📰 {_linked(_wrap(_escape(label), tag), document)}", _mostly_rtl(label))


def _linked(body: str, document: Document) -> str:
    """`body` as a link to the article's page, when it came from one."""
    page = page_of(document)
    return f'<a href="{html.escape(page)}">{body}</a>' if page else body


def _paragraph(paragraph: int, document: Document, texts: Texts) -> str:
    """Where a quote stands, and that its text was read by OCR when it was (it may hold misreadings)."""
    where = texts.paragraph.format(number=paragraph + 1, total=document.paragraph_count)
    return f"{where} · {texts.read_by_ocr}" if document.read_by == "ocr" else where


def _quote(pieces: Sequence[Piece], footer: str, texts: Texts, *, href: str | None = None) -> list[str]:
    """Blockquote(s) of `pieces` followed by the `footer` line (where the quote stands), which links
    to `href` when given.

    More than one blockquote only when the text is longer than a message can hold.
    """
    footer_line = _line(f"— {footer}", texts.rtl, tag="i")
    if href is not None:
        footer_line = _marked(
            f"— {footer}", f'<i>— <a href="{html.escape(href)}">{_escape(footer)}</a></i>', texts.rtl
        )
    budget = MESSAGE_LIMIT - visible_length(footer_line) - 8
    chunks = [(chunk, bold) for text, bold in pieces for chunk in _chop(text, budget)]
    groups: list[list[Piece]] = [[]]
    size = 0
    for chunk, bold in chunks:
        length = _utf16(chunk)
        if groups[-1] and size + length > budget:
            groups.append([])
            size = 0
        groups[-1].append((chunk, bold))
        size += length
    blocks = [_blockquote(group) for group in groups]
    blocks[-1] += "\n" + footer_line
    return blocks


def _blockquote(pieces: Sequence[Piece]) -> str:
    text = "".join(chunk for chunk, _ in pieces)
    body = "".join(f"<b>{_escape(chunk)}</b>" if bold else _escape(chunk) for chunk, bold in pieces)
    return f"<blockquote>{_mark(text, _mostly_rtl(text))}{body}</blockquote>"


def _chop(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` UTF-16 units that join back into it exactly, cut after the
    spaces between words where there are any."""
    pieces: list[str] = []
    current = ""
    for word in re.findall(r"\S*\s*", text)[:-1] or [text]:
        if _utf16(current + word) <= size:
            current += word
            continue
        if current:
            pieces.append(current)
        while _utf16(word) > size:  # a "word" longer than a message: cut it anywhere
            pieces.append(word[: size // 2])
            word = word[size // 2 :]
        current = word
    if current:
        pieces.append(current)
    return pieces


# ----------------------------------------------------------------------------- lines


def _lines(lines: Iterable[str], texts: Texts) -> str:
    return "\n".join(_line(line, texts.rtl) for line in lines)


def _line(text: str, rtl: bool, *, tag: str | None = None) -> str:
    """One escaped line, marked right-to-left when it should read so but would not start that way."""
    return _marked(text, _wrap(_escape(text), tag), rtl)


def _marked(plain: str, body: str, rtl: bool) -> str:
    """`body`, the HTML of the visible line `plain`, with a leading RLM where `_mark` asks for one."""
    return _mark(plain, rtl) + body


def _wrap(body: str, tag: str | None) -> str:
    return f"<{tag}>{body}</{tag}>" if tag and body.strip() else body


def _mark(text: str, rtl: bool) -> str:
    """RLM when a right-to-left line starts (in its first strong letter or digit) otherwise."""
    return RLM if rtl and _first_direction(text) not in ("R", "AL") else ""


def _first_direction(text: str) -> str | None:
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in _STRONG_OR_NUMBER:
            return kind
    return None


def _mostly_rtl(text: str) -> bool:
    kinds = [unicodedata.bidirectional(char) for char in text]
    rtl = sum(kind in ("R", "AL") for kind in kinds)
    return rtl > kinds.count("L")


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
