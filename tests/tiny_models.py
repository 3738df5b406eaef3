"""Tiny random-weight translation models, built in the test session.

No model can be downloaded here, so the loading and translation code is
exercised on models of the real architectures (T5, M2M100, NLLB, Marian) with
d_model 32, one layer a side (about half a megabyte each), random weights and
a real SentencePiece tokenizer trained in a second on a few hundred
generated Russian and Chinese lines.
Each is saved with ``save_pretrained`` (safetensors), so
``AutoTokenizer.from_pretrained(dir)`` and
``AutoModelForSeq2SeqLM.from_pretrained(dir)`` work offline.

Random weights say nothing useful, but the output is deterministic (seeded)
and decodable; the tests check counts, order, non-emptiness and determinism,
never meaning.

Use the session fixtures (``tiny_t5``, ``tiny_m2m100``, ``tiny_nllb``,
``tiny_marian_ru_zh``: each a ``pathlib.Path`` to the model folder) or the
builders (``build_t5(dir)`` ...). ``build_hub_cache`` lays a folder out as a
Hugging Face cache entry so resolution through the cache can be tested
offline. Fixtures skip when torch, transformers or sentencepiece is missing.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import warnings
from pathlib import Path

import pytest

__all__ = [
    "tiny_corpus",
    "train_spm",
    "build_t5",
    "build_m2m100",
    "build_nllb",
    "build_marian",
    "build_hub_cache",
    "make_pickle_copy",
    "fake_commit",
    "tiny_t5",
    "tiny_m2m100",
    "tiny_nllb",
    "tiny_marian_ru_zh",
    "RU_SENTENCES",
    "ZH_SENTENCES",
]

# Sample inputs for translation tests (not used for training).
RU_SENTENCES = ["Привет, как дела?", "Я люблю читать книги.", "Завтра будет дождь.", "Где мой брат?"]
ZH_SENTENCES = ["你好，你怎么样？", "我喜欢看书。", "明天会下雨。", "我的哥哥在哪里？"]

RU_WORDS = (
    "я ты он она мы вы они это дом город река лес небо солнце дождь снег книга письмо друг брат сестра "
    "мать отец ребёнок школа работа время день ночь утро вечер год слово вопрос ответ дорога машина "
    "хороший плохой большой маленький новый старый красный белый тёплый холодный быстро медленно "
    "идти читать писать говорить любить знать видеть слушать жить работать думать ждать где когда "
    "почему как что кто здесь там сегодня завтра вчера всегда никогда очень ещё уже не да нет и но"
).split()
ZH_WORDS = (
    "我 你 他 她 我们 你们 他们 这 那 家 城市 河 森林 天空 太阳 雨 雪 书 信 朋友 哥哥 姐姐 妈妈 爸爸 "
    "孩子 学校 工作 时间 白天 晚上 早上 年 字 问题 回答 路 汽车 好 坏 大 小 新 旧 红 白 暖 冷 快 慢 "
    "去 看 写 说 爱 知道 听 住 想 等 哪里 什么时候 为什么 怎么 什么 谁 这里 那里 今天 明天 昨天 "
    "总是 从不 很 还 已经 不 是 没有 和 但是 的 了 吗 在 有 会 下 喜欢"
).split()
_RU_PUNCT = [".", "!", "?", ",", "…"]
_ZH_PUNCT = ["。", "！", "？", "，", "、"]


def tiny_corpus(lines: int = 400, seed: int = 0) -> list[str]:
    """Russian and Chinese lines made from small word lists (half each), deterministic."""
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(lines):
        if i % 2 == 0:
            words = [rng.choice(RU_WORDS) for _ in range(rng.randint(3, 9))]
            line = " ".join(words)
            line = line[0].upper() + line[1:] + rng.choice(_RU_PUNCT)
        else:
            line = "".join(rng.choice(ZH_WORDS) for _ in range(rng.randint(3, 9))) + rng.choice(_ZH_PUNCT)
        out.append(line)
    # make sure every character of the sample inputs is seen at least once
    out.extend(RU_SENTENCES + ZH_SENTENCES)
    return out


def train_spm(out_dir: Path, *, model_type: str = "unigram", vocab_size: int = 800,
              pad_id: int = 0, eos_id: int = 1, unk_id: int = 2, bos_id: int = -1) -> Path:
    """Train a SentencePiece model on :func:`tiny_corpus`; return the ``.model`` path."""
    import sentencepiece as spm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "corpus.txt"
    corpus.write_text("\n".join(tiny_corpus()) + "\n", encoding="utf-8")
    prefix = out_dir / f"spm-{model_type}"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        model_type=model_type,
        vocab_size=vocab_size,
        character_coverage=1.0,
        hard_vocab_limit=False,
        pad_id=pad_id,
        eos_id=eos_id,
        unk_id=unk_id,
        bos_id=bos_id,
        num_threads=1,
        minloglevel=2,
    )
    corpus.unlink()
    return prefix.with_suffix(".model")


def _spm_pieces(model_file: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_file))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _seed() -> None:
    import torch

    torch.manual_seed(0)


def _save(model, tokenizer, out_dir: Path) -> Path:
    model.eval()
    # Random weights rarely pick </s>: push it up after a few tokens (a standard generation setting,
    # applied by generate() from generation_config.json) so that whole-file tests stay fast.
    model.generation_config.exponential_decay_length_penalty = (3, 2.0)
    model.save_pretrained(out_dir)  # safetensors (transformers 5 writes nothing else)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def build_t5(out_dir: Path, spm_model: Path | None = None) -> Path:
    """A T5ForConditionalGeneration (d_model 32, one layer each side) with a Unigram tokenizer.

    Like utrobinmv/t5_translate_en_ru_zh_*, the target language is chosen by
    a text prefix (``translate to zh: ``); this tiny one was never trained on it.
    """
    from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    spm_model = spm_model or train_spm(out_dir / "_spm", model_type="unigram")
    src = out_dir / "_src"
    src.mkdir(exist_ok=True)
    shutil.copy(spm_model, src / "spiece.model")
    tokenizer = T5Tokenizer.from_pretrained(src, extra_ids=0)
    _seed()
    config = T5Config(
        vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_decoder_layers=1,
        num_heads=4, relative_attention_num_buckets=8, pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.pad_token_id,
    )
    model = T5ForConditionalGeneration(config)
    _save(model, tokenizer, out_dir)
    shutil.rmtree(src)
    shutil.rmtree(out_dir / "_spm", ignore_errors=True)
    return out_dir


def build_m2m100(out_dir: Path, spm_model: Path | None = None) -> Path:
    """An M2M100ForConditionalGeneration with the M2M100 tokenizer (``__ru__``/``__zh__`` language tokens)."""
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    # fairseq order: <s>=0 <pad>=1 </s>=2 <unk>=3
    spm_model = spm_model or train_spm(out_dir / "_spm", model_type="bpe", bos_id=0, pad_id=1, eos_id=2, unk_id=3)
    pieces = _spm_pieces(spm_model)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    src = out_dir / "_src"
    src.mkdir(exist_ok=True)
    (src / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    shutil.copy(spm_model, src / "sentencepiece.bpe.model")
    tokenizer = M2M100Tokenizer(vocab_file=str(src / "vocab.json"), spm_file=str(src / "sentencepiece.bpe.model"))
    _seed()
    # len(tokenizer) misses the language tokens, which sit after vocab.json, then a few "made-up words"
    vocab_size = max(tokenizer.lang_token_to_id.values()) + 1 + tokenizer.num_madeup_words
    config = M2M100Config(
        vocab_size=vocab_size, d_model=32, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64,
        max_position_embeddings=256, pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
        scale_embedding=True,
    )
    model = M2M100ForConditionalGeneration(config)
    _save(model, tokenizer, out_dir)
    shutil.rmtree(src)
    shutil.rmtree(out_dir / "_spm", ignore_errors=True)
    return out_dir


def build_nllb(out_dir: Path, spm_model: Path | None = None) -> Path:
    """An NLLB-style model: M2M100ForConditionalGeneration with an NllbTokenizer (``rus_Cyrl``, ``zho_Hans`` ...)."""
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    spm_model = spm_model or train_spm(out_dir / "_spm", model_type="bpe", bos_id=0, pad_id=1, eos_id=2, unk_id=3)
    src = out_dir / "_src"
    src.mkdir(exist_ok=True)
    shutil.copy(spm_model, src / "sentencepiece.bpe.model")
    tokenizer = NllbTokenizer.from_pretrained(src)
    # Built from a bare SentencePiece model, the tokenizer lacks the 202 language codes that the real
    # tokenizer.json carries as added special tokens: add them (after the SentencePiece vocabulary).
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    tokenizer.add_tokens(list(FAIRSEQ_LANGUAGE_CODES), special_tokens=True)
    tokenizer.src_lang = "rus_Cyrl"
    _seed()
    config = M2M100Config(
        vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64,
        max_position_embeddings=256, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, decoder_start_token_id=tokenizer.eos_token_id, scale_embedding=True,
    )
    model = M2M100ForConditionalGeneration(config)
    _save(model, tokenizer, out_dir)
    shutil.rmtree(src)
    shutil.rmtree(out_dir / "_spm", ignore_errors=True)
    return out_dir


def build_marian(out_dir: Path, spm_model: Path | None = None, *, source_lang: str = "ru",
                 target_lang: str = "zh") -> Path:
    """A MarianMTModel with one shared SentencePiece model (``source.spm`` = ``target.spm``), fixed direction."""
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    spm_model = spm_model or train_spm(out_dir / "_spm", model_type="unigram")
    pieces = _spm_pieces(spm_model)
    # Marian convention: </s>=0, <unk>=1, ..., <pad> last
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        if piece not in ("<pad>", "<unk>", "</s>"):
            vocab.setdefault(piece, len(vocab))
    vocab["<pad>"] = len(vocab)
    src = out_dir / "_src"
    src.mkdir(exist_ok=True)
    (src / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    shutil.copy(spm_model, src / "source.spm")
    shutil.copy(spm_model, src / "target.spm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Recommended: pip install sacremoses"
        tokenizer = MarianTokenizer(source_spm=str(src / "source.spm"), target_spm=str(src / "target.spm"),
                                    vocab=str(src / "vocab.json"), source_lang=source_lang,
                                    target_lang=target_lang)
    _seed()
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), decoder_vocab_size=len(vocab), d_model=32, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64,
        max_position_embeddings=256, pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
        forced_eos_token_id=0, share_encoder_decoder_embeddings=True,
    )
    model = MarianMTModel(config)
    _save(model, tokenizer, out_dir)
    shutil.rmtree(src)
    shutil.rmtree(out_dir / "_spm", ignore_errors=True)
    return out_dir


def make_pickle_copy(model_dir: Path, out_dir: Path) -> Path:
    """A copy of ``model_dir`` whose only weights are ``pytorch_model.bin`` (a torch pickle)."""
    import torch
    from safetensors.torch import load_file

    out_dir = Path(out_dir)
    shutil.copytree(model_dir, out_dir)
    weights = out_dir / "model.safetensors"
    torch.save(load_file(str(weights)), out_dir / "pytorch_model.bin")
    weights.unlink()
    return out_dir


def fake_commit(text: str) -> str:
    """A stable 40-hex "commit hash" for a fake Hub cache entry."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def build_hub_cache(cache_dir: Path, repo_id: str, model_dir: Path, *, revision: str = "main",
                    commit: str | None = None) -> Path:
    """Lay ``model_dir`` out as a Hugging Face cache entry; return the snapshot folder.

    ``CACHE/models--org--name/{blobs,refs,snapshots/<commit>}``: blobs named by
    content hash, snapshot files as relative symlinks to them (copies where
    symlinks are not allowed), ``refs/<revision>`` holding the commit, so
    ``huggingface_hub`` finds it with ``HF_HUB_OFFLINE=1``.
    """
    cache_dir = Path(cache_dir)
    commit = commit or fake_commit(f"{repo_id}@{revision}")
    repo = cache_dir / ("models--" + repo_id.replace("/", "--"))
    blobs = repo / "blobs"
    snapshot = repo / "snapshots" / commit
    blobs.mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for file in sorted(Path(model_dir).rglob("*")):
        if not file.is_file():
            continue
        rel = file.relative_to(model_dir)
        data = file.read_bytes()
        blob = blobs / hashlib.sha256(data).hexdigest()
        if not blob.exists():
            blob.write_bytes(data)
        target = snapshot / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        try:
            target.symlink_to(Path("../" * (len(rel.parts) + 1)) / "blobs" / blob.name)
        except OSError:  # pragma: no cover - filesystems without symlinks
            shutil.copy(blob, target)
    if revision != commit:
        ref = repo / "refs" / revision
        ref.parent.mkdir(parents=True, exist_ok=True)
        ref.write_text(commit)
    return snapshot


# --- session fixtures -------------------------------------------------------------------------

def _need_mt() -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("sentencepiece")
    # Tiny matrices gain nothing from threads, and on a busy machine OpenMP's spin-waiting makes
    # each generate() step tens of times slower: one thread for the whole test session.
    torch.set_num_threads(1)


_SPM: dict[str, Path] = {}


def _shared_spm(tmp_path_factory, model_type: str) -> Path:
    """One SentencePiece model of each type per test session, shared by the tiny models."""
    if model_type not in _SPM:
        out = tmp_path_factory.mktemp(f"tiny-spm-{model_type}")
        if model_type == "bpe":  # fairseq ids (M2M100, NLLB): <s>=0 <pad>=1 </s>=2 <unk>=3
            _SPM[model_type] = train_spm(out, model_type="bpe", bos_id=0, pad_id=1, eos_id=2, unk_id=3)
        else:  # T5 / Marian ids: <pad>=0 </s>=1 <unk>=2
            _SPM[model_type] = train_spm(out, model_type="unigram")
    return _SPM[model_type]


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory) -> Path:
    """A tiny T5 folder (prefix-chosen target; ru-zh and zh-ru)."""
    _need_mt()
    return build_t5(tmp_path_factory.mktemp("tiny-t5") / "tiny-t5", _shared_spm(tmp_path_factory, "unigram"))


@pytest.fixture(scope="session")
def tiny_m2m100(tmp_path_factory) -> Path:
    """A tiny M2M100 folder (``__ru__`` / ``__zh__`` language tokens)."""
    _need_mt()
    return build_m2m100(tmp_path_factory.mktemp("tiny-m2m100") / "tiny-m2m100", _shared_spm(tmp_path_factory, "bpe"))


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory) -> Path:
    """A tiny NLLB-style folder (M2M100 weights, NllbTokenizer with ``rus_Cyrl`` / ``zho_Hans`` / ``zho_Hant``)."""
    _need_mt()
    return build_nllb(tmp_path_factory.mktemp("tiny-nllb") / "tiny-nllb", _shared_spm(tmp_path_factory, "bpe"))


@pytest.fixture(scope="session")
def tiny_marian_ru_zh(tmp_path_factory) -> Path:
    """A tiny Marian folder translating ru -> zh only."""
    _need_mt()
    return build_marian(tmp_path_factory.mktemp("tiny-marian") / "tiny-marian-ru-zh",
                        _shared_spm(tmp_path_factory, "unigram"))
