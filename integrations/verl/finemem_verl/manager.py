"""Agent-loop worker and manager subclasses that keep each step's own reward.

verl v0.9.0, ``verl/experimental/agent_loop/agent_loop.py``:

- ``AgentLoopWorker._agent_loop_postprocess(self, output, **kwargs)`` — when an agent loop returns a
  list of AgentLoopOutput (one session, several trajectories), it copies the LAST output's
  ``reward_score`` onto every earlier output. Fine-Mem's steps each have their own reward r(t), so
  :meth:`FineMemAgentLoopWorker._agent_loop_postprocess` records every output's ``reward_score``
  before delegating to verl and writes them back afterwards (by position; the postprocessed outputs
  keep the input order).
- ``AgentLoopWorker._run_agent_loop(self, sampling_params, trajectory, *, agent_name, trace=True, **kwargs)``
  — does not pass the rollout index to ``run``; the override adds ``finemem_rollout =
  trajectory["rollout_n"]`` to kwargs so episodes are created with their rollout index.
- ``AgentLoopManager.__init__`` builds workers from ``self.agent_loop_workers_class`` when a subclass
  set it first; :class:`FineMemAgentLoopManager` does. Select it with
  ``actor_rollout_ref.rollout.agent.agent_loop_manager_class=finemem_verl.manager.FineMemAgentLoopManager``.

Checked against the verl source available here (a 0.8.0.dev snapshot, where ``run`` returns a single
output); the v0.9.0 list behaviour is taken from the project brief, not read.
"""

from __future__ import annotations

from ._compat import USING_REAL_VERL, AgentLoopManager, AgentLoopWorker

__all__ = ["FineMemAgentLoopWorker", "FineMemAgentLoopManager", "preserve_step_rewards"]


def preserve_step_rewards(before: list, after: list) -> None:
    """Write ``before[i].reward_score`` back onto ``after[i]`` (the list verl postprocessed)."""
    if len(before) != len(after):
        raise RuntimeError(f"postprocess changed the number of outputs: {len(before)} -> {len(after)}")
    for b, a in zip(before, after):
        a.reward_score = b


class FineMemAgentLoopWorker(AgentLoopWorker):
    async def _run_agent_loop(self, sampling_params, trajectory, *, agent_name, trace=True, **kwargs):
        if "finemem_rollout" not in kwargs and isinstance(trajectory, dict) and "rollout_n" in trajectory:
            kwargs["finemem_rollout"] = int(trajectory["rollout_n"])
        return await super()._run_agent_loop(sampling_params, trajectory, agent_name=agent_name, trace=trace, **kwargs)

    async def _agent_loop_postprocess(self, output, **kwargs):
        """Override of verl's ``AgentLoopWorker._agent_loop_postprocess(self, output, **kwargs)``."""
        if not isinstance(output, list):
            return await super()._agent_loop_postprocess(output, **kwargs)
        own = [o.reward_score for o in output]
        result = await super()._agent_loop_postprocess(output, **kwargs)
        preserve_step_rewards(own, result if isinstance(result, list) else [result])
        return result


class FineMemAgentLoopManager(AgentLoopManager):
    def __init__(self, *args, **kwargs):
        if USING_REAL_VERL:  # pragma: no cover - needs ray
            import ray

            self.agent_loop_workers_class = ray.remote(FineMemAgentLoopWorker)
        else:
            self.agent_loop_workers_class = FineMemAgentLoopWorker
        super().__init__(*args, **kwargs)
