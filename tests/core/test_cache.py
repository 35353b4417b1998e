"""The resumable on-disk cache: sweeps and the report survive Ctrl-C and corruption."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gdtheory import iterate_map
from gdtheory.core.cache import Cache, CacheWarning, code_version
from gdtheory.dynamics import engine as sweeps
from gdtheory.objectives import scalar_factorization

F = scalar_factorization()
STARTS = np.random.default_rng(3).uniform(-1.5, 1.5, (50, 2))


def test_entries_round_trip_and_keys_depend_on_inputs_and_code(tmp_path):
    c = Cache(tmp_path)
    k1, k2 = c.key("x", 1, np.arange(3.0)), c.key("x", 1, np.arange(3.0) + 1e-300)
    assert k1 != k2 and k1 == c.key("x", 1, np.arange(3.0))
    assert re.fullmatch(r"x-[0-9a-f]{32}", k1)  # the kind, then 128 bits of the SHA-256
    assert c.key("x", 1.0) != c.key("x", 1)  # float vs int inputs are different inputs
    assert "+" in code_version()
    c.store_json(k1, {"a": [1, 2.5, None]})
    assert c.load_json(k1) == {"a": [1, 2.5, None]} and c.hits == 1
    assert c.load_json(k2) is None and c.misses == 1


def test_a_corrupt_entry_is_detected_removed_and_reported(tmp_path):
    c = Cache(tmp_path)
    k = c.key("arr", 7)
    c.store_arrays(k, a=np.arange(5.0))
    path = tmp_path / f"{k}.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.warns(CacheWarning, match="corrupt"):
        assert c.load_arrays(k) is None
    assert not path.exists() and c.corrupt == 1
    c.store_arrays(k, a=np.arange(5.0))
    (tmp_path / f"{k}.npz.sha256").unlink()  # a write interrupted before its checksum
    with pytest.warns(CacheWarning):
        assert c.load_arrays(k) is None


def test_an_interrupted_sweep_resumes_without_redoing_finished_chunks(tmp_path, monkeypatch):
    fresh = iterate_map(F, STARTS, hs=0.9, steps=300, keep=4, backend="numpy")
    real = sweeps.run_chunk
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C during the third chunk
        return real(*args, **kwargs)

    monkeypatch.setattr(sweeps, "run_chunk", flaky)
    with pytest.raises(KeyboardInterrupt):
        iterate_map(F, STARTS, hs=0.9, steps=300, keep=4, chunk=10, backend="numpy", cache=tmp_path)
    calls.clear()
    monkeypatch.setattr(sweeps, "run_chunk", lambda *a, **k: calls.append(1) or real(*a, **k))
    resumed = iterate_map(
        F, STARTS, hs=0.9, steps=300, keep=4, chunk=10, backend="numpy", cache=tmp_path
    )
    assert len(calls) == 3  # chunks 3, 4, 5 of 5: the two finished ones came from disk
    assert np.array_equal(resumed.tail, fresh.tail, equal_nan=True)
    assert np.array_equal(resumed.diverged, fresh.diverged)
    calls.clear()
    again = iterate_map(
        F, STARTS, hs=0.9, steps=300, keep=4, chunk=10, backend="numpy", cache=tmp_path
    )
    assert calls == [] and np.array_equal(again.x, fresh.x, equal_nan=True)
    other = iterate_map(
        F, STARTS, hs=0.8, steps=300, keep=4, chunk=10, backend="numpy", cache=tmp_path
    )
    assert len(calls) == 5 and not np.array_equal(other.x, fresh.x, equal_nan=True)


def test_a_corrupt_sweep_chunk_is_recomputed_identically(tmp_path):
    first = iterate_map(
        F, STARTS, hs=0.9, steps=200, keep=2, chunk=25, backend="numpy", cache=tmp_path
    )
    victim = sorted(tmp_path.glob("sweep-*.npz"))[0]
    victim.write_bytes(victim.read_bytes()[:100])  # truncated
    with pytest.warns(CacheWarning):
        second = iterate_map(
            F, STARTS, hs=0.9, steps=200, keep=2, chunk=25, backend="numpy", cache=tmp_path
        )
    assert np.array_equal(first.tail, second.tail, equal_nan=True)
