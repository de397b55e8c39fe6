"""How raw page text is cleaned into a headline and body paragraphs, and how Arabic is normalised."""

from pathlib import Path

import pytest

from index.records import Span
from index.text import Article, clean_article, is_furniture, normalize_arabic, strip_span

SEED = (
    Path(__file__).resolve().parents[3] / "seeds" / "uk-allies-accuse-china-of-microsoft-exchange-hack.ar.txt"
)


def paragraphs_of(raw: str) -> list[str]:
    return [raw[span.start : span.end] for span in clean_article(raw).paragraphs]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("أحمد إبراهيم آمن ٱلله", "احمد ابراهيم امن الله", id="alef-forms"),
        pytest.param("على مستشفى", "علي مستشفي", id="alef-maqsura"),
        pytest.param("مدرسة الدولة", "مدرسه الدوله", id="taa-marbuta"),
        pytest.param("مُحَمَّدٌ أيضاً", "محمد ايضا", id="diacritics-and-tanwin"),
        pytest.param("مايكـــروسوفت", "مايكروسوفت", id="tatweel"),
        pytest.param("\u200fبكين\u061c \ufeffلندن\u202b\u2066", "بكين لندن", id="invisible-marks"),
        pytest.param("READ More Straße", "read more strasse", id="latin-casefold"),
        pytest.param("ﻻ ﺍﻟﺼﻴﻦ", "لا الصين", id="presentation-forms-nfkc"),
        pytest.param("اقرأ أيضاً", normalize_arabic("اقرا ايضا"), id="variants-meet"),
    ],
)
def test_normalize_arabic_folds_spelling_variants_for_matching(text, expected):
    assert normalize_arabic(text) == expected


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("مقالات ذات صلة", id="ar-related"),
        pytest.param("زر الذهاب إلى الأعلى", id="ar-back-to-top"),
        pytest.param("اقرأ أيضاً", id="ar-read-also"),
        pytest.param("اقرا ايضا", id="ar-read-also-unhamzated"),
        pytest.param(
            "اقرأ أيضاً: الصين تنفي الاتهامات البريطانية بشأن اختراق مايكروسوفت", id="ar-read-also-link"
        ),
        pytest.param("شاهد أيضاً", id="ar-watch-also"),
        pytest.param("تابعونا على فيسبوك وتويتر", id="ar-follow-us"),
        pytest.param("جميع الحقوق محفوظة © 2021 صحيفة الخليج", id="ar-copyright"),
        pytest.param("اشترك في النشرة البريدية", id="ar-newsletter"),
        pytest.param("التعليقات", id="ar-comments"),
        pytest.param("إعلان", id="ar-advertisement"),
        pytest.param("Related articles", id="en-related"),
        pytest.param("Read more", id="en-read-more"),
        pytest.param("Read also: China denies hacking claims", id="en-read-also-link"),
        pytest.param("Back to top", id="en-back-to-top"),
        pytest.param("Share this article", id="en-share"),
        pytest.param("Share on Facebook Twitter WhatsApp", id="en-share-buttons"),
        pytest.param("Follow us on Twitter", id="en-follow-us"),
        pytest.param("© 2024 BBC. All rights reserved.", id="en-copyright"),
        pytest.param("Sign up for our newsletter", id="en-newsletter"),
        pytest.param("ADVERTISEMENT", id="en-advertisement"),
        pytest.param("Comments", id="en-comments"),
        pytest.param("* * *", id="divider"),
    ],
)
def test_page_furniture_lines_are_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(
            "إعلان يوم الاثنين يمثل إسناد رسمي للمسؤولية من قبل الغرب.", id="ar-starts-with-advert-word"
        ),
        pytest.param("شارك الرئيس في القمة.", id="ar-share-verb"),
        pytest.param(
            "وقالت المصادر إن الشركة ستشارك في التحقيق وإن المتابعين سيقرؤون التقرير كاملاً.", id="ar-body"
        ),
        pytest.param("Share prices fell.", id="en-share-prices"),
        pytest.param(
            "Users were urged to share this article's advice with colleagues, follow the guidance from the "
            "NCSC and read more about patching Exchange servers before the end of the month.",
            id="en-long-paragraph-with-phrases",
        ),
        pytest.param("Microsoft said the group was based in China.", id="en-body"),
    ],
)
def test_body_text_that_merely_mentions_a_furniture_word_is_kept(line):
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("raw", "title", "paragraphs"),
    [
        pytest.param(
            "رئيسيشئون أوروبية\n\nالصين تنفي اتهامات الاختراق الواسعة\n\nنفت الصين الاتهامات.\n",
            "الصين تنفي اتهامات الاختراق الواسعة",
            ["نفت الصين الاتهامات."],
            id="ar-run-together-breadcrumb",
        ),
        pytest.param(
            "الرئيسية » أخبار » عربي\nالصين تنفي الاتهامات\nنفت الصين الاتهامات.",
            "الصين تنفي الاتهامات",
            ["نفت الصين الاتهامات."],
            id="ar-separated-breadcrumb",
        ),
        pytest.param(
            "Home > World > Europe\nChina denies the hacking claims\n\nChina denied the claims.",
            "China denies the hacking claims",
            ["China denied the claims."],
            id="en-separated-breadcrumb",
        ),
        pytest.param(
            "Home\nChina denies claims\nChina denied the claims.",
            "China denies claims",
            ["China denied the claims."],
            id="en-home-breadcrumb",
        ),
        pytest.param(
            "China denies claims\n\nChina denied the claims. It said so.\n\nBeijing was angry.",
            "China denies claims",
            ["China denied the claims. It said so.", "Beijing was angry."],
            id="en-headline-only",
        ),
        pytest.param(
            "China denied the claims. It said so.\n\nBeijing was angry.",
            None,
            ["China denied the claims. It said so.", "Beijing was angry."],
            id="en-plain-text-no-title",
        ),
        pytest.param(
            "نفت الصين الاتهامات.\nوقالت إنها بريئة.",
            None,
            ["نفت الصين الاتهامات.", "وقالت إنها بريئة."],
            id="ar-plain-text-no-title",
        ),
        pytest.param("جملة واحدة بلا نقطة", None, ["جملة واحدة بلا نقطة"], id="ar-lone-line-is-not-a-title"),
        pytest.param(
            "Who hacked Exchange?\nChina, say Britain and allies.",
            None,
            ["Who hacked Exchange?", "China, say Britain and allies."],
            id="en-question-first-line-is-body",
        ),
        pytest.param("", None, [], id="empty"),
        pytest.param(" \n\u200f\n\t", None, [], id="blank"),
    ],
)
def test_clean_article_finds_the_headline_and_drops_breadcrumbs(raw, title, paragraphs):
    article = clean_article(raw)

    assert article.title == title
    assert paragraphs_of(raw) == paragraphs
    if title is not None:
        assert raw[article.title_span.start : article.title_span.end] == title


@pytest.mark.parametrize(
    ("raw", "paragraphs"),
    [
        pytest.param(
            "العنوان هنا\nالفقرة الأولى.\nاقرأ أيضاً: خبر آخر عن الصين\nالفقرة الثانية.\n"
            "مقالات ذات صلة\nزر الذهاب إلى الأعلى",
            ["الفقرة الأولى.", "الفقرة الثانية."],
            id="ar-inline-and-trailing",
        ),
        pytest.param(
            "A headline here\nFirst paragraph.\nAdvertisement\nSecond paragraph.\nShare this\n"
            "Related articles\nBack to top\n© 2024 Sanad. All rights reserved.",
            ["First paragraph.", "Second paragraph."],
            id="en-inline-and-trailing",
        ),
    ],
)
def test_clean_article_drops_furniture_anywhere_in_the_page(raw, paragraphs):
    assert paragraphs_of(raw) == paragraphs


def test_paragraph_spans_are_exact_offsets_into_the_raw_text():
    raw = "Headline text\r\n\r\n  First paragraph.  \r\n\u200fثانياً فقرة.\u200f\r\n"

    article = clean_article(raw)

    assert article == Article(
        title="Headline text",
        title_span=Span(0, 13),
        paragraphs=(Span(19, 35), Span(40, 52)),
    )
    assert [raw[s.start : s.end] for s in article.paragraphs] == ["First paragraph.", "ثانياً فقرة."]


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        pytest.param("  abc  ", 0, 7, Span(2, 5), id="spaces"),
        pytest.param("\u200f\u061cنص\u200e\ufeff", 0, 6, Span(2, 4), id="bidi-marks"),
        pytest.param("x   y", 1, 4, Span(4, 4), id="only-blank"),
    ],
)
def test_strip_span_trims_whitespace_and_invisible_marks(text, start, end, expected):
    assert strip_span(text, start, end) == expected


def test_the_seed_article_has_its_headline_and_28_body_paragraphs():
    raw = SEED.read_text(encoding="utf-8")

    article = clean_article(raw)
    paragraphs = paragraphs_of(raw)

    assert article.title == "المملكة المتحدة وحلفاؤها تتهم مجموعة صينية تدعمها الدولة باختراق مايكروسوفت"
    assert raw[article.title_span.start : article.title_span.end] == article.title
    assert len(paragraphs) == 28
    assert paragraphs[0].startswith("انضمت بريطانيا إلى الولايات المتحدة")
    assert paragraphs[-1] == "كما ورفض المتحدث الإدلاء بمزيد من التفاصيل حول طبيعة الهجمات."
    assert "رئيسيشئون أوروبية" not in paragraphs
    assert "مقالات ذات صلة" not in paragraphs
    assert "زر الذهاب إلى الأعلى" not in paragraphs
