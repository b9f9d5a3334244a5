import asyncio
import json
import os
import subprocess
import sys

import pytest
from conftest import INSTANCE, TOKEN, _total

import finemem_verl.agent_loop as agent_loop_module
from finemem_verl.advantage import grpo_advantages
from finemem_verl.agent_loop import FineMemAgentLoop
from finemem_verl.standin import (
    AgentLoopOutput,
    AgentLoopWorkerTQ,
    DictConfigWrap,
    LLMServerClient,
    ToolListWrap,
    _agent_loop_registry,
    compute_advantage_from_queue,
    make_config,
    rollout_config,
)
from finemem_verl.standin.agent_loop_tq import _instantiate
from finemem_verl.standin.scripted import ByteTokenizer, ScriptedGenerator, scripted_response

HERE = os.path.dirname(os.path.abspath(__file__))
G = 2


def _config(url, grouping="pooled", **rollout):
    return make_config(
        {
            "actor_rollout_ref": {"rollout": rollout_config(n=G, **rollout), "model": {"tokenizer": ByteTokenizer()}},
            "data": {"apply_chat_template_kwargs": {}},
            "algorithm": {"adv_estimator": "finemem_grpo", "norm_adv_by_std_in_grpo": True, "finemem_grouping": grouping},
            "finemem": {"url": url, "token": TOKEN, "grouping": grouping, "retries": 0},
        }
    )


def _run_prompt(config, generator, uid="u1"):
    """One prompt through the stand-in V1 worker: G sessions, postprocessed into its TransferQueue."""
    worker = AgentLoopWorkerTQ(config, LLMServerClient(generator))
    prompt = {"uid": uid, "agent_name": "finemem", "raw_prompt": [], "index": 0, "global_steps": 7, "extra_info": {"finemem_instance": json.dumps(INSTANCE)}}
    asyncio.run(worker._run_prompt(prompt, {"temperature": 1.0}, {"step": 7, "sample_index": 0, "rollout_n": 0, "validate": False}))
    keys = sorted(worker.tq.keys("train"))
    return worker, keys, worker.tq.kv_batch_get(keys=keys, partition_id="train", select_fields=["rm_scores", "response_mask", "prompts", "responses", "rollout_log_probs", "extra_fields", "session_id"])


def test_registered_as_finemem():
    assert _agent_loop_registry["finemem"]["_target_"] == "finemem_verl.agent_loop.FineMemAgentLoop"


def test_instantiated_as_verl_does_from_a_config_file_entry(fake_server):
    # verl v0.9.0 passes these keywords (hydra.utils.instantiate), plus the entry's `name` when the loop
    # comes from agent_loop_config_path (recipe/finemem_agent_loop.yaml).
    url, _ = fake_server
    config = _config(url)
    loop = _instantiate(
        {"name": "finemem", "_target_": "finemem_verl.agent_loop.FineMemAgentLoop"},
        trainer_config=DictConfigWrap(config=config),
        server_manager=None,
        tokenizer=ByteTokenizer(),
        processor=None,
        dataset_cls=None,
        data_config=DictConfigWrap(config.data),
        tools=ToolListWrap([]),
    )
    assert isinstance(loop, FineMemAgentLoop) and loop.url == url and loop.response_length == 2048


def test_v1_worker_keeps_each_steps_reward_in_rm_scores(fake_server):
    url, state = fake_server
    generator = ScriptedGenerator(INSTANCE["chunks"], ByteTokenizer())
    _, keys, rows = _run_prompt(_config(url, "per-step"), generator)
    # verl's key layout: {uid}_{session}_{index}, 3 chunk steps per session
    assert keys == [f"u1_{s}_{i}" for s in range(G) for i in range(3)]
    episodes = {rows["extra_fields"][k]["finemem_episode_id"] for k in range(len(keys))}
    assert {state.episodes[e]["rollout"] for e in episodes} == set(range(G))  # session_id is the rollout
    assert all(state.episodes[e].get("deleted") for e in episodes)
    for k, key in enumerate(keys):
        session, index = (int(x) for x in key.rsplit("_", 2)[1:])
        ef = rows["extra_fields"][k]
        t = index + 1
        n_calls = scripted_response(INSTANCE["chunks"][t - 1]["text"], session).count("<tool_call>")
        # the reward verl trains on is this step's own, not the last step's
        assert sum(rows["rm_scores"][k]) == _total("inst-1", session, t, n_calls)
        assert rows["rm_scores"][k][:-1] == [0.0] * (len(rows["rm_scores"][k]) - 1)
        assert rows["session_id"][k] == session and ef["finemem_rollout"] == session and ef["finemem_step"] == t
        assert ef["finemem_group"] == f"inst-1#{t}" and ef["finemem_group_pooled"] == "inst-1"
        assert ef["min_global_steps"] == 1 and ef["max_global_steps"] == 1  # from the LLM client, for staleness control
        assert ef["reward_extra_info"] == {"finemem_global_score": 0.5, "finemem_unattributed": 0.0}
        assert len(rows["responses"][k]) == len(rows["rollout_log_probs"][k]) == len(rows["response_mask"][k])
        assert all(x <= 0 for x in rows["rollout_log_probs"][k])
        request_id = f"finemem-s{session}-"
        prompts = next(p for r, p in generator.prompts.items() if r.startswith(request_id))
        assert rows["prompts"][k] == prompts[t - 1]
        assert ByteTokenizer().decode(rows["prompts"][k]).endswith("<|assistant|>")
    sums = [sum(r) for r in rows["rm_scores"]]
    assert len(set(sums[:3])) == 3


def test_a_plain_output_would_lose_per_step_rewards_to_verls_postprocess(fake_server, monkeypatch):
    # The control: with verl's own AgentLoopOutput the worker copies the last step's reward onto the
    # others, which is what FineMemStepOutput prevents.
    url, _ = fake_server
    monkeypatch.setattr(agent_loop_module, "FineMemStepOutput", AgentLoopOutput)
    _, keys, rows = _run_prompt(_config(url), ScriptedGenerator(INSTANCE["chunks"], ByteTokenizer()))
    sums = [sum(r) for r in rows["rm_scores"]]
    assert len(set(sums[:3])) == 1


def test_responses_cut_at_response_length_and_sent_as_length(fake_server):
    url, state = fake_server
    _, keys, rows = _run_prompt(_config(url, response_length=40), ScriptedGenerator(INSTANCE["chunks"], ByteTokenizer()))
    assert all(len(r) == 40 for r in rows["responses"])
    bodies = [body for ep in state.episodes.values() for body, _ in ep["keys"].values()]
    assert bodies and all(b["output"]["finishReason"] == "length" and len(b["output"]["responseTokenIds"]) == 40 for b in bodies)


@pytest.mark.parametrize("grouping", ["pooled", "per-step"])
def test_trainer_advantages_group_by_uid_or_by_the_patched_step_column(fake_server, grouping):
    url, _ = fake_server
    config = _config(url, grouping)
    worker, keys, rows = _run_prompt(config, ScriptedGenerator(INSTANCE["chunks"], ByteTokenizer()))
    columns = ("finemem_group_per_step",) if grouping == "per-step" else ()
    advantages = compute_advantage_from_queue(worker.tq, keys, "train", config, columns)
    scores = [sum(r) for r in rows["rm_scores"]]
    groups = ["u1"] * len(keys) if grouping == "pooled" else [f"u1#{int(k.rsplit('_', 1)[1]) + 1}" for k in keys]
    expected = grpo_advantages(scores, groups)
    for row, mask, a in zip(advantages, rows["response_mask"], expected):
        assert row[: len(mask)] == [a * m for m in mask]
    if grouping == "per-step":
        # unpatched, v0.9.0 gives the estimator the uid only: per-step grouping refuses to guess
        with pytest.raises(ValueError, match="per-step grouping needs"):
            compute_advantage_from_queue(worker.tq, keys, "train", config)


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
        assert res["instanceId"] == "inst-1" and [r["rollout"] for r in res["rollouts"]] == [0, 1, 2]
        rows = [(r["rollout"], s) for r in res["rollouts"] for s in r["steps"]]
        for r, s in rows:
            assert s["reward_score"] == s["rewards"]["total"]
            n_calls = scripted_response(INSTANCE["chunks"][s["step"] - 1]["text"], r).count("<tool_call>")
            assert s["reward_score"] == _total("inst-1", r, s["step"], n_calls)
            assert s["stepRewards"]["format"] in (0.0, 1.0)
        keys = ["inst-1" if grouping == "pooled" else f"inst-1#{s['step']}" for _, s in rows]
        exp = grpo_advantages([s["reward_score"] for _, s in rows], keys)
        for (_, s), a in zip(rows, exp):
            assert abs(s["advantage"] - a) <= 1e-12 * (1 + abs(a))
        assert any(abs(s["advantage"]) > 0.1 for _, s in rows)
