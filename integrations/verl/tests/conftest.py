import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

os.environ["FINEMEM_VERL_FORCE_STANDIN"] = "1"
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

TOKEN = "test-token"


class FakeState:
    def __init__(self):
        self.episodes = {}
        self.step_keys = []  # (episode, step, key) per received step request
        self.fail_steps_5xx = 0  # answer the next N step requests with 503 after applying nothing
        self.applied = []
        self.lock = threading.Lock()
        self.counter = 0


def _total(instance_id, rollout, step, n_calls):
    # deterministic fake reward: depends on the number of calls the step's text held
    return round(0.1 * n_calls + 0.01 * step - 0.05 * rollout, 10)


class Handler(BaseHTTPRequestHandler):
    state: FakeState = None

    def log_message(self, *a):
        pass

    def _send(self, status, body=None):
        raw = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if raw:
            self.wfile.write(raw)

    def _err(self, status, code, message, path=None):
        e = {"code": code, "message": message}
        if path is not None:
            e["path"] = path
        self._send(status, {"error": e})

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"null")

    def _auth(self):
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._err(401, "unauthorized", "bad token")
            return False
        return True

    def do_GET(self):
        if self.path == "/v1/health":
            return self._send(200, {"status": "ok"})
        self._err(404, "not_found", self.path)

    def do_DELETE(self):
        if not self._auth():
            return
        ep = self.path.split("/")[3]
        if ep not in self.state.episodes:
            return self._err(404, "unknown_episode", ep)
        self.state.episodes[ep]["deleted"] = True
        self._send(204)

    def _prompt(self, ep, t):
        chunk = ep["chunks"][t - 1]
        text = chunk["text"] if isinstance(chunk, dict) else chunk
        return {
            "step": t,
            "messages": [{"role": "system", "content": "You manage memory."}, {"role": "user", "content": f"Memory: {len(ep['memory'])} items\nChunk: {text}"}],
            "tools": [{"name": "memory_insert", "description": "d", "parameters": {"type": "object", "properties": {"content": {"type": "string"}}, "required": ["content"]}}],
        }

    def do_POST(self):
        if not self._auth():
            return
        try:
            body = self._body()
        except ValueError:
            return self._err(400, "invalid_json", "not json")
        parts = self.path.strip("/").split("/")
        st = self.state
        with st.lock:
            if parts == ["v1", "episodes"]:
                if "instance" in body:
                    inst = body["instance"]
                elif "instanceId" in body:
                    return self._err(404, "unknown_instance", body["instanceId"])
                else:
                    return self._err(400, "invalid_request", "instance or instanceId", ["instance"])
                st.counter += 1
                eid = f"ep{st.counter}"
                ep = {"id": eid, "instanceId": inst["instanceId"], "rollout": body.get("rollout", 0), "chunks": inst["chunks"], "done": 0, "memory": [], "keys": {}, "totals": {}}
                st.episodes[eid] = ep
                return self._send(201, {"episodeId": eid, "instanceId": ep["instanceId"], "rollout": ep["rollout"], "chunks": len(ep["chunks"]), "next": self._prompt(ep, 1)})
            if len(parts) != 4 or parts[3] not in ("steps", "finalize", "fork"):
                return self._err(404, "not_found", self.path)
            ep = st.episodes.get(parts[2])
            if ep is None:
                return self._err(404, "unknown_episode", parts[2])
            T = len(ep["chunks"])
            if parts[3] == "steps":
                key = self.headers.get("Idempotency-Key")
                if not key:
                    return self._err(400, "invalid_request", "Idempotency-Key required", ["headers", "Idempotency-Key"])
                st.step_keys.append((ep["id"], body.get("step"), key))
                if st.fail_steps_5xx > 0:
                    st.fail_steps_5xx -= 1
                    return self._err(503, "shutting_down", "try again")
                if key in ep["keys"]:
                    prev_body, prev_resp = ep["keys"][key]
                    if prev_body != body:
                        return self._err(409, "idempotency_conflict", "different body")
                    return self._send(200, prev_resp)
                out = body.get("output")
                if not isinstance(out, dict) or not isinstance(out.get("text"), str):
                    return self._err(400, "invalid_request", "output.text", ["output", "text"])
                if ep["done"] >= T:
                    return self._err(409, "episode_finished", "finished")
                if body.get("step") != ep["done"] + 1:
                    return self._err(409, "step_order", f"expected step {ep['done'] + 1}")
                ids, lps = out.get("responseTokenIds"), out.get("responseLogprobs")
                assert ids is not None and len(ids) == out["usage"]["completionTokens"]
                assert lps is None or (len(lps) == len(ids) and all(x <= 0 for x in lps))
                t = body["step"]
                n_calls = out["text"].count("<tool_call>")
                ep["memory"].extend(["x"] * n_calls)
                ep["done"] = t
                st.applied.append((ep["id"], t))
                ep["totals"][t] = _total(ep["instanceId"], ep["rollout"], t, n_calls)
                resp = {"episodeId": ep["id"], "step": t, "operations": [], "results": [], "parseOutcomes": [], "rewards": {"format": 1.0 if n_calls else 0.0, "chunk": None}, "memoryTokens": len(ep["memory"]), "next": self._prompt(ep, t + 1) if t < T else None}
                ep["keys"][key] = (body, resp)
                return self._send(200, resp)
            if parts[3] == "finalize":
                if ep["done"] < T:
                    return self._err(409, "episode_not_finished", f"{ep['done']}/{T}")
                steps = [{"step": t, "rewards": {"format": 1.0, "chunk": None, "evidence": None, "eara": None, "compression": None, "content": None, "total": ep["totals"][t]}} for t in range(1, T + 1)]
                return self._send(200, {"episodeId": ep["id"], "instanceId": ep["instanceId"], "rollout": ep["rollout"], "steps": steps, "globalScore": 0.5, "unattributed": 0.0, "samples": []})
            return self._err(404, "not_found", "fork unsupported in fake")


@pytest.fixture
def fake_server():
    state = FakeState()
    handler = type("H", (Handler,), {"state": state})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", state
    finally:
        srv.shutdown()
        srv.server_close()


INSTANCE = {
    "instanceId": "inst-1",
    "chunks": [
        {"id": "c1", "text": "Ada lives in Paris. She plays chess. Her cat is Bob."},
        {"id": "c2", "text": "Bob is grey. Ada moved to Rome in 2020."},
        {"id": "c3", "text": "Ada likes tea. Rome is warm. She works at a bank. The bank is old."},
    ],
}
