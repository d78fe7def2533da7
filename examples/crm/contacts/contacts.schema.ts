import { z } from 'zod';
import { ZName, ZObjectId } from '../crm.schemas';
import { CONTACT_STATUSES } from './contact.model';

export const ZContactFields = z.object({
  name: ZName,
  email: z.email().optional(),
  phone: z.string().max(40).optional(),
  companyId: ZObjectId.optional(),
  status: z.enum(CONTACT_STATUSES).optional(),
  tags: z.array(z.string().min(1).max(40)).max(20).optional(),
});
export type TContactFields = z.infer<typeof ZContactFields>;

export const ZContactPatch = ZContactFields.partial();
export type TContactPatch = z.infer<typeof ZContactPatch>;

export const ZBulkEditInput = z.object({
  ids: z.array(ZObjectId).min(1).max(10_000),
  set: z.object({ status: z.enum(CONTACT_STATUSES).optional(), companyId: ZObjectId.optional() }).refine((set) => Object.keys(set).length > 0, { message: 'set at least one field' }),
});
export type TBulkEditInput = z.infer<typeof ZBulkEditInput>;
