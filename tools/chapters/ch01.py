"""Draft of notebooks/01-scalable-systems.ipynb (run from the repository root)."""

import sys

sys.path.insert(0, "tools")
from nbbuild import code, md, solution, write  # noqa: E402

cells = [
    md(r"""
    # Scalable systems: growth, cost and qualities

    A system is scalable when it can take on more work (more users, more data, more
    requests per second) by adding resources, without its cost or its response times
    running away. This chapter puts numbers on that promise: how cost can grow with
    capacity, how concurrency, throughput and response time are tied together, what
    replicas buy in availability, and what two qualities every real service must also
    pay for, security and staying up under attack, cost in capacity.

    **By the end of this chapter you will be able to**

    - tell linear, sub-linear and hyperscale cost growth apart, and explain why hyperscale
      is a design goal rather than something systems get for free;
    - use Little's law to get one of concurrency, throughput and response time from the
      other two;
    - compute the availability of independent replicas and the downtime a number of
      "nines" allows per month and per year;
    - turn a security overhead into the number of extra servers it costs, and measure
      what encrypting data costs on your own machine;
    - name the three properties of the CIA triad, and model a service under a request
      flood: what it serves, what it drops, and what per-client rate limiting changes.
    """),
    code("""
    from scalelab import availability, capacity, check, explore, overload, security
    """),
    md(r"""
    ## Scalability is about cost

    Any system can serve more load if money is no object: buy more of everything.
    {term}`Scalability` is about how the cost grows as the capacity does. Cost here is broad: the hardware or cloud bill, and also the effort to build,
    operate, support and change the system.

    Take capacity $C$ measured in multiples of a starting system, and cost in multiples
    of the starting cost. Three shapes are worth telling apart:

    - **linear**: cost $= C$. Ten times the capacity costs ten times as much.
    - **sub-linear**: cost $= C^{b}$ with $0 < b < 1$. Economies of scale: bulk
      hardware prices, shared operations staff, better utilization.
    - **{term}`hyperscale`**: cost $= 1 + k \log_2 C$. Each doubling of capacity adds the
      same fixed cost $k$, so capacity can grow exponentially while cost grows linearly
      (Gorton, 2022, ch. 1).

    The explorer draws all three against capacity on logarithmic axes, from one to a
    million times the starting system. The sliders set the sub-linear exponent $b$ and
    the hyperscale cost per doubling $k$.
    """),
    code("""
    explore(
        capacity.cost_curves,
        exponent=(0.5, 1, 0.05, 0.8),
        cost_per_doubling=[0.25, 0.5, 1, 2, 4],
        title="Cost of capacity: exponent b = {exponent:.2f}, k = {cost_per_doubling} per doubling",
        x_title="capacity (multiples of the starting system)", y_title="cost (multiples of the starting cost)",
        log_x=True, log_y=True,
    )
    """),
    md(r"""
    **What to notice.** On log-log axes a power law is a straight line whose slope is its
    exponent, so linear cost has slope 1 and sub-linear cost a shallower slope. The
    hyperscale curve bends ever flatter: a million times the capacity is only twenty
    doublings, so with $k = 1$ it costs 21 times the start, not a million times.
    """),
    md(r"""
    ### Cost per unit of capacity over time

    Demand does not arrive all at once; it grows year by year. If capacity must grow by
    a fraction $g$ each year, after $t$ years it is $(1+g)^t$ times the start. What
    matters to the business is the cost of each unit of capacity. With linear cost it
    never falls; with economies of scale it falls slowly; with hyperscale it collapses.
    (The hyperscale curve here uses $k = 1$.)
    """),
    code("""
    explore(
        capacity.cost_per_unit_curves,
        growth_per_year=(0.1, 2, 0.1, 1),
        exponent=(0.5, 1, 0.1, 0.8),
        title="Cost per unit of capacity: growth {growth_per_year:.0%} a year, b = {exponent:.1f}",
        x_title="years", y_title="cost per unit of capacity (start = 1)", log_y=True,
    )
    """),
    md(r"""
    **What to notice.** With capacity doubling every year (growth 100%), after ten years
    the system is $2^{10} = 1{,}024$ times its first size. Linear cost keeps each unit at
    its first price; hyperscale cost is $1 + 10 = 11$ times the start, so each unit costs
    about 1% of what it did. Lower the growth and the curves draw together: the slower
    a system grows, the less its cost curve matters.
    """),
    md(r"""
    :::{admonition} A design goal, not a law
    :class: warning

    Nothing makes a system hyperscale by itself. The logarithmic cost curve describes
    what the best large services aim for: automation so that operators do not grow with
    machines, software that needs no change when nodes are added, hardware bought and
    run at large volume. Each server still costs money, so the hardware part of the bill
    stays roughly linear; what can grow slowly is the human cost of building, operating
    and evolving the system. A design that needs a manual step per node, or a database
    that must be re-sharded by hand, is on the linear curve however clever the rest is.
    :::
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    "Capability grows exponentially while cost grows linearly" is the same statement as
    "cost grows with the logarithm of capacity". If capacity after $t$ years is
    $C = 2^{t}$ (doubling yearly), then $\log_2 C = t$ and hyperscale cost
    $1 + k \log_2 C = 1 + k t$ is a straight line in time. With $k = 1$ and ten years:
    capacity $1{,}024\times$, cost $11\times$, cost per unit $11 / 1{,}024 = 1.07\%$ of
    the start.
    :::
    """),
    md(r"""
    ## Little's law: concurrency, throughput and response time

    Three numbers describe a running service: how many requests are inside it at once
    ($N$, the concurrency), how many it completes per second ($X$, the throughput), and
    how long each spends inside on average ($R$, the response time).
    {term}`Little's law` ties them together for any system that is stable over a long
    run, whatever the arrival pattern or the order of service (Little, 1961):

    $$
    N = X \, R.
    $$

    A worked example, as in Gorton (2022, ch. 1): a service holds 100 requests at a time
    and each takes one second, so it completes $100 / 1 = 100$ requests per second. Now
    suppose that 100 requests per second is all it can do, and 1,000 requests are
    inside. Each must then take $1{,}000 / 100 = 10$ seconds: at fixed throughput, more
    concurrent requests only means longer waits.
    """),
    code("""
    print("throughput with 100 requests of 1 s each:", capacity.little_throughput_per_s(100, 1.0), "req/s")
    print("response time with 1,000 requests at 100 req/s:", capacity.little_response_time_s(1000, 100), "s")
    """),
    md(r"""
    **What to notice.** Little's law does not say that 1,000 concurrent requests *make*
    a service slow; it says that if the service cannot go faster than 100 per second, a
    backlog of 1,000 must mean ten-second waits. The only ways out are more throughput
    (scaling) or fewer requests let in (admission control, later in this chapter).
    """),
    md(r"""
    ## Availability: replicas and nines

    {term}`Availability` is the share of time a service answers correctly. One machine
    that is up a share $a$ of the time gives availability $a$. Run $n$ replicas that
    fail independently, and the service is down only when all of them are down at once,
    which happens a share $(1-a)^n$ of the time:

    $$
    A(n) = 1 - (1 - a)^n.
    $$

    Two replicas at 99% give $1 - 0.01^2 = 99.99\%$. Availability is usually quoted in
    {term}`nines`: 99.9% is three nines, 99.999% five. The table shows the downtime each
    level allows, using a 365-day year and a month of a twelfth of it.
    """),
    code("""
    availability.nines_table(6)
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    A 365-day year has $365 \times 24 = 8{,}760$ hours. Three nines allow
    $0.001 \times 8{,}760 = 8.76$ hours a year, and $8.76 / 12 = 0.73$ hours, or 43.8
    minutes, a month. Five nines allow $10^{-5} \times 8{,}760 \times 60 = 5.26$ minutes
    a year: less time than it takes to restart many services once. Tables that use a
    30-day month give 43.2 minutes for three nines instead; always check which month a
    service-level agreement means.
    :::
    """),
    md(r"""
    The formula assumes the replicas fail independently. Real replicas share things:
    a power feed, a network switch, a cloud region, the same software release. If
    everything the replicas share is up a share $a_s$ of the time, availability is
    $a_s \,(1 - (1-a)^n)$, and no number of replicas can beat $a_s$. The explorer plots
    nines against replicas; the sliders set each replica's availability and the shared
    dependency's.
    """),
    code("""
    explore(
        availability.replica_curves,
        availability=[0.9, 0.95, 0.99, 0.995, 0.999],
        shared_availability=[0.999, 0.9999, 0.99999, 1.0],
        title="Nines of n replicas: each {availability:.1%} available, shared part {shared_availability:.3%}",
        x_title="replicas n", y_title="nines, -log10(1 - A)", y_range=(0, 19),
    )
    """),
    md(r"""
    **What to notice.** With independent replicas each extra replica adds about as many
    nines as one replica has: two nines per replica at 99%. With a shared dependency the
    curve flattens against that dependency's own nines after two or three replicas: the
    fourth replica buys nothing. A quick simulation agrees with the formula for
    independent replicas:
    """),
    code("""
    for a, n in [(0.9, 2), (0.9, 3)]:
        print(f"a = {a}, n = {n}: formula {availability.replicated_availability(a, n):.4f}, "
              f"simulated {availability.simulate_replicas(a, n, seed=1):.4f}")
    """),
    md(r"""
    ## Security costs capacity

    Security is a {term}`quality attribute` like performance and availability, and it
    competes with them for the same machines. Protecting data at rest, on disk, comes in
    several grains:

    - {term}`Transparent data encryption` (TDE) encrypts whole database files or pages
      as they are written and decrypts them as they are read. Applications see no
      change. SQL Server and Oracle both offer it.
    - {term}`Field-level encryption` encrypts chosen values, such as an account number
      or a diagnosis, often in the application before they reach the database. Finance,
      health and other regulated industries use it so that even database administrators
      cannot read the most sensitive fields.
    - Cloud providers encrypt storage by default and offer managed keys and key
      services; the cost is still paid in CPU time somewhere, possibly on hardware you
      do not see.

    Studies cited by Gorton (2022, ch. 1) put the overhead of encryption at rest at
    5-10%. An overhead $o$ makes each request cost $1 + o$ times as much server time, so
    a load of $D$ requests per second on servers that each handle $c$ needs
    $\lceil D (1 + o) / c \rceil$ servers. The explorer draws servers against demand,
    without and with the overhead.
    """),
    code("""
    explore(
        capacity.servers_curves,
        overhead=(0, 0.3, 0.02, 0.1),
        capacity_per_server_per_s=[250, 500, 1000, 2000],
        title="Servers needed: overhead {overhead:.0%}, {capacity_per_server_per_s} req/s per server",
        x_title="demand (requests per second)", y_title="servers",
    )
    """),
    md(r"""
    **What to notice.** The gap between the two staircases, the dotted line, grows in
    proportion to the load: a 10% overhead is 4 extra servers at 40 servers' worth of
    load, and it would be 1,000 at 10,000. At small scale the overhead often hides inside the spare room
    of a server you needed anyway; at large scale it is a line in the budget.
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    "A 10% overhead" can mean two different things, and they differ by about a point.
    If encryption adds 10% to each request's work, each server handles $1/1.1 = 90.9\%$
    of its plain throughput: it loses 9.1% of its capacity, and a fleet needs 10% more
    servers. If instead encryption takes 10% of each server's capacity, the fleet needs
    $1/0.9 = 1.111$ times the servers, 11.1% more. For 5% the two readings give 5.0% and
    5.3%. Either way, the quoted range is a property of the workload measured, not a
    constant: the next section measures it.
    """),
    md(r"""
    ### Measuring it on your machine

    The function below writes 2 MiB of random data to a temporary file in records of a
    chosen size, one `write` per record, first plain and then encrypted with AES-GCM
    (from the well-kept `cryptography` package; each record gets a fresh 12-byte nonce
    and a 16-byte authentication tag). It also times the encryption alone. Each way runs
    five times and the fastest run counts; the whole measurement is bounded to a few
    seconds. The records go to the operating system's page cache, not all the way to
    the disk, which is the harshest case for encryption: the plain write is as cheap as
    it can be.

    Your numbers will differ from the ones stored here, and from run to run: the next
    cells' outputs are not compared by the tests.
    """),
    code("""
    # nbval-ignore-output: timings of this machine vary from run to run.
    measured = security.measure_encryption()
    measured.round(2)
    """, "nbval-ignore-output"),
    code("""
    # nbval-ignore-output: the figure is drawn from the timings just measured.
    security.measurement_figure(measured)
    """, "nbval-ignore-output"),
    code("""
    # nbval-ignore-output: the overhead is the one just measured.
    page_overhead = max(measured.loc[8192, "overhead"], 0.0)  # a busy machine can even make it negative
    print(f"Encrypting 8 KiB pages cost {page_overhead:.0%} more time than writing them plain here.")
    with_it, without = capacity.servers_needed(45_000, 800, page_overhead), capacity.servers_needed(45_000, 800, 0)
    print(f"For 45,000 req/s at 800 req/s per server: {with_it:.0f} servers instead of {without:.0f}.")
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** Each call to the cipher has a fixed cost of a few microseconds,
    so encrypting 64-byte fields one by one is many times slower per byte than
    encrypting 8 KiB pages: field-level encryption costs more than TDE for the same
    data. For large records the cipher, which uses the processor's AES instructions,
    runs at a gigabyte or more per second, so next to a real disk write (not just the
    page cache) its share would be small. Whether you see 5% or 50% depends on the grain, the hardware, and what else
    a request does; measure before you plan capacity.
    """),
    md(r"""
    ## The CIA triad

    Security is often summed up as three properties, the {term}`CIA triad`:

    - **confidentiality**: only those allowed can read the data;
    - **integrity**: data cannot be changed without the change being detected;
    - **availability**: the service keeps answering those it should, including while
      someone is trying to stop it.

    {term}`Authenticated encryption` such as AES-GCM covers the first two at once. Below, a
    short record is encrypted, then one bit of the stored bytes is flipped: the stored
    bytes do not contain the record, and the changed copy is refused instead of being
    decrypted into something else.
    """),
    code("""
    security.integrity_demo(b"balance=100.00")
    """),
    md(r"""
    Availability is the property attackers most often go after, because it needs no
    secret: only more traffic than a service can handle. Attacks either exploit a
    design weakness (a request that is cheap to send and expensive to serve, such as an
    unbounded search) or simply flood the service from many compromised machines at
    once: a {term}`distributed denial of service` (DDoS).
    """),
    md(r"""
    ## Availability under attack: a request flood

    Model the service as one server completing $\mu$ requests per second, with room for
    $K$ requests in all (one in service, $K - 1$ waiting); a request that arrives to a
    full system is dropped. With requests arriving at random (a Poisson stream) at rate
    $\lambda$, this is the M/M/1/K queue, and the probability that an arrival is dropped,
    its {term}`blocking probability`, has a closed form (Kleinrock, 1975):

    $$
    P_K = \frac{(1-\rho)\,\rho^{K}}{1 - \rho^{K+1}}, \qquad \rho = \frac{\lambda}{\mu}
    \qquad \left(P_K = \tfrac{1}{K+1} \text{ at } \rho = 1\right).
    $$

    Random arrivals see the system as it is on average, so a legitimate request is
    dropped with the same probability as an attacking one. The service's
    *goodput*, the legitimate requests it actually serves, is
    $\lambda_{\text{legit}}(1 - P_K)$.

    The defence modelled here is a per-client {term}`token bucket`: each client gets
    $r$ tokens per second, up to a small reserve, and a request without a token is
    refused before it reaches the queue. Over time a client sending $\lambda_i$ gets
    $\min(\lambda_i, r)$ through.

    In the explorer, 200 legitimate clients send 600 requests per second in all (3 each)
    to a server that completes 1,000 per second with room for 50. The attack rate runs
    along the horizontal axis; the sliders set the number of attacking machines (bots)
    and the per-client limit.
    """),
    code("""
    explore(
        overload.goodput_curves,
        bots=[10, 30, 100, 300, 1000, 3000, 10000],
        limit_per_client_per_s=[1, 2, 5, 10, 20, 50],
        title="Legitimate goodput under a flood: {bots} bots, limit {limit_per_client_per_s} req/s per client",
        x_title="attack rate (requests per second, all bots)", y_title="legitimate requests served per second",
        y_range=(0, 650),
    )
    """),
    md(r"""
    **What to notice.** Without limiting, goodput falls as $\mu / (\lambda_{\text{legit}}
    + \lambda_{\text{attack}})$ of the legitimate load: at 20,000 attacking requests per
    second only about 29 of the 600 legitimate ones get through. A per-client limit
    caps what each bot can send, so a small botnet is harmless. But the cap scales with
    the number of bots: 1,000 bots each staying under 10 requests per second still send
    10,000, and look exactly like legitimate clients. Set the limit below 3 and the
    limiter starts refusing legitimate clients too.
    """),
    md(r"""
    The same model gives the share of legitimate requests dropped and, through Little's
    law ($R = N / X$ for the requests admitted), their mean latency. The sliders set the
    room in the server, $K$, and the per-client limit, with 100 bots.
    """),
    code("""
    explore(
        overload.drop_latency_curves,
        capacity=[10, 20, 50, 100, 200],
        limit_per_client_per_s=[2, 5, 10, 20, 50],
        title="Room for {capacity} requests, limit {limit_per_client_per_s} req/s per client",
        x_title="attack rate (requests per second, 100 bots)", y_title="legitimate requests dropped (%)",
        y_range=(0, 100),
        layout={
            "yaxis2": {"title": {"text": "mean latency (ms, log scale)"}, "overlaying": "y", "side": "right",
                       "type": "log", "range": [0, 2.5], "showgrid": False, "tickvals": [1, 2, 5, 10, 20, 50, 100, 200]},
            "margin": {"r": 70},
        },
    )
    """),
    md(r"""
    **What to notice.** The drop curves (solid) hardly depend on the room in the server:
    once the attack exceeds capacity, most requests are dropped whatever the buffer. The
    latency curves (dotted, right axis) do: a full queue of $K$ requests takes
    $K / \mu$ to drain, so a larger buffer turns drops into long waits. A small buffer
    keeps the requests that do get in fast, which is one reason overloaded services
    should refuse work early rather than queue it.
    """),
    md(r"""
    ### Checking the fast model with a simulation

    The curves above come from formulas, and the token bucket from its long-run rate.
    The SimPy model below simulates the same service request by request: Poisson
    arrivals from each of 200 clients and 100 bots, a real token bucket per client
    (holding up to one second of tokens), one server, and room for 50. Each row simulates
    two seconds of traffic with a fixed seed.
    """),
    code("""
    overload.compare_with_simulation().round(1)
    """),
    md(r"""
    **What to notice.** Without limiting, formula and simulation agree within the
    simulation's noise. With limiting they agree until the bots send far more than
    their limit; then each bot spends its tokens the moment they appear, its stream
    becomes almost regular, and regular traffic queues less than random traffic. The
    M/M/1/K model then predicts more drops than really happen: it is pessimistic, which
    is the safe side for capacity planning.
    """),
    md(r"""
    ## Exercises

    Write your answer in place of `None` and run the cell: the checker says whether it is
    right (within 1%, or exactly for whole numbers of machines). Each worked solution is
    hidden until you open it.

    **Exercise 1.1.** A service completes 250 requests per second, and each spends
    0.2 s in it on average. How many requests are inside the service at once, on
    average?
    """),
    code("""
    answer = None  # your answer: a number of requests
    check("1.1", answer)
    """),
    solution(r"""
    Little's law: $N = X R = 250 \times 0.2 = 50$ requests.

    ```python
    check("1.1", capacity.little_concurrency(250, 0.2))
    ```
    """),
    md(r"""
    **Exercise 1.2.** Each replica of a service is up 95% of the time, independently of
    the others. How many replicas does the service need for five nines (99.999%)?
    """),
    code("""
    answer = None  # your answer: a number of replicas
    check("1.2", answer)
    """),
    solution(r"""
    We need $1 - 0.05^n \geq 0.99999$, that is $0.05^n \leq 10^{-5}$, so
    $n \geq \log(10^{-5}) / \log(0.05) = 3.84$. Four replicas give
    $1 - 0.05^4 = 99.99938\%$; three give only $99.9875\%$.

    ```python
    check("1.2", availability.replicas_for_target(0.95, 0.99999))
    ```
    """),
    md(r"""
    **Exercise 1.3.** A fleet must serve 45,000 requests per second, and one server
    handles 800. Encrypting data at rest adds 8% to the work of every request. How many
    servers are needed?
    """),
    code("""
    answer = None  # your answer: a whole number of servers
    check("1.3", answer)
    """),
    solution(r"""
    Without encryption, $45{,}000 / 800 = 56.25$, so 57 servers. With it, each request
    costs 1.08 times as much: $45{,}000 \times 1.08 / 800 = 60.75$, so 61 servers, four
    more.

    ```python
    check("1.3", capacity.servers_needed(45_000, 800, 0.08))
    ```
    """),
    md(r"""
    **Exercise 1.4.** A server completes 1,000 requests per second and has room for 20.
    It receives 500 legitimate and 1,000 attacking requests per second, with no rate
    limiting. How many legitimate requests per second does it serve?
    """),
    code("""
    answer = None  # your answer: legitimate requests per second
    check("1.4", answer)
    """),
    solution(r"""
    The load is $\rho = 1{,}500 / 1{,}000 = 1.5$ and $K = 20$, so
    $P_K = (1 - 1.5)\,1.5^{20} / (1 - 1.5^{21}) = 0.3334$. A third of all requests,
    legitimate or not, are dropped: the server serves $500 \times (1 - 0.3334) = 333.3$
    legitimate requests per second.

    ```python
    check("1.4", float(overload.flood(500, 1000, service_rate_per_s=1000, capacity=20)["legit_goodput_per_s"]))
    ```
    """),
    md(r"""
    ## Summary

    - Scalability is about how cost grows with capacity. Hyperscale systems aim for cost
      that grows with the logarithm of capacity, a fixed cost per doubling; it is a goal
      reached through automation and design, not a law.
    - Little's law, $N = X R$: at fixed throughput, more concurrent requests mean
      proportionally longer response times.
    - $n$ independent replicas of availability $a$ give $1 - (1-a)^n$; whatever they
      share caps the result. Each nine divides the allowed downtime by ten: three nines
      allow 8.76 hours a year, five nines 5.26 minutes.
    - Security costs capacity: an overhead $o$ per request needs a share $o$ more
      servers. Encrypting small fields costs far more per byte than encrypting pages.
    - The CIA triad: confidentiality, integrity, availability. Authenticated encryption
      protects the first two; a flood attacks the third.
    - Under a flood, an M/M/1/K service drops legitimate requests as often as attacking
      ones. Per-client rate limiting helps against few heavy senders, not against many
      light ones, and a small buffer trades long waits for early refusals.

    ## References

    - I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, chapter 1.
    - J. D. C. Little, "A proof for the queuing formula L = λW", *Operations Research*
      9(3):383-387, 1961.
    - L. Kleinrock, *Queueing Systems, Volume 1: Theory*, Wiley, 1975, section 3.6.
    - M. L. Shooman, *Reliability of Computer Systems and Networks*, Wiley, 2002.
    - M. Dworkin, *Recommendation for Block Cipher Modes of Operation: Galois/Counter
      Mode (GCM) and GMAC*, NIST SP 800-38D, 2007.
    - J. Heinanen and R. Guerin, "A Single Rate Three Color Marker", RFC 2697, 1999.
    - J. Mirkovic and P. Reiher, "A taxonomy of DDoS attack and DDoS defense
      mechanisms", *ACM SIGCOMM Computer Communication Review* 34(2), 2004.

    The next chapters build on these ideas: scaling out with replicas and queues
    (chapter 2), and scaling up on more cores in
    {doc}`chapter 3 <../notebooks/03-scaling-up>`.

    **New in the glossary:** {term}`scalability`, {term}`hyperscale`,
    {term}`Little's law`, {term}`availability`, {term}`nines`, {term}`quality attribute`,
    {term}`transparent data encryption`, {term}`field-level encryption`,
    {term}`authenticated encryption`, {term}`CIA triad`,
    {term}`distributed denial of service`, {term}`blocking probability`,
    {term}`token bucket`.
    """),
]

write("notebooks/01-scalable-systems.ipynb", cells)
