"""The package list in pyproject.toml is written out by hand (the model catalog
lives outside src/): it must name every package under src/subtrans."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_package_is_listed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT / "src").parts) for p in (ROOT / "src").rglob("__init__.py")}
    assert found | {"subtrans.catalog"} == listed


def test_catalog_is_installed_as_package_data():
    from importlib import resources

    names = {p.name for p in resources.files("subtrans.catalog").iterdir()}
    assert "t5-small.toml" in names


def test_every_install_line_names_the_distribution_not_the_unrelated_subtrans():
    """On the package index `subtrans` is another project: README, docs and error hints install
    `subtrans-ruzh` (or a checkout with -e .)."""
    import re

    from subtrans._install import DISTRIBUTION, install_hint

    assert DISTRIBUTION == "subtrans-ruzh" and install_hint("mt").startswith('pip install "subtrans-ruzh[mt]"')
    root = Path(__file__).resolve().parents[1]
    wrong = re.compile(r"pip install\s+[\"']?subtrans(?![-\w])")
    places = [root / "README.md", *sorted((root / "docs").glob("*.md")), *sorted((root / "src").rglob("*.py"))]
    found = [f"{p.relative_to(root)}:{n}" for p in places
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if wrong.search(line)]
    assert found == []
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert 'pip install "subtrans-ruzh[mt]"' in readme and "download.pytorch.org/whl/cpu" in readme
