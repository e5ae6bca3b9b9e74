"""The engine type-checks, its docstring examples run, and it imports no Django."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_strict() -> None:
    pytest.importorskip('mypy')
    result = subprocess.run(
        [sys.executable, '-m', 'mypy', '--strict', '--no-incremental', 'tables/engine'],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_engine_does_not_import_django() -> None:
    code = ('import sys, tables.engine, tables.engine.history, tables.engine.rules, '
            'tables.engine.verify; '
            'assert not any(m == "django" or m.startswith("django.") for m in sys.modules)')
    subprocess.run([sys.executable, '-c', code], cwd=ROOT, check=True)


@pytest.mark.parametrize('name', ['config', 'deck', 'evaluator', 'hand', 'rules'])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f'tables.engine.{name}')
    result = doctest.testmod(module)
    assert result.attempted and not result.failed
