"""Read an import file once, parsing it in a thread while the database works.

Parsing is Python work and adding numbers is PostgreSQL work, so the two can
run side by side on two cores. `BlockReader` parses blocks of rows in a thread
and hands them over through a short queue, which bounds the memory in use.
"""

import io
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from dnc.importing.detect import SAMPLE_BYTES

# Blocks parsed ahead of the database at most.
_QUEUE_BLOCKS = 3
_END = object()


class SampledSource(io.RawIOBase):
    """A binary stream that keeps its first bytes for layout detection.

    Reading starts again at the first byte, so the file is read once, and the
    number of bytes read so far is kept for progress reports. `size` is the
    file's size when known, else 0.
    """

    def __init__(self, raw):
        super().__init__()
        self._raw = raw
        self.sample = raw.read(SAMPLE_BYTES)
        self.is_complete = len(self.sample) < SAMPLE_BYTES
        self._offset = 0
        self.bytes_read = 0
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._offset < len(self.sample):
            data = self.sample[self._offset : self._offset + len(buffer)]
            self._offset += len(data)
        else:
            data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)


@dataclass(frozen=True)
class Block:
    """Staging rows in COPY text format, and the reading counts after them."""

    rows: str
    is_last: bool
    rows_read: int
    blank: int
    rejected: int
    bytes_read: int


class BlockReader(threading.Thread):
    """Run a block generator in a thread; iterate over the reader for blocks.

    An exception in the thread is raised again by the iteration. Call
    `close()` when done, also after an error, to stop and join the thread.
    """

    def __init__(self, blocks: Iterator[tuple[str, bool]], counts, source):
        super().__init__(name="dnc-import-reader", daemon=True)
        self._blocks = blocks
        self._counts = counts
        self._source = source
        self._queue: queue.Queue = queue.Queue(maxsize=_QUEUE_BLOCKS)
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            for rows, is_last in self._blocks:
                counts = self._counts
                block = Block(
                    rows,
                    is_last,
                    counts.rows_read,
                    counts.blank,
                    counts.rejected,
                    self._source.bytes_read,
                )
                if not self._put(block):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the consuming thread
            self._put(exc)

    def _put(self, item) -> bool:
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def __iter__(self) -> Iterator[Block]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stopping.set()
        self.join()
