import './deployed-mode';
import 'reflect-metadata';
import fs from 'node:fs';
import { Session } from 'node:inspector';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/datasource';
import type { SubgraphName } from '../src/federation/subgraph';
import { startGateway, startSubgraphService, type RunningService } from '../src/gateway/hub';

/**
 * One hub process of the benchmark (forked by bench/run.ts with an IPC channel), so the load generator
 * does not share the hub's event loop:
 *   hub-process gateway                      gateway and every subgraph in this process (in-process topology)
 *   hub-process gateway name=url …           gateway in front of subgraph services (multi-process topology)
 *   hub-process subgraph <name>              one subgraph service
 * It serves what `hub serve` serves (the same startGateway / startSubgraphService), reads DATABASE_URL and
 * HUB_KEYS_DIR, and answers `stats` messages with its SQL statement count and peak RSS.
 */
async function main(): Promise<void> {
  const [role, ...rest] = process.argv.slice(2);
  const config = { ...loadConfig(), port: 0 };
  const db = await openDatabase(config.databaseUrl);
  let service: RunningService;
  if (role === 'subgraph') {
    service = await startSubgraphService(rest[0] as SubgraphName, { config, db, port: 0 });
  } else {
    const subgraphUrls = Object.fromEntries(rest.map((a) => a.split(/=(.*)/s).slice(0, 2))) as Partial<Record<SubgraphName, string>>;
    service = await startGateway({ config, db, port: 0, subgraphUrls: rest.length ? subgraphUrls : undefined });
  }
  let profiler: Session | undefined;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  sampler.unref();
  process.on('message', async (msg: { type: string }) => {
    if (msg.type === 'stats') {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      process.send?.({ type: 'stats', statements: db.sql.statements, rss: process.memoryUsage().rss, peakRss, maxRssKb: process.resourceUsage().maxRSS });
    } else if (msg.type === 'reset-peak') {
      if (global.gc) global.gc();
      peakRss = process.memoryUsage().rss;
      process.send?.({ type: 'reset-peak' });
    } else if (msg.type === 'profile-start') {
      // V8 CPU profile of the measured window only (no start-up), written where BENCH_PROFILE_FILE says.
      profiler ??= new Session();
      profiler.connect();
      profiler.post('Profiler.enable', () => profiler!.post('Profiler.start', () => process.send?.({ type: 'profile-start' })));
    } else if (msg.type === 'profile-stop') {
      profiler?.post('Profiler.stop', (err, result) => {
        if (!err && process.env.BENCH_PROFILE_FILE) fs.writeFileSync(process.env.BENCH_PROFILE_FILE, JSON.stringify(result.profile));
        profiler?.disconnect();
        process.send?.({ type: 'profile-stop' });
      });
    } else if (msg.type === 'stop') {
      clearInterval(sampler);
      await service.stop().catch(() => undefined);
      await db.dataSource.destroy().catch(() => undefined);
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url: service.url });
}

main().catch((e: Error) => {
  console.error(`hub-process: ${e.stack ?? e.message}`);
  process.exit(1);
});
