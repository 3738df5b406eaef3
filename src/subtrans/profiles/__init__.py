"""QA profiles: style-guide limits shipped as data, each value with its source and date.

A profile is a TOML file in this folder (or any path given to ``--profile``)::

    name = "netflix-ru"
    language = "ru"
    extends = "..."            # optional: start from another profile

    [values.max_cps]
    value = 17
    source = "where the number comes from"
    read = "2026-11-26"        # when the source was read

Known values (``None`` / absent switches the check off): ``max_chars_per_line``,
``max_lines``, ``max_cps``, ``half_width_weight``, ``min_duration_ms``,
``max_duration_ms``, ``min_gap_frames``, ``bridge_gap_max_frames``,
``ellipsis``, ``dialogue_dash``, ``dialogue_dash_space``, ``zh_no_comma_period``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ProfileError

if TYPE_CHECKING:  # pragma: no cover
    from importlib.resources.abc import Traversable

__all__ = ["Profile", "Value", "load_profile", "list_profiles", "profile_for_language", "KNOWN_VALUES"]

KNOWN_VALUES: dict[str, type | tuple[type, ...]] = {
    "max_chars_per_line": (int, float), "max_lines": int, "max_cps": (int, float),
    "half_width_weight": (int, float), "min_duration_ms": int, "max_duration_ms": int,
    "min_gap_frames": (int, float), "bridge_gap_max_frames": (int, float), "ellipsis": str,
    "dialogue_dash": str, "dialogue_dash_space": bool, "zh_no_comma_period": bool,
    "sentence_pause_ms": int, "quotes": str,
}
LANGUAGE_DEFAULTS = {"ru": "netflix-ru", "zh-hans": "netflix-zh-hans", "zh-hant": "netflix-zh-hant", "en": "netflix-en"}


@dataclass(frozen=True)
class Value:
    value: Any
    source: str = ""
    read: str = ""
    url: str = ""


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    language: str
    values: dict[str, Value] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        v = self.values.get(key)
        return default if v is None else v.value

    def with_values(self, overrides: dict[str, Any], source: str) -> "Profile":
        """A copy with some limits replaced (project configuration)."""
        values = dict(self.values)
        for key, value in overrides.items():
            _check_value(key, value, source)
            values[key] = Value(value, source=source)
        return Profile(self.name, self.title, self.language, values)


def _check_value(key: str, value: Any, where: str) -> None:
    if key not in KNOWN_VALUES:
        raise ProfileError(f"unknown profile value {key!r}", path=where, text=key,
                           hint=f"known: {', '.join(sorted(KNOWN_VALUES))}")
    if not isinstance(value, KNOWN_VALUES[key]) or (isinstance(value, bool) and KNOWN_VALUES[key] is not bool):
        raise ProfileError(f"profile value {key} = {value!r} has the wrong type", path=where, text=str(value))


# The built-in profiles sit next to this file: read from the folder when there is one
# (importing importlib.resources also imports tempfile, zipfile, shutil, bz2, lzma ...:
# several milliseconds of every `subtrans check`), else through importlib.resources (a zip).
_HERE = Path(__file__).parent


def _builtin_folder() -> Path | Traversable:
    if _HERE.is_dir():
        return _HERE
    from importlib import resources

    return resources.files(__package__)


def _builtin_names() -> list[str]:
    return sorted(p.name[:-5] for p in _builtin_folder().iterdir() if p.name.endswith(".toml"))


def list_profiles() -> list[Profile]:
    return [load_profile(name) for name in _builtin_names()]


def load_profile(name_or_path: str | Path, _seen: tuple[str, ...] = ()) -> Profile:
    """A built-in profile by name, or a profile file by path."""
    name = str(name_or_path)
    if name.endswith(".toml") or "/" in name or "\\" in name:
        path = Path(name)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise ProfileError(f"cannot read profile: {exc.strerror}", path=path) from None
        where = str(path)
    else:
        res = _builtin_folder() / f"{name}.toml"
        if not res.is_file():
            raise ProfileError(f"unknown profile {name!r}", text=name,
                               hint=f"known: {', '.join(_builtin_names())}, or a path to a .toml file")
        raw = res.read_bytes()
        where = f"profiles/{name}.toml"
    import tomllib  # here: `subtrans rules` and `--version` need no TOML

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"invalid profile file: {exc}", path=where) from None
    values: dict[str, Value] = {}
    parent = data.get("extends")
    if parent:
        if parent in _seen:
            raise ProfileError(f"profile {parent!r} extends itself", path=where, text=parent)
        values.update(load_profile(parent, _seen + (parent,)).values)
    for key, entry in data.get("values", {}).items():
        if not isinstance(entry, dict) or "value" not in entry:
            raise ProfileError(f"value {key!r} needs a table with value, source and read", path=where, text=key)
        _check_value(key, entry["value"], where)
        if not entry.get("source") or not entry.get("read"):
            raise ProfileError(f"value {key!r} has no source or read date", path=where, text=key)
        values[key] = Value(entry["value"], entry["source"], str(entry["read"]), entry.get("url", ""))
    if "name" not in data:
        raise ProfileError("profile has no name", path=where)
    return Profile(data["name"], data.get("title", data["name"]), data.get("language", "any"), values)


def profile_for_language(language: str | None) -> str:
    return LANGUAGE_DEFAULTS.get(language or "", "default")
