"""What subtrans knows of Russian and Chinese text, shared by the QA rules and the translation pipeline.

- :mod:`.chinese`: jieba words and OpenCC scripts, loaded on first use;
- :mod:`.units`: a cue's shape and the sentence units that run over cues;
- :mod:`.lines`: atoms, break costs and line breaking;
- :mod:`.punctuation`: punctuation and spacing made right for the target language.

Nothing here imports torch or transformers, and jieba, OpenCC and pymorphy3
load only when a function needs them.
"""
