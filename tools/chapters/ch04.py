"""Draft of notebooks/04-networks.ipynb (run from the repository root)."""

import sys

sys.path.insert(0, "tools")
from nbbuild import code, md, solution, write  # noqa: E402

cells = [
    md(r"""
    # Networks and communication

    Every distributed system is a set of programs that can only cooperate by sending each
    other messages. How long a message takes, whether it arrives at all, and in what order,
    are set by the network underneath. This chapter builds up that network from the wire
    to the remote call, and measures the parts you can measure on your own machine.

    **By the end of this chapter you will be able to**

    - estimate how long a message takes over a LAN, a WAN, WiFi, 4G or 5G, and say whether
      latency or bandwidth dominates;
    - compute propagation delay from distance and the bandwidth-delay product of a link;
    - name the four layers of the IP suite and the bytes each adds to a message;
    - explain why IP delivers packets late, twice, out of order or not at all, and how TCP
      (handshake, cumulative acknowledgements, retransmission) and UDP differ on top of it;
    - predict TCP's steady-state throughput from its loss rate with the Mathis formula;
    - use ports and sockets, and say why a TCP byte stream needs framing;
    - follow a remote call through its eight steps and say where its time goes.
    """),
    code("""
    import numpy as np

    from scalelab import check, explore, loopback, network, rpc, transport
    """),
    md(r"""
    ## Links: how fast, how far

    A message crosses a sequence of {term}`links <link>`: the cable or radio channel
    between two devices. Each link has a {term}`bandwidth`, the number of bits it can
    carry per second, and a {term}`latency`, the time the first bit needs to get across.
    The table below holds the figures of the source (Gorton 2022, ch. 3) for the common
    kinds of link. Where the source gives a range, the table takes one value and the note
    says which.
    """),
    code("""
    network.LINKS.assign(
        **{"bandwidth (Mbit/s)": network.LINKS.bandwidth_bps / 1e6, "latency (ms)": network.LINKS.latency_s * 1e3}
    )[["bandwidth (Mbit/s)", "latency (ms)", "range_m", "note"]]
    """),
    md(r"""
    A local area network (LAN) covers a building or a campus. A wide area network (WAN)
    joins cities and continents over optical fiber, where
    {term}`wavelength division multiplexing` sends hundreds of independent channels,
    each on its own color of light, down one strand. WiFi reaches tens of meters from
    its access point; cellular networks reach kilometers from a tower (4G) or hundreds
    of meters (5G, which trades range for bandwidth).

    ### Latency or bandwidth?

    Sending a message of $m$ bytes over a link of bandwidth $b$ bit/s and latency $\ell$
    takes

    $$
    T(m) = \ell + \frac{8m}{b}.
    $$

    For small messages the first term wins, for large ones the second. The two are equal
    at $m^* = \ell b / 8$ bytes. Move the size slider to put a marker on every curve, and
    the distance slider to stretch the WAN fiber (its latency is the time light needs to
    cover that distance, see below). Both axes are logarithmic.
    """),
    code("""
    explore(
        network.transfer_time_curves,
        size_bytes=[1, 10, 100, 1_000, 10_000, 100_000, 1e6, 1e7, 1e8, 1e9],
        distance_km=[100, 1_000, 5_585, 10_000, 20_000],
        title="Time to send {size_bytes:,.0f} bytes (WAN fiber: {distance_km:,} km)",
        x_title="message size (bytes)", y_title="transfer time (s)", log_x=True, log_y=True, height=500,
        layout={"margin": {"t": 110}},
    )
    """),
    md(r"""
    **What to notice.** Every curve is flat on the left (latency) and rises with slope one
    on the right (bandwidth). A kilobyte takes about as long over a 68 Tbit/s ocean fiber
    as over 4G's 10 Mbit/s, because both are set by latency; a gigabyte takes 800 s over
    4G and 1 ms on the fiber. For the request-sized messages of most services, cutting
    latency matters more than adding bandwidth.
    """),
    md(r"""
    ### The speed of light is a hard floor

    Part of a link's latency is {term}`propagation delay`: the distance divided by the
    signal's speed. Light in glass fiber travels at about two thirds of its speed in
    vacuum (the glass has a refractive index near 1.5). New York to London is about
    5,585 km:
    """),
    code("""
    ny_london_m = 5_585e3
    print(f"in vacuum:        {network.propagation_delay(ny_london_m, 1.0) * 1e3:.1f} ms one way")
    print(f"in fiber at 2/3 c: {network.propagation_delay(ny_london_m) * 1e3:.1f} ms one way, "
          f"{2 * network.propagation_delay(ny_london_m) * 1e3:.1f} ms round trip")
    """),
    md(r"""
    No engineering removes those 56 ms from a transatlantic round trip: real cables are
    longer than the great circle, and routers and queues add more. A service whose users
    are on another continent has to move data closer to them (caches, replicas) rather
    than hope for a faster network.

    ### The bandwidth-delay product: data in flight

    While the first bit travels, the sender keeps pushing more. The amount of data on the
    way at any moment, when the link is full, is the {term}`bandwidth-delay product`
    $b \times \mathrm{RTT} / 8$ bytes (using the round-trip time, because the sender
    learns that data arrived only when the acknowledgement comes back). A sender allowed
    fewer unacknowledged bytes than that leaves the link idle part of the time.
    """),
    code("""
    network.bdp_table().round(2)
    """),
    md(r"""
    **What to notice.** A transatlantic fiber holds gigabytes in flight, far more than any
    single connection's window; a 4G link holds only about 60 kB. This is why TCP's window
    scaling option exists (RFC 7323) and why a single connection over a long, fast path
    rarely reaches the link's bandwidth.
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    Some of the source's link figures are looser than they look.

    - **WDM fiber.** 171 Gbit/s on each of 400 channels is
      $171 \times 400 = 68{,}400$ Gbit/s $= 68.4$ Tbit/s, a little *less* than the
      "more than 70 Tbps" quoted alongside it.
    - **802.11ac at 5,400 Mbit/s** is the marketing class of a tri-band router: the peak
      rates of its three radio bands added together. One device talks on one band; with
      four spatial streams on an 80 MHz channel it peaks near 1,733 Mbit/s.
    - **WiFi 6 at 9.6 Gbit/s** is the total over 8 spatial streams (1.2 Gbit/s each on a
      160 MHz channel). A phone with two antennas peaks near 2.4 Gbit/s.
    - **5G at 1-2 ms** is the target for its low-latency service, from device to tower.
      Most deployments measure tens of milliseconds end to end. The table above uses the
      target, so treat the 5G row as a best case.
    :::
    """),
    code("""
    network.link_checks()
    """),
    md(r"""
    ## The IP suite: a message in envelopes

    The Internet's protocols come in four layers, each using the one below and serving
    the one above:

    1. **link** (data link): moves a frame across one link, e.g. Ethernet or WiFi;
    2. **internet**: IP moves a packet from one host to another, across many links,
       using addresses;
    3. **transport**: TCP or UDP moves data between two *programs* on those hosts;
    4. **application**: the protocol the programs speak, e.g. HTTP or SCP.

    On the way down, each layer wraps what it gets from above in its own header: this is
    {term}`encapsulation`. A TCP segment carries a 20-byte header, the IP packet around
    it another 20, and the Ethernet frame around that 18 more (14 of header, a 4-byte
    checksum at the end). On the wire, each frame also needs 8 bytes of preamble and 12
    of silence before the next. The largest IP packet a link carries is its
    {term}`maximum transmission unit` (MTU), 1,500 bytes on Ethernet; a larger message is
    split over several packets, each with its own headers.
    """),
    code("""
    network.HEADERS
    """),
    code("""
    explore(
        network.encapsulation_bars,
        size_bytes=[1, 10, 64, 100, 512, 1_460, 1_461, 1_472, 4_000, 65_000],
        title="Where the bytes go: a {size_bytes}-byte message over Ethernet",
        x_title="transport protocol", y_title="share of bytes on the wire (%)",
        x_range=(-0.6, 1.6), y_range=(0, 100), height=500,
        layout={"barmode": "stack", "margin": {"t": 130},
                "xaxis": {"tickvals": [0, 1], "ticktext": ["TCP / IPv4 / Ethernet", "UDP / IPv4 / Ethernet"]}},
    )
    """),
    md(r"""
    **What to notice.** A one-byte message costs 84 bytes of line time over TCP (the frame
    is padded to Ethernet's 64-byte minimum): about 1% is payload. At 1,460 bytes a TCP
    segment fills the frame and 95% is payload; one byte more needs a second frame, mostly
    headers. UDP's header is 12 bytes smaller, which shows only for small messages.
    """),
    code("""
    explore(
        network.payload_share_curves,
        mtu_bytes=[576, 1_280, 1_500, 9_000],
        title="Payload share against message size, MTU {mtu_bytes} bytes",
        x_title="message size (bytes)", y_title="payload / bytes on the wire",
        log_x=True, y_range=(0, 1),
    )
    """),
    md(r"""
    **What to notice.** The saw-teeth are the packet boundaries: each new packet brings a
    fresh set of headers. Large messages approach a ceiling set by the MTU: 95% for
    1,500-byte frames, more than 99% for 9,000-byte jumbo frames, which is why data center
    networks often enable them.
    """),
    md(r"""
    ## IP is best effort

    IP promises to *try*. A router forwards each packet on its own ({term}`packet
    switching`), choosing a next hop from its current tables, so two packets of the same
    stream can take different paths with different delays. Queues overflow and drop
    packets; a bit error makes a packet fail its checksum and be discarded; a link-level
    retry can deliver a packet twice. IP's delivery is {term}`best effort`: packets may be
    lost, duplicated, corrupted or delivered out of order, and IP tells no one.

    The explorer sends 40 numbered packets, 2 ms apart, over 1 to 4 paths whose delays
    differ by up to 15 ms. Each dot is a packet's arrival time; in a perfect network they
    would form a straight, rising line.
    """),
    code("""
    explore(
        transport.packet_stream_curves,
        paths=(1, 4, 1, 3),
        loss_rate=(0, 0.3, 0.05, 0.05),
        duplicate_rate=(0, 0.1, 0.05, 0.05),
        title="40 packets over {paths} path(s), loss {loss_rate:.2f}, duplication {duplicate_rate:.2f}",
        x_title="packet number (order sent)", y_title="arrival time (ms)", height=460,
    )
    """),
    code("""
    transport.stream_stats(transport.packet_stream(40, paths=3, loss_rate=0.05, duplicate_rate=0.05, seed=4))
    """),
    md(r"""
    **What to notice.** With one path the line only has gaps where packets were lost. With
    several paths it zig-zags: a packet sent later on a fast path overtakes earlier ones
    on a slow path, so more than half of them arrive out of order. A receiver that needs
    the data in order, complete and once must fix all of this itself, or ask a transport
    protocol to.
    """),
    md(r"""
    ## TCP and UDP

    {term}`UDP` (User Datagram Protocol) adds almost nothing to IP: port numbers, to say
    which program a datagram is for, and a checksum. It is connectionless: each datagram
    stands alone, and whatever arrives is handed to the application as it arrives. That
    suits traffic where a late packet is worthless anyway: live video, voice calls, games.

    {term}`TCP` (Transmission Control Protocol) builds a reliable, ordered byte stream:

    - it is connection-oriented: a {term}`three-way handshake` (SYN, SYN-ACK, ACK) sets up
      the connection and its initial sequence numbers before data flows, and a similar
      exchange closes it;
    - it numbers the data, and the receiver answers with a {term}`cumulative
      acknowledgement`: the next sequence number it expects, which says that everything
      before it has arrived;
    - a segment not acknowledged within the {term}`retransmission timeout` is sent again
      (TCP also resends early when three duplicate acknowledgements show a hole);
    - the receiver holds segments that arrive early and hands the application the data
      strictly in order.

    The simulation below (a SimPy process model, `transport.simulate_transfer`) sends 200
    messages of 1,000 bytes, one every 5 ms, over a link with a 50 ms round trip. Every
    packet, data or acknowledgement, is lost with the chosen probability, and each gets
    a random extra delay (the jitter) that lets packets overtake each other. The figure
    shows when each message reached the receiving application.
    """),
    code("""
    explore(
        transport.latency_curves,
        loss_rate=[0, 0.02, 0.05, 0.1, 0.15, 0.2],
        jitter_ms=[0, 2, 5, 10],
        title="Message latency, loss {loss_rate:.2f}, jitter {jitter_ms} ms (SimPy, seed 7)",
        x_title="message number", y_title="latency (ms, log scale)", log_y=True, height=460,
    )
    """),
    md(r"""
    **What to notice.** UDP's latency stays near the one-way delay, with holes where
    messages were lost. TCP never loses one, but it pays twice: the first messages wait
    for the handshake, and every lost segment stalls all those behind it until it is
    resent ({term}`head-of-line blocking`). Past about 10% loss, TCP falls behind the
    sender and latency climbs into seconds.
    """),
    code("""
    comparison = transport.compare_protocols()
    transport.protocol_figure(comparison)
    """),
    code("""
    comparison.round(3)
    """),
    md(r"""
    **What to notice.** UDP delivers a share $1-p$ of the messages at full speed; about one
    in five arrives out of order with 5 ms of jitter. TCP always delivers all of them in
    order, but its {term}`goodput` (useful bits per second) collapses as loss rises,
    because every hole costs a timeout. Reliability is not free.

    Does the SimPy model do what it claims? Two simple expectations check it: UDP should
    deliver a share $1-p$, and TCP, resending each segment until it gets through, should
    send each message $1/(1-p)$ times on average.
    """),
    code("""
    transport.agreement_table().round(3)
    """),
    md(r"""
    ### TCP's steady state: the Mathis formula

    Over a long transfer, TCP's congestion control sets its speed. In congestion
    avoidance the window of unacknowledged segments grows by one segment per round trip,
    and halves whenever a loss is detected (additive increase, multiplicative decrease).
    Mathis, Semke, Mahdavi and Ott (1997) turned that saw-tooth into a formula for the
    throughput with segment size MSS, round trip RTT and loss rate $p$:

    $$
    \text{throughput} \approx \frac{\mathrm{MSS}}{\mathrm{RTT}} \cdot \frac{C}{\sqrt{p}},
    \qquad C = \sqrt{3/2}.
    $$

    The circles come from a round-by-round simulation of that window
    (`transport.aimd_throughput`), with each segment lost independently.
    """),
    code("""
    explore(
        transport.mathis_curves,
        rtt_ms=[10, 20, 50, 100, 200],
        mss_bytes=[536, 1_460, 8_960],
        title="TCP throughput: RTT {rtt_ms} ms, MSS {mss_bytes} bytes",
        x_title="loss rate", y_title="throughput (Mbit/s)", log_x=True, log_y=True,
    )
    """),
    md(r"""
    **What to notice.** The simulation sits within a few percent of the formula over three
    decades of loss. Throughput falls with the square root of the loss rate and in
    proportion to the round trip: the same loss rate costs a transatlantic connection
    ten times the throughput of one across a city. A 1,460-byte MSS, 100 ms RTT and 1% loss
    give about 1.4 Mbit/s, whatever the link's bandwidth.
    """),
    md(r"""
    ## Ports, endpoints and sockets

    An IP address names a host; a {term}`port` (a 16-bit number, 1 to 65,535) names a
    program's mailbox on it. TCP and UDP each have their own 65,535 ports per address. An
    address with a port is an {term}`endpoint`, and a TCP connection is identified by the
    pair of endpoints, the 4-tuple *(client IP, client port, server IP, server port)*.

    A program reaches the network through a {term}`socket`: `SOCK_STREAM` for TCP,
    `SOCK_DGRAM` for UDP. A server binds a socket to a well-known port and listens; a
    client's socket gets an {term}`ephemeral port` from the operating system. Because a
    connection is the whole 4-tuple, one server port can hold far more than 65,535
    connections: they differ in client address or client port. Below, four connections
    on this machine share one server port:
    """),
    code("""
    tuples = loopback.connection_tuples(4)
    print(f"{len(tuples)} connections, {tuples['server port'].nunique()} server port, "
          f"{tuples['client port'].nunique()} distinct client ports, all on {tuples['server IP'][0]}")
    """),
    code("""
    # nbval-ignore-output: the port numbers and the port range are this machine's.
    port_range = loopback.ephemeral_port_range()
    if port_range:
        print(f"Ephemeral ports here: {port_range[0]}-{port_range[1]}, "
              f"{port_range[1] - port_range[0] + 1:,} per (client IP, server IP, server port)")
    tuples
    """, "nbval-ignore-output"),
    md(r"""
    The real limit on one client machine talking to one server endpoint is the ephemeral
    range (28,232 ports by Linux's default, 32768-60999), not 65,535, and not the server.
    Load generators and proxies that open many connections to one backend meet it first.
    """),
    md(r"""
    ## Measured on your machine

    Now real sockets. The functions in `scalelab.loopback` start small TCP and UDP servers
    in background threads on 127.0.0.1, on ports chosen by the operating system, with a
    timeout on every socket so that nothing can hang. The loopback interface skips the
    wire entirely: what we measure is the cost of the operating system and of Python,
    the floor under any real network. Your numbers will differ from the ones stored here;
    these cells' outputs are not compared by the tests.
    """),
    code("""
    # nbval-ignore-output: real timings differ run to run.
    setup = loopback.connection_setup_times(100)
    rtt_tcp = loopback.round_trip_times("tcp", n=500)
    rtt_udp = loopback.round_trip_times("udp", n=500)
    for name, t in [("TCP connect", setup), ("TCP echo, 64 B", rtt_tcp), ("UDP echo, 64 B", rtt_udp)]:
        print(f"{name:16s} median {1e6 * np.median(t):6.0f} us, 99th percentile {1e6 * np.percentile(t, 99):6.0f} us")
    loopback.rtt_figure({"TCP connect": setup, "TCP echo": rtt_tcp, "UDP echo": rtt_udp})
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** Opening a connection costs about as much as a round trip, because
    the handshake *is* a round trip; over a real network it costs one RTT before the first
    byte of data, which is why clients keep connections open and reuse them. The long tail
    (the 99th percentile is often ten times the median) is the scheduler: another thread
    or process got the core first.
    """),
    code("""
    # nbval-ignore-output: real timings differ run to run.
    measured = loopback.throughput_by_size()
    latency_s, bandwidth_bps = loopback.fit_latency_bandwidth(measured.size_bytes, measured.seconds)
    loopback.throughput_figure(measured, latency_s, bandwidth_bps)
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** The same shape as the link explorer at the top of the chapter:
    small messages are limited by the per-message cost (tens of microseconds of system
    calls and thread wake-ups), large ones by how fast the machine can copy bytes. The
    fitted line is the $\ell + 8m/b$ model with $\ell$ and $b$ measured.
    """),
    md(r"""
    ### TCP_NODELAY: a request in two pieces

    TCP's {term}`Nagle's algorithm` holds back a small segment while an earlier one is
    unacknowledged, to avoid flooding the network with tiny packets. The receiver, for its
    part, delays acknowledgements a little, hoping to send them along with a reply. A
    client that writes a request as two small pieces (a header, then a body) falls between
    the two: the body waits for the header's acknowledgement, which waits for a reply that
    cannot come before the body. Setting the socket option `TCP_NODELAY` turns Nagle's
    algorithm off.
    """),
    code("""
    # nbval-ignore-output: real timings differ run to run.
    loopback.nodelay_effect(n=20).round(3)
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** On Linux the default costs tens of milliseconds per request (the
    delayed-acknowledgement timer), against tens of microseconds with `TCP_NODELAY`: a
    factor of several hundred. Most RPC libraries set the option, or write each request
    in one piece.
    """),
    md(r"""
    ### A byte stream has no message boundaries

    TCP delivers a stream of bytes, not messages: ten sends of 100 bytes may come out as
    one receive of 1,000 bytes, or as pieces of any size. An application protocol must
    mark where messages end: {term}`framing`, e.g. a length before each message (as
    `loopback.send_framed` does) or a delimiter such as HTTP/1.1's blank line. UDP keeps
    boundaries: one send, one datagram, one receive.
    """),
    code("""
    for result in loopback.stream_vs_datagrams(messages=10, size_bytes=100):
        print(result)
    """),
    md(r"""
    ## Remote method invocation

    Sockets move bytes. Most programs would rather call a function. A
    {term}`remote method invocation` (RMI, or more generally a remote procedure call)
    makes a call on an object in another process look like a local call. Java RMI, which
    the source describes, splits it into a {term}`registry` that maps names to objects, a
    client-side {term}`stub` that looks like the object, and a server-side
    {term}`skeleton` that calls the real one. Arguments and results travel as bytes, so
    each side must {term}`marshal <marshalling>` values into bytes and unmarshal them back.

    `scalelab.rpc` implements all of it in about a hundred lines: JSON for marshalling
    (never `pickle` over a network: unpickling can run arbitrary code), a length-prefixed
    frame per message, one TCP connection per stub. A trace records each step of one call:
    """),
    code("""
    registry, trace = rpc.Registry(), []
    with rpc.serve(rpc.Calculator(), registry, "calculator", trace=trace):
        with registry.lookup("calculator", trace=trace) as calculator:
            result = calculator.add(2, 3)
    for step, what, detail in trace:
        print(f"{step}. {what}\\n     {detail}")
    print("result:", result)
    """),
    md(r"""
    Steps 1 and 2 happen once; steps 3 to 8 happen on every call. Compare a remote call
    with the same call made locally, and the cost of marshalling as the payload grows:
    """),
    code("""
    # nbval-ignore-output: real timings differ run to run.
    rpc.call_times(2000).round(2)
    """, "nbval-ignore-output"),
    code("""
    # nbval-ignore-output: real timings differ run to run.
    rpc.marshalling_times().round(6)
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** Even without a network, a remote call costs hundreds of times a
    local one: two marshalling steps, two system calls each way, two thread wake-ups. And
    marshalling runs at only a few to a few tens of megabytes per second in Python's `json`, so for large
    payloads it, not the network, sets the cost.

    The model `rpc.remote_call_time` adds the pieces: local call, marshalling and
    unmarshalling, one round trip, and the bytes on a 1 Gbit/s link. Move the sliders to
    see which one dominates where.
    """),
    code("""
    explore(
        rpc.remote_call_curves,
        rtt_ms=[0.05, 0.5, 5, 50],
        marshal_mb_per_s=[5, 20, 100, 500, 2_000],
        title="Where a remote call's time goes: RTT {rtt_ms} ms, marshalling {marshal_mb_per_s} MB/s",
        x_title="payload (bytes)", y_title="time (ms)", log_x=True, log_y=True, height=500,
        layout={"margin": {"t": 110}},
    )
    """),
    md(r"""
    **What to notice.** A remote call of a few kilobytes is all round trip, five or more
    orders of magnitude above the local call. Only for payloads of megabytes do
    marshalling and bandwidth take over, and with a slow marshaller marshalling takes over
    first. Chatty interfaces (many small calls) pay the round trip each time: design
    remote interfaces to do more per call.
    """),
    md(r"""
    ## Exercises

    Write your answer in place of `None` and run the cell: the checker says whether it is
    right (within 1%). Each worked solution is hidden until you open it.

    **Exercise 4.1.** How long does a 1 GB file take to send over 4G LTE, with 10 Mbit/s
    and 30 ms of latency? Answer in seconds.
    """),
    code("""
    answer = None  # your answer: seconds
    check("4.1", answer)
    """),
    solution(r"""
    $T = \ell + 8m/b = 0.030 + 8 \times 10^9 / 10^7 = 0.03 + 800 = 800.03$ s, over 13
    minutes. Latency is irrelevant at this size.

    ```python
    check("4.1", network.transfer_time(1e9, 10e6, 0.030))
    ```
    """),
    md(r"""
    **Exercise 4.2.** Two data centers are 12,000 km apart along the fiber. What is the
    shortest possible round-trip time between them, in milliseconds, with light at 2/3 c?
    """),
    code("""
    answer = None  # your answer: milliseconds
    check("4.2", answer)
    """),
    solution(r"""
    One way: $12 \times 10^6 / (2/3 \times 299{,}792{,}458) = 60.0$ ms; a round trip is
    120.1 ms, before any router or queue adds to it.

    ```python
    check("4.2", 2 * network.propagation_delay(12_000e3) * 1e3)
    ```
    """),
    md(r"""
    **Exercise 4.3.** A 10 Gbit/s link has an 80 ms round trip. How many bytes must a
    sender be allowed to have unacknowledged to keep it busy?
    """),
    code("""
    answer = None  # your answer: bytes
    check("4.3", answer)
    """),
    solution(r"""
    $10^{10} \times 0.08 / 8 = 10^8$ bytes, 100 MB: far more than TCP's original 64 kB
    window, hence the window scale option.

    ```python
    check("4.3", network.bandwidth_delay_product(10e9, 0.080))
    ```
    """),
    md(r"""
    **Exercise 4.4.** A TCP flow has an MSS of 1,460 bytes, a 100 ms round trip and loses
    one segment in 10,000. What throughput, in Mbit/s, does the Mathis formula predict?
    """),
    code("""
    answer = None  # your answer: Mbit/s
    check("4.4", answer)
    """),
    solution(r"""
    $8 \times 1460 / 0.1 \times \sqrt{3/2} / \sqrt{10^{-4}} = 116{,}800 \times 1.2247
    \times 100 = 14.3$ Mbit/s, however fast the link.

    ```python
    check("4.4", network.mathis_throughput(1460, 0.1, 1e-4) / 1e6)
    ```
    """),
    md(r"""
    **Exercise 4.5.** A 100-byte message goes out in one TCP segment over Ethernet. What
    share of the bytes on the wire (preamble and inter-frame gap included) is the message?
    """),
    code("""
    answer = None  # your answer: a share between 0 and 1
    check("4.5", answer)
    """),
    solution(r"""
    $100 / (100 + 20 + 20 + 18 + 20) = 100/178 = 0.56$: almost half the line time is
    headers.

    ```python
    check("4.5", network.payload_share(100, "tcp"))
    ```
    """),
    md(r"""
    ## Summary

    - Transfer time is latency plus size over bandwidth; below $\ell b/8$ bytes latency
      dominates, above it bandwidth does. Most requests are latency-bound.
    - Light in fiber covers about 200 km per millisecond: New York to London is at least
      28 ms one way. The bandwidth-delay product is the data a sender must keep in flight
      to fill a link.
    - The IP suite has four layers (link, internet, transport, application); each wraps
      the message in its own header, so small messages carry mostly headers.
    - IP is best effort: packets can be lost, duplicated, corrupted or reordered.
    - UDP delivers what arrives, at once. TCP adds a handshake, cumulative
      acknowledgements, retransmission and in-order delivery, and pays in latency and
      goodput as loss grows; its steady state follows Mathis: $\propto 1/(\mathrm{RTT}\sqrt{p})$.
    - A connection is a 4-tuple of endpoints; sockets are `SOCK_STREAM` (a byte stream
      that needs framing) or `SOCK_DGRAM` (datagrams that keep their boundaries).
    - A remote call goes registry, stub, marshalling, skeleton, unmarshalling and back:
      hundreds of times a local call even on one machine.

    ## References

    - I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, chapter 3.
    - M. Mathis, J. Semke, J. Mahdavi, T. Ott, "The macroscopic behavior of the TCP
      congestion avoidance algorithm", *ACM SIGCOMM Computer Communication Review* 27(3), 1997.
    - J. Postel, RFC 768 (UDP), 1980; RFC 791 (IP), 1981; W. Eddy (ed.), RFC 9293 (TCP), 2022.
    - V. Paxson, M. Allman, J. Chu, M. Sargent, RFC 6298, "Computing TCP's retransmission
      timer", 2011; M. Allman, V. Paxson, E. Blanton, RFC 5681, "TCP congestion control", 2009.
    - J. Nagle, RFC 896, "Congestion control in IP/TCP internetworks", 1984.
    - D. Borman et al., RFC 7323, "TCP extensions for high performance", 2014.
    - A. D. Birrell, B. J. Nelson, "Implementing remote procedure calls", *ACM Transactions
      on Computer Systems* 2(1), 1984.

    **New in the glossary:** {term}`link`, {term}`bandwidth`, {term}`latency`,
    {term}`wavelength division multiplexing`, {term}`propagation delay`,
    {term}`bandwidth-delay product`, {term}`encapsulation`,
    {term}`maximum transmission unit`, {term}`packet switching`, {term}`best effort`,
    {term}`UDP`, {term}`TCP`, {term}`three-way handshake`,
    {term}`cumulative acknowledgement`, {term}`retransmission timeout`,
    {term}`head-of-line blocking`, {term}`goodput`, {term}`port`, {term}`endpoint`,
    {term}`socket`, {term}`ephemeral port`, {term}`Nagle's algorithm`, {term}`framing`,
    {term}`remote method invocation`, {term}`registry`, {term}`stub`, {term}`skeleton`,
    {term}`marshalling`.
    """),
]

write("notebooks/04-networks.ipynb", cells)
