"""Extraction over a stream of articles in supervised worker processes: bounded time, nothing lost.

Results come back in input order, with InputErrors in the place of the inputs that failed. The parent
process reads the input, hands groups of articles to worker processes and watches them:

- **time**: a group that takes longer than ``timeout`` seconds is abandoned (its worker is killed and
  replaced) and its articles are tried again one at a time; an article that alone takes longer than
  ``timeout`` becomes an InputError ("abandoned after …"). So one pathological article costs at most
  twice the budget, never the batch;
- **crashes**: a worker that dies (killed by the out-of-memory killer, a signal, a crash in native
  code) is replaced the same way: its group is retried article by article, and an article whose worker
  dies again becomes an InputError naming the signal;
- **memory**: only a bounded number of groups is in flight, so memory does not grow with the input;
- an article whose analysis raises an exception becomes an InputError for that article alone.

Workers are forked from the parent, which loads the spaCy pipeline once (a broken install fails there,
with one clear message); where fork is not available they are spawned and load it themselves. A
worker exits when the parent goes away, however the parent ends.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count
from multiprocessing.connection import Connection, wait

from onrecord.errors import InputError
from onrecord.types import Article, Result

Item = Article | InputError
BATCH = 8  # articles per group
BATCH_CHARS = 100_000  # a group closes early once it holds this much text
# what sets numpy's (OpenBLAS's) threads, and other BLAS builds', before numpy loads: one each in a worker of
# several (cli.py for --jobs N, spark/job.py for Spark's workers; _one_blas_thread once numpy is loaded)
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
DEFAULT_TIMEOUT = 120.0  # seconds one group (and then one article) may take
_POLL = 1.0  # how often an idle worker checks that its parent is alive

_worker_extractor = None


def _analyse(extractor, arts: list[Article]) -> list[Result | InputError]:
    try:
        return list(extractor.extract_many(arts, batch=len(arts) or 1))
    except Exception:  # isolate the article that failed
        return [_one(extractor, a) for a in arts]


def _error_for(art: Article, reason: str) -> InputError:
    path, _, line = (art.source or art.id or "input").rpartition(":")
    if not line.isdigit() or not path:
        return InputError(art.source or (f"article {art.id}" if art.id else "input"), reason)
    return InputError(path, reason, int(line))


def _one(extractor, art: Article) -> Result | InputError:
    try:
        return extractor.extract(art)
    except Exception as e:  # noqa: BLE001 - one article must never cost the batch
        return _error_for(art, f"analysis failed ({type(e).__name__}: {e})")


def _make_extractor(keep_all: bool, model: str = "default", nested: bool = False):
    from onrecord.analyze.pipeline import Extractor

    return Extractor(keep_all=keep_all, decider=model, nested=nested)


def _fits(ex, keep_all: bool, model: str, nested: bool = False) -> bool:
    return ex is not None and ex.keep_all == keep_all and (keep_all or (ex.model == model and ex.nested == nested))


def one_blas_thread_env() -> None:
    """BLAS_THREAD_VARS set to one thread, before numpy loads, unless the user set them: for the workers
    of `extract --jobs N` and Spark, which inherit this process's environment."""
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")


def _one_blas_thread() -> None:
    """One BLAS thread in this worker: with a worker per core, more threads only wait on each other, and
    numpy's OpenBLAS (spaCy's tok2vec multiplies through it, analyze/nlp.py) starts one per core. The
    command line also sets OPENBLAS_NUM_THREADS before numpy loads; this covers a library's call of
    ``run`` and training's feature collection, whose parent loaded numpy with its default."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; without it the worker keeps numpy's default
        return
    threadpool_limits(1, user_api="blas")


def _worker(conn: Connection, others: list[Connection], keep_all: bool, parent: int, work=None,
            model: str = "default", one_thread: bool = False, nested: bool = False) -> None:
    """A worker's life: analyse the groups the parent sends until it closes the pipe or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if one_thread:
        _one_blas_thread()
    for c in others:  # the other workers' pipes, inherited by fork: holding them would keep them open
        c.close()
    global _worker_extractor
    if not _fits(_worker_extractor, keep_all, model, nested):
        _worker_extractor = _make_extractor(keep_all, model, nested)
    while True:
        try:
            while not conn.poll(_POLL):
                if os.getppid() != parent:
                    return
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        tid, arts = task
        try:
            conn.send((tid, (work or _analyse)(_worker_extractor, arts)))
        except (BrokenPipeError, OSError):
            return


@dataclass
class _Task:
    tid: int
    slots: list[int]  # positions in the output
    arts: list[Article]
    deadline: float = 0.0


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    task: _Task | None = None


@dataclass
class _Pool:
    jobs: int
    keep_all: bool
    timeout: float | None
    on_notice: Callable[[str], None] | None
    work: Callable | None = None
    model: str = "default"
    nested: bool = False
    ctx: mp.context.BaseContext = field(init=False)
    workers: list[_Worker] = field(default_factory=list)

    def __post_init__(self) -> None:
        # fork shares the loaded pipeline; but a process that has run PyTorch cannot fork a worker that runs
        # it too (the worker waits forever on the thread pool it inherited), so the accurate model's workers
        # start afresh once this process has imported torch (a library user's earlier extraction, say)
        torch_here = self.model == "accurate" and "torch" in sys.modules
        self.ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() and not torch_here else "spawn")

    def start(self) -> _Worker:
        parent_end, child_end = self.ctx.Pipe()
        # a forked worker closes its copies of the parent's ends of every pipe, its own included, so
        # that it sees the end of its pipe when the parent goes away
        fork = self.ctx.get_start_method() == "fork"
        others = [w.conn for w in self.workers] + [parent_end] if fork else []
        p = self.ctx.Process(target=_worker, args=(child_end, others, self.keep_all, os.getpid(), self.work,
                                                   self.model, self.jobs > 1, self.nested),
                             daemon=True)
        p.start()
        child_end.close()
        w = _Worker(p, parent_end)
        self.workers.append(w)
        return w

    def replace(self, w: _Worker) -> None:
        if w.process.is_alive():
            w.process.kill()
        w.process.join()
        w.conn.close()
        self.workers.remove(w)
        self.start()

    def close(self, kill: bool = False) -> None:
        for w in self.workers:
            if kill:
                w.process.kill()
                continue
            with contextlib.suppress(OSError):
                w.conn.send(None)
        end = time.monotonic() + 5
        for w in self.workers:
            w.process.join(max(0.0, end - time.monotonic()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
        self.workers = []

    def notice(self, msg: str) -> None:
        if self.on_notice is not None:
            self.on_notice(msg)


def _groups(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    group: list[Item] = []
    chars = 0
    for item in items:
        group.append(item)
        if isinstance(item, Article):
            chars += len(item.text)
        if len(group) >= size or chars >= BATCH_CHARS:
            yield group
            group, chars = [], 0
    if group:
        yield group


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _describe(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"was killed by signal {-code} ({signal.Signals(-code).name})"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


def run(items: Iterable[Item], jobs: int | None = None, batch: int = BATCH, keep_all: bool = False,
        timeout: float | None = DEFAULT_TIMEOUT, on_notice: Callable[[str], None] | None = None,
        work: Callable | None = None, model: str = "default",
        nested: bool = False) -> Iterator[Result | InputError]:
    """Analyse every Article in ``items`` in ``jobs`` worker processes (default: one per core);
    InputErrors pass through in their place. ``timeout``: seconds an article may take (None or 0: no
    limit). ``keep_all`` keeps the drafts the scorer rejects (see Extractor). ``on_notice`` hears about
    workers that died or ran out of time, one line each. ``work(extractor, articles)`` replaces what a
    worker does with a group (one output per article; the trainers use it to keep what the model reads);
    it must be a module-level function. ``model``: what decides the quotes (pipeline.MODELS: the default
    tagger, the accurate one, or the rules alone); ``nested``: also report attributions nested in
    quotations (see Extractor)."""
    jobs = default_jobs() if jobs is None else max(1, jobs)
    budget = timeout if timeout and timeout > 0 else None
    global _worker_extractor
    pool = _Pool(jobs, keep_all, budget, on_notice, work, model, nested)
    if pool.ctx.get_start_method() == "fork" and not _fits(_worker_extractor, keep_all, model, nested):
        # load once here: a broken install fails now, in this process, with one clear message, and the
        # workers share the loaded pipeline
        _worker_extractor = _make_extractor(keep_all, model, nested)
    results: dict[int, Result | InputError] = {}
    retry: deque[_Task] = deque()
    tids, slots = count(), count()
    groups = _groups(items, batch)
    issued = next_out = 0  # output positions handed out, and yielded
    limit = jobs * 3 * batch  # articles in flight or waiting to be yielded in order
    exhausted = False

    def next_task() -> _Task | None:
        nonlocal exhausted, issued
        if retry:
            return retry.popleft()
        while not exhausted and issued - next_out < limit:
            group = next(groups, None)
            if group is None:
                exhausted = True
                break
            task = _Task(0, [], [])
            for item in group:
                slot = next(slots)
                issued += 1
                if isinstance(item, InputError):
                    results[slot] = item
                else:
                    task.slots.append(slot)
                    task.arts.append(item)
            if task.arts:
                return task
        return None

    try:
        for _ in range(jobs):
            pool.start()
        while True:
            for w in list(pool.workers):  # hand out work to idle workers
                if w.task is not None:
                    continue
                task = next_task()
                if task is None:
                    break
                _dispatch(pool, w, task, next(tids), budget)
            while next_out in results:
                yield results.pop(next_out)
                next_out += 1
            busy = [w for w in pool.workers if w.task is not None]
            if not busy:
                if exhausted and not retry:
                    break
                continue
            soonest = min(w.task.deadline for w in busy)  # type: ignore[union-attr]
            wait_for = None if soonest == float("inf") else max(0.0, soonest - time.monotonic())
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], wait_for))
            for w in busy:
                task = w.task
                assert task is not None
                if w.conn in ready:
                    try:
                        tid, done = w.conn.recv()
                    except (EOFError, OSError):
                        tid, done = None, None
                    if done is not None and tid == task.tid:
                        for slot, r in zip(task.slots, done, strict=True):
                            results[slot] = r
                        w.task = None
                        continue
                if w.process.sentinel in ready or w.conn in ready:
                    w.process.join(1)
                    _failed(pool, w, task, retry, results, _died(w.process.exitcode, len(task.arts)))
                elif time.monotonic() >= task.deadline:
                    _failed(pool, w, task, retry, results,
                            f"abandoned after {budget:g} s (the time budget per article; see --timeout)")
    except BaseException:
        pool.close(kill=True)  # interrupted, or the caller stopped reading: stop the workers now
        raise
    pool.close()


def _dispatch(pool: _Pool, w: _Worker, task: _Task, tid: int, budget: float | None) -> None:
    task.tid = tid
    task.deadline = time.monotonic() + budget if budget else float("inf")
    try:
        w.conn.send((task.tid, task.arts))
    except OSError:  # the worker died while idle: a new one takes the task
        pool.replace(w)
        _dispatch(pool, pool.workers[-1], task, tid, budget)
        return
    w.task = task


def _died(code: int | None, n: int) -> str:
    return f"the worker process analysing {'it' if n == 1 else 'them'} {_describe(code)}"


def _failed(pool: _Pool, w: _Worker, task: _Task, retry: deque, results: dict, reason: str) -> None:
    """A worker died or ran out of time on ``task``: replace it; retry a group article by article, and
    give up on an article that failed alone."""
    pool.replace(w)
    if len(task.arts) > 1:
        pool.notice(f"{len(task.arts)} articles: {reason}; trying them one at a time")
        for slot, art in zip(task.slots, task.arts, strict=True):
            retry.append(_Task(0, [slot], [art]))
        return
    results[task.slots[0]] = _error_for(task.arts[0], reason)
