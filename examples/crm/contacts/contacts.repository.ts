import { Types, type Model } from 'mongoose';
import { SKIP_AUDIT_OPTION } from '../../../plugins/mongoose/audit-trail.plugin';
import type { ContactDocument } from './contact.model';
import type { TContactFields, TContactPatch } from './contacts.schema';

export type ContactModel = Model<ContactDocument>;

/** The personal data the erase tool clears. */
export const ERASABLE_CONTACT_FIELDS = ['name', 'email', 'phone'] as const;

export function createContactsRepository(contacts: ContactModel) {
  return {
    list: (tenantId: string, { includeRemoved = false } = {}) =>
      contacts.find({ tenantId, ...(includeRemoved ? {} : { removed: { $ne: true } }) }).sort({ name: 1 }).limit(500).lean(),

    findById: (tenantId: string, id: string) => contacts.findOne({ _id: id, tenantId, removed: { $ne: true } }).lean(),

    create: (tenantId: string, fields: TContactFields) => contacts.create({ ...fields, tenantId }),

    /** Load, assign, save: the plugin diffs against the loaded copy, with no extra read. */
    async update(tenantId: string, id: string, patch: TContactPatch) {
      const contact = await contacts.findOne({ _id: id, tenantId, removed: { $ne: true } });
      if (!contact) return null;
      contact.set(patch);
      return contact.save();
    },

    async addTag(tenantId: string, id: string, tag: string): Promise<boolean> {
      const result = await contacts.updateOne({ _id: id, tenantId, removed: { $ne: true } }, { $push: { tags: tag } });
      return result.matchedCount > 0;
    },

    /** The CRM's delete: the record stays, flagged `removed` (the plugin records it as a delete). */
    async softDelete(tenantId: string, id: string): Promise<boolean> {
      const result = await contacts.updateOne({ _id: id, tenantId, removed: { $ne: true } }, { $set: { removed: true } });
      return result.matchedCount > 0;
    },

    async bulkEdit(tenantId: string, ids: string[], set: Partial<Pick<ContactDocument, 'status'>> & { companyId?: string }): Promise<number> {
      const result = await contacts.updateMany({ tenantId, _id: { $in: ids.map((id) => new Types.ObjectId(id)) }, removed: { $ne: true } }, { $set: set });
      return result.matchedCount;
    },

    /**
     * Clears the person's data. Not audited as an update (that event would carry the very values
     * being erased); the erase tool records `data.erased` instead.
     */
    async erase(tenantId: string, id: string): Promise<Pick<ContactDocument, 'name' | 'email' | 'phone'> | null> {
      const contact = await contacts.findOne({ _id: id, tenantId }).lean();
      if (!contact) return null;
      await contacts.updateOne({ _id: id, tenantId }, { $set: { name: 'Erased contact', erasedAt: new Date() }, $unset: { email: 1, phone: 1 } }).setOptions({ [SKIP_AUDIT_OPTION]: true });
      return { name: contact.name, email: contact.email, phone: contact.phone };
    },
  };
}

export type ContactsRepository = ReturnType<typeof createContactsRepository>;
