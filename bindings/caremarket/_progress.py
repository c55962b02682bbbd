"""Progress bars: tqdm (Debian's python3-tqdm), as a widget in Jupyter and as text in a terminal."""

from __future__ import annotations

from typing import Any


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int, description: str, enabled: bool) -> Any:
    """A bar counting weeks (``update(n)``, ``close()``), or a silent stand-in when not enabled."""
    if not enabled or total <= 0:
        return _NoBar()
    import warnings

    with warnings.catch_warnings():
        # tqdm.auto warns and falls back to text in a notebook without ipywidgets: text is fine.
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm
    return tqdm(total=total, desc=description, unit="week", dynamic_ncols=True)


class StepCounter:
    """Turns "steps done so far" callbacks into increments of a bar."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.done = 0

    def __call__(self, done: int, total: int | None = None) -> None:
        if done > self.done:
            self.bar.update(done - self.done)
            self.done = done
