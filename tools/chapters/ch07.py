"""Draft of notebooks/07-distributing-data.ipynb (run from the repository root)."""

import sys

sys.path.insert(0, "tools")
from nbbuild import code, md, solution, write  # noqa: E402

cells = [
    md(r"""
    # Distributing data: partitions, rings and replicas

    One machine holds only so much data and serves only so many requests. A distributed
    store spreads its data over many nodes, each with its own disks, and must answer two
    questions for every key: *which node holds it*, and *how many copies are there, and
    how up to date is each one*. This chapter answers the first with hashing and the
    second with replication and quorums.

    **By the end of this chapter you will be able to**

    - compare range and hash partitioning, and explain why one hot key defeats both;
    - show why `hash(key) mod N` moves almost every key when a node is added, and compute
      the share exactly;
    - explain consistent hashing and virtual nodes, and predict how evenly a ring spreads
      its load from the number of virtual nodes;
    - describe how Cassandra, Redis Cluster, MongoDB and Neo4j place and copy data;
    - compute the chance that a quorum read misses the latest write, and the chance that
      a quorum can be formed at all when nodes fail;
    - say what eventual and strong consistency promise, and what CAP does and does not say.
    """),
    code("""
    from scalelab import check, explore, hashing, partitioning, replication
    """),
    md(r"""
    ## Partitioning: by key range or by key hash

    To {term}`partition <partitioning>` (or *shard*) a data set is to split its keys into
    disjoint groups and give each group to one node. Two rules are common.

    - {term}`Range partitioning` gives each partition a contiguous run of keys: `a`-`f`
      on one node, `g`-`m` on the next. A scan over a range of keys ("all orders of
      March") touches one or two partitions. But keys that are popular *together* land
      together: if keys are order numbers or timestamps, today's traffic all goes to the
      partition holding the newest keys.
    - {term}`Hash partitioning` places a key by a hash of the key. Neighbouring keys end
      up on unrelated nodes, so popular neighbours are spread out; the price is that a
      range scan must now ask every partition.

    Below, 10,000 keys `order:0` to `order:9999` are requested with Zipf-like popularity
    (the $k$-th most popular key draws a share proportional to $1/k^s$), and the newest
    keys are the most popular. The bars show each partition's share of the requests; the
    dashed line is the even share $1/N$.
    """),
    code("""
    explore(
        partitioning.skew_bars,
        exponent=(0, 1.5, 0.1, 0.8),
        partitions=[2, 4, 8, 16, 32],
        title="Load per partition: Zipf exponent {exponent:.1f}, {partitions} partitions",
        x_title="partition", y_title="share of all requests", y_range=(0, 1), fixed_axes=False,
        layout={"barmode": "group"},
    )
    """),
    md(r"""
    **What to notice.** With $s = 0$ (every key equally popular) both schemes are even.
    As $s$ grows, range partitioning piles the load on the last partition, the one that
    holds the newest keys, while hashing keeps every partition near the even share. But
    push $s$ past 1 and the busiest hashed partition climbs too: the dotted line, the
    hottest key's own share, is a floor that no placement can go below, since a key lives
    on one partition. The table gives the imbalance, the busiest partition's load over the
    mean, for 16 partitions.
    """),
    code("""
    partitioning.skew_table(partitions=16).round(2)
    """),
    md(r"""
    A {term}`hot key` is a single key that draws a large share of the requests: a
    celebrity's profile, a flash sale's product. No partitioning scheme spreads one key,
    so stores deal with hot keys in other ways.

    :::{admonition} In practice
    :class: tip

    Hot keys are handled above the partitioning layer: a cache in front of the store
    absorbs hot reads; for hot writes, the application can split one logical key into
    several physical keys (`likes:42:0` to `likes:42:7`) spread by the hash, and add
    them up on read. Both trade simplicity for balance.
    :::
    """),
    md(r"""
    ## Modulo hashing and its weak spot

    The simplest hash placement is {term}`modulo hashing`: node number
    $\text{hash}(key) \bmod N$. It spreads keys evenly, and any client can compute a
    key's node with no lookup table. The hash must be the same in every process and on
    every machine (Python's built-in `hash()` of a string is salted per process, so it is
    useless here); `scalelab.hashing.hash64` is FNV-1a over the key's UTF-8 bytes with a
    final mixing step, computed with numpy for a whole batch of keys at once.

    The weak spot is growth. Add one node and the divisor changes for every key:
    """),
    code("""
    keys = [f"user:{i}" for i in range(100_000)]
    ten = hashing.modulo_lookup(keys, [f"node-{i}" for i in range(10)])
    eleven = hashing.modulo_lookup(keys, [f"node-{i}" for i in range(11)])
    print(f"Adding an 11th node moves {(ten != eleven).mean():.1%} of the keys (10/11 = {10/11:.1%}).")
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    "Adding a node moves about $N/(N+1)$ of the keys" is exact, not just approximate.
    A key with hash $h$ stays where it is when $h \bmod N = h \bmod (N+1)$. The pattern of
    both remainders repeats every $\operatorname{lcm}(N, N+1) = N(N+1)$ hash values, and in
    each period exactly $N$ values stay: those with $h \bmod N(N+1) < N$, one per common
    remainder. So the share that stays is $N / (N(N+1)) = 1/(N+1)$, and the share that
    moves is $N/(N+1)$: 90.9% for 10 to 11 nodes, matching the measurement above.
    The same argument gives the general rule $1 - \min(a, b)/\operatorname{lcm}(a, b)$,
    which is why doubling from $N$ to $2N$ nodes moves exactly half the keys
    (`hashing.modulo_moved_fraction`). Moving 91% of a store's data to gain 10% capacity
    is what consistent hashing was invented to avoid.
    :::
    """),
    md(r"""
    ## Consistent hashing

    {term}`Consistent hashing` (Karger et al., 1997) maps both keys and nodes onto the
    same circle of hash values, here the $2^{64}$ values of a 64-bit hash. A key belongs
    to the first node point found by walking clockwise from the key's own position. When
    a node joins, it takes over only the keys between its points and the points before
    them; when it leaves, only its keys move, to the next points clockwise. Nothing else
    changes.

    One point per node would give uneven arcs, so each node is placed at many points,
    its {term}`virtual nodes <virtual node>` (Dynamo, DeCandia et al. 2007). The picture
    shows a ring with a few nodes: diamonds are virtual nodes, the coloured arc ending at
    each diamond is what it owns, and the dots just inside the circle are 48 keys, each
    held by the node whose arc it sits beside.
    """),
    code("""
    explore(
        hashing.ring_picture,
        nodes=(1, 6, 1, 3),
        vnodes=[1, 2, 4, 8],
        title="A consistent-hashing ring: {nodes} nodes, {vnodes} virtual node(s) each",
        x_range=(-1.15, 1.15), y_range=(-1.15, 1.15), height=560,
        layout={"xaxis": {"visible": False, "scaleanchor": "y"}, "yaxis": {"visible": False}},
    )
    """),
    md(r"""
    **What to notice.** With one virtual node each, arcs are very unequal: a node can own
    half the circle. Add a node with the slider and watch the colours: the keys stay
    still, and only those whose arc turns to the new node's colour change hands; no arc
    passes from one old node to another. With 8 virtual nodes each, the colours
    interleave and the arcs even out.

    Let us check the claim at scale: 100,000 keys on 10 nodes with 160 virtual nodes each,
    then an 11th node joins.
    """),
    code("""
    ring = hashing.ConsistentHashRing([f"node-{i}" for i in range(10)], vnodes=160)
    before = ring.lookup(keys)
    ring.add("node-10")
    after = ring.lookup(keys)
    moved = before != after
    print(f"{moved.mean():.1%} of the keys moved (1/11 = {1/11:.1%}), all of them to {sorted(set(after[moved].tolist()))}.")
    """),
    md(r"""
    The explorer below repeats the experiment for every ring size from 1 to 30 nodes,
    for 5,000 keys, and sets it beside modulo hashing.
    """),
    code("""
    explore(
        hashing.movement_curves,
        vnodes=[1, 4, 16, 64, 256, 1024],
        title="Keys moved when one node joins N nodes ({vnodes} virtual nodes per node)",
        x_title="nodes before the join, N", y_title="share of keys moved", y_range=(0, 1),
    )
    """),
    md(r"""
    **What to notice.** Modulo hashing sits on $N/(N+1)$, near 1, whatever you do.
    Consistent hashing follows $1/(N+1)$ on average, but with few virtual nodes each
    measurement scatters widely around it: the newcomer's share of the ring is random,
    and so is the amount it takes over. With hundreds of virtual nodes the points hug the
    curve.
    """),
    md(r"""
    ### Load balance and the number of virtual nodes

    How even is a ring? With $N$ nodes of $v$ virtual nodes each there are $Nv$ random
    points, and the arcs between them are close to independent exponential lengths of mean
    $1/(Nv)$. A node's share is the sum of $v$ such arcs, so its
    {term}`coefficient of variation` (standard deviation over mean) is $1/\sqrt{v}$,
    almost independent of $N$. Four times the virtual nodes halve the spread.
    """),
    code("""
    explore(
        hashing.balance_bars,
        nodes=[4, 8, 16, 32],
        vnodes=[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
        title="Keys per node, busiest first: {nodes} nodes, {vnodes} virtual nodes each",
        x_title="node (busiest first)", y_title="keys / even share", y_range=(0, 4.2),
        fixed_axes=False,
    )
    """),
    code("""
    explore(
        hashing.spread_curves,
        nodes=[5, 10, 20, 50],
        title="Spread of the nodes' shares of the ring, {nodes} nodes",
        x_title="virtual nodes per node, v", y_title="spread", log_x=True, log_y=True,
    )
    """),
    md(r"""
    **What to notice.** With one virtual node per node, the busiest node holds two to
    four times its fair share. The measured coefficient of variation follows $1/\sqrt{v}$
    closely at every cluster size; 160 virtual nodes (a common default) give about 8%,
    and the busiest node's excess shrinks more slowly, since it is the worst of $N$.
    More points cost memory and make the ring slower to rebuild, which is why real stores
    settle for a few hundred or fewer.
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    "A joining node takes about $1/(N+1)$ of the keys" is a statement about averages.
    The newcomer's share of the ring has the same spread as any node's, a coefficient of
    variation of about $1/\sqrt{v}$. For the join measured above ($N = 10$, $v = 160$):
    $1/11 = 9.1\%$ on average, give or take $9.1\% / \sqrt{160} \approx 0.7$ percentage
    points for one standard deviation. Our one ring gave the newcomer 7.5%, about two
    standard deviations low: unlucky, but the kind of luck a single ring can have. With
    $v = 1$ the spread equals the mean, so "about $1/(N+1)$" could be anywhere from almost
    nothing to several times that.
    :::
    """),
    md(r"""
    ## Measuring it on your machine

    Hashing a key is cheap, but a store or a client library may place millions of keys.
    The next cell looks up 200,000 keys on a ring of 20 nodes with 160 virtual nodes each,
    twice: with `hashing.ConsistentHashRing`, which hashes the whole batch with numpy and
    places it with one table lookup per key, and with `uhashring`, a well-kept ring on
    PyPI that hashes one key at a time with MD5. It also reports how evenly our ring
    spread the keys. Expect about two seconds. The timings are your machine's, so the
    tests do not compare this cell's output.
    """),
    code("""
    # nbval-ignore-output: timings depend on this machine and on what else it is doing.
    bench = hashing.benchmark_lookup(n_keys=200_000, n_nodes=20, vnodes=160)
    print(f"scalelab: {bench['scalelab_s'] * 1000:.0f} ms, uhashring: {bench['uhashring_s'] * 1000:.0f} ms, "
          f"ratio {bench['ratio']:.1f}x; keys per node vary by {bench['cv']:.3f} (CV)")
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** The batch lookup is typically ten to twenty times faster: the
    per-key work in Python (a function call, an MD5, a bisection) is replaced by a few
    passes of numpy over columns of bytes. Most of what remains is turning 200,000
    Python strings into one numpy array. The spread, about 6% for this ring, is in line
    with $1/\sqrt{160} = 7.9\%$: one ring's luck lands a little on either side. (The two
    rings use different hash functions, so they place keys differently; both are
    consistent.)
    """),
    md(r"""
    ## How real stores place data

    - **Cassandra** uses a token ring. Its default partitioner hashes the partition key
      with MurmurHash3 (the first 64 bits of the 128-bit variant), giving a token in
      $[-2^{63}, 2^{63})$; each node owns the ranges ending at its tokens. Each node has
      `num_tokens` virtual nodes: 256 by default before version 4.0, 16 since, paired with
      an algorithm that chooses tokens to balance the ring rather than drawing them at
      random (with random tokens, 16 virtual nodes would leave a 25% spread).
    - **Redis Cluster** skips the ring. The key space is a fixed table of 16,384
      {term}`hash slots <hash slot>`; a key's slot is the CRC16 of the key modulo 16,384,
      and each primary node serves a set of slots. Adding a node means moving some slots
      to it, whole, with their keys. A *hash tag* forces keys into one slot: in
      `user:{42}:cart` only `42` is hashed, so `user:{42}:orders` lands in the same slot
      and multi-key operations on both are allowed.
    - **MongoDB** shards a collection on a chosen shard key, either *ranged* (contiguous
      ranges of the key, good for range queries, at risk of hot ranges) or *hashed*
      (ranges of a 64-bit hash of the key, even spread). Data is held in chunks that a
      balancer moves between shards, rather than points on a ring.
    - **Neo4j** has classically not split a graph over servers: a cluster replicates the
      whole graph to each member, using the Raft protocol for writes, and scales reads by
      adding copies. A graph traversal then never leaves one machine; a graph larger than
      one machine must be split by the application into several databases.
    """),
    code("""
    print(f"CRC16('123456789') = {hashing.crc16_xmodem(['123456789'])[0]:#06x}")
    dict(zip(["somekey", "foo{hash_tag}", "bar{hash_tag}"], hashing.redis_hash_slot(["somekey", "foo{hash_tag}", "bar{hash_tag}"]).tolist()))
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    CRC16 gives 16 bits, $65{,}536$ values, and Redis uses $16{,}384 = 2^{14}$ slots, so
    "modulo 16,384" simply keeps the low 14 bits: the CRC of `123456789` is
    $\text{0x31C3} = 12{,}739$, below $16{,}384$, so its slot is 12,739. The slot numbers
    printed above, 11,058 for `somekey` and 2,515 for both tagged keys, are the ones in
    the Redis documentation of `CLUSTER KEYSLOT`, which our unit tests check.
    The fixed slot count also caps a Redis cluster at 16,384 primaries; the Redis
    documentation suggests staying near 1,000.
    :::
    """),
    md(r"""
    ## Replication: copies, leaders and lag

    Partitioning spreads data; replication keeps several copies of each partition, on
    different nodes, so that a failed disk or node loses nothing and more machines can
    serve reads. The number of copies is the {term}`replication factor`, typically 3.

    In {term}`leader-follower replication` one replica, the leader, takes every write and
    streams it to the others, the followers. If the leader waits for the followers before
    acknowledging (synchronous replication), a write is slow and stalls when a follower
    is down; if it does not (asynchronous replication), followers trail the leader by a
    {term}`replication lag`, usually milliseconds, seconds under load. A read served by a
    follower during the lag returns the old value: a {term}`stale read`. If a key is
    written at random moments at rate $\lambda$ and a follower lags by $L$, a read of
    that key is stale when a write came in the last $L$ seconds, with probability
    $1 - e^{-\lambda L}$:
    """),
    code("""
    for lag_s in (0.01, 0.1, 1.0):
        print(f"lag {lag_s:>4} s, one write per second: {replication.follower_stale_probability(1.0, lag_s):.1%} of reads stale")
    """),
    md(r"""
    ## Quorums: N, R and W

    Dynamo-style stores (Cassandra, Riak, Dynamo itself) have no single leader. A write is
    sent to all $N$ replicas of its key and succeeds once $W$ of them acknowledge; a read
    asks replicas and returns the newest value among the first $R$ answers. These are
    {term}`quorums <quorum>`. If $R + W > N$, any $R$ replicas include at least one of the
    $W$ that took the latest write, so a read sees it (Gifford, 1979). With $R + W \le N$
    the read and write sets may miss each other. Right after a write, the read misses it
    only if all $R$ replicas it asks are among the $N - W$ that lack it, which for random
    replicas has probability (Bailis et al., 2012)

    $$
    P(\text{stale}) = \frac{\binom{N-W}{R}}{\binom{N}{R}}.
    $$

    For $N = 3$ every choice of $R$ and $W$, with the chance that a read quorum and a write
    quorum can be formed when each replica is down 5% of the time:
    """),
    code("""
    replication.quorum_table(n=3, p_fail=0.05).round(4)
    """),
    md(r"""
    Staleness does not last: the remaining replicas receive the write soon after. If each
    replica gets it after an exponential delay of mean $m$, then $t$ seconds after the
    write commits each of the $N - W$ laggards still lacks it with probability
    $e^{-t/m}$, independently (delays are memoryless), and averaging over how many still
    lack it gives the closed form

    $$
    P(\text{stale at } t) = \frac{\binom{N-W}{R}}{\binom{N}{R}}\, e^{-R t / m}.
    $$

    This is a simplified version of Bailis et al.'s model (reads and acknowledgements
    take no time). Move the sliders: when $R$ or $W$ exceeds $N$ the curve disappears.
    """),
    code("""
    explore(
        replication.staleness_curves,
        n=[3, 5], r=(1, 5, 1, 1), w=(1, 5, 1, 1), mean_delay_ms=[1, 5, 20],
        title="Stale reads after a write: N = {n}, R = {r}, W = {w}, mean delay {mean_delay_ms} ms",
        x_title="time after the write commits (ms)", y_title="probability the read is stale",
        y_range=(0, 1),
    )
    """),
    md(r"""
    **What to notice.** $N = 3$, $R = W = 1$ starts at 2/3 and falls to about 3% after
    three mean delays: fast, but not "never". Raising $R$ both lowers the start
    and steepens the fall ($e^{-Rt/m}$); once $R + W > N$ the curve is flat at zero.
    Partial quorums buy lower latency and higher availability with a small, short window
    of staleness, which is the bet Dynamo-style stores make.

    The closed form rests on an argument about exponential delays; a process simulation
    is a useful check. `replication.simulate_stale_reads` runs, in SimPy, a coordinator
    that sends a write to $N$ replica processes, waits for $W$ acknowledgements, waits $t$,
    and reads $R$ random replicas, many times (seeded, so the table is the same on every
    run).
    """),
    code("""
    replication.simulation_table(cases=((3, 1, 1), (3, 1, 2), (5, 2, 2)), trials=800).round(3)
    """),
    md(r"""
    **What to notice.** The simulated shares agree with the closed form at every time,
    to within about two standard errors of 800 trials (one standard error is about
    0.017 for a probability near 0.3 to 0.7, and smaller below).

    ### Availability of a quorum

    A quorum must be *formed*: a write with $W = 3$ fails if fewer than 3 replicas answer.
    If each replica is down independently with probability $p$, the chance that at least
    $q$ of $N$ are up is the binomial tail
    $\sum_{k=q}^{N} \binom{N}{k} (1-p)^k p^{N-k}$.
    """),
    code("""
    explore(
        replication.availability_curves,
        n=(3, 7, 2, 3), r=(1, 7, 1, 2), w=(1, 7, 1, 2),
        title="Quorum availability: N = {n}, R = {r}, W = {w}",
        x_title="probability that one replica is down, p", y_title="probability the quorum can be formed",
        y_range=(0, 1.02),
    )
    """),
    md(r"""
    A quorum larger than $N$ can never be formed, and its curve disappears.

    **What to notice.** A majority quorum of 3 ($R = W = 2$) is more available than a
    single replica as long as $p < 0.5$: at $p = 0.05$ it is up 99.3% of the time against
    95%. $R = 1$ is the most available read, $W = N$ the least available write; choosing
    $R$ and $W$ moves availability between reads and writes, and $R + W > N$ pays for
    consistency with availability on at least one side.
    """),
    md(r"""
    ## Eventual and strong consistency, and CAP

    A store offers {term}`strong consistency` when every read returns the latest
    completed write, as if there were a single copy; it offers
    {term}`eventual consistency` when, if writes stop, all replicas converge to the same
    value at some point, with no bound on when and no promise about reads in between.
    Strict quorums, or a single leader that serves reads, move toward the first; partial
    quorums and follower reads sit at the second, and the curves above show how short
    "eventually" usually is.

    The {term}`CAP theorem` (Brewer's conjecture, proved by Gilbert and Lynch in 2002)
    says one precise thing: during a network *partition*, when some replicas cannot reach
    others, a replicated store must either refuse some requests (give up availability)
    or answer them without coordinating (give up linearizable consistency). It does not
    say that you choose two of three properties once and for all: when the network is
    healthy a store can have both, and most of the time the real trade-off is between
    consistency and latency, since coordinating replicas costs round trips. Many stores,
    Cassandra among them, let each request choose, by setting $R$ and $W$.
    """),
    md(r"""
    ## Exercises

    Write your answer in place of `None` and run the cell: the checker says whether it is
    right (within 1% unless stated). Each worked solution is hidden until you open it.

    **Exercise 7.1.** Keys are placed with $\text{hash}(key) \bmod N$ on 10 nodes. An
    11th node is added. What share of the keys changes node?
    """),
    code("""
    answer = None  # your answer: a share between 0 and 1
    check("7.1", answer)
    """),
    solution(r"""
    A key stays only if $h \bmod 10 = h \bmod 11$. Over one period of $110$ hash values,
    exactly 10 do (those with $h \bmod 110 < 10$), so $1/11$ stay and $10/11 = 0.909$ move.

    ```python
    check("7.1", hashing.modulo_moved_fraction(10, 11))
    ```
    """),
    md(r"""
    **Exercise 7.2.** A consistent-hashing ring with many virtual nodes holds 1,000,000
    keys on 9 nodes. A 10th node joins. About how many keys move?
    """),
    code("""
    answer = None  # your answer: a number of keys
    check("7.2", answer)
    """),
    solution(r"""
    Only the keys the newcomer takes over move, and it takes an even share of the new
    ring, $1/10$: about 100,000 keys, all of them to the new node. Modulo hashing would
    have moved $9/10$, 900,000.

    ```python
    check("7.2", hashing.consistent_moved_fraction(9, 10) * 1_000_000)
    ```
    """),
    md(r"""
    **Exercise 7.3.** How many virtual nodes per node bring the coefficient of variation
    of the nodes' loads down to 5%?
    """),
    code("""
    answer = None  # your answer: a number of virtual nodes
    check("7.3", answer)
    """),
    solution(r"""
    The spread is $1/\sqrt{v}$, so $1/\sqrt{v} = 0.05$ gives $v = 1/0.05^2 = 400$. Halving
    the spread again, to 2.5%, would take 1,600.

    ```python
    check("7.3", hashing.vnodes_for_load_cv(0.05))
    ```
    """),
    md(r"""
    **Exercise 7.4.** With $N = 5$ replicas, a write is acknowledged by $W = 2$ and a read
    asks $R = 2$ random replicas immediately after. What is the probability that the read
    misses the write?
    """),
    code("""
    answer = None  # your answer: a probability
    check("7.4", answer)
    """),
    solution(r"""
    Three replicas lack the write. The read misses it if both replicas it asks are among
    those three: $\binom{3}{2} / \binom{5}{2} = 3/10 = 0.3$.

    ```python
    check("7.4", replication.stale_read_probability(5, 2, 2))
    ```
    """),
    md(r"""
    **Exercise 7.5.** Each of $N = 5$ replicas is down with probability 0.1,
    independently. What is the probability that a write quorum of $W = 3$ can be formed?
    """),
    code("""
    answer = None  # your answer: a probability
    check("7.5", answer)
    """),
    solution(r"""
    At least 3 of 5 must be up:
    $\binom{5}{3} 0.9^3 0.1^2 + \binom{5}{4} 0.9^4 0.1 + 0.9^5 = 0.0729 + 0.32805 + 0.59049
    = 0.99144$.

    ```python
    check("7.5", replication.quorum_availability(5, 3, 0.1))
    ```
    """),
    md(r"""
    **Exercise 7.6.** Which Redis Cluster hash slot holds the key `user:{42}:cart`? (Use
    `hashing.crc16_xmodem`; the answer must be exact.)
    """),
    code("""
    answer = None  # your answer: a slot number from 0 to 16383
    check("7.6", answer)
    """),
    solution(r"""
    The key has a hash tag, so only `42` is hashed: $\text{CRC16}(\texttt{42}) \bmod 16384$.
    Every key tagged `{42}` shares this slot.

    ```python
    check("7.6", int(hashing.crc16_xmodem(["42"])[0]) % 16384)
    ```
    """),
    md(r"""
    ## Summary

    - Range partitioning keeps neighbouring keys together (good for scans, bad when
      neighbours are hot together); hash partitioning spreads them. Neither can split a
      hot key, whose share times $N$ is a floor on the imbalance.
    - Modulo hashing moves exactly $N/(N+1)$ of the keys when one node joins $N$.
    - Consistent hashing moves about $1/(N+1)$, only to or from the node that joins or
      leaves. With $v$ virtual nodes per node the load's coefficient of variation is
      about $1/\sqrt{v}$.
    - Cassandra uses a Murmur3 token ring with virtual nodes; Redis Cluster uses 16,384
      slots and CRC16; MongoDB shards by ranges of a key or of its hash; Neo4j replicates
      whole graphs.
    - Followers lag their leader; a read from a follower is stale with probability
      $1 - e^{-\lambda L}$ for write rate $\lambda$ and lag $L$.
    - With $R + W > N$ reads see the latest write; otherwise right after a write a read
      misses it with probability $\binom{N-W}{R}/\binom{N}{R}$, a chance that fades as
      the write spreads. Quorum availability is a binomial tail in the failure rate.
    - CAP: during a partition, choose between answering and staying consistent; at other
      times the trade-off is consistency against latency.

    ## References

    - D. Karger, E. Lehman, T. Leighton, R. Panigrahy, M. Levine, D. Lewin, "Consistent
      hashing and random trees: distributed caching protocols for relieving hot spots on
      the World Wide Web", *STOC*, 1997.
    - G. DeCandia et al., "Dynamo: Amazon's highly available key-value store", *SOSP*, 2007.
    - P. Bailis, S. Venkataraman, M. J. Franklin, J. M. Hellerstein, I. Stoica,
      "Probabilistically bounded staleness for practical partial quorums", *PVLDB* 5(8),
      2012.
    - D. K. Gifford, "Weighted voting for replicated data", *SOSP*, 1979.
    - S. Gilbert and N. Lynch, "Brewer's conjecture and the feasibility of consistent,
      available, partition-tolerant web services", *SIGACT News* 33(2), 2002; E. Brewer,
      "CAP twelve years later: how the 'rules' have changed", *IEEE Computer* 45(2), 2012.
    - Redis Cluster specification (key distribution, hash tags, CRC16); Apache Cassandra
      documentation (Murmur3Partitioner, virtual nodes); MongoDB manual (hashed and
      ranged sharding); Neo4j Operations Manual (clustering).
    - M. Kleppmann, *Designing Data-Intensive Applications*, O'Reilly, 2017, chapters 5-6.
    - I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, chapter 2 (hashing of
      database keys in distributed stores) and the later chapters on distributed data.

    **New in the glossary:** {term}`partitioning`, {term}`range partitioning`,
    {term}`hash partitioning`, {term}`hot key`, {term}`modulo hashing`,
    {term}`consistent hashing`, {term}`virtual node`, {term}`coefficient of variation`,
    {term}`hash slot`, {term}`replication factor`, {term}`leader-follower replication`,
    {term}`replication lag`, {term}`stale read`, {term}`quorum`,
    {term}`strong consistency`, {term}`eventual consistency`, {term}`CAP theorem`.
    """),
]

write("notebooks/07-distributing-data.ipynb", cells)
