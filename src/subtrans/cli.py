"""The ``subtrans`` command line: parses options, calls the library, prints.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or read error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._version import __version__
from .cli_options import FAIL_ON, translation_options
from .errors import SubtransError, WriteError

if TYPE_CHECKING:  # pragma: no cover
    from .names import FoundName
    from .pipeline.assembly import BilingualLayout
    from .pipeline.files import FileResult
    from .pipeline.fitting import FitReport


class _Group(click.Group):
    """The main group: one-line errors, and command groups imported only when used."""

    #: name -> (module, attribute) of commands that live in their own module
    lazy = {"batch": ("subtrans.batch.cli", "batch")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            import importlib

            module, attribute = self.lazy[name]
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import AUDIENCE

        token = AUDIENCE.set("cli")   # errors name the command line's options
        try:
            return super().invoke(ctx)
        except SubtransError as exc:  # one line, no traceback
            click.echo(f"subtrans: error: {exc}", err=True)
            ctx.exit(2)
        finally:
            AUDIENCE.reset(token)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="subtrans")
def main() -> None:
    """Subtitle translation (Russian <-> Chinese) and quality control against style guides."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--profile", "-p", help="QA profile name or .toml path (default: from the text's language).")
@click.option("--fps", type=click.FloatRange(min=1, min_open=False), help="Frame rate for gaps in frames [24].")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "junit", "sarif", "html", "github"]),
              default="text",
              show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Report file (- for standard output); with --fix, the fixed subtitle file (or folder, for "
                   "several files).")
@click.option("--quiet", "-q", is_flag=True, help="Print no report (errors only): the exit code says the rest.")
@click.option("--verbose", "-v", is_flag=True, help="Say on standard error what was checked and how long it took.")
@click.option("--lenient", is_flag=True, help="Skip unreadable blocks (each reported as skipped-block).")
@click.option("--fix", "do_fix", is_flag=True, help="Apply the safe fixes, re-check, write the result.")
@click.option("--in-place", is_flag=True, help="With --fix: overwrite the input files.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the exit code 1 [warning].")
@click.option("--encoding", help="Read (and write) with this encoding instead of detecting it.")
@click.option("--input-format", type=click.Choice(["srt", "vtt", "ass", "ttml"]),
              help="Read as this format (skip detection).")
@click.option("--ignore", "ignored", multiple=True, metavar="RULE", help="Switch a rule off (repeatable).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Configuration file [nearest subtrans.toml or pyproject.toml].")
@click.option("--source", "sources", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The file each FILE was translated from (one per FILE, in order): adds the "
                   "source-versus-translation rules.")
@click.option("--glossary", "glossaries", multiple=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Glossary (TSV/CSV/TBX) for the glossary rule (repeatable; a later file wins).")
@click.option("--ignore-style", "ignore_styles", multiple=True, metavar="STYLE",
              help="ASS: events of this style (a glob, any case; repeatable) are signs or songs, not measured by "
                   "the timing and reading-speed rules [Sign*, Song*, Lyric*, Karaoke*, OP, ED, Title*, Note* ...].")
def check(files: tuple[Path, ...], profile: str | None, fps: float | None, fmt: str, output: Path | None,
          quiet: bool, verbose: bool, lenient: bool, do_fix: bool, in_place: bool, fail_on: str | None,
          encoding: str | None, input_format: str | None, ignored: tuple[str, ...], config_path: Path | None,
          sources: tuple[Path, ...], glossaries: tuple[Path, ...], ignore_styles: tuple[str, ...]) -> None:
    """Check subtitle files against a style guide (timing, layout, reading speed, text).

    A FILE of - is read from standard input. Examples:

    \b
      subtrans check film.ru.srt
      subtrans check season/*.srt --format junit -o report.xml
      cat film.zh.srt | subtrans check - --profile netflix-zh-hans
      subtrans check film.ru.srt --fix -o film.fixed.srt
      subtrans check film.zh.srt --source film.ru.srt --glossary terms.tsv
    """

    from .checking import run_check

    started = time.monotonic()
    if str(output) == "-":
        if do_fix:
            raise click.UsageError("with --fix the report goes to standard output: name the fixed file with -o FILE")
        output = None
    if any(str(f) == "-" for f in files) and (in_place or (do_fix and output is None)):
        raise click.UsageError("- is standard input: --fix writes the fixed file with -o FILE, not --in-place")
    if in_place and not do_fix:
        raise click.UsageError("--in-place only goes with --fix")
    if do_fix and not in_place and output is None:
        raise click.UsageError("--fix writes a new file: name it with -o, or pass --in-place")
    if in_place and output is not None:
        raise click.UsageError("--in-place writes over the inputs: drop -o (the report goes to standard output)")
    if do_fix and output is not None and len(files) > 1 and not output.is_dir():
        raise click.UsageError("with --fix and several files, -o must be an existing folder")
    if do_fix and output is not None and output.is_dir():
        names = [Path(f).name for f in files]
        clash = sorted({n for n in names if names.count(n) > 1})
        if clash:
            raise click.UsageError(f"several inputs are named {clash[0]!r}: they would overwrite each other in {output}")
    report = run_check(
        files, profile=profile, fps=fps, lenient=lenient, do_fix=do_fix, in_place=in_place,
        fix_output=output if do_fix else None, fail_on=fail_on, encoding=encoding,
        input_format=input_format, ignored=set(ignored), config_path=config_path,
        sources=sources, glossaries=glossaries, ignore_styles=tuple(ignore_styles) or None,
        timeline=fmt == "html",
    )
    from .reports import render
    from .textio import atomic_write

    report.errors_on_stderr = fmt == "text" and (output is None or do_fix)   # each error said once
    if report.errors_on_stderr and sys.stdout.isatty():
        import shutil

        report.width = shutil.get_terminal_size().columns
    text = render(report, fmt)
    if output is not None and not do_fix:
        if any(output.resolve() == Path(f).resolve() for f in files):
            raise WriteError("the report would overwrite an input file", path=output)
        atomic_write(output, text.encode("utf-8"))
    elif not quiet:
        click.echo(text, nl=False)
    if verbose:
        counts = report.counts()
        click.echo(f"subtrans: checked {counts['files']} file(s), {counts['cues']} cues, {counts['findings']} "
                   f"findings in {time.monotonic() - started:.2f} s", err=True)
    for fr in report.files:
        if fr.error is not None:
            click.echo(f"subtrans: error: {fr.error}", err=True)
    sys.exit(report.exit_code())


@main.command("rules")
def list_rules() -> None:
    """List the QA rules: name, code, default severity, summary (each in full: docs/rules.md).

    \b
    Examples:
      subtrans rules
      subtrans rules | grep reading-speed
    """
    from .qa import RULES

    for name, cls in sorted(RULES.items(), key=lambda kv: kv[1].code):
        fix = "fix" if cls.fixable else "   "
        click.echo(f"{cls.code}  {name:<22} {str(cls.severity):<8} {fix}  {cls.summary()}")


@main.group("profiles", invoke_without_command=True)
@click.pass_context
def profiles(ctx: click.Context) -> None:
    """List the QA profiles (subtrans profiles show NAME: values and sources).

    \b
    Examples:
      subtrans profiles
      subtrans profiles show netflix-zh-hans
    """
    if ctx.invoked_subcommand is None:
        from .profiles import list_profiles

        for p in list_profiles():
            click.echo(f"{p.name:<30} {p.language:<8} {p.title}")


@profiles.command("show")
@click.argument("name")
def show_profile(name: str) -> None:
    """Every value of a profile, with its source and the date it was read.

    \b
    Examples:
      subtrans profiles show netflix-ru
      subtrans profiles show netflix-zh-hant-sdh
    """
    from .profiles import load_profile

    p = load_profile(name)
    click.echo(f"{p.name}: {p.title} (language {p.language})")
    for key, v in sorted(p.values.items()):
        click.echo(f"  {key} = {v.value!r}")
        click.echo(f"      source: {v.source} (read {v.read})" + (f" {v.url}" if v.url else ""))


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True, path_type=Path))
@click.option("--to", "to", required=True, metavar="LANG", help="Target language: zh (zh-Hans), zh-Hant or ru.")
@click.option("--from", "source", metavar="LANG", help="Source language: ru or zh [detected from the text].")
@translation_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Output file (one input; - for standard output, the summary then goes to standard error).")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the outputs (a folder input's subfolders are kept).")
@click.option("--overwrite", is_flag=True, help="Replace output files that exist already (never an input).")
@click.option("--output-format", type=click.Choice(["srt", "vtt", "ass", "ttml", "imsc"]),
              help="Write this format [the -o extension's, else the input's]; ttml is TTML1 as Netflix takes it, "
                   "imsc IMSC 1.1 Text.")
@click.option("--device", help="cpu, cuda, cuda:1 ... [cuda when available, else cpu]")
@click.option("--batch-size", type=click.IntRange(min=1), default=16, show_default=True, help="Sentences per batch.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the QA findings of the outputs as JSON.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="never", show_default=True,
              help="Exit 1 when an output has QA findings at or above this severity.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only: the exit code says the rest.")
@click.option("--verbose", "-v", is_flag=True, help="Progress and timings on standard error, also when it is not a terminal.")
def translate(inputs: tuple[Path, ...], to: str, source: str | None, model: str | None, revision: str | None,
              glossaries: tuple[Path, ...], output: Path | None, output_dir: Path | None, overwrite: bool,
              output_format: str | None, backend: str,
              device: str | None, batch_size: int, beams: int | None,
              max_length: int | None, no_cache: bool, bilingual: bool, bilingual_style: str, bilingual_scale: float,
              source_on_top: bool, keep_other_lines: bool,
              other_lines_as_context: bool, ignore_styles: tuple[str, ...], profile: str | None,
              report_path: Path | None, fail_on: str, encoding: str | None, lenient: bool,
              allow_pickle: bool, offline: bool, names: bool, context: int | None, fit: bool, fit_margin: float,
              fit_candidates: int, retime: bool, quiet: bool = False,
              verbose: bool = False) -> None:
    """Translate subtitle files Russian <-> Chinese, keeping every cue's timing and formatting.

    Each output goes next to its input as NAME.zh.srt / NAME.ru.srt (or to -o /
    --output-dir), is checked with the target's style-guide profile, and a
    summary is printed. The input is never overwritten. Timings are kept,
    except with --retime.

    \b
    Examples:
      subtrans translate film.ru.srt --to zh                      (writes film.zh.srt)
      subtrans translate season1/ --to zh --output-dir zh/ --glossary glossaries/red-silk.tsv
      subtrans translate film.ru.srt --to zh -o film.zh.ttml      (TTML1, as Netflix takes it)
      cat film.ru.srt | subtrans translate - --to zh -o - > film.zh.srt
    """
    from .pipeline.files import run_translate
    from .pipeline.translator import Translator

    began = time.monotonic()
    to_stdout = (output is not None and str(output) == "-") or ([str(i) for i in inputs] == ["-"] and not output
                                                                 and not output_dir)

    def say(message: str = "", err: bool = False) -> None:
        """The summary: on stdout, unless the translation itself goes there; nothing with --quiet."""
        if not quiet:
            click.echo(message, err=err or to_stdout)

    translator = Translator(model, backend=backend, device=device, beams=beams, batch_size=batch_size,
                            max_length=max_length, cache=not no_cache, glossaries=glossaries,
                            allow_pickle=allow_pickle, offline=True if offline else None, revision=revision,
                            fit=fit, retime=retime, fit_margin=fit_margin, fit_candidates=fit_candidates,
                            names=names, context=context, other_lines_as_context=other_lines_as_context,
                            ignore_styles=tuple(ignore_styles) or None)
    progress = _Progress() if (sys.stderr.isatty() or verbose) and not quiet else None
    if translator.glossary is not None:
        for w in translator.glossary.warnings:
            say(f"subtrans: warning: {w}", err=True)
    with translator:
        results = run_translate(inputs, to=to, source=source, output=output, output_dir=output_dir,
                                translator=translator, profile=profile, bilingual=_layout(bilingual, bilingual_style, bilingual_scale, source_on_top),
                                keep_other_lines=keep_other_lines, encoding=encoding,
                                lenient=lenient, progress=progress, overwrite=overwrite, report=report_path,
                                output_format=output_format)
        cache_warnings = translator.cache_warnings
    if progress:
        progress.done()
    threshold = None if fail_on == "never" else fail_on
    from .qa import Severity

    failing = False
    for w in cache_warnings:
        say(f"subtrans: warning: {w}", err=True)
    for fr in results:
        if fr.error is not None:
            click.echo(f"subtrans: error: {fr.error}", err=True)
            continue
        t = fr.translation
        assert t is not None  # (a file without an error was translated)
        counts: dict[str, int] = {}
        for f in fr.findings:
            counts[str(f.severity)] = counts.get(str(f.severity), 0) + 1
        summary = ", ".join(_count(n, sev) for sev, n in sorted(counts.items())) or "no findings"
        say(f"{fr.path} -> {fr.output}: {_count(t.cues, 'cue')}, {_count(t.units, 'sentence unit')} "
                   f"({t.translated} sent to the model, {t.cached} from the cache); QA ({fr.profile}): {summary}")
        if t.glossary != "none":
            counts_t = t.term_counts()
            how = ", ".join(f"{n} {k}" for k, n in sorted(counts_t.items())) or "none found"
            say(f"  glossary terms: {len(t.terms)} in the source ({how})")
        if t.fit is not None:
            for line in _fit_summary(t.fit, t.track.format):
                say(line)
        for w in t.warnings:
            say(f"  warning: {fr.path}: {w}", err=True)
        if threshold and any(f.severity >= Severity.parse(threshold) for f in fr.findings):
            failing = True
    if results and results[0].translation is not None:
        say(f"model {results[0].translation.model}, backend {results[0].translation.backend}; "
                   f"{results[0].translation.signature}")
    if report_path is not None:
        _write_translate_report(results, report_path, threshold)
    if verbose and not quiet:
        click.echo(f"translated {_count(len(results), 'file')} in {time.monotonic() - began:.2f} s", err=True)
    if any(fr.error is not None for fr in results):
        sys.exit(2)
    sys.exit(1 if failing else 0)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, allow_dash=True,
                                                                     path_type=Path))
@click.option("--to", "to", required=True, metavar="LANG", help="The language the names are rendered in: ru or zh.")
@click.option("--from", "source", metavar="LANG", help="Source language: ru or zh [detected from the text].")
@click.option("--glossary", "glossaries", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The film's glossary: its entries win over the standard renderings (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write the list here (atomically) instead of to standard output (-).")
@click.option("--encoding", help="Read the inputs with this encoding instead of detecting it.")
@click.option("--quiet", "-q", is_flag=True, help="With -o FILE: print nothing (errors only).")
@click.option("--verbose", "-v", is_flag=True, help="Say how long it took, on standard error.")
def names(inputs: tuple[Path, ...], to: str, source: str | None, glossaries: tuple[Path, ...], output: Path | None,
          encoding: str | None, quiet: bool = False, verbose: bool = False) -> None:
    """The film's names: found in the source, with the rendering each takes in the target.

    Written as a glossary table (ru, zh, pos, note) that the localiser corrects and passes back with
    --glossary: the note says where the rendering came from (glossary, established form, the Palladius
    system for Chinese names in Russian, the Xinhua table for Russian names in Chinese), how often the
    name occurs and where first. Names without a rendering (foreign names in Chinese script, Chinese
    names written in Russian, organisations) are listed as comment lines to fill in.

    \b
    Examples:
      subtrans names film.zh.srt --to ru -o film.names.tsv
      subtrans names ep*.ru.srt --to zh --glossary glossaries/red-silk.tsv
      cat film.ru.srt | subtrans names - --to zh
    """
    from .formats import load
    from .names import find_names
    from .pipeline.languages import detect_source, normalize_language
    from .textio import atomic_write

    began = time.monotonic()
    target = normalize_language(to)
    glossary = None
    if glossaries:
        from .glossary import load_glossaries

        glossary = load_glossaries(glossaries)
    merged: dict[str, FoundName] = {}
    first_in: dict[str, str] = {}   # name -> the file and cue it first occurs in
    for path in inputs:
        track = load(path, encoding=encoding)
        src = normalize_language(source) if source else detect_source(track)
        for name in find_names(track, src, target, glossary):
            seen = merged.get(name.source)
            if seen is None:
                first_in[name.source] = f"{path.name} cue {name.first_cue}"
                merged[name.source] = name
            else:
                seen.count += name.count
    zh_source = src.startswith("zh")
    lines = [f"# Names of {', '.join(p.name for p in inputs)}: subtrans names --to {to}. Correct the renderings, fill",
             "# in the commented rows, and pass the file back with --glossary.", "ru\tzh\tpos\tnote"]
    todo: list[str] = []
    for n in merged.values():
        note = f"from {n.origin}; {_count(n.count, 'occurrence')}; first in {first_in[n.source]}" + (f"; {n.problem}" if n.problem else "")
        ru, zh = (n.rendering or "", n.source) if zh_source else (n.source, n.rendering or "")
        row = f"{ru}\t{zh}\t{n.kind}\t{note}"
        (lines if n.rendering else todo).append(row)
    if todo:
        lines.append("# No rendering yet (a foreign name in Chinese script, a Chinese name in Russian, an organisation, "
                     "or no table for it):")
        lines.extend("# " + row for row in todo)
    text = "\n".join(lines) + "\n"
    if output and str(output) != "-":
        atomic_write(output, text.encode("utf-8"))
        if not quiet:
            click.echo(f"{output}: {_count(len(merged), 'name')}, {len(todo)} without a rendering")
    else:
        click.echo(text, nl=False)
    if verbose and not quiet:
        click.echo(f"{_count(len(merged), 'name')} found in {time.monotonic() - began:.2f} s", err=True)


@main.command("convert")
@click.argument("source", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="The converted file; its extension names the format (.srt, .vtt, .ass, .ssa, .ttml, .dfxp, .xml); "
                   "- for standard output (with --format).")
@click.option("--format", "--output-format", "fmt", type=click.Choice(["srt", "vtt", "ass", "ttml", "imsc"]),
              help="Write this format whatever the extension (imsc: IMSC 1.1 Text, a TTML profile).")
@click.option("--encoding", help="Read the input with this encoding instead of detecting it.")
@click.option("--overwrite", is_flag=True, help="Replace an existing output (never the input).")
@click.option("--fps", type=click.FloatRange(min=1, max=240),
              help="TTML/IMSC: count times in frames at this rate (23.976 is 24000/1001) [a TTML source's, else "
                   "milliseconds].")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only (not the losses nor the summary).")
@click.option("--verbose", "-v", is_flag=True, help="Say how long it took, on standard error.")
def convert(source: Path, output: Path, fmt: str | None, encoding: str | None, overwrite: bool, fps: float | None,
            quiet: bool = False, verbose: bool = False) -> None:
    """Convert between SRT, WebVTT, ASS/SSA and TTML/IMSC: timings exact, italics/bold/underline carried where the
    target holds them, and every loss (positions, colours, styles, spans) said, cue by cue.

    \b
    Examples:
      subtrans convert film.zh.ass -o film.zh.srt
      subtrans convert film.ru.srt -o film.ru.vtt
      subtrans convert film.zh.srt -o film.zh.ttml              (TTML1, as Netflix takes it)
      subtrans convert film.zh.srt -o film.zh.xml --format imsc   (IMSC 1.1 Text)
      cat film.ru.srt | subtrans convert - -o - --format vtt > film.ru.vtt
    """
    from .errors import ConfigError, WriteError
    from .formats import EXTENSIONS, load, save
    from .formats.convert import convert as convert_track

    began = time.monotonic()
    to_stdout = str(output) == "-"
    target = fmt or (None if to_stdout else EXTENSIONS.get(output.suffix.lower()))
    if target is None:
        if to_stdout:
            raise ConfigError("-o - has no extension to name the format", hint="pass --format srt|vtt|ass|ttml|imsc")
        raise ConfigError(f"no format writes {output.suffix or 'files without an extension'!r}", path=output,
                          hint="name the output .srt, .vtt, .ass, .ssa, .ttml or .xml, or pass --format")
    if not to_stdout and output.exists() and Path(source).exists() and output.resolve() == Path(source).resolve():
        raise WriteError("the output is the input: convert never overwrites its input", path=output)
    track = load(source, encoding=encoding)
    result = convert_track(track, target)
    if fps is not None:
        from .formats.ttml import frame_rate

        result.track.frame_rate = frame_rate(fps)
    if target in ("vtt", "ttml", "imsc"):
        result.track.encoding, result.track.bom = "utf-8", False   # WebVTT is UTF-8; the TTML we write says so
    if to_stdout:   # written whole first (a failure writes nothing), then to standard output
        import tempfile

        with tempfile.TemporaryDirectory(prefix="subtrans-") as tmp:
            written = save(result.track, Path(tmp) / f"out.{target}", format=target)
            sys.stdout.buffer.write(written.read_bytes())
            sys.stdout.buffer.flush()
    else:
        save(result.track, output, format=target, overwrite=overwrite)
    if not quiet:
        for loss in result.losses:
            click.echo(f"subtrans: warning: {source}: {loss}", err=True)
        click.echo(f"{source} -> {output}: {_count(len(track.cues), 'cue')}, {track.format} -> {target}"
                   + (f"; {_count(len(result.losses), 'kind')} of formatting lost (above)" if result.losses else ""),
                   err=to_stdout)
    if verbose and not quiet:
        click.echo(f"converted in {time.monotonic() - began:.2f} s", err=True)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _fit_summary(fit: FitReport, fmt: str) -> list[str]:
    """What fitting did to one file, as lines of the summary."""
    from .model import format_timestamp

    before = "before" if fit.enabled else "before retiming"  # --no-fit --retime: only retiming changed them
    line = (f"  fit: {'' if fit.enabled else 'off; '}cues within the reading speed {fit.speed_before} of "
            f"{fit.cues} {before}, {fit.speed_after} after; within the line limits {fit.lines_before} {before}, "
            f"{fit.lines_after} after")
    if fit.enabled and not fit.units_over:
        line += "; no sentence unit over the limits"
    elif fit.enabled and fit.skipped is not None:
        line += f"; {_count(fit.units_over, 'sentence unit')} over the limits, not fitted ({fit.skipped})"
    elif fit.enabled:
        line += (f"; {fit.units_refitted} of {_count(fit.units_over, 'sentence unit')} over the limits given "
                 f"another candidate (alternatives decoded for {fit.decoded}, {fit.from_cache} from the cache)")
    lines = [line]
    sep = "." if fmt == "vtt" else ","
    for r in fit.retimed:
        old, new = (f"{format_timestamp(a, sep)} --> {format_timestamp(b, sep)}" for a, b in (r.old, r.new))
        lines.append(f"  retimed cue {r.cue + 1}" + (f" (id {r.id})" if r.id and r.id != str(r.cue + 1) else "")
                     + f": {old}, now {new}")
    return lines


def _write_translate_report(results: list[FileResult], path: Path, threshold: str | None) -> None:
    from .qa import Severity
    from .reports import FileReport, Report, render
    from .textio import atomic_write

    files = []
    for fr in results:
        rep = FileReport(path=fr.output or fr.path, profile=fr.profile, findings=fr.findings, error=fr.error)
        if fr.translation is not None:
            rep.format, rep.encoding = fr.translation.track.format, "utf-8"
            rep.cues, rep.signature = fr.translation.cues, fr.translation.signature
        files.append(rep)
    sig = files[0].signature if files and files[0].signature else "subtrans:translate"
    report = Report(files=files, signature=sig, fail_on=Severity.parse(threshold) if threshold else None)
    import json

    doc = json.loads(render(report, "json"))
    for entry, fr in zip(doc["files"], results):  # what the translation itself noticed
        if fr.translation is not None:
            t = fr.translation
            entry["source"] = fr.path
            entry["translation"] = {
                "model": t.model, "backend": t.backend, "source": t.source, "target": t.target,
                "units": t.units, "sent_to_model": t.translated, "from_cache": t.cached,
                "split_per_cue": t.split_per_cue, "glossary": t.glossary, "terms": t.terms,
                "warnings": t.warnings, "fit": t.fit.to_dict() if t.fit is not None else None,
            }
    atomic_write(path, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


class _Progress:
    """A one-line progress display on a terminal's standard error."""

    def __call__(self, file_no: int, files: int, done: int, total: int) -> None:
        click.echo(f"\r  file {file_no + 1}/{files}: {done}/{total} sentences translated", err=True, nl=False)

    def done(self) -> None:
        click.echo("", err=True)


@main.group("models", invoke_without_command=True)
@click.pass_context
def models(ctx: click.Context) -> None:
    """The model catalog: list, info NAME, download NAME.

    \b
    Examples:
      subtrans models
      subtrans models info nllb-600m
      subtrans models download hy-mt2-1.8b
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(models_list)


@models.command("list")
def models_list() -> None:
    """Catalogued models: name, directions, size, licence; which are translation LLMs, and whether each
    fits this machine's memory on CPU.

    \b
    Examples:
      subtrans models list
      subtrans models list | grep NON-COMMERCIAL
    """
    from .mt.catalog import list_models, memory_fit

    rows = []
    for spec in list_models():
        flags = []
        if spec.default_for:
            flags.append("default " + ",".join(spec.default_for))
        if not spec.commercial:
            flags.append("NON-COMMERCIAL")
        if spec.decoder_only:
            flags.append("translation LLM")
        if spec.memory:
            flags.append(f"needs {spec.memory}: {memory_fit(spec)}")
        rows.append((spec.name, ",".join(spec.directions), spec.parameters, spec.licence, spec.hub_id or "",
                     f"[{'; '.join(flags)}]" if flags else ""))
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    for r in rows:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths)) + ("  " + r[5] if r[5] else ""))


@models.command("info")
@click.argument("name")
def models_info(name: str) -> None:
    """Everything the catalog says about a model, and whether it is in the local cache.

    \b
    Example:
      subtrans models info hy-mt2-7b
    """
    from .mt.catalog import describe, get_model

    for label, value in describe(get_model(name)):
        click.echo(f"{label + ':':<20} {value}")


@models.command("download")
@click.argument("name")
@click.option("--revision", help="Branch, tag or commit [the catalog's].")
def models_download(name: str, revision: str | None) -> None:
    """Fetch a model into the Hugging Face cache (on a connected machine).

    \b
    Examples:
      subtrans models download nllb-600m
      HF_HOME=/shared/hf subtrans models download m2m100-418m
    """
    from .mt.catalog import download_model

    path = download_model(name, revision=revision)
    click.echo(f"{name}: {path}")


def _layout(bilingual: bool, style: str, scale: float, source_on_top: bool) -> BilingualLayout | bool:
    """``--bilingual`` and its ASS options as the translator takes them (False without --bilingual)."""
    if not bilingual:
        return False
    from .pipeline.assembly import BilingualLayout

    return BilingualLayout(style=style, scale=scale, source_on_top=source_on_top)


if __name__ == "__main__":  # pragma: no cover
    main()


