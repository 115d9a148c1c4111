/**
 * Publishing: the validated, idempotent, versioned path by which departments publish their datasets and
 * banks/guarantors report their contracts (API batches, corrections, retractions, file import), with the
 * publication log and dataset freshness. See pipeline.ts for the steps and adapter.ts for the per-dataset rules.
 */
export {
  MAX_BATCH_RECORDS,
  PublishingError,
  correctRecord,
  datasetStatus,
  listPublications,
  publishBatch,
  recordHistory,
  retractRecord,
  setPublicationListener,
  type PublicationEvent,
  type PublicationOutcome,
  type PublishOptions,
} from './pipeline';
export { ADAPTERS, adapterFor } from './adapters';
export type { DatasetAdapter, PublishRecord, Rejection } from './adapter';
export { importFile, detectEncoding, csvHeader, type ImportOptions, type ImportSummary } from './import-file';
export { publishingEntities, Publication, PublicationOperation, PublicationStatus } from './entities';
