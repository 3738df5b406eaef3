"""The translation memory: round trips, durability under SIGKILL, several
processes on one file, full disk, read-only folders, damaged files.

Child processes synchronise with the test through their stdout and stdin
(a child prints where it is and waits for a line), never through sleeps.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import subtrans
from subtrans.errors import ConfigError, WriteError
from subtrans.mt.cache import (
    SCHEMA_VERSION,
    NullCache,
    TranslationCache,
    cache_context,
    default_cache_dir,
)

SRC = str(Path(subtrans.__file__).resolve().parent.parent)
CTX = cache_context(model="opus-mt-ru-zh", revision="abc", backend="hf", source="ru", target="zh")
OTHER = cache_context(model="opus-mt-ru-zh", revision="abc", backend="hf", source="ru", target="zh-hant")


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("SUBTRANS_CACHE_DIR", None)
    return env


def spawn(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8", env=child_env(),
    )


def expect(child: subprocess.Popen, line: str) -> None:
    """Read the child's next line; on anything else, fail with its stderr."""
    got = child.stdout.readline().strip()
    if got != line:
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"expected {line!r} from the child, got {got!r}; stderr:\n{err}")


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def rows(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT source, target FROM tm"))
    finally:
        conn.close()


@pytest.fixture
def tm(tmp_path):
    with TranslationCache(tmp_path / "tm.sqlite3") as c:
        yield c


# -- round trips ----------------------------------------------------------------

TEXTS = [
    "Привет, мир!",
    "你好，世界！",
    "two\nlines",
    "windows\r\nline end",
    "emoji 🎬🍿 and ZWJ 👩‍👩‍👧",
    "  leading and trailing  ",
    "",
    "<i>tags</i> {\\an8} ♪",
    "е\u0301 combining accent",
    "x" * 10_000,
]


def test_round_trip(tm):
    pairs = [(text, f"[{i}] 翻译 перевод") for i, text in enumerate(TEXTS)]
    assert tm.put_many(CTX, pairs) == len(TEXTS)
    assert tm.get_many(CTX, TEXTS) == dict(pairs)
    assert tm.get_many(CTX, ["not cached"]) == {}
    assert tm.get_many(CTX, []) == {}
    assert len(tm) == len(TEXTS)


def test_round_trip_survives_reopening(tmp_path):
    path = tmp_path / "tm.sqlite3"
    with TranslationCache(path) as first:
        first.put_many(CTX, [("Да.", "是的。")])
    with TranslationCache(path) as second:
        assert second.get_many(CTX, ["Да.", "Нет."]) == {"Да.": "是的。"}
        assert second.warnings == []


@settings(max_examples=50, deadline=None)  # opens a database per example
@given(st.lists(st.tuples(st.text(st.characters(blacklist_categories=("Cs",))),
                          st.text(st.characters(blacklist_categories=("Cs",)))), max_size=20))
def test_round_trip_property(tmp_path_factory, pairs):
    path = tmp_path_factory.getbasetemp() / "property.sqlite3"
    with TranslationCache(path) as c:
        context = cache_context(case=repr(pairs))
        c.clear(context)
        c.put_many(context, pairs)
        expected = dict(pairs)  # the last target of a repeated source wins
        assert c.get_many(context, [s for s, _ in pairs] + ["\x00absent"]) == expected
        assert c.count(context) == len(expected)


def test_contexts_are_isolated(tm):
    tm.put_many(CTX, [("Дом", "房子")])
    tm.put_many(OTHER, [("Дом", "房屋")])
    assert tm.get_many(CTX, ["Дом"]) == {"Дом": "房子"}
    assert tm.get_many(OTHER, ["Дом"]) == {"Дом": "房屋"}
    assert tm.count(CTX) == 1 and tm.count(OTHER) == 1 and len(tm) == 2


def test_put_replaces(tm):
    tm.put_many(CTX, [("Кот", "猫")])
    assert tm.put_many(CTX, [("Кот", "猫咪"), ("Пёс", "狗"), ("Пёс", "狗狗")]) == 2
    assert tm.get_many(CTX, ["Кот", "Пёс"]) == {"Кот": "猫咪", "Пёс": "狗狗"}
    assert len(tm) == 2


def test_put_accepts_any_iterable(tm):
    assert tm.put_many(CTX, ((f"s{i}", f"t{i}") for i in range(3))) == 3
    assert tm.put_many(CTX, iter(())) == 0


def test_wrong_types_are_refused(tm):
    with pytest.raises(TypeError):
        tm.put_many(CTX, [("ok", None)])
    with pytest.raises(TypeError):
        tm.get_many(CTX, [b"bytes"])
    assert len(tm) == 0


def test_many_sources_in_one_lookup(tm):
    sources = [f"строка {i} 第{i}行" for i in range(5000)]
    tm.put_many(CTX, [(s, s[::-1]) for s in sources[::2]])
    found = tm.get_many(CTX, sources + sources[:10])  # repeats are fine
    assert found == {s: s[::-1] for s in sources[::2]}


def test_hash_collision_is_a_miss(tm):
    # Forge a row whose hash is that of another source: the stored text differs, so it must not match.
    tm.put_many(CTX, [("real source", "real target")])
    conn = sqlite3.connect(tm.path)
    with conn:
        conn.execute("UPDATE tm SET source = 'impostor' WHERE source = 'real source'")
    conn.close()
    assert tm.get_many(CTX, ["real source"]) == {}


# -- cache_context ----------------------------------------------------------------

PARTS = {"model": "opus-mt-ru-zh", "revision": "0123abc", "backend": "hf", "source": "ru",
         "target": "zh", "glossary": "9f2c", "beams": 4, "max_length": 256, "terms": ["ЦРУ", "中情局"]}


def test_context_is_order_independent_and_distinguishing():
    forward = cache_context(**PARTS)
    backward = cache_context(**dict(reversed(list(PARTS.items()))))
    assert forward == backward
    assert len(forward) == 32 and int(forward, 16) >= 0
    assert cache_context(**{**PARTS, "beams": 5}) != forward
    assert cache_context(**{**PARTS, "target": "zh-hant"}) != forward
    assert cache_context(**{**PARTS, "extra": None}) == forward  # None counts as absent
    assert cache_context(a={"x": 1, "y": 2}) == cache_context(a={"y": 2, "x": 1})


def test_context_is_stable_across_processes():
    code = (
        "import sys, json; from subtrans.mt.cache import cache_context;"
        "print(cache_context(**json.loads(sys.argv[1])))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(PARTS)],
        capture_output=True, text=True, check=True, env={**child_env(), "PYTHONHASHSEED": "12345"},
    )
    assert result.stdout.strip() == cache_context(**PARTS)


def test_context_is_pinned():
    # Changing how contexts are computed orphans every existing cache: do it on purpose only.
    assert cache_context(model="opus-mt-ru-zh", revision="0123abc", backend="hf",
                         source="ru", target="zh", beams=4) == "38d766739a7e27bc4b23c12b7806de01"


def test_context_refuses_unserialisable_values():
    with pytest.raises(TypeError):
        cache_context(model=object())


# -- housekeeping ----------------------------------------------------------------


def test_clear(tm):
    tm.put_many(CTX, [(f"a{i}", "x") for i in range(5)])
    tm.put_many(OTHER, [(f"b{i}", "y") for i in range(3)])
    assert tm.clear(CTX) == 5
    assert tm.count(CTX) == 0 and tm.count(OTHER) == 3
    assert tm.clear() == 3
    assert len(tm) == 0
    assert tm.clear() == 0


def test_info(tm):
    tm.put_many(CTX, [(f"a{i}", "x") for i in range(5)])
    tm.put_many(OTHER, [("b", "y")])
    info = tm.info()
    assert info["path"] == str(tm.path)
    assert info["entries"] == 6 and info["contexts"] == 2
    assert info["size_bytes"] > 0
    assert info["schema_version"] == SCHEMA_VERSION


def test_close_is_idempotent_and_final(tmp_path):
    c = TranslationCache(tmp_path / "tm.sqlite3")
    c.close()
    c.close()
    with pytest.raises(ValueError):
        c.get_many(CTX, ["x"])


def test_default_location(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "deep" / "cache"))
    assert default_cache_dir() == tmp_path / "deep" / "cache"
    with TranslationCache() as c:
        assert c.path == tmp_path / "deep" / "cache" / "tm.sqlite3"
        assert c.path.exists()


def test_default_dir_per_platform(tmp_path, monkeypatch):
    monkeypatch.delenv("SUBTRANS_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_cache_dir() == tmp_path / ".cache" / "subtrans"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "subtrans"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert default_cache_dir() == tmp_path / ".cache" / "subtrans"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_cache_dir() == tmp_path / "Library" / "Caches" / "subtrans"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert default_cache_dir() == tmp_path / "Local" / "subtrans" / "Cache"


def test_null_cache():
    with NullCache() as c:
        assert c.put_many(CTX, [("a", "b")]) == 0
        assert c.get_many(CTX, ["a"]) == {}
        assert len(c) == 0 and c.count(CTX) == 0 and c.clear() == 0
        assert c.info()["entries"] == 0
        assert c.warnings == []


# -- durability: SIGKILL at several points ------------------------------------------

BATCH = 200
WRITER = r"""
import sys
from subtrans.mt.cache import TranslationCache
path, batches, pause, big = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "pause", sys.argv[4] == "big"
cache = TranslationCache(path)
for n in range(1, batches + 1):
    cache.put_many("ctx", [(f"batch {n} line {i}", f"перевод {n}/{i} 翻译") for i in range(%d)])
    print(f"batch {n} committed", flush=True)
    if pause:
        sys.stdin.readline()
if big:
    # Block the child inside the big put_many's transaction, after many rows
    # went in; a tiny page cache makes SQLite spill uncommitted pages to the WAL.
    conn = cache._conn
    conn.execute("PRAGMA cache_size = 10")
    calls = 0
    def handler():
        global calls
        if conn.in_transaction:
            calls += 1
            if calls == 200:
                print("inside put_many", flush=True)
                sys.stdin.readline()
        return 0
    conn.set_progress_handler(handler, 1000)
    cache.put_many("ctx", [(f"big line {i}", "x" * 50) for i in range(20000)])
    print("big committed", flush=True)
""" % BATCH


def committed_batches(path: Path) -> set[int]:
    """The batch numbers present; fails unless each batch is complete."""
    stored = rows(path)
    counts: dict[int, int] = {}
    for source in stored:
        if source.startswith("batch "):
            n = int(source.split()[1])
            counts[n] = counts.get(n, 0) + 1
    assert all(count == BATCH for count in counts.values()), counts
    return set(counts)


@pytest.mark.parametrize("kill_after", [1, 3, 5])
def test_kill_after_a_commit_keeps_exactly_the_committed_batches(tmp_path, kill_after):
    path = tmp_path / "tm.sqlite3"
    child = spawn(WRITER, path, 6, "pause", "no")
    try:
        for n in range(1, kill_after + 1):
            expect(child, f"batch {n} committed")
            if n < kill_after:
                child.stdin.write("\n")
                child.stdin.flush()
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    assert integrity(path) == "ok"
    assert committed_batches(path) == set(range(1, kill_after + 1))
    with TranslationCache(path) as c:
        assert c.warnings == []
        assert len(c) == kill_after * BATCH


def test_kill_while_running_leaves_whole_batches(tmp_path):
    path = tmp_path / "tm.sqlite3"
    child = spawn(WRITER, path, 1000, "run", "no")
    try:
        expect(child, "batch 1 committed")
        expect(child, "batch 2 committed")
        child.send_signal(signal.SIGKILL)  # somewhere in batch 3 or later
    finally:
        child.kill()
        child.communicate()
    assert integrity(path) == "ok"
    present = committed_batches(path)
    assert present == set(range(1, len(present) + 1)) and len(present) >= 2


def test_kill_inside_put_many_stores_nothing_of_it(tmp_path):
    path = tmp_path / "tm.sqlite3"
    child = spawn(WRITER, path, 2, "run", "big")
    try:
        expect(child, "batch 1 committed")
        expect(child, "batch 2 committed")
        expect(child, "inside put_many")
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.communicate()
    assert integrity(path) == "ok"
    stored = rows(path)
    assert not any(source.startswith("big line") for source in stored)
    assert committed_batches(path) == {1, 2}
    with TranslationCache(path) as c:  # and the cache goes on working
        assert c.put_many("ctx", [("after", "之后")]) == 1
        assert len(c) == 2 * BATCH + 1


# -- several processes on one file ----------------------------------------------------

WORKER = r"""
import sys
from subtrans.mt.cache import TranslationCache
path, name, other = sys.argv[1], sys.argv[2], sys.argv[3]
cache = TranslationCache(path)
print("ready", flush=True)
sys.stdin.readline()
seen_other = 0
for i in range(500):
    cache.put_many("ctx", [(f"{name} {i}", f"{name} 翻译 {i}")])
    if i % 25 == 24:
        mine = cache.get_many("ctx", [f"{name} {j}" for j in range(i + 1)])
        assert len(mine) == i + 1, (i, len(mine))
        seen_other = max(seen_other, len(cache.get_many("ctx", [f"{other} {j}" for j in range(500)])))
print("done", len(cache), seen_other, flush=True)
"""


def test_two_processes_share_one_file(tmp_path):
    path = tmp_path / "tm.sqlite3"
    workers = [spawn(WORKER, path, "A", "B"), spawn(WORKER, path, "B", "A")]
    try:
        for w in workers:
            expect(w, "ready")
        for w in workers:  # start both at once
            w.stdin.write("go\n")
            w.stdin.flush()
        results = [w.communicate(timeout=120) for w in workers]
    finally:
        for w in workers:
            w.kill()
    for w, (out, err) in zip(workers, results):
        assert w.returncode == 0, err
        assert "locked" not in err and out.startswith("done")
    with TranslationCache(path) as c:
        assert len(c) == 1000
        assert c.get_many("ctx", ["A 0", "B 499"]) == {"A 0": "A 翻译 0", "B 499": "B 翻译 499"}
    assert integrity(path) == "ok"


def test_two_instances_in_one_process(tmp_path):
    path = tmp_path / "tm.sqlite3"
    with TranslationCache(path) as a, TranslationCache(path) as b:
        a.put_many(CTX, [("один", "一")])
        b.put_many(CTX, [("два", "二")])
        assert a.get_many(CTX, ["один", "два"]) == b.get_many(CTX, ["один", "два"]) == {"один": "一", "два": "二"}


# -- write failures ------------------------------------------------------------------


def test_full_disk_raises_and_keeps_what_was_stored(tm):
    before = [(f"строка {i}", f"行 {i}") for i in range(100)]
    tm.put_many(CTX, before)
    # SQLite reports a full disk when the file may not grow past max_page_count.
    pages = tm._conn.execute("PRAGMA page_count").fetchone()[0]
    tm._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(WriteError) as caught:
        tm.put_many(CTX, [(f"big {i}", "x" * 200) for i in range(5000)])
    err = caught.value
    assert err.path == str(tm.path)
    assert "full" in err.message
    assert "SUBTRANS_CACHE_DIR" in err.hint and "--no-cache" in err.hint and "free space" in err.hint
    assert "\n" not in str(err)
    # the failed transaction was rolled back; the cache still reads
    assert len(tm) == 100
    assert tm.get_many(CTX, [s for s, _ in before]) == dict(before)
    assert integrity(tm.path) == "ok"


class _FailingWrites:
    """A connection whose writes fail as on a read-only file system."""

    def __init__(self, conn):
        self._conn = conn

    def executemany(self, *args):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    def __getattr__(self, name):
        return getattr(self._conn, name)


def test_read_only_write_is_a_write_error(tm):
    tm.put_many(CTX, [("есть", "有")])
    real = tm._conn
    tm._conn = _FailingWrites(real)
    with pytest.raises(WriteError) as caught:
        tm.put_many(CTX, [("нет", "没有")])
    assert "--no-cache" in caught.value.hint and caught.value.path == str(tm.path)
    assert not real.in_transaction
    tm._conn = real
    assert tm.get_many(CTX, ["есть", "нет"]) == {"есть": "有"}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores file permissions")
def test_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(WriteError) as caught:
            TranslationCache(folder / "tm.sqlite3")
        assert "--no-cache" in caught.value.hint
        with pytest.raises(WriteError):
            TranslationCache(folder / "sub" / "tm.sqlite3")
    finally:
        folder.chmod(0o755)


def test_unusable_locations(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(WriteError) as caught:
        TranslationCache(blocker / "tm.sqlite3")  # its folder cannot be created
    assert caught.value.path == str(blocker / "tm.sqlite3")
    (tmp_path / "a-folder").mkdir()
    with pytest.raises(WriteError) as caught:
        TranslationCache(tmp_path / "a-folder")  # a folder is no database file
    assert "SUBTRANS_CACHE_DIR" in caught.value.hint


# -- damaged or foreign files ----------------------------------------------------------


def test_garbage_file_is_moved_aside(tmp_path):
    path = tmp_path / "tm.sqlite3"
    garbage = random.Random(7).randbytes(8192)
    path.write_bytes(garbage)
    with TranslationCache(path) as c:
        assert len(c.warnings) == 1
        asides = list(tmp_path.glob("tm.sqlite3.corrupt-*"))
        assert len(asides) == 1 and asides[0].read_bytes() == garbage
        assert asides[0].name in c.warnings[0] and "\n" not in c.warnings[0]
        assert c.put_many(CTX, [("снова", "再次")]) == 1
        assert c.get_many(CTX, ["снова"]) == {"снова": "再次"}
    assert integrity(path) == "ok"


def test_damage_found_while_reading_is_recovered(tmp_path):
    path = tmp_path / "tm.sqlite3"
    sources = [f"s{i}" for i in range(3000)]
    with TranslationCache(path) as c:
        c.put_many(CTX, [(s, "t" * 100) for s in sources])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as fh:  # keep the header and schema page, wreck the table's pages
        fh.seek(4096 * 3)
        fh.write(random.Random(1).randbytes(4096 * 4))
    with TranslationCache(path) as c:
        found = c.get_many(CTX, sources)
        assert found == {} and len(c.warnings) == 1
        assert c.put_many(CTX, [("s1", "ok")]) == 1
        assert c.get_many(CTX, ["s1"]) == {"s1": "ok"}
    assert len(list(tmp_path.glob("tm.sqlite3.corrupt-*"))) == 1


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "tm.sqlite3"
    TranslationCache(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.close()
    with pytest.raises(ConfigError) as caught:
        TranslationCache(path)
    assert caught.value.path == str(path)
    assert "newer" in str(caught.value)
    assert not list(tmp_path.glob("*.corrupt-*"))  # left as it was


def test_foreign_database_is_left_alone(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TABLE precious (x)")
    conn.close()
    with pytest.raises(ConfigError):
        TranslationCache(path)
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["precious"]
    conn.close()
