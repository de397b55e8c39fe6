"""Articles from files: each format read into article text, and each broken file refused with its reason."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from index.config import FetchSettings
from index.errors import (
    BrokenFileError,
    EncryptedFileError,
    NoArticleError,
    TooLargeError,
    UnsupportedTypeError,
)
from index.ingest import file_label, prepare_document
from index.ingest.extract import article_from_file, decode_text, is_prose, reflow
from tests.support.article_files import CLINIC, HARBOUR, docx_bytes, pdf_bytes
from tests.support.news_site import AR_COST, AR_TITLE, ARTICLE_AR

SETTINGS = FetchSettings()
NOTE = "Harbour reopens\n\nThe harbour reopened on Friday. The harbour master said the wall is new.\n"


def sentences_of(name: str, data: bytes) -> list[str]:
    return [s.text for s in prepare_document(article_from_file(name, data, SETTINGS)).sentences]


def test_a_pdf_is_read_into_whole_paragraphs_with_its_headline() -> None:
    article = article_from_file("harbour.pdf", pdf_bytes(HARBOUR, author="Ann Lee"), SETTINGS)
    document = prepare_document(article)
    assert document.title == HARBOUR[0]
    # Lines wrapped at the page width come back as whole sentences.
    assert [s.text for s in document.sentences][:2] == [HARBOUR[1], HARBOUR[2]]
    assert (article.author, article.published) == ("Ann Lee", "2024-06-10")


def test_a_pdf_title_property_is_used_only_when_the_text_has_no_headline() -> None:
    titled = pdf_bytes(HARBOUR, title="Microsoft Word - draft3.docx")
    assert prepare_document(article_from_file("a.pdf", titled, SETTINGS)).title == HARBOUR[0]
    untitled = pdf_bytes(HARBOUR[1:], title="Storm wall repairs")
    assert prepare_document(article_from_file("b.pdf", untitled, SETTINGS)).title == "Storm wall repairs"


def test_a_pdf_with_an_empty_user_password_is_read() -> None:
    assert sentences_of("open.pdf", pdf_bytes(HARBOUR, user_password=""))[0] == HARBOUR[1]


def test_a_password_protected_pdf_is_refused_as_such() -> None:
    with pytest.raises(EncryptedFileError, match="password-protected"):
        article_from_file("locked.pdf", pdf_bytes(HARBOUR, user_password="s3cret"), SETTINGS)


def test_a_pdf_without_a_text_layer_has_no_article() -> None:
    with pytest.raises(NoArticleError, match="no text layer"):
        article_from_file("scan.pdf", pdf_bytes([]), SETTINGS)


def test_an_arabic_word_document_is_read_with_its_properties() -> None:
    article = article_from_file("clinic.docx", docx_bytes(CLINIC, title="Document1", author="سلمى"), SETTINGS)
    document = prepare_document(article)
    assert document.title == CLINIC[0]  # the headline in the text beats the "Document1" property
    assert [s.text for s in document.sentences] == CLINIC[1:]
    assert (article.author, article.published) == ("سلمى", "2024-06-10")


def test_a_saved_web_page_is_read_like_a_fetched_one() -> None:
    article = article_from_file("water.html", ARTICLE_AR.read_bytes(), SETTINGS)
    assert article.title == AR_TITLE and AR_COST in article.text
    assert "مقالات ذات صلة" not in article.text


def test_markdown_headings_lose_their_marks() -> None:
    markdown = b"# Harbour reopens\n\nThe harbour reopened on Friday. The wall is new.\n"
    assert prepare_document(article_from_file("note.md", markdown, SETTINGS)).title == "Harbour reopens"


@pytest.mark.parametrize(
    "encoded",
    [
        NOTE.encode("utf-8"),
        codecs.BOM_UTF8 + NOTE.encode("utf-8"),
        codecs.BOM_UTF16_LE + NOTE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + NOTE.encode("utf-16-be"),
    ],
)
def test_text_files_in_utf8_or_utf16_with_a_byte_order_mark_are_read(encoded: bytes) -> None:
    assert decode_text(encoded, "note.txt") == NOTE


def test_a_few_broken_bytes_in_a_long_text_are_dropped() -> None:
    text = ("The harbour reopened on Friday after three weeks of repairs. " * 40).encode()
    damaged = text[:500] + b"\xff" + text[500:]
    assert decode_text(damaged, "note.txt") == text.decode()


@pytest.mark.parametrize(
    ("data", "name", "error", "message"),
    [
        (b"", "empty.txt", BrokenFileError, "empty"),
        (b"  \n\t\n", "blank.md", BrokenFileError, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.txt", BrokenFileError, "not UTF-8"),
        (b"%PDF-1.7\n%broken", "broken.pdf", BrokenFileError, "not a readable PDF"),
        (b"PK\x03\x04not a zip at all", "broken.docx", BrokenFileError, "not a readable .docx"),
        (b"{\\rtf1 Hello}", "story.rtf", UnsupportedTypeError, r"\.rtf files cannot be read"),
        (b"Hello", "README", UnsupportedTypeError, "without an extension"),
        (b"x" * 101, "big.txt", TooLargeError, "limit is 100"),
    ],
)
def test_bad_files_are_refused_with_their_reason(
    data: bytes, name: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        article_from_file(name, data, FetchSettings(max_bytes=100) if name == "big.txt" else SETTINGS)


def test_a_zip_bomb_word_file_is_refused_before_it_unpacks() -> None:
    """A .docx is a zip: 30 MB of zeros pack into about 30 KB, under the 1 MB limit; unpacked, far over."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * 30_000_000)
    data = packed.getvalue()
    assert len(data) < 100_000
    with pytest.raises(TooLargeError, match="unpacks to 30,000,008 bytes; the limit is 20,000,000"):
        article_from_file("bomb.docx", data, FetchSettings(max_bytes=1_000_000))


def test_an_unsupported_type_names_itself() -> None:
    with pytest.raises(UnsupportedTypeError) as refused:
        article_from_file("slides.pptx", b"PK\x03\x04", SETTINGS)
    assert refused.value.kind == ".pptx"


@pytest.mark.parametrize(
    ("lines", "paragraphs"),
    [
        (
            ["A headline", "The first line of a long paragraph that", "goes on here."],
            ["A headline", "The first line of a long paragraph that goes on here."],
        ),
        (
            ["One sentence ends here.", "Another starts on the next line and", "ends here."],
            ["One sentence ends here.", "Another starts on the next line and ends here."],
        ),
        (
            ["Para one is long enough to be a full line.", "", "Para two is long enough to be a full line."],
            ["Para one is long enough to be a full line.", "Para two is long enough to be a full line."],
        ),
        (["  spaced   out  ", ""], ["spaced out"]),
        ([], []),
    ],
)
def test_reflow_joins_wrapped_lines_and_keeps_paragraph_ends(lines: list[str], paragraphs: list[str]) -> None:
    assert reflow(lines).split("\n\n") == (paragraphs or [""])


@pytest.mark.parametrize(
    ("text", "prose"),
    [
        ("\n".join(HARBOUR), True),
        ("Home\nNews\nSport\nCouncil approves new footbridge across the Wye\nBus fares frozen", False),
        (
            "One single paragraph that is long enough to be read as a real article by anyone who sees it here"
            " and then keeps going for quite a while longer.",
            True,
        ),
        ("", False),
    ],
)
def test_prose_is_told_from_lists_of_links(text: str, prose: bool) -> None:
    assert is_prose(text) is prose


def test_a_byline_that_is_the_program_that_made_the_file_is_no_byline() -> None:
    article = article_from_file("clinic.docx", docx_bytes(CLINIC, author="python-docx"), SETTINGS)
    assert article.author is None


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\salma\\Desktop\\تقرير.docx", "تقرير.docx"),
        ("report\u202egpj.txt", "reportgpj.txt"),  # a direction override would disguise the type
        ("  story  draft .md ", "story draft .md"),
        ("...", "file"),
        ("a" * 300 + ".pdf", "a" * 95 + "….pdf"),
    ],
)
def test_file_names_are_shown_as_their_last_part_without_hidden_characters(sent: str, shown: str) -> None:
    assert file_label(sent) == shown
