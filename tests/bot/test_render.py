"""Rendering answers as Telegram HTML: pure functions, checked with the fake server's port of Telegram's
own HTML parser (what Telegram would refuse, or count, is what these tests refuse or count)."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from bot.i18n import ARABIC, ENGLISH, TEXTS, Texts
from bot.lookup import Lookup
from bot.render import (
    MESSAGE_LIMIT,
    RLM,
    pack,
    plain_lines,
    render_add_error,
    render_added,
    render_answer,
    render_confirm_remove,
    render_context,
    render_help,
    render_inline,
    render_no_answer,
    render_notice,
    render_offer,
    render_others,
    render_refusal,
    render_removed,
    render_sources,
    render_welcome,
    shorten,
    visible_length,
)
from index import (
    Answer,
    BlockedAddressError,
    BrokenFileError,
    DeadLinkError,
    Document,
    EncryptedFileError,
    Hit,
    NoArticleError,
    RedirectLoopError,
    SlowPageError,
    TooLargeError,
    UnsupportedLinkError,
    UnsupportedTypeError,
)
from tests.support.builders import SENTENCES, TITLE, document, lookup, sentences, visible

ADD_ERRORS = [
    UnsupportedLinkError("file:"),
    BlockedAddressError("10.0.0.1"),
    DeadLinkError("404"),
    SlowPageError("slow"),
    RedirectLoopError("loop"),
    TooLargeError("big", limit=5_000_000),
    UnsupportedTypeError("pptx", kind=".pptx"),
    NoArticleError("none"),
    BrokenFileError("broken"),
    EncryptedFileError("locked"),
    RuntimeError("unexpected"),
]


def every_message(texts: Texts) -> list[str]:
    found = lookup([1, 0, 3, 2, 4])
    return [
        *render_answer(found, texts),
        render_context(found, texts),
        render_others(found, texts),
        render_no_answer("Who <b>won</b> & why?", texts),
        render_notice(texts.not_text, texts),
        render_refusal("???", texts),
        render_refusal("x" * 1200, texts),
        render_welcome([document()] * 12, texts),
        render_help(texts, mention="@sanad_test_bot"),
        *render_sources([document(), document("Harbour <reopens> & more")], [document()], texts),
        *render_sources([], [], texts),
        render_inline("Who denied the claims?", found.quotes[0], texts),
        render_added(document(), True, texts),
        render_added(document("1 <b>bold</b>"), False, texts),
        *(render_add_error(error, texts) for error in ADD_ERRORS),
        render_offer(texts, characters=12345),
        render_offer(texts, file_name="<script>.pdf"),
        render_confirm_remove(document(), texts),
        render_removed(document(), texts),
    ]


def test_quotes_are_blockquotes_followed_by_their_paragraph_in_the_readers_language() -> None:
    found = lookup([1, 0, 4])
    [english] = render_answer(found, ENGLISH)
    [arabic] = render_answer(found, ARABIC)
    assert english.count("<blockquote>") == 3
    assert f"<blockquote>{SENTENCES[1]}</blockquote>\n<i>— paragraph 2 of 5</i>" in english
    assert f"<blockquote>{SENTENCES[1]}</blockquote>\n<i>— الفقرة 2 من 5</i>" in arabic
    assert visible(english).startswith(f"📰 {TITLE}")


def test_the_answer_shows_the_first_quotes_and_other_matches_the_rest() -> None:
    found = lookup([1, 0, 4, 2, 3], shown=2)
    [answer] = render_answer(found, ENGLISH)
    others = render_others(found, ENGLISH)
    assert [s for s in SENTENCES if s in answer] == [SENTENCES[0], SENTENCES[1]]
    assert [s for s in SENTENCES if s in visible(others)] == [SENTENCES[2], SENTENCES[3], SENTENCES[4]]
    assert visible(others).startswith("Other matches:")


def test_more_context_shows_the_neighbours_with_the_best_quote_in_bold() -> None:
    text = render_context(lookup([3, 0]), ENGLISH)
    shown = visible(text)
    assert shown.startswith("Around the best quote:")
    assert [s for s in SENTENCES if s in shown] == SENTENCES[2:5]
    assert f"<b>{SENTENCES[3]}</b>" in text
    assert "paragraph 3 of 5" in shown and "paragraph 5 of 5" in shown


def test_the_question_words_are_bold_inside_the_quote_which_stays_exact() -> None:
    stored = sentences()
    quote = stored[1].text
    bold = (quote.index("ونفى"), quote.index("ونفى") + len("ونفى"))
    hit = Hit(stored[1], document(), 0.8, tuple(stored[:3]), (stored[1],), quote, (bold,))
    [text] = render_answer(Lookup(Answer("من نفى؟", (hit,), 0.8, 0.75), 1), ARABIC)
    assert "<blockquote><b>ونفى</b> المتحدث باسم" in text
    assert quote in visible(text)
    assert "<b>ونفى</b>" in render_inline("من نفى؟", hit, ARABIC)


def test_a_quote_running_over_two_sentences_is_one_blockquote_and_both_are_bold_in_context() -> None:
    stored = sentences()
    quote = f"{stored[1].text} {stored[2].text}"
    hit = Hit(stored[1], document(), 0.8, tuple(stored[:4]), (stored[1], stored[2]), quote, ())
    found = Lookup(Answer("q", (hit,), 0.8, 0.75), 1)
    [text] = render_answer(found, ENGLISH)
    assert f"<blockquote>{quote}</blockquote>" in text
    context = render_context(found, ENGLISH)
    assert f"<b>{stored[1].text}</b>" in context and f"<b>{stored[2].text}</b>" in context
    assert f"<b>{stored[0].text}</b>" not in context


def test_nothing_good_enough_is_said_plainly_with_a_hint_and_no_quote() -> None:
    text = render_answer(lookup([]), ENGLISH)
    assert len(text) == 1
    assert "<blockquote>" not in text[0]
    assert visible(text[0]) == (
        "Not in the article: no sentence answers “q” closely enough.\n"
        "Try other words, or see what is loaded with /sources."
    )


@pytest.mark.parametrize("question", ["<b>bold</b>", "<script>alert(1)</script>", "Tom & Jerry", "1 < 2 > 0"])
def test_html_in_a_question_is_shown_as_text(question: str) -> None:
    assert f"“{question}”" in visible(render_no_answer(question, ENGLISH))
    assert f"❓ {question}" in visible(render_inline(question, lookup([1]).quotes[0], ENGLISH))


def test_html_in_titles_and_quotes_is_shown_as_text() -> None:
    tricky = ["He said <i>no</i> & left.", "<blockquote>x</blockquote>"]
    stored = sentences(tricky)
    doc = document(title="Q&A <live>", sentence_count=2)
    found = Lookup(Answer("q", tuple(Hit(s, doc, 0.8, (s,)) for s in stored), 0.8, 0.7), 3)
    shown = visible(render_answer(found, ENGLISH)[0])
    assert "📰 Q&A <live>" in shown
    assert all(sentence in shown for sentence in tricky)


@pytest.mark.parametrize("texts", [ARABIC, ENGLISH], ids=["arabic", "english"])
def test_no_message_uses_the_bidi_embeddings_telegram_strips(texts: Texts) -> None:
    for message in every_message(texts):
        assert not set(message) & {chr(c) for c in range(0x202A, 0x202F)}
        visible(message)  # and Telegram accepts every one


def test_every_line_of_the_arabic_interface_starts_right_to_left() -> None:
    for message in every_message(ARABIC):
        for line in visible(message).split("\n"):
            if line.strip():
                first = next(c for c in line if unicodedata.bidirectional(c) in ("L", "R", "AL", "EN", "AN"))
                assert unicodedata.bidirectional(first) in ("R", "AL"), line


@pytest.mark.parametrize("texts", [ARABIC, ENGLISH], ids=["arabic", "english"])
def test_an_arabic_quote_starting_with_a_number_or_a_latin_word_is_marked_right_to_left(texts: Texts) -> None:
    text = render_answer(lookup([2, 3, 1]), texts)[0]
    assert f"<blockquote>{RLM}{SENTENCES[2]}</blockquote>" in text  # "2021 ..."
    assert f"<blockquote>{RLM}{SENTENCES[3]}</blockquote>" in text  # "Microsoft ..."
    assert f"<blockquote>{SENTENCES[1]}</blockquote>" in text  # starts with an Arabic letter: exact


def test_english_interface_lines_get_no_marks() -> None:
    text = render_answer(lookup([1]), ENGLISH)[0]
    assert RLM not in text


def test_long_answers_are_split_between_quotes_under_the_telegram_limit() -> None:
    long_sentences = [f"الجملة رقم {n} " + " ".join(["كلمة"] * 80) for n in range(40)]
    found = lookup(list(range(40)), shown=40, texts=long_sentences)
    parts = render_answer(found, ENGLISH)
    assert len(parts) > 1
    assert all(len(visible(part)) <= MESSAGE_LIMIT for part in parts)
    quoted = [sentence for part in parts for sentence in long_sentences if f">{sentence}<" in part]
    assert quoted == long_sentences  # each whole, once, in order


def test_a_quote_longer_than_a_message_is_cut_between_words() -> None:
    giant = " ".join(f"كلمة{n}" for n in range(2500))  # about 20,000 characters
    parts = render_answer(lookup([0], texts=[giant]), ARABIC)
    assert len(parts) >= 5
    assert all(len(visible(part)) <= MESSAGE_LIMIT for part in parts)
    words = [line for part in parts for line, quoted in plain_lines(part) if quoted]
    assert " ".join(words).split() == giant.split()
    assert visible(parts[-1]).endswith("الفقرة 1 من 1")


def test_pack_joins_blocks_until_the_limit() -> None:
    assert pack(["a", "b", "c"], limit=4) == ["a\n\nb", "c"]
    assert pack(["<b>ab</b>", "&amp;"], limit=5) == ["<b>ab</b>\n\n&amp;"]


def test_visible_length_counts_utf16_units_after_parsing() -> None:
    assert visible_length("<b>a &amp; b</b>") == 5
    assert visible_length("😀") == 2


def test_plain_lines_mark_quoted_lines_and_drop_markup_and_marks() -> None:
    html_text = f"<b>Title &amp; co</b>\n\n<blockquote>{RLM}2021 سنة</blockquote>\n<i>— paragraph 1 of 2</i>"
    assert plain_lines(html_text) == [
        ("Title & co", False),
        ("", False),
        ("2021 سنة", True),
        ("— paragraph 1 of 2", False),
    ]


def test_refused_questions_are_explained_in_the_readers_language() -> None:
    assert (
        visible(render_refusal("?!", ENGLISH))
        == "Ask a question in words, for example: Who denied the claims?"
    )
    assert "1,200 characters" in visible(render_refusal("x" * 1200, ENGLISH))
    assert visible(render_refusal("x" * 1200, ARABIC)).startswith("طول هذا السؤال 1,200 حرفًا")


def test_sources_number_the_chats_articles_and_list_the_shared_ones() -> None:
    bylined = Document(
        7, "Bridge", "en", None, "2026-03-02T10:00:00+00:00", 8, 900, 8, "2024-05-02", "Tom Ellis"
    )
    [text] = render_sources([document(), bylined], [document("Shared one")], ENGLISH)
    assert visible(text) == (
        f"This chat's articles:\n\n1. {TITLE}\n5 sentences, added 2026-03-01"
        "\n\n2. Bridge\n8 sentences, added 2026-03-02\nby Tom Ellis, 2024-05-02"
        "\n\nShared articles (every chat can ask about them):\n\n• Shared one\n5 sentences, added 2026-03-01"
    )
    [empty] = render_sources([], [], ARABIC)
    assert visible(empty) == (
        "مقالات هذه المحادثة:\n"
        "لا مقالات خاصة بهذه المحادثة بعد: أضف رابطًا بالأمر /add، أو أرسل ملفًا أو نص المقال."
    )


@pytest.mark.parametrize(
    ("error", "english"),
    [
        (UnsupportedLinkError("detail-0451"), "I can only add http and https links."),
        (BlockedAddressError("detail-0451"), "That link points to a private or local network address"),
        (DeadLinkError("detail-0451"), "I could not open that link"),
        (DeadLinkError("detail-0451", status=404), "That page answered 404: no such page."),
        (DeadLinkError("detail-0451", status=403), "That page answered 403: the site refuses to show it."),
        (DeadLinkError("detail-0451", status=503), "That page answered 503: the site has a problem"),
        (DeadLinkError("detail-0451", status=418), "I could not open that link"),
        (DeadLinkError("detail-0451", host="news.example"), "I could not find the site news.example."),
        (SlowPageError("detail-0451"), "That page took too long to load."),
        (RedirectLoopError("detail-0451"), "That link redirects too many times."),
        (TooLargeError("detail-0451", limit=5_000_000), "That is too big: the limit is 5 MB."),
        (TooLargeError("detail-0451", limit=200_000), "the limit is 200 KB."),
        (UnsupportedTypeError("detail-0451", kind=".pptx"), "I cannot read .pptx."),
        (UnsupportedTypeError("detail-0451", kind=""), "I cannot read a file without an extension."),
        (NoArticleError("detail-0451"), "I found no article text there."),
        (BrokenFileError("detail-0451"), "That file is empty or damaged."),
        (EncryptedFileError("detail-0451"), "That PDF is password-protected."),
        (RuntimeError("detail-0451"), "Sorry, I could not add that article."),
    ],
)
def test_each_refused_article_gets_its_own_message(error: Exception, english: str) -> None:
    text = visible(render_add_error(error, ENGLISH))
    assert text.startswith("⚠️ ") and english in text
    assert "detail-0451" not in text  # the exception's own words are for the log
    arabic = visible(render_add_error(error, ARABIC))
    assert arabic != text and unicodedata.bidirectional(arabic.lstrip("⚠️ " + RLM)[0]) == "AL"


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_a_file_of_no_known_kind_is_named_in_the_reader_s_language(language: str) -> None:
    texts = TEXTS[language]
    text = visible(render_add_error(UnsupportedTypeError("detail-0451", kind=""), texts))
    assert texts.unknown_kind in text
    assert language == "en" or ENGLISH.unknown_kind not in text


def test_an_added_article_is_named_with_its_size() -> None:
    assert visible(render_added(document(), True, ENGLISH)) == (
        f"✅ Added to this chat's library: {TITLE} (5 sentences). Ask me about it."
    )
    assert visible(render_added(document(), False, ENGLISH)) == f"☑️ Already in this chat's library: {TITLE}."
    one = document(sentence_count=1)
    assert visible(render_added(one, True, ENGLISH)).endswith("(1 sentence). Ask me about it.")
    assert visible(render_added(one, True, ARABIC)).endswith("(عدد الجمل 1). اسألني عنه.")
    assert "1 sentence, added 2026-03-01" in visible(render_sources([one], [], ENGLISH)[0])


def test_quotes_from_two_libraries_name_each_article_even_when_their_ids_match() -> None:
    stored = sentences()
    chat_article, shared_article = document("Chat article"), document("Shared article")
    assert chat_article.id == shared_article.id  # each library numbers its articles from 1
    hits = (
        Hit(stored[0], chat_article, 0.9, (stored[0],)),
        Hit(stored[1], shared_article, 0.8, (stored[1],)),
    )
    [text] = render_answer(Lookup(Answer("q", hits, 0.9, 0.7), 2), ENGLISH)
    assert visible(text).count("📰") == 2
    assert "📰 Chat article" in visible(text) and "📰 Shared article" in visible(text)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("one  two\nthree", 20, "one two three"),
        ("alpha beta gamma delta", 15, "alpha beta…"),
        ("x" * 30, 10, "x" * 9 + "…"),
    ],
)
def test_shorten_cuts_at_a_word_and_says_so(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected


def test_a_large_library_is_summed_up_in_the_welcome_and_listed_in_full_by_sources() -> None:
    documents = [
        Document(n, f"Article number {n} " + "x" * 150, "en", None, "2026-03-01T10:00:00+00:00", 10, 1000, 4)
        for n in range(1, 201)
    ]
    welcome = visible(render_welcome(documents, ENGLISH))
    assert "Article number 10 " in welcome and "Article number 11 " not in welcome
    assert "…and 190 more: /sources lists them all." in welcome
    parts = render_sources(documents, [], ENGLISH)
    assert len(parts) > 1 and all(len(visible(part)) <= MESSAGE_LIMIT for part in parts)
    assert sum(visible(part).count("Article number") for part in parts) == 200


@pytest.mark.parametrize(
    ("doubt", "language"),
    [("close", "en"), ("unsure", "en"), ("unsure", "ar"), ("close", "fr"), ("unsure", "ru")],
)
def test_an_answer_in_doubt_says_so_before_its_quotes(doubt: str, language: str) -> None:
    texts = TEXTS[language]
    found = lookup([1, 0])
    margins = (0.5, 0.45) if doubt == "close" else (0.05, 0.01)
    hits = tuple(dataclasses.replace(h, margin=m) for h, m in zip(found.answer.hits, margins, strict=True))
    doubtful = Lookup(dataclasses.replace(found.answer, hits=hits, sure=0.2), found.shown)
    [message] = render_answer(doubtful, texts)
    note = texts.doubt_close if doubt == "close" else texts.doubt_unsure
    assert visible(message).splitlines()[0].strip("\u200f") == note
    assert visible(render_answer(found, texts)[0]).splitlines()[0] != note  # no calibration: no note
