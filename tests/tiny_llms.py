"""Tiny random-weight translation LLMs of each family's architecture, with a real tokenizer and chat template.

Each builder trains a byte-level BPE tokenizer (the ``tokenizers`` library) on :func:`tiny_corpus`,
registers the family's special tokens, writes a chat template with the family's structure (ChatML for
Qwen3, HunYuan's ``<|startoftext|>…<|extra_0|>`` turn, TranslateGemma's one user turn with language
codes; Seed-X has none), and saves a model of the real class with a few small layers. The templates
follow the structure the model cards document; the exact vendor strings stay with the real models.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tiny_models import _need_mt, _seed, tiny_corpus

QWEN3_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}{% endif %}")
HUNYUAN_TEMPLATE = "{% for m in messages %}<|startoftext|>{{ m['content'] }}<|extra_0|>{% endfor %}"
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>user\n"
    "{% set c = m['content'][0] %}You are a professional {{ c['source_lang_code'] }} to "
    "{{ c['target_lang_code'] }} translator. Produce only the translation.\n\n\n{{ c['text'] }}<end_of_turn>\n"
    "{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}")

FAMILIES = {
    # family: (special tokens, eos, chat template)
    "qwen3": (["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"], "<|im_end|>", QWEN3_TEMPLATE),
    "hunyuan": (["<|startoftext|>", "<|extra_0|>", "<|eos|>", "<|pad|>"], "<|eos|>", HUNYUAN_TEMPLATE),
    "gemma3": (["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"], "<end_of_turn>",
               GEMMA_TEMPLATE),
    "mistral": (["<unk>", "<s>", "</s>"], "</s>", None),
}


def train_bpe_tokenizer(family: str, vocab_size: int = 600):
    """A byte-level BPE tokenizer trained on the tiny corpus, with ``family``'s special tokens and template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials, eos, template = FAMILIES[family]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(tiny_corpus() + ["Translate the following sentence into Russian Chinese"], trainer)
    extra = {"eos_token": eos}
    if family == "qwen3":
        extra.update(pad_token="<|endoftext|>")
    elif family == "hunyuan":
        extra.update(pad_token="<|pad|>", bos_token="<|startoftext|>")
    elif family == "gemma3":
        extra.update(pad_token="<pad>", bos_token="<bos>", unk_token="<unk>")
    else:
        extra.update(bos_token="<s>", unk_token="<unk>")
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, **extra)
    if family == "mistral":
        from tokenizers import processors

        bos = tok.token_to_id("<s>")
        tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", bos)])
        fast = PreTrainedTokenizerFast(tokenizer_object=tok, **extra)
    if template:
        fast.chat_template = template
    return fast


def build_llm(family: str, out_dir: Path) -> Path:
    """A tiny ``family`` model (qwen3, hunyuan, gemma3, mistral) saved in ``out_dir``."""
    import transformers

    _seed()
    tok = train_bpe_tokenizer(family)
    common = dict(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                  eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                  tie_word_embeddings=True)
    if family == "qwen3":
        config = transformers.Qwen3Config(head_dim=8, **common)
        model = transformers.Qwen3ForCausalLM(config)
    elif family == "hunyuan":
        config = transformers.HunYuanDenseV1Config(head_dim=8, **common)
        model = transformers.HunYuanDenseV1ForCausalLM(config)
    elif family == "gemma3":
        # as TranslateGemma 4B: query_pre_attn_scalar = head_dim, linear x8 RoPE scaling on the global layers
        rope = {"full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
                "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}}
        config = transformers.Gemma3TextConfig(head_dim=8, query_pre_attn_scalar=8, sliding_window=512,
                                               rope_parameters=rope, **common)
        model = transformers.Gemma3ForCausalLM(config)
    else:
        config = transformers.MistralConfig(**common)
        model = transformers.MistralForCausalLM(config)
    model.eval()
    model.generation_config.eos_token_id = tok.eos_token_id
    model.generation_config.pad_token_id = tok.pad_token_id
    # random weights rarely pick the end of turn: push it up after a few tokens (see tiny_models._save)
    model.generation_config.exponential_decay_length_penalty = (3, 2.0)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)
    return out_dir


@pytest.fixture(scope="session", params=["qwen3", "hunyuan", "gemma3", "mistral"])
def tiny_llm(request, tmp_path_factory) -> Path:
    """A tiny translation LLM folder of each family in turn."""
    _need_mt()
    pytest.importorskip("tokenizers")
    return build_llm(request.param, tmp_path_factory.mktemp(f"tiny-{request.param}") / f"tiny-{request.param}")
