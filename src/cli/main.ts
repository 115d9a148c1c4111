#!/usr/bin/env node
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type HubConfig } from '../config';
import { openDatabase, redact, type Database } from '../db/datasource';
import { SUBGRAPH_NAMES, type SubgraphName } from '../federation/subgraph';
import { signCallerToken } from '../identity/caller';
import { loadOrCreateKey } from '../identity/keys';
import { Institution } from '../sharing/entities';
import { isDatabaseEmpty, seedDemo, FIXED_SUBJECTS } from '../demo/seed';
import { parsePositiveInt } from './args';
import { registerAuditCommands } from './audit';
import { registerOpsCommands } from '../ops/cli';
import { registerImportCommands } from './import';
import { registerBenchSeedCommands } from './bench-seed';

const program = new Command();
program
  .name('hub')
  .description('政银担 credit data-sharing hub — every command reads DATABASE_URL (default sqlite:data/hub.sqlite)')
  .showHelpAfterError();

async function withDatabase<T>(config: HubConfig, fn: (db: Database) => Promise<T>, migrate = false): Promise<T> {
  const db = await openDatabase(config.databaseUrl, { migrate });
  try {
    return await fn(db);
  } finally {
    await db.dataSource.destroy();
  }
}

program
  .command('migrate')
  .description('apply pending database migrations')
  .action(async () => {
    const config = loadConfig();
    await withDatabase(config, async (db) => {
      const applied = await db.dataSource.runMigrations({ transaction: 'each' });
      console.error(`${redact(config.databaseUrl)}: ${applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'up to date'}`);
    });
  });

program
  .command('seed')
  .description('fill the database with data: the demo (--demo) or N subjects for benchmarks (--scale N)')
  .option('--demo', 'deterministic demo data: institutions of every type, 300+ subjects with their records')
  .option('--scale <n>', 'the demo plus generated subjects up to N in total, with proportionate records, loans, guarantees and consents (empty database only)', parsePositiveInt)
  .option('--seed <s>', 'with --scale: random seed (same seed, same data)', parsePositiveInt)
  .option('--force', 'with --demo: seed even when the database already holds institutions')
  .action(async (opts: { demo?: boolean; scale?: number; seed?: number; force?: boolean }) => {
    if (!opts.demo === !opts.scale) throw new InvalidArgumentError('give exactly one of --demo or --scale <n>');
    const config = loadConfig();
    if (opts.scale) {
      const { runScaleSeed } = await import('./bench-seed');
      await runScaleSeed(config, { scale: opts.scale, seed: opts.seed });
      return;
    }
    await withDatabase(
      config,
      async (db) => {
        if (!opts.force && !(await isDatabaseEmpty(db))) {
          console.error('database is not empty; nothing seeded (use --force to seed anyway)');
          return;
        }
        const summary = await seedDemo(db);
        console.error(`seeded ${summary.institutions} institutions, ${summary.enterprises} enterprises, ${summary.agriEntities} agricultural entities, ${Object.entries(summary.rows).map(([k, v]) => `${v} ${k}`).join(', ')}`);
      },
      true,
    );
  });

program
  .command('orgs')
  .description('list registered institutions (code, name, type)')
  .option('--json', 'print JSON instead of a table')
  .action(async (opts: { json?: boolean }) => {
    await withDatabase(loadConfig(), async (db) => {
      const rows = await db.dataSource.getRepository(Institution).find({ order: { type: 'ASC', code: 'ASC' } });
      const list = rows.map((r) => ({ code: r.code, name: r.name, type: r.type, guarantorLevel: r.guarantorLevel, regionCode: r.regionCode, status: r.status }));
      if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n');
      else for (const r of list) process.stdout.write(`${r.code.padEnd(12)} ${r.type.padEnd(10)} ${r.name}\n`);
    });
  });

program
  .command('token')
  .description('sign a caller token with the local dev issuer key (data/keys); prints the bare token')
  .option('--org <code>', 'institution code (see `hub orgs`)')
  .option('--subject <id>', 'sign a SUBJECT token bound to this subject id instead')
  .option('--user <id>', 'user id inside the institution (sub claim)')
  .option('--ttl <seconds>', 'lifetime in seconds', parsePositiveInt, 3600)
  .action(async (opts: { org?: string; subject?: string; user?: string; ttl: number }) => {
    if (!opts.org === !opts.subject) throw new InvalidArgumentError('give exactly one of --org or --subject');
    const config = loadConfig();
    if (opts.org) {
      const found = await withDatabase(config, (db) => db.dataSource.getRepository(Institution).findOneBy({ code: opts.org! }));
      if (!found) {
        console.error(`institution '${opts.org}' is not registered (see \`hub orgs\`)`);
        process.exitCode = 1;
        return;
      }
    }
    const key = await loadOrCreateKey(config.keysDir, 'issuer');
    process.stdout.write((await signCallerToken(key, config, { org: opts.org, subjectId: opts.subject, user: opts.user, ttlSeconds: opts.ttl })) + '\n');
  });

program
  .command('serve')
  .description('serve the hub: gateway and every subgraph in one process (default), or one part of the multi-process topology')
  .addOption(new Option('--only <part>', 'run only this part').choices(['gateway', ...SUBGRAPH_NAMES]))
  .option('--port <n>', 'port (default PORT or 4000)', parsePositiveInt)
  .option('--subgraph <name=url>', 'with --only gateway: URL of a subgraph service (repeat for each)', collectSubgraph, {} as Record<string, string>)
  .option('--init', 'migrate, and seed demo data into an empty database unless HUB_DEMO=0')
  .action(async (opts: { only?: string; port?: number; subgraph: Record<string, string>; init?: boolean }) => {
    const config = loadConfig();
    const db = await openDatabase(config.databaseUrl, { migrate: !!opts.init });
    if (opts.init && config.demo && (await isDatabaseEmpty(db))) {
      const summary = await seedDemo(db);
      console.error(`seeded demo data: ${summary.enterprises} enterprises, ${summary.agriEntities} agricultural entities, ${summary.institutions} institutions`);
    }
    const { startGateway, startSubgraphService } = await import('../gateway/hub');
    const service =
      opts.only && opts.only !== 'gateway'
        ? await startSubgraphService(opts.only as SubgraphName, { config, db, port: opts.port })
        : await startGateway({ config, db, port: opts.port, subgraphUrls: opts.only === 'gateway' ? opts.subgraph : undefined });
    console.error(`hub ${opts.only ?? 'gateway (all subgraphs in-process)'} listening on ${service.url} — database ${redact(config.databaseUrl)}`);
    if (!opts.only || opts.only === 'gateway') {
      console.error(
        `get a token:   TOKEN=$(npx hub token --org BANK-CQCB)\n` +
          `first query:   curl -s ${service.url} -H "Authorization: Bearer $TOKEN" -H 'X-Hub-Purpose: LOAN_APPROVAL' -H 'Content-Type: application/json' \\\n` +
          `                 -d '{"query":"query($id:String!){ subject(id:$id){ id name kind } }","variables":{"id":"${FIXED_SUBJECTS.enterprise}"}}'`,
      );
    }
    // Graceful shutdown: stop accepting, finish in-flight requests, run the stop hooks, close the database.
    // A second signal, or HUB_SHUTDOWN_TIMEOUT_MS + 10 s, exits at once.
    const shutdown = async (signal: string) => {
      console.error(`hub: ${signal} received, draining…`);
      const hard = setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 10_000);
      hard.unref();
      process.once(signal, () => process.exit(1));
      try {
        await service.stop();
        await db.dataSource.destroy();
        process.exit(0);
      } catch (e) {
        console.error(`hub: shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
  });

program
  .command('schema')
  .description('print the subgraph SDLs and the composed supergraph into schema/ (or check they are current)')
  .option('--write', 'write schema/*.graphql')
  .option('--check', 'exit 1 when schema/ is stale')
  .action(async (opts: { write?: boolean; check?: boolean }) => {
    const { printedSchemas } = await import('../gateway/printed-schema');
    const files = await printedSchemas();
    const dir = path.resolve('schema');
    const stale = Object.entries(files).filter(([name, text]) => !fs.existsSync(path.join(dir, name)) || fs.readFileSync(path.join(dir, name), 'utf8') !== text);
    if (opts.write) {
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
      console.error(`wrote ${Object.keys(files).map((f) => `schema/${f}`).join(', ')}`);
    } else if (opts.check && stale.length) {
      console.error(`stale: ${stale.map(([n]) => `schema/${n}`).join(', ')} — run npm run schema`);
      process.exitCode = 1;
    } else if (!opts.check) {
      process.stdout.write(files['supergraph.graphql']);
    }
  });

// Command groups owned by their modules: access log (audit), publishing by file (import), scale data (seed --scale lives in bench-seed).
registerAuditCommands(program);
registerOpsCommands(program);
registerImportCommands(program);
registerBenchSeedCommands(program);


function collectSubgraph(value: string, previous: Record<string, string>): Record<string, string> {
  const m = /^(\w+)=(https?:\/\/\S+)$/.exec(value);
  if (!m || !(SUBGRAPH_NAMES as string[]).includes(m[1])) throw new InvalidArgumentError(`expected <${SUBGRAPH_NAMES.join('|')}>=<http url>, got '${value}'`);
  return { ...previous, [m[1]]: m[2] };
}

program.parseAsync(process.argv).catch((e: Error) => {
  console.error(`hub: ${e.message}`);
  process.exit(1);
});
