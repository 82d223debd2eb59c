// The engine workloads on kotlinx.coroutines, one thread (runBlocking's event loop), written to match
// EngineBenchmarks.java in what they do, so that the two are measured on the same work in the same kind of JVM.
// Prints one "RESULT <key> <value> <unit>" line per figure (and "GROWTH ..." lines in growth mode) for
// benchmarks/run to collect. Built by the benchmarks module's kotlin-peer profile (benchmarks/run turns it on).
//
//   java -cp ... io.asyncruntime.benchmarks.peers.CoroutinesBench [--quick]          W1-W5, warm-up then measured rounds, median
//   java -cp ... io.asyncruntime.benchmarks.peers.CoroutinesBench --growth W1|W4 N   one point of the growth curve, in a fresh JVM
@file:JvmName("CoroutinesBench")

package io.asyncruntime.benchmarks.peers

import java.lang.management.ManagementFactory
import java.util.Locale
import java.util.SplittableRandom
import kotlin.time.Duration.Companion.nanoseconds
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield

// As EngineBenchmarks: enough warm-up for C2 to compile the library's paths.
private var warmups = 10
private var rounds = 7

private fun result(key: String, value: Double, unit: String) =
    println(String.format(Locale.ROOT, "RESULT %s %.6g %s", key, value, unit))

private fun median(warmups: Int, rounds: Int, round: () -> Double): Double {
    repeat(warmups) { round() }
    val values = DoubleArray(rounds) { round() }
    values.sort()
    return values[rounds / 2]
}

private fun median(round: () -> Double) = median(warmups, rounds, round)

private fun usedHeapAfterGc(): Long {
    repeat(3) { System.gc() }
    return ManagementFactory.getMemoryMXBean().heapMemoryUsage.used
}

// The process's resident set size, as the kernel counts it (the other programs read the same line).
private fun rssBytes(): Long =
    java.io.File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
        .replace(Regex("[^0-9]"), "").toLong() * 1024

// W1: create n coroutines returning a trivial value, then await each. UNDISPATCHED runs each body inside
// async() up to its first suspension, the analogue of asyncio's eager task factory and our setEagerStart.
fun spawn(n: Int = 200_000, eager: Boolean = false): Double {
    val t0 = System.nanoTime()
    runBlocking {
        val start = if (eager) CoroutineStart.UNDISPATCHED else CoroutineStart.DEFAULT
        val tasks = ArrayList<Deferred<Int>>(n)
        for (i in 0 until n) {
            tasks.add(async(start = start) { i })
        }
        var sum = 0L
        for (t in tasks) {
            sum += t.await()
        }
        check(sum == n.toLong() * (n - 1) / 2)
    }
    return n / ((System.nanoTime() - t0) / 1e9)
}

// W2: two coroutines alternately complete a future (CompletableDeferred) the other awaits.
fun pingPong(switches: Int = 1_000_000): Double {
    val t0 = System.nanoTime()
    runBlocking {
        val inbox = arrayOf(CompletableDeferred<Unit>(), CompletableDeferred<Unit>())
        val a = launch {
            repeat(switches / 2) {
                inbox[1].complete(Unit)
                inbox[0].await()
                inbox[0] = CompletableDeferred()
            }
        }
        val b = launch {
            repeat(switches / 2) {
                inbox[1].await()
                inbox[1] = CompletableDeferred()
                inbox[0].complete(Unit)
            }
        }
        a.join()
        b.join()
    }
    return switches / ((System.nanoTime() - t0) / 1e9)
}

// W3: 1,000 coroutines x 1,000 yield(), kotlinx's sleep(0): back to the end of the loop's queue.
fun yields(tasks: Int = 1_000, each: Int = 1_000): Double {
    val t0 = System.nanoTime()
    runBlocking {
        val all = ArrayList<Job>(tasks)
        repeat(tasks) {
            all.add(launch { repeat(each) { yield() } })
        }
        for (t in all) {
            t.join()
        }
    }
    return tasks.toDouble() * each / ((System.nanoTime() - t0) / 1e9)
}

// W4: n coroutines suspended on one future: used heap after GC before and after, per coroutine. The stacks of
// suspended coroutines need the debug agent (kotlinx-coroutines-debug), so W4_stacks has no figure here.
fun memory(n: Int = 100_000, whileSuspended: () -> Unit = {}): Double {
    val heapBefore = usedHeapAfterGc()
    var perTask = 0.0
    runBlocking {
        val gate = CompletableDeferred<Unit>()
        val all = ArrayList<Job>(n)
        repeat(n) {
            all.add(launch { gate.await() })
        }
        yield()
        yield()
        perTask = (usedHeapAfterGc() - heapBefore).toDouble() / n
        whileSuspended()
        gate.complete(Unit)
        for (t in all) {
            t.join()
        }
    }
    return perTask
}

// W5: n coroutines each sleeping a random 0-100 ms (the same seeded draws as EngineBenchmarks);
// lateness = wake-up time - (time delay was called + delay). Returns p50 and p99 lateness and the total, in ms.
fun timers(n: Int = 100_000): DoubleArray {
    val lateness = DoubleArray(n)
    val t0 = System.nanoTime()
    runBlocking {
        val random = SplittableRandom(42)
        val all = ArrayList<Job>(n)
        for (k in 0 until n) {
            val delaySeconds = random.nextDouble() * 0.1
            all.add(launch {
                val due = System.nanoTime() / 1e9 + delaySeconds
                // kotlinx rounds a delay up to whole milliseconds: that rounding is part of what it measures.
                delay((delaySeconds * 1e9).toLong().nanoseconds)
                lateness[k] = System.nanoTime() / 1e9 - due
            })
        }
        for (t in all) {
            t.join()
        }
    }
    val totalMs = (System.nanoTime() - t0) / 1e6
    lateness.sort()
    return doubleArrayOf(lateness[n / 2] * 1000, lateness[(n * 0.99).toInt()] * 1000, totalMs)
}

private fun growth(workload: String, n: Int) {
    when (workload) {
        "W1" -> {
            // As EngineBenchmarks: a 1M-task round is long enough to warm itself.
            val perSecond = median(if (n >= 1_000_000) 2 else 10, if (n >= 1_000_000) 3 else 7) { spawn(n) }
            println(String.format(Locale.ROOT, "GROWTH W1 %d ns_per_task %.6g", n, 1e9 / perSecond))
        }
        "W4" -> {
            val rssBefore = rssBytes()
            val heap = memory(n) {
                println(String.format(Locale.ROOT, "GROWTH W4 %d rss_bytes_per_task %.6g", n, (rssBytes() - rssBefore).toDouble() / n))
            }
            println(String.format(Locale.ROOT, "GROWTH W4 %d heap_bytes_per_task %.6g", n, heap))
        }
        else -> throw IllegalArgumentException("unknown growth workload $workload")
    }
}

fun main(args: Array<String>) {
    val g = args.indexOf("--growth")
    if (g >= 0) {
        growth(args[g + 1], args[g + 2].toInt())
        return
    }
    if ("--quick" in args) {
        warmups = 3
        rounds = 3
    }
    val coroutines = Job::class.java.`package`.implementationVersion ?: "?"
    println(String.format(Locale.ROOT, "kotlinx.coroutines %s (Kotlin %s), runBlocking on one thread, JDK %s, %d cores, %d warm-up + %d measured rounds (median)",
        coroutines, KotlinVersion.CURRENT, Runtime.version(), Runtime.getRuntime().availableProcessors(), warmups, rounds))
    result("W1", median { spawn() }, "tasks/s")
    result("W1_eager", median { spawn(eager = true) }, "tasks/s")
    result("W2", median { pingPong() }, "switches/s")
    result("W3", median { yields() }, "yields/s")
    var heap = 0.0
    repeat(3) { heap = memory() }
    result("W4_heap", heap, "bytes/task")
    val runs = ArrayList<DoubleArray>()
    for (r in 0 until warmups + rounds) {
        val v = timers()
        if (r >= warmups) {
            runs.add(v)
        }
    }
    listOf("W5_p50", "W5_p99", "W5_total").forEachIndexed { idx, key ->
        val values = runs.map { it[idx] }.sorted()
        result(key, values[values.size / 2], "ms")
    }
}
