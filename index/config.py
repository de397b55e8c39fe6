"""Index settings, read once from the environment (and an optional `.env`).

Defaults keep everything inside the checkout, so a fresh clone works with no configuration.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
BUNDLED_MODEL = "bundled:multilingual-e5-small"

# How the model runs. onnx-int8 serves by default: a fraction of torch's memory, start-up and latency,
# at cosine >= 0.99 to torch (README, Performance; docs/measurements.md). torch is the reference.
Backend = Literal["onnx-int8", "onnx-fp32", "torch"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)
DEFAULT_BACKEND: Backend = "onnx-int8"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Which calibrated fusion ranks: the learned one (sanad calibrate's logistic regression) or the weighted
# one (e5 + weighted opinions per pairing); sanad eval shows both side by side.
FusionKind = Literal["weighted", "learned"]
FUSIONS: tuple[FusionKind, ...] = get_args(FusionKind)


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits on reading articles from links and files (see index.ingest.fetch and index.ingest.extract)."""

    timeout: float = 20.0  # seconds for a whole page, redirects included
    max_bytes: int = 5_000_000  # a page or a file
    max_redirects: int = 5
    # Private networks links may still point to (an intranet CMS; the tests' 127.0.0.1 server).
    allowed_networks: tuple[Network, ...] = ()

    @classmethod
    def from_env(cls, env: dict[str, str]) -> FetchSettings:
        return cls(
            timeout=_positive_float(env.get("SANAD_FETCH_TIMEOUT", "20"), "SANAD_FETCH_TIMEOUT"),
            max_bytes=_positive_int(env.get("SANAD_MAX_ARTICLE_BYTES", "5000000"), "SANAD_MAX_ARTICLE_BYTES"),
            allowed_networks=parse_networks(env.get("SANAD_ALLOW_PRIVATE_NETWORKS", "")),
        )


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """Where the library lives, which model embeds it and how the model runs."""

    data_dir: Path
    model: str
    model_cache: Path
    top_k: int
    min_score: float | None
    chats_dir: Path  # one library per chat below it, created on the chat's first add
    backend: Backend = DEFAULT_BACKEND
    onnx_threads: int | None = None  # cores one ONNX call may use; None: every core this process may use
    fusion: FusionKind = "learned"
    fetch: FetchSettings = field(default_factory=FetchSettings)
    # SANAD_DATABASE_URL: state in PostgreSQL instead of files on disk (None: the files). Never shown
    # as it is: it may hold a password (index/database.py shows it redacted).
    database_url: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> IndexSettings:
        """Build settings from `env` (default: the process environment)."""
        env = dict(os.environ if env is None else env)
        home = Path(env.get("SANAD_HOME", PROJECT_ROOT / "data"))
        min_score = env.get("SANAD_MIN_SCORE", "").strip()
        threads = env.get("SANAD_ONNX_THREADS", "").strip()
        data_dir = Path(env.get("SANAD_DATA", home / "library"))
        return cls(
            data_dir=data_dir,
            model=env.get("SANAD_MODEL", BUNDLED_MODEL).strip() or BUNDLED_MODEL,
            model_cache=Path(env.get("SANAD_MODEL_CACHE", home / "models")),
            top_k=_positive_int(env.get("SANAD_TOP_K", "3"), "SANAD_TOP_K"),
            min_score=float(min_score) if min_score else None,
            backend=parse_backend(env.get("SANAD_BACKEND", "")),
            onnx_threads=_positive_int(threads, "SANAD_ONNX_THREADS") if threads else None,
            fusion=parse_fusion(env.get("SANAD_FUSION", "")),
            chats_dir=Path(env.get("SANAD_CHATS", "").strip() or data_dir / "chats"),
            fetch=FetchSettings.from_env(env),
            database_url=parse_database_url(env.get("SANAD_DATABASE_URL", "")),
        )


def parse_database_url(value: str) -> str | None:
    """A SANAD_DATABASE_URL value: a postgresql:// connection string, or None when unset."""
    from index.errors import InputError

    url = value.strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise InputError(
            "SANAD_DATABASE_URL must be a PostgreSQL connection string (postgresql://user@host/database),"
            " or unset to keep everything in files."
        )
    return url


def parse_backend(value: str) -> Backend:
    """A SANAD_BACKEND value (empty: the default), or an error that lists the choices."""
    from index.errors import InputError

    name = value.strip().lower() or DEFAULT_BACKEND
    for backend in BACKENDS:
        if name == backend:
            return backend
    raise InputError(f"SANAD_BACKEND must be one of {', '.join(BACKENDS)}; not {value.strip()!r}.")


def parse_fusion(value: str) -> FusionKind:
    """A SANAD_FUSION value (empty: learned), or an error that lists the choices."""
    from index.errors import InputError

    name = value.strip().lower() or "learned"
    for fusion in FUSIONS:
        if name == fusion:
            return fusion
    raise InputError(f"SANAD_FUSION must be one of {', '.join(FUSIONS)}; not {value.strip()!r}.")


def _positive_int(value: str, name: str) -> int:
    from index.errors import InputError

    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise InputError(f"{name} must be a whole number of at least 1, not {value!r}.")
    return number


def _positive_float(value: str, name: str) -> float:
    from index.errors import InputError

    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise InputError(f"{name} must be a number of seconds above 0, not {value!r}.")
    return number


def parse_networks(value: str) -> tuple[Network, ...]:
    """Networks from "127.0.0.1, 10.0.0.0/8, fd00::/8"; a bare address is a network of one."""
    from index.errors import InputError

    networks = []
    for item in value.split(","):
        if item := item.strip():
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise InputError(
                    f"SANAD_ALLOW_PRIVATE_NETWORKS must list IP addresses or networks such as 10.0.0.0/8,"
                    f" separated by commas; {item!r} is not one."
                ) from None
    return tuple(networks)


def load_dotenv_file(path: Path | None = None) -> None:
    """Load `.env` from the working directory without overriding the real environment."""
    from dotenv import load_dotenv

    load_dotenv(path or Path.cwd() / ".env", override=False)
