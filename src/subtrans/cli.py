"""The ``subtrans`` command line: parses options, calls the library, prints.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or read error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import SubtransError, WriteError

FAIL_ON = ("error", "warning", "info", "never")


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SubtransError as exc:  # one line, no traceback
            click.echo(f"subtrans: error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="subtrans")
def main() -> None:
    """Subtitle quality control against style guides (translation: coming next)."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--profile", "-p", help="QA profile name or .toml path (default: from the text's language).")
@click.option("--fps", type=click.FloatRange(min=1, min_open=False), help="Frame rate for gaps in frames [24].")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json", "junit"]), default="text",
              show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Report file; with --fix, the fixed subtitle file (or folder, for several files).")
@click.option("--lenient", is_flag=True, help="Skip unreadable blocks (each reported as skipped-block).")
@click.option("--fix", "do_fix", is_flag=True, help="Apply the safe fixes, re-check, write the result.")
@click.option("--in-place", is_flag=True, help="With --fix: overwrite the input files.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the exit code 1 [warning].")
@click.option("--encoding", help="Read (and write) with this encoding instead of detecting it.")
@click.option("--input-format", type=click.Choice(["srt", "vtt"]), help="Read as this format (skip detection).")
@click.option("--ignore", "ignored", multiple=True, metavar="RULE", help="Switch a rule off (repeatable).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Configuration file [nearest subtrans.toml or pyproject.toml].")
def check(files, profile, fps, fmt, output, lenient, do_fix, in_place, fail_on, encoding, input_format,
          ignored, config_path) -> None:
    """Check subtitle files against a style guide (timing, layout, reading speed, text)."""
    from .checking import run_check

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
    )
    from .reports import render
    from .textio import atomic_write

    text = render(report, fmt)
    if output is not None and not do_fix:
        if any(output.resolve() == Path(f).resolve() for f in files):
            raise WriteError("the report would overwrite an input file", path=output)
        atomic_write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
    for fr in report.files:
        if fr.error is not None:
            click.echo(f"subtrans: error: {fr.error}", err=True)
    sys.exit(report.exit_code())


@main.command("rules")
def list_rules() -> None:
    """List the QA rules: name, code, default severity, summary."""
    from .qa import RULES

    for name, cls in sorted(RULES.items(), key=lambda kv: kv[1].code):
        fix = "fix" if cls.fixable else "   "
        click.echo(f"{cls.code}  {name:<22} {str(cls.severity):<8} {fix}  {cls.summary()}")


@main.group("profiles", invoke_without_command=True)
@click.pass_context
def profiles(ctx) -> None:
    """List the QA profiles (subtrans profiles show NAME: values and sources)."""
    if ctx.invoked_subcommand is None:
        from .profiles import list_profiles

        for p in list_profiles():
            click.echo(f"{p.name:<30} {p.language:<8} {p.title}")


@profiles.command("show")
@click.argument("name")
def show_profile(name: str) -> None:
    """Every value of a profile, with its source and the date it was read."""
    from .profiles import load_profile

    p = load_profile(name)
    click.echo(f"{p.name}: {p.title} (language {p.language})")
    for key, v in sorted(p.values.items()):
        click.echo(f"  {key} = {v.value!r}")
        click.echo(f"      source: {v.source} (read {v.read})" + (f" {v.url}" if v.url else ""))


if __name__ == "__main__":  # pragma: no cover
    main()
