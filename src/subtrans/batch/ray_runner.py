"""Catalogue runs on Ray: files read in tasks, translated in an actor pool, checked in tasks.

:func:`run_batch_translate`, for each input file:

1. a **read task** parses it (or, on a rerun, finds its output complete and
   newer than the input, the glossaries and the configuration, and skips it);
   a file that cannot be read fails here, alone, and is not retried (the same
   bytes fail the same way);
2. a **translation actor** (one :class:`~subtrans.pipeline.translator.Translator`,
   so one model load per actor; ``num_gpus`` per actor when the cluster has
   GPUs) takes the parsed track, splits it into sentence units, translates
   them in batches of ``batch_size``, puts the text back on the cues, fits
   it to the screen and writes the output atomically
   (:func:`~subtrans.pipeline.files.translate_file`);
3. a **check task** checks the output with the target's profile and against
   its source (:func:`~subtrans.pipeline.files.check_translation`).

The driver (this process) only plans, hands tracks to idle actors and
collects small results; tracks travel through Ray's object store. Outputs are
the same bytes ``subtrans translate`` writes: its own per-file functions
translate, lay out, fit, save and check.

Faults: a task whose worker dies is retried by Ray (``max_retries``); an actor
that dies is restarted (``max_restarts=-1``) and the file it was translating goes
back to the queue once, its record saying so; a file that still fails is listed
with the reason and the rest go on. An error subtrans raises on purpose (an
unreadable file, a source language it cannot tell) is deterministic and is
not retried. A model that cannot be loaded stops the run, as it does
``subtrans translate``: no other file would fare better.

:func:`run_batch_check` runs ``subtrans check`` on every file, one task each.

Ray is imported inside these functions, never at module import.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from .._install import install_hint
from ..errors import ConfigError, ModelError, SubtransError, WriteError
from ..pipeline.fitting import DEFAULT_CANDIDATES, DEFAULT_MARGIN
from .plan import collect_inputs, newest_mtime_ns, output_is_current
from .summary import BatchResult, FileRecord, Progress

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary
    from ..model import Track
    from ..pipeline.assembly import BilingualLayout
    from ..qa import Finding, Settings
    from ..reports import FileReport, Report

__all__ = ["run_batch_translate", "run_batch_check", "connect", "TranslatorActor", "read_track", "check_file"]

ACTOR_TASK_RETRIES = 1     # a file whose actor died is translated once more (by the driver, which says so)
TASK_RETRIES = 2           # a read or check task whose worker died


def _ray() -> ModuleType:
    try:
        import ray
    except ImportError:
        raise ConfigError("subtrans batch runs on Ray, which is not installed",
                          hint=install_hint("scale")) from None
    return ray


def connect(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Join the Ray cluster at ``address`` (else ``$RAY_ADDRESS``), or start a local one.

    Returns True when this call started Ray or connected to it (the caller
    then shuts it down); False when Ray was already initialised in this process.
    """
    ray = _ray()
    if ray.is_initialized():
        return False
    import logging

    options = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address or os.environ.get("RAY_ADDRESS"):
        if num_cpus is not None:
            raise ConfigError("--num-cpus is for a local Ray only; a cluster's size is its own",
                              hint="drop --num-cpus, or --ray-address / RAY_ADDRESS")
        where = address or os.environ["RAY_ADDRESS"]
        _reachable(where)
        try:
            ray.init(address=address, **options)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise ConfigError(f"cannot connect to the Ray cluster at {where}: {_first_line(exc)}", text=where,
                              hint="check the address (ray status on the head node shows it)") from None
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, **options)
    return True


#: How long to wait for a Ray cluster's address to answer before giving up (SUBTRANS_RAY_TIMEOUT, seconds).
RAY_TIMEOUT_S = 10.0
#: How long a translation actor may stay unavailable (its node lost, Ray restarting it elsewhere, perhaps on a
#: node that has yet to join) before the run gives it up (SUBTRANS_ACTOR_RESTART_TIMEOUT, seconds).
ACTOR_RESTART_TIMEOUT_S = 600.0
ACTOR_PING_INTERVAL_S = 0.5


def _seconds(variable: str, default: float) -> float:
    try:
        value = float(os.environ.get(variable, default))
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ConfigError(f"{variable} must be a number of seconds", text=os.environ.get(variable))
    return value


def _reachable(where: str) -> None:
    """Refuse, within ``SUBTRANS_RAY_TIMEOUT`` seconds (default 10), an address nothing answers at: Ray itself
    retries for minutes. ``auto`` reads the address file the last ``ray start`` left (it may be stale)."""
    import socket

    timeout = _seconds("SUBTRANS_RAY_TIMEOUT", RAY_TIMEOUT_S)
    target = where
    if where == "auto":
        stamp = Path(os.environ.get("RAY_TMPDIR", "/tmp")) / "ray" / "ray_current_cluster"
        try:
            target = stamp.read_text(encoding="utf-8").strip()
        except OSError:
            raise ConfigError("cannot find a running Ray cluster on this machine (no address file)", text=where,
                              hint="start one with ray start --head, or give --ray-address HOST:PORT") from None
    host_port = target.split("://", 1)[-1].rsplit("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    if not host or not port.isdigit():
        return   # a form this check does not know: leave it to Ray
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        stale = f" (the address file of an earlier cluster says {target})" if where == "auto" else ""
        raise ConfigError(f"no Ray cluster answers at {target} within {timeout:g} s{stale}: "
                          f"{exc.strerror or type(exc).__name__}", text=where,
                          hint="check the address (ray status on the head node shows it), or drop --ray-address "
                               "to run on this machine; SUBTRANS_RAY_TIMEOUT sets the wait") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# -- worker side: plain functions and a plain class, made remote by the driver -------------

def read_track(path: Path, output: Path, *, encoding: str | None, lenient: bool, depends_ns: int,
               resume: bool) -> tuple[dict[str, Any], Track | None]:
    """A read task: ``(meta, track)``; ``meta["status"]`` is ``ok``, ``skip`` (output up to date) or ``error``."""
    from ..formats import load

    try:
        track = load(path, encoding=encoding, lenient=lenient)
    except SubtransError as exc:
        return {"status": "error", "error": exc.with_path(path)}, None
    except Exception as exc:  # a bug must not stop the catalogue: the file is listed with it
        return {"status": "error", "error": SubtransError(f"internal error: {type(exc).__name__}: {exc}",
                                                          path=path)}, None
    if resume and output_is_current(path, output, len(track), depends_ns):
        return {"status": "skip", "cues": len(track)}, None
    return {"status": "ok", "cues": len(track)}, track


class TranslatorActor:
    """One model, loaded once, translating whole tracks: ``subtrans translate``'s per-file work
    (:func:`~subtrans.pipeline.files.translate_file`).

    ``options`` are :class:`~subtrans.pipeline.translator.Translator` keyword
    arguments; ``glossary`` a loaded :class:`~subtrans.glossary.Glossary`
    (read once by the driver) or None.
    """

    def __init__(self, model: str | Path | None, options: dict[str, Any], glossary: Glossary | None = None) -> None:
        from ..pipeline.translator import Translator

        self.translator = Translator(model, glossaries=glossary or (), **options)

    def translate(self, track: Track, output: Path, *, to: str, source: str | None, bilingual: bool | BilingualLayout,
                  settings: Settings, keep_other_lines: bool = False) -> dict[str, Any]:
        """Translate ``track``, write ``output`` atomically; the Translation, without its tracks
        (but the translation lines of a bilingual file, which its check needs)."""
        from ..pipeline.files import translate_file

        try:
            tr = translate_file(self.translator, track, output, to=to, settings=settings, source=source,
                                bilingual=bilingual, keep_other_lines=keep_other_lines)
        except ModelError as exc:
            return {"status": "fatal", "error": exc}
        except SubtransError as exc:
            return {"status": "error", "error": exc.with_path(track.path) if track.path else exc}
        except Exception as exc:  # a bug in one file must not take the actor's other files with it
            return {"status": "error", "error": SubtransError(f"internal error: {type(exc).__name__}: {exc}",
                                                              path=track.path)}
        # The track stays here: the driver and check_translation never read a sent Translation's track
        # (typed Track for every other caller, hence the cast of this None).
        return {"status": "ok",
                "translation": replace(tr, track=cast("Track", None),
                                       translation_only=tr.translation_only if bilingual else None)}

    def ping(self) -> bool:
        return True

    def close(self) -> list[str]:
        """Close the translation memory; what it did on the user's behalf (a damaged file moved aside)."""
        warnings = self.translator.cache_warnings
        self.translator.close()
        return warnings


def check_file(path: Path, options: dict[str, Any]) -> FileReport:
    """A check task of ``subtrans batch check``: one file's :class:`~subtrans.reports.FileReport`."""
    from ..checking import run_check

    return run_check([path], **options).files[0]


# -- the driver ----------------------------------------------------------------------------

def _plan_actors(ray: ModuleType, actors: int | None, cpus_per_actor: float,
                 gpus_per_actor: float | None) -> tuple[int, float, float, dict[str, float]]:
    """How many actors, each with how many CPUs and GPUs, on this cluster."""
    cluster = {k: v for k, v in ray.cluster_resources().items() if k in ("CPU", "GPU", "memory", "object_store_memory")}
    cpus, gpus = cluster.get("CPU", 0.0), cluster.get("GPU", 0.0)
    if gpus_per_actor is None:
        gpus_per_actor = 1.0 if gpus >= 1 else 0.0
    if actors is None:
        if gpus_per_actor > 0:
            actors = max(1, int(gpus // gpus_per_actor))
        else:
            actors = max(1, int((cpus - 1) // cpus_per_actor))
    if gpus_per_actor > 0 and actors * gpus_per_actor > gpus:
        raise ConfigError(f"{actors} actors x {gpus_per_actor:g} GPU need {actors * gpus_per_actor:g} GPUs; "
                          f"the cluster has {gpus:g}", hint="lower --actors or --gpus-per-actor (0: CPU only)")
    if actors * cpus_per_actor > cpus - 1:
        raise ConfigError(f"{actors} actors x {cpus_per_actor:g} CPU leave no CPU for the read and check tasks "
                          f"(the cluster has {cpus:g})",
                          hint="lower --actors or --cpus-per-actor, or give Ray more CPUs (--num-cpus)")
    return actors, cpus_per_actor, gpus_per_actor, cluster


def _translator_cache(cache: bool | str | Path) -> bool | str:
    """Where the actors keep the translation memory: the driver's $SUBTRANS_CACHE_DIR when set,
    else each node's default (True), or none (False), or the path given."""
    if cache is True and os.environ.get("SUBTRANS_CACHE_DIR"):
        from ..mt.cache import CACHE_FILE, default_cache_dir

        return str(default_cache_dir().resolve() / CACHE_FILE)
    return str(Path(cache).resolve()) if isinstance(cache, (str, Path)) else cache


def run_batch_translate(source: str | Path, *, to: str, output_dir: str | Path, model: str | Path | None = None,
                        source_language: str | None = None, glossaries: Sequence[str | Path] = (),
                        backend: str = "auto", device: str | None = None, beams: int | None = None,
                        batch_size: int = 16, max_length: int | None = None, cache: bool | str | Path = True,
                        bilingual: bool | BilingualLayout = False,
                        keep_other_lines: bool = False,
                        profile: str | None = None, encoding: str | None = None, lenient: bool = False,
                        allow_pickle: bool = False, offline: bool | None = None, revision: str | None = None,
                        fit: bool = True, retime: bool = False, fit_margin: float = DEFAULT_MARGIN,
                        fit_candidates: int = DEFAULT_CANDIDATES, names: bool = True, context: int | None = None,
                        other_lines_as_context: bool = False, ignore_styles: tuple[str, ...] | None = None,
                        actors: int | None = None,
                        cpus_per_actor: float = 1, gpus_per_actor: float | None = None,
                        force: bool = False, ray_address: str | None = None, num_cpus: int | None = None,
                        reserved: Iterable[str | Path] = (),
                        progress: Callable[[Progress], None] | None = None) -> BatchResult:
    """Translate every subtitle file of ``source`` (a folder or a list file) into ``output_dir``.

    Options are those of ``subtrans translate`` (the outputs are the same
    bytes; ``fit``, ``retime``, ``fit_margin`` and ``fit_candidates`` as for
    :class:`~subtrans.pipeline.translator.Translator`) plus the pool's: ``actors``
    (default: one per GPU, else one per CPU but one), ``cpus_per_actor``,
    ``gpus_per_actor`` (default 1 when the cluster has GPUs, else 0), ``force`` (translate files whose output is up
    to date, too), ``ray_address`` / ``num_cpus`` (see :func:`connect`).
    ``reserved`` are paths the caller will write (the summary): they may not
    be an input or an output. ``progress(Progress)`` is called after each file.
    """
    from ..config import find_config
    from ..mt.catalog import is_offline
    from ..textio import normalize_encoding
    from ..pipeline.files import plan_outputs, translation_settings
    from ..pipeline.languages import normalize_language
    from ..pipeline.translator import Translator

    # Everything a usage error can come from is looked at before Ray starts.
    target = normalize_language(to)
    if source_language:
        normalize_language(source_language)
    if encoding:
        normalize_encoding(encoding)
    if cpus_per_actor <= 0 or (gpus_per_actor is not None and gpus_per_actor < 0) or (actors is not None and actors < 1):
        raise ConfigError("--actors must be at least 1, --cpus-per-actor above 0, --gpus-per-actor at least 0")
    settings = translation_settings(target, profile)   # the layout's, the fitting's and the QA's, as run_translate's
    files, relative = collect_inputs(source, target)
    outs = plan_outputs(files, target, None, Path(output_dir), names=relative, overwrite=True)
    taken = {p.resolve() for p in files} | {o.resolve() for o in outs}
    for r in reserved:
        if Path(r).resolve() in taken:
            raise WriteError("the summary would overwrite an input or an output", path=r,
                             hint="give --summary another file name")
    options: dict[str, Any] = dict(backend=backend, device=device, beams=beams, batch_size=batch_size, max_length=max_length,
                   cache=_translator_cache(cache), allow_pickle=allow_pickle,
                   offline=True if offline or is_offline() else None, revision=revision, fit=fit, retime=retime,
                   fit_margin=fit_margin, fit_candidates=fit_candidates, names=names, context=context,
                   other_lines_as_context=other_lines_as_context, ignore_styles=ignore_styles)
    # Built here once: checks the options and reads the glossaries (their warnings are the caller's to show).
    driver_translator = Translator(model, glossaries=glossaries, **options)
    glossary = driver_translator.glossary
    config = find_config()
    depends_ns = newest_mtime_ns([*glossaries, *([config] if config else [])])
    job = {"to": target, "source": source_language, "bilingual": bilingual, "keep_other_lines": keep_other_lines}

    records = [FileRecord(path=str(f), output=str(o)) for f, o in zip(files, outs)]
    result = BatchResult(files=records, target=target, batch_size=batch_size,
                         warnings=list(glossary.warnings) if glossary is not None else [])
    started = connect(ray_address, num_cpus)
    ray = _ray()
    begin = time.monotonic()
    run = None
    try:
        n_actors, result.cpus_per_actor, result.gpus_per_actor, result.cluster = _plan_actors(
            ray, actors, cpus_per_actor, gpus_per_actor)
        if result.gpus_per_actor == 0 and options["device"] is None:
            options["device"] = "cpu"   # a CPU-only actor on a GPU node stays off the GPU
        run = _TranslateRun(ray, result, files, outs, n_actors=n_actors, model=model, options=options,
                            glossary=glossary, settings=settings, job=job, encoding=encoding,
                            lenient=lenient, depends_ns=depends_ns, resume=not force, progress=progress)
        run.run()
    finally:
        if run is not None:
            run.stop()
        if started:
            ray.shutdown()
    result.wall_s = time.monotonic() - begin
    return result


class _TranslateRun:
    """The driver's side of a batch translation: hands out the work, and files each result.

    A file goes read -> (skipped | waiting for an actor) -> translated -> checked, or to failed at
    any step. At most ``read_limit`` reads are in flight and ``queue_limit`` parsed tracks wait, so
    the object store holds a few tracks, not the catalogue.
    """

    def __init__(self, ray: ModuleType, result: BatchResult, files: list[Path], outs: list[Path], *, n_actors: int,
                 model: str | Path | None, options: dict[str, Any], glossary: Glossary | None, settings: Settings,
                 job: dict[str, Any], encoding: str | None, lenient: bool, depends_ns: int, resume: bool,
                 progress: Callable[[Progress], None] | None) -> None:
        from ..pipeline.files import check_translation

        self.ray, self.result, self.records = ray, result, result.files
        self.files = [f.resolve() for f in files]    # workers may run in another folder
        self.outs = [o.resolve() for o in outs]
        self.n_actors, self.model, self.options, self.glossary = n_actors, model, options, glossary
        self.progress = progress
        self.read_options = {"encoding": encoding, "lenient": lenient, "depends_ns": depends_ns, "resume": resume}
        self.read = ray.remote(read_track).options(num_returns=2, max_retries=TASK_RETRIES)
        self.check = ray.remote(check_translation).options(max_retries=TASK_RETRIES)
        self.actor_cls = ray.remote(TranslatorActor).options(
            num_cpus=result.cpus_per_actor, num_gpus=result.gpus_per_actor,
            max_restarts=-1, max_task_retries=0)   # the driver retries the file itself, and reports it
        self.glossary_ref, self.settings_ref = ray.put(glossary), ray.put(settings)
        self.job = {**job, "settings": self.settings_ref}
        self.todo = deque(range(len(files)))
        # Ray's object refs and actor handles: Any
        self.waiting: deque[tuple[int, Any]] = deque()    # (index, track ref): read, waiting for an actor
        self.inflight: dict[Any, tuple[str, int, Any]] = {}   # object ref -> (stage, index, extra)
        self.pool: list[Any] = []             # live actors
        self.idle: list[Any] = []
        self.reads = 0
        self.read_limit = max(4, 2 * int(result.cluster.get("CPU", 1)))
        self.queue_limit = 2 * n_actors + 2
        self.start = time.monotonic()
        self.finished = self.failed = self.skipped = self.units = 0
        self.retried: dict[int, str] = {}   # file -> why it was translated again
        self.restart_timeout = _seconds("SUBTRANS_ACTOR_RESTART_TIMEOUT", ACTOR_RESTART_TIMEOUT_S)
        self.unavailable: dict[Any, tuple[float, float]] = {}   # actor -> (since, next ping): Ray is restarting it

    def run(self) -> None:
        ray = self.ray
        while self.todo or self.waiting or self.inflight:
            self._submit_reads()
            self._hand_out()
            timeout = self._ping_unavailable()
            if not self.inflight:
                time.sleep(timeout or 0)
                continue
            ready, _ = ray.wait(list(self.inflight), num_returns=1, timeout=timeout)
            for ref in ready:
                stage, i, extra = self.inflight.pop(ref)
                try:
                    value = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    value = exc
                getattr(self, f"_on_{stage}")(i, value, extra)
        for actor in self.pool:
            if actor in self.unavailable:
                continue                          # still being restarted: it has done nothing since
            try:
                warnings = ray.get(actor.close.remote())
            except ray.exceptions.RayError:
                continue
            self.result.warnings.extend(w for w in warnings if w not in self.result.warnings)

    def stop(self) -> None:
        for actor in self.pool:
            self.ray.kill(actor)

    def _submit_reads(self) -> None:
        while self.todo and self.reads < self.read_limit and len(self.waiting) < self.queue_limit:
            i = self.todo.popleft()
            meta_ref, track_ref = self.read.remote(self.files[i], self.outs[i], **self.read_options)
            self.inflight[meta_ref] = ("read", i, track_ref)
            self.reads += 1

    def _hand_out(self) -> None:
        if self.waiting and not self.pool:
            if self.result.actors:   # every actor is gone for good: what is left cannot be translated
                while self.waiting:
                    self._finish(self.waiting.popleft()[0], "failed", "translate",
                                 SubtransError("no translation actor left (each one died)"))
                return
            # Started on the first file that needs one: a rerun with nothing to do loads no model.
            # The glossary goes by value: a restarted actor must not depend on an object in the store.
            self.pool = [self.actor_cls.remote(self.model, self.options, self.glossary)
                         for _ in range(self.n_actors)]
            self.idle = list(self.pool)
            self.result.actors = self.n_actors
        while self.waiting and self.idle:
            i, track_ref = self.waiting.popleft()
            actor = self.idle.pop()
            ref = actor.translate.remote(track_ref, self.outs[i], **self.job)
            self.inflight[ref] = ("translate", i, (actor, track_ref))

    def _on_read(self, i: int, value: dict[str, Any] | BaseException, track_ref: Any) -> None:
        self.reads -= 1
        if isinstance(value, BaseException):
            self._finish(i, "failed", "read", SubtransError(f"the read task failed: {_first_line(value)}",
                                                            path=self.records[i].path))
        elif value["status"] == "error":
            self._finish(i, "failed", "read", value["error"])
        else:
            self.records[i].cues = value["cues"]
            if value["status"] == "skip":
                self._finish(i, "skipped")
            else:
                self.waiting.append((i, track_ref))

    def _on_translate(self, i: int, value: dict[str, Any] | BaseException, extra: tuple[Any, Any]) -> None:
        actor, track_ref = extra
        if isinstance(value, BaseException):
            # The actor died (its worker was killed, its node lost): Ray restarts it; ask before giving it
            # more work. The file goes back to the queue once, and its record says so.
            self.inflight[actor.ping.remote()] = ("alive", i, actor)
            tries = 1 + (i in self.retried)
            if tries <= ACTOR_TASK_RETRIES:
                self.retried[i] = f"translated again: its translation worker died ({_first_line(value)})"
                self.waiting.appendleft((i, track_ref))
                return
            self._finish(i, "failed", "translate", SubtransError(
                f"the translation actor died (tried {tries} times): {_first_line(value)}",
                path=self.records[i].path))
            return
        self.idle.append(actor)
        if value["status"] == "fatal":
            raise value["error"]     # the model cannot be loaded: no other file would fare better
        if value["status"] == "error":
            self._finish(i, "failed", "translate", value["error"])
            return
        t, rec = value["translation"], self.records[i]
        rec.units, rec.sent_to_model, rec.from_cache = t.units, t.translated, t.cached
        rec.split_per_cue, rec.warnings, rec.terms, rec.signature = t.split_per_cue, t.warnings, t.terms, t.signature
        if i in self.retried:
            rec.warnings = [self.retried[i], *rec.warnings]
        rec.fit = t.fit
        self.result.signature = self.result.signature or t.signature
        ref = self.check.remote(self.outs[i], track_ref, t, self.settings_ref, bilingual=self.job["bilingual"],
                                glossary=self.glossary_ref)
        self.inflight[ref] = ("check", i, None)

    def _on_alive(self, i: int, value: bool | BaseException, actor: Any) -> None:
        if isinstance(value, self.ray.exceptions.ActorUnavailableError):
            # Being restarted (its node lost, a new one perhaps yet to join): ask again, for a while.
            since = self.unavailable.get(actor, (time.monotonic(), 0.0))[0]
            if time.monotonic() - since < self.restart_timeout:
                self.unavailable[actor] = (since, time.monotonic() + ACTOR_PING_INTERVAL_S)
                return
            self.unavailable.pop(actor, None)
            self.pool.remove(actor)
        elif isinstance(value, BaseException):
            self.unavailable.pop(actor, None)
            self.pool.remove(actor)    # dead for good (it cannot be created again): its files go to the others
        else:
            self.unavailable.pop(actor, None)
            self.idle.append(actor)    # restarted: back to work

    def _ping_unavailable(self) -> float | None:
        """Ask the actors being restarted whose time has come; seconds until the next one's (None: none)."""
        now, soonest = time.monotonic(), None
        for actor, (since, at) in list(self.unavailable.items()):
            if at == 0.0:
                continue                       # its ping is in flight
            if at <= now:
                self.unavailable[actor] = (since, 0.0)
                self.inflight[actor.ping.remote()] = ("alive", -1, actor)
            else:
                soonest = min(soonest or at - now, at - now)
        return soonest

    def _on_check(self, i: int, value: list[Finding] | BaseException, extra: None) -> None:
        if isinstance(value, BaseException):
            self._finish(i, "failed", "check", SubtransError(f"the check task failed: {_first_line(value)}",
                                                             path=self.records[i].output))
        else:
            self.records[i].findings = value
            self._finish(i, "translated")

    def _finish(self, i: int, status: str, stage: str | None = None, error: SubtransError | None = None) -> None:
        rec = self.records[i]
        if error is not None:   # the paths as the user gave them, not as resolved for the workers
            if error.path == str(self.files[i]):
                error.path = rec.path
            elif error.path == str(self.outs[i]):
                error.path = rec.output
        rec.status, rec.stage, rec.error = status, stage, error
        self.finished += 1
        self.failed += status == "failed"
        self.skipped += status == "skipped"
        self.units += rec.units if status == "translated" else 0
        if self.progress is not None:
            self.progress(Progress(self.finished, len(self.records), self.failed, self.skipped, self.units,
                                   time.monotonic() - self.start))


def run_batch_check(source: str | Path, *, profile: str | None = None, fps: float | None = None,
                    lenient: bool = False, fail_on: str | None = None, encoding: str | None = None,
                    input_format: str | None = None, ignored: Iterable[str] = (),
                    config_path: str | Path | None = None, glossaries: Iterable[str | Path] = (),
                    ray_address: str | None = None, num_cpus: int | None = None,
                    progress: Callable[[Progress], None] | None = None) -> Report:
    """``subtrans check`` on every subtitle file of ``source`` (a folder or a list file), one Ray task
    per file; the :class:`~subtrans.reports.Report` of them all, in input order."""
    from ..checking import build_settings, run_check, signature
    from ..config import find_config
    from ..reports import Report

    config_path = Path(config_path).resolve() if config_path else find_config()
    options: dict[str, Any] = dict(profile=profile, fps=fps, lenient=lenient, fail_on=fail_on, encoding=encoding,
                   input_format=input_format, ignored=set(ignored), config_path=config_path,
                   glossaries=[Path(g).resolve() for g in glossaries])
    if isinstance(profile, str) and Path(profile).suffix == ".toml":
        options["profile"] = str(Path(profile).resolve())   # a profile file, read in the tasks
    empty = run_check([], **options)   # checks every option once, here: a usage error is one line
    settings, _ = build_settings(profile=profile, fps=fps, ignored=ignored, config_path=config_path)
    files, _ = collect_inputs(source)

    started = connect(ray_address, num_cpus)
    ray = _ray()
    start = time.monotonic()
    reports: list[FileReport | None] = [None] * len(files)
    try:
        task = ray.remote(check_file).options(max_retries=TASK_RETRIES)
        options_ref = ray.put(options)
        limit = max(4, 2 * int(ray.cluster_resources().get("CPU", 1)))
        todo = deque(range(len(files)))
        inflight: dict[Any, int] = {}   # Ray object ref -> file
        finished = failed = cues = 0
        while todo or inflight:
            while todo and len(inflight) < limit:
                i = todo.popleft()
                inflight[task.remote(files[i].resolve(), options_ref)] = i
            ready, _ = ray.wait(list(inflight), num_returns=1)
            for ref in ready:
                i = inflight.pop(ref)
                try:
                    fr = ray.get(ref)
                except ray.exceptions.RayError as exc:
                    from ..reports import FileReport

                    fr = FileReport(path=str(files[i]), error=SubtransError(
                        f"the check task failed: {_first_line(exc)}", path=files[i]))
                fr.path = str(files[i])          # as found, not as resolved for the task
                if fr.error is not None:
                    fr.error.path = str(files[i])
                reports[i] = fr
                finished += 1
                failed += fr.error is not None
                cues += fr.cues
                if progress is not None:
                    progress(Progress(finished, len(files), failed, 0, cues, time.monotonic() - start))
    finally:
        if started:
            ray.shutdown()
    done = cast("list[FileReport]", reports)   # (the loop ran until every file had its report)
    signatures = {fr.signature for fr in done if fr.signature}
    if len(signatures) == 1:
        sig = signatures.pop()
    else:
        sig = signature("per-file" if signatures else str(settings.profile or "auto"), settings.fps, "per-file")
    return Report(files=done, signature=sig, fail_on=empty.fail_on)
