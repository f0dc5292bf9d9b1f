"""Grading helpers shared by the labs' check.sh scripts.

A check script runs the lab's eyrie commands, computes every expected answer
from eyrie's own output, describes each question with `Q(...)` and calls
`grade(answers_path, questions)`, which prints one line per question:

    Q1 right
    Q2 wrong: <hint>
    Q3 unanswered

and returns the exit status (0 only if every answer is right).

Answers files are flat TOML: `q1 = 392`, `q2 = "ws"`; an empty string `""`
(the templates' value) or a missing key is unanswered. Python 3.11+ reads them
with tomllib; older versions use a small parser that accepts the same flat form.
"""

import csv
import json
import math
import os
import re
import sys

# ---------------------------------------------------------------- answers file


def _fallback_toml(text, path):
    """`key = value` lines only: numbers, quoted strings, true/false; # comments."""
    out = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([A-Za-z0-9_-]+|"[^"]*")\s*=\s*(.*)$', line)
        if not m:
            raise ValueError(f"{path}:{n}: expected `key = value`, got: {raw}")
        key, rest = m.group(1).strip('"'), m.group(2)
        if rest.startswith('"'):
            end = rest.find('"', 1)
            if end < 0:
                raise ValueError(f"{path}:{n}: unterminated string")
            value = rest[1:end]
            tail = rest[end + 1 :].strip()
        elif rest.startswith("'"):
            end = rest.find("'", 1)
            if end < 0:
                raise ValueError(f"{path}:{n}: unterminated string")
            value = rest[1:end]
            tail = rest[end + 1 :].strip()
        else:
            token, _, comment = rest.partition("#")
            token = token.strip()
            tail = ("#" + comment) if comment else ""
            if token in ("true", "false"):
                value = token == "true"
            else:
                try:
                    value = int(token.replace("_", ""))
                except ValueError:
                    try:
                        value = float(token.replace("_", ""))
                    except ValueError:
                        raise ValueError(f"{path}:{n}: `{token}` is not a number; put text in quotes") from None
        if tail and not tail.startswith("#"):
            raise ValueError(f"{path}:{n}: unexpected text after the value: {tail}")
        if key in out:
            raise ValueError(f"{path}:{n}: `{key}` is given twice")
        out[key] = value
    return out


def load_answers(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        import tomllib  # Python 3.11+
    except ImportError:
        return _fallback_toml(data.decode("utf-8"), path)
    try:
        return tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path}: not valid TOML ({e}); write answers as q1 = 123.4 or q2 = \"ws\"") from None


# ---------------------------------------------------------------- questions


class Q:
    """One question.

    key       answers-file key, e.g. "q3" (printed as Q3)
    expected  the value computed from eyrie's output now
    rel       relative tolerance (0.02 = ±2 %); abs_tol an absolute one;
              neither: the answer must equal the expected number exactly
    choices   for a choice question: the allowed strings (case-insensitive)
    hint      shown when the answer is wrong: where to look, what to compute
    """

    def __init__(self, key, expected, hint, rel=None, abs_tol=None, choices=None):
        self.key = key
        self.expected = expected
        self.hint = hint
        self.rel = rel
        self.abs_tol = abs_tol
        self.choices = [c.lower() for c in choices] if choices else None

    @property
    def label(self):
        return "Q" + self.key.lstrip("qQ")

    def tolerance_text(self):
        if self.rel is not None:
            return f"within ±{self.rel * 100:g} %"
        if self.abs_tol is not None:
            return f"within ±{self.abs_tol:g}"
        return "exactly"

    def check(self, answer):
        """(verdict, message): verdict is 'right', 'wrong' or 'unanswered'."""
        if answer is None or (isinstance(answer, str) and answer.strip() == ""):
            return "unanswered", ""
        if self.choices is not None:
            if not isinstance(answer, str):
                answer = str(answer)
            a = answer.strip().lower()
            if a not in self.choices:
                return "wrong", f"answer one of: {', '.join(self.choices)} (got \"{answer}\")"
            if a == str(self.expected).lower():
                return "right", ""
            return "wrong", self.hint
        value = _number(answer)
        if value is None:
            return "wrong", f"the answer must be a number, got {answer!r}; {self.hint}"
        exp = float(self.expected)
        if self.rel is not None:
            ok = abs(value - exp) <= self.rel * abs(exp) + 1e-12
        elif self.abs_tol is not None:
            ok = abs(value - exp) <= self.abs_tol + 1e-12
        else:
            ok = abs(value - exp) <= 1e-9 * max(1.0, abs(exp))
        if ok:
            return "right", ""
        side = "too high" if value > exp else "too low"
        return "wrong", f"{self.hint} (your {value:g} is {side}; it must match {self.tolerance_text()})"


def _toml_value(v):
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.6g}"
    return str(int(v))


def _number(answer):
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return float(answer) if math.isfinite(answer) else None
    if isinstance(answer, str):
        s = answer.strip().replace(",", "").replace("_", "").replace(" ", "")
        try:
            v = float(s)
        except ValueError:
            return None
        return v if math.isfinite(v) else None
    return None


def grade(answers_path, questions):
    """Print one line per question and a summary; return the exit status."""
    for q in questions:
        if q.expected is None:
            print(f"error: {q.label}: its expected value could not be computed from eyrie's output "
                  "(has the output format changed?)", file=sys.stderr)
            return 2
    if os.environ.get("LAB_PRINT_KEY"):
        # For instructors: the answers a correct student would write today.
        for q in questions:
            print(f"{q.key} = {_toml_value(q.expected)}")
        return 0
    try:
        answers = load_answers(answers_path)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        print(f"error: cannot read the answers: {e}", file=sys.stderr)
        return 2
    known = {q.key for q in questions}
    extra = sorted(k for k in answers if k not in known)
    if extra:
        print(f"note: ignoring keys that are not questions of this lab: {', '.join(extra)}")
    counts = {"right": 0, "wrong": 0, "unanswered": 0}
    for q in questions:
        verdict, msg = q.check(answers.get(q.key))
        counts[verdict] += 1
        print(f"{q.label} {verdict}: {msg}" if verdict == "wrong" else f"{q.label} {verdict}")
    n = len(questions)
    print(f"{counts['right']} of {n} right, {counts['wrong']} wrong, {counts['unanswered']} unanswered")
    return 0 if counts["right"] == n else 1


# ---------------------------------------------------------------- eyrie output


def load_json(path):
    with open(path) as f:
        return json.load(f)


def rows(path):
    """A CSV file as a list of dicts."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def layer(run, name):
    """The layer `name` of an `eyrie run --format json` document ("total" for the total)."""
    if name == "total":
        return run["total"]
    for l in run["layers"]:
        if l["layer"] == name:
            return l
    raise KeyError(f"no layer {name} in the run of {run.get('network')}")


def extra(l, key):
    """An engine-specific figure of a layer."""
    for k, v in l["extra"]:
        if k == key:
            return v
    raise KeyError(f"no extra figure {key} in layer {l['layer']}")


def level(l, name):
    """A memory level's counts of a layer (reads/writes per tensor)."""
    for lv in l["levels"]:
        if lv["name"] == name:
            return lv
    raise KeyError(f"no level {name} in layer {l['layer']}")


def energy_parts(l):
    """Energy of a layer by part, pJ: mac, noc, leakage and one entry per memory level."""
    e = l["energy"]
    parts = {"mac": e["mac_pj"], "noc": e["noc_pj"], "leakage": e["leakage_pj"]}
    for lv, pj in zip(l["levels"], e["levels_pj"]):
        parts[lv["name"]] = pj
    return parts


def largest(parts):
    """The key with the largest value."""
    return max(parts, key=lambda k: parts[k])
