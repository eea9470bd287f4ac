#!/usr/bin/env python3
"""rate-load.py: an open-loop, fixed-rate HTTP load generator (stdlib only).

    benches/perf/rate-load.py --url http://127.0.0.1:PORT --rate 500 \
        --duration 25 --paths paths.txt [--connections 32] [--json]

Request i is scheduled at start + i / rate, whatever happened to the earlier
ones (open loop). Its latency is measured from that scheduled time to the
end of its response, so time spent queued behind a slow response, waiting
for a free connection or behind a late client is counted (no coordinated
omission). Requests go over several keep-alive HTTP/1.1 connections on raw
asyncio streams; the paths (one a line, e.g. /api/search?q=...) are used in
turn. Reports p50/p90/p99/max latency, errors (non-200 answers, broken
connections, timeouts), the achieved rate, how late the client's scheduler
handed requests out (client lag: an overloaded client shows here, not as a
slow server) and how long requests waited for a free connection (queue
wait: grows when the server cannot keep up with the rate). Only loopback addresses are accepted. Bounded: stops after
--duration seconds plus at most --timeout seconds for stragglers.
"""

import argparse
import asyncio
import ipaddress
import json
import resource
import sys
import time
import urllib.parse


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round((len(values) - 1) * p)))]


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def ensure(self):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, int]:
        """Sends one GET and reads the whole answer; returns (status, body bytes)."""
        await self.ensure()
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: application/json\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        size = 0
        if "content-length" in headers:
            size = int(headers["content-length"])
            await self.reader.readexactly(size)
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                n = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(n + 2)
                size += n
                if n == 0:
                    break
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, size


async def run(args) -> dict:
    url = urllib.parse.urlsplit(args.url)
    host, port = url.hostname, url.port or 80
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit("rate-load: only loopback addresses are allowed")
    paths = [p.strip() for p in open(args.paths, encoding="utf-8") if p.strip()]
    total = int(args.rate * args.duration)
    queue: asyncio.Queue = asyncio.Queue()
    latencies: list[float] = []
    lags: list[float] = []  # due time -> a connection takes the request (client lag + waiting for a free connection)
    dispatch: list[float] = []  # due time -> the scheduler hands the request out (the client's own lateness)
    errors = {"status": 0, "connection": 0, "timeout": 0}
    done = 0
    loop = asyncio.get_running_loop()

    async def worker():
        nonlocal done
        conn = Connection(host, port)
        try:
            while True:
                item = await queue.get()
                if item is None:
                    return
                i, scheduled = item
                lags.append(loop.time() - scheduled)
                try:
                    status, _ = await asyncio.wait_for(conn.get(paths[i % len(paths)]), args.timeout)
                    if status != 200:
                        errors["status"] += 1
                except asyncio.TimeoutError:
                    errors["timeout"] += 1
                    conn.close()
                    continue
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    errors["connection"] += 1
                    conn.close()
                    continue
                latencies.append(loop.time() - scheduled)
                done += 1
        finally:
            conn.close()

    workers = [asyncio.create_task(worker()) for _ in range(args.connections)]
    # Open the connections before the clock starts.
    await asyncio.sleep(0.05)
    start = loop.time() + 0.1
    for i in range(total):
        due = start + i / args.rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        dispatch.append(loop.time() - due)
        queue.put_nowait((i, due))
    sent_end = loop.time()
    for _ in workers:
        queue.put_nowait(None)
    try:
        await asyncio.wait_for(asyncio.gather(*workers), args.duration + args.timeout)
    except asyncio.TimeoutError:
        for w in workers:
            w.cancel()
    end = loop.time()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    ms = [x * 1000 for x in latencies]
    lag_ms = [x * 1000 for x in lags]
    dispatch_ms = [x * 1000 for x in dispatch]
    return {
        "rate": args.rate,
        "duration_s": args.duration,
        "connections": args.connections,
        "scheduled": total,
        "completed": done,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "achieved_rps": done / (end - start) if end > start else None,
        "send_rate": total / (sent_end - start) if sent_end > start else None,
        "p50_ms": percentile(ms, 0.50),
        "p90_ms": percentile(ms, 0.90),
        "p99_ms": percentile(ms, 0.99),
        "max_ms": max(ms) if ms else None,
        "client_lag_p50_ms": percentile(dispatch_ms, 0.50),
        "client_lag_p99_ms": percentile(dispatch_ms, 0.99),
        "queue_wait_p50_ms": percentile(lag_ms, 0.50),
        "queue_wait_p99_ms": percentile(lag_ms, 0.99),
        "client_cpu_s": ru.ru_utime + ru.ru_stime,
        "wall_s": end - start,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--rate", type=float, default=500)
    ap.add_argument("--duration", type=float, default=25)
    ap.add_argument("--paths", required=True)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        f = lambda v: "-" if v is None else f"{v:.2f}"
        print(
            f"{result['completed']}/{result['scheduled']} requests at {args.rate:.0f}/s for {args.duration:.0f} s, "
            f"achieved {f(result['achieved_rps'])}/s, errors {result['errors']} {result['error_kinds']}\n"
            f"latency from scheduled send: p50 {f(result['p50_ms'])} ms, p90 {f(result['p90_ms'])} ms, "
            f"p99 {f(result['p99_ms'])} ms, max {f(result['max_ms'])} ms; "
            f"client lag p50 {f(result['client_lag_p50_ms'])} ms, p99 {f(result['client_lag_p99_ms'])} ms; "
            f"wait for a free connection p50 {f(result['queue_wait_p50_ms'])} ms, p99 {f(result['queue_wait_p99_ms'])} ms"
        )
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
