"""Project configuration: ``subtrans.toml``, or ``[tool.subtrans]`` in ``pyproject.toml``.

::

    profile = "netflix-ru"      # or a path to a profile file
    fps = 25
    fail-on = "error"

    [rules]
    dialogue-dash = false       # switch a rule off

    [severity]
    line-length = "error"

    [limits]                    # override profile values
    max_cps = 15

    ignore-styles = ["Sign*", "OP", "ED"]   # ASS: signs and songs (replaces the defaults)

The nearest file found from the current folder upwards is used; ``--config``
names one explicitly. Command-line options win over the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["Config", "find_config", "load_config"]

_KEYS = {"profile", "fps", "fail-on", "rules", "severity", "limits", "ignore-styles"}


@dataclass
class Config:
    path: Path | None = None
    profile: str | None = None
    fps: float | None = None
    fail_on: str | None = None
    disabled: set[str] = field(default_factory=set)
    severities: dict[str, str] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)
    ignore_styles: tuple[str, ...] | None = None


def find_config(start: Path | None = None) -> Path | None:
    import tomllib

    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / "subtrans.toml").is_file():
            return candidate / "subtrans.toml"
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "subtrans" in tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}):
                    return pyproject
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    import tomllib

    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", path=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=path) from None
    if Path(path).name == "pyproject.toml":
        data = data.get("tool", {}).get("subtrans", {})
    unknown = set(data) - _KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ConfigError(f"unknown setting {key!r}", path=path, text=key, hint=f"known: {', '.join(sorted(_KEYS))}")
    rules = data.get("rules", {})
    if not all(isinstance(v, bool) for v in rules.values()):
        raise ConfigError("[rules] values are true or false", path=path)
    fps = data.get("fps")
    if fps is not None and (not isinstance(fps, (int, float)) or isinstance(fps, bool) or fps <= 0):
        raise ConfigError(f"fps must be a positive number, not {fps!r}", path=path)
    styles = data.get("ignore-styles")
    if styles is not None and not (isinstance(styles, list) and all(isinstance(x, str) for x in styles)):
        raise ConfigError("ignore-styles is a list of ASS style names or globs", path=path)
    return Config(
        path=Path(path), profile=data.get("profile"), fps=fps, fail_on=data.get("fail-on"),
        disabled={name for name, on in rules.items() if not on},
        severities=dict(data.get("severity", {})), limits=dict(data.get("limits", {})),
        ignore_styles=tuple(styles) if styles is not None else None,
    )
