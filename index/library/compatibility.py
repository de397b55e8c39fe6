"""Which models may search a library: only one whose vectors compare with the stored ones.

A library's meta entries (the on-disk meta table, or its `library_meta` rows on PostgreSQL) record the
model (name, fingerprint, dimension, the vector of a probe text) and every backend that embedded stored
sentences ("torch", "onnx-fp32", "onnx-int8"), first the one that created or last rebuilt the library.
One model's backends agree closely enough to share a library: another backend is accepted when its
probe vector agrees with the stored one (PROBE_AGREEMENT), a model with other files only when it
embeds the probe all but identically (SAME_VECTORS), and another model is refused with the command
that re-embeds the library."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from index.errors import ModelMismatchError
from index.library.schema import corrupt, write_meta
from index.records import ModelInfo

# Below this cosine between the stored and the loaded model's probe vectors, the models differ.
PROBE_AGREEMENT = 0.98
# A model with other files (another fingerprint) must embed the probe all but identically: a
# fine-tuned model can agree above PROBE_AGREEMENT and still rank differently.
SAME_VECTORS = 0.9999


def model_meta(model: ModelInfo, probe: np.ndarray) -> dict[str, str]:
    """The meta entries that record `model` as the one that embedded a library (either store)."""
    return {
        "model": model.name,
        "fingerprint": model.fingerprint,
        "dim": str(model.dim),
        "probe": json.dumps([round(float(x), 6) for x in probe]),
        "backends": json.dumps([model.backend]),
    }


def model_of(meta: Mapping[str, str]) -> ModelInfo:
    """The model recorded in a library's meta entries, with the backend that created (or rebuilt) it;
    KeyError or ValueError when they are damaged."""
    return ModelInfo(
        name=meta["model"],
        fingerprint=meta["fingerprint"],
        dim=int(meta["dim"]),
        backend=backends_of(meta)[0],
    )


def probe_of(meta: Mapping[str, str]) -> np.ndarray:
    """The probe vector recorded with the model (KeyError or ValueError when it is damaged)."""
    return np.asarray(json.loads(meta["probe"]), dtype=np.float32)


def backends_of(meta: Mapping[str, str]) -> list[str]:
    """The recorded backends; a library from before they were recorded was embedded by torch."""
    recorded = meta.get("backends")
    backends = json.loads(recorded) if recorded is not None else ["torch"]
    if not backends or not all(isinstance(b, str) for b in backends):
        raise ValueError(f"meta key 'backends' holds {recorded!r}")
    return list(backends)


def with_backend(meta: Mapping[str, str], backend: str | None) -> dict[str, str]:
    """The meta entries to write so that `backend` is among the recorded ones (none when it is)."""
    backends = backends_of(meta)
    if backend is None or backend in backends:
        return {}
    return {"backends": json.dumps([*backends, backend])}


def refuse_other_model(
    where: str, meta: Mapping[str, str], stored: ModelInfo, loaded: ModelInfo, probe: np.ndarray
) -> None:
    """Refuse a model whose vectors would not be comparable with the stored ones. The same model on the
    same backend is trusted by its fingerprint; on another backend (or a model with other files) the
    probe vectors must agree. `where` names the library in the message."""
    if (stored.fingerprint, stored.dim, stored.backend) == (loaded.fingerprint, loaded.dim, loaded.backend):
        return
    agreement = None
    if stored.dim == loaded.dim:
        stored_probe = probe_of(meta)
        agreement = float(stored_probe @ probe)
        if agreement >= (PROBE_AGREEMENT if stored.fingerprint == loaded.fingerprint else SAME_VECTORS):
            return
    if stored.fingerprint == loaded.fingerprint and agreement is not None:
        raise ModelMismatchError(
            f"The library at {where} was embedded by {stored.name} on {stored.backend}, and on"
            f" {loaded.backend} the same model embeds differently (probe cosine {agreement:.3f}, below"
            f" {PROBE_AGREEMENT}). Set SANAD_BACKEND={stored.backend}, or re-embed: sanad rebuild"
        )
    raise ModelMismatchError(
        f"The library at {where} was embedded with {stored.name} ({stored.dim}-d, fingerprint"
        f" {stored.fingerprint}), but {loaded.name} ({loaded.dim}-d, fingerprint {loaded.fingerprint})"
        f" is loaded. Re-embed the library with the loaded model: sanad rebuild"
        f" (or set SANAD_MODEL={stored.name})."
    )


# ---------------------------------------------------------------- the on-disk library's meta table


def write_model(db: sqlite3.Connection, model: ModelInfo, probe: np.ndarray) -> None:
    """Record `model` as the one that embedded the library (inside the caller's transaction)."""
    write_meta(db, model_meta(model, probe))


def read_model(db: sqlite3.Connection, path: Path) -> ModelInfo:
    """The model that embedded the library, with the backend that created (or rebuilt) it."""
    try:
        return model_of(_meta(db))
    except (sqlite3.DatabaseError, KeyError, ValueError) as exc:
        raise corrupt(path, exc) from exc


def read_probe(db: sqlite3.Connection, path: Path) -> np.ndarray:
    """The probe vector recorded with the library's model."""
    try:
        return probe_of(_meta(db))
    except (sqlite3.DatabaseError, KeyError, ValueError) as exc:
        raise corrupt(path, exc) from exc


def read_backends(db: sqlite3.Connection) -> list[str]:
    """The recorded backends; a library from before they were recorded was embedded by torch."""
    try:
        return backends_of(_meta(db))
    except ValueError as exc:
        raise sqlite3.DatabaseError(str(exc)) from exc


def record_backend(db: sqlite3.Connection, backend: str | None) -> None:
    """Add `backend` to the recorded ones; the caller's transaction commits it."""
    if entries := with_backend(_meta(db), backend):
        write_meta(db, entries)


def check_model(
    db: sqlite3.Connection, path: Path, stored: ModelInfo, loaded: ModelInfo, probe: np.ndarray
) -> None:
    """`refuse_other_model` for the library at `path`."""
    refuse_other_model(str(path), _meta(db), stored, loaded, probe)


def _meta(db: sqlite3.Connection) -> dict[str, str]:
    return {str(key): str(value) for key, value in db.execute("SELECT key, value FROM meta").fetchall()}
