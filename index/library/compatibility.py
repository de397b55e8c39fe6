"""Which models may search a library: only one whose vectors compare with the stored ones.

The meta table records the model (name, fingerprint, dimension, the vector of a probe text) and every
backend that embedded stored sentences ("torch", "onnx-fp32", "onnx-int8"), first the one that created
or last rebuilt the library. One model's backends agree closely enough to share a library: another
backend is accepted when its probe vector agrees with the stored one (PROBE_AGREEMENT), a model with
other files only when it embeds the probe all but identically (SAME_VECTORS), and another model is
refused with the command that re-embeds the library.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np

from index.errors import ModelMismatchError
from index.library.schema import corrupt, read_meta, write_meta
from index.records import ModelInfo

# Below this cosine between the stored and the loaded model's probe vectors, the models differ.
PROBE_AGREEMENT = 0.98
# A model with other files (another fingerprint) must embed the probe all but identically: a
# fine-tuned model can agree above PROBE_AGREEMENT and still rank differently.
SAME_VECTORS = 0.9999


def write_model(db: sqlite3.Connection, model: ModelInfo, probe: np.ndarray) -> None:
    """Record `model` as the one that embedded the library (inside the caller's transaction)."""
    write_meta(
        db,
        {
            "model": model.name,
            "fingerprint": model.fingerprint,
            "dim": str(model.dim),
            "probe": json.dumps([round(float(x), 6) for x in probe]),
            "backends": json.dumps([model.backend]),
        },
    )


def read_model(db: sqlite3.Connection, path: Path) -> ModelInfo:
    """The model that embedded the library, with the backend that created (or rebuilt) it."""
    try:
        return ModelInfo(
            name=read_meta(db, "model"),
            fingerprint=read_meta(db, "fingerprint"),
            dim=int(read_meta(db, "dim")),
            backend=read_backends(db)[0],
        )
    except (sqlite3.DatabaseError, ValueError) as exc:
        raise corrupt(path, exc) from exc


def read_backends(db: sqlite3.Connection) -> list[str]:
    """The recorded backends; a library from before they were recorded was embedded by torch."""
    row = db.execute("SELECT value FROM meta WHERE key = 'backends'").fetchone()
    backends = json.loads(row[0]) if row else ["torch"]
    if not backends or not all(isinstance(b, str) for b in backends):
        raise sqlite3.DatabaseError(f"meta key 'backends' holds {row[0]!r}")
    return list(backends)


def record_backend(db: sqlite3.Connection, backend: str | None) -> None:
    """Add `backend` to the recorded ones; the caller's transaction commits it."""
    backends = read_backends(db)
    if backend is not None and backend not in backends:
        write_meta(db, {"backends": json.dumps([*backends, backend])})


def check_model(
    db: sqlite3.Connection, path: Path, stored: ModelInfo, loaded: ModelInfo, probe: np.ndarray
) -> None:
    """Refuse a model whose vectors would not be comparable with the stored ones. The same model on the
    same backend is trusted by its fingerprint; on another backend (or a model with other files) the
    probe vectors must agree."""
    if (stored.fingerprint, stored.dim, stored.backend) == (loaded.fingerprint, loaded.dim, loaded.backend):
        return
    agreement = None
    if stored.dim == loaded.dim:
        stored_probe = np.asarray(json.loads(read_meta(db, "probe")), dtype=np.float32)
        agreement = float(stored_probe @ probe)
        if agreement >= (PROBE_AGREEMENT if stored.fingerprint == loaded.fingerprint else SAME_VECTORS):
            return
    if stored.fingerprint == loaded.fingerprint and agreement is not None:
        raise ModelMismatchError(
            f"The library at {path} was embedded by {stored.name} on {stored.backend}, and on"
            f" {loaded.backend} the same model embeds differently (probe cosine {agreement:.3f}, below"
            f" {PROBE_AGREEMENT}). Set SANAD_BACKEND={stored.backend}, or re-embed: sanad rebuild"
        )
    raise ModelMismatchError(
        f"The library at {path} was embedded with {stored.name} ({stored.dim}-d, fingerprint"
        f" {stored.fingerprint}), but {loaded.name} ({loaded.dim}-d, fingerprint {loaded.fingerprint})"
        f" is loaded. Re-embed the library with the loaded model: sanad rebuild"
        f" (or set SANAD_MODEL={stored.name})."
    )
