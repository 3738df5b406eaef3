"""The model catalog (one TOML file per model in the repository's ``models/``)
and model resolution: a catalog name, a Hub id or a local folder -> ModelSpec.

Light by design: importing this module imports neither torch nor
transformers; ``huggingface_hub`` is imported inside the functions that talk
to the Hub cache.

Resolution (:func:`resolve_model`) ends with ``spec.path``: a local folder
holding ``config.json``, the tokenizer files and the weights. Hub models go
through the Hugging Face cache (``HF_HUB_CACHE``, else ``HF_HOME/hub``, else
``~/.cache/huggingface/hub``), read at call time; ``HF_HUB_OFFLINE=1`` (or
``TRANSFORMERS_OFFLINE=1``) means the cache only. A model that cannot be
found is one :class:`~subtrans.errors.ModelError` line saying which model,
where it was looked for and what to do.

Weights: safetensors only, unless ``allow_pickle``; see :func:`check_weights`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from .._install import install_hint
from ..errors import ModelError

__all__ = [
    "ModelSpec", "list_models", "get_model", "resolve_model", "default_model", "download_model", "read_catalog_file",
    "describe", "check_weights", "model_languages", "supports", "direction_error", "hub_cache_dir", "is_offline",
    "folder_revision",
    "ARCHITECTURES", "DECODER_ONLY", "TARGET_BY", "LANGUAGES",
]

ARCHITECTURES = ("marian", "m2m100", "nllb", "t5", "qwen3", "mistral", "gemma3", "hunyuan")
#: Decoder-only architectures: translation LLMs, asked by a prompt (:mod:`subtrans.mt.prompts`).
DECODER_ONLY = ("qwen3", "mistral", "gemma3", "hunyuan")
TARGET_BY = ("prefix", "forced_bos", "fixed", "prompt")
LANGUAGES = ("ru", "zh", "zh-hant")

#: Weight files that are pickles: loading one can run arbitrary code.
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
#: What a Hub download fetches (pytorch_model*.bin is added only when the revision has no safetensors).
HUB_PATTERNS = ["*.json", "*.safetensors", "*.model", "*.spm", "tokenizer*", "merges.txt"]
PICKLE_PATTERNS = ["pytorch_model*.bin"]
#: Seconds to wait for the Hub before falling back to the cache (``SUBTRANS_HUB_TIMEOUT`` overrides).
HUB_TIMEOUT = 10.0

T5_PREFIXES = {"ru": "translate to ru: ", "zh": "translate to zh: "}
M2M100_CODES = {"ru": "ru", "zh": "zh"}
NLLB_CODES = {"ru": "rus_Cyrl", "zh": "zho_Hans", "zh-hant": "zho_Hant"}
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ModelSpec:
    """What subtrans needs to know about one model.

    ``target_by`` is how the target language is chosen: ``prefix`` (T5: a text
    prefix per target language in ``codes``), ``forced_bos`` (M2M100/NLLB:
    ``codes`` maps subtrans languages to the tokenizer's language codes; the
    source code goes on ``tokenizer.src_lang``, the target is the forced BOS
    token) or ``fixed`` (Marian: one direction per model; ``codes`` may hold a
    target token such as ``>>cmn_Hans<<`` to prepend).
    Languages are subtrans codes: ``ru``, ``zh`` and ``zh-hant``.
    """

    name: str                       # catalog name ("t5-small") or the Hub id / folder name
    hub_id: str | None              # None for a local folder with no catalog entry
    architecture: str               # marian | m2m100 | nllb | t5
    directions: tuple[str, ...]     # ("ru-zh", "zh-ru")
    target_by: str                  # prefix | forced_bos | fixed
    codes: dict[str, str] = field(default_factory=dict)
    revision: str | None = None     # Hub revision (branch, tag or commit); None: main
    path: Path | None = None        # a local folder (``--model PATH``) or the resolved Hub cache snapshot
    licence: str = "unknown"
    commercial: bool = True         # False: the licence forbids commercial use (warn before use)
    warning: str = ""
    beams: int = 4
    max_length: int = 256           # output tokens
    parameters: str = ""            # "111M"
    default_for: tuple[str, ...] = ()
    description: str = ""
    url: str = ""
    # -- added with defaults ----------------------------------------------------------------
    size: str = ""                  # download size of the weights ("221 MB")
    weights: str = "safetensors"    # safetensors | pickle (what the catalogued revision publishes)
    licence_url: str = ""           # where the licence was read
    source: str = ""                # the catalog file, or "folder" / "hub" for inferred specs
    prompt: str = ""                # decoder-only models: the prompt format (subtrans.mt.prompts.PROMPTS)
    memory: str = ""                # memory the model needs to run ("4 GB"), for `models list`
    device_hint: str = ""           # where it is practical ("laptop CPU", "one GPU")
    context: int = 0                # translation LLMs that read context: previous cues given with each sentence
    pack: int = 1                   # sentences per request for a model that keeps delimiters (Hy-MT2)

    @property
    def decoder_only(self) -> bool:
        """A translation LLM (asked by a prompt) rather than a sequence-to-sequence model."""
        return self.architecture in DECODER_ONLY

    @property
    def cache_name(self) -> str:
        """The Hub cache folder name (``models--org--name``), or "" without a Hub id."""
        return "models--" + self.hub_id.replace("/", "--") if self.hub_id else ""


# --------------------------------------------------------------------------- directions


def _split_direction(direction: str) -> tuple[str, str] | None:
    for lang in sorted(LANGUAGES, key=len, reverse=True):
        if direction.startswith(lang + "-") and direction[len(lang) + 1:] in LANGUAGES:
            return lang, direction[len(lang) + 1:]
    return None


from ..text import base_language as _base  # noqa: E402


def model_languages(spec: ModelSpec, source: str, target: str) -> tuple[str, str] | None:
    """The (source, target) languages to ask ``spec`` for, or None if it cannot translate them.

    ``zh-hant`` is asked for natively where the model lists the direction
    (NLLB's ``zho_Hant``); otherwise as ``zh``: the pipeline converts
    Simplified output to Traditional (OpenCC), and Traditional input is
    still Chinese to a ``zh`` model.
    """
    if f"{source}-{target}" in spec.directions:
        return source, target
    s, t = _base(source), _base(target)
    if f"{s}-{t}" in spec.directions:
        return s, t
    return None


def supports(spec: ModelSpec, source: str, target: str) -> bool:
    return model_languages(spec, source, target) is not None


def _directions_text(spec: ModelSpec) -> str:
    d = list(spec.directions)
    return d[0] if len(d) == 1 else ", ".join(d[:-1]) + " and " + d[-1]


def direction_error(spec: ModelSpec, source: str, target: str) -> ModelError:
    """The one-line error for a direction ``spec`` does not translate."""
    return ModelError(f"{spec.name} translates {_directions_text(spec)}; not {source}-{target}",
                      text=f"{source}-{target}", hint="pick another model: subtrans models list")


def _check_direction(spec: ModelSpec, source: str | None, target: str | None) -> None:
    if source is None or target is None or supports(spec, source, target):
        return
    raise direction_error(spec, source, target)


# --------------------------------------------------------------------------- the catalog files

_FIELDS = {f.name: f for f in dataclasses.fields(ModelSpec)}
_NOT_IN_FILES = {"path", "source"}
_REQUIRED = ("name", "hub_id", "architecture", "directions", "target_by", "licence")
_TYPES = {
    "name": str, "hub_id": str, "architecture": str, "target_by": str, "revision": str, "licence": str,
    "commercial": bool, "warning": str, "beams": int, "max_length": int, "parameters": str, "description": str,
    "url": str, "size": str, "weights": str, "licence_url": str, "prompt": str, "memory": str, "device_hint": str, "context": int, "pack": int,
}


def _bad(file: str, message: str, text: str | None = None) -> ModelError:
    return ModelError(message, path=file, text=text, hint="see models/README.md for the catalog file format")


def _spec_from_toml(data: dict[str, Any], file: str) -> ModelSpec:
    unknown = sorted(set(data) - (set(_FIELDS) - _NOT_IN_FILES))
    if unknown:
        raise _bad(file, f"unknown key {unknown[0]!r} in model catalog file", unknown[0])
    for key in _REQUIRED:
        if key not in data:
            raise _bad(file, f"missing key {key!r} in model catalog file", key)
    for key, typ in _TYPES.items():
        if key in data and not isinstance(data[key], typ):
            raise _bad(file, f"{key} must be a {typ.__name__}", str(data[key]))
    for key in ("directions", "default_for"):
        if key in data and not (isinstance(data[key], list) and all(isinstance(x, str) for x in data[key])):
            raise _bad(file, f"{key} must be a list of strings like \"ru-zh\"", str(data[key]))
    codes = data.get("codes", {})
    if not isinstance(codes, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in codes.items()):
        raise _bad(file, "[codes] must map languages (ru, zh, zh-hant) to strings")
    if data["architecture"] not in ARCHITECTURES:
        raise _bad(file, f"unknown architecture {data['architecture']!r} (expected {', '.join(ARCHITECTURES)})",
                   data["architecture"])
    if data["target_by"] not in TARGET_BY:
        raise _bad(file, f"unknown target_by {data['target_by']!r} (expected {', '.join(TARGET_BY)})",
                   data["target_by"])
    if data.get("weights", "safetensors") not in ("safetensors", "pickle"):
        raise _bad(file, "weights must be \"safetensors\" or \"pickle\"", data["weights"])
    if not _HUB_ID.match(data["hub_id"]):
        raise _bad(file, "hub_id must look like org/name", data["hub_id"])
    spec = ModelSpec(**{**data, "directions": tuple(data["directions"]),
                        "default_for": tuple(data.get("default_for", ())), "codes": dict(codes), "source": file})
    _validate(spec, file)
    return spec


def _validate(spec: ModelSpec, file: str) -> None:
    if not spec.directions:
        raise _bad(file, "a model needs at least one direction")
    for d in spec.directions:
        if _split_direction(d) is None:
            raise _bad(file, f"bad direction {d!r} (expected SOURCE-TARGET with ru, zh, zh-hant)", d)
    for lang in spec.codes:
        if lang not in LANGUAGES:
            raise _bad(file, f"unknown language {lang!r} in [codes] (expected ru, zh, zh-hant)", lang)
    for d in spec.directions:
        split = _split_direction(d)
        assert split is not None  # (every direction was checked above)
        src, tgt = split
        needed = {"prefix": [tgt], "forced_bos": [src, tgt], "fixed": [], "prompt": []}[spec.target_by]
        for lang in needed:
            if lang not in spec.codes:
                raise _bad(file, f"direction {d} needs a code for {lang!r} in [codes] ({spec.target_by})", d)
    if spec.target_by == "fixed" and len({_split_direction(d) for d in spec.directions}) > 1 and not spec.codes:
        raise _bad(file, "a fixed-direction model with several directions needs target tokens in [codes]")
    for d in spec.default_for:
        if d not in spec.directions:
            raise _bad(file, f"default_for {d!r} is not one of the model's directions", d)
    if not spec.commercial and not spec.warning:
        raise _bad(file, "a model whose licence forbids commercial use needs a warning")
    if (spec.target_by == "prompt") != spec.decoder_only:
        raise _bad(file, "target_by = \"prompt\" is for the decoder-only architectures "
                         f"({', '.join(DECODER_ONLY)}), and they need it")
    if spec.decoder_only:
        from .prompts import PROMPTS

        if spec.prompt not in PROMPTS:
            raise _bad(file, f"unknown prompt {spec.prompt!r} (expected {', '.join(PROMPTS)})", spec.prompt)
    if spec.beams < 1 or spec.max_length < 1:
        raise _bad(file, "beams and max_length must be at least 1")


def _parse_catalog_text(text: str, label: str) -> ModelSpec:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _bad(label, f"invalid TOML: {exc}") from None
    return _spec_from_toml(data, label)


def read_catalog_file(path: str | Path) -> ModelSpec:
    """Read and validate one catalog file (the format of ``models/*.toml``).

    Raises ModelError naming the file for unknown keys, a bad architecture or
    ``target_by``, a direction without the language codes it needs, a
    non-commercial model without a warning, and the like.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"cannot read model catalog file: {exc.strerror or exc}", path=path) from None
    return _parse_catalog_text(text, str(path))


@functools.lru_cache(maxsize=1)
def _catalog() -> tuple[ModelSpec, ...]:
    from importlib.resources import files

    root = files("subtrans.catalog")
    specs: list[ModelSpec] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        specs.append(_parse_catalog_text(entry.read_text(encoding="utf-8"), f"models/{entry.name}"))
    seen: dict[str | None, str] = {}
    for spec in specs:
        for key in (spec.name, spec.hub_id):
            if key in seen:
                raise _bad(spec.source, f"{key!r} is already catalogued in {seen[key]}", key)
            seen[key] = spec.source
    defaults: dict[str, str] = {}
    for spec in specs:
        for d in spec.default_for:
            if d in defaults:
                raise _bad(spec.source, f"two defaults for {d}: {defaults[d]} and {spec.name}", d)
            defaults[d] = spec.name
    return tuple(sorted(specs, key=lambda s: (not s.default_for, s.name)))


def list_models() -> list[ModelSpec]:
    """Every catalogued model (validated): the defaults first, then by name."""
    return list(_catalog())


def _lookup(ref: str) -> ModelSpec | None:
    specs = _catalog()
    for spec in specs:
        if ref == spec.name or ref == spec.hub_id:
            return spec
    low = ref.lower()
    for spec in specs:
        if low == spec.name.lower() or low == (spec.hub_id or "").lower():
            return spec
    return None


def get_model(name: str) -> ModelSpec:
    """A catalogued model by catalog name (``t5-small``) or Hub id."""
    spec = _lookup(name)
    if spec is None:
        raise ModelError(f"unknown model {name!r}", text=name,
                         hint="catalogued: " + ", ".join(s.name for s in _catalog())
                         + "; or pass a Hub id (org/name) or a local folder")
    return spec


def default_model(source: str, target: str) -> ModelSpec:
    """The catalog's default model for a direction (``zh-hant`` counts as ``zh`` unless a default is native)."""
    for key in (f"{source}-{target}", f"{_base(source)}-{_base(target)}"):
        for spec in _catalog():
            if key in spec.default_for:
                return spec
    raise ModelError(f"no default model for {source}-{target}", text=f"{source}-{target}",
                     hint="subtrans translates ru-zh and zh-ru; name a model with --model")


# --------------------------------------------------------------------------- the Hub cache


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "on", "yes", "true", "y", "t")


def is_offline() -> bool:
    """``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE``, read now (not when huggingface_hub was imported)."""
    return _truthy(os.environ.get("HF_HUB_OFFLINE")) or _truthy(os.environ.get("TRANSFORMERS_OFFLINE"))


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, from the environment as it is now."""
    env = os.environ
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if env.get(var):
            return Path(os.path.expandvars(os.path.expanduser(env[var])))
    home = env.get("HF_HOME") or os.path.join(env.get("XDG_CACHE_HOME") or os.path.join("~", ".cache"),
                                               "huggingface")
    return Path(os.path.expandvars(os.path.expanduser(home))) / "hub"


def _endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def _timeout() -> float:
    try:
        return float(os.environ.get("SUBTRANS_HUB_TIMEOUT") or HUB_TIMEOUT)
    except ValueError:
        return HUB_TIMEOUT


def _need_hub() -> ModuleType:
    try:
        import huggingface_hub
    except ImportError:
        raise ModelError("huggingface_hub is not installed: Hub models cannot be found", text="huggingface_hub",
                         hint=install_hint("mt") + ", or pass --model PATH to a local model folder") from None
    return huggingface_hub


def _cached_snapshot(hub_id: str, revision: str, cache: Path) -> Path | None:
    """The cached snapshot folder for ``hub_id@revision`` holding a config.json, or None."""
    try_to_load_from_cache = _need_hub().try_to_load_from_cache

    found = try_to_load_from_cache(hub_id, "config.json", cache_dir=str(cache), revision=revision)
    if isinstance(found, str):
        return Path(found).parent
    return None


def _missing(label: str, hub_id: str, revision: str, cache: Path, why: str) -> ModelError:
    at = "" if revision == "main" else f" (revision {revision})"
    name = label if label == hub_id else f"{label} ({hub_id})"
    return ModelError(
        f"model {name}{at} is not in the Hugging Face cache {cache} and {why}",
        text=label,
        hint=f"run `subtrans models download {label}` on a connected machine (then copy the cache here), "
             f"or pass --model PATH to a local model folder",
    )


def _fetch(hub_id: str, revision: str, *, label: str, offline: bool, allow_pickle: bool | None,
           downloading: bool = False) -> Path:
    """The local snapshot of ``hub_id@revision``: from the cache, downloading first when online."""
    cache = hub_cache_dir()
    if offline or _COMMIT.match(revision):
        found = _cached_snapshot(hub_id, revision, cache)
        if found is not None:
            return found
        if offline:
            raise _missing(label, hub_id, revision, cache, "offline mode is on (HF_HUB_OFFLINE)")

    _need_hub()
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError, HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled, RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    endpoint = _endpoint()
    try:
        info = HfApi(endpoint=endpoint).model_info(hub_id, revision=revision, timeout=_timeout())
    except (RepositoryNotFoundError, GatedRepoError) as exc:
        raise ModelError(f"model {hub_id} was not found on {endpoint} (or needs a login): "
                         f"{type(exc).__name__}", text=label,
                         hint="check the id (subtrans models list), or pass --model PATH") from None
    except RevisionNotFoundError:
        raise ModelError(f"model {hub_id} has no revision {revision!r} on {endpoint}", text=label,
                         hint="pass --revision main, a tag or a commit") from None
    except Exception as exc:  # noqa: BLE001 - no connection, offline mode, Hub down, timeout: use the cache
        found = _cached_snapshot(hub_id, revision, cache)
        if found is not None:
            return found
        if isinstance(exc, OfflineModeIsEnabled):
            why = "offline mode is on (HF_HUB_OFFLINE was set when huggingface_hub was imported)"
        else:
            why = f"the Hub ({endpoint}) cannot be reached ({type(exc).__name__})"
        if downloading:
            raise ModelError(f"cannot download {hub_id} into {cache}: {why}", text=label,
                             hint="check the connection (HF_ENDPOINT, proxy settings) and try again, "
                                  "or pass --model PATH to a local model folder") from None
        raise _missing(label, hub_id, revision, cache, why) from None

    files = [s.rfilename for s in (info.siblings or [])]
    has_safetensors = any(f.endswith(".safetensors") for f in files)
    if not has_safetensors and allow_pickle is False:
        raise ModelError(f"model {hub_id} (revision {revision}) publishes only pickle weights; pickle can run code "
                         f"when loaded", text=label,
                         hint="pass --allow-pickle if you trust the source, or pick a revision with safetensors")
    patterns = HUB_PATTERNS + ([] if has_safetensors else PICKLE_PATTERNS)
    try:
        path = snapshot_download(hub_id, revision=revision, cache_dir=str(cache), allow_patterns=patterns,
                                 endpoint=endpoint, etag_timeout=_timeout())
    except (LocalEntryNotFoundError, OSError, HfHubHTTPError) as exc:
        raise ModelError(f"downloading {hub_id} into {cache} failed: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}", text=label,
                         hint="check the connection and disk space, then run `subtrans models download` "
                              "again") from None
    return Path(path)


# --------------------------------------------------------------------------- weights


def check_weights(path: str | Path, allow_pickle: bool = False) -> str:
    """What weights ``path`` holds: ``"safetensors"`` or (with ``allow_pickle``) ``"pickle"``.

    Raises ModelError when there are none, or when the only weights are
    pickles (``pytorch_model.bin``, ``.pt``, ``.ckpt`` ...) and
    ``allow_pickle`` is false: unpickling can run arbitrary code.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise ModelError("model folder not found", path=folder, hint="pass --model PATH to a folder with config.json")
    names = sorted(p.name for p in folder.iterdir() if p.is_file())
    if any(n.endswith(".safetensors") for n in names):
        return "safetensors"
    pickles = [n for n in names if n.endswith(PICKLE_SUFFIXES)]
    if pickles:
        if allow_pickle:
            return "pickle"
        raise ModelError(f"only pickle weights ({', '.join(pickles[:3])}); pickle can run code when loaded",
                         path=folder,
                         hint="convert them to safetensors, or pass --allow-pickle if you trust the source")
    raise ModelError("no model weights (expected model.safetensors)", path=folder,
                     hint="pass --model PATH to a complete model folder, or download it again")


# --------------------------------------------------------------------------- local folders


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {path.name}: {exc}", path=path) from None
    return data if isinstance(data, dict) else {}


def _lang_of(code: str | None) -> str | None:
    if not code:
        return None
    code = code.lower().replace("_", "-")
    if code in ("ru", "rus") or code.startswith("rus-"):
        return "ru"
    if code in ("zh", "zho", "cmn", "chi") or code.startswith(("zh-", "zho-", "cmn-")):
        return "zh-hant" if "hant" in code or code in ("zh-tw", "zh-hk") else "zh"
    return None


def _is_nllb(folder: Path) -> bool:
    tok_cfg = _read_json(folder / "tokenizer_config.json")
    if str(tok_cfg.get("tokenizer_class", "")).startswith("Nllb"):
        return True
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        p = folder / name
        if p.is_file() and "rus_Cyrl" in p.read_text(encoding="utf-8", errors="replace"):
            return True
    p = folder / "tokenizer.json"
    if p.is_file():
        with p.open("r", encoding="utf-8", errors="replace") as fh:
            return "rus_Cyrl" in fh.read(2_000_000)
    return False


def _marian_spec(folder: Path, name: str) -> tuple[tuple[str, ...], dict[str, str]]:
    tok_cfg = _read_json(folder / "tokenizer_config.json")
    src, tgt = _lang_of(tok_cfg.get("source_lang")), _lang_of(tok_cfg.get("target_lang"))
    if not (src and tgt):
        m = re.search(r"(?:^|[-_])([a-z]{2,3})[-_]([a-z]{2,3})$", name.lower())
        if m:
            src, tgt = _lang_of(m.group(1)), _lang_of(m.group(2))
    if not (src and tgt) or _base(src) == _base(tgt):
        raise ModelError("cannot tell which direction this Marian model translates", path=folder,
                         hint="put \"source_lang\": \"ru\", \"target_lang\": \"zh\" in its tokenizer_config.json")
    codes: dict[str, str] = {}
    vocab = folder / "vocab.json"
    if vocab.is_file():
        tokens = {t for t in _read_json(vocab) if t.startswith(">>") and t.endswith("<<")}
        wanted = {"zh": (">>cmn_Hans<<", ">>zho_Hans<<", ">>cmn<<", ">>zho<<"),
                  "zh-hant": (">>cmn_Hant<<", ">>zho_Hant<<"), "ru": (">>rus<<",)}
        for lang, candidates in wanted.items():
            hit = next((c for c in candidates if c in tokens), None)
            if hit:
                codes[lang] = hit
    directions = [f"{src}-{tgt}"]
    if tgt == "zh" and "zh-hant" in codes:
        directions.append(f"{src}-zh-hant")
    return tuple(directions), codes


def _spec_from_folder(folder: Path, *, name: str | None = None, hub_id: str | None = None,
                      source: str = "folder") -> ModelSpec:
    """Infer a spec from a model folder's config.json (model_type) and tokenizer files."""
    config = folder / "config.json"
    if not config.is_file():
        raise ModelError("not a model folder (no config.json)", path=folder,
                         hint="pass --model PATH to a folder saved with save_pretrained")
    model_type = str(_read_json(config).get("model_type", ""))
    name = name or folder.name
    common: dict[str, Any] = dict(name=name, hub_id=hub_id, path=folder, source=source,
                  warning="licence unknown: check the model's terms before commercial use")
    if model_type in ("t5", "mt5"):
        return ModelSpec(architecture="t5", directions=("ru-zh", "zh-ru"), target_by="prefix",
                         codes=dict(T5_PREFIXES), **common)
    if model_type == "m2m_100":
        if _is_nllb(folder):
            return ModelSpec(architecture="nllb", directions=("ru-zh", "zh-ru", "ru-zh-hant", "zh-hant-ru"),
                             target_by="forced_bos", codes=dict(NLLB_CODES), **common)
        return ModelSpec(architecture="m2m100", directions=("ru-zh", "zh-ru"), target_by="forced_bos",
                         codes=dict(M2M100_CODES), **common)
    if model_type == "marian":
        directions, codes = _marian_spec(folder, name)
        return ModelSpec(architecture="marian", directions=directions, target_by="fixed", codes=codes, **common)
    if model_type in _DECODER_TYPES:
        architecture, prompt = _DECODER_TYPES[model_type]
        return ModelSpec(architecture=architecture, target_by="prompt", prompt=prompt, beams=1,
                         directions=("ru-zh", "zh-ru", "ru-zh-hant", "zh-hant-ru"), **common)
    raise ModelError(f"unsupported model type {model_type or 'unknown'!r}", path=folder,
                     hint="supported: t5, m2m_100 (M2M100 and NLLB), marian, and the translation LLMs "
                          "qwen3, mistral (Seed-X), gemma3 (TranslateGemma), hunyuan_v1_dense (Hy-MT)")


#: config.json model_type of a decoder-only model -> (architecture, the prompt format its family uses).
_DECODER_TYPES = {"qwen3": ("qwen3", "qwen3"), "mistral": ("mistral", "seed-x"), "gemma3": ("gemma3", "translategemma"),
                  "gemma3_text": ("gemma3", "translategemma"), "hunyuan_v1_dense": ("hunyuan", "hy-mt")}


def _catalogued_cache_folder(folder: Path) -> ModelSpec | None:
    """A catalog entry when ``folder`` is a snapshot of a catalogued model in a Hub cache."""
    parts = folder.resolve().parts
    if len(parts) >= 3 and parts[-2] == "snapshots" and parts[-3].startswith("models--"):
        hub_id = parts[-3][len("models--"):].replace("--", "/", 1)
        return _lookup(hub_id)
    return None


# --------------------------------------------------------------------------- resolution


def resolve_model(ref: str | Path | None, source: str | None, target: str | None, *, offline: bool | None = None,
                  revision: str | None = None, allow_pickle: bool | None = None) -> ModelSpec:
    """A ModelSpec whose ``path`` is a local folder with config.json, tokenizer and weights.

    ``ref``: None (the catalog default for ``source``-``target``), a catalog
    name, a local folder, or a Hub id (catalogued or not). ``offline`` None
    reads ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE``. ``revision``
    overrides the catalog's. ``allow_pickle``: None leaves the weights check
    to the backend; True/False checks here (False also refuses, before any
    download, a Hub revision that publishes only pickles).
    Raises ModelError (one line) when the model is unknown, missing, or
    does not translate ``source``-``target``.
    """
    offline = is_offline() if offline is None else offline
    spec: ModelSpec | None
    if ref is None:
        if source is None or target is None:
            raise ModelError("no model named and no direction to pick a default for",
                             hint="pass --model NAME (subtrans models list)")
        spec = default_model(source, target)
    else:
        text = str(ref)
        spec = _lookup(text) if isinstance(ref, str) else None
        if spec is None:
            folder = Path(text).expanduser()
            if folder.is_dir():
                cached = _catalogued_cache_folder(folder)
                spec = dataclasses.replace(cached, path=folder) if cached else _spec_from_folder(folder)
                _check_direction(spec, source, target)
                if allow_pickle is not None:
                    check_weights(folder, allow_pickle)
                return spec
            if not isinstance(ref, str) or not _HUB_ID.match(text):
                raise ModelError(f"unknown model {text!r}: not catalogued, not a folder, not a Hub id", text=text,
                                 hint="catalogued: " + ", ".join(s.name for s in _catalog())
                                 + "; or a Hub id (org/name); or --model PATH to a local folder")
            rev = revision or "main"
            path = _fetch(text, rev, label=text, offline=offline, allow_pickle=allow_pickle)
            spec = _spec_from_folder(path, name=text, hub_id=text, source="hub")
            spec = dataclasses.replace(spec, revision=rev)
            _check_direction(spec, source, target)
            if allow_pickle is not None:
                check_weights(path, allow_pickle)
            return spec
    _check_direction(spec, source, target)
    rev = revision or spec.revision or "main"
    assert spec.hub_id is not None  # (a catalog entry: hub_id is a required key of its file)
    path = _fetch(spec.hub_id, rev, label=spec.name, offline=offline, allow_pickle=allow_pickle)
    if allow_pickle is not None:
        check_weights(path, allow_pickle)
    return dataclasses.replace(spec, path=path, revision=rev)


def download_model(name_or_id: str, revision: str | None = None) -> Path:
    """Fetch a catalogued model (or any Hub id) into the Hugging Face cache; return its snapshot folder.

    For ``subtrans models download`` on a connected machine. Fetches config,
    tokenizer and safetensors files (``pytorch_model*.bin`` only where the
    revision has no safetensors).
    """
    spec = _lookup(name_or_id)
    if spec is None and not _HUB_ID.match(name_or_id):
        get_model(name_or_id)  # raises the "unknown model" error with the catalog listed
    hub_id = spec.hub_id if spec else name_or_id
    assert hub_id is not None  # (a catalog entry: hub_id is a required key of its file)
    label = spec.name if spec else name_or_id
    rev = revision or (spec.revision if spec else None) or "main"
    if is_offline():
        raise ModelError(f"cannot download {hub_id}: offline mode is on (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE)",
                         text=label, hint="unset HF_HUB_OFFLINE on a connected machine")
    return _fetch(hub_id, rev, label=label, offline=False, allow_pickle=None, downloading=True)


# --------------------------------------------------------------------------- description


def _local_state(spec: ModelSpec) -> str:
    if spec.path is not None:
        return f"local folder {spec.path}"
    if not spec.hub_id:
        return "no"
    cache = hub_cache_dir()
    try:
        found = _cached_snapshot(spec.hub_id, spec.revision or "main", cache)
    except Exception:  # noqa: BLE001 - a description never fails on the cache
        found = None
    if found is None:
        return f"no (looked in {cache}; subtrans models download {spec.name})"
    try:
        kind = check_weights(found, allow_pickle=True)
    except ModelError:
        return f"incomplete: {found}"
    return f"yes: {found}" + (" (pickle weights: needs --allow-pickle)" if kind == "pickle" else "")


def _target_text(spec: ModelSpec) -> str:
    codes = ", ".join(f"{lang} {code!r}" for lang, code in spec.codes.items())
    if spec.target_by == "prefix":
        return f"text prefix: {codes}"
    if spec.target_by == "forced_bos":
        return f"tokenizer.src_lang and forced BOS language token: {codes}"
    if spec.target_by == "prompt":
        return f"the {spec.prompt} prompt (a translation LLM; see subtrans.mt.prompts)"
    return "fixed direction" + (f"; target token {codes}" if codes else "")


def machine_memory_gb() -> float | None:
    """This machine's physical memory in GiB (None where the system does not say)."""
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    except (ValueError, OSError, AttributeError):
        return None


def memory_fit(spec: ModelSpec) -> str:
    """Whether ``spec``'s memory (``"7.5 GB"``, what it needs on CPU) fits this machine, in words."""
    need = re.match(r"\s*([\d.]+)\s*GB", spec.memory or "")
    have = machine_memory_gb()
    if not need or have is None:
        return "unknown here"
    if float(need.group(1)) <= have * 0.8:
        return f"fits this machine's {have:.0f} GB"
    return f"more than this machine's {have:.0f} GB allows on CPU"


def describe(spec: ModelSpec) -> list[tuple[str, str]]:
    """(label, value) pairs for ``subtrans models info``."""
    rows = [
        ("name", spec.name),
        ("hub id", spec.hub_id or "-"),
        ("architecture", spec.architecture),
        ("directions", ", ".join(spec.directions)),
        ("default for", ", ".join(spec.default_for) or "-"),
        ("target language", _target_text(spec)),
        ("licence", spec.licence + (f" ({spec.licence_url})" if spec.licence_url else "")),
        ("commercial use", "allowed" if spec.commercial else "NOT allowed: the licence forbids commercial use"),
        ("warning", spec.warning or "-"),
        ("beams", str(spec.beams)),
        ("max length", f"{spec.max_length} tokens"),
        ("size", ", ".join(x for x in (f"{spec.parameters} parameters" if spec.parameters else "", spec.size) if x)
         or "-"),
        ("weights", spec.weights),
        ("memory", (spec.memory + f" ({memory_fit(spec)})") if spec.memory else "-"),
        ("context", f"{spec.context} previous cues with each sentence" if spec.context else "-"),
        ("practical on", spec.device_hint or "-"),
        ("revision", spec.revision or "main"),
        ("url", spec.url or "-"),
        ("description", spec.description or "-"),
        ("in local cache", _local_state(spec)),
    ]
    return rows


def folder_revision(path: str | Path) -> str:
    """A stable id for the weights in ``path``: the Hub commit of a cache snapshot, else a short hash
    of config.json plus the weight files' names and sizes."""
    folder = Path(path)
    if folder.parent.name == "snapshots" and _COMMIT.match(folder.name):
        return folder.name
    h = hashlib.sha256()
    config = folder / "config.json"
    if config.is_file():
        h.update(config.read_bytes())
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.name.endswith((".safetensors",) + PICKLE_SUFFIXES):
            h.update(f"{p.name}:{p.stat().st_size}\n".encode())
    return h.hexdigest()[:12]
