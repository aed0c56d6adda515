"""Links and the cost of moving bytes: transfer time, propagation, BDP, headers, Mathis.

Moving a message of ``size_bytes`` over a link takes a fixed latency plus the time to
push its bits through the link's bandwidth: ``latency_s + 8 size_bytes / bandwidth_bps``.
Small messages are dominated by latency, large ones by bandwidth; the cross-over is at
``size = latency x bandwidth / 8``. Latency has a floor set by physics (light in fiber
travels at about two thirds of its speed in vacuum), and a link keeps
``bandwidth x round-trip time`` bits in flight: the bandwidth-delay product.

Each layer of the IP suite wraps the application's bytes in a header of its own
(TCP or UDP, then IP, then Ethernet), so small messages pay a large share of overhead.
TCP's steady-state throughput under light loss follows Mathis et al. (1997):
``(MSS / RTT) x C / sqrt(p)``, with ``C = sqrt(3/2)`` for periodic loss, about 1.31 for
independent losses and ``sqrt(3/4)`` with delayed ACKs. Toward 10% loss, retransmission
timeouts dominate and Padhye et al. (1998)'s formula, which counts them, applies.

References
----------
- I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, ch. 3 (link figures).
- M. Mathis, J. Semke, J. Mahdavi, T. Ott, "The macroscopic behavior of the TCP
  congestion avoidance algorithm", ACM SIGCOMM Computer Communication Review 27(3), 1997.
- RFC 791 (IPv4), RFC 793 / RFC 9293 (TCP), RFC 768 (UDP), RFC 894 (IP over Ethernet),
  IEEE 802.3 (Ethernet framing: 14-byte header, 4-byte FCS, 8-byte preamble, 12-byte gap).
- RFC 1323 / RFC 7323 (bandwidth-delay product, "long fat networks").
- J. Padhye, V. Firoiu, D. Towsley, J. Kurose, "Modeling TCP throughput: a simple model
  and its empirical validation", ACM SIGCOMM 1998 (timeouts at high loss).
- RFC 8200 (IPv6: 40-byte header, 1,280-byte minimum MTU); RFC 9293 section 3.6 and
  RFC 6335 (TIME_WAIT, ephemeral ports).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._validate import at_least, in_range, number, positive, scalar
from .palette import BLUE, BROWN, GREEN, INK, ORANGE, PINK, RED, TEAL

__all__ = [
    "SPEED_OF_LIGHT_M_PER_S",
    "LINKS",
    "HEADERS",
    "MATHIS_C",
    "MATHIS_C_RANDOM",
    "MATHIS_C_DELAYED_ACK",
    "padhye_throughput",
    "new_connections_per_s",
    "transfer_time",
    "propagation_delay",
    "bandwidth_delay_product",
    "mathis_throughput",
    "packet_count",
    "wire_bytes",
    "payload_share",
    "layer_bytes",
    "link_checks",
    "transfer_time_curves",
    "payload_share_curves",
    "encapsulation_bars",
    "bdp_table",
]

SPEED_OF_LIGHT_M_PER_S = 299_792_458.0

#: Mathis et al. (1997)'s constant for periodic loss without delayed ACKs.
MATHIS_C = math.sqrt(3 / 2)
#: Their constant for independent (random) losses, from simulation (Mathis et al. 1997, sec. 3).
MATHIS_C_RANDOM = 1.31
#: Periodic loss with delayed ACKs (one ACK per two segments): sqrt(3/4).
MATHIS_C_DELAYED_ACK = math.sqrt(3 / 4)

_NY_LONDON_M = 5_585e3

#: One row per link type, with the source's figures (Gorton 2022, ch. 3). Where the
#: source gives a range, the table takes a representative value and the note says so.
LINKS = pd.DataFrame(
    [
        ("LAN", 10e9, 0.5e-3, 2e3,
         "10-100 Gbps (low end taken), sub-millisecond latency (0.5 ms taken), 1-2 km"),
        ("WAN fiber, one wavelength", 171e9, _NY_LONDON_M / (SPEED_OF_LIGHT_M_PER_S * 2 / 3), _NY_LONDON_M,
         "171 Gbps: one flow rides one of the fiber's 400 WDM channels (68.4 Tbps in all); "
         "latency is propagation New York-London (5,585 km) at 2/3 c"),
        ("WiFi 802.11ac", 5_400e6, 2e-3, 30.0,
         "5,400 Mbps as the source quotes it (a tri-band router's bands summed; the standard's "
         "maximum is 6,933 Mbps); tens of meters; 2 ms latency assumed"),
        ("WiFi 6 (802.11ax)", 9.6e9, 2e-3, 30.0,
         "9.6 Gbps over 8 spatial streams; tens of meters; 2 ms latency assumed"),
        ("4G LTE", 10e6, 30e-3, 12.5e3,
         "about 10x 3G: about 10 Mbps sustained down (peak near 50, 2-5 up), 20-40 ms latency, 10-15 km"),
        ("5G", 100e6, 1.5e-3, 500.0,
         "10x 4G bandwidth; 1-2 ms to the tower is the target; about 500 m range"),
    ],
    columns=["link", "bandwidth_bps", "latency_s", "range_m", "note"],
).set_index("link")

#: Header (and trailer) bytes each layer adds, without options.
HEADERS = pd.DataFrame(
    [
        ("application", "your message (HTTP, SCP, ...)", 0, "the payload itself"),
        ("transport", "TCP", 20, "RFC 9293; 32 with the common timestamp option"),
        ("transport", "UDP", 8, "RFC 768"),
        ("internet", "IPv4", 20, "RFC 791, no options"),
        ("link", "Ethernet header + FCS", 18, "IEEE 802.3: 14-byte header, 4-byte checksum"),
        ("link (on the wire)", "preamble + inter-frame gap", 20, "8 + 12 bytes of line time per frame"),
    ],
    columns=["layer", "protocol", "header_bytes", "source"],
)

_TRANSPORT_HEADER = {"tcp": 20, "udp": 8}
_IP_HEADER = 20
_ETH_FRAMING = 18
_ETH_WIRE = 20
_ETH_MIN_FRAME = 64


def transfer_time(size_bytes: ArrayLike, bandwidth_bps: ArrayLike, latency_s: ArrayLike) -> float | np.ndarray:
    """Time to move a message over a link: ``latency_s + 8 size_bytes / bandwidth_bps``.

    Parameters
    ----------
    size_bytes : message size in bytes, >= 0.
    bandwidth_bps : link bandwidth in bits per second, > 0.
    latency_s : one-way latency in seconds, >= 0.

    Returns
    -------
    Seconds (a float, or an array when the arguments are arrays; they broadcast).

    References
    ----------
    Gorton 2022, ch. 3; any networking text, e.g. Kurose and Ross, *Computer Networking*, ch. 1.

    >>> transfer_time(1e9, 10e6, 0.030)   # 1 GB over 4G: bandwidth dominates
    800.03
    >>> transfer_time(100, 10e9, 0.5e-3)  # 100 bytes on a LAN: latency dominates
    0.00050008
    """
    size = at_least("size_bytes", size_bytes, 0)
    bw = positive("bandwidth_bps", bandwidth_bps)
    lat = at_least("latency_s", latency_s, 0)
    return scalar(lat + 8.0 * size / bw)


def propagation_delay(distance_m: ArrayLike, fraction_of_c: ArrayLike = 2 / 3) -> float | np.ndarray:
    """One-way propagation delay over ``distance_m`` at ``fraction_of_c`` of light speed.

    Parameters
    ----------
    distance_m : distance in meters, >= 0.
    fraction_of_c : signal speed as a share of c, in (0, 1]; about 2/3 in optical fiber
        (refractive index near 1.5), 1 in vacuum.

    Returns
    -------
    Seconds.

    References
    ----------
    Gorton 2022, ch. 3 (New York to London); c = 299,792,458 m/s (SI definition).

    >>> round(propagation_delay(5_585e3, 1.0) * 1e3, 1)   # New York-London, vacuum
    18.6
    >>> round(propagation_delay(5_585e3) * 1e3, 1)        # ... in fiber
    27.9
    """
    d = at_least("distance_m", distance_m, 0)
    f = in_range("fraction_of_c", fraction_of_c, 0, 1, low_open=True)
    return scalar(d / (f * SPEED_OF_LIGHT_M_PER_S))


def bandwidth_delay_product(bandwidth_bps: ArrayLike, rtt_s: ArrayLike) -> float | np.ndarray:
    """Bytes in flight on a full link: ``bandwidth_bps x rtt_s / 8``.

    A sender must be allowed this many unacknowledged bytes (its window) to keep the
    link busy; with less it idles while it waits for acknowledgements.

    Parameters
    ----------
    bandwidth_bps : bits per second, > 0.
    rtt_s : round-trip time in seconds, >= 0.

    Returns
    -------
    Bytes.

    References
    ----------
    RFC 7323, section 1.1 ("long, fat pipes").

    >>> bandwidth_delay_product(10e9, 0.080)   # 10 Gbps across an ocean: 100 MB
    100000000.0
    """
    bw = positive("bandwidth_bps", bandwidth_bps)
    rtt = at_least("rtt_s", rtt_s, 0)
    return scalar(bw * rtt / 8.0)


def mathis_throughput(mss_bytes: ArrayLike, rtt_s: ArrayLike, loss_rate: ArrayLike,
                      constant: ArrayLike = MATHIS_C) -> float | np.ndarray:
    """TCP steady-state throughput, Mathis et al. (1997): ``8 MSS / RTT x C / sqrt(p)``, in bit/s.

    Parameters
    ----------
    mss_bytes : maximum segment size in bytes, > 0 (1,460 on Ethernet).
    rtt_s : round-trip time in seconds, > 0.
    loss_rate : probability that a segment is lost, in (0, 1).

    constant : C, > 0: ``MATHIS_C`` = sqrt(3/2) for periodic loss with an ACK per segment
        (the default), ``MATHIS_C_RANDOM`` = 1.31 for independent losses,
        ``MATHIS_C_DELAYED_ACK`` = sqrt(3/4) with delayed ACKs.

    Returns
    -------
    Bits per second. The formula ignores retransmission timeouts, so it overstates
    throughput once losses are frequent (above about 1%; see :func:`padhye_throughput`).

    References
    ----------
    Mathis, Semke, Mahdavi and Ott, "The macroscopic behavior of the TCP congestion
    avoidance algorithm", SIGCOMM CCR 27(3), 1997, equation (3).

    >>> round(mathis_throughput(1460, 0.1, 1e-4) / 1e6, 2)   # Mbit/s
    14.31
    """
    mss = positive("mss_bytes", mss_bytes)
    rtt = positive("rtt_s", rtt_s)
    p = in_range("loss_rate", loss_rate, 0, 1, low_open=True, high_open=True)
    c = positive("constant", constant)
    return scalar(8.0 * mss / rtt * c / np.sqrt(p))


def padhye_throughput(mss_bytes: ArrayLike, rtt_s: ArrayLike, loss_rate: ArrayLike, rto_s: ArrayLike = 1.0,
                      segments_per_ack: ArrayLike = 1) -> float | np.ndarray:
    """TCP throughput with timeouts, Padhye et al. (1998), approximate model, in bit/s.

    ``8 MSS / (RTT sqrt(2bp/3) + T0 min(1, 3 sqrt(3bp/8)) p (1 + 32 p^2))`` with ``b``
    segments per ACK and ``T0`` the retransmission timeout (the receiver window is
    taken as unlimited). For small ``p`` it tends to Mathis with ``C = sqrt(3/(2b))``;
    toward 10% loss the timeout term dominates and throughput falls far below Mathis.

    Parameters
    ----------
    mss_bytes : > 0. rtt_s : > 0. loss_rate : in (0, 1).
    rto_s : T0 in seconds, > 0 (1 s, RFC 6298's minimum, by default).
    segments_per_ack : b, in [1, 2] (2 with delayed ACKs).

    References
    ----------
    Padhye, Firoiu, Towsley and Kurose, SIGCOMM 1998, equation (33) without the window limit.

    >>> round(padhye_throughput(1460, 0.1, 0.1) / mathis_throughput(1460, 0.1, 0.1), 3)
    0.252
    >>> round(padhye_throughput(1460, 0.1, 1e-7) / mathis_throughput(1460, 0.1, 1e-7), 3)
    1.0
    """
    mss = positive("mss_bytes", mss_bytes)
    rtt = positive("rtt_s", rtt_s)
    p = in_range("loss_rate", loss_rate, 0, 1, low_open=True, high_open=True)
    t0 = positive("rto_s", rto_s)
    b = in_range("segments_per_ack", segments_per_ack, 1, 2)
    per_segment = rtt * np.sqrt(2 * b * p / 3) + t0 * np.minimum(1.0, 3 * np.sqrt(3 * b * p / 8)) * p * (1 + 32 * p**2)
    return scalar(8.0 * mss / per_segment)


def new_connections_per_s(ephemeral_ports: ArrayLike = 28_232, time_wait_s: ArrayLike = 60.0) -> float | np.ndarray:
    """Most new connections per second one client address can open to one server endpoint.

    The side that closes first keeps each connection in TIME_WAIT for ``time_wait_s``
    (2 MSL; 60 s on Linux), and the 4-tuple, hence its ephemeral port, cannot be reused
    meanwhile. So at most ``ephemeral_ports / time_wait_s`` new connections per second.

    Parameters
    ----------
    ephemeral_ports : ports in the client's range, whole number in [1, 65535]
        (28,232 for Linux's default 32768-60999).
    time_wait_s : seconds in TIME_WAIT, > 0.

    References
    ----------
    RFC 9293 section 3.6 (TIME-WAIT, 2 MSL); RFC 6335 (port ranges).

    >>> round(new_connections_per_s(), 1)
    470.5
    """
    ports = in_range("ephemeral_ports", ephemeral_ports, 1, 65_535, integer=True)
    t = positive("time_wait_s", time_wait_s)
    return scalar(ports / t)


# --- Encapsulation ----------------------------------------------------------------------


def _transport(transport: str) -> str:
    t = str(transport).lower()
    if t not in _TRANSPORT_HEADER:
        raise ValueError(f"transport must be 'tcp' or 'udp', got {transport!r}")
    return t


_IPV6_HEADER = 40


def _frames(size: np.ndarray, transport: str, mtu: np.ndarray, ip_header: int = _IP_HEADER) -> np.ndarray:
    if transport == "tcp":  # TCP cuts the stream into segments of MSS = MTU - IP - TCP headers
        per = mtu - ip_header - _TRANSPORT_HEADER["tcp"]
        return np.maximum(1, np.ceil(size / per))
    # UDP: one datagram (size + 8), cut by IP into fragments of (MTU - 20) // 8 * 8 bytes
    per = np.floor((mtu - _IP_HEADER) / 8) * 8
    return np.maximum(1, np.ceil((size + _TRANSPORT_HEADER["udp"]) / per))


def _check_packet_args(size_bytes: ArrayLike, transport: str, mtu_bytes: ArrayLike):
    size = at_least("size_bytes", size_bytes, 0)
    t = _transport(transport)
    mtu = in_range("mtu_bytes", mtu_bytes, 576, 65_535, integer=True)
    return size, t, mtu


def packet_count(size_bytes: ArrayLike, transport: str = "tcp", mtu_bytes: ArrayLike = 1500) -> float | np.ndarray:
    """Ethernet frames needed to carry one message of ``size_bytes``.

    TCP sends segments of at most ``MSS = MTU - 40`` bytes; a UDP datagram larger than
    the MTU is cut by IP into fragments (only the first carries the UDP header).

    Parameters
    ----------
    size_bytes : message size, >= 0.
    transport : "tcp" or "udp".
    mtu_bytes : largest IP packet the link carries, whole number in [576, 65535]
        (1,500 for Ethernet, 9,000 for jumbo frames).

    References
    ----------
    RFC 9293 (MSS), RFC 791 (fragmentation), RFC 894.

    >>> packet_count(1460), packet_count(1461), packet_count(1472, "udp"), packet_count(1473, "udp")
    (1.0, 2.0, 1.0, 2.0)
    """
    size, t, mtu = _check_packet_args(size_bytes, transport, mtu_bytes)
    return scalar(_frames(size, t, mtu))


def _layers(size: np.ndarray, t: str, mtu: np.ndarray, on_wire: bool,
            ip_header: int = _IP_HEADER) -> dict[str, np.ndarray]:
    frames = _frames(size, t, mtu, ip_header)
    if t == "tcp":
        transport = _TRANSPORT_HEADER["tcp"] * frames
        mss = mtu - ip_header - _TRANSPORT_HEADER["tcp"]
        last_packet = size - (frames - 1) * mss + ip_header + _TRANSPORT_HEADER["tcp"]
    else:
        transport = np.full(np.broadcast(size, mtu).shape, float(_TRANSPORT_HEADER["udp"]))
        per = np.floor((mtu - _IP_HEADER) / 8) * 8
        last_packet = size + _TRANSPORT_HEADER["udp"] - (frames - 1) * per + _IP_HEADER
    # Ethernet pads a frame whose IP packet is under 46 bytes up to its 64-byte minimum.
    padding = np.maximum(0.0, _ETH_MIN_FRAME - _ETH_FRAMING - last_packet)
    layers = {
        "application data": size + 0.0 * frames,
        "transport header": transport,
        "IP header": ip_header * frames,
        "Ethernet header, FCS and padding": _ETH_FRAMING * frames + padding,
    }
    if on_wire:
        layers["preamble and inter-frame gap"] = _ETH_WIRE * frames
    return layers


def layer_bytes(size_bytes: ArrayLike, transport: str = "tcp", mtu_bytes: ArrayLike = 1500,
                on_wire: bool = True) -> dict[str, float | np.ndarray]:
    """Bytes each layer contributes to carrying one message, summed over its frames.

    Parameters
    ----------
    size_bytes, transport, mtu_bytes : as in :func:`packet_count`.
    on_wire : count Ethernet's preamble and inter-frame gap (20 bytes of line time per frame).

    >>> {k: float(v) for k, v in layer_bytes(100).items()}
    {'application data': 100.0, 'transport header': 20.0, 'IP header': 20.0, 'Ethernet header, FCS and padding': 18.0, 'preamble and inter-frame gap': 20.0}
    """
    size, t, mtu = _check_packet_args(size_bytes, transport, mtu_bytes)
    return {k: scalar(v) for k, v in _layers(size, t, mtu, bool(on_wire)).items()}


def wire_bytes(size_bytes: ArrayLike, transport: str = "tcp", mtu_bytes: ArrayLike = 1500,
               on_wire: bool = True) -> float | np.ndarray:
    """Total bytes (of line time) to carry one message, headers included.

    >>> wire_bytes(1460)   # one full TCP segment: 1460 + 20 + 20 + 18 + 20
    1538.0
    """
    size, t, mtu = _check_packet_args(size_bytes, transport, mtu_bytes)
    return scalar(sum(_layers(size, t, mtu, bool(on_wire)).values()))


def payload_share(size_bytes: ArrayLike, transport: str = "tcp", mtu_bytes: ArrayLike = 1500,
                  on_wire: bool = True) -> float | np.ndarray:
    """Share of the bytes on the wire that are the application's message, in [0, 1).

    >>> round(payload_share(1460), 3), round(payload_share(10), 3)
    (0.949, 0.114)
    """
    size, t, mtu = _check_packet_args(size_bytes, transport, mtu_bytes)
    return scalar(size / sum(_layers(size, t, mtu, bool(on_wire)).values()))


# --- Checks and tables ------------------------------------------------------------------


def link_checks() -> pd.DataFrame:
    """The source's link figures next to the arithmetic that checks them (Gorton 2022, ch. 3)."""
    rows = [
        ("WDM fiber: 171 Gbps x 400 channels", "more than 70 Tbps", f"{171e9 * 400 / 1e12:.1f} Tbps"),
        ("802.11ac", "5,400 Mbps", "a tri-band router's bands summed; the standard's maximum is 6,933 Mbps "
         "(8 streams at 160 MHz); 1,733 Mbps is 4 streams at 80 MHz, a typical high-end client"),
        ("WiFi 6", "9.6 Gbps", "sum over 8 spatial streams (1.2 Gbps each at 160 MHz); "
         "a 2-stream phone gets ~2.4 Gbps"),
        ("5G latency", "1-2 ms", "the design target for low-latency service; most deployments "
         "measure tens of ms end to end"),
        ("New York-London, vacuum", "", f"{propagation_delay(_NY_LONDON_M, 1.0) * 1e3:.1f} ms one way"),
        ("New York-London, fiber at 2/3 c", "", f"{propagation_delay(_NY_LONDON_M) * 1e3:.1f} ms one way, "
         f"{2 * propagation_delay(_NY_LONDON_M) * 1e3:.1f} ms round trip"),
        ("1 GB over the WAN fiber", "", f"one wavelength: {8e9 / 171e9 * 1e3:.1f} ms of serialization + "
         f"{propagation_delay(_NY_LONDON_M) * 1e3:.1f} ms of propagation = "
         f"{(8e9 / 171e9 + propagation_delay(_NY_LONDON_M)) * 1e3:.1f} ms (all 400: {8e9 / 68.4e12 * 1e3:.2f} ms "
         "+ propagation, if one flow could use them all)"),
    ]
    return pd.DataFrame(rows, columns=["figure", "source says", "arithmetic"]).set_index("figure")


def bdp_table() -> pd.DataFrame:
    """Bandwidth-delay product of each link in ``LINKS``, taking RTT = 2 x latency."""
    rtt = 2 * LINKS["latency_s"]
    return pd.DataFrame({
        "bandwidth (Mbit/s)": LINKS["bandwidth_bps"] / 1e6,
        "RTT (ms)": rtt * 1e3,
        "in flight (kB)": bandwidth_delay_product(LINKS["bandwidth_bps"].to_numpy(), rtt.to_numpy()) / 1e3,
        "1,460-byte segments to fill it": np.ceil(bandwidth_delay_product(LINKS["bandwidth_bps"].to_numpy(),
                                                                     rtt.to_numpy()) / 1460),
    })


# --- Models for the explorers -----------------------------------------------------------

SIZE_AXIS = np.logspace(0, 9, 91)  # 1 byte .. 1 GB

#: How ``transfer_time_curves`` draws each link: wired links solid, WiFi dashed, cellular
#: dotted, so that no more than two curves are told apart by colour alone (palette).
LINK_STYLES = {
    "LAN": {"color": BLUE},
    "WAN fiber, one wavelength": {"color": RED},
    "WiFi 802.11ac": {"color": TEAL, "dash": "dash"},
    "WiFi 6 (802.11ax)": {"color": ORANGE, "dash": "dash"},
    "4G LTE": {"color": PINK, "dash": "dot"},
    "5G": {"color": GREEN, "dash": "dot"},
}


def transfer_time_curves(size_bytes: float, distance_km: float) -> dict[str, dict]:
    """Transfer time against message size for every link in ``LINKS`` (for an explorer).

    The WAN fiber's latency is the propagation delay over ``distance_km``; each curve
    has a marker at ``size_bytes``. Wired links are drawn solid, WiFi dashed and cellular
    links dotted (:data:`LINK_STYLES`).
    """
    size_bytes = number("size_bytes", size_bytes, 0)
    distance_km = number("distance_km", distance_km, 0)
    bandwidth = LINKS["bandwidth_bps"].to_numpy()
    latency = LINKS["latency_s"].to_numpy().copy()
    latency[LINKS.index.str.startswith("WAN")] = propagation_delay(distance_km * 1e3)
    times = transfer_time(SIZE_AXIS[None, :], bandwidth[:, None], latency[:, None])
    marks = transfer_time(size_bytes, bandwidth, latency)
    curves: dict[str, dict] = {name: {"x": SIZE_AXIS, "y": times[i], "mode": "lines", "line": dict(LINK_STYLES[name])}
                               for i, name in enumerate(LINKS.index)}
    curves["at the chosen size"] = {"x": np.full(len(LINKS), float(size_bytes)), "y": marks, "mode": "markers",
                                    "marker": {"size": 9, "color": INK, "symbol": "circle-open"}}
    return curves


MESSAGE_AXIS = np.unique(np.round(np.logspace(0, 6, 121)))  # 1 byte .. 1 MB


def _tcp_ipv6_share(size: np.ndarray, mtu: float) -> np.ndarray:
    """Payload share of TCP over IPv6 (40-byte header) over Ethernet."""
    layers = _layers(size, "tcp", np.asarray(float(mtu)), True, _IPV6_HEADER)
    return size / sum(layers.values())


def payload_share_curves(mtu_bytes: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Share of wire bytes that are payload, against message size (for an explorer).

    TCP and UDP over IPv4 at every MTU; TCP over IPv6 (40-byte header) where the MTU is
    at least IPv6's minimum of 1,280 bytes (RFC 8200).
    """
    mtu_bytes = float(in_range("mtu_bytes", mtu_bytes, 576, 65_535, integer=True, max_ndim=0))
    curves = {
        "TCP over IPv4 over Ethernet": (MESSAGE_AXIS, payload_share(MESSAGE_AXIS, "tcp", mtu_bytes)),
        "UDP over IPv4 over Ethernet": (MESSAGE_AXIS, payload_share(MESSAGE_AXIS, "udp", mtu_bytes)),
    }
    if float(mtu_bytes) >= 1280:
        curves["TCP over IPv6 over Ethernet"] = (MESSAGE_AXIS, _tcp_ipv6_share(MESSAGE_AXIS, mtu_bytes))
    return curves


_LAYER_COLORS = (BLUE, RED, TEAL, BROWN, ORANGE)  # data, transport, IP, Ethernet, preamble and gap


def encapsulation_bars(size_bytes: float) -> dict[str, dict]:
    """Stacked bars: each layer's share of the bytes carrying one message (for an explorer).

    Bar 0 is TCP, bar 1 UDP (label the axis with ``tickvals=[0, 1]``). The five layers
    take the five palette colours furthest apart for colour-blind readers (ΔE2000 9.6 or
    more, the closest pair red and brown, which are not neighbours in the stack); each
    layer's place in the stack tells it apart as well.
    """
    size_bytes = number("size_bytes", size_bytes, 0)
    per = [layer_bytes(size_bytes, t) for t in ("tcp", "udp")]
    totals = [sum(p.values()) for p in per]
    return {
        name: {"type": "bar", "x": np.array([0, 1]), "marker": {"color": color},
               "y": np.array([100.0 * per[i][name] / totals[i] for i in range(2)])}
        for name, color in zip(per[0], _LAYER_COLORS, strict=True)
    }
