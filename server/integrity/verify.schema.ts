import { z } from 'zod';

export const FAILURE_KINDS = ['changed', 'missing', 'inserted', 'reordered', 'truncated', 'bad_signature', 'inconsistent'] as const;
export const ZFailureKind = z.enum(FAILURE_KINDS);

/** What a verify run reports: the first event (or checkpoint) that does not verify and why. */
export const ZVerifyReport = z.object({
  ok: z.boolean(),
  tenantId: z.string(),
  /** The signed tree head the events were checked against. */
  checkpoint: z.object({ size: z.number(), rootHash: z.string(), time: z.date(), keyId: z.string() }).nullable(),
  range: z.object({ from: z.number(), to: z.number() }),
  eventsChecked: z.number(),
  checkpointsChecked: z.number(),
  failure: z
    .object({ kind: ZFailureKind, position: z.number().optional(), eventId: z.string().optional(), checkpointSize: z.number().optional(), detail: z.string() })
    .nullable(),
  warnings: z.array(z.string()),
});
export type TVerifyReport = z.infer<typeof ZVerifyReport>;
export type TVerifyFailure = NonNullable<TVerifyReport['failure']>;

export const ZVerifyInput = z.object({
  from: z.number().int().min(0).optional(),
  to: z.number().int().min(0).optional(),
  /** A checkpoint kept outside the database (a signed note): the log must still be consistent with it. */
  trustedCheckpoint: z.string().max(4_096).optional(),
}).refine((input) => input.from === undefined || input.to === undefined || input.from <= input.to, { message: 'from must not be after to', path: ['from'] });
export type TVerifyInput = z.infer<typeof ZVerifyInput>;
