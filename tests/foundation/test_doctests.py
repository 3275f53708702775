"""Every example in the library's docstrings runs and prints what it shows (doctest).

All of ``planner/`` except the app (Panel; its examples need a server) and the Alembic
migration scripts (they run only inside Alembic). Examples marked ``# doctest: +SKIP`` need a
workspace on disk and are shown, not run.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import planner

SKIP = ("planner.app", "planner.records.migrations", "planner.__main__")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _has_examples(name: str) -> bool:
    """Whether the module's source holds a ``>>>`` prompt (read as text, nothing imported)."""
    spec = importlib.util.find_spec(name)
    return bool(spec and spec.origin and ">>>" in Path(spec.origin).read_text(encoding="utf-8"))


def _module_names() -> list[str]:
    names = ["planner"]
    for info in pkgutil.walk_packages(planner.__path__, "planner."):
        if not any(info.name == s or info.name.startswith(s + ".") for s in SKIP):
            names.append(info.name)
    return sorted(n for n in names if _has_examples(n))


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder(exclude_empty=True).find(module, name)
    return [t for t in tests if t.examples]


@pytest.mark.parametrize("name", _module_names())
def test_docstring_examples_run(name):
    tests = _examples(name)
    assert tests, f"{name} has a >>> prompt but no example doctest can find"
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_the_runner_reports_a_wrong_example():
    bad = doctest.DocTestParser().get_doctest(">>> 1 + 1\n3\n", {}, "bad", "bad.py", 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    out: list[str] = []
    runner.run(bad, out=out.append)
    assert runner.summarize(verbose=False).failed == 1
    assert "Expected:\n    3\nGot:\n    2" in "".join(out)
