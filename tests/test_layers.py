"""The layering contract: data flows one way, and no module imports a higher layer.

Layers, lowest first (README "How it works")::

    core < io < prove < solver < evaluate < analyses < export < derivations < api < cli

``verify`` (the independent numeric check) may import ``core`` only: it shares no
code with the symbolic path, and only ``openeq.analyses.crosscheck`` (the comparison,
which sits above both) imports it.  Every import is checked, including those inside
functions (a lazy import is still a dependency).  Module-level import cycles are
refused too.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "openeq"
LAYERS = ["_version", "core", "io", "prove", "solver", "evaluate", "analyses", "export", "derivations", "api", "cli"]
VERIFY_MAY_IMPORT = {"_version", "core", "verify"}


def _modules():
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    for path in sorted((ROOT / "derivations").glob("*.py")):
        name = "openeq.derivations" + ("" if path.stem == "__init__" else f".{path.stem}")
        out[name] = path
    return out


MODULES = _modules()


def _imports(name, path, top_level_only=False):
    """Absolute names of the openeq modules that ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_pkg else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            subs = {f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in MODULES}
            found |= subs
            if len(subs) < len(node.names):  # a name defined in ``mod`` itself
                found.add(mod)
    return {m for m in found if m == "openeq" or m.startswith("openeq.") or m.split(".")[0] == "derivations"}


def _layer(module):
    parts = module.split(".")
    if parts[0] == "derivations":
        return "derivations"
    if len(parts) == 1:
        return "api"  # the package facade, openeq/__init__.py
    return parts[1] if parts[1] != "verify" else "verify"


def _rank(layer):
    return LAYERS.index(layer) if layer in LAYERS else None


def test_every_module_has_a_layer():
    unknown = sorted(m for m in MODULES if _layer(m) not in LAYERS + ["verify"])
    assert not unknown, f"modules outside the layers: {unknown}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_against_the_layers(module):
    mine = _layer(module)
    bad = []
    for imp in sorted(_imports(module, MODULES[module])):
        theirs = _layer(imp)
        if imp.split(".")[0] == "derivations":
            bad.append(f"{imp} (import the paper as openeq.derivations)")
        elif mine == "verify":
            if theirs not in VERIFY_MAY_IMPORT:
                bad.append(f"{imp} (the verifier reads core data only)")
        elif theirs == "verify":
            if module != "openeq.analyses.crosscheck":
                bad.append(f"{imp} (only openeq.analyses.crosscheck uses the verifier: the symbolic "
                           "path must not share its sampler or solver)")
        elif imp == "openeq":
            bad.append("openeq (the facade: import the module that defines the name)")
        elif _rank(theirs) > _rank(mine):
            bad.append(f"{imp} ({theirs} is above {mine})")
    assert not bad, f"{module} imports against the layers: {bad}"


def test_no_import_cycles():
    graph = {m: {i for i in _imports(m, p, top_level_only=True) if i in MODULES and i != m}
             for m, p in MODULES.items()}
    state, stack, cycles = {}, [], []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == "open":
                cycles.append(stack[stack.index(n):] + [n])
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = "done"

    for m in sorted(graph):
        if m not in state:
            visit(m)
    # a package importing its own submodules (its __init__ re-exporting them) is not a cycle
    # unless a submodule imports the package back for a name it defines
    assert not cycles, f"import cycles: {cycles[:5]}"
