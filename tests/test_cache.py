"""The derivation cache: keyed by content, atomic, and never trusts a bad entry."""
import pickle

from openeq import cache
from openeq.modelfile import resolve_model


def test_warm_hit_and_corrupt_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    game = resolve_model("fine-tuning")
    cold = cache.solve_cached(game)
    assert not cold.method.get("cached")
    files = list(tmp_path.glob("*.pkl"))
    assert len(files) == 1 and not list(tmp_path.glob(".tmp-*"))
    warm = cache.solve_cached(resolve_model("fine-tuning"))
    assert warm.method.get("cached")
    assert [r.strategies for r in warm.regions] == [r.strategies for r in cold.regions]
    # flip a byte of the payload: detected by the checksum, re-derived, rewritten
    blob = bytearray(files[0].read_bytes())
    blob[-5] ^= 0xFF
    files[0].write_bytes(bytes(blob))
    again = cache.solve_cached(resolve_model("fine-tuning"))
    assert not again.method.get("cached")
    assert cache.solve_cached(resolve_model("fine-tuning")).method.get("cached")


def test_stale_key_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    game = resolve_model("fine-tuning")
    key = cache.cache_key(game)
    path = tmp_path / f"{key[:32]}.pkl"
    payload = pickle.dumps(("not", "an", "equilibrium", {}))
    import hashlib

    path.write_bytes(f"{'0' * 64} {hashlib.sha256(payload).hexdigest()}\n".encode() + payload)
    eq = cache.solve_cached(game)
    assert not eq.method.get("cached") and len(eq.regions) == 1


def test_no_cache_flag_and_key_depends_on_content(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    eq = cache.solve_cached(resolve_model("fine-tuning"), use_cache=False)
    assert not list(tmp_path.glob("*.pkl")) and len(eq.regions) == 1
    assert cache.cache_key(resolve_model("openness")) != cache.cache_key(resolve_model("fine-tuning"))
