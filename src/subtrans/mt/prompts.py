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
"""

from __future__ import annotations

from typing import Sequence

__all__ = ["PROMPTS", "build_prompt"]

#: The prompt formats, with the language names or codes each uses.
PROMPTS = {
    "hy-mt": {"ru": "俄语", "zh": "中文", "zh-hant": "繁体中文"},
    "translategemma": {"ru": "ru", "zh": "zh", "zh-hant": "zh-TW"},
    "seed-x": {"ru": ("Russian", "ru"), "zh": ("Chinese", "zh"), "zh-hant": ("Chinese", "zh")},
    "qwen3": {"ru": "Russian", "zh": "Simplified Chinese", "zh-hant": "Traditional Chinese"},
}

_HY_MT = "将以下文本翻译为{target}，注意只需要输出翻译后的结果，不要额外解释：\n\n{text}"
_HY_MT_TERMS = "参考下面的翻译：\n{terms}\n\n将以下文本翻译为{target}，注意只需要输出翻译后的结果，不要额外解释：\n{text}"
_SEED_X = "Translate the following {source} sentence into {target}:\n{text} <{code}>"
_QWEN3 = ("Translate the following {source} subtitle text into {target}. Output only the translation, "
          "on one line, without quotes, notes or explanations.{terms}\n\n{text}")


def build_prompt(family: str, tokenizer, text: str, source: str, target: str,
                 terms: Sequence[tuple[str, str]] = ()) -> tuple[str, bool]:
    """The prompt for one sentence, and whether the tokenizer should add its special tokens (BOS) to it.

    ``terms``: (source form, target form) pairs the translation must hold."""
    names = PROMPTS[family]
    terms = [(s, t) for s, t in terms if s and t]
    if family == "seed-x":
        (src_name, _), (tgt_name, code) = names[source], names[target]
        return _SEED_X.format(source=src_name, target=tgt_name, text=text, code=code), True
    if family == "hy-mt":
        if terms:
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
        content = _QWEN3.format(source=names[source], target=names[target], terms=listed, text=text)
        return _chat(tokenizer, [{"role": "user", "content": content}], enable_thinking=False), False
    raise ValueError(f"unknown prompt format {family!r}")


def _chat(tokenizer, messages, **options) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True, **options)
