"""FineMemStepOutput: an ``AgentLoopOutput`` that keeps its own step's reward through verl.

Fine-Mem gives every chunk step its own reward r(t). verl v0.9.0's V1 worker
(``AgentLoopWorkerTQ._agent_loop_postprocess`` in ``verl/trainer/ppo/v1/agent_loop_tq.py``) copies the
last output's ``reward_score`` onto every earlier output of a session and, in the same call, writes
the outputs to the TransferQueue, so a worker subclass cannot restore the rewards afterwards. This
output type ignores any later assignment to ``reward_score`` once it holds one (verl's copy is the only
such assignment in v0.9.0), so each step reaches ``rm_scores`` with its own reward and the stock worker
and manager can be used as they are.
"""

from __future__ import annotations

import logging

from ._compat import AgentLoopOutput

__all__ = ["FineMemStepOutput", "KeepsStepReward"]

logger = logging.getLogger(__name__)


class KeepsStepReward:
    """Mixin for an output model (pydantic in verl, a dataclass in the stand-in) with a ``reward_score``."""

    def __setattr__(self, name, value):
        if name == "reward_score":
            current = getattr(self, "reward_score", None)
            if current is not None and value != current:
                logger.debug("kept step reward %r instead of %r", current, value)
                return
        super().__setattr__(name, value)


class FineMemStepOutput(KeepsStepReward, AgentLoopOutput):
    """One chunk step's ``AgentLoopOutput``, whose ``reward_score`` is r(t) for good."""
