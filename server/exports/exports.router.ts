import { TRPCError } from '@trpc/server';
import type { AuditProcedures } from '../trpc';
import { router } from '../trpc';
import { ZCreateExportInput, ZExportByIdInput, ZListExportsInput } from './export.schema';
import { ExportNotFoundError, type ExportService } from './export.service';

/** A router built without services still has these procedures; they say what is missing. */
export function requireConfigured<T>(service: T | undefined, what: string): T {
  if (!service) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: `${what} are not configured on this server` });
  return service;
}

const notFound = (error: unknown): never => {
  if (error instanceof ExportNotFoundError) throw new TRPCError({ code: 'NOT_FOUND', message: error.message });
  throw error;
};

/** Exports of the audit log: admins only, each export visible to the admin who asked for it. */
export function createExportsRouter({ adminProcedure }: AuditProcedures, exportService: ExportService | undefined) {
  const exports = () => requireConfigured(exportService, 'Exports');
  return router({
    create: adminProcedure.input(ZCreateExportInput).mutation(({ ctx, input }) => exports().create(ctx.caller, input)),
    byId: adminProcedure.input(ZExportByIdInput).query(({ ctx, input }) => exports().get(ctx.caller, input.id).catch(notFound)),
    list: adminProcedure.input(ZListExportsInput).query(({ ctx, input }) => exports().list(ctx.caller, input.limit)),
    cancel: adminProcedure.input(ZExportByIdInput).mutation(({ ctx, input }) => exports().cancel(ctx.caller, input.id).catch(notFound)),
  });
}
