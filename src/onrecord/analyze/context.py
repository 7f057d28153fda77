"""One article as assembly sees it: its text, paragraphs and quotation marks, indexed for lookups.

Every question assembly asks ("which paragraph is this in?", "is this inside a quotation?", "which
quotations overlap this span?") is a bisection over sorted offsets here, never a scan of every mark or
paragraph, so that assembly's time grows with the article's length, not with its square.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from onrecord.analyze.marks import Marked, find_marked, paragraphs


@dataclass
class ArticleContext:
    text: str
    paras: list[tuple[int, int]] = field(default_factory=list)
    marked: list[Marked] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.paras:
            self.paras = paragraphs(self.text)
        if not self.marked:
            self.marked = find_marked(self.text)
        self._para_starts = [a for a, _ in self.paras]
        # quotations never overlap and come in text order: their starts and ends are both sorted
        self._mark_starts = [m.start for m in self.marked]
        self._outer_ends = [m.outer_end for m in self.marked]
        self._blocks: list[tuple[int, int]] = []  # block quotes so far, sorted, never overlapping
        self.claimed: set[int] = set()  # quotations that a draft has taken (indices into ``marked``)

    @classmethod
    def of(cls, text: str) -> ArticleContext:
        return cls(text)

    # -- paragraphs --------------------------------------------------------------------------------
    def para_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self._para_starts, pos) - 1)

    def next_para(self, pos: int) -> tuple[int, int] | None:
        p = self.para_of(pos) + 1
        return self.paras[p] if p < len(self.paras) else None

    # -- quotation marks ---------------------------------------------------------------------------
    def mark_at(self, pos: int) -> int | None:
        """The index of the quotation whose words hold ``pos`` (start <= pos < end), or None."""
        i = bisect.bisect_right(self._mark_starts, pos) - 1
        if i >= 0 and pos < self.marked[i].end:
            return i
        return None

    def inside_marks(self, pos: int) -> bool:
        return self.mark_at(pos) is not None

    def mark_strictly_around(self, pos: int) -> Marked | None:
        """The quotation with start < pos < end, or None."""
        i = bisect.bisect_left(self._mark_starts, pos) - 1
        if i >= 0 and pos < self.marked[i].end:
            return self.marked[i]
        return None

    def mark_holding(self, a: int, b: int) -> Marked | None:
        """The quotation whose words hold the span: start <= a and b <= end + 1 (a content that takes
        the closing mark's comma or dot still counts), or None."""
        i = bisect.bisect_right(self._mark_starts, a) - 1
        if i >= 0 and b <= self.marked[i].end + 1:
            return self.marked[i]
        return None

    def marks_overlapping(self, a: int, b: int) -> list[int]:
        """Indices of the quotations, marks included, that overlap the span [a, b)."""
        out: list[int] = []
        if a >= b:
            return out
        i = bisect.bisect_right(self._outer_ends, a)
        while i < len(self.marked) and self.marked[i].outer_start < b:
            out.append(i)
            i += 1
        return out

    # -- block quotes ------------------------------------------------------------------------------
    def add_block(self, a: int, b: int) -> None:
        bisect.insort(self._blocks, (a, b))

    def overlaps_block(self, a: int, b: int) -> bool:
        # blocks never overlap one another: the last one starting before b is the only one that can
        # reach past a
        i = bisect.bisect_left(self._blocks, (b, b))
        return a < b and i > 0 and self._blocks[i - 1][1] > a

    def in_block(self, a: int, b: int) -> bool:
        """Whether [a, b) lies inside one block quote."""
        i = bisect.bisect_right(self._blocks, (a, len(self.text) + 1))
        return i > 0 and self._blocks[i - 1][0] <= a and b <= self._blocks[i - 1][1]
