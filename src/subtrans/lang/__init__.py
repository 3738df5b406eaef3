"""What subtrans knows of Russian and Chinese text, shared by the QA rules and the translation pipeline.

- :mod:`.chinese`: jieba words (and their tags) and OpenCC scripts, loaded on first use;
- :mod:`.russian`: pymorphy3's grammar, loaded on first use;
- :mod:`.units`: a cue's shape and the sentence units that run over cues;
- :mod:`.binding`: what binds neighbouring words (a name, a number and its noun, a
  preposition and its word ...), so that no line or cue break falls between them;
- :mod:`.lines`: atoms, break costs and line breaking;
- :mod:`.punctuation`: punctuation and spacing made right for the target language.

The word lists, tags and weights are data, each with its sources:
``lang/data/ru.toml``, ``zh.toml`` (what binds) and ``breaks.toml`` (what a break
costs). Nothing here imports torch or transformers, and jieba, OpenCC and
pymorphy3 load only when a function needs them.
"""
