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
