"""The interface in English, the language the bot falls back on."""

from __future__ import annotations

from bot.i18n.texts import Texts

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
    unknown_kind="a file without an extension",
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
