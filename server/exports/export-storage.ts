import { createHash } from 'node:crypto';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GridFSBucket, ObjectId } from 'mongodb';
import type { HostDatabase } from '../db/host-database';

/**
 * Where export files live. GridFS is the default: any API instance can serve a file that any
 * worker wrote. Another store (S3, a disk) implements the same four methods; see docs/OPERATIONS.md.
 */
export interface ExportStorage {
  /** Opens a new file; write the export into `stream`, then await `finished`. */
  create(fileName: string, metadata: { tenantId: string; exportId: string; contentType: string }): StoredFileUpload;
  open(fileId: string): Readable;
  /** Deletes a file, complete or partial; a missing file is not an error. */
  remove(fileId: string): Promise<void>;
}

export interface StoredFileUpload {
  fileId: string;
  stream: Writable;
  /** Resolves once the file is stored, with its size and SHA-256. */
  finished: Promise<{ bytes: number; sha256: string }>;
  /** Stops writing and deletes what was stored so far. */
  abort(): Promise<void>;
}

export const EXPORT_FILES_BUCKET = 'audit_export_files';

export function createGridFsExportStorage(db: HostDatabase): ExportStorage {
  // GridFS's own 255 KiB chunks: each chunk is copied and serialised once more on its way out, so
  // 1 MiB chunks left about 45 MB more garbage in a worker's peak RSS (measured, 1M-row CSV).
  let opened: GridFSBucket | undefined;
  // Files are written and read only once the audit log has started, so the connection is open.
  const bucket = () => (opened ??= new db.driver.GridFSBucket(db.openNow(), { bucketName: EXPORT_FILES_BUCKET, chunkSizeBytes: 255 * 1024 }));
  const removeChunks = async (id: ObjectId) => {
    const database = await db.opened();
    await database.collection(`${EXPORT_FILES_BUCKET}.chunks`).deleteMany({ files_id: id });
    await database.collection(`${EXPORT_FILES_BUCKET}.files`).deleteOne({ _id: id });
  };

  return {
    create(fileName, metadata) {
      const upload = bucket().openUploadStream(fileName, { metadata });
      const id = upload.id as ObjectId;
      const hash = createHash('sha256');
      let bytes = 0;
      const measure = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      const stored = pipeline(measure, upload);
      const finished = stored.then(() => ({ bytes, sha256: hash.digest('hex') }));
      // An abort rejects both; whoever awaits `finished` still sees the error.
      stored.catch(() => undefined);
      finished.catch(() => undefined);
      return {
        fileId: id.toHexString(),
        stream: measure,
        finished,
        async abort() {
          measure.destroy(new Error('export aborted'));
          await stored.catch(() => undefined);
          await removeChunks(id);
        },
      };
    },
    open: (fileId) => bucket().openDownloadStream(db.objectId(fileId)),
    remove: (fileId) => removeChunks(db.objectId(fileId)),
  };
}
