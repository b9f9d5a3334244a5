import pytest

from conftest import INSTANCE, TOKEN
from finemem_verl.client import FineMemClient, FineMemConnectionError, FineMemServerError


def _out(text="<tool_call>\n{}\n</tool_call>"):
    return {"text": text, "toolCalls": [], "finishReason": "stop", "usage": {"promptTokens": 3, "completionTokens": 2}, "responseTokenIds": [1, 2], "responseLogprobs": [-0.1, -0.2]}


def test_success_flow(fake_server):
    url, state = fake_server
    c = FineMemClient(url, TOKEN, timeout=5, retries=2, backoff=0.0)
    assert c.health() == {"status": "ok"}
    ep = c.create_episode(instance=INSTANCE, rollout=3, seed="s")
    assert ep["chunks"] == 3 and ep["rollout"] == 3 and ep["next"]["step"] == 1
    for t in (1, 2, 3):
        r = c.step(ep["episodeId"], t, _out())
        assert r["step"] == t
    assert r["next"] is None
    fin = c.finalize(ep["episodeId"])
    assert [s["step"] for s in fin["steps"]] == [1, 2, 3]
    assert c.close(ep["episodeId"]) is None


def test_step_generates_key_and_retries_5xx_with_same_key(fake_server):
    url, state = fake_server
    c = FineMemClient(url, TOKEN, timeout=5, retries=3, backoff=0.0)
    ep = c.create_episode(instance=INSTANCE)
    state.fail_steps_5xx = 2
    r = c.step(ep["episodeId"], 1, _out())
    assert r["step"] == 1
    keys = [k for (_, s, k) in state.step_keys if s == 1]
    assert len(keys) == 3 and len(set(keys)) == 1 and 1 <= len(keys[0]) <= 200
    assert state.applied == [(ep["episodeId"], 1)]
    # replay with the same key returns the first response, applies nothing
    r2 = c.step(ep["episodeId"], 1, _out(), idempotency_key=keys[0])
    assert r2 == r and state.applied == [(ep["episodeId"], 1)]


def test_5xx_exhausted_raises_server_error(fake_server):
    url, state = fake_server
    c = FineMemClient(url, TOKEN, timeout=5, retries=1, backoff=0.0)
    ep = c.create_episode(instance=INSTANCE)
    state.fail_steps_5xx = 5
    with pytest.raises(FineMemServerError) as e:
        c.step(ep["episodeId"], 1, _out(), idempotency_key="k1")
    assert e.value.status == 503 and e.value.code == "shutting_down"
    assert [k for (_, _, k) in state.step_keys] == ["k1", "k1"]


def test_4xx_raise_with_code_and_path_without_retry(fake_server):
    url, state = fake_server
    c = FineMemClient(url, TOKEN, timeout=5, retries=3, backoff=0.0)
    ep = c.create_episode(instance=INSTANCE)
    with pytest.raises(FineMemServerError) as e:
        c.step(ep["episodeId"], 2, _out(), idempotency_key="a")
    assert e.value.status == 409 and e.value.code == "step_order" and "expected step 1" in e.value.message
    assert len(state.step_keys) == 1  # not retried
    c.step(ep["episodeId"], 1, _out(), idempotency_key="b")
    with pytest.raises(FineMemServerError) as e:
        c.step(ep["episodeId"], 1, _out("other"), idempotency_key="b")
    assert e.value.code == "idempotency_conflict"
    with pytest.raises(FineMemServerError) as e:
        c.step(ep["episodeId"], 2, {"toolCalls": []}, idempotency_key="c")
    assert e.value.status == 400 and e.value.code == "invalid_request" and e.value.path == ["output", "text"]
    with pytest.raises(FineMemServerError) as e:
        c.finalize(ep["episodeId"])
    assert e.value.code == "episode_not_finished"
    with pytest.raises(FineMemServerError) as e:
        c.create_episode(instance_id="nope")
    assert e.value.status == 404 and e.value.code == "unknown_instance"
    with pytest.raises(FineMemServerError) as e:
        FineMemClient(url, "wrong", retries=0).create_episode(instance=INSTANCE)
    assert e.value.status == 401 and e.value.code == "unauthorized"


def test_connection_error_after_retries():
    c = FineMemClient("http://127.0.0.1:9", TOKEN, timeout=1, retries=1, backoff=0.0)
    with pytest.raises(FineMemConnectionError):
        c.step("e", 1, _out())
