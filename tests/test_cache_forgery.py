"""Forged cache entries are never loaded: no pickle is ever read, and an entry whose
HMAC does not verify under this user's key is re-derived -- even a well-formed one."""
import hashlib
import os
import pickle
import stat

import pytest
import sympy as sp

from openeq.io import cache
from openeq.io.cachecodec import CodecError, dumps, loads
from openeq.io.modelfile import resolve_model
from openeq.solver.cached import solve_cached


class _Touch:
    """Unpickling this runs os.system: the payload a forger would write."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def _entry_path(tmp_path, game):
    return tmp_path / f"{cache.cache_key(game)[:32]}.json"


def test_pickle_payloads_are_never_read(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    game = resolve_model("fine-tuning")
    key = cache.cache_key(game)
    sentinel = tmp_path / "pwned"
    payload = pickle.dumps(_Touch(sentinel))
    old = f"{key} {hashlib.sha256(payload).hexdigest()}\n".encode() + payload  # the old format, self-checksummed
    for name in (f"{key[:32]}.pkl", f"{key[:32]}.json"):
        (tmp_path / name).write_bytes(old)
    eq = solve_cached(game)
    assert not eq.from_cache and not sentinel.exists()
    # a pickle under a correct HMAC (the key leaked) is still not code: the JSON reader refuses it
    secret = cache._secret()
    path = _entry_path(tmp_path, game)
    path.write_bytes(f"{key} {cache._mac(secret, key, payload)}\n".encode() + payload)
    eq = solve_cached(game)
    assert not eq.from_cache and not sentinel.exists()


def test_forged_well_formed_entry_is_refused(tmp_path, monkeypatch):
    """An entry with doubled strategies, well-formed, signed with a guessed key: re-derived."""
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    game = resolve_model("fine-tuning")
    honest = solve_cached(game)
    path = _entry_path(tmp_path, game)
    head, _, payload = path.read_bytes().partition(b"\n")
    key = head.split()[0].decode()
    regions, brs, method = loads(payload)
    for r in regions:
        r.strategies = {v: 2 * e for v, e in r.strategies.items()}
    forged = dumps((regions, brs, method))
    for mac in ("0" * 64, hashlib.sha256(forged).hexdigest(), cache._mac(b"guessed" * 8, key, forged)):
        path.write_bytes(f"{key} {mac}\n".encode() + forged)
        eq = solve_cached(resolve_model("fine-tuning"))
        assert not eq.from_cache
        assert [r.strategies for r in eq.regions] == [r.strategies for r in honest.regions]
    # and the honest entry, rewritten by that run, is a hit again
    assert solve_cached(resolve_model("fine-tuning")).from_cache


def test_key_file_is_private_and_checked(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(cache, "_NOTED", set())
    game = resolve_model("fine-tuning")
    solve_cached(game)
    key_file = tmp_path / f".hmac-key-{os.getuid()}"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert solve_cached(resolve_model("fine-tuning")).from_cache
    key_file.chmod(0o644)  # readable by others: anyone could sign entries; the cache is not used
    assert not solve_cached(resolve_model("fine-tuning")).from_cache
    assert "not this user's private file" in capsys.readouterr().err
    key_file.unlink()
    os.symlink("/etc/hostname", key_file)  # a key planted as a link is not followed
    assert not solve_cached(resolve_model("fine-tuning")).from_cache


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to make a file another user's")
def test_key_planted_by_another_user_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENEQ_CACHE_DIR", str(tmp_path))
    key_file = tmp_path / f".hmac-key-{os.getuid()}"
    key_file.write_text("ab" * 32)
    key_file.chmod(0o600)
    os.chown(key_file, 65534, 65534)  # nobody's
    game = resolve_model("fine-tuning")
    solve_cached(game)
    assert not list(tmp_path.glob("*.json"))  # nothing signed with a key someone else knows
    assert not solve_cached(resolve_model("fine-tuning")).from_cache


def test_codec_reads_only_whitelisted_constructors():
    x = sp.Symbol("x", positive=True)
    value = {"e": sp.Piecewise((x**2, x < 1), (sp.exp(x), True)), "t": (1, 2.5, float("nan")), x: [None, "s"]}
    back = loads(dumps(value))
    assert back.keys() == value.keys() and back["e"] == value["e"] and back[x] == value[x]
    bad = [b'{"nodes": [["Symbol", "x", {}], ["eval", 0]], "value": {"$e": 1}}',
           b'{"nodes": [["Symbol", "x", {"__class__": true}]], "value": {"$e": 0}}',
           b'{"nodes": [], "value": {"$obj": ["os:system", {}]}}',
           b'{"nodes": [], "value": {"$obj": ["subprocess:Popen", {"args": "touch x"}]}}',
           b'{"nodes": [], "value": {"$obj": ["openeq.io.cache:Path", {}]}}',
           b'{"nodes": [["Integer", 9], ["Integer", 99999999], ["Pow", 0, 1]], "value": {"$e": 2}}',
           b'{"nodes": [["Add", 5]], "value": null}', b'{"nodes": [], "value": {"$np": "O", "v": 1}}',
           b'\x80\x04K\x01.']
    for blob in bad:
        with pytest.raises(CodecError):
            loads(blob)
    with pytest.raises(CodecError):
        dumps(_Touch("x"))
