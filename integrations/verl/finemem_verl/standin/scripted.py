"""Deterministic stand-ins for the model side (not verl classes): a byte-level tokenizer and a
scripted generator, used by ``scripts/run_standin_rollouts.py`` and the tests.

- :class:`ByteTokenizer` mimics ``apply_chat_template(messages, tools=..., add_generation_prompt=True,
  tokenize=True)`` and ``decode(ids, skip_special_tokens=True)``: a token is one UTF-8 byte (id = byte).
- :func:`scripted_response` emits, for chunk text, one flat-tool-set ``memory_insert`` call
  (argument ``content``) per sentence in Qwen's ``<tool_call>`` text form; rollout r > 0 drops every
  sentence whose index i has (i + r) % 3 == 2, so the G rollouts differ deterministically.
- :func:`fake_logprobs` gives one log-prob ≤ 0 per response token, a function of (rollout, step, i).
"""

from __future__ import annotations

import json
import re

from .agent_loop import TokenOutput


class ByteTokenizer:
    def apply_chat_template(self, messages, tools=None, add_generation_prompt=True, tokenize=True, **kwargs):
        parts = []
        if tools:
            parts.append("<tools>" + json.dumps(tools, sort_keys=True, ensure_ascii=False) + "</tools>")
        for m in messages:
            parts.append(f"<|{m['role']}|>{m.get('content') or ''}")
        if add_generation_prompt:
            parts.append("<|assistant|>")
        text = "\n".join(parts)
        return list(text.encode("utf-8")) if tokenize else text

    def decode(self, ids, skip_special_tokens=True):
        return bytes(int(i) for i in ids).decode("utf-8", "replace")

    def encode(self, text):
        return list(text.encode("utf-8"))


_SENT = re.compile(r"(?<=[.!?])\s+")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text or "") if s.strip()]


def scripted_response(chunk_text: str, rollout: int) -> str:
    sents = split_sentences(chunk_text)
    kept = [s for i, s in enumerate(sents) if rollout == 0 or (i + rollout) % 3 != 2]
    calls = [{"name": "memory_insert", "arguments": {"content": s}} for s in kept]
    if not calls:
        calls = [{"name": "memory_skip", "arguments": {}}]
    return "\n".join("<tool_call>\n" + json.dumps(c, ensure_ascii=False) + "\n</tool_call>" for c in calls)


def fake_logprobs(n: int, rollout: int, step: int) -> list[float]:
    return [-(((i * 31 + step * 17 + rollout * 7) % 97) + 1) / 64.0 for i in range(n)]


def chunk_text(chunk) -> str:
    return chunk.get("text", "") if isinstance(chunk, dict) else str(chunk)


class ScriptedGenerator:
    """``generate_fn(request_id, prompt_ids, sampling_params)`` for one rollout: the k-th call
    answers chunk k (1-based) of ``chunks``."""

    def __init__(self, chunks, rollout: int, tokenizer: ByteTokenizer | None = None):
        self.chunks = list(chunks)
        self.rollout = rollout
        self.tokenizer = tokenizer or ByteTokenizer()
        self.calls = 0
        self.prompts: list[list[int]] = []

    def __call__(self, request_id, prompt_ids, sampling_params):
        self.calls += 1
        self.prompts.append(prompt_ids)
        text = scripted_response(chunk_text(self.chunks[self.calls - 1]), self.rollout)
        ids = self.tokenizer.encode(text)
        return TokenOutput(token_ids=ids, log_probs=fake_logprobs(len(ids), self.rollout, self.calls), stop_reason="stop")
