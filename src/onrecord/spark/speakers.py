"""Speaker identity across articles, in Spark, by the store's own rule (corpus/identity.py ``resolve``).

The store resolves the speakers of each article in input order. Its rule only compares keys that end
in the same word (an exact key; a bare surname against keys ending in " surname"), so the calls can be
grouped by the last word of their key, sorted by input order, and replayed group by group, in parallel,
against a dictionary: the answer is the store's, up to the numbering. A speaker's id is a stable hash
of the key it was created with (speakers with the same key are one speaker everywhere).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

from onrecord.corpus.identity import Registry, _key, resolve


def speaker_number(key: str) -> int:
    """A speaker's id in Spark's output: 63 bits of the sha256 of its key."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") >> 1


class _Dict(Registry):
    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        self.types: dict[int, str] = {}
        self.names: dict[int, tuple[str, str]] = {}

    def alias(self, key: str) -> int | None:
        return None  # corrections live in the store (speakers --merge / --split), not in a Spark run

    def by_key(self, key: str) -> int | None:
        return self.keys.get(key)

    def persons_named(self, surname: str) -> list[int]:
        return [i for k, i in self.keys.items() if k.endswith(" " + surname) and self.types[i] == "PERSON"]

    def create(self, name: str, key: str, type_: str) -> int:
        sid = self.keys[key] = speaker_number(key)
        self.types[sid] = type_
        self.names[sid] = (name, key)
        return sid


def article_calls(article_hash: str, ordinal: int, quotes: list[dict], entities: list[dict]) -> list[dict]:
    """The calls the store makes for one article, in its order: the first quote of each local speaker
    (its entity, else its name) that names a speaker; the type from its entity (PERSON without one)."""
    types = {e["entity"]: e["type"] for e in entities}
    seen: set[str] = set()
    out = []
    for q in sorted(quotes, key=lambda q: int(q["quote_id"][1:])):
        if not q["speaker"]:
            continue
        local = q["entity"] or q["speaker"]
        if local in seen:
            continue
        seen.add(local)
        out.append({"article_hash": article_hash, "ordinal": ordinal, "seq": len(out), "local": local,
                    "name": q["speaker"], "type": types.get(q["entity"] or "", "PERSON")})
    return out


def group_of(call: dict) -> str:
    """The last word of the call's key: the calls that can affect each other share it."""
    return _key(call["name"]).rsplit(" ", 1)[-1]


def replay(calls: Iterable[dict]) -> Iterator[tuple[tuple[str, str], tuple[int, str, str, str]]]:
    """((article_hash, local speaker), (speaker id, name, key, type)) for one group's calls."""
    reg = _Dict()
    for c in sorted(calls, key=lambda c: (c["ordinal"], c["seq"])):
        sid = resolve(reg, c["name"], c["type"])
        name, key = reg.names[sid]
        yield (c["article_hash"], c["local"]), (sid, name, key, reg.types[sid])
