"""``subtrans batch``: catalogue runs on a Ray cluster (translate, check). Parses options, calls
:mod:`subtrans.batch.ray_runner`, prints. Importing this module imports neither Ray nor torch."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..cli_options import FAIL_ON, translation_options

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline.assembly import BilingualLayout
    from .summary import Progress

_Command = TypeVar("_Command", bound=Callable[..., Any])


def _ray_options(f: _Command) -> _Command:
    f = click.option("--num-cpus", type=click.IntRange(min=2),
                     help="CPUs of the local Ray this command starts [all] (not with --ray-address).")(f)
    f = click.option("--ray-address", metavar="ADDRESS",
                     help="Ray cluster to run on (ray://HOST:10001, or HOST:6379 on a cluster node) "
                          "[$RAY_ADDRESS, else a local Ray on this machine].")(f)
    return f


@click.group("batch")
def batch() -> None:
    """Catalogue runs: every subtitle file of a folder (or list file) on a Ray cluster.

    Needs the scale extra (pip install "subtrans-ruzh[scale]"); translation also the mt extra.
    """


@batch.command("translate")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--to", "to", required=True, metavar="LANG", help="Target language: zh (zh-Hans), zh-Hant or ru.")
@click.option("--output-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the outputs; the source folder's layout is kept below it.")
@click.option("--from", "source_language", metavar="LANG", help="Source language: ru or zh [detected per file].")
@translation_options
@click.option("--device", help="Device of each actor [cuda on a GPU actor, else cpu].")
@click.option("--batch-size", type=click.IntRange(min=1), default=16, show_default=True,
              help="Sentences per batch, per actor.")
@click.option("--actors", type=click.IntRange(min=1), help="Translation actors [one per GPU, else one per CPU but one].")
@click.option("--cpus-per-actor", type=click.FloatRange(min=0, min_open=True), default=1, show_default=True)
@click.option("--gpus-per-actor", type=click.FloatRange(min=0), help="[1 when the cluster has GPUs, else 0]")
@click.option("--force", is_flag=True, help="Translate every file, even those whose output is up to date.")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Catalogue summary (JSON; an HTML page is written next to it) [OUTPUT_DIR/subtrans-batch.json].")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="never", show_default=True,
              help="Exit 1 when an output has QA findings at or above this severity.")
@_ray_options
@click.option("--quiet", "-q", is_flag=True, help="Print errors only: the exit code and the summary file say the rest.")
@click.option("--verbose", "-v", is_flag=True, help="A progress line per file on standard error, not per tenth.")
def translate(source: Path, to: str, output_dir: Path, source_language: str | None, model: str | None,
              revision: str | None, glossaries: tuple[Path, ...], backend: str, device: str | None, batch_size: int,
              beams: int | None, max_length: int | None, no_cache: bool, bilingual: bool, bilingual_style: str,
              bilingual_scale: float, source_on_top: bool,
              keep_other_lines: bool, other_lines_as_context: bool, ignore_styles: tuple[str, ...], profile: str | None,
              encoding: str | None, lenient: bool,
              allow_pickle: bool, offline: bool,
              names: bool, context: int | None, fit: bool,
              fit_margin: float, fit_candidates: int, retime: bool, actors: int | None, cpus_per_actor: float,
              gpus_per_actor: float | None, force: bool, summary_path: Path | None,
              fail_on: str, ray_address: str | None, num_cpus: int | None, quiet: bool = False,
              verbose: bool = False) -> None:
    """Translate every subtitle file under SOURCE (a folder, or a list file naming one file per line).

    Files are read in Ray tasks, translated in a pool of actors (one model load
    each, on a GPU each when the cluster has them), written atomically under
    OUTPUT_DIR as `subtrans translate` writes them, and checked in tasks. A
    file that fails is listed with the reason; the others go on. A rerun skips
    files whose output is complete and newer than the input, the glossaries and
    the configuration. Timings are kept, except with --retime. Exit codes:
    0 done, 1 findings at or above --fail-on, 2 a usage error or a file that failed.

    \b
    Examples:
      subtrans batch translate catalogue/ru --to zh --output-dir catalogue/zh
      subtrans batch translate films.txt --to zh --output-dir zh --glossary glossaries/red-silk.tsv
      subtrans batch translate /mnt/ru --to zh --output-dir /mnt/zh --ray-address HEAD:6379 --batch-size 64
    """
    from .ray_runner import run_batch_translate
    from .summary import carry_over, render_html, summary

    summary_path = summary_path or output_dir / "subtrans-batch.json"
    if summary_path.suffix.lower() in (".html", ".htm"):
        raise click.UsageError("--summary names the JSON file; the HTML page is written next to it")
    html_path = summary_path.with_suffix(".html")
    shown = _ProgressLine("sentences", quiet=quiet, verbose=verbose)
    result = run_batch_translate(
        source, to=to, output_dir=output_dir, model=model, source_language=source_language, glossaries=glossaries,
        backend=backend, device=device, beams=beams, batch_size=batch_size, max_length=max_length,
        cache=not no_cache, bilingual=_layout(bilingual, bilingual_style, bilingual_scale, source_on_top), keep_other_lines=keep_other_lines, profile=profile,
        encoding=encoding, lenient=lenient,
        allow_pickle=allow_pickle, offline=True if offline else None, revision=revision, fit=fit, retime=retime,
        fit_margin=fit_margin, fit_candidates=fit_candidates, names=names, context=context,
        other_lines_as_context=other_lines_as_context, ignore_styles=tuple(ignore_styles) or None, actors=actors,
        cpus_per_actor=cpus_per_actor, gpus_per_actor=gpus_per_actor, force=force, ray_address=ray_address,
        num_cpus=num_cpus, reserved=(summary_path, html_path), progress=shown)
    shown.done()
    import json

    from ..textio import atomic_write

    summary_path.parent.mkdir(parents=True, exist_ok=True)
    try:  # the summary this run replaces: skipped files keep the results of the run that translated them
        previous = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    doc = carry_over(summary(result), previous)
    atomic_write(summary_path, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    atomic_write(html_path, render_html(result).encode("utf-8"))
    for w in result.warnings if not quiet else ():
        click.echo(f"subtrans: warning: {w}", err=True)
    for rec in result.failed:
        click.echo(f"subtrans: error: {rec.error}", err=True)
    t = result.totals()

    def say(line: str) -> None:
        if not quiet:
            click.echo(line)

    rate = f", {t['sentences_per_s']:.1f} sentences/s" if t["sentences_per_s"] else ""
    say(f"{t['files']} files: {t['translated']} translated, {t['skipped']} up to date, {t['failed']} failed; "
               f"{t['cues']} cues and {t['units']} sentence units translated ({t['sent_to_model']} sent to the model, "
               f"{t['from_cache']} from the cache) in {result.wall_s:.1f} s{rate} on {result.actors} actor(s)")
    if t["translated"]:
        by_rule = ", ".join(f"{rule} {n}" for rule, n in t["by_rule"].items()) or "none"
        say(f"QA: {t['findings']} findings ({by_rule})")
    if t["terms"]:
        say("glossary terms: " + ", ".join(f"{n} {how}" for how, n in t["terms"].items()))
    if t["fit"] is not None:
        done_fit = t["fit"]  # (not `fit`: that is the --fit option)
        speed, lines = done_fit["within_reading_speed"], done_fit["within_line_limits"]
        line = (f"fit: {'' if done_fit['enabled'] else 'off; '}cues within the reading speed {speed['cues_before']} "
                f"of {done_fit['cues']} before, {speed['cues_after']} after; within the line limits "
                f"{lines['cues_before']} before, {lines['cues_after']} after")
        if done_fit["enabled"]:
            line += (f"; {done_fit['units_refitted']} of {done_fit['units_over_limits']} sentence units over the "
                     f"limits given another candidate")
        n = done_fit["retimed"]
        say(line + (f"; {n} cue{'' if n == 1 else 's'} retimed" if done_fit["retime"] else ""))
    if result.signature:
        say(result.signature)
    say(f"summary: {summary_path} and {html_path}")
    if result.failed:
        sys.exit(2)
    if fail_on != "never":
        from ..qa import Severity

        threshold = Severity.parse(fail_on)
        if any(f.severity >= threshold for rec in result.files for f in rec.findings):
            sys.exit(1)
    sys.exit(0)


@batch.command("check")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "junit", "sarif", "html", "github"]),
              default="text", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Report file [- : standard output].")
@click.option("--profile", "-p", help="QA profile name or .toml path [from each file's language].")
@click.option("--fps", type=click.FloatRange(min=1), help="Frame rate for gaps in frames [24].")
@click.option("--lenient", is_flag=True, help="Skip unreadable blocks (each reported as skipped-block).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the exit code 1 [warning].")
@click.option("--encoding", help="Read with this encoding instead of detecting it.")
@click.option("--input-format", type=click.Choice(["srt", "vtt", "ass", "ttml"]), help="Read as this format.")
@click.option("--ignore", "ignored", multiple=True, metavar="RULE", help="Switch a rule off (repeatable).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Configuration file [nearest subtrans.toml or pyproject.toml].")
@click.option("--glossary", "glossaries", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Glossary for the glossary rule (forbidden variants; repeatable).")
@_ray_options
@click.option("--quiet", "-q", is_flag=True, help="Print no report (errors only): the exit code says the rest.")
@click.option("--verbose", "-v", is_flag=True, help="A progress line per file on standard error, not per tenth.")
def check(source: Path, fmt: str, output: Path | None, profile: str | None, fps: float | None, lenient: bool,
          fail_on: str | None, encoding: str | None, input_format: str | None, ignored: tuple[str, ...],
          config_path: Path | None, glossaries: tuple[Path, ...], ray_address: str | None, num_cpus: int | None,
          quiet: bool = False, verbose: bool = False) -> None:
    """Check every subtitle file under SOURCE (a folder, or a list file), one Ray task per file.

    The report is that of `subtrans check` over the same files, in any of its
    formats. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 a usage
    error or a file that cannot be read.

    \b
    Examples:
      subtrans batch check catalogue/zh
      subtrans batch check catalogue/zh --format junit -o qa.junit.xml --fail-on error
      subtrans batch check catalogue/zh --format html -o qa.html --ray-address HEAD:6379
    """
    from ..errors import WriteError
    from ..reports import render
    from ..textio import atomic_write
    from .plan import collect_inputs
    from .ray_runner import run_batch_check

    if output is not None and str(output) == "-":
        output = None
    if output is not None:
        files, _ = collect_inputs(source)
        if output.resolve() in {f.resolve() for f in files}:
            raise WriteError("the report would overwrite an input file", path=output)
    shown = _ProgressLine("cues", quiet=quiet, verbose=verbose)
    report = run_batch_check(source, profile=profile, fps=fps, lenient=lenient, fail_on=fail_on, encoding=encoding,
                             input_format=input_format, ignored=ignored, config_path=config_path,
                             glossaries=glossaries, ray_address=ray_address, num_cpus=num_cpus, progress=shown)
    shown.done()
    text = render(report, fmt)
    if output is not None:
        atomic_write(output, text.encode("utf-8"))
    elif not quiet:
        click.echo(text, nl=False)
    for fr in report.files:
        if fr.error is not None:
            click.echo(f"subtrans: error: {fr.error}", err=True)
    sys.exit(report.exit_code())


class _ProgressLine:
    """Progress on standard error: one updating line on a terminal, a line per tenth of the files otherwise."""

    def __init__(self, unit: str, *, quiet: bool = False, verbose: bool = False) -> None:
        self.unit, self.quiet, self.verbose = unit, quiet, verbose
        self.tty = sys.stderr.isatty()
        self.shown = False
        self.last_tenth = -1

    def __call__(self, p: Progress) -> None:
        rate = f", {p.rate:.1f} {self.unit}/s" if p.rate else ""
        eta = f", about {_clock(p.eta)} left" if p.eta is not None and p.done < p.total else ""
        extra = "".join(f", {n} {what}" for n, what in ((p.skipped, "up to date"), (p.failed, "failed")) if n)
        line = f"files {p.done}/{p.total}{extra}{rate}{eta}"
        if self.quiet:
            return
        if self.verbose and not self.tty:
            click.echo(line, err=True)
            return
        if self.tty:
            click.echo(f"\r{line}\x1b[K", err=True, nl=False)
            self.shown = True
            return
        tenth = p.done * 10 // max(p.total, 1)
        if tenth != self.last_tenth:
            self.last_tenth = tenth
            click.echo(line, err=True)

    def done(self) -> None:
        if self.shown:
            click.echo("", err=True)


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _layout(bilingual: bool, style: str, scale: float, source_on_top: bool) -> BilingualLayout | bool:
    """``--bilingual`` and its ASS options as the translator takes them (False without --bilingual)."""
    if not bilingual:
        return False
    from ..pipeline.assembly import BilingualLayout

    return BilingualLayout(style=style, scale=scale, source_on_top=source_on_top)
