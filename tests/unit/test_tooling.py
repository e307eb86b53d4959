"""The static checks of pyproject.toml (ruff, mypy strict), run by the suite so they stay true like the contracts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "pyproject.toml")


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which(tool, path=str(Path(sys.executable).parent))
    assert executable, f"{tool} is a test dependency"
    return subprocess.run([executable, *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_passes() -> None:
    result = _run("ruff", "check", "--config", CONFIG, "--no-cache", str(ROOT))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    result = _run("ruff", "format", "--check", "--config", CONFIG, "--no-cache", str(ROOT))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_passes() -> None:
    # No paths: mypy checks the config's `files`. Its incremental cache (.mypy_cache) makes reruns fast.
    result = _run("mypy", "--config-file", CONFIG)
    assert result.returncode == 0, result.stdout + result.stderr
