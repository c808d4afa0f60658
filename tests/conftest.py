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
