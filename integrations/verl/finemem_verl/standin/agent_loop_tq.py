"""Stand-in for verl v0.9.0's V1 agent-loop worker (``verl/trainer/ppo/v1/agent_loop_tq.py``) and the
TransferQueue it writes to.

verl v0.9.0 trains with the V1 trainer by default (``trainer.use_v1: true``): ``AgentLoopWorkerTQ``
runs ``rollout.n`` sessions of each prompt (``session_id`` 0..n−1 in the loop's kwargs), and its
``_agent_loop_postprocess(output, validate, **kwargs)`` accepts a list of outputs, copies the LAST
output's ``reward_score`` and ``extra_fields["reward_extra_info"]`` onto every earlier output of the
session, and puts each output into the TransferQueue under ``{uid}_{session_id}_{index}``. Those are
the behaviours reproduced here; the real worker is a ray actor that also pads, computes multimodal
inputs and position ids, asks reward-loop workers for scores and teacher log-probs, which this
stand-in does not. Generation here awaits every session (the real ``generate_sequences`` fires and
forgets) so that the stand-in script ends when its rollouts are in the queue.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

from .agent_loop import DictConfigWrap, ToolListWrap, _agent_loop_registry


class TransferQueue:
    """Stand-in for the ``transfer_queue`` key-value client the V1 trainer uses (``kv_batch_put``,
    ``kv_batch_get``, ``kv_put`` of status tags), in memory, per partition."""

    def __init__(self):
        self.partitions: dict[str, dict[str, dict[str, Any]]] = {}
        self.tags: dict[str, dict[str, dict[str, Any]]] = {}

    async def async_kv_put(self, key, partition_id, tag):
        self.tags.setdefault(partition_id, {})[key] = dict(tag)

    async def async_kv_batch_put(self, keys, fields, tags, partition_id):
        rows = self.partitions.setdefault(partition_id, {})
        for key, field, tag in zip(keys, fields, tags):
            rows[key] = field
            self.tags.setdefault(partition_id, {})[key] = dict(tag)

    def kv_batch_get(self, keys, partition_id, select_fields):
        rows = self.partitions[partition_id]
        return {name: [rows[key][name] for key in keys] for name in select_fields}

    def keys(self, partition_id):
        return list(self.partitions.get(partition_id, {}))


def _instantiate(agent_loop_config: dict, **kwargs):
    """What ``hydra.utils.instantiate(config=agent_loop_config, **kwargs)`` does with a registry entry:
    import ``_target_`` and call it with the entry's other keys (``name`` from a YAML file) and kwargs."""
    module_name, _, qualname = agent_loop_config["_target_"].rpartition(".")
    target = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    extra = {key: value for key, value in agent_loop_config.items() if key != "_target_"}
    return target(**extra, **kwargs)


class AgentLoopWorkerTQ:
    """Stand-in for ``AgentLoopWorkerTQ`` (``@ray.remote`` in verl)::

        def __init__(self, config, llm_client, teacher_client=None, reward_loop_worker_handles=None)
        async def _run_prompt(self, prompt: dict, sampling_params: dict, trajectory: dict, trace=False) -> None
        async def _run_agent_loop(self, sampling_params, trajectory, *, agent_name, trace=True, **kwargs)
        async def _agent_loop_postprocess(self, output, validate, **kwargs) -> None

    Deviation: the tokenizer is ``config.actor_rollout_ref.model.tokenizer`` itself (verl loads it from
    the model path through ``HFModelConfig``).
    """

    def __init__(self, config, llm_client, teacher_client=None, reward_loop_worker_handles=None, transfer_queue=None):
        self.config = config
        self.llm_client = llm_client
        self.teacher_client = teacher_client
        self.reward_loop_worker_handles = reward_loop_worker_handles
        self.rollout_config = config.actor_rollout_ref.rollout
        self.tokenizer = config.actor_rollout_ref.model.tokenizer
        self.processor = None
        self.dataset_cls = None
        self.tools: list = []
        self.tq = transfer_queue if transfer_queue is not None else TransferQueue()

    async def _run_prompt(self, prompt: dict, sampling_params: dict, trajectory: dict, trace: bool = False) -> None:
        uid, partition_id = prompt["uid"], "train" if not trajectory["validate"] else "val"
        await self.tq.async_kv_put(key=uid, partition_id=partition_id, tag={"status": "running"})
        n = prompt.pop("__rollout_n__", self.rollout_config.n if not trajectory["validate"] else self.rollout_config.val_kwargs.n)
        tasks = [
            asyncio.create_task(self._run_agent_loop(dict(sampling_params), trajectory=trajectory, trace=trace, session_id=i, **prompt))
            for i in range(n)
        ]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        errors = [result for result in results if isinstance(result, BaseException)]
        await self.tq.async_kv_put(key=uid, partition_id=partition_id, tag={"status": "failure" if errors else "finished"})
        if errors:
            raise errors[0]

    async def _run_agent_loop(self, sampling_params, trajectory, *, agent_name, trace=True, **kwargs):
        agent_loop = _instantiate(
            _agent_loop_registry[agent_name],
            trainer_config=DictConfigWrap(config=self.config),
            server_manager=self.llm_client,
            tokenizer=self.tokenizer,
            processor=self.processor,
            dataset_cls=self.dataset_cls,
            data_config=DictConfigWrap(self.config.data),
            tools=ToolListWrap(self.tools),
        )
        output = await agent_loop.run(sampling_params, **kwargs)
        return await self._agent_loop_postprocess(output, trajectory["validate"], **kwargs)

    async def _compute_score(self, outputs, kwargs) -> None:
        """verl asks a reward-loop worker for the last output's score when it has none and reward
        workers exist; the stand-in has none, so an output keeps the score its loop gave it."""

    async def _agent_loop_postprocess(self, output, validate, **kwargs) -> None:
        uid, session_id = kwargs["uid"], kwargs["session_id"]
        outputs = output if isinstance(output, list) else [output]
        if not outputs:
            return
        await self._compute_score(outputs, kwargs=kwargs)
        final_output = outputs[-1]
        if final_output.reward_score is not None:
            for earlier in outputs[:-1]:
                earlier.reward_score = final_output.reward_score
                earlier.extra_fields["reward_extra_info"] = final_output.extra_fields["reward_extra_info"]
        keys, fields, tags = [], [], []
        for index, each in enumerate(outputs):
            keys.append(f"{uid}_{session_id}_{index}")
            field = each.as_dict()
            field.update(kwargs)
            field["loss_mask"] = field["response_mask"]
            fields.append(field)
            tags.append(
                {
                    "status": "success",
                    "global_steps": kwargs.get("global_steps"),
                    "min_global_steps": field["extra_fields"].get("min_global_steps"),
                    "max_global_steps": field["extra_fields"].get("max_global_steps"),
                }
            )
        await self.tq.async_kv_batch_put(keys=keys, fields=fields, tags=tags, partition_id="train" if not validate else "val")
