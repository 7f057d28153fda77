"""Extraction over a stream of articles, in one process or in worker processes.

Results come back in input order. Only a bounded number of batches is in flight at any time, so memory
does not grow with the number of articles. An article whose analysis fails unexpectedly becomes an
error for that article alone; the rest of the batch goes on.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from onrecord.errors import InputError
from onrecord.types import Article, Result

Item = Article | InputError
BATCH = 8

_worker_extractor = None


def _analyse(extractor, group: list[Item]) -> list[Result | InputError]:
    arts = [x for x in group if isinstance(x, Article)]
    try:
        done = iter(list(extractor.extract_many(arts, batch=len(arts) or 1)))
    except Exception:  # isolate the article that failed
        done = iter([_one(extractor, a) for a in arts])
    return [x if isinstance(x, InputError) else next(done) for x in group]


def _one(extractor, art: Article) -> Result | InputError:
    try:
        return extractor.extract(art)
    except Exception as e:  # noqa: BLE001 - one article must never cost the batch
        path, _, line = (art.source or "input").rpartition(":")
        if not line.isdigit():
            path, line = art.source or "input", ""
        return InputError(path, f"analysis failed ({type(e).__name__}: {e})", int(line) if line else None)


def _init_worker(keep_all: bool = False) -> None:
    global _worker_extractor
    from onrecord.analyze.pipeline import Extractor

    _worker_extractor = Extractor(keep_all=keep_all)


def _work(group: list[Item]) -> list[Result | InputError]:
    return _analyse(_worker_extractor, group)


def _groups(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    it = iter(items)
    while group := list(islice(it, size)):
        yield group


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run(items: Iterable[Item], jobs: int | None = None, batch: int = BATCH,
        keep_all: bool = False) -> Iterator[Result | InputError]:
    """Analyse every Article in ``items``; InputErrors pass through in their place. ``keep_all`` keeps
    the candidates the confidence model rejects (see Extractor)."""
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1:
        from onrecord.analyze.pipeline import Extractor

        extractor = Extractor(keep_all=keep_all)
        for group in _groups(items, batch):
            yield from _analyse(extractor, group)
        return
    fork = "fork" in mp.get_all_start_methods()
    if fork:
        # load once here: a broken install fails now, in this process, with one clear message (a failing
        # pool initializer would be restarted forever), and the workers share the loaded model
        _init_worker(keep_all)
    ctx = mp.get_context("fork" if fork else "spawn")
    with ctx.Pool(jobs, initializer=None if fork else _init_worker, initargs=(keep_all,)) as pool:
        inflight: deque = deque()
        for group in _groups(items, batch):
            if all(isinstance(x, InputError) for x in group) and not inflight:
                yield from group  # type: ignore[misc]
                continue
            inflight.append(pool.apply_async(_work, (group,)))
            while len(inflight) >= jobs * 3:
                yield from inflight.popleft().get()
        while inflight:
            yield from inflight.popleft().get()
