from typing import Any, Optional

from pydantic import BaseModel

from finemem_verl.standin import AgentLoopMetrics
from finemem_verl.step_output import FineMemStepOutput, KeepsStepReward


class PydanticMetrics(BaseModel):
    generate_sequences: float = 0.0
    tool_calls: float = 0.0
    compute_score: float = 0.0
    num_preempted: int = -1


class PydanticAgentLoopOutput(BaseModel):
    """verl v0.9.0's AgentLoopOutput is a pydantic model with these fields (agent_loop.py)."""

    prompt_ids: list[int]
    response_ids: list[int]
    response_mask: list[int]
    response_logprobs: Optional[list[float]] = None
    routed_experts: Optional[Any] = None
    multi_modal_data: Optional[dict[str, Any]] = None
    reward_score: Optional[float] = None
    num_turns: int = 0
    metrics: PydanticMetrics
    extra_fields: dict[str, Any] = {}
    mm_processor_kwargs: Optional[dict[str, Any]] = None


class PydanticStepOutput(KeepsStepReward, PydanticAgentLoopOutput):
    pass


def _copy_last_reward(outputs):
    # what AgentLoopWorkerTQ._agent_loop_postprocess does to a session's outputs
    final = outputs[-1]
    for earlier in outputs[:-1]:
        earlier.reward_score = final.reward_score


def test_pydantic_output_keeps_its_reward_and_dumps_it():
    outputs = [PydanticStepOutput(prompt_ids=[1], response_ids=[2, 3], response_mask=[1, 1], reward_score=r, metrics=PydanticMetrics()) for r in (0.25, 0.5, 1.0)]
    _copy_last_reward(outputs)
    assert [o.reward_score for o in outputs] == [0.25, 0.5, 1.0]
    assert outputs[0].model_dump(exclude_unset=True)["reward_score"] == 0.25  # as_dict reads this
    outputs[0].num_turns = 4  # other fields are assigned as usual
    assert outputs[0].num_turns == 4
    plain = [PydanticAgentLoopOutput(prompt_ids=[1], response_ids=[2], response_mask=[1], reward_score=r, metrics=PydanticMetrics()) for r in (0.25, 1.0)]
    _copy_last_reward(plain)
    assert [o.reward_score for o in plain] == [1.0, 1.0]


def test_an_output_without_a_reward_takes_one():
    output = PydanticStepOutput(prompt_ids=[1], response_ids=[2], response_mask=[1], metrics=PydanticMetrics())
    output.reward_score = 0.75  # verl's reward loop scores outputs that have none
    assert output.reward_score == 0.75


def test_standin_output_keeps_its_reward():
    outputs = [FineMemStepOutput(prompt_ids=[1], response_ids=[2], response_mask=[1], reward_score=r, metrics=AgentLoopMetrics()) for r in (0.1, 0.9)]
    _copy_last_reward(outputs)
    assert [o.as_dict()["rm_scores"] for o in outputs] == [[0.1], [0.9]]
