/**
 * V8 flags the hub runs with (`npm start`, the Docker image's ENTRYPOINT and the benchmarks' hub processes; a test
 * keeps the three in step). V8 otherwise lets the old generation grow to about four times what survived the last
 * full collection before collecting again; under load the hub's requests in flight are promoted and die there, so
 * its RSS followed that sawtooth up to ~400 MB. At 3.5× the peak is ~30 MB lower (329–332 vs 356–363 MB in
 * alternating 10 s runs of the one-subject report) for about one more full collection every ten seconds, with no
 * measurable loss of throughput.
 *
 * No allocation-site pretenuring: a request's objects live ~40 ms, across one or two young collections, so V8
 * judged some allocation sites long-lived and allocated their objects straight into the old generation, where they
 * died within the request — the old generation then filled with them between full collections (RSS spikes of
 * 500–720 MB early in the load, then ~320–360 MB). In six alternating pairs of 20 s runs without / with it: more
 * requests per second in five (743.9/689.2, 602.8/581.4, 688.6/640.1, 715.3/616.6, 614.1/654.4, 649.7/636.6) and a
 * lower p99 in all six (83/111, 106/120, 94/98, 92/108, 111/113, 93/118 ms).
 *
 * An old generation of at most 384 MB: now and then (3 of 12 traced 20 s runs, each time at the fifth full collection,
 * ~10 s into the load) one incremental mark-compact keeps ~100 MB of request garbage alive (163 MB left instead of
 * ~65; an atomic collection 74 ms later found 60.5 MB live), and V8 set the next limit at 3.5× that: the old
 * generation grew to ~590 MB before the following collection (RSS 640–700 MB). With a ceiling V8 sets no limit above
 * halfway between what survived and the ceiling: a simulated 100 MB retention peaked at 340/382 MB RSS instead of
 * 535/576 MB, and ordinary 20 s runs at 310–316 instead of 342–355 MB, at the same rate. The hub's live heap is
 * ~65–75 MB under the one-subject load and up to ~140 MB with four 1,000-subject cross-checks at once; past 384 MB
 * of live objects node stops with "heap out of memory" — a deployment with heavier concurrent work raises it.
 *
 * Two V8 helper threads instead of Node's default four: on the 2-core target machine the collector's parallel
 * scavenges otherwise ran four helpers on two cores, beside the main thread, the database and the load. Eight
 * alternating pairs of 20 s runs with / without (one-subject report, MariaDB): more requests per second in seven
 * (650/599, 783/778, 781/771, 815/741, 800/664, 633/650, 638/563, 653/548), a lower p99 in five (mean 96.3 vs
 * 105.6 ms). On a machine with more cores, set it to the core count.
 */
export const HUB_NODE_FLAGS: readonly string[] = [
  '--heap-growing-percent=250',
  '--no-allocation-site-pretenuring',
  '--max-old-space-size=384',
  '--v8-pool-size=2',
];
