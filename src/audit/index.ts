/** The audit core: the tamper-evident access log ("no log, no data"). */
export * from './chain';
export { AccessLogWriter, AccessLogUnavailableError, InvalidAccessRecordError, CHECKPOINT_JWS_TYPE, defaultChainId, readHead } from './writer';
export type { AccessLogWriterOptions, ChainHead, Checkpoint } from './writer';
export { verifyAccessLog, exportAccessLog, verifyExport, CheckpointKeys, EXPORT_FORMAT } from './verify';
export type { VerifyAccessLogOptions, ExportOptions, ExportManifest, ExportSegment, ExportVerifyResult, StoredCheckpoint, ChainBoundary } from './verify';
export { purgeBefore, retentionCutoff, DEFAULT_RETENTION_YEARS, AccessLogIntegrityError } from './retention';
export type { PurgeOptions, PurgeResult } from './retention';
export { installAppendOnlyTriggers, dropAppendOnlyTriggers, APPEND_ONLY_TRIGGERS, PURGE_SESSION_FLAG } from './triggers';
export { findAccessRecords } from './read';
export type { AccessRecordFilter } from './read';
export { auditEntities, AccessLogRecordEntity, AuditCheckpointEntity, AuditChainBoundaryEntity } from './entities';
