"""Stand-in for ``verl/experimental/agent_loop/agent_loop.py`` at verl v0.9.0 (commit 483b8a0).

It is a stand-in because verl, torch and ray cannot be installed here. Only what the Fine-Mem plugin
touches is reproduced, with v0.9.0's names and signatures; the real classes are pydantic models and
ray actors with padding, multimodal, continuous-token and reward-loop logic that is absent here.
Lists stand in for tensors.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class TokenOutput:
    """Stand-in for ``verl.workers.rollout.replica.TokenOutput(BaseModel)``: token_ids, log_probs,
    routed_experts, stop_reason, num_preempted, extra_fields (the LLM client adds
    ``min_global_steps`` / ``max_global_steps``)."""

    token_ids: list[int]
    log_probs: Optional[list[float]] = None
    routed_experts: Optional[Any] = None
    stop_reason: Optional[str] = None
    num_preempted: Optional[int] = None
    extra_fields: dict[str, Any] = field(default_factory=dict)


class LLMServerClient:
    """Stand-in for ``verl.workers.rollout.llm_server.LLMServerClient``, whose coroutine is::

        async def generate(self, request_id, *, prompt_ids: list[int], sampling_params: dict[str, Any],
                           image_data=None, video_data=None, audio_data=None, mm_processor_kwargs=None,
                           **kwargs) -> TokenOutput

    Construct it with ``generate_fn(request_id, prompt_ids, sampling_params) -> TokenOutput`` (sync or
    async); tests and the stand-in script pass a scripted generator. Like the real client it sets
    ``min_global_steps`` / ``max_global_steps`` in the output's extra fields.
    """

    def __init__(self, generate_fn, global_steps: int = 1):
        self._generate_fn = generate_fn
        self.global_steps = global_steps

    async def generate(
        self,
        request_id,
        *,
        prompt_ids,
        sampling_params,
        image_data=None,
        video_data=None,
        audio_data=None,
        mm_processor_kwargs=None,
        **kwargs,
    ):
        out = self._generate_fn(request_id, list(prompt_ids), dict(sampling_params))
        if asyncio.iscoroutine(out):
            out = await out
        out.extra_fields.setdefault("global_steps", self.global_steps)
        out.extra_fields.setdefault("min_global_steps", self.global_steps)
        out.extra_fields.setdefault("max_global_steps", self.global_steps)
        return out


@dataclass
class AgentLoopMetrics:
    """Stand-in for ``AgentLoopMetrics(BaseModel)``: generate_sequences, tool_calls, compute_score,
    num_preempted."""

    generate_sequences: float = 0.0
    tool_calls: float = 0.0
    compute_score: float = 0.0
    num_preempted: int = -1


@dataclass
class AgentLoopOutput:
    """Stand-in for ``AgentLoopOutput(BaseModel)``: prompt_ids, response_ids, response_mask,
    response_logprobs, routed_experts, multi_modal_data, reward_score, num_turns, metrics (required),
    extra_fields, mm_processor_kwargs; and ``as_dict``, which puts ``reward_score`` on the last
    response token of ``rm_scores`` (what the trainer reads as token-level scores)."""

    prompt_ids: list[int]
    response_ids: list[int]
    response_mask: list[int]
    metrics: AgentLoopMetrics
    response_logprobs: Optional[list[float]] = None
    routed_experts: Optional[Any] = None
    multi_modal_data: Optional[dict[str, Any]] = None
    reward_score: Optional[float] = None
    num_turns: int = 0
    extra_fields: dict[str, Any] = field(default_factory=dict)
    mm_processor_kwargs: Optional[dict[str, Any]] = None

    def as_dict(self) -> dict[str, Any]:
        output: dict[str, Any] = {
            "prompts": list(self.prompt_ids),
            "responses": list(self.response_ids),
            "response_mask": list(self.response_mask),
            "num_turns": self.num_turns,
            "extra_fields": self.extra_fields,
        }
        if self.response_logprobs is not None:
            output["rollout_log_probs"] = list(self.response_logprobs)
        if self.reward_score is not None:
            rm_scores = [0.0] * len(self.response_mask)
            rm_scores[-1] = self.reward_score
            output["rm_scores"] = rm_scores
        return output


class DictConfigWrap:
    """Stand-in for ``DictConfigWrap(config)`` (keeps hydra from resolving the config)."""

    def __init__(self, config):
        self.config = config


class ToolListWrap:
    """Stand-in for ``ToolListWrap(tools)``."""

    def __init__(self, tools: list):
        self.tools = tools


class AgentLoopBase:
    """Stand-in for ``AgentLoopBase(ABC)``::

        def __init__(self, trainer_config: DictConfigWrap, server_manager: LLMServerClient, tokenizer,
                     processor, dataset_cls, data_config: DictConfigWrap, **kwargs)
        async def apply_chat_template(self, messages, tools=None, images=None, videos=None, audios=None,
                                      mm_processor_kwargs=None, remove_system_prompt=False) -> list[int]
        async def run(self, sampling_params: dict[str, Any], **kwargs) -> AgentLoopOutput

    ``apply_chat_template`` tokenizes with the tokenizer's chat template and keeps the last
    ``rollout.prompt_length`` ids, as v0.9.0 does for text prompts (``_cap_text_prompt_length``).
    """

    def __init__(self, trainer_config, server_manager, tokenizer, processor, dataset_cls, data_config, **kwargs):
        self.config = trainer_config.config
        self.rollout_config = self.config.actor_rollout_ref.rollout
        self.server_manager = server_manager
        self.tokenizer = tokenizer
        self.processor = processor
        self.dataset_cls = dataset_cls
        self.data_config = data_config.config
        self.apply_chat_template_kwargs = self.data_config.get("apply_chat_template_kwargs", {})

    async def apply_chat_template(
        self, messages, tools=None, images=None, videos=None, audios=None, mm_processor_kwargs=None, remove_system_prompt=False
    ):
        ids = self.tokenizer.apply_chat_template(
            messages, tools=tools, add_generation_prompt=True, tokenize=True, **dict(self.apply_chat_template_kwargs)
        )
        ids = [int(i) for i in ids]
        prompt_length = self.rollout_config.prompt_length
        return ids[-prompt_length:] if len(ids) > prompt_length else ids

    async def run(self, sampling_params: dict[str, Any], **kwargs):
        raise NotImplementedError


_agent_loop_registry: dict[str, dict] = {}


def register(agent_name: str):
    """Stand-in for ``register(agent_name)``: records ``{"_target_": "<module>.<qualname>"}``."""

    def decorator(subclass):
        _agent_loop_registry[agent_name] = {"_target_": f"{subclass.__module__}.{subclass.__qualname__}"}
        return subclass

    return decorator
