#!/usr/bin/env python3
"""Python baseline for the per-chunk workload of issue 8 section 6.

What this mirrors
-----------------
The Python `full-duplex` package that fullduplex ports (its stream.py is
captured in /work/shared/seeds/001_*.txt; PyPI is not reachable from the
build machines, so it cannot be installed). This file re-states, in a few
lines each, the parts of the package that the workload exercises, keeping
the package's architecture and its per-item work:

* Symbol: a @dataclass with modality (an Enum), data (bytes), mime_type,
  timestamp (default_factory=datetime.now) and metadata (a dict).
  Symbol.audio(data, sample_rate, channels=1, **kwargs) formats the MIME type
  with an f-string and builds {"sample_rate", "channels", **kwargs}, as the
  package does.
* DuplexSession.run_duplex(sender, receiver): two asyncio tasks gathered;
  the send task iterates the async generator sender() and awaits
  stream.send(symbol) per item (checking the interrupted flag, then
  send_end() at the end); the receive task iterates the async generator
  stream.receive(), checks the interrupted flag and awaits receiver(item).
* A loopback DuplexStream standing in for the network, like the Go
  benchmark's (session_bench_test.go, symbol_bench_test.go): send() counts
  and, at the N-th symbol, sets an event; receive() is an async generator
  (the package's DuplexStream.receive contract) that builds each model chunk
  with Symbol.audio(pcm, 24000) and tags it with role and turn, as a backend
  does, yields N of them, then ends once every send is in.

Why it is fair
--------------
* Same workload as the Go benchmark: N chunks each way, each Symbol built
  when it is produced (20 ms of 16 kHz PCM up, 20 ms of 24 kHz PCM down, the
  same shared byte buffers, no copies), a receiver that only counts and keeps
  the last item (checked afterwards, as the Go sink's is).
* Nothing is added that the package does not do: no extra awaits, no queues,
  no sleeps. The loopback's send and receive suspend only when they must
  (receive() waits for the last send before it ends), so nothing hands
  control back to the event loop per item: the send task runs its N items,
  then the receive task its N, at full speed. That asyncio runs them on one
  thread, where Go's session runs them on two goroutines, is the package's
  architecture, not a handicap added here.
* The choices that could go either way are made in Python's favour: the
  cheaper of the two ways to add role/turn (assigning into metadata, as the
  Go loopback does, measured ~0.1 us cheaper per symbol than passing them as
  kwargs to Symbol.audio), a warm-up run before the timed ones, and the
  clock around run_duplex only (not the event loop's start). The event loop
  is CPython's default, as the package uses (uvloop is not installable here).
* Symbols per second per direction is N / elapsed, as the Go benchmark
  reports it (b.N each way over the whole RunDuplex).

With -prebuilt, one Symbol built up front is sent and received N times
instead (the session alone, like Go's BenchmarkRunDuplexBoth), to show how
much of the per-chunk cost is building Symbols.

Usage: run_duplex_bench.py [-n N] [-runs R] [-prebuilt]
Prints one line per run: "python-run_duplex N=<N> symbols/s=<per direction>"
("python-run_duplex-prebuilt ..." with -prebuilt).
"""

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, AsyncIterator, Awaitable, Callable, Optional


# --- the package's Symbol, restated ---------------------------------------


class Modality(Enum):
    AUDIO = "audio"
    VIDEO = "video"
    TEXT = "text"
    IMAGE = "image"


@dataclass
class Symbol:
    modality: Modality
    data: bytes
    mime_type: str
    timestamp: datetime = field(default_factory=datetime.now)
    metadata: dict = field(default_factory=dict)

    @classmethod
    def audio(cls, data: bytes, sample_rate: int = 16000, channels: int = 1, **kwargs) -> "Symbol":
        return cls(
            modality=Modality.AUDIO,
            data=data,
            mime_type=f"audio/pcm;rate={sample_rate}",
            metadata={"sample_rate": sample_rate, "channels": channels, **kwargs},
        )

    @classmethod
    def text(cls, text: str, encoding: str = "utf-8", **kwargs) -> "Symbol":
        return cls(
            modality=Modality.TEXT,
            data=text.encode(encoding),
            mime_type=f"text/plain;charset={encoding}",
            metadata={"encoding": encoding, **kwargs},
        )


@dataclass
class StreamEvent:
    type: str
    data: Optional[Any] = None
    timestamp: datetime = field(default_factory=datetime.now)


# --- the package's DuplexSession.run_duplex, restated ----------------------


class DuplexSession:
    def __init__(self, stream):
        self.stream = stream
        self._send_task: Optional[asyncio.Task] = None
        self._receive_task: Optional[asyncio.Task] = None
        self._interrupted = False
        self.on_symbol: Optional[Callable[[Symbol], Awaitable[None]]] = None
        self.on_event: Optional[Callable[[StreamEvent], Awaitable[None]]] = None

    async def run_duplex(
        self,
        sender: Callable[[], AsyncIterator[Symbol]],
        receiver: Optional[Callable[[Any], Awaitable[None]]] = None,
    ) -> None:
        async def send_loop():
            async for symbol in sender():
                if self._interrupted:
                    break
                await self.stream.send(symbol)
            await self.stream.send_end()

        async def receive_loop():
            async for item in self.stream.receive():
                if self._interrupted:
                    break
                if receiver:
                    await receiver(item)
                elif isinstance(item, Symbol) and self.on_symbol:
                    await self.on_symbol(item)
                elif isinstance(item, StreamEvent) and self.on_event:
                    await self.on_event(item)

        self._send_task = asyncio.create_task(send_loop())
        self._receive_task = asyncio.create_task(receive_loop())
        await asyncio.gather(self._send_task, self._receive_task)


# --- the in-memory loopback stream ----------------------------------------

MIC_PCM = bytes(640)  # 20 ms of 16-bit mono PCM at 16 kHz
MODEL_PCM = bytes(960)  # 20 ms at 24 kHz


def model_chunk() -> Symbol:
    """One chunk of model audio as a backend builds it: audio plus role and turn."""
    s = Symbol.audio(MODEL_PCM, sample_rate=24000)
    s.metadata["role"] = "model"
    s.metadata["turn"] = 1
    return s


class Loopback:
    """Receive yields n model chunks built per call (or one prebuilt chunk n
    times), then ends once n sends are in."""

    def __init__(self, n: int, prebuilt: bool = False):
        self._n = n
        self._prebuilt = model_chunk() if prebuilt else None
        self.sends = 0
        self._all_sent = asyncio.Event()
        if n == 0:
            self._all_sent.set()

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        pass

    @property
    def is_connected(self) -> bool:
        return True

    async def send(self, symbol: Symbol) -> None:
        self.sends += 1
        if self.sends == self._n:
            self._all_sent.set()

    async def send_end(self) -> None:
        pass

    async def receive(self) -> AsyncIterator[Symbol]:
        if self._prebuilt is not None:
            s = self._prebuilt
            for _ in range(self._n):
                yield s
        else:
            for _ in range(self._n):  # model_chunk(), inlined
                s = Symbol.audio(MODEL_PCM, sample_rate=24000)
                s.metadata["role"] = "model"
                s.metadata["turn"] = 1
                yield s
        await self._all_sent.wait()


# --- one run ----------------------------------------------------------------


async def one_run(n: int, prebuilt: bool = False) -> float:
    """Runs the workload once and returns symbols/s per direction."""
    stream = Loopback(n, prebuilt)
    session = DuplexSession(stream)
    received = 0
    last = None

    async def receiver(item) -> None:
        nonlocal received, last
        received += 1
        last = item

    async def mic() -> AsyncIterator[Symbol]:
        for _ in range(n):
            yield Symbol.audio(MIC_PCM, sample_rate=16000)

    async def mic_prebuilt() -> AsyncIterator[Symbol]:
        s = Symbol.audio(MIC_PCM, sample_rate=16000)
        for _ in range(n):
            yield s

    t0 = time.perf_counter()
    await session.run_duplex(mic_prebuilt if prebuilt else mic, receiver)
    elapsed = time.perf_counter() - t0
    if received != n or stream.sends != n:
        raise SystemExit(f"received {received}, sent {stream.sends} of {n}")
    if n and last.metadata["sample_rate"] != 24000:
        raise SystemExit(f"metadata sample_rate = {last.metadata['sample_rate']}, want 24000")
    return n / elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", type=int, default=200_000, help="chunks each way (default 200000)")
    p.add_argument("-runs", type=int, default=5, help="timed runs (default 5)")
    p.add_argument(
        "-prebuilt",
        action="store_true",
        help="send and receive one prebuilt Symbol over and over (the session alone, "
        "like Go's BenchmarkRunDuplexBoth) instead of building one per chunk",
    )
    args = p.parse_args()
    name = "python-run_duplex-prebuilt" if args.prebuilt else "python-run_duplex"

    async def all_runs() -> None:
        await one_run(min(args.n, 10_000), args.prebuilt)  # warm-up
        for _ in range(args.runs):
            rate = await one_run(args.n, args.prebuilt)
            print(f"{name} N={args.n} symbols/s={rate:.0f}", flush=True)

    asyncio.run(all_runs())


if __name__ == "__main__":
    sys.exit(main())
