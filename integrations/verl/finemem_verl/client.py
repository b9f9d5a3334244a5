"""Blocking HTTP client for ``finemem serve`` (API v1: GET /v1/openapi.json on the server, and finemem's README).

Standard library only (urllib + json). Every call is synchronous; the agent loop runs it in an
executor so the asyncio event loop of a verl AgentLoopWorker is not blocked.

Retry policy:
- ``step`` always carries an ``Idempotency-Key`` (generated with uuid4 when the caller gives none);
  connection errors and 5xx responses are retried with the SAME key and the same body, so the
  server replays its first response instead of applying the step twice.
- ``finalize`` and ``close`` are idempotent on the server and are retried the same way.
- ``create_episode`` and ``fork`` are not idempotent (a retry after a lost response may leave an
  orphan episode); they are retried only when ``retry_non_idempotent=True``.
- 4xx responses are never retried: they raise :class:`FineMemServerError`.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Optional

__all__ = ["FineMemClient", "FineMemServerError", "FineMemConnectionError"]


class FineMemServerError(Exception):
    """An error response of the server: ``{"error": {"code", "message", "path"?}}``."""

    def __init__(self, status: int, code: str, message: str, path: Optional[list] = None):
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        where = f" at {path!r}" if path else ""
        super().__init__(f"finemem serve {status} {code}: {message}{where}")


class FineMemConnectionError(Exception):
    """The server could not be reached (after all retries)."""


def _error_from(status: int, raw: bytes) -> FineMemServerError:
    code, message, path = f"http_{status}", "", None
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
        err = body.get("error") if isinstance(body, dict) else None
        if isinstance(err, dict):
            code = str(err.get("code", code))
            message = str(err.get("message", ""))
            path = err.get("path")
        else:
            message = raw.decode("utf-8", "replace")[:500]
    except (ValueError, UnicodeDecodeError):
        message = raw.decode("utf-8", "replace")[:500]
    return FineMemServerError(status, code, message, path)


class FineMemClient:
    def __init__(
        self,
        base_url: str,
        token: Optional[str],
        timeout: float = 120.0,
        retries: int = 3,
        backoff: float = 0.25,
        retry_non_idempotent: bool = False,
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.retry_non_idempotent = retry_non_idempotent

    # -- transport ---------------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Optional[dict] = None,
        retry: bool = True,
    ) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        hdrs = {"Accept": "application/json"}
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        if self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        if headers:
            hdrs.update(headers)
        attempts = 1 + (self.retries if retry else 0)
        last: Optional[BaseException] = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            req = urllib.request.Request(self.base_url + path, data=data, headers=hdrs, method=method)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    raw = resp.read()
                    if resp.status == 204 or not raw:
                        return None
                    return json.loads(raw.decode("utf-8"))
            except urllib.error.HTTPError as e:
                raw = e.read() if e.fp is not None else b""
                err = _error_from(e.code, raw)
                if 500 <= e.code < 600:
                    last = err
                    continue
                raise err from None
            except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as e:
                last = e
                continue
        if isinstance(last, FineMemServerError):
            raise last
        raise FineMemConnectionError(f"{method} {path} failed after {attempts} attempt(s): {last!r}") from last

    # -- routes ------------------------------------------------------------------------------------
    def health(self) -> dict:
        return self._request("GET", "/v1/health")

    def create_episode(
        self,
        instance: Optional[dict] = None,
        instance_id: Optional[str] = None,
        prompt: Optional[str] = None,
        call_style: Optional[str] = None,
        rollout: Optional[int] = None,
        seed: Optional[str] = None,
    ) -> dict:
        """POST /v1/episodes → ``{episodeId, instanceId, rollout, chunks, next}``."""
        if (instance is None) == (instance_id is None):
            raise ValueError("give exactly one of instance or instance_id")
        body: dict[str, Any] = {"instance": instance} if instance is not None else {"instanceId": str(instance_id)}
        if prompt is not None:
            body["prompt"] = prompt
        if call_style is not None:
            body["callStyle"] = call_style
        if rollout is not None:
            body["rollout"] = int(rollout)
        if seed is not None:
            body["seed"] = str(seed)
        return self._request("POST", "/v1/episodes", body, retry=self.retry_non_idempotent)

    def step(self, episode_id: str, step: int, output: dict, idempotency_key: Optional[str] = None) -> dict:
        """POST /v1/episodes/{id}/steps; retried with the same Idempotency-Key."""
        key = idempotency_key or uuid.uuid4().hex
        if not 1 <= len(key) <= 200:
            raise ValueError("Idempotency-Key must have 1 to 200 characters")
        return self._request(
            "POST",
            f"/v1/episodes/{_q(episode_id)}/steps",
            {"step": int(step), "output": output},
            headers={"Idempotency-Key": key},
        )

    def finalize(self, episode_id: str) -> dict:
        return self._request("POST", f"/v1/episodes/{_q(episode_id)}/finalize", {})

    def fork(self, episode_id: str) -> dict:
        return self._request("POST", f"/v1/episodes/{_q(episode_id)}/fork", {}, retry=self.retry_non_idempotent)

    def close(self, episode_id: str) -> None:
        self._request("DELETE", f"/v1/episodes/{_q(episode_id)}")


def _q(segment: str) -> str:
    return urllib.parse.quote(str(segment), safe="")
