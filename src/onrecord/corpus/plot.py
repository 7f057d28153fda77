"""Quotes per week as a bar chart (matplotlib, no screen needed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta

from onrecord.errors import OnrecordError


def per_week(dates: Iterable[str | None | tuple[str | None, int]]) -> list[tuple[date, int]]:
    """How many of ``dates`` fall in each week (weeks start on Monday), every week from the first to the
    last, empty ones included; undated (or unparseable) ones cannot be placed and are left out. A
    ``(date, n)`` pair counts as n dates."""
    weeks: Counter[date] = Counter()
    for item in dates:
        when, n = item if isinstance(item, tuple | list) else (item, 1)
        try:
            d = date.fromisoformat(when or "")
        except ValueError:
            continue
        weeks[d - timedelta(days=d.weekday())] += n
    if not weeks:
        return []
    first, last = min(weeks), max(weeks)
    return [(w, weeks.get(w, 0)) for w in (first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1))]


def quotes_per_week(dates: list[str | None], path: str, title: str) -> int:
    """Draw the number of quotes per week (weeks start on Monday) into ``path``, from the quotes' dates;
    returns the weeks."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise OnrecordError("--plot needs matplotlib: pip install matplotlib") from None
    weeks = per_week(dates)
    if not weeks:
        raise OnrecordError("no dated quotes to plot")
    fig, ax = plt.subplots(figsize=(10, 4), dpi=100)
    ax.bar([w for w, _ in weeks], [n for _, n in weeks], width=6, align="edge", color="#3b6ea5")
    ax.set_title(f"{title}: quotes per week")
    ax.set_ylabel("quotes")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.autofmt_xdate()
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as e:
        raise OnrecordError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        plt.close(fig)
    return len(weeks)
