"""Deterministic stand-ins for the model side (not verl classes): a byte-level tokenizer and a
scripted generator, used by ``scripts/run_standin_rollouts.py`` and the tests.

- :class:`ByteTokenizer` mimics ``apply_chat_template(messages, tools=..., add_generation_prompt=True,
  tokenize=True)`` and ``decode(ids, skip_special_tokens=True)``: a token is one UTF-8 byte (id = byte).
- :func:`scripted_response` emits, for chunk text, one flat-tool-set ``memory_insert`` call
  (argument ``content``) per sentence in Qwen's ``<tool_call>`` text form; rollout r > 0 drops every
  sentence whose index i has (i + r) % 3 == 2, so the G rollouts differ deterministically.
- :func:`fake_logprobs` gives one log-prob ≤ 0 per response token, a function of (rollout, step, i).
- :class:`ScriptedGenerator` answers each episode's k-th call with chunk k; it reads the rollout from
  the request id FineMemAgentLoop sends (``finemem-s<session>-<random>``, one per episode), so the G
  sessions of a prompt, run concurrently as verl runs them, differ deterministically.
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


_REQUEST = re.compile(r"^finemem-s(\d+)-")


class ScriptedGenerator:
    """``generate_fn(request_id, prompt_ids, sampling_params)``: the k-th call of a request id answers
    chunk k (1-based) of ``chunks`` as rollout r, r read from the request id (0 when it names none)."""

    def __init__(self, chunks, tokenizer: ByteTokenizer | None = None):
        self.chunks = list(chunks)
        self.tokenizer = tokenizer or ByteTokenizer()
        self.calls: dict[str, int] = {}
        self.prompts: dict[str, list[list[int]]] = {}

    def rollout_of(self, request_id: str) -> int:
        match = _REQUEST.match(str(request_id))
        return int(match.group(1)) if match else 0

    def __call__(self, request_id, prompt_ids, sampling_params):
        call = self.calls.get(request_id, 0) + 1
        self.calls[request_id] = call
        self.prompts.setdefault(request_id, []).append(prompt_ids)
        rollout = self.rollout_of(request_id)
        text = scripted_response(chunk_text(self.chunks[call - 1]), rollout)
        ids = self.tokenizer.encode(text)
        return TokenOutput(token_ids=ids, log_probs=fake_logprobs(len(ids), rollout, call), stop_reason="completed")
