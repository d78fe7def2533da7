import { requireConfigured } from '../errors';
import { type AuditProcedures, router } from '../trpc';
import { ZCreateExportInput, ZExportByIdInput, ZListExportsInput } from './export.schema';
import type { ExportService } from './export.service';

/** Exports of the audit log: admins only, each export visible to the admin who asked for it. Without Redis they say what is missing. */
export function createExportsRouter({ adminProcedure }: AuditProcedures, exportService: ExportService | undefined) {
  const exports = () => requireConfigured(exportService, 'Exports');
  return router({
    create: adminProcedure.input(ZCreateExportInput).mutation(({ ctx, input }) => exports().create(ctx.caller, input)),
    byId: adminProcedure.input(ZExportByIdInput).query(({ ctx, input }) => exports().get(ctx.caller, input.id)),
    list: adminProcedure.input(ZListExportsInput).query(({ ctx, input }) => exports().list(ctx.caller, input.limit)),
    cancel: adminProcedure.input(ZExportByIdInput).mutation(({ ctx, input }) => exports().cancel(ctx.caller, input.id)),
    revokeDownloads: adminProcedure.input(ZExportByIdInput).mutation(({ ctx, input }) => exports().revokeDownloads(ctx.caller, input.id)),
  });
}
