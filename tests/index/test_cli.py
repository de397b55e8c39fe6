"""The `sanad` command line, run in-process the way a user runs it from a shell."""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from index import cli
from index.ingest import prepare_document
from index.library import Library, chat_path
from index.records import ModelInfo, SourceText
from tests.conftest import SEED, SPOKESMAN
from tests.support.article_files import BANK_TEXT
from tests.support.news_site import AR_COST, AR_TITLE, NewsSite

README = Path(__file__).resolve().parents[2] / "README.md"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def commands(capsys: pytest.CaptureFixture[str]) -> list[str]:
    with pytest.raises(SystemExit):
        main(["--help"])
    listing = capsys.readouterr().out.split("commands:")[1]
    return re.findall(r"^    (\w[\w-]*)", listing, flags=re.MULTILINE)


def test_every_command_has_help_and_is_documented_in_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    names = commands(capsys)
    assert {"ask", "add", "split", "sources", "eval", "bench", "calibrate", "repair"} <= set(names)
    readme = README.read_text(encoding="utf-8")
    for name in names:
        with pytest.raises(SystemExit) as exit_:
            main([name, "--help"])
        assert exit_.value.code == 0
        assert f"sanad {name}" in readme, f"README does not document `sanad {name}`"
        capsys.readouterr()


def test_the_lab_plugs_its_commands_in_and_a_broken_plug_in_is_left_out_with_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    installed = list(metadata.entry_points(group=cli.PLUGIN_GROUP))
    assert [entry.value for entry in installed] == ["lab.commands:register"]
    broken = metadata.EntryPoint("broken", "lab.no_such_module:register", cli.PLUGIN_GROUP)
    monkeypatch.setattr(cli.metadata, "entry_points", lambda group: [broken, *installed])
    names = commands(capsys)
    assert {"ask", "eval", "calibrate", "bench", "bot"} <= set(names)
    assert "the broken commands (lab.no_such_module:register) could not be added" in caplog.text


def test_split_prints_one_json_object_per_sentence_with_exact_spans(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "split", str(SEED))
    rows = [json.loads(line) for line in out.splitlines()]
    text = SEED.read_text(encoding="utf-8")
    assert code == 0 and len(rows) == 31
    assert set(rows[0]) == {"start", "end", "paragraph", "text"}
    assert all(text[r["start"] : r["end"]] == r["text"] for r in rows)


def test_split_reads_stdin_when_no_file_is_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("First sentence here. Second one, Dr. Smith said."))
    code, out, _ = run(capsys, "split")
    assert code == 0
    assert [json.loads(line)["text"] for line in out.splitlines()] == [
        "First sentence here.",
        "Second one, Dr. Smith said.",
    ]


def test_ask_json_answers_each_stdin_line_on_its_own_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data_env: Path
) -> None:
    questions = "Who denied the claims?\n\nwhat's the weather in paris today\n😀\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(questions))
    code, out, _ = run(capsys, "ask", "--json")
    denied, weather, emoji = (json.loads(line) for line in out.splitlines())
    assert code == 0
    assert denied["question"] == "Who denied the claims?" and not denied["no_answer"]
    assert any(hit["text"].startswith(SPOKESMAN) for hit in denied["hits"])
    assert set(denied["hits"][0]) >= {"text", "score", "document", "paragraph"}
    spokesman = next(hit for hit in denied["hits"] if hit["text"].startswith(SPOKESMAN))
    assert spokesman["paragraph"] == 7  # counted from 1, as the bot's "paragraph 7 of 12"
    assert weather["no_answer"] is True and weather["hits"] == []
    assert "error" in emoji
    # The spokesman is among the quotes, but not first and not by a clear margin: the answer says so.
    assert denied["doubt"] == "unsure" and weather["doubt"] is None


def test_ask_says_when_it_is_not_sure(capsys: pytest.CaptureFixture[str], data_env: Path) -> None:
    code, out, _ = run(capsys, "ask", "Who denied the claims?")
    assert code == 0 and out.splitlines()[1] == (
        "Not sure: this is the closest sentence, but it may not answer the question."
    )


def test_ask_prints_readable_quotes_with_their_place(
    capsys: pytest.CaptureFixture[str], data_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "ask", "What did the NCSC say about Hafnium?")
    assert code == 0
    assert "وقال المركز الوطني البريطاني" in out
    assert "paragraph 8, sentence 9 of 31" in out


def test_sources_lists_the_seed_article_and_the_model(
    capsys: pytest.CaptureFixture[str], data_env: Path
) -> None:
    code, out, _ = run(capsys, "sources")
    assert code == 0
    assert "31 sentences" in out and "multilingual-e5-small" in out
    assert "backend: embedded by onnx-int8; answering on onnx-int8" in out


@pytest.mark.slow  # re-embeds on torch
def test_rebuild_re_embeds_on_the_configured_backend_and_sources_shows_it(
    capsys: pytest.CaptureFixture[str], data_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "setup")[1].startswith("ready: 1 articles, 31 sentences")
    monkeypatch.setenv("SANAD_BACKEND", "torch")
    assert "backend: embedded by onnx-int8; answering on torch" in run(capsys, "sources")[1]
    code, out, err = run(capsys, "rebuild")
    assert code == 0 and out.startswith(
        "rebuilt: 31 sentences re-embedded with bundled:multilingual-e5-small on torch"
    )
    assert "31 sentences [" in err  # the progress bar counts sentences, with their rate
    assert "backend: embedded by torch; answering on torch" in run(capsys, "sources")[1]
    monkeypatch.setenv("SANAD_BACKEND", "tensorflow")
    code, _, err = run(capsys, "sources")
    assert (
        code == 1
        and err == "sanad: SANAD_BACKEND must be one of onnx-int8, onnx-fp32, torch; not 'tensorflow'.\n"
    )


def test_setup_re_embeds_the_libraries_another_model_embedded_and_loses_no_article(
    capsys: pytest.CaptureFixture[str], data_env: Path
) -> None:
    """After SANAD_MODEL changes, `sanad setup` re-embeds the shared library and every chat's."""
    other = ModelInfo(name="an-older-model", fingerprint="beef", dim=384)
    chat = chat_path(data_env / "chats", 42)
    for path in (data_env, chat):
        with Library.open(path, other, np.eye(384, dtype=np.float32)[0]) as library:
            text = "An older article. It was embedded by another model."
            library.add(prepare_document(SourceText(text, title="Old")), np.eye(384, dtype=np.float32)[:2])

    code, out, _ = run(capsys, "setup")

    assert code == 0
    assert out.splitlines() == [
        f"the library at {data_env} was embedded by another model: re-embedding it",
        f"the library at {chat} was embedded by another model: re-embedding it",
        f"ready: 1 articles, 2 sentences in {data_env}; onnx-int8 answers",
    ]
    assert "bundled:multilingual-e5-small" in run(capsys, "sources", "--chat", "42")[1]
    assert run(capsys, "setup")[1].startswith("ready: 1 articles, 2 sentences")  # nothing left to do


def test_setup_leaves_a_damaged_chat_library_for_repair_and_still_gets_ready(
    capsys: pytest.CaptureFixture[str], data_env: Path
) -> None:
    chat = chat_path(data_env / "chats", 7)
    chat.mkdir(parents=True)
    (chat / "library.sqlite").write_bytes(b"not a database")

    code, out, _ = run(capsys, "setup")

    assert code == 0 and out.startswith("ready: 1 articles, 31 sentences")
    assert (chat / "library.sqlite").read_bytes() == b"not a database"
    code, out, _ = run(capsys, "repair", "--chat", "7")
    assert code == 0 and out.startswith("repaired: no article could be read from the damaged database")


def test_a_chats_library_is_repaired_and_rebuilt_with_chat(
    capsys: pytest.CaptureFixture[str], data_env: Path, seed_library: Library
) -> None:
    chat = chat_path(data_env / "chats", -1001)
    shutil.copytree(seed_library.path, chat)
    _remove_index(chat)
    code, _, err = run(capsys, "sources", "--chat", "-1001")
    assert code == 1 and "sanad repair" in err

    assert (
        run(capsys, "repair", "--chat", "-1001")[1]
        == f"repaired: the vector index of {chat} holds 31 sentences\n"
    )
    code, out, _ = run(capsys, "rebuild", "--chat", "-1001")
    assert code == 0 and out.startswith(
        "rebuilt: 31 sentences re-embedded with bundled:multilingual-e5-small"
    )
    assert not (data_env / "library.sqlite").exists()  # the shared library was never touched


def test_adding_a_file_twice_stores_it_once(
    capsys: pytest.CaptureFixture[str], data_env: Path, tmp_path: Path
) -> None:
    article = tmp_path / "note.txt"
    article.write_text("Headline\n\nThe mayor opened a new bridge on Monday. It cost 2.5 million dollars.\n")
    assert run(capsys, "add", str(article))[1].startswith("added: Headline (2 sentences)")
    assert run(capsys, "add", str(article))[1].startswith("already in the library: Headline")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xff\xfe\x00broken", "broken.txt", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "picture.txt", "not UTF-8"),
        (b"", "empty.txt", "empty"),
        (b"%PDF-1.4", "paper.pdf", "not a readable PDF"),
        (b"PK\x03\x04 not really a zip", "story.docx", "not a readable .docx"),
        (b"{\\rtf1 Hello}", "story.rtf", ".rtf files cannot be read"),
    ],
)
def test_a_bad_file_gets_one_clear_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    data_env: Path,
    tmp_path: Path,
    content: bytes,
    name: str,
    message: str,
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    code, _, err = run(capsys, "add", str(bad))
    assert code == 1 and message in err and err.count("\n") == 1
    assert "31 sentences" in run(capsys, "sources")[1]


GOOD = "Headline\n\nThe mayor opened a new bridge on Monday. It cost 2.5 million dollars.\n"


@pytest.mark.parametrize(
    ("content", "byte"),
    [
        (GOOD.encode()[:40] + b"\xd8", 40),  # a multi-byte character cut short at the end
        (b"abc \xc0\xaf def", 4),  # an overlong encoding of "/"
        (b"abc \xed\xa0\x80 def", 4),  # a UTF-16 surrogate encoded as UTF-8
    ],
)
def test_malformed_utf8_is_refused_naming_the_byte_and_earlier_files_stay_added(
    capsys: pytest.CaptureFixture[str], data_env: Path, tmp_path: Path, content: bytes, byte: int
) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(GOOD)
    bad.write_bytes(content)
    code, out, err = run(capsys, "add", str(good), str(bad))
    assert code == 1
    assert f"\nsanad: bad.txt is not UTF-8 text (byte {byte}). Save it as UTF-8 and send it again.\n" in err
    assert out.startswith("added: Headline")  # the good file before it stays added
    assert "Headline" in run(capsys, "sources")[1]


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("عنوان الخبر\n\nنفى المتحدث باسم الوزارة هذه المزاعم، وقال إنها بلا أساس.\n", "cp1256"),
        ("Le maire a inauguré un pont lundi.\n\nIl a coûté 2,5 millions d'euros, déjà payés.\n", "cp1252"),
    ],
)
def test_text_saved_in_a_legacy_code_page_is_read_in_it(
    capsys: pytest.CaptureFixture[str], data_env: Path, tmp_path: Path, text: str, codec: str
) -> None:
    story = tmp_path / "story.txt"
    story.write_bytes(text.encode(codec))  # as older Arabic and Western Windows editors save text
    code, out, err = run(capsys, "add", str(story))
    assert code == 0, err
    assert text.split("\n")[0] in out  # the headline, with every accent and Arabic letter


def test_a_utf16_file_with_its_byte_order_mark_is_read(
    capsys: pytest.CaptureFixture[str], data_env: Path, tmp_path: Path
) -> None:
    story = tmp_path / "story.txt"
    story.write_bytes(GOOD.encode("utf-16"))
    code, out, _ = run(capsys, "add", str(story))
    assert code == 0 and out.startswith("added: Headline")


def test_a_metadata_sidecar_in_another_encoding_is_refused(
    capsys: pytest.CaptureFixture[str], data_env: Path, tmp_path: Path
) -> None:
    (tmp_path / "story.txt").write_text(GOOD)
    (tmp_path / "story.json").write_bytes('{"title": "عنوان"}'.encode("cp1256"))
    code, _, err = run(capsys, "add", str(tmp_path / "story.txt"))
    assert code == 1 and "story.json is not valid JSON metadata" in err and err.count("\n") == 1


def test_a_damaged_library_is_reported_in_one_line_and_repaired(
    capsys: pytest.CaptureFixture[str], data_env: Path
) -> None:
    assert run(capsys, "setup")[0] == 0
    for index_file in data_env.glob("vectors-*.faiss"):
        index_file.write_bytes(b"garbage")
    code, _, err = run(capsys, "ask", "Who denied the claims?")
    assert code == 1 and "sanad repair" in err and err.count("\n") == 1
    assert run(capsys, "repair")[1].startswith("repaired: ")
    assert run(capsys, "ask", "What did the NCSC say about Hafnium?")[0] == 0


def _remove_index(library: Path) -> None:
    (index_file,) = library.glob("vectors-*.faiss")
    index_file.unlink()


def _truncate_database(library: Path) -> None:
    database = library / "library.sqlite"
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])


@pytest.mark.parametrize(
    ("damage", "repaired"),
    [
        (_remove_index, "repaired: the vector index of"),
        (_truncate_database, "repaired: no article could be read from the damaged database"),
    ],
)
def test_damage_is_reported_at_start_in_one_line_naming_repair_and_repair_fixes_it(
    capsys: pytest.CaptureFixture[str],
    data_env: Path,
    seed_library: Library,
    damage: Callable[[Path], None],
    repaired: str,
) -> None:
    """(A garbage index file: the test above; every kind of damage: tests/index/library/test_library.py.)"""
    shutil.copytree(seed_library.path, data_env)
    damage(data_env)
    code, _, err = run(capsys, "sources")
    assert code == 1 and err.count("\n") == 1 and "sanad repair" in err
    code, out, _ = run(capsys, "repair")
    assert code == 0 and out.startswith(repaired)
    code, out, _ = run(capsys, "ask", "Who denied the claims?")  # a new library gets the seed again
    assert code == 0 and SPOKESMAN in out


def test_a_chats_articles_are_added_by_link_listed_asked_and_removed(
    capsys: pytest.CaptureFixture[str], data_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANAD_ALLOW_PRIVATE_NETWORKS", "127.0.0.1")
    with NewsSite() as site:
        code, out, _ = run(capsys, "add", site.url("/ar/water-plan"), "--chat", "-1001")
    assert code == 0
    assert out.startswith(f"added: {AR_TITLE} (9 sentences) [{site.url('/ar/water-plan')}]")
    listing = run(capsys, "sources", "--chat", "-1001")[1]
    assert f"library: {data_env / 'chats' / '-1001'}" in listing and AR_TITLE in listing
    answer = json.loads(run(capsys, "ask", "--json", "--chat", "-1001", "كم تبلغ كلفة مشروع التحلية؟")[1])
    assert answer["hits"][0]["document"] == AR_TITLE and answer["hits"][0]["text"].startswith(AR_COST)
    assert json.loads(run(capsys, "ask", "--json", "كم تبلغ كلفة مشروع التحلية؟")[1])["no_answer"]
    assert run(capsys, "remove", "1", "--chat", "-1001")[1] == f"removed: {AR_TITLE} (9 sentences)\n"
    assert AR_TITLE not in run(capsys, "sources", "--chat", "-1001")[1]
    code, _, err = run(capsys, "remove", "1", "--chat", "-1001")
    assert code == 1 and "No article 1" in err


def test_a_refused_link_gets_one_line_and_creates_no_chat_library(
    capsys: pytest.CaptureFixture[str], data_env: Path
) -> None:
    code, _, err = run(capsys, "add", "file:///etc/passwd", "--chat", "7")
    assert code == 1 and err == "sanad: Only http and https links can be added, not file. Send a web link.\n"
    code, _, err = run(capsys, "add", "http://169.254.169.254/latest/meta-data/", "--chat", "7")
    assert code == 1 and "cloud metadata address" in err
    assert not (data_env / "chats" / "7").exists()


def test_votes_are_counted_exported_as_jsonl_and_asked_again_by_eval(
    capsys: pytest.CaptureFixture[str], data_env: Path, tmp_path: Path
) -> None:
    from index.config import IndexSettings
    from index.library import ShownQuote, Vote, voter_id
    from index.service import open_shelf

    article = tmp_path / "bank.txt"
    article.write_text(BANK_TEXT, encoding="utf-8")
    assert run(capsys, "add", str(article), "--chat", "-1001")[0] == 0
    with open_shelf(IndexSettings.from_env()) as shelf:
        for question, vote in (("بكم رفع البنك المركزي سعر الفائدة؟", 1), ("Who denied the claims?", -1)):
            hit = shelf.ask(question, chat_id=-1001).hits[0]
            quote = ShownQuote(hit.text, hit.document.label, hit.sentence.position, hit.sentence.paragraph)
            shelf.record_vote(-1001, Vote(f"key{vote}", voter_id(-1001, 7), vote, question, (quote,), "ar"))
    counts = run(capsys, "feedback")[1].splitlines()
    assert counts[1].split() == ["-1001", "1", "1"]
    exported = tmp_path / "votes.jsonl"
    code, _, err = run(capsys, "feedback", "--chat", "-1001", "--export", str(exported))
    assert code == 0 and "2 votes from 1 chats" in err
    records = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [(r["chat_id"], r["vote"], r["answers"]) for r in records] == [
        (-1001, 1, True),
        (-1001, -1, False),
    ]
    assert records[0]["quotes"][0]["text"].startswith("قرر البنك المركزي")
    code, out, _ = run(capsys, "eval", "--questions", str(exported), "--only-questions")
    assert code == 0
    assert "👍    1 answers: voted quote first 1/1 (100%)" in out  # nothing changed since the vote
    assert "👎    1 answers: rejected quote still first 1/1 (100%)" in out
    assert run(capsys, "feedback", "--chat", "-42")[0] == 1  # a chat without a library says so
    exported.write_text("not json\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", "--questions", str(exported), "--only-questions")
    assert code == 1 and "votes.jsonl:1 is not a vote" in err and "sanad feedback --export" in err


def test_migrate_copies_every_library_to_postgresql_verified_and_a_second_run_copies_nothing(
    capsys: pytest.CaptureFixture[str],
    data_env: Path,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shared library and a chat's, with its votes, reach the server without re-embedding; the
    copy lists the same articles and answers the same; a copy stopped half-way is finished by running
    it again."""
    from index.config import IndexSettings
    from index.library import ShownQuote, Vote, voter_id
    from index.service import open_shelf

    article = tmp_path / "bank.txt"
    article.write_text(BANK_TEXT, encoding="utf-8")
    assert run(capsys, "add", str(article), "--chat", "-1001")[0] == 0
    question = "بكم رفع البنك المركزي سعر الفائدة؟"
    with open_shelf(IndexSettings.from_env()) as shelf:
        hit = shelf.ask(question, chat_id=-1001).hits[0]
        quote = ShownQuote(hit.text, hit.document.label, hit.sentence.position, hit.sentence.paragraph)
        shelf.record_vote(-1001, Vote("key", voter_id(-1001, 7), 1, question, (quote,), "ar"))
    before = {chat: run(capsys, "sources", *chat)[1] for chat in ((), ("--chat", "-1001"))}
    asked = run(capsys, "ask", "--json", "--chat", "-1001", question)[1]

    stopping = migrate_stopping_after(1)
    assert run(capsys, "migrate", "--to", database_url)[0] == 130  # Ctrl-C after the first article
    stopping.undo()
    code, out, err = run(capsys, "migrate", "--to", database_url)
    assert code == 0, err
    assert "shared library: 0 articles copied, 1 already there, 0 votes" in out  # done before the stop
    assert "chat -1001: 1 articles copied, 0 already there, 1 votes" in out
    assert out.count(": identical") == 2 and "done: 2 libraries at postgresql://" in out
    again = run(capsys, "migrate", "--to", database_url)[1]
    assert "0 articles copied" in again and "1 articles copied" not in again

    monkeypatch.setenv("SANAD_DATABASE_URL", database_url)
    after = {chat: run(capsys, "sources", *chat)[1] for chat in ((), ("--chat", "-1001"))}
    for chat, listing in before.items():
        assert listing.splitlines()[1:] == after[chat].splitlines()[1:]  # all but the "library:" line
    assert json.loads(run(capsys, "ask", "--json", "--chat", "-1001", question)[1]) == json.loads(asked)
    assert run(capsys, "feedback")[1].splitlines()[1].split() == ["-1001", "1", "0"]


def migrate_stopping_after(documents: int) -> pytest.MonkeyPatch:
    """Make `sanad migrate` stop (as Ctrl-C would) once `documents` articles are copied."""
    import index.library

    real = index.library.copy_library
    done = [0]

    def copying(source, target, *, progress=None):  # type: ignore[no-untyped-def]
        def counted(n: int) -> None:
            done[0] += n
            if progress:
                progress(n)
            if done[0] >= documents:
                raise KeyboardInterrupt

        return real(source, target, progress=counted)

    patch = pytest.MonkeyPatch()
    patch.setattr(index.library, "copy_library", copying)
    return patch
