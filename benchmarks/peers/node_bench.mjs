// The engine workloads on Node.js (async/await with Promises), written to match EngineBenchmarks.java in what
// they do, so that the two are measured on the same work. Prints one "RESULT <key> <value> <unit>" line per
// figure (and "GROWTH ..." lines in growth mode) for benchmarks/run to collect. Run with --expose-gc.
//
//   node --expose-gc node_bench.mjs [--quick]            W1-W5, warm-up then measured rounds, median
//   node --expose-gc node_bench.mjs --growth W1|W4 N     one point of the growth curve, in a fresh process
import { readFileSync } from 'node:fs';
import { setTimeout as sleepMs } from 'node:timers/promises';

let WARMUPS = 3, ROUNDS = 5;
const now = () => Number(process.hrtime.bigint()) / 1e9;

async function median(roundFn, warmups, rounds) {
  for (let i = 0; i < warmups; i++) await roundFn();
  const values = [];
  for (let i = 0; i < rounds; i++) values.push(await roundFn());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

function rssBytes() {
  // Resident set size of this process, as the kernel counts it (as the other peers read it).
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

function result(key, value, unit) {
  console.log(`RESULT ${key} ${Number(value.toPrecision(6))} ${unit}`);
}

// A future another task can complete: Node's equivalent of asyncio's loop.create_future().
function createFuture() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

// W1: create n tasks returning a trivial value, await them all. An async function call is Node's task.
async function spawn(n = 200_000) {
  const trivial = async (k) => k;
  const t0 = now();
  const tasks = new Array(n);
  for (let i = 0; i < n; i++) tasks[i] = trivial(i);
  let total = 0;
  for (const t of tasks) total += await t;
  if (total < 0) throw new Error('unreachable');
  return n / (now() - t0);
}

// W2: two tasks alternately complete a future the other awaits.
async function pingPong(switches = 1_000_000) {
  const inbox = [createFuture(), createFuture()];
  const t0 = now();
  const a = (async () => {
    for (let i = 0; i < switches / 2; i++) {
      inbox[1].resolve();
      await inbox[0].promise;
      inbox[0] = createFuture();
    }
  })();
  const b = (async () => {
    for (let i = 0; i < switches / 2; i++) {
      await inbox[1].promise;
      inbox[1] = createFuture();
      inbox[0].resolve();
    }
  })();
  await a;
  await b;
  return switches / (now() - t0);
}

// W3: 1,000 tasks x 1,000 sleep(0). setImmediate is Node's "yield to the event loop" (asyncio's sleep(0));
// a resolved-promise await would not let the loop run anything else.
async function yields(tasks = 1_000, each = 1_000) {
  const yieldOnce = () => new Promise((r) => setImmediate(r));
  const worker = async () => { for (let j = 0; j < each; j++) await yieldOnce(); };
  const t0 = now();
  const all = [];
  for (let i = 0; i < tasks; i++) all.push(worker());
  for (const t of all) await t;
  return (tasks * each) / (now() - t0);
}

// W4: n tasks suspended on one future: heap and RSS per task. Node keeps no task stacks to take.
async function memory(n = 100_000) {
  const gate = createFuture();
  const waiter = async () => { await gate.promise; };
  global.gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = rssBytes();
  const all = new Array(n);
  for (let i = 0; i < n; i++) all[i] = waiter();
  await sleepMs(0);
  global.gc();
  const heap = (process.memoryUsage().heapUsed - heapBefore) / n;
  const rss = (rssBytes() - rssBefore) / n;
  gate.resolve();
  for (const t of all) await t;
  return { heap, rss };
}

// W5: n tasks each sleeping a random 0-100 ms; lateness = wake time - (time sleep was called + delay).
async function timers(n = 100_000) {
  let seed = 42;
  const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const lateness = new Float64Array(n);
  const sleeper = async (k, delay) => {
    const due = now() + delay;
    await sleepMs(delay * 1000);
    lateness[k] = now() - due;
  };
  const t0 = now();
  const all = new Array(n);
  for (let i = 0; i < n; i++) all[i] = sleeper(i, random() * 0.1);
  for (const t of all) await t;
  const totalMs = (now() - t0) * 1000;
  lateness.sort();
  return [lateness[Math.floor(n / 2)] * 1000, lateness[Math.floor(n * 0.99)] * 1000, totalMs];
}

async function growth(workload, n) {
  if (workload === 'W1') {
    const perS = await median(() => spawn(n), n <= 100_000 ? 3 : 1, n <= 100_000 ? 3 : 1);
    console.log(`GROWTH W1 ${n} ns_per_task ${Number((1e9 / perS).toPrecision(6))}`);
  } else if (workload === 'W4') {
    const { heap, rss } = await memory(n);
    console.log(`GROWTH W4 ${n} heap_bytes_per_task ${Number(heap.toPrecision(6))}`);
    console.log(`GROWTH W4 ${n} rss_bytes_per_task ${Number(rss.toPrecision(6))}`);
  } else {
    throw new Error(`unknown growth workload ${workload}`);
  }
}

async function main(argv) {
  const g = argv.indexOf('--growth');
  if (g >= 0) return growth(argv[g + 1], Number(argv[g + 2]));
  if (argv.includes('--quick')) { WARMUPS = 1; ROUNDS = 3; }
  console.log(`Node.js ${process.version}, ${WARMUPS} warm-up + ${ROUNDS} measured rounds (median)`);
  result('W1', await median(() => spawn(), WARMUPS, ROUNDS), 'tasks/s');
  result('W2', await median(() => pingPong(), WARMUPS, ROUNDS), 'switches/s');
  result('W3', await median(() => yields(), WARMUPS, ROUNDS), 'yields/s');
  const mem = await memory();
  result('W4_heap', mem.heap, 'bytes/task');
  // No W4_rss here: after W1-W3 the process's resident set moves by more than the tasks add (it even shrank,
  // giving a negative figure); the growth curves measure it in a fresh process.
  const runs = [];
  for (let r = 0; r < WARMUPS + ROUNDS; r++) {
    const v = await timers();
    if (r >= WARMUPS) runs.push(v);
  }
  ['W5_p50', 'W5_p99', 'W5_total'].forEach((key, idx) => {
    const values = runs.map((v) => v[idx]).sort((a, b) => a - b);
    result(key, values[Math.floor(values.length / 2)], 'ms');
  });
}

await main(process.argv.slice(2));
