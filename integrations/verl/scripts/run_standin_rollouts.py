#!/usr/bin/env python3
"""Run G rollouts of one instance through FineMemAgentLoop on the verl v0.9.0 stand-in against a live
``finemem serve``, with a deterministic scripted generator, and print ONE JSON object:

{"instanceId", "grouping", "rollouts": [{"rollout", "episodeId", "globalScore", "unattributed",
  "steps": [{"step", "reward_score", "rewards" (finalize's StepRewardComponents),
             "stepRewards" (the step route's {format, chunk}), "group", "advantage"}]}]}

The path is verl's V1 one: the stand-in ``AgentLoopWorkerTQ`` runs the prompt's G sessions
(``session_id`` = rollout) and postprocesses each session's outputs into its TransferQueue; the
trainer's advantage step then reads ``rm_scores`` back (``reward_score`` is their sum: the reward
verl trains on) and calls ``finemem_grpo`` with the uid as ``index`` (pooled), or with the per-step
group column as the patched trainer passes it (per-step). ``advantage`` is that value (float64) on
the sample's first response token. Usage:
  python3 scripts/run_standin_rollouts.py --url http://127.0.0.1:8787 --token T \
      --instance instance.json --rollouts 4 --grouping pooled
The instance file is a BenchmarkInstance (chunks as {id, text} or strings) or {"instanceId", "chunks"}
with --by-id to send only the id.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

os.environ.setdefault("FINEMEM_VERL_FORCE_STANDIN", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import finemem_verl  # noqa: E402,F401  (registers the loop and the estimator)
from finemem_verl.standin import AgentLoopWorkerTQ, LLMServerClient, compute_advantage_from_queue, make_config, rollout_config  # noqa: E402
from finemem_verl.standin.scripted import ByteTokenizer, ScriptedGenerator  # noqa: E402


async def run_rollouts(url, token, instance, rollouts, grouping, by_id=False, delete=False, timeout=120.0, retries=3):
    tokenizer = ByteTokenizer()
    config = make_config(
        {
            "actor_rollout_ref": {"rollout": rollout_config(n=rollouts), "model": {"tokenizer": tokenizer}},
            "data": {"apply_chat_template_kwargs": {}},
            "algorithm": {"adv_estimator": "finemem_grpo", "norm_adv_by_std_in_grpo": True, "finemem_grouping": grouping},
            "finemem": {"url": url, "token": token, "grouping": grouping, "delete_after_finalize": delete, "timeout": timeout, "retries": retries},
        }
    )
    uid = "prompt0"
    prompt = {"uid": uid, "agent_name": "finemem", "raw_prompt": [], "index": 0, "global_steps": 1}
    if by_id:
        prompt["finemem_instance_id"] = instance["instanceId"]
    else:
        prompt["finemem_instance"] = instance
    worker = AgentLoopWorkerTQ(config, LLMServerClient(ScriptedGenerator(instance["chunks"], tokenizer)))
    trajectory = {"step": 1, "sample_index": 0, "rollout_n": 0, "validate": False}
    await worker._run_prompt(prompt, {"temperature": 1.0}, trajectory)

    # Keys are {uid}_{session}_{index}: order them by session, then step.
    keys = sorted(worker.tq.keys("train"), key=lambda key: tuple(int(part) for part in key.rsplit("_", 2)[1:]))
    group_columns = ("finemem_group_per_step",) if grouping == "per-step" else ()
    advantages = compute_advantage_from_queue(worker.tq, keys, "train", config, group_columns)
    rows = worker.tq.kv_batch_get(keys=keys, partition_id="train", select_fields=["session_id", "rm_scores", "response_mask", "extra_fields"])
    by_session: dict[int, list[dict]] = {}
    for position, key in enumerate(keys):
        ef = rows["extra_fields"][position]
        mask = rows["response_mask"][position]
        by_session.setdefault(int(rows["session_id"][position]), []).append(
            {
                "step": ef["finemem_step"],
                "reward_score": sum(rows["rm_scores"][position]),
                "rewards": ef["finemem_final_rewards"],
                "stepRewards": ef["finemem_step_rewards"],
                "group": ef["finemem_group"],
                "advantage": next((a for a, m in zip(advantages[position], mask) if m), 0.0),
                "_ef": ef,
            }
        )
    out = []
    for session in sorted(by_session):
        steps = by_session[session]
        ef0 = steps[0]["_ef"]
        for step in steps:
            del step["_ef"]
        out.append(
            {
                "rollout": ef0["finemem_rollout"],
                "episodeId": ef0.get("finemem_episode_id"),
                "globalScore": ef0.get("finemem_global_score"),
                "unattributed": ef0.get("finemem_unattributed"),
                "steps": steps,
            }
        )
    inst_id = rows["extra_fields"][0]["finemem_instance_id"] if keys else instance.get("instanceId")
    return {"instanceId": inst_id, "grouping": grouping, "rollouts": out}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--token", default=os.environ.get("FINEMEM_TOKEN"))
    p.add_argument("--instance", required=True, help="JSON file holding one instance")
    p.add_argument("--rollouts", type=int, default=8)
    p.add_argument("--grouping", choices=("pooled", "per-step"), default="pooled")
    p.add_argument("--by-id", action="store_true", help="send instanceId instead of the whole instance")
    p.add_argument("--delete", action="store_true", help="DELETE each episode after finalize")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--retries", type=int, default=3)
    a = p.parse_args(argv)
    if a.rollouts < 1:
        p.error("--rollouts must be ≥ 1")
    with open(a.instance, encoding="utf-8") as f:
        instance = json.load(f)
    result = asyncio.run(run_rollouts(a.url, a.token, instance, a.rollouts, a.grouping, a.by_id, a.delete, a.timeout, a.retries))
    json.dump(result, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
