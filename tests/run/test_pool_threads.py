"""Workers of a pool of several take one BLAS thread each: spaCy's tok2vec multiplies through numpy
(analyze/nlp.py), and with a worker per core more threads only wait on each other (run/pool.py)."""

from threadpoolctl import threadpool_info

from onrecord.run.pool import run
from onrecord.types import Article


def _blas_threads(extractor, arts):  # a pool's work: module level, so a worker can run it
    threads = max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=1)
    return [threads for _ in arts]


def test_each_worker_of_a_pool_of_two_runs_one_blas_thread():
    arts = [Article(text=f"“We will win,” said Tom Ebert {n}.", id=str(n)) for n in range(4)]
    assert list(run(iter(arts), jobs=2, batch=1, work=_blas_threads)) == [1, 1, 1, 1]
