"""Progress bars on stderr (data goes to stdout); silent when stderr is not a terminal."""

from tqdm import tqdm


def byte_progress(total: int, description: str, *, enabled: bool = True):
    """A bar over on-disk bytes, and the callback that moves it to an absolute position."""
    bar = tqdm(total=total, desc=description, unit="B", unit_scale=True, unit_divisor=1024,
               disable=None if enabled else True, leave=False)

    def advance(done: int) -> None:
        bar.update(max(0, done - bar.n))

    return bar, advance
