"""The derivation cache: keyed by content, atomic, and never trusts a bad entry."""
from openeq.io import cache
from openeq.io.modelfile import resolve_model
from openeq.solver.cached import solve_cached


def test_warm_hit_and_corrupt_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    game = resolve_model("fine-tuning")
    cold = solve_cached(game)
    assert not cold.from_cache
    files = list(tmp_path.glob("*.json"))
    assert len(files) == 1 and not list(tmp_path.glob(".tmp-*"))
    warm = solve_cached(resolve_model("fine-tuning"))
    assert warm.from_cache
    assert [r.strategies for r in warm.regions] == [r.strategies for r in cold.regions]
    # flip a byte of the payload: detected by the HMAC, re-derived, rewritten
    blob = bytearray(files[0].read_bytes())
    blob[-5] ^= 0xFF
    files[0].write_bytes(bytes(blob))
    again = solve_cached(resolve_model("fine-tuning"))
    assert not again.from_cache
    assert solve_cached(resolve_model("fine-tuning")).from_cache


def test_stale_key_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    game = resolve_model("fine-tuning")
    key = cache.cache_key(game)
    path = tmp_path / f"{key[:32]}.json"
    from openeq.io.cachecodec import dumps

    payload = dumps(("not", "an", "equilibrium", {}))
    stale = "0" * 64  # an entry for another key, properly signed
    path.write_bytes(f"{stale} {cache._mac(cache._secret(), stale, payload)}\n".encode() + payload)
    eq = solve_cached(game)
    assert not eq.from_cache and len(eq.regions) == 1


def test_no_cache_flag_and_key_depends_on_content(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    eq = solve_cached(resolve_model("fine-tuning"), use_cache=False)
    assert not list(tmp_path.glob("*.json")) and len(eq.regions) == 1
    assert cache.cache_key(resolve_model("openness")) != cache.cache_key(resolve_model("fine-tuning"))


def test_cached_results_hit_miss_and_disable(tmp_path, monkeypatch):
    """cache.cached: a second call is a hit; kind and parts are in the key; a corrupt
    entry is recomputed; inside cache.disabled() every lookup is a computation."""
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    eq = solve_cached(resolve_model("fine-tuning"))
    calls = []

    def compute(tag):
        calls.append(tag)
        return {"tag": tag, "expr": eq.regions[0].payoffs}

    first = cache.cached("thing", eq, lambda: compute("a"), parts=(1,))
    again = cache.cached("thing", eq, lambda: compute("b"), parts=(1,))
    assert calls == ["a"] and again == first
    cache.cached("thing", eq, lambda: compute("c"), parts=(2,))  # other parts: other entry
    cache.cached("other", eq, lambda: compute("d"), parts=(1,))  # other kind: other entry
    assert calls == ["a", "c", "d"]
    entry = sorted(tmp_path.glob("thing-*.json"))[0]
    blob = bytearray(entry.read_bytes())
    blob[-3] ^= 0xFF
    entry.write_bytes(bytes(blob))
    cache.cached("thing", eq, lambda: compute("e"), parts=(1,))
    cache.cached("thing", eq, lambda: compute("f"), parts=(2,))
    assert len(calls) == 4 and calls[3] in ("e", "f")  # exactly the corrupted entry was recomputed
    with cache.disabled():
        cache.cached("thing", eq, lambda: compute("g"), parts=(1,))
        assert not cache.enabled()
    assert calls[-1] == "g" and cache.enabled()
    cache.cached("thing", eq, lambda: compute("h"), parts=(1,))
    assert calls[-1] == "g"  # on again after the block


def test_code_digest_covers_derivations_and_analyses():
    """A change in any analysis or derivation source re-derives cached results."""
    from pathlib import Path

    root = Path(cache.__file__).resolve().parents[2]  # the repository
    seen = []

    class Spy:
        def update(self, data):
            seen.append(data)

        def hexdigest(self):
            return "x"

    import hashlib

    real = hashlib.sha256
    try:
        cache._CODE_DIGEST = None
        hashlib.sha256 = lambda *a: Spy()
        cache._code_digest()
    finally:
        hashlib.sha256 = real
        cache._CODE_DIGEST = None
    names = {bytes(d).split(b"\0", 1)[0].decode() for d in seen}
    for rel in ("openeq/analyses/regulation.py", "openeq/prove/prover.py", "derivations/r3_regulated.py"):
        assert rel in names and (root / rel).is_file()
