"""Draft of notebooks/06-concurrency.ipynb (run from the repository root)."""

import sys

sys.path.insert(0, "tools")
from nbbuild import code, md, solution, write  # noqa: E402

cells = [
    md(r"""
    # Concurrent systems

    A server spends most of its life waiting: for a disk, for a database, for the next
    packet. Concurrency is how it does other useful work in the meantime. This chapter
    measures what that buys, shows the two classic ways it goes wrong, and runs three
    well-known styles of concurrent programming in Python.

    **By the end of this chapter you will be able to**

    - work out how much computing a processor could do during one I/O wait, then and now;
    - predict CPU utilization from the number of tasks and their I/O share, and say when
      the simple formula is too simple;
    - show on your own machine that Python threads overlap waiting but not computing,
      and that processes do compute in parallel;
    - make a lost update and a deadlock happen on purpose, detect them with timeouts, and
      fix them with a lock and with lock ordering;
    - size a thread pool from its tasks' wait and compute times, and check the size;
    - write the same kind of program with Go-style channels, Erlang-style actors, and a
      single-threaded event loop, and explain why one slow callback stalls the loop.
    """),
    code("""
    from scalelab import actors, check, choices, concurrency, csp, eventloop, explore
    """),
    md(r"""
    ## Concurrency and parallelism

    Two tasks are {term}`concurrent <concurrency>` when their lifetimes overlap: one
    starts before the other has finished. They run in *parallel* only when they execute
    at the same instant, on different cores. A single core can run many concurrent
    tasks by switching between them; it cannot run them in parallel.

    Parallelism is about doing more computing at once, and its limit is Amdahl's law
    ({doc}`chapter 3 <../notebooks/03-scaling-up>`). Concurrency is about not sitting
    idle, and it pays even on one core, because most tasks in a distributed system spend
    most of their time waiting for something slower than the processor.
    """),
    md(r"""
    ## Waiting for I/O

    A magnetic disk needs about 10 ms to find and read a block: the arm must move and
    the platter must turn. A processor that just waits for the block wastes every
    instruction it could have run in that time. The source's example is an Intel 80386
    at 10 million instructions per second (MIPS): $0.010 \times 10^7 = 100{,}000$
    instructions lost per disk read.

    Storage and processors have both become faster since, but not at the same pace. An
    SSD answers a random read in about 100 µs, a hundred times faster than a disk. A
    modern core at 3 GHz can finish about four instructions per cycle, some 12,000
    MIPS, over a thousand times faster than the 80386. The explorer multiplies the two:
    pick a processor speed and a number of idle cores, and read off how much work each
    kind of wait costs.
    """),
    code("""
    explore(
        concurrency.io_wait_curves,
        mips=choices([1, 10, 100, 1000, 10000, 100000], default=10),
        cores=choices([1, 2, 4, 8, 16, 32, 64], default=1),
        title="Instructions lost while waiting: {mips:g} MIPS per core, {cores} idle cores",
        x_title="length of the wait (seconds)", y_title="instructions that could have run",
        log_x=True, log_y=True, x_range=(1e-8, 0.3), height=480,
    )
    """),
    md(r"""
    **What to notice.** At 10 MIPS a disk read costs $10^5$ instructions; at 10,000
    MIPS even an SSD read costs $10^6$, more than the 80386 lost to a whole disk read.
    Faster storage has not made waiting cheap, because processors sped up even more,
    and a machine with many cores loses that much on every idle core.
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    The source dates its 10 MIPS 80386 to 1988. Intel introduced the 80386 in October
    1985, at clock rates up to 16 MHz. Measured speeds grew with the clock: about
    4-5 MIPS at 20 MHz, about 7 at 25 MHz, and about 11.4 MIPS for the 33 MHz part that
    came later. So "more than 10 MIPS" describes a late, fast 80386, not the 1985 chip.
    The arithmetic barely depends on it: at 4 MIPS a 10 ms read still costs 40,000
    instructions, and at 11.4 MIPS it costs 114,000. The table repeats the sum for each
    processor and for a 100 µs SSD read.
    :::
    """),
    code("""
    concurrency.source_wait_table()
    """),
    md(r"""
    ## Keeping the processor busy: CPU utilization

    Since the 1960s, operating systems have kept several programs in memory at once
    ({term}`multiprogramming`): when one waits for I/O, the processor runs another. How
    many are enough? Suppose each task waits for I/O a fraction $p$ of its time, and the
    tasks wait independently of one another. The processor idles only when all $n$ wait
    at once, which happens with probability $p^n$, so

    $$
    U(n) = 1 - p^{n}.
    $$

    An {term}`I/O-bound` task has $p$ close to 1, and many of them are needed to fill one
    processor; a {term}`CPU-bound` task has $p$ close to 0 and fills it alone.

    The formula assumes that a task is never kept waiting for the processor itself. With
    one real processor, tasks that are ready to compute queue for it, and the exact
    answer comes from a small queueing model (the finite-source queue, also known as the
    machine-repairman model). The explorer shows both.
    """),
    code("""
    explore(
        concurrency.utilization_curves,
        io_fraction=(0.05, 0.95, 0.05, 0.8),
        title="CPU utilization, tasks waiting for I/O {io_fraction:.0%} of the time",
        x_title="tasks in memory", y_title="CPU utilization", y_range=(0, 1.05),
    )
    """),
    md(r"""
    **What to notice.** With $p = 0.8$ one task keeps the processor 20% busy and four
    keep it 59% busy by $1 - p^n$; it takes 11 tasks to pass 90%. The queueing model
    climbs faster: a task that waits for the processor is not waiting for I/O, so the
    processor finds work more often than the independence assumption says.

    A simulation settles which model describes which situation. It runs tasks that
    alternate random compute bursts and I/O waits (SimPy, seeded), once with each task
    computing on its own (independent tasks) and once with all tasks queueing for one
    processor.
    """),
    code("""
    concurrency.utilization_table(io_fraction=0.8, tasks=[1, 2, 4, 8]).round(3)
    """),
    md(r"""
    **What to notice.** Each formula agrees with the simulation of its own situation to
    within about 0.01. $1 - p^n$ is the right model when the tasks really are
    independent, and a cautious estimate for tasks that share one processor.
    """),
    md(r"""
    ## Threads in Python, measured

    Now for real work on your machine. Three batches of tasks run on pools of 1, 2, 4
    and 8 workers:

    - *I/O-bound tasks on threads*: each task only waits (`time.sleep`, which stands in
      for a disk or network wait);
    - *CPU-bound tasks on threads*: each runs a pure Python loop for about 50 ms;
    - *CPU-bound tasks on processes*: the same loop, on a pool of processes.

    CPython has a {term}`global interpreter lock` (GIL): only the thread that holds it
    may run Python code, and a waiting thread gives it up. So waits can overlap on
    threads, but Python computation cannot. Processes each have their own interpreter
    and lock, and run in parallel on separate cores, as measured in chapter 3.

    The measurement takes a few seconds, and its numbers are yours: they are not
    compared by the tests.
    """),
    code("""
    # nbval-ignore-output: timings of this machine vary from run to run.
    overlap = concurrency.measure_overlap(workers=[1, 2, 4, 8])
    concurrency.overlap_figure(overlap)
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** The I/O-bound batch runs nearly $k$ times faster on $k$ threads:
    the waits overlap. The CPU-bound batch on threads gains nothing, and often loses a
    little to switching. On processes it speeds up until it runs out of cores (on a busy
    or two-core machine that is not far). In Python, threads are a tool for waiting, and
    processes a tool for computing.
    """),
    md(r"""
    ## When threads share data: a lost update

    Threads share memory, which is convenient and dangerous. Take a bank balance that
    several threads update by *reading* it, adding one, and *writing* it back. If a
    thread is switched out between its read and its write, another thread can read the
    same old value, and one of the two updates vanishes: a {term}`race condition`,
    whose result depends on the timing of the threads.

    A race that depends on luck is hard to show. The next call removes the luck: each
    thread reads the balance, then waits at a barrier until every thread has read, then
    writes. That is the worst schedule a context switch could produce, made certain.
    """),
    code("""
    concurrency.lost_update(threads=8)
    """),
    md(r"""
    All eight threads read 0 and wrote 1: seven updates were lost. The fix is
    {term}`mutual exclusion`: hold a lock from the read to the write, so that the
    read-modify-write (a *critical section*) runs in one thread at a time.
    """),
    code("""
    concurrency.lost_update(threads=8, use_lock=True)
    """),
    md(r"""
    Without the forcing barrier the race still happens, only less predictably. Here four
    threads each add one 200 times, yielding between read and write as a longer
    computation would; the count without the lock differs from run to run.
    """),
    code("""
    # nbval-ignore-output: the number of lost updates depends on thread timing.
    print("without a lock:", concurrency.racy_counter(threads=4, increments=200), "of 800")
    print("with a lock:   ", concurrency.racy_counter(threads=4, increments=200, use_lock=True), "of 800")
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** The lock makes the result exact and repeatable, at the price of
    serializing the critical section: that serialized part is exactly the serial fraction
    of Amdahl's law. Keep critical sections short.
    """),
    md(r"""
    ## When locks meet: deadlock

    Locks bring their own failure. Five philosophers sit at a round table with one fork
    between each pair; each needs both neighbouring forks to eat (Dijkstra's dining
    philosophers). If every philosopher picks up the left fork and then reaches for the
    right one, each holds a fork the next one needs, and all wait forever: a
    {term}`deadlock`.

    Here each philosopher is a thread and each fork a `threading.Lock`. Every wait for a
    lock has a timeout, so a deadlock is *detected* (a timeout expires) rather than
    suffered, and every thread is joined with a deadline: the demonstration cannot hang.
    As with the race, a barrier makes the bad schedule certain: nobody reaches for a
    second fork until all hold their first.
    """),
    code("""
    concurrency.dining_philosophers(5)
    """),
    md(r"""
    Every philosopher timed out, each holding fork $i$ and waiting for fork $i+1$: a
    cycle of waits. A deadlock needs four conditions at once (Coffman et al., 1971):
    exclusive resources, holding one while waiting for another, no pre-emption, and a
    circular wait. Breaking any one prevents it. The cheapest to break is the cycle:
    {term}`lock ordering` numbers the locks and makes everyone take them in increasing
    order. Philosopher 4 then reaches for fork 0 before fork 4, and no cycle can form.
    """),
    code("""
    concurrency.dining_philosophers(5, ordered=True)
    """),
    md(r"""
    **What to notice.** The only change is the order of two `acquire` calls for one
    philosopher, and the same forcing schedule no longer deadlocks. Databases and
    operating systems use the same rule: acquire locks in one global order.
    """),
    md(r"""
    ## How many threads? Sizing a pool

    Creating a thread per request does not scale: each thread costs memory and
    scheduling time. Servers instead keep a {term}`thread pool` of a fixed size and queue
    the work. Too few threads leave the cores idle while tasks wait; too many add
    switching and memory cost for no gain. If each task computes for time $C$ and waits
    for time $W$, one thread keeps a core busy only a share $C/(W+C)$ of the time, so
    Goetz et al. (*Java Concurrency in Practice*, 2006) suggest

    $$
    N_\text{threads} = N_\text{cores} \left(1 + \frac{W}{C}\right).
    $$

    Below that size throughput grows in proportion to the threads; past it the cores are
    saturated. The explorer draws the share of the cores that an ideal pool keeps busy
    (its throughput over the most the cores can do) against the pool size.
    """),
    code("""
    explore(
        concurrency.pool_curves,
        cores=[1, 2, 4, 8, 16],
        wait_over_compute=(0, 20, 1, 4),
        title="Pool of threads on {cores} cores; tasks wait {wait_over_compute} times as long as they compute",
        x_title="threads in the pool", y_title="share of the cores kept busy", log_x=True, y_range=(0, 1.05),
    )
    """),
    md(r"""
    **What to notice.** The busy share climbs in proportion to the threads and reaches 1
    exactly at the rule's pool size; past it, more threads add only memory and switching.
    The longer tasks wait, the more threads each core needs: with $W/C = 9$, ten per
    core, as for a service on 8 cores whose requests compute 5 ms and wait 45 ms:
    """),
    code("""
    concurrency.pool_size(cores=8, wait_time=45, compute_time=5)
    """),
    md(r"""
    Now a real pool. Each task computes for about 10 ms of Python, then waits 40 ms.
    Python threads share one interpreter lock, so for the computing part a thread pool
    has *one* effective core, and the rule predicts $1 \times (1 + 40/10) = 5$ threads.
    """),
    code("""
    # nbval-ignore-output: throughput measured on this machine varies from run to run.
    pool = concurrency.measure_pool(threads=[1, 2, 3, 4, 5, 6, 8], compute_s=0.01, wait_s=0.04)
    concurrency.pool_figure(pool, compute_s=0.01, wait_s=0.04)
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** Throughput climbs almost linearly up to about five threads and
    then flattens near 100 tasks a second, one task per 10 ms of computing. On a busy
    machine the measured curve sits below the model, and past the knee it can creep up a
    little when other processes slow the computing down (which makes $W/C$ look smaller).
    The rule gives a starting point; measuring gives the answer.
    """),
    md(r"""
    ## Three concurrency models, in Python terms

    Threads sharing memory with locks are one way to program concurrency, and the
    previous sections showed its two traps. Languages built for concurrent systems
    offer other models. We run the three the source describes, each written in a few
    dozen lines of Python in `scalelab`.

    ### Go: communicating sequential processes

    Go follows Hoare's {term}`communicating sequential processes` (CSP): lightweight
    concurrent functions, {term}`goroutines <goroutine>`, share no variables and talk
    through {term}`channels <channel>`. A send on an *unbuffered* channel completes only
    when a receiver takes the value, so the two goroutines meet (a rendezvous). A
    *buffered* channel of capacity $B$ lets the sender run up to $B$ values ahead.

    In `scalelab.csp`, `go(fn)` starts a thread and `Channel(B)` has Go's semantics
    (with a timeout on every wait). A sender sends four values at once to a receiver
    that starts late; which sends had to wait?
    """),
    code("""
    csp.rendezvous_demo(capacity=0, values=4, receiver_delay_s=0.2)
    """),
    code("""
    csp.rendezvous_demo(capacity=2, values=4, receiver_delay_s=0.2)
    """),
    md(r"""
    **What to notice.** Unbuffered, the very first send waits for the receiver to
    arrive. With room for two, the first two sends return at once and the third waits.
    The buffer decouples the two sides, up to its size.

    How much does that decoupling buy? A producer hands values to a consumer through a
    channel; each side takes a random (exponential) time per value. When the producer is
    quick and the consumer slow for a moment, a buffer lets the producer keep going, and
    vice versa. Counting the values past the producer gives a small Markov chain with a
    closed-form throughput (the model is in `csp.pipeline_throughput_per_s`). Move the
    two rates; the dotted line is the slower side's own rate, which no buffer can beat.
    """),
    code("""
    explore(
        csp.pipeline_curves,
        producer_rate_per_s=(50, 200, 10, 100),
        consumer_rate_per_s=(50, 200, 10, 100),
        title="Producer {producer_rate_per_s}/s, consumer {consumer_rate_per_s}/s",
        x_title="channel capacity (0 = unbuffered)", y_title="values per second", y_range=(0, 210),
    )
    """),
    md(r"""
    **What to notice.** With equal rates an unbuffered channel delivers only two thirds
    of either side's rate: each often waits for the other. Capacity $B$ gives
    $(B+2)/(B+3)$ of it, so the first few places gain the most. When the rates differ,
    the slower side sets the pace and a buffer helps little. A SimPy simulation of the
    same pipeline agrees with the formula:
    """),
    code("""
    csp.pipeline_table(producer_rate_per_s=100, consumer_rate_per_s=100, buffers=[0, 1, 2, 4, 8, 16]).round(1)
    """),
    md(r"""
    And with real threads and a real `Channel`: each side sleeps a random time of mean
    4 ms per value. The model column uses the rates the sleeps actually achieved, since a
    sleep always overshoots a little.
    """),
    code("""
    # nbval-ignore-output: real threads; the throughput depends on this machine and its load.
    csp.measure_pipeline(buffers=[0, 1, 4, 16], items=120, mean_s=0.004).round(1)
    """, "nbval-ignore-output"),
    md(r"""
    ### Erlang: actors

    In the {term}`actor model` (Hewitt, 1973; built into Erlang), an actor owns its state
    and shares none of it. Others can only send it messages, which queue in its
    {term}`mailbox`; the actor handles them one at a time, so its state needs no lock.
    Erlang copies every message, so a sender cannot change what it sent. Its `receive`
    chooses messages by pattern: it takes the oldest message that matches and leaves the
    others queued for later (a {term}`selective receive`).

    In `scalelab.actors`, `spawn(behaviour)` starts an actor on a thread, `send` copies
    the message into its mailbox, and `receive(("add", int), ("stop",))` picks a message
    by pattern. Here is the lost-update experiment again, as an actor: eight threads
    each send `("add", 1)` 100 times to one counter actor, with no lock anywhere.
    """),
    code("""
    actors.count_with_actor(senders=8, adds=100)
    """),
    md(r"""
    All 800 updates arrived: only the actor touches the count, one message at a time.
    Selective receive lets an actor choose *which* message to handle next. This one
    handles any `("urgent", ...)` message before older ordinary ones:
    """),
    code("""
    actors.selective_receive_demo()
    """),
    code("""
    actors.copy_on_send_demo()
    """),
    md(r"""
    **What to notice.** The mailbox serializes access to the state, doing the lock's job
    without a lock to forget. Urgent messages jumped the queue, and the others kept their
    order. Changing a list after sending it did not change the actor's copy: nothing is
    shared, so nothing can race.
    """),
    md(r"""
    ### Node.js: one thread and an event loop

    Node.js runs all of a server's JavaScript on one thread. I/O is non-blocking: a
    request starts a read and registers a callback; the {term}`event loop` runs each
    callback when its I/O completes, one at a time. With no threads there are no races
    between callbacks and no locks, and one thread can juggle thousands of connections.
    The price: while one callback computes, nothing else runs. Python's `asyncio` works
    the same way.

    Here is that price, measured. A heartbeat task should wake every 5 ms. Meanwhile a
    request sorts 200,000 numbers: on the loop itself, in a thread executor, or in a
    process executor (`loop.run_in_executor`). The table shows how late the heartbeat
    woke.
    """),
    code("""
    # nbval-ignore-output: real timings of this machine.
    eventloop.heartbeat_table(items=200_000, interval_s=0.005).round(1)
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** With the sort on the loop, the heartbeat is late by the whole
    sort: every other request would be too. A thread executor does not help in Python,
    because `sorted` holds the interpreter lock for the whole sort. A process executor
    does: the loop keeps beating and stays within a few milliseconds. Node.js's answer is
    the same idea, worker threads that run on other cores.
    """),
    md(r"""
    ### Modelling the stall: head-of-line waiting

    The loop is one server taking callbacks first come, first served: a queue. If
    requests arrive at random (Poisson, rate $\lambda$) and callbacks take times $S$ with
    any distribution, this is the M/G/1 queue, and the Pollaczek-Khinchine formula gives
    the mean wait before a callback starts:

    $$
    W = \frac{\lambda\, E[S^2]}{2\,(1 - \rho)}, \qquad \rho = \lambda\, E[S].
    $$

    The wait grows with the *second moment* $E[S^2]$: a rare long callback counts with
    the square of its length, because every request that arrives during it waits behind
    it (head-of-line waiting). In the explorer each request needs a 1 ms callback, and a
    share of them also runs a long computation, either on the loop or moved to a worker.
    """),
    code("""
    explore(
        eventloop.loop_wait_curves,
        long_ms=choices([10, 20, 50, 100, 200, 500], default=100),
        long_share=choices([0, 0.001, 0.002, 0.005, 0.01, 0.02], default=0.005),
        title="Mean wait on the loop: {long_share:.1%} of requests compute {long_ms} ms",
        x_title="requests per second", y_title="mean wait before a callback runs (ms)",
        log_y=True, y_range=(0.001, 10000),
    )
    """),
    md(r"""
    **What to notice.** With 0.5% of requests computing 100 ms on the loop, the mean
    wait at 100 requests a second is already about 3 ms, fifty times the 0.06 ms with
    that work moved away, although the long work is only a third of the loop's load. The curve also
    ends early: the loop saturates once its total work reaches 100%. SimPy agrees with
    the formula (1% of callbacks take 50 ms here):
    """),
    code("""
    eventloop.pk_table(short_s=0.001, long_s=0.05, long_share=0.01, rates_per_s=[50, 150, 300], customers=10_000).round(3)
    """),
    md(r"""
    **What to notice.** The simulated waits sit within about 10% of the formula; the rare
    long callbacks make any finite run noisy, which is the same fact seen from another
    side: waiting on a loop is dominated by its rare slow callbacks.
    """),
    md(r"""
    ## Exercises

    Write your answer in place of `None` and run the cell: the checker says whether it is
    right (within 1% unless stated). Each worked solution is hidden until you open it.

    **Exercise 6.1.** A core runs at 3 GHz and retires 4 instructions a cycle. How many
    instructions could it have run during one 100 µs SSD read?
    """),
    code("""
    answer = None  # your answer: a number of instructions
    check("6.1", answer)
    """),
    solution(r"""
    The core runs $3 \times 10^9 \times 4 = 1.2 \times 10^{10}$ instructions a second, so
    in $10^{-4}$ s it could run $1.2 \times 10^6$: twelve times what the source's 80386
    lost to a whole 10 ms disk read.

    ```python
    check("6.1", concurrency.instructions_during_wait(100e-6, 3e9 * 4))
    ```
    """),
    md(r"""
    **Exercise 6.2.** Tasks wait for I/O 80% of the time. By $U = 1 - p^n$, how many
    tasks must be in memory for the CPU to be at least 90% busy? (A whole number; the
    answer must be exact.)
    """),
    code("""
    answer = None  # your answer: a whole number of tasks
    check("6.2", answer)
    """),
    solution(r"""
    We need $0.8^n \le 0.1$, that is $n \ge \ln 0.1 / \ln 0.8 = 10.3$, so 11 tasks.
    Ten give $1 - 0.8^{10} = 0.893$, just short.

    ```python
    n = next(n for n in range(1, 100) if concurrency.cpu_utilization(0.8, n) >= 0.9)
    check("6.2", n)
    ```
    """),
    md(r"""
    **Exercise 6.3.** A service runs on 8 cores. Each request computes for 5 ms and
    waits 45 ms for a database. What pool size does the rule of Goetz et al. give?
    """),
    code("""
    answer = None  # your answer: a number of threads
    check("6.3", answer)
    """),
    solution(r"""
    $8 \times (1 + 45/5) = 8 \times 10 = 80$ threads. Each thread keeps a core busy only
    10% of the time, so ten threads per core are needed.

    ```python
    check("6.3", concurrency.pool_size(8, 45, 5))
    ```
    """),
    md(r"""
    **Exercise 6.4.** A producer and a consumer both handle 200 values a second on
    average (exponential times). What throughput does a channel of capacity 3 give?
    """),
    code("""
    answer = None  # your answer: values per second
    check("6.4", answer)
    """),
    solution(r"""
    With equal rates the throughput is $\mu (B+2)/(B+3) = 200 \times 5/6 = 166.7$ values
    a second. Unbuffered it would be $200 \times 2/3 = 133.3$.

    ```python
    check("6.4", csp.pipeline_throughput_per_s(200, 200, 3))
    ```
    """),
    md(r"""
    **Exercise 6.5.** An event loop receives 100 requests a second at random. Each
    callback takes 1 ms, except that 1% of requests run a 200 ms sort on the loop (count
    those callbacks as 200 ms in all). What is the mean wait before a callback starts,
    in milliseconds?
    """),
    code("""
    answer = None  # your answer: milliseconds
    check("6.5", answer)
    """),
    solution(r"""
    $E[S] = 0.99 \times 0.001 + 0.01 \times 0.2 = 0.00299$ s, so $\rho = 0.299$.
    $E[S^2] = 0.99 \times 10^{-6} + 0.01 \times 0.04 = 4.01 \times 10^{-4}$ s².
    $W = 100 \times 4.01 \times 10^{-4} / (2 \times 0.701) = 0.0286$ s, about 28.6 ms,
    almost all of it from the 1% of sorts. Moving them off the loop gives
    $100 \times 10^{-6} / (2 \times 0.9) = 0.056$ ms.

    ```python
    mean, second = eventloop.mixture_moments(0.001, 0.2, 0.01)
    check("6.5", eventloop.pk_mean_wait_s(100, mean, second) * 1e3)
    ```
    """),
    md(r"""
    ## Summary

    - During one 10 ms disk read a 10 MIPS processor could run 100,000 instructions; a
      modern core loses about a million to one 100 µs SSD read. Waiting is expensive.
    - With $n$ independent tasks that each wait a fraction $p$ of the time, CPU
      utilization is $1 - p^n$; tasks queueing for one real CPU keep it a little busier.
    - In Python, threads overlap waiting but not computing (the GIL); processes compute
      in parallel.
    - Shared data plus unlucky timing loses updates; a lock around the read-modify-write
      fixes it. Locks taken in different orders can deadlock; timeouts detect it and a
      global lock order prevents it.
    - A pool of $N_\text{cores}(1 + W/C)$ threads keeps the cores busy; measure to confirm.
    - Go's channels pass values instead of sharing them (a buffer absorbs variation:
      $(B+2)/(B+3)$ of the rate for equal sides); Erlang's actors keep state private
      behind a mailbox; Node.js's event loop needs no locks but stalls on any long
      callback, and its waits grow with $E[S^2]$ (Pollaczek-Khinchine).

    ## References

    - I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, chapter 4.
    - A. S. Tanenbaum and H. Bos, *Modern Operating Systems*, 4th ed., Pearson, 2015,
      section 2.1.7 (modelling multiprogramming).
    - L. Kleinrock, *Queueing Systems, Volume 1: Theory*, Wiley, 1975 (finite-source
      queues, section 3.8; the M/G/1 queue, chapter 5).
    - B. Goetz et al., *Java Concurrency in Practice*, Addison-Wesley, 2006, section 8.2.
    - E. W. Dijkstra, "Hierarchical ordering of sequential processes", *Acta
      Informatica* 1, 1971; E. G. Coffman, M. Elphick and A. Shoshani, "System
      deadlocks", *Computing Surveys* 3(2), 1971.
    - C. A. R. Hoare, "Communicating sequential processes", *Communications of the ACM*
      21(8), 1978; A. Donovan and B. Kernighan, *The Go Programming Language*, 2015.
    - C. Hewitt, P. Bishop and R. Steiger, "A universal modular ACTOR formalism for
      artificial intelligence", IJCAI, 1973; J. Armstrong, *Programming Erlang*, 2013.
    - Node.js documentation, "Don't block the event loop (or the worker pool)".

    **New in the glossary:** {term}`concurrency`, {term}`multiprogramming`,
    {term}`I/O-bound`, {term}`CPU-bound`, {term}`global interpreter lock`,
    {term}`race condition`, {term}`mutual exclusion`, {term}`deadlock`,
    {term}`lock ordering`, {term}`thread pool`,
    {term}`communicating sequential processes`, {term}`goroutine`, {term}`channel`,
    {term}`actor model`, {term}`mailbox`, {term}`selective receive`, {term}`event loop`.
    """),
]

write("notebooks/06-concurrency.ipynb", cells)
