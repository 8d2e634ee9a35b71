"""Progress bars on stderr (data goes to stdout); silent when stderr is not a terminal."""

from tqdm import tqdm


def byte_progress(total: int, description: str, *, enabled: bool = True):
    """A bar over on-disk bytes, and the callback that moves it to an absolute position."""
    bar = tqdm(total=total, desc=description, unit="B", unit_scale=True, unit_divisor=1024,
               disable=None if enabled else True, leave=False)

    def advance(done: int) -> None:
        bar.update(max(0, done - bar.n))

    return bar, advance


class PostProgress:
    """One bar per phase of streamed scoring ("scoring": posts, with posts/s and ETA; "judging": clusters;
    "naming": the flagged clusters' texts read by the NER), moved by `update(phase, done, total)`."""

    UNITS = {"scoring": "posts", "judging": "clusters", "naming": "texts"}

    def __init__(self, *, enabled: bool = True):
        self.enabled = enabled
        self.bar = None
        self.phase = None

    def update(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total, desc=phase, unit=self.UNITS.get(phase, "posts"), unit_scale=True,
                            disable=None if self.enabled else True, leave=False)
        self.bar.total = total
        self.bar.update(max(0, done - self.bar.n))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
