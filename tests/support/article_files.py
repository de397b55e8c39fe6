"""Real article files made in the tests: PDFs with a text layer (and with passwords), Word documents.

The PDFs are built with pypdf's own objects: a page whose content stream draws the lines in Helvetica,
wrapped at a page width as a word processor would, so that reading them back needs the re-flowing
a real PDF needs. Helvetica has no Arabic glyphs, so PDFs carry English text; the .docx files carry
Arabic.
"""

from __future__ import annotations

import io
import textwrap
from datetime import datetime
from pathlib import Path

import docx
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

# The central bank article in Arabic: seven sentences, a title, a rate sentence to ask about.
BANK_TEXT = (Path(__file__).parents[1] / "fixtures" / "central-bank-ar.txt").read_text(encoding="utf-8")

HARBOUR = [
    "Harbour reopens after storm repairs",
    "The harbour reopened to fishing boats on Friday after three weeks of repairs to the storm wall"
    " that was damaged in January.",
    "The harbour master said the new wall was built to withstand waves twice as high as those of last"
    " winter, and that the repairs cost nine hundred thousand pounds.",
    "Fishermen said the closure had cost them most of the season's first catch.",
]
CLINIC = [
    "افتتاح عيادة متنقلة لخدمة القرى النائية",
    "افتتحت وزارة الصحة يوم الأحد أول عيادة متنقلة تجوب القرى النائية في الشمال، وتقدم الفحوص الأساسية"
    " واللقاحات للأطفال مجانًا.",
    "وقال مدير الصحة في المحافظة إن العيادة ستزور كل قرية مرتين في الشهر، وإن فريقها يضم طبيبين وثلاث"
    " ممرضات.",
    "ورحب الأهالي بالخطوة، إذ كانوا يقطعون أكثر من أربعين كيلومترًا للوصول إلى أقرب مستشفى.",
]


def pdf_bytes(
    paragraphs: list[str],
    *,
    title: str | None = None,
    author: str | None = None,
    user_password: str | None = None,
) -> bytes:
    """A one-page PDF whose text layer holds `paragraphs`, each wrapped at 60 characters."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    resources = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): resources})
    lines = [line for paragraph in paragraphs for line in textwrap.wrap(paragraph, 60)]
    drawn = " ".join(f"({_pdf_string(line)}) Tj T*" for line in lines)
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 11 Tf 72 720 Td 14 TL {drawn} ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(content)
    metadata = {"/Title": title, "/Author": author, "/CreationDate": "D:20240610083000Z"}
    writer.add_metadata({key: value for key, value in metadata.items() if value})
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(paragraphs: list[str], *, title: str | None = None, author: str | None = None) -> bytes:
    """A Word document with one paragraph per item, and its title and author properties."""
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    properties = document.core_properties
    properties.title = title or ""
    properties.author = author or ""
    properties.created = datetime(2024, 6, 10, 8, 30)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
