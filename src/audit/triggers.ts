import type { Database } from '../db/datasource';

/**
 * MySQL/MariaDB append-only guard for the audit tables.
 *
 * Grants (the triggers are the second line of defence; the first is that the hub cannot change rows):
 *
 *   -- the hub's application account: read and append, nothing else
 *   GRANT SELECT, INSERT ON hub.audit_access_log     TO 'hub'@'%';
 *   GRANT SELECT, INSERT ON hub.audit_checkpoint     TO 'hub'@'%';
 *   GRANT SELECT, INSERT ON hub.audit_field_list     TO 'hub'@'%';
 *   GRANT SELECT         ON hub.audit_chain_boundary TO 'hub'@'%';
 *   -- (no UPDATE, DELETE, DROP, ALTER or TRIGGER on audit_* for the hub account)
 *
 *   -- the retention job's account (runs purgeBefore), used only by the scheduled purge
 *   GRANT SELECT, DELETE         ON hub.audit_access_log     TO 'hub_retention'@'%';
 *   GRANT SELECT                 ON hub.audit_checkpoint     TO 'hub_retention'@'%';
 *   GRANT SELECT                 ON hub.audit_field_list     TO 'hub_retention'@'%';
 *   GRANT SELECT, INSERT, UPDATE ON hub.audit_chain_boundary TO 'hub_retention'@'%';
 *
 *   -- the migration / DBA account creates the tables and the triggers (CREATE, INDEX, TRIGGER; with
 *   -- binary logging on, also SUPER or log_bin_trust_function_creators = 1).
 *
 * The triggers refuse every UPDATE of a log record or checkpoint, and every DELETE unless the session
 * has set `@hub_audit_purge = 1` (which `purgeBefore` does for its own connection only).
 */

/** Session variable that lets the retention purge delete; set and cleared by `purgeBefore`. */
export const PURGE_SESSION_FLAG = '@hub_audit_purge';

const TRIGGERS: Array<{ name: string; sql: string }> = [
  {
    name: 'trg_audit_access_log_no_update',
    sql: `CREATE TRIGGER trg_audit_access_log_no_update BEFORE UPDATE ON audit_access_log FOR EACH ROW
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_access_log is append-only: records cannot be updated'`,
  },
  {
    name: 'trg_audit_access_log_no_delete',
    sql: `CREATE TRIGGER trg_audit_access_log_no_delete BEFORE DELETE ON audit_access_log FOR EACH ROW
      BEGIN
        IF COALESCE(${PURGE_SESSION_FLAG}, 0) <> 1 THEN
          SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_access_log is append-only: records are removed only by the retention purge';
        END IF;
      END`,
  },
  {
    name: 'trg_audit_field_list_no_update',
    sql: `CREATE TRIGGER trg_audit_field_list_no_update BEFORE UPDATE ON audit_field_list FOR EACH ROW
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_field_list is append-only: field lists cannot be updated'`,
  },
  {
    // Even the purge keeps lists: records of any age may name them, and a list names no subject.
    name: 'trg_audit_field_list_no_delete',
    sql: `CREATE TRIGGER trg_audit_field_list_no_delete BEFORE DELETE ON audit_field_list FOR EACH ROW
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_field_list rows cannot be deleted'`,
  },
  {
    name: 'trg_audit_checkpoint_no_update',
    sql: `CREATE TRIGGER trg_audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint FOR EACH ROW
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_checkpoint is append-only: checkpoints cannot be updated'`,
  },
  {
    name: 'trg_audit_checkpoint_no_delete',
    sql: `CREATE TRIGGER trg_audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint FOR EACH ROW
      BEGIN
        IF COALESCE(${PURGE_SESSION_FLAG}, 0) <> 1 THEN
          SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_checkpoint is append-only: checkpoints cannot be deleted';
        END IF;
      END`,
  },
  {
    name: 'trg_audit_chain_boundary_no_update',
    sql: `CREATE TRIGGER trg_audit_chain_boundary_no_update BEFORE UPDATE ON audit_chain_boundary FOR EACH ROW
      BEGIN
        IF COALESCE(${PURGE_SESSION_FLAG}, 0) <> 1 THEN
          SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_chain_boundary is changed only by the retention purge';
        END IF;
      END`,
  },
  {
    name: 'trg_audit_chain_boundary_no_delete',
    sql: `CREATE TRIGGER trg_audit_chain_boundary_no_delete BEFORE DELETE ON audit_chain_boundary FOR EACH ROW
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_chain_boundary rows cannot be deleted'`,
  },
];

export const APPEND_ONLY_TRIGGERS = TRIGGERS.map((t) => t.name);

/**
 * Installs (or replaces) the append-only triggers. MySQL/MariaDB only: on SQLite it does nothing and
 * returns false (an embedded file is protected by file permissions, and the hash chain shows changes).
 */
export async function installAppendOnlyTriggers(db: Database): Promise<boolean> {
  if (db.kind === 'sqlite') return false;
  for (const t of TRIGGERS) {
    try {
      await db.dataSource.query(`DROP TRIGGER IF EXISTS ${t.name}`);
      await db.dataSource.query(t.sql);
    } catch (e) {
      throw new Error(
        `could not install the append-only trigger ${t.name}: ${(e as Error).message}. It needs the TRIGGER privilege ` +
          '(and SUPER or log_bin_trust_function_creators with binary logging); TiDB has no triggers — rely on the grants there.',
        { cause: e },
      );
    }
  }
  return true;
}

/** Removes the triggers (tests, or a DBA before a deliberate repair). */
export async function dropAppendOnlyTriggers(db: Database): Promise<void> {
  if (db.kind === 'sqlite') return;
  for (const t of TRIGGERS) await db.dataSource.query(`DROP TRIGGER IF EXISTS ${t.name}`);
}
