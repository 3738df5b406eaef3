"""A deterministic stand-in for a translation model, for pipeline tests.

It "translates" word by word into pseudo-words of the target script (so
lengths and punctuation behave like a real translation), counts what it is
asked, and can be told to fail after some batches (an interrupted job).
"""

from __future__ import annotations

import re
import zlib

from subtrans.mt.backends import Backend
from subtrans.mt.catalog import ModelSpec

HAN = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长"
RU = ["поезд", "ночь", "город", "человек", "дорога", "письмо", "вокзал", "друг", "время", "слово", "дело",
      "утро", "окно", "билет", "граница", "река", "снег", "свет", "голос", "рука"]
_PUNCT_ZH = {".": "。", ",": "，", "?": "？", "!": "！", ":": "：", ";": "；", "…": "…"}
_PUNCT_RU = {v: k for k, v in _PUNCT_ZH.items()}


class Interrupted(RuntimeError):
    pass


class PseudoBackend(Backend):
    name = "pseudo"

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__(ModelSpec(name="pseudo", hub_id=None, architecture="t5", directions=("ru-zh", "zh-ru"),
                                   target_by="prefix", codes={"ru": "", "zh": ""}, revision="1", beams=1))
        self.calls: list[list[str]] = []
        self.fail_after = fail_after

    def translate(self, texts, *, source, target, beams=1, max_length=None, constraints=None):
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise Interrupted("killed")
        self.calls.append(list(texts))
        out = [self.one(t, target) for t in texts]
        # Terms: put the first form of each required term before the final punctuation.
        self.last_enforcement = []
        for k, terms in enumerate(constraints or []):
            labels = []
            for forms in terms:
                if any(f in out[k] for f in forms):
                    labels.append("free")
                    continue
                body = out[k].rstrip("。！？.!?")
                sep = "" if target.startswith("zh") else " "
                out[k] = body + sep + forms[0] + out[k][len(body):]
                labels.append("appended")
            self.last_enforcement.append(labels)
        return out

    @property
    def sentences(self) -> int:
        return sum(len(c) for c in self.calls)

    @staticmethod
    def one(text: str, target: str) -> str:
        if target.startswith("zh"):
            out = []
            for tok in re.findall(r"\w+|[^\w\s]", text):
                if tok[0].isalnum():
                    h = zlib.crc32(tok.lower().encode())
                    n = max(1, len(tok) // 3)
                    out.append("".join(HAN[(h >> (3 * k)) % len(HAN)] for k in range(n)))
                else:
                    out.append(_PUNCT_ZH.get(tok, tok))
            return "".join(out)
        words = []
        for tok in re.findall(r"[\u4e00-\u9fff]{1,2}|[^\u4e00-\u9fff\s]", text):
            if "\u4e00" <= tok[0] <= "\u9fff":
                words.append(" " + RU[zlib.crc32(tok.encode()) % len(RU)])
            else:
                words.append(_PUNCT_RU.get(tok, tok))
        s = "".join(words).strip()
        return s[:1].upper() + s[1:]


class StandInEngine(Backend):
    """An engine that answers from a table (or a function of the text) and records what it was sent:
    the pipeline tests judge what reaches the engine and what subtrans does with the answer."""

    name = "stand-in"

    def __init__(self, answer) -> None:
        super().__init__(ModelSpec(name="stand-in", hub_id=None, architecture="t5", directions=("ru-zh", "zh-ru"),
                                   target_by="prefix", codes={"ru": "", "zh": ""}, revision="1", beams=1))
        self.answer = answer if callable(answer) else (lambda text: answer.get(text, f"<unknown input {text!r}>"))
        self.inputs: list[str] = []

    def translate(self, texts, *, source, target, beams=1, max_length=None, constraints=None):
        self.inputs.extend(texts)
        return [self.answer(t) for t in texts]
