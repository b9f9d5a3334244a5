"""Stand-in for ``verl/experimental/agent_loop/agent_loop.py`` (verl v0.9.0).

It is a stand-in because verl/torch/ray cannot be installed here. Only what the Fine-Mem plugin
touches is reproduced; the real classes are pydantic models / ray actors with padding, reward-loop
and TransferQueue logic that is absent here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class TokenOutput:
    """Stand-in for ``verl.workers.rollout.replica.TokenOutput`` (fields used here:
    ``token_ids: list[int]``, ``log_probs: Optional[list[float]]``, ``stop_reason``)."""

    token_ids: list[int]
    log_probs: Optional[list[float]] = None
    stop_reason: Optional[str] = None


class AsyncLLMServerManager:
    """Stand-in for ``AsyncLLMServerManager`` whose coroutine is::

        async def generate(self, request_id, *, prompt_ids: list[int], sampling_params: dict[str, Any],
                           image_data=None, video_data=None) -> TokenOutput

    Construct it with ``generate_fn(request_id, prompt_ids, sampling_params) -> TokenOutput``
    (sync or async); tests and the stand-in script pass a scripted generator.
    """

    def __init__(self, generate_fn):
        self._generate_fn = generate_fn

    async def generate(self, request_id, *, prompt_ids, sampling_params, image_data=None, video_data=None):
        out = self._generate_fn(request_id, list(prompt_ids), dict(sampling_params))
        if asyncio.iscoroutine(out):
            out = await out
        return out


@dataclass
class AgentLoopMetrics:
    """Stand-in for ``AgentLoopMetrics(BaseModel)``: generate_sequences, tool_calls, num_preempted."""

    generate_sequences: float = 0.0
    tool_calls: float = 0.0
    num_preempted: int = -1


@dataclass
class AgentLoopOutput:
    """Stand-in for ``AgentLoopOutput(BaseModel)``: prompt_ids, response_ids, response_mask,
    response_logprobs, routed_experts, multi_modal_data, reward_score, num_turns, metrics, extra_fields."""

    prompt_ids: list[int]
    response_ids: list[int]
    response_mask: list[int]
    response_logprobs: Optional[list[float]] = None
    routed_experts: Optional[Any] = None
    multi_modal_data: Optional[dict[str, Any]] = None
    reward_score: Optional[float] = None
    num_turns: int = 0
    metrics: AgentLoopMetrics = field(default_factory=AgentLoopMetrics)
    extra_fields: dict[str, Any] = field(default_factory=dict)


class DictConfigWrap:
    """Stand-in for ``DictConfigWrap(config)`` (wraps an OmegaConf DictConfig; here any mapping)."""

    def __init__(self, config):
        self.config = config


class AgentLoopBase:
    """Stand-in for ``AgentLoopBase(ABC)``::

        def __init__(self, trainer_config: DictConfigWrap, server_manager: AsyncLLMServerManager,
                     tokenizer, processor, dataset_cls, dataset_config: DictConfigWrap, **kwargs)
        async def run(self, sampling_params: dict[str, Any], **kwargs) -> AgentLoopOutput | list[AgentLoopOutput]
    """

    def __init__(self, trainer_config, server_manager, tokenizer, processor=None, dataset_cls=None, dataset_config=None, **kwargs):
        self.config = trainer_config.config if isinstance(trainer_config, DictConfigWrap) else trainer_config
        self.server_manager = server_manager
        self.tokenizer = tokenizer
        self.processor = processor
        self.dataset_cls = dataset_cls
        dc = dataset_config.config if isinstance(dataset_config, DictConfigWrap) else dataset_config
        self.dataset_config = dc or {}
        self.apply_chat_template_kwargs = dict(self.dataset_config.get("apply_chat_template_kwargs", {}) or {})

    async def run(self, sampling_params: dict[str, Any], **kwargs):
        raise NotImplementedError


_agent_loop_registry: dict[str, dict] = {}


def register(agent_name: str):
    """Stand-in for ``register(agent_name)``: records ``{"_target_": "<module>.<qualname>"}``."""

    def decorator(subclass):
        _agent_loop_registry[agent_name] = {"_target_": f"{subclass.__module__}.{subclass.__qualname__}"}
        return subclass

    return decorator


class AgentLoopWorker:
    """Stand-in for ``AgentLoopWorker`` (a ray actor in verl). Reproduces only the two coroutines the
    plugin overrides::

        async def _run_agent_loop(self, sampling_params, trajectory, *, agent_name, trace=True, **kwargs)
        async def _agent_loop_postprocess(self, output, **kwargs)

    and the v0.9.0 multi-output behaviour this plugin must undo: when ``run`` returns a list, every
    output of the session receives the LAST output's ``reward_score``.
    """

    def __init__(self, config=None, server_manager=None, tokenizer=None, loop_classes=None):
        self.config = config or {}
        self.server_manager = server_manager
        self.tokenizer = tokenizer
        self.loop_classes = loop_classes or {}

    async def _run_agent_loop(self, sampling_params, trajectory, *, agent_name, trace=True, **kwargs):
        cls = self.loop_classes[agent_name]
        loop = cls(
            trainer_config=DictConfigWrap(self.config),
            server_manager=self.server_manager,
            tokenizer=self.tokenizer,
            processor=None,
            dataset_cls=None,
            dataset_config=DictConfigWrap(self.config.get("data", {})),
        )
        output = await loop.run(sampling_params, **kwargs)
        return await self._agent_loop_postprocess(output, **kwargs)

    async def _agent_loop_postprocess(self, output, **kwargs):
        outputs = output if isinstance(output, list) else [output]
        if outputs and outputs[-1].reward_score is not None:
            for o in outputs[:-1]:
                o.reward_score = outputs[-1].reward_score
        for o in outputs:
            o.extra_fields["raw_prompt"] = kwargs.get("raw_prompt")
        return outputs if isinstance(output, list) else outputs[0]


class AgentLoopManager:
    """Stand-in for ``AgentLoopManager``: verl builds its workers from ``self.agent_loop_workers_class``
    when a subclass has set it before ``__init__`` (``if not hasattr(self, "agent_loop_workers_class")``)."""

    def __init__(self, config=None, worker_group=None, rollout_resource_pool=None, rm_resource_pool=None):
        self.config = config
        if not hasattr(self, "agent_loop_workers_class"):
            self.agent_loop_workers_class = AgentLoopWorker
