"""An on-disk cache that makes long runs resumable after an interruption.

Entries are keyed by a SHA-256 of their inputs *and* of the code that computes them
(:func:`code_version`: the gdtheory version, a hash of the source of ``gdtheory`` and of
any further code roots the caller names, such as the folder of the report's claims), so a
change of code never serves stale results.  Each entry is
written atomically (a temporary file, then ``os.replace``) with the SHA-256 of its
payload in a sidecar; on load the payload is re-hashed, and a missing, truncated or
altered entry is reported (``CacheWarning``), deleted and recomputed.  Payloads are NumPy
``.npz`` archives loaded with ``allow_pickle=False``, or JSON: loading a cache never
executes code.

Used by the float64 sweeps (``cache=`` on :func:`gdtheory.run`,
:func:`~gdtheory.orbit_diagram`, :func:`~gdtheory.basins`,
:func:`~gdtheory.invariant_density`: each finished chunk of starts is stored) and by
``gdtheory verify --cache DIR`` (each finished claim).  Interrupting with Ctrl-C loses at
most the chunk or claim in progress.

>>> import tempfile
>>> c = Cache(tempfile.mkdtemp())
>>> k = c.key("demo", 1, [2.0, 3.0])
>>> c.load_arrays(k) is None
True
>>> c.store_arrays(k, a=np.arange(3.0))
>>> c.load_arrays(k)["a"].tolist()
[0.0, 1.0, 2.0]
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Cache", "CacheWarning", "code_version", "as_cache", "picklable"]


def picklable(value: Any) -> bool:
    """Whether ``value`` pickles (compiled functions and FLINT contexts do not).

    >>> picklable([1, "a"]), picklable(lambda: 0)
    (True, False)
    """
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001 - anything that does not pickle
        return False
    return True


class CacheWarning(UserWarning):
    """A cache entry was unreadable or corrupt and is being recomputed."""


@lru_cache(maxsize=16)
def code_version(extra_roots: tuple[str, ...] = ()) -> str:
    """The gdtheory version plus a hash of every .py file of gdtheory and of ``extra_roots``
    (folders of further code whose results are cached, e.g. the report's claims)."""
    from .._version import __version__

    h = hashlib.sha256(__version__.encode())
    roots = [Path(__file__).resolve().parents[1], *(Path(r).resolve() for r in extra_roots)]
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            h.update(str(path.relative_to(root.parent)).encode())
            h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:16]}"


def _canonical(value: Any) -> Any:
    """A JSON-able, type-tagged form of an input, for hashing."""
    if isinstance(value, np.ndarray):
        return {"ndarray": str(value.dtype), "shape": value.shape, "sha": _sha(value.tobytes())}
    if isinstance(value, float | np.floating):
        return {"float": float(value).hex()}
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda t: str(t[0]))}
    return {"repr": type(value).__name__, "str": str(value)}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Cache:
    """A directory of verified, atomically written entries (see the module docstring)."""

    def __init__(self, directory: str | os.PathLike[str], code_roots: tuple[str, ...] = ()) -> None:
        from ..errors import InvalidInputError

        try:
            self.directory = Path(directory)
            self.code_roots = tuple(sorted(str(Path(r).resolve()) for r in code_roots))
            if self.directory.exists() and not self.directory.is_dir():
                raise InvalidInputError(f"cache {str(directory)!r} exists and is not a directory")
            self.directory.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
            if isinstance(exc, InvalidInputError):
                raise
            raise InvalidInputError(
                f"cannot use {str(directory)[:200]!r} as a cache directory: {exc}"
            ) from None
        self.writable = True
        self.hits = 0
        self.misses = 0
        self.corrupt = 0

    def key(self, kind: str, *parts: Any) -> str:
        """A key for ``kind`` and the inputs ``parts``, including :func:`code_version`."""
        version = code_version(self.code_roots)
        blob = json.dumps([kind, version, _canonical(list(parts))], sort_keys=True)
        return f"{kind}-{_sha(blob.encode())[:32]}"

    def _paths(self, key: str, ext: str) -> tuple[Path, Path]:
        return self.directory / f"{key}.{ext}", self.directory / f"{key}.{ext}.sha256"

    def _read(self, key: str, ext: str) -> bytes | None:
        data_path, sum_path = self._paths(key, ext)
        if not data_path.exists() and not sum_path.exists():
            self.misses += 1
            return None
        try:
            data = data_path.read_bytes()
            expected = sum_path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):  # unreadable, or a directory in its place
            data, expected = b"", "unreadable"
        if _sha(data) != expected:
            self.misses += 1
            self._discard(key, ext, "is corrupt or incomplete")
            return None
        self.hits += 1
        return data

    def _discard(self, key: str, ext: str, why: str) -> None:
        """Warn, count and delete an entry that cannot be used (it is then recomputed);
        what cannot be deleted (a directory in its place) is left alone and skipped."""
        data_path, sum_path = self._paths(key, ext)
        self.corrupt += 1
        warnings.warn(
            f"cache entry {data_path.name} {why}; recomputing it", CacheWarning, stacklevel=4
        )
        for p in (data_path, sum_path):
            try:
                p.unlink()
            except OSError:  # already gone, or not ours to delete
                pass

    def _write(self, key: str, ext: str, data: bytes) -> None:
        if not self.writable:
            return
        data_path, sum_path = self._paths(key, ext)
        try:
            for path, payload in ((data_path, data), (sum_path, _sha(data).encode())):
                fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(payload)
                    os.replace(tmp, path)
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
        except OSError as exc:  # read-only directory, disk full, a directory in the way
            self.writable = False
            warnings.warn(
                f"cannot write to the cache {self.directory} ({exc}); going on without caching",
                CacheWarning,
                stacklevel=3,
            )

    def load_arrays(
        self, key: str, expect: dict[str, tuple[int, ...]] | None = None
    ) -> dict[str, np.ndarray] | None:
        """The arrays of an entry, or None; with ``expect`` (name -> shape) an entry that
        lacks a name or has another shape is discarded and recomputed like a corrupt one."""
        data = self._read(key, "npz")
        if data is None:
            return None
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                arrays = {name: z[name] for name in z.files}
        except (ValueError, OSError, EOFError):  # a valid hash of an invalid archive
            self._discard(key, "npz", "is not a valid archive")
            return None
        for name, shape in (expect or {}).items():
            if name not in arrays or arrays[name].shape != shape:
                self._discard(key, "npz", f"lacks the array {name!r} of shape {shape}")
                return None
        return arrays

    def store_arrays(self, key: str, **arrays: np.ndarray) -> None:
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # type: ignore[arg-type]  # (numpy stubs: allow_pickle)
        self._write(key, "npz", buf.getvalue())

    def load_json(self, key: str, validate: Any = None) -> Any:
        """The JSON value of an entry, or None; an entry that is not valid JSON, or that
        ``validate(value)`` rejects (returns False or raises), is discarded and recomputed."""
        data = self._read(key, "json")
        if data is None:
            return None
        try:
            value = json.loads(data.decode("utf-8"))
            ok = validate is None or bool(validate(value))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            ok, value = False, None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            ok = False
        if not ok:
            self._discard(key, "json", "does not have the expected content")
            return None
        return value

    def store_json(self, key: str, value: Any) -> None:
        self._write(key, "json", json.dumps(value).encode("utf-8"))


def as_cache(
    cache: Cache | str | os.PathLike[str] | None, code_roots: tuple[str, ...] = ()
) -> Cache | None:
    """``None``, a :class:`Cache`, or a directory to open one in; ``code_roots`` name
    further code (folders) whose change invalidates the entries (see :func:`code_version`)."""
    if cache is None:
        return None
    if isinstance(cache, Cache):
        if not code_roots:
            return cache
        return Cache(cache.directory, cache.code_roots + tuple(code_roots))
    if isinstance(cache, str | os.PathLike):
        return Cache(cache, code_roots)
    from ..errors import InvalidInputError

    raise InvalidInputError(f"cache must be a directory or a Cache, got {type(cache).__name__}")
