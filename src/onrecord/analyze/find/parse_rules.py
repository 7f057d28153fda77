"""The parse rules: cues, their sources and their contents, read off one dependency-parsed chunk.

Works on any spaCy ``Doc`` with tags and a dependency parse; ``base`` is the chunk's character offset in
the article, so every span this returns indexes the article text. ``find`` is the finder's entry point:
one ``Candidate`` per cue word (a verb, a cue noun, "according to", a poll), in text order.
"""

from __future__ import annotations

import bisect

from onrecord.analyze.candidate import Candidate, How
from onrecord.analyze.marks import strip_chars
from onrecord.lexicon import CueWord, cue_forms, wordlist

# dependents that are not part of a speaker's mention ("Stein, who is ineligible, said" -> "Stein")
_NOT_IN_MENTION = {"relcl", "acl", "appos", "punct", "advcl", "parataxis", "cc", "conj", "case"}
_SUBJECTS = {"nsubj", "nsubjpass"}
# forms of be, have and do (the pipeline runs without its lemmatizer: token.lemma_ is empty)
_BE = wordlist("be")
_LIGHT_VERBS = _BE | wordlist("have_do")
# what a cue verb without a clause takes as its content: its object and the phrases that complete it
_COMPLEMENTS = {"dobj", "xcomp", "oprd", "prep", "attr", "pcomp"}
_RELATIVE = wordlist("relative")
_OPENERS = {"IN", "WDT", "WP", "WRB", "TO", "DT", "PRP$", "PRP"}  # tags of the first words _opener names
_QUOTE_TAGS = {"``", "''"}  # the tagger's tags for quotation marks
_TRIM = set(" \t\n\r\xa0.,;:—–-\"“”«»„‘’'")


def _span(tokens, base: int) -> tuple[int, int]:
    first, last = tokens[0], tokens[-1]
    return base + first.idx, base + last.idx + len(last.text)


def _opener(tok) -> str:
    """A content's first word for the confidence model: the word itself when it is a function word
    ("that", "to", "whether", "he"), else its tag."""
    return tok.lower_ if tok.tag_ in _OPENERS else tok.tag_


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    return strip_chars(text, a, b, _TRIM)


def _subject(v, depth: int = 0):
    # the parser sometimes gives a verb two subjects, one inside the quotation before it ("“…voters
    # like…,” Ana Ruiz said"): the one nearest the verb is the speaker
    subjects = sorted((c for c in v.children if c.dep_ in _SUBJECTS), key=lambda c: abs(c.i - v.i))
    if subjects:
        c = subjects[0]
        if c.lower_ in _RELATIVE and v.dep_ == "relcl":
            return v.head
        return c
    if depth < 3 and (cue := _speakers_deed(v)) is not None:
        return _subject(cue, depth + 1)  # "Kasich says he would … and tells the crowd …": Kasich tells
    if depth < 3 and (cue := _aside_of(v)) is not None:
        return _subject(cue, depth + 1)  # "insisted that he has “grown the party,” claiming …"
    if depth < 3 and v.dep_ in {"xcomp", "advcl", "conj", "dep", "pcomp"} and v.head.i != v.i \
            and v.head.tag_.startswith("VB"):
        return _subject(v.head, depth + 1)
    if depth < 3 and v.dep_ == "pcomp" and v.head.dep_ == "prep" and v.head.head.tag_.startswith("VB"):
        return _subject(v.head.head, depth + 1)  # "Trump said before adding: ..."
    if v.dep_ in {"relcl", "acl"}:  # "Stein, who said ..." / "a statement saying ...", "ads calling ..."
        return v.head
    return None


_THROUGH = {"ccomp", "xcomp", "dobj", "pobj", "prep", "attr", "oprd", "acomp", "conj"}


def _aside_of(v):
    """The cue verb whose speaker a participle aside goes on acting as, or None: in "Trump insisted that
    he has “grown the party,” claiming that turnout doubled" the parser hangs "claiming" on "has" (or on
    a noun: "talked up her “plan,” promising …"), inside what was said; set off by a comma, the
    participle is the speaker's next deed, not the reported subject's."""
    if v.tag_ != "VBG" or v.dep_ not in {"advcl", "acl", "xcomp"}:
        return None
    doc, first = v.doc, v.left_edge.i
    if first < 2 or _set_off(doc, first, {",", "—", "–"}) is None:
        return None
    forms = cue_forms()
    h, steps = v.head, 0
    while steps < 4 and h.dep_ in _THROUGH and h.head.i != h.i:
        h, steps = h.head, steps + 1
        if h.tag_.startswith("VB") and h.lower_ in forms and any(c.dep_ in _SUBJECTS for c in h.children):
            return h
    return None


def _speakers_deed(v):
    """The cue verb whose speaker a conjunct goes on acting as, or None. "She said she admires him and
    highlighted their goals": the parser hangs "highlighted" (or, through more conjuncts, "… and tells
    the crowd") on the reported clause, but a conjunct with no subject of its own, in the cue's tense while
    the clause's verb is not, continues what the speaker did, not what she said."""
    if v.dep_ != "conj" or v.lower_ in _BE or any(x.dep_ in _SUBJECTS for x in v.children):
        return None  # "said he had worked there for years and was “a respected colleague”" describes him
    top = v
    while top.dep_ == "conj" and top.head.i != top.i:
        top = top.head
    if top.dep_ == "ccomp" and top.head.tag_ == v.tag_ and (top.tag_ != v.tag_ or any(
            x.dep_ in {"nsubj", "expl"} and x.lower_ in _NO_ONE for x in top.children)):
        return top.head
    return None


_NO_ONE = wordlist("no_one")  # "said it was too early … but added": "it" does not add anything


def _mention(tok):
    """The speaker mention's tokens: the subject with its modifiers, without clauses and appositions."""
    keep = [tok]
    stack = [c for c in tok.children if c.dep_ not in _NOT_IN_MENTION]
    while stack:
        c = stack.pop()
        keep.append(c)
        stack.extend(x for x in c.children if x.dep_ not in {"relcl", "appos", "acl"} or x.i < tok.i)
    keep.sort(key=lambda t: t.i)
    # keep it contiguous around the head
    doc = tok.doc
    lo, hi = keep[0].i, keep[-1].i
    toks = [doc[i] for i in range(lo, hi + 1)]
    while toks and toks[0].is_punct:
        toks = toks[1:]
    while toks and toks[-1].is_punct:
        toks = toks[:-1]
    return toks or [tok]


def _name_words(tok, mention) -> list[str]:
    """Mention words from its start to its head: the part that can hold titles and a name."""
    return _words([t for t in mention if t.i <= tok.i])


def _words(tokens) -> list[str]:
    """The tokens' texts, those joined by a hyphen, a slash or an apostrophe with no space on either side
    made one word again ("Holtz-Eakin", "CNN/ORC"; not "Al", "-", "Tabchi", which made "Tabchi" the name)."""
    out: list[str] = []
    prev = None
    for t in tokens:
        if prev is not None and _joined(prev, t):
            out[-1] += t.text
        else:
            out.append(t.text)
        prev = t
    return out


def _joined(a, b) -> bool:
    """Whether token ``b`` goes on the word that token ``a`` ends: ``b`` a hyphen (slash, apostrophe)
    right after a word and right before another, or the word right after such a mark."""
    if a.whitespace_:
        return False
    doc = a.doc
    if b.text in _INFIX:
        return not a.is_punct and not b.whitespace_ and b.i + 1 < len(doc)
    return a.text in _INFIX and a.i > 0 and not doc[a.i - 1].whitespace_ and not doc[a.i - 1].is_punct


_INFIX = frozenset({"-", "/", "’", "'", "‐", "–"})


def _set_source(hit: Candidate, head, base: int) -> None:
    mention = _mention(head)
    hit.source_words = _name_words(head, mention)
    hit.head_is_name = head.tag_ in {"NNP", "NNPS"} or _hyphenated_name(head)
    if not hit.head_is_name:
        # "Her brother Lars Berg said", "head of research Paul Smith said": the name is an apposition
        # right after the mention, or set off by commas ("The health minister, Dana Ruiz, said", "the
        # director of the agency, Jen Psaki, said")
        doc = head.doc
        phrase = _left_of_appos(head)
        ends = {head.i, max(t.i for t in mention if t.i < head.i or t.i in phrase)}
        appos = [c for c in head.children if c.dep_ == "appos" and c.tag_ in {"NNP", "NNPS"}
                 and not any(x.dep_ == "det" and x.lower_ in ("a", "an") for x in c.children)
                 # (not "..., a registered Republican": a description, not a name)
                 and any(c.left_edge.i == e + 1 or (c.left_edge.i == e + 2 and doc[e + 1].text == ",")
                         for e in ends)]
        if appos:
            name = _mention(appos[0])  # its own clauses and appositions left out ("..., who has ...")
            mention = sorted({*mention, *name, *doc[mention[0].i:name[0].i]}, key=lambda x: x.i)
            while mention and mention[-1].is_punct:
                mention.pop()
            # the comma stays: "director of the FBI, James B. Comey" is not one name
            hit.source_words = [w for w in _words([x for x in mention if x.i <= appos[0].i])
                                if w == "," or any(ch.isalnum() for ch in w)]
            hit.head_is_name = True
        elif _closing_name(head, mention):
            hit.source_words = _words(mention)
            hit.head_is_name = True
    hit.source = _span(mention, base)


def _hyphenated_name(head) -> bool:
    """Whether the head ends a hyphenated name: "Ban Ki-moon", whose "moon" the tagger takes for a
    common noun; not "a former Census-taker" (a name takes no article)."""
    doc, i = head.doc, head.i
    if i < 2 or any(c.dep_ == "det" for c in head.children):
        return False
    hyphen, before = doc[i - 1], doc[i - 2]
    return (hyphen.tag_ == "HYPH" and not hyphen.whitespace_ and not before.whitespace_
            and before.tag_ in {"NNP", "NNPS"} and before.text[:1].isupper())


def _left_of_appos(head) -> set[int]:
    """The tokens of the head's phrase up to its first apposition: "head of research" in "head of
    research Paul Smith"."""
    first = min((c.left_edge.i for c in head.children if c.dep_ == "appos"), default=len(head.doc))
    return {t.i for t in head.subtree if head.i <= t.i < first}


def _closing_name(head, mention) -> bool:
    """Whether the mention ends in a name its title's phrase runs into, without a comma or a determiner:
    "director of communications Jen Psaki" (the parser makes "communications Jen Psaki" one noun phrase,
    the object of "of"). Not "the director of the FBI" or "the head of Apple": a name right after "of"
    is what the title is of."""
    last = mention[-1]
    if last.tag_ not in {"NNP", "NNPS"} or last.dep_ != "pobj" or last.head.lower_ != "of" \
            or last.head.head.i != head.i:
        return False
    doc, k = head.doc, last.i
    while k > head.i and doc[k - 1].tag_ in {"NNP", "NNPS", "HYPH"}:
        k -= 1
    before = doc[k - 1]
    return before.tag_ in {"NN", "NNS"} and before.head.i == last.i and before.dep_ == "compound" \
        and before.text.islower()


def _sentence_minus(sent, sub_lo: int, sub_hi: int):
    """The larger side of a sentence around the token range [sub_lo, sub_hi]."""
    left = [t for t in sent if t.i < sub_lo]
    right = [t for t in sent if t.i > sub_hi]
    return left if len(left) >= len(right) else right


def find(doc, base: int, text: str) -> list[Candidate]:
    forms = cue_forms()
    hits: list[Candidate] = []
    for t in doc:
        low = t.lower_
        if low == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            hits.append(_according(t, doc, base, text))
            continue
        if low == "in" and t.dep_ == "prep":
            polls = [c for c in t.children if c.dep_ == "pobj" and c.lower_ in POLL_WORDS]
            if polls:
                hits.append(_in_poll(t, polls[0], base, text))
                continue
        word = forms.get(low) or _quoting_participle(t, forms)
        if word is None and _quotative(t):
            word = CueWord(t.lower_, False, False)
        if word is not None and t.tag_ in {"NN", "NNS"}:
            noun = _noun_cue(t, word, base, text)
            if noun is not None:
                hits.append(noun)
            continue
        if t.tag_ == "JJ" and (word is not None or low in _ATTITUDES):
            adjective = _adjective_cue(t, word or CueWord(low, False, True), base, text)
            if adjective is not None:
                hits.append(adjective)
            continue
        if word is None or not t.tag_.startswith("VB") or t.dep_ in {"amod", "aux", "auxpass"}:
            continue
        hit = Candidate(cue=_span([t], base), word=word, tag=t.tag_, dep=t.dep_)
        # verb particles belong to the cue: "pointed out", "called for"
        parts = [c for c in t.children if c.dep_ == "prt"]
        if parts:
            hit.cue = _span([t, *parts], base) if parts[-1].i > t.i else hit.cue
        passive = any(c.dep_ in {"auxpass", "nsubjpass"} for c in t.children)
        if passive:
            # "was criticized by the mayor": the agent speaks; the passive subject is what is spoken of
            agents = [p for c in t.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
            subj = agents[0] if agents else None
        else:
            subj = _subject(t)
        if subj is not None:
            _set_source(hit, subj, base)
            hit.described = _span([subj.left_edge, subj.right_edge], base)
            if t.dep_ == "relcl" and subj.i == t.head.i:
                rel = [c for c in t.children if c.dep_ in _SUBJECTS and c.lower_ in _RELATIVE]
                if rel:
                    hit.pointer = _span([rel[0]], base)
        ccomps = [c for c in t.children if c.dep_ == "ccomp"] or _stray_that_clauses(t)
        if any(c.dep_ in {"dobj", "oprd"} and c.i > t.i for c in t.children) and low not in _ADDRESSEE:
            # "she drew his ire - he called her “weak”": an unquoted clause before the cue is a misparse
            # when the cue has an object of its own after it ("“I am proud of you,” he told the miners"
            # keeps its quotation); the object of "told" is who was told ("The talks have failed, three
            # officials told the paper")
            ccomps = [c for c in ccomps if c.i > t.i or any(
                x.tag_ in _QUOTE_TAGS for x in doc[max(0, c.left_edge.i - 1):c.right_edge.i + 3])]
        if ccomps:
            c = max(ccomps, key=_width)
            lo = c.left_edge.i
            hit.content = _content(doc, lo, _cut_speaker_conjunct(t, c), base, text)
            hit.how = How.CLAUSE
            hit.shape = [f"head={c.tag_}", f"opens={_opener(doc[lo])}",
                         f"subj={any(x.dep_ in _SUBJECTS for x in c.children)}"]
        elif (head := _inverted_clause(t)) is not None:
            # "after Trump told The Washington Post he was “not quite there yet”": the parser made the
            # reported clause the head of the cue; it starts at its subject, right after the cue's object
            lo = min(x.left_edge.i for x in head.children if x.dep_ in _SUBJECTS)
            hit.content = _content(doc, lo, head.right_edge.i, base, text)
            hit.how = How.CLAUSE
            hit.shape = [f"head={head.tag_}", f"opens={_opener(doc[lo])}", "subj=True"]
        elif passive and subj is None and (raised := _raised(t)) is not None:
            # "The House is expected to pass the bill": what is expected is the subject's doing; the
            # expecting is nobody's in particular
            hit.content = _content(doc, *raised, base, text)
            hit.how = How.RAISED
        elif hit.source and (comps := [c for c in t.children if c.i > t.i and c.dep_ in _COMPLEMENTS
                                       and not (c.dep_ == "prep" and c.lower_ == "by" and passive)]):
            # "Clinton called half of his supporters “deplorables”", "Trump vowed to appeal"
            comps = _without_adjuncts(comps)
            lo = min(c.left_edge.i for c in comps)
            hit.content = _content(doc, lo, max(c.right_edge.i for c in comps), base, text)
            hit.how = How.OBJECT
            hit.shape = [f"comps={'+'.join(sorted({c.dep_ for c in comps}))}", f"head={comps[0].tag_}",
                         f"word={comps[0].lower_}",
                         f"opens={_opener(doc[lo])}"]
        elif not word.weak and t.dep_ in {"parataxis", "advcl", "ccomp", "conj"} and t.head.i != t.i:
            # "The plan will fail, he said." / "As the minister said, ..." : the rest of the sentence
            sub = sorted(t.subtree, key=lambda x: x.i)
            side = _sentence_minus(t.sent, sub[0].i, sub[-1].i)
            if len(side) >= 3:
                hit.content = trim(text, *_span(side, base))
                hit.how = How.ASIDE
        elif not word.weak and t.dep_ == "ROOT" and subj is not None and (lead := _lead(t, subj)):
            # "The rejection signals “the beginning of the end” for the EU, said Geert Wilders": the parser
            # found no clause for the cue that ends the sentence; what comes before its comma is the content
            hit.content = trim(text, *_span(lead, base))
            hit.how = How.ASIDE
        # "Blinken responded:" / "she said at the launch:" - the cue's own modifiers may come first
        nxt = t.i + 1
        while nxt < len(doc) and nxt - t.i <= 8 and doc[nxt].text != ":" \
                and not doc[nxt].tag_.startswith("VB") and doc[nxt].text not in _TRIM \
                and t.is_ancestor(doc[nxt]):
            nxt += 1
        if nxt < len(doc) and doc[nxt].text == ":":
            hit.colon = True
            rest = [x for x in doc[nxt + 1:]]
            if rest:
                a, b = trim(text, *_span(rest, base))
                if b > a:
                    hit.after_colon = (a, b)
        hit.shape += [f"neg={any(c.dep_ == 'neg' for c in t.children)}",
                      f"modal={any(c.tag_ == 'MD' for c in t.children)}", f"root={t.dep_ == 'ROOT'}"]
        if hit.colon and hit.how in (How.OBJECT, How.ASIDE):
            hit.content, hit.how = None, How.NONE  # "said at the launch:" introduces what follows the colon
        if hit.content and hit.content[1] <= hit.content[0]:
            hit.content = None
        hits.append(hit)
    _nearest_cue_owns(hits)
    _mark_in_source(hits)
    return hits


def _mark_in_source(hits: list[Candidate]) -> None:
    """"said Robert Stone, …, who already cast an absentee ballot": a cue in another cue's speaker
    description describes that speaker (``in_source``). Counted with sorted ends, not pair by pair."""
    spans = [h.described for h in hits if h.described]
    starts = sorted(a for a, _ in spans)
    ends = sorted(b for _, b in spans)
    for h in hits:
        p = h.cue[0]  # type: ignore[index]
        holding = bisect.bisect_right(starts, p) - bisect.bisect_right(ends, p)
        if h.described and h.described[0] <= p < h.described[1]:
            holding -= 1  # not its own description
        h.in_source = holding > 0


_NOUN_CONTENT_PREPS = wordlist("noun_content_preps")
_SUPPORT_VERBS = wordlist("support_verbs")
_ON_THE_WAY = {"dobj", "dative", "pobj", "prep", "npadvmod"}


def _that_clauses(doc) -> list:
    """Every clause of the chunk that opens with "that" as a conjunction and has its own subject, in
    text order (found once per chunk: looking for them below each cue took time quadratic in the
    chunk's length)."""
    found = doc.user_data.get("onrecord_that_clauses")  # token indices (tokens would hold the doc)
    if found is None:
        found = [x.i for x in doc if x.dep_ in {"advcl", "relcl"} and x.left_edge.lower_ == "that"
                 and x.left_edge.dep_ in {"mark", "advmod"} and any(c.dep_ in _SUBJECTS for c in x.children)]
        doc.user_data["onrecord_that_clauses"] = found
    return [doc[i] for i in found]


def _stray_that_clauses(t) -> list:
    """A "that" clause the parser hung elsewhere than as the cue's complement: "tweeted in the early
    hours that Bell was “pathetic”" (an adverbial clause of "tweeted" or a relative clause of "hours").
    It opens with "that" as a conjunction, not as a relative pronoun, has its own subject, and hangs on
    the cue or, through its object or adverbial phrase, below it. A noun's own "that" clause ("repeated
    his claim that …", "dismissed the notion that …", an "acl") is the noun's, and left to it: taking
    those too measured no better (held-out train 0.7118)."""
    out = []
    for x in _that_clauses(t.doc):
        if x.i <= t.i:
            continue
        h, steps = x.head, 0
        while h.i != t.i and steps < 4 and h.dep_ in _ON_THE_WAY:
            h, steps = h.head, steps + 1
        if h.i == t.i:
            out.append(x)
    return out


def _inverted_clause(t):
    """The verb of a reported clause the parser made the cue's head, or None: the cue has told someone
    (an object) and the head's subject starts right where the cue's own words end."""
    h = t.head
    if t.dep_ not in {"advcl", "ccomp", "dep"} or h.i <= t.i or not h.tag_.startswith("VB") \
            or not any(x.dep_ == "dobj" for x in t.children):
        return None
    subjects = [x for x in h.children if x.dep_ in _SUBJECTS and x.i > t.i]
    first = subjects[0].left_edge.i if subjects else 0
    if not subjects or first != t.right_edge.i + 1 or t.doc[first - 1].is_punct:
        return None  # "As Karadsheh spoke about the attack, a video showed …" is a fronted clause
    return h


def _lead(t, subj) -> list:
    """The sentence before ", said X" or ", X said" when the cue and its speaker end the sentence, else []."""
    first = min(t.i, subj.left_edge.i)
    doc, sent = t.doc, t.sent
    if first - 1 <= sent.start + 2 or doc[first - 1].text != "," \
            or any(x.tag_.startswith("VB") for x in doc[max(t.i, subj.right_edge.i) + 1:sent.end]):
        return []
    return list(doc[sent.start:first - 1])


def _noun_cue(t, word: CueWord, base: int, text: str) -> Candidate | None:
    """A cue noun with its content: "Trump's claim that he won", "her promise to cut taxes", "her
    criticism of the plan", "calls for a recount". Its speaker is its possessor or the object of its
    "by" or "from", when it has one."""
    clauses = [c for c in t.children if c.dep_ in {"acl", "ccomp"} and c.i > t.i
               and any((x.lower_ == "that" and x.dep_ == "mark") or (x.tag_ == "TO" and x.i == c.left_edge.i)
                       for x in c.children)]
    preps = [c for c in t.children if c.dep_ == "prep" and c.i > t.i and c.lower_ in _NOUN_CONTENT_PREPS]
    if clauses:
        lo, hi = clauses[0].left_edge.i, clauses[0].right_edge.i
    elif preps and (objs := [x for x in preps[0].children if x.dep_ in {"pobj", "pcomp"}]):
        lo, hi = objs[0].left_edge.i, objs[0].right_edge.i
    else:
        return None
    hit = Candidate(cue=_span([t], base), word=CueWord(word.lemma, False, True), tag=t.tag_, dep=t.dep_,
                 how=How.NOUN)
    # the speaker: the possessor ("Trump's claim"), else the object of "by" or "from" ("the claim by
    # Trump", "criticism from the senator")
    owners = [c for c in t.children if c.dep_ == "poss"] or [
        x for c in t.children if c.dep_ == "prep" and c.lower_ in {"by", "from"} for x in c.children
        if x.dep_ == "pobj"]
    if not owners and t.dep_ == "dobj" and t.head.lower_ in _SUPPORT_VERBS and t.head.tag_.startswith("VB") \
            and (subj := _subject(t.head)) is not None:
        # "Trump made comments about …", "Le Pen voiced support for …": the verb's subject speaks, and
        # the verb is part of the cue
        owners = [subj]
        if t.head.i < t.i:
            hit.cue = _span([t.head, t], base)
    if owners:
        _set_source(hit, owners[0], base)
    hit.content = _content(t.doc, lo, hi, base, text)
    return hit if hit.content[1] > hit.content[0] else None


_ATTITUDES = wordlist("attitude_adjectives")
_ADDRESSEE = wordlist("addressee_verbs")


def _adjective_cue(t, word: CueWord, base: int, text: str) -> Candidate | None:
    """A speaker's stance stated with a copula and a clause: "Kova's been clear that the border will
    stay closed", "the governor is confident that …", "aides were worried that …". The adjective is the
    cue (weak: only with its clause), the copula's subject the source, the "that"/"whether" clause
    (the adjective's or the copula's) the content."""
    cop = t.head
    if t.dep_ != "acomp" or cop.i == t.i or not (cop.lower_ in _BE or cop.tag_.startswith("VB")):
        return None
    clauses = [c for c in [*t.children, *cop.children] if c.dep_ == "ccomp" and c.i > t.i
               and any(x.dep_ == "mark" and x.lower_ in {"that", "whether", "if"} for x in c.children)]
    if not clauses:
        return None
    c = clauses[0]
    hit = Candidate(cue=_span([t], base), word=CueWord(word.lemma, False, True), tag=t.tag_, dep=t.dep_,
                    how=How.CLAUSE)
    subj = _subject(cop)
    if subj is not None:
        _set_source(hit, subj, base)
        hit.described = _span([subj.left_edge, subj.right_edge], base)
    hit.content = _content(t.doc, c.left_edge.i, c.right_edge.i, base, text)
    hit.shape = [f"head={c.tag_}", f"opens={_opener(t.doc[c.left_edge.i])}", "subj=True", "adjective"]
    return hit if hit.content[1] > hit.content[0] else None


def _raised(t) -> tuple[int, int] | None:
    """The token range (first, last) of "X … to Y" around a passive cue with no agent ("X is expected to Y", "X is said
    to have Y"), or None."""
    subjects = [c for c in t.children if c.dep_ == "nsubjpass" and c.i < t.i]
    verbs = [c for c in t.children if c.dep_ == "xcomp" and c.i > t.i]
    if not subjects or not verbs:
        return None
    return subjects[0].left_edge.i, verbs[0].right_edge.i


# prepositions that open the circumstances of saying (where, when), not part of what was said
_ADJUNCT_PREPS = wordlist("adjunct_preps")


def _without_adjuncts(comps: list) -> list:
    """An object's content stops before a trailing phrase of place or time: "endorsed Sanders in
    Virginia" reports the endorsement of Sanders. Only after an object: "spoke in Iowa" keeps it."""
    core = [c for c in comps if c.dep_ != "prep"]
    if not core:
        return comps
    last = max(c.i for c in core)
    return [c for c in comps if not (c.dep_ == "prep" and c.i > last and c.lower_ in _ADJUNCT_PREPS)]


def _quoting_participle(t, forms) -> CueWord | None:
    """A participle that goes on from a cue verb to quote: "he said, reasoning that he “did not …”",
    "he said introducing Clinton as a “global leader …”". No word list names every such verb; the
    quotation in what it governs makes it a cue (weak: only with that content)."""
    if t.tag_ != "VBG" or t.dep_ not in {"advcl", "xcomp", "conj"} or t.head.lower_ not in forms \
            or forms[t.head.lower_].weak:
        return None
    if not any(x.tag_ in _QUOTE_TAGS or x.text in "“”\"" for c in t.children if c.i > t.i
               and c.dep_ in {"ccomp", "dobj", "prep", "oprd", "xcomp"} for x in c.subtree):
        return None
    return CueWord(t.lower_, False, True)


_FRAME_ENDS = {",", "!", "?"}


def _quotative(t) -> bool:
    """Whether a verb stands in the writer's frame of a quotation, which makes any verb a cue: “This is
    fantastic!” beamed Donald Hartley; “Quiet,” he demanded; “Promise mama …,” Blige sings. The quotation
    ends in a comma, "!" or "?" inside its closing mark, and the verb and its subject follow the mark."""
    if t.tag_ not in {"VBD", "VBZ", "VBP"} or t.lower_ in _LIGHT_VERBS:
        return False
    subjects = [c for c in t.children if c.dep_ == "nsubj"]
    if not subjects:
        return False
    subj = subjects[0]
    if subj.i < t.i:  # he demanded: the subject comes first, right before the verb
        if subj.right_edge.i + 1 != t.i:
            return False
        k = subj.left_edge.i - 1
    else:  # beamed Donald Hartley
        k = t.i - 1
    doc = t.doc
    # a closing mark ("''" in some papers' style opens quotations too), after the frame's punctuation
    return k >= 1 and doc[k].tag_ == "''" and doc[k].text in "”\"" and doc[k - 1].text in _FRAME_ENDS \
        and subj.lower_ not in _RELATIVE


def _nearest_cue_owns(hits: list[Candidate]) -> None:
    """A content after its cue belongs to the nearest cue before it: in "Trump said before adding: “…”"
    the parser hangs the quotation on "said", but "adding" introduces it (and "said" keeps the quotation
    before it)."""
    for h in hits:
        if h.content is None or h.content[0] < h.cue[1]:
            continue
        for b in hits:
            own = b.content or b.after_colon
            if b is not h and h.cue[1] <= b.cue[0] and b.cue[1] <= h.content[0] and own is not None \
                    and own[0] < h.content[1] and h.content[0] < own[1]:
                h.content, h.how = None, How.NONE
                break


_ASIDE_MARKS = wordlist("aside_marks")
_ASIDE_OPENERS = {",", "—", "–", "-", "--"}  # what sets an aside off: a comma or a dash


def _content(doc, lo: int, hi: int, base: int, text: str) -> tuple[int, int]:
    """The content span of tokens lo..hi, ending before the writer's aside at its end, trimmed."""
    return trim(text, *_span(doc[lo:_cut_trailing_aside(doc, lo, hi) + 1], base))


def _set_off(doc, first: int, openers=_ASIDE_OPENERS) -> int | None:
    """The first token of the punctuation that sets off an aside starting at token ``first``: the comma or
    dash right before it (", saying …"), or a comma inside the closing mark before it (“…,” promising …);
    None when nothing does."""
    if first >= 1 and doc[first - 1].text in openers:
        return first - 1
    if first >= 2 and doc[first - 1].tag_ == "''" and doc[first - 2].text == ",":
        return first - 2
    return None


def _edges(doc) -> tuple[list[int], list[int]]:
    """The first and last token index of every token's subtree, read once per chunk (scanning a
    content's tokens through spaCy's Token objects for each cue took time quadratic in the chunk)."""
    edges = doc.user_data.get("onrecord_edges")
    if edges is None:
        edges = ([t.left_edge.i for t in doc], [t.right_edge.i for t in doc])
        doc.user_data["onrecord_edges"] = edges
    return edges


def _width(tok) -> int:
    """How many tokens a subtree spans (its size, for the projective trees the parser nearly always
    gives; counting the subtree itself took time quadratic in the chunk for nested clauses)."""
    return tok.right_edge.i - tok.left_edge.i + 1


def _cut_trailing_aside(doc, lo: int, hi: int) -> int:
    """Where a content ends before the writer's own addition at its end: a non-restrictive relative
    clause or apposition (", which is spread by mosquitoes", "— a metaphor for …"), or a participle or
    "while" clause after a comma or dash (", saying …", ", while Cruz said …"). Annotated news leaves
    these out of what was said. An aside that quotes stays in the content (", calling it “a gift”"),
    unless a cue verb in it makes the quotation a speech act of its own (", while chanting, “Hands up”"):
    otherwise that quote would be dropped as reported speech inside this content."""
    forms = cue_forms()
    lefts, rights = _edges(doc)
    for j in range(lo + 2, hi + 1):
        first = lefts[j]
        if first <= lo + 1 or rights[j] < hi:
            continue
        t = doc[j]
        opener = _set_off(doc, first)
        if opener is None or opener <= lo:
            continue
        # a comma inside the closing mark stays with the quotation: "her “50-state strategy,” promising to …"
        end = first - 1 if opener == first - 2 else first - 2
        aside = doc[first:hi + 1]
        if any(x.tag_ in _QUOTE_TAGS for x in aside) and not any(
                x.tag_.startswith("VB") and x.lower_ in forms for x in aside):
            continue
        if t.dep_ in {"relcl", "appos"} or (t.dep_ in {"advcl", "acl", "xcomp"} and (
                t.tag_ == "VBG" or doc[first].lower_ in _ASIDE_MARKS)):
            return end
    return hi


def _cut_speaker_conjunct(cue, clause) -> int:
    """Where a reported clause ends: before the first of its conjuncts that is the speaker's next deed
    (``_speakers_deed``) or somebody's own speech act (``_new_speech``)."""
    hi = clause.right_edge.i
    chain, verbs = [clause], []  # the clause's verb and its conjuncts, and theirs ("sit … and tell … and tells")
    while chain:
        v = chain.pop()
        conjuncts = [k for k in v.children if k.dep_ == "conj" and k.i > v.i]
        verbs += conjuncts
        chain += conjuncts
    forms = cue_forms()
    for k in verbs:
        deed_of = _speakers_deed(k)
        if (deed_of is not None and deed_of.i == cue.i) or _new_speech(k, forms):
            cut = k.left_edge.i
            while cut > clause.i and cue.doc[cut - 1].dep_ in {"cc", "punct"}:
                cut -= 1
            hi = min(hi, cut - 1)
    return hi


def _new_speech(k, forms) -> bool:
    """A conjunct that is somebody's own speech act, with its subject and what it reports: "she said
    the plan leaves out dads, and when pressed, the mother replied, “…”". One that opens with "that" is
    the cue's second reported clause ("said the videos were inconclusive and that the footage did not
    show …")."""
    return k.lower_ in forms and any(x.dep_ in _SUBJECTS for x in k.children) \
        and any(x.dep_ == "ccomp" for x in k.children) and not any(x.dep_ == "mark" for x in k.children)


POLL_WORDS = wordlist("polls")


def _in_poll(t, poll, base: int, text: str) -> Candidate:
    """"Clinton led by 5 points in the latest Post-ABC poll": the poll is the source of what the phrase
    it stands in reports (the rest of that phrase, on the longer side of "in ...")."""
    hit = Candidate(cue=_span([t], base), word=CueWord("in", False, True), how=How.POLL, tag=t.tag_, dep=t.dep_)
    _set_source(hit, poll, base)
    phrase = sorted(t.subtree, key=lambda x: x.i)
    lo, hi = phrase[0].i, phrase[-1].i
    rest = [x for x in t.head.subtree if not x.is_punct
            and not (x.dep_ == "cc" and x.head.i == t.head.i and x.i < lo)]  # "But he fell …"
    side = _sentence_minus(rest, lo, hi)
    if len(side) >= 3:
        hit.content = _content(t.doc, side[0].i, side[-1].i, base, text)
    return hit


def _according(t, doc, base: int, text: str) -> Candidate:
    to = doc[t.i + 1]
    hit = Candidate(cue=_span([t, to], base), word=None, how=How.ACCORDING, tag=t.tag_, dep=t.dep_)
    objs = [c for c in to.children if c.dep_ == "pobj"]
    if objs:
        _set_source(hit, objs[0], base)
    phrase = sorted([t, *t.subtree], key=lambda x: x.i)
    lo, hi = phrase[0].i, phrase[-1].i
    if objs:
        hi = max(hi, max(x.i for x in objs[0].subtree))
    side = _sentence_minus(t.sent, lo, hi)
    if len(side) < 3 and t.i == t.sent[0].i:
        # the parser took the whole sentence into the phrase ("According to X, the move reeks of …" with
        # "reeks" read as a noun): what follows the comma after the source is the content
        comma = next((x.i for x in t.sent if x.i > t.i + 1 and x.text == ","), None)
        side = [x for x in t.sent if comma is not None and x.i > comma]
    if len(side) >= 3:
        hit.content = trim(text, *_span(side, base))
    return hit
