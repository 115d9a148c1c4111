/**
 * Benchmarks measure the hub as it is deployed: the Docker image runs with NODE_ENV=production. Imported
 * first by every benchmark entry point, before graphql-js loads — graphql-js decides at load time whether to
 * run its development-mode `instanceof` checks (2–3% of the CPU of a request), and the hub whether it is in
 * production mode (errors masked, no suggestions). Forked hub processes inherit it. An explicit NODE_ENV wins.
 */
process.env.NODE_ENV ??= 'production';
