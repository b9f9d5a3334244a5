#!/usr/bin/env python3
"""Run G rollouts of one instance through FineMemAgentLoop on the verl stand-in against a live
``finemem serve``, with a deterministic scripted generator, and print ONE JSON object:

{"instanceId", "grouping", "rollouts": [{"rollout", "episodeId", "globalScore", "unattributed",
  "steps": [{"step", "reward_score", "rewards" (finalize's StepRewardComponents),
             "stepRewards" (the step route's {format, chunk}), "group", "advantage"}]}]}

``advantage`` is finemem_grpo's value (float64) for that step's sample. Usage:
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

from finemem_verl.advantage import compute_finemem_grpo_advantage  # noqa: E402
from finemem_verl.agent_loop import FineMemAgentLoop  # noqa: E402
from finemem_verl.manager import FineMemAgentLoopWorker  # noqa: E402
from finemem_verl.standin import AsyncLLMServerManager  # noqa: E402
from finemem_verl.standin.scripted import ByteTokenizer, ScriptedGenerator  # noqa: E402


async def run_rollouts(url, token, instance, rollouts, grouping, by_id=False, delete=False, timeout=120.0, retries=3):
    tokenizer = ByteTokenizer()
    config = {
        "finemem": {"url": url, "token": token, "grouping": grouping, "delete_after_finalize": delete, "timeout": timeout, "retries": retries},
        "data": {},
    }
    row = {"raw_prompt": None}
    if by_id:
        row["finemem_instance_id"] = instance["instanceId"]
    else:
        row["finemem_instance"] = instance

    async def one(r):
        worker = FineMemAgentLoopWorker(
            config=config,
            server_manager=AsyncLLMServerManager(ScriptedGenerator(instance["chunks"], r, tokenizer)),
            tokenizer=tokenizer,
            loop_classes={"finemem": FineMemAgentLoop},
        )
        return await worker._run_agent_loop({"temperature": 1.0}, {"rollout_n": r}, agent_name="finemem", **row)

    results = [await one(r) for r in range(rollouts)]
    flat = [o for outs in results for o in outs]
    width = max(1, max(len(o.response_ids) for o in flat))
    rewards, mask = [], []
    for o in flat:
        n = len(o.response_ids)
        rrow = [0.0] * width
        if n:
            rrow[n - 1] = float(o.reward_score)
        rewards.append(rrow)
        mask.append([1.0] * n + [0.0] * (width - n))
    ntb = {k: [o.extra_fields[k] for o in flat] for k in ("finemem_group", "finemem_group_pooled", "finemem_group_per_step")}
    adv, _ = compute_finemem_grpo_advantage(rewards, mask, config={"finemem_grouping": grouping}, non_tensor_batch=ntb)
    scalar = [next((a for a, m in zip(arow, mrow) if m), 0.0) for arow, mrow in zip(adv, mask)]
    out, k = [], 0
    for r, outs in enumerate(results):
        steps = []
        for o in outs:
            ef = o.extra_fields
            steps.append(
                {
                    "step": ef["finemem_step"],
                    "reward_score": o.reward_score,
                    "rewards": ef["finemem_final_rewards"],
                    "stepRewards": ef["finemem_step_rewards"],
                    "group": ef["finemem_group"],
                    "advantage": scalar[k],
                }
            )
            k += 1
        ef0 = outs[0].extra_fields if outs else {}
        out.append(
            {
                "rollout": r,
                "episodeId": ef0.get("finemem_episode_id"),
                "globalScore": ef0.get("finemem_global_score"),
                "unattributed": ef0.get("finemem_unattributed"),
                "steps": steps,
            }
        )
    inst_id = flat[0].extra_fields["finemem_instance_id"] if flat else instance.get("instanceId")
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
