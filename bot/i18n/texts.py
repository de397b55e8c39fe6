"""What the bot says, as one frozen `Texts` a language: a missing string is a type error rather than a
run-time KeyError. `{name}` fields are filled in by render.py; strings are plain text (render.py
escapes them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "ar", "fr", "es", "de", "ru", "tr"]


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
    unknown_kind: str  # unsupported_type's {kind} for a file with neither a suffix nor a media type
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
