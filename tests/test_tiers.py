"""The test tiers: every line of tests/slow.txt names a test that exists (a renamed or
deleted test must leave the list too)."""
import re
from pathlib import Path

from conftest import slow_ids

ROOT = Path(__file__).resolve().parents[1]


def missing(ids) -> list:
    """The node ids whose file or test function does not exist."""
    out = []
    for nid in sorted(ids):
        path, _, name = nid.partition("::")
        f, func = ROOT / path, name.split("[", 1)[0]
        if not f.is_file() or not re.search(rf"^\s*def {re.escape(func)}\(", f.read_text(), re.M):
            out.append(nid)
    return out


def test_slow_list_names_existing_tests():
    assert slow_ids(), "tests/slow.txt is empty"
    assert missing(slow_ids()) == [], "tests/slow.txt names tests that do not exist"


def test_the_check_can_fail():
    assert missing({"tests/test_tiers.py::test_no_such_test", "tests/no_such_file.py::test_x"}) == [
        "tests/no_such_file.py::test_x", "tests/test_tiers.py::test_no_such_test"]
