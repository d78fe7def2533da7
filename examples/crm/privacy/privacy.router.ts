import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ERASABLE_CONTACT_FIELDS } from '../contacts/contacts.repository';
import { ZObjectId } from '../crm.schemas';
import { adminProcedure, router } from '../trpc';

/**
 * The erase-data tool (GDPR right to erasure): the contact's personal data is cleared, earlier
 * audit events that mention it are pseudonymised, and the erase is recorded with field names only.
 */
export const privacyRouter = router({
  eraseContact: adminProcedure.input(z.object({ contactId: ZObjectId })).mutation(async ({ ctx, input }) => {
    const former = await ctx.contacts.erase(ctx.tenantId, input.contactId);
    if (!former) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such contact' });
    const personalValues = [former.name, former.email, former.phone].filter((value): value is string => !!value);
    const { relatedEventsPseudonymised } = await ctx.auditEvents.dataErased({
      subject: { type: 'contact', id: input.contactId },
      erasedFields: [...ERASABLE_CONTACT_FIELDS],
      personalValues,
    });
    return { erased: true, relatedEventsPseudonymised };
  }),
});
