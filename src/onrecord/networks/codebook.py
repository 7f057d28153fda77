"""The codebook: the concepts a corpus is coded for (YAML, docs/positions.md, samples/codebook.yaml).

    similarity: 0.5            # optional: how close in meaning an example must be (cosine, 0-1)
    concepts:
      - name: No-fly zone over Ukraine
        description: Establishing a no-fly zone over Ukraine
        keywords: ["no-fly zone", "no fly zone", "close the skies"]
        examples: ["NATO should shoot down Russian jets over Ukraine"]

Keywords are phrases matched on lemmas, case-insensitively; examples are sentences matched by meaning
(a packaged sentence-embedding model) in quotes where no keyword of the concept occurs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from onrecord.errors import OnrecordError

DEFAULT_SIMILARITY = 0.5


@dataclass(frozen=True)
class Concept:
    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    similarity: float = DEFAULT_SIMILARITY


@dataclass(frozen=True)
class Codebook:
    concepts: tuple[Concept, ...]
    path: str = ""
    fingerprint: str = field(default="", compare=False)  # changes whenever the coding would

    def concept(self, name: str) -> Concept:
        """The concept called ``name`` (case-blind), or an error listing those there are."""
        for c in self.concepts:
            if c.name.lower() == name.strip().lower():
                return c
        known = "; ".join(c.name for c in self.concepts)
        raise OnrecordError(f"{self.path or 'the codebook'}: no concept {name!r} (it has: {known})")


def parse(data: object, path: str = "") -> Codebook:
    """A codebook from its YAML form (already loaded); every mistake is one message naming the file."""
    where = path or "the codebook"

    def fail(msg: str) -> OnrecordError:
        return OnrecordError(f"{where}: {msg}")

    if not isinstance(data, dict) or "concepts" not in data:
        raise fail("a codebook is a mapping with a 'concepts:' list (see samples/codebook.yaml)")
    unknown = set(data) - {"concepts", "similarity"}
    if unknown:
        raise fail(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; a codebook has 'concepts' and "
                   "'similarity'")
    default = _similarity(data.get("similarity", DEFAULT_SIMILARITY), fail, "similarity")
    items = data["concepts"]
    if not isinstance(items, list) or not items:
        raise fail("'concepts:' must be a non-empty list")
    concepts, seen = [], set()
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise fail(f"concept {i} is not a mapping with name, keywords and/or examples")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise fail(f"concept {i} has no name")
        name = " ".join(name.split())
        if name.lower() in seen:
            raise fail(f"two concepts are called {name!r}")
        seen.add(name.lower())
        bad = set(item) - {"name", "description", "keywords", "examples", "similarity"}
        if bad:
            raise fail(f"concept {name!r}: unknown key(s) {', '.join(sorted(map(str, bad)))}")
        keywords = _phrases(item.get("keywords"), fail, f"concept {name!r}: keywords")
        examples = _phrases(item.get("examples"), fail, f"concept {name!r}: examples")
        if not keywords and not examples:
            raise fail(f"concept {name!r} has neither keywords nor examples, so nothing can match it")
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise fail(f"concept {name!r}: description must be text")
        concepts.append(Concept(name, description.strip(), keywords, examples,
                                _similarity(item.get("similarity", default), fail, f"concept {name!r}: similarity")))
    fingerprint = hashlib.sha256(json.dumps(
        [[c.name, c.keywords, c.examples, c.similarity] for c in concepts] + [_rules()]).encode()).hexdigest()[:16]
    return Codebook(tuple(concepts), path, fingerprint)


def _phrases(value: object, fail, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(f"{what} must be a list of phrases")
    out = tuple(dict.fromkeys(" ".join(v.split()) for v in value if v.strip()))
    if any(len(v) > 1000 for v in out):
        raise fail(f"{what}: a phrase over 1,000 characters")
    return out


def _similarity(value: object, fail, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise fail(f"{what} must be a number above 0 and at most 1 (cosine similarity), not {value!r}")
    return float(value)


# How quotes are coded, as part of every codebook's fingerprint: a stored coding made by other rules is
# redone. Raise RULES when networks/agreement.py changes what it decides; the stance word lists count
# by themselves.
RULES = 5  # 4: a holder named in a title-case headline is the name alone (corpus/positions.py); 5: curly apostrophes read as straight


def _rules() -> list:
    from onrecord.lexicon import wordlist

    lists = ("for_words", "against_words", "for_cues", "against_cues", "negators", "condition_marks", "anaphors")
    return [RULES, *(sorted(wordlist(f"stance_{k}")) for k in lists)]


def load(path: str | Path) -> Codebook:
    """Read a codebook file (YAML)."""
    import yaml

    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise OnrecordError(f"{p}: no such codebook") from None
    except IsADirectoryError:
        raise OnrecordError(f"{p}: is a folder, not a codebook file") from None
    except OSError as e:
        raise OnrecordError(f"{p}: cannot read the codebook ({e.strerror or e})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OnrecordError(f"{p}: the codebook is not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise OnrecordError(f"{p}: not valid YAML{at}: {problem}") from None
    return parse(data, str(p))
