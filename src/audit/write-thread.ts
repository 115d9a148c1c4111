import { Worker } from 'node:worker_threads';
import { beforeClose, mysqlConnectionOptions, type Database } from '../db/datasource';

/**
 * A large append's INSERTs (a 10,000-subject cross-check: 10,000 access records in 20 statements) run on a
 * worker thread with a connection of its own. One connection runs a transaction's statements one after another,
 * and mysql2 sends each next statement only when its event loop has taken the previous answer: on the main
 * thread that waits for the gateway to finish shaping and serializing the response (hundreds of milliseconds of
 * synchronous work) — the database would sit idle and the response wait for it afterwards. On a thread of its own
 * the transaction runs back to back while the main thread shapes the response. MySQL/MariaDB only.
 */

/** One statement as the writer built it (values bound by mysql2; prepared: binary protocol). */
export interface ThreadStatement {
  sql: string;
  params: unknown[];
  prepared?: boolean;
}

interface Job {
  id: number;
  statements: ThreadStatement[];
  transaction: boolean;
}

type Reply = { id: number; results: Array<{ affectedRows: number; insertId: number }> } | { id: number; error: { message: string; code?: string } };

/** The thread's code: plain CommonJS (it runs as given, under jest as in production). */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const mysql = require(workerData.mysql2);
let conn = null;
function connection() {
  if (!conn) {
    conn = mysql.createConnection(workerData.options);
    conn.on('error', () => { conn = null; });
  }
  return conn;
}
function run(c, s) {
  return new Promise((resolve, reject) => {
    const done = (err, res) => (err ? reject(err) : resolve({ affectedRows: (res && res.affectedRows) || 0, insertId: Number((res && res.insertId) || 0) }));
    if (s.prepared) c.execute(s.sql, s.params, done); else c.query(s.sql, s.params, done);
  });
}
parentPort.on('message', async (job) => {
  const c = connection();
  try {
    if (job.transaction) await run(c, { sql: 'START TRANSACTION', params: [] });
    // All sent at once: the connection runs them in order, this thread takes each answer as it comes.
    const settled = await Promise.allSettled(job.statements.map((s) => run(c, s)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (job.transaction) await run(c, { sql: 'COMMIT', params: [] });
    parentPort.postMessage({ id: job.id, results: settled.map((r) => r.value) });
  } catch (e) {
    if (job.transaction) await run(c, { sql: 'ROLLBACK', params: [] }).catch(() => { try { c.destroy(); } catch {} conn = null; });
    parentPort.postMessage({ id: job.id, error: { message: String((e && e.message) || e), code: e && e.code } });
  }
});
`;

export class WriteThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: Array<{ affectedRows: number; insertId: number }>) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failed: Error | null = null;

  constructor(connectionOptions: Record<string, unknown>) {
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { options: connectionOptions, mysql2: require.resolve('mysql2') } });
    this.worker.unref(); // an idle write thread never keeps the process alive
    this.worker.on('message', (reply: Reply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('error' in reply) w.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else w.resolve(reply.results);
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the access log's write thread stopped (exit code ${code})`)));
  }

  run(statements: ThreadStatement[], transaction: boolean): Promise<Array<{ affectedRows: number; insertId: number }>> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref(); // while a write is out, the process waits for it
      const job: Job = { id, statements, transaction };
      this.worker.postMessage(job);
    }).finally(() => {
      if (!this.waiting.size) this.worker.unref();
    }) as Promise<Array<{ affectedRows: number; insertId: number }>>;
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

const threads = new WeakMap<Database, WriteThread | null>();

/** The database's write thread (MySQL/MariaDB), started on first use and stopped with the database; null on SQLite. */
export function writeThread(db: Database): WriteThread | null {
  let found = threads.get(db);
  if (found !== undefined) return found;
  found = null;
  const connection = mysqlConnectionOptions(db);
  if (connection) {
    // What cannot cross to a thread (functions) or concerns a pool is left out.
    const options: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(connection)) {
      if (typeof v !== 'function' && v !== undefined && k !== 'connectionLimit' && k !== 'acquireTimeout') options[k] = v;
    }
    const thread = new WriteThread(options);
    found = thread;
    beforeClose(db, async () => {
      threads.delete(db);
      await thread.stop();
    });
  }
  threads.set(db, found);
  return found;
}
