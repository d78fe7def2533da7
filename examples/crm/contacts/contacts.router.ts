import { TRPCError } from '@trpc/server';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { ZObjectId } from '../crm.schemas';
import { authedProcedure, router } from '../trpc';
import { ZBulkEditInput, ZContactFields, ZContactPatch } from './contacts.schema';

const ZById = z.object({ id: ZObjectId });
const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such contact' });

/** Creates, updates, soft deletes and bulk edits are recorded by the mongoose plugin on the model. */
export const contactsRouter = router({
  list: authedProcedure.input(z.object({ includeRemoved: z.boolean().optional() }).optional()).query(({ ctx, input }) => ctx.contacts.list(ctx.tenantId, input)),

  get: authedProcedure.input(ZById).query(async ({ ctx, input }) => {
    const contact = await ctx.contacts.findById(ctx.tenantId, input.id);
    if (!contact) throw notFound();
    ctx.auditEvents.recordViewed({ subject: { type: 'contact', id: input.id, name: contact.name } });
    return contact;
  }),

  create: authedProcedure.input(ZContactFields).mutation(async ({ ctx, input }) => (await ctx.contacts.create(ctx.tenantId, input)).toObject()),

  update: authedProcedure.input(ZById.extend({ patch: ZContactPatch })).mutation(async ({ ctx, input }) => {
    const contact = await ctx.contacts.update(ctx.tenantId, input.id, input.patch);
    if (!contact) throw notFound();
    return contact.toObject();
  }),

  addTag: authedProcedure.input(ZById.extend({ tag: z.string().min(1).max(40) })).mutation(async ({ ctx, input }) => {
    if (!(await ctx.contacts.addTag(ctx.tenantId, input.id, input.tag))) throw notFound();
    return { tagged: true };
  }),

  remove: authedProcedure.input(ZById).mutation(async ({ ctx, input }) => {
    if (!(await ctx.contacts.softDelete(ctx.tenantId, input.id))) throw notFound();
    return { removed: true };
  }),

  /** One `updateMany`: one `records.bulk_edited` event however many contacts. */
  bulkEdit: authedProcedure.input(ZBulkEditInput).mutation(async ({ ctx, input }) => ({ updated: await ctx.contacts.bulkEdit(ctx.tenantId, input.ids, input.set) })),

  export: authedProcedure.input(z.object({ format: z.literal('csv') })).mutation(async ({ ctx, input }) => {
    const contacts = await ctx.contacts.list(ctx.tenantId);
    const content = stringify(
      contacts.map((contact) => ({ name: contact.name, email: contact.email ?? '', phone: contact.phone ?? '', status: contact.status })),
      { header: true, columns: ['name', 'email', 'phone', 'status'] },
    );
    ctx.auditEvents.listExported({ list: 'contacts', rowCount: contacts.length, format: input.format });
    return { filename: `contacts-${new Date().toISOString().slice(0, 10)}.csv`, rowCount: contacts.length, content };
  }),
});
