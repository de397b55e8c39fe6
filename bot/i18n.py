"""Interface text in English and Arabic, and the choice between them.

Quotes always stay in the article's own words; only the bot's own sentences are translated. Each
language is one frozen `Texts`, so a missing string is a type error rather than a run-time KeyError.
Arabic strings start with an Arabic letter wherever they can, because Telegram sets a paragraph's
direction from its first strong character (render.py adds a right-to-left mark where they cannot).
Strings are plain text: render.py escapes them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "ar"]


@dataclass(frozen=True, slots=True)
class Texts:
    """Everything the bot says in one language. `{name}` fields are filled in by render.py."""

    language: Language
    rtl: bool
    welcome: str
    loaded: str
    more_articles: str
    try_examples: str
    examples: tuple[str, ...]
    help: tuple[str, ...]
    paragraph: str
    more_context: str
    other_matches: str
    back: str
    context_heading: str
    others_heading: str
    no_answer: str
    no_answer_hint: str
    no_letters: str
    too_long: str
    not_text: str
    ask_usage: str
    unknown_command: str
    button_expired: str
    button_invalid: str
    error: str
    sources_heading: str
    source_details: str
    no_sources: str
    inline_help: str
    inline_no_answer: str
    inline_open_chat: str
    commands: tuple[tuple[str, str], ...]


ENGLISH = Texts(
    language="en",
    rtl=False,
    welcome="Sanad answers questions about news articles by quoting the articles' own sentences.",
    loaded="Loaded:",
    more_articles="…and {count:,} more: /sources lists them all.",
    try_examples="Ask in any language, or try one of these:",
    examples=(
        "Who denied the claims?",
        "Which group hacked Microsoft Exchange?",
        "What did Dominic Raab say?",
    ),
    help=(
        "Send a question in any language: I answer with the article's own sentences, quoted exactly,"
        " and where they stand in it.",
        "In groups: /ask your question, mention {mention} with your question, or reply to one of my"
        " messages.",
        "In any chat: type {mention} and your question, then pick a quote to share it.",
        "Under an answer, \u201cMore context\u201d shows the sentences around the best quote and"
        " \u201cOther matches\u201d the next best sentences.",
        "/sources lists the loaded articles.",
    ),
    paragraph="paragraph {number} of {total}",
    more_context="More context",
    other_matches="Other matches",
    back="Back to answer",
    context_heading="Around the best quote:",
    others_heading="Other matches:",
    no_answer="Not in the article: no sentence answers \u201c{question}\u201d closely enough.",
    no_answer_hint="Try other words, or see what is loaded with /sources.",
    no_letters="Ask a question in words, for example: {example}",
    too_long="That question is {length:,} characters long; please ask in under {limit:,}.",
    not_text="I can only read questions written as text. Send your question as a message.",
    ask_usage="Write your question after /ask, for example: /ask {example}",
    unknown_command="I don't know that command. /help shows what I can do.",
    button_expired="This answer has expired. Please ask again.",
    button_invalid="That button is not valid.",
    error="Sorry, something went wrong. Please try again in a moment.",
    sources_heading="Loaded articles:",
    source_details="{sentences:,} sentences, {characters:,} characters, added {added}",
    no_sources="No articles are loaded yet.",
    inline_help="Type a question about the article",
    inline_no_answer="Not in the article. Tap for help",
    inline_open_chat="Open the full answer in a chat",
    commands=(
        ("ask", "Ask a question about the articles"),
        ("sources", "List the loaded articles"),
        ("help", "How to use Sanad"),
        ("start", "Welcome and example questions"),
    ),
)

ARABIC = Texts(
    language="ar",
    rtl=True,
    welcome="يجيب سند عن الأسئلة حول المقالات الإخبارية باقتباس جملها نفسها.",
    loaded="المقالات المحمّلة:",
    more_articles="ومعها {count:,} مقالات أخرى يعرضها الأمر /sources كلها.",
    try_examples="اسأل بأي لغة، أو جرّب أحد هذه الأسئلة:",
    examples=(
        "ماذا قال المتحدث باسم وزارة الخارجية الصينية عن المزاعم؟",
        "من المتهم باختراق مايكروسوفت؟",
        "ماذا قال دومينيك راب؟",
    ),
    help=(
        "أرسل سؤالك بأي لغة، فأجيبك بجمل المقال نفسها كما وردت حرفيًا، مع موضعها فيه.",
        "في المجموعات: اكتب /ask ثم سؤالك، أو اذكر {mention} مع سؤالك، أو ردّ على إحدى رسائلي.",
        "في أي محادثة: اكتب {mention} ثم سؤالك، واختر اقتباسًا لمشاركته.",
        "تحت كل إجابة، يعرض زر «سياق أوسع» الجمل المحيطة بأفضل اقتباس، ويعرض زر «نتائج أخرى» الجمل التالية.",
        "يعرض الأمر /sources المقالات المحمّلة.",
    ),
    paragraph="الفقرة {number} من {total}",
    more_context="سياق أوسع",
    other_matches="نتائج أخرى",
    back="العودة إلى الإجابة",
    context_heading="ما حول أفضل اقتباس:",
    others_heading="نتائج أخرى:",
    no_answer="ليس في المقال: لا توجد جملة تجيب عن «{question}» بدقة كافية.",
    no_answer_hint="جرّب كلمات أخرى، أو اطّلع على المقالات المحمّلة عبر /sources.",
    no_letters="اكتب سؤالك بالكلمات، مثلًا: {example}",
    too_long="طول هذا السؤال {length:,} حرفًا؛ اكتبه في أقل من {limit:,} حرف من فضلك.",
    not_text="أقرأ الأسئلة المكتوبة نصًا فقط. أرسل سؤالك في رسالة.",
    ask_usage="اكتب سؤالك بعد /ask، مثلًا: /ask {example}",
    unknown_command="لا أعرف هذا الأمر. يعرض /help ما يمكنني فعله.",
    button_expired="انتهت صلاحية هذه الإجابة. اسأل من جديد من فضلك.",
    button_invalid="هذا الزر غير صالح.",
    error="عذرًا، حدث خطأ. حاول مرة أخرى بعد قليل.",
    sources_heading="المقالات المحمّلة:",
    source_details="عدد الجمل {sentences:,}، وعدد الأحرف {characters:,}، أضيف في {added}",
    no_sources="لم تُحمَّل أي مقالات بعد.",
    inline_help="اكتب سؤالًا عن المقال",
    inline_no_answer="ليس في المقال. اضغط للمساعدة",
    inline_open_chat="افتح الإجابة كاملة في محادثة",
    commands=(
        ("ask", "اسأل سؤالًا عن المقالات"),
        ("sources", "المقالات المحمّلة"),
        ("help", "طريقة استخدام سند"),
        ("start", "الترحيب وأمثلة للأسئلة"),
    ),
)

TEXTS: dict[Language, Texts] = {"en": ENGLISH, "ar": ARABIC}


def pick_language(language_code: str | None, text: str = "") -> Language:
    """The user's Telegram language when the bot speaks it; otherwise Arabic for an Arabic-script
    question and English for anything else."""
    base = re.split(r"[-_.]", language_code or "")[0].lower()  # "ar", "en-GB", or a locale "ar_EG.UTF-8"
    if base == "ar":
        return "ar"
    if base == "en":
        return "en"
    return "ar" if is_arabic_script(text) else "en"


def texts_for(language_code: str | None, text: str = "") -> Texts:
    """The interface strings for a user (see `pick_language`)."""
    return TEXTS[pick_language(language_code, text)]


def is_arabic_script(text: str) -> bool:
    """More letters in the Arabic script than in all others together."""
    letters = [ch for ch in text if ch.isalpha()]
    arabic = sum(unicodedata.bidirectional(ch) == "AL" for ch in letters)
    return arabic > len(letters) - arabic
