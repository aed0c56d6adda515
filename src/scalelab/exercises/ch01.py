"""Chapter 1 exercises: Little's law, replicas, the cost of encryption, and a flood."""

from __future__ import annotations

from .. import availability, capacity, overload
from . import Exercise, Mistake, register

register(
    Exercise(
        key="1.1",
        prompt="A service completes 250 requests per second and each spends 0.2 s in it on "
        "average. How many requests are in the service at once, on average?",
        answer=lambda: capacity.little_concurrency(250, 0.2),
        unit="requests",
        mistakes=(Mistake(1250, "that is X / R; Little's law multiplies: N = X R = 250 x 0.2."),),
        hint="Little's law: N = X R.",
    ),
    Exercise(
        key="1.2",
        prompt="Each replica of a service is up 95% of the time, independently of the others. "
        "How many replicas does the service need for five nines (99.999%)?",
        answer=lambda: availability.replicas_for_target(0.95, 0.99999),
        rel_tol=0.0,
        whole=True,
        unit="replicas",
        mistakes=(Mistake(3, "three replicas give 1 - 0.05^3 = 99.9875%, short of five nines: n >= 3.84 must be "
                          "rounded up, not to the nearest or down."),),
        hint="Find the smallest whole n with 1 - 0.05**n >= 0.99999.",
    ),
    Exercise(
        key="1.3",
        prompt="A fleet must serve 45,000 req/s and one server handles 800 req/s. Encrypting "
        "data at rest adds 8% to the work of every request. How many servers are needed?",
        answer=lambda: capacity.servers_needed(45_000, 800, 0.08),
        rel_tol=0.0,
        whole=True,
        unit="servers",
        mistakes=(
            Mistake(60, "45,000 x 1.08 / 800 = 60.75: sixty servers cannot carry the load; round up."),
            Mistake(62, "that is 57 servers (already rounded up) times 1.08; round once, at the end: "
                    "ceil(45,000 x 1.08 / 800) = ceil(60.75)."),
            Mistake(57, "that is the fleet without encryption; each request now costs 1.08 times as much."),
        ),
        hint="Each request now costs 1.08 times as much: ceil(45,000 x 1.08 / 800).",
    ),
    Exercise(
        key="1.4",
        prompt="A server completes 1,000 req/s and has room for 20 requests. It receives 500 "
        "legitimate and 1,000 attacking req/s, with no rate limiting. How many legitimate "
        "requests per second does it serve?",
        answer=lambda: float(overload.flood(500, 1000, service_rate_per_s=1000, capacity=20)["legit_goodput_per_s"]),
        unit="req/s",
        mistakes=(Mistake(500, "that serves every legitimate request, as if the attack took no room; 1,500 "
                          "requests a second arrive at random for 1,000 of service, and a full server drops "
                          "legitimate ones as often as attacking ones."),),
        hint="M/M/1/K blocking with rho = 1.5 and K = 20; legitimate requests are dropped "
        "with the same probability as any other.",
    ),
    Exercise(
        key="1.5",
        prompt="Three replicas at 99% each, failing independently; every failure of the serving replica "
        "costs 60 s of failover, 12 times a year. Which change buys the most nines? "
        "(a) a fourth replica, (b) failover in 5 s instead of 60 s, (c) both are worth the same.",
        answer="b",
        choices={"a": "add a fourth replica", "b": "cut the failover gap to 5 s", "c": "both are worth the same"},
        mistakes=(
            Mistake("a", "the replicas already give six nines (31.5 s a year); the 720 s of failover gaps "
                    "dominate, and a fourth replica leaves them as they are (4.6 nines either way)."),
            Mistake("c", "a fourth replica only shrinks the 31.5 s of all-down time, while 5 s failovers cut "
                    "720 s of gaps to 60 s: 5.5 nines against 4.6."),
        ),
        hint="Add the two kinds of downtime: (1 - a)^n of the year, and failures x failover time.",
    ),
    Exercise(
        key="1.6",
        prompt="With every token bucket full at t = 0, the flood simulation served about a third more "
        "legitimate requests than the M/M/1/K model at 20,000 attacking req/s. Why? "
        "(a) each bot's admitted stream is regular, and regular traffic queues less than random traffic; "
        "(b) the bots are in phase: they all earn tokens at the same instants and fire in bursts, "
        "leaving gaps; (c) the run is too short.",
        answer="b",
        choices={"a": "regular traffic queues less", "b": "the bots fire in synchronized bursts",
                 "c": "the run is too short"},
        mistakes=(
            Mistake("a", "with the buckets started at random levels each bot's stream is just as regular, "
                    "yet the gap disappears (within 5% of the model): it came from the bots being in phase."),
            Mistake("c", "a run five times longer gives the same excess; a bias that does not shrink with "
                    "length is not noise."),
        ),
    ),
    Exercise(
        key="1.7",
        prompt="A legitimate client sends a Poisson stream of 3 requests per second through a token bucket "
        "that holds one token and gains 1 token per second. How many of its requests per second get through?",
        answer=lambda: 1.0 * 3.0 / (1.0 + 3.0),
        unit="req/s",
        mistakes=(
            Mistake(1.0, "that is the fluid model min(3, 1): after each admitted request the bucket needs "
                    "1 s to refill and then waits on average 1/3 s for the next arrival."),
        ),
        hint="The time between admitted requests is the refill time plus the wait for the next arrival.",
    ),
)
