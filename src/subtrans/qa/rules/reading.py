"""What the readers noticed while loading a file, reported as findings.

Each rule here surfaces the :class:`~subtrans.model.ReadNote` objects of its
name. A fixable one is put right by writing the file back (the writers always
write the canonical form), which ``--fix`` does.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Track
from ..base import Context, Finding, Fix, Rule, Severity, register_rule


class ReadRule(Rule):
    category = "format"

    def check(self, track: Track, ctx: Context) -> Iterator[Finding]:
        for note in track.notes:
            if note.rule == self.name:
                cue = track.cues[note.cue] if note.cue is not None and note.cue < len(track.cues) else None
                yield self.finding(ctx, note.message, note.cue, cue, value=note.text or None, line=note.line)


@register_rule
class SkippedBlock(ReadRule):
    """A block that could not be read was skipped (only with --lenient; strict reading refuses the file).

    Bad:  "2\\n00:00:05,000 -> 00:00:06,000\\nText" (no valid timing line)
    Good: "2\\n00:00:05,000 --> 00:00:06,000\\nText"
    """

    name, code, severity = "skipped-block", "R001", Severity.ERROR


@register_rule
class CueNumbering(ReadRule):
    """SRT cue numbers are missing or out of sequence.

    Bad:  1, 2, 4, 5 (3 missing) or no numbers at all
    Good: 1, 2, 3, 4 (the fix renumbers)
    """

    name, code, severity, fixable = "cue-numbering", "R002", Severity.WARNING, True

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        if track.format != "srt" or all(c.id == str(i) for i, c in enumerate(track.cues, 1)):
            return []
        for i, cue in enumerate(track.cues, 1):
            cue.id = str(i)
        return [Fix(self.name, 1, "cues renumbered 1, 2, 3 …")]


@register_rule
class TimestampFormat(ReadRule):
    """An irregular timing line: a dot instead of a comma, one-digit fields, stray spaces.

    Bad:  "00:00:01.000  -->  0:00:02,000"
    Good: "00:00:01,000 --> 00:00:02,000" (writing the file back fixes it)
    """

    name, code, severity, fixable = "timestamp-format", "R003", Severity.WARNING, True


@register_rule
class BlankLineInText(ReadRule):
    """A blank line inside a cue's text: many players end the cue there.

    Bad:  "1\\n00:00:01,000 --> 00:00:02,000\\nLine one\\n\\nLine two"
    Good: "1\\n00:00:01,000 --> 00:00:02,000\\nLine one\\nLine two"
    """

    name, code, severity = "blank-line-in-text", "R004", Severity.WARNING


@register_rule
class MissingBlankLine(ReadRule):
    """A cue starts right after the previous cue's text, with no blank line between them.

    Bad:  "...\\nLast line\\n2\\n00:00:05,000 --> ..."
    Good: "...\\nLast line\\n\\n2\\n00:00:05,000 --> ..." (writing the file back fixes it)
    """

    name, code, severity, fixable = "missing-blank-line", "R005", Severity.WARNING, True


@register_rule
class MissingFinalNewline(ReadRule):
    """The file does not end with a line break; some tools drop the last line.

    Bad:  "...\\nLast line<EOF>"
    Good: "...\\nLast line\\n<EOF>"
    """

    name, code, severity, fixable = "missing-final-newline", "R006", Severity.INFO, True

    def fix(self, track: Track, ctx: Context) -> list[Fix]:
        if track.final_newline:
            return []
        track.final_newline = True
        return [Fix(self.name, len(track.cues), "final line break added")]


@register_rule
class MixedLineEndings(ReadRule):
    """The file mixes CRLF and LF line endings.

    Bad:  "1\\r\\n00:00:01,000 --> 00:00:02,000\\nText\\r\\n"
    Good: one style throughout (writing the file back uses the most common one)
    """

    name, code, severity, fixable = "mixed-line-endings", "R007", Severity.INFO, True


@register_rule
class NulCharacter(ReadRule):
    """A NUL character in the text, replaced by U+FFFD as the WebVTT algorithm does.

    Bad:  "Text\\x00"
    Good: "Text"
    """

    name, code, severity = "nul-character", "R008", Severity.WARNING


@register_rule
class VttHeader(ReadRule):
    """No blank line between the WEBVTT line and the first cue (the cue still loads, as the spec says).

    Bad:  "WEBVTT\\n00:01.000 --> 00:02.000\\nText"
    Good: "WEBVTT\\n\\n00:01.000 --> 00:02.000\\nText"
    """

    name, code, severity, fixable = "vtt-header", "R009", Severity.WARNING, True


@register_rule
class WhitespaceLine(ReadRule):
    """A WebVTT block made only of spaces or tabs; the WebVTT algorithm ignores it.

    Bad:  "WEBVTT\\n\\n   \\n\\n00:01.000 --> 00:02.000\\nText" (a line of spaces between blocks)
    Good: "WEBVTT\\n\\n00:01.000 --> 00:02.000\\nText" (writing the file back drops it)
    """

    name, code, severity, fixable = "whitespace-line", "R010", Severity.INFO, True


@register_rule
class InvalidBytes(ReadRule):
    """Bytes the file's encoding cannot decode were read as U+FFFD (only with --lenient; strict reading refuses the file).

    Bad:  a UTF-8 file with a stray byte: b"\\xd0\\x9f\\xff\\xd1\\x80..."
    Good: valid bytes throughout (save the file again from its source, or retype the damaged words)
    """

    name, code, severity = "invalid-bytes", "R011", Severity.ERROR


@register_rule
class TimingMisread(ReadRule):
    """A timing line that srt, pysubs2 and Subtitle Edit read but common players read otherwise or not at
    all: the arrow written ``->`` or ``- >``, a fraction of 1 or 2 digits (``,5`` is 500 ms here, 5 ms to
    some), no fraction, minutes or seconds above 59, hours of three digits, a negative time (read as 0).

    Bad:  "0:00:01,5 - > 0:00:03"
    Good: "00:00:01,500 --> 00:00:03,000" (--fix writes the cue's times this way)
    """

    name, code, severity, fixable = "timing-misread", "R012", Severity.ERROR, True


@register_rule
class StrayByteOrderMark(ReadRule):
    """A byte-order mark (U+FEFF) in the middle of the file, left by joining files; removed when read.

    Bad:  "...\n\n\ufeff2\n00:00:05,000 --> ..."
    Good: "...\n\n2\n00:00:05,000 --> ..." (writing the file back drops it)
    """

    name, code, severity, fixable = "stray-bom", "R013", Severity.INFO, True


@register_rule
class VttCueSettings(ReadRule):
    """WebVTT cue settings the spec's algorithm ignores: an unknown name, a value it cannot parse. Players
    then place the cue by default; the settings are kept in the file as written.

    Bad:  "00:00:01.000 --> 00:00:03.000 position:abc% align:middle"
    Good: "00:00:01.000 --> 00:00:03.000 position:50% align:center"
    """

    name, code, severity = "vtt-cue-settings", "R014", Severity.WARNING


@register_rule
class AssEvents(ReadRule):
    """ASS/SSA: what pysubs2 worked around while reading (a field it could not parse and replaced by its
    default), or event lines it could not read one for one, so that the file is written back by pysubs2
    rather than line by line.

    Bad:  "Dialogue 0,0:00:01.00,..." (no colon) among the events
    Good: "Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,Text"
    """

    name, code, severity = "ass-events", "R015", Severity.WARNING


@register_rule
class TtmlRead(ReadRule):
    """TTML/DFXP/IMSC: what the reader left out or worked around, one finding per kind with its first line:
    styles beyond italics/bold/underline, a region named but never defined, an empty paragraph, a
    paragraph with a broken time (with --lenient), DFXP's pre-2010 namespaces, ttconv's own warnings.

    Bad:  <p begin="10s" end="12s" region="r9" tts:color="red">Text</p> (no region r9; colour dropped)
    Good: <p begin="10s" end="12s" region="bottom">Text</p>
    """

    name, code, severity = "ttml-read", "R016", Severity.WARNING
