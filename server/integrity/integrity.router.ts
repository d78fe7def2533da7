import { z } from 'zod';
import { requireConfigured } from '../errors';
import { type AuditProcedures, router } from '../trpc';
import type { HostDatabase } from '../db/host-database';
import type { Integrity } from './integrity.service';
import { ZVerifyInput } from './verify.schema';

const ZEventIdInput = z.object({ eventId: z.string().regex(/^[0-9a-f]{24}$/, { message: 'an event id (24 hex characters)' }) });
const ZConsistencyInput = z
  .object({ from: z.number().int().min(0), to: z.number().int().min(1) })
  .refine(({ from, to }) => from <= to, { message: 'from must not be after to', path: ['from'] });

/** `auditLog.integrity.*`: admins of the caller's tenant only, like every read of the log. */
export function createIntegrityRouter({ adminProcedure }: AuditProcedures, integrity: Integrity | undefined, db: HostDatabase) {
  const configured = () => requireConfigured(integrity, 'Integrity checks');
  return router({
    latestCheckpoint: adminProcedure.query(({ ctx }) => configured().latestCheckpoint(ctx.caller.tenantId)),
    publicKeys: adminProcedure.query(() => configured().publicKeys()),
    inclusionProof: adminProcedure.input(ZEventIdInput).query(({ ctx, input }) => configured().inclusionProof(ctx.caller.tenantId, db.objectId(input.eventId))),
    consistencyProof: adminProcedure.input(ZConsistencyInput).query(({ ctx, input }) => configured().consistencyProof(ctx.caller.tenantId, input.from, input.to)),
    verify: adminProcedure.input(ZVerifyInput.optional()).query(({ ctx, input }) => configured().verify(ctx.caller.tenantId, input ?? {})),
  });
}
