"""The extraction cache: hits, misses after edits, corrupt and foreign entries, versions, concurrency."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from fixture_graph.config import ExtractOptions, ScanConfig
from fixture_graph.render import RENDERERS
from fixture_graph.report import build_report
from fixture_graph.scan import cache as cache_mod
from fixture_graph.scan import loader as loader_mod
from fixture_graph.scan.cache import MAGIC, ExtractCache, decode_record, encode_record
from fixture_graph.scan.extract import extract_module
from fixture_graph.scan.loader import FileLoader
from fixture_graph.scan.session import scan_paths

CONFTEST = "import pytest\n\n@pytest.fixture\ndef db():\n    return 1\n"
TEST = "def test_a(db):\n    pass\n"


def make_tree(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "tests" / "conftest.py").write_text(CONFTEST)
    (root / "tests" / "test_a.py").write_text(TEST)
    return root


def scan_json(root: Path, **config: object) -> str:
    scan = scan_paths([], ScanConfig(scan_plugins=False, **config), invocation_dir=root)  # type: ignore[arg-type]
    return RENDERERS["json"](build_report(scan))


def fixture_names(root: Path, **config: object) -> set[str]:
    data = json.loads(scan_json(root, **config))
    return {f["name"] for f in data["fixtures"] if f["kind"] == "conftest"}


def forbid_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object, **__: object) -> None:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(loader_mod, "extract_module", boom)


def load(directory: Path, path: Path, shown: str) -> tuple[ExtractCache, object]:
    cache = ExtractCache(directory, ExtractOptions())
    loader = FileLoader(ExtractOptions(), 1 << 20, cache)
    record, _ = loader.load(path, shown)
    loader.close()
    return cache, record


def test_second_run_hits_by_stat_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path / "tree")
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    first = scan_json(root)
    assert (root / ".fixture_graph_cache" / "CACHEDIR.TAG").is_file()
    forbid_extraction(monkeypatch)
    monkeypatch.setattr(loader_mod, "load_outcome", lambda *a, **k: pytest.fail("file was read"))
    assert scan_json(root) == first


def test_touched_but_unchanged_file_hits_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path / "tree")
    first = scan_json(root)
    os.utime(root / "tests" / "conftest.py")
    forbid_extraction(monkeypatch)
    assert scan_json(root) == first


def test_edit_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path / "tree")
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    assert fixture_names(root) == {"db"}
    conftest = root / "tests" / "conftest.py"
    conftest.write_text(CONFTEST.replace("def db", "def dx"))
    # Same size, same mtime: only the ctime and the bytes tell the edit apart.
    stat = conftest.stat()
    os.utime(conftest, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert fixture_names(root) == {"dx"}
    assert scan_json(root) == scan_json(root, cache=False)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"garbage",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),
        lambda data: MAGIC + b"\0" * 32,
    ],
    ids=["garbage", "truncated", "flipped-bit", "empty-payload"],
)
def test_corrupt_cache_file_is_a_miss(
    tmp_path: Path, damage: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_tree(tmp_path / "tree")
    first = scan_json(root)
    (cache_file,) = (root / ".fixture_graph_cache").glob("extract-*.bin")
    cache_file.write_bytes(damage(cache_file.read_bytes()))  # type: ignore[operator]
    assert scan_json(root) == first
    assert scan_json(root) == first


def rewrite_entries(cache_file: Path, change: object) -> None:
    payload = cache_file.read_bytes()[len(MAGIC) + 32 :]
    entries = pickle.loads(payload)
    entries = change(entries)  # type: ignore[operator]
    payload = pickle.dumps(entries)
    cache_file.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)


def test_foreign_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_tree(tmp_path / "tree")
    monkeypatch.setattr(cache_mod, "RACY_NS", 0)
    first = scan_json(root)
    (cache_file,) = (root / ".fixture_graph_cache").glob("extract-*.bin")
    other = encode_record(extract_module("tests/conftest.py", b"import pytest\n", ExtractOptions()))
    foreign = encode_record(extract_module("elsewhere.py", CONFTEST.encode(), ExtractOptions()))

    def swap(entries: dict[str, tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
        out = {}
        for path, (stat, key, seen, _blob) in entries.items():
            blob = foreign if path.endswith("conftest.py") else other
            out[path] = (stat, key, seen, blob)
        return out

    rewrite_entries(cache_file, swap)
    assert scan_json(root) == first


def test_cache_never_runs_code_from_an_entry(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, ...]:
            return (Path.write_text, (marker, "x"))

    assert decode_record(pickle.dumps(Exploit()), "x.py") is None
    assert not marker.exists()


def test_version_bump_uses_a_new_cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = make_tree(tmp_path / "tree")
    path = tree / "tests" / "conftest.py"
    directory = tmp_path / "cache"
    cache, _ = load(directory, path, "tests/conftest.py")
    assert cache.misses == 1
    cache, _ = load(directory, path, "tests/conftest.py")
    assert (cache.hits, cache.misses) == (1, 0)
    monkeypatch.setattr(cache_mod, "__version__", "999.0")
    bumped, _ = load(directory, path, "tests/conftest.py")
    assert (bumped.hits, bumped.misses) == (0, 1)
    assert bumped.path != cache.path
    other_options = ExtractCache(directory, ExtractOptions(impact_decorators=("impact",)))
    assert other_options.path not in (cache.path, bumped.path)


def test_no_cache_and_cache_dir(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree")
    scan_json(root, cache=False)
    assert not (root / ".fixture_graph_cache").exists()
    scan_json(root, cache_dir=str(tmp_path / "elsewhere"))
    assert list((tmp_path / "elsewhere").glob("extract-*.bin"))
    assert not (root / ".fixture_graph_cache").exists()


def test_two_concurrent_writers_never_corrupt_the_cache(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "tree")
    for i in range(40):
        (root / "tests" / f"test_m{i}.py").write_text(f"def test_{i}(db):\n    pass\n")
    expected = scan_json(root, cache=False)
    cmd = [sys.executable, "-m", "fixture_graph", "--no-plugins", "--format", "json", "-j", "1"]
    for round_ in range(4):
        (root / "tests" / f"test_m{round_}.py").write_text(f"def test_new_{round_}(db):\n    pass\n")
        expected = scan_json(root, cache=False)
        procs = [
            subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
        assert [out.decode() for out, _ in outputs] == [expected, expected]
    (cache_file,) = (root / ".fixture_graph_cache").glob("extract-*.bin")
    data = cache_file.read_bytes()
    assert data.startswith(MAGIC)
    assert hashlib.sha256(data[len(MAGIC) + 32 :]).digest() == data[len(MAGIC) : len(MAGIC) + 32]
    assert not list((root / ".fixture_graph_cache").glob("*.tmp"))
    assert scan_json(root) == expected
