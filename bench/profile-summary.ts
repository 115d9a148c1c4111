import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * Top functions by self time of a V8 `.cpuprofile` (node --cpu-prof), aggregated by function and file.
 *   node dist/bench/profile-summary.js <file.cpuprofile> [top]
 */
export function summarizeProfile(file: string, top = 20): Array<{ selfPercent: number; functionName: string; location: string }> {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...byNode.values()].reduce((a, b) => a + b, 0) || 1;
  const agg = new Map<string, { functionName: string; location: string; time: number }>();
  for (const node of profile.nodes) {
    const t = byNode.get(node.id) ?? 0;
    if (!t) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url ? url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(process.cwd() + path.sep, '') : '';
    const location = short ? `${short}:${lineNumber + 1}` : '(native)';
    const key = `${functionName}@${location}`;
    const entry = agg.get(key) ?? { functionName: functionName || (url ? '(anonymous)' : `(${functionName || 'program'})`), location, time: 0 };
    entry.time += t;
    agg.set(key, entry);
  }
  return [...agg.values()]
    .sort((a, b) => b.time - a.time)
    .slice(0, top)
    .map((e) => ({ selfPercent: (e.time / total) * 100, functionName: e.functionName, location: e.location }));
}

/** Self time aggregated by package (node_modules/<pkg>) or by the hub's own folder. */
export function summarizeByPackage(file: string): Array<{ selfPercent: number; where: string }> {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...byNode.values()].reduce((a, b) => a + b, 0) || 1;
  const agg = new Map<string, number>();
  for (const node of profile.nodes) {
    const t = byNode.get(node.id) ?? 0;
    if (!t) continue;
    const url = node.callFrame.url;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const where = m ? m[1] : url.includes('/dist/') ? `hub: ${url.replace(/^.*\/dist\//, '').split('/').slice(0, 2).join('/')}` : url ? 'node internals' : `(${node.callFrame.functionName})`;
    agg.set(where, (agg.get(where) ?? 0) + t);
  }
  return [...agg.entries()].sort((a, b) => b[1] - a[1]).map(([where, t]) => ({ selfPercent: (t / total) * 100, where }));
}

if (require.main === module) {
  const [file, top = '25'] = process.argv.slice(2);
  for (const f of summarizeProfile(file, Number(top))) console.log(`${f.selfPercent.toFixed(1).padStart(5)}%  ${f.functionName}  ${f.location}`);
  console.log('\nby package:');
  for (const p of summarizeByPackage(file).slice(0, 20)) console.log(`${p.selfPercent.toFixed(1).padStart(5)}%  ${p.where}`);
}
