import asyncio
import json
import math
import os
import subprocess
import sys

from conftest import INSTANCE, TOKEN, _total
from finemem_verl.advantage import grpo_advantages
from finemem_verl.agent_loop import FineMemAgentLoop
from finemem_verl.manager import FineMemAgentLoopWorker
from finemem_verl.standin import AgentLoopWorker, AsyncLLMServerManager, _agent_loop_registry
from finemem_verl.standin.scripted import ByteTokenizer, ScriptedGenerator, scripted_response

HERE = os.path.dirname(os.path.abspath(__file__))


def test_registered_as_finemem():
    assert _agent_loop_registry["finemem"]["_target_"] == "finemem_verl.agent_loop.FineMemAgentLoop"


def _worker(cls, url, rollout, grouping="pooled"):
    tok = ByteTokenizer()
    gen = ScriptedGenerator(INSTANCE["chunks"], rollout, tok)
    cfg = {"finemem": {"url": url, "token": TOKEN, "grouping": grouping, "retries": 0}, "data": {}}
    return cls(config=cfg, server_manager=AsyncLLMServerManager(gen), tokenizer=tok, loop_classes={"finemem": FineMemAgentLoop}), gen


def test_loop_end_to_end_keeps_per_step_rewards(fake_server):
    url, state = fake_server
    worker, gen = _worker(FineMemAgentLoopWorker, url, 1, "per-step")
    outs = asyncio.run(worker._run_agent_loop({"temperature": 1.0}, {"rollout_n": 1}, agent_name="finemem", raw_prompt=None, extra_info={"finemem_instance": json.dumps(INSTANCE)}))
    assert len(outs) == 3 and gen.calls == 3
    ep = state.episodes[outs[0].extra_fields["finemem_episode_id"]]
    assert ep["rollout"] == 1 and ep.get("deleted")
    for t, o in enumerate(outs, 1):
        n_calls = scripted_response(INSTANCE["chunks"][t - 1]["text"], 1).count("<tool_call>")
        assert o.reward_score == _total("inst-1", 1, t, n_calls)
        assert o.extra_fields["finemem_step"] == t
        assert o.extra_fields["finemem_group"] == f"inst-1#{t}"
        assert o.extra_fields["finemem_group_pooled"] == "inst-1"
        assert len(o.response_ids) == len(o.response_logprobs) == len(o.response_mask)
        assert all(x <= 0 for x in o.response_logprobs)
        assert o.prompt_ids == gen.prompts[t - 1]
        assert ByteTokenizer().decode(o.prompt_ids).endswith("<|assistant|>")
    assert len({o.reward_score for o in outs}) == 3
    # the plain verl worker overwrites them with the last one: the override is what keeps them
    plain, _ = _worker(AgentLoopWorker, url, 1)
    outs2 = asyncio.run(plain._run_agent_loop({}, {"rollout_n": 1}, agent_name="finemem", raw_prompt=None, finemem_instance=INSTANCE, finemem_rollout=1))
    assert len({o.reward_score for o in outs2}) == 1


def test_script_against_fake_server(fake_server, tmp_path):
    url, state = fake_server
    inst = tmp_path / "inst.json"
    inst.write_text(json.dumps(INSTANCE))
    for grouping in ("pooled", "per-step"):
        p = subprocess.run(
            [sys.executable, os.path.join(HERE, "..", "scripts", "run_standin_rollouts.py"), "--url", url, "--token", TOKEN, "--instance", str(inst), "--rollouts", "3", "--grouping", grouping],
            capture_output=True, text=True, timeout=60,
        )
        assert p.returncode == 0, p.stderr
        res = json.loads(p.stdout)
        assert res["instanceId"] == "inst-1" and len(res["rollouts"]) == 3
        rows = [(r["rollout"], s) for r in res["rollouts"] for s in r["steps"]]
        for r, s in rows:
            assert s["reward_score"] == s["rewards"]["total"]
            assert s["stepRewards"]["format"] in (0.0, 1.0)
        keys = ["inst-1" if grouping == "pooled" else f"inst-1#{s['step']}" for _, s in rows]
        exp = grpo_advantages([s["reward_score"] for _, s in rows], keys)
        for (_, s), a in zip(rows, exp):
            assert abs(s["advantage"] - a) <= 1e-12 * (1 + abs(a))
        assert any(abs(s["advantage"]) > 0.1 for _, s in rows)
