"""The library is typed: ``mypy --strict`` passes on the package and on a user's script
(``examples/typed_usage.py``), and the public names reveal real types, not ``Any`` (the package's
lazy ``__getattr__`` is for run time; type checkers read its ``if TYPE_CHECKING:`` imports)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

ROOT = Path(__file__).parent.parent

# Every public name, as a user's script sees it after `import subtrans`.
PUBLIC = [
    "load", "loads", "save", "check", "fix", "translate", "load_profile", "list_profiles",
    "Track", "Cue", "Block", "ReadNote", "Finding", "Fix", "Severity", "Settings", "RULES",
    "Translator", "Translation", "Backend", "Profile",
    "SubtransError", "ParseError", "EncodingError", "FormatError", "ProfileError", "ConfigError",
    "WriteError", "ModelError", "GlossaryError",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


def _mypy(*args: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    # MYPYPATH: this checkout's package, whatever subtrans the environment has installed
    env = {**os.environ, "MYPYPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache_dir), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_mypy_strict_passes_on_the_package_and_a_user_script(cache_dir: Path) -> None:
    result = _mypy("--strict", "src/subtrans", "examples/typed_usage.py", cache_dir=cache_dir)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_public_names_have_real_types(cache_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "reveal.py"
    script.write_text("import subtrans\n" + "".join(f"reveal_type(subtrans.{name})\n" for name in PUBLIC),
                      encoding="utf-8")
    result = _mypy("--strict", "--config-file", str(ROOT / "pyproject.toml"), str(script), cache_dir=cache_dir)
    revealed = re.findall(r'Revealed type is "(.*)"', result.stdout)
    assert len(revealed) == len(PUBLIC), result.stdout + result.stderr
    shown = dict(zip(PUBLIC, revealed))
    # Any is what the lazy __getattr__ alone gives (and a function returning Any is no better)
    untyped = {name: t for name, t in shown.items() if t == "Any" or t.endswith("-> Any")}
    assert untyped == {}, result.stdout
    assert shown["load"].endswith("-> subtrans.model.Track")
    assert shown["check"].endswith("-> list[subtrans.qa.base.Finding]")
    assert shown["Translator"].endswith("-> subtrans.pipeline.translator.Translator")
    assert shown["Finding"].endswith("-> subtrans.qa.base.Finding")
    assert shown["Backend"].endswith("-> subtrans.mt.backends.base.Backend")
    assert shown["SubtransError"].endswith("-> subtrans.errors.SubtransError")
