"""The documentation's examples run: README.md's doctests and the package docstring's."""
from __future__ import annotations

import doctest
from pathlib import Path

import openeq

ROOT = Path(__file__).resolve().parent.parent


def test_readme_doctests():
    res = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert res.attempted >= 5, "README.md lost its examples"
    assert res.failed == 0


def test_package_docstring_doctests():
    res = doctest.testmod(openeq, optionflags=doctest.ELLIPSIS)
    assert res.attempted >= 3
    assert res.failed == 0


def test_module_docstring_doctests():
    """Every module of openeq with an example in its docstrings runs it."""
    import importlib

    mods = sorted(p for p in (ROOT / "openeq").rglob("*.py") if ">>>" in p.read_text(encoding="utf-8"))
    assert len(mods) >= 2
    for path in mods:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert res.failed == 0, name


def test_every_model_reference_points_at_docs():
    """Docstrings and model files cite docs/model.md, which is in the repository."""
    assert (ROOT / "docs" / "model.md").is_file()
    stale = [str(p.relative_to(ROOT)) for d in ("openeq", "derivations", "tests", "examples")
             for p in (ROOT / d).rglob("*") if p.suffix in (".py", ".toml") and p.name != "test_docs.py"
             and "MODEL.md" in p.read_text(encoding="utf-8")]
    assert not stale, f"references to a MODEL.md that is not in the repository: {stale}"
