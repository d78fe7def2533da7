/** The exports slice's public face. */
export { createExports, EXPORT_DEFAULTS, type Exports, type ExportsSettings } from './create-exports';
export { createExportRepository, type ExportRepository } from './export.repository';
export type { ExportStorage, StoredFileUpload } from './export-storage';
export type { ExportWorkerOptions } from './export-worker';
export { EXPORT_FILES_BUCKET } from './export-storage';
export { EXPORTS_COLLECTION } from './export.model';
export { removeExpiredExports } from './retention';
export { createExportsRouter } from './exports.router';
export type { ExportIntegrity, ExportProof } from './export-integrity';
export type { ExportDocument } from './export.model';
