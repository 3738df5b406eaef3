"""The translation memory of ``subtrans translate``: a SQLite cache of translations.

A rerun after fixing one line translates one line; a job killed at cue 1,400
of 1,500 resumes at cue 1,400; two jobs on one machine share one file. For
that the pipeline stores each batch with :meth:`TranslationCache.put_many` as
soon as it is translated (one transaction, committed before the call returns)
and looks every batch up with :meth:`TranslationCache.get_many` first.

Entries are keyed by a *context*, :func:`cache_context` of everything that
decides a translation (model and revision, backend, languages, glossary hash,
options), and the SHA-256 of the source text. The source is stored too and
compared on read, so a hash collision can never return a wrong translation.

One file, several processes: the database runs in WAL mode, writers take the
write lock up front (``BEGIN IMMEDIATE``) and wait up to 30 s for it, readers
never wait for writers. WAL needs a local file system (not NFS/SMB).

Threads: an instance holds one SQLite connection and must stay in the thread
that made it (SQLite enforces this); give each thread its own instance.

Failures: a full disk or a read-only location raises :class:`WriteError` with
the cache path and a hint, after rolling the failed transaction back, so what
was stored before is intact. A file that is not a SQLite database, or a
damaged one, is moved aside to ``<name>.corrupt-<timestamp>`` and a fresh cache
is started; each such move is recorded in ``warnings`` for the CLI to print.
A cache written by a newer subtrans (unknown schema version) raises
:class:`ConfigError` rather than being touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import Any, Protocol, TypeVar

from ..errors import ConfigError, WriteError

__all__ = [
    "Cache",
    "SCHEMA_VERSION",
    "default_cache_dir",
    "cache_context",
    "TranslationCache",
    "NullCache",
]

SCHEMA_VERSION = 1
CACHE_FILE = "tm.sqlite3"
BUSY_TIMEOUT_S = 30.0
_CONTEXT_FORMAT = "subtrans-tm-context-1"  # changes only if cache_context's encoding changes
# SQLite allows 999 bound variables before 3.32 and 32,766 since: stay under both.
_CHUNK = 900
_HINT = "free space, set SUBTRANS_CACHE_DIR, or pass --no-cache"
_HINT_READONLY = "make it writable, set SUBTRANS_CACHE_DIR, or pass --no-cache"

# Primary result codes (sqlite3.h), compared with ``sqlite_errorcode & 0xff``.
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26
_WRITE_CODES = {_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN}
_CORRUPT_CODES = {_SQLITE_CORRUPT, _SQLITE_NOTADB}
_WRITE_MESSAGES = (
    "database or disk is full",
    "attempt to write a readonly database",
    "unable to open database file",
    "disk i/o error",
    "access permission denied",
)
_CORRUPT_MESSAGES = ("file is not a database", "database disk image is malformed")

_T = TypeVar("_T")


def default_cache_dir() -> Path:
    """The folder of the translation cache.

    ``$SUBTRANS_CACHE_DIR`` if set; otherwise the user's cache folder:
    ``$XDG_CACHE_HOME/subtrans`` or ``~/.cache/subtrans`` (Linux and other
    Unix), ``~/Library/Caches/subtrans`` (macOS),
    ``%LOCALAPPDATA%\\subtrans\\Cache`` (Windows).
    """
    explicit = os.environ.get("SUBTRANS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else Path.home() / "AppData" / "Local"
        return base / "subtrans" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "subtrans"
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says to ignore a relative path.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "subtrans"


def _json_default(value: Any) -> Any:
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cache_context: {type(value).__name__} is not JSON-serialisable")


def cache_context(**parts: Any) -> str:
    """A stable digest of what decides a translation: the cache's context key.

    Pass everything that changes the output, for example
    ``cache_context(model="opus-mt-ru-zh", revision="abc123", backend="hf",
    source="ru", target="zh", glossary="9f2c...", beams=4, max_length=256)``.
    The result (32 hex characters of a SHA-256) does not depend on the order
    of the keywords, and is the same in every process and Python run. Values
    must be JSON-serialisable (paths and sets are accepted); a part that is
    ``None`` counts as absent, so adding an optional part later keeps the
    existing cache valid while it is unset.
    """
    kept = {key: value for key, value in parts.items() if value is not None}
    payload = json.dumps(
        [_CONTEXT_FORMAT, kept], sort_keys=True, ensure_ascii=False,
        separators=(",", ":"), default=_json_default, allow_nan=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _is_corrupt(exc: sqlite3.Error) -> bool:
    code = _primary_code(exc)
    if code is not None:
        return code in _CORRUPT_CODES
    return any(m in str(exc).lower() for m in _CORRUPT_MESSAGES)


def _is_write_failure(exc: sqlite3.Error) -> bool:
    code = _primary_code(exc)
    if code is not None:
        return code in _WRITE_CODES
    return any(m in str(exc).lower() for m in _WRITE_MESSAGES)


def _is_busy(exc: sqlite3.Error) -> bool:
    code = _primary_code(exc)
    if code is not None:
        return code in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "locked" in str(exc).lower()


class _Corrupt(Exception):
    """Internal: the file is not a usable SQLite database (carries the SQLite message)."""


class TranslationCache:
    """A translation memory in one SQLite file, safe for several processes.

    ``path`` defaults to ``default_cache_dir() / "tm.sqlite3"``; its folder is
    created. Use it as a context manager or call :meth:`close`. An instance
    is not thread-safe (one connection, bound to the creating thread).
    ``warnings`` lists what was done on the user's behalf (a damaged cache
    moved aside); the caller shows them.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_dir() / CACHE_FILE
        self.warnings: list[str] = []
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(
                f"cannot create the cache folder {self.path.parent}: {exc.strerror}",
                path=self.path, hint=_HINT_READONLY if isinstance(exc, PermissionError) else _HINT,
            ) from None
        try:
            self._open()
        except _Corrupt as exc:
            self._recover(str(exc))

    # -- opening, recovery ------------------------------------------------------

    def _open(self) -> None:
        """Connect, configure and check or create the schema; raises _Corrupt."""
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error("cannot open the cache", exc) from None
        try:
            self._configure(conn)
            self._check_schema(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._identity = self._stat_identity()

    def _configure(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            # Reading the header here turns "file is not a database" into _Corrupt
            # before anything is written.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            mode = self._set_wal(conn)
            if str(mode).lower() != "wal":
                raise WriteError(
                    f"the cache cannot use write-ahead logging (journal mode stays {mode})",
                    path=self.path, hint="put the cache on a local disk with SUBTRANS_CACHE_DIR, or pass --no-cache",
                )
            # With WAL, synchronous=NORMAL fsyncs at checkpoints, not at each
            # commit: a committed transaction is in the WAL file (the OS's page
            # cache) before commit returns, so it survives the process being
            # killed. A power loss or OS crash may lose the last transactions,
            # but never corrupts the database; for a cache that is the right
            # trade (the lost lines are simply translated again).
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise self._error("cannot open the cache", exc) from None

    @staticmethod
    def _set_wal(conn: sqlite3.Connection) -> str:
        """Switch to WAL. SQLite may answer "locked" at once, without waiting for the
        busy timeout, when another process is switching a new file at the same moment:
        retry for up to the busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        delay = 0.005
        while True:
            try:
                mode: str = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                return mode
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.2)

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        """Check the schema version; create the tables in a new file.

        An existing cache is only read; the write lock is taken only to create
        the schema, and the check is repeated under it (another process may
        have created it meanwhile).
        """
        try:
            if self._schema_present(conn):
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                if not self._schema_present(conn):
                    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                                 (str(SCHEMA_VERSION),))
                    conn.execute(
                        "CREATE TABLE tm ("
                        " context TEXT NOT NULL,"
                        " source_hash TEXT NOT NULL,"  # sha256 of the source, hex
                        " source TEXT NOT NULL,"       # compared on read
                        " target TEXT NOT NULL,"
                        " created REAL NOT NULL,"      # time.time() of the last put
                        " PRIMARY KEY (context, source_hash)"
                        ") WITHOUT ROWID"
                    )
                conn.execute("COMMIT")
            except BaseException:
                self._rollback(conn)
                raise
        except sqlite3.Error as exc:
            raise self._error("cannot open the cache", exc) from None

    def _schema_present(self, conn: sqlite3.Connection) -> bool:
        """True for a subtrans cache this version reads, False for an empty file; raises otherwise."""
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
        if "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            self._check_version(row[0] if row else None)
            return True
        if tables:
            raise ConfigError(
                "not a subtrans cache (a SQLite database with other tables)", path=self.path,
                hint="point SUBTRANS_CACHE_DIR at another folder, or pass --no-cache",
            )
        return False

    def _check_version(self, value: Any) -> None:
        try:
            version = int(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"the cache has an unreadable schema version {value!r}", path=self.path,
                hint="delete the file or pass --no-cache",
            ) from None
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"the cache was written by a newer subtrans (schema version {version},"
                f" this one reads up to {SCHEMA_VERSION})", path=self.path,
                hint="upgrade subtrans, set SUBTRANS_CACHE_DIR to another folder, or pass --no-cache",
            )

    def _stat_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _recover(self, reason: str) -> None:
        """Move a damaged cache (and its WAL and shared-memory files) aside; start afresh.

        If another process already moved it (the file at ``path`` is no longer
        the one this instance opened), only reopen.
        """
        identity = self._identity
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if identity is None or self._stat_identity() == identity:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            n = 1
            while aside.exists():
                n += 1
                aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            try:
                os.replace(self.path, aside)
            except FileNotFoundError:
                pass  # another process moved it first
            except OSError as exc:
                raise WriteError(
                    f"the cache is damaged ({reason}) and cannot be moved aside: {exc.strerror}",
                    path=self.path, hint="delete it, set SUBTRANS_CACHE_DIR, or pass --no-cache",
                ) from None
            else:
                # A stale WAL would be replayed into the new database: move it with its file.
                for suffix in ("-wal", "-shm"):
                    try:
                        os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
                    except OSError:
                        pass
                self.warnings.append(
                    f"{self.path}: the translation cache was damaged ({reason});"
                    f" moved it to {aside.name} and started a new one"
                )
        try:
            self._open()
        except _Corrupt as exc:  # pragma: no cover - a fresh file cannot be damaged
            raise WriteError(f"cannot create a new cache ({exc})", path=self.path, hint=_HINT) from None

    def _error(self, doing: str, exc: sqlite3.Error) -> Exception:
        """Map a SQLite error to what subtrans raises (or _Corrupt, handled inside)."""
        message = str(exc)
        if _is_corrupt(exc):
            return _Corrupt(message)
        if _is_busy(exc):
            return WriteError(
                f"{doing}: another process held the cache for over {BUSY_TIMEOUT_S:.0f} s ({message})",
                path=self.path, hint="wait for the other job, set SUBTRANS_CACHE_DIR, or pass --no-cache",
            )
        if _is_write_failure(exc):
            code = _primary_code(exc)
            not_writable = code in (_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_CANTOPEN) or (
                code is None and ("readonly" in message or "unable to open" in message))
            return WriteError(f"{doing}: {message}", path=self.path,
                              hint=_HINT_READONLY if not_writable else _HINT)
        return WriteError(f"{doing}: SQLite error: {message}", path=self.path, hint=_HINT)

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        # SQLite rolls some failures (a full disk, for one) back by itself.
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _run(self, doing: str, op: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``op`` on the connection, mapping errors; recover once from damage."""
        for attempt in (1, 2):
            conn = self._connection()
            try:
                return op(conn)
            except sqlite3.Error as exc:
                self._rollback(conn)
                error = self._error(doing, exc)
                if isinstance(error, _Corrupt) and attempt == 1:
                    self._recover(str(error))
                    continue
                if isinstance(error, _Corrupt):  # pragma: no cover - damaged again at once
                    raise WriteError(f"{doing}: the cache is damaged ({error})", path=self.path, hint=_HINT) from None
                raise error from None
            except BaseException:
                self._rollback(conn)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError(f"the translation cache {self.path} is closed")
        return self._conn

    # -- the public API ---------------------------------------------------------

    def get_many(self, context: str, sources: list[str]) -> dict[str, str]:
        """The cached translations of ``sources`` in ``context``: ``{source: target}``, hits only."""
        wanted: dict[str, str] = {}
        for source in sources:
            if not isinstance(source, str):
                raise TypeError(f"a source must be str, not {type(source).__name__}")
            wanted.setdefault(_source_hash(source), source)
        if not wanted:
            return {}
        hashes = list(wanted)

        def op(conn: sqlite3.Connection) -> dict[str, str]:
            found: dict[str, str] = {}
            for start in range(0, len(hashes), _CHUNK):
                chunk = hashes[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT source_hash, source, target FROM tm"
                    f" WHERE context = ? AND source_hash IN ({marks})",
                    (context, *chunk),
                )
                for source_hash, stored_source, target in rows:
                    source = wanted.get(source_hash)
                    # Compare the text too: a collision is a miss, never a wrong translation.
                    if source is not None and stored_source == source:
                        found[source] = target
            return found

        return self._run("cannot read the cache", op)

    def put_many(self, context: str, pairs: Iterable[tuple[str, str]]) -> int:
        """Store ``(source, target)`` pairs in ``context``; returns how many were stored.

        All or nothing, in one transaction committed before this returns: what
        it stored survives the process being killed right after. An existing
        entry for a source is replaced; of duplicate sources the last wins.
        """
        now = time.time()
        rows: dict[str, tuple[str, str, str, str, float]] = {}
        for source, target in pairs:  # before taking the write lock: ``pairs`` may be slow
            if not isinstance(source, str) or not isinstance(target, str):
                raise TypeError(
                    f"cache entries are (str, str) pairs, not ({type(source).__name__}, {type(target).__name__})")
            source_hash = _source_hash(source)
            rows[source_hash] = (context, source_hash, source, target, now)
        if not rows:
            return 0

        def op(conn: sqlite3.Connection) -> int:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT OR REPLACE INTO tm (context, source_hash, source, target, created)"
                " VALUES (?, ?, ?, ?, ?)",
                rows.values(),
            )
            conn.execute("COMMIT")
            return len(rows)

        return self._run("cannot write to the cache", op)

    def count(self, context: str | None = None) -> int:
        """How many entries the cache holds (in ``context``, or in all)."""
        def op(conn: sqlite3.Connection) -> int:
            if context is None:
                total: int = conn.execute("SELECT count(*) FROM tm").fetchone()[0]
                return total
            found: int = conn.execute("SELECT count(*) FROM tm WHERE context = ?", (context,)).fetchone()[0]
            return found

        return self._run("cannot read the cache", op)

    def __len__(self) -> int:
        return self.count()

    def clear(self, context: str | None = None) -> int:
        """Delete the entries of ``context`` (or all); returns how many were deleted."""
        def op(conn: sqlite3.Connection) -> int:
            conn.execute("BEGIN IMMEDIATE")
            if context is None:
                deleted = conn.execute("DELETE FROM tm").rowcount
            else:
                deleted = conn.execute("DELETE FROM tm WHERE context = ?", (context,)).rowcount
            conn.execute("COMMIT")
            return deleted

        return self._run("cannot clear the cache", op)

    def info(self) -> dict[str, Any]:
        """``path``, ``entries``, ``contexts``, ``size_bytes`` (database and WAL) and ``schema_version``."""
        def op(conn: sqlite3.Connection) -> dict[str, Any]:
            entries, contexts = conn.execute("SELECT count(*), count(DISTINCT context) FROM tm").fetchone()
            return {"entries": entries, "contexts": contexts}

        counts = self._run("cannot read the cache", op)
        size = 0
        for name in (str(self.path), f"{self.path}-wal"):
            try:
                size += os.path.getsize(name)
            except OSError:
                pass
        return {"path": str(self.path), **counts, "size_bytes": size, "schema_version": SCHEMA_VERSION}

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "TranslationCache":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TranslationCache({str(self.path)!r})"


class Cache(Protocol):
    """What the pipeline needs of a translation memory (:class:`TranslationCache`, :class:`NullCache`, or
    a caller's own object passed as ``Translator(cache=...)``)."""

    def get_many(self, context: str, sources: list[str]) -> dict[str, str]: ...

    def put_many(self, context: str, pairs: Iterable[tuple[str, str]]) -> int: ...

    def close(self) -> None: ...


class NullCache:
    """A cache that stores nothing (``--no-cache``): every lookup misses."""

    path: Path | None = None

    def __init__(self, path: str | Path | None = None) -> None:
        self.warnings: list[str] = []

    def get_many(self, context: str, sources: list[str]) -> dict[str, str]:
        return {}

    def put_many(self, context: str, pairs: Iterable[tuple[str, str]]) -> int:
        return 0

    def count(self, context: str | None = None) -> int:
        return 0

    def __len__(self) -> int:
        return 0

    def clear(self, context: str | None = None) -> int:
        return 0

    def info(self) -> dict[str, Any]:
        return {"path": None, "entries": 0, "contexts": 0, "size_bytes": 0, "schema_version": SCHEMA_VERSION}

    def close(self) -> None:
        pass

    def __enter__(self) -> "NullCache":
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def __repr__(self) -> str:
        return "NullCache()"
