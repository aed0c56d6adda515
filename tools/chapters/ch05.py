"""Draft of notebooks/05-failures-consensus-time.ipynb (run from the repository root)."""

import sys

sys.path.insert(0, "tools")
from nbbuild import code, md, solution, write  # noqa: E402

cells = [
    md(r"""
    # Failures, consensus and time

    On one computer, a function call either returns or raises, and every part of the
    program reads the same clock. Spread the program over a network and both comforts
    go. A call can vanish without a trace, two machines can never be quite sure they
    agree, and each machine's clock tells its own slightly different time. This chapter
    measures each of these problems and looks at what real systems do about them.

    **By the end of this chapter you will be able to**

    - state what an asynchronous network does and does not promise;
    - choose a timeout from a latency distribution, trading false suspicions against
      the time taken to notice a crash;
    - explain why retries give at-least-once delivery, and make a state-changing call
      take effect exactly once with idempotency keys;
    - compute the odds in the Two Generals' Problem, and say why no number of
      acknowledgements brings certainty;
    - say what the FLP impossibility result claims, what it does not, and how practical
      systems escape it;
    - convert clock drift from parts per million to seconds, estimate a clock's offset
      from the four NTP timestamps, and bound the error an asymmetric path causes;
    - measure durations with the right clock, and order events with Lamport and vector
      clocks.
    """),
    code("""
    from scalelab import check, clocks, consensus, explore, failures
    """),
    md(r"""
    ## The asynchronous network

    Chapter 4 built up the network from links, IP packets and TCP connections. To reason
    about distributed algorithms we now step back to a simpler, harsher picture, the
    {term}`asynchronous network`. In this model:

    - any node may send a message at any moment, and nothing bounds how long it takes
      to arrive: queues in routers, congestion, a route that changes, a link that fails
      and recovers all add delay;
    - a request and its response are two separate messages, and each can be delayed or
      lost on its own;
    - the receiver may have crashed, before or after doing the work, and the sender is
      not told;
    - messages can be lost altogether;
    - each node has its own clock, and the clocks disagree.

    The word *asynchronous* refers to time: there is no upper bound on message delay or
    on how long a node takes to process a message. A *synchronous* model assumes such
    bounds, and with them a node could conclude "no reply within the bound, so the
    other node has crashed". Without them, it never can.

    :::{admonition} A correction to the source
    :class: note

    The source (Gorton 2022, ch. 3) describes this kind of network as half-duplex.
    The two ideas are unrelated. Duplex is a property of a *link*: a half-duplex link
    (a walkie-talkie, classic shared Ethernet, a Wi-Fi channel) carries traffic one
    direction at a time, and a full-duplex link (switched Ethernet, a fiber pair) both
    ways at once. Asynchrony is a property of *timing*: no bound on delays. A network of
    full-duplex links is still asynchronous if delays are unbounded, and a half-duplex
    link with a fixed schedule can be synchronous. TCP connections, which is what
    services mostly use, carry data both ways at once.
    :::
    """),
    md(r"""
    ## Partial failure: was it lost, slow, or done?

    A client sends a request and no reply comes. From where the client sits, at least
    four different things may have happened: the request was lost; the server is slow
    (or the network is); the server crashed; or the server did the work and the reply
    was lost. This is {term}`partial failure`: part of the system has failed and the
    rest cannot tell which part, or whether anything has failed at all.

    The only tool the client has is a {term}`timeout`: after waiting $T$ seconds it
    *suspects* the server and acts (retries, picks another replica, reports an error).
    Choosing $T$ is a trade-off against the latency distribution. Service latencies
    typically have a long right tail; here latency $L$ is log-normal with median $m$ and
    shape $\sigma$, so a healthy server is wrongly suspected with probability

    $$
    P(L > T) = \tfrac{1}{2}\,\operatorname{erfc}\!\left(\frac{\ln T - \ln m}{\sigma\sqrt{2}}\right).
    $$

    A crashed server never replies, so it is declared dead after exactly $T$. Requiring
    $k$ timeouts in a row before declaring a server dead cuts false suspicions to
    $P(L>T)^k$ but takes $kT$ to notice a crash. The explorer plots each choice as a
    curve of false suspicions against detection time; the diamonds mark the timeout
    set by the slider.
    """),
    code("""
    explore(
        failures.timeout_tradeoff_curves,
        median_ms=[5, 10, 20, 50, 100], sigma=(0.25, 1.5, 0.25, 0.5),
        timeout_ms=[10, 20, 50, 100, 200, 500, 1000],
        title="Median {median_ms} ms, tail sigma {sigma:.2f}, timeout {timeout_ms} ms",
        x_title="time to declare a crashed server dead (ms)",
        y_title="P(healthy server suspected)", log_x=True, log_y=True, y_range=(1e-6, 1),
    )
    """),
    md(r"""
    **What to notice.** With a median of 20 ms and a moderate tail ($\sigma = 0.5$), a
    100 ms timeout wrongly suspects about one healthy request in 1,500; make the tail
    heavier ($\sigma = 1$) and the same timeout suspects one in 19. Compare the curves
    at the same detection time: past the body of the distribution, several shorter
    attempts accuse less than one long one, but only if the attempts are delayed
    independently. When one cause (a garbage-collection pause, a saturated link)
    delays them all, they time out together and the multiplication is wishful.
    """),
    code("""
    for target in (0.01, 0.001, 0.0001):
        t = failures.timeout_for_false_suspicion(target, median_s=0.020, sigma=0.5)
        print(f"false suspicions at most {target:g}: timeout {1000 * t:.0f} ms")
    """),
    md(r"""
    Every extra factor of ten in confidence costs more waiting. And no timeout separates
    slow from dead with certainty: on an asynchronous network a reply can always come
    one millisecond after you stopped waiting.
    """),
    md(r"""
    ## At-least-once and exactly-once

    When the timeout fires, the natural move is to send the request again. TCP does
    exactly this for lost segments, and the source (Gorton 2022, ch. 3) notes the
    consequence: a sender that retries until it hears back gives {term}`at-least-once
    delivery`. The receiver may get the same request more than once, because a lost
    *reply* looks the same as a lost *request*.

    For a read, or a write such as "set the balance to 100", a second copy does no
    harm: the operation is idempotent. For "charge this card 100", it charges twice.
    A state-changing API must provide {term}`exactly-once semantics` itself. The common
    way is an {term}`idempotency key`: the client picks a unique key per logical
    operation (not per attempt) and sends it with every retry; the server records each
    key it has applied with the reply it gave, and answers a repeated key with the
    stored reply instead of doing the work again.

    Take a call whose request is lost with probability $a$ and whose reply is lost with
    probability $b$, retried up to $m$ times. An attempt gets a reply with probability
    $q = (1-a)(1-b)$, so the client ends up with a reply with probability
    $1-(1-q)^m$. Attempt $i$ happens only if the previous ones got no reply, with
    probability $(1-q)^{i-1}$, and each attempt whose request arrives charges the card:

    $$
    E[\text{charges}] = (1-a)\sum_{i=1}^{m}(1-q)^{i-1} = \frac{(1-a)\,\bigl(1-(1-q)^m\bigr)}{q}.
    $$

    Subtract the first charge (which happens with probability $1-a^m$) to get the
    expected duplicates.
    """),
    code("""
    explore(
        failures.retry_curves, max_attempts=(1, 8, 1, 3),
        title="Retrying a payment up to {max_attempts} times",
        x_title="loss probability (each request and each reply)", y_title="per 1,000 payments",
    )
    """),
    md(r"""
    **What to notice.** One attempt never duplicates, but leaves many payments unsure:
    charged, with no reply to say so. Each extra attempt trades unsure payments for
    duplicate charges. With keys the duplicate line stays at zero for every setting,
    while the client's view (confirmed, unsure) is exactly as it was: keys change what
    the server does, not what the network does.
    """),
    md(r"""
    ### The same thing as a process simulation

    The formula is checked against a simulation with SimPy: four clients make 4,000
    payments through a network that loses messages at random; each client waits a
    timeout and retries with the same key; the server charges the card for each request
    it receives, unless it keeps keys and has seen this one. Same seed, same losses,
    same numbers on every run.
    """),
    code("""
    failures.compare_with_simulation(request_loss=0.1, reply_loss=0.1, max_attempts=3).round(1)
    """),
    code("""
    for seed in range(5):
        plain = failures.simulate_payments(1000, 0.2, 0.2, 4, idempotency_keys=False, seed=seed)
        keyed = failures.simulate_payments(1000, 0.2, 0.2, 4, idempotency_keys=True, seed=seed)
        print(f"seed {seed}: duplicate charges without keys {plain['duplicates']:3d}, with keys {keyed['duplicates']}")
    """),
    md(r"""
    **What to notice.** The simulated counts sit within sampling noise of the formula
    (about a hundred duplicates per thousand payments at 10% loss and three attempts),
    and with keys the duplicates are zero for every seed, not just on average: it is a
    guarantee of the server's logic, not a statistical effect.

    :::{admonition} What TCP does and does not remove
    :class: note

    TCP numbers every byte it sends, so *within one connection* the receiver discards
    retransmitted segments it already has: the application never reads the same bytes
    twice. But when a connection breaks (a timeout, a crashed load balancer, a client
    restart), the client library opens a new connection and sends the request again.
    To TCP that is new data on a new connection with fresh sequence numbers; it cannot
    know it repeats an earlier request. Only the application, through something like
    an idempotency key, can recognize the repeat. Payment APIs (Stripe's
    `Idempotency-Key` header, for example) work exactly this way.
    :::
    """),
    md(r"""
    ## The Two Generals' Problem

    Two generals camp on hills on either side of a valley held by the enemy. They win
    only if they attack together, and their only link is a messenger who must cross the
    valley and is captured with probability $p$. General A sends "attack at dawn".

    If A sends $k$ messengers with the same message, at least one arrives with
    probability $1 - p^k$: as close to 1 as you like, never 1. Worse, A does not know
    which case happened, so A asks for an acknowledgement; then B does not know whether
    the acknowledgement arrived, and needs one back; and so on. This is the
    {term}`Two Generals' Problem` (Akkoyunlu, Ekanadham and Huber 1975; Gray 1978).
    The explorer shows both curves: sending more copies raises the odds, while a longer
    chain of single acknowledgements only adds more chances to fail.
    """),
    code("""
    explore(
        consensus.two_generals_curves, loss=(0.05, 0.95, 0.05, 0.3), messengers=(1, 20, 1, 3),
        title="Capture probability {loss:.2f}, {messengers} messengers",
        x_title="messengers k", y_title="probability", y_range=(0, 1.05),
    )
    """),
    md(r"""
    **What to notice.** With $p = 0.3$, three messengers get through 97.3% of the time
    and six 99.9%. Yet the chance that a chain of six acknowledgements completes is only
    $0.7^6 = 12\%$. Redundancy improves the odds; acknowledgements cannot buy certainty.

    Here is the protocol stepped through four messages in which every messenger
    arrives. Read the last column: after every step, the general who sent the last
    messenger still does not know what the other now knows.
    """),
    code("""
    consensus.acknowledgement_chain(4)
    """),
    md(r"""
    Suppose some protocol made both generals certain after $n$ messages. The sender of
    message $n$ would have to be certain *without* knowing whether message $n$ arrived,
    so the protocol would work as well without it, with $n-1$ messages. Repeat the
    argument and the protocol works with no messages at all, which is absurd. So no
    finite exchange of messages over a lossy link can give both sides common knowledge.
    Real systems do not try: they accept a small probability of disagreement, or they
    make one side's decision final (a transaction coordinator, say) and let the other
    side find out later.
    """),
    code("""
    consensus.acknowledgement_chain(4, lost_at=3)
    """),
    md(r"""
    ## FLP: consensus without timing guarantees

    {term}`Consensus` is the problem of getting several processes to decide the same
    value, one that some process proposed, with every process that does not crash
    deciding eventually. It underlies leader election, atomic commit and replicated
    logs. Fischer, Lynch and Paterson (1985) proved the {term}`FLP impossibility` result:
    **on an asynchronous network, no deterministic protocol can guarantee that consensus
    terminates if even one process may crash**, even if no messages are lost.

    What it does *not* say matters as much:

    - it does not say consensus is impossible in practice, or even usually hard: it
      says some schedule of message delays can keep any deterministic protocol
      undecided forever, not that such a schedule is likely;
    - it does not threaten safety: good protocols (Paxos, Raft) never decide two
      different values, whatever the timing; FLP only denies a *guarantee* that they
      finish;
    - it is about the asynchronous model; with bounds on delay, or with randomness, the
      picture changes.

    The core of the proof is a dilemma that a small demonstration can show. Three
    processes hold inputs 0, 1, 1. Each broadcasts its input and decides the smallest
    value it has heard once it has heard "enough". A scheduler decides which message in
    flight is delivered next; an adversarial scheduler may delay any message for as
    long as it likes, as an asynchronous network may. Each run is cut off after a fixed
    number of steps.
    """),
    code("""
    consensus.flp_summary(values=(0, 1, 1), max_steps=20)
    """),
    md(r"""
    If a process waits to hear from everyone, it never disagrees, but the adversary
    only has to hold back one message (from P3 to P1) and P1 waits forever. To P1, a
    delayed P3 looks exactly like a crashed P3. If instead it stops waiting for one
    process, which it must do to survive a crash, the adversary chooses which values
    each process hears first and the decisions split. Here is the second run, step by
    step.
    """),
    code("""
    print("\\n".join(consensus.flp_run("wait for all but one", "adversary").log))
    """),
    md(r"""
    **What to notice.** Neither protocol is clever, and cleverer ones exist; FLP proves
    that *every* deterministic protocol has some schedule on which it either stalls or
    risks an unsafe choice, and good protocols choose to stall. The bounded run shows
    the stall as "NO DECISION" after 20 steps, with P1 still undecided ("?"): the
    delayed message is still in flight, and the adversary can keep it there as long as
    it likes.

    :::{admonition} How real systems escape
    :class: note

    - **Timeouts and failure detectors.** Suspect a silent process after a timeout, as
      in the section on partial failure. A wrong suspicion costs time, not safety, if
      the protocol is built so that suspicion only triggers a new round or a new leader.
    - **Partial synchrony.** Dwork, Lynch and Stockmeyer (1988) showed that consensus
      is solvable if delays are bounded *eventually*, after some unknown time. Paxos and
      Raft are safe always and live whenever the network behaves for long enough,
      which in practice is most of the time.
    - **Randomization.** Ben-Or (1983) showed that processes that flip coins when stuck
      decide with probability 1: the adversary cannot predict the coins, so it cannot
      keep them split forever.

    This is why the source (Gorton 2022, ch. 3) calls FLP a theoretical limit: the
    systems you use every day, from etcd and ZooKeeper to Spanner, run consensus all
    the time.
    :::
    """),
    md(r"""
    ## Time: clocks that drift

    Every computer keeps time with a quartz oscillator, and no two oscillators run at
    exactly the same rate. The rate error, {term}`clock drift`, is quoted in parts per
    million (ppm): a clock 1 ppm fast gains one microsecond every second. Temperature,
    age and manufacturing spread put ordinary quartz at about 20 to 50 ppm.
    """),
    code("""
    for ppm in (1, 20, 50):
        per_day = clocks.drift_seconds(ppm, clocks.SECONDS_PER_DAY)
        print(f"{ppm:2d} ppm: {1000 * per_day:7.1f} ms per day, {7 * per_day:5.1f} s per week")
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    One day is 86,400 s, so 1 ppm gives $86{,}400 \times 10^{-6} = 0.0864$ s, or
    86.4 ms, per day. At 20 to 50 ppm a clock gains or loses 1.7 to 4.3 s per day,
    12 to 30 s per week. Two clocks drifting in *opposite* directions separate at the
    sum of their rates: 50 ppm fast and 50 ppm slow is 8.6 s a day apart.
    :::

    The explorer drifts two clocks, A and B, away from true time for two days. Set how
    often a time service puts them right (0 means never).
    """),
    code("""
    explore(
        clocks.drift_curves,
        ppm_a=(0, 50, 10, 20), ppm_b=[-50, -20, 0, 20, 50], sync_every_h=[0, 24, 6, 1],
        title="A drifts {ppm_a} ppm, B {ppm_b} ppm; synchronized every {sync_every_h} h (0 = never)",
        x_title="hours", y_title="clock error (s)",
    )
    """),
    md(r"""
    **What to notice.** Unsynchronized, two ordinary clocks can be seconds apart within
    a day, more than enough to put events in the wrong order in a log or expire a lease
    early. Hourly synchronization keeps even 100 ppm of difference under 0.4 s, and
    real services synchronize every few minutes.
    """),
    md(r"""
    ## NTP: estimating a clock's offset

    The {term}`Network Time Protocol` (NTP) sets a clock from a server with a better
    one. The client writes its own time $t_1$ into a request; the server notes its time
    $t_2$ when the request arrives and $t_3$ when the reply leaves; the client notes
    $t_4$ when the reply arrives. RFC 5905 estimates the {term}`clock offset` $\theta$
    (server minus client) and the round-trip delay $\delta$ as

    $$
    \theta = \frac{(t_2 - t_1) + (t_3 - t_4)}{2}, \qquad
    \delta = (t_4 - t_1) - (t_3 - t_2).
    $$

    The server's own processing time, $t_3 - t_2$, drops out of the delay. Here the
    server is 100 ms ahead, the request takes 30 ms and the reply 10 ms.
    """),
    code("""
    t1, t2, t3, t4 = clocks.ntp_timestamps(offset_s=0.100, outbound_s=0.030, return_s=0.010, processing_s=0.001, t1=10.0)
    offset, delay = clocks.ntp_offset_delay(t1, t2, t3, t4)
    print(f"t1={t1:.3f} t2={t2:.3f} t3={t3:.3f} t4={t4:.3f}")
    print(f"estimated offset {1000 * offset:.1f} ms (true 100.0 ms), delay {1000 * delay:.1f} ms")
    print(f"error {1000 * (offset - 0.100):.1f} ms = (30 - 10) / 2 ms; at most delay / 2 = {1000 * delay / 2:.1f} ms")
    """),
    md(r"""
    The formula assumes the two directions take equal time. If the request takes
    $d_\uparrow$ and the reply $d_\downarrow$, the estimate is off by exactly
    $(d_\uparrow - d_\downarrow)/2$. The client cannot see this error, since only the
    sum $\delta = d_\uparrow + d_\downarrow$ is measurable, but it can bound it: the
    worst case puts the whole delay in one direction, so $|\text{error}| \le \delta/2$.
    This is why NTP prefers the exchanges with the smallest delay.

    Servers are arranged in a hierarchy of *strata*. Stratum 0 is a reference clock
    (GPS receiver, atomic clock), stratum 1 a server wired to one, stratum 2 a server
    synchronized from stratum 1 over the network, and so on down to stratum 15;
    stratum 16 means unsynchronized (RFC 5905). Every network hop can add up to half its
    round-trip delay of error, so the worst case grows linearly down the
    hierarchy; if each hop's asymmetry is random, errors partly cancel and the typical
    error grows only as the square root of the number of hops.
    """),
    code("""
    explore(
        clocks.stratum_curves, round_trip_ms=[1, 5, 10, 20, 50, 100], asymmetry=(0, 1, 0.1, 0.5),
        title="Round trip {round_trip_ms} ms per hop, asymmetry up to {asymmetry:.1f}",
        x_title="stratum", y_title="offset error (ms)", log_y=True,
    )
    """),
    md(r"""
    **What to notice.** On a LAN (1 ms round trips) even stratum 15 is within 7 ms in
    the worst case. Over the Internet (50 to 100 ms) one hop can be off by tens of
    milliseconds, which is why servers that need good time sync from a nearby low
    stratum rather than a distant chain. The asymmetry slider only moves the typical
    curve: the worst case assumes the worst.
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    The source (Gorton 2022, ch. 3) describes the public NTP hierarchy as about 300
    top-level servers, about 20,000 at the next level, synchronized to within a few
    milliseconds, at most 15 levels, and more than 175,000 servers in all.

    - *At most 15 levels* is right: strata 1 to 15 are valid and 16 means
      unsynchronized (RFC 5905).
    - The figures are old. 175,000 is the size of the NTP network found by Minar's survey
      of November 1999, which counted every host that answered NTP queries, clients
      included, not servers; two years earlier Mills and colleagues described NTP as
      reaching well over 100,000 servers and clients. The per-level counts come without
      a date, and are of the size those surveys of the 1990s reported. They describe
      the Internet of more than twenty years before the book.
    - The levels do not add up to the total: $300 + 20{,}000 = 20{,}300$, so the
      other 150,000 or more hosts would sit at stratum 3 and below, which fits a count
      of mostly clients.
    - "Within a few milliseconds" fits the arithmetic above for short paths: one hop of
      10 ms round trip is off by at most 5 ms. Mills' 1997 survey found most clocks
      within about 20 ms of their sources, with rare errors of up to half the delay.
    :::

    **In practice.** Two refinements of NTP's clients and sources are worth knowing.
    *chrony*, an NTP implementation that converges faster and tracks the clock's rate
    more accurately than the classic `ntpd`, is the default time service of Red Hat,
    Fedora and SUSE Linux among others; the source notes that Facebook uses it for its
    higher accuracy.
    *Amazon Time Sync Service* gives every EC2 instance an NTP server at the link-local
    address 169.254.169.123, fed in each region by satellite-linked and atomic
    reference clocks, so instances synchronize over one short hop instead of a chain of
    Internet servers.
    """),
    md(r"""
    ### Slewing and stepping

    Once a client knows its offset, it can correct the clock in two ways. To
    {term}`slew` is to run the clock slightly fast or slow until the offset is gone:
    time never jumps, but the correction is slow. The classic Unix `adjtime` and
    `ntpd` slew at most 500 ppm, so one second of offset takes 2,000 s to remove. To
    {term}`step <step (a clock)>` is to set the clock to the new value at once: fast,
    but time jumps, possibly backwards. `ntpd` steps when the offset exceeds 128 ms;
    chrony slews by default (at up to 83,333 ppm, about 8%) and steps only if
    configured to, usually just at boot (`makestep`).
    """),
    code("""
    for offset in (0.005, 0.128, 1.0, 30.0):
        slow, fast = clocks.slew_time_s(offset, 500), clocks.slew_time_s(offset, 83_333.333)
        print(f"offset {offset:6.3f} s: slew at 500 ppm takes {slow:8.0f} s, at 83,333 ppm {fast:6.1f} s")
    """),
    md(r"""
    ## Two clocks on every machine

    Because time of day can be stepped, an operating system offers two kinds of clock.
    The {term}`time-of-day clock` (wall clock) says what time it is: seconds since
    1 January 1970 UTC, set by NTP, by an administrator, or at boot from the hardware
    clock. It can jump forwards or backwards. The {term}`monotonic clock` counts from an
    arbitrary origin (often boot) and never goes backwards; NTP may slew its rate
    slightly but never steps it. On Linux it also stops while the machine (or a
    virtual machine) is suspended. Its value means nothing on its own; only the
    difference between two readings does.

    Java, the source's language, names them `System.currentTimeMillis()` (time of day,
    milliseconds since 1970) and `System.nanoTime()` (monotonic, nanoseconds from an
    arbitrary origin). Python's are `time.time()` and `time.monotonic()`, with
    `time.perf_counter()` as the highest-resolution monotonic clock. Here is what they
    are on this machine.
    """),
    code("""
    # nbval-ignore-output: clock implementations and resolutions are this machine's.
    clocks.clock_info_table()
    """, "nbval-ignore-output"),
    md(r"""
    Now measure a task of 2 s while NTP steps the time-of-day clock back by 5 s halfway
    through. The clocks here are simulated, driven by a true time we control, so the
    result is exact.
    """),
    code("""
    clocks.duration_across_step(work_s=2.0, step_s=-5.0)
    """),
    md(r"""
    The time-of-day clock says the task took *minus* three seconds. Code that computes
    timeouts, rates or latencies from `time.time()` can compute negative durations,
    wait far too long, or expire something at once. The same thing with real clocks:
    the program reads an *injected* time-of-day clock (a function standing in for
    `time.time`, which a test can step without root), and we step it back by one
    second in the middle of a real 0.2 s sleep.
    """),
    code("""
    # nbval-ignore-output: a real sleep, timed on this machine; the exact values vary.
    measured = clocks.measure_across_injected_step(sleep_s=0.2, step_s=-1.0)
    for clock, seconds in measured.items():
        print(f"{clock:18s} measured {seconds:+.3f} s")
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** The monotonic clock reports the real 0.2 s (plus a little
    scheduling delay); the time-of-day clock reports about $-0.8$ s. Use the monotonic
    clock (`time.monotonic()`, `System.nanoTime()`) for durations and timeouts, and the
    time-of-day clock only for "what time is it", and then never assume two machines
    agree on the answer. Injecting the clock, rather than calling `time.time()`
    directly, is also what makes such code testable.
    """),
    md(r"""
    ## Beyond the source: ordering events without clocks

    If clocks cannot be trusted to order events across machines, what can? Lamport
    (1978) observed that often we only need the order that *causality* imposes. Event
    $e$ {term}`happened before <happened-before>` event $f$ ($e \to f$) if they occur in
    that order on one process, or $e$ sends a message that $f$ receives, or a chain of
    such steps links them. Two events with no such chain either way are
    {term}`concurrent <concurrent events>`: neither could have influenced the other.

    A {term}`Lamport clock` is one counter per process: add one at every event, send
    the counter with every message, and on receipt first jump to the larger of your
    counter and the message's. Then $e \to f$ implies $L(e) < L(f)$. A
    {term}`vector clock` keeps one counter *per process* and merges by taking the
    maximum of each entry; then $e \to f$ exactly when $V(e) \le V(f)$ in every entry
    and differs in one, and two events are concurrent exactly when neither vector is
    below the other. Here are three processes exchanging three messages.
    """),
    code("""
    clocks.spacetime_figure(clocks.EXAMPLE_EXCHANGE, title="Three processes, three messages")
    """),
    code("""
    clocks.logical_clock_table(clocks.EXAMPLE_EXCHANGE)
    """),
    code("""
    clocks.compare_events(clocks.EXAMPLE_EXCHANGE, [("a2", "c3"), ("b3", "a4"), ("c1", "a2")])
    """),
    md(r"""
    **What to notice.** a2 is before c3 (through b2 and b3), and both clocks agree.
    But b3 and a4 have the same Lamport time and are concurrent, and c1 has a *smaller*
    Lamport time than a2 though neither caused the other: a Lamport order is consistent
    with causality, but cannot tell you that two events are unrelated. Vector clocks
    can, which is why replicated stores use them (or their relatives) to detect
    conflicting concurrent writes. The cost is one entry per process.

    The tests check both properties on thousands of random exchanges; here is one
    random exchange, checked against the happened-before relation worked out from the
    messages themselves.
    """),
    code("""
    clocks.check_against_happened_before(clocks.random_exchange(processes=4, events=40, seed=5))
    """),
    md(r"""
    ## Exercises

    Write your answer in place of `None` and run the cell: the checker says whether it
    is right (within 1%, or exactly for a whole number). Each worked solution is hidden
    until you open it.

    **Exercise 5.1.** A service's latency is log-normal with a median of 20 ms and
    $\sigma = 0.5$. What is the shortest timeout, in milliseconds, that suspects a
    healthy server at most once in 1,000 requests?
    """),
    code("""
    answer = None  # your answer: a timeout in ms
    check("5.1", answer)
    """),
    solution(r"""
    We need $P(L > T) = 0.001$. Since $\ln L$ is normal with mean $\ln 20\text{ ms}$
    and standard deviation 0.5, $T = 20\,e^{0.5 z}$ ms with $z = 3.090$ the 99.9%
    quantile of the standard normal: $T = 20 \times e^{1.545} \approx 93.8$ ms, almost
    five times the median.

    ```python
    check("5.1", 1000 * failures.timeout_for_false_suspicion(0.001, median_s=0.020, sigma=0.5))
    ```
    """),
    md(r"""
    **Exercise 5.2.** A client retries a payment up to 3 times; requests and replies
    are each lost with probability 0.1; the server keeps no idempotency keys. How many
    duplicate charges do you expect per 1,000 payments?
    """),
    code("""
    answer = None  # your answer: duplicate charges per 1,000 payments
    check("5.2", answer)
    """),
    solution(r"""
    An attempt gets a reply with probability $q = 0.9 \times 0.9 = 0.81$, so attempts
    2 and 3 happen with probabilities 0.19 and $0.19^2 = 0.0361$. Each attempt charges
    with probability 0.9: $E[\text{charges}] = 0.9 \times (1 + 0.19 + 0.0361) = 1.1035$.
    At least one charge happens with probability $1 - 0.1^3 = 0.999$, so the expected
    duplicates are $1.1035 - 0.999 = 0.1045$ per payment, about 104 per 1,000.

    ```python
    check("5.2", 1000 * failures.retry_outcomes(0.1, 0.1, 3)["expected_duplicates"])
    ```
    """),
    md(r"""
    **Exercise 5.3.** Each messenger crossing the valley is captured with probability
    0.3. How many messengers must carry the same message so that at least one arrives
    with probability at least 99.9%?
    """),
    code("""
    answer = None  # your answer: a whole number of messengers
    check("5.3", answer)
    """),
    solution(r"""
    We need $1 - 0.3^k \ge 0.999$, so $0.3^k \le 0.001$ and
    $k \ge \ln 0.001 / \ln 0.3 = 5.74$: six messengers ($1 - 0.3^6 = 0.99927$).
    Even then, A cannot know that one arrived.

    ```python
    check("5.3", consensus.messengers_needed(0.3, 0.999))
    ```
    """),
    md(r"""
    **Exercise 5.4.** A server's clock runs 35 ppm fast and is never synchronized. How
    many seconds ahead is it after one week?
    """),
    code("""
    answer = None  # your answer: seconds
    check("5.4", answer)
    """),
    solution(r"""
    A week is $7 \times 86{,}400 = 604{,}800$ s, and 35 ppm of that is
    $604{,}800 \times 35 \times 10^{-6} = 21.2$ s.

    ```python
    check("5.4", clocks.drift_seconds(35, 7 * clocks.SECONDS_PER_DAY))
    ```
    """),
    md(r"""
    **Exercise 5.5.** An NTP exchange records $t_1 = 0.000$, $t_2 = 5.030$,
    $t_3 = 5.031$ and $t_4 = 0.061$ (seconds, each on its own machine's clock). What
    offset does the client estimate for the server's clock, in seconds? What is the
    largest error this estimate could have?
    """),
    code("""
    answer = None  # your answer: the offset in seconds
    check("5.5", answer)
    """),
    solution(r"""
    $\theta = ((5.030 - 0) + (5.031 - 0.061))/2 = (5.030 + 4.970)/2 = 5.000$ s: the
    server is five seconds ahead. The delay is $\delta = 0.061 - 0.001 = 0.060$ s, so
    the true offset lies within $\pm 30$ ms of the estimate.

    ```python
    check("5.5", clocks.ntp_offset_delay(0.000, 5.030, 5.031, 0.061)[0])
    ```
    """),
    md(r"""
    ## Summary

    - An asynchronous network bounds no delay; request and reply are separate messages;
      nodes crash silently; messages are lost; clocks disagree. Asynchrony is about
      timing, not about links being half- or full-duplex.
    - A timeout cannot tell slow from dead. Shorter timeouts detect crashes sooner and
      accuse more healthy servers; the latency tail sets the price.
    - Retrying gives at-least-once delivery, and duplicates whenever a reply is lost.
      Idempotency keys, recorded by the server, give exactly-once effect; TCP removes
      duplicates only within one connection.
    - Two Generals: $k$ messengers get through with probability $1 - p^k$, and no
      finite chain of acknowledgements makes both sides certain.
    - FLP: on an asynchronous network, no deterministic consensus protocol is
      guaranteed to terminate if one process may crash. Timeouts, partial synchrony
      and randomization escape it in practice, without giving up safety.
    - 1 ppm of drift is 86.4 ms a day. NTP estimates offset as
      $((t_2-t_1)+(t_3-t_4))/2$, wrong by half the path asymmetry, at most half the
      delay; errors accumulate down the strata.
    - Measure durations with the monotonic clock; the time-of-day clock can be stepped
      backwards. Order events by causality with Lamport clocks, and detect concurrency
      with vector clocks.

    ## References

    - I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, chapter 3.
    - M. J. Fischer, N. A. Lynch and M. S. Paterson, "Impossibility of distributed
      consensus with one faulty process", *Journal of the ACM* 32(2), 1985.
    - C. Dwork, N. Lynch and L. Stockmeyer, "Consensus in the presence of partial
      synchrony", *Journal of the ACM* 35(2), 1988.
    - M. Ben-Or, "Another advantage of free choice: completely asynchronous agreement
      protocols", *PODC* 1983.
    - E. A. Akkoyunlu, K. Ekanadham and R. V. Huber, "Some constraints and tradeoffs in
      the design of network communications", *SOSP* 1975; J. Gray, "Notes on data base
      operating systems", 1978.
    - D. Mills et al., "Network Time Protocol Version 4: Protocol and Algorithms
      Specification", RFC 5905, 2010.
    - N. Minar, "A survey of the NTP network", MIT Media Lab, 1999; D. L. Mills,
      A. Thyagarajan and B. C. Huffman, "Internet timekeeping around the globe", 1997.
    - L. Lamport, "Time, clocks, and the ordering of events in a distributed system",
      *Communications of the ACM* 21(7), 1978.
    - C. J. Fidge, "Timestamps in message-passing systems that preserve the partial
      ordering", 1988; F. Mattern, "Virtual time and global states of distributed
      systems", 1989.
    - M. Kleppmann, *Designing Data-Intensive Applications*, O'Reilly, 2017, chapters 8
      and 9.

    **New in the glossary:** {term}`asynchronous network`, {term}`partial failure`,
    {term}`timeout`, {term}`at-least-once delivery`, {term}`exactly-once semantics`,
    {term}`idempotency key`, {term}`Two Generals' Problem`, {term}`consensus`,
    {term}`FLP impossibility`, {term}`clock drift`, {term}`Network Time Protocol`,
    {term}`clock offset`, {term}`stratum`, {term}`slew`, {term}`step (a clock)`,
    {term}`time-of-day clock`, {term}`monotonic clock`, {term}`happened-before`,
    {term}`concurrent events`, {term}`Lamport clock`, {term}`vector clock`.
    """),
]

write("notebooks/05-failures-consensus-time.ipynb", cells)
