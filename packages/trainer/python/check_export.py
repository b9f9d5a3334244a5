#!/usr/bin/env python3
"""Checks a JSONL export of @finemem/trainer's external backend, with the Python standard library alone.

It checks every line against export schema version 1 (each field present with its type, no other field,
the LLM fields exactly on LLM samples and the decision fields exactly on decision samples), then
recomputes every advantage from the rewards and group ids with verl's GRPO formula
(verl/trainer/ppo/core_algos.py, compute_grpo_outcome_advantage):

    per group (the `groupId`, verl's uid): the scores (`reward`) of its samples
    one sample          -> mean 0, std 1
    several             -> mean, unbiased std (n - 1)
    normalizeByStd      -> (score - mean) / (std + epsilon)      (GRPO)
    otherwise           ->  score - mean                         (Dr.GRPO)

with the grouping, normalizeByStd and epsilon each line records. It is written from that description,
not from the TypeScript code, so that it checks the code rather than repeats it.

Usage: python3 check_export.py FILE.jsonl
Prints one summary line and exits 0 when every line is right; prints the first bad line (its number,
the field, what was expected and what it holds) and exits 1 otherwise; exits 2 on a usage error.
"""
import json
import math
import sys

SCHEMA_VERSION = 1
# |got - expected| <= TOLERANCE * max(1, |expected|): float64 sums taken in another order differ in
# the last bits, and dividing by std + epsilon can scale that up; a wrong advantage is far off.
TOLERANCE = 1e-9
GROUPINGS = ("pooled", "per-step")
KINDS = ("llm", "decisions", "none")
FINISH_REASONS = ("stop", "length", "tool_calls", "content_filter", "error", "other")
REWARD_COMPONENTS = (
    "rewardFormat",
    "rewardChunk",
    "rewardEvidence",
    "rewardEara",
    "rewardCompression",
    "rewardContent",
)
LLM_FIELDS = ("promptTokenIds", "responseTokenIds", "behaviourLogprobs", "finishReason", "truncated")
DECISION_FIELDS = ("decisionLogprobs", "replay")


class BadLine(Exception):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")


class IndexedBadLine(BadLine):
    """A BadLine found when comparing lines: `index` is the position of the offending row."""

    def __init__(self, index, field, message):
        super().__init__(field, message)
        self.index = index


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value):
    return (is_int(value) or isinstance(value, float)) and math.isfinite(value)


def describe(value):
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def need(row, field, ok, expected):
    if not ok(row[field]):
        raise BadLine(field, f"expected {expected}, got {describe(row[field])}")


def int_list(value, minimum, non_empty=False):
    return isinstance(value, list) and (len(value) > 0 or not non_empty) and all(is_int(v) and v >= minimum for v in value)


def logprob_list(value):
    return isinstance(value, list) and all(is_number(v) and v <= 0 for v in value)


FIELDS = (
    "schemaVersion", "updateStep", "instanceId", "rollout", "step", "groupId", "grouping", "normalizeByStd",
    "epsilon", "dataSource", "kind", "reward", *REWARD_COMPONENTS, "advantage", "actionLogprob",
    *LLM_FIELDS, *DECISION_FIELDS,
)


def check_row(row):
    """Raises BadLine for the first field of `row` that breaks schema version 1."""
    if not isinstance(row, dict):
        raise BadLine("(line)", f"expected a JSON object, got {describe(row)}")
    version = row.get("schemaVersion")
    if is_int(version) and version > SCHEMA_VERSION:
        raise BadLine("schemaVersion", f"{version} is newer than {SCHEMA_VERSION}: use the check_export.py of the package that wrote it")
    for field in FIELDS:
        if field not in row:
            raise BadLine(field, "missing")
    for field in row:
        if field not in FIELDS:
            raise BadLine(field, f"not a field of schema version {SCHEMA_VERSION}")
    need(row, "schemaVersion", lambda v: v == SCHEMA_VERSION and is_int(v), str(SCHEMA_VERSION))
    need(row, "updateStep", lambda v: is_int(v) and v >= 1, "an integer >= 1")
    need(row, "instanceId", lambda v: isinstance(v, str) and v != "", "a non-empty string")
    need(row, "rollout", lambda v: is_int(v) and v >= 0, "an integer >= 0")
    need(row, "step", lambda v: is_int(v) and v >= 1, "an integer >= 1")
    need(row, "groupId", lambda v: isinstance(v, str) and v != "", "a non-empty string")
    need(row, "grouping", lambda v: v in GROUPINGS, " or ".join(GROUPINGS))
    need(row, "normalizeByStd", lambda v: isinstance(v, bool), "true or false")
    need(row, "epsilon", lambda v: is_number(v) and v > 0, "a number > 0")
    need(row, "dataSource", lambda v: isinstance(v, str) and v != "", "a non-empty string")
    need(row, "kind", lambda v: v in KINDS, " or ".join(KINDS))
    need(row, "reward", is_number, "a finite number")
    for field in REWARD_COMPONENTS:
        need(row, field, lambda v: v is None or is_number(v), "a finite number or null")
    need(row, "advantage", is_number, "a finite number")
    need(row, "actionLogprob", lambda v: v is None or (is_number(v) and v <= 0), "a number <= 0 or null")
    # The group id names the instance, and under per-step grouping the step, of every member.
    suffix = f":{row['instanceId']}" + (f":step-{row['step']}" if row["grouping"] == "per-step" else "")
    need(row, "groupId", lambda v: v.endswith(suffix), f"an id ending in {suffix!r} ({row['grouping']} grouping)")

    kind = row["kind"]
    absent = {"llm": DECISION_FIELDS, "decisions": LLM_FIELDS, "none": LLM_FIELDS + DECISION_FIELDS}[kind]
    for field in absent:
        need(row, field, lambda v: v is None, f"null on a {kind!r} sample")
    if kind == "llm":
        need(row, "promptTokenIds", lambda v: int_list(v, 0, non_empty=True), "a non-empty list of token ids")
        need(row, "responseTokenIds", lambda v: int_list(v, 0), "a list of token ids")
        need(row, "behaviourLogprobs", logprob_list, "a list of log-probabilities <= 0")
        count = len(row["responseTokenIds"])
        need(row, "behaviourLogprobs", lambda v: len(v) == count, f"one log-probability per response token ({count})")
        need(row, "finishReason", lambda v: v in FINISH_REASONS, " or ".join(FINISH_REASONS))
        need(row, "truncated", lambda v: v is (row["finishReason"] == "length"), f"{str(row['finishReason'] == 'length').lower()} (finishReason is {row['finishReason']!r})")
        need(row, "actionLogprob", lambda v: v is not None, "the sum of behaviourLogprobs on an 'llm' sample")
    elif kind == "decisions":
        need(row, "decisionLogprobs", logprob_list, "a list of log-probabilities <= 0")
        need(row, "actionLogprob", lambda v: v is not None, "the sum of decisionLogprobs on a 'decisions' sample")
    else:
        need(row, "actionLogprob", lambda v: v is None, "null on a 'none' sample (no record to recompute it from)")


def expected_advantages(rows):
    """verl's GRPO advantage of every row, keyed by position; raises BadLine for inconsistent groups."""
    groups = {}
    for index, row in enumerate(rows):
        groups.setdefault((row["updateStep"], row["groupId"]), []).append(index)
    expected = [0.0] * len(rows)
    for members in groups.values():
        first = rows[members[0]]
        seen = set()
        for index in members:
            row = rows[index]
            for field in ("instanceId", "grouping", "normalizeByStd", "epsilon"):
                if row[field] != first[field]:
                    raise IndexedBadLine(index, field, f"{describe(row[field])} differs from {describe(first[field])} elsewhere in group {first['groupId']}")
            key = (row["rollout"], row["step"])
            if key in seen:
                raise IndexedBadLine(index, "step", f"rollout {row['rollout']} step {row['step']} appears twice in group {first['groupId']}")
            seen.add(key)
        scores = [rows[index]["reward"] for index in members]
        n = len(scores)
        if n == 1:
            mean, std = 0.0, 1.0
        else:
            mean = sum(scores) / n
            std = math.sqrt(sum((score - mean) ** 2 for score in scores) / (n - 1))
        for index, score in zip(members, scores):
            centred = score - mean
            expected[index] = centred / (std + first["epsilon"]) if first["normalizeByStd"] else centred
    return expected, len(groups)


def main(argv):
    if len(argv) != 2:
        print("usage: check_export.py FILE.jsonl", file=sys.stderr)
        return 2
    path = argv[1]
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        print(f"check_export.py: cannot read {path}: {error}", file=sys.stderr)
        return 2

    def bad(line_number, message):
        print(f"check_export.py: {path} line {line_number}: {message}")
        return 1

    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows, numbers = [], []
    for number, line in enumerate(lines, start=1):
        try:
            row = json.loads(line, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(f"{name} is not JSON")))
            check_row(row)
        except ValueError as error:
            return bad(number, f"not a JSON value ({error})")
        except BadLine as error:
            return bad(number, str(error))
        rows.append(row)
        numbers.append(number)
    if not rows:
        return bad(1, "no samples: an export holds at least one line")

    try:
        expected, group_count = expected_advantages(rows)
    except IndexedBadLine as error:
        return bad(numbers[error.index], str(error))
    worst = 0.0
    for index, (row, value) in enumerate(zip(rows, expected)):
        error = abs(row["advantage"] - value)
        if error > TOLERANCE * max(1.0, abs(value)):
            return bad(
                numbers[index],
                f"advantage: expected {value!r} (verl's GRPO over group {row['groupId']} of update {row['updateStep']}), got {row['advantage']!r}",
            )
        worst = max(worst, error)

    updates = sorted({row["updateStep"] for row in rows})
    settings = sorted({(row["grouping"], row["normalizeByStd"], row["epsilon"]) for row in rows})
    described = ", ".join(
        f"{grouping} {'GRPO' if normalize else 'Dr.GRPO'} eps={epsilon!r}" for grouping, normalize, epsilon in settings
    )
    print(
        f"check_export.py: ok: {path}: {len(rows)} samples in {group_count} groups, "
        f"update {', '.join(map(str, updates))}, {described}, schema {SCHEMA_VERSION}, "
        f"max |advantage error| {worst:.1e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
