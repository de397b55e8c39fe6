"""Interface text in English and Arabic, and the choice between them.

Quotes always stay in the article's own words; only the bot's own sentences are translated. Each
language is one frozen `Texts`, so a missing string is a type error rather than a run-time KeyError.
Arabic strings start with an Arabic letter wherever they can, because Telegram sets a paragraph's
direction from its first strong character (render.py adds a right-to-left mark where they cannot).
Strings are plain text: render.py escapes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index import is_arabic_script

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
    doubt_close: str
    doubt_unsure: str
    no_letters: str
    too_long: str
    not_text: str
    ask_usage: str
    unknown_command: str
    button_stale: str
    button_not_yours: str
    error: str
    gave_up: str
    add_interrupted: str
    refused: str
    chat_library_damaged: str
    repair_usage: str
    shared_state_on: str
    shared_state_off: str
    shared_usage: str
    shared_turned_on: str
    shared_turned_off: str
    repaired: str
    repair_not_needed: str
    repair_failed: str
    chat_sources_heading: str
    shared_sources_heading: str
    no_chat_sources: str
    article_details: str
    article_byline: str
    add_usage: str
    reading: str
    added: str
    already_added: str
    offer_text: str
    offer_parts: str
    offer_file: str
    add_button: str
    offer_gone: str
    editors_only: str
    editors_unknown: str
    remove_button: str
    remove_usage: str
    remove_missing: str
    confirm_remove: str
    confirm_clear: str
    remove_yes: str
    clear_yes: str
    cancel: str
    removed: str
    already_removed: str
    cleared: str
    nothing_to_clear: str
    unsupported_link: str
    blocked_address: str
    dead_link: str
    dead_link_status: str
    dead_link_host: str
    statuses: tuple[tuple[int, str], ...]  # what an HTTP error status means, for the most common ones
    status_server: str  # any 5xx
    slow_page: str
    redirect_loop: str
    too_large: str
    unsupported_type: str
    too_short: str
    sentence_count: tuple[str, str]  # "{count} sentence(s)": for one, for any other number
    no_article: str
    broken_file: str
    encrypted_file: str
    add_failed: str
    follow_up: str
    read_by_ocr: str
    vote_thanks: str
    vote_changed: str
    offer_photo: str
    no_ocr: str
    scan_too_large: str
    watch_usage: str
    watch_state_on: str
    watch_state_off: str
    watch_turned_on: str
    watch_turned_off: str
    watch_needs_admin: str
    watch_private: str
    watch_failed: str
    watch_paused: str
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
        " messages. Reply /ask to a colleague's message to ask what it says.",
        "In any chat: type {mention} and your question, then pick a quote to share it.",
        "Under an answer, \u201cMore context\u201d shows the sentences around the best quote and"
        " \u201cOther matches\u201d the next best sentences.",
        "To add your own article: /add and a link, or send a file (.txt, .md, .html, .pdf, .docx, a photo)"
        " or paste the text and press \u201cAdd to library\u201d. Each chat has its own library; in groups"
        " only admins add and remove.",
        "Reply to one of my answers with a question to ask about that answer's article alone. Under each"
        " answer, 👍 or 👎 tells whether it answered: the votes stay in this chat's library.",
        "Photos of a printed page and scanned PDFs are read with OCR (Arabic and English) and offered for"
        " adding like a file.",
        "/sources lists the chat's articles and the shared ones; /remove and /clear take yours away;"
        " /repair mends this chat's library if it is ever damaged; /shared off searches only this chat's"
        " own articles; /watch on (admins) adds every article link and forwarded post in a channel or group"
        " where I am an admin.",
    ),
    paragraph="paragraph {number} of {total}",
    more_context="More context",
    other_matches="Other matches",
    back="Back to answer",
    context_heading="Around the best quote:",
    others_heading="Other matches:",
    no_answer="Not in the article: no sentence answers \u201c{question}\u201d closely enough.",
    no_answer_hint="Try other words, or see what is loaded with /sources.",
    doubt_close="Two sentences could answer this: check both.",
    doubt_unsure="Not sure: this is the closest sentence, but it may not answer the question.",
    no_letters="Ask a question in words, for example: {example}",
    too_long="That question is {length:,} characters long; please ask in under {limit:,}.",
    not_text="I can only read questions written as text. Send your question as a message.",
    ask_usage="Write your question after /ask, for example: /ask {example} (or reply /ask to a message that"
    " asks it).",
    unknown_command="I don't know that command. /help shows what I can do.",
    button_stale="This button no longer applies.",
    button_not_yours="This button is for the person who asked.",
    error="Sorry, something went wrong. Please try again in a moment.",
    gave_up="Sorry, I could not handle this message. Please send it again later.",
    add_interrupted="Adding {label} was interrupted. Please send it again.",
    refused="Sorry, this bot only answers the chats it was set up for.",
    chat_library_damaged="This chat's own articles are unavailable: its library is damaged. A group admin"
    " (or, in a private chat, its owner) can send /repair; on the server: sanad repair --chat {chat_id}",
    repair_usage="Only a group admin can repair this chat's library.",
    shared_state_on="This chat searches the shared articles beside its own.",
    shared_state_off="This chat searches only its own articles: the shared ones are off.",
    shared_usage="Send /shared off to search only this chat's articles, or /shared on to search the shared"
    " ones too.",
    shared_turned_on="From now on this chat searches the shared articles too.",
    shared_turned_off="From now on this chat searches only its own articles. /shared on brings the shared"
    " ones back.",
    repaired="Repaired this chat's library: {documents:,} articles ({sentences}) can be asked about again.",
    repair_not_needed="This chat's library is fine: nothing to repair.",
    repair_failed="I could not repair this chat's library. On the server, run: sanad repair --chat {chat_id}",
    chat_sources_heading="This chat's articles:",
    shared_sources_heading="Shared articles (every chat can ask about them):",
    no_chat_sources="This chat has no articles of its own yet: /add a link, or send a file or the"
    " article's text.",
    article_details="{sentences}, added {added}",
    article_byline="by {author}, {published}",
    add_usage="Send /add with the article's link, or reply /add to a message or file that holds the article.",
    reading="Reading the article…",
    added="Added to this chat's library: {title} ({sentences}). Ask me about it.",
    already_added="Already in this chat's library: {title}.",
    offer_text="This looks like an article ({characters:,} characters). Add it to this chat's library so I"
    " can answer questions about it?",
    offer_parts="This looks like an article sent in {parts} messages ({characters:,} characters). Add it to"
    " this chat's library as one article so I can answer questions about it?",
    offer_file="Add {name} to this chat's library?",
    add_button="Add to library",
    offer_gone="I can no longer see that message. Send it again, or reply /add to it.",
    editors_only="In this group only admins can add or remove articles.",
    editors_unknown="I could not check whether you are an admin here. Please try again in a moment.",
    remove_button="Remove {number}",
    remove_usage="Send /remove with the article's number from /sources, for example: /remove 1",
    remove_missing="This chat has no article number {number}. /sources lists them.",
    confirm_remove="Remove \u201c{title}\u201d from this chat's library?",
    confirm_clear="Remove all {count:,} articles from this chat's library?",
    remove_yes="Yes, remove it",
    clear_yes="Yes, remove all",
    cancel="Cancel",
    removed="Removed \u201c{title}\u201d from this chat's library.",
    already_removed="That article was already removed.",
    cleared="Removed {count:,} articles from this chat's library.",
    nothing_to_clear="This chat's library is already empty.",
    unsupported_link="I can only add http and https links. Send the article's web address.",
    blocked_address="That link points to a private or local network address, which I do not open."
    " Send a public link.",
    dead_link="I could not open that link: the site did not answer, or answered with an error. Check that it"
    " opens in a browser.",
    dead_link_status="That page answered {status}: {meaning}. Check that the link opens in a browser.",
    dead_link_host="I could not find the site {host}. Check the link for typos.",
    statuses=(
        (401, "it needs a login"),
        (403, "the site refuses to show it"),
        (404, "no such page"),
        (410, "the page was removed"),
        (429, "too many requests; try again later"),
    ),
    status_server="the site has a problem; try again later",
    slow_page="That page took too long to load. Try again later, or paste the article's text.",
    redirect_loop="That link redirects too many times. Open it in a browser and send the address it ends at.",
    too_large="That is too big: the limit is {limit}. Send the article alone, or paste its text.",
    sentence_count=("{count:,} sentence", "{count:,} sentences"),
    too_short="That is too short for an article ({characters:,} characters; at least {minimum:,}). Send the"
    " whole article.",
    unsupported_type="I cannot read {kind}. Send a web link, a .txt, .md, .html, .pdf or .docx file, or a"
    " photo.",
    no_article="I found no article text there. Send the link of the article page itself, or paste its text.",
    broken_file="That file is empty or damaged. Check that it opens, or paste the article's text.",
    encrypted_file="That PDF is password-protected. Send an unprotected copy, or paste the article's text.",
    add_failed="Sorry, I could not add that article. Please try again in a moment.",
    follow_up="About \u201c{title}\u201d:",
    read_by_ocr="read from a photo by OCR: check against the original",
    vote_thanks="Thanks: your vote is noted.",
    vote_changed="Your vote is changed.",
    offer_photo="Read the text in this photo (OCR) and add it to this chat's library?",
    no_ocr="I cannot read photos or scans here: OCR is not installed on this server. Paste the text instead.",
    scan_too_large="That image or scan is too big to read: send a photo of one page, or a PDF of at most 30"
    " pages.",
    watch_usage="Send /watch on to add every article link and forwarded post in this chat to its library,"
    " or /watch off to stop.",
    watch_state_on="This chat is watched: its article links and forwarded posts are added to its library.",
    watch_state_off="This chat is not watched.",
    watch_turned_on="Watching this chat: every article link and forwarded post is added to its library, and"
    " marked 👌 once it is.",
    watch_turned_off="Stopped watching this chat. Articles already added stay.",
    watch_needs_admin="To watch this group I must be one of its admins, so that I can read its posts. Make me"
    " an admin, then send /watch on again.",
    watch_private="In a private chat I offer every forwarded post and pasted article for adding: /watch is"
    " for channels and groups.",
    watch_failed="Could not add this post to the library: {reason}",
    watch_paused="Watching paused for an hour: more than {limit} articles were posted in the last hour.",
    inline_help="Type a question about the article",
    inline_no_answer="Not in the article. Tap for help",
    inline_open_chat="Open the full answer in a chat",
    commands=(
        ("ask", "Ask a question about the articles"),
        ("add", "Add an article by link, or reply to a message or file"),
        ("sources", "List this chat's articles and the shared ones"),
        ("remove", "Remove one of this chat's articles"),
        ("clear", "Remove all of this chat's articles"),
        ("repair", "Repair this chat's library if it is damaged"),
        ("shared", "Search the shared articles too (on) or not (off)"),
        ("watch", "Add every article posted here (on), or stop (off)"),
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
        "في المجموعات: اكتب /ask ثم سؤالك، أو اذكر {mention} مع سؤالك، أو ردّ على إحدى رسائلي. وردّ بالأمر"
        " /ask على رسالة زميل لتسأل عمّا فيها.",
        "في أي محادثة: اكتب {mention} ثم سؤالك، واختر اقتباسًا لمشاركته.",
        "تحت كل إجابة، يعرض زر «سياق أوسع» الجمل المحيطة بأفضل اقتباس، ويعرض زر «نتائج أخرى» الجمل التالية.",
        "لإضافة مقالك: اكتب /add ثم الرابط، أو أرسل ملفًا (.txt أو .md أو .html أو .pdf أو .docx)، أو الصق"
        " النص ثم اضغط «أضف إلى المكتبة». لكل محادثة مكتبتها الخاصة، وفي المجموعات يضيف المشرفون"
        " ويحذفون وحدهم.",
        "ردّ على إحدى إجاباتي بسؤال لتسأل عن مقال تلك الإجابة وحده. وتحت كل إجابة يقول 👍 أو 👎 إن كانت"
        " أجابت: تبقى التقييمات في مكتبة هذه المحادثة.",
        "أقرأ صور الصفحات المطبوعة وملفات PDF الممسوحة بالتعرّف الضوئي (OCR) بالعربية والإنجليزية، وأعرض"
        " إضافتها كما أعرض الملفات.",
        "يعرض الأمر /sources مقالات المحادثة والمقالات المشتركة، ويحذف الأمران /remove و/clear مقالاتك،"
        " ويُصلح الأمر /repair مكتبة المحادثة إن تلفت، ويقصر الأمر /shared off البحث على مقالات المحادثة،"
        " ويضيف الأمر /watch on (للمشرفين) كل رابط مقال وكل منشور مُعاد توجيهه في قناة أو مجموعة أنا من"
        " مشرفيها.",
    ),
    paragraph="الفقرة {number} من {total}",
    more_context="سياق أوسع",
    other_matches="نتائج أخرى",
    back="العودة إلى الإجابة",
    context_heading="ما حول أفضل اقتباس:",
    others_heading="نتائج أخرى:",
    no_answer="ليس في المقال: لا توجد جملة تجيب عن «{question}» بدقة كافية.",
    no_answer_hint="جرّب كلمات أخرى، أو اطّلع على المقالات المحمّلة عبر /sources.",
    doubt_close="قد تجيب عن هذا جملتان: راجع الاثنتين.",
    doubt_unsure="لست متأكدًا: هذه أقرب جملة، لكنها قد لا تجيب عن السؤال.",
    no_letters="اكتب سؤالك بالكلمات، مثلًا: {example}",
    too_long="طول هذا السؤال {length:,} حرفًا؛ اكتبه في أقل من {limit:,} حرف من فضلك.",
    not_text="أقرأ الأسئلة المكتوبة نصًا فقط. أرسل سؤالك في رسالة.",
    ask_usage="اكتب سؤالك بعد /ask، مثلًا: /ask {example} (أو ردّ بالأمر /ask على رسالة فيها السؤال).",
    unknown_command="لا أعرف هذا الأمر. يعرض /help ما يمكنني فعله.",
    button_stale="لم يعد هذا الزر صالحًا.",
    button_not_yours="هذا الزر لمن طرح السؤال.",
    error="عذرًا، حدث خطأ. حاول مرة أخرى بعد قليل.",
    gave_up="عذرًا، تعذّر عليّ التعامل مع هذه الرسالة. أرسلها من جديد لاحقًا من فضلك.",
    add_interrupted="انقطعت إضافة {label}. أرسله من جديد من فضلك.",
    refused="عذرًا، لا يجيب هذا البوت إلا المحادثات التي أُعدّ لها.",
    chat_library_damaged="مقالات هذه المحادثة غير متاحة: مكتبتها تالفة. يستطيع مشرف المجموعة (أو صاحب"
    " المحادثة الخاصة) إرسال /repair؛ وعلى الخادم: sanad repair --chat {chat_id}",
    repair_usage="لا يصلح مكتبة هذه المحادثة إلا مشرف المجموعة.",
    shared_state_on="تبحث هذه المحادثة في المقالات المشتركة إلى جانب مقالاتها.",
    shared_state_off="تبحث هذه المحادثة في مقالاتها وحدها: المقالات المشتركة موقوفة.",
    shared_usage="أرسل /shared off للبحث في مقالات هذه المحادثة وحدها، أو /shared on للبحث في المشتركة أيضًا.",
    shared_turned_on="من الآن تبحث هذه المحادثة في المقالات المشتركة أيضًا.",
    shared_turned_off="من الآن تبحث هذه المحادثة في مقالاتها وحدها. يعيد الأمر /shared on المقالات المشتركة.",
    repaired="أُصلحت مكتبة هذه المحادثة: يمكن السؤال من جديد عن {documents:,} مقالات (عدد الجمل {sentences}).",
    repair_not_needed="مكتبة هذه المحادثة سليمة: لا شيء يحتاج إلى إصلاح.",
    repair_failed="تعذّر إصلاح مكتبة هذه المحادثة. شغّل على الخادم: sanad repair --chat {chat_id}",
    chat_sources_heading="مقالات هذه المحادثة:",
    shared_sources_heading="المقالات المشتركة (يمكن لكل محادثة أن تسأل عنها):",
    no_chat_sources="لا مقالات خاصة بهذه المحادثة بعد: أضف رابطًا بالأمر /add، أو أرسل ملفًا أو نص المقال.",
    article_details="عدد الجمل {sentences}، أضيف في {added}",
    article_byline="بقلم {author}، {published}",
    add_usage="أرسل /add مع رابط المقال، أو ردّ بالأمر /add على رسالة أو ملف فيه المقال.",
    reading="جارٍ قراءة المقال…",
    added="أضيف إلى مكتبة هذه المحادثة: {title} (عدد الجمل {sentences}). اسألني عنه.",
    already_added="موجود من قبل في مكتبة هذه المحادثة: {title}.",
    offer_text="يبدو هذا مقالًا (عدد الأحرف {characters:,}). هل أضيفه إلى مكتبة هذه المحادثة لأجيب عن الأسئلة"
    " حوله؟",
    offer_parts="يبدو هذا مقالًا أُرسل في {parts} رسائل (عدد الأحرف {characters:,}). هل أضيفه إلى مكتبة هذه"
    " المحادثة مقالًا واحدًا لأجيب عن الأسئلة عنه؟",
    offer_file="هل أضيف الملف {name} إلى مكتبة هذه المحادثة؟",
    add_button="أضف إلى المكتبة",
    offer_gone="لم أعد أرى تلك الرسالة. أرسلها من جديد، أو ردّ عليها بالأمر /add.",
    editors_only="في هذه المجموعة يضيف المشرفون وحدهم المقالات ويحذفونها.",
    editors_unknown="تعذّر عليّ التحقق من أنك مشرف هنا. حاول مرة أخرى بعد قليل من فضلك.",
    remove_button="حذف {number}",
    remove_usage="أرسل /remove مع رقم المقال كما يظهر في /sources، مثلًا: /remove 1",
    remove_missing="لا يوجد في هذه المحادثة مقال رقمه {number}. يعرض الأمر /sources المقالات.",
    confirm_remove="هل أحذف «{title}» من مكتبة هذه المحادثة؟",
    confirm_clear="هل أحذف كل المقالات ({count:,}) من مكتبة هذه المحادثة؟",
    remove_yes="نعم، احذفه",
    clear_yes="نعم، احذفها كلها",
    cancel="إلغاء",
    removed="حُذف «{title}» من مكتبة هذه المحادثة.",
    already_removed="هذا المقال محذوف من قبل.",
    cleared="حُذفت المقالات ({count:,}) من مكتبة هذه المحادثة.",
    nothing_to_clear="مكتبة هذه المحادثة فارغة أصلًا.",
    unsupported_link="أضيف روابط http وhttps فقط. أرسل عنوان المقال على الويب.",
    blocked_address="هذا الرابط يشير إلى عنوان في شبكة خاصة أو محلية، ولا أفتح مثل هذه العناوين."
    " أرسل رابطًا عامًا.",
    dead_link="تعذّر فتح هذا الرابط: الموقع لم يستجب أو ردّ بخطأ. تأكد أنه يفتح في المتصفح.",
    dead_link_status="ردّت الصفحة بالرمز {status}: {meaning}. تأكد أن الرابط يفتح في المتصفح.",
    dead_link_host="لم أجد الموقع {host}. تأكد من كتابة الرابط.",
    statuses=(
        (401, "تحتاج إلى تسجيل الدخول"),
        (403, "يرفض الموقع عرضها"),
        (404, "لا توجد صفحة بهذا العنوان"),
        (410, "حُذفت الصفحة"),
        (429, "طلبات كثيرة؛ حاول لاحقًا"),
    ),
    status_server="في الموقع عطل؛ حاول لاحقًا",
    slow_page="استغرق تحميل الصفحة وقتًا طويلًا. حاول لاحقًا، أو الصق نص المقال.",
    redirect_loop="هذا الرابط يحيل إلى روابط أخرى مرات كثيرة. افتحه في المتصفح وأرسل العنوان الذي"
    " ينتهي إليه.",
    too_large="حجمه كبير جدًا: الحد {limit}. أرسل المقال وحده، أو الصق نصه.",
    sentence_count=("{count:,}", "{count:,}"),  # the strings say "عدد الجمل" (number of sentences)
    too_short="هذا أقصر من أن يكون مقالًا ({characters:,} حرفًا، والحد الأدنى {minimum:,}). أرسل المقال كاملًا.",
    unsupported_type="لا أستطيع قراءة {kind}. أرسل رابطًا، أو ملف .txt أو .md أو .html أو .pdf أو .docx، أو"
    " صورة.",
    no_article="لم أجد نص مقال هناك. أرسل رابط صفحة المقال نفسها، أو الصق نصه.",
    broken_file="هذا الملف فارغ أو تالف. تأكد أنه يُفتح، أو الصق نص المقال.",
    encrypted_file="ملف PDF هذا محمي بكلمة مرور. أرسل نسخة غير محمية، أو الصق نص المقال.",
    add_failed="عذرًا، تعذّرت إضافة هذا المقال. حاول مرة أخرى بعد قليل.",
    follow_up="عن «{title}»:",
    read_by_ocr="مقروء آليًا من صورة (OCR): راجِعه في الأصل",
    vote_thanks="شكرًا، سُجّل تقييمك.",
    vote_changed="عُدّل تقييمك.",
    offer_photo="هل أقرأ نص هذه الصورة (OCR) وأضيفه إلى مكتبة هذه المحادثة؟",
    no_ocr="لا أستطيع قراءة الصور والمستندات الممسوحة هنا: برنامج التعرّف الضوئي (OCR) غير مثبّت على"
    " الخادم. الصق النص بدلًا منها.",
    scan_too_large="هذه الصورة أو النسخة الممسوحة أكبر من أن أقرأها: أرسل صورة صفحة واحدة، أو ملف PDF من 30"
    " صفحة على الأكثر.",
    watch_usage="أرسل /watch on لإضافة كل رابط مقال وكل منشور مُعاد توجيهه في هذه المحادثة إلى مكتبتها، أو"
    " /watch off للتوقف.",
    watch_state_on="هذه المحادثة مراقَبة: تُضاف روابط المقالات والمنشورات المُعاد توجيهها فيها إلى مكتبتها.",
    watch_state_off="هذه المحادثة غير مراقَبة.",
    watch_turned_on="أراقب هذه المحادثة: يُضاف كل رابط مقال وكل منشور مُعاد توجيهه إلى مكتبتها، وأضع عليه 👌"
    " حين يُضاف.",
    watch_turned_off="توقفت مراقبة هذه المحادثة. تبقى المقالات التي أضيفت.",
    watch_needs_admin="لأراقب هذه المجموعة يجب أن أكون من مشرفيها لأقرأ منشوراتها. اجعلني مشرفًا، ثم أرسل"
    " /watch on من جديد.",
    watch_private="في المحادثة الخاصة أعرض إضافة كل منشور مُعاد توجيهه وكل مقال ملصق: الأمر /watch للقنوات"
    " والمجموعات.",
    watch_failed="تعذّرت إضافة هذا المنشور إلى المكتبة: {reason}",
    watch_paused="توقفت المراقبة ساعة: نُشر أكثر من {limit} مقالًا في الساعة الأخيرة.",
    inline_help="اكتب سؤالًا عن المقال",
    inline_no_answer="ليس في المقال. اضغط للمساعدة",
    inline_open_chat="افتح الإجابة كاملة في محادثة",
    commands=(
        ("ask", "اسأل سؤالًا عن المقالات"),
        ("add", "أضف مقالًا برابطه، أو بالرد على رسالة أو ملف"),
        ("sources", "مقالات هذه المحادثة والمقالات المشتركة"),
        ("remove", "احذف مقالًا من مقالات هذه المحادثة"),
        ("clear", "احذف كل مقالات هذه المحادثة"),
        ("repair", "أصلح مكتبة هذه المحادثة إن كانت تالفة"),
        ("shared", "ابحث في المقالات المشتركة أيضًا (on) أو لا (off)"),
        ("watch", "أضف كل مقال يُنشر هنا (on) أو توقف (off)"),
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
