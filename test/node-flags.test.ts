import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { HUB_NODE_FLAGS } from '../src/ops/node-flags';

/** The hub's V8 flags are the same wherever it is started, and this Node accepts them. */
describe('HUB_NODE_FLAGS', () => {
  const root = path.resolve(__dirname, '..');

  it('are what npm start passes to node', () => {
    const start: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
    expect(start).toBe(`node ${HUB_NODE_FLAGS.join(' ')} dist/src/cli/main.js serve --init`);
  });

  it('are what the Docker image’s ENTRYPOINT passes to node', () => {
    const line = fs.readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8').split('\n').find((l) => l.startsWith('ENTRYPOINT'));
    expect(JSON.parse(line!.slice('ENTRYPOINT'.length))).toEqual(['node', ...HUB_NODE_FLAGS, '/app/dist/src/cli/main.js']);
  });

  it('cap the old generation at 384 MB (V8 then keeps its collection limits at most halfway to the cap)', () => {
    const script = 'const v8 = require("v8"); process.stdout.write(String(v8.getHeapStatistics().heap_size_limit / 1048576))';
    const capped = Number(execFileSync(process.execPath, [...HUB_NODE_FLAGS, '-e', script]).toString());
    const uncapped = Number(execFileSync(process.execPath, ['-e', script]).toString());
    // heap_size_limit = old generation cap + the young generation's reservation (48 MB with the default semi-spaces)
    expect(capped).toBeGreaterThanOrEqual(384);
    expect(capped).toBeLessThanOrEqual(384 + 64);
    expect(uncapped).toBeGreaterThan(capped);
  });

  it('are accepted by this Node (a misspelt flag stops node with "bad option")', () => {
    expect(execFileSync(process.execPath, [...HUB_NODE_FLAGS, '-e', 'process.stdout.write("ok")']).toString()).toBe('ok');
    expect(() => execFileSync(process.execPath, ['--heap-growing-percentt=250', '-e', '0'], { stdio: 'pipe' })).toThrow(/bad option/);
  });
});
