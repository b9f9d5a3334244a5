"""FineMemAgentLoop: one Fine-Mem episode per verl sample, one AgentLoopOutput per chunk step.

Written against verl v0.9.0 (commit 483b8a0): verl's V1 worker (``AgentLoopWorkerTQ``, the default
with ``trainer.use_v1: true``) calls ``run`` once per session (``session_id`` 0..n−1 of a prompt's
``rollout.n``) and accepts the list of outputs it returns.

Flow of ``run``:
1. ``POST /v1/episodes`` with the row's instance (``finemem_instance``: object or JSON string) or its
   id (``finemem_instance_id`` / ``instance_id``), looked up in kwargs then in ``extra_info``; the
   rollout index is verl's ``session_id`` (else ``finemem_rollout``, else 0).
2. For each StepPrompt: verl's ``apply_chat_template`` → ``server_manager.generate`` (request id
   ``finemem-s<session>-<random>``, one per episode) → decode → ``POST .../steps`` with the
   ModelOutput (text, empty toolCalls: the server parses the text, token ids, log-probs).
3. When ``next`` is null: ``POST .../finalize``; each output is a :class:`FineMemStepOutput` whose
   ``reward_score`` is that step's ``rewards.total`` and stays so through verl's postprocess.
   Optionally ``DELETE`` the episode.

Settings (trainer config ``finemem:`` section, overridden by constructor kwargs; url/token also from
the environment ``FINEMEM_URL`` / ``FINEMEM_TOKEN`` / ``FINEMEM_TOKEN_FILE``): url, token, grouping
(pooled|per-step), prompt, call_style, timeout, retries, delete_after_finalize, logprob_distribution.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from typing import Any, Optional

from ._compat import AgentLoopBase, AgentLoopMetrics, register
from .advantage import group_key
from .client import FineMemClient
from .step_output import FineMemStepOutput

__all__ = ["FineMemAgentLoop", "to_hf_messages", "to_hf_tools"]


def to_hf_messages(messages: list[dict]) -> list[dict]:
    """API ChatMessage → the OpenAI/HF chat-template message format."""
    out = []
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            msg: dict[str, Any] = {"role": "assistant", "content": m.get("content", "")}
            calls = m.get("toolCalls") or []
            if calls:
                hf_calls = []
                for c in calls:
                    try:
                        args: Any = json.loads(c.get("arguments", "{}"))
                    except ValueError:
                        args = c.get("arguments", "")
                    hf_calls.append({"id": c.get("id"), "type": "function", "function": {"name": c.get("name"), "arguments": args}})
                msg["tool_calls"] = hf_calls
            out.append(msg)
        elif role == "tool":
            out.append({"role": "tool", "tool_call_id": m.get("toolCallId"), "content": m.get("content", "")})
        else:
            out.append({"role": role, "content": m.get("content", "")})
    return out


def to_hf_tools(tools: Optional[list[dict]]) -> Optional[list[dict]]:
    if not tools:
        return None
    return [
        {"type": "function", "function": {"name": t["name"], "description": t.get("description", ""), "parameters": t.get("parameters", {})}}
        for t in tools
    ]


def _cfg_get(cfg: Any, key: str, default=None):
    if cfg is None:
        return default
    try:
        v = cfg.get(key, default)
    except Exception:
        v = getattr(cfg, key, default)
    return default if v is None else v


def _field(kwargs: dict, *names: str):
    extra = kwargs.get("extra_info") or {}
    for src in (kwargs, extra if isinstance(extra, dict) else {}):
        for n in names:
            if src.get(n) is not None:
                return src[n]
    return None


@register("finemem")
class FineMemAgentLoop(AgentLoopBase):
    #: Tests inject a client factory ``(url, token, timeout, retries) -> client``.
    client_factory = FineMemClient

    def __init__(self, *args, finemem=None, **kwargs):
        # verl v0.9.0 instantiates loops with trainer_config, server_manager, tokenizer, processor,
        # dataset_cls, data_config and tools (and ``name`` from an agent_loop_config_path file); the
        # base class takes them all. ``finemem`` overrides the trainer config's ``finemem:`` section.
        super().__init__(*args, **kwargs)
        fm_overrides = finemem or {}
        fm = _cfg_get(self.config, "finemem", {}) or {}
        get = lambda k, d=None: fm_overrides.get(k, _cfg_get(fm, k, d))  # noqa: E731
        self.url = get("url") or os.environ.get("FINEMEM_URL", "http://127.0.0.1:8787")
        token = get("token") or os.environ.get("FINEMEM_TOKEN")
        token_file = get("token_file") or os.environ.get("FINEMEM_TOKEN_FILE")
        if not token and token_file:
            with open(token_file, encoding="utf-8") as f:
                token = f.read().strip()
        self.token = token
        self.grouping = get("grouping", "pooled")
        if self.grouping not in ("pooled", "per-step"):
            raise ValueError(f"finemem.grouping must be pooled or per-step, got {self.grouping!r}")
        self.prompt_style = get("prompt")
        self.call_style = get("call_style")
        self.delete_after_finalize = bool(get("delete_after_finalize", True))
        self.logprob_distribution = get("logprob_distribution")
        self.client = self.client_factory(self.url, self.token, timeout=float(get("timeout", 120.0)), retries=int(get("retries", 3)))
        self.response_length = _cfg_get(self.rollout_config, "response_length", None)

    async def _call(self, fn, *args, **kw):
        return await asyncio.get_running_loop().run_in_executor(None, lambda: fn(*args, **kw))

    async def run(self, sampling_params: dict[str, Any], **kwargs) -> list:
        instance = _field(kwargs, "finemem_instance")
        if isinstance(instance, str):
            instance = json.loads(instance)
        instance_id = None if instance is not None else _field(kwargs, "finemem_instance_id", "instance_id")
        if instance is None and instance_id is None:
            raise ValueError("FineMemAgentLoop needs finemem_instance or finemem_instance_id/instance_id in the dataset row")
        session = kwargs.get("session_id")
        rollout = int(session if session is not None else (_field(kwargs, "finemem_rollout") or 0))
        seed = _field(kwargs, "finemem_seed")
        created = await self._call(
            self.client.create_episode,
            instance=instance,
            instance_id=None if instance_id is None else str(instance_id),
            prompt=self.prompt_style,
            call_style=self.call_style,
            rollout=rollout,
            seed=None if seed is None else str(seed),
        )
        episode_id = created["episodeId"]
        inst_id = str(created["instanceId"])
        # One request id per episode: verl routes its generations to one server (sticky sessions).
        request_id = f"finemem-s{rollout}-{uuid.uuid4().hex}"
        steps: list[dict] = []
        nxt = created.get("next")
        try:
            while nxt is not None:
                t = int(nxt["step"])
                messages = to_hf_messages(nxt["messages"])
                tools = to_hf_tools(nxt.get("tools"))
                prompt_ids = [int(i) for i in await self.apply_chat_template(messages, tools=tools)]
                t0 = time.perf_counter()
                out = await self.server_manager.generate(request_id=request_id, prompt_ids=prompt_ids, sampling_params=sampling_params)
                gen_s = time.perf_counter() - t0
                limit = sampling_params.get("max_tokens") or sampling_params.get("max_new_tokens") or self.response_length
                generated = [int(i) for i in out.token_ids]
                # verl trains on at most rollout.response_length tokens (as its own loops cut them).
                response_ids = generated[: int(limit)] if limit else generated
                logprobs = None if getattr(out, "log_probs", None) is None else [min(0.0, float(x)) for x in out.log_probs][: len(response_ids)]
                text = self.tokenizer.decode(response_ids, skip_special_tokens=True)
                finish = "length" if limit and len(generated) >= int(limit) else "stop"
                output: dict[str, Any] = {
                    "text": text,
                    "toolCalls": [],
                    "finishReason": finish,
                    "usage": {"promptTokens": len(prompt_ids), "completionTokens": len(response_ids)},
                    "promptTokenIds": prompt_ids,
                    "responseTokenIds": response_ids,
                }
                if logprobs is not None and len(logprobs) == len(response_ids):
                    output["responseLogprobs"] = logprobs
                    if self.logprob_distribution:
                        output["logprobDistribution"] = self.logprob_distribution
                resp = await self._call(self.client.step, episode_id, t, output, idempotency_key=f"{episode_id}:{t}")
                steps.append(
                    {
                        "step": t,
                        "prompt_ids": prompt_ids,
                        "response_ids": response_ids,
                        "logprobs": logprobs,
                        "gen_s": gen_s,
                        "step_rewards": resp.get("rewards"),
                        # min/max_global_steps from verl's LLM client: the V1 trainer's staleness control reads them.
                        "generation_fields": dict(getattr(out, "extra_fields", None) or {}),
                    }
                )
                nxt = resp.get("next")
            final = await self._call(self.client.finalize, episode_id)
        except BaseException:
            try:
                await self._call(self.client.close, episode_id)
            except Exception:
                pass
            raise
        totals = {int(s["step"]): float(s["rewards"]["total"]) for s in final["steps"]}
        # Episode-level figures, the same on every step: verl copies the last output's
        # reward_extra_info onto the earlier ones, and logs it.
        reward_extra_info = {
            "finemem_global_score": final.get("globalScore"),
            "finemem_unattributed": final.get("unattributed"),
        }
        outputs = []
        for s in steps:
            t = s["step"]
            outputs.append(
                FineMemStepOutput(
                    prompt_ids=s["prompt_ids"],
                    response_ids=s["response_ids"],
                    response_mask=[1] * len(s["response_ids"]),
                    response_logprobs=s["logprobs"],
                    reward_score=totals[t],
                    num_turns=2,
                    metrics=AgentLoopMetrics(generate_sequences=s["gen_s"], tool_calls=0.0),
                    extra_fields={
                        **s["generation_fields"],
                        "reward_extra_info": dict(reward_extra_info),
                        "finemem_step": t,
                        "finemem_steps": len(steps),
                        "finemem_episode_id": episode_id,
                        "finemem_instance_id": inst_id,
                        "finemem_rollout": int(created.get("rollout", rollout)),
                        "finemem_group": group_key(inst_id, t, self.grouping),
                        "finemem_group_pooled": group_key(inst_id, t, "pooled"),
                        "finemem_group_per_step": group_key(inst_id, t, "per-step"),
                        "finemem_step_rewards": s["step_rewards"],
                        "finemem_final_rewards": next((x["rewards"] for x in final["steps"] if int(x["step"]) == t), None),
                        "finemem_global_score": final.get("globalScore"),
                        "finemem_unattributed": final.get("unattributed"),
                    },
                )
            )
        if self.delete_after_finalize:
            try:
                await self._call(self.client.close, episode_id)
            except Exception:
                pass
        return outputs
