"""Stage 2, terms: the glossary terms in each source text, the forms the decoder may use, and the term report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..text import strip_tags

if TYPE_CHECKING:  # pragma: no cover
    from ..glossary import Glossary, TermMatch
    from ..lang.units import Unit
    from ..model import Track

__all__ = ["TermFinder", "TermForms"]


class TermFinder:
    """Glossary terms of the source, the forms the decoder may use, and the per-file term report."""

    def __init__(self, glossary: Glossary | None, source: str, model_target: str) -> None:
        self.glossary, self.source, self.model_target = glossary, source, model_target
        if source.startswith("zh") or model_target.startswith("zh"):
            from ..glossary import register_jieba_terms

            register_jieba_terms(glossary or None)  # splitting and line breaking keep the terms whole

    def matches(self, text: str) -> list[TermMatch]:
        """The glossary terms in ``text`` (each once) that have a rendering in the model's target."""
        if not self.glossary:
            return []
        from ..glossary import find_terms

        seen: set[int] = set()
        out: list[TermMatch] = []
        for m in find_terms(text, self.source, self.glossary):
            if m.term.text(self.model_target) and id(m.term) not in seen:
                seen.add(id(m.term))
                out.append(m)
        return out

    def constraints(self, matches: Iterable[TermMatch]) -> list[list[str]]:
        """The terms a translation must hold, each as its list of acceptable forms (a :class:`TermForms`:
        a list that also says the source's form, for a model whose prompt takes a glossary)."""
        from ..glossary import target_forms

        return [TermForms(forms, m.surface) for m in matches if (forms := target_forms(m.term, self.model_target))]


    def constraints_of(self, texts: Iterable[str], matches: Iterable[list[TermMatch]]) -> dict[str, list[list[str]]]:
        """``{text: constraints}`` for the texts that have terms."""
        return {t: self.constraints(m) for t, m in zip(texts, matches) if m}

    def report(self, units: Sequence[Unit], unit_texts: Sequence[str], unit_matches: Sequence[list[TermMatch]],
               out: "Track", how: dict[str, list[str]], target: str) -> list[dict[str, Any]]:
        """One row per term occurrence: ``{"cue", "source", "target", "how"}``, where ``how`` is the
        mechanism that put it into the translation (``how``: per text, from the memory), ``cached``, or
        ``missing`` when the output lacks it."""
        from ..glossary import target_present

        rows: list[dict[str, Any]] = []
        for u, key, matches in zip(units, unit_texts, unit_matches):
            if not matches:
                continue
            cues = sorted({i for i, _ in u.slots})
            joiner = " " if target == "ru" else ""
            output = joiner.join(strip_tags(out.cues[i].text, entities=True) for i in cues)
            labels = how.get(key)
            for k, m in enumerate(matches):
                if not target_present(output, m.term, target):
                    verdict = "missing"
                elif labels is not None and k < len(labels):
                    verdict = labels[k]
                else:
                    verdict = "cached" if key not in how else "free"
                rows.append({"cue": cues[0] + 1, "source": m.surface, "target": m.term.text(target),
                             "how": verdict})
        return rows


class TermForms(list[str]):
    """The acceptable target forms of one term (a plain list to every backend), and ``source``: the
    term as the source text writes it (Hy-MT's terminology prompt: «{source} 翻译成 {target}»)."""

    def __init__(self, forms: Iterable[str], source: str = "") -> None:
        super().__init__(forms)
        self.source = source
