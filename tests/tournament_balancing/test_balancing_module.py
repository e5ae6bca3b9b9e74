"""The balancing module type-checks strictly, imports only the standard library, and its example runs."""

from __future__ import annotations

import doctest
import subprocess
import sys
from pathlib import Path

import pytest

import tournament.balancing

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "tournament/balancing.py"],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_balancing_imports_only_the_standard_library() -> None:
    code = ("import sys; before = set(sys.modules); import tournament.balancing; "
            "new = {m.split('.')[0] for m in set(sys.modules) - before}; "
            "outside = {m for m in new if m not in sys.stdlib_module_names and m != 'tournament'}; "
            "assert not outside, outside")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_docstring_example() -> None:
    result = doctest.testmod(tournament.balancing)
    assert result.attempted and not result.failed
