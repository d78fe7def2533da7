import { z } from 'zod';

/** Shared input pieces of the demo CRM's procedures. */
export const ZObjectId = z.string().regex(/^[0-9a-f]{24}$/, { message: 'expected a record id' });
export const ZName = z.string().trim().min(1).max(200);
export const ZCurrency = z.string().regex(/^[A-Z]{3}$/, { message: 'ISO 4217 code such as EUR' });
