"""Every QA rule against its table of pass/fail cases, and the rule registry's contract."""

from __future__ import annotations

import re

import pytest

import subtrans
from subtrans.qa import RULES, Severity

from rule_cases import CASES, srt


@pytest.mark.parametrize("rule,profile,text,expected", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_case(rule, profile, text, expected):
    track = subtrans.loads(text)
    flagged = sorted({f.cue for f in subtrans.check(track, profile) if f.rule == rule})
    assert flagged == expected


def test_every_rule_has_cases_or_is_a_reader_rule():
    from test_parity import CASES as PARITY_CASES

    covered = {c[0] for c in CASES} | {c[0] for c in PARITY_CASES} | {"glossary"}  # test_parity.GLOSSARY_CASES
    for name, cls in RULES.items():
        assert name in covered or cls.category == "format", f"{name} has no pass/fail cases"


REQUIRED = {
    "overlap", "min-duration", "max-duration", "min-gap", "negative-duration", "out-of-order",
    "line-length", "max-lines", "empty-cue", "reading-speed",
    "whitespace", "unclosed-tag", "ellipsis", "dialogue-dash", "zh-punctuation", "skipped-block",
}


def test_required_rule_names_exist():
    assert REQUIRED <= set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_rule_contract(name):
    cls = RULES[name]
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name)
    assert isinstance(cls.severity, Severity)
    doc = cls.__doc__ or ""
    assert cls.summary() and "Bad:" in doc and "Good:" in doc, f"{name}: docstring needs a summary, Bad: and Good:"
    assert len({c.code for c in RULES.values()}) == len(RULES)


def test_finding_fields():
    track = subtrans.loads(srt(("1.000", "3.000", "Один"), ("2.500", "4.000", "Два")))
    (f,) = [f for f in subtrans.check(track, "netflix-ru") if f.rule == "overlap"]
    assert (f.cue, f.id, f.start, f.end, f.value, f.limit, f.line) == (2, "2", 2500, 4000, 500, 0, 5)
    assert f.severity is Severity.ERROR and f.code == "T001"


def test_profile_is_picked_from_the_language():
    from subtrans.qa import resolve_profile

    for text, name in [("Привет, товарищ", "netflix-ru"), ("这是西伯利亚快车", "netflix-zh-hans"),
                       ("這是西伯利亞快車，我們走吧", "netflix-zh-hant"), ("Hello there", "default")]:
        prof, auto = resolve_profile(subtrans.loads(srt(("1.000", "3.000", text))))
        assert (prof.name, auto) == (name, True)


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(subtrans.ProfileError, match="unknown profile 'netflix-xx'"):
        subtrans.check(subtrans.loads(srt(("1.000", "3.000", "Да"))), "netflix-xx")


def test_profiles_carry_sources_and_dates():
    for prof in subtrans.list_profiles():
        assert prof.values, prof.name
        for key, value in prof.values.items():
            assert value.source and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.read), (prof.name, key)
    ru = subtrans.load_profile("netflix-ru")
    assert (ru.get("max_chars_per_line"), ru.get("max_cps"), ru.get("max_lines")) == (42, 17, 2)
    assert subtrans.load_profile("netflix-ru-children").get("max_cps") == 13
    assert subtrans.load_profile("netflix-zh-hans").get("max_cps") == 9
