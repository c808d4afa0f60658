import functools
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# tests never read or write the user's cache
os.environ.setdefault("OPENEQ_CACHE_DIR", str(ROOT / "build" / "test-cache"))


@pytest.fixture(scope="session")
def openness_eq():
    from openeq.solver.cached import solve_cached
    from openeq.io.modelfile import resolve_model

    return solve_cached(resolve_model("openness"))


SLOW_LIST = Path(__file__).with_name("slow.txt")


def slow_ids() -> set:
    """The node ids listed in tests/slow.txt (comments after '#')."""
    lines = (line.split("#", 1)[0].strip() for line in SLOW_LIST.read_text().splitlines())
    return {line for line in lines if line}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: more than 3 s each (tests/slow.txt, and the brute forces marked "
                            "in place); `make test` leaves them out, `make test-slow` runs them; .ci/run runs both")
    config.addinivalue_line("markers", "appendices: every model's appendix compiled and read (about an hour); "
                            "`make test-appendices`")


@pytest.fixture(scope="session")
def openness_appendix(tmp_path_factory):
    """latex/openness as the code writes it now, built once per session through the
    Python API from an empty disk cache of its own: ``(directory, cache directory,
    write_appendix's result, equilibrium)``.  test_latex_fresh compares it with the
    committed appendix, test_appendix with a second run (the command line, reading the
    cache this one left), test_latex_roundtrip reads its forms back."""
    from openeq import derivations
    from openeq.export.latex.appendix import write_appendix
    from openeq.export.latex.tables import clear_memo
    from openeq.io.modelfile import resolve_model
    from openeq.solver.cached import solve_cached

    out, cache = tmp_path_factory.mktemp("openness-appendix"), tmp_path_factory.mktemp("openness-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPENEQ_CACHE_DIR", str(cache))
        clear_memo()
        eq = solve_cached(resolve_model("openness"))
        assert not eq.from_cache
        result = write_appendix(eq, out, stream=None, paper=derivations)
    clear_memo()
    return out, cache, result, eq


def pytest_itemcollected(item):
    """Under pytest-xdist (``make test`` runs ``-n auto --dist loadgroup``) the tests that
    share the session's openness appendix run on one worker, so that it is built once (marked
    as each item is collected: xdist reads the group before other hooks see the items), in
    the slow tier; the tests listed in tests/slow.txt are marked ``slow``."""
    if "openness_appendix" in getattr(item, "fixturenames", ()):
        item.add_marker(pytest.mark.xdist_group("openness-appendix"))
        if item.get_closest_marker("appendices") is None:  # (that tier stays its own)
            item.add_marker(pytest.mark.slow)  # its one build from a cold cache: 90 s alone, 136 s beside a worker
    if item.nodeid in _slow():
        item.add_marker(pytest.mark.slow)


_slow = functools.lru_cache(maxsize=None)(slow_ids)  # read once per session
