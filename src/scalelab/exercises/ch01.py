"""Chapter 1 exercises: Little's law, replicas, the cost of encryption, and a flood."""

from __future__ import annotations

from .. import availability, capacity, overload
from . import Exercise, register

register(
    Exercise(
        key="1.1",
        prompt="A service completes 250 requests per second and each spends 0.2 s in it on "
        "average. How many requests are in the service at once, on average?",
        answer=lambda: capacity.little_concurrency(250, 0.2),
        unit="requests",
        hint="Little's law: N = X R.",
    ),
    Exercise(
        key="1.2",
        prompt="Each replica of a service is up 95% of the time, independently of the others. "
        "How many replicas does the service need for five nines (99.999%)?",
        answer=lambda: availability.replicas_for_target(0.95, 0.99999),
        rel_tol=0.0,
        abs_tol=0.5,
        unit="replicas",
        hint="Find the smallest n with 1 - 0.05**n >= 0.99999.",
    ),
    Exercise(
        key="1.3",
        prompt="A fleet must serve 45,000 req/s and one server handles 800 req/s. Encrypting "
        "data at rest adds 8% to the work of every request. How many servers are needed?",
        answer=lambda: capacity.servers_needed(45_000, 800, 0.08),
        rel_tol=0.0,
        abs_tol=0.5,
        unit="servers",
        hint="Each request now costs 1.08 times as much: ceil(45,000 x 1.08 / 800).",
    ),
    Exercise(
        key="1.4",
        prompt="A server completes 1,000 req/s and has room for 20 requests. It receives 500 "
        "legitimate and 1,000 attacking req/s, with no rate limiting. How many legitimate "
        "requests per second does it serve?",
        answer=lambda: float(overload.flood(500, 1000, service_rate_per_s=1000, capacity=20)["legit_goodput_per_s"]),
        unit="req/s",
        hint="M/M/1/K blocking with rho = 1.5 and K = 20; legitimate requests are dropped "
        "with the same probability as any other.",
    ),
)
