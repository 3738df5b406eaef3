"""How each family of translation LLMs is asked to translate: its own prompt, as its model card gives it.

A prompt is built per sentence from the source text, the languages and the terms its translation must
hold (source form and target form: the glossary and the film's names), and rendered with the model's
own chat template (``tokenizer.apply_chat_template``) where the family has one. The wording is the
vendors' (see ``../shared/design/LLM-MT-NOTES.md`` for where each was read):

- ``hy-mt`` (Tencent Hy-MT2, HY-MT1.5; Hunyuan-MT): the Chinese instruction with the target language's
  Chinese name (the source is not named), and the documented terminology prompt «参考下面的翻译：
  {源} 翻译成 {目标}» when the sentence has terms; a user turn of the chat template.
- ``translategemma`` (Google TranslateGemma): one user turn whose content item carries
  ``source_lang_code``, ``target_lang_code`` and the text; the chat template writes the instruction.
  Nothing is documented for terms: they are enforced in decoding only.
- ``seed-x`` (ByteDance Seed-X-PPO): no chat template; «Translate the following {Source} sentence into
  {Target}:», a new line, the text, a space and the target tag ``<ru>`` / ``<zh>``.
- ``qwen3`` (Qwen3 instruct, a general LLM): our own instruction in a user turn, thinking switched off
  (``enable_thinking=False``), terms listed in the instruction.

Terms are also enforced while decoding (:mod:`subtrans.mt.constraints`), exactly as for the
sequence-to-sequence models: the prompt only lets the model plan for them.

Context: the families that document contextual translation (:data:`CONTEXT_PROMPTS`: Hy-MT's
"参考上面的信息 ... 不需要翻译上文" template; Qwen3 in our own words) get the scene's previous cues,
each with the translation already chosen for it. The pipeline sends such a sentence as one string
(:func:`with_context`), so that the translation memory keys it with its context; the backend takes
it apart again (:func:`split_context`).

Several sentences in one request: a model whose card documents keeping delimiters (Hy-MT2, catalogue
``pack``) gets up to ``pack`` sentences joined by :data:`DELIMITER` with the delimiter instruction; the
backend splits the answer back and translates a sentence alone whenever the parts do not come back
one per sentence, each with its terms.
"""

from __future__ import annotations

import json
from typing import Any, Sequence, cast

__all__ = ["PROMPTS", "CONTEXT_PROMPTS", "DELIMITER", "build_prompt", "with_context", "split_context"]

#: The prompt formats, with the language names or codes each uses.
PROMPTS: dict[str, dict[str, str | tuple[str, str]]] = {
    "hy-mt": {"ru": "俄语", "zh": "中文", "zh-hant": "繁体中文"},
    "translategemma": {"ru": "ru", "zh": "zh", "zh-hant": "zh-TW"},
    "seed-x": {"ru": ("Russian", "ru"), "zh": ("Chinese", "zh"), "zh-hant": ("Chinese", "zh")},
    "qwen3": {"ru": "Russian", "zh": "Simplified Chinese", "zh-hant": "Traditional Chinese"},
}

#: The prompt formats whose models document translation in context.
CONTEXT_PROMPTS = ("hy-mt", "qwen3")

_HY_MT = "将以下文本翻译为{target}，注意只需要输出翻译后的结果，不要额外解释：\n\n{text}"
#: The separator of several sentences in one request (Hy-MT2's delimiter prompt; its report uses "@@").
DELIMITER = "@@"
_HY_MT_DELIMITED = ("将以下文本翻译为{target}，文本中的分隔符“@@”原样保留，数量和位置不变，分隔符不要翻译，"
                    "注意只需要输出翻译后的结果，不要额外解释：\n\n{text}")
_HY_MT_CONTEXT = "{context}\n参考上面的信息，把下面的文本翻译成{target}，注意不需要翻译上文，也不要额外解释：\n{text}"
_HY_MT_TERMS = "参考下面的翻译：\n{terms}\n\n将以下文本翻译为{target}，注意只需要输出翻译后的结果，不要额外解释：\n{text}"
_SEED_X = "Translate the following {source} sentence into {target}:\n{text} <{code}>"
_QWEN3 = ("Translate the following {source} subtitle text into {target}. Output only the translation, "
          "on one line, without quotes, notes or explanations.{terms}\n\n{text}")


_CONTEXT_MARK, _TEXT_MARK = "\u0001context:", "\u0002"


def with_context(text: str, context: Sequence[tuple[str, str]]) -> str:
    """``text`` with the scene's previous cues (source, translation) as one request string."""
    if not context:
        return text
    return _CONTEXT_MARK + json.dumps([list(p) for p in context], ensure_ascii=False) + _TEXT_MARK + text


def split_context(request: str) -> tuple[str, list[tuple[str, str]]]:
    """The text and the context of a request string (:func:`with_context`)."""
    if not request.startswith(_CONTEXT_MARK) or _TEXT_MARK not in request:
        return request, []
    head, _, text = request[len(_CONTEXT_MARK):].partition(_TEXT_MARK)
    try:
        pairs = [(str(a), str(b)) for a, b in json.loads(head)]
    except (ValueError, TypeError):
        return request, []
    return text, pairs


def build_prompt(family: str, tokenizer: Any, text: str, source: str, target: str,
                 terms: Sequence[tuple[str, str]] = (), context: Sequence[tuple[str, str]] = ()) -> tuple[str, bool]:
    """The prompt for one sentence, and whether the tokenizer should add its special tokens (BOS) to it.

    ``terms``: (source form, target form) pairs the translation must hold. ``context``: the scene's
    previous cues, each (source, translation), for the families of :data:`CONTEXT_PROMPTS` (the others
    ignore it: their cards document no contextual prompt)."""
    names = PROMPTS[family]
    terms = [(s, t) for s, t in terms if s and t]
    context = [(s, t) for s, t in context if s] if family in CONTEXT_PROMPTS else []
    if family == "seed-x":
        (src_name, _), (tgt_name, code) = cast("tuple[tuple[str, str], tuple[str, str]]", (names[source], names[target]))
        return _SEED_X.format(source=src_name, target=tgt_name, text=text, code=code), True
    if family == "hy-mt":
        if context:
            lines = "\n".join(f"{s}\n{t}" if t else s for s, t in context)
            content = _HY_MT_CONTEXT.format(context=lines, target=names[target], text=text)
            if terms:
                content = "参考下面的翻译：\n" + "\n".join(f"{s} 翻译成 {t}" for s, t in terms) + "\n\n" + content
        elif f" {DELIMITER} " in text:   # several sentences in one request (Hy-MT2's delimiter prompt)
            content = _HY_MT_DELIMITED.format(target=names[target], text=text)
            if terms:
                content = "参考下面的翻译：\n" + "\n".join(f"{s} 翻译成 {t}" for s, t in terms) + "\n\n" + content
        elif terms:
            listed = "\n".join(f"{s} 翻译成 {t}" for s, t in terms)
            content = _HY_MT_TERMS.format(terms=listed, target=names[target], text=text)
        else:
            content = _HY_MT.format(target=names[target], text=text)
        return _chat(tokenizer, [{"role": "user", "content": content}]), False
    if family == "translategemma":
        item = {"type": "text", "source_lang_code": names[source], "target_lang_code": names[target], "text": text}
        return _chat(tokenizer, [{"role": "user", "content": [item]}]), False
    if family == "qwen3":
        listed = "" if not terms else " Translate these terms exactly so: " + "; ".join(f"{s} → {t}" for s, t in terms) + "."
        if context:
            listed += (" Context only, do not translate it (the scene's previous lines with their translations, "
                       "the line in another language):\n" + "\n".join(f"{s} → {t}" if t else s for s, t in context))
        content = _QWEN3.format(source=names[source], target=names[target], terms=listed, text=text)
        return _chat(tokenizer, [{"role": "user", "content": content}], enable_thinking=False), False
    raise ValueError(f"unknown prompt format {family!r}")


def _chat(tokenizer: Any, messages: list[dict[str, Any]], **options: Any) -> str:
    prompt: str = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True, **options)
    return prompt
