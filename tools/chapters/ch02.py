"""Draft of notebooks/02-scaling-out.ipynb (run from the repository root)."""

import sys

sys.path.insert(0, "tools")
from nbbuild import code, md, solution, write  # noqa: E402

cells = [
    md(r"""
    # Scaling out: architectures

    When one machine is no longer enough, the usual answer is more machines: copies of
    the service behind a load balancer, a cache in front of the database, a database
    spread over many nodes, queues between services, and services split into smaller
    ones. Each of these pieces changes how long requests take and what can go wrong.
    This chapter models each piece and measures one of them for real.

    **By the end of this chapter you will be able to**

    - predict the response time of $N$ replicas behind a load balancer with queueing
      formulas (M/M/c and Erlang C), and check them against two simulations;
    - explain why one shared queue beats a queue per replica, and why "pick two, send
      to the shorter" is almost as good as asking every replica;
    - compute how much load a cache with hit ratio $h$ takes off the database;
    - tell distributed SQL from NoSQL stores, and see why `hash mod n` moves most keys
      when a node is added;
    - reason about acknowledging a write before it is stored: what the user gains, what
      the queue must guarantee, and how long the backlog takes to drain;
    - estimate the tail latency of a request that fans out to many services, and the
      availability of a chain of calls.
    """),
    code("""
    from scalelab import asyncqueue, caching, check, databases, explore, loadbalancing, microservices, queueing
    """),
    md(r"""
    ## Scale out: replicas behind a load balancer

    A single server has a limit. You can {term}`scale up` to a bigger machine, but
    {doc}`chapter 3 <../notebooks/03-scaling-up>` shows that extra cores help only as far
    as the code can use them, and the biggest machine is still one machine. To
    {term}`scale out` instead, run the same stateless service on $N$ machines, each a
    {term}`replica`, and put a {term}`load balancer` in front of them. With $R$ requests
    per second, each replica gets about $R/N$.

    "About" hides the interesting part. Requests do not arrive evenly and do not all
    take the same time, so queues form even when the average load is below capacity.
    Queueing theory puts numbers on it. Model requests as a Poisson stream at rate
    $\lambda$ and service times as exponential with mean $1/\mu$ (rate $\mu$ per replica).
    Two ways to connect $N$ replicas:

    - **one shared queue**: a replica that becomes free takes the next waiting request.
      This is the {term}`M/M/c queue` with $c = N$ servers. The chance that a request
      has to wait at all is given by the {term}`Erlang C formula` $C(c, a)$, with
      offered load $a = \lambda/\mu$, and the mean wait is
      $W_q = C(c, a) / (c\mu - \lambda)$.
    - **a queue per replica**: the balancer sends each request to a replica chosen at
      random and it waits there. Each replica is then an M/M/1 queue fed at
      $\lambda/N$, with mean response time $1/(\mu - \lambda/N)$.

    Both keep every replica equally busy on average, at utilization
    $\rho = \lambda/(N\mu)$. The explorer shows how differently they treat requests.
    Pick a request rate and a service time, and read the response time against the
    number of replicas (blank where the replicas cannot keep up: $N \le \lambda/\mu$).
    """),
    code("""
    explore(
        queueing.replica_curves,
        request_rate=(200, 2000, 200, 1000),
        service_ms=(5, 50, 5, 10),
        title="{request_rate} requests/s, {service_ms} ms each: response time vs replicas",
        x_title="replicas N", y_title="response time (ms)", log_y=True, y_range=(4, 2000),
    )
    """),
    md(r"""
    **What to notice.** Just above the minimum number of replicas, response times are
    huge, and a few more replicas cut them by orders of magnitude: the first replicas
    past $\lambda/\mu$ buy far more than the later ones. At every $N$ the shared queue
    (blue) beats a queue per replica (red); near the minimum, even its 99th percentile
    is below the red mean (at 1,000 requests per second of 10 ms, with 12 replicas:
    50 ms against 60 ms). With a queue per replica, a request can wait behind a slow one
    while another replica sits idle.
    """),
    md(r"""
    ### Two simulations that agree with the formulas

    Formulas rest on assumptions, so we check them by simulation, twice. The fast model,
    `queueing.simulate_fifo`, is numpy: for one server, each request's wait follows
    Lindley's recursion $W_n = \max(0, W_{n-1} + S_{n-1} - T_n)$, which unrolls into a
    cumulative sum and a running minimum, so it needs no Python loop; for several servers
    a tight loop hands each request to the server that frees up first. The second model,
    `queueing.simulate_simpy`, is a process model in SimPy: a load-balancer process lets
    requests arrive, and each request is a process that queues for a replica. Given the
    same seed, both see the same arrivals and service times. The table gives the mean
    wait, in mean service times, at load 0.7.
    """),
    code("""
    queueing.agreement_table(load=0.7, n_requests=10_000).round(3)
    """),
    md(r"""
    **What to notice.** The two simulations agree to the last digit, request by request:
    they are two implementations of the same queue. Both sit close to the formulas, and
    the gap is sampling noise from 10,000 requests. The speed is another matter: on
    200,000 requests at load 0.7, `make bench` (`benchmarks/bench_queueing.py`) measured
    the numpy model 200 to 250 times faster than SimPy for one server and 40 to 90 times
    faster for four (it varies with how busy the machine is). That is what makes the next explorer's live sliders possible.

    The next figure shows the whole distribution, not just the mean: the share of
    requests that wait longer than $t$, from the formula (lines) and from a fresh
    simulation of 8,000 requests at every slider position (markers). The shared
    queue's tail is $C(c,a)\,e^{-(c\mu-\lambda)t}$; a replica's own queue has
    $\rho\, e^{-(\mu-\lambda/c)t}$.
    """),
    code("""
    explore(
        queueing.wait_tail_curves,
        load=(0.5, 0.95, 0.05, 0.8),
        servers=[1, 2, 4, 8, 16],
        title="Share of requests waiting longer than t: load {load:.2f}, {servers} replicas",
        x_title="wait t (in mean service times)", y_title="share waiting longer", log_y=True,
        y_range=(5e-4, 1),
    )
    """),
    md(r"""
    **What to notice.** With one replica both designs are the same queue. With more, the
    shared queue's line drops: fewer requests wait at all (the curve starts lower), and
    those that wait leave faster (it falls more steeply). Pooling $c$ replicas makes a
    queue that behaves like one server $c$ times as fast, which is why the size of the
    pool matters as much as the load on it.
    """),
    md(r"""
    ## Load-balancing policies

    Real load balancers rarely hold one shared queue: requests are forwarded to a replica
    at once and queue there. The policy that picks the replica then matters:

    - {term}`round robin`: replicas in turn. Each gets every $N$-th request, so arrivals
      at a replica are more regular than at random.
    - **random**: a replica chosen uniformly at random.
    - {term}`join the shortest queue` (JSQ): ask every replica how many requests it has
      in progress and pick the one with the fewest. Best information, but the balancer
      must track every replica.
    - {term}`power of two choices`: pick two replicas at random and send the request to
      the one with fewer in progress. It needs only two look-ups per request.

    `loadbalancing.simulate_policy` runs each policy on the very same arrivals and
    service times. The figure shows the share of requests slower than $t$.
    """),
    code("""
    explore(
        loadbalancing.tail_curves,
        load=(0.5, 0.95, 0.05, 0.9),
        servers=[2, 4, 8, 16, 32],
        title="Response-time tail by policy: load {load:.2f}, {servers} replicas",
        x_title="response time t (in mean service times)", y_title="share slower than t",
        log_y=True, y_range=(1e-4, 1),
    )
    """),
    code("""
    loadbalancing.policy_table(load=0.9, servers=8).round(2)
    """),
    md(r"""
    **What to notice.** At load 0.9 on 8 replicas, random placement has a 99th
    percentile about four times that of two choices; round robin sits between them. Two
    choices gets most of the way to asking everyone: the step from one random choice to
    two is worth far more than the step from two to all. Even JSQ stays above the single
    shared queue of the previous section, because a request cannot change queues once
    it has joined one.
    """),
    md(r"""
    ### The busiest replica: balls into bins

    The same effect shows up without any queueing. Send $n$ requests to $n$ replicas and
    count the most requests any one replica receives. With one random choice, the
    busiest replica gets about $\ln n / \ln \ln n$. With two choices, sending each
    request to the less loaded of two, it gets about $\ln \ln n / \ln 2$ (Azar, Broder,
    Karlin and Upfal, 1999): an exponential improvement. The table averages three seeds.
    """),
    code("""
    loadbalancing.max_load_table().round(2)
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    Both formulas are the leading terms of limits as $n \to \infty$, and they should not
    be read as predictions at practical sizes. For one random choice the exact result is
    $\frac{\ln n}{\ln \ln n}(1 + o(1))$ (Raab and Steger, 1998), and the $o(1)$ is large:
    at $n = 10^5$ the formula gives $11.51 / 2.44 = 4.7$, while the simulation finds a
    busiest replica of 7 or 8. For two choices, Azar et al. prove
    $\ln \ln n / \ln 2 + O(1)$: at $n = 10^5$, $2.44 / 0.693 = 3.5$, and the simulation
    gives 3 or 4 (3.7 on average). What the formulas do get right is the shape: one grows almost like
    $\ln n$, the other hardly grows at all.
    :::
    """),
    md(r"""
    ## A cache in front of the database

    Replicas of a stateless service are easy to add; the database they share is not. A
    {term}`cache` (an in-memory store such as Redis or memcached) answers repeated reads
    without touching the database. With {term}`hit ratio` $h$, a share $h$ of requests
    is answered from the cache and only $(1-h)R$ reach the database, so its utilization
    falls by the factor $1-h$. Because queueing delay grows like $1/(1-\rho)$, that cut
    in utilization can shorten the database's response time far more than the hit ratio
    alone suggests. The model here: one database worker (an M/M/1 queue) taking
    `db_service_ms` per query, and a cache lookup of 0.5 ms.
    """),
    code("""
    explore(
        caching.cache_curves,
        hit_ratio=(0, 0.95, 0.05, 0.8),
        db_service_ms=(1, 5, 0.5, 2),
        title="Cache hit ratio {hit_ratio:.2f}, database query {db_service_ms} ms",
        x_title="requests per second", y_title="mean response time (ms)", log_y=True,
        y_range=(0.3, 300),
    )
    """),
    md(r"""
    **What to notice.** Without a cache, a database whose query takes $s$ ms saturates at
    $1000/s$ requests per second (the dotted line marks the limit with the cache). A hit ratio of 0.8 multiplies that limit by five
    ($1/(1-h)$), and 0.95 by twenty. Near the limit, each extra point of hit ratio is
    worth a lot; far from it, the cache mostly saves the query time itself.
    """),
    md(r"""
    ## Scaling the database

    Sooner or later the data itself outgrows one machine. Two families of databases
    spread it over many:

    - **Distributed SQL** ({term}`NewSQL`) stores, such as Google Spanner, CockroachDB
      and YugabyteDB, spread the data over the disks of many nodes and run many replicas
      of the query engine. To the application they look like one SQL database, with
      transactions that span nodes.
    - **Distributed NoSQL** stores, such as Cassandra and MongoDB, give each node its own
      local storage and decide where each item lives from its key: a hash of the key
      picks the node. This is {term}`hash partitioning`. They trade away some of SQL's
      guarantees (joins, transactions across partitions) for simple growth.
    """),
    code("""
    databases.store_families()
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    The source (Gorton 2022, ch. 2) lists Neo4j alongside Cassandra and MongoDB as
    NoSQL stores whose data location is set by hashing keys. That is a simplification
    for Neo4j. A graph is hard to cut into pieces: a query that follows relationships
    would keep crossing from node to node. A Neo4j cluster therefore keeps a full copy
    of the graph on every server; it scales reads and availability by replication, with
    one leader taking the writes, not by hash partitioning (Neo4j Operations Manual,
    "Clustering").
    :::
    """),
    md(r"""
    ### A taste of hash partitioning

    The simplest placement rule is `hash(key) mod n`. With a good hash it spreads keys
    evenly: below, 40,000 keys over 8 nodes.
    """),
    code("""
    databases.keys_per_node(40_000, 8)
    """),
    md(r"""
    The trouble starts when the cluster grows. A key keeps its node from $n$ to $n+1$
    nodes only if $h \bmod n = h \bmod (n+1)$, which holds for a share $1/(n+1)$ of
    hashes. So adding one node moves $n/(n+1)$ of all the data: 80% from 4 to 5 nodes,
    90% from 9 to 10. The table measures it on real keys.
    """),
    code("""
    import pandas as pd

    pd.DataFrame(
        [(a, b, databases.moved_share(20_000, a, b), databases.expected_moved_share(a, b))
         for a, b in [(4, 5), (9, 10), (4, 8), (10, 9)]],
        columns=["nodes before", "nodes after", "keys moved (measured)", "formula"],
    ).round(3)
    """),
    md(r"""
    **What to notice.** Almost everything moves when one node joins or leaves, which
    would flood the network exactly when the cluster is under strain. Only doubling is
    gentle (half the keys move). Chapter 7 goes deep: consistent hashing moves only
    about $1/(n+1)$ of the keys, and virtual nodes keep the load even.
    """),
    md(r"""
    ## Responsiveness through asynchrony: the ski-lift scanner

    At a ski resort, every pass is scanned at the lift gate and the scan event must end
    up in the resort's database (for billing, statistics, and finding lost skiers). In
    the **synchronous** design the scanner sends the event and waits until the database
    has written it before the gate opens. In the **asynchronous** design a capture
    service appends the event to a {term}`durable queue`, replies at once, and a
    consumer writes queued events to the database at its own pace. The rider needs the
    gate to open, not a confirmation that a row was written.

    The model below is a day from 8:00 to 17:00 with a morning rush, as a fluid queue:
    while scans arrive faster than the database can write them, a {term}`backlog`
    builds up, and it drains once the rush has passed. Both designs have the same
    backlog; they differ in who waits for it.
    """),
    code("""
    explore(
        asyncqueue.ski_lift_curves,
        peak_rate_per_s=(40, 100, 10, 60),
        db_writes_per_s=(30, 80, 10, 40),
        title="Rush of {peak_rate_per_s} scans/s, database writes {db_writes_per_s}/s",
        x_title="time of day (hours)", y_title="seconds (log scale)", log_y=True,
        y_range=(1e-3, 2e4),
        layout={"yaxis2": {"overlaying": "y", "side": "right", "range": [0, 260], "showgrid": False,
                           "title": {"text": "backlog (thousands of events)"}},
                "margin": {"r": 70}},
    )
    """),
    code("""
    summary = asyncqueue.drain_summary(asyncqueue.ski_lift_day(peak_rate_per_s=60, db_writes_per_s=40))
    print(f"Peak backlog {summary['peak_backlog_events']:,.0f} events at {summary['peak_at_h']:.2f} h; "
          f"empty at {summary['empty_at_h']:.2f} h, {summary['drain_min']:.0f} min after the peak.")
    print(f"Longest time until stored: {summary['longest_wait_s'] / 60:.1f} min; "
          f"queued acknowledgement: 3 ms all day.")
    """),
    md(r"""
    **What to notice.** Synchronously, riders in the rush would wait up to about 19
    minutes at the gate (red): no resort would accept that, so the synchronous design
    needs a database sized for the peak. With the queue, the acknowledgement stays at a
    few milliseconds all day (green), and the same backlog (dotted, right axis) becomes
    a delay before the event is *stored*, which nobody is waiting on. The backlog keeps
    growing past the peak of the rush, until arrivals fall below the write rate, and
    drains only as fast as the database's spare capacity allows.
    """),
    md(r"""
    ### What the acknowledgement promises

    Acknowledging early is safe only if the event cannot be lost afterwards. If the
    capture service kept events in memory and replied before they were durable, a crash
    would silently lose every acknowledged event still in memory: the rider went
    through, but the resort has no record. So the service must acknowledge only after
    the queue has confirmed that the event is stored durably (written to disk, or to
    several replicas of the queue). The queue must also deliver each event to the
    database even if its consumer crashes half-way. Two more properties to keep in mind:

    - most distributed queues deliver **first in, first out per queue** (or per
      partition) only. Events spread over several queues or partitions for scale can be
      stored in a different order than they were scanned;
    - a consumer that crashes after writing an event but before removing it from the
      queue will see it again on restart (at-least-once delivery), so the write must be
      harmless to repeat.

    ### A real durable queue on your machine

    `asyncqueue.DurableQueue` is a small FIFO queue in one SQLite file. `put` is one
    committed insert, with SQLite's `synchronous=FULL` so the commit reaches the disk
    before it returns: that commit is the acknowledgement. A consumer process takes the
    oldest event, spends 5 ms on a stand-in for the slower database write, records it in
    a `stored` table keyed by the event's sequence number (a repeat is ignored), and only
    then deletes it from the queue. The run below puts 100 scans as fast as it can, kills
    the consumer with SIGKILL after 40% are stored, starts a new one, and checks the
    result. It takes a few seconds in a temporary directory.

    Your timings will differ from the stored ones: the next two cells' outputs are not
    compared by the tests.
    """),
    code("""
    # nbval-ignore-output: acknowledgement and storage times are this machine's, and vary run to run.
    run = asyncqueue.durable_queue_run(n_events=100, write_cost_s=0.005, kill_at_share=0.4)
    ev = run["events"]
    print(f"Killed the consumer with {run['stored_when_killed']} events stored "
          f"and {run['queued_when_killed']} still queued.")
    print(f"Acknowledgement: median {1000 * ev.ack_s.median():.1f} ms, max {1000 * ev.ack_s.max():.1f} ms; "
          f"time until stored: median {1000 * ev.until_stored_s.median():.0f} ms, "
          f"max {1000 * ev.until_stored_s.max():.0f} ms.")
    """, "nbval-ignore-output"),
    code("""
    # nbval-ignore-output: the figure shows the times just measured.
    asyncqueue.durable_queue_figure(run)
    """, "nbval-ignore-output"),
    code("""
    print(f"After the restart: {run['stored']} of 100 events stored, {run['missing']} missing, "
          f"{run['duplicates']} stored twice, {run['still_queued']} left in the queue; "
          f"stored in scan order: {run['in_order']}.")
    """),
    md(r"""
    **What to notice.** The acknowledgement costs one disk commit, a few milliseconds,
    whatever the backlog. The time until stored grows with every event that joins the
    queue ahead of it, and jumps where the consumer was down. The counts kept after the
    restart show nothing lost and nothing stored twice. If the kill landed between
    "stored" and "removed from the queue" (the killed-consumer counts then add up to
    one more than 100), the restarted consumer saw that event again and the store
    ignored the repeat.
    """),
    md(r"""
    ## Services: SOA and microservices

    As a system grows, one program doing everything becomes hard to change and to
    scale. {term}`Service-oriented architecture` (SOA) splits it into services, each a
    cohesive set of operations behind an interface that hides how it works.
    {term}`Microservices` push the idea further: many small services, each owning its
    data, built and deployed independently by its own team, and scaled on its own (more
    replicas of the busy service only). The price is that one user request now becomes
    many network calls, and two effects follow.

    **Fan-out multiplies the tail.** A request that calls $n$ services in parallel must
    wait for the slowest. If each call is slow (say, beyond its own 99th percentile) with
    probability $p$, independently, then the request is slow with probability
    $1 - (1-p)^n$. This is the {term}`fan-out` effect Dean and Barroso (2013) describe in
    "The tail at scale": rare {term}`tail latency` in each part becomes common slowness
    in the whole.
    """),
    code("""
    explore(
        microservices.fanout_curves,
        slow_percent=(0.1, 5, 0.1, 1),
        title="Each call slow {slow_percent:.1f}% of the time: share of slow requests",
        x_title="parallel calls per request (fan-out)", y_title="share of requests that are slow",
        log_x=True, y_range=(0, 1.02),
    )
    """),
    md(r"""
    **What to notice.** At 1% and a fan-out of 100 the marker sits at 63%: most requests
    are slowed down by at least one backend. The fan-out at which half the requests are
    slow is $\ln 0.5 / \ln(1-p)$, about 69 for $p = 1\%$.

    **Chains multiply failure.** A request that passes through $k$ services in turn
    succeeds only if all are up: availability $a^k$. Replicating every service $r$ times
    (failures independent, any replica will do) lifts each link to $1-(1-a)^r$.
    """),
    code("""
    explore(
        microservices.chain_curves,
        availability_percent=[99, 99.5, 99.9, 99.95, 99.99],
        replicas=[1, 2, 3],
        title="Each service {availability_percent}% available, {replicas} replica(s) per service",
        x_title="services on the call path", y_title="availability of the request (%)",
        y_range=(65, 100.5),
    )
    """),
    md(r"""
    **What to notice.** Forty services at 99% each leave a request available only 67% of
    the time, and even at "three nines" a chain of 40 falls to 96%. Two replicas per
    service bring a chain of 40 services at 99% back to 99.6%. Long synchronous chains
    are a design smell; queues and caches between services cut the chain.
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    Dean and Barroso (2013) give the example of a server with a 99th-percentile latency
    of one second: a request that touches 100 such servers waits more than one second
    63% of the time. The arithmetic: $0.99^{100} = e^{100 \ln 0.99} = e^{-1.005} = 0.366$,
    and $1 - 0.366 = 0.634$. The figure assumes the slow calls are independent; in
    practice they often are not (a garbage collection pause or a busy shared disk slows
    many at once), which can make the tail better or worse than the formula.
    :::
    """),
    md(r"""
    ## Exercises

    Write your answer in place of `None` and run the cell: the checker says whether it is
    right (within 1%). Each worked solution is hidden until you open it.

    **Exercise 2.1.** Four replicas share one queue. 300 requests per second arrive and
    each replica serves 100 per second. What is the probability that a request has to
    wait?
    """),
    code("""
    answer = None  # your answer: a probability
    check("2.1", answer)
    """),
    solution(r"""
    The offered load is $a = \lambda/\mu = 300/100 = 3$ Erlangs on $c = 4$ servers. Erlang
    B by recursion: $B_1 = 3/4$, $B_2 = 0.529$, $B_3 = 0.346$, $B_4 = 0.206$; then
    $C = cB/(c - a(1-B)) = 0.824/(4 - 2.382) = 0.509$. About half of all requests wait,
    even though each replica is busy only 75% of the time.

    ```python
    check("2.1", queueing.erlang_c(4, 3.0))
    ```
    """),
    md(r"""
    **Exercise 2.2.** A service receives 1,000 requests per second. Its database spends
    2.5 ms per query on one worker. What cache hit ratio keeps the database at 60%
    utilization?
    """),
    code("""
    answer = None  # your answer: a hit ratio between 0 and 1
    check("2.2", answer)
    """),
    solution(r"""
    Without a cache the database would need $1000 \times 0.0025 = 2.5$ workers' worth of
    time: it cannot keep up. With hit ratio $h$, utilization is
    $(1-h) \times 2.5 = 0.6$, so $h = 1 - 0.24 = 0.76$.

    ```python
    check("2.2", caching.hit_ratio_for_utilization(1000, 0.6, 2.5, 1))
    ```
    """),
    md(r"""
    **Exercise 2.3.** A search request fans out to 50 backends in parallel; each is slow
    1% of the time, independently. What share of search requests is slow?
    """),
    code("""
    answer = None  # your answer: a share between 0 and 1
    check("2.3", answer)
    """),
    solution(r"""
    A request is fast only if all 50 calls are: $0.99^{50} = 0.605$. So $1 - 0.605 = 0.395$,
    about 40% of requests, are slow.

    ```python
    check("2.3", microservices.fanout_slow_probability(0.01, 50))
    ```
    """),
    md(r"""
    **Exercise 2.4.** A checkout calls six services in turn, each available 99.9% of the
    time. What is the availability of checkout?
    """),
    code("""
    answer = None  # your answer: an availability between 0 and 1
    check("2.4", answer)
    """),
    solution(r"""
    All six must be up: $0.999^6 = 0.99401$. Six "three nines" services make a
    checkout down about 0.6% of the time, some 4.3 hours a month.

    ```python
    check("2.4", microservices.chain_availability(0.999, 6))
    ```
    """),
    md(r"""
    **Exercise 2.5.** Keys are placed with `hash(key) mod n`. What share of the keys moves
    to another node when the cluster grows from 9 to 10 nodes?
    """),
    code("""
    answer = None  # your answer: a share between 0 and 1
    check("2.5", answer)
    """),
    solution(r"""
    A key stays only if $h \bmod 9 = h \bmod 10$. Over any 90 consecutive hash values that
    happens for the 9 values $h \equiv 0, 1, \dots, 8 \pmod{90}$, so $1/10$ of keys stay
    and $9/10$ move.

    ```python
    check("2.5", databases.expected_moved_share(9, 10))
    ```
    """),
    md(r"""
    ## Summary

    - Scaling out puts $N$ replicas behind a load balancer, each getting about $R/N$ of
      the requests. Queueing delay, not the average load, sets the response time: it
      explodes near capacity and falls fast with the first few spare replicas.
    - One shared queue (M/M/c, Erlang C) beats a queue per replica at the same load;
      the numpy simulation and the SimPy process model agree with the formulas and with
      each other, and the numpy one is hundreds of times faster.
    - Load-balancing policies: random is worst, round robin better, and two random
      choices nearly as good as asking every replica. The busiest replica holds about
      $\ln n/\ln\ln n$ requests with one choice and $\ln\ln n/\ln 2$ with two.
    - A cache with hit ratio $h$ leaves $(1-h)$ of the load to the database and raises
      its saturation point by $1/(1-h)$.
    - Distributed SQL looks like one database over many nodes; NoSQL stores place data
      by hashing keys (Neo4j is the exception: it replicates the whole graph).
      `hash mod n` moves $n/(n+1)$ of the keys when a node joins.
    - Acknowledging before storing makes responses fast under a rush, provided the queue
      has made the event durable first; FIFO holds per queue; consumers must tolerate
      seeing an event twice. A real SQLite queue lost nothing when its consumer was
      killed.
    - Fan-out turns rare slow calls into common slow requests, $1-(1-p)^n$; a chain of
      $k$ services has availability $a^k$.

    ## References

    - I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, chapter 2.
    - L. Kleinrock, *Queueing Systems, Volume 1: Theory*, Wiley, 1975 (M/M/1, M/M/c, G/M/1).
    - D. V. Lindley, "The theory of queues with a single server", *Proc. Cambridge
      Philosophical Society* 48, 1952.
    - M. Harchol-Balter, *Performance Modeling and Design of Computer Systems*, Cambridge
      University Press, 2013.
    - Y. Azar, A. Z. Broder, A. R. Karlin and E. Upfal, "Balanced allocations", *SIAM
      Journal on Computing* 29(1), 1999.
    - M. Mitzenmacher, "The power of two choices in randomized load balancing", *IEEE
      Transactions on Parallel and Distributed Systems* 12(10), 2001.
    - M. Raab and A. Steger, "'Balls into bins': a simple and tight analysis", *RANDOM*
      1998.
    - J. Dean and L. A. Barroso, "The tail at scale", *Communications of the ACM* 56(2),
      2013.
    - SQLite documentation, "Atomic commit in SQLite" and "Write-ahead logging".

    **New in the glossary:** {term}`replica`, {term}`load balancer`, {term}`M/M/c queue`,
    {term}`Erlang C formula`, {term}`round robin`, {term}`join the shortest queue`,
    {term}`power of two choices`, {term}`cache`, {term}`hit ratio`, {term}`NewSQL`,
    {term}`hash partitioning`, {term}`durable queue`, {term}`backlog`,
    {term}`service-oriented architecture`, {term}`microservices`, {term}`fan-out`,
    {term}`tail latency`.
    """),
]

write("notebooks/02-scaling-out.ipynb", cells)
