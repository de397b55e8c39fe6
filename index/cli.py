"""The index's commands of `sanad` (the console script, bot.cli, adds the bot's). Library errors
become one-line messages and exit status 1.

Heavy modules (onnxruntime, faiss; torch and sentence-transformers only on the torch backend or to
build an ONNX export) load only inside the commands that need them, so `sanad --help` and `sanad split`
answer at once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from index.config import IndexSettings, load_dotenv_file
from index.errors import SanadError

if TYPE_CHECKING:
    from index.embedding import Encoder
    from index.library import AnyLibrary, Catalog

log = logging.getLogger("sanad")


PLUGIN_GROUP = "sanad.commands"
Handler = Callable[[argparse.Namespace, IndexSettings], "int | None"]
AddCommand = Callable[[str, Handler, str], argparse.ArgumentParser]


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the chosen command; library errors become one line on stderr."""
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    load_dotenv_file()
    try:
        settings = IndexSettings.from_env()
        return int(args.handler(args, settings) or 0)
    except SanadError as exc:
        print(f"sanad: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def build_parser() -> tuple[argparse.ArgumentParser, AddCommand]:
    """The parser with the index commands, and a function that adds more commands to it."""
    parser = argparse.ArgumentParser(
        prog="sanad",
        description="Answer questions about news articles by quoting the articles' own sentences.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    # `setup_steps`: what `sanad setup` does after the model and the seed library (bot/cli.py adds the
    # bot's tables in PostgreSQL), each called with the settings.
    parser.set_defaults(handler=lambda args, settings: parser.print_help(), setup_steps=())
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_, description=help_)
        sub.set_defaults(handler=handler)
        return sub

    ask = command("ask", _ask, "Answer a question (or one question per line from stdin) with quotes.")
    ask.add_argument("question", nargs="?", help="the question; omit it to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("-k", "--top", type=int, help="how many quotes at most (default: SANAD_TOP_K)")
    _chat_option(ask, "search this chat's own library as well as the shared one")

    add = command(
        "add",
        _add,
        "Add articles (web links, or .txt .md .html .pdf .docx files) to a chat's or the shared library.",
    )
    add.add_argument("sources", nargs="*", metavar="URL|FILE", help="article links and files")
    add.add_argument("--seeds", action="store_true", help="add the shipped seed articles")
    _chat_option(add, "add to this chat's library (default: the shared library)")

    remove = command("remove", _remove, "Remove an article (its text and vectors) from a chat's library.")
    remove.add_argument(
        "document", type=int, metavar="ID", help="the article's id, as `sanad sources` lists it"
    )
    _chat_option(remove, "the chat whose library holds it (default: the shared library)")

    split = command(
        "split", _split, "Print an article's sentences as JSON lines (start, end, paragraph, text)."
    )
    split.add_argument("file", nargs="?", default="-", help="article text file; '-' or nothing reads stdin")

    sources = command(
        "sources", _sources, "List the articles in the library and the model that embedded them."
    )
    _chat_option(sources, "list this chat's library instead of the shared one")
    command("setup", _setup, "Build the bundled model, its ONNX exports and the seed library (once, cached).")
    repair = command(
        "repair",
        _repair,
        "Rebuild the vector index from the sentences stored in the library (and save what can be read"
        " from a damaged database).",
    )
    _chat_option(repair, "repair this chat's library instead of the shared one")
    rebuild = command("rebuild", _rebuild, "Re-embed every stored sentence with the configured model.")
    _chat_option(rebuild, "re-embed this chat's library instead of the shared one")
    feedback = command(
        "feedback",
        _feedback,
        "Count the 👍/👎 votes on the bot's answers per chat, or --export them as JSONL (one vote per line:"
        " question, quotes shown, vote) that `sanad eval --questions FILE` reads.",
    )
    _chat_option(feedback, "only this chat's votes (default: every chat's)")
    feedback.add_argument(
        "--export",
        nargs="?",
        const="-",
        metavar="FILE",
        help="write the votes as JSONL to FILE ('-': stdout)",
    )
    migrate = command(
        "migrate",
        _migrate,
        "Copy the libraries on disk (the shared one and every chat's) into a PostgreSQL database, without"
        " re-embedding; run it again to finish a copy that was stopped. Then set SANAD_DATABASE_URL.",
    )
    migrate.add_argument("--to", required=True, metavar="URL", help="postgresql://… connection string")

    _plug_in(command)
    return parser, command


# ------------------------------------------------------------------------- commands


def _ask(args: argparse.Namespace, settings: IndexSettings) -> int:
    from index.service import open_shelf
    from index.terminal import format_answer

    questions = [args.question] if args.question is not None else _stdin_lines()
    shelf = open_shelf(settings)
    k = args.top or settings.top_k
    for question in questions:
        try:
            answer = shelf.ask(question, chat_id=args.chat, k=k)
        except SanadError as exc:
            if args.question is not None:
                raise
            _emit({"question": question, "error": str(exc)} if args.json else f"Q: {question}\n{exc}")
            continue
        _emit(answer_json(answer) if args.json else format_answer(answer) + "\n")
    return 0


def _add(args: argparse.Namespace, settings: IndexSettings) -> int:
    from tqdm import tqdm

    from index.embedding import load_encoder
    from index.ingest import add_source, is_link, read_link, read_source, seed_paths

    sources: list[str | Path] = [*args.sources, *(seed_paths() if args.seeds else [])]
    if not sources:
        raise SanadError("Nothing to add: give article links or files, or --seeds for the shipped articles.")
    encoder = load_encoder(settings)
    with contextlib.ExitStack() as stack:
        library = None
        for source in tqdm(sources, desc="articles", unit="article", disable=len(sources) < 2):
            if isinstance(source, str) and is_link(source):
                article = read_link(source, settings.fetch)
            else:
                article = read_source(Path(source), settings.fetch)
            if library is None:  # opened (created) only once there is an article to put in it
                library = stack.enter_context(_open_library(settings, encoder, args.chat, create=True))
            document, new = add_source(library, encoder, article, progress=True)
            state = "added" if new else "already in the library"
            print(f"{state}: {document.label} ({_sentences(document.sentence_count)}) [{source}]", flush=True)
    return 0


def _remove(args: argparse.Namespace, settings: IndexSettings) -> int:
    with _library_of(settings, args.chat) as library:
        document = library.document(args.document)
        if document is None or not library.remove(args.document):
            raise SanadError(f"No article {args.document} in {library.where}. sanad sources lists the ids.")
    print(f"removed: {document.label} ({_sentences(document.sentence_count)})")
    return 0


def _split(args: argparse.Namespace, settings: IndexSettings) -> int:
    from index.text import split_article

    if args.file == "-":
        text = sys.stdin.read()
    else:
        from index.ingest import read_source

        text = read_source(Path(args.file)).text
    for sentence in split_article(text).sentences:
        _emit(
            {
                "start": sentence.start,
                "end": sentence.end,
                "paragraph": sentence.paragraph + 1,  # 1-based, as the bot says "paragraph 7 of 12"
                "text": sentence.text,
            }
        )
    return 0


def _sources(args: argparse.Namespace, settings: IndexSettings) -> int:
    from index.embedding import load_encoder

    encoder = load_encoder(settings)
    with _open_library(settings, encoder, args.chat) as library:
        model = library.model
        print(f"library: {library.where}")
        print(f"model:   {model.name} ({model.dim}-d, fingerprint {model.fingerprint})")
        print(f"backend: embedded by {' + '.join(library.backends())}; answering on {encoder.info.backend}")
        print(f"index:   {library.index_plan.label}, {library.sentence_count():,} sentences")
        for document in library.documents():
            line = (
                f"{document.id:>4}  {document.sentence_count:>4} sentences  {document.characters:>7,} chars"
                f"  {document.language or '?'}  added {document.added_at[:10]}  {document.label}"
            )
            print(line)
    return 0


def _setup(args: argparse.Namespace, settings: IndexSettings) -> int:
    from index.embedding import load_encoder, prepare_weights
    from index.embedding.build import ensure_model
    from index.service import open_catalog, open_library

    location = ensure_model(settings.model, settings.model_cache)  # builds the bundled model
    if settings.backend != "torch" and isinstance(location, Path) and _onnx_can_run(location):
        from index.embedding.build import ensure_exports

        ensure_exports(location, progress=True)  # needs torch and onnx: here, never when serving
    prepare_weights(settings.model_cache)  # USE's weights, uncompressed for a fast first answer
    encoder = load_encoder(settings)  # warns and runs on torch when the ONNX backend cannot
    if settings.database_url:
        _set_up_library_tables(settings.database_url)
    for step in args.setup_steps:  # the database's tables first: the libraries may live there
        step(settings)
    with contextlib.closing(open_catalog(settings)) as catalog:
        # After SANAD_MODEL changed: re-embed, lose nothing.
        for chat_id in [None, *catalog.chat_ids()]:
            if catalog.exists(chat_id) and _embedded_by_another_model(catalog, chat_id, encoder):
                where = catalog.describe(chat_id)
                print(f"the library at {where} was embedded by another model: re-embedding it")
                _reembed(catalog, chat_id, encoder)
        with open_library(settings, encoder, progress=True, catalog=catalog) as library:
            count = library.sentence_count()
            print(
                f"ready: {len(library.documents())} articles, {count} sentences in {library.where};"
                f" {encoder.info.backend} answers"
            )
    return 0


def _set_up_library_tables(url: str) -> None:
    from index.database import Postgres
    from index.library import set_up_libraries

    database = Postgres.connect(url)
    try:
        applied = set_up_libraries(database)
        print(f"library tables at {database.where}: {applied} migrations applied, up to date")
    finally:
        database.close()


def _embedded_by_another_model(catalog: Catalog, chat_id: int | None, encoder: Encoder) -> bool:
    """A damaged library is not: whatever opens it next reports the damage."""
    from index.errors import LibraryError, ModelMismatchError

    try:
        catalog.open(chat_id, encoder.info, encoder.probe(), create=False).close()
    except ModelMismatchError:
        return True
    except LibraryError:
        return False
    return False


def _onnx_can_run(model_dir: Path) -> bool:
    from index.embedding import check_model
    from index.errors import ModelError

    try:
        check_model(model_dir)
    except ModelError:
        return False
    return True


def _repair(args: argparse.Namespace, settings: IndexSettings) -> int:
    from index.errors import DamagedDatabaseError
    from index.library import Library, OnDisk

    if settings.database_url:
        print("nothing to repair: the libraries are rows of the database, which keeps them whole")
        return 0
    path = OnDisk(settings.data_dir, settings.chats_dir).path(args.chat)
    try:
        count = Library.repair_at(path)
    except DamagedDatabaseError:
        print(f"repaired: {Library.salvage_at(path).summary}")
        return 0
    print(f"repaired: the vector index of {path} holds {count} sentences")
    return 0


def _rebuild(args: argparse.Namespace, settings: IndexSettings) -> int:
    from index.embedding import load_encoder
    from index.service import open_catalog

    encoder = load_encoder(settings)
    with contextlib.closing(open_catalog(settings)) as catalog:
        count = _reembed(catalog, args.chat, encoder)
    print(f"rebuilt: {count} sentences re-embedded with {encoder.info.name} on {encoder.info.backend}")
    return 0


def _reembed(catalog: Catalog, chat_id: int | None, encoder: Encoder) -> int:
    """Re-embed a library with `encoder`; the number of sentences."""
    from index.embedding import progress_bar
    from index.records import Embedded

    with progress_bar(None) as bar:  # the count is known only once the library is open for writing

        def embed(texts: list[str]) -> Embedded:
            embedded = encoder.embed_passages(texts)
            bar.update(len(texts))
            return embedded

        return catalog.rebuild(chat_id, encoder.info, encoder.probe(), embed)


def _migrate(args: argparse.Namespace, settings: IndexSettings) -> int:
    from tqdm import tqdm

    from index.config import parse_database_url
    from index.database import Postgres
    from index.library import Library, OnDisk, OnServer, compare, copy_library, set_up_libraries

    url = parse_database_url(args.to) or ""
    disk = OnDisk(settings.data_dir, settings.chats_dir)
    chats = [chat for chat in (None, *disk.chat_ids()) if disk.exists(chat)]
    if not chats:
        raise SanadError(f"No library at {settings.data_dir} or under {settings.chats_dir}: nothing to copy.")
    with contextlib.closing(OnServer(Postgres.connect(url))) as server:
        set_up_libraries(server.database)
        different = 0
        for chat in chats:
            name = "shared library" if chat is None else f"chat {chat}"
            with Library.open_stored(disk.path(chat)) as source:
                target = server.open(chat, source.model, source.recorded_probe())
                with tqdm(total=len(source.documents()), desc=name, unit="article", leave=False) as bar:
                    copied = copy_library(source, target, progress=bar.update)
                checked = compare(source, target)
            state = "identical" if checked.same else "DIFFERENT: " + "; ".join(checked.problems)
            print(
                f"{name}: {copied.documents} articles copied, {copied.skipped} already there,"
                f" {copied.votes} votes; {checked.documents} articles, {checked.sentences} sentences,"
                f" {checked.searched} searched by their own vector: {state}"
            )
            different += not checked.same
    if different:
        raise SanadError(
            f"{different} libraries differ from their copy at {server.where}: run sanad migrate again."
        )
    print(f"done: {len(chats)} libraries at {server.where}. Set SANAD_DATABASE_URL to use them.")
    return 0


# ------------------------------------------------------------------------- helpers


def _feedback(args: argparse.Namespace, settings: IndexSettings) -> int:
    from index.service import open_catalog

    with contextlib.closing(open_catalog(settings)) as catalog:
        if args.chat is not None:
            chats = [args.chat]
            if not catalog.exists(args.chat):
                raise SanadError(
                    f"Chat {args.chat} has no library (no articles, no votes) in {catalog.where}."
                )
        else:
            chats = catalog.chat_ids()
        votes = [(chat, vote) for chat in chats for vote in catalog.votes(chat)]
    if args.export is None:
        print(f"{'chat':>16}  {'👍':>5}  {'👎':>5}")
        for chat in chats:
            up = sum(vote.vote > 0 for c, vote in votes if c == chat)
            down = sum(vote.vote < 0 for c, vote in votes if c == chat)
            print(f"{chat:>16}  {up:>5}  {down:>5}")
        return 0
    lines = [json.dumps({"chat_id": chat, **vote.to_json()}, ensure_ascii=False) for chat, vote in votes]
    if args.export == "-":
        for line in lines:
            _emit(line)
    else:
        Path(args.export).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        print(f"{len(lines)} votes from {len(chats)} chats written to {args.export}", file=sys.stderr)
    return 0


def _plug_in(command: AddCommand) -> None:
    """Add the commands other installed packages register under the `sanad.commands` entry point (the
    lab's eval, calibrate and bench): each entry is a function that takes `command`. The product
    never imports them; a plug-in that fails to load is left out with a warning."""
    for entry in metadata.entry_points(group=PLUGIN_GROUP):
        try:
            entry.load()(command)
        except Exception as exc:  # a broken plug-in must not take the product's commands down
            log.warning("the %s commands (%s) could not be added: %s", entry.name, entry.value, exc)


def _chat_option(parser: argparse.ArgumentParser, help_: str) -> None:
    parser.add_argument("--chat", type=int, metavar="ID", help=f"Telegram chat id: {help_}")


@contextlib.contextmanager
def _library_of(settings: IndexSettings, chat_id: int | None) -> Iterator[AnyLibrary]:
    """An existing library to read or change: the shared one (seeded when new), or a chat's own."""
    from index.embedding import load_encoder

    encoder = load_encoder(settings)
    with _open_library(settings, encoder, chat_id) as library:
        yield library


@contextlib.contextmanager
def _open_library(
    settings: IndexSettings, encoder: Encoder, chat_id: int | None, *, create: bool = False
) -> Iterator[AnyLibrary]:
    """The shared library, or a chat's own (which only an add creates), closed at the end with the
    catalog it came from."""
    from index.service import open_catalog, open_library

    with contextlib.closing(open_catalog(settings)) as catalog:
        if chat_id is None:
            library = open_library(settings, encoder, seed=not create, catalog=catalog)
        else:
            library = catalog.open(chat_id, encoder.info, encoder.probe(), create=create)
        with library:
            yield library


def answer_json(answer: object) -> dict[str, object]:
    """The --json shape of an answer: question, no_answer, hits (text, score, document, paragraph).
    `paragraph` counts from 1, as the bot's "paragraph 7 of 12" does; `position` is the sentence's
    0-based index in the article.

    `start`/`end` locate `text` in the article (it may run over two sentences); `highlights` are
    [start, end) spans within `text` of the words it shares with the question."""
    from index.search import Answer

    assert isinstance(answer, Answer)
    return {
        "question": answer.question,
        "no_answer": answer.no_answer,
        "best_score": None if answer.best_score is None else round(answer.best_score, 4),
        "doubt": answer.doubt,
        "hits": [
            {
                "text": hit.text,
                "score": round(hit.score, 4),
                "document": hit.document.label,
                "document_id": hit.document.id,
                "paragraph": hit.sentence.paragraph + 1,  # 1-based, as the bot says it
                "position": hit.sentence.position,
                "start": hit.quoted[0].start if hit.quoted else hit.sentence.start,
                "end": hit.quoted[-1].end if hit.quoted else hit.sentence.end,
                "highlights": [list(span) for span in hit.highlights],
            }
            for hit in answer.hits
        ],
    }


def _emit(item: object) -> None:
    line = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
    print(line, flush=True)


def _stdin_lines() -> Iterable[str]:
    return (line.rstrip("\n") for line in sys.stdin if line.strip())


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _sentences(count: int) -> str:
    """ "1 sentence", "7 sentences"."""
    return f"{count:,} sentence{'' if count == 1 else 's'}"
