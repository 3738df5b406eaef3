"""`subtrans batch` end to end on a local Ray with 2 CPUs and the tiny random-weight models.

One Ray for the module (started once, shut down at the end); each run starts
its own translation actors. The outputs must be the bytes `subtrans translate`
writes for the same inputs and options; a broken file fails alone; a rerun
does no work.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import subtrans
from subtrans.cli import main

from fake_backend import PseudoBackend
from tiny_models import RU_SENTENCES, tiny_t5  # noqa: F401  (fixture)

ray = pytest.importorskip("ray")

TESTS = Path(__file__).resolve().parent
EXAMPLES = TESTS.parent / "examples"
GLOSSARY = TESTS.parent / "glossaries" / "operation-red-silk.tsv"
SPEED = ["--beams", "1", "--max-length", "24"]   # random weights never stop early


@pytest.fixture(scope="module", autouse=True)
def local_ray(tmp_path_factory):
    # The workers import the test doubles (fake_backend, this module) and never touch the network.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])))
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("HF_HUB_CACHE", str(tmp_path_factory.mktemp("hub")))
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def srt(lines: list[str], step_ms: int = 2500) -> str:
    blocks = []
    for n, text in enumerate(lines, 1):
        start, end = (n - 1) * step_ms + 500, n * step_ms
        stamp = "{:02d}:{:02d}:{:02d},{:03d}"
        blocks.append(f"{n}\n{stamp.format(start // 3600000, start // 60000 % 60, start // 1000 % 60, start % 1000)} --> "
                      f"{stamp.format(end // 3600000, end // 60000 % 60, end // 1000 % 60, end % 1000)}\n{text}\n")
    return "\n".join(blocks)


def library(root: Path) -> dict[str, Path]:
    """A small catalogue: two series folders, an SRT and a VTT, a broken file and an English one."""
    files = {
        "film/red-silk.ru.srt": (EXAMPLES / "red-silk.ru.srt").read_bytes(),
        "series/s01/e01.ru.srt": srt(RU_SENTENCES).encode(),
        "series/s01/e02.ru.srt": srt(RU_SENTENCES[::-1] + ["<i>Поезд ушёл.</i>"]).encode("cp1251"),
        "series/s02/e01.ru.vtt": (EXAMPLES / "red-silk.ru.vtt").read_bytes(),
        "series/s02/broken.ru.srt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "extras/english.srt": srt(["Hello there.", "Goodbye."]).encode(),
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return {name: root / name for name in files}


def run(*args):
    result = CliRunner().invoke(main, [*map(str, args)])
    return result.exit_code, result.output


def outputs(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.zh.*"))}


def test_batch_translate_is_the_cli_file_by_file_and_a_rerun_does_no_work(tiny_t5, tmp_path, monkeypatch):
    src = tmp_path / "in"
    inputs = library(src)
    glossary = shutil.copy(GLOSSARY, tmp_path / "terms.tsv")
    options = ["--to", "zh", "--model", tiny_t5, "--glossary", glossary, *SPEED]
    out = tmp_path / "batch"
    code, output = run("batch", "translate", src, "--output-dir", out, *options)
    assert code == 2, output                     # two files failed; the others were done
    summary = json.loads((out / "subtrans-batch.json").read_text(encoding="utf-8"))
    t = summary["totals"]
    assert (t["files"], t["translated"], t["skipped"], t["failed"]) == (6, 4, 0, 2)
    failures = {f["path"]: f for f in summary["failures"]}
    assert failures.keys() == {str(inputs["series/s02/broken.ru.srt"]), str(inputs["extras/english.srt"])}
    assert failures[str(inputs["series/s02/broken.ru.srt"])]["stage"] == "read"
    assert "PNG" in failures[str(inputs["series/s02/broken.ru.srt"])]["reason"]
    assert failures[str(inputs["extras/english.srt"])]["stage"] == "translate"
    assert "cannot tell the source language" in output and "PNG" in output
    files = {f["path"]: f for f in summary["files"]}
    red = files[str(inputs["film/red-silk.ru.srt"])]
    assert red["cues"] == 24 and red["units"] > 0 and sum(red["by_rule"].values()) == red["findings"]
    assert red["terms"] and "missing" not in red["terms"]       # the film's glossary terms were enforced
    assert (out / "subtrans-batch.html").read_text(encoding="utf-8").count("<tr>") >= 6

    # The single-file CLI on the same folder, with its own translation memory: the same bytes.
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cli-cache"))
    code, cli_output = run("translate", src, "--output-dir", tmp_path / "cli", *options)
    assert code == 2, cli_output
    batch_out = outputs(out)
    assert sorted(batch_out) == ["film/red-silk.zh.srt", "series/s01/e01.zh.srt", "series/s01/e02.zh.srt",
                                 "series/s02/e01.zh.vtt"]
    assert batch_out == outputs(tmp_path / "cli")
    for name, path in (("film/red-silk.ru.srt", "film/red-silk.zh.srt"), ("series/s01/e02.ru.srt", "series/s01/e02.zh.srt")):
        source, translated = subtrans.load(inputs[name]), subtrans.load(out / path)
        assert [(c.start, c.end) for c in translated.cues] == [(c.start, c.end) for c in source.cues]

    # A rerun once the two bad files are taken out: nothing translated, nothing written, no actor started.
    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cache"))
    inputs["series/s02/broken.ru.srt"].unlink()
    inputs["extras/english.srt"].unlink()
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.zh.*")}
    code, output = run("batch", "translate", src, "--output-dir", out, *options)
    assert code == 0, output
    again = json.loads((out / "subtrans-batch.json").read_text(encoding="utf-8"))
    assert (again["totals"]["skipped"], again["totals"]["translated"], again["run"]["actors"]) == (4, 0, 0)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.zh.*")} == stamps
    # ... and the skipped files keep the results of the run that translated them
    kept = {f["path"]: f for f in again["files"]}[str(inputs["film/red-silk.ru.srt"])]
    assert kept["status"] == "skipped" and kept["last_translated"]["findings"] == red["findings"]
    assert kept["last_translated"]["terms"] == red["terms"] and kept["last_translated"]["signature"]

    # An input edited since: only that file is done again (and its lines come from the memory).
    edited = inputs["series/s01/e01.ru.srt"]
    later = (out / "series/s01/e01.zh.srt").stat().st_mtime + 10
    os.utime(edited, (later, later))
    code, output = run("batch", "translate", src, "--output-dir", out, *options)
    assert code == 0, output
    again = json.loads((out / "subtrans-batch.json").read_text(encoding="utf-8"))
    assert (again["totals"]["skipped"], again["totals"]["translated"], again["totals"]["sent_to_model"]) == (3, 1, 0)
    assert outputs(out) == batch_out
    kept = {f["path"]: f for f in again["files"]}[str(inputs["film/red-silk.ru.srt"])]
    assert kept["last_translated"]["findings"] == red["findings"]        # carried over a second rerun


def overflowing(lines: list[str]) -> str:
    """Cues of 1.0 s and longer (each 1.18 times the one before), 2 s apart: too short for the tiny
    model's translations, so that fitting and --retime have work to do."""
    stamp = "00:{:02d}:{:02d},{:03d}".format
    blocks, t = [], 1000
    for n, text in enumerate(lines):
        end = t + round(1000 * 1.18 ** n)
        blocks.append(f"{n + 1}\n{stamp(t // 60000, t // 1000 % 60, t % 1000)} --> "
                      f"{stamp(end // 60000, end // 1000 % 60, end % 1000)}\n{text}\n")
        t = end + 2000
    return "\n".join(blocks)


def test_batch_fit_and_retime_are_the_cli_file_by_file(tiny_t5, tmp_path, monkeypatch):
    src = tmp_path / "in"
    more = ["Мы едем в город завтра утром.", "Где моя сестра и её книга?", "Он всегда пишет письма другу.",
            "Сегодня очень холодный день."]
    # No sentence in both files: each file's figures are its own, whichever the actor translates first.
    for name, lines in (("a/one.ru.srt", RU_SENTENCES + more[:2]), ("b/two.ru.srt", more[2:] + ["Мама ждёт."])):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(overflowing(lines), encoding="utf-8")
    options = ["--to", "zh", "--model", tiny_t5, *SPEED, "--retime", "--fit-margin", "0", "--fit-candidates", "3"]
    out = tmp_path / "batch"
    code, output = run("batch", "translate", src, "--output-dir", out, *options)
    assert code == 0, output
    summary = json.loads((out / "subtrans-batch.json").read_text(encoding="utf-8"))
    assert summary["signature"].endswith("|fit:3@0+retime")

    monkeypatch.setenv("SUBTRANS_CACHE_DIR", str(tmp_path / "cli-cache"))
    code, cli_output = run("translate", src, "--output-dir", tmp_path / "cli", "--report", tmp_path / "r.json",
                           *options)
    assert code == 0, cli_output
    batch_out = outputs(out)
    assert sorted(batch_out) == ["a/one.zh.srt", "b/two.zh.srt"] and batch_out == outputs(tmp_path / "cli")

    # Per file, the fit figures and the findings of `subtrans translate --report`.
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    report = {Path(f["source"]).name: f for f in report["files"]}
    files = {Path(f["path"]).name: f for f in summary["files"]}
    assert files.keys() == report.keys() == {"one.ru.srt", "two.ru.srt"}
    for name, f in files.items():
        assert f["fit"] == report[name]["translation"]["fit"]
        by_rule: dict[str, int] = {}
        for finding in report[name]["findings"]:
            by_rule[finding["rule"]] = by_rule.get(finding["rule"], 0) + 1
        assert f["by_rule"] == dict(sorted(by_rule.items()))
        assert "cue-count" not in f["by_rule"]      # checked against the source as retimed
    retimed = [r for f in files.values() for r in f["fit"]["retimed"]]
    assert retimed                                  # the files were built to need it
    fit = summary["totals"]["fit"]
    assert fit["retimed"] == len(retimed) and fit["cues"] == 9
    assert fit["units_refitted"] == sum(f["fit"]["units_refitted"] for f in files.values())
    assert fit["within_reading_speed"]["cues_after"] > fit["within_reading_speed"]["cues_before"]
    assert re.search(rf"^fit: .*; {len(retimed)} cues? retimed$", output, re.MULTILINE)
    assert "retimed</summary>" in (out / "subtrans-batch.html").read_text(encoding="utf-8")


def test_batch_check_reports_what_check_reports(tmp_path):
    src = tmp_path / "subs"
    for name in ("red-silk.ru.srt", "red-silk.zh.srt", "red-silk.ru.vtt"):
        (src / name[:8]).mkdir(parents=True, exist_ok=True)
        shutil.copy(EXAMPLES / name, src / name[:8] / name)
    (src / "zz-broken.srt").write_bytes(b"1\n00:00:01,000 --> 00:00:0x,000\nbroken\n")
    code, output = run("batch", "check", src, "--format", "json", "-o", tmp_path / "batch.json")
    assert code == 2 and "zz-broken.srt" in output
    from subtrans.batch import collect_inputs

    files = collect_inputs(src)[0]                  # the same files, in the same order
    cli_code, _ = run("check", *files, "--format", "json", "-o", tmp_path / "cli.json")
    assert cli_code == code
    batch_report = json.loads((tmp_path / "batch.json").read_text(encoding="utf-8"))
    assert batch_report == json.loads((tmp_path / "cli.json").read_text(encoding="utf-8"))
    code, _ = run("batch", "check", src, "--format", "html", "-o", tmp_path / "r.html", "--ignore", "overlap")
    assert code == 2 and (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


class CrashingBackend(PseudoBackend):
    """Kills its process on a line holding КРАХ (every time) or СБОЙ (the first time only)."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def translate(self, texts, **kwargs):
        if any("КРАХ" in t for t in texts):
            os._exit(1)
        if any("СБОЙ" in t for t in texts) and not os.path.exists(self.marker):
            Path(self.marker).touch()
            os._exit(1)
        return super().translate(texts, **kwargs)


def test_a_dying_actor_fails_one_file_and_the_pool_goes_on(tmp_path):
    from subtrans.batch import run_batch_translate

    src = tmp_path / "in"
    src.mkdir()
    for name, lines in (("a.srt", RU_SENTENCES), ("crash.srt", ["Поезд.", "КРАХ!"]),
                        ("flaky.srt", ["СБОЙ в пути.", "Поезд."]), ("z.srt", RU_SENTENCES[:2])):
        (src / name).write_text(srt(lines), encoding="utf-8")
    result = run_batch_translate(src, to="zh", output_dir=tmp_path / "out", backend=CrashingBackend(str(tmp_path / "m")),
                                 cache=False)
    status = {Path(f.path).name: f.status for f in result.files}
    assert status == {"a.srt": "translated", "crash.srt": "failed", "flaky.srt": "translated", "z.srt": "translated"}
    crashed = result.files[1]
    assert crashed.stage == "translate" and "actor died" in str(crashed.error)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.zh.srt", "flaky.zh.srt", "z.zh.srt"]
    assert (tmp_path / "m").exists()       # flaky.srt did kill its actor once, and was done on the retry
    flaky = next(f for f in result.files if Path(f.path).name == "flaky.srt")
    assert flaky.warnings[0].startswith("translated again: its translation worker died")   # the summary says so
    assert "tried 2 times" in str(crashed.error)


def test_a_model_that_cannot_load_stops_the_run_with_one_line(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.srt").write_text(srt(RU_SENTENCES), encoding="utf-8")
    code, output = run("batch", "translate", src, "--to", "zh", "--output-dir", tmp_path / "out",
                       "--model", tmp_path / "no-such-model")
    assert code == 2 and "Traceback" not in output
    assert [ln for ln in output.splitlines() if ln.startswith("subtrans: error:")][0].count("no-such-model") >= 1


@pytest.mark.parametrize("flag,expected", [("--no-names", False), ("--names", True)])
def test_batch_passes_the_names_and_context_options_to_the_translator(flag, expected, tmp_path, monkeypatch):
    """The names flag reaches the translator as given (it was once overwritten by the input file list)."""
    import subtrans.pipeline.translator as translator

    seen = {}

    class Stop(Exception):
        pass

    def spy(self, model=None, **options):
        seen.update(options)
        raise Stop

    monkeypatch.setattr(translator.Translator, "__init__", spy)
    films = tmp_path / "films"
    films.mkdir()
    (films / "a.ru.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nДа.\n\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", "translate", str(films), "--to", "zh", "--output-dir",
                                       str(tmp_path / "out"), flag, "--context", "3"])
    assert isinstance(result.exception, Stop), result.output
    assert seen["names"] is expected and seen["context"] == 3

