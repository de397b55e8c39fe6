"""How the sentence splitter cuts Arabic and English news text.

Every table row is one rule, shown on a paragraph and the exact sentences it must give.
"""

from pathlib import Path

import pytest

from index.records import Sentence, Span
from index.text import SplitArticle, split_article, split_sentences

SEED = (
    Path(__file__).resolve().parents[3] / "seeds" / "uk-allies-accuse-china-of-microsoft-exchange-hack.ar.txt"
)


def sentences_of(text: str) -> list[str]:
    return [text[span.start : span.end] for span in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "It rained. The match went on.", ["It rained.", "The match went on."], id="en-full-stop"
        ),
        pytest.param("هطل المطر. واستمرت المباراة.", ["هطل المطر.", "واستمرت المباراة."], id="ar-full-stop"),
        pytest.param(
            "Who denied it? Beijing did!", ["Who denied it?", "Beijing did!"], id="en-question-bang"
        ),
        pytest.param("من نفى ذلك؟ نفته بكين!", ["من نفى ذلك؟", "نفته بكين!"], id="ar-question-mark"),
        pytest.param("Really?! Yes.", ["Really?!", "Yes."], id="en-run-of-marks"),
        pytest.param("حقاً؟! نعم.", ["حقاً؟!", "نعم."], id="ar-run-of-marks"),
        pytest.param("We waited... Nothing came.", ["We waited...", "Nothing came."], id="en-dots"),
        pytest.param("انتظرنا… ولم يأت أحد.", ["انتظرنا…", "ولم يأت أحد."], id="ar-ellipsis"),
        pytest.param("A short one", ["A short one"], id="en-no-terminator"),
        pytest.param("جملة بلا نقطة", ["جملة بلا نقطة"], id="ar-no-terminator"),
    ],
)
def test_a_sentence_ends_at_full_stops_question_and_exclamation_marks(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('He said "stop." Then he left.', ['He said "stop."', "Then he left."], id="en-straight"),
        pytest.param("He said “stop.” Then he left.", ["He said “stop.”", "Then he left."], id="en-curly"),
        pytest.param("(See above.) Next one.", ["(See above.)", "Next one."], id="en-bracket"),
        pytest.param("قال إنه «مستعد.» ثم غادر.", ["قال إنه «مستعد.»", "ثم غادر."], id="ar-guillemets"),
        pytest.param("قال إنه “مستعد.” ثم غادر.", ["قال إنه “مستعد.”", "ثم غادر."], id="ar-curly"),
        # Arabic typists often close a quote with the opening mark “ (as the seed article does).
        pytest.param("قال إن الأمر “خطير.“ وغادر.", ["قال إن الأمر “خطير.“", "وغادر."], id="ar-reversed"),
        pytest.param('He said."Next one" here.', ["He said.", '"Next one" here.'], id="en-glued-opening"),
    ],
)
def test_closing_quotes_and_brackets_stay_with_the_sentence_they_close(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("في أوائل مارس، أصدرت مايكروسوفت تصحيحًا.", id="ar-comma"),
        pytest.param("لم تفعل ذلك بالفعل؛ 8٪ من الشركات لم تفعل.", id="ar-semicolon"),
        pytest.param("وأضاف: “يجب أن نشعر بالقلق” من القرار.", id="ar-colon-after-speech-verb"),
        pytest.param('He added: "We must worry" about it.', id="en-colon-after-speech-verb"),
        pytest.param("Apples, pears; plums: all fruit.", id="en-comma-semicolon-colon"),
    ],
)
def test_commas_semicolons_and_colons_never_end_a_sentence(text):
    assert sentences_of(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Growth was 2.5 percent and 1.5m jobs.", id="en-decimal"),
        pytest.param("Prices rose 3,000 times.", id="en-thousands"),
        pytest.param("بلغت النسبة 8٪ من الشركات.", id="ar-percent"),
        pytest.param("بلغ النمو ٢٫٧ بالمئة.", id="ar-decimal-separator"),
        pytest.param("بلغ النمو 2.7 بالمئة.", id="ar-western-decimal"),
        pytest.param("Version v1.2.3 is out.", id="en-version"),
    ],
)
def test_numbers_never_split(text):
    assert sentences_of(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("التقى د. محمد بالوزير.", ["التقى د. محمد بالوزير."], id="ar-doctor"),
        pytest.param("حاضر أ.د. علي أمس.", ["حاضر أ.د. علي أمس."], id="ar-professor"),
        pytest.param(
            "راسلونا على ص.ب. 1234 في الرياض.", ["راسلونا على ص.ب. 1234 في الرياض."], id="ar-po-box"
        ),
        pytest.param(
            "راسلونا على ص.ب 1234 في الرياض.", ["راسلونا على ص.ب 1234 في الرياض."], id="ar-po-box-bare"
        ),
        pytest.param("حضر م. أحمد الاجتماع.", ["حضر م. أحمد الاجتماع."], id="ar-engineer"),
        pytest.param("وُلد عام 1380 هـ. في مكة", ["وُلد عام 1380 هـ.", "في مكة"], id="ar-hijri-after-year"),
        pytest.param("كتب هـ. سالم المقال.", ["كتب هـ. سالم المقال."], id="ar-hijri-alone"),
        pytest.param("Dr. Smith met Mr. Jones.", ["Dr. Smith met Mr. Jones."], id="en-dr-mr"),
        pytest.param(
            "Mrs. Brown and Ms. Green met Prof. White.",
            ["Mrs. Brown and Ms. Green met Prof. White."],
            id="en-mrs-ms-prof",
        ),
        pytest.param("They prayed at St. Paul's.", ["They prayed at St. Paul's."], id="en-saint"),
        pytest.param(
            "He lives at No. 10 Downing Street.", ["He lives at No. 10 Downing Street."], id="en-number"
        ),
        pytest.param(
            "The answer was No. Then he left.", ["The answer was No.", "Then he left."], id="en-no-word"
        ),
        pytest.param(
            "It opened on Jan. 5 and closed Dec. 6.",
            ["It opened on Jan. 5 and closed Dec. 6."],
            id="en-months",
        ),
        pytest.param("It was Britain vs. China.", ["It was Britain vs. China."], id="en-versus"),
        pytest.param(
            "Use fruit, e.g. Apples, i.e. Red ones.",
            ["Use fruit, e.g. Apples, i.e. Red ones."],
            id="en-eg-ie",
        ),
        pytest.param(
            "Apples, pears, etc. and plums.", ["Apples, pears, etc. and plums."], id="en-etc-lowercase"
        ),
        pytest.param(
            "Apples, pears, etc. Then plums.", ["Apples, pears, etc.", "Then plums."], id="en-etc-end"
        ),
        pytest.param("It cost more, etc., in 2020.", ["It cost more, etc., in 2020."], id="en-etc-comma"),
    ],
)
def test_abbreviations_do_not_end_a_sentence(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "وانتهى ذلك عام 2023م. وقال الوزير إنه راض.",
            ["وانتهى ذلك عام 2023م.", "وقال الوزير إنه راض."],
            id="ar-year-glued",
        ),
        pytest.param(
            "وانتهى ذلك عام 2023 م. وقال الوزير إنه راض.",
            ["وانتهى ذلك عام 2023 م.", "وقال الوزير إنه راض."],
            id="ar-year-spaced",
        ),
        pytest.param("بدأ في 2021م، واستمر.", ["بدأ في 2021م، واستمر."], id="ar-year-mid-sentence"),
    ],
)
def test_a_gregorian_year_mark_ends_a_sentence_when_a_new_one_follows(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "J. K. Rowling wrote it. A. Smith read it.",
            ["J. K. Rowling wrote it.", "A. Smith read it."],
            id="en-initials",
        ),
        pytest.param(
            "حضر أ. محمد الاجتماع. ثم غادر.", ["حضر أ. محمد الاجتماع.", "ثم غادر."], id="ar-initial"
        ),
        pytest.param(
            "The U.S. and U.K. agreed. N.A.T.O. members met.",
            ["The U.S. and U.K. agreed.", "N.A.T.O. members met."],
            id="en-dotted-acronyms",
        ),
        pytest.param(
            "Officials in the U.S. Congress agreed.",
            ["Officials in the U.S. Congress agreed."],
            id="en-acronym-before-capital",
        ),
    ],
)
def test_initials_and_dotted_acronyms_do_not_end_a_sentence(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "في وقت سابق من هذا العام.وقال الوزير إنه راض.",
            ["في وقت سابق من هذا العام.", "وقال الوزير إنه راض."],
            id="ar-missing-space",
        ),
        pytest.param(
            "هل انتهى؟وقال الوزير لا.", ["هل انتهى؟", "وقال الوزير لا."], id="ar-question-missing-space"
        ),
        pytest.param(
            "It was the end.Next came more.", ["It was the end.", "Next came more."], id="en-missing-space"
        ),
        pytest.param("See example.com for more.", ["See example.com for more."], id="en-domain-lowercase"),
        pytest.param("Node.JS is fast.", ["Node.JS is fast."], id="en-capitalised-name"),
        pytest.param("A fruit, e.g.apples.", ["A fruit, e.g.apples."], id="en-short-token-then-lowercase"),
        pytest.param("التقى د.محمد الوزير.", ["التقى د.محمد الوزير."], id="ar-abbreviation-glued"),
    ],
)
def test_a_missing_space_after_a_full_stop_still_splits_before_a_new_word(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "قال “غير مسؤول. ثم قال شيئاً آخر. وانتهى.",
            ["قال “غير مسؤول.", "ثم قال شيئاً آخر.", "وانتهى."],
            id="ar-never-closed",
        ),
        pytest.param(
            "“هذا دليل مروّع. الفوز في بكين”.",
            ["“هذا دليل مروّع.", "الفوز في بكين”."],
            id="ar-split-inside-quote",
        ),
        pytest.param(
            'He said "it is over. Then he left. Nobody followed.',
            ['He said "it is over.', "Then he left.", "Nobody followed."],
            id="en-never-closed",
        ),
        pytest.param(
            "قال إن “القادة البارزين “. ثم غادر.",
            ["قال إن “القادة البارزين “.", "ثم غادر."],
            id="ar-reversed-close-before-stop",
        ),
    ],
)
def test_unbalanced_quote_marks_do_not_swallow_the_rest_of_the_paragraph(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Great news 🎉 for all. Next.", ["Great news 🎉 for all.", "Next."], id="en-emoji-inside"
        ),
        pytest.param("Great news! 🎉 Next.", ["Great news! 🎉", "Next."], id="en-emoji-after-stop"),
        pytest.param("خبر سار! 🎉👍🏽 وبعد.", ["خبر سار! 🎉👍🏽", "وبعد."], id="ar-emoji-after-stop"),
        pytest.param("Wow! 🎉", ["Wow! 🎉"], id="en-emoji-at-end"),
        pytest.param(
            "Visit https://example.com/a.b?c=1. Then go.",
            ["Visit https://example.com/a.b?c=1.", "Then go."],
            id="en-url",
        ),
        pytest.param(
            "زوروا https://example.com/a.b للمزيد. شكراً.",
            ["زوروا https://example.com/a.b للمزيد.", "شكراً."],
            id="ar-url",
        ),
        pytest.param(
            "Read https://example.com/News.Today?Id=7 now. Then go.",
            ["Read https://example.com/News.Today?Id=7 now.", "Then go."],
            id="en-url-with-capitals",
        ),
        pytest.param("See www.example.com/x. Then go.", ["See www.example.com/x.", "Then go."], id="en-www"),
        pytest.param(
            "Write to John.Smith@Example.com today. Bye!",
            ["Write to John.Smith@Example.com today.", "Bye!"],
            id="en-email-with-capitals",
        ),
        pytest.param(
            "Write to a.b@example.co.uk. Bye!", ["Write to a.b@example.co.uk.", "Bye!"], id="en-email"
        ),
        pytest.param(
            "راسلونا على info@example.com. شكراً.", ["راسلونا على info@example.com.", "شكراً."], id="ar-email"
        ),
    ],
)
def test_emoji_urls_and_email_addresses_never_split(text, expected):
    assert sentences_of(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", "\u200f \u200f"])
def test_empty_or_blank_text_gives_no_sentences(text):
    assert split_sentences(text) == []


def test_spans_are_trimmed_offsets_into_the_given_text():
    text = "HEAD\n  أولاً. ثانياً؟  \nTAIL"
    start, end = text.index("  أولاً"), text.index("\nTAIL")

    spans = split_sentences(text, start=start, end=end)

    assert spans == [Span(7, 13), Span(14, 21)]
    assert [text[s.start : s.end] for s in spans] == ["أولاً.", "ثانياً؟"]


def test_split_article_numbers_sentences_by_paragraph_and_position():
    raw = "عنوان الخبر هنا\n\nالجملة الأولى. الجملة الثانية.\n\nThe third one!\n"

    article = split_article(raw)

    assert article == SplitArticle(
        title="عنوان الخبر هنا",
        sentences=(
            Sentence(start=17, end=31, paragraph=0, position=0, text="الجملة الأولى."),
            Sentence(start=32, end=47, paragraph=0, position=1, text="الجملة الثانية."),
            Sentence(start=49, end=63, paragraph=1, position=2, text="The third one!"),
        ),
    )
    assert all(raw[s.start : s.end] == s.text for s in article.sentences)


def test_split_article_of_plain_text_has_no_title_and_keeps_the_first_line():
    article = split_article("It rained. The match went on.\nFans stayed.")

    assert article.title is None
    assert [s.text for s in article.sentences] == ["It rained.", "The match went on.", "Fans stayed."]
    assert [s.paragraph for s in article.sentences] == [0, 0, 1]


def test_the_seed_article_splits_into_its_body_sentences():
    raw = SEED.read_text(encoding="utf-8")

    article = split_article(raw)
    texts = [s.text for s in article.sentences]

    assert article.title == "المملكة المتحدة وحلفاؤها تتهم مجموعة صينية تدعمها الدولة باختراق مايكروسوفت"
    assert len(texts) == 31
    assert texts[0].startswith("انضمت بريطانيا إلى الولايات المتحدة")
    assert texts[-1] == "كما ورفض المتحدث الإدلاء بمزيد من التفاصيل حول طبيعة الهجمات."
    assert [s.position for s in article.sentences] == list(range(31))
    assert all(raw[s.start : s.end] == s.text for s in article.sentences)

    # Breadcrumb, headline and page furniture never become sentences.
    for chrome in ("رئيسي", "المملكة المتحدة وحلفاؤها", "مقالات ذات صلة", "زر الذهاب إلى الأعلى"):
        assert not any(text.startswith(chrome) for text in texts)

    # Body lines that hold two sentences give two, in the same paragraph.
    def paragraph_starting(prefix: str) -> list[str]:
        first = next(s for s in article.sentences if s.text.startswith(prefix))
        return [s.text for s in article.sentences if s.paragraph == first.paragraph]

    assert paragraph_starting("إعلان يوم الاثنين") == [
        "إعلان يوم الاثنين يمثل إسناد رسمي للمسؤولية من قبل الغرب.",
        "وقال المركز الوطني البريطاني للأمن الإلكتروني (NCSC)، وهو أحد أذرع GCHQ إنه "
        "“من المحتمل جدًا أن يكون الهافنيوم مرتبطًا بالدولة الصينية”.",
    ]
    assert paragraph_starting("ويعتقدون أن الصين لا تحب") == [
        "ويعتقدون أن الصين لا تحب مقارنتها بروسيا، وهي دولة أخرى متهمة بتوجيه مجموعات قرصنة أو إعطاء "
        "هذه الجماعات غطاء للانخراط في تجسس إلكتروني.",
        "ولكن بخلاف محاولة الإحراج، لم يتم تحديد المزيد من العقوبات.",
    ]
    assert paragraph_starting("“هذا دليل مروّع") == [
        "“هذا دليل مروّع على حقيقة نوع العلاقة التي تسعى إليها بكين.",
        "الفوز في بكين يعني الفوز علنًا، وإذا لم يكن الأمر كذلك، محاولة سرقة النصر”.",
    ]
    # The semicolon does not split, nor does the percent sign.
    assert paragraph_starting("وتم نصح الشركات") == [
        "وتم نصح الشركات بتنفيذ تصحيحات مايكروسوفت إذا لم تكن قد فعلت ذلك بالفعل؛ "
        "8٪ من الشركات لم تفعل ذلك بحلول نهاية مارس، وفقًا لمايكروسوفت."
    ]
