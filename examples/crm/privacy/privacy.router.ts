import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ERASABLE_CONTACT_FIELDS } from '../contacts/contacts.repository';
import { ZObjectId } from '../crm.schemas';
import { adminProcedure, router } from '../trpc';

/**
 * The erase-data tool (GDPR right to erasure): the contact's personal data is cleared, earlier
 * its personal values are erased from the audit log (by subject, and its e-mail wherever it appears), and
 * the erase is recorded with field names and counts only.
 */
export const privacyRouter = router({
  eraseContact: adminProcedure.input(z.object({ contactId: ZObjectId })).mutation(async ({ ctx, input }) => {
    const former = await ctx.contacts.erase(ctx.tenantId, input.contactId);
    if (!former) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such contact' });
    // Every value of the contact is erased by subject; its e-mail is also erased wherever an event holds it.
    const { relatedEventsPseudonymised } = await ctx.auditEvents.dataErased({
      subject: { type: 'contact', id: input.contactId },
      erasedFields: [...ERASABLE_CONTACT_FIELDS],
      identities: former.email ? [former.email] : [],
    });
    return { erased: true, relatedEventsPseudonymised };
  }),
});
