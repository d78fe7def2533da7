import { z } from 'zod';

/** An ObjectId as the API shows it: 24 lower-case hex characters. */
export const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;

export const isObjectIdHex = (value: string): boolean => OBJECT_ID_HEX.test(value);

/** `what` names the thing in the message: "must be an export id (24 hex characters)". */
export const ZObjectIdHex = (what = 'an id') => z.string().regex(OBJECT_ID_HEX, { message: `must be ${what} (24 hex characters)` });
