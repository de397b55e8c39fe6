"""Model specs -> where the model is: the bundled build, a local directory, or a hub id."""

from __future__ import annotations

from pathlib import Path

from index.config import BUNDLED_MODEL
from index.embedding.model_files import MANIFEST_NAME, bundled_dir
from index.errors import ModelError


def resolve_model_path(spec: str, cache: Path) -> Path | str:
    """Map a model spec to a local directory or a hub id. The bundled model is built by `sanad setup`
    (`index.embedding.build`); before that it is a ModelError naming the command."""
    if spec == BUNDLED_MODEL or spec == "bundled":
        location = bundled_dir(cache)
        if not (location / MANIFEST_NAME).is_file():
            raise ModelError(f"The bundled model is not built yet in {location}. Build it: sanad setup")
        return location
    path = Path(spec).expanduser()
    if path.exists():
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise ModelError(f"{path} is not a sentence-transformers model directory (no config.json).")
        return path
    if spec.startswith((".", "/", "~")):
        raise ModelError(f"Model directory {spec} does not exist. Set SANAD_MODEL to an existing path.")
    return spec
