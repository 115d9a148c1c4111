import type { Command } from 'commander';
import type { HubConfig } from '../config';
import { openDatabase, redact } from '../db/datasource';
import type { ScaleProgress, ScaleSummary } from '../demo/scale';

/** Scale data has no command group of its own: `hub seed --scale N` (in main.ts) delegates to {@link runScaleSeed}. */
export function registerBenchSeedCommands(_program: Command): void {}

/**
 * `hub seed --scale N [--seed S]`: migrates, then fills the (empty) database with N subjects.
 * A progress bar (rows/s, ETA) on a terminal, a plain line every few seconds otherwise.
 */
export async function runScaleSeed(config: HubConfig, opts: { scale: number; seed?: number; quiet?: boolean }): Promise<ScaleSummary> {
  const { seedScale } = await import('../demo/scale');
  const db = await openDatabase(config.databaseUrl, { migrate: true });
  const progress = opts.quiet ? undefined : progressReporter(opts.scale);
  try {
    const summary = await seedScale(db, config.databaseUrl, { subjects: opts.scale, seed: opts.seed, progress: progress?.update });
    progress?.stop();
    const seconds = summary.elapsedMs / 1000;
    console.error(
      `seeded ${summary.subjects.toLocaleString('en')} subjects (${summary.enterprises.toLocaleString('en')} enterprises, ` +
        `${summary.agriEntities.toLocaleString('en')} agricultural entities) into ${redact(config.databaseUrl)}: ` +
        `${summary.totalRows.toLocaleString('en')} rows in ${summary.statements.toLocaleString('en')} statements, ${seconds.toFixed(1)} s ` +
        `(${Math.round(summary.totalRows / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s)\n` +
        Object.entries(summary.rows)
          .map(([k, v]) => `  ${k.padEnd(22)} ${v.toLocaleString('en').padStart(12)}`)
          .join('\n'),
    );
    return summary;
  } finally {
    progress?.stop();
    await db.dataSource.destroy();
  }
}

function progressReporter(total: number): { update: ScaleProgress; stop(): void } {
  if (process.stderr.isTTY) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cliProgress = require('cli-progress') as typeof import('cli-progress');
    const bar = new cliProgress.SingleBar(
      {
        format: 'seed --scale |{bar}| {percentage}% {value}/{total} subjects | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rows: 0, rate: 0 });
    let stopped = false;
    return {
      update: (p) => bar.update(p.subjectsDone, { rows: p.rows.toLocaleString('en'), rate: Math.round(p.rows / Math.max(p.elapsedMs / 1000, 0.001)).toLocaleString('en') }),
      stop: () => {
        if (!stopped) bar.stop();
        stopped = true;
      },
    };
  }
  let last = 0;
  let finished = false;
  return {
    update: (p) => {
      const now = Date.now();
      if (finished || (now - last < 5000 && p.subjectsDone < p.subjectsTotal)) return;
      finished = p.subjectsDone >= p.subjectsTotal;
      last = now;
      const s = p.elapsedMs / 1000;
      const rate = p.subjectsDone / Math.max(s, 0.001);
      const eta = p.subjectsDone < p.subjectsTotal ? ` ETA ${Math.round((p.subjectsTotal - p.subjectsDone) / Math.max(rate, 1))} s` : '';
      console.error(
        `seed --scale: ${p.subjectsDone.toLocaleString('en')}/${p.subjectsTotal.toLocaleString('en')} subjects, ${p.rows.toLocaleString('en')} rows, ` +
          `${Math.round(p.rows / Math.max(s, 0.001)).toLocaleString('en')} rows/s, ${s.toFixed(0)} s${eta}`,
      );
    },
    stop: () => undefined,
  };
}
