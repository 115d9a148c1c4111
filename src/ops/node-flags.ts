/**
 * V8 flags the hub runs with (`npm start`, the Docker image's ENTRYPOINT and the benchmarks' hub processes; a test
 * keeps the three in step). V8 otherwise lets the old generation grow to about four times what survived the last
 * full collection before collecting again; under load the hub's requests in flight are promoted and die there, so
 * its RSS followed that sawtooth up to ~400 MB. At 3.5× the peak is ~30 MB lower (329–332 vs 356–363 MB in
 * alternating 10 s runs of the one-subject report) for about one more full collection every ten seconds, with no
 * measurable loss of throughput.
 */
export const HUB_NODE_FLAGS: readonly string[] = ['--heap-growing-percent=250'];
