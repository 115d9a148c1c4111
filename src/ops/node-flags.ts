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
 */
export const HUB_NODE_FLAGS: readonly string[] = ['--heap-growing-percent=250', '--no-allocation-site-pretenuring'];
