"""The static word vectors the default tagger reads (analyze/find/wordvecs.py): the shipped table loads
with numpy alone, splits words as the encoder's tokenizer does, and gives words of like meaning like
vectors, also words the tagger never saw in train."""

import socket

import numpy as np
import pytest

from onrecord.analyze.find.model import SpanTagger
from onrecord.analyze.find.wordvecs import WordVectors, word_vectors


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_the_shipped_table_loads_offline_and_the_default_tagger_reads_it(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the table tried to reach the network")

    monkeypatch.setattr(socket, "socket", no_network)
    table = WordVectors.load()
    assert table.meta["encoder"] == "all-MiniLM-L6-v2" and table.dim == table.meta["dim"]
    tagger = SpanTagger.load()
    assert tagger.wordvecs == "wordvecs.npz"


@pytest.mark.parametrize("word, pieces", [
    ("said", ["said"]),
    ("Said", ["said"]),
    ("Café", ["cafe"]),
    ("U.S.", ["u", ".", "s", "."]),
    ("reiterated", ["reiterated"]),
])
def test_words_split_as_the_encoders_tokenizer_splits_them(word, pieces):
    table = word_vectors()
    names = {i: p for p, i in table.index.items()}
    assert [names[i] for i in table.pieces(word)] == pieces


def test_words_of_like_meaning_have_like_vectors():
    table = word_vectors()
    said, told, banana = table.vector("said"), table.vector("told"), table.vector("banana")
    assert cosine(said, told) > cosine(said, banana) + 0.3
    # verbs of speech the tagger may see seldom lie near their common synonyms, far from a noun of fruit
    for word, like in (("vowed", "promised"), ("slammed", "criticized")):
        assert cosine(table.vector(word), table.vector(like)) > cosine(table.vector(word), banana) + 0.3


def test_what_is_not_a_word_gets_zeros_not_an_error():
    table = word_vectors()
    for junk in ("", " ", "\n\n", "x" * 5000, "\ufffd\x00", "🙂"):
        v = table.vector(junk)
        assert v.shape == (table.dim,) and np.isfinite(v).all()
    assert not table.vector("x" * 5000).any()
    assert table.vectors([]).shape == (0, table.dim)


def test_a_tagger_refuses_a_table_other_than_the_one_it_was_trained_on():
    import dataclasses

    from onrecord.analyze.find.model import featurize
    from onrecord.analyze.pipeline import Extractor
    from onrecord.errors import ModelError
    from onrecord.types import Article

    tagger = SpanTagger.load()
    assert tagger.about["wordvecs_digest"] == word_vectors().digest
    a = next(Extractor(decider=None).analyses([Article(text="The mayor said the bridge would reopen.")]))
    chunks = featurize(a, tagger.vocab)
    width = chunks[0].dense.shape[1]
    tagger.add_vectors([a], [chunks])
    assert chunks[0].dense.shape[1] == width + word_vectors().dim
    other = dataclasses.replace(tagger, about={**tagger.about, "wordvecs_digest": "0" * 16})
    with pytest.raises(ModelError, match="another word-vector table"):
        other.add_vectors([a], [featurize(a, tagger.vocab)])


def test_loading_a_tagger_beside_a_missing_or_other_table_fails_once_in_one_line(monkeypatch):
    from onrecord.analyze.find import wordvecs
    from onrecord.errors import ModelError

    other = WordVectors(["said", "told"], np.ones((2, 4), dtype=np.float16), {})
    monkeypatch.setattr(wordvecs, "word_vectors", lambda: other)
    with pytest.raises(ModelError, match="another word-vector table") as e:
        SpanTagger.load()
    assert "\n" not in str(e.value)

    def missing():
        raise FileNotFoundError("no such file: wordvecs.npz")

    monkeypatch.setattr(wordvecs, "word_vectors", missing)
    with pytest.raises(ModelError, match="cannot be read"):
        SpanTagger.load()
