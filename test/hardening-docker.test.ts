import fs from 'node:fs';
import path from 'node:path';
import { SUBGRAPH_NAMES } from '../src/federation/subgraph';

/**
 * docker/Dockerfile and docker/compose.yaml reference only files, commands and options that exist.
 * The compose file is parsed with js-yaml (a dev dependency).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const root = path.resolve(__dirname, '..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const cli = read('src/cli/main.ts');
const config = read('src/config/index.ts');

/** Commands and their long options as declared in src/cli/main.ts (commander). */
function cliCommands(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const blocks = cli.split(/\.command\('/).slice(1);
  for (const block of blocks) {
    const name = block.slice(0, block.indexOf("'")).split(' ')[0];
    const body = block.slice(0, block.indexOf('.action('));
    out.set(name, new Set([...body.matchAll(/(?:option|Option)\('(?:-\w, )?(--[\w-]+)/g)].map((m) => m[1])));
  }
  return out;
}

describe('docker packaging', () => {
  it('Dockerfile: multi-stage, non-root, production dependencies only, copies only files that exist', () => {
    const df = read('docker/Dockerfile');
    const stages = [...df.matchAll(/^FROM\s+(\S+)\s+AS\s+(\w+)/gm)].map((m) => m[2]);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(df).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(df).toMatch(/npm prune --omit=dev/);
    // Dependency patches (patches/README.md) are applied in the image too, which installs with --ignore-scripts.
    expect(df).toMatch(/npx patch-package --error-on-fail/);
    const users = [...df.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
    for (const m of df.matchAll(/^COPY\s+(?!--from)(?:--\S+\s+)*(.+)$/gm)) {
      const parts = m[1].trim().split(/\s+/);
      for (const src of parts.slice(0, -1)) expect([src, fs.existsSync(path.join(root, src))]).toEqual([src, true]);
    }
    for (const m of df.matchAll(/^COPY --from=(\w+)/gm)) expect(stages).toContain(m[1]);
    // The entrypoint is the compiled CLI: package.json's bin, built from src/cli/main.ts by tsconfig.build.json.
    const pkg = JSON.parse(read('package.json')) as { bin: { hub: string } };
    expect(df).toContain(`/app/${pkg.bin.hub}`);
    expect(fs.existsSync(path.join(root, pkg.bin.hub.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    expect(df).toMatch(/tsc -p tsconfig\.build\.json/);
    expect(fs.existsSync(path.join(root, 'tsconfig.build.json'))).toBe(true);
    expect(df).toMatch(/HEALTHCHECK[\s\S]*\/readyz/);
    expect(read('src/federation/http.ts')).toContain("'/readyz'");
    const cmd = /^CMD\s+\[(.*)\]/m.exec(df)![1];
    expect(cliCommands().has(JSON.parse(`[${cmd}]`)[0])).toBe(true);
    for (const env of df.matchAll(/^\s+(\w+)=/gm)) if (env[1] !== 'NODE_ENV') expect([env[1], config.includes(`env.${env[1]}`)]).toEqual([env[1], true]);
  });

  it('compose: MySQL 8, the four subgraphs and the gateway as separate services, commands and options the CLI has, health checks on /readyz', () => {
    const compose = yaml.load(read('docker/compose.yaml')) as {
      services: Record<string, { image?: string; command?: string[]; depends_on?: Record<string, unknown>; healthcheck?: { test?: string[]; disable?: boolean }; environment?: Record<string, string>; volumes?: string[]; networks?: string[] }>;
      volumes: Record<string, unknown>;
      networks: Record<string, unknown>;
    };
    const services = compose.services;
    expect(services.mysql.image).toMatch(/^mysql:8/);
    const commands = cliCommands();
    const parts = new Set<string>();
    for (const [name, svc] of Object.entries(services)) {
      for (const dep of Object.keys(svc.depends_on ?? {})) expect([name, dep, dep in services]).toEqual([name, dep, true]);
      for (const v of svc.volumes ?? []) {
        const vol = v.split(':')[0];
        if (!vol.startsWith('.') && !vol.startsWith('/')) expect(Object.keys(compose.volumes)).toContain(vol);
      }
      for (const n of svc.networks ?? []) expect(Object.keys(compose.networks)).toContain(n);
      if (name === 'mysql') continue;
      expect(svc.image).toMatch(/^zyd-credit-hub/);
      const argv = svc.command!;
      const options = commands.get(argv[0]);
      expect([name, argv[0], !!options]).toEqual([name, argv[0], true]);
      for (const a of argv.slice(1)) if (a.startsWith('--')) expect([name, a, options!.has(a)]).toEqual([name, a, true]);
      for (const key of Object.keys(svc.environment ?? {})) if (key !== 'NODE_ENV') expect([key, config.includes(`env.${key}`)]).toEqual([key, true]);
      if (argv[0] !== 'serve') continue;
      const only = argv[argv.indexOf('--only') + 1];
      expect(['gateway', ...SUBGRAPH_NAMES]).toContain(only);
      parts.add(only);
      expect(svc.healthcheck?.test?.join(' ')).toMatch(/\/readyz/);
      if (only === 'gateway') {
        const subgraphs = argv.filter((_, i) => argv[i - 1] === '--subgraph');
        expect(subgraphs.map((s) => s.split('=')[0]).sort()).toEqual([...SUBGRAPH_NAMES].sort());
        for (const s of subgraphs) {
          const url = new URL(s.split('=')[1]);
          expect(services[url.hostname]?.command).toEqual(expect.arrayContaining(['--only', s.split('=')[0]]));
          expect(url.pathname).toBe('/graphql');
          expect(Object.keys(svc.depends_on ?? {})).toContain(url.hostname);
        }
      }
    }
    expect([...parts].sort()).toEqual(['gateway', ...SUBGRAPH_NAMES].sort());
  });

  it('the installed dependencies carry the patches in patches/ (postinstall applies them; a failed patch fails the install)', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.postinstall).toBe('patch-package --error-on-fail');
    const patches = fs.readdirSync(path.join(root, 'patches')).filter((f) => f.endsWith('.patch'));
    expect(patches).toContain('@apollo+gateway+2.14.4.patch');
    const installed = JSON.parse(fs.readFileSync(require.resolve('@apollo/gateway/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe('2.14.4');
    expect(fs.readFileSync(require.resolve('@apollo/gateway/dist/resultShaping.js'), 'utf8')).toContain('zyd-credit-hub patch');
    expect(fs.readFileSync(require.resolve('@apollo/gateway/dist/executeQueryPlan.js'), 'utf8')).toContain('zyd-credit-hub patch');
    expect(patches).toContain('mysql2+3.24.6.patch');
    expect((JSON.parse(fs.readFileSync(require.resolve('mysql2/package.json'), 'utf8')) as { version: string }).version).toBe('3.24.6');
    expect(fs.readFileSync(path.join(path.dirname(require.resolve('mysql2/package.json')), 'lib/commands/query.js'), 'utf8')).toContain('zyd-credit-hub patch');
  });
});
