import { z } from 'zod';
import { ZActionName } from './event.schema';
import { personal } from './stored-form/personal-marks';

/**
 * Every action the log knows. Built-in actions cover what a CRM emits; hosts add their own with
 * `createActionCatalog([...])`, each with a zod schema that its metadata must satisfy.
 */
export const ZActionCategory = z.enum(['records', 'privacy', 'collaboration', 'integrations', 'access', 'audit', 'custom']);

export interface ActionDefinition<TMetadata extends z.ZodType = z.ZodType> {
  name: string;
  label: string;
  category: z.infer<typeof ZActionCategory>;
  metadata: TMetadata;
}

const ZAnyMetadata = z.record(z.string(), z.json());
const ZNoMetadata = z.object({}).strict();
/**
 * A read or an export of the log: its filters are what the admin searched for, which can name a
 * person (an e-mail, an IP address), so they are personal, the admin's: an erasure of an address
 * they contain, or of the admin, removes them; the hashed part keeps a commitment.
 */
const ZAuditLogReadMetadata = z.object({ filters: personal(z.json(), 'actor').optional() }).catchall(z.json());

export const BUILT_IN_ACTIONS = {
  'record.created': { label: 'Record created', category: 'records', metadata: ZAnyMetadata },
  'record.viewed': { label: 'Record viewed', category: 'records', metadata: ZAnyMetadata },
  'record.updated': { label: 'Record updated', category: 'records', metadata: ZAnyMetadata },
  'record.deleted': {
    label: 'Record deleted',
    category: 'records',
    metadata: z.object({ soft: z.boolean().optional() }).catchall(z.json()),
  },
  'records.bulk_edited': {
    label: 'Records bulk-edited',
    category: 'records',
    metadata: z.object({ fields: z.array(z.string().max(200)).max(200).optional() }).catchall(z.json()),
  },
  'data.erased': {
    label: 'Data erased (GDPR)',
    category: 'privacy',
    metadata: z.object({
      erasedFields: z.array(z.string().max(200)).max(200),
      relatedEventsPseudonymised: z.number().int().min(0).optional(),
      /** Values erased per field of the stored events (`actor.email`, `subject.name`, `changes`…): counts, never values. */
      erasedValues: z.record(z.string().max(200), z.number().int().min(0)).optional(),
      spilledEvents: z.number().int().min(0).optional(),
      exportsRemoved: z.number().int().min(0).optional(),
    }),
  },
  'comment.created': {
    label: 'Comment added',
    category: 'collaboration',
    metadata: z.object({ discussionId: z.string().max(128).optional(), commentId: z.string().max(128).optional() }).catchall(z.json()),
  },
  'invoice.posted': {
    label: 'Invoice posted to accounting',
    category: 'integrations',
    metadata: z.object({
      amount: z.number().finite(),
      currency: z.string().regex(/^[A-Z]{3}$/, { message: 'ISO 4217 code such as EUR' }),
      invoiceNumber: z.string().max(100).optional(),
    }),
  },
  'user.login': { label: 'Signed in', category: 'access', metadata: ZAnyMetadata },
  'user.login_failed': {
    label: 'Sign-in failed',
    category: 'access',
    metadata: z.object({ attemptedIdentity: personal(z.string().max(320), 'identity') }).catchall(z.json()),
  },
  'user.logout': { label: 'Signed out', category: 'access', metadata: ZAnyMetadata },
  'list.exported': {
    label: 'List exported',
    category: 'records',
    metadata: z.object({
      list: z.string().max(200),
      rowCount: z.number().int().min(0),
      format: z.string().max(20),
    }),
  },
  'audit_log.viewed': { label: 'Audit log searched', category: 'audit', metadata: ZAuditLogReadMetadata },
  'audit_log.exported': { label: 'Audit log exported', category: 'audit', metadata: ZAuditLogReadMetadata },
  'audit_log.export_downloaded': { label: 'Audit log export downloaded', category: 'audit', metadata: ZAnyMetadata },
} satisfies Record<string, Omit<ActionDefinition, 'name'>>;

export type TBuiltInAction = keyof typeof BUILT_IN_ACTIONS;
export const BUILT_IN_ACTION_NAMES = Object.keys(BUILT_IN_ACTIONS) as TBuiltInAction[];

export const ZCustomAction = z.object({
  name: ZActionName,
  label: z.string().min(1).max(100),
  category: ZActionCategory.default('custom'),
  metadata: z.custom<z.ZodType>((value) => value instanceof z.ZodType, { message: 'expected a zod schema' }).default(ZNoMetadata),
});
export type TCustomActionInput = z.input<typeof ZCustomAction>;

export interface ActionCatalog {
  get(name: string): ActionDefinition | undefined;
  list(): ActionDefinition[];
}

export function createActionCatalog(customActions: TCustomActionInput[] = []): ActionCatalog {
  const definitions = new Map<string, ActionDefinition>();
  for (const [name, definition] of Object.entries(BUILT_IN_ACTIONS)) definitions.set(name, { name, ...definition });
  for (const input of customActions) {
    const custom = ZCustomAction.parse(input);
    if (definitions.has(custom.name)) throw new Error(`action "${custom.name}" is already defined`);
    definitions.set(custom.name, custom);
  }
  return {
    get: (name) => definitions.get(name),
    list: () => [...definitions.values()],
  };
}
