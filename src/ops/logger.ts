import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs (pino, one line per event on stdout). What goes in is chosen field by field:
 * request id, institution, caller type, operation name, outcome and timings — never variables,
 * subject identifiers, tokens or data.
 */
const loggers = new Map<string, Logger>();

export function logger(level: string, role = 'hub', file = process.env.HUB_LOG_FILE): Logger {
  const key = `${level}:${role}:${file ?? ''}`;
  let found = loggers.get(key);
  if (!found) {
    found = pino({
      level,
      base: { service: 'zyd-credit-hub', role, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Defence in depth: should any of these ever be passed, they are removed.
      redact: { paths: ['variables', '*.variables', 'authorization', '*.authorization', 'token', 'query', '*.query'], remove: true },
    }, file ? pino.destination({ dest: file, sync: true, mkdir: true }) : undefined);
    loggers.set(key, found);
  }
  return found;
}
