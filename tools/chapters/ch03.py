"""Draft of notebooks/03-scaling-up.ipynb (run from the repository root)."""

import sys

sys.path.insert(0, "tools")
from nbbuild import code, md, solution, write  # noqa: E402

cells = [
    md(r"""
    # Scaling up: cores and Amdahl's law

    Buying a bigger machine, with more cores, is the oldest way to make software faster.
    It works only as far as the software lets the cores share the work. This chapter puts
    numbers on "as far as".

    **By the end of this chapter you will be able to**

    - explain why a single-threaded program gains nothing from a machine with more cores;
    - compute the speedup and efficiency that Amdahl's law allows for a serial fraction
      and a number of cores, and the ceiling no number of cores can pass;
    - say when Gustafson's law, not Amdahl's, is the right question to ask;
    - read a Universal Scalability Law curve and find where adding cores starts to hurt;
    - measure speedup on your own machine and compare it with both models.
    """),
    code("""
    from scalelab import amdahl, check, explore, parallel
    """),
    md(r"""
    ## Scale up, scale out, and the single thread

    There are two ways to give a service more capacity. To {term}`scale out` is to run
    more copies of it on more machines (chapter 2). To {term}`scale up` is to run it on a
    bigger machine: more cores, more memory, faster disks. Cloud providers rent virtual
    machines with well over a hundred cores, so scaling up can take you a long way.

    A core, though, runs one thread at a time. A program written as a single thread of
    execution is one sequence of instructions, and the operating system has no way to
    cut it into pieces for other cores: on a 64-core machine it still uses one core, and
    the other 63 sit idle (or serve other programs). To use more cores, the program itself
    must be written as several threads or processes that can run at once.

    Even then, not everything can run at once. Some steps must happen one after another:
    reading the input before splitting it, taking a lock around shared data, combining
    partial results at the end. That serial part sets a hard limit on the gain.
    """),
    md(r"""
    ## Amdahl's law

    Take a job that needs time $T$ on one core, of which a {term}`serial fraction` $s$
    cannot be parallelized. On $n$ cores the serial part still needs $sT$, and at best the
    rest shrinks to $(1-s)T/n$. The {term}`speedup` is the ratio of the two run times
    (Amdahl, 1967):

    $$
    S(n) = \frac{T}{sT + (1-s)T/n} = \frac{1}{s + \dfrac{1-s}{n}}
    \qquad\text{and}\qquad
    \lim_{n\to\infty} S(n) = \frac{1}{s}.
    $$

    However many cores you add, the job never runs more than $1/s$ times faster: 20 times
    for 5% serial code, twice for 50%. Move the slider to see how quickly each curve
    flattens against its ceiling (both axes are logarithmic).
    """),
    code("""
    explore(
        amdahl.speedup_curves,
        serial_fraction=(0, 0.5, 0.01, 0.05),
        title="Amdahl's law: speedup with serial fraction s = {serial_fraction:.2f}",
        x_title="cores", y_title="speedup", log_x=True, log_y=True,
    )
    """),
    md(r"""
    **What to notice.** At $s = 0$ the speedup follows the ideal line forever. Even 1%
    serial code bends the curve away from it long before a thousand cores, and at 10% the
    curve is nearly flat past 64 cores. The gap between the ideal line and the curve is
    cores you pay for and do not use.
    """),
    md(r"""
    ### Efficiency: what each core is worth

    {term}`Parallel efficiency` $E(n) = S(n)/n$ is the share of the ideal speedup that you
    actually get, so it is also the share of each core's time doing useful work. It falls
    as cores are added, quickly when $s$ is large. This explorer has two sliders: the
    serial fraction and the number of cores. Moving one keeps the other where it is.
    """),
    code("""
    explore(
        amdahl.efficiency_curves,
        serial_fraction=(0, 0.5, 0.01, 0.05),
        cores=[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
        title="Efficiency at s = {serial_fraction:.2f}, {cores} cores",
        x_title="cores", y_title="efficiency (speedup / cores)", log_x=True, y_range=(0, 1.05),
    )
    """),
    md(r"""
    **What to notice.** With 5% serial code, 64 cores are used at about 24% efficiency:
    three quarters of what you pay for waits on the serial part. Efficiency halves at
    $n = 1 + 1/s$ cores (21 cores for $s = 0.05$), which makes a handy rule of thumb.
    """),
    md(r"""
    :::{admonition} Checking the numbers
    :class: note

    The source (Gorton 2022, ch. 4) illustrates Amdahl's law with two data points: with
    5% serial code, going past 2,048 cores adds essentially nothing; with 50% serial code,
    going past 8 cores adds essentially nothing. Both are true, but they understate how
    early the curve flattens. The table below does the arithmetic.

    - At 5% serial, $S(2048) = 1/(0.05 + 0.95/2048) = 19.82$, against a ceiling of 20.
      But $S(256) = 18.6$ already: the last 1,792 cores add 1.2.
    - At 50% serial, $S(8) = 1/(0.5 + 0.5/8) = 1.78$, against a ceiling of 2.
    - Solving $S(n) = 0.9/s$ gives the cores at which 90% of the ceiling is reached:
      $n_{90} = 9(1-s)/s$. That is 171 cores for $s = 0.05$ and 9 cores for $s = 0.5$.
      For 5% serial code, "past about 170 cores" is a truer summary than "past 2,048".
    :::
    """),
    code("""
    amdahl.source_data_points().round(2).T
    """),
    md(r"""
    ## Gustafson's law: when the problem grows with the machine

    Amdahl's law holds the problem fixed and asks how much faster it gets done. Often we
    do the opposite: given a bigger machine, we run a bigger problem (finer meshes, more
    users, more data) in the same time. Gustafson (1988) measures the serial share $s$
    *on the parallel machine* and asks how much more work is done. If the serial time
    stays the same as the parallel part grows with $n$, the {term}`scaled speedup` is

    $$
    S_G(n) = s + (1-s)\,n = n - s\,(n-1).
    $$

    Both laws are arithmetic on the same picture; they answer different questions. Note
    that the two $s$ are not the same number: Amdahl's is measured on one core,
    Gustafson's on $n$.
    """),
    code("""
    explore(
        amdahl.amdahl_vs_gustafson,
        serial_fraction=(0, 0.5, 0.01, 0.05),
        title="Fixed problem vs growing problem, s = {serial_fraction:.2f}",
        x_title="cores", y_title="speedup", log_x=True, log_y=True,
    )
    """),
    md(r"""
    **What to notice.** Gustafson's curve keeps rising almost in step with the cores,
    because the serial part becomes a smaller share of an ever larger job. This is why
    big data and scientific workloads that grow with the hardware scale well, while a
    request of fixed size (render this page, commit this transaction) does not.
    """),
    md(r"""
    ## The Universal Scalability Law: when more cores make it slower

    Amdahl's serial part is {term}`contention`: cores queueing for something only one can
    use at a time. Real systems pay a second cost, {term}`coherency`: keeping the cores'
    view of shared data consistent (cache lines bouncing between cores, locks, replicas
    exchanging updates). That cost grows with the number of *pairs* of cores. Gunther's
    {term}`Universal Scalability Law` (USL) adds it as a term in $n(n-1)$:

    $$
    C(n) = \frac{n}{1 + \sigma (n-1) + \kappa\, n (n-1)}.
    $$

    With $\kappa = 0$ this is Amdahl's law with $s = \sigma$. With any $\kappa > 0$ the
    curve has a peak at $n^* = \sqrt{(1-\sigma)/\kappa}$ and then goes *down*: past the
    peak, adding cores lowers throughput (retrograde scaling).
    """),
    code("""
    explore(
        amdahl.usl_curves,
        contention=(0.01, 0.2, 0.01, 0.03),
        coherency=(0, 0.002, 0.0001, 0.0005),
        title="USL: contention {contention:.2f}, coherency {coherency:.4f}",
        x_title="cores", y_title="relative capacity C(n)", y_range=(0, 60),
    )
    """),
    md(r"""
    **What to notice.** Set the coherency to zero and the USL curve lies on Amdahl's.
    Raise it a little and a peak appears; raise the contention and the peak moves left
    and down. A peak at 40 cores means that the 41st core makes the system slower, which
    no amount of hardware can fix: only changing the software (less sharing) can.
    """),
    md(r"""
    ## Measuring it on your machine

    Models are claims; let us test one. The function below runs a CPU-bound job (a pure
    Python loop) with a chosen serial fraction: the serial part runs in the main process,
    then the rest is split evenly over 1, 2, ... worker processes. Processes, not
    threads: in CPython the global interpreter lock lets only one thread run Python code
    at a time, so CPU-bound threads would show no speedup at all (chapter 6 measures
    that). Each pool size runs twice and the faster run counts. The whole measurement is
    bounded to a few seconds.

    Your timings will differ from the ones stored in this notebook, and from run to run:
    the outputs of the next cells are not compared by the tests.
    """),
    code("""
    # nbval-ignore-output: the core count is this machine's, and timings vary run to run.
    cores = parallel.available_cores()
    measured = parallel.measure_speedup(serial_fraction=0.2)
    print(f"This process may run on {cores} core(s).")
    measured.round(3)
    """, "nbval-ignore-output"),
    code("""
    # nbval-ignore-output: the fit and figure are drawn from the timings just measured.
    contention, coherency = amdahl.fit_usl(measured.workers, measured.speedup)
    print(f"USL fit: contention {contention:.3f}, coherency {coherency:.4f}")
    parallel.measurement_figure(measured, serial_fraction=0.2, contention=contention, coherency=coherency)
    """, "nbval-ignore-output"),
    md(r"""
    **What to notice.** Up to the number of cores, the measured speedup should sit close
    to Amdahl's prediction for $s = 0.2$ (1.67 on two cores, 2.5 on four). Past the core
    count the speedup stops growing, since extra processes only take turns on the same
    cores; the cost of starting and coordinating them can even pull it down a little,
    which the USL fit reads as coherency. On a machine with few cores, that is the
    retrograde part of the curve you can see for yourself.
    """),
    md(r"""
    ## Exercises

    Write your answer in place of `None` and run the cell: the checker says whether it is
    right (within 1%). Each worked solution is hidden until you open it.

    **Exercise 3.1.** A job is 10% serial. What speedup does Amdahl's law predict on 16
    cores?
    """),
    code("""
    answer = None  # your answer: a number
    check("3.1", answer)
    """),
    solution(r"""
    $S(16) = 1 / (0.1 + 0.9/16) = 1 / 0.15625 = 6.4$. Sixteen cores give a speedup of 6.4,
    an efficiency of 40%.

    ```python
    check("3.1", amdahl.speedup(0.1, 16))
    ```
    """),
    md(r"""
    **Exercise 3.2.** A service spends 2% of its work in a section guarded by a single
    lock. How many cores does it need to reach 90% of its speedup limit?
    """),
    code("""
    answer = None  # your answer: a number of cores
    check("3.2", answer)
    """),
    solution(r"""
    The limit is $1/s = 50$, and 90% of it is 45. Solving $1/(s + (1-s)/n) = 0.9/s$ gives
    $n = 9(1-s)/s = 9 \times 0.98 / 0.02 = 441$ cores. The next 10% of the limit would need
    infinitely many.

    ```python
    check("3.2", amdahl.cores_for_share_of_limit(0.02, 0.9))
    ```
    """),
    md(r"""
    **Exercise 3.3.** Load tests of a database fit the USL with contention $\sigma = 0.05$
    and coherency $\kappa = 0.001$. At how many cores does its throughput peak?
    """),
    code("""
    answer = None  # your answer: a number of cores
    check("3.3", answer)
    """),
    solution(r"""
    $n^* = \sqrt{(1-\sigma)/\kappa} = \sqrt{0.95 / 0.001} = \sqrt{950} \approx 30.8$. Beyond
    about 31 cores, each new core lowers throughput.

    ```python
    check("3.3", amdahl.usl_peak_cores(0.05, 0.001))
    ```
    """),
    md(r"""
    **Exercise 3.4.** A simulation on 64 cores spends 5% of its run time in serial code.
    What scaled speedup does Gustafson's law give? Compare it with Amdahl's speedup for
    the same 5% measured on one core.
    """),
    code("""
    answer = None  # your answer: a number
    check("3.4", answer)
    """),
    solution(r"""
    $S_G(64) = 64 - 0.05 \times 63 = 60.85$. Amdahl's law, with 5% serial on one core,
    gives $1/(0.05 + 0.95/64) = 15.4$. Growing the problem with the machine keeps the
    cores busy; holding it fixed does not.

    ```python
    check("3.4", amdahl.gustafson_speedup(0.05, 64))
    ```
    """),
    md(r"""
    ## Summary

    - A single-threaded program uses one core, however many the machine has.
    - Amdahl's law: with serial fraction $s$, speedup on $n$ cores is $1/(s + (1-s)/n)$,
      never more than $1/s$. It reaches 90% of that ceiling at $9(1-s)/s$ cores, much
      earlier than "thousands of cores" suggests.
    - Efficiency, speedup per core, falls as cores are added; it halves at $1 + 1/s$ cores.
    - Gustafson's law asks how much more work a bigger machine does in the same time; for
      problems that grow with the machine, scaling is close to linear.
    - The USL adds a coherency cost in $n(n-1)$: throughput peaks at
      $\sqrt{(1-\sigma)/\kappa}$ cores and then falls.
    - Measured on a real machine, speedup follows Amdahl up to the core count and stops.

    ## References

    - G. M. Amdahl, "Validity of the single processor approach to achieving large scale
      computing capabilities", *AFIPS Spring Joint Computer Conference*, 1967.
    - J. L. Gustafson, "Reevaluating Amdahl's law", *Communications of the ACM* 31(5), 1988.
    - N. J. Gunther, *Guerrilla Capacity Planning*, Springer, 2007 (the USL, chapters 4-6).
    - I. Gorton, *Foundations of Scalable Systems*, O'Reilly, 2022, chapters 2 and 4.

    **New in the glossary:** {term}`scale up`, {term}`scale out`, {term}`serial fraction`,
    {term}`speedup`, {term}`parallel efficiency`, {term}`scaled speedup`,
    {term}`contention`, {term}`coherency`, {term}`Universal Scalability Law`.
    """),
]

write("notebooks/03-scaling-up.ipynb", cells)
