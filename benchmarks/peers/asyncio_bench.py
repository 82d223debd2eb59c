"""The engine workloads on CPython's asyncio, written to match EngineBenchmarks.java line for line in what
they do, so that the two are measured on the same work. Prints one "RESULT <key> <value> <unit>" line per
figure (and "GROWTH ..." lines in growth mode) for benchmarks/run to collect.

    python3 asyncio_bench.py [--quick]            W1-W5, warm-up rounds then measured rounds, median
    python3 asyncio_bench.py --growth W1|W4 N     one point of the growth curve, in a fresh process
"""
import asyncio
import gc
import random
import sys
import time

WARMUPS, ROUNDS = 2, 5


def median(round_fn, warmups, rounds):
    for _ in range(warmups):
        round_fn()
    values = sorted(round_fn() for _ in range(rounds))
    return values[len(values) // 2]


def rss_bytes():
    # Resident set size of this process, as the kernel counts it.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def result(key, value, unit):
    print(f"RESULT {key} {value:.6g} {unit}", flush=True)


# W1: create n tasks returning a trivial value, await them all.
def spawn(n=200_000, eager=False):
    async def trivial(k):
        return k

    async def main():
        if eager:
            asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
        tasks = [asyncio.create_task(trivial(i)) for i in range(n)]
        total = 0
        for t in tasks:
            total += await t
        return total

    t0 = time.perf_counter()
    asyncio.run(main())
    return n / (time.perf_counter() - t0)


# W2: two tasks alternately complete a future the other awaits.
def ping_pong(switches=1_000_000):
    async def main():
        loop = asyncio.get_running_loop()
        inbox = [loop.create_future(), loop.create_future()]

        async def a():
            for _ in range(switches // 2):
                inbox[1].set_result(None)
                await inbox[0]
                inbox[0] = loop.create_future()

        async def b():
            for _ in range(switches // 2):
                await inbox[1]
                inbox[1] = loop.create_future()
                inbox[0].set_result(None)

        ta, tb = asyncio.create_task(a()), asyncio.create_task(b())
        await ta
        await tb

    t0 = time.perf_counter()
    asyncio.run(main())
    return switches / (time.perf_counter() - t0)


# W3: 1,000 tasks x 1,000 sleep(0).
def yields(tasks=1_000, each=1_000):
    async def worker():
        for _ in range(each):
            await asyncio.sleep(0)

    async def main():
        all_tasks = [asyncio.create_task(worker()) for _ in range(tasks)]
        for t in all_tasks:
            await t

    t0 = time.perf_counter()
    asyncio.run(main())
    return tasks * each / (time.perf_counter() - t0)


# W4: n tasks suspended on one future; memory per task, and the time to take every task's stack once.
def memory(n=100_000):
    out = {}

    async def main():
        loop = asyncio.get_running_loop()
        gate = loop.create_future()

        async def waiter():
            await gate

        gc.collect()
        before = rss_bytes()
        all_tasks = [asyncio.create_task(waiter()) for _ in range(n)]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        gc.collect()
        out["rss"] = (rss_bytes() - before) / n
        t0 = time.perf_counter()
        frames = sum(len(t.get_stack()) for t in all_tasks)
        out["stacks_ms"] = (time.perf_counter() - t0) * 1000
        if frames < n:
            raise RuntimeError("stacks came back empty")
        gate.set_result(None)
        for t in all_tasks:
            await t

    asyncio.run(main())
    return out


# W5: n tasks each sleeping a random 0-100 ms; lateness = wake time - (time sleep was called + delay).
def timers(n=100_000):
    lateness = [0.0] * n

    async def sleeper(k, delay, loop):
        due = loop.time() + delay
        await asyncio.sleep(delay)
        lateness[k] = loop.time() - due

    async def main():
        rnd = random.Random(42)
        loop = asyncio.get_running_loop()
        all_tasks = [asyncio.create_task(sleeper(i, rnd.random() * 0.1, loop)) for i in range(n)]
        for t in all_tasks:
            await t

    t0 = time.perf_counter()
    asyncio.run(main())
    total_ms = (time.perf_counter() - t0) * 1000
    lateness.sort()
    return lateness[n // 2] * 1000, lateness[int(n * 0.99)] * 1000, total_ms


def growth(workload, n):
    if workload == "W1":
        # Fewer rounds as n grows: a 1M-task round of CPython takes seconds.
        warm, rounds = (2, 3) if n <= 100_000 else (0, 1)
        per_s = median(lambda: spawn(n), warm, rounds)
        print(f"GROWTH W1 {n} ns_per_task {1e9 / per_s:.6g}", flush=True)
    elif workload == "W4":
        out = memory(n)
        # CPython has no separate managed heap: its objects live in the process's memory, so heap = RSS.
        print(f"GROWTH W4 {n} heap_bytes_per_task {out['rss']:.6g}", flush=True)
        print(f"GROWTH W4 {n} rss_bytes_per_task {out['rss']:.6g}", flush=True)
    else:
        raise SystemExit(f"unknown growth workload {workload}")


def main(argv):
    global WARMUPS, ROUNDS
    if "--growth" in argv:
        i = argv.index("--growth")
        growth(argv[i + 1], int(argv[i + 2]))
        return
    if "--quick" in argv:
        WARMUPS, ROUNDS = 1, 3
    print(f"CPython {sys.version.split()[0]} asyncio, {WARMUPS} warm-up + {ROUNDS} measured rounds (median)", flush=True)
    result("W1", median(spawn, WARMUPS, ROUNDS), "tasks/s")
    if hasattr(asyncio, "eager_task_factory"):  # 3.12+
        result("W1_eager", median(lambda: spawn(eager=True), WARMUPS, ROUNDS), "tasks/s")
    result("W2", median(ping_pong, WARMUPS, ROUNDS), "switches/s")
    result("W3", median(yields, WARMUPS, ROUNDS), "yields/s")
    mem = memory()
    result("W4_rss", mem["rss"], "bytes/task")
    result("W4_heap", mem["rss"], "bytes/task")
    result("W4_stacks", mem["stacks_ms"], "ms")
    runs = []
    for r in range(WARMUPS + ROUNDS):
        v = timers()
        if r >= WARMUPS:
            runs.append(v)
    for idx, key in enumerate(("W5_p50", "W5_p99", "W5_total")):
        values = sorted(v[idx] for v in runs)
        result(key, values[len(values) // 2], "ms")


if __name__ == "__main__":
    main(sys.argv[1:])
